"""Ingest on other companies' annual-report tables: the TAT-QA sample (tests/fixtures/tatqa, CC BY 4.0)
read cell by cell against TAT-QA's own derivations, the rules behind it on small filings written here,
and the batch eval mode on a few of the sample's filings."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.cell_reading import measure, summary
from ingest.cells import FiscalCalendar, header_period, parse_number, parse_unit
from ingest.parser import parse_filing
from settings import ROOT

SAMPLE = ROOT / "tests" / "fixtures" / "tatqa"
# Share of the sample's questions whose table cells are all read right (value in whole units, currency,
# dated period). Reached: 92.4% (146/158); the misses left are mostly scales no line of the excerpt states
# and gold answers with a wrong unit. Raise it when the reader improves.
CELL_READING_FLOOR = 90.0


@pytest.fixture(scope="module")
def sample_results():
    return measure(SAMPLE)


def test_sample_cells_read_right_above_floor(sample_results):
    s = summary(sample_results)
    assert s["n"] >= 150, s
    misses = [(r.uid[:8], c.cell, c.verdict, c.detail) for r in sample_results for c in r.cells if c.verdict != "right"]
    assert s["pct"] >= CELL_READING_FLOOR, (s, misses)


def test_sample_filings_never_guess_a_scale():
    """Every fact either has a scale some line states or says it has none; nothing in between."""
    for filing in sorted((SAMPLE / "filings").glob("*.txt")):
        for f in parse_filing(filing).facts:
            assert f.scale_known == (f.scale != 0), (filing.name, f.line, f.cell_text)
            if not f.scale_known:
                assert "unknown scale" in f.column or "scale not stated" in f.scale_label, (filing.name, f.line, f.column)


# ---------------------------------------------------------------- the rules, on small filings


def _facts(tmp_path, text: str):
    p = tmp_path / "filing.txt"
    p.write_text(text, encoding="utf-8")
    return {(f.metric, f.period.end, f.qualifier): f for f in parse_filing(p).facts if not f.table_id.startswith("text:")}


def test_scale_from_the_sentence_before_a_table_marker(tmp_path):
    facts = _facts(tmp_path, (
        "Liquidity\n\nThe following table sets forth selected cash flow information (in thousands):\n\nTable\n\n"
        "\tFiscal Year Ended August 31, 2019\tFiscal Year Ended August 31, 2018\n"
        "Net cash provided by operating activities\t$2,105,300\t$(1,004,112)\n"
        "Net cash used in investing activities\t(315,870)\t(220,911)\n"))
    f = facts[("Net cash provided by operating activities", "2019-08-31", "")]
    assert (f.value, f.unit, f.scale, f.period.end, f.period.months) == (2_105_300_000, "USD", 1e3, "2019-08-31", 12)
    g = facts[("Net cash used in investing activities", "2018-08-31", "")]
    assert (g.value, g.unit) == (-220_911_000, "USD")  # "$" in the first row only names the column's currency


def test_note_exceptions_cover_share_counts_and_per_share_rows(tmp_path):
    facts = _facts(tmp_path, (
        "Earnings per share\n\nThe reconciliation of shares used (in thousands, except share and per share data):\n\nTable\n\n"
        "\t2019\t2018\n"
        "Net loss\t$(12,400)\t$(20,150)\n"
        "Weighted average common shares, basic\t15,310\t15,002\n"
        "Net loss per share:\t\t\n"
        "Basic\t$(0.81)\t$(1.34)\n"))
    assert (facts[("Net loss", "2019-12-31", "")].value, facts[("Net loss", "2019-12-31", "")].unit) == (-12_400_000, "USD")
    shares = facts[("Weighted average common shares, basic", "2019-12-31", "")]
    assert (shares.value, shares.unit) == (15_310, "count")
    eps = facts[("Basic", "2018-12-31", "")]
    assert (eps.value, eps.unit) == (-1.34, "USD/share")


def test_label_cell_header_percent_columns_and_a_footnoted_year(tmp_path):
    facts = _facts(tmp_path, (
        "Sales by region\n\nTable\n\n"
        "Region\tYears Ended December 31, 2018 %\tYears Ended December 31, 2019 %\n"
        "Americas\t41.5\t44.0\nEurope\t58.5\t56.0\n\n"
        "Reconciliation ($ in millions)\n\nTable\n\n\t2017\t20181\t2019\nNet income\t$512\t$604\t$655\n"))
    assert (facts[("Americas", "2019-12-31", "")].value, facts[("Americas", "2019-12-31", "")].unit) == (44.0, "%")
    f = facts[("Net income", "2018-12-31", "")]
    assert (f.value, f.unit) == (604_000_000, "USD")


def test_a_heading_printed_in_every_cell_of_one_header_row(tmp_path):
    """Two header rows flattened into one: the spanning words repeat in each cell; the last words are the column's own."""
    facts = _facts(tmp_path, (
        "Restructuring\n\nTable\n(In millions of USD)\n\n"
        "\tYear Ended May 31, Percent Change 2019\tYear Ended May 31, Percent Change Actual\tYear Ended May 31, Percent Change 2018\n"
        "Restructuring expenses\t$310\t-12%\t$352\n"))
    f = facts[("Restructuring expenses", "2019-05-31", "")]
    assert (f.value, f.unit, f.period.end) == (310_000_000, "USD", "2019-05-31")
    change = [x for k, x in facts.items() if k[2]]
    assert [(x.value, x.unit) for x in change] == [(-12.0, "%")]


