"""Decoding at the edge, atomic writes and folder walking (zhclean.io)."""

from __future__ import annotations

import codecs
import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhclean.io import (
    SAMPLE,
    TEMP_SUFFIX,
    AtomicFile,
    DecodeError,
    atomic_writer,
    decode_bytes,
    detect_encoding,
    glob_regex,
    iter_decoded_lines,
    read_text,
    remove_temp_files,
    walk_files,
    write_text_atomic,
)

SIMPLIFIED = "改革开放以来，我国经济社会发展取得了举世瞩目的成就。\n"
TRADITIONAL = "永州經濟技術開發區猶如區域經濟浪潮中的一艘巨輪，正以破竹之勢揚帆遠航。\n"


# --- the SIGHAN files: legacy encodings must decode to exactly the UTF-8 files beside them ------


@pytest.mark.parametrize(
    ("legacy", "utf8", "encoding"),
    [
        ("pku_test.gbk.txt", "pku_test.utf8", "gb18030"),
        ("cityu_test.big5hkscs.txt", "cityu_test.utf8", "big5hkscs"),
    ],
)
def test_sighan_legacy_files_decode_to_the_utf8_files(
    shared: Path, legacy: str, utf8: str, encoding: str
) -> None:
    raw = (shared / "sighan" / legacy).read_bytes()
    ref_bytes = (shared / "sighan" / utf8).read_bytes()
    # What differs between the two files besides the encoding, found by looking: both have CRLF
    # line ends, the same number of them; cityu_test.utf8 starts with a UTF-8 BOM, pku_test.utf8
    # does not. So the one normalisation below is dropping that BOM (decoding with utf-8-sig);
    # line ends are compared as they are, no CRLF -> LF.
    assert raw.count(b"\r\n") == ref_bytes.count(b"\r\n") > 1000
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert ref_bytes.startswith(codecs.BOM_UTF8) == (utf8 == "cityu_test.utf8")
    reference = ref_bytes.decode("utf-8-sig")

    text, enc = decode_bytes(raw)
    assert enc == encoding
    assert text == reference  # every character, line ends included

    # the streaming decoder (zhclean clean, large files in batch) agrees, from a 64 KiB sample
    enc2, lines = iter_decoded_lines(io.BytesIO(raw))
    assert enc2 in ("gb18030", "big5hkscs")
    assert "".join(lines) == reference
    # and the UTF-8 file itself, BOM or not, reads as the reference
    assert read_text(shared / "sighan" / utf8)[0] == reference


def test_big5_punctuation_follows_windows_and_whatwg() -> None:
    # Python's big5 codecs map 0xA145 to U+2022 BULLET; CP950, WHATWG and the CityU UTF-8 file
    # have U+2027 HYPHENATION POINT, the interpunct of transliterated names (碧咸‧一本).
    name = "大衛‧碧咸的自傳是一本暢銷書，這本書在香港很受歡迎。\n"
    raw = name.encode("cp950")
    assert b"\xa1\x45" in raw and raw.decode("big5").count("\u2022") == 1
    assert decode_bytes(raw) == (name, "big5")
    assert "".join(iter_decoded_lines(io.BytesIO(raw))[1]) == name


# --- detection --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF8 + "漢字".encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "漢字".encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + "漢字".encode("utf-16-be"), "utf-16"),
        ("漢字 plain".encode(), "utf-8"),
        (b"", "utf-8"),
        (SIMPLIFIED.encode("gbk"), "gb18030"),
        (SIMPLIFIED.encode("gb2312"), "gb18030"),
        (TRADITIONAL.encode("big5"), "big5hkscs"),
    ],
)
def test_detect_encoding(data: bytes, expected: str) -> None:
    assert detect_encoding(data) == expected


