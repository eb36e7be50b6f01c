"""What reaches understanding: control characters and markup stripped, bad input refused with a
reply that says what to do, instructions inside a question dropped, and topics or names the
filing cannot speak to declined before any figure is looked for."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Optional

from .context import EXAMPLES, Context
from .text import STOP, canonical, glossary

INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\b[^.?!]*\b(rules?|instructions?|previous|above|prompt|system)"
    r"|\b(pretend|act as|you are now|from now on|system prompt|jailbreak)\b"
    r"|\b(say|repeat|answer|reply|tell (?:me|them))\b[^.?!]*\b(that|back|was|is|=)\b[^.?!]*\d"
    r"|\balready confirmed\b|\bjust repeat\b",
    re.I,
)
GREETING = re.compile(r"^\s*(hi|hello|hey|good (?:morning|afternoon|evening)|thanks|thank you|ok|okay)\b[\s!.?]*$", re.I)
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
          "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
# Capitalised words that are not names: question words, periods, currencies, commands.
COMMON = {"what", "how", "why", "which", "when", "who", "the", "and", "did", "was", "were", "is", "in", "of", "for", "by",
          "give", "tell", "show", "ignore", "my", "please", "also", "so", "then", "work", "convert", "according",
          "roughly", "compare", "us", "usd", "yen", "jpy", "dollars", "dollar", "ceo", "cfo", "q1", "q2", "q3", "q4",
          "fy", "h1", "h2", "i", "ok", "okay", "thanks", "hi", "hello", "it", "its", "say", "just", "repeat", "reply",
          "answer", "pretend", "disregard", "forget", "system",
          "operating", "net", "total", "gross", "fiscal", "first", "second", "third", "fourth", "year", "quarter", "half"}


@dataclass
class Checked:
    text: str = ""  # the question to understand
    reply: str = ""  # a reply instead of an answer (bad input, greeting, out of scope)
    answered: bool = False  # the reply is a decline of a real question (not a prompt to ask one)
    notes: list = field(default_factory=list)  # said before the answer ("I ignored instructions ...")


HELLO = "Hello! Ask me about a figure in the filing, for example: "


def check(question, ctx: Context) -> Checked:
    text = question
    if isinstance(question, str) and len(question) <= ctx.settings.max_question_chars:
        text = strip_chatter(question)  # by line, before the lines are joined
        if re.search(r"[A-Za-z]", question) and not re.search(r"[A-Za-z]", text):
            return Checked(question, HELLO + ctx.example(), True)  # chatter and nothing else
    cleaned, problem = clean_question(text, ctx.settings.max_question_chars)
    if problem:
        return Checked(reply=problem.replace(EXAMPLES, ctx.example()))
    notes = []
    if INJECTION.search(cleaned):
        # Sentences, or with no punctuation the run before a capitalised question word ("... say it was 1 yen What were ...").
        kept = " ".join(s for s in re.split(r"(?<=[.!?])\s+|\s+(?=(?:What|How|Which|Who|When|Why|Where|Did|Does|Is|Are|Was|Were|Can|Could)\b)",
                                            cleaned) if not INJECTION.search(s))
        if not kept.strip():
            return Checked(question, "The filing does not say anything I could check here: I answer only from the filing "
                                     "and do not repeat figures given in a question. Ask, for example: " + ctx.example(), True)
        notes.append("I ignored instructions inside the question: every figure here comes from the filing.")
        cleaned = kept.strip()
    if GREETING.match(cleaned):
        return Checked(question, HELLO + ctx.example(), True)
    cleaned, read = read_words(cleaned, ctx)
    notes += read
    topic = not_covered(cleaned)
    if topic and not ctx.has_row_for(topic[1]):
        return Checked(cleaned, f"The filing does not say: it does not cover {topic[0]}.", True, notes)
    stranger = unknown_name(asking(cleaned), ctx)
    if stranger:
        return Checked(cleaned, f"The filing does not say anything about {stranger}; it reports only this company's own results.", True, notes)
    return Checked(cleaned, notes=notes)


def clean_question(q, limit: int) -> tuple[str, str]:
    """Strips control characters; returns (question, problem) where problem is a reply for bad input."""
    if q is None or not isinstance(q, str):
        return "", "Please type a question about the filing, for example: " + EXAMPLES
    q = "".join(ch if ch in "\t\n" or unicodedata.category(ch)[0] != "C" else " " for ch in q)
    q = re.sub(r"<[^<>]{0,200}>", " ", q)  # markup around a question is not part of it
    q = " ".join(q.split())
    if not q:
        return "", "Please type a question about the filing, for example: " + EXAMPLES
    if len(q) > limit:
        return "", f"That question is {len(q):,} characters long; please keep it under {limit:,} characters and ask about one figure at a time."
    if not re.search(r"[A-Za-z]", q):
        return "", "I can only read questions written in English words, for example: " + EXAMPLES
    return q, ""


def not_covered(question: str) -> Optional[tuple[str, str]]:
    """A topic filings of this kind usually leave out: (what it is, the words that named it)."""
    for pat, what in glossary()["not_covered"].items():
        m = re.search(pat, question, re.I)
        if m:
            return what, m.group(0)
    return None


@lru_cache(maxsize=1)
def glossary_words() -> frozenset:
    """Words the glossary explains or rewrites ("CAGR", "ROE"): jargon, not names."""
    g = glossary()
    return frozenset(w for k in list(g["terms"]) + list(g["synonyms"]) + list(g["formulas"]) for w in re.findall(r"[a-z0-9]+", k.lower()))


def normalized(question: str, ctx: Context) -> str:
    """An earlier turn of a conversation read as a question is: chatter cut, spelling and initials
    read, nothing refused (it was answered already)."""
    text = clean_question(strip_chatter(question), 10_000)[0]
    return read_words(text, ctx)[0] if text else ""


def read_words(text: str, ctx: Context) -> tuple[str, list[str]]:
    """Misspellings and initials read as the filing's words, with a note for each."""
    text, corrected = ctx.speller.correct(text)
    text, expanded = expand_initials(text, ctx)
    return text, corrected + expanded


