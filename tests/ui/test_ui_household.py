"""The whole journey: examples/household.json typed in through the picker, the cells and the panels."""
from __future__ import annotations

from PySide6.QtCore import Qt

from calculator.core.amount_words import amount_in_words
from calculator.engine.case import case_from_json, case_to_dict
from calculator.engine.compensation import compute, sheet_numbers
from calculator.core.money import fmt_grouped
from calculator.engine.schedules import load_schedule
from driver import EXAMPLE, enter_line, set_date, type_field

def shown_total(ws) -> str:
    return ws.summary.total.text()


def enter_household(qtbot, ws, case) -> list[str]:
    """Type the whole case in; returns the total shown after each undo step."""
    for path, edit in ws.header.edits.items():
        block = getattr(case, path[0]) if path[0] in ("household", "assessor") else None
        value = block.get(path[1]) if block is not None else getattr(case, path[0])
        if value:
            type_field(qtbot, edit, value)
    set_date(qtbot, ws.header.date, case.assessed_on)
    for raw in case.items:
        enter_line(qtbot, ws, raw)
    relocation, panel = case.relocation, ws.relocation
    type_field(qtbot, panel.area, relocation["building_area_m2"])
    panel.hardship.setFocus()
    qtbot.keyClick(panel.hardship, Qt.Key.Key_Space)
    panel.extra.setFocus()
    panel.extra.selectAll()
    qtbot.keyClicks(panel.extra, str(relocation["extra_months"]))
    qtbot.keyClick(panel.extra, Qt.Key.Key_Return)
    for name in ("signed_on", "paid_on", "moved_on"):
        set_date(qtbot, panel.dates[name], relocation[name])
    for name, edit in ws.replacement.edits.items():
        type_field(qtbot, edit, case.replacement[name])
    ws.session.end_live_edit()


def in_sheet_order(case) -> list[dict]:
    """The case's lines in the order (and with the 序号) the settlement sheet prints them."""
    numbers = sheet_numbers(case, load_schedule())
    return [case_to_dict(case)["items"][index] for index in sorted(numbers, key=numbers.get)]


def test_household_typed_in_equals_the_engine(qtbot, ws):
    case = case_from_json(EXAMPLE.read_text(encoding="utf-8"))
    expected = compute(case)
    enter_household(qtbot, ws, case)

    assert ws.session.result.problems == ()
    assert shown_total(ws) == f"{fmt_grouped(expected.total)} 元" == "546,616.30 元"
    assert ws.summary.words.text() == amount_in_words(expected.total)
    assert ws.summary.disputed.text() == "525.00 元"
    assert ws.summary.replacement.text() == "184.00 m²"
    for section, label in ws.summary.subtotals.items():
        assert label.text() == fmt_grouped(expected.subtotals[section])
    # What was typed is the case file, field for field, in the sheet's order (each line at the end of its
    # section, so the table's row numbers are the sheet's 序号).
    assert in_sheet_order(ws.session.case) == in_sheet_order(case)
    numbers = sheet_numbers(ws.session.case, ws.session.schedule)
    assert [numbers[row] for row in range(len(case.items))] == sorted(numbers.values())
    assert not ws.banner.isVisible()
    assert ws.header.id_warning.text() == ""  # the example's ID number has a valid GB 11643 check digit


