"""Throughput of the layout stages (furniture, join, spacing), each on what the pipeline feeds it.

Run: ``python benchmarks/bench_layout_speed.py [--size-mb 1] [--scale]``

Input: the seed page (../shared/seed, else samples/) repeated to about ``--size-mb`` MB of UTF-8,
with a page break between copies; each stage runs in-process on the output of the stages before
it (normalize, dedupe, furniture, join), as in ``zhclean clean``. Rows: the stage function and its
``*_explain`` twin. ``--scale`` repeats the table at 1, 2, 4 and 8 times the size: MB/s must stay
flat (no stage is quadratic).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from zhclean.stages.dedupe import dedupe
from zhclean.stages.furniture import furniture_explain, remove_furniture
from zhclean.stages.join import join_explain, join_lines
from zhclean.stages.normalize import normalize
from zhclean.stages.spacing import SpacingConfig, spacing, spacing_explain

ROOT = Path(__file__).resolve().parent.parent
SEED = [ROOT.parent / "shared" / "seed" / "yongzhou-newspaper.txt"]
SEED.append(ROOT / "samples" / "yongzhou-newspaper.txt")


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scale", action="store_true", help="also run at 2, 4 and 8 times the size")
    args = ap.parse_args()
    for k in (1, 2, 4, 8) if args.scale else (1,):
        table(args.size_mb * k, args.repeat if k == 1 else 1)


if __name__ == "__main__":
    main()
