"""A SQLite project file: connecting (read-only when it cannot be written), its driver's errors as StoreError,
its integrity check, and a backup checked and staged before a restore.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sqlite3
from pathlib import Path
from typing import Any, Callable, NamedTuple

from calculator.core.files import check_regular_file
from calculator.store import verify
from calculator.store.base import RefusedByRule, StoreError, StoreFailure
from calculator.store.schema import APPLICATION_ID, SCHEMA_VERSION, schema_version


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _connect(path: str, **kwargs: Any) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, **kwargs)
    connection.execute("PRAGMA busy_timeout = 5000")
    connection.text_factory = verify.lenient_text
    return connection


def _writable(path: str) -> bool:
    """The file (when it exists) and its folder may be written (a read-only mount says no even to root)."""
    folder = os.path.dirname(os.path.abspath(path))
    return os.access(folder, os.W_OK) and (not os.path.exists(path) or os.access(path, os.W_OK))


def _connect_read_only(path: str) -> sqlite3.Connection:
    """A connection that never writes; `immutable` when SQLite cannot even make its WAL index beside the file (a
    WAL-mode file on read-only media) — unless a journal with content lies beside it, which immutable would skip."""
    uri = Path(path).absolute().as_uri()
    connection = _connect(f"{uri}?mode=ro", uri=True)
    try:
        connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except sqlite3.OperationalError as error:
        connection.close()
        cannot_make_index = getattr(error, "sqlite_errorname", "").startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY"))
        if not cannot_make_index:
            raise   # busy, or damaged: said as such by the caller
        if any(os.path.isfile(f"{path}{journal}") and os.path.getsize(f"{path}{journal}")
               for journal in ("-wal", "-journal")):
            # Changes not yet merged into the file lie beside it, and the folder lets SQLite make nothing to read them
            # with; immutable would read past them. Said, never guessed.
            raise StoreError("文件旁有尚未并入的更改(日志文件),而所在文件夹只读,无法读取;"
                             "请把它连同同名的 -wal、-shm 文件一起复制到可写的文件夹后再用",
                             "changes not yet merged lie beside the file (its journal) and its folder is read-only, so it "
                             "cannot be read; copy it with its -wal and -shm files to a folder that can be written",
                             file=path) from None
        connection = _connect(f"{uri}?mode=ro&immutable=1", uri=True)
    return connection


def _translated(method: Callable) -> Callable:
    """A public method whose driver errors (the store's DRIVER_ERROR) become its own bilingual StoreError."""
    @functools.wraps(method)
    def run(self: "SqliteStore", *args: Any, **kwargs: Any) -> Any:
        self._calls += 1
        try:
            return method(self, *args, **kwargs)
        except self.DRIVER_ERROR as error:
            raise self._driver_error(error) from None
        finally:
            self._calls -= 1
            if self._calls == 0:   # what was committed has been answered for (or said by _driver_error)
                self._just_committed = False
    return run


def _busy(error: sqlite3.Error) -> bool:
    """Another connection holds the lock SQLite waited for (busy_timeout) in vain."""
    return getattr(error, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def _store_error(error: sqlite3.Error, path: str) -> StoreError:
    name = getattr(error, "sqlite_errorname", "")
    if _busy(error):
        return RefusedByRule("项目文件读写失败:项目正被其他人或其他程序修改(已锁定),请稍后再试",
                          "the project file is busy: another user or program is changing it; try again shortly",
                          file=path)
    if name.startswith("SQLITE_READONLY"):
        return _read_only_error(path)
    # A full or failing disk is no fault of the input (`landcomp ledger` exits 1: a scheduled backup tries again).
    if name.startswith("SQLITE_FULL"):
        return StoreFailure("磁盘已满,项目文件无法写入;请腾出空间后再试(已保存的内容不受影响)",
                          "the disk is full: the project file cannot be written; free some space and try again "
                          "(what was saved is unharmed)", file=path)
    if name.startswith("SQLITE_IOERR"):
        return StoreFailure(f"项目文件读写出错({error}):磁盘可能已满、已拔出或有故障;请检查后再试,不要急于从备份恢复",
                          f"the project file could not be read or written ({error}): the disk may be full, removed or "
                          "failing; check it and try again before restoring anything from a backup", file=path)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return _damaged(path, str(error))
    return StoreError(f"项目文件读写失败:{error}", f"the project file could not be read or written: {error}", file=path)


class Busy(Exception):
    """Another writer holds the lock, and the change chose not to wait (see `_without_waiting`)."""


def _read_only_error(path: str) -> StoreError:
    """The project cannot be changed: said of the file beside it (-wal, -shm) when that is the one that cannot be
    written (left by someone who could only read the project, as theirs, read-only), else of the file or its folder."""
    if _writable(path):
        for journal in ("-wal", "-shm"):
            beside = f"{path}{journal}"
            if os.path.exists(beside) and not os.access(beside, os.W_OK):
                name = os.path.basename(beside)
                zh, en = (("不要删除:其中可能有未并入的更改", "do not delete it: it may hold changes not yet merged")
                          if journal == "-wal" else   # the -shm is an index of the -wal, rebuilt from it: no data
                          ("或在无人打开项目时删除它:它只是索引,不含数据",
                           "or delete it while no one has the project open: it is an index, holding no data"))
                return StoreError(f"项目文件旁的 {name} 文件不可写入(项目文件本身可写):只能查看,不能修改;"
                                  f"请让其所有者把 {name} 改为可写后再试({zh})",
                                  f"the file {name} beside the project cannot be written (the project file itself "
                                  f"can): it can be viewed, not changed; have its owner make {name} writable and "
                                  f"try again ({en})", file=path)
    return StoreError("项目文件是只读的(文件或其所在文件夹不可写入):只能查看,不能修改",
                      "the project file is read-only (the file or its folder cannot be written): "
                      "it can be viewed, not changed", file=path)


def check_integrity(connection: sqlite3.Connection, path: str, *, quick: bool = False, backup: bool = False,
                    copy_of: str | None = None) -> None:
    """PRAGMA integrity_check must answer "ok"; anything else is a damaged file (a damaged `backup`, to restore
    from). `quick`: PRAGMA quick_check, which skips matching indexes to their tables (SQLite's advice for every
    open; the full check runs on a backup, on a restore and on demand — verify_all). `copy_of`: the project `path`
    was copied from page by page, whose damage the copy shows (a disk that fails as the copy is read is the copy's)."""
    try:
        check = "quick_check" if quick else "integrity_check"
        problems = [row[0] for row in connection.execute(f"PRAGMA {check}(5)")]
    except sqlite3.DatabaseError as exc:
        raise _unreadable(exc, path, backup=backup, copy_of=copy_of) from None
    if problems != ["ok"]:
        raise _damaged(copy_of or path, "; ".join(problems), backup=backup and not copy_of)


def _unreadable(error: sqlite3.DatabaseError, path: str, *, backup: bool = False,
                copy_of: str | None = None) -> StoreError:
    """A file SQLite failed to open: locked by another program all the while SQLite waited (refused, to try again),
    on a full or failing disk, else damaged (`copy_of`: the project a damaged copy shows the damage of). A file in
    use or on a full disk is not a damaged one, and must never be "restored from a backup"."""
    if _busy(error) or getattr(error, "sqlite_errorname", "").startswith(("SQLITE_FULL", "SQLITE_IOERR")):
        return _store_error(error, path)
    return _damaged(copy_of or path, str(error), backup=backup and not copy_of)


def _damaged(path: str, why: str, *, backup: bool = False) -> StoreError:
    """A damaged project (restore it from a backup), or a damaged backup (it restores nothing)."""
    if backup:
        return StoreError(f"备份文件已损坏或不是数据库文件,不能用它恢复({why})",
                          f"the backup file is damaged or not a database; nothing can be restored from it ({why})",
                          file=path)
    return StoreError(f"项目文件已损坏或不是数据库文件({why}):{FROM_A_BACKUP[0]}",
                      f"the project file is damaged or not a database ({why}): {FROM_A_BACKUP[1]}", file=path)


# How a project file that cannot be opened is put back: `ledger restore` (从备份恢复) replaces a project it opens, and
# this one it cannot (a backup is itself a project file, opened as one).
FROM_A_BACKUP = ("请从备份恢复:把此文件移到别处保留(以便核查),再把最近的备份文件复制到这里、改为此文件名",
                 "restore it from a backup: move this file aside (keep it for checking), then copy the latest backup "
                 "here under its name")


def new_backup_file(temporary: str, target: str) -> sqlite3.Connection:
    """A connection to the backup being written at `temporary` (autocommit), the file opened: a folder that takes
    no file (read-only, /proc) is refused naming `target`, the backup asked for."""
    file = None
    try:
        file = sqlite3.connect(temporary, isolation_level=None)   # (may fail here, or on first use)
        file.execute("PRAGMA schema_version")
    except sqlite3.Error as error:
        if file is not None:
            file.close()
        raise backup_write_error(error, target) from None
    return file


def backup_write_error(error: sqlite3.Error, target: str) -> StoreError:
    """Writing the backup `target` failed (the disk full, the folder read-only): said of the backup, not the project;
    a full or failing disk, as `_store_error` says it, is a StoreFailure."""
    failed = StoreFailure if getattr(error, "sqlite_errorname", "").startswith(("SQLITE_FULL", "SQLITE_IOERR")) else StoreError
    return failed(f"无法写入备份文件({error})", f"cannot write the backup file ({error})", target)


def stage_backup(source_path: str, staged: str) -> int:
    """Check a backup (a regular file, its integrity, our file, not newer) and copy it to `staged`; returns its
    schema version."""
    check_regular_file(source_path, "备份文件", "backup file", StoreError)
    absent = [f"{source_path}{companion}" for companion in ("-wal", "-shm") if not os.path.exists(f"{source_path}{companion}")]
    try:
        try:
            source = _connect_read_only(source_path)   # a copied project on a CD or a read-only share too
        except sqlite3.DatabaseError as exc:
            raise _unreadable(exc, source_path, backup=True) from None
        try:
            return _staged_copy(source, source_path, staged)
        finally:
            source.close()
    finally:   # the files opening it made beside it, refused or not
        _tidy(source_path, absent)


class BackupContents(NamedTuple):
    """What a backup holds, as the question before a restore says it."""

    project: str
    households: int
    last_change: str   # the time of its newest audit entry (ISO), "" when it has none


def backup_contents(path: str) -> BackupContents | None:
    """What the backup at `path` holds, read without changing it; None when it cannot be read so (not a regular
    file, damaged, not ours): the restore's own checks then say why."""
    absent = [f"{path}{companion}" for companion in ("-wal", "-shm") if not os.path.exists(f"{path}{companion}")]
    try:
        check_regular_file(path, "备份文件", "backup file", StoreError)
        source = _connect_read_only(path)
        try:
            names = source.execute("SELECT name FROM projects").fetchall()
            households = source.execute("SELECT count(*) FROM households").fetchone()[0]
            last_change = source.execute("SELECT max(at) FROM audit").fetchone()[0] or ""
        finally:
            source.close()
    except (StoreError, sqlite3.Error):
        return None
    finally:
        _tidy(path, absent)
    return BackupContents(names[0][0], households, last_change) if len(names) == 1 else None


def _staged_copy(source: sqlite3.Connection, source_path: str, staged: str) -> int:
    """The backup open as `source` checked (its integrity, our file, not newer) and copied to `staged`; returns its
    schema version."""
    check_integrity(source, source_path, backup=True)
    try:
        version = schema_version(source)
        app = source.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise _unreadable(exc, source_path, backup=True) from None
    if app != APPLICATION_ID or version == 0:
        raise StoreError("该文件不是本程序的项目备份", "the file is not a landcomp backup", file=source_path)
    if version > SCHEMA_VERSION:
        raise StoreError("备份由较新版本的程序创建", "the backup was written by a newer program", file=source_path)
    with contextlib.suppress(FileNotFoundError):
        os.remove(staged)
    staging = sqlite3.connect(staged)
    try:
        source.backup(staging)
    finally:
        staging.close()
    return version


def _tidy(path: str, absent: list[str]) -> None:
    """Remove the WAL files SQLite made beside `path` to read it (of `absent`, those not there before).

    A copied project is a WAL file, and a read-only connection to one (or to a damaged backup) leaves an empty -wal
    and its -shm index behind: they marked the file a project in use until something else opened it. Once every
    connection is closed both go, the log only when empty (a read-only connection writes none; the file is never
    changed). Where none can be made (a read-only folder), none were."""
    wal, shm = f"{path}-wal", f"{path}-shm"
    with contextlib.suppress(OSError):
        if wal in absent and os.path.getsize(wal) == 0:
            os.remove(wal)
    with contextlib.suppress(OSError):
        if shm in absent and not os.path.exists(wal):   # the index only once its log is gone
            os.remove(shm)
