"""Running what the user asked for, one way: its error shown, what it changed refreshed (as Anki's CollectionOp).

`run` calls the action. A CalculationError (a StoreError included: the project file busy or read-only, the
server gone) or an OSError (a file that cannot be written) is shown in a message box under the action's
title, and the action counts as not done: None. Otherwise `refresh` runs (the views that show what the
action changed), and the action's answer is given — True when it had none, so `if run(...)` reads "if done"."""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from calculator.core.errors import CalculationError
from ui.lazy import lazy_module

dialogs = lazy_module("ui.dialogs")

T = TypeVar("T")


def os_error_text(error: OSError, path: Any = None) -> str:
    """A system error as the app says it: the reason in Chinese where known (所在磁盘只读 / Read-only file system),
    then the file (the error's own, else `path`)."""
    from calculator.core.files import system_reason
    named = error.filename or path
    return system_reason(error) + (f"({named})" if named else "")


def run(parent, action: Callable[[], T], title: str, *, refresh: Callable[[], Any] | None = None) -> T | bool | None:
    try:
        result = action()
    except CalculationError as error:
        dialogs.show_error(parent, title, error.shown)
        return None
    except OSError as error:
        dialogs.show_error(parent, title, f"文件操作失败:{os_error_text(error)}")
        return None
    if refresh is not None:
        refresh()
    return True if result is None else result


def refused_over_survey(parent, path: Any, title: str) -> bool:
    """Whether a workbook about to be written at `path` would replace a filled-in survey (调查表 with its rows): refused
    and said under `title`, as the command line refuses it. Behind the file dialog's generic 替换吗?, the ledger, the
    template, the summary or a sheet's workbook replaced the field teams' only copy."""
    from pathlib import Path

    from calculator.app.survey import refuse_filled_survey
    return run(parent, lambda: refuse_filled_survey(Path(path)), title) is None
