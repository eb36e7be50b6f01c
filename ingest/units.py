"""The unit and scale of one table cell, from what the cell, its row, its column and its table state.

Order of evidence, most specific first: the cell ("12%", "1.2 Gbps"), a percent column or row, the
row's own unit ("Total bookings (in millions)"), what the row counts (shares, users, employees) or
whether it is per share, a unit row above it ("Million shares"), the column's unit, then the table's
note ("(In thousands, except share and per share data)"), with the exceptions that note states.
A scale nothing states stays unknown (scale 0).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from .cells import Number, Unit, currency_in, parse_unit

if TYPE_CHECKING:  # the parser's row and column records
    from .parser import Column, Row

PERCENT = Unit("%", 1, "%")

PER_SHARE = re.compile(r"\bper\s+(?:common\s+|ordinary\s+)?(share|ads|adr|unit)s?\b|\bEPS\b|\bdividends?\s+per\b", re.I)
# A price or value of one share, named by a row or column ("Exercise price", "Grant Date Fair Value",
# "Weighted average grant date stock price"), or a table of them ("high and low sales prices for our common stock").
_SHARE_PRICE = re.compile(r"\b(?:exercise|strike|grant[- ]date|purchase|sales?|share|stock|market|closing)\s+(?:fair\s+)?(?:price|value)s?\b"
                          r"|\bprice (?:per|of one) share\b", re.I)
_PRICE_TABLE = re.compile(r"\b(?:sales?|stock|share|market|closing|trading)\s+prices?\b|\bprice range\b"
                          r"|\bprices?\b[^.]{0,60}\b(?:common stock|ordinary shares|per share)\b", re.I)
SHARES = re.compile(r"\((shares|ADSs?)\)|\bnumber of (?:shares|ADS)|\bweighted[- ]average\b.*\bshares\b|\bshares outstanding\b", re.I)
# Shares named as things counted ("Potential common shares excluded", "Shares issued under the ESPP"): counts
# when the label names no money ("Repurchase of common shares" is an amount).
_SHARES_NAMED = re.compile(
    r"^shares\b|\b(?:common|ordinary|potential(?:ly)?(?:\s+dilutive)?|dilutive|restricted|performance|nonvested|unvested|treasury)\s+shares\b"
    r"|\bshares\s+(?:of|issued|issuable|granted|outstanding|purchased|repurchased|vested|forfeited|exercised|excluded|used)\b", re.I)
# Things counted, never amounts of money: a row naming them counts them when nothing in it is money.
_COUNTED = re.compile(
    r"\b(?:number of|users|subscribers|customers|members|employees|headcount|devices sold|stores|restaurants"
    r"|options (?:outstanding|granted|exercised|forfeited|vested))\b", re.I)
_MONEY_WORDS = re.compile(
    r"\b(?:revenues?|sales|income|expenses?|costs?|profit|loss|earnings|cash|prices?|value|amount|fees?|payments?|"
    r"compensation|tax|debt|assets?|liabilit\w*|capital|dividends?|proceeds|charges?|ebitda|margin|spend\w*|"
    r"investments?|provisions?|reserves?|premiums?|consideration|receivables?|payables?|bookings|par|proceeds|"
    r"repurchases?|purchases?|issuance|conversion)\b|\$", re.I)
_PER_SHARE_PHRASE = re.compile(r"\b(?:net\s+)?(?:income|loss|earnings)(?:/\(loss\))?\s+per\s+(?:common\s+)?share\b", re.I)
# A title that states its figures are counts. Row labels ("Employees", "Contracts") state no unit.
COUNT_TITLE = re.compile(r"\bnumber of\b|\bheadcount\b|\(\s*(?:number|count)\s*\)", re.I)
# A row label stating percent: "Gross margin (%)", "EBITDA margin in %", "% of revenue", "as a percentage of sales".
ROW_PERCENT = re.compile(
    r"\(\s*(?:in\s*)?(?:%|per\s?cent)\s*\)\s*$|\bin\s*%\s*$|\bin\s+per\s?cent\s*$|^%|\bas\s+an?\s+(?:%|percent(?:age)?)\s+of\b"
    r"|^percent(?:age)?\s+of\b|\(\s*as\s+%\s+of\b", re.I)
_DOLLAR_CURRENCIES = ("USD", "SGD", "AUD", "NZD", "HKD", "CAD", "TWD")


@dataclass(frozen=True)
class TableUnits:
    """What a table states once for all of its cells."""

    unit: Optional[Unit]  # its note, sentence or header row: "(In thousands, except per share data)"
    currency: str  # the one currency printed on its cells ("$" on the first and total rows), or ""
    text_currency: str  # the one currency the filing's text writes amounts in, for a note stating only a scale
    title: str
    headers: str  # its header rows' labels
    ncol: int
    intro: str = ""  # the text introducing it

    @property
    def share_prices(self) -> bool:
        """A table of share prices ("high and low sales prices for our common stock", "Market Prices of Common Stock")."""
        return bool(_PRICE_TABLE.search(self.title + " " + self.intro))

    @property
    def shares_exempt(self) -> bool:
        """The note excepts share counts from its scale: "(in thousands, except share and per share data)"."""
        label = self.unit.label if self.unit else ""
        m = re.search(r"\bexcept\b(.*)", label, re.I)
        return bool(m and re.search(r"(?<!per )\bshares?\b(?!\s+price)", m.group(1), re.I))

    @property
    def counts(self) -> bool:
        """A table of counts: its title counts things and nothing in it is money ("BCE retail subscribers")."""
        if self.currency or (self.unit and self.unit.unit):
            return False
        return bool(_COUNTED.search(self.title) or SHARES.search(self.title) or _SHARES_NAMED.search(self.title)) \
            and not _MONEY_WORDS.search(self.title)


def cell_unit(num: Number, row: "Row", path: list[str], col: "Column", table: TableUnits, j: int,
              group: Optional[Unit] = None) -> Unit:
    """`group`: the unit a label-only row above this one stated ("Million shares")."""
    fixed = _cell_suffix_unit(num)
    if fixed is not None:
        return fixed
    # A % (change) column stays % whatever the row measures: the EPS row's "% Change" cell is a percent.
    if (col.unit is not None and col.unit.unit == "%") or "%" in col.qualifier:
        return PERCENT
    if ROW_PERCENT.search(row.label) or ROW_PERCENT.search(col.metric):
        return PERCENT
    own = label_unit(row.label)
    if own is not None and own.unit == "%":
        return own
    base = col.unit or table.unit
    if _is_share_count(row, path, col):
        return _count_unit(own or group, col, table, "shares")
    per = _per_share(row, path, col, table, own, base)
    if per:
        cur = (_per_column_currency(row.label, j, table.ncol) or num.currency
               or (base.unit if base and base.unit not in ("%", "count") else "")
               or currency_in(table.title + " " + _headers(table, col)) or table.currency or table.text_currency)
        return Unit(f"{cur or 'unknown'}/{per}", 1, f"{cur} per {per}")
    if own is not None and (own.scale or own.unit):
        return _own_unit(own, num, base, table, row)
    if group is not None:
        base = group
    if base is not None:
        return _scaled(base, num, row, col, table)
    if COUNT_TITLE.search(table.title):
        return Unit("count", 1, "count")
    if num.currency or table.currency:
        cur = num.currency or table.currency
        return Unit(cur, 0, f"{cur}, scale not stated")
    return Unit("", 0, "unknown scale")


def _per_share(row: "Row", path: list[str], col: "Column", table: TableUnits, own: Optional[Unit], base: Optional[Unit]) -> str:
    """"share" or "ADS" when the cell is an amount per share (EPS, dividends per share, a share price), else ""."""
    m = PER_SHARE.search(row.label) or PER_SHARE.search(col.metric)
    if m is None and row.label.strip(" ."):  # "Net loss per share:" over "Basic"
        m = next((PER_SHARE.search(p) for p in path[:-1] if PER_SHARE.search(p)), None)
    if m is not None:
        what = (m.group(1) or "share").lower()
        return "share" if what in ("share", "unit") or "dividend" in row.label.lower() else what.upper()
    if _SHARE_PRICE.search(row.label) or _SHARE_PRICE.search(col.header):
        return "share"
    if table.share_prices and own is None and col.unit is None and (base is None or base.scale == 1) \
            and re.search(r"\b(?:high|low|close|closing|open|price)s?\b", col.header + " " + table.headers, re.I):
        return "share"
    return ""


def _cell_suffix_unit(num: Number) -> Optional[Unit]:
    if num.suffix == "%":
        return PERCENT
    if num.suffix.lower() in ("gbps", "mbps", "tbps"):
        return Unit(num.suffix[0].upper() + num.suffix[1:].lower(), 1, num.suffix)
    if num.suffix.lower() in ("pp", "pt", "pts"):
        return Unit("pp", 1, "percentage points")
    return None


def label_unit(label: str) -> Optional[Unit]:
    """A unit a row label states in parentheses: "Total bookings (in millions)", "Net profit (USDm)", "Sales ($)"."""
    for text in reversed(re.findall(r"\(([^()]*)\)", label)):
        if re.search(r"[$\u20ac\u00a3\u00a5]\s*\d|\d[.,]\d", text):
            continue  # "(net of refunds of $11.2, $25.0 and $20.7, respectively)": figures of its own, not the row's unit
        u = parse_unit(text)
        if u is not None:
            return u
    return None


def _is_share_count(row: "Row", path: list[str], col: "Column") -> bool:
    """The row counts shares: it says so ("Number of shares", "Weighted average shares outstanding"), a heading
    above it does ("Weighted average shares outstanding:" over "Basic"), or its column does ("Number of Shares")."""
    label = _PER_SHARE_PHRASE.sub(" ", row.label)
    if SHARES.search(label) or any(SHARES.search(p) for p in path[:-1]):
        return True
    if _SHARES_NAMED.search(label) and not _MONEY_WORDS.search(label):
        return True
    return bool(SHARES.search(col.header)) and not PER_SHARE.search(row.label)


def _count_unit(stated: Optional[Unit], col: "Column", table: TableUnits, what: str) -> Unit:
    if stated is not None and stated.scale and stated.unit in ("", "count"):
        return Unit("count", stated.scale, f"{stated.label} (count)")
    unit = col.unit if col.unit and col.unit.unit in ("", "count") else table.unit
    if unit is None or not unit.scale or table.shares_exempt or (col.unit is not None and unit is table.unit):
        return Unit("count", 1, what)
    return Unit("count", unit.scale, f"{what} ({unit.label})")


def _own_unit(own: Unit, num: Number, base: Optional[Unit], table: TableUnits, row: "Row") -> Unit:
    """A row's own unit statement. A bare "$" in a table of another dollar (NZ$, S$) is that dollar."""
    if own.unit in ("", "count"):
        if _counts_things(row, num) or own.unit == "count":
            return Unit("count", own.scale, f"{own.label} (count)")
        return _with_currency(own, num, table, "")
    cur = own.unit
    other = (base.unit if base else "") or table.currency
    if cur == "USD" and re.fullmatch(r"\s*\$\s*\w*\s*", own.label) and other in _DOLLAR_CURRENCIES:
        cur = other
    return Unit(cur, own.scale or 1, own.label)


