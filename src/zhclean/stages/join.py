"""Rebuild paragraphs from hard-wrapped, column-broken, page-broken extractor output.

Lines the layout broke mid-sentence are joined (CJK with nothing between, Latin with a space,
hyphenated words rejoined); real paragraph ends, headings, bylines, captions, list items, table
cells and verse stay on their own lines. The output has one paragraph per line.

How a break is judged, as a careful reader would (``--explain`` names the rule each time):

* the column width is estimated per block of lines, not per page: a *run* of consecutive lines
  whose widths change by at most about one character per line (a column, a box, or text
  wrapped around a picture whose width grows or shrinks line by line) is its own column when
  it reads as prose; any other line is measured against the widest lines around it;
* a line that stops mid-sentence continues on the next text line, across blank lines, column
  and page breaks (``\\f``); so does a line ending with ``，、；：`` or with a bracket or quote
  still open, and a line can never start with ``，。」`` … (the rule every CJK typesetter
  follows);
* a sentence end (``。！？…`` and closing quotes; ``；`` and ``：`` do not end one) ends the
  paragraph on a line clearly narrower than its column, or before a blank line (unless the
  extractor puts one after every line), an indented line, a list item, a heading, a caption, or
  a line two characters narrower than the column (a first line whose indent was dropped); at
  the column edge of wrapped text it continues;
* a short line without sentence punctuation in its paragraph is a heading, byline, title or
  label and stays on its own line (a long numbered heading or a title may wrap onto the next
  line), as do list items, captions (``图 2.1`` joins its title), table rows and cells, and
  verse;
* program code stays a statement a line: the break after a ``//`` comment, between two lines of
  code, between code and the label of the prose after it (``反例：``), and between a label
  ending with a colon and its code (:func:`_code`).

>>> join_lines("8月18日，湖南匯科電子科技有限公司的董\\n事長羅核，滿臉喜悅地分享了一個喜訊。\\n")
'8月18日，湖南匯科電子科技有限公司的董事長羅核，滿臉喜悅地分享了一個喜訊。\\n'
>>> join_lines("一、總則\\n（一）本辦法適用於全區。\\n")
'一、總則\\n（一）本辦法適用於全區。\\n'
>>> join_lines("a new tech-\\nnology for well-\\nknown ends\\n")
'a new technology for well-known ends\\n'
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, chain, compress, count, pairwise, repeat
from operator import and_, is_, is_not, itemgetter, ne, not_, sub
from typing import TypeVar

from ._hyphens import HEAD, TAIL, Words, in_chinese
from ._rows import CELL_GAP, DIGIT_SPACE, figures_row
from .base import BackMap, Change, Explained, StageSpec, check_call, check_fields, register
from .chars import NO_LINE_START

NAME = "join"
_T = TypeVar("_T")


@dataclass(frozen=True)
class JoinConfig:
    """Settings of the ``join`` stage.

    blank_lines: put a blank line between output paragraphs (default: one paragraph per line).
    tolerance: how many character widths a line may fall short of its column and still count
        as reaching the column edge (justified CJK text jitters by about one character where
        punctuation is compressed).
    window: how many text lines on each side estimate a column's width for a line that is not
        part of a run of similar lines.
    max_column: a line wider than this (in CJK character widths) is taken as a whole paragraph,
        not as a wrapped column line.
    """

    blank_lines: bool = False
    tolerance: float = 1.5
    window: int = 5
    max_column: float = 120.0

    def __post_init__(self) -> None:
        check_fields(self)
        for name in ("tolerance", "window"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, not {getattr(self, name)}")
        if self.max_column <= 0:
            raise ValueError(f"max_column must be more than 0, not {self.max_column}")


DEFAULT = JoinConfig()

_WS = " \t\r\u3000\u00a0"
# A sentence ends at 。！？… (full or half width), optionally followed by closing quotes.
_TERMINAL = "。！？!?…‼⁇⁈⁉．"
_CLOSE = "」』）)】〕》〉”’\"'］]"
_SENT_END = re.compile(rf"(?:[{re.escape(_TERMINAL)}]|(?<=[A-Za-z)\]])\.)[{re.escape(_CLOSE)}]*$")
# Punctuation inside a line that shows it is a sentence, not a heading.
_SENT_PUNCT = re.compile(r"[，。；！？,;!?]|(?<=[A-Za-z])\.\s")
# No line may start with these (kinsoku): such a line always continues the previous one.
_NO_START = set(NO_LINE_START)
_PAIRS = tuple(zip("《「『（(“【", "》」』）)”】", strict=True))
# A line ending with clause punctuation continues (；and ：do not end a sentence).
_CLAUSE_END = set("，、；：,;:")
# ... unless it ends with a full-width colon or semicolon well before its column's edge and is
# a paragraph of its own: there the writer broke the line (本文的创新主要体现在以下方面：,
# 女士们，先生们：, an item ending with ；). At the end of a longer paragraph it would not stay
# so: joined, the paragraph is a wide line, whose break a second look joins. A field's label
# (姓名：, 反馈外审意见时间：) is no lead-in, its value may follow on the next line; nor is a
# list item's title (1）FixedThreadPool和SingleThreadPool：), its text may; nor is a line short
# only because the word after it did not fit (…异常： / java.util.RandomAccessSubList …).
_LEAD_END = frozenset("；：")
_SENT_PUNCT_OR_COLON = re.compile("[，、。；：！？,;:!?]")
_LEAD_RULE = "keep: a short line ending with a colon or semicolon (a lead-in, an item)"
# A line ending with an opening bracket or quote always continues.
_NO_END = set("（「『【〔《〈“‘([{")
_NO_END_OR_HYPHEN = frozenset([*_NO_END, "-"])

# Bullets (besides - – * + · followed by a space), check boxes among them.
_BULLET_GLYPHS = "•●○■□◆◇▪►▶✓✔※☐☑☒√⚫⚪➢➤★☆◎▲△"
# What a bullet alone on its line can be (not * or +: /** … * in code, a sum's sign)
_LONE_BULLETS = frozenset(_BULLET_GLYPHS.replace("○", "") + "-–·")  # (○ is a zero: 一○五)
_LIST_ITEM = re.compile(
    r"^(?:[一ㄧ二三四五六七八九十百〇零]+[、.．]"  # (ㄧ: the bopomofo letter, typed for 一)
    r"|[（(][一ㄧ二三四五六七八九十百\d]{1,3}[）)]"
    r"|\d{1,3}(?:[.．]\d{1,3})*[、.．)）](?![\d.．])"
    r"|[A-Za-z][.)](?=\s)|[A-Za-z]）"  # (a）GET：…: a full-width bracket needs no space)
    rf"|[{_BULLET_GLYPHS}\ue000-\uf8ff]|[\-–*+·](?=\s)"  # (√ 适用 □ 不适用: check boxes)
    r"|第\s*[一二三四五六七八九十百千〇零\d]+(?:[.．]\d+)*\s*[章節节條条款篇部編编回]"
    r"|[①-⑳⑴-⒇⒈-⒛㈠-㈩❶-❿]"
    r"|\d{1,3}\u3000(?=[A-Za-z\u4e00-\u9fff]))"  # (5　P&W公司. …: a number, an ideographic space)
)
# The start of an entry of a reference list, after a line ending with a full stop (the entry
# before it ends so): its authors and its year, in Chinese (陈三毛,钱晓萍.2014.…) or Latin
# script (Aghion P, Fally T, Scarpetta S.2007. …, Altman,E.I.1968.…, pdfminer's Chetty
# R,Hendren  N,et  al.2014.… and 冷奥琳,  张俊瑞,…), or its number ([12] …). Each name is a
# token after a separator, so no capital letter can start two ways; prose has lower-case words,
# and a year without a full stop after it.
_LATIN_NAME = r"[A-Z\u00c0-\u00de][A-Za-z\u00c0-\u024f'’\-]*"
_NAME = rf"(?:{_LATIN_NAME}|et\s+al|and|&)"
_HAN_NAME = r"[\u3400-\u9fff·](?: ?[\u3400-\u9fff·]){1,5}"  # (李 建 军: letter-spaced)
_REFERENCE = re.compile(
    rf"^(?:{_HAN_NAME}(?: *[,，、] *{_HAN_NAME})*(?: ?[,，]? ?等)? ?[.．,，] ?"
    rf"|{_LATIN_NAME}(?:[\s,，.]+{_NAME})*[.,]\s*\(?)"
    r"(?:1[5-9]|20)\d\d[a-z]?\)?[.．]"
    r"|^\[\d{1,3}\]\s?\S"
)
_FULL_STOP_CHAR = re.compile("[.．]")
_CAPTION = re.compile(
    r"^(?:[圖图表]\s*[\d一二三四五六七八九十]+(?:[-.．]\d+)*|(?:Fig(?:ure)?|Table)\.?\s*\d+)"
    r"(?=[\s:：.．、]|[^\d])"
)
_CAPTION_FIRST = "圖图表FT"  # what _CAPTION and _CAPTION_LABEL can match first
_SECTION = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,3}\s+[^\d\s.]")
_CAPTION_LABEL = re.compile(
    r"^(?:[圖图表]\s*\d+(?:[-.．]\d+)*|(?:Fig(?:ure)?|Table)\.?\s*\d+(?:\.\d+)*)[:：.．]?$"
)


# What no heading, title or paragraph starts with: a line starting with one (and a Han character
# after it) goes on from the line before (…无泛型限制、锁 / 的使用方式…, 民用航空发动机状态监视 /
# 和故障诊断系统研究). 并 and 或 are left out: 并行, 或许 start words that start lines.
_CONNECTIVE = frozenset("的之及和与")


def _goes_on(line: str, before: str) -> bool:
    """``line`` starts with a connective and a Han character (not 的确, indeed): it goes on from
    the line ``before``, unless that one ends with a connective too (…反省的 / 的能力: two
    columns read across, as pdftotext does, no 的的)."""
    if line[0] not in _CONNECTIVE or len(line) < 2 or line[:2] == "的确":
        return False
    if before[-1] in _CONNECTIVE:
        return False
    return _HAN_FIRST(line, 1) is not None


_PUNCT_CHAR = re.compile(r"[，。；！？,;!?]")
# the other half of _SENT_PUNCT, starting with its literal (the regex engine jumps to it)
_DOT_AFTER_LETTER = re.compile(r"\.(?<=[A-Za-z]\.)\s")


def _has_sent_punct(s: str) -> bool:
    """``_SENT_PUNCT.search(s)``, faster: a search for one character class skips ahead quickly,
    and the slow alternative (a full stop after a letter) needs a full stop."""
    return bool(_PUNCT_CHAR.search(s)) or ("." in s and bool(_SENT_PUNCT.search(s)))


def _is_caption(s: str) -> bool:
    """``图 2.1 …`` or ``Table 3 …``, not a sentence that starts by naming a table."""
    return bool(_CAPTION.match(s)) and not _SENT_PUNCT.search(s.rstrip("。."))


_HAN = "\u3400-\u9fff\uf900-\ufaff"
# three Han characters (what a verse line needs), the search stopping at the third
_THREE_HAN = re.compile(f"[{_HAN}](?:[^{_HAN}]*[{_HAN}]){{2}}")
# A cell of a table or a stray number: digits and number punctuation only.
_NUMERIC = re.compile(r"^[\d.,．%％～~\-–—/:+×()（）\s]+$")
# The end of a row of figures: two numbers (thousands commas, decimals, a sign, a percent
# sign), the first after a space or right after its Chinese label (as spacing leaves it), the
# second after a space.
_FIGURES_END = re.compile(
    r"(?:\s|(?<=[^\x00-\x7f]))[-+]?\d[\d,]*(?:\.\d+)?[%％]?\s+[-+]?\d[\d,]*(?:\.\d+)?[%％]?$"
)
_FIGURE_END_CHAR = re.compile(r"[\d%％]")
_LOWER_WORD = re.compile(r"[a-z][a-z'-]*")  # an English word in lower case
# Table-like row: two or more gaps of two or more spaces (or tabs) between cells.
_HYPHEN_END = re.compile(rf"(-?){HEAD}-$")  # (a hyphen before: state-of-the-)
_HYPHENATED_WORD = "join: word hyphenated at the line end"


# Characters set half width: ASCII, Latin, Greek, Cyrillic ... up to the CJK blocks, except the
# punctuation CJK fonts set full width (— ‘ ’ “ ” … ·).
_HALF = re.compile(r"[\x00-\u00b6\u00b8-\u2012\u2016\u2017\u201a\u201b\u201e-\u2025\u2027-\u2e7f]")


def _width(s: str) -> float:
    """Display width in CJK character widths: ideographs and full-width punctuation 1, ASCII 1/2.

    >>> _width("8月18日"), _width("這 場")
    (3.5, 2.5)
    """
    return len(s) - 0.5 * len(_HALF.findall(s))


_HANGING = re.compile(r"[，。、；：！？」』）》,.;:!?)]{1,2}$")
_HANGING_LAST = frozenset("，。、；：！？」』）》,.;:!?)")


def _edge_width(s: str) -> float:
    """Width up to the column edge: punctuation at the end of a line may be compressed or hang
    outside the column, so it counts half.

    >>> _edge_width("看進度、問需求。」"), _edge_width("這 場")
    (8.0, 2.5)
    """
    m = _HANGING.search(s)
    w = _width(s)
    return w - 0.5 * _width(m.group()) if m else w


@dataclass(slots=True)
class _Lines:
    """The text lines of a block (blank lines left out), as parallel lists: built with
    whole-list operations, since a Python loop per line is what makes this stage slow."""

    texts: list[str]  # each line without its indentation and trailing spaces
    w: list[float]  # its width up to the column edge (:func:`_edge_width`)
    gap: list[bool]  # a blank line before it
    indent: list[bool]
    para_indent: list[bool]  # indented by about two characters, as a paragraph's first line is
    starts: list[int]  # offset of each text in the input (only when asked for)
    ends: list[int]
    firsts: str  # the first character of each line
    lasts: str  # the last character of each line
    spaced: bool  # some line may hold two spaces, a tab or an ideographic space (a table row)
    raw: list[float]  # its width (:func:`_width`), the hanging punctuation counted in full
    sp: list[bool] | None = None  # it has sentence punctuation (None: _Layout finds out)
    # the marks of the look before (its lines), the first and last of its lines that each
    # paragraph it joined took, and those paragraphs' places here: any other line here is a
    # line of that look, left as it was
    reuse: tuple[_Marks, list[int], list[int], Sequence[int]] | None = field(
        default=None, compare=False, repr=False
    )
    slashes: bool = True  # some line may hold ``//`` (a comment in code)
    digit_gap: bool = True  # some line may hold two figures side by side (see _digit_gap)


def _edge_widths(texts: list[str], lasts: str) -> tuple[list[float], list[float]]:
    """:func:`_edge_width` and :func:`_width` of each line (non-empty; ``lasts``: their last
    characters)."""
    half = _HALF.findall
    raw = [len(s) - 0.5 * len(half(s)) for s in texts]
    w = raw[:]
    # the lines ending with hanging punctuation: the last one or two marks count half
    hanging = _hanging_tail
    for i in _where(_HANGING_CHAR, lasts):
        w[i] = raw[i] - hanging(texts[i][-2:])
    return w, raw


def _hanging(s: str) -> float:
    """What :func:`_edge_width` takes off the width of ``s``, which ends with a hanging mark."""
    g = s[-2:] if len(s) > 1 and s[-2] in _HANGING_LAST else s[-1]
    return 0.5 * (len(g) - 0.5 * len(_HALF.findall(g)))


# :func:`_hanging` looks at the last two characters only: of the few pairs that end lines, each
# is measured once.
_hanging_tail = cache(_hanging)


def _paragraph_lines(paras: list[str], blank_lines: bool) -> _Lines:
    """``_parse(joiner.join(paras) + "\\n", offsets=False)`` for the paragraphs of a look, without
    parsing: a paragraph has no break, no indentation and no trailing space, and blank lines
    are between all of them or none. (:func:`_next_lines` derives the same without measuring
    the paragraphs; the tests hold it to this.)"""
    m = len(paras)
    gap = [False, *[True] * (m - 1)] if blank_lines else [False] * m
    firsts, lasts = _ends_of(paras)
    w, raw = _edge_widths(paras, lasts)
    text = "\n".join(paras)
    spaced = _has_gap(text)  # (a newline between them makes none of those)
    lines = _Lines(paras, w, gap, [False] * m, [False] * m, [], [], firsts, lasts, spaced, raw)
    lines.slashes = "//" in text
    lines.digit_gap = _digit_gap(text, spaced)
    return lines


def _next_lines(
    lay: _Layout, joined: list[bool], glued: tuple[list[int], list[int]], body: str, joiner: str
) -> _Lines:
    """:func:`_paragraph_lines` of the paragraphs a look made (``body``), with what the look
    knows: a paragraph's width is the sum of its lines' (plus a half for each space put between
    them, less a half for each hyphen taken off), its first and last characters are its first
    line's first and its last line's last, and it has sentence punctuation if one of its lines
    has, unless a full stop meets a join (``(?<=[A-Za-z])\\.\\s`` may then match across it).

    Where the look joined few lines (text with a sentence a line), a paragraph of one line is
    that line, already measured: only the paragraphs of two lines or more are derived, and put
    in place among the lines' own measures (slices copied, not a step per paragraph)."""
    texts, n = lay.texts, lay.n
    paras = body.split(joiner)
    m = len(paras)
    few = 4 * (n - m) <= m  # (n - m breaks joined)
    where: Sequence[int]  # a list, or a range where every line is a paragraph
    if few:
        at = list(compress(range(n - 1), joined))
        # the paragraphs of two lines or more: their first and last lines, their place
        firsts_i = [k for k in at if k == 0 or not joined[k - 1]]
        lasts_i = [k + 1 for k in at if k + 1 == n - 1 or not joined[k + 1]]
        where = list(map(sub, firsts_i, map(bisect_left, repeat(at), firsts_i)))
    else:
        keeps = list(compress(range(n - 1), map(not_, joined)))
        firsts_i = [0, *[k + 1 for k in keeps]]  # each paragraph's first line
        lasts_i = [*keeps, n - 1]  # and its last
        where = range(m)
    total = list(accumulate(lay.raw, initial=0.0))
    raw = [total[b + 1] - total[a] for a, b in zip(firsts_i, lasts_i, strict=True)]
    spaces, drops = glued
    for k in spaces:
        raw[bisect_right(firsts_i, k) - 1] += 0.5
    for k in drops:
        raw[bisect_right(firsts_i, k) - 1] -= 0.5
    firsts = "".join(map(lay.firsts.__getitem__, firsts_i))
    lasts = "".join(map(lay.lasts.__getitem__, lasts_i))
    w = raw[:]
    for q in _where(_HANGING_CHAR, lasts):
        k = lasts_i[q]
        # the last line's own hanging marks, unless it is one character long
        w[q] = raw[q] - (lay.raw[k] - lay.w[k] if len(texts[k]) > 1 else _hanging(paras[where[q]]))
    with_sp = list(accumulate(lay.sp, initial=0))
    sp = [with_sp[b + 1] != with_sp[a] for a, b in zip(firsts_i, lasts_i, strict=True)]
    for k in _where(_FULL_STOP, lay.lasts, n - 1) + [k - 1 for k in _where(_FULL_STOP, lay.firsts)]:
        if k >= 0 and joined[k]:
            q = bisect_right(firsts_i, k) - 1
            sp[q] = _has_sent_punct(paras[where[q]])
    if few:
        raw = _splice(lay.raw, firsts_i, lasts_i, raw)
        w = _splice(lay.w, firsts_i, lasts_i, w)
        sp = _splice(lay.sp, firsts_i, lasts_i, sp)
        firsts = "".join(_splice(lay.firsts, firsts_i, lasts_i, firsts))
        lasts = "".join(_splice(lay.lasts, firsts_i, lasts_i, lasts))
    gap = [False, *[True] * (m - 1)] if joiner == "\n\n" else [False] * m
    spaced = lay.spaced  # (a join never makes two spaces, a tab or an ideographic space)
    false = [False] * m
    lines = _Lines(paras, w, gap, false, false[:], [], [], firsts, lasts, spaced, raw, sp)
    lines.slashes = "//" in body  # (one search; a join may make one: a/ + /b)
    lines.digit_gap = _digit_gap(body, spaced)  # (a join may make one too: 1.5 / 2.0)
    if few:
        lines.reuse = (lay.marks, firsts_i, lasts_i, where)
    return lines


