"""Word segmentation with jieba; Traditional text is segmented through a Simplified copy.

jieba is trained on Simplified text, so for Traditional input the cuts are found on a
length-preserving Simplified copy and mapped back onto the original characters.

>>> segment("我們天天看書")
['我們', '天天', '看書']
>>> segment_text("改革引擎\\n賦能產業")
'改革 引擎\\n賦能 產業'
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from .base import Explained, StageSpec, register

NAME = "segment"


@dataclass(frozen=True)
class SegmentConfig:
    """Settings of the ``segment`` stage.

    delimiter: what separates words in text output.
    hmm: let jieba guess words missing from its dictionary.
    via_simplified: segment a Simplified copy of Traditional text and map the cuts back.
    """

    delimiter: str = " "
    hmm: bool = True
    via_simplified: bool = True


DEFAULT = SegmentConfig()


@cache
def _tokenizer() -> Any:
    import jieba  # lazy: only commands that segment pay for it

    tok = jieba.Tokenizer()
    cache_dir = os.environ.get("ZHCLEAN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "zhclean"
    )
    with contextlib.suppress(OSError):
        os.makedirs(cache_dir, exist_ok=True)
        tok.tmp_dir = cache_dir
    jieba.setLogLevel(60)  # keep its loading chatter off stdout and stderr
    with contextlib.redirect_stdout(io.StringIO()):
        tok.initialize()
    return tok


def _simplified_copy(line: str) -> str:
    from .convert import ConvertConfig, convert

    simp = convert(line, ConvertConfig("t2s"))
    return simp if len(simp) == len(line) else line


def _cut_line(line: str, cfg: SegmentConfig) -> list[str]:
    if not line.strip():
        return []
    basis = _simplified_copy(line) if cfg.via_simplified else line
    words: list[str] = []
    pos = 0
    for w in _tokenizer().cut(basis, HMM=cfg.hmm):
        piece = line[pos : pos + len(w)]
        pos += len(w)
        words.extend(piece.split())
    return words


def segment(text: str, config: SegmentConfig = DEFAULT) -> list[str]:
    """The words of ``text``, whitespace dropped: ``"".join(words)`` is ``text`` without spaces."""
    return [w for line in text.split("\n") for w in _cut_line(line, config)]


def segment_text(text: str, config: SegmentConfig = DEFAULT) -> str:
    """Segment each line; words joined by ``config.delimiter``, one output line per input line."""
    return "\n".join(config.delimiter.join(_cut_line(line, config)) for line in text.split("\n"))


def segment_explain(text: str, config: SegmentConfig = DEFAULT) -> Explained:
    """Like :func:`segment_text`; segmentation is reported as a summary."""
    return Explained(segment_text(text, config))


SPEC = register(
    StageSpec(
        NAME, SegmentConfig, segment_text, segment_explain, summary="segment words with jieba"
    )
)
