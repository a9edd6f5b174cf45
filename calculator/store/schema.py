"""The project file's schema: migrations applied in order, the version kept in PRAGMA user_version.

A migration is appended, never edited: a file written by an older program is brought up to date
by running the migrations it has not seen, each in its own transaction.
"""
from __future__ import annotations

import sqlite3
from typing import Callable

from calculator.store import integrity
from calculator.store.base import StoreError

APPLICATION_ID = 0x4C434D50  # "LCMP": marks a landcomp project file

# Money and areas are TEXT decimal strings (never REAL); the CHECK keeps out anything else.
_DECIMAL = "{0} IS NULL OR ({0} GLOB '*[0-9]*' AND {0} NOT GLOB '*[^0-9.-]*')"

FIRST_SCHEMA = (
    """CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE households (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id),
        number TEXT NOT NULL,
        head TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'computed', 'signed', 'paid')),
        current_version_id INTEGER REFERENCES case_versions(id),
        signed_version_id INTEGER REFERENCES case_versions(id),
        updated_at TEXT NOT NULL,
        UNIQUE (project_id, number)
    ) STRICT""",
    f"""CREATE TABLE case_versions (
        id INTEGER PRIMARY KEY,
        household_id INTEGER NOT NULL REFERENCES households(id),
        number INTEGER NOT NULL CHECK (number >= 1),
        case_json TEXT NOT NULL,
        result_json TEXT,
        schedule_version TEXT,
        total TEXT CHECK ({_DECIMAL.format('total')}),
        incentive TEXT CHECK ({_DECIMAL.format('incentive')}),
        replacement_m2 TEXT CHECK ({_DECIMAL.format('replacement_m2')}),
        building_area_m2 TEXT CHECK ({_DECIMAL.format('building_area_m2')}),
        fingerprint TEXT,
        assessor TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        amendment_reason TEXT,
        amends_version_id INTEGER REFERENCES case_versions(id),
        UNIQUE (household_id, number)
    ) STRICT""",
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        project_id INTEGER REFERENCES projects(id),
        household_id INTEGER REFERENCES households(id),
        version_id INTEGER REFERENCES case_versions(id),
        detail TEXT NOT NULL DEFAULT '{}'
    ) STRICT""",
    f"PRAGMA application_id = {APPLICATION_ID}",
)


def first_schema(connection: sqlite3.Connection) -> None:
    """1: projects, households, case versions and the audit log."""
    for statement in FIRST_SCHEMA:
        connection.execute(statement)


def version_actor_and_lookups(connection: sqlite3.Connection) -> None:
    """2: who saved each version and who last changed a household, kept with the row (filled
    from the audit log for older rows); indexes for the fingerprint check and the audit view."""
    connection.execute("ALTER TABLE case_versions ADD COLUMN actor TEXT NOT NULL DEFAULT ''")
    connection.execute("ALTER TABLE households ADD COLUMN updated_by TEXT NOT NULL DEFAULT ''")
    connection.execute("""UPDATE case_versions SET actor = coalesce(
        (SELECT a.actor FROM audit a WHERE a.version_id = case_versions.id ORDER BY a.id LIMIT 1), '')""")
    connection.execute("""UPDATE households SET updated_by = coalesce(
        (SELECT a.actor FROM audit a WHERE a.household_id = households.id ORDER BY a.id DESC LIMIT 1), '')""")
    connection.execute("CREATE INDEX case_versions_fingerprint ON case_versions(fingerprint)")
    connection.execute("CREATE INDEX audit_household ON audit(household_id, id)")
    connection.execute("CREATE INDEX households_status ON households(project_id, status)")


def audit_chain(connection: sqlite3.Connection) -> None:
    """3: the audit log becomes a hash chain, and the entry that saved a version carries its digest.

    Older entries are chained as the file holds them when it is migrated: what was changed behind
    the program's back before then is taken as it is."""
    connection.execute("ALTER TABLE audit ADD COLUMN version_digest TEXT")
    connection.execute("ALTER TABLE audit ADD COLUMN hash TEXT")
    saves = ", ".join(f"'{action}'" for action in integrity.SAVE_ACTIONS)
    for version in rows_as_dicts(connection.execute(f"SELECT id, {', '.join(integrity.VERSION_FIELDS)} FROM case_versions")):
        connection.execute(f"""UPDATE audit SET version_digest = ? WHERE id = (SELECT min(id) FROM audit
                               WHERE version_id = ? AND action IN ({saves}))""",
                           (integrity.version_digest(version), version["id"]))
    previous = integrity.GENESIS
    entries = connection.execute(f"SELECT {', '.join(integrity.ENTRY_FIELDS)} FROM audit ORDER BY id").fetchall()
    for values in entries:
        previous = integrity.entry_hash(previous, dict(zip(integrity.ENTRY_FIELDS, values)))
        connection.execute("UPDATE audit SET hash = ? WHERE id = ?", (previous, values[0]))
    connection.execute("CREATE INDEX audit_version ON audit(version_id)")


