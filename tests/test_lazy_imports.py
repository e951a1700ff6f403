"""A command that does not segment never imports jieba; one that does not convert, no opencc;
none starts worker processes (or imports multiprocessing) for a small input."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

PROBE = """
import sys
from typer.testing import CliRunner
from zhclean.cli import app
r = CliRunner().invoke(app, {args!r}, input="賦能產業騰飛\\n")
assert r.exit_code == 0, r.output
print(",".join(m for m in ("jieba", "opencc", "rjieba", "multiprocessing") if m in sys.modules))
"""


@pytest.mark.parametrize(
    ("args", "loaded"),
    [
        (["clean"], ""),
        (["dedupe"], ""),
        (["join"], ""),
        (["clean", "-c", "hk2s"], "opencc"),
        (["convert", "-c", "t2s"], "opencc"),
        (["--version"], ""),
        (["segment", "--direct", "--engine", "jieba"], "jieba"),
    ],
)
def test_heavy_modules_load_only_when_used(args: list[str], loaded: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == loaded


def test_segment_loads_a_segmenter() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=["segment", "--direct"])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "jieba" in out.stdout or "rjieba" in out.stdout
    assert "opencc" not in out.stdout


@pytest.mark.skipif(importlib.util.find_spec("rjieba") is None, reason="rjieba not installed")
def test_rjieba_alone_when_it_is_the_engine() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=["segment", "--direct", "--engine", "rjieba"])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "rjieba"


def _probe(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (what it imports is then its own), which must succeed."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out


def test_simplified_input_is_segmented_without_opencc() -> None:
    probe = PROBE.replace("賦能產業騰飛", "赋能产业腾飞").format(args=["segment"])
    out = _probe(probe)
    assert "opencc" not in out.stdout.split(",")


CLEANING = ("dedupe", "furniture", "join", "spacing")
STAGES_PROBE = PROBE.replace(
    '("jieba", "opencc", "rjieba", "multiprocessing")',
    repr(tuple(f"zhclean.stages.{name}" for name in CLEANING)),
)


@pytest.mark.parametrize(
    ("args", "loaded"),
    [
        (["segment"], ()),
        (["convert", "-c", "t2s"], ()),
        (["normalize"], ()),
        (["dedupe"], ("dedupe",)),
        (["join"], ("furniture", "join")),
        (["clean"], CLEANING),
    ],
)
def test_a_command_imports_only_the_stages_it_runs(args: list[str], loaded: tuple[str]) -> None:
    """Importing a stage compiles its patterns (the cleaning stages': a fifth of start-up)."""
    out = subprocess.run(
        [sys.executable, "-c", STAGES_PROBE.format(args=args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ",".join(f"zhclean.stages.{name}" for name in loaded)


def test_the_package_exports_every_stage_on_first_use() -> None:
    probe = (
        "import sys, zhclean\n"
        "assert 'zhclean.stages.join' not in sys.modules\n"
        "from zhclean import join_lines, JoinConfig\n"
        "assert join_lines is sys.modules['zhclean.stages.join'].join_lines\n"
        "assert set(zhclean.__all__) <= set(dir(zhclean))\n"
        "assert all(getattr(zhclean, name) is not None for name in zhclean.__all__)\n"
        "try:\n"
        "    zhclean.no_such_thing\n"
        "except AttributeError:\n"
        "    print('ok')\n"
    )
    out = _probe(probe)
    assert out.stdout.strip() == "ok"


def test_converting_reads_no_package_metadata() -> None:
    """Building a converter only needs to know which OpenCC package is installed, which its
    files tell: ``importlib.metadata`` (as slow to import as a converter is to build) is for
    ``--version``."""
    probe = (
        "import sys, runpy; sys.argv = ['zhclean', 'clean', '-c', 'hk2s']\n"
        "try:\n    runpy.run_module('zhclean', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('importlib.metadata' in sys.modules, file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        input="賦能產業\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout == "赋能产业\n"
    assert out.stderr.strip() == "False"


def test_importing_the_package_imports_nothing_else() -> None:
    """The ``zhclean`` command's script imports the package before the Ctrl-C guard of
    ``zhclean.__main__`` runs: a Ctrl-C then printed a traceback (for 45 ms, while the pipeline
    and stages were imported). Every public name still comes on first use."""
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import zhclean\n"
        "print(sorted(set(sys.modules) - before - {'__future__'}))\n"
        "from zhclean import Change, Explained, Pipeline, Step, clean, get_stage, registry\n"
        "assert Pipeline is sys.modules['zhclean.pipeline'].Pipeline\n"
        "assert zhclean.pipeline.Step is Step and zhclean.stages.Change is Change\n"
        "assert get_stage('join') is registry()['join'] and clean('這 場') == '這場\\n'\n"
    )
    out = _probe(probe)
    assert out.stdout.strip() == "['zhclean', 'zhclean._version']"
