"""Undo fake-bold doubling: text a PDF producer drew two or more times.

Fake bold draws each text run (or each glyph) two to four times at a small offset; extractors
then emit ``改革改革「「引擎引擎」」`` (run level), ``「字字节节跳跳动动」`` (glyph level),
``安徽…公司`` on four identical lines (line level), and mixtures of these. This stage removes
the extra copies and leaves legitimate repeats (天天, 謝謝, 研究研究, 哈哈哈, ……, 2000) alone.

How it decides. Text is cut into *units* per line: a run of word characters bounded by
punctuation or spaces, or a run of one punctuation mark. A unit is a *candidate* when it is
exactly ``k`` copies of something (``k`` = 2..``max_copies``): ``X X`` (run), ``x x y y``
(glyph) or ``「「`` (punct). Each candidate carries evidence: doubled ``「「 」」 。。 ，，`` are
near-proof; a doubled run of 4+ Han characters is strong; ``天天`` or ``研究研究`` alone is
weak. Neighbouring candidates with the same ``k`` form a *chain* and add up their evidence; a
chain is undone only when the sum is strong. So ``活動活動，，`` collapses (its neighbour is a
doubled comma) while ``這件事要研究研究。`` stays. Whole lines drawn twice (PyMuPDF and pypdf
emit a bold line as two identical lines) are only removed with corroboration nearby, because
tables repeat cells (``稳定`` / ``稳定``). When in doubt a span is kept: a lost character is
worse than a doubled one.

Everything is linear in the input: periodicity is tested with slice comparisons and
``str.find``; the regexes that pick the lines worth a closer look backtrack at most a bounded
window (64 characters) and read a unit at most 64 times, and a second sweep looks only near
what the first one changed.

>>> dedupe("改革改革「「引擎引擎」」賦能產業騰飛賦能產業騰飛")
'改革「引擎」賦能產業騰飛'
>>> dedupe("我們天天看看書，謝謝。這件事要研究研究。")
'我們天天看看書，謝謝。這件事要研究研究。'
>>> dedupe("「字字节节跳跳动动」")
'「字节跳动」'
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, repeat
from operator import itemgetter, sub

from .base import Change, Explained, StageSpec, check_call, check_fields, register
from .chars import CJK_PUNCT, cjk_re, lazy_re

NAME = "dedupe"


@dataclass(frozen=True)
class DedupeConfig:
    """Settings of the ``dedupe`` stage.

    max_copies: the most copies of one run a producer is assumed to draw (fill, stroke, shadow,
        overprint); runs repeated more often (``嘻嘻嘻嘻嘻嘻``) are language, not rendering.
    line_copies: also remove whole lines emitted two or more times (needs corroboration nearby).
    context_lines: how many lines away corroborating evidence may be for a weak candidate.
    """

    max_copies: int = 4
    line_copies: bool = True
    context_lines: int = 3

    def __post_init__(self) -> None:
        check_fields(self)
        if self.max_copies < 2:
            raise ValueError(
                f"max_copies must be 2 or more (a copy and its original), not {self.max_copies}"
            )
        if self.context_lines < 0:
            raise ValueError(f"context_lines must be 0 or more, not {self.context_lines}")


DEFAULT = DedupeConfig()

# Rule names reported by dedupe_explain.
RUN = "run"  # a word run drawn k times: 改革改革 -> 改革
GLYPH = "glyph"  # each glyph drawn k times: 字字节节 -> 字节
PUNCT = "punct"  # a punctuation mark drawn k times: 「「 -> 「
SEGMENT = "segment"  # a stretch of a line with spaces/punctuation drawn again: `A B A B` -> `A B`
LINE = "line"  # a whole line emitted again on the next line(s)

_ASCII_PUNCT = r"!-/:-@\[-`{-~"
# CJK punctuation plus the small form variants (﹐﹔﹕) some Big5 converters emit.
_P = CJK_PUNCT + "\ufe50-\ufe6b" + _ASCII_PUNCT
# The characters str.isspace() accepts (what `\s` matches), spelled out: in a class the regex
# engine then tests them with the one table lookup it does for the rest of the class, where `\s`
# is a Unicode category test of every character (a quarter of the time of the line scans in
# _pass). tests/test_dedupe_fast.py checks this list against str.isspace.
_SPACE = r"\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# A unit: a run of one punctuation mark, or a run of word characters.
_UNITS = re.compile(rf"(([{_P}])\2*|[^{_SPACE}{_P}]+)")  # findall: (unit, its mark or "")
_CJK_RE = cjk_re  # compiled on first use, shared with the other stages
_WORDISH = re.compile(rf"[^{_SPACE}{_P}\d]")  # a letter or ideograph (not a digit, space, punct)
_HAS_P = re.compile(rf"[{_P}]")
_SPLITS = re.compile(rf"[{_SPACE}{_P}]")


def _expand(spec: str) -> str:
    """The characters of a regex class fragment (``a-c`` -> ``abc``)."""
    out: list[str] = []
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            out.extend(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
            i += 3
        else:
            out.append(spec[i])
            i += 1
    return "".join(out)


# Every punctuation character, as a str (for str.strip).
_PUNCT = _expand(CJK_PUNCT + "\ufe50-\ufe6b") + "".join(
    chr(c) for c in range(33, 127) if not chr(c).isalnum()
)
# A line may hold doubled units only if a unit starts with a repeated stretch (天天, 改革改革)
# or a punctuation mark is drawn twice; the unit analysis runs only on those lines. The
# bounded lazy repeat keeps this linear; longer runs are caught by the segment check below.
# _SUSPECT starts with a character class, so the regex engine jumps between the separators
# (where that class matches) instead of trying a lookbehind at every position (3x faster than
# one pattern with a lookbehind); it matches the separator before the unit. Its last branch
# finds a doubled punctuation mark in the same scan (the separator is the first copy, looked
# at by a one-character lookbehind): a second regex over the text cost a fifth more.
# …… and —— are written in pairs: they are left out of that class itself (not excluded by a
# lookahead, which would run at every punctuation mark: 4x slower).
# Most units that start with a repeated stretch (看看書, 天天向上) are not doubled as a whole,
# and then their line holds nothing to undo. Where a unit starts with one, group 2 captures the
# unit if it is made of runs of a repeated glyph (字字节节) or of copies of a stretch (改革改革),
# as _word_opts needs for a reading; only the lines where it does reach the unit analysis (see
# _worth_units). The copied stretch takes the unit's first run whole (a stretch within that run
# is a run, which the first branch tests): trying each length inside it made text like
# 哈哈…哈笑 three times slower than without this test. It runs only where a unit starts with a
# repeated stretch, so it costs nothing elsewhere.
_P_UNPAIRED = _P.replace("…", "").replace("—", "").replace("―", "")
_WORD = rf"[^{_SPACE}{_P}]"  # a character of a word unit
_DOUBLED_AT = re.compile(rf"({_WORD}{{1,64}}?)\1")
_SUSPECT = re.compile(
    rf"[{_SPACE}{_P}](?:"
    rf"(?=({_WORD}{{1,64}}?)\1)"  # a unit starting with a doubled stretch
    rf"(?:(?=((?:({_WORD})\3++)++|(({_WORD})\5*+{_WORD}{{1,64}}?)\4++)(?!{_WORD}))|)"
    rf"|(?<=([{_P_UNPAIRED}]))(?=\6))"  # or a doubled punctuation mark
)
# What _SUSPECT's group 2 does not test: a unit long enough to be copies of a stretch longer
# than 64, and marks written in pairs drawn twice (……—— as a glyph-doubled token).
# (compiled on first use: short texts seldom need it, and compiling costs start-up time)
_WORTH_ANYWAY = lazy_re(rf"[{_SPACE}{_P}]{_WORD}{{129}}|……|——|――")
# A line whose last space-separated token repeats what comes before it
# (``股票代码：300218 ：300218``).
# Possessive quantifiers: giving characters back can never end the token at the end of a line,
# and trying cost an eighth of the search on the seed page.
_TAIL = rf"(?m){{}}([^{_SPACE}]{{{{4,64}}}}+)[ \t\u3000]*+$"
# One pattern per separator, each starting with its literal: the regex engine skips to a
# literal many times faster than it tests a class at every character (the one pattern with
# ``[ \t\u3000]`` first cost 7% of the stage on text without a space); a text without the
# separator is not scanned at all. A line has at most one match (the separator right before
# its last token), so the three find together what the one found.
_TAILS = tuple((c, re.compile(_TAIL.format(c))) for c in " \t\u3000")
_WS_RUN = re.compile(rf"[^{_SPACE}]+")
_FIRST_TWO = itemgetter(slice(2))
_FIRST, _SECOND = itemgetter(0), itemgetter(1)

# Punctuation that is never doubled in running text: two in a row are near-proof of overprint.
_STRONG_PUNCT = frozenset("，。、：；「」『』《》【】〈〉“”‘’〔〕﹁﹂﹃﹄︰﹐﹑﹒﹔﹕︵︶")
_WEAK_PUNCT = frozenset("（）(),;")  # nested brackets exist: （见（1））
_PAIRED_CHARS = "…—―"
_PAIRED_PUNCT = frozenset(_PAIRED_CHARS)  # written in pairs: …… ——
_CLAUSE_START = frozenset("，、；：。）」』》】")
_TERMINAL = frozenset("。！？!?…．.")
# Onomatopoeia and interjections: 哈哈哈哈, 嘻嘻 are language; they never count as evidence.
_ONOMATOPOEIA = frozenset(
    "哈嘻呵嘿哼啦嘛呀哇嗯噢哦喔啊嗚呜嘤嚶嘎咯咕嘟嗒滴答叮咚砰轰轟隆哗嘩啪噼啵喵汪咩嗡嘀哒噠吱嘘噓呼唔"
)

STRONG = 3  # the evidence a chain needs to be undone on its own


@dataclass(slots=True)
class _Item:
    """A candidate repeat on one line: the spans to remove, its evidence, and a content key."""

    line: int
    spans: list[tuple[int, int, str]]
    score: int
    key: str
    strong: bool = False
    accepted: bool = False
    corroborates: bool = True
    whole_line: bool = False
    last: int = -1  # the last line the item covers (line copies span several)


# One reading of a unit: ``k`` copies of ``key``; its evidence; the spans (relative to the
# unit's start) that remove the extra copies.
_Opt = tuple[int, str, tuple[tuple[int, int, str], ...]]
# Readings by number of copies: 12121212 is 12 four times or 1212 twice, and the neighbours
# decide which (改革改革（（12121212））: twice).
_Opts = dict[int, _Opt]
_NO_OPTS: _Opts = {}


# A unit: (start, end, opts, inner, punct). ``inner``: a reading that only holds between two
# doubled neighbours (—— as —); ``punct``: a run of one punctuation mark. A plain tuple: units
# are made by the ten thousand, and a dataclass's __init__ is a Python call.
_Unit = tuple[int, int, _Opts, bool, bool]


def _primitive(x: str) -> bool:
    """True when ``x`` is not itself a repetition (``ab`` yes, ``abab`` no); linear time."""
    return (x + x).find(x, 1) == len(x)


def _root(w: str) -> tuple[str, int]:
    """``(y, m)``: ``w == y * m`` with ``y`` primitive (``m == 1`` when ``w`` is primitive)."""
    p = (w + w).find(w, 1)
    return (w[:p], len(w) // p) if p < len(w) else (w, 1)


def _glyph_copies(w: str, max_k: int) -> tuple[int, str] | None:
    """``(k, x)`` when each glyph of ``x`` is drawn ``k`` times in ``w`` (``字字节节``: 2, 字节)."""
    n = len(w)
    if n < 4 or w[0] != w[1]:
        return None
    for k in range(max_k, 1, -1):
        if n % k or w[: k - 1] != w[1:k]:
            continue
        x = w[0::k]
        # (the second copy first: most tokens fail there, before a generator is made)
        if w[1::k] == x and all(w[i::k] == x for i in range(2, k)):
            if x.count(x[0]) == len(x):
                return None  # one glyph repeated: a run, not glyph doubling
            return k, x
    return None


def _is_ono(x: str) -> bool:
    return all(c in _ONOMATOPOEIA for c in x)


def _run_score(x: str, k: int) -> int:
    if _is_ono(x):
        return 0
    if not _CJK_RE().search(x):
        # Latin words (couscous, murmur) and numbers (1212, 20122012) repeat naturally.
        return 2 if len(x) >= 4 and not x.isalpha() else 1
    if not _primitive(x):
        return 1  # 看看看看看看 as 看看看 twice: only neighbours can tell
    score = 3 if len(x) >= 4 else 2 if len(x) == 3 else 1
    if k >= 3 and len(x) >= 2:
        score += 2  # 改革改革改革: three copies of a phrase is rendering, not style
    return min(score, STRONG)


def _glyph_score(x: str, k: int) -> int:
    if _is_ono(x):
        return 0
    # An ellipsis or a dash at either end is one mark written with two characters (…… ——),
    # no evidence: 谢谢谢谢…… is 谢谢谢谢 (weak) and an ellipsis, not 谢谢… drawn twice.
    x = x.strip(_PAIRED_CHARS) or x
    if x.isdigit():
        score = 2 if len(x) >= 4 else 1  # 11223344 may be a number
    else:
        score = 3 if len(x) >= 4 else 2 if len(x) == 3 else 1
    if _HAS_P.search(x) and len(x) >= 3:
        score += 1  # >>6600: the punctuation is doubled with the digits
    if k >= 3:
        score += 2  # 改改改革革革
    return min(score, STRONG)


@lru_cache(maxsize=4096)
def _punct_opts(c: str, n: int, max_k: int) -> tuple[_Opts, bool]:
    """Readings of ``n`` copies of the punctuation mark ``c``, and whether they only count
    between doubled neighbours."""
    opts: _Opts = {}
    if c in _PAIRED_PUNCT:
        # …… and —— (——— in PKU text) are one mark written with two or three characters, so
        # their length says little; a short one counts only between doubled neighbours.
        for k in range(2, max_k + 1):
            if n % k == 0:
                opts[k] = (0, c * (n // k), ((n // k, n, PUNCT),))
        return opts, n <= 3
    if c in _STRONG_PUNCT:
        score = 1 if c == "。" and n >= 3 else STRONG  # 。。。(。。。) is an informal ellipsis
    elif c in _WEAK_PUNCT:
        score = 1
    else:
        score = 0  # !! ?? .. -- >> are written that way
    for k in range(2, max_k + 1):
        if n % k == 0:
            opts[k] = (score, c * (n // k), ((n // k, n, PUNCT),))
    return opts, False


def _word_opts(w: str, max_k: int) -> _Opts:
    """Readings of a run of word characters: run level (改革改革) or glyph level (改改革革)."""
    if len(w) < 2:
        return _NO_OPTS
    # Runs recur (headings, table cells, pathological input); short ones are cached.
    return _word_opts_cached(w, max_k) if len(w) <= 64 else _word_opts_uncached(w, max_k)


def _word_opts_uncached(w: str, max_k: int) -> _Opts:
    opts: _Opts = {}
    y, m = _root(w)
    for k in range(2, max_k + 1):
        if m % k == 0:
            x = y * (m // k)
            opts[k] = (_run_score(x, k), x, ((len(x), len(w), RUN),))
    if m == 1:
        glyph = _glyph_copies(w, max_k)
        if glyph is not None:
            k, x = glyph
            spans = tuple((i * k + 1, i * k + k, GLYPH) for i in range(len(x)))
            opts[k] = (_glyph_score(x, k), x, spans)
    return opts


_word_opts_cached = lru_cache(maxsize=65536)(_word_opts_uncached)


def _line_units(line: str, base: int, max_k: int) -> list[_Unit]:
    """Units of one line; a space-bounded token that is glyph-doubled as a whole (``>>6600``,
    ``「「字字」」``) is one unit so that its punctuation and glyphs count together."""
    # Runs once per unit of every suspect line: the hottest loop of the stage, so it calls the
    # caches directly and tests the cheap half of _glyph_copies' condition first.
    units: list[_Unit] = []
    append = units.append
    for tok in _WS_RUN.finditer(line):
        a, b = tok.span()
        if b - a >= 4 and line[a] == line[a + 1]:
            t = tok.group()
            glyph = _glyph_copies(t, max_k) if _HAS_P.search(t) else None
            if glyph is not None:
                k, x = glyph
                spans = tuple(
                    (i * k + 1, i * k + k, PUNCT if x[i] in _P else GLYPH) for i in range(len(x))
                )
                opts = {k: (_glyph_score(x, k), x, spans)}
                append((base + a, base + b, opts, False, False))
                continue
        # The units of the token tile it, so their offsets are summed lengths: findall's
        # (unit, mark) pairs cost less than a match object per unit and three calls on it.
        s = base + a
        for u, c in _UNITS.findall(line, a, b):
            e = s + len(u)
            if c:
                opts, inner = _punct_opts(c, e - s, max_k)
                append((s, e, opts, inner, True))
            elif e - s == 1:
                append((s, e, _NO_OPTS, False, False))
            elif e - s <= 64:
                append((s, e, _word_opts_cached(u, max_k), False, False))
            else:
                append((s, e, _word_opts_uncached(u, max_k), False, False))
            s = e
    return units


def _weak_number(unit: _Unit, k: int) -> bool:
    score, key, _ = unit[2][k]
    return score <= 1 and not unit[4] and not _WORDISH.search(key)


def _chains(units: list[_Unit], line_no: int, whole: bool) -> list[_Item]:
    """Group neighbouring candidates that agree on a number of copies into evidence chains."""
    items: list[_Item] = []
    n = len(units)
    i = 0
    while i < n:
        _, _, opts, inner, _ = units[i]
        if not opts or inner:
            i += 1
            continue
        ks = set(opts)
        j = i
        while j + 1 < n:
            common = ks.intersection(units[j + 1][2])
            if not common:
                break
            ks = common
            j += 1
        # A lone —— at the end of a chain is a dash, not a doubled —, unless the chain is the
        # whole line.
        if not (i == 0 and j == n - 1):
            while units[j][3]:
                j -= 1
        k = max(ks)
        nxt = j + 1
        # A weak number at the edge of a chain, glued to a unit that is not doubled, belongs
        # with that unit: 利福國際利福國際（（1212） keeps its 1212.
        while i < j and i > 0 and units[i - 1][1] == units[i][0] and _weak_number(units[i], k):
            i += 1
        while j > i and j + 1 < n and units[j][1] == units[j + 1][0] and _weak_number(units[j], k):
            j -= 1
        members = units[i : j + 1]
        chain = [u[2][k] for u in members]
        scores = [o[0] for o in chain]
        total = sum(scores)
        if not total:
            i = nxt
            continue
        # A doubled run glued to a doubled punctuation mark (很難了很難了！！, 2日2日））)
        # is more than the two apart; not to …… or ——, one mark written with two characters
        # (谢谢谢谢……, 对不起对不起……: said twice, then an ellipsis). (Plain loops: generator
        # expressions cost more than the rest of a typical chain.)
        for x in range(j - i):
            a, b = members[x], members[x + 1]
            if a[3] or b[3]:
                continue
            if a[1] == b[0] and a[4] != b[4] and (scores[x] or scores[x + 1]):
                total += 1
                break
        # Numbers alone never make a chain strong: 1100 2200 3300 is a table row.
        strong = total >= STRONG and (
            max(scores) >= STRONG
            or (len(chain) >= 2 and any(o[0] and _WORDISH.search(o[1]) for o in chain))
        )
        items.append(
            _Item(
                line_no,
                [(u[0] + a, u[0] + b, r) for u in members for a, b, r in u[2][k][2]],
                total,
                "".join([o[1] for o in chain]),
                strong=strong,
                corroborates=strong,
                whole_line=whole and i == 0 and j == n - 1,
            )
        )
        i = nxt
    return items


def _segment_item(s: str, off: int, line_no: int, max_k: int) -> _Item | None:
    """A line (stripped: ``s`` at offset ``off``) made of one stretch drawn k times, possibly
    with a space between copies (``2011 年年度报告 2011 年年度报告``, pypdfium2)."""
    # Only a line that (with a space after it) is a power of a shorter string can be that:
    # two C-speed finds spare most lines the Python loop below.
    if _primitive(s) and _primitive(s + " "):
        return None
    n = len(s)
    for sep in ("", " "):
        for k in range(max_k, 1, -1):
            m, r = divmod(n - (k - 1) * len(sep), k)
            if r or m < 2:
                continue
            x = s[:m]
            if s[m : m + len(sep)] != sep or s != sep.join([x] * k):
                continue
            if not sep and not (_HAS_P.search(x) or " " in x):
                return None  # a single run: the unit rules decide
            if not _primitive(x + sep):
                return None
            nonspace = len(x) - x.count(" ")
            last = x.rstrip()[-1]
            said_twice = last in _TERMINAL or last in _CLAUSE_START
            # `思乡，思乡，` and `他說得對。他說得對。` may be said twice on purpose (poems,
            # refrains): weak, and they do not vouch for each other. So may a phrase sung twice
            # (`祝你生日快乐 祝你生日快乐`): strong alone only when each copy has a space inside,
            # as a line of several runs drawn twice has (`2011 年年度报告 2011 年年度报告`).
            inner_space = " " in x.strip()
            strong = nonspace >= 6 and bool(_CJK_RE().search(x)) and not said_twice and inner_space
            return _Item(
                line_no,
                [(off + m, off + n, SEGMENT)],
                STRONG if strong else 1,
                x,
                strong=strong,
                corroborates=bool(_CJK_RE().search(x)) and not said_twice,
                whole_line=True,
            )
    return None


def _tail_again(text: str, m: re.Match[str]) -> int:
    """Where a ``_TAIL`` match starts, if its token occurs before it on its line (as
    :func:`_tail_item` requires), else -1."""
    p = m.start()
    return p if text.find(m.group(1), text.rfind("\n", 0, p) + 1, p) >= 0 else -1


def _tail_item(s: str, off: int, line_no: int) -> _Item | None:
    """A line ending with its last space-separated token drawn again
    (``股票代码：300218 ：300218``, pypdfium2); weak evidence."""
    cut = max(s.rfind(" "), s.rfind("\t"), s.rfind("\u3000"))
    if cut <= 0:
        return None
    tail = s[cut + 1 :]
    head = s[:cut].rstrip()
    if len(tail) < 4 or len(head) <= len(tail) or not head.endswith(tail):
        return None
    before = head[-len(tail) - 1]
    if not tail.strip(_PUNCT) or not (before.isspace() or before in _P or tail[0] in _P):
        return None
    return _Item(
        line_no,
        [(off + len(head), off + len(s), SEGMENT)],
        1,
        tail,
        corroborates=bool(_CJK_RE().search(tail)),
        whole_line=True,
    )


_EOL = "\r\n\f\v\x1c\x1d\x1e\x85\u2028\u2029"
_NEWLINES = ("\n", "\r\n", "\r")


@dataclass
class _Lines:
    """The lines of a text (``str.splitlines`` boundaries) as parallel lists, built with
    C-speed comprehensions: per-line Python loops are what makes a cleaner slow."""

    raws: list[str]  # each line with its terminator
    starts: list[int]
    nls: list[int]  # end including the terminator
    stripped: list[str]

    @classmethod
    def of(cls, text: str) -> _Lines:
        raws = text.splitlines(keepends=True)
        nls = list(accumulate(map(len, raws)))
        starts = [0, *nls[:-1]] if nls else []
        return cls(raws, starts, nls, list(map(str.strip, raws)))

    def end(self, i: int) -> int:
        """End of line ``i``'s text (before its terminator)."""
        return self.starts[i] + len(self.raws[i].rstrip(_EOL))


