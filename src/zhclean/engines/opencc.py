"""One adapter over the two packages that install the module ``opencc``.

- ``opencc`` (PyPI; the official C++ OpenCC binding): current dictionaries, fast.
- ``opencc-python-reimplemented``: pure Python, dictionaries frozen in 2017, and config files
  only for ten of the conversions. The other four (``tw2t``, ``hk2t``, ``t2jp``, ``jp2t``) are
  assembled here from the dictionaries it ships, the way OpenCC's own config files chain them.

Both accept a bare config name (``"t2s"``); only the official one also takes ``"t2s.json"``,
so the adapter always passes the bare name.

>>> build("hk2s").convert("賦能產業騰飛")
'赋能产业腾飞'
"""

from __future__ import annotations

import importlib.util
import os
import re
from functools import cache
from typing import Any, Protocol

OFFICIAL = "opencc"
REIMPLEMENTED = "opencc-python-reimplemented"

# Lone surrogates cannot be encoded as UTF-8, which the official binding needs, and its
# two-step configs (hk2s, tw2s, ...) cut the text at a NUL: both are passed around it.
_SURROGATES = re.compile("[\x00\ud800-\udfff]+")


class Converter(Protocol):
    """What every converter offers."""

    def convert(self, text: str) -> str: ...


def _module_dir() -> str | None:
    spec = importlib.util.find_spec("opencc")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    return next(iter(spec.submodule_search_locations))


def engine() -> tuple[str, str] | None:
    """The distribution that provides the module ``opencc`` and its version, or None.

    Reads package metadata and the package's files; imports nothing. When both packages are
    installed (they must not be: the last one installed overwrote the other's files), the
    one whose files are in place is named.
    """
    name = _installed()
    if name is None:
        return None
    from importlib import metadata  # only for --version: it costs 50 ms to import

    try:
        return name, metadata.version(name)
    except metadata.PackageNotFoundError:
        return name, "unknown"


def _installed() -> str | None:
    """Which of the two packages provides the module ``opencc`` (see :func:`engine`), or None:
    from its files alone, without package metadata (importing ``importlib.metadata`` costs more
    than building a converter)."""
    where = _module_dir()
    if where is None:
        return None
    return REIMPLEMENTED if os.path.isdir(os.path.join(where, "config")) else OFFICIAL


class _Official:
    """The official binding, made safe for any Python string."""

    def __init__(self, config: str) -> None:
        import opencc

        self._cc = opencc.OpenCC(config)

    def convert(self, text: str) -> str:
        if not text:
            return text
        if "\x00" not in text:  # memchr-fast; a regex scan would cost a tenth of the convert
            try:
                return str(self._cc.convert(text))
            except UnicodeEncodeError:  # lone surrogates
                pass
        # convert the encodable runs between lone surrogates, leave the surrogates as they are
        out: list[str] = []
        pos = 0
        for m in _SURROGATES.finditer(text):
            out.append(str(self._cc.convert(text[pos : m.start()])) if m.start() > pos else "")
            out.append(m.group())
            pos = m.end()
        out.append(str(self._cc.convert(text[pos:])))
        return "".join(out)


# The conversions opencc-python-reimplemented has no config file for, as chains of groups of
# its dictionary files (OpenCC's own config files chain them the same way).
_ASSEMBLED: dict[str, list[list[str]]] = {
    "tw2t": [["TWVariantsRevPhrases.txt", "TWVariantsRev.txt"]],
    "hk2t": [["HKVariantsRevPhrases.txt", "HKVariantsRev.txt"]],
    "t2jp": [["JPVariants.txt"]],
    "jp2t": [["~JPVariants.txt"]],  # ~: the dictionary read backwards
}


def _read_dict(path: str, reverse: bool) -> tuple[int, int, dict[str, str]]:
    table: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key, _, values = line.rstrip("\n").partition("\t")
            if not values:
                continue
            if reverse:
                for v in values.split(" "):
                    table.setdefault(v, key)
            else:
                table[key] = values.split(" ")[0]
    lengths = [len(k) for k in table] or [1]
    return max(lengths), min(lengths), table


def _reimplemented(config: str) -> Any:
    import opencc

    if config not in _ASSEMBLED:
        return opencc.OpenCC(config)
    cc = opencc.OpenCC()  # no config: fill in the chain it would have read from a file
    folder = os.path.join(os.path.dirname(opencc.__file__), "dictionary")
    cc.conversion = config
    cc._dict_chain_data = [
        [_read_dict(os.path.join(folder, f.lstrip("~")), f.startswith("~")) for f in group]
        for group in _ASSEMBLED[config]
    ]
    cc._dict_init_done = True
    return cc


@cache
def build(config: str) -> Converter:
    """The converter for the OpenCC config ``config`` (a bare name), built once per process.

    Raises ImportError when neither package is installed.
    """
    found = _installed()
    if found is None:
        raise ImportError(
            "no OpenCC package is installed: pip install opencc (or opencc-python-reimplemented)"
        )
    if found == OFFICIAL:
        return _Official(config)
    return _reimplemented(config)  # type: ignore[no-any-return]
