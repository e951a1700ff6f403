"""Segmentation: engines, modes, formats, Traditional text via a Simplified copy, invariants."""

from __future__ import annotations

import itertools
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zhclean import Pipeline
from zhclean.cli import app
from zhclean.engines import jieba as engines
from zhclean.stages.segment import (
    SegmentConfig,
    is_traditional,
    segment,
    segment_lines,
    segment_text,
    simplified_copy,
)

runner = CliRunner()
ENGINES = ["jieba", *(["rjieba"] if engines.has_rjieba() else [])]

TRAD = "改革引擎賦能產業騰飛永州經開區獲得了涉企社會保障生態環保這場我們說國為會時發來對後"
SIMP = "改革引擎赋能产业腾飞永州经开区获得了涉企社会保障生态环保这场我们说国为会时发来对后"
PUNCT = "，。「」（）！？、"
# what a reader sees as one character or one word that the engines cut (see _glued)
CLUSTERS = ["👨\u200d👩\u200d👧", "👍🏽", "🇨🇳", "e\u0301", "café", "naïve", "\u200d", "\ufe0f"]
TEXT = st.text(
    st.sampled_from(list(TRAD + SIMP + PUNCT) + list("ab 09.-\t\u3000\n\r")), max_size=80
) | st.lists(st.sampled_from([*TRAD[:8], *SIMP[:8], "，", " ", "\n", *CLUSTERS]), max_size=30).map(
    "".join
)
NEWLINES_ONLY = st.text(st.sampled_from(list(TRAD + SIMP + PUNCT + "ab09.-\n")), max_size=80)
ANY = TEXT | NEWLINES_ONLY | st.text(max_size=60)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fmt", ["text", "jsonl"])
def test_emoji_sequences_flags_and_accented_words_stay_whole(engine: str, fmt: str) -> None:
    text = "家庭👨\u200d👩\u200d👧很好，café 和 e\u0301，👍🏽 🇨🇳🇯🇵 naïve"
    cfg = SegmentConfig(engine=engine, format=fmt)  # type: ignore[arg-type]
    words = [w for w, _, _, _ in segment_lines(text, cfg)[0]]
    for whole in ("👨\u200d👩\u200d👧", "café", "e\u0301", "👍🏽", "🇨🇳", "🇯🇵", "naïve"):
        assert whole in words, (whole, words)
    out = segment_text(text, cfg)
    assert "caf é" not in out and " \u200d" not in out and "🇨 🇳" not in out
    # a joiner after a space is glued to nothing: whitespace never enters a word (hypothesis)
    assert segment("0 \u200d", SegmentConfig(engine=engine)) == ["0", "\u200d"]


def _strip_ws(s: str) -> str:
    return "".join(s.split())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("direct", [False, True])
@settings(max_examples=80, deadline=None)
@given(text=ANY, delimiter=st.sampled_from([" ", "/", " | "]))
def test_tokens_concatenate_back_to_the_input_without_whitespace(
    engine: str, direct: bool, text: str, delimiter: str
) -> None:
    cfg = SegmentConfig(engine=engine, via_simplified=not direct, delimiter=delimiter)
    words = segment(text, cfg)
    assert all(w and not any(c.isspace() for c in w) for w in words)
    assert "".join(words) == _strip_ws(text)
    out = segment_text(text, cfg)
    assert out.count("\n") == text.count("\n")  # one output line per input line
    assume(delimiter == " " or delimiter.strip() not in text)
    lines = [line.split(delimiter) if line else [] for line in out.split("\n")]
    assert [w for row in lines for w in row] == words


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=60, deadline=None)
@given(text=ANY, mode=st.sampled_from(["accurate", "full", "search"]), pos=st.booleans())
def test_every_mode_and_format_keeps_lines_offsets_and_whitespace_rules(
    engine: str, text: str, mode: str, pos: bool
) -> None:
    pos = pos and mode == "accurate"
    cfg = SegmentConfig(engine=engine, mode=mode, pos=pos, format="jsonl")
    out = segment_text(text, cfg)
    assert out.count("\n") == text.count("\n")
    lines = text.split("\n")
    for line, row in zip(lines, out.split("\n"), strict=True):
        if not row:
            assert line is lines[-1] and not line.strip()  # after the final newline
            continue
        for tok in json.loads(row):
            assert line[tok["start"] : tok["end"]] == tok["word"]
            assert _strip_ws(tok["word"]) == tok["word"]
            assert (tok["tag"] is not None) == pos


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=80, deadline=None)
@given(text=st.text(st.sampled_from(list(TRAD + PUNCT + " a1\n")), max_size=80))
def test_traditional_cuts_equal_the_simplified_cuts_position_by_position(
    engine: str, text: str
) -> None:
    copy = simplified_copy(text)
    assert len(copy) == len(text)
    via = segment_lines(text, SegmentConfig(engine=engine))
    simp = segment_lines(copy, SegmentConfig(engine=engine, via_simplified=False))
    assert [[(s, e) for _, s, e, _ in row] for row in via] == [
        [(s, e) for _, s, e, _ in row] for row in simp
    ]


