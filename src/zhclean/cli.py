"""The ``zhclean`` command line: each command maps its options to configs and calls the library.

Exit codes: 0 success; 1 ``--check`` found text that would change; 2 usage error (an unknown
option value, no input on a terminal, an output that is an input); 3 an input or output file
could not be read, decoded or written, or is read-only; 130 interrupted (Ctrl-C); 143 terminated
(``kill PID``, SIGTERM). A broken pipe on stdout (``zhclean clean big.txt | head``) exits 0.
"""

from __future__ import annotations

import os
import stat
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, BinaryIO, NoReturn, TextIO, cast

import typer

from ._signals import sigterm_as_interrupt
from ._version import __version__
from .exitcodes import EXIT_CHANGED, EXIT_IO, EXIT_USAGE, interrupted
from .io import DecodeError, atomic_writer, descriptor_named, iter_decoded_lines, read_only
from .pipeline import Pipeline, Step, input_changes
from .stages.base import Explained
from .stages.convert import CONFIGS, ConvertConfig, UnknownConfigError, read_keep_file
from .stages.normalize import RULE_SWITCHES, NormalizeConfig
from .stages.segment import FORMATS, SegmentConfig

app = typer.Typer(
    name="zhclean",
    help="Clean the text PDF extractors make of Chinese pages.\n\n"
    "Example: zhclean clean page.txt -c hk2s -o page.clean.txt",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


NormRule = Enum("NormRule", {name: name for name in RULE_SWITCHES}, type=str)  # type: ignore[misc]


class LatinSpace(str, Enum):
    keep = "keep"
    remove = "remove"
    add = "add"


def fail(message: str, code: int) -> NoReturn:
    """Print a one-line error on stderr and exit with ``code``."""
    sys.stderr.write(f"zhclean: error: {message}\n")
    raise typer.Exit(code)


def _engines() -> str:
    """The engines that will do the work, from package metadata: nothing is imported."""
    from .engines import jieba as seg_engines
    from .engines import opencc as cc_engine

    found = []
    cc = cc_engine.engine()
    found.append(f"convert: {cc[0]} {cc[1]}" if cc else "convert: no OpenCC package")
    segs = dict(seg_engines.versions())
    default = seg_engines.resolve("auto")
    others = ", ".join(f"{n} {v}" for n, v in segs.items() if n != default)
    also = f" (also {others})" if others else ""
    found.append(f"segment: {default} {segs.get(default, 'missing')}{also}")
    return "; ".join(found)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"zhclean {__version__} ({_engines()})\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Clean the text PDF extractors make of Chinese pages."""


# --- shared options -----------------------------------------------------------------------

Inputs = Annotated[
    list[str] | None,
    typer.Argument(
        help="Files to read, or - for stdin (default: stdin when it is piped).", show_default=False
    ),
]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")
]
Encoding = Annotated[
    str | None,
    typer.Option(
        "--encoding", "-e", help="Input encoding (default: detect BOM, UTF-8, GB18030, Big5)."
    ),
]
ExplainOpt = Annotated[
    bool, typer.Option("--explain", help="Report every change on stderr (stage, where, what, why).")
]
InPlace = Annotated[
    bool, typer.Option("--in-place", help="Rewrite each INPUT file with its result (atomically).")
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Processes for a large input (from 3 blocks of 256 K characters up).",
        show_default="all cores",
    ),
]


def _open_inputs(ctx: typer.Context, inputs: list[str] | None) -> list[str]:
    if not inputs:
        if sys.stdin is None or sys.stdin.isatty():
            typer.echo(ctx.get_help(), err=True)
            raise typer.Exit(EXIT_USAGE)
        return ["-"]
    return inputs


def _binary_stdin() -> BinaryIO:
    # duck-typed: a stand-in for stdin without a buffer is read as it is
    stdin: Any = sys.stdin
    stream: BinaryIO = getattr(stdin, "buffer", stdin)
    return stream


