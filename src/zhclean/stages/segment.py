"""Word segmentation with jieba or rjieba; Traditional text is segmented through a Simplified copy.

jieba is trained on Simplified text: run directly on Traditional text it scores F1 74.2 on
SIGHAN 2005 CityU, against 82.6 when the cuts are found on a Simplified copy made with a
length-preserving OpenCC config (``t2s``, ``hk2s``, ``tw2s``: one character for one) and mapped
back onto the original characters. A block with no Traditional character is segmented as it is
(detected cheaply, from a list of common Traditional-only characters); a line whose copy would
not keep its length is segmented directly.

Whitespace never ends up inside a token, and the output has one line per input line.

>>> segment("我們天天看書")
['我們', '天天', '看書']
>>> segment_text("改革引擎\\n賦能產業")
'改革 引擎\\n賦能 產業'
>>> print(segment_text("改革引擎", SegmentConfig(format="jsonl", pos=True)))  # doctest: +ELLIPSIS
[{"word": "改革", "start": 0, "end": 2, "tag": "vn"}, {"word": "引擎", "start": 2, ...}]
"""

from __future__ import annotations

import re
from binascii import hexlify, unhexlify
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from ..engines import jieba as engines
from .base import Explained, StageSpec, check_call, check_fields, register
from .chars import lazy_re

NAME = "segment"

#: How tokens are written: words joined by the delimiter, or a JSON array per line.
FORMATS = ("text", "jsonl")
#: The conversions a Simplified copy may be made with: each maps one character to one.
SIMPLIFY = ("t2s", "tw2s", "hk2s")

# The 320 commonest characters of Hong Kong news text that exist only in Traditional script
# (converted by OpenCC t2s, no Simplified form of their own, absent from the PKU test set):
# one of them on a line marks ~99.7% of the lines of Traditional text that t2s changes.
_TRADITIONAL_ONLY = (
    "國為會時發來對後電個於這與員場動現說過區隊長萬開業問達將學經風關機進內兩運們數軍"
    "農當調團產氣東龍舉實賽總強並無應計間資組還聯帶車題認從報體見災頭嚴戰藥務點鄉決沒"
    "設環縣馬導統師單蘭則醫華積爭鎮億論條觀廠處損約選眾練連許級創傷稱專雲視廣種據奧責"
    "價額黨協該樣張響參傳續標裏爾羅辦灣領際颱勢結讓聲噸難濟類擊門麼幾試戶亞係給別繼費"
    "議記溫變質檢製權僅術斷規吳島請裝證顯園樓節號陸話遊衛葉紀絕餘態雙優較熱邊劇轉網滿"
    "評黃極義親執習卻職臨針嶺構鐵換護負歷預線歲況樂覺陳備減討書訴違採離獲勝納紅銷財準"
    "喬隨項補幹樹兒須捲敗揮聞狀韓興傑訪雖談險確緊訂貨剛殺輛臘橋麗閉遠楊孫終鮑懷圍願寶"
    "驗擔頓順錄劃層瑪愛識壇養鐘壓奪獨沖載庫維營鮮釋廳屬漲臉誠訓輸佔盃儲織顧審買頂溝佈"
)
_TRADITIONAL = lazy_re(f"[{_TRADITIONAL_ONLY}]")  # only when via_simplified is asked
_NONSPACE = re.compile(r"\S+")
# A run of whitespace tokens in words joined by spaces, with its separators: " X ", " X Y ", ….
# Of spaces alone, such a run is odd ("a   b" for "a b"): an even one is at the very start or
# end of the text, which is stripped anyway.
_SPACE_TOKENS = re.compile("   +")
# The whitespace characters (str.isspace) other than "\n", " ", "\t", "\u3000" and "\r": a
# class of literals scans faster than a negated category (checked by a test).
# Where the engines cut inside what a reader sees as one character or one word: before a
# combining mark, a zero-width joiner, a variation selector, a skin tone or an emoji tag, after a
# joiner, between the two halves of a flag, and between two Latin letters when one is not ASCII
# (jieba's words are [a-zA-Z0-9]+: café became caf é, 👨‍👩 became 👨 ‍ 👩). Text without any
# of these (one search a piece) costs nothing more.
_CLUSTER = (
    "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\u200d\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
)
_FLAG = "\U0001f1e6-\U0001f1ff"
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_MAY_GLUE = lazy_re(f"[{_CLUSTER}{_FLAG}\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")
_GLUE_BEFORE = re.compile(f"[{_CLUSTER}]")
_FLAG_CHAR = re.compile(f"[{_FLAG}]")
_LATIN_CHAR = re.compile(f"[{_LATIN}]")


