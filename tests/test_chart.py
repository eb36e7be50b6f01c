"""A chart shows the answer's own figures: every bar is a cell of the filing (value, period, unit,
line) or the calculator's result from such cells, labelled as the answer writes it, with a caption
naming the table and lines; a single number gets no chart."""
from __future__ import annotations

from dataclasses import replace

import pytest

from retrieval.chart import asks_for_picture, chart_for
from retrieval.render import money
from schema import Answer, ChartSpec, Fact


def cell(engine, line: int, period: str, unit: str) -> Fact:
    """The one figure printed on `line` for `period` in `unit` (no % change column)."""
    found = [f for f in engine.facts if f.line == line and f.period.label == period and f.unit == unit and not f.qualifier]
    assert len(found) == 1, (line, period, found)
    return found[0]


def charted(engine, question: str) -> tuple[Answer, ChartSpec]:
    a = engine.answer(question)
    assert a.answerable and a.chart is not None, (question, a.summary)
    return a, a.chart


def assert_cells(engine, a: Answer, spec: ChartSpec) -> None:
    """Each bar read from one line is that line's cell for the bar's period, shown as the answer shows it."""
    for p in spec.series:
        if len(p.lines) == 1 and not p.label.startswith("Rest of"):
            assert p.value == cell(engine, p.lines[0], p.period, spec.unit).value, p
        assert p.text == money(p.value, spec.unit)
    assert a.to_json()["chart"] == spec.to_json()  # the API returns the same data the page draws


@pytest.mark.parametrize("question,lines,values", [
    ("which segment had the highest operating income?", (73, 74), (3_260e6, 83e6)),
    ("show me revenue by segment", (509, 512), (50_310_706e3, 1_082_005e3)),
], ids=["ranking", "breakdown"])
def test_a_breakdown_is_a_bar_for_each_line_of_the_group(engine, question, lines, values):
    a, spec = charted(engine, question)
    assert spec.kind == "breakdown" and spec.unit == "JPY" and spec.axis == "JPY billions" and spec.scale == 1e9
    assert [p.lines for p in spec.series] == [(n,) for n in lines]
    assert [p.value for p in spec.series] == list(values)
    assert {p.period for p in spec.series} == {"1H FY2012"} and spec.title.endswith("1H FY2012")
    assert all(p.label in a.summary and p.text in a.summary for p in spec.series), a.summary
    assert spec.caption.endswith(f", lines {lines[0]}, {lines[1]}.")
    assert_cells(engine, a, spec)


def test_a_series_over_the_quarters_is_each_quarter_printed_or_worked_out(engine):
    a, spec = charted(engine, "how did revenue move over the quarters?")
    assert spec.kind == "series" and [p.period for p in spec.series] == ["1Q FY2011", "2Q FY2011", "1Q FY2012", "2Q FY2012"]
    assert_cells(engine, a, spec)
    printed = {p.period: p for p in spec.series if len(p.lines) == 1}
    assert {k: v.value for k, v in printed.items()} == {"2Q FY2011": 23_844_731e3, "2Q FY2012": 26_267_738e3}
    # A quarter the filing does not print is its half minus the other quarter, from the cited lines.
    first = next(p for p in spec.series if p.period == "1Q FY2012")
    assert first.lines == (364, 626)
    assert first.value == cell(engine, 364, "1H FY2012", "JPY").value - cell(engine, 626, "2Q FY2012", "JPY").value
    worked = next(f for f in a.figures if f.period.label == "1Q FY2012")
    assert worked.working == "51,109,001 - 26,267,738 = 24,841,263 (JPY thousands)" and not worked.cell
    assert all(p.text in a.summary for p in spec.series), a.summary
    assert "line 364" in spec.caption and "line 626" in spec.caption


def test_two_periods_asked_for_as_a_picture_are_paired_bars(engine):
    a, spec = charted(engine, "visualise operating income 1H FY2011 vs 1H FY2012")
    assert spec.kind == "comparison" and [p.group for p in spec.series] == ["1H FY2011", "1H FY2012"]
    assert [p.value for p in spec.series] == [2_448_207e3, 3_262_707e3] and {p.lines for p in spec.series} == {(375,)}
    assert_cells(engine, a, spec)


def test_a_share_is_one_bar_of_the_part_and_the_rest_of_the_total(engine):
    a, spec = charted(engine, "show me the share of revenue from SI")
    part, rest = spec.series
    assert spec.kind == "share" and part.period == rest.period == "1H FY2012"
    total = cell(engine, 49, "1H FY2012", "JPY").value
    assert part.value == cell(engine, 51, "1H FY2012", "JPY").value and rest.value == total - part.value
    assert round(a.value, 2) == round(part.value / total * 100, 2) == 33.51
    assert_cells(engine, a, spec)


@pytest.mark.parametrize("question", [
    "What were total revenues?",  # a single number
    "show me total revenues for 1H FY2012",  # asked for a picture, still one number
    "How did SI gross margin change?",  # a change, not asked for a picture
    "What was IIJ's share price?",  # declined
])
def test_no_chart_where_a_picture_adds_nothing(engine, question):
    a = engine.answer(question)
    assert a.chart is None and a.to_json()["chart"] is None, (question, a.summary)


def test_picture_words():
    assert asks_for_picture(("show", "me", "revenue")) and asks_for_picture(("revenue", "trend"))
    assert asks_for_picture(("plot", "revenue")) and not asks_for_picture(("what", "doe", "the", "filing", "show"))


def test_a_chart_needs_answered_figures_of_one_kind(engine):
    a = engine.answer("which segment had the highest operating income?")
    assert chart_for(Answer(a.question, "", False, plan=a.plan, figures=a.figures)) is None  # a decline
    mixed = [a.figures[0], replace(a.figures[1], unit="%")]
    assert chart_for(Answer(a.question, "", True, plan=a.plan, figures=mixed)) is None  # two units on one axis
