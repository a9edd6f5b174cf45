"""Storage of projects, households and every version of their cases, behind `CaseStore`.

`open_store(project)` opens either backend: `SqliteStore(path)`, the default, one project file, or
`PostgresStore(url)` (postgres.py), a project shared on a PostgreSQL server. Each has one schema and
one migration sequence (`schema.py`, `pg_schema.py`); `integrity.py` and `verify.py` are the checks,
shared by both, that make changed data show as 数据异常.
"""
from calculator.store.base import (
    ANY_VERSION, LEDGER_COLUMNS, AbnormalData, Anomaly, AuditEntry, CaseStore, CaseVersion, ConflictError, Household,
    LedgerRow, LedgerTotals, Project, RefusedByRule, RoleRefused, ServerUnreachable, SheetMatch, Status, StoreError,
    WrongFingerprint, ledger_totals,
)
from calculator.store.location import (
    PasswordNeeded, is_server, no_server_project, open_store, refuse_conninfo, server_label, server_url,
)
from calculator.store.schema import SCHEMA_VERSION, init_db
from calculator.store.sqlite import SqliteStore
from calculator.store.sqlite_file import BackupContents, backup_contents

__all__ = [
    "ANY_VERSION", "LEDGER_COLUMNS", "SCHEMA_VERSION", "AbnormalData", "Anomaly", "AuditEntry", "BackupContents",
    "CaseStore", "CaseVersion", "ConflictError", "Household", "LedgerRow", "LedgerTotals", "PasswordNeeded", "Project",
    "RefusedByRule", "RoleRefused", "ServerUnreachable", "SheetMatch", "SqliteStore", "Status", "StoreError",
    "WrongFingerprint", "init_db", "backup_contents", "is_server", "ledger_totals", "no_server_project", "open_store",
    "refuse_conninfo", "server_label", "server_url",
]