def _line_span(text: str, ln: _Lines, d: int) -> tuple[int, int, str]:
    """The span that removes line ``d``: with its newline, or with the newline before it when
    it ends with a page break (``\f``) or the text, so that page breaks survive."""
    start, end, end_nl = ln.starts[d], ln.end(d), ln.nls[d]
    if text[end:end_nl] in _NEWLINES:
        return (start, end_nl, LINE)
    if d > 0 and text[ln.end(d - 1) : ln.nls[d - 1]] in _NEWLINES:
        return (ln.end(d - 1), end, LINE)
    return (start, end, LINE)


def _bounded_prefix(s: str, other: str) -> bool:
    """``other`` starts with ``s`` and ``s`` ends at a unit boundary of ``other``."""
    if len(other) <= len(s) or not other.startswith(s):
        return False
    nxt = other[len(s)]
    return nxt.isspace() or nxt in _P or s[-1] in _P


def _bounded_suffix(s: str, other: str) -> bool:
    if len(other) <= len(s) or not other.endswith(s):
        return False
    prv = other[-len(s) - 1]
    return prv.isspace() or prv in _P or s[0] in _P


_PROSE_MARK = re.compile("[，、；：]")


def _tail_copy(s: str, prev: str) -> bool:
    """Line ``s`` is the end of the line before it drawn again, cut mid-word: PyMuPDF puts the
    second copy of a bold stretch that ends a line on a line of its own (``評量之設計應以靈活、
    富創意、情境化`` / ``活、富創意、情境化``). Only where that is no table: the line before is
    prose (clause punctuation in it) going on mid-sentence, and the copy holds four
    characters or more (``表2.1 主观评估方法`` / ``评估方法`` is a caption over a header cell)."""
    if len(s) >= len(prev) or not prev.endswith(s) or len(s) - s.count(" ") < 4:
        return False
    return prev[-1] not in _TERMINAL and _PROSE_MARK.search(prev) is not None


