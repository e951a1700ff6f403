"""zhclean batch: a folder in, a clean mirror (or JSON Lines) out; failures, resume, safety."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

import zhclean.batch as batch_mod
from zhclean.batch import MANIFEST, Batch, FileRecord
from zhclean.cli import app
from zhclean.io import TEMP_SUFFIX, iter_decoded_lines
from zhclean.parallel import threads
from zhclean.pipeline import Pipeline
from zhclean.stages.join import JoinConfig

from .conftest import SAMPLES

POSIX = os.name == "posix"
# chmod 000 stops reading only on POSIX and only for users other than root
LOCKABLE = POSIX and os.geteuid() != 0

GBK_TEXT = "改革开放以来，我国经济社会发展取得了举世瞩目的成就。\n人民生活水平显著提高。\n"
BIG5_TEXT = (
    "永州經濟技術開發區（以下簡稱 「永州經開區」 ），猶如區域經濟浪潮中的一艘巨\n"
    "輪，正以破竹之勢揚帆遠航。\n"
)
DOUBLED = "改革改革「「引擎引擎」」賦能產業騰飛賦能產業騰飛\n"


def expected(text: str, **options: object) -> str:
    """What ``zhclean clean`` makes of ``text`` (the reference the mirror is checked against)."""
    _, lines = iter_decoded_lines(io.BytesIO(text.encode("utf-8")))
    return "".join(Pipeline.default(**options).stream(lines))  # type: ignore[arg-type]


def snapshot(root: Path) -> dict[str, object]:
    """Every entry under ``root`` (links not followed): file bytes, link targets, modes."""
    out: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            st = p.lstat()
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", st.st_mode)
            else:
                out[rel] = ("file", st.st_mode, st.st_mtime_ns, _read_any(p))
    return out


def _read_any(p: Path) -> bytes | None:
    try:
        return p.read_bytes()
    except OSError:
        return None


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A folder like one an extractor run leaves: nested, mixed encodings, some bad files."""
    src = tmp_path / "src"
    (src / "nested" / "deeper").mkdir(parents=True)
    (src / "with space" / "名字").mkdir(parents=True)
    (src / "drafts").mkdir()
    (src / "folder.txt").mkdir()  # a folder named like a file
    (src / "top.txt").write_text(DOUBLED, encoding="utf-8")
    (src / "nested" / "deeper" / "gbk file.txt").write_bytes(GBK_TEXT.encode("gbk"))
    (src / "nested" / "繁體 big5.txt").write_bytes(BIG5_TEXT.encode("big5"))
    (src / "nested" / "empty.txt").write_bytes(b"")
    (src / "with space" / "名字" / "頁 1.txt").write_text("這 場 改 革\n", encoding="utf-8")
    (src / "folder.txt" / "inner.txt").write_text("園區園區。。\n", encoding="utf-8")
    (src / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (src / "undecodable.txt").write_bytes(b"abc \xff def \xff ghi\n" * 20)
    (src / "drafts" / "draft.txt").write_text("草稿\n", encoding="utf-8")
    (src / "notes.md").write_text("not matched\n", encoding="utf-8")
    locked = src / "locked.txt"
    locked.write_text("鎖 住\n", encoding="utf-8")
    locked.chmod(0)
    if POSIX:
        outside = tmp_path / "outside.txt"
        outside.write_text("外面\n", encoding="utf-8")
        (src / "link out.txt").symlink_to(outside)
        (src / "dangling.txt").symlink_to(src / "gone")
    return src


def run_cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zhclean", "batch", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def report_of(path: Path) -> dict[str, dict[str, object]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    by_path = {r["path"]: r for r in records}
    assert len(by_path) == len(records)
    return by_path


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


# --- the whole run through the command line, two workers ---------------------------------------


def test_batch_mirror_end_to_end(tree: Path, tmp_path: Path) -> None:
    before = snapshot(tree)
    dest = tmp_path / "dest"
    report = tmp_path / "report.jsonl"
    r = run_cli(tree, dest, "--exclude", "drafts", "--report", report, "--jobs", "2")
    assert r.returncode == 1, r.stderr  # some files failed
    assert "Traceback" not in r.stderr

    # every output, exactly
    outputs = {
        p.relative_to(dest).as_posix(): p.read_text(encoding="utf-8")
        for p in dest.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }
    want = {
        "top.txt": "改革「引擎」賦能產業騰飛\n",
        "nested/deeper/gbk file.txt": GBK_TEXT,  # already clean: only decoded
        "nested/繁體 big5.txt": expected(BIG5_TEXT),
        "nested/empty.txt": "",
        "with space/名字/頁 1.txt": "這場改革\n",
        "folder.txt/inner.txt": "園區。\n",
    }
    if not LOCKABLE:
        # chmod 000 does not stop root (or Windows) from reading: cleaned like any other file;
        # test_vanished_and_unreadable_files covers "Permission denied" for every user
        want["locked.txt"] = "鎖住\n"
    assert want["nested/繁體 big5.txt"].startswith(
        "永州經濟技術開發區（以下簡稱「永州經開區」），猶如"
    )
    assert outputs == want

    # the report: one record per matched file, with the encoding and a reason for each failure
    rep = report_of(report)
    assert set(rep) == {*want, "binary.txt", "undecodable.txt", "locked.txt"} | (
        {"link out.txt", "dangling.txt"} if POSIX else set()
    )
    assert rep["nested/deeper/gbk file.txt"]["encoding"] == "gb18030"
    assert rep["nested/繁體 big5.txt"]["encoding"] == "big5"
    assert rep["top.txt"]["encoding"] == "utf-8"
    assert rep["top.txt"]["dedupe_chars_removed"] == len(DOUBLED) - len(
        "改革「引擎」賦能產業騰飛\n"
    )
    assert rep["nested/繁體 big5.txt"]["lines_joined"] == 1
    assert rep["binary.txt"]["status"] == "failed"
    assert "binary" in str(rep["binary.txt"]["reason"])
    assert rep["undecodable.txt"]["status"] == "failed"
    if POSIX:
        assert rep["link out.txt"]["status"] == "skipped"
        assert rep["dangling.txt"]["status"] == "failed"
    if LOCKABLE:
        assert rep["locked.txt"]["status"] == "failed"
        assert "Permission denied" in str(rep["locked.txt"]["reason"])
    for rec in rep.values():
        assert set(rec) >= {"path", "status", "reason", "encoding", "bytes_in", "bytes_out"}
        if rec["status"] == "ok":
            assert rec["bytes_out"] == len(want[str(rec["path"])].encode())

    # one line on stderr per file that failed or was skipped, and a summary (no bar on a pipe)
    failed_lines = [ln for ln in r.stderr.splitlines() if ln.startswith("zhclean: failed: ")]
    assert len(failed_lines) == sum(rec["status"] == "failed" for rec in rep.values())
    assert "zhclean: failed: binary.txt: looks like a binary file" in r.stderr
    assert "files ok" in r.stderr and "lines joined" in r.stderr and "MB/s" in r.stderr
    assert "cleaning" not in r.stderr

    # SRC byte for byte unchanged; nothing half-written anywhere
    assert snapshot(tree) == before
    assert temp_files(dest) == []


def test_quiet_and_exit_zero(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "a" / "x.txt").write_text(DOUBLED, encoding="utf-8")
    r = run_cli(src, tmp_path / "dest", "--quiet", "-j", "1")
    assert r.returncode == 0
    assert r.stderr == ""
    assert (tmp_path / "dest" / "a" / "x.txt").read_text(encoding="utf-8") == expected(DOUBLED)


def test_usage_errors(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    runner = CliRunner()
    for args in (
        [str(src)],  # no DEST, no --in-place, no --jsonl
        [str(src), str(src)],  # DEST is SRC
        [str(src / "sub"), str(tmp_path)],  # SRC is not a folder
        [str(src), str(tmp_path)],  # DEST contains SRC
        [str(src), str(tmp_path / "d"), "--jsonl", str(tmp_path / "c.jsonl")],
        [str(src), str(tmp_path / "d"), "--jobs", "0"],
        [str(src), str(tmp_path / "d"), "-c", "x2y"],
        [str(src), str(tmp_path / "d"), "--encoding", "klingon"],
        [str(src), str(tmp_path / "d"), "--report", str(src / "report.jsonl")],  # into SRC
        [str(src), "--jsonl", str(src / "corpus.jsonl")],
        # the report over the record that lets a re-run resume; the report over the corpus
        [str(src), str(tmp_path / "d"), "--report", str(tmp_path / "d" / MANIFEST)],
        [str(src), "--jsonl", str(tmp_path / "c.jsonl"), "--report", str(tmp_path / "c.jsonl")],
    ):
        r = runner.invoke(app, ["batch", *args])
        assert r.exit_code == 2, (args, r.output)
    assert list(src.iterdir()) == []
    # a report that cannot be written: exit 3, one line
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    report = tmp_path / "plain" / "r.jsonl"
    r = runner.invoke(app, ["batch", str(src), str(tmp_path / "d"), "--report", str(report)])
    assert r.exit_code == 3 and r.output.count("\n") == 1 and "r.jsonl" in r.output
    # a DEST that cannot be made: one line, not one failure per file
    (src / "a.txt").write_text("天天\n", encoding="utf-8")
    (src / "b.txt").write_text("天天\n", encoding="utf-8")
    r = runner.invoke(app, ["batch", str(src), str(tmp_path / "plain" / "d")])
    assert r.exit_code == 3 and r.output.count("\n") == 1 and "cannot write to DEST" in r.output


def test_dest_inside_src_is_not_walked_and_encoding_override(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_bytes(BIG5_TEXT.encode("big5"))
    runner = CliRunner()
    r = runner.invoke(app, ["batch", str(src), str(src / "clean"), "-j", "1", "-q"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["batch", str(src), str(src / "clean"), "-j", "1", "-q", "--force"])
    assert r.exit_code == 0, r.output
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*.txt")) == [
        "a.txt",
        "clean/a.txt",
    ]
    assert (src / "clean" / "a.txt").read_text(encoding="utf-8") == expected(BIG5_TEXT)
    # a file of symbols only cannot be told GBK or Big5: it fails, and --encoding settles it
    src = tmp_path / "symbols"
    src.mkdir()
    (src / "symbols.txt").write_bytes("—— …… ——\n".encode("gbk"))
    report = tmp_path / "r.jsonl"
    args = ["batch", str(src), str(tmp_path / "d"), "--report", str(report), "-q"]
    assert runner.invoke(app, args).exit_code == 1
    assert report_of(report)["symbols.txt"]["status"] == "failed"
    args = ["batch", str(src), str(tmp_path / "d"), "-e", "gbk", "--report", str(report), "-q"]
    assert runner.invoke(app, args).exit_code == 0
    assert report_of(report)["symbols.txt"]["encoding"] == "gb18030"
    assert (tmp_path / "d" / "symbols.txt").read_text(encoding="utf-8") == expected("—— …… ——\n")


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) for a terminal")
def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _many_files(src, 3)
    cmd = f"{sys.executable} -m zhclean batch '{src}' '{tmp_path / 'dest'}' -j 1"
    tty = subprocess.run(
        ["script", "-qec", cmd, "/dev/null"], capture_output=True, timeout=120, text=True
    )
    assert tty.returncode == 0, tty.stdout
    screen = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", tty.stdout)
    assert re.search(r"cleaning .*\d/3 files .*[kM]B", screen), screen
    assert "files ok" in screen
    piped = run_cli(src, tmp_path / "dest2", "-j", "1")
    assert "files ok" in piped.stderr and "cleaning" not in piped.stderr
    quiet = subprocess.run(
        ["script", "-qec", cmd + " --force --quiet", "/dev/null"], capture_output=True, text=True
    )
    assert (
        quiet.returncode == 0 and "cleaning" not in quiet.stdout and "files ok" not in quiet.stdout
    )


def test_every_batch_option_is_in_the_readme() -> None:
    readme = (SAMPLES.parent / "README.md").read_text(encoding="utf-8")
    batch_section = readme[readme.index("## Batch") : readme.index("## Stages")]
    text = CliRunner().invoke(app, ["batch", "--help"], terminal_width=200).stdout
    for opt in set(re.findall(r"(--[a-z][a-z-]+)", text)) - {"--help"}:
        assert opt in batch_section, opt


def test_batch_takes_every_pipeline_option_of_clean() -> None:
    # The pipeline options are shared (cli._clean_pipeline); an option added to clean must come
    # to batch too. The options that are about single files and streams are not pipeline options.
    def options(cmd: str) -> set[str]:
        text = CliRunner().invoke(app, [cmd, "--help"], terminal_width=200).stdout
        return set(re.findall(r"(--[a-z][a-z-]+)", text))

    not_pipeline = {"--output", "--explain", "--check", "--help"}
    assert options("clean") - not_pipeline <= options("batch")


# --- the library: resume, force, in place, JSON Lines, large files, vanished files ------------


def statuses(records: list[FileRecord]) -> dict[str, str]:
    return {r.path: r.status for r in records}


def test_resume_and_force(tmp_path: Path) -> None:
    src, dest = tmp_path / "src", tmp_path / "dest"
    (src / "d").mkdir(parents=True)
    for i in range(3):
        (src / "d" / f"{i}.txt").write_text(f"第{i}頁 改革改革\n", encoding="utf-8")
    first = list(Batch(src, dest))
    assert statuses(first) == dict.fromkeys(["d/0.txt", "d/1.txt", "d/2.txt"], "ok")
    again = list(Batch(src, dest))
    assert {r.reason for r in again} == {"up to date"}
    assert all(r.status == "skipped" for r in again)

    # an input changed: only that one is redone
    (src / "d" / "1.txt").write_text("園區園區。。\n", encoding="utf-8")
    third = statuses(list(Batch(src, dest)))
    assert third == {"d/0.txt": "skipped", "d/1.txt": "ok", "d/2.txt": "skipped"}
    assert (dest / "d" / "1.txt").read_text(encoding="utf-8") == "園區。\n"

    # an output removed or edited by hand: redone
    (dest / "d" / "2.txt").unlink()
    (dest / "d" / "0.txt").write_text("edited", encoding="utf-8")
    fourth = statuses(list(Batch(src, dest)))
    assert fourth == {"d/0.txt": "ok", "d/1.txt": "skipped", "d/2.txt": "ok"}

    # the same options built anew: up to date; other options: everything is redone; --force too
    assert set(statuses(list(Batch(src, dest, pipeline=Pipeline.default()))).values()) == {
        "skipped"
    }
    blank = Pipeline.default(configs={"join": JoinConfig(blank_lines=True)})
    assert set(statuses(list(Batch(src, dest, pipeline=blank))).values()) == {"ok"}
    seg = Pipeline.default(segment=True)
    assert set(statuses(list(Batch(src, dest, pipeline=seg))).values()) == {"ok"}
    assert set(statuses(list(Batch(src, dest, pipeline=seg))).values()) == {"skipped"}
    assert set(statuses(list(Batch(src, dest, pipeline=seg, force=True))).values()) == {"ok"}
    assert temp_files(dest) == []


def test_the_manifest_keeps_one_line_per_file_and_survives_a_torn_line(tmp_path: Path) -> None:
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    for i in range(3):
        (src / f"{i}.txt").write_text(f"第{i}頁 改革改革\n", encoding="utf-8")
    manifest = dest / MANIFEST
    list(Batch(src, dest))
    assert len(manifest.read_text(encoding="utf-8").splitlines()) == 3
    list(Batch(src, dest, force=True))  # every line superseded: rewritten without them
    assert len(manifest.read_text(encoding="utf-8").splitlines()) == 3
    # a run killed while writing its last line, without the newline: the next run's lines must
    # not run into it
    manifest.write_bytes(manifest.read_bytes().rstrip(b"\n"))
    (src / "3.txt").write_text("園區園區。。\n", encoding="utf-8")
    assert statuses(list(Batch(src, dest))) == {
        **dict.fromkeys(["0.txt", "1.txt", "2.txt"], "skipped"),
        "3.txt": "ok",
    }
    assert set(statuses(list(Batch(src, dest))).values()) == {"skipped"}
    assert len(manifest.read_text(encoding="utf-8").splitlines()) == 4


@pytest.mark.skipif(not POSIX, reason="symbolic links")
@pytest.mark.parametrize("jobs", [1, 2])
def test_an_output_folder_linked_out_of_dest_is_refused(tmp_path: Path, jobs: int) -> None:
    src, dest, elsewhere = tmp_path / "src", tmp_path / "dest", tmp_path / "elsewhere"
    (src / "sub").mkdir(parents=True)
    for name in ("sub/a.txt", "sub/b.txt", "c.txt"):
        (src / name).write_text("天天向上。\n", encoding="utf-8")
    assert set(statuses(list(Batch(src, dest, jobs=jobs))).values()) == {"ok"}
    # between two runs in this process, DEST/sub becomes a link to a folder outside DEST
    shutil.rmtree(dest / "sub")
    elsewhere.mkdir()
    (dest / "sub").symlink_to(elsewhere, target_is_directory=True)
    recs = {r.path: r for r in Batch(src, dest, jobs=jobs, force=True)}
    assert {p: r.status for p, r in recs.items()} == {
        "sub/a.txt": "failed",
        "sub/b.txt": "failed",
        "c.txt": "ok",
    }
    assert "leads outside the destination" in str(recs["sub/a.txt"].reason)
    assert list(elsewhere.iterdir()) == []


def test_resume_through_the_cli(tree: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    runner = CliRunner()
    r1 = runner.invoke(app, ["batch", str(tree), str(dest), "-j", "1", "--exclude", "drafts"])
    assert r1.exit_code == 1
    mtimes = {p: p.stat().st_mtime_ns for p in dest.rglob("*.txt")}
    report = tmp_path / "r.jsonl"
    r2 = runner.invoke(app, ["batch", str(tree), str(dest), "-j", "1", "--report", str(report)])
    assert r2.exit_code == 1  # the bad files fail again; the good ones are up to date
    rep = report_of(report)
    assert rep["top.txt"]["status"] == "skipped" and rep["top.txt"]["reason"] == "up to date"
    assert rep["drafts/draft.txt"]["status"] == "ok"  # no --exclude this time
    assert {p: p.stat().st_mtime_ns for p in dest.rglob("*.txt") if p in mtimes} == mtimes
    r3 = runner.invoke(app, ["batch", str(tree), str(dest), "-j", "1", "--force", "-q"])
    assert r3.exit_code == 1
    assert all(p.stat().st_mtime_ns >= mtimes[p] for p in mtimes)
    assert (dest / "top.txt").stat().st_mtime_ns > mtimes[dest / "top.txt"]


def test_in_place(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "a" / "x.txt").write_text(DOUBLED, encoding="utf-8")
    (src / "y.txt").write_bytes(GBK_TEXT.encode("gbk"))
    assert statuses(list(Batch(src, in_place=True))) == {"a/x.txt": "ok", "y.txt": "ok"}
    assert (src / "a" / "x.txt").read_text(encoding="utf-8") == expected(DOUBLED)
    assert (src / "y.txt").read_text(encoding="utf-8") == GBK_TEXT  # now UTF-8
    assert set(statuses(list(Batch(src, in_place=True))).values()) == {"skipped"}
    assert temp_files(src) == []
    # through the command line: only with --in-place, and then without DEST
    (src / "y.txt").write_bytes(GBK_TEXT.encode("gbk"))
    r = CliRunner().invoke(app, ["batch", str(src), "--in-place", "-j", "1", "-q"])
    assert r.exit_code == 0, r.output
    assert (src / "y.txt").read_bytes() == GBK_TEXT.encode("utf-8")
    # a file nobody may write is left as it is, and reported
    (src / "a" / "x.txt").write_text(DOUBLED, encoding="utf-8")
    (src / "a" / "x.txt").chmod(0o444)
    (src / "z.txt").write_text(DOUBLED, encoding="utf-8")
    recs = {r.path: r for r in Batch(src, in_place=True)}
    assert (recs["a/x.txt"].status, recs["a/x.txt"].reason) == (
        "failed",
        "read-only: --in-place rewrites only writable files",
    )
    assert recs["z.txt"].status == "ok"
    assert (src / "a" / "x.txt").read_text(encoding="utf-8") == DOUBLED
    assert (src / "z.txt").read_text(encoding="utf-8") == expected(DOUBLED)
    assert temp_files(src) == []


def test_jsonl_records(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    r = CliRunner().invoke(app, ["batch", str(tree), "--jsonl", str(out), "-j", "1", "-q"])
    assert r.exit_code == 1
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(set(rec) == {"path", "text", "encoding", "stats"} for rec in records)
    paths = [rec["path"] for rec in records]
    assert paths == sorted(paths, key=lambda p: p.split("/"))  # walk order
    by = {rec["path"]: rec for rec in records}
    assert by["top.txt"]["text"] == "改革「引擎」賦能產業騰飛\n"
    assert by["nested/deeper/gbk file.txt"]["encoding"] == "gb18030"
    assert by["nested/繁體 big5.txt"]["text"] == expected(BIG5_TEXT)
    assert by["top.txt"]["stats"]["dedupe_chars_removed"] > 0
    assert "binary.txt" not in by
    assert not (tree / MANIFEST).exists() and temp_files(tmp_path) == []


def test_vanished_and_unreadable_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (src / name).write_text("改革\n", encoding="utf-8")
    run = Batch(src, tmp_path / "dest")
    assert [f.rel for f in run.files()] == ["a.txt", "b.txt", "c.txt"]
    (src / "b.txt").unlink()  # gone between the walk and its turn

    # Permission denied, simulated: chmod 000 cannot be used when the tests run as root
    real_open = os.open

    def deny(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("c.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch_mod.os, "open", deny)
    recs = {r.path: r for r in run}
    assert recs["a.txt"].status == "ok"
    assert (
        recs["b.txt"].status == "failed"
        and recs["b.txt"].reason == "vanished before it could be read"
    )
    assert (
        recs["c.txt"].status == "failed"
        and recs["c.txt"].reason == "cannot read: Permission denied"
    )


def test_an_output_that_cannot_be_written_fails_alone(tmp_path: Path) -> None:
    src, dest = tmp_path / "src", tmp_path / "dest"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "a.txt").write_text(DOUBLED, encoding="utf-8")
    (src / "b.txt").write_text(DOUBLED, encoding="utf-8")
    dest.mkdir()
    (dest / "sub").write_text("a file where a folder should be", encoding="utf-8")
    recs = {r.path: r for r in Batch(src, dest)}
    assert recs["b.txt"].status == "ok"
    assert recs["sub/a.txt"].status == "failed"
    assert str(recs["sub/a.txt"].reason).startswith("cannot write ")
    assert temp_files(dest) == []


def test_large_files_are_split_across_workers(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    page = (SAMPLES / "yongzhou-newspaper.txt").read_text(encoding="utf-8")
    big = (page + "\f") * 12  # about 90 KiB in Big5, pages separated by form feeds
    (src / "big.txt").write_bytes(big.encode("big5hkscs", errors="strict"))
    (src / "small.txt").write_text(DOUBLED, encoding="utf-8")
    # blocks of 4000 characters (not 64 Ki) so that this small file makes many; in one worker,
    # whole, and split over two workers by the main process
    one = list(Batch(src, tmp_path / "one", collect_text=True, block_chars=4000))
    assert {r.path: r.encoding for r in one}["big.txt"] in ("big5", "big5hkscs")
    two = list(
        Batch(
            src, tmp_path / "two", jobs=2, split_bytes=10_000, block_chars=4000, collect_text=True
        )
    )
    streamed = list(Batch(src, split_bytes=10_000, block_chars=4000, collect_text=True))
    a, b = {r.path: r for r in one}, {r.path: r for r in two}
    assert {r.path: r.text for r in streamed} == {p: r.text for p, r in a.items()}
    assert b["big.txt"].status == "ok"
    assert b["big.txt"].text == a["big.txt"].text
    assert (tmp_path / "two" / "big.txt").read_bytes() == (
        tmp_path / "one" / "big.txt"
    ).read_bytes()
    assert b["big.txt"].steps["join"]["lines_in"] == a["big.txt"].steps["join"]["lines_in"]
    assert temp_files(tmp_path) == []
    # with the default blocks, a mirror file is exactly what `zhclean clean` prints for it
    (rec,) = [r for r in Batch(src, collect_text=True) if r.path == "big.txt"]
    r = CliRunner().invoke(app, ["clean", str(src / "big.txt")])
    assert r.exit_code == 0 and rec.text == r.stdout


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_large_file_undecodable_halfway_fails_alone(tmp_path: Path, jobs: int) -> None:
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    good = ("這 場 改 革。\n\n" * 4000).encode()
    (src / "bad.txt").write_bytes(good + b"\xff\xfe broken\n" + good)  # UTF-8 until 0xFF
    (src / "ok.txt").write_text(DOUBLED, encoding="utf-8")
    recs = {r.path: r for r in Batch(src, dest, jobs=jobs, split_bytes=10_000, block_chars=2000)}
    assert recs["ok.txt"].status == "ok"
    assert recs["bad.txt"].status == "failed" and "utf-8" in str(recs["bad.txt"].reason)
    assert sorted(p.name for p in dest.iterdir()) == [MANIFEST, "ok.txt"]


# --- worker processes: start methods, batches of small files --------------------------------

FORK = "fork" in multiprocessing.get_all_start_methods()


@pytest.mark.parametrize(
    "start_method",
    [pytest.param("fork", marks=pytest.mark.skipif(not FORK, reason="no fork")), "spawn"],
)
def test_workers_make_what_one_process_makes(
    tmp_path: Path, start_method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src"
    page = (SAMPLES / "yongzhou-newspaper.txt").read_text(encoding="utf-8")
    lines = page.splitlines(keepends=True)
    for i in range(60):  # small files of a few lines, some Big5, and one large file
        d = src / f"part {i % 3}" / ("長" * 40)  # long names: batch messages grow quickly
        d.mkdir(parents=True, exist_ok=True)
        text = "".join(lines[i % 20 : i % 20 + 3 + i % 5])
        enc = "big5hkscs" if i % 4 == 0 else "utf-8"
        (d / f"頁{i:03}.txt").write_bytes(text.encode(enc))
    (src / "big.txt").write_text((page + "\f") * 3, encoding="utf-8")
    # a batch queued behind a busy worker's is halved until its message is this small
    monkeypatch.setattr(batch_mod, "QUEUED_BYTES", 700)
    seg = Pipeline.default(segment=True)
    one = list(Batch(src, tmp_path / "one", pipeline=seg, collect_text=True, block_chars=4000))
    run = Batch(
        src,
        tmp_path / "two",
        pipeline=seg,
        jobs=2,
        start_method=start_method,
        batch_bytes=2000,
        split_bytes=20_000,
        block_chars=4000,
        collect_text=True,
    )
    two = list(run)
    assert len(two) == len(one) == 61
    assert {r.path: (r.status, r.text, r.steps) for r in two} == {
        r.path: (r.status, r.text, r.steps) for r in one
    }
    assert [r.index for r in batch_mod.in_order(two)] == list(range(61))
    outputs = [
        {p.relative_to(d): p.read_bytes() for p in d.rglob("*.txt")}
        for d in (tmp_path / "one", tmp_path / "two")
    ]
    assert len(outputs[0]) == 61 and outputs[0] == outputs[1]
    assert temp_files(tmp_path) == []


def test_start_method_choice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="start method"):
        Batch(tmp_path, start_method="thread")
    monkeypatch.setenv(batch_mod.START_METHOD_ENV, "thread")
    r = CliRunner().invoke(app, ["batch", str(tmp_path), str(tmp_path.parent / "out")])
    assert r.exit_code == 2
    assert "unknown start method 'thread' ($ZHCLEAN_START_METHOD)" in r.output
    monkeypatch.setenv(batch_mod.START_METHOD_ENV, "spawn")
    assert Batch(tmp_path).start_method_now() == "spawn"
    monkeypatch.delenv(batch_mod.START_METHOD_ENV)
    auto = Batch(tmp_path)
    assert auto.start_method == "auto"
    assert auto.start_method_now() == ("fork" if sys.platform.startswith("linux") else "spawn")
    # never fork while another thread runs (the child could inherit a lock held by it)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert Batch(tmp_path, start_method="fork").start_method_now() == "spawn"
        assert auto.start_method_now() == "spawn"
    finally:
        stop.set()
        t.join()
    # (the kernel may list a joined thread for a moment longer)
    deadline = time.monotonic() + 5
    while threads() > 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert Batch(tmp_path, start_method="fork").start_method_now() == "fork"


@pytest.mark.skipif(not FORK, reason="no fork")
def test_forked_workers_inherit_what_the_main_process_loaded(tmp_path: Path) -> None:
    from zhclean.engines import jieba as engines

    src = tmp_path / "src"
    src.mkdir()
    for i in range(3):
        (src / f"{i}.txt").write_text("國家經濟發展\n", encoding="utf-8")
    engines.load.cache_clear()
    run = Batch(src, pipeline=Pipeline.default(segment=True), jobs=2, start_method="fork")
    run.start()  # loads the dictionary here, then forks
    try:
        assert engines.load.cache_info().currsize == 1
        assert len(run._workers) == 2
    finally:
        run.close()
    engines.load.cache_clear()
    run = Batch(src, pipeline=Pipeline.default(segment=True), jobs=2, start_method="spawn")
    run.start()  # spawned workers load their own: nothing is loaded here
    try:
        assert engines.load.cache_info().currsize == 0
    finally:
        run.close()


@pytest.mark.skipif(not FORK, reason="a forked worker inherits the patched module")
def test_a_file_that_kills_its_worker_twice_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    # batches of several files, the poison in the middle of one (files are taken in name order)
    for i in range(80):
        name = "12-poison.txt" if i == 12 else f"{i:02}.txt"
        (src / name).write_text(f"第{i}頁 改革改革\n", encoding="utf-8")
    real = batch_mod._clean_file
    tries = tmp_path / "tries"  # one line per file started, appended by the workers

    def deadly(job: object, found: object, index: int) -> FileRecord:
        with open(tries, "a", encoding="utf-8") as fh:
            fh.write(found.rel + "\n")  # type: ignore[attr-defined]
        if found.rel == "12-poison.txt":  # type: ignore[attr-defined]
            os._exit(9)  # like a crash in native code: no answer, no clean-up
        return real(job, found, index)  # type: ignore[arg-type]

    monkeypatch.setattr(batch_mod, "_clean_file", deadly)
    recs = {r.path: r for r in Batch(src, dest, jobs=2, start_method="fork", batch_bytes=200)}
    assert recs["12-poison.txt"].status == "failed"
    assert "died (exit code 9)" in str(recs["12-poison.txt"].reason)
    assert "twice" in str(recs["12-poison.txt"].reason)
    # the worker's answer covers its whole batch, yet the file it died on is known (the place
    # it noted in shared memory): the poison is tried twice, no more, and the files of its
    # batch before it (cleaned, their answer lost with the worker) are cleaned once more each
    started = Counter(tries.read_text(encoding="utf-8").split())
    assert started["12-poison.txt"] == 2
    assert max(started.values()) <= 3
    # the files of its batches that it had not reached were cleaned by the next workers
    assert {p: r.status for p, r in recs.items() if p != "12-poison.txt"} == {
        f"{i:02}.txt": "ok" for i in range(80) if i != 12
    }
    assert temp_files(dest) == []
    assert sorted(p.name for p in dest.iterdir() if p.name != MANIFEST) == sorted(
        f"{i:02}.txt" for i in range(80) if i != 12
    )


# --- interruptions: a worker killed, Ctrl-C ----------------------------------------------------


def _pages(src: Path, n: int) -> None:
    src.mkdir()
    for i in range(n):
        (src / f"{i:02}.txt").write_text(f"第{i}頁 改革改革。\n", encoding="utf-8")


def _ctrl_c_at_finish(monkeypatch: pytest.MonkeyPatch, nth: int) -> None:
    """A real Ctrl-C (SIGINT to this process) in the middle of recording the ``nth`` file."""
    real = Batch._finish
    calls = 0

    def finish(self: Batch, res: object, found: object, i: int) -> FileRecord:
        nonlocal calls
        calls += 1
        if calls == nth:
            os.kill(os.getpid(), signal.SIGINT)
        return real(self, res, found, i)  # type: ignore[arg-type]

    monkeypatch.setattr(Batch, "_finish", finish)


def _recorded_as_written(src: Path, dest: Path) -> list[str]:
    """The outputs written; a re-run skips every one of them (they are all in the manifest)."""
    written = sorted(p.name for p in dest.iterdir() if p.name != MANIFEST)
    assert written and temp_files(dest) == []
    again = statuses(list(Batch(src, dest, jobs=1)))
    assert sorted(p for p, st in again.items() if st == "skipped") == written
    return written


def test_ctrl_c_while_a_file_is_recorded_in_process_still_records_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one job: the file is written here, and a Ctrl-C after that waits for its record."""
    src, dest = tmp_path / "src", tmp_path / "dest"
    _pages(src, 6)
    _ctrl_c_at_finish(monkeypatch, 3)  # the third file is written: Ctrl-C before its record
    got = []
    with pytest.raises(KeyboardInterrupt):
        for rec in Batch(src, dest, jobs=1):
            got.append(rec.path)
    monkeypatch.undo()
    assert got == _recorded_as_written(src, dest) == ["00.txt", "01.txt", "02.txt"]


def test_a_caller_that_stops_early_keeps_its_own_exception(tmp_path: Path) -> None:
    """A Ctrl-C held back while the caller has a record does not replace how the caller
    leaves the loop (a break, an error of its own): no KeyboardInterrupt from close()."""
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    for i in range(3):
        (src / f"{i}.txt").write_text("改革改革。\n", encoding="utf-8")
    records = iter(Batch(src, dest, jobs=1))
    next(records)
    try:
        os.kill(os.getpid(), signal.SIGINT)  # held back: the caller has the record
        records.close()  # type: ignore[attr-defined]  # the caller breaks out of its loop
    except KeyboardInterrupt:
        pytest.fail("the held-back Ctrl-C came out of close()")


@pytest.mark.skipif(not FORK, reason="a forked worker inherits the patched method")
def test_ctrl_c_while_a_batch_is_recorded_still_records_every_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, dest = tmp_path / "src", tmp_path / "dest"
    _pages(src, 40)
    _ctrl_c_at_finish(monkeypatch, 2)  # in the middle of a batch's answer
    with pytest.raises(KeyboardInterrupt):
        list(Batch(src, dest, jobs=2, start_method="fork", batch_bytes=400))
    monkeypatch.undo()
    _recorded_as_written(src, dest)


def _many_files(root: Path, n: int) -> str:
    page = (SAMPLES / "yongzhou-newspaper.txt").read_text(encoding="utf-8")
    for i in range(n):
        d = root / f"part {i % 4}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"頁{i:03}.txt").write_text(page, encoding="utf-8")
    return page


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with open(task / "children", encoding="ascii") as fh:
            kids += [int(x) for x in fh.read().split()]
    return kids


def _worker_pids(pid: int) -> list[int]:
    # forked workers run the command's own command line; spawned ones run spawn_main, beside
    # multiprocessing's resource tracker
    out = []
    for kid in _children(pid):
        try:
            cmd = Path(f"/proc/{kid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in cmd and b"forkserver" not in cmd:
            out.append(kid)
    return out


def _wait_for_outputs(dest: Path, proc: subprocess.Popen[str], n: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if dest.is_dir() and sum(1 for _ in dest.rglob("*.txt")) >= n:
            return
        time.sleep(0.02)
    pytest.fail("the run did not start writing")


def _check_outputs_complete(dest: Path, want: str) -> int:
    outs = list(dest.rglob("*.txt"))
    for p in outs:
        assert p.read_text(encoding="utf-8") == want, p
    assert temp_files(dest) == []
    return len(outs)


def _env(start_method: str) -> dict[str, str]:
    return {**os.environ, batch_mod.START_METHOD_ENV: start_method}


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_a_killed_worker_leaves_no_partial_file(tmp_path: Path, start_method: str) -> None:
    src, dest = tmp_path / "src", tmp_path / "dest"
    page = _many_files(src, 30)
    want = expected(page, segment=True)
    cmd = [sys.executable, "-m", "zhclean", "batch", str(src), str(dest), "--segment", "-j", "2"]
    proc = subprocess.Popen(
        cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=_env(start_method)
    )
    _wait_for_outputs(dest, proc, 2)
    workers = _worker_pids(proc.pid)
    assert workers, "no worker processes found"
    spawned = [b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in workers]
    assert spawned == [start_method == "spawn"] * len(workers)  # the start method asked for
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=180)
    # the file the worker held is retried by a new worker: the run completes
    assert proc.returncode == 0, err
    assert _check_outputs_complete(dest, want) == 30


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_ctrl_c_prints_the_summary_and_leaves_no_partial_file(
    tmp_path: Path, start_method: str
) -> None:
    src, dest = tmp_path / "src", tmp_path / "dest"
    page = _many_files(src, 30)
    want = expected(page, segment=True)
    report = tmp_path / "report.jsonl"
    cmd = [sys.executable, "-m", "zhclean", "batch", str(src), str(dest), "--segment", "-j", "2"]
    proc = subprocess.Popen(
        [*cmd, "--report", str(report)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # Ctrl-C reaches the whole process group, as in a terminal
        env=_env(start_method),
    )
    _wait_for_outputs(dest, proc, 2)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "files ok" in err and "interrupted" in err
    assert "Traceback" not in err
    done = _check_outputs_complete(dest, want)
    assert 0 < done < 30
    # the report says what was done, the files the workers finished as they were stopped
    # among them (Batch.late); a re-run skips what was recorded and finishes the rest. (Not
    # "==" although 100 runs of this in a loop all gave it, Ctrl-C held back while an answer is
    # recorded: a worker that wrote an output and is killed before it could answer, STOP_WAIT
    # after the Ctrl-C on a loaded machine, leaves a file the re-run redoes.)
    assert sum(r["status"] == "ok" for r in report_of(report).values()) <= done
    r = subprocess.run(
        [*cmd, "--report", str(report)],
        capture_output=True,
        text=True,
        timeout=180,
        env=_env(start_method),
    )
    assert r.returncode == 0, r.stderr
    rep = report_of(report)
    assert sum(v["status"] == "skipped" for v in rep.values()) >= 1
    assert _check_outputs_complete(dest, want) == 30


def test_a_mirror_file_is_what_zhclean_clean_prints(shared: Path, tmp_path: Path) -> None:
    """Batch cleans a file in the blocks `zhclean clean` uses: with smaller blocks (64 K, as it
    once had) this code manual's output differs, since join sees the lines around a cut."""
    name = "alibaba-java-manual.pdfminer.txt"
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(shared / "realpdf" / "extracted" / name, src / name)
    (rec,) = Batch(src, collect_text=True)
    text = (src / name).read_text(encoding="utf-8")
    assert rec.text == "".join(Pipeline.default().stream(text.splitlines(keepends=True)))
    assert batch_mod.BLOCK_CHARS == 1 << 18


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="names must be UTF-8 there")
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_name_that_is_not_utf8_round_trips(tmp_path: Path, jobs: int) -> None:
    """A GBK name (from a Windows zip): the output has the same bytes for its name, the report,
    the corpus and the resume record name it with \\udcXX escapes (os.fsencode gives the bytes
    back), and a re-run finds it up to date."""
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    raw = "报告.txt".encode("gbk")
    (src / os.fsdecode(raw)).write_bytes("這 場 改 革\n".encode())
    (src / "ok.txt").write_text("好。\n", encoding="utf-8")
    r = run_cli(src, dest, "-j", jobs, "--report", tmp_path / "r.jsonl", "-q")
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(os.fsencode(dest))) == sorted([raw, b"ok.txt", MANIFEST.encode()])
    assert (dest / os.fsdecode(raw)).read_text("utf-8") == "這場改革\n"
    report = report_of(tmp_path / "r.jsonl")
    assert {os.fsencode(p) for p in report} == {raw, b"ok.txt"}
    assert all(rec["status"] == "ok" for rec in report.values())
    r = run_cli(src, dest, "-j", jobs, "--report", tmp_path / "r.jsonl", "-q")
    assert r.returncode == 0, r.stderr
    assert {rec["reason"] for rec in report_of(tmp_path / "r.jsonl").values()} == {"up to date"}
    r = run_cli(src, "--jsonl", tmp_path / "c.jsonl", "-j", jobs, "-q")
    assert r.returncode == 0, r.stderr
    corpus = report_of(tmp_path / "c.jsonl")
    assert corpus[os.fsdecode(raw)]["text"] == "這場改革\n"
    assert temp_files(tmp_path) == []


@pytest.mark.skipif(not POSIX, reason="POSIX signals")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_kill_stops_the_run_as_ctrl_c_does_with_exit_code_143(tmp_path: Path, jobs: str) -> None:
    """``kill PID`` (SIGTERM): the summary, no partial file, and 143 = 128 + SIGTERM (Ctrl-C's
    130 said "interrupted" to a script that asked to terminate)."""
    src, dest = tmp_path / "src", tmp_path / "dest"
    want = expected(_many_files(src, 60), segment=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhclean", "batch", str(src), str(dest), "--segment", "-j", jobs],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    _wait_for_outputs(dest, proc, 2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "files ok" in err and err.endswith("zhclean: terminated\n") and "Traceback" not in err
    assert 0 < _check_outputs_complete(dest, want) < 60
