"""The terminal side of ``zhclean batch``: progress bar, one-line messages, summary, report files.

Imported only by the ``batch`` command, so rich loads only there. Everything goes to stderr.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._signals import sigterm_as_interrupt
from .batch import Batch, FileRecord, WorkerStartError, in_order, json_line
from .exitcodes import EXIT_IO, EXIT_OK, EXIT_SOME_FAILED
from .exitcodes import interrupted as exit_interrupted
from .io import AtomicFile


@dataclass
class Summary:
    """What the summary table shows, added up over the records."""

    ok: int = 0
    failed: int = 0
    skipped: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    dedupe_removed: int = 0
    lines_joined: int = 0
    total: int = 0  # files the walk found

    def add(self, rec: FileRecord) -> None:
        if rec.status == "ok":
            self.ok += 1
            self.bytes_in += rec.bytes_in
            self.bytes_out += rec.bytes_out
            self.dedupe_removed += rec.dedupe_removed
            self.lines_joined += rec.lines_joined
        elif rec.status == "failed":
            self.failed += 1
        else:
            self.skipped += 1

    def rows(self, elapsed: float, total: int, interrupted: bool) -> list[tuple[str, str]]:
        mb_s = self.bytes_in / 1e6 / elapsed if elapsed > 0 else 0.0
        rows = [
            ("files ok", f"{self.ok:,}"),
            ("files failed", f"{self.failed:,}"),
            ("files skipped", f"{self.skipped:,}"),
        ]
        if interrupted:
            rows.append(("files not done (interrupted)", f"{max(0, total - self.done):,}"))
        rows += [
            ("bytes in", f"{self.bytes_in:,}"),
            ("bytes out", f"{self.bytes_out:,}"),
            ("characters removed by dedupe", f"{self.dedupe_removed:,}"),
            ("lines joined", f"{self.lines_joined:,}"),
            ("elapsed", f"{elapsed:.2f} s"),
            ("MB/s", f"{mb_s:.2f}"),
        ]
        return rows

    @property
    def done(self) -> int:
        return self.ok + self.failed + self.skipped


def _say(console: Any, text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def run_batch_ui(
    run: Batch,
    *,
    jsonl: Path | None,
    report: Path | None,
    quiet: bool,
    progress: bool | None = None,
) -> int:
    """Run ``run``, show its progress (a terminal only) and summary on stderr; return the exit code.

    ``progress`` forces the bar on or off (default: on when stderr is a terminal and not quiet).
    """
    from rich.console import Console

    console = Console(stderr=True)
    t0 = time.perf_counter()
    summary = Summary()
    report_out = jsonl_out = None
    opening = report
    try:
        if report is not None:
            report_out = AtomicFile(report, durable=False, through=True)
        opening = jsonl
        if jsonl is not None:
            jsonl_out = AtomicFile(jsonl, through=True)
    except OSError as exc:
        if report_out is not None:
            report_out.discard()
        sys.stderr.write(f"zhclean: error: cannot write {opening}: {exc.strerror or exc}\n")
        return EXIT_IO
    show = (not quiet and sys.stderr.isatty()) if progress is None else progress
    interrupted = broken = False
    stopped: KeyboardInterrupt | None = None
    error = None
    try:
        with sigterm_as_interrupt():
            _loop(run, summary, report_out, jsonl_out, console if show else None, console)
    except KeyboardInterrupt as exc:
        interrupted, stopped = True, exc
    except BrokenPipeError:
        # the reader of a report or corpus on a pipe went away (`--jsonl - | head`): that ends
        # the run quietly, as `zhclean clean | head` ends
        broken = True
    except OSError as exc:  # the report or the JSON Lines file (disk full, …)
        error = f"cannot write {exc.filename or report or jsonl}: {exc.strerror or exc}"
    except WorkerStartError as exc:
        error = str(exc)
    except BaseException:  # a bug: the traceback says where, but no temporary file is left
        for out in (report_out, jsonl_out):
            if out is not None:
                out.discard()
        raise
    finally:
        run.close()
        # An interrupted corpus file would be a partial file; the report says what was done.
        if jsonl_out is not None and interrupted:
            jsonl_out.discard()
    if broken:
        return _broken_pipe(report_out, jsonl_out)
    # what the workers finished while they were being stopped counts too
    try:
        for rec in run.late:
            summary.add(rec)
            if report_out is not None and error is None:
                report_out.fh.write(json_line(rec.report()).encode("utf-8"))
    except BrokenPipeError:
        return _broken_pipe(report_out, jsonl_out)
    except OSError as exc:
        error = f"cannot write {report}: {exc.strerror or exc}"
    if error is not None:
        for out in (report_out, jsonl_out):
            if out is not None:
                out.discard()
        sys.stderr.write(f"zhclean: error: {error}\n")
        return EXIT_IO
    try:
        for out in (report_out, jsonl_out):
            if out is not None and not out.closed:
                out.commit()
    except BrokenPipeError:
        return _broken_pipe(report_out, jsonl_out)
    except OSError as exc:
        sys.stderr.write(f"zhclean: error: cannot write {exc.filename}: {exc.strerror or exc}\n")
        return EXIT_IO
    finally:
        for out in (report_out, jsonl_out):
            if out is not None:
                out.discard()  # removes the temporary file unless committed
    if not quiet:
        elapsed = time.perf_counter() - t0
        _summary(console, summary.rows(elapsed, summary.total, interrupted))
    if stopped is not None:
        code, message = exit_interrupted(stopped)
        sys.stderr.write(f"{message}\n")
        return code
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def _broken_pipe(*outs: AtomicFile | None) -> int:
    for out in outs:
        if out is not None:
            out.discard()
    # Python flushes stdout at exit: into /dev/null, where it cannot fail again
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return EXIT_OK


def _loop(
    run: Batch,
    summary: Summary,
    report_out: AtomicFile | None,
    jsonl_out: AtomicFile | None,
    bar_console: Any,
    console: Any,
) -> None:
    files = run.files()
    summary.total = len(files)
    # Workers start before the progress bar's refresh thread does: they can then be forked,
    # inheriting the dictionaries loaded here, rather than spawned (see Batch.start).
    run.start()
    sizes = {f.rel: f.size for f in files}
    bar = _progress(bar_console) if bar_console is not None else None
    records = iter(run)
    try:
        with bar if bar is not None else contextlib.nullcontext():
            if bar is not None:
                task = bar.add_task("cleaning", total=sum(sizes.values()), files=f"0/{len(files)}")
            for rec in in_order(records) if jsonl_out is not None else records:
                summary.add(rec)
                if rec.status == "failed" or rec.reason not in (None, "up to date"):
                    text = f"zhclean: {rec.status}: {rec.path}: {rec.reason}"
                    _say(bar.console if bar is not None else console, text)
                if report_out is not None:
                    report_out.fh.write(json_line(rec.report()).encode("utf-8"))
                if jsonl_out is not None and rec.status == "ok":
                    obj = {
                        "path": rec.path,
                        "text": rec.text,
                        "encoding": rec.encoding,
                        "stats": rec.stats(),
                    }
                    jsonl_out.fh.write(json_line(obj).encode("utf-8"))
                if bar is not None:
                    done = f"{summary.done}/{len(files)}"
                    bar.update(task, advance=sizes.get(rec.path, 0), files=done)
    finally:
        records.close()  # type: ignore[attr-defined]


def _progress(console: Any) -> Any:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[files]} files"),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _summary(console: Any, rows: list[tuple[str, str]]) -> None:
    from rich.table import Table

    table = Table(title="zhclean batch", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("value", justify="right")
    for what, value in rows:
        table.add_row(what, value)
    console.print(table)