def _scaled(base: Unit, num: Number, row: "Row", col: "Column", table: TableUnits) -> Unit:
    if base.unit == "count":
        return base
    if not base.unit:
        if _counts_things(row, num) or (table.counts and not _MONEY_WORDS.search(_PER_SHARE_PHRASE.sub(" ", row.label))):
            return Unit("count", base.scale, f"{base.label} (count)")
        return _with_currency(base, num, table, _headers(table, col))
    if base.unit not in ("%",) and num.currency and num.currency != base.unit:
        return Unit(num.currency, base.scale, base.label)
    return base


def _with_currency(base: Unit, num: Number, table: TableUnits, headers: str) -> Unit:
    cur = num.currency or currency_in(table.title + " " + headers) or table.currency
    if cur:
        return Unit(cur, base.scale, f"{base.label} ({cur})")
    if table.text_currency:
        return Unit(table.text_currency, base.scale, f"{base.label} ({table.text_currency}, the currency of the filing's text)")
    return base


def _counts_things(row: "Row", num: Number) -> bool:
    """The row counts things ("Devices sold", "Active users", "Number of stores") and prints no currency."""
    label = _PER_SHARE_PHRASE.sub(" ", row.label)
    if num.currency or any(n is not None and n.currency for n in row.numbers):
        return False
    return bool(_COUNTED.search(label)) and not _MONEY_WORDS.search(label)


def _headers(table: TableUnits, col: "Column") -> str:
    return table.headers + " " + col.header + " " + col.metric


def _per_column_currency(label: str, j: int, ncol: int) -> str:
    """"(JPY / U.S. Dollars / JPY)" in a label gives each column its currency."""
    m = re.search(r"\(([^()]+/[^()]+)\)", label)
    if not m:
        return ""
    parts = [currency_in(p) for p in m.group(1).split("/")]
    return parts[j] if j < len(parts) and len(parts) == ncol else ""
