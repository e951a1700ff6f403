"""Worker processes for a large input: same output, in order, bounded, nothing lost."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from zhclean import parallel
from zhclean.parallel import run_blocks
from zhclean.pipeline import Pipeline, iter_blocks

SEED = (Path(__file__).parent.parent / "samples" / "yongzhou-newspaper.txt").read_text("utf-8")
MAIN_PID = os.getpid()
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="the fork start method")


def _blocks(copies: int = 12, target: int = 3000) -> list[str]:
    text = (SEED.rstrip("\n") + "\n\n") * copies
    return list(iter_blocks(text.splitlines(keepends=True), target=target, hard=4 * target))


def _in_one_process(blocks: list[str]) -> tuple[list[str], dict[str, object]]:
    p = Pipeline.default()
    return [p.run(b) for b in blocks], p.stats


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_give_the_same_output_and_stats(method: str) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    blocks = _blocks()
    assert len(blocks) > 10
    expected, stats = _in_one_process(blocks)
    p = Pipeline.default()
    got = list(run_blocks(p, blocks, jobs=2, start_method=method))
    assert [b for b, _ in got] == blocks
    assert [out for _, out in got] == expected
    assert p.stats == stats
    assert multiprocessing.active_children() == []


def test_stream_with_jobs_equals_stream_without() -> None:
    lines = ((SEED.rstrip("\n") + "\n\n") * 12).splitlines(keepends=True)
    one = "".join(Pipeline.default().stream(lines, target=3000, hard=12000))
    two = "".join(Pipeline.default().stream(lines, target=3000, hard=12000, jobs=2))
    assert one == two


def test_few_blocks_start_no_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("a worker pool was started for two blocks")

    monkeypatch.setattr(parallel, "_Pool", refuse)
    blocks = _blocks()[:2]
    p = Pipeline.default()
    assert [out for _, out in run_blocks(p, blocks, jobs=2)] == _in_one_process(blocks)[0]


def test_blocks_are_read_only_a_window_ahead() -> None:
    blocks = _blocks()
    pulled = 0

    def source() -> Iterator[str]:
        nonlocal pulled
        for b in blocks:
            pulled += 1
            yield b

    ahead = []
    for n, _ in enumerate(run_blocks(Pipeline.default(), source(), jobs=2), start=1):
        ahead.append(pulled - n)
    # the first block, then up to 2 * jobs in flight or waiting for their turn
    assert max(ahead) <= 2 * 2 + 1


class _Failing(Pipeline):
    def run(self, text: str) -> str:
        if "BOOM" in text:
            raise ValueError("a stage failed on this block")
        return super().run(text)


class _Dying(Pipeline):
    def run(self, text: str) -> str:
        if "DIE" in text and os.getpid() != MAIN_PID:
            os._exit(3)  # a worker killed mid-block (out of memory, kill -9)
        return super().run(text)


@linux_only
def test_an_error_in_a_worker_surfaces_as_without_workers() -> None:
    blocks = _blocks()
    blocks[6] = "BOOM\n\n"
    p = _Failing(Pipeline.default().steps)
    with pytest.raises(ValueError, match="a stage failed"):
        list(run_blocks(p, blocks, jobs=2, start_method="fork"))
    assert multiprocessing.active_children() == []


@linux_only
def test_a_dying_worker_loses_nothing() -> None:
    blocks = _blocks()
    blocks[5] = "DIE。\n\n"
    blocks[9] = "DIE again。\n\n"
    expected, _ = _in_one_process(blocks)
    p = _Dying(Pipeline.default().steps)
    got = [out for _, out in run_blocks(p, blocks, jobs=2, start_method="fork")]
    assert got == expected
    assert multiprocessing.active_children() == []


def test_stopping_early_stops_the_workers() -> None:
    results = run_blocks(Pipeline.default(), _blocks(), jobs=2)
    next(results), next(results), next(results)
    assert multiprocessing.active_children()
    results.close()
    assert multiprocessing.active_children() == []


# --- the command line ------------------------------------------------------------------------


def _big(tmp_path: Path) -> Path:
    src = tmp_path / "big.txt"  # over three blocks of 256 K characters: workers start
    src.write_text((SEED.rstrip("\n") + "\n\n") * 170, encoding="utf-8")
    assert len(src.read_text(encoding="utf-8")) > 600_000
    return src


def _zhclean(*args: str, **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "zhclean", *args],
        capture_output=True,
        timeout=300,
        **kw,  # type: ignore[call-overload]
    )


def test_cli_jobs_do_not_change_the_output(tmp_path: Path) -> None:
    src = _big(tmp_path)
    one = _zhclean("clean", "-j", "1", str(src))
    two = _zhclean("clean", "-j", "2", str(src))
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout and two.stderr == b""
    out = tmp_path / "out.txt"
    assert _zhclean("clean", "-j", "2", str(src), "-o", str(out)).returncode == 0
    assert out.read_bytes() == one.stdout
    assert _zhclean("clean", "-j", "2", "--check", str(src)).returncode == 1
    assert _zhclean("clean", "-j", "2", "--check", str(out)).returncode == 0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])  # Ctrl-C, `kill PID`
def test_cli_ctrl_c_with_workers_leaves_no_output(tmp_path: Path, sig: str) -> None:
    src = _big(tmp_path)
    out = tmp_path / "out.txt"
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhclean", "clean", "-j", "2", "-o", str(out)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    proc.stdin.write(src.read_bytes())  # and keep the pipe open: the run is still going
    proc.stdin.flush()
    time.sleep(2.0)
    proc.send_signal(getattr(signal, sig))
    _, err = proc.communicate(timeout=60)
    code, message = (130, "interrupted") if sig == "SIGINT" else (143, "terminated")
    assert proc.returncode == code, err
    assert err.decode() == f"zhclean: {message}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.txt"]


def test_cli_a_bad_start_method_is_a_usage_error() -> None:
    r = _zhclean(
        "clean", input="天天\n".encode(), env={**os.environ, "ZHCLEAN_START_METHOD": "bogus"}
    )
    assert r.returncode == 2
    assert r.stderr.decode() == (
        "zhclean: error: unknown start method 'bogus' ($ZHCLEAN_START_METHOD); "
        "valid: auto, fork, spawn, forkserver\n"
    )
    assert (
        _zhclean(
            "clean",
            "-j",
            "1",
            input="天天\n".encode(),
            env={**os.environ, "ZHCLEAN_START_METHOD": "bogus"},
        ).returncode
        == 0
    )
