"""What the page shows of an answer beside its sentence: each cited table drawn as a table (title,
units, column headers, row labels) with the cited cells marked, each quoted sentence marked in its
paragraph, the chart's figures as a table (its text alternative), and the answer's figures to copy
or download as CSV. Filing text is always escaped here; nothing in it is read as HTML.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from retrieval.render import esc_html, esc_md, money
from schema import ChartSpec, Fact, Figure, Source, Table

FIGURE_COLUMNS = ["Figure", "Period", "Value", "Lines"]
CSV_COLUMNS = ["figure", "period", "value", "unit", "table", "row", "lines", "cell", "working"]
NO_SOURCES = "<p class='note'>The tables and sentences an answer cites show here, with the cited cells marked.</p>"


@dataclass(frozen=True)
class FilingView:
    """The filing as the page draws it: its lines, its tables, and how deep each table row's label
    sits under its headings (from the facts' row paths), read once when the app starts."""

    lines: list[str]
    tables: tuple[Table, ...] = ()
    depth: dict[int, int] = field(default_factory=dict)

    @staticmethod
    def of(lines: list[str], tables: Sequence[Table] = (), facts: Sequence[Fact] = ()) -> "FilingView":
        return FilingView(lines, tuple(tables), {f.line: len(f.row_path) - 1 for f in facts})

    def table_at(self, line: int) -> Optional[Table]:
        return next((t for t in self.tables if t.start_line <= line <= t.end_line), None)


# ---------------------------------------------------------------- cited tables and quotes


def sources_html(view: FilingView, sources: Sequence[Source]) -> str:
    """Each cited table once, with all its cited cells marked; then each quoted paragraph."""
    tables: dict[str, tuple[Table, dict[int, set[str]]]] = {}
    quotes: dict[int, list[str]] = {}
    for s in sources:
        t = view.table_at(s.line) if s.line > 0 else None
        if t is not None:
            tables.setdefault(t.id, (t, {}))[1].setdefault(s.line, set()).add(s.text.strip())
        elif s.line > 0:
            quotes.setdefault(s.line, []).append(s.text)
    parts = [table_html(view, t, cited) for t, cited in tables.values()]
    parts += [quote_html(view.lines, line, texts) for line, texts in quotes.items()]
    return '<div class="fqa-sources">' + ("".join(parts) or NO_SOURCES) + "</div>"


def table_html(view: FilingView, t: Table, cited: dict[int, set[str]]) -> str:
    """The table as printed, one filing line a row: header rows (those above the first figure with
    more than a label) as column headings, the first cell of each other row as its label, cited
    cells in <mark>."""
    numbered = [(n, view.lines[n - 1]) for n in range(t.start_line, min(t.end_line, len(view.lines)) + 1)]
    numbered = [(n, line) for n, line in numbered if line.strip() and _plain(line) != _plain(t.title)]
    first_data = min((n for n, _ in numbered if n in view.depth), default=t.start_line)
    width = max((len(line.split("\t")) for _, line in numbered), default=1)
    heading = {n for n, line in numbered if n < first_data and any(c.strip() for c in line.split("\t")[1:])}
    head = [_row(n, line, width, "th", set()) for n, line in numbered if n in heading]
    body = [_row(n, line, width, "td", cited.get(n, set()), view.depth.get(n, 0)) for n, line in numbered if n not in heading]
    units = " · ".join(dict.fromkeys(u for u in t.units if u))
    lines = ", ".join(map(str, sorted(cited)))
    return (f'<section class="fqa-table"><h4>{esc_html(t.title)}</h4>'
            f'<p class="note">{esc_html(units) + " · " if units else ""}lines {t.start_line}–{t.end_line}; '
            f'cited: line{"s" if len(cited) > 1 else ""} {lines}</p>'
            f'<div class="tbl"><table><thead>{"".join(head)}</thead><tbody>{"".join(body)}</tbody></table></div></section>')


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().lower()


def _row(n: int, line: str, width: int, tag: str, cited: set[str], depth: int = 0) -> str:
    cells = line.split("\t") + [""] * (width - len(line.split("\t")))
    label = f'<th scope="row" style="padding-left:{0.4 + depth}em">{esc_html(cells[0].strip())}</th>'
    out = []
    for cell in cells[1:]:
        text = esc_html(cell.strip())
        hit = cell.strip() in cited
        out.append(f'<{tag} class="hit"><mark>{text}</mark></{tag}>' if hit else f"<{tag}>{text}</{tag}>")
    row_class = ' class="hit-row"' if cited else ""
    return f'<tr{row_class} data-line="{n}">{label}{"".join(out)}</tr>'


def quote_html(lines: list[str], line: int, texts: list[str]) -> str:
    """The paragraph holding a cited line, the quoted words marked (the whole line where the quote is
    not found word for word)."""
    first, last = line, line
    while first > 1 and lines[first - 2].strip():
        first -= 1
    while last < len(lines) and lines[last].strip():
        last += 1
    paragraph = " ".join(x.strip() for x in lines[first - 1:last])
    spans = [_find(paragraph, t) for t in texts]
    if not any(spans):
        cited = " ".join(lines[line - 1].split())
        spans = [_find(paragraph, cited)]
    marked, at = [], 0
    for start, end in sorted(s for s in spans if s):
        if start >= at:
            marked += [esc_html(paragraph[at:start]), f'<mark class="hit">{esc_html(paragraph[start:end])}</mark>']
            at = end
    marked.append(esc_html(paragraph[at:]))
    where = f"Line {first}" if first == last else f"Lines {first}–{last}"
    return f'<section class="fqa-quote"><p class="note">{where}</p><p>{"".join(marked)}</p></section>'


def _find(paragraph: str, quote: str) -> Optional[tuple[int, int]]:
    """Where the quote stands in the paragraph, whatever the spacing between its words."""
    words = quote.split()
    if not words:
        return None
    m = re.search(r"\s+".join(re.escape(w) for w in words), paragraph, re.I)
    return (m.start(), m.end()) if m else None


# ---------------------------------------------------------------- the answer's figures


def figure_rows(figures: Sequence[Figure]) -> list[list[str]]:
    """The figures as the page's table shows them: name, period, value as the answer writes it, and
    the lines it was read from ("worked out" where the calculator made it from them); the CSV has the rest."""
    return [[f.label, f.period.label, money(f.value, f.unit), ", ".join(map(str, f.lines)) + (" (worked out)" if f.working else "")]
            for f in figures]


def figures_csv(figures: Sequence[Figure]) -> str:
    """The figures for a spreadsheet: values in whole units, with their unit, period and source lines."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    for f in figures:
        w.writerow([f.label, f.period.label, f"{f.value:.6f}".rstrip("0").rstrip("."), f.unit, f.table, f.row, " ".join(map(str, f.lines)), f.cell, f.working])
    return out.getvalue()


def chart_table_md(spec: ChartSpec) -> str:
    """The chart's caption, and its figures as a table for readers who cannot see the chart."""
    rows = [f"| {esc_md(p.label)} | {esc_md(p.period)} | {esc_md(p.text)} | {', '.join(map(str, p.lines))} |" for p in spec.series]
    table = "\n".join(["| Figure | Period | Value | Line |", "|---|---|---|---|", *rows])
    return (f"*{esc_md(spec.caption)}*\n\n<details><summary>The chart as a table</summary>\n\n{table}\n\n</details>")
