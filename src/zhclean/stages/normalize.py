r"""Normalise the code points PDF extractors emit, without touching Chinese punctuation.

>>> normalize("⾏政\u200b２０００年ｉｎｔｅｒｎｅｔ，好。\r\n")
'行政2000年internet，好。\n'
>>> normalize("常⻅见问题：⼤大纲，大大的")
'常见问题：大纲，大大的'
>>> normalize("中文,中文(注释)。3,000", NormalizeConfig(cjk_punct=True))
'中文，中文（注释）。3,000'

Each change ``normalize_explain`` reports carries a rule name:

- ``radical``: Kangxi radical or CJK radical supplement form -> its unified ideograph.
- ``compat``: CJK compatibility ideograph -> its unified ideograph (canonical mapping).
- ``fullwidth``: full-width ASCII letter or digit -> ASCII; ``．＠－／＿＋＃＆`` between two
  letters or digits -> ASCII (``３．５`` -> ``3.5``). ``，。！？：；（）「」`` and U+3000 stay.
- ``form``: a small or vertical presentation form of punctuation -> the mark it stands for
  (``﹔ ﹕ ﹖ ﹗ ︰`` of Big5 text -> ``；：？！：``, ``﹁ ︵`` of vertical text -> ``「（``).
- ``zero``: ``○ ◯ ０ Ｏ`` beside a Chinese numeral -> ``〇`` (``二○○一年``, ``二０００年`` ->
  ``二〇〇一年``, ``二〇〇〇年``; alone, or among Arabic digits, they stay).
- ``pair``: a radical/compatibility form drawn next to the ideograph it stands for (``⼤大``
  ``常⻅见`` ``⾦金金``) is dropped; a real repeat ``大大`` stays.
- ``invisible``: zero-width space/joiners, word joiner, BOM, bidi controls, a soft hyphen
  alone -> removed.
- ``line-end-hyphen``: a soft hyphen at a line end after a Latin letter or digit -> ``-``, as
  the page shows it, which join takes out when it joins the word's halves.
- ``hyphen``: a soft hyphen inside a line -> ``-`` (a PDF keeps only the soft hyphens it
  painted, as TeX fonts do for ``Hsin-Hsiang``).
- ``cid``: pdfminer's ``(cid:N)``, a glyph it could not map -> U+FFFD; ``(cid:3)``, the space
  glyph of subset fonts (U+0003 in other extractors) -> a space.
- ``control``: C0/C1 control characters other than ``\t \n \f`` -> removed.
- ``space``: NBSP and other space variants, and U+0003 -> one space (U+3000 stays).
- ``newline``: CRLF, CR, VT, NEL, U+2028, U+2029 -> LF.
- ``punct`` (opt-in): ``, ; : ! ? ( )`` between Han characters -> full width.
- ``replacement-char``: NUL and noncharacters (glyphs the extractor could not map) -> U+FFFD;
  an existing U+FFFD is reported and kept.
- ``private-use``: private-use characters (broken font maps) are reported and kept.
- ``unmapped-radical``: U+2E80 CJK RADICAL REPEAT, the one radical that stands for no
  ideograph, is reported and kept.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from ._hyphens import HEAD, TAIL, Words, in_chinese
from .base import Change, Explained, StageSpec, check_call, check_fields, register
from .chars import CJK, HAN, han_re, lazy_re

NAME = "normalize"


@dataclass(frozen=True)
class NormalizeConfig:
    """Settings of the ``normalize`` stage; every rule but ``cjk_punct`` is on by default.

    radicals: Kangxi radicals and CJK radical supplement forms -> unified ideographs.
    compat: CJK compatibility ideographs -> unified ideographs.
    fullwidth: full-width ASCII letters and digits -> half-width (Chinese punctuation stays).
    forms: small and vertical presentation forms of punctuation -> the full-width marks;
        a circle or a full-width zero among Chinese numerals -> 〇.
    pairs: drop a radical/compatibility form written next to the ideograph it stands for.
    invisible: drop zero-width characters, BOMs, bidi controls; soft hyphens (see ``hyphen``).
    controls: drop stray C0/C1 controls; NUL and noncharacters -> U+FFFD; U+0003 -> space;
        pdfminer's (cid:N) -> U+FFFD, (cid:3) -> space.
    spaces: NBSP and other space variants -> a plain space (U+3000 stays).
    newlines: CRLF, CR, VT, NEL, LS, PS -> LF.
    cjk_punct: half-width ``, ; : ! ? ( )`` between Han characters -> full-width (opt-in:
        ambiguous in mixed text; never inside URLs or numbers such as ``3,000``).
    """

    radicals: bool = True
    compat: bool = True
    fullwidth: bool = True
    forms: bool = True
    pairs: bool = True
    invisible: bool = True
    controls: bool = True
    spaces: bool = True
    newlines: bool = True
    cjk_punct: bool = False

    def __post_init__(self) -> None:
        check_fields(self)  # (a rule switched off with "no" would stay on)


DEFAULT = NormalizeConfig()

#: The rule switches of :class:`NormalizeConfig`, for the command line.
RULE_SWITCHES = (
    "radicals",
    "compat",
    "fullwidth",
    "forms",
    "pairs",
    "invisible",
    "controls",
    "spaces",
    "newlines",
)

# --- tables, built at import time --------------------------------------------------------------

# CJK Radicals Supplement -> equivalent unified ideograph, the U+2E80 block of the Unicode
# Character Database file EquivalentUnifiedIdeograph.txt (Unicode 15.0), field for field.
# unicodedata cannot give these: NFKC maps only U+2E9F and U+2EF3, and the names ("CJK RADICAL
# C-SIMPLIFIED SEE") do not name the target. Every assigned code point of the block has an
# entry but U+2E80 CJK RADICAL REPEAT, a repeat mark that stands for no ideograph: it is kept
# and reported (rule ``unmapped-radical``), and so is any radical whose ideograph is newer than
# the running Python's Unicode data.
# tests/test_normalize.py checks this excerpt against the UCD file where it is installed
# (Debian: unicode-data) and against NFKC where NFKC maps.
_EQUIVALENT_SUPPLEMENT = (
    "2E81:5382 2E82:4E5B 2E83:4E5A 2E84:4E59 2E85:4EBB 2E86:5182 2E87:20628 2E88:5200 2E89:5202 "
    "2E8A:535C 2E8B:353E 2E8C:5C0F 2E8D:5C0F 2E8E:5140 2E8F:5C23 2E90:5C22 2E91:21BC2 2E92:5DF3 "
    "2E93:5E7A 2E94:5F51 2E95:2B739 2E96:5FC4 2E97:5FC3 2E98:624C 2E99:6535 2E9B:65E1 2E9C:65E5 "
    "2E9D:6708 2E9E:6B7A 2E9F:6BCD 2EA0:6C11 2EA1:6C35 2EA2:6C3A 2EA3:706C 2EA4:722B 2EA5:722B "
    "2EA6:4E2C 2EA7:725B 2EA8:72AD 2EA9:738B 2EAA:24D14 2EAB:76EE 2EAC:793A 2EAD:793B 2EAE:25AD7 "
    "2EAF:7CF9 2EB0:7E9F 2EB1:7F53 2EB2:7F52 2EB3:34C1 2EB4:5197 2EB5:2626B 2EB6:7F8A 2EB7:2634C "
    "2EB8:2634B 2EB9:8002 2EBA:8080 2EBB:807F 2EBC:8089 2EBD:26951 2EBE:8279 2EBF:8279 2EC0:8279 "
    "2EC1:864E 2EC2:8864 2EC3:8980 2EC4:897F 2EC5:89C1 2EC6:89D2 2EC7:278B2 2EC8:8BA0 2EC9:8D1D "
    "2ECA:27FB7 2ECB:8F66 2ECC:8FB6 2ECD:8FB6 2ECE:8FB6 2ECF:9091 2ED0:9485 2ED1:9577 2ED2:9578 "
    "2ED3:957F 2ED4:95E8 2ED5:28E0F 2ED6:961D 2ED7:96E8 2ED8:9752 2ED9:97E6 2EDA:9875 2EDB:98CE "
    "2EDC:98DE 2EDD:98DF 2EDE:2967F 2EDF:98E0 2EE0:9963 2EE1:29810 2EE2:9A6C 2EE3:9AA8 2EE4:9B3C "
    "2EE5:9C7C 2EE6:9E1F 2EE7:5364 2EE8:9EA6 2EE9:9EC4 2EEA:9EFE 2EEB:6589 2EEC:9F50 2EED:6B6F "
    "2EEE:9F7F 2EEF:7ADC 2EF0:9F99 2EF1:9F9C 2EF2:4E80 2EF3:9F9F"
)

KANGXI = range(0x2F00, 0x2FD6)
SUPPLEMENT = range(0x2E80, 0x2EF4)
COMPAT = (range(0xF900, 0xFB00), range(0x2F800, 0x2FA20))


def _radicals() -> dict[int, str]:
    # Every Kangxi radical has a compatibility decomposition to its ideograph.
    table = {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in KANGXI}
    for item in _EQUIVALENT_SUPPLEMENT.split():
        radical, ideograph = item.split(":")
        # U+2E95's ideograph U+2B739 came with Unicode 15.0: an older Python keeps U+2E95
        if unicodedata.category(chr(int(ideograph, 16))) != "Cn":
            table[int(radical, 16)] = chr(int(ideograph, 16))
    return table


def _compat() -> dict[int, str]:
    # Canonical singletons; the twelve unified ideographs inside U+FA0E..FA29 map to themselves
    # and are left out.
    table = {}
    for block in COMPAT:
        for cp in block:
            nfc = unicodedata.normalize("NFC", chr(cp))
            if nfc != chr(cp):
                table[cp] = nfc
    return table


RADICALS: dict[int, str] = _radicals()
COMPATIBILITY: dict[int, str] = _compat()
#: Every radical or compatibility form, to the ideograph it stands for (used by ``pairs``).
VARIANTS: dict[int, str] = {**RADICALS, **COMPATIBILITY}

_FULLWIDTH = {
    cp: chr(cp - 0xFEE0)
    for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}
# Presentation forms of punctuation, each to the mark it is a form of. Big5 and HKSCS text
# (and extractors of vertical pages) give them where a reader sees ； ： ？ ！: SIGHAN's CityU
# test set has ﹕ 59 times, ﹔ 29, ﹖ 22, ﹗ 8, and ︰ (a two-dot leader, Big5's colon) 7, and
# join could not tell ﹔ for a semicolon. NFKC would give ASCII (﹔ -> ;); Chinese text has
# full-width marks, so brackets and clause marks go to those, symbols to ASCII (﹣ -> -).
PRESENTATION_FORMS: dict[int, str] = dict(
    zip(
        map(ord, "︐︑︒︓︔︕︖︗︘︙︰︱︲︵︶︷︸︹︺︻︼︽︾︿﹀﹁﹂﹃﹄﹇﹈"),
        "，、。：；！？〖〗…：—–（）｛｝〔〕【】《》〈〉「」『』［］",
        strict=True,
    )
)
PRESENTATION_FORMS.update(
    zip(
        map(ord, "﹐﹑﹒﹔﹕﹖﹗﹘﹙﹚﹛﹜﹝﹞﹟﹠﹡﹢﹣﹤﹥﹦﹨﹩﹪﹫"),
        "，、．；：？！—（）｛｝〔〕#&*+-<>=\\$%@",
        strict=True,
    )
)

# Symbols that are part of a number, a code or an address when both neighbours are letters or
# digits (３．５ 2008－2024 ｗｗｗ．ｐｋｕ．ｅｄｕ ＣＤ－ＲＯＭ). Chinese punctuation is not here.
_FW_JOINERS = "．＠－／＿＋＃＆"

# Zero-width and bidi format characters: an extractor's leftovers, invisible to a reader.
_INVISIBLE = [0x200B, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x200E, 0x200F, 0x061C]
_INVISIBLE += [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]

_KEPT_CONTROLS = "\t\n\f\r\v\x85"  # \r \v \x85 are line breaks: the newline rule handles them
_CONTROL = {
    cp: "" for cp in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if chr(cp) not in _KEPT_CONTROLS
}
# A NUL stands for a glyph the extractor could not map (pypdf and pdfminer give
# "\0\0\0\0.\0\0" where pdftotext gives "2008.02"): say so with U+FFFD instead of dropping it.
_CONTROL[0x00] = "\ufffd"
# U+0003 is the space glyph of subset TrueType fonts (glyph id 3) when the font has no
# ToUnicode entry for it: pdftotext gives a space where pymupdf, pypdf and pdfium give U+0003.
_CONTROL[0x03] = " "
_NONCHARACTERS = {
    cp: "\ufffd"
    # BMP only (each astral range would slow every scan): extractors emit U+FFFF for a glyph
    # they cannot map (ntu-thesis: pdfminer, pymupdf and pypdf give U+FFFF, pdftotext U+FFFD)
    for cp in [*range(0xFDD0, 0xFDF0), 0xFFFE, 0xFFFF]
}

_SPACES = {
    cp: " "
    for cp in range(0x80, 0x3001)
    if unicodedata.category(chr(cp)) == "Zs" and cp not in (0x1680, 0x3000)
}

_PRIVATE_USE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"


@cache
def _table(cfg: NormalizeConfig) -> tuple[dict[int, str], dict[int, str]]:
    """The context-free translate table for ``cfg`` and the rule name of each entry."""
    table: dict[int, str] = {}
    rules: dict[int, str] = {}

    def add(entries: dict[int, str], rule: str | Callable[[str], str]) -> None:
        for cp, rep in entries.items():
            table[cp] = rep
            rules[cp] = rule if isinstance(rule, str) else rule(rep)

    if cfg.radicals:
        add(RADICALS, "radical")
    if cfg.compat:
        add(COMPATIBILITY, "compat")
    if cfg.fullwidth:
        add(_FULLWIDTH, "fullwidth")
    if cfg.forms:
        add(PRESENTATION_FORMS, "form")
    if cfg.invisible:
        add(dict.fromkeys(_INVISIBLE, ""), "invisible")
    if cfg.controls:
        add(_CONTROL, lambda rep: {"": "control", " ": "space"}.get(rep, "replacement-char"))
        add(_NONCHARACTERS, "replacement-char")
    if cfg.spaces:
        add(_SPACES, "space")
    return table, rules


def _cls(cps: Iterable[int]) -> str:
    """A regex character class body for ``cps``, as ranges (sre checks a long list slowly)."""
    parts: list[str] = []
    run: list[int] = []
    for cp in sorted(set(cps)):
        if run and cp == run[-1] + 1:
            run.append(cp)
            continue
        if run:
            parts.append(_range(run[0], run[-1]))
        run = [cp]
    if run:
        parts.append(_range(run[0], run[-1]))
    return "".join(parts)


def _range(lo: int, hi: int) -> str:
    return re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"


# --- the context rules ------------------------------------------------------------------------

# An edit: (start, end, replacement, rule), offsets into the pass's input.
Edit = tuple[int, int, str, str]
Decide = Callable[["re.Match[str]"], "tuple[str, str] | None"]

_NEWLINE = re.compile("\r\n|[\r\v\x85\u2028\u2029]\n?")
_NEWLINE_ANY = re.compile("[\r\v\x85\u2028\u2029]")

_EMOJI = "\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
# Scripts where ZWJ/ZWNJ shape letters (Arabic, Syriac, Indic, Mongolian): keep them there.
_JOINING = "\u0600-\u08ff\u0900-\u0dff\u1800-\u18af"
_VARIANT_CLASS = _cls(VARIANTS)


# Only a ZWJ/ZWNJ reaches these: compiled on first use (see chars.lazy_re).
_IS_JOINING = lazy_re(f"[{_JOINING}]")
_IS_EMOJI_BASE = lazy_re(f"[{_EMOJI}\ufe0f\U0001f3fb-\U0001f3ff]")
_IS_EMOJI = lazy_re(f"[{_EMOJI}]")


# pdfium writes U+0002 where it took out a hyphen and the line end after it (firm\x02level).
# Between two letters or digits it is read as join reads a hyphen at a line end: it goes only
# between two halves of a word cut in two (the word before it as join finds it, lower-case
# letters after it, and no evidence in the text of a compound); elsewhere it stays a hyphen.
_WORD_BEFORE = re.compile(rf"{HEAD}\Z")  # the word join finds before a hyphen
_ALNUM_NOT_CJK = re.compile(rf"[^\W_{CJK}]")
_words_of: list[tuple[str, Words]] = []  # the last text asked about, and its words


def _line_end_hyphen(s: str, i: int) -> tuple[str, str]:
    """What U+0002 at ``s[i]`` stands for: a hyphen, or nothing."""
    if not (_ALNUM_NOT_CJK.match(s, i - 1) if i else None) or not _ALNUM_NOT_CJK.match(s, i + 1):
        return "", "control"
    nxt = s[i + 1]
    head = _WORD_BEFORE.search(s, max(0, i - 64), i)
    tail = TAIL.match(s, i + 1)
    if head is None or tail is None or not nxt.islower():
        return "-", "line-end-hyphen"  # COVID\x02related, GPT\x024, AEN\x02Logistic, 2nd\x02order
    cached = _words_of[0] if _words_of else None
    if cached is None or cached[0] is not s:  # (the words of one text at a time)
        cached = (s, Words(s.split("\n")))
        _words_of[:] = [cached]
    a, b = head.start(1), tail.end()
    chinese = in_chinese(s[max(0, a - 2) : a], s[b : b + 2])
    keep = cached[1].keeps_hyphen(head.group(1), tail.group(), chinese)
    return ("-" if keep else ""), "line-end-hyphen"


# pdfminer writes (cid:N) for a glyph without a Unicode mapping, where the other extractors
# give U+FFFD, a control character or a guess (caj-aero-paper's (cid:202) is pymupdf's Ê);
# glyph 3 of a subset TrueType font is its space (二〇二五(cid:3)年, pdftotext: 二〇二五 年).
_CID = re.compile(r"\(cid:(\d{1,5})\)")


def _cid_edits(s: str) -> list[Edit]:
    """U+FFFD, or a space for the space glyph, for each of pdfminer's placeholders in ``s``."""
    edits: list[Edit] = []
    for m in _CID.finditer(s):
        edits.append((m.start(), m.end(), " " if m.group(1) == "3" else "\ufffd", "cid"))
    return edits


