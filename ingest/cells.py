"""Reading single cells and header texts: numbers, units, periods. No filing-specific labels."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from schema import Period

SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2071\u2074\u2075\u2076\u2077\u2078\u2079\u207a\u207b\u2020\u2021\u203b*"
_FOOTNOTE = re.compile(r"(\s*[" + re.escape(SUPERSCRIPTS) + r"]\d*)+\s*$|\s*\((?:\d{1,2}|[a-z])\)\s*$")
# Cells that hold no figure: dashes, "n/a", and "n/m" / "nm" (not meaningful). Compared case-insensitively.
EMPTY_MARKS = {"", "-", "\u2014", "\u2013", "\u2012", "\u2015", "\u2212", "n/a", "na", "nm", "n/m", "n.m.", "n.a.", "not meaningful"}

_NUM = re.compile(
    r"""^(?P<lead>[\(\[]?)\s*(?P<sign1>[-+\u2212\u2013]?)\s*
    (?P<cur>US\$|[SANCR]\$|NZ\$|HK\$|NT\$|\$|\u20ac|\u00a3|\u00a5|JPY|USD|EUR|RMB|CNY|GBP|SGD|AUD|NZD|HKD|CAD|CHF)?\s*
    (?P<paren>\(?)\s*(?P<sign2>[-+\u2212]?)\s*
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*
    (?P<close>\)?)\s*(?P<suffix>%|pts?|pp|x|Gbps|Mbps|Tbps|bps|million|billion|thousand)?\s*(?P<trail>[\)\]]?)$""",
    re.X | re.I,
)

CURRENCY_SYMBOLS = {"$": "USD", "us$": "USD", "\u20ac": "EUR", "\u00a3": "GBP", "\u00a5": "JPY", "s$": "SGD", "a$": "AUD",
                    "nz$": "NZD", "hk$": "HKD", "c$": "CAD", "nt$": "TWD", "r$": "BRL", "cny": "RMB"}


@dataclass(frozen=True)
class Number:
    value: float
    decimals: int
    currency: str = ""  # from a symbol inside the cell
    suffix: str = ""  # "%", "Gbps", ...


def clean_label(text: str) -> str:
    """A row label without footnote marks, trailing colons or doubled spaces."""
    t = text.replace("\u00a0", " ").strip()
    prev = None
    while prev != t:
        prev = t
        t = _FOOTNOTE.sub("", t).strip()
    t = t.rstrip(":").strip()
    return re.sub(r"\s+", " ", t)


def parse_number(text: str) -> Optional[Number]:
    """A numeric cell, or None ("-", "—" and blanks mean nothing)."""
    t = text.replace("\u00a0", " ").strip()
    t = re.sub(r"[" + re.escape(SUPERSCRIPTS) + r"]\d?$", "", t).strip()
    if t.lower() in EMPTY_MARKS:
        return None
    m = _NUM.match(t)
    if not m:
        return None
    opened = m["lead"] in "([" and m["lead"] != "" or m["paren"] == "("
    closed = m["close"] == ")" or m["trail"] == ")"
    if opened != closed:
        return None
    num = m["num"]
    value = float(num.replace(",", ""))
    negative = opened or m["sign1"] not in ("", "+") or m["sign2"] not in ("", "+")
    if (m["sign1"] == "+" or m["sign2"] == "+") and opened:
        return None  # "(+5)" states two signs
    if negative:
        value = -value
    decimals = len(num.split(".")[1]) if "." in num else 0
    cur = (m["cur"] or "").upper()
    cur = CURRENCY_SYMBOLS.get(cur.lower(), cur)
    suffix = m["suffix"] or ""
    if suffix.lower() in ("million", "billion", "thousand"):
        value *= {"thousand": 1e3, "million": 1e6, "billion": 1e9}[suffix.lower()]
        suffix = "scaled"
    return Number(value, decimals, cur, suffix)


# ---------------------------------------------------------------- units

# Dollars other than the US dollar first: "S$" and "Singapore dollars" must not read as USD.
_CURRENCY_WORDS = [
    (r"\bJPY\b|\byen\b|\u00a5", "JPY"),
    (r"\bSGD\b|(?<![A-Za-z])S\$|\bSingapore\s+dollars?\b", "SGD"),
    (r"\bAUD\b|(?<![A-Za-z])A\$|\bAustralian\s+dollars?\b", "AUD"),
    (r"\bNZD\b|\bNZ\$|\bNew\s+Zealand\s+dollars?\b", "NZD"),
    (r"\bHKD\b|\bHK\$|\bHong\s+Kong\s+dollars?\b", "HKD"),
    (r"\bCAD\b|(?<![A-Za-z])C\$|\bCanadian\s+dollars?\b", "CAD"),
    (r"\bTWD\b|\bNT\$|\bNew\s+Taiwan\s+dollars?\b", "TWD"),
    (r"\bU\.?S\.?\s*dollars?\b|\bUSD\b|US\$|\$|\bdollars?\b", "USD"),
    (r"\bEUR\b|\u20ac|\beuros?\b", "EUR"),
    (r"\bRMB\b|\bCNY\b|\byuan\b|\brenminbi\b", "RMB"),
    (r"\bGBP\b|\u00a3|\bpounds?\s+sterling\b", "GBP"),
]
_CUR_MARK = r"(?:[$\u20ac\u00a3\u00a5]|\b(?:USD|EUR|GBP|RMB|JPY|SGD|AUD|NZD|HKD|CAD|CHF))"
_SCALES = [
    (r"\bthousands?\b|\bin\s+000s\b|'000|\bk\b|\b000s\b|" + _CUR_MARK + r"\s?000\b", 1e3),
    # "£m", "USDm", "$m", "S$ Mil": a currency followed by m is millions.
    (r"\bmillions?\b|\bmn\b|\bmm\b|\bmil\b|" + _CUR_MARK + r"\s?m\b", 1e6),
    (r"\bbillions?\b|\bbn\b|" + _CUR_MARK + r"\s?b\b", 1e9),
]


@dataclass(frozen=True)
class Unit:
    unit: str  # currency code, "%", "count", "Gbps", or "" when only a scale is known
    scale: float  # 0 = unknown
    label: str


def currency_in(text: str) -> str:
    text = re.sub(r"\b(USD|EUR|GBP|RMB|JPY|SGD|AUD|NZD|HKD|CAD|CHF)(m|bn|k)\b", r"\1 \2", text)  # "USDm"
    for pat, code in _CURRENCY_WORDS:
        if re.search(pat, text, re.I):
            return code
    return ""


def parse_unit(text: str) -> Optional[Unit]:
    """A unit/scale statement such as "JPY millions", "Thousands of U.S. Dollars", "€ thousands", "%"."""
    t = text.strip()
    if not t:
        return None
    if re.fullmatch(r"\(?\s*%\s*\)?|percent|per ?cent", t, re.I):
        return Unit("%", 1, "%")
    if re.fullmatch(r"\(?\s*(shares|number|count|units|persons|people|employees|headcount|FTEs?)\s*\)?", t, re.I):
        return Unit("count", 1, t)
    if re.fullmatch(r"\(?\s*(gbps|mbps|tbps)\s*\)?", t, re.I):
        return Unit(t.strip("() ").capitalize(), 1, t)
    cur = currency_in(t)
    scale = 0.0
    for pat, s in _SCALES:
        if re.search(pat, t, re.I):
            scale = s
            break
    if not cur and not scale:
        return None
    # A long sentence that only mentions a currency is not a unit statement.
    if len(t) > 60 and not scale:
        return None
    if cur and not scale:
        scale = 1.0
    return Unit(cur, scale, t)


_UNIT_SENTENCE = re.compile(
    r"(?:\bin\s+(?:thousands|millions|billions)\b|\b(?:thousands|millions|billions)\s+of\b|"
    r"\((?:[^()]*\b(?:in\s+)?(?:thousands|millions|billions)\b[^()]*)\)|"
    r"\b(?:JPY|USD|EUR|RMB|GBP|\$|\u20ac)\s+in\s+(?:thousands|millions|billions)\b)",
    re.I,
)


_PAREN_UNIT = re.compile(r"\(([^()\d]*\b(?:thousands|millions|billions)\b[^()\d]*)\)", re.I)


def unit_from_sentence(text: str) -> Optional[Unit]:
    """A unit stated in a line around a table: "(In millions of USD, except per share data)", "(JPY in millions)".

    In a longer paragraph only a parenthesised statement without figures counts:
    "... by reportable segment (dollars in millions):".
    """
    found = list(dict.fromkeys(f.strip().lower() for f in _PAREN_UNIT.findall(text)))
    if len(text) > 80 and len(found) == 1 and _UNIT_SENTENCE.search(f"({found[0]})"):
        return parse_unit(_PAREN_UNIT.findall(text)[0])
    if len(text) <= 200 and _UNIT_SENTENCE.search(text):
        return parse_unit(text)
    return None


# ---------------------------------------------------------------- periods

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTH_RE = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_DATE = re.compile(_MONTH_RE + r"\s+(\d{1,2}),?\s*(\d{4})", re.I)
_MONTH_DAY = re.compile(_MONTH_RE + r"\s+(\d{1,2})\b", re.I)
_WORD_MONTHS = {"three": 3, "six": 6, "nine": 9, "twelve": 12, "3": 3, "6": 6, "9": 9, "12": 12}
TARGET_WORDS = re.compile(r"\b(target|forecast|outlook|guidance|plan|projected(?!\s+benefits?)|estimate)s?\b", re.I)


@dataclass
class FiscalCalendar:
    """How this filing names fiscal years: the month a year ends and the label offset.

    offset = (calendar year in which FY<label> ends) - label. IIJ: FY2012 ends March 2013, offset 1.
    """

    end_month: int = 12
    end_day: int = 31
    offset: int = 0

    def fy_end(self, label_year: int) -> date:
        y = label_year + self.offset
        return date(y, self.end_month, calendar.monthrange(y, self.end_month)[1])

    def fy_of(self, end: date) -> int:
        """The label of the fiscal year containing `end`."""
        end = closing_month(end)
        y = end.year if end.month <= self.end_month else end.year + 1
        return y - self.offset

    def label(self, end: date, months: int, is_target: bool = False) -> str:
        if months == 0:
            return f"as of {end.strftime('%B')} {end.day}, {end.year}"
        fy = self.fy_of(end)
        start = add_months(self.fy_end(fy - 1), 0)
        elapsed = months_between(start, closing_month(end))
        if months == 12 and elapsed == 12:
            lab = f"FY{fy}"
        elif months == 6 and elapsed in (6, 12):
            lab = f"{'1H' if elapsed == 6 else '2H'} FY{fy}"
        elif months == 3 and elapsed in (3, 6, 9, 12):
            lab = f"{elapsed // 3}Q FY{fy}"
        elif months == elapsed:
            lab = f"{months} month{'s' if months != 1 else ''} FY{fy}"
        else:
            lab = f"{months} months to {end.isoformat()}"
        return lab + (" target" if is_target else "")

    def period(self, end: date, months: int, is_target: bool = False) -> Period:
        fy = self.fy_of(end) if months else None
        return Period(end.isoformat(), months, self.label(end, months, is_target), fy, is_target)


def closing_month(d: date) -> date:
    """The month a period closes: a 52/53-week year ends on a weekday near a month's end, so
    "January 3, 2020" closes December (fiscal 2019) as "December 28, 2018" does."""
    return d - timedelta(days=d.day) if d.day <= 7 else d


def add_months(d: date, n: int) -> date:
    """Month-end arithmetic: the last day of the month n months after d's month."""
    m = d.month - 1 + n
    y = d.year + m // 12
    m = m % 12 + 1
    return date(y, m, calendar.monthrange(y, m)[1])


