"""Signal handling of the command line and the worker pools: ``kill PID`` stops a run the way
Ctrl-C does, and Ctrl-C is ignored while worker processes start."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def _handled(signum: int, handler: Any) -> Iterator[None]:
    """``handler`` for ``signum`` within the block (nothing changes outside the main thread,
    where signals are not ours to change)."""
    try:
        old = signal.signal(signum, handler)
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        signal.signal(signum, old)


class Terminated(KeyboardInterrupt):
    """A SIGTERM (``kill PID``), stopping the run as Ctrl-C does; the command then exits 143
    (128 + SIGTERM), not Ctrl-C's 130."""


def _raised_for(signum: int) -> KeyboardInterrupt:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _interrupt(signum: int, frame: Any) -> None:
    raise _raised_for(signum)


def sigterm_as_interrupt() -> contextlib.AbstractContextManager[None]:
    """Within the block, SIGTERM raises :class:`Terminated`, a KeyboardInterrupt, as Ctrl-C
    raises one: the atomic writers
    remove their temporary files and the workers are stopped, where the default action would
    end the process on the spot and leave a partial file behind."""
    return _handled(signal.SIGTERM, _interrupt)


class InterruptGate:
    """Holds Ctrl-C back while shut: for what must not be cut in two, such as a worker's answer
    read from its pipe but not yet recorded. Once :meth:`installed`, a Ctrl-C (and a SIGTERM
    where it already stops the run as Ctrl-C does) that arrives while the gate is shut raises
    KeyboardInterrupt as the gate opens; one that arrives while it is open raises at once.
    Shutting it costs no system call.

    >>> gate = InterruptGate()
    >>> try:
    ...     with gate.shut():
    ...         gate.handler(2, None)  # a Ctrl-C while shut is held back
    ...         print("recorded")
    ... except KeyboardInterrupt:
    ...     print("then raised")
    recorded
    then raised
    >>> try:
    ...     with gate.shut():
    ...         gate.handler(signal.SIGTERM, None)  # `kill PID`: held back, raised as such
    ... except Terminated:
    ...     print("terminated")
    terminated
    """

    def __init__(self) -> None:
        self._depth = 0
        self._pending: int | None = None  # the signal held back

    def handler(self, signum: int, frame: Any) -> None:
        if self._depth:
            self._pending = signum if self._pending is None else self._pending
        else:
            raise _raised_for(signum)

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """The gate's handler within the block, for the signals that raise KeyboardInterrupt
        now (signals are not a library's to change otherwise, nor another thread's)."""
        with contextlib.ExitStack() as stack:
            if threading.current_thread() is threading.main_thread():
                if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                    stack.enter_context(_handled(signal.SIGINT, self.handler))
                if signal.getsignal(signal.SIGTERM) is _interrupt:
                    stack.enter_context(_handled(signal.SIGTERM, self.handler))
            yield

    @contextlib.contextmanager
    def shut(self) -> Iterator[None]:
        """Hold Ctrl-C back within the block. A block left by an exception (the caller of a
        generator that yields within it stopped early or failed) keeps that exception: the
        held-back Ctrl-C is dropped rather than raised in its place."""
        self._depth += 1
        try:
            yield
        except BaseException:
            self._pending = None
            raise
        finally:
            self._depth -= 1
        if not self._depth and self._pending is not None:
            signum, self._pending = self._pending, None
            raise _raised_for(signum)


def sigint_ignored() -> contextlib.AbstractContextManager[None]:
    """Ctrl-C ignored while workers start: they inherit it, so a Ctrl-C at that moment cannot
    print a traceback from a half-started child; the main process handles Ctrl-C for all."""
    return _handled(signal.SIGINT, signal.SIG_IGN)
