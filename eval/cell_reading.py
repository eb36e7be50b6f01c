"""python -m eval.cell_reading [CORPUS_DIR] [--verbose] [--json OUT]

How well ingest reads the table cells a question set's gold derivations use, without the
answer engine. CORPUS_DIR holds TAT-QA-style material: index.jsonl (uid, filing,
questions), gold.jsonl (per question: unit, scale multiplier, operation, cells) and the
filings. For every question whose cells include a cell printed in one of its filing's
tables, each such cell must be among that filing's facts with

  - the right value in whole units: the printed number times the question's scale
    (gold "mult") when the answer is in the cells' own unit (a look-up, change,
    difference, sum or average of money, counts or percentages);
  - the right unit: the answer's currency ("USD/share" for per-share money), "%" for
    percentages, no currency for counts; where the answer is a ratio or percentage
    of other figures (its unit says nothing of the cells') a known unit and scale;
  - a dated period; for a look-up naming one year, a period in that year.

Prints the share of such questions whose cells are all read right and the failures by
class; the last line is `cells read right: X/N questions (P%)`.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ingest.cells import parse_number
from ingest.parser import parse_filing

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "tatqa-test"
# Operations whose answer is in the unit of the cells it uses.
SAME_UNIT_OPS = {"lookup", "change", "difference", "sum", "average"}
MONEY = {"USD", "EUR", "GBP", "RMB", "JPY", "AUD", "SGD", "CAD", "TWD", "HKD", "INR", "CHF"}
ORDER = ("right", "wrong period", "wrong value", "wrong unit", "unknown scale", "undated period", "not read")


@dataclass
class CellResult:
    cell: str
    verdict: str  # one of ORDER
    detail: str = ""


@dataclass
class QuestionResult:
    qid: str
    uid: str
    question: str
    cells: list[CellResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.verdict == "right" for c in self.cells)


def cell_number(text: str) -> Optional[float]:
    """The magnitude a gold cell prints: "$ 1,208.7" -> 1208.7, "(5.0)%" -> 5.0, "$279.1 million" -> 279.1."""
    m = re.search(r"\d[\d,]*(?:\.\d+)?|\.\d+", text)
    return float(m.group(0).replace(",", "")) if m else None


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def table_numbers(parsed) -> set[float]:
    """Magnitudes printed in the filing's table lines (tab-separated lines holding a figure)."""
    out: set[float] = set()
    for line in parsed.lines:
        if "\t" not in line:
            continue
        for c in line.split("\t")[1:]:
            n = parse_number(c)
            if n is not None and n.suffix != "scaled":
                out.add(round(abs(n.value), 6))
    return out


def _is_constant(cell: str, gold: dict) -> bool:
    """"100" in "(a - b) / b * 100" is arithmetic, not a cell."""
    return cell_number(cell) == 100.0 and re.search(r"\*\s*100\b", gold.get("derivation", "")) is not None


def judge_cell(cell: str, gold: dict, facts: list) -> CellResult:
    want = cell_number(cell)
    cands = [f for f in facts if _fact_magnitude(f) is not None and _same(_fact_magnitude(f), want)]
    if not cands:
        return CellResult(cell, "not read")
    verdicts = [_judge_fact(f, want, gold) for f in cands]
    best = min(verdicts, key=lambda v: ORDER.index(v[0]))
    return CellResult(cell, best[0], best[1])


def _fact_magnitude(f) -> Optional[float]:
    n = parse_number(f.cell_text)
    return None if n is None else round(abs(n.value), 6)


def _judge_fact(f, printed: float, gold: dict) -> tuple[str, str]:
    where = f"line {f.line} {f.metric!r} {f.period.label!r}: {f.value:g} {f.unit} ({f.scale_label})"
    unit = gold["unit"]
    family = unit.split("/")[0]
    same_unit = gold["op"] in SAME_UNIT_OPS and unit != "x"
    if not f.scale_known:
        return "unknown scale", where
    if same_unit:
        if unit == "%":
            if f.unit not in ("%", "pp"):
                return "wrong unit", where + " (want %)"
        elif family in MONEY:
            # As the corpus scorer: money per share counts as money ("USD/share" answers "USD").
            if f.unit.split("/")[0] != family or ("/" in unit and "/" not in f.unit):
                return "wrong unit", where + f" (want {unit})"
        elif unit == "count":
            if f.unit.split("/")[0] in MONEY or f.unit in ("%", "pp"):
                return "wrong unit", where + " (want a count)"
        want = printed * (float(gold.get("mult") or 1) if unit != "%" else 1.0)
        if not _same(abs(f.value), want):
            return "wrong value", where + f" (want {want:g})"
    elif f.unit in ("unknown", ""):
        return "wrong unit", where + " (no unit)"
    if not f.period.end:
        return "undated period", where
    asked = _years_asked(gold)
    if gold["op"] == "lookup" and len(asked) == 1 and not _in_year(f.period, asked.pop()):
        return "wrong period", where + " (want " + ", ".join(_years_asked(gold)) + ")"
    return "right", where


