"""The one renderer: numbers in words, the answer's Markdown, and the `Answer` record every
operation returns (its sentence, working, sources, conflicts and plain-word explanation)."""
from __future__ import annotations

import re
from typing import Optional

from schema import Answer, Fact, Source

from . import calculator as calc
from .calculator import Quantity
from .context import Context, for_period
from .plan import Plan
from .text import glossary
from .understand import glossary_term

OUTFLOW = re.compile(r"\b(paid|payments?|purchases?|repayments?|used in|acquisition of|investment in|principal payments|expenditures?)\b", re.I)
COST = re.compile(r"\b(expenses?|losses?|costs?)\b", re.I)
DECREASE = re.compile(r"\bdecrease\b", re.I)
BOTH_WAYS = re.compile(r"\b(income|gains?|profit|increase|benefit)\b", re.I)  # "Other income (expense)": the sign carries meaning


class Composer:
    """Builds `Answer`s for one loaded filing."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def compose(self, q: Plan, res: Quantity, what: str, facts: list, term: Optional[str] = None, base: Optional[float] = None) -> Answer:
        """A calculated figure. `base`: for a change, the earlier figure, so the sentence can also say it in percent."""
        value = res.value
        summary = f"{what}: {money(value, res.unit, signed=base is not None or 'change' in what.lower())}"
        if base and base > 0 and res.unit in calc.MONEY | {"count"}:
            summary += f" ({'up' if value >= 0 else 'down'} {abs(value) / base * 100:.1f}%)"
        summary += "."
        if res.unit == "%" and "change" in what.lower():
            summary = f"{what}: {pct_words(value)}."
        return self.finish(q, summary, value, res.unit, res.working(), facts, term=term)

    def answer_fact(self, q: Plan, f: Fact, extra: str = "", alternatives: Optional[list] = None) -> Answer:
        """A printed figure, as the sentence "<name> for <period> was <value>"."""
        value = f.value
        direction = named_direction(f.metric) if value < 0 else ""
        if direction:
            # The label already says which way the money went; the brackets only mark the direction.
            value = -value
            shown = "printed in brackets" if f.cell_text.strip().startswith("(") else "printed as a negative number"
            extra += f" ({direction}, {shown} in the table)"
        summary = f"{self.ctx.name(f)} {for_period(f.period.label)} was {money(value, f.unit)}{extra}."
        return self.finish(q, summary, value, f.unit, None, [f], alternatives)

    def finish(self, q: Plan, summary: str, value, unit, calculation, facts: list, alternatives=None, sources=None, term=None) -> Answer:
        facts = list(dict.fromkeys(facts))
        srcs = list(sources or []) + [cell_source(f) for f in facts]
        alternatives = list(alternatives or [])
        for f in facts:
            c = self.ctx.conflict_by_fact.get(f.id)
            if c:
                others = [v for v in c["values"] if abs(v["value"] - f.value) > 1e-3 * abs(f.value)]
                for v in others[:2]:
                    alternatives.append(
                        f"The filing prints this figure differently elsewhere: {v['cell_text']} in \u201c{v['table']}\u201d (line {v['line']}). The figure used here is the one most tables agree on."
                    )
        term = term or (glossary_term(q.metric) if q.metric else q.cues.term)
        plain = set(glossary().get("plain_terms", []))  # everyday words need no explanation
        explanation = glossary()["terms"].get(term, "") if term and term not in plain and q.op != "define" else ""
        value_out = None if value is None else round(float(value), 6)
        text = render(summary, explanation, calculation, srcs, alternatives)
        return Answer(q.text, text, True, value_out, unit, calculation, srcs, explanation, alternatives, summary,
                      plan=q, program=q.program())

    def decline(self, question: str, msg: str, notes: list, nearest: str = "", facts: Optional[list] = None, plan: Optional[Plan] = None) -> Answer:
        if not nearest:
            nearest = self.ctx.coverage()
        srcs = [cell_source(f) for f in (facts or [])]
        text = "\n\n".join(notes + [f"**{md_escape(msg)}**", md_escape(nearest)])
        if srcs:
            text += "\n\n" + sources_md(srcs)
        return Answer(question, text, False, None, None, None, srcs, "", [], msg, plan=plan, program=plan.program() if plan else "")

    def not_found(self, q: Plan, key) -> Answer:
        hits = self.ctx.rows.rank(q.metric or q.text, q.text, k=1)
        near = hits[0] if hits else None
        when = f" for {self.ctx.periods.label(key)}" if key else ""
        msg = f"The filing does not give that figure{when}."
        nearest = ""
        if near is not None and near.parts.get("coverage", 0) >= 0.3:
            f = near.row.first
            periods = sorted({x.period.label for x in near.row.facts if x.period.end})
            nearest = f"The nearest thing it does report is \u201c{' > '.join(f.row_path)}\u201d in \u201c{f.table_title}\u201d (line {f.line}) for {', '.join(periods)}."
        return self.decline(q.text, msg, [], nearest, near.row.facts[:1] if near is not None and nearest else [], plan=q)


def cell_source(f: Fact) -> Source:
    return Source("table_row", f.section or f.table_title, f.line, f.cell_text, f.table_title, " > ".join(f.row_path), f.column)


def named_direction(label: str) -> str:
    """What a row label says its bracketed figure is, when the label names one direction only."""
    if OUTFLOW.search(label):
        return "money going out"
    if BOTH_WAYS.search(label):
        return ""
    return "a cost" if COST.search(label) else "a decrease" if DECREASE.search(label) else ""


def money(value: float, unit: str, signed: bool = False) -> str:
    sign = ""
    if signed:
        sign = "+" if value > 0 else ("-" if value < 0 else "")
    elif value < 0:
        sign = "-"
    v = abs(value)
    if unit in calc.MONEY:
        if v >= 1e9:
            return f"{sign}{unit} {v / 1e9:,.2f} billion"
        if v >= 1e6:
            return f"{sign}{unit} {v / 1e6:,.1f} million"
        return f"{sign}{unit} {v:,.0f}"
    if unit == "%":
        return f"{sign}{v:.2f}%".replace(".00%", ".0%") if v != round(v, 1) else f"{sign}{v:.1f}%"
    if unit == "pp":
        return f"{sign}{v:.2f} percentage points"
    if unit == "count":
        return f"{sign}{v:,.0f}"
    if unit == "x":
        return f"{sign}{v:,.2f} times"
    if unit.endswith("/share"):
        return f"{sign}{unit.split('/')[0]} {v:,.2f} per share"
    if unit == "JPY/USD":
        return f"JPY {v:,.2f} per US dollar"
    if unit in ("Gbps", "Mbps", "Tbps"):
        return f"{sign}{v:,.1f} {unit}"
    if unit in ("", "unknown"):
        return f"{sign}{v:,.{0 if v == round(v) else 2}f} (the table states no unit)"
    return f"{sign}{v:,.2f} ({unit})"


def pct_words(v: float) -> str:
    return f"{'up' if v >= 0 else 'down'} {abs(v):.2f}%"


def fmt_plain(f: Fact) -> str:
    return f"{f.cell_text} ({f.scale_label})"


def md_escape(s: str) -> str:
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", s)


def sources_md(srcs: list[Source]) -> str:
    lines = []
    for s in srcs:
        if s.kind == "text":
            lines.append(f"- line {s.line} ({md_escape(s.section or 'text')}): \u201c{md_escape(s.text)}\u201d")
        else:
            lines.append(
                f"- {md_escape(s.table)} \u00b7 row \u201c{md_escape(s.row)}\u201d \u00b7 column {md_escape(s.column)} \u00b7 line {s.line} \u00b7 cell `{s.text}`"
            )
    return "**Sources**\n" + "\n".join(lines)


def render(summary: str, explanation: str, calculation: Optional[str], srcs: list[Source], alternatives: list[str]) -> str:
    parts = [f"**{md_escape(summary)}**"]
    if explanation:
        parts.append(f"*{md_escape(explanation)}*")
    if alternatives:
        parts.append("\n".join(f"- {md_escape(a)}" for a in alternatives))
    if calculation:
        parts.append(f"**How this was worked out**\n`{calculation}`")
    if srcs:
        parts.append(sources_md(srcs))
    return "\n\n".join(parts)
