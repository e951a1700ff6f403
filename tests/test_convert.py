"""Conversion: both OpenCC engines through one adapter, every config, quotes, kept words.

CI runs this file twice: with the official binding and with opencc-python-reimplemented.
Golden conversions common to both engines are in tests/cases/convert.json.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zhclean.cli import app
from zhclean.engines import opencc as engine
from zhclean.stages import _quotes
from zhclean.stages.convert import (
    CONFIGS,
    LENGTH_PRESERVING,
    ConvertConfig,
    UnknownConfigError,
    convert,
    convert_explain,
    converter,
)

runner = CliRunner()
ENGINE = engine.engine()
assert ENGINE is not None, "an OpenCC package must be installed to test conversion"
OFFICIAL = ENGINE[0] == engine.OFFICIAL

MIXED = (
    "後來羅核說：「這套軟件的內存不夠，為什麼？」后来他说“计算机很贵”。Open 2024年，國語の學習。"
)

# Where the engines differ: the reimplementation's dictionaries date from 2017.
ENGINE_GOLDEN: dict[str, list[tuple[str, str, str]]] = {
    engine.OFFICIAL: [
        ("hk2t", MIXED, MIXED.replace("為", "爲")),
        ("hk2s", "抬頭沉澱", "抬头沉淀"),
        ("tw2s", "为什么", "为什么"),
    ],
    engine.REIMPLEMENTED: [
        ("hk2t", MIXED, MIXED.replace("為", "爲").replace("核", "覈")),
        ("hk2s", "抬頭沉澱", "擡头沉淀"),  # its HKVariantsRev still maps 抬 to 擡
        ("tw2s", "为什么", "为什幺"),  # its Taiwan variants turn the Simplified 么 into 幺
    ],
}


@pytest.mark.parametrize(("config", "text", "expected"), ENGINE_GOLDEN[ENGINE[0]])
def test_engine_specific_goldens(config: str, text: str, expected: str) -> None:
    assert convert(text, ConvertConfig(config)) == expected


@pytest.mark.parametrize("config", list(CONFIGS))
def test_every_config_builds_and_converts(config: str) -> None:
    out = convert(MIXED, ConvertConfig(config))
    assert out and "Open 2024" in out
    assert converter(config) is converter(config)  # built once per process


def test_the_twelve_names_of_the_issue_are_accepted() -> None:
    names = ["t2s", "s2t", "hk2s", "s2hk", "tw2s", "s2tw", "tw2sp", "s2twp", "t2hk", "t2tw"]
    names += ["t2jp", "jp2t"]
    assert set(names) <= set(CONFIGS)


def test_unknown_config_is_an_error_listing_valid_ones() -> None:
    with pytest.raises(UnknownConfigError, match="valid: s2t, t2s"):
        ConvertConfig("t2s.json")
    r = runner.invoke(app, ["convert", "-c", "x2y"], input="abc\n")
    assert r.exit_code == 2
    assert "x2y" in r.stderr and "hk2s" in r.stderr and r.stderr.strip().count("\n") == 0


def test_config_pickles_as_settings() -> None:
    cfg = ConvertConfig("s2twp", quotes=True, keep=["羅核"])  # a list becomes a tuple
    assert cfg.keep == ("羅核",)
    assert pickle.loads(pickle.dumps(cfg)) == cfg
    hash(cfg)


TRADITIONAL = st.text(
    st.sampled_from(list("後來羅核說這套軟件內存夠為什麼國語學習乾燥髮發著裏面臺灣，。「」 a1\n")),
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(TRADITIONAL, st.text(max_size=60)), st.sampled_from(sorted(LENGTH_PRESERVING)))
def test_character_configs_keep_the_length_of_any_text(text: str, config: str) -> None:
    assert len(convert(text, ConvertConfig(config))) == len(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40), st.sampled_from(sorted(CONFIGS)))
def test_no_config_crashes_on_any_string(text: str, config: str) -> None:
    assert isinstance(convert(text, ConvertConfig(config)), str)


def test_lone_surrogates_survive() -> None:
    assert convert("後\ud800來", ConvertConfig("t2s")) == "后\ud800来"


def test_explain_reports_each_run_of_changed_characters() -> None:
    ex = convert_explain("後來 ok 為什麼", ConvertConfig("t2s"))
    assert [(c.start, c.end, c.before, c.after) for c in ex.changes] == [
        (0, 2, "後來", "后来"),
        (6, 7, "為", "为"),
        (8, 9, "麼", "么"),
    ] or not OFFICIAL


# --- quotes ------------------------------------------------------------------------------

QUOTE_TEXT = st.text(st.sampled_from(list("「」『』“”‘’\"'好a \n")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(QUOTE_TEXT)
def test_quotes_keep_length_and_ascii_and_are_idempotent(text: str) -> None:
    for f in (_quotes.to_curly, _quotes.to_corner):
        out = f(text)
        assert len(out) == len(text)
        assert [i for i, c in enumerate(out) if c in "\"'"] == [
            i for i, c in enumerate(text) if c in "\"'"
        ]
        assert f(out) == out


def test_quotes_nesting_alternates() -> None:
    assert _quotes.to_curly("「一『二「三」二』一」") == "“一‘二“三”二’一”"
    assert _quotes.to_corner("“一‘二“三”二’一”") == "「一『二「三」二』一」"


def test_quotes_direction_follows_the_config() -> None:
    assert convert("「好」“好”", ConvertConfig("t2s", quotes=True)) == "“好”“好”"
    assert convert("「好」“好”", ConvertConfig("s2t", quotes=True)) == "「好」「好」"
    assert convert("「好」“好”", ConvertConfig("t2jp", quotes=True)) == "「好」「好」"


# --- kept words --------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(TRADITIONAL)
def test_kept_words_survive_and_the_rest_converts_as_without_them(text: str) -> None:
    keep = ("羅核", "國語")
    out = convert(text, ConvertConfig("t2s", keep=keep))
    assert out.count("羅核") >= text.count("羅核")
    assert out.count("國語") >= text.count("國語")
    if not any(k in text for k in keep):
        assert out == convert(text, ConvertConfig("t2s"))


def test_keep_file_on_the_command_line(tmp_path: Path) -> None:
    keep = tmp_path / "keep.txt"
    keep.write_text("# names\n羅核\n\n", encoding="utf-8")
    r = runner.invoke(app, ["convert", "-c", "t2s", "--keep", str(keep)], input="董事長羅核說\n")
    assert r.exit_code == 0, r.output
    assert r.stdout == "董事长羅核说\n"
    r = runner.invoke(
        app, ["clean", "-c", "t2s", "--quotes", "--keep", str(keep)], input="羅核說「好」。\n"
    )
    assert r.stdout == "羅核说“好”。\n"


def test_keep_and_quotes_need_a_conversion_in_clean(tmp_path: Path) -> None:
    r = runner.invoke(app, ["clean", "--quotes"], input="「好」\n")
    assert r.exit_code == 2 and "-c" in r.stderr


def test_missing_keep_file_is_a_one_line_error(tmp_path: Path) -> None:
    r = runner.invoke(app, ["convert", "--keep", str(tmp_path / "none.txt")], input="好\n")
    assert r.exit_code == 3 and r.stderr.count("\n") == 1


# --- version -----------------------------------------------------------------------------


def test_version_names_the_conversion_engine_without_importing_it() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from zhclean.cli import app\n"
        "r = CliRunner().invoke(app, ['--version'])\n"
        "print(r.stdout.strip())\n"
        "print(sorted(m for m in ('opencc', 'jieba', 'rjieba') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    version_line, modules = out.stdout.strip().splitlines()
    assert f"convert: {ENGINE[0]} {ENGINE[1]}" in version_line
    assert "segment: " in version_line
    assert modules == "[]"
