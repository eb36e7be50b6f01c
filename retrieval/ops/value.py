"""A figure as printed, or a period the filing does not print worked out from others."""
from __future__ import annotations

import re
from dataclasses import replace

from schema import Answer

from .. import calculator as calc
from ..calculator import Quantity
from ..context import for_period
from ..periods import key_of
from ..plan import Plan
from ..render import COUNTED, money, named_direction
from ..resolve import Pick
from ..text import tokens


def run(q: Plan, ctx) -> Answer:
    res = ctx.res
    spec = res.specs(q, 1)[0]
    key = res.key(spec)
    target = True if spec and spec.target else None
    if not tokens(q.metric) and not q.cues.counts:
        return ctx.out.ask_back(q, key)  # "how much did we make?": no figure named, so offer the readings
    p = None
    if q.cues.counts:
        p = res.pick(q.metric, q, key, "count", target)  # "how many" asks for a count, not an amount
    if p is None and spec is None and q.cues.holding:
        # "How much cash do we have?": a balance, at the balance date the filing reports most.
        p = res.pick(q.metric, q, ctx.periods.balance_date_after(""), None, target)
    # "how much of that was capital leases?": a part, so not a row giving the whole asked before
    wholes = res.picks(q.cues.whole, replace(q, metric=q.cues.whole), key) if q.cues.whole else []
    whole = tuple(x.row.key for x in res.same_figure(wholes)) if wholes else ()
    if wholes and p is None:  # measured as the whole is: "how much of that (revenue) is hi-ho?" asks for yen
        p = res.pick(q.metric, q, key, wholes[0].fact.unit, target, exclude=whole)
    p = p or res.pick_in(q.metric, q, spec, key, target=target, exclude=whole)
    if p is not None and q.cues.counts and not q.currency and p.fact.unit in calc.MONEY:
        return ctx.out.not_found(q, key)  # "how many people": an amount of money is no answer
    if p is None and key and key[1] in (3, 6):
        return implied_period(q, ctx, key)
    if p is not None and q.currency and p.fact.unit != q.currency:
        converted = _in_currency(q, ctx, p, key, target)
        if isinstance(converted, Answer):
            return converted
        if converted is None:
            return ctx.out.decline(q.text, f"The filing gives {ctx.name(p.fact).lower()} {for_period(p.fact.period.label)} only in "
                                           f"{p.fact.unit} ({money(p.fact.value, p.fact.unit)}), with no {q.currency} figure or exchange rate "
                                           f"to convert it.", [], facts=[p.fact], plan=q)
        p = converted
    if p is None or not counts_the_same_thing(q, p) or not same_kind(q, p):
        return ctx.out.not_found(q, key)
    return ctx.out.answer_fact(q, p.fact, yoy_note(ctx, p), alternatives(q, p))


def _in_currency(q: Plan, ctx, p: Pick, key, target):
    """The best row in the asked currency when it prints one (a convenience column), else converted
    at the filing's rate; None when neither is possible."""
    res = ctx.res
    same = [x for x in res.picks(q.metric, q, key_of(p.fact.period), q.currency, target) if x.row.key == p.row.key]
    same = same or [x for x in res.same_figure(res.picks(q.metric, q, key, None, target) or [p])
                    for x in [Pick(x.row, f, x.score) for f in x.row.facts
                              if key_of(f.period) == key_of(p.fact.period) and f.unit == q.currency and f.qualifier == p.fact.qualifier]]
    if same:
        return same[0]
    rate = ctx.rate
    if rate is not None and p.fact.unit == rate.unit.split("/")[0] and q.currency == rate.unit.split("/")[1]:
        res_q = calc.convert(Quantity.of(p.fact), Quantity.of(rate), q.currency)
        what = (f"{ctx.name(p.fact)} {for_period(p.fact.period.label)} ({money(p.fact.value, p.fact.unit)}) converted to US dollars "
                f"at the filing's rate of {money(rate.value, rate.unit)}")
        return ctx.out.compose(q, res_q, what, [p.fact, rate])
    return None


def counts_the_same_thing(q: Plan, p: Pick) -> bool:
    """"How many data centers" is not answered by a count of data-center contracts: the thing the
    question counts must be the thing the table counts ("Number of Contracts ...", "(shares)")."""
    if not q.cues.counted or p.fact.unit != "count":
        return True
    asked = set(q.cues.counted)
    f = p.fact
    counted = COUNTED.search(f.metric + " " + f.table_title)
    nouns = set(tokens(counted.group(1))) if counted else set()
    if re.search(r"\((?:shares|ADSs?)\)|\bshares\b", f.metric, re.I):
        nouns |= {"share", "ad"}
    return not nouns or bool(asked & nouns) or not asked


KIND_WORDS = set(tokens("rate ratio margin yield percentage multiple"))


def same_kind(q: Plan, p: Pick) -> bool:
    """ "The churn rate of home-use contracts" is not answered by the number of contracts: a rate or
    ratio asked for must be one the row gives (a percentage or times, or named so)."""
    asked = set(q.metric_tokens) & KIND_WORDS
    if not asked or p.fact.unit in ("%", "x") or "/" in p.fact.unit:
        return True
    if p.fact.unit in calc.MONEY:  # an amount answers only when its row is the rate itself, not "the effect of exchange rate changes"
        return bool(asked & set(tokens(p.row.first.row_path[-1])[-1:]))
    return bool(asked & (p.row.label | p.row.context))


def yoy_note(ctx, p: Pick) -> str:
    """The year-on-year change when the row has the year before."""
    f = p.fact
    if f.unit not in calc.MONEY and f.unit != "count":
        return ""
    prev_key = ctx.periods.shift(key_of(f.period), -1)
    prev = next((g for g in p.row.facts if key_of(g.period) == prev_key and g.unit == f.unit and not g.qualifier), None)
    if prev is None or prev.value <= 0 or f.value < 0:
        return ""  # a percentage change across a loss or an outflow misleads more than it says
    pct = (f.value - prev.value) / abs(prev.value) * 100
    if f.value == prev.value:
        return ", unchanged from a year earlier"
    word = "up" if pct >= 0 else "down"
    return f", {word} {abs(pct):.1f}% from {money(prev.value, prev.unit)} a year earlier"


def alternatives(q: Plan, p: Pick) -> list[str]:
    """With no period named, the latest is used: say so, with the other period's figure."""
    out = []
    if not q.periods:
        others = [f for f in p.row.facts if f is not p.fact and not f.qualifier and f.unit == p.fact.unit]
        if others:
            o = max(others, key=lambda f: f.period.end)
            shown = -o.value if o.value < 0 and p.fact.value < 0 and named_direction(o.metric) else o.value  # as the answer reads
            out.append(f"No period was named, so this is the latest one ({p.fact.period.label}); {o.period.label} was {money(shown, o.unit)}.")
    return out


def implied_period(q: Plan, ctx, key) -> Answer:
    got = ctx.res.from_others(q.metric, q, key)
    if got is None:
        return ctx.out.not_found(q, key)
    res_q, picks, how = got
    what = f"{ctx.name(picks[0].fact)} for {ctx.periods.label(key)} (not printed: {how})"
    return ctx.out.compose(q, res_q, what, [p.fact for p in picks])


def as_value(q: Plan, ctx) -> Answer:
    """An operation that finds too few operands answers as a plain figure."""
    return run(replace(q, op="value"), ctx)