def _lines_of(name: str, stack: ExitStack, encoding: str | None) -> Iterator[str]:
    try:
        # the ExitStack closes the file once its lines are consumed
        stream = _binary_stdin() if name == "-" else stack.enter_context(open(name, "rb"))  # noqa: SIM115
        # chunks of whole lines: the blocks are made of runs of lines, not of single ones
        _, lines = iter_decoded_lines(stream, encoding, chunks=True)
    except DecodeError as exc:
        fail(f"{name}: {exc}", EXIT_IO)
    except OSError as exc:
        fail(f"{name}: {exc.strerror or exc}", EXIT_IO)
    return lines


def _report(name: str, block: str, explained: list[tuple[str, Explained]], line_base: int) -> None:
    """One line per change on stderr: ``file:line:col  stage  rule  'before' -> 'after'``.

    A stage's offsets are into its own input: each is mapped back through the changes of the
    stages before it, to the line and column of the input file where the change falls (for
    ``join``, the end of the line whose break it joined or kept).
    """
    starts = [0]  # where each line of the block starts
    i = block.find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = block.find("\n", i + 1)
    for ch in input_changes(explained):
        line = bisect_right(starts, ch.start) - 1
        where = f"{line_base + line + 1}:{ch.start - starts[line] + 1}"
        sys.stderr.write(f"{name}:{where}\t{ch.stage}\t{ch.rule}\t{ch.before!r} -> {ch.after!r}\n")


def _run(
    ctx: typer.Context,
    pipeline: Pipeline,
    inputs: list[str] | None,
    output: Path | None,
    encoding: str | None,
    explain: bool = False,
    check: bool = False,
    in_place: bool = False,
    by_lines: bool = False,
    jobs: int | None = None,
) -> None:
    """Read each input, run ``pipeline`` over it block by block, write the result.

    ``by_lines``: the stages work line by line (convert, segment), so any run of whole lines
    is a block: cut the stream into large runs of lines, with no paragraph analysis.
    """
    names = _open_inputs(ctx, inputs)
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            fail(f"unknown encoding {encoding!r}; try gb18030, big5hkscs or utf-16", EXIT_USAGE)
    if in_place and (output is not None or "-" in names):
        fail("--in-place rewrites INPUT files: give files, not - or --output", EXIT_USAGE)
    if in_place and not check:  # before any work: all the files are rewritten or none is
        for n in names:
            try:
                mode = os.stat(n).st_mode
            except OSError as exc:
                fail(f"{n}: {exc.strerror or exc}", EXIT_IO)
            if not stat.S_ISREG(mode) or descriptor_named(n) is not None:  # (/dev/stdin)
                fail(f"{n}: not a regular file; --in-place rewrites files", EXIT_IO)
            if read_only(mode):
                fail(f"{n}: read-only; --in-place rewrites only writable files", EXIT_IO)
    if output is not None and str(output) == "-":
        output = None  # stdout, as - is stdin for an input
    if output is not None:
        _check_output(output, names)

    workers = jobs or 0  # 0: every core, once the input is large enough to use them
    if workers != 1:
        from .parallel import resolve_start_method

        try:
            resolve_start_method()
        except ValueError as exc:  # $ZHCLEAN_START_METHOD names no start method
            fail(str(exc), EXIT_USAGE)

    def per_block(name: str, stack: ExitStack) -> Iterator[tuple[str, str]]:
        from .pipeline import iter_blocks

        chunker: Callable[[Iterator[str]], Iterator[str]] = iter_blocks
        if by_lines:  # (not a conditional expression: mypy 1.8 would type it `function`)
            chunker = _line_runs
        blocks = chunker(_lines_of(name, stack, encoding))
        if explain:  # in order, in this process: the report follows the input
            line_base = 0
            for block in blocks:
                explained = pipeline.explain(block)
                _report(name, block, explained, line_base)
                line_base += block.count("\n")
                out = explained[-1][1].text if explained else block
                if out and not out.endswith("\n"):
                    out += "\n"
                yield block, out
            return
        from .parallel import run_blocks  # with -j 1 or a small input: all in this process

        with closing(run_blocks(pipeline, blocks, workers)) as results:
            for block, out in results:
                yield block, out

    def checked(name: str, stack: ExitStack) -> Iterator[tuple[str, str]]:
        for block, out in per_block(name, stack):
            if check and out != block:
                raise _Changed(name)
            yield block, out

    def results(name: str, stack: ExitStack) -> Iterator[str]:
        try:
            yield from pipeline.stitch(checked(name, stack))
        except DecodeError as exc:  # found mid-stream: say which input
            raise DecodeError(f"{name}: {exc}") from None

    try:
        with sigterm_as_interrupt(), ExitStack() as stack:
            if check:
                for name in names:
                    for _ in results(name, stack):
                        pass
                return
            if in_place:
                for name in names:
                    with atomic_writer(name, through=True) as fh:
                        for out in results(name, stack):
                            fh.write(out.encode("utf-8"))
                return
            if output is not None:
                sink: BinaryIO = stack.enter_context(atomic_writer(output, through=True))
            else:
                sink = sys.stdout.buffer
            for name in names:
                for out in results(name, stack):
                    sink.write(out.encode("utf-8"))
                    if output is None:
                        sink.flush()
    except _Changed as exc:
        sys.stderr.write(f"zhclean: {exc.name} would change\n")
        raise typer.Exit(EXIT_CHANGED) from None
    except DecodeError as exc:
        fail(str(exc), EXIT_IO)
    except KeyboardInterrupt as exc:
        # Typer would exit 130 without a word; say it, as batch does (the writer left nothing)
        code, message = interrupted(exc)
        sys.stderr.write(f"{message}\n")
        raise typer.Exit(code) from None
    except BrokenPipeError:
        # The reader went away (`zhclean clean big.txt | head`): that is success, not an error.
        # Handled here because Typer turns an EPIPE that reaches it into exit code 1.
        _silence_stdout()
        raise typer.Exit(0) from None
    except OSError as exc:
        fail(f"{getattr(exc, 'filename', None) or 'output'}: {exc.strerror or exc}", EXIT_IO)


