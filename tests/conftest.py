"""Shared fixtures for the app tests: one real app process for the whole test session."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 300  # the first start builds the index


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, n: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-n:])


def _answers(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `python app.py` on a free port with a fresh index dir; yield its URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "FQA_AUTH"}
    env.update(FQA_HOST="127.0.0.1", FQA_PORT=str(port), FQA_INDEX_DIR=str(tmp_path_factory.mktemp("index")))
    log_path = tmp_path_factory.mktemp("app") / "app.log"
    venv_python = ROOT / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([python, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(url):
            if proc.poll() is not None:
                pytest.fail(f"app.py exited ({proc.returncode}) before serving; log {log_path}:\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"app.py not serving after {START_TIMEOUT_S}s; log {log_path}:\n{_tail(log_path)}")
            time.sleep(0.5)
        # The page serves at once; the first API answer waits until the index is ready.
        from gradio_client import Client

        Client(url, verbose=False).predict("What is EBITDA?", api_name="/chat")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
