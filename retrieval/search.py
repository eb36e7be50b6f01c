"""Hybrid retrieval: lexical coverage and BM25 over table rows and passages, dense search in Chroma,
fused by reciprocal rank."""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional

import numpy as np
from rank_bm25 import BM25Okapi

from schema import Chunk, Fact

from .text import WEAK, tokens

GENERIC_LABELS = {"total", "net", "other", "others", "subtotal", "consolidated total", "customers", "intersegment"}
RRF_K = 60
COST_WORDS = {"cost", "expense", "spend", "spent", "pay", "paid"}
FUSE_WEIGHT = 1.5  # how much the BM25 and dense reciprocal ranks add to the coverage score
QUERY_CACHE = 256  # question vectors kept: repeated questions and the app's examples
# A kind with at most this many vectors in an embedded store is searched exactly in memory: a product
# over one filing's few thousand vectors takes a tenth of a millisecond, the store's query about one.
LOCAL_MAX = 50_000
EMPTY = np.zeros(0, dtype=np.int64)


@dataclass
class RowDoc:
    key: tuple
    facts: list[Fact]
    label: set
    context: set
    phrase: str
    text: str
    chunk_id: str = ""
    parents: set = field(default_factory=set)  # the words of the headings above the row (context without the title)

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
    """Dense search over the Chroma collections (one per kind of passage); the query is embedded with the same model.

    The vector store may fail at query time (a Chroma server that stopped, a damaged local store).
    Then search logs once per outage, returns no hits so that lexical retrieval carries the answer,
    and tries the store again on a later call (at most every `retry_after_s` seconds, so an outage
    does not slow every answer), so dense search comes back by itself when the store does.
    `connect`, when given, returns fresh collections by kind and is used for those retries (and when
    `collections` is None because the store was away at start). `ok` (None before the first call),
    `failures`, `recoveries` and `last_error` say how the store calls went.
    `local` (an embedded store) reads each kind's vectors once and searches them exactly in memory,
    up to LOCAL_MAX of them; a server's collections are always queried there.
    """

    retry_after_s = 2.0

    def __init__(self, collections: Optional[dict], embedder, connect=None, cache_size: int = QUERY_CACHE,
                 local: bool = False):
        import threading

        self.collections = collections
        self.local = local
        self._matrices: dict = {}  # kind -> (ids, vectors), or None where the kind is too large to hold
        self.embedder = embedder
        # Keyed by the exact text the model sees; a hit costs no model call.
        self.vector = lru_cache(maxsize=cache_size)(embedder.embed_query)
        self.connect = connect
        self.answers = 0  # answers begun, and how many of them searched by meaning (the rest skipped the embedding)
        self.answers_dense = 0
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
        self._local.used = False

    def end(self) -> None:
        with self._lock:
            self.answers += 1
            self.answers_dense += self._local.used
        self._local.memo = None

    def warm(self) -> None:
        """Opens each collection's vectors now, not in the first answer that needs them."""
        for kind in (self.collections or {}):
            self.search("warm up", 1, kind)

    def search(self, text: str, n: int, kind: str) -> list[tuple[str, float]]:
        self._local.used = True
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
            failed_at, collections = self._failed_at, self.collections
        if failed_at is not None and time.monotonic() - failed_at < self.retry_after_s:
            return []  # still within the back-off after a failure: lexical search only
        vec = self.vector(text)
        try:
            if collections is None or (failed_at is not None and self.connect is not None):
                if self.connect is None:
                    raise RuntimeError("no vector collection")
                collections = self.connect()
            held = self._held(collections, kind) if self.local else None
            if held is not None:
                hits = _nearest(*held, np.asarray(vec, dtype=np.float32), n)
            else:
                res = collections[kind].query(query_embeddings=[vec], n_results=n, include=["distances"])
                hits = [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0])]
        except Exception as e:  # noqa: BLE001 (any store failure: the answer goes on without dense hits)
            self._failed(e)
            return []
        self._succeeded(collections)
        return hits

    def _held(self, collections: dict, kind: str):
        """A kind's ids and vectors, read from the store on first use (None: too many to hold)."""
        with self._lock:
            if kind not in self._matrices:
                col = collections[kind]
                got = col.get(include=["embeddings"]) if col.count() <= LOCAL_MAX else None
                self._matrices[kind] = (got["ids"], np.asarray(got["embeddings"], dtype=np.float32)) if got else None
            return self._matrices[kind]

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

    def _succeeded(self, collections: dict) -> None:
        import logging

        with self._lock:
            back = self.ok is False
            self.ok = True
            self.collections = collections
            self._failed_at = None
            if back:
                self.recoveries += 1
        if back:
            logging.getLogger("filing-qa.search").warning("dense search works again")


def _nearest(ids: list[str], vectors: np.ndarray, vec: np.ndarray, n: int) -> list[tuple[str, float]]:
    """The n vectors of highest cosine (all are normalised), best first, as (id, similarity)."""
    if not ids:
        return []
    sims = vectors @ vec
    best = np.argsort(-sims, kind="stable")[:n] if len(ids) <= 4 * n else None
    if best is None:
        part = np.argpartition(-sims, n)[:n]
        best = part[np.argsort(-sims[part], kind="stable")]
    return [(ids[i], float(sims[i])) for i in best]


