"""Which of two figures grew faster: each one's % change from the year before, side by side."""
from __future__ import annotations

from dataclasses import replace

from schema import Answer

from .. import calculator as calc
from ..calculator import Quantity
from ..context import for_period
from ..periods import key_of
from ..plan import Plan
from ..render import money, pct_words
from . import change


def run(q: Plan, ctx) -> Answer:
    res = ctx.res
    if len(q.parts) != 2:
        return change.run(replace(q, op="pct_change"), ctx)
    key = res.key(res.specs(q, 1)[0])
    sides = []
    for part in q.parts:
        p = res.pick(part, replace(q, text=part), key)  # each side searched by its own words only
        if p is None:
            return ctx.out.not_found(replace(q, metric=part), key)
        before = ctx.periods.shift(key_of(p.fact.period), -1)
        f0 = res.fact_for(p.row, before, q, p.fact.unit)
        if f0 is None or f0.value <= 0:
            return ctx.out.not_found(replace(q, metric=part), before)
        sides.append((calc.pct_change(Quantity.of(f0), Quantity.of(p.fact)), p, f0))
    sides.sort(key=lambda x: x[0].value, reverse=True)
    (g1, p1, a1), (g2, p2, a2) = sides
    summary = (f"{ctx.name(p1.fact)} grew {'faster' if q.cues.faster else 'more'} {for_period(p1.fact.period.label)}: {pct_words(g1.value)} "
               f"({money(a1.value, a1.unit)} to {money(p1.fact.value, p1.fact.unit)}), against {pct_words(g2.value)} for "
               f"{ctx.name(p2.fact).lower()} ({money(a2.value, a2.unit)} to {money(p2.fact.value, p2.fact.unit)}).")
    working = f"{ctx.name(p1.fact)}: {g1.working()}; {ctx.name(p2.fact)}: {g2.working()}"
    return ctx.out.finish(q, summary, g1.value, "%", working, [a1, p1.fact, a2, p2.fact])