# What stands in for 〇 (U+3007, the ideographic zero) in a run of Chinese numerals: a circle,
# a full-width zero or letter O (二○○一年, 二０００年 in SIGHAN's PKU set, 一○五年 in Taiwan's
# ROC years). Full-width, ０ became ASCII 0 (二000年), which no reader writes.
_ZERO_LIKE = "○◯０Ｏｏ"
_NUMERAL = "〇一二三四五六七八九"
_SPACED_RUN = _ZERO_LIKE + " \u3000"


def _zero_runs(s: str) -> list[tuple[int, int]]:
    """The runs of stand-ins in ``s`` (str.find per character: ten times a regex's speed, which
    every text would pay for the few that have one)."""
    found = []
    for ch in _ZERO_LIKE:
        i = s.find(ch)
        while i >= 0:
            found.append(i)
            i = s.find(ch, i + 1)
    found.sort()
    runs: list[tuple[int, int]] = []
    for i in found:
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _zero_edits(s: str) -> list[Edit]:
    """〇 for each run of stand-ins with a Chinese numeral beside it, or on both sides where
    spaces come between (letter-spaced: 一 ○ 五; a bullet: ○ 五年级)."""
    edits: list[Edit] = []
    n = len(s)
    for lo, hi in _zero_runs(s):
        a, b = lo, hi
        while a and s[a - 1] in _SPACED_RUN:
            a -= 1
        while b < n and s[b] in _SPACED_RUN:
            b += 1
        before = a > 0 and s[a - 1] in _NUMERAL
        after = b < n and s[b] in _NUMERAL
        close = (lo > 0 and s[lo - 1] in _NUMERAL) or (hi < n and s[hi] in _NUMERAL)
        if close or (before and after):
            edits += [(k, k + 1, "〇", "zero") for k in range(lo, hi)]
    return edits


