"""The item table model over calculator.app.actions, without widgets (the actions alone: tests/test_actions.py)."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from calculator.engine.case import Case, case_from_json
from calculator.engine.compensation import evaluate
from calculator.core.errors import InputError
from calculator.engine.schedules import load_schedule
from driver import EXAMPLE
from ui.household.items_model import (COL_AMOUNT, COL_ITEM, COL_PARAMS, COL_QUANTITY, COL_RATE, COL_REMARKS, EDITOR_ROLE,
                                      HEADERS, PROBLEM_ROLE, VALUE_ROLE, ItemTableModel)
from ui.household.session import HouseholdSession

SCHEDULE = load_schedule()


def example() -> Case:
    return case_from_json(EXAMPLE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("raw, field, column", [
    ({"item": "菜窖/砖石", "quantity": "8"}, "depth_m", COL_PARAMS),
    ({"item": "菜窖/砖石", "quantity": "0", "depth_m": "1"}, "quantity", COL_QUANTITY),
    ({"item": "附属平房/砖混结构", "quantity": "8", "rate": "9000"}, "rate", COL_RATE),
    ({"item": "附属平房/砖混结构", "quantity": "8", "rate": "abc"}, "rate", COL_RATE),
    ({"item": "评估项/地下室", "basis": "x"}, "amount", COL_RATE),        # the 单价 cell takes the assessed amount
    ({"item": "不存在的项目", "quantity": "1"}, "item", COL_ITEM),
])
def test_a_problem_names_its_line_and_field_and_the_table_marks_that_cell(qtbot, raw, field, column):
    result = evaluate(Case(items=[raw]), SCHEDULE)
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.block, problem.line, problem.field) == ("items", 0, field)
    session = HouseholdSession(SCHEDULE)
    session.load(Case(items=[dict(raw)]), None)
    model = ItemTableModel(session)
    assert model.row(0).problem_column == column
    assert [c for c in range(model.columnCount()) if model.index(0, c).data(PROBLEM_ROLE)] == [column]


def test_model_shows_decimals_and_formatted_text(qtbot):
    session = HouseholdSession(SCHEDULE)
    session.load(example(), EXAMPLE)
    model = ItemTableModel(session)
    assert model.rowCount() == 35 and model.columnCount() == len(HEADERS)
    assert model.index(0, COL_AMOUNT).data() == "65,664.00"
    assert model.index(0, COL_AMOUNT).data(VALUE_ROLE) == Decimal("65664.00")
    assert model.index(0, COL_QUANTITY).data(VALUE_ROLE) == Decimal("86.40")
    assert model.index(9, COL_PARAMS).data() == "深度1.6m"
    assert model.index(3, COL_PARAMS).data() == "依附房屋:附属平房/砖混结构"
    assert model.index(10, COL_QUANTITY).data() == "1"                 # 户 items default to 1
    assert model.index(23, COL_REMARKS).data() == "按区间中值；有争议(不计入合计)；权属有争议,待凤城镇政府核实"
    assert model.index(0, COL_RATE).data(EDITOR_ROLE).text == "760"
    assert model.index(2, COL_RATE).data(EDITOR_ROLE).text == "650"     # starts at the midpoint
    assert model.index(0, COL_ITEM).flags() & Qt.ItemFlag.ItemIsEditable == Qt.ItemFlag.NoItemFlags
    assert model.index(19, COL_QUANTITY).flags() & Qt.ItemFlag.ItemIsEditable == Qt.ItemFlag.NoItemFlags


def test_junk_lines_are_shown_not_fatal(qtbot, tmp_path):
    junk = {"items": [{"item": 7}, {"item": "附属平房/砖混结构", "quantity": [1]}, {"item": "菜窖/砖石", "depth_m": "深"},
                      {"item": "歇厦、雨搭", "quantity": "5", "attached_to": "炕/有炕柜"}, {"item": "葡萄", "stage": "秋天"},
                      {"item": "附属平房/钢结构", "quantity": "1e400"}, {"item": "杂棚", "quantity": "2", "disputed": "yes"},
                      {"item": "杂棚", "quantity": "2", "note": {"a": 1}}, {}, {"item": "评估项/其他", "amount": "-5"}],
            "relocation": {"building_area_m2": "x"}, "replacement": {"main_house_area_m2": -1}}
    path = tmp_path / "junk.json"
    path.write_text(json.dumps(junk, ensure_ascii=False), encoding="utf-8")
    session = HouseholdSession(SCHEDULE)
    session.open(path)
    model = ItemTableModel(session)
    assert len(session.result.problems) == 12 and session.result.total == 0
    roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.BackgroundRole,
             Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.CheckStateRole,
             VALUE_ROLE, EDITOR_ROLE, PROBLEM_ROLE]
    for row in range(model.rowCount()):
        assert model.index(row, COL_AMOUNT).data() == "—"
        assert any(model.index(row, c).data(PROBLEM_ROLE) for c in range(model.columnCount()))
        for column in range(model.columnCount()):
            for role in roles:
                model.index(row, column).data(role)
            model.flags(model.index(row, column))


def test_unknown_schedule_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"schedule": "somewhere-1999", "items": []}', encoding="utf-8")
    with pytest.raises(InputError, match="somewhere-1999"):
        HouseholdSession(SCHEDULE).open(path)


def test_qt_may_ask_for_nothing_again_and_again(qtbot):
    """ui._pyside_none: None returned to Qt from data() must not wear out None (PySide6 6.12, CPython 3.11)."""
    import sys
    session = HouseholdSession(SCHEDULE)
    session.load(example(), EXAMPLE)
    model = ItemTableModel(session)
    index = model.index(0, COL_ITEM)
    for _ in range(200_000):
        index.data(Qt.ItemDataRole.DecorationRole)          # answered with None through C++
    assert sys.getrefcount(None) > 1 << 32 or sys.version_info >= (3, 12)


def test_edits_may_go_on_and_on(qtbot):
    """ui._pyside_none: the bool each edit sends with `changed` must not wear out True or False (PySide6 6.12,
    CPython 3.11: a few thousand edits aborted the app with "bool_dealloc")."""
    import sys
    session = HouseholdSession(SCHEDULE)
    session.load(example(), EXAMPLE)
    received = []
    session.changed.connect(lambda _result, structure: received.append(structure))
    for _ in range(20_000):
        session.changed.emit(session.result, True)
        session.changed.emit(session.result, False)
    assert received.count(True) == received.count(False) == 20_000
    assert min(sys.getrefcount(True), sys.getrefcount(False)) > 1 << 32 or sys.version_info >= (3, 12)