def months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _year(s: str) -> int:
    y = int(s)
    return y + 2000 if y < 100 else y


def detect_calendar(text: str) -> FiscalCalendar:
    """Reads "fiscal year ending March 31, 2013 ... FY2012" style statements from the filing."""
    cal = FiscalCalendar()
    m = re.search(r"fiscal\s+year\s+end(?:ing|ed|s)?\s+(?:on\s+)?" + _MONTH_RE + r"\s+(\d{1,2}),?\s*(\d{4})", text, re.I)
    if not m:
        m2 = re.search(r"(?:years?|fiscal\s+years?)\s+end(?:ing|ed)\s+" + _MONTH_RE + r"\s+(\d{1,2})", text, re.I)
        if m2:
            cal.end_month, cal.end_day, _ = _closing(MONTHS[_month_key(m2.group(1))], int(m2.group(2)), 2001)
        return cal
    cal.end_month, cal.end_day, end_year = _closing(MONTHS[_month_key(m.group(1))], int(m.group(2)), int(m.group(3)))
    window = text[max(0, m.start() - 300): m.end() + 300]
    label = re.search(r"\bFY\s?'?(\d{4}|\d{2})\b", window)
    if label:
        cal.offset = end_year - _year(label.group(1))
        if cal.offset not in (0, 1):
            cal.offset = 0
    return cal


