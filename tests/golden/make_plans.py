"""Writes tests/golden/plans.jsonl: question -> plan (operation, program, periods), from understanding
alone. Run it after a deliberate change to understanding, then read the diff before committing it:
the golden file is the record of how each question is read."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from retrieval.understand import understand  # noqa: E402

OUT = Path(__file__).with_name("plans.jsonl")
SOURCES = [ROOT / "eval" / "questions.jsonl", ROOT / "tests" / "answer_cases.jsonl"]


def plan_record(question: str) -> dict:
    p = understand(question)
    periods = [{k: v for k, v in vars(s).items() if v not in (None, 0, False)} for s in p.periods]
    return {"question": question, "op": p.op, "program": p.program(), "periods": periods, "currency": p.currency}


def main() -> None:
    seen, rows = set(), []
    extra = Path(__file__).with_name("extra_questions.txt")
    questions = [json.loads(line)["question"] for src in SOURCES for line in src.read_text().splitlines() if line.strip()]
    questions += [q for q in extra.read_text().splitlines() if q.strip()]
    for q in questions:
        if q not in seen:
            seen.add(q)
            rows.append(plan_record(q))
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"{len(rows)} plans written to {OUT}")


if __name__ == "__main__":
    main()
