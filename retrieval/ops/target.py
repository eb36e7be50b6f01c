"""A target against the actual so far: what is still needed, or the share already reached."""
from __future__ import annotations

from dataclasses import replace

from schema import Answer

from .. import calculator as calc
from ..calculator import Quantity
from ..periods import key_of
from ..plan import PeriodSpec, Plan
from ..render import money


def run(q: Plan, ctx) -> Answer:
    res, periods = ctx.res, ctx.periods
    metric = q.metric
    spec = next((s for s in q.periods if s.target), PeriodSpec(12, target=True))
    tkey = periods.resolve(spec)
    t = res.pick(metric, q, tkey, target=True)
    if t is None:
        return ctx.out.not_found(q, tkey)
    fy = t.fact.period.fiscal_year or periods.fy(key_of(t.fact.period))
    asked = [s for s in q.periods if not s.target and s.months]
    akey = periods.resolve(replace(asked[-1], fy=asked[-1].fy or fy)) if asked else None
    if akey not in periods.known:
        # "needed in the second half": the actual is what the filing reports so far this year.
        akey = periods.resolve(PeriodSpec(fy=fy))
    a = res.pick(t.fact.metric, q, akey, t.fact.unit, target=False) or res.pick(metric, q, akey, t.fact.unit, target=False)
    if a is None:
        return ctx.out.not_found(q, akey)
    tf, af = t.fact, a.fact
    first, then = sorted(asked, key=lambda s: s.index or 0) if len(asked) == 2 else (None, None)
    if (q.op == "target_progress" and first and first.months == then.months and first.index and then.index > first.index
            and key_of(af.period) == periods.resolve(replace(first, fy=first.fy or fy))):
        # "how much bigger must the second half be than the first to hit the target?": what is left, against the half done.
        left = calc.subtract(Quantity.of(tf), Quantity.of(af))
        result = calc.pct_change(Quantity.of(af), left)
        what = (f"To reach the {tf.period.label} for {ctx.name(tf).lower()} ({money(tf.value, tf.unit)}), the rest of the year needs "
                f"{money(left.value, left.unit)}; against {af.period.label} ({money(af.value, af.unit)}) that is")
        return ctx.out.compose(q, result, what, [tf, af])
    if q.op == "target_remaining":
        result = calc.subtract(Quantity.of(tf), Quantity.of(af))
        what = f"Still needed to reach the {tf.period.label} for {ctx.name(tf).lower()} ({money(tf.value, tf.unit)}) after {af.period.label} ({money(af.value, af.unit)})"
    else:
        result = calc.ratio_pct(Quantity.of(af), Quantity.of(tf))
        what = f"Share of the {tf.period.label} for {ctx.name(tf).lower()} reached in {af.period.label}"
    return ctx.out.compose(q, result, what, [tf, af])
