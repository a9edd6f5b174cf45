"""The streamed reading of 调查表 gives what openpyxl's normal mode gave: the same values row by row,
merged cells repeated, formulas without a result marked, hidden rows and columns found from the
sheet's records, and the survey limits held while the rows pass."""
from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from calculator.app.survey import reading as survey_reading, sheet as survey_sheet
from calculator.core.errors import InputError
from calculator.app.survey import SURVEY_SHEET, read_survey
from test_survey import CAVE, fill, rewrite_sheet


def normal_mode(path: Path) -> tuple[dict[int, list], set[int], set[int]]:
    """The reading before streaming: the whole grid in normal mode, formulas from a data-only copy."""
    book = load_workbook(path)
    sheet = book[SURVEY_SHEET]
    grid = [[cell.value for cell in row] for row in sheet.iter_rows()]
    formulas = [(r, c) for r, row in enumerate(sheet.iter_rows()) for c, cell in enumerate(row) if cell.data_type == "f"]
    cached = load_workbook(path, data_only=True)[SURVEY_SHEET]
    for r, c in formulas:
        value = cached.cell(r + 1, c + 1).value
        grid[r][c] = survey_sheet.FORMULA_PENDING if value is None else value
    for merged in sheet.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                grid[r - 1][c - 1] = value
    hidden_rows = {number for number, dimension in sheet.row_dimensions.items() if dimension.hidden}
    hidden_columns = set()
    for letter, dimension in sheet.column_dimensions.items():
        if dimension.hidden:
            first = dimension.min or column_index_from_string(letter)
            hidden_columns.update(range(first - 1, dimension.max or first))
    return {n: trimmed(values) for n, values in enumerate(grid, start=1) if trimmed(values)}, hidden_rows, hidden_columns


def streamed(path: Path) -> tuple[dict[int, list], set[int], set[int]]:
    with survey_sheet.read_sheet(path) as sheet:
        rows = list(survey_sheet.read_grid(sheet, path))
        columns = set(sheet.hidden_columns())
    return ({n: trimmed(values) for n, values, _ in rows if trimmed(values)},
            {n for n, _, hidden in rows if hidden}, columns)


def trimmed(values: list) -> list:
    values = list(values)
    while values and values[-1] is None:
        values.pop()
    return values


def drop_rows(*numbers: int):
    """A change taking out the records of some rows, as a sparse writer leaves rows without cells out."""
    def change(xml: str) -> str:
        for number in numbers:
            xml = re.sub(rf'<row r="{number}"[^>]*?(/>|>.*?</row>)', "", xml)
        return xml
    return change


def test_merged_ranges_fill_rows_without_records_even_below_the_last_row(template, tmp_path):
    rows = [{"户号": "M1", **CAVE}, None, None, {"户号": "M2", **CAVE}, None, {"户号": "M3", **CAVE}]
    path = fill(template, tmp_path / "s.xlsx", rows)
    book = load_workbook(path)
    sheet = book[SURVEY_SHEET]
    sheet.merge_cells("A2:A4")        # rows 3 and 4 hold nothing but the merged 户号
    sheet.merge_cells("B5:D6")        # across columns, over a row with a record and one without
    sheet.cell(5, 2, "王五")
    sheet.merge_cells("A7:A9")        # reaching below the last row that holds anything
    book.save(path)
    rewrite_sheet(path, drop_rows(3, 4, 6, 8, 9))
    assert streamed(path) == normal_mode(path)
    survey = read_survey(path)
    assert [(h.number, h.rows) for h in survey.households] == [("M1", (2, 3, 4))]
    # row 6 takes 户主… from B5:D6 but no 户号: M2 above and M3 below are left out, as ever; and row 5's 户主 merged
    # across would be read as the columns beside it too
    assert survey.rejected == ("M2", "M3") and {p.row for p in survey.problems} == {5, 6}


def test_formulas_hidden_rows_and_columns_match_the_normal_mode_reading(template, tmp_path):
    rows = [{"户号": "F1", **CAVE}, {"户号": "F2", **CAVE}, {"户号": "F3", **CAVE}, {"户号": "F4", **CAVE}]
    path = fill(template, tmp_path / "s.xlsx", rows)
    quantity = next(cell.column_letter for cell in load_workbook(path)[SURVEY_SHEET][1] if cell.value == "数量")

    def change(xml: str) -> str:
        # F1: a formula with its cached result; F2: never calculated; F3: a shared formula, calculated
        xml = re.sub(rf'<c r="{quantity}2"[^>]*>.*?</c>', f'<c r="{quantity}2"><f>2*5</f><v>10</v></c>', xml)
        xml = re.sub(rf'<c r="{quantity}3"[^>]*>.*?</c>', f'<c r="{quantity}3"><f>2*3</f><v></v></c>', xml)
        xml = re.sub(rf'<c r="{quantity}4"[^>]*>.*?</c>',
                     f'<c r="{quantity}4"><f t="shared" ref="{quantity}4:{quantity}5" si="0">1+1</f><v>2</v></c>', xml)
        xml = re.sub(rf'<c r="{quantity}5"[^>]*>.*?</c>', f'<c r="{quantity}5"><f t="shared" si="0"/></c>', xml)
        xml = xml.replace('<row r="5"', '<row r="5" hidden="true"', 1)
        return xml.replace("<cols>", '<cols><col min="40" max="42" width="9" hidden="1" customWidth="1"/>', 1)
    rewrite_sheet(path, change)
    assert streamed(path) == normal_mode(path)
    survey = read_survey(path)
    assert [h.number for h in survey.households] == ["F1", "F3"]
    # F4: its row is hidden, and its shared formula was never calculated
    assert [(p.row, p.column) for p in survey.problems] == [(3, "数量"), (5, ""), (5, "数量")]
    assert {40 - 1, 41 - 1, 42 - 1} <= streamed(path)[2]


