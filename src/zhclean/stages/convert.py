"""Convert between Traditional and Simplified Chinese with OpenCC, by config name.

The converter for each config is built once per process, on first use: a ``ConvertConfig``
pickles as settings only, so it can be sent to a process pool.

>>> convert("改革「引擎」賦能產業騰飛", ConvertConfig("hk2s"))
'改革「引擎」赋能产业腾飞'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from .base import Explained, StageSpec, register

NAME = "convert"

#: Every OpenCC config zhclean accepts, with what it does.
CONFIGS: dict[str, str] = {
    "s2t": "Simplified to Traditional (OpenCC standard)",
    "t2s": "Traditional (OpenCC standard) to Simplified",
    "s2tw": "Simplified to Traditional (Taiwan)",
    "tw2s": "Traditional (Taiwan) to Simplified",
    "s2hk": "Simplified to Traditional (Hong Kong)",
    "hk2s": "Traditional (Hong Kong) to Simplified",
    "s2twp": "Simplified to Traditional (Taiwan), with Taiwanese phrases",
    "tw2sp": "Traditional (Taiwan) to Simplified, with mainland phrases",
    "t2tw": "Traditional (OpenCC standard) to Taiwan standard",
    "tw2t": "Traditional (Taiwan) to OpenCC standard",
    "t2hk": "Traditional (OpenCC standard) to Hong Kong standard",
    "hk2t": "Traditional (Hong Kong) to OpenCC standard",
    "t2jp": "Traditional (Kyūjitai) to Japanese Shinjitai",
    "jp2t": "Japanese Shinjitai to Traditional (Kyūjitai)",
}


class UnknownConfigError(ValueError):
    """Raised for a conversion config name OpenCC does not have."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown conversion config {name!r}; valid: {', '.join(CONFIGS)}")
        self.name = name


@dataclass(frozen=True)
class ConvertConfig:
    """Settings of the ``convert`` stage.

    config: an OpenCC config name (see :data:`CONFIGS`).
    """

    config: str = "t2s"

    def __post_init__(self) -> None:
        if self.config not in CONFIGS:
            raise UnknownConfigError(self.config)


@cache
def converter(config: str) -> Any:
    """The OpenCC converter for ``config``, built once per process."""
    if config not in CONFIGS:
        raise UnknownConfigError(config)
    import opencc  # lazy: only commands that convert pay for it

    try:
        return opencc.OpenCC(config)
    except Exception:  # the pure-Python package wants "t2s.json"
        return opencc.OpenCC(config + ".json")


def convert(text: str, config: ConvertConfig = ConvertConfig()) -> str:
    """Convert ``text`` with the OpenCC config in ``config``."""
    return str(converter(config.config).convert(text))


def convert_explain(text: str, config: ConvertConfig = ConvertConfig()) -> Explained:
    """Like :func:`convert`; conversion is reported as one summary, not per character."""
    return Explained(convert(text, config))


SPEC = register(
    StageSpec(
        NAME,
        ConvertConfig,
        convert,
        convert_explain,
        summary="convert Traditional <-> Simplified with OpenCC",
    )
)