def test_year_over_quarter_columns_and_quarter_rows(tmp_path):
    facts = _facts(tmp_path, (
        "Quarterly results (in thousands)\n\nTable\n\n"
        "\tFiscal 2019\t\t\t\n\tFirst Quarter\tSecond Quarter\tThird Quarter\tFourth Quarter\n"
        "Revenue\t$1,200\t$1,310\t$1,405\t$1,520\n\n"
        "Stock prices\n\nThe high and low sales prices of our common stock were:\n\nTable\n\n"
        "\tHigh\tFiscal 2019 Low\tHigh\tFiscal 2018 Low\nFirst Quarter\t$ 30.10\t$ 25.40\t$ 22.00\t$ 18.75\n"))
    assert facts[("Revenue", "2019-09-30", "")].value == 1_405_000
    low = facts[("First Quarter", "2018-03-31", "Low")]
    assert (low.value, low.unit, low.scale) == (18.75, "USD/share", 1)


def test_periods_from_the_text_rows_or_nowhere(tmp_path):
    facts = _facts(tmp_path, (
        "Revenue\n\nThe following table disaggregates our revenue by major source for the year ended December 31, 2019:\n\n"
        "Table\n(In thousands)\n\n\tProducts\tServices\tTotal\n"
        "Hardware\t$120,500\t$20,100\t$140,600\nSoftware\t80,200\t9,300\t89,500\n\n"
        "Fair value\n\nTable\n(In millions of RMB)\n\n\tLevel 1\tLevel 2\tTotal\n"
        "As at 31 December 2019\t\t\t\nFVPL\t1,500\t300\t1,800\n"))
    f = facts[("Software", "2019-12-31", "Services")]
    assert (f.value, f.unit) == (9_300_000, "USD")
    g = facts[("FVPL", "2019-12-31", "Level 2")]
    assert (g.value, g.unit) == (300_000_000, "RMB")


def test_counts_in_a_money_table_and_first_cell_currencies(tmp_path):
    facts = _facts(tmp_path, (
        "Key metrics\n\nTable\n(In thousands)\n\n\tDecember 31, 2019\tDecember 31, 2018\n"
        "Active users\t12,500\t11,900\nAdjusted EBITDA\t$(8,400)\t$2,100\n\n"
        "Group results\n\nTable\n\n\tS$ Mil 2019\tS$ Mil 2018\nRevenue\t1,204.5\t1,190.2\n"))
    users = facts[("Active users", "2019-12-31", "")]
    assert (users.value, users.unit) == (12_500_000, "count")
    assert facts[("Adjusted EBITDA", "2018-12-31", "")].unit == "USD"
    rev = facts[("Revenue", "2019-12-31", "")]
    assert (rev.value, rev.unit) == (1_204_500_000, "SGD")


def test_an_unstated_scale_is_marked_unknown(tmp_path):
    facts = _facts(tmp_path, "Inventories\n\nTable\n\n\tDecember 31, 2019\tDecember 31, 2018\nRaw materials\t$134,816\t$76,647\n")
    f = facts[("Raw materials", "2019-12-31", "")]
    assert (f.scale_known, f.scale, f.unit, f.value) == (False, 0, "USD", 134_816)
    assert "unknown scale" in f.column


