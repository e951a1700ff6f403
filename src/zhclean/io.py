"""Input and output at the edges: decoding (BOM, UTF-8, GB18030, Big5…), atomic writes, walking.

>>> decode_bytes("漢字".encode("big5"))
('漢字', 'big5')
>>> decode_bytes(b"\\xef\\xbb\\xbfabc")
('abc', 'utf-8-sig')

Big5 is decoded the way browsers do (the WHATWG Encoding Standard): Big5-HKSCS, whose ETEN and
HKSCS rows most Big5 files use, with the Windows (CP950) code points for eleven punctuation marks
where Python's codecs follow an older table, e.g. 0xA145 is U+2027 ‧, not U+2022 •.

>>> decode_bytes(b"\\xa1\\x45", encoding="big5")
('‧', 'big5hkscs')
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from .stages.chars import lazy_re

SAMPLE = 1 << 16
#: A line longer than this is passed on in pieces of about this size.
LONG_LINE = 1 << 20

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class DecodeError(ValueError):
    """Input that is not text in any encoding we know (or not in the one asked for)."""


def _utf8_prefix_ok(sample: bytes, complete: bool) -> bool:
    dec = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        dec.decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


# The encodings a Chinese text file without a BOM that is not UTF-8 is in, in practice. Detection
# is restricted to them: a wider list lets a GBK file come out as a Latin or Cyrillic mojibake.
CJK_ENCODINGS = ("gb18030", "big5hkscs")
# Name charset-normalizer or a user gives -> the codec we decode with (the superset).
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs"}

# Big5 codes that Python's big5/big5hkscs codecs map differently from WHATWG and Windows (CP950).
# Each of these code points comes from exactly one Big5 code, so mapping after decoding is exact.
# (0xA241 and 0xA242 decode to the full-width ／ and ＼ in Python, as 0xA1FE and 0xA240 do; they
# are left that way: the normalize stage turns both into / and \\ anyway.)
_BIG5_FIX = str.maketrans(
    {
        "\u2022": "\u2027",  # A145 ‧ hyphenation point (the interpunct of transliterated names)
        "\uff64": "\ufe51",  # A14E ﹑
        "\u203e": "\u00af",  # A1C2 ¯
        "\u223c": "\uff5e",  # A1E3 ～
        "\u2641": "\u2295",  # A1F2 ⊕
        "\u2609": "\u2299",  # A1F3 ⊙
        "\u00a5": "\uffe5",  # A244 ￥
        "\u00a2": "\uffe0",  # A246 ￠
        "\u00a3": "\uffe1",  # A247 ￡
    }
)


def _codec(name: str) -> str:
    """The Python codec to decode ``name`` with: the superset, e.g. gbk -> gb18030."""
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        raise DecodeError(f"unknown encoding {name!r}") from None
    return _SUPERSETS.get(canonical, canonical)


# The 500 most frequent Han characters of jieba's dictionary (weighted by word frequency) and
# their Traditional forms (OpenCC s2t). About 70-77% of the Han characters of real Chinese text
# (PKU, CityU, all the realpdf extractions) are among them, about 10% of GBK bytes read as Big5 or
# Big5 read as GBK: mojibake is made of rare characters. That tells the two encodings apart where
# charset-normalizer's mess detector gives up (it rejects plain GBK news text with full-width
# digits and ℃ in it as "chaotic").
_COMMON_HAN = frozenset(
    "一万三上下不与专世业东两並个中为主举么义之也书了争事二于五亚些亞交产京亲人什今从他代令以们"
    "件价任众会传但位住体何作你使來便保信個們候值做備傳像價儿元先光克兒党入內全兩八公共关兵其具"
    "内再军农决况准几出分划则別利别到制則前力办功加务动势動務勢包化北区區十千半华单南即却卻历原"
    "去县参參又及反发取受变口古只叫可台史号司吃各合同名后向听告员周命和品員商問喫單器四回因团国"
    "图國圖團土在地场型城基報場境增士声处备复外多大天太夫头女她好如始委子字学學它安完官定实家容"
    "實对导将將專對導小少尔就展属屬山州工己已市布师帝带師帶常干平年并幹幾广应府度廣建开式张張強"
    "强当形影往很律後得從復德心必快怎思性总息情想意愛感應成我或战戰所手才打技把投报拉持指据接提"
    "據支收改放政教数整數文料断斯新斷方於族无日早时明是時更書最會月有望朝期本术机权李条来東极构"
    "林果校样根格條業極構樣機權次正此步武歷死段每比民气氣水求汉江決沒没河治況法活派流济海深清游"
    "湖源準漢濟火点热無然熱爭爱爲爾片物特王现現理生產用由电界當病發白百的皇目直相省看真眼着知石"
    "研示社神种科积称程種稱積究空立笑第等算管米类精系紀約紅級組結給統經網線編縣總红约级纪线组经"
    "结给统编网美羣群義老考者而职联聯聲職聽股育能自至臺與舉色花英華萬處號衆行術表被装裏裝西要見"
    "規親觀见观规解言計記設許話該認語說調論證議變讓计认让议记许论设证话该语说调象資質质资走起路"
    "身車軍較轉车转较辦農边达过运近还这进远连选這通速造連進遊運過道達遠選還邊那部都里重量金鐵铁"
    "長长門開間關门问间队阳际院陽隊随際隨难集難電需非面革領頭題類领题風风首馬马體高魚鱼麼黃黄點"
    "黨"
)


# only files that are not UTF-8 need them: compiled then (2.5 ms)
_NOT_HAN = lazy_re("[^\u3400-\u9fff\U00020000-\U0003ffff]+")
_COMMON_HAN_RE = lazy_re(f"[{_COMMON_HAN}]+")


def _han_score(text: str) -> tuple[float, int]:
    """The share of common characters among the Han characters of ``text``, and their number.

    (Counted by two regex passes, at C speed: it runs for each candidate encoding of every file
    that is not UTF-8.)

    >>> _han_score("我們的ABC龘")
    (0.75, 4)
    """
    han = _NOT_HAN().sub("", text)
    if not han:
        return 0.0, 0
    common = len(han) - len(_COMMON_HAN_RE().sub("", han))
    return common / len(han), len(han)


def _strict(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except UnicodeDecodeError:
        return None


def detect_encoding(sample: bytes, complete: bool = True) -> str:
    """Guess the encoding of ``sample`` (the start of a file, or all of it if ``complete``).

    Order: a BOM (UTF-8, UTF-16, UTF-32); strict UTF-8; then, among GB18030 (a superset of GBK
    and GB2312) and Big5-HKSCS (a superset of Big5), those that decode the sample, the one whose
    text is made of common Chinese characters rather than mojibake; charset-normalizer, limited
    to these two, breaks ties and judges text with few Han characters.
    Raises :class:`DecodeError` for binary data and for text in none of these.

    >>> detect_encoding("改革开放以来，我国经济社会发展取得了举世瞩目的成就。".encode("gbk"))
    'gb18030'
    >>> detect_encoding("永州經濟技術開發區猶如區域經濟浪潮中的一艘巨輪。".encode("big5"))
    'big5hkscs'
    """
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    head = sample[:8192]
    nuls = head.count(b"\x00")
    utf8 = _utf8_prefix_ok(sample, complete)
    # Extractors write a NUL now and then for a glyph they could not map (pdfminer and pypdf do,
    # in realpdf/lapiscv-resume): text with a few is still text; binary files have many, or are
    # not UTF-8 at all.
    if nuls and (not utf8 or nuls > len(head) // 20):
        raise DecodeError("looks like a binary file (NUL bytes)")
    if utf8:
        return "utf-8"
    if not complete and b"\n" in sample:
        # A sample may end inside a character; a newline byte is never part of a GB18030 or Big5
        # character, so cut there.
        sample = sample[: sample.rindex(b"\n") + 1]
    scored = []
    for enc in CJK_ENCODINGS:
        text = _strict(sample, enc)
        if text is not None:
            scored.append((*_han_score(text[:20000]), enc))
    if not scored:
        raise DecodeError("not UTF-8, GB18030 or Big5 text; try --encoding")
    scored.sort(reverse=True)
    best_score, han, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if han and best_score >= 0.3 and best_score - runner_up >= 0.15:
        return best
    from charset_normalizer import from_bytes  # lazy: only for the hard cases

    match = from_bytes(sample, cp_isolation=[enc for _, _, enc in scored]).best()
    if match is not None:
        return _codec(match.encoding)
    if best_score >= 0.1 and best_score > runner_up:
        return best  # charset-normalizer gave up, but the characters lean one way
    raise DecodeError("not UTF-8, GB18030 or Big5 text (or too garbled to tell); try --encoding")


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode a whole byte string; return the text and the encoding it was in.

    A detected Big5 file that needs none of the HKSCS codes is reported as ``big5``; a given
    ``encoding`` is reported as the codec it was decoded with (``gbk`` -> ``gb18030``).

    >>> decode_bytes("電腦".encode("big5"), encoding="cp950")
    ('電腦', 'cp950')
    """
    enc = _codec(encoding) if encoding else detect_encoding(data, complete=True)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"cannot decode as {enc}: {exc.reason} at byte {exc.start}") from None
    if enc == "big5hkscs":
        text = text.translate(_BIG5_FIX)
        if encoding is None:
            with contextlib.suppress(UnicodeDecodeError):
                data.decode("big5")  # only to name it: decoding is the same
                enc = "big5"
    return text.lstrip("\ufeff") if enc.startswith("utf") else text, enc


