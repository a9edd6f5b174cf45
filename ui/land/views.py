"""The land tab's pieces of view: wrapping labels, read-out tables, a combo editor."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QLabel, QLineEdit, QSizePolicy, QStyledItemDelegate,
    QTableView, QWidget,
)

from ui.widgets import HalfWidth, pass_undo_through


class ComboDelegate(QStyledItemDelegate):
    """A combo box editor that commits as soon as a choice is made."""

    def __init__(self, choices: list[str], parent=None):
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent, option, index):
        combo = QComboBox(parent)
        combo.addItems(self.choices)
        combo.activated.connect(lambda _=0, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor, index):
        editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole))

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class NumberDelegate(QStyledItemDelegate):
    """A cell's line editor that makes full-width digits half-width as they are typed (ui.widgets.HalfWidth), and
    says when something is typed in it (`typed`: the autosave keeps what an editor holds before it is given)."""

    typed = Signal()

    def createEditor(self, parent, option, index):
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit):
            editor.setValidator(HalfWidth(editor))
            editor.textEdited.connect(lambda _text: self.typed.emit())
            pass_undo_through(editor)   # Ctrl+Z in an area just opened (添加部分) undoes the parcel's last change
        return editor


def wrapping(text: str = "") -> QLabel:
    """A label that wraps its lines instead of widening the page."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


class PartsTable(QTableView):
    """The parts table: a typed cell's editor opens as the cell becomes current, a drop-down's (用途, 单位) only on
    typing, F2 or a double click. Opened as it became current, it took the Down that moved on as a new choice
    (商服用地 became 住宅用地 without a word).

    A typed cell's editor opened by moving to it, its text as shown, takes Left and Right as moves to the next cell
    until something is typed or the text is clicked into: they moved the text's cursor, and the 30 typed next for the
    term went onto the area, 5 亩 made 530 亩 without a word. Opened by F2 or a double click, they move in the text."""

    typed_columns: frozenset[int] = frozenset()

    def edit(self, index, trigger=None, event=None):
        if trigger is None:   # the public edit(index)
            return super().edit(index)
        moving = trigger == QAbstractItemView.EditTrigger.CurrentChanged
        if moving and index.column() not in self.typed_columns:
            return False
        opened = super().edit(index, trigger, event)
        if opened and moving and isinstance(self.indexWidget(index), QLineEdit):
            self.indexWidget(index).installEventFilter(self)
        return opened

    def eventFilter(self, watched, event) -> bool:
        if isinstance(watched, QLineEdit) and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier \
                and not watched.isModified() and watched.selectedText() == watched.text():   # as opened
            here = self.currentIndex()
            there = here.siblingAtColumn(here.column() + (1 if event.key() == Qt.Key.Key_Right else -1))
            if there.isValid():   # at the table's edge, the key is the text's
                self.setCurrentIndex(there)
                return True
        return super().eventFilter(watched, event)


def table_view(model, stretch_last: bool = False, view: QTableView | None = None) -> QTableView:
    """A table of `model` (in `view`, else a plain one) with alternating rows, centred headers and whole rows selected;
    Tab leaves it (the arrows move inside), as in 补偿测算: Tab went round a table's cells and never reached the buttons
    and fields after it."""
    view = view or QTableView()
    view.setModel(model)
    view.setTabKeyNavigation(False)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setDefaultSectionSize(24)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
    view.horizontalHeader().setStretchLastSection(stretch_last)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    return view
