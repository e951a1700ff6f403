"""Properties of the dedupe stage (hypothesis) and its explain report."""

from __future__ import annotations

import pickle

from hypothesis import example, given, settings
from hypothesis import strategies as st

from zhclean.stages.base import apply_changes
from zhclean.stages.dedupe import DedupeConfig, dedupe, dedupe_explain

# Ideographs that are not onomatopoeia (哈, 嘻 never count as evidence), plus punctuation,
# digits, Latin, spaces and line breaks as extractors emit them.
HAN = list("改革引擎賦能產業騰飛永州經開區園核心片現場字节跳动发布新品天看谢研究的了是在")
PUNCT = list("，。、：；「」（）！？…—")
ALPHABET = st.sampled_from([*HAN, *PUNCT, *"ab09 .-", " ", "\n", "\n", "\f", "\u3000"])
TEXT = st.text(ALPHABET, max_size=160) | st.text(max_size=80)


def is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(c in it for c in small)


def square_free(chars: list[str]) -> str:
    """Drop every character that would end a repeat ``XX`` (of any length): text with no
    doubling of any kind, not even 天天, and no line repeating a neighbour's start or end."""
    out = ""
    for c in chars:
        cand = out + c
        if any(cand[-2 * n : -n] == cand[-n:] for n in range(1, len(cand) // 2 + 1)):
            continue
        lines = cand.split("\n")
        if len(lines) >= 2:
            a, b = lines[-2].strip(), lines[-1].strip()
            if a and b and (a.startswith(b) or a.endswith(b) or b.startswith(a) or b.endswith(a)):
                continue
        out = cand
    return out


@settings(max_examples=300, deadline=None)
@given(TEXT)
@example("改革改革「「引擎引擎」」\n\n天天")
@example("2011\n2011\n2011 年年度报告\n年年度报告\n")
def test_output_is_a_subsequence_and_idempotent(text: str) -> None:
    once = dedupe(text)
    assert is_subsequence(once, text)
    assert dedupe(once) == once


def _doubled(text: str, how: int) -> str:
    """Inject doubling into ``text`` the way one of the producers does."""
    if how == 0:
        return "".join(c if c.isspace() else c * 2 for c in text)
    if how == 1:
        return "\n".join(line + line for line in text.split("\n"))
    if how == 2:
        return "\n".join(f"{line}\n{line}" for line in text.split("\n"))
    return "".join(c if c.isspace() else c * 3 for c in text)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(0, 3))
def test_doubled_text_stays_a_subsequence_and_is_idempotent(text: str, how: int) -> None:
    doubled = _doubled(text, how)
    once = dedupe(doubled)
    assert is_subsequence(once, doubled)
    assert dedupe(once) == once


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=200))
def test_text_without_doubling_comes_back_unchanged(chars: list[str]) -> None:
    text = square_free(chars)
    assert dedupe(text) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(HAN), min_size=4, max_size=40), st.integers(2, 4))
def test_doubled_han_runs_are_undone_exactly(chars: list[str], k: int) -> None:
    word = square_free(chars)
    if len(word) < 4:
        return
    assert dedupe(word * k) == word  # run level: 改革改革
    assert dedupe("".join(c * k for c in word)) == word  # glyph level: 改改革革
    assert dedupe(f"「{word * k}」，" + "這是正文。") == f"「{word}」，這是正文。"


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(0, 4))
def test_explain_replays_to_the_output(text: str, how: int) -> None:
    if how < 4:
        text = _doubled(text, how)
    result = dedupe_explain(text)
    assert result.text == dedupe(text)
    assert apply_changes(text, result.changes) == result.text
    last_end = -1
    for ch in result.changes:
        assert ch.stage == "dedupe"
        assert ch.rule in {"run", "glyph", "punct", "segment", "line"}
        assert ch.after == ""
        assert text[ch.start : ch.end] == ch.before
        assert ch.start >= last_end
        last_end = ch.end


def test_explain_names_the_pattern_and_place() -> None:
    result = dedupe_explain("改革改革「「引擎引擎」」\n股份\n" + "安利股份\n" * 3)
    rules = [(c.rule, c.start, c.before) for c in result.changes]
    assert rules == [
        ("run", 2, "改革"),
        ("punct", 5, "「"),
        ("run", 8, "引擎"),
        ("punct", 11, "」"),
        ("line", 21, "安利股份\n安利股份\n"),
    ]


def test_config_pickles_and_max_copies_bounds_the_copies() -> None:
    cfg = DedupeConfig(max_copies=2)
    assert pickle.loads(pickle.dumps(cfg)) == cfg
    assert dedupe("改革改革改革", cfg) == "改革改革改革"  # three copies: more than allowed
    assert dedupe("改革改革改革") == "改革"


def test_line_copies_can_be_turned_off() -> None:
    text = "本科\n本科\n高中\n高中\n微软\n微软\n项目描述：\n项目描述："
    assert dedupe(text, DedupeConfig(line_copies=False)) == text
    assert dedupe(text) == "本科\n高中\n微软\n项目描述："


def test_pathological_inputs_are_linear() -> None:
    # Correctness on large periodic input (the timing is in benchmarks/bench_dedupe.py):
    # runs repeated more than max_copies times are language, not rendering.
    assert dedupe("改" * 100_000) == "改" * 100_000
    assert dedupe("改革引擎，" * 20_000) == "改革引擎，" * 20_000
    assert dedupe("改革改革，，" * 20_000) == "改革，" * 20_000


def test_seed_page_only_its_doubled_lines_change() -> None:
    from .conftest import SAMPLES

    text = (SAMPLES / "yongzhou-newspaper.txt").read_text(encoding="utf-8")
    out = dedupe(text)
    before, after = text.splitlines(), out.splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    # The headline and the six caption lines at the foot of the page, nothing else.
    assert len(changed) == 7
    for a, b in changed:
        assert len(a) > len(b)
        assert dedupe(b) == b
    assert after[0].strip() == "改革「引擎」賦能產業騰飛"
    assert "園區企業生產現場。" in after
