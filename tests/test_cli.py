"""The command line: input rules, exit codes, errors, pipes."""

from __future__ import annotations

import itertools
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhclean.cli import app

runner = CliRunner()


def zhclean(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "zhclean", *args], input=input, capture_output=True, timeout=120
    )


def test_stdin_pipe() -> None:
    r = runner.invoke(app, ["clean"], input="改革改革「「引擎引擎」」\n")
    assert r.exit_code == 0
    assert r.stdout == "改革「引擎」\n"


def test_dash_reads_stdin() -> None:
    r = runner.invoke(app, ["dedupe", "-"], input="園區園區。。\n")
    assert r.stdout == "園區。\n"


def test_version_names_engines() -> None:
    r = zhclean("--version")
    assert r.returncode == 0
    assert r.stdout.startswith(b"zhclean ") and b"jieba" in r.stdout


def test_every_command_has_help_with_example() -> None:
    for cmd in ["clean", "normalize", "dedupe", "join", "spacing", "convert", "segment"]:
        r = runner.invoke(app, [cmd, "--help"])
        assert r.exit_code == 0, cmd
        assert "Example" in r.stdout, cmd


def test_missing_file_is_one_line_error() -> None:
    r = zhclean("clean", "does-not-exist.txt")
    assert r.returncode == 3
    assert r.stderr.decode().strip().count("\n") == 0
    assert b"Traceback" not in r.stderr


def test_unknown_config_lists_valid_ones() -> None:
    r = zhclean("convert", "-c", "x2y", input=b"abc")
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "hk2s" in err and err.strip().count("\n") == 0


def test_binary_input_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "bin.txt"
    p.write_bytes(b"\x00\x01\x02" * 100)
    r = zhclean("clean", str(p))
    assert r.returncode == 3 and b"Traceback" not in r.stderr


def test_gbk_input_is_decoded(tmp_path: Path) -> None:
    p = tmp_path / "gbk.txt"
    p.write_bytes("改革开放以来，我国经济社会发展取得了举世瞩目的成就。\n".encode("gbk"))
    r = zhclean("clean", str(p))
    assert r.returncode == 0
    assert r.stdout.decode() == "改革开放以来，我国经济社会发展取得了举世瞩目的成就。\n"


