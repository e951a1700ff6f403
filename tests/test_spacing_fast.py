"""spacing's two ways to find its edits: line by line (``_line_edits``, the definition) and over
the whole text at once (``_edits_whole``, taken where many lines have a space). They must give
the same edits, in the same order, on any input: ``_edits(text, cfg, 1)`` always goes line by
line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhclean.stages.join import join_lines
from zhclean.stages.spacing import SpacingConfig, _edits, _edits_whole, _line_at, spacing

CONFIGS = [
    SpacingConfig(),
    SpacingConfig(latin_space="keep"),
    SpacingConfig(latin_space="add"),
    SpacingConfig(short_line=8),
]
# What the rules look at: CJK text and punctuation, Latin words and digits, every kind of space
# (the ideographic space is CJK punctuation as well), leading labels, label lines, table cells,
# and every line end str.splitlines knows (``\r\n`` among them).
PIECE = st.sampled_from(
    list("改革引擎永州經開區的了，。、；：「」（）！？《》—…·")
    + list("abcXYZ019%.,;:!?()-")
    + [" ", "  ", "   ", "\t", "\u3000", "\u00a0", " \u3000 "]
    + ["\n", "\n", "\r\n", "\r", "\f", "\v", "\x1c", "\x85", "\u2028"]
    + ["第 7.9 条", "第三章", "2.2.3", "12", "图 2.1", "表 7.7", "李銀明 唐勇平 劉佳賓"]
    + ["這 場 改 革", "使用 Java 开发", "12.5 %", "Table 1"]
    # table cells: a cell gap between CJK and Latin stays (two spaces)
    + ["利润表", "2024E", "-283", "不允许为 null", "  营业成本", "null  不允许"]
    # rows of figures: their single spaces stay
    + ["4,755.11", "-16.55%", "5.77", " 1.3 2.4 "]
)
TEXT = st.lists(PIECE, max_size=60).map("".join)


@settings(max_examples=600, deadline=None)
@given(TEXT, st.sampled_from(CONFIGS))
def test_whole_text_edits_are_the_line_edits(text: str, cfg: SpacingConfig) -> None:
    assert _edits_whole(text, cfg) == _edits(text, cfg, 1) == _edits(text, cfg)


@settings(max_examples=600, deadline=None)
@given(TEXT, st.sampled_from(CONFIGS))
def test_spacing_is_idempotent_on_cells_and_labels(text: str, cfg: SpacingConfig) -> None:
    # a cell gap stays two spaces and a leading number's heading is measured without its
    # spaces, so that a second run decides as the first did
    once = spacing(text, cfg)
    assert spacing(once, cfg) == once


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.sampled_from(CONFIGS))
def test_whole_text_edits_are_the_line_edits_on_any_string(text: str, cfg: SpacingConfig) -> None:
    assert _edits_whole(text, cfg) == _edits(text, cfg, 1)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.data())
def test_line_at_finds_the_line_splitlines_gives(text: str, data: st.DataObject) -> None:
    if not text:
        return
    p = data.draw(st.integers(0, len(text) - 1))
    if text[p] == "\n":
        return  # (never asked: it is the end of a line, or the second half of one)
    start = 0
    for line in text.splitlines(keepends=True):
        if start + len(line) > p:
            break
        start += len(line)
    want = (start, start + len(line.rstrip("\r\n")), start + len(line))
    got = _line_at(text, p)
    assert got[:2] == want[:2]
    # the next line, or past it if it is a newline alone (after a line end other than a
    # newline), or past the end of the text
    assert got[2] == want[2] or (got[2] == want[2] + 1 and text[want[2] : got[2]] in ("\n", ""))


@pytest.mark.parametrize("cfg", CONFIGS[:3], ids=["remove", "keep", "add"])
def test_whole_text_edits_are_the_line_edits_on_real_extractions(
    shared: Path, cfg: SpacingConfig
) -> None:
    files = sorted((shared / "realpdf" / "extracted").glob("*.txt"))
    files.append(shared / "seed" / "yongzhou-newspaper.txt")
    texts = [f.read_text(encoding="utf-8") for f in files if f.is_file()]
    assert texts
    differ = [
        k
        for k, text in enumerate(texts)
        for t in (text, join_lines(text))
        if _edits_whole(t, cfg) != _edits(t, cfg, 1)
    ]
    assert differ == []
