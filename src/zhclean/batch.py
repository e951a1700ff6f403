"""Folder runs: clean every matching file under a folder into a mirror folder, in place, or into
records for a JSON Lines corpus, one :class:`FileRecord` per file.

This is the library side of ``zhclean batch``. It prints nothing, and it starts worker processes
only when asked to (``jobs > 1``); the command line owns progress bars and messages.

>>> import tempfile, pathlib
>>> src = pathlib.Path(tempfile.mkdtemp())
>>> _ = (src / "a.txt").write_text("這 場 改 革\\n", encoding="utf-8")
>>> [(r.path, r.status, r.text) for r in Batch(src, collect_text=True)]
[('a.txt', 'ok', '這場改革\\n')]

With ``dest``, each result is written (atomically) to the same relative path under ``dest``; a
second run skips the files whose output is up to date for the same options:

>>> dest = src / "out"
>>> [(r.path, r.status) for r in Batch(src, dest)]
[('a.txt', 'ok')]
>>> (dest / "a.txt").read_text(encoding="utf-8")
'這場改革\\n'
>>> [(r.path, r.status, r.reason) for r in Batch(src, dest)]
[('a.txt', 'skipped', 'up to date')]
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import multiprocessing
import os
import re
import stat
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any, BinaryIO

from ._signals import InterruptGate, sigint_ignored
from ._version import __version__
from .io import (
    AtomicFile,
    DecodeError,
    Found,
    decode_bytes,
    iter_decoded_lines,
    read_only,
    remove_temp_files,
    walk_files,
)
from .parallel import (
    START_METHOD_ENV,
    default_jobs,
    resolve_start_method,
    wait_ready,
    worker_setup,
)
from .pipeline import Pipeline, StepStats, iter_blocks

MANIFEST = ".zhclean-batch.jsonl"
# Files up to this size are cleaned whole by one worker; larger ones are read by the main process
# and cut at paragraph boundaries into blocks of about BLOCK_CHARS characters for the workers.
# Every file is cleaned block by block with the blocks `zhclean clean` uses (iter_blocks' default
# size, lines split at "\n" only), so a mirror file is exactly what `zhclean clean` makes of it,
# however it was split.
SPLIT_BYTES = 1 << 20
BLOCK_CHARS = 1 << 18  # iter_blocks' default target: the blocks of `zhclean clean`
# Small files go to the workers several at a time, up to this many bytes (and BATCH_FILES
# files) a message, so that the main process handles one message, not one per file; near the
# end of the run batches shrink so that the workers finish together.
BATCH_BYTES = 1 << 15
BATCH_FILES = 64
# What the main process cleans once before forking workers: Traditional and Simplified text, a
# doubled phrase, so that every resource the pipeline loads lazily (jieba's dictionary, OpenCC
# converters, big regexes) is loaded once and inherited, instead of once per worker.
_WARM_UP = "園區園區。。國家經濟發展，\n改革開放。\n\n这场改革 abc 1\n"


# --- what a run reports -----------------------------------------------------------------------


@dataclass
class FileRecord:
    """What happened to one input file.

    ``status`` is ``ok``, ``failed`` (with a one-line ``reason``: binary, undecodable, unreadable,
    vanished…) or ``skipped`` (``reason``: up to date, a link out of the folder). ``steps`` holds
    each pipeline step's counters (characters and lines in and out). ``text`` is the cleaned
    text when the run collects it (``collect_text=True``), else None.
    """

    path: str
    status: str
    reason: str | None = None
    encoding: str | None = None
    bytes_in: int = 0
    bytes_out: int = 0
    seconds: float = 0.0
    steps: dict[str, dict[str, int]] = field(default_factory=dict)
    text: str | None = None
    index: int = -1
    # stat of the input before reading and of the output after writing: (size, mtime_ns)
    src_stat: tuple[int, int] | None = None
    out_stat: tuple[int, int] | None = None

    @property
    def dedupe_removed(self) -> int:
        """Characters the dedupe step removed."""
        s = self.steps.get("dedupe")
        return max(0, s["chars_in"] - s["chars_out"]) if s else 0

    @property
    def lines_joined(self) -> int:
        """Line breaks the join step removed."""
        s = self.steps.get("join")
        return max(0, s["lines_in"] - s["lines_out"]) if s else 0

    def stats(self) -> dict[str, Any]:
        """The counters of this file, as written in reports and JSON Lines records."""
        return {
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "seconds": round(self.seconds, 4),
            "dedupe_chars_removed": self.dedupe_removed,
            "lines_joined": self.lines_joined,
            "steps": self.steps,
        }

    def report(self) -> dict[str, Any]:
        """The record ``zhclean batch --report`` writes for this file."""
        return {
            "path": self.path,
            "status": self.status,
            "reason": self.reason,
            "encoding": self.encoding,
            **self.stats(),
        }


def _add_steps(into: dict[str, dict[str, int]], stats: dict[str, StepStats]) -> None:
    for name, s in stats.items():
        d = into.setdefault(name, {"chars_in": 0, "chars_out": 0, "lines_in": 0, "lines_out": 0})
        d["chars_in"] += s.chars_in
        d["chars_out"] += s.chars_out
        d["lines_in"] += s.lines_in
        d["lines_out"] += s.lines_out


def _merge_steps(into: dict[str, dict[str, int]], steps: dict[str, dict[str, int]]) -> None:
    for name, s in steps.items():
        d = into.setdefault(name, dict.fromkeys(s, 0))
        for k, v in s.items():
            d[k] = d.get(k, 0) + v


# --- the work one file takes (runs in a worker, or inline) -------------------------------------


@dataclass(frozen=True)
class _Job:
    """Everything a worker needs: settings only, so it pickles under any start method."""

    pipeline: Pipeline
    encoding: str | None
    dest_root: str | None  # resolved; None when results are only collected
    in_place: bool
    collect_text: bool
    durable: bool
    block_chars: int = BLOCK_CHARS
    split_bytes: int = SPLIT_BYTES
    # output folders this run made and found inside DEST, in this process (a mkdir and a
    # realpath are four system calls a file; checked once per folder and run instead)
    checked: set[str] = field(default_factory=set, compare=False)


def _stat_key(st: os.stat_result) -> tuple[int, int]:
    return (st.st_size, st.st_mtime_ns)


def _out_path(job: _Job, found: Found) -> Path | None:
    if job.dest_root is None:
        return None
    return Path(found.path) if job.in_place else Path(job.dest_root, *found.rel.split("/"))


def _check_out_parent(job: _Job, out: Path) -> None:
    # An output folder that is a link leading out of DEST (say into SRC) is refused: nothing
    # outside DEST is ever written, except the inputs themselves with --in-place.
    if job.in_place or job.dest_root is None:
        return
    folder = str(out.parent)
    if folder in job.checked:
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    real = os.path.realpath(out.parent)
    if real != job.dest_root and not real.startswith(job.dest_root.rstrip(os.sep) + os.sep):
        raise _Refused(f"output folder {out.parent} leads outside the destination")
    job.checked.add(folder)


class _Refused(Exception):
    pass


def _open(path: str | os.PathLike[str]) -> tuple[BinaryIO, os.stat_result]:
    """Open an input file; its stat is taken from the open file, before reading. Non-blocking,
    so that a FIFO named like a text file cannot hang the run."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    fh = os.fdopen(fd, "rb")
    st = os.fstat(fh.fileno())
    if not stat.S_ISREG(st.st_mode):
        fh.close()
        raise _Refused("not a regular file")
    return fh, st


