"""The field survey: the template assessors fill in, reading it row by row, importing it into a project."""
from __future__ import annotations

import datetime as dt
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from calculator.store.base import RefusedByRule
from calculator.app.actions import pickable
from calculator.engine.case import case_from_dict, case_from_json, case_to_dict
from calculator.engine.compensation import compute, evaluate
from calculator.core.errors import InputError
from calculator.app.survey import reading as survey_reading, sheet as survey_sheet
from calculator.core.limits import SURVEY_MAX_ROWS
from calculator.engine.schedules import load_schedule
from calculator.app.survey import (
    GUIDE_SHEET, ITEMS_SHEET, SURVEY_SHEET, TEMPLATE_ROWS, SurveyHousehold, excel_number, import_survey,
    household_number, number_key, read_survey, stream_survey, survey_columns, write_template,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "household.json"
EXAMPLE_TOTAL = Decimal("546616.30")
SCHEDULE = load_schedule()
HEADINGS = {(c.block, c.field): c.heading for c in survey_columns(SCHEDULE)}
TEXT_FIELDS = {"item", "note", "override_reason", "basis", "attached_to", "stage"}


def example_rows(number: str, head: str | None = None) -> list[dict[str, object]]:
    """examples/household.json as an assessor types it: one row per line, household values on the first
    rows, numbers as Excel stores them (floats), dates as Excel dates, 是/否 for flags."""
    data = case_from_json(EXAMPLE.read_text(encoding="utf-8"))
    rows = []
    for line in data.items:
        row: dict[str, object] = {"户号": number}
        for key, value in line.items():
            if key == "disputed":
                value = "是" if value else "否"
            elif key not in TEXT_FIELDS:
                value = float(value)
            row[HEADINGS[("items", key)]] = value
        rows.append(row)
    for key, value in data.household.items():
        rows[0][HEADINGS[("household", key)]] = value
    if head is not None:
        rows[0]["户主"] = head
    for key, value in data.assessor.items():
        rows[1][HEADINGS[("assessor", key)]] = value
    rows[1]["案件编号"] = data.case_id
    rows[1]["测算日期"] = dt.date.fromisoformat(data.assessed_on)
    for key, value in data.relocation.items():
        if key.endswith("_on"):
            value = dt.date.fromisoformat(value)
        elif key == "sole_housing_hardship":
            value = "是" if value else "否"
        else:
            value = int(value) if key == "extra_months" else float(value)
        rows[-1][HEADINGS[("relocation", key)]] = value
    for key, value in data.replacement.items():
        rows[-2][HEADINGS[("replacement", key)]] = float(value)
    return rows


def fill(template: Path, target: Path, rows: list[dict[str, object] | None]) -> Path:
    """Type rows into 调查表 under the template's headings (None: leave the row blank)."""
    book = load_workbook(template)
    sheet = book[SURVEY_SHEET]
    where = {cell.value: cell.column for cell in sheet[1]}
    for number, row in enumerate(rows, start=2):
        for heading, value in (row or {}).items():
            sheet.cell(number, where[heading], value)
    book.save(target)
    return target


def example_case():
    return case_from_json(EXAMPLE.read_text(encoding="utf-8"))


# -- the template ----------------------------------------------------------------------------

def test_the_template_has_every_column_with_drop_downs_from_the_schedule(template):
    book = load_workbook(template)
    assert book.sheetnames[:2] == [SURVEY_SHEET, GUIDE_SHEET] and ITEMS_SHEET in book.sheetnames
    sheet = book[SURVEY_SHEET]
    headings = [cell.value for cell in sheet[1]]
    assert headings == [column.heading for column in survey_columns(SCHEDULE)]
    assert headings[:3] == ["户号", "户主", "身份证号"] and {"项目", "数量", "单价", "超标准理由", "有争议", "备注"} <= set(headings)
    for item in pickable(SCHEDULE):   # one column per parameter a line can take, labelled from [params]
        for param in item.params:
            info = SCHEDULE.params[param.name]
            assert (f"{info.label}({info.unit})" if info.unit else info.label) in headings
    assert {"高度(m)", "生长期", "依附房屋", "评估金额(元)", "依据", "建筑面积(m²)", "签约日期", "宅基地证面积(m²)"} <= set(headings)
    assert sheet.freeze_panes == "B2"
    assert sheet.max_row == 1   # no example rows: an untouched template imports nothing

    items = book[ITEMS_SHEET]
    listed = [(row[0], row[1], row[2]) for row in items.iter_rows(min_row=2, max_col=3, values_only=True) if row[0]]
    assert listed == [(item.key, item.unit, item.section) for item in pickable(SCHEDULE)]

    letter = {cell.value: cell.column_letter for cell in sheet[1]}
    rules = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}

    def rule(heading):
        return rules[f"{letter[heading]}2:{letter[heading]}{TEMPLATE_ROWS}"]

    assert rule("项目").type == "list"
    assert rule("项目").formula1 == f"'{ITEMS_SHEET}'!$A$2:$A${len(listed) + 1}"
    stages = [name for item in SCHEDULE.items.values() if item.kind == "staged" for name in item.spec.stages]
    assert rule("生长期").formula1 == '"' + ",".join(dict.fromkeys(stages)) + '"' == '"未挂果,初果期,中果期,盛果期"'
    assert rule("有争议").formula1 == rule("唯一住房困难").formula1 == '"是,否"'
    hosts = [row[0] for row in items.iter_rows(min_row=2, min_col=8, max_col=8, values_only=True) if row[0]]
    assert "附属平房/砖混结构" in hosts and rule("依附房屋").formula1 == f"'{ITEMS_SHEET}'!$H$2:$H${len(hosts) + 1}"
    assert rule("签约日期").type == "date" and rule("数量").type == "decimal"

    guide = "\n".join(str(row[0]) + " " + str(row[2] or "") for row in book[GUIDE_SHEET].iter_rows(values_only=True))
    assert all(heading in guide for heading in headings) and "户号" in guide and "是/否" in guide


def test_an_untouched_template_reads_as_no_household_and_no_problem(template):
    survey = read_survey(template)
    assert (survey.households, survey.problems, survey.rejected) == ((), (), ())


def test_writing_the_template_over_a_directory_that_is_missing_leaves_nothing(tmp_path):
    with pytest.raises(InputError):
        write_template(tmp_path / "no-such-dir" / "t.xlsx")
    assert not (tmp_path / "no-such-dir").exists()


# -- reading ---------------------------------------------------------------------------------

def test_the_example_household_typed_into_the_template_computes_the_examples_total(template, tmp_path):
    path = fill(template, tmp_path / "survey.xlsx", example_rows("0017"))
    survey = read_survey(path)
    assert survey.problems == () and survey.rejected == ()
    [household] = survey.households
    expected = compute(example_case())
    assert expected.total == EXAMPLE_TOTAL
    assert household.number == "0017" and household.total == EXAMPLE_TOTAL
    result = compute(household.case)
    assert result.total == EXAMPLE_TOTAL and result.disputed_total == Decimal("525.00")
    assert result.replacement.total_m2 == Decimal("184.00")
    assert result.relocation.incentive == expected.relocation.incentive
    assert household.rows == tuple(range(2, 2 + len(example_case().items)))
    case, original = household.case, example_case()
    assert case.household == original.household and case.assessor == original.assessor
    assert (case.case_id, case.assessed_on) == (original.case_id, original.assessed_on)
    assert case.relocation["signed_on"] == "2023-06-20" and case.relocation["sole_housing_hardship"] is True
    assert [line["item"] for line in case.items] == [line["item"] for line in original.items]
    # what the assessor typed, exactly: 86.40 typed is 86.4, never 86.4000000000000056843…
    assert case.items[0]["quantity"] == Decimal("86.4") and str(case.items[0]["quantity"]) == "86.4"
    assert any("第4行「窑洞/砖石窑洞」" in warning and "中值" in warning for warning in household.warnings)


def test_a_warning_of_a_households_block_names_it_as_the_survey_does(template, tmp_path):
    """The import's 提示 read "relocation: 缺少支付日期或搬迁日期,不计搬迁奖励": the case file's name for the block, in a
    survey whose columns are 建筑面积, 签约日期 …"""
    survey = read_survey(fill(template, tmp_path / "s.xlsx", [{"户号": "R1", "户主": "张三", **CAVE,
                                                                "建筑面积(m²)": 100}]))
    [household] = survey.households
    assert [w for w in household.warnings if "不计搬迁奖励" in w] == [
        "搬迁与安置: 缺少支付日期和搬迁日期,不计搬迁奖励 / no incentive: payment date and move-out date missing"]


def test_a_family_listed_twice_under_two_numbers_is_imported_and_said(template, tmp_path):
    """0002 gives 0001's 身份证号 (with spaces, a lower-case x): both are imported (one person may own two
    houses), and 0002 is said at its 身份证号 cell; 0003's number is its own, and read twice nothing changes."""
    rows = [{"户号": "0001", "户主": "张三", "身份证号": "11010519491231002X", "项目": "葡萄", "数量": 3, "生长期": "盛果期"},
            {"户号": "0002", "户主": "张三", "身份证号": "110105 19491231 002x", "项目": "葡萄", "数量": 2, "生长期": "盛果期"},
            {"户号": "0003", "户主": "李四", "身份证号": "142329196805120317", "项目": "葡萄", "数量": 1, "生长期": "盛果期"}]
    survey = stream_survey(fill(template, tmp_path / "s.xlsx", rows))
    for _ in range(2):   # a preview, then the import: each takes the households afresh
        said = {h.number: [w for w in h.warnings if "重复登记" in w] for h in survey.households()}
        assert said == {"0001": [], "0003": [], "0002": [
            "调查表 第3行「身份证号」: 与第2行户号「0001」的身份证号相同,请核对是否同一户重复登记 / the id number is that of "
            "household '0001' (row 2): check that the household is not listed twice"]}
        assert survey.problems == () and survey.rejected == ()
    wrong = [{"户号": "0004", "户主": "王五", "身份证号": "142329196805120318", "项目": "葡萄", "数量": 1, "生长期": "盛果期"}]
    [household] = stream_survey(fill(template, tmp_path / "w.xlsx", wrong)).households()
    assert [w for w in household.warnings if "身份证号" in w] == [   # said once, at its row (not also by the engine)
        "调查表 第2行「身份证号」: 身份证号校验位不符:末位应为 7,不是 8 / the check digit should be 7, not 8"]


