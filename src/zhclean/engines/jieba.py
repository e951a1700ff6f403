"""One adapter over jieba and rjieba (its Rust port, the ``fast`` extra).

:func:`load` returns a :class:`Segmenter` for an engine and a set of user dictionaries, built
once per process: jieba's dictionary takes about a second to load (rjieba's 0.1 s), so it is
loaded on first use and kept. jieba keeps its prefix-dictionary cache in a per-user cache
directory (``$ZHCLEAN_CACHE``, else ``$XDG_CACHE_HOME/zhclean``, else ``~/.cache/zhclean``),
written atomically under a lock, so parallel workers neither race on it nor rebuild it each;
its loading messages are silenced.

>>> load("auto").cut("我来到北京清华大学", hmm=True)
['我', '来到', '北京', '清华大学']
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import sys
from collections.abc import Iterator
from functools import cache
from typing import Any, Protocol

ENGINES = ("auto", "jieba", "rjieba")
MODES = ("accurate", "full", "search")

# jieba's own user-dictionary line format: word [frequency] [tag]
_USERDICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")


class Segmenter(Protocol):
    """What both engines offer, with the same arguments."""

    name: str

    def cut(self, text: str, hmm: bool) -> list[str]: ...
    def cut_all(self, text: str) -> list[str]: ...
    def tokenize_search(self, text: str, hmm: bool) -> list[tuple[str, int, int]]: ...
    def tag(self, text: str, hmm: bool) -> list[tuple[str, str]]: ...
    def add_word(self, word: str, freq: int | None, tag: str | None) -> None: ...


def has_rjieba() -> bool:
    """Whether rjieba is installed (checked without importing it)."""
    return importlib.util.find_spec("rjieba") is not None


def resolve(engine: str) -> str:
    """The engine ``auto`` stands for: rjieba when installed, else jieba."""
    if engine not in ENGINES:
        raise ValueError(f"unknown segmentation engine {engine!r}; valid: {', '.join(ENGINES)}")
    if engine == "auto":
        return "rjieba" if has_rjieba() else "jieba"
    return engine


def cache_dir() -> str:
    """Where jieba's prefix-dictionary cache lives (created if missing)."""
    import tempfile

    base = os.environ.get("ZHCLEAN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "zhclean"
    )
    for candidate in (base, os.path.join(tempfile.gettempdir(), f"zhclean-{_user()}")):
        try:
            os.makedirs(candidate, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK):
            return candidate
    return tempfile.gettempdir()


def _user() -> str:
    getuid = getattr(os, "getuid", None)
    return str(getuid()) if getuid else os.environ.get("USERNAME", "user")


