"""zhclean ships ``py.typed``: ``mypy --strict src/zhclean`` must pass (pyproject.toml's
``[tool.mypy]`` names the dependencies that have no types)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def test_mypy_strict_passes(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[test]')")
    # a fresh cache, so that a stale one (another mypy, another tree) cannot decide: a cold run
    # takes 2 s with mypy 2.4, 5 s with 1.8
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), "src/zhclean"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
