"""Ingest: a filing's text becomes a typed fact table and narrative chunks, indexed in Chroma."""
