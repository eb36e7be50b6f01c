"""Optional LLM phrasing, with a fake chat model: its words may change, its numbers may not."""
from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from retrieval.phrasing import PhrasingError, build_chat_model, phrase
from schema import Answer, Source
from settings import Settings


def answer():
    return Answer("q", "text", True, 51109001000.0, "JPY", None,
                  [Source("table_row", "S", 364, "51,109,001", "Income", "Total revenues", "1H FY2012")],
                  summary="Total revenues for 1H FY2012 was JPY 51.11 billion, up 8.3% from JPY 47.21 billion a year earlier.")


def test_model_wording_is_used_when_its_numbers_match():
    model = FakeListChatModel(responses=["IIJ took in JPY 51.11 billion in the first half, 8.3% more than the JPY 47.21 billion a year before."])
    out = phrase(answer(), model)
    assert out.summary.startswith("IIJ took in JPY 51.11 billion")
    assert out.value == 51109001000.0 and out.sources == answer().sources


def test_model_wording_with_a_new_number_is_dropped():
    model = FakeListChatModel(responses=["Revenue was JPY 52 billion, up 9%."])
    out = phrase(answer(), model)
    assert out.summary == answer().summary


def test_model_failure_keeps_the_deterministic_answer():
    class Broken:
        def invoke(self, _):
            raise RuntimeError("endpoint down")

    assert phrase(answer(), Broken()).summary == answer().summary


def test_default_backend_is_deterministic_and_unknown_backends_are_named():
    assert build_chat_model(Settings()) is None
    with pytest.raises(PhrasingError, match="FQA_ANSWER_BACKEND"):
        build_chat_model(Settings(answer_backend="gpt-pretend"))
