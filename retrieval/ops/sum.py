"""Two figures added ("short-term and long-term borrowings combined")."""
from __future__ import annotations

from schema import Answer

from .. import calculator as calc
from ..calculator import Quantity
from ..context import for_period
from ..plan import Plan
from .value import as_value


def run(q: Plan, ctx) -> Answer:
    if len(q.parts) != 2:
        return as_value(q, ctx)
    a, b = ctx.res.two(q, *q.parts)
    result = calc.add(Quantity.of(a.fact), Quantity.of(b.fact))
    what = f"{ctx.name(a.fact)} plus {ctx.name(b.fact).lower()} {for_period(a.fact.period.label)}"
    return ctx.out.compose(q, result, what, [a.fact, b.fact])
