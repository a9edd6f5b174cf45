"""The store's backup and restore of the whole project file.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Callable

from calculator.core.files import SQLITE_COMPANIONS
from calculator.store import restore, verify
from calculator.store.base import RefusedByRule, StoreError
from calculator.store.schema import init_db
from calculator.store.sqlite_file import (
    _connect, _read_only_error, _store_error, _translated, backup_write_error, check_integrity, new_backup_file,
    stage_backup,
)


class Backups:
    """The whole file: a backup under the write lock, and a restore from a checked backup (a part of SqliteStore)."""

    @_translated
    def backup(self, path: str | os.PathLike[str]) -> None:
        """Copy the store page by page (sqlite3 backup API) and record it, under the write lock: either the
        backup is written and audited, or nothing is written and the error says why (e.g. the file is busy)."""
        if self._depth:
            raise StoreError("有未完成的修改,不能备份", "cannot back up in the middle of a change")
        if self.read_only:
            raise StoreError("只读的项目不能在程序中备份(无法记入变更记录);请直接复制项目文件",
                             "a read-only project cannot be backed up here (the backup could not be recorded); "
                             "copy the project file instead", file=self.path)
        target = os.fspath(path)
        temporary = target + ".part"
        if self._deleted():   # the project file deleted while open: the one copy left of it is this connection's
            return self._rescue(target, temporary)
        try:
            self._begin()   # on the file still at the project's path, which the copy reads
        except sqlite3.OperationalError as error:
            raise _store_error(error, self.path) from None
        placed = False
        try:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
            # Copied through a second connection: it reads what is committed, and no one can commit
            # meanwhile, since this one holds the write lock.
            source = _connect(self.path)
            try:
                self._copy(source, temporary, target)
            finally:
                source.close()
            verify.append_entry(self._conn, self._clock(), self._system_actor(), "backup",
                                detail={"path": target, "chain_head": verify.chain_head(self._conn)})
            os.replace(temporary, target)
            placed = True
            self._commit()
        except BaseException:
            if not self._conn.in_transaction:   # committed (an interrupt as the COMMIT returned): whole and recorded
                raise
            self._conn.execute("ROLLBACK")
            with contextlib.suppress(FileNotFoundError):
                os.remove(target if placed else temporary)
            raise

    def _copy(self, source: sqlite3.Connection, temporary: str, target: str) -> None:
        """`source` copied page by page into a new backup file at `temporary`, checked."""
        destination = new_backup_file(temporary, target)
        try:
            try:
                source.backup(destination)
                # A backup is one self-contained file: opening it (read-only, to restore from it) must
                # leave no -wal and -shm files beside it, as WAL mode would.
                destination.execute("PRAGMA journal_mode = DELETE")
            except sqlite3.Error as error:
                if getattr(error, "sqlite_errorname", "").startswith("SQLITE_FULL"):  # the backup's disk, not ours
                    raise backup_write_error(error, target) from None
                raise
            check_integrity(destination, temporary, copy_of=self.path)   # page by page: its damage is ours
        finally:
            destination.close()

    def _rescue(self, target: str, temporary: str) -> None:
        """The backup of a project file deleted while open, from this connection (a second one opened the empty path),
        with no write lock (no one else can open it now) and no audit entry (kept in a file no one will open again)."""
        try:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
            self._copy(self._conn, temporary, target)
            os.replace(temporary, target)
            self._rescued = target
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
            raise

    @_translated
    def restore_from(self, path: str | os.PathLike[str], *, actor: str | None = None,
                     before_replacing: Callable[[], None] | None = None) -> None:
        """Replace this store with a checked backup, keeping what the backup lacks of the audit log and
        every payment (see `restore`); refused, with nothing changed, when a payment would be lost.
        `before_replacing` runs once every check has passed (a backup it makes is then carried over too)."""
        who, source_path = (actor or self.actor).strip() or "system", os.fspath(path)
        if self._depth:
            raise StoreError("有未完成的修改,不能恢复", "cannot restore in the middle of a change")
        if self.read_only:
            raise _read_only_error(self.path)
        self._refuse_if_moved()
        # A name of its own: two restores at once must not stage into (and delete) one file.
        fd, staged = tempfile.mkstemp(prefix=f".{Path(self.path).name}-", suffix=".restoring",
                                      dir=os.path.dirname(os.path.abspath(self.path)))
        os.close(fd)
        try:
            version = stage_backup(source_path, staged)
            work = _connect(staged)
            try:
                init_db(work)
                restore.refuse_new_anomalies(work, self._conn)
                if before_replacing is not None:
                    restore.refuse_lost_payments(work, restore.replaced_state(self._conn))
                    with self._side_write():
                        before_replacing()
                head = verify.chain_head(self._conn)   # what the safety copy holds: nothing may land after it
                replaced = restore.replaced_state(self._conn)
                work.execute("PRAGMA foreign_keys = ON")
                work.execute("BEGIN IMMEDIATE")
                try:
                    kept = restore.carry_over(work, replaced, at=self._clock(), actor=who)
                    verify.append_entry(work, self._clock(), who, "restore",
                                        detail={"path": source_path, "schema_before": version, **kept})
                except BaseException:
                    work.execute("ROLLBACK")
                    raise
                work.execute("COMMIT")
                if verify.chain_head(self._conn) != head:   # another user's save or payment since the safety copy:
                    raise RefusedByRule(   # replaced, it would be in neither the project nor the copy
                        "恢复期间项目被其他人修改,未恢复;请稍后再试", "the project was changed by someone else during "
                        "the restore: nothing was restored; try again", file=self.path)
                # The backup API replaces every page of this database in one step, under its write lock.
                try:
                    work.backup(self._conn)
                except BaseException:
                    if verify.chain_head(self._conn) == verify.chain_head(work):   # replaced: an interrupt after it
                        self._landed()
                    raise
                self._landed()
            finally:
                work.close()
        finally:
            for leftover in (staged, *(f"{staged}{companion}" for companion in SQLITE_COMPANIONS)):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(leftover)
        check_integrity(self._conn, self.path)
        self._forget_findings()
