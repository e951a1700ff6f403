"""Run a pipeline over a stream of blocks on several cores, the results in input order.

The cleaning stages are Python code, so one process uses one core. A large input is cut into
independent blocks anyway (:func:`zhclean.pipeline.iter_blocks` cuts only where cutting
changes nothing), so worker processes can clean blocks side by side while this process reads,
decodes, hands the blocks out, stitches and writes. Workers start only when the input has at
least three blocks (about 600 K characters): a page or a short file never pays for them, and
the first block is always cleaned here, so a pipe gets its first output at once and the
engines the pipeline needs (jieba's dictionary, an OpenCC converter) are loaded before the
workers start: on Linux they are forked and share it; elsewhere (spawn) each worker loads its
own. The helpers for starting workers are shared with :mod:`zhclean.batch`.

>>> from zhclean.pipeline import Pipeline
>>> p = Pipeline.of("dedupe", "spacing")
>>> blocks = [f"第 {i} 段。。\\n\\n" for i in range(4)]  # four blocks: two workers start
>>> "".join(out for _, out in run_blocks(p, blocks, jobs=2))
'第0段。\\n\\n第1段。\\n\\n第2段。\\n\\n第3段。\\n\\n'
>>> p.stats["dedupe"].chars_removed  # counted in the workers too
4
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Generator, Iterable, Iterator
from itertools import chain, islice
from typing import TYPE_CHECKING, cast

from ._signals import sigint_ignored

if TYPE_CHECKING:  # multiprocessing is imported only when workers start
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from .pipeline import Pipeline, StepStats

_DIED = object()  # what a dead worker answers

#: Blocks read before deciding to start workers: below this many, one process is faster.
MIN_BLOCKS = 3


def run_blocks(
    pipeline: Pipeline,
    blocks: Iterable[str],
    jobs: int = 1,
    start_method: str | None = None,
) -> Generator[tuple[str, str], None, None]:
    """Yield ``(block, pipeline.run(block))`` for every block, in order.

    With ``jobs > 1`` (0: every core this process may use) and at least :data:`MIN_BLOCKS`
    blocks, the blocks after the first are cleaned by ``jobs`` worker processes
    (``start_method``: see :func:`resolve_start_method`); the pipeline's ``stats`` count every
    block either way. At most ``2 * jobs`` blocks are held at a time, so memory stays bounded
    by the block size. A worker that dies or fails hands its block back: it is cleaned here, so
    an error surfaces as it would without workers and nothing is lost.
    """
    source = iter(blocks)
    jobs = jobs or default_jobs()
    if jobs <= 1:
        for block in source:
            yield block, pipeline.run(block)
        return
    first = next(source, None)
    if first is None:
        return
    yield first, pipeline.run(first)
    ahead = list(islice(source, MIN_BLOCKS - 1))
    if len(ahead) < MIN_BLOCKS - 1:
        for block in ahead:
            yield block, pipeline.run(block)
        return
    pool = _Pool(pipeline, jobs, resolve_start_method(start_method))
    try:
        yield from pool.map(chain(ahead, source))
    finally:
        pool.close()


#: How worker processes start: ``auto`` forks on Linux (workers inherit what the main process
#: loaded) and spawns elsewhere; or a multiprocessing start method.
START_METHODS = ("auto", "fork", "spawn", "forkserver")
#: Overrides the start method of runs that do not name one.
START_METHOD_ENV = "ZHCLEAN_START_METHOD"


def resolve_start_method(method: str | None = None) -> str:
    """The start method for the next worker: ``method`` (default ``$ZHCLEAN_START_METHOD``,
    else ``auto``), with ``auto`` resolved to fork on Linux and spawn elsewhere, and spawn
    instead of fork while this process runs other threads. An unknown name is a ValueError.

    Fork shares what this process loaded (dictionaries, converters) and starts in
    milliseconds, but is only safe with one thread, and macOS's system libraries object to it.
    """
    origin = ""
    if not method:
        method = os.environ.get(START_METHOD_ENV) or "auto"
        origin = f" (${START_METHOD_ENV})" if method != "auto" else ""
    if method not in START_METHODS:
        valid = ", ".join(START_METHODS)
        raise ValueError(f"unknown start method {method!r}{origin}; valid: {valid}")
    if method == "auto":
        method = "fork" if sys.platform.startswith("linux") else "spawn"
    if method == "fork" and threads() > 1:
        method = "spawn"
    return method


def threads() -> int:
    """The threads this process runs: the kernel's count where there is one (it sees threads
    started by native code too, as Python 3.12's warning about fork does), else Python's."""
    try:
        return max(len(os.listdir("/proc/self/task")), threading.active_count())
    except OSError:
        return threading.active_count()


def worker_setup(inherited: Iterable[Connection] = ()) -> None:
    """What every worker process does first (these and batch's).

    Ctrl-C reaches the whole process group: the main process decides, the workers stay quiet.
    A forked worker inherits the main process's signal handlers (the batch command turns
    SIGTERM into a Ctrl-C): told to stop, a worker just stops. ``inherited``: under fork, the
    main process's ends of the pipes, which the worker got a copy of and closes, or it would not
    see the main process go away.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for other in inherited:
        with contextlib.suppress(OSError):
            other.close()


def wait_ready(
    conns: Iterable[Connection], sentinels: Iterable[int], timeout: float | None = None
) -> list[Connection | int]:
    """:func:`multiprocessing.connection.wait` on worker pipes and process sentinels: those of
    them that are ready (typeshed's wait returns a wider type than the objects it was given)."""
    from multiprocessing.connection import wait

    return cast("list[Connection | int]", wait([*conns, *sentinels], timeout))


