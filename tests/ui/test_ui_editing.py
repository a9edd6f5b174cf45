"""Cell editing: the picker, live amounts, range rates and reasons, bad cells, deleting, Escape."""
from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from calculator.app import actions
from calculator.engine.case import Case
from calculator.engine.compensation import compute
from calculator.core.money import fmt_grouped
from calculator.core.rates import OVERRIDE
from driver import add_item, give_reason, open_editor, toggle_disputed, type_cell, type_text
from ui.household.picker import KEY_ROLE
from ui.household.items_model import (COL_AMOUNT, COL_PARAMS, COL_QUANTITY, COL_RATE, COL_REMARKS, ERROR_BG,
                                      HINT_ROLE, OVERRIDE_BG, PROBLEM_ROLE, VALUE_ROLE)


def cell(ws, row, column, role=Qt.ItemDataRole.DisplayRole):
    return ws.model.index(row, column).data(role)


def line(qtbot, ws, key, quantity):
    row = add_item(qtbot, ws, key)
    index = ws.model.index(row, COL_QUANTITY)
    editor = ws.table.indexWidget(index)
    type_text(qtbot, editor, quantity)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.table.indexWidget(index) is None)  # the delegate commits on the next turn
    return row


def test_a_quantity_typed_in_full_width_is_the_number_it_reads(qtbot, ws):
    """A Chinese input method in full-width mode commits ３５．５: the cell shows and holds 35.5 (700 元/m² × 35.5);
    another script's digits (٣٥) are kept as typed and refused on the cell, never read as a number."""
    row = line(qtbot, ws, "附属平房/砖木结构(含混合结构)", "３５．５")
    assert ws.session.case.items[row]["quantity"] == "35.5" and cell(ws, row, COL_AMOUNT) == "24,850.00"
    other = line(qtbot, ws, "附属平房/砖木结构(含混合结构)", "٣٥")
    assert ws.session.case.items[other]["quantity"] == "٣٥" and "不是数值" in ws.model.row(other).problem.zh


@pytest.mark.parametrize("typed, refused", [("1,5", "逗号只能作千位分隔符"), ("1，5", "逗号只能作千位分隔符"),
                                            ("1。5", "不是数值"), ("1 5", "不是数值"), ("4.2万", "不是数值"),
                                            ("-5", "数量应为正数")])
def test_a_key_the_number_cannot_hold_is_kept_and_refused_never_dropped(qtbot, ws, typed, refused):
    """The editor dropped a key it did not expect and kept the digits after it: 1,5 and 1。5 were 15 (ten times
    the house), 4.2万 was 4.2 元, -5 was 5. What is typed is kept, and the cell says why it is not a number."""
    row = line(qtbot, ws, "附属平房/砖木结构(含混合结构)", typed)
    assert ws.session.case.items[row]["quantity"] == typed.replace("，", ",")
    assert refused in ws.model.row(row).problem.zh and cell(ws, row, COL_AMOUNT) in ("", None, "—")


def test_every_decimal_typed_is_kept_and_can_move_a_tree_into_its_bracket(qtbot, ws):
    """15.05 cm typed into a 1-decimal field was cut to 15.0 (142 元 a tree instead of 192): every digit is kept."""
    row = add_item(qtbot, ws, "用材树/杨树")
    qtbot.keyClick(ws.table.focusWidget(), Qt.Key.Key_Escape)
    type_cell(qtbot, ws, row, COL_QUANTITY, "6")
    type_cell(qtbot, ws, row, COL_PARAMS, "15.05")
    assert ws.session.case.items[row]["diameter_cm"] == "15.05" and cell(ws, row, COL_AMOUNT) == "1,152.00"


def test_picker_filters_chinese_as_you_type(qtbot, ws):
    def shown(text):
        ws.picker.search.clear()
        type_text(qtbot, ws.picker.search, text)
        return {leaf.data(KEY_ROLE) for leaf in ws.picker._visible_leaves()}

    assert {"附属平房/砖混结构", "企业厂房/砖混框架结构"} <= shown("砖混")
    assert "用材树/杨树" in shown("杨")
    assert ws.picker.current_key() == "用材树/杨树"
    current = ws.picker.tree.currentIndex()
    assert "元/株" in current.siblingAtColumn(1).data()          # each row shows its standard and unit
    assert not any(key.startswith("房屋面积置换") for key in shown("置换"))  # the replacement block, not a line


