"""How the store's rows read back: the columns selected, and rows made into households, versions and ledger lines
(with the keyset paging condition of the ledger's order).
"""
from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from calculator.store.base import Anomaly, CaseVersion, Household, LedgerRow, RefusedByRule, Status
from calculator.store.integrity import VERSION_FIELDS


_FIGURES_SELECT = """SELECT h.id, v.building_area_m2, v.total, v.incentive, v.replacement_m2
    FROM households h LEFT JOIN case_versions v{figures} ON v.id = h.current_version_id"""
_VERSION_COLUMNS = ", ".join(("id", *VERSION_FIELDS))   # in `_version`'s order
_CURRENT_VERSION_COLUMNS = ", ".join(f"v.{name.strip()}" for name in _VERSION_COLUMNS.split(","))
_HOUSEHOLD_COLUMNS = """id, project_id, number, head, address, status, current_version_id, signed_version_id,
    updated_at, updated_by"""


def _locked(household: Household) -> RefusedByRule:
    return RefusedByRule(f"户号 {household.number} {household.status.label},不能修改;如需更正请填写更正理由",
                      f"household {household.number} is {household.status.value} and locked; "
                      "an amendment with a reason is required")


def _dec(text: str | None) -> Decimal | None:
    """A stored figure; one damaged past reading is None (its household is then 数据异常 anyway)."""
    try:
        return None if text is None else Decimal(text)
    except (ArithmeticError, TypeError, ValueError):
        return None


_STATUSES = {status.value: status for status in Status}


def _status(text: str) -> Status:
    """A stored status; one the program never writes reads as 数据异常."""
    return _STATUSES.get(text, Status.ABNORMAL)


def _household(row: tuple) -> Household:
    return Household(row[0], row[1], row[2], row[3], row[4], _status(row[5]), row[6], row[7], row[8], row[9])


def _version(row: tuple) -> CaseVersion:
    return CaseVersion(row[0], row[1], row[2], row[3], row[4], row[5], _dec(row[6]), _dec(row[7]), _dec(row[8]),
                       _dec(row[9]), row[10], row[11], row[12], row[13], row[14], row[15])


_KEY = object()  # in _after's arguments: the sort key's own arguments go here (the abnormal ids of "status")


def _after(key: str, number: str, anchor: tuple, descending: bool) -> tuple[str, list[Any]]:
    """WHERE of the rows after `anchor` (its sort key, 户号 and id) in the ledger's order, NULL lowest:
    first in ascending order, last in descending. The key is compared as itself (the anchor's value
    is a parameter) so that an index on it is searched, not scanned."""
    value, anchor_number, anchor_id = anchor
    beyond, tie = ("<", "<") if descending else (">", ">")
    rest = f"({number} {tie} ? OR ({number} = ? AND h.id {tie} ?))"
    rest_args = [anchor_number, anchor_number, anchor_id]
    if value is None:
        if descending:  # NULL last: only the NULL keys after the anchor's
            return f"({key} IS NULL AND {rest})", [_KEY, *rest_args]
        return f"({key} IS NOT NULL OR {rest})", [_KEY, *rest_args]
    if descending:
        return (f"({key} < ? OR {key} IS NULL OR ({key} = ? AND {rest}))",
                [_KEY, value, _KEY, _KEY, value, *rest_args])
    return f"({key} > ? OR ({key} = ? AND {rest}))", [_KEY, value, _KEY, value, *rest_args]


_LEDGER_FIELDS = tuple(field.name for field in dataclasses.fields(LedgerRow))


def _ledger_row(row: tuple, anomaly: Anomaly | None, checked: bool) -> LedgerRow:
    """A ledger line; a 数据异常 household shows why, and no figures (they are not to be trusted)."""
    if anomaly is not None:
        values = (*row[:4], None, None, None, None, Status.ABNORMAL, *row[9:13], anomaly.zh)
    else:
        values = (*row[:4], _dec(row[4]), _dec(row[5]), _dec(row[6]), _dec(row[7]), _status(row[8]), *row[9:13], None)
    workbook = ("" if value is None else str(value) for value in row[13:18])
    # The fields set as the frozen dataclass's __init__ sets them, but in one step: its 21 calls of
    # object.__setattr__ were a third of the time the 台账 took to read 5,000 rows.
    line = object.__new__(LedgerRow)
    line.__dict__.update(zip(_LEDGER_FIELDS, (*values, *workbook, checked), strict=True))
    return line
