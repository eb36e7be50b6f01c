"""Offline by design: the settings switch off every download and phone-home before any library reads
them, and Chroma is opened without telemetry and never given an embedding function of its own."""
from __future__ import annotations

import subprocess
import sys

from settings import ROOT


def test_importing_settings_turns_off_downloads_and_telemetry_for_what_imports_after_it():
    code = ("import os; [os.environ.pop(k, None) for k in ('HF_HUB_OFFLINE','TRANSFORMERS_OFFLINE','GRADIO_ANALYTICS_ENABLED','ANONYMIZED_TELEMETRY')];"
            "import settings, huggingface_hub.constants as c;"
            "print(os.environ['HF_HUB_OFFLINE'], os.environ['TRANSFORMERS_OFFLINE'], os.environ['GRADIO_ANALYTICS_ENABLED'],"
            " os.environ['ANONYMIZED_TELEMETRY'], c.HF_HUB_OFFLINE)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["1", "1", "False", "False", "True"]


def test_chroma_is_opened_without_telemetry_and_given_our_vectors(tmp_path, monkeypatch):
    from ingest import pipeline
    from settings import Settings

    client = pipeline.chroma_client(Settings(), tmp_path / "chroma")
    assert client.get_settings().anonymized_telemetry is False
    made = {}

    class Spy:
        def create_collection(self, name, **kw):
            made.update(kw)
            raise RuntimeError("stop here")

    try:
        pipeline._store(Spy(), "c", [], [], Settings(), {"store_calls": 0})
    except RuntimeError:
        pass
    assert "embedding_function" in made and made["embedding_function"] is None  # vectors always come from our model
