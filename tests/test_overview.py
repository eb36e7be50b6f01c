"""'How are we doing?': the headline figures by role, on IIJ and on a filing with other labels."""
from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "filings"


@pytest.mark.parametrize("question", ["How are we doing?", "is the company doing well", "give me the highlights",
                                      "quick summary of the half pls", "was it a good half or a bad one?",
                                      # a sentence of context before the question names no topic of its own
                                      "I work in IT and never read accounts. How did IIJ do this half?"])
def test_overview_gives_top_line_operating_result_and_bottom_line(engine, question):
    a = engine.answer(question)
    assert a.answerable and a.plan.op == "overview", a.text
    assert a.summary.startswith("In brief, the six months to September 30, 2012 (1H FY2012):")
    lines = a.summary.splitlines()[1:]
    assert lines[0].startswith("- Total revenues (the top line): JPY 51.11 billion, up 8.3% from JPY 47.21 billion")
    assert "47.8% of the FY2012 target of JPY 107.00 billion" in lines[0]
    assert lines[1].startswith("- Operating Income (the result of the business itself): JPY 3.26 billion, up 33.3%")
    assert "JPY 2.01 billion, up 47.4%" in lines[2] and "(the bottom line)" in lines[2]
    cited = {s.line for s in a.sources}
    assert {364, 375, 389} <= cited


def test_overview_of_a_quarter_names_it(engine):
    a = engine.answer("how did the July to September quarter go overall?")
    assert a.summary.startswith("In brief, the three months to September 30, 2012 (2Q FY2012):")
    assert "JPY 26.27 billion" in a.summary


@pytest.mark.slow  # ingests another filing with the real model
def test_overview_on_a_filing_with_other_labels_says_losses(tmp_path):
    from ingest.pipeline import ensure_index
    from retrieval.engine import Engine
    from settings import Settings

    s = Settings.from_env().with_(filing=FIXTURES / "lumen_gmbh_2020.txt", index_dir=tmp_path / "index")
    engine = Engine(s, ensure_index(s))
    a = engine.answer("How is the company doing this year?")
    lines = a.summary.splitlines()
    assert lines[0] == "In brief, the six months to June 30, 2020 (1H FY2020):"
    assert lines[1].startswith("- Revenue (the top line): EUR 84.3 million, down 8.1% from EUR 91.7 million")
    assert "EBIT" in lines[2] and "(the result of the business itself): a loss of EUR 650,000" in lines[2]
    assert lines[3].startswith("- Net result for the period (the bottom line): a loss of EUR 1.2 million")
    # The parts of the business by growth (segments, not regions), and a fall never called growth.
    growing = engine.answer("Which part of the business is growing?")
    assert growing.summary.startswith("Medical Imaging grew fastest for 1H FY2020: 10.94%."), growing.summary
    regions = engine.answer("which region grew fastest?")
    assert regions.summary.startswith("None of them grew; Rest of world fell least"), regions.summary
    # One year said for two quarters: it belongs to the one it follows; the other is the latest.
    moved = engine.answer("By how much in euros did second-quarter revenue move against Q2 2019?")
    assert (moved.value, moved.unit) == (-6246000, "EUR"), moved.summary


@pytest.mark.parametrize("question,opening", [
    ("What does 1H FY2012 mean?", "1H FY2012 is the six months from April 1, 2012 to September 30, 2012: the first half of fiscal year 2012."),
    ("which months does 2Q FY2012 cover", "2Q FY2012 is the three months from July 1, 2012 to September 30, 2012: the second quarter of fiscal year 2012."),
    ("When does fiscal year 2012 end?", "FY2012 is the twelve months from April 1, 2012 to March 31, 2013."),
    ("When does the fiscal year 2012 end, is it in December?", "FY2012 is the twelve months from April 1, 2012 to March 31, 2013."),
])
def test_period_labels_are_explained_from_the_filings_calendar(engine, question, opening):
    a = engine.answer(question)
    assert a.plan.op == "period_meaning" and a.value is None
    assert a.summary.startswith(opening), a.summary
    assert "April 1, 2012 to March 31, 2013" in a.summary
    assert a.sources  # a column of that period, cited


@pytest.mark.parametrize("question,phrase", [
    ("what is an elimination", "removes sales and costs between the company's own segments"),
    ("what does n/m mean", "Not meaningful"),
    ("What does 'YoY' stand for? I keep seeing it", "Year on year"),
    ("what is 'SI' in the revenue table", "Designing, building and running IT and network systems"),
    ("There is a row named 'Elimination' under the segments. What does that mean?", "removes sales and costs between the company's own segments"),
])
def test_report_jargon_is_in_the_glossary(engine, question, phrase):
    a = engine.answer(question)
    assert phrase in a.summary and a.plan.op == "define", a.summary


@pytest.mark.parametrize("question,opening", [
    ("what were total revenues in 1H12?", "Total revenues for 1H FY2012 were JPY 51.11 billion"),
    ("what was net cash provided by operating activities in 1H12", "Net cash provided by operating activities for 1H FY2012 was JPY 3.97 billion"),
    ("what were inventories at sept 30 2012", "Inventories as of September 30, 2012 were JPY 1.59 billion"),
    ("how many hi-ho contracts at 1H12?", "hi-ho for 1H FY2012 was 152,031 contracts"),
])
def test_a_first_sentence_agrees_in_number_and_names_what_a_count_counts(engine, question, opening):
    assert engine.answer(question).summary.startswith(opening)