def test_a_unit_sentence_introducing_the_next_table_is_not_this_ones(tmp_path):
    facts = _facts(tmp_path, (
        "Price Range of Common Stock\n\nTable\n\n\tHigh\tFiscal 2019 Low\tHigh\tFiscal 2018 Low\n"
        "First Quarter\t$ 83.14\t$ 63.81\t$ 45.24\t$ 37.43\n\n"
        "Segment information\n\nSegment operating income is presented below (amounts in millions):\n\nTable\n\n"
        "\tYear Ended December 31, 2019\tYear Ended December 31, 2018\n"
        "Segment operating income\t$850\t$464\n"))
    want = {("First Quarter", "2019-03-31", "High"): (83.14, "USD/share"), ("Segment operating income", "2019-12-31", ""): (850_000_000, "USD")}
    assert {k: (facts[k].value, facts[k].unit) for k in want} == want
    # With no table after it, a sentence below that ends in a colon still states the unit of the one above.
    alone = _facts(tmp_path, ("Accrued liabilities\n\nTable\n\n\tDecember 31, 2019\tDecember 31, 2018\n"
                              "Operating accruals\t$23,695\t$24,020\n\n"
                              "Accrued and other current liabilities consist of the following (in thousands):\n"))
    assert alone[("Operating accruals", "2019-12-31", "")].value == 23_695_000


def test_row_names_an_unlabelled_total_a_percentage_row_and_a_note_column(tmp_path):
    """An unlabelled row the rows above add up to is their "Total" (under the heading it closes); capitals
    under a heading in ordinary case are names, not a new group; a "% of net revenue" row belongs to the
    row above it; a "Note" column's references are no figures."""
    p = tmp_path / "filing.txt"
    p.write_text(
        "Segment assets (in thousands):\n\nTable\n\n\tSeptember 28, 2019\tSeptember 29, 2018\n"
        "Total assets:\t\t\nAMER\t$751,990\t$645,791\nAPAC\t958,744\t937,510\n\t$1,710,734\t$1,583,301\n\n"
        "Cost of net revenue\n\nTable\n(In thousands of USD)\n\n\tYear Ended December 31, 2019\t2018\n"
        "Cost of net revenue\t$149,495\t$176,223\n% of net revenue\t47%\t46%\nGross profit\t167,685\t208,774\n% of net revenue\t53%\t54%\n\n"
        "Assets held for sale\n\nTable\n(In thousands of USD)\n\n\tNotes\t2019\t2018\n"
        "Item reclassified from investment property\t10.4\t2,068\t4,400\n", encoding="utf-8")
    facts = [f for f in parse_filing(p).facts if not f.table_id.startswith("text:")]
    paths = {(tuple(f.row_path), f.period.end): (f.value, f.unit) for f in facts}
    assert paths[(("Total assets", "APAC"), "2019-09-28")] == (958_744_000, "USD")
    assert paths[(("Total assets", "Total"), "2018-09-29")] == (1_583_301_000, "USD")
    assert paths[(("Cost of net revenue", "% of net revenue"), "2019-12-31")] == (47, "%")
    assert paths[(("Gross profit", "% of net revenue"), "2018-12-31")] == (54, "%")
    held = sorted((f.period.end, f.value, f.line) for f in facts if f.metric.startswith("Item reclassified"))
    assert held == [("2018-12-31", 4_400_000, 28), ("2019-12-31", 2_068_000, 28)]


def test_figures_in_a_labels_brackets_are_not_its_unit(tmp_path):
    facts = _facts(tmp_path, (
        "Supplemental cash flow information\n\nTable\n\n\t2019\t2018\n"
        "Cash paid for income taxes (net of refunds of $11.2 and $25.0, respectively)\t147.5\t163.9\n"
        "Cash paid for interest (in millions)\t750.2\t789.7\n"))
    paid = facts[("Cash paid for income taxes (net of refunds of $11.2 and $25.0, respectively)", "2019-12-31", "")]
    assert (paid.scale_known, paid.scale, paid.value) == (False, 0, 147.5)  # no scale stated: said, never guessed as 1
    interest = facts[("Cash paid for interest (in millions)", "2019-12-31", "")]
    assert (interest.scale, interest.value) == (1e6, 750_200_000)  # a bracket stating a unit still does


def test_a_52_53_week_year_is_named_by_the_month_it_closes(tmp_path):
    facts = _facts(tmp_path, (
        "Stock-based compensation\n\nThe assumptions used were as follows:\n\nTable\n\n"
        "\tYear Ended January 3, 2020\tYear Ended December 28, 2018\tYear Ended December 29, 2017\n"
        "Expected volatility\t22.02%\t25.37%\t27.19%\n"))
    got = {f.period.fiscal_year: f.value for k, f in facts.items() if k[0] == "Expected volatility"}
    assert got == {2019: 22.02, 2018: 25.37, 2017: 27.19}
    assert facts[("Expected volatility", "2020-01-03", "")].period.label == "FY2019"


