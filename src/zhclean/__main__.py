"""``python -m zhclean``, and the ``zhclean`` command."""

import sys


def main() -> None:
    """Load the command line and run it. A Ctrl-C while it loads (a tenth of a second of
    imports) exits 130 with one line, as a Ctrl-C later does, not with a traceback."""
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("zhclean: interrupted\n")
        raise SystemExit(130) from None
    run()


if __name__ == "__main__":
    main()
