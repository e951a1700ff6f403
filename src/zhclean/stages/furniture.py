"""Remove page furniture: page-number lines and running headers/footers repeated on every page.

>>> remove_furniture("正文第一段。\\n— 3 —\\n\\f正文第二段。\\n第 4 頁\\n")
'正文第一段。\\n\\x0c正文第二段。\\n'
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .base import Change, Explained, StageSpec, apply_changes, register

NAME = "furniture"


@dataclass(frozen=True)
class FurnitureConfig:
    """Settings of the ``furniture`` stage.

    page_numbers: drop lines that are only a page number (``12``, ``- 12 -``, ``第 12 頁``,
        ``Page 12 of 40``).
    running: drop lines repeated at the top or bottom of at least ``min_pages`` pages.
    """

    page_numbers: bool = True
    running: bool = True
    min_pages: int = 3


DEFAULT = FurnitureConfig()

_PAGE_NO = re.compile(
    r"^[ \t\u3000]*(?:[-—–－~]?[ \t]*\d{1,4}[ \t]*[-—–－~]?|第[ \t]*\d{1,4}[ \t]*[頁页]"
    r"(?:[ \t]*[,，/][ \t]*共[ \t]*\d{1,4}[ \t]*[頁页])?"
    r"|[Pp]age[ \t]+\d{1,4}(?:[ \t]+of[ \t]+\d{1,4})?"
    r"|\d{1,4}[ \t]*/[ \t]*\d{1,4})[ \t]*$"
)
_DIGITS = re.compile(r"\d+")


def _edge_lines(page: list[tuple[int, str]], n: int = 2) -> list[tuple[int, str]]:
    body = [(pos, s) for pos, s in page if s.strip()]
    return body[:n] + body[-n:] if len(body) > 2 * n else body


def furniture_explain(text: str, config: FurnitureConfig = DEFAULT) -> Explained:
    """Like :func:`remove_furniture`, and report each removed line."""
    pages: list[list[tuple[int, str]]] = [[]]
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        while body.startswith("\f"):
            pages.append([])
            body = body[1:]
            pos += 1
        pages[-1].append((pos, line[len(line) - len(line.lstrip("\f")) :]))
        pos += len(line) - (len(line) - len(line.lstrip("\f")))
    remove: dict[int, tuple[str, str]] = {}
    if config.page_numbers:
        for page in pages:
            for p, s in page:
                if _PAGE_NO.match(s.rstrip("\r\n\f")):
                    remove[p] = (s, "page number")
    if config.running and len(pages) >= config.min_pages:
        counts: Counter[str] = Counter()
        for page in pages:
            seen = {_DIGITS.sub("#", s.strip()) for _, s in _edge_lines(page)}
            counts.update(seen)
        for page in pages:
            for p, s in _edge_lines(page):
                key = _DIGITS.sub("#", s.strip())
                if key and counts[key] >= config.min_pages and p not in remove:
                    remove[p] = (s, "running header/footer")
    changes = []
    for p in sorted(remove):
        s, why = remove[p]
        line = s.rstrip("\f")
        end = p + len(line)
        changes.append(Change(NAME, why, p, end, text[p:end], ""))
    return Explained(apply_changes(text, changes), tuple(changes))


def remove_furniture(text: str, config: FurnitureConfig = DEFAULT) -> str:
    """Drop page numbers and running headers/footers; keep the page breaks (``\\f``)."""
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
