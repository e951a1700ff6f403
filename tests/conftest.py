"""Shared test fixtures: where the samples and the team's shared material live."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CASES = Path(__file__).resolve().parent / "cases"
# ../shared sits beside the project on developer machines and in CI; tests that read it skip
# when it is absent (a user's fresh clone).
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED
