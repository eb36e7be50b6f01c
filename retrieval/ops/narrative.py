"""Why / what happened / which: the filing's own sentences that answer, quoted with their lines, never a
generated sentence. Our one opening sentence names the figure (read from the fact table, its change
worked out by the calculator) and says what follows; when the filing gives no reason, it says so."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Optional

from schema import Answer, Fact, Source

from .. import calculator as calc
from ..calculator import CalcError, Quantity
from ..context import bare, for_period
from ..narrative_question import data
from ..plan import Asked, Plan, Side
from ..render import money
from ..sentences import DATE, ROOT, Evidence, Sentence, evidence, pairs, root
from ..text import tokens
from . import value

MIN_COVER = 0.5  # the share of the subject's word weight a sentence must carry to be about it
MAX_QUOTES = 4
NEAR = 8  # passages the hybrid search ranks for the question; their sentences start ahead
MIN_FIT = 0.5  # the share of the subject's word weight a row must name for its figure to open the answer
LONG = 0.1  # what each 40 words over 40 cost a sentence: one that names everything answers nothing in particular
SHORT = 8  # words of a note that speaks only through its heading
LEAD = 8  # the words that open a sentence: a subject there is what the sentence is about
VERBS = frozenset(tokens("is are was were has have had", keep_stop=True)) | data()["up_words"] | data()["down_words"]
SERIES = re.compile(r", (?:[^,.;]{1,50}, )*(?:and|or) ")  # "A, B(,) and C"


@dataclass(frozen=True)
class Reading:
    """One side of the question matched against the filing's sentences."""

    side: Side
    want: tuple[str, ...]  # the subject's words, as tokens
    ranked: tuple[tuple[float, float, Sentence], ...]  # (score, cover, sentence), best first


@dataclass(frozen=True)
class Opening:
    """The figure an answer opens with: our sentence, the facts and the working behind it."""

    text: str
    facts: tuple[Fact, ...]
    working: str = ""


def run(q: Plan, ctx) -> Answer:
    asked = q.cues.narrative or Asked("cause", (Side(q.metric, q.cues.direction),))
    ev = evidence(ctx)
    ranks = near(q, asked, ctx, ev)
    readings = [read(ev, side, "cause" if asked.kind == "contrast" else asked.kind, ranks) for side in asked.sides]
    quotes: list[Sentence] = []
    for r in readings:
        for s in _because(ev, r) if asked.kind in ("cause", "contrast") else about(ev, r, asked.kind):
            if s not in quotes:
                quotes.append(s)
    if not quotes:
        return _no_passage(q, ctx, readings)
    return _answer(q, ctx, ev, asked, readings, quotes[:MAX_QUOTES])


def read(ev: Evidence, side: Side, kind: str, near: dict[int, int]) -> Reading:
    """Every sentence that speaks of the side's subject, scored for the kind of question asked."""
    want = tuple(dict.fromkeys(t for t in tokens(side.words) if not (kind == "list" and t in data()["whole"])))
    total = sum(ev.weight(t) for t in want)
    ranked = []
    for s in ev.sentences:
        cover = _cover(ev, want, s, total) if want else float(near.get(s.passage, NEAR) < 3)
        if cover > 0:
            score = cover + _bonus(ev, kind, side, s, want) + _prior(near, s) - LONG * max(0, len(s.text.split()) - 40) / 40
            ranked.append((score, cover, s))
    ranked.sort(key=lambda x: -x[0])
    return Reading(side, want, tuple(ranked))


