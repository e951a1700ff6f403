"""Where the start-up time of ``echo 天天 | zhclean clean`` goes (target: under 0.3 s wall).

Run from the project root: ``python benchmarks/bench_startup.py`` (``--runs N``: best of N,
default 10). Each row is a fresh process on this checkout's ``src``, timed by wall clock (best
of N: start-up is short, so the minimum is the figure other jobs on the machine disturb
least). Rows, each including the ones above it:

    python            the interpreter alone
    import typer      the CLI framework
    import zhclean    the library's core (a stage module is imported, and its regexes
                      compiled, when the stage is first used: by the command below)
    import zhclean.cli
    --version         the CLI parsing its command line and answering
    clean (天天)      the whole command, ``echo 天天 | zhclean clean`` (typer 0.29 imports
                      pydantic when a command runs, to check option values: 0.21 s here
                      against 0.13 s with typer 0.28, the reason pyproject caps typer)

Then the import time of each module ``zhclean clean`` imports (``python -X importtime``, best
of N), typer's version and whether a command imported pydantic, and whether the modules were
loaded from ``.pyc`` files: with ``PYTHONDONTWRITEBYTECODE`` set and an editable install, every
run compiles the sources again (tens of ms that users, whose pip writes ``.pyc`` files, never
pay).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
}
PY = sys.executable
STAGES = (
    *("base", "chars", "normalize", "dedupe", "furniture", "join", "spacing", "convert"),
    "segment",
)

# (an import statement: -X importtime does not see importlib.import_module, which get_stage uses)
EVERY_STAGE = "import " + ", ".join(f"zhclean.stages.{s}" for s in STAGES)


def wall(cmd: list[str], stdin: bytes = b"", runs: int = 10) -> float:
    """Best wall time of ``runs`` runs of ``cmd`` (seconds)."""
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, input=stdin, env=ENV, capture_output=True, check=True)
        best = min(best, time.perf_counter() - t)
    return best


def import_times(runs: int) -> dict[str, float]:
    """Self import time of each ``zhclean`` module (ms, best of ``runs``)."""
    best: dict[str, float] = {}
    for _ in range(runs):
        err = subprocess.run(
            [PY, "-X", "importtime", "-c", "import zhclean.cli; " + EVERY_STAGE],
            env=ENV,
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        for line in err.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[2].strip().startswith("zhclean"):
                name = parts[2].strip()
                ms = int(parts[0].split(":")[1]) / 1000
                best[name] = min(best.get(name, ms), ms)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    n = ap.parse_args().runs
    rows = [
        ("python", [PY, "-c", "pass"]),
        ("import typer", [PY, "-c", "import typer"]),
        ("import zhclean", [PY, "-c", "import typer, zhclean"]),
        ("import zhclean.cli", [PY, "-c", "import zhclean.cli"]),
        ("--version", [PY, "-m", "zhclean", "--version"]),
        ("clean (天天)", [PY, "-m", "zhclean", "clean"]),
    ]
    print(f"{'step':24} {'wall (best of ' + str(n) + ')':>20}")
    for name, cmd in rows:
        try:
            t = wall(cmd, "天天\n".encode(), n)
        except subprocess.CalledProcessError:
            print(f"{name:24} {'(failed)':>20}")
            continue
        print(f"{name:24} {t * 1000:17.0f} ms")
    times = import_times(n)
    print(f"\n{'module (self import time)':32} {'ms':>6}")
    for stage in STAGES:
        name = f"zhclean.stages.{stage}"
        if name in times:
            print(f"{name:32} {times[name]:6.1f}")
    total = sum(v for k, v in times.items() if k.startswith("zhclean"))
    print(f"{'all zhclean modules':32} {total:6.1f}")
    probe = (
        "import sys, typer, zhclean.cli\n"
        "sys.argv = ['zhclean', 'normalize', '--encoding', 'utf-8', '/dev/null']\n"
        "try:\n    zhclean.cli.main()\nexcept SystemExit:\n    pass\n"
        "print(typer.__version__, 'pydantic' in sys.modules, file=sys.stderr)"
    )
    typer_version, pydantic = subprocess.run(
        [PY, "-c", probe], env=ENV, capture_output=True, text=True, check=True
    ).stderr.split()[-2:]
    print(f"\ntyper {typer_version}; pydantic imported by a command: {pydantic}")
    cached = any((ROOT / "src" / "zhclean").glob("**/__pycache__/*.pyc"))
    dont = os.environ.get("PYTHONDONTWRITEBYTECODE")
    print(f"\n.pyc files under src: {'yes' if cached else 'no'}; PYTHONDONTWRITEBYTECODE={dont}")


if __name__ == "__main__":
    main()
