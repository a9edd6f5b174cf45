"""A case from start to saved file with the keyboard alone."""
from __future__ import annotations

import json

import pytest
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
    import datetime as dt
    field = ws.relocation.dates["paid_on"]
    assert field.text() == "" and field.edit.text() == "" and field.edit.placeholderText() == "未填"
    field.edit.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_Up)
    assert field.text() == dt.date.today().isoformat()
    assert ws.session.case.relocation["paid_on"] == field.text()
    qtbot.keyClick(field.edit, Qt.Key.Key_Down)
    qtbot.keyClick(field.edit, Qt.Key.Key_Down)
    assert ws.session.case.relocation["paid_on"] == (dt.date.today() - dt.timedelta(days=2)).isoformat()
    field.edit.selectAll()
    qtbot.keyClick(field.edit, Qt.Key.Key_Delete)          # emptied and left: the date is gone again
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert ws.session.case.relocation is None


def test_up_down_and_the_calendar_start_from_the_date_just_typed(qtbot, ws):
    """搬迁日期 2023-08-20 taken, 2023-07-30 typed over it, then Up: the field showed 2023-08-21 and the typed date (a
    50,000 incentive, not 30,000) was gone without a word. F4 opened the calendar on the old month."""
    field = ws.relocation.dates["moved_on"]
    field.set_text("2023-08-20")
    field.edit.setFocus()
    field.edit.selectAll()
    type_text(qtbot, field.edit, "20230730")
    qtbot.keyClick(field.edit, Qt.Key.Key_Up)
    assert field.text() == field.edit.text() == "2023-07-31" == ws.session.case.relocation["moved_on"]
    field.edit.selectAll()
    type_text(qtbot, field.edit, "2023/3/1")
    qtbot.keyClick(field.edit, Qt.Key.Key_Down)
    assert field.text() == "2023-02-28"
    field.edit.selectAll()
    type_text(qtbot, field.edit, "2023-06-05")
    qtbot.keyClick(field.edit, Qt.Key.Key_F4)
    assert field._calendar.selectedDate().toString("yyyy-MM-dd") == "2023-06-05"
    qtbot.keyClick(field._calendar, Qt.Key.Key_Escape)
    field.edit.selectAll()
    type_text(qtbot, field.edit, "2023-02-30")                          # no date: said, nothing stepped
    qtbot.keyClick(field.edit, Qt.Key.Key_Up)
    assert field.edit.text() == "2023-02-30" and "不是有效日期" in field.error()


@pytest.mark.parametrize("typed", ["2023-06-20", "20230620", "2023/6/20", "2023.6.20", "2023年6月20日", "２０２３０６２０"])
def test_a_date_typed_in_any_office_form_is_that_date(qtbot, ws, typed):
    """Into an empty date, and over a filled one: the typed date replaces it, shown as yyyy-MM-dd."""
    field = ws.relocation.dates["paid_on"]
    for start in ("", "2024-05-05"):
        field.set_text(start)
        field.edit.setFocus()
        field.edit.selectAll()
        type_text(qtbot, field.edit, typed)
        qtbot.keyClick(field.edit, Qt.Key.Key_Return)
        assert field.text() == "2023-06-20" and field.edit.text() == "2023-06-20" and field.error() == ""
        assert ws.session.case.relocation["paid_on"] == "2023-06-20"


