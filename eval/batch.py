"""python -m eval --batch INDEX.jsonl --out DIR [--index-root DIR] [--hide-expected]

Answers many filings, each with its own question file, in one process: the embedding model loads
once, each filing's index is built (or reused) under --index-root (default DIR/index/<uid>), and
the answers go to DIR/<uid>.jsonl, one line per question in the eval contract, as one
`python -m eval --filing F --questions Q --answers-out DIR/<uid>.jsonl` run per filing would
write them. INDEX.jsonl holds one context per line: {"uid", "filing", "questions"}, paths relative
to the INDEX file's folder. A filing that cannot be read is reported and skipped; the others run.
DIR/batch.report.json records every context's counts, seconds and any error; the last line
printed is `batch: X/N contexts answered, Q questions in S s`, preceded by `accuracy X/N (P%)`
with this project's own tolerances when the questions carry expected values.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

from settings import Settings

from .score import score_line, summarize


@dataclass
class Context:
    """One filing and its questions, as INDEX.jsonl lists them."""

    uid: str
    filing: Path
    questions: Path


@dataclass
class ContextResult:
    uid: str
    n_questions: int = 0
    answered: int = 0
    index_seconds: float = 0.0
    answer_seconds: float = 0.0
    index_reused: bool = False
    error: str = ""
    scores: list = field(default_factory=list, repr=False)


def read_contexts(index: Path) -> list[Context]:
    base = index.resolve().parent
    out = []
    for n, line in enumerate(index.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(Context(str(d["uid"]), base / d["filing"], base / d["questions"]))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise SystemExit(f"error: {index}, line {n}: not a context ({e}). Each line must be "
                             '{"uid": ..., "filing": ..., "questions": ...}.')
    return out


def read_questions(path: Path, hide_expected: bool) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}, line {n}: not valid JSON ({e.msg})") from e
        if hide_expected:
            q.pop("expected", None)
        out.append(q)
    return out


def run_context(ctx: Context, out_dir: Path, index_root: Path, base: Settings, hide_expected: bool) -> ContextResult:
    """Ingests (or reuses) one filing's index, answers its questions and writes OUT/<uid>.jsonl."""
    from ingest.errors import IngestError
    from ingest.pipeline import ensure_index
    from retrieval.engine import Engine

    res = ContextResult(ctx.uid)
    settings = base.with_(filing=ctx.filing, index_dir=index_root / ctx.uid)
    try:
        questions = read_questions(ctx.questions, hide_expected)
        res.n_questions = len(questions)
        t0 = time.perf_counter()
        info = ensure_index(settings)
        res.index_seconds, res.index_reused = round(time.perf_counter() - t0, 2), info.reused
    except (IngestError, OSError, ValueError) as e:
        res.error = str(e)
        return res
    engine = Engine(settings, info)
    t0 = time.perf_counter()
    rows = []
    for q in questions:
        try:
            a = engine.answer(q.get("question", ""), q.get("history") or [])
            row = {"id": q.get("id"), **a.to_json()}
        except Exception as e:  # noqa: BLE001 (one question's failure must not lose the filing's other answers)
            row = {"id": q.get("id"), "answer": f"error: {type(e).__name__}: {e}", "value": None, "unit": None,
                   "answerable": False, "sources": [], "calculation": ""}
            res.error = res.error or f"question {q.get('id')}: {type(e).__name__}: {e}"
        rows.append(row)
        if "expected" in q or "answerable" in q or "mention_any" in q or "mention_all" in q:
            res.scores.append(score_line(q, row))
    res.answer_seconds = round(time.perf_counter() - t0, 2)
    res.answered = sum(1 for r in rows if not str(r.get("answer", "")).startswith("error: "))
    with open(out_dir / f"{ctx.uid}.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return res


def main(index: Path, out_dir: Path, index_root: Optional[Path] = None, hide_expected: bool = False) -> int:
    contexts = read_contexts(index)
    out_dir.mkdir(parents=True, exist_ok=True)
    index_root = index_root or out_dir / "index"
    base = Settings.from_env()
    t0 = time.perf_counter()
    results = []
    for i, ctx in enumerate(contexts, 1):
        res = run_context(ctx, out_dir, index_root, base, hide_expected)
        results.append(res)
        status = f"error: {res.error[:160]}" if res.error else \
            f"{res.answered}/{res.n_questions} answered, index {'reused' if res.index_reused else 'built'} " \
            f"{res.index_seconds:.1f} s, answers {res.answer_seconds:.1f} s"
        print(f"[{i}/{len(contexts)}] {ctx.uid}: {status}", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - t0
    scores = [s for r in results for s in r.scores]
    report = {"index": str(index), "out": str(out_dir), "contexts": len(contexts),
              "answered_contexts": sum(1 for r in results if r.answered), "seconds": round(seconds, 1),
              "results": [{k: v for k, v in asdict(r).items() if k != "scores"} for r in results]}
    if scores:
        report.update(summarize(scores))
    (out_dir / "batch.report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    if scores:
        print(f"accuracy {report['correct']}/{report['n']} ({report['pct']:.1f}%)")
    n_q = sum(r.n_questions for r in results)
    print(f"batch: {report['answered_contexts']}/{len(contexts)} contexts answered, {n_q} questions in {seconds:.0f} s "
          f"(answers in {out_dir}, report {out_dir / 'batch.report.json'})")
    return 0 if all(not r.error for r in results) else 1
