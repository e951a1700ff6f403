"""The Pipeline: stages in order, over bounded blocks of a stream, with stats and explanations.

>>> p = Pipeline.default()
>>> p.run("改革改革「「引擎引擎」」\\n\\n這 場 改 革 不僅減輕了負擔。")
'改革「引擎」\\n這場改革不僅減輕了負擔。\\n'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .stages import ORDER, Change, Explained, get_stage
from .stages.base import BackMap, check_fields
from .stages.base import not_text as _not_text
from .stages.chars import CLOSERS, NO_LINE_START, TERMINAL
from .stages.convert import ConvertConfig
from .stages.segment import SegmentConfig


@dataclass(frozen=True)
class Step:
    """One stage of a pipeline: its registered name and its config (picklable settings; None:
    the stage's defaults). Both are checked when the step is made, so that a typo fails before
    any work:

    >>> from zhclean import JoinConfig
    >>> Step("join", JoinConfig(blank_lines=True)).run("一。\\n二。\\n")
    '一。\\n\\n二。\\n'
    >>> Step("join", {"blank_lines": True})
    Traceback (most recent call last):
    TypeError: Step('join') takes a JoinConfig (None: the defaults), not dict: JoinConfig(**...)
    """

    name: str
    config: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"a step's name must be a str, not {type(self.name).__name__}")
        spec = get_stage(self.name)  # UnknownStageError (a ValueError) names the valid ones
        if self.config is None:
            return
        kind = spec.config_type
        if not isinstance(self.config, kind):
            hint = f": {kind.__name__}(**...)" if isinstance(self.config, dict) else ""
            raise TypeError(
                f"Step({self.name!r}) takes a {kind.__name__} (None: the defaults), "
                f"not {type(self.config).__name__}{hint}"
            )
        check_fields(self.config)

    def resolved(self) -> Any:
        """The config this step runs with: its own, or the stage's defaults."""
        return self.config if self.config is not None else get_stage(self.name).config_type()

    def run(self, text: str) -> str:
        """Run the stage over ``text``."""
        return get_stage(self.name).run(text, self.resolved())

    def explain(self, text: str) -> Explained:
        """Run the stage over ``text`` and say what it changed (offsets into ``text``)."""
        return get_stage(self.name).explain(text, self.resolved())


@dataclass
class StepStats:
    """What one step did over a run: characters and lines in and out."""

    chars_in: int = 0
    chars_out: int = 0
    lines_in: int = 0
    lines_out: int = 0

    @property
    def chars_removed(self) -> int:
        """Characters the step took out, net (dedupe's and furniture's removals)."""
        return max(0, self.chars_in - self.chars_out)

    @property
    def lines_joined(self) -> int:
        """Line breaks the step took out, net (join's joins, blank lines among them)."""
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


def _check_sizes(target: int, hard: int) -> None:
    if target < 1 or hard < target:
        raise ValueError(f"need 1 <= target <= hard, got target={target}, hard={hard}")


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
    _check_sizes(target, hard)
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
            if not isinstance(piece, str):
                raise _not_text("each line or chunk", piece)
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

    def __post_init__(self) -> None:
        if not isinstance(self.steps, Sequence) or isinstance(self.steps, str):
            if isinstance(self.steps, str) or not isinstance(self.steps, Iterable):
                raise TypeError(
                    f"Pipeline takes a list of Step, not {type(self.steps).__name__}; "
                    "Pipeline.of(*names) builds one from stage names"
                )
            self.steps = list(self.steps)  # a generator would be used up by the first run
        for step in self.steps:
            if not isinstance(step, Step):
                raise TypeError(
                    f"a Pipeline's steps are Step objects, not {type(step).__name__} "
                    f"({step!r}): Step({step!r}), or Pipeline.of(*names)"
                )

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
        then convert if ``convert`` names a config (or is a :class:`ConvertConfig`), then segment
        if ``segment`` (True, or a :class:`SegmentConfig`); ``furniture=False`` is
        ``--keep-furniture``.

        ``configs`` maps a stage name to its config, for the stages you want to tune. A name
        the pipeline does not run (a typo, or ``"convert"`` without ``convert``) is an error, not
        a setting silently ignored:

        >>> from zhclean import JoinConfig
        >>> Pipeline.default(configs={"join": JoinConfig(blank_lines=True)}).run("一。\\n二。")
        '一。\\n\\n二。\\n'
        >>> Pipeline.default(configs={"joim": JoinConfig()})
        Traceback (most recent call last):
        ValueError: configs names 'joim', which this pipeline does not run; it runs normalize, ...
        """
        if convert is not None and not isinstance(convert, (str, ConvertConfig)):
            raise TypeError(
                f"convert must be a config name such as 'hk2s' or a ConvertConfig, "
                f"not {type(convert).__name__}"
            )
        if not isinstance(segment, (bool, SegmentConfig)):
            kind = type(segment).__name__
            raise TypeError(f"segment must be a bool or a SegmentConfig, not {kind}")
        if not isinstance(furniture, bool):
            raise TypeError(f"furniture must be a bool, not {type(furniture).__name__}")
        configs = dict(configs or {})
        names = ["normalize", "dedupe", *(["furniture"] if furniture else []), "join", "spacing"]
        if convert is not None:
            names.append("convert")
            if "convert" in configs:
                raise ValueError("give the conversion as convert=..., not also in configs")
            configs["convert"] = (
                convert if isinstance(convert, ConvertConfig) else ConvertConfig(convert)
            )
        if segment is not False:
            names.append("segment")
            if isinstance(segment, SegmentConfig):
                if "segment" in configs:
                    raise ValueError("give the SegmentConfig as segment=..., not also in configs")
                configs["segment"] = segment
        _check_configs(configs, names)
        return cls([Step(n, configs.get(n)) for n in names])

    @classmethod
    def of(cls, *names: str, configs: dict[str, Any] | None = None) -> Pipeline:
        """A pipeline of the named stages: the built-in ones in the canonical order, then any
        stage registered since (:func:`zhclean.stages.base.register`) in the order given;
        ``configs`` maps some of those names to their configs.

        >>> [step.name for step in Pipeline.of("spacing", "dedupe").steps]
        ['dedupe', 'spacing']
        """
        configs = configs or {}
        own = [n for n in dict.fromkeys(names) if n not in ORDER]
        for name in own:
            get_stage(name)  # raises UnknownStageError naming the valid stages
        _check_configs(configs, names)
        return cls([Step(n, configs.get(n)) for n in [*(n for n in ORDER if n in names), *own]])

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
        """Run every step over ``text`` (one block) and return the result, ending with a
        newline unless it is empty."""
        if not isinstance(text, str):
            raise _not_text("text", text)
        lines = text.count("\n")
        for step in self.steps:
            out = step.run(text)
            lines = self._count(step.name, text, out, lines)
            text = out
        if text and not text.endswith("\n"):
            text += "\n"
        return text

    def explain(self, text: str) -> list[tuple[str, Explained]]:
        """Run every step and return each step's name with its explained result.

        Each step's changes have offsets into that step's input; :func:`input_changes` maps
        them all back into ``text``, as ``zhclean clean --explain`` reports them. The last
        result's text is the output (``run`` adds a final newline when it lacks one).

        >>> p = Pipeline.of("dedupe", "spacing")
        >>> [(name, len(r.changes)) for name, r in p.explain("園區園區 。。")]
        [('dedupe', 2), ('spacing', 1)]
        """
        if not isinstance(text, str):
            raise _not_text("text", text)
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
        by the block size, not the input, and the output is what ``zhclean clean`` writes for
        the same text. A block ends only where a paragraph does, but what a stage weighs over
        the text it is given (a running header's share of the pages, a hyphenated word written
        whole elsewhere, the column width) it weighs over the block: on a text longer than a
        block, ``p.run(text)`` may differ in such places (the stage functions called on a
        whole text too). Text shorter than ``target`` is one block either way.
        ``jobs`` > 1 (0: every core) cleans the blocks of a large input in that many worker
        processes, with the same output (see :func:`zhclean.parallel.run_blocks`). A file
        opened in text mode is a stream of lines; a str is taken as one whole text.

        >>> p = Pipeline.of("dedupe", "spacing")
        >>> list(p.stream(["園區園區。。\\n", "\\n", "這 場 改 革\\n"], target=1))
        ['園區。\\n\\n', '這場改革\\n']
        """
        if isinstance(lines, str):
            lines = (lines,)  # not one character at a time
        elif isinstance(lines, (bytes, bytearray, memoryview)) or not isinstance(lines, Iterable):
            raise _not_text("lines", lines)
        _check_sizes(target, hard)  # now, not at the first block
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
            raise ValueError(f"jobs must be 0 (every core) or a number of processes, not {jobs!r}")
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


def _check_configs(configs: dict[str, Any], names: Sequence[str]) -> None:
    for name in configs:
        if name not in names:
            raise ValueError(
                f"configs names {name!r}, which this pipeline does not run; "
                f"it runs {', '.join(names)}"
            )


def input_changes(results: Sequence[tuple[str, Explained]]) -> list[Change]:
    """Every change of a :meth:`Pipeline.explain` result, in step order, with ``start`` and
    ``end`` mapped back through the steps before it into the pipeline's input: what
    ``zhclean clean --explain`` reports as ``line:column``. ``before`` and ``after`` stay the
    text as the stage saw and left it.

    >>> text = "園區園區 。。"
    >>> results = Pipeline.of("dedupe", "spacing").explain(text)
    >>> results[1][1].changes[0].start  # the space, in what dedupe left: 園區 。
    2
    >>> for c in input_changes(results):
    ...     print(c.stage, c.rule, c.start, c.end, repr(c.before), repr(text[c.start : c.end]))
    dedupe run 2 4 '園區' '園區'
    dedupe punct 6 7 '。' '。'
    spacing cjk-gap 4 5 ' ' ' '
    """
    out: list[Change] = []
    backs: list[BackMap] = []
    for _, result in results:
        for ch in result.changes:
            start, end = ch.start, ch.end
            for back in reversed(backs):
                start, end = back(start), back(end, end=True)
            out.append(replace(ch, start=start, end=max(start, end)))
        backs.append(BackMap(result.changes))
    return out