@pytest.mark.parametrize("typed", ["2023-02-30", "明天", "2023-6/20", "23.6.20", "1800-01-01"])
def test_a_relocation_date_that_is_not_one_stays_as_typed_and_the_case_says_why(qtbot, ws, typed):
    """It used to change nothing: the red text went at the next edit anywhere, and the old date was saved and
    priced as if it were what the assessor typed."""
    ws.session.edit({("relocation", "building_area_m2"): "100"})
    field = ws.relocation.dates["paid_on"]
    field.edit.setFocus()
    type_text(qtbot, field.edit, "2023-06-20")
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert ws.session.result.relocation is not None
    field.edit.selectAll()
    type_text(qtbot, field.edit, typed)
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert field.edit.text() == typed and typed in field.error()
    assert ws.session.case.relocation["paid_on"] == typed                      # what was typed, not the old day
    assert ws.session.result.relocation is None                                # so no allowance is counted …
    assert [p.field for p in ws.session.result.problems if p.block == "relocation"] == ["paid_on"]
    assert ws.relocation.problem.isVisibleTo(ws) and "支付日期" in ws.relocation.problem.text()   # … and it says why
    assert ws.summary.total_caption.text() == "应付合计(不完整:有误的项未计入)"   # the figure is not the sheet's
    ws.session.edit({("relocation", "building_area_m2"): "120"})               # an edit elsewhere keeps it
    assert field.edit.text() == typed and field.error()
    ws.session.stack.undo()
    ws.session.stack.undo()
    assert field.edit.text() == "2023-06-20" and not field.error() and ws.session.result.relocation is not None
    assert ws.summary.total_caption.text() == "应付合计"


