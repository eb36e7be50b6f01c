""""How many years did net income exceed $1,000 million?": the periods of one figure that meet a
condition, counted, with every period shown against the threshold."""
from __future__ import annotations

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
    years = frozenset(s.fy or s.end_year for s in q.periods if s.fy or s.end_year)
    p, facts = ctx.res.series(words, q, months, years, "%" if unit == "%" else None)
    if p is None:
        return ctx.out.not_found(q, None)
    word = "above" if sign == ">" else "below"
    limit = f"{threshold:g}%" if unit == "%" else money(threshold, p.fact.unit)
    if unscaled(facts, unit):
        return ctx.out.decline(q.text, f"The table states no scale for {ctx.name(p.fact)}, so it cannot be compared with {limit}.", [], facts=facts, plan=q)
    met = [f for f in facts if (f.value > threshold if sign == ">" else f.value < threshold)]
    summary = (f"{ctx.name(p.fact)} was {word} {limit} in {len(met)} of the {len(facts)} periods the filing gives"
               f"{': ' + ', '.join(f.period.label for f in met) if met else ''}.")
    working = "; ".join(f"{f.period.label}: {f.cell_text} {'>' if f.value > threshold else '<=' if sign == '>' else '<' if f.value < threshold else '>='} "
                        f"{limit}" for f in facts) + f" -> {len(met)}"
    result = Quantity(float(len(met)), "count")
    return ctx.out.finish(q, summary, result.value, "count", working, facts)




def unscaled(facts: list, unit: str) -> bool:
    """Amounts printed with no scale stated: they cannot be held against a threshold in whole units."""
    return unit != "%" and any(not f.scale_known for f in facts)
