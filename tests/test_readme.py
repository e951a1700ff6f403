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


def test_each_stage_commands_section_documents_its_own_options() -> None:
    """The options a stage command has beyond those every command has are in its section of
    "Stages" (a reader of `### join` learns that `zhclean join --keep-furniture` exists)."""
    common = {"--output", "--encoding", "--explain", "--in-place", "--jobs", "--help"}
    sections = dict(re.findall(r"^### (\w+)\n(.*?)(?=^##)", README, flags=re.M | re.S))
    for cmd in ("normalize", "dedupe", "join", "spacing", "convert", "segment"):
        help_text = CliRunner().invoke(app, [cmd, "--help"], terminal_width=200).stdout
        for opt in set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - common:
            assert opt in sections[cmd], f"zhclean {cmd} {opt} is not in README's ### {cmd}"


def test_the_benchmark_says_when_its_python_cannot_run_zhclean() -> None:
    """`python benchmarks/run.py` with a Python that lacks zhclean's dependencies (the system's,
    not the venv's) used to print a table of failed rows, the reason in none of them."""
    import subprocess
    import sys

    script = (
        "import sys; sys.path.insert(0, 'benchmarks'); import run\n"
        "run.ZHCLEAN = [sys.executable, '-c', "
        "'raise SystemExit(\"ModuleNotFoundError: No module named typer\")']\n"
        "sys.exit(run.main(['--quick', '--only', 'no such row']))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2, r.stderr
    assert "cannot run zhclean (ModuleNotFoundError: No module named typer)" in r.stderr
    assert ".venv/bin/python benchmarks/run.py" in r.stderr
