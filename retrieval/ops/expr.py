"""A composed question: its expression tree run on the calculator, each figure resolved for the
period (printed, or worked out from printed periods), with the formula shown in words and numbers."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from schema import Answer

from .. import calculator as calc
from ..calculator import CalcError, Quantity
from ..context import for_period
from ..formula import formula_name
from ..periods import Key, key_of
from ..plan import Expr, Plan
from ..render import money, pct_words
from ..text import tokens

CHANGES = ("change", "pct_change", "cagr")
INCLUSIVE = re.compile(r"\b(?:includ\w*|incl\.?|total)\b", re.I)


def run(q: Plan, ctx) -> Answer:
    e = q.expr
    if e is None:
        return ctx.out.decline(q.text, "I read this as a difference between two figures but could not tell how to work out "
                               "each side; ask for each figure on its own and I will show both.", [], plan=q)
    res = ctx.res
    if e.op in CHANGES or (e.op == "subtract" and all(a.op in CHANGES for a in e.args)):
        s1, s2 = res.specs(q, 2)
        k2 = _anchor(q, ctx, e, res.key(s2))
        k1 = res.key(s1) if s1 and not s1.relative else ctx.periods.shift(k2, s1.relative if s1 else -1) if k2 else None
        if k1 and s1 and s1.relative and not s1.target:
            k1 = (k1[0], k1[1], False)  # "over last year" beside a target: what was achieved that year
        if s1 and s2 is None and not s1.relative and k1 and k1[1] == 0:
            k2 = ctx.periods.balance_date_after(k1[0]) or k2  # "since March": to the next balance reported
        if k1 and k2 and k1[0] > k2[0]:
            k1, k2 = k2, k1  # a change runs from the earlier period to the later one
        if k1 is None or k2 is None:
            return ctx.out.not_found(q, k1 or k2)
        keys = (k1, k2)
        result = Evaluator(q, ctx, keys).value(e, k2)
        when = f"from {ctx.periods.label(k1)} to {ctx.periods.label(k2)}"
    else:
        key = _anchor(q, ctx, e, res.key(res.specs(q, 1)[0]))
        if key is None:
            return ctx.out.not_found(q, None)
        keys = (key,)
        result = Evaluator(q, ctx, keys).value(e, key)
        when = for_period(ctx.periods.label(key))
    if result.node[0] == "fact":
        return ctx.out.answer_fact(q, result.facts[0], " (as the filing prints it)")  # a formula the filing prints itself
    what = f"{_title(e, ctx)} {when}"
    shown = pct_words(result.value) if e.op == "pct_change" else money(result.value, result.unit, signed=e.op in CHANGES or e.op == "subtract")
    summary = f"{what}: {shown}."
    working = f"Formula: {formula_name(e)}\n{result.working()}"  # the formula in words, then in numbers
    return ctx.out.finish(q, summary, result.value, result.unit, working, list(result.facts), term=_term(e))


class Evaluator:
    """Runs an expression for one period; a change node runs its argument for both periods."""

    def __init__(self, q: Plan, ctx, keys: tuple):
        self.q, self.ctx, self.keys = q, ctx, keys
        self.used: dict = {}  # period -> {row key: the words it answered}
        self.rows_of: dict = {}  # (period asked, words) -> the row that answered them

    def value(self, e: Expr, key: Key) -> Quantity:
        if e.op == "fig":
            return self.figure(e, key)
        if e.name:
            printed = self.printed(e, key)
            if printed is not None:
                return printed
        if e.op in CHANGES:
            before, after = (self.value(e.args[0], k) for k in (self.keys[0], self.keys[-1]))
            if e.op == "change":
                return calc.change(before, after)
            if e.op == "pct_change":
                return calc.pct_change(before, after)
            years = _years(self.keys[0], self.keys[-1])
            return calc.cagr(before, after, years)
        args = [self.value(a, key) for a in e.args]
        if len(args) == 2 and args[0].facts and args[0].facts == args[1].facts:
            # Two names that found one figure: working with it twice would answer a wrong number.
            raise CalcError(f"'{formula_name(e.args[0])}' and '{formula_name(e.args[1])}' name the same figure")
        if e.op in ("mean", "median"):
            return (calc.mean if e.op == "mean" else calc.median)(*args)
        if len(args) != 2:
            raise CalcError(f"the step {e.op!r} is not one this program can run")
        a, b = args
        if {a.unit, b.unit} == {"x", "%"} and e.op in ("add", "subtract"):
            # "a margin (profit over revenues) minus the operating margin": the plain ratio read as a percentage.
            a, b = (calc.multiply(x, Quantity(100.0, "x", (), ("num", 100.0))) if x.unit == "x" else x for x in (a, b))
            a, b = (Quantity(x.value, "%", x.facts, x.node) for x in (a, b))
        if e.op == "add":
            covered = self._covered(e, key)
            return covered if covered is not None else calc.add(a, b)
        if e.op == "subtract":
            return calc.subtract(a, b)
        if e.op == "multiply":
            return calc.multiply(a, b)
        if e.op == "percent_of" or (e.op == "divide" and e.unit == "%"):
            return calc.ratio_pct(a, b)
        if e.op == "divide":
            return calc.divide(a, b)
        raise CalcError(f"unknown step {e.op!r}")

    def figure(self, e: Expr, key: Key) -> Quantity:
        """A figure named in words, for the period: printed, worked out from other periods, or the
        balance at the period's end (a balance-sheet figure inside a ratio over a half year). Words
        may offer alternatives ("purchases of property and equipment | capex"): the first found."""
        for words in (w.strip() for w in e.ref.words.split("|")):
            got = self._one(words, key)
            if got is not None:
                return got.value
        raise CalcError(f"the filing does not give {e.ref.words} for {self.ctx.periods.label(key)}")

    def printed(self, e: Expr, key: Key) -> Optional[Quantity]:
        """A standard formula the filing prints itself (an equity ratio stated as 45.4%): used as printed."""
        words = f"{e.subject} {e.name}".strip()
        q = replace(self.q, metric=words)
        p = self.ctx.res.pick(words, q, key, e.unit or None)
        # The row must name the formula itself, every word of it ("Additional paid-in capital" is no working capital).
        if (p is None or not set(tokens(e.name, keep_stop=True)) <= set(tokens(p.fact.metric, keep_stop=True))
                or not set(tokens(e.subject)) <= p.row.label | p.row.context):
            return None
        return Quantity.of(p.fact)

    def _one(self, words: str, key: Key):
        # Each figure is ranked by its own words; the dense bonus comes from the question's one embedding.
        q = replace(self.q, metric=words)
        res = self.ctx.res
        # Printed at the period or at its balance date (or the period ending on a balance date):
        # the better named row decides, so "total assets" is the balance, not "assets acquired".
        best, banned_all = None, ()
        for k in [key] + _related(key, self.ctx):
            picks = res.picks(words, q, k, exclude=self._taken(words, k))
            part = re.search(r"\b(?:including|incl\.?)\s+(?:the\s+)?(.+)$", words, re.I)
            # A figure inside a formula is an amount or a count, and "long-term borrowings including the
            # current portion" is a figure the filing prints as such (or as a total), not one of its parts.
            banned = tuple(x.row.key for x in picks if x.fact.unit == "%" or part and not INCLUSIVE.search(x.fact.metric))
            banned_all += banned
            p = next((x for x in picks if x.row.key not in banned), None)
            if p is not None and (best is None or p.score > best[0].score + 0.05):
                best = (p, k, banned)
        if best is not None:
            p, k, banned = best
            self.used.setdefault(k, {})[p.row.key] = words
            self.rows_of[(key, words)] = p.row
            return res.figure_for(words, q, k, amounts=True, exclude=self._taken(words, k) + banned_all)
        return res.figure_for(words, q, key, amounts=True, exclude=banned_all)

    def _covered(self, e: Expr, key: Key) -> Optional[Quantity]:
        """ "SG&A plus R&D" where one row is printed as "SG&A Expenses and R&D": that row is the sum
        already; adding R&D again would count it twice."""
        if not all(a.op == "fig" for a in e.args):
            return None
        for a, b in (e.args, e.args[::-1]):
            doc = self.rows_of.get((key, a.ref.words))
            other = set(tokens(b.ref.words))
            if doc is not None and other <= doc.label and not other & set(tokens(a.ref.words)):
                return self.figure(a, key)
        return None

    def _taken(self, words: str, key: Key) -> tuple:
        """Rows other figures of this formula already use for the period: "long-term borrowings
        (current and noncurrent)" names two rows, not one twice."""
        return tuple(row for row, w in self.used.get(key, {}).items() if w != words)