def _years_asked(gold: dict) -> set[str]:
    return set(re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", gold.get("question", "")))


def _in_year(period, year: str) -> bool:
    """The period is the year a question names: its fiscal year, or the calendar year it ends in (a fiscal
    year ending early in a year is often named by the year before)."""
    end_year, month = int(period.end[:4]), int(period.end[5:7])
    return int(year) in (period.fiscal_year, end_year) or (end_year == int(year) + 1 and month <= 3)


def measure(corpus: Path) -> list[QuestionResult]:
    gold = {}
    for line in open(corpus / "gold.jsonl", encoding="utf-8"):
        if line.strip():
            g = json.loads(line)
            gold[g["id"]] = g
    results: list[QuestionResult] = []
    for line in open(corpus / "index.jsonl", encoding="utf-8"):
        if not line.strip():
            continue
        ctx = json.loads(line)
        parsed = parse_filing(corpus / ctx["filing"])
        facts = [f for f in parsed.facts if not f.table_id.startswith("text:") and f.table_id != "note"]
        printed = table_numbers(parsed)
        for qline in open(corpus / ctx["questions"], encoding="utf-8"):
            if not qline.strip():
                continue
            q = json.loads(qline)
            g = gold.get(q["id"])
            if g is None:
                continue
            g = dict(g, question=q.get("question", ""))
            cells = [c for c in g.get("cells", []) if cell_number(c) is not None and not _is_constant(c, g)
                     and round(cell_number(c), 6) in printed]
            if not cells:
                continue
            r = QuestionResult(q["id"], ctx["uid"], q.get("question", ""))
            r.cells = [judge_cell(c, g, facts) for c in cells]
            results.append(r)
    return results


def summary(results: list[QuestionResult]) -> dict:
    n = len(results)
    ok = sum(r.ok for r in results)
    by_class = Counter(c.verdict for r in results for c in r.cells if c.verdict != "right")
    q_by_class = Counter(min((c.verdict for c in r.cells if c.verdict != "right"), key=ORDER.index)
                         for r in results if not r.ok)
    return {"n": n, "right": ok, "pct": round(100.0 * ok / n, 1) if n else 0.0,
            "cells": sum(len(r.cells) for r in results),
            "cells_right": sum(c.verdict == "right" for r in results for c in r.cells),
            "cell_failures": dict(by_class), "question_failures": dict(q_by_class)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.cell_reading", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--verbose", action="store_true", help="list every cell read wrong")
    ap.add_argument("--json", type=Path, help="write the summary and every miss as JSON here")
    args = ap.parse_args(argv)
    results = measure(args.corpus)
    s = summary(results)
    misses = defaultdict(list)
    for r in results:
        for c in r.cells:
            if c.verdict != "right":
                misses[c.verdict].append((r, c))
    if args.verbose:
        for verdict in ORDER[1:]:
            for r, c in misses.get(verdict, []):
                print(f"  {verdict:15s} {r.uid[:8]} {c.cell!r:14s} {c.detail}  [{r.question[:60]}]")
    if args.json:
        s_out = dict(s, misses=[{"uid": r.uid, "id": r.qid, "cell": c.cell, "verdict": c.verdict, "detail": c.detail}
                                for v in misses.values() for r, c in v])
        args.json.write_text(json.dumps(s_out, indent=1, ensure_ascii=False))
    print(f"cells: {s['cells_right']}/{s['cells']} read right; failures by class: "
          + (", ".join(f"{k} {v}" for k, v in sorted(s["cell_failures"].items(), key=lambda kv: -kv[1])) or "none"))
    print(f"cells read right: {s['right']}/{s['n']} questions ({s['pct']:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
