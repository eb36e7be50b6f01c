"""The reader: which of the filing's sentences answer a narrative question. Every sentence is scored
for one side of the question (its subject's words, weighted by how rare they are in the filing, and
its direction) and for the kind asked; the hybrid search over passages (BM25 and dense) gives the
sentences of the passages it ranks a head start."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .narrative_question import data, words
from .plan import Asked, Plan, Side
from .sentences import DATE, ROOT, Evidence, Sentence, pairs, root
from .text import tokens

MIN_COVER = 0.5  # the share of the subject's word weight a sentence must carry to be about it
# A sentence of the passage the hybrid search ranks first (dense search reads meaning, not words)
# needs less: "why doesn't the report break down results by segment?" is answered by "we have
# omitted segment analysis because ...".
RANKED_FIRST = 0.25
NEAR = 8  # passages the hybrid search ranks for the question; their sentences start ahead
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
    ranked: tuple[tuple[float, float, Sentence], ...]  # (score, cover, sentence), best first; cover eased in the first passage


def read(ev: Evidence, side: Side, kind: str, near: dict[int, int]) -> Reading:
    """Every sentence that speaks of the side's subject, scored for the kind of question asked."""
    want = tuple(dict.fromkeys(t for t in words(side.words) if not (kind == "list" and t in data()["whole"])))
    total = sum(ev.weight(t) for t in want)
    ranked = []
    for s in ev.sentences:
        cover = _cover(ev, want, s, total) if want else float(near.get(s.passage, NEAR) < 3)
        if cover > 0:
            score = cover + _bonus(ev, kind, side, s, want) + _prior(near, s) - LONG * max(0, len(s.text.split()) - 40) / 40
            ranked.append((score, cover + RANKED_FIRST * (near.get(s.passage) == 0), s))
    ranked.sort(key=lambda x: -x[0])
    return Reading(side, want, tuple(ranked))


def about(ev: Evidence, r: Reading, kind: str = "") -> list[Sentence]:
    """The best sentence about the subject, and the next one where it carries on; for an event also
    the sentence of its passage that dates it or says most else about the subject (for a description
    the one that says most else)."""
    main = next((s for _, cover, s in r.ranked if cover >= MIN_COVER), None)
    if main is None:
        return []
    quotes = [main]
    nxt = ev.following(main)
    if nxt is not None and (_continues(nxt) or (kind == "list" and nxt.line == main.line and _enumerates(nxt) >= 2)):
        quotes.append(nxt)
    if kind in ("event", "description"):
        total = sum(ev.weight(t) for t in r.want)
        more = [(kind == "event" and not x.dated, -_cover(ev, r.want, x, total), x) for x in ev.passage(main)
                if x not in quotes and (kind != "event" or x.dated or not main.dated) and _cover(ev, r.want, x, total) >= 0.3]
        quotes += [x for *_, x in sorted(more, key=lambda m: m[:2])][:1]
    return sorted(quotes, key=ev.sentences.index)


def because(ev: Evidence, r: Reading) -> list[Sentence]:
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
    return frozenset(t for t in tokens(" ".join(seq[:end])) if not any(c.isdigit() for c in t))  # "1H FY2012 X" is about X


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
    head = set(words(s.text[:at]))
    return sum(ev.weight(t) for t in want if t in head) * 2 >= sum(ev.weight(t) for t in want)


def _explains(ev: Evidence, s: Sentence, want: tuple[str, ...]) -> bool:
    return _before_cue(ev, s, want, s.cause_at)


def _bonus(ev: Evidence, kind: str, side: Side, s: Sentence, want: tuple[str, ...]) -> float:
    """What makes a sentence answer this kind of question. For all: the subject said as a phrase and
    leading the sentence (what a sentence is about comes first). A cause: a reason cue, after the
    subject, and the direction asked; an event: a date; a list: a series of things, names, a cue
    naming the subject's parts after it; a description: the subject said to be something."""
    lead = set(want) <= set(words(" ".join(s.text.split()[:LEAD])))
    common = 0.2 * _phrase(s, want) + 0.15 * (bool(want) and lead)
    if kind == "cause":
        return common + 0.15 * bool(s.cause) + 0.15 * (s.cause_at > 0 and set(want) <= set(words(s.text[:s.cause_at]))) + _moved(side, s)
    if kind == "event":
        return common + 0.15 * s.dated
    if kind == "list":
        names = len(re.findall(r"(?<!^)(?<![.:] )\b[A-Z][a-z]+", s.text))
        return common + 0.3 * bool(SERIES.search(s.text)) + 0.05 * (names >= 2) + 0.15 * _before_cue(ev, s, want, s.parts_at) + _moved(side, s)
    if kind == "description":
        return common + 0.3 * defines(s, want)
    return common


def _phrase(s: Sentence, want: tuple[str, ...]) -> float:
    """The share of the subject's neighbouring words that are neighbours in the sentence too (half for
    the other order: "payment of dividend" for "dividend payment")."""
    asked = pairs(list(want))
    return sum(1.0 if p in s.pairs else 0.5 * (p[::-1] in s.pairs) for p in asked) / len(asked) if asked else 0.0


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
    """The sentence says what the subject is: the subject, then "is", "means", "includes", "such as",
    what it does ("designs", "provides") or an apposition ("IIJ GIO, our cloud services, ...")."""
    heads = (s.text[:m.start()] for m in data()["defines_re"].finditer(s.text))
    return bool(want) and any(len(h.split()) <= 14 and set(want) <= set(words(h)) for h in heads)


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
