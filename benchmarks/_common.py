"""What the benchmarks share: building inputs at run time, timing whole processes, peak RSS.

Inputs are built from the seed page (``samples/``) and, when present, the SIGHAN 2005 test sets
in ``../shared/sighan`` (never copied into the repository: they are repeated into
``benchmarks/_work/``, which git ignores). Every measurement is a whole process: start-up,
imports, reading, writing; its CPU time (its workers' included) and peak RSS come from
``os.wait4``, and ``run(tree=True)`` samples the memory of the whole process tree. CPU time is
what other jobs on a shared machine cannot inflate; wall time is what a user waits, and the
only fair measure of a command that uses several cores (run those on an idle machine).

>>> round(mb_per_s(3 * MB, 1.5), 3)
2.0
>>> fmt_rss(40 * 1024)
'40.0 MB'
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "_work"
SAMPLES = ROOT / "samples"
SHARED = Path(os.environ.get("ZHCLEAN_SHARED", ROOT.parent / "shared"))
SEED = SAMPLES / "yongzhou-newspaper.txt"
MB = 1 << 20

# The worktree's own code, whatever is installed: the benchmark measures this checkout, with
# its bytecode cached as a user's installation has it (some shells switch the cache off).
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
    "PYTHONIOENCODING": "utf-8",
}
PY = sys.executable
ZHCLEAN = [PY, "-m", "zhclean"]


def mb_per_s(nbytes: int, seconds: float) -> float:
    """Throughput in MiB of input per second."""
    return nbytes / MB / seconds if seconds > 0 else float("inf")


def fmt_rss(kb: int) -> str:
    """Peak RSS (``ru_maxrss`` is in KiB on Linux) as MiB."""
    return f"{kb / 1024:.1f} MB"


# --- inputs --------------------------------------------------------------------------------


def sources() -> dict[str, Path]:
    """The texts benchmarks repeat, by short name; those absent on this machine are left out."""
    found = {"seed": SEED}
    for name, file in (("cityu", "cityu_test.utf8"), ("pku", "pku_test.utf8")):
        path = SHARED / "sighan" / file
        if path.is_file():
            found[name] = path
    return {k: v for k, v in found.items() if v.is_file()}


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    data = data.removeprefix(b"\xef\xbb\xbf")
    return data if data.endswith(b"\n") else data + b"\n"


def repeated(path: Path, nbytes: int) -> Iterator[bytes]:
    """``path``'s text repeated (whole copies, a page break between them) to about ``nbytes``."""
    unit = _read(path) + b"\f"
    sent = 0
    while sent < nbytes:
        yield unit
        sent += len(unit)


def build(name: str, path: Path, mb: float) -> Path:
    """Write ``path`` repeated to ``mb`` MiB under ``benchmarks/_work`` (reused if present)."""
    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / f"{name}-{mb:g}MB.txt"
    if not out.exists():
        tmp = out.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            for chunk in repeated(path, int(mb * MB)):
                fh.write(chunk)
        tmp.replace(out)
    return out


def han_stream(path: Path) -> str:
    """The characters of ``path`` without line breaks, spaces or page breaks."""
    text = _read(path).decode("utf-8")
    return "".join(text.split())


