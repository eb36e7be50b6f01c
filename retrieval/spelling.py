"""Misspellings corrected before understanding, against the loaded filing's own words and the
glossary's (symspellpy). A word is corrected only when it is neither an English word nor one of the
filing's, and only into the one nearest filing word: where two are equally near, nothing is changed,
so a typo is never turned into a different figure's name. Every correction is said back ("I read
'revnue' as 'revenue'")."""
from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Iterable

from .text import STOP, glossary

# Words of 4+ letters in lower case, or capitalised only as a question's first word: names and
# acronyms elsewhere are left alone (an unknown name is declined, not corrected). A hyphen joins words
# that are each read ("equuity-to-assets"); a name joined so ("IIJ-Exlayer") is capitalised and left alone.
WORD = re.compile(r"(?<![\w&'])((?:^[A-Z]|[a-z])[a-z]{3,})(?![\w&]|'(?!s\b))")
CAPITAL = re.compile(r"(?<![\w&'-])[A-Z][a-z]{3,}(?![\w&'-])")
# An acronym one slip from a single filing acronym ("EBIDTA", "EBITDAA"); a known term ("EBITA") is left alone.
ACRONYM = re.compile(r"(?<![\w&'-])[A-Z]{5,8}(?![\w&'-])")
PAIRED_WORD = r"[a-z][a-z&]*"  # "sg&a ratio" is a pair of two words, as "sga ratio" is
MONTHS = ("january", "february", "march", "april", "june", "july", "august", "september", "october", "november", "december")
# A month's usual short form ("Apr-Jun 2012") is no slip: the period reader knows it.
MONTHS_SHORT = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
# A word where a date's month stands: before a day or year ("Marc 31, 2012", "Septembe 2012"), either side
# of a month range ("Apil-June", "July-Septemebr"), or after "end of" ("the end of Match"). There a slip
# is read as a month even when it is an English word.
DATE_WORD = re.compile(r"(?<![\w&'])([A-Za-z]{3,})(?![\w&'])"
                       r"(?=\s+\d{1,2}\b|\s+(?:19|20)\d\d\b|\s*[-\u2013]\s*[A-Za-z]{3,}|\W*$|\s*[?,.])")


# An English word rarer than this ("marin", "fist") may be a slip of a filing word, read so only where
# the filing word pairs with a neighbour ("net marin": "net margin") and the typed word does not.
RARE = 30_000_000


def neighbours(text: str, start: int, end: int) -> tuple[str, str]:
    """The words either side of text[start:end] that can pair with it: the nearest that are not function words."""
    before = [x.replace("&", "") for x in re.findall(PAIRED_WORD, text[:start].lower()) if x not in STOP][-1:]
    after = [x.replace("&", "") for x in re.findall(PAIRED_WORD, text[end:].lower()) if x not in STOP][:1]
    return "".join(before), "".join(after)


@lru_cache(maxsize=1)
def english() -> dict:
    """The English words of symspellpy's frequency dictionary, with their counts (a typo is a word that is not one)."""
    import symspellpy

    path = os.path.join(os.path.dirname(symspellpy.__file__), "frequency_dictionary_en_82_765.txt")
    with open(path, encoding="utf-8") as f:
        return {w: int(c) for w, c in (line.split() for line in f if line.strip())}


