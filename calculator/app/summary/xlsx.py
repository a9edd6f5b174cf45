"""项目汇总与审计 as a workbook: 概况, then one sheet per view a user can filter and pivot.

Laid out with the ledger workbook's helpers (calculator.formats.reports.xlsx): a title row, a bold header
frozen above the data with an autofilter over it, figures as numbers with their number format
(money and areas to the fen, shares as percentages, dates as dates), every text as a text cell (a
户主 "=1+2" stays text), and under each table with a 合计 a SUM row that checks it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from calculator.core.files import atomic_write
from calculator.formats.reports.cells import report_book
from calculator.formats.reports.xlsx import LINE_POINTS, MONEY, _check, _fit, _places, _row, _table_head
from calculator.formats.text_report import width
from calculator.app.summary.model import (
    AREA, COUNT, DATE, MONEY as MONEY_KIND, NUMBER, QUANTITY, SHARE, Summary, Table,
)
from calculator.app.summary.outliers import METHOD_LABELS

FORMATS = {MONEY_KIND: MONEY, AREA: "#,##0.00", NUMBER: "#,##0.00", COUNT: "0", SHARE: "0.0%", DATE: "yyyy-mm-dd"}
FIRST_ROW = 3  # below the title and the header
# Characters a sheet's name may not hold, and the longest name Excel takes.
_NOT_IN_NAMES = str.maketrans({c: "、" for c in "[]:*?/\\"})
NAME_MOST = 31


def write_summary_xlsx(summary: Summary, path: Path) -> None:
    """The workbook at `path`, whole or not at all; every text as stored (an emoji too: the workbook's reader has
    the fonts, and the summary PDF marks what its own cannot draw)."""
    book = summary_book(summary)
    atomic_write(Path(path), lambda tmp: book.save(tmp), "xlsx")


def summary_book(summary: Summary) -> Workbook:
    book = report_book()
    footer = f"{summary.project} 汇总与审计({summary.dated})"   # at each printed page's foot: whose it is
    _overview(book.active, summary, footer)
    for table in summary.tables():
        _sheet(book.create_sheet(table.title.translate(_NOT_IN_NAMES)[:NAME_MOST]), table, footer)
    return book


def _overview(ws, summary: Summary, footer: str) -> None:
    ws.title = "概况"
    _table_head(ws, footer, ["项目", "数值", "单位"])
    rows: list[list[Any]] = [
        ["住户", (summary.households, "0"), "户"], ["计入金额的住户", (summary.counted, "0"), "户"],
        ["数据异常(不计入)", (len(summary.abnormal), "0"), "户"], ["补偿合计", (summary.total, MONEY), "元"],
        ["补偿合计(大写)", summary.total_words, None],
        ["已支付", (summary.paid, MONEY), "元"], ["未支付(已测算、已签字)", (summary.owed, MONEY), "元"],
        ["有争议未计入", (summary.disputed, MONEY), "元"], ["置换面积", (summary.replacement_m2, MONEY), "m²"],
        ["台账读取于", summary.read_at, None], ["资金预测截至", (summary.as_of, "yyyy-mm-dd"), None]]
    for offset, values in enumerate(rows):
        _row(ws, FIRST_ROW + offset, values)
    row = FIRST_ROW + len(rows) + 1
    for offset, (key, value) in enumerate(summary.method.items()):
        _row(ws, row + offset, [f"异常检测:{METHOD_LABELS[key]}", value if isinstance(value, str) else (value, "0.0")])
    _fit(ws, footer)


def _sheet(ws, table: Table, footer: str) -> None:
    """One view: header frozen with a filter over the rows, its 合计 apart below, a SUM check, the note."""
    _table_head(ws, table.title, [column.heading for column in table.columns])
    for offset, row in enumerate(table.rows):
        _row(ws, FIRST_ROW + offset, [_cell(value, column.kind) for column, value in zip(table.columns, row)])
    last = FIRST_ROW + len(table.rows) - 1
    ws.auto_filter.ref = f"A2:{get_column_letter(len(table.columns))}{max(last, 2)}"
    below = max(last, 2) + 2  # a blank row keeps the 合计 out of the filter's range
    if table.total is not None:
        _row(ws, below, [_cell(value, column.kind) for column, value in zip(table.columns, table.total)])
        for index, column in enumerate(table.columns, 1):
            if column.kind == MONEY_KIND and table.rows:
                letter = get_column_letter(index)
                _check(ws, below + 1, "A", "校验: 各行之和", letter, f"=SUM({letter}{FIRST_ROW}:{letter}{last})")
        below += 3
    _fit(ws, footer, table.keys)
    if table.note:   # across the table, wrapped: measured with the columns, it made column A as wide as a page
        _note(ws, below, table.note, len(table.columns))


def _note(ws, row: int, text: str, columns: int) -> None:
    """A table's note under it, merged across its columns, its row as tall as its wrapped lines."""
    _row(ws, row, [text])
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    across = sum(ws.column_dimensions[get_column_letter(column)].width or 10 for column in range(1, columns + 1))
    ws.row_dimensions[row].height = LINE_POINTS * max(1, -(-width(text) // max(int(across) - 2, 1)))


def _cell(value: Any, kind: str) -> Any:
    """A value as `_row` writes it: a number or date with its format, text as text, blank for None."""
    if value is None or value == "":
        return None
    if kind == QUANTITY:
        return (value, _places(value))
    if kind in FORMATS:
        return (value, FORMATS[kind])
    return value