def shape(kind: str, mb: float) -> Path:
    """An input that is one long ``paragraph``, one long ``line``, one long run of ``repeats``
    or one long run of ``latin`` letters.

    paragraph: the seed page's characters hard-wrapped at 35 characters, with no blank line;
    line: the same characters on one line; repeats: a run of 哈 and a run of 改革 (two lines);
    latin: one line of Latin letters (a word as long as the input), then a pdfium line-end mark
    and a hyphen at a line end, which make normalize and join read the block's words.
    """
    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / f"shape-{kind}-{mb:g}MB.txt"
    if out.exists():
        return out
    nchars = int(mb * MB) // 3  # Han characters are three bytes in UTF-8
    if kind == "repeats":
        text = "哈" * (nchars // 2) + "\n" + "改革" * (nchars // 4) + "\n"
    elif kind == "latin":
        letters = int(mb * MB)  # one byte each
        period = "".join(chr(97 + (i * 7919) % 26) for i in range(997))  # no short repeats
        body = (period * (letters // len(period) + 1))[:letters]
        text = body + "\nthe firm\x02level data of a new tech-\nnology\n"
    else:
        stream = han_stream(SEED)
        body = (stream * (nchars // len(stream) + 1))[:nchars]
        if kind == "line":
            text = body + "\n"
        elif kind == "paragraph":
            text = "".join(body[i : i + 35] + "\n" for i in range(0, len(body), 35))
        else:
            raise ValueError(f"unknown shape {kind!r}")
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out


# --- running -------------------------------------------------------------------------------


@dataclass
class Run:
    """One finished process: wall time, peak RSS (KiB), exit code, bytes it wrote."""

    seconds: float
    rss_kb: int
    rc: int
    out_bytes: int = 0
    first_output: float | None = None  # seconds from start to its first byte of output
    timed_out: bool = False
    stderr: str = ""
    cpu: float = 0.0  # user + system seconds of the child and its workers
    tree_rss_kb: int = 0  # peaks summed over the process tree (``run(tree=True)``)
    tree_pss_kb: int = 0


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (worker processes), from /proc."""
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(entry))
    tree = [pid]
    for p in tree:
        tree.extend(kids.get(p, ()))
    return tree


def _tree_memory(pid: int) -> tuple[int, int]:
    """RSS and PSS (KiB) summed over ``pid``'s process tree. PSS shares each page among the
    processes that map it (forked workers share the parent's), so it is what the tree costs;
    the RSS sum counts shared pages once per process."""
    rss = pss = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith(b"Pss:"):
                        pss += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return rss, pss


class _Sampler(threading.Thread):
    """Peak memory of a process tree, sampled every ``every`` seconds until stopped."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_rss = self.peak_pss = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.every):
            rss, pss = _tree_memory(self.pid)
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)


def _feed(pipe: IO[bytes], chunks: Iterable[bytes]) -> None:
    try:
        for chunk in chunks:
            pipe.write(chunk)
    except (BrokenPipeError, ValueError, OSError):
        pass
    finally:
        with contextlib.suppress(OSError):
            pipe.close()


def run(
    cmd: list[str],
    stdin: Path | Iterable[bytes] | None = None,
    timeout: float = 300.0,
    stop_after_lines: int | None = None,
    tree: bool = False,
) -> Run:
    """Run ``cmd`` as a whole process; ``stdin`` is a file, or chunks written into a pipe.

    The output is read (and counted) as it comes, so the child never blocks on a full pipe; the
    time of its first byte is kept. ``stop_after_lines`` closes the pipe after that many lines,
    as ``| head -n`` does. ``tree``: also sample the peak memory of the whole process tree
    (worker processes included; Linux /proc), a few times a second.
    """
    fin: IO[bytes] | int
    feeder = None
    if isinstance(stdin, Path):
        fin = open(stdin, "rb")  # noqa: SIM115  (closed below)
    elif stdin is None:
        fin = subprocess.DEVNULL
    else:
        fin = subprocess.PIPE
    err_path = WORK / f".stderr-{os.getpid()}"
    WORK.mkdir(parents=True, exist_ok=True)
    with open(err_path, "w+b") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=fin, stdout=subprocess.PIPE, stderr=err, env=ENV)
        if fin is subprocess.PIPE:
            assert proc.stdin is not None
            feeder = threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True)
            feeder.start()
        elif not isinstance(fin, int):
            fin.close()
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        sampler = _Sampler(proc.pid) if tree and os.path.isdir("/proc") else None
        if sampler is not None:
            sampler.start()
        assert proc.stdout is not None
        first: float | None = None
        total = 0
        lines = 0
        while True:
            chunk = proc.stdout.read1(1 << 16)
            if not chunk:
                break
            if first is None:
                first = time.perf_counter() - start
            total += len(chunk)
            if stop_after_lines is not None:
                lines += chunk.count(b"\n")
                if lines >= stop_after_lines:
                    break
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if sampler is not None:
            sampler.stop.set()
            sampler.join()
        timed_out = not timer.is_alive() and status != 0
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if feeder is not None:
            feeder.join(timeout=5)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    err_path.unlink(missing_ok=True)
    cpu = usage.ru_utime + usage.ru_stime
    r = Run(seconds, usage.ru_maxrss, proc.returncode, total, first, timed_out, stderr, cpu)
    if sampler is not None:
        r.tree_rss_kb, r.tree_pss_kb = sampler.peak_rss, sampler.peak_pss
    return r


def best_of(
    n: int,
    cmd: list[str],
    stdin: Path | None = None,
    timeout: float = 300.0,
    cheap: float = 3.0,
    by: str = "cpu",
) -> Run:
    """The run of least CPU time (``by="wall"``: wall time) of up to ``n`` (the others are
    noise from a shared machine), with the highest RSS; a run slower than ``cheap`` seconds is
    not repeated."""
    runs = [run(cmd, stdin, timeout)]
    while len(runs) < n and runs[0].rc == 0 and runs[0].seconds < cheap:
        runs.append(run(cmd, stdin, timeout))
    best = min(runs, key=lambda r: r.seconds if by == "wall" else r.cpu)
    best.rss_kb = max(r.rss_kb for r in runs)
    return best


# --- the wrapped libraries alone, each in its own process ----------------------------------

OPENCC_ALONE = """
import sys, opencc
try:
    cc = opencc.OpenCC(sys.argv[1])
except Exception:
    cc = opencc.OpenCC(sys.argv[1] + ".json")
out = sys.stdout.buffer
for line in open(sys.argv[2], encoding="utf-8"):
    out.write(cc.convert(line).encode("utf-8"))
"""

JIEBA_ALONE = """
import sys, jieba
jieba.setLogLevel(60)
tok = jieba.Tokenizer()
tok.initialize()
out = sys.stdout.buffer
for line in open(sys.argv[1], encoding="utf-8"):
    out.write((" ".join(tok.cut(line.rstrip("\\n"))) + "\\n").encode("utf-8"))
"""

RJIEBA_ALONE = """
import sys, rjieba
out = sys.stdout.buffer
for line in open(sys.argv[1], encoding="utf-8"):
    out.write((" ".join(rjieba.cut(line.rstrip("\\n"))) + "\\n").encode("utf-8"))
"""


def have(module: str) -> bool:
    """Whether ``module`` imports in the benchmarked interpreter."""
    probe = subprocess.run([PY, "-c", f"import {module}"], env=ENV, capture_output=True)
    return probe.returncode == 0


def zhclean_segmenter() -> str:
    """Which engine zhclean's segment stage loads: ``rjieba`` or ``jieba``."""
    probe = subprocess.run(
        [
            PY,
            "-c",
            "import sys, zhclean; zhclean.segment('測試一下'); "
            "print('rjieba' if 'rjieba' in sys.modules else 'jieba')",
        ],
        env=ENV,
        capture_output=True,
        text=True,
    )
    return probe.stdout.strip() or "jieba"


def cpu_seconds(fn: Callable[[], object]) -> float:
    """CPU time of ``fn``, its child processes included: on a shared machine wall-clock time
    measures the neighbours too."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.process_time()
    fn()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.process_time() - start + children


def best_cpu_of(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The least CPU time of each function, the functions taking turns."""
    out = {k: float("inf") for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            out[k] = min(out[k], cpu_seconds(fn))
    return out