def _splice(
    items: Sequence[_T], firsts: list[int], lasts: list[int], new: Sequence[_T]
) -> list[_T]:
    """``items`` (one per line) with lines ``firsts[g]`` to ``lasts[g]`` replaced by ``new[g]``.

    >>> "".join(_splice("abcdef", [1, 4], [2, 5], "XY"))
    'aXdY'
    """
    out: list[_T] = []
    done = 0
    for a, b, x in zip(firsts, lasts, new, strict=True):
        out += items[done:a]
        out.append(x)
        done = b + 1
    out += items[done:]
    return out


def _digit_gap(text: str, spaced: bool) -> bool:
    """``text`` may hold two figures side by side (:func:`figures_row`): a row of a table. A tab,
    an ideographic space or two spaces may stand between them where ``spaced`` holds."""
    return spaced or "\xa0" in text or DIGIT_SPACE.search(text) is not None


def _has_gap(s: str) -> bool:
    """``s`` holds what a table row needs between cells: two spaces, a tab, an ideographic
    space."""
    return "  " in s or "\t" in s or "\u3000" in s


def _ends_of(texts: list[str]) -> tuple[str, str]:
    """The first and the last characters of the lines, each as one string."""
    return "".join(map(itemgetter(0), texts)), "".join(map(itemgetter(-1), texts))