def test_utf16_with_bom_decodes() -> None:
    data = codecs.BOM_UTF16_LE + TRADITIONAL.encode("utf-16-le")
    assert decode_bytes(data) == (TRADITIONAL, "utf-16")


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\x03" * 100,  # binary: NUL bytes
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(range(256)),
        b"abc \xff def \xff ghi\n" * 50,  # 0xFF starts no character in GB18030 or Big5
    ],
)
def test_not_text_is_a_decode_error(data: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_bytes(data)


def test_a_few_nul_bytes_in_text_are_text() -> None:
    # pdfminer and pypdf write NUL for glyphs they cannot map (realpdf/lapiscv-resume: dates)
    line = "Octo University        \x00\x00\x00\x00.\x00\x00-\x00\x00\x00\x00.\x00\x00\n"
    text = "永州經濟技術開發區猶如區域經濟浪潮中的一艘巨輪。\n" * 20 + line
    assert decode_bytes(text.encode()) == (text, "utf-8")
    with pytest.raises(DecodeError, match="binary"):
        decode_bytes(("abc\x00" * 50).encode())  # a quarter NULs: not text


def test_sample_cut_inside_a_character() -> None:
    # A 64 KiB sample of a Big5 file usually ends in the middle of a character.
    data = (TRADITIONAL * 3000).encode("big5")
    sample = data[: (1 << 16)]
    with pytest.raises(UnicodeDecodeError):
        sample.decode("big5")
    assert detect_encoding(sample, complete=False) == "big5hkscs"
    enc, lines = iter_decoded_lines(io.BytesIO(data))
    assert enc == "big5hkscs"
    assert "".join(lines) == TRADITIONAL * 3000


def test_given_encoding_wins_and_is_checked() -> None:
    data = SIMPLIFIED.encode("gbk")
    assert decode_bytes(data, "gbk") == (SIMPLIFIED, "gb18030")
    with pytest.raises(DecodeError, match="utf-8"):
        decode_bytes(data, "utf-8")
    with pytest.raises(DecodeError, match="unknown encoding"):
        decode_bytes(data, "klingon")
    with pytest.raises(DecodeError):
        _, lines = iter_decoded_lines(io.BytesIO(data), "utf-8")
        list(lines)


# --- atomic writes ----------------------------------------------------------------------------


def test_atomic_writer_leaves_nothing_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_writer(target) as fh:
        fh.write(b"half of the new")
        raise RuntimeError
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    write_text_atomic(target, "新")
    assert target.read_text(encoding="utf-8") == "新"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_atomic_file_commit_discard_and_leftovers(tmp_path: Path) -> None:
    f = AtomicFile(tmp_path / "sub" / "a b.txt")
    f.fh.write(b"x")
    f.discard()
    assert list(tmp_path.iterdir()) == []  # the folder made for it is gone with it
    (tmp_path / "a").mkdir()
    f = AtomicFile(tmp_path / "a" / "b" / "c" / "out.txt")
    f.discard()
    assert [p.name for p in tmp_path.rglob("*")] == ["a"]  # only the folders it made
    f = AtomicFile(tmp_path / "sub" / "a b.txt")
    f.fh.write(b"y")
    f.commit()
    f.discard()  # after a commit: nothing happens
    assert (tmp_path / "sub" / "a b.txt").read_bytes() == b"y"
    # what a killed process leaves: a temporary file that remove_temp_files finds
    left = AtomicFile(tmp_path / "sub" / "a b.txt")
    left.fh.close()
    assert Path(left.tmp).name.endswith(TEMP_SUFFIX)
    (tmp_path / "sub" / f".other.txt.x{TEMP_SUFFIX}").write_bytes(b"")
    assert remove_temp_files(tmp_path / "sub" / "a b.txt") == 1
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == [
        f".other.txt.x{TEMP_SUFFIX}",
        "a b.txt",
    ]


# --- walking ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("**/*.txt", "a.txt", True),
        ("**/*.txt", "a/b c/名.txt", True),
        ("**/*.txt", "a.txt.bak", False),
        ("*.txt", "deep/er/x.txt", True),
        ("a/*.txt", "a/x.txt", True),
        ("a/*.txt", "a/b/x.txt", False),
        ("a/**", "a/b/x.txt", True),
        ("drafts", "x/drafts", True),
        ("drafts", "x/drafts2", False),
        ("[!._]*.txt", "_x.txt", False),
        ("f?.txt", "f1.txt", True),
        ("f?.txt", "f/.txt", False),
    ],
)
def test_glob(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(pattern).match(path)) is matches


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX links")
def test_walk(tmp_path: Path) -> None:
    root = tmp_path / "src"
    (root / "a" / "b").mkdir(parents=True)
    (root / "drafts").mkdir()
    (root / "out").mkdir()
    (root / "dir.txt").mkdir()  # a folder named like a file: walked, not read
    for rel in ["z.txt", "a/b/名 字.txt", "drafts/d.txt", "out/o.txt", "dir.txt/in.txt", "n.md"]:
        (root / rel).write_text("x", encoding="utf-8")
    (root / f".z.txt.abc{TEMP_SUFFIX}").write_text("x", encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("x", encoding="utf-8")
    (root / "in.txt").symlink_to(root / "z.txt")
    (root / "out.txt").symlink_to(outside)
    (root / "dangling.txt").symlink_to(root / "nothing")
    (root / "linkdir").symlink_to(root / "a", target_is_directory=True)
    os.mkfifo(root / "fifo.txt")

    found = {f.rel: f for f in walk_files(root, exclude=["drafts"], prune=[root / "out"])}
    assert sorted(found) == [
        "a/b/名 字.txt",
        "dangling.txt",
        "dir.txt/in.txt",
        "fifo.txt",
        "in.txt",
        "out.txt",
        "z.txt",
    ]
    assert found["z.txt"].problem is None and found["z.txt"].size == 1
    assert found["in.txt"].problem is None  # a link that stays inside is followed
    assert found["out.txt"].skip and "outside" in (found["out.txt"].problem or "")
    assert (
        found["dangling.txt"].problem == "dangling symbolic link" and not found["dangling.txt"].skip
    )
    assert found["fifo.txt"].problem == "not a regular file"
    assert [f.rel for f in walk_files(root, "a/**")] == ["a/b/名 字.txt"]


def test_a_huge_line_streams_in_linear_time_and_pieces() -> None:
    """A file that is one 8 MB line is passed on in bounded pieces that rebuild it exactly."""
    import io as _io

    from zhclean.io import LONG_LINE, iter_decoded_lines

    text = "永州經開區，" * (8 * 1024 * 1024 // 18) + "\n尾"
    _, items = iter_decoded_lines(_io.BytesIO(text.encode("utf-8")))
    pieces = list(items)
    assert "".join(pieces) == text
    assert max(map(len, pieces)) <= LONG_LINE + (1 << 16)


class _Trickle(io.RawIOBase):
    """A pipe that hands out at most ``step`` bytes per read (a multibyte character may be
    cut anywhere)."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.pos, self.step = data, 0, step

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[no-untyped-def,override]
        chunk = self.data[self.pos : self.pos + min(self.step, len(buf))]
        buf[: len(chunk)] = chunk
        self.pos += len(chunk)
        return len(chunk)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(st.sampled_from(list("永州經開區，。 \t\r\nab")), max_size=400),
    step=st.integers(1, 64),
    encoding=st.sampled_from(["utf-8", "gb18030", "big5hkscs"]),
)
def test_chunks_of_whole_lines_rebuild_the_text(text: str, step: int, encoding: str) -> None:
    """``chunks=True`` (what the CLI and batch read with) gives the same text as line by line,
    each item ending at a line end except the last, however the bytes arrive (after the first
    64 KiB, read at once to detect the encoding: here ASCII lines)."""
    text = "a\n" * (SAMPLE // 2) + text
    data = text.encode(encoding)
    _, lines = iter_decoded_lines(io.BufferedReader(_Trickle(data, step)), encoding)
    _, chunks = iter_decoded_lines(io.BufferedReader(_Trickle(data, step)), encoding, chunks=True)
    items = list(chunks)
    assert "".join(items) == "".join(lines) == text
    assert all(items)
    assert all(item.endswith("\n") for item in items[:-1])
