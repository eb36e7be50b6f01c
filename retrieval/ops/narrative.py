"""Why / what happened / which: the filing's own sentences that answer, quoted with their lines, never a
generated sentence. Our one opening sentence names the figure (read from the fact table, its change
worked out by the calculator) and says what follows; when the filing gives no reason, it says so."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from schema import Answer, Fact, Source

from .. import calculator as calc
from ..calculator import Quantity
from ..context import bare, for_period, row_name
from ..narrative_question import data, words
from ..plan import Asked, Plan, Side
from ..reader import (Reading, about, because, defines, gives_reason, itself, lists, moves, moving_parts, near, overall,
                      profile, read, share, through_parts, when)
from ..render import message, money
from ..resolve import Pick
from ..sentences import Evidence, Sentence, evidence
from ..text import canonical, glossary, tokens
from . import value
from .rank import children, groups_for, member_name

MAX_QUOTES = 4
MIN_FIT = 0.5  # the share of the subject's word weight a row must name for its figure to open the answer


@dataclass(frozen=True)
class Opening:
    """The figure an answer opens with: our sentence, the facts and the working behind it."""

    text: str
    facts: tuple[Fact, ...]
    working: str = ""


def run(q: Plan, ctx) -> Answer:
    """Each side of the question read against the filing's sentences: for a cause the move and its
    reason, else the sentences about the subject; a description goes to `describe`."""
    asked = q.cues.narrative or Asked("cause", (Side(q.metric, q.cues.direction),))
    if asked.kind == "description":
        return describe(q, ctx)
    if asked.kind == "event" and _unreported(q, ctx):
        return ctx.out.decline(q.text, "The filing does not cover that period.", [], plan=q)
    ev = evidence(ctx)
    ranks, dates = near(q, asked, ctx, ev), when(q)
    readings = [read(ev, side, "cause" if asked.kind == "contrast" else asked.kind, ranks, dates) for side in asked.sides]
    quotes: list[Sentence] = []
    reasoned = False
    by_parts = False
    for r in readings:
        found, why = because(ev, r) if asked.kind in ("cause", "contrast") else (about(ev, r, asked.kind), False)
        found, why, parts = _beyond(q, ctx, ev, asked.kind, r, found, why, ranks, dates)
        quotes += [s for s in found if s not in quotes]
        reasoned, by_parts = reasoned or why, by_parts or parts
    first = quotes[0] if quotes else None  # a sentence naming the parts or what the subject went on comes first
    told = first is not None and (lists(ev, first) or gives_reason(ev, readings[0], first))
    if asked.kind == "list" and not readings[0].side.direction and not told:
        rows = _rows_under(ctx, ev, readings[0])  # "what's in the other income line?": no sentence lists them, a table does
        if rows:
            return _row_list(q, ctx, rows)
    if not quotes:
        return _no_passage(q, ctx, readings)
    return _answer(q, ctx, ev, asked, readings, quotes[:MAX_QUOTES], reasoned, by_parts)


def _beyond(q: Plan, ctx, ev: Evidence, kind: str, r: Reading, found: list[Sentence], why: bool, ranks: dict,
            dates: frozenset) -> tuple[list[Sentence], bool, bool]:
    """Where the subject's own sentences fall short: a whole the filing gives no reason for, by its parts'
    reasons; how a period went for the company itself; which parts moved the way asked. Also whether
    the reasons are its parts'."""
    if found and not why and kind == "cause":
        parts = through_parts(ev, r, _parts(ctx, ev, q, r), ranks)
        return found + [s for s in parts if s not in found], bool(parts), bool(parts)
    if kind == "event" and itself(ev, r):  # "what was the first half like for Lumen?"
        return overall(ev, dates) or found, why, False
    if kind == "list" and r.side.direction and not (found and moves(ev, r, found[0])):
        return moving_parts(ev, r, _parts(ctx, ev, q, r) or _group(ctx, r), ranks) or found, why, False
    return found, why, False


