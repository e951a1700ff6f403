"""The exit codes of every ``zhclean`` command, in one place (the README lists them).

>>> EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED
(2, 130, 143)
"""

EXIT_OK = 0
#: ``--check``: some input would change; ``batch``: some files failed.
EXIT_CHANGED = EXIT_SOME_FAILED = 1
#: An unknown option or value, no input on a terminal, an output that would overwrite an input.
EXIT_USAGE = 2
#: An input or output could not be read, decoded or written.
EXIT_IO = 3
#: Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130
#: ``kill PID`` (128 + SIGTERM): the run stops as for Ctrl-C, with this code.
EXIT_TERMINATED = 143


def interrupted(exc: BaseException) -> tuple[int, str]:
    """The exit code and the message for a run stopped by ``exc`` (Ctrl-C or SIGTERM)."""
    from ._signals import Terminated

    if isinstance(exc, Terminated):
        return EXIT_TERMINATED, "zhclean: terminated"
    return EXIT_INTERRUPTED, "zhclean: interrupted"
