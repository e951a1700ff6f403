"""zhclean as a library user meets it: wrong arguments fail early with a TypeError or a
ValueError that says what to do, configs are checked, and the library agrees with the CLI."""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import zhclean
from zhclean import (
    ConvertConfig,
    DedupeConfig,
    Explained,
    FurnitureConfig,
    JoinConfig,
    NormalizeConfig,
    Pipeline,
    SegmentConfig,
    SpacingConfig,
    Step,
    clean,
    convert,
    get_stage,
    remove_furniture,
    spacing,
)
from zhclean.pipeline import input_changes
from zhclean.stages import ORDER, UnknownStageError, base
from zhclean.stages.base import StageSpec, register

from .conftest import SAMPLES

# --- stage names -------------------------------------------------------------------------------


def test_an_unknown_stage_is_a_value_error_that_names_the_valid_ones() -> None:
    for make in (lambda: get_stage("joim"), lambda: Step("joim"), lambda: Pipeline.of("joim")):
        with pytest.raises(ValueError) as info:
            make()
        assert isinstance(info.value, UnknownStageError)
        assert isinstance(info.value, KeyError)  # as get_stage raised before
        assert str(info.value) == (
            "unknown stage 'joim'; valid: normalize, dedupe, furniture, join, spacing, convert, "
            "segment"
        )


def test_a_step_is_checked_when_it_is_made() -> None:
    with pytest.raises(TypeError, match=r"Step\('join'\) takes a JoinConfig .* not DedupeConfig"):
        Step("join", DedupeConfig())
    with pytest.raises(TypeError, match=r"not dict: DedupeConfig\(\*\*\.\.\.\)"):
        Step("dedupe", {"max_copies": 2})
    with pytest.raises(TypeError, match="name must be a str"):
        Step(JoinConfig())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("join", lambda: JoinConfig(blank_lines="no"), "JoinConfig.blank_lines must be a bool"),
        ("dedupe", lambda: DedupeConfig(max_copies="4"), "DedupeConfig.max_copies must be an int"),
        (
            "dedupe",
            lambda: DedupeConfig(context_lines=True),
            "context_lines must be an int, not bool",
        ),
        ("join", lambda: JoinConfig(tolerance="1.5"), "JoinConfig.tolerance must be a float"),
        ("segment", lambda: SegmentConfig(hmm="no"), "SegmentConfig.hmm must be a bool, not str"),
    ],
)
def test_a_steps_config_fields_are_checked(name: str, make: Any, message: str) -> None:
    # (each config checks its fields when it is made; a Step checks them again)
    with pytest.raises(TypeError, match=message):
        Step(name, make())


def test_a_float_field_takes_an_int() -> None:
    assert Step("join", JoinConfig(tolerance=2)).resolved().tolerance == 2


