r"""Normalise the code points extractors emit, without touching Chinese punctuation.

>>> normalize("⾏政\u200b２０００年ｉｎｔｅｒｎｅｔ，好。\r\n")
'行政2000年internet，好。\n'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from .base import Change, Explained, StageSpec, register

NAME = "normalize"


@dataclass(frozen=True)
class NormalizeConfig:
    """Settings of the ``normalize`` stage; each rule can be switched off.

    radicals: Kangxi radicals and CJK radical supplements -> ideographs.
    compat: CJK compatibility ideographs -> unified ideographs.
    fullwidth: full-width ASCII letters and digits -> half-width (punctuation stays).
    invisible: drop zero-width characters, soft hyphens, stray BOMs and control characters.
    spaces: NBSP and other space variants -> a plain space.
    newlines: CRLF and CR -> LF.
    cjk_punct: half-width , ; : ! ? between two CJK characters -> full-width (opt-in).
    """

    radicals: bool = True
    compat: bool = True
    fullwidth: bool = True
    invisible: bool = True
    spaces: bool = True
    newlines: bool = True
    cjk_punct: bool = False


DEFAULT = NormalizeConfig()


@cache
def _table(cfg: NormalizeConfig) -> dict[int, str]:
    table: dict[int, str] = {}
    if cfg.radicals:
        for cp in [*range(0x2F00, 0x2FD6), *range(0x2E80, 0x2EF4)]:
            norm = unicodedata.normalize("NFKC", chr(cp))
            if norm != chr(cp):
                table[cp] = norm
    if cfg.compat:
        for cp in [*range(0xF900, 0xFB00), *range(0x2F800, 0x2FA20)]:
            norm = unicodedata.normalize("NFC", chr(cp))
            if norm != chr(cp):
                table[cp] = norm
    if cfg.fullwidth:
        for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]:
            table[cp] = chr(cp - 0xFEE0)
    if cfg.invisible:
        for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD):
            table[cp] = ""
        for cp in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]:
            if chr(cp) not in "\n\t\f\r":
                table[cp] = ""
    if cfg.spaces:
        for cp in (
            0x00A0,
            0x2002,
            0x2003,
            0x2004,
            0x2005,
            0x2006,
            0x2007,
            0x2008,
            0x2009,
            0x200A,
            0x202F,
            0x205F,
        ):
            table[cp] = " "
    return table


_CRLF = re.compile(r"\r\n?")


def normalize_explain(text: str, config: NormalizeConfig = DEFAULT) -> Explained:
    """Like :func:`normalize`, and report each replaced code point."""
    table = _table(config)
    changes: list[Change] = []
    for i, c in enumerate(text):
        rep = table.get(ord(c))
        if rep is not None:
            changes.append(Change(NAME, "char", i, i + 1, c, rep))
        elif c == "\r" and config.newlines:
            rule_after = "" if text[i + 1 : i + 2] == "\n" else "\n"
            changes.append(Change(NAME, "newline", i, i + 1, c, rule_after))
    return Explained(normalize(text, config), tuple(changes))


def normalize(text: str, config: NormalizeConfig = DEFAULT) -> str:
    """Map odd code points to the ones a reader means; keep Chinese punctuation full-width."""
    if config.newlines and "\r" in text:
        text = _CRLF.sub("\n", text)
    return text.translate(_table(config))


SPEC = register(
    StageSpec(
        NAME,
        NormalizeConfig,
        normalize,
        normalize_explain,
        summary="normalise radicals, compatibility ideographs, full-width ASCII, invisibles",
    )
)
