"""The exit codes of every ``zhclean`` command, in one place (the README lists them).

>>> EXIT_USAGE, EXIT_INTERRUPTED
(2, 130)
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
