"""Every ``>>>`` example in the installed package runs and gives what it shows.

Run against the installed modules (not src/), so the examples are checked as users get them.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import zhclean

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(zhclean.__path__, "zhclean.")
    if m.name != "zhclean.__main__"
)


@pytest.mark.parametrize("name", ["zhclean", *MODULES])
def test_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
