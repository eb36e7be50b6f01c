""""What was the median quarterly revenue?": the middle of one figure over the quarters (or halves)
of a year, printed or worked out, with every period shown."""
from __future__ import annotations

import re

from schema import Answer

from .. import calculator as calc
from ..plan import Plan
from .value import as_value


def run(q: Plan, ctx) -> Answer:
    metric = re.sub(r"\b(?:median|middle|quarterly|per quarter|a quarter|of the quarters|half-yearly)\b", " ", q.metric, flags=re.I)
    months = 6 if re.search(r"\bhalf|halves\b", q.text, re.I) and not q.cues.quarterly else 3
    sides = ctx.res.period_sides(q, metric, months, next((s.fy for s in q.periods if s.fy), None))
    if len(sides) < 2:
        return as_value(q, ctx) if not sides else ctx.out.not_found(q, None)
    result = calc.median(*(s.value for s in sides))
    what = f"Median {'quarterly' if months == 3 else 'half-yearly'} {ctx.name(sides[0].picks[0].fact).lower()} over {', '.join(s.label for s in sides)}"
    return ctx.out.compose(q, result, what, [p.fact for s in sides for p in s.picks], term="median")
