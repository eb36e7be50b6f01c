"""python -m bench [--quick] [--out PATH] [--md PATH] [--scale N] [--clients N] [--requests N]

Measures the assistant end to end and beside it the naive LangChain RAG baseline (eval.baseline),
prints a table (figure | ours | baseline | ratio | target | ok?) and writes a JSON report
(bench/report.json by default). A full run also writes the table as Markdown (bench/latest.md).
See bench/README.md for what each figure means.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import settings  # noqa: F401  (offline environment: HF_HUB_OFFLINE, GRADIO_ANALYTICS_ENABLED, ...)
from settings import Settings

from . import api
from .procs import ROOT, App, CpuMeter, RssSampler, run_worker
from .synth import synthesize

HERE = Path(__file__).resolve().parent
QUESTIONS = ROOT / "eval" / "questions.jsonl"
GB = 1024.0  # MB


def pct(xs: list[float], p: float) -> float:
    """Nearest-rank percentile of seconds, in milliseconds."""
    if not xs:
        return 0.0
    s = sorted(xs)
    return 1000 * s[max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))]


def lat_ms(xs: list[float]) -> dict:
    return {"p50": pct(xs, 50), "p95": pct(xs, 95), "max": 1000 * max(xs) if xs else 0.0, "mean": 1000 * sum(xs) / len(xs) if xs else 0.0, "n": len(xs)}


def read_questions(path: Path, limit: int) -> list[dict]:
    out = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out[:limit] if limit else out


def _git() -> dict:
    def git(*a):
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "--porcelain", "--", "ingest", "retrieval", "app.py", "schema.py", "settings.py"))}


def _load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.filing = Path(args.filing).resolve()
        self.raw: dict = {}
        self.tmp = tempfile.TemporaryDirectory(prefix="fqa-bench-")
        self.work = Path(self.tmp.name)
        self.logs = self.work / "logs"
        self.logs.mkdir()
        limit = args.questions_limit if args.questions_limit is not None else (12 if self.quick else 0)
        self.questions = read_questions(Path(args.questions), limit)
        self.qfile = self.work / "questions.jsonl"
        self.qfile.write_text("".join(json.dumps(q) + "\n" for q in self.questions))
        self.cpu = CpuMeter()
        self.phases: dict = {}
        self.quiet_wait = args.quiet_wait if args.quiet_wait is not None else (0 if self.quick else 30)

    def phase(self, name: str, fn) -> None:
        """Runs one phase, after waiting (bounded) for other processes to leave the CPUs alone, and
        records how much CPU they took meanwhile: the figures are only as good as that."""
        waited, before = self.cpu.wait_quiet(self.quiet_wait) if self.quiet_wait else (0.0, None)
        if waited > 1.5:
            self.say(f"waited {waited:.0f} s for a quieter machine (other processes at {before:.0f}% of the CPUs)")
        m = self.cpu.mark()
        fn()
        self.phases[name] = {"seconds": time.perf_counter() - m[0], "foreign_cpu_pct": self.cpu.foreign_pct(m), "waited_s": waited}

    def say(self, msg: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    # ------------------------------------------------------------ phases

    def ours_ingest(self) -> None:
        idx = self.work / "index-1x"
        self.say(f"ours: cold ingest of {self.filing.name} into a fresh folder")
        cold = run_worker("ours-ingest", self.logs, 600, filing=self.filing, index=idx)
        self.say(f"  {cold['ingest_s']:.1f} s, {cold['n_chunks']} chunks; re-ingest of the unchanged filing (fresh process)")
        again = run_worker("ours-ingest", self.logs, 120, filing=self.filing, index=idx)
        if not again["reused"]:
            self.say("  WARNING: the re-ingest rebuilt the index instead of reusing it")
        self.raw["ours_ingest"] = {"cold": cold, "reingest": again}
        self.index_1x = idx

    def ours_serve(self) -> None:
        self.say(f"ours: fresh process, engine on the built index, first answer, then {len(self.questions)} questions")
        r = run_worker("ours-serve", self.logs, 600, filing=self.filing, index=self.index_1x, questions=self.qfile)
        r["latency_ms"] = lat_ms(r.pop("latencies_s"))
        self.raw["ours_serve"] = r
        self.say(f"  start-up {r['spawn_to_first_s']:.1f} s, p50 {r['latency_ms']['p50']:.1f} ms, p95 {r['latency_ms']['p95']:.1f} ms")

    def app(self) -> None:
        a = self.args
        app = App(self.index_1x, self.filing, self.logs)
        texts = [q["question"] for q in self.questions]
        n_api = len(texts)
        burst = [texts[i % len(texts)] for i in range(a.requests if a.requests else (16 if self.quick else 80))]
        self.say(f"app: python app.py on {app.url}; first /chat answer, {n_api} questions one by one, "
                 f"then {len(burst)} with {a.clients} concurrent clients")
        out: dict = {}
        app.start()
        try:
            assert app.proc is not None
            with RssSampler(app.proc.pid, 0.1) as rss:
                out["http_ready_s"] = app.wait_serving(240)
                text = api.first_answer(app.url, texts[0])
                out["first_answer_s"] = time.perf_counter() - app.t_spawn
                out["first_answer_ok"] = api._ok(text)
                out["rss_after_start_mb"] = rss.current_mb()
                seq = api.sequential(app.url, texts, budget_s=300)
                out["rss_peak_sequential_mb"] = rss.peak_mb
                seq["latency_ms"] = lat_ms(seq.pop("latencies_s"))
                out["sequential"] = seq
                conc = api.concurrent(app.url, burst, a.clients, timeout_s=240)
                conc["latency_ms"] = lat_ms(conc.pop("latencies_s"))
                out["concurrent"] = conc
                out["rss_peak_mb"] = rss.peak_mb
            out["rss_samples"] = rss.samples
        finally:
            app.stop()
        self.raw["app"] = out
        self.say(f"  first answer {out['first_answer_s']:.1f} s after spawn; {conc['answers_per_s']:.1f} answers/s, "
                 f"{conc['errors']} errors; peak RSS {out['rss_peak_mb']:.0f} MB")

    def app_first(self) -> None:
        """A new user's first start: the app on an empty index folder answers from the records of the index
        it is building, then from the finished index."""
        app = App(self.work / "index-first-start", self.filing, self.logs, name="app-first-start")
        self.say("app, first start (no index): first /chat answer, then the finished index")
        app.start()
        try:
            out = {"http_ready_s": app.wait_serving(240)}
            text = api.first_answer(app.url, self.questions[0]["question"])
            out["first_answer_s"] = time.perf_counter() - app.t_spawn
            out["first_answer_ok"] = api._ok(text)
            out["first_answer_lexical"] = api.LEXICAL_MARK in text
            out["ready_s"] = app.wait_said(api.READY_LINE, 600)
        finally:
            app.stop()
        self.raw["app_first"] = out
        self.say(f"  first answer {out['first_answer_s']:.1f} s after spawn"
                 f"{' (from the records)' if out['first_answer_lexical'] else ''}; finished index {out['ready_s']:.1f} s")

    def naive(self) -> None:
        self.say("baseline: cold build, then the rebuild a re-ingest means for it")
        ing = run_worker("naive-ingest", self.logs, 600, filing=self.filing)
        self.say(f"  {ing['ingest_s']:.1f} s; fresh process, build, first answer, then {len(self.questions)} questions")
        srv = run_worker("naive-serve", self.logs, 600, filing=self.filing, questions=self.qfile)
        srv["latency_ms"] = lat_ms(srv.pop("latencies_s"))
        self.raw["naive"] = {"ingest": ing, "serve": srv}

    def scale(self) -> None:
        n = self.args.scale if self.args.scale else (2 if self.quick else 20)
        synth = synthesize(self.filing, n, self.work / f"synthetic-{n}x.txt")
        idx = self.work / f"index-{n}x"
        self.say(f"scale: {n}x synthetic filing ({synth.stat().st_size / 1e6:.1f} MB); cold ingest")
        ing = run_worker("ours-ingest", self.logs, 1200, filing=synth, index=idx)
        self.say(f"  {ing['ingest_s']:.1f} s, {ing['n_chunks']} chunks")
        self.raw["scale"] = {"factor": n, "bytes": synth.stat().st_size, "ingest": ing}
        self.synth, self.index_n = synth, idx

    def latency(self) -> None:
        n = self.raw["scale"]["factor"]
        self.say(f"latency: ours 1x, baseline, ours {n}x in one process, taking turns over {len(self.questions)} questions")
        r = run_worker("latency", self.logs, 900, filing=self.filing, index=self.index_1x, filing2=self.synth, index2=self.index_n,
                       questions=self.qfile, breakdown=len(self.questions))
        lat = r.pop("latencies_s")
        r["latency_ms"] = {k: lat_ms(v) for k, v in lat.items()}
        follow = [i for i, q in enumerate(self.questions) if q.get("history")]
        r["followup_latency_ms"] = {k: lat_ms([v[i] for i in follow]) for k, v in lat.items()}
        self.raw["latency"] = r
        self.say("  p50/p95 ms: " + ", ".join(f"{k} {v['p50']:.1f}/{v['p95']:.1f}" for k, v in r["latency_ms"].items()))

    # ------------------------------------------------------------ figures

    def figures(self) -> list[dict]:
        r = self.raw
        oi, os_, ap, nv, sc, lt = r["ours_ingest"], r["ours_serve"], r["app"], r["naive"], r["scale"], r["latency"]["latency_ms"]
        af = r["app_first"]
        nvs, nvi = nv["serve"], nv["ingest"]
        n = sc["factor"]
        f = []

        def row(key, label, ours, base=None, target=None, op="<", unit="", ratio=None, ratio_of="ours/baseline", kind="measure"):
            if ratio is None and base:
                ratio = ours / base if base else None
            ok = None
            if target is not None:
                v = ratio if op == "ratio<=" else ours
                ok = bool(v is not None and (v <= target if op in ("<=", "ratio<=") else v < target if op == "<" else v == target))
            f.append({"key": key, "label": label, "unit": unit, "ours": ours, "baseline": base, "ratio": ratio, "ratio_of": ratio_of,
                      "target": target, "op": op, "ok": ok, "kind": kind})

        row("ingest_cold_s", "first ingest, cold (s)", oi["cold"]["ingest_s"], nvi["ingest_s"], 30, unit="s")
        row("ingest_answerable_s", "first ingest, cold: records written, answerable by words (s)",
            oi["cold"]["profile"]["answerable_s"], nvi["ingest_s"], unit="s")
        row("reingest_s", "re-ingest, unchanged filing (s)", oi["reingest"]["ingest_s"], nvi["reingest_s"], 2, unit="s")
        row("index_mb", "index on disk (MB)", oi["cold"]["index_mb"], nvi["index_mb"], unit="MB")
        row("startup_s", "start-up to first answer, fresh process (s)", os_["spawn_to_first_s"], nvs["spawn_to_first_s"], 15, unit="s")
        row("app_startup_s", "app start-up to first /chat answer (s)", ap["first_answer_s"], None, 15, unit="s")
        row("app_first_start_s", "app first start (no index) to first /chat answer (s)", af["first_answer_s"], None, 15, unit="s")
        row("app_first_ready_s", "app first start (no index) to the finished index (s)", af["ready_s"], unit="s")
        for p in ("p50", "p95", "max"):
            row(f"latency_{p}_ms", f"warm latency {p}, in-process (ms)", lt["ours"][p], lt["baseline"][p],
                100 if p == "p95" else None, unit="ms")
        # The speed targets, as quotients within this run: p95 against the baseline's, the slowest answer
        # against our median, the first ingest against the baseline's build.
        row("latency_p95_vs_baseline", "warm latency p95 / the baseline's p95 (×)", lt["ours"]["p95"] / lt["baseline"]["p95"], None, 0.5,
            op="<=", unit="×")
        row("latency_max_vs_median", "warm latency max / our median (×)", lt["ours"]["max"] / lt["ours"]["p50"], None, 3, op="<=", unit="×")
        row("ingest_vs_baseline", "first ingest, cold / the baseline's build (×)", oi["cold"]["ingest_s"] / nvi["ingest_s"], None, 1.0,
            op="<=", unit="×")
        for p in ("p50", "p95", "max"):
            row(f"latency_always_embed_{p}_ms", f"warm latency {p}, no lexical margin (FQA_DENSE_MARGIN=inf) (ms)",
                lt["ours_always_embed"][p], lt["baseline"][p], unit="ms")
        fu = r["latency"]["followup_latency_ms"]
        if fu["ours"]["n"]:  # a --quick run's first questions hold none
            row("followup_latency_p95_ms", f"follow-ups ({fu['ours']['n']}): warm latency p95 (ms)", fu["ours"]["p95"], fu["baseline"]["p95"], unit="ms")
        b = r["latency"]["breakdown"]["ours"]
        row("embedding_skipped_pct", f"answers that skip the query embedding ({b['n']} questions, %)",
            100 * b["embedding_skipped"] / max(1, b["n"]), unit="%")
        row("engine_peak_rss_mb", "peak RSS, in-process engine (MB)", os_["peak_rss_mb"], nvs["peak_rss_mb"], 1.5 * GB, unit="MB")
        row("app_peak_rss_mb", "peak RSS, app serving incl. children (MB)", ap["rss_peak_mb"], None, 1.5 * GB, unit="MB")
        row("api_latency_p50_ms", "API latency p50, one client (ms)", ap["sequential"]["latency_ms"]["p50"], unit="ms")
        row("api_latency_p95_ms", "API latency p95, one client (ms)", ap["sequential"]["latency_ms"]["p95"], unit="ms")
        c = ap["concurrent"]
        row("throughput_per_s", f"throughput, {c['clients']} clients, {c['asked']} requests (answers/s)", c["answers_per_s"], unit="/s")
        row("throughput_errors", "throughput errors (count)", c["errors"] + ap["sequential"]["errors"], None, 0, op="==", kind="count")
        row("scale_ingest_s", f"{n}x filing: first ingest (s)", sc["ingest"]["ingest_s"], ratio=sc["ingest"]["ingest_s"] / oi["cold"]["ingest_s"],
            ratio_of=f"{n}x/1x", unit="s")
        for p in ("p50", "p95"):
            v = lt["ours_scaled"][p]
            row(f"scale_latency_{p}_ms", f"{n}x filing: warm latency {p} (ms)", v, ratio=v / lt["ours"][p] if lt["ours"][p] else None,
                ratio_of=f"{n}x/1x", target=2, op="ratio<=", unit="ms")
        return f

    def run(self) -> dict:
        t0 = time.perf_counter()
        meta = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "quick": self.quick, "filing": str(self.filing.relative_to(ROOT) if self.filing.is_relative_to(ROOT) else self.filing),
                "questions": len(self.questions), "baseline": "eval.baseline.NaiveRag", "model": Settings.from_env().model,
                "python": platform.python_version(), "cpus": os.cpu_count(), "loadavg_start": _load(), **_git()}
        try:
            self.phase("ours_ingest", self.ours_ingest)
            self.phase("ours_serve", self.ours_serve)
            self.phase("app", self.app)
            self.phase("app_first", self.app_first)
            self.phase("baseline", self.naive)
            self.phase("scale", self.scale)
            self.phase("latency", self.latency)
        finally:
            if not self.args.keep:
                self.tmp.cleanup()
            else:
                self.say(f"kept {self.work}")
        meta["loadavg_end"] = _load()
        meta["seconds"] = time.perf_counter() - t0
        meta["phases"] = self.phases
        return {"meta": meta, "figures": self.figures(), "raw": self.raw}


# ---------------------------------------------------------------- output


def _num(v, unit: str = "") -> str:
    if v is None:
        return "—"
    if isinstance(v, int) or unit == "count":
        return str(v)
    a = abs(v)
    return f"{v:.0f}" if a >= 100 else f"{v:.1f}" if a >= 10 else f"{v:.2f}"


def _target(f: dict) -> str:
    t = f["target"]
    if t is None:
        return ""
    if f["op"] == "ratio<=":
        return f"≤ {t:g}× 1x"
    if f["unit"] == "MB" and t >= GB:
        return f"< {t / GB:g} GB"
    return {"<": "< ", "<=": "≤ ", "==": "= "}[f["op"]] + f"{t:g}" + (f" {f['unit']}" if f["unit"] in ("s", "ms") else "")


def _ratio(f: dict) -> str:
    if f["ratio"] is None:
        return "—"
    r = f"{f['ratio']:.2f}×" if f["ratio"] < 100 else f"{f['ratio']:.0f}×"
    return r if f["ratio_of"] == "ours/baseline" else f"{r} ({f['ratio_of']})"


def table_rows(figs: list[dict]) -> list[list[str]]:
    rows = []
    for f in figs:
        ok = "" if f["ok"] is None else ("yes" if f["ok"] else "NO")
        rows.append([f["label"], _num(f["ours"], "count" if f["kind"] == "count" else ""), _num(f["baseline"]), _ratio(f), _target(f), ok])
    return rows


HEAD = ["figure", "ours", "baseline", "ratio", "target", "ok?"]


def text_table(figs: list[dict]) -> str:
    rows = [HEAD] + table_rows(figs)
    w = [max(len(r[i]) for r in rows) for i in range(len(HEAD))]
    line = lambda r: " | ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(r))  # noqa: E731
    return "\n".join([line(rows[0]), "-+-".join("-" * x for x in w)] + [line(r) for r in rows[1:]])


def md_table(figs: list[dict]) -> str:
    rows = table_rows(figs)
    out = ["| " + " | ".join(HEAD) + " |", "|" + "|".join(["---"] + ["---:"] * 5) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def notes(report: dict) -> list[str]:
    r, m = report["raw"], report["meta"]
    n = r["scale"]["factor"]
    lt = r["latency"]
    out = []
    b = lt.get("breakdown", {})
    for name, label in (("ours", "1x"), ("ours_scaled", f"{n}x")):
        x = b.get(name)
        if x:
            out.append(
                f"where an answer's time goes (ours, {label}, {x['n']} questions, mean per answer): {x['total_ms_per_answer']:.1f} ms = "
                f"query embedding {x['embed_ms_per_answer']:.1f} ms ({x['embed_calls_per_answer']:.2f} calls) + vector search "
                f"{x['vector_ms_per_answer']:.1f} ms ({x['vector_calls_per_answer']:.2f} calls) + the rest {x['other_ms_per_answer']:.1f} ms; "
                f"{x['embedding_skipped']} of {x['n']} answers skip the embedding"
            )
    for label, ing in (("1x", r["ours_ingest"]["cold"]), (f"{n}x", r["scale"]["ingest"])):
        out.append(f"first ingest profile ({label}, cold, {ing['ingest_s']:.1f} s): " + ingest_profile(ing["profile"]))
    solo = r["ours_serve"]["latency_ms"]
    out.append(f"warm latency rows come from one process where ours 1x, the baseline and ours {n}x take turns per question; "
               f"ours alone in its own process: p50 {solo['p50']:.1f} ms, p95 {solo['p95']:.1f} ms, max {solo['max']:.0f} ms")
    s = r["ours_serve"]
    out.append(f"ours start-up: imports {s['import_s']:.1f} s, index load + model + warm {s['load_warm_s']:.1f} s, first answer "
               f"{1000 * s['first_answer_s']:.0f} ms (spawn to first answer {s['spawn_to_first_s']:.1f} s)")
    nv = r["naive"]["serve"]
    out.append(f"baseline start-up: it keeps no index, so it re-embeds the filing on every start: build {nv['build_s']:.1f} s of "
               f"{nv['spawn_to_first_s']:.1f} s")
    for name, label in (("ours", "ours 1x"), ("baseline", "baseline"), ("ours_scaled", f"ours {n}x"), ("ours_always_embed", "ours with no lexical margin")):
        out.append(f"slowest {label}: " + "; ".join(f"{x['id']} {x['ms']:.0f} ms" for x in lt["slowest"][name]))
    f = r["app_first"]
    out.append(f"app first start (no index): page up {f['http_ready_s']:.1f} s after spawn, first /chat answer "
               f"{f['first_answer_s']:.1f} s ({'from the records, lexically' if f['first_answer_lexical'] else 'from the finished index'}), "
               f"finished index {f['ready_s']:.1f} s")
    a = r["app"]
    out.append(f"app: page up {a['http_ready_s']:.1f} s after spawn, first /chat answer {a['first_answer_s']:.1f} s; "
               f"{a['concurrent']['clients']} clients: latency p50 {a['concurrent']['latency_ms']['p50']:.0f} ms, p95 {a['concurrent']['latency_ms']['p95']:.0f} ms")
    out.append(f"chunks: ours {r['ours_ingest']['cold']['n_chunks']} (1x), {r['scale']['ingest']['n_chunks']} ({r['scale']['factor']}x); "
               f"baseline {r['naive']['ingest'].get('n_chunks')}")
    ph = m.get("phases", {})
    if ph:
        out.append("other processes' share of the CPUs during each phase (contention inflates the figures): " + ", ".join(
            f"{k} {v['foreign_cpu_pct']:.0f}% ({v['seconds']:.0f} s)" for k, v in ph.items()))
    load = m.get("loadavg_start"), m.get("loadavg_end")
    out.append(f"machine: {m['cpus']} CPUs, load average at start {load[0]}, at end {load[1]}; run took {m['seconds']:.0f} s; "
               f"code {m['commit']}{' + uncommitted changes' if m['dirty'] else ''}")
    return out


def ingest_profile(p: dict) -> str:
    """A build's seconds by stage, with what each stage handled."""
    return (f"read and hash {p['read_s']:.2f} s, parse {p['parse_s']:.2f} s, records {p['records_s']:.2f} s "
            f"(answerable by words at {p['answerable_s']:.1f} s), libraries, store and model load {p['model_s']:.1f} s, embedding {p['embedding_s']:.1f} s "
            f"({p['distinct']} distinct of {p['texts']} texts, {p['batches']} batches), Chroma writes {p['store_s']:.2f} s "
            f"({p['store_calls']} calls), finish {p['finish_s']:.2f} s")