def _decide_pass1(m: re.Match[str]) -> tuple[str, str] | None:
    c = m.group()
    s = m.string
    i = m.start()
    if c == "\x02":
        return _line_end_hyphen(s, i)
    prev = s[i - 1] if i else ""
    nxt = s[i + 1 : i + 2]
    if c == "\xad":
        if prev.strip() and nxt.strip() and nxt != "\xad":
            return "-", "hyphen"
        if nxt in "\r\n" and nxt and _ALNUM_NOT_CJK.match(prev):
            # where a word was cut at the line end: a hyphen there, which join takes out as
            # it joins the halves (vehic\xad / ula -> vehicula; it was dropped, and join then
            # put a space between two words: vehic ula)
            return "-", "line-end-hyphen"
        return "", "invisible"
    if c in "\u200c\u200d":
        # it shapes Arabic and Indic letters and joins emoji sequences: keep it there
        if _IS_JOINING().match(prev) and _IS_JOINING().match(nxt):
            return None
        if c == "\u200d" and _IS_EMOJI_BASE().match(prev) and _IS_EMOJI().match(nxt):
            return None
        return "", "invisible"
    # A radical or compatibility form next to another code point for the same ideograph: the
    # extractor emitted one glyph twice (⼤大, 常⻅见, 什什 with U+F9FD second, ⾦金金).
    # Drop the form before another form, and the form after the plain ideograph, so that one
    # character stays; a repeat of one code point (大大, ⼤⼤) is a real repeat and stays.
    target = VARIANTS[ord(c)]
    if nxt and nxt != c and VARIANTS.get(ord(nxt), nxt) == target:
        return "", "pair"
    if prev == target:
        return "", "pair"
    return None