def about(ev: Evidence, r: Reading, kind: str = "") -> list[Sentence]:
    """The best sentence about the subject, and the next one where it carries on; for an event also
    the sentence of its passage that dates it or says most else about the subject."""
    main = next((s for _, cover, s in r.ranked if cover >= MIN_COVER), None)
    if main is None:
        return []
    quotes = [main]
    nxt = ev.following(main)
    if nxt is not None and (_continues(nxt) or (kind == "list" and nxt.line == main.line and _enumerates(nxt) >= 2)):
        quotes.append(nxt)
    if kind == "event":
        total = sum(ev.weight(t) for t in r.want)
        more = [(not x.dated, -_cover(ev, r.want, x, total), x) for x in ev.passage(main)
                if x not in quotes and (x.dated or not main.dated) and _cover(ev, r.want, x, total) >= 0.3]
        quotes += [x for *_, x in sorted(more, key=lambda m: m[:2])][:1]
    return sorted(quotes, key=ev.sentences.index)


def _because(ev: Evidence, r: Reading) -> list[Sentence]:
    """The sentence saying how the subject moved and the one giving the reason: the same sentence, the
    next one (reports put the reason right after), the one before where it draws the consequence
    ("..., thus, our targets remain unchanged"), or the best sentence whose reason cue follows the
    subject. A reason the filing gives twice (in its highlights and in its section) is quoted from both."""
    good = [(cover, s) for _, cover, s in r.ranked if cover >= MIN_COVER]
    if not good:
        return []
    top, main = good[0]
    quotes = [main]
    if not main.cause:
        nxt, before = ev.following(main), ev.following(main, -1)
        if nxt is not None and (_continues(nxt) or nxt.line == main.line and (nxt.cause or r.side.direction or not nxt.figures)):
            quotes.append(nxt)
        elif main.consequence and before is not None and before.cause:
            quotes.insert(0, before)
    if not any(s.cause for s in quotes) and len(quotes) == 1:
        quotes += [s for _, s in good if _explains(ev, s, r.want)][:1]
    quotes += [s for cover, s in good if s.passage != main.passage and s not in quotes and cover >= top - 0.1
               and _explains(ev, s, r.want) and _topic(s) == _topic(main)][:1]
    return quotes


def _topic(s: Sentence) -> frozenset:
    """The words a sentence opens with, up to its first verb: what it is about ("1H FY2012 operating
    income increased ..." and "Operating income was ..." are about one thing, "Cost of ATM revenues
    was ..." about another than "ATM revenues were ...")."""
    seq = s.text.split()
    end = next((i for i, w in enumerate(seq) if set(tokens(w, keep_stop=True)) & VERBS), len(seq))
    return frozenset(tokens(" ".join(seq[:end])))


def _cover(ev: Evidence, want: tuple[str, ...], s: Sentence, total: float) -> float:
    """The share of the subject's word weight the sentence carries; a word it has only in a longer form
    ("effect", "effective") counts most, one of its section heading half (all of it for a short note
    under its heading: "Nothing to be reported.")."""
    under = 1.0 if len(s.text.split()) <= SHORT else 0.5
    return sum(ev.weight(t) * _has(s, t, under) for t in want) / total if total else 0.0


def _has(s: Sentence, t: str, under: float) -> float:
    if t in s.words:
        return 1.0
    if len(t) >= ROOT and root(t) in s.roots:
        return 0.8
    return under if t in s.heading else 0.0


def _before_cue(ev: Evidence, s: Sentence, want: tuple[str, ...], at: int) -> bool:
    """Most of the subject's word weight comes before the cue at `at` ("X rose, mainly due to ...", not
    "While X rose, ...")."""
    if at <= 0 or not want:
        return False
    head = set(tokens(s.text[:at]))
    return sum(ev.weight(t) for t in want if t in head) * 2 >= sum(ev.weight(t) for t in want)


def _explains(ev: Evidence, s: Sentence, want: tuple[str, ...]) -> bool:
    return _before_cue(ev, s, want, s.cause_at)


