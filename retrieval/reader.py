"""The reader: which of the filing's sentences answer a narrative question. Every sentence is scored
for one side of the question (its subject's words, weighted by how rare they are in the filing, and
its direction) and for the kind asked; the hybrid search over passages (BM25 and dense) gives the
sentences of the passages it ranks a head start."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Optional

from .narrative_question import data, direction, words
from .plan import Asked, Plan, Side
from .sentences import CLAUSE, MONEY, PERCENT, Evidence, Sentence, pairs
from .text import tokens

MIN_COVER = 0.5  # the share of the subject's word weight a sentence must carry to be about it
# A sentence of the passage the hybrid search ranks first (dense search reads meaning, not words)
# needs less: "why doesn't the report break down results by segment?" is answered by "we have
# omitted segment analysis because ...".
RANKED_FIRST = 0.25
NEAR = 8  # passages the hybrid search ranks for the question; their sentences start ahead
DEFINED = 0.6  # the share of the subject's word weight that must come before "is", "means", ... in a description
LONG = 0.1  # what each 40 words over 40 cost a sentence: one that names everything answers nothing in particular
SHORT = 8  # words of a note that speaks only through its heading
COVER = 1.5  # how much the subject's words count against every bonus: the subject must match first
HEADED = 0.1  # a sentence under a heading that names the subject is about it
WHEN = 0.15  # a sentence naming the months and years the question names ("between March and September 2012")
NOTE = 0.2  # a footnote qualifies what the text says; the text says it first
OTHER = 0.15  # what it costs a sentence to be about something of the subject ("Cost of SI revenues" for SI revenue)
OPENER = 0.2  # the share of the subject a paragraph's first sentence needs to be quoted beside the main one (its heading may name it)
VERBS = frozenset(tokens("is are was were has have had", keep_stop=True)) | data()["up_words"] | data()["down_words"]
FOOTNOTE = re.compile(r"^\s*(?:[\u00b9\u00b2\u00b3\u2070-\u2079]|\(\d+\)|\(Note\d*\))")  # "⁶ Revenue from ...", "(1) ...", "(Note2) ..."
STATED = re.compile(r"\b(?:is|are|was|were|has|have|had)\b", re.I)  # a head that already states something is no subject
OF_OTHER = re.compile(r"^\s*(?:the\s+)?(?P<head>(?:[\w&\-]+\s+){0,2}?[\w&\-]+)\s+(?:of|for)\s+", re.I)


@dataclass(frozen=True)
class Reading:
    """One side of the question matched against the filing's sentences."""

    side: Side
    want: tuple[str, ...]  # the subject's words, as tokens
    ranked: tuple[tuple[float, float, Sentence], ...]  # (score, cover, sentence), best first; cover eased in the first passage


def read(ev: Evidence, side: Side, kind: str, near: dict[int, int], when: frozenset = frozenset()) -> Reading:
    """Every sentence that speaks of the side's subject, scored for the kind of question asked; one that
    names the question's months and years (`when`) goes first among equals."""
    want = tuple(dict.fromkeys(t for t in words(side.words) if not (kind == "list" and t in data()["whole"])))
    total = sum(ev.weight(t) for t in want)
    ranked = []
    for s in ev.mentioning(want) if want else ev.sentences:
        cover = _cover(ev, want, s, total) if want else float(near.get(s.passage, NEAR) < 3)
        if cover > 0:
            dated = WHEN * len(when & s.words) / len(when) if when else 0.0
            score = COVER * cover + _bonus(ev, kind, side, s, want) + _prior(near, s) + dated - LONG * max(0, len(s.text.split()) - 40) / 40
            ranked.append((score, cover + RANKED_FIRST * (near.get(s.passage) == 0), s))
    ranked.sort(key=lambda x: -x[0])
    return Reading(side, want, tuple(ranked))


