"""Across the rows of one table: "the top 3 revenues in 2018 added up", "the sum of all expenses",
"the average fee for all directors", "how many obligations had a total over $500,000 thousand?", and
"how many components does X consist of?" (the lines under the heading naming X).

The table is the one whose rows the question's words find first; its members are the rows a ranking
would list (no totals, reconciling lines or rows heading others); the column is the one the question
names (its words, the period asked), one cell from each member row, every one shown in the working.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import reduce
from typing import Optional

from schema import Answer, Fact

from .. import calculator as calc
from ..context import row_name, unit_ok
from ..periods import key_of
from ..plan import Plan
from ..render import money
from ..resolve import as_amount
from ..search import RowDoc
from ..text import tokens
from .count_if import unscaled
from .rank import is_member, siblings

TOTAL_LINE = re.compile(r"^\s*(?:sub)?totals?\b", re.I)
CANDIDATE_ROWS = 25  # rows the words find, whose tables are tried in that order


def run(q: Plan, ctx) -> Answer:
    c = q.cues
    if c.over_rows == "count":
        return lines_under(q, ctx)
    count = q.expr if c.over_rows == "count_if" and q.expr is not None and q.expr.than else None
    words = f"{count.args[0].ref.words} {count.subject}" if count else q.metric
    unit = "%" if count and count.than[2] == "%" else None
    cells = table_cells(q, ctx, words, unit)
    if len(cells) < 2:
        return ctx.out.not_found(q, None)
    if count:
        return counted(q, ctx, cells, count.than)
    amounts = sorted(((as_amount(f), r, f) for r, f in cells), key=lambda x: x[0].value, reverse=True)
    if c.top and len(amounts) < c.top:
        return ctx.out.not_found(q, None)  # fewer rows than the top N asked for
    taken = amounts[:c.top] if c.top else amounts
    parts = [a for a, _, _ in taken]
    result = calc.mean(*parts) if c.over_rows == "mean" else reduce(calc.add, parts)
    table, period = taken[0][2].table_title.rstrip(":"), taken[0][2].period.label
    which = f"the top {c.top} of {len(amounts)} rows of {table} ({period}): {', '.join(row_name(r) for _, r, _ in taken)}" if c.top \
        else f"all {len(amounts)} rows of {table} ({period})"
    what = f"{'Average' if c.over_rows == 'mean' else 'Sum'} of {which}"
    return ctx.out.compose(q, result, what, [f for _, _, f in taken])


def lines_under(q: Plan, ctx) -> Answer:
    """ "How many components does X consist of?": the member rows under the heading that names X (every
    word of the heading said), counted and listed; none named so, a decline."""
    asked = set(tokens(q.metric))
    under: dict[tuple, list[RowDoc]] = defaultdict(list)
    for r in ctx.rows.rows:  # every line under a heading but its total ("Other" and "Adjustment" are lines too)
        if not r.key[0].startswith("text:") and len(r.key[1]) >= 2 and not TOTAL_LINE.match(r.key[1][-1]):
            under[(r.key[0], r.key[1][:-1])].append(r)
    named = [(len(parent), table, rows) for (table, parent), rows in under.items()
             if len(rows) >= 2 and set(tokens(parent[-1])) and set(tokens(parent[-1])) <= asked]
    if not named:
        return ctx.out.not_found(q, None)
    _, _, rows = max(named, key=lambda x: x[0])
    facts = [r.facts[0] for r in rows]
    heading = rows[0].first.row_path[-2].rstrip(":")
    summary = f"{heading} has {len(rows)} lines: {', '.join(row_name(r) for r in rows)}."
    return ctx.out.finish(q, summary, float(len(rows)), "count", f"{'; '.join(row_name(r) for r in rows)} -> {len(rows)}", facts)


def counted(q: Plan, ctx, cells: list[tuple[RowDoc, Fact]], than: tuple) -> Answer:
    sign, threshold, unit, _ = than
    limit = f"{threshold:g}%" if unit == "%" else money(threshold, cells[0][1].unit)
    if unscaled([f for _, f in cells], unit):
        return ctx.out.decline(q.text, f"The table states no scale for these rows, so they cannot be compared with {limit}.", [], facts=[f for _, f in cells], plan=q)
    met = [(r, f) for r, f in cells if (f.value > threshold if sign == ">" else f.value < threshold)]
    word = "above" if sign == ">" else "below"
    names = ", ".join(row_name(r) for r, _ in met)
    summary = f"{len(met)} of the {len(cells)} rows of {cells[0][1].table_title.rstrip(':')} were {word} {limit}{': ' + names if met else ''}."
    working = "; ".join(f"{row_name(r)}: {f.cell_text} {'meets' if (r, f) in met else 'does not meet'} {word} {limit}" for r, f in cells) + f" -> {len(met)}"
    return ctx.out.finish(q, summary, float(len(met)), "count", working, [f for _, f in cells])


def table_cells(q: Plan, ctx, words: str, unit: Optional[str]) -> list[tuple[RowDoc, Fact]]:
    """One cell of each member row of the first table the words find, in the column the question names;
    where the words find no row ("how many items had a % change ..."), the table whose column header
    the question says."""
    members = by_table(ctx)
    spec = q.periods[-1] if q.periods else None
    key = ctx.res.key(spec) if spec else None
    found = [h.row.key[0] for h in ctx.rows.rank(words, q.text, k=CANDIDATE_ROWS)]
    for table in dict.fromkeys(found):
        if len(members.get(table, [])) >= 2:
            _, cells = column_cells(q, ctx, members[table], key, spec, unit)
            if len(cells) >= 2:
                return cells
    if found:
        return []
    named = [column_cells(q, ctx, rows, key, spec, unit) for rows in members.values() if len(rows) >= 2]
    named = [(fit, cells) for fit, cells in named if len(cells) >= 2 and fit[0] > 0]
    return max(named, key=lambda x: x[0])[1] if named else []


def by_table(ctx) -> dict[str, list[RowDoc]]:
    """The member rows of each table, every breakdown in it together ("Continuing Directors" and "Non-Returning Directors")."""
    out: dict[str, list[RowDoc]] = defaultdict(list)
    for (table, _), rows in siblings(ctx).items():
        out[table].extend(r for r in rows if is_member(r))
    return out


def column_cells(q: Plan, ctx, rows: list[RowDoc], key, spec, unit: Optional[str]) -> tuple[tuple, list[tuple[RowDoc, Fact]]]:
    """How well, and the cells of, the column the question names best: its header's words said in the
    question, the period asked (any period of a year named alone), else the filing's main period or the latest."""
    said = set(q.words)
    columns: dict[tuple, dict] = defaultdict(dict)
    for r in rows:
        for f in r.facts:
            if not f.period.end or f.period.is_target or (unit and not unit_ok(f.unit, unit)) or (not unit and f.unit == "%"):
                continue
            k = key_of(f.period)
            if key is not None and k != key and not (spec.fy and spec.months is None and ctx.periods.fy(k) == spec.fy):
                continue
            columns[(f.qualifier, k, f.unit)].setdefault(r.key, (r, f))
    if not columns:
        return (), []

    def fit(col) -> tuple:
        qualifier, k, have = col
        header = set(tokens(qualifier, keep_stop=True))
        return (len(header & said) - 0.5 * len(header - said), len(columns[col]), have == (q.currency or ctx.main_currency),
                k == ctx.periods.current, k[0])

    best = max(columns, key=fit)
    return fit(best), list(columns[best].values())