def _parse(text: str, offsets: bool = True) -> _Lines:
    """The lines of ``text`` split at ``\\n`` and ``\\f``; ``offsets`` only for explanations."""
    if "\f" in text:
        pages = [page.split("\n") for page in text.split("\f")]
        segs = list(chain.from_iterable(pages))
        newlines: Sequence[int]
        # the newlines before each segment: its index less the page breaks before it
        newlines = list(
            map(sub, range(len(segs)), chain.from_iterable(map(repeat, count(), map(len, pages))))
        )
    else:
        segs = text.split("\n")
        newlines = range(len(segs))
    ws = _WS
    stripped = list(map(str.strip, segs, repeat(ws)))
    texts = list(filter(None, stripped))
    n = len(texts)
    # A blank line before a line: two or more newlines since the line before (page breaks do
    # not count; the first line counts the newlines from the start).
    nl = list(compress(newlines, stripped))
    gap = list(map((1).__lt__, map(sub, nl, [0, *nl[:-1]])))
    firsts, lasts = _ends_of(texts)
    w, raw = _edge_widths(texts, lasts)
    nsegs = list(compress(segs, stripped))
    indent = [False] * n
    para_indent = [False] * n
    # The lines stripping changed (``str.strip`` gives back the very line when it strips
    # nothing): a test of identity, cheaper than a test of the first character. On a line with
    # nothing before its text, the head is empty and both stay false.
    for i in compress(range(n), map(is_not, nsegs, texts)):
        seg = nsegs[i]
        head = seg[: len(seg) - len(seg.lstrip(ws))]
        indent[i] = "\u3000" in head or "\t" in head or head.count(" ") >= 2
        para_indent[i] = 1.5 <= _width(head.replace("\t", "    ")) <= 2.5
    starts: list[int] = []
    ends: list[int] = []
    if offsets:
        pos = list(accumulate([len(s) + 1 for s in segs], initial=0))
        idx = compress(range(len(segs)), stripped)  # the segments with text
        starts = [pos[k] + len(s) - len(s.lstrip(ws)) for k, s in zip(idx, nsegs, strict=True)]
        ends = [a + len(t) for a, t in zip(starts, texts, strict=True)]
    spaced = _has_gap(text)  # (if the text has none, no line has)
    lines = _Lines(texts, w, gap, indent, para_indent, starts, ends, firsts, lasts, spaced, raw)
    lines.slashes = "//" in text  # (one search of the text, not one a line)
    lines.digit_gap = _digit_gap(text, spaced)
    return lines


_FUNCTION_WORDS = frozenset(
    ["a", "an", "the", "of", "in", "on", "for", "to", "from", "with", "and", "or", "by", "at", "as"]
)


def _is_table_row(s: str) -> bool:
    cells = [c.strip() for c in CELL_GAP.split(s) if c.strip()]
    if len(cells) < 2 or _SENT_PUNCT.search(s) or all(len(c) == 1 for c in cells):
        return False  # prose with a wide space, or letter-spaced text
    if len(cells) >= 3:
        # English set with two spaces between its words (pdfminer's résumé): prose, whose words
        # are mostly lower case, unlike a row of column names (Mon  Tue  Wed …)
        words = sum(1 for c in cells if _LOWER_WORD.fullmatch(c))
        if words >= 0.6 * len(cells):
            return False
        # ... or a title in Title Case, whose small words give it away (in  China:  Evidence
        # from  the  Peking  University …): a row of column names has no "from the"
        if len(cells) >= 4 and sum(1 for c in cells if c in _FUNCTION_WORDS) >= 2:
            return False
    if len(cells) >= 3:
        return True
    return all(2 <= len(c) <= 12 for c in cells) and not _LIST_ITEM.match(s)


# private use (bullets), ①-⑳ ⑴-⒇ ⒈-⒛ ㈠-㈩ ❶-❿
_SPECIAL_RANGES = ((0xE000, 0xF8FF), (0x2460, 0x249B), (0x3220, 0x3229), (0x2776, 0x277F))
# What a line can start with to be a list item, a caption, a section number or a number cell
# (besides decimal digits and spaces): a line starting otherwise needs none of those regexes.
_SPECIAL_FIRST = frozenset(
    "一ㄧ二三四五六七八九十百〇零（(-–*+·第圖图表FT" + _BULLET_GLYPHS + ".,．%％～~—/:×）)"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    + "".join(chr(c) for lo, hi in _SPECIAL_RANGES for c in range(lo, hi + 1))
)
# The last character of a sentence end (``_SENT_END``) and of a verse line.
_SENT_END_LAST = frozenset(_TERMINAL + _CLOSE + ".")
_VERSE_END = "，。！？；"


def _class(chars: Iterable[str], extra: str = "") -> re.Pattern[str]:
    """A regex for one character of ``chars`` (or of the class fragment ``extra``)."""
    return re.compile("[" + "".join(map(re.escape, sorted(set(chars)))) + extra + "]")


# Which lines a rule can apply to, found by one regex over the string of the lines' first (or
# last) characters instead of a test per line. ``\d`` and ``\s`` are ``str.isdecimal`` and
# ``str.isspace`` (both are Unicode's Nd and White_Space, as CPython tests them).
_SPECIAL_START = _class(
    _SPECIAL_FIRST - {chr(c) for lo, hi in _SPECIAL_RANGES for c in range(lo, hi + 1)},
    "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _SPECIAL_RANGES) + r"\d\s",
)
_NO_START_CHAR = _class(_NO_START)
_HANGING_CHAR = _class(_HANGING_LAST)
_TERMINAL_CHAR = _class(_TERMINAL)
_CLOSE_OR_DOT_CHAR = _class(_SENT_END_LAST - set(_TERMINAL))
_VERSE_END_CHAR = _class(_VERSE_END)
_CLAUSE_END_CHAR = _class(_CLAUSE_END)
_NO_END_CHAR = _class(_NO_END_OR_HYPHEN)
_ASCII_CHAR = re.compile(r"[\x00-\x7f]")
_LONE_BULLET_CHAR = _class(_LONE_BULLETS)
_OPENING_CHAR = _class(o for o, _ in _PAIRS)
_FULL_STOP = re.compile(r"\.")


def _where(rx: re.Pattern[str], chars: str, stop: int | None = None) -> list[int]:
    """The positions in ``chars`` (one character per line) where ``rx`` matches: the lines."""
    it = rx.finditer(chars) if stop is None else rx.finditer(chars, 0, stop)
    return [m.start() for m in it]


_AFTER_LETTER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz)]")

