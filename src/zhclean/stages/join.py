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
  verse.

>>> join_lines("8月18日，湖南匯科電子科技有限公司的董\\n事長羅核，滿臉喜悅地分享了一個喜訊。\\n")
'8月18日，湖南匯科電子科技有限公司的董事長羅核，滿臉喜悅地分享了一個喜訊。\\n'
>>> join_lines("一、總則\\n（一）本辦法適用於全區。\\n")
'一、總則\\n（一）本辦法適用於全區。\\n'
>>> join_lines("a new tech-\\nnology for well-\\nknown ends\\n")
'a new technology for well-known ends\\n'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .base import Change, Explained, StageSpec, register

NAME = "join"


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


DEFAULT = JoinConfig()

_WS = " \t\r\u3000\u00a0"
# A sentence ends at 。！？… (full or half width), optionally followed by closing quotes.
_TERMINAL = "。！？!?…‼⁇⁈⁉．"
_CLOSE = "」』）)】〕》〉”’\"'］]"
_SENT_END = re.compile(rf"(?:[{re.escape(_TERMINAL)}]|(?<=[A-Za-z)\]])\.)[{re.escape(_CLOSE)}]*$")
# Punctuation inside a line that shows it is a sentence, not a heading.
_SENT_PUNCT = re.compile(r"[，。；！？,;!?]|(?<=[A-Za-z])\.\s")
# No line may start with these (kinsoku): such a line always continues the previous one.
_NO_START = set("，。、；：！？）」』】〕》〉…‧·,;:!?)]}％%")
_PAIRS = tuple(zip("《「『（(“【", "》」』）)”】", strict=True))
# A line ending with clause punctuation continues (；and ：do not end a sentence).
_CLAUSE_END = set("，、；：,;:")
# A line ending with an opening bracket or quote always continues.
_NO_END = set("（「『【〔《〈“‘([{")

_LIST_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十百〇零]+[、.．]"
    r"|[（(][一二三四五六七八九十百\d]{1,3}[）)]"
    r"|\d{1,3}(?:[.．]\d{1,3})*[、.．)）](?![\d.．])"
    r"|[A-Za-z][.)](?=\s)"
    r"|[•●○■□◆◇▪►▶✓✔※\ue000-\uf8ff]|[\-–*+·](?=\s)"
    r"|第\s*[一二三四五六七八九十百千〇零\d]+(?:[.．]\d+)*\s*[章節节條条款篇部編编回]"
    r"|[①-⑳⑴-⒇⒈-⒛㈠-㈩❶-❿])"
)
_CAPTION = re.compile(
    r"^(?:[圖图表]\s*[\d一二三四五六七八九十]+(?:[-.．]\d+)*|(?:Fig(?:ure)?|Table)\.?\s*\d+)"
    r"(?=[\s:：.．、]|[^\d])"
)
_SECTION = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,3}\s+[^\d\s.]")
_CAPTION_LABEL = re.compile(
    r"^(?:[圖图表]\s*\d+(?:[-.．]\d+)*|(?:Fig(?:ure)?|Table)\.?\s*\d+(?:\.\d+)*)[:：.．]?$"
)


def _is_caption(s: str) -> bool:
    """``图 2.1 …`` or ``Table 3 …``, not a sentence that starts by naming a table."""
    return bool(_CAPTION.match(s)) and not _SENT_PUNCT.search(s.rstrip("。."))


_HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A cell of a table or a stray number: digits and number punctuation only.
_NUMERIC = re.compile(r"^[\d.,．%％～~\-–—/:+×()（）\s]+$")
# Table-like row: two or more gaps of two or more spaces (or tabs) between cells.
_CELL_GAP = re.compile(r"(?:[ \u3000]{2,}|\t)")
_HYPHEN_END = re.compile(r"(-?)\b([A-Za-z]*[a-z])-$")
# Words that commonly start a hyphenated compound: keep the hyphen when a line breaks there.
_COMPOUND_HEADS = frozenset(
    re.findall(
        r"\w+",
        "self well non cross long short high low full half state real multi co ex all semi "
        "open built one two three four five first second third x e anti pre post inter",
    )
)


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


def _edge_width(s: str) -> float:
    """Width up to the column edge: punctuation at the end of a line may be compressed or hang
    outside the column, so it counts half.

    >>> _edge_width("看進度、問需求。」"), _edge_width("這 場")
    (8.0, 2.5)
    """
    m = _HANGING.search(s)
    w = _width(s)
    return w - 0.5 * _width(m.group()) if m else w


