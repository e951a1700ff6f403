"""Convert between Traditional and Simplified Chinese with OpenCC, by config name.

One adapter (:mod:`zhclean.engines.opencc`) serves both OpenCC packages; the converter for each
config is built once per process, on first use. A ``ConvertConfig`` holds settings only, so it
pickles and can be sent to a process pool.

>>> convert("改革「引擎」賦能產業騰飛", ConvertConfig("hk2s"))
'改革「引擎」赋能产业腾飞'
>>> convert("他說：「她說『好』。」", ConvertConfig("t2s", quotes=True))
'他说：“她说‘好’。”'
>>> convert("羅核說：乾隆後", ConvertConfig("t2s", keep=("乾隆",)))
'罗核说：乾隆后'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..engines.opencc import build
from . import _quotes
from .base import Change, Explained, StageSpec, check_call, check_fields, register

NAME = "convert"

#: Every OpenCC config zhclean accepts, with what it does.
CONFIGS: dict[str, str] = {
    "s2t": "Simplified to Traditional (OpenCC standard)",
    "t2s": "Traditional (OpenCC standard) to Simplified",
    "s2tw": "Simplified to Traditional (Taiwan)",
    "tw2s": "Traditional (Taiwan) to Simplified",
    "s2hk": "Simplified to Traditional (Hong Kong)",
    "hk2s": "Traditional (Hong Kong) to Simplified",
    "s2twp": "Simplified to Traditional (Taiwan), with Taiwanese phrases",
    "tw2sp": "Traditional (Taiwan) to Simplified, with mainland phrases",
    "t2tw": "Traditional (OpenCC standard) to Taiwan standard",
    "tw2t": "Traditional (Taiwan) to OpenCC standard",
    "t2hk": "Traditional (OpenCC standard) to Hong Kong standard",
    "hk2t": "Traditional (Hong Kong) to OpenCC standard",
    "t2jp": "Traditional (Kyūjitai) to Japanese Shinjitai",
    "jp2t": "Japanese Shinjitai to Traditional (Kyūjitai)",
}

#: Configs whose output is Simplified: ``--quotes`` turns corner brackets into curly quotes
#: for these, and curly quotes into corner brackets for every other config.
TO_SIMPLIFIED = frozenset({"t2s", "tw2s", "hk2s", "tw2sp"})

#: Configs that map each character to exactly one character (no phrase replacement), so that
#: output offsets are input offsets. Segmentation of Traditional text relies on these.
LENGTH_PRESERVING = frozenset({"t2s", "tw2s", "hk2s"})


class UnknownConfigError(ValueError):
    """Raised for a conversion config name OpenCC does not have."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown conversion config {name!r}; valid: {', '.join(CONFIGS)}")
        self.name = name


@dataclass(frozen=True)
class ConvertConfig:
    """Settings of the ``convert`` stage.

    config: an OpenCC config name (see :data:`CONFIGS`).
    quotes: convert quotation marks with the script (``「」『』`` ↔ ``“”‘’``, by nesting).
    keep: words never converted (names, terms); the text around them is converted as usual.
        A tuple or list of words; a str alone is one word (``keep="羅核"``).
    """

    config: str = "t2s"
    quotes: bool = False
    keep: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        keep = self.keep
        if isinstance(keep, str):
            keep = (keep,)  # one word, not its characters one by one
        elif keep is None:
            keep = ()
        elif not isinstance(keep, Iterable):
            raise TypeError(f"ConvertConfig.keep must be words, not {type(keep).__name__}")
        # a list from JSON or a caller becomes a tuple, so the config stays hashable
        object.__setattr__(self, "keep", tuple(w for w in keep if w))
        check_fields(self)
        if self.config not in CONFIGS:
            raise UnknownConfigError(self.config)


def converter(config: str) -> object:
    """The engine's converter for ``config`` (``.convert(text)``), built once per process."""
    if config not in CONFIGS:
        raise UnknownConfigError(config)
    return build(config)


def read_keep_file(lines: Iterable[str]) -> tuple[str, ...]:
    """The words of a ``--keep`` file: one a line; blank lines and ``#`` comments skipped.

    >>> read_keep_file(["# names", "羅核", "", " 永州經開區 "])
    ('羅核', '永州經開區')
    """
    words = (line.strip() for line in lines)
    return tuple(w for w in words if w and not w.startswith("#"))


@lru_cache(maxsize=32)
def _keep_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # longest first, so that a kept word inside a longer kept word does not cut it
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(f"({alternatives})")  # a group: split() keeps the kept words


# Private-use characters: in no OpenCC dictionary, so the engine neither converts them nor
# matches a phrase across them. One that does not occur in the text separates the pieces.
_SEPARATORS = "\U000f0000\U000f0001\U000f0002\ue000\ue001"


def _convert_keeping(text: str, config: str, keep: tuple[str, ...]) -> str:
    pieces = _keep_pattern(keep).split(text)
    if len(pieces) == 1:
        return str(build(config).convert(text))
    # pieces alternate: text to convert, kept word, text to convert, ...; the pieces to convert
    # go to the engine in one call (phrases still match inside each piece, never across a kept
    # word), the kept words are put back between them unchanged.
    convertible = pieces[0::2]
    sep = next((s for s in _SEPARATORS if s not in text), None)
    converted: list[str] | None = None
    if sep is not None:
        converted = str(build(config).convert(sep.join(convertible))).split(sep)
    if converted is None or len(converted) != len(convertible):
        converted = [str(build(config).convert(p)) for p in convertible]
    out = []
    for i, piece in enumerate(converted):
        out.append(piece)
        if 2 * i + 1 < len(pieces):
            out.append(pieces[2 * i + 1])
    return "".join(out)


def convert(text: str, config: ConvertConfig = ConvertConfig()) -> str:
    """Convert ``text`` with the OpenCC config in ``config`` (and its quotes, kept words).

    >>> convert("他說：「賦能產業騰飛」", ConvertConfig("hk2s", quotes=True))
    '他说：“赋能产业腾飞”'
    """
    check_call("convert", text, config, ConvertConfig)
    if config.keep:
        out = _convert_keeping(text, config.config, config.keep)
    else:
        out = str(build(config.config).convert(text))
    if config.quotes:
        out = _quotes.to_curly(out) if config.config in TO_SIMPLIFIED else _quotes.to_corner(out)
    return out


def convert_explain(text: str, config: ConvertConfig = ConvertConfig()) -> Explained:
    """Like :func:`convert`, with the changes: each run of converted characters when the
    conversion kept the length (character configs), else one change over the whole text.

    >>> convert_explain("後來", ConvertConfig("t2s")).changes[0].after
    '后来'
    """
    check_call("convert_explain", text, config, ConvertConfig)
    out = convert(text, config)
    if out == text:
        return Explained(out)
    rule = config.config + ("+quotes" if config.quotes else "")
    if len(out) != len(text):
        return Explained(out, (Change(NAME, rule, 0, len(text), text, out),))
    changes: list[Change] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i] == out[i]:
            i += 1
            continue
        j = i
        while j < n and text[j] != out[j]:
            j += 1
        changes.append(Change(NAME, rule, i, j, text[i:j], out[i:j]))
        i = j
    return Explained(out, tuple(changes))


SPEC = register(
    StageSpec(
        NAME,
        ConvertConfig,
        convert,
        convert_explain,
        summary="convert Traditional <-> Simplified with OpenCC",
    )
)