# Program code, as a manual or a textbook prints it: a statement a line. A line is code when it
# starts with a closing brace, an annotation (``@Override``), a ``//`` comment or a chained call
# (``.append(…)``), when it ends with a call and ``...`` (statements left out), when it ends
# a block (ASCII ``{`` ``}``), or when it ends a statement (ASCII ``;``) and shows it is not
# prose ending with a semicolon: a keyword first, code punctuation (a call, an assignment, an
# operator, a member ``this.data``), or a short declaration (``private int stock;``).
_CODE_STATEMENT = re.compile(
    r"^(?:return|break|continue|throw|import|package|public|protected|private|static|final"
    r"|void|int|long|double|float|boolean|char|byte|short|var|let|const)\b"
    r"|[()=\[\]<>+*%&|!]|\w\.\w"
    r"|^[A-Za-z_$][\w$.,?]*(?:\s[A-Za-z_$][\w$.,?]*){0,3}\s*;$"
)
_CODE_END_CHAR = re.compile("[;{}.]")
_CODE_START_CHAR = re.compile("[}@/.]")
# a call chained onto the line before (``.append("chen")``), as a listing wraps a long one
_CHAINED_CALL = re.compile(r"\.[A-Za-z_]\w*\(")
_ANNOTATION = re.compile(r"@[A-Za-z]\w*(?:\(.*\))?$")
# A ``//`` comment runs to the end of its line: at the start of a line, or after code (not the
# ``://`` of an address, nor ``使用 // 注释`` in a sentence about comments).
_COMMENT = re.compile(r"(?:^|[;{})]\s*)//")
# A label that starts a line of prose after a code listing: 反例： 说明： 第一种情况： 使用 JCL：
_LABEL = re.compile(rf"[{_HAN}][\w ]{{0,10}}[：:]")
_HAN_FIRST = re.compile(f"[{_HAN}]").match
_HAN_ANY = re.compile(f"[{_HAN}]")
_HAN_ONLY = re.compile(f"[{_HAN}]+")
# (a word that starts no label: 以发现： is the end of 可以发现：, wrapped)
_NO_LABEL_FIRST = "以可所而则即但且因并就也都还又再才便之的地得了着过与及或和被把将对于在从向是为"
_LABEL_START = re.compile(f"(?![{_NO_LABEL_FIRST}])[{_HAN}]{{2,4}}：(?=.)")


def _is_code(s: str) -> bool:
    """A line of program code (see ``_CODE_STATEMENT``).

    >>> [_is_code(s) for s in ["if (flag == 0) {", "}", "private int stock;", "@Override",
    ...  "// 缩进 4 个空格", "return this.data + 100;", "过大, 违背线性模型假设, 其解不可靠;",
    ...  "the more remarkable the effectiveness;", "正例： public class OrderFactory;", "...",
    ...  '.append("chen")...', ".NET 平台", "// other methods and fields...", "（未完）..."]]
    [True, True, True, True, True, True, False, False, True, True, True, False, True, False]
    """
    first, last = s[0], s[-1]
    if first == "@":
        return bool(_ANNOTATION.match(s))
    if first == "/":
        return s.startswith("//")
    # statements left out of a listing: ..., builder.append("hao")...
    if last == "." and s.endswith("...") and (len(s) == 3 or s[-4] in ")}"):
        return True
    if first == ".":
        return bool(_CHAINED_CALL.match(s))
    if first == "}" or last in "{}":
        return True
    if last != ";":
        return False
    if _HAN_FIRST(first):
        m = _LABEL.match(s)  # a label before the code: 正例：public class OrderFactory;
        if m and m.end() < len(s):
            s = s[m.end() :].lstrip()
    return bool(_CODE_STATEMENT.search(s))


def _line_ends_sentence(s: str) -> bool:
    """``_ends_sentence`` for a line (no newline in it), looking only at its end: a search for
    ``_SENT_END`` tries every position of the line. Closing quotes aside, the last character
    is a sentence end, or a full stop after a letter (``_TERMINAL`` and ``_CLOSE`` are disjoint)."""
    t = s.rstrip(_CLOSE)
    if not t:
        return False
    c = t[-1]
    if c == "." and t[-2:-1] == "]" and _DOC_TYPE_END.search(t):
        return False  # (…[J]. / 金融研究,(04):1-16.: the journal's name follows)
    return c in _TERMINAL or (c == "." and len(t) > 1 and t[-2] in _AFTER_LETTER)


# The type of a work cited, after its title in a reference (GB/T 7714: [J] a journal article,
# [M] a book, [D] a thesis, [EB/OL] a web page ...): no sentence ends there.
_DOC_TYPE_END = re.compile(r"\[(?:[A-Z]|[A-Z]{1,2}/OL)\]\.$")


def _window_max(xs: list[float], win: int) -> list[float]:
    """``m[i] == max(xs[max(0, i - win) : i + win + 1])`` for ``win >= 0``, in a few passes of
    C-speed ``map`` (a slice and a ``max`` per line was a fifth of the stage's time).

    >>> _window_max([1.0, 5.0, 2.0, 0.5, 3.0], 1)
    [5.0, 5.0, 5.0, 3.0, 3.0]
    """
    n = len(xs)
    win = min(win, n)
    if win <= 0:
        return list(xs)
    pad = [float("-inf")] * win
    cur, span, length = [*pad, *xs, *pad], 1, 2 * win + 1
    while 2 * span <= length:  # cur[i] = max of the `span` values from i
        # (a comprehension: 3x faster than map(max, ...))
        cur = [a if a > b else b for a, b in zip(cur, cur[span:], strict=False)]
        span *= 2
    far = cur[length - span : length - span + n]
    return [a if a > b else b for a, b in zip(cur, far, strict=False)]


@dataclass(slots=True)
class _Marks:
    """What each line's own text shows (one list per mark, one item per line): its end, a list
    item, a caption, a table row, a verse line ... (:class:`_Layout` adds what the lines around
    it show)."""

    ends: list[bool]  # it ends a sentence
    list_item: list[bool]
    caption_label: list[bool]
    caption_match: list[bool]
    caption: list[bool]
    section: list[bool]
    numeric: list[bool]
    table: list[bool]
    verse_ok: list[bool]
    plain_end_but_verse: list[bool]
    plain_end: list[bool]
    plain_start: list[bool]
    code: list[bool]  # a line of program code (:func:`_is_code`)
    comment: list[bool]  # it holds a ``//`` comment, which runs to its end
    bullet: list[bool]  # a bullet alone, its item's text on the next line
    label: list[bool]  # it starts with a label and a colon: 正例： 说明： 备注：

    @staticmethod
    def of(
        texts: list[str],
        firsts: str,
        lasts: str,
        w: list[float],
        spaced: bool,
        slashes: bool = True,
        digit_gap: bool = True,
    ) -> _Marks:
        """The marks of the lines ``texts`` (``firsts``, ``lasts``: their first and last
        characters; ``w``: their widths; ``spaced``: some line may be a table row;
        ``slashes``: some line may hold ``//``; ``digit_gap``: two figures side by side)."""
        n = len(texts)
        ends = [False] * n
        for i in _where(_TERMINAL_CHAR, lasts):  # (what _line_ends_sentence says at once)
            ends[i] = True
        for i in _where(_CLOSE_OR_DOT_CHAR, lasts):
            ends[i] = _line_ends_sentence(texts[i])
        # Start-anchored features, only for lines whose first character allows them.
        f = [False] * n
        list_item, caption_label, caption_match = f, f[:], f[:]
        caption, section, numeric = f[:], f[:], f[:]
        cand = _where(_SPECIAL_START, firsts)
        for i in cand:
            s = texts[i]
            list_item[i] = bool(_LIST_ITEM.match(s))
            if s[0] in _CAPTION_FIRST:  # (the caption patterns start with one of these)
                caption_label[i] = bool(_CAPTION_LABEL.match(s))
                caption_match[i] = bool(_CAPTION.match(s))
                caption[i] = _is_caption(s)
            section[i] = bool(_SECTION.match(s))
            numeric[i] = bool(_NUMERIC.match(s))
        # a table row needs a gap of two spaces or a tab between cells
        if spaced:
            table = [("  " in s or "\t" in s or "\u3000" in s) and _is_table_row(s) for s in texts]
        else:
            table = [False] * n
        # a row of figures with single spaces between its cells, as pypdf writes a financial
        # table: a label and two numbers or more (营业收入（元） 4,755,785.11 5,699,227.63 -16.55%)
        for i in _where(_FIGURE_END_CHAR, lasts):
            if _FIGURES_END.search(texts[i]):
                table[i] = True
        # ... or two figures side by side with a text cell after them (预付款项 2,436,695.05
        # 1,878,311.93 29.73% 子公司货款增加): only where the block has a digit, a space and a
        # digit (one search of its text), and on lines with a space
        if digit_gap:
            for i in compress(range(n), map(str.__contains__, texts, repeat(" "))):
                if not table[i] and figures_row(texts[i]):
                    table[i] = True
        # what every line of a poem has (``_verse`` also compares it with the lines around)
        verse_ok = [False] * n
        for i in _where(_VERSE_END_CHAR, lasts):
            verse_ok[i] = w[i] <= 16 and _THREE_HAN.search(texts[i]) is not None

        # Lines without any of the marks the first rules of ``_decide`` look for, at the end
        # (as the line before a break) and at the start (as the line after one).
        plain_end = [True] * n
        for i in _where(_NO_END_CHAR, lasts):
            plain_end[i] = False
        for i in compress(range(n), table):
            plain_end[i] = False
        plain_start = [True] * n
        for i in _where(_NO_START_CHAR, firsts):
            plain_start[i] = False
        for i in compress(range(n), table):
            plain_start[i] = False
        for i in cand:
            if caption_label[i] or caption[i] or numeric[i] or section[i]:
                plain_end[i] = False
            if list_item[i] or caption[i] or numeric[i] or section[i]:
                plain_start[i] = False
        # program code: a line of code and a line with a ``//`` comment are marked lines
        code = [False] * n
        for i in chain(_where(_CODE_END_CHAR, lasts), _where(_CODE_START_CHAR, firsts)):
            if not code[i] and _is_code(texts[i]):
                code[i] = True
                plain_end[i] = plain_start[i] = False
        comment = [False] * n
        if slashes:
            for i in compress(range(n), map(str.__contains__, texts, repeat("//"))):
                if _COMMENT.search(texts[i]):
                    comment[i] = True
                    plain_end[i] = False
        # a bullet alone on its line (its item's text on the next: tw-curriculum-tech.pymupdf)
        bullet = [False] * n
        for i in _where(_LONE_BULLET_CHAR, firsts):  # (the lines that start with one)
            if len(texts[i]) == 1:
                bullet[i] = True
                plain_end[i] = False
        # a label of two to four Han characters and a colon starts it (正例： 说明： 备注：);
        # looked for where a colon comes third to fifth (one find a line, in C)
        label = [False] * n
        colons = map(str.find, texts, repeat("："), repeat(2), repeat(5))
        for i in compress(range(n), map(ne, colons, repeat(-1))):
            if _LABEL_START.match(texts[i]):
                label[i] = True
                plain_start[i] = False
        plain_end_but_verse = plain_end[:]  # (a verse line is the one mark left out)
        for i in compress(range(n), verse_ok):
            plain_end[i] = False
        return _Marks(
            ends,
            list_item,
            caption_label,
            caption_match,
            caption,
            section,
            numeric,
            table,
            verse_ok,
            plain_end_but_verse,
            plain_end,
            plain_start,
            code,
            comment,
            bullet,
            label,
        )


