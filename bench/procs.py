"""Child processes for the benchmark: workers, the app, and memory sampling. Every wait is bounded and
every child is ended in a finally block."""
from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Optional

import psutil

from .worker import FIRST, RESULT

ROOT = Path(__file__).resolve().parent.parent


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def child_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "FQA_AUTH"}
    env.setdefault("NO_PROXY", "127.0.0.1,localhost")
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, grace_s: float = 15) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace_s)


def _tail(path: Path, n: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


class WorkerError(RuntimeError):
    pass


def run_worker(task: str, log_dir: Path, timeout_s: float, **opts) -> dict:
    """Runs `python -m bench.worker TASK`, returns its result plus `wall_s` (spawn to exit) and
    `spawn_to_first_s` (spawn to the first answer, when the task answers)."""
    args = [python(), "-m", "bench.worker", task]
    for k, v in opts.items():
        if v is not None and v != "":
            args += [f"--{k.replace('_', '-')}", str(v)]
    log = Path(log_dir) / f"{task}-{int(time.time() * 1000)}.log"
    lines: queue.Queue = queue.Queue()
    with open(log, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, stderr=err, text=True)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put((time.perf_counter(), line.rstrip("\n")))
        lines.put((time.perf_counter(), None))

    threading.Thread(target=read, daemon=True).start()
    first: Optional[float] = None
    result: Optional[dict] = None
    deadline = t0 + timeout_s
    try:
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise WorkerError(f"{task} ran past {timeout_s:.0f} s; log {log}:\n{_tail(log)}")
            try:
                t, line = lines.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if line is None:
                break
            if line == FIRST:
                first = t - t0
            elif line.startswith(RESULT):
                result = json.loads(line[len(RESULT):])
        proc.wait(timeout=max(1.0, deadline - time.perf_counter()))
        wall = time.perf_counter() - t0
    finally:
        stop(proc)
    if proc.returncode != 0 or result is None:
        raise WorkerError(f"{task} failed (exit {proc.returncode}); log {log}:\n{_tail(log)}")
    result["wall_s"] = wall
    if first is not None:
        result["spawn_to_first_s"] = first
    return result


class RssSampler:
    """Samples the resident memory of a process plus all its children every `interval_s` seconds."""

    def __init__(self, pid: int, interval_s: float = 0.1):
        self.proc = psutil.Process(pid)
        self.interval_s = interval_s
        self.peak_mb = 0.0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def current_mb(self) -> float:
        total = 0
        try:
            procs = [self.proc] + self.proc.children(recursive=True)
        except psutil.Error:
            return 0.0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total / (1024 * 1024)

    def _run(self) -> None:
        while not self._stop.is_set():
            mb = self.current_mb()
            self.samples += 1
            self.peak_mb = max(self.peak_mb, mb)
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def http_ok(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never via a proxy
    try:
        with opener.open(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


class App:
    """`python app.py` on a free loopback port, on an already built index (or an empty folder: a first start)."""

    def __init__(self, index_dir: Path, filing: Path, log_dir: Path, name: str = "app"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = Path(log_dir) / f"{name}.log"
        self.env = child_env(FQA_HOST="127.0.0.1", FQA_PORT=str(self.port), FQA_INDEX_DIR=str(index_dir), FQA_FILING=str(filing))
        self.proc: Optional[subprocess.Popen] = None
        self.t_spawn = 0.0

    def start(self) -> None:
        with open(self.log, "wb") as log:
            self.t_spawn = time.perf_counter()
            self.proc = subprocess.Popen([python(), "app.py"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def wait_serving(self, timeout_s: float) -> float:
        """Seconds from spawn until the page answers HTTP 200."""
        assert self.proc is not None
        deadline = self.t_spawn + timeout_s
        while not http_ok(self.url):
            if self.proc.poll() is not None:
                raise WorkerError(f"app.py exited ({self.proc.returncode}) before serving; log {self.log}:\n{_tail(self.log)}")
            if time.perf_counter() > deadline:
                raise WorkerError(f"app.py not serving after {timeout_s:.0f} s; log {self.log}:\n{_tail(self.log)}")
            time.sleep(0.1)
        return time.perf_counter() - self.t_spawn

    def wait_said(self, line: str, timeout_s: float) -> float:
        """Seconds from spawn until the app's output has `line`."""
        assert self.proc is not None
        deadline = self.t_spawn + timeout_s
        while line not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                raise WorkerError(f"app.py never said {line!r}; log {self.log}:\n{_tail(self.log)}")
            time.sleep(0.1)
        return time.perf_counter() - self.t_spawn

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


class CpuMeter:
    """CPU time other processes used while a phase ran: the machine's busy time minus this benchmark's
    own (itself plus the children it has waited for), as a share of all CPUs over the wall time."""

    def __init__(self):
        self.ncpu = psutil.cpu_count() or 1

    @staticmethod
    def _busy() -> float:
        t = psutil.cpu_times()
        return sum(t) - t.idle - getattr(t, "iowait", 0.0) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)

    @staticmethod
    def _own() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def mark(self) -> tuple[float, float, float]:
        return time.perf_counter(), self._busy(), self._own()

    def foreign_pct(self, since: tuple[float, float, float]) -> float:
        t, busy, own = self.mark()
        wall = max(1e-6, t - since[0])
        return max(0.0, 100.0 * ((busy - since[1]) - (own - since[2])) / (wall * self.ncpu))

    def wait_quiet(self, max_s: float, below_pct: float = 20.0) -> tuple[float, float]:
        """Waits (at most max_s) until other processes use under below_pct of the CPUs over one second.
        Returns (seconds waited, the last reading)."""
        t0 = time.perf_counter()
        while True:
            m = self.mark()
            time.sleep(1.0)
            pct = self.foreign_pct(m)
            if pct < below_pct or time.perf_counter() - t0 >= max_s:
                return time.perf_counter() - t0, pct
