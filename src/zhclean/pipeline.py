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
from .stages.chars import CLOSERS, NO_LINE_START, TERMINAL
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


# Where a block may end. Safe: after the blank line that follows a line closing a sentence, or
# just before a page break (\f) that follows one: join keeps a paragraph break there, and every
# other stage works line by line, so cutting the stream there changes nothing.
_SENT = rf"[{re.escape(TERMINAL)}][{re.escape(CLOSERS)}]*[^\S\n]*\n"
# (The page break first: a form feed is a space to ``[^\S\n]``, so "。\n\f\n" would otherwise
# be cut after its blank-looking "\f\n" line, past the earlier safe place before the \f.)
_SAFE = re.compile(rf"{_SENT}(?:(?=\f)|[^\S\n]*\n(?![^\S\n]*[{re.escape(NO_LINE_START)}]))")
# Only where a paragraph is longer than ``hard``: the end of a line closing a sentence (best
# when the next line is indented, as paragraphs start in Chinese typesetting), then any line end,
# then (one enormous line) after a punctuation mark.
_SENT_LINE = re.compile(_SENT)
_SOFT = re.compile(r"[，。、；：！？,;!?]")
# A safe cut found by one scan may straddle the end of what was scanned: look back this far.
_OVERLAP = 256


def _last_safe(text: str, start: int, limit: int) -> int:
    """The last safe cut after ``start`` and before ``limit``, or -1."""
    last = -1
    for m in _SAFE.finditer(text, max(start - _OVERLAP, 0), limit + _OVERLAP):
        if m.end() >= limit:
            break
        if m.end() > start:
            last = m.end()
    return last


def _fallback_cut(text: str, start: int, limit: int) -> int:
    """The best place to end a block of ``text[start:limit]`` that has no safe cut."""
    lo = start + (limit - start) // 2
    best_sent = best_indented = -1
    for m in _SENT_LINE.finditer(text, lo, limit):
        best_sent = m.end()
        if m.end() < len(text) and text[m.end()] in " \u3000":
            best_indented = m.end()
    if best_indented > start:
        return best_indented
    if best_sent > start:
        return best_sent
    nl = text.rfind("\n", start, limit)
    if nl >= lo:
        return nl + 1
    soft = -1
    for m in _SOFT.finditer(text, max(start, limit - 4096), limit):
        soft = m.end()
    return soft if soft > start else limit


