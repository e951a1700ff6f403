"""furniture reads only the lines near the edges of a long page, as deep as its looks reach: it
must find exactly what it finds when it reads every line (a line further in can never become
furniture)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from zhclean.stages.furniture import FurnitureConfig, _explain, furniture_explain

# Pages of 0 to 300 lines (some longer than what is kept of them) whose lines all look like
# furniture somewhere: running headers, page numbers, repeated labels, body text.
ROWS = ["正文一行。", "年度報告", "公司名稱 2023", "表 1", "", "  ", "Page 3 of 9", "3", "- 7 -"]
ROW = st.sampled_from([*ROWS, "第 4 頁", "共 9 頁 第 2 頁", "年度報告\r", "\r"])
PAGE = st.lists(ROW, max_size=300).map("\n".join)
DOC = st.lists(PAGE, min_size=1, max_size=8).map("\f".join)
CONFIGS = [
    FurnitureConfig(),
    FurnitureConfig(edge=1),
    FurnitureConfig(edge=3, min_share=0.3),
    FurnitureConfig(running=False),
    FurnitureConfig(page_numbers=False),
]


@settings(max_examples=300, deadline=None)
@given(DOC, st.sampled_from(CONFIGS))
def test_edge_lines_only_find_the_same_furniture(text: str, cfg: FurnitureConfig) -> None:
    assert furniture_explain(text, cfg) == _explain(text, cfg, len(text) + 1)


def test_edge_lines_only_on_real_extractions(shared: Path) -> None:
    files = sorted((shared / "realpdf" / "extracted").glob("*.txt"))
    assert files
    for f in files:
        text = f.read_text(encoding="utf-8")
        # one long page, as a stream block without page breaks is
        for t in (text, text.replace("\f", "\n")):
            assert furniture_explain(t) == _explain(t, FurnitureConfig(), len(t) + 1), f.name
