"""The stages, one module each, registered by name in pipeline order.

A stage's module is imported the first time the stage is asked for: a command that only
segments does not compile the cleaning stages' patterns (a fifth of start-up).

>>> ORDER
('normalize', 'dedupe', 'furniture', 'join', 'spacing', 'convert', 'segment')
>>> sorted(registry()) == sorted(ORDER)
True
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from . import base
from .base import Change, Explained, StageSpec, UnknownStageError

#: The order the stages run in: characters, doubling, page furniture, lines, spaces, script, words.
ORDER = ("normalize", "dedupe", "furniture", "join", "spacing", "convert", "segment")


def get_stage(name: str) -> StageSpec[Any]:
    """The registered stage called ``name`` (its module imported on first use).

    An unknown name raises :class:`UnknownStageError` (a ValueError and a KeyError) listing the
    valid names:

    >>> get_stage("joim")
    Traceback (most recent call last):
    zhclean.stages.base.UnknownStageError: unknown stage 'joim'; valid: normalize, dedupe, ...
    """
    spec = base.registered(name)
    if spec is None and name in ORDER:
        import_module(f"{__name__}.{name}")  # registers it
        spec = base.registered(name)
    if spec is None:
        valid = [*ORDER, *sorted(set(registry()) - set(ORDER))]
        raise UnknownStageError(f"unknown stage {name!r}; valid: {', '.join(valid)}")
    return spec


def registry() -> dict[str, StageSpec[Any]]:
    """Every stage by name: the built-in ones (imported now) and any registered since."""
    for name in ORDER:
        import_module(f"{__name__}.{name}")
    return base.registry()


__all__ = [
    "ORDER",
    "Change",
    "Explained",
    "StageSpec",
    "UnknownStageError",
    "get_stage",
    "registry",
]
