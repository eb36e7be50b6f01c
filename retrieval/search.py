"""Hybrid retrieval: lexical coverage and BM25 over table rows and passages, dense search in Chroma,
fused by reciprocal rank."""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

from rank_bm25 import BM25Okapi

from schema import Chunk, Fact

from .text import WEAK, tokens

GENERIC_LABELS = {"total", "net", "other", "others", "subtotal", "consolidated total", "customers", "intersegment"}
RRF_K = 60


@dataclass
class RowDoc:
    key: tuple
    facts: list[Fact]
    label: set
    context: set
    phrase: str
    text: str
    chunk_id: str = ""

    @property
    def scale(self) -> float:
        s = [f.scale for f in self.facts if f.scale]
        return min(s) if s else 0.0

    @property
    def first(self) -> Fact:
        return self.facts[0]


@dataclass
class Hit:
    row: RowDoc
    score: float
    parts: dict = field(default_factory=dict)


class Dense:
    """Dense search over the Chroma collection; the query is embedded with the same model.

    The vector store may fail at query time (a Chroma server that stopped, a damaged local store).
    Then search logs once per outage, returns no hits so that lexical retrieval carries the answer,
    and tries the store again on a later call (at most every `retry_after_s` seconds, so an outage
    does not slow every answer), so dense search comes back by itself when the store does.
    `connect`, when given, returns a fresh collection and is used for those retries (and when
    `collection` is None because the store was away at start). `ok` (None before the first call),
    `failures`, `recoveries` and `last_error` say how the store calls went.
    """

    retry_after_s = 2.0

    def __init__(self, collection, embedder, connect=None):
        import threading

        self.collection = collection
        self.embedder = embedder
        self.connect = connect
        self.ok: Optional[bool] = None
        self.calls = 0
        self.failures = 0
        self.recoveries = 0
        self.last_error = ""
        self._failed_at: Optional[float] = None
        self._lock = threading.Lock()
        self._local = threading.local()

    def begin(self) -> None:
        """Within one answer the same query is searched once (an answer asks for several figures)."""
        self._local.memo = {}

    def end(self) -> None:
        self._local.memo = None

    def search(self, text: str, n: int, kind: str) -> list[tuple[str, float]]:
        memo = getattr(self._local, "memo", None)
        if memo is not None and (text, n, kind) in memo:
            return memo[(text, n, kind)]
        hits = self._search(text, n, kind)
        if memo is not None and self.ok:
            memo[(text, n, kind)] = hits
        return hits

    def _search(self, text: str, n: int, kind: str) -> list[tuple[str, float]]:
        import time

        with self._lock:
            self.calls += 1
            failed_at, collection = self._failed_at, self.collection
        if failed_at is not None and time.monotonic() - failed_at < self.retry_after_s:
            return []  # still within the back-off after a failure: lexical search only
        memo = getattr(self._local, "memo", None)
        vec = memo.get(("vec", text)) if memo is not None else None
        if vec is None:
            vec = self.embedder.embed_query(text)
            if memo is not None:
                memo[("vec", text)] = vec
        try:
            if collection is None or (failed_at is not None and self.connect is not None):
                if self.connect is None:
                    raise RuntimeError("no vector collection")
                collection = self.connect()
            res = collection.query(query_embeddings=[vec], n_results=n, where={"kind": kind}, include=["distances"])
            hits = [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0])]
        except Exception as e:  # noqa: BLE001 (any store failure: the answer goes on without dense hits)
            self._failed(e)
            return []
        self._succeeded(collection)
        return hits

    def _failed(self, e: Exception) -> None:
        import logging
        import time

        with self._lock:
            first = self.ok is not False
            self.ok = False
            self.failures += 1
            self.last_error = f"{type(e).__name__}: {e}"[:500]
            self._failed_at = time.monotonic()
        if first:
            logging.getLogger("filing-qa.search").warning(
                "dense search failed (%s); answering with lexical search only and retrying the vector store every %.0f s",
                self.last_error, self.retry_after_s)

    def _succeeded(self, collection) -> None:
        import logging

        with self._lock:
            back = self.ok is False
            self.ok = True
            self.collection = collection
            self._failed_at = None
            if back:
                self.recoveries += 1
        if back:
            logging.getLogger("filing-qa.search").warning("dense search works again")


