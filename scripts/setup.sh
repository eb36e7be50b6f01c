#!/usr/bin/env bash
# Idempotent setup: .venv with requirements.txt, and Debian chromium for the browser tests.
# Safe to run repeatedly (and to `source`: scripts/test.sh does, to keep the exports below).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Offline by design: nothing may fetch weights or phone home.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv (python3.11)"
  python3.11 -m venv .venv
fi

stamp=.venv/.requirements.sha256
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "setup: installing requirements.txt"
  .venv/bin/python -m pip install -r requirements.txt
  echo "$want" > "$stamp"
fi

# The embedding model's ONNX export and its int8 copy for questions (once, about 10 s): serving and ingest run them without torch.
.venv/bin/python -m ingest.onnx_model

# Browser tests use Debian's chromium; never `playwright install` (it downloads browsers).
if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing chromium with apt-get"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get install -y --no-install-recommends chromium \
    || { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends chromium; }
fi
