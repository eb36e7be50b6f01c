"""Resolving a figure reference for a period: the one component every operation uses to turn
words ("SI operating income") and a period into a fact of the table, or a figure worked out from
printed ones (a quarter as its half minus the other quarter)."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Optional

from ingest.cells import CHANGE_WORDS as COLUMN_CHANGE  # a column of changes ("Variance in Percent") is no sub-column
from ingest.cells import add_months
from schema import Fact

from . import calculator as calc
from .calculator import CalcError, Quantity
from .context import Context, tidy_label, unit_ok
from .narrative_question import data as narrative_data
from .periods import Key, key_of
from .plan import PeriodSpec, Plan
from .render import named_direction
from .search import Hit, RowDoc
from .text import glossary, tokens

MIN_SCORE = 0.55
MIN_QCOV = 0.5  # at least half of what the question names (by weight) must be in the row
CHANGE_WORDS = re.compile(r"\b(?:increase|decrease|change|changed|movement|rise|fall|grow|grew|up|down)\b", re.I)
# A row that is a percentage of another figure ("Percentage of service revenue", "% of net revenue"):
# it answers only a question asking for a percentage.
PERCENT_OF_ROW = re.compile(r"^\s*(?:as\s+(?:an?\s+)?)?(?:%|percent(?:age)?)\s+(?:of|to)\b", re.I)
PERCENT_ASKED = frozenset({"percent", "percentage", "share", "proportion", "portion", "fraction"})
PER_SHARE = re.compile(r"\bper (?:share|ads)\b", re.I)
PER_SHARE_UNITS = ("/share", "/ADS")  # "EPS per ADS" says both: either kind of row
CLOSING = re.compile(r"\bend of (?:the )?(?:period|year|quarter|half)\b|\bclosing balance\b", re.I)
OPENING = re.compile(r"\bbeginning of\b|\bopening\b|\bat start\b", re.I)  # a period's opening balance line
WHOLE_COLUMN = re.compile(r"total|annual|full", re.I)  # the sub-column giving the whole period
MEASURE_WORDS = set(tokens("revenues sales cost expenses income profit loss margin assets liabilities cash equity ebitda ebit"))
FAMILY = {w: fam for fam, names in (("revenue", "revenues sales"), ("income", "income profit loss"), ("cost", "cost expenses"))
          for w in tokens(names)}


@dataclass
class Pick:
    row: RowDoc
    fact: Fact
    score: float


@dataclass
class Figure:
    """A figure for one period: printed (one pick) or worked out from printed ones."""

    value: Quantity
    picks: list
    label: str


class Resolver:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.periods = ctx.periods
        self._local = threading.local()

    def begin(self) -> None:
        """One answer looks up the same words many times (each period of a series, each part of a
        formula): within it, a ranking is computed once."""
        self._local.memo = {}

    def end(self) -> None:
        self._local.memo = None

    def _once(self, compute, *args):
        """compute(*args), once per answer (outside an answer, every time)."""
        memo = getattr(self._local, "memo", None)
        if memo is None:
            return compute(*args)
        key = (compute.__name__, *args)
        if key not in memo:
            memo[key] = compute(*args)
        return memo[key]

    # ------------------------------------------------------------ periods

    def specs(self, q: Plan, n: int) -> list[Optional[PeriodSpec]]:
        """The period (n=1) or the two periods (n=2: before, after) a question names."""
        specs = list(q.periods)
        if n == 2:
            if len(specs) >= 2:
                return specs[-2:] if not specs[0].empty() else [specs[0], specs[1]]
            if len(specs) == 1:
                s = specs[0]
                if s.relative:
                    return [s, replace(s, relative=0)]
                if q.cues.base_first:
                    return [s, None]  # "change from fiscal 2018", "since March": that one is the base, the latest the end
                return [replace(s, relative=-1), s]
            return [PeriodSpec(relative=-1), None]
        return [specs[-1] if specs else None]

    def chronological(self, s1: Optional[PeriodSpec], s2: Optional[PeriodSpec]) -> tuple:
        """Two named periods in time order: "September 2012 than September 2011", "higher in 1H12 or
        1H11" run from the earlier to the later."""
        if s1 and s2 and not s1.relative and not s2.relative:
            r1, r2 = self.periods.resolve(s1), self.periods.resolve(s2)
            if r1 and r2 and r1[0] > r2[0]:
                return s2, s1
        return s1, s2

    def key(self, spec: Optional[PeriodSpec]) -> Optional[Key]:
        return self.periods.resolve(spec) if spec else None

    # ------------------------------------------------------------ one row's fact for a period

    def fact_for(self, row: RowDoc, key: Optional[Key], q: Plan, want_unit: Optional[str] = None, qualifier: str = "") -> Optional[Fact]:
        fs = [f for f in row.facts if (f.qualifier == qualifier if not qualifier else qualifier.lower() in f.qualifier.lower()) and f.period.end]
        if not qualifier:
            # A sub-column the question names ("carrying value (USD)") wins over the row's plain columns.
            fs = self._named_sub_column(row, q) or fs or self._sub_column(row)
        if want_unit:
            fs = [f for f in fs if unit_ok(f.unit, want_unit)]
        if not fs:
            return None
        if key is None:
            fs_nt = [f for f in fs if not f.period.is_target] or fs
            cur = self.periods.current
            same = [f for f in fs_nt if cur and key_of(f.period) == cur]
            pool = same or fs_nt
            latest = max(f.period.end for f in pool)
            fs = [f for f in pool if f.period.end == latest]
        else:
            exact = [f for f in fs if key_of(f.period) == key]
            if not exact and key[1] == 0:
                exact = [f for f in fs if f.period.end == key[0] and not f.period.is_target and (is_stock(f) or CLOSING.search(f.metric))]
            if not exact and key[1] == 0:
                exact = self._opening_balance(fs, key)
            fs = exact
        if not fs:
            return None
        fs = self._named_column(fs, q) or fs
        cur = q.currency or self.ctx.main_currency
        fs.sort(key=lambda f: (f.unit.split("/")[0] != cur, f.scale or 1e18))
        return fs[0]

    @staticmethod
    def _subs(row: RowDoc) -> list[Fact]:
        """Facts in sub-columns of a period (dividends: 2Q-end, Year-end, Total; carrying value in USD)."""
        return [f for f in row.facts if f.qualifier and not (COLUMN_CHANGE.search(f.qualifier) or "%" in f.qualifier) and f.period.end]

    def _named_sub_column(self, row: RowDoc, q: Plan) -> list[Fact]:
        def said(f: Fact, words) -> bool:
            return f" {' '.join(tokens(f.qualifier, keep_stop=True))} " in f" {' '.join(words)} "

        named = [f for f in self._subs(row) if said(f, q.words)]
        # A question naming two columns ("between Activision and Blizzard"): the one this figure's words name.
        return [f for f in named if said(f, tokens(q.metric, keep_stop=True))] or named

    @staticmethod
    def _named_column(fs: list[Fact], q: Plan) -> list[Fact]:
        """Columns that are categories, not periods ("Fees Earned | Stock Awards | Total" for one year): the one
        whose own words (those the other columns do not share) the question says ("total compensation")."""
        if len({f.column for f in fs}) < 2 or any(f.qualifier for f in fs):
            return []  # sub-columns of a period are the qualifier's to choose (_named_sub_column)
        shared = set.intersection(*(set(tokens(f.column)) for f in fs))

        def own(f: Fact) -> set:
            return set(tokens(f.column)) - shared - set(tokens(f.period.label))

        return [f for f in fs if own(f) and own(f) <= set(q.words)]

    def _sub_column(self, row: RowDoc) -> list[Fact]:
        """With no sub-column named: the total, else any."""
        subs = self._subs(row)
        return [f for f in subs if WHOLE_COLUMN.search(f.qualifier)] or subs

    def _opening_balance(self, fs: list[Fact], key: Key) -> list[Fact]:
        """A balance at a date can be printed as the opening line of a period starting then."""
        out = []
        for f in fs:
            if f.period.months and OPENING.search(f.metric):
                if start_of(f.period.end, f.period.months) == key[0]:
                    out.append(f)
        return out

    # ------------------------------------------------------------ the best row for some words

    def pick(self, metric: str, q: Plan, key: Optional[Key], want_unit: Optional[str] = None, target: Optional[bool] = None,
             qualifier: str = "", prefer_scale: float = 0, exclude: tuple = ()) -> Optional[Pick]:
        picks = self.picks(metric, q, key, want_unit, target, qualifier, exclude)
        if not picks and "(" in metric:
            # A parenthetical often only clarifies ("(including capital leases)"); try without it.
            picks = self.picks(re.sub(r"\([^)]*\)", " ", metric), q, key, want_unit, target, qualifier, exclude)
        if not picks:
            return None
        majority = [p for p in picks if not self._minority(p.fact)]
        picks = majority or picks
        if target is None:
            # A plan is not a result: targets answer only when the question asks for one.
            picks = [p for p in picks if not p.fact.period.is_target] or picks
        # The same figure printed in several tables: take the finer one (thousands over millions),
        # or the one in the scale asked for, so that working and ratios stay exact.
        same = self.same_figure(picks)
        want_scale = prefer_scale or 0
        # A figure printed positive in one table and negated in another (an income in the income statement,
        # an adjustment in the cash flows): the positive one, as the figure is named.
        same.sort(key=lambda p: (p.fact.scale != want_scale if want_scale else False, p.fact.scale or 1e18, p.fact.value < 0, -p.score))
        return same[0]

    def _minority(self, f: Fact) -> bool:
        """A figure the filing prints differently elsewhere, where most tables agree on the other value."""
        c = self.ctx.conflict_by_fact.get(f.id)
        if not c:
            return False
        tol = max(v.get("scale", 0) or 0 for v in c["values"]) or max(abs(f.value) * 1e-3, 1)
        agree = sum(1 for v in c["values"] if abs(v["value"] - f.value) <= tol * 1.01 or abs(v["value"] - f.value) <= abs(f.value) * 1e-3)
        return agree * 2 < len(c["values"])

    @staticmethod
    def same_figure(picks: list[Pick]) -> list[Pick]:
        best = picks[0]
        # A cost printed in brackets in one table and plain in another is the same figure; so is one
        # named as well that a summary in millions rounds its own way (277 against 278,206 thousand).
        def same(p: Pick) -> bool:
            gap = abs(abs(p.fact.value) - abs(best.fact.value))
            return gap <= max(p.fact.scale, best.fact.scale, 1) * 1.01 or (
                p.score >= best.score - 0.01 and p.fact.unit == best.fact.unit and gap <= 0.01 * abs(best.fact.value))

        return [p for p in picks if p.score >= best.score - 0.2 and same(p)]

    def picks(self, metric: str, q: Plan, key: Optional[Key], want_unit: Optional[str] = None, target: Optional[bool] = None,
              qualifier: str = "", exclude: tuple = ()) -> list[Pick]:
        """The rows that give the figure these words name for the period, best first (callers only read the list)."""
        return self._once(self._picks, metric, q, key, want_unit, target, qualifier, exclude)

    def _picks(self, metric: str, q: Plan, key: Optional[Key], want_unit: Optional[str], target: Optional[bool],
               qualifier: str, exclude: tuple) -> list[Pick]:
        # The question's embedding says what the whole question means: it helps choose the rows of the
        # figures a question names (alone, in a frame such as its change, or as the parts it compares: a
        # part and its total from one table), not the rows of one term of a formula or of an overview.
        whole = (q.expr is None or len(q.expr.leaves()) == 1) and (metric == q.metric or metric in q.parts)
        hits = self._once(self._naming, metric, q.text, want_unit, target, whole)
        if not hits:
            return []
        out: list[Pick] = []
        for h in hits:
            if h.row.key in exclude:
                continue
            f = self.fact_for(h.row, key, q, want_unit, qualifier)
            if f is not None:
                out.append(Pick(h.row, f, h.score))
        if not out and key is not None and key[1] == 0 and not any(k[0] == key[0] and not k[1] for k in self.periods.counts):
            # "net loss for December 31, 2019" in a filing printing no balance at that date: the longest
            # period ending then (the year; a quarter where the table prints only quarters).
            for k in sorted((k for k in self.periods.counts if k[0] == key[0] and k[1] and not k[2]), key=lambda k: -k[1]):
                # Only a row naming every word asked: a loose match must not turn a balance asked for into a flow.
                got = [p for p in self.picks(metric, q, k, want_unit, target, qualifier, exclude)
                       if set(tokens(metric)) <= p.row.label | p.row.context]
                if got:
                    return got
        if PER_SHARE.search(metric) and not q.cues.counts:
            # "basic net loss per share" under a title naming per-share figures: the per-share row, not "Net loss".
            out = [p for p in out if p.fact.unit.endswith(PER_SHARE_UNITS)] or out
        if not (PERCENT_ASKED & set(q.words) or q.cues.percent):
            out = [p for p in out if not PERCENT_OF_ROW.match(p.fact.metric)] or out
            # "Gross profit" and "Gross margin" (%) read alike: with nothing asking for a percentage, the amount.
            def name(p: Pick) -> list[str]:
                return tokens(tidy_label(p.fact.metric), keep_stop=True)
            amounts = [name(p) for p in out if p.fact.unit != "%"]
            out = [p for p in out if p.fact.unit != "%" or name(p) not in amounts]
        if key is None and self.periods.current and out:
            # No period named: among close matches, rows that report the filing's main period come first; a
            # balance at its end date reports it too. A row that is a change in the figure ("Net decrease in
            # cash") answers a bare "cash" only when nothing closer does.
            top, cur = out[0].score, self.periods.current
            moved = bool(CHANGE_WORDS.search(metric))
            out.sort(key=lambda p: (p.score < top - 0.05, not moved and bool(narrative_data()["change_re"].match(p.fact.metric)),
                                    key_of(p.fact.period) != cur and not (is_stock(p.fact) and p.fact.period.end == cur[0])))
        # Only rows that report the period compete; among them, the close ones.
        return [p for p in out if p.score >= out[0].score - 0.2] if out else []

    def _naming(self, metric: str, question: str, unit: Optional[str], target: Optional[bool], dense: bool) -> list[Hit]:
        """The ranked rows that name what the words ask for, whatever the period (each period of a series
        asks again)."""
        needed = measures(metric)
        asked = set(tokens(metric)) & MEASURE_WORDS
        # Everyday words for the company's own figure ("sales", "profit"): the row's role decides.
        return [h for h in self._candidates(metric, question, unit, target, dense=dense)
                if h.parts.get("role") or names_it(h, needed, asked)]

    def _candidates(self, metric: str, question: str, unit: Optional[str] = None, target: Optional[bool] = None,
                    dense: bool = True) -> list[Hit]:
        return self._once(self._rank, metric, question, unit, target, dense)

    def _rank(self, metric: str, question: str, unit: Optional[str], target: Optional[bool], dense: bool) -> list[Hit]:
        def ok(r: RowDoc) -> bool:
            if unit and not any(unit_ok(f.unit, unit) for f in r.facts):
                return False
            if target is not None and not any(f.period.is_target == target for f in r.facts):
                return False
            return True

        hits = self.ctx.rows.rank(metric, question, k=30, where=ok, dense=dense)
        by_role = {id(r): (r, score) for r, score in self.ctx.roles.rows_for(metric) if ok(r)}
        return self._by_role(metric, question, hits, by_role) if by_role else hits

    @staticmethod
    def _by_role(metric: str, question: str, hits: list[Hit], by_role: dict) -> list[Hit]:
        """Everyday words for a role ("sales", "profit"): the role's rows, unless the question says a
        row's whole label ("revenue growth"), in which case that row first."""
        cells = {(key_of(f.period), f.unit, f.value) for r, _ in by_role.values() for f in r.facts}

        def of_role(row: RowDoc) -> bool:  # a row of the role, or one printing the same cells (a transposed targets table)
            return id(row) in by_role or any((key_of(f.period), f.unit, f.value) in cells for f in row.facts)

        said, words = set(tokens(question, keep_stop=True)), set(tokens(metric))

        def label_said(row: RowDoc) -> bool:
            # The label is these words plus ones the word index drops ("Revenue growth"), all said in the question.
            label = set(tokens(tidy_label(row.first.metric), keep_stop=True))
            return row.label == words and len(label) > len(words) and label <= said

        precise = [h for h in hits if label_said(h.row) and not of_role(h.row)]
        if precise:
            return precise + [h for h in hits if h not in precise]
        if hits and of_role(hits[0].row):
            # The words already name a row of the role: the preferred role first ("profit": attributable), a row
            # only printing the same cells after it, and within each the order the question's wording gives.
            ranked = [Hit(h.row, by_role.get(id(h.row), (None, 0.99))[1] + 0.001 * h.score, {**h.parts, "role": True})
                      for h in hits if of_role(h.row)]
            return sorted(ranked, key=lambda h: -h.score)
        return [Hit(r, score, {"role": True, "coverage": 1.0}) for r, score in by_role.values()]

    def best_row(self, metric: str, q: Plan) -> Optional[Hit]:
        hits = self.ctx.rows.rank(metric, q.text, k=1)
        return hits[0] if hits else None

    def strong(self, q: Plan) -> bool:
        """The question names a figure some row answers well on its own words."""
        if not [t for t in q.metric_tokens if self.ctx.rows.known(t)]:
            return False
        hits = self.ctx.rows.rank(q.metric, q.metric, k=1, dense=False)  # a word test: no embedding needed
        return bool(hits) and hits[0].parts.get("coverage", 0) >= MIN_SCORE

    def pick_in(self, metric: str, q: Plan, spec: Optional[PeriodSpec], key: Optional[Key], target: Optional[bool] = None,
                exclude: tuple = ()) -> Optional[Pick]:
        """The figure for the period asked; for a year named with no length ("in 2018"), any period of
        that year the row reports: durations most reported first, then balances, latest date first."""
        year_only = bool(spec and spec.fy and spec.months is None)
        keys = self.periods.of_year(spec.fy, bool(target)) if year_only else []
        if year_only and q.cues.holding:
            keys = [k for k in keys if not k[1]] + [k for k in keys if k[1]]  # "how much cash did we have": a balance first
        else:
            p = self.pick(metric, q, key, None, target, exclude=exclude)
            if p is not None:
                return p
        for k in keys:
            p = self.pick(metric, q, k, None, target, exclude=exclude)
            if p is not None and (not p.fact.period.months or self.periods.fy(key_of(p.fact.period)) == spec.fy):
                return p  # a flow found at a balance date must still be of the year named
        return None

    def two(self, q: Plan, n1: str, n2: str) -> tuple[Pick, Pick]:
        """Two figures named in one question, in the same period and unit."""
        spec = self.specs(q, 1)[0]
        key = self.key(spec)
        a = self.pick_in(n1, q, spec, key)
        if a is None:
            raise CalcError(f"no figure found for '{n1}'")
        b = self.pick(n2, q, key_of(a.fact.period), a.fact.unit, prefer_scale=a.fact.scale, exclude=(a.row.key,))
        if b is None:
            b = self.pick(n2, q, key, exclude=(a.row.key,))
            if b is None:
                raise CalcError(f"no figure found for '{n2}' in the same unit and period")
            a2 = self.pick(n1, q, key_of(b.fact.period), b.fact.unit, exclude=(b.row.key,))
            a = a2 or a
        if a.row.key == b.row.key or a.fact.value == b.fact.value and a.fact.metric == b.fact.metric:
            # Two names for one row: the narrower name gets the next-best row.
            b2 = self.pick(n2, q, key_of(a.fact.period), a.fact.unit, exclude=tuple(p.row.key for p in self.same_figure(self.picks(n1, q, key_of(a.fact.period)) or [a])))
            if b2 is not None:
                b = b2
        return a, b

    # ------------------------------------------------------------ figures not printed

    def from_others(self, metric: str, q: Plan, key: Key, unit: Optional[str] = None, amounts: bool = False) -> Optional[tuple[Quantity, list, str]]:
        """A period the filing does not print, from two it does: a quarter as its half minus the other
        quarter; a half as the year minus the other half, or as its two quarters. Returns the result,
        the two picks and how it was worked out."""
        for ka, kb, op in self.periods.implied(key):
            pa = self.pick(metric, q, ka, unit)
            if pa is None:
                continue
            other = next((f for f in pa.row.facts if key_of(f.period) == kb and f.unit == pa.fact.unit and not f.qualifier), None)
            pb = Pick(pa.row, other, pa.score) if other else self.pick(metric, q, kb, pa.fact.unit)
            if pb is None:
                continue
            qa, qb = (as_amount(p.fact) if amounts else Quantity.of(p.fact) for p in (pa, pb))
            res = calc.subtract(qa, qb) if op == "-" else calc.add(qa, qb)
            return res, [pa, pb], f"{pa.fact.period.label} {'minus' if op == '-' else 'plus'} {pb.fact.period.label}"
        return None

    def figure_for(self, metric: str, q: Plan, key: Optional[Key], unit: Optional[str] = None, amounts: bool = False,
                   exclude: tuple = ()) -> Optional[Figure]:
        """The figure for one period: as printed, or worked out from others. `amounts`: a cost or
        outflow printed in brackets counts as the positive amount its label names."""
        p = self.pick(metric, q, key, unit, exclude=exclude)
        if p is not None:
            return Figure(as_amount(p.fact) if amounts else Quantity.of(p.fact), [p], p.fact.period.label)
        got = self.from_others(metric, q, key, unit, amounts) if key else None
        return Figure(got[0], got[1], self.periods.label(key)) if got else None

    def in_each_period(self, metric: str, q: Plan, unit: Optional[str] = None) -> tuple[list[Pick], Optional[Key]]:
        """The figure in each period the question names (up to four), and the first period it is
        missing for, if any ("the average / total X in 2018 and 2019")."""
        picks = []
        for spec in q.periods[:4]:
            p = self.pick(metric, q, self.key(spec), unit)
            if p is None:
                return picks, self.key(spec)
            picks.append(p)
        return picks, None

    def series(self, words: str, q: Plan, months: int = 0, years: frozenset = frozenset(), unit: Optional[str] = None) -> tuple:
        """(pick, facts): the first row giving the figure for two or more periods of one length ("how
        many years": its years or its year-end balances), in the fiscal years named if any, one fact a
        period, oldest first; (None, []) when no row does."""
        asked = replace(q, metric=words)
        picks = (self.picks(words, asked, None, unit) if unit else []) or self.picks(words, asked, None)
        for p in picks:
            length = p.fact.period.months if not months or (months == 12 and p.fact.period.months == 0) else months
            facts = [f for f in p.row.facts if f.unit == p.fact.unit and not f.qualifier and f.period.end and not f.period.is_target
                     and f.period.months == length and (not years or self.periods.fy((f.period.end, 0, False)) in years)]
            facts = sorted({f.period.end: f for f in facts}.values(), key=lambda f: f.period.end)
            if len(facts) >= 2:
                return p, facts
        return None, []

    def period_sides(self, q: Plan, metric: str, months: Optional[int], fy: Optional[int] = None) -> list[Figure]:
        """The figure for the quarters (or halves) of fiscal year `fy` (default: the latest), printed or
        worked out; with no length named, or too few of them in the latest year, one row's figures
        across the periods it prints."""
        sides: list[Figure] = []
        cur = self.periods.current
        if months in (3, 6) and cur:
            year_start = self.periods.cal.fy_end((fy or self.periods.fy(cur)) - 1)
            for i in range(1, 12 // months + 1):
                end = add_months(year_start, i * months)
                if end.isoformat() > cur[0]:
                    break
                got = self.figure_for(metric, q, (end.isoformat(), months, False))
                if got:
                    sides.append(got)
        if len(sides) >= 2 or fy:
            return sides
        for p in self.picks(metric, q, None):
            n = months or p.fact.period.months
            fs = [f for f in p.row.facts if f.unit == p.fact.unit and not f.qualifier and f.period.end and not f.period.is_target
                  and f.period.months == n]
            if len(fs) >= 2:
                return [Figure(Quantity.of(f), [Pick(p.row, f, p.score)], f.period.label) for f in fs]
        return []


@lru_cache(maxsize=1)
def _measure_terms() -> tuple[tuple[str, list[set]], ...]:
    """The glossary's multi-word measures, tokenized once: (" operat income ", [the word sets of its names])."""
    g = glossary()
    skip = set(g.get("not_measures", []))
    return tuple((f" {' '.join(tokens(term))} ", [set(tokens(n)) for n in [term] + g.get("measure_names", {}).get(term, [])])
                 for term in g["terms"] if " " in term and term not in skip)


def names_it(h: Hit, needed: list, asked: set) -> bool:
    """The row names what the words ask for: each measure they name, no other measure of its own."""
    # A row that names its own measure ("Total Revenues > SI", "EBIT > Consumer Optics") cannot borrow
    # another from its table's title ("Revenue and EBIT by Segment").
    own = h.row.label | h.row.parents
    words = own if own & MEASURE_WORDS else h.row.label | h.row.context
    if not all(any(name <= words for name in names) for names in needed):
        return False  # "SI operating income" is not answered by SI revenue
    if own & MEASURE_WORDS and (asked - own) & h.row.context:
        return False
    has = family(own | h.row.context)
    if "income" in family(asked) and "income" not in has and "revenue" in has:
        return False  # "hi-ho profit" is not answered by hi-ho's revenue: the row speaks of no profit
    return h.parts.get("coverage", 0) >= MIN_SCORE and h.parts.get("q_cov", 1) >= MIN_QCOV


def family(words: set) -> set:
    """The kinds of measure words name: "sales" and "revenues" are one kind, "profit" and "income" another."""
    return {FAMILY.get(w, w) for w in words & MEASURE_WORDS}


def measures(metric: str) -> list[list[set]]:
    """The measures a metric names ("operating income", "free cash flow"), each as the word sets a row
    may name it by ("segment profit" for operating income): a row must name each measure to answer."""
    said = " " + " ".join(tokens(metric)) + " "
    return [names for phrase, names in _measure_terms() if phrase in said]


def as_amount(f: Fact) -> Quantity:
    return Quantity.amount(f) if f.value < 0 and named_direction(f.metric) else Quantity.of(f)


def is_stock(f: Fact) -> bool:
    return f.unit in ("count", "Gbps") or f.period.months == 0


def start_of(end_iso: str, months: int) -> str:
    end = date.fromisoformat(end_iso)
    return add_months(date(end.year, end.month, 1), -months).isoformat()
