"""Segmentation quality and speed: jieba and rjieba on their own and through zhclean.

    python benchmarks/bench_segment.py [--repeat 3] [--mb 16] [--speed-only] [--engine rjieba]

Quality: word precision, recall and F1 on the SIGHAN 2005 PKU (Simplified) and CityU
(Traditional, Hong Kong) test sets in ../shared/sighan, scored as the bakeoff scorer does:
the word spans of each line against the gold line's. Rows: each plain engine run directly;
zhclean with each engine and each strategy (direct; via a Simplified copy made with t2s, hk2s
or tw2s); HMM on unless marked. ``default`` is what ``zhclean segment`` does with no option.

Agreement: the share of lines on which rjieba's cuts equal jieba's.

Speed: MB/s of the plain engine (``" ".join(engine.cut(block))``), of zhclean's library
(``segment_text``), of the ``zhclean segment`` command and of a plain script doing what the
command does with the engine alone (read the file, cut it, write the words); both commands
include their start-up. Input: the corpora repeated to about ``--mb`` MB (jieba: an eighth).
For Traditional text the plain reference is "OpenCC t2s, then the engine" (the same work
zhclean does but mapping the cuts back). Figures are the least CPU time (child processes
included) of ``--repeat`` runs taken in turns: on a shared machine wall-clock time measures
the neighbours too. Both commands' start-up (an empty input: the interpreter, imports, the
engine's dictionary) is measured too, and the commands compared without it ("work"): the
start-up is fixed, the work grows with the input.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from _common import best_cpu_of

ROOT = Path(__file__).resolve().parent.parent
SIGHAN = ROOT.parent / "shared" / "sighan"
WORK = Path(__file__).resolve().parent / "_work"
ZHCLEAN = [sys.executable, "-m", "zhclean"]


def spans(words: Iterable[str]) -> set[tuple[int, int]]:
    out, pos = set(), 0
    for w in words:
        out.add((pos, pos + len(w)))
        pos += len(w)
    return out


def score(pred: list[list[str]], gold: list[list[str]]) -> tuple[float, float, float]:
    ok = n_pred = n_gold = 0
    for p, g in zip(pred, gold, strict=True):
        sp, sg = spans(p), spans(g)
        ok += len(sp & sg)
        n_pred += len(sp)
        n_gold += len(sg)
    precision, recall = ok / n_pred, ok / n_gold
    return 100 * precision, 100 * recall, 100 * 2 * precision * recall / (precision + recall)


def load(name: str) -> tuple[list[str], list[list[str]]]:
    raw = (SIGHAN / f"{name}_test.utf8").read_text(encoding="utf-8-sig").split("\n")
    gold = (SIGHAN / f"{name}_test_gold.utf8").read_text(encoding="utf-8-sig").split("\n")
    pairs = [(r, g.split()) for r, g in zip(raw, gold, strict=True) if r.strip()]
    return [r for r, _ in pairs], [g for _, g in pairs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--mb", type=float, default=16.0, help="speed input in MB (jieba: 1/8)")
    ap.add_argument("--speed-only", action="store_true", help="skip the quality tables")
    ap.add_argument("--engine", choices=("jieba", "rjieba"), help="time this engine only")
    args = ap.parse_args()
    if not SIGHAN.is_dir():
        sys.exit(f"skipped: {SIGHAN} is absent")

    from zhclean.engines import jieba as engines
    from zhclean.engines.opencc import build
    from zhclean.stages.segment import SegmentConfig

    names = ["jieba", *(["rjieba"] if engines.has_rjieba() else [])]
    if args.engine and args.engine not in names:
        sys.exit(f"{args.engine} is not installed")
    segs = {n: engines.load(n) for n in names}
    corpora = {c: load(c) for c in ("pku", "cityu")}
    t2s = build("t2s")

    print(f"default engine: {engines.resolve('auto')}; zhclean segment default: {SegmentConfig()}")
    if not args.speed_only:
        quality(names, segs, corpora)
    speed([args.engine] if args.engine else names, segs, corpora, t2s, args)


def quality(
    names: list[str],
    segs: dict[str, Any],
    corpora: dict[str, tuple[list[str], list[list[str]]]],
) -> None:
    from zhclean.stages.segment import SegmentConfig, segment_text

    def zh(cfg: SegmentConfig, lines: list[str]) -> list[list[str]]:
        return [
            line.split(cfg.delimiter) if line else []
            for line in segment_text("\n".join(lines), cfg).split("\n")
        ]

    print()
    print(f"{'quality':42} {'PKU P/R/F1':>20} {'CityU P/R/F1':>20}")
    results: dict[str, dict[str, list[list[str]]]] = {}
    rows: list[tuple[str, Callable[[list[str]], list[list[str]]]]] = []
    for n in names:
        for hmm in (True, False):
            tag = "" if hmm else ", no HMM"
            rows.append(
                (
                    f"plain {n}{tag}",
                    lambda ls, n=n, hmm=hmm: [
                        [w for w in segs[n].cut(line, hmm) if w.strip()] for line in ls
                    ],
                )
            )
    for n in names:
        rows.append(
            (
                f"zhclean {n} direct",
                lambda ls, n=n: zh(SegmentConfig(engine=n, via_simplified=False), ls),
            )
        )
        for via in ("t2s", "hk2s", "tw2s"):
            rows.append(
                (
                    f"zhclean {n} via {via}",
                    lambda ls, n=n, via=via: zh(SegmentConfig(engine=n, simplify=via), ls),
                )
            )
        rows.append(
            (
                f"zhclean {n} via t2s, no HMM",
                lambda ls, n=n: zh(SegmentConfig(engine=n, hmm=False), ls),
            )
        )
    rows.append(("zhclean default (zhclean segment)", lambda ls: zh(SegmentConfig(), ls)))
    for label, fn in rows:
        cells = []
        for c, (raw, gold) in corpora.items():
            pred = fn(raw)
            results.setdefault(label, {})[c] = pred
            p, r, f = score(pred, gold)
            cells.append(f"{p:5.1f}/{r:5.1f}/{f:5.2f}")
        print(f"{label:42} {cells[0]:>20} {cells[1]:>20}")

    if "rjieba" in names:
        print()
        print("rjieba vs jieba: lines with identical cuts")
        for label_j, label_r in [
            ("plain jieba", "plain rjieba"),
            ("plain jieba, no HMM", "plain rjieba, no HMM"),
            ("zhclean jieba via t2s", "zhclean rjieba via t2s"),
        ]:
            cells = []
            for c in corpora:
                a, b = results[label_j][c], results[label_r][c]
                same = sum(x == y for x, y in zip(a, b, strict=True))
                cells.append(f"{c} {100 * same / len(a):.2f}% ({len(a) - same} of {len(a)} differ)")
            print(f"  {label_j.replace('jieba', 'engine', 1):34} " + "; ".join(cells))


def speed(
    names: list[str],
    segs: dict[str, Any],
    corpora: dict[str, tuple[list[str], list[list[str]]]],
    t2s: Any,
    args: argparse.Namespace,
) -> None:
    from zhclean.stages.segment import SegmentConfig, segment_text

    print()
    print("speed, MB/s of CPU time (commands: including start-up; plain command: a Python")
    print("script that reads the file, cuts it with the engine and writes the words;")
    print("work: a command less its start-up, measured on a one-character input)")
    print(
        f"{'':24} {'plain':>7} {'library':>8} {'command':>8} {'plain cmd':>10}"
        f" {'lib/plain':>10} {'cmd/plain cmd':>14} {'work/plain work':>16}"
    )
    WORK.mkdir(exist_ok=True)
    # start-up: one character to cut, so that jieba loads its dictionary in the plain script
    # too; Traditional for the rows via t2s, so that zhclean loads OpenCC as the script does
    tiny = {True: WORK / "seg-one-char-s.txt", False: WORK / "seg-one-char-t.txt"}
    tiny[True].write_text("国\n", encoding="utf-8")
    tiny[False].write_text("國\n", encoding="utf-8")
    for n in names:
        start: dict[bool, dict[str, float]] = {}
        for direct, path in tiny.items():
            cmd = [*ZHCLEAN, "segment", "--engine", n, *(["--direct"] if direct else []), str(path)]
            plain_cmd = [sys.executable, "-c", PLAIN_COMMAND[(n, direct)], str(path)]
            with open(os.devnull, "wb") as sink:
                start[direct] = best_cpu_of(
                    {
                        "cmd": lambda: subprocess.run(cmd, stdout=sink, check=True),  # noqa: B023
                        "plain_cmd": lambda: subprocess.run(plain_cmd, stdout=sink, check=True),  # noqa: B023
                    },
                    args.repeat,
                )
            print(
                f"{n} {'direct' if direct else 'via t2s'}: start-up, s of CPU: command"
                f" {start[direct]['cmd']:.2f}, plain command {start[direct]['plain_cmd']:.2f}"
            )
        mb = args.mb if n == "rjieba" else args.mb / 8
        for c, direct in (("pku", True), ("cityu", True), ("cityu", False)):
            text = "\n".join(corpora[c][0]) + "\n"
            reps = max(1, round(mb * 1e6 / len(text.encode())))
            text *= reps
            size = len(text.encode()) / 1e6
            path = WORK / f"seg-{c}-{reps}x.txt"
            if not path.exists():
                path.write_text(text, encoding="utf-8")
            blocks = list(line_runs(text))
            seg = segs[n]
            cfg = SegmentConfig(engine=n, via_simplified=not direct)
            segment_text(blocks[0], cfg)  # load everything outside the timing
            if direct:
                plain = lambda: [" ".join(seg.cut(b, True)) for b in blocks]  # noqa: E731,B023
            else:
                plain = lambda: [" ".join(seg.cut(t2s.convert(b), True)) for b in blocks]  # noqa: E731,B023
            cmd = [*ZHCLEAN, "segment", "--engine", n, *(["--direct"] if direct else []), str(path)]
            plain_cmd = [sys.executable, "-c", PLAIN_COMMAND[(n, direct)], str(path)]
            with open(os.devnull, "wb") as sink:
                t = best_cpu_of(
                    {
                        "plain": plain,
                        "lib": lambda: [segment_text(b, cfg) for b in blocks],  # noqa: B023
                        "cmd": lambda: subprocess.run(cmd, stdout=sink, check=True),  # noqa: B023
                        "plain_cmd": lambda: subprocess.run(plain_cmd, stdout=sink, check=True),  # noqa: B023
                    },
                    args.repeat,
                )
            label = f"{n} {c} {'direct' if direct else 'via t2s'}"
            s0 = start[direct]
            work = (t["plain_cmd"] - s0["plain_cmd"]) / (t["cmd"] - s0["cmd"])
            print(
                f"{label:24} {size / t['plain']:7.2f} {size / t['lib']:8.2f}"
                f" {size / t['cmd']:8.2f} {size / t['plain_cmd']:10.2f}"
                f" {t['plain'] / t['lib']:10.0%} {t['plain_cmd'] / t['cmd']:14.0%}"
                f" {work:16.0%}"
            )


def line_runs(text: str, target: int = 1 << 18) -> Iterable[str]:
    """Whole lines, about ``target`` characters at a time, as the command reads its input."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + target)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


_READ = """
import sys
text = open(sys.argv[1], encoding="utf-8").read()
out = sys.stdout
start = 0
while start < len(text):
    end = text.find("\\n", start + (1 << 18))
    end = len(text) if end < 0 else end + 1
    block = text[start:end]
    start = end
"""
PLAIN_COMMAND = {
    ("jieba", True): "import jieba\njieba.setLogLevel(60)"
    + _READ
    + "    out.write(' '.join(jieba.cut(block)))\n",
    ("jieba", False): "import jieba, opencc\njieba.setLogLevel(60)\ncc = opencc.OpenCC('t2s')"
    + _READ
    + "    out.write(' '.join(jieba.cut(cc.convert(block))))\n",
    ("rjieba", True): "import rjieba" + _READ + "    out.write(' '.join(rjieba.cut(block)))\n",
    ("rjieba", False): "import rjieba, opencc\ncc = opencc.OpenCC('t2s')"
    + _READ
    + "    out.write(' '.join(rjieba.cut(cc.convert(block))))\n",
}


if __name__ == "__main__":
    main()