FIGURE_KEYS = (("building_area_m2", "building_area_key"), ("total", "total_key"), ("incentive", "incentive_key"),
               ("replacement_m2", "replacement_key"))  # a figure of case_versions, its sort key on households


def ledger_keys(connection: sqlite3.Connection) -> None:
    """4: the 台账 pages by key through indexes instead of sorting every household for every page.

    Each household keeps its current version's figures as REAL sort keys (never shown: the figures
    shown are the version's own decimal text, which the digests cover), kept by triggers when the
    current version changes or a version's figures are written; one index per figure orders a
    project's households by it. A covering index lets a ledger row read a version's figures without
    reading past its case JSON, which SQLite stores before them in the row."""
    for _, key in FIGURE_KEYS:
        connection.execute(f"ALTER TABLE households ADD COLUMN {key} REAL")
    keys = ", ".join(key for _, key in FIGURE_KEYS)
    values = ", ".join(f"CAST(v.{figure} AS REAL)" for figure, _ in FIGURE_KEYS)
    refresh = f"UPDATE households SET ({keys}) = (SELECT {values} FROM case_versions v WHERE v.id = {{}}) WHERE {{}}"
    connection.execute(refresh.format("households.current_version_id", "current_version_id IS NOT NULL"))
    connection.execute(f"""CREATE TRIGGER households_ledger_keys AFTER UPDATE OF current_version_id ON households
        BEGIN {refresh.format("NEW.current_version_id", "id = NEW.id")}; END""")
    figures = ", ".join(figure for figure, _ in FIGURE_KEYS)
    connection.execute(f"""CREATE TRIGGER case_versions_ledger_keys AFTER UPDATE OF {figures} ON case_versions
        BEGIN {refresh.format("NEW.id", "current_version_id = NEW.id")}; END""")
    for _, key in FIGURE_KEYS:
        connection.execute(f"CREATE UNIQUE INDEX households_by_{key} ON households(project_id, {key}, number)")
    connection.execute("CREATE INDEX case_versions_figures ON case_versions(id, building_area_m2, total, incentive, "
                       "replacement_m2, assessor, number)")


def rows_as_dicts(cursor: sqlite3.Cursor) -> list[dict]:
    """A query's rows as {column: value}."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (first_schema, version_actor_and_lookups, audit_chain,
                                                                ledger_keys)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(connection: sqlite3.Connection) -> int:
    return connection.execute("PRAGMA user_version").fetchone()[0]


def refuse_foreign(connection: sqlite3.Connection, file: str | None = None) -> int:
    """The file's schema version (0: an empty file); StoreError, naming `file`, when it is another program's
    database or a newer program's project (checked before anything is written to it: opening another program's
    file must leave it as it was)."""
    before = schema_version(connection)
    if before > SCHEMA_VERSION:
        raise StoreError(f"项目文件由较新版本的程序创建(结构版本 {before}),请升级程序",
                         f"the project file was written by a newer program (schema {before}); please upgrade", file=file)
    if before == 0 and connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]:
        raise StoreError("该文件不是本程序的项目文件", "the file is not a landcomp project file", file=file)
    if before > 0 and connection.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        raise StoreError("该文件不是本程序的项目文件", "the file is not a landcomp project file", file=file)
    return before


def init_db(connection: sqlite3.Connection, upto: int = SCHEMA_VERSION) -> int:
    """Bring a project file (empty or older) to schema version `upto`; returns the version before.

    The connection must be in autocommit mode (isolation_level=None): each migration runs in
    its own transaction together with the user_version that records it.
    """
    before = refuse_foreign(connection)
    for number in range(before + 1, upto + 1):
        connection.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[number - 1](connection)
            connection.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    return before
