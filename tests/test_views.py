"""What the page draws beside an answer, without the engine: a cited table as a table with the cited
cells marked, a quote marked in its paragraph, the figures as CSV, the chart's text alternative and
the plotly figure. Filing text stays text."""
from __future__ import annotations

import csv
import io

import app
from schema import ChartPoint, ChartSpec, Fact, Figure, Period, Source, Table
from views import FilingView, chart_table_md, figure_rows, figures_csv, quote_html, sources_html

H1 = Period("2012-09-30", 6, "1H FY2012")
LINES = [
    "Segment Summary",  # 1
    "",
    "\t1H11\t1H12",  # 3
    "\tJPY millions\tJPY millions",
    "Operating Income (Loss)\t2,448\t3,263",  # 5
    "Network <script>x</script> business\t2,658\t3,260",
    "ATM operation business\t(164)\t83",  # 7
    "",
    "Operating income was JPY3,263 million, up 33.3% YoY",  # 9
    "mainly because gross margin increased.",
]
TABLE = Table("t1", "Segment Summary", "", 1, 7, ["1H11", "1H12"], ["JPY millions", "JPY millions"])


def fact(line: int, path: list[str], text: str) -> Fact:
    return Fact("f", "x", "t1", "Segment Summary", "", path[-1], path, "1H FY2012 (JPY millions)", H1, 1.0, "JPY", 1e6,
                "JPY millions", text, line)


VIEW = FilingView.of(LINES, [TABLE], [fact(5, ["Operating Income (Loss)"], "3,263"),
                                     fact(6, ["Operating Income (Loss)", "Network business"], "3,260"),
                                     fact(7, ["Operating Income (Loss)", "ATM operation business"], "83")])


def test_a_cited_table_is_a_table_with_its_headers_units_and_cited_cells_marked():
    html = sources_html(VIEW, [Source("table_row", "S", 6, "3,260", "Segment Summary"), Source("table_row", "S", 7, "83", "Segment Summary")])
    assert html.count("<h4>Segment Summary</h4>") == 1  # one table, both cells
    assert "<thead><tr data-line=\"3\">" in html and "<th>1H12</th>" in html and "<th>JPY millions</th>" in html
    assert '<td class="hit"><mark>3,260</mark></td>' in html and '<td class="hit"><mark>83</mark></td>' in html
    assert html.count("<mark>") == 2 and "<td>2,658</td>" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "padding-left:1.4em" in html  # a member row sits under its heading
    assert "JPY millions · lines 1–7; cited: lines 6, 7" in html


def test_a_quote_is_marked_in_its_paragraph():
    html = quote_html(LINES, 9, ["Operating income was JPY3,263 million, up 33.3% YoY mainly because"])
    assert "Lines 9–10" in html and '<mark class="hit">Operating income was JPY3,263 million, up 33.3% YoY mainly because</mark>' in html
    assert html.endswith(" gross margin increased.</p></section>")
    whole_line = quote_html(LINES, 10, ["words the paragraph does not hold"])
    assert '<mark class="hit">mainly because gross margin increased.</mark>' in whole_line
    assert "not cited" not in sources_html(VIEW, [Source("text", "S", 9, "up 33.3% YoY")])


FIGS = [Figure("ATM operation business", H1, 83e6, "JPY", "Segment Summary", "Operating Income (Loss) > ATM", (7,), "83"),
        Figure("Total revenues", Period("2012-06-30", 3, "1Q FY2012"), 24_841_263e3, "JPY", "Income", "Total revenues",
               (364, 626), working="51,109,001 - 26,267,738 = 24,841,263 (JPY thousands)")]


def test_the_figures_are_a_table_to_copy_and_a_csv_in_whole_units():
    assert figure_rows(FIGS) == [["ATM operation business", "1H FY2012", "JPY 83.0 million", "7"],
                                 ["Total revenues", "1Q FY2012", "JPY 24.84 billion", "364, 626 (worked out)"]]
    rows = list(csv.DictReader(io.StringIO(figures_csv(FIGS))))
    assert rows[0]["value"] == "83000000" and rows[0]["unit"] == "JPY" and rows[0]["lines"] == "7" and rows[0]["cell"] == "83"
    assert rows[1]["value"] == "24841263000" and rows[1]["lines"] == "364 626" and rows[1]["working"].startswith("51,109,001")


SPEC = ChartSpec("comparison", "Operating <b>income</b>: 1H FY2011 and 1H FY2012", "JPY", "JPY billions", 1e9, (
    ChartPoint("Operating income", "1H FY2011", 2_448e6, "JPY 2.45 billion", (375,), "1H FY2011"),
    ChartPoint("Operating income", "1H FY2012", 3_263e6, "JPY 3.26 billion", (375,), "1H FY2012"),
), "From \u201cIncome\u201d, line 375.")


def test_the_chart_has_a_text_alternative_with_the_same_figures():
    md = chart_table_md(SPEC)
    assert md.startswith("*From \u201cIncome\u201d, line 375.*")
    assert "| Operating income | 1H FY2011 | JPY 2.45 billion | 375 |" in md and "| Operating income | 1H FY2012 | JPY 3.26 billion | 375 |" in md


def test_the_drawn_chart_holds_the_spec_values_in_colour_blind_safe_colours():
    fig = app.draw(SPEC)
    assert [list(t.x) for t in fig.data] == [[2.448], [3.263]] and {t.orientation for t in fig.data} == {"h"} and [t.name for t in fig.data] == ["1H FY2011", "1H FY2012"]
    assert [t.marker.color for t in fig.data] == list(app.CHART_COLOURS) and fig.data[1].marker.pattern.shape == "/"
    assert "<b>" not in fig.layout.title.text and fig.layout.xaxis.title.text == "JPY billions"
    share = app.draw(ChartSpec("share", "SI as a share of revenue, 1H FY2012", "JPY", "JPY billions", 1e9, (
        ChartPoint("SI", "1H FY2012", 17e9, "JPY 17.00 billion", (51,), "SI"),
        ChartPoint("Rest of revenue", "1H FY2012", 34e9, "JPY 34.00 billion", (49, 51), "Rest of revenue")), ""))
    assert share.layout.barmode == "stack" and [t.name for t in share.data] == ["SI: JPY 17.00 billion", "Rest of revenue: JPY 34.00 billion"]
