"""What every stage shares: the change record, the explained result and the registry.

A stage is a pure function ``text -> text`` with a frozen config dataclass. It registers
itself under a name so that the pipeline, the CLI and batch runs can look it up:

>>> from zhclean.stages import get_stage
>>> spec = get_stage("dedupe")
>>> spec.run("改革改革「「引擎引擎」」", spec.config_type())
'改革「引擎」'
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class Change:
    """One edit a stage made: ``text[start:end]`` (offsets into the stage's input) became ``after``.

    ``rule`` names the pattern or reason, so a user can audit a run.
    """

    stage: str
    rule: str
    start: int
    end: int
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class Explained:
    """A stage's output together with the changes that produced it."""

    text: str
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class StageSpec(Generic[C]):
    """A registered stage: its name, config type, and the two ways to run it."""

    name: str
    config_type: type[C]
    run: Callable[[str, C], str]
    explain: Callable[[str, C], Explained]
    #: True for the only stages allowed to remove non-space characters (dedupe, furniture).
    removes_text: bool = False
    summary: str = ""
    extras: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, StageSpec[Any]] = {}


def register(spec: StageSpec[Any]) -> StageSpec[Any]:
    """Add ``spec`` to the registry (a name may be registered once)."""
    if spec.name in _REGISTRY and _REGISTRY[spec.name] is not spec:
        raise ValueError(f"stage {spec.name!r} is already registered")
    _REGISTRY[spec.name] = spec
    return spec


def registered(name: str) -> StageSpec[Any] | None:
    """The stage registered as ``name``, if any (no copy of the registry: this is on the way of
    every block a pipeline runs)."""
    return _REGISTRY.get(name)


def registry() -> dict[str, StageSpec[Any]]:
    """All registered stages by name (a copy)."""
    return dict(_REGISTRY)


class BackMap:
    """Offsets into the text ``changes`` made, mapped back into the text they were made on
    (``changes`` sorted and non-overlapping, as :func:`apply_changes` takes them). An offset in
    what a change put in maps to the start of what it replaced, or with ``end=True`` (the end
    of a range) to its end; a range that only touches a change stays out of it.

    >>> m = BackMap([Change("x", "r", 1, 3, "  ", " ")])  # "a  b" -> "a b"
    >>> m(2), m(1, end=True), m(2, end=True), m(1)
    (3, 1, 3, 1)
    """

    def __init__(self, changes: list[Change] | tuple[Change, ...]) -> None:
        self.starts: list[int] = []  # where each change's text begins in the new text
        self.ends: list[int] = []
        self.spans: list[tuple[int, int]] = []
        self.deltas: list[int] = []  # new minus old offsets, after each change
        delta = 0
        for c in changes:
            at = c.start + delta
            self.starts.append(at)
            self.ends.append(at + len(c.after))
            self.spans.append((c.start, c.end))
            delta += len(c.after) - (c.end - c.start)
            self.deltas.append(delta)

    def __call__(self, pos: int, end: bool = False) -> int:
        # the last change that begins before pos (at pos, for the start of a range)
        k = (bisect_left if end else bisect_right)(self.starts, pos) - 1
        if k < 0:
            return pos
        if pos < self.ends[k] or (end and pos == self.ends[k]):
            return self.spans[k][1] if end else self.spans[k][0]
        return pos - self.deltas[k]


def apply_changes(text: str, changes: list[Change] | tuple[Change, ...]) -> str:
    """Replay non-overlapping ``changes`` (sorted by start) on ``text``.

    >>> apply_changes("a  b", [Change("x", "r", 1, 3, "  ", " ")])
    'a b'
    """
    out: list[str] = []
    pos = 0
    for ch in changes:
        out.append(text[pos : ch.start])
        out.append(ch.after)
        pos = ch.end
    out.append(text[pos:])
    return "".join(out)
