"""The normalize rule switches on the command line (``zhclean normalize`` and ``zhclean clean``)."""

from __future__ import annotations

from typer.testing import CliRunner

from zhclean.cli import app

runner = CliRunner()
TEXT = "⼤大纲：常⻅见问题，２０００年\u200b\r\n中文,中文\n"


def test_normalize_defaults() -> None:
    r = runner.invoke(app, ["normalize"], input=TEXT)
    assert r.exit_code == 0
    assert r.stdout == "大纲：常见问题，2000年\n中文,中文\n"


def test_norm_off_is_repeatable() -> None:
    r = runner.invoke(
        app, ["normalize", "--norm-off", "fullwidth", "--norm-off", "pairs"], input=TEXT
    )
    assert r.exit_code == 0
    assert r.stdout == "大大纲：常见见问题，２０００年\n中文,中文\n"


def test_cjk_punct_is_opt_in() -> None:
    r = runner.invoke(app, ["normalize", "--cjk-punct"], input=TEXT)
    assert r.stdout.endswith("中文，中文\n")


def test_clean_passes_the_normalize_config() -> None:
    r = runner.invoke(app, ["clean", "--cjk-punct", "--norm-off", "radicals"], input="⾏政,管理\n")
    assert r.exit_code == 0
    assert r.stdout == "⾏政，管理\n"


def test_unknown_rule_is_a_usage_error() -> None:
    r = runner.invoke(app, ["normalize", "--norm-off", "bogus"], input=TEXT)
    assert r.exit_code == 2


def test_explain_names_each_rule() -> None:
    r = runner.invoke(app, ["normalize", "--explain", "--cjk-punct"], input=TEXT)
    rules = [line.split("\t")[2] for line in r.stderr.splitlines()]
    expected = ["pair", "pair", "fullwidth", "fullwidth", "fullwidth", "fullwidth"]
    assert rules == [*expected, "invisible", "newline", "punct"]
