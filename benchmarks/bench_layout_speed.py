"""Throughput of the layout stages (furniture, join, spacing), each on what the pipeline feeds it.

Run: ``python benchmarks/bench_layout_speed.py [--size-mb 1] [--scale] [--stages]``

Input: the seed page (../shared/seed, else samples/) repeated to about ``--size-mb`` MB of UTF-8,
with a page break between copies; each stage runs in-process on the output of the stages before
it (normalize, dedupe, furniture, join), as in ``zhclean clean``. Rows: the stage function and its
``*_explain`` twin. ``--scale`` repeats the table at 1, 2, 4 and 8 times the size: MB/s must stay
flat (no stage is quadratic).

``--stages`` also prints every cleaning stage of ``zhclean clean`` (normalize, dedupe,
furniture, join, spacing) on the seed page and on the SIGHAN CityU and PKU test sets (from
../shared/sighan, skipped when absent), each repeated to ``--stages-mb`` (4) MB with a blank
line between copies and cut into the pipeline's blocks as ``zhclean clean`` cuts a stream:
MB/s of CPU time per stage, the best of ``--repeat``, and all five together. (The copies have
no page breaks, so furniture finds no pages to compare: its column is near zero.) With
``--convert CONFIG`` and ``--segment`` the table has those stages too, and beside them the
wrapped libraries alone on what their stages get; ``--seconds`` prints CPU seconds:

    python benchmarks/bench_layout_speed.py --stages --stages-mb 16 \
        --convert hk2s --segment --seconds
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from zhclean import Pipeline
from zhclean.pipeline import Step, iter_blocks
from zhclean.stages.convert import CONFIGS
from zhclean.stages.dedupe import dedupe
from zhclean.stages.furniture import furniture_explain, remove_furniture
from zhclean.stages.join import join_explain, join_lines
from zhclean.stages.normalize import normalize
from zhclean.stages.spacing import SpacingConfig, spacing, spacing_explain

ROOT = Path(__file__).resolve().parent.parent
SEED = [ROOT.parent / "shared" / "seed" / "yongzhou-newspaper.txt"]
SEED.append(ROOT / "samples" / "yongzhou-newspaper.txt")
SIGHAN = ROOT.parent / "shared" / "sighan"


def corpus(size_mb: float) -> str:
    page = next(p for p in SEED if p.is_file()).read_text(encoding="utf-8")
    reps = max(1, round(size_mb * 1e6 / len(page.encode("utf-8"))))
    return "\f".join([page] * reps)


def best(fn: Callable[[str], object], text: str, repeat: int) -> float:
    """Least CPU time of ``repeat`` runs, in seconds: the machine is shared, and wall time
    would measure the neighbours too."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn(text)
        times.append(time.process_time() - t0)
    return min(times)


def table(size_mb: float, repeat: int) -> None:
    raw = corpus(size_mb)
    pre_furniture = dedupe(normalize(raw))
    pre_join = remove_furniture(pre_furniture)
    pre_spacing = join_lines(pre_join)
    add = SpacingConfig(latin_space="add")
    rows: list[tuple[str, Callable[[str], object], str]] = [
        ("furniture", remove_furniture, pre_furniture),
        ("furniture_explain", furniture_explain, pre_furniture),
        ("join", join_lines, pre_join),
        ("join_explain", join_explain, pre_join),
        ("spacing", spacing, pre_spacing),
        ("spacing_explain", spacing_explain, pre_spacing),
        ("spacing --latin-space add", lambda t: spacing(t, add), pre_spacing),
    ]
    print(f"\ninput: seed page x {raw.count(chr(12)) + 1}, {len(raw.encode()) / 1e6:.2f} MB")
    print(f"{'stage':<28}{'MB in':>8}{'cpu s':>10}{'MB/s':>9}")
    for name, fn, text in rows:
        mb = len(text.encode("utf-8")) / 1e6
        sec = best(fn, text, repeat)
        print(f"{name:<28}{mb:>8.2f}{sec:>10.3f}{mb / sec:>9.1f}")


