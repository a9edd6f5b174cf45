"""Where a problem is shown comes from the error's place (block, line, field), never from its wording.

The item table's marked cell and the survey's problem column are checked for every kind of fault,
then again with every message text and every line's place name reworded into words that name
other fields: nothing may move.
"""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from calculator.schedules import load_schedule
from calculator import lines as engine_lines
from calculator.case import Case
from calculator.compensation import evaluate
from calculator.errors import CalculationError, CaseWarning
from calculator.survey import SURVEY_SHEET, read_survey, survey_columns
from ui.household.items_model import (COL_DISPUTED, COL_ITEM, COL_PARAMS, COL_QUANTITY, COL_RATE, COL_REMARKS, ERROR_BG,
                                      ItemTableModel)
from ui.household.session import HouseholdSession

SCHEDULE = load_schedule()
HEADINGS = {(column.block, column.field): column.heading for column in survey_columns(SCHEDULE)}
HOUSE, CELLAR, GRAPE, SHED = "附属平房/砖混结构", "菜窖/砖石", "葡萄", "歇厦、雨搭"
STEPS, ASSESSED, DITCH = "室外台阶或楼梯/砖台阶", "评估项/地下室", "不予补偿/废渠"

# What is wrong, the case's lines, and for each faulty line: (its field, the item table's column, the survey's column).
LINE_FAULTS = [
    ("a rate outside the range without a reason", [{"item": HOUSE, "quantity": "8", "rate": "9000"}],
     {0: ("rate", COL_RATE, "单价")}),
    ("a rate that is no number", [{"item": HOUSE, "quantity": "8", "rate": "abc"}], {0: ("rate", COL_RATE, "单价")}),
    ("a negative rate", [{"item": HOUSE, "quantity": "8", "rate": "-5"}], {0: ("rate", COL_RATE, "单价")}),
    ("a quantity of zero", [{"item": HOUSE, "quantity": "0"}], {0: ("quantity", COL_QUANTITY, "数量")}),
    ("no quantity", [{"item": HOUSE}], {0: ("quantity", COL_QUANTITY, "数量")}),
    ("a quantity past its limit", [{"item": HOUSE, "quantity": "2000000"}], {0: ("quantity", COL_QUANTITY, "数量")}),
    # the item table has no cell for a field the item does not take; the survey has its column
    ("a value the item does not take", [{"item": HOUSE, "quantity": "8", "depth_m": "1"}],
     {0: ("depth_m", COL_ITEM, "深度(m)")}),
    ("an amount past the limit", [{"item": HOUSE, "quantity": "1000", "rate": "2000000000", "override_reason": "核实"}],
     {0: ("rate", COL_RATE, "单价")}),
    ("no depth", [{"item": CELLAR, "quantity": "8"}], {0: ("depth_m", COL_PARAMS, "深度(m)")}),
    ("a depth of zero", [{"item": CELLAR, "quantity": "8", "depth_m": "0"}], {0: ("depth_m", COL_PARAMS, "深度(m)")}),
    ("a stage not listed", [{"item": GRAPE, "quantity": "2", "stage": "老树"}], {0: ("stage", COL_PARAMS, "生长期")}),
    ("an unknown host", [{"item": SHED, "quantity": "2", "attached_to": "无此房屋"}],
     {0: ("attached_to", COL_PARAMS, "依附房屋")}),
    ("a host that is no house", [{"item": SHED, "quantity": "2", "attached_to": CELLAR}],
     {0: ("attached_to", COL_PARAMS, "依附房屋")}),
    ("a host priced at two rates", [{"item": HOUSE, "quantity": "8", "rate": "700"},
                                    {"item": HOUSE, "quantity": "9", "rate": "800"},
                                    {"item": SHED, "quantity": "2", "attached_to": HOUSE}],
     {2: ("attached_to", COL_PARAMS, "依附房屋")}),
    ("a host whose own rate is refused", [{"item": HOUSE, "quantity": "8", "rate": "9000"},
                                          {"item": SHED, "quantity": "2", "attached_to": HOUSE}],
     {0: ("rate", COL_RATE, "单价"), 1: ("attached_to", COL_PARAMS, "依附房屋")}),
    ("a decoration outside its range", [{"item": STEPS, "quantity": "2", "decoration_pct": "50"}],
     {0: ("decoration_pct", COL_PARAMS, "装潢增加(%)")}),
    ("no assessed amount", [{"item": ASSESSED, "basis": "评估报告"}], {0: ("amount", COL_RATE, "评估金额(元)")}),
    ("no basis", [{"item": ASSESSED, "amount": "5000"}], {0: ("basis", COL_PARAMS, "依据")}),
    ("an assessed amount past the limit", [{"item": ASSESSED, "amount": "2000000000000", "basis": "评估报告"}],
     {0: ("amount", COL_RATE, "评估金额(元)")}),
    ("an assessed item counted twice", [{"item": ASSESSED, "amount": "5000", "basis": "评估报告", "quantity": "2"}],
     {0: ("quantity", COL_QUANTITY, "数量")}),
    # "takes an amount, not a rate": the rate is the value that must go, in 单价 in the survey and the table alike
    ("a rate on an assessed item", [{"item": ASSESSED, "amount": "5000", "basis": "评估报告", "rate": "5"}],
     {0: ("rate", COL_RATE, "单价")}),
    ("a rate on a line never compensated", [{"item": DITCH, "rate": "5"}], {0: ("rate", COL_RATE, "单价")}),
    ("a 房屋面积置换 row as a line", [{"item": "房屋面积置换/正房", "quantity": "5"}], {0: ("item", COL_ITEM, "项目")}),
    ("an unknown item", [{"item": "不存在的项目", "quantity": "1"}], {0: ("item", COL_ITEM, "项目")}),
]
# Faults only a case file can hold (the survey reads these cells itself): the item table's column.
FILE_FAULTS = [
    ("no item", [{"quantity": "1"}], {0: ("item", COL_ITEM)}),
    ("a reason that is no text", [{"item": HOUSE, "quantity": "8", "rate": "9000", "override_reason": 5}],
     {0: ("override_reason", COL_RATE)}),
    ("a disputed flag that is no flag", [{"item": HOUSE, "quantity": "8", "disputed": "yes"}],
     {0: ("disputed", COL_DISPUTED)}),
    ("a note that is no text", [{"item": HOUSE, "quantity": "8", "note": 5}], {0: ("note", COL_REMARKS)}),
]
# Faults of the case's blocks: (block, field, the survey's column).
BLOCK_FAULTS = [
    ("relocation without its area", {"relocation": {"paid_on": "2023-06-28"}},
     ("relocation", "building_area_m2", "建筑面积(m²)")),
    ("more months without hardship", {"relocation": {"building_area_m2": "100", "extra_months": "3"}},
     ("relocation", "extra_months", "增加安置月数")),
    ("paid before signing", {"relocation": {"building_area_m2": "100", "signed_on": "2023-06-20", "paid_on": "2023-06-10"}},
     ("relocation", "paid_on", "支付日期")),
    ("moved before signing", {"relocation": {"building_area_m2": "100", "signed_on": "2023-06-20", "moved_on": "2023-06-10"}},
     ("relocation", "moved_on", "搬迁日期")),
    ("a replacement area missing", {"replacement": {"main_house_area_m2": "100", "main_house_footprint_m2": "80"}},
     ("replacement", "homestead_certificate_area_m2", "宅基地证面积(m²)")),
    ("a negative footprint", {"replacement": {"main_house_area_m2": "100", "main_house_footprint_m2": "-1",
                                              "homestead_certificate_area_m2": "200"}},
     ("replacement", "main_house_footprint_m2", "正房占地面积(m²)")),
]
# Words naming other fields, so that a placement read from the text would move.
REWORDED = ("改写:数量 单价 评估金额 依附房屋 项目 深度", "reworded: quantity rate amount host attached_to depth_m item not a rate")


