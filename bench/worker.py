"""One measured task in a fresh Python process: `python -m bench.worker TASK ...`.

Runs in its own process so that model loading, imports and peak memory belong to the task alone.
Prints `BENCH_FIRST_ANSWER` (flushed) the moment the first answer exists, so the parent can time
start-up from the spawn, and ends with one line `BENCH_RESULT {json}`. Everything else goes to stderr.

Tasks:
  ours-ingest   ensure_index(filing -> index): cold in a fresh folder, or the re-ingest of an unchanged filing
  ours-serve    Engine on a built index: warm, first answer, then warm latency over the questions
  naive-ingest  the LangChain baseline built twice: cold (model load included), then again (it has no reuse)
  naive-serve   the baseline from scratch in a fresh process, first answer, then warm latency
  latency       paired warm latency: ours on the 1x index, the baseline, ours on the scaled index, in one
                process, taking turns question by question, so that all three meet the same machine load
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

T_START = time.perf_counter()

import settings as _settings  # noqa: E402,F401  (offline environment before any model import)
from settings import Settings  # noqa: E402

FIRST = "BENCH_FIRST_ANSWER"
RESULT = "BENCH_RESULT "
WARMUP_QUESTIONS = 5


def peak_rss_mb() -> float:
    """Peak resident set of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def dir_size_mb(path: Path) -> float:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total / (1024 * 1024)


def load_questions(path: Path, limit: int) -> list[dict]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line))
        if limit and len(out) >= limit:
            break
    return out


def _emit_first() -> None:
    sys.stdout.write(FIRST + "\n")
    sys.stdout.flush()