def _glued(words: list[str], tags: list[Any] | None = None) -> list[str]:
    """``words`` with those the engine cut inside a cluster or a Latin word put back together
    (``tags``, if given, merged alike: a glued word keeps its first tag).

    >>> _glued(["caf", "é", " ", "👨", "\u200d", "👩"])
    ['café', ' ', '👨\u200d👩']
    """
    out: list[str] = []
    kept: list[Any] = []
    for k, w in enumerate(words):
        if out and w:
            a, b = out[-1][-1], w[0]
            if a.isspace() or b.isspace():
                pass  # (whitespace is never glued into a word)
            elif (
                _GLUE_BEFORE.match(b)
                or a == "\u200d"
                or (_FLAG_CHAR.match(a) and _FLAG_CHAR.match(b) and len(out[-1]) % 2)
                or (
                    not (a.isascii() and b.isascii())
                    and _LATIN_CHAR.match(a)
                    and _LATIN_CHAR.match(b)
                )
            ):
                out[-1] += w
                continue
        out.append(w)
        if tags is not None:
            kept.append(tags[k])
    if tags is not None:
        tags[:] = kept
    return out


_RARE_SPACE = re.compile("[\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f]")


@dataclass(frozen=True)
class SegmentConfig:
    """Settings of the ``segment`` stage.

    delimiter: what separates words in text output (one space by default; no newline).
    hmm: let the engine guess words missing from its dictionary (jieba's HMM).
    via_simplified: segment Traditional text through a Simplified copy (False: ``--direct``).
    simplify: the length-preserving OpenCC config that makes the copy: ``t2s`` (default),
        ``tw2s`` or ``hk2s`` (the same F1 on CityU within 0.1; t2s is the fastest).
    mode: ``accurate`` (one cut), ``full`` (every dictionary word, overlapping) or ``search``
        (accurate words plus the shorter words inside long ones), as in jieba.
    pos: tag each word with its part of speech (accurate mode only); text output ``word/tag``.
    format: ``text`` (words joined by ``delimiter``) or ``jsonl`` (one JSON array a line of
        ``{"word", "start", "end", "tag"}``, offsets in characters into the input line).
    engine: ``auto`` (rjieba when installed, else jieba), ``jieba`` or ``rjieba``.
    dicts: user dictionaries in jieba's format (``word [freq] [tag]`` a line), loaded into
        whichever engine is used; Traditional words also in their Simplified form.
    """

    delimiter: str = " "
    hmm: bool = True
    via_simplified: bool = True
    simplify: str = "t2s"
    mode: str = "accurate"
    pos: bool = False
    format: str = "text"
    engine: str = "auto"
    dicts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # one dictionary's path alone is one dictionary, not its characters
        dicts = (self.dicts,) if isinstance(self.dicts, str) else tuple(self.dicts)
        object.__setattr__(self, "dicts", dicts)
        check_fields(self)
        if self.mode not in engines.MODES:
            raise ValueError(f"unknown mode {self.mode!r}; valid: {', '.join(engines.MODES)}")
        if self.format not in FORMATS:
            raise ValueError(f"unknown format {self.format!r}; valid: {', '.join(FORMATS)}")
        if self.engine not in engines.ENGINES:
            valid = ", ".join(engines.ENGINES)
            raise ValueError(f"unknown engine {self.engine!r}; valid: {valid}")
        if self.simplify not in SIMPLIFY:
            valid = ", ".join(SIMPLIFY)
            raise ValueError(f"cannot segment through {self.simplify!r}; valid: {valid}")
        if self.pos and self.mode != "accurate":
            raise ValueError("part-of-speech tags (--pos) need the accurate mode")
        if "\n" in self.delimiter or "\r" in self.delimiter:
            raise ValueError("the delimiter cannot contain a line break")