@pytest.fixture(params=["as written", "reworded"])
def wording(request, monkeypatch):
    """Messages as the code writes them, or every error's and warning's text and every line's place reworded."""
    if request.param == "reworded":
        error_init, warning_init = CalculationError.__init__, CaseWarning.__init__

        def error(self, zh, en, where="", **places):
            error_init(self, *REWORDED, where, **places)

        def warning(self, zh, en, where="", **places):
            warning_init(self, *REWORDED, where, **places)

        monkeypatch.setattr(CalculationError, "__init__", error)
        monkeypatch.setattr(CaseWarning, "__init__", warning)
        monkeypatch.setattr(engine_lines, "where", lambda index, raw: "别处 quantity rate")
    return request.param


def marked_cells(lines: list[dict]) -> dict[int, list[int]]:
    """The item table's cells marked as the problem, by line."""
    session = HouseholdSession(SCHEDULE)
    session.load(Case(items=[dict(line) for line in lines]), None)
    model = ItemTableModel(session)
    return {row: [column for column in range(model.columnCount())
                  if model.index(row, column).data(Qt.ItemDataRole.BackgroundRole) == ERROR_BG]
            for row in range(model.rowCount())}


@pytest.mark.parametrize("what, lines, faults", LINE_FAULTS + FILE_FAULTS, ids=[f[0] for f in LINE_FAULTS + FILE_FAULTS])
def test_the_item_table_marks_the_faulty_field_however_the_message_reads(qtbot, wording, what, lines, faults):
    problems = evaluate(Case(items=[dict(line) for line in lines]), SCHEDULE).problems
    assert {p.line: p.field for p in problems} == {line: fault[0] for line, fault in faults.items()}
    assert {p.block for p in problems} == {"items"}
    if wording == "reworded":
        assert {(p.zh, p.en) for p in problems} == {REWORDED}
    assert marked_cells(lines) == {row: [faults[row][1]] if row in faults else [] for row in range(len(lines))}