def _line_copy_items(text: str, ln: _Lines, pairs: list[int]) -> list[_Item]:
    """Lines emitted again on the next line(s): identical, or a copy of the neighbour's first or
    last stretch (PyMuPDF: ``2011`` / ``2011`` / ``2011 年年度报告``). ``pairs`` are the lines
    ``i`` where line ``i + 1`` starts or ends with line ``i`` or the other way round."""
    items: list[_Item] = []
    stripped = ln.stripped
    n = len(stripped)
    done = -1
    for p in pairs:
        for i in (p, p + 1):
            if i <= done or i >= n or not stripped[i]:
                continue
            s = stripped[i]
            j = i
            while j + 1 < n and stripped[j + 1] == s:
                j += 1
            done = j
            g = j - i + 1
            prev = stripped[i - 1] if i > 0 else ""
            nxt = stripped[j + 1] if j + 1 < n else ""
            if _bounded_prefix(s, nxt) or _bounded_suffix(s, prev):
                drop = list(range(i, j + 1))  # the merged neighbour keeps one copy
            elif g >= 2:
                drop = list(range(i + 1, j + 1))
            elif _bounded_prefix(s, prev) or _bounded_suffix(s, nxt):
                drop = [i]  # 项目描述：负责… / 项目描述：
            elif g == 1 and _tail_copy(s, prev):
                items.append(_Item(i, [_line_span(text, ln, i)], STRONG, s, strong=True))
                continue
            else:
                continue
            han = bool(_CJK_RE().search(s))
            # However many copies, a line alone may be a table column's cell (二级宏观错误码 three
            # rows running, www.cninfo.com.cn和www.hkexnews.hk on every row of a column, once
            # join has taken out the blank lines between): copies nearby must vouch for it. A
            # clause fragment (，了解並關心) is never a cell.
            strong = s[0] in _CLAUSE_START and len(s) >= 3
            items.append(
                _Item(
                    i,
                    [_line_span(text, ln, d) for d in drop],
                    STRONG if strong else 1,
                    s,
                    strong=strong,
                    corroborates=han,
                    whole_line=True,
                    last=j,
                )
            )
    return items


