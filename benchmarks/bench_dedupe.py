"""Benchmark the dedupe stage: false collapses, recall on injected doubling, speed.

Run from the project root: ``python benchmarks/bench_dedupe.py`` (add ``--quick`` for a
1 MB speed test). Inputs are built at run time from ../shared (SIGHAN 2005 test sentences) and
the seed page in ../shared/seed or samples/; whatever is absent is skipped.

1. False collapses: every raw sentence line of ../shared/sighan/*_test.utf8 (real news text,
   full of natural reduplication) goes through dedupe as one document; lines changed must be 0.
2. Recall: the same sentences with doubling injected the way producers do it, a whole
   "document" (20 consecutive lines) per style, as a real PDF uses one renderer:
   run      every run between punctuation/spaces and every punctuation mark drawn twice
            (the seed page: 改革改革「「引擎引擎」」)
   spaced   the same, with a space after each doubled run (永州經開區永州經開區 「「五好五好」」)
   glyph    every glyph drawn twice (「「字字节节」」)
   run3     every run drawn three times (fill + stroke + shadow)
   glyph3   every glyph drawn three times
   lines    every line emitted twice on consecutive lines (pypdf, PyMuPDF)
   phrase   one bold phrase per line: a run and the punctuation after it drawn twice
            (推動企業實施「「智轉數改智轉數改」」，)
   wrapped  run-level doubled lines wrapped at 18 characters, each half doubled on its own
   Reported: share of injected characters removed, lines restored exactly, and characters
   removed that were not injected (over-collapse).
3. Speed: the seed page repeated to 10 MB (MB/s; peak resident memory of the process so
   far), and pathological 10 MB lines: one character repeated, one phrase repeated (with and
   without punctuation, plain or doubled).
"""

from __future__ import annotations

import random
import re
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from zhclean.stages.chars import CJK_PUNCT
from zhclean.stages.dedupe import dedupe

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MB = 1_000_000

# Punctuation is its own run (another font); small form variants (﹔﹕) included.
_P = CJK_PUNCT + "\ufe50-\ufe6b" + r"!-/:-@\[-`{-~"
_PIECE = re.compile(rf"([{_P}])\1*|\s+|[^\s{_P}]+")


def _pieces(line: str) -> list[str]:
    """Runs between punctuation and spaces, and runs of one punctuation mark (——, ……)."""
    return [m.group() for m in _PIECE.finditer(line)]


def run_level(line: str, k: int = 2) -> str:
    return "".join(p if p.isspace() else p * k for p in _pieces(line))


def spaced(line: str) -> str:
    """Spaces between runs, as extractors leave them around quotes and captions."""
    return " ".join(_pieces(line))


def glyph_level(line: str, k: int = 2) -> str:
    return "".join(c if c.isspace() else c * k for c in line)


def phrase(line: str, rng: random.Random) -> str:
    ps = _pieces(line)
    spots = [
        i
        for i in range(len(ps) - 1)
        if len(ps[i]) >= 2
        and not ps[i].isspace()
        and not ps[i + 1].isspace()
        and re.fullmatch(rf"[{_P}]+", ps[i + 1]) is not None
    ]
    if not spots:
        return run_level(line)
    i = rng.choice(spots)
    ps[i] = ps[i] * 2
    ps[i + 1] = ps[i + 1] * 2
    return "".join(ps)


def wrapped(line: str, width: int = 18) -> tuple[str, str]:
    parts = [line[i : i + width] for i in range(0, len(line), width)] or [""]
    return "\n".join(run_level(p) for p in parts), "\n".join(parts)


STYLES: dict[str, Callable[[str, random.Random], str]] = {
    "run": lambda s, r: run_level(s),
    "spaced": lambda s, r: run_level(spaced(s)),
    "glyph": lambda s, r: glyph_level(s),
    "run3": lambda s, r: run_level(s, 3),
    "glyph3": lambda s, r: glyph_level(s, 3),
    "lines": lambda s, r: s + "\n" + s,
    "phrase": phrase,
}


def sighan_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted((SHARED / "sighan").glob("*_test.utf8")):
        for raw in path.read_text(encoding="utf-8-sig").splitlines():
            if raw.strip():
                lines.append(raw.strip())
    return lines


def false_collapses(lines: list[str]) -> None:
    out = dedupe("\n".join(lines)).split("\n")
    changed = [(a, b) for a, b in zip(lines, out, strict=False) if a != b]
    if len(out) != len(lines):
        print(f"  line count changed: {len(lines)} -> {len(out)}")
    print(f"false collapses: {len(changed)} of {len(lines)} sighan lines changed (target 0)")
    for a, b in changed[:10]:
        print(f"    {a[:60]}\n  ->{b[:60]}")


