"""zhclean: clean the text PDF extractors make of Chinese pages.

Each stage is a pure function ``text -> text`` with a frozen config; :class:`Pipeline` runs them
in order over a stream. Heavy resources (OpenCC tables, the jieba dictionary) load on first use.

>>> clean("改革改革「「引擎引擎」」賦能產業騰飛賦能產業騰飛")
'改革「引擎」賦能產業騰飛\\n'
>>> clean("賦能產業騰飛", convert="hk2s")
'赋能产业腾飞\\n'
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .pipeline import Pipeline, Step
from .stages import Change, Explained, get_stage, registry

if TYPE_CHECKING:
    from .stages.convert import ConvertConfig, convert
    from .stages.dedupe import DedupeConfig, dedupe, dedupe_explain
    from .stages.furniture import FurnitureConfig, remove_furniture
    from .stages.join import JoinConfig, join_explain, join_lines
    from .stages.normalize import NormalizeConfig, normalize
    from .stages.segment import SegmentConfig, segment, segment_text
    from .stages.spacing import SpacingConfig, spacing

# Each stage's names are imported from its module on first use (PEP 562): `import zhclean`,
# and so every command, pays only for the stages it runs (their patterns compile at import).
_LAZY = {
    "ConvertConfig": "convert",
    "convert": "convert",
    "DedupeConfig": "dedupe",
    "dedupe": "dedupe",
    "dedupe_explain": "dedupe",
    "FurnitureConfig": "furniture",
    "remove_furniture": "furniture",
    "JoinConfig": "join",
    "join_explain": "join",
    "join_lines": "join",
    "NormalizeConfig": "normalize",
    "normalize": "normalize",
    "SegmentConfig": "segment",
    "segment": "segment",
    "segment_text": "segment",
    "SpacingConfig": "spacing",
    "spacing": "spacing",
}


def __getattr__(name: str) -> Any:
    stage = _LAZY.get(name)
    if stage is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.stages.{stage}"), name)
    globals()[name] = value  # once found, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def clean(text: str, convert: str | None = None, segment: bool = False) -> str:
    """Run the ``zhclean clean`` pipeline over ``text``; one paragraph per output line.

    ``convert`` names an OpenCC config (``"hk2s"``, ``"t2s"``, …); ``segment`` separates words
    with spaces.

    >>> clean("這 場 改 革")
    '這場改革\\n'
    """
    return "".join(Pipeline.default(convert=convert, segment=segment).stream(text.splitlines(True)))


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
    "__version__",
    "clean",
    "convert",
    "dedupe",
    "dedupe_explain",
    "get_stage",
    "join_explain",
    "join_lines",
    "normalize",
    "registry",
    "remove_furniture",
    "segment",
    "segment_text",
    "spacing",
]
