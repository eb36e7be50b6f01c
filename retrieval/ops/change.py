"""The change of one figure between two periods, in its unit or in percent."""
from __future__ import annotations

import re
from typing import Optional

from schema import Answer, Fact

from .. import calculator as calc
from ..calculator import Quantity
from ..context import bare
from ..periods import Key, key_of
from ..plan import Plan
from ..render import money, named_direction, pct_words
from ..resolve import CLOSING, Pick
from ..text import tokens

# "Net decrease in cash and cash equivalents": a row that is itself the net change of a balance.
NET_CHANGE = re.compile(r"^\s*net\s+(?:increase|decrease|change)s?\b(?:\s*\([^)]*\))?\s+in\s+(?P<subject>.+)", re.I)


def run(q: Plan, ctx) -> Answer:
    res, periods = ctx.res, ctx.periods
    s1, s2 = res.chronological(*res.specs(q, 2))
    k2 = res.key(s2)
    base = periods.resolve(s1) if s2 is None and s1 and not s1.relative else None
    if base and base[1] == 0:
        k2 = periods.balance_date_after(base[0])  # "since March": from that balance to the next one reported
    unit = "%" if q.cues.percent else "USD" if q.currency == "USD" else None
    p2 = res.pick(q.metric, q, k2, unit)
    if p2 is None:
        return printed_steps(q, ctx, s1, k2) or ctx.out.not_found(q, k2)
    k2 = key_of(p2.fact.period)
    if printed_net_change(ctx, p2.fact) and len([s for s in q.periods if not s.relative]) <= 1 and not any(s.relative for s in q.periods):
        return ctx.out.answer_fact(q, p2.fact)
    k1 = periods.resolve(s1, None) if s1 and not (s1.relative and s2 is None) else periods.shift(k2, -1)
    if s1 and s1.relative and s2 is not None:
        k1 = periods.shift(k2, s1.relative - s2.relative)
    if k1 and k1[2] and k2[2] and not (s1 and s1.target and not s1.relative):
        k1 = (k1[0], k1[1], False)  # a target's growth is over the year before as achieved, not over last year's target
    if k1 and k1[0] > k2[0]:
        # "2Q12 versus 2Q11": the change runs from the earlier period to the later one.
        k1, k2 = k2, k1
        p2 = res.pick(q.metric, q, k2, unit) or p2
    printed = None
    for cand in res.same_figure(res.picks(q.metric, q, k2, unit) or [p2]):
        printed = printed_change(ctx, cand, k1, k2, "%" if q.op == "pct_change" else p2.fact.unit)
        if printed is not None:
            break
    if printed is not None and printed.unit != "%":
        return ctx.out.finish(q, f"{ctx.name(p2.fact)} changed by {money(printed.value, printed.unit, signed=True)} from {periods.label(k1)} to {printed.period.label}, as the filing prints it.", printed.value, printed.unit, None, [printed])
    if q.op == "pct_change" and printed is not None:
        summary = f"{ctx.name(p2.fact)} went {pct_words(printed.value)} in {printed.period.label} compared with {periods.label(k1)}, as the filing prints it."
        return ctx.out.finish(q, summary, printed.value, "%", None, [printed])
    p1f = res.fact_for(p2.row, k1, q, p2.fact.unit)
    if p1f is None and k1:
        other_row = res.pick(q.metric, q, k1, p2.fact.unit)
        # A balance changes against a balance ("Cash ..., end of period" is one), not against a flow
        # ("Increase (decrease) in income taxes payable").
        p1f = other_row.fact if other_row and (bool(other_row.fact.period.months) == bool(p2.fact.period.months)
                                               or CLOSING.search(other_row.fact.metric)) else None
    if p1f is None and k1 and k1[1] == 0:
        # For a balance, "the change" is against the other date the table gives.
        others = [f for f in p2.row.facts if f.period.end < k2[0] and f.unit == p2.fact.unit and not f.qualifier]
        p1f = max(others, key=lambda f: f.period.end) if others else None
    if p1f is None and k1 and k1[1] in (3, 6):
        worked = res.from_others(q.metric, q, k1, p2.fact.unit)  # "from the first quarter": its half minus the second
        if worked is not None:
            before, picks, how = worked
            what = (f"Change in {ctx.name(p2.fact).lower()} from {periods.label(k1)} ({money(before.value, before.unit)}, "
                    f"worked out as {how}) to {bare(p2.fact.period.label)} ({money(p2.fact.value, p2.fact.unit)})")
            moved = calc.pct_change if q.op == "pct_change" else calc.change
            return ctx.out.compose(q, moved(before, Quantity.of(p2.fact)), what, [p.fact for p in picks] + [p2.fact],
                                   base=None if q.op == "pct_change" else before.value)
    if p1f is None:
        pct = printed_change(ctx, p2, k1, k2, "%") or next(
            (x for c in res.same_figure(res.picks(q.metric, q, k2, unit) or [p2]) for x in [printed_change(ctx, c, k1, k2, "%")] if x), None)
        if pct is not None:
            summary = f"The filing gives this change only as a percentage: {ctx.name(p2.fact).lower()} {pct_words(pct.value)} in {pct.period.label} compared with a year earlier."
            return ctx.out.finish(q, summary, pct.value, "%", None, [pct])
        return ctx.out.not_found(q, k1)
    a, b = amounts(p1f, p2.fact)
    if q.op == "pct_change" and a.unit != "%":
        what = f"Percentage change in {ctx.name(p2.fact).lower()} from {bare(p1f.period.label)} to {bare(p2.fact.period.label)}"
        said = f" (from {money(a.value, a.unit)} to {money(b.value, b.unit)})" if a.unit in calc.MONEY | {"count"} else ""
        return ctx.out.compose(q, calc.pct_change(a, b), what, [p1f, p2.fact], amounts=said)
    return ctx.out.compose(q, calc.change(a, b), change_what(ctx, p1f, p2.fact, (a.value, b.value)), [p1f, p2.fact], base=a.value)