class Speller:
    def __init__(self, filing_words: Iterable[str], text: str = ""):
        from symspellpy import SymSpell

        g = glossary()
        phrases = list(g["terms"]) + list(g["synonyms"]) + list(g["synonyms"].values()) + list(g["formulas"])
        said = " ".join(phrases + g["question_words"])
        # Word pairs the filing and the glossary write: where two words are equally near a slip, the one that
        # makes a pair with its neighbour ("margin rato": "ratio", not "rate") is read.
        pairs = [re.findall(PAIRED_WORD, chunk) for chunk in re.split(r"[\n.;:()]", "\n".join([text] + phrases).lower())]
        self.pairs = frozenset((a.replace("&", ""), b.replace("&", "")) for ws in pairs for a, b in zip(ws, ws[1:]))
        self.domain = {w for w in filing_words if w.isalpha() and len(w) >= 3} | set(re.findall(r"[a-z]{3,}", said.lower()))
        self.sym = SymSpell(max_dictionary_edit_distance=2)
        for w in self.domain:
            self.sym.create_dictionary_entry(w, 1)
        self.known = english().keys() | self.domain
        # Capitalised words are names and left alone, except the month names a typo may hit ("Seeptember").
        self.months = SymSpell(max_dictionary_edit_distance=2)
        for m in MONTHS:
            self.months.create_dictionary_entry(m, 1)

    def nearest(self, w: str, distance: int, before: str = "", after: str = ""):
        """The one domain word nearest to w (a plural and its singular count as one), else the one of
        them that pairs with a neighbouring word as the filing writes it, else None."""
        from symspellpy import Verbosity

        found = {x.term for x in self.sym.lookup(w, Verbosity.CLOSEST, max_edit_distance=distance)}
        singular = {t for t in found if not (t.endswith("s") and t[:-1] in found)}
        if len(singular) == 1:
            return next(iter(singular))
        paired = [t for t in singular if len(t) > 3 and self.paired(t, before, after)]
        return paired[0] if len(paired) == 1 else None

    def paired(self, w: str, before: str, after: str) -> bool:
        """The filing or the glossary writes w beside one of its neighbours."""
        return (before, w) in self.pairs or (w, after) in self.pairs

    def correct(self, text: str) -> tuple[str, list[str]]:
        """The text with its misspellings corrected, and a note for each correction."""
        from symspellpy import Verbosity

        notes: list[str] = []

        def fix(m: re.Match) -> str:
            typed = m.group(1)
            w = typed.lower()
            before, after = neighbours(current, m.start(1), m.end(1))
            if w in self.domain or w in STOP:
                return typed
            if w in self.known:
                rare = english().get(w, 0) < RARE and not self.paired(w, before, after)
                term = self.nearest(w, 1, before, after) if rare else None
                if term is None or not self.paired(term, before, after):
                    return typed
            else:
                term = self.nearest(w, 1 if len(w) <= 5 else 2, before, after)
            if term is None:
                return typed  # no filing word near it, or two equally near: leave it as typed
            notes.append(f"I read \u201c{typed}\u201d as \u201c{term}\u201d.")
            return term

        def fix_month(m: re.Match) -> str:
            typed = m.group(0)
            if typed.lower() in self.known:
                return typed
            found = self.months.lookup(typed.lower(), Verbosity.CLOSEST, max_edit_distance=2)
            # A capitalised word of 5+ letters one slip from a single filing word ("Servcie") is that word; other
            # capitalised words are names, left alone (an unknown name is declined, not corrected).
            term = found[0].term if len(found) == 1 else self.nearest(typed.lower(), 1) if len(typed) >= 5 else None
            if term is None:
                return typed
            notes.append(f"I read \u201c{typed}\u201d as \u201c{term.capitalize()}\u201d.")
            return term.capitalize()

        def fix_date(m: re.Match) -> str:
            typed = m.group(1)
            w = typed.lower()
            start = m.start(1)
            placed = re.search(r"(?:-|\bend of |\bstart of )$", text[:start], re.I) or not re.match(r"\W*$|\s*[?,.]", text[m.end(1):])
            if w in MONTHS or w in MONTHS_SHORT or not placed or not (typed[0].isupper() or text[start - 1:start] == "-"):
                return typed
            found = self.months.lookup(w, Verbosity.CLOSEST, max_edit_distance=1 if len(w) <= 5 else 2)
            if len(found) != 1 or found[0].term == w:
                return typed
            notes.append(f"I read \u201c{typed}\u201d as \u201c{found[0].term.capitalize()}\u201d.")
            return found[0].term.capitalize()

        def fix_acronym(m: re.Match) -> str:
            typed = m.group(0)
            if typed.lower() in self.known:
                return typed
            term = self.nearest(typed.lower(), 1, *neighbours(current, m.start(), m.end()))
            if term is None or len(term) < 5:
                return typed
            notes.append(f"I read \u201c{typed}\u201d as \u201c{term.upper()}\u201d.")
            return term.upper()

        current = DATE_WORD.sub(fix_date, text)
        # Twice: a slip with two equally near readings is read again beside the words the first pass corrected
        # ("goss profut": "profit" first, then "gross" beside it).
        for _ in range(2):
            current = WORD.sub(fix, current)
        current = CAPITAL.sub(fix_month, current)  # before the acronyms, which read their neighbours from it
        return ACRONYM.sub(fix_acronym, current), list(dict.fromkeys(notes))  # a word slipped twice is said once