@cache
def _pass1(cfg: NormalizeConfig) -> re.Pattern[str] | None:
    chars = ""
    if cfg.pairs:
        chars += _VARIANT_CLASS
    if cfg.invisible:
        chars += "\xad\u200c\u200d"
    if cfg.controls:
        chars += "\x02"
    return re.compile(f"[{chars}]") if chars else None


_FW_TO_ASCII = {c: chr(ord(c) - 0xFEE0) for c in _FW_JOINERS}
_HALF_TO_FULL = {c: chr(ord(c) + 0xFEE0) for c in ",;:!?()"}
_LEFT = HAN + "」』）】〕》〉"
_RIGHT = HAN + "「『（【〔《〈"
_URL_CHARS = r"[^\s<>\"'，。、；！？「」『』（）《》【】]"
# Only an ASCII-bracketed stretch reaches it; the HAN class costs ~3 ms to compile.
_IS_HAN = han_re


_PAREN = re.compile("\\([^()（）\\n]{1,64}\\)")


def _paren_edits(text: str, urls: list[tuple[int, int]]) -> list[Edit]:
    """``(注释)`` with Han inside and a Han character just outside -> ``（注释）``.

    Only Han neighbours count (not brackets), so that converting one pair never changes the
    decision for another: one pass is a fixpoint.
    """
    edits: list[Edit] = []
    is_han = _IS_HAN()
    for m in _PAREN.finditer(text):
        i, j = m.span()
        if urls and _in_spans(i, urls):
            continue
        if not is_han.search(text, i, j):
            continue
        if not (is_han.match(text[i - 1 : i]) or is_han.match(text[j : j + 1])):
            continue
        edits += [(i, i + 1, "（", "punct"), (j - 1, j, "）", "punct")]
    return edits