# Characters that stress the byte-level mapping of cuts: other planes (the separator's plane 16
# included, and the separator U+10FFFF itself), the unit whose hex starts a marker's pattern.
AWKWARD = "𠝹𡃁\U00100000\U0010fffd\U0010ffff\uffe0\uffff\x00\n \u3000"


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(st.sampled_from(list(TRAD + PUNCT + AWKWARD + "ab")), min_size=1, max_size=60),
    data=st.data(),
)
def test_cuts_map_back_onto_the_original_exactly(text: str, data: st.DataObject) -> None:
    from zhclean.stages.segment import _rejoin

    cuts = sorted(data.draw(st.sets(st.integers(1, len(text) - 1))) if len(text) > 1 else [])
    bounds = [0, *cuts, len(text)]
    pieces = [text[a:b] for a, b in itertools.pairwise(bounds)]
    copy = [p.translate({ord("產"): "产", ord("國"): "国"}) for p in pieces]  # same lengths
    got = _rejoin(text, copy)
    if any(ch >= "\U00100000" for ch in "".join(copy)):
        assert got is None  # the separator's plane: the caller maps word by word
    else:
        assert got == " ".join(pieces)
    assert _rejoin(text, [*copy, "多"]) is None  # words that do not add up
    assert _rejoin(text + "\udc80", [*copy, "x"]) is None  # lone surrogate


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=60, deadline=None)
@given(
    text=st.text(st.sampled_from([*TRAD[:12], *SIMP[:12], "\udc80", "\ud800", " ", "\n", "a"])),
    mode=st.sampled_from(["accurate", "full", "search"]),
    pos=st.booleans(),
)
def test_lone_surrogates_are_segmented_like_any_symbol(
    engine: str, text: str, mode: str, pos: bool
) -> None:
    # what a surrogateescape decoding leaves in a text; rjieba itself only takes UTF-8
    cfg = SegmentConfig(engine=engine, mode=mode, pos=pos and mode == "accurate")
    words = segment(text, cfg)
    if mode == "accurate":
        assert "".join(words) == _strip_ws(text)
    assert all(w in text for w in words)
    assert segment_text(text, cfg).count("\n") == text.count("\n")


def test_rare_whitespace_class_is_every_other_whitespace_character() -> None:
    from zhclean.stages.segment import _RARE_SPACE

    every = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    rare = {chr(c) for c in range(sys.maxunicode + 1) if _RARE_SPACE.match(chr(c))}
    assert rare == every - set("\n \t\u3000\r")


@pytest.mark.parametrize("engine", ENGINES)
def test_fast_text_output_equals_the_token_path(engine: str) -> None:
    texts = [
        "永州經開區\f獲得了 涉企\r\n\u3000\u3000社會保障𠝹\x0b生態\t環保\n\n這場 \n",
        # runs of whitespace as PDF extractions lay them out: indentation, columns, page breaks
        "   永州 經開區" + " " * 40 + "第 3 頁\n\f  \u2028 改革  引擎\t\t賦能 \u3000 \n  ",
        "  go  and   see   \n\n\n  我们  天天  看书  \r\n \r\n",
    ]
    for text in texts:
        for plane16 in ("", "\U00100000"):  # the separator's plane: mapped word by word instead
            for direct in (False, True):
                cfg = SegmentConfig(engine=engine, via_simplified=not direct)
                rows = segment_lines(text + plane16, cfg)
                want = "\n".join(" ".join(t[0] for t in r) for r in rows)
                assert segment_text(text + plane16, cfg) == want


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=60, deadline=None)
@given(
    text=TEXT | NEWLINES_ONLY,
    size=st.integers(1, 12),
    fmt=st.sampled_from(["text", "jsonl", "full", "search", "direct"]),
)
def test_text_cut_into_pieces_is_segmented_as_a_whole(
    engine: str, text: str, size: int, fmt: str
) -> None:
    """The engine gets a block a piece at a time (ending after a newline): the same output as
    the whole block at once, whether the block is Traditional or not (decided once)."""
    from zhclean.stages import segment as seg

    kw: dict[str, object] = {"engine": engine}
    if fmt in ("full", "search"):
        kw["mode"] = fmt
    elif fmt == "direct":
        kw["via_simplified"] = False
    elif fmt == "jsonl":
        kw["format"] = "jsonl"
    cfg = SegmentConfig(**kw)  # type: ignore[arg-type]
    whole = segment_text(text, cfg)
    assert len(text) < seg.PIECE  # (so `whole` was one piece)
    assert [b for _, b in seg._pieces(text, size)][-1:] == ([len(text)] if text else [])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(seg, "PIECE", size)
        assert segment_text(text, cfg) == whole