class RowIndex:
    def __init__(self, facts: list[Fact], chunks: list[Chunk], dense: Optional[Dense] = None, vocabulary: frozenset = frozenset(),
                 acronyms: Optional[dict] = None, margin: float = math.inf):
        self.vocabulary = vocabulary
        self.margin = margin  # lexical lead of the best row that makes dense search needless (Settings.dense_margin)
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
            elif f0.metric.lower().strip() in ("total", "subtotal") and not f0.table_id.startswith("text:"):
                label_words = f0.table_title + " " + f0.metric  # "Total" of "Employees by Region": the total of employees
            label_words = self._abbreviate(label_words)
            label = set(tokens(label_words))
            parents = set(tokens(self._abbreviate(" ".join(f0.row_path[:-1]) + " " + " ".join(f.qualifier for f in fs))))
            ctx = parents | set(tokens(self._abbreviate(f0.table_title)))
            if all(f.unit.endswith("/share") for f in fs):
                ctx |= set(tokens("per share"))  # a share price row's label rarely says so ("First Quarter")
            chunk = by_fact.get(f0.id)
            text = chunk.text if chunk else f"{f0.table_title} | {' > '.join(f0.row_path)}"
            self.rows.append(RowDoc(key, fs, label, ctx, " ".join(tokens(label_words)), text, chunk.id if chunk else "", parents))
        self.by_chunk = {r.chunk_id: i for i, r in enumerate(self.rows) if r.chunk_id}
        docs = [list(r.label) + list(r.context) for r in self.rows]
        self.terms = Terms(docs)
        df = {t: len(ix) for t, ix in self.terms.postings.items()}
        self.idf = {t: math.log(1 + len(docs) / c) for t, c in df.items()}
        # Per-row figures that do not depend on the question, so ranking is array arithmetic
        # over the rows that share a word with it, not a Python loop over every row.
        self.in_label = {t: np.array(sorted(i for i in ix if t in self.rows[i].label), dtype=np.int64) for t, ix in self.terms.postings.items()}
        self.label_n = np.array([len(r.label) for r in self.rows], dtype=np.int64)
        self.label_w = np.array([sum(self.weight(t) for t in r.label) or 1.0 for r in self.rows])
        self.prose = np.array([0.12 if r.key[0].startswith("text:") else 0.0 for r in self.rows])
        # "Other" lines answer only a question that says "other".
        self.other = np.array([0.1 if r.first.metric.lower().strip(" -—:") in ("other", "others", "other-net", "other, net") else 0.0 for r in self.rows])
        # Rows filed under costs ("Cost of revenues > Equipment sales") beside a same-named revenue row.
        self.cost_side = np.array([0.02 if COST_WORDS & (r.context - r.label) else 0.0 for r in self.rows])
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

    def rank(self, metric: str, question: str = "", k: int = 25, where=None, dense: bool = True) -> list[Hit]:
        q = list(dict.fromkeys(tokens(metric)))
        if not q or not self.rows:
            return []
        n = len(self.rows)
        q_w, l_w, l_n = np.zeros(n), np.zeros(n), np.zeros(n, dtype=np.int64)
        for t in q:
            w = self.weight(t)
            q_w[self.terms.postings.get(t, EMPTY)] += w
            lab = self.in_label.get(t, EMPTY)
            l_w[lab] += w
            l_n[lab] += 1
        near = np.flatnonzero(q_w)  # a row sharing no word with the question scores zero, so it is never scored
        if not len(near):
            return []
        total = sum(self.weight(t) for t in q)
        q_cov = q_w[near] / total
        # A figure read from a sentence serves only when no table row says it as well (the prose term).
        # Of two rows covering the question, the one whose own label says more of it ("Total cost and
        # expenses" over "Total cost" under a "Cost and expenses" heading) comes first.
        score = 0.62 * q_cov + 0.38 * l_w[near] / self.label_w[near] - self.prose[near]
        own = 0.04 * l_w[near] / total  # orders rows only: a row's coverage of the question stays as it was
        if not COST_WORDS & set(q):
            score -= self.cost_side[near]  # a question that does not speak of costs means the revenue side
        if "other" not in q:
            score -= self.other[near]
        # The label said word for word in the question: a small bonus. Only rows whose every label
        # word is in the question can say it.
        said = f" {' '.join(q)} "
        for j in np.flatnonzero(l_n[near] == self.label_n[near]):
            r = self.rows[near[j]]
            if r.phrase and f" {r.phrase} " in said:
                score[j] += 0.05
        allowed: dict[int, bool] = {}

        def ok(i: int) -> bool:
            if i not in allowed:
                allowed[i] = where is None or bool(where(self.rows[i]))
            return allowed[i]

        top = self._first(near, score + own, q_cov, own, ok, k)
        if not top:
            return []
        return self._fuse(top, q, question or metric, near, ok, dense)[:k]

    @staticmethod
    def _first(near, score, q_cov, own, ok, k: int) -> list[tuple]:
        """The best-scored allowed rows, as (score, q_cov, row index, own-label share of the score): the
        first 200, or fewer once a row scores too low to reach the top k even with the largest fusion bonus."""
        out: list[tuple] = []
        for j in np.argsort(-score, kind="stable"):
            if len(out) == 200 or (len(out) >= k and score[j] < out[k - 1][0] - FUSE_WEIGHT * 2 / RRF_K):
                break
            if ok(int(near[j])):
                out.append((score[j], q_cov[j], int(near[j]), own[j]))
        return out

    def _fuse(self, top, q, question, near, ok, dense: bool = True) -> list[Hit]:
        """Adds reciprocal-rank bonuses from BM25 and dense search to the coverage score."""
        bonus: dict[int, float] = {}
        bm = self.terms.bm25(q)[near]
        rank = 0
        for j in np.argsort(-bm, kind="stable"):
            if rank == 30 or bm[j] <= 0:
                break
            if ok(int(near[j])):
                bonus[int(near[j])] = 1 / (RRF_K + rank)
                rank += 1
        if self.dense is not None and dense and not self._decisive(top, bonus):
            for rank, (cid, _sim) in enumerate(self.dense.search(question, 30, "table_row")):
                i = self.by_chunk.get(cid)
                if i is not None:
                    bonus[i] = bonus.get(i, 0) + 1 / (RRF_K + rank)
        hits = [Hit(self.rows[i], float(s) + FUSE_WEIGHT * bonus.get(i, 0.0), {"coverage": float(s - lb), "q_cov": float(qc)}) for s, qc, i, lb in top]
        hits.sort(key=lambda h: -h.score)
        return hits

    def _decisive(self, top: list[tuple], bonus: dict[int, float]) -> bool:
        """The words alone put one figure ahead by the margin, so the question's embedding (most of an
        answer's time) is not computed. Rows close behind the best that give the same figure for other
        periods do not count (see same_figure)."""
        lexical = sorted(((float(s) + FUSE_WEIGHT * bonus.get(i, 0.0), i) for s, _qc, i, _lb in top), reverse=True)
        best = self.rows[lexical[0][1]]
        return all(s <= lexical[0][0] - self.margin or same_figure(best, self.rows[i]) for s, i in lexical[1:])