def _rows_under(ctx, ev: Evidence, r: Reading) -> list:
    """The rows under the table heading the subject names ("OTHER INCOME (EXPENSE):" for "the other
    income and expenses line"): most of the subject's word weight and of the heading's words said by
    the other; the first table that prints them."""
    for (_, parent), rows in children(ctx).items():
        heading = set(words(parent[-1])) if parent else set()
        if len(rows) >= 2 and heading and len(heading & set(r.want)) >= 0.5 * len(heading) and share(ev, r.want, heading) >= MIN_FIT:
            return rows
    return []


def _row_list(q: Plan, ctx, rows: list) -> Answer:
    """The rows' own labels, quoted with their lines: the filing's words, no figure of ours."""
    sources = [Source("text", r.first.table_title, r.first.line, row_name(r)) for r in rows]
    return ctx.out.finish(q, data()["openings"]["list_rows"], None, None, None, [], sources=sources)


def _unreported(q: Plan, ctx) -> bool:
    """The question names a quarter, half or year that ends after the period the filing reports on and
    that it prints nothing for ("when do the Q3 results come out?" in a first-half report)."""
    current = ctx.periods.current  # the period the filing reports on
    keys = [ctx.res.key(s) for s in q.periods if s.months and not s.target]
    return current is not None and any(k is not None and k not in ctx.periods.known and k[0] > current[0] for k in keys)


def describe(q: Plan, ctx) -> Answer:
    """What a thing is: the figure first where the wording asks for it and a row names it ("what is the
    revenue?"); else the filing's sentences that say what it is, for a finance term with the
    glossary's plain words; a name a row prints and no sentence describes ("what is total revenue?")
    gets its figure; else the sentences that say most about it."""
    asked = q.cues.narrative or Asked("description", (Side(q.metric),))
    plain = replace(q, op="value")
    printed = ctx.res.strong(replace(plain, metric=asked.sides[0].words))
    if asked.figure and printed:
        return value.run(plain, ctx)  # "what is the revenue?"
    ev = evidence(ctx)
    r = read(ev, asked.sides[0], "description", near(q, asked, ctx, ev), when(q))
    # "What does IIJ do?" is its profile; "how did Northwind describe its performance?" how its period went.
    own = (overall(ev, when(q)) if set(r.want) & data()["performance"] else profile(ev)) if itself(ev, r) else []
    if own:
        return quoting(q, ctx, data()["openings"]["description"], own)
    described = [s for _, _, s in r.ranked[:2] if defines(ev, s, r.want)]  # a footnote may say it again
    term = q.cues.term
    if term and set(r.want) <= set(words(term)) | set(words(canonical(term))):
        return _term(q, ctx, described)
    if described:
        return quoting(q, ctx, data()["openings"]["description"], described)
    if q.op == "define" and printed or set(r.want) & data()["measures"]:
        return value.run(plain, ctx)  # a figure the filing prints, or one it does not ("what's the churn rate?")
    quotes = about(ev, r, "description")
    if quotes:
        return quoting(q, ctx, data()["openings"]["description"], quotes)
    return ctx.out.decline(q.text, "The filing does not say what that is.", [], plan=q)


def _term(q: Plan, ctx, described: list[Sentence]) -> Answer:
    """A glossary term: its plain words, the filing's figure for it when one is printed, and the
    filing's own description of it when it gives one."""
    term = q.cues.term
    shown = q.cues.term_said or ctx.display(term)  # the term as the question writes it ("SG&A"), else as the glossary does
    summary = f"{shown[0].upper() + shown[1:]}: {glossary()['terms'][term]}"
    p = ctx.res.pick(term, q, None)
    facts = []
    if p is not None and p.fact.unit in calc.MONEY:
        name = ctx.display(ctx.name(p.fact).lower())
        summary += f" In this filing, {name} {for_period(p.fact.period.label)} was {money(p.fact.value, p.fact.unit)}."
        facts = [p.fact]
    if described:
        summary += " The filing describes it this way:"
    return quoting(q, ctx, summary, described, facts)