def test_a_row_whose_number_was_typed_wrong_is_said_as_a_household_without_a_head(template, tmp_path):
    """00l typed for 001 on one row made that row's line (443.30) a family of its own, 001 short by as much, with no
    提示; TRUE typed over a 户号 made a household "TRUE"."""
    rows = example_rows("001")
    rows[7] = {**rows[7], "户号": "00l"}   # 室外台阶或楼梯/砖台阶 6.20 m² × 55 × 1.3: 443.30
    survey = stream_survey(fill(template, tmp_path / "typo.xlsx", rows))
    households = {h.number: h for h in survey.households()}
    assert sorted(households) == ["001", "00l"] and households["00l"].result.total == Decimal("443.30")
    assert households["00l"].warnings[0].startswith("调查表 第9行「户主」: 此户没有户主,请核对户号是否填错")
    assert not any("此户没有户主" in w for w in households["001"].warnings)
    rows[7] = {**rows[7], "户号": True}
    survey = stream_survey(fill(template, tmp_path / "true.xlsx", rows))
    assert list(survey.households()) == [] and survey.rejected == ("001",)
    # a 户号 that cannot be read is a row of no household's, as one without a 户号: 001 around it is left out whole
    # (0301： amid 0301's rows left 0301 short of that row's 核桃树, 1,500.00, and imported it)
    assert [(p.row, p.column, p.zh) for p in survey.problems if p.row == 9] == [
        (9, "户号", "户号是逻辑值(TRUE/FALSE),不是编号;请填写户号"),
        (9, "户号", "此行的户号无法读取(原因见该格);上方第8行的 001 户因此整户未导入,请改正户号"),
        (9, "户号", "此行的户号无法读取(原因见该格);下方第10行的 001 户因此整户未导入,请改正户号")]


def test_rows_of_a_household_may_be_anywhere_and_blank_rows_are_skipped(template, tmp_path):
    rows = [
        {"户号": "A1", "户主": "张三", "项目": "附属平房/砖木结构(含混合结构)", "数量": 10},
        {"户号": "B2", "项目": "窑洞/砖石窑洞", "数量": 20, "单价": 650},
        None,
        {"户号": "A1", "项目": "葡萄", "数量": 3, "生长期": "盛果期"},
        {"户号": "A1", "户主": "张三", "建筑面积(m²)": 80, "支付日期": "2023-06-28", "搬迁日期": "2023/7/5"},
        {"户号": "C3", "户主": "王五"},   # a household with nothing to cost
    ]
    survey = read_survey(fill(template, tmp_path / "s.xlsx", rows))
    by_number = {h.number: h for h in survey.households}
    assert set(by_number) == {"A1", "B2"} and by_number["A1"].rows == (2, 5, 6)
    a1 = by_number["A1"].case
    assert a1.household == {"head": "张三"} and len(a1.items) == 2
    assert a1.relocation == {"building_area_m2": Decimal(80), "paid_on": "2023-06-28", "moved_on": "2023-07-05"}
    assert by_number["B2"].total == Decimal("13000.00")
    assert [(p.row, p.column) for p in survey.problems] == [(7, "")] and survey.rejected == ("C3",)


def test_a_household_number_in_merged_cells_belongs_to_every_row_it_spans(template, tmp_path):
    rows = [{"户号": "M1", "项目": "窑洞/砖石窑洞", "数量": 10, "单价": 600},
            {"项目": "窑洞/砖石窑洞", "数量": 5, "单价": 700},
            {"户号": "M2", "项目": "窑洞/砖石窑洞", "数量": 1, "单价": 600}]
    path = fill(template, tmp_path / "merged.xlsx", rows)
    book = load_workbook(path)
    book[SURVEY_SHEET].merge_cells("A2:A3")
    book.save(path)
    survey = read_survey(path)
    assert survey.problems == ()
    assert [(h.number, h.rows, h.total) for h in survey.households] == [
        ("M1", (2, 3), Decimal("9500.00")), ("M2", (4,), Decimal("600.00"))]


def test_a_line_value_in_merged_cells_is_never_counted_again_and_leaves_its_household_out(template, tmp_path):
    """数量 35.5 merged over two item rows was read as 35.5 on both (基础 paid for 35.5 m² never typed). A merged
    value that would be paid again (数量 down, 项目 onto a row with no 数量 of its own) or read as another field
    (across columns) is a problem at the cell it fills; 项目, 单价 or 备注 merged over lines with their own 数量
    is one value of each line, and read."""
    rows = [{"户号": "M1", "项目": "附属平房/砖混结构", "数量": "35.5", "单价": 760},
            {"户号": "M1", "项目": "基础/石基础", "数量": None, "高度(m)": 1},
            {"户号": "M2", "项目": "窑洞/砖石窑洞", "数量": 10, "单价": None},
            {"户号": "M3", "户主": "赵六", "项目": "窑洞/砖石窑洞", "数量": 2, "单价": 600, "备注": "东"},
            {"户号": "M3", "项目": None, "数量": 3},
            {"户号": "M4", "项目": "三项动力线路"},
            {"户号": "M4"}]
    path = fill(template, tmp_path / "merged.xlsx", rows)
    book = load_workbook(path)
    sheet = book[SURVEY_SHEET]
    at = {cell.value: cell.column_letter for cell in sheet[1]}
    sheet.merge_cells(f"{at['数量']}2:{at['数量']}3")       # 数量 down: 35.5 m² paid again for 基础
    sheet.merge_cells(f"{at['数量']}4:{at['单价']}4")       # across two line columns: 10 would be the rate too
    for heading in ("户主", "项目", "单价", "备注"):       # over lines with their own 数量: one value of each, read
        sheet.merge_cells(f"{at[heading]}5:{at[heading]}6")
    sheet.merge_cells(f"{at['项目']}7:{at['项目']}8")       # 项目 onto a row of nothing else: 5000 元/户 twice
    book.save(path)
    survey = read_survey(path)
    assert survey.rejected == ("M1", "M2", "M4")
    merged = [(p.row, p.column) for p in survey.problems if "合并" in p.zh and "merged" in p.en]
    assert merged == [(3, "数量"), (4, "单价"), (8, "项目")]
    assert {(p.row, p.column) for p in survey.problems} - set(merged) <= {(4, "单价")}   # 10 元 as a rate, too
    (m3,) = survey.households
    assert (m3.number, m3.total, m3.case.household["head"]) == ("M3", Decimal("3000.00"), "赵六")   # 5 × 600
    assert [(line["quantity"], line["rate"], line["note"]) for line in m3.case.items] == [
        (Decimal(2), Decimal(600), "东"), (Decimal(3), Decimal(600), "东")]


def merged_survey(template, path, rows, *merges):
    """The survey of `rows` read with each merge (first heading, first row, last heading, last row) made in it."""
    fill(template, path, rows)
    book = load_workbook(path)
    sheet = book[SURVEY_SHEET]
    at = {cell.value: cell.column_letter for cell in sheet[1]}
    for first, top, last, bottom in merges:
        sheet.merge_cells(f"{at[first]}{top}:{at[last]}{bottom}")
    book.save(path)
    return read_survey(path)


def test_a_household_value_merged_into_the_next_household_leaves_that_household_out(template, tmp_path):
    """建筑面积 153 merged down over two households' rows was read as the second household's too (搬迁与安置 paid on a
    house it never had), and 户主 merged across into 身份证号 stored the name as the id. A household's value merged
    over its own rows is one value of it, and read; merged from another household's rows, or across columns, it
    leaves the household it reached out whole."""
    rows = [{"户号": "H1", "户主": "王建国", "建筑面积(m²)": 153, "项目": "窑洞/砖石窑洞", "数量": 10, "单价": 600},
            {"户号": "H1", "项目": "窑洞/砖石窑洞", "数量": 5, "单价": 600},
            {"户号": "H2", "户主": "李四", "项目": "窑洞/砖石窑洞", "数量": 1, "单价": 600},
            {"户号": "H2", "项目": "窑洞/砖石窑洞", "数量": 2, "单价": 600},
            {"户号": "H3", "户主": "赵六", "项目": "窑洞/砖石窑洞", "数量": 3, "单价": 600}]
    survey = merged_survey(template, tmp_path / "merged.xlsx", rows,
                           ("户主", 2, "户主", 3),                  # over its own rows: one value, read
                           ("建筑面积(m²)", 2, "建筑面积(m²)", 5),  # down into H2's rows
                           ("户主", 6, "身份证号", 6))              # across into another column
    assert survey.rejected == ("H2", "H3")
    merged = [(p.row, p.column) for p in survey.problems if "另一户" in p.zh and "another household" in p.en]
    assert merged == [(4, "建筑面积(m²)"), (5, "建筑面积(m²)"), (6, "身份证号")]
    (h1,) = survey.households
    assert (h1.number, h1.case.household["head"], h1.case.relocation["building_area_m2"]) == ("H1", "王建国", 153)


def test_a_merge_is_judged_by_the_household_of_its_first_row_not_by_row_order(template, tmp_path):
    """A household's rows need not be next to each other: H2's 建筑面积 merged over row 3 (H2) and row 4 (H1) gave H1
    that area. And 评估单位 merged over every household (one firm assessed them all) is one value of them all."""
    rows = [{"户号": "H1", "户主": "王建国", "评估单位": "山西华信", "项目": "窑洞/砖石窑洞", "数量": 10, "单价": 600},
            {"户号": "H2", "户主": "李四", "建筑面积(m²)": 150, "项目": "窑洞/砖石窑洞", "数量": 1, "单价": 600},
            {"户号": "H1", "项目": "窑洞/砖石窑洞", "数量": 5, "单价": 600},
            {"户号": "H3", "户主": "赵六", "项目": "窑洞/砖石窑洞", "数量": 3, "单价": 600}]
    survey = merged_survey(template, tmp_path / "apart.xlsx", rows,
                           ("建筑面积(m²)", 3, "建筑面积(m²)", 4),   # H2's area onto H1's second row
                           ("评估单位", 2, "评估单位", 5))           # one firm for every household
    assert survey.rejected == ("H1",) and [(p.row, p.column) for p in survey.problems] == [(4, "建筑面积(m²)")]
    assert [(h.number, h.case.assessor["organisation"]) for h in survey.households] == [("H2", "山西华信"),
                                                                                        ("H3", "山西华信")]


