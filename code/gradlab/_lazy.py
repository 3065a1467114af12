"""Packages whose names are imported on first use (PEP 562), so importing them is cheap.

A package declares which submodule provides which public names and calls `attach`:

    __all__, __getattr__, __dir__ = _lazy.attach(__name__, {"chain": ("pull", ...)})

``gradlab.pull`` then imports ``gradlab.chain`` (and torch) the first time it is used.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping


def attach(
    package: str, exports: Mapping[str, tuple[str, ...]]
) -> tuple[list[str], Callable[[str], object], Callable[[], list[str]]]:
    """Return ``__all__``, ``__getattr__`` and ``__dir__`` for ``package``.

    ``exports`` maps a submodule (relative to ``package``) to the public names it
    defines. The first lookup of such a name imports its submodule and stores the
    value in the package, so later lookups are plain attribute access. Any other name
    is tried as a submodule: ``gradlab.gradcheck`` works after ``import gradlab``.
    """
    home = {name: module for module, names in exports.items() for name in names}
    if len(home) != sum(len(names) for names in exports.values()):
        raise ValueError(f"{package}: a name is listed under two submodules")
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> object:
        if name in home:
            module = importlib.import_module(f"{package}.{home[name]}")
            namespace[name] = value = getattr(module, name)
            return value
        if not name.startswith("__") and importlib.util.find_spec(f"{package}.{name}"):
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(home))

    return list(home), __getattr__, __dir__