def _bonus(ev: Evidence, kind: str, side: Side, s: Sentence, want: tuple[str, ...]) -> float:
    """What makes a sentence answer this kind of question. For all: the subject said as a phrase and
    leading the sentence (what a sentence is about comes first). A cause: a reason cue, after the
    subject, and the direction asked; an event: a date; a list: a series of things, names, a cue
    naming the subject's parts after it; a description: the subject said to be something."""
    lead = set(want) <= set(tokens(" ".join(s.text.split()[:LEAD])))
    common = 0.2 * _phrase(s, want) + 0.15 * (bool(want) and lead)
    if kind == "cause":
        return common + 0.15 * bool(s.cause) + 0.15 * (s.cause_at > 0 and set(want) <= set(tokens(s.text[:s.cause_at]))) + _moved(side, s)
    if kind == "event":
        return common + 0.15 * s.dated
    if kind == "list":
        names = len(re.findall(r"(?<!^)(?<![.:] )\b[A-Z][a-z]+", s.text))
        return common + 0.15 * bool(SERIES.search(s.text)) + 0.05 * (names >= 2) + 0.15 * _before_cue(ev, s, want, s.parts_at) + _moved(side, s)
    if kind == "description":
        return common + 0.3 * defines(s, want)
    return common


def _phrase(s: Sentence, want: tuple[str, ...]) -> float:
    """The share of the subject's neighbouring words that are neighbours in the sentence too."""
    asked = pairs(list(want))
    return len(asked & s.pairs) / len(asked) if asked else 0.0


def _enumerates(s: Sentence) -> int:
    """How many separators of a list the sentence has (commas and "and"s, dates left out)."""
    text = DATE.sub(" ", s.text)
    return text.count(",") + text.count(" and ")


def _moved(side: Side, s: Sentence) -> float:
    """The sentence moves the way the question says (or says nothing of a way)."""
    if not side.direction or not s.direction:
        return 0.0
    turned = side.direction in ("up", "down") and s.direction in ("up", "down") and s.direction != side.direction
    return -0.1 if turned else 0.1


def defines(s: Sentence, want: tuple[str, ...]) -> bool:
    """The sentence says what the subject is: the subject, then "is", "means", "includes" or an
    apposition ("IIJ GIO, our cloud services, ...")."""
    m = data()["defines_re"].search(s.text)
    head = s.text[:m.start()] if m else ""
    return bool(want) and len(head.split()) <= 14 and set(want) <= set(tokens(head))


def _prior(near: dict[int, int], s: Sentence) -> float:
    rank = near.get(s.passage)
    return 0.0 if rank is None else 0.15 * (1 - rank / NEAR)


def near(q: Plan, asked: Asked, ctx, ev: Evidence) -> dict[int, int]:
    """The passages the hybrid search (BM25 and dense) ranks for the question, by rank."""
    words = " ".join(s.words for s in asked.sides)
    chunks = ctx.passages.search(f"{words} {q.text}" if words not in q.text else q.text, k=NEAR)
    return {ev.passage_of[c.id]: i for i, c in enumerate(chunks) if c.id in ev.passage_of}


def _continues(s: Sentence) -> bool:
    first = s.text.lower()
    return any(first.startswith(c + " ") or first.startswith(c + ",") for c in data()["continuations"])


def _answer(q: Plan, ctx, ev: Evidence, asked: Asked, readings: list[Reading], quotes: list[Sentence]) -> Answer:
    said = data()["openings"]
    figures = [o for o in (opening(ctx, ev, r, quotes) for r in readings) if o is not None] if asked.kind in ("cause", "contrast") else []
    figure = "; ".join(o.text for o in figures)
    if asked.kind == "contrast":
        summary = f"{figure}. {said['contrast']}" if figure else said["contrast"]
    elif asked.kind == "cause":
        reason = any(s.cause for s in quotes) or len(quotes) > 1
        n = len([s for s in quotes if s.cause]) or 1
        key = ("cause" if reason else "cause_none") + ("" if figure else "_plain")
        summary = said[key].format(figure=figure, these="these" if n > 1 else "this", s="s" if n > 1 else "")
    else:
        summary = said[asked.kind]
    working = "\n".join(o.working for o in figures if o.working) or None
    return quoting(q, ctx, summary, quotes, [f for o in figures for f in o.facts], working)


