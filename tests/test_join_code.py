"""Join and program code: listings stay a statement a line (rule ``keep: code``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhclean.stages.join import join_explain, join_lines

# Lines of a manual with code in it: statements, braces, comments, labels, and prose that
# looks a little like code (an ASCII semicolon, an address, a // in a sentence).
CODE_LINE = st.sampled_from(
    [
        "if (flag == 0) {",
        "}",
        "} else {",
        "return this.data + 100;",
        "private int stock;",
        "@Override",
        "// 缩进 4 个空格",
        "int x = 1; // 注释",
        "正例：",
        "反例：接口方法定义 public abstract void commit();",
        "说明：这是一段说明，",
        "使用 JCL：",
        "过大, 违背线性模型假设, 其解不可靠;",
        "the more remarkable the effectiveness;",
        "一是加强基础设施建设；",
        "请见 https://example.org/a",
        "不得使用 // xxx",
        "方式。",
        "这是一个很长的中文句子，它在这里断开",
        "，接着写",
        "1.【强制】规则",
        "",
        "\f",
    ]
)
PAGE = st.lists(CODE_LINE, max_size=20).map("\n".join)


def _visible(s: str) -> str:
    return "".join(s.split())


@settings(max_examples=300, deadline=None)
@given(PAGE)
def test_code_marks_keep_join_idempotent_and_explained(text: str) -> None:
    out = join_lines(text)
    assert join_explain(text).text == out
    assert join_lines(out) == out
    assert _visible(out) == _visible(text)


def test_explain_names_the_code_rules() -> None:
    text = "正例：\n// 获取今年的天数\nint days = LocalDate.now().lengthOfYear();\n反例：略。\n"
    rules = [c.rule for c in join_explain(text).changes]
    assert rules == [
        "keep: code",  # a label ending with a colon, then code
        "keep: code (a // comment runs to the line end)",
        "keep: code, then a label",
    ]
    text = (
        "x = 1;\ny = compute(x);\n方法名 compute，加上有意义的变量名称，语义\n"
        + "清晰的代码不需要注释。\n"
    )
    rules = [c.rule for c in join_explain(text).changes]
    assert rules == [
        "keep: code",
        "keep: code, the end of a listing",
        "join: line ends mid-sentence",
    ]


EXTRACTORS = ["pdfminer", "pdftotext", "pymupdf", "pypdf", "pypdfium2"]


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_comment_lines_of_a_real_manual_end_their_line(shared: Path, extractor: str) -> None:
    """In the Java manual every ``//`` comment line is followed by a statement or a brace: the
    break after it must stay (joined, the statement would be commented out)."""
    path = shared / "realpdf" / "extracted" / f"alibaba-java-manual.{extractor}.txt"
    if not path.exists():
        pytest.skip(f"{path.name} is absent")
    text = path.read_text(encoding="utf-8")
    comments = {s for s in map(str.strip, text.splitlines()) if s.startswith("// ")}
    assert len(comments) > 30
    ends = {line.rstrip() for line in join_lines(text).splitlines()}
    ended = {c for c in comments if any(e.endswith(c) for e in ends)}
    assert ended == comments
