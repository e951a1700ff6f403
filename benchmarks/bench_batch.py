"""Benchmark `zhclean batch`: files/s and MB/s with 1 and N worker processes.

The folder is built at run time in a temporary directory from ../shared/sighan (PKU and CityU
test sets, UTF-8 and their GBK / Big5-HKSCS originals) and the seed page in samples/: a few
thousand files of a few lines to a few pages each, in nested folders, a third of them in a legacy
encoding. Nothing is copied into the repository.

    python benchmarks/bench_batch.py                 # 3000 files, jobs 1 and all cores
    python benchmarks/bench_batch.py --files 500 --jobs 2
    python benchmarks/bench_batch.py --start-method spawn   # the macOS/Windows way, on Linux

Each run is a fresh interpreter that cleans the whole folder into a fresh DEST through the
library entry point the command uses (zhclean.batch.Batch), timed from the start of the
interpreter to its exit: every run pays for its imports, for starting its workers and for loading
jieba/OpenCC, as a user of `zhclean batch` does (an earlier version ran them all in one process,
so that every 1-job run but the first found jieba's dictionary already loaded). "cpu s" is the
CPU time of that process and its workers, "main cpu s" the part spent in the main process
(imports, the walk, with forked workers the one dictionary load they inherit, handing out work,
the manifest; it competes with the workers for the cores), "main peak MB" its peak resident
memory (the walked file list and the manifest grow with the number of files), "busy" the
share of jobs x seconds that the workers spent inside a file (the rest: starting processes,
loading dictionaries, waiting for work), to tell a loaded machine from an idle pool.
``--segment`` rows are timed for each installed engine (jieba; rjieba with the fast extra).
With --repeat R each configuration runs R times, interleaved; best and median are shown.

On a shared or virtual machine two busy processes can slow each other down (memory traffic,
clock speed, neighbours): "machine check" (N spinning processes) and, with --ceiling, N
independent 1-job runs of each pipeline at once against one alone, say how much of an N-fold
speed-up the machine allows right now; a speed-up near that ceiling is what the pool can do.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from zhclean.batch import Batch, default_jobs  # noqa: E402
from zhclean.engines.jieba import ENGINES, versions  # noqa: E402
from zhclean.pipeline import Pipeline  # noqa: E402

SHARED = ROOT.parent / "shared"


def sources() -> list[tuple[str, str]]:
    """(text, encoding to store it in) pools: lines of the SIGHAN sets, pages of the seed."""
    pools: list[tuple[str, str]] = []
    sighan = SHARED / "sighan"
    for name, legacy in (("pku_test.utf8", "gbk"), ("cityu_test.utf8", "big5hkscs")):
        p = sighan / name
        if p.is_file():
            text = p.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
            pools.append((text, legacy))
    seed = ROOT / "samples" / "yongzhou-newspaper.txt"
    if seed.is_file():
        pools.append((seed.read_text(encoding="utf-8"), "big5hkscs"))
    if not pools:
        sys.exit("bench_batch: neither ../shared/sighan nor samples/ is there")
    return pools


def build(folder: Path, n: int, seed: int = 7) -> tuple[int, int]:
    """Write ``n`` files under ``folder``; return (files, bytes)."""
    rng = random.Random(seed)
    pools = [(text.splitlines(keepends=True), enc) for text, enc in sources()]
    total = 0
    for i in range(n):
        lines, legacy = pools[i % len(pools)]
        k = rng.randint(3, 40)
        start = rng.randrange(0, max(1, len(lines) - k))
        text = "".join(lines[start : start + k])
        enc = legacy if i % 3 == 0 else "utf-8"
        try:
            data = text.encode(enc)
        except UnicodeEncodeError:
            data = text.encode("utf-8")
        d = folder / f"vol{i % 7}" / f"part {i % 11}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"頁{i:05}.txt").write_bytes(data)
        total += len(data)
    return n, total


def _spin(seconds: float) -> int:
    end, n = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        n += 1
    return n


def machine_scaling(jobs: int, seconds: float = 1.5) -> float:
    """How much more pure-Python work ``jobs`` processes get done than one, on this machine now.

    On an idle machine with ``jobs`` cores this is about ``jobs``; on a shared, loaded one it is
    the ceiling for any speed-up below.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(jobs) as pool:
        pool.map(_spin, [0.1] * jobs)  # processes started before timing
        one = pool.apply(_spin, (seconds,))
        many = sum(pool.map(_spin, [seconds] * jobs))
    return many / one