class RowIndex:
    def __init__(self, facts: list[Fact], chunks: list[Chunk], dense: Optional[Dense] = None, vocabulary: frozenset = frozenset(),
                 acronyms: Optional[dict] = None):
        self.vocabulary = vocabulary
        self.acronyms = acronyms or {}
        # The company's own name (an acronym used all through the text, "IIJ") says little about a figure.
        texts = [c.text for c in chunks if c.kind == "text"]
        acronyms = Counter(w.lower() for t in texts for w in set(re.findall(r"\b[A-Z][A-Z0-9]{1,5}\b", t)))
        self.common = {w for w, c in acronyms.items() if texts and c / len(texts) > 0.15}
        groups: dict[tuple, list[Fact]] = {}
        for f in facts:
            # One row per table and row path: a transposed table prints each period on its own line.
            groups.setdefault((f.table_id, tuple(f.row_path)), []).append(f)
        by_fact = {fid: c for c in chunks if c.kind == "table_row" for fid in c.fact_ids}
        self.rows: list[RowDoc] = []
        for key, fs in groups.items():
            f0 = fs[0]
            # "Accounts receivable, net of allowance ... of JPY 107,919 thousand ...": the name is the head.
            label_words = re.split(r",|\u2014|\u2013| - ", f0.metric)[0] if re.search(r"\d", f0.metric) else f0.metric
            if f0.metric.lower().strip() in GENERIC_LABELS and len(f0.row_path) > 1:
                label_words = f0.row_path[-2] + " " + f0.metric
            label_words = self._abbreviate(label_words)
            label = set(tokens(label_words))
            ctx = set(tokens(self._abbreviate(" ".join(f0.row_path[:-1]) + " " + f0.table_title + " " + " ".join(f.qualifier for f in fs))))
            chunk = by_fact.get(f0.id)
            text = chunk.text if chunk else f"{f0.table_title} | {' > '.join(f0.row_path)}"
            self.rows.append(RowDoc(key, fs, label, ctx, " ".join(tokens(label_words)), text, chunk.id if chunk else ""))
        self.by_chunk = {r.chunk_id: r for r in self.rows if r.chunk_id}
        # Rows by word: a row sharing no word with the question scores zero, so it is never scored.
        self.postings: dict[str, list[int]] = {}
        for i, r in enumerate(self.rows):
            for t in r.label | r.context:
                self.postings.setdefault(t, []).append(i)
        docs = [list(r.label) + list(r.context) for r in self.rows]
        n = len(docs)
        df = Counter(t for d in docs for t in set(d))
        self.idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self.bm25 = BM25Okapi(docs) if docs else None
        self.dense = dense

    def _abbreviate(self, text: str) -> str:
        """Writes a name the filing abbreviates ("Internet Initiative Japan Inc.") as its acronym ("IIJ")."""
        for long, short in self.acronyms.items():
            text = re.sub(re.escape(long) + r"(?:,?\s+(?:Inc|Corp|Co|Ltd|plc|AG|GmbH|SA)\.?)?", short, text, flags=re.I)
        return text

    def weight(self, t: str) -> float:
        """idf over table rows. A word no row has counts fully when the filing uses it elsewhere
        (the question names something the tables do not break out); a word the filing never uses
        (a verb like "generate") counts little."""
        if t in self.idf:
            w = self.idf[t]
        elif t in self.vocabulary:
            w = math.log(1 + len(self.rows))
        else:
            w = 0.5
        return w * (0.1 if t in self.common else 0.3 if t in WEAK else 1.0)

    def known(self, t: str) -> bool:
        return t in self.idf

    def rank(self, metric: str, question: str = "", k: int = 25, where=None) -> list[Hit]:
        q = list(dict.fromkeys(tokens(metric)))
        if not q:
            return []
        near = sorted({i for t in q for i in self.postings.get(t, ())})
        rows = [self.rows[i] for i in near if where is None or where(self.rows[i])]
        if not rows:
            return []
        qw = sum(self.weight(t) for t in q)
        scored = []
        for r in rows:
            both = r.label | r.context
            q_cov = sum(self.weight(t) for t in q if t in both) / qw
            lw = sum(self.weight(t) for t in r.label) or 1.0
            l_cov = sum(self.weight(t) for t in r.label if t in q) / lw
            phrase = 0.05 if r.phrase and f" {r.phrase} " in f" {' '.join(q)} " else 0.0
            # A figure read from a sentence serves only when no table row says it as well.
            prose = 0.12 if r.key[0].startswith("text:") else 0.0
            scored.append((0.62 * q_cov + 0.38 * l_cov + phrase - prose, q_cov, r))
        scored.sort(key=lambda x: -x[0])
        fused = self._fuse(scored, q, question or metric, rows)
        return fused[:k]

    def _fuse(self, scored, q, question, rows) -> list[Hit]:
        """Adds reciprocal-rank bonuses from BM25 and dense search to the coverage score."""
        bonus: dict[int, float] = {}
        if self.bm25 is not None:
            allowed = {id(r) for r in rows}
            bm = self.bm25.get_scores(q)
            order = sorted((i for i in range(len(self.rows)) if id(self.rows[i]) in allowed), key=lambda i: -bm[i])[:30]
            for rank, i in enumerate(order):
                if bm[i] > 0:
                    bonus[id(self.rows[i])] = bonus.get(id(self.rows[i]), 0) + 1 / (RRF_K + rank)
        if self.dense is not None:
            for rank, (cid, _sim) in enumerate(self.dense.search(question, 30, "table_row")):
                r = self.by_chunk.get(cid)
                if r is not None:
                    bonus[id(r)] = bonus.get(id(r), 0) + 1 / (RRF_K + rank)
        hits = [Hit(r, s + 1.5 * bonus.get(id(r), 0.0), {"coverage": s, "q_cov": qc}) for s, qc, r in scored[:200]]
        hits.sort(key=lambda h: -h.score)
        return hits