DEFAULT = SegmentConfig()


def _segmenter(cfg: SegmentConfig) -> engines.Segmenter:
    return engines.load(cfg.engine, cfg.dicts, cfg.simplify if cfg.via_simplified else None)


def is_traditional(text: str) -> bool:
    """Whether ``text`` has a common Traditional-only character (a cheap test).

    >>> is_traditional("賦能產業"), is_traditional("赋能产业"), is_traditional("abc")
    (True, False, False)
    """
    return _TRADITIONAL().search(text) is not None


def simplified_copy(text: str, config: str = "t2s") -> str:
    """What the engine segments: ``text`` with every line that has Traditional characters
    replaced by its Simplified copy, where that copy keeps the line's length.

    >>> simplified_copy("賦能產業\\nabc")
    '赋能产业\\nabc'
    """
    if not is_traditional(text):
        return text
    from ..engines.opencc import build  # lazy: only Traditional input pays for OpenCC

    cc = build(config)
    copy = cc.convert(text)
    if len(copy) == len(text):
        return copy
    # some line changed length: fall back to the original for those lines only
    lines = text.split("\n")
    out = []
    for line in lines:
        c = cc.convert(line)
        out.append(c if len(c) == len(line) else line)
    return "\n".join(out)


def _spans(basis: str, cfg: SegmentConfig) -> list[tuple[int, int, str | None]]:
    """Token spans (start, end, tag) over ``basis``, starts non-decreasing."""
    seg = _segmenter(cfg)
    if cfg.mode == "search":
        return [(s, e, None) for _, s, e in seg.tokenize_search(basis, cfg.hmm)]
    if cfg.mode == "full":
        spans: list[tuple[int, int, str | None]] = []
        start = 0
        for w in seg.cut_all(basis):
            found = basis.find(w, start)
            if found < 0:
                continue
            spans.append((found, found + len(w), None))
            start = found
        return spans
    if cfg.pos:
        pairs = seg.tag(basis, cfg.hmm)
        words = [w for w, _ in pairs]
        tags: list[str | None] = [t for _, t in pairs]
    else:
        words = seg.cut(basis, cfg.hmm)
        tags = [None] * len(words)
    if _MAY_GLUE().search(basis):
        words = _glued(words, tags)
    ends = list(accumulate(map(len, words)))
    if ends and ends[-1] != len(basis):
        raise RuntimeError("the segmentation engine lost characters")
    starts = [0, *ends[:-1]] if ends else []
    return list(zip(starts, ends, tags, strict=True))


#: Text is handed to the engine this many characters at a time (cut after a newline): the
#: engine's tokens, a few Python objects per word, then never pile up for a whole block (a
#: quarter of each worker's memory with 256 K-character blocks). No word spans a newline, so
#: the cuts are the same.
PIECE = 1 << 14


