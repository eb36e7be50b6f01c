"""Sentence-level evidence: the filing's passages split into sentences, each keeping its line, its
section, the figures it states (linked to the fact table where a number matches), the way it says
something moved and the reason cue it carries. Built from the loaded passages on first use, so the
index format does not change."""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from typing import Optional

from about import LEGAL_FORM, company_name
from schema import Chunk, Fact

from . import calculator as calc
from .narrative_question import data, direction, words

# Not a sentence end: initials and abbreviations ("U.S. GAAP", "Inc. and", "No. 5").
ABBREVIATION = re.compile(r"(?:\b[A-Z]\.|\b(?:Inc|Co|Ltd|Corp|No|Nos|Mr|Ms|Dr|vs|approx|e\.g|i\.e|etc|St))\.?$")
BOUNDARY = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"\u201d]))\s+(?=[A-Z\"(\u201c\u00b9\u00b2\u00b3])")
EMPHASIS = re.compile(r"(?<![\w*])\*([^*\n]+?)\*(?![\w*])")  # "*IIJ GIO*": Markdown italics the Filing view shows plain
BULLET = re.compile(r"^\s*[-\u2022\u00b7]\s+")
CURRENCY = {"JPY": "JPY", "USD": "USD", "EUR": "EUR", "RMB": "RMB", "GBP": "GBP", "US$": "USD", "$": "USD", "\u20ac": "EUR", "\u00a5": "JPY", "\u00a3": "GBP"}
MONEY = re.compile(r"(?P<cur>JPY|USD|EUR|RMB|GBP|US\$|\$|\u20ac|\u00a5|\u00a3)\s?(?P<num>-?\d[\d,]*(?:\.\d+)?)(?:\s?(?P<scale>million|billion|thousand))?")
ITEM = r"[\w\-/&'\"().]+(?: [\w\-/&'\"().]+){0,3}"  # a thing named in a series: a few words
SERIES = re.compile(rf"{ITEM}, (?:{ITEM}, )*{ITEM},? (?:and|or) {ITEM}")  # "A, B(,) and C": once per sentence, at load
CLAUSE = re.compile(r"[,;]\s+")
LEAD = 8  # the words that open a sentence: a subject there is what the sentence is about
PERCENT = re.compile(r"(?<![\d.,])(?P<num>\d+(?:\.\d+)?)\s?%")
ROOT = 6  # letters of a word that stand for it in a phrase ("services" and "service" are one)
PREFIX = 5  # letters a word must have to be found as the start of a longer one
UNSEEN = 0.5  # the weight of a word the filing never uses: a verb of the question says little of the subject
MIN_WORDS = 4  # fewer words make a name or a heading, not a sentence
FILER = 0.2  # how much the filer's own name counts against another word of the subject
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
LEGAL = re.compile(rf",?\s*\b(?:{LEGAL_FORM})(?!\w)", re.I)
RUN_IN = re.compile(r"^(?:[A-Z][\w&\-]*\s+){0,4}[A-Z][\w&\-]*\.$")  # "Logistics Systems."
DATE = re.compile(rf"\b(?:{MONTHS})\b(?:\s+\d{{1,2}},)?\s+(?:19|20)\d\d\b|\b(?:{MONTHS})\s+\d{{1,2}}\b|\b(?:FY\s?)?(?:19|20)\d\d\b|\b[1-4]Q\b|\b(?:this|last)\s+(?:fall|autumn|spring|summer|winter)\b")


@dataclass(frozen=True)
class Figure:
    """A number a sentence states, with the facts that print it."""

    text: str  # as printed: "JPY7,816 million", "7.4%"
    value: float  # whole units, or percent
    unit: str
    fact_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int
    section: str
    passage: int  # which passage it belongs to; a passage's sentences follow one another
    words: frozenset
    pairs: frozenset  # neighbouring words, as roots: "outsourcing services" is a phrase of it
    heading: frozenset  # the words of its section heading
    figures: tuple[Figure, ...]
    direction: str  # "up", "down", "both" or ""
    cause: str  # the reason cue it carries ("due to"), or ""
    cause_at: int  # where that cue starts in the text
    parts_at: int  # where a cue naming parts starts ("consisting of", "such as"), or -1
    consequence: bool  # it draws a consequence ("thus", "as a result"): its reason is the sentence before
    dated: bool  # it names a date, a year or a season
    series: bool  # it names a series of things ("A, B and C")
    openings: tuple[frozenset, ...]  # the words opening it and each clause of it that says how something moved


