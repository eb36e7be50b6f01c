"""Why / what happened / what is / which: the question's kind and sides in the plan, the filing's
sentences as evidence, and answers that quote the filing with its lines (IIJ and a fixture filing)."""
from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.understand import understand
from schema import Chunk, Fact, Period

FIXTURES = Path(__file__).parent / "fixtures" / "filings"


# ---------------------------------------------------------------- the plan (no index)

@pytest.mark.parametrize("question,op,kind", [
    ("Why did WAN services revenue slip?", "narrative", "cause"),
    ("What drove the growth in outsourcing services?", "narrative", "cause"),
    ("How come home connectivity revenue fell?", "narrative", "cause"),
    ("When did the stock split take effect?", "narrative", "event"),
    ("Did IIJ change its full-year targets?", "narrative", "event"),
    ("What is IIJ GIO?", "define", "description"),
    ("How does Northwind define free cash flow?", "narrative", "description"),
    ("Which services grew?", "narrative", "list"),
    ("What makes up other investments?", "narrative", "list"),
    ("Operating income rose but operating cash flow fell, how come?", "narrative", "contrast"),
    ("SI revenue rose, yet its margin fell. How?", "narrative", "contrast"),
    ("Are they cutting the forecast?", "narrative", "event"),
])
def test_a_narrative_question_is_read_into_its_kind(question, op, kind):
    q = understand(question)
    assert (q.op, q.cues.narrative.kind) == (op, kind), q


def test_a_contrast_has_one_side_each_with_its_direction():
    sides = understand("Home-use contracts rose but the revenue fell; how come?").cues.narrative.sides
    assert [(s.words, s.direction) for s in sides] == [("Home-use contracts", "up"), ("Home-use revenue", "down")]


@pytest.mark.parametrize("question", [
    "What is this year's revenue target?",  # a period named: a figure
    "How many ATMs are placed?",
    "Which segment had the highest operating income in 1H12?",
    "Did SI make more money than last year?",
    "Which part of the business is growing fastest: network services or SI?",
])
def test_a_number_question_stays_a_number_question(question):
    q = understand(question)
    assert q.op not in ("narrative", "define") and q.cues.narrative is None, q


# ---------------------------------------------------------------- sentences as evidence (no index)

def test_sentences_keep_their_line_section_figures_direction_and_cue():
    from retrieval.sentences import Evidence

    lines = ["Revenues", "", "Logistics Systems. Net revenue was JPY7,816 million, up 7.4% YoY, mainly due to *new* orders.",
             "The increase continued", "into the second half."]
    chunk = Chunk("c1", "f", "Revenues", "Revenues: ...", 3, 5)
    fact = Fact("x", "f", "t", "Breakdown", "Revenues", "Net revenue", ["Net revenue"], "1H12", Period("2012-09-30", 6, "1H FY2012"),
                7_815_625_000, "JPY", 1e3, "Thousands of JPY", "7,815,625", 40)
    first, second = Evidence([chunk], lines, [fact], []).sentences
    assert first.text == "Net revenue was JPY7,816 million, up 7.4% YoY, mainly due to new orders."  # Markdown italics shown plain
    assert (first.line, first.section, first.direction, first.cause) == (3, "Revenues", "up", "due to")
    assert "logistic" in first.words  # the run-in heading names what the sentence speaks of
    assert [(f.text, f.fact_ids) for f in first.figures] == [("JPY7,816 million", ("x",)), ("7.4%", ())]
    assert (second.text, second.line) == ("The increase continued into the second half.", 4)  # a wrapped line carries on


def test_a_sentence_moving_both_ways_moves_the_way_of_the_clause_naming_the_subject():
    from retrieval.plan import Side
    from retrieval.reader import because, read
    from retrieval.sentences import Evidence

    lines = ["Balance sheet", "", "Cash decreased by JPY1,866 million mainly due to tax payments, and inventories increased by JPY839 "
             "million mainly due to new orders.", "", "Cash rose in the prior year mainly due to bank borrowings."]
    ev = Evidence([Chunk("c1", "f", "Balance sheet", "...", 3, 5)], lines, [], [])
    quotes, reasoned = because(ev, read(ev, Side("cash", "down"), "cause", {}))
    assert reasoned and quotes[0].line == 3 and quotes[0].direction == "both"
    quotes, _ = because(ev, read(ev, Side("cash", "up"), "cause", {}))
    assert quotes[0].line == 5