def iter_decoded_lines(
    stream: BinaryIO, encoding: str | None = None, *, chunks: bool = False
) -> tuple[str, Iterator[str]]:
    """Decode a binary stream incrementally; return the encoding and an iterator of lines.

    The encoding is chosen from the first 64 KiB (unless given), or, in a file (not a pipe)
    that starts with 64 KiB of ASCII, from 64 KiB at its first other byte; the rest is decoded
    as it arrives, so a pipe stays a pipe. A line longer than :data:`LONG_LINE` comes in pieces (the
    items always concatenate to the text). ``chunks``: instead of one line at a time, all the
    whole lines of each read at once (about 64 KiB: a Python step per chunk, not per line, for
    a reader that takes runs of lines anyway).

    >>> import io
    >>> list(iter_decoded_lines(io.BytesIO("一\\n二\\n三".encode()), chunks=True)[1])
    ['一\\n二\\n', '三']
    """
    first = stream.read(SAMPLE) or b""
    complete = len(first) < SAMPLE
    if encoding:
        enc = _codec(encoding)
    else:
        later = _later_sample(stream) if not complete and first.isascii() else None
        enc = detect_encoding(*(later or (first, complete)))
    dec = codecs.getincrementaldecoder(enc)("strict")
    fix = _BIG5_FIX if enc == "big5hkscs" else None

    def lines() -> Iterator[str]:
        # The unfinished line is kept as pieces and only new text is split, so a long line costs
        # linear time; past LONG_LINE characters it is passed on in pieces (the pipeline takes
        # chunks of any size), so memory stays bounded on a file that is one enormous line.
        pending: list[str] = []
        held = 0
        chunk = first
        at_start = True
        offset = 0  # bytes given to the decoder so far
        ascii_so_far = True  # what was decoded says nothing of the encoding
        while True:
            final = not chunk
            try:
                text = dec.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                end = offset + len(chunk)
                raise _bad_bytes(exc, enc, end, given=bool(encoding), ascii=ascii_so_far) from None
            offset += len(chunk)
            if ascii_so_far and not text.isascii():
                ascii_so_far = False
            if at_start and text:
                text = text.lstrip("\ufeff")
                at_start = False
            if fix is not None:
                text = text.translate(fix)
            if chunks and "\n" in text:
                cut = text.rindex("\n") + 1
                pending.append(text[:cut])
                yield "".join(pending)
                pending, held = [text[cut:]], len(text) - cut
            elif "\n" in text:
                parts = text.split("\n")
                pending.append(parts[0])
                yield "".join(pending) + "\n"
                for p in parts[1:-1]:
                    yield p + "\n"
                pending, held = [parts[-1]], len(parts[-1])
            elif text:
                pending.append(text)
                held += len(text)
                if held >= LONG_LINE:
                    yield "".join(pending)
                    pending, held = [], 0
            if final:
                break
            chunk = stream.read1(SAMPLE) if hasattr(stream, "read1") else stream.read(SAMPLE)
        rest = "".join(pending)
        if rest:
            yield rest

    return enc, lines()