def _closing(month: int, day: int, year: int) -> tuple[int, int, int]:
    """A fiscal year end as (month, day, year), a date early in a month moved to the month before's end."""
    if day > 7:
        return month, day, year
    month, year = (12, year - 1) if month == 1 else (month - 1, year)
    return month, calendar.monthrange(year, month)[1], year


def _month_key(s: str) -> str:
    s = s.lower().rstrip(".")
    return "sep" if s == "sept" else s


def parse_period(text: str, cal: FiscalCalendar) -> Optional[Period]:
    """A column or row header as a period, or None when it names none."""
    t = " ".join(text.replace("\u00a0", " ").split())
    if not t:
        return None
    target = bool(TARGET_WORDS.search(t))
    m = re.search(r"\b(six|three|nine|twelve|3|6|9|12)[\s-]+months?\s+end(?:ed|ing)\s+" + _MONTH_RE + r"\s+(\d{1,2}),?\s*(\d{4})", t, re.I)
    if m:
        end = _date(m.group(2), m.group(3), m.group(4))
        return cal.period(end, _WORD_MONTHS[m.group(1).lower()], target)
    m = re.search(r"\b(?:fiscal\s+)?years?\s+end(?:ed|ing)\s+" + _MONTH_RE + r"\s+(\d{1,2}),?\s*(\d{4})", t, re.I)
    if m:
        return cal.period(_date(m.group(1), m.group(2), m.group(3)), 12, target)
    m = re.search(r"\b([12])H\s*(?:FY)?\s*'?(\d{4}|\d{2})\b|\bH([12])\s*(?:FY)?\s*'?(\d{4}|\d{2})\b|\b(first|second)\s+half\s+(?:of\s+)?(?:FY|fiscal\s+(?:year\s+)?)?\s*(\d{4})", t, re.I)
    if m:
        half = int(m.group(1) or m.group(3) or (1 if (m.group(5) or "").lower() == "first" else 2))
        fy = _year(m.group(2) or m.group(4) or m.group(6))
        return _in_fy(cal, fy, half * 6, 6, target)
    m = re.search(r"\b([1-4])Q\s*(?:FY)?\s*'?(\d{4}|\d{2})\b|\bQ([1-4])\s*(?:FY)?\s*'?(\d{4}|\d{2})\b", t, re.I)
    if m:
        q = int(m.group(1) or m.group(3))
        fy = _year(m.group(2) or m.group(4))
        return _in_fy(cal, fy, q * 3, 3, target)
    m = re.search(r"\b(?:as\s+(?:of|at)\s+)?" + _MONTH_RE + r"\s+(\d{1,2}),?\s*(\d{4})", t, re.I)
    if m and not re.search(r"\bmonths?\b|\byears?\b|\bfiscal\b", t, re.I):
        return cal.period(_date(m.group(1), m.group(2), m.group(3)), 0, target)
    m = re.search(r"\b(?:full\s+)?(?:FY|fiscal(?:\s+year)?)\s*'?(\d{4}|\d{2})\b", t, re.I)
    if m:
        return _in_fy(cal, _year(m.group(1)), 12, 12, target)
    m = re.search(r"fiscal\s+years?\s+end(?:ed|ing)\s+" + _MONTH_RE + r"\s+(\d{1,2}),?\s*(\d{4})", t, re.I)
    if m:
        return cal.period(_date(m.group(1), m.group(2), m.group(3)), 12, target)
    m = re.fullmatch(r"(?:CY|calendar\s+)?((?:19|20)\d\d)(?:\s*\(?(?:target|forecast|plan)\)?)?", t, re.I)
    if m:
        return _in_fy(cal, int(m.group(1)), 12, 12, target)
    return None