def about(ev: Evidence, r: Reading, kind: str = "") -> list[Sentence]:
    """The best sentence about the subject, and the next one where it carries on; for an event also
    the sentence of its passage that dates it or says most else about the subject (for a description
    the one that says most else)."""
    good = [s for _, cover, s in r.ranked if cover >= MIN_COVER]
    if kind == "list":  # a list answer lists: a sentence naming a series of things (or followed by one) comes first,
        listing = [s for s in good if lists(ev, s)]  # one that moves the way asked before others
        good = [s for s in listing if _moved(ev, r.side, r.want, s) > 0 or _moved(ev, r.side, r.want, _carried(ev, s)) > 0] or listing or good
    if not good:
        return []
    main = good[0]
    quotes = [main]
    nxt = ev.following(main)
    if nxt is not None and (_continues(nxt) or kind == "list" and _lists(_carried(ev, main))):
        quotes.append(nxt)
    if kind in ("event", "description"):
        total = sum(ev.weight(t) for t in r.want)
        more = [(kind == "event" and not x.dated, not _opens(ev, x, main), -_cover(ev, r.want, x, total), x) for x in ev.passage(main)
                if x not in quotes and (kind != "event" or x.dated or not main.dated or _opens(ev, x, main))
                and _cover(ev, r.want, x, total) >= (OPENER if _opens(ev, x, main) else 0.3)]
        quotes += [x for *_, x in sorted(more, key=lambda m: m[:3])][:1]
    return sorted(quotes, key=ev.sentences.index)


def profile(ev: Evidence) -> list[Sentence]:
    """What the filer says it is, under a heading that introduces it by its full name ("About Internet
    Initiative Japan Inc."): the first two sentences, where a profile says what the company does."""
    return next((ev.passage(s)[:2] for s in ev.sentences
                 if ev.name and ev.name <= s.heading and data()["profile_re"].match(s.section)), [])


def itself(ev: Evidence, r: Reading) -> bool:
    """The side asks about the filer as a whole ("what does IIJ do?", "Northwind's performance overall")."""
    return set(r.want) <= ev.filer | data()["company"]


def overall(ev: Evidence, dates: frozenset) -> list[Sentence]:
    """How a period went for the company as a whole: the first sentence about nothing but a period
    ("The first half of 2020 was dominated by ...", "Fiscal 2019 was a record year."), of the months
    and years asked where the question names them, with the next sentence of its paragraph."""
    for s in ev.sentences:
        topic = _topic(s, every=True)
        stated = STATED.search(s.text) or s.direction  # "(January 1 to June 30, 2020)" says nothing of it
        if topic and topic <= data()["periods"] and stated and (not dates or dates & s.words) and not FOOTNOTE.match(s.text):
            nxt = _carried(ev, s)
            return [s] + ([nxt] if nxt is not None else [])
    return []


def _opens(ev: Evidence, s: Sentence, main: Sentence) -> bool:
    """The sentence opens the paragraph the main one is in: it sets the scene ("In the third quarter
    we initiated a plan to consolidate ... We recorded restructuring charges of ...")."""
    before = ev.following(s, -1)
    return s.line == main.line and (before is None or before.line != s.line)


def because(ev: Evidence, r: Reading) -> tuple[list[Sentence], bool]:
    """The sentence saying how the subject moved and the one giving the reason: the same sentence, the
    next one (reports put the reason right after), the one before in its paragraph or where it draws
    the consequence ("..., thus, our targets remain unchanged"), or the best sentence elsewhere in its
    section whose reason cue applies to the subject (another section's "Sales and marketing expenses
    rose, mainly due to ..." is no reason for equipment sales). A reason the filing gives twice (in its highlights and in its
    section) is quoted from both. Also whether any of them gives the subject's reason."""
    good = [(cover, s) for _, cover, s in r.ranked if cover >= MIN_COVER]
    if not good:
        return [], False
    top, main = good[0]
    quotes, reasoned = [main], _applies(ev, main, r.want)
    nxt, before = ev.following(main), ev.following(main, -1)
    if reasoned and _elaborates(main, nxt):
        quotes.append(nxt)
    elif not reasoned and _goes_on(ev, r, main, nxt):
        quotes, reasoned = [main, nxt], True
    elif not reasoned and _leads_in(ev, r, main, before):
        quotes, reasoned = [before, main], True
    if not reasoned:
        elsewhere = [s for _, s in good if s not in quotes and s.section == main.section and _applies(ev, s, r.want)
                     and share(ev, r.want, _topic(s)) >= 0.5][:1]
        quotes, reasoned = quotes + elsewhere, bool(elsewhere)
    quotes += [s for cover, s in good if s.passage != main.passage and s not in quotes and cover >= min(top, 1.0) - 0.1
               and _applies(ev, s, r.want) and _topic(s) == _topic(main)][:1]
    return quotes, reasoned


