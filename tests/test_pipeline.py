"""Streaming: blocks cut only at safe places, bounded in size, lazy; stream output equals run."""

from __future__ import annotations

import itertools
import pickle
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from zhclean.io import decode_bytes
from zhclean.pipeline import Pipeline, Step, iter_blocks
from zhclean.stages.chars import CLOSERS, NO_LINE_START, TERMINAL

from .conftest import SAMPLES

SEED = (SAMPLES / "yongzhou-newspaper.txt").read_text(encoding="utf-8")

# Extractor-like text: Han, punctuation that ends or continues sentences, closers, spaces,
# blank lines, page breaks, CRLF.
CHARS = st.sampled_from(
    [
        *"改革引擎賦能產業騰飛天看謝研究哈的了是",
        *"。！？；…，、「」）",
        *(" ", "\u3000", "\n", "\n\n", "\f", "\r\n", "ab", "12"),
    ]
)
TEXT = st.lists(CHARS, max_size=300).map("".join)


def pieces(text: str, cuts: list[int]) -> list[str]:
    """``text`` split at ``cuts`` (any positions): lines are not required, chunks will do."""
    points = sorted({min(max(c, 0), len(text)) for c in cuts} | {0, len(text)})
    return [text[a:b] for a, b in itertools.pairwise(points)]


def is_safe(text: str, pos: int) -> bool:
    """Whether a block may end at ``pos`` without changing what any stage does.

    Stated independently of the implementation: the line before ``pos`` is blank, the last
    non-blank line before it closes a sentence and the line at ``pos`` does not start with a
    mark that cannot start a line (join would pull it back: ``。`` after a blank line); or a
    page break starts at ``pos`` and the line before it closes a sentence.
    """
    head = text[:pos]
    if not head.endswith("\n"):
        return False
    lines = head[:-1].split("\n")
    sentence = re.compile(rf"[{re.escape(TERMINAL)}][{re.escape(CLOSERS)}]*$")
    if text[pos : pos + 1] == "\f" and sentence.search(lines[-1].rstrip()):
        return True
    if lines[-1].strip() or len(lines) < 2:
        return False
    before = [ln for ln in lines[:-1] if ln.strip()]
    after = re.match(r"[^\S\n]*(.?)", text[pos:], re.S)
    if after and after.group(1) and after.group(1) in NO_LINE_START:
        return False
    return bool(before) and bool(sentence.search(before[-1].rstrip()))


