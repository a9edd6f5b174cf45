"""Undo steps for the case: set fields, insert lines, remove lines (QUndoStack commands).

Each command changes the document through calculator.app.actions and asks the session to
recompute; undoing sets back exactly the raw values it replaced, so totals come back exactly.
Typing in a cell or field pushes one command per keystroke that merges into the previous one
while the same editor is still open (`open`), so one edit is one undo step.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from calculator.app import actions

MERGE_ID = 1001


class SetFields(QUndoCommand):
    """Set one or more values of the case (paths as in calculator.app.actions)."""

    def __init__(self, session, changes: dict[tuple, Any], text: str, open_: bool = False):
        super().__init__(text)
        self.session = session
        self.changes = dict(changes)
        self.old: dict[tuple, Any] | None = None
        self.open = open_

    def redo(self) -> None:
        case = self.session.document.case
        old = {path: actions.set_value(case, path, value) for path, value in self.changes.items()}
        if self.old is None:
            self.old = old
        self.session.recompute(structure=False)

    def undo(self) -> None:
        self.open = False  # typing after an undo starts a new step
        case = self.session.document.case
        for path in reversed(list(self.old)):
            actions.set_value(case, path, self.old[path])
        self.session.recompute(structure=False)

    def id(self) -> int:
        return MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Typing in progress (open) takes in the next keystroke's change; and the change closing it, which may set
        more (a rate typed back within the standard takes its reason out with it): one undo step for both."""
        if not (self.open and isinstance(other, SetFields) and self.changes.keys() <= other.changes.keys()):
            return False
        for path in other.changes.keys() - self.changes.keys():
            self.old[path] = other.old[path]
        self.changes = dict(other.changes)
        self.open = other.open
        if all(self.old[path] == value for path, value in self.changes.items()):
            self.setObsolete(True)
        return True


class InsertLines(QUndoCommand):
    """Add lines at a position (the picker adds one at the end)."""

    def __init__(self, session, at: int, lines: list[dict], text: str):
        super().__init__(text)
        self.session, self.at, self.lines = session, at, [dict(line) for line in lines]

    def redo(self) -> None:
        actions.insert_lines(self.session.document.case, self.at, self.lines)
        self.session.recompute(structure=True)

    def undo(self) -> None:
        actions.remove_lines(self.session.document.case, list(range(self.at, self.at + len(self.lines))))
        self.session.recompute(structure=True)


class RemoveLines(QUndoCommand):
    """Delete lines; undo puts each back where it was."""

    def __init__(self, session, indices: list[int], text: str):
        super().__init__(text)
        self.session, self.indices = session, sorted(set(indices))
        self.removed: list[tuple[int, dict]] = []

    def redo(self) -> None:
        self.removed = actions.remove_lines(self.session.document.case, self.indices)
        self.session.recompute(structure=True)

    def undo(self) -> None:
        actions.restore_lines(self.session.document.case, self.removed)
        self.session.recompute(structure=True)