def iter_blocks(lines: Iterable[str], target: int = 1 << 18, hard: int = 1 << 20) -> Iterator[str]:
    """Group a stream of text into blocks of about ``target`` characters, cut at safe places.

    ``lines`` may be lines (with their newlines) or chunks of any size: the blocks concatenate
    to exactly the input. A block ends at a safe paragraph boundary (a blank line or a page break
    after a sentence end) once it holds ``target`` characters; the first block aims at a quarter
    of that, so a pipe shows output early, and a tail shorter than a quarter joins the block
    before it, so the last pages of a document are not cleaned apart from the rest. A block
    that would grow past ``hard`` ends at its last safe place instead, however short that makes
    it; a paragraph longer than ``hard`` characters is cut anyway (at a sentence end if it has
    one), so memory stays bounded by ``hard`` even for an input without a single blank line.
    Work is linear in the input, whatever its shape; nothing is read before it is needed.

    >>> list(iter_blocks(["一。\\n", "\\n", "二\\n"], target=1))
    ['一。\\n\\n', '二\\n']
    >>> list(iter_blocks(["甲乙。\\n\\n丙丁。\\n\\f戊\\n"], target=2))
    ['甲乙。\\n\\n', '丙丁。\\n', '\\x0c戊\\n']
    >>> [len(b) for b in iter_blocks(["長句，" * 10], target=4, hard=8)]
    [6, 6, 6, 6, 6]
    """
    if target < 1 or hard < target:
        raise ValueError(f"need 1 <= target <= hard, got target={target}, hard={hard}")
    small = max(1, target // 4)
    want = small  # the first block is small: early output for a pipe
    held: str | None = None  # the last block cut, kept until we know it is not before a short tail
    pending = ""  # text since the last cut
    scanned = 0  # pending[:scanned] holds no safe cut at or beyond `want`
    parts: list[str] = []
    size = 0
    need = want  # scan again once pending + parts hold this much
    source = iter(lines)
    while True:
        piece = next(source, None)
        if piece is not None:
            parts.append(piece)
            size += len(piece)
            if held is not None and size >= small:
                yield held
                held = None
            if size < need:
                continue
        text = pending + "".join(parts) if pending else "".join(parts)
        parts = []
        start = 0
        while len(text) - start >= want:
            # a safe cut's sentence end may lie before `start` (a forced cut left it there)
            pos = max(start + max(want, scanned) - _OVERLAP, 0)
            end = start + hard + _OVERLAP
            m = _SAFE.search(text, pos, end)
            while m is not None and m.end() - start < want:
                m = _SAFE.search(text, m.end(), end)
            if m is not None and m.end() - start <= hard:
                cut = m.end()
            elif len(text) - start >= hard:
                # No safe cut between `want` and `hard`: one before `want` (a short block) is
                # better than a cut that may change what the stages do.
                cut = _last_safe(text, start, start + want)
                if cut < 0:
                    cut = _fallback_cut(text, start, start + hard)
            else:
                scanned = len(text) - start
                break
            if held is not None:
                yield held
            held = text[start:cut]
            start, scanned, want = cut, 0, target
        else:
            scanned = 0
        pending = text[start:] if start else text
        size = len(pending)
        if piece is None:
            break
        if held is not None and size >= small:
            yield held
            held = None
        # Rescan when the paragraph has doubled (or reached `hard`): linear, however long.
        need = min(max(want, 2 * size), hard) if size >= want else want
    if held is not None and len(pending) < small and len(held) + len(pending) <= hard + small:
        held, pending = held + pending, ""
    if held:
        yield held
    if pending:
        yield pending


@dataclass
class Pipeline:
    """Stages in order. ``run`` takes a whole text; ``stream`` takes lines and yields output.

    A Pipeline holds only settings, so it pickles and can be sent to worker processes.

    >>> p = Pipeline.of("dedupe", "spacing")
    >>> p.run("園區園區 「「五好五好」」。。")
    '園區「五好」。\\n'
    >>> p.stats["dedupe"].chars_removed  # the second 園區, 五好, 「, 」 and 。
    7
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

    def _count(self, name: str, before: str, after: str, lines_in: int) -> int:
        """Count a step's work; ``lines_in``: the lines of ``before``. Returns those of
        ``after`` (counting lines is a pass over the text: once per text, not per step end)."""
        lines_out = lines_in if after is before else after.count("\n")
        s = self.stats.setdefault(name, StepStats())
        s.chars_in += len(before)
        s.chars_out += len(after)
        s.lines_in += lines_in
        s.lines_out += lines_out
        return lines_out

    def run(self, text: str) -> str:
        """Run every step over ``text`` (one block) and return the result."""
        lines = text.count("\n")
        for step in self.steps:
            out = step.run(text)
            lines = self._count(step.name, text, out, lines)
            text = out
        if text and not text.endswith("\n"):
            text += "\n"
        return text

    def explain(self, text: str) -> list[tuple[str, Explained]]:
        """Run every step and return each step's name with its explained result."""
        results = []
        lines = text.count("\n")
        for step in self.steps:
            r = step.explain(text)
            lines = self._count(step.name, text, r.text, lines)
            results.append((step.name, r))
            text = r.text
        return results

    def stream(
        self, lines: Iterable[str], target: int = 1 << 18, hard: int = 1 << 20, jobs: int = 1
    ) -> Iterator[str]:
        """Run over ``lines`` block by block, yielding output as soon as each block is done.

        ``lines`` may be lines or chunks of any size (see :func:`iter_blocks`). Memory is bounded
        by the block size, not the input: ``"".join(p.stream(lines))`` equals
        ``p.run("".join(lines))`` whenever the input has a safe cut every ``hard`` characters.
        ``jobs`` > 1 (0: every core) cleans the blocks of a large input in that many worker
        processes, with the same output (see :func:`zhclean.parallel.run_blocks`).

        >>> p = Pipeline.of("dedupe", "spacing")
        >>> list(p.stream(["園區園區。。\\n", "\\n", "這 場 改 革\\n"], target=1))
        ['園區。\\n\\n', '這場改革\\n']
        """
        blocks = iter_blocks(lines, target, hard)
        if jobs == 1:
            return self.stitch((block, self.run(block)) for block in blocks)
        from .parallel import run_blocks

        return self.stitch(run_blocks(self, blocks, jobs))

    def stitch(self, results: Iterable[tuple[str, str]]) -> Iterator[str]:
        """Join per-block results ``(block, run(block))`` into one output stream.

        A block cut inside an enormous line continues that line in the next block, so the
        newline ``run`` ended its output with is dropped; with ``JoinConfig(blank_lines=True)``
        consecutive blocks are separated by the same blank line as paragraphs within a block.

        >>> from zhclean.stages.join import JoinConfig
        >>> p = Pipeline.of("join", configs={"join": JoinConfig(blank_lines=True)})
        >>> "".join(p.stitch([("一。\\n", "一。\\n"), ("二。\\n", "二。\\n")]))
        '一。\\n\\n二。\\n'
        """
        gap = any(
            s.name == "join" and getattr(s.resolved(), "blank_lines", False) for s in self.steps
        )
        dangling = False  # a line of output is open: its newline is still to come
        started = False
        for block, result in results:
            out = result
            if not block.endswith("\n"):
                # Cut inside an enormous line: the line goes on in the next block, so the
                # newline ``run`` ended this output with is not the text's.
                out = out.removesuffix("\n")
                was_dangling, dangling = dangling, dangling or bool(out)
            else:
                was_dangling = dangling
                if dangling and not out:
                    out = "\n"
                dangling = False
            if out and gap and started and not was_dangling:
                out = "\n" + out
            if out:
                started = True
                yield out
        if dangling:
            yield "\n"