def _serve(conn: Connection, pipeline: Pipeline, inherited: tuple[Connection, ...] = ()) -> None:
    """A worker: clean each block it is sent and send back the result and its stats."""
    worker_setup(inherited)
    while True:
        try:
            block = conn.recv()
        except (EOFError, OSError):
            return
        if block is None:
            return
        pipeline.stats = {}
        try:
            out = pipeline.run(block)
        except Exception:  # the main process re-runs the block and reports the error itself
            conn.send(None)
        else:
            conn.send((out, pipeline.stats))


def add_stats(into: dict[str, StepStats], more: dict[str, StepStats]) -> None:
    """Add the counts of ``more`` to ``into``, step by step."""
    from .pipeline import StepStats

    for name, s in more.items():
        d = into.setdefault(name, StepStats())
        d.chars_in += s.chars_in
        d.chars_out += s.chars_out
        d.lines_in += s.lines_in
        d.lines_out += s.lines_out


class _Pool:
    """``jobs`` worker processes fed one block at a time (a worker asks for more by answering,
    so no pipe ever fills up in both directions); this process reads, hands out, puts the
    results back in order and writes, and otherwise sleeps. (Measured on two cores, 32 MB of
    the seed page: two workers 9.4 MB/s; one worker with this process cleaning blocks too,
    8.3 MB/s, because a block it takes while the worker is about to finish leaves the worker
    idle for a whole block.)"""

    def __init__(self, pipeline: Pipeline, jobs: int, start_method: str) -> None:
        import gc
        import multiprocessing

        self.pipeline = pipeline
        self.jobs = jobs
        ctx = multiprocessing.get_context(start_method)
        self.workers: dict[Connection, BaseProcess] = {}
        # Forked workers share this process's memory until they write to it; the collector
        # would write to every object it scans (jieba's dictionary too), so keep it off them.
        gc.freeze()
        forked = start_method == "fork"
        for _ in range(jobs):
            parent, child = ctx.Pipe()
            inherited = (parent, *self.workers) if forked else ()
            # (typeshed's BaseContext has no Process; every context get_context returns has one)
            proc = ctx.Process(  # type: ignore[attr-defined]
                target=_serve,
                args=(child, pipeline, inherited),
                daemon=True,
                name="zhclean-worker",
            )
            with sigint_ignored():
                proc.start()
            child.close()
            self.workers[parent] = proc
        gc.unfreeze()

    def map(self, blocks: Iterator[str]) -> Iterator[tuple[str, str]]:
        window = 2 * self.jobs
        held: dict[int, str] = {}  # blocks read and not yet yielded, by position
        done: dict[int, str] = {}
        busy: dict[Connection, int] = {}
        idle = list(self.workers)
        sent = emitted = 0
        exhausted = False
        while True:
            while idle and not exhausted and sent - emitted < window:
                block = next(blocks, None)
                if block is None:
                    exhausted = True
                    break
                held[sent] = block
                conn = idle.pop()
                try:
                    conn.send(block)
                    busy[conn] = sent
                except OSError:  # it died while idle
                    self._drop(conn)
                    done[sent] = self.pipeline.run(block)
                sent += 1
            while emitted in done:
                yield held.pop(emitted), done.pop(emitted)
                emitted += 1
            if exhausted and emitted == sent:
                return
            if busy and (exhausted or sent - emitted >= window or not idle):
                self._collect(busy, idle, held, done, block=True)
            elif not self.workers and not exhausted:  # every worker died: go on here
                block = next(blocks, None)
                if block is None:
                    exhausted = True
                else:
                    held[sent], done[sent] = block, self.pipeline.run(block)
                    sent += 1

    def _collect(
        self,
        busy: dict[Connection, int],
        idle: list[Connection],
        held: dict[int, str],
        done: dict[int, str],
        block: bool,
    ) -> None:
        """Take the answers of the workers that have finished (``block``: wait for one)."""
        sentinels = {self.workers[c].sentinel: c for c in busy}
        for ready in wait_ready(busy, sentinels, timeout=None if block else 0):
            conn = sentinels[ready] if isinstance(ready, int) else ready
            if conn not in busy:
                continue  # its answer and its exit were both ready
            index = busy.pop(conn)
            answer: object
            try:
                answer = conn.recv() if conn.poll() else _DIED
            except (EOFError, OSError):
                answer = _DIED
            if answer is _DIED:
                self._drop(conn)
            else:
                idle.append(conn)
            if answer is None or answer is _DIED:
                # the worker failed or died on it: clean it here (an error surfaces as usual)
                done[index] = self.pipeline.run(held[index])
            else:
                out, stats = cast("tuple[str, dict[str, StepStats]]", answer)
                add_stats(self.pipeline.stats, stats)
                done[index] = out

    def _drop(self, conn: Connection) -> None:
        proc = self.workers.pop(conn)
        conn.close()
        proc.join(timeout=1)

    def close(self) -> None:
        """Stop the workers: ask politely, then kill what is still busy (Ctrl-C, an error)."""
        for conn in self.workers:
            with contextlib.suppress(OSError):
                conn.send(None)
        for conn, proc in self.workers.items():
            proc.join(timeout=0.2)
            if proc.is_alive():
                proc.kill()
                proc.join()
            conn.close()
        self.workers.clear()


def default_jobs() -> int:
    """The number of CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))  # type: ignore[attr-defined,unused-ignore]
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1