def _bad_bytes(
    exc: UnicodeDecodeError, enc: str, end: int, *, given: bool, ascii: bool
) -> DecodeError:
    """The error for bytes that do not decode, met past the sample the encoding was chosen from
    (``end``: how many bytes the decoder had been given, the failing chunk included): where
    they are, as a byte offset into the input, and which; to try --encoding only when the text
    before them said nothing of its encoding (ASCII). After text that decoded, a bad byte is
    damage (a stray byte in a UTF-8 file), not another encoding.

    >>> try:
    ...     b"abc\\xff".decode("utf-8")
    ... except UnicodeDecodeError as exc:
    ...     print(_bad_bytes(exc, "utf-8", 100, given=False, ascii=False))
    input is not valid utf-8 at byte 99 (0xff), in text that is valid utf-8 before it
    """
    # the decoder's error counts from the start of the bytes it held back and the chunk
    at = end - len(exc.object) + exc.start
    bad = " ".join(f"0x{b:02x}" for b in exc.object[exc.start : exc.end])
    where = f"input is not valid {enc} at byte {at} ({bad})"
    if given:
        return DecodeError(where)
    if ascii:
        return DecodeError(f"{where}; the text before it is ASCII: try --encoding")
    return DecodeError(f"{where}, in text that is valid {enc} before it")


