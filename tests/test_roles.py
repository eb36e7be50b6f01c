"""Roles of rows (top line, operating result, bottom line, attributable, reconciling) and the
everyday words that name them, on the real IIJ index."""
from __future__ import annotations

import pytest

from retrieval.roles import _data


def test_everyday_words_name_roles_not_line_items(engine):
    roles = engine._load().roles
    assert roles.intent("what were our total sales in the ?") == "top line"
    assert roles.intent("how much profit did the company make") == "bottom line"
    assert roles.intent("IIJ's net income") == "bottom line"  # the company's own name adds nothing
    assert roles.intent("operating income") == "operating result"
    assert roles.intent("equipment sales") is None  # a line item keeps its own name
    assert roles.intent("SI revenue") is None


def test_roles_read_from_labels_and_headings(engine):
    roles = engine._load().roles
    labels = {role: {r.first.metric for r in rows} for role, rows in roles.rows.items()}
    assert "Total revenues" in labels["top line"]
    assert "OPERATING INCOME" in labels["operating result"]
    assert "NET INCOME ATTRIBUTABLE TO INTERNET INITIATIVE JAPAN INC." in labels["attributable"]
    assert "Elimination" in labels["reconciling"]
    assert not any("Equipment" in x for x in labels["top line"])
    # A segment's operating income sits under the segment's name: it is not the company's.
    assert not any(len(r.first.row_path) > 1 and "business" in r.first.row_path[0].lower() for r in roles.rows["operating result"])


@pytest.mark.parametrize("question,lead,value", [
    ("did we make money?", "Yes, the company made a profit of JPY 2.01 billion in 1H FY2012", 2007156000),
    ("did we lose money in the first half?", "No, the company made a profit of JPY 2.01 billion in 1H FY2012", 2007156000),
    ("how much profit did we make in the second quarter?", "The company made a profit of JPY 1.11 billion in 2Q FY2012", 1110449000),
])
def test_profit_is_said_as_profit_or_loss(engine, question, lead, value):
    a = engine.answer(question)
    assert a.summary.startswith(lead), a.summary
    assert (a.value, a.unit) == (value, "JPY")
    assert "attributable to" in engine.filing_lines()[a.sources[0].line - 1].lower()


def test_role_patterns_are_whole_labels():
    for role, pat in _data()["label_re"].items():
        assert not pat.match("equipment sales"), role
    assert _data()["label_re"]["top line"].match("total net revenue")
    assert _data()["label_re"]["bottom line"].match("profit for the period")


MINI = """Acme Corp. Results (in thousands, except for revenue growth):

Table

\tYear Ended December 31, 2019\tYear Ended December 31, 2018
Revenue\t$576,523\t$537,891
Revenue growth\t7.2%\t11.6%
Net income (loss)\t(19,900)\t(50,540)
Net income (loss) attributable to common shareholders, after earnings allocated to participating securities\t(19,741)\t(50,540)
"""


@pytest.mark.slow  # ingests a small filing with the real model
def test_a_label_said_whole_beats_the_role_and_common_shareholders_are_not_the_company(tmp_path):
    from ingest.pipeline import ensure_index
    from retrieval.engine import Engine
    from settings import Settings

    filing = tmp_path / "acme.txt"
    filing.write_text(MINI)
    s = Settings.from_env().with_(filing=filing, index_dir=tmp_path / "index")
    e = Engine(s, ensure_index(s))
    a = e.answer("What is the change in revenue growth between 2019 and 2018?")
    assert (round(a.value, 2), a.unit) == (-4.4, "pp"), a.summary  # the printed growth row, not revenue
    b = e.answer("What were sales in 2019?")
    assert (b.value, b.unit) == (576523000, "USD"), b.summary
    c = e.answer("did we make money in 2019?")
    assert (c.value, c.unit) == (-19900000, "USD") and c.summary.startswith("No, the company made a loss of USD 19.9 million")