def through_parts(ev: Evidence, r: Reading, parts: list[str], near: dict[int, int]) -> list[Sentence]:
    """The reasons the filing gives for the parts of a whole it gives none for ("Network Services
    revenue was ..., up 3.0%" with no reason; its corporate connectivity rose "mainly due to the
    continuous demands for broader bandwidth"): each part's sentence and its reason, for the parts
    that moved the way the whole did (one that fell did not drive a rise)."""
    out: list[Sentence] = []
    for name in parts:
        pr = read(ev, Side(name, r.side.direction), "cause", near)
        quotes, reasoned = because(ev, pr)
        if not reasoned or share(ev, pr.want, _topic(quotes[0])) < 0.5:
            continue  # the part's best sentence must be about the part, not merely name it
        way = _way(ev, pr.want, quotes[0])
        if r.side.direction in ("up", "down") and way != r.side.direction:
            continue
        out += [s for s in quotes if s not in out]
    return out


def moving_parts(ev: Evidence, r: Reading, parts: list[str], near: dict[int, int]) -> list[Sentence]:
    """For "which segments grew and which shrank?": the sentence about each part saying how it moved,
    for the parts that moved the way asked."""
    out: list[Sentence] = []
    for name in parts:
        pr = read(ev, Side(name, r.side.direction), "list", near)
        good = [s for _, cover, s in pr.ranked if cover >= MIN_COVER]
        if good and good[0] not in out and share(ev, pr.want, _topic(good[0])) >= 0.5 and moves(ev, pr, good[0]):
            out.append(good[0])
    return out


def moves(ev: Evidence, r: Reading, s: Sentence) -> bool:
    """The sentence says the subject moved the way the question asks."""
    return _moved(ev, r.side, r.want, s) > 0


def _goes_on(ev: Evidence, r: Reading, main: Sentence, nxt: Optional[Sentence]) -> bool:
    """The next sentence carries on about the subject: it says so ("The increase was ..."), or it is of
    the same paragraph and gives no figure of something else."""
    return nxt is not None and (_continues(nxt) or nxt.line == main.line and (not nxt.figures or share(ev, r.want, _topic(nxt)) >= 0.5))


def _elaborates(main: Sentence, nxt: Optional[Sentence]) -> bool:
    """The next sentence of the paragraph says more of what the reason is about, without a move of its
    own: "... is solely for the convenience of readers outside of Japan. The rate used for the
    translation was JPY77.92 ...", "... mainly due to more projects. Overseas construction projects were
    also added."""
    shared = _topic(main) & _topic(nxt) - data()["plain"] if nxt is not None else frozenset()
    return bool(shared) and nxt.line == main.line and not nxt.direction


def _leads_in(ev: Evidence, r: Reading, main: Sentence, before: Optional[Sentence]) -> bool:
    """The sentence before gives the reason: the subject's sentence draws it as a consequence ("thus"),
    or it is of the same paragraph and about the subject or nothing else ("There were increases in ...")."""
    if before is None or not before.cause:
        return False
    return main.consequence or before.line == main.line and (not _topic(before) or share(ev, r.want, _topic(before)) >= 0.5)


def _applies(ev: Evidence, s: Sentence, want: tuple[str, ...]) -> bool:
    """The sentence's reason cue is about the subject: the subject comes before it ("X rose, mainly due
    to ..."), or the cue opens the sentence and the subject follows ("Following the closure ..., Group
    revenue decreased"); not "cash decreased due to ..., and inventories increased", nor "Cost of X
    rose, mainly due to ..." (the cost's reason, not X's)."""
    opens = 0 <= s.cause_at and len(s.text[:s.cause_at].split()) <= 1 and _after_cue(ev, s, want)
    return bool(s.cause) and (_before_cue(ev, s, want, s.cause_at) or opens) and not _of_other(s, want, data()["own_lines"])


def _after_cue(ev: Evidence, s: Sentence, want: tuple[str, ...]) -> bool:
    """Most of the subject's word weight the sentence carries comes after the clause its opening cue
    starts ("Following the closure ..., Group revenue decreased"; not "While our LTE mobile service
    ... has been accumulating orders, the cancellations of old services continued", which gives the
    reason of the paragraph's line, not the mobile service's)."""
    said = tuple(t for t in want if t in s.words or t in ev.filer)
    rest = s.text[s.cause_at:].split(", ", 1)
    return len(rest) == 2 and bool(said) and share(ev, said, set(words(rest[1]))) >= 0.5


