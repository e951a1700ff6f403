"""Input and output at the edges: decoding (BOM, UTF-8, GB18030, Big5…), atomic writes.

>>> decode_bytes("漢字".encode("big5"))
('漢字', 'big5')
>>> decode_bytes(b"\\xef\\xbb\\xbfabc")
('abc', 'utf-8-sig')
"""

from __future__ import annotations

import codecs
import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

SAMPLE = 1 << 16

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


def detect_encoding(sample: bytes, complete: bool = True) -> str:
    """Guess the encoding of ``sample`` (the start of a file, or all of it if ``complete``).

    Order: a BOM; strict UTF-8; then charset-normalizer among the CJK encodings.
    Raises :class:`DecodeError` for binary data.
    """
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    if b"\x00" in sample[:8192]:
        raise DecodeError("looks like a binary file (NUL bytes)")
    if _utf8_prefix_ok(sample, complete):
        return "utf-8"
    from charset_normalizer import from_bytes  # lazy: only for non-UTF-8 input

    best = from_bytes(
        sample, cp_isolation=["gb18030", "big5", "big5hkscs", "utf_16", "shift_jis", "euc_kr"]
    ).best()
    if best is None:
        best = from_bytes(sample).best()
    if best is None:
        raise DecodeError("not text in any encoding zhclean knows; try --encoding")
    enc = codecs.lookup(best.encoding).name
    # GB2312 and GBK are subsets of GB18030, Big5 of Big5-HKSCS: decode with the superset.
    return {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs"}.get(enc, enc)


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode a whole byte string; return the text and the encoding used."""
    enc = encoding or detect_encoding(data, complete=True)
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DecodeError(f"cannot decode as {enc}: {exc}") from None
    if enc in ("big5hkscs",) and encoding is None:
        # charset-normalizer names it big5; report what the text really needed.
        try:
            text = data.decode("big5")
            enc = "big5"
        except UnicodeDecodeError:
            pass
    return text.lstrip("\ufeff") if enc.startswith("utf") else text, enc


def iter_decoded_lines(stream: BinaryIO, encoding: str | None = None) -> tuple[str, Iterator[str]]:
    """Decode a binary stream incrementally; return the encoding and an iterator of lines.

    The encoding is chosen from the first 64 KiB (unless given); the rest is decoded as it
    arrives, so a pipe stays a pipe.
    """
    first = stream.read(SAMPLE) or b""
    complete = len(first) < SAMPLE
    enc = encoding or detect_encoding(first, complete=complete)
    try:
        dec = codecs.getincrementaldecoder(enc)("strict")
    except LookupError:
        raise DecodeError(f"unknown encoding {enc!r}") from None

    def lines() -> Iterator[str]:
        pending = ""
        chunk = first
        at_start = True
        while True:
            final = not chunk
            try:
                text = dec.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"input is not valid {enc}: {exc.reason}") from None
            if at_start and text:
                text = text.lstrip("\ufeff")
                at_start = False
            pending += text
            if pending:
                parts = pending.split("\n")
                pending = parts.pop()
                for p in parts:
                    yield p + "\n"
            if final:
                break
            chunk = stream.read1(SAMPLE) if hasattr(stream, "read1") else stream.read(SAMPLE)
        if pending:
            yield pending

    return enc, lines()


def read_text(path: str | os.PathLike[str], encoding: str | None = None) -> tuple[str, str]:
    """Read and decode a whole file; return the text and the encoding."""
    return decode_bytes(Path(path).read_bytes(), encoding)


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Write to a temporary file beside ``path`` and rename it into place on success.

    On any error (or Ctrl-C) the temporary file is removed and ``path`` is left untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".zhclean-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically."""
    with atomic_writer(path) as fh:
        fh.write(text.encode("utf-8"))