@contextlib.contextmanager
def _writing(target: Path | None) -> Iterator[None]:
    """Turn an OSError while writing ``target`` into a reason that says so."""
    try:
        yield
    except OSError as exc:
        raise _Refused(f"cannot write {target}: {exc.strerror or exc}") from None


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "vanished before it could be read"
    return f"cannot read: {exc.strerror or exc}"


def _clean_file(job: _Job, found: Found, index: int) -> FileRecord:
    """Clean one file: read, decode, run the pipeline, write the output atomically.

    A file up to ``job.split_bytes`` is read whole (its encoding detected from all of it); a
    larger one is streamed block by block, in bounded memory.
    """
    t0 = time.perf_counter()
    rec = FileRecord(found.rel, "failed", index=index)
    target = _out_path(job, found)
    out_file: AtomicFile | None = None
    parts: list[str] = []
    try:
        fh, st = _open(found.path)
        with fh:
            rec.src_stat = _stat_key(st)
            if job.in_place and read_only(st.st_mode):
                raise _Refused("read-only: --in-place rewrites only writable files")
            if target is not None:
                with _writing(target):
                    _check_out_parent(job, target)
            pipe = Pipeline(job.pipeline.steps)
            if st.st_size <= job.split_bytes:
                data = fh.read()
                rec.bytes_in = len(data)
                text, rec.encoding = decode_bytes(data, job.encoding)
                del data
                chunks: Iterable[str] = ["".join(pipe.stream((text,), target=job.block_chars))]
            else:
                rec.bytes_in = st.st_size
                rec.encoding, lines = iter_decoded_lines(fh, job.encoding, chunks=True)
                chunks = pipe.stream(lines, target=job.block_chars)
            if target is not None:
                with _writing(target):
                    out_file = AtomicFile(target, job.durable)
            for chunk in chunks:  # reads and decodes as it goes, for a streamed file
                data = chunk.encode("utf-8")
                rec.bytes_out += len(data)
                if out_file is not None:
                    with _writing(target):
                        out_file.fh.write(data)
                if job.collect_text:
                    parts.append(chunk)
        _add_steps(rec.steps, pipe.stats)
        if out_file is not None and target is not None:
            with _writing(target):
                out_file.commit()
                rec.out_stat = _stat_key(os.stat(target))
    except (_Refused, DecodeError) as exc:
        rec.reason = str(exc)
    except OSError as exc:
        rec.reason = _os_reason(exc)
    finally:
        if out_file is not None:
            out_file.discard()  # nothing after a commit; the temporary file otherwise
    if rec.reason is not None:
        return rec
    if job.collect_text:
        rec.text = "".join(parts)
    rec.status = "ok"
    rec.seconds = time.perf_counter() - t0
    return rec


def _clean_block(job: _Job, block: str) -> tuple[str, dict[str, dict[str, int]]]:
    """Clean one block of a large file."""
    pipe = Pipeline(job.pipeline.steps)
    out = pipe.run(block)
    steps: dict[str, dict[str, int]] = {}
    _add_steps(steps, pipe.stats)
    return out, steps


