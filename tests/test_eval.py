"""The project's own question set through the eval command, run in-process on the session's shared index.

Beside the accuracy floor, the questions known to miss are pinned in tests/eval_known_misses.json
(id -> question): a question that newly misses fails here by name, and a listed one that now passes
fails here too, asking to be taken off the list, so a regression cannot hide behind a fix.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

KNOWN_MISSES = Path(__file__).with_name("eval_known_misses.json")
UNITS = (None, "JPY", "USD", "%", "pp", "count", "Gbps", "JPY/share", "USD/share", "JPY/USD", "x")


@pytest.fixture(scope="module")
def run(iij_index, tmp_path_factory):
    """`python -m eval --answers-out ... --index <shared index>`, called in this process (the model is loaded once)."""
    from eval.__main__ import main

    out = tmp_path_factory.mktemp("eval") / "answers.jsonl"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["--answers-out", str(out), "--index", str(iij_index[0].index_dir)])
    assert code == 0, printed.getvalue()
    report = json.loads(out.with_suffix(".report.json").read_text())
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    return printed.getvalue(), report, rows


def _listed(misses: list[dict]) -> str:
    return "\n".join(f"  {m['id']}: {m['question']} -> {m['why']}" for m in misses)


def test_accuracy_is_at_least_95_percent_and_no_decline_carries_a_number(run):
    printed, report, _ = run
    m = re.fullmatch(r"accuracy (\d+)/(\d+) \(([\d.]+)%\)", printed.strip().splitlines()[-1])
    assert m, printed[-1000:]
    correct, n = int(m.group(1)), int(m.group(2))
    assert n >= 150 and (correct, n) == (report["correct"], report["n"])
    assert correct / n >= 0.95, _listed(report["misses"])
    assert report["numbers_on_declines"] == 0, _listed(report["misses"])


def test_no_question_misses_that_is_not_a_known_miss(run):
    _, report, _ = run
    known = json.loads(KNOWN_MISSES.read_text())
    new = [m for m in report["misses"] if m["id"] not in known]
    assert not new, f"newly failing questions (fix them; list them in {KNOWN_MISSES.name} only if the miss is accepted):\n{_listed(new)}"


def test_every_known_miss_still_misses(run):
    _, report, rows = run
    known = json.loads(KNOWN_MISSES.read_text())
    missing = {m["id"] for m in report["misses"]}
    asked = {r["id"] for r in rows}
    fixed = {i: q for i, q in known.items() if i not in missing}
    gone = sorted(i for i in fixed if i not in asked)
    passing = {i: q for i, q in fixed.items() if i in asked}
    assert not passing, (f"these known misses now pass: remove them from {KNOWN_MISSES.name}:\n"
                         + "\n".join(f"  {i}: {q}" for i, q in passing.items()))
    assert not gone, f"these ids are no longer in the question set: remove them from {KNOWN_MISSES.name}: {gone}"


def test_every_answer_line_has_the_documented_fields(run):
    _, report, rows = run
    assert len(rows) == report["n"]
    for r in rows:
        assert set(r) >= {"id", "answer", "value", "unit", "answerable", "sources", "calculation"}
        assert r["unit"] in UNITS, r
        assert r["value"] is None or r["answerable"], r
