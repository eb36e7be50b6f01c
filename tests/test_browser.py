"""A person using the app in Chromium: ask, read the summary, open the folded sections, see a chart
and the cited table with its cells marked, download the figures, at desktop and phone widths; and the
app started on another company's filing speaks only of that filing."""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from conftest import READY_LINE, START_TIMEOUT_S, chromium_binary, require, start_app, stop_app, wait_ready

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
NORTHWIND = Path(__file__).resolve().parent / "fixtures" / "filings" / "northwind_fy2019.txt"
OTHER_COMPANY_WORDING = ("IIJ", "Internet Initiative")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANSWER_TIMEOUT_MS = 60_000
PHONE_WIDTH = 400
ANSWERS = ".message-row.bot-row"  # one answer: its text, and its chart, caption and chart table where it has one


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = require("Debian chromium", chromium_binary(), "scripts/setup.sh installs it with apt-get")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser: Browser, url: str, width: int = 1400) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": width, "height": 1000}, accept_downloads=True)
    pg = ctx.new_page()
    pg.goto(url, wait_until="load")
    yield pg
    ctx.close()


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    yield from _open(browser, app_url)


@pytest.fixture
def phone(browser: Browser, app_url: str) -> Iterator[Page]:
    """The app at 400 px wide."""
    yield from _open(browser, app_url, PHONE_WIDTH)