class Evidence:
    """Every sentence of the filing's narrative, with word weights for matching a question to them."""

    def __init__(self, chunks: list[Chunk], lines: list[str], facts: list[Fact], rows: list, filer: frozenset = frozenset(),
                 name: frozenset = frozenset()):
        # The filer's own name ("IIJ", "Northwind Robotics"): said all through the text, it tells
        # sentences apart little, and any of its words stands for all of them.
        self.filer = filer
        self.name = name  # the words of its full name ("Internet Initiative Japan"), as a heading about it gives them
        self._values = _by_unit(facts)
        self.row_of = {f.id: r for r in rows for f in r.facts}  # a linked fact's table row, for its other periods
        passages = [c for c in chunks if c.kind == "text"]
        self.passage_of = {c.id: n for n, c in enumerate(passages)}
        self.sentences: list[Sentence] = []
        for n, c in enumerate(passages):
            self.sentences += self._split(c, n, lines)
        df: dict[str, int] = {}
        self._where: dict[str, list[int]] = {}  # word -> the sentences (by position) saying it or under a heading with it
        for i, s in enumerate(self.sentences):
            for t in s.words | s.heading:
                df[t] = df.get(t, 0) + 1
                self._where.setdefault(t, []).append(i)
        self._idf = {t: math.log(1 + len(self.sentences) / c) for t, c in df.items()}
        # A word only the tables use ("hi-ho") is as telling as the rarest word of a sentence.
        rare = math.log(1 + len(self.sentences))
        self._idf.update({t: rare for r in rows for t in words(" ".join(r.facts[0].row_path)) if t not in self._idf})
        self._long = {t for s in self.sentences for t in s.words if len(t) >= PREFIX}
        self._forms: dict[str, frozenset] = {}

    def forms(self, t: str) -> frozenset:
        """The sentences' words that are a longer or shorter form of `t` ("Japan", "Japanese"), worked out
        once per word rather than once per sentence."""
        got = self._forms.get(t)
        if got is None:
            got = frozenset(w for w in self._long if w.startswith(t) or t.startswith(w)) if len(t) >= PREFIX else frozenset()
            self._forms[t] = got
        return got

    def mentioning(self, want: tuple[str, ...]) -> list[Sentence]:
        """The sentences, in order, that say one of these words, a longer or shorter form of one, or (for a
        word of the filer's name) any word of that name, in their text or heading: every sentence a
        subject's cover can be above zero for, found without reading the others."""
        keys = set(want) | {w for t in want for w in self.forms(t)} | (self.filer if self.filer & set(want) else frozenset())
        return [self.sentences[i] for i in sorted({i for k in keys for i in self._where.get(k, ())})]

    def weight(self, t: str) -> float:
        """idf over sentences (a word only tables use counts as the rarest); a word the filing never uses
        (a verb of the question) or its own name counts little."""
        return self._idf.get(t, UNSEEN) * (FILER if t in self.filer else 1.0)

    def following(self, s: Sentence, step: int = 1) -> Optional[Sentence]:
        """The next sentence of the same passage (the one before, with step -1)."""
        i = self.sentences.index(s) + step
        return self.sentences[i] if 0 <= i < len(self.sentences) and self.sentences[i].passage == s.passage else None

    def passage(self, s: Sentence) -> list[Sentence]:
        return [x for x in self.sentences if x.passage == s.passage]

    def _split(self, c: Chunk, n: int, lines: list[str]) -> list[Sentence]:
        """The passage's sentences, each with the line it starts on: a line carries on the one before
        only where that one ends mid-sentence and it starts in lower case (a wrapped sentence)."""
        runs: list[tuple[int, str]] = []
        for ln in range(c.line, min(c.end_line, len(lines)) + 1):
            s = clean(lines[ln - 1])
            if s and runs and not runs[-1][1].endswith((".", "!", "?", ":", ")", '"', "\u201d")) and s[0].islower():
                runs[-1] = (runs[-1][0], f"{runs[-1][1]} {s}")
            elif s:
                runs.append((ln, s))
        heading = frozenset(words(c.section))
        return [x for ln, run in runs for x in self._run(run, ln, c.section, n, heading)]

    def _run(self, run: str, line: int, section: str, n: int, heading: frozenset) -> list[Sentence]:
        """The sentences of one run of text. A run-in heading ("Industrial Automation. Net revenue
        increased ...") is no sentence: it names what the sentences after it speak of."""
        every = [p for p in _pieces(run) if re.search(r"[a-z]", p)]  # a heading in capitals says nothing
        lead = frozenset(words(every[0])) if len(every) > 1 and RUN_IN.match(every[0]) else frozenset()
        # Nor does a name on its own line ("Lumen Optik GmbH").
        return [self._sentence(p, line, section, n, heading, lead) for p in every if len(p.split()) >= MIN_WORDS]

    def _sentence(self, text: str, line: int, section: str, n: int, heading: frozenset, lead: frozenset) -> Sentence:
        d = data()
        cue, parts = d["cause_re"].search(text), d["list_re"].search(text)
        seq = words(text)
        said = frozenset(seq) | lead
        return Sentence(text, line, section, n, said, pairs(seq), heading, self._figures(text),
                        direction(text), cue.group(0).lower() if cue else "", cue.start() if cue else -1,
                        parts.start() if parts else -1, bool(d["consequence_re"].search(text)), bool(DATE.search(text)),
                        bool(SERIES.search(text)),
                        tuple(frozenset(words(" ".join(c.split()[:LEAD]))) for n, c in enumerate(CLAUSE.split(text)) if not n or direction(c)))

    def _figures(self, text: str) -> tuple[Figure, ...]:
        out = []
        for m in MONEY.finditer(text):
            unit, places = CURRENCY[m["cur"]], _places(m["num"])
            scale = SCALES.get((m["scale"] or "").lower(), 1.0)
            value = float(m["num"].replace(",", "")) * scale
            out.append(Figure(m.group(0), value, unit, self._facts(unit, value, 0.5 * scale * 10 ** -places)))
        for m in PERCENT.finditer(text):
            value = float(m["num"])
            out.append(Figure(m.group(0), value, "%", self._facts("%", value, 0.5 * 10 ** -_places(m["num"]))))
        return tuple(out)

    def _facts(self, unit: str, value: float, tol: float) -> tuple[str, ...]:
        """The facts printing this number as rounded in the sentence (JPY7,816 million is 7,815,812 thousand)."""
        values, ids = self._values.get(unit, ([], []))
        lo = bisect.bisect_left(values, value - tol - 1e-9)
        hi = bisect.bisect_right(values, value + tol + 1e-9)
        return tuple(ids[lo:hi])


