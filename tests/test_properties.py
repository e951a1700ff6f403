"""Invariants of every stage, stated with hypothesis."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from zhclean.stages import ORDER, get_stage

# Text that looks like extractor output: CJK, punctuation, ASCII, spaces, newlines, form feeds.
ALPHABET = st.sampled_from(
    list("改革引擎賦能產業騰飛天看謝研究哈的了是，。、「」（）！？…—")
    + list("ab09 .-\n\n\f\u3000")
    + ["⾏", "豈", "２", "\u200b"]
)
TEXT = st.text(ALPHABET, max_size=200) | st.text(max_size=100)

CLEANING = [n for n in ORDER if n not in ("convert", "segment")]


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_no_stage_crashes_and_each_is_idempotent(text: str) -> None:
    for name in CLEANING:
        spec = get_stage(name)
        cfg = spec.config_type()
        once = spec.run(text, cfg)
        assert isinstance(once, str)
        assert spec.run(once, cfg) == once, name
