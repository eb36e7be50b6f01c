"""Faults in the index and the vector store: nothing is lost and answers keep coming.

- Chroma in server mode: the test starts `chroma run` itself on 127.0.0.1 (free port, temp folder),
  ingests into it, answers through it exactly as the embedded store does, kills the server
  mid-session (answers still come, from lexical search), restarts it on the same port and folder
  (dense search works again). The `chroma` command is the one installed with the running
  interpreter's chromadb; without it the test skips, and fails under CI=true.
- Damage that tests/test_ingest_index.py does not already cover is detected and rebuilt.
- A build that fails half-way leaves the serving index as it was.
"""
from __future__ import annotations

import logging
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Iterator, Optional

import pytest

from conftest import chroma_binary, require
from ingest.embedding import Embedder, HashEmbedder
from ingest.errors import IngestError
from ingest.pipeline import chroma_client, current_info, ensure_index, load_records, open_collections
from retrieval.engine import Engine
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
IIJ = ROOT / "data" / "iij_1h_fy2012.txt"
CASH_Q = "How much cash did IIJ have at the end of September 2012?"
CASH_SEPT_2012 = 11_670_450_000.0
START_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VectorsOf(Embedder):
    """The real model, answering embed_documents from an index's stored vectors: ingests in seconds."""

    def __init__(self, settings: Settings, info) -> None:
        super().__init__(settings.model)
        client = chroma_client(settings, info.path / "chroma")
        try:
            got = [c.get(include=["documents", "embeddings"]) for c in open_collections(client, info).values()]
        finally:
            client.close()
        self.cache = {d: list(map(float, v)) for g in got for d, v in zip(g["documents"], g["embeddings"])}

    def embed_documents(self, texts, progress=False):
        missing = [t for t in texts if t not in self.cache]
        for t, v in zip(missing, super().embed_documents(missing)):
            self.cache[t] = v
        return [self.cache[t] for t in texts]


# ---------------------------------------------------------------- Chroma server mode


