"""What a sentence says with its numbers: each figure's value, unit and direction, and the periods named.

The phrasing guard reads the chat model's sentence and the calculated one with `read`, then
`differences` lists every way the first says something the second does not: a figure with another
scale, currency, unit or direction, a number the answer does not have, a period it does not name,
a direction it does not state. Reading errs on the safe side: what it cannot place is a difference.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

CURRENCIES = {"jpy": "JPY", "¥": "JPY", "yen": "JPY", "usd": "USD", "$": "USD", "us$": "USD", "dollar": "USD",
              "dollars": "USD", "us dollar": "USD", "us dollars": "USD", "eur": "EUR", "€": "EUR", "euro": "EUR",
              "euros": "EUR", "gbp": "GBP", "£": "GBP", "cny": "CNY", "rmb": "RMB", "chf": "CHF"}
CURRENCY_CODES = set(CURRENCIES.values())
SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6,
          "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}
# unit word -> (unit, factor); "per share" and "per <currency>" are built from the figure's currency
UNITS = {"%": ("%", 1), "percent": ("%", 1), "per cent": ("%", 1), "percentage point": ("pp", 1), "point": ("pp", 1),
         "pp": ("pp", 1), "ppt": ("pp", 1), "pt": ("pp", 1), "basis point": ("pp", 0.01), "bp": ("pp", 0.01),
         "bps": ("pp", 0.01), "times": ("x", 1), "x": ("x", 1), "fold": ("x", 1), "-fold": ("x", 1),
         "gbps": ("Gbps", 1), "mbps": ("Mbps", 1), "tbps": ("Tbps", 1)}
UP = {"up", "increase", "increased", "increases", "increasing", "rise", "rises", "rose", "risen", "rising", "grew", "grow",
      "grows", "grown", "growing", "growth", "gain", "gained", "gains", "higher", "more", "climb", "climbed", "jump",
      "jumped", "improved", "improvement", "expanded", "expansion"}
DOWN = {"down", "decrease", "decreased", "decreases", "decreasing", "fall", "falls", "fell", "fallen", "falling", "decline",
        "declined", "declines", "declining", "drop", "dropped", "drops", "lower", "less", "fewer", "shrank", "shrunk",
        "shrink", "reduced", "reduction", "contracted", "contraction", "slipped", "slid"}
COMPARATIVES = {"more", "less", "fewer", "higher", "lower"}  # "more than X" bounds X; it is no change
PHRASAL_UP = {"made", "make", "makes", "making", "take", "takes", "took", "taking", "end", "ended", "ends", "sum", "sums", "summed"}
# Words that may stand between a direction word and its figure: "up by 8%", "an increase of 8%", "8% a year".
FILLER = {"by", "of", "a", "an", "some", "about", "around", "roughly", "approximately", "nearly", "almost", "just",
          "only", "another", "further", "sharply", "slightly", "strongly", "year-on-year", "yoy", "the", "went", "was",
          "were", "is"}
NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|"
                "seventy|eighty|ninety|hundred|a few|several|half a|a quarter of a|dozen")
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_YEAR = r"(?:FY\s?|fiscal\s+(?:year\s+)?)?'?(\d{4}|\d{2})"
_PERIODS = [  # (pattern, how to read it); ISO dates and dates in words first, then halves and quarters
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "ymd"),
    (re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?"), "mdy"),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\b\.?(?:,?\s+(\d{{4}})\b)?"), "dmy"),
    (re.compile(rf"\b({_MONTH})\.?,?\s+(\d{{4}})\b"), "my"),
    (re.compile(r"\b(?:([1-4])Q|Q([1-4])|([12])H|H([12]))(?:\s*FY\s?'?(\d{4}|\d{2})|\s+(?:fiscal\s+(?:year\s+)?)?(\d{4})|'?(\d{2}))?\b", re.I), "part"),
    (re.compile(rf"\b(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+(half|quarter)\b(?:\s+of\s+(?:the\s+)?{_YEAR}\b)?", re.I), "wordpart"),
    (re.compile(r"\b(?:FY\s?|fiscal\s+(?:year\s+)?)'?(\d{4}|\d{2})\b", re.I), "fy"),
    (re.compile(r"\b(\d{1,2}|three|six|nine|twelve)[-\s]months?\b", re.I), "months"),
    (re.compile(rf"\b{_MONTH}\b\.?"), "month"),
]
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_COUNT = {"three": 3, "six": 6, "nine": 9, "twelve": 12}
_CUR = r"JPY|USD|EUR|GBP|CNY|RMB|CHF|US\$|\$|¥|€|£"
_FIGURE = re.compile(
    rf"""(?<![\w.,])(?P<s1>[-+])?\s?(?P<cur>{_CUR})?\s?(?P<s2>[-+])?
    (?P<num>(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)(?![\w.]*\d)
    (?:\s?(?P<scale>thousand|million|billion|trillion|mn|mln|bn|tn)s?\b|(?P<short>k|m|bn|b)\b)?
    (?:\s?(?P<unit>%|percent\b|per\s?cent\b|percentage\s+points?\b|basis\s+points?\b|points?\b|ppts?\b|pp\b|pts?\b|bps?\b
        |times\b|x\b|-?fold\b|[GMT]bps\b))?
    (?P<share>\s?per\s+(?:share|ADS)\b|\s?\((?:[A-Z]{{3}})/(?:share|ADS)\))?
    (?P<per>\s?per\s+(?:US\s+)?(?:dollar|USD|yen|JPY|euro|EUR)s?\b)?
    (?P<cur2>\s?(?:JPY|USD|EUR|GBP|CNY|RMB|yen|US\s+dollars?|dollars?|euros?)\b)?""",
    re.X | re.I,
)
_UNREADABLE = re.compile(rf"\b(?:{NUMBER_WORDS})(?:[\s-]+(?:{NUMBER_WORDS}))*[\s-]+(?:thousand|million|billion|trillion|percent|per cent|percentage points?)\b", re.I)
_CLAUSE_END = re.compile(r"[,;:()\[\]—]|\.\s|\.$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|§|[-+]?[$¥€£]?\d")


@dataclass(frozen=True)
class Figure:
    value: float  # magnitude in whole units, scale word applied
    tol: float  # half a unit of the last printed digit, in whole units
    unit: str  # "JPY", "USD", "%", "pp", "x", "JPY/share", "JPY/USD", "Gbps", or "" for a plain number
    direction: int  # +1 up or a plus sign, -1 down or a minus sign, 0 neither; 2 when the sign and the word disagree
    text: str  # as printed

    def matches(self, other: "Figure") -> bool:
        return (self.unit == other.unit and self.direction == other.direction
                and abs(self.value - other.value) <= max(self.tol, other.tol) + 1e-9 * max(self.value, other.value))


@dataclass(frozen=True)
class Reading:
    figures: tuple[Figure, ...]
    periods: frozenset[str]  # "Y2012", "H1", "H1/2012", "M09", "M09-30", "6M"
    directions: frozenset[int]  # every direction the text states, with a figure or without
    unreadable: tuple[str, ...]  # amounts it cannot check, e.g. "fifty billion"


def read(text: str) -> Reading:
    text = (text or "").replace("\u2212", "-").replace("\u00a0", " ").replace("\u2009", " ")
    periods: set[str] = set()
    for pattern, kind in _PERIODS:
        text = pattern.sub(lambda m: _period(m, kind, periods), text)
    figures, last_currency = [], ""
    for m in _FIGURE.finditer(text):
        fig, year = _figure(m, text, last_currency)
        if year:
            periods.add(f"Y{year}")
            continue
        figures.append(fig)
        if fig.unit in CURRENCY_CODES:
            last_currency = fig.unit
    words = [w.lower() for w in _WORD.findall(text)]
    directions = {f.direction for f in figures if f.direction in (1, -1)} | _stated_directions(words)
    return Reading(tuple(figures), frozenset(periods), frozenset(directions), tuple(_UNREADABLE.findall(text)))


def differences(candidate: str, reference: str, value: Optional[float] = None, unit: Optional[str] = None) -> list[str]:
    """How `candidate` says more than, or other than, `reference` (empty when it says nothing new).

    `value`/`unit`, when given, are the answer's own figure: the candidate must state it.
    """
    got, ref = read(candidate), read(reference)
    problems = [f"cannot check the amount {x!r}" for x in got.unreadable]
    problems += [f"{f.text!r} {_why_not(f, ref.figures)}" for f in got.figures if not any(f.matches(r) for r in ref.figures)]
    problems += [f"names the period {p!r}, which the answer does not" for p in sorted(got.periods - ref.periods)]
    for d in sorted(got.directions - ref.directions):
        problems.append(f"says the figure went {'up' if d > 0 else 'down'}, which the answer does not")
    if value is not None and unit is not None:
        want = Figure(abs(value), 0.0, {"count": "", "unknown": ""}.get(unit, unit), 0, "")
        if not any(f.unit == want.unit and abs(f.value - want.value) <= f.tol + 1e-9 * want.value for f in got.figures):
            problems.append("leaves out the answer's own figure")
    return problems


def _why_not(f: Figure, reference: tuple[Figure, ...]) -> str:
    for r in reference:
        close = abs(f.value - r.value) <= max(f.tol, r.tol) + 1e-9 * max(f.value, r.value)
        if close and r.unit == f.unit:
            return f"has the direction {f.direction:+d} where the answer has {r.direction:+d}"
        if close and r.direction == f.direction:
            return f"is in {f.unit or 'no unit'} where the answer has {r.unit or 'no unit'} (another currency or unit)"
        scaled = r.value and f.value and any(abs(f.value * k - r.value) <= max(f.tol * k, r.tol) for k in (1e-6, 1e-3, 1e3, 1e6))
        if scaled and r.unit == f.unit:
            return f"is {r.text!r} at another scale (thousand/million/billion)"
    return "is a number the answer does not have"


def _figure(m: re.Match, text: str, last_currency: str) -> tuple[Optional[Figure], Optional[int]]:
    num = m["num"]
    digits = num.replace(",", "")
    sign_char = m["s1"] or m["s2"]
    currency = CURRENCIES.get((m["cur"] or m["cur2"] or "").strip().lower(), "")
    scale_word = (m["scale"] or m["short"] or "").lower()
    bare = not (sign_char or currency or scale_word or m["unit"] or m["share"] or m["per"])
    if bare and "," not in num and "." not in num and 1900 <= int(digits) <= 2100:
        return None, int(digits)  # a year: it names a period
    scale = SCALES.get(scale_word, 1.0)
    unit, factor = "", 1.0
    if m["unit"]:
        unit, factor = _unit(m["unit"])
    elif m["share"]:  # "JPY 12.34 per share", "24.74 (JPY/ADS)"
        shown = re.search(r"([A-Z]{3})?/?(share|ADS)\W*$", m["share"].strip(), re.I)
        unit = f"{currency or CURRENCIES.get((shown[1] or '').lower()) or last_currency}/{shown[2].replace('SHARE', 'share')}"
    elif m["per"]:
        per = m["per"].lower().split("per", 1)[1].strip().rstrip("s")
        unit = f"{currency or last_currency}/{CURRENCIES.get(per, per.upper())}"
    elif currency:
        unit = currency
    elif scale_word and last_currency:
        unit = last_currency  # "JPY 3.04 billion (3,037 million)": the currency carries over
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    word_dir = _attached_direction(text[: m.start()], text[m.end():])
    sign_dir = {"+": 1, "-": -1}.get(sign_char or "", 0)
    direction = word_dir or sign_dir
    if word_dir and sign_dir and word_dir != sign_dir:
        direction = 2
    return Figure(float(digits) * scale * factor, 0.5 * 10 ** -decimals * scale * factor, unit, direction, m[0].strip()), None


def _unit(word: str) -> tuple[str, float]:
    key = re.sub(r"\s+", " ", word.strip().lower())
    return UNITS[key] if key in UNITS else UNITS[key[:-1]]  # "points" -> "point"


def _attached_direction(before: str, after: str) -> int:
    """The direction word that belongs to a figure: "up 8%", "an increase of 8%", "8% higher"."""
    head = _CLAUSE_END.split(before)[-1]
    words = [w.lower() for w in _WORD.findall(head)]
    for i in range(len(words) - 1, max(-1, len(words) - 5), -1):
        w = words[i]
        if w in FILLER:
            continue
        if w == "up" and i and words[i - 1] in PHRASAL_UP:
            return 0
        return 1 if w in UP else -1 if w in DOWN else 0
    tail = _CLAUSE_END.split(after)[0]
    words = [w.lower() for w in _WORD.findall(tail)]
    rest = [w for w in words if w not in FILLER]
    if rest and (rest[0] in UP or rest[0] in DOWN):
        nxt = rest[1] if len(rest) > 1 else ""
        if nxt in ("from", "to") or nxt.upper() in CURRENCY_CODES or (nxt and not nxt[0].isalpha()):
            return 0  # "51 billion, up from 47", "51 billion up 8%": the word belongs to what follows
        return 1 if rest[0] in UP else -1
    return 0


def _stated_directions(words: list[str]) -> set[int]:
    out = set()
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w in COMPARATIVES and nxt == "than":
            continue
        if w == "up" and i and words[i - 1] in PHRASAL_UP:
            continue
        if w in UP:
            out.add(1)
        elif w in DOWN:
            out.add(-1)
    return out


def _period(m: re.Match, kind: str, out: set[str]) -> str:
    def year(y: Optional[str]) -> Optional[str]:
        return None if not y else (y if len(y) == 4 else str(2000 + int(y)))

    def month(name: str) -> str:
        return f"M{next(i for i, full in enumerate(MONTHS, 1) if full.startswith(name.lower()[:3])):02d}"

    if kind == "ymd":
        out |= {f"Y{m[1]}", f"M{m[2]}", f"M{m[2]}-{m[3]}"}
    elif kind in ("mdy", "dmy"):
        name, day, y = (m[1], m[2], m[3]) if kind == "mdy" else (m[2], m[1], m[3])
        out |= {month(name), f"{month(name)}-{int(day):02d}"} | ({f"Y{y}"} if y else set())
    elif kind == "my":
        out |= {month(m[1]), f"Y{m[2]}"}
    elif kind == "month":
        out.add(month(m[0].rstrip(".")))
    elif kind in ("part", "wordpart"):
        if kind == "part":
            q, h = m[1] or m[2], m[3] or m[4]
            part, y = (f"Q{q}" if q else f"H{h}"), year(m[5] or m[6] or m[7])
        else:
            part, y = f"{m[2][0].upper()}{_ORDINAL[m[1].lower()]}", year(m[3])
        out.add(part)
        if y:
            out |= {f"Y{y}", f"{part}/{y}"}
    elif kind == "fy":
        out.add(f"Y{year(m[1])}")
    elif kind == "months":
        out.add(f"{_COUNT.get(m[1].lower(), m[1])}M")
    return " § "  # a period stops a direction word from reaching past it
