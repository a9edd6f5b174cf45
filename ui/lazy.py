"""Modules imported on first use, so that start-up does not pay for dialogs it may never show."""
from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    """Stands for a module; the first attribute looked up imports it (tests may patch it as usual)."""

    def __init__(self, name: str):
        self._name = name

    def _module(self) -> ModuleType:
        return importlib.import_module(self._name)

    def __getattr__(self, attr: str):
        return getattr(self._module(), attr)


def lazy_module(name: str) -> LazyModule:
    return LazyModule(name)