@dataclass
class _Line:
    text: str
    start: int  # offset of ``text`` in the input
    end: int
    width: float
    indent: bool
    para_indent: bool  # indented by about two characters, as a paragraph's first line is
    gap: bool  # a blank line before it
    page: bool  # a page break (\f) before it


_SEGMENT = re.compile(r"[^\n\f]+")


def _parse(text: str) -> list[_Line]:
    lines: list[_Line] = []
    prev_end = 0
    for m in _SEGMENT.finditer(text):
        seg = m.group()
        stripped = seg.strip(_WS)
        if not stripped:
            continue
        lead = len(seg) - len(seg.lstrip(_WS))
        head = seg[:lead]
        sep = text[prev_end : m.start()]
        start = m.start() + lead
        lines.append(
            _Line(
                text=stripped,
                start=start,
                end=start + len(stripped),
                width=_edge_width(stripped),
                indent="\u3000" in head or "\t" in head or head.count(" ") >= 2,
                para_indent=1.5 <= _width(head.replace("\t", "    ")) <= 2.5,
                gap=sep.count("\n") >= 2,
                page="\f" in sep,
            )
        )
        prev_end = start + len(stripped)
    return lines


def _is_table_row(s: str) -> bool:
    cells = [c.strip() for c in _CELL_GAP.split(s) if c.strip()]
    if len(cells) < 2 or _SENT_PUNCT.search(s) or all(len(c) == 1 for c in cells):
        return False  # prose with a wide space, or letter-spaced text
    if len(cells) >= 3:
        return True
    return all(2 <= len(c) <= 12 for c in cells) and not _LIST_ITEM.match(s)


def _ends_sentence(s: str) -> bool:
    return bool(_SENT_END.search(s))


class _Layout:
    """Per-line measures: widths, runs of similar lines, each line's column width."""

    def __init__(self, lines: list[_Line], cfg: JoinConfig) -> None:
        self.lines = lines
        self.cfg = cfg
        n = len(lines)
        w = [ln.width for ln in lines]
        self.w = w
        # Runs: consecutive lines whose widths differ by at most the tolerance.
        run = [0] * n
        for i in range(1, n):
            step = max(cfg.tolerance, 0.06 * max(w[i], w[i - 1]))
            similar = abs(w[i] - w[i - 1]) <= step and max(w[i], w[i - 1]) <= cfg.max_column
            run[i] = run[i - 1] if similar else run[i - 1] + 1
        size: dict[int, int] = {}
        prose: dict[int, bool] = {}
        for i, r in enumerate(run):
            size[r] = size.get(r, 0) + 1
            prose[r] = prose.get(r, False) or bool(_SENT_PUNCT.search(lines[i].text))
        self.run = run
        self.run_size = [size[r] for r in run]
        self.prose = prose
        self.column = [self._column(i, run, size, prose) for i in range(n)]

    def _column(
        self, i: int, run: list[int], size: dict[int, int], prose: dict[int, bool]
    ) -> float:
        w, cfg = self.w, self.cfg
        if size[run[i]] >= 3 and prose[run[i]]:
            # a column, a box, or text wrapped around a picture: measure against the neighbours
            return max(w[j] for j in range(max(0, i - 1), min(len(w), i + 2)) if run[j] == run[i])
        lo, hi = max(0, i - cfg.window), min(len(w), i + cfg.window + 1)
        return max(min(w[j], cfg.max_column) if j != i else w[j] for j in range(lo, hi))

    def short(self, i: int) -> bool:
        """Line ``i`` stops clearly before its column's edge."""
        return self.w[i] < self.column[i] - max(self.cfg.tolerance, 0.06 * self.column[i])

    def gaps_mean_something(self, i: int) -> bool:
        """Blank lines around line ``i`` are rare enough to mark paragraphs (some extractors put
        one after every line of a text box)."""
        lo, hi = max(1, i - 6), min(len(self.lines), i + 7)
        gaps = sum(self.lines[j].gap for j in range(lo, hi))
        return gaps < 0.6 * (hi - lo)

    def indented_first_line(self, i: int) -> bool:
        """Line ``i`` is about two characters narrower than the full lines around it and goes on
        mid-sentence: the first line of a paragraph whose indentation the extractor dropped."""
        if i + 1 >= len(self.lines) or i < 1:
            return False
        full = min(self.w[i - 1], self.w[i + 1])
        if self.short(i + 1) or abs(self.w[i - 1] - self.w[i + 1]) > self.cfg.tolerance:
            return False
        return full - 2.6 <= self.w[i] <= full - 1.6 and not _ends_sentence(self.lines[i].text)

    def in_prose_run(self, i: int) -> bool:
        """Line ``i`` is part of a run of similar lines with sentence punctuation: wrapped text."""
        return self.run_size[i] >= 3 and self.prose[self.run[i]]

    def wrapped_context(self, i: int) -> bool:
        """Some other line of ``i``'s run reaches the edge mid-sentence: this is wrapped text."""
        r = self.run[i]
        if self.run_size[i] < 3:
            return False
        for j in range(max(0, i - 2), min(len(self.w), i + 3)):
            same = j != i and self.run[j] == r
            if same and not _ends_sentence(self.lines[j].text) and not self.short(j):
                return True
        return False


