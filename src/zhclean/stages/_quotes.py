"""Quotation marks with the script: ``「」『』`` (Traditional, Japanese) ↔ ``“”‘’`` (Simplified).

Marks are paired (an opening mark with the next closing mark of its kind) and mapped by how
deep the pair is nested: the outer pair becomes double quotes ``“”`` or corner brackets
``「」``, a pair inside it single quotes ``‘’`` or white corner brackets ``『』``, and so on
alternately. ASCII ``"`` and ``'`` are never touched, nor is ``’`` used as an apostrophe
(``it’s``). A mark that finds no partner is mapped on its own (``「``→``“``), so that a second
conversion finds nothing left to change.

A quotation running over several paragraphs opens each paragraph and closes only the last;
an opening mark at the start of a line whose previous opening mark of the same kind also
started a line is read as such a continuation, not as a nested quotation.

>>> to_curly("他說：「她說『好』。」")
'他說：“她說‘好’。”'
>>> to_corner("他说：“她说‘好’。” it’s")
'他说：「她说『好』。」 it’s'
"""

from __future__ import annotations

import re

# kind -> (opening, closing) for each depth parity
_CORNER = (("「", "」"), ("『", "』"))
_CURLY = (("“", "”"), ("‘", "’"))


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


Marks = tuple[tuple[str, str], ...]


def _apostrophe(ch: str, before: str, after: str, single_open: bool) -> bool:
    """Whether a curly single quote is an apostrophe: don’t, ’90s, dogs’ (outside ‘…’)."""
    if ch == "‘":
        return _is_word_char(before)
    if _is_word_char(before):
        return _is_word_char(after) or not single_open
    return after.isascii() and after.isdigit()


def _map(text: str, source: Marks, target: Marks) -> str:
    openers = {o: k for k, (o, _) in enumerate(source)}
    closers = {c: k for k, (_, c) in enumerate(source)}
    marks = re.compile(f"[{''.join(openers)}{''.join(closers)}]")
    found = [(m.start(), m.group()) for m in marks.finditer(text)]
    if not found:
        return text
    new: dict[int, str] = {}  # position -> the mark it becomes
    # stack of (position, kind, started a line)
    stack: list[tuple[int, int, bool]] = []
    pairs: list[tuple[int, int, int]] = []  # (open position, close position, depth)
    single_curly = source is _CURLY
    skipped: set[int] = set()

    def line_start(i: int) -> bool:
        j = i - 1
        while j >= 0 and text[j] in " \t\u3000":
            j -= 1
        return j < 0 or text[j] == "\n"

    for i, ch in found:  # only the marks: the text between them is never looked at
        if single_curly and ch in "‘’":
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if _apostrophe(ch, before, after, any(k == 1 for _, k, _ in stack)):
                skipped.add(i)
                continue
        if ch in openers:
            kind = openers[ch]
            starts = line_start(i)
            if starts and stack and stack[-1][1] == kind and stack[-1][2]:
                stack.pop()  # a new paragraph of the same quotation: the old mark stays unpaired
            stack.append((i, kind, starts))
        elif ch in closers:
            kind = closers[ch]
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][1] == kind:
                    pairs.append((stack[depth][0], i, depth))
                    del stack[depth:]
                    break
    paired: set[int] = set()
    for start, end, depth in pairs:
        o, c = target[depth % 2]
        new[start], new[end] = o, c
        paired.update((start, end))
    # unpaired marks are mapped on their own (apostrophes were never taken as marks)
    for i, ch in found:
        if i in paired:
            continue
        if ch in openers and not (single_curly and i in skipped):
            new[i] = target[openers[ch]][0]
        elif ch in closers and not (single_curly and i in skipped):
            new[i] = target[closers[ch]][1]
    # rebuild from the slices between marks: no per-character work on the text
    parts: list[str] = []
    prev = 0
    for i, _ in found:
        if i in new:
            parts += (text[prev:i], new[i])
            prev = i + 1
    parts.append(text[prev:])
    return "".join(parts)


def to_curly(text: str) -> str:
    """``「」『』`` → ``“”‘’`` by pairing and nesting (for Simplified output)."""
    return _map(text, _CORNER, _CURLY)


def to_corner(text: str) -> str:
    """``“”‘’`` → ``「」『』`` by pairing and nesting (for Traditional and Japanese output)."""
    return _map(text, _CURLY, _CORNER)