_URL = re.compile(f"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\\.){_URL_CHARS}+")


@cache
def _pass3(cfg: NormalizeConfig) -> re.Pattern[str] | None:
    # Every alternative starts with one of a few characters, so that the scan stays fast.
    alts = []
    if cfg.cjk_punct:
        # the character first, then its neighbours: a lookbehind first would run everywhere
        alts.append(f"(?P<punct>[,;:!?])(?<=[{_LEFT}].)(?=[ \\t]*(?:[{_RIGHT}]|\\n|\\f|\\Z))")
    if cfg.fullwidth:
        alts.append(f"(?P<fw>[{_FW_JOINERS}])(?<=[0-9A-Za-z].)(?=[0-9A-Za-z])")
    return re.compile("|".join(alts)) if alts else None


def _url_spans(text: str) -> list[tuple[int, int]]:
    if "://" not in text and "www." not in text:
        return []
    return [m.span() for m in _URL.finditer(text)]


def _in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    k = bisect_right(spans, (pos, 1 << 62)) - 1
    return k >= 0 and spans[k][0] <= pos < spans[k][1]


def _edits3(text: str, pattern: re.Pattern[str], urls: list[tuple[int, int]]) -> list[Edit]:
    """The edits of the last pass; ``punct`` leaves URLs alone (``?`` ``:`` ``,`` are theirs)."""
    edits: list[Edit] = []
    for m in pattern.finditer(text):
        if m.lastgroup == "fw":
            edits.append((m.start(), m.end(), _FW_TO_ASCII[m.group()], "fullwidth"))
        elif not (urls and _in_spans(m.start(), urls)):
            edits.append((m.start(), m.end(), _HALF_TO_FULL[m.group()], "punct"))
    return edits