# A mark alone on its line (the lines between it and the line before blank or none): pdfminer
# and PyMuPDF put the second copy of a doubled mark on a line of its own when the first ends a
# line (作者。 / 。). Found from the line end before it, which the regex engine skips to.
_MARK_LINE = re.compile(
    rf"\n[^\S\n]*([{re.escape(''.join(sorted(_STRONG_PUNCT)))}])[^\S\n]*(?=[\n\r]|\Z)"
)


def _mark_line_items(text: str, ln: _Lines) -> list[_Item]:
    """Marks drawn twice across a line break: a line of one mark (of those whose doubling is
    near-proof, ``_STRONG_PUNCT``) after a line ending with the same mark, at most one blank
    line between. Strong: such a line is never text."""
    items: list[_Item] = []
    stripped = ln.stripped
    for m in _MARK_LINE.finditer(text):
        d = bisect.bisect_right(ln.starts, m.start(1)) - 1
        prev = d - 1
        while prev >= 0 and not stripped[prev] and d - prev <= 2:
            prev -= 1
        if prev < 0 or d - prev > 2 or not stripped[prev].endswith(m.group(1)):
            continue
        start, end, _ = _line_span(text, ln, d)
        items.append(_Item(d, [(start, end, PUNCT)], STRONG, m.group(1), strong=True))
    return items


