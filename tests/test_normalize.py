"""The normalize stage: its tables, its explanations, its invariants, and real extractions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhclean.stages.base import apply_changes
from zhclean.stages.normalize import (
    COMPAT,
    COMPATIBILITY,
    KANGXI,
    PRESENTATION_FORMS,
    RADICALS,
    RULE_SWITCHES,
    SUPPLEMENT,
    UNMAPPED_RADICALS,
    VARIANTS,
    NormalizeConfig,
    normalize,
    normalize_explain,
)

UCD = Path("/usr/share/unicode/EquivalentUnifiedIdeograph.txt")  # Debian: unicode-data

# --- tables -------------------------------------------------------------------------------------


def test_every_kangxi_radical_and_assigned_supplement_radical_is_mapped() -> None:
    assert all(cp in RADICALS for cp in KANGXI)
    assigned = [cp for cp in SUPPLEMENT if unicodedata.category(chr(cp)) != "Cn"]
    # U+2E80 CJK RADICAL REPEAT is a repeat mark with no equivalent ideograph: kept, reported;
    # U+2E95's ideograph U+2B739 is in Unicode 15.0 and later only
    assert len(assigned) == 115
    assert [cp for cp in assigned if cp not in RADICALS] == UNMAPPED_RADICALS
    expected = [0x2E80] if unicodedata.unidata_version >= "15" else [0x2E80, 0x2E95]
    assert expected == UNMAPPED_RADICALS
    for cp, ideograph in RADICALS.items():
        assert unicodedata.name(ideograph).startswith("CJK UNIFIED IDEOGRAPH"), hex(cp)


def test_supplement_agrees_with_nfkc_where_nfkc_maps() -> None:
    mapped_by_nfkc = {
        cp: unicodedata.normalize("NFKC", chr(cp))
        for cp in SUPPLEMENT
        if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    }
    assert mapped_by_nfkc == {0x2E9F: "母", 0x2EF3: "龟"}
    assert all(RADICALS[cp] == ideograph for cp, ideograph in mapped_by_nfkc.items())


def test_presentation_forms_agree_with_nfkc_but_for_width() -> None:
    # each form goes to the mark NFKC gives, full-width where NFKC gives ASCII punctuation; the
    # exceptions: ︰ (a two-dot leader, Big5's colon) and ︙ (one vertical ellipsis, not three
    # full stops)
    assert all(0xFE10 <= cp <= 0xFE6F for cp in PRESENTATION_FORMS)
    for cp, mark in PRESENTATION_FORMS.items():
        nfkc = unicodedata.normalize("NFKC", chr(cp))
        if cp in (0xFE30, 0xFE19):
            continue
        assert unicodedata.normalize("NFKC", mark) == nfkc, (hex(cp), mark, nfkc)
    assert normalize("葉澍堃︰機場﹔說﹕「好﹗」") == "葉澍堃：機場；說：「好！」"


def test_radical_tables_agree_with_the_unicode_data_file() -> None:
    if not UCD.is_file():
        pytest.skip(
            "EquivalentUnifiedIdeograph.txt is not installed (apt-get install unicode-data)"
        )
    equivalent: dict[int, str] = {}
    for line in UCD.read_text(encoding="utf-8").splitlines():
        data = line.split("#")[0].strip()
        if not data:
            continue
        cps, target = (f.strip() for f in data.split(";"))
        lo, _, hi = cps.partition("..")
        for cp in range(int(lo, 16), int(hi or lo, 16) + 1):
            equivalent[cp] = chr(int(target, 16))
    for cp in [*KANGXI, *SUPPLEMENT]:
        if cp not in UNMAPPED_RADICALS:
            assert RADICALS.get(cp) == equivalent.get(cp), hex(cp)


def test_compatibility_table_is_every_canonical_singleton() -> None:
    n = sum(len(block) for block in COMPAT)
    unified_in_block = [0xFA0E, 0xFA0F, 0xFA11, 0xFA13, 0xFA14, 0xFA1F, 0xFA21, 0xFA23, 0xFA24]
    unified_in_block += [0xFA27, 0xFA28, 0xFA29]
    unassigned = [cp for block in COMPAT for cp in block if unicodedata.category(chr(cp)) == "Cn"]
    assert len(COMPATIBILITY) == n - len(unified_in_block) - len(unassigned)
    assert not set(unified_in_block) & set(COMPATIBILITY)


def test_chinese_punctuation_is_in_no_table() -> None:
    for c in "，。！？：；（）「」『』、【】《》——……\u3000％":
        assert normalize(c) == c
        assert normalize(c, NormalizeConfig(cjk_punct=True)) == c


# --- explain --------------------------------------------------------------------------------


def rules_of(text: str, config: NormalizeConfig | None = None) -> list[str]:
    return [c.rule for c in normalize_explain(text, config or NormalizeConfig()).changes]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("⾏", "radical"),
        ("⻅", "radical"),
        ("\uf900", "compat"),
        ("２", "fullwidth"),
        ("⼤大", "pair"),
        ("\u200b", "invisible"),
        ("a\xadb", "hyphen"),
        ("\x01", "control"),
        ("\u00a0", "space"),
        ("\r\n", "newline"),
        ("\x00", "replacement-char"),
        ("\ufffd", "replacement-char"),
        ("\ue000", "private-use"),
        ("\u2e80", "unmapped-radical"),
    ],
)
def test_each_rule_is_named(text: str, rule: str) -> None:
    assert rules_of(text) == [rule]


def test_punct_rule_is_named() -> None:
    assert rules_of("中,文", NormalizeConfig(cjk_punct=True)) == ["punct"]


def test_explain_offsets_point_into_the_input() -> None:
    text = "甲\r\n⼤大\u200b纲２\ue000\x00。"
    changes = normalize_explain(text).changes
    for c in changes:
        assert text[c.start : c.end] == c.before
    assert [(c.rule, c.start) for c in changes] == [
        ("newline", 1),
        ("pair", 3),
        ("invisible", 5),
        ("fullwidth", 7),
        ("private-use", 8),
        ("replacement-char", 9),
    ]


def test_reported_characters_are_kept() -> None:
    r = normalize_explain("\ue000曰\ufffd山\U000f0001")
    assert r.text == "\ue000曰\ufffd山\U000f0001"
    assert [(c.rule, c.before == c.after) for c in r.changes] == [
        ("private-use", True),
        ("replacement-char", True),
        ("private-use", True),
    ]


# --- properties -------------------------------------------------------------------------------

ODD = (
    "⾏⼤大⻅见⾦金\uf90a\uf967不\ufa0e什\uf9fd２ｉＺ．－＠\u200b\u200c\u200d\u2060\ufeff\xad\u202a"
    "\x00\x01\x02\x03\x7f\x85\x9b\r\n\v\f\t \u00a0\u2002\u3000\u2028\u2029\uffff\ufffd\ue000"
    "👨👩❤\ufe0f🔥क्ष﹔﹕﹒︰﹁﹣○０Ｏ一二五"
)
PLAIN = "改革引擎賦能中文天看，。、「」（）！？…—ab09 .-,;:!?()/@"
ALPHABET = st.sampled_from(list(ODD + PLAIN))
# pdfminer's placeholders among the characters: (cid:3) (cid:202), and pieces of one
PIECES = st.sampled_from([*ODD, *PLAIN, "(cid:3)", "(cid:202)", "(cid:", "cid:1)"])
TEXT = st.text(ALPHABET, max_size=80) | st.text(max_size=40) | st.lists(PIECES).map("".join)
CONFIGS = st.builds(NormalizeConfig, **{f.name: st.booleans() for f in fields(NormalizeConfig)})  # type: ignore[arg-type]
FORMS = set(VARIANTS)


@settings(max_examples=300, deadline=None)
@given(TEXT, CONFIGS)
def test_idempotent_under_any_config(text: str, config: NormalizeConfig) -> None:
    once = normalize(text, config)
    assert normalize(once, config) == once


@settings(max_examples=300, deadline=None)
@given(TEXT, CONFIGS)
def test_explain_replays_to_the_output(text: str, config: NormalizeConfig) -> None:
    r = normalize_explain(text, config)
    assert r.text == normalize(text, config)
    assert apply_changes(text, r.changes) == r.text
    for c in r.changes:
        assert text[c.start : c.end] == c.before


@settings(max_examples=300, deadline=None)
@given(TEXT, CONFIGS)
def test_only_pairs_invisibles_and_controls_remove_characters(
    text: str, config: NormalizeConfig
) -> None:
    # every other change replaces a character by one character (newline: a CRLF by LF; cid:
    # pdfminer's placeholder for one glyph by U+FFFD or, for the space glyph, a space)
    for c in normalize_explain(text, config).changes:
        if not c.after and not c.before.isspace():
            assert c.rule in ("pair", "invisible", "control"), c
        if c.rule == "cid":
            assert re.fullmatch(r"\(cid:\d+\)", c.before) and c.after in (" ", "\ufffd"), c
        elif c.rule not in ("pair", "invisible", "control", "newline"):
            assert len(c.after) == len(c.before) == 1, c


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(list("中文甲(),;:!?（）「」x1 .\n")), max_size=40))
def test_cjk_punct_is_idempotent(text: str) -> None:
    config = NormalizeConfig(cjk_punct=True)
    once = normalize(text, config)
    assert normalize(once, config) == once
    assert apply_changes(text, normalize_explain(text, config).changes) == once


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_output_has_no_radical_or_compatibility_ideograph(text: str) -> None:
    assert not FORMS & {ord(c) for c in normalize(text)}


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(list(PLAIN + "\u3000\n\t\fカナ한국😀∑½ﬁ大大")), max_size=80))
def test_text_already_normal_is_unchanged(text: str) -> None:
    assert normalize(text) == text
    assert normalize_explain(text).changes == ()


def test_rule_switches_name_config_fields() -> None:
    names = {f.name for f in fields(NormalizeConfig)}
    assert set(RULE_SWITCHES) == names - {"cjk_punct"}


# --- real extractions ------------------------------------------------------------------------

EXTRACTORS = ["pdfminer", "pdftotext", "pymupdf", "pypdf", "pypdfium2"]


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_mock_keynote_pairs_become_one_character(shared: Path, extractor: str) -> None:
    path = shared / "realpdf" / "extracted" / f"alibaba-mock-keynote.{extractor}.txt"
    text = path.read_text(encoding="utf-8")
    out = normalize(text)
    for word in ["大纲", "常见问题", "为什么", "金融类", "并行开发", "不稳定", "互联网架构"]:
        assert word in out, word
    for doubled in ["大大纲", "见见", "什什", "金金", "行行", "不不"]:
        assert doubled not in out, doubled
    assert not FORMS & {ord(c) for c in out}


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_realpdf_extractions_keep_chinese_punctuation(shared: Path, extractor: str) -> None:
    for path in sorted((shared / "realpdf" / "extracted").glob(f"*.{extractor}.txt")):
        text = path.read_text(encoding="utf-8")
        out = normalize(text)
        for mark in "，。！？：；（）「」\u3000":
            assert out.count(mark) == text.count(mark), (path.name, mark)
        assert normalize(out) == out, path.name
