"""The embedding model exported once to ONNX, and run with ONNX Runtime.

The export (`python -m ingest.onnx_model`, run by scripts/setup.sh) writes the transformer's graph;
tokenising, mean pooling and normalising are done here as sentence-transformers does them, so the
vectors equal its own (cosine 1 - 1e-7) and an index built either way serves the other. Serving and
ingest then need neither torch nor sentence-transformers: their import was most of a first ingest and
of a start-up, and one question embeds in about half the time.

Questions are embedded with an int8 copy of that graph (`quantize`, also made by setup): weights
quantised per output channel, over twice as fast for one question on one core, and within cosine 0.98 of the
exact vector (0.9935 on average over the eval questions). The documents keep the exact vectors, so the
index is the same whichever copy embeds the questions (Settings.query_model).
"""
from __future__ import annotations

import json
import re
import sys
import threading
import warnings
from pathlib import Path
from typing import Optional

import numpy as np

from settings import ROOT

EXPORT_DIR = ROOT / ".cache" / "onnx"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def exported_path(model_dir: str) -> Path:
    """Where the export of a model folder lives: named by the folder and its weights' size and time, so
    two models never share one and new weights in the same folder are exported anew."""
    d = Path(model_dir).resolve()
    weights = [p.stat() for p in sorted(d.glob("*.safetensors")) + sorted(d.glob("*.bin"))]
    stamp = "-".join(f"{w.st_size}-{int(w.st_mtime)}" for w in weights)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{d}-{stamp}").strip("-")[-160:]
    return EXPORT_DIR / f"{slug}.onnx"


def quantized_path(model_dir: str) -> Path:
    """Where the int8 copy of a model folder's export lives (beside it, named after it)."""
    exact = exported_path(model_dir)
    return exact.with_name(exact.stem + ".int8.onnx")


def supported(model_dir: str) -> Optional[str]:
    """Why this model folder cannot run here (None when it can): only a BERT-style transformer with
    mean pooling and normalised output, which is what the exported graph and the code below compute."""
    d = Path(model_dir)
    try:
        modules = [m.get("type", "") for m in json.loads((d / "modules.json").read_text())]
        pooling = json.loads((d / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError) as e:
        return f"no sentence-transformers configuration in {d} ({e})"
    if not (d / "tokenizer.json").is_file():
        return f"no tokenizer.json in {d}"
    if not pooling.get("pooling_mode_mean_tokens") or not any(m.endswith("Normalize") for m in modules):
        return f"{d} does not pool by mean and normalise"
    return None


def max_length(model_dir: str) -> int:
    try:
        return int(json.loads((Path(model_dir) / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256


def export(model_dir: str, out: Optional[Path] = None) -> Path:
    """Exports the transformer of a sentence-transformers folder (needs torch, transformers and onnx)."""
    import torch
    from transformers import AutoModel

    out = out or exported_path(model_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    model = AutoModel.from_pretrained(model_dir).eval()

    class Hidden(torch.nn.Module):  # the inputs by name, the last hidden state alone as the output
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    # A padded example: the library skips the attention mask when every token is real, and a trace of
    # that would ignore padding in every later batch.
    ids = torch.ones((2, 8), dtype=torch.int64)
    mask = torch.ones((2, 8), dtype=torch.int64)
    mask[1, 5:] = 0
    example = (ids, mask, torch.zeros_like(ids))
    tmp = out.with_suffix(".part")
    warnings.filterwarnings("ignore")  # the tracer's notes on constant shapes, expected for this graph
    torch.onnx.export(Hidden(model), example, str(tmp), input_names=list(INPUTS), output_names=["last_hidden_state"],
                      dynamic_axes={k: {0: "batch", 1: "tokens"} for k in (*INPUTS, "last_hidden_state")},
                      opset_version=17, dynamo=False)
    tmp.replace(out)  # a half-written file is never taken for an export
    return out


def quantize(exact: Path, out: Path) -> Path:
    """The int8 copy of an export: dynamic quantisation of the weights per output channel. Per tensor
    (one scale for a whole matrix) is as fast but only cosine 0.966 to the exact vectors."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # its advice to pre-process applies to convolution models
    try:
        tmp = out.with_suffix(".part")
        quantize_dynamic(str(exact), str(tmp), per_channel=True, weight_type=QuantType.QInt8)
    finally:
        root.setLevel(level)
    tmp.replace(out)
    return out


class OnnxEncoder:
    """Texts to normalised mean-pooled vectors with ONNX Runtime, on `threads` cores (the session is made
    on first use)."""

    def __init__(self, model_dir: str, path: Path, threads: int):
        from tokenizers import Tokenizer

        self.path = path
        self.threads = threads
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length(model_dir))
        self.tokenizer.enable_padding()
        self._session = None
        self._lock = threading.Lock()

    def session(self):
        with self._lock:
            if self._session is None:
                import onnxruntime as ort

                o = ort.SessionOptions()
                o.intra_op_num_threads = self.threads
                o.inter_op_num_threads = 1
                o.log_severity_level = 3  # warnings about unused initialisers are noise
                # Idle worker threads sleep rather than spin: on two cores a spinning thread takes the core
                # a concurrent request (or the page's own work) needs.
                o.add_session_config_entry("session.intra_op.allow_spinning", "0")
                self._session = ort.InferenceSession(str(self.path), o, providers=["CPUExecutionProvider"])
            return self._session

    def encode(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        hidden = self.session().run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        m = mask[..., None].astype(np.float32)
        v = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
        return (v / np.clip(np.linalg.norm(v, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)


def main() -> int:
    """Exports the configured model, and its int8 copy, when they are not there yet (idempotent: setup
    runs it every time)."""
    from ingest.embedding import model_path
    from settings import Settings

    model_dir = model_path(Settings.from_env().model)
    why = supported(model_dir)
    if why:
        print(f"onnx: not exported, {why}; the model runs with torch", file=sys.stderr)
        return 0
    out = exported_path(model_dir)
    if not out.is_file():
        print(f"onnx: exporting {model_dir} to {out}", file=sys.stderr)
        export(model_dir, out)
    small = quantized_path(model_dir)
    if not small.is_file():
        print(f"onnx: quantising {out.name} for questions", file=sys.stderr)
        quantize(out, small)
    return 0


if __name__ == "__main__":
    sys.exit(main())
