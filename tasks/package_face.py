"""The face of a stage package: one import path for names that now live in the package's modules.

``tasks.parse`` and ``tasks.fetch`` were single modules; scripts and tests outside the repo import their names
from there (``from tasks.parse import parse_html``) and some replace one of them for a test
(``monkeypatch.setattr(tasks.fetch, "_resolve", fake)``). The package's ``__init__`` re-exports every such
name; :func:`install` then makes assignments to the package forward to each of its modules that binds the same
name, so replacing ``tasks.fetch._resolve`` still changes what the address guard calls, and undoing the
replacement restores it everywhere.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _Face(types.ModuleType):
    """A package module whose attribute assignments also reach its already-imported modules."""

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        prefix = self.__name__ + "."
        for mod_name, mod in list(sys.modules.items()):
            if mod is not None and mod_name.startswith(prefix) and name in vars(mod):
                setattr(mod, name, value)


def install(package_name: str) -> None:
    """Turn the already-imported package ``package_name`` into a forwarding face.

    Call it last in the package's ``__init__`` (after the re-exports), so the imports themselves are not
    forwarded. Raises ``KeyError`` when the package has not been imported.
    """
    sys.modules[package_name].__class__ = _Face