def _edits(text: str, pattern: re.Pattern[str], decide: Decide) -> list[Edit]:
    edits: list[Edit] = []
    for m in pattern.finditer(text):
        d = decide(m)
        if d is not None:
            edits.append((m.start(), m.end(), d[0], d[1]))
    return edits


def _apply(text: str, edits: list[Edit]) -> str:
    if not edits:
        return text
    out: list[str] = []
    pos = 0
    for start, end, rep, _ in edits:
        out.append(text[pos:start])
        out.append(rep)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _sub(decide: Decide) -> Callable[[re.Match[str]], str]:
    def repl(m: re.Match[str]) -> str:
        d = decide(m)
        return m.group() if d is None else d[0]

    return repl


_SUB1 = _sub(_decide_pass1)


def _trans_pattern(table: dict[int, str]) -> re.Pattern[str]:
    return re.compile(f"[{_cls(table)}]") if table else re.compile("(?!)")


@cache
def _trans_re(cfg: NormalizeConfig) -> re.Pattern[str]:
    return _trans_pattern(_table(cfg)[0])


# --- the stage ---------------------------------------------------------------------------------


def _translate(text: str, config: NormalizeConfig) -> str:
    table = _table(config)[0]
    pattern = _trans_re(config)
    # Sparse hits (the usual case): let the regex engine skip to them. Dense hits (a page of
    # full-width letters): str.translate, whose cost does not grow with the number of hits.
    hits = len(pattern.findall(text, 0, 1 << 16))
    if hits * 50 > min(len(text), 1 << 16):
        return text.translate(table)
    if not hits and len(text) <= 1 << 16:
        return text
    return pattern.sub(lambda m: table[ord(m.group())], text)


