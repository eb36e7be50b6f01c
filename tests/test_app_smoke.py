"""The real app, started as `python app.py`, answers over its public API: /chat in Markdown, /answer as data."""
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


def test_answer_api_returns_the_chart_as_data(client: Client) -> None:
    data = client.predict("show me revenue by segment", api_name="/answer")
    chart = data["chart"]
    # The segment table in thousands (each segment heads its customers and intersegment lines), not its summary in millions.
    assert chart["kind"] == "breakdown" and chart["unit"] == "JPY" and chart["caption"] == "From \u201cRevenues\u201d, lines 509, 512."
    assert [(p["label"], p["period"], p["value"], p["lines"]) for p in chart["series"]] == [
        ("Network service and systems integration business", "1H FY2012", 50_310_706e3, [509]), ("ATM operation business", "1H FY2012", 1_082_005e3, [512])]
    assert [f["lines"] for f in data["figures"]] == [[509], [512]]
    single = client.predict("What were total revenues?", api_name="/answer")
    assert single["chart"] is None and single["value"] == 51_109_001e3