def _texty(key: str) -> bool:
    return len(key) - key.count(" ") >= 4 or bool(_HAS_P.search(key))


def _near(sorted_pos: list[int], lo: int, hi: int, d: int) -> bool:
    k = bisect.bisect_left(sorted_pos, lo - d)
    return k < len(sorted_pos) and sorted_pos[k] <= hi + d


def _accept(items: list[_Item], nb: list[int], hot: list[int], cfg: DedupeConfig) -> None:
    """Decide which items to undo. Distances count non-blank lines (pdfminer puts a blank line
    between everything).

    Strong items stand alone. A weak item that spans a whole line is undone when two other
    lines with different Chinese content near it are copies too (pypdf's doubled résumé), or
    when it is within ``context_lines`` of an undone item or of a line changed by an earlier
    sweep (``hot``); that context spreads at most two steps, so a table of repeated numbers is
    only touched right next to an overprinted heading.
    """
    d = cfg.context_lines
    weak = sorted((nb[it.line], it.key) for it in items if not it.strong and it.corroborates)
    weak_pos = [w[0] for w in weak]
    pending: list[_Item] = []
    for it in items:
        if it.strong:
            it.accepted = True
        elif it.whole_line:
            lo, hi = nb[it.line], nb[it.last]
            a = bisect.bisect_left(weak_pos, lo - 3 * d)
            z = bisect.bisect_right(weak_pos, hi + 3 * d)
            others = {key for _, key in weak[a:z] if key != it.key}
            # Short cells (稳定, 关注, 正常) can repeat down a table column; at least one of
            # the copies must look like running text or a label (4+ characters, or punctuation).
            if len(others) >= 2 and any(_texty(key) for key in (*others, it.key)):
                it.accepted = True
            else:
                pending.append(it)
    for _ in range(3):
        anchors = sorted(
            [p for it in items if it.accepted for p in (nb[it.line], nb[it.last])] + hot
        )
        still = []
        for it in pending:
            if _near(anchors, nb[it.line], nb[it.last], d):
                it.accepted = True
            else:
                still.append(it)
        if len(still) == len(pending):
            break
        pending = still