@settings(max_examples=300, deadline=None)
@given(
    TEXT,
    st.lists(st.integers(0, 300), max_size=12),
    st.integers(1, 40),
    st.integers(0, 80),
)
def test_blocks_are_the_input_cut_at_safe_places_or_at_the_hard_limit(
    text: str, cuts: list[int], target: int, extra: int
) -> None:
    hard = target + extra
    blocks = list(iter_blocks(pieces(text, cuts), target=target, hard=hard))
    assert "".join(blocks) == text
    assert all(blocks)
    pos = 0
    for block in blocks[:-1]:
        start, pos = pos, pos + len(block)
        # the first safe place once the block holds enough (a quarter of target for the first)
        want = max(1, target // 4) if start == 0 else target
        assert not any(is_safe(text, p) for p in range(start + want, pos)), (start, block)
        if is_safe(text, pos):
            continue
        # forced by the hard limit: no safe place was within reach of the block's start
        assert len(block) <= hard, block
        reach = range(start + 1, min(start + hard, len(text)) + 1)
        assert not any(is_safe(text, p) for p in reach), (start, block)
    # the last block may be a short tail joined to the block before it
    assert len(blocks[-1]) <= hard + max(1, target // 4) if blocks else text == ""


def test_a_hard_limit_bounds_blocks_without_any_safe_place() -> None:
    paragraph = "這是一行沒有句號的長段落文字\n" * 20000  # no blank line: no safe cut anywhere
    line = "一行到底，沒有換行" * 30000
    for text in (paragraph, line):
        blocks = list(iter_blocks([text], target=1000, hard=5000))
        assert "".join(blocks) == text
        assert max(map(len, blocks)) <= 5000
        assert len(blocks) <= 2 * len(text) // 5000 + 1
    # a paragraph is cut after a line closing a sentence when it has one
    text = "".join(f"第{i}句話說完了。\n" if i % 7 == 0 else f"第{i}句還沒\n" for i in range(3000))
    blocks = list(iter_blocks(text.splitlines(True), target=500, hard=2000))
    assert all(b.endswith("。\n") for b in blocks[:-1])


def test_a_short_safe_block_rather_than_a_forced_cut() -> None:
    """A block that reaches the hard limit without a safe cut past ``target`` ends at a safe
    cut before ``target`` if it has one (found by hypothesis: it was cut inside the paragraph
    after it, where cutting may change what join does)."""
    text = "改改改改改。\n\n改改改改改"
    blocks = list(iter_blocks([text], target=3, hard=6))
    assert blocks == ["改改改改改。", "\n\n", "改改改改改"]
    long_para = "長段落沒有句號" * 200
    text = "一句話。\n\n" + long_para + "。\n\n尾。\n"
    blocks = list(iter_blocks([text], target=100, hard=1000))
    assert "".join(blocks) == text
    assert blocks[0] == "一句話。\n\n"


def test_cuts_are_at_the_first_safe_place_past_target() -> None:
    para = "甲乙丙丁戊己庚辛，" * 10 + "完。\n\n"
    text = para * 50
    blocks = list(iter_blocks(text.splitlines(True), target=len(para) * 4))
    assert "".join(blocks) == text
    assert all(b.endswith("。\n\n") for b in blocks)
    assert {len(b) for b in blocks[1:-1]} == {len(para) * 4}


def test_a_short_tail_joins_the_block_before_it() -> None:
    text = "長段落，" * 300 + "完。\n\n" + "尾。\n"
    assert list(iter_blocks([text], target=400)) == [text]
    assert len(list(iter_blocks([text + "又一段很長的尾巴，" * 200 + "\n"], target=400))) == 2


def _counted(items: list[str], log: list[int]) -> Iterator[str]:
    for i, item in enumerate(items):
        log.append(i)
        yield item


def test_first_output_comes_before_the_input_ends() -> None:
    para = "永州經開區正以破竹之勢揚帆遠航，引領產業轉型。\n\n"
    # an endless input: the first block must still come out
    endless = itertools.cycle([para])
    first = next(Pipeline.default().stream(endless, target=4096))
    assert first.startswith("永州經開區")
    # and it comes out after reading little more than the first block
    log: list[int] = []
    lines = [para] * 10000
    out = Pipeline.default().stream(_counted(lines, log), target=4096)
    next(out)
    assert len(log) * len(para) < 3 * 4096
    assert len(log) < len(lines)


def test_stream_reads_lazily_and_stops_when_the_reader_stops() -> None:
    log: list[int] = []
    out = Pipeline.of("dedupe").stream(_counted(["一。\n", "\n"] * 100000, log), target=64)
    assert [next(out) for _ in range(3)]
    assert len(log) < 200


LOCAL = ("normalize", "dedupe", "spacing")  # stages that look at one line at a time


@settings(max_examples=200, deadline=None)
@given(TEXT, st.lists(st.integers(0, 300), max_size=12), st.integers(1, 60))
def test_stream_equals_run_for_line_by_line_stages(text: str, cuts: list[int], target: int) -> None:
    p = Pipeline.of(*LOCAL)
    assume(text.strip())
    streamed = "".join(p.stream(pieces(text, cuts), target=target, hard=10**6))
    assert streamed == Pipeline.of(*LOCAL).run(text)


@settings(max_examples=100, deadline=None)
@given(st.text(st.sampled_from([*"改革引擎賦能產業騰飛，。、「」", "\u200b", "２"]), min_size=6))
def test_a_line_longer_than_hard_stays_one_line(text: str) -> None:
    p = Pipeline.of("normalize")
    streamed = "".join(p.stream([text], target=3, hard=5))
    assert streamed == p.run(text)
    assert "\n" not in streamed[:-1]


# Documents of paragraphs: full-width lines, a short last line closing a sentence, a gap.
# Lines are prose (Han with a comma), not runs of bare punctuation: on those, join's second look
# (its idempotence pass) may join across a gap that a block boundary hides, which real text never
# showed (every realpdf extraction is checked below).
LINE = st.text(st.sampled_from("改革引擎賦能產業騰飛天看研究的了是"), min_size=19, max_size=19).map(
    lambda s: s[:9] + "，" + s[9:]
)
PARAGRAPH = st.builds(
    lambda body, end: "\n".join([*body, end]) + "。\n\n",
    st.lists(LINE, min_size=1, max_size=6),
    st.text(st.sampled_from("改革引擎賦能產業"), min_size=1, max_size=10),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(PARAGRAPH, min_size=1, max_size=8), st.integers(8, 200))
def test_stream_equals_run_for_the_default_pipeline(paragraphs: list[str], target: int) -> None:
    # Each line starts with its own character: dedupe rightly treats identical neighbouring
    # lines as a bold line drawn twice, with evidence from lines around it, across blocks.
    marks = (chr(0x5000 + k) for k in range(10_000))
    text = "".join(
        "".join(next(marks) + line[1:] if line.strip() else line for line in p.splitlines(True))
        for p in paragraphs
    )
    p = Pipeline.default()
    assert "".join(p.stream(text.splitlines(True), target=target)) == p.run(text)


def test_stream_equals_run_on_the_seed_page_repeated() -> None:
    text = (SEED.rstrip("\n") + "\n\n") * 40
    for p in (Pipeline.default(), Pipeline.default(convert="hk2s")):
        assert "".join(p.stream(text.splitlines(True))) == p.run(text)


def test_stream_equals_run_on_real_extractions(shared) -> None:  # type: ignore[no-untyped-def]
    """Every realpdf extraction, whole (as ``zhclean clean FILE`` streams it) and as one text."""
    files = sorted((shared / "realpdf" / "extracted").glob("*.txt"))
    assert files
    p = Pipeline.default()
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "".join(p.stream(text.splitlines(True))) == p.run(text), f.name


def test_stats_count_every_block() -> None:
    p = Pipeline.of("dedupe", "spacing")
    text = "園區園區。。\n\n這 場 改 革。\n\n" * 50
    out = "".join(p.stream(text.splitlines(True), target=16))
    assert p.stats["dedupe"].chars_in == len(text)
    assert p.stats["spacing"].chars_out == len(out)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="園區改革。，「」 \n\r\u3000ab-", max_size=120))
