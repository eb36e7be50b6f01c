"""The naive RAG baseline: a plain LangChain pipeline over the same filing, for comparison.

Recursive text splitter, the same embedding model in Chroma, top-k similarity, and the first
number of the best chunk as the answer (with its unit guessed from the words around it).
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from ingest.parser import read_filing

TOP_K = 5
_NUM = re.compile(r"(?P<cur>JPY|USD|\$)?\s?(?P<num>\(?-?\d[\d,]*(?:\.\d+)?\)?)\s?(?P<tail>%|million|billion|thousand|Gbps)?", re.I)


class NaiveRag:
    def __init__(self, filing: Path, settings):
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from ingest.embedding import Embedder

        self.text = read_filing(Path(filing))
        splitter = RecursiveCharacterTextSplitter(chunk_size=800, chunk_overlap=100, add_start_index=True)
        docs = splitter.create_documents([self.text])
        for d in docs:
            start = d.metadata["start_index"]
            d.metadata["line"] = self.text.count("\n", 0, start) + 1
            d.metadata["end_line"] = d.metadata["line"] + d.page_content.count("\n")
        self._tmp = tempfile.TemporaryDirectory(prefix="fqa-baseline-")
        self.store = Chroma.from_documents(
            docs,
            Embedder(settings.model, backend="torch"),  # the plain library path, as a LangChain pipeline has it
            persist_directory=self._tmp.name,
            collection_metadata={"hnsw:space": "cosine"},
            client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True, persist_directory=self._tmp.name),
        )

    def retrieve(self, question: str):
        return self.store.similarity_search(question or " ", k=TOP_K)

    def answer_json(self, q: dict) -> dict:
        docs = self.retrieve(q.get("question", ""))
        best = docs[0] if docs else None
        value, unit = (None, None)
        if best is not None:
            value, unit = first_number(best.page_content)
        return {
            "id": q.get("id"),
            "answer": best.page_content if best else "",
            "value": value,
            "unit": unit,
            "answerable": value is not None,
            "sources": [{"kind": "text", "section": "", "line": d.metadata["line"], "text": d.page_content[:200]} for d in docs],
            "calculation": None,
        }

    def hit_rate(self, questions: list[dict]) -> float:
        from .score import expected_lines

        hits = n = 0
        for q in questions:
            lines = expected_lines(q)
            if not lines:
                continue
            n += 1
            docs = self.retrieve(q.get("question", ""))
            hits += any(d.metadata["line"] <= ln <= d.metadata["end_line"] for d in docs for ln in lines)
        return hits / n if n else 0.0


def first_number(text: str) -> tuple:
    for m in _NUM.finditer(text):
        raw = m["num"]
        digits = raw.strip("()").replace(",", "")
        if not re.fullmatch(r"-?\d+(\.\d+)?", digits) or re.fullmatch(r"(19|20)\d\d", digits):
            continue
        v = float(digits) * (-1 if raw.startswith("(") else 1)
        tail = (m["tail"] or "").lower()
        if tail == "%":
            return v, "%"
        if tail == "gbps":
            return v, "Gbps"
        scale = {"million": 1e6, "billion": 1e9, "thousand": 1e3}.get(tail, 1)
        cur = (m["cur"] or "").upper().replace("$", "USD")
        return v * scale, cur or "JPY"
    return None, None
