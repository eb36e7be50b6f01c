"""Figures the narrative states but no table prints ("The order backlog ... was JPY4,803 million").

Each becomes a Fact whose source is the sentence's line; the subject of the sentence is its metric.
Only plain statements are read: "<subject> was/were <currency><number> <scale>", "<subject> was <n>%",
"As of <date>: <n> shares" under a heading line, and "<n> <things> are placed/installed".
"""
from __future__ import annotations

import re
from typing import Optional

from schema import Fact, Period, content_id

from .cells import FiscalCalendar, parse_period

_CUR = r"(?P<cur>JPY|USD|EUR|RMB|GBP|US\$|\$|\u20ac|\u00a5)"
_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SCALE = r"\s?(?P<scale>million|billion|thousand)?"
_VERB = r"\s+(?:was|were|is|are|amounted to|totaled|totalled|came to|stood at)\s+(?:an? (?:expense|loss|gain|income|profit) of\s+)?"
MONEY = re.compile(r"(?P<subject>[A-Za-z\"][^.;:()]{2,140}?)" + _VERB + _CUR + r"\s?" + _NUM + r"(?![\d.,]\d)" + _SCALE + r"\b(?!\s*per\b)")
PERCENT = re.compile(r"(?P<subject>[A-Za-z][^.;:()]{2,120}?)" + _VERB + _NUM + r"\s?%")
AS_OF_COUNT = re.compile(r"^\s*As of (?P<date>[A-Z][a-z]+ \d{1,2}, \d{4}):\s*" + _NUM + r"\s+(?P<noun>shares|ATMs|units|employees|contracts|customers|subscribers)\b")
PLACED = re.compile(_NUM + r"\s+(?P<noun>[A-Z]{2,}s|[a-z]+s)\s+(?:are|were|have been)\s+(?P<verb>placed|installed|deployed|in operation|operated)")
DATE = re.compile(r"\b(?:as of|at)\s+([A-Z][a-z]+ \d{1,2}, \d{4})", re.I)
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, None: 1.0, "": 1.0}
CUR = {"US$": "USD", "$": "USD", "\u20ac": "EUR", "\u00a5": "JPY"}


def narrative_facts(filing: str, lines: list[str], table_lines: set, headings: dict, cal: FiscalCalendar,
                    current: Optional[Period]) -> list[Fact]:
    """`headings` maps a line index to the section heading in force there; `current` is the period
    the filing mainly reports, used when a sentence names no date of its own."""
    out: list[Fact] = []
    for i, raw in enumerate(lines):
        if i in table_lines or not raw.strip():
            continue
        section = headings.get(i, "")
        m = AS_OF_COUNT.match(raw)
        if m:
            prev = next((lines[j].strip() for j in range(i - 1, max(-1, i - 6), -1) if lines[j].strip() and not lines[j].lstrip().startswith("As of")), "")
            subject = re.sub(r"^\d+\)\s*", "", prev).rstrip(":")
            p = parse_period(m["date"], cal)
            if p and subject:
                out.append(_fact(filing, i, section, subject, p, _n(m["num"]), "count", 1, m["num"] + " " + m["noun"]))
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", raw.strip()):
            date = DATE.search(sentence)
            period = (parse_period(date.group(1), cal) if date else None) or current
            if period is None:
                continue
            for m in MONEY.finditer(sentence):
                subject = _subject(m["subject"])
                own = parse_period(subject, cal) if subject else None
                if subject:
                    when = own or period
                    scale = SCALES[m["scale"]]
                    unit = CUR.get(m["cur"], m["cur"])
                    out.append(_fact(filing, i, section, subject, when, _n(m["num"]) * scale, unit, scale, m.group(0)[len(m["subject"]):].strip(), scale_label=f"{unit} {m['scale'] or ''}s".strip()))
            for m in PERCENT.finditer(sentence):
                subject = _subject(m["subject"])
                if subject and re.search(r"ratio|margin|rate|share", subject, re.I):
                    out.append(_fact(filing, i, section, subject, period, _n(m["num"]), "%", 1, m["num"] + "%"))
            for m in PLACED.finditer(sentence):
                out.append(_fact(filing, i, section, f"Number of {m['noun']} {m['verb']}", period, _n(m["num"]), "count", 1, m.group(0)))
    return out


def _n(s: str) -> float:
    return float(s.replace(",", ""))


def _subject(s: str) -> str:
    """The noun phrase a figure belongs to, without leading clauses ("As of ..., the balance of X")."""
    s = s.strip().strip('"')
    s = re.sub(r",\s+an?\s+[^,]+,?\s*$", "", s)  # "Systems construction revenue, a one-time revenue,"
    s = re.split(r",\s+(?=[a-z])|\bwhile\b", s)[-1]
    # "... was JPY91 million and gross margin ratio": the subject is the clause after the last verb.
    s = re.split(r"\b(?:was|were|is|are)\b[^,]*?\s+and\s+", s)[-1]
    s = re.sub(r"\s+as of [A-Z][a-z]+ \d{1,2}, \d{4}$", "", s)
    s = re.sub(r"^(?:(?:and|but|while)\s+)?(?:as of [^,]+,\s*)?(?:the\s+)?(?:balance of\s+)?", "", s.strip(), flags=re.I)
    s = re.sub(r"\s+(?:for|of)\s+(?:1H|2H|[1-4]Q|FY)\S*(?:\s+FY\d+)?$", "", s)
    words = s.split()
    if not words or len(words) > 14 or not re.search(r"[a-z]", s, re.I) or re.match(r"(?:which|such|that|it|this)\b", s, re.I):
        return ""
    return s[0].upper() + s[1:]


def _fact(filing, i, section, subject, period: Period, value, unit, scale, cell, scale_label="") -> Fact:
    return Fact(
        id=content_id(filing, i + 1, "text", subject, cell),
        filing=filing,
        table_id="text:" + content_id(filing, i + 1),
        table_title=f"Text: {section}" if section else "Text",
        section=section,
        metric=subject,
        row_path=[subject],
        column="stated in the text",
        period=period,
        value=round(value, 6),
        unit=unit,
        scale=scale,
        scale_label=scale_label or ("count" if unit == "count" else unit),
        cell_text=cell,
        line=i + 1,
    )
