"""What the app says about the loaded filing: the company's name, example questions, what it covers.

Read from the parsed filing (its text, tables, facts and periods) when the app starts, before the
index is ready, so the page always speaks of the filing it answers from and of no other.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Optional, Sequence

from retrieval.calculator import MONEY
from schema import Fact

# A company's name ends in its legal form: "Northwind Robotics, Inc.", "Lumen Optik GmbH".
LEGAL_FORM = (r"Inc\.?|Incorporated|Corp\.?|Corporation|Co\.,? Ltd\.?|Ltd\.?|Limited|LLC|L\.?P\.?|plc|PLC|GmbH|AG|SE"
              r"|S\.A\.?|N\.V\.?|K\.K\.?|Holdings|Group")
COMPANY = re.compile(rf"^(?P<name>[A-Z][\w&'’.\- ]*?(?:,? )(?:{LEGAL_FORM}))(?:\s*\(.*\))?$", re.I)
NAME_LINES = 60  # the name stands near the top of a filing
FALLBACK_COMPANY = "the company"
PERIOD_WORDS = {3: "quarter", 6: "half", 12: "year"}
# Questions as people type them; "{short}" is the main period as written in a hurry ("1h", "fy2019").
CASUAL = ("rev {short}?", "did we make money", "op profit yoy", "whats the gross margin")


@dataclass(frozen=True)
class About:
    company: str
    figure: str  # "What was net revenue for FY2019?"
    change: str  # "How did net revenue change from FY2018 to FY2019?"
    balance: str  # "What was cash and cash equivalents as of September 30, 2019?"
    term: str  # "What does gross margin mean?"
    tables: list[str]
    periods: list[str]
    overview: str = ""  # "How are we doing this half?"
    casual: tuple[str, ...] = ()  # "rev 1h?", "did we make money", ..., a follow-up

    @property
    def examples(self) -> list[str]:
        return [q for q in (self.overview, self.figure, self.change, self.balance, self.term) if q]

    @property
    def title(self) -> str:
        return f"{self.company} · filing Q&A" if self.company != FALLBACK_COMPANY else "Filing Q&A"


def about(lines: list[str], facts: Sequence[Fact] = (), glossary: Optional[dict] = None) -> About:
    """`lines` of the filing, its parsed `facts`, and the glossary (retrieval/glossary.json) for a term to ask about."""
    current = _current(facts)
    figures = [f for f in facts if f.unit in MONEY and not f.qualifier and not f.period.is_target
               and not f.table_id.startswith(("text:", "note"))]
    now = [f for f in figures if _key(f) == current]
    first = now[0] if now else None
    earlier = _earlier(first, figures) if first else None
    balance = next((f for f in figures if f.period.months == 0 and f.period.end == (current or ("",))[0]
                    and "cash" in f.metric.lower()), None) or next((f for f in figures if f.period.months == 0), None)
    titles = list(dict.fromkeys(f.table_title for f in facts if not f.table_id.startswith(("text:", "note"))))
    reported = Counter(f.period.label for f in facts if f.period.end and f.period.months and not f.period.is_target)
    periods = [label for label, _ in reported.most_common()]  # the ones it reports most first
    return About(
        company=company_name(lines),
        figure=f"What {_was(first)} {_what(first)} {_for(first)}?" if first else "",
        change=f"How did {_what(first)} change from {_bare(earlier)} to {_bare(first)}?" if first and earlier else "",
        balance=f"What {_was(balance)} {_what(balance)} {_for(balance)}?" if balance else "",
        term=_term_question("\n".join(lines), _explained_terms(glossary)) if glossary else "",
        tables=titles,
        periods=periods,
        overview=f"How are we doing this {PERIOD_WORDS[current[1]]}?" if current and current[1] in PERIOD_WORDS else "",
        casual=_casual(first, figures) if first else (),
    )


def _casual(first: Fact, figures: list[Fact]) -> tuple[str, ...]:
    """Typed forms of the questions this filing answers, with the follow-up its tables allow: "and
    in dollars?" where a convenience column in dollars stands beside another currency."""
    short = first.period.label.split()[0].lower()
    currencies = Counter(f.unit for f in figures)
    follow_up = "and in dollars?" if "USD" in currencies and currencies.most_common(1)[0][0] != "USD" else "and the year before?"
    return tuple(q.format(short=short) for q in CASUAL) + (follow_up,)


def company_name(lines: list[str]) -> str:
    """The company's name as the filing prints it near the top (mixed case preferred to a shouted heading)."""
    found = []
    for line in [x for x in lines if x.strip()][:NAME_LINES]:
        m = COMPANY.match(line.strip().strip("*#_ ").strip())
        if m and len(m["name"].split()) <= 8:
            found.append(m["name"].strip())
    if not found:
        return FALLBACK_COMPANY
    mixed = [n for n in found if not n.isupper()]
    return mixed[0] if mixed else found[0].title()


def _key(f: Fact) -> tuple:
    return (f.period.end, f.period.months)


def _current(facts: Sequence[Fact]) -> Optional[tuple]:
    """The period the filing reports most (the latest on a tie): its "current" period."""
    counts = Counter(_key(f) for f in facts if f.period.end and f.period.months and not f.period.is_target)
    return max(counts, key=lambda k: (counts[k], k[0])) if counts else None


def _earlier(f: Fact, figures: list[Fact]) -> Optional[Fact]:
    """The same row of the same table for the latest earlier period of the same length."""
    same = [g for g in figures if g.table_id == f.table_id and g.row_path == f.row_path
            and g.period.months == f.period.months and g.period.end < f.period.end]
    return max(same, key=lambda g: g.period.end) if same else None


def _what(f: Fact) -> str:
    label = re.sub(r"\s*\([^)]*\)|\s*\*+|\s*\[\d+\]", "", f.metric).strip()
    return label if re.fullmatch(r"[A-Z0-9&\- ]+", label) and " " not in label else label.lower()


def _was(f: Fact) -> str:
    last = _what(f).split()[-1]
    return "were" if last.endswith("s") and not last.endswith("ss") else "was"


def _for(f: Fact) -> str:
    return f.period.label if f.period.label.startswith("as of") else f"for {f.period.label}"


def _bare(f: Fact) -> str:
    return f.period.label.removeprefix("as of ")


def _explained_terms(glossary: dict) -> list[str]:
    """Terms whose meaning is the answer: not everyday words, and not formulas (those are worked out)."""
    skip = set(glossary.get("plain_terms", ())) | set(glossary.get("formulas", {}))
    return [t for t in glossary["terms"] if t not in skip]


def _term_question(text: str, terms: list[str]) -> str:
    """A definition the filing's own words call for: the glossary term it uses first."""
    best: Optional[tuple[int, str]] = None
    for term in terms:
        m = re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.I)
        if m is None or not (" " in term or m[0].isupper()):  # a phrase, or an acronym as the filing writes it
            continue
        shown = m[0] if m[0].isupper() else term
        if best is None or m.start() < best[0]:
            best = (m.start(), shown)
    return f"What does {best[1]} mean?" if best else ""