# --- configs of the stages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: SpacingConfig(latin_space="bogus"), ValueError, "unknown latin_space 'bogus'"),
        (lambda: SpacingConfig(short_line=-5), ValueError, "short_line must be 0 or more"),
        (lambda: FurnitureConfig(min_share=2), ValueError, "0 < min_share <= 1"),
        (lambda: FurnitureConfig(edge=-1), ValueError, "edge must be 0 or more"),
        (lambda: NormalizeConfig(fullwidth="no"), TypeError, "fullwidth must be a bool"),
        (lambda: ConvertConfig(None), TypeError, "ConvertConfig.config must be a str"),
        (lambda: ConvertConfig("t2s", keep=3), TypeError, "keep must be words"),
        (lambda: ConvertConfig("t2s", keep=[3]), TypeError, "keep must be a tuple of str"),
        (lambda: ConvertConfig("zz"), ValueError, "unknown conversion config 'zz'"),
    ],
)
def test_bad_config_values_fail_when_the_config_is_made(
    make: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make()  # type: ignore[operator]


def test_a_bogus_latin_space_no_longer_acts_as_keep() -> None:
    # it used to keep the space silently, as "keep" does
    assert spacing("要到 10 月", SpacingConfig(latin_space="remove")) == "要到10月"
    with pytest.raises(ValueError, match="valid: keep, remove, add"):
        spacing("要到 10 月", SpacingConfig(latin_space="Remove"))  # type: ignore[arg-type]


def test_a_kept_word_given_as_a_str_is_one_word() -> None:
    # keep="国家" used to keep 国 and 家 wherever they stood (a str is a tuple of characters)
    assert ConvertConfig("s2t", keep="国家").keep == ("国家",)  # type: ignore[arg-type]
    assert convert("国家的国土", ConvertConfig("s2t", keep="国家")) == "国家的國土"  # type: ignore[arg-type]
    assert ConvertConfig("t2s", keep=None).keep == ()  # type: ignore[arg-type]


def test_a_share_of_one_every_page_is_the_largest_allowed() -> None:
    pages = "".join(f"报告全文\n正文第{i}页的内容，很长的一行。\n{i}\n\f" for i in range(1, 5))
    assert "报告全文" not in remove_furniture(pages, FurnitureConfig(min_share=1.0))


# --- pipelines ------------------------------------------------------------------------------------


def test_a_pipeline_takes_steps_and_says_how_to_make_them() -> None:
    with pytest.raises(TypeError, match=r"Step\('dedupe'\), or Pipeline.of"):
        Pipeline(["dedupe"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="Pipeline takes a list of Step"):
        Pipeline("dedupe")  # type: ignore[arg-type]
    # a generator is kept as a list: a second run still has every step
    p = Pipeline(Step(n) for n in ("dedupe", "spacing"))  # type: ignore[arg-type]
    assert p.run("園區園區 。。") == p.run("園區園區 。。") == "園區。\n"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"configs": {"joim": JoinConfig()}}, "configs names 'joim', which this pipeline"),
        ({"configs": {"convert": ConvertConfig("hk2s")}}, "configs names 'convert'"),
        ({"furniture": False, "configs": {"furniture": FurnitureConfig()}}, "'furniture'"),
        (
            {"convert": "t2s", "configs": {"convert": ConvertConfig("hk2s")}},
            "convert=..., not also in configs",
        ),
        (
            {"segment": SegmentConfig(), "configs": {"segment": SegmentConfig(delimiter="/")}},
            "segment=..., not also in configs",
        ),
    ],
)
def test_a_config_the_default_pipeline_would_ignore_is_an_error(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Pipeline.default(**kwargs)  # type: ignore[arg-type]


def test_pipeline_of_refuses_a_config_for_a_stage_it_does_not_run() -> None:
    with pytest.raises(ValueError, match=r"configs names 'join'.*it runs dedupe"):
        Pipeline.of("dedupe", configs={"join": JoinConfig(blank_lines=True)})


def test_default_pipeline_options_are_type_checked() -> None:
    with pytest.raises(TypeError, match="segment must be a bool or a SegmentConfig, not str"):
        Pipeline.default(segment="jieba")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="convert must be a config name"):
        Pipeline.default(convert=True)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="furniture must be a bool"):
        Pipeline.default(furniture="no")  # type: ignore[arg-type]


# --- text arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [b"\xe6\x94\xb9\xe9\x9d\xa9", None, 3])
def test_text_that_is_not_a_str_is_a_type_error(bad: object) -> None:
    p = Pipeline.default()
    for call in (clean, p.run, p.explain):
        with pytest.raises(TypeError, match="text must be a str, not"):
            call(bad)  # type: ignore[arg-type]
    if isinstance(bad, bytes):
        with pytest.raises(TypeError, match=r"decode it first \(zhclean.io.decode_bytes"):
            clean(bad)  # type: ignore[arg-type]


def test_stream_checks_its_arguments_when_called() -> None:
    p = Pipeline.default()
    with pytest.raises(TypeError, match="lines must be a str"):
        p.stream(b"abc\n")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="lines must be a str, not NoneType"):
        p.stream(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="each line or chunk must be a str, not bytes"):
        list(p.stream([b"abc\n"]))  # type: ignore[list-item]
    with pytest.raises(ValueError, match="jobs must be 0"):
        p.stream(["a\n"], jobs=-1)
    with pytest.raises(ValueError, match="target"):
        p.stream(["a\n"], target=0)  # before the first block is asked for


def test_stream_takes_a_whole_text_as_one_chunk() -> None:
    text = (SAMPLES / "yongzhou-newspaper.txt").read_text(encoding="utf-8")
    p = Pipeline.default()
    assert "".join(p.stream(text)) == p.run(text)


def test_clean_takes_the_configs_pipeline_default_takes() -> None:
    out = clean("他說：「賦能」", convert=ConvertConfig("hk2s", quotes=True))
    assert out == "他说：“赋能”\n"
    assert clean("改革引擎", segment=SegmentConfig(delimiter="/")) == "改革/引擎\n"


# --- explain ------------------------------------------------------------------------------------


@given(st.text(alphabet="園區改革。，「」 \n\u3000ab２⼤大", max_size=80))
def test_input_changes_fall_inside_the_input(text: str) -> None:
    results = Pipeline.default().explain(text)
    changes = input_changes(results)
    assert len(changes) == sum(len(r.changes) for _, r in results)
    for c in changes:
        assert 0 <= c.start <= c.end <= len(text)
    # the first stage's changes are into the input itself
    first = results[0][1].changes
    assert [(c.start, c.end) for c in changes[: len(first)]] == [(c.start, c.end) for c in first]