def same_figure(a: RowDoc, b: RowDoc) -> bool:
    """Two rows of one figure: the same name and unit, and no period in common (one table gives the halves,
    another the quarters: the period asked chooses between them, not the question's meaning) or the
    same values in another scale. Copies in one scale stay rivals: dense search picks the one cited."""
    if a.label != b.label or not {f.unit for f in a.facts} & {f.unit for f in b.facts}:
        return False
    theirs = {(f.period.label, f.unit): f for f in b.facts}
    shared = [(f, theirs[(f.period.label, f.unit)]) for f in a.facts if (f.period.label, f.unit) in theirs]
    # Copies in different scales (the income statement's line in thousands, the summary's in millions):
    # the resolver takes the finer copy whichever ranks first.
    return all(x.scale != y.scale and abs(x.value - y.value) <= max(x.scale or 1, y.scale or 1) * 1.01 for x, y in shared)


class Terms:
    """Which documents hold each word, with each word's BM25 (Okapi) weight in each of them, so that a
    query touches only the documents that share a word with it. Scores equal rank_bm25's get_scores."""

    def __init__(self, docs: list[list[str]]):
        self.n = len(docs)
        bm = BM25Okapi(docs) if docs else None
        self.postings: dict[str, np.ndarray] = {}
        self.weights: dict[str, np.ndarray] = {}
        if bm is None:
            return
        where: dict[str, list[int]] = {}
        for i, freqs in enumerate(bm.doc_freqs):
            for t in freqs:
                where.setdefault(t, []).append(i)
        norm = bm.k1 * (1 - bm.b + bm.b * np.array(bm.doc_len, dtype=float) / bm.avgdl)
        for t, ix in where.items():
            idx = np.array(ix, dtype=np.int64)
            tf = np.array([bm.doc_freqs[i][t] for i in ix], dtype=float)
            self.postings[t] = idx
            self.weights[t] = bm.idf[t] * tf * (bm.k1 + 1) / (tf + norm[idx])

    def bm25(self, query: list[str]) -> np.ndarray:
        score = np.zeros(self.n)
        for t in query:
            if t in self.postings:
                score[self.postings[t]] += self.weights[t]
        return score


class PassageIndex:
    """Narrative passages for "why" questions and for the nearest thing the filing says."""

    def __init__(self, chunks: Iterable[Chunk], dense: Optional[Dense] = None):
        self.chunks = [c for c in chunks if c.kind == "text"]
        self.by_id = {c.id: c for c in self.chunks}
        self.terms = Terms([tokens(c.text) for c in self.chunks])
        self.dense = dense

    def search(self, question: str, k: int = 3, extra: tuple = ()) -> list[Chunk]:
        if not self.chunks:
            return []
        scores: dict[str, float] = {}
        q = tokens(question) + list(extra)
        if q:
            bm = self.terms.bm25(q)
            for rank, i in enumerate(np.argsort(-bm, kind="stable")[:20]):
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