def _answer(q: Plan, ctx, ev: Evidence, asked: Asked, readings: list[Reading], quotes: list[Sentence], reasoned: bool,
            by_parts: bool = False) -> Answer:
    """Our opening (for a why, the figure and whether the filing gives a reason), then the quotes."""
    said = data()["openings"]
    why = asked.kind in ("cause", "contrast")
    figures = [o for o in (opening(ctx, ev, q, r, quotes) for r in readings) if o is not None] if why else []
    figure = "; ".join(o.text for o in figures)
    if asked.kind == "contrast":
        summary = f"{figure}. {said['contrast']}" if figure else said["contrast"]
    elif asked.kind == "cause":
        n = len([s for s in quotes if s.cause]) or 1
        key = ("cause_parts" if by_parts else "cause" if reasoned else "cause_none") + ("" if figure else "_plain")
        summary = said[key].format(figure=figure, these="these" if n > 1 else "this", s="s" if n > 1 else "")
    else:
        summary = said[asked.kind]
    working = "\n".join(o.working for o in figures if o.working) or None
    a = quoting(q, ctx, summary, quotes, [f for o in figures for f in o.facts], working)
    return a if reasoned or asked.kind != "cause" else unexplained(a)


def unexplained(a: Answer) -> Answer:
    """A why the filing gives no reason for is not answered, though the answer says what the filing
    does say: a reason of our own, or another line's, would be worse than none."""
    a = replace(a, answerable=False)
    return replace(a, text=message(a))


def quoting(q: Plan, ctx, summary: str, quotes: list[Sentence], facts: list = (), working: Optional[str] = None) -> Answer:
    """An answer that is the filing's sentences, cited by line (the Filing view highlights them), after
    our opening; no figure of its own, so a why or what question never gets a bare number."""
    sources = [Source("text", s.section, s.line, s.text) for s in quotes]
    return ctx.out.finish(q, summary, None, None, working, list(facts), sources=sources)


def opening(ctx, ev: Evidence, q: Plan, r: Reading, quotes: list[Sentence]) -> Optional[Opening]:
    """The subject's figure as the quoted sentences state it, read from the fact table row that names
    the subject best, with its change from the period before worked out by the calculator; where they
    state none, the figure of the row that names the subject, if one does."""
    stated = _stated(ctx, ev, r, quotes)
    if stated is not None:
        return _said(ctx, *stated)
    p = _named(ctx, ev, q, r)
    return _said(ctx, p.fact, _before(p.row, p.fact)) if p is not None else None


def _named(ctx, ev: Evidence, q: Plan, r: Reading) -> Optional[Pick]:
    """The fact table row that names the subject, with its figure for the question's period."""
    named = " ".join(w for w in r.side.words.split() if not set(words(w)) <= ev.filer)  # "Lumen's revenue" is the revenue
    plain = replace(q, op="value", metric=named)
    p = ctx.res.pick(named, plain, ctx.res.key(ctx.res.specs(plain, 1)[0])) if named and ctx.res.strong(plain) else None
    if p is None or p.fact.unit not in calc.MONEY or data()["change_re"].match(p.fact.metric) or _fit(ctx, ev, r, p.fact) < MIN_FIT:
        return None
    return p


def _group(ctx, r: Reading) -> list[str]:
    """The members of the breakdown the subject names and nothing else ("segments": the rows of
    "Revenue and EBIT by Segment")."""
    named = set(tokens(r.side.words))
    groups = [rows for rows in groups_for(ctx, [], named)
              if named <= set(tokens(" ".join(rows[0].key[1][:-1]) + " " + rows[0].first.table_title + " " + rows[0].first.section))]
    return [member_name(m) for m in groups[0]] if groups else []


def _parts(ctx, ev: Evidence, q: Plan, r: Reading) -> list[str]:
    """The names of the rows that break the subject's row down in its table ("Network services:" over
    corporate and home connectivity, WAN and outsourcing)."""
    p = _named(ctx, ev, q, r)
    if p is None:
        return []
    table, path = p.row.key
    total = path[-1].lower().startswith(("total", "subtotal"))  # "Total revenues", a bare "Total": the rows beside it add up to it
    return [member_name(m) for m in children(ctx).get((table, path[:-1] if total else path), []) if m is not p.row]