def _result(d: dict) -> None:
    d["process_s"] = time.perf_counter() - T_START
    d["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.write(RESULT + json.dumps(d) + "\n")
    sys.stdout.flush()


def _timed(answer, questions: list[dict]) -> list[float]:
    lat = []
    for q in questions:
        t = time.perf_counter()
        answer(q)
        lat.append(time.perf_counter() - t)
    return lat


# ---------------------------------------------------------------- ours


def ours_ingest(args) -> dict:
    from ingest.pipeline import ensure_index

    s = Settings.from_env().with_(filing=Path(args.filing), index_dir=Path(args.index))
    t = time.perf_counter()
    info = ensure_index(s)
    seconds = time.perf_counter() - t
    return {"ingest_s": seconds, "reused": info.reused, "n_facts": info.n_facts, "n_chunks": info.n_chunks,
            "n_tables": info.n_tables, "index_mb": dir_size_mb(Path(args.index)), "version_mb": dir_size_mb(info.path),
            "profile": info.profile}


def ours_serve(args) -> dict:
    t_import = time.perf_counter()
    from ingest.pipeline import current_info
    from retrieval.engine import Engine

    s = Settings.from_env().with_(filing=Path(args.filing), index_dir=Path(args.index))
    import_s = time.perf_counter() - t_import
    questions = load_questions(Path(args.questions), args.limit)
    t = time.perf_counter()
    info = current_info(s)
    engine = Engine(s, info)
    engine.warm()
    warm_s = time.perf_counter() - t
    q0 = questions[0]
    t = time.perf_counter()
    engine.answer(q0["question"], q0.get("history") or [])
    first_s = time.perf_counter() - t
    _emit_first()
    since_start_first = time.perf_counter() - T_START

    def ask(q):
        return engine.answer(q.get("question", ""), q.get("history") or [])

    for q in questions[:WARMUP_QUESTIONS]:
        ask(q)
    lat = _timed(ask, questions)
    out = {"import_s": import_s, "load_warm_s": warm_s, "first_answer_s": first_s, "in_process_first_s": since_start_first,
           "latencies_s": lat, "slowest": _slowest(lat, questions)}
    if args.breakdown:
        out["breakdown"] = breakdown(engine, questions[: args.breakdown])
    return out


def _slowest(lat: list[float], questions: list[dict], n: int = 5) -> list[dict]:
    order = sorted(range(len(lat)), key=lambda i: -lat[i])[:n]
    return [{"id": questions[i].get("id"), "ms": round(lat[i] * 1000, 1), "question": questions[i].get("question", "")[:100]} for i in order]


def _forget(engine) -> None:
    """Empties the engine's cache of question vectors, so a second pass embeds as the first did."""
    dense = engine.rows.dense
    if dense is not None:
        dense.vector.cache_clear()


def breakdown(engine, questions: list[dict]) -> dict:
    """Where an answer's time goes: query embedding, the vector search (in memory for an embedded store,
    the Chroma query for a server), and the rest (parsing the question, lexical ranking, arithmetic,
    rendering), and how many answers skip the embedding.
    Wraps the live objects, so a second pass (the vector cache emptied first)."""
    _forget(engine)
    spent = {"embed": 0.0, "search": 0.0, "embed_calls": 0, "search_calls": 0}
    dense = engine.rows.dense
    answers, embedded = (dense.answers, dense.answers_dense) if dense is not None else (0, 0)
    emb = getattr(engine, "embedder", None)
    undo = []

    def wrap(obj, name, key):
        fn = getattr(obj, name, None)
        if fn is None:
            return

        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[key] += time.perf_counter() - t
                spent[key + "_calls"] += 1

        setattr(obj, name, timed)
        undo.append((obj, name))

    if emb is not None:
        wrap(emb, "encode", "embed")  # embed_query and embed_documents go through encode
    seen = set()
    for holder in (getattr(engine, "rows", None), getattr(engine, "passages", None)):
        store = getattr(holder, "dense", None)
        if store is not None and id(store) not in seen:  # a search embeds the question (timed apart) and finds its nearest
            seen.add(id(store))
            wrap(store, "_search", "search")
    texts = []
    t0 = time.perf_counter()
    try:
        for q in questions:
            texts.append(engine.answer(q.get("question", ""), q.get("history") or []))
    finally:
        for obj, name in undo:
            try:
                delattr(obj, name)
            except AttributeError:
                pass
    total = time.perf_counter() - t0
    n = max(1, len(questions))
    skipped = (dense.answers - answers) - (dense.answers_dense - embedded) if dense is not None else len(questions)
    return {
        "n": len(questions),
        "embedding_skipped": skipped,
        "total_ms_per_answer": 1000 * total / n,
        "embed_ms_per_answer": 1000 * spent["embed"] / n,
        "embed_calls_per_answer": spent["embed_calls"] / n,
        "vector_ms_per_answer": 1000 * (spent["search"] - spent["embed"]) / n,
        "vector_calls_per_answer": spent["search_calls"] / n,
        "other_ms_per_answer": 1000 * (total - spent["search"]) / n,
    }


# ---------------------------------------------------------------- the naive baseline


def _naive_class():
    from eval.baseline import NaiveRag

    return NaiveRag


def _naive_dir(rag) -> Path | None:
    tmp = getattr(rag, "_tmp", None)
    if tmp is not None and getattr(tmp, "name", None):
        return Path(tmp.name)
    store = getattr(rag, "store", None)
    p = getattr(store, "_persist_directory", None)
    return Path(p) if p else None


def _naive_ask(rag):
    return lambda q: rag.answer_json({"id": q.get("id"), "question": q.get("question", ""), "history": q.get("history") or []})


def naive_ingest(args) -> dict:
    s = Settings.from_env().with_(filing=Path(args.filing))
    cls = _naive_class()
    t = time.perf_counter()
    rag = cls(Path(args.filing), s)
    cold = time.perf_counter() - t
    d = _naive_dir(rag)
    size = dir_size_mb(d) if d else None
    n_docs = None
    try:
        n_docs = rag.store._collection.count()
    except Exception:  # a different baseline layout: the count is informative only
        pass
    t = time.perf_counter()
    rag2 = cls(Path(args.filing), s)  # no change detection: re-ingest rebuilds everything
    again = time.perf_counter() - t
    del rag2
    return {"ingest_s": cold, "reingest_s": again, "index_mb": size, "n_chunks": n_docs}


def naive_serve(args) -> dict:
    t = time.perf_counter()
    cls = _naive_class()
    s = Settings.from_env().with_(filing=Path(args.filing))
    import_s = time.perf_counter() - t
    questions = load_questions(Path(args.questions), args.limit)
    t = time.perf_counter()
    rag = cls(Path(args.filing), s)
    build_s = time.perf_counter() - t
    ask = _naive_ask(rag)
    t = time.perf_counter()
    ask(questions[0])
    first_s = time.perf_counter() - t
    _emit_first()
    since_start_first = time.perf_counter() - T_START
    for q in questions[:WARMUP_QUESTIONS]:
        ask(q)
    lat = _timed(ask, questions)
    return {"import_s": import_s, "build_s": build_s, "first_answer_s": first_s, "in_process_first_s": since_start_first,
            "latencies_s": lat, "slowest": _slowest(lat, questions)}


def paired_latency(args) -> dict:
    from ingest.pipeline import current_info
    from retrieval.engine import Engine

    questions = load_questions(Path(args.questions), args.limit)
    base = Settings.from_env()
    s1 = base.with_(filing=Path(args.filing), index_dir=Path(args.index))
    s2 = base.with_(filing=Path(args.filing2), index_dir=Path(args.index2))
    ours1 = Engine(s1, current_info(s1))
    ours1.warm()
    oursn = Engine(s2, current_info(s2))
    oursn.warm()
    # The engine without the lexical margin (same code, FQA_DENSE_MARGIN=inf): every question naming one figure is embedded.
    always = Engine(s1.with_(dense_margin=float("inf")), current_info(s1))
    always.warm()
    rag = _naive_class()(Path(args.filing), s1)
    # The baseline's questions on one torch thread, as in every earlier run of this pairing (ours set it
    # while ours ran on torch): one short query is fastest so, and two threads stall on a busy machine.
    import torch

    torch.set_num_threads(1)
    systems = {
        "ours": lambda q: ours1.answer(q.get("question", ""), q.get("history") or []),
        "baseline": _naive_ask(rag),
        "ours_scaled": lambda q: oursn.answer(q.get("question", ""), q.get("history") or []),
        "ours_always_embed": lambda q: always.answer(q.get("question", ""), q.get("history") or []),
    }
    names = list(systems)
    for q in questions[:WARMUP_QUESTIONS]:
        for name in names:
            systems[name](q)
    for engine in (ours1, oursn, always):
        _forget(engine)  # the warm-up questions are timed again below: not from the vector cache
    lat: dict = {name: [] for name in names}
    for i, q in enumerate(questions):
        for k in range(len(names)):  # a different system goes first each time
            name = names[(i + k) % len(names)]
            t = time.perf_counter()
            systems[name](q)
            lat[name].append(time.perf_counter() - t)
    out = {"latencies_s": lat, "slowest": {name: _slowest(lat[name], questions) for name in names}}
    if args.breakdown:
        out["breakdown"] = {"ours": breakdown(ours1, questions[: args.breakdown]), "ours_scaled": breakdown(oursn, questions[: args.breakdown])}
    return out


TASKS = {"ours-ingest": ours_ingest, "ours-serve": ours_serve, "naive-ingest": naive_ingest, "naive-serve": naive_serve,
         "latency": paired_latency}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.worker")
    ap.add_argument("task", choices=sorted(TASKS))
    ap.add_argument("--filing", required=True)
    ap.add_argument("--index", default="")
    ap.add_argument("--filing2", default="", help="latency: the scaled filing")
    ap.add_argument("--index2", default="", help="latency: the scaled filing's index")
    ap.add_argument("--questions", default="")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--breakdown", type=int, default=0, help="questions for the time breakdown pass (0: none)")
    args = ap.parse_args(argv)
    _result(TASKS[args.task](args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
