""""How many years did net income exceed $1,000 million?": the periods of one figure that meet a
condition, counted, with every period shown against the threshold."""
from __future__ import annotations

from dataclasses import replace

from schema import Answer

from ..calculator import Quantity
from ..plan import Plan
from ..render import money
from .value import as_value


def run(q: Plan, ctx) -> Answer:
    e = q.expr
    if e is None or e.op != "count_if" or not e.than:
        return as_value(q, ctx)
    words = e.args[0].ref.words
    sign, threshold, unit, months = e.than
    asked = replace(q, metric=words)
    picks = (ctx.res.picks(words, asked, None, "%") if unit == "%" else []) or ctx.res.picks(words, asked, None)
    years = {s.fy or s.end_year for s in q.periods if s.fy or s.end_year}
    # The first row that gives the figure for two or more periods of the length asked.
    p, facts = None, []
    for cand in picks:
        facts = periods_of(ctx, cand, months, years)
        if len(facts) >= 2:
            p = cand
            break
    if p is None:
        return ctx.out.not_found(q, None)
    met = [f for f in facts if (f.value > threshold if sign == ">" else f.value < threshold)]
    word = "above" if sign == ">" else "below"
    limit = f"{threshold:g}%" if unit == "%" else money(threshold, p.fact.unit)
    summary = (f"{ctx.name(p.fact)} was {word} {limit} in {len(met)} of the {len(facts)} periods the filing gives"
               f"{': ' + ', '.join(f.period.label for f in met) if met else ''}.")
    working = "; ".join(f"{f.period.label}: {f.cell_text} {'>' if f.value > threshold else '<=' if sign == '>' else '<' if f.value < threshold else '>='} "
                        f"{limit}" for f in facts) + f" -> {len(met)}"
    result = Quantity(float(len(met)), "count")
    return ctx.out.finish(q, summary, result.value, "count", working, facts)


def periods_of(ctx, p, months: int, years: set) -> list:
    """The row's figures for one period each, of the length asked ("how many years": its years or
    its year-end balances), in the fiscal years named if any, oldest first."""
    length = p.fact.period.months if not months or (months == 12 and p.fact.period.months == 0) else months
    facts = [f for f in p.row.facts if f.unit == p.fact.unit and not f.qualifier and f.period.end and not f.period.is_target
             and f.period.months == length and (not years or ctx.periods.fy((f.period.end, 0, False)) in years)]
    return sorted({f.period.end: f for f in facts}.values(), key=lambda f: f.period.end)