@contextlib.contextmanager
def _locked(path: str) -> Iterator[None]:
    """An exclusive lock across processes (POSIX; elsewhere jieba's atomic write suffices)."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    try:
        fh = open(path, "a")  # noqa: SIM115  (closed below)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield
    finally:
        fh.close()  # releases the lock


class _Jieba:
    name = "jieba"

    def __init__(self) -> None:
        import io
        import logging
        from importlib import metadata

        import jieba

        folder = cache_dir()
        version = metadata.version("jieba")
        self._tok = jieba.Tokenizer()
        self._tok.tmp_dir = folder
        self._tok.cache_file = f"jieba-{version}-py{sys.version_info[0]}{sys.version_info[1]}.cache"
        self._pos: Any = None
        logger = logging.getLogger("jieba")
        level = logger.level
        logger.setLevel(logging.ERROR)  # "Building prefix dict ..." is not the user's business
        try:
            with (
                _locked(os.path.join(folder, self._tok.cache_file + ".lock")),
                contextlib.redirect_stdout(io.StringIO()),
            ):
                self._tok.initialize()
        finally:
            logger.setLevel(level)

    def cut(self, text: str, hmm: bool) -> list[str]:
        return list(self._tok.cut(text, HMM=hmm))

    def cut_all(self, text: str) -> list[str]:
        return [w for w in self._tok.cut(text, cut_all=True) if w]

    def tokenize_search(self, text: str, hmm: bool) -> list[tuple[str, int, int]]:
        return list(self._tok.tokenize(text, mode="search", HMM=hmm))

    def tag(self, text: str, hmm: bool) -> list[tuple[str, str]]:
        if self._pos is None:
            from jieba import posseg

            self._pos = posseg.POSTokenizer(self._tok)
        return [(p.word, p.flag) for p in self._pos.cut(text, HMM=hmm)]

    def add_word(self, word: str, freq: int | None, tag: str | None) -> None:
        self._tok.add_word(word, freq, tag)
        if self._pos is not None and tag:
            self._pos.word_tag_tab[word] = tag


class _RJiebaAPI(Protocol):
    """What :class:`_RJieba` uses of ``rjieba.Jieba``: typed here, since rjieba is an optional
    extra (with it installed, mypy checks that its stubs agree)."""

    def cut(self, text: str, hmm: bool = True) -> list[str]: ...
    def cut_all(self, text: str) -> list[str]: ...
    def tokenize(
        self, text: str, mode: str = "default", hmm: bool = True
    ) -> list[tuple[str, int, int]]: ...
    def tag(self, text: str, hmm: bool = True) -> list[tuple[str, str]]: ...
    def add_word(self, word: str, freq: int | None, tag: str | None) -> object: ...


class _RJieba:
    """rjieba takes UTF-8 only: a text with lone surrogates (decoded with surrogateescape) is
    cut as a copy with U+FFFD in their place, a symbol as they are to jieba, and the words are
    mapped back onto the text. Only that rare text pays for it: the engine raises first."""

    name = "rjieba"

    def __init__(self, shared: bool) -> None:
        import rjieba  # builds its default dictionary as it is imported

        # a fresh Jieba loads the dictionary again: only for user words, which must not leak
        # into the module's shared instance
        self._j: _RJiebaAPI = rjieba._DEFAULT_JIEBA if shared else rjieba.Jieba()

    def cut(self, text: str, hmm: bool) -> list[str]:
        try:
            return self._j.cut(text, hmm)
        except UnicodeEncodeError:
            return _by_length(text, self._j.cut(_no_surrogates(text), hmm))

    def cut_all(self, text: str) -> list[str]:
        try:
            words = self._j.cut_all(text)
        except UnicodeEncodeError:
            copy = _no_surrogates(text)
            words, start = [], 0
            for w in self._j.cut_all(copy):  # overlapping words, starts in order
                found = copy.find(w, start)
                if found >= 0:
                    words.append(text[found : found + len(w)])
                    start = found
        return [w for w in words if w]

    def tokenize_search(self, text: str, hmm: bool) -> list[tuple[str, int, int]]:
        try:
            return self._j.tokenize(text, "search", hmm)
        except UnicodeEncodeError:
            found = self._j.tokenize(_no_surrogates(text), "search", hmm)
            return [(text[s:e], s, e) for _, s, e in found]

    def tag(self, text: str, hmm: bool) -> list[tuple[str, str]]:
        try:
            return self._j.tag(text, hmm)
        except UnicodeEncodeError:
            pairs = self._j.tag(_no_surrogates(text), hmm)
            words = _by_length(text, [w for w, _ in pairs])
            return [(w, t) for w, (_, t) in zip(words, pairs, strict=True)]

    def add_word(self, word: str, freq: int | None, tag: str | None) -> None:
        self._j.add_word(word, freq, tag)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _by_length(text: str, words: list[str]) -> list[str]:
    """``text`` cut into pieces as long as ``words``."""
    pos = 0
    return [text[pos : (pos := pos + len(w))] for w in words]


def read_userdict(path: str) -> list[tuple[str, int | None, str | None]]:
    """The entries of a jieba user dictionary: ``word [freq] [tag]`` a line, UTF-8.

    Raises OSError when the file cannot be read, ValueError when it is not UTF-8.
    """
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: a user dictionary must be UTF-8 ({exc.reason})") from None
    entries: list[tuple[str, int | None, str | None]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        m = _USERDICT_LINE.match(line)
        if m is None:  # cannot happen for a non-empty line, but keep the type checker honest
            continue
        word, freq, tag = m.groups()
        entries.append(
            (word, int(freq) if freq else None, tag.strip() if tag else None),
        )
    return entries


@cache
def load(engine: str, dicts: tuple[str, ...] = (), simplify: str | None = None) -> Segmenter:
    """The segmenter of ``engine`` (``auto``, ``jieba`` or ``rjieba``) with the user
    dictionaries ``dicts`` loaded (into rjieba too), built once per process.

    With ``simplify`` (an OpenCC config such as ``t2s``), each user word is also added in its
    converted form, with the same frequency and tag, so that a Traditional user word is found
    in the Simplified copy that Traditional text is segmented through.
    """
    # (a union: mypy 1.8 types the conditional expression `object`, which is no Segmenter)
    seg: _RJieba | _Jieba = _RJieba(shared=not dicts) if resolve(engine) == "rjieba" else _Jieba()
    for path in dicts:
        entries = read_userdict(path)
        if simplify and entries:
            from ..engines.opencc import build

            cc = build(simplify)
            converted = [(cc.convert(w), f, t) for w, f, t in entries]
            entries += [c for c, (w, _, _) in zip(converted, entries, strict=True) if c[0] != w]
        for word, freq, tag in entries:
            seg.add_word(word, freq, tag)
    return seg


def versions() -> list[tuple[str, str]]:
    """The installed segmentation engines and their versions (without importing them)."""
    from importlib import metadata

    found = []
    for dist in ("jieba", "rjieba"):
        try:
            found.append((dist, metadata.version(dist)))
        except metadata.PackageNotFoundError:
            continue
    return found