def _lines_of(ln: _Lines, positions: Iterable[int]) -> set[int]:
    """The lines of many positions (``>= 0``), looked up at C speed and deduplicated first."""
    return {i - 1 for i in set(map(bisect.bisect_right, repeat(ln.starts), positions))}


def _windows(text: str, hot_pos: list[int], reach: int) -> list[tuple[int, int]]:
    """The stretches of ``text`` within ``reach`` lines ("\\n"-separated) of a position of
    ``hot_pos`` (sorted): from the start of the line ``reach`` lines before it to the start of
    the line ``reach + 1`` lines after it (or the end), merged where they touch.

    Lines are counted and window edges found by walking with str.count/find/rfind at C speed:
    a list of the start of every line of the text (and a finditer loop before it) cost more
    than the rest of the sweep's bookkeeping.

    >>> _windows("a\\nb\\nc\\nd\\ne\\n", [4], 1)
    [(2, 8)]
    """
    windows: list[tuple[int, int]] = []
    end_line = -1  # the last window ends where line `end_line` starts
    # The line of every position ("\n" before it), counted between neighbours by map() at C
    # speed; the loop below then runs once per line (a position of it: all give its start).
    lines = accumulate(map(text.count, repeat("\n"), [0, *hot_pos], hot_pos))
    for line, p in dict(zip(lines, hot_pos, strict=True)).items():
        if windows and max(0, line - reach) <= end_line:
            a, z = windows.pop()  # extend it: z is where line end_line starts
            steps = line + reach + 1 - end_line
        else:
            a = start = text.rfind("\n", 0, p) + 1
            for _ in range(reach):
                if not a:
                    break
                a = text.rfind("\n", 0, a - 1) + 1
            z, steps = start, reach + 1
        for _ in range(steps):
            q = text.find("\n", z)
            z = q + 1 if q >= 0 else len(text)
        windows.append((a, z))
        end_line = line + reach + 1
    return windows


