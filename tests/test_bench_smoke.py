"""`python -m bench --quick` runs end to end, reports every figure as a positive number and its
8-client throughput run has no errors.

No timing is asserted: the figures depend on the machine. The quick run still ingests the filing
(ours and the baseline), starts the app and a 2x synthetic filing, so it takes a few minutes.
"""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

EXPECTED = {
    "ingest_cold_s", "reingest_s", "index_mb", "startup_s", "app_startup_s",
    "latency_p50_ms", "latency_p95_ms", "latency_max_ms", "engine_peak_rss_mb", "app_peak_rss_mb",
    "api_latency_p50_ms", "api_latency_p95_ms", "throughput_per_s", "throughput_errors",
    "scale_ingest_s", "scale_latency_p50_ms", "scale_latency_p95_ms",
    "latency_always_embed_p95_ms", "embedding_skipped_pct",
}
WITH_BASELINE = {"ingest_cold_s", "reingest_s", "index_mb", "startup_s", "latency_p50_ms", "latency_p95_ms", "latency_max_ms", "engine_peak_rss_mb"}


def _positive(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and x > 0


@pytest.mark.slow  # ingests the filing cold, twice, and a 2x synthetic filing
def test_quick_bench_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [PYTHON, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "figure" in proc.stdout and "baseline" in proc.stdout, proc.stdout
    report = json.loads(out.read_text())
    figs = {f["key"]: f for f in report["figures"]}
    assert EXPECTED <= set(figs), sorted(EXPECTED - set(figs))
    for key, f in figs.items():
        if f["kind"] == "count":
            assert isinstance(f["ours"], int) and f["ours"] >= 0, f
            continue
        assert _positive(f["ours"]), f
        if key in WITH_BASELINE:
            assert _positive(f["baseline"]), f
            assert _positive(f["ratio"]), f
    for key in ("scale_ingest_s", "scale_latency_p50_ms", "scale_latency_p95_ms"):
        assert _positive(figs[key]["ratio"]), figs[key]
    assert report["meta"]["quick"] is True
    assert report["raw"]["scale"]["factor"] == 2
    assert report["raw"]["app"]["first_answer_ok"] is True
    assert figs["throughput_errors"]["ours"] == 0, figs["throughput_errors"]
    assert report["raw"]["ours_ingest"]["reingest"]["reused"] is True