def recall(lines: list[str]) -> None:
    rng = random.Random(20050101)
    print(f"\n{'style':8} {'lines':>6} {'injected':>9} {'removed%':>9} {'exact%':>8} {'over':>6}")
    tot_inj = tot_rem = tot_lines = tot_exact = tot_over = 0
    styles = [*STYLES, "wrapped"]
    for si, style in enumerate(styles):
        group = [ln for i, ln in enumerate(lines) if (i // 20) % len(styles) == si]
        inj_docs: list[str] = []
        originals: list[str] = []
        for start in range(0, len(group), 20):
            doc = group[start : start + 20]
            if style == "wrapped":
                pairs = [wrapped(s) for s in doc]
                inj_docs.append("\n\n".join(p[0] for p in pairs))
                originals.append("\n\n".join(p[1] for p in pairs))
            elif style == "spaced":
                inj_docs.append("\n\n".join(run_level(spaced(s)) for s in doc))
                originals.append("\n\n".join(spaced(s) for s in doc))
            else:
                inj_docs.append("\n\n".join(STYLES[style](s, rng) for s in doc))
                originals.append("\n\n".join(doc))
        inj = rem = exact = over = n = 0
        for doc, orig in zip(inj_docs, originals, strict=True):
            out = dedupe(doc)
            for o_par, i_par, r_par in zip(
                orig.split("\n\n"), doc.split("\n\n"), out.split("\n\n"), strict=False
            ):
                n += 1
                injected = len(i_par) - len(o_par)
                removed = len(i_par) - len(r_par)
                inj += injected
                rem += min(removed, injected)
                over += max(0, removed - injected)
                exact += r_par == o_par
        tot_inj += inj
        tot_rem += rem
        tot_lines += n
        tot_exact += exact
        tot_over += over
        print(
            f"{style:8} {n:6d} {inj:9d} {100 * rem / max(inj, 1):8.2f}% "
            f"{100 * exact / max(n, 1):7.2f}% {over:6d}"
        )
    print(
        f"{'all':8} {tot_lines:6d} {tot_inj:9d} {100 * tot_rem / max(tot_inj, 1):8.2f}% "
        f"{100 * tot_exact / max(tot_lines, 1):7.2f}% {tot_over:6d}"
        "   (targets: >= 99.5% removed, >= 99% exact, 0 over)"
    )


def _time(label: str, text: str, repeat: int = 1) -> None:
    """Best of ``repeat`` runs, wall clock and CPU time (the machine may be shared)."""
    wall = cpu = float("inf")
    out = ""
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = dedupe(text)
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    size = len(text.encode("utf-8")) / MB
    print(
        f"{label:34} {size:5.1f} MB {wall:6.2f} s {size / wall:6.1f} MB/s "
        f"{cpu:6.2f} s {size / cpu:6.1f} MB/s {peak:6.0f} MiB {len(out.encode()) / MB:5.1f} MB"
    )


def speed(target_mb: float) -> None:
    seed = None
    for cand in (SHARED / "seed" / "yongzhou-newspaper.txt", *sorted(ROOT.glob("samples/*.txt"))):
        if cand.is_file():
            seed = cand.read_text(encoding="utf-8")
            break
    print(
        f"\n{'input':34} {'size':>8} {'wall':>8} {'wall speed':>11} {'cpu':>8} {'cpu speed':>11}"
        f" {'peak RSS':>10} {'output':>8}"
    )
    n_bytes = int(target_mb * MB)
    if seed:
        reps = n_bytes // len(seed.encode("utf-8")) + 1
        _time("seed page repeated", seed * reps, repeat=3)
    _time("one character, one line", "改" * (n_bytes // 3))
    _time("one phrase, one line", "改革引擎" * (n_bytes // 12))
    _time("one phrase + comma, one line", "改革引擎，" * (n_bytes // 15))
    _time("doubled phrase + comma, one line", "改革改革，，" * (n_bytes // 18))
    _time("one glyph-doubled phrase, one line", "改改革革引引擎擎" * (n_bytes // 24))


def main() -> None:
    quick = "--quick" in sys.argv
    if (SHARED / "sighan").is_dir():
        lines = sighan_lines()
        false_collapses(lines)
        recall(lines)
    else:
        print("../shared/sighan absent: false-collapse and recall skipped")
    speed(1 if quick else 10)


if __name__ == "__main__":
    main()
