"""Undo fake-bold doubling: text a PDF producer drew two or more times.

Fake bold draws each text run (or each glyph) twice at a small offset; extractors then emit
``改革改革「「引擎引擎」」``. This stage removes the extra copies and leaves legitimate
repeats (天天, 謝謝, 研究研究, ……, 2000) alone.

>>> dedupe("改革改革「「引擎引擎」」賦能產業騰飛賦能產業騰飛")
'改革「引擎」賦能產業騰飛'
>>> dedupe("我們天天看看書，謝謝。")
'我們天天看看書，謝謝。'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .base import Change, Explained, StageSpec, apply_changes, register
from .chars import CJK_PUNCT

NAME = "dedupe"


@dataclass(frozen=True)
class DedupeConfig:
    """Settings of the ``dedupe`` stage.

    max_copies: the most copies of one run a producer is assumed to draw (fill, stroke, shadow).
    """

    max_copies: int = 4


DEFAULT = DedupeConfig()

# A unit is a run of word characters or a single punctuation mark; spaces separate units.
_UNIT = re.compile(rf"[{CJK_PUNCT}]|[^\w\s]|[^\s{CJK_PUNCT}\W]+")


def _halve(unit: str, copies: int) -> str | None:
    n = len(unit)
    if n % copies:
        return None
    part = unit[: n // copies]
    return part if part * copies == unit else None


def _line_changes(line: str, offset: int, cfg: DedupeConfig) -> list[Change]:
    units = [(m.start(), m.group()) for m in _UNIT.finditer(line)]
    if len(units) < 2:
        return []
    for copies in range(2, cfg.max_copies + 1):
        changes: list[Change] = []
        i = 0
        ok = True
        doubled_chars = 0
        while i < len(units):
            start, unit = units[i]
            if len(unit) == 1:
                # punctuation drawn `copies` times shows up as `copies` equal units in a row
                group = units[i : i + copies]
                if (
                    len(group) == copies
                    and all(u == unit for _, u in group)
                    and all(group[k + 1][0] == group[k][0] + 1 for k in range(copies - 1))
                ):
                    changes.append(
                        Change(
                            NAME,
                            "run",
                            offset + start + 1,
                            offset + start + copies,
                            unit * (copies - 1),
                            "",
                        )
                    )
                    doubled_chars += copies - 1
                    i += copies
                    continue
                ok = False
                break
            part = _halve(unit, copies)
            if part is None:
                ok = False
                break
            changes.append(
                Change(
                    NAME,
                    "run",
                    offset + start + len(part),
                    offset + start + len(unit),
                    unit[len(part) :],
                    "",
                )
            )
            doubled_chars += len(unit) - len(part)
            i += 1
        # Whole-line evidence: every unit repeated, and more than one unit or a long one.
        if ok and (len(units) >= 3 or doubled_chars >= 4):
            return changes
    return []


def dedupe_explain(text: str, config: DedupeConfig = DEFAULT) -> Explained:
    """Like :func:`dedupe`, and report each removed span.

    >>> r = dedupe_explain("園區園區。。")
    >>> r.text, [(c.start, c.before) for c in r.changes]
    ('園區。', [(2, '園區'), (5, '。')])
    """
    changes: list[Change] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        changes.extend(_line_changes(line.rstrip("\r\n"), pos, config))
        pos += len(line)
    changes.sort(key=lambda c: c.start)
    return Explained(apply_changes(text, changes), tuple(changes))


def dedupe(text: str, config: DedupeConfig = DEFAULT) -> str:
    """Remove the copies a fake-bold renderer drew; keep legitimate repeats."""
    return dedupe_explain(text, config).text


SPEC = register(
    StageSpec(
        NAME,
        DedupeConfig,
        dedupe,
        dedupe_explain,
        removes_text=True,
        summary="remove characters doubled by fake-bold rendering",
    )
)