def test_traditional_is_segmented_via_simplified_by_default() -> None:
    assert segment("改革引擎賦能產業騰飛") == ["改革", "引擎", "賦能", "產業", "騰飛"]
    direct = segment("改革引擎賦能產業騰飛", SegmentConfig(via_simplified=False))
    assert direct != ["改革", "引擎", "賦能", "產業", "騰飛"]  # jieba does worse on it directly


def test_detection_is_per_block_and_cheap() -> None:
    assert is_traditional("他們說") and not is_traditional("他们说") and not is_traditional("")
    assert simplified_copy("他们说") == "他们说"  # no Traditional character: no conversion


def test_a_line_whose_copy_changes_length_is_segmented_directly(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from zhclean.engines import opencc as cc_engine

    class Stretch:
        def convert(self, text: str) -> str:
            return text.replace("產", "产产")  # as a phrase config would

    monkeypatch.setattr(cc_engine, "build", lambda config: Stretch())
    text = "賦能產業\n騰飛"
    assert simplified_copy(text) == "賦能產業\n騰飛"
    assert segment_text(text).count("\n") == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_modes(engine: str) -> None:
    text = "中華人民共和國萬歲"
    accurate = segment(text, SegmentConfig(engine=engine))
    search = segment(text, SegmentConfig(engine=engine, mode="search"))
    full = segment(text, SegmentConfig(engine=engine, mode="full"))
    assert accurate == ["中華人民共和國", "萬歲"]
    assert {"中華", "人民", "共和國", "中華人民共和國"} <= set(search)
    assert {"中華", "共和國", "中華人民共和國"} <= set(full)


@pytest.mark.parametrize("engine", ENGINES)
def test_hmm_switch(engine: str) -> None:
    with_hmm = segment("他来到了网易杭研大厦", SegmentConfig(engine=engine))
    without = segment("他来到了网易杭研大厦", SegmentConfig(engine=engine, hmm=False))
    assert "杭研" in with_hmm and "杭研" not in without


@pytest.mark.parametrize("engine", ENGINES)
def test_pos_tags_and_text_format(engine: str) -> None:
    cfg = SegmentConfig(engine=engine, pos=True, delimiter=" | ")
    assert segment_text("我來到北京", cfg) == "我/r | 來到/v | 北京/ns"


@pytest.mark.parametrize("engine", ENGINES)
def test_user_dictionaries_reach_both_engines(engine: str, tmp_path: Path) -> None:
    d = tmp_path / "user.dict"
    d.write_text("涉企社會保障 10 nz\n", encoding="utf-8")
    plain = segment("獲得了涉企社會保障", SegmentConfig(engine=engine))
    assert "涉企社會保障" not in plain
    cfg = SegmentConfig(engine=engine, dicts=(str(d),), pos=True)
    rows = segment_lines("獲得了涉企社會保障", cfg)
    assert ("涉企社會保障", 3, 9, "nz") in rows[0]  # found through its Simplified form too


def test_engine_auto_prefers_rjieba() -> None:
    assert engines.resolve("auto") == ("rjieba" if engines.has_rjieba() else "jieba")
    with pytest.raises(ValueError, match="valid: auto, jieba, rjieba"):
        SegmentConfig(engine="thulac")


def test_bad_settings_are_errors() -> None:
    for bad in (dict(mode="fast"), dict(format="csv"), dict(pos=True, mode="full")):
        with pytest.raises(ValueError):
            SegmentConfig(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="line break"):
        SegmentConfig(delimiter="\n")


def test_config_pickles_and_the_segmenter_is_built_once() -> None:
    cfg = SegmentConfig(engine="jieba", dicts=["a.dict"])  # type: ignore[arg-type]
    assert cfg.dicts == ("a.dict",) and pickle.loads(pickle.dumps(cfg)) == cfg
    assert engines.load("jieba") is engines.load("jieba")


def test_clean_segment_runs_the_stage() -> None:
    out = Pipeline.default(convert="hk2s", segment=True).run("這 場 改 革\n賦能產業騰飛\n")
    # two short lines without sentence punctuation stay apart (join keeps labels and headings)
    assert out == "这场 改革\n赋能 产业 腾飞\n"
    assert Pipeline.default(segment=True).run("賦能產業騰飛\n") == "賦能 產業 騰飛\n"


# --- command line ------------------------------------------------------------------------


def test_cli_options(tmp_path: Path) -> None:
    d = tmp_path / "user.dict"
    d.write_text("永州經開區 100 nz\n", encoding="utf-8")
    r = runner.invoke(
        app, ["segment", "--dict", str(d), "-f", "jsonl", "--pos"], input="永州經開區獲得了\n\n"
    )
    assert r.exit_code == 0, r.output
    first, second = r.stdout.splitlines()
    assert json.loads(first)[0] == {"word": "永州經開區", "start": 0, "end": 5, "tag": "nz"}
    assert second == "[]"
    r = runner.invoke(
        app, ["segment", "-d", "/", "--direct", "--no-hmm"], input="我们 天天\n看书\n"
    )
    assert r.stdout == "我们/天天\n看书\n"
    r = runner.invoke(app, ["segment", "-m", "search"], input="中华人民共和国\n")
    assert r.stdout == "中华 华人 人民 共和 共和国 中华人民共和国\n"


def test_cli_errors_are_one_line() -> None:
    r = runner.invoke(app, ["segment", "-m", "full", "--pos"], input="好\n")
    assert r.exit_code == 2 and "accurate" in r.stderr
    r = runner.invoke(app, ["segment", "--dict", "/nonexistent.dict"], input="好\n")
    assert r.exit_code == 2


def test_jieba_loads_quietly_into_its_own_cache(tmp_path: Path) -> None:
    env = {**os.environ, "ZHCLEAN_CACHE": str(tmp_path)}
    for _ in range(2):  # the first run builds the cache, the second reads it
        out = subprocess.run(
            [sys.executable, "-m", "zhclean", "segment", "--engine", "jieba", "--direct"],
            input="我们天天看书\n".encode(),
            capture_output=True,
            env=env,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.decode() == "我们 天天 看书\n"
        assert out.stderr == b""
    assert [p.name for p in tmp_path.glob("jieba-*.cache")]


def test_cityu_default_settings_beat_direct_segmentation(shared: Path) -> None:
    raw = (shared / "sighan" / "cityu_test.utf8").read_text(encoding="utf-8-sig").splitlines()
    gold = (shared / "sighan" / "cityu_test_gold.utf8").read_text(encoding="utf-8-sig")
    raw, gold_lines = raw[:300], gold.splitlines()[:300]

    def f1(cfg: SegmentConfig) -> float:
        out = segment_text("\n".join(raw), cfg).split("\n")
        ok = n_pred = n_gold = 0
        for pred, ref in zip(out, gold_lines, strict=True):
            spans = [_spans(pred.split()), _spans(ref.split())]
            ok += len(spans[0] & spans[1])
            n_pred, n_gold = n_pred + len(spans[0]), n_gold + len(spans[1])
        p, r = ok / n_pred, ok / n_gold
        return 2 * p * r / (p + r)

    assert f1(SegmentConfig()) > f1(SegmentConfig(via_simplified=False)) + 0.05


def _spans(words: list[str]) -> set[tuple[int, int]]:
    out, pos = set(), 0
    for w in words:
        out.add((pos, pos + len(w)))
        pos += len(w)
    return out


def test_a_user_dictionary_that_is_not_utf8_is_a_one_line_error(tmp_path: Path) -> None:
    d = tmp_path / "big5.dict"
    d.write_bytes("永州經開區 100 nz\n".encode("big5"))
    r = runner.invoke(app, ["segment", "--dict", str(d)], input="好\n")
    assert r.exit_code == 3 and "UTF-8" in r.stderr and r.stderr.count("\n") == 1
