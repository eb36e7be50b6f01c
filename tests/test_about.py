"""The app speaks of the loaded filing: its company's name, examples from its own tables and periods,
and help and replies that mention no other company. Every example answers on its filing."""
from __future__ import annotations

from pathlib import Path

import pytest

import app
from about import FALLBACK_COMPANY, about, company_name
from ingest.embedding import HashEmbedder
from ingest.parser import parse_filing, read_filing
from ingest.pipeline import ensure_index
from retrieval.engine import Engine
from retrieval.text import glossary
from settings import ROOT, Settings

FILINGS = ROOT / "tests" / "fixtures" / "filings"
IIJ_WORDING = ("IIJ", "Internet Initiative")
CASES = [  # filing, company, words the figure example must hold
    (ROOT / "data" / "iij_1h_fy2012.txt", "Internet Initiative Japan Inc.", ("revenues", "1H FY2012")),
    (FILINGS / "northwind_fy2019.txt", "Northwind Robotics, Inc.", ("net revenue", "FY2019")),
    (FILINGS / "lumen_gmbh_2020.txt", "Lumen Optik GmbH", ("revenue", "1H FY2020")),
]


def _about(path: Path):
    text = read_filing(path)
    return about(text.split("\n"), parse_filing(path, text).facts, glossary())


@pytest.mark.parametrize("path,company,words", CASES, ids=[c[0].stem for c in CASES])
def test_the_company_examples_and_coverage_come_from_the_filing(path, company, words):
    a = _about(path)
    assert a.company == company and company in a.title
    assert all(w in a.figure for w in words), a.figure
    assert len(a.examples) == 5 and a.overview in a.examples and a.tables and a.periods
    assert a.casual and "did we make money" in a.casual
    if path.parent == FILINGS:
        page = " ".join([a.title, app.heading_md(a, path.name), app.help_md(a), app.empty_reply(a)])
        assert app.esc_md(company) in page
        assert not any(w in page for w in IIJ_WORDING), page


@pytest.mark.parametrize("path,company,words", CASES, ids=[c[0].stem for c in CASES])
def test_every_example_answers_on_its_filing(path, company, words, tmp_path):
    s = Settings().with_(filing=path, index_dir=tmp_path / "index")
    engine = Engine(s, ensure_index(s, embedder=HashEmbedder()), embedder=HashEmbedder())
    a = _about(path)
    for q in a.examples:
        answer = engine.answer(q)
        assert answer.answerable and answer.sources, (q, answer.summary)
        assert (answer.value is not None) == (q not in (a.term, a.overview)), (q, answer.summary)


def test_a_name_is_found_in_capitals_or_not_at_all():
    assert company_name(["", "ACME WIDGETS, INC.", "Annual report"]) == "Acme Widgets, Inc."
    assert company_name(["**Acme Widgets plc (LSE: ACM)**"]) == "Acme Widgets plc"
    assert company_name(["Quarterly results", "Revenue rose"]) == FALLBACK_COMPANY
    bare = about(["Quarterly results"])
    assert bare.title == "Filing Q&A" and bare.examples == []
    assert app.empty_reply(bare) == "Please type a question about the filing first."
    assert "this filing" in app.help_md(bare) and not any(w in app.help_md(bare) for w in IIJ_WORDING)


def test_the_app_has_no_company_wording_of_its_own():
    source = (ROOT / "app.py").read_text(encoding="utf-8") + (ROOT / "about.py").read_text(encoding="utf-8")
    assert not any(w in source for w in IIJ_WORDING)
