"""zhclean: clean the text PDF extractors make of Chinese pages.

Each stage is a pure function ``text -> text`` with a frozen config; :class:`Pipeline` runs them
in order over a stream. Heavy resources (OpenCC tables, the jieba dictionary) load on first use.

>>> clean("改革改革「「引擎引擎」」賦能產業騰飛賦能產業騰飛")
'改革「引擎」賦能產業騰飛\\n'
>>> clean("賦能產業騰飛", convert="hk2s")
'赋能产业腾飞\\n'
"""

from __future__ import annotations

from ._version import __version__

# Nothing else is imported here: `import zhclean` (which the `zhclean` command's script does
# before its Ctrl-C guard can run) takes a millisecond, and each name is imported from its
# module on first use (PEP 562), so a command pays only for the stages it runs (their patterns
# compile at import). (typing's TYPE_CHECKING is not imported: typing alone takes 13 ms.)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .pipeline import Pipeline, Step, StepStats, input_changes, iter_blocks
    from .stages import Change, Explained, UnknownStageError, get_stage, registry
    from .stages.convert import ConvertConfig, convert, convert_explain
    from .stages.dedupe import DedupeConfig, dedupe, dedupe_explain
    from .stages.furniture import FurnitureConfig, furniture_explain, remove_furniture
    from .stages.join import JoinConfig, join_explain, join_lines
    from .stages.normalize import NormalizeConfig, normalize, normalize_explain
    from .stages.segment import SegmentConfig, segment, segment_explain, segment_lines, segment_text
    from .stages.spacing import SpacingConfig, spacing, spacing_explain

# public name -> the module (relative to this package) it comes from
_LAZY = {
    "Pipeline": "pipeline",
    "Step": "pipeline",
    "StepStats": "pipeline",
    "input_changes": "pipeline",
    "iter_blocks": "pipeline",
    "Change": "stages",
    "Explained": "stages",
    "UnknownStageError": "stages",
    "get_stage": "stages",
    "registry": "stages",
    "ConvertConfig": "stages.convert",
    "convert": "stages.convert",
    "convert_explain": "stages.convert",
    "DedupeConfig": "stages.dedupe",
    "dedupe": "stages.dedupe",
    "dedupe_explain": "stages.dedupe",
    "FurnitureConfig": "stages.furniture",
    "furniture_explain": "stages.furniture",
    "remove_furniture": "stages.furniture",
    "JoinConfig": "stages.join",
    "join_explain": "stages.join",
    "join_lines": "stages.join",
    "NormalizeConfig": "stages.normalize",
    "normalize": "stages.normalize",
    "normalize_explain": "stages.normalize",
    "SegmentConfig": "stages.segment",
    "segment": "stages.segment",
    "segment_explain": "stages.segment",
    "segment_lines": "stages.segment",
    "segment_text": "stages.segment",
    "SpacingConfig": "stages.spacing",
    "spacing": "stages.spacing",
    "spacing_explain": "stages.spacing",
}
# submodules that `import zhclean` used to load, reachable as attributes as before
_SUBMODULES = frozenset({"pipeline", "stages"})


def __getattr__(name: str) -> Any:
    from importlib import import_module

    module = _LAZY.get(name)
    if module is not None:
        value = getattr(import_module(f"{__name__}.{module}"), name)
    elif name in _SUBMODULES:
        value = import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # once found, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def clean(
    text: str,
    convert: str | ConvertConfig | None = None,
    segment: bool | SegmentConfig = False,
) -> str:
    """Run the ``zhclean clean`` pipeline over ``text``; one paragraph per output line. The
    output is what ``zhclean clean`` prints for a file holding ``text``.

    ``convert`` names an OpenCC config (``"hk2s"``, ``"t2s"``, …) or is a
    :class:`ConvertConfig` (``--quotes``, ``--keep``); ``segment`` separates words with spaces
    (or is a :class:`SegmentConfig`). The other options of ``zhclean clean`` are configs of
    :meth:`Pipeline.default`, whose ``stream`` cleans a large file in bounded memory.

    >>> clean("這 場 改 革")
    '這場改革\\n'
    >>> from zhclean import ConvertConfig
    >>> clean("他說：「賦能產業騰飛」", convert=ConvertConfig("hk2s", quotes=True))
    '他说：“赋能产业腾飞”\\n'
    """
    from .pipeline import Pipeline
    from .stages.base import not_text

    if not isinstance(text, str):
        raise not_text("text", text)
    pipeline = Pipeline.default(convert=convert, segment=segment)
    return "".join(pipeline.stream(text.splitlines(True)))


__all__ = [
    "Change",
    "ConvertConfig",
    "DedupeConfig",
    "Explained",
    "FurnitureConfig",
    "JoinConfig",
    "NormalizeConfig",
    "Pipeline",
    "SegmentConfig",
    "SpacingConfig",
    "Step",
    "StepStats",
    "UnknownStageError",
    "__version__",
    "clean",
    "convert",
    "convert_explain",
    "dedupe",
    "dedupe_explain",
    "furniture_explain",
    "get_stage",
    "input_changes",
    "iter_blocks",
    "join_explain",
    "join_lines",
    "normalize",
    "normalize_explain",
    "registry",
    "remove_furniture",
    "segment",
    "segment_explain",
    "segment_lines",
    "segment_text",
    "spacing",
    "spacing_explain",
]