def test_input_changes_are_what_the_cli_reports() -> None:
    text = "園區園區 。。\n這 場\n"
    changes = input_changes(Pipeline.default().explain(text))
    r = subprocess.run(
        [sys.executable, "-m", "zhclean", "clean", "--explain", "-"],
        input=text.encode(),
        capture_output=True,
        check=True,
    )
    lines = r.stderr.decode().splitlines()
    assert len(lines) == len(changes)
    for line, c in zip(lines, changes, strict=True):
        row = text.count("\n", 0, c.start)
        col = c.start - (text.rfind("\n", 0, c.start) + 1)
        assert line.startswith(f"-:{row + 1}:{col + 1}\t{c.stage}\t{c.rule}\t"), line


# --- the library as a whole -------------------------------------------------------------------


def test_configs_and_pipelines_pickle() -> None:
    configs = [
        NormalizeConfig(cjk_punct=True),
        DedupeConfig(max_copies=2),
        FurnitureConfig(min_share=0.6),
        JoinConfig(blank_lines=True),
        SpacingConfig(latin_space="add"),
        ConvertConfig("hk2s", quotes=True, keep="羅核"),  # type: ignore[arg-type]
        SegmentConfig(delimiter="/"),
    ]
    for c in configs:
        assert pickle.loads(pickle.dumps(c)) == c
    p = Pipeline.default(convert=configs[5], segment=configs[6], configs={"join": configs[3]})
    assert pickle.loads(pickle.dumps(p)).steps == p.steps


def test_the_library_prints_nothing_and_starts_no_thread(tmp_path: Path) -> None:
    script = (
        "import threading, zhclean\n"
        "from zhclean import Pipeline, SegmentConfig, segment\n"
        "segment('改革引擎賦能產業騰飛', SegmentConfig(engine='jieba'))\n"
        "zhclean.clean('改革改革「「引擎引擎」」\\n' * 3, convert='hk2s', segment=True)\n"
        "Pipeline.default(convert='t2s', segment=SegmentConfig(pos=True)).explain('改革引擎')\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
    )
    env = {"ZHCLEAN_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin"}  # jieba builds its cache
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env)
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")


def test_the_library_cleans_as_the_command_does(tmp_path: Path) -> None:
    seed = SAMPLES / "yongzhou-newspaper.txt"
    text = seed.read_text(encoding="utf-8")
    # four blocks at least, so that the blocks' cuts count too
    big = tmp_path / "big.txt"
    big.write_text(text * 120, encoding="utf-8")
    for path in (seed, big):
        for opts in ([], ["-c", "hk2s"]):
            cli = subprocess.run(
                [sys.executable, "-m", "zhclean", "clean", str(path), *opts],
                capture_output=True,
                check=True,
            ).stdout.decode()
            source = path.read_text(encoding="utf-8")
            lib = clean(source, convert=opts[1] if opts else None)
            assert lib == cli, (path.name, opts)
            with path.open(encoding="utf-8") as fh:
                streamed = "".join(Pipeline.default(convert=opts[1] if opts else None).stream(fh))
            assert streamed == cli, (path.name, opts)


def test_every_public_name_is_documented() -> None:
    for name in zhclean.__all__:
        obj = getattr(zhclean, name)
        if name == "__version__":
            continue
        assert (obj.__doc__ or "").strip(), name
    for cls in (Pipeline, Step):
        for attr, member in vars(cls).items():
            if callable(member) and not attr.startswith("_"):
                assert (member.__doc__ or "").strip(), f"{cls.__name__}.{attr}"


def test_every_stage_and_its_explain_is_exported() -> None:
    # convert_explain, normalize_explain … and segment_lines (tokens with offsets) were only
    # in their modules, while dedupe_explain and join_explain were exported
    for name in ORDER:
        spec = get_stage(name)
        assert getattr(zhclean, spec.run.__name__) is spec.run, name
        assert getattr(zhclean, spec.explain.__name__) is spec.explain, name
        assert type(spec.config_type()).__name__ in zhclean.__all__
    tokens = zhclean.segment_lines("改革 引擎")
    assert tokens == [[("改革", 0, 2, None), ("引擎", 3, 5, None)]]
    for name in ("input_changes", "iter_blocks", "StepStats", "UnknownStageError"):
        assert name in zhclean.__all__


@dataclass(frozen=True)
class _UpperConfig:
    """No settings."""


