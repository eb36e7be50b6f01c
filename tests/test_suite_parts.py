"""The suite cannot pass by skipping: a missing part the setup installs fails it under CI=true."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from conftest import chroma_binary, require

TESTS = Path(__file__).resolve().parent


def test_a_missing_part_skips_a_local_run_and_fails_a_ci_run(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium is missing: run scripts/setup.sh"):
        require("chromium", None, "run scripts/setup.sh")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require("chromium", None, "run scripts/setup.sh")
    assert require("chromium", Path("/usr/bin/chromium"), "") == Path("/usr/bin/chromium")


def test_the_chroma_command_comes_from_the_running_interpreter_then_path(monkeypatch, tmp_path):
    venv, other = tmp_path / "venv" / "bin", tmp_path / "elsewhere"
    venv.mkdir(parents=True)
    other.mkdir()
    monkeypatch.setattr(sys, "executable", str(venv / "python"))
    monkeypatch.setenv("PATH", str(other))
    assert chroma_binary() is None
    on_path = other / "chroma"
    on_path.write_text("#!/bin/sh\n")
    on_path.chmod(0o755)
    assert chroma_binary() == on_path
    (venv / "chroma").write_text("#!/bin/sh\n")
    assert chroma_binary() == venv / "chroma"


def test_no_test_skips_itself_except_through_require():
    skipping = re.compile(r"pytest\.skip\(|pytest\.importorskip|mark\.skip|skipif|pytest\.xfail|mark\.xfail")
    found = [f"{p.name}:{n}: {line.strip()}" for p in sorted(TESTS.glob("*.py")) if p.name not in ("conftest.py", Path(__file__).name)
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if skipping.search(line)]
    assert not found, "use conftest.require (fails under CI=true) instead of skipping:\n" + "\n".join(found)