def expand_initials(q: str, ctx: Context) -> tuple[str, list[str]]:
    """ "NS rev": capitals the filing never writes, read as the one row label with those initials.
    "IIJs", "SIs": a possessive typed without its apostrophe, where the capitals are a name or term."""
    notes: list[str] = []

    def possessive(m: re.Match) -> str:
        caps = m.group(1).lower()
        known = caps in ctx.filing_words or caps in glossary_words() or caps in ctx.initialisms
        return f"{m.group(1)}'s" if known and m.group(0).lower() not in ctx.filing_words else m.group(0)

    q = re.sub(r"(?<![\w&'-])([A-Z]{2,5})s(?![\w&'-])", possessive, q)

    def expand(m: re.Match) -> str:
        typed = m.group(0)
        low = typed.lower()
        if low in ctx.filing_words or low in glossary_words() or low in COMMON or low not in ctx.initialisms:
            return typed
        notes.append(f"I read \u201c{typed}\u201d as \u201c{ctx.initialisms[low]}\u201d.")
        return ctx.initialisms[low]

    return re.sub(r"(?<![\w&-])[A-Z]{2,4}(?![\w&-])", expand, q), notes


@lru_cache(maxsize=1)
def _chatter() -> tuple:
    c = glossary()["chatter"]
    piece = "(?:" + "|".join(c["sentences"]) + ")"
    # A sentence of chatter may be several pieces of it ("Hi team, sorry if this is a silly question.").
    return (re.compile(c["lines"], re.I), re.compile(piece + r"(?:[\s,;:!.-]+" + piece + ")*", re.I), re.compile("^(?:" + "|".join(c["openings"]) + ")", re.I),
            re.compile("(?:" + "|".join(c["endings"]) + ")", re.I), re.compile(c["tokens"]))


def strip_chatter(q: str) -> str:
    """The question without what surrounds it in a chat (greetings, thanks, apologies, emoji, fake
    notices, SQL): whole sentences of it dropped, openings and endings cut (wording in the glossary)."""
    line_noise, sentence, opening, ending, stray = _chatter()
    q = "".join(" " if unicodedata.category(ch) in ("So", "Sk", "Cs") else ch for ch in q)
    q = stray.sub(" ", q)
    q = re.sub(r"/\*.*?\*/", " ", q)
    lines = (re.sub(r"^[\s>]+", "", line) for line in q.splitlines())  # quoted e-mail lines keep their words
    lines = [line for line in lines if not line_noise.fullmatch(line.strip())] if "\n" in q else list(lines)
    q = " ".join(s for line in lines for s in re.split(r"(?<=[.!?;])\s+|\s+(?:--|\u2013|\u2014)\s*", line)
                 if not sentence.fullmatch(s.strip(" .!,;:-~")))
    before = None
    while before != q:
        before = q
        q = ending.sub("", opening.sub("", q.strip(" \u2013\u2014-:,")))
    return re.sub(r"\s+([?!.,])", r"\1", " ".join(q.split()))


def asking(q: str) -> str:
    """The sentences that ask ("I just joined HR. How did we do?": the second), or all of them."""
    asked = [s for s in re.split(r"(?<=[.!?])\s+", q) if s.rstrip().endswith("?")]
    return " ".join(asked) if asked else q


def unknown_name(q: str, ctx: Context) -> Optional[str]:
    """A proper name the filing never mentions (another company, a place) means it cannot answer."""
    for w in re.findall(r"\b([A-Z][A-Za-z0-9&\-]+(?:\s+[A-Z][A-Za-z0-9&\-]+)*)", q):
        parts = re.findall(r"[A-Za-z0-9]+", w)
        first_word = q.strip().startswith(w)
        for p in parts:
            pl = p.lower()
            if first_word and p == parts[0]:
                continue
            if pl in ctx.filing_words or pl in COMMON or pl in STOP or pl in MONTHS or pl in glossary_words() or canonical(p).lower() != p.lower():
                continue
            if pl.endswith("s") and pl[:-1] in ctx.filing_words:
                continue  # a possessive typed without its apostrophe ("IIJs revenue")
            if re.fullmatch(r"(?:FY|CY|H|Q)?\d{2,4}|[1-4][HQ]\d{0,4}|(?:FY|H|Q)\d(?:FY)?\d{0,4}|[A-Z]{2,3}\d[\d.]*", p, re.I):
                continue  # a period ("FY2013", "1H13") or an amount ("JPY8"): not a name
            if len(p) >= 2 and (p.isupper() or p[0].isupper()):
                return w
    return None