def test_households_on_another_sheet_laid_out_as_the_survey_are_said_never_passed_over(template, tmp_path):
    """A second 调查表(2) with four more households was passed over: "共 2 户", exit 0. It is a problem of that sheet;
    the template's own 填写说明 and 项目清单 are not."""
    path = fill(template, tmp_path / "two.xlsx", example_rows("0001"))
    book = load_workbook(path)
    copy = book.copy_worksheet(book[SURVEY_SHEET])
    copy.title = "调查表(2)"
    book.save(path)
    survey = read_survey(path)
    assert [(p.sheet, p.row) for p in survey.problems] == [("调查表(2)", 0)]
    assert "只读取「调查表」工作表,这里的住户均未导入" in survey.problems[0].zh
    # counted as such in the report's first line, which said "0 户有问题未导入 / 0 left out"
    assert survey.report().splitlines()[0] == (
        "two.xlsx: 1 户可导入,0 户有问题未导入,另有 1 个工作表的住户未读取 / 1 household(s) can be imported, "
        "0 left out, and the households of 1 sheet(s) not read")
    streamed = stream_survey(path)
    assert streamed.unread == ("调查表(2)",) and streamed.report() == survey.report()
    summary = load_workbook(path)
    del summary["调查表(2)"]
    totals = summary.create_sheet("汇总")   # a sheet of the office's own, headed 户号 but holding no lines
    totals.append(["户号", "户主", "合计"])
    totals.append(["0001", "王建国", 546616.30])
    summary.save(path)
    assert read_survey(path).problems == ()


def test_a_household_number_typed_only_on_the_first_row_leaves_the_household_out_whole(template, tmp_path):
    rows = example_rows("0001")
    for row in rows[1:]:
        del row["户号"]   # the assessor typed 户号 once, on the household's first row
    rows += example_rows("0002")
    survey = read_survey(fill(template, tmp_path / "first-row-only.xlsx", rows))
    n = len(example_case().items)
    # Rows 3 … n+1 could belong to 0001 above or to 0002 below: neither is imported short, both are left out.
    assert [(p.row, p.column) for p in survey.problems] == [(row, "户号") for row in range(3, 2 + n) for _ in "ab"]
    assert survey.rejected == ("0001", "0002") and survey.households == ()
    texts = [p.text() for p in survey.problems[:2]]
    assert "调查表 第3行「户号」: 此行没有户号;上方第2行的 0001 户因此整户未导入,请补填户号" in " ".join(texts)
    assert f"此行没有户号;下方第{2 + n}行的 0002 户因此整户未导入" in " ".join(texts)
    assert " / no household number" in texts[0]
    assert "0 户可导入,2 户有问题未导入" in survey.report() and "未导入的户号 / left out: 0001" in survey.report()


def test_a_row_without_a_household_number_rejects_the_households_above_and_below_it(template, tmp_path):
    house = "附属平房/砖混结构"
    rows = [
        {"项目": house, "数量": 5},                                     # nothing above: a problem of its own
        {"户号": "A1", "项目": house, "数量": 10},
        {"户号": "B2", "项目": house, "数量": 10},
        None,
        {"户主": "赵六"},                                               # household values count as content
        {"户号": "A1", "项目": "窑洞/砖石窑洞", "数量": 2, "单价": 600},
        {"户号": "C3", "项目": house, "数量": 1},
    ]
    survey = read_survey(fill(template, tmp_path / "gaps.xlsx", rows))
    assert [(p.row, p.column) for p in survey.problems] == [(2, "户号"), (6, "户号"), (6, "户号")]
    assert survey.problems[0].zh == "此行没有户号;下方第3行的 A1 户因此整户未导入,请补填户号"
    assert {p.zh for p in survey.problems[1:]} == {"此行没有户号;上方第4行的 B2 户因此整户未导入,请补填户号",
                                                  "此行没有户号;下方第7行的 A1 户因此整户未导入,请补填户号"}
    assert survey.rejected == ("A1", "B2")
    assert [h.number for h in survey.households] == ["C3"]


def test_a_household_number_forgotten_on_a_first_row_leaves_that_household_out(template, tmp_path):
    rows = [dict(row) for row in example_rows("0001")]
    del rows[0]["户号"]
    survey = read_survey(fill(template, tmp_path / "first.xlsx", rows))
    assert survey.households == () and survey.rejected == ("0001",)
    assert [(p.row, p.column) for p in survey.problems] == [(2, "户号")]


def test_rows_without_any_household_number_belong_to_none(template, tmp_path):
    survey = read_survey(fill(template, tmp_path / "none.xlsx", [{"项目": "附属平房/砖混结构", "数量": 5}]))
    assert survey.households == () and survey.rejected == ()
    assert [(p.row, p.column, p.zh) for p in survey.problems] == [(2, "户号", "缺少户号,此行不能归入任何一户")]


# -- 户号 written two ways ------------------------------------------------------------------

CAVE = {"项目": "窑洞/砖石窑洞", "数量": 10, "单价": 600}   # one line of 6,000.00


def test_one_household_number_written_two_ways_is_a_problem_naming_the_rows(template, tmp_path):
    rows = [{"户号": "0001", **CAVE},
            {"户号": 1, **CAVE},                # Excel made the number 1 of 0001 typed into a number cell
            {"户号": "０００１", **CAVE},          # full-width: the same writing as 0001
            {"户号": " 0002 ", **CAVE}]
    survey = read_survey(fill(template, tmp_path / "s.xlsx", rows))
    assert [h.number for h in survey.households] == ["0002"] and survey.rejected == ("0001", "1")
    assert [(p.row, p.column) for p in survey.problems] == [(2, "户号"), (3, "户号")]
    first, second = (p.text() for p in survey.problems)
    assert "户号「0001」与第3行的「1」只差前导零" in first and "均未导入" in first
    assert "户号「1」与第2行的「0001」只差前导零" in second and "(row 2)" in second


def test_a_household_number_no_sheet_could_print_is_a_problem_of_its_row(template, tmp_path):
    """An emoji or a symbol in 户号 is refused where it is typed: stored, it broke the project summary's PDF for
    every household and left the household without a settlement sheet."""
    rows = [{"户号": "★3", **CAVE}, {"户号": "一组-03", **CAVE}, {"户号": "(东)5", **CAVE}, {"户号": "12#", **CAVE}]
    survey = read_survey(fill(template, tmp_path / "s.xlsx", rows))
    # the row is some household's, unread: the one beside it (below) is left out whole, never imported short of it
    assert [h.number for h in survey.households] == ["(东)5", "12#"] and survey.rejected == ("一组-03",)
    assert [(p.row, p.column) for p in survey.problems] == [(2, "户号"), (2, "户号")]
    assert "不能含有 「★」(U+2605)" in survey.problems[0].zh and "not '★' (U+2605)" in survey.problems[0].en
    assert survey.problems[1].zh == "此行的户号无法读取(原因见该格);下方第3行的 一组-03 户因此整户未导入,请改正户号"


def test_a_circled_or_superscript_digit_in_a_household_number_is_refused_never_read_as_another_number(
        template, tmp_path, store):
    """Village registers write sub-households 12① and 12②: NFKC read them as 121 and 122, and 12① with a row of 121
    was one household, both families' lines paid to the first 户主. A circled, superscript or subscript digit or a
    fraction is refused at its cell; every other form NFKC writes as another is still read so (３-Ⅱ is 3-II, a
    no-break space a space, the Kangxi radical ⼀ 一), as a 户号 registered before was."""
    rows = [{"户号": "12①", **CAVE}, {"户号": "121", **CAVE}, {"户号": "1²", **CAVE}, {"户号": "3-Ⅱ", **CAVE},
            {"户号": "３-II", **CAVE}]
    survey = read_survey(fill(template, tmp_path / "s.xlsx", rows))
    assert [(p.row, p.column) for p in survey.problems] == [(2, "户号")] * 2 + [(4, "户号")] * 3
    assert "不能含有 「①」(U+2460)" in survey.problems[0].zh and "not '①' (U+2460)" in survey.problems[0].en
    assert "「²」(U+00B2)" in survey.problems[2].zh
    # the rows beside an unread 户号 may be its household's: left out whole, never read as another's
    assert survey.rejected == ("121", "3-II")
    assert survey.households == ()   # 3-Ⅱ and ３-II are one household (3-II), beside row 4's 1²
    assert [household_number(text) for text in ("3-Ⅱ", "一组\u00a003", "⼀组-03", "１２Ａ")] == ["3-II", "一组 03", "一组-03", "12A"]
    for text in ("1½", "12₁"):
        with pytest.raises(InputError, match="户号只能由"):
            household_number(text)


def test_a_household_number_longer_than_its_sheet_prints_is_a_problem_of_its_row(template, tmp_path):
    """The 户号 is printed as the case's 案件编号, 40 characters at most: the 41st is refused at the cell, not found
    when the sheet is printed."""
    rows = [{"户号": "一组-" + "1" * 37, **CAVE}, {"户号": "一组-" + "1" * 38, **CAVE}]
    survey = read_survey(fill(template, tmp_path / "s.xlsx", rows))
    assert [(p.row, p.column, p.zh) for p in survey.problems][:1] == [(3, "户号", "户号过长: 41 个字符,最多 40 个")]
    assert survey.households == () and survey.rejected == ("一组-" + "1" * 37,)   # the household beside it: left out


def test_numbers_are_compared_without_width_and_leading_zeros():
    assert number_key("０００１") == number_key(" 0001 ") == number_key("1") == "1"
    assert number_key("0") == number_key("000") == "0"
    assert number_key("A-0001") != number_key("A-1") and number_key("０１２") == "12"


def test_a_number_written_in_another_case_is_the_same_household_and_another_scripts_digits_are_refused(
        template, tmp_path, store):
    """A01 from one team and a01 from another were two households, and ١ (Arabic-Indic 1) a household apart from 1:
    the family registered twice. A01 and ａ01 now find the registered A01; ١ is refused at its cell."""
    assert number_key("A01") == number_key("a01") == number_key("ａ０１") == "a01"
    project = store.create_project("堡子片区")
    import_survey(store, project.id, read_survey(fill(template, tmp_path / "s.xlsx", [{"户号": "A01", **CAVE}])).households)
    digits = read_survey(fill(template, tmp_path / "u.xlsx", [{"户号": "١", **CAVE}]))
    assert [(p.row, p.column) for p in digits.problems] == [(2, "户号")] and "U+0661" in digits.problems[0].zh
    again = read_survey(fill(template, tmp_path / "t.xlsx", [{"户号": "a01", **CAVE}]))
    summary = import_survey(store, project.id, again.households)
    assert summary.unchanged == ("A01",) and summary.added == ()
    assert [row.number for row in store.ledger(project.id)] == ["A01"]