def _pair_passes(config: NormalizeConfig) -> bool:
    # With radicals and compat on, pass 1 leaves no form behind, so one pass is a fixpoint;
    # with either off, dropping a form can bring two others together: repeat until none drops.
    return config.pairs and not (config.radicals and config.compat)


def normalize(text: str, config: NormalizeConfig = DEFAULT) -> str:
    """Map odd code points to the ones a reader means; keep Chinese punctuation full-width.

    >>> normalize("互联⽹网架构\u3000\u00a0ＡＢＣ－１２３（甲）")
    '互联网架构\u3000 ABC-123（甲）'
    """
    check_call("normalize", text, config, NormalizeConfig)
    # line ends first, so that the context rules below see LF
    if config.newlines and _NEWLINE_ANY.search(text):
        text = _NEWLINE.sub("\n", text)
    if config.controls and "(cid:" in text:
        text = _apply(text, _cid_edits(text))
    if config.forms:
        text = _apply(text, _zero_edits(text))
    p1 = _pass1(config)
    if p1 is not None and p1.search(text):
        while True:
            new = p1.sub(_SUB1, text)
            if new == text or not _pair_passes(config):
                text = new
                break
            text = new
    text = _translate(text, config)
    p3 = _pass3(config)
    if p3 is not None:
        if config.cjk_punct:
            # brackets first: the marks next to them then see the brackets they will keep
            urls = _url_spans(text)
            text = _apply(text, _paren_edits(text, urls))
            text = _apply(text, _edits3(text, p3, urls))
        elif p3.search(text):
            text = p3.sub(lambda m: _FW_TO_ASCII[m.group()], text)
    return text