def quoting(q: Plan, ctx, summary: str, quotes: list[Sentence], facts: list = (), working: Optional[str] = None) -> Answer:
    """An answer that is the filing's sentences, cited by line (the Filing view highlights them), after
    our opening; no figure of its own, so a why or what question never gets a bare number."""
    sources = [Source("text", s.section, s.line, s.text) for s in quotes]
    return ctx.out.finish(q, summary, None, None, working, list(facts), sources=sources)


def opening(ctx, ev: Evidence, r: Reading, quotes: list[Sentence]) -> Optional[Opening]:
    """The subject's figure as the quoted sentences state it, read from the fact table row that names
    the subject best, with its change from the period before worked out by the calculator."""
    total = sum(ev.weight(t) for t in r.want)
    best, best_key = None, None
    for s in quotes:
        for fig in s.figures:
            for fid in fig.fact_ids if fig.unit in calc.MONEY else ():
                f, row = ctx.by_id[fid], ev.row_of.get(fid)
                if row is None or f.period.is_target or f.qualifier:
                    continue
                named = set(tokens(f"{ctx.name(f)} {' '.join(f.row_path)}"))
                fit = sum(ev.weight(t) for t in r.want if t in named) / total if total else 0.0
                before = _before(row, f)
                key = (round(fit, 3), before is not None, not f.table_id.startswith("text:"))
                if fit >= MIN_FIT and (best_key is None or key > best_key):
                    best, best_key = (f, before), key
    return None if best is None else _said(ctx, *best)


def _before(row, f: Fact) -> Optional[Fact]:
    """The row's figure for the same length of period a year earlier; for a balance, the latest earlier one."""
    same = [x for x in row.facts if x.unit == f.unit and not x.qualifier and x.period.months == f.period.months
            and x.period.end and x.period.end < f.period.end and not x.period.is_target]
    if f.period.months:
        year_before = f"{int(f.period.end[:4]) - 1}{f.period.end[4:7]}"
        same = [x for x in same if x.period.end[:7] == year_before]
    return max(same, key=lambda x: x.period.end) if same else None


def _said(ctx, f: Fact, before: Optional[Fact]) -> Opening:
    name = ctx.name(f)
    if before is None:
        return Opening(f"{name} was {money(f.value, f.unit)} {for_period(f.period.label)}", (f,))
    a, b = (Quantity.amount(before), Quantity.amount(f)) if before.value < 0 and f.value < 0 else (Quantity.of(before), Quantity.of(f))
    try:
        pct = calc.pct_change(a, b)
    except CalcError:
        return Opening(f"{name} was {money(f.value, f.unit)} {for_period(f.period.label)}", (f,))
    moved = "rose" if pct.value > 0 else "fell" if pct.value < 0 else "was unchanged"
    by = f" {abs(pct.value):.1f}%" if pct.value else ""
    if f.period.months:
        text = f"{name} {moved}{by} in {f.period.label}, to {money(b.value, f.unit)} from {money(a.value, f.unit)} in {before.period.label}"
    else:
        text = f"{name} {moved}{by} from {bare(before.period.label)} to {bare(f.period.label)}, to {money(b.value, f.unit)} from {money(a.value, f.unit)}"
    return Opening(text, (before, f), pct.working())


def _no_passage(q: Plan, ctx, readings: list[Reading]) -> Answer:
    """No sentence speaks of the subject: for a why question the figure, if a row names it, with the
    note that the filing gives no reason; otherwise a decline."""
    words = " ".join(r.side.words for r in readings).strip()
    plain = replace(q, op="value", metric=words or q.metric)
    if (q.cues.narrative is None or q.cues.narrative.kind in ("cause", "contrast")) and words and ctx.res.strong(plain):
        figure = value.run(plain, ctx)
        if figure.answerable:
            summary = f"The filing gives no reason for this. {figure.summary}"
            return ctx.out.finish(q, summary, None, None, figure.calculation, [], sources=figure.sources)
    return ctx.out.decline(q.text, "The filing does not say; it has no passage about that.", [], plan=q)
