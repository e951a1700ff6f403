"""Paragraph rebuilding: paragraph-break precision / recall / F1, character error rate, spaces
left between CJK characters, and throughput.

Run: python benchmarks/bench_join.py

Quality is measured on the hand-checked golden files (the seed page in samples/, the layout
excerpts in tests/golden/) and, when /work/shared is beside the project, on the same hand-checked
pages as every one of the five extractors gave them (the excerpt is cut from each extraction
between the same first and last words, and scored against the one golden). Two baselines show
what the rules buy: ``lines`` keeps every line break, ``blocks`` joins every line inside a block
of text separated by blank lines.

A break is a paragraph break of the output; outputs are aligned with the golden on their
non-space characters (difflib), so a break counts when it falls between the same two characters.
CER: edit operations on the non-space characters / golden length.
"""

from __future__ import annotations

import difflib
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from zhclean import Pipeline, clean  # noqa: E402
from zhclean.pipeline import Step  # noqa: E402
from zhclean.stages.chars import CJK  # noqa: E402
from zhclean.stages.join import join_lines  # noqa: E402

SAMPLES = ROOT / "samples"
GOLDEN = ROOT / "tests" / "golden"
SHARED = ROOT.parent / "shared" / "realpdf" / "extracted"
EXTRACTORS = ("pdfminer", "pdftotext", "pymupdf", "pypdf", "pypdfium2")
_CJK_SPACE = re.compile(rf"[{CJK}][ \u3000]+[{CJK}]")

# Golden layout excerpt -> (realpdf file, first words, last words): the same page from every
# extractor, cut between these anchors (whitespace ignored).
MULTI = {
    "numbered-clauses.pdftotext": [("tw-curriculum-tech", "「科技」是人類運用", "的互動與影響。")],
    "running-headers.pymupdf": [
        ("nee-quarterly-report-wps", "二、重要事项进展", "2018年4月10日发出的公告）。"),
        ("nee-quarterly-report-wps", "三、公司实际控制人", "不存在证券投资。"),
    ],
    "captions.pdftotext": [("pku-masters-thesis", "数据来源：基于郭峰", "区域经济的可持续")],
    "clauses.pdfminer": [("anhui-land-use-standard", "服务设施出入口", "不宜超过表7.8的规定。")],
}


def _breaks(text: str) -> tuple[str, set[int]]:
    """Non-space characters of ``text`` and the positions where a paragraph starts (not 0)."""
    chars: list[str] = []
    starts: set[int] = set()
    for para in text.split("\n"):
        vis = "".join(para.split())
        if not vis:
            continue
        if chars:
            starts.add(len(chars))
        chars.extend(vis)
    return "".join(chars), starts


def score(pred: str, gold: str) -> tuple[int, int, int, float]:
    """(true positive, false positive, false negative breaks, CER) of ``pred`` against ``gold``."""
    p, bp = _breaks(pred)
    g, bg = _breaks(gold)
    sm = difflib.SequenceMatcher(None, p, g, autojunk=False)
    mapped: set[int] = set()
    unmapped = 0
    blocks = sm.get_matching_blocks()
    for j in bp:
        for a, b, size in blocks:
            if a <= j < a + size or (j == a + size and size):
                mapped.add(j - a + b)
                break
        else:
            unmapped += 1
    tp = len(mapped & bg)
    fp = len(bp) - tp
    fn = len(bg) - tp
    edits = 0
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "replace":
            edits += max(i2 - i1, j2 - j1)
        elif op == "delete":
            edits += i2 - i1
        elif op == "insert":
            edits += j2 - j1
    return tp, fp, fn, edits / max(1, len(g))


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _lines(text: str) -> str:
    pre = Pipeline([Step("normalize"), Step("dedupe"), Step("furniture")]).run(text)
    return "\n".join(ln.strip() for ln in pre.replace("\f", "\n").split("\n") if ln.strip())


def _blocks(text: str) -> str:
    pre = Pipeline([Step("normalize"), Step("dedupe"), Step("furniture")]).run(text)
    blocks = re.split(r"\n\s*\n|\f", pre)
    return "\n".join("".join(ln.strip() for ln in b.split("\n")) for b in blocks if b.strip())


def _cut(text: str, first: str, last: str) -> str | None:
    """The part of ``text`` from the line holding ``first`` to the line holding ``last``."""
    flat, index = [], []
    for i, c in enumerate(text):
        if not c.isspace():
            flat.append(c)
            index.append(i)
    s = "".join(flat)
    a = s.find(first)
    b = s.find(last, a + 1)
    if a < 0 or b < 0:
        return None
    start = text.rfind("\n", 0, index[a]) + 1
    end = text.find("\n", index[b + len(last) - 1])
    return text[start : end + 1 if end >= 0 else len(text)]


def cases() -> list[tuple[str, str, str]]:
    """(name, input, golden output) for every hand-checked page and extraction of it."""
    out = [
        (
            "seed.newspaper",
            (SAMPLES / "yongzhou-newspaper.txt").read_text(encoding="utf-8"),
            (SAMPLES / "yongzhou-newspaper.clean.txt").read_text(encoding="utf-8"),
        )
    ]
    for path in sorted(GOLDEN.glob("*.txt")):
        if path.name.endswith(".expected.txt"):
            continue
        name = path.name[: -len(".txt")]
        gold = path.with_name(name + ".expected.txt").read_text(encoding="utf-8")
        out.append((name, path.read_text(encoding="utf-8"), gold))
        for k, (doc, first, last) in enumerate(MULTI.get(name, []) if SHARED.is_dir() else []):
            gold_cut = _cut(gold, first, last) or gold
            for ex in EXTRACTORS:
                src = SHARED / f"{doc}.{ex}.txt"
                if name.endswith("." + ex) or not src.exists():
                    continue
                part = _cut(src.read_text(encoding="utf-8"), first, last)
                if part is not None:
                    out.append((f"{name.split('.')[0]}.{k + 1}.{ex}", part, gold_cut))
    return out


