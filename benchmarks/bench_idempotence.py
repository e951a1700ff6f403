"""Is ``zhclean clean`` a fixed point? Run it on its own output and count what changes.

Run: python benchmarks/bench_idempotence.py [--blank-lines]

Every stage is idempotent on its own (tests/test_properties.py); the whole pipeline is not
always: its output (one paragraph per line) no longer shows which line breaks were paragraph
breaks, so join may read a short line followed by another as a wrapped one, and dedupe may find
copies that only meet once lines are joined. For each real extraction in ../shared/realpdf
(skipped when absent) and the sample page this prints whether a second run changes anything,
how many lines differ, and which stage and rule made each change (from ``explain``), per
extractor and in all. ``--blank-lines`` runs the pipeline that keeps a blank line between
paragraphs instead.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from zhclean import Pipeline  # noqa: E402
from zhclean.io import decode_bytes  # noqa: E402
from zhclean.stages.join import JoinConfig  # noqa: E402

SHARED = ROOT.parent / "shared" / "realpdf" / "extracted"


def _run(p: Pipeline, text: str) -> str:
    return "".join(p.stream(text.splitlines(True)))


def _rules(p: Pipeline, text: str) -> Counter[str]:
    """Stage and rule of every change the pipeline makes to ``text`` (keeps left out)."""
    found: Counter[str] = Counter()
    for stage, result in p.explain(text):
        for ch in result.changes:
            if ch.before != ch.after and not ch.rule.startswith("keep"):
                found[f"{stage}: {ch.rule}"] += 1
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--blank-lines", action="store_true", help="keep blank lines between paragraphs"
    )
    args = ap.parse_args()
    p = Pipeline.default(configs={"join": JoinConfig(blank_lines=args.blank_lines)})
    files = sorted(SHARED.glob("*.txt")) if SHARED.is_dir() else []
    files.append(ROOT / "samples" / "yongzhou-newspaper.txt")
    per_extractor: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    print("| file | lines | lines changed by a second run |")
    print("| --- | ---: | ---: |")
    for path in files:
        text, _ = decode_bytes(path.read_bytes())
        once = _run(p, text)
        twice = _run(p, once)
        extractor = path.stem.split(".")[-1] if path.parent == SHARED else "sample"
        totals[extractor] += 1
        if twice == once:
            continue
        per_extractor[extractor] += 1
        a, b = once.splitlines(), twice.splitlines()
        changed = sum(
            max(i2 - i1, j2 - j1)
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
                None, a, b, autojunk=False
            ).get_opcodes()
            if tag != "equal"
        )
        rules.update(_rules(p, once))
        print(f"| {path.name} | {len(a)} | {changed} |")
    print("\n| extractor | files not a fixed point |")
    print("| --- | --- |")
    for extractor in sorted(totals):
        print(f"| {extractor} | {per_extractor[extractor]} of {totals[extractor]} |")
    print(
        f"| all | {sum(per_extractor.values())} of {sum(totals.values())} |\n\n"
        "What the second runs changed (stage: rule, count):"
    )
    for rule, n in rules.most_common():
        print(f"- {rule}: {n}")


if __name__ == "__main__":
    main()