def _check_output(output: Path, names: list[str]) -> None:
    """Refuse, before any work, an output that would replace an input (a named one or the file
    behind stdin: ``zhclean clean - -o in.txt < in.txt``) or a read-only file, as ``--in-place``
    refuses one."""
    try:
        st = os.stat(output)  # (follows symbolic links, /dev/stdout to the file behind it)
    except OSError:
        return  # a new file (a path that cannot be written fails when it is opened)
    key = (st.st_dev, st.st_ino)
    for n in names:
        try:
            ist = os.fstat(_binary_stdin().fileno()) if n == "-" else os.stat(n)
        except (OSError, ValueError, AttributeError):
            continue
        if stat.S_ISREG(ist.st_mode) and (ist.st_dev, ist.st_ino) == key:
            if n == "-":
                fail(f"-o {output} is the file stdin reads: refusing to overwrite it", EXIT_USAGE)
            fail(f"refusing to overwrite input {n}; use --in-place to rewrite it", EXIT_USAGE)
    if _replaces_read_only(output, st):
        fail(f"{output}: read-only; -o replaces only writable files", EXIT_IO)


def _replaces_read_only(path: Path, st: os.stat_result) -> bool:
    """Writing ``path`` (``st``: its status) would replace a read-only file: a regular file
    with no write bit for anyone, not a descriptor the shell opened (``>> log``)."""
    return stat.S_ISREG(st.st_mode) and read_only(st.st_mode) and descriptor_named(path) is None


