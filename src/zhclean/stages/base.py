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
from dataclasses import dataclass, field, fields
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


class UnknownStageError(KeyError, ValueError):
    """Raised for a stage name nobody registered. A ValueError for callers who pass names from
    user input; a KeyError, as :func:`~zhclean.get_stage` raised before."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""  # (KeyError would show it quoted)


def not_text(what: str, value: object) -> TypeError:
    """The error for a text argument that is not a str (bytes most often: a file read as
    bytes, a subprocess's output)."""
    hint = ""
    if isinstance(value, (bytes, bytearray, memoryview)):
        hint = ": decode it first (zhclean.io.decode_bytes(data) finds the encoding)"
    return TypeError(f"{what} must be a str, not {type(value).__name__}{hint}")


def check_call(name: str, text: object, config: object, config_type: type) -> None:
    """What a stage function does first: a text that is not a str, or a config of another
    stage, is a TypeError that says so, not an error from deep inside the stage.

    >>> from zhclean import DedupeConfig, JoinConfig
    >>> check_call("dedupe", "天天", JoinConfig(), DedupeConfig)
    Traceback (most recent call last):
    TypeError: dedupe() takes a DedupeConfig, not JoinConfig
    >>> check_call("join_lines", None, JoinConfig(), JoinConfig)
    Traceback (most recent call last):
    TypeError: join_lines()'s text must be a str, not NoneType
    """
    if not isinstance(text, str):
        raise not_text(f"{name}()'s text", text)
    if not isinstance(config, config_type):
        raise TypeError(f"{name}() takes a {config_type.__name__}, not {type(config).__name__}")


# The annotations the configs use (strings: the stage modules use postponed annotations), and
# the values each accepts. bool is an int to Python, but ``max_copies=True`` is a mistake.
_SCALARS: dict[str, tuple[type, ...]] = {"bool": (bool,), "int": (int,), "float": (int, float)}


def check_fields(config: Any) -> None:
    """Raise TypeError for a field of the dataclass ``config`` whose value is not of its
    annotated type (``bool``, ``int``, ``float``, ``str``, ``tuple[str, ...]``; other
    annotations are the config's own business). A misspelt value from a JSON file or a caller
    (``blank_lines="no"``, ``keep="羅核"``) fails here, not deep inside a stage or, worse, not
    at all.

    >>> from zhclean import JoinConfig
    >>> check_fields(JoinConfig(blank_lines="no"))
    Traceback (most recent call last):
    TypeError: JoinConfig.blank_lines must be a bool, not str ('no')
    """
    for f in fields(config):
        value = getattr(config, f.name)
        kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
        if kind in _SCALARS:
            ok = isinstance(value, _SCALARS[kind])
            ok = ok and (kind == "bool" or not isinstance(value, bool))
        elif kind == "str":
            ok = isinstance(value, str)
        elif kind == "tuple[str, ...]":
            ok = isinstance(value, tuple) and all(isinstance(v, str) for v in value)
            kind = "tuple of str"
        else:
            continue
        if not ok:
            a = "an" if kind == "int" else "a"
            raise TypeError(
                f"{type(config).__name__}.{f.name} must be {a} {kind}, "
                f"not {type(value).__name__} ({value!r})"
            )


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
