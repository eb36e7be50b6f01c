"""Misspellings corrected against the filing's own words, never into a guess."""
from __future__ import annotations

import pytest

from retrieval.spelling import Speller

FILING = {"revenue", "revenues", "operating", "income", "margin", "gross", "systems", "integration", "dividend",
          "contracts", "contract", "other", "cost", "costs"}


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(FILING)


@pytest.mark.parametrize("typed, read", [
    ("gross margn for si in 1h?", "gross margin for si in 1h?"),
    ("whats the totl revnue", "whats the total revenue"),
    ("Opertaing income in 1H12?", "operating income in 1H12?"),
    ("divdend per share", "dividend per share"),
])
def test_a_misspelled_word_is_read_as_the_nearest_filing_word_and_said(speller, typed, read):
    text, notes = speller.correct(typed)
    assert text == read
    assert notes and all(n.startswith("I read \u201c") for n in notes)


@pytest.mark.parametrize("typed", [
    "sorry to bother you, what was revenue?",  # "bother" is English, not a typo of "other"
    "how much did Acme make in revenue?",  # a name, not a typo: the unknown-name check declines it
    "what was EBITDA?",  # an acronym
    "yoy growth in 1h12 and fy12",  # abbreviations and periods the understanding reads
])
def test_words_that_are_not_typos_are_left_as_typed(speller, typed):
    assert speller.correct(typed) == (typed, [])


def test_a_typo_equally_near_two_filing_words_is_left_alone():
    # "goss" is one edit from "gross" and one from "loss": with no neighbour to tell them apart, neither is chosen.
    s = Speller({"gross", "loss"})
    assert s.correct("what was goss in 1H") == ("what was goss in 1H", [])


def test_between_two_equally_near_words_the_one_the_filing_pairs_with_a_neighbour_is_read():
    s = Speller({"gross", "loss", "margin", "ratio", "rate", "net"}, "Gross margin ratio was 19.9%. The tax rate in Japan.")
    assert s.correct("what was goss margin rato") == ("what was gross margin ratio", [
        "I read \u201cgoss\u201d as \u201cgross\u201d.", "I read \u201crato\u201d as \u201cratio\u201d."])
    # A rare English word that pairs with nothing, one slip from a filing word that does: the filing word.
    assert s.correct("the net marin")[0] == "the net margin"
    assert s.correct("the marin")[0] == "the marin"  # no neighbour says so: left as typed


def test_the_engine_answers_a_misspelled_question_and_says_how_it_read_it(engine):
    a = engine.answer("gross margn for SI in 1h?")
    assert a.value == (17_126_614 - 14_089_358) * 1000 and a.unit == "JPY", a.summary
    assert "I read \u201cmargn\u201d as \u201cmargin\u201d." in a.notes and "margn" in a.text


@pytest.mark.parametrize("typed, read", [
    ("cash at the end of Seeptember 2012?", "cash at the end of September 2012?"),
    ("revenue from Apirl to June", "revenue from April to June"),
    # where a month stands (before a day or year, in a range, after "end of"), even an English word is one
    ("cost in the July-Septembe 2012 quarter", "cost in the July-September 2012 quarter"),
    ("and at the end of Match?", "and at the end of March?"),
    ("cash ratio as of Marc 31, 2012", "cash ratio as of March 31, 2012"),
    ("margin for the Aprik-June 2012 quarter", "margin for the April-June 2012 quarter"),
    ("Total 2012 revenue", "Total 2012 revenue"),
])
def test_a_misspelled_month_is_read_as_the_month(speller, typed, read):
    assert speller.correct(typed)[0] == read


def test_a_capitalised_name_is_never_corrected(speller):
    assert speller.correct("What about Mesh Networks?")[0] == "What about Mesh Networks?"


@pytest.mark.parametrize("typed, read", [
    ("a year eatlier", "a year earlier"),  # words questions use, not the filing: the glossary's question words
    ("revenue minuss cost", "revenue minus cost"),
    ("grow in percetn", "grow in percent"),
    ("the full-year targett", "the full-year target"),  # a plural and its singular count as one word
])
def test_question_words_are_corrected_too(speller, typed, read):
    assert speller.correct(typed)[0] == read


def test_slips_in_names_acronyms_and_hyphenated_words_are_read(speller):
    said, notes = speller.correct("How many IIJ Moile Servcie contracts")
    assert said == "How many IIJ Mobile Service contracts" and len(notes) == 2
    assert speller.correct("What was adjusted EBIDTA?")[0] == "What was adjusted EBITDA?"
    assert speller.correct("What was adjusted EBITA?")[0] == "What was adjusted EBITA?"  # another measure, not a slip
    assert speller.correct("Debt-to-eqity ratio")[0] == "Debt-to-equity ratio"
    assert speller.correct("using the fiking's exchange rate")[0] == "using the filing's exchange rate"
    assert speller.correct("the SG&A rato in 1H")[0] == "the SG&A ratio in 1H"  # "SG&A ratio", as the glossary writes it


@pytest.mark.parametrize("typed", ["operating income for Apr-Jun 2012 versus Apr-Jun 2011", "revenue in Jul-Sep 2012",
                                   "cash at end of Sept 2012", "costs for Oct-Dec"])
def test_a_month_short_form_is_no_slip(speller, typed):
    assert speller.correct(typed) == (typed, [])


def test_a_word_slipped_twice_is_said_once(speller):
    text, notes = speller.correct("opertaing income vs opertaing margin")
    assert text == "operating income vs operating margin"
    assert notes == ["I read \u201copertaing\u201d as \u201coperating\u201d."]
