"""Benchmark `zhclean batch`: files/s and MB/s with 1 and N worker processes.

The folder is built at run time in a temporary directory from ../shared/sighan (PKU and CityU
test sets, UTF-8 and their GBK / Big5-HKSCS originals) and the seed page in samples/: a few
thousand files of a few lines to a few pages each, in nested folders, a third of them in a legacy
encoding. Nothing is copied into the repository.

    python benchmarks/bench_batch.py                 # 3000 files, jobs 1 and all cores
    python benchmarks/bench_batch.py --files 500 --jobs 2

Each run cleans the whole folder into a fresh DEST through the library entry point the command
uses (zhclean.batch.Batch); the time includes starting the workers and loading jieba/OpenCC in
each. "cpu s" is the CPU time of this process and its children and "busy" the share of
jobs x seconds that the workers spent inside a file (loading jieba included; the rest: starting
processes, waiting for work), to tell a loaded machine from an idle pool. With --repeat R each
configuration runs R times, interleaved, and the fastest run is shown.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from zhclean.batch import Batch, default_jobs  # noqa: E402
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


def cpu() -> float:
    """CPU seconds of this process and of its finished children (POSIX; else this process)."""
    try:
        import resource
    except ImportError:
        return time.process_time()
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run(src: Path, dest: Path, jobs: int, segment: bool, durable: bool = False) -> dict[str, float]:
    shutil.rmtree(dest, ignore_errors=True)
    pipeline = Pipeline.default(segment=segment)
    c0, t0 = cpu(), time.perf_counter()
    statuses: Counter[str] = Counter()
    bytes_in = 0
    inside = 0.0
    for rec in Batch(src, dest, pipeline=pipeline, jobs=jobs, durable=durable):
        statuses[rec.status] += 1
        bytes_in += rec.bytes_in
        inside += rec.seconds
    elapsed = time.perf_counter() - t0
    if statuses["ok"] != sum(statuses.values()):
        sys.exit(f"bench_batch: not every file was cleaned: {dict(statuses)}")
    return {
        "seconds": elapsed,
        "files_s": statuses["ok"] / elapsed,
        "mb_s": bytes_in / 1e6 / elapsed,
        "cpu": cpu() - c0,
        "busy": inside / (elapsed * jobs),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--jobs", type=int, default=default_jobs(), help="N (default: all cores)")
    ap.add_argument("--fsync", action="store_true", help="also time with an fsync per file")
    ap.add_argument("--repeat", type=int, default=1, help="runs per configuration (best shown)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="zhclean-bench-") as tmp:
        src, dest = Path(tmp) / "src", Path(tmp) / "dest"
        files, size = build(src, args.files)
        print(
            f"folder: {files} files, {size / 1e6:.2f} MB, {os.cpu_count()} cores, load "
            f"{os.getloadavg()[0]:.1f}"
        )
        print()
        print("| pipeline | jobs | seconds | files/s | MB/s | cpu s | busy | speed-up |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        rows: list[tuple[str, int, bool]] = []
        for segment in (False, True):
            for jobs in sorted({1, args.jobs}):
                rows.append(("clean --segment" if segment else "clean", jobs, False))
        if args.fsync:
            rows += [("clean, fsync per file", jobs, True) for jobs in sorted({1, args.jobs})]
        best: dict[tuple[str, int, bool], dict[str, float]] = {}
        for _ in range(max(1, args.repeat)):
            for row in rows:
                r = run(src, dest, row[1], "segment" in row[0], row[2])
                if row not in best or r["seconds"] < best[row]["seconds"]:
                    best[row] = r
        for label, jobs, durable in rows:
            r = best[(label, jobs, durable)]
            speed = best[(label, 1, durable)]["seconds"] / r["seconds"]
            print(
                f"| {label} | {jobs} | {r['seconds']:.2f} | {r['files_s']:.0f} | "
                f"{r['mb_s']:.2f} | {r['cpu']:.1f} | {r['busy']:.0%} | {speed:.2f}x |"
            )
        print(f"\nload average after: {os.getloadavg()[0]:.1f}")
        if args.jobs > 1:
            print(
                f"machine check: {args.jobs} spinning processes get "
                f"{machine_scaling(args.jobs):.2f}x the work of one right now "
                "(the ceiling for the speed-ups above)"
            )


if __name__ == "__main__":
    main()