@pytest.fixture(scope="module")
def northwind_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python app.py` with FQA_FILING on another company's filing (its own index, built at start)."""
    proc, url = start_app({"FQA_FILING": str(NORTHWIND), "FQA_INDEX_DIR": str(tmp_path_factory.mktemp("northwind-index"))},
                          tmp_path_factory.mktemp("northwind") / "app.log")
    try:
        yield url
    finally:
        stop_app(proc)


@pytest.fixture
def other_page(browser: Browser, northwind_url: str) -> Iterator[Page]:
    yield from _open(browser, northwind_url)


@pytest.fixture
def first_start(browser: Browser, tmp_path: Path) -> Iterator[tuple[Page, subprocess.Popen, Path]]:
    """The app on an empty index folder (a new user's first start), its page opened as soon as it serves."""
    log = tmp_path / "app.log"
    proc, url = start_app({"FQA_INDEX_DIR": str(tmp_path / "index")}, log, ready=False)
    try:
        for pg in _open(browser, url):
            yield pg, proc, log
    finally:
        stop_app(proc)


def shot(page: Page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def ask(page: Page, question: str) -> Locator:
    """Type the question, click Ask, and return the new answer bubble."""
    answers = page.locator(ANSWERS)
    before = answers.count()
    box = page.get_by_placeholder("Type a question about the filing")
    box.click()
    box.press_sequentially(question)
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(answers).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)
    return answers.nth(before)


def open_section(answer: Locator, title: str) -> Locator:
    """Click a folded section's title; return the <details> element, now open."""
    answer.locator("summary", has_text=title).click()
    section = answer.locator("details", has=answer.page.locator("summary", has_text=title))
    expect(section).to_have_attribute("open", "")
    return section


def test_lookup_shows_value_and_cited_line(page: Page) -> None:
    answer = ask(page, "How much cash did IIJ have at the end of September 2012?")
    text = answer.inner_text()
    assert "11,670" in text or "11.67" in text, text
    sources = open_section(answer, "Sources")
    expect(sources).to_contain_text(re.compile(r"Line \d+"), use_inner_text=True)
    cited = {int(n) for n in re.findall(r"Line (\d+)", sources.inner_text())}
    # The Filing tab highlights the cited lines.
    page.get_by_role("tab", name="Filing").click()
    marked = page.locator(".fqa-filing .hit .ln")
    expect(marked.first).to_be_visible()
    assert {int(n) for n in marked.all_inner_texts()} == cited
    shot(page, "lookup")


def test_derived_answer_shows_calculation(page: Page) -> None:
    answer = ask(page, "How did SI gross margin change in the first half?")
    assert "49" in answer.inner_text()
    calc = open_section(answer, "How this was worked out")
    expect(calc).to_contain_text("(17,126,614 - 14,089,358)", use_inner_text=True)
    expect(open_section(answer, "Sources")).to_contain_text(re.compile(r"Line \d+"), use_inner_text=True)
    shot(page, "derived")


def test_a_standard_ratio_shows_its_formula_and_a_follow_up_keeps_it(page: Page) -> None:
    answer = ask(page, "whats the quick ratio at the end of sept 2012")
    expect(answer).to_contain_text("Quick ratio as of September 30, 2012: 0.92 times", use_inner_text=True)
    calc = open_section(answer, "How this was worked out")
    expect(calc).to_contain_text("Formula: (cash and cash equivalents + accounts receivable) / total current liabilities",
                                 use_inner_text=True)
    expect(calc).to_contain_text("(11,670,450 + 15,648,040) / 29,679,444", use_inner_text=True)
    cited = {int(n) for n in re.findall(r"Line (\d+)", open_section(answer, "Sources").inner_text())}
    assert {286, 287, 318} <= cited, cited
    again = ask(page, "and at March 31, 2012?")
    expect(again).to_contain_text("Quick ratio as of March 31, 2012", use_inner_text=True)
    shot(page, "composed")


def test_unanswerable_question_says_so(page: Page) -> None:
    text = ask(page, "What was IIJ's share price?").inner_text().lower()
    assert "does not say" in text or "not in the filing" in text, text
    shot(page, "unanswerable")


def test_empty_question_gets_a_friendly_reply(page: Page) -> None:
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.locator('[data-testid="bot"]').last).to_contain_text("Please type a question",
                                                                     timeout=ANSWER_TIMEOUT_MS)


def test_html_in_question_is_shown_as_text_not_run(page: Page) -> None:
    attack = "<script>window.__pwned=1</script><b>bold</b>"
    ask(page, attack)
    expect(page.locator('[data-testid="user"]').last).to_contain_text(attack, use_inner_text=True)
    expect(page.locator('[data-testid="user"] b, [data-testid="bot"] b')).to_have_count(0)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    shot(page, "html_escaped")


@pytest.mark.slow
def test_the_app_on_another_filing_speaks_only_of_that_filing(other_page: Page) -> None:
    page = other_page
    expect(page).to_have_title(re.compile(r"^Northwind Robotics, Inc\."))
    expect(page.get_by_text("Ask about Northwind Robotics, Inc.'s filing")).to_be_visible()
    seen = [page.locator("body").inner_text()]
    for tab in ("What can I ask?", "Glossary", "Filing"):
        page.get_by_role("tab", name=tab).click()
        seen.append(page.locator("body").inner_text())
    assert "FY2019" in seen[1] and "Consolidated Balance Sheets" in seen[1], seen[1]
    page.get_by_role("button", name="Ask", exact=True).click()  # an empty question
    expect(page.locator('[data-testid="bot"]').last).to_contain_text("for example: What was net revenue for FY2019?",
                                                                     timeout=ANSWER_TIMEOUT_MS)
    # An example question, clicked, is asked at once and answers with the filing's own figure and line.
    answers = page.locator(ANSWERS)
    before = answers.count()
    page.get_by_role("button", name="What was net revenue for FY2019?", exact=True).click()
    expect(answers).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)
    answer = answers.nth(before)
    expect(answer).to_contain_text("USD 1.48 billion")
    expect(open_section(answer, "Sources")).to_contain_text("Line 31", use_inner_text=True)
    seen += [page.locator("body").inner_text(), page.content()]
    shot(page, "other_filing")
    page_text = "\n".join(seen)
    assert not [w for w in OTHER_COMPANY_WORDING if w in page_text]


# ---------------------------------------------------------------- charts, cited tables, figures


def chart_of(answer: Locator, bars: int, caption: str) -> None:
    """The answer carries a drawn plotly chart (plotly.js from the app, not the internet) with
    `bars` bars, its caption, and the chart as a table."""
    plot = answer.locator(".js-plotly-plot")
    expect(plot).to_have_count(1)
    expect(plot.locator(".bars .point path")).to_have_count(bars)
    expect(answer).to_contain_text(caption, use_inner_text=True)
    expect(open_section(answer, "The chart as a table").locator("tbody tr")).to_have_count(bars)


def cited_cells(page: Page) -> list[str]:
    page.get_by_role("tab", name="Sources").click()
    cells = page.locator(".fqa-sources td.hit")
    expect(cells.first).to_be_visible()
    return cells.all_inner_texts()


def in_view(page: Page, inner: str, outer: str) -> bool:
    """Whether the first `inner` element lies inside the visible part of its scrolled `outer` box."""
    return page.evaluate("""([inner, outer]) => {
        const el = document.querySelector(inner), box = el.closest(outer);
        const a = el.getBoundingClientRect(), b = box.getBoundingClientRect();
        return a.top >= b.top && a.bottom <= b.bottom && a.left >= b.left && a.right <= b.right;
    }""", [inner, outer])


def test_a_breakdown_has_a_chart_and_its_table_shows_the_cited_cells(page: Page) -> None:
    sent = []
    page.on("request", lambda r: sent.append(r.url))
    answer = ask(page, "show me revenue by segment")
    expect(answer).to_contain_text("JPY 50.31 billion", use_inner_text=True)
    chart_of(answer, 2, "From \u201cRevenues\u201d, lines 509, 512.")
    assert cited_cells(page) == ["50,310,706", "1,082,005"]
    table = page.locator(".fqa-sources .fqa-table").first
    expect(table.locator("thead")).to_contain_text("2012")
    expect(table.locator("tr.hit-row th")).to_have_text(["Network service and systems integration business", "ATM operation business"])
    assert in_view(page, ".fqa-sources td.hit", ".tbl")
    page.get_by_role("button", name="Download the figures (CSV)").scroll_into_view_if_needed()
    shot(page, "chart_breakdown")
    assert all(u.startswith(("http://127.0.0.1", "data:", "blob:")) for u in sent), [u for u in sent if "127.0.0.1" not in u]


def test_the_figures_download_as_csv(page: Page) -> None:
    ask(page, "which segment had the highest operating income?")
    page.get_by_role("tab", name="Sources").click()
    expect(page.locator(".fqa-sources")).to_contain_text("Segment Summary")
    with page.expect_download() as got:
        page.get_by_role("button", name="Download the figures (CSV)").click()
    rows = got.value.path().read_text(encoding="utf-8").splitlines()
    assert rows[0] == "figure,period,value,unit,table,row,lines,cell,working"
    assert rows[1].startswith("Network service and SI business,1H FY2012,3260000000,JPY,Segment Summary,"), rows


def test_a_series_fits_a_phone_and_its_quarters_are_cited(phone: Page) -> None:
    answer = ask(phone, "how did revenue move over the quarters?")
    expect(answer).to_contain_text("2Q FY2012 JPY 26.27 billion", use_inner_text=True)
    chart_of(answer, 4, "line 626")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH  # nothing wider than the screen
    box = answer.locator(".js-plotly-plot").bounding_box()
    assert box is not None and box["width"] <= PHONE_WIDTH
    assert set(cited_cells(phone)) >= {"51,109,001", "26,267,738"}
    answer.locator(".js-plotly-plot").scroll_into_view_if_needed()
    shot(phone, "chart_series_400px", full_page=False)  # the screen as a phone shows it


def test_a_quoted_sentence_is_marked_in_its_paragraph(page: Page) -> None:
    ask(page, "Why did operating income rise?")
    page.get_by_role("tab", name="Sources").click()
    quote = page.locator(".fqa-sources .fqa-quote mark.hit")
    expect(quote.first).to_contain_text("Operating income was JPY3,263 million")
    shot(page, "sources_quote")


def test_an_example_clicked_is_answered_at_once(page: Page) -> None:
    answers = page.locator(ANSWERS)
    page.get_by_role("button", name="How are we doing this half?", exact=True).click()  # the overview example
    expect(answers).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator('[data-testid="user"]').first).to_have_text("How are we doing this half?")
    assert len(answers.first.inner_text()) > 40
    expect(page.get_by_placeholder("Type a question about the filing")).to_have_value("")


def test_a_question_naming_no_figure_offers_readings_that_answer_on_click(page: Page) -> None:
    first = ask(page, "how much did we make in the first half?")
    expect(first).to_contain_text("Did you mean one of these?")
    answers = page.locator(ANSWERS)
    page.get_by_role("button", name="What was operating income for 1H FY2012?").click()
    expect(answers).to_have_count(2, timeout=ANSWER_TIMEOUT_MS)
    expect(answers.nth(1)).to_contain_text("JPY 3.26 billion")
    expect(page.locator('[data-testid="user"]').nth(1)).to_have_text("What was operating income for 1H FY2012?")
    shot(page, "ask_back_choices")


# ---------------------------------------------------------------- a first start


@pytest.mark.slow
def test_a_first_start_answers_figures_at_once_and_says_why_questions_wait(first_start) -> None:
    page, proc, log = first_start
    state = page.get_by_text("Answering from the filing's tables")
    expect(state).to_be_visible(timeout=ANSWER_TIMEOUT_MS)  # the status line, while the passages are embedded
    answer = ask(page, "How much cash did IIJ have at the end of September 2012?")
    expect(answer).to_contain_text("JPY 11.67 billion")
    expect(answer).to_contain_text('answers to "why" questions will be better in a moment')
    assert READY_LINE not in log.read_text(errors="replace"), "the build ended before the answer: nothing was answered during it"
    shot(page, "first_start")
    wait_ready(proc, log, time.monotonic() + START_TIMEOUT_S)
    expect(state).to_be_hidden(timeout=ANSWER_TIMEOUT_MS)
    why = ask(page, "Why did operating income rise?")
    expect(why).to_contain_text("Operating income was JPY3,263 million")
    expect(why).not_to_contain_text("better in a moment")