def test_bare_dates_under_a_years_ended_sentence_and_two_named_column_groups(tmp_path):
    """Columns headed only by dates cover the years the sentence above says end on them; a name printed over
    the first of a group of year columns names the group ("Carrying Value (USD) 2019 | 2018")."""
    facts = _facts(tmp_path, (
        "Segment results\n\nBelow is a table summarizing results for the fiscal years ended:\n\nTable\n(In millions of USD)\n\n"
        "\tApril 28, 2018\tApril 29, 2017\nNet Sales\t$ 0.3\t$ 0.2\n\n"
        "Debt\n\nDebt consisted of the following as of December 31, (in millions):\n\nTable\n\n"
        "\tCarrying Value (Denominated Currency) 2019\t2018\tCarrying Value (USD) 2019\t2018\n"
        "Brazil Credit Facility\t65.4\t94.7\t$16.2\t$24.4\n"))
    sales = facts[("Net Sales", "2018-04-28", "")]
    assert (sales.period.months, sales.value) == (12, 300_000)
    usd = facts[("Brazil Credit Facility", "2018-12-31", "USD")]
    assert (usd.value, usd.cell_text) == (24_400_000, "$24.4")
    assert facts[("Brazil Credit Facility", "2018-12-31", "Denominated Currency")].cell_text == "94.7"


@pytest.mark.parametrize("text,end,months", [
    ("30 June 2019", "2019-06-30", 0), ("As at 31 March 2019", "2019-03-31", 0), ("30/9/2018", "2018-09-30", 0),
    ("December31, 2019", "2019-12-31", 0), ("F19 53 WEEKS", "2019-12-31", 12), ("FY2019", "2019-12-31", 12),
    ("2018/2019", "2019-12-31", 12), ("2019 Notes", "2019-12-31", 12), ("Fiscal 2019 Third Quarter", "2019-09-30", 3),
    ("April 26, 2019", "2019-04-26", 0), ("Year ended 31 December 2019 Amount", "2019-12-31", 12),
    ("1/1/2018 to 1/31/2018", "2018-01-31", 1), ("FY181", "2018-12-31", 12),
])
def test_header_periods(text, end, months):
    p = header_period(text, FiscalCalendar())
    assert (p.end, p.months) == (end, months)


@pytest.mark.parametrize("text", ["2019 vs 2018 % Change", "Payments due 2021 - 2022", "2025 and thereafter", "Level 1", "Total"])
def test_header_periods_none(text):
    assert header_period(text, FiscalCalendar()) is None


@pytest.mark.parametrize("text,unit,scale", [
    ("£m", "GBP", 1e6), ("USDm", "USD", 1e6), ("S$ Mil", "SGD", 1e6), ("NZ$ MILLION", "NZD", 1e6), ("RMB'000", "RMB", 1e3),
    ("In millions of SGD", "SGD", 1e6), ("A$ thousands", "AUD", 1e3), ("(in thousands)", "", 1e3),
])
def test_unit_statements(text, unit, scale):
    u = parse_unit(text)
    assert (u.unit, u.scale) == (unit, scale)


@pytest.mark.parametrize("text,value,currency", [("S$1,200", 1200, "SGD"), ("A$ 5.5", 5.5, "AUD"), ("$(0.28)", -0.28, "USD"), ("€12", 12, "EUR")])
def test_currency_in_the_cell(text, value, currency):
    n = parse_number(text)
    assert (n.value, n.currency) == (value, currency)


# ---------------------------------------------------------------- batch eval


@pytest.mark.slow  # ingests three filings with the real model
def test_batch_answers_each_filing_into_its_own_file(tmp_path):
    contexts = [json.loads(x) for x in (SAMPLE / "index.jsonl").read_text().splitlines()[:3]]
    index = tmp_path / "index.jsonl"
    index.write_text("".join(json.dumps({**c, "filing": str(SAMPLE / c["filing"]), "questions": str(SAMPLE / c["questions"])}) + "\n"
                             for c in contexts))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "eval", "--batch", str(index), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1].startswith("batch: 3/3 contexts answered")
    for c in contexts:
        asked = [json.loads(x)["id"] for x in (SAMPLE / c["questions"]).read_text().splitlines() if x.strip()]
        rows = [json.loads(x) for x in (out / f"{c['uid']}.jsonl").read_text().splitlines()]
        assert [r["id"] for r in rows] == asked
        assert all({"answer", "value", "unit", "answerable", "sources", "calculation"} <= set(r) for r in rows)
        assert (out / "index" / c["uid"] / "CURRENT").exists()
    report = json.loads((out / "batch.report.json").read_text())
    assert report["contexts"] == 3 and not any(r["error"] for r in report["results"])


def test_per_filing_command_line_still_needs_answers_out():
    proc = subprocess.run([sys.executable, "-m", "eval", "--filing", "x.txt"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--answers-out" in proc.stderr