def _pieces(text: str, size: int = 0) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of consecutive pieces of ``text``, each ending after a newline once it
    holds ``size`` characters (default :data:`PIECE`; the last one where the text ends).

    >>> list(_pieces("ab\\ncd\\nef", 2))
    [(0, 3), (3, 6), (6, 8)]
    """
    size = size or PIECE
    start, n = 0, len(text)
    while start < n:
        nl = text.find("\n", start + size - 1)
        end = n if nl < 0 else nl + 1
        yield start, end
        start = end


def _piecewise_spans(basis: str, cfg: SegmentConfig) -> Iterator[tuple[int, int, str | None]]:
    for a, b in _pieces(basis):
        if a == 0 and b == len(basis):
            yield from _spans(basis, cfg)
        else:
            yield from ((s + a, e + a, tag) for s, e, tag in _spans(basis[a:b], cfg))


def _lines_of_tokens(text: str, cfg: SegmentConfig) -> list[list[tuple[str, int, int, Any]]]:
    """Per input line, its tokens (word, start, end, tag) with offsets into the line."""
    lines = text.split("\n")
    starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    out: list[list[tuple[str, int, int, Any]]] = [[] for _ in lines]
    basis = simplified_copy(text, cfg.simplify) if cfg.via_simplified else text
    for s, e, tag in _piecewise_spans(basis, cfg):
        piece = text[s:e]
        if not piece or piece.isspace():
            continue
        row = bisect_right(starts, s) - 1
        base = starts[row]
        if piece.strip() == piece and not _has_space(piece):
            out[row].append((piece, s - base, e - base, tag))
            continue
        for m in _NONSPACE.finditer(piece):  # whitespace never inside a token
            a, b = s + m.start(), s + m.end()
            row = bisect_right(starts, a) - 1
            out[row].append((m.group(), a - starts[row], b - starts[row], tag))
    return out


def _has_space(piece: str) -> bool:
    return any(ch.isspace() for ch in piece)


def _fast_text(text: str, cfg: SegmentConfig) -> str | None:
    """Accurate mode to text with as little per-token Python work as possible; None if the
    engine's tokens do not add up to the text (never seen; the caller then takes the slow way)."""
    # The copy is made for the whole text: whether it is Traditional is decided once.
    basis = simplified_copy(text, cfg.simplify) if cfg.via_simplified else text
    same = basis is text
    out = []
    for a, b in _pieces(text):
        if a == 0 and b == len(text):  # one piece: no copies
            piece, copy = text, basis
        else:
            piece = text[a:b]
            copy = piece if same else basis[a:b]
        done = _fast_piece(piece, copy, cfg)
        if done is None:
            return None
        out.append(done)
    return "".join(out)


def _fast_piece(text: str, basis: str, cfg: SegmentConfig) -> str | None:
    words = _segmenter(cfg).cut(basis, cfg.hmm)
    if not words:
        return None
    if _MAY_GLUE().search(basis):
        words = _glued(words)
    if basis is text:
        joined = " ".join(words)
        if len(joined) != len(text) + len(words) - 1:
            return None
    else:
        found = _rejoin(text, words)
        if found is None:  # a rare character: cut the original word by word
            pos = 0
            words = [text[pos : (pos := pos + len(w))] for w in words]
            if pos != len(text):
                return None
            found = " ".join(words)
        joined = found
    # engines give each whitespace character a token of its own (" ", "\t", "\u3000", "\r\n"),
    # never whitespace inside a word: in ``joined`` each stands between two single spaces, and
    # a run of them with its separators becomes one separator
    spaces = {ch for ch in " \t\u3000\r" if ch in text}  # memchr-fast, unlike a regex
    if _RARE_SPACE.search(text) is not None:  # e.g. the page breaks (\f) of PDF extractions
        spaces.update(_RARE_SPACE.findall(text))
    if spaces == {" "}:
        joined = _SPACE_TOKENS.sub(" ", joined)  # the commonest case, and the fastest pattern
    elif spaces:  # a class of the characters present scans faster than [^\S\n]
        chars = re.escape("".join(sorted(spaces)))
        joined = re.compile(f" (?:[{chars}] )+").sub(" ", joined)  # re caches the pattern
    # what is left at either end of a line: the spaces around line breaks, "\r" of "\r\n"
    out = "\n".join([line.strip() for line in joined.split("\n")])
    return out if cfg.delimiter == " " else out.replace(" ", cfg.delimiter)


# Mapping the copy's cuts back onto the original, without a Python step per word: the words
# are joined with _SEP (a noncharacter) and encoded as UTF-32-BE, where each character is one
# 4-byte unit whose second byte is its plane (0x10 for _SEP alone). From that plane byte, C-level
# byte operations mark each unit of the original that starts a word; the original's UTF-32 is
# written in hex (so "|" can stand for a mark, alignment-safe), each mark becomes a space unit
# plus the digit it covered, and the hex is decoded back: half the cost of slicing each word.
_SEP = "\U0010ffff"
# plane byte -> 0x02 (a separator, dropped) or "0" (the first hex digit of every unit: its
# first byte is always 0x00); shifted one unit on, a separator marks the next unit "|"
_SELF = bytes(0x02 if b == 0x10 else ord("0") for b in range(256))
_NEXT = bytes(ord("|") if b == 0x10 else 0 for b in range(256))
_SPACE_UNIT = b"00000020"  # " " in UTF-32-BE, in hex


