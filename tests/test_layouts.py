"""Layout golden files: short excerpts of real extractor output, and the text a careful reader
marks from them, checked by hand line by line (tests/golden/<layout>.<extractor>.txt beside
<layout>.<extractor>.expected.txt). Each compares the whole ``zhclean clean`` output.

The excerpts (a page or less each) come from /work/shared/realpdf extractions of third-party
documents, kept here for research use as test inputs only:

* two-columns.pdfminer: a broker note's first page, a narrow side column (a numbered reading
  list wrapped at ~17 characters) beside the main column (~38 characters, bulleted paragraphs);
* numbered-clauses.pdftotext: a Taiwanese curriculum (Traditional), a paragraph across a page
  break and its page number, a heading, numbered objectives 一、… 六、, a line starting with ``，``;
* running-headers.pymupdf: a quarterly report, two pages with the running header and page
  number on top, numbered sections, a wrapped numbered heading, table rows;
* captions.pdftotext: a thesis page with a chart (axis labels, legend, data source, the caption
  ``图 2.1`` split from its title), section headings and body paragraphs;
* clauses.pdfminer: a provincial land-use standard, clauses ``第 7.9 条`` … with blank lines
  between all wrapped lines, table cells and the page number.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zhclean import clean, dedupe, normalize
from zhclean.stages.furniture import furniture_explain

GOLDEN = Path(__file__).resolve().parent / "golden"
LAYOUTS = sorted(p for p in GOLDEN.glob("*.txt") if not p.name.endswith(".expected.txt"))


def _expected(path: Path) -> Path:
    return path.with_name(path.name[: -len(".txt")] + ".expected.txt")


def test_there_are_five_layouts() -> None:
    assert len(LAYOUTS) >= 5
    assert all(_expected(p).exists() for p in LAYOUTS)


@pytest.mark.parametrize("path", LAYOUTS, ids=lambda p: p.stem)
def test_layout_golden(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert clean(text) == _expected(path).read_text(encoding="utf-8")


@pytest.mark.parametrize("path", LAYOUTS, ids=lambda p: p.stem)
def test_layout_keeps_every_character_but_furniture(path: Path) -> None:
    """Only the page furniture that --explain lists is gone; nothing else is lost or added."""
    text = dedupe(normalize(path.read_text(encoding="utf-8")))
    removed = furniture_explain(text)
    kept = "".join(removed.text.split())
    assert "".join(clean(text).split()) == kept


@pytest.mark.parametrize("path", LAYOUTS, ids=lambda p: p.stem)
def test_layout_output_is_stable(path: Path) -> None:
    once = clean(path.read_text(encoding="utf-8"))
    assert clean(once) == once
