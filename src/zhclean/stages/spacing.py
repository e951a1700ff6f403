"""Remove the spaces extractors put inside Chinese text; apply a policy to CJK–Latin spaces.

>>> spacing("這 場 改 革（以下簡稱 「永州經開區」 ），要到 10 月")
'這場改革（以下簡稱「永州經開區」），要到10月'
>>> spacing("李銀明 唐勇平 武力 劉佳賓")
'李銀明 唐勇平 武力 劉佳賓'
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

from .base import Change, Explained, StageSpec, apply_changes, register
from .chars import CJK, CJK_PUNCT, lazy_re

NAME = "spacing"

LatinSpace = Literal["keep", "remove", "add"]


@dataclass(frozen=True)
class SpacingConfig:
    """Settings of the ``spacing`` stage.

    latin_space: what to do with the space between a CJK character and a Latin letter or digit:
        ``remove`` (default: published Chinese text sets none), ``keep``, or ``add`` (as pangu).
    short_line: lines up to this many characters with spaces between multi-character words are
        treated as bylines or headings and keep those spaces.
    """

    latin_space: LatinSpace = "remove"
    short_line: int = 40


DEFAULT = SpacingConfig()

_SP = "[ \u3000\t\u00a0]+"
_S1 = "[ \u3000\t\u00a0]"
# Each pattern starts with the space it removes and looks back over it, (?<=X)[ ]+ written
# as [ ](?<=X[ ])[ ]*: the same matches, but the regex engine can skip to the next space instead
# of trying the look-behind at every character (four times faster on Chinese text).
# space between two CJK characters or CJK punctuation
_CJK_GAP = re.compile(rf"{_S1}(?<=[{CJK}{CJK_PUNCT}]{_S1}){_S1}*(?=[{CJK}{CJK_PUNCT}])")
_LATIN_GAP = re.compile(
    rf"{_S1}(?<=[{CJK}]{_S1}){_S1}*(?=[A-Za-z0-9])|{_S1}(?<=[A-Za-z0-9%]{_S1}){_S1}*(?=[{CJK}])"
)
# space between a Latin letter, digit or ASCII punctuation and full-width punctuation: never wanted
_PUNCT_GAP = re.compile(
    rf"{_S1}(?<=[\x21-\x7e]{_S1}){_S1}*(?=[{CJK_PUNCT}])"
    rf"|{_S1}(?<=[{CJK_PUNCT}]{_S1}){_S1}*(?=[\x21-\x7e])"
)
_HAN_WORD = re.compile(rf"[{CJK}]")
# Two or more spaces between words (not at the start of a line, not before its end): one space.
_SPACE_RUN = re.compile(r"[ \t\u00a0](?<=\S[ \t\u00a0])[ \t\u00a0]+(?=\S)")
# The number or label that starts a heading, a clause or a caption keeps one space after it:
# ``2.2.3 数字普惠金融的影响``, ``第 7.9 条  服务设施…``, ``表 7.7  监控通信设施…``.
_LEAD_LABEL = re.compile(
    r"^[ \t\u3000]*(?:第[ \t]*[\d一二三四五六七八九十百]+(?:[.．]\d+)*[ \t]*[章节節条條款篇部]"
    r"|\d+(?:[.．]\d+)+|\d{1,2}(?=[ \t\u3000]+[^\d\s，。；：！？,;:][^\d，。；：！？,;:]{0,14}\S$)"
    r"|[图圖表][ \t]*\d+(?:[-.．]\d+)*)"
    r"([ \t\u3000\u00a0]+)(?=\S)"
)


def _is_label_line(line: str, cfg: SpacingConfig) -> bool:
    """A byline or a heading: short, several multi-character words, no sentence punctuation."""
    stripped = line.strip()
    if len(stripped) > cfg.short_line + stripped.count(" "):
        return False  # too long even without its spaces: no need to look closer
    # Judge the line as if CJK-Latin spaces were absent, so `--latin-space add` cannot turn a
    # label line into a non-label one on a second pass (idempotence).
    core = _LATIN_GAP.sub("", stripped)
    if len(core) > cfg.short_line:
        return False
    words = core.split()
    if len(words) < 2:
        return False
    if any(len(w) < 2 or not _HAN_WORD.search(w) for w in words):
        return False  # letter-spaced text (這 場 改 革) or a number: not a label
    return not any(p in stripped for p in "，。；：！？")


# Every edit needs a space or a tab in the line, or (adding CJK-Latin spaces) a CJK character
# touching a Latin letter or digit: lines without one are left as they are, unread.
_CANDIDATE = re.compile(r"[ \t\u3000\u00a0]")
_CANDIDATE_ADD = re.compile(r"[ \t\u3000\u00a0A-Za-z0-9%]")
# Where a CJK character touches a Latin letter or digit, found from the Latin side (sparse in
# Chinese text, so the regex engine skips to it): a letter or digit after a CJK character, one
# before a CJK character. Only `--latin-space add` needs them: compiled on first use.
_TOUCH_BEFORE = lazy_re(rf"[A-Za-z0-9](?<=[{CJK}][A-Za-z0-9])")
_TOUCH_AFTER = lazy_re(rf"[A-Za-z0-9%](?=[{CJK}])")

# (start, end, rule, before, after): a change without its stage name
_Edit = tuple[int, int, str, str, str]


def _line_edits(body: str, pos: int, config: SpacingConfig, out: list[_Edit]) -> None:
    """Append the edits of one line (``body``, without its newline, at offset ``pos``)."""
    first = len(out)  # this line's edits start here
    rules = [("punct-gap", _PUNCT_GAP)]
    if not _is_label_line(body, config):  # a byline or a heading keeps its word spaces
        rules.append(("cjk-gap", _CJK_GAP))
    if config.latin_space == "remove":
        rules.append(("latin-gap", _LATIN_GAP))
    label = _LEAD_LABEL.match(body)
    keep = (label.start(1), label.end(1)) if label else (-1, -1)
    if label and label.group(1) != " ":
        out.append((pos + keep[0], pos + keep[1], "label-gap", label.group(1), " "))
    for rule, rx in rules:
        for m in rx.finditer(body):
            if m.start() < keep[1] and m.end() > keep[0]:
                continue  # the space after a leading label stays (one space)
            out.append((pos + m.start(), pos + m.end(), rule, m.group(), ""))
    runs = list(_SPACE_RUN.finditer(body))
    if runs:
        # A run of spaces another edit touches is left to that edit. The spans taken, by start,
        # with the furthest end among those starting before each: one lookup per run.
        taken = sorted((e[0] - pos, e[1] - pos) for e in out[first:])
        starts = [s for s, _ in taken]
        reach = list(accumulate((e for _, e in taken), max))
        for m in runs:
            k = bisect_left(starts, m.end())
            if not (k and reach[k - 1] > m.start()):
                out.append((pos + m.start(), pos + m.end(), "space-run", m.group(), " "))
    if config.latin_space == "add":
        at = [m.start() for m in _TOUCH_BEFORE().finditer(body)]
        at += [m.end() for m in _TOUCH_AFTER().finditer(body)]
        for p in sorted(at):  # the two never meet at one place: CJK and Latin are disjoint
            out.append((pos + p, pos + p, "latin-add", "", " "))


def _edits(text: str, config: SpacingConfig) -> list[_Edit]:
    """Every edit of ``text``, sorted by (start, end) (stable: a line's order among equals)."""
    out: list[_Edit] = []
    cand = _CANDIDATE_ADD if config.latin_space == "add" else _CANDIDATE
    m = cand.search(text)
    if m is None:
        return out
    lines = text.splitlines(keepends=True)
    starts = [0, *accumulate(map(len, lines))]
    while m is not None:
        k = bisect_right(starts, m.start()) - 1
        _line_edits(lines[k].rstrip("\r\n"), starts[k], config, out)
        m = cand.search(text, starts[k + 1])
    out.sort(key=lambda e: (e[0], e[1]))
    return out


def _apply(text: str, edits: list[_Edit]) -> str:
    parts: list[str] = []
    pos = 0
    for start, end, _, _, after in edits:
        parts.append(text[pos:start])
        parts.append(after)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def spacing_explain(text: str, config: SpacingConfig = DEFAULT) -> Explained:
    """Like :func:`spacing`, and report each space removed or added."""
    changes = [Change(NAME, r, s, e, b, a) for s, e, r, b, a in _edits(text, config)]
    return Explained(apply_changes(text, changes), tuple(changes))


def spacing(text: str, config: SpacingConfig = DEFAULT) -> str:
    """Remove spaces inside CJK text and around full-width punctuation.

    >>> spacing("公 司 計 劃 打 造「換 線」、 機 器")
    '公司計劃打造「換線」、機器'
    >>> spacing("使用 Java 开发", SpacingConfig(latin_space="keep"))
    '使用 Java 开发'
    """
    return _apply(text, _edits(text, config))


SPEC = register(
    StageSpec(
        NAME,
        SpacingConfig,
        spacing,
        spacing_explain,
        summary="remove spaces inside CJK text; CJK-Latin spacing policy",
    )
)