def _heading_like(lay: _Layout, i: int) -> bool:
    """Short, no sentence punctuation inside or at the end: a heading, byline, label or cell."""
    s = lay.lines[i].text
    return (
        lay.short(i)
        and not _SENT_PUNCT.search(s)
        and s[-1] not in _CLAUSE_END
        and not _ends_sentence(s)
    )


def _verse(lay: _Layout, i: int) -> bool:
    """Line ``i`` belongs to a run of short lines that each end with punctuation: a poem."""
    r = lay.run[i]
    members = [j for j in range(max(0, i - 3), min(len(lay.w), i + 4)) if lay.run[j] == r]
    if len(members) < 2:
        return False
    wide = max(
        (lay.w[j] for j in range(max(0, i - 6), min(len(lay.w), i + 7)) if lay.run[j] != r),
        default=0.0,
    )
    return all(
        lay.lines[j].text[-1] in "，。！？；"
        and len(_HAN_RE.findall(lay.lines[j].text)) >= 3
        and lay.w[j] <= 16
        and lay.w[j] < wide - 3
        for j in members
    )


def _open_brackets(para: str) -> bool:
    """The paragraph so far opened a bracket or quote it has not closed (within 200 chars)."""
    tail = para[-200:]
    return any(tail.count(o) > tail.count(c) for o, c in _PAIRS)


def _decide(lay: _Layout, i: int, plain: bool, para: str) -> tuple[bool, str]:
    """Whether line ``i`` continues on line ``i + 1``, and why.

    ``plain``: the paragraph so far (``para``) has no sentence punctuation.
    """
    cur, nxt = lay.lines[i], lay.lines[i + 1]
    a, b = cur.text, nxt.text
    if b[0] in _NO_START and not _NUMERIC.match(b):
        return True, "join: next line starts with closing punctuation"
    if a[-1] in _NO_END:
        return True, "join: line ends with an opening bracket or quote"
    if _HYPHEN_END.search(a) and b[0].islower():
        return True, "join: word hyphenated at the line end"
    if _LIST_ITEM.match(b):
        return False, "keep: next line is a list item"
    if _CAPTION_LABEL.match(a) and not _CAPTION.match(b):
        return True, "join: caption number and its title"
    if _is_caption(a) or _is_caption(b):
        return False, "keep: caption"
    if _is_table_row(a) or _is_table_row(b):
        return False, "keep: table row"
    if _NUMERIC.match(a) or _NUMERIC.match(b):
        return False, "keep: number or table cell"
    if _verse(lay, i):
        return False, "keep: verse line"
    if _verse(lay, i + 1) and (_ends_sentence(a) or a[-1] in "：:"):
        return False, "keep: verse follows"
    if _SECTION.match(b) and (b.count(".") >= 2 or _heading_like(lay, i + 1)):
        return False, "keep: next line is a numbered section heading"
    if _ends_sentence(a):
        if cur.width > lay.cfg.max_column:
            return False, "keep: sentence end of a whole-paragraph line"
        if lay.short(i):
            return False, "keep: sentence end on a short line"
        if nxt.gap and lay.gaps_mean_something(i + 1):
            return False, "keep: sentence end before a blank line"
        if nxt.indent and not cur.indent:
            return False, "keep: sentence end, next line indented"
        if _heading_like(lay, i + 1):
            return False, "keep: sentence end, next line is a heading"
        if not lay.wrapped_context(i):
            return False, "keep: sentence end, no wrapped lines around it"
        if lay.indented_first_line(i + 1):
            return False, "keep: sentence end, next line starts two characters in"
        return True, "join: sentence end at the column edge"
    if a[-1] in _CLAUSE_END:
        return True, "join: line ends with clause punctuation"
    if _open_brackets(para):
        return True, "join: a bracket or quote is still open"
    heading = plain and _heading_like(lay, i) and not cur.para_indent
    if heading and _LIST_ITEM.match(a) and cur.width >= 0.6 * lay.column[i] > nxt.width:
        return True, "join: a long numbered heading wraps onto a shorter line"
    in_prose = lay.in_prose_run(i) and not lay.short(i)
    if not in_prose and _heading_like(lay, i + 1) and nxt.width <= 0.5 * lay.column[i + 1]:
        return False, "keep: next line is a heading"
    if heading:
        similar = abs(cur.width - nxt.width) <= max(2.0, 0.12 * cur.width)
        if similar and not _heading_like(lay, i + 1) and _SENT_PUNCT.search(b):
            return True, "join: a title wraps onto a line of the same width"
        return False, "keep: short line without sentence punctuation (heading, byline, label)"
    latin_goes_on = a[-1].isascii() and a[-1].isalpha() and b[0].islower()
    two_labels = plain and not _SENT_PUNCT.search(b) and b[-1] not in _CLAUSE_END
    if two_labels and not in_prose and not latin_goes_on:
        return False, "keep: two lines without sentence punctuation (labels, cells)"
    return True, "join: line ends mid-sentence"


