"""Rows between a server project and an SQLite project file, as they are (ids, text, digests, the chain).

The file's columns (at today's schema) are the ones copied: the server has the same, plus what only
a server holds (members, the change serial), which stays where it is.
"""
from __future__ import annotations

import sqlite3
from typing import Any, Iterator

TABLES = ("projects", "households", "case_versions", "audit")  # in this order, a copy meets its references
_BATCH = 500


def copy_project(server: Any, file: sqlite3.Connection) -> None:
    """Copy every row of the server project (read in the caller's transaction) into a new, empty file."""
    file.execute("BEGIN IMMEDIATE")
    try:
        for table in TABLES:
            _copy(server, file, table, _columns(file, table))
    except BaseException:
        file.execute("ROLLBACK")
        raise
    file.execute("COMMIT")


def replace_project(file: sqlite3.Connection, server: Any) -> None:
    """Replace the server project's rows (inside the caller's transaction) by the file's, ids kept. The server empties
    them itself (pg_schema's clear_for_restore: no member may TRUNCATE, and it records the restore)."""
    server.execute("SELECT clear_for_restore()")
    for table in TABLES:
        _copy(file, server, table, _columns(file, table))
    for table in TABLES[:3]:  # audit ids are the chain's own
        # never back to an id handed out before: a version saved after the restore took the id of one a user had open
        # from before it, and that user's save over it passed as no conflict (a lost update; an office's probe)
        server.execute(f"SELECT setval(s, greatest(coalesce(max(id), 0) + 1, nextval(s)), false) "
                       f"FROM {table}, (SELECT pg_get_serial_sequence('{table}', 'id') AS s) AS sequence GROUP BY s")


def _columns(file: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in file.execute(f"PRAGMA table_info({table})")]


def _copy(source: Any, target: Any, table: str, columns: list[str]) -> None:
    names = ", ".join(columns)
    insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    for rows in _batches(source.execute(f"SELECT {names} FROM {table} ORDER BY id")):
        target.executemany(insert, rows)


def _batches(cursor: Any) -> Iterator[list[tuple]]:
    while rows := cursor.fetchmany(_BATCH):
        yield [tuple(row) for row in rows]
