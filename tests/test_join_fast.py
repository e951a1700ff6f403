"""join's fast path (``join_lines``: every break decided at once, the looks after the first on
lists of paragraphs) against its rule-by-rule path (``join_explain``: one break at a time, with
the reason), which is the reference: they must give the same text on any input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from zhclean.stages.base import apply_changes
from zhclean.stages.join import (
    JoinConfig,
    Words,
    _assemble,
    _decide_all,
    _glue,
    _Layout,
    _next_lines,
    _para_tail,
    _paragraph_lines,
    _parse,
    _tail,
    _window_max,
    join_explain,
    join_lines,
)

# Extractor-like text (as in test_join.py), plus what the rules for verse, captions, sections,
# open brackets and wrapped prose look at: short lines ending with punctuation, numbers, dots.
LINE = st.lists(
    st.sampled_from(
        list("改革引擎賦能產業騰飛永州經開區的了是，。、；：「」（）！？…—《》")
        + list("一二三第條章圖表图0123456789abcxyzAF.-•() ")
        + ["  ", "\u3000", "\t", "tech-", "nology", "well-", "Table 1", "1.2.3 ", "（一）"]
        + ["床前明月光，", "疑是地上霜。", "改革促強身", "發展聚主業。」", "e.g. ", "ß"]
    ),
    max_size=30,
).map("".join)
PAGE = st.lists(
    st.one_of(LINE, st.sampled_from(["", "\f", "— 3 —", "a new tech-", "nology works.", "end. x"])),
    max_size=40,
).map("\n".join)
CONFIGS = [
    JoinConfig(),
    JoinConfig(blank_lines=True),
    JoinConfig(tolerance=0.5, window=2),
    JoinConfig(window=0, max_column=12.0),
]


@settings(max_examples=400, deadline=None)
@given(PAGE, st.sampled_from(CONFIGS))
def test_fast_path_gives_the_explained_text(text: str, cfg: JoinConfig) -> None:
    assert join_lines(text, cfg) == join_explain(text, cfg).text


def _real_texts(shared: Path) -> list[tuple[str, str]]:
    files = sorted((shared / "realpdf" / "extracted").glob("*.txt"))
    files.append(shared / "seed" / "yongzhou-newspaper.txt")
    return [(f.name, f.read_text(encoding="utf-8")) for f in files if f.is_file()]


@pytest.mark.parametrize("cfg", CONFIGS[:2], ids=["default", "blank-lines"])
def test_fast_path_gives_the_explained_text_on_real_extractions(
    shared: Path, cfg: JoinConfig
) -> None:
    texts = _real_texts(shared)
    assert texts
    differ = [name for name, text in texts if join_lines(text, cfg) != join_explain(text, cfg).text]
    assert differ == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0.25, 200.0), max_size=60), st.integers(0, 70))
def test_window_max_is_the_max_of_the_window(xs: list[float], win: int) -> None:
    want = [max(xs[max(0, i - win) : i + win + 1]) for i in range(len(xs))]
    assert _window_max(xs, win) == want


@settings(max_examples=300, deadline=None)
@given(PAGE, st.booleans())
def test_paragraph_lines_are_what_parsing_the_joined_text_gives(text: str, blank: bool) -> None:
    """The looks after the first skip parsing: their lines must be those _parse would find."""
    out = join_lines(text, JoinConfig(blank_lines=blank))
    if not out:
        return
    joiner = "\n\n" if blank else "\n"
    paras = out[:-1].split(joiner)
    assert _paragraph_lines(paras, blank) == _parse(out, offsets=False)


@settings(max_examples=300, deadline=None)
@given(PAGE, st.sampled_from(CONFIGS))
def test_next_look_lines_are_derived_exactly(text: str, cfg: JoinConfig) -> None:
    """The lines of the look after the first are derived from the first look (widths summed,
    sentence punctuation carried over): they must be what measuring the paragraphs gives."""
    lines = _parse(text, offsets=False)
    if not lines.texts:
        return
    joiner = "\n\n" if cfg.blank_lines else "\n"
    lay = _Layout(lines, cfg)
    joined = _decide_all(lay)
    body, glued = _assemble(lay, joined, joiner)
    derived = _next_lines(lay, joined, glued, body, joiner)
    measured = _paragraph_lines(body.split(joiner), cfg.blank_lines)
    fresh = _Layout(measured, cfg)
    assert derived.sp == fresh.sp
    # the marks of the lines the look left as they were are taken from it (when it joined few)
    assert _Layout(derived, cfg).marks == fresh.marks
    derived.sp = None
    assert derived.spaced or not measured.spaced  # derived: "may hold", from the text before
    measured.spaced = derived.spaced
    assert derived.digit_gap or not measured.digit_gap  # "may hold" too (spaced implies it)
    measured.digit_gap = derived.digit_gap
    assert derived == measured


# Short lines, some ending with an ASCII letter or hyphen (where _glue acts), most not.
GLUED = st.lists(
    st.sampled_from(["改革", "引擎。", "x改革", "a", "tech-", "nology", "well-"]),
    min_size=1,
    max_size=24,
)


@settings(max_examples=600, deadline=None)
@given(GLUED, st.integers(0, 30), st.integers(0, 30))
# the line before the eight parts ends with a letter and the first part starts with one
@example(["a", "a", "a", "x改革", *["改革"] * 7], 10, 0)
def test_para_tail_is_the_tail_of_the_paragraph_built_line_by_line(
    texts: list[str], last: int, first: int
) -> None:
    """The walk of join_lines takes a paragraph's tail from its lines (a shortcut where no line
    ends with an ASCII character); join_explain builds it part by part, gluing as it goes."""
    i = min(last, len(texts) - 1)
    start = min(first, i)
    words = Words(texts)
    parts = [texts[start]]
    for k in range(start, i):
        between, drop = _glue(parts[-1], texts[k + 1], words)
        if drop:
            parts[-1] = parts[-1][: -len(drop)]
        parts.append(between + texts[k + 1] if between else texts[k + 1])
    assert _para_tail(texts, start, i, words) == _tail(parts)


def _replays(text: str, cfg: JoinConfig) -> bool:
    """The explained changes, offsets into the input, replayed on it give the output; each
    change's ``before`` is what the input holds there."""
    r = join_explain(text, cfg)
    ok = all(text[c.start : c.end] == c.before for c in r.changes)
    return ok and apply_changes(text, r.changes) == r.text


@settings(max_examples=300, deadline=None)
@given(PAGE, st.sampled_from(CONFIGS))
def test_explain_replays_to_the_output(text: str, cfg: JoinConfig) -> None:
    assert _replays(text, cfg)


def test_explain_replays_to_the_output_on_real_extractions(shared: Path) -> None:
    # later looks join a few more breaks (178 over these files): their changes are mapped back
    # into the input, in place of the first look's; the space around the text is reported too
    texts = _real_texts(shared)
    assert [name for name, text in texts if not _replays(text, JoinConfig())] == []
    assert any(
        c.rule.startswith("second look") for _, text in texts for c in join_explain(text).changes
    )
