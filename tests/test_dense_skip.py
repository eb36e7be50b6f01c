"""The question is embedded only when the words alone do not decide the row (Settings.dense_margin),
and a question asked again reuses its vector. Real model, real index; the embedder is wrapped to count
the model calls."""
from __future__ import annotations

import pytest

from ingest.embedding import Embedder


class CountingEmbedder:
    """The real embedder, counting the questions it embeds."""

    def __init__(self, inner: Embedder):
        self.inner = inner
        self.queries: list[str] = []

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self.inner.embed_query(text)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


@pytest.fixture
def counted(iij_index):
    from retrieval.engine import Engine

    settings, info = iij_index
    embedder = CountingEmbedder(Embedder(settings.model))
    return Engine(settings, info, embedder=embedder), embedder


def _cited(answer) -> list[tuple[int, str]]:
    return [(s.line, s.text) for s in answer.sources]


def test_a_figure_named_by_its_row_label_is_answered_without_embedding_the_question(counted):
    engine, embedder = counted
    a = engine.answer("How much did the gross margin of systems integration change from last year?")
    assert (a.value, a.unit) == (49275000, "JPY")
    assert _cited(a) == [(361, "14,714,182"), (367, "11,726,201"), (361, "17,126,614"), (367, "14,089,358")]
    b = engine.answer("What was adjusted EBITDA in the first half?")
    assert (b.value, b.unit) == (6902000000, "JPY")
    assert _cited(b) == [(238, "6,902")]
    assert embedder.queries == []
    assert engine.rows.dense.answers == 2 and engine.rows.dense.answers_dense == 0


def test_a_decline_after_every_reading_failed_still_names_the_nearest_row(counted):
    engine, _embedder = counted
    a = engine.answer("By what percent did operating income grow in Q3 FY2012 versus Q3 FY2011?")
    assert not a.answerable and a.value is None
    assert "does not give that figure for 3Q FY2012" in a.text
    assert "The nearest thing it does report is \u201cOperating Income\u201d" in a.text and _cited(a) == [(556, "1,534")]


def test_a_narrative_question_still_embeds(counted):
    engine, embedder = counted
    a = engine.answer("Why did ATM revenue almost double?")
    assert a.answerable and a.value is None
    assert 137 in [s.line for s in a.sources if s.kind == "text"]
    assert "numbers of ATMs newly placed" in a.text
    assert len(embedder.queries) >= 1
    assert engine.rows.dense.answers_dense == 1


def test_a_repeated_question_reuses_its_vector_without_a_second_model_call(counted):
    engine, embedder = counted
    question = "Why did ATM revenue almost double?"
    first = engine.answer(question)
    calls = len(embedder.queries)
    again = engine.answer(question)
    assert len(embedder.queries) == calls
    assert (again.value, again.unit, _cited(again)) == (first.value, first.unit, _cited(first))
    text = embedder.queries[0]
    assert engine.rows.dense.vector(text) == Embedder(engine.settings.model).embed_query(text)
    assert len(embedder.queries) == calls


def test_always_embedding_gives_the_same_answer(iij_index):
    """The margin only skips work: with dense search on every row ranking the answer is the same."""
    from retrieval.engine import Engine

    settings, info = iij_index
    question = "What were total revenues in the first half of FY2012?"
    always = Engine(settings.with_(dense_margin=float("inf")), info).answer(question)
    assert (always.value, always.unit, _cited(always)) == (51109001000, "JPY", [(364, "51,109,001")])


def _row(table: str, value: float, scale: float):
    from retrieval.search import RowDoc
    from schema import Fact, Period

    fact = Fact(f"{table}-1", "f", table, table, "", "Total revenues", ["Total revenues"], "1H FY2012",
                Period("2012-09-30", 6, "1H FY2012"), value, "JPY", scale, "", "", 1)
    return RowDoc((table, ("Total revenues",)), [fact], {"total", "revenue"}, set(), "total revenue", "")


def test_copies_of_one_figure_in_other_scales_are_no_rivals_but_copies_in_one_scale_are():
    from retrieval.search import same_figure

    thousands, millions = _row("statement", 51_109_001_000, 1e3), _row("summary", 51_109_000_000, 1e6)
    # The resolver takes the finer copy whichever ranks first: no need to embed the question to choose.
    assert same_figure(thousands, millions) and same_figure(millions, thousands)
    # In one scale the ranking chooses which is cited, and a different value is another figure.
    assert not same_figure(millions, _row("targets", 51_109_000_000, 1e6))
    assert not same_figure(thousands, _row("other", 47_207_000_000, 1e6))


def test_an_embedded_store_is_searched_in_memory_with_the_store_own_ranking(engine):
    """The vectors of an embedded store are read once and searched exactly in memory; the hits are the ones
    the store's own query returns, in its order, with the same similarities."""
    dense = engine.rows.dense
    assert dense.local
    for kind, col in dense.collections.items():
        for question in ("Why did systems integration revenues grow?", "operating income in the first half",
                         "How much cash did IIJ have at the end of September 2012?"):
            got = dense._search(question, 10, kind)
            assert dense._matrices[kind] is not None and len(dense._matrices[kind][0]) == col.count()
            res = col.query(query_embeddings=[dense.vector(question)], n_results=10, include=["distances"])
            assert [i for i, _ in got] == res["ids"][0], (kind, question)
            assert [round(s, 5) for _, s in got] == [round(1.0 - d, 5) for d in res["distances"][0]]
