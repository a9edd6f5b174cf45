"""The open case in Qt terms: the plain document, its undo stack, and a signal after each change.

Every edit goes through here as an undo command; after each one the case is priced again
(`evaluate`, a few milliseconds) and `changed` carries the new result to the views.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from calculator.app import actions
from calculator.engine.case import Case
from calculator.engine.compensation import CompensationResult, section_end
from calculator.core.labels import label
from ui.household.commands import InsertLines, RemoveLines, SetFields
from ui import schedules
from ui.household.document import HouseholdDocument, read_case



class HouseholdSession(QObject):
    """A document plus its QUndoStack; views listen to `changed` and `reset`."""

    changed = Signal(object, bool)   # the CompensationResult; True when lines were added or removed
    reset = Signal()                 # a different case was loaded (or a new one started)
    file_changed = Signal()          # the path or the clean state changed (window title)

    def __init__(self, schedule=None, parent=None):
        super().__init__(parent)
        self.document = HouseholdDocument(schedule or schedules.load())
        self.stack = QUndoStack(self)
        # signal to signal, not a lambda: the stack says cleanChanged as it is destroyed with the session (quit after
        # 不保存), and a lambda then reached a session already gone (RuntimeError on every such quit)
        self.stack.cleanChanged.connect(self.file_changed)
        self._open: SetFields | None = None
        self.read_only = False  # a signed or paid case of the 台账: shown, never changed

    # --- state -------------------------------------------------------------------------------

    @property
    def case(self) -> Case:
        return self.document.case

    @property
    def schedule(self):
        return self.document.schedule

    @property
    def result(self) -> CompensationResult:
        return self.document.result

    @property
    def modified(self) -> bool:
        return not self.stack.isClean()

    def recompute(self, structure: bool) -> None:
        """Called by the commands after they change the case."""
        self.changed.emit(self.document.recompute(), structure)

    # --- edits ----------------------------------------------------------------------------------

    def edit(self, changes: dict[tuple, Any], live: bool = False, text: str | None = None) -> bool:
        """Set values (an undo step). `live`: typing in progress, merged until end_live_edit()."""
        if self.read_only:
            return False
        case = self.case
        if all(actions.get_value(case, path) == value for path, value in changes.items()):
            if not live:
                self.end_live_edit()
            return False
        command = SetFields(self, changes, text or self._describe(changes), open_=live)
        self.stack.push(command)
        top = self.stack.command(self.stack.index() - 1) if self.stack.index() else None
        self._open = top if live and isinstance(top, SetFields) and top.open else None
        if not live:
            self.end_live_edit()
        return True

    def end_live_edit(self) -> None:
        """The editor closed: the next keystroke starts a new undo step."""
        if self._open is not None:
            try:
                self._open.open = False
            except RuntimeError:  # the command was merged away and deleted
                pass
        self._open = None
        top = self.stack.command(self.stack.index() - 1) if self.stack.index() else None
        if isinstance(top, SetFields):
            top.open = False

    def add_line(self, key: str) -> int | None:
        """Add a line for schedule row `key` at the end of its section (the sheet's order); returns its
        index (None when the case is read-only)."""
        if self.read_only:
            return None
        self.end_live_edit()
        at = section_end(self.case, self.schedule, key)
        self.stack.push(InsertLines(self, at, [actions.new_line(key)], f"添加「{key}」"))
        return at

    def remove_lines(self, indices: list[int]) -> None:
        if self.read_only:
            return
        self.end_live_edit()
        indices = sorted(i for i in set(indices) if 0 <= i < len(self.case.items))
        if indices:
            rows = "、".join(str(i + 1) for i in indices[:5]) + ("…" if len(indices) > 5 else "")
            self.stack.push(RemoveLines(self, indices, f"删除第{rows}行"))

    # --- files -------------------------------------------------------------------------------------

    def load(self, case: Case, path: Path | None, modified: bool = False) -> None:
        """Start editing `case` (from `path`); the undo history starts afresh."""
        schedule = schedules.load(case.schedule)
        self._open = None
        self.stack.clear()
        self.stack.setClean()   # clear() keeps a recovered case's mark (no clean state): every case after it was '*'
        self.document = HouseholdDocument(schedule, case, path)
        self.reset.emit()
        self.changed.emit(self.document.result, True)
        if modified:
            # A recovered case differs from its file: mark it so with a no-op step that cannot be undone into.
            self.stack.resetClean()
        self.file_changed.emit()

    def open(self, path: Path) -> None:
        self.load(read_case(path), Path(path))

    def new(self) -> None:
        self.load(Case(schedule=self.schedule.id), None)

    def save(self, path: Path) -> None:
        self.end_live_edit()
        self.document.save(Path(path))
        self.mark_saved()

    def mark_saved(self) -> None:
        """What is on screen has been kept (in a file or the project store)."""
        self.end_live_edit()
        self.stack.setClean()
        self.file_changed.emit()

    # --- helpers --------------------------------------------------------------------------------

    def _describe(self, changes: dict[tuple, Any]) -> str:
        path = next(iter(changes))
        param = self.schedule.params.get(path[-1])
        name = param.label if param else label(path[-1])
        if path[0] == "items":
            return f"修改第{path[1] + 1}行{name}"
        return f"修改{name}"