class _Layout:
    """Per-line measures: widths, runs of similar lines, each line's column width, and the
    features of each line's text that the decisions look at (computed once per line, for all
    lines at once: a comprehension or a ``map`` instead of a loop wherever it can be)."""

    def __init__(self, ln: _Lines, cfg: JoinConfig) -> None:
        self.cfg = cfg
        texts, w = ln.texts, ln.w
        n = len(texts)
        self.n = n
        self.texts = texts
        self.words = Words(texts)  # (read only if a line ends with a hyphen)
        self.w = w
        self.gap = ln.gap
        self.indent = ln.indent
        self.para_indent = ln.para_indent
        self.raw = ln.raw
        self.spaced = ln.spaced
        self.slashes = ln.slashes
        if ln.sp is not None:
            sp = ln.sp
        else:  # _has_sent_punct: the common case at C speed, the full stop after a letter apart
            sp = list(map(bool, map(_PUNCT_CHAR.search, texts)))
            bare = list(map(not_, sp))  # (only these need the slow test: most lines have a comma)
            dotted = map(str.__contains__, compress(texts, bare), repeat("."))
            for i in compress(compress(range(n), bare), dotted):
                if _DOT_AFTER_LETTER.search(texts[i]):
                    sp[i] = True
        self.sp = sp
        # Runs: consecutive lines whose widths differ by at most the tolerance.
        tol, maxcol = cfg.tolerance, cfg.max_column
        narrow = max(w) < maxcol  # (n >= 1) no line is wider than a column can be
        if narrow:  # the test below without ``h <= maxcol``, the product only when needed
            new_run = [
                abs(a - b) > tol and abs(a - b) > 0.06 * (a if a > b else b)
                for a, b in zip(w[1:], w, strict=False)
            ]
        else:
            new_run = [
                not (abs(a - b) <= (0.06 * h if 0.06 * h >= tol else tol) and h <= maxcol)
                for a, b in zip(w[1:], w, strict=False)
                for h in (a if a > b else b,)
            ]
        run = list(accumulate(new_run, initial=0))
        bounds = [0, *compress(range(1, n), new_run), n]
        size = list(map(sub, bounds[1:], bounds))
        run_size = list(map(size.__getitem__, run))
        self.run = run
        self.run_size = run_size
        # a line of a run of three or more lines with sentence punctuation: wrapped prose (most
        # runs are shorter: their lines are not looked at)
        prose_run = [
            k >= 3 and True in sp[lo : lo + k] for k, lo in zip(size, bounds[:-1], strict=True)
        ]
        in_prose = list(map(prose_run.__getitem__, run))
        self.in_prose = in_prose
        # A line of a prose run is measured against its run's neighbours; any other line
        # against the widest lines around it (theirs capped at max_column, its own not).
        capped = w if narrow else [x if x < maxcol else maxcol for x in w]
        win = cfg.window
        if win >= 0:
            around = _window_max(capped, win)
        else:  # an empty window: max() fails for a line outside a prose run, as it always did
            around = [
                0.0 if p else max(capped[max(0, i - win) : i + win + 1])
                for i, p in enumerate(in_prose)
            ]
        prose_runs = list(compress(range(len(size)), prose_run))
        if not prose_runs:  # (text with a sentence a line has next to none)
            column = [x if x > m else m for x, m in zip(w, around, strict=True)]
        else:
            # the widest of a line and the lines before and after it; at the first and the last
            # line of a prose run (three lines or more), of the line and its one neighbour in it
            pair = [a if a > b else b for a, b in pairwise(w)]
            three = [a if a > b else b for a, b in zip([w[0], *pair], [*pair, w[-1]], strict=True)]
            column = [
                (t if p else (x if x > m else m))
                for x, t, p, m in zip(w, three, in_prose, around, strict=True)
            ]
            for r in prose_runs:
                lo, hi = bounds[r], bounds[r + 1] - 1
                column[lo] = pair[lo]
                column[hi] = pair[hi - 1]
        self.column = column
        self.short_ = [
            wi < col - (tol if tol > 0.06 * col else 0.06 * col)
            for wi, col in zip(w, column, strict=True)
        ]
        self.firsts, self.lasts = firsts, lasts = ln.firsts, ln.lasts
        self.clause_end = clause_end = _where(_CLAUSE_END_CHAR, lasts)
        # What each line's own text shows; where the look before left a line as it was, its
        # marks are that line's (the lines were measured there), and only the paragraphs it
        # joined are looked at.
        if ln.reuse is None:
            marks = _Marks.of(texts, firsts, lasts, w, ln.spaced, ln.slashes, ln.digit_gap)
        else:
            before, first_lines, last_lines, where = ln.reuse
            fresh = _Marks.of(
                list(map(texts.__getitem__, where)),
                "".join(map(firsts.__getitem__, where)),
                "".join(map(lasts.__getitem__, where)),
                list(map(w.__getitem__, where)),
                ln.spaced,
                ln.slashes,
                ln.digit_gap,
            )
            marks = _Marks(
                *[
                    _splice(getattr(before, f), first_lines, last_lines, getattr(fresh, f))
                    for f in _Marks.__slots__  # (the fields, in order)
                ]
            )
        self.marks = marks
        self.ends = ends = marks.ends
        heading = [sh and not p and not e for sh, p, e in zip(self.short_, sp, ends, strict=True)]
        for i in clause_end:
            heading[i] = False
        self.heading = heading
        self.list_item, self.caption_label = marks.list_item, marks.caption_label
        self.caption_match, self.caption = marks.caption_match, marks.caption
        self.section, self.numeric, self.table = marks.section, marks.numeric, marks.table
        self.verse_ok = marks.verse_ok
        self.plain_end_but_verse = marks.plain_end_but_verse
        self.plain_end, self.plain_start = marks.plain_end, marks.plain_start
        self.code, self.comment = marks.code, marks.comment
        self.bullet = marks.bullet
        self.label = marks.label
        # An entry of a reference list after the end of the one before it: a mark that looks at
        # the line before, so it is found here, over all the lines of each look (the marks of a
        # look after the first are found for the paragraphs it joined alone).
        # An entry's first line is no heading, whatever its width and punctuation.
        self.reference = reference = [False] * len(texts)
        stops = _where(_FULL_STOP_CHAR, lasts, len(texts) - 1)
        found = [i + 1 for i in stops if _REFERENCE.match(texts[i + 1])]
        if found:
            self.plain_start = plain_start = self.plain_start[:]  # (the marks' list is shared)
            for j in found:
                reference[j] = True
                plain_start[j] = heading[j] = False

    def gaps_mean_something(self, i: int) -> bool:
        """Blank lines around line ``i`` are rare enough to mark paragraphs (some extractors put
        one after every line of a text box)."""
        lo, hi = max(1, i - 6), min(self.n, i + 7)
        gaps = sum(self.gap[lo:hi])
        return gaps < 0.6 * (hi - lo)

    def indented_first_line(self, i: int) -> bool:
        """Line ``i`` is about two characters narrower than the full lines around it and goes on
        mid-sentence: the first line of a paragraph whose indentation the extractor dropped."""
        if i + 1 >= self.n or i < 1:
            return False
        full = min(self.w[i - 1], self.w[i + 1])
        if self.short_[i + 1] or abs(self.w[i - 1] - self.w[i + 1]) > self.cfg.tolerance:
            return False
        return full - 2.6 <= self.w[i] <= full - 1.6 and not self.ends[i]

    def wrapped_context(self, i: int) -> bool:
        """Some other line of ``i``'s run reaches the edge mid-sentence: this is wrapped text."""
        r = self.run[i]
        if self.run_size[i] < 3:
            return False
        for j in range(max(0, i - 2), min(len(self.w), i + 3)):
            same = j != i and self.run[j] == r
            if same and not self.ends[j] and not self.short_[j]:
                return True
        return False