def test_a_reimport_finds_the_registered_household_however_its_number_is_written(template, tmp_path, store):
    project = store.create_project("堡子片区")
    import_survey(store, project.id, read_survey(fill(template, tmp_path / "s.xlsx", [{"户号": "0001", **CAVE}])).households)
    for number in (1, "０００１"):
        again = read_survey(fill(template, tmp_path / "t.xlsx", [{"户号": number, **CAVE}]))
        summary = import_survey(store, project.id, again.households)
        assert summary.unchanged == ("0001",) and summary.added == summary.updated == summary.refused == ()
    assert [row.number for row in store.ledger(project.id)] == ["0001"]


@pytest.mark.backends("sqlite", "postgres")
def test_an_import_no_one_reviews_is_refused_whole_by_a_household_the_ledger_holds_otherwise(template, tmp_path, store):
    """0001 paid at 6,000.00; a later survey has it at 12 孔 and a new 0002. Imported after the preview (the app), 0002
    is added and 0001 left as paid; imported by `landcomp ledger import` (refuse_differing), nothing is: exit 3."""
    project = store.create_project("堡子片区")
    import_survey(store, project.id, read_survey(fill(template, tmp_path / "s.xlsx", [{"户号": "0001", **CAVE}])).households)
    paid = store.find_household(project.id, "0001").id
    store.sign(paid)
    store.pay([paid], batch="第1批")
    later = fill(template, tmp_path / "t.xlsx", [{"户号": "0001", **CAVE, "数量": 12}, {"户号": "0002", **CAVE}])
    with pytest.raises(RefusedByRule) as refused:
        import_survey(store, project.id, read_survey(later).households, refuse_differing=True)
    assert "调查表中 1 户不能导入,未导入任何住户" in refused.value.zh
    assert "户号 0001:该户已支付(第1版)" in refused.value.zh and "(0001)" in refused.value.en
    assert [row.number for row in store.ledger(project.id)] == ["0001"]
    summary = import_survey(store, project.id, read_survey(later).households)
    assert summary.added == ("0002",) and [number for number, _ in summary.refused] == ["0001"]
    assert [(row.number, row.total) for row in store.ledger(project.id)] == [("0001", Decimal("6000.00")),
                                                                              ("0002", Decimal("6000.00"))]


def test_a_number_the_ledger_holds_two_ways_is_refused_not_guessed(template, tmp_path, store):
    project = store.create_project("堡子片区")
    for number in ("01", "001"):
        store.add_household(project.id, number)
    survey = read_survey(fill(template, tmp_path / "s.xlsx", [{"户号": 1, **CAVE}]))
    summary = import_survey(store, project.id, survey.households)
    assert summary.refused == (("1", "台账中的户号 001、01 只差前导零或字母大小写,无法确定是哪一户;请先在台账中更正户号"),)
    assert store.ledger_count(project.id) == 2
    # refusing the whole import (landcomp ledger import), it is named with its own reason, not "a version differs"
    with pytest.raises(RefusedByRule) as refused:
        import_survey(store, project.id, read_survey(fill(template, tmp_path / "s.xlsx", [{"户号": 1, **CAVE}])).households,
                      refuse_differing=True)
    assert refused.value.zh.startswith("调查表中 1 户不能导入,未导入任何住户") and "版本" not in refused.value.zh.split(":")[0]
    assert "户号 1:台账中的户号 001、01 只差前导零或字母大小写" in refused.value.zh


# -- hidden content --------------------------------------------------------------------------

def hide(path: Path, rows=(), columns=(), state="visible") -> Path:
    book = load_workbook(path)
    sheet = book[SURVEY_SHEET]
    for row in rows:
        sheet.row_dimensions[row].hidden = True
    for letter in columns:
        sheet.column_dimensions[letter].hidden = True
    sheet.sheet_state = state
    book.save(path)
    return path


def test_hidden_rows_and_columns_leave_their_households_out_unless_accepted(template, tmp_path):
    rows = [{"户号": "A1", **CAVE}, {"户号": "A1", **CAVE}, {"户号": "B2", **CAVE},
            {"户号": "C3", "项目": "窑洞/砖石窑洞", "数量": 10}, None]
    rate = next(cell.column_letter for cell in load_workbook(template)[SURVEY_SHEET][1] if cell.value == "单价")
    path = hide(fill(template, tmp_path / "s.xlsx", rows), rows=[3, 6], columns=[rate])
    survey = read_survey(path)
    assert [(p.row, p.column, p.hidden) for p in survey.hidden] == [(2, "单价", True), (3, "", True), (4, "单价", True)]
    assert survey.rejected == ("A1", "B2") and [h.number for h in survey.households] == ["C3"]
    assert "此行被隐藏,此户整户未导入" in survey.hidden[1].text() and "row is hidden" in survey.hidden[1].text()

    accepted = read_survey(path, include_hidden=True)
    assert accepted.hidden == ()
    assert [(h.number, h.rows, h.total) for h in accepted.households][:2] == [
        ("A1", (2, 3), Decimal("12000.00")), ("B2", (4,), Decimal("6000.00"))]


def test_a_row_of_no_height_or_a_column_of_no_width_is_hidden_content(template, tmp_path):
    """A row 0 high (ht="0") or a column 0 wide (width="0"), not marked hidden, is on no one's screen as a hidden one is
    (Excel's 取消隐藏 shows both): 99 m² of an invisible row was paid without a word. Left out the same way."""
    rows = [{"户号": "A1", **CAVE}, {"户号": "A1", **CAVE, "数量": 99}, {"户号": "B2", **CAVE},
            {"户号": "C3", "项目": "窑洞/砖石窑洞", "数量": 10}]
    rate = next(cell.column for cell in load_workbook(template)[SURVEY_SHEET][1] if cell.value == "单价")
    path = rewrite_sheet(fill(template, tmp_path / "s.xlsx", rows), lambda xml: re.sub(
        rf'<col width="[^"]*"( customWidth="1"[^>]* min="{rate}")', r'<col width="0"\1',
        xml.replace('<row r="3">', '<row r="3" ht="0" customHeight="1">')))
    survey = read_survey(path)
    assert [(p.row, p.column, p.hidden) for p in survey.hidden] == [(2, "单价", True), (3, "", True), (4, "单价", True)]
    assert "此行被隐藏,此户整户未导入" in survey.hidden[1].text() and "此列被隐藏" in survey.hidden[0].text()
    assert survey.rejected == ("A1", "B2") and [h.number for h in survey.households] == ["C3"]
    accepted = read_survey(path, include_hidden=True)
    assert accepted.hidden == () and [(h.number, h.rows) for h in accepted.households][:2] == [("A1", (2, 3)), ("B2", (4,))]


def _white_fill(cell):
    from openpyxl.styles import Font, PatternFill
    cell.font, cell.fill = Font(color="FFFFFFFF"), PatternFill("solid", fgColor="FFFFFFFF")


def _yellow_on_yellow(cell):
    from openpyxl.styles import Font, PatternFill
    cell.font, cell.fill = Font(color="FFFFFF00"), PatternFill("solid", fgColor="FFFFFF00")


def _font(**colour):
    from openpyxl.styles import Font
    from openpyxl.styles.colors import Color
    return lambda cell: setattr(cell, "font", Font(color=Color(**colour)))


def _number_format(code):
    return lambda cell: setattr(cell, "number_format", code)


# How a cell's format shows its number as nothing: the format, or a font the colour of what it is drawn on (Excel's
# 白色,背景1 is the theme's colour 0; indexed 9 is white)
SHOWN_AS_NOTHING = {"number format ;;;": _number_format(";;;"), "number format ;;;@": _number_format(";;;@"),
                    "number format [White]General": _number_format("[White]General"),
                    "number format [白色]G/通用格式": _number_format("[白色]G/通用格式"),
                    "white font": _font(rgb="FFFFFFFF"), "theme white font": _font(theme=0),
                    "indexed white font": _font(indexed=9), "white on a white fill": _white_fill,
                    "yellow on yellow": _yellow_on_yellow}


@pytest.mark.parametrize("shown_by", SHOWN_AS_NOTHING)
def test_a_value_its_cell_format_shows_as_nothing_is_hidden_content(template, tmp_path, shown_by):
    """数量 860.4 in a cell formatted ;;; (or in white) showed blank in Excel and was paid: 1,134,856.30 for 546,616.30
    with no 提示. Left out, as a hidden row is, unless hidden content is accepted. Excel's own white (白色,背景1),
    white on a white fill, ;;;@ and [White] were not seen as such."""
    from openpyxl.styles import Font, GradientFill, PatternFill
    rows = [{"户号": "A1", **CAVE}, {"户号": "B2", **CAVE}]
    path = fill(template, tmp_path / "s.xlsx", rows)
    book = load_workbook(path)
    sheet = book[SURVEY_SHEET]
    column = {cell.value: cell.column for cell in sheet[1]}
    SHOWN_AS_NOTHING[shown_by](sheet.cell(2, column["数量"]))
    # seen: B2 as ever (red; white on a dark fill; a text in a format that hides numbers only; a lighter theme white)
    sheet.cell(3, column["数量"]).font = Font(color="FFFF0000")
    sheet.cell(3, column["单价"]).font = Font(color="FFFFFFFF")
    sheet.cell(3, column["单价"]).fill = PatternFill("solid", fgColor="FF1F4E79")
    sheet.cell(3, column["项目"]).number_format = ";;;@"
    sheet.cell(3, column["单价"]).number_format = "[White]0.00"   # on its dark fill
    sheet.cell(3, column["户号"]).font = Font(color="FFFFFFFF")   # white on a dark gradient
    sheet.cell(3, column["户号"]).fill = GradientFill(stop=("FF1F4E79", "FF000000"))
    book.save(path)
    survey = read_survey(path)
    assert [(p.row, p.column, p.hidden) for p in survey.hidden] == [(2, "数量", True)]
    assert "单元格格式不显示内容" in survey.hidden[0].text() and "shows nothing" in survey.hidden[0].text()
    assert survey.rejected == ("A1",) and [h.number for h in survey.households] == ["B2"]
    assert [h.number for h in read_survey(path, include_hidden=True).households] == ["A1", "B2"]


@pytest.mark.parametrize("state, said", [("hidden", "工作表被隐藏"), ("veryHidden", "工作表被深度隐藏")])
def test_a_hidden_survey_sheet_is_reported_and_read_only_when_accepted(template, tmp_path, state, said):
    path = hide(fill(template, tmp_path / "s.xlsx", [{"户号": "A1", **CAVE}]), state=state)
    survey = read_survey(path)
    assert survey.households == () and survey.hidden == survey.problems
    [problem] = survey.problems
    assert (problem.row, problem.column) == (0, "") and problem.text().startswith(f"{SURVEY_SHEET}: {said}")
    assert [h.number for h in read_survey(path, include_hidden=True).households] == ["A1"]