def test_undo_and_redo_restore_every_total_exactly(qtbot, ws):
    case = case_from_json(EXAMPLE.read_text(encoding="utf-8"))
    case.items = case.items[:12] + case.items[17:20] + case.items[23:24]  # a house, its 歇厦, an override …
    stack = ws.session.stack
    totals = [shown_total(ws)]
    stack.indexChanged.connect(lambda _i: totals.append(shown_total(ws)))
    enter_household(qtbot, ws, case)
    steps = stack.index()
    assert steps == stack.count() > len(case.items)
    by_step = {}
    for step in range(steps + 1):
        stack.setIndex(step)
        by_step[step] = (shown_total(ws), case_to_dict(ws.session.case))
    final = by_step[steps]
    assert final[0] == f"{fmt_grouped(compute(case).total)} 元"

    ws.table.setFocus()
    for step in range(steps, 0, -1):  # Ctrl+Z all the way back
        qtbot.keyClick(ws.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert stack.index() == step - 1
        assert (shown_total(ws), case_to_dict(ws.session.case)) == by_step[step - 1]
    assert shown_total(ws) == "0.00 元" and ws.session.case.items == []
    for step in range(1, steps + 1):  # Ctrl+Y all the way forward
        qtbot.keyClick(ws.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
        assert (shown_total(ws), case_to_dict(ws.session.case)) == by_step[step]
    assert shown_total(ws) == final[0]


def test_the_table_numbers_each_line_with_the_sheets_xuhao(ws):
    """The example file lists 评估项/机井设备 among the houses; the sheet prints it under 评估项, after
    三's lines and the three allowances. The table's row header shows the number the sheet prints."""
    from calculator.engine.lines import where
    from calculator.formats.reports.content import settlement_sheet
    assert ws.open_file(EXAMPLE)
    sheet = settlement_sheet(compute(ws.session.case))
    printed = {row.place: str(row.number) for section in sheet.sections for row in section.rows
               if row.place.startswith("items[")}
    shown = {where(index, raw): ws.model.headerData(index, Qt.Orientation.Vertical)
             for index, raw in enumerate(ws.session.case.items)}
    assert shown == printed
    assert shown[where(19, {"item": "评估项/机井设备"})] == "37"      # after 33 lines and the 3 allowances


def test_a_building_area_left_behind_by_a_house_added_after_is_said_beside_it(qtbot, ws):
    """按房屋项填入 gave 165.80 m² (120.50 + 45.30); a 框架结构 of 20 m² added after left 搬迁补助 and 临时安置补助 on
    165.80 with nothing said: the family short 200 + 2,880 元 (10 and 6 元 × 24 months a m² on the 20 m²)."""
    for key, quantity in (("附属平房/砖混结构", "120.50"), ("附属平房/砖木结构(含混合结构)", "45.30")):
        enter_line(qtbot, ws, {"item": key, "quantity": quantity})
    panel = ws.relocation
    qtbot.mouseClick(panel.fill, Qt.MouseButton.LeftButton)
    assert panel.area.text() == "165.80" and panel.area_note.text() == ""
    assert panel.moving.text() == "1,658.00 元"   # 10 元 × 165.80 m²
    enter_line(qtbot, ws, {"item": "附属平房/框架结构", "quantity": "20", "rate": "1300"})
    assert panel.area.text() == "165.80" and panel.moving.text() == "1,658.00 元"   # the typed area rules (the catalog)
    assert panel.area_note.text() == "与房屋项合计 185.80 m² 不同,请核对"
    qtbot.mouseClick(panel.fill, Qt.MouseButton.LeftButton)
    assert panel.area.text() == "185.80" and panel.area_note.text() == "" and panel.moving.text() == "1,858.00 元"


def test_the_notes_are_in_line_order(ws):
    """有线闭路电视 (550 元/户) on lines 1 and 2, a 窑洞 at its midpoint on line 3: the engine says line 3's midpoint
    first, then line 2's second household, and 提示 read 第3行, 第2行 (an assessor: 第2行, 第11行, then 第4行)."""
    from calculator.engine.case import case_from_dict
    ws.session.load(case_from_dict({"items": [{"item": "日用设施/有线闭路电视"}, {"item": "日用设施/有线闭路电视"},
                                              {"item": "窑洞/砖石窑洞", "quantity": "42"}]}), None)
    said = [ws.summary.warnings.item(row).text() for row in range(ws.summary.warnings.count())]
    assert [text.split("「")[0] for text in said] == ["第2行", "第3行"], said