_NON_ASCII = re.compile(rb"[\x80-\xff]")
# How far a file that starts with ASCII is read ahead for its first other byte (bytes).
LOOK_AHEAD = 64 << 20


def _later_sample(stream: BinaryIO) -> tuple[bytes, bool] | None:
    """For a file whose first SAMPLE bytes are ASCII, which say nothing of its encoding (an
    English preface before the Chinese text): SAMPLE bytes from its first other byte on (within
    LOOK_AHEAD), and whether they reach its end; the file is read from where it was. None for a
    pipe, which cannot be read twice."""
    try:
        if not stream.seekable():
            return None
        pos = stream.tell()
    except (AttributeError, OSError, ValueError):
        return None
    try:
        seen = 0
        while seen < LOOK_AHEAD:
            chunk = stream.read(1 << 20)
            if not chunk:
                return None  # ASCII to the end: UTF-8, as the first sample says
            seen += len(chunk)
            if chunk.isascii():
                continue
            m = _NON_ASCII.search(chunk)
            assert m is not None
            sample = chunk[m.start() : m.start() + SAMPLE]
            if len(sample) < SAMPLE:
                sample += stream.read(SAMPLE - len(sample))
            return sample, len(sample) < SAMPLE
        return None
    finally:
        stream.seek(pos)


def read_text(path: str | os.PathLike[str], encoding: str | None = None) -> tuple[str, str]:
    """Read and decode a whole file; return the text and the encoding."""
    return decode_bytes(Path(path).read_bytes(), encoding)