# -- limits ----------------------------------------------------------------------------------

def rewrite_sheet(path: Path, change, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """The workbook with 调查表's XML (or another `part`) changed, as a tool other than openpyxl (or an attacker) may
    write it."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts[part].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def declare(ref: str):
    """A change giving the sheet's <dimension> another reference, whatever its rows hold."""
    return lambda xml: re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', xml)


def many_rows(xml: str) -> str:
    """30,000 rows of 户号 0001: 2 MB of sheet XML, a few kilobytes packed."""
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>0001</t></is></c></row>' for n in range(2, 30002))
    return xml.replace("</row></sheetData>", "</row>" + rows + "</sheetData>")


def far_row(xml: str) -> str:
    """No <dimension>, and one cell a million rows down."""
    xml = re.sub(r"<dimension [^>]*/>", "", xml)
    return xml.replace("</sheetData>", '<row r="1000000"><c r="A1000000"><v>1</v></c></row></sheetData>')


@pytest.mark.parametrize("change, limit, said", [
    (many_rows, ("SURVEY_MAX_UNPACKED_BYTES", 1024 * 1024), "解压后过大"),
    (lambda xml: xml, ("SURVEY_MAX_FILE_BYTES", 1000), "文件过大"),
])
def test_a_workbook_too_large_is_refused_before_openpyxl_reads_it(template, tmp_path, monkeypatch, change, limit, said):
    path = rewrite_sheet(fill(template, tmp_path / "s.xlsx", [{"户号": "A1", **CAVE}]), change)
    monkeypatch.setattr(survey_sheet, *limit)
    monkeypatch.setattr(survey_sheet, "load_workbook", lambda *a, **k: pytest.fail("the workbook was loaded"))
    with pytest.raises(InputError, match=said) as caught:
        read_survey(path)
    assert caught.value.en and caught.value.where == str(path)


@pytest.mark.parametrize("extent, said", [
    ("A1:AL1048576", f"「调查表」工作表有 1048576 行,调查表最多 {SURVEY_MAX_ROWS} 行"),
    ("A1:XFD2", "「调查表」工作表有 16384 列"),
])
def test_a_survey_sheet_declaring_too_large_a_range_is_refused_before_its_rows_are_read(
        template, tmp_path, monkeypatch, extent, said):
    """Said as the sheet's range, a cell formatted far away included (one bold blank cell at GR1 refused a survey of 5
    rows as 200 columns, as if the survey were too big)."""
    path = rewrite_sheet(fill(template, tmp_path / "s.xlsx", [{"户号": "A1", **CAVE}]), declare(extent))
    monkeypatch.setattr(survey_reading, "read_grid", lambda *a: pytest.fail("the rows were read"))
    with pytest.raises(InputError, match=said) as caught:
        read_survey(path)
    assert "含设了格式的空白格" in caught.value.zh and "formatted blank cells" in caught.value.en


def test_another_sheet_of_the_workbook_is_never_held_to_the_surveys_size(template, tmp_path):
    """A 照片索引 sheet 150 columns wide refused the survey: 工作表有 150 列,调查表最多 100 列."""
    path = fill(template, tmp_path / "s.xlsx", [{"户号": "A1", **CAVE}])
    book = load_workbook(path)
    book.create_sheet("照片索引").cell(1, 150, "照片150")
    book.save(path)
    [household] = read_survey(path).households
    assert household.number == "A1"


def test_a_sheet_holding_too_many_rows_is_refused_before_its_rows_are_read(template, tmp_path, monkeypatch):
    path = rewrite_sheet(fill(template, tmp_path / "s.xlsx", [{"户号": "A1", **CAVE}]), far_row)
    monkeypatch.setattr(survey_reading, "read_grid", lambda *a: pytest.fail("the rows were read"))
    with pytest.raises(InputError, match="1000000 行") as caught:
        read_survey(path)
    assert "1000000 rows" in caught.value.en


def test_text_over_its_limit_or_with_a_refused_character_is_a_problem_at_its_cell(template, tmp_path):
    rows = [{"户号": "A1", "户主": "王" * 41, **CAVE},
            {"户号": "B2", "户主": "王\u202e国", **CAVE},          # a bidi override reverses the name on screen
            {"户号": "C3", **CAVE, "备注": "第一行\n第二行"},       # a line break (Alt+Enter)
            {"户号": "D4", **CAVE, "数量": "1" * 301},
            {"户号": "E5", "户主": "王" * 40, **CAVE, "备注": "核" * 300}]
    survey = read_survey(fill(template, tmp_path / "s.xlsx", rows))
    assert [(p.sheet, p.row, p.column) for p in survey.problems] == [
        (SURVEY_SHEET, 2, "户主"), (SURVEY_SHEET, 3, "户主"), (SURVEY_SHEET, 4, "备注"), (SURVEY_SHEET, 5, "数量")]
    zh = [p.zh for p in survey.problems]
    assert zh[0] == "户主过长: 41 个字符,最多 40 个" and "格式控制字符 U+202E" in zh[1]
    assert zh[2] == "备注含有换行符 U+000A,请删除" and zh[3].startswith("数量过长")   # Alt+Enter, said as such
    assert survey.rejected == ("A1", "B2", "C3", "D4") and [h.number for h in survey.households] == ["E5"]


def bad_rows() -> list[dict[str, object] | None]:
    """Household 0001 is the good example; 0002 and 0003 each carry mistakes an assessor makes."""
    good = example_rows("0001")
    bad = [
        {"户号": "0002", "户主": "张三", "项目": "附属平房/砖瓦结构", "数量": 10},          # unknown key
        {"户号": "0002", "项目": "附属平房/框架结构", "数量": -3},                       # negative quantity
        {"户号": "0002", "项目": "窑洞/砖石窑洞", "数量": "三十"},                       # text in 数量
        {"户号": "0002", "项目": "附属平房/砖混结构", "数量": 20, "单价": 900},           # above 700–800, no reason
        {"户号": "0002", "户主": "张四", "项目": "围墙/砖围墙", "数量": 12},              # 户主 differs from row 2
        {"户号": "0002", "建筑面积(m²)": 100, "签约日期": "2023-02-30"},               # no such date
        {"户号": "0003", "项目": "葡萄", "数量": 4, "生长期": "结果期"},                  # not a stage
    ]
    return bad[:3] + good[:20] + bad[3:] + good[20:]


@pytest.mark.parametrize("typed, shown", [(dt.time(12, 0), "12:00:00"), (dt.timedelta(hours=25), "25:00:00")])
def test_a_time_in_a_date_column_is_said_as_a_time(template, tmp_path, typed, shown):
    """12:00 typed under 签约日期 was refused as "不是 datetime.time(12, 0)", 25:00 in an [h]:mm cell as "1 day,
    1:00:00": Python's notation, on an assessor's screen."""
    survey = read_survey(fill(template, tmp_path / "s.xlsx", [{"户号": "T1", **CAVE, "建筑面积(m²)": 100,
                                                                "签约日期": typed}]))
    [problem] = survey.problems
    assert problem.column == "签约日期" and problem.zh == f"应为日期(Excel 日期或 YYYY-MM-DD),不是时间 {shown}"
    assert problem.en == f"must be a date (an Excel date or YYYY-MM-DD), not the time {shown}"


def test_a_bad_workbook_names_the_row_and_column_of_every_problem(template, tmp_path):
    survey = read_survey(fill(template, tmp_path / "bad.xlsx", bad_rows()))
    places = [(p.sheet, p.row, p.column) for p in survey.problems]
    n = len(example_rows("0001"))
    assert places == [
        (SURVEY_SHEET, 2, "项目"), (SURVEY_SHEET, 3, "数量"), (SURVEY_SHEET, 4, "数量"),
        (SURVEY_SHEET, 25, "单价"), (SURVEY_SHEET, 26, "户主"), (SURVEY_SHEET, 27, "签约日期"),
        (SURVEY_SHEET, 28, "生长期"),
    ]
    text = {p.row: p.text() for p in survey.problems}
    assert text[2].startswith("调查表 第2行「项目」: 未知项目「附属平房/砖瓦结构」") and " / unknown item" in text[2]
    assert "正数" in text[3] and "三十" in text[4] and "override_reason" in text[25]
    assert "第2行" in text[26] and "张三" in text[26] and "张四" in text[26]
    assert "2023-02-30" in text[27]
    assert survey.rejected == ("0002", "0003")
    [good] = survey.households
    assert good.number == "0001" and good.total == EXAMPLE_TOTAL
    assert good.rows == tuple(range(5, 25)) + tuple(range(29, 29 + n - 20))


def test_the_good_household_of_a_bad_workbook_can_still_be_imported(template, tmp_path, store):
    survey = read_survey(fill(template, tmp_path / "bad.xlsx", bad_rows()))
    project = store.create_project("堡子片区")
    summary = import_survey(store, project.id, survey.households)
    assert summary.added == ("0001",)
    assert [row.number for row in store.ledger(project.id)] == ["0001"]


def test_cells_are_read_as_typed_and_oddities_are_problems_not_guesses(template, tmp_path):
    rows = [
        {"户号": 17, "项目": "附属平房/砖混结构", "数量": 35.55, "单价": "1,234.5", "超标准理由": "框架加层"},
        {"户号": "0018", "项目": "附属平房/砖混结构", "数量": "=2*3"},        # a formula never calculated
        {"户号": "0019", "项目": "附属平房/砖混结构", "数量": 5, "身份证号": 1.42329196805120e17},
        {"户号": "0020", "项目": "附属平房/砖混结构", "数量": 5, "有争议": "也许"},
        {"户号": "0021", "数量": 5},                                         # a line without an item
        {"项目": "附属平房/砖混结构", "数量": 5},                              # a line without a household
    ]
    path = fill(template, tmp_path / "odd.xlsx", rows)
    book = load_workbook(path)
    book[SURVEY_SHEET].cell(1, 60, "层数")   # a column the template does not have …
    book[SURVEY_SHEET].cell(2, 60, 2)      # … with a value in it
    book.save(path)
    survey = read_survey(path)
    assert [(p.row, p.column) for p in survey.problems] == [
        (2, "层数"), (3, "数量"), (4, "身份证号"), (5, "有争议"), (6, "项目"), (7, "户号")]
    assert survey.rejected == ("17", "0018", "0019", "0020", "0021")
    book[SURVEY_SHEET].delete_cols(60)
    book.save(path)
    [household] = read_survey(path).households
    line = household.case.items[0]
    assert household.number == "17" and (line["quantity"], line["rate"]) == (Decimal("35.55"), Decimal("1234.5"))
    assert household.total == Decimal("43886.48")   # 35.55 × 1234.5 = 43886.475 → half-up


def test_an_excel_error_value_is_a_problem_at_its_cell_never_taken_as_text(template, tmp_path):
    """A formula that failed leaves #N/A or #REF! in its cell: read as text, #N/A passed as the reason for a rate above
    the standard (100 m² at 2,000 元 paid 200,000.00), as a 依据 or a 户主, and two families' rows whose 户号 lookup
    failed were one household #N/A."""
    rows = [{"户号": "A1", "项目": "附属平房/砖混结构", "数量": 100, "单价": 2000, "超标准理由": "#N/A"},
            {"户号": "B2", "项目": "评估项/地下室", "评估金额(元)": 50000, "依据": "#REF!"},
            {"户号": "C3", "户主": "#VALUE!", **CAVE},
            {"户号": "#N/A", **CAVE},
            {"户号": "D4", "项目": "附属平房/砖混结构", "数量": "#DIV/0!"},
            {"户号": "E5", "户主": "#N/A 待查", **CAVE}]   # the same characters typed as text are text
    path = fill(template, tmp_path / "errors.xlsx", rows)
    assert load_workbook(path)[SURVEY_SHEET]["A5"].data_type == "e"   # what Excel writes for a failed formula
    survey = read_survey(path)
    assert [(p.row, p.column) for p in survey.problems] == [
        (2, "超标准理由"), (3, "依据"), (4, "户主"), (5, "户号"), (5, "户号"), (5, "户号"), (6, "数量")]
    assert survey.problems[0].zh == "单元格是 Excel 的错误值 #N/A(公式出错),请在 Excel 中改正后再导入"
    assert "上方第4行的 C3 户" in survey.problems[4].zh and "下方第6行的 D4 户" in survey.problems[5].zh
    assert "the Excel error #DIV/0!" in survey.problems[6].en
    assert survey.rejected == ("A1", "B2", "C3", "D4")
    [household] = survey.households
    assert (household.number, household.case.household["head"], household.total) == ("E5", "#N/A 待查", Decimal("6000.00"))


def test_a_date_excel_made_of_a_text_cell_is_a_problem_never_its_iso_text(template, tmp_path):
    """1-2 typed as a 户号 into a cell not set as text is stored by Excel as the date 2026-01-02: read as that text
    it would never find household 1-2 again and register the family anew; 3-5 in 地址 likewise."""
    rows = [{"户号": dt.datetime(2026, 1, 2), **CAVE},
            {"户号": "F6", "地址": dt.datetime(2026, 3, 5), **CAVE},
            {"户号": "G7", "户主": dt.time(12, 30), **CAVE},
            {"户号": "H8", "地址": "堡子村3-5号", **CAVE, "测算日期": dt.datetime(2023, 6, 12)}]
    survey = read_survey(fill(template, tmp_path / "dates.xlsx", rows))
    assert [(p.row, p.column) for p in survey.problems] == [(2, "户号"), (2, "户号"), (3, "地址"), (4, "户主")]
    assert survey.problems[0].zh.startswith("Excel 把这一格存成了日期或时间(2026-01-02)")
    assert "format the column as text" in survey.problems[2].en and "12:30:00" in survey.problems[3].zh
    [household] = survey.households
    assert household.number == "H8" and household.case.assessed_on == "2023-06-12"


def test_a_value_under_no_heading_is_a_problem_at_its_cell_never_dropped(template, tmp_path):
    """单价 790 typed under a heading someone cleared was dropped without a word, and the line priced at the midpoint
    (7,500 for 7,900); a value past the last heading likewise."""
    path = fill(template, tmp_path / "s.xlsx", [{"户号": "A1", "户主": "张三", **CAVE}, {"户号": "B2", "户主": "李四", **CAVE}])
    book = load_workbook(path)
    sheet = book[SURVEY_SHEET]
    rate = next(cell for cell in sheet[1] if cell.value == "单价")
    rate.value = None
    sheet.cell(3, sheet.max_column + 2, "备用")
    book.save(path)
    survey = read_survey(path)
    assert [(p.row, p.column) for p in survey.problems] == [
        (2, f"{rate.column_letter}列(第1行无列名)"), (3, f"{rate.column_letter}列(第1行无列名)"),
        (3, f"{get_column_letter(sheet.max_column)}列(第1行无列名)")]
    assert survey.rejected == ("A1", "B2") and survey.households == ()


def test_a_note_beside_the_table_is_a_problem_of_its_own_never_a_households(template, tmp_path):
    """调查人:王五 written two rows under the last household, past the headings, was taken for a row of that household
    without its 户号, and the household was left out for it."""
    path = fill(template, tmp_path / "s.xlsx", [{"户号": "A1", "户主": "张三", **CAVE}, None])
    book = load_workbook(path)
    sheet = book[SURVEY_SHEET]
    sheet.cell(3, sheet.max_column + 1, "调查人:王五")
    book.save(path)
    survey = read_survey(path)
    assert [(p.row, p.column) for p in survey.problems] == [(3, f"{get_column_letter(sheet.max_column)}列(第1行无列名)")]
    assert [h.number for h in survey.households] == ["A1"] and survey.rejected == ()


def test_a_percentage_stored_as_a_fraction_is_a_problem_never_a_hundredth(template, tmp_path):
    """30% typed into a cell formatted as a percentage is stored by Excel as 0.3: imported as 0.3 %, the 装潢增加 was
    1/100 of what was meant (435.30 for 564.20), said only as 超标准 under the line's rate reason."""
    steps = {"项目": "室外台阶或楼梯/砖台阶", "数量": 6.2, "单价": 70, "超标准理由": "单价按评估报告第3页"}
    path = fill(template, tmp_path / "s.xlsx", [{"户号": "A1", "户主": "张三", **steps, "装潢增加(%)": 0.3},
                                               {"户号": "B2", "户主": "李四", **steps, "装潢增加(%)": 30}])
    book = load_workbook(path)
    sheet = book[SURVEY_SHEET]
    percent = next(cell for cell in sheet[1] if cell.value == "装潢增加(%)").column
    sheet.cell(2, percent).number_format = "0%"
    book.save(path)
    survey = read_survey(path)
    assert [(p.row, p.column) for p in survey.problems] == [(2, "装潢增加(%)")]
    assert "此格设为百分数格式:实际存的是 0.3(即 30%)" in survey.problems[0].zh
    [household] = survey.households
    assert household.number == "B2" and household.total == Decimal("564.20")   # 6.2 × 70 × 1.3


def formatted(path: Path, formats: dict[tuple[int, str], str], values: dict[tuple[int, str], object] | None = None) -> Path:
    """The survey at `path` with number formats (and values) set at (Excel row, heading) of 调查表, as Excel saves them."""
    book = load_workbook(path)
    sheet = book[SURVEY_SHEET]
    column = {cell.value: cell.column for cell in sheet[1]}
    for (row, heading), code in formats.items():
        sheet.cell(row, column[heading]).number_format = code
    for (row, heading), value in (values or {}).items():
        sheet.cell(row, column[heading]).value = value
    book.save(path)
    return path


def test_any_number_shown_as_a_percentage_is_a_problem_never_a_hundredth_of_it(template, tmp_path):
    """A cell formatted as a percentage shows 100 times what it holds: a 数量 showing 355.00% holds 3.55, and 装潢增加
    showing 150% holds 1.5 — imported as 3.55 m² and 1.5 %, paid as neither the screen nor the file's writer meant.
    A format writing % as its own text ("%" quoted) shows the number itself, and is read as it."""
    steps = {"项目": "室外台阶或楼梯/砖台阶", "单价": 70, "超标准理由": "单价按评估报告第3页"}
    path = fill(template, tmp_path / "s.xlsx", [{"户号": "A1", "户主": "张三", **steps, "数量": 3.55},
                                               {"户号": "B2", "户主": "李四", **steps, "数量": 6.2, "装潢增加(%)": 1.5},
                                               {"户号": "C3", "户主": "王五", **steps, "数量": 6.2, "装潢增加(%)": 30}])
    formatted(path, {(2, "数量"): "0.00%", (3, "装潢增加(%)"): "0%", (4, "装潢增加(%)"): '0"%"'})
    survey = read_survey(path)
    assert [(p.row, p.column) for p in survey.problems] == [(2, "数量"), (3, "装潢增加(%)")]
    assert survey.problems[0].zh.startswith("此格设为百分数格式:实际存的是 3.55(即 355%);")
    assert "it holds 1.5 (150%)" in survey.problems[1].en
    assert survey.rejected == ("A1", "B2")
    [household] = survey.households
    assert household.number == "C3" and household.total == Decimal("564.20")   # 6.2 × 70 × 1.3


def test_a_number_its_format_shows_divided_by_a_thousand_is_a_problem_never_the_number_held(template, tmp_path):
    """A comma after a number format's last digit shows the number divided by 1,000 (#,##0, shows 42000 as 42; 0.0,,
    shows 86.4 as 0.0): 评估金额 showing 42 was paid 42,000.00 and 数量 showing 0.0 was paid 65,664.00, no word said.
    A comma between digits (#,##0) separates thousands, and one quoted or escaped is written as it is: read as ever;
    a scaling second section is for negative numbers only, one chosen by a condition ([>=1000]) for those it holds. A
    text in such a cell is text."""
    basement = {"项目": "评估项/地下室", "依据": "评估报告第3页"}
    path = fill(template, tmp_path / "s.xlsx", [
        {"户号": "A1", "户主": "张三", **basement, "评估金额(元)": 42000},
        {"户号": "B2", "户主": "李四", **CAVE, "数量": 86.4},
        {"户号": "C3", "户主": "王五", **CAVE, "数量": 1234.5},
        {"户号": "D4", "户主": "赵六", **CAVE, "数量": 1250},
        {"户号": "E5", "户主": "孙七", **basement, "评估金额(元)": 42000},
        {"户号": "F6", "户主": "周八", **CAVE}])
    formatted(path, {(2, "评估金额(元)"): "#,##0,", (3, "数量"): "0.0,,", (4, "数量"): "#,##0.0,",
                     (5, "数量"): '#,##0.00_);[Red]\\(#,##0.00,\\)', (5, "单价"): '0\\,', (6, "评估金额(元)"): '#,##0","',
                     (6, "依据"): "#,##0,", (7, "单价"): '[>=1000]#,##0,"千";0'})
    survey = read_survey(path)
    assert [(p.row, p.column) for p in survey.problems] == [(2, "评估金额(元)"), (3, "数量"), (4, "数量")]
    assert survey.problems[0].zh == ("此格的数字格式把数值缩小 1,000 倍显示:Excel 显示的是 42,实际存的是 42000;"
                                     "请把单元格格式改为「常规」或「数值」,再填写要计的数")
    assert "divided by 1,000,000: Excel shows 0.0, the cell holds 86.4" in survey.problems[1].en
    assert "Excel 显示的是 1.2,实际存的是 1234.5" in survey.problems[2].zh
    assert survey.rejected == ("A1", "B2", "C3")
    assert [(h.number, h.total) for h in survey.households] == [
        ("D4", Decimal("750000.00")), ("E5", Decimal("42000.00")), ("F6", Decimal("6000.00"))]


def test_excels_chinese_built_in_date_formats_are_read_as_dates(template, tmp_path):
    """Excel in Chinese writes its own date formats by number alone (31: yyyy"年"m"月"d"日", 58: m"月"d"日"), and
    openpyxl does not know them: 签约日期 2023年6月20日 was refused as "不是 45097", 数量 typed as a date was 45,097 m²
    (33,844,730.00 元, exit 0), and 户号 1-2 (shown 1月2日) a household "45293"."""
    rows = [{"户号": "D1", "户主": "张三", **CAVE, "建筑面积(m²)": 100, "签约日期": 45097},
            {"户号": "D3", "户主": "王五", **CAVE},
            {"户号": 45293, "户主": "李四", **CAVE}]
    path = fill(template, tmp_path / "s.xlsx", rows)
    formatted(path, {(2, "签约日期"): 'yyyy"年"m"月"d"日"', (3, "数量"): 'yyyy"年"m"月"d"日"', (4, "户号"): 'm"月"d"日"'},
              {(3, "数量"): 45097})

    def built_in(xml: str) -> str:   # as Excel writes them: the number of its built-in format, no record of it
        codes = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', xml))
        numbers = {number: "31" if "年" in code else "58" for number, code in codes.items()}
        xml = re.sub(r"<numFmts.*?</numFmts>", "", xml, flags=re.S)
        return re.sub(r'numFmtId="(\d+)"', lambda m: f'numFmtId="{numbers.get(m.group(1), m.group(1))}"', xml)
    rewrite_sheet(path, built_in, "xl/styles.xml")
    survey = read_survey(path)
    assert [(p.row, p.column) for p in survey.problems] == [(3, "数量"), (4, "户号"), (4, "户号")]
    assert survey.problems[0].zh == "数量应为数值,不是日期"
    assert "Excel 把这一格存成了日期或时间(2024-01-02)" in survey.problems[1].zh   # 45293
    [household] = survey.households
    assert household.number == "D1" and household.case.relocation["signed_on"] == "2023-06-20"


def test_a_sum_row_or_a_decimal_number_cell_is_no_household(template, tmp_path):
    """A 合计 row with a 建筑面积 was imported as a household paid its relocation allowances; 户号 3.10 typed into a
    number cell is 3.1, and a second family's 3.1 was merged with it."""
    rows = [{"户号": "A1", "户主": "张三", **CAVE}, {"户号": "合计", "建筑面积(m²)": 220},
            {"户号": 3.1, "户主": "王五", **CAVE}, {"户号": 4, "户主": "赵六", **CAVE},
            {"户号": "本页 合计", "建筑面积(m²)": 220}]
    survey = read_survey(fill(template, tmp_path / "s.xlsx", rows))
    # a sum row is no household's (A1 above it stands); 3.1 is some household's, unread: 4 beside it is left out
    assert [(p.row, p.column) for p in survey.problems] == [(3, "户号"), (4, "户号"), (4, "户号"), (6, "户号")]
    assert survey.problems[0].zh == "「合计」行不是住户,请删去(合计由程序计算)"
    assert "户号是带小数的数值(3.1)" in survey.problems[1].zh and "下方第5行的 4 户" in survey.problems[2].zh
    assert [h.number for h in survey.households] == ["A1"]
    for word in ("汇总", "累计"):   # as Excel's 汇总行 and an office's running total head them: paid as households
        [row] = [p for p in read_survey(fill(template, tmp_path / "t.xlsx", rows[:1] + [
            {"户号": word, "建筑面积(m²)": 345}])).problems]
        assert row.zh == f"「{word}」行不是住户,请删去(合计由程序计算)"


def test_a_household_block_pasted_twice_is_imported_as_typed_and_said_line_by_line(template, tmp_path):
    """Household A1's rows pasted again further down were merged into it, its lines paid twice (154,401.60 for
    83,853.60 in the probe), without a word."""
    rows = [{"户号": "A1", "户主": "张三", **CAVE}, {"户号": "A1", "项目": "围墙/砖围墙", "数量": 20, "单价": 65},
            {"户号": "B2", "户主": "李四", **CAVE},
            {"户号": "A1", "户主": "张三", **CAVE}, {"户号": "A1", "项目": "围墙/砖围墙", "数量": 20, "单价": 65}]
    survey = read_survey(fill(template, tmp_path / "s.xlsx", rows))
    first, second = survey.households
    assert first.number == "A1" and first.total == 2 * (6000 + 1300) and not survey.problems
    assert [w.split(":")[0] for w in first.warnings] == [f"{SURVEY_SHEET} 第5行", f"{SURVEY_SHEET} 第6行"]
    assert "与第2行的项目明细完全相同" in first.warnings[0] and second.warnings == ()


def test_a_date_written_as_the_app_takes_it_typed_is_that_date(template, tmp_path):
    """支付日期 20230628 was refused (不是有效日期) though the app takes it typed so; as a number too, as Excel keeps
    what is typed into a cell not set as text."""
    rows = [{"户号": "A1", **CAVE, "建筑面积(m²)": 100, "签约日期": "20230620", "支付日期": 20230628,
             "搬迁日期": "２０２３年７月５日"},
            {"户号": "B2", **CAVE, "建筑面积(m²)": 100, "支付日期": "20231328"}]
    survey = read_survey(fill(template, tmp_path / "dates.xlsx", rows))
    assert [(p.row, p.column) for p in survey.problems] == [(3, "支付日期")]
    [household] = survey.households
    assert household.case.relocation == {"building_area_m2": Decimal("100"), "signed_on": "2023-06-20",
                                         "paid_on": "2023-06-28", "moved_on": "2023-07-05"}


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1), st.integers(min_value=-12, max_value=6))
def test_a_typed_number_of_up_to_15_digits_reads_back_exactly(mantissa, exponent):
    typed = Decimal(mantissa).scaleb(exponent)
    assert excel_number(float(typed)) == typed


