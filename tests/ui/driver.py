"""Drive the household workspace the way an assessor does: picker, keyboard, cell editors."""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

from ui.household.items_model import COL_DISPUTED, COL_PARAMS, COL_QUANTITY, COL_RATE, COL_REMARKS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "household.json"


def type_text(qtbot, widget, text: str) -> None:
    """Type like a user: ASCII as key presses, Chinese as the input method commits it."""
    for chunk in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text):
        if chunk.isascii():
            qtbot.keyClicks(widget, chunk)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(chunk)
            QApplication.sendEvent(widget, event)


def add_item(qtbot, ws, key: str, search: str | None = None) -> int:
    """Ctrl+F, type into the picker, Enter: the line is added at the end of its section (the sheet's
    order) and its first cell is being edited; returns its row."""
    qtbot.keyClick(ws.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert ws.picker.search.hasFocus()
    type_text(qtbot, ws.picker.search, search or key)
    assert ws.picker.current_key() == key, f"picker highlights {ws.picker.current_key()!r}, not {key!r}"
    rows = ws.model.rowCount()
    qtbot.keyClick(ws.picker.search, Qt.Key.Key_Return)
    assert ws.model.rowCount() == rows + 1
    return ws.table.currentIndex().row()


def open_editor(qtbot, ws, row: int, column: int):
    """Move to a cell and press Enter: its editor opens."""
    index = ws.model.index(row, column)
    ws.table.setCurrentIndex(index)
    editor = ws.table.indexWidget(index)
    if editor is None:
        qtbot.keyClick(ws.table, Qt.Key.Key_Return)
        editor = ws.table.indexWidget(index)
    assert editor is not None, f"no editor for row {row} column {column}"
    return editor


def type_cell(qtbot, ws, row: int, column: int, text: str, commit=Qt.Key.Key_Return) -> None:
    """Type `text` into a cell's editor (replacing what it shows) and commit with Enter."""
    editor = open_editor(qtbot, ws, row, column)
    if isinstance(editor, QComboBox):
        target = editor.findText(text)
        assert target >= 0, f"{text!r} not offered: {[editor.itemText(i) for i in range(editor.count())]}"
        while editor.currentIndex() != target:
            qtbot.keyClick(editor, Qt.Key.Key_Down if editor.currentIndex() < target else Qt.Key.Key_Up)
    else:
        assert isinstance(editor, QLineEdit)
        editor.selectAll()
        type_text(qtbot, editor, text)
    qtbot.keyClick(editor, commit)
    qtbot.waitUntil(lambda: ws.table.indexWidget(ws.model.index(row, column)) is None)


def toggle_disputed(qtbot, ws, row: int) -> None:
    ws.table.setCurrentIndex(ws.model.index(row, COL_DISPUTED))
    qtbot.keyClick(ws.table, Qt.Key.Key_Space)


def give_reason(qtbot, ws, reason: str) -> None:
    """Answer the override-reason dialog the last edit opened."""
    qtbot.waitUntil(lambda: ws.reason_dialog is not None and ws.reason_dialog.isVisible())
    dialog = ws.reason_dialog
    type_text(qtbot, dialog.edit, reason)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.reason_dialog is None and ws.window().isActiveWindow())


def enter_line(qtbot, ws, raw: dict) -> int:
    """Enter one case line (as in a case file) through the picker and the table's editors."""
    key = raw["item"]
    row = add_item(qtbot, ws, key)
    fields = ws.model.row(row).fields
    editor = ws.table.indexWidget(ws.model.index(row, ws.model.first_edit_column(row)))
    assert editor is not None and editor.hasFocus(), "the new line's first cell is not being edited"
    if "quantity" in raw and fields.quantity:
        assert ws.model.first_edit_column(row) == COL_QUANTITY
        type_text(qtbot, editor, str(raw["quantity"]))
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    else:
        qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: ws.table.state() != ws.table.State.EditingState)
    for param in fields.params:
        if param.name in raw:
            type_cell(qtbot, ws, row, COL_PARAMS, str(raw[param.name]))
    if fields.rate_field and fields.rate_field in raw:
        type_cell(qtbot, ws, row, COL_RATE, str(raw[fields.rate_field]))
        if "override_reason" in raw:
            give_reason(qtbot, ws, raw["override_reason"])
    if raw.get("disputed"):
        toggle_disputed(qtbot, ws, row)
    if raw.get("note"):
        type_cell(qtbot, ws, row, COL_REMARKS, raw["note"])
    return row


def type_field(qtbot, edit, text: str) -> None:
    """Type into a form field and leave it with Enter."""
    edit.setFocus()
    edit.selectAll()
    type_text(qtbot, edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def set_date(qtbot, field, typed: str) -> None:
    """Type a date into a date field and leave it with Enter."""
    type_field(qtbot, field.edit, typed)
