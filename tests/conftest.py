"""Shared fixtures: the real IIJ index built once per session, one real app process, and `require`
for the parts scripts/setup.sh installs (missing ones skip a local run and fail a CI=true run)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator, Optional

import pytest

ROOT = Path(__file__).resolve().parent.parent
IIJ = ROOT / "data" / "iij_1h_fy2012.txt"
START_TIMEOUT_S = 300  # a first start builds the index


def require(part: str, found, install: str):
    """`found` when it is there; otherwise skip, or fail when CI=true (CI must run every real part)."""
    if found:
        return found
    message = f"{part} is missing: {install}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: a test may not skip for a part the setup installs)", pytrace=False)
    pytest.skip(message)


def chroma_binary() -> Optional[Path]:
    """The `chroma` command that came with the running interpreter's chromadb, else the one on PATH."""
    beside = Path(sys.executable).parent / "chroma"
    if beside.exists():
        return beside
    found = shutil.which("chroma")
    return Path(found) if found else None


def chromium_binary() -> Optional[Path]:
    """Debian's chromium (never a browser downloaded by Playwright)."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    return Path(found) if found else None


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


# ---------------------------------------------------------------- the real IIJ index, built once


def _fingerprint(folder: Path) -> dict[str, int]:
    """Sizes of the index's record files (the vector store is left out: opening it may touch it)."""
    return {str(p.relative_to(folder)): p.stat().st_size for p in sorted(folder.rglob("*"))
            if p.is_file() and "chroma" not in p.relative_to(folder).parts}


@pytest.fixture(scope="session")
def iij_index(tmp_path_factory: pytest.TempPathFactory):
    """(Settings, IndexInfo) of the real IIJ index (packaged model, embedded Chroma), built once per session.

    Shared read-only: a test that writes to an index uses `iij_index_copy`. The session fails if the
    shared index's records changed under it.
    """
    from ingest.pipeline import current_info, ensure_index
    from settings import Settings

    s = Settings().with_(index_dir=tmp_path_factory.getbasetemp() / "iij-index", filing=IIJ)
    info = ensure_index(s)
    before = _fingerprint(info.path)
    yield s, info
    now = current_info(s)
    assert now is not None and now.version == info.version and _fingerprint(info.path) == before, \
        f"a test wrote into the shared index {s.index_dir}; copy it with the iij_index_copy fixture"


def copy_index(iij_index, dest: Path):
    """A private, writable copy of the shared index: (Settings pointing at it, its IndexInfo)."""
    from ingest.pipeline import current_info

    shutil.copytree(iij_index[0].index_dir, dest)
    s = iij_index[0].with_(index_dir=dest)
    return s, current_info(s)


@pytest.fixture
def iij_index_copy(iij_index, tmp_path: Path):
    return copy_index(iij_index, tmp_path / "iij-index")


@pytest.fixture(scope="session")
def engine(iij_index):
    """One warm engine on the shared index for every module that only asks questions."""
    from retrieval.engine import Engine

    e = Engine(*iij_index)
    e.warm()
    return e


# ---------------------------------------------------------------- the real app


def start_app(env: dict, log_path: Path, ready: bool = True) -> tuple[subprocess.Popen, str]:
    """Start `python app.py` with `env` on a free port; return it with its URL once it answers /chat
    from its finished index (ready=False: once the page serves)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "FQA_AUTH"} | env | {"FQA_HOST": "127.0.0.1", "FQA_PORT": str(port)}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(url):
            if proc.poll() is not None:
                pytest.fail(f"app.py exited ({proc.returncode}) before serving; log {log_path}:\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"app.py not serving after {START_TIMEOUT_S}s; log {log_path}:\n{_tail(log_path)}")
            time.sleep(0.2)
        if ready:
            # The page serves at once; the first API answer waits until an engine answers (on a first start,
            # from the index's records while its vectors are built), and the tests ask the finished index.
            from gradio_client import Client

            Client(url, verbose=False).predict("What is EBITDA?", api_name="/chat")
            wait_ready(proc, log_path, deadline)
    except BaseException:
        stop_app(proc)
        raise
    return proc, url


READY_LINE = "[filing-qa] ready to answer"


def wait_ready(proc: subprocess.Popen, log_path: Path, deadline: float) -> None:
    """Until the app says its finished index answers (time.monotonic() deadline)."""
    while READY_LINE not in log_path.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"app.py did not get ready; log {log_path}:\n{_tail(log_path)}")
        time.sleep(0.2)


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def app_url(iij_index, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python app.py` on the IIJ filing, serving from a copy of the shared index; yields its URL."""
    index, _ = copy_index(iij_index, tmp_path_factory.mktemp("app-index") / "index")
    proc, url = start_app({"FQA_INDEX_DIR": str(index.index_dir)}, tmp_path_factory.mktemp("app") / "app.log")
    try:
        yield url
    finally:
        stop_app(proc)


# ---------------------------------------------------------------- tiers

# A test that uses one of these fixtures runs the real model, index or app: it belongs to the slow tier.
REAL_PARTS = {"iij_index", "iij_index_copy", "engine", "app_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if REAL_PARTS & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
