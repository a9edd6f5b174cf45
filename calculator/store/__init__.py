"""Storage of projects, households and every version of their cases, behind `CaseStore`.

`SqliteStore(path)` is the default: one project file. The schema lives in `schema.py`
(`init_db(connection)` applies the migrations in order, the version in PRAGMA user_version);
`integrity.py` and `verify.py` are the checks that make a changed file show as 数据异常.
"""
from calculator.store.base import (
    ANY_VERSION, LEDGER_COLUMNS, AbnormalData, Anomaly, AuditEntry, CaseStore, CaseVersion, ConflictError, Household,
    LedgerRow, LedgerTotals, Project, SheetMatch, Status, StoreError, ledger_totals,
)
from calculator.store.schema import SCHEMA_VERSION, init_db
from calculator.store.sqlite import SqliteStore

__all__ = [
    "ANY_VERSION", "LEDGER_COLUMNS", "SCHEMA_VERSION", "AbnormalData", "Anomaly", "AuditEntry", "CaseStore",
    "CaseVersion", "ConflictError", "Household", "LedgerRow", "LedgerTotals", "Project", "SheetMatch", "SqliteStore",
    "Status", "StoreError", "init_db", "ledger_totals",
]
