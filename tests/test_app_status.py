"""The page serves before the index is ready: questions then get the status, not an error; on a first
start they are answered from the index's records while its vectors are built."""
from __future__ import annotations

import threading
from pathlib import Path

import app
from ingest.embedding import HashEmbedder
from ingest.pipeline import current_info, ensure_index
from settings import Settings

IIJ = Path(__file__).resolve().parent.parent / "data" / "iij_1h_fy2012.txt"
CASH_Q = "How much cash did IIJ have at the end of September 2012?"
CASH_SEPT_2012 = 11_670_450_000.0


class FakeEngine:
    def answer(self, q, history):
        from schema import Answer, Source

        return Answer(q, "text", True, 1.0, "JPY", None, [Source("table_row", "S", 7, "1")], summary="One yen.")


def test_questions_during_the_build_get_the_status_line():
    backend = app.Backend(Settings(), ["line 1"])
    backend.status = "embedding 520 passages and table rows"
    ask = app.Asker(Settings(), backend)
    text, cited, answer = ask("What were revenues?", [])
    assert "embedding 520 passages" in text and "ask again" in text and answer is None and not cited
    assert backend.status_line().startswith("**Getting ready:**")


def test_answers_flow_once_ready_and_a_failure_is_shown_plainly():
    backend = app.Backend(Settings(), ["line 1"])
    backend.engine = FakeEngine()
    backend.ready.set()
    text, cited, answer = app.Asker(Settings(), backend)("What were revenues?", [])
    assert text.startswith("One yen.") and cited == {7} and backend.status_line() == ""
    broken = app.Backend(Settings(), [])
    broken.failed = "The filing index could not be prepared: disk full"
    broken.ready.set()
    text, _, answer = app.Asker(Settings(), broken)("What were revenues?", [])
    assert "disk full" in text and answer is None


# ---------------------------------------------------------------- a first start answers from the records


class GatedEmbedder(HashEmbedder):
    """Embeds once let through (or fails, as a build out of memory would): the test asks its
    questions while the build waits with its records written and no vectors."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.go = threading.Event()
        self.fail = fail

    def embed_documents(self, texts, progress=False):
        assert self.go.wait(60), "the test never let the build go on"
        if self.fail:
            raise MemoryError("simulated: out of memory while embedding")
        return super().embed_documents(texts)


def _first_start(tmp_path: Path, embedder: GatedEmbedder) -> tuple[app.Backend, Settings, threading.Thread]:
    s = Settings().with_(index_dir=tmp_path / "index")
    backend = app.Backend(s, IIJ.read_text(encoding="utf-8").split("\n"), embedder=embedder)
    thread = threading.Thread(target=backend.prepare, args=(lambda _msg: None,), daemon=True)
    thread.start()
    assert backend.serving.wait(60) and not backend.failed
    return backend, s, thread


def _build_folders(s: Settings) -> list[str]:
    return sorted(p.name.split("-")[0] for p in s.index_dir.iterdir())


def test_a_first_start_answers_from_the_records_while_the_vectors_are_built(tmp_path):
    gated = GatedEmbedder()
    backend, s, thread = _first_start(tmp_path, gated)
    ask = app.Asker(s, backend)
    try:
        assert not backend.ready.is_set() and backend.lexical
        assert backend.status_line().startswith("**Answering from the filing's tables**"), backend.status_line()
        text, cited, a = ask(CASH_Q, [])
        assert a.value == CASH_SEPT_2012 and cited and text.endswith(app.LEXICAL_NOTE), text
        why, _, w = ask("Why did revenue increase?", [])
        assert w.answerable and w.sources[0].kind == "text" and why.endswith(app.LEXICAL_NOTE), why
        # Nothing of the build is an index yet: no CURRENT, no version folder, only the build's own folder.
        assert current_info(s) is None and _build_folders(s) == [".build"]
    finally:
        gated.go.set()
    thread.join(60)
    assert backend.ready.is_set() and not backend.lexical and backend.status_line() == ""
    text, cited, a = ask(CASH_Q, [])
    assert a.value == CASH_SEPT_2012 and cited and app.LEXICAL_NOTE not in text
    assert ensure_index(s, embedder=HashEmbedder()).reused


def test_a_first_start_whose_build_fails_stops_answering_and_leaves_no_index(tmp_path):
    gated = GatedEmbedder(fail=True)
    backend, s, thread = _first_start(tmp_path, gated)
    assert app.Asker(s, backend)(CASH_Q, [])[2].value == CASH_SEPT_2012
    gated.go.set()
    thread.join(60)
    text, cited, a = app.Asker(s, backend)(CASH_Q, [])
    assert a is None and "out of memory" in text and backend.status_line().startswith("**Not ready:**")
    assert current_info(s) is None and _build_folders(s) == []