def _topic(s: Sentence, every: bool = False) -> frozenset:
    """The words a sentence opens with, up to its first verb: what it is about ("1H FY2012 operating
    income increased ..." and "Operating income was ..." are about one thing, "Cost of ATM revenues
    was ..." about another than "ATM revenues were ..."); `every` keeps the stop words ("first half")."""
    seq = s.text.split()
    end = next((i for i, w in enumerate(seq) if set(tokens(w, keep_stop=True)) & VERBS), len(seq))
    said = words(" ".join(seq[:end])) if every else tokens(" ".join(seq[:end]))
    return frozenset(t for t in said if not any(c.isdigit() for c in t))  # "1H FY2012 X" is about X


def _cover(ev: Evidence, want: tuple[str, ...], s: Sentence, total: float) -> float:
    """The share of the subject's word weight the sentence carries; a word it has only in a longer form
    ("Japan", "Japanese") counts most, one of its section heading half (all of it for a short note
    under its heading: "Nothing to be reported.")."""
    under = 1.0 if len(s.text.split()) <= SHORT else 0.5
    return sum(ev.weight(t) * _has(ev, s, t, under) for t in want) / total if total else 0.0


def _has(ev: Evidence, s: Sentence, t: str, under: float) -> float:
    """How far the sentence says the word: itself (or any word of the filer's name for one of it), a
    longer form, its heading (`under`)."""
    if t in s.words or t in ev.filer and s.words & ev.filer:
        return 1.0
    if not s.words.isdisjoint(ev.forms(t)):
        return 0.8  # "effect" and "effective", "Japan" and "Japanese"
    return under if t in s.heading else 0.0


def _before_cue(ev: Evidence, s: Sentence, want: tuple[str, ...], at: int) -> bool:
    """Most of the subject's word weight the sentence carries comes before the cue at `at` ("X rose,
    mainly due to ...", not "While X rose, ...")."""
    said = tuple(t for t in want if t in s.words or t in ev.filer)
    return at > 0 and bool(said) and share(ev, said, set(words(s.text[:at]))) >= 0.5


def share(ev: Evidence, want: tuple[str, ...], said: set) -> float:
    """The share of the subject's word weight among these words (any word of the filer's name stands for all)."""
    named = said | (ev.filer if said & ev.filer else frozenset())
    return sum(ev.weight(t) for t in want if t in named) / (sum(ev.weight(t) for t in want) or 1)


def _bonus(ev: Evidence, kind: str, side: Side, s: Sentence, want: tuple[str, ...]) -> float:
    """What makes a sentence answer this kind of question. For all: the subject said as a phrase and
    leading the sentence or a clause saying how it moved (what a sentence is about comes first: "...,
    cash and cash equivalents decreased by ..."). A cause: a reason cue, after the
    subject, and the direction asked; an event: a date; a list: a series of things, names, a cue
    naming the subject's parts after it; a description: the subject said to be something."""
    lead = any(set(want) <= opening for opening in s.openings)
    headed = share(ev, want, s.heading)
    noted = NOTE * bool(FOOTNOTE.match(s.text))
    shared = 0.2 * _phrase(ev, s, want) + 0.15 * (bool(want) and lead) + HEADED * headed - OTHER * _of_other(s, want) - noted
    if kind == "cause":
        return shared + 0.15 * bool(s.cause) + 0.15 * _applies(ev, s, want) + _moved(ev, side, want, s)
    if kind == "event":
        return shared + 0.15 * s.dated
    if kind == "list":
        names = len(re.findall(r"(?<!^)(?<![.:] )\b[A-Z][a-z]+", s.text))
        return shared + 0.05 * (names >= 2) + 0.15 * _lists(s) + _moved(ev, side, want, s)
    if kind == "description":  # a sentence that opens with its subject describes it ("Northwind designs ...")
        defined = defines(ev, s, want)  # a note saying what the subject is costs nothing: filings define their terms in notes
        return shared + (0.3 + noted) * defined + 0.15 * share(ev, want, set(words(" ".join(s.text.split()[:3]))))
    return shared


def _of_other(s: Sentence, want: tuple[str, ...], heads: frozenset = frozenset()) -> bool:
    """The sentence opens on something else of the subject: "Cost of SI revenues was ...", "Gross
    margin for SI was ..." when asked about SI revenue (only such heads where `heads` are given)."""
    m = OF_OTHER.match(s.text)
    head = set(words(m["head"])) - data()["plain"] if m else set()
    return bool(head and want) and not head & set(want) and (not heads or bool(head & heads))


