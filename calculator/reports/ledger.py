"""台账 as a workbook: one row per household, the exact totals, and a SUM row that checks them.

Laid out with the helpers of xlsx.py, so that it reads like the settlement and price workbooks:
title row, bold header frozen above the data, figures as numbers, computed totals beside formulas.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from calculator.files import atomic_write
from calculator.reports.xlsx import MONEY, _check, _fit, _row, _table_head
from calculator.store.base import LEDGER_COLUMNS, LedgerRow, ledger_totals

AREA = "0.00"
# How each figure column is shown; the others are text.
FORMATS = {"building_area_m2": AREA, "total": MONEY, "incentive": MONEY, "replacement_m2": AREA}
FIRST_ROW = 3  # below the title and the header


def write_ledger_xlsx(rows: Sequence[LedgerRow], path: Path, title: str = "台账") -> None:
    """The ledger rows as the workbook's one sheet 台账, written atomically."""
    book = ledger_book(rows, title)
    atomic_write(Path(path), lambda tmp: book.save(tmp))


def ledger_book(rows: Sequence[LedgerRow], title: str = "台账") -> Workbook:
    """Title, frozen header with a filter, one row per household, then 合计 and its SUM check."""
    book = Workbook()
    ws = book.active
    ws.title = "台账"
    keys = [key for key, _ in LEDGER_COLUMNS]
    _table_head(ws, title, [heading for _, heading in LEDGER_COLUMNS])
    for offset, row in enumerate(rows):
        _row(ws, FIRST_ROW + offset, [_cell(row, key) for key in keys])
    last = FIRST_ROW + len(rows) - 1
    ws.auto_filter.ref = f"A2:{get_column_letter(len(keys))}{max(last, 2)}"
    totals = ledger_totals(rows)
    total_row = max(last, 2) + 2  # a blank row keeps the totals out of the filter range
    values: list[Any] = [None] * len(keys)
    values[0], values[1] = "合计", f"{totals.households} 户"
    for key in FORMATS:
        values[keys.index(key)] = (getattr(totals, key), FORMATS[key])
    _row(ws, total_row, values)
    if rows:
        for key, number_format in FORMATS.items():
            column = get_column_letter(keys.index(key) + 1)
            _check(ws, total_row + 1, "A", "校验: 各户之和", column, f"=SUM({column}{FIRST_ROW}:{column}{last})")
            ws[f"{column}{total_row + 1}"].number_format = number_format
    _fit(ws)
    return book


def _cell(row: LedgerRow, key: str) -> Any:
    """A ledger value as written: figures with their format (blank for a draft), status as its label."""
    value = getattr(row, key)
    if key == "status":
        return value.label
    if key in FORMATS:
        return None if value is None else (value, FORMATS[key])
    return value
