"""Eval: a known-figure question set, a scorer and a naive-RAG baseline."""
