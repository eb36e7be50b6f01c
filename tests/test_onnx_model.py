"""The embedding model's ONNX export (made by scripts/setup.sh) gives sentence-transformers' own vectors,
so an index built by either serves the other, and a serving process never imports torch."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from ingest.embedding import Embedder, model_path
from ingest.onnx_model import exported_path, quantized_path, supported
from settings import ROOT, Settings

from conftest import require

TEXTS = [
    "Total revenues",
    "Why did systems integration revenues grow in the first half?",
    "Quarterly Consolidated Statements of Income | REVENUES > Network services > Internet connectivity services "
    "(corporate use) | 1H FY2011: 7,278,455 | 1H FY2012: 7,818,064",
    "SG&A",
]


@pytest.fixture(scope="module")
def onnx_embedder() -> Embedder:
    folder = model_path(Settings().model)
    assert supported(folder) is None, supported(folder)
    require("the ONNX export of the embedding model", exported_path(folder).is_file(), "run bash scripts/setup.sh")
    e = Embedder(Settings().model)
    assert e._onnx() is not None
    return e


def test_the_export_gives_the_library_vectors_for_a_padded_batch_and_a_single_question(onnx_embedder):
    torch_vecs = np.array(Embedder(Settings().model, backend="torch").embed_documents(TEXTS))
    batch = np.array(onnx_embedder.embed_documents(TEXTS))  # texts of different lengths: padded
    assert batch.shape == torch_vecs.shape == (len(TEXTS), 384)
    cos = (batch * torch_vecs).sum(axis=1)
    assert cos.min() > 0.99999, cos
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    single = np.array(Embedder(Settings().model, query_model="exact").embed_query(TEXTS[1]))  # unpadded
    assert float(single @ torch_vecs[1]) > 0.99999


def test_questions_embed_with_the_int8_copy_close_to_the_exact_vectors(onnx_embedder):
    """The int8 copy is a different, smaller graph; its question vectors stay within cosine 0.98 of the exact
    ones and find the same nearest document, while documents keep the exact vectors."""
    folder = model_path(Settings().model)
    require("the int8 copy of the export", quantized_path(folder).is_file(), "run bash scripts/setup.sh")
    small = onnx_embedder._onnx(queries=True)
    assert small is not None and small.path == quantized_path(folder) and small.threads == 1
    exact = Embedder(Settings().model, query_model="exact")
    assert exact._onnx(queries=True).path == exported_path(folder)
    docs = np.array(onnx_embedder.embed_documents(TEXTS))
    questions = ["What were total revenues?", "why did SI revenue grow", "internet connectivity for corporate use",
                 "how much was sg&a"]
    for q, nearest in zip(questions, (0, 1, 2, 3)):
        v, w = np.array(onnx_embedder.embed_query(q)), np.array(exact.embed_query(q))
        assert 0.98 < float(v @ w) < 0.99999, q  # close, and really from the other graph
        assert int(np.argmax(docs @ v)) == int(np.argmax(docs @ w)) == nearest, q


def test_the_baseline_keeps_the_library_path(monkeypatch):
    """The naive baseline embeds as a plain LangChain pipeline does (sentence-transformers on torch), so
    the bench's ratios compare against the same reference as before."""
    import ingest.embedding
    from eval.baseline import NaiveRag

    class Built(Exception):
        pass

    def recording(model, *args, backend="auto", **kwargs):
        raise Built(backend)

    monkeypatch.setattr(ingest.embedding, "Embedder", recording)
    with pytest.raises(Built) as got:
        NaiveRag(ROOT / "data" / "iij_1h_fy2012.txt", Settings())
    assert got.value.args == ("torch",)


def test_a_serving_process_answers_without_importing_torch(iij_index, onnx_embedder):
    settings, _info = iij_index
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from settings import Settings\n"
        "from ingest.pipeline import current_info\n"
        "from retrieval.engine import Engine\n"
        f"s = Settings().with_(filing=Path({str(settings.filing)!r}), index_dir=Path({str(settings.index_dir)!r}))\n"
        "e = Engine(s, current_info(s)); e.warm()\n"
        "a = e.answer('Why did systems integration revenues grow?')\n"
        "assert e.rows.dense.answers_dense >= 1, 'the question was not embedded'\n"
        "print(a.answerable, sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "True []", out.stdout
