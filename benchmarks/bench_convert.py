"""Conversion speed: the OpenCC engine on its own, zhclean's library, and the zhclean command.

    python benchmarks/bench_convert.py [--mb 32] [--repeat 3]

Input: the SIGHAN 2005 CityU test set (Hong Kong news, Traditional) and PKU (Simplified) from
../shared/sighan, repeated to about ``--mb`` MB (written to benchmarks/_work/, git-ignored).
Every figure is the least CPU time (child processes included) of ``--repeat`` runs taken in
turns: on a shared machine wall-clock time measures the neighbours too. The command's time
includes its start-up (Python, Typer, the converter).
Whichever OpenCC package is installed is measured; run it in each environment to compare them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from _common import best_cpu_of

ROOT = Path(__file__).resolve().parent.parent
SIGHAN = ROOT.parent / "shared" / "sighan"
WORK = Path(__file__).resolve().parent / "_work"
ZHCLEAN = [sys.executable, "-m", "zhclean"]


def corpus(name: str, mb: float) -> tuple[Path, str]:
    src = SIGHAN / f"{name}_test.utf8"
    text = src.read_text(encoding="utf-8-sig")
    reps = max(1, round(mb * 1e6 / len(text.encode())))
    WORK.mkdir(exist_ok=True)
    path = WORK / f"{name}-{reps}x.txt"
    if not path.exists():
        # a blank line between copies, as between the paragraphs of a real text
        path.write_text((text.rstrip("\n") + "\n\n") * reps, encoding="utf-8")
    return path, path.read_text(encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=32.0, help="input size in MB (official engine)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not SIGHAN.is_dir():
        sys.exit(f"skipped: {SIGHAN} is absent")

    import opencc

    from zhclean.engines.opencc import OFFICIAL, engine
    from zhclean.pipeline import iter_blocks
    from zhclean.stages.convert import ConvertConfig, convert

    name, version = engine() or ("none", "")
    mb = args.mb if name == OFFICIAL else min(args.mb, 2.0)  # the pure-Python one is slow
    print(f"engine: {name} {version}; input ~{mb:g} MB; least CPU time of {args.repeat} runs")
    print("engine: OpenCC(config).convert(text) in this process; command: zhclean convert FILE;")
    print("plain command: a Python script that reads FILE, converts it and writes it")
    with open(os.devnull, "wb") as sink:
        start_up = best_cpu_of(
            {
                "zhclean": lambda: subprocess.run(
                    [*ZHCLEAN, "convert", "-c", "hk2s"], input=b"\n", stdout=sink, check=True
                ),
                "plain": lambda: subprocess.run(
                    [sys.executable, "-c", PLAIN_COMMAND, "hk2s", os.devnull],
                    stdout=sink,
                    check=True,
                ),
            },
            args.repeat,
        )
    print(
        f"start-up (CPU s, one empty line): command {start_up['zhclean']:.2f},"
        f" plain command {start_up['plain']:.2f}; 'marginal' leaves it out"
    )
    print(
        f"{'config':7} {'text':6} {'engine':>7} {'library':>8} {'command':>8} {'marginal':>9}"
        f" {'plain cmd':>10} {'cmd/engine':>11} {'marginal/engine':>16}   (MB/s)"
    )
    for config, corpus_name in [
        ("hk2s", "cityu"),
        ("t2s", "cityu"),
        ("s2t", "pku"),
        ("s2twp", "pku"),
    ]:
        path, text = corpus(corpus_name, mb)
        size = len(text.encode()) / 1e6
        cc = opencc.OpenCC(config)
        cfg = ConvertConfig(config)
        convert(text[:100], cfg)  # build the converter outside the timing
        blocks = list(iter_blocks(text.splitlines(True)))
        cmd = [*ZHCLEAN, "convert", "-c", config, str(path)]
        plain_cmd = [sys.executable, "-c", PLAIN_COMMAND, config, str(path)]
        with open(os.devnull, "wb") as sink:
            t = best_cpu_of(
                {
                    "engine": lambda: cc.convert(text),  # noqa: B023
                    "lib": lambda: [convert(b, cfg) for b in blocks],  # noqa: B023
                    "cmd": lambda: subprocess.run(cmd, stdout=sink, check=True),  # noqa: B023
                    "plain_cmd": lambda: subprocess.run(plain_cmd, stdout=sink, check=True),  # noqa: B023
                },
                args.repeat,
            )
        marginal = t["cmd"] - start_up["zhclean"]
        print(
            f"{config:7} {corpus_name:6} {size / t['engine']:7.1f} {size / t['lib']:8.1f}"
            f" {size / t['cmd']:8.1f} {size / marginal:9.1f} {size / t['plain_cmd']:10.1f}"
            f" {t['engine'] / t['cmd']:11.0%} {t['engine'] / marginal:16.0%}"
        )

    # the extras: quotes and kept words cost little on top of the conversion
    path, text = corpus("cityu", mb)
    size = len(text.encode()) / 1e6
    blocks = list(iter_blocks(text.splitlines(True)))
    extras = {
        "hk2s": ConvertConfig("hk2s"),
        "hk2s --quotes": ConvertConfig("hk2s", quotes=True),
        "hk2s --keep (3 words)": ConvertConfig("hk2s", keep=("香港", "特首", "立法會")),
    }
    t = best_cpu_of(
        {k: lambda cfg=cfg: [convert(b, cfg) for b in blocks] for k, cfg in extras.items()},
        args.repeat,
    )
    print("library: " + "; ".join(f"{k} {size / v:.1f} MB/s" for k, v in t.items()))


PLAIN_COMMAND = """
import sys, opencc
cc = opencc.OpenCC(sys.argv[1])
sys.stdout.write(cc.convert(open(sys.argv[2], encoding="utf-8").read()))
"""

if __name__ == "__main__":
    main()