class _Back:
    """Map offsets in the output of a pass back to its input (for unchanged characters)."""

    def __init__(self, edits: list[Edit]) -> None:
        self.out_ends: list[int] = []
        self.deltas: list[int] = []
        delta = 0
        for start, end, rep, _ in edits:
            delta += (end - start) - len(rep)
            self.out_ends.append(end - delta)
            self.deltas.append(delta)

    def __call__(self, pos: int) -> int:
        k = bisect_right(self.out_ends, pos)
        return pos + (self.deltas[k - 1] if k else 0)


def normalize_explain(text: str, config: NormalizeConfig = DEFAULT) -> Explained:
    """Like :func:`normalize`, and report each change with its rule name.

    Private-use characters and U+FFFD are reported (``private-use``, ``replacement-char``) with
    ``before == after``: kept, but a sign that the extractor lost a glyph.

    >>> r = normalize_explain("⼤大纲\u200b")
    >>> r.text, [(c.rule, c.start, c.before, c.after) for c in r.changes]
    ('大纲', [('pair', 0, '⼤', ''), ('invisible', 3, '\u200b', '')])
    """
    check_call("normalize_explain", text, config, NormalizeConfig)
    original = text
    passes: list[list[Edit]] = []
    if config.newlines:
        passes.append([(m.start(), m.end(), "\n", "newline") for m in _NEWLINE.finditer(text)])
        text = _apply(text, passes[-1])
    if config.controls:
        passes.append(_cid_edits(text))
        text = _apply(text, passes[-1])
    if config.forms:
        passes.append(_zero_edits(text))
        text = _apply(text, passes[-1])
    p1 = _pass1(config)
    if p1 is not None:
        while True:
            passes.append(_edits(text, p1, _decide_pass1))
            text = _apply(text, passes[-1])
            if not passes[-1] or not _pair_passes(config):
                break
    table, rules = _table(config)
    passes.append(
        [
            (m.start(), m.end(), table[ord(m.group())], rules[ord(m.group())])
            for m in _trans_re(config).finditer(text)
        ]
    )
    text = _apply(text, passes[-1])
    p3 = _pass3(config)
    if p3 is not None:
        urls = _url_spans(text)
        if config.cjk_punct:
            passes.append(_paren_edits(text, urls))
            text = _apply(text, passes[-1])
        passes.append(_edits3(text, p3, urls))
        text = _apply(text, passes[-1])

    backs = [_Back(edits) for edits in passes]
    changes: list[Change] = []
    for k, edits in enumerate(passes):
        for start, end, rep, rule in edits:
            # only the newline and cid passes edit more than one character; later passes edit
            # characters that no earlier pass touched, so they map back one to one
            lo, hi = start, end
            for back in reversed(backs[:k]):
                lo, hi = back(lo), back(hi - 1) + 1
            changes.append(Change(NAME, rule, lo, hi, original[lo:hi], rep))
    for m in _REPORTED().finditer(original):
        rule = _REPORTED_RULES.get(m.group(), "private-use")
        changes.append(Change(NAME, rule, m.start(), m.end(), m.group(), m.group()))
    changes.sort(key=lambda c: (c.start, c.end))
    return Explained(text, tuple(changes))


UNMAPPED_RADICALS = [
    cp for cp in SUPPLEMENT if unicodedata.category(chr(cp)) != "Cn" and cp not in RADICALS
]
# Only normalize_explain uses it.
_REPORTED = lazy_re(f"[{_PRIVATE_USE}\ufffd{_cls(UNMAPPED_RADICALS)}]")
_REPORTED_RULES = {"\ufffd": "replacement-char"} | {
    chr(cp): "unmapped-radical" for cp in UNMAPPED_RADICALS
}


SPEC = register(
    StageSpec(
        NAME,
        NormalizeConfig,
        normalize,
        normalize_explain,
        summary="normalise radicals, compatibility ideographs, full-width ASCII, invisibles",
    )
)