def test_a_formula_result_is_read_at_excels_15_digits():
    assert excel_number(0.1 + 0.2) == Decimal("0.3")
    assert excel_number(86.4) == Decimal("86.4") and excel_number(2.0) == Decimal("2.0")


@pytest.mark.parametrize("make", ["random", "no-sheet", "no-heading", "missing", "duplicate-heading"])
def test_a_file_that_is_not_a_survey_is_refused_in_both_languages(tmp_path, make):
    path = tmp_path / "survey.xlsx"
    if make == "random":
        path.write_bytes(os.urandom(4096))
    elif make in ("no-sheet", "no-heading", "duplicate-heading"):
        book = Workbook()
        book.active.title = "Sheet1" if make == "no-sheet" else SURVEY_SHEET
        book.active.append(["户号", "项目", "数量", "数量"] if make == "duplicate-heading" else ["户号", "户主"])
        book.save(path)
    with pytest.raises(InputError) as caught:
        read_survey(path)
    assert caught.value.zh and caught.value.en and caught.value.zh != caught.value.en
    if make == "no-sheet":
        assert SURVEY_SHEET in caught.value.zh and "Sheet1" in caught.value.zh
    if make == "no-heading":
        assert "项目" in caught.value.zh and "数量" in caught.value.zh


# -- importing -------------------------------------------------------------------------------

