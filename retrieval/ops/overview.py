"""How are we doing: the headline figures of the main period (the top line, the operating result,
the bottom line), each with its change from a year earlier and its progress against the full-year
target where the filing gives one. Built from the rows' roles, not from one filing's labels."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from schema import Answer

from .. import calculator as calc
from ..calculator import Quantity
from ..periods import Key, key_of
from ..plan import PeriodSpec, Plan
from ..render import day, money
from ..resolve import Pick

# The headline roles, the words that name each (roles.json "intents") and what it is in plain words.
HEADLINES = (("revenues", "the top line"), ("operating income", "the result of the business itself"),
             ("profit", "the bottom line"))
LENGTH = {3: "three months", 6: "six months", 9: "nine months", 12: "year"}


@dataclass
class Headline:
    now: Pick
    before: Optional[Pick]
    target: Optional[Pick]
    plain: str


def run(q: Plan, ctx) -> Answer:
    key = main_period(q, ctx)
    lines = [h for words, plain in HEADLINES if (h := headline(q, ctx, words, plain, key))]
    if not lines:
        return ctx.out.not_found(q, key)
    key = key_of(lines[0].now.fact.period)
    intro = f"In brief, {period_words(ctx, key)}:"
    summary = intro + "\n" + "\n".join(f"- {line_text(ctx, h)}" for h in lines)
    facts = [p.fact for h in lines for p in (h.now, h.before, h.target) if p is not None]
    return ctx.out.finish(q, summary, None, None, None, facts)


def main_period(q: Plan, ctx) -> Optional[Key]:
    spec = q.periods[-1] if q.periods else None
    return ctx.res.key(spec) if spec and not spec.empty() else ctx.periods.current


def headline(q: Plan, ctx, words: str, plain: str, key: Optional[Key]) -> Optional[Headline]:
    res = ctx.res
    if not ctx.roles.rows_for(words):
        return None
    now = res.pick(words, q, key, ctx.main_currency or None, target=False)
    if now is None:
        return None
    k = key_of(now.fact.period)
    before = res.pick(words, q, ctx.periods.shift(k, -1), now.fact.unit, target=False)
    year = ctx.periods.resolve(PeriodSpec(12, fy=ctx.periods.fy(k), target=True))
    target = res.pick(words, q, year, now.fact.unit, target=True) if year and k[1] < 12 else None
    return Headline(now, before, target, plain)


def line_text(ctx, h: Headline) -> str:
    f = h.now.fact
    name = ctx.name(f)
    text = f"{name} ({h.plain}): {signed(f.value, f.unit)}"
    if h.before is not None:
        b = h.before.fact
        if b.value > 0 and f.value > 0:
            pct = calc.pct_change(Quantity.of(b), Quantity.of(f)).value
            text += f", {'up' if pct >= 0 else 'down'} {abs(pct):.1f}% from {money(b.value, b.unit)} a year earlier"
        else:  # a change of sign has no meaningful percentage
            text += f", against {signed(b.value, b.unit)} a year earlier"
    if h.target is not None and h.target.fact.value > 0:
        t = h.target.fact
        share = calc.ratio_pct(Quantity.of(f), Quantity.of(t)).value
        text += f"; {share:.1f}% of the {t.period.label} of {money(t.value, t.unit)}"
    return text + "."


def signed(value: float, unit: str) -> str:
    return f"a loss of {money(-value, unit)}" if value < 0 else money(value, unit)


def period_words(ctx, key: Key) -> str:
    """ "the six months to September 30, 2012 (1H FY2012)": the period in words on first use."""
    end = date.fromisoformat(key[0])
    label = ctx.periods.label(key)
    length = LENGTH.get(key[1])
    if not length:
        return label
    return f"the {length} to {day(end)} ({label})"