def _glue(left: str, right: str) -> tuple[str, str]:
    """What goes between ``left`` and ``right`` when they are joined, and what ``left`` loses."""
    m = _HYPHEN_END.search(left)
    if m and right[:1].islower():
        # state-of-the- / art and well- / known are compounds: the hyphen stays
        if not m.group(1) and m.group(2).lower() not in _COMPOUND_HEADS:
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


def _join_once(text: str, config: JoinConfig) -> Explained:
    lines = _parse(text)
    if not lines:
        return Explained("", ())
    lay = _Layout(lines, config)
    paragraphs: list[str] = []
    changes: list[Change] = []
    parts: list[str] = [lines[0].text]
    # the paragraph so far has no sentence punctuation: it may still be a heading or a title
    plain = not _SENT_PUNCT.search(lines[0].text)
    for i in range(len(lines) - 1):
        tail = "".join(parts[-8:])[-200:] if len(parts) > 1 else parts[0][-200:]
        joined, why = _decide(lay, i, plain, tail)
        cur, nxt = lines[i], lines[i + 1]
        sep = text[cur.end : nxt.start]
        if joined:
            between, drop = _glue(parts[-1], nxt.text)
            if drop:
                parts[-1] = parts[-1][: -len(drop)]
                changes.append(Change(NAME, why, cur.end - 1, nxt.start, drop + sep, between))
            else:
                changes.append(Change(NAME, why, cur.end, nxt.start, sep, between))
            parts.append(between + nxt.text)
            plain = plain and not _SENT_PUNCT.search(nxt.text)
        else:
            paragraphs.append("".join(parts))
            parts = [nxt.text]
            changes.append(Change(NAME, why, cur.end, nxt.start, sep, "\n"))
            plain = not _SENT_PUNCT.search(nxt.text)
    paragraphs.append("".join(parts))
    joiner = "\n\n" if config.blank_lines else "\n"
    return Explained(joiner.join(paragraphs) + "\n", tuple(changes))


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
    first = _join_once(text, config)
    out = first.text
    changes = list(first.changes)
    # Joined output keeps each paragraph on a line of its own; look again until nothing moves so
    # that join(join(x)) == join(x) even where a first-look signal (an indent, a blank line, the
    # width of a line now joined) is gone. On prose the second look changes nothing; in tables
    # it may join a few more cells. Its joins are reported too, with offsets into the text of
    # the first look (rule ``second look: …``).
    for _ in range(8):
        again = _join_once(out, config)
        if again.text == out:
            break
        changes.extend(
            Change(NAME, "second look: " + c.rule, c.start, c.end, c.before, c.after)
            for c in again.changes
            if c.rule.startswith("join")
        )
        out = again.text
    return Explained(out, tuple(changes))


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