def test_a_subject_leading_a_clause_that_moves_leads_the_sentence():
    from retrieval.plan import Side
    from retrieval.reader import because, read
    from retrieval.sentences import Evidence

    lines = ["Cash flows", "", "Net cash used in investing activities was JPY3,054 million, mainly due to purchases of equipment.", "",
             "As for current assets as of September 30, 2012, compared with March 31, 2012, cash decreased by JPY1,866 million "
             "mainly due to tax payments."]
    ev = Evidence([Chunk("c1", "f", "Cash flows", "...", 3, 5)], lines, [], [])
    quotes, reasoned = because(ev, read(ev, Side("cash", "down"), "cause", {}))
    assert reasoned and quotes[0].line == 5 and "cash decreased by JPY1,866 million" in quotes[0].text


# ---------------------------------------------------------------- answers on IIJ

def quoted(a) -> dict[int, str]:
    """The quoted sentences by line (sentences of one line joined)."""
    out: dict[int, str] = {}
    for s in a.sources:
        if s.kind == "text":
            out[s.line] = f"{out.get(s.line, '')} {s.text}".strip()
    return out


def test_why_quotes_the_reason_and_opens_with_the_figure_worked_out(engine):
    a = engine.answer("What pushed corporate internet connectivity revenue up?")
    assert a.answerable and a.value is None and a.plan.cues.narrative.kind == "cause"
    assert "broader bandwidth by network operators" in quoted(a)[87]
    assert a.summary.startswith("Internet connectivity services (corporate use) rose 7.4% in 1H FY2012")
    assert "7,815,625 - 7,276,865" in a.calculation  # the figure from the fact table, its change from the calculator
    assert "broader bandwidth" in a.text.split("<details>")[0]  # shown as the answer, not only among the sources


def test_a_reason_given_twice_is_quoted_from_both_places(engine):
    a = engine.answer("Why did operating income rise by a third?")
    assert {169, 27} <= set(quoted(a)) and "these reasons" in a.summary


def test_a_ratio_that_fell_is_explained_by_the_sentence_before_it(engine):
    a = engine.answer("Why did the gross margin ratio for SI fall?")
    assert "purchasing costs" in quoted(a)[151] and "down 2.6 points" in " ".join(quoted(a).values())


def test_when_the_filing_gives_no_reason_the_answer_says_so(engine):
    a = engine.answer("Why did income tax payable decrease?")
    assert a.summary.startswith("The filing gives no reason for this.") and "income tax payable decreased" in quoted(a)[199]
    assert not a.answerable and a.value is None  # declined: a reason of another line would be worse than none


def test_the_reason_of_the_cost_of_a_thing_is_not_the_things_reason(engine):
    a = engine.answer("What pushed network services revenue up?")
    assert "broader bandwidth by network operators" in quoted(a)[87] and 149 not in quoted(a)


def test_the_clause_naming_the_subject_says_which_way_it_moved(engine):
    a = engine.answer("Why did cash and cash equivalents decrease since March?")
    assert a.answerable and "cash and cash equivalents decreased by JPY1,866 million mainly due to the payment of income tax" in quoted(a)[199]


def test_a_reason_worded_otherwise_is_found_through_synonyms(engine):
    a = engine.answer("Why doesn't the report split revenue by region?")
    assert "Geographic information is not presented due to immateriality" in quoted(a)[527]


def test_an_event_after_the_period_reported_on_is_declined(engine):
    a = engine.answer("When do the Q3 results come out?")
    assert not a.answerable and a.value is None and not quoted(a)


def test_an_event_is_quoted_with_its_date(engine):
    a = engine.answer("When did the stock split take effect?")
    assert a.plan.cues.narrative.kind == "event" and any("October 1, 2012" in t for t in quoted(a).values())


def test_a_description_quotes_what_the_filing_says_the_thing_is(engine):
    a = engine.answer("What does IIJ-Exlayer do?")
    assert "operate SI business overseas" in quoted(a)[131] and a.value is None


def test_a_list_question_quotes_the_series(engine):
    a = engine.answer("Which equity-method investees contributed income?")
    assert "Internet Revolution, Inc. and Internet Multifeed Co." in quoted(a)[183]


def test_a_contrast_quotes_a_sentence_for_each_side(engine):
    a = engine.answer("Operating income rose but operating cash flow fell, how come?")
    assert "payments for income taxes" in quoted(a)[213] and 169 in quoted(a)
    assert "Operating Income rose 33.3%" in a.summary and "Net cash provided by operating activities fell 7.4%" in a.summary


def test_why_after_a_figure_asks_about_that_figure(engine):
    history = [{"role": "user", "content": "What was operating income in the first half?"}, {"role": "assistant", "content": "..."}]
    a = engine.answer("Why?", history)
    assert a.plan.cues.narrative.kind == "cause" and 169 in quoted(a)
    b = engine.answer("Which parts grew?", [{"role": "user", "content": "What were total revenues in 1H FY2012?"}])
    assert "each grew YoY" in quoted(b)[26]
    c = engine.answer("So are they changing it?", [{"role": "user", "content": "What is the operating income target for the full year?"}])
    assert c.plan.cues.narrative.sides[0].words == "operating income target changing" and "remain unchanged" in quoted(c)[228]


