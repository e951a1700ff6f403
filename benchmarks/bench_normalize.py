"""Benchmark the normalize stage: speed against NFKC, and what it changes in real extractions.

Run: ``python benchmarks/bench_normalize.py [--size-mb 10] [--no-files]``

Speed input: the seed page and the SIGHAN 2005 test sets (../shared, read at run time, never
copied), repeated to about ``--size-mb`` MB of UTF-8. Rows: ``normalize`` with the defaults,
with ``cjk_punct`` on, ``normalize_explain``, and ``unicodedata.normalize('NFKC')`` (the blanket
normalisation this stage replaces; it also turns ，。（） into ASCII). Then one row per file of
../shared/realpdf/extracted: the changes ``normalize_explain`` reports, by rule.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from zhclean.stages.normalize import NormalizeConfig, normalize, normalize_explain

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SOURCES = [
    SHARED / "seed" / "yongzhou-newspaper.txt",
    SHARED / "sighan" / "pku_test.utf8",
    SHARED / "sighan" / "cityu_test.utf8",
]
RULES = [
    "radical",
    "compat",
    "pair",
    "fullwidth",
    "form",
    "invisible",
    "hyphen",
    "control",
    "space",
    "newline",
    "replacement-char",
    "private-use",
]


def corpus(size_mb: float) -> str:
    parts = [p.read_text(encoding="utf-8") for p in SOURCES if p.is_file()]
    if not parts:
        parts = [(ROOT / "samples" / "yongzhou-newspaper.txt").read_text(encoding="utf-8")]
    base = "\n".join(parts)
    reps = max(1, int(size_mb * 1e6 / len(base.encode("utf-8"))) + 1)
    return base * reps


def timed(fn: Callable[[str], object], text: str, repeat: int = 3) -> tuple[float, float]:
    """Best MB/s over ``repeat`` runs, and peak traced memory (MB) of one run."""
    mb = len(text.encode("utf-8")) / 1e6
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fn(text)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return mb / best, peak


def speed(size_mb: float) -> None:
    text = corpus(size_mb)
    mb = len(text.encode("utf-8")) / 1e6
    punct = NormalizeConfig(cjk_punct=True)
    rows: list[tuple[str, Callable[[str], object], int]] = [
        ("normalize (defaults)", normalize, 3),
        ("normalize (cjk_punct=True)", lambda t: normalize(t, punct), 3),
        ("normalize_explain (defaults)", normalize_explain, 1),
        ("unicodedata NFKC", lambda t: unicodedata.normalize("NFKC", t), 3),
    ]
    print(f"input: {mb:.1f} MB UTF-8 ({len(text):,} characters)")
    print(f"{'what':<30} {'MB/s':>8} {'peak MB':>8}")
    for name, fn, repeat in rows:
        rate, peak = timed(fn, text, repeat)
        print(f"{name:<30} {rate:>8.1f} {peak:>8.1f}")
    changed = sum(c.before != c.after for c in normalize_explain(text).changes)
    nfkc = unicodedata.normalize("NFKC", text)
    out = normalize(text)
    marks = "，。！？：；（）「」\u3000"
    before, ours, theirs = (sum(t.count(c) for c in marks) for t in (text, out, nfkc))
    print(f"changes made by normalize: {changed:,}")
    print(f"Chinese punctuation and U+3000 ({marks}) in the input: {before:,}; after normalize:")
    print(f"{ours:,}; after NFKC: {theirs:,}")


def files() -> None:
    folder = SHARED / "realpdf" / "extracted"
    paths = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    # and the SIGHAN test sets: real newspaper text, CityU's by way of Big5 (presentation forms)
    paths += [p for p in SOURCES[1:] if p.is_file()]
    if not paths:
        print("(../shared/realpdf/extracted is absent: no per-file counts)")
        return
    short = {"replacement-char": "fffd", "private-use": "pua"}
    head = " ".join(f"{short.get(r, r):>9}" for r in RULES)
    print(f"\n{'file':<42} {head} {'total':>6}")
    totals: Counter[str] = Counter()
    for path in paths:
        counts = Counter(
            c.rule for c in normalize_explain(path.read_text(encoding="utf-8")).changes
        )
        totals.update(counts)
        cells = " ".join(f"{counts.get(r, 0):>9}" for r in RULES)
        print(f"{path.name:<42} {cells} {sum(counts.values()):>6}")
    cells = " ".join(f"{totals.get(r, 0):>9}" for r in RULES)
    print(f"{'all files':<42} {cells} {sum(totals.values()):>6}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=10.0, help="speed input size (default 10)")
    ap.add_argument("--no-files", action="store_true", help="skip the per-file counts")
    args = ap.parse_args(argv)
    speed(args.size_mb)
    if not args.no_files:
        files()
    return 0


if __name__ == "__main__":
    sys.exit(main())
