"""Storage of projects, households and every version of their cases, behind `CaseStore`.

`SqliteStore(path)` is the default: one project file. The schema lives in `schema.py`
(`init_db(connection)` applies the migrations in order, the version in PRAGMA user_version).
"""
from calculator.store.base import (
    LEDGER_COLUMNS, AuditEntry, CaseStore, CaseVersion, Household, LedgerRow, LedgerTotals, Project, SheetMatch,
    Status, StoreError, ledger_totals,
)
from calculator.store.schema import SCHEMA_VERSION, init_db
from calculator.store.sqlite import SqliteStore

__all__ = [
    "LEDGER_COLUMNS", "SCHEMA_VERSION", "AuditEntry", "CaseStore", "CaseVersion", "Household", "LedgerRow",
    "LedgerTotals", "Project", "SheetMatch", "SqliteStore", "Status", "StoreError", "init_db", "ledger_totals",
]
