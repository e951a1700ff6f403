"""The stages, one module each, registered by name in pipeline order.

>>> ORDER
('normalize', 'dedupe', 'furniture', 'join', 'spacing', 'convert', 'segment')
>>> sorted(registry()) == sorted(ORDER)
True
"""

from __future__ import annotations

from typing import Any

from . import convert, dedupe, furniture, join, normalize, segment, spacing  # noqa: F401  (registers)
from .base import Change, Explained, StageSpec, registry

#: The order the stages run in: characters, doubling, page furniture, lines, spaces, script, words.
ORDER = ("normalize", "dedupe", "furniture", "join", "spacing", "convert", "segment")


def get_stage(name: str) -> StageSpec[Any]:
    """The registered stage called ``name``; KeyError lists the valid names."""
    stages = registry()
    if name not in stages:
        raise KeyError(f"unknown stage {name!r}; valid: {', '.join(stages)}")
    return stages[name]


__all__ = ["ORDER", "Change", "Explained", "StageSpec", "get_stage", "registry"]
