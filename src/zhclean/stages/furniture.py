"""Remove page furniture: page-number lines and running headers/footers repeated on every page.

Pages are separated by form feeds (``\\f``), as pdftotext, pdfminer and most extractors write
them. Only lines at the top or bottom of a page (the first and last two text lines) are
candidates, so a number in a table or a formula is never taken for a page number:

* a page-number line: ``12``, ``- 12 -``, ``— 12 —``, ``第 12 頁``, ``第12页 共40页``,
  ``Page 12 of 40``, ``12/40``;
* a running header or footer: the same line (digits aside) at the top or bottom of at least
  half the pages (and of two pages at least), with some letters in it (``}`` or ``金`` repeated
  at a page edge by chance is content, not furniture).

>>> remove_furniture("正文第一段。\\n— 3 —\\n\\f正文第二段。\\n第 4 頁\\n")
'正文第一段。\\n\\x0c正文第二段。\\n'
>>> remove_furniture("第一行\\n第二行\\n公式\\n3\\n推導如下\\n第五行\\n第六行\\n")
'第一行\\n第二行\\n公式\\n3\\n推導如下\\n第五行\\n第六行\\n'
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate

from .base import Change, Explained, StageSpec, apply_changes, register

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


def _pages(text: str, reach: int) -> list[list[_Line]]:
    """The text lines of each page (pages split at ``\\f``, lines at ``\\n``); blank lines are
    left out: they are never furniture and never count as a page's edge. Of a long page only
    the ``reach`` text lines at either end are kept: no other line can become furniture (a
    Python object per line of a long page was nearly all the stage's time)."""
    pages: list[list[_Line]] = []
    pos = 0
    for page in text.split("\f"):
        rows = page.split("\n")
        last = len(rows) - 1
        starts = list(accumulate([len(row) + 1 for row in rows], initial=pos))
        pages.append(
            [
                _Line(starts[k], starts[k] + len(rows[k]) + (k < last), rows[k].rstrip("\r"))
                for k in _edge_rows(rows, reach)
            ]
        )
        pos += len(page) + 1
    return pages


def _edge_rows(rows: list[str], reach: int) -> list[int]:
    """The indices of the non-blank ``rows``: all of them, or the first and the last ``reach``."""
    head: list[int] = []
    for k, row in enumerate(rows):
        if row.strip():
            head.append(k)
            if len(head) == reach:
                break
    else:
        return head  # fewer than `reach`: all of them
    tail: list[int] = []
    for k in range(len(rows) - 1, head[-1], -1):  # (all of those after the head, if fewer)
        if rows[k].strip():
            tail.append(k)
            if len(tail) == reach:
                break
    return head + tail[::-1]


def _edges(page: list[_Line], n: int) -> list[_Line]:
    return page if len(page) <= 2 * n else page[:n] + page[-n:]


def _key(line: str) -> str:
    """What repeats from page to page: digits aside, and a page number at either end aside
    (``2 / 4 请务必阅读…`` on page 2 is the footer ``请务必阅读…`` of page 1)."""
    key = _DIGITS.sub("#", re.sub(r"\s+", "", line))
    return _EDGE_NUMBER.sub("", key) or key


def _detect(pages: list[list[_Line]], config: FurnitureConfig) -> dict[int, tuple[_Line, str]]:
    """The furniture lines of ``pages`` (lines already removed are left out of them)."""
    n_pages = sum(1 for p in pages if p)
    edge = config.edge if n_pages >= 3 else 1
    found: dict[int, tuple[_Line, str]] = {}
    if config.running and n_pages >= 2:
        counts: Counter[str] = Counter()
        for page in pages:
            counts.update({_key(ln.body) for ln in _edges(page, edge)})
        need = max(2.0, config.min_share * n_pages)
        for page in pages:
            for ln in _edges(page, edge):
                wordy = len(_WORDY.findall(ln.body)) >= 2 and not _SENTENCE.search(ln.body)
                if wordy and len(ln.body.strip()) <= 60 and counts[_key(ln.body)] >= need:
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
    return _explain(text, config, _reach(config, text))


def _reach(config: FurnitureConfig, text: str) -> int:
    """How many text lines from a page's edge can be furniture. Each look removes at most
    2 * edge + 2 lines of a page (headers and footers, two page numbers) and reads at most
    edge + 2 lines in from what is left. (With edge < 1 _edges takes whole pages.)"""
    edge = max(config.edge, 1)
    return _LOOKS * (2 * edge + 2) + edge + 2 if config.edge >= 1 else len(text) + 1


def _explain(text: str, config: FurnitureConfig, reach: int) -> Explained:
    pages = _pages(text, reach)
    remove: dict[int, tuple[_Line, str]] = {}
    # Removing a header can bring another repeated line to a page edge: look again until nothing
    # new is found, so that the stage is idempotent.
    for _ in range(_LOOKS):
        live = [[ln for ln in page if ln.start not in remove] for page in pages]
        new = _detect(live, config)
        if not new:
            break
        remove.update(new)
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
