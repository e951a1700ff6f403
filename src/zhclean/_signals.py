"""Signal handling of the command line and the worker pools: ``kill PID`` stops a run the way
Ctrl-C does, and Ctrl-C is ignored while worker processes start."""

from __future__ import annotations

import contextlib
import signal
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


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def sigterm_as_interrupt() -> contextlib.AbstractContextManager[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt, as Ctrl-C does: the atomic writers
    remove their temporary files and the workers are stopped, where the default action would
    end the process on the spot and leave a partial file behind."""
    return _handled(signal.SIGTERM, _interrupt)


def sigint_ignored() -> contextlib.AbstractContextManager[None]:
    """Ctrl-C ignored while workers start: they inherit it, so a Ctrl-C at that moment cannot
    print a traceback from a half-started child; the main process handles Ctrl-C for all."""
    return _handled(signal.SIGINT, signal.SIG_IGN)