def test_enter_adds_the_item_and_edits_its_quantity(qtbot, ws):
    row = add_item(qtbot, ws, "菜窖/砖石", search="菜窖")
    assert ws.session.case.items[row] == {"item": "菜窖/砖石"}
    editor = ws.table.indexWidget(ws.model.index(row, COL_QUANTITY))
    assert editor is not None and editor.hasFocus()
    assert editor.suffix() == "m²"


def test_amount_follows_the_typing(qtbot, ws):
    row = add_item(qtbot, ws, "附属平房/砖木结构(含混合结构)", search="砖木")
    editor = ws.table.indexWidget(ws.model.index(row, COL_QUANTITY))
    type_text(qtbot, editor, "10")
    assert cell(ws, row, COL_AMOUNT) == "7,000.00"      # before Enter
    type_text(qtbot, editor, ".5")
    assert cell(ws, row, COL_AMOUNT) == "7,350.00"
    assert cell(ws, row, COL_AMOUNT, VALUE_ROLE) == Decimal("7350.00")
    assert ws.summary.total.text() == "7,350.00 元"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert ws.session.stack.count() == 2                 # add + one edit, however many keys


def test_the_rates_standard_gives_way_to_the_rate_in_a_narrow_column(qtbot, ws):
    """At 150% the 单价 cell read 中值 3000–40003,500.00: the grey standard ran into the rate."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QStyleOptionViewItem
    row = line(qtbot, ws, "大门/普通装修", "1")
    index = ws.table.model().index(row, COL_RATE)
    assert index.data() == "3,500.00" and index.data(HINT_ROLE) == "中值 3000–4000"
    option = QStyleOptionViewItem()
    option.initFrom(ws.table)
    font = option.font
    font.setPointSizeF(font.pointSizeF() * 0.85)
    small, usual = QFontMetrics(font), option.fontMetrics
    for width in (400, 150, 120, 100, 80, 60):
        option.rect = QRect(0, 0, width, 30)
        hint = ws.table.rate_delegate.fitted_hint("中值 3000–4000", font, option, index)
        assert hint in ("中值 3000–4000", "") or hint.endswith("…")
        assert not hint or small.horizontalAdvance(hint) + usual.horizontalAdvance("3,500.00") <= width - 10
    option.rect = QRect(0, 0, 400, 30)
    assert ws.table.rate_delegate.fitted_hint("中值 3000–4000", font, option, index) == "中值 3000–4000"


def test_range_rate_starts_at_the_midpoint_and_shows_its_range(qtbot, ws):
    row = line(qtbot, ws, "附属平房/砖混结构", "10")
    assert cell(ws, row, COL_RATE) == "750.00"
    assert cell(ws, row, COL_RATE, HINT_ROLE) == "中值 700–800"
    editor = open_editor(qtbot, ws, row, COL_RATE)
    assert editor.text() == "750" and "700–800" in editor.suffix()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert "rate" not in ws.session.case.items[row]     # opening the editor changed nothing
    assert any("按区间中值" in ws.summary.warnings.item(i).text() for i in range(ws.summary.warnings.count()))


def test_a_rate_outside_the_range_needs_a_reason(qtbot, ws):
    row = line(qtbot, ws, "附属平房/砖混结构", "10")
    type_cell(qtbot, ws, row, COL_RATE, "900")
    qtbot.waitUntil(lambda: ws.reason_dialog is not None and ws.reason_dialog.isVisible())
    assert "单价 900.00 超出区间 700.00–800.00" in ws.reason_dialog.message.text()
    assert not ws.reason_dialog.ok.isEnabled()                   # no reason, no OK
    type_text(qtbot, ws.reason_dialog.edit, "\u3164 ")
    assert not ws.reason_dialog.ok.isEnabled()                   # a Hangul filler draws as nothing: no reason either
    qtbot.keyClick(ws.reason_dialog.edit, Qt.Key.Key_Escape)   # cancel: nothing changes
    qtbot.waitUntil(lambda: ws.reason_dialog is None)
    assert "rate" not in ws.session.case.items[row]
    assert ws.summary.total.text() == "7,500.00 元"

    type_cell(qtbot, ws, row, COL_RATE, "900")
    give_reason(qtbot, ws, "framework upgrade 见评估报告")
    raw = ws.session.case.items[row]
    assert raw["rate"] == "900" and raw["override_reason"] == "framework upgrade 见评估报告"
    assert OVERRIDE in ws.model.row(row).priced.flags
    assert cell(ws, row, COL_RATE, Qt.ItemDataRole.BackgroundRole) == OVERRIDE_BG
    assert cell(ws, row, COL_RATE, HINT_ROLE) == "700–800"        # the standard it departs from
    assert "超标准(理由:framework upgrade 见评估报告)" in cell(ws, row, COL_REMARKS)
    assert ws.summary.total.text() == "9,000.00 元"
    ws.table.setFocus()
    qtbot.keyClick(ws.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step: rate and reason
    assert "rate" not in ws.session.case.items[row] and "override_reason" not in ws.session.case.items[row]


def test_a_rate_typed_in_full_width_outside_the_range_asks_for_its_reason(qtbot, ws):
    """９００ as a Chinese input method types it is 900: it asks for the reason as 900 does. The field made it
    half-width as typed, which Qt counts as no edit, and the rate was dropped without a word (the midpoint kept)."""
    row = line(qtbot, ws, "附属平房/砖混结构", "10")
    type_cell(qtbot, ws, row, COL_RATE, "９００")
    give_reason(qtbot, ws, "见评估报告第4页")
    raw = ws.session.case.items[row]
    assert (raw["rate"], raw["override_reason"]) == ("900", "见评估报告第4页")
    assert ws.summary.total.text() == "9,000.00 元"


def test_a_rate_typed_back_within_the_standard_takes_its_reason_out_with_it(qtbot, ws):
    """850 with its reason, then 750 typed: the reason stayed in the case, no sheet printed it, and a warning that it
    was unused stood on the line with no way in the app to take the reason out."""
    row = line(qtbot, ws, "附属平房/砖混结构", "10")
    type_cell(qtbot, ws, row, COL_RATE, "850")
    give_reason(qtbot, ws, "带门楼")
    type_cell(qtbot, ws, row, COL_RATE, "750")
    raw = ws.session.case.items[row]
    assert raw["rate"] == "750" and "override_reason" not in raw
    assert not [w for w in ws.session.result.warnings if "理由" in w.zh] and ws.summary.total.text() == "7,500.00 元"
    ws.table.setFocus()
    qtbot.keyClick(ws.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step brings both back
    raw = ws.session.case.items[row]
    assert (raw["rate"], raw["override_reason"]) == ("850", "带门楼")


def test_decoration_outside_its_range_also_needs_a_reason(qtbot, ws):
    row = line(qtbot, ws, "室外台阶或楼梯/砖台阶", "5")
    type_cell(qtbot, ws, row, COL_PARAMS, "50")
    give_reason(qtbot, ws, "tiles")
    assert ws.session.case.items[row]["decoration_pct"] == "50"
    assert cell(ws, row, COL_PARAMS) == "装潢增加50%"


def test_a_bad_cell_shows_the_engine_message_and_the_total_stays_right(qtbot, ws):
    good = line(qtbot, ws, "附属平房/砖木结构(含混合结构)", "20")
    bad = line(qtbot, ws, "菜窖/砖石", "8")
    type_cell(qtbot, ws, bad, COL_PARAMS, "0")
    info = ws.model.row(bad)
    assert info.problem is not None and info.problem_field == "depth_m"
    index = ws.model.index(bad, COL_PARAMS)
    assert index.data(Qt.ItemDataRole.BackgroundRole) == ERROR_BG
    assert "深度(m)应为正数" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(PROBLEM_ROLE) == info.problem.shown == "第2行「菜窖/砖石」: 深度(m)应为正数,不是 0"
    assert cell(ws, bad, COL_AMOUNT) == "—"
    assert ws.banner.isVisible() and "<b>1</b> 行" in ws.banner.text()
    only_good = Case(items=[ws.session.case.items[good]])
    assert ws.summary.total.text() == f"{fmt_grouped(compute(only_good).total)} 元" == "14,000.00 元"
    ws.banner.linkActivated.emit("#first")             # 转到第一处
    assert ws.table.currentIndex() == index

    type_cell(qtbot, ws, bad, COL_PARAMS, "1.6")
    assert not ws.banner.isVisible()
    assert ws.summary.total.text() == "15,360.00 元"


def test_a_missing_quantity_is_flagged_on_its_cell(qtbot, ws):
    row = add_item(qtbot, ws, "围墙/砖围墙", search="砖围墙")
    qtbot.keyClick(ws.table.indexWidget(ws.model.index(row, COL_QUANTITY)), Qt.Key.Key_Escape)
    assert ws.model.row(row).problem_field == "quantity"
    assert cell(ws, row, COL_QUANTITY, Qt.ItemDataRole.BackgroundRole) == ERROR_BG
    assert "缺少数量" in cell(ws, row, COL_QUANTITY, Qt.ItemDataRole.ToolTipRole)


def test_drop_downs_for_stage_and_host(qtbot, ws):
    line(qtbot, ws, "窑洞/砖石窑洞", "30")
    line(qtbot, ws, "附属平房/砖混结构", "40")
    grapes = line(qtbot, ws, "葡萄", "2")
    editor = open_editor(qtbot, ws, grapes, COL_PARAMS)
    assert [editor.itemText(i) for i in range(editor.count())] == ["未挂果", "初果期", "中果期", "盛果期"]
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    type_cell(qtbot, ws, grapes, COL_PARAMS, "中果期")
    assert cell(ws, grapes, COL_AMOUNT) == "480.00"

    shed = line(qtbot, ws, "歇厦、雨搭", "10")
    editor = open_editor(qtbot, ws, shed, COL_PARAMS)
    offered = [editor.itemText(i) for i in range(editor.count())]
    assert offered[:2] == ["窑洞/砖石窑洞", "附属平房/砖混结构"]   # this case's houses first
    assert "企业厂房/钢结构" in offered                         # then the schedule's others
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    type_cell(qtbot, ws, shed, COL_PARAMS, "附属平房/砖混结构")
    assert cell(ws, shed, COL_RATE) == "375.00"                  # half the host's midpoint 750
    assert cell(ws, shed, COL_AMOUNT) == "3,750.00"
    # its host's midpoint, not its own (it has no range): the tip said 未填单价,按区间中值计
    assert cell(ws, shed, COL_RATE, Qt.ItemDataRole.ToolTipRole).endswith("依附房屋在本户无单价,按其区间中值计")


def test_disputed_is_listed_but_held_out(qtbot, ws):
    row = line(qtbot, ws, "杂棚", "15")
    toggle_disputed(qtbot, ws, row)
    assert ws.session.case.items[row]["disputed"] is True
    assert ws.summary.total.text() == "0.00 元"
    assert ws.summary.disputed.text() == "525.00 元"
    assert cell(ws, row, COL_AMOUNT) == "525.00"
    toggle_disputed(qtbot, ws, row)
    assert "disputed" not in ws.session.case.items[row]


def test_the_tables_menu_marks_the_chosen_lines_disputed_from_any_cell(qtbot, ws):
    """The 有争议 column stands right of 金额, out of view at 1366×768, and Space marks a line only from that column: the
    table's right-click menu (and 编辑) marks the chosen lines from any cell, clears the mark when each carries it, and
    is one undo step."""
    line(qtbot, ws, "杂棚", "15")
    line(qtbot, ws, "附属平房/钢结构", "10")
    total = ws.summary.total.text()
    ws.table.setFocus()
    ws.table.setCurrentIndex(ws.model.index(0, COL_QUANTITY))
    qtbot.keyClick(ws.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    action = next(action for action in ws.table.actions() if "有争议" in action.text())
    assert action in ws.window().menuBar().actions()[1].menu().actions()
    action.trigger()
    assert [raw.get("disputed") for raw in ws.session.case.items] == [True, True]
    assert ws.summary.total.text() == "0.00 元"
    assert ws.summary.disputed.text() == "12,525.00 元"   # 15 × 35 + 10 × 1,200
    action.trigger()
    assert [raw.get("disputed") for raw in ws.session.case.items] == [None, None]
    assert ws.summary.total.text() == total
    qtbot.keyClick(ws.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [raw.get("disputed") for raw in ws.session.case.items] == [True, True]
    ws.session.edit({("items", 0, "disputed"): actions.ABSENT})
    action.trigger()   # one of the two marked: both are marked
    assert [raw.get("disputed") for raw in ws.session.case.items] == [True, True]


@pytest.mark.parametrize("typed", ["99", "９９"])   # full width too: made half-width as typed, still an edit
def test_escape_takes_back_the_typing(qtbot, ws, typed):
    row = line(qtbot, ws, "附属平房/钢结构", "10")
    editor = open_editor(qtbot, ws, row, COL_QUANTITY)
    editor.selectAll()
    type_text(qtbot, editor, typed)
    assert ws.summary.total.text() == "118,800.00 元"
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert ws.session.case.items[row]["quantity"] == "10"
    assert ws.summary.total.text() == "12,000.00 元"
    assert ws.session.stack.count() == 2


def test_delete_key_removes_lines_and_undo_puts_them_back(qtbot, ws):
    first = line(qtbot, ws, "附属平房/钢结构", "10")
    second = line(qtbot, ws, "炕/有炕柜", "2")
    ws.table.setFocus()
    ws.table.setCurrentIndex(ws.model.index(first, COL_QUANTITY))
    qtbot.keyClick(ws.table, Qt.Key.Key_Delete)
    assert [raw["item"] for raw in ws.session.case.items] == ["炕/有炕柜"]
    assert ws.summary.total.text() == "3,000.00 元"
    qtbot.keyClick(ws.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [raw["item"] for raw in ws.session.case.items] == ["附属平房/钢结构", "炕/有炕柜"]
    assert ws.summary.total.text() == "15,000.00 元"
    assert second == 1


def test_assessed_item_takes_a_basis_then_its_amount_by_tab(qtbot, ws):
    """No quantity: the cursor starts at the required 依据, and Tab goes on to the 金额 (it started at the 金额, and Tab
    went on to 备注, past the 依据 left of it)."""
    row = add_item(qtbot, ws, "评估项/地下室", search="地下室")
    assert "依据" in ws.model.index(row, COL_PARAMS).data(Qt.ItemDataRole.ToolTipRole)
    editor = ws.table.indexWidget(ws.model.index(row, COL_PARAMS))
    assert editor is not None and editor.hasFocus()
    type_text(qtbot, editor, "评估报告 WS-2023-017")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    editor = ws.table.indexWidget(ws.model.index(row, COL_RATE))
    assert editor is not None and editor.hasFocus()
    type_text(qtbot, editor, "42000")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert ws.session.case.items[row] == {"item": "评估项/地下室", "basis": "评估报告 WS-2023-017", "amount": "42000"}
    assert ws.summary.total.text() == "42,000.00 元"


def test_relocation_area_fills_from_the_house_lines(qtbot, ws):
    line(qtbot, ws, "附属平房/砖混结构", "86.40")
    line(qtbot, ws, "窑洞/砖石窑洞", "42")
    line(qtbot, ws, "围墙/砖围墙", "60")
    ws.replacement.edits["main_house_area_m2"].setText("")
    qtbot.keyClicks(ws.replacement.edits["main_house_area_m2"], "110.4")
    qtbot.keyClick(ws.replacement.edits["main_house_area_m2"], Qt.Key.Key_Return)
    assert ws.replacement.problem.isVisible() and "缺少" in ws.replacement.problem.text()
    qtbot.mouseClick(ws.relocation.fill, Qt.MouseButton.LeftButton)
    assert ws.session.case.relocation == {"building_area_m2": "238.80"}
    assert ws.relocation.area.text() == "238.80"
    assert ws.relocation.moving.text() == "2,388.00 元"
    ws.relocation.area.setFocus()
    ws.relocation.area.selectAll()
    qtbot.keyClicks(ws.relocation.area, "153")                 # the typed value rules
    assert ws.relocation.moving.text() == "1,530.00 元"


def test_a_huge_quantity_is_refused_visibly_never_cut_short(qtbot, ws):
    """1000000000000000 typed used to be saved as 1000000000 without a word."""
    row = add_item(qtbot, ws, "附属平房/砖混结构")
    qtbot.keyClick(ws.table.focusWidget(), Qt.Key.Key_Escape)
    type_cell(qtbot, ws, row, COL_QUANTITY, "1000000000000000")
    assert ws.session.case.items[row]["quantity"] == "1000000000000000"
    assert "数量数值过大" in ws.model.row(row).problem.zh
    type_cell(qtbot, ws, row, COL_QUANTITY, "1000001")
    assert "超过上限 1,000,000 m²" in ws.model.row(row).problem.zh
    assert ws.summary.total.text() == "0.00 元"


def test_an_implausible_quantity_is_priced_with_a_warning(qtbot, ws):
    row = add_item(qtbot, ws, "附属平房/砖混结构")
    qtbot.keyClick(ws.table.focusWidget(), Qt.Key.Key_Escape)
    type_cell(qtbot, ws, row, COL_QUANTITY, "12000")
    assert ws.model.row(row).problem is None
    assert ws.summary.total.text() == "9,000,000.00 元"                     # 12,000 m² × midpoint 750
    assert any("12000 m² 超过常见范围(10,000 m²)" in w.message for w in ws.session.result.warnings)


def test_a_fraction_typed_into_a_count_is_that_fraction_with_a_warning_never_ten_times_it(qtbot, ws):
    """1.5 typed into a 个 cell was read as 15: the count's editor dropped the point and kept the digits after it,
    pricing ten times the count without a word. It is 1.5, priced as typed and said (不是整数)."""
    row = line(qtbot, ws, "厕所(室外)/政府改厕", "1.5")
    assert ws.session.case.items[row]["quantity"] == "1.5" and cell(ws, row, COL_QUANTITY) == "1.5"
    assert cell(ws, row, COL_AMOUNT) == "2,250.00"                                    # 1.5 × 1,500, not 15 ×
    assert any("数量 1.5 个 不是整数(个按个数计),请核对" in w.zh for w in ws.session.result.warnings)


def test_a_warning_about_relocation_names_its_block_in_chinese(qtbot, ws):
    """提示 showed "relocation: 缺少支付日期或搬迁日期…": a block's place as the file names it."""
    ws.session.edit({("relocation", "building_area_m2"): "100"})
    notes = [ws.summary.warnings.item(i).text() for i in range(ws.summary.warnings.count())]
    incentive = [note for note in notes if "缺少支付日期和搬迁日期" in note]
    assert incentive and incentive[0].startswith("搬迁与安置: ") and not any("relocation" in note for note in notes)