class PassageIndex:
    """Narrative passages for "why" questions and for the nearest thing the filing says."""

    def __init__(self, chunks: Iterable[Chunk], dense: Optional[Dense] = None):
        self.chunks = [c for c in chunks if c.kind == "text"]
        self.by_id = {c.id: c for c in self.chunks}
        self.bm25 = BM25Okapi([tokens(c.text) for c in self.chunks]) if self.chunks else None
        self.dense = dense

    def search(self, question: str, k: int = 3, extra: tuple = ()) -> list[Chunk]:
        if not self.chunks:
            return []
        scores: dict[str, float] = {}
        q = tokens(question) + list(extra)
        if q and self.bm25 is not None:
            bm = self.bm25.get_scores(q)
            for rank, i in enumerate(sorted(range(len(self.chunks)), key=lambda i: -bm[i])[:20]):
                if bm[i] > 0:
                    scores[self.chunks[i].id] = scores.get(self.chunks[i].id, 0) + 1 / (RRF_K + rank)
        if self.dense is not None:
            for rank, (cid, _s) in enumerate(self.dense.search(question, 20, "text")):
                if cid in self.by_id:
                    scores[cid] = scores.get(cid, 0) + 1 / (RRF_K + rank)
        return [self.by_id[c] for c in sorted(scores, key=lambda c: -scores[c])[:k]]


def acronyms(text: str) -> dict[str, str]:
    """Names the filing abbreviates: 'Internet Initiative Japan Inc. ("IIJ"' gives {"Internet Initiative Japan": "IIJ"}."""
    out = {}
    for m in re.finditer(r"((?:[A-Z][\w&]*\s+){1,6}?[A-Z][\w&]*)(?:,?\s+(?:Inc|Corp|Co|Ltd|plc|AG|GmbH|SA)\.?)?\s*\(\s*[\"\u201c]?([A-Z]{2,6})[\"\u201d]?", text):
        long, short = m.group(1).strip(), m.group(2)
        initials = "".join(w[0] for w in long.split()).upper()
        if initials.endswith(short) or initials == short:
            words = long.split()[-len(short):] if len(long.split()) >= len(short) else long.split()
            out[" ".join(words)] = short
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"(])", text) if s.strip()]
