"""The README is the contract: its commands, options and examples must stay true."""

from __future__ import annotations

import doctest
import re

from typer.testing import CliRunner

from zhclean.cli import app

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = "python3 -m venv .venv && .venv/bin/pip install '.[test]'"
    assert install in README
    assert install in ci
    assert ".venv/bin/python -m pytest" in README and ".venv/bin/python -m pytest" in ci
    assert "zhclean clean samples/yongzhou-newspaper.txt" in README


def test_every_command_and_option_is_documented() -> None:
    r = CliRunner().invoke(app, ["--help"])
    commands = re.findall(r"│ (\w[\w-]*) ", r.stdout) or []
    for name in {c for c in commands if c not in ("Options", "Commands")}:
        assert f"zhclean {name}" in README, name
    for cmd in ["clean"]:
        help_text = CliRunner().invoke(app, [cmd, "--help"], terminal_width=200).stdout
        for opt in set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help", "--no-hmm"}:
            assert opt in README, f"{cmd} {opt}"


def test_readme_examples_run() -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(README, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0