def _upper(text: str, config: _UpperConfig) -> str:
    return text.upper()


@pytest.fixture
def upper_stage() -> Iterator[str]:
    spec = register(StageSpec("upper", _UpperConfig, _upper, lambda t, c: Explained(_upper(t, c))))
    try:
        yield spec.name
    finally:
        del base._REGISTRY["upper"]  # other tests list the built-in stages


def test_pipeline_of_keeps_a_registered_stage_of_ones_own(upper_stage: str) -> None:
    # it was dropped without a word: Pipeline.of only walked the built-in order
    p = Pipeline.of(upper_stage, "spacing", configs={upper_stage: _UpperConfig()})
    assert [s.name for s in p.steps] == ["spacing", "upper"]
    assert p.run("ab ab 這 場") == "AB AB這場\n"  # (spacing: no space between CJK and Latin)


def test_batch_refuses_what_it_cannot_walk(tmp_path: Path) -> None:
    from zhclean.batch import Batch
    from zhclean.parallel import default_jobs

    # a mistyped folder used to give an empty, successful run
    with pytest.raises(FileNotFoundError, match="no such folder"):
        Batch(tmp_path / "extracted")
    (tmp_path / "page.txt").write_text("園區園區。。\n", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match="is not a folder"):
        Batch(tmp_path / "page.txt")
    with pytest.raises(TypeError, match="pipeline must be a Pipeline, not str"):
        Batch(tmp_path, pipeline="clean")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="jobs must be 0"):
        Batch(tmp_path, jobs=-1)
    # jobs=0 is every core, as for Pipeline.stream (it was one)
    assert Batch(tmp_path, jobs=0).jobs == default_jobs()


_STAGE_FUNCTIONS = [
    ("normalize", "normalize"),
    ("normalize_explain", "normalize"),
    ("dedupe", "dedupe"),
    ("dedupe_explain", "dedupe"),
    ("remove_furniture", "furniture"),
    ("furniture_explain", "furniture"),
    ("join_lines", "join"),
    ("join_explain", "join"),
    ("spacing", "spacing"),
    ("spacing_explain", "spacing"),
    ("convert", "convert"),
    ("convert_explain", "convert"),
    ("segment", "segment"),
    ("segment_text", "segment"),
    ("segment_lines", "segment"),
    ("segment_explain", "segment"),
]


@pytest.mark.parametrize(("name", "module"), _STAGE_FUNCTIONS)
def test_a_stage_function_says_what_is_wrong_with_its_arguments(name: str, module: str) -> None:
    # dedupe(None) raised an AttributeError deep inside, segment_text(None) returned None, and a
    # config of another stage failed on a missing attribute
    import importlib

    fn = getattr(importlib.import_module(f"zhclean.stages.{module}"), name)
    with pytest.raises(TypeError, match=rf"^{name}\(\)'s text must be a str, not NoneType$"):
        fn(None)
    with pytest.raises(TypeError, match="not bytes: decode it first"):
        fn(b"\xe5\x9c\x92")
    other = JoinConfig() if module != "join" else SpacingConfig()
    with pytest.raises(
        TypeError, match=rf"^{name}\(\) takes a \w+Config, not {type(other).__name__}$"
    ):
        fn("園區", other)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: DedupeConfig(max_copies=1), ValueError, "max_copies must be 2 or more"),
        (lambda: DedupeConfig(max_copies="4"), TypeError, "max_copies must be an int"),
        (lambda: DedupeConfig(context_lines=-1), ValueError, "context_lines must be 0 or more"),
        (lambda: JoinConfig(window=-1), ValueError, "window must be 0 or more"),
        (lambda: JoinConfig(tolerance=-1), ValueError, "tolerance must be 0 or more"),
        (lambda: JoinConfig(max_column=0), ValueError, "max_column must be more than 0"),
        (lambda: SegmentConfig(delimiter=None), TypeError, "delimiter must be a str"),
        (lambda: SegmentConfig(hmm="no"), TypeError, "hmm must be a bool"),
    ],
)
def test_dedupe_join_and_segment_configs_refuse_bad_values(
    make: Any, error: type[Exception], message: str
) -> None:
    # each was taken and did nothing (max_copies=1), crashed inside (window=-1: max() of an
    # empty sequence) or failed late in the engine (hmm="no")
    with pytest.raises(error, match=message):
        make()


def test_one_user_dictionary_given_alone_is_one() -> None:
    # dicts="user.dict" became ("u", "s", "e", "r", ...)
    assert SegmentConfig(dicts="user.dict").dicts == ("user.dict",)  # type: ignore[arg-type]