def two_households(template: Path, path: Path, **changes) -> Path:
    second = example_rows("0002", head="李秀英")
    for heading, value in changes.items():
        second[0][heading] = value
    return fill(template, path, example_rows("0001") + second)


def test_an_import_puts_each_household_in_the_ledger_with_the_engines_total(template, tmp_path, store):
    project = store.create_project("堡子片区")
    survey = read_survey(two_households(template, tmp_path / "s.xlsx", 数量=90))
    summary = import_survey(store, project.id, survey.households)
    assert summary.added == ("0001", "0002") and summary.updated == summary.unchanged == summary.refused == ()
    ledger = {row.number: row for row in store.ledger(project.id)}
    for household in survey.households:
        row = ledger[household.number]
        assert row.total == compute(household.case).total == household.total
        assert row.status.value == "computed" and row.version == 1 and row.assessor == "李明"
    assert ledger["0001"].total == EXAMPLE_TOTAL and ledger["0002"].total > EXAMPLE_TOTAL
    assert (ledger["0001"].head, ledger["0002"].head) == ("王建国", "李秀英")
    stored = store.current_version(ledger["0002"].household_id).case()
    assert stored.items[0]["quantity"] == "90" and compute(stored).total == ledger["0002"].total


def test_importing_the_same_file_twice_changes_nothing(template, tmp_path, store):
    project = store.create_project("堡子片区")
    path = two_households(template, tmp_path / "s.xlsx")
    import_survey(store, project.id, read_survey(path).households)
    audit = len(store.audit_log())
    again = import_survey(store, project.id, read_survey(path).households)
    assert again.unchanged == ("0001", "0002") and again.added == again.updated == ()
    assert store.ledger_count(project.id) == 2 and len(store.audit_log()) == audit
    assert all(len(store.versions(row.household_id)) == 1 for row in store.ledger(project.id))

    edited = two_households(template, tmp_path / "s2.xlsx", 数量=90)
    summary = import_survey(store, project.id, read_survey(edited).households)
    assert summary.unchanged == ("0001",) and summary.added == summary.updated == ()
    assert [number for number, _ in summary.refused] == ["0002"] and "第1版测算" in summary.refused[0][1]
    versions = store.versions(store.find_household(project.id, "0002").id)
    assert [(v.number, v.total) for v in versions] == [(1, EXAMPLE_TOTAL)]


