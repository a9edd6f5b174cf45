"""The land tab's undo step: swap the parcel draft the workspace shows (QUndoStack command)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from calculator.app.land_actions import ParcelDraft

if TYPE_CHECKING:
    from ui.land.workspace import LandWorkspace


class DraftCommand(QUndoCommand):
    """Swap the workspace's draft; consecutive typing in one field merges into one step."""

    def __init__(self, workspace: LandWorkspace, old: ParcelDraft, new: ParcelDraft, text: str, merge_key: str = ""):
        super().__init__(text)
        self.workspace, self.old, self.new, self.merge_key = workspace, old, new, merge_key

    def id(self) -> int:
        return 1 if self.merge_key else -1

    def mergeWith(self, other) -> bool:
        if not isinstance(other, DraftCommand) or other.merge_key != self.merge_key:
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        self.workspace.show_draft(self.new)

    def undo(self) -> None:
        self.workspace.show_draft(self.old)
