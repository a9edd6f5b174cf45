"""Writing workbook cells: text is stored as text, formulas only where the project writes its own.

openpyxl reads a str as a formula when it starts with "=" (户主 "=HYPERLINK(…)" became a live
link) and as an error value when it is one of "#N/A", "#REF!" …; so every str goes in as a text
cell. Text starting with the other characters OWASP's CSV injection guidance lists (+ - @ tab CR)
is already text to openpyxl, but Excel turns it into a formula once someone edits the cell: those
cells also get Excel's quote prefix, which keeps them text (shown without the apostrophe).
"""
from __future__ import annotations

from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from calculator.core.limits import visible

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")  # CR is written as LF (see `put`), so LF too
# The category a workbook the program writes as a report (a sheet, the 台账, the summary) carries in its properties:
# such a workbook is never taken for a filled-in survey (the summary's 超标准单价 sheet has 户号, 项目 and 数量 headings,
# and `ledger summary --xlsx` refused to write over its own earlier workbook).
REPORT_CATEGORY = "landcomp report"


def report_book() -> Workbook:
    """A new workbook marked as one of the program's reports (REPORT_CATEGORY)."""
    book = Workbook()
    book.properties.category = REPORT_CATEGORY
    return book


def put(cell: Cell, value: Any) -> None:
    """Store `value` in `cell`; a str always as a text cell, never a formula or an error value."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")  # what the file reads back as: XML has no lone CR
        value = visible(value, keep="\t\n")  # any other control character: no workbook may hold one
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def put_formula(cell: Cell, formula: str) -> None:
    """Store one of the project's own formulas (a SUM check row), never text a user typed."""
    if not formula.startswith("="):
        raise ValueError(f"not a formula: {formula!r}")
    cell.value = formula


def append(ws: Worksheet, values: Sequence[Any]) -> None:
    """`ws.append`, with every str stored as a text cell (see `put`)."""
    cells = []
    for value in values:
        cell = Cell(ws)
        put(cell, value)
        cells.append(cell)
    ws.append(cells)
