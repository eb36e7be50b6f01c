"""The highest or lowest of a group: the rows under one heading ("Operating income (loss):" over the
segments), or the rows of a table ("Revenue by Region"), in one period; or one row across periods
when the group is a time ("which quarter")."""
from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from schema import Answer

from .. import calculator as calc
from ..calculator import Quantity
from ..context import for_period, row_name
from ..periods import Key, key_of
from ..plan import Plan
from ..render import fmt_plain, money
from ..search import GENERIC_LABELS, RowDoc
from ..text import tokens
from ..understand import COMPARATIVE
from .value import as_value

PAIRED = {best: more for more, best in COMPARATIVE.items()}
PERIOD_LENGTHS = {"quarter": 3, "half": 6, "year": 12}
PERIOD_WORDS = set(PERIOD_LENGTHS) | {"month", "period"}
GENERIC_GROUP = {"one", "item", "line", "business", "part", "category", "type", "kind", "area", "unit"}
# Lines of a breakdown that reconcile it rather than belong to it.
NOT_A_MEMBER = re.compile(r"(?:corporate|elimination|intersegment|adjustment|reconcil|consolidat|central functions|unallocated|group\b)", re.I)
REVENUE_WORDS = set(tokens("revenues sales"))
PLACE_WORDS = set(tokens("region regions regional geographic geographical geography country countries location locations market markets"))


def run(q: Plan, ctx) -> Answer:
    c = q.cues
    if not c.rank_word:
        return as_value(q, ctx)
    group = set(tokens(c.rank_group)) - GENERIC_GROUP
    vague = set(tokens(" ".join(GENERIC_GROUP)))
    named = set(tokens(" ".join(c.members + (c.within,))))
    want = [t for t in tokens(q.metric) if t not in group | vague | named and t not in tokens(c.rank_word) and ctx.rows.known(t)]
    key = ctx.res.key(ctx.res.specs(q, 1)[0])
    said = set(c.rank_group.lower().split())
    if said & PERIOD_WORDS:
        return rank_periods(q, ctx, want, next((PERIOD_LENGTHS[w] for w in said if w in PERIOD_LENGTHS), None))
    # "Of our two segments, which ...": a within that names no heading names the kind of group instead.
    groups = named_groups(ctx, c, want) if c.members or c.within else []
    if not groups and not c.members:
        group |= set(tokens(c.within)) - vague
        # No measure named ("which segment grew fastest?"): revenue, where a breakdown of it exists; the
        # parts of the company's whole top line before the parts of one of its lines.
        groups = groups_for(ctx, want, group) if want and not set(want) <= REVENUE_WORDS else (
            groups_for(ctx, tokens("revenues"), group) or groups_for(ctx, [], group))
    if not want or set(want) <= REVENUE_WORDS:
        by_place = bool(set(q.words) & PLACE_WORDS)
        # The parts of the business before the places it sells in, unless the question asks about places.
        groups.sort(key=lambda rows: (not splits_top_line(q, ctx, rows, key), not by_place and is_by_place(rows)))
    for rows in groups:
        scored = rank_rows(q, ctx, rows, key, c.growth, by_amount=bool(q.currency))
        if len(scored) >= 2:
            break
    else:
        return ctx.out.not_found(q, key)
    scored.sort(key=lambda x: x[0].value, reverse=c.high)
    best, row, facts = scored[0]
    f = facts[-1]
    pair = len(scored) == 2  # of two, the comparative: "grew faster", "had more revenue"
    if c.growth and q.currency:
        what = ("grew more" if pair else "grew the most") if c.high else ("grew less" if pair else "grew the least")
    elif c.growth:
        what = ("grew faster" if pair else "grew fastest") if c.high else ("grew more slowly" if pair else "grew slowest")
    else:
        what = PAIRED.get(c.rank_word, c.rank_word) if pair else "the " + c.rank_word
    measure = "" if c.growth else " " + (group_measure(row) if not want else " ".join(
        w for w in re.sub(r"[^\w\s&-]", " ", q.metric).split() if set(tokens(w)) & set(want)))
    head = f"{member_name(row)} {what}" if c.growth else f"{member_name(row)} had {what}{measure}"
    if c.growth and c.high and best.value < 0:
        head = f"None of them grew; {member_name(row)} fell least"  # never "grew fastest" for a fall
    others = "; ".join(f"{member_name(r)} {money(v.value, v.unit)}" for v, r, _ in scored[1:])
    summary = f"{head} {for_period(f.period.label)}: {money(best.value, best.unit)}. " + (
        f"The other: {others}." if pair else f"The others: {others}.")
    working = "; ".join(f"{member_name(r)}: {v.working() if c.growth else money(v.value, v.unit)}" for v, r, _ in scored)
    return ctx.out.finish(q, summary, best.value, best.unit, working, [x for _, _, fs in scored for x in fs])


