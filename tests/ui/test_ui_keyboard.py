"""A case from start to saved file with the keyboard alone."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from driver import type_text
from ui.household.items_model import COL_QUANTITY, COL_RATE, COL_REMARKS

CTRL = Qt.KeyboardModifier.ControlModifier


def focused():
    return QApplication.focusWidget()


def key(qtbot, k, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(focused(), k, modifier)


def test_keyboard_only(qtbot, window, ws, answers, tmp_path):
    key(qtbot, Qt.Key.Key_F, CTRL)
    assert focused() is ws.picker.search
    type_text(qtbot, focused(), "砖混")
    assert ws.picker.current_key() == "附属平房/砖混结构"
    key(qtbot, Qt.Key.Key_Down)                                   # the next match, cursor stays in the box
    assert ws.picker.current_key() == "企业厂房/砖混框架结构" and focused() is ws.picker.search
    key(qtbot, Qt.Key.Key_Up)
    key(qtbot, Qt.Key.Key_Return)                                 # added; the quantity editor has the cursor
    assert ws.table.indexWidget(ws.model.index(0, COL_QUANTITY)) is focused()
    type_text(qtbot, focused(), "35.5")
    key(qtbot, Qt.Key.Key_Tab)                                    # on to the rate, skipping 单位 and 参数
    qtbot.waitUntil(lambda: ws.table.indexWidget(ws.model.index(0, COL_RATE)) is not None)
    rate = ws.table.indexWidget(ws.model.index(0, COL_RATE))
    assert focused() is rate and rate.text() == "750"             # starts at the midpoint
    rate.selectAll()
    type_text(qtbot, rate, "760")
    key(qtbot, Qt.Key.Key_Tab)                                    # on to 备注
    qtbot.waitUntil(lambda: ws.table.indexWidget(ws.model.index(0, COL_REMARKS)) is not None)
    type_text(qtbot, focused(), "东厢房")
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.table.state() != ws.table.State.EditingState)
    assert ws.session.case.items == [{"item": "附属平房/砖混结构", "quantity": "35.5", "rate": "760", "note": "东厢房"}]
    assert ws.summary.total.text() == "26,980.00 元"

    key(qtbot, Qt.Key.Key_F6)                                     # picker → table → relocation
    assert focused() is ws.relocation.area
    type_text(qtbot, focused(), "35.5")
    key(qtbot, Qt.Key.Key_Return)
    assert ws.relocation.moving.text() == "355.00 元"
    assert ws.summary.total.text() == "32,447.00 元"              # + 355 moving + 24 months × 213.00

    key(qtbot, Qt.Key.Key_Z, CTRL)                                # the area goes
    assert ws.session.case.relocation is None and ws.summary.total.text() == "26,980.00 元"
    key(qtbot, Qt.Key.Key_Y, CTRL)
    assert ws.summary.total.text() == "32,447.00 元"

    key(qtbot, Qt.Key.Key_T, CTRL)
    assert focused() is ws.table
    ws.table.setCurrentIndex(ws.model.index(0, 0))
    answers.save_path = str(tmp_path / "keyboard")
    key(qtbot, Qt.Key.Key_S, CTRL)
    saved = json.loads((tmp_path / "keyboard.json").read_text(encoding="utf-8"))
    assert saved["items"][0]["rate"] == "760" and saved["relocation"] == {"building_area_m2": "35.5"}

    key(qtbot, Qt.Key.Key_Delete)                                 # Delete on the table removes the line
    assert ws.session.case.items == [] and ws.session.modified


def test_an_empty_date_steps_from_today(qtbot, ws):
    from PySide6.QtCore import QDate
    field = ws.relocation.dates["paid_on"]
    assert field.text() == "" and field.edit.text() == "未填"
    field.edit.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_Up)
    assert field.text() == QDate.currentDate().toString("yyyy-MM-dd")
    assert ws.session.case.relocation["paid_on"] == field.text()
    qtbot.keyClick(field.edit, Qt.Key.Key_Delete)          # Delete empties it again
    assert ws.session.case.relocation is None