def _date(month: str, day: str, year: str) -> date:
    return date(int(year), MONTHS[_month_key(month)], int(day))


def _in_fy(cal: FiscalCalendar, fy: int, elapsed: int, months: int, target: bool) -> Period:
    end = add_months(cal.fy_end(fy - 1), elapsed)
    return cal.period(end, months, target)


_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_RE + r",?\s+((?:19|20)\d\d)\b", re.I)
_SLASH_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)?\d\d)(?![\d/])")
_SHORT_FY = re.compile(r"\bF'?(\d{2})\b")
_SPLIT_YEAR = re.compile(r"(?<![\d/])((?:19|20)\d\d)\s*/\s*((?:19|20)?\d\d)(?![\d/])")
_LONE_YEAR = re.compile(r"(?<![\d.,$/])((?:19|20)\d\d)(?![\d/.,%]|\s*(?:-|\u2013|to|through)\s*(?:19|20)\d\d)")
_MONTH_DAY_NO_YEAR = re.compile(r"\b(" + _MONTH_RE[1:-4] + r")\.?\s+(\d{1,2})\b(?!,?\s*(?:19|20)\d\d)", re.I)
_RANGE = re.compile(r"(?:19|20)\d\d\s*(?:-|\u2013|to|through)\s*(?:19|20)?\d\d|\bthereafter\b|\bbeyond\b", re.I)


