"""The one renderer: numbers in words, the answer's Markdown, and the `Answer` record every
operation returns (its sentence, working, sources, conflicts and plain-word explanation)."""
from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import Optional

from schema import Answer, Fact, Figure, Source

from . import calculator as calc
from .calculator import Quantity
from .context import Context, for_period
from .periods import key_of
from .plan import Plan
from .text import glossary
from .understand import glossary_term

OUTFLOW = re.compile(r"\b(paid|payments?|purchases?|repayments?|used in|acquisition of|investment in|principal payments|expenditures?)\b", re.I)
COST = re.compile(r"\b(expenses?|loss(?:es)?|costs?)\b", re.I)
DECREASE = re.compile(r"\bdecrease\b", re.I)
BOTH_WAYS = re.compile(r"\b(income|gains?|profit|increase|benefit)\b", re.I)  # "Other income (expense)": the sign carries meaning


class Composer:
    """Builds `Answer`s for one loaded filing."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def compose(self, q: Plan, res: Quantity, what: str, facts: list, term: Optional[str] = None, base: Optional[float] = None,
                amounts: str = "") -> Answer:
        """A calculated figure. `base`: for a change, the earlier figure, so the sentence can also say it in percent;
        `amounts`: for a percentage change, the two figures it is worked from, said after it."""
        value = res.value
        summary = f"{what}: {money(value, res.unit, signed=base is not None or 'change' in what.lower())}"
        if base and base > 0 and res.unit in calc.MONEY | {"count"}:
            summary += f" ({'up' if value >= 0 else 'down'} {abs(value) / base * 100:.1f}%)"
        summary += "."
        if res.unit == "%" and "change" in what.lower():
            summary = f"{what}: {pct_words(value)}{amounts}."
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
        name = self.ctx.name(f)
        shown = money(value, f.unit) + (f" {counted_noun(f)}" if f.unit == "count" and counted_noun(f) else "")
        summary = f"{name} {for_period(f.period.label)} {verb(name)} {shown}{extra}."
        if self.ctx.roles.intent(q.metric) == "bottom line" and f.unit in calc.MONEY and not f.period.is_target:
            summary = self.profit_sentence(q, f, extra)
        return self.finish(q, summary, value, f.unit, None, [f], alternatives)

    def profit_sentence(self, q: Plan, f: Fact, extra: str) -> str:
        """ "Did we make money?": the bottom line said as a profit or a loss, yes or no first."""
        kind = "loss" if f.value < 0 else "profit"
        lead = ("Yes, t" if (kind == "loss") == q.cues.asked_loss else "No, t") if q.cues.yes_no else "T"
        name = mid_sentence(self.ctx.name(f))
        return f"{lead}he company made a {kind} of {money(abs(f.value), f.unit)} in {f.period.label}{extra} ({name}, as the filing names it)."

    def finish(self, q: Plan, summary: str, value, unit, calculation, facts: list, alternatives=None, sources=None, term=None,
               figures: Optional[list[Figure]] = None) -> Answer:
        """`figures`: what the answer gives, where an operation worked some out; by default the cells used."""
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
        a = Answer(q.text, "", True, value_out, unit, calculation, srcs, explanation, alternatives, summary, plan=q, program=q.program(),
                   figures=figures if figures is not None else [self.figure(f) for f in facts])
        return replace(a, text=message(a))

    def figure(self, f: Fact) -> Figure:
        """A printed cell as a figure of the answer, named as the answer names it."""
        return Figure(self.ctx.name(f), f.period, f.value, f.unit, f.table_title, " > ".join(f.row_path), (f.line,), f.cell_text)

    def decline(self, question: str, msg: str, notes: list, nearest: str = "", facts: Optional[list] = None, plan: Optional[Plan] = None) -> Answer:
        if not nearest:
            nearest = self.ctx.coverage()
        a = Answer(question, "", False, None, None, None, [cell_source(f) for f in (facts or [])], "", [], msg,
                   plan=plan, program=plan.program() if plan else "", notes=list(notes), hint=nearest)
        return replace(a, text=message(a))

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
        a = self.decline(q.text, msg, [], nearest, near.row.facts[:1] if near is not None and nearest else [], plan=q)
        return self.offer(a, self.suggestions(q, key))

    def offer(self, a: Answer, choices: list[str]) -> Answer:
        a = replace(a, choices=choices)
        return replace(a, text=message(a))

    def ask_back(self, q: Plan, key) -> Answer:
        """A question that names no figure ("how much did we make?"): the readings it may have, to pick from."""
        when = f" in {self.ctx.periods.label(key)}" if key else ""
        a = self.decline(q.text, f"I am not sure which figure you mean{when}. Did you mean one of these?", [], plan=q)
        return self.offer(replace(a, hint=""), self.headline_questions(key))

    def headline_questions(self, key) -> list[str]:
        """Questions on the company's headline figures (top line, operating result, bottom line)."""
        key = key or self.ctx.periods.current
        out = []
        for role in ("top line", "operating result", "attributable", "bottom line"):
            rows = [r for r in self.ctx.roles.rows.get(role, []) if any(not f.period.is_target for f in r.facts)]
            if rows and len(out) < 3 and not (role == "bottom line" and any("attributable" in x.lower() for x in out)):
                out.append(self._question(rows[0].first, key))
        return out

    def suggestions(self, q: Plan, key) -> list[str]:
        """Up to three questions it can answer near these words: the closest rows, else the headline figures."""
        hits = [h for h in self.ctx.rows.rank(q.metric or q.text, q.text, k=8, dense=False) if h.parts.get("coverage", 0) >= 0.3]
        named = list(dict.fromkeys(self._question(h.row.first, key if any(key_of(f.period) == key for f in h.row.facts) else None)
                                   for h in hits if not h.row.key[0].startswith("text:")))
        return named[:3] or self.headline_questions(key)

    def _question(self, f: Fact, key) -> str:
        when = self.ctx.periods.label(key) if key else f.period.label
        name = self.ctx.name(f)
        return f"What {verb(name)} {mid_sentence(name)} {for_period(when)}?"