def _pass_near(text: str, cfg: DedupeConfig, hot_pos: list[int]) -> list[tuple[int, int, str]]:
    """A sweep over the parts of ``text`` near ``hot_pos`` only: the rest has not changed since
    the sweep before, so it cannot hold anything new."""
    out: list[tuple[int, int, str]] = []
    k = 0
    for a, z in _windows(text, hot_pos, 6 * cfg.context_lines + 2):
        local = []
        while k < len(hot_pos) and hot_pos[k] <= z:
            if hot_pos[k] >= a:
                local.append(hot_pos[k] - a)
            k += 1
        out.extend((a + x, a + y, r) for x, y, r in _pass(text[a:z], cfg, local))
    return out


def _worth_units(text: str, ln: _Lines) -> set[int]:
    """The lines the unit analysis must look at: those where _SUSPECT finds a unit that starts
    with a repeated stretch or a doubled punctuation mark, and which hold a unit that can
    count as evidence (a unit doubled as a whole, a doubled mark) or may (see below)."""
    # Once a line has a doubled unit or mark (a group after the first one closed last), the
    # search skips to the next line: a page drawn in fake bold has a match every few characters,
    # and a line is decided by its first doubled one.
    starts = ln.starts
    n = len(starts)
    search = _SUSPECT.search
    suspects: set[int] = set()
    worth: set[int] = set()
    m = search(text)
    while m:
        no = bisect.bisect_right(starts, m.end()) - 1
        suspects.add(no)
        if m.lastindex == 1:
            m = search(text, m.end())
        else:
            worth.add(no)
            # (the next line's first unit follows the last character of this line's terminator)
            m = search(text, starts[no + 1] - 1) if no + 1 < n else None
    if _DOUBLED_AT.match(text):
        suspects.add(0)  # (no separator before the first line for _SUSPECT to match)
    # The rest hold no unit _SUSPECT saw doubled as a whole; their units could still count as
    # evidence if one is longer than it tests, is the first of the text, or is a mark written
    # in pairs drawn twice (……—— as a glyph-doubled token). A few lines: tested one by one.
    for no in suspects - worth:
        # (from the last character of the line before, a separator, to the end of the line)
        if no == 0 or _WORTH_ANYWAY().search(text, ln.starts[no] - 1, ln.end(no)):
            worth.add(no)
    return worth


def _pass(text: str, cfg: DedupeConfig, hot_pos: list[int]) -> list[tuple[int, int, str]]:
    """One sweep over ``text``: the spans to remove, sorted and non-overlapping. ``hot_pos``
    are positions where an earlier sweep removed text: evidence that the region is
    overprinted."""
    ln = _Lines.of(text)
    n = len(ln.starts)
    if not n:
        return []
    stripped = ln.stripped
    nb = list(accumulate(map(bool, stripped), initial=0))  # non-blank lines before i
    hot = sorted({nb[i] for i in _lines_of(ln, hot_pos)})

    items: list[_Item] = []
    suspects = _worth_units(text, ln)  # the lines for the unit analysis
    # A line can only be one stretch drawn again if its first two characters recur (found
    # at 2 or later: the line has 4 characters or more), tested at C speed.
    again = map(str.find, stripped, map(_FIRST_TWO, stripped), repeat(2))
    segments = set(compress(range(n), map((1).__add__, again)))
    # (_tail_item needs the last token earlier on its line too: a cheap test first)
    tails = _lines_of(
        ln,
        [
            p
            for c, rx in _TAILS
            if c in text
            for p in map(_tail_again, repeat(text), rx.finditer(text))
            if p >= 0
        ],
    )
    if cfg.line_copies:
        # Only lines that start or end alike (one pair in a hundred on the seed page) reach the
        # prefix tests, or the suffix tests: most lines of running text end alike (。), and
        # testing only the kind that can hold is a quarter faster there. (A C-speed prefilter
        # with itemgetter/compress was slower than this loop: it slices every line; zip is a
        # fifth faster than enumerate(pairwise()).)
        pairs = [
            k
            for k, s, t in zip(range(n), stripped, stripped[1:], strict=False)
            if s
            and t
            and (
                (s[0] == t[0] and (t.startswith(s) or s.startswith(t)))
                or (s[-1] == t[-1] and (t.endswith(s) or s.endswith(t)))
            )
        ]
        items.extend(_line_copy_items(text, ln, pairs))
    items.extend(_mark_line_items(text, ln))
    seg_done: set[int] = set()
    for no in sorted(segments | tails):
        s = stripped[no]
        if not s:
            continue
        off = ln.starts[no] + ln.raws[no].find(s[0])
        seg = _segment_item(s, off, no, cfg.max_copies) if no in segments else None
        if seg is None and no in tails:
            seg = _tail_item(s, off, no)
        if seg is not None:
            items.append(seg)
            seg_done.add(no)
        elif no in segments and len(s) > 128 and not _SPLITS.search(s):
            suspects.add(no)  # one run, longer than _SUSPECT looks at: 改革…改革…
    for no in sorted(suspects - seg_done):
        a, b = ln.starts[no], ln.end(no)
        items.extend(_chains(_line_units(text[a:b], a, cfg.max_copies), no, whole=True))
    for it in items:
        it.last = max(it.last, it.line)
    _accept(items, nb, hot, cfg)
    spans = sorted(s for it in items if it.accepted for s in it.spans)
    out: list[tuple[int, int, str]] = []
    for sp in spans:
        if out and sp[0] < out[-1][1]:
            continue  # overlapping evidence (a line copy that was also doubled inside)
        out.append(sp)
    return out