def header_period(text: str, cal: FiscalCalendar) -> Optional[Period]:
    """A column header as a period, also in the forms annual reports print beside the ones parse_period reads:
    "30 June 2019", "30/9/2019", "F19", "2018/2019", a year beside other words ("2019 Notes", "Pension 2019")
    and a year printed apart from its month and day ("Year Ended May 31, Percent Change 2019").

    Two different years ("2019 vs 2018", "2021 - 2022") name a comparison or a range, not a period."""
    t = " ".join(text.replace("\u00a0", " ").split())
    t = re.sub(r"\(\d{1,2}\)|\b\d{1,2}\)", " ", t)  # footnote marks: "Q1 2020 (1)"
    t = re.sub(r"\b(FY\s?'?\d\d)\d\b", r"\1", t, flags=re.I)  # a footnote mark run into a short year: "FY181"
    t = re.sub(_MONTH_RE + r"(\d{1,2},?\s*(?:19|20)\d\d)", r"\1 \2", t, flags=re.I)  # "December31, 2019"
    t = t.replace(":", " ")
    p = parse_period(t, cal)
    q = quarter_named(t)
    if p is not None and q and p.months == 12 and p.fiscal_year:
        return _in_fy(cal, p.fiscal_year, q * 3, 3, p.is_target)  # "Fiscal 2019 Third Quarter"
    if p is not None:
        return p
    target = bool(TARGET_WORDS.search(t))
    m = _DMY.search(t)
    if m:  # "Year ended 31 December 2019" reads as "Year ended December 31, 2019"
        return parse_period(t[: m.start()] + f"{m.group(2)} {m.group(1)}, {m.group(3)}" + t[m.end():], cal)
    dates = list(_SLASH_DATE.finditer(t))
    if len(dates) == 2 and re.fullmatch(r"\s*(?:to|-|\u2013|through)\s*", t[dates[0].end(): dates[1].start()], re.I):
        return _slash_range(dates[0], dates[1], cal, target)  # "1/1/2018 to 1/31/2018"
    m = _SLASH_DATE.search(t)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        if a > 12 >= b or b > 12 >= a:  # only an unambiguous day/month order
            day, month = (a, b) if a > 12 else (b, a)
            try:
                return cal.period(date(y, month, day), 12 if re.search(r"\byears?\b", t, re.I) else 0, target)
            except ValueError:
                return None
        return None
    m = _SPLIT_YEAR.search(t)
    if m:  # "2018/2019": the fiscal year that ends in the second
        end_year = _year(m.group(2)[-2:]) if len(m.group(2)) == 2 else int(m.group(2))
        return _in_fy(cal, end_year - cal.offset, 12, 12, target) if end_year == int(m.group(1)) + 1 else None
    years = set(_LONE_YEAR.findall(t))
    if q and len(years) == 1:  # "Fiscal 2019 Third Quarter", "Third quarter of 2019"
        return _in_fy(cal, int(years.pop()), q * 3, 3, target)
    m = _SHORT_FY.search(t)
    if m:
        return _in_fy(cal, _year(m.group(1)), 12, 12, target)
    if _RANGE.search(t):
        return None
    years = set(_LONE_YEAR.findall(t))
    if len(years) != 1:
        return None
    year = years.pop()
    md = _MONTH_DAY_NO_YEAR.search(t)
    if md:
        return parse_period(t[: md.end()] + ", " + year, cal) or header_period(t[: md.end()] + ", " + year, cal)
    return _in_fy(cal, int(year), 12, 12, target)