@pytest.mark.parametrize("cached, refused", [("<v></v>", False), ("", True)])
def test_a_formula_whose_result_is_an_empty_text_is_a_blank_cell(template, tmp_path, cached, refused):
    """单价 filled down as =IF(项目="窑洞/砖石窑洞",600,""): where the result is "" Excel and LibreOffice store t="str"
    and an empty <v>. It was refused as a formula never calculated (which saving in Excel cannot mend), and the rows
    below holding only the formula were rows without 户号 that left the household above them out. Without any <v>,
    it was never calculated."""
    path = fill(template, tmp_path / "s.xlsx", [{"户号": "E1", "户主": "张三", **CAVE}, {"户号": "E1", **CAVE}])
    rate = next(cell.column_letter for cell in load_workbook(path)[SURVEY_SHEET][1] if cell.value == "单价")
    formula = '<f>IF(J{0}="附属平房/砖混结构",750,"")</f>'

    def change(xml: str) -> str:
        xml = re.sub(rf'<c r="{rate}3"[^>]*>.*?</c>|<c r="{rate}3"[^>]*/>', "", xml)
        row_three = re.search(r'<row r="3"[^>]*>', xml)
        xml = xml[:row_three.end()] + f'<c r="{rate}3" t="str">{formula.format(3)}{cached}</c>' + xml[row_three.end():]
        return xml.replace("</sheetData>", f'<row r="4"><c r="{rate}4" t="str">{formula.format(4)}<v></v></c></row>'
                                           "</sheetData>", 1)
    rewrite_sheet(path, change)
    survey = read_survey(path)
    if refused:   # no <v> at all: never calculated, whatever its type
        assert [(p.row, p.column) for p in survey.problems] == [(3, "单价")] and survey.households == ()
        return
    assert survey.problems == ()
    [household] = survey.households
    # row 3's 窑洞 without a rate: the midpoint 650 (6,000.00 + 6,500.00)
    assert household.rows == (2, 3) and household.total == Decimal("12500.00")


def test_a_row_out_of_order_past_the_limit_is_refused_as_it_passes(template, tmp_path):
    path = fill(template, tmp_path / "s.xlsx", [{"户号": "A1", **CAVE}, {"户号": "B2", **CAVE}])
    rewrite_sheet(path, lambda xml: xml.replace('<row r="2"', '<row r="900000"', 1).replace(
        'r="A2"', 'r="A900000"'))
    with pytest.raises(InputError, match="900000 行"):
        read_survey(path)