def quality() -> None:
    systems: dict[str, Callable[[str], str]] = {
        "zhclean": clean,
        "lines": _lines,
        "blocks": _blocks,
    }
    totals = {k: [0, 0, 0] for k in systems}
    print(f"{'page':34s} {'system':8s} {'P':>6s} {'R':>6s} {'F1':>6s} {'CER%':>6s} {'CJK sp':>6s}")
    for name, text, gold in cases():
        for sysname, fn in systems.items():
            out = fn(text)
            tp, fp, fn_, cer = score(out, gold)
            for k, v in zip(range(3), (tp, fp, fn_), strict=True):
                totals[sysname][k] += v
            if sysname == "zhclean" or name == "seed.newspaper":
                p, r, f = _prf(tp, fp, fn_)
                sp = len(_CJK_SPACE.findall(out)) - len(_CJK_SPACE.findall(gold))
                cells = f"{p:6.3f} {r:6.3f} {f:6.3f} {100 * cer:6.2f} {sp:6d}"
                print(f"{name:34s} {sysname:8s} {cells}")
    print()
    for sysname, (tp, fp, fn_) in totals.items():
        p, r, f = _prf(tp, fp, fn_)
        print(f"{'ALL (micro)':34s} {sysname:8s} {p:6.3f} {r:6.3f} {f:6.3f}")


def _wrap(para: str, width: float) -> list[str]:
    """Greedy wrap at ``width`` CJK widths; punctuation never starts a line (it hangs)."""
    from zhclean.stages.join import _width

    out: list[str] = []
    cur = ""
    for ch in para:
        if cur and _width(cur + ch) > width and ch not in "，。、；：！？」』）":
            out.append(cur)
            cur = ch
        else:
            cur += ch
    return [*out, cur] if cur else out


def reflow() -> None:
    """The seed page's golden paragraphs set again in columns 12 to 38 characters wide, plain,
    with stray blank lines, with indented first lines, with blank lines between paragraphs:
    how the rules fare on layouts other than the seed page's own."""
    import random

    gold = (SAMPLES / "yongzhou-newspaper.clean.txt").read_text(encoding="utf-8")
    paras = [p for p in gold.split("\n") if p]
    rng = random.Random(1)
    print()
    print("seed page re-wrapped (paragraph-break F1 by column width and style)")
    styles = ("plain", "stray blanks", "indented", "blank between")
    print(f"{'width':>6s} " + " ".join(f"{s:>13s}" for s in styles))
    for width in (12, 15, 17, 20, 24, 30, 38):
        row = []
        for style in styles:
            lines: list[str] = []
            for para in paras:
                long = len(para) > 1.5 * width
                wrapped = _wrap(
                    "\u3000\u3000" + para if style == "indented" and long else para, width
                )
                for line in wrapped:
                    if style == "stray blanks" and rng.random() < 0.1:
                        lines.append("")
                    lines.append(line)
                if style == "blank between":
                    lines.append("")
            tp, fp, fn, _ = score(clean("\n".join(lines) + "\n"), gold)
            row.append(_prf(tp, fp, fn)[2])
        print(f"{width:6d} " + " ".join(f"{f:13.3f}" for f in row))


def unwrapped() -> None:
    """Text that is already one sentence a line (the SIGHAN test sets, written so): every line
    break is a paragraph's, and ``clean`` should keep them all. Counts the ones it joins."""
    sighan = ROOT.parent / "shared" / "sighan"
    names = [n for n in ("cityu_test.utf8", "pku_test.utf8") if (sighan / n).is_file()]
    if not names:
        return
    print()
    print("text already one sentence a line: line breaks clean keeps")
    for name in names:
        text = (sighan / name).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        lines = [line for line in text.split("\n") if line.strip()]
        out = [line for line in clean(text).split("\n") if line.strip()]
        joined, kept = len(lines) - len(out), len(out) / len(lines)
        print(f"  {name:18s} {len(lines):5d} lines, {joined:3d} joined ({kept:.1%} kept)")


def throughput() -> None:
    texts = [(SAMPLES / "yongzhou-newspaper.txt").read_text(encoding="utf-8")]
    if SHARED.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(SHARED.glob("*.pdftotext.txt"))]
    corpus = "\n\f".join(texts)
    mb = len(corpus.encode("utf-8")) / 1e6
    print()
    print(f"throughput on {mb:.2f} MB ({len(texts)} documents)")

    def whole(t: str) -> str:
        return "".join(Pipeline.default().stream(t.splitlines(True)))

    for label, fn in (("join stage", join_lines), ("clean (whole pipeline)", whole)):
        t0 = time.perf_counter()
        fn(corpus)
        dt = time.perf_counter() - t0
        print(f"  {label:24s} {mb / dt:6.2f} MB/s  ({dt:.2f} s)")


if __name__ == "__main__":
    quality()
    reflow()
    unwrapped()
    throughput()
