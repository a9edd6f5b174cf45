"""Workbooks a county office can keep working in: computed values as numbers, SUM rows that check them.

Every figure is written as the value the engine computed (a formula reads back empty until Excel
recalculates, so no figure depends on one); beside a total whose parts add up exactly, a formula
row lets the office see the check. Decimal becomes float only in `_put`, where openpyxl needs it;
text goes in through cells.py, so that nothing a user typed becomes a formula.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from calculator.engine.compensation import CompensationResult
from calculator.core.files import atomic_write
from calculator.engine.landprice import BELOW_FLOOR_SAID, TERM_SHOWN, TERM_SHOWN_PLACES, ParcelPrice
from calculator.formats.reports.cells import put, put_formula, report_book
from calculator.formats.reports.content import SUPERSEDED, Filing, PriceSheet, SettlementSheet, price_sheet, settlement_sheet
from calculator.formats.text_report import width

MONEY = "#,##0.00"
FOUR = "#,##0.0000"
TERM_COEFFICIENT = "0." + "0" * TERM_SHOWN_PLACES  # K年期 as every output shows it
HEADER_FILL = PatternFill("solid", fgColor="E6E6E6")
CHECK_FONT = Font(italic=True, color="555555")
WRAP_AT = 50  # characters of a column before its text wraps instead of widening it
LINE_POINTS = 15  # the height of a line of the default 11-point text, in points
PORTRAIT_WIDTH = 100  # column-width units A4 portrait takes at a readable size; wider sheets print landscape
LANDSCAPE_WIDTH = 180  # and A4 landscape (about 70% of the screen's size): wider sheets print across pages
EXCEL_PLACES = 30  # the most decimals a number format of Excel shows
_DECIMALS = re.compile(r"\.(0+)")  # a number format's decimal places (#,##0.00)
TABLE_START = "A3"  # the first cell under a table's title and head (_table_head freezes the panes there)
COUNTED, HELD_OUT = "是", "否"


def write_settlement_xlsx(result: CompensationResult, path: Path, filing: Filing | None = None) -> None:
    """明细 (one row per line) and 汇总 sheets of the settlement, written atomically."""
    sheet = settlement_sheet(result, filing)
    atomic_write(Path(path), lambda tmp: settlement_book(sheet).save(tmp), "xlsx")


def write_price_xlsx(price: ParcelPrice, path: Path) -> None:
    """部分 (one row per use) and 汇总 sheets of the land price, written atomically."""
    sheet = price_sheet(price)
    atomic_write(Path(path), lambda tmp: price_book(sheet).save(tmp), "xlsx")


def settlement_book(sheet: SettlementSheet) -> Workbook:
    book = report_book()
    details = book.active
    details.title = "明细"
    head = ("序号", "章节", "种类/规格", "数量", "单位", "单价", "金额", "计入合计", "备注")
    _table_head(details, f"{sheet.title}(明细)  {dict(sheet.household).get('户主', '')}  {sheet.case_id}", head)
    row = 3
    for section in sheet.sections:
        for line in section.rows:
            _row(details, row, [line.number, section.heading, line.name, _exactly(line.quantity),
                                line.unit, _exactly(line.rate), (line.amount, MONEY),
                                COUNTED if line.counted else HELD_OUT, line.remarks])
            row += 1
    first, last = 3, row - 1
    amounts, counted = f"G{first}:G{last}", f"H{first}:H{last}"
    row += 1
    _row(details, row, [None, None, "合计(计入合计)", None, None, None, (sheet.total, MONEY), None, sheet.total_words])
    _check(details, row + 1, "C", "校验: 计入合计的金额之和", "G", f'=SUMIF({counted},"{COUNTED}",{amounts})')
    _row(details, row + 2, [None, None, "有争议(不计入合计)", None, None, None, (sheet.disputed_total, MONEY)])
    _check(details, row + 3, "C", "校验: 不计入合计的金额之和", "G", f'=SUMIF({counted},"{HELD_OUT}",{amounts})')
    _fit(details, sheet.reference)
    _settlement_summary(book.create_sheet("汇总"), sheet)
    return book


def _settlement_summary(ws: Worksheet, sheet: SettlementSheet) -> None:
    _title(ws, sheet.title, 4)
    head_row = _rows(ws, 2, [["依据", sheet.basis], ["校验码", sheet.fingerprint],
                             ["标准版本", sheet.schedule_version], *[[k, v] for k, v in sheet.household],
                             *([[SUPERSEDED, sheet.superseded]] if sheet.superseded else []), []])
    _row(ws, head_row, ["章节", "小计(元)"])
    _style_head(ws, head_row, 2)
    row = _rows(ws, head_row + 1, [[s.heading, (s.subtotal, MONEY)] for s in sheet.sections])
    _row(ws, row, ["补偿合计", (sheet.total, MONEY)])
    _check(ws, row + 1, "A", "校验: 各章节小计之和", "B", f"=SUM(B{head_row + 1}:B{row - 1})")
    row = _rows(ws, row + 2, [["补偿合计(大写)", sheet.total_words],
                              ["有争议(不计入合计)", (sheet.disputed_total, MONEY), sheet.disputed_reason]])
    if sheet.replacement:
        row = _rows(ws, row + 1, [["房屋面积置换", "计算面积", "置换比例", "置换面积(m²)"]])
        _style_head(ws, row - 1, 4)
        # each part with every decimal it has, as the PDF prints it: 10.004 + 0.004 is the 10.01 below, 10.00 + 0.00 not
        row = _rows(ws, row, [[p.name, p.working, p.ratio, _exactly(p.area)] for p in sheet.replacement]
                    + [["合计置换面积", None, None, (sheet.replacement_total, MONEY)]])
    _fit(ws, sheet.reference)


def price_book(sheet: PriceSheet) -> Workbook:
    book = report_book()
    parts = book.active
    parts.title = "部分"
    corrected = sheet.corrected_total is not None
    pct = sheet.floor_pct
    head = ["用途", "所用表", "面积(m²)", "面积(亩)", "基准地价(元/m²)", "基准地价(万元/亩)", "总价(元)",
            "区间下限(元/m²)", "区间上限(元/m²)", "区间总价下限(元)", "区间总价上限(元)",
            f"{pct}单价(元/m²)", f"{pct}底价(元)"]
    if corrected:
        head += ["使用年期(年)", "法定最高年期(年)", "K年期", "修正后单价(元/m²)", "修正后总价(元)", "本级别区间"]
    head.append("表注")
    _table_head(parts, f"{sheet.title}  {sheet.reference}  {sheet.grade}级", head)
    row = 3
    for part in sheet.parts:
        values = [part.use, part.table_name, (part.area_m2, MONEY), (part.area_mu, FOUR), (part.unit_price, MONEY),
                  (part.wan_per_mu, FOUR), (part.total, MONEY), (part.lower_unit, MONEY), (part.upper_unit, MONEY),
                  (part.lower_total, MONEY), (part.upper_total, MONEY), (part.floor_unit, MONEY),
                  (part.floor_total, MONEY)]
        if corrected:
            values += [(part.term_years, "General"), part.statutory_years, (part.term_coefficient, TERM_COEFFICIENT),
                       (part.corrected_unit, MONEY),
                       (part.corrected_total, MONEY), part.range_remark]
        _row(parts, row, values + [part.note])
        row += 1
    last = row - 1
    totals = {"C": (sheet.area_m2, MONEY), "D": (sheet.area_mu, FOUR), "E": (sheet.unit_price, MONEY),
              "F": (sheet.wan_per_mu, FOUR), "G": (sheet.total, MONEY), "J": (sheet.lower_total, MONEY),
              "K": (sheet.upper_total, MONEY), "M": (sheet.benchmark_floor_total, MONEY)}
    if corrected:
        totals |= {"Q": (sheet.corrected_unit_price, MONEY), "R": (sheet.corrected_total, MONEY)}
    _put(parts, f"A{row + 1}", "合计 / 平均单价")
    for column, value in totals.items():
        _put(parts, f"{column}{row + 1}", *value)
    # Only the money totals are exact sums of the rounded parts; the areas and averages are not.
    for column in ("G", "J", "K", "M") + (("R",) if corrected else ()):
        _check(parts, row + 2, "A", "校验: 各部分之和", column, f"=SUM({column}3:{column}{last})")
    _fit(parts, sheet.footer)
    _price_summary(book.create_sheet("汇总"), sheet)
    return book


def _price_summary(ws: Worksheet, sheet: PriceSheet) -> None:
    _title(ws, f"{sheet.title}({sheet.subtitle})", 3)
    rows: list[list[Any]] = [
        ["宗地编号", sheet.reference], ["坐落", sheet.location], ["土地级别", f"{sheet.grade}级"],
        ["估价基准日", sheet.valuation_date], ["依据", sheet.basis], ["基准地价表", sheet.subtitle],
        ["总面积(m²)", (sheet.area_m2, MONEY)], ["总面积(亩)", (sheet.area_mu, FOUR)],
        ["平均基准地价(元/m²)", (sheet.unit_price, MONEY)], ["平均基准地价(万元/亩)", (sheet.wan_per_mu, FOUR)],
        ["基准地价总价(元)", (sheet.total, MONEY)], ["基准地价总价(万元)", (sheet.total_wan, FOUR)],
        ["基准地价总价(大写)", sheet.total_words],
        ["级别区间总价下限(元)", (sheet.lower_total, MONEY)], ["级别区间总价上限(元)", (sheet.upper_total, MONEY)],
        [f"基准地价的{sheet.floor_pct}(元)", (sheet.benchmark_floor_total, MONEY)]]
    if sheet.cost_floor_total is not None:
        rows.append(["成本之和(元)", (sheet.cost_floor_total, MONEY)])
    rows += [["协议出让最低价(元)", (sheet.floor_total, MONEY), f"按{sheet.floor_rule}"], ["最低价依据", sheet.floor_basis]]
    if sheet.corrected_total is not None:
        rows += [[], ["修正方法", sheet.correction_method], *[["公式", line] for line in sheet.formula],
                 ["修正系数", "取值", "依据"]]
        rows += [[label, (value, "General") if isinstance(value, Decimal) else value, basis]
                 for label, value, basis in sheet.coefficients]
        rows += [["修正后宗地总价(元)", (sheet.corrected_total, MONEY), BELOW_FLOOR_SAID if sheet.below_floor else None],
                 ["修正后宗地总价(大写)", sheet.corrected_words],
                 ["修正后平均单价(元/m²)", (sheet.corrected_unit_price, MONEY)], ["法定最高年期依据", sheet.tenure_basis],
                 ["K年期", TERM_SHOWN]]
    rows += [["表注", note] for note in sheet.notes]
    rows += [["面积", sheet.area_note]] if sheet.area_note else []
    rows += [[], ["测算人", None, "日期"], ["审核人", None, "日期"]]
    _rows(ws, 2, rows)
    _fit(ws, sheet.footer)


def _number(value: Decimal) -> float:
    """The one place a Decimal becomes a float: the cell, which openpyxl stores as a double."""
    return float(value)


def _put(ws: Worksheet, ref: str, value: Any, number_format: str | None = None) -> None:
    """Write one value: a Decimal as a number, a str as text (never a formula)."""
    cell = ws[ref]
    put(cell, _number(value) if isinstance(value, Decimal) else value)
    if number_format:
        cell.number_format = number_format


def _row(ws: Worksheet, row: int, values: Sequence[Any]) -> None:
    """Write one row; a (Decimal, format) pair is a number cell with its number format."""
    for column, value in enumerate(values, 1):
        value, number_format = value if isinstance(value, tuple) else (value, None)
        _put(ws, f"{get_column_letter(column)}{row}", value, number_format)


def _rows(ws: Worksheet, row: int, rows: Sequence[Sequence[Any]]) -> int:
    for values in rows:
        _row(ws, row, values)
        row += 1
    return row


def _check(ws: Worksheet, row: int, label_column: str, label: str, column: str, formula: str) -> None:
    """A formula the office can recalculate beside the computed figure above it."""
    _put(ws, f"{label_column}{row}", label)
    check = ws[f"{column}{row}"]
    put_formula(check, formula)
    check.number_format = MONEY
    for cell in (ws[f"{label_column}{row}"], check):
        cell.font = CHECK_FONT


def _title(ws: Worksheet, text: str, columns: int) -> None:
    put(ws["A1"], text)
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)


def _table_head(ws: Worksheet, title: str, head: Sequence[str]) -> None:
    _title(ws, title, len(head))
    _row(ws, 2, head)
    _style_head(ws, 2, len(head))
    ws.freeze_panes = TABLE_START


def _style_head(ws: Worksheet, row: int, columns: int) -> None:
    for column in range(1, columns + 1):
        cell = ws.cell(row=row, column=column)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _exactly(value: Decimal) -> tuple[Decimal, str] | str:
    """A quantity or a rate with every decimal it carries, as the sheet prints it: a number cell in a format showing
    them all (_places), or its text when a spreadsheet's number cannot hold it (20 decimals: the float
    1.1234567890123457) or no format of Excel shows them (more than 30 decimals)."""
    if -value.as_tuple().exponent <= EXCEL_PLACES and Decimal(repr(_number(value))) == value:
        return value, _places(value)
    return format(value, "f")


def _places(value: Decimal) -> str:
    """A quantity's or a rate's number format: two decimals, or as many as the value carries (a rate of 350.505
    shown as 350.51 would not multiply out to the amount beside it)."""
    places = max(2, -value.as_tuple().exponent)
    return "#,##0." + "0" * places


def _fit(ws: Worksheet, footer: str = "", keys: int = 1) -> None:
    """Column widths that fit Chinese text (two units a character) and each number as its format shows it; long text
    wraps instead, its row as tall as its lines. Then the sheet set up for A4 (_print_setup; `keys`: the leading
    columns that name a row)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=2):
        lines = 1
        for cell in row:
            if cell.value is None or cell.data_type == "f":
                continue
            text = _shown(cell.value, cell.number_format)
            widths[cell.column] = max(widths.get(cell.column, 0), width(text))
            if width(text) > WRAP_AT:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                lines = max(lines, sum(-(-width(part) // WRAP_AT) or 1 for part in text.split("\n")))
        if lines > 1:   # a spreadsheet that does not size a row to its wrapped text drew the lines over each other
            ws.row_dimensions[row[0].row].height = LINE_POINTS * lines
            for cell in row:   # the row read from its top, as the wrapped text is
                cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="top",
                                           wrap_text=cell.alignment.wrap_text)
    for column, chars in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(chars, WRAP_AT) + 2
    _print_setup(ws, sum(min(chars, WRAP_AT) + 2 for chars in widths.values()), footer, keys)


def _shown(value: Any, number_format: str) -> str:
    """A cell's value about as its number format shows it (#,##0.00000: grouped, five decimals; 0.0%), for the width
    of its column."""
    if not isinstance(value, (float, int)) or isinstance(value, bool) or number_format == "General":
        return str(value)
    decimals = _DECIMALS.search(number_format)
    places = len(decimals.group(1)) if decimals else 0
    if "%" in number_format:
        return f"{value * 100:,.{places}f}%"
    return f"{value:,.{places}f}"


def _print_setup(ws: Worksheet, columns_width: int, footer: str, keys: int = 1) -> None:
    """A4, as wide as the page (landscape when the columns are wider than portrait takes), as many pages tall as it
    needs; a table's title and head on every page; at each page's foot whose it is (`footer`) and 第 N 页 共 M 页.
    Printed as it was, the 明细 of 300 lines went three pages across, its later pages without a head or a name."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if columns_width > PORTRAIT_WIDTH else "portrait"
    # a sheet too wide for one page at a readable size (the price's 20 columns printed at 37%) goes across pages,
    # the columns naming its rows (用途, 户号; 评估人 and 项目 of a rate by both) on each
    across = -(-columns_width // LANDSCAPE_WIDTH)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = across, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if ws.freeze_panes == TABLE_START:   # _table_head's: the title and the head
        ws.print_title_rows = "1:2"
        if across > 1:
            ws.print_title_cols = f"A:{get_column_letter(keys)}"
    ws.oddFooter.left.text = footer.replace("&", "&&")   # & starts a code of the footer's own
    ws.oddFooter.right.text = "第 &P 页 共 &N 页"