def test_a_whole_with_no_reason_of_its_own_is_explained_by_its_parts_that_moved_its_way(engine):
    a = engine.answer("What drove the growth in network services?")
    assert a.answerable and "gives these for its parts" in a.summary and a.summary.startswith("Network services (total) rose 3.0%")
    assert "broader bandwidth" in quoted(a)[87] and "Datacenter-related" in quoted(a)[93]
    assert 89 not in quoted(a) and 91 not in quoted(a)  # home connectivity and WAN fell: no reason for a rise
    b = engine.answer("Why did total revenue increase?")  # "Total revenues" adds up the rows beside it
    assert "numbers of ATMs newly placed" in quoted(b)[137] and 83 in quoted(b)


def test_what_the_company_does_is_quoted_from_its_profile(engine):
    for question in ("What does IIJ do, basically?", "What kind of company is IIJ?"):
        a = engine.answer(question)
        assert a.answerable and "leading Internet-access and comprehensive network solutions providers" in quoted(a)[268], question
        assert 35 not in quoted(a)  # "IIJ GIO, our cloud services, ..." describes a service, not the company


def test_the_body_text_is_quoted_before_a_footnote_with_its_opening_sentence(engine):
    a = engine.answer("How did the first half stack up against the plan?")
    assert a.plan.cues.narrative.sides[0].direction == ""  # "stack up" says no rise
    assert "all exceeded the disclosed targets" in quoted(a)[228]
    assert 785 not in quoted(a)  # not "(Note2) The year-end dividend forecast ... was adjusted"


def test_what_is_in_a_line_no_sentence_breaks_down_is_the_rows_under_its_table_heading(engine):
    a = engine.answer("What's in the other income and expenses line?")
    assert a.answerable and a.value is None and a.summary == "The filing's table lists these lines under it:"
    assert quoted(a)[379] == "Foreign exchange gains (losses)" and quoted(a)[381] == "Losses on write-down of other investments"
    assert min(quoted(a)) == 377 and max(quoted(a)) == 383  # the first table printing them, each row by its line
    b = engine.answer("What makes up other investments?")  # a sentence that gives the breakdown comes first
    assert "JPY2,060 million in nonmarketable equity securities" in quoted(b)[203]
    c = engine.answer("What was the main use of cash in investing activities?")  # and one saying what it went on
    assert "mainly due to payments for purchase of property and equipments" in quoted(c)[215] and 448 not in quoted(c)


def test_a_reason_opening_the_sentence_belongs_to_the_clause_after_it(engine):
    a = engine.answer("What made IIJ Mobile Service revenue jump about 21%?")  # "While our LTE mobile ... service ..., the
    assert not a.answerable and a.summary.startswith("The filing gives no reason for this.")  # cancellations ... continued"
    b = engine.answer("Why did home use connectivity revenue fall?")  # is the home-use line's reason
    assert b.answerable and "cancellations of old type connectivity services" in quoted(b)[89]


def test_what_is_a_printed_figure_still_gets_the_figure(engine):
    a = engine.answer("What is total revenue?")
    assert a.value == 51_109_001_000 and not quoted(a)


# ---------------------------------------------------------------- answers on another company's filing

def fixture_engine(name: str, tmp_path_factory):
    """An engine on one of the fixture filings, its index built once per module."""
    from ingest.pipeline import ensure_index
    from retrieval.engine import Engine
    from settings import Settings

    s = Settings().with_(filing=FIXTURES / f"{name}.txt", index_dir=tmp_path_factory.mktemp(f"{name}-index"))
    return Engine(s, ensure_index(s))


@pytest.fixture(scope="module")
def lumen(tmp_path_factory):
    return fixture_engine("lumen_gmbh_2020", tmp_path_factory)


@pytest.fixture(scope="module")
def northwind(tmp_path_factory):
    return fixture_engine("northwind_fy2019", tmp_path_factory)


@pytest.mark.slow  # ingests the filing with the real model
def test_another_filing_why_event_and_description(lumen):
    a = lumen.answer("Why did group revenue decrease in the first half of 2020?")
    assert "temporary closure of our Suzhou plant" in quoted(a)[31] and a.summary.startswith("Revenue fell 8.1% in 1H FY2020")
    b = lumen.answer("What did management decide in May 2020?")
    assert b.plan.cues.narrative.kind == "event" and "concentrate the production of consumer optics" in quoted(b)[115]
    c = lumen.answer("What is adjusted EBITDA?")
    assert "EBITDA before restructuring expenses and one-off items" in quoted(c)[27]
    d = lumen.answer("Why did it grow?", [{"role": "user", "content": "What was Medical Imaging revenue in H1 2020?"}])
    assert "endoscopy optics" in quoted(d)[67]
    e = lumen.answer("Why did the Group's revenue fall in H1 2020?")  # what the filing calls itself stands for its name
    assert "temporary closure of our Suzhou plant" in quoted(e)[31] and e.summary.startswith("Revenue fell 8.1% in 1H FY2020")
    f = lumen.answer("Did anyone check the figures?")
    assert "have not been reviewed by an auditor" in quoted(f)[11]