TEMP_SUFFIX = ".zhclean-tmp"


# The paths that name a descriptor of this process: writing to one means writing to that open
# file description, at its offset and with its flags (``>>`` appends), not opening the file anew.
_FD_PATH = re.compile(r"/(?:dev/fd|proc/(?:self|thread-self|(\d+)(?:/task/\d+)?)/fd)/(\d+)")
_STD_NAMES = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def descriptor_named(path: str | os.PathLike[str]) -> int | None:
    """The descriptor of this process that ``path`` names, if it names one: ``-`` (stdout),
    ``/dev/stdout``, ``/dev/fd/N``, ``/proc/self/fd/N``, or a symbolic link that leads to one
    of them. None for any other path.

    >>> descriptor_named("-"), descriptor_named("/dev/fd/7"), descriptor_named("out.txt")
    (1, 7, None)
    """
    p = os.fspath(path)
    if p == "-":
        return 1
    p = os.path.abspath(p)
    for _ in range(40):  # a chain of symbolic links, followed one at a time (ELOOP beyond)
        if p in _STD_NAMES and not os.path.islink(p):
            return _STD_NAMES[p]  # (a device where /dev/stdout is one, as on macOS)
        m = _FD_PATH.fullmatch(p)
        if m is not None:
            pid = m.group(1)
            return int(m.group(2)) if pid is None or int(pid) == os.getpid() else None
        try:
            link = os.readlink(p)
        except OSError:
            return None
        p = os.path.normpath(os.path.join(os.path.dirname(p), link))
    return None


def _under_proc(path: str | os.PathLike[str]) -> bool:
    # /proc's files (another process's descriptors, kernel settings) cannot be replaced by a
    # rename; a file on a RAM disk such as /dev/shm is a file like any other
    real = os.path.realpath(path)
    return any(p == "/proc" or p.startswith("/proc/") for p in (os.path.abspath(path), real))


class AtomicFile:
    """A temporary file beside ``path``: :meth:`commit` renames it into place, :meth:`discard`
    removes it (and the folders it created for it). Use :func:`atomic_writer` unless the two
    outcomes are decided far apart.

    ``durable`` fsyncs the data before the rename, so a power cut cannot leave an empty file
    under the final name; a crash or Ctrl-C never leaves a partial one either way.

    ``through``: write as a shell's ``>`` would, where the user names the output: through a
    symbolic link to the file it names (the link stays a link); into a device or a FIFO
    (``/dev/null``, a named pipe) or a file of ``/proc`` as it is, without a temporary file,
    since renaming one over it would replace it (a directory raises
    :class:`IsADirectoryError`); and into an open descriptor of this process where the path
    names one (``-`` is stdout; ``/dev/stdout``, ``/dev/fd/N``): at its offset and with its
    flags, so that ``-o /dev/stdout >> log`` appends to the log as ``>>`` asked. Without it
    the path itself is replaced, whatever it is: a mirror's outputs stay inside it.
    """

    def __init__(
        self, path: str | os.PathLike[str], durable: bool = True, through: bool = False
    ) -> None:
        self.target = Path(path)
        self.durable = durable
        self.closed = False
        self.tmp = ""
        self.made: list[Path] = []  # folders made for it, deepest first
        if through:
            fd = descriptor_named(path)
            if fd is not None:
                try:
                    self.fh: BinaryIO = os.fdopen(os.dup(fd), "wb")
                except OSError as exc:  # not open: say which
                    raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None
                return
            try:
                st = os.stat(path)  # (follows symbolic links)
            except FileNotFoundError:
                st = None
            if st is not None and (not stat.S_ISREG(st.st_mode) or _under_proc(path)):
                if stat.S_ISDIR(st.st_mode):
                    raise IsADirectoryError(21, "Is a directory", os.fspath(path))
                # O_TRUNC as the shell's > does (nothing for a device or a FIFO)
                flags = os.O_WRONLY | (os.O_TRUNC if stat.S_ISREG(st.st_mode) else 0)
                self.fh = os.fdopen(os.open(path, flags), "wb")
                return
            if os.path.islink(path):
                self.target = Path(os.path.realpath(path))
        folder = self.target.parent
        while not folder.exists() and folder != folder.parent:
            self.made.append(folder)
            folder = folder.parent
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(
                prefix=f".{self.target.name}.", suffix=TEMP_SUFFIX, dir=self.target.parent
            )
        except BaseException:
            self._remove_made()
            raise
        self.fh = os.fdopen(fd, "wb")

    def commit(self) -> None:
        if self.closed:
            raise ValueError("already committed or discarded")
        if not self.tmp:  # a device, a FIFO or a descriptor, written as it is
            self.closed = True
            self.fh.close()
            return
        try:
            self.fh.flush()
            if self.durable:
                os.fsync(self.fh.fileno())
            self.fh.close()
            with contextlib.suppress(OSError):
                os.chmod(self.tmp, _mode_for(self.target))
            os.replace(self.tmp, self.target)
            self.closed = True
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Remove the temporary file and the folders made for it (nothing happens after a
        commit)."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError):
            self.fh.close()
        if self.tmp:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self._remove_made()

    def _remove_made(self) -> None:
        for folder in self.made:  # only while empty: another process may have used them since
            with contextlib.suppress(OSError):
                folder.rmdir()


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike[str], durable: bool = True, through: bool = False
) -> Iterator[BinaryIO]:
    """Write to a temporary file beside ``path`` and rename it into place on success.

    On any error (or Ctrl-C) the temporary file is removed and ``path`` is left untouched.
    ``through``: see :class:`AtomicFile`.
    """
    f = AtomicFile(path, durable, through)
    try:
        yield f.fh
    except BaseException:
        f.discard()
        raise
    f.commit()


