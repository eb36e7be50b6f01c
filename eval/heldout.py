"""python -m eval.heldout [SET.jsonl ...] [--out DIR]

Scores the held-out question sets in eval/sets/ (never tuned on): each line names its filing
(`filing`, looked up in data/ and tests/fixtures/filings/; IIJ when absent), so the questions are
split by filing and answered through the batch runner, one process, each filing's index built once
under DIR/index. Prints accuracy and wrong numbers per set and per kind.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from settings import Settings

from .batch import Context, run_context
from .score import summarize

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "eval" / "sets"
FILING_DIRS = (ROOT / "data", ROOT / "tests" / "fixtures" / "filings")
DEFAULT_FILING = "iij_1h_fy2012.txt"


def find_filing(name: str) -> Path:
    for d in FILING_DIRS:
        if (d / name).is_file():
            return d / name
    raise SystemExit(f"error: filing {name!r} is in none of {', '.join(str(d) for d in FILING_DIRS)}; "
                     "put it in one of them or correct the question's `filing`.")


def score_set(path: Path, out: Path, base: Settings) -> dict:
    by_filing: dict[str, list[str]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            by_filing[json.loads(line).get("filing") or DEFAULT_FILING].append(line)
    scores = []
    for name, lines in sorted(by_filing.items()):
        uid = f"{path.stem}-{Path(name).stem}"
        qfile = out / f"{uid}.questions.jsonl"
        qfile.write_text("\n".join(lines) + "\n", encoding="utf-8")
        res = run_context(Context(uid, find_filing(name), qfile), out, out / "index" / Path(name).stem, base, False)
        if res.error:
            print(f"{uid}: {res.error[:200]}", file=sys.stderr)
        scores += res.scores
    report = summarize(scores)
    report["misses"] = [s for s in scores if not s["ok"]]
    (out / f"{path.stem}.report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.heldout", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="*", type=Path, help="question sets (default: every eval/sets/*.jsonl)")
    ap.add_argument("--out", type=Path, default=Path("/tmp/fqa-heldout"), help="answers, reports and indexes")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    base = Settings.from_env()
    for path in args.sets or sorted(SETS.glob("*.jsonl")):
        r = score_set(path, args.out, base)
        kinds = ", ".join(f"{k} {v['correct']}/{v['n']}" for k, v in sorted(r["by_kind"].items()))
        print(f"{path.stem}: {r['correct']}/{r['n']} ({r['pct']:.1f}%), wrong numbers {r['wrong_numbers']}  [{kinds}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
