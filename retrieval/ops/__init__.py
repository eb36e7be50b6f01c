"""One module per operation, each with one entry point `run(plan, ctx) -> Answer`.

`OPS` maps a plan's operation name to its module; a new operation is a module here, a line below,
data in the glossary and tests.
"""
from __future__ import annotations

from dataclasses import replace

from ..calculator import CalcError
from . import (average, cagr, change, count_if, compare, compare_growth, define, excluding, expr, margin, margin_formula, median, narrative,
               overview, period_meaning, rank, rows, share, sum as total, target, value)

OPS = {
    "value": value.run,
    "change": change.run,
    "pct_change": change.run,
    "margin": margin.run,
    "margin_ratio": margin.run,
    "operating_margin": margin_formula.run,
    "share": share.run,
    "ratio": share.run,
    "sum": total.run,
    "excluding": excluding.run,
    "average": average.run,
    "median": median.run,
    "cagr": cagr.run,
    "count_if": count_if.run,
    "rows": rows.run,
    "compare": compare.run,
    "compare_growth": compare_growth.run,
    "rank": rank.run,
    "target_remaining": target.run,
    "target_progress": target.run,
    "narrative": narrative.run,
    "define": define.run,
    "expr": expr.run,
    "overview": overview.run,
    "period_meaning": period_meaning.run,
}


def run(plan, ctx):
    """Runs the plan's operation; an unknown operation answers as a plain figure. A plain operation
    that finds nothing falls back on the plan's program ("operating margin in the first quarter":
    the margin of two figures each worked out for an unprinted quarter)."""
    try:
        ans = OPS.get(plan.op, value.run)(plan, ctx)
    except CalcError:
        if plan.expr is None or plan.op == "expr":
            raise
        return expr.run(replace(plan, op="expr"), ctx)
    if not ans.answerable and plan.expr is not None and plan.op != "expr":
        try:
            alt = expr.run(replace(plan, op="expr"), ctx)
        except CalcError:
            return ans
        return alt if alt.answerable else ans
    return ans