def _phrase(ev: Evidence, s: Sentence, want: tuple[str, ...]) -> float:
    """The share of the subject's neighbouring words that are neighbours in the sentence too (half for
    the other order: "payment of dividend" for "dividend payment")."""
    asked = pairs([t for t in want if t not in ev.filer])  # the filer's full name is said in every heading
    return sum(1.0 if p in s.pairs else 0.5 * (p[::-1] in s.pairs) for p in asked) / len(asked) if asked else 0.0


def gives_reason(ev: Evidence, r: Reading, s: Sentence) -> bool:
    """The sentence's reason cue is about the side's subject ("X was ..., mainly due to payments for ...")."""
    return _applies(ev, s, r.want)


def lists(ev: Evidence, s: Sentence) -> bool:
    """The sentence, or the next one of its paragraph line, names a series of things."""
    return _lists(s) or _lists(_carried(ev, s))


def _lists(s: Optional[Sentence]) -> bool:
    """The sentence names a series of things ("A, B and C") or parts ("consists of", "breakdown")."""
    return s is not None and (s.series or s.parts_at >= 0)


def _carried(ev: Evidence, s: Sentence) -> Optional[Sentence]:
    """The next sentence, where it goes on in the same paragraph line ("Outsourcing services revenues
    were ... Datacenter-related, web security-related and ... each grew")."""
    nxt = ev.following(s)
    return nxt if nxt is not None and nxt.line == s.line else None


def _moved(ev: Evidence, side: Side, want: tuple[str, ...], s: Optional[Sentence]) -> float:
    """The sentence moves the way the question says (or says nothing of a way)."""
    way = _way(ev, want, s) if s is not None else ""
    if not side.direction or not way:
        return 0.0
    turned = side.direction in ("up", "down") and way in ("up", "down") and way != side.direction
    return -0.1 if turned else 0.1


def _way(ev: Evidence, want: tuple[str, ...], s: Sentence) -> str:
    """The way the sentence says the subject moved: where it says both ("cash decreased by ..., prepaid
    expenses increased ..."), the way of the clause that names the subject most."""
    if s.direction != "both" or not want:
        return s.direction
    clause = max(CLAUSE.split(s.text), key=lambda c: share(ev, want, set(words(c))))
    return direction(clause) or s.direction


def defines(ev: Evidence, s: Sentence, want: tuple[str, ...]) -> bool:
    """The sentence says what the subject is: the subject, then "is", "means", "includes", "such as",
    what it does ("designs", "provides") or an apposition ("IIJ GIO, our cloud services, ...")."""
    heads = [s.text[:m.start()] for m in data()["defines_re"].finditer(s.text)]
    subjects = [h for h in heads if len(h.split()) <= 14 and not (STATED.search(h) or MONEY.search(h) or PERCENT.search(h))]
    return bool(want) and any(share(ev, want, set(words(h))) >= DEFINED for h in subjects)


def _prior(near: dict[int, int], s: Sentence) -> float:
    """The head start of a sentence whose passage the hybrid search ranks high."""
    rank = near.get(s.passage)
    return 0.0 if rank is None else 0.15 * (1 - rank / NEAR)


def when(q: Plan) -> frozenset:
    """The months and years the question's periods name, as words a sentence may say."""
    months = [calendar.month_name[p.end_month] for p in q.periods if p.end_month]
    years = [str(y) for p in q.periods for y in (p.end_year, p.fy) if y]
    return frozenset(words(" ".join(months + years)))


def near(q: Plan, asked: Asked, ctx, ev: Evidence) -> dict[int, int]:
    """The passages the hybrid search (BM25 and dense) ranks for the question, by rank."""
    named = " ".join(s.words for s in asked.sides)
    chunks = ctx.passages.search(f"{named} {q.text}" if named not in q.text else q.text, k=NEAR)
    return {ev.passage_of[c.id]: i for i, c in enumerate(chunks) if c.id in ev.passage_of}


def _continues(s: Sentence) -> bool:
    """The sentence opens by going on about the one before ("The increase was mainly due to ...")."""
    first = s.text.lower()
    return any(first.startswith(c + " ") or first.startswith(c + ",") for c in data()["continuations"])
