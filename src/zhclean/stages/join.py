"""Rebuild paragraphs from hard-wrapped, column-broken, page-broken extractor output.

Lines the layout broke mid-sentence are joined (CJK with nothing between, Latin with a space,
hyphenated words rejoined); real paragraph ends, headings, bylines, captions and list items
stay on their own lines. The output has one paragraph per line.

>>> join_lines("湖南匯科電子科技有限公司的董\\n事長羅核，滿臉喜悅地分享了一個喜訊。\\n")
'湖南匯科電子科技有限公司的董事長羅核，滿臉喜悅地分享了一個喜訊。\\n'
>>> join_lines("一、總則\\n（一）本辦法適用於全區。\\n")
'一、總則\\n（一）本辦法適用於全區。\\n'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .base import Change, Explained, StageSpec, register
from .chars import CJK, CLOSERS, TERMINAL

NAME = "join"


@dataclass(frozen=True)
class JoinConfig:
    """Settings of the ``join`` stage.

    blank_lines: put a blank line between output paragraphs.
    short_ratio: a line narrower than this share of its block's width is "short" (a paragraph
        end, a heading or a caption).
    window: how many text lines on each side estimate a block's width.
    """

    blank_lines: bool = False
    short_ratio: float = 0.7
    window: int = 4


DEFAULT = JoinConfig()

_LIST_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,3}[.．、](?!\d)"
    r"|[•·●○■□◆◇▪\-–*]\s|第[一二三四五六七八九十百千\d]+[章節节條条款篇部]|[①-⑳])"
)
_SENT_END = re.compile(rf"[{re.escape(TERMINAL)}][{re.escape(CLOSERS)}]*$")
_MID_PUNCT = "，、：,:（(「『“"
_HAN_END = re.compile(rf"[{CJK}]$")
_HAN_START = re.compile(rf"^[{CJK}]")
_LATIN_END = re.compile(r"[A-Za-z0-9,;:%)]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9(]")
_HYPHEN_END = re.compile(r"(?<=[a-z])-$")


def _width(s: str) -> float:
    """Display width: CJK characters and full-width punctuation 1, ASCII (and spaces) 1/2."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in s)


@dataclass
class _Line:
    text: str
    width: float
    indent: bool
    blank_before: bool


def _parse(text: str) -> list[_Line]:
    lines: list[_Line] = []
    blank = False
    for raw in text.replace("\f", "\n").split("\n"):
        body = raw.rstrip()
        if not body.strip():
            blank = True
            continue
        stripped = body.lstrip(" \u3000\t")
        lines.append(_Line(stripped, _width(stripped), len(stripped) < len(body), blank))
        blank = False
    return lines


def _block_width(lines: list[_Line], i: int, window: int) -> float:
    lo, hi = max(0, i - window), min(len(lines), i + window + 1)
    return max(lines[k].width for k in range(lo, hi))


def _decide(lines: list[_Line], i: int, cfg: JoinConfig) -> tuple[bool, str]:
    """Whether line ``i`` continues on line ``i + 1``, and why."""
    cur, nxt = lines[i], lines[i + 1]
    width = _block_width(lines, i, cfg.window)
    short = cur.width < cfg.short_ratio * width
    if _LIST_ITEM.match(nxt.text):
        return False, "next line is a list item"
    if nxt.indent and not cur.indent:
        return False, "next line is indented"
    if _SENT_END.search(cur.text):
        if short or nxt.blank_before:
            return False, "sentence end on a short line" if short else "sentence end before a gap"
        prev_w = lines[i - 1].width if i else 0.0
        if abs(prev_w - cur.width) > 1.5 and not _SENT_END.search(lines[i - 1].text if i else ""):
            return False, "sentence end on a line of its own width"
        return True, "sentence end at the column edge"
    if short and cur.text[-1] not in _MID_PUNCT:
        return False, "short line: heading, byline or caption"
    if _LIST_ITEM.match(cur.text) and cur.width < 0.9 * width and nxt.blank_before:
        return False, "list item"
    return True, "line ends mid-sentence"


def _glue(left: str, right: str) -> str:
    if _HYPHEN_END.search(left) and right[:1].islower():
        return left[:-1] + right
    if _LATIN_END.search(left) and _LATIN_START.match(right):
        return left + " " + right
    return left + right


def join_explain(text: str, config: JoinConfig = DEFAULT) -> Explained:
    """Like :func:`join_lines`, and report every line break joined or kept, with the reason.

    The changes carry no offsets into the input (line structure is rebuilt); ``start`` is the
    number of the line the decision is about, ``rule`` the reason.
    """
    lines = _parse(text)
    paragraphs: list[str] = []
    changes: list[Change] = []
    current = ""
    for i, line in enumerate(lines):
        current = _glue(current, line.text) if current else line.text
        if i + 1 < len(lines):
            joined, why = _decide(lines, i, config)
            changes.append(Change(NAME, why, i, i + 1, "\n", "" if joined else "\n"))
            if joined:
                continue
        paragraphs.append(current)
        current = ""
    if not paragraphs:
        return Explained("", tuple(changes))
    sep = "\n\n" if config.blank_lines else "\n"
    return Explained(sep.join(paragraphs) + "\n", tuple(changes))


def join_lines(text: str, config: JoinConfig = DEFAULT) -> str:
    """Join lines broken mid-sentence; one paragraph per output line."""
    return join_explain(text, config).text


SPEC = register(
    StageSpec(
        NAME,
        JoinConfig,
        join_lines,
        join_explain,
        summary="join lines broken mid-sentence; keep paragraphs, headings, list items",
    )
)