def _anchor(q: Plan, ctx, e: Expr, key: Optional[Key]) -> Optional[Key]:
    """With no period named, the period of the first figure found (the filing's main one)."""
    if key is not None:
        return key
    leaf = e.leaves()[0]
    p = ctx.res.pick(leaf.words, replace(q, metric=leaf.words), None)
    return key_of(p.fact.period) if p is not None else ctx.periods.current


def _related(key: Key, ctx) -> list[Key]:
    """Where a figure of the other kind sits: the balance at a period's end, or the period of the
    main length that ends on a balance date."""
    if key[1]:
        return [(key[0], 0, False)]
    cur = ctx.periods.current
    lengths = [cur[1]] if cur else []
    return [(key[0], m, False) for m in dict.fromkeys(lengths + [12, 6, 3])]


def _years(k1: Key, k2: Key) -> float:
    from datetime import date

    a, b = date.fromisoformat(k1[0]), date.fromisoformat(k2[0])
    return ((b.year - a.year) * 12 + b.month - a.month) / 12


def _title(e: Expr, ctx) -> str:
    """What was worked out, named by its formula or its words."""
    if e.op in CHANGES and len(e.args) == 1:
        inner = _title(e.args[0], ctx)
        word = {"change": "Change in", "pct_change": "Percentage change in", "cagr": "Compound annual growth rate of"}[e.op]
        return f"{word} {inner[:1].lower()}{inner[1:]}"
    if e.name:
        label = ctx.display(e.name)
        return label[:1].upper() + label[1:]
    if e.op == "subtract" and all(a.op in CHANGES for a in e.args):
        return f"Growth of {formula_name(e.args[0].args[0], words=True)} minus growth of {formula_name(e.args[1].args[0], words=True)}"
    text = formula_name(e, words=True)
    return text[:1].upper() + text[1:]


def _term(e: Expr) -> Optional[str]:
    if e.name:
        return e.name
    inner = e.args[0] if e.op in CHANGES and e.args else None
    return inner.name if inner is not None and inner.name else None
