"""The real app, started as `python app.py`, answers over its public /chat API."""
from __future__ import annotations

import re

import pytest
from gradio_client import Client


@pytest.fixture(scope="module")
def client(app_url: str) -> Client:
    return Client(app_url, verbose=False)


def test_chat_api_answers_a_lookup_with_a_source_line(client: Client) -> None:
    text = client.predict("How much cash did IIJ have at the end of September 2012?", api_name="/chat")
    assert isinstance(text, str)
    assert "11,670" in text or "11.67" in text, text
    assert "JPY" in text, text
    assert re.search(r"\bLine \d+", text), text


def test_chat_api_empty_question_gets_a_friendly_reply(client: Client) -> None:
    text = client.predict("   ", api_name="/chat")
    assert "Please type a question" in text, text
