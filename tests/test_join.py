"""Invariants of join, spacing and furniture, stated with hypothesis, and the explanations."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from zhclean.stages.furniture import furniture_explain
from zhclean.stages.join import JoinConfig, join_explain, join_lines
from zhclean.stages.spacing import SpacingConfig, spacing

# Extractor-like text: Han, CJK punctuation, list markers, digits, Latin, spaces, blank lines,
# indentation and page breaks, in lines of varied width.
LINE = st.lists(
    st.sampled_from(
        list("改革引擎賦能產業騰飛永州經開區的了是，。、；：「」（）！？…—《》")
        + list("一二三第條章圖表0123456789abcxyz.-•() ")
        + ["  ", "\u3000", "tech-", "nology", "well-"]
    ),
    max_size=30,
).map("".join)
PAGE = st.lists(st.one_of(LINE, st.just(""), st.just("\f"), st.just("— 3 —")), max_size=30).map(
    "\n".join
)


def _visible(s: str) -> str:
    return "".join(s.split())


@settings(max_examples=300, deadline=None)
@given(PAGE, st.booleans())
def test_join_only_moves_line_breaks(text: str, blank: bool) -> None:
    """No non-space character is added or removed, except a hyphen joined back into its word,
    and each such hyphen is reported."""
    result = join_explain(text, JoinConfig(blank_lines=blank))
    hyphens = sum(c.before.startswith("-") for c in result.changes)
    assert len(_visible(text)) - len(_visible(result.text)) == hyphens
    assert _visible(result.text).replace("-", "") == _visible(text).replace("-", "")


@settings(max_examples=300, deadline=None)
@given(PAGE, st.booleans())
def test_join_is_idempotent(text: str, blank: bool) -> None:
    cfg = JoinConfig(blank_lines=blank)
    once = join_lines(text, cfg)
    assert join_lines(once, cfg) == once


@settings(max_examples=300, deadline=None)
@given(PAGE, st.sampled_from(["keep", "remove", "add"]))
def test_spacing_only_touches_spaces(text: str, policy: str) -> None:
    cfg = SpacingConfig(latin_space=policy)  # type: ignore[arg-type]
    once = spacing(text, cfg)
    assert _visible(once) == _visible(text)
    assert spacing(once, cfg) == once


@settings(max_examples=300, deadline=None)
@given(PAGE)
def test_furniture_removes_only_what_it_reports(text: str) -> None:
    result = furniture_explain(text)
    reported = "".join(c.before for c in result.changes)
    assert len(_visible(text)) - len(_visible(result.text)) == len(_visible(reported))
    assert result.text.count("\f") == text.count("\f")  # page breaks stay for join to see
    assert furniture_explain(result.text).text == result.text


def test_join_explain_says_why() -> None:
    text = (
        "改革促強身\n發展聚主業\n改革，是永州經開區強身健體的良藥；\n\n"
        "發展，則是其聚焦主業的堅定方向。8月\n18日，湖南匯科電子科技有限公司的董\n"
    )
    rules = [c.rule for c in join_explain(text).changes]
    assert rules[0].startswith("keep: ")
    assert rules[1].startswith("keep: ")
    assert rules[2] == "join: line ends with clause punctuation"
    assert all(r.startswith(("join: ", "keep: ")) for r in rules)


def test_join_explain_offsets_point_at_the_break() -> None:
    text = "社會保\n\n障、生態環保及公共服務職能18項，以\n及涉招商引資。\n"
    for c in join_explain(text).changes:
        assert text[c.start : c.end] == c.before


def test_a_lead_in_at_the_end_of_a_longer_paragraph_needs_no_second_look() -> None:
    # The first line is as wide as any, so its ； joins the next, short one; kept there as a
    # lead-in, that short line would end a paragraph joined into a wide line, whose break a
    # second look then joins, and so on down the list: one more look over the whole block for
    # each clause (SIGHAN CityU's one-sentence lines made join 60% slower). A lead-in keeps its
    # break only as a paragraph of its own.
    text = (
        "張梅穎代表民盟中央提出建議：在國民經濟與社會發展規劃中列入開展國民環保教育項目，將環保教育作為災害管理上游工作的重要環節；\n"
        "在學歷教育的各級各類學校中，將環境與防災減災內容列入必考知識；\n"
        "嚴格考核增長中的環境成本，將工作及其成效作為考核政府行政績效的重要指標；\n"
        "調整制訂合理的能源和水資源價格，促使投資向清潔生產技術傾斜。\n"
    )
    r = join_explain(text)
    assert not [c.rule for c in r.changes if c.rule.startswith("second look")]
    assert r.text.count("\n") == 1
