"""python -m eval --questions FILE.jsonl --answers-out OUT.jsonl [--filing PATH] [--index DIR] [--baseline]
   python -m eval --batch INDEX.jsonl --out DIR [--index-root DIR] [--hide-expected]   (many filings, one process)
   python -m eval --perturb [--questions FILE] [--out DIR]   (each question also reworded, see eval/perturb.py)

Answers each question, writes one JSON line per answer, and when lines carry `expected` scores
them: per-kind accuracy, then one last line `accuracy X/N (P%)`. A JSON report lands next to the
answers (OUT.report.json).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from settings import Settings

from .score import summarize, score_line

HERE = Path(__file__).resolve().parent
DEFAULT_QUESTIONS = HERE / "questions.jsonl"


def load_questions(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise SystemExit(f"error: {path}, line {n}: not valid JSON ({e.msg}). Each line must be one JSON object.")
    return out


def main(argv=None) -> int:
    base = Settings.from_env()
    ap = argparse.ArgumentParser(prog="python -m eval", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="questions JSONL (default: the project's own set)")
    ap.add_argument("--answers-out", type=Path, help="where to write one JSON answer per line (required without --batch)")
    ap.add_argument("--filing", type=Path, help="answer from this filing alone (ingested first)")
    ap.add_argument("--index", type=Path, help="index folder (default: the app's, or a fresh temporary one with --filing)")
    ap.add_argument("--baseline", action="store_true", help="also run the naive LangChain RAG baseline and compare")
    ap.add_argument("--batch", type=Path, metavar="INDEX.jsonl", help="answer every filing this index lists with its questions (see eval/batch.py)")
    ap.add_argument("--out", type=Path, help="--batch: folder for <uid>.jsonl answers and batch.report.json; --perturb: folder for perturb.report.json")
    ap.add_argument("--index-root", type=Path, help="--batch: folder of the filings' indexes (default OUT/index)")
    ap.add_argument("--hide-expected", action="store_true", help="--batch: answer without reading expected values")
    ap.add_argument("--perturb", action="store_true", help="ask each answerable question clean and reworded (lowercase, no "
                    "punctuation, typos, abbreviations, chatter) and print the drop per rewording (see eval/perturb.py)")
    args = ap.parse_args(argv)
    if args.perturb:
        from .perturb import DEFAULT_OUT, PERTURBATIONS, run

        return run(args.questions, args.out or DEFAULT_OUT, list(PERTURBATIONS))
    if args.batch:
        if args.out is None:
            ap.error("--batch needs --out DIR")
        from .batch import main as batch_main

        return batch_main(args.batch, args.out, args.index_root, args.hide_expected)
    if args.answers_out is None:
        ap.error("the following arguments are required: --answers-out")

    from ingest.errors import IngestError
    from ingest.pipeline import ensure_index
    from retrieval.engine import Engine

    tmp = None
    settings = base
    if args.filing:
        settings = settings.with_(filing=args.filing)
        if args.index is None:
            tmp = tempfile.TemporaryDirectory(prefix="fqa-eval-")
            settings = settings.with_(index_dir=Path(tmp.name))
    if args.index:
        settings = settings.with_(index_dir=args.index)
    questions = load_questions(args.questions)
    try:
        info = ensure_index(settings, progress=lambda m: print(m, file=sys.stderr))
    except IngestError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    engine = Engine(settings, info)
    t0 = time.perf_counter()
    rows, scores, latencies = [], [], []
    for q in questions:
        t = time.perf_counter()
        a = engine.answer(q.get("question", ""), q.get("history") or [])
        latencies.append(time.perf_counter() - t)
        out = {"id": q.get("id"), **a.to_json()}
        rows.append(out)
        if "expected" in q or "answerable" in q or "mention_any" in q or "mention_all" in q:
            scores.append(score_line(q, out))
    args.answers_out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.answers_out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    report = {"questions": str(args.questions), "filing": str(settings.filing), "n": len(rows),
              "seconds": round(time.perf_counter() - t0, 2), "latency_ms_p50": _pct(latencies, 50), "latency_ms_p95": _pct(latencies, 95)}
    if scores:
        report.update(summarize(scores))
        report["misses"] = [s for s in scores if not s["ok"]]
    if args.baseline:
        from .baseline import NaiveRag

        rag = NaiveRag(settings.filing, settings)
        b_scores = [score_line(q, rag.answer_json(q)) for q in questions if "expected" in q or "answerable" in q]
        report["baseline"] = summarize(b_scores)
        report["retrieval_hit_rate"] = {"ours": _hit_rate(questions, rows), "baseline": rag.hit_rate(questions)}
    report_path = args.answers_out.with_suffix(".report.json")
    report_path.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"answers: {args.answers_out}  report: {report_path}")
    if scores:
        for kind, k in sorted(report["by_kind"].items()):
            print(f"{kind:14s} {k['correct']}/{k['n']} ({k['pct']:.1f}%)")
        print(f"wrong numbers  {report['wrong_numbers']}/{report['n']} (a value given that is not the right one)")
        if report["misses_by_stage"]:
            print("misses by stage: " + ", ".join(f"{k} {v}" for k, v in sorted(report["misses_by_stage"].items())))
        if report["plan_accuracy"]["n"]:
            pa = report["plan_accuracy"]
            print(f"plan accuracy  {pa['correct']}/{pa['n']}")
        if args.baseline:
            b = report["baseline"]
            print(f"baseline       {b['correct']}/{b['n']} ({b['pct']:.1f}%)   retrieval hit@5 ours {report['retrieval_hit_rate']['ours']:.1%} baseline {report['retrieval_hit_rate']['baseline']:.1%}")
        print(f"accuracy {report['correct']}/{report['n']} ({report['pct']:.1f}%)")
    if tmp:
        tmp.cleanup()
    return 0


def _pct(xs: list[float], p: int) -> float:
    if not xs:
        return 0.0
    s = sorted(xs)
    return round(s[min(len(s) - 1, int(len(s) * p / 100))] * 1000, 1)


def _hit_rate(questions: list[dict], rows: list[dict]) -> float:
    from .score import expected_lines

    hits = n = 0
    for q, r in zip(questions, rows):
        lines = expected_lines(q)
        if not lines:
            continue
        n += 1
        hits += any(s.get("line") in lines for s in r["sources"][:5])
    return hits / n if n else 0.0


if __name__ == "__main__":
    sys.exit(main())