def group_measure(row: RowDoc) -> str:
    """What a breakdown measures, from the heading over it ("Total Revenues" -> "revenues")."""
    over = row.first.row_path[-2] if len(row.first.row_path) > 1 else row.first.table_title
    return re.sub(r"^(?:total|net)\s+", "", over.lower()).strip(" :")


def rank_rows(q: Plan, ctx, rows: list[RowDoc], key: Optional[Key], growth: bool, by_amount: bool = False) -> list[tuple]:
    """(value or growth, row, facts used) for each row of a group that reports the period; growth in
    percent, or `by_amount` ("grew the most in yen") as the change."""
    key = key or group_period(ctx, rows)
    # One measure for all: the group's amounts, not its printed % change column.
    units = Counter(f.unit for r in rows for f in r.facts if f.unit != "%")
    unit = units.most_common(1)[0][0] if units else None
    scored = []
    for r in rows:
        f = ctx.res.fact_for(r, key, q, unit)
        if f is None:
            continue
        if growth:
            f0 = ctx.res.fact_for(r, ctx.periods.shift(key_of(f.period), -1), q, f.unit)
            if f0 is not None and (by_amount or f0.value > 0):
                moved = calc.change if by_amount else calc.pct_change
                scored.append((moved(Quantity.of(f0), Quantity.of(f)), r, [f0, f]))
        else:
            scored.append((Quantity.of(f), r, [f]))
    return scored


def siblings(ctx) -> dict[tuple, list[RowDoc]]:
    """Rows by (table, heading path): the members of each breakdown, without totals (named so, or
    adding up the others), reconciling lines or sentence figures. A row that heads others and prints
    its own figure is a member at its level. Built once per filing, on the first ranking question."""
    with ctx.lock:
        if "siblings" not in ctx.memo:
            groups: dict[tuple, list[RowDoc]] = {}
            for r in ctx.rows.rows:
                if is_member(r):
                    groups.setdefault((r.key[0], r.key[1][:-1]), []).append(r)
            ctx.memo["siblings"] = {k: [r for r in rows if not adds_up(r, rows)] for k, rows in groups.items()}
        return ctx.memo["siblings"]


def adds_up(row: RowDoc, rows: list[RowDoc]) -> bool:
    """The row is the sum of the others in every period they all print ("Network Services Revenues" under
    its services, with no "Total" in its name), within the rounding of the printed figures."""
    others = [r for r in rows if r is not row]
    if len(others) < 2:
        return False
    seen = 0
    for f in row.facts:
        parts = [next((g for g in r.facts if g.period == f.period and g.unit == f.unit), None) for r in others]
        if any(g is None for g in parts):
            continue
        if abs(sum(g.value for g in parts) - f.value) > sum(g.scale or 1 for g in parts) + (f.scale or 1):
            return False
        seen += 1
    return seen > 0


def is_member(r: RowDoc) -> bool:
    """A table row that can be one part of a breakdown: not a total, a reconciling line or a sentence's figure."""
    name = r.first.metric.lower().strip()
    return not (r.key[0].startswith("text:") or name in GENERIC_LABELS or name.startswith(("total", "subtotal")) or NOT_A_MEMBER.match(name))


def children(ctx) -> dict[tuple, list[RowDoc]]:
    """Rows by (table, heading path), heads of further rows included: what a question may list or
    name as a heading ("among the corporate internet services")."""
    with ctx.lock:
        if "children" not in ctx.memo:
            groups: dict[tuple, list[RowDoc]] = {}
            for r in ctx.rows.rows:
                if heading_total(r):  # "Network services:" ... "Total": the heading's figure, beside its siblings
                    groups.setdefault((r.key[0], r.key[1][:-2]), []).append(r)
                elif is_member(r):
                    groups.setdefault((r.key[0], r.key[1][:-1]), []).append(r)
            ctx.memo["children"] = groups
        return ctx.memo["children"]


def heading_total(r: RowDoc) -> str:
    """The heading a bare "Total" row adds up ("Network services"), or ""."""
    path = r.key[1]
    if len(path) >= 2 and path[-1].lower().strip(" :") in ("total", "subtotal") and not path[-2].lower().startswith("total"):
        return path[-2].strip(" :")
    return ""


def member_name(r: RowDoc) -> str:
    return heading_total(r) or row_name(r)


