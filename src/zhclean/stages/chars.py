"""Character classes shared by the stages, as regex fragments and fast predicates.

>>> is_han("漢"), is_han("a"), is_cjk_punct("，")
(True, False, True)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

# Han ideographs: URO, Ext A, compatibility, Ext B-H (astral), plus 〇 and the iteration mark 々.
HAN = (
    "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U00030000-\U000323af\U0002f800-\U0002fa1f"
)
KANA = "\u3040-\u30ff\u31f0-\u31ff"
HANGUL = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
# Full-width / CJK punctuation (not the full-width ASCII letters and digits): the marks, and the
# ideographic space U+3000, which Unicode files with them (a space to the spacing stage).
CJK_MARKS = (
    "\u3001-\u3003\u3008-\u3011\u3014-\u301f\u30fb"
    "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
    "\u2014\u2015\u2018\u2019\u201c\u201d\u2026\u2025\u00b7\ufe30-\ufe4f"
)
CJK_PUNCT = "\u3000" + CJK_MARKS
# Punctuation that ends a sentence (optionally followed by closing quotes/brackets).
TERMINAL = "。！？!?…；;"
CLOSERS = "」』）)】〕》〉\u201d\u2019\"'"

CJK = HAN + KANA + HANGUL


def _ranges(spec: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            out.append((ord(spec[i]), ord(spec[i + 2])))
            i += 3
        else:
            out.append((ord(spec[i]), ord(spec[i])))
            i += 1
    return out


_HAN_R = _ranges(HAN)
_CJK_R = _ranges(CJK)
_PUNCT_R = _ranges(CJK_PUNCT)


def _in(c: str, ranges: list[tuple[int, int]]) -> bool:
    o = ord(c)
    return any(lo <= o <= hi for lo, hi in ranges)


def is_han(c: str) -> bool:
    """True for a Han ideograph (including 〇 and 々)."""
    return _in(c, _HAN_R)


def is_cjk(c: str) -> bool:
    """True for Han, kana or hangul."""
    return _in(c, _CJK_R)


def is_cjk_punct(c: str) -> bool:
    """True for full-width or CJK punctuation."""
    return _in(c, _PUNCT_R)


# No line may start with these (kinsoku): a line that does continues the previous one, even
# across a blank line, so a stream must never be cut before one.
NO_LINE_START = "，。、；：！？）」』】〕》〉…‧·,;:!?)]}％%"


def lazy_re(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A regex compiled on its first use, then cached: call the result to get the pattern.

    ``re`` compiles a character class with big ranges (HAN, CJK) by setting one bit per BMP
    code point in a Python loop: 2-5 ms per pattern, paid at import by every command for every
    stage. A pattern that only some inputs, options or commands reach should be lazy; one that
    every run of its stage uses anyway gains nothing and stays a module constant (calling the
    accessor costs ~50 ns, so hoist it out of per-character loops).

    >>> han = lazy_re(f"[{HAN}]+")
    >>> han().findall("PDF 裏的漢字")
    ['裏的漢字']
    >>> han() is han()
    True
    """

    @cache
    def compiled() -> re.Pattern[str]:
        return re.compile(pattern, flags)

    return compiled


# One compiled class shared by every stage that tests "holds a Han/CJK character": each
# module compiling its own copy paid the class's compile time again (when the strings differ).
#: ``han_re().search(s)``: whether ``s`` holds a Han ideograph.
han_re = lazy_re(f"[{HAN}]")
#: ``cjk_re().search(s)``: whether ``s`` holds a Han, kana or hangul character.
cjk_re = lazy_re(f"[{CJK}]")
