"""Understanding alone (no index): every question of the golden file reads to the same plan, and the
formula language reads formulas in words, standard formulas and compositions the same either way."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from retrieval.formula import parse, standard
from retrieval.understand import split_parts, understand

GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN = [json.loads(x) for x in (GOLDEN_DIR / "plans.jsonl").read_text().splitlines() if x.strip()]
sys.path.insert(0, str(GOLDEN_DIR))
from make_plans import plan_record  # noqa: E402  (the same record the golden file was written with)


def test_the_golden_file_covers_every_operation_and_composition():
    ops = {g["op"] for g in GOLDEN}
    assert len(GOLDEN) >= 300
    assert {"value", "change", "pct_change", "share", "ratio", "sum", "excluding", "average", "median", "cagr", "compare",
            "compare_growth", "rank", "target_remaining", "target_progress", "narrative", "define", "expr",
            "margin", "margin_ratio", "operating_margin", "count_if"} <= ops
    programs = " ".join(g["program"] for g in GOLDEN)
    for step in ("add(", "subtract(", "divide(", "percent_of(", "change(", "pct_change(", "quick ratio=", "working capital="):
        assert step in programs, step


@pytest.mark.parametrize("golden", GOLDEN, ids=[g["question"][:60] for g in GOLDEN])
def test_question_reads_to_its_golden_plan(golden):
    assert plan_record(golden["question"]) == golden


@pytest.mark.parametrize("words, program", [
    ("operating income over total revenues", "divide([operating income], [total revenues])"),
    ("operating income divided by total revenues", "divide([operating income], [total revenues])"),
    ("operating income as a percentage of total revenues", "percent_of([operating income], [total revenues])"),
    ("total current assets minus total current liabilities", "subtract([total current assets], [total current liabilities])"),
    ("interest expense net of interest income", "subtract([interest expense], [interest income])"),
    ("cash and cash equivalents plus accounts receivable", "add([cash and cash equivalents], [accounts receivable])"),
    ("(total current assets - inventories) / total current liabilities",
     "divide(subtract([total current assets], [inventories]), [total current liabilities])"),
    ("total current assets less inventories, divided by total current liabilities",
     "divide(subtract([total current assets], [inventories]), [total current liabilities])"),
    # Said in words, "A plus B over C" is (A + B) / C; with symbols, / binds first.
    ("sales and marketing plus general and administrative over revenues",
     "divide(add([sales and marketing], [general and administrative]), [revenues])"),
    ("capital lease obligations (current plus noncurrent)",
     "add([capital lease obligations current], [capital lease obligations noncurrent])"),
    ("revenue per contract", "divide([revenue], [contract])"),
])
def test_formulas_in_words_parse_into_one_language(words, program):
    assert str(parse(words)) == program


@pytest.mark.parametrize("words", ["net income per share", "accounts receivable, net of allowance for doubtful accounts",
                                   "income (loss)", "less than 100Mbps contracts"])
def test_names_that_contain_operator_words_are_one_figure(words):
    e = parse(words)
    assert e is not None and e.op == "fig", e


def test_a_standard_formula_is_expanded_with_the_segment_named_beside_it():
    assert standard("gross margin ratio of network services")[2] == "network services"
    assert str(parse("gross margin ratio of network services")) == (
        "gross margin ratio=divide(subtract([network services revenues], [network services cost]), [network services revenues])")
    assert str(parse("quick ratio")).startswith("quick ratio=divide(add([cash and cash equivalents], [accounts receivable])")


@pytest.mark.parametrize("question, program", [
    ("by what percent did cost of sales plus SG&A grow?", "pct_change(add([cost], [sga]))"),
    ("How many percentage points faster did SI revenue grow than network services revenue?",
     "subtract(pct_change([systems integration revenue]), pct_change([network services revenue]))"),
    ("how many points higher was the gross margin ratio of network services than that of SI in 1H12?",
     "subtract(gross margin ratio=divide(subtract([network services revenues], [network services cost]), [network services revenues]), "
     "gross margin ratio=divide(subtract([systems integration revenues], [systems integration cost]), [systems integration revenues]))"),
    ("What was the SG&A ratio in 1H12, taking SG&A as sales and marketing plus general and administrative?",
     "sga ratio=divide(add([sales and marketing], [general and administrative]), [total revenues])"),
    ("what was the operating margin, operating income over revenue, in the first quarter?", "percent_of([operating income], [revenue])"),
    # Two figures named side by side, the measure said once for both.
    ("What is the difference in operating income between APAC and AMER in 2019?", "subtract([APAC operating income], [AMER operating income])"),
    ("What was the difference between total operating lease obligations and total purchase obligations?",
     "subtract([total operating lease obligations], [total purchase obligations])"),
    ("What is the total number of subscribers for Television and Wireless in 2019?", "add([Television contracts], [Wireless contracts])"),
    ("What is the average value of raw materials and finished goods in 2018?", "mean([raw materials], [finished goods])"),
    ("What is the average number of shares owned by Ann Lee and Bo Chan?", "mean([Ann Lee shares owned], [Bo Chan shares owned])"),
    # "The difference in A and B" in one period: two figures, each named in full; a complement said once serves both.
    ("How much was the difference in unearned revenue and accrued revenue in 2019?", "subtract([unearned revenue], [accrued revenue])"),
    ("What is the difference in the carrying value and the fair value of Notes Payable in 2019?",
     "subtract([carrying value of Notes Payable], [fair value of Notes Payable])"),
    ("How much more revenue came from the Americas as compared to Asia Pacific in 2019?",
     "subtract([revenue came from the Americas], [Asia Pacific revenue])"),
])
def test_compositions_read_as_programs(question, program):
    p = understand(question)
    assert p.op == "expr" and p.program() == program, p.program()


def test_both_orders_of_a_comparison_read_the_right_way_round():
    a = understand("how many points higher was the operating margin than the net margin in 1H12?")
    b = understand("how many points higher was the net margin than the operating margin in 1H12?")
    assert a.expr.args[0].name == "operating margin" and a.expr.args[1].name == "net margin"
    assert b.expr.args[0].name == "net margin" and b.expr.args[1].name == "operating margin"
    c = understand("was the operating margin higher in 1H FY2012 or 1H FY2011, and by how many points?")
    assert [s.fy for s in c.periods] == [2012, 2011]  # the engine runs the change from the earlier to the later


def test_two_named_halves_keep_their_own_years():
    p = understand("By what percent did revenue grow from the first half of FY2011 to the first half of FY2012?")
    assert [(s.months, s.index, s.fy) for s in p.periods] == [(6, 1, 2011), (6, 1, 2012)]


@pytest.mark.parametrize("question, program", [
    ("How many years did net income exceed $1,000 million?", "count_if([net income], > 1000000000.0  12)"),
    ("How many quarters did revenue exceed JPY 25 billion?", "count_if([revenue], > 25000000000.0  3)"),
    ("How many years was the weighted-average interest rate below 3%?", "count_if([weighted-average interest rate], < 3.0 % 12)"),
])
def test_a_count_of_periods_meeting_a_condition_is_a_plan_step(question, program):
    p = understand(question)
    assert p.op == "count_if" and p.program() == program, p.program()


def test_a_run_of_years_is_read_as_every_year_in_it():
    assert understand("What is the average net revenue from 2017-2019?").cues.span == (2017, 2019)
    assert understand("average net revenue from fiscal 2017 to fiscal 2019").cues.span == (2017, 2019)
    assert understand("average net revenue in 2018 and 2019").cues.span == ()


def test_the_total_of_a_figure_over_two_named_years_is_a_sum_of_periods():
    p = understand("What is the total revenue for 2018 and 2019?")
    assert p.op == "sum" and [s.fy for s in p.periods] == [2018, 2019]
    assert understand("What were total revenues in 1H11 and 1H12?").op == "value"  # a row named "total", two halves


@pytest.mark.parametrize("question, periods", [
    ("What is the average Net Loss for December 31, 2018 and 2019?", [(0, None, 2018), (0, None, 2019)]),
    ("What is the average annual operating income in 2018 and 2019?", [(12, 2018, None), (12, 2019, None)]),
    ("What is the change in property and equipment from year ending March 31, 2018 to 2019?", [(12, None, 2018), (12, None, 2019)]),
    ("What is the nominal difference for Sales between F19 and F18?", [(None, 2019, None), (None, 2018, None)]),
    ("What was the year ending March 2013 (FY2012) revenue?", [(12, None, 2013)]),  # one year said two ways, not a run
])
def test_one_period_phrase_over_a_run_of_years_names_each(question, periods):
    assert [(s.months, s.fy, s.end_year) for s in understand(question).periods] == periods



@pytest.mark.parametrize("question, op", [
    ("What is the difference in the total share-based compensation expense between 2018 and 2019?", "change"),  # two years: a change
    ("What is the average net revenue for 2018 and 2019?", "average"),
    ("Whats the total of short-term and long-term borrowings?", "sum"),  # the shared noun: its own reading
    ("What is the average current portion of deferred revenue in 2018 and 2019?", "average"),  # a name, not a share
])
def test_side_by_side_periods_or_shared_nouns_keep_their_reading(question, op):
    assert understand(question).op == op


def test_the_change_in_an_average_over_two_pairs_of_years_keeps_each_pair():
    p = understand("What is the change in the average total operating expenses between 2017-2018 and 2018-2019?")
    assert p.op == "average" and p.cues.moved and [s.fy for s in p.periods] == [2017, 2018, 2018, 2019]


@pytest.mark.parametrize("question, end", [
    ("ST borrowings 9/30/12", (9, 2012)),
    ("cash at 2012/3/31", (3, 2012)),
    ("total assets on 31/3/2012", (3, 2012)),  # the day first where the first number cannot be a month
])
def test_dates_written_in_figures_are_read_as_dates(question, end):
    p = understand(question)
    assert [(s.months, s.end_month, s.end_year) for s in p.periods] == [(0, *end)]
    assert not re.search(r"\d", p.metric), p.metric  # the date is not left in the name


def test_a_period_before_which_is_not_a_group_to_look_within():
    p = understand("In the second quarter, which revenue line grew fastest year on year?")
    assert p.op == "rank" and p.cues.within == "" and [(s.months, s.index) for s in p.periods] == [(3, 2)]
    p = understand("Which earned more in the second quarter of FY2012, outsourcing services or corporate internet connectivity?")
    assert p.op == "compare" and p.cues.members == ()  # two named with "or": a comparison, the period no member


@pytest.mark.parametrize("question, members, word", [
    ("Between network services and systems integration, which brought in more revenue?", ("network services", "systems integration"), "most"),
    ("Of our two segments, which one made less operating income?", (), ""),  # "less" also means minus: never a ranking
    ("Of our two segments, which one had lower operating income?", (), "lowest"),
])
def test_a_comparative_between_named_members_ranks_them(question, members, word):
    p = understand(question)
    assert p.cues.members == members and p.cues.rank_word == word
    assert (p.op == "rank") == bool(word)


@pytest.mark.parametrize("question, periods", [
    ("What were WAN services sales last quarter (Jul\u2013Sep 2012)?", [(3, None, 9, 2012)]),  # the brackets say which quarter
    ("How much did we sell in total between April and September 2012?", [(6, None, 9, 2012)]),  # a span of months
    ("How did short-term borrowings change between March and September 2012?", [(0, None, 3, 2012), (0, None, 9, 2012)]),  # two balances
    ("revenue so far this fiscal year", []),  # the latest period of the year, as when none is named
    ("revenue year to date", []),
    ("revenue last quarter", [(3, None, None, None)]),  # the latest quarter
    ("change in revenue 2018\u20132019", [(None, 2018, None, None), (None, 2019, None, None)]),
])
def test_everyday_period_phrases(question, periods):
    p = understand(question)
    assert [(s.months, s.fy, s.end_month, s.end_year) for s in p.periods] == periods
    assert not re.search(r"\b(?:fiscal|year|date|quarter|april|sep)\b", p.metric, re.I), p.metric


@pytest.mark.parametrize("question", ["Is IIJ in good shape financially?", "Did the first half go better or worse than last year?",
                                      "what are the headline results for the half?", "What is the overall story of our results?",
                                      "How are we doing as a company so far this fiscal year?"])
def test_everyday_overview_wording(question):
    assert understand(question).op == "overview"


@pytest.mark.parametrize("question, op", [
    ("was home-use internet revenue higher or lower in 2Q12 than 2Q11, and by how many yen?", "change"),
    ("what did we spend on sales and marketing between April and September?", "value"),  # an amount, not a list
    ("Is FY2012 the same as calendar year 2012?", "period_meaning"),
    ("how much tax did we actually hand over in cash during the first half?", "value"),  # "hand over" divides nothing
])
def test_staff_wording_reads_to_its_operation(question, op):
    p = understand(question)
    assert p.op == op and p.expr is None, (p.op, p.expr)


def test_a_term_before_what_does_that_mean_is_the_one_asked_about():
    p = understand("Everyone keeps writing YoY \u2014 what does that mean?")
    assert p.op == "define" and p.cues.narrative.sides[0].words == "YoY"


def test_how_many_times_one_figure_over_two_periods_names_it_on_both_sides():
    p = understand("how many times bigger was ATM revenue this half compared with the same half last year?")
    assert p.op == "ratio" and p.parts[0] == p.parts[1] and "ATM revenue" in p.parts[0]
    assert sorted(s.relative for s in p.periods) == [-1, 0]


def test_added_the_most_ranks_by_growth():
    c = understand("Which revenue line added the most yen versus the same half last year?").cues
    assert c.rank_word == "most" and c.growth


@pytest.mark.parametrize("question", [
    "how much did we spend buying that newly controlled company, net of the cash it had?",  # "net of cash acquired": a name
    "accounts receivable, net of allowance",
])
def test_net_of_in_a_standard_label_is_part_of_the_name(question):
    assert understand(question).expr is None


@pytest.mark.parametrize("question, program", [
    # "as well as" adds; a list inside one name stays one figure; a synonym is rewritten once.
    ("What is the proportion of the goodwill, trademarks, and other intangible assets, as well as investment in unconsolidated subsidiaries over total liabilities in 2018?",
     "divide(add([the goodwill trademarks and other intangible assets], [investment in unconsolidated subsidiaries]), [total liabilities])"),
    ("What is the ratio of net cash provided by operating activities over net cash used in investing activities in 2019?",
     "divide([net cash provided by operating activities], [net cash used in investing activities])"),
])
def test_compound_operands_read_as_one_program(question, program):
    assert understand(question).program() == program


@pytest.mark.parametrize("question, over, top, words", [
    ("How much does the top 3 revenues in 2018 add up to?", "add", 3, "revenues"),
    ("What was the sum of the three highest carrying value (USD) in 2018?", "add", 3, "carrying value"),
    ("What was the sum of all expenses in FY19?", "add", 0, "expenses"),
    ("What is the average fee earned or paid in cash compensation for all non-employee directors?", "mean", 0, "non-employee directors"),
    ("How many contractual obligations had a total payments due that exceeded $500,000 thousand?", "count_if", 0, "total payments due"),
    ("How many items had a % change that is less than 50%?", "count_if", 0, "percent change"),
    ("How many components does the deferred tax assets consist of?", "count", 0, "deferred income tax assets"),
    ("How many types of non-cash changes are there?", "count", 0, "non-cash changes"),
])
def test_questions_across_a_tables_rows(question, over, top, words):
    p = understand(question)
    assert (p.op, p.cues.over_rows, p.cues.top) == ("rows", over, top)
    named = p.expr.args[0].ref.words if p.expr is not None else p.metric
    assert words in named, named


def test_what_is_not_across_rows():
    assert understand("How many years did total assets exceed $2,000,000 thousand?").op == "count_if"  # periods, not rows
    assert understand("What is the total amount of all other compensation?").cues.over_rows == ""  # a column's name
    assert understand("What is the total amount of all other compensation by all the directors in the table?").cues.over_rows == "add"
    assert understand("What is the total revenue for all segments?").op != "rows"  # the printed total


@pytest.mark.parametrize("question, op", [
    ("What is the average value added from fresh vacuum-sealed chicken as a percentage of net sales dollars for fiscal years 2018 and 2019?", "average"),
    ("What is the average % of net revenue for cost of net revenue for the Years Ended December 31, 2019 to 2018?", "average"),
    ("What was the change in the percentage of plan assets for Equity Securities between 2018 and 2019?", "change"),
])
def test_an_average_or_change_of_a_printed_percentage(question, op):
    p = understand(question)
    assert (p.op, p.cues.percent, p.parts) == (op, True, ()), p
    assert not any(s.target for s in p.periods)  # "plan assets" name no plan


def test_a_share_asked_is_still_a_share():
    p = understand("What percentage of the decrease in total revenue is from the loss in Zyla?")
    assert p.op == "share" and not p.cues.percent


def test_fiscal_years_ended_a_date_over_a_run_of_years():
    p = understand("What is the average annual total compensation for the Board of directors in fiscal years ended June 30, 2017, 2018 and 2019?")
    assert [(s.months, s.end_month, s.end_year) for s in p.periods] == [(12, 6, 2017), (12, 6, 2018), (12, 6, 2019)]
    p = understand("What is the average Net Sales for Fiscal Year Ended April 28, 2018 to April 29, 2017?")
    assert [(s.months, s.end_year) for s in p.periods] == [(12, 2018), (12, 2017)]


def test_a_dash_before_the_question_word_is_no_minus_sign():
    p = understand("Short-term borrowings plus long-term borrowings at September 30 2012 - whats the total")
    assert p.expr is not None and "subtract" not in str(p.expr), p.expr


@pytest.mark.parametrize("question, parts", [
    ("What was the total of Internet connectivity revenue (corporate plus home use)?",
     ["Internet connectivity revenue corporate", "Internet connectivity revenue home use"]),
    ("total of revenue + cost", ["revenue", "cost"]),
    ("What were cost of revenues and SG&A combined?", []),  # "&" is no part of a name the sum reads here
])
def test_a_sum_names_its_two_figures_with_the_words_they_share(question, parts):
    assert split_parts(question, "sum") == parts


def test_an_empty_bracket_after_a_name_restates_nothing():
    assert str(parse("revenue ( ) plus cost")) == "add([revenue], [cost])"


def test_a_plan_hashes_as_its_fields_once_and_copies_without_its_cached_hash():
    """The resolver's per-answer memo keys on plans: equal plans hash alike, a changed one differently,
    and a pickled plan works its hash out again (string hashes differ between processes)."""
    import pickle
    from dataclasses import replace

    a = understand("What was operating income in 1H FY2012?")
    b = understand("What was operating income in 1H FY2012?")
    assert a == b and hash(a) == hash(b) == hash(a)
    assert hash(replace(a, metric="cost of revenues")) != hash(a)
    copy = pickle.loads(pickle.dumps(a))
    assert "_hash" not in copy.__dict__ and copy == a and hash(copy) == hash(a)