def root(w: str) -> str:
    return w[:ROOT]


def pairs(seq: list[str]) -> frozenset:
    """Neighbouring words, in order, as roots."""
    return frozenset((root(a), root(b)) for a, b in zip(seq, seq[1:]))


def clean(line: str) -> str:
    """A filing line as the reader sees it: Markdown italics and escapes removed, spaces single."""
    s = line.replace("\t", " ").replace("\\$", "$").strip().strip("*").strip()
    return " ".join(BULLET.sub("", EMPHASIS.sub(r"\1", s)).split())


def _pieces(text: str) -> list[str]:
    """Sentences; a full stop after an initial or an abbreviation ends none."""
    out: list[str] = []
    for part in BOUNDARY.split(text):
        if out and ABBREVIATION.search(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        elif part.strip():
            out.append(part.strip())
    return out


def _places(num: str) -> int:
    return len(num.split(".")[1]) if "." in num else 0


def _by_unit(facts: list[Fact]) -> dict[str, tuple[list[float], list[str]]]:
    """Fact values by unit, sorted, so a sentence's number finds its facts by bisection."""
    by: dict[str, list[tuple[float, str]]] = {}
    for f in facts:
        if f.unit in calc.MONEY or f.unit == "%":
            by.setdefault(f.unit, []).append((abs(f.value), f.id))
    return {u: ([v for v, _ in sorted(xs)], [i for _, i in sorted(xs)]) for u, xs in by.items()}


def evidence(ctx) -> Evidence:
    """The filing's sentences, built once per loaded index."""
    with ctx.lock:
        if "sentences" not in ctx.memo:
            # A filer that abbreviates its name is called by the acronym ("IIJ"); else by its name; and
            # by what a filing calls itself ("the Group").
            name = " ".join(LEGAL.sub(" ", company_name(ctx.lines)).split())
            filer = frozenset(words(f"{ctx.rows.acronyms.get(name, name)} {data()['self_words']}"))
            ctx.memo["sentences"] = Evidence(ctx.chunks, ctx.lines, ctx.facts, ctx.rows.rows, filer, frozenset(words(name)))
        return ctx.memo["sentences"]
