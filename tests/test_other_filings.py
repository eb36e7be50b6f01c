"""Other companies' filings in the same text form, answered with no code change (eval command line)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from settings import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "filings"


@pytest.mark.parametrize("filing,questions", [
    ("northwind_fy2019.txt", "northwind_questions.jsonl"),  # USD, fiscal year to September, "$" cells
    ("lumen_gmbh_2020.txt", "lumen_questions.jsonl"),  # EUR, calendar year, H1/Q2 columns
])
def test_other_filings_answer_correctly(tmp_path, filing, questions):
    out = tmp_path / "answers.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "eval", "--questions", str(FIXTURES / questions), "--answers-out", str(out),
         "--filing", str(FIXTURES / filing), "--index", str(tmp_path / "index")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(out.with_suffix(".report.json").read_text())
    assert report["correct"] == report["n"], report["misses"]
    rows = {json.loads(x)["id"]: json.loads(x) for x in out.read_text().splitlines()}
    assert all(r["sources"] for r in rows.values() if r["answerable"])
