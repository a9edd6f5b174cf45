"""台账 as a workbook: one row per household, the exact totals, and a SUM row that checks them.

Laid out with the helpers of xlsx.py, so that it reads like the settlement and price workbooks:
title row, bold header frozen above the data, figures as numbers, computed totals beside formulas.
The screen's columns come first, then what an office files beside them (身份证号, 电话, 签字日期,
支付批次, 支付日期). Times are date(-time) cells in the computer's local time: Excel has no time zones.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from calculator.core.files import atomic_write
from calculator.formats.reports.cells import report_book
from calculator.formats.reports.xlsx import MONEY, _check, _fit, _row, _table_head
from calculator.store.base import LEDGER_COLUMNS, LedgerRow, ledger_totals

AREA = "0.00"
# How each figure column is shown; the others are text.
FORMATS = {"building_area_m2": AREA, "total": MONEY, "incentive": MONEY, "replacement_m2": AREA}
# Recorded times and how each is shown: 最后修改 to the minute, the signing and payment by day.
TIMES = {"updated_at": ("yyyy-mm-dd hh:mm", False), "signed_at": ("yyyy-mm-dd", True), "paid_at": ("yyyy-mm-dd", True)}
WORKBOOK_COLUMNS = (*LEDGER_COLUMNS, ("id_number", "身份证号"), ("phone", "电话"), ("signed_at", "签字日期"),
                    ("paid_batch", "支付批次"), ("paid_at", "支付日期"))
FIRST_ROW = 3  # below the title and the header


def write_ledger_xlsx(rows: Sequence[LedgerRow], path: Path, title: str = "台账") -> None:
    """The ledger rows as the workbook's one sheet 台账, written atomically."""
    book = ledger_book(rows, title)
    atomic_write(Path(path), lambda tmp: book.save(tmp), "xlsx")


def ledger_book(rows: Sequence[LedgerRow], title: str = "台账") -> Workbook:
    """Title, frozen header with a filter, one row per household, then 合计 and its SUM check."""
    book = report_book()
    ws = book.active
    ws.title = "台账"
    keys = [key for key, _ in WORKBOOK_COLUMNS]
    _table_head(ws, title, [heading for _, heading in WORKBOOK_COLUMNS])
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
    _fit(ws, title)   # at each printed page's foot: whose it is
    return book


def _cell(row: LedgerRow, key: str) -> Any:
    """A ledger value as written: figures and times with their format (blank when absent), status as its label."""
    value = getattr(row, key)
    if key == "status":
        return value.label
    if key in FORMATS:
        return None if value is None else (value, FORMATS[key])
    if key in TIMES:
        number_format, day_only = TIMES[key]
        moment = local_time(value)
        if moment is None:
            return value or None  # not a time the program wrote: kept as the text it is
        return (moment.date() if day_only else moment, number_format)
    return value


def local_time(text: str) -> dt.datetime | None:
    """A recorded ISO time as the local wall-clock time without a zone (what a workbook cell holds); None if not one."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment
