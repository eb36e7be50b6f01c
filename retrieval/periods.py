"""Resolves what a question says about time to the filing's own periods."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Optional

from ingest.cells import FiscalCalendar, add_months, months_between
from schema import Fact, Period

from .plan import PeriodSpec

Key = tuple  # (end ISO date, months, is_target)


def key_of(p: Period) -> Key:
    return (p.end, p.months, p.is_target)


class Periods:
    def __init__(self, facts: list[Fact], cal: FiscalCalendar):
        self.cal = cal
        counts = Counter(key_of(f.period) for f in facts if f.period.end)
        self.counts = counts
        self.known = {key_of(f.period): f.period for f in facts if f.period.end}
        durations = [k for k in counts if k[1] > 0 and not k[2]]
        # The filing's "current" period: the duration it reports most (the latest on a tie).
        self.current: Optional[Key] = max(durations, key=lambda k: (counts[k], k[0])) if durations else None

    def label(self, key: Key) -> str:
        if key in self.known:
            return self.known[key].label
        end = date.fromisoformat(key[0])
        return self.cal.label(end, key[1], key[2])

    def elapsed(self, key: Key) -> int:
        end = date.fromisoformat(key[0])
        fy = self.cal.fy_of(end)
        return months_between(self.cal.fy_end(fy - 1), end)

    def fy(self, key: Key) -> int:
        return self.cal.fy_of(date.fromisoformat(key[0]))

    def resolve(self, spec: PeriodSpec, within: Optional[set] = None) -> Optional[Key]:
        """The period a spec names: one the filing reports when possible, else the implied one."""
        if spec.start:
            # The balance at a period's start is the one at the end of the month before it begins.
            p = self.resolve(PeriodSpec(**{**spec.__dict__, "start": False}), within)
            if p is None:
                return None
            begin = add_months(date.fromisoformat(p[0]), -p[1])
            return (begin.isoformat(), 0, False)
        if spec.end:
            # The balance at a period's end: the balance date it ends on.
            p = self.resolve(PeriodSpec(**{**spec.__dict__, "end": False}), within)
            return (p[0], 0, False) if p else None
        if spec.relative:
            base = self.resolve(PeriodSpec(**{**spec.__dict__, "relative": 0}), within)
            return self.shift(base, spec.relative) if base else None
        pool = [k for k in (within if within is not None else self.counts) if k[2] == spec.target]
        if spec.year_end and spec.fy:
            return (self.cal.fy_end(spec.fy).isoformat(), 0, False)
        if spec.year_end and self.current is not None:
            now = date.fromisoformat(self.current[0])
            fy_end = self.cal.fy_end(self.fy(self.current))
            return ((fy_end if fy_end <= now else self.cal.fy_end(self.fy(self.current) - 1)).isoformat(), 0, False)
        if spec.start_of_fy:
            ref = self.current
            if ref is None:
                return None
            return (self.cal.fy_end(self.fy(ref) - 1).isoformat(), 0, False)
        c = pool
        if spec.months is not None:
            c = [k for k in c if k[1] == spec.months]
        if spec.index:
            c = [k for k in c if k[1] and self.elapsed(k) == spec.index * k[1]]
        if spec.fy:
            c = [k for k in c if (self.fy(k) == spec.fy if k[1] else self._date_in(k, spec.fy))]
        if spec.end_month:
            c = [k for k in c if int(k[0][5:7]) == spec.end_month]
        if spec.end_year:
            c = [k for k in c if int(k[0][:4]) == spec.end_year]
        if c and spec.months is None:
            # No length named ("in fiscal 2012"): the period the filing reports most.
            return max(c, key=lambda k: (k[1] > 0, self.counts.get(k, 0), k[0]))
        if c:
            latest = max(k[0] for k in c)
            tied = [k for k in c if k[0] == latest]
            return max(tied, key=lambda k: (spec.months is not None or k[1] > 0, self.counts.get(k, 0), k[1]))
        return self.synthesize(spec)

    def balance_date_after(self, after: str) -> Optional[Key]:
        """The balance date after `after` that the filing reports most (the balance sheet's, not a
        one-off date in a note), the latest on a tie."""
        dates = [k for k in self.counts if k[1] == 0 and not k[2] and k[0] > after]
        return max(dates, key=lambda k: (self.counts[k], k[0])) if dates else None

    def of_year(self, fy: int, target: bool) -> list[Key]:
        """The periods of a fiscal year the filing reports: durations, most reported first, then dates, latest first."""
        ks = [k for k in self.counts if k[2] == target and (self.fy(k) == fy if k[1] else self._date_in(k, fy))]
        durations = sorted((k for k in ks if k[1]), key=lambda k: -self.counts[k])
        return durations + sorted((k for k in ks if not k[1]), key=lambda k: k[0], reverse=True)

    def _date_in(self, key: Key, fy: int) -> bool:
        return int(key[0][:4]) in (fy, fy + self.cal.offset)

    def synthesize(self, spec: PeriodSpec) -> Optional[Key]:
        """A period the filing implies but does not print (e.g. the first quarter)."""
        cal = self.cal
        if spec.months and spec.index:
            fy = spec.fy or (self.fy(self.current) if self.current else None)
            if fy is None:
                return None
            end = add_months(cal.fy_end(fy - 1), spec.index * spec.months)
            return (end.isoformat(), spec.months, spec.target)
        if spec.months and spec.end_month:
            year = spec.end_year or (int(self.current[0][:4]) if self.current else None)
            if year is None:
                return None
            end = add_months(date(year, spec.end_month, 1), 0)
            return (end.isoformat(), spec.months, spec.target)
        if spec.months == 0 and spec.end_month and spec.end_year:
            return (add_months(date(spec.end_year, spec.end_month, 1), 0).isoformat(), 0, False)
        if spec.fy and spec.months in (None, 12):
            return (cal.fy_end(spec.fy).isoformat(), 12, spec.target)
        if spec.fy and spec.months:
            return (add_months(cal.fy_end(spec.fy - 1), spec.months).isoformat(), spec.months, spec.target)
        return None

    def shift(self, key: Key, years: int) -> Key:
        end = date.fromisoformat(key[0])
        new = add_months(date(end.year, end.month, 1), 12 * years)
        return (new.isoformat(), key[1], key[2])

    def implied(self, key: Key) -> list[tuple[Key, Key, str]]:
        """Ways to work out a period the filing does not print from two it may: (a, b, "-" or "+")."""
        end = date.fromisoformat(key[0])
        if key[1] == 3:
            split = self.split_quarter(key)
            return [(split[0], split[1], "-")] if split else []
        if key[1] == 6:
            second = self.elapsed(key) % 12 == 0
            fy_end = end if second else add_months(end, 6)
            other = add_months(end, -6) if second else add_months(end, 6)
            return [((fy_end.isoformat(), 12, False), (other.isoformat(), 6, False), "-"),
                    ((end.isoformat(), 3, False), (add_months(end, -3).isoformat(), 3, False), "+")]
        return []

    def split_quarter(self, key: Key) -> Optional[tuple[Key, Key]]:
        """For a quarter the filing does not print: (the half containing it, the other quarter)."""
        if key[1] != 3:
            return None
        q = self.elapsed(key) // 3
        half_end = add_months(date.fromisoformat(key[0]), 3 if q % 2 == 1 else 0)
        other_end = add_months(date.fromisoformat(key[0]), 3 if q % 2 == 1 else -3)
        return (half_end.isoformat(), 6, False), (other_end.isoformat(), 3, False)