class ChromaServer:
    """`chroma run` on loopback; always stopped by the fixture."""

    def __init__(self, chroma: Path, path: Path, log: Path) -> None:
        self.chroma, self.path, self.log, self.port = chroma, path, log, _free_port()
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([str(self.chroma), "run", "--host", "127.0.0.1", "--port", str(self.port),
                                          "--path", str(self.path)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            try:
                with opener.open(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            assert self.proc.poll() is None, f"chroma exited ({self.proc.returncode}): {self.log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"chroma not up after {START_TIMEOUT_S}s"
            time.sleep(0.1)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    chroma = require("the `chroma` server command", chroma_binary(),
                     "it is installed with chromadb by scripts/setup.sh (requirements.txt)")
    server = ChromaServer(chroma, tmp_path / "chroma-server", tmp_path / "chroma.log")
    try:
        server.start()
        yield server
    finally:
        server.kill()


# Answered through the server exactly as from the embedded store: a lookup, a derived figure, a
# passage, a share and a definition (value, unit and cited lines compared).
THROUGH_SERVER = [CASH_Q, "What were total revenues in 1H12?", "How did SI gross margin change?",
                  "Why did revenue increase?", "What share of revenue came from network services?", "What is EBITDA?"]


def test_chroma_server_killed_and_restarted_mid_session(chroma_server, iij_index, engine, tmp_path, caplog):
    base, local = iij_index
    embedded = engine
    # Every answer searches the store here (no lexical lead skips it): each one must survive the outage.
    s = base.with_(index_dir=tmp_path / "index", chroma_mode="server", chroma_host="127.0.0.1",
                   chroma_port=chroma_server.port, dense_margin=float("inf"))
    info = ensure_index(s, embedder=VectorsOf(base, local))
    assert info.version == local.version and info.n_chunks == local.n_chunks
    client = chroma_client(s, tmp_path)
    try:
        assert sum(c.count() for c in open_collections(client, info).values()) == info.n_chunks  # the vectors live in the server
    finally:
        client.close()
    engine = Engine(s, info)
    engine.filing_lines()  # loads the engine
    dense = engine.rows.dense
    assert dense is not None and engine.passages.dense is dense

    a = engine.answer(CASH_Q)
    assert a.value == CASH_SEPT_2012 and dense.ok is True and dense.failures == 0
    calls = dense.calls
    for q in THROUGH_SERVER:
        got, want = engine.answer(q), embedded.answer(q)
        assert got.answerable and got.sources, (q, got.summary)
        assert (got.value, got.unit, [x.line for x in got.sources]) == (want.value, want.unit, [x.line for x in want.sources]), q
    assert dense.calls > calls and dense.ok is True and dense.failures == 0  # every one searched the server
    for kind in ("table_row", "text"):  # the server returns what the embedded store returns
        query = "cash and cash equivalents at end of September"
        assert [i for i, _ in dense.search(query, 5, kind)] == [i for i, _ in embedded.rows.dense.search(query, 5, kind)]

    chroma_server.kill()
    caplog.set_level(logging.WARNING, logger="filing-qa.search")
    dense.retry_after_s = 0  # retry on every call: the warning must still come once per outage
    t = time.monotonic()
    answers = [engine.answer(q) for q in (CASH_Q, "What were total revenues in 1H12?", "Why did revenue increase?", CASH_Q)]
    assert time.monotonic() - t < 30
    assert [a.value for a in answers] == [CASH_SEPT_2012, 51_109_001_000.0, None, CASH_SEPT_2012]
    assert answers[2].answerable and answers[2].sources and answers[2].sources[0].kind == "text"
    assert dense.ok is False and dense.failures >= 4 and "connect" in dense.last_error.lower()
    warned = [r for r in caplog.records if r.name == "filing-qa.search"]
    assert len(warned) == 1 and "lexical search only" in warned[0].getMessage()

    chroma_server.start()  # same port, same folder: the collection is still there
    a = engine.answer(CASH_Q)
    assert a.value == CASH_SEPT_2012
    assert dense.ok is True and dense.recoveries == 1
    assert any("works again" in r.getMessage() for r in caplog.records if r.name == "filing-qa.search")
    hits = dense.search("cash and cash equivalents at end of September", 5, "table_row")
    assert hits and dense.ok is True


def test_dense_backs_off_then_reconnects_through_connect():
    from retrieval.search import Dense

    class Down:
        def query(self, **_):
            raise ConnectionError("refused")

    class Up:
        def query(self, **_):
            return {"ids": [["a", "b"]], "distances": [[0.1, 0.3]]}

    store = {"col": Down()}
    d = Dense(None, HashEmbedder(), connect=lambda: {"text": store["col"]})
    d.retry_after_s = 60
    assert d.search("x", 2, "text") == [] and d.ok is False and d.failures == 1
    assert d.search("x", 2, "text") == [] and d.failures == 1  # backing off: the store is not called
    store["col"] = Up()
    d._failed_at -= 61  # the back-off has passed
    assert d.search("x", 2, "text") == [("a", 0.9), ("b", 0.7)] and d.ok is True and d.recoveries == 1


# ---------------------------------------------------------------- damaged index folders (new kinds)


@pytest.fixture(scope="module")
def hash_index(tmp_path_factory) -> tuple[Settings, Path]:
    s = Settings().with_(index_dir=tmp_path_factory.mktemp("hash") / "index")
    ensure_index(s, embedder=HashEmbedder())
    return s, s.index_dir


def _damage(kind: str, folder: Path) -> None:
    if kind == "garbage_vector_store":
        (folder / "chroma" / "chroma.sqlite3").write_bytes(b"\x13\x37 not sqlite " * 400)
    elif kind == "fact_of_the_wrong_shape":
        lines = (folder / "facts.jsonl").read_text(encoding="utf-8").splitlines()
        lines[3] = '{"id": "x", "value": "lots"}'
        (folder / "facts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif kind == "chunk_not_json":
        with open(folder / "chunks.jsonl", "r+b") as f:
            f.seek(100)
            f.write(b"\x00\xff\x00garbage")
    elif kind == "calendar_missing":
        (folder / "calendar.json").unlink()
    elif kind == "filing_copy_not_utf8":
        (folder / "filing.txt").write_bytes(b"\xff\xfe\x00bad" * 100)
    elif kind == "tables_truncated":
        data = (folder / "tables.json").read_bytes()
        (folder / "tables.json").write_bytes(data[: len(data) // 2])


DAMAGE = ["garbage_vector_store", "fact_of_the_wrong_shape", "chunk_not_json", "calendar_missing",
          "filing_copy_not_utf8", "tables_truncated"]


@pytest.mark.parametrize("kind", DAMAGE)
def test_new_kinds_of_damage_are_detected_and_rebuilt(hash_index, tmp_path, kind):
    s0, built = hash_index
    s = s0.with_(index_dir=tmp_path / "index")
    shutil.copytree(built, s.index_dir)
    info = current_info(s)
    _damage(kind, info.path)
    messages: list[str] = []
    rebuilt = ensure_index(s, embedder=HashEmbedder(), progress=messages.append)
    assert not rebuilt.reused and rebuilt.version == info.version
    damaged = [m for m in messages if "incomplete or damaged" in m]
    assert len(damaged) == 1 and str(info.path) in damaged[0] and "(" in damaged[0], messages
    facts, chunks, _, _ = load_records(rebuilt)
    assert len(facts) == rebuilt.n_facts and len(chunks) == rebuilt.n_chunks
    e = Engine(s, rebuilt, embedder=HashEmbedder())
    assert e.filing_lines()[0] == IIJ.read_text(encoding="utf-8").split("\n")[0]
    assert ensure_index(s, embedder=HashEmbedder()).reused


def test_an_unwritable_index_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(IngestError) as err:
        ensure_index(Settings().with_(index_dir=blocker / "index"), embedder=HashEmbedder())
    assert str(blocker / "index") in str(err.value) and "writable folder" in str(err.value)


def test_a_second_filing_with_a_new_name_replaces_the_first_without_mixing(hash_index, tmp_path):
    s0, built = hash_index
    s = s0.with_(index_dir=tmp_path / "index")
    shutil.copytree(built, s.index_dir)
    iij = current_info(s)
    northwind = ROOT / "tests" / "fixtures" / "filings" / "northwind_fy2019.txt"
    info = ensure_index(s.with_(filing=northwind), embedder=HashEmbedder())
    assert not info.reused and info.filing == "northwind_fy2019.txt" and current_info(s).version == info.version
    assert iij.path.exists()  # the previous filing's index stays until it is pruned
    e = Engine(s.with_(filing=northwind), info, embedder=HashEmbedder())
    a = e.answer("What was net revenue in fiscal 2019?")
    assert a.value == 1_482_600_000 and all(src.line == 31 for src in a.sources), a.summary
    old = e.answer(CASH_Q)  # IIJ's figures are gone from this engine: no stale answer from the old filing
    assert old.value is None and "11,670" not in old.text and "11.67" not in old.text
    again = ensure_index(s.with_(filing=northwind), embedder=HashEmbedder())
    assert again.reused and again.version == info.version  # the same filing twice: nothing rebuilt


# ---------------------------------------------------------------- a failed build changes nothing


class FailingEmbedder(HashEmbedder):
    """Fails after the first batch, like a build that runs out of memory half-way."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def embed_documents(self, texts, progress=False):
        self.calls += 1
        if self.calls > 1:
            raise MemoryError("simulated: out of memory while embedding")
        return super().embed_documents(texts)


def test_a_build_that_fails_half_way_leaves_the_serving_index(hash_index, tmp_path):
    s0, built = hash_index
    s = s0.with_(index_dir=tmp_path / "index")
    shutil.copytree(built, s.index_dir)
    before = current_info(s)
    listing = sorted(p.name for p in s.index_dir.iterdir())
    changed = tmp_path / "iij_changed.txt"
    changed.write_text(IIJ.read_text(encoding="utf-8").replace("47,207\t51,109\t8.3", "47,208\t51,109\t8.3", 1),
                       encoding="utf-8")
    with pytest.raises(MemoryError):
        ensure_index(s, embedder=FailingEmbedder(), filing=changed)
    with pytest.raises(IngestError):
        ensure_index(s, embedder=HashEmbedder(), filing=ROOT / "tests" / "fixtures" / "filings" / "bad" / "image.png")
    assert sorted(p.name for p in s.index_dir.iterdir()) == listing  # no .build-* left, CURRENT unchanged
    after = current_info(s)
    assert after.version == before.version
    assert ensure_index(s, embedder=HashEmbedder()).reused
