"""Golden cases kept as data: tests/cases/<stage>.json, each case input, expected, label, comment.

A case may say ``"xfail": "why"`` for a known failure we keep in view (as ftfy does).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from zhclean.stages import get_stage

from .conftest import CASES


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.json")):
        stage = path.stem.split(".")[0]
        for case in json.loads(path.read_text(encoding="utf-8")):
            marks = (
                [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
            )
            params.append(pytest.param(stage, case, id=f"{path.stem}:{case['label']}", marks=marks))
    return params


@pytest.mark.parametrize(("stage", "case"), _load())
def test_case(stage: str, case: dict[str, Any]) -> None:
    spec = get_stage(stage)
    config = spec.config_type(**case.get("config", {}))
    assert spec.run(case["input"], config) == case["expected"], case.get("comment", "")