def _verse(lay: _Layout, i: int) -> bool:
    """Line ``i`` belongs to a run of short lines that each end with punctuation: a poem."""
    if not lay.verse_ok[i]:
        return False  # line i is one of the members, and it fails the test every member must pass
    run, w, ok = lay.run, lay.w, lay.verse_ok
    r = run[i]
    before = i > 0 and run[i - 1] == r
    after = i + 1 < lay.n and run[i + 1] == r
    if not (before or after):
        return False  # (a run is a stretch of lines: i is its only member within reach)
    if (before and not ok[i - 1]) or (after and not ok[i + 1]):
        return False  # (a member next to i fails the test every member must pass)
    members = [j for j in range(max(0, i - 3), min(lay.n, i + 4)) if run[j] == r]
    if len(members) < 2 or not all(ok[j] for j in members):
        return False  # (the cheap half of the test every member must pass)
    wide = max((w[j] for j in range(max(0, i - 6), min(lay.n, i + 7)) if run[j] != r), default=0.0)
    return all(w[j] < wide - 3 for j in members)


def _open_brackets(para: str) -> bool:
    """The paragraph so far opened a bracket or quote it has not closed (within 200 chars): the
    last opening one comes after the last closing one. (Counting them went wrong where the 200
    characters start inside a pair: 《…规划》…《…应用融 counted one of each.)"""
    tail = para[-200:]
    if not _OPENING_CHAR.search(tail):
        return False  # (most paragraphs have none: one search instead of one per pair)
    for o, c in _PAIRS:  # noqa: SIM110 (a plain loop: no generator on this hot path)
        if o in tail and tail.rfind(o) > tail.rfind(c):
            return True
    return False


def _label_column(lay: _Layout, i: int) -> bool:
    """Line ``i`` is a short field label (总股本(百万股)：) and the next line starts with one
    (流通A股(百万股)：…): a column of labels, whose values stand in another column."""
    a, b = lay.texts[i], lay.texts[i + 1]
    if a[-1] != "：" or len(a) > 12 or _SENT_PUNCT_OR_COLON.search(a, 0, len(a) - 1):
        return False
    k = b.find("：", 1, 13)
    return k > 0 and not _SENT_PUNCT_OR_COLON.search(b, 0, k)


def _lead_line(lay: _Layout, i: int) -> bool:
    """Line ``i``, ending with ``；`` or ``：``, is a lead-in or an item that ends short of its
    column's edge, with room there for the word that starts the next line."""
    if not lay.short_[i] or not _lead_in(lay.texts[i], lay.list_item[i]):
        return False
    word = _LATIN_RUN.match(lay.texts[i + 1])
    return word is None or lay.w[i] + _width(word.group()) < lay.column[i]


# A Latin word, an identifier, a path or an address at the start of a line (no spaces).
_LATIN_RUN = re.compile(r"[\x21-\x7e]+")


def _lead_in(line: str, item: bool = False) -> bool:
    """``line``, ending with ``；`` or ``：``, ends an item or a lead-in: not a field's label
    (ten characters at most without a comma, after a field before it, or inside brackets:
    （基金号：), nor the title of a list ``item`` (no punctuation before its colon).

    >>> [_lead_in(s) for s in ["相对强于市场表现20%以上；", "本文的创新主要体现在以下方面：",
    ...  "导师姓名：", "收稿时间：2022-11-15；反馈外审意见时间：", "项目资助（基金号："]]
    [True, True, False, False, False]
    >>> _lead_in("同志们、朋友们：")
    True
    >>> _lead_in("1）FixedThreadPool：", True), _lead_in("3）方法：常见的方法如下：", True)
    (False, True)
    """
    if line[-1] == "；":
        return True
    inner = _SENT_PUNCT_OR_COLON.search(line, 0, len(line) - 1)
    if item and not inner:
        return False
    if len(line) <= 10 and not (inner and inner.group() in "，、"):  # (同志们、朋友们：)
        return False
    return "；" not in line and not _open_brackets(line)


def _tail(parts: list[str]) -> str:
    """The last 200 characters of the paragraph so far."""
    return "".join(parts[-8:])[-200:] if len(parts) > 1 else parts[0][-200:]


def _clause_begun(a: str) -> bool:
    """``a`` ends one or two Han characters after a comma: a clause begun, which a heading
    cannot follow (…界定为经常性损益的项目，应 / 说明原因; …杆代表共价键，可 / 连结以球…).

    >>> _clause_begun("…项目，应"), _clause_begun("…项目，应当说"), _clause_begun("流动性、盈利")
    (True, False, False)
    """
    k = a.rfind("，", len(a) - 3)
    return k >= 0 and k < len(a) - 1 and _HAN_ONLY.fullmatch(a, k + 1) is not None


def _split_label(a: str, b: str) -> bool:
    """``a`` is one Han character and ``b`` starts with another and a colon: a two-character
    label set letter-spaced, which pdftotext cuts into two lines (姓 / 名：王宇晨, 院 / 系：…).

    >>> _split_label("姓", "名：王宇晨"), _split_label("姓", "名字：甲"), _split_label("中", "華")
    (True, False, False)
    """
    return (
        len(a) == 1 and b[1:2] == "：" and _HAN_FIRST(a) is not None and _HAN_FIRST(b) is not None
    )


def _english_goes_on(a: str, b: str) -> bool:
    """English prose breaks mid-sentence between ``a``, ending with a letter, and ``b``,
    starting with a lower-case one: each of a few words, no Chinese (a word alone on its line
    is a label, a variable, a page number: ``ix`` / ``xi``, ``ln_Age`` / ``ln_Board``).

    >>> _english_goes_on("integrates with the GitHub API to provide", "personalized statistics")
    True
    >>> _english_goes_on("ABSTRACT", "coverage and the depth"), _english_goes_on("ix", "xi")
    (False, False)
    """
    return (
        b[0].islower()
        and a[-1].isalpha()
        and a[-1].isascii()
        and a.count(" ") >= 2
        and " " in b
        and _HAN_ANY.search(a) is None
        and _HAN_ANY.search(b) is None
    )


_BULLET_RULE = "join: a bullet alone on its line and its item (a space between)"


def _bullet_item(lay: _Layout, i: int) -> bool:
    """Line ``i`` is a bullet alone and the next line its item's text (- / 問題解析)."""
    b = lay.texts[i + 1]
    if lay.texts[i] in "-–" and not _HAN_FIRST(b):
        return False  # (a dash before Latin text is a page number's: - 24 / DOI:…)
    return lay.bullet[i] and b[0].isalpha() and not lay.list_item[i + 1]


def _marked(lay: _Layout, i: int) -> tuple[bool, str] | None:
    """The first rules of :func:`_decide`: the marks on either line (closing punctuation, an
    open bracket, a hyphen, a list item, a caption, a table, a number, verse, a section number).
    """
    a, b = lay.texts[i], lay.texts[i + 1]
    j = i + 1
    if lay.bullet[i] and _bullet_item(lay, i):  # (the test first: _marked is a hot path)
        return True, _BULLET_RULE
    code = _code(lay, i)
    if code is not None:
        return code
    if b[0] in _NO_START and not lay.numeric[j] and not lay.list_item[j]:
        # (a middle dot and a space start a list item: · 熟悉Python编程。)
        return True, "join: next line starts with closing punctuation"
    last = a[-1]
    if last in _NO_END:
        return True, "join: line ends with an opening bracket or quote"
    if last == "-" and _HYPHEN_END.search(a) and b[0].islower():
        return True, _HYPHENATED_WORD
    # …(9):155- / 173.: pages in a reference (173. is a list item too), and its volume and pages
    # after a comma (…经济学(季刊), / 19(04):1401-1418.); a column of numbers stays as it is
    numbers = lay.numeric[j] and not lay.numeric[i]
    if numbers and last in "-–" and a[-2:-1].isdigit() and b[0].isdigit():
        return True, "join: a range of numbers broken after its dash"
    if numbers and last in ",，":
        return True, "join: a number after a comma"
    if lay.list_item[j]:
        return False, "keep: next line is a list item"
    if lay.label[j] and lay.short_[i] and not lay.ends[i] and last not in _CLAUSE_END:
        # …日期格式：yyyy-MM-dd / 正例：以mppserver应用为例: the label starts a paragraph after a
        # line that ends short; after a full one it is prose wrapped (…提出以下假 / 设命题：…),
        # and after clause punctuation the line goes on (…多种方式， / 例如：…)
        return False, "keep: next line starts with a label (正例： 说明：)"
    if lay.reference[j]:
        return False, "keep: next line starts a reference entry (its authors and year)"
    if lay.caption_label[i] and not lay.caption_match[j]:
        return True, "join: caption number and its title"
    if lay.caption[i] or lay.caption[j]:
        return False, "keep: caption"
    if lay.table[i] or lay.table[j]:
        return False, "keep: table row"
    if lay.numeric[i] or lay.numeric[j]:
        return False, "keep: number or table cell"
    if _verse(lay, i):
        return False, "keep: verse line"
    if (lay.ends[i] or last in "：:") and _verse(lay, j):
        return False, "keep: verse follows"
    if lay.section[j] and (b.count(".") >= 2 or lay.heading[j] or lay.ends[i]):
        return False, "keep: next line is a numbered section heading"
    if lay.section[i] and not lay.sp[i] and lay.sp[j] and not lay.short_[j]:
        # 4.2.1 基准回归 / 本文基于…: the heading's text is prose, not the rest of its title
        return False, "keep: a numbered section heading before its text"
    return None


def _code(lay: _Layout, i: int) -> tuple[bool, str] | None:
    """The break after line ``i`` in a code listing stays, as the printed listing has it: after
    a ``//`` comment (joined, the next line would be commented out) and before a comment line;
    between two lines of code; between a label ending with a colon and the code it introduces;
    before labelled code (``正例：public …``); between code and the label of the prose after it
    (``反例：``); after the last statement of a listing (a line of code after another)."""
    j = i + 1
    if lay.comment[i]:
        return False, "keep: code (a // comment runs to the line end)"
    b = lay.texts[j]
    if lay.code[j]:
        if lay.code[i] or lay.lasts[i] in "：:" or b[0] == "/" or _LABEL.match(b):
            return False, "keep: code"
    elif lay.code[i]:
        if _LABEL.match(b):
            return False, "keep: code, then a label"
        if i and (lay.code[i - 1] or lay.comment[i - 1]) and lay.lasts[i] in ";{}":
            return False, "keep: code, the end of a listing"
    return None


