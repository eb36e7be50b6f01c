"""What a period label means ("1H FY2012", "H1 2020", "fiscal 2019"): its dates, from the filing's
own fiscal calendar, and where it sits in its fiscal year."""
from __future__ import annotations

from datetime import date, timedelta

from schema import Answer

from ingest.cells import add_months

from ..periods import key_of
from ..plan import PeriodSpec, Plan
from ..render import day

LENGTH = {3: "three months", 6: "six months", 9: "nine months", 12: "twelve months"}
PART = {3: "quarter", 6: "half"}
ORDINAL = ["first", "second", "third", "fourth"]
ABBREVIATIONS = "In such labels H stands for half, Q for quarter and FY for fiscal year (the company's financial year)."


def run(q: Plan, ctx) -> Answer:
    # A span is what a label means; a date said beside it ("is it December 2012?") is a guess at its end.
    spans = [s for s in q.periods if s.months != 0 and not s.empty()] or [s for s in reversed(q.periods) if not s.empty()]
    spec = spans[0] if spans else PeriodSpec(12)
    key = ctx.res.key(spec) or ctx.periods.current
    if key is None or not key[1]:
        return ctx.out.not_found(q, key)
    cal, label = ctx.periods.cal, ctx.periods.label(key)
    end = date.fromisoformat(key[0])
    start = add_months(end, -key[1]) + timedelta(days=1)
    fy = ctx.periods.fy(key)
    fy_start, fy_end = cal.fy_end(fy - 1) + timedelta(days=1), cal.fy_end(fy)
    summary = f"{label} is the {LENGTH.get(key[1], f'{key[1]} months')} from {day(start)} to {day(end)}"
    if key[1] in PART:
        n = ctx.periods.elapsed(key) // key[1]
        summary += f": the {ORDINAL[n - 1]} {PART[key[1]]} of fiscal year {fy}"
    if (start, end) != (fy_start, fy_end):
        summary += f". The company's fiscal year {fy} runs from {day(fy_start)} to {day(fy_end)}"
    summary += f". {ABBREVIATIONS}"
    cell = next((f for f in ctx.facts if f.period.end and key_of(f.period) == key and not f.period.is_target), None)
    return ctx.out.finish(q, summary, None, None, None, [cell] if cell else [])
