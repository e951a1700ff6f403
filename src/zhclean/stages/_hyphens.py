"""A hyphen where a line ended: part of a compound (``firm-level``), or put there by the
typesetter to cut a word in two (``tech-nology``)? The text around it decides, for the join
stage (``firm-⏎level``) and for normalize (pdfium's U+0002, ``firm\\x02level``, a line-end
hyphen it took out with the line end).

>>> Words(["Firm-level data, a new technology."]).keeps_hyphen("firm", "level", False)
True
"""

from __future__ import annotations

import re

from .chars import CJK, CJK_PUNCT

# Words that commonly start a hyphenated compound: keep the hyphen when a line breaks there.
# Not those TeX also breaks words after (ex-ample, state-ment, pre-vious, high-est, one-self).
COMPOUND_HEADS = frozenset(
    re.findall(
        r"\w+",
        "self well non cross long short full half all semi anti built two three four five "
        "first second third x e",
    )
)
# The word before a line-end hyphen (one group): Latin letters ending lower-case, after a
# non-word character or a CJK one (``\b`` alone misses 开发的Lasso-: a CJK character is a word
# character too; a digit, é or _ before the letters means they are not a word's start).
HEAD = rf"(?:(?<=[{CJK}{CJK_PUNCT}])|(?<!\w))([A-Za-z]*[a-z])"
# the word after it: what join and normalize compare with the text's other words
TAIL = re.compile(r"[A-Za-z]+")
# the words cut at a line end (by a hyphen and a newline, or pdfium's U+0002): not evidence.
# (Anchored at a word's start: unanchored, a long run of letters was tried from each of them.)
_CUT = re.compile(r"(?<![A-Za-z])[A-Za-z]*(?:(?:-\n|\x02)[A-Za-z]*)+")
_HYPHENATED = re.compile(r"(?<![A-Za-z])[A-Za-z]+-[A-Za-z]+(?![A-Za-z])")
_LATIN_WORD = re.compile(r"(?<![A-Za-z-])[A-Za-z]+(?![A-Za-z-])")
_CJK_CHAR = re.compile(f"[{CJK}]")


def in_chinese(before: str, after: str) -> bool:
    """Whether a Latin word stands in Chinese text: a CJK character just before it or just
    after it, one space apart at most (``before``, ``after``: the text on either side).

    >>> in_chinese("开发的 ", " 模型"), in_chinese("Peking ", " is")
    (True, False)
    """
    b = before[-2:].rstrip(" ")[-1:]
    a = after[:2].lstrip(" ")[:1]
    return bool(_CJK_CHAR.match(b) or _CJK_CHAR.match(a))


class Words:
    """The Latin words of a block's lines: what the text writes elsewhere in the block tells a
    compound from a word cut in two. Read on the first question only (few blocks need it); the
    words cut at line ends themselves are left out."""

    def __init__(self, texts: list[str]) -> None:
        self._texts = texts
        self._plain: set[str] | None = None
        self._hyphenated: set[str] = set()

    def _read(self) -> set[str]:
        text = _CUT.sub(" ", "\n".join(self._texts))
        self._hyphenated = {w.lower() for w in _HYPHENATED.findall(text)}
        self._plain = {w.lower() for w in _LATIN_WORD.findall(text)}
        return self._plain

    def keeps_hyphen(self, head: str, tail: str, in_chinese: bool) -> bool:
        """Whether ``head-⏎tail`` is a compound (the hyphen stays) rather than one word
        hyphenated at the line end; ``in_chinese``: the word stands in Chinese text.

        >>> w = Words(["Firm-level data, a new technology."])
        >>> [w.keeps_hyphen(h, t, False) for h, t in [("firm", "level"), ("tech", "nology"),
        ...  ("Uni", "versity"), ("with", "out"), ("well", "known")]]
        [True, False, False, False, True]
        >>> w.keeps_hyphen("Lasso", "logistic", True), w.keeps_hyphen("tech", "nology", True)
        (True, False)
        """
        plain = self._plain if self._plain is not None else self._read()
        h, t = head.lower(), tail.lower()
        if h + t in plain:
            return False  # the word is written whole elsewhere
        # written hyphenated elsewhere; or Latin words in Chinese text, which Chinese typesetting
        # does not hyphenate (开发的Lasso-⏎logistic模型): the hyphen is the author's
        return f"{h}-{t}" in self._hyphenated or h in COMPOUND_HEADS or in_chinese
