"""Gross margin (revenue minus cost) and its ratio, as printed or worked out, and how they moved."""
from __future__ import annotations

import re
from typing import Optional

from schema import Answer

from .. import calculator as calc
from ..calculator import CalcError, Quantity
from ..context import for_period
from ..periods import Key, key_of
from ..plan import Plan
from ..render import money
from ..resolve import Pick
from ..text import tokens
from .change import change_what
from .value import implied_period, yoy_note

SEGMENT_NOISE = re.compile(r"\b(minus|company-wide|companywide|overall|whole company|entire company|gross|margin|ratio|rate|percentage|percent|cost|costs|revenues?|sales|on|for|of|as a|share|what|was|the|overall|profit|make|did|a|its|it)\b", re.I)


def run(q: Plan, ctx) -> Answer:
    res, periods = ctx.res, ctx.periods
    ratio = q.op == "margin_ratio"
    term = "gross margin ratio" if ratio else "gross margin"
    if q.cues.moved or len(q.periods) >= 2:
        s1, s2 = res.chronological(*res.specs(q, 2))
        k2 = res.key(s2)
        p2 = printed_margin(q, ctx, k2, ratio)
        if p2 is not None:
            k1 = periods.resolve(s1) if s1 and not s1.relative else periods.shift(key_of(p2.fact.period), -1)
            f1 = res.fact_for(p2.row, k1, q, p2.fact.unit)
            if f1 is not None:
                return ctx.out.compose(q, calc.change(Quantity.of(f1), Quantity.of(p2.fact)), change_what(ctx, f1, p2.fact), [f1, p2.fact],
                                       term=term, base=None if ratio else f1.value)
        r2, c2 = margin_parts(q, ctx, k2)
        k2 = key_of(r2.fact.period)
        k1 = periods.resolve(s1) if s1 and not s1.relative else periods.shift(k2, -1)
        r1, c1 = margin_parts(q, ctx, k1)
        m1 = calc.subtract(Quantity.of(r1.fact), Quantity.of(c1.fact))
        m2 = calc.subtract(Quantity.of(r2.fact), Quantity.of(c2.fact))
        if ratio:
            result = calc.subtract(calc.ratio_pct(m2, Quantity.of(r2.fact)), calc.ratio_pct(m1, Quantity.of(r1.fact)))
            what = f"Change in the {seg_name(r2)}gross margin ratio from {r1.fact.period.label} ({m1.value / r1.fact.value * 100:.1f}%) to {r2.fact.period.label} ({m2.value / r2.fact.value * 100:.1f}%)"
        else:
            result = calc.change(m1, m2)
            what = f"Change in {seg_name(r2)}gross margin from {r1.fact.period.label} ({money(m1.value, m1.unit)}) to {r2.fact.period.label} ({money(m2.value, m2.unit)})"
        return ctx.out.compose(q, result, what, [p.fact for p in (r1, c1, r2, c2)], term=term, base=None if ratio else m1.value)
    key = res.key(res.specs(q, 1)[0])
    printed = printed_margin(q, ctx, key, ratio)
    if printed is not None:
        return ctx.out.answer_fact(q, printed.fact, yoy_note(ctx, printed))
    if key and key[1] in (3, 6) and printed_margin(q, ctx, None, ratio) is not None:
        return implied_period(q, ctx, key)  # printed for other periods that make this one up
    r, c = margin_parts(q, ctx, key)
    m = calc.subtract(Quantity.of(r.fact), Quantity.of(c.fact))
    lead = f"{seg_name(r)}gross margin"
    lead = lead[0].upper() + lead[1:]  # "ATM operation business gross margin", never "Atm"
    if ratio:
        result = calc.ratio_pct(m, Quantity.of(r.fact))
        what = f"{lead} ratio {for_period(r.fact.period.label)} (gross margin {money(m.value, m.unit)} on revenue of {money(r.fact.value, r.fact.unit)})"
    else:
        result = m
        what = f"{lead} {for_period(r.fact.period.label)} (revenue {money(r.fact.value, r.fact.unit)} minus cost {money(c.fact.value, c.fact.unit)})"
    return ctx.out.compose(q, result, what, [r.fact, c.fact], term=term)


def segment_words(metric: str) -> str:
    t = SEGMENT_NOISE.sub(" ", re.sub(r"\([^)]*\)", " ", metric))
    return " ".join(w for w in t.split() if tokens(w))  # words that can name a segment, not "in" or "?"


def margin_parts(q: Plan, ctx, key: Optional[Key]) -> tuple[Pick, Pick]:
    res = ctx.res
    seg = segment_words(q.metric)
    rev = res.pick((seg + " revenues") if seg else "total revenues", q, key)
    if rev is None:
        raise CalcError(f"no revenue figure found for '{seg or 'the company'}'")
    cost = res.pick((seg + " cost") if seg else "total cost", q, key_of(rev.fact.period), rev.fact.unit, prefer_scale=rev.fact.scale)
    if cost is None or cost.row.key == rev.row.key:
        # One row found for both ("Total Customer Support Revenues > Cost of ..."): no margin can be worked out.
        raise CalcError(f"no cost figure found for '{seg or 'the company'}'")
    # Both sides from the same precision where the table offers it.
    if cost.fact.scale != rev.fact.scale:
        alt = res.pick((seg + " revenues") if seg else "total revenues", q, key_of(rev.fact.period), rev.fact.unit)
        if alt and alt.fact.scale == cost.fact.scale:
            rev = alt
    return rev, cost


def printed_margin(q: Plan, ctx, key: Optional[Key], ratio: bool) -> Optional[Pick]:
    """A gross margin a table prints (often as "Gross profit"): used as printed rather than worked out."""
    seg = segment_words(q.metric)
    p = ctx.res.pick(f"{seg} gross margin".strip(), q, key, want_unit="%" if ratio else ctx.main_currency or None)
    if p is None or p.row.key[0].startswith("text:") or not {"gross", "margin"} <= p.row.label:
        return None
    if seg and not set(tokens(seg)) <= p.row.label | p.row.context:
        return None  # the company's figure, when the question names a segment
    return p


def seg_name(rev: Pick) -> str:
    name = rev.fact.metric if rev.fact.metric.lower() not in ("total", "total revenues", "revenues") else ""
    if rev.fact.metric.lower() == "total" and len(rev.fact.row_path) > 1:
        name = rev.fact.row_path[-2]
    return f"{name} " if name else ""