def _rejoin(text: str, words: list[str]) -> str | None:
    """``" ".join`` of ``text`` cut where ``words`` (the cuts of a copy of ``text`` of the same
    length) are cut; None when the words do not add up to ``text``'s length or when ``text``
    holds a plane-16 character (the separator's plane) or a lone surrogate.

    >>> _rejoin("賦能產業", ["赋能", "产", "业"])
    '賦能 產 業'
    """
    try:
        units = _SEP.join(words).encode("utf-32-be")
        original = text.encode("utf-32-be")
    except UnicodeEncodeError:  # lone surrogates (surrogateescape'd input)
        return None
    planes = units[1::4]
    if planes.count(0x10) != len(words) - 1:  # a plane-16 character in the words
        return None
    marks = int.from_bytes(planes.translate(_SELF), "big")
    marks |= int.from_bytes(planes.translate(_NEXT), "big") >> 8
    first = marks.to_bytes(len(planes), "big").translate(None, b"\x02")
    if len(first) != len(text):
        return None
    digits = bytearray(hexlify(original))
    digits[0::8] = first
    return unhexlify(digits.replace(b"|", _SPACE_UNIT + b"0")).decode("utf-32-be")


Token = tuple[str, int, int, Any]


def segment_lines(text: str, config: SegmentConfig = DEFAULT) -> list[list[Token]]:
    """The tokens of each line of ``text``: ``(word, start, end, tag)``, offsets into the line,
    ``tag`` None unless ``config.pos``.

    >>> segment_lines("改革 引擎")
    [[('改革', 0, 2, None), ('引擎', 3, 5, None)]]
    """
    check_call("segment_lines", text, config, SegmentConfig)
    return _lines_of_tokens(text, config)


def segment(text: str, config: SegmentConfig = DEFAULT) -> list[str]:
    """The words of ``text``, whitespace dropped: in accurate mode ``"".join(words)`` is
    ``text`` without its whitespace.

    >>> segment("我們 天天看書")
    ['我們', '天天', '看書']
    """
    check_call("segment", text, config, SegmentConfig)
    return [tok[0] for line in _lines_of_tokens(text, config) for tok in line]


def segment_text(text: str, config: SegmentConfig = DEFAULT) -> str:
    """Segment each line: words joined by ``config.delimiter`` (``word/tag`` with ``pos``), or
    a JSON array of tokens a line; one output line per input line.

    >>> segment_text("我們天天看書\\n\\n改革引擎", SegmentConfig(delimiter="/"))
    '我們/天天/看書\\n\\n改革/引擎'
    """
    check_call("segment_text", text, config, SegmentConfig)
    if not text:
        return text
    if config.format == "text" and config.mode == "accurate" and not config.pos:
        fast = _fast_text(text, config)
        if fast is not None:
            return fast
    rows = _lines_of_tokens(text, config)
    last = len(rows) - 1
    out = []
    for i, row in enumerate(rows):
        if i == last and not row and text.endswith("\n"):
            out.append("")  # what follows the final newline is not a line
        elif config.format == "jsonl":
            import json

            out.append(
                json.dumps(
                    [{"word": w, "start": s, "end": e, "tag": t} for w, s, e, t in row],
                    ensure_ascii=False,
                )
            )
        elif config.pos:
            out.append(config.delimiter.join(f"{w}/{t}" for w, _, _, t in row))
        else:
            out.append(config.delimiter.join(w for w, _, _, _ in row))
    return "\n".join(out)


def segment_explain(text: str, config: SegmentConfig = DEFAULT) -> Explained:
    """Like :func:`segment_text`; segmentation is reported as a summary, not per cut."""
    check_call("segment_explain", text, config, SegmentConfig)
    return Explained(segment_text(text, config))


SPEC = register(
    StageSpec(
        NAME,
        SegmentConfig,
        segment_text,
        segment_explain,
        summary="segment words with jieba or rjieba",
    )
)