def named_groups(ctx, c, want: list[str]) -> list[list[RowDoc]]:
    """The rows a question lists (each member's words all in one row's label, one row each, in one
    breakdown), or the members of the heading it names; breakdowns of the measure asked first."""
    ranked = []
    within = set(tokens(c.within))
    for (table, parent), rows in children(ctx).items():
        where = set(tokens(" ".join(parent) + " " + rows[0].first.table_title))
        if c.members:
            picked = []
            for m in c.members:
                fits = [r for r in rows if set(tokens(m)) <= r.label]
                if len(fits) != 1 or fits[0] in picked:
                    break
                picked.append(fits[0])
            else:
                extra = sum(len(r.label - set(tokens(m)) - {"total"}) for m, r in zip(c.members, picked))
                ranked.append(((bool(set(want) <= where), -extra, -coarsest_scale(picked), -len(parent)), picked))
        elif within and parent and within <= set(tokens(parent[-1])) and len(rows) >= 2:
            ranked.append(((bool(set(want) <= where), -coarsest_scale(rows), -len(parent)), rows))
    ranked.sort(key=lambda x: x[0], reverse=True)
    return [rows for _, rows in ranked]


def coarsest_scale(rows: list[RowDoc]) -> float:
    """The coarsest scale among the rows: a table in thousands is read before its summary in millions."""
    return max(min((f.scale for f in r.facts if f.unit != "%" and f.scale), default=1) for r in rows)


def groups_for(ctx, want: list[str], group: set) -> list[list[RowDoc]]:
    """Groups of sibling rows whose heading or table names the measure asked for and the kind of
    group ("segment", "region"), best first."""
    ranked = []
    for (table, parent), rows in siblings(ctx).items():
        if len(rows) < 2:
            continue
        where = set(tokens(" ".join(parent) + " " + rows[0].first.table_title))
        named = len(group & (where | set(tokens(rows[0].first.section))))
        if (want and not set(want) <= where) or (group and not named) or not (want or named):
            continue  # the heading or table must name the measure and the kind of group asked for
        ranked.append(((named, -len(parent), len(rows)), rows))
    ranked.sort(key=lambda x: x[0], reverse=True)
    return [rows for _, rows in ranked]


def is_by_place(rows: list[RowDoc]) -> bool:
    """A breakdown by region or country ("Revenue by Region")."""
    r = rows[0].first
    return bool(set(tokens(" ".join(r.row_path[:-1]) + " " + r.table_title + " " + r.section)) & PLACE_WORDS)


def splits_top_line(q: Plan, ctx, rows: list[RowDoc], key: Optional[Key]) -> bool:
    """The group's members add up to the company's top line in the period: a breakdown of the whole."""
    key = key or group_period(ctx, rows)
    parts = [ctx.res.fact_for(r, key, q) for r in rows]
    parts = [f for f in parts if f is not None and f.unit in calc.MONEY]
    if len(parts) < 2 or len({f.unit for f in parts}) > 1:
        return False
    total = sum(f.value for f in parts)
    slack = sum(f.scale or 1 for f in parts)  # each printed part may be rounded
    return any(abs(f.value - total) <= slack for r in ctx.roles.rows.get("top line", []) for f in r.facts
               if key_of(f.period) == key and f.unit == parts[0].unit and not f.qualifier)


def group_period(ctx, rows: list[RowDoc]) -> Optional[Key]:
    """The filing's main period when the group reports it, else the group's latest."""
    keys = {key_of(f.period) for r in rows for f in r.facts if f.period.end and not f.period.is_target}
    if ctx.periods.current in keys:
        return ctx.periods.current
    return max(keys, key=lambda k: (k[0], k[1])) if keys else None


def rank_periods(q: Plan, ctx, want: list[str], months: Optional[int]) -> Answer:
    """"Which quarter had the highest revenue": one figure across the periods of one length."""
    sides = ctx.res.period_sides(q, " ".join(want) or q.metric, months)
    if len(sides) < 2:
        return ctx.out.not_found(q, None)
    sides.sort(key=lambda s: s.value.value, reverse=q.cues.high)
    best = sides[0]
    others = "; ".join(f"{s.label} {money(s.value.value, s.value.unit)}" for s in sides[1:])
    summary = (f"{ctx.name(best.picks[0].fact)} was {'highest' if q.cues.high else 'lowest'} {for_period(best.label)}: "
               f"{money(best.value.value, best.value.unit)}. The others: {others}.")
    working = "; ".join(f"{s.label}: {s.value.working() if len(s.picks) > 1 else fmt_plain(s.picks[0].fact)}" for s in sides)
    return ctx.out.finish(q, summary, best.value.value, best.value.unit, working, [p.fact for s in sides for p in s.picks])
