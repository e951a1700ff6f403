"""dedupe on the real extractions in ../shared/realpdf (skipped when ../shared is absent).

The short snippets live in tests/cases/dedupe.realpdf.json; these tests run whole files, so
that the context a decision depends on is the real one.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from zhclean.stages.dedupe import dedupe, dedupe_explain

EXTRACTORS = ("pdfminer", "pdftotext", "pymupdf", "pypdf", "pypdfium2")


def _read(shared: Path, name: str) -> str:
    return (shared / "realpdf" / "extracted" / f"{name}.txt").read_text(encoding="utf-8")


def _content(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# The anli cover is overprinted four times; each extractor breaks it differently.
ANLI = {
    "pdfminer": [
        "安徽安利合成革股份有限公司",
        "ANHUI ANLI ARTIFICIAL LEATHER CO.,LTD.",
        "2011 年年度报告",
        "股票代码：300218",
        "股票简称：安利股份",
        "2012 年 3 月 27 日",  # pdfminer put the date before its label
        "披露日期：2012",
    ],
    "pdftotext": [
        "安徽安利合成革股份有限公司",
        "ANHUI ANLI ARTIFICIAL LEATHER CO.,LTD.",
        "2011 年年度报告",
        "股票代码：300218",
        "股票简称：安利股份",
        "披露日期：2012 年 3 月 27 日",
    ],
    "pymupdf": [
        "安徽安利合成革股份有限公司",
        "ANHUI ANLI ARTIFICIAL LEATHER CO.,LTD.",
        "2011 年年度报告",
        "股票代码：300218",
        "股票简称：安利股份",
        "披露日期：2012",
        "2012 年3 月27",  # one copy of 2012 and of 27 is merged into the next span's line
        "27 日",
    ],
    "pypdf": [
        "安徽安利合成革股份有限公司",
        "ANHUI ANLI ARTIFICIAL LEATHER CO.,LTD.",
        "2011 年年度报告",
        "股票代码：300218",
        "股票简称：安利股份",
        "披露日期：2012 年 3 月 27 日",
    ],
}
ANLI["pypdfium2"] = ANLI["pypdf"]


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_anli_cover_overprinted_four_times(shared: Path, extractor: str) -> None:
    text = _read(shared, f"anli-annual-report-cover.{extractor}")
    out = dedupe(text)
    assert _content(out) == ANLI[extractor]
    assert out.count("\f") == text.count("\f")


@pytest.mark.parametrize("extractor", ["pdfminer", "pypdf"])
def test_resume_bold_lines_emitted_twice(shared: Path, extractor: str) -> None:
    text = _read(shared, f"resume-duplicate-chars.{extractor}")
    lines = _content(dedupe(text))
    doubled = [a for a, b in pairwise(lines) if a == b]
    # 读写能力 / 听说能力 are two different languages' rows in pdfminer's order; nothing else.
    assert set(doubled) <= {"听说能力"}
    for word in ("测试", "研发", "教育经历", "培训经历", "专业技能"):
        assert word in lines
    assert not any(line in ("测试测试", "研发研发", "教育经历教育经历") for line in lines)
    joined = "\n".join(lines)
    assert "嘻嘻嘻嘻嘻嘻" in joined  # the author's laughter stays
    assert "项目经验项目经验项目经验" in joined  # a placeholder, wrapped once, stays


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_legitimate_repeats_in_real_files_are_kept(shared: Path, extractor: str) -> None:
    for name, needle in (
        ("journal-article-digital", "哔哩哔哩"),
        ("ntu-thesis-template", "中文摘要中文摘要中文摘要"),
        ("bond-prospectus-page", "稳定"),
        ("nee-quarterly-report-wps", "股份种类"),
    ):
        text = _read(shared, f"{name}.{extractor}")
        assert dedupe(text).count(needle) == text.count(needle), name


def test_files_without_overprint_come_back_unchanged(shared: Path) -> None:
    touched = {
        "anli-annual-report-cover",
        "resume-duplicate-chars.pdfminer",
        "resume-duplicate-chars.pypdf",
        "tw-curriculum-tech.pymupdf",  # one PyMuPDF duplicate line: `，了解並關心` twice
        "journal-article-digital.pdfminer",  # a full stop drawn twice: 作者。 / 。
    }
    checked = 0
    for path in sorted((shared / "realpdf" / "extracted").glob("*.txt")):
        stem = path.name[: -len(".txt")]
        if stem in touched or stem.split(".")[0] in touched:
            continue
        text = path.read_text(encoding="utf-8")
        result = dedupe_explain(text)
        assert result.changes == (), (stem, result.changes[:3])
        checked += 1
    assert checked >= 70


def test_tw_curriculum_pymupdf_duplicate_fragment(shared: Path) -> None:
    text = _read(shared, "tw-curriculum-tech.pymupdf")
    result = dedupe_explain(text)
    # six ends of lines drawn again on a line of their own, a full stop drawn twice across a
    # line break, and a clause fragment drawn twice
    assert [(c.rule, c.before) for c in result.changes] == [
        ("line", "明與學習活動設計應配合學生的日常生活與學習經驗，並兼具趣味性\n"),
        ("line", "宜重視性別平衡及尊重人權的理念，並避免有違國情\n"),
        ("line", "懂，針對必要的科技領域專業用語，應提供\n"),
        ("line", "，以激發學生學習演算法\n"),
        ("line", "繫，促進\n"),
        ("line", "活、富創意、情境化\n"),
        ("punct", "。 \n"),
        ("line", "，了解並關心\n"),
    ]
