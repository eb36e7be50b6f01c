""""X excluding Y": a row that says so, else X minus Y."""
from __future__ import annotations

import re
from dataclasses import replace

from schema import Answer

from .. import calculator as calc
from ..calculator import CalcError, Quantity
from ..context import for_period
from ..plan import Plan
from ..resolve import MEASURE_WORDS
from ..text import tokens
from ..understand import EXCLUDING
from . import value


CURRENT_PART = re.compile(r"^(?:the\s+|its\s+)?current\s+(?:part|portion|bit|piece|share|amount)s?\b", re.I)


def run(q: Plan, ctx) -> Answer:
    m = EXCLUDING.search(q.metric)
    as_printed = replace(q, op="value")
    if m is None:
        return value.run(as_printed, ctx)
    whole, part = m["a"], m["b"]
    best = ctx.res.best_row(q.metric, q)
    if best is not None and {"exclud", "excluding", "excl"} & (best.row.label | set(re.findall(r"\w+", best.row.first.metric.lower()))):
        return value.run(as_printed, ctx)
    if CURRENT_PART.match(part.strip()):
        # "long-term loans, not counting the current part": a balance sheet prints the long-term part on its
        # own line and its current portion among current liabilities; only a line including it needs the subtraction.
        a = ctx.res.pick(whole, q, ctx.res.key(ctx.res.specs(q, 1)[0]))
        if a is not None and not re.search(r"\binclud|\btotal\b", a.row.first.metric, re.I):
            return value.run(replace(as_printed, metric=whole), ctx)
        part = f"{whole} current portion"
    # The part left out is measured like the whole: "revenue excluding Consumer Optics" leaves out
    # Consumer Optics' revenue, not its EBIT.
    measure = " ".join(t for t in whole.split() if set(tokens(t)) & MEASURE_WORDS and not set(tokens(t)) & set(tokens(part)))
    try:
        a, b = ctx.res.two(q, whole, f"{part} {measure}".strip())
    except CalcError:
        return value.run(as_printed, ctx)
    result = calc.subtract(Quantity.of(a.fact), Quantity.of(b.fact))
    what = f"{ctx.name(a.fact)} excluding {ctx.name(b.fact).lower()} {for_period(a.fact.period.label)}"
    return ctx.out.compose(q, result, what, [a.fact, b.fact])
