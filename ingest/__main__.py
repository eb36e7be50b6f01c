"""python -m ingest [FILING] [--index DIR]: parse, embed and index a filing; prints a one-line summary."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from settings import Settings

from .errors import IngestError
from .pipeline import ensure_index


def main(argv=None) -> int:
    base = Settings.from_env()
    ap = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    ap.add_argument("filing", nargs="?", default=str(base.filing), help=f"filing text file (default {base.filing})")
    ap.add_argument("--index", default=str(base.index_dir), help=f"index folder (default {base.index_dir})")
    args = ap.parse_args(argv)
    settings = base.with_(filing=Path(args.filing), index_dir=Path(args.index))
    try:
        info = ensure_index(settings, progress=lambda m: print(m, file=sys.stderr))
    except IngestError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(info.summary())
    print(f"facts: {info.path / 'facts.jsonl'}  conflicts: {info.path / 'conflicts.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