HEAD_END = re.compile(r"\s+(?:of|by|for|in|from|to|on|at|before|after|provided|used|paid|received|attributable|per|under|with|and)\b.*$|\s*[(>].*$", re.I)
SINGULAR_S = ("ss", "us", "is", "ics", "ings")


def verb(name: str) -> str:
    """ "Total revenues were", "Net cash provided by ... was": the verb agrees with the name's head noun."""
    head = HEAD_END.sub("", name).split()
    last = head[-1].lower() if head else ""
    return "were" if last.endswith("s") and not last.endswith(SINGULAR_S) else "was"


COUNTED = re.compile(r"\bnumber of\s+(?:the\s+)?([A-Za-z][\w\-]*)", re.I)  # "Number of Contracts ..."


def counted_noun(f: Fact) -> str:
    """What a count counts, as the filing names it ("contracts" in "Number of Contracts ...", "shares")."""
    m = COUNTED.search(f.metric + " " + f.table_title)
    if m and m.group(1).endswith("s"):
        return m.group(1).lower()
    if re.search(r"\bshares\b|\(shares\)", f.metric, re.I):
        return "shares"
    return ""


def mid_sentence(name: str) -> str:
    """A row's name inside a sentence: a title-cased label ("Total Revenues") in lower case, acronyms
    kept; otherwise its first letter in lower case, unless that word is an acronym."""
    words = name.split()
    if all(w[0].isupper() for w in words if w[0].isalpha() and len(w) > 3):
        return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    return name if words[0].isupper() else name[0].lower() + name[1:]


def cell_source(f: Fact) -> Source:
    return Source("table_row", f.section or f.table_title, f.line, f.cell_text, f.table_title, " > ".join(f.row_path), f.column)


def named_direction(label: str) -> str:
    """What a row label says its bracketed figure is, when the label names one direction only."""
    if OUTFLOW.search(label):
        return "money going out"
    if BOTH_WAYS.search(label):
        return ""
    return "a cost" if COST.search(label) else "a decrease" if DECREASE.search(label) else ""


def day(d) -> str:
    """ "September 30, 2012"."""
    return f"{d.strftime('%B')} {d.day}, {d.year}"


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


# Markdown syntax, escaped so filing and user text is shown as typed: inline marks anywhere,
# block marks (headings, lists, setext underlines) only at the start of a line.
_MD_INLINE = re.compile(r"([\\`*_\[\]~|])")
_MD_LINE_START = re.compile(r"^([ \t]*)(\d+)?([#+=.)-])", re.M)


def esc_html(text: str) -> str:
    """Escape <, > and & so text is never interpreted as HTML."""
    return html.escape(text, quote=False)


def esc_md(text: str) -> str:
    """Escape HTML and Markdown syntax: for text that must appear literally (questions, filing cells)."""
    return _MD_LINE_START.sub(r"\1\2\\\3", _MD_INLINE.sub(r"\\\1", esc_html(text)))


def _details(title: str, body: str) -> str:
    # The blank lines let the Markdown inside <details> render (CommonMark HTML-block rules).
    return f"<details><summary>{title}</summary>\n\n{body}\n\n</details>"


def _source_md(s: Source) -> str:
    where = [esc_md(p) for p in (s.table or s.section, s.row, s.column) if p]
    label = " \u203a ".join(where) if where else "text"
    quote = esc_md(" ".join(s.text.split()))  # one line: keeps the list item intact
    kind = "cell" if s.kind == "table_row" else "quote"
    line = f"**Line {s.line}**: " if s.line > 0 else ""
    return f"- {line}{label}; {kind}: \u201c{quote}\u201d"


def message(a: Answer) -> str:
    """The one rendering of an answer, for the chat, the API and the eval: notes, the summary
    sentence, what to ask instead (on a decline), the plain-word explanation, other readings, then
    the working and the sources folded. Engine-written prose keeps its Markdown but is HTML-escaped
    (it may quote the question); filing-derived cells and quotes are fully escaped."""
    parts = [esc_html(n) for n in a.notes]
    parts.append(esc_html((a.summary or a.text).strip()))
    quotes = [s for s in a.sources if s.kind == "text"]
    if quotes:  # the filing's own sentences, shown as the answer: the summary only introduces them
        parts.append("\n".join(f"- \u201c{esc_md(' '.join(s.text.split()))}\u201d (line {s.line})" for s in quotes))
    if a.hint:
        parts.append(esc_md(a.hint))
    if a.choices:
        parts.append("You could ask:\n" + "\n".join(f"- {esc_md(c)}" for c in a.choices))
    if a.explanation:
        parts.append(esc_html(a.explanation.strip()))
    if a.alternatives:
        parts.append("Other readings:\n" + "\n".join(f"- {esc_md(x)}" for x in a.alternatives))
    if a.calculation:
        steps = [ln.strip() for ln in a.calculation.strip().splitlines() if ln.strip()]
        parts.append(_details("How this was worked out", "\n".join(f"- {esc_md(x)}" for x in steps)))
    if a.sources:
        parts.append(_details("Sources", "\n".join(_source_md(s) for s in a.sources)))
    return "\n\n".join(parts)
