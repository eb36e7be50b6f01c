"""Two figures added ("short-term and long-term borrowings combined")."""
from __future__ import annotations

from schema import Answer

from .. import calculator as calc
from ..calculator import Quantity
from ..context import for_period
from ..plan import Plan
from ..resolve import as_amount
from ..text import tokens
from .value import as_value


def run(q: Plan, ctx) -> Answer:
    if len(q.parts) != 2 or not all(tokens(p) for p in q.parts):
        return over_periods(q, ctx) if len(q.periods) >= 2 else as_value(q, ctx)
    a, b = ctx.res.two(q, *q.parts)
    result = calc.add(Quantity.of(a.fact), Quantity.of(b.fact))
    what = f"{ctx.name(a.fact)} plus {ctx.name(b.fact).lower()} {for_period(a.fact.period.label)}"
    return ctx.out.compose(q, result, what, [a.fact, b.fact])


def over_periods(q: Plan, ctx) -> Answer:
    """ "The total X in 2018 and 2019", "... from 2017 to 2019": one figure in each period named, added."""
    metric = " ".join(t for t in q.metric.split() if t.lower() not in ("total", "sum", "combined", "altogether"))
    if q.cues.span:  # "from 2017 to 2019": every year of the run
        p, facts = ctx.res.series(metric, q, 0, frozenset(range(q.cues.span[0], q.cues.span[1] + 1)))
        if p is None:
            return ctx.out.not_found(q, None)
    else:
        picks, missing = ctx.res.in_each_period(metric, q)
        if missing is not None:
            return ctx.out.not_found(q, missing)
        facts = [p.fact for p in picks]
    if len({f.period.end for f in facts}) < len(facts):
        return as_value(q, ctx)  # the periods named are one period said twice
    result = as_amount(facts[0])
    for f in facts[1:]:
        result = calc.add(result, as_amount(f))
    what = f"{ctx.name(facts[0])} for {' and '.join(f.period.label for f in facts)} added"
    return ctx.out.compose(q, result, what, facts)
