"""What every stage of an answer reads: the loaded index (facts, rows, passages, periods) and how
the filing names things. Built once per engine; read-only afterwards."""
from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from typing import Optional

from ingest.cells import FiscalCalendar
from schema import Fact
from settings import Settings

from . import calculator as calc
from .periods import Periods, key_of
from .roles import read_roles
from .search import Dense, PassageIndex, RowIndex, acronyms
from .spelling import Speller
from .text import tokens

EXAMPLES = "What were total revenues in the latest period?"


class AnswerError(Exception):
    """The engine could not start (index missing or unreadable); the message names the fix."""


class Context:
    def __init__(self, settings: Settings, info, embedder=None):
        from ingest.pipeline import current_info, load_records

        info = info or current_info(settings)
        if info is None:
            raise AnswerError(f"no index in {settings.index_dir}: run `python -m ingest` first.")
        self.settings, self.info = settings, info
        self.memo: dict = {}  # structures built on first use (breakdown groups), under `lock`
        self.lock = threading.Lock()
        self.facts, self.chunks, self.conflicts, self.lines = load_records(info)
        self.cal = FiscalCalendar(**json.loads((info.path / "calendar.json").read_text()))
        self.periods = Periods(self.facts, self.cal)
        self.embedder = embedder  # the settings' model when the index has vectors and none is handed in
        self.dense = self._dense(settings, info) if info.vectors else None  # records of a build still embedding: lexical only
        vocab = frozenset(t for c in self.chunks for t in tokens(c.text))
        text = "\n".join(self.lines)
        self.rows = RowIndex(self.facts, self.chunks, self.dense, vocab, acronyms(text), settings.dense_margin)
        self.passages = PassageIndex(self.chunks, self.dense)
        self.roles = read_roles(self.rows.rows)
        self.by_id = {f.id: f for f in self.facts}
        self.conflict_by_fact = {v["fact_id"]: c for c in self.conflicts for v in c["values"]}
        self.filing_words = set(re.findall(r"[a-z0-9]+", text.lower()))
        # Proper names: words the text capitalizes after a lower-case word ("... of Internet Initiative Japan Inc.").
        self.proper = {w.lower(): w for w in re.findall(r"(?<=[a-z,] )[A-Z][a-z]+(?: [A-Z][a-z]+)*", text) for w in w.split()}
        self.speller = Speller(self.filing_words, text)
        self.initialisms = initialisms(f.metric for f in self.facts)
        # Acronyms: words the filing only ever writes in capitals ("EBITDA", not "NET" of "NET INCOME").
        self.acronym_words = ({w.lower() for w in re.findall(r"\b[A-Z][A-Z&]{1,6}\b", text)}
                              - {w.lower() for w in re.findall(r"\b[A-Za-z]*[a-z][A-Za-z]*\b", text)})
        # How display writes a word: an acronym in capitals, also where it is written without its ampersand ("sga").
        self.shown = {w.replace("&", ""): w.upper() for w in self.acronym_words if "&" in w} | {w: w.upper() for w in self.acronym_words}
        currencies = [f.unit for f in self.facts if f.unit in calc.MONEY]
        self.main_currency = max(set(currencies), key=currencies.count) if currencies else ""
        self.rate = next((f for f in self.facts if "/" in f.unit and f.unit.split("/")[1] in calc.MONEY and f.unit.split("/")[0] in calc.MONEY), None)

    def _dense(self, settings: Settings, info) -> Optional[Dense]:
        from ingest.embedding import Embedder
        from ingest.pipeline import chroma_client, open_collections

        self.embedder = self.embedder or Embedder(settings.model, query_model=settings.query_model)

        def connect():
            return open_collections(chroma_client(settings, info.path / "chroma"), info)

        try:
            collections = connect()
        except Exception as e:  # lexical search still answers when the vector store is away
            self.dense_error, collections = str(e), None
        server = settings.chroma_mode == "server"
        # In server mode the store may come back later: Dense reconnects by itself.
        return Dense(collections, self.embedder, connect=connect if server else None, local=not server) if (collections is not None or server) else None

    # ------------------------------------------------------------ how the filing names things

    def name(self, f: Fact) -> str:
        name = f.metric
        if name.lower() in ("total", "others", "other", "customers", "intersegment", "elimination") and len(f.row_path) > 1:
            name = f"{f.row_path[-2]} ({name.lower()})"
        elif name.lower() in ("total", "subtotal") and f.table_title:
            name = f"{f.table_title} ({name.lower()})"
        if len(f.row_path) > 1 and f.row_path[-2].lower().startswith("total") and f.row_path[-2].lower() not in name.lower():
            name = f"{name} ({f.row_path[-2].lower().replace('total ', '')})"
        if f.qualifier and "%" not in f.qualifier and f.qualifier.lower() not in name.lower():
            name = f"{name} ({f.qualifier})"
        name = tidy_label(name)
        if f.metric.isupper():  # a shouted heading: names keep the capitals the filing gives them in its text
            name = re.sub(r"[A-Za-z]+", lambda m: self.proper.get(m.group(0).lower(), m.group(0)) if m.start() else m.group(0), name)
        return name

    def display(self, words: str) -> str:
        """Words as the filing writes them: its acronyms in capitals ("adjusted EBITDA margin"), one written
        without its ampersand as the filing writes it ("sga ratio": "SG&A ratio")."""
        return " ".join(self.shown.get(w, w) for w in words.split())

    def example(self) -> str:
        """An example question this filing can answer: its first table's first figure, main period."""
        cur = self.periods.current
        f = next((f for f in self.facts if cur and key_of(f.period) == cur and not f.qualifier and f.unit in calc.MONEY), None)
        return f"What was {tidy_label(f.metric).lower()} for {f.period.label}?" if f else EXAMPLES

    def coverage(self) -> str:
        """What the filing does cover, from its own table titles."""
        titles = list(dict.fromkeys(f.table_title for f in self.facts if not f.table_id.startswith(("text:", "note"))))
        periods = sorted({f.period.label for f in self.facts if f.period.end and not f.period.is_target and f.period.months})
        shown = "; ".join(tidy_label(t) for t in titles[:8]) + ("; and more" if len(titles) > 8 else "")
        return f"It covers: {shown}. Periods: {', '.join(periods[:6])}." if titles else "It covers the tables and narrative of this filing only."

    def has_row_for(self, words: str) -> bool:
        """A table row whose name or table holds every one of these words ("Employees", "Employees by Region")."""
        want = set(tokens(words))
        return bool(want) and any(want <= r.label | r.context for r in self.rows.rows if not r.key[0].startswith("text:"))