def test_a_signed_household_is_refused_when_the_survey_differs(template, tmp_path, store):
    project = store.create_project("堡子片区")
    import_survey(store, project.id, read_survey(two_households(template, tmp_path / "s.xlsx")).households)
    signed = store.sign(store.find_household(project.id, "0001").id)
    edited = fill(template, tmp_path / "s2.xlsx",
                  example_rows("0001", head="王建民") + example_rows("0002", head="李秀兰"))
    summary = import_survey(store, project.id, read_survey(edited).households)
    assert [number for number, _ in summary.refused] == ["0001", "0002"]
    assert "该户已签字(第1版)" in summary.refused[0][1] and "更正理由" in summary.refused[0][1]
    assert "未覆盖" in summary.refused[1][1] and summary.updated == ()
    assert len(store.versions(signed.id)) == 1 and store.household(signed.id).head == "王建国"
    assert store.household(signed.id).status.value == "signed"
    same = import_survey(store, project.id, read_survey(tmp_path / "s.xlsx").households)
    assert "0001" in same.unchanged and same.refused == ()
    store.pay([signed.id], batch="第1批")
    paid = import_survey(store, project.id, read_survey(edited).households)
    assert paid.refused[0][0] == "0001" and "已支付" in paid.refused[0][1] and "更正理由" not in paid.refused[0][1]


def test_reimporting_the_original_survey_never_undoes_a_correction_made_in_the_app(template, tmp_path, store):
    project = store.create_project("堡子片区")
    path = two_households(template, tmp_path / "s.xlsx")
    import_survey(store, project.id, read_survey(path).households)
    household = store.find_household(project.id, "0001")
    data = case_to_dict(store.current_version(household.id).case())
    data["items"][0] = {**data["items"][0], "quantity": "90"}           # the assessor's correction
    corrected = case_from_dict(data)
    store.save_computed(household.id, compute(corrected), actor="李明")   # 补偿测算: version 2
    before = {row.number: (row.total, row.version, row.status) for row in store.ledger(project.id)}
    assert before["0001"][:2] != (EXAMPLE_TOTAL, 1)
    audit = len(store.audit_log())

    summary = import_survey(store, project.id, read_survey(path).households, actor="王芳")
    assert summary.refused == (("0001", "台账中已有第2版测算(经办人 李明),与调查表不同,未覆盖;"
                                        "如需按调查表修改,请在补偿测算中打开此户核对"),)
    assert summary.unchanged == ("0002",) and summary.added == summary.updated == ()
    assert {row.number: (row.total, row.version, row.status) for row in store.ledger(project.id)} == before
    assert [v.number for v in store.versions(household.id)] == [1, 2] and len(store.audit_log()) == audit


def test_a_draft_is_never_overwritten_and_a_registered_household_gets_its_first_version(template, tmp_path, store):
    project = store.create_project("堡子片区")
    draft = store.add_household(project.id, "0001", "王建国")
    store.save_draft(draft.id, case_from_dict({"items": [{"item": "附属平房/砖混结构", "quantity": "5"}]}))
    same = store.add_household(project.id, "0002", "李秀英")
    [_, survey_0002] = read_survey(two_households(template, tmp_path / "s.xlsx")).households
    store.save_draft(same.id, survey_0002.case)                          # the survey's own case, as a draft
    empty = store.add_household(project.id, "0003", "张三")              # registered, no version yet
    rows = example_rows("0001") + example_rows("0002", head="李秀英") + example_rows("0003")
    summary = import_survey(store, project.id, read_survey(fill(template, tmp_path / "t.xlsx", rows)).households)
    assert [number for number, _ in summary.refused] == ["0001"]
    assert summary.refused[0][1].startswith("台账中已有第1版草稿(经办人 李明),与调查表不同,未覆盖")
    assert summary.unchanged == ("0002",) and summary.updated == ("0003",) and summary.added == ()
    assert [len(store.versions(h.id)) for h in (draft, same, empty)] == [1, 1, 1]
    assert store.household(draft.id).status.value == store.household(same.id).status.value == "draft"
    assert store.current_version(empty.id).total == EXAMPLE_TOTAL


def test_an_import_that_fails_half_way_keeps_nothing(template, tmp_path, store):
    project = store.create_project("堡子片区")
    [good] = read_survey(fill(template, tmp_path / "s.xlsx", example_rows("0001"))).households
    case = case_from_dict({"items": [{"item": "附属平房/砖混结构", "quantity": "-1"}]})
    broken = SurveyHousehold("0002", case, (9,), evaluate(case))  # its pricing has a problem: it is not saved
    with pytest.raises(InputError):
        import_survey(store, project.id, [good, broken])
    assert store.ledger_count(project.id) == 0 and store.find_household(project.id, "0001") is None
    with pytest.raises(InputError):
        import_survey(store, project.id, [good, good])
    assert store.ledger_count(project.id) == 0


JUNK_CELL = st.one_of(
    st.none(), st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12), st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32), st.booleans(),
    st.sampled_from(["0001", "0002", "附属平房/砖混结构", "杂棚", "用材树/杨树", "是", "否", "2023-02-30", "盛果期",
                     "-3", "1e400", "12.345", "１２"]),
)


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(st.dictionaries(st.sampled_from(["户号", "户主", "项目", "数量", "单价", "直径(cm)", "生长期",
                                                        "有争议", "建筑面积(m²)", "签约日期", "正房实测面积(m²)"]),
                                     JUNK_CELL, max_size=6), max_size=6))
def test_junk_cells_give_problems_never_a_crash_nor_a_wrong_total(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("junk")
    write_template(folder / "t.xlsx")
    survey = read_survey(fill(folder / "t.xlsx", folder / "junk.xlsx", rows))
    assert not {h.number for h in survey.households} & set(survey.rejected)
    for household in survey.households:   # whatever was accepted computes to the total the report shows
        assert compute(household.case).total == household.total
    for problem in survey.problems:
        assert problem.sheet == SURVEY_SHEET and problem.row >= 2 and problem.zh and problem.en


def test_a_heading_typed_with_full_width_brackets_is_the_template_s_column():
    # Chinese input methods type （） by default: 高度（m） is the template's 高度(m), ㎡ is m².
    from calculator.app.survey.columns import normal_heading
    assert normal_heading("高度（m）") == normal_heading("高度(m)") == "高度(m)"
    assert normal_heading(" 建筑面积 （㎡） ") == "建筑面积(m²)"


def test_a_household_number_shown_with_the_text_of_its_cells_format_is_refused(template, tmp_path):
    """12 formatted "东"000 (shown 东012) and 12 formatted "西"000 (shown 西012) were one household "12", 西012's 压井
    (2,000.00) added to 东012's, with no word. 1 formatted 0000 is the household 0001 Excel shows."""
    rows = [{"户号": 12, "户主": "张三", **CAVE}, {"户号": 12, "户主": "李四", **CAVE}, {"户号": 1, "户主": "王五", **CAVE},
            {"户号": 7, "户主": "赵六", **CAVE, "项目": "围墙/砖围墙", "数量": 20, "单价": 65}]
    path = fill(template, tmp_path / "s.xlsx", rows)
    # a unit written beside a quantity (0.00"m"): the number is read
    formatted(path, {(2, "户号"): '"东"000', (3, "户号"): '"西"000', (4, "户号"): "0000", (5, "数量"): '0.00"m"'})
    survey = read_survey(path)
    refused = [p for p in survey.problems if p.zh.startswith("户号单元格")]
    assert [(p.row, p.column) for p in refused] == [(2, "户号"), (3, "户号")]
    assert refused[0].zh == "户号单元格的数字格式带有文字,Excel 显示的不是存的数值(12);请把户号列设为文本,按显示的样子重新填写户号"
    assert "12" not in [h.number for h in survey.households] and "12" not in survey.rejected
    assert [h.number for h in survey.households] == ["7"] and survey.rejected == ("0001",)   # beside an unread row
    assert str(survey.households[0].case.items[-1]["quantity"]) == "20"   # as typed: 20, not 20.0 (a re-import differs)
    # Excel's own number formats write marks, never text: 数值 with red negatives, 会计专用, a dash for nought
    excel_own = fill(template, tmp_path / "own.xlsx", [{"户号": 12, "户主": "张三", **CAVE}, {"户号": 13, "户主": "李四", **CAVE},
                                                     {"户号": 14, "户主": "王五", **CAVE}, {"户号": 15, "户主": "赵六", **CAVE}])
    formatted(excel_own, {(2, "户号"): "#,##0_ ;[Red]\\-#,##0\\ ", (3, "户号"): "0_);\\(0\\)", (4, "户号"): '0;-0;"-"',
                          (5, "户号"): '_ * #,##0_ ;_ * \\-#,##0_ ;_ * "-"_ ;_ @_ '})
    survey = read_survey(excel_own)
    assert [h.number for h in survey.households] == ["12", "13", "14", "15"] and not survey.problems


def test_a_household_number_its_cells_format_pads_with_zeros_is_registered_as_excel_shows_it(template, tmp_path, store):
    """1 in a cell formatted 0000 (自定义) shows 0001, and was registered, and printed as the sheet's 案件编号, as "1".
    It is read as Excel shows it: 0001, as 2 in 特殊 › 邮政编码 (000000) is 000002, and 3 in 0000;@ is 0003; a number
    with more digits than the format's zeros shows as it is (12345 in 0000). A decimal is refused as ever, and 1 in
    a General cell is still "1"."""
    project = store.create_project("堡子片区")
    rows = [{"户号": 1, "户主": "张三", **CAVE}, {"户号": 12345, "户主": "李四", **CAVE},
            {"户号": 2, "户主": "王五", **CAVE}, {"户号": 3, "户主": "赵六", **CAVE},
            {"户号": "B8", "户主": "孙八", **CAVE}, {"户号": 3.1, "户主": "钱七", **CAVE}]
    path = formatted(fill(template, tmp_path / "s.xlsx", rows), {
        (2, "户号"): "0000", (3, "户号"): "0000", (4, "户号"): "000000", (5, "户号"): "0000;@", (7, "户号"): "0000"})
    survey = read_survey(path)
    assert [(p.row, p.column) for p in survey.problems] == [(7, "户号"), (7, "户号")]
    assert "户号是带小数的数值(3.1)" in survey.problems[0].zh and survey.rejected == ("B8",)
    summary = import_survey(store, project.id, survey.households)
    assert summary.added == ("0001", "12345", "000002", "0003")
    assert sorted(row.number for row in store.ledger(project.id)) == ["000002", "0001", "0003", "12345"]
    assert store.find_household(project.id, "0001").number == "0001" and store.find_household(project.id, "1") is None
    # a re-import of the 0000-formatted 1 is the registered household 0001, unchanged
    again = formatted(fill(template, tmp_path / "t.xlsx", rows[:1]), {(2, "户号"): "0000"})
    summary = import_survey(store, project.id, read_survey(again).households)
    assert summary.unchanged == ("0001",) and summary.added == summary.updated == summary.refused == ()
    [general] = read_survey(fill(template, tmp_path / "u.xlsx", rows[:1])).households
    assert general.number == "1"