def _fit(ctx, ev: Evidence, r: Reading, f: Fact) -> float:
    """The share of the subject's word weight the fact's row names."""
    named = set(words(f"{ctx.name(f)} {' '.join(f.row_path)}"))
    total = sum(ev.weight(t) for t in r.want)
    return sum(ev.weight(t) for t in r.want if t in named) / total if total else 0.0


def _stated(ctx, ev: Evidence, r: Reading, quotes: list[Sentence]) -> Optional[tuple[Fact, Optional[Fact]]]:
    """Among the facts printing a quoted figure, the one whose row names the subject best and least
    else, preferring one with a figure a year earlier (so the change can be worked out) and a table's
    to a sentence's."""
    best, best_key = None, None
    for s in quotes:
        for fig in s.figures:
            for fid in fig.fact_ids if fig.unit in calc.MONEY else ():
                f, row = ctx.by_id[fid], ev.row_of.get(fid)
                if row is None or f.period.is_target or f.qualifier or data()["change_re"].match(f.metric):
                    continue  # a change row ("Increase (decrease) in X") has no level to compare
                fit = _fit(ctx, ev, r, f)
                before = _before(row, f)
                extra = len(set(words(ctx.name(f))) - set(r.want))  # "Revenue" before "Revenue by Region (total)"
                key = (before is not None, not f.table_id.startswith("text:"), round(fit, 3), -extra)
                if fit >= MIN_FIT and (best_key is None or key > best_key):
                    best, best_key = (f, before), key
    return best


def _before(row, f: Fact) -> Optional[Fact]:
    """The row's figure for the same length of period a year earlier; for a balance, the latest earlier one."""
    same = [x for x in row.facts if x.unit == f.unit and not x.qualifier and x.period.months == f.period.months
            and x.period.end and x.period.end < f.period.end and not x.period.is_target]
    if f.period.months:
        year_before = f"{int(f.period.end[:4]) - 1}{f.period.end[4:7]}"
        same = [x for x in same if x.period.end[:7] == year_before]
    return max(same, key=lambda x: x.period.end) if same else None


def _said(ctx, f: Fact, before: Optional[Fact]) -> Opening:
    """The figure in our words: how it moved from a year earlier (the calculator's percentage), or what it was."""
    name = ctx.name(f)
    if before is None:
        return Opening(f"{name} was {money(f.value, f.unit)} {for_period(f.period.label)}", (f,))
    if (before.value < 0) != (f.value < 0) or not before.value:  # from a profit to a loss: no percentage says that
        return Opening(f"{name} was {money(f.value, f.unit)} {for_period(f.period.label)}, against {money(before.value, f.unit)} "
                       f"{for_period(before.period.label)}", (before, f))
    a, b = (Quantity.amount(before), Quantity.amount(f)) if before.value < 0 else (Quantity.of(before), Quantity.of(f))
    pct = calc.pct_change(a, b)
    moved = "rose" if pct.value > 0 else "fell" if pct.value < 0 else "was unchanged"
    by = f" {abs(pct.value):.1f}%" if pct.value else ""
    to, was = money(b.value, f.unit), money(a.value, f.unit)
    if f.period.months:
        text = f"{name} {moved}{by} in {f.period.label}, to {to} from {was} in {before.period.label}"
    else:
        text = f"{name} {moved}{by} from {bare(before.period.label)} to {bare(f.period.label)}, to {to} from {was}"
    return Opening(text, (before, f), pct.working())


def _no_passage(q: Plan, ctx, readings: list[Reading]) -> Answer:
    """No sentence speaks of the subject: for a why question the figure, if a row names it, with the
    note that the filing gives no reason; otherwise a decline."""
    named = " ".join(r.side.words for r in readings).strip()
    plain = replace(q, op="value", metric=named or q.metric)
    if (q.cues.narrative is None or q.cues.narrative.kind in ("cause", "contrast")) and named and ctx.res.strong(plain):
        figure = value.run(plain, ctx)
        if figure.answerable:
            summary = f"The filing gives no reason for this. {figure.summary}"
            return unexplained(ctx.out.finish(q, summary, None, None, figure.calculation, [], sources=figure.sources))
    return ctx.out.decline(q.text, "The filing does not say; it has no passage about that.", [], plan=q)