def printed_steps(q: Plan, ctx, s1, k2: Optional[Key]) -> Optional[Answer]:
    """A table printing only each year's change ("Change between 2019 and 2018", "... 2018 and 2017"): the change
    from 2017 to 2019 is the sum of the yearly changes of one row."""
    if not (s1 and s1.fy and k2):
        return None
    steps: list[Pick] = []
    k = k2
    while ctx.periods.fy(k) > s1.fy:
        p = ctx.res.pick(q.metric, q, k, None, qualifier="change")
        if p is None or p.fact.unit == "%" or key_of(p.fact.period)[:2] != k[:2] or (steps and p.row.key != steps[0].row.key):
            return None
        steps.append(p)
        k = ctx.periods.shift(k, -1)
    if len(steps) < 2:
        return None
    facts = [p.fact for p in reversed(steps)]
    total = Quantity.of(facts[0])
    for f in facts[1:]:
        total = calc.add(total, Quantity.of(f))
    what = (f"Change in {facts[0].metric.lower()} from FY{s1.fy} to {bare(facts[-1].period.label)}, "
            f"the sum of the yearly changes the filing prints")
    return ctx.out.compose(q, total, what, facts)


def amounts(before: Fact, after: Fact) -> tuple[Quantity, Quantity]:
    """A cost or outflow printed in brackets in both periods ("Interest expense (279,059) (254,126)")
    changes as the amount its label names: it rose when the bracketed figure grew."""
    both = [before, after]
    if any(f.value < 0 for f in both) and all(f.value <= 0 for f in both) and named_direction(after.metric):
        return Quantity.amount(before), Quantity.amount(after)
    return Quantity.of(before), Quantity.of(after)


def printed_net_change(ctx, f: Fact) -> bool:
    """The row is the printed net change of a balance the filing also prints ("Net decrease in cash
    and cash equivalents" beside "Cash and cash equivalents"): its figure answers how that balance
    changed. A cash-flow line for a part ("Increase (decrease) in accounts payable", "Net decrease
    in short-term borrowings with initial maturities less than three months") is the cash effect
    of something narrower, not the change of the balance: the balances answer that."""
    m = NET_CHANGE.search(f.metric)
    if m is None:
        return False
    subject = set(tokens(m["subject"]))
    return bool(subject) and any(subject <= r.label for r in ctx.rows.rows
                                 if r.facts and all(x.period.months == 0 for x in r.facts) and not NET_CHANGE.search(r.first.metric))


def change_what(ctx, before: Fact, after: Fact, values: Optional[tuple[float, float]] = None) -> str:
    """The change's headline; `values` are the figures as worked with (a bracketed cost as its amount)."""
    v1, v2 = values or (before.value, after.value)
    return (f"Change in {ctx.name(after).lower()} from {bare(before.period.label)} ({money(v1, before.unit)}) "
            f"to {bare(after.period.label)} ({money(v2, after.unit)})")


def printed_change(ctx, p: Pick, k1: Optional[Key], k2: Key, unit: str) -> Optional[Fact]:
    """The change column the table prints itself (YoY % change, YoY change), when it is the one asked."""
    if k1 is None or ctx.periods.shift(k2, -1)[:2] != k1[:2]:
        return None
    return next((f for f in p.row.facts if key_of(f.period) == k2 and f.unit == unit and f.qualifier
                 and re.search(r"change|yoy|increase|growth|variance", f.qualifier, re.I) and (unit == "%") == bool(re.search(r"%|percent", f.qualifier, re.I))), None)
