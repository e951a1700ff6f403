"""dedupe's later sweeps look only at windows around what the sweep before changed; the windows
are found by walking the text with str.find/rfind instead of listing every line's start. They
must be exactly the windows that list gives."""

from __future__ import annotations

import bisect
import re
from itertools import accumulate

from hypothesis import given, settings
from hypothesis import strategies as st

from zhclean.stages.dedupe import _SPACE, _windows, dedupe


def windows_by_line_starts(text: str, hot_pos: list[int], reach: int) -> list[tuple[int, int]]:
    """The reference: the start of every "\\n"-separated line, looked up with bisect."""
    starts = list(accumulate(map((1).__add__, map(len, text.split("\n"))), initial=0))[:-1]
    windows: list[tuple[int, int]] = []
    last = -1
    for p in hot_pos:
        li = bisect.bisect_right(starts, p) - 1
        if li == last:
            continue
        last = li
        a = starts[max(0, li - reach)]
        z = starts[li + reach + 1] if li + reach + 1 < len(starts) else len(text)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], z))
        else:
            windows.append((a, z))
    return windows


# Short and blank lines, \r\n and \f (which are not "\n" line breaks here), long texts.
PIECE = st.sampled_from(["a", "改", "\n", "\n", "\n\n", "\r\n", "\f", " "])
TEXT = st.lists(PIECE, max_size=300).map("".join)


@st.composite
def text_and_hot(draw: st.DrawFn) -> tuple[str, list[int]]:
    text = draw(TEXT)
    hot = draw(st.lists(st.integers(0, len(text)), max_size=30))
    return text, sorted(hot)


@settings(max_examples=500, deadline=None)
@given(text_and_hot(), st.integers(0, 8))
def test_windows_are_those_of_the_line_starts(case: tuple[str, list[int]], reach: int) -> None:
    text, hot = case
    assert _windows(text, hot, reach) == windows_by_line_starts(text, hot, reach)


def test_windows_of_every_line() -> None:
    # Every line hot (a page drawn twice throughout): one window, and linear work.
    text = "改革改革\n" * 2000
    hot = list(range(0, len(text), 5))
    assert _windows(text, hot, 20) == [(0, len(text))] == windows_by_line_starts(text, hot, 20)


def test_space_class_is_str_isspace() -> None:
    # dedupe spells out the whitespace class (faster than `\s` in its scans); it must be exactly
    # the characters `\s` and str.isspace() accept.
    spaces = {c for c in map(chr, range(0x110000)) if c.isspace()}
    assert set(re.findall(rf"[{_SPACE}]", "".join(map(chr, range(0x110000))))) == spaces
    assert {c for c in spaces if re.match(r"\s", c)} == spaces


# _pass sends a line to the unit analysis only if _SUSPECT sees a unit doubled as a whole or a
# doubled mark on it, or one of the cases its regex does not test; these are those cases, each
# on a second line (the first line of a text is always analysed).
STRETCH = "".join(chr(0x4E00 + 7 * i) for i in range(70))  # 70 different Han characters


def test_a_long_stretch_drawn_twice_is_undone_beside_a_legitimate_repeat() -> None:
    # 70 characters drawn twice: longer than _SUSPECT's test of a doubled stretch.
    assert len(STRETCH) > 64
    text = f"標題\n看看書 {STRETCH * 2}"
    assert dedupe(text) == f"標題\n看看書 {STRETCH}"


def test_marks_written_in_pairs_drawn_twice_are_undone_beside_a_legitimate_repeat() -> None:
    assert dedupe("標題\n……——…… 看看書") == "標題\n…—… 看看書"


def test_a_line_with_only_legitimate_repeats_is_left_alone() -> None:
    text = "標題\n我們天天看看書，研究研究問題。"
    assert dedupe(text) == text
