"""The average of one figure over named periods, of two named figures, or over the quarters of a year."""
from __future__ import annotations

import re
from typing import Optional

from schema import Answer

from .. import calculator as calc
from ..context import for_period
from ..plan import Plan
from ..resolve import as_amount
from .value import as_value


def run(q: Plan, ctx) -> Answer:
    res = ctx.res
    metric = re.sub(r"\b(?:average|mean|quarterly|per quarter|a quarter)\b", " ", q.metric, flags=re.I)
    picks = []
    unit = "%" if q.cues.percent else None  # "the average X as a percentage of Y": the printed percentages
    if q.cues.moved and len(q.periods) == 4:
        return change_of_averages(q, ctx, metric)
    # "the average annual X", "... for both fiscal years": a length with no year names every year the row gives.
    bare = all(s.months == 12 and not (s.fy or s.end_year or s.relative or s.target) for s in q.periods)
    if (bare or q.cues.span) and not q.parts and not q.cues.quarterly:
        return over_the_periods(q, ctx, metric, unit)
    if len(q.periods) >= 2:
        picks, missing = res.in_each_period(metric, q, unit)
        if missing is not None:
            return ctx.out.not_found(q, missing)
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
    result = calc.mean(*(as_amount(p.fact) for p in picks))  # a loss printed in brackets, as the amount named
    if len(q.periods) >= 2:
        what = f"Average of {ctx.name(picks[0].fact).lower()} over {', '.join(p.fact.period.label for p in picks)}"
    else:
        what = f"Average of {' and '.join(ctx.name(p.fact).lower() for p in picks)} {for_period(picks[0].fact.period.label)}"
    return ctx.out.compose(q, result, what, [p.fact for p in picks])


def over_the_periods(q: Plan, ctx, metric: str, unit: Optional[str] = None) -> Answer:
    """ "What was the average total revenue?", "... from 2017 to 2019": the mean over the periods the
    row gives (every year of the run named), each shown; a cost printed in brackets as its amount."""
    years = frozenset(range(q.cues.span[0], q.cues.span[1] + 1)) if q.cues.span else frozenset()
    p, facts = ctx.res.series(metric, q, 0, years, unit)
    if p is None or unit and p.fact.unit != unit:
        return ctx.out.not_found(q, None)  # one period is no average
    if years and not years <= {ctx.periods.fy((f.period.end, 0, False)) for f in facts}:
        return ctx.out.not_found(q, None)  # a year of the run the row does not print: the run's average is unknown
    result = calc.mean(*(as_amount(f) for f in facts))
    what = f"Average of {ctx.name(p.fact).lower()} over {', '.join(f.period.label for f in facts)}"
    return ctx.out.compose(q, result, what, facts)


def change_of_averages(q: Plan, ctx, metric: str) -> Answer:
    """ "The change in the average X between 2017-2018 and 2018-2019": the mean of each pair of years,
    the later pair's minus the earlier pair's."""
    picks, missing = ctx.res.in_each_period(metric, q)
    if missing is not None:
        return ctx.out.not_found(q, missing)
    pairs = sorted((picks[:2], picks[2:]), key=lambda pair: max(p.fact.period.end for p in pair))
    if any(pair[0].fact.period.end == pair[1].fact.period.end for pair in pairs):
        return ctx.out.not_found(q, None)  # each average needs two different years
    before, after = (calc.mean(*(as_amount(p.fact) for p in pair)) for pair in pairs)
    labels = [" and ".join(p.fact.period.label for p in pair) for pair in pairs]
    what = f"Change in the average {ctx.name(picks[0].fact).lower()} from {labels[0]} to {labels[1]}"
    return ctx.out.compose(q, calc.change(before, after), what, [p.fact for p in picks])