def test_output_file_and_refuse_to_overwrite_input(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("這 場 改 革\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    assert zhclean("clean", str(src), "-o", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8") == "這場改革\n"
    r = zhclean("clean", str(src), "-o", str(src))
    assert r.returncode == 2
    assert src.read_text(encoding="utf-8") == "這 場 改 革\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "out.txt"]


def test_in_place(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("這 場 改 革\n", encoding="utf-8")
    assert zhclean("clean", "--in-place", str(src)).returncode == 0
    assert src.read_text(encoding="utf-8") == "這場改革\n"


def test_in_place_leaves_read_only_files(tmp_path: Path) -> None:
    """A file nobody may write was marked so on purpose: --in-place refuses before any work,
    so no file of the run is rewritten (root included, whom the permission bits do not stop)."""
    first, locked = tmp_path / "a.txt", tmp_path / "b.txt"
    for f in (first, locked):
        f.write_text("這 場 改 革\n", encoding="utf-8")
    locked.chmod(0o444)
    r = zhclean("clean", "--in-place", str(first), str(locked))
    assert r.returncode == 3
    assert r.stderr.decode().splitlines() == [
        f"zhclean: error: {locked}: read-only; --in-place rewrites only writable files"
    ]
    assert [f.read_text(encoding="utf-8") for f in (first, locked)] == ["這 場 改 革\n"] * 2
    assert stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]
    # --check writes nothing: it answers for a read-only file too
    assert zhclean("clean", "--check", "--in-place", str(locked)).returncode == 1


def test_in_place_checks_every_input_before_rewriting_any(tmp_path: Path) -> None:
    """All the files are rewritten or none: a missing input or a folder after a good file
    stops the run before that file is touched."""
    good = tmp_path / "a.txt"
    good.write_text("這 場 改 革\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    for bad, why in (("missing.txt", "No such file or directory"), ("folder", "not a regular")):
        r = zhclean("clean", "--in-place", str(good), str(tmp_path / bad))
        assert r.returncode == 3
        assert why in r.stderr.decode() and len(r.stderr.decode().splitlines()) == 1
        assert good.read_text(encoding="utf-8") == "這 場 改 革\n"


@pytest.mark.skipif(not os.path.exists("/dev/stdin"), reason="no /dev/stdin")
def test_in_place_refuses_a_descriptor(tmp_path: Path) -> None:
    """/dev/stdin is a descriptor (here of a file), not a file to rewrite: it would be written
    through the read-only descriptor."""
    src = tmp_path / "in.txt"
    src.write_text("這 場 改 革\n", encoding="utf-8")
    with open(src, "rb") as fh:
        r = subprocess.run(
            [sys.executable, "-m", "zhclean", "clean", "--in-place", "/dev/stdin"],
            stdin=fh,
            capture_output=True,
        )
    assert r.returncode == 3 and b"not a regular file" in r.stderr
    assert src.read_text(encoding="utf-8") == "這 場 改 革\n"


def test_check_mode(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("這 場 改 革\n", encoding="utf-8")
    assert zhclean("clean", "--check", str(src)).returncode == 1
    src.write_text("這場改革\n", encoding="utf-8")
    assert zhclean("clean", "--check", str(src)).returncode == 0


def test_broken_pipe_exits_quietly() -> None:
    text = ("永州經濟技術開發區猶如區域經濟浪潮中的一艘巨輪。\n\n" * 20000).encode()
    proc = subprocess.run(
        f"{sys.executable} -m zhclean clean | head -1; exit ${{PIPESTATUS[0]}}",
        executable="/bin/bash",
        shell=True,
        input=text,
        capture_output=True,
        timeout=120,
    )
    assert proc.stdout.decode().startswith("永州")
    assert proc.returncode == 0
    assert b"Traceback" not in proc.stderr and b"Error" not in proc.stderr


def test_explain_reports_on_stderr_and_keeps_stdout_clean() -> None:
    r = zhclean("clean", "--explain", input="標題\n改革改革「「引擎引擎」」\n".encode())
    assert r.returncode == 0
    assert r.stdout.decode() == "標題\n改革「引擎」\n"
    lines = r.stderr.decode().splitlines()
    assert "-:2:3\tdedupe\trun\t'改革' -> ''" in lines


def test_explain_positions_are_in_the_input_after_earlier_stages_changed_it() -> None:
    # dedupe removes three characters of line 1 before join looks at its end; furniture removes
    # the header lines before join counts lines
    r = zhclean("clean", "--explain", input="改革改革，，是園區的良藥，\n也是方向。\n".encode())
    assert "-:1:14\tjoin\tjoin: line ends with clause punctuation\t'\\n' -> ''" in (
        r.stderr.decode().splitlines()
    )
    pages = "\f".join(f"A公司年度報告\n第{n}頁的內容，\n繼續說明。\n" for n in "一二三")
    r = zhclean("clean", "--explain", input=pages.encode())
    got = [line.split("\t")[:2] for line in r.stderr.decode().splitlines()]
    assert got[:3] == [["-:1:1", "furniture"], ["-:4:2", "furniture"], ["-:7:2", "furniture"]]
    assert ["-:2:8", "join"] in got and ["-:8:8", "join"] in got


def test_blank_lines_hold_between_stream_blocks() -> None:
    """Past the first block (about 64K characters) paragraphs still get their blank line."""
    seed = (Path(__file__).parent.parent / "samples" / "yongzhou-newspaper.txt").read_text("utf-8")
    text = (seed.rstrip("\n") + "\n\n") * 80
    out = runner.invoke(app, ["clean", "--blank-lines"], input=text).stdout
    lines = out.split("\n")
    assert len(text) > 300_000 and sum(1 for line in lines if line) > 1000
    assert not any(a and b for a, b in itertools.pairwise(lines))


def test_usage_errors_are_one_line() -> None:
    for args in (["clean", "--latin-space", "xx"], ["clean", "--no-such-option"]):
        r = zhclean(*args, input=b"")
        assert r.returncode == 2
        err = r.stderr.decode()
        assert err.startswith("zhclean: error: ") and err.count("\n") == 1, err


def test_bad_bytes_after_the_first_block_name_the_file_and_leave_no_output(tmp_path: Path) -> None:
    src = tmp_path / "mid.txt"
    src.write_bytes("中文句子。\n".encode() * 20000 + b"\xff\xfe\n")
    out = tmp_path / "new" / "folders" / "out.txt"  # made for the output, removed with it
    r = zhclean("clean", str(src), "-o", str(out))
    assert r.returncode == 3
    # where (a byte offset), and no --encoding to try: the text before it is UTF-8, one bad
    # byte in it is damage, not another encoding
    assert r.stderr.decode().splitlines() == [
        f"zhclean: error: {src}: input is not valid utf-8 at byte 320000 (0xff), in text that is"
        " valid utf-8 before it"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mid.txt"]


def test_a_file_whose_first_64_kib_are_ascii_is_decoded_as_batch_decodes_it(tmp_path: Path) -> None:
    preface = "".join(f"Line {i} of an English preface.\n\n" for i in range(3000)).encode()
    gbk, big5 = tmp_path / "late.gbk.txt", tmp_path / "late.big5.txt"
    gbk.write_bytes(preface + "改革开放以来，经济社会发展取得了成就。\n".encode("gbk"))
    big5.write_bytes(preface + "永州經濟技術開發區猶如區域經濟浪潮中的一艘巨輪。\n".encode("big5"))
    assert len(preface) > 1 << 16
    for path, want in ((gbk, "改革开放以来"), (big5, "永州經濟技術開發區")):
        r = zhclean("clean", str(path))
        assert r.returncode == 0, r.stderr
        assert r.stdout.decode().splitlines()[-1].startswith(want)
        with open(path, "rb") as fh:  # stdin from a file can be read twice too
            r = subprocess.run(
                [sys.executable, "-m", "zhclean", "clean"], stdin=fh, capture_output=True
            )
        assert r.returncode == 0 and r.stdout.decode().splitlines()[-1].startswith(want)
    # a pipe cannot be read twice: the encoding is judged from its first 64 KiB, and the error
    # says what to do
    r = zhclean("clean", input=gbk.read_bytes())
    assert r.returncode == 3
    assert r.stderr.decode().endswith(
        f"at byte {len(preface)} (0xb8); the text before it is ASCII: try --encoding\n"
    )
    assert zhclean("clean", "-e", "gbk", input=gbk.read_bytes()).returncode == 0


@pytest.mark.skipif(os.name != "posix", reason="symbolic links, FIFOs, /dev/null")
def test_output_goes_through_a_link_and_into_a_fifo_or_a_device(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("這 場 改 革\n", encoding="utf-8")
    real, link = tmp_path / "real.txt", tmp_path / "link.txt"
    real.write_text("old\n", encoding="utf-8")
    link.symlink_to(real)
    # -o through a link: the file it names gets the output, the link stays a link
    assert zhclean("clean", str(src), "-o", str(link)).returncode == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "這場改革\n"
    # --in-place on a link cleans the file it names
    real.write_text("園區園區。。\n", encoding="utf-8")
    assert zhclean("clean", "--in-place", str(link)).returncode == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "園區。\n"
    # a named pipe is written into, not replaced by a file
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = zhclean("clean", str(src), "-o", str(fifo))
    reader.join(30)
    assert r.returncode == 0 and got == ["這場改革\n".encode()]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    # a device too: run as root, renaming a file over /dev/null would replace it for everyone
    assert zhclean("clean", str(src), "-o", os.devnull).returncode == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    # batch's --jsonl and --report too: here into this test's pipe through /dev/stdout
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text("這 場 改 革\n", encoding="utf-8")
    r = zhclean("batch", str(folder), "--jsonl", "/dev/stdout", "-q")
    assert r.returncode == 0 and json.loads(r.stdout)["text"] == "這場改革\n"
    assert os.path.islink("/dev/stdout")
    # a folder is an error of one line
    r = zhclean("clean", str(src), "-o", str(tmp_path))
    assert r.returncode == 3 and r.stderr.decode().count("\n") == 1


def test_ctrl_c_while_the_command_loads_is_one_line() -> None:
    """The ``zhclean`` command's entry point: a Ctrl-C during its imports exits 130 quietly."""
    probe = (
        "import sys\n"
        "class Interrupted:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'zhclean.cli':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupted())\n"
        "from zhclean.__main__ import main\n"
        "main()\n"
    )
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stderr) == (130, "zhclean: interrupted\n")


def _sh(script: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """``script`` run by bash in ``cwd``, with ``Z`` the zhclean command of this interpreter."""
    env = {**os.environ, "Z": f"{sys.executable} -m zhclean"}
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, timeout=120
    )


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout")
def test_output_to_dev_stdout_writes_into_what_the_shell_opened(tmp_path: Path) -> None:
    """``-o /dev/stdout >> log`` appends to the log (the file behind stdout is written through
    the open descriptor, never replaced); ``>`` leaves just the output; ``/dev/fd/1`` inside a
    redirected group keeps what the group wrote before and after."""
    (tmp_path / "log").write_text("line 1\n", encoding="utf-8")
    r = _sh("echo '這 場' | $Z clean -o /dev/stdout >> log", tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "log").read_text(encoding="utf-8") == "line 1\n這場\n"
    r = _sh("echo '這 場' | $Z clean -o /dev/stdout > log", tmp_path)
    assert (tmp_path / "log").read_text(encoding="utf-8") == "這場\n"
    r = _sh("{ echo a; echo '這 場' | $Z clean -o /dev/fd/1; echo b; } > log", tmp_path)
    assert (tmp_path / "log").read_text(encoding="utf-8") == "a\n這場\nb\n"
    # batch's report and corpus too
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text("這 場\n", encoding="utf-8")
    (tmp_path / "log").write_text("line 1\n", encoding="utf-8")
    r = _sh("$Z batch src --jsonl /dev/stdout -q >> log", tmp_path)
    assert r.returncode == 0, r.stderr
    first, record = (tmp_path / "log").read_text(encoding="utf-8").splitlines()
    assert first == "line 1" and json.loads(record)["text"] == "這場\n"
    r = _sh("$Z batch src dst --report /dev/stdout -q >> log", tmp_path)
    assert r.returncode == 0, r.stderr
    lines = (tmp_path / "log").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "line 1" and json.loads(lines[2])["path"] == "a.txt"
    # a descriptor that is not open is an error of one line
    r = _sh("echo '這 場' | $Z clean -o /dev/fd/7", tmp_path)
    assert r.returncode == 3 and r.stderr.decode().count("\n") == 1


def test_dash_output_is_stdout(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text("這 場\n", encoding="utf-8")
    r = _sh("echo '這 場' | $Z clean -o -", tmp_path)
    assert (r.returncode, r.stdout) == (0, "這場\n".encode())
    r = _sh("$Z batch src --jsonl - -q", tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)["text"] == "這場\n"
    r = _sh("$Z batch src dst --report - -q", tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)["status"] == "ok"
    assert not (tmp_path / "-").exists()
    assert (
        zhclean("clean", "--in-place", "-o", "-", str(tmp_path / "src" / "a.txt")).returncode == 2
    )


def test_output_refuses_a_read_only_file_as_in_place_does(tmp_path: Path) -> None:
    """A file nobody may write is left alone by -o too (root included), before any work."""
    locked = tmp_path / "ro.txt"
    locked.write_text("precious\n", encoding="utf-8")
    locked.chmod(0o444)
    r = zhclean("clean", "-o", str(locked), input="這 場\n".encode())
    assert r.returncode == 3
    assert r.stderr.decode().splitlines() == [
        f"zhclean: error: {locked}: read-only; -o replaces only writable files"
    ]
    assert locked.read_text(encoding="utf-8") == "precious\n"
    assert stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ro.txt"]
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text("這 場\n", encoding="utf-8")
    for opts in (["--report", str(locked), "--jsonl", "-"], ["--jsonl", str(locked)]):
        r = zhclean("batch", str(folder), *opts, "-q")
        assert r.returncode == 3 and r.stderr.decode().count("\n") == 1, r.stderr
        assert locked.read_text(encoding="utf-8") == "precious\n"


def test_output_refuses_the_file_behind_stdin_or_an_input(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("這 場\n", encoding="utf-8")
    for script in (
        "$Z clean - -o in.txt < in.txt",
        "$Z clean -o in.txt < in.txt",
        "ln -f in.txt hard.txt; $Z clean in.txt -o hard.txt",  # the same file by another name
    ):
        r = _sh(script, tmp_path)
        assert r.returncode == 2, script
        assert r.stderr.decode().count("\n") == 1 and "overwrite" in r.stderr.decode()
        assert src.read_text(encoding="utf-8") == "這 場\n", script


@pytest.mark.skipif(os.name != "posix", reason="pipes and /dev/full")
def test_a_lost_stderr_does_not_stop_the_work(tmp_path: Path) -> None:
    """Messages are best-effort: with stderr a pipe nobody reads (``2>&1 | head``) or
    ``/dev/full``, --explain, --in-place and batch still write every file and exit with the
    code of the work; only a lost stdout ends a run early."""
    seed = (Path(__file__).parent.parent / "samples" / "yongzhou-newspaper.txt").read_bytes()
    src = tmp_path / "in.txt"
    src.write_bytes(seed)
    want = zhclean("clean", str(src)).stdout
    folder = tmp_path / "folder"
    folder.mkdir()
    for i in range(20):
        (folder / f"a{i}.txt").write_bytes(seed)
        (folder / f"b{i}.txt").write_bytes(b"x\x00y")  # a failure: a message each
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to it fails with EPIPE
    sinks = {"pipe": write_end, "full": os.open("/dev/full", os.O_WRONLY)}
    try:
        for name, sink in sinks.items():
            out, inplace, dest = (tmp_path / f"{x}.{name}" for x in ("out", "ip", "dest"))
            inplace.write_bytes(seed)
            for args, code in (
                (["clean", "--explain", str(src), "-o", str(out)], 0),
                (["clean", "--explain", "--in-place", str(inplace)], 0),
                (["clean", str(tmp_path / "missing.txt")], 3),
                (["batch", str(folder), str(dest), "-j", "1"], 1),
            ):
                r = subprocess.run(
                    [sys.executable, "-m", "zhclean", *args],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=sink,
                    timeout=120,
                )
                assert r.returncode == code, (name, args)
            assert out.read_bytes() == want and inplace.read_bytes() == want, name
            assert len(list(dest.glob("a*.txt"))) == 20, name
        # stdout lost: a corpus or report on it ends the run quietly, as `clean | head` does
        for args in (["--jsonl", "-"], [str(tmp_path / "dest.r"), "--report", "-"]):
            r = subprocess.run(
                [sys.executable, "-m", "zhclean", "batch", str(folder), *args, "-q"],
                stdout=sinks["pipe"],
                stderr=subprocess.PIPE,
                timeout=120,
            )
            assert (r.returncode, r.stderr) == (0, b""), args
    finally:
        for sink in sinks.values():
            os.close(sink)


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_kill_exits_143_and_leaves_no_output(tmp_path: Path) -> None:
    """SIGTERM stops a run as Ctrl-C does (no partial file), with 128 + SIGTERM as its code."""
    out = tmp_path / "out.txt"
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhclean", "clean", "-j", "1", "-o", str(out)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    proc.stdin.write("永州經濟技術開發區猶如區域經濟浪潮中的一艘巨輪。\n\n".encode() * 20000)
    proc.stdin.flush()  # and the pipe stays open: the run is still going
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.txt.*")) and time.monotonic() < deadline:
        time.sleep(0.02)  # until the output's temporary file is there
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (143, b"zhclean: terminated\n")
    assert list(tmp_path.iterdir()) == []


def test_no_stderr_at_all_keeps_the_exit_codes(tmp_path: Path) -> None:
    # without a console (pythonw, a service) sys.stderr is None: a usage error raised an
    # AttributeError writing its message, and the run ended with 1, not 2 (found by the typing
    # review)
    script = (
        "import sys; sys.stderr = None; sys.argv = ['zhclean', *sys.argv[1:]]\n"
        "from zhclean.cli import main\nmain()\n"
    )
    src = tmp_path / "in.txt"
    src.write_text("園區園區。。\n", encoding="utf-8")
    for args, code in (["clean", "--nope"], 2), (["clean", str(tmp_path / "missing.txt")], 3):
        r = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, timeout=60)
        assert r.returncode == code, (args, r.stderr)
    r = subprocess.run([sys.executable, "-c", script, "clean", str(src)], capture_output=True)
    assert r.returncode == 0 and r.stdout.decode() == "園區。\n"
