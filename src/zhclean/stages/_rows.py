"""What makes a line a row of a table, where join (keep the row on its own line) and spacing
(keep the spaces between its cells) both need to know."""

from __future__ import annotations

import re

# A figure of a financial table: a decimal point, thousands separators or a percent sign (a
# year, a count or a date alone is no such figure).
_FIGURE = r"[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)[%％]?|[-+]?\d+(?:\.\d+)?[%％]"
_FIGURES = re.compile(rf"(?<![\w.,])(?:{_FIGURE})[ \t\u3000\u00a0]+(?:{_FIGURE})(?![\w.,])")
_CJK_SENTENCE = re.compile("[，。；！？]")

#: The gap between two cells of a table: two spaces or more, or a tab.
CELL_GAP = re.compile(r"(?:[ \u3000]{2,}|\t)")
#: Where two figures may stand side by side: a digit (or %), a space and a digit. Found from
#: the space, a literal the regex engine skips to (ten times faster than from a class); where
#: the text holds no tab, ideographic or no-break space, ``DIGIT_SPACE`` finds as much.
DIGIT_GAP = re.compile(r" (?<=[\d%％] )[ \t\u3000\u00a0]*[-+]?\d|[\t\u3000\u00a0](?<=[\d%％].)")
DIGIT_SPACE = re.compile(r" (?<=[\d%％] ) *[-+]?\d")


def figures_row(line: str) -> bool:
    """Two figures side by side in a line without CJK sentence punctuation: a row of a table,
    wherever the figures stand (pypdf writes one a line, single spaces between the cells).

    >>> figures_row("预付款项 2,436,695.05 1,878,311.93 29.73% 子公司货款增加")
    True
    >>> figures_row("营业收入为 2,436,695.05 1,878,311.93 元，同比增长")
    False
    >>> figures_row("2023 年 12 月 3 日")
    False
    """
    if not ("." in line or "," in line or "%" in line or "％" in line):
        return False  # (no figure without one: most lines are spared the search)
    return _FIGURES.search(line) is not None and _CJK_SENTENCE.search(line) is None
