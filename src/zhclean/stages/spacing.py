"""Remove the spaces extractors put inside Chinese text; apply a policy to CJK–Latin spaces.

>>> spacing("這 場 改 革（以下簡稱 「永州經開區」 ），要到 10 月")
'這場改革（以下簡稱「永州經開區」），要到10月'
>>> spacing("李銀明 唐勇平 武力 劉佳賓")
'李銀明 唐勇平 武力 劉佳賓'
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from operator import itemgetter
from typing import Literal, NamedTuple

from ._rows import CELL_GAP, DIGIT_GAP, DIGIT_SPACE, figures_row
from .base import Change, Explained, StageSpec, apply_changes, check_call, check_fields, register
from .chars import CJK, CJK_MARKS, lazy_re

NAME = "spacing"

LatinSpace = Literal["keep", "remove", "add"]
#: The values of ``SpacingConfig.latin_space``.
LATIN_SPACE = ("keep", "remove", "add")


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

    def __post_init__(self) -> None:
        check_fields(self)
        if self.latin_space not in LATIN_SPACE:
            valid = ", ".join(LATIN_SPACE)
            raise ValueError(f"unknown latin_space {self.latin_space!r}; valid: {valid}")
        if self.short_line < 0:
            raise ValueError(f"short_line must be 0 or more, not {self.short_line}")


DEFAULT = SpacingConfig()

# Each pattern starts with the space it removes and looks back over it, (?<=X)[ ]+ written
# as [ ](?<=X[ ])[ ]*: the same matches, but the regex engine can skip to the next space instead
# of trying the look-behind at every character (four times faster on Chinese text).
_S1 = "[ \u3000\t\u00a0]"
# Around a space the rules look for CJK marks, not CJK_PUNCT: with U+3000 counted as a mark, a
# run of them removed itself one by one, between anything (``2019\u3000\u30002020`` became
# ``20192020``).
_MARKS = CJK_MARKS


def _cjk_gap(sp: str) -> str:
    """A space between two CJK characters or CJK punctuation (``sp``: what a space is)."""
    return rf"{sp}(?<=[{CJK}{_MARKS}]{sp}){sp}*(?=[{CJK}{_MARKS}])"


def _latin_gap(sp: str) -> str:
    """A space between a CJK character and a Latin letter or digit."""
    return rf"{sp}(?<=[{CJK}]{sp}){sp}*(?=[A-Za-z0-9])|{sp}(?<=[A-Za-z0-9%]{sp}){sp}*(?=[{CJK}])"


def _punct_gap(sp: str) -> str:
    """A space between a Latin letter, digit or ASCII punctuation and full-width punctuation:
    never wanted."""
    return (
        rf"{sp}(?<=[\x21-\x7e]{sp}){sp}*(?=[{_MARKS}])"
        rf"|{sp}(?<=[{_MARKS}]{sp}){sp}*(?=[\x21-\x7e])"
    )


_CJK_GAP = re.compile(_cjk_gap(_S1))
_LATIN_GAP = re.compile(_latin_gap(_S1))
_PUNCT_GAP = re.compile(_punct_gap(_S1))
_HAN_WORD = re.compile(rf"[{CJK}]")
# Two or more spaces between words (not at the start of a line, not before its end): one space.
_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000](?<=\S[ \t\u00a0\u3000])[ \t\u00a0\u3000]+(?=\S)")
# The number or label that starts a heading, a clause or a caption keeps one space after it:
# ``2.2.3 数字普惠金融的影响``, ``第 7.9 条  服务设施…``, ``表 7.7  监控通信设施…``.
_LEAD_LABEL = re.compile(
    r"^[ \t\u3000]*(?:第[ \t]*[\d一二三四五六七八九十百]+(?:[.．]\d+)*[ \t]*[章节節条條款篇部]"
    r"|\d+(?:[.．]\d+)+|\d{1,2}(?=[ \t\u3000]+[^\d\s，。；：！？,;:][^\d，。；：！？,;:]*\S$)"
    r"|[图圖表][ \t]*\d+(?:[-.．]\d+)*"
    r"|[·•●])"  # a bullet: join takes "· " for a list item, "·" for a name's middle dot
    r"([ \t\u3000\u00a0]+)(?=\S)"
)


_SPACES_RE = re.compile(r"\s+")


def _lead_label(line: str) -> re.Match[str] | None:
    """``_LEAD_LABEL`` at the start of ``line``. A number of one or two digits is a label only
    before a short heading: 16 characters at most, spaces not counted, so that the answer is
    the same once this stage has taken spaces out (``12  中 文`` and ``12 中文``)."""
    m = _LEAD_LABEL.match(line)
    if m is None or not line[: m.start(1)].strip().isdecimal():
        return m  # (``\d+(?:[.．]\d+)+`` has a dot; the other labels are no number)
    return m if len(_SPACES_RE.sub("", line[m.end(1) :])) <= 16 else None


# A field's name and colon at the start of a line (``作者：``, ``关键词：``): what follows is a list
# of names or terms, and the name does not count towards the length of a label line.
_FIELD = re.compile(r"[^\s：:，。]{1,8}[：:]")


def _is_label_line(line: str, cfg: SpacingConfig) -> bool:
    """A byline, a heading or a list of terms: short, several multi-character words, no
    sentence punctuation (a colon is a field's: ``作者：张三 李四``, ``单位：万元 币种：元``)."""
    stripped = line.strip()
    colon = "：" in stripped or ":" in stripped
    field = _FIELD.match(stripped) if colon else None
    limit = cfg.short_line + (field.end() if field else 0)
    if len(stripped) > limit + stripped.count(" "):
        return False  # too long even without its spaces: no need to look closer
    # Judge the line as if CJK-Latin spaces were absent, so `--latin-space add` cannot turn a
    # label line into a non-label one on a second pass (idempotence).
    core = _LATIN_GAP.sub("", stripped)
    if len(core) > limit:
        return False
    words = core.split()
    if len(words) < 2:
        return False
    if any(len(w) < 2 or not _HAN_WORD.search(w) for w in words):
        return False  # letter-spaced text (這 場 改 革) or a number: not a label
    if any(p in stripped for p in "，。；！？"):
        return False
    # a field's colon follows a name of two characters or more: after one, a letter-spaced
    # name was cut (姓 名：王宇晨)
    return not colon or all(w.find(c) < 0 or w.find(c) >= 2 for w in words for c in "：:")


def _after_colon(text: str, m: re.Match[str]) -> bool:
    """The spaces ``m`` matched follow a full-width colon: they go even in a label line
    (``题目： 数字普惠金融`` → ``题目：数字普惠金融``)."""
    return m.start() > 0 and text[m.start() - 1] == "："


_TWO = "  "


def _cell_gap(line: str, a: int, b: int) -> bool:
    """The CJK-Latin gap ``line[a:b]`` is two spaces or more, or holds a tab: the gap between
    two columns (``2024E   利润表``, ``不允许为 null  不允许为 null``), not a space an extractor
    put inside a sentence. Removing it would merge the cells; collapsing it to one space would
    not last, since the next run removes a single space. So it becomes two spaces, which a
    second run keeps. (Whether the line is a table row is no test: which lines are changes as
    the other gaps of the line go.)"""
    return CELL_GAP.search(line, a, b) is not None


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
_SPAN = itemgetter(0, 1)

# What ends a line for ``str.splitlines`` (the lines :func:`_line_edits` is defined on). None of
# them is a space to the patterns above nor in a class they look at around a space (CJK, CJK
# punctuation, ASCII, ``\S``): no match crosses a line end or depends on what lies beyond it.
_LINE_END = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_OTHER_END = re.compile(f"[{_LINE_END[1:]}]")
# What a leading label (``_LEAD_LABEL``) starts with, at the start of the text or after a line
# end: the lines where one may be.
_LABEL_START = r"[ \t\u3000]*[第\d图圖表·•●]"
_LABEL_FIRST = re.compile(_LABEL_START)


class _Passes(NamedTuple):
    """The patterns :func:`_edits_whole` runs over a whole text. (A named tuple: a dataclass
    costs a millisecond of start-up to define.)"""

    punct: re.Pattern[str]
    cjk: re.Pattern[str]
    latin: re.Pattern[str]
    run: re.Pattern[str]
    label: re.Pattern[str]  # a line end, then what a leading label starts with


_ANY = _Passes(
    _PUNCT_GAP,
    _CJK_GAP,
    _LATIN_GAP,
    _SPACE_RUN,
    re.compile(rf"[{_LINE_END}]{_LABEL_START}"),
)
# Most text has no space but " " and no line end but "\n": on it the same patterns with " " for
# the class of spaces find the same matches ten times faster, since the regex engine skips to
# a literal first character at C speed but tests a class character by character. (Compiled on
# first use: the CJK classes cost milliseconds of start-up.)
_PLAIN_TEXT = re.compile(f"[\t\u3000\u00a0{_LINE_END[1:]}]")  # what makes a text not plain


@cache
def _plain() -> _Passes:
    """The passes for plain text (see ``_PLAIN_TEXT``): each rule with " " for its spaces."""
    return _Passes(
        re.compile(_punct_gap(" ")),
        re.compile(_cjk_gap(" ")),
        re.compile(_latin_gap(" ")),
        re.compile(r" (?<=\S ) +(?=\S)"),
        re.compile(r"\n *[第\d图圖表·•●]"),
    )


def _line_at(text: str, p: int, plain: bool = False) -> tuple[int, int, int]:
    """The line of ``text.splitlines(keepends=True)`` that holds offset ``p`` (not that of a
    newline character): where it starts, where it ends without its trailing ``\\r`` and
    ``\\n``, and where the next line starts, or the one after it if the next is an empty line of
    a newline alone (where nothing is to be found). Without splitting the whole text: a line
    ends at a newline, or at another line end in between (``plain``: the text has no other)."""
    a = text.rfind("\n", 0, p) + 1
    b = text.find("\n", p)
    b = len(text) if b < 0 else b
    nxt = b + 1
    if not plain and _OTHER_END.search(text, a, b):
        for line in text[a:b].splitlines(keepends=True):
            if a + len(line) > p:
                if a + len(line) < b:
                    nxt = b = a + len(line)
                break
            a += len(line)
    while b > a and text[b - 1] in "\r\n":
        b -= 1
    return a, b, nxt


def _line_edits(body: str, pos: int, config: SpacingConfig, out: list[_Edit]) -> None:
    """Append the edits of one line (``body``, without its newline, at offset ``pos``): the
    definition of this stage, which :func:`_edits_whole` follows over a whole text."""
    first = len(out)  # this line's edits start here
    # a row of figures keeps the spaces between its cells (营业收入（元） 4,755,785.11 …)
    rules = [] if figures_row(body) else [("punct-gap", _PUNCT_GAP), ("cjk-gap", _CJK_GAP)]
    label_line = _is_label_line(body, config)  # a byline or a heading keeps its word spaces
    if config.latin_space == "remove" and rules:
        rules.append(("latin-gap", _LATIN_GAP))
    label = _lead_label(body)
    keep = (label.start(1), label.end(1)) if label else (-1, -1)
    if label and label.group(1) != " ":
        out.append((pos + keep[0], pos + keep[1], "label-gap", label.group(1), " "))
    cells: list[_Edit] = []  # cell gaps left as they are (the runs rule leaves them too)
    for rule, rx in rules:
        for m in rx.finditer(body):
            if m.start() < keep[1] and m.end() > keep[0]:
                continue  # the space after a leading label stays (one space)
            if label_line and rule == "cjk-gap" and not _after_colon(body, m):
                continue
            if rule == "latin-gap" and _cell_gap(body, *m.span()):
                cells.append(_cell_edit(pos, m))
                continue
            out.append((pos + m.start(), pos + m.end(), rule, m.group(), ""))
    out += [e for e in cells if e[3] != e[4]]
    runs = list(_SPACE_RUN.finditer(body))
    if runs:
        _add_runs(runs, out[first:] + cells, pos, out)
    if config.latin_space == "add":
        at = [m.start() for m in _TOUCH_BEFORE().finditer(body)]
        at += [m.end() for m in _TOUCH_AFTER().finditer(body)]
        for p in sorted(at):  # the two never meet at one place: CJK and Latin are disjoint
            out.append((pos + p, pos + p, "latin-add", "", " "))


def _cell_edit(pos: int, m: re.Match[str]) -> _Edit:
    """The edit of a cell gap (see :func:`_cell_gap`) matched at ``pos``: two spaces, a tab
    left as it is (before and after are equal when nothing changes)."""
    gap = m.group()
    return (pos + m.start(), pos + m.end(), "cell-gap", gap, gap if gap == "\t" else _TWO)


def _add_runs(runs: list[re.Match[str]], edits: list[_Edit], pos: int, out: list[_Edit]) -> None:
    """Append a space-run edit for each run (matched at ``pos``) that none of ``edits`` touches:
    a run of spaces another edit touches is left to that edit."""
    # The spans taken, by start, with the furthest end among those starting before each: one
    # lookup per run.
    taken = sorted((e[0] - pos, e[1] - pos) for e in edits)
    starts = [s for s, _ in taken]
    reach = list(accumulate((e for _, e in taken), max))
    for m in runs:
        k = bisect_left(starts, m.end())
        if not (k and reach[k - 1] > m.start()):
            out.append((pos + m.start(), pos + m.end(), "space-run", m.group(), " "))


def _edits_by_line(text: str, lines: list[tuple[int, int]], config: SpacingConfig) -> list[_Edit]:
    """:func:`_line_edits` of the ``lines`` of ``text`` (start, end without the line end)."""
    out: list[_Edit] = []
    for a, b in lines:
        _line_edits(text[a:b], a, config, out)
    out.sort(key=_SPAN)
    return out


def _edits_whole(text: str, config: SpacingConfig) -> list[_Edit]:
    """The edits :func:`_line_edits` makes on every line of ``text``, found by one pass of each
    rule over the whole text; only what depends on the line as a whole is looked at per line,
    on the few lines where it may apply.

    No match of a rule crosses a line end (see ``_LINE_END``), so a pass over the text finds
    what the passes over its lines find. A label line (whose CJK gaps stay) matters only among
    the lines with a CJK gap; a leading label can only be on a line that starts with a digit,
    第 or 图/表; a run of spaces can only meet the edits of its own line. Two edits at the same
    place (in one line) come out in the order :func:`_line_edits` makes them: the groups below
    are in that order, and the sort is stable.
    """
    plain = _PLAIN_TEXT.search(text) is None
    rx = _plain() if plain else _ANY
    punct = list(rx.punct.finditer(text))
    cjk = list(rx.cjk.finditer(text))
    latin = list(rx.latin.finditer(text)) if config.latin_space == "remove" else []
    labels = [m.start() + 1 for m in rx.label.finditer(text)]  # the lines they start
    if _LABEL_FIRST.match(text):
        labels.insert(0, 0)
    out: list[_Edit] = []
    keeps: list[tuple[int, int]] = []  # the space after each leading label: no rule removes it
    for p in labels:
        _, b, _ = _line_at(text, p, plain)
        label = _lead_label(text[p:b])
        if label:
            keeps.append((p + label.start(1), p + label.end(1)))
            if label.group(1) != " ":
                out.append((*keeps[-1], "label-gap", label.group(1), " "))
    if cjk:
        # The lines with a CJK gap that are label lines (bylines, headings) keep them.
        kept = []
        nxt, is_label = -1, False  # where the line of the last match ends, and what it is
        for m in cjk:
            if m.start() >= nxt:
                a, b, nxt = _line_at(text, m.start(), plain)
                is_label = _is_label_line(text[a:b], config)
            if not is_label or _after_colon(text, m):
                kept.append(m)
        cjk = kept
    # (one keep per line at most, so they are disjoint and in order: of those that start
    # before a match ends, the last reaches furthest)
    keep_starts = [s for s, _ in keeps]
    # a row of figures keeps the spaces between its cells: its gaps are no edits
    rows = _rows(text, plain)
    punct, cjk, latin = (_off_rows(ms, rows) for ms in (punct, cjk, latin))
    cells: list[_Edit] = []
    for rule, matches in (("punct-gap", punct), ("cjk-gap", cjk), ("latin-gap", latin)):
        if not keeps and rule != "latin-gap":
            out += [(m.start(), m.end(), rule, m.group(), "") for m in matches]
            continue
        for m in matches:
            a, b = m.span()
            k = bisect_left(keep_starts, b) - 1
            if k >= 0 and keeps[k][1] > a:
                continue  # the space after a leading label stays (one space)
            if rule == "latin-gap" and (b - a > 1 or m.group() == "\t"):  # (a cell gap needs it)
                start, end, _ = _line_at(text, a, plain)
                if _cell_gap(text[start:end], a - start, b - start):
                    cells.append(_cell_edit(0, m))
                    continue
            out.append((a, b, rule, m.group(), ""))
    out += [e for e in cells if e[3] != e[4]]
    runs = list(rx.run.finditer(text))
    if runs:
        _add_runs(runs, out + cells, 0, out)
    if config.latin_space == "add":
        at = [m.start() for m in _TOUCH_BEFORE().finditer(text)]
        at += [m.end() for m in _TOUCH_AFTER().finditer(text)]
        out += [(p, p, "latin-add", "", " ") for p in sorted(at)]
    out.sort(key=_SPAN)
    return out


def _rows(text: str, plain: bool) -> list[tuple[int, int]]:
    """The rows of figures (:func:`figures_row`) among the lines of ``text``: (start, end)."""
    rows: list[tuple[int, int]] = []
    search = (DIGIT_SPACE if plain else DIGIT_GAP).search  # (plain: see _PLAIN_TEXT)
    m = search(text)
    while m is not None:
        a, b, nxt = _line_at(text, m.start(), plain)
        if figures_row(text[a:b]):
            rows.append((a, b))
        m = search(text, nxt)
    return rows


def _off_rows(matches: list[re.Match[str]], rows: list[tuple[int, int]]) -> list[re.Match[str]]:
    """``matches`` (sorted) less those on the ``rows``."""
    if not rows or not matches:
        return matches
    starts = [m.start() for m in matches]
    out: list[re.Match[str]] = []
    done = 0
    for a, b in rows:
        lo = bisect_left(starts, a, done)
        out += matches[done:lo]
        done = bisect_left(starts, b, lo)
    return out + matches[done:]


def _edits(text: str, config: SpacingConfig, chars_per_line: int = 400) -> list[_Edit]:
    """Every edit of ``text``, sorted by (start, end) (stable: a line's order among equals).

    Line by line where few lines have a space in them (SIGHAN's text: a pass of each rule over
    all of it would cost more than the calls), else over the whole text at once (a Python call
    per line was most of this stage's time where most lines have a space, as after join):
    lines with a space up to one in ``chars_per_line`` characters (the break-even, measured on
    the seed page and SIGHAN text) go line by line. tests/test_spacing_fast.py holds the two
    ways to each other.
    """
    budget = len(text) // chars_per_line
    if config.latin_space != "add":
        # (counting spaces is many times faster than finding the lines they are on)
        spaces = sum(map(text.count, _SPACES))
        if not spaces:
            return []
        if spaces > budget:
            return _edits_whole(text, config)
    cand = _CANDIDATE_ADD if config.latin_space == "add" else _CANDIDATE
    lines: list[tuple[int, int]] = []
    m = cand.search(text)
    while m is not None:
        if len(lines) > budget:
            return _edits_whole(text, config)
        a, b, nxt = _line_at(text, m.start())
        lines.append((a, b))
        m = cand.search(text, nxt)
    return _edits_by_line(text, lines, config)


_SPACES = (" ", "\t", "\u3000", "\u00a0")  # what _CANDIDATE finds


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
    check_call("spacing_explain", text, config, SpacingConfig)
    changes = [Change(NAME, r, s, e, b, a) for s, e, r, b, a in _edits(text, config)]
    return Explained(apply_changes(text, changes), tuple(changes))


def spacing(text: str, config: SpacingConfig = DEFAULT) -> str:
    """Remove spaces inside CJK text and around full-width punctuation.

    >>> spacing("公 司 計 劃 打 造「換 線」、 機 器")
    '公司計劃打造「換線」、機器'
    >>> spacing("使用 Java 开发", SpacingConfig(latin_space="keep"))
    '使用 Java 开发'
    """
    check_call("spacing", text, config, SpacingConfig)
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