def remove_temp_files(path: str | os.PathLike[str]) -> int:
    """Remove what an :class:`AtomicFile` for ``path`` left when its process was killed.

    Returns how many files were removed.
    """
    target = Path(path)
    n = 0
    with contextlib.suppress(OSError):
        for tmp in target.parent.glob(f".{glob_escape(target.name)}.*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                tmp.unlink()
                n += 1
    return n


def glob_escape(name: str) -> str:
    return re.sub(r"([*?[])", r"[\1]", name)


def read_only(mode: int) -> bool:
    """A file of this ``st_mode`` has no write permission for anyone: its owner marked it
    read-only, and ``--in-place`` leaves it alone. The mode bits, not :func:`os.access`, which
    says yes to root whatever they are.

    >>> read_only(0o100444), read_only(0o100644)
    (True, False)
    """
    return stat.S_ISREG(mode) and not mode & 0o222


_umask: int | None = None


def _mode_for(target: Path) -> int:
    global _umask
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        if _umask is None:
            # read once per process: os.umask can only be read by setting it
            _umask = os.umask(0)
            os.umask(_umask)
        return 0o666 & ~_umask


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically."""
    with atomic_writer(path) as fh:
        fh.write(text.encode("utf-8"))


# --- walking folders --------------------------------------------------------------------------


@lru_cache(maxsize=64)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a glob over ``/``-separated relative paths.

    ``*`` and ``?`` stay inside one folder, ``**/`` spans any number of folders (none too),
    ``[...]`` is a character class. A pattern without ``/`` matches a name at any depth, as in
    ``.gitignore``: ``*.txt`` is ``**/*.txt``.

    >>> every = glob_regex("**/*.txt")
    >>> bool(every.match("a/b c/文.txt")), bool(every.match("x.txt"))
    (True, True)
    >>> bool(glob_regex("drafts").match("a/drafts")), bool(glob_regex("a/*.txt").match("a/b/c.txt"))
    (True, False)
    """
    pat = pattern.strip("/")
    if "/" not in pat and not pat.startswith("**"):
        pat = "**/" + pat
    out, i = [], 0
    while i < len(pat):
        if pat.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif pat[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pat[i] == "?":
            out.append("[^/]")
            i += 1
        elif pat[i] == "[" and "]" in pat[i + 2 :]:
            end = pat.index("]", i + 2)
            body = pat[i + 1 : end]
            neg = body[:1] == "!"
            body = re.sub(r"([\\^])", r"\\\1", body[1:] if neg else body)
            out.append(f"[{'^' if neg else ''}{body}]")
            i = end + 1
        else:
            out.append(re.escape(pat[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True, slots=True)
class Found:
    """A file the walk matched: its path relative to the root (``/``-separated), its path, its
    size, and, when it cannot be read as a plain file, why (``problem``; ``skip`` when that is a
    policy, e.g. a link out of the root, rather than a failure).

    ``path`` is a string, not a :class:`~pathlib.Path`: a folder of a million files is walked
    into a list of a million of these, and each is pickled to a worker (a Path costs four times
    the memory).
    """

    rel: str
    path: str
    size: int = 0
    problem: str | None = None
    skip: bool = False


def _key(st: os.stat_result) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)


def walk_files(
    root: str | os.PathLike[str],
    pattern: str = "**/*.txt",
    exclude: Iterable[str] = (),
    prune: Iterable[str | os.PathLike[str]] = (),
    follow_file_links: bool = True,
) -> Iterator[Found]:
    """The files under ``root`` whose relative path matches ``pattern``, in sorted order.

    Folders and files matching an ``exclude`` pattern are left out, and so are the paths in
    ``prune`` (an output folder inside ``root`` is never walked). Symbolic links to folders are
    not followed; a link to a file is followed only when it stays inside ``root`` (and
    ``follow_file_links``), otherwise it is reported with ``skip=True``.
    """
    base = Path(root)
    real_root = os.path.realpath(base)
    include = glob_regex(pattern)
    excludes = [glob_regex(p) for p in exclude]
    pruned: set[tuple[int, int]] = set()
    for p in prune:
        with contextlib.suppress(OSError):
            pruned.add(_key(os.stat(p)))

    def excluded(rel: str) -> bool:
        return any(x.match(rel) for x in excludes)

    def inside(real: str) -> bool:
        return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)

    def walk(folder: Path, prefix: str) -> Iterator[Found]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            return
        for e in entries:
            rel = prefix + e.name
            try:
                lst = e.stat(follow_symlinks=False)
            except OSError:
                continue  # vanished while we looked
            if _key(lst) in pruned:
                continue
            if stat.S_ISDIR(lst.st_mode):
                if not excluded(rel):
                    yield from walk(Path(e.path), rel + "/")
                continue
            if e.name.endswith(TEMP_SUFFIX) or not include.match(rel) or excluded(rel):
                continue
            path = e.path
            if stat.S_ISLNK(lst.st_mode):
                try:
                    st = os.stat(path)
                except OSError:
                    yield Found(rel, path, 0, "dangling symbolic link")
                    continue
                if stat.S_ISDIR(st.st_mode):
                    continue  # links to folders are not followed
                real = os.path.realpath(path)
                if not inside(real):
                    yield Found(rel, path, 0, "symbolic link to outside the folder", skip=True)
                elif not follow_file_links:
                    yield Found(rel, path, 0, "symbolic link (not followed)", skip=True)
                elif _key(st) in pruned:
                    continue
                elif stat.S_ISREG(st.st_mode):
                    yield Found(rel, path, st.st_size)
                else:
                    yield Found(rel, path, 0, "not a regular file")
            elif stat.S_ISREG(lst.st_mode):
                yield Found(rel, path, lst.st_size)
            else:
                yield Found(rel, path, 0, "not a regular file")

    yield from walk(base, "")
