#!/usr/bin/env bash
# Set up, then run the test suite; arguments go to pytest (e.g. bash scripts/test.sh -k browser).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

rc=0
.venv/bin/python -m pytest -q "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
  echo "test.sh: pytest collected no tests; that is a failure here" >&2
fi
exit "$rc"