def stages(size_mb: float, repeat: int, convert: str | None, segment: bool, sec: bool) -> None:
    """Each stage of ``zhclean clean`` (``convert``, ``segment``: with ``-c`` and ``--segment``)
    over the blocks ``zhclean clean`` cuts the input into, in MB/s of CPU time or (``sec``) CPU
    seconds; with ``convert`` or ``segment``, the wrapped library alone on what its stage gets
    (OpenCC's ``convert``; the engine's ``cut`` of each 16 K piece, as the stage hands it over),
    which is as fast as that stage can be."""
    sources = {"seed": next(p for p in SEED if p.is_file())}
    for name in ("cityu", "pku"):
        if (SIGHAN / f"{name}_test.utf8").is_file():
            sources[name] = SIGHAN / f"{name}_test.utf8"
    steps = Pipeline.default(convert=convert, segment=segment).steps
    libs = [name for name, on in (("opencc", convert), ("engine", segment)) if on]
    unit = "CPU seconds" if sec else "MB/s of CPU time"
    print(f"\nstages of zhclean clean, in-process, {unit} (best of {repeat})")
    head = "".join(f"{s.name:>11}" for s in steps) + f"{'total':>9}"
    print(f"{'input':<8}{'MB':>6}" + head + "".join(f"{n:>9}" for n in libs))
    for name, path in sources.items():
        page = path.read_text(encoding="utf-8-sig").rstrip("\n") + "\n\n"
        text = page * (int(size_mb * 1e6 / len(page.encode("utf-8"))) + 1)
        mb = len(text.encode("utf-8")) / 1e6
        blocks = list(iter_blocks(text.splitlines(keepends=True)))
        for step in steps:  # engines load, patterns compile: not the stages' running time
            step.run(blocks[0][:2000])
        cells, lib_cells, total = [], [], 0.0
        for step in steps:
            if step.name in ("convert", "segment"):
                lib = _library(step, blocks)
                lib_cells.append(f"{lib:>9.3f}" if sec else f"{mb / lib:>9.1f}")
            took = float("inf")
            for _ in range(repeat):
                t0 = time.process_time()
                out = [step.run(b) for b in blocks]
                took = min(took, time.process_time() - t0)
            blocks = out
            total += took
            cells.append(f"{took:>11.3f}" if sec else f"{mb / took:>11.1f}")
        last = f"{total:>9.3f}" if sec else f"{mb / total:>9.1f}"
        print(f"{name:<8}{mb:>6.1f}" + "".join(cells) + last + "".join(lib_cells))


def _library(step: Step, blocks: list[str], repeat: int = 3) -> float:
    """CPU seconds of the library ``step`` wraps, alone on ``blocks`` (best of ``repeat``)."""
    if step.name == "convert":
        from zhclean.engines.opencc import build

        cc = build(step.resolved().config)
        work = [(cc.convert, b) for b in blocks]
    else:
        from zhclean.engines.jieba import load
        from zhclean.stages.segment import _pieces

        cut = load(step.resolved().engine).cut
        work = [(lambda t: cut(t, True), b[i:j]) for b in blocks for i, j in _pieces(b)]
    took = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for fn, arg in work:
            fn(arg)
        took = min(took, time.process_time() - t0)
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=1.0, help="MB of the seed page (1)")
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs (3)")
    ap.add_argument("--scale", action="store_true", help="also run at 2, 4 and 8 times the size")
    ap.add_argument("--stages", action="store_true", help="also every stage on seed/CityU/PKU")
    ap.add_argument("--stages-mb", type=float, default=4.0, help="--stages: MB of each input (4)")
    ap.add_argument("--convert", metavar="CONFIG", help="--stages: with the convert stage")
    ap.add_argument("--segment", action="store_true", help="--stages: with the segment stage")
    ap.add_argument("--seconds", action="store_true", help="--stages: CPU seconds, not MB/s")
    args = ap.parse_args()
    if (args.convert or args.segment or args.seconds) and not args.stages:
        ap.error("--convert, --segment and --seconds go with --stages")
    if args.convert and args.convert not in CONFIGS:
        ap.error(f"unknown conversion config {args.convert!r}; valid: {', '.join(CONFIGS)}")
    for k in (1, 2, 4, 8) if args.scale else (1,):
        table(args.size_mb * k, args.repeat if k == 1 else 1)
    if args.stages:
        stages(args.stages_mb, args.repeat, args.convert, args.segment, args.seconds)


if __name__ == "__main__":
    main()
