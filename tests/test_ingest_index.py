"""The index pipeline: build aside and swap in, reuse, survive a killed ingest, rebuild a damaged index,
and reject bad inputs with a message naming the file (and line). The fast HashEmbedder stands in for the
model everywhere except one test that runs the real default embedder."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.embedding import Embedder, HashEmbedder
from ingest.errors import IngestError
from ingest.parser import parse_filing
from ingest.pipeline import chroma_client, current_info, ensure_index, load_records, open_collections
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
IIJ = ROOT / "data" / "iij_1h_fy2012.txt"
BAD = ROOT / "tests" / "fixtures" / "filings" / "bad"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def _settings(index_dir: Path, filing: Path = IIJ) -> Settings:
    return Settings().with_(filing=filing, index_dir=index_dir)


def _chroma_count(settings: Settings, info) -> int:
    client = chroma_client(settings, info.path / "chroma")
    try:
        return sum(c.count() for c in open_collections(client, info).values())
    finally:
        client.close()


def _assert_loads(settings: Settings, info) -> None:
    facts, chunks, conflicts, lines = load_records(info)
    assert len(facts) == info.n_facts and len(chunks) == info.n_chunks and len(conflicts) == info.n_conflicts
    assert _chroma_count(settings, info) == info.n_chunks


def _modified_copy(tmp_path: Path) -> Path:
    text = IIJ.read_text(encoding="utf-8").replace("47,207\t51,109\t8.3", "47,208\t51,109\t8.3", 1)
    assert text != IIJ.read_text(encoding="utf-8")
    path = tmp_path / "iij_modified.txt"
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- build and reuse


def test_build_then_reuse_is_a_no_op(tmp_path):
    s = _settings(tmp_path / "index")
    info = ensure_index(s, embedder=HashEmbedder())
    assert not info.reused
    assert (info.n_tables, info.n_facts, info.n_conflicts) == (29, 1042, 1)
    assert (tmp_path / "index" / "CURRENT").read_text() == info.version
    for name in ("manifest.json", "facts.jsonl", "chunks.jsonl", "conflicts.json", "tables.json", "filing.txt", "chroma"):
        assert (info.path / name).exists(), name
    assert not list((tmp_path / "index").glob(".build-*"))
    _assert_loads(s, info)
    manifest = json.loads((info.path / "manifest.json").read_text())
    assert manifest["model"] == "hash-test-embedder" and manifest["n_docs"] == info.n_chunks

    folder_mtime = info.path.stat().st_mtime_ns
    manifest_mtime = (info.path / "manifest.json").stat().st_mtime_ns
    again = ensure_index(s, embedder=HashEmbedder())
    assert again.reused
    assert again.path == info.path and again.version == info.version
    assert info.path.stat().st_mtime_ns == folder_mtime
    assert (info.path / "manifest.json").stat().st_mtime_ns == manifest_mtime
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == sorted(["CURRENT", info.version])


def test_a_new_filing_version_swaps_in_and_the_old_one_is_kept(tmp_path):
    s = _settings(tmp_path / "index")
    old = ensure_index(s, embedder=HashEmbedder())
    new = ensure_index(s, embedder=HashEmbedder(), filing=_modified_copy(tmp_path))
    assert new.version != old.version and not new.reused
    assert current_info(s).version == new.version
    assert old.path.exists()  # the previous complete version stays for a reader that still holds it
    back = ensure_index(s, embedder=HashEmbedder())
    assert back.reused and back.version == old.version and current_info(s).version == old.version


# ---------------------------------------------------------------- a killed ingest


def test_killed_ingest_leaves_the_old_index_current(tmp_path):
    index_dir = tmp_path / "index"
    s = _settings(index_dir)
    old = ensure_index(s, embedder=HashEmbedder())
    modified = _modified_copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FQA_")}
    # The real model makes this ingest take seconds after its .build-* folder appears: time to kill it.
    proc = subprocess.Popen([PYTHON, "-m", "ingest", str(modified), "--index", str(index_dir)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not list(index_dir.glob(".build-*")):
            assert proc.poll() is None, f"ingest ended before building: {proc.communicate()}"
            assert time.monotonic() < deadline, "no .build-* folder after 60 s"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    leftovers = list(index_dir.glob(".build-*"))
    assert leftovers  # killed mid-way: its half-built folder is still there...
    assert (index_dir / "CURRENT").read_text() == old.version  # ...but CURRENT never moved
    info = current_info(s)
    assert info.version == old.version and info.n_facts == old.n_facts
    _assert_loads(s, info)
    assert ensure_index(s, embedder=HashEmbedder()).reused
    # The next completed build clears what the dead process left behind.
    new = ensure_index(s, embedder=HashEmbedder(), filing=modified)
    assert not new.reused and current_info(s).version == new.version
    assert not list(index_dir.glob(".build-*"))


# ---------------------------------------------------------------- damaged index folders


@pytest.mark.parametrize("damage", ["delete_chroma", "truncate_facts", "empty_facts", "corrupt_manifest", "delete_chunks"])
def test_damaged_index_is_detected_and_rebuilt(tmp_path, damage):
    s = _settings(tmp_path / "index")
    info = ensure_index(s, embedder=HashEmbedder())
    facts = info.path / "facts.jsonl"
    if damage == "delete_chroma":
        import shutil

        shutil.rmtree(info.path / "chroma")
    elif damage == "truncate_facts":
        data = facts.read_bytes()
        facts.write_bytes(data[: len(data) // 2])
    elif damage == "empty_facts":
        facts.write_bytes(b"")
    elif damage == "corrupt_manifest":
        (info.path / "manifest.json").write_text('{"version": ')
    elif damage == "delete_chunks":
        (info.path / "chunks.jsonl").unlink()
    messages: list[str] = []
    rebuilt = ensure_index(s, embedder=HashEmbedder(), progress=messages.append)
    assert not rebuilt.reused
    assert rebuilt.version == info.version and rebuilt.path == info.path
    assert any("incomplete or damaged" in m for m in messages), messages
    _assert_loads(s, rebuilt)
    assert ensure_index(s, embedder=HashEmbedder()).reused


# ---------------------------------------------------------------- bad inputs


def _latin1_line() -> int:
    data = (BAD / "latin1.txt").read_bytes()
    return data[: data.index(b"\xe9")].count(b"\n") + 1


BAD_INPUTS = [
    ("missing", lambda tmp: tmp / "no_such_filing.txt", "file not found", None),
    ("empty", lambda tmp: BAD / "empty.txt", "empty", None),
    ("binary", lambda tmp: BAD / "image.png", "binary", None),
    ("latin1", lambda tmp: BAD / "latin1.txt", "not valid UTF-8", _latin1_line),
    ("prose_only", lambda tmp: BAD / "prose_only.txt", "no tables found", None),
    ("folder", lambda tmp: tmp, "folder", None),
]


@pytest.mark.parametrize("kind,path_of,words,line_of", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_raises_ingest_error(tmp_path, kind, path_of, words, line_of):
    path = path_of(tmp_path)
    index_dir = tmp_path / "index"
    with pytest.raises(IngestError) as err:
        ensure_index(_settings(index_dir, path), embedder=HashEmbedder())
    msg = str(err.value)
    assert str(path) in msg and words in msg
    if line_of is not None:
        assert line_of() == 6 and f"line {line_of()}" in msg
    assert not index_dir.exists()  # nothing half-made is left for a bad filing
    with pytest.raises(IngestError):
        parse_filing(path)


@pytest.mark.parametrize("kind,path_of,words,line_of", BAD_INPUTS[:5], ids=[b[0] for b in BAD_INPUTS[:5]])
def test_cli_exits_2_on_bad_input(tmp_path, kind, path_of, words, line_of):
    path = path_of(tmp_path)
    r = subprocess.run([PYTHON, "-m", "ingest", str(path), "--index", str(tmp_path / "index")], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "error:" in r.stderr and str(path) in r.stderr and words in r.stderr
    if line_of is not None:
        assert f"line {line_of()}" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_ragged_rows_warn_and_keep_the_rest(tmp_path):
    path = BAD / "ragged.txt"
    parsed = parse_filing(path)
    kept = [w for w in parsed.warnings if w.startswith("line 8:")]
    skipped = [w for w in parsed.warnings if w.startswith("line 17:")]
    assert len(parsed.warnings) == 2 and kept and skipped
    assert "skipped" in skipped[0] and "skipped" not in kept[0]
    # Line 8 lacks only its trailing % change: its two values fill the period columns.
    south = {(f.period.label, f.qualifier): f.value for f in parsed.facts if f.line == 8}
    assert south == {("FY2020", ""): 80e6, ("FY2019", ""): 75e6}
    # Line 17 has two of three quarters: which two is ambiguous, so none is read; the other rows are.
    assert not [f for f in parsed.facts if f.line == 17]
    assert {f.line for f in parsed.facts} == {7, 8, 9, 10, 16, 18}
    messages: list[str] = []
    info = ensure_index(_settings(tmp_path / "index", path), embedder=HashEmbedder(), progress=messages.append)
    assert info.n_facts == len(parsed.facts) and len(info.warnings) == 2
    assert any(m.startswith(f"warning: {path}, line 8:") for m in messages), messages
    assert any(m.startswith(f"warning: {path}, line 17:") for m in messages), messages


@pytest.mark.parametrize("cut", ["mid_label", "mid_number", "after_a_tab", "mid_last_cell"])
def test_filing_truncated_mid_table_still_ingests(tmp_path, cut):
    lines = IIJ.read_text(encoding="utf-8").split("\n")
    row = lines[299]  # line 300: NET INVESTMENT IN SALES-TYPE LEASES ... 935,446  10,192  794,191
    head = "\n".join(lines[:299]) + "\n"
    tail = {
        "mid_label": row[:30],
        "mid_number": row[: row.index("10,192") + 3],
        "after_a_tab": row[: row.index("10,192")],
        "mid_last_cell": row[: row.index("794,191") + 2],
    }[cut]
    path = tmp_path / "iij_truncated.txt"
    path.write_text(head + tail, encoding="utf-8")
    parsed = parse_filing(path)
    assert len(parsed.tables) == 8
    full = parse_filing(IIJ)
    before = [(f.line, f.period.label, f.unit, f.value) for f in full.facts if f.line < 300 and f.table_id != "note"]
    assert [(f.line, f.period.label, f.unit, f.value) for f in parsed.facts if f.line < 300] == before
    line300 = [f for f in parsed.facts if f.line == 300]
    if cut == "mid_label":
        assert not line300 and parsed.warnings == []
    else:
        assert any(w.startswith("line 300:") and "truncated" in w for w in parsed.warnings), parsed.warnings
        # A figure that may have been cut short is never read as a (wrong) smaller number.
        assert all(f.cell_text in ("935,446", "10,192") for f in line300)
    info = ensure_index(_settings(tmp_path / "index", path), embedder=HashEmbedder())
    assert info.n_tables == 8 and info.n_facts == len(parsed.facts)


# ---------------------------------------------------------------- the real embedder


def test_real_embedder_finds_the_cash_rows(iij_index):
    s, info = iij_index  # built with the real model once per session (tests/conftest.py)
    assert json.loads((info.path / "manifest.json").read_text())["model"] == s.model
    embedder = Embedder(s.model)
    client = chroma_client(s, info.path / "chroma")
    try:
        col = open_collections(client, info)["table_row"]
        assert col.count() == sum(1 for c in load_records(info)[1] if c.kind == "table_row")
        res = col.query(query_embeddings=[embedder.embed_query("cash and cash equivalents at end of September")], n_results=5)
    finally:
        client.close()
    top = [(m["kind"], m["line"]) for m in res["metadatas"][0]]
    # Rows that state cash and cash equivalents at a September 30 end: the balance sheet (286) and the
    # cash-flow statements' END OF THE PERIOD rows (479 six months, 719 three months).
    assert {line for kind, line in top if kind == "table_row"} & {286, 479, 719}, top