def survey_rows(lines: list[dict], blocks: dict, number: str) -> list[dict[str, object]]:
    """A household as an assessor types it into 调查表: one row per line, the blocks' values on the first."""
    rows = [{"户号": number, **{HEADINGS[("items", key)]: value for key, value in line.items()}} for line in lines]
    rows = rows or [{"户号": number, "户主": "王"}]
    for block, values in blocks.items():
        for key, value in values.items():
            rows[0][HEADINGS[(block, key)]] = dt.date.fromisoformat(value) if key.endswith("_on") else float(value)
    return rows


def test_the_survey_names_the_faulty_column_however_the_message_reads(template, tmp_path, wording):
    book = load_workbook(template)
    sheet = book[SURVEY_SHEET]
    where = {cell.value: cell.column for cell in sheet[1]}
    expected, row = [], 2
    households = [(lines, {}, {line: heading for line, (_field, _column, heading) in faults.items()})
                  for _what, lines, faults in LINE_FAULTS]
    households += [([], blocks, {0: heading}) for _what, blocks, (_block, _field, heading) in BLOCK_FAULTS]
    for number, (lines, blocks, headings) in enumerate(households, start=1):
        expected += [(row + offset, heading) for offset, heading in headings.items()]
        for values in survey_rows(lines, blocks, f"H{number:02d}"):
            for heading, value in values.items():
                sheet.cell(row, where[heading], value)
            row += 1
    book.save(tmp_path / "survey.xlsx")
    survey = read_survey(tmp_path / "survey.xlsx", SCHEDULE)
    assert [(p.row, p.column) for p in survey.problems] == sorted(expected)
    assert len(survey.rejected) == len(households) and not survey.households


@pytest.mark.parametrize("what, blocks, fault", BLOCK_FAULTS, ids=[f[0] for f in BLOCK_FAULTS])
def test_a_block_problem_names_its_block_and_field_however_the_message_reads(wording, what, blocks, fault):
    problems = evaluate(Case(**blocks), SCHEDULE).problems
    assert [(p.block, p.line, p.field) for p in problems] == [(fault[0], None, fault[1])]


def test_warnings_keep_their_line_and_field_however_they_read(wording):
    result = evaluate(Case(items=[{"item": HOUSE, "quantity": "12000"}, {"item": CELLAR, "quantity": "2", "depth_m": "1",
                                                                          "disputed": True}]), SCHEDULE)
    assert [(w.block, w.line, w.field) for w in result.warnings] == [
        ("items", 0, "quantity"), ("items", 0, "rate"), ("items", 1, "disputed")]   # past 10,000 m², no rate given
