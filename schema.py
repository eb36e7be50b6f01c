"""Typed records shared by every stage: the fact table is the source of truth."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Optional


def content_id(*parts: object) -> str:
    """Stable id from content, so re-ingesting the same filing changes nothing."""
    h = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:20]


@dataclass(frozen=True)
class Period:
    """A reporting period: a duration ending on `end`, or an instant (months == 0)."""

    end: str  # ISO date, e.g. "2012-09-30"; "" when the header could not be dated
    months: int  # 12, 6, 3, or 0 for a balance-sheet date
    label: str  # reader-facing, e.g. "1H FY2012", "as of 2012-09-30"
    fiscal_year: Optional[int] = None
    is_target: bool = False

    def key(self) -> tuple:
        return (self.end, self.months, self.is_target)


@dataclass
class Fact:
    """One numeric table cell, with everything needed to cite it."""

    id: str
    filing: str
    table_id: str
    table_title: str
    section: str
    metric: str  # the row label, cleaned of footnote marks
    row_path: list[str]  # parents first, e.g. ["Total Costs", "SI"]
    column: str  # the column header as printed (period, plus unit)
    period: Period
    value: float  # in whole units (scale applied)
    unit: str  # JPY, USD, EUR, %, count, Gbps, JPY/share, ...
    scale: float  # 1, 1e3, 1e6; 0 when the filing states no scale
    scale_label: str  # "JPY millions", "Thousands of JPY", "unknown scale"
    cell_text: str
    line: int  # 1-based line of the row in the filing
    qualifier: str = ""  # column qualifier other than the period, e.g. "YoY % change", "2Q-end"
    scale_known: bool = True

    def __hash__(self) -> int:  # facts are identified by their content id
        return hash(self.id)

    def row_text(self) -> str:
        return " > ".join(self.row_path)

    def to_json(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_json(d: dict) -> "Fact":
        d = dict(d)
        d["period"] = Period(**d["period"])
        return Fact(**d)


@dataclass
class Table:
    id: str
    title: str
    section: str
    start_line: int
    end_line: int
    columns: list[str]
    units: list[str]
    transposed: bool = False


@dataclass
class Chunk:
    """A narrative passage (or a table row rendered as text) for retrieval."""

    id: str
    filing: str
    section: str
    text: str
    line: int  # first line
    end_line: int
    kind: str = "text"  # "text" | "table_row"
    fact_ids: list[str] = field(default_factory=list)


@dataclass
class Source:
    kind: str  # "table_row" | "text"
    section: str
    line: int
    text: str  # the exact cell text or quote
    table: str = ""
    row: str = ""
    column: str = ""

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Figure:
    """One figure an answer gives or uses, as its chart and its export show it: a printed cell, or
    a figure the calculator worked out from printed ones (`working` says how)."""

    label: str  # what it is, as the answer names it ("ATM operation business")
    period: Period
    value: float  # in whole units
    unit: str
    table: str  # the table it was read from
    row: str  # the row path, as the sources cite it
    lines: tuple[int, ...]  # the filing lines it was read or worked out from
    cell: str = ""  # the cell as printed; empty for a worked-out figure
    working: str = ""

    def to_json(self) -> dict:
        return {"label": self.label, "period": self.period.label, "value": self.value, "unit": self.unit,
                "table": self.table, "row": self.row, "lines": list(self.lines), "cell": self.cell, "working": self.working}


@dataclass(frozen=True)
class ChartPoint:
    label: str  # the bar's name: a line of a breakdown, or a period
    period: str  # as the answer writes it
    value: float  # in whole units
    text: str  # the value as the answer writes it ("JPY 3.26 billion")
    lines: tuple[int, ...]  # the filing lines it was read or worked out from
    group: str = ""  # paired bars: the period (or the part of a total) the bar belongs to


@dataclass(frozen=True)
class ChartSpec:
    """What a chart of an answer shows, as data: the app draws it, the API returns it."""

    kind: str  # "breakdown" | "series" | "comparison" | "share"
    title: str
    unit: str  # of every point (JPY, %, count)
    axis: str  # the value axis as labelled ("JPY billions")
    scale: float  # values are divided by it on the axis
    series: tuple[ChartPoint, ...]
    caption: str  # one line naming the tables and lines the figures come from

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    text: str  # what the user sees (Markdown)
    answerable: bool
    value: Optional[float] = None
    unit: Optional[str] = None
    calculation: Optional[str] = None
    sources: list[Source] = field(default_factory=list)
    explanation: str = ""  # plain words for jargon
    alternatives: list[str] = field(default_factory=list)
    summary: str = ""  # the one-sentence answer
    notes: list[str] = field(default_factory=list)  # said before the answer ("I ignored instructions ...")
    hint: str = ""  # on a decline: what the filing does cover, or the nearest figure it reports
    plan: Optional[object] = None  # the understood question (retrieval.plan.Plan)
    program: str = ""  # the plan as a program, e.g. "divide([operating income], [total revenues])"
    figures: list[Figure] = field(default_factory=list)  # the figures given or used, for the chart and the export
    chart: Optional[ChartSpec] = None  # where a picture helps (retrieval/chart.py)
    choices: list[str] = field(default_factory=list)  # questions it can answer, offered where it cannot read this one

    def to_json(self) -> dict:
        return {
            "answer": self.text,
            "value": self.value,
            # Per-ADS figures are per-share figures for another share class: one unit code serves both.
            "unit": self.unit.replace("/ADS", "/share") if self.unit else self.unit,
            "answerable": self.answerable,
            "sources": [
                {"kind": s.kind, "section": s.section, "line": s.line, "text": s.text} for s in self.sources
            ],
            "calculation": self.calculation,
            "program": self.program,  # the plan as a program: which operation, on which figures
            "figures": [f.to_json() for f in self.figures],
            "chart": self.chart.to_json() if self.chart else None,
            "choices": self.choices,  # on a decline or an unclear question: the readings it can answer
        }


def dump_jsonl(path, rows) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