def test_a_merged_range_past_the_limit_is_refused_before_any_row(template, tmp_path, monkeypatch):
    path = fill(template, tmp_path / "s.xlsx", [{"户号": "A1", **CAVE}])
    rewrite_sheet(path, lambda xml: xml.replace(
        "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="A2:A1048576"/></mergeCells>', 1))
    monkeypatch.setattr(survey_reading, "read_grid", lambda *a: pytest.fail("the rows were read"))
    with pytest.raises(InputError, match="1048576 行"):
        read_survey(path)


def test_a_sheet_damaged_half_way_is_refused_as_unreadable(template, tmp_path):
    path = fill(template, tmp_path / "s.xlsx", [{"户号": "A1", **CAVE}, {"户号": "B2", **CAVE}])
    rewrite_sheet(path, lambda xml: xml.replace('<row r="3"', '<row r="3"><c r="A3" t="s"><v>99999</v></c', 1))
    with pytest.raises(InputError, match="不是可读取的 Excel 工作簿"):
        read_survey(path)


def test_the_workbook_file_is_closed_after_reading(template, tmp_path):
    path = fill(template, tmp_path / "s.xlsx", [{"户号": "A1", **CAVE}])
    read_survey(path)
    with zipfile.ZipFile(path) as package:   # still a whole, readable package
        assert "xl/worksheets/sheet1.xml" in package.namelist()
    path.unlink()   # nothing holds it open (Windows would refuse otherwise)


INLINE = {   # an inline string as writers other than openpyxl write it → what Excel shows (openpyxl's Text.content)
    "B": ("<is><t>王五</t></is>", "王五"),
    "C": ('<is><r><rPr><b/></rPr><t>东街</t></r><r><t xml:space="preserve"> 17号</t></r></is>', "东街 17号"),  # rich text
    "D": ('<is><t>堡子村</t><rPh sb="0" eb="3"><t>baozi</t></rPh><phoneticPr fontId="1"/></is>', "堡子村"),  # phonetic
    "E": ("<is><t>A &amp; B &#x4E00;</t></is>", "A & B 一"),
    "F": ("<is><r><t>附属</t></r><t>平房</t></is>", "平房附属"),   # the plain text first, then the runs
    "H": ("<is/>", ""),
}


def test_inline_strings_read_as_openpyxl_reads_them_rich_text_and_phonetic_runs_included(template, tmp_path):
    path = fill(template, tmp_path / "s.xlsx", [{"户号": "A1", **CAVE}])
    cells = "".join(f'<c r="{column}2" t="inlineStr">{xml}</c>' for column, (xml, _) in INLINE.items())
    rewrite_sheet(path, lambda xml: xml.replace("</is></c><c r=\"J2\"", f"</is></c>{cells}<c r=\"J2\"", 1))
    with survey_sheet.read_sheet(path) as sheet:
        [_, (number, values, _)] = list(survey_sheet.read_grid(sheet, path))
    book = load_workbook(path, read_only=True)
    [openpyxl_row] = book[SURVEY_SHEET].iter_rows(min_row=2, max_row=2, values_only=True)
    book.close()
    expected = {column_index_from_string(column) - 1: text for column, (_, text) in INLINE.items()}
    assert number == 2 and {index: values[index] for index in expected} == expected
    assert values == list(openpyxl_row[:len(values)])


@pytest.mark.parametrize("change", [
    lambda xml: xml.replace('<row r="2">', '<row r="2"><row r="3"><c r="A3"><v>1</v></c></row>', 1),  # row in a row
    lambda xml: xml.replace("</sheetData>", '</sheetData><row r="9"><c r="A9"><v>1</v></c></row>', 1),  # outside
    lambda xml: xml.replace("</sheetData>", '</sheetData><sheetData><row r="9"/></sheetData>', 1),  # two of them
], ids=["nested", "outside", "second-sheetData"])
def test_a_row_that_is_no_child_of_the_one_sheetData_makes_the_sheet_unreadable_not_half_read(template, tmp_path,
                                                                                          change):
    path = fill(template, tmp_path / "s.xlsx", [{"户号": "A1", **CAVE}, {"户号": "B2", **CAVE}])
    rewrite_sheet(path, change)
    with pytest.raises(InputError, match="不是可读取的 Excel 工作簿"):
        read_survey(path)


def test_an_empty_file_a_password_protected_workbook_and_a_strict_one_are_each_said_so(template, tmp_path):
    """Each was 不是可读取的 Excel 工作簿;旧版 .xls 请在 Excel 中另存为 .xlsx: saved as .xlsx as advised, a workbook with a
    password keeps it; a Strict Open XML workbook was 没有「调查表」工作表(现有:), openpyxl's warning on stderr."""
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"文件是空的\(0 字节\)"):
        read_survey(empty)
    # a password-protected .xlsx is a compound file holding the workbook encrypted in its EncryptedPackage stream
    compound = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(compound + "EncryptedInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(InputError, match=": 工作簿设有打开密码,程序不能读取"):
        read_survey(locked)
    old = tmp_path / "old.xlsx"
    old.write_bytes(compound + "Workbook".encode("utf-16-le"))
    with pytest.raises(InputError, match=r": 这是旧版 Excel 97-2003 工作簿\(\.xls\)"):
        read_survey(old)
    strict = fill(template, tmp_path / "strict.xlsx", [{"户号": "A1", **CAVE}])
    for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels", "xl/worksheets/sheet1.xml",
                 "xl/styles.xml"):   # its parts' namespaces as Excel (or LibreOffice) writes Strict
        rewrite_sheet(strict, as_strict, part)
    with pytest.raises(InputError, match=": 工作簿是「Strict Open XML」格式"):
        read_survey(strict)
    from test_ledger_cli import ledger   # and nothing of openpyxl's own on stderr (its warning, in English)
    assert ledger(tmp_path, "create", "p.landcomp", "--name", "堡子片区").returncode == 0
    run = ledger(tmp_path, "import", "p.landcomp", strict, "--dry-run")
    assert run.returncode == 2 and "Strict Open XML" in run.stderr and "Warning" not in run.stderr, run.stderr


STRICT = (("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main"),
          ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
           "http://purl.oclc.org/ooxml/officeDocument/relationships"))


def as_strict(xml: str) -> str:
    for transitional, strict in STRICT:
        xml = xml.replace(transitional, strict)
    return xml