def _line_runs(lines: Iterator[str], target: int = 1 << 18) -> Iterator[str]:
    """Group ``lines`` into runs of about ``target`` characters (whole lines); the first run is a
    quarter of that, as the first block of ``iter_blocks`` is: early output for a pipe, and
    little work before worker processes can start."""
    buf: list[str] = []
    size = 0
    want = max(1, target // 4)
    for line in lines:
        buf.append(line)
        size += len(line)
        if size >= want:
            yield "".join(buf)
            buf, size, want = [], 0, target
    if buf:
        yield "".join(buf)


class _Changed(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _convert_config(
    name: str | None, quotes: bool = False, keep: Path | None = None
) -> ConvertConfig | None:
    if name is None:
        if quotes or keep is not None:
            fail("--quotes and --keep need a conversion: add -c CONFIG", EXIT_USAGE)
        return None
    words: tuple[str, ...] = ()
    if keep is not None:
        try:
            words = read_keep_file(keep.read_bytes().decode("utf-8-sig").splitlines())
        except OSError as exc:
            fail(f"{keep}: {exc.strerror or exc}", EXIT_IO)
        except UnicodeDecodeError:
            fail(f"{keep}: a --keep file must be UTF-8", EXIT_IO)
    try:
        return ConvertConfig(name, quotes=quotes, keep=words)
    except UnknownConfigError as exc:
        fail(str(exc), EXIT_USAGE)


QuotesOpt = Annotated[
    bool,
    typer.Option(
        "--quotes",
        help="Convert quotation marks with the script: 「」『』 <-> “”‘’ (by nesting; "
        'never ASCII ").',
    ),
]
KeepOpt = Annotated[
    Path | None,
    typer.Option(
        "--keep",
        metavar="FILE",
        help="Words never converted (names, terms), one a line; # starts a comment.",
    ),
]


ConvertOpt = Annotated[
    str | None,
    typer.Option(
        "--convert",
        "-c",
        metavar="CONFIG",
        help=f"OpenCC config to convert with: {', '.join(CONFIGS)}.",
    ),
]
LatinSpaceOpt = Annotated[
    LatinSpace,
    typer.Option("--latin-space", help="Space between CJK and Latin letters or digits."),
]
BlankLinesOpt = Annotated[
    bool, typer.Option("--blank-lines", help="Put a blank line between paragraphs.")
]


NormOffOpt = Annotated[
    list[NormRule] | None,
    typer.Option(
        "--norm-off",
        metavar="RULE",
        help=f"Switch a normalize rule off (repeatable): {', '.join(RULE_SWITCHES)}.",
        show_default=False,
    ),
]
CjkPunctOpt = Annotated[
    bool,
    typer.Option("--cjk-punct", help="Make , ; : ! ? ( ) between Han characters full-width."),
]


def _normalize_config(off: list[NormRule] | None, cjk_punct: bool) -> NormalizeConfig:
    return NormalizeConfig(**{r.value: False for r in off or []}, cjk_punct=cjk_punct)


# --- commands ------------------------------------------------------------------------------


@app.command()
def clean(
    ctx: typer.Context,
    inputs: Inputs = None,
    output: Output = None,
    convert: ConvertOpt = None,
    quotes: QuotesOpt = False,
    keep: KeepOpt = None,
    segment: Annotated[
        bool, typer.Option("--segment", help="Segment words (rjieba if installed, else jieba).")
    ] = False,
    keep_furniture: Annotated[
        bool, typer.Option("--keep-furniture", help="Keep page numbers and running headers.")
    ] = False,
    blank_lines: BlankLinesOpt = False,
    latin_space: LatinSpaceOpt = LatinSpace.remove,
    norm_off: NormOffOpt = None,
    cjk_punct: CjkPunctOpt = False,
    encoding: Encoding = None,
    explain: ExplainOpt = False,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if any input would change.")
    ] = False,
    in_place: InPlace = False,
    jobs: Jobs = None,
) -> None:
    """Run the whole pipeline: normalize, dedupe, furniture, join, spacing [, convert] [, segment].

    Example: zhclean clean samples/yongzhou-newspaper.txt -c hk2s
    """
    pipeline = _clean_pipeline(
        convert=convert,
        quotes=quotes,
        keep=keep,
        segment=segment,
        keep_furniture=keep_furniture,
        blank_lines=blank_lines,
        latin_space=latin_space,
        norm_off=norm_off,
        cjk_punct=cjk_punct,
    )
    _run(ctx, pipeline, inputs, output, encoding, explain, check, in_place, jobs=jobs)


# The pipeline options of `clean`, shared with `batch`: an option added here goes into both
# signatures and _clean_pipeline (tests/test_batch.py checks that batch accepts all of them).
SegmentOpt = Annotated[
    bool, typer.Option("--segment", help="Segment words (rjieba if installed, else jieba).")
]
KeepFurnitureOpt = Annotated[
    bool, typer.Option("--keep-furniture", help="Keep page numbers and running headers.")
]


def _clean_pipeline(
    *,
    convert: str | None,
    quotes: bool,
    keep: Path | None,
    segment: bool,
    keep_furniture: bool,
    blank_lines: bool,
    latin_space: LatinSpace,
    norm_off: list[NormRule] | None,
    cjk_punct: bool,
) -> Pipeline:
    from .stages.join import JoinConfig
    from .stages.spacing import SpacingConfig

    return Pipeline.default(
        convert=_convert_config(convert, quotes, keep),
        segment=segment,
        furniture=not keep_furniture,
        configs={
            "normalize": _normalize_config(norm_off, cjk_punct),
            "join": JoinConfig(blank_lines=blank_lines),
            "spacing": SpacingConfig(latin_space=latin_space.value),
        },
    )


@app.command()
def normalize(
    ctx: typer.Context,
    inputs: Inputs = None,
    output: Output = None,
    norm_off: NormOffOpt = None,
    cjk_punct: CjkPunctOpt = False,
    encoding: Encoding = None,
    explain: ExplainOpt = False,
    in_place: InPlace = False,
    jobs: Jobs = None,
) -> None:
    """Normalise code points: radicals, compatibility ideographs, full-width ASCII, presentation
    forms, invisibles.

    Example: zhclean normalize page.txt --explain --norm-off fullwidth
    """
    step = Step("normalize", _normalize_config(norm_off, cjk_punct))
    _run(ctx, Pipeline([step]), inputs, output, encoding, explain, in_place=in_place, jobs=jobs)


@app.command()
def dedupe(
    ctx: typer.Context,
    inputs: Inputs = None,
    output: Output = None,
    encoding: Encoding = None,
    explain: ExplainOpt = False,
    in_place: InPlace = False,
    jobs: Jobs = None,
) -> None:
    """Remove characters doubled by fake-bold rendering; keep legitimate repeats.

    Example: echo '改革改革「「引擎引擎」」' | zhclean dedupe --explain
    """
    _run(
        ctx,
        Pipeline([Step("dedupe")]),
        inputs,
        output,
        encoding,
        explain,
        in_place=in_place,
        jobs=jobs,
    )


@app.command("join")
def join_cmd(
    ctx: typer.Context,
    inputs: Inputs = None,
    output: Output = None,
    blank_lines: BlankLinesOpt = False,
    keep_furniture: Annotated[
        bool, typer.Option("--keep-furniture", help="Keep page numbers and running headers.")
    ] = False,
    encoding: Encoding = None,
    explain: ExplainOpt = False,
    in_place: InPlace = False,
    jobs: Jobs = None,
) -> None:
    """Join lines broken mid-sentence (removing page furniture first); one paragraph per line.

    Example: zhclean join page.txt --blank-lines
    """
    from .stages.join import JoinConfig

    steps = [] if keep_furniture else [Step("furniture")]
    steps.append(Step("join", JoinConfig(blank_lines=blank_lines)))
    _run(ctx, Pipeline(steps), inputs, output, encoding, explain, in_place=in_place, jobs=jobs)


@app.command("spacing")
def spacing_cmd(
    ctx: typer.Context,
    inputs: Inputs = None,
    output: Output = None,
    latin_space: LatinSpaceOpt = LatinSpace.remove,
    encoding: Encoding = None,
    explain: ExplainOpt = False,
    in_place: InPlace = False,
    jobs: Jobs = None,
) -> None:
    """Remove spaces inside CJK text and around full-width punctuation.

    Example: echo '這 場 改 革' | zhclean spacing
    """
    from .stages.spacing import SpacingConfig

    step = Step("spacing", SpacingConfig(latin_space=latin_space.value))
    _run(ctx, Pipeline([step]), inputs, output, encoding, explain, in_place=in_place, jobs=jobs)


@app.command("convert")
def convert_cmd(
    ctx: typer.Context,
    inputs: Inputs = None,
    config: Annotated[
        str,
        typer.Option(
            "--config", "-c", metavar="CONFIG", help=f"OpenCC config: {', '.join(CONFIGS)}."
        ),
    ] = "t2s",
    quotes: QuotesOpt = False,
    keep: KeepOpt = None,
    output: Output = None,
    encoding: Encoding = None,
    explain: ExplainOpt = False,
    in_place: InPlace = False,
    jobs: Jobs = None,
) -> None:
    """Convert Traditional <-> Simplified Chinese with OpenCC.

    Example: echo '他說：「賦能產業騰飛」' | zhclean convert -c hk2s --quotes
    """
    step = Step("convert", _convert_config(config, quotes, keep))
    _run(
        ctx,
        Pipeline([step]),
        inputs,
        output,
        encoding,
        explain,
        in_place=in_place,
        jobs=jobs,
        by_lines=True,
    )


class SegMode(str, Enum):
    accurate = "accurate"
    full = "full"
    search = "search"


class SegEngine(str, Enum):
    auto = "auto"
    jieba = "jieba"
    rjieba = "rjieba"


# (members from FORMATS, so that the two cannot drift apart: mypy cannot see them, only that
# SegFormat is an Enum)
SegFormat = Enum("SegFormat", {f: f for f in FORMATS}, type=str)  # type: ignore[misc]


@app.command("segment")
def segment_cmd(
    ctx: typer.Context,
    inputs: Inputs = None,
    output: Output = None,
    delimiter: Annotated[str, typer.Option("--delimiter", "-d", help="Between words.")] = " ",
    mode: Annotated[
        SegMode,
        typer.Option("--mode", "-m", help="accurate: one cut; full: every word; search: both."),
    ] = SegMode.accurate,
    hmm: Annotated[bool, typer.Option("--hmm/--no-hmm", help="Guess unknown words (HMM).")] = True,
    dicts: Annotated[
        list[Path] | None,
        typer.Option(
            "--dict",
            metavar="FILE",
            exists=True,
            dir_okay=False,
            help="User dictionary (jieba format: word \\[freq] \\[tag]); repeatable.",
        ),
    ] = None,
    pos: Annotated[bool, typer.Option("--pos", help="Tag parts of speech: word/tag.")] = False,
    fmt: Annotated[
        SegFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: words and delimiters; jsonl: a JSON array of tokens a line.",
        ),
    ] = SegFormat["text"],
    engine: Annotated[
        SegEngine,
        typer.Option("--engine", help="auto: rjieba when installed (zhclean[fast]), else jieba."),
    ] = SegEngine.auto,
    direct: Annotated[
        bool, typer.Option("--direct", help="Segment Traditional text as is, not via Simplified.")
    ] = False,
    encoding: Encoding = None,
    in_place: InPlace = False,
    jobs: Jobs = None,
) -> None:
    """Segment words with jieba or rjieba; one output line per input line.

    Example: echo '改革引擎賦能產業騰飛' | zhclean segment --pos
    """
    from .engines.jieba import has_rjieba

    if engine is SegEngine.rjieba and not has_rjieba():
        fail("rjieba is not installed: pip install 'zhclean[fast]'", EXIT_USAGE)
    try:
        cfg = SegmentConfig(
            delimiter=delimiter,
            hmm=hmm,
            via_simplified=not direct,
            mode=mode.value,
            pos=pos,
            format=SegFormat(fmt).value,
            engine=engine.value,
            dicts=tuple(str(p) for p in dicts or ()),
        )
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    try:
        for path in cfg.dicts:  # read them now: a bad file is a clean error, not a traceback
            from .engines.jieba import read_userdict

            read_userdict(path)
    except (OSError, ValueError) as exc:
        fail(str(exc), EXIT_IO)
    steps = Pipeline([Step("segment", cfg)])
    _run(ctx, steps, inputs, output, encoding, in_place=in_place, jobs=jobs, by_lines=True)