def test_stats_count_each_steps_lines(text: str) -> None:
    """Lines are counted once per text (a step that changes nothing passes its count on): the
    counts are still every step's own, in and out, in ``run`` and in ``explain``."""
    for how in ("run", "explain"):
        p = Pipeline.default(convert="t2s")
        getattr(p, how)(text)
        outs = [text]
        for step in p.steps:
            outs.append(step.run(outs[-1]))
        for step, before, after in zip(p.steps, outs, outs[1:], strict=False):
            s = p.stats[step.name]
            assert (s.lines_in, s.lines_out) == (before.count("\n"), after.count("\n")), how


def test_iter_blocks_rejects_a_hard_limit_below_target() -> None:
    with pytest.raises(ValueError, match="target"):
        list(iter_blocks(["a"], target=10, hard=5))


def test_a_pipeline_pickles() -> None:
    p = Pipeline.default(convert="hk2s", segment=True)
    q = pickle.loads(pickle.dumps(p))
    assert q.steps == p.steps and isinstance(q.steps[0], Step)


def test_the_command_line_answers_before_its_input_ends() -> None:
    """``producer | zhclean clean``: the first paragraphs come out while stdin is still open."""
    import subprocess
    import sys
    import threading

    para = "永州經開區正以破竹之勢揚帆遠航，引領一場產業轉型與飛躍之旅。\n\n".encode()
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhclean", "clean"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    stdin = proc.stdin
    done = threading.Event()

    def produce() -> None:
        # about 2 MB, then wait (input still open) until the test has seen output
        try:
            stdin.write(para * 20000)
            stdin.flush()
            done.wait(60)
        finally:
            stdin.close()

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    try:
        first = proc.stdout.readline().decode()
        still_open = not stdin.closed
    finally:
        done.set()
        proc.stdout.read()
        proc.wait(timeout=60)
    assert first == para.decode().strip() + "\n"
    assert still_open, "the first line came only after the input ended"
    assert proc.returncode == 0


# zhclean's own output of these real extractions still changes on a second run (join reads
# layout that spacing changed, dedupe meets copies only joined lines bring together: see
# benchmarks/bench_idempotence.py). The list may shrink; a file that joins it is a regression.
NOT_YET_FIXED_POINTS = {
    f"{doc}.{extractor}.txt"
    for doc, extractors in {
        "pku-masters-thesis": "pdfminer pymupdf",
        "tw-curriculum-tech": "pdfminer pdftotext pymupdf pypdfium2",
    }.items()
    for extractor in extractors.split()
}


def test_clean_is_a_fixed_point_on_the_other_real_extractions(shared: Path) -> None:
    files = sorted((shared / "realpdf" / "extracted").glob("*.txt"))
    assert len(files) >= 80
    pipe = Pipeline.default()

    def clean(text: str) -> str:
        return "".join(pipe.stream(text.splitlines(keepends=True)))

    moved = []
    for f in files:
        once = clean(decode_bytes(f.read_bytes())[0])
        if clean(once) != once:
            moved.append(f.name)
    assert set(moved) <= NOT_YET_FIXED_POINTS, sorted(set(moved) - NOT_YET_FIXED_POINTS)


def test_a_soft_hyphen_at_a_line_end_rejoins_its_word() -> None:
    # normalize shows it as the hyphen the page shows; join takes it out (was: vehic ula)
    text = "Sed ac odio. Sed vehic\u00ad\nula hendrerit sem. Duis non odio.\n"
    assert (
        Pipeline.default().run(text) == "Sed ac odio. Sed vehicula hendrerit sem. Duis non odio.\n"
    )
