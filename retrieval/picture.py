"""A figure asked for by group or over periods, so that its answer gives every figure a chart needs:
"show me revenue by segment" is every line of the breakdown (the ranking operation, all members
listed); "how did revenue move over the quarters?", "revenue trend" or "chart revenue" is the
figure in each period of one length, oldest first, printed or worked out.

Read off the plan's figure words; the picture words ("show me", "chart", "trend") and the grouping
words are no part of the figure's name, so they are taken out before the figure is looked for.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Optional

from ingest.cells import add_months
from schema import Answer, Figure, Period

from .calculator import Quantity
from .chart import asks_for_picture
from .context import Context
from .ops import run
from .periods import Key, key_of
from .plan import Plan
from .render import fmt_plain, money
from .resolve import Figure as Resolved

GROUP = re.compile(r"\b(?:by|per|for each|for every|in each|across|split by|broken down by)\s+(?:the\s+)?"
                   r"(?P<group>(?:segment|region|business|division|geograph|countr|product)\w*|service lines?)", re.I)
OVER = re.compile(r"\b(?:over|across)\s+(?:the\s+)?(?:last\s+\w+\s+)?(?:quarters|halves|years|periods)\b"
                  r"|\b(?:by|in each|each|every|for each)\s+(?:quarter|half|year)\b|\bquarter by quarter\b"
                  r"|\b(?:quarterly|half-yearly|yearly|annually)\b|\btrends?\b|\bover time\b", re.I)
# Words of asking for a picture or a movement: no part of a figure's name.
PICTURE = re.compile(r"\b(?:show|charts?|charted|plots?|plotted|graphs?|graphed|visuali[sz]e|pictures?|diagrams?|draw"
                     r"|move[sd]?|moving|develop(?:ed)?|evolve[sd]?|went|gone)\b", re.I)


def answer(plan: Plan, ctx: Context) -> Optional[Answer]:
    """The breakdown or series the plan asks for, or None when it asks for neither."""
    if plan.periods or plan.op not in ("value", "change") or (plan.expr is not None and len(plan.expr.leaves()) > 1):
        return None  # a question naming its periods, or a formula of several figures, is answered as it stands
    metric = plan.metric
    group, over = GROUP.search(metric), OVER.search(metric)
    if group and plan.op == "value":  # the ranking lists every member of the breakdown
        cues = replace(plan.cues, rank_word="highest", rank_group=group["group"].lower(), high=True)
        return run(replace(plan, op="rank", metric=_clean(GROUP.sub(" ", metric)), cues=cues), ctx)
    if over or (plan.op == "value" and asks_for_picture(plan.words)):
        clean = replace(plan, metric=_clean(OVER.sub(" ", metric)))
        return series(replace(clean, op="series"), ctx, _months(over)) or run(clean, ctx)
    return None


def _clean(metric: str) -> str:
    return " ".join(PICTURE.sub(" ", metric).replace("?", " ").split())


def _months(over: Optional[re.Match]) -> Optional[int]:
    """The length of the periods asked over; None for "trend" or "over time" (those the row prints)."""
    said = over[0].lower() if over else ""
    return 3 if "quarter" in said else 6 if "hal" in said else 12 if "year" in said or "annual" in said else None


def series(q: Plan, ctx: Context, months: Optional[int]) -> Optional[Answer]:
    """One figure in each period of a length (quarters and halves of this fiscal year and the one
    before, worked out where not printed), or across the periods its row prints; oldest first."""
    sides = _sides(q, ctx, months)
    if len(sides) < 2:
        return None
    name = ctx.name(sides[0][1].picks[0].fact)
    unit = sides[0][1].value.unit
    shown = "; ".join(f"{s.label} {money(s.value.value, s.value.unit)}" for _, s in sides)
    summary = f"{name} by {_span_word(sides[0][0][1])}: {shown}."
    working = "; ".join(f"{s.label}: {s.value.working() if len(s.picks) > 1 else fmt_plain(s.picks[0].fact)}" for _, s in sides)
    figures = [_figure(name, key, s) for key, s in sides]
    facts = [p.fact for _, s in sides for p in s.picks]
    last = sides[-1][1].value
    return ctx.out.finish(q, summary, last.value, unit, working, facts, figures=figures)


def _sides(q: Plan, ctx: Context, months: Optional[int]) -> list[tuple[Key, Resolved]]:
    if months in (3, 6) and ctx.periods.current:
        found = [(k, ctx.res.figure_for(q.metric, q, k)) for k in _keys(ctx, months)]
        sides = [(k, s) for k, s in found if s is not None]
        unit = sides[0][1].value.unit if sides else None
        return [(k, s) for k, s in sides if s.value.unit == unit]
    pick, facts = ctx.res.series(q.metric, q, months or 0)
    return [(key_of(f.period), Resolved(Quantity.of(f), [replace(pick, fact=f)], f.period.label)) for f in facts] if pick else []


def _keys(ctx: Context, months: int) -> list[Key]:
    """Every period of this length from the start of the fiscal year before the current one up to
    the current period."""
    cur = ctx.periods.current
    start = ctx.periods.cal.fy_end(ctx.periods.fy(cur) - 2)
    ends = (add_months(start, i * months) for i in range(1, 24 // months + 1))
    return [(e.isoformat(), months, False) for e in ends if e <= date.fromisoformat(cur[0])]


def _span_word(months: int) -> str:
    return {3: "quarter", 6: "half", 12: "year", 0: "date"}.get(months, "period")


def _figure(name: str, key: Key, s: Resolved) -> Figure:
    """A series point as a figure of the answer: the cell itself, or the calculator's result with its working."""
    facts = [p.fact for p in s.picks]
    first = facts[0]
    printed = len(facts) == 1
    period = first.period if printed else Period(key[0], key[1], s.label)
    return Figure(name, period, s.value.value, s.value.unit, first.table_title, " > ".join(first.row_path),
                  tuple(sorted({f.line for f in facts})), first.cell_text if printed else "",
                  "" if printed else s.value.working())