@app.command("batch")
def batch_cmd(
    src: Annotated[
        Path, typer.Argument(help="Folder to read (never modified without --in-place).")
    ],
    dest: Annotated[
        Path | None,
        typer.Argument(help="Folder to write the cleaned mirror to.", show_default=False),
    ] = None,
    convert: ConvertOpt = None,
    quotes: QuotesOpt = False,
    keep: KeepOpt = None,
    segment: SegmentOpt = False,
    keep_furniture: KeepFurnitureOpt = False,
    blank_lines: BlankLinesOpt = False,
    latin_space: LatinSpaceOpt = LatinSpace.remove,
    norm_off: NormOffOpt = None,
    cjk_punct: CjkPunctOpt = False,
    glob: Annotated[
        str, typer.Option("--glob", help="Which files, relative to SRC ('*.txt' = '**/*.txt').")
    ] = "**/*.txt",
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Leave out files and folders matching this (repeatable)."),
    ] = None,
    encoding: Encoding = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes.", show_default="all cores"),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Redo files that are up to date.")] = False,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Rewrite the files in SRC (no DEST).")
    ] = False,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl", metavar="FILE", help="Write one JSON record per file here (no DEST)."
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", metavar="FILE", help="Write a JSON Lines record per file here."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")
    ] = False,
) -> None:
    """Clean every matching file under SRC into the same relative path under DEST.

    Example: zhclean batch extracted/ cleaned/ -c hk2s --jobs 4 --report report.jsonl
    """
    from .batch import MANIFEST, Batch, default_jobs

    if not src.is_dir():
        fail(f"{src} is not a folder", EXIT_USAGE)
    targets = (dest is not None) + in_place + (jsonl is not None)
    if targets != 1:
        fail("give exactly one of DEST, --in-place or --jsonl FILE", EXIT_USAGE)
    real_src = src.resolve()
    if dest is not None:
        real_dest = dest.resolve()
        if real_dest == real_src:
            fail("DEST is SRC: use --in-place to rewrite the inputs", EXIT_USAGE)
        if real_src.is_relative_to(real_dest):
            fail(f"DEST {dest} contains SRC: outputs could overwrite inputs", EXIT_USAGE)
        if dest.exists() and not dest.is_dir():
            fail(f"DEST {dest} is not a folder", EXIT_USAGE)
        try:  # one error now rather than one per file
            dest.mkdir(parents=True, exist_ok=True)
            if not os.access(dest, os.W_OK | os.X_OK):
                raise PermissionError(13, "Permission denied")
        except OSError as exc:
            fail(f"cannot write to DEST {dest}: {exc.strerror or exc}", EXIT_IO)
    mirror = src if in_place else dest
    for out in (jsonl, report):
        if out is not None and str(out) == "-":
            continue  # stdout
        if out is not None and os.path.isfile(out) and _replaces_read_only(out, os.stat(out)):
            fail(f"{out}: read-only; batch replaces only writable files", EXIT_IO)
        if out is not None and not in_place and out.resolve().is_relative_to(real_src):
            fail(f"{out} is inside SRC, which batch never modifies: write it elsewhere", EXIT_USAGE)
        if (
            out is not None
            and mirror is not None
            and out.resolve() == (mirror / MANIFEST).resolve()
        ):
            fail(f"{out} is the record that lets a re-run resume: write it elsewhere", EXIT_USAGE)
    if jsonl is not None and report is not None and jsonl.resolve() == report.resolve():
        fail("--jsonl and --report name the same file", EXIT_USAGE)
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            fail(f"unknown encoding {encoding!r}", EXIT_USAGE)
    pipeline = _clean_pipeline(
        convert=convert,
        quotes=quotes,
        keep=keep,
        segment=segment,
        keep_furniture=keep_furniture,
        blank_lines=blank_lines,
        latin_space=latin_space,
        norm_off=norm_off,
        cjk_punct=cjk_punct,
    )
    try:
        run = Batch(
            src,
            dest,
            pipeline=pipeline,
            encoding=encoding,
            glob=glob,
            exclude=exclude or (),
            in_place=in_place,
            collect_text=jsonl is not None,
            force=force,
            jobs=jobs or default_jobs(),
            prune=[p for p in (jsonl, report) if p is not None],
        )
    except ValueError as exc:  # $ZHCLEAN_START_METHOD names no start method
        fail(str(exc), EXIT_USAGE)
    from ._batch_ui import run_batch_ui

    code = run_batch_ui(run, jsonl=jsonl, report=report, quiet=quiet)
    raise typer.Exit(code)