def test_a_day_that_does_not_exist_in_the_assessment_date_is_never_saved_over(qtbot, ws, answers, tmp_path):
    """测算日期 cannot hold a text that is no date (the case would not open): it stays red, through edits
    elsewhere too, and nothing is saved, exported or printed until it is mended."""
    field = ws.header.date
    field.edit.setFocus()
    field.edit.selectAll()
    type_text(qtbot, field.edit, "2023-02-30")
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert field.error() and ws.session.case.assessed_on != "2023-02-30"
    head = ws.header.edits[("household", "head")]
    head.setFocus()
    type_text(qtbot, head, "王")                        # an edit elsewhere refreshed the header and wiped the red
    assert field.edit.text() == "2023-02-30" and field.untaken()
    answers.save_path = str(tmp_path / "王建国")
    qtbot.keyClick(ws.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert answers.errors and answers.errors[-1][0] == "未保存" and "测算日期「2023-02-30」" in answers.errors[-1][1]
    assert not (tmp_path / "王建国.json").exists() and "save_path:保存案例" not in answers.asked
    assert not ws.preview() and "测算日期「2023-02-30」" in answers.errors[-1][1]
    field.edit.setFocus()
    field.edit.selectAll()
    type_text(qtbot, field.edit, "2023-2-28")
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    qtbot.keyClick(ws.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert json.loads((tmp_path / "王建国.json").read_text(encoding="utf-8"))["assessed_on"] == "2023-02-28"


def test_a_date_still_being_typed_is_read_before_a_save(qtbot, ws, answers, tmp_path):
    """Ctrl+S with the cursor still in 测算日期 saved the old date: the typing had not been read."""
    answers.save_path = str(tmp_path / "案例")
    field = ws.header.date
    field.edit.setFocus()
    field.edit.selectAll()
    type_text(qtbot, field.edit, "2023-7-1")
    qtbot.keyClick(field.edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert json.loads((tmp_path / "案例.json").read_text(encoding="utf-8"))["assessed_on"] == "2023-07-01"
    field.edit.selectAll()
    type_text(qtbot, field.edit, "2023-13-01")
    qtbot.keyClick(field.edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert answers.errors[-1][0] == "未保存" and "2023-13-01" in answers.errors[-1][1]
    assert json.loads((tmp_path / "案例.json").read_text(encoding="utf-8"))["assessed_on"] == "2023-07-01"


def test_a_relocation_date_field_holds_what_was_typed_not_a_pasted_page(qtbot, ws, answers, tmp_path):
    """Held as typed, a relocation date is still text the case keeps: a long paste or a control character is
    refused in the field alone, and stops a save, as a wrong 测算日期 does."""
    ws.session.edit({("relocation", "building_area_m2"): "100", ("relocation", "paid_on"): "2023-06-28"})
    field = ws.relocation.dates["paid_on"]
    field.edit.setFocus()
    field.edit.selectAll()
    type_text(qtbot, field.edit, "见附件" * 20)
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert ws.session.case.relocation["paid_on"] == "2023-06-28" and field.untaken()
    answers.save_path = str(tmp_path / "案例")
    qtbot.keyClick(ws.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert answers.errors[-1][0] == "未保存" and not (tmp_path / "案例.json").exists()


def test_ctrl_z_in_a_field_with_nothing_of_its_own_to_undo_undoes_the_last_change(qtbot, ws):
    """Cleared 搬迁日期, Tab on to an untouched field, Ctrl+Z: nothing happened, though 编辑 offered 撤销."""
    field = ws.relocation.dates["moved_on"]
    field.set_text("")
    ws.session.edit({("relocation", "building_area_m2"): "100"})
    field.edit.setFocus()
    type_text(qtbot, field.edit, "2023-06-25")
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert ws.session.case.relocation["moved_on"] == "2023-06-25"
    untouched = ws.replacement.edits["main_house_area_m2"]
    untouched.setFocus()
    qtbot.waitUntil(untouched.hasFocus)
    qtbot.keyClick(untouched, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "moved_on" not in ws.session.case.relocation and field.edit.text() == ""
    qtbot.keyClick(untouched, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert ws.session.case.relocation["moved_on"] == "2023-06-25"
    type_text(qtbot, untouched, "96")                               # a field with typing of its own undoes that
    qtbot.keyClick(untouched, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert untouched.text() == "" and ws.session.case.relocation["moved_on"] == "2023-06-25"


def test_every_ledger_action_has_its_own_alt_key_beside_the_menus(window):
    """标记已签字, 标记已支付, 变更记录, 汇总与审计, 导入调查表 … could only be reached by mouse or a long Tab; so could
    新建项目, 打开项目, 连接服务器, 备份, 从备份恢复, 导出调查表模板, 打开到补偿测算 and 修改登记: every button of the 台账 has one."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QPushButton
    menus = {QKeySequence.mnemonic(action.text()) for action in window.menuBar().actions()}
    window.tabs.setCurrentIndex(3)                                  # the 台账 is built when first shown
    buttons = window.ledger.findChildren(QPushButton)
    keys = [QKeySequence.mnemonic(b.text()) for b in buttons if not QKeySequence.mnemonic(b.text()).isEmpty()]
    named = {b.text().split("(")[0] for b in buttons if not QKeySequence.mnemonic(b.text()).isEmpty()}
    assert {"标记已签字", "标记已支付", "变更记录", "汇总与审计", "导入调查表", "核对结算单", "登记住户"} <= named
    assert all(not QKeySequence.mnemonic(b.text()).isEmpty() for b in buttons), [b.text() for b in buttons]
    assert len(keys) == len(set(keys)) and not set(keys) & menus


def test_a_refused_date_of_one_case_is_not_carried_into_the_next(qtbot, ws, answers):
    """Kept red through edits, a refused 测算日期 must still go when another case is opened or a new one started."""
    field = ws.header.date
    field.edit.setFocus()
    field.edit.selectAll()
    type_text(qtbot, field.edit, "2023-02-30")
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert field.untaken()
    answers.drop_untaken = True
    ws.new_file()
    assert field.edit.text() == field.text() and not field.untaken() and ws.untaken_input() is None


def test_a_relocation_year_typed_wrong_is_framed_at_its_date(qtbot, ws):
    """支付日期 2032-06-28 typed for 2023: priced (50,000.00, as moved out within 30 days), and said only in 提示, the
    fifth entry, out of sight; the field looked right. Now framed amber, the warning its tip, until mended."""
    from driver import EXAMPLE
    from ui.widgets import PROBLEM_BORDER, WARNING_BORDER
    assert ws.open_file(EXAMPLE)
    paid, signed = ws.relocation.dates["paid_on"], ws.relocation.dates["signed_on"]
    assert paid.edit.styleSheet() == "" and signed.edit.styleSheet() == ""
    paid.edit.setFocus()
    paid.edit.selectAll()
    type_text(qtbot, paid.edit, "2032-06-28")
    qtbot.keyClick(paid.edit, Qt.Key.Key_Return)
    assert ws.session.result.relocation.incentive == 50000
    assert paid.edit.styleSheet() == WARNING_BORDER and signed.edit.styleSheet() == ""
    assert "请核对年份" in paid.edit.toolTip() and not paid.error()
    signed.edit.setFocus()
    signed.edit.selectAll()
    type_text(qtbot, signed.edit, "2023-05-01")   # before the standard took effect (2023-05-20): said at it too
    qtbot.keyClick(signed.edit, Qt.Key.Key_Return)
    assert signed.edit.styleSheet() == WARNING_BORDER and "早于本标准" in signed.edit.toolTip()
    paid.edit.setFocus()
    paid.edit.selectAll()
    type_text(qtbot, paid.edit, "2023-06-28")
    qtbot.keyClick(paid.edit, Qt.Key.Key_Return)
    assert paid.edit.styleSheet() == "" and paid.edit.toolTip().startswith("可输入")
    paid.edit.selectAll()
    type_text(qtbot, paid.edit, "2023-02-30")   # no such day: red, its reason the tip, over anything to check
    qtbot.keyClick(paid.edit, Qt.Key.Key_Return)
    assert paid.error() and paid.edit.styleSheet() == PROBLEM_BORDER and paid.edit.toolTip() == paid.error()


@pytest.mark.parametrize("keys, row", [((Qt.Key.Key_Home,), 0), ((Qt.Key.Key_End,), -1), ((Qt.Key.Key_Up,), 5),
                                       ((Qt.Key.Key_Up, Qt.Key.Key_Up, Qt.Key.Key_Down), 5)])
def test_ctrl_moves_choose_the_line_delete_then_removes(qtbot, ws, keys, row):
    """Line 7 deleted, undone (chosen again), then Ctrl+Home: the cursor on line 1, line 7 still chosen, and Delete
    removed line 7 again — a money line far from the cursor, said only as 已删除 1 行."""
    from driver import EXAMPLE
    assert ws.open_file(EXAMPLE)
    lines = [line["item"] for line in ws.session.case.items]
    ws.table.setFocus()
    ws.table.setCurrentIndex(ws.model.index(6, COL_QUANTITY))
    said = []
    ws.window().statusBar().messageChanged.connect(said.append)
    qtbot.keyClick(ws.table, Qt.Key.Key_Delete)
    assert said[-1] == f"已删除第7行「{lines[6]}」,可撤销(Ctrl+Z)"
    ws.session.stack.undo()
    for key in keys:
        qtbot.keyClick(ws.table, key, Qt.KeyboardModifier.ControlModifier)
    target = row % len(lines)
    assert ws.table.currentIndex().row() == target and ws.table.selected_rows() == [target]
    qtbot.keyClick(ws.table, Qt.Key.Key_Delete)
    assert [line["item"] for line in ws.session.case.items] == lines[:target] + lines[target + 1:]


def test_ctrl_shift_home_extends_the_choice_to_the_first_line(qtbot, ws):
    """Lines 21–22 chosen (Shift+Down), then Ctrl+Shift+Home: the cursor on line 1, lines 21–22 still chosen, and
    Delete removed them (a reviewer). As a spreadsheet's, it chooses from where the choice began to the first line."""
    from driver import EXAMPLE
    assert ws.open_file(EXAMPLE)
    ws.table.setFocus()
    ws.table.setCurrentIndex(ws.model.index(20, COL_QUANTITY))
    qtbot.keyClick(ws.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert ws.table.selected_rows() == [20, 21]
    qtbot.keyClick(ws.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert ws.table.currentIndex().row() == 0 and ws.table.selected_rows() == list(range(21))