class _Map:
    """Positions of the current text in the original one, as kept segments."""

    def __init__(self, n: int) -> None:
        self.cur = [0]  # start of each kept segment in the current text
        self.orig = [0]  # its start in the original
        self.n = n

    def pieces(self, a: int, b: int) -> list[tuple[int, int]]:
        """Original ranges of current range [a, b)."""
        out: list[tuple[int, int]] = []
        i = bisect.bisect_right(self.cur, a) - 1
        while a < b:
            seg_end = self.cur[i + 1] if i + 1 < len(self.cur) else self.n
            stop = min(b, seg_end)
            o = self.orig[i] + (a - self.cur[i])
            out.append((o, o + stop - a))
            a = stop
            i += 1
        return out

    def remove(self, spans: list[tuple[int, int, str]], n_cur: int) -> _Map:
        new = _Map(n_cur - sum(b - a for a, b, _ in spans))
        new.cur, new.orig = [], []
        pos = 0
        kept = 0
        for a, b, _ in [*spans, (n_cur, n_cur, "")]:
            for o, e in self.pieces(pos, a):
                new.cur.append(kept)
                new.orig.append(o)
                kept += e - o
            pos = b
        if not new.cur:
            new.cur, new.orig = [0], [0]
        return new


def _cut(text: str, spans: list[tuple[int, int, str]]) -> tuple[str, list[int]]:
    """``text`` without ``spans`` (sorted, non-overlapping), and where each span was in it."""
    # Spans are made by the ten thousand on overprinted pages: slices and offsets are computed
    # by map() at C speed rather than by a loop over the spans.
    starts = list(map(_FIRST, spans))
    ends = list(map(_SECOND, spans))
    kept = map(slice, [0, *ends], [*starts, len(text)])
    at = list(map(sub, starts, accumulate(map(sub, ends, starts), initial=0)))
    return "".join(map(text.__getitem__, kept)), at


def _sweeps(text: str, config: DedupeConfig) -> tuple[str, list[tuple[int, int, str]]]:
    """The deduplicated text and the removed spans (original offsets, sorted)."""
    removed: list[tuple[int, int, str]] = []
    cur = text
    mapping: _Map | None = None
    hot: list[int] = []
    # Undoing one layer can expose another (lines that become equal once their doubled runs
    # are undone); sweeping again near the changes reaches the fixed point, so the stage is
    # idempotent.
    for sweep in range(4):
        spans = _pass(cur, config, hot) if sweep == 0 else _pass_near(cur, config, hot)
        if not spans:
            break
        if sweep == 0:
            removed = list(spans)  # offsets are still the original ones
        else:
            if mapping is None:
                mapping = _Map(len(text)).remove(removed, len(text))
            for a, b, rule in spans:
                removed.extend((o, e, rule) for o, e in mapping.pieces(a, b))
            mapping = mapping.remove(spans, len(cur))
        cur, hot = _cut(cur, spans)
        if sweep == 0:
            mapping = None
    removed.sort()
    return cur, removed


def dedupe_explain(text: str, config: DedupeConfig = DEFAULT) -> Explained:
    """Like :func:`dedupe`, and report each removed span with the pattern that matched.

    Rules: ``run`` (a word run drawn k times), ``glyph`` (each glyph drawn k times), ``punct``
    (a punctuation mark drawn k times), ``segment`` (a stretch of a line with spaces or
    punctuation drawn again), ``line`` (a whole line emitted again).

    >>> r = dedupe_explain("園區園區。。")
    >>> r.text, [(c.rule, c.start, c.before) for c in r.changes]
    ('園區。', [('run', 2, '園區'), ('punct', 5, '。')])
    """
    check_call("dedupe_explain", text, config, DedupeConfig)
    out, removed = _sweeps(text, config)
    merged: list[list[int | str]] = []
    for a, b, rule in removed:
        if merged and merged[-1][1] == a and merged[-1][2] == rule:
            merged[-1][1] = b
        else:
            merged.append([a, b, rule])
    changes = tuple(
        Change(NAME, str(r), int(a), int(b), text[int(a) : int(b)], "") for a, b, r in merged
    )
    return Explained(out, changes)


def dedupe(text: str, config: DedupeConfig = DEFAULT) -> str:
    """Remove the copies a fake-bold renderer drew; keep legitimate repeats.

    >>> dedupe("2012 年年年年 3333 月月月月 27272727 日日日日")
    '2012 年 3 月 27 日'
    """
    check_call("dedupe", text, config, DedupeConfig)
    return _sweeps(text, config)[0]


SPEC = register(
    StageSpec(
        NAME,
        DedupeConfig,
        dedupe,
        dedupe_explain,
        removes_text=True,
        summary="remove characters doubled by fake-bold rendering",
    )
)
