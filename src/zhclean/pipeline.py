"""The Pipeline: stages in order, over bounded blocks of a stream, with stats and explanations.

>>> p = Pipeline.default()
>>> p.run("改革改革「「引擎引擎」」\\n\\n這 場 改 革 不僅減輕了負擔。")
'改革「引擎」\\n這場改革不僅減輕了負擔。\\n'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .stages import ORDER, Explained, get_stage
from .stages.chars import CLOSERS, TERMINAL
from .stages.convert import ConvertConfig
from .stages.segment import SegmentConfig


@dataclass(frozen=True)
class Step:
    """One stage of a pipeline: its registered name and its config (picklable settings)."""

    name: str
    config: Any = None

    def resolved(self) -> Any:
        return self.config if self.config is not None else get_stage(self.name).config_type()

    def run(self, text: str) -> str:
        return get_stage(self.name).run(text, self.resolved())  # type: ignore[no-any-return]

    def explain(self, text: str) -> Explained:
        return get_stage(self.name).explain(text, self.resolved())  # type: ignore[no-any-return]


@dataclass
class StepStats:
    """What one step did over a run: characters and lines in and out."""

    chars_in: int = 0
    chars_out: int = 0
    lines_in: int = 0
    lines_out: int = 0

    @property
    def chars_removed(self) -> int:
        return max(0, self.chars_in - self.chars_out)

    @property
    def lines_joined(self) -> int:
        return max(0, self.lines_in - self.lines_out)


# A block may end after a line that closes a sentence and is followed by a blank line or a page
# break: join keeps a paragraph break there, so cutting the stream there changes nothing.
_SENT_END = re.compile(rf"[{re.escape(TERMINAL)}][{re.escape(CLOSERS)}]*[ \t\u3000]*$")


def iter_blocks(lines: Iterable[str], target: int = 1 << 16, hard: int = 1 << 23) -> Iterator[str]:
    """Group ``lines`` (with their newlines) into blocks of about ``target`` characters.

    A block ends only at a safe paragraph boundary, or after ``hard`` characters at any line
    end, so memory stays bounded by the longest paragraph, not the input.

    >>> list(iter_blocks(["一。\\n", "\\n", "二\\n"], target=1))
    ['一。\\n\\n', '二\\n']
    """
    buf: list[str] = []
    size = 0
    prev_ends_sentence = False
    for line in lines:
        if line.startswith("\f") and prev_ends_sentence and size >= target:
            yield "".join(buf)
            buf, size = [], 0
        buf.append(line)
        size += len(line)
        if line.strip():
            prev_ends_sentence = bool(_SENT_END.search(line.rstrip("\r\n")))
        elif (prev_ends_sentence and size >= target) or size >= hard:
            yield "".join(buf)
            buf, size = [], 0
        if size >= hard:
            yield "".join(buf)
            buf, size = [], 0
    if buf:
        yield "".join(buf)


@dataclass
class Pipeline:
    """Stages in order. ``run`` takes a whole text; ``stream`` takes lines and yields output.

    A Pipeline holds only settings, so it pickles and can be sent to worker processes.
    """

    steps: Sequence[Step]
    stats: dict[str, StepStats] = field(default_factory=dict)

    @classmethod
    def default(
        cls,
        *,
        convert: str | ConvertConfig | None = None,
        segment: bool | SegmentConfig = False,
        furniture: bool = True,
        configs: dict[str, Any] | None = None,
    ) -> Pipeline:
        """The ``zhclean clean`` pipeline: normalize → dedupe → furniture → join → spacing,
        then convert if ``convert`` names a config, then segment if ``segment``.

        ``configs`` maps a stage name to its config, for the stages you want to tune.
        """
        configs = dict(configs or {})
        names = ["normalize", "dedupe", *(["furniture"] if furniture else []), "join", "spacing"]
        if convert is not None:
            names.append("convert")
            if "convert" not in configs:
                configs["convert"] = (
                    convert if isinstance(convert, ConvertConfig) else ConvertConfig(convert)
                )
        if segment:
            names.append("segment")
            if isinstance(segment, SegmentConfig):
                configs["segment"] = segment
        return cls([Step(n, configs.get(n)) for n in names])

    @classmethod
    def of(cls, *names: str, configs: dict[str, Any] | None = None) -> Pipeline:
        """A pipeline of the named stages, in the canonical order."""
        configs = configs or {}
        unknown = [n for n in names if n not in ORDER]
        if unknown:
            get_stage(unknown[0])  # raises a KeyError naming the valid stages
        return cls([Step(n, configs.get(n)) for n in ORDER if n in names])

    def _count(self, name: str, before: str, after: str) -> None:
        s = self.stats.setdefault(name, StepStats())
        s.chars_in += len(before)
        s.chars_out += len(after)
        s.lines_in += before.count("\n")
        s.lines_out += after.count("\n")

    def run(self, text: str) -> str:
        """Run every step over ``text`` (one block) and return the result."""
        for step in self.steps:
            out = step.run(text)
            self._count(step.name, text, out)
            text = out
        if text and not text.endswith("\n"):
            text += "\n"
        return text

    def explain(self, text: str) -> list[tuple[str, Explained]]:
        """Run every step and return each step's name with its explained result."""
        results = []
        for step in self.steps:
            r = step.explain(text)
            self._count(step.name, text, r.text)
            results.append((step.name, r))
            text = r.text
        return results

    def stream(self, lines: Iterable[str], target: int = 1 << 16) -> Iterator[str]:
        """Run over ``lines`` block by block, yielding output as soon as each block is done."""
        for block in iter_blocks(lines, target=target):
            out = self.run(block)
            if out:
                yield out
