"""The seed page against its hand-checked golden outputs, compared whole."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from zhclean.cli import app

from .conftest import SAMPLES

SEED = SAMPLES / "yongzhou-newspaper.txt"


@pytest.mark.parametrize(
    ("args", "golden"),
    [
        ([], "yongzhou-newspaper.clean.txt"),
        (["-c", "hk2s"], "yongzhou-newspaper.hk2s.txt"),
        (["-c", "hk2s", "--segment"], "yongzhou-newspaper.hk2s.seg.txt"),
    ],
    ids=["clean", "hk2s", "hk2s-segment"],
)
def test_seed_page(args: list[str], golden: str) -> None:
    result = CliRunner().invoke(app, ["clean", str(SEED), *args])
    assert result.exit_code == 0, result.output
    assert result.stdout == (SAMPLES / golden).read_text(encoding="utf-8")


def test_seed_keeps_every_character() -> None:
    """Apart from the doubled copies, no character of the page is lost or invented."""
    from zhclean import clean, dedupe, normalize

    expected = "".join(dedupe(normalize(SEED.read_text(encoding="utf-8"))).split())
    assert "".join(clean(SEED.read_text(encoding="utf-8")).split()) == expected
