"""The deterministic calculator: every derived number is computed here, from facts, with its working.

Each result carries the expression as text in the tables' own units (e.g.
"(17,126,614 - 14,089,358) - (14,714,182 - 11,726,201) = 49,275 (JPY thousands)") and the facts used.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from schema import Fact

MONEY = {"JPY", "USD", "EUR", "RMB", "GBP", "CNY"}
SCALE_WORDS = {1: "", 1e3: "thousands", 1e6: "millions", 1e9: "billions"}


class CalcError(ValueError):
    """An operation the units do not allow (JPY + %, a ratio to zero, ...)."""


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    facts: tuple = ()
    node: tuple = ()  # expression tree: ("fact", fact) | ("num", value) | (op, left, right)
    decimals: Optional[int] = None  # printed precision of a single fact

    @staticmethod
    def of(f: Fact) -> "Quantity":
        return Quantity(f.value, f.unit, (f,), ("fact", f))

    @staticmethod
    def amount(f: Fact) -> "Quantity":
        """A cost or outflow printed in brackets, as the positive amount its label names."""
        return Quantity(abs(f.value), f.unit, (f,), ("amount", f))

    @property
    def scale(self) -> float:
        """The finest table scale among the facts used: the working is shown in it."""
        scales = [f.scale for f in self.facts if f.unit == self.unit and f.scale]
        return min(scales) if scales else 1.0

    def working(self) -> str:
        # Operands are shown in the finest table scale they come in; a %, points or times result as is.
        scales = [f.scale for f in self.facts if (f.unit in MONEY or f.unit == "count") and f.scale]
        expr_scale = min(scales) if scales else 1.0
        scale = expr_scale if self.unit in MONEY or self.unit == "count" else 1.0
        expr = _render(self.node, expr_scale, top=True)
        shown = [_printed(f) for f in self.facts if f.scale == expr_scale]
        places = max((len(p.split(".")[1]) for p in shown if p and "." in p), default=0)  # as precise as the cells added
        v = self.value / scale
        result = fmt_number(v, 2 if self.unit in ("%", "pp", "x") or (not places and abs(v) < 100 and not float(v).is_integer()) else places)
        return f"{expr} = {result} ({unit_words(self.unit, scale)})"


def _render(node: tuple, scale: float, top: bool = False) -> str:
    kind = node[0]
    if kind in ("fact", "amount"):
        f: Fact = node[1]
        value = abs(f.value) if kind == "amount" else f.value
        if not (f.unit in MONEY or f.unit == "count") or not f.scale or f.scale == scale:
            printed = _printed(f)
            if value >= 0 and re.fullmatch(r"[\d,]+(?:\.\d+)?", printed):
                return printed  # the cell as printed
            shown = value / (scale if f.unit in MONEY or f.unit == "count" else 1)
            return fmt_number(shown, 0 if float(shown).is_integer() else 2)
        return fmt_number(value / scale, _decimals_for(f, scale))
    if kind == "num":
        return fmt_number(node[1], 0 if float(node[1]).is_integer() else 2)
    if kind == "fn":
        return f"{node[1]}({', '.join(_render(a, scale) for a in node[2])})"
    op, a, b = node
    s = f"{_render(a, scale)} {op} {_render(b, scale)}"
    return s if top else f"({s})"


def _printed(f: Fact) -> str:
    """The cell's digits as printed, without brackets or a currency sign ("$1,482.6" gives "1,482.6")."""
    return f.cell_text.strip().strip("()").strip().lstrip("$€£¥").strip()


def _decimals_for(f: Fact, scale: float) -> int:
    ratio = f.scale / scale if scale else 1
    return 0 if ratio >= 1 else 3


def fmt_number(x: float, decimals: int = 0) -> str:
    if decimals == 0 or float(x).is_integer() and abs(x) >= 100:
        return f"{x:,.0f}"
    s = f"{x:,.{decimals}f}"
    return s


def unit_words(unit: str, scale: float = 1) -> str:
    if unit in MONEY:
        w = SCALE_WORDS.get(scale, f"x{scale:g}")
        return f"{unit} {w}".strip()
    if unit == "count":
        return "count" if scale == 1 else f"count, {SCALE_WORDS.get(scale, scale)}"
    return {"%": "%", "pp": "percentage points", "x": "times"}.get(unit, unit)


def _check_same(a: Quantity, b: Quantity, op: str) -> None:
    if a.unit != b.unit:
        raise CalcError(f"cannot {op} {a.unit} and {b.unit}")


def _combine(a: Quantity, b: Quantity, op: str, value: float, unit: str) -> Quantity:
    return Quantity(value, unit, tuple(dict.fromkeys(a.facts + b.facts)), (op, a.node, b.node))


def add(a: Quantity, b: Quantity) -> Quantity:
    _check_same(a, b, "add")
    if a.unit == "%":
        raise CalcError("percentages of different bases cannot be added")
    return _combine(a, b, "+", a.value + b.value, a.unit)


def subtract(a: Quantity, b: Quantity) -> Quantity:
    """a - b; for two percentages the difference is in percentage points."""
    _check_same(a, b, "subtract")
    unit = "pp" if a.unit == "%" else a.unit
    return _combine(a, b, "-", a.value - b.value, unit)


def change(before: Quantity, after: Quantity) -> Quantity:
    return subtract(after, before)


def ratio_pct(part: Quantity, whole: Quantity) -> Quantity:
    _check_same(part, whole, "divide")
    if whole.value == 0:
        raise CalcError("the base is zero")
    q = _combine(part, whole, "/", part.value / whole.value * 100, "%")
    return Quantity(q.value, "%", q.facts, ("*", q.node, ("num", 100.0)))


def ratio(a: Quantity, b: Quantity) -> Quantity:
    _check_same(a, b, "divide")
    if b.value == 0:
        raise CalcError("the base is zero")
    return _combine(a, b, "/", a.value / b.value, "x")


def divide(a: Quantity, b: Quantity) -> Quantity:
    """a / b: two figures in one unit give times; money over a count gives money per unit."""
    if b.value == 0:
        raise CalcError("the divisor is zero")
    if a.unit in MONEY and b.unit == "count":
        return _combine(a, b, "/", a.value / b.value, a.unit)
    return ratio(a, b)


def multiply(a: Quantity, b: Quantity) -> Quantity:
    """a * b, where one side is a plain number of times (a ratio or a count)."""
    if b.unit in ("x", "count") and a.unit not in ("x", "count"):
        a, b = b, a
    if a.unit not in ("x", "count"):
        raise CalcError(f"cannot multiply {a.unit} by {b.unit}")
    return _combine(a, b, "*", a.value * b.value, b.unit if b.unit not in ("x", "count") else "x")


def median(*qs: Quantity) -> Quantity:
    """The middle figure (the mean of the two middle ones for an even count), in the figures' unit."""
    if len(qs) < 2:
        raise CalcError("a median needs at least two figures")
    for q in qs[1:]:
        _check_same(qs[0], q, "take the median of")
    ordered = sorted(qs, key=lambda q: q.value)
    mid = len(ordered) // 2
    value = ordered[mid].value if len(ordered) % 2 else (ordered[mid - 1].value + ordered[mid].value) / 2
    facts = tuple(dict.fromkeys(f for q in qs for f in q.facts))
    return Quantity(value, qs[0].unit, facts, ("fn", "median", [q.node for q in qs]))


def cagr(first: Quantity, last: Quantity, years: float) -> Quantity:
    """Compound annual growth rate in %: ((last / first) ^ (1 / years) - 1) * 100."""
    _check_same(first, last, "compare")
    if first.unit == "%":
        raise CalcError("a growth rate of a percentage is not meaningful; ask for the change in points")
    if first.value <= 0 or last.value <= 0:
        raise CalcError("a compound growth rate needs two positive figures")
    if years <= 0:
        raise CalcError("the two periods must be at least part of a year apart")
    value = ((last.value / first.value) ** (1 / years) - 1) * 100
    facts = tuple(dict.fromkeys(first.facts + last.facts))
    node = ("*", ("-", ("^", ("/", last.node, first.node), ("num", round(1 / years, 4))), ("num", 1.0)), ("num", 100.0))
    return Quantity(value, "%", facts, node)