def _decide(
    lay: _Layout, i: int, plain: bool, parts: list[str], why: bool = True
) -> tuple[bool, str]:
    """Whether line ``i`` continues on line ``i + 1``, and why.

    ``plain``: the paragraph so far (``parts``, joined) has no sentence punctuation. With
    ``why`` false only the answer counts, not the reason (it may name a later rule).
    """
    j = i + 1
    last = lay.texts[i][-1]
    ends = lay.ends[i]
    if lay.plain_end[i] and lay.plain_start[j]:
        # no mark on either line: of the first rules, only "verse follows" can apply
        if (ends or last in "：:") and _verse(lay, j):
            return False, "keep: verse follows"
    else:
        marked = _marked(lay, i)
        if marked is not None:
            return marked
    if ends:
        return _sentence_end(lay, i)
    if last in _CLAUSE_END:
        if _label_column(lay, i):
            return False, "keep: a column of field labels"
        if last in _LEAD_END and len(parts) == 1 and _lead_line(lay, i):
            return False, _LEAD_RULE
        return True, "join: line ends with clause punctuation"
    if why:
        if _open_brackets(_tail(parts)):
            return True, "join: a bracket or quote is still open"
        return _decide_rest(lay, i, plain)
    # The rules after this one never look at the paragraph: ask them first, and look for an
    # open bracket only when they would keep the break (it joins whatever they say).
    joined, rule = _decide_rest(lay, i, plain)
    if joined or not _open_brackets(_tail(parts)):
        return joined, rule
    return True, "join: a bracket or quote is still open"


def _sentence_end(lay: _Layout, i: int) -> tuple[bool, str]:
    """The rules of :func:`_decide` for a line that ends a sentence (and has no marks)."""
    j = i + 1
    if lay.w[i] > lay.cfg.max_column:
        return False, "keep: sentence end of a whole-paragraph line"
    if lay.short_[i]:
        return False, "keep: sentence end on a short line"
    if lay.gap[j] and lay.gaps_mean_something(j):
        return False, "keep: sentence end before a blank line"
    if lay.indent[j] and not lay.indent[i]:
        return False, "keep: sentence end, next line indented"
    if lay.heading[j]:
        return False, "keep: sentence end, next line is a heading"
    if not lay.wrapped_context(i):
        return False, "keep: sentence end, no wrapped lines around it"
    if lay.indented_first_line(j):
        return False, "keep: sentence end, next line starts two characters in"
    return True, "join: sentence end at the column edge"


def _decide_rest(lay: _Layout, i: int, plain: bool) -> tuple[bool, str]:
    """The last rules of :func:`_decide`, for a line that does not end a sentence or a clause."""
    j = i + 1
    cur_w, nxt_w = lay.w[i], lay.w[j]
    last, b = lay.texts[i][-1], lay.texts[j]
    heading = plain and lay.heading[i] and not lay.para_indent[i]
    if b[0] in _CONNECTIVE and _goes_on(b, lay.texts[i]):
        return True, "join: next line starts with a connective (的 之 及 和 与)"
    if b[0].islower() and _english_goes_on(lay.texts[i], b):
        return True, "join: English goes on (a lower-case word starts the next line)"
    if _split_label(lay.texts[i], b):
        return True, "join: a label set letter-spaced across two lines (姓 / 名：)"
    if heading and lay.list_item[i] and cur_w >= 0.6 * lay.column[i] > nxt_w:
        field = _LABEL.match(b)  # 单位：人民币元 beside a table's heading is no continuation
        if field is None or field.end() == len(b):
            return True, "join: a long numbered heading wraps onto a shorter line"
    in_prose = lay.in_prose[i] and not lay.short_[i]
    if not in_prose and lay.heading[j] and nxt_w <= 0.5 * lay.column[j]:
        if _clause_begun(lay.texts[i]):
            return True, "join: a clause begun at the line end goes on (…的项目，应 / 说明原因)"
        return False, "keep: next line is a heading"
    if heading:
        similar = abs(cur_w - nxt_w) <= max(2.0, 0.12 * cur_w)
        if similar and not lay.heading[j] and lay.sp[j]:
            return True, "join: a title wraps onto a line of the same width"
        return False, "keep: short line without sentence punctuation (heading, byline, label)"
    latin_goes_on = last.isascii() and last.isalpha() and b[0].islower()
    two_labels = plain and not lay.sp[j] and b[-1] not in _CLAUSE_END
    if two_labels and not in_prose and not latin_goes_on:
        return False, "keep: two lines without sentence punctuation (labels, cells)"
    return True, "join: line ends mid-sentence"


def _glue(left: str, right: str, words: Words) -> tuple[str, str]:
    """What goes between ``left`` and ``right`` when they are joined, and what ``left`` loses
    (``words``: the block's, for a hyphen at the end of ``left``)."""
    m = _HYPHEN_END.search(left) if left[-1:] == "-" else None
    if m and right[:1].islower():
        # state-of-the- / art is a compound: the hyphen stays; so does that of firm- / level
        tail = TAIL.match(right)
        word = tail.group() if tail else ""
        chinese = in_chinese(left[: m.start(2)], right[len(word) :])
        if not m.group(1) and not words.keeps_hyphen(m.group(2), word, chinese):
            return "", "-"
        return "", ""
    last, first = left[-1], right[0]
    if (
        last.isascii()
        and first.isascii()
        and (last.isalnum() or last in ".,;:!?)]}%'\"")
        and (first.isalnum() or first in "([{'\"$#@&")
    ):
        return " ", ""
    return "", ""


def _decide_all(lay: _Layout) -> list[bool]:
    """:func:`_decide` for every break at once, without the reasons: whether line ``i``
    continues on line ``i + 1``.

    Most breaks are settled by the two lines alone, rule by rule over the lines a rule can
    apply to, the later rules first so that an earlier rule that applies has the last word.
    Only the breaks whose answer depends on the paragraph so far (a heading or a title, which
    needs a paragraph without sentence punctuation; an open bracket, which joins a break the
    other rules would keep) are then walked in order.
    """
    nb = lay.n - 1
    sp, ends, lasts = lay.sp, lay.ends, lay.lasts
    # The last rules (_decide_rest): a line with sentence punctuation is in a paragraph that is
    # not plain, and its break joins unless the next line is a short heading (then a bracket
    # still open decides). None: to be walked in order.
    dec: list[bool | None] = list(map(_JOIN_OR_WALK.__getitem__, sp[:nb]))
    heading, w, column, in_prose, short = lay.heading, lay.w, lay.column, lay.in_prose, lay.short_
    before_heading = set()  # where _decide_rest keeps the break of a paragraph that is not plain
    texts = lay.texts
    for i in compress(range(nb), heading[1:]):
        if not (in_prose[i] and not short[i]) and w[i + 1] <= 0.5 * column[i + 1]:
            a, b = texts[i], texts[i + 1]
            if _goes_on(b, a) or _english_goes_on(a, b) or _split_label(a, b):
                continue  # (_decide_rest joins it first)
            if _clause_begun(a):
                continue  # (the same)
            dec[i] = None
            before_heading.add(i)
    # A line ending with clause punctuation continues.
    # ... unless it is a lead-in alone in its paragraph (which the walk knows)
    leads = set()
    for i in lay.clause_end:
        if i < nb:
            if _label_column(lay, i):
                dec[i] = False
            elif lasts[i] in _LEAD_END and _lead_line(lay, i):
                dec[i] = None
                leads.add(i)
            else:
                dec[i] = True
    # A sentence end: the width of the line, the next line and the lines around decide.
    maxcol = lay.cfg.max_column
    for i in compress(range(nb), ends[:nb]):
        dec[i] = False if w[i] > maxcol or short[i] else _sentence_end(lay, i)[0]
    # The first rules: verse follows; the marks on either line.
    verse_ok = lay.verse_ok
    for i in compress(range(nb), verse_ok[1:]):
        if (ends[i] or lasts[i] in "：:") and _verse(lay, i + 1):
            dec[i] = False
    plain_end, plain_start = lay.plain_end_but_verse, lay.plain_start
    for i in compress(range(nb), map(not_, map(and_, plain_end[:nb], plain_start[1:]))):
        marked = _marked(lay, i)
        if marked is not None:
            dec[i] = marked[0]
    # A verse line with no other mark on either line: of the rules of _marked, only "verse
    # line" and "verse follows" (above) can apply.
    for i in compress(range(nb), verse_ok[:nb]):
        if plain_end[i] and plain_start[i + 1] and _verse(lay, i):
            dec[i] = False
    walk = list(compress(range(nb), map(is_, dec, repeat(None))))
    # A line after one with sentence punctuation whose break the rules joined (their answer is
    # final) is in a paragraph that is not plain, whatever the walk keeps before it: the walk
    # would join its break, unless a short heading follows. Settled before the walk (most of
    # it, on prose); the walk's own state changes only where it keeps a break.
    settled = [
        i for i in walk if i and dec[i - 1] is True and sp[i - 1] and i not in before_heading
    ]
    if settled:
        for i in settled:
            dec[i] = True
        walk = list(compress(walk, map(is_, map(dec.__getitem__, walk), repeat(None))))
    if walk:
        keeps = list(compress(range(nb), map(is_, dec, repeat(False))))
        with_sp = list(accumulate(sp, initial=0))  # lines with sentence punctuation before k
        kept = -1  # the last break the walk kept
        keeps.insert(0, -1)
        for i, k in zip(walk, map(bisect_left, repeat(keeps), walk), strict=True):
            start = keeps[k - 1]  # the last break kept before i, by the rules or by the walk
            if kept > start:
                start = kept
            start += 1  # the paragraph's first line
            if i in leads:  # a lead-in keeps its break when it is a paragraph of its own
                dec[i] = start != i
                if start == i:
                    kept = i
                continue
            if with_sp[i + 1] != with_sp[start]:  # not plain: only a heading after it can keep
                if i not in before_heading:
                    dec[i] = True
                    continue
                joined = False
            else:
                joined = _decide_rest(lay, i, True)[0]
            if not joined and _open_brackets(
                texts[i]
                if start == i
                else _para_tail(texts, start, i, lay.words)  # (most often alone)
            ):
                joined = True
            dec[i] = joined
            if not joined:
                kept = i
    return dec  # type: ignore[return-value]  # no None is left


