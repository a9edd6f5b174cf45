"""What the main window asks of a workspace tab (补偿测算 now; 地价测算, 标准查阅, 台账 later).

A workspace that edits files sets `has_files` and implements the file methods; the window
routes its menu actions to the current tab and shows that tab's undo stack and title.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


class Workspace(QWidget):
    """Base class of a main-window tab."""

    title = ""              # the tab's name
    has_files = False       # new/open/save/save-as apply
    has_exports = False     # export PDF/Excel apply
    status = Signal(str)    # a short message for the status bar
    title_changed = Signal()

    def undo_stack(self):
        """The tab's QUndoStack, or None."""
        return None

    def document_title(self) -> str:
        """What the window title shows for this tab (a file name, with * when modified)."""
        return self.title

    def confirm_close(self) -> bool:
        """May the window close (unsaved changes saved or given up)?"""
        return True

    def shutdown(self) -> None:
        """The window is closing for good."""

    def focus_search(self) -> None:
        """Ctrl+F."""