def markdown(report: dict) -> str:
    m = report["meta"]
    head = (f"# Benchmark: latest full run\n\n`python -m bench{' --quick' if m['quick'] else ''}` on {m['started']}, "
            f"{m['questions']} eval questions, filing `{m['filing']}`. Ratio is ours/baseline, or the scaled filing against 1x "
            "where marked. Targets are printed, not asserted.\n\n")
    return head + md_table(report["figures"]) + "\n\n" + "\n".join(f"- {n}" for n in notes(report)) + "\n"


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="reduced run for the smoke test: 12 questions, 2x scale, 16 concurrent requests")
    ap.add_argument("--out", type=Path, default=HERE / "report.json", help="JSON report (default bench/report.json)")
    ap.add_argument("--md", type=Path, default=None, help="Markdown table (default bench/latest.md for a full run, none with --quick)")
    ap.add_argument("--filing", type=Path, default=Settings.from_env().filing)
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("--questions-limit", type=int, default=None, help="use the first N questions (default all; 12 with --quick)")
    ap.add_argument("--scale", type=int, default=0, help="size factor of the synthetic filing (default 20; 2 with --quick)")
    ap.add_argument("--clients", type=int, default=8, help="concurrent API clients (default 8)")
    ap.add_argument("--requests", type=int, default=0, help="requests in the concurrent run (default 80; 16 with --quick)")
    ap.add_argument("--quiet-wait", type=float, default=None,
                    help="before each phase wait up to S seconds for other processes to free the CPUs (default 30; 0 with --quick)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (indexes, synthetic filing, logs)")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # a terminated run still stops its app and workers (finally blocks)
    report = Bench(args).run()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    md = args.md or (None if args.quick else HERE / "latest.md")
    print(text_table(report["figures"]))
    print()
    for n in notes(report):
        print("- " + n)
    print(f"\nreport: {args.out}" + (f"  table: {md}" if md else ""))
    if md:
        md.write_text(markdown(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