class _Diagnostics:
    """stderr, best effort: the messages are not the product. Once a write fails (the reader of
    ``2>&1 | head`` went away, ``2>/dev/full``), nothing more is written to it and the run goes
    on: its files are written and its exit code says how it went. Only stdout's broken pipe
    ends a run (quietly)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.lost = False

    def write(self, text: str) -> int:
        if not self.lost:
            try:
                self._stream.write(text)  # (line-buffered: the line goes out now)
            except (OSError, ValueError):
                self._lose()
        return len(text)

    def flush(self) -> None:
        if not self.lost:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self._lose()

    def _lose(self) -> None:
        self.lost = True
        # Python flushes stderr at exit, with what it still holds: into /dev/null, not an error
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main() -> None:
    """Console entry point: run the app; usage errors are one line, a broken pipe on stdout or
    Ctrl-C ends quietly, a lost stderr does not end the run."""
    stderr = sys.stderr
    if stderr is None:  # (no console: pythonw, a service) the messages go nowhere, the codes stay
        sys.stderr = stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if not isinstance(stderr, _Diagnostics):
        sys.stderr = cast(TextIO, _Diagnostics(stderr))  # (a TextIO by duck typing)
    try:
        code = app(standalone_mode=False)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)
    except KeyboardInterrupt as exc:
        code, message = interrupted(exc)
        sys.stderr.write(f"{message}\n")
        sys.exit(code)
    except Exception as exc:
        # Typer's own usage errors (an unknown option, a bad value): one line, not a panel.
        # Duck-typed, since the exception classes live in the Click that Typer vendors.
        format_message = getattr(exc, "format_message", None)
        if format_message is None or not hasattr(exc, "exit_code"):
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.stderr.write(f"{format_message()}\n")
        else:
            ctx = getattr(exc, "ctx", None)
            where = ctx.command_path if ctx is not None else "zhclean"
            sys.stderr.write(f"zhclean: error: {format_message()} (see '{where} --help')\n")
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def _silence_stdout() -> None:
    # Python flushes stdout at exit; point it at /dev/null so that flush cannot fail again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
