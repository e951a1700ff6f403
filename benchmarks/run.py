"""The benchmark suite's one entry point: speed, peak memory and linearity of every command.

    python benchmarks/run.py                 # the whole table (a few minutes on 2 cores)
    python benchmarks/run.py --quick         # smaller inputs, fewer linearity sizes
    python benchmarks/run.py --only clean    # only rows whose name contains "clean"
    python benchmarks/run.py --big 1024      # the memory rows pipe 1 GB through stdin
    python benchmarks/run.py --quality       # also the other benchmarks' quality figures

Every row is a whole process (``python -m zhclean ...``: start-up, decoding, every stage,
writing), with its wall time, CPU time and peak RSS. MB/s is computed from wall time, the time
a user waits: zhclean cleans a large input on every core (``--jobs``, default all), and the
``-j 1`` rows show what one core does. Run it on an idle machine: other jobs inflate wall
time (the CPU seconds beside it, workers included, they cannot). The wrapped libraries run
alone on the same input in the same run, each in its own process (OpenCC's official binding,
jieba, rjieba), and the "vs library" column is zhclean's speed divided by theirs. Peak memory
is that of the biggest process, except in the memory rows, which sample the whole process
tree (PSS: pages shared by forked workers counted once). Inputs are built at run time from the
seed page and ../shared/sighan (skipped when absent) under benchmarks/_work/.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    ENV,
    JIEBA_ALONE,
    MB,
    OPENCC_ALONE,
    PY,
    RJIEBA_ALONE,
    ROOT,
    SEED,
    ZHCLEAN,
    Run,
    best_of,
    build,
    fmt_rss,
    have,
    mb_per_s,
    repeated,
    run,
    shape,
    sources,
    zhclean_segmenter,
)

QUALITY_SCRIPTS = (
    "bench_normalize.py",
    "bench_dedupe.py",
    "bench_join.py",
    "bench_convert.py",
    "bench_segment.py",
    "bench_batch.py",
    "bench_idempotence.py",
)
# A doubling of the input may cost this much more than twice the time before a row fails: two
# cores shared with other jobs make single runs noisy by 10-15 %.
LINEAR_SLACK = 2.3
MIN_NET = 0.1


@dataclass
class Row:
    name: str
    input: str = ""
    mb: float = 0.0
    seconds: float | None = None  # CPU seconds (user + system) of the process and its workers
    rss_kb: int | None = None
    vs: str = ""
    target: str = ""
    ok: bool | None = None
    note: str = ""
    wall: float | None = None

    @property
    def mbps(self) -> float | None:
        if self.wall is None or not self.mb:
            return None
        return mb_per_s(int(self.mb * MB), self.wall)


@dataclass
class Bench:
    args: argparse.Namespace
    rows: list[Row] = field(default_factory=list)
    startup: float = 0.0

    def wanted(self, name: str) -> bool:
        return not self.args.only or any(o in name for o in self.args.only)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        print(f"  {row.name:<38} {row.input:<14} {_cell(row)}", file=sys.stderr, flush=True)
        return row

    def measure(self, name: str, cmd: list[str], path: Path, label: str, **kw: object) -> Row:
        r = best_of(self.args.repeat, cmd, path, self.args.timeout, by="wall")
        row = Row(name, label, path.stat().st_size / MB, r.cpu, r.rss_kb, **kw)  # type: ignore[arg-type]
        row.wall = r.seconds
        if r.rc != 0:
            row.ok, row.note = False, _failure(r)
        return self.add(row)


def _failure(r: Run) -> str:
    if r.timed_out:
        return "timed out"
    last = r.stderr.strip().splitlines()[-1:] or ["?"]
    return f"exit {r.rc}: {last[0][:60]}"


def _cell(row: Row) -> str:
    mbps = f"{row.mbps:.2f} MB/s" if row.mbps is not None else ""
    secs = f"{row.seconds:.2f} s" if row.seconds is not None else ""
    return f"{secs} {mbps} {fmt_rss(row.rss_kb) if row.rss_kb else ''} {row.note}"


def _ratio(mine: Row, lib: Row | None, name: str) -> str:
    if lib is None or mine.mbps is None or lib.mbps is None:
        return ""
    return f"{mine.mbps / lib.mbps:.2f}x {name}"


# --- the rows -----------------------------------------------------------------------------


def startup(b: Bench) -> None:
    runs = [run([*ZHCLEAN, "clean"], [("天天\n").encode()]) for _ in range(5)]
    best = min(runs, key=lambda r: r.seconds)
    b.startup = min(r.cpu for r in runs)
    if not b.wanted("startup"):
        return
    ok = best.rc == 0 and best.seconds < 0.3  # the target is wall time
    b.add(
        Row(
            "startup: echo 天天 | zhclean clean",
            "2 chars",
            0,
            b.startup,
            best.rss_kb,
            target="< 0.3 s",
            ok=ok,
            note="best wall time of 5",
            wall=best.seconds,
        )
    )


def stages(b: Bench, seed: Path) -> None:
    for cmd in ("normalize", "dedupe", "join", "spacing"):
        name = f"zhclean {cmd}"
        if b.wanted(name):
            b.measure(name, [*ZHCLEAN, cmd], seed, "seed")


def cleaning(b: Bench, inputs: dict[str, Path]) -> None:
    for label, path in inputs.items():
        if b.wanted("zhclean clean"):
            row = b.measure("zhclean clean", [*ZHCLEAN, "clean"], path, label, target=">= 10 MB/s")
            if row.ok is None:
                row.ok = (row.mbps or 0) >= 10
        if b.wanted("zhclean clean -j 1"):
            b.measure("zhclean clean -j 1 (one core)", [*ZHCLEAN, "clean", "-j", "1"], path, label)


def converting(b: Bench, seed: Path) -> None:
    if not (b.wanted("hk2s") or b.wanted("convert")):
        return
    if not have("opencc"):
        b.add(Row("opencc", note="opencc is not installed: skipped"))
        return
    lib = b.measure(
        "opencc hk2s alone (library)", [PY, "-c", OPENCC_ALONE, "hk2s", str(seed)], seed, "seed"
    )
    if b.wanted("zhclean convert"):
        row = b.measure(
            "zhclean convert -c hk2s", [*ZHCLEAN, "convert", "-c", "hk2s"], seed, "seed"
        )
        row.vs = _ratio(row, lib, "opencc")
    if b.wanted("clean -c hk2s"):
        row = b.measure(
            "zhclean clean -c hk2s",
            [*ZHCLEAN, "clean", "-c", "hk2s"],
            seed,
            "seed",
            target=">= 8 MB/s",
        )
        row.vs = _ratio(row, lib, "opencc")
        if row.ok is None:
            row.ok = (row.mbps or 0) >= 8


def segmenting(b: Bench, seg_inputs: dict[str, Path]) -> None:
    if not (b.wanted("segment") or b.wanted("jieba")):
        return
    engine = zhclean_segmenter()
    for label, path in seg_inputs.items():
        libs: dict[str, Row] = {}
        if have("jieba"):
            libs["jieba"] = b.measure(
                "jieba alone (library)", [PY, "-c", JIEBA_ALONE, str(path)], path, label
            )
        if have("rjieba"):
            libs["rjieba"] = b.measure(
                "rjieba alone (library)", [PY, "-c", RJIEBA_ALONE, str(path)], path, label
            )
        commands = {
            "zhclean segment": [*ZHCLEAN, "segment"],
            "zhclean segment -j 1 (one core)": [*ZHCLEAN, "segment", "-j", "1"],
            "zhclean clean -c hk2s --segment": [*ZHCLEAN, "clean", "-c", "hk2s", "--segment"],
            "zhclean clean -c hk2s --segment -j 1 (one core)": [
                *ZHCLEAN,
                *("clean", "-c", "hk2s", "--segment", "-j", "1"),
            ],
        }
        for name, cmd in commands.items():
            if not b.wanted(name):
                continue
            target = f">= 0.9x {engine}" if "one core" not in name else ""
            row = b.measure(name, cmd, path, label, target=target)
            row.vs = " ".join(_ratio(row, lib, n) for n, lib in libs.items())
            if target and row.ok is None and engine in libs:
                row.ok = (row.mbps or 0) >= 0.9 * (libs[engine].mbps or 0)


def memory(b: Bench, sizes: list[float], seg_sizes: list[float]) -> None:
    """Peak RSS of ``zhclean clean`` fed through a pipe, at two sizes, generated on the fly."""
    cases = [("memory: ... | zhclean clean", [*ZHCLEAN, "clean"], sizes, 100)]
    cases.append(
        ("memory: ... | zhclean clean --segment", [*ZHCLEAN, "clean", "--segment"], seg_sizes, 200)
    )
    for name, cmd, mbs, limit in cases:
        if not b.wanted(name):
            continue
        for mb in mbs:
            r = run(
                cmd, repeated(SEED, int(mb * MB)), timeout=max(b.args.timeout, mb * 2), tree=True
            )
            peak = r.tree_pss_kb or r.rss_kb  # no /proc: the biggest process
            row = Row(name, "seed stdin", mb, r.cpu, peak, target=f"< {limit} MB", wall=r.seconds)
            row.ok = r.rc == 0 and peak < limit * 1024
            row.note = (
                f"tree PSS; RSS sum {fmt_rss(r.tree_rss_kb)}, biggest process {fmt_rss(r.rss_kb)}"
                if r.tree_pss_kb
                else "biggest process"
            )
            if r.rc != 0:
                row.note = _failure(r)
            b.add(row)


def first_output(b: Bench, mb: float) -> None:
    """``cat big | zhclean clean | head -3``: how soon the first lines come, and a quiet exit."""
    name = "first output: ... | zhclean clean | head -3"
    if not b.wanted(name):
        return
    r = run([*ZHCLEAN, "clean"], repeated(SEED, int(mb * MB)), stop_after_lines=3)
    note = f"first byte {r.first_output:.2f} s" if r.first_output is not None else "no output"
    row = Row(name, "seed stdin", mb, None, r.rss_kb, target="exit 0", ok=r.rc == 0)
    row.note = f"{note}; exit {r.rc} after {r.seconds:.2f} s"
    b.add(row)


def linearity(b: Bench, sizes: list[float], commands: list[str]) -> None:
    """Time each command on a paragraph, a line, a run of repeats, a run of Latin letters, of
    doubling sizes."""
    for kind in ("paragraph", "line", "repeats", "latin"):
        for cmd in commands:
            name = f"linear {kind}: zhclean {cmd} -j 1"
            if not b.wanted(name):
                continue
            times: list[float] = []
            rss = 0
            note = ""
            # Each command's own start-up: commands import only the stages they run.
            tiny = [("天天\n").encode()]
            startup = min(run([*ZHCLEAN, *cmd.split(), "-j", "1"], tiny).cpu for _ in range(5))
            for mb in sizes:
                path = shape(kind, mb)
                # one process (-j 1): workers start from three blocks on, and their start would
                # show as a step between sizes that says nothing about the algorithms
                cmdline = [*ZHCLEAN, *cmd.split(), "-j", "1"]
                r = best_of(b.args.repeat, cmdline, path, b.args.timeout)
                if r.rc != 0:
                    note = f"{_failure(r)} at {mb:g} MB"
                    break
                times.append(r.cpu)
                rss = max(rss, r.rss_kb)
            # Ratios of the time net of start-up, which does not grow with the input; a pair
            # whose smaller time is under MIN_NET is too fast to judge on a shared machine.
            net = [max(t - startup, 1e-3) for t in times]
            ratios = [net[i + 1] / net[i] for i in range(len(net) - 1)]
            judged = [q for i, q in enumerate(ratios) if net[i] >= MIN_NET]
            shown = " ".join(f"{t:.2f}" for t in times)
            # (a ratio too fast to judge is shown in parentheses)
            steps = " ".join(
                f"x{q:.2f}" if net[i] >= MIN_NET else f"(x{q:.2f})" for i, q in enumerate(ratios)
            )
            note = f"cpu s: {shown}, start-up {startup:.2f}; {steps} {note}".strip()
            row = Row(
                name, f"{sizes[0]:g}..{sizes[-1]:g} MB", sizes[len(times) - 1] if times else 0
            )
            row.seconds = times[-1] if times else None
            row.rss_kb = rss or None
            row.target = f"x <= {LINEAR_SLACK:g}"
            if note.endswith("MB"):
                row.ok = False
            elif judged:
                row.ok = all(q <= LINEAR_SLACK for q in judged)
            row.note = note
            b.add(row)


def quality(b: Bench) -> None:
    here = ROOT / "benchmarks"
    for script in QUALITY_SCRIPTS:
        path = here / script
        if not path.is_file():
            print(f"\n## {script}: absent, skipped")
            continue
        print(f"\n## {script}\n", flush=True)
        subprocess.run([PY, str(path)], cwd=ROOT, check=False)


# --- the table ----------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    head = ["row", "input", "MB", "wall s", "cpu s", "MB/s", "peak mem", "vs library", "target"]
    head += ["ok", "notes"]
    body = []
    for r in rows:
        body.append(
            [
                r.name,
                r.input,
                (f"{r.mb:.3g}" if r.mb < 100 else f"{r.mb:.0f}") if r.mb else "",
                f"{r.wall:.2f}" if r.wall is not None else "",
                f"{r.seconds:.2f}" if r.seconds is not None else "",
                f"{r.mbps:.2f}" if r.mbps is not None and r.mb else "",
                fmt_rss(r.rss_kb) if r.rss_kb else "",
                r.vs,
                r.target,
                {True: "ok", False: "MISS", None: ""}[r.ok],
                r.note,
            ]
        )
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line(head), "-+-".join("-" * w for w in widths), *map(line, body)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--size", type=float, default=16.0, help="MB of input for speed rows (16)")
    ap.add_argument(
        "--seg-size",
        type=float,
        default=0,
        help="MB for segmentation rows (default: 16 with rjieba, 4 with jieba: the engine alone "
        "runs about a second or more, so that its speed is not its start-up)",
    )
    ap.add_argument("--big", type=float, default=0, help="MB piped in the larger memory run")
    ap.add_argument("--linear", default="1,2,4,8", help="MB sizes of the linearity rows")
    ap.add_argument("--linear-commands", default="normalize,dedupe,join,spacing,clean")
    ap.add_argument("--quick", action="store_true", help="small inputs, a quick look")
    ap.add_argument("--only", action="append", default=[], help="rows whose name contains this")
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs of a row under 3 s (3)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per process (120)")
    ap.add_argument("--quality", action="store_true", help="run the bench_*.py quality scripts")
    args = ap.parse_args(argv)
    # Every row runs `python -m zhclean` with this interpreter: one without zhclean's
    # dependencies (the system's python, not the venv's) would fail every row, quietly.
    probe = subprocess.run([*ZHCLEAN, "--version"], env=ENV, capture_output=True, text=True)
    if probe.returncode != 0:
        why = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        print(
            f"run.py: {PY} cannot run zhclean ({why}); run this script with the Python zhclean "
            "is installed in, e.g. .venv/bin/python benchmarks/run.py",
            file=sys.stderr,
        )
        return 2
    if not args.seg_size:
        args.seg_size = 16.0 if zhclean_segmenter() == "rjieba" else 4.0
    if args.quick:
        args.size, args.seg_size = min(args.size, 2.0), min(args.seg_size, 1.0)
        if args.linear == "1,2,4,8":
            args.linear = "0.25,0.5,1,2"
    b = Bench(args)
    src = sources()
    print(f"zhclean benchmarks: {PY}; inputs from {', '.join(src)}", file=sys.stderr)
    seed = build("seed", SEED, args.size)
    inputs = {name: build(name, path, args.size) for name, path in src.items()}
    seg_inputs = {
        name: build(name, path, args.seg_size) for name, path in src.items() if name != "pku"
    }
    # warm caches (jieba's dictionary cache, the page cache) outside the timed runs
    run([*ZHCLEAN, "clean", "-c", "hk2s", "--segment"], [("天天\n").encode()])
    if have("jieba"):
        run([PY, "-c", JIEBA_ALONE, str(SEED)])

    startup(b)
    stages(b, seed)
    cleaning(b, inputs)
    converting(b, seed)
    segmenting(b, seg_inputs)
    big = args.big or 4 * args.size
    memory(b, [args.size, big], [args.seg_size, 4 * args.seg_size])
    first_output(b, 4 * args.size)
    sizes = [float(x) for x in args.linear.split(",")]
    linearity(b, sizes, [c.strip() for c in args.linear_commands.split(",")])

    print(table(b.rows))
    if args.quality:
        quality(b)
    return 0 if all(r.ok is not False for r in b.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
