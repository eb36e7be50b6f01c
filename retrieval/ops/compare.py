"""Which of two figures is larger: two named figures, or one figure in two periods."""
from __future__ import annotations


from schema import Answer

from .. import calculator as calc
from ..calculator import Quantity
from ..plan import Plan
from ..render import fmt_plain, money
from ..resolve import Figure
from ..text import tokens
from . import value
from .value import as_value


def run(q: Plan, ctx) -> Answer:
    res = ctx.res
    specs = q.periods
    if len(q.parts) != 2 and len(specs) < 2:
        return as_value(q, ctx)
    n1, n2 = q.parts or ("", "")  # no parts: one figure in two periods ("compare SI revenue in Q1 and Q2")
    if len(specs) >= 2 and q.parts and not tokens(n1 + " " + n2):
        return value.run(q, ctx)
    if len(specs) >= 2:
        # The same figure in two periods ("first or second quarter"); an unprinted quarter is derived.
        sides = []
        for spec in specs[:2]:
            k = res.key(spec)
            got = res.figure_for(q.metric, q, k) if k is not None else None
            if got is None:
                return ctx.out.not_found(q, k)
            sides.append((got, ctx.name(got.picks[0].fact)))
    else:
        a, b = res.two(q, n1, n2)
        sides = [(Figure(Quantity.of(p.fact), [p], p.fact.period.label), ctx.name(p.fact)) for p in (a, b)]
    (fa, _), (fb, _) = sides
    win, lose = (sides[0], sides[1]) if calc.larger(fa.value, fb.value) is fa.value else (sides[1], sides[0])
    summary = (f"{win[1]} ({win[0].label}) was larger: {money(win[0].value.value, win[0].value.unit)} "
               f"against {money(lose[0].value.value, lose[0].value.unit)} for {lose[1].lower()} ({lose[0].label}).")
    calc_text = f"{shown(win[0])} > {shown(lose[0])}"
    return ctx.out.finish(q, summary, win[0].value.value, win[0].value.unit, calc_text, [p.fact for p in win[0].picks + lose[0].picks])


def shown(side: Figure) -> str:
    """A worked-out side shows its working, a printed one its cell."""
    return side.value.working() if len(side.picks) > 1 else fmt_plain(side.picks[0].fact)