@pytest.mark.parametrize("typed, months, said", [("6", "6", None), ("1.5", "1.5", "增加月数应为 0 至 24 的整数"),
                                                 ("30", "30", "增加月数应为 0 至 24 的整数")])
def test_extra_months_are_read_as_typed(qtbot, ws, typed, months, said):
    """增加安置月数 was a spin box: 1.5 typed read as 15 months, 30 (past its top of 24) as 3, without a word."""
    panel = ws.relocation
    ws.session.edit({("relocation", "building_area_m2"): "100", ("relocation", "sole_housing_hardship"): True})
    panel.extra.setFocus()
    type_text(qtbot, panel.extra, typed)
    qtbot.keyClick(panel.extra, Qt.Key.Key_Return)
    assert ws.session.case.relocation["extra_months"] == months
    problems = [p.zh for p in ws.session.result.problems]
    assert (said in problems[0]) if said else not problems, problems


def test_a_new_or_opened_case_starts_at_the_tables_first_cell(qtbot, ws):
    """After Ctrl+N the empty table kept the last case's scroll (its header started at 数量), and a case opened was
    shown at the cell the last one was left at (备注 of row 4)."""
    from driver import EXAMPLE
    row = line(qtbot, ws, "大门/普通装修", "1")
    ws.table.resize(300, 300)
    last = ws.table.model().columnCount() - 1
    ws.table.setCurrentIndex(ws.table.model().index(row, last))
    assert ws.table.horizontalScrollBar().value() > 0
    ws.session.new()
    assert ws.table.horizontalScrollBar().value() == 0
    line(qtbot, ws, "大门/普通装修", "1")
    ws.table.setCurrentIndex(ws.table.model().index(0, last))
    assert ws.table.horizontalScrollBar().value() > 0
    ws.session.open(EXAMPLE)
    assert (ws.table.currentIndex().row(), ws.table.currentIndex().column()) == (0, 0)
    assert ws.table.horizontalScrollBar().value() == 0


def test_ctrl_z_in_the_quantity_just_opened_takes_the_added_line_back(qtbot, ws):
    """Enter in the picker adds the line and opens its 数量: Ctrl+Z (as 编辑 offers 撤销 添加) did nothing there, twice,
    the cell's own empty history taking the keys."""
    before = list(ws.session.case.items)
    row = add_item(qtbot, ws, "菜窖/砖石", search="菜窖")
    editor = ws.table.indexWidget(ws.model.index(row, COL_QUANTITY))
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ws.session.case.items == before)
    qtbot.keyClick(ws.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)   # and back
    qtbot.waitUntil(lambda: ws.session.case.items == [*before, {"item": "菜窖/砖石"}])
