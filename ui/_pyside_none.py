"""Guard against a reference-count bug in PySide6 6.12 on CPython 3.11.

When C++ calls a Python override that returns a QVariant (QAbstractItemModel.data for a role
the model does not answer, headerData …) and the override returns None, shiboken releases a
reference to None that it never took. On CPython 3.11 None is an ordinary counted object, so
after some thousands of repaints the interpreter aborts with "none_dealloc: deallocating None".
(From CPython 3.12 None is immortal and the bug is harmless.) Returning None is the documented
way to answer "no data", so instead of avoiding it everywhere we give None a reference count no
session can ever run down.
"""
from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 60  # a million stray releases a second would take 36,000 years


def keep_none_alive() -> None:
    """Raise None's reference count far out of reach (CPython before 3.12 only)."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    count = ctypes.c_ssize_t.from_address(id(None))
    if count.value < HEADROOM:
        count.value += HEADROOM