def pct_change(before: Quantity, after: Quantity) -> Quantity:
    _check_same(before, after, "compare")
    if before.unit == "%":
        raise CalcError("a change of a percentage is given in percentage points, not %")
    if before.value == 0:
        raise CalcError("the earlier figure is zero")
    diff = subtract(after, before)
    value = (after.value - before.value) / abs(before.value) * 100
    return Quantity(value, "%", diff.facts, ("*", ("/", diff.node, before.node), ("num", 100.0)))


def per_unit(amount: Quantity, count: Quantity) -> Quantity:
    if count.unit != "count" or amount.unit not in MONEY:
        raise CalcError(f"per-share needs money and a count, not {amount.unit} and {count.unit}")
    if count.value == 0:
        raise CalcError("the count is zero")
    return _combine(amount, count, "/", amount.value / count.value, f"{amount.unit}/share")


def convert(amount: Quantity, rate: Quantity, to: str) -> Quantity:
    """Converts with a rate fact stated as <from> per 1 <to> (e.g. JPY/USD 77.92)."""
    frm, _, per = rate.unit.partition("/")
    if amount.unit != frm or per != to:
        raise CalcError(f"rate {rate.unit} cannot convert {amount.unit} to {to}")
    if rate.value == 0:
        raise CalcError("the rate is zero")
    q = _combine(amount, rate, "/", amount.value / rate.value, to)
    return q


def mean(*qs: Quantity) -> Quantity:
    """The plain average of figures in one unit: their sum over their count."""
    if len(qs) < 2:
        raise CalcError("an average needs at least two figures")
    for q in qs[1:]:
        _check_same(qs[0], q, "average")
    node = qs[0].node
    for q in qs[1:]:
        node = ("+", node, q.node)
    facts = tuple(dict.fromkeys(f for q in qs for f in q.facts))
    return Quantity(sum(q.value for q in qs) / len(qs), qs[0].unit, facts, ("/", node, ("num", float(len(qs)))))


def larger(a: Quantity, b: Quantity) -> Quantity:
    _check_same(a, b, "compare")
    return a if a.value >= b.value else b


def langchain_tools(lookup):
    """The calculator as LangChain tools over fact ids, for an agent backend. `lookup(id) -> Fact`."""
    from langchain_core.tools import StructuredTool

    def _run(fn, *ids: str) -> dict:
        q = fn(*(Quantity.of(lookup(i)) for i in ids))
        return {"value": q.value, "unit": q.unit, "working": q.working(), "facts": [f.id for f in q.facts]}

    specs = {
        "change": (lambda before_id, after_id: _run(change, before_id, after_id), "after - before, in the facts' unit"),
        "percent_change": (lambda before_id, after_id: _run(pct_change, before_id, after_id), "(after - before) / before * 100"),
        "share_of_total": (lambda part_id, whole_id: _run(ratio_pct, part_id, whole_id), "part / whole * 100"),
        "sum": (lambda a_id, b_id: _run(add, a_id, b_id), "a + b (same unit only)"),
        "difference": (lambda a_id, b_id: _run(subtract, a_id, b_id), "a - b (margin = revenue - cost)"),
        "per_share": (lambda amount_id, shares_id: _run(per_unit, amount_id, shares_id), "money / share count"),
        "average": (lambda a_id, b_id: _run(mean, a_id, b_id), "(a + b) / 2 (same unit only)"),
        "divide": (lambda a_id, b_id: _run(divide, a_id, b_id), "a / b (times, or money per unit)"),
        "median": (lambda a_id, b_id, c_id: _run(median, a_id, b_id, c_id), "the middle of three figures"),
    }
    return [StructuredTool.from_function(fn, name=name, description=desc) for name, (fn, desc) in specs.items()]
