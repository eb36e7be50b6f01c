"""One figure as a share (percent) of another, or the ratio of two figures."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Optional

from ingest.cells import add_months
from schema import Answer

from .. import calculator as calc
from ..calculator import CalcError, Quantity
from ..context import for_period
from ..periods import key_of
from ..plan import Plan
from ..resolve import Pick
from ..text import WEAK, tokens
from .value import as_value


def run(q: Plan, ctx) -> Answer:
    # "what % of this half's net income was made in Q2?": the side naming no figure names only a period.
    figures = [p for p in q.parts if any(ctx.rows.known(t) for t in tokens(p))]
    one_figure = not q.parts or len(figures) < len(q.parts)
    inside = period_inside(q, ctx) if q.op == "share" and one_figure else None
    if inside is not None:
        # "what share of 1H12 revenue came in Q2?": one figure, a period inside another.
        named = figures[0] if figures else q.metric
        b = ctx.res.figure_for(named, q, ctx.res.key(inside[1]))
        a = ctx.res.figure_for(named, q, ctx.res.key(inside[0]), b.picks[0].fact.unit) if b else None
        if a is None or b is None:
            return ctx.out.not_found(q, ctx.res.key(inside[0 if b else 1]))
        result = calc.ratio_pct(a.value, b.value)
        name = ctx.name(b.picks[0].fact)
        return ctx.out.compose(q, result, f"{name} for {a.label} as a share of {b.label}", [p.fact for p in a.picks + b.picks])
    if len(q.parts) != 2:
        return as_value(q, ctx)
    part, whole = q.parts
    if q.op == "share" and not tokens(whole):
        whole = "total " + part
    if q.op == "ratio" and len(q.periods) >= 2 and (set(tokens(part)) == set(tokens(whole)) or not tokens(whole)):
        # "1H12 ATM revenue is how many times 1H11 ATM revenue?", "the ratio of X in 2019 to 2018"; "X this half
        # against the same half last year": this half over the last.
        a, b = over_periods(replace(q, periods=tuple(sorted(q.periods, key=lambda s: -s.relative))), ctx, part)
    else:
        shown = printed_share(q, ctx, part, whole) if q.op == "share" else None
        if shown is not None:
            return ctx.out.answer_fact(q, shown.fact)
        a, b = part_of(q, ctx, part, whole) if q.op == "share" else ctx.res.two(q, part, whole)
    when = for_period(a.fact.period.label)
    if q.op == "ratio":
        result = calc.ratio(Quantity.of(a.fact), Quantity.of(b.fact))
        what = f"Ratio of {ctx.name(a.fact).lower()} to {ctx.name(b.fact).lower()} {when}"
        if key_of(a.fact.period) != key_of(b.fact.period) and a.row.key == b.row.key:
            what = f"{ctx.name(a.fact)} in {a.fact.period.label} against {b.fact.period.label}"
    else:
        result = calc.ratio_pct(Quantity.of(a.fact), Quantity.of(b.fact))
        what = f"{ctx.name(a.fact)} as a share of {ctx.name(b.fact).lower()} {when}"
    return ctx.out.compose(q, result, what, [a.fact, b.fact])


def printed_share(q: Plan, ctx, part: str, whole: str) -> Optional[Pick]:
    """The share as the filing prints it: the part's row in percent, where its row, column or table
    names the whole ("Other" under "Percentage of Plan Assets", "Supplier A" in "% of total purchases")."""
    spec = ctx.res.specs(q, 1)[0]
    # "in 2019": any period of that year, the longest first (a table read as targets only as a last resort).
    keys = [ctx.res.key(spec)] + (sorted((k for k in ctx.periods.counts if k[0][:4] == str(spec.fy)), key=lambda k: (k[2], -k[1]))
                                  if spec and spec.fy and spec.months is None else [])
    p = next((x for k in keys if (x := ctx.res.pick(f"{part} {whole}", q, k, "%")) is not None), None)
    if p is None:
        return None
    f = p.fact
    around = set(tokens(" ".join([f.column, f.qualifier, f.table_title, " ".join(f.row_path)]))) | p.row.context | p.row.label
    return p if set(tokens(whole)) - WEAK <= around and set(tokens(part)) & (p.row.label | set(tokens(" ".join(f.row_path)))) else None


def period_inside(q: Plan, ctx) -> Optional[tuple]:
    """The two periods named, shorter first, when the shorter lies inside the longer (a quarter of a half)."""
    if len(q.periods) != 2:
        return None
    keys = [ctx.res.key(s) for s in q.periods]
    if not all(keys) or keys[0][1] == keys[1][1] or not all(k[1] for k in keys):
        return None
    (ka, sa), (kb, sb) = sorted(zip(keys, q.periods), key=lambda x: x[0][1])
    start_b = add_months(date.fromisoformat(kb[0]), -kb[1])
    return (sa, sb) if start_b < date.fromisoformat(ka[0]) <= date.fromisoformat(kb[0]) else None


def over_periods(q: Plan, ctx, words: str) -> tuple[Pick, Pick]:
    """One figure in the first period named, and in the second."""
    res = ctx.res
    a = res.pick(words, q, res.key(q.periods[0]))
    b = res.pick(words, q, res.key(q.periods[1]), a.fact.unit if a else None)
    if a is None or b is None:
        raise CalcError(f"no figure found for '{words}' in both periods")
    return a, b


def part_of(q: Plan, ctx, part: str, whole: str) -> tuple[Pick, Pick]:
    """The whole first (it names the context), then the part in its unit, from its table if it can."""
    res = ctx.res
    key = res.key(res.specs(q, 1)[0])
    b = res.pick(whole, q, key)
    if b is None:
        raise CalcError(f"no figure found for '{whole}'")
    cands = res.picks(part, q, key_of(b.fact.period), b.fact.unit, exclude=(b.row.key,))
    if not cands:
        return res.two(q, part, whole)
    same_table = [c for c in cands if c.fact.table_id == b.fact.table_id and c.score >= cands[0].score - 0.1]
    a = same_table[0] if same_table else cands[0]
    if not same_table and a.fact.scale != b.fact.scale:
        alt = res.pick(whole, q, key_of(b.fact.period), b.fact.unit, prefer_scale=a.fact.scale, exclude=(a.row.key,))
        b = alt or b
    return a, b