_QUARTER_WORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_QUARTER = re.compile(r"\b(first|1st|second|2nd|third|3rd|fourth|4th)\s+(?:fiscal\s+)?quarter\b|\bQ([1-4])\b|\b([1-4])Q\b", re.I)


def quarter_named(text: str) -> int:
    """The quarter a header names without its year ("First Quarter", "Q3"), or 0."""
    m = _QUARTER.search(text)
    if not m:
        return 0
    return _QUARTER_WORDS[m.group(1).lower()] if m.group(1) else int(m.group(2) or m.group(3))


def quarter_of(period: Period, quarter: int, cal: FiscalCalendar) -> Period:
    """Quarter 1-4 of a fiscal year's period: a "First Quarter" row under a "Fiscal 2019" column."""
    return _in_fy(cal, period.fiscal_year, quarter * 3, 3, period.is_target)


def _slash_range(a: re.Match, b: re.Match, cal: FiscalCalendar, target: bool) -> Optional[Period]:
    """The period from one slash date to another; the order of day and month is the one either date makes clear."""
    nums = [(int(m.group(1)), int(m.group(2)), _year(m.group(3))) for m in (a, b)]
    if any(x > 12 for x, _, _ in nums):
        order = "dm"
    elif any(y > 12 for _, y, _ in nums):
        order = "md"
    else:
        return None
    try:
        start, end = ((date(yr, y, x) if order == "dm" else date(yr, x, y)) for x, y, yr in nums)
    except ValueError:
        return None
    months = max(1, round((end - start).days / 30.44))
    return cal.period(end, months, target) if end > start else None


CHANGE_WORDS = re.compile(r"\b(change|yoy|increase|decrease|growth|var(?:iance)?|difference|vs\.?)\b|%\s*ch", re.I)