def initialisms(labels) -> dict:
    """"NS" for "Network Services": each row label's initials (two words or more), where only one
    label has them."""
    seen: dict = {}
    for label in set(labels):
        words = [w for w in re.findall(r"[A-Za-z]+", tidy_label(label)) if w.lower() not in ("and", "of", "the", "for", "in", "to")]
        if 2 <= len(words) <= 4:
            seen.setdefault("".join(w[0] for w in words).lower(), set()).add(" ".join(words).lower())
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


def for_period(when: str) -> str:
    """ "for 1H FY2012", but "as of September 30, 2012" as it stands."""
    return when if when.startswith("as of") else f"for {when}"


def bare(when: str) -> str:
    """ "September 30, 2012" after "from" or "to"."""
    return when[len("as of "):] if when.startswith("as of ") else when


@lru_cache(maxsize=8192)  # a row's label is tidied each time a ranking reads it
def tidy_label(s: str) -> str:
    s = re.sub(r"\s*\((?:JPY|USD)\s*/[^)]*\)", "", s)
    s = re.sub(r",\s*net of allowance.*$|—\s*\d[\d,]* shares.*$|—authorized.*$", "", s, flags=re.I)
    if s.isupper() and " " in s:  # a shouted heading ("NET INCOME"), not an acronym ("EBIT")
        s = s.capitalize()
    return s.strip()


def row_name(r) -> str:
    return tidy_label(r.first.metric)


def unit_ok(have: str, want: Optional[str]) -> bool:
    return have == want or have.split("/")[0] == want
