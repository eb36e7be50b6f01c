"""The project's own question set through the eval command line, as other tools call it."""
from __future__ import annotations

import json
import re
import subprocess
import sys

from settings import ROOT


def test_project_question_set_scores_at_least_95_percent(tmp_path, tmp_path_factory):
    out = tmp_path / "answers.jsonl"
    index = tmp_path_factory.getbasetemp() / "iij-index"  # shared with the other engine tests
    proc = subprocess.run(
        [sys.executable, "-m", "eval", "--answers-out", str(out), "--index", str(index)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    last = proc.stdout.strip().splitlines()[-1]
    m = re.fullmatch(r"accuracy (\d+)/(\d+) \(([\d.]+)%\)", last)
    assert m, proc.stdout[-1000:]
    correct, n = int(m.group(1)), int(m.group(2))
    assert n >= 150
    report = json.loads(out.with_suffix(".report.json").read_text())
    misses = "\n".join(f"{x['id']}: {x['question']} -> {x['why']}" for x in report["misses"])
    assert correct / n >= 0.95, misses
    assert report["numbers_on_declines"] == 0, misses
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == n
    for r in rows:
        assert set(r) >= {"id", "answer", "value", "unit", "answerable", "sources", "calculation"}
        assert r["unit"] in (None, "JPY", "USD", "%", "pp", "count", "Gbps", "JPY/share", "USD/share", "JPY/USD", "x")
        assert r["value"] is None or r["answerable"]
