"""Other companies' filings in the same text form, answered with no code change (the eval command, in-process)."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from eval.score import expected_lines

FIXTURES = Path(__file__).parent / "fixtures" / "filings"


@pytest.mark.slow  # ingests each filing with the real model
@pytest.mark.parametrize("filing,questions", [
    ("northwind_fy2019.txt", "northwind_questions.jsonl"),  # USD, fiscal year to September, "$" cells
    ("lumen_gmbh_2020.txt", "lumen_questions.jsonl"),  # EUR, calendar year, H1/Q2 columns
    # Annual-report tables and TAT-QA-style questions: two rows named side by side (difference, total,
    # average), a cost in brackets changing as its amount, one row's two years as a ratio, averages over
    # the years a row gives or over dates, a quarter-only table asked by date, share prices by quarter,
    # segment columns, a unit sentence below a table that introduces the next one.
    ("harbor_annual_2019.txt", "harbor_questions.jsonl"),
    # Flow columns headed by bare dates under "the fiscal years ended:", "gross profit" beside a "gross margin" %
    # row, two column groups ("Carrying Value (Denominated Currency) 2019 | 2018 | Carrying Value (USD) ..."), a
    # "projected benefit obligation" (a balance, no projection), dates over blocks of rows under the column headings,
    # a change over two years where only each year's change is printed, a per-share row under a title naming
    # per-share figures for every row, an average "between 2017 and 2019" over every year of the run (none where
    # a year of the run is not printed), columns that are categories (fees, stock awards, total) for one year.
    ("cedar_annual_2019.txt", "cedar_questions.jsonl"),
])
def test_other_filings_answer_correctly(tmp_path, filing, questions):
    from eval.__main__ import main

    out = tmp_path / "answers.jsonl"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["--questions", str(FIXTURES / questions), "--answers-out", str(out),
                     "--filing", str(FIXTURES / filing), "--index", str(tmp_path / "index")])
    assert code == 0, printed.getvalue()[-2000:]
    report = json.loads(out.with_suffix(".report.json").read_text())
    assert report["correct"] == report["n"], report["misses"]
    rows = {json.loads(x)["id"]: json.loads(x) for x in out.read_text().splitlines()}
    assert all(r["sources"] for r in rows.values() if r["answerable"])
    for q in map(json.loads, (FIXTURES / questions).read_text().splitlines()):
        # The rows each figure came from: every line the question's cells are on is cited.
        assert expected_lines(q) <= {s["line"] for s in rows[q["id"]]["sources"]}, (q["id"], rows[q["id"]]["sources"])
