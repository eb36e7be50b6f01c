"""The chart of an answer, as data: which figures a picture shows and how, from the figures the
answer itself gives (the same cells and calculator results as its sentence and working).

A breakdown or ranking is bars by line; one figure over periods is a series; the same lines in two
periods are paired bars; a share of a total is one stacked bar. A question asking for a picture
("show me", "chart", "plot", "graph", "visualise", "trend") gets one wherever the figures allow;
otherwise only a breakdown, ranking or series does. A single number never does.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Optional

from schema import Answer, ChartPoint, ChartSpec, Figure, Source

from . import calculator as calc
from .calculator import Quantity
from .render import money

PICTURE_WORDS = frozenset({"chart", "plot", "graph", "visualise", "visualize", "visual", "picture", "diagram", "trend"})
# Operations whose answer lists a breakdown or a series: the picture adds to it unasked.
ON_THEIR_OWN = frozenset({"rank", "breakdown", "series", "average", "median", "count_if"})
SCALES = ((1e9, "billions"), (1e6, "millions"))


def asks_for_picture(words: tuple[str, ...]) -> bool:
    """`words`: the plan's word tokens, stop words kept ("show", "me", "revenue", ...)."""
    pairs = set(zip(words, words[1:]))
    return bool(PICTURE_WORDS & set(words)) or ("show", "me") in pairs or words[:1] == ("show",)


def chart_for(a: Answer) -> Optional[ChartSpec]:
    """The answer's chart, or None where a picture would not help (or its figures do not fit one)."""
    if not a.answerable or a.plan is None:
        return None
    figs = _distinct(a.figures)
    if len(figs) < 2 or len({f.unit for f in figs}) != 1 or len({f.period.months for f in figs}) != 1:
        return None  # a single number, or figures no one axis can hold
    kind = _kind(a.plan.op, figs)
    if kind is None or not (a.plan.op in ON_THEIR_OWN or asks_for_picture(a.plan.words)):
        return None
    return replace(BUILDERS[kind](figs), caption=caption(a.sources, {n for f in figs for n in f.lines}))


def _distinct(figs: list[Figure]) -> list[Figure]:
    """One figure per line and period (the same figure printed in two tables is drawn once)."""
    seen: dict[tuple, Figure] = {}
    for f in figs:
        seen.setdefault((f.label, f.period.label), f)
    return list(seen.values())


def _kind(op: str, figs: list[Figure]) -> Optional[str]:
    labels = list(dict.fromkeys(f.label for f in figs))
    periods = list(dict.fromkeys(f.period.label for f in figs))
    if op == "share" and len(figs) == 2 and len(periods) == 1 and 0 < figs[0].value <= figs[1].value:
        return "share"
    if len(periods) == 1 and len(labels) >= 2:
        return "breakdown"
    if len(labels) == 1 and len(periods) >= 2:
        return "series" if len(periods) > 2 or op in ON_THEIR_OWN else "comparison"
    if len(periods) == 2 and len(figs) == 2 * len(labels):
        return "comparison"
    return None


def _point(f: Figure, label: str, group: str = "") -> ChartPoint:
    return ChartPoint(label, f.period.label, f.value, money(f.value, f.unit), f.lines, group)


def _spec(kind: str, title: str, figs: list[Figure], points: list[ChartPoint]) -> ChartSpec:
    unit = figs[0].unit
    scale, axis = _axis(unit, max(abs(p.value) for p in points))
    return ChartSpec(kind, title, unit, axis, scale, tuple(points), "")


def _axis(unit: str, biggest: float) -> tuple[float, str]:
    """The axis in the scale the answer's words use for the largest figure ("JPY billions")."""
    if unit in calc.MONEY:
        for scale, word in SCALES:
            if biggest >= scale:
                return scale, f"{unit} {word}"
    return 1.0, {"count": "number", "x": "times", "pp": "percentage points"}.get(unit, unit)


def caption(sources: list[Source], lines: set[int]) -> str:
    """One line naming each table (or passage) and the lines the charted figures come from."""
    by_table: dict[str, set[int]] = {}
    for src in sources:
        if src.line in lines:
            by_table.setdefault(src.table or src.section, set()).add(src.line)
    parts = []
    for table, found in by_table.items():
        shown = sorted(found)
        parts.append(f"\u201c{table}\u201d, line{'s' if len(shown) > 1 else ''} {', '.join(map(str, shown))}")
    return "From " + "; ".join(parts) + "."


def _breakdown(figs: list[Figure]) -> ChartSpec:
    parents = {f.row.rsplit(" > ", 1)[0] if " > " in f.row else "" for f in figs}
    whose = parents.pop() if len(parents) == 1 and "" not in parents else figs[0].table
    return _spec("breakdown", f"{whose}, {figs[0].period.label}", figs, [_point(f, f.label) for f in figs])


def _series(figs: list[Figure]) -> ChartSpec:
    figs = sorted(figs, key=lambda f: f.period.end)
    title = f"{figs[0].label}, {figs[0].period.label} to {figs[-1].period.label}"
    return _spec("series", title, figs, [_point(f, f.period.label) for f in figs])


def _comparison(figs: list[Figure]) -> ChartSpec:
    figs = sorted(figs, key=lambda f: f.period.end)  # stable: each line keeps its place within a period
    labels = list(dict.fromkeys(f.label for f in figs))
    periods = list(dict.fromkeys(f.period.label for f in figs))
    title = f"{' and '.join(labels)}: {periods[0]} and {periods[1]}"
    return _spec("comparison", title, figs, [_point(f, f.label, f.period.label) for f in figs])


def _share(figs: list[Figure]) -> ChartSpec:
    part, whole = figs
    rest = calc.subtract(Quantity(whole.value, whole.unit), Quantity(part.value, part.unit)).value
    other = Figure(f"Rest of {whole.label}", whole.period, rest, whole.unit, whole.table, whole.row,
                   tuple(sorted(set(part.lines) | set(whole.lines))), working=f"{whole.label} minus {part.label}")
    title = f"{part.label} as a share of {whole.label}, {part.period.label}"
    return _spec("share", title, figs, [_point(part, part.label, part.label), _point(other, other.label, other.label)])


BUILDERS: dict[str, Callable[[list[Figure]], ChartSpec]] = {
    "breakdown": _breakdown, "series": _series, "comparison": _comparison, "share": _share,
}