@pytest.mark.slow  # ingests the filing with the real model
def test_which_parts_moved_quotes_each_part_that_moved_the_way_asked(lumen):
    a = lumen.answer("Which segments grew and which shrank?")
    assert [s.text.split(" ")[0] for s in a.sources] == ["Industrial", "Medical", "Consumer"] and {s.line for s in a.sources} == {67}
    b = lumen.answer("Which segments grew?")
    assert [s.text for s in b.sources] == ["Medical Imaging grew by 10.9%, supported by strong demand for endoscopy optics."]


@pytest.mark.slow  # ingests the filing with the real model
def test_how_a_period_went_for_the_company_is_the_sentence_about_that_period(lumen, northwind):
    a = lumen.answer("What was the first half of 2020 like for Lumen overall?")
    assert quoted(a)[31].startswith("The first half of 2020 was dominated by the effects of the COVID-19 pandemic. Following the temporary")
    b = northwind.answer("What happened to Northwind in fiscal 2019?")
    assert quoted(b)[25].startswith("Fiscal 2019 was a record year. Net revenue increased 12.5%")
    c = northwind.answer("How did Northwind describe its performance overall?")
    assert quoted(c)[25].startswith("Fiscal 2019 was a record year.")
    d = northwind.answer("What does Northwind do?")  # the company, not its year
    assert list(quoted(d)) == [23] and "designs, manufactures and services autonomous robots" in quoted(d)[23]
    e = northwind.answer("What's included in operating expenses?")  # no sentence breaks them down: the statement's rows
    assert quoted(e) == {130: "Research and development", 131: "Selling, general and administrative", 132: "Restructuring charges"}


@pytest.mark.slow  # ingests the filing with the real model
def test_an_event_is_dated_by_the_sentence_opening_its_paragraph(northwind):
    a = northwind.answer("When did the restructuring begin?")
    assert "In the third quarter of fiscal 2019 we initiated a plan to consolidate" in quoted(a)[94]
    b = northwind.answer("Why did Northwind's inventories rise?")
    assert not b.answerable and b.value is None and b.summary.startswith("The filing gives no reason for this.")


# ---------------------------------------------------------------- the narrative set

@pytest.mark.slow  # ingests the three filings with the real model
def test_the_narrative_set_is_answered_by_quoting_the_filing(tmp_path):
    import json

    from eval.heldout import score_set
    from settings import Settings

    report = score_set(Path(__file__).parent.parent / "eval" / "narrative_dev.jsonl", tmp_path, Settings())
    assert report["pct"] >= 90 and report["wrong_numbers"] <= 1, report["misses"]
    answers = [json.loads(x) for f in tmp_path.glob("narrative_dev-*.jsonl") if not f.name.endswith(".questions.jsonl")
               for x in f.read_text().splitlines()]
    quoting = [a for a in answers if a["program"].startswith(("narrative", "define")) and a["answerable"]]
    assert len(quoting) >= 100 and all(any(s["kind"] == "text" and s["line"] > 0 for s in a["sources"]) or a["value"] is not None
                                       for a in quoting if "The filing gives no reason" not in a["answer"])


@pytest.mark.parametrize("subject", ["operating income", "IIJ cash", "Japan", "cost of SI", "dividend payment",
                                     "home-use internet connectivity", "zebra quokka"])
def test_the_sentences_read_for_a_subject_are_every_one_it_can_cover(engine, subject):
    """The reader scores only the sentences that say a word of the subject (or a longer form, a word of the
    filer's name, a heading word): every sentence whose cover is above zero is among them."""
    from retrieval.reader import _cover
    from retrieval.sentences import evidence
    from retrieval.narrative_question import words

    ev = evidence(engine._load())
    want = tuple(dict.fromkeys(words(subject)))
    total = sum(ev.weight(t) for t in want)
    covered = [s for s in ev.sentences if _cover(ev, want, s, total) > 0]
    read = ev.mentioning(want)
    assert read == [s for s in ev.sentences if s in read]  # in the filing's order
    assert set(map(id, covered)) <= set(map(id, read))
    assert len(read) < len(ev.sentences) or not want
    assert bool(covered) == (subject != "zebra quokka")
