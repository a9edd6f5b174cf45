"""Guard against a reference-count bug in PySide6 6.12 on CPython 3.11.

When C++ calls a Python override that returns a QVariant (QAbstractItemModel.data for a role
the model does not answer, headerData …) and the override returns None, shiboken releases a
reference to None that it never took. A bool passed by a signal to a Python slot (the household
session's `changed(result, structure)`, sent after every edit) does the same to True or False.
On CPython 3.11 these are ordinary counted objects, so after some thousands of repaints or edits
the interpreter aborts with "none_dealloc: deallocating None" or "bool_dealloc". (From CPython
3.12 they are immortal and the bug is harmless.) Returning None and sending a bool are the
documented ways, so instead of avoiding them everywhere we give the three a reference count no
session can ever run down.
"""
from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 60  # a million stray releases a second would take 36,000 years


def keep_singletons_alive() -> None:
    """Raise the reference counts of None, True and False far out of reach (CPython before 3.12 only)."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))
        if count.value < HEADROOM:
            count.value += HEADROOM