def _safely(job: _Job, kind: str, payload: Any, index: int) -> Any:
    # A bug in a stage must not stop the run: it fails this file with a one-line reason.
    try:
        if kind == "file":
            return _clean_file(job, payload, index)
        return _clean_block(job, payload)
    except Exception as exc:  # reported per file, never a traceback
        return _Crash(f"internal error: {type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class _Crash:
    reason: str


_READY = "ready"


class WorkerStartError(RuntimeError):
    """Worker processes exit as they start (with the spawn start method, the main module must
    be importable: run from a file guarded by ``if __name__ == "__main__":``, not from stdin)."""


# A worker's place in its work, in shared memory: the number of the task it is on (counted from
# 1, in the order it received them) times _SLOT, plus the place in that task's batch of the file
# it is on. The main process reads it when the worker dies, to know which file to blame.
_SLOT = 1 << 16  # more than BATCH_FILES


def _worker_main(
    conn: Connection,
    job: _Job,
    inherited: Sequence[Connection] = (),
    place: Any = None,
    stop: Any = None,
) -> None:
    """A worker process: clean what it is sent until told to stop. Module-level and fed only
    picklable settings, so it works with the spawn start method (macOS, Windows).

    ``inherited``: under fork, the main process's ends of the other workers' pipes, which this
    process got a copy of and closes (else a worker could outlive a killed main process).
    ``place``: a shared integer (``RawValue("q")``) where the worker notes which file it is on.
    ``stop``: a shared flag (``RawValue("b")``) the main process sets to stop the worker after
    the file it is on; it then answers for the files of its batch it has done.
    """
    worker_setup(inherited)
    conn.send(_READY)  # it started: from now on, if it dies, the file it was on is to blame
    serial = 0
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        serial += 1
        kind, key, payload, index = msg
        if kind == "files":
            # One answer for the whole batch: a message per file cost the main process (which
            # shares the cores with the workers) a wake-up and a read each. Which file a worker
            # died on is in `place`, written without a system call.
            answers = []
            for pos, (i, found) in enumerate(payload):
                if stop is not None and stop.value:
                    break
                if place is not None:
                    place.value = serial * _SLOT + pos
                answers.append(_safely(job, "file", found, i))
            conn.send((key, answers))
            if stop is not None and stop.value:
                return
        else:
            conn.send((key, _safely(job, kind, payload, index)))


# --- the manifest that makes re-runs resume ---------------------------------------------------


# a file's line of the manifest: options fingerprint, input's and output's (size, mtime_ns)
_Entry = tuple[str, tuple[int, int] | None, tuple[int, int] | None]


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_line(obj: Any) -> str:
    """``obj`` as one line of JSON, Chinese as it is, but a file name's bytes that are not UTF-8
    (Python's surrogate escapes, e.g. a GBK name from a Windows zip) as ``\\udcXX`` escapes: the
    line stays valid UTF-8, and ``os.fsencode(json.loads(line)["path"])`` gives the name's bytes.

    >>> json_line({"path": os.fsdecode(b"\\xb1\\xa8.txt"), "text": "中文"})
    '{"path": "\\\\udcb1\\\\udca8.txt", "text": "中文"}\\n'
    """
    line = json.dumps(obj, ensure_ascii=False)
    # (a lone surrogate can only be inside a JSON string, where an escape stands for it)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", line) + "\n"


def _manifest_line(path: str, e: _Entry) -> str:
    fp, src, out = e
    return json_line({"path": path, "fp": fp, "src": src, "out": out})


class Manifest:
    """What an earlier run wrote, one JSON line per file, appended as files finish.

    A file is up to date when the options fingerprint matches, the input has the size and
    modification time it had when it was cleaned, and the output is the one that run wrote
    (same size and time, not older than the input).
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / MANIFEST
        # path: (options fingerprint, input's and output's (size, mtime_ns)); tuples, not the
        # dicts JSON reads (a quarter of the memory, for a folder of a million files)
        self.entries: dict[str, _Entry] = {}
        self._fh: Any = None
        lines, line = 0, "\n"
        with contextlib.suppress(OSError), open(self.path, encoding="utf-8") as fh:
            for line in fh:
                lines += 1
                # a torn last line (a killed run) is ignored
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    e = json.loads(line)
                    src, out = e["src"], e["out"]
                    self.entries[e["path"]] = (
                        sys.intern(e["fp"]),
                        (int(src[0]), int(src[1])) if src is not None else None,
                        (int(out[0]), int(out[1])) if out is not None else None,
                    )
        # lines that close() leaves out when it rewrites the file: superseded or torn ones (a
        # last line without its newline would run into the first line appended)
        self._stale = lines - len(self.entries) + (not line.endswith("\n"))

    def up_to_date(self, found: Found, out: Path, fingerprint: str, in_place: bool) -> bool:
        e = self.entries.get(found.rel)
        if e is None or e[0] != fingerprint:
            return False
        try:
            src = os.stat(found.path)
            dst = src if in_place else os.stat(out)
        except OSError:
            return False
        if in_place:
            return _stat_key(src) == e[2]
        return (
            _stat_key(src) == e[1] and _stat_key(dst) == e[2] and dst.st_mtime_ns >= src.st_mtime_ns
        )

    def add(self, rec: FileRecord, fingerprint: str) -> None:
        if rec.path in self.entries:
            self._stale += 1
        e = self.entries[rec.path] = (fingerprint, rec.src_stat, rec.out_stat)
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self._fh.write(_manifest_line(rec.path, e))

    def flush(self) -> None:
        if self._fh is not None:
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._stale:
            # rewrite without superseded lines, atomically
            self._stale = 0
            with contextlib.suppress(OSError):
                f = AtomicFile(self.path, durable=False)
                for path, e in self.entries.items():
                    f.fh.write(_manifest_line(path, e).encode("utf-8"))
                f.commit()


# --- a run ------------------------------------------------------------------------------------


@dataclass
class _Large:
    """A large file being cleaned block by block by the workers, written in order here."""

    index: int
    found: Found
    rec: FileRecord
    blocks: Iterator[str]
    stream: Any
    out: AtomicFile | None
    t0: float
    sent: int = 0
    written: int = 0
    reading: bool = True
    results: dict[int, tuple[str, dict[str, dict[str, int]]]] = field(default_factory=dict)
    resend: deque[tuple[int, str]] = field(default_factory=deque)  # blocks whose worker died
    parts: list[str] = field(default_factory=list)
    failed: str | None = None


# kind, key, payload, file index: ("files", (), [(index, found), ...], first index), answered
# with a list of records in the order of the batch, or ("block", (file index, block number),
# text, file index), answered with the block's text and counters
_Task = tuple[str, Any, Any, int]
# The largest message queued behind the task a worker is busy with: it must fit in the pipe
# without waiting for the worker to read it (Windows pipes hold 8 KiB).
QUEUED_BYTES = 4096
# How long the main process lets answers gather while every worker has work in hand (seconds):
# at least PAUSE, at most MAX_PAUSE, and at most a quarter of the time the worker with the least
# work in hand is expected to take over it (so that it is not left without). Each wake-up costs the
# main process ~0.1 ms of CPU, taken from the workers. (On Windows a worker's answers fill the
# 8 KiB pipe in a moment and it waits: no long pauses there.)
PAUSE = 0.004
MAX_PAUSE = 0.004 if sys.platform == "win32" else 0.05
# How long a run broken off (Ctrl-C) waits for the workers to finish the file each is on and
# answer for their batch (seconds); then they are killed, and their unanswered files redone by a
# re-run.
STOP_WAIT = 0.5


def _packed(task: _Task) -> tuple[_Task, bytes]:
    """A task and the message that sends it (what Connection.send would write)."""
    return task, bytes(ForkingPickler.dumps(task))


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    # sent and not answered yet, in order: the first is being worked on, the rest wait in the pipe
    tasks: deque[_Task] = field(default_factory=deque)
    ready: bool = False
    place: Any = None  # see _SLOT
    stop: Any = None  # see _worker_main
    sent: int = 0  # tasks sent to it so far

    def place_in_first_task(self) -> int | None:
        """Which file of the batch it answers next it was on when it stopped; None if it had
        not started that batch."""
        if self.place is None:
            return None
        serial = self.sent - len(self.tasks) + 1  # the number the worker gave that task
        task, pos = divmod(int(self.place.value), _SLOT)
        return pos if task == serial else None


class Batch:
    """Clean the files under ``src`` that match ``glob`` (minus ``exclude``).

    Results go to the same relative paths under ``dest``, or back into the inputs with
    ``in_place=True``, or only into the records (``collect_text=True`` and no ``dest``).
    Iterating runs the batch and yields one :class:`FileRecord` per file as files finish.
    ``jobs > 1`` cleans files in that many worker processes; small files are handed out a
    few at a time (up to ``batch_bytes`` a message), files larger than ``split_bytes`` are cut
    at paragraph boundaries (blocks of about ``block_chars``) and their blocks spread over the
    workers. ``start_method``: ``auto`` (the default, or ``$ZHCLEAN_START_METHOD``) forks the
    workers on Linux after loading jieba/OpenCC once in this process, so that they inherit them,
    and spawns them elsewhere (macOS, Windows); ``fork``, ``spawn`` or ``forkserver`` ask for
    one. A worker is never forked while this process runs another thread (forking a threaded
    process can deadlock the child): it is spawned instead. Call :meth:`start` before starting
    threads of your own (a progress display) to get forked workers.
    ``durable`` fsyncs each output before renaming it (safe against a power cut, about twice
    as slow on small files; a crash or Ctrl-C never leaves a partial file either way, and a
    re-run redoes any output whose size or time is not what the run recorded). ``force``
    redoes files that are up to date. Breaking off the iteration (or Ctrl-C) stops the workers
    and leaves no partial file. ``jobs=0`` means every core, as in :meth:`Pipeline.stream`.
    """

    def __init__(
        self,
        src: str | os.PathLike[str],
        dest: str | os.PathLike[str] | None = None,
        *,
        pipeline: Pipeline | None = None,
        encoding: str | None = None,
        glob: str = "**/*.txt",
        exclude: Sequence[str] = (),
        in_place: bool = False,
        collect_text: bool = False,
        force: bool = False,
        jobs: int = 1,
        start_method: str | None = None,
        split_bytes: int = SPLIT_BYTES,
        block_chars: int = BLOCK_CHARS,
        batch_bytes: int = BATCH_BYTES,
        durable: bool = False,
        prune: Iterable[str | os.PathLike[str]] = (),
    ) -> None:
        self.src = Path(src)
        # (else the walk finds no file, and a run over a mistyped folder "succeeds")
        if not self.src.exists():
            raise FileNotFoundError(f"{self.src}: no such folder; Batch cleans a folder's files")
        if not self.src.is_dir():
            raise NotADirectoryError(f"{self.src} is not a folder; Batch cleans a folder's files")
        if pipeline is not None and not isinstance(pipeline, Pipeline):
            raise TypeError(f"pipeline must be a Pipeline, not {type(pipeline).__name__}")
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
            raise ValueError(f"jobs must be 0 (every core) or a number of processes, not {jobs!r}")
        if in_place:
            dest = self.src
        self.dest = Path(dest) if dest is not None else None
        self.pipeline = pipeline if pipeline is not None else Pipeline.default()
        self.glob = glob
        self.exclude = tuple(exclude)
        self.force = force
        self.jobs = jobs or default_jobs()  # 0: every core, as Pipeline.stream takes it
        resolve_start_method(start_method)  # an unknown name (or $ZHCLEAN_START_METHOD) raises
        self.start_method = start_method or os.environ.get(START_METHOD_ENV) or "auto"
        self.split_bytes = split_bytes
        self.batch_bytes = max(1, batch_bytes)
        self.prune = [*prune, *([self.dest] if self.dest is not None and not in_place else [])]
        self.job = _Job(
            pipeline=Pipeline(self.pipeline.steps),
            encoding=encoding,
            dest_root=os.path.realpath(self.dest) if self.dest is not None else None,
            in_place=in_place,
            collect_text=collect_text,
            durable=durable,
            block_chars=block_chars,
            split_bytes=split_bytes,
        )
        self._files: list[Found] | None = None
        self._manifest: Manifest | None = None
        self._workers: list[_Worker] = []
        self._large: list[_Large] = []
        self._started = False
        self._early: list[FileRecord] = []  # failed, skipped, up to date: known before any work
        self._todo: deque[int] = deque()  # indexes of the files to clean, in walk order
        self._todo_bytes = 0  # their size, large files left out
        self._preloaded = False
        self._work_seconds = 0.0  # what the files answered so far took the workers
        self._work_bytes = 0
        #: Files the workers finished while a run broken off was being stopped (by close()),
        #: after the last record the iteration yielded: a caller that reports per file adds them.
        self.late: list[FileRecord] = []
        self._ready: deque[FileRecord] = deque()  # answered, not yielded yet
        self._gate = InterruptGate()

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of everything that decides the output: version, steps, encoding."""
        basis = repr((__version__, list(self.job.pipeline.steps), self.job.encoding))
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]

    def files(self) -> list[Found]:
        """The files this run covers (walked once, in sorted order)."""
        if self._files is None:
            found = walk_files(
                self.src,
                self.glob,
                self.exclude,
                prune=self.prune,
                follow_file_links=not self.job.in_place,
            )
            self._files = [f for f in found if f.rel != MANIFEST]
        return self._files

    # -- running --

    def start(self) -> None:
        """Walk the folder, find what is up to date and, when the run takes worker processes,
        start them (iterating calls it; calling it again does nothing).

        Call it before starting a thread of your own (say a progress display) so that the
        workers can be forked (see ``start_method``); :meth:`close` (or the end of the
        iteration) stops them.
        """
        if self._started:
            return
        self._started = True
        files = self.files()
        if self.dest is not None:
            self._manifest = Manifest(self.dest)
        for i, found in enumerate(files):
            rec = self._precheck(i, found)
            if rec is not None:
                self._early.append(rec)
            else:
                self._todo.append(i)
                if found.size <= self.split_bytes:
                    self._todo_bytes += found.size
        if self._pooled_run():
            for _ in range(min(self.jobs, len(self._todo))):
                self._start_worker()

    def _pooled_run(self) -> bool:
        todo, files = self._todo, self.files()
        one_small = len(todo) == 1 and files[todo[0]].size <= self.split_bytes
        return not (self.jobs == 1 or not todo or one_small)  # no processes for one small file

    def __iter__(self) -> Iterator[FileRecord]:
        try:
            self.start()
            files = self.files()
            yield from self._early
            self._early = []
            with self._gate.installed():
                if self._pooled_run():
                    yield from self._pooled(self._todo)
                else:
                    yield from self._in_process(files)
        finally:
            self.close()

    def _in_process(self, files: list[Found]) -> Iterator[FileRecord]:
        """The files cleaned one after the other in this process (``jobs=1``, one file)."""
        while self._todo:
            i = self._todo.popleft()
            done = _safely(self.job, "file", files[i], i)  # (Ctrl-C stops it at once)
            # written: recorded and handed over before a Ctrl-C takes effect
            with self._gate.shut():
                yield self._finish(done, files[i], i)

    def close(self) -> None:
        """Stop the workers, remove what they left half-written, save the manifest."""
        self.late.extend(self._ready)  # answered (and recorded) but never yielded
        self._ready.clear()
        self._stop_workers()
        for w in self._workers:
            with contextlib.suppress(Exception):
                w.proc.kill()
        for w in self._workers:
            with contextlib.suppress(Exception):
                w.proc.join(5)
            self._drain(w)
            self._clean_after(w)
            with contextlib.suppress(Exception):
                w.conn.close()
        self._workers = []
        for lg in self._large:
            self._drop_large(lg)
        self._large = []
        if self._manifest is not None:
            self._manifest.close()

    def _stop_workers(self) -> None:
        """Ask the workers to stop after the file each is on (a run broken off), and give them
        up to STOP_WAIT seconds to answer for the files of their batches they have done (their
        answers are recorded as they come), so that a re-run need not redo them; :meth:`close`
        then kills them."""
        for w in self._workers:
            if w.stop is not None:
                w.stop.value = 1
        busy = [w for w in self._workers if w.tasks and w.tasks[0][0] == "files"]
        deadline = time.monotonic() + STOP_WAIT
        # (a second Ctrl-C only cuts the wait short: the clean-up after it must still run)
        with contextlib.suppress(Exception, KeyboardInterrupt):
            while busy and (left := deadline - time.monotonic()) > 0:
                wait([w.conn for w in busy], timeout=left)
                for w in list(busy):
                    # every answer it has sent; it is done when it holds no batch any more (it
                    # exits after answering) or is gone without answering
                    gone = self._drain(w)
                    if gone or not (w.tasks and w.tasks[0][0] == "files"):
                        busy.remove(w)

    def _drain(self, w: _Worker) -> bool:
        """Record in the manifest the files a stopped worker finished but whose answers were
        not read yet (a run broken off): a re-run need not redo them, and they join
        :attr:`late`. True when its pipe is closed: it is gone."""
        unread: deque[FileRecord] = deque()
        try:
            while w.tasks and w.tasks[0][0] == "files" and w.conn.poll():
                msg = w.conn.recv()
                if msg != _READY:
                    self._answer(w, msg[1], unread)
        except Exception:
            return True
        finally:
            self.late.extend(unread)
        return False

    def _precheck(self, i: int, found: Found) -> FileRecord | None:
        if found.problem is not None:
            status = "skipped" if found.skip else "failed"
            return FileRecord(found.rel, status, found.problem, index=i)
        if self.force or self._manifest is None or found.rel not in self._manifest.entries:
            return None  # (checked first: the path and the stat calls are for re-runs only)
        out = _out_path(self.job, found)
        if out is not None and self._manifest.up_to_date(
            found, out, self.fingerprint, self.job.in_place
        ):
            return FileRecord(found.rel, "skipped", "up to date", index=i)
        return None

    def _finish(self, res: Any, found: Found, i: int) -> FileRecord:
        # called for every file: keep it cheap (no path building, no stat) on the way of an ok
        if isinstance(res, _Crash):
            out = _out_path(self.job, found)
            if out is not None:
                remove_temp_files(out)
            return FileRecord(found.rel, "failed", res.reason, index=i)
        rec: FileRecord = res
        if rec.status == "ok" and self._manifest is not None and rec.out_stat is not None:
            self._manifest.add(rec, self.fingerprint)
        return rec

    # -- the worker pool --

    def start_method_now(self) -> str:
        """The start method the next worker gets: ``auto`` resolved for this platform, and
        spawn instead of fork while this process runs other threads."""
        return resolve_start_method(self.start_method)

    def _preload(self) -> None:
        """Load once, here, what the workers would each load: forked, they inherit it."""
        if self._preloaded:
            return
        self._preloaded = True
        # A pipeline that cannot even clean this fails each file in the workers, with a reason.
        with contextlib.suppress(Exception):
            Pipeline(self.job.pipeline.steps).run(_WARM_UP)

    def _start_worker(self) -> _Worker:
        method = self.start_method_now()
        ctx = multiprocessing.get_context(method)
        forked = method == "fork"
        if forked:
            self._preload()
            if self._manifest is not None:
                self._manifest.flush()  # a forked child gets no copy of unwritten lines
        parent, child = ctx.Pipe()
        # A forked worker gets a copy of every descriptor: it closes the main process's ends of
        # the pipes (its own and the other workers'), so that each pipe has one reader per end.
        inherited = (parent, *(w.conn for w in self._workers)) if forked else ()
        place, stop = ctx.RawValue("q", 0), ctx.RawValue("b", 0)
        # (typeshed's BaseContext has no Process; every context get_context returns has one)
        proc = ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main, args=(child, self.job, inherited, place, stop), daemon=True
        )
        # Start it with Ctrl-C ignored (inherited): a Ctrl-C while it starts must not print a
        # traceback from the child; the parent handles Ctrl-C for everyone.
        with sigint_ignored():
            if forked:
                # what the main process loaded (the dictionaries) is left out of the child's
                # garbage collections, which would otherwise touch and so copy its pages
                gc.freeze()
            try:
                proc.start()
            finally:
                if forked:
                    gc.unfreeze()
        child.close()
        w = _Worker(proc, parent, place=place, stop=stop)
        self._workers.append(w)
        return w

    def _clean_after(self, w: _Worker) -> None:
        """A worker was killed: remove the temporary files its tasks may have left. That may be
        in the second task it held, if it had finished the first but its answer was not read."""
        for kind, _, payload, _ in w.tasks:
            if kind != "files":
                continue
            for _, found in payload:
                out = _out_path(self.job, found)
                if out is not None:
                    remove_temp_files(out)

    def _open_large(self, i: int, found: Found) -> _Large | FileRecord:
        rec = FileRecord(found.rel, "failed", index=i)
        stream = None
        try:
            stream = open(found.path, "rb")  # noqa: SIM115 - closed in _drop_large/_end_large
            st = os.fstat(stream.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise _Refused("not a regular file")
            rec.src_stat, rec.bytes_in = _stat_key(st), st.st_size
            rec.encoding, lines = iter_decoded_lines(stream, self.job.encoding, chunks=True)
            out = _out_path(self.job, found)
            af = None
            if out is not None:
                _check_out_parent(self.job, out)
                af = AtomicFile(out, self.job.durable)
        except (OSError, DecodeError, _Refused) as exc:
            if stream is not None:
                stream.close()
            rec.reason = _os_reason(exc) if isinstance(exc, OSError) else str(exc)
            return rec
        blocks = iter_blocks(lines, target=self.job.block_chars)
        lg = _Large(i, found, rec, blocks, stream, af, time.perf_counter())
        self._large.append(lg)
        return lg

    def _drop_large(self, lg: _Large) -> None:
        with contextlib.suppress(Exception):
            lg.stream.close()
        if lg.out is not None:
            lg.out.discard()
        lg.reading = False

    def _next_block(self, lg: _Large) -> str | None:
        try:
            return next(lg.blocks)
        except StopIteration:
            lg.reading = False
        except DecodeError as exc:
            lg.failed = str(exc)
        except OSError as exc:
            lg.failed = _os_reason(exc)
        if lg.failed:
            self._drop_large(lg)
        return None

    def _large_done(self, lg: _Large) -> FileRecord | None:
        """Write the blocks that are ready, in order; the record once the file is complete."""
        while lg.written in lg.results and lg.failed is None:
            out, steps = lg.results.pop(lg.written)
            lg.written += 1
            _merge_steps(lg.rec.steps, steps)
            data = out.encode("utf-8")
            lg.rec.bytes_out += len(data)
            if self.job.collect_text:
                lg.parts.append(out)
            if lg.out is not None:
                try:
                    lg.out.fh.write(data)
                except OSError as exc:
                    lg.failed = f"cannot write {lg.out.target}: {exc.strerror or exc}"
                    self._drop_large(lg)
        if lg.failed is None and (lg.reading or lg.written < lg.sent):
            return None
        # (blocks of a failed file still at workers are ignored when they come back)
        self._large.remove(lg)
        rec = lg.rec
        if lg.failed is not None:
            rec.reason = lg.failed
            return rec
        with contextlib.suppress(Exception):
            lg.stream.close()
        if lg.out is not None:
            try:
                lg.out.commit()
                rec.out_stat = _stat_key(os.stat(lg.out.target))
            except OSError as exc:
                rec.reason = f"cannot write {lg.out.target}: {exc.strerror or exc}"
                return rec
        rec.text = "".join(lg.parts) if self.job.collect_text else None
        rec.status = "ok"
        rec.seconds = time.perf_counter() - lg.t0
        return rec

    def _pooled(self, todo: deque[int]) -> Iterator[FileRecord]:
        files = self.files()
        ready = self._ready
        retries: dict[Any, int] = {}
        window = 2 * self.jobs  # blocks of one large file sent ahead of the one written next

        def next_task(queued: bool) -> tuple[_Task, bytes] | None:
            # queued: a second task behind a busy worker's current one; only small files, in a
            # message small enough to fit in the pipe at once (QUEUED_BYTES), never a block, so
            # that a send never waits for a busy worker (who may be waiting to send its answer)
            while True:
                for lg in [] if queued else list(self._large):
                    if lg.failed is None and lg.resend:
                        seq, again = lg.resend.popleft()
                        return _packed(("block", (lg.index, seq), again, lg.index))
                    if lg.reading and lg.failed is None and lg.sent - lg.written < window:
                        block = self._next_block(lg)
                        if block is not None:
                            lg.sent += 1
                            return _packed(("block", (lg.index, lg.sent - 1), block, lg.index))
                        done = self._large_done(lg)
                        if done is not None:
                            ready.append(self._finish(done, lg.found, lg.index))
                if not todo or (queued and files[todo[0]].size > self.split_bytes):
                    return None
                i = todo[0]
                found = files[i]
                if found.size > self.split_bytes:
                    todo.popleft()
                    opened = self._open_large(i, found)
                    if isinstance(opened, FileRecord):
                        ready.append(opened)
                    continue
                return self._take_batch(queued)

        def give(w: _Worker) -> bool:
            if len(w.tasks) >= 2 or (w.tasks and w.tasks[-1][0] != "files"):
                return False
            packed = next_task(queued=bool(w.tasks))
            if packed is None:
                return False
            task, data = packed
            w.tasks.append(task)
            try:
                w.conn.send_bytes(data)
            except (OSError, ValueError):
                # it died since its last answer; what it held goes back, it is forgotten
                w.tasks.pop()
                self._requeue(task, todo)
                dead(w)
                return False
            w.sent += 1
            return True

        start_failures = 0

        def dead(w: _Worker) -> None:
            # the worker died (killed, out of memory, a crash in native code): the task it was
            # on is retried once; the ones queued behind it were never started
            nonlocal start_failures
            self._workers.remove(w)
            # What it sent before it died is read first: its answers are kept, and its start
            # message, when still unread (a task given to it failed to send), says that it had
            # started: the file it died on is then to blame, not its start
            while True:
                try:
                    if not w.conn.poll():
                        break
                    msg = w.conn.recv()
                except (EOFError, OSError):
                    break
                if msg == _READY:
                    w.ready = True
                else:
                    self._answer(w, msg[1], ready)
            with contextlib.suppress(Exception):
                w.proc.join(5)  # for its exit code
            self._clean_after(w)
            with contextlib.suppress(Exception):
                w.conn.close()
            if not w.ready:
                # it died starting, before taking any task: not the files' fault
                start_failures += 1
                for task in reversed(w.tasks):
                    self._requeue(task, todo)
                w.tasks.clear()
                if start_failures >= 3:
                    raise WorkerStartError(
                        f"worker processes exit as they start (exit code {w.proc.exitcode}); "
                        "with jobs > 1 the main module must be importable (see WorkerStartError)"
                    )
                return
            start_failures = 0
            pos = w.place_in_first_task() if w.tasks else None
            queued = list(w.tasks)[1:]
            for task in reversed(queued):
                self._requeue(task, todo)
            if w.tasks:
                first = w.tasks.popleft()
                why = (
                    f"a worker process died (exit code {w.proc.exitcode}) while cleaning it, twice"
                )
                if first[0] == "files" and pos is None:
                    self._requeue(first, todo)  # it had not started the batch: no one to blame
                elif first[0] == "files" and pos is not None:  # (None went above)
                    # it died on the file at `pos`; those before it were cleaned but their
                    # answer died with the worker (they are cleaned again, their outputs
                    # replaced by the same), those after it were not started
                    i, found = first[2][pos]
                    rest = first[2][:pos] + first[2][pos + 1 :]
                    if rest:
                        self._requeue(("files", (), rest, rest[0][0]), todo)
                    retries[i] = tries = retries.get(i, 0) + 1
                    if tries < 2:
                        self._requeue(("files", (), [(i, found)], i), todo)
                    else:
                        ready.append(FileRecord(found.rel, "failed", why, index=i))
                else:
                    retries[first[1]] = tries = retries.get(first[1], 0) + 1
                    if tries < 2:
                        self._requeue(first, todo)
                    else:
                        rec = self._died(first, why)
                        if rec is not None:
                            ready.append(rec)
            w.tasks.clear()

        while True:
            # hand out work: fill each worker's two places, then start workers up to `jobs`
            for depth in (1, 2):
                for w in list(self._workers):
                    if len(w.tasks) < depth:
                        give(w)
            while len(self._workers) < self.jobs and (
                todo or any(lg.reading or lg.resend for lg in self._large)
            ):
                w = self._start_worker()
                if not give(w):
                    break
            while ready:
                # Ctrl-C waits while the caller has the record (it is no longer in `ready`, so
                # close() would not count it late): it is raised when the caller asks for more
                with self._gate.shut():
                    yield ready.popleft()
            busy = [w for w in self._workers if w.tasks or not w.ready]
            if not busy:
                if todo or any(lg.resend for lg in self._large):
                    continue  # a worker died before taking its task: start another
                for lg in list(self._large):  # cannot happen; never hang if it does
                    self._drop_large(lg)
                    self._large.remove(lg)
                    lg.rec.reason = "internal error: the run stalled"
                    yield lg.rec
                return
            conns = {w.conn: w for w in busy}
            sentinels: dict[int, _Worker] = {w.proc.sentinel: w for w in busy}
            woken = wait_ready(conns, sentinels)
            if PAUSE and all(len(w.tasks) >= 2 for w in busy):
                # Every worker holds its next batch: nothing is urgent. Let answers gather for
                # a moment and take them in one wake-up: the main process's CPU time is taken
                # from the workers, who share the cores with it.
                time.sleep(self._pause(busy))
                woken = wait_ready(conns, sentinels, timeout=0)
            for obj in woken:
                found = sentinels.get(obj) if isinstance(obj, int) else conns.get(obj)
                if found is None:
                    continue
                w = found
                while w in self._workers:  # every answer it has sent
                    # an answer read is recorded before a Ctrl-C takes effect: a record the
                    # worker sent and this process dropped would make a re-run redo that file
                    # and leave it out of the report
                    with self._gate.shut():
                        try:
                            if obj is w.proc.sentinel and not w.conn.poll():
                                raise EOFError
                            msg = w.conn.recv()
                        except (EOFError, OSError):
                            dead(w)
                            break
                        if msg == _READY:
                            w.ready = True
                        else:
                            self._answer(w, msg[1], ready)
                    if not w.conn.poll():
                        break

    def _pause(self, busy: list[_Worker]) -> float:
        """How long the main process may sleep: see PAUSE."""
        if self._work_bytes <= 0:
            return PAUSE
        per_byte = self._work_seconds / self._work_bytes
        least: int = min(sum(f.size for task in w.tasks for _, f in task[2]) for w in busy)
        return min(MAX_PAUSE, max(PAUSE, least * per_byte / 4))

    def _answer(self, w: _Worker, res: Any, ready: deque[FileRecord]) -> None:
        """What a worker answered for the first task it holds."""
        task = w.tasks.popleft()
        if task[0] == "files":
            # in the order of the batch; a worker asked to stop answers for the first files only
            for (i, found), one in zip(task[2], res, strict=False):
                if isinstance(one, FileRecord) and one.status == "ok":
                    self._work_seconds += one.seconds
                    self._work_bytes += one.bytes_in
                ready.append(self._finish(one, found, i))
        else:
            self._block_result(task, res, ready)

    def _take_batch(self, queued: bool) -> tuple[_Task, bytes]:
        """The next small files in walk order, as one task, and the message that sends it.

        Up to ``batch_bytes`` of input (and BATCH_FILES files), less towards the end of the run
        so that the workers finish together.
        """
        todo, files = self._todo, self.files()
        limit = min(self.batch_bytes, self._todo_bytes // (4 * self.jobs))
        batch: list[tuple[int, Found]] = []
        size = 0
        while todo and len(batch) < BATCH_FILES:
            i = todo[0]
            found = files[i]
            if found.size > self.split_bytes:
                break
            if batch and size + found.size > limit:
                break
            todo.popleft()
            batch.append((i, found))
            size += found.size
        while True:
            task: _Task = ("files", (), batch, batch[0][0])
            task, data = _packed(task)
            if not queued or len(data) <= QUEUED_BYTES or len(batch) == 1:
                break
            for i, found in reversed(batch[len(batch) // 2 :]):  # too big: send half of it
                todo.appendleft(i)
                size -= found.size
            batch = batch[: len(batch) // 2]
        self._todo_bytes -= size
        return task, data

    def _requeue(self, task: _Task, todo: deque[int]) -> None:
        if task[0] == "files":
            for i, found in reversed(task[2]):
                todo.appendleft(i)
                self._todo_bytes += found.size
            return
        lg = next((x for x in self._large if x.index == task[1][0]), None)
        if lg is not None:
            lg.resend.append((task[1][1], task[2]))

    def _died(self, task: _Task, why: str) -> FileRecord | None:
        """A block killed a worker twice: its file fails."""
        lg = next((x for x in self._large if x.index == task[1][0]), None)
        if lg is None:
            return None  # that file failed already and was reported
        lg.failed = why
        self._drop_large(lg)
        self._large.remove(lg)
        lg.rec.reason = why
        return lg.rec

    def _block_result(self, task: _Task, res: Any, ready: deque[FileRecord]) -> None:
        lg = next((x for x in self._large if x.index == task[1][0]), None)
        if lg is None:
            return
        if isinstance(res, _Crash):
            if lg.failed is None:
                lg.failed = res.reason
                self._drop_large(lg)
        else:
            lg.results[task[1][1]] = res
        done = self._large_done(lg)
        if done is not None:
            ready.append(self._finish(done, lg.found, lg.index))


def in_order(records: Iterable[FileRecord]) -> Iterator[FileRecord]:
    """Re-order records that arrive in order of completion into the order of the walk."""
    pending: dict[int, FileRecord] = {}
    want = 0
    for rec in records:
        pending[rec.index] = rec
        while want in pending:
            yield pending.pop(want)
            want += 1
    for i in sorted(pending):
        yield pending[i]


__all__ = [
    "MANIFEST",
    "Batch",
    "FileRecord",
    "Manifest",
    "WorkerStartError",
    "default_jobs",
    "in_order",
    "json_line",
]
