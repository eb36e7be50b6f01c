"""Operating, net and EBITDA margins from their glossary formulas, unless a table prints that very percentage."""
from __future__ import annotations

import re

from schema import Answer

from .. import calculator as calc
from ..calculator import CalcError, Quantity
from ..context import for_period
from ..periods import key_of
from ..plan import Plan
from ..render import money
from ..formula import percent_ratios
from ..text import canonical, tokens
from .margin import segment_words


def run(q: Plan, ctx) -> Answer:
    res, periods = ctx.res, ctx.periods
    said = canonical(q.metric).lower()
    ratios = {n: v for n, v in percent_ratios().items() if n.endswith("margin")}  # the margins this operation names
    name = max((n for n in ratios if n in said), key=len, default="operating margin")
    num, den = ratios[name]
    seg = segment_words(re.sub("|".join(re.escape(x.strip()) for x in [name] + num.split("|")), " ", said))
    moved = q.cues.moved
    specs = res.specs(q, 2) if moved else res.specs(q, 1)
    if not moved:
        key = res.key(specs[0])
        printed = res.pick(f"{seg} {name}".strip(), q, key, "%")
        if (printed is not None and set(tokens(name)) <= printed.row.label <= set(tokens(q.metric))
                and not printed.row.key[0].startswith("text:")):  # "Adjusted EBITDA margin" does not answer "EBITDA margin"
            return ctx.out.answer_fact(q, printed.fact)

    def one(spec):
        key = res.key(spec)
        a = next((p for n in num.split("|") for p in [res.pick(f"{seg} {n.strip()}".strip(), q, key)] if p is not None), None)
        if a is None:
            raise CalcError(f"no {num.split('|')[-1].strip()} figure for that period")
        b = res.pick(f"{seg} {den}".strip(), q, key_of(a.fact.period), a.fact.unit)
        if b is None:
            raise CalcError(f"no {den} figure for that period")
        return a, b, calc.ratio_pct(Quantity.of(a.fact), Quantity.of(b.fact))

    if moved:
        s1, s2 = res.chronological(*specs)
        a2, b2, r2 = one(s2)
        k1 = periods.shift(key_of(a2.fact.period), -1) if (s1 is None or s1.relative) else periods.resolve(s1)
        a1 = next((p for n in num.split("|") for p in [res.pick(n.strip(), q, k1)] if p is not None), None)
        b1 = res.pick(den, q, k1, a2.fact.unit)
        if a1 is None or b1 is None:
            return ctx.out.not_found(q, k1)
        r1 = calc.ratio_pct(Quantity.of(a1.fact), Quantity.of(b1.fact))
        what = f"Change in {ctx.display(name)} from {a1.fact.period.label} ({r1.value:.2f}%) to {a2.fact.period.label} ({r2.value:.2f}%)"
        return ctx.out.compose(q, calc.subtract(r2, r1), what, [a1.fact, b1.fact, a2.fact, b2.fact], term=name)
    a, b, result = one(specs[0])
    label = ctx.display(name)
    what = f"{label[:1].upper()}{label[1:]} {for_period(a.fact.period.label)} ({money(a.fact.value, a.fact.unit)} of {ctx.display(ctx.name(a.fact).lower())} on {money(b.fact.value, b.fact.unit)} of revenue)"
    return ctx.out.compose(q, result, what, [a.fact, b.fact], term=name)