def _create_files(folder: str, n: int) -> None:
    """Write ``n`` small files as batch writes its outputs: a new temporary file, renamed."""
    for i in range(n):
        tmp = os.path.join(folder, f"{i}.txt.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, b"x" * 2500)
        os.close(fd)
        os.replace(tmp, os.path.join(folder, f"{i}.txt"))


def filesystem_scaling(where: Path, jobs: int, n: int = 1000) -> tuple[float, float]:
    """(ms to create one file, how much faster ``jobs`` processes create files than one) in
    ``where``. Every output of a batch run is a new file: on a disk whose file creation is slow
    and serialized (seen on a virtual machine's ext4: 0.45 ms of kernel time a file, and two
    processes no faster than one), that part of a run cannot go faster with more workers."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(dir=where) as tmp, ctx.Pool(jobs) as pool:
        dirs = [os.path.join(tmp, f"p{i}") for i in range(jobs + 1)]
        for d in dirs:
            os.mkdir(d)
        pool.map(_spin, [0.05] * jobs)  # processes started before timing
        t0 = time.perf_counter()
        pool.apply(_create_files, (dirs[0], n))
        one = time.perf_counter() - t0
        t0 = time.perf_counter()
        pool.starmap(_create_files, [(d, n // jobs) for d in dirs[1:]])
        many = time.perf_counter() - t0
    return one / n * 1000, one / many


def _rusage_cpu(ru: Any) -> float:
    return float(ru.ru_utime + ru.ru_stime)


def child(args: argparse.Namespace) -> None:
    """One timed run, in a fresh interpreter: prints its figures as JSON on stdout."""
    import resource

    from zhclean.stages.segment import SegmentConfig

    segment: bool | SegmentConfig = SegmentConfig(engine=args.engine) if args.segment else False
    pipeline = Pipeline.default(segment=segment)
    kw: dict[str, Any] = (
        {} if args.start_method == "default" else {"start_method": args.start_method}
    )
    t0 = time.perf_counter()
    statuses: Counter[str] = Counter()
    bytes_in = 0
    inside = 0.0
    run = Batch(args.src, args.dest, pipeline=pipeline, jobs=args.jobs, durable=args.fsync, **kw)
    for rec in run:
        statuses[rec.status] += 1
        bytes_in += rec.bytes_in
        inside += rec.seconds
    elapsed = time.perf_counter() - t0
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, reaped by close()
    json.dump(
        {
            "batch_seconds": elapsed,
            "ok": statuses["ok"],
            "skipped": statuses["skipped"],
            "files": sum(statuses.values()),
            "bytes_in": bytes_in,
            "inside": inside,
            "main_cpu": _rusage_cpu(me),
            "main_mb": me.ru_maxrss / 1024,  # KiB on Linux: the walk, the manifest, the records
            "workers_cpu": _rusage_cpu(kids),
        },
        sys.stdout,
    )


def run(
    src: Path,
    dest: Path,
    jobs: int,
    segment: bool,
    engine: str,
    start_method: str,
    durable: bool = False,
    resume: bool = False,
) -> dict[str, float]:
    """Time one run of the whole process, as a user of the command sees it: a fresh interpreter
    each time, so every run pays for its imports and its jieba dictionary load once, and no run
    inherits what an earlier run loaded into this process. ``resume``: into the DEST of the run
    before, whose outputs are all up to date."""
    t0 = time.perf_counter()
    proc = _start(src, dest, jobs, segment, engine, start_method, durable, resume)
    return _finish(proc, t0, jobs, resume)


def _start(
    src: Path,
    dest: Path,
    jobs: int,
    segment: bool,
    engine: str,
    start_method: str,
    durable: bool,
    resume: bool = False,
) -> subprocess.Popen[str]:
    if not resume:
        shutil.rmtree(dest, ignore_errors=True)
    cmd = [sys.executable, __file__, "--child", "--src", str(src), "--dest", str(dest)]
    cmd += ["--jobs", str(jobs), "--engine", engine, "--start-method", start_method]
    cmd += [*(["--segment"] if segment else []), *(["--fsync"] if durable else [])]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


def _finish(
    proc: subprocess.Popen[str], t0: float, jobs: int, resume: bool = False
) -> dict[str, float]:
    out = proc.stdout.read() if proc.stdout is not None else ""
    _, status, ru = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"bench_batch: the run failed (exit code {proc.returncode})")
    r = json.loads(out)
    if resume and r["skipped"] != r["files"]:
        sys.exit(f"bench_batch: not every file was up to date: {r['skipped']} of {r['files']}")
    if not resume and r["ok"] != r["files"]:
        sys.exit(f"bench_batch: not every file was cleaned: {r['ok']} of {r['files']}")
    return {
        "seconds": elapsed,
        "files_s": r["files"] / elapsed,
        "mb_s": r["bytes_in"] / 1e6 / elapsed,
        "cpu": _rusage_cpu(ru),  # the run's process and every worker it reaped
        "main_cpu": r["main_cpu"],
        "main_mb": r["main_mb"],
        "busy": r["inside"] / (r["batch_seconds"] * jobs),
    }


def ceiling(src: Path, tmp: Path, jobs: int, segment: bool, engine: str) -> float:
    """How much more work ``jobs`` independent 1-job runs of this very pipeline get done at once
    than one alone, on this machine now: the ceiling for the speed-up of ``jobs`` workers, with
    the workload's own memory traffic (spinning processes, the machine check, have none)."""
    t0 = time.perf_counter()
    run(src, tmp / "alone", 1, segment, engine, "default")
    alone = time.perf_counter() - t0
    t0 = time.perf_counter()
    procs = [_start(src, tmp / f"c{i}", 1, segment, engine, "default", False) for i in range(jobs)]
    for proc in procs:
        _finish(proc, t0, 1)
    return jobs * alone / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--jobs", type=int, default=default_jobs(), help="N (default: all cores)")
    ap.add_argument("--fsync", action="store_true", help="also time with an fsync per file")
    ap.add_argument("--repeat", type=int, default=1, help="runs per configuration")
    ap.add_argument(
        "--engine",
        choices=["all", *ENGINES],
        default="all",
        help="segmentation engine(s) to time (default: every installed one)",
    )
    ap.add_argument(
        "--start-method",
        default="default",
        help="worker start method passed to Batch (default: Batch's own choice)",
    )
    ap.add_argument("--no-segment", action="store_true", help="only the clean pipeline")
    ap.add_argument(
        "--ceiling",
        action="store_true",
        help="also time N independent 1-job runs at once (the speed-up this machine allows)",
    )
    ap.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="build the folder and write its mirror here (default: the temporary folder, "
        "$TMPDIR); the file system counts: see the file system check",
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--src", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--dest", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--segment", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    engines = [e for e, _ in versions()] if args.engine == "all" else [args.engine]

    with tempfile.TemporaryDirectory(prefix="zhclean-bench-", dir=args.dir) as tmp:
        src, dest = Path(tmp) / "src", Path(tmp) / "dest"
        files, size = build(src, args.files)
        print(
            f"folder: {files} files, {size / 1e6:.2f} MB, in {Path(tmp).parent}, "
            f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
            f"start method: {args.start_method}"
        )
        print()
        print(
            "| pipeline | jobs | seconds (best) | median | files/s | MB/s | cpu s | main cpu s "
            "| main peak MB | busy | speed-up (best) | speed-up (median) |"
        )
        print(
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        )
        Row = tuple[str, int, bool, str]  # label, jobs, durable, engine
        rows: list[Row] = []
        jobs_list = sorted({1, args.jobs})
        rows += [("clean", jobs, False, "auto") for jobs in jobs_list]
        if not args.no_segment:
            for engine in engines:
                rows += [(f"clean --segment ({engine})", j, False, engine) for j in jobs_list]
        if args.fsync:
            rows += [("clean, fsync per file", jobs, True, "auto") for jobs in jobs_list]
        results: dict[Row, list[dict[str, float]]] = {row: [] for row in rows}
        for _ in range(max(1, args.repeat)):
            for row in rows:  # interleaved, so that a busy spell of the machine hits all
                label, jobs, durable, engine = row
                r = run(src, dest, jobs, "segment" in label, engine, args.start_method, durable)
                results[row].append(r)

        def best(row: Row) -> dict[str, float]:
            return min(results[row], key=lambda r: r["seconds"])

        def median(row: Row) -> float:
            return statistics.median(r["seconds"] for r in results[row])

        for row in rows:
            label, jobs, durable, engine = row
            one = (label, 1, durable, engine)
            r = best(row)
            print(
                f"| {label} | {jobs} | {r['seconds']:.2f} | {median(row):.2f} | "
                f"{r['files_s']:.0f} | {r['mb_s']:.2f} | {r['cpu']:.1f} | {r['main_cpu']:.2f} | "
                f"{r['main_mb']:.0f} | {r['busy']:.0%} | "
                f"{best(one)['seconds'] / r['seconds']:.2f}x | {median(one) / median(row):.2f}x |"
            )
        # the same command again over its own mirror: every file up to date (walk, manifest)
        run(src, dest, args.jobs, False, "auto", args.start_method)
        r = run(src, dest, args.jobs, False, "auto", args.start_method, resume=True)
        print(
            f"\nre-run of `clean` with every file up to date ({args.jobs} jobs): "
            f"{r['seconds']:.2f} s, {r['files_s']:.0f} files/s, main peak {r['main_mb']:.0f} MB"
        )
        print(f"\nload average after: {os.getloadavg()[0]:.1f}")
        if args.ceiling and args.jobs > 1:
            print(f"\nceiling: {args.jobs} independent 1-job runs at once, against one alone:")
            for label, jobs, durable, engine in rows:
                if jobs != args.jobs or durable:
                    continue
                got = [
                    ceiling(src, Path(tmp), args.jobs, "segment" in label, engine)
                    for _ in range(max(1, args.repeat))
                ]
                print(
                    f"- {label}: {statistics.median(got):.2f}x (median; "
                    f"{', '.join(f'{g:.2f}' for g in got)})"
                )
        if args.jobs > 1:
            print(
                f"machine check: {args.jobs} spinning processes get "
                f"{machine_scaling(args.jobs):.2f}x the work of one right now "
                "(the ceiling for pure CPU work)"
            )
            ms, scale = filesystem_scaling(Path(tmp), args.jobs)
            print(
                f"file system check: creating a file (write, rename) takes {ms:.2f} ms here; "
                f"{args.jobs} processes create files {scale:.2f}x as fast as one "
                f"({ms * files / 1000:.2f} s of the {files} outputs)"
            )


if __name__ == "__main__":
    main()
