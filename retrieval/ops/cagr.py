""""What was the compound annual growth rate of revenue from FY2017 to FY2019?": the steady yearly
growth between two periods, ((last / first) ^ (1 / years) - 1) * 100, run as a program."""
from __future__ import annotations

import re
from dataclasses import replace

from schema import Answer

from ..formula import clean
from ..plan import Expr, Plan
from . import expr


def run(q: Plan, ctx) -> Answer:
    inner = q.expr if q.expr is not None and q.expr.op not in ("change", "pct_change") else None
    if inner is None:
        inner = Expr.fig(clean(re.sub(r"\b(?:cagr|compound(?:ed)?|annual|growth|rate)\b", " ", q.metric, flags=re.I)))
    return expr.run(replace(q, expr=Expr("cagr", (inner,), unit="%")), ctx)
