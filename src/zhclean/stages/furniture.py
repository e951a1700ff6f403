"""Remove page furniture: page-number lines and running headers/footers repeated on every page.

Pages are separated by form feeds (``\\f``), as pdftotext, pdfminer and most extractors write
them. Only lines at the top or bottom of a page (the first and last two text lines) are
candidates, so a number in a table or a formula is never taken for a page number:

* a page-number line: ``12``, ``- 12 -``, ``— 12 —``, ``第 12 頁``, ``第12页 共40页``,
  ``Page 12 of 40``, ``12/40``;
* a running header or footer: the same line (digits aside) at the top or bottom of at least
  half the pages (and of two pages at least), or of three quarters of the odd or of the even
  pages (three at least: alternating headers), with some letters in it (``}`` or ``金``
  repeated at a page edge by chance is content, not furniture);
* a chapter's title over every other page of the chapter (:func:`_every_other`).

>>> remove_furniture("正文第一段。\\n— 3 —\\n\\f正文第二段。\\n第 4 頁\\n")
'正文第一段。\\n\\x0c正文第二段。\\n'
>>> remove_furniture("第一行\\n第二行\\n公式\\n3\\n推導如下\\n第五行\\n第六行\\n")
'第一行\\n第二行\\n公式\\n3\\n推導如下\\n第五行\\n第六行\\n'
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .base import Change, Explained, StageSpec, apply_changes, check_call, check_fields, register

NAME = "furniture"


@dataclass(frozen=True)
class FurnitureConfig:
    """Settings of the ``furniture`` stage.

    page_numbers: drop page-number lines at the top or bottom of a page.
    running: drop running headers and footers (lines repeated at the page edges).
    min_share: a running header must appear on at least this share of the pages.
    edge: how many text lines at the top and at the bottom of a page are page furniture
        candidates.
    """

    page_numbers: bool = True
    running: bool = True
    min_share: float = 0.5
    edge: int = 2

    def __post_init__(self) -> None:
        check_fields(self)
        if not 0 < self.min_share <= 1:
            raise ValueError(
                f"min_share is a share of the pages, 0 < min_share <= 1: not {self.min_share}"
            )
        if self.edge < 0:
            raise ValueError(f"edge must be 0 or more lines, not {self.edge}")


DEFAULT = FurnitureConfig()

_SP = r"[ \t\u3000]*"
_N = r"(?:\d{1,4}|[ivxlcdmIVXLCDM]{1,7})"
_PAGE_NO = re.compile(
    rf"^{_SP}(?:"
    rf"[-—–－~·•]{{0,2}}{_SP}\d{{1,4}}{_SP}[-—–－~·•]{{0,2}}"  # 12  - 12 -  — 12 —
    rf"|[-—–－]{_SP}{_N}{_SP}[-—–－]"  # - iv -
    rf"|第{_SP}[\d一二三四五六七八九十百]{{1,6}}{_SP}[頁页](?:{_SP}[,，/、]?{_SP}共{_SP}\d{{1,4}}{_SP}[頁页])?"
    rf"|(?:[Pp]age|PAGE){_SP}{_N}(?:{_SP}(?:of|/){_SP}\d{{1,4}})?"
    rf"|\d{{1,4}}{_SP}/{_SP}\d{{1,4}}"
    rf"|[共]{_SP}\d{{1,4}}{_SP}[頁页]{_SP}第{_SP}\d{{1,4}}{_SP}[頁页]"
    rf"){_SP}$"
)
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_EDGE_NUMBER = re.compile(r"^(?:第?#[頁页]?(?:/#)?[-—–|·.]*)|(?:[-—–|·]*第?#[頁页]?(?:/#)?)$")
# A running header has some words in it, not only digits and punctuation.
_WORDY = re.compile(r"[A-Za-z\u3400-\u9fff]")
# ... and is a title, not a sentence that happens to recur (a data source under each chart).
_SENTENCE = re.compile(r"[，。；！？]")


_LOOKS = 10  # how many times furniture_explain looks for furniture, at most


@dataclass(slots=True)
class _Line:
    start: int  # offset of the line in the input
    end: int  # offset after its newline (or the end of the text)
    body: str  # without the newline and any page break
    # Worked out on first use and kept: a line at a page edge is looked at again in every look.
    key: str | None = None
    title: bool | None = None


def _line_key(ln: _Line) -> str:
    if ln.key is None:
        ln.key = _key(ln.body)
    return ln.key


def _title(ln: _Line) -> bool:
    """Whether ``ln`` may be a running header: a short title with some words in it."""
    if ln.title is None:
        body = ln.body
        ln.title = (
            len(_WORDY.findall(body)) >= 2
            and not _SENTENCE.search(body)
            and len(body.strip()) <= 60
        )
    return ln.title


class _Page:
    """The text lines (blank lines left out) of one page, read from either end only as deep
    as the looks need: most pages are long and only their first and last few lines can be
    furniture, and a line object for every line (or for a fixed 85 lines at either end)
    was most of the stage's time.

    ``head`` holds the lines read from the top, ``tail`` those read from the bottom
    (outermost first); the rows between ``top`` (start of the next row down) and ``bottom``
    (end of the next row up) are not read yet. Lines found to be furniture are dropped from
    both lists, so that they hold the live lines.
    """

    __slots__ = ("bottom", "end", "head", "tail", "text", "top")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.end = end  # the page break after the page, or the end of the text
        self.top = start
        self.bottom = end
        self.head: list[_Line] = []
        self.tail: list[_Line] = []

    def read(self, depth: int) -> None:
        """Read rows until ``depth`` live lines are known at either end, or the whole page."""
        text, end, top, bottom = self.text, self.end, self.top, self.bottom
        head, tail = self.head, self.tail
        while len(head) < depth and top <= bottom:
            z = text.find("\n", top, bottom)
            if z < 0:
                z = bottom
            row = text[top:z]
            if row and not row.isspace():
                head.append(_Line(top, z + (z < end), row.rstrip("\r")))
            top = z + 1
        while len(tail) < depth and top <= bottom:
            a = text.rfind("\n", top, bottom) + 1 or top  # (no newline left: from top)
            row = text[a:bottom]
            if row and not row.isspace():
                tail.append(_Line(a, bottom + (bottom < end), row.rstrip("\r")))
            bottom = a - 1
        self.top, self.bottom = top, bottom

    def lines(self) -> list[_Line]:
        return self.head + self.tail[::-1]

    def drop(self, gone: dict[int, tuple[_Line, str]]) -> None:
        self.head = [ln for ln in self.head if ln.start not in gone]
        self.tail = [ln for ln in self.tail if ln.start not in gone]


def _pages(text: str) -> list[_Page]:
    """The pages of ``text`` (split at ``\\f``), none of them read yet."""
    pages: list[_Page] = []
    pos = 0
    while True:
        ff = text.find("\f", pos)
        if ff < 0:
            pages.append(_Page(text, pos, len(text)))
            return pages
        pages.append(_Page(text, pos, ff))
        pos = ff + 1


def _edges(page: list[_Line], n: int) -> list[_Line]:
    return page if len(page) <= 2 * n else page[:n] + page[-n:]


def _key(line: str) -> str:
    """What repeats from page to page: digits aside, and a page number at either end aside
    (``2 / 4 请务必阅读…`` on page 2 is the footer ``请务必阅读…`` of page 1)."""
    key = _DIGITS.sub("#", _SPACES.sub("", line))
    # (every _EDGE_NUMBER match holds a #: most lines are spared the search)
    return (_EDGE_NUMBER.sub("", key) or key) if "#" in key else key


_SIDE_SHARE = 0.75  # see _detect
_PAIR_SHARE = 0.6  # see _detect
_RUN = 3  # see _every_other


def _outermost(page: list[_Line], n: int) -> list[_Line]:
    """Of the edge lines of ``page`` that read alike, the outermost at the top and at the
    bottom: where a chapter starts on a right page, its title is there twice, as the running
    header and under it as the heading (``第二章  文献综述`` / ``第二章  文献综述``), and the
    heading stays."""
    out: dict[str, _Line] = {}
    for ln in page[:n]:
        out.setdefault("top" + _SPACES.sub("", ln.body), ln)
    for ln in page[-n:][::-1]:
        out.setdefault("bottom" + _SPACES.sub("", ln.body), ln)
    return list(out.values())


def _every_other(on: set[int], pages: list[list[_Line]], long: int = 12) -> set[int]:
    """The pages of ``on`` in runs of every other page (k, k + 2, k + 4 ...: at least
    ``_RUN``) that skip the pages between: where a thesis or a book puts the chapter's title
    at the top of the right pages (``第三章 研究设计`` on pages 31 to 39, the chapter 4 title
    from pages 41 to 55), which no share of all the pages finds. A line on consecutive pages
    (a table's header row continued) makes no such run, nor one on short pages: a running
    header sits over a page of text (``long`` lines at least: as many as a look reads at the
    two ends of a page), while a talk's outline slide, shown between its sections, is content.

    >>> page = lambda n: [_Line(0, 0, "正文") for _ in range(n)]
    >>> sorted(_every_other({3, 5, 7, 9}, [page(30)] * 12))
    [3, 5, 7, 9]
    >>> sorted(_every_other({3, 5, 7, 9}, [page(5)] * 12))
    []
    """
    out: set[int] = set()
    for k in on:
        if k - 2 in on and k - 1 not in on:
            continue  # inside a run: its start takes it
        run = [k]
        while run[-1] + 2 in on and run[-1] + 1 not in on:
            run.append(run[-1] + 2)
        if len(run) >= _RUN and all(len(pages[j]) >= long for j in run):
            out.update(run)
    return out


def _detect(pages: list[list[_Line]], config: FurnitureConfig) -> dict[int, tuple[_Line, str]]:
    """The furniture lines of ``pages`` (lines already removed are left out of them)."""
    n_pages = sum(1 for p in pages if p)
    edge = config.edge if n_pages >= 3 else 1
    found: dict[int, tuple[_Line, str]] = {}
    if config.running and n_pages >= 2:
        # Counted over all pages, and over the odd and the even pages apart: a book's running
        # header often alternates (its title on the left pages, the chapter's on the right).
        # On one side it must be on three quarters of the pages: a slide repeated every few
        # pages (an outline between sections) is content.
        counts: Counter[str] = Counter()
        sides: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
        on: dict[str, set[int]] = {}  # the pages each line is at the edge of (spaces aside)
        for k, page in enumerate(pages):
            lines = _edges(page, edge)
            keys = {_line_key(ln) for ln in lines}
            counts.update(keys)
            sides[k % 2].update(keys)
            for ln in lines:
                on.setdefault(_SPACES.sub("", ln.body), set()).add(k)
        need = max(2.0, config.min_share * n_pages)
        side_pages = [sum(1 for p in pages[s::2] if p) for s in (0, 1)]
        side_need = [max(3.0, _SIDE_SHARE * side_pages[s]) for s in (0, 1)]
        # A short paper's two headers, one on each side, never on the other: twice each is
        # enough when each is on most of its side's pages (航空动力学报 over the odd pages of a
        # five-page paper, its title over the even ones).
        only = [
            {
                k
                for k, c in sides[s].items()
                if c >= 2 and not sides[1 - s][k] and c >= _PAIR_SHARE * side_pages[s]
            }
            for s in (0, 1)
        ]
        pair = only[0] | only[1] if only[0] and only[1] else set()

        def running(key: str) -> bool:
            on_side = sides[0][key] >= side_need[0] or sides[1][key] >= side_need[1]
            return counts[key] >= need or on_side or key in pair

        # (the line itself, digits and all: Chapter 2 … Chapter 5 are four chapters' headings)
        long = 2 * _depth(config, "") if config.edge >= 1 else 12  # (a page not read whole)
        chapter = {k: _every_other(ks, pages, long) for k, ks in on.items() if len(ks) >= _RUN}
        for k, page in enumerate(pages):
            outer = _outermost(page, edge)
            for ln in _edges(page, edge):
                text = _SPACES.sub("", ln.body)
                header = running(_line_key(ln)) or (k in chapter.get(text, ()) and ln in outer)
                if header and _title(ln):
                    found[ln.start] = (ln, "running header/footer")
    if config.page_numbers:
        for page in pages:
            body = [ln for ln in page if ln.start not in found]
            # One page number per page edge: the outermost line, or a decorated number (- 3 -,
            # 第 3 頁) among the edge lines. A number with another number inside it is content
            # (an axis, a column of a table), never taken for a page number.
            for seq in (body, body[::-1]):
                for k, ln in enumerate(seq[: config.edge + 1]):
                    if not _PAGE_NO.match(ln.body):
                        continue
                    inward = seq[k + 1].body if k + 1 < len(seq) else ""
                    if (k == 0 or not ln.body.strip().isdigit()) and not _PAGE_NO.match(inward):
                        found[ln.start] = (ln, "page number")
                    break
    return found


def furniture_explain(text: str, config: FurnitureConfig = DEFAULT) -> Explained:
    """Like :func:`remove_furniture`, and report each removed line (rule: what it was)."""
    check_call("furniture_explain", text, config, FurnitureConfig)
    return _explain(text, config, _depth(config, text))


def _depth(config: FurnitureConfig, text: str) -> int:
    """How many live text lines a look needs at either end of a page: up to ``edge`` running
    headers (or footers), then, in from them, the ``edge + 1`` lines that may hold the page
    number and the line inward of those (a page number must not have another one inward):
    2 * edge + 2. With edge < 1 pages are read whole (_edges takes whole pages then)."""
    return 2 * config.edge + 2 if config.edge >= 1 else len(text) + 1


def _explain(text: str, config: FurnitureConfig, depth: int) -> Explained:
    """:func:`furniture_explain`, reading ``depth`` live lines at either end of each page
    before each look (``len(text) + 1``: every line, the slow reference)."""
    pages = _pages(text)
    remove: dict[int, tuple[_Line, str]] = {}
    # Removing a header can bring another repeated line to a page edge: look again until nothing
    # new is found, so that the stage is idempotent.
    for _ in range(_LOOKS):
        for page in pages:
            page.read(depth)
        new = _detect([page.lines() for page in pages], config)
        if not new:
            break
        remove.update(new)
        for page in pages:
            page.drop(new)
    changes = []
    for start in sorted(remove):
        ln, why = remove[start]
        changes.append(Change(NAME, why, ln.start, ln.end, text[ln.start : ln.end], ""))
    return Explained(apply_changes(text, changes), tuple(changes))


def remove_furniture(text: str, config: FurnitureConfig = DEFAULT) -> str:
    """Drop page numbers and running headers/footers; keep the page breaks (``\\f``).

    >>> remove_furniture("第一章 總則\\n本法適用於全國。\\n- 1 -\\n")
    '第一章 總則\\n本法適用於全國。\\n'
    """
    check_call("remove_furniture", text, config, FurnitureConfig)
    return furniture_explain(text, config).text


SPEC = register(
    StageSpec(
        NAME,
        FurnitureConfig,
        remove_furniture,
        furniture_explain,
        removes_text=True,
        summary="remove page numbers and running headers/footers",
    )
)