# dec values: a line with sentence punctuation joins (True), any other is walked (None)
_JOIN_OR_WALK: tuple[bool | None, bool | None] = (None, True)


def _para_tail(texts: list[str], start: int, i: int, words: Words) -> str:
    """:func:`_tail` of the paragraph of lines ``start`` .. ``i`` joined (as the loop of
    :func:`_join_once` builds it: the last eight parts, each with what :func:`_glue` put
    before it and took from its end)."""
    if start == i:
        return texts[i][-200:]
    lo = max(start, i - 7)
    # :func:`_glue` puts nothing between and takes nothing off after a non-ASCII character:
    # when no line before a part ends with an ASCII one, the parts are the lines as they are
    if not any(texts[k][-1].isascii() for k in range(max(start, lo - 1), i)):
        return "".join(texts[lo : i + 1])[-200:]
    pieces = []
    for k in range(lo, i + 1):
        s = texts[k]
        if k < i:
            drop = _glue(s, texts[k + 1], words)[1]
            if drop:
                s = s[: -len(drop)]
        if k > start:
            between = _glue(texts[k - 1], texts[k], words)[0]
            if between:
                s = between + s
        pieces.append(s)
    return "".join(pieces)[-200:]


def _assemble(
    lay: _Layout, joined: list[bool], joiner: str
) -> tuple[str, tuple[list[int], list[int]]]:
    """The output of the decisions: lines joined where ``joined``, ``joiner`` between
    paragraphs; :func:`_glue` puts a space or drops a hyphen only after an ASCII character.
    Also the joins that got a space and those that took a hyphen off."""
    texts = lay.texts
    nb = lay.n - 1
    out = texts[:]
    seps = list(map((joiner, "").__getitem__, joined))
    spaces: list[int] = []
    drops: list[int] = []
    for k in _where(_ASCII_CHAR, lay.lasts, nb):
        if not joined[k]:
            continue
        between, drop = _glue(texts[k], texts[k + 1], lay.words)
        seps[k] = between
        if between:
            spaces.append(k)
        if drop:
            out[k] = out[k][: -len(drop)]
            drops.append(k)
    bullets = compress(range(nb), lay.bullet) if True in lay.bullet else ()
    for k in bullets:  # a bullet and its item: a space between
        if k < nb and joined[k] and not seps[k] and _bullet_item(lay, k):
            seps[k] = " "
            spaces.append(k)
    # lines and separators interleaved by slice assignment: no pair built per line
    parts = [""] * (2 * len(out) - 1)
    parts[::2] = out
    parts[1::2] = seps
    body = "".join(parts)
    return body, (spaces, drops)


def _join_once(text: str, config: JoinConfig, explain: bool = True) -> Explained:
    lines = _parse(text, offsets=explain)
    if not lines.texts:
        gone = (Change(NAME, "strip: no text", 0, len(text), text, ""),) if explain and text else ()
        return Explained("", gone)
    lay = _Layout(lines, config)
    joiner = "\n\n" if config.blank_lines else "\n"
    if not explain:
        return Explained(_assemble(lay, _decide_all(lay), joiner)[0] + "\n", ())
    texts, sp = lines.texts, lay.sp
    starts, ends = lines.starts, lines.ends
    paragraphs: list[str] = []
    changes: list[Change] = []
    parts: list[str] = [texts[0]]
    # the paragraph so far has no sentence punctuation: it may still be a heading or a title
    plain = not sp[0]
    for i in range(len(texts) - 1):
        joined, why = _decide(lay, i, plain, parts, explain)
        nxt = texts[i + 1]
        if joined:
            between, drop = _glue(parts[-1], nxt, lay.words)
            if drop:
                parts[-1] = parts[-1][: -len(drop)]
            elif why == _HYPHENATED_WORD:
                why = "join: compound hyphenated at the line end (the hyphen stays)"
            elif why == _BULLET_RULE:
                between = " "
            if explain:
                end, start = ends[i], starts[i + 1]
                sep = text[end:start]
                if drop:
                    changes.append(Change(NAME, why, end - 1, start, drop + sep, between))
                else:
                    changes.append(Change(NAME, why, end, start, sep, between))
            parts.append(between + nxt if between else nxt)
            plain = plain and not sp[i + 1]
        else:
            paragraphs.append("".join(parts))
            parts = [nxt]
            if explain:
                end, start = ends[i], starts[i + 1]
                changes.append(Change(NAME, why, end, start, text[end:start], joiner))
            plain = not sp[i + 1]
    paragraphs.append("".join(parts))
    # what comes before the first line and after the last (spaces, blank lines) goes too
    if starts[0]:
        changes.insert(
            0, Change(NAME, "strip: space before the text", 0, starts[0], text[: starts[0]], "")
        )
    if text[ends[-1] :] != "\n":
        changes.append(
            Change(NAME, "strip: space after the text", ends[-1], len(text), text[ends[-1] :], "\n")
        )
    return Explained(joiner.join(paragraphs) + "\n", tuple(changes))


def _join_lines(text: str, config: JoinConfig) -> str:
    """:func:`_join` without explanations: the looks work on lists of paragraphs, and a look
    that joins nothing ends the search without building its text."""
    lines = _parse(text, offsets=False)
    if not lines.texts:
        return ""
    joiner = "\n\n" if config.blank_lines else "\n"
    body = ""
    for look in range(9):  # the first look, then up to 8 more, as in _join
        lay = _Layout(lines, config)
        joined = _decide_all(lay)
        if look and not any(joined):
            return body + "\n"  # the text of the look before (its lines are body's paragraphs)
        body, glued = _assemble(lay, joined, joiner)
        if not look and len(body) + 1 == len(text) and body + "\n" == text:
            # the text was already one paragraph a line and nothing joined: a second look would
            # see the same text and decide the same (half of join's time on such text)
            return text
        lines = _next_lines(lay, joined, glued, body, joiner)
    return body + "\n"


def _join(text: str, config: JoinConfig, explain: bool) -> Explained:
    if not explain:
        return Explained(_join_lines(text, config), ())
    first = _join_once(text, config, explain)
    out = first.text
    changes = list(first.changes)
    # Joined output keeps each paragraph on a line of its own; look again until nothing moves so
    # that join(join(x)) == join(x) even where a first-look signal (an indent, a blank line, the
    # width of a line now joined) is gone. On prose the second look changes nothing; in tables
    # it may join a few more cells. Its joins are reported too (rule ``second look: …``), mapped
    # back into the stage's input, where each takes the place of the change it overrides: the
    # changes replayed on the input give the output.
    for _ in range(8):
        again = _join_once(out, config, explain)
        if again.text == out:
            break
        back = BackMap(changes)
        for c in again.changes:
            if not c.rule.startswith("join"):
                continue
            a, b = back(c.start), back(c.end, end=True)
            changes = [x for x in changes if x.end <= a or x.start >= b]
            changes.append(Change(NAME, "second look: " + c.rule, a, b, text[a:b], c.after))
        changes.sort(key=lambda c: (c.start, c.end))
        out = again.text
    return Explained(out, tuple(changes))


def join_explain(text: str, config: JoinConfig = DEFAULT) -> Explained:
    """Like :func:`join_lines`, and report every line break joined or kept, with the reason.

    Each change covers the break between two text lines (offsets into the input): ``before`` is
    what separated them (newlines, blank lines, page breaks, indentation), ``after`` what the
    output puts there: nothing or a space when joined, a newline when kept. The ``rule`` starts
    with ``join:`` or ``keep:`` and says why.

    >>> r = join_explain("改革後，永州經開區獲得了涉企社會保\\n\\n障、生態環保及服務職能18項。\\n")
    >>> [(c.rule, c.before, c.after) for c in r.changes]
    [('join: line ends mid-sentence', '\\n\\n', '')]
    """
    check_call("join_explain", text, config, JoinConfig)
    return _join(text, config, explain=True)


def join_lines(text: str, config: JoinConfig = DEFAULT) -> str:
    """Join lines broken mid-sentence; one paragraph per output line.

    >>> join_lines("永州經開區獲得了涉企社會保\\n\\n障、生態環保及公共服務職能。\\n")
    '永州經開區獲得了涉企社會保障、生態環保及公共服務職能。\\n'
    >>> join_lines("Clean tech-\\nnology works\\nwell.\\n")
    'Clean technology works well.\\n'
    """
    check_call("join_lines", text, config, JoinConfig)
    return _join(text, config, explain=False).text


SPEC = register(
    StageSpec(
        NAME,
        JoinConfig,
        join_lines,
        join_explain,
        summary="join lines broken mid-sentence; keep paragraphs, headings, list items",
    )
)
