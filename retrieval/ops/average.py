"""The average of one figure over named periods, of two named figures, or over the quarters of a year."""
from __future__ import annotations

import re

from schema import Answer

from .. import calculator as calc
from ..calculator import Quantity
from ..context import for_period
from ..plan import Plan
from .value import as_value


def run(q: Plan, ctx) -> Answer:
    res = ctx.res
    metric = re.sub(r"\b(?:average|mean|quarterly|per quarter|a quarter)\b", " ", q.metric, flags=re.I)
    picks = []
    if len(q.periods) >= 2:
        for spec in q.periods[:4]:
            p = res.pick(metric, q, res.key(spec))
            if p is None:
                return ctx.out.not_found(q, res.key(spec))
            picks.append(p)
    elif len(q.parts) == 2:
        picks = list(res.two(q, *q.parts))
    elif q.cues.quarterly:
        sides = res.period_sides(q, metric, 3, next((sp.fy for sp in q.periods if sp.fy), None))
        if len(sides) < 2:
            return ctx.out.not_found(q, None)
        result = calc.mean(*(s.value for s in sides))
        what = f"Average quarterly {ctx.name(sides[0].picks[0].fact).lower()} over {', '.join(s.label for s in sides)}"
        return ctx.out.compose(q, result, what, [p.fact for s in sides for p in s.picks])
    if len(picks) < 2:
        return as_value(q, ctx)
    result = calc.mean(*(Quantity.of(p.fact) for p in picks))
    if len(q.periods) >= 2:
        what = f"Average of {ctx.name(picks[0].fact).lower()} over {', '.join(p.fact.period.label for p in picks)}"
    else:
        what = f"Average of {' and '.join(ctx.name(p.fact).lower() for p in picks)} {for_period(picks[0].fact.period.label)}"
    return ctx.out.compose(q, result, what, [p.fact for p in picks])
