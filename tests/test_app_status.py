"""The page serves before the index is ready: questions then get the status, not an error."""
from __future__ import annotations

import app
from settings import Settings


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
