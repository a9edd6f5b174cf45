"""The default store: one SQLite project file (WAL, foreign keys, STRICT tables, checked on open).

What it reads for the ledger or for an action is first checked against the chained audit log
(`verify`); a household that fails is 数据异常: shown, counted apart, never changed, signed, paid
or printed, and the finding is written to the audit log once. A file the user may not write is
opened read-only. sqlite3 errors leave the store only as StoreError. Its parts: the file's connection and
errors (sqlite_file), rows read back (rows), the ledger's queries (ledger_queries), backup and restore (backups).
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, Mapping

from calculator.engine.case import Case, canonical_json
from calculator.engine.compensation import CompensationResult
from calculator.core.files import note_landing
from calculator.core.limits import blank
from calculator.core.money import fmt_money
from calculator.store import checking, dialect, verify
from calculator.store.backups import Backups
from calculator.store.base import (
    ANY_VERSION, AbnormalData, Anomaly, CaseStore, CaseVersion, Household, Project, RefusedByRule, SheetMatch,
    ServerUnreachable, Status, StoreError, StoreFailure, WrongFingerprint, check_move, conflict_error,
)
from calculator.store.integrity import VERSION_FIELDS, version_digest
from calculator.store.ledger_queries import LedgerQueries
from calculator.store.rows import _HOUSEHOLD_COLUMNS, _VERSION_COLUMNS, _household, _locked, _version
from calculator.store.schema import SCHEMA_VERSION, init_db, refuse_foreign, schema_version
from calculator.store.sqlite_file import (
    Busy, _connect, _connect_read_only, _now, _read_only_error, _store_error, _tidy, _translated, _unreadable,
    _writable, check_integrity,
)


class SqliteStore(LedgerQueries, Backups, CaseStore):
    """A project file. `actor` is the default 经办人 recorded in the audit log (from the settings).

    Its SQL is also PostgreSQL's (`?` placeholders aside): `PostgresStore` inherits the changes and checks
    and replaces the hooks marked "backend" — connection, transaction start, row locks, ledger dialect."""

    # How deep in public calls the store is, and whether a change was committed that no public call has completed
    # after (_translated): a connection lost then is not said as a change not saved (a signature read back, a save
    # by the command line followed by its read).
    _calls, _just_committed, _aside = 0, False, 0

    DRIVER_ERROR: type[Exception] | tuple[type[Exception], ...] = sqlite3.Error
    READ_TRANSACTION = "BEGIN"  # backend: how a read-only snapshot starts
    dialect = dialect.SQLITE

    def __init__(self, path: str | os.PathLike[str], *, actor: str = "", clock: Callable[[], str] = _now,
                 create: bool = True):
        """`create`: an empty file (no schema) becomes a project; without it, such a file is refused unwritten (a
        project opened, not created)."""
        self.path, self.actor, self._clock, self._depth = os.fspath(path), actor, clock, 0
        self._create = create
        self.read_only = os.path.exists(self.path) and not _writable(self.path)
        # what reading the file read-only makes beside it (an empty -wal, its -shm, read-only, the reader's): removed at
        # close, else the project, made writable again, could be viewed and not changed
        journal = os.path.realpath(self.path)
        self._absent = [f"{journal}{companion}" for companion in ("-wal", "-shm")
                        if self.read_only and not os.path.lexists(f"{journal}{companion}")]
        self._forget_findings()
        try:
            self._conn = _connect_read_only(self.path) if self.read_only else _connect(self.path)
        except sqlite3.Error as exc:
            raise StoreError(f"无法打开项目文件: {exc}", f"cannot open the project file: {exc}", file=self.path) from None
        try:
            self._open()
            self._at = os.path.abspath(self.path)   # the path, whatever the working folder becomes
            self._identity = _identity(self._at)   # the file opened: a change is written only while it is the path's
            self._rescued: str | None = None   # where a file deleted while open was backed up (Backups._rescue)
            self._journal = os.path.realpath(self.path)   # where SQLite keeps its -wal and -shm (a link's target's)
        except BaseException:
            self._conn.close()
            raise

    def _forget_findings(self) -> None:
        """Start the checks afresh (on open and after a restore)."""
        # The ledger's verdicts: every household found abnormal, as of the data serial (another
        # connection's commit changes it); households this connection wrote are checked again. A check
        # asked for before this (generation) is never adopted.
        self._anomalies: dict[int, Anomaly] | None = None
        self._data_version, self._touched = -1, set()
        self._deleted_numbers: set[str] | None = None   # _refuse_deleted_number's, for one outermost transaction
        self._generation = getattr(self, "_generation", 0) + 1
        self._engine_found: dict[int, Anomaly] = {}  # found by recomputation: kept for this session
        self._noted: set[tuple[int | None, str]] = set()
        self._pages_unchecked = False  # see _open
        # Households this connection added in the open transaction, by the depth they were added at: what the
        # program wrote, unseen by any other connection until the commit, so a save over one needs no vouching
        # (an import saves thousands). A savepoint rolled back forgets those added inside it.
        self._added_here: dict[int, int] = {}

    def _driver_error(self, error: Exception) -> StoreError:
        """Backend: a driver error as the store's StoreError."""
        return _store_error(error, self.path)

    def _open(self) -> None:
        try:
            self._seen_serial = self._data_serial()   # what changed_elsewhere compares with
            # A large project's pages are checked with its households, in the background while its 台账 is
            # painted (checking.py), or before anything is vouched for or written, whichever comes first.
            self._pages_unchecked = self._is_large_at_todays_schema()
            if not self._pages_unchecked:
                check_integrity(self._conn, self.path, quick=True)
            self._conn.execute("PRAGMA foreign_keys = ON")
            if self.read_only:
                self._check_read_only_schema()
                return
            # before WAL mode is set, so that another program's file, or one holding no project, is left as it was
            if refuse_foreign(self._conn, self.path) == 0 and not self._create:
                raise StoreError(*NO_PROJECT, file=self.path)
            if self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                raise StoreError("项目文件无法使用 WAL 日志模式", "the project file cannot use WAL journaling", file=self.path)
            self._conn.execute("PRAGMA synchronous = FULL")  # a committed save survives a power cut
            init_db(self._conn)
        except sqlite3.DatabaseError as exc:
            raise _unreadable(exc, self.path) from None

    def _is_large_at_todays_schema(self) -> bool:
        """A project to be painted before its pages are checked: large, and with no migration to run first."""
        try:
            return schema_version(self._conn) == SCHEMA_VERSION and self._check_is_long()
        except sqlite3.DatabaseError:  # the quick check says what is wrong
            return False

    def _pages_first(self) -> None:
        """The quick check of the pages, if the open left it for later: before a verdict, a vouch or a change."""
        if self._pages_unchecked:
            check_integrity(self._conn, self.path, quick=True)
            self._pages_unchecked = False

    def _check_pages(self) -> None:
        """Backend: the full check of the stored pages (the open ran only the quick one, if any)."""
        check_integrity(self._conn, self.path)
        self._pages_unchecked = False

    def _check_read_only_schema(self) -> None:
        """A read-only file cannot be migrated: it must be ours and at today's schema."""
        version = refuse_foreign(self._conn, self.path)
        if version == 0:   # an empty file: nothing of ours to read
            raise StoreError("该文件不是本程序的项目文件", "the file is not a landcomp project file", file=self.path)
        if version < SCHEMA_VERSION:
            raise StoreError("项目文件是只读的,且由旧版程序创建,无法升级;请复制到可写入的文件夹后再打开",
                             "the project file is read-only and was written by an older program, so it cannot be "
                             "upgraded; copy it to a folder you can write to and open it there", file=self.path)

    # -- transactions ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One change = one transaction; inside `batch()` a savepoint, so a failed change undoes only itself.

        BEGIN IMMEDIATE takes the write lock first, so what a change checks is what it writes over.
        A change refused for abnormal data is undone, and the finding then written on its own."""
        conn = self._conn
        if self.read_only:
            raise _read_only_error(self.path)
        if self._depth == 0:
            self._just_committed = False   # a change begun: one lost now is this one's, not saved
            self._pages_first()
            self._begin()
            self._deleted_numbers = None   # read again under this transaction's lock, once (an import adds thousands)
        else:
            conn.execute(f"SAVEPOINT change{self._depth}")
        self._depth += 1
        try:
            yield conn
        except BaseException as error:
            self._depth -= 1
            if self._dropped(error):   # the change is undone with its connection: nothing more to undo here
                raise
            if self._depth == 0:
                self._added_here.clear()
                conn.execute("ROLLBACK")
                if isinstance(error, AbnormalData) and error.anomaly is not None:
                    self._note(error.anomaly)
            else:
                conn.execute(f"ROLLBACK TO change{self._depth}")
                conn.execute(f"RELEASE change{self._depth}")
                self._added_here = {added: depth for added, depth in self._added_here.items() if depth <= self._depth}
            raise
        self._depth -= 1
        if self._depth == 0:
            self._added_here.clear()
        if self._depth == 0:
            self._commit()
        else:
            conn.execute(f"RELEASE change{self._depth}")

    def _commit(self) -> None:
        """Backend: commit the change's transaction, then copy it into the project file from its -wal journal as far as
        readers let it without waiting (PASSIVE). Left in the journal until SQLite's own checkpoint (a thousand pages),
        a project and every save of it after a crash stood in the -wal file alone: the .landcomp moved or mailed
        without it opened as no project."""
        try:
            self._conn.execute("COMMIT")
        except BaseException:
            if not self._conn.in_transaction:   # committed, and SIGTERM's interrupt raised as the call returned
                self._landed()
            raise
        self._landed()
        try:
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:   # the change is committed, in the journal: copied at a later commit or the close
            pass

    def _landed(self) -> None:
        """A change committed (said at once: an interrupt or a lost connection after it is not "nothing saved"); a write
        made on the side (a finding recorded, a restore's safety copy: `_aside`) is not the command's change."""
        if not self._aside:
            self._just_committed = True
            note_landing()

    @contextlib.contextmanager
    def _side_write(self) -> Iterator[None]:
        """What is written inside is on the side of the change asked for (see _landed)."""
        self._aside += 1
        try:
            yield
        finally:
            self._aside -= 1

    def _dropped(self, error: BaseException) -> bool:
        """Backend: whether `error` left the connection unable to take a ROLLBACK, and it was dropped (which undoes the
        transaction). A file's connection always takes one."""
        return False

    def _begin(self) -> None:
        """Backend: start a write transaction holding the write lock, on the file still at the project's path.

        A file moved, renamed or deleted while open takes changes still (in WAL mode into its journal at the old
        name, which nothing opens again): a save said 已保存 that no project file held."""
        self._refuse_if_moved()
        self._conn.execute("BEGIN IMMEDIATE")

    def _refuse_if_moved(self) -> None:
        """StoreFailure when the file opened is no longer at the project's path (_moved): before a change, a backup
        (which reads the path: an empty or another project's file was backed up, said 已备份) or a restore."""
        if self._moved():
            raise self._moved_error("项目文件在打开之后被移动、改名、删除或替换:本次操作没有执行,什么也没有保存",
                                    "the project file was moved, renamed, deleted or replaced after it was opened: "
                                    "nothing was done or saved")

    def _moved_error(self, zh: str, en: str) -> StoreFailure:
        """`zh`/`en`, with where this session's saves are (_moved's `_settled`) and what to do."""
        said = {None: ("", ""),   # nothing of this session's to write (read-only), or another file at the path
                DELETED: ("(项目文件已被删除或被另一个文件替换:此前保存的内容只在本程序打开的这一份中,请立即用"
                          "「台账 › 备份」另存一份,再打开那份备份)",
                          " (the project file was deleted or replaced by another: what was saved is only in the copy "
                          "this program has open; back it up now (台账 › 备份) and open the backup)"),
                True: ("(此前保存的都已写入被移走的文件)", " (what was saved before has been written into the moved file)"),
                False: ("(另一个程序正在读取该项目,此前保存的还有一部分在原位置的 -wal 日志文件中,稍后再写入被移走的文件;"
                        "请勿删除该日志文件)",
                        " (another program is reading the project: part of what was saved before is still in the -wal "
                        "journal at the old place, to be written into the moved file later; do not delete it)")}
        zh_saved, en_saved = said[self._settled]
        if self._settled is DELETED and self._rescued is not None:   # backed up: that is where it is now
            name = os.path.basename(self._rescued)
            zh_saved, en_saved = (f"(项目文件已被删除或被另一个文件替换;已备份到 {name},请打开那份备份)",
                                  f" (the project file was deleted or replaced; it was backed up to {name}: open that)")
        if self._settled is DELETED:   # there is no place to open it from: the backup is
            return StoreFailure(f"{zh}{zh_saved}", f"{en}{en_saved}", file=self.path)
        return StoreFailure(f"{zh}{zh_saved}。请从项目文件现在的位置重新打开项目",
                            f"{en}{en_saved}; open the project where it is now", file=self.path)

    def _moved(self) -> bool:
        """Whether the file opened is no longer at the project's path. When nothing is there (the file moved, renamed
        or deleted), every change committed is written into it from its journal at the old name, as far as readers of
        the project let a checkpoint go without waiting (SQLite, closing, left them there: the moved file opened
        elsewhere lacked the session's saves); `_settled` says whether all were. When another file is there, the
        journal at the old name may be that file's (a copy put in its place, opened and saved in another window:
        emptied into this one, its saves were lost), and is left alone."""
        now = _identity(self._at)
        if now == self._identity:
            return False
        self._settled = None
        if self.read_only:   # a read-only file holds no saves of this session
            return True
        if now is None:
            # PASSIVE: never waits (asked twice a second, a TRUNCATE waited 5 s a tick on a colleague reading)
            busy, frames, written = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self._settled = busy == 0 and frames == written
        if _deleted(self._identity):   # no name left, whether or not another file was put at the path
            self._settled = DELETED
        return True

    def _deleted(self) -> bool:
        """Whether the file opened was deleted (no name left, held open here alone): what it holds can still be
        backed up, from this connection."""
        return self._moved() and self._settled is DELETED

    def only_copy(self) -> bool:
        try:
            return self._deleted() and self._rescued is None
        except sqlite3.Error:   # cannot be told: said as if it were, before anything is closed
            return True

    def _household_for_update(self, household_id: int) -> Household:
        """Backend: the household a change writes over, inside its transaction (the file is locked already)."""
        return self.household(household_id)

    def _data_serial(self) -> int:
        """Backend: a number that changes when another connection commits."""
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    @_translated
    def changed_elsewhere(self) -> bool:
        """SQLite's data_version moves when another connection commits to the file. StoreFailure once the file is no
        longer at the project's path (_moved): asked twice a second, that writes the session's saves into the moved
        file at once, not at the next save or at closing (a crash in between left them in the journal at the old
        name), and the ledger says so."""
        if self._moved():
            raise self._moved_error("项目文件已不在打开时的位置(被移动、改名、删除或替换)",
                                    "the project file is no longer where it was opened (moved, renamed, deleted or "
                                    "replaced)")
        serial = self._data_serial()
        moved, self._seen_serial = serial != self._seen_serial, serial
        return moved

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Several reads that see one state, no commit between them (inside a change: that change's)."""
        if self._depth:
            yield
            return
        self._conn.execute(self.READ_TRANSACTION)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            self._conn.execute("COMMIT")

    @contextlib.contextmanager
    def _without_waiting(self) -> Iterator[None]:
        """Backend: a change that gives up at once (Busy) when another writer holds the lock."""
        timeout = self._conn.execute("PRAGMA busy_timeout").fetchone()[0]
        self._conn.execute("PRAGMA busy_timeout = 0")
        try:
            yield
        except sqlite3.OperationalError as error:
            raise Busy() from error
        finally:
            self._conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")

    def batch(self) -> contextlib.AbstractContextManager[None]:
        """Several changes in one transaction (e.g. an import): a crash keeps none of them."""
        return self._batch()

    @contextlib.contextmanager
    def _batch(self) -> Iterator[None]:
        try:
            with self._transaction():
                yield
        except self.DRIVER_ERROR as error:  # the commit at its end
            raise self._driver_error(error) from None

    def _system_actor(self) -> str:
        """Backend: who the audit log names for what the program does on its own (findings, backups)."""
        return self.actor.strip() or "system"

    def _actor(self, actor: str | None) -> str:
        who = (actor if actor is not None else self.actor).strip()
        if blank(who):
            raise StoreError("请填写经办人(设置中的用户名)", "an actor (the user name in the settings) is required")
        return who

    def _audit(self, actor: str, action: str, *, project_id: int | None = None, household_id: int | None = None,
               version_id: int | None = None, version_digest: str | None = None, **detail: Any) -> None:
        verify.append_entry(self._conn, self._clock(), actor, action, project_id=project_id,
                            household_id=household_id, version_id=version_id, detail=detail,
                            version_digest=version_digest)
        if household_id is not None:
            self._touched.add(household_id)
            if action != "abnormal":  # recording a finding must not forget it; a change is checked afresh
                self._engine_found.pop(household_id, None)

    # -- checks ------------------------------------------------------------------------------

    def _abnormal(self, check_first: bool = True) -> tuple[dict[int, Anomaly], bool]:
        """Every abnormal household of the file (cached; see __init__), each finding audited once, and whether
        these are the verdicts of the data as it is now. Without `check_first` a large project whose check is
        due is not checked here: the verdicts found so far are given (a household found abnormal stays so)."""
        with self._reading():
            data_version = self._data_serial()
            if self._anomalies is None or data_version != self._data_version:
                if not check_first and self._check_is_long():
                    return {**(self._anomalies or {}), **self._engine_found}, False
                self._pages_first()
                self._anomalies, self._data_version, self._touched = verify.scan(self._conn), data_version, set()
            for household_id in list(self._touched):
                self._touched.discard(household_id)
                try:
                    found = verify.check_one(self._conn, household_id)
                except StoreError:  # a household whose adding was undone
                    found = None
                if found is None:
                    self._anomalies.pop(household_id, None)
                else:
                    self._anomalies[household_id] = found
        anomalies = {**self._anomalies, **self._engine_found}
        for anomaly in anomalies.values():
            self._note(anomaly)
        return anomalies, True

    def _check_is_long(self) -> bool:
        """The check of every household would keep the 台账 waiting: the audit log is long."""
        head = verify.chain_head(self._conn)
        return head is not None and head[0] > verify.CHECKED_AT_ONCE

    @_translated
    def check_in_background(self, on_done: Callable[[], None]) -> checking.BackgroundCheck | None:
        """The check of every household in a worker process (None: the verdicts are current; a project whose
        check is short is checked here and now)."""
        with self._reading():
            serial = self._data_serial()
            is_long = self._check_is_long()
        if self._anomalies is not None and serial == self._data_version:
            return None
        if is_long:
            try:
                return checking.BackgroundCheck(self, (self._generation, serial), self._check_target(), on_done)
            except OSError:  # no process could be started: the check runs here, if slowly
                pass
        self._abnormal()
        return None

    def _check_target(self) -> tuple[str, str | None, bool]:
        """Backend: what a worker opens to check the project (location, password, read-only)."""
        return self.path, None, self.read_only

    def _adopt_verdicts(self, token: tuple[int, int], anomalies: dict[int, Anomaly]) -> bool:
        """A background check's verdicts, asked for at `token` (generation, data serial), become the ledger's
        if nothing was committed since (by another connection; on a server, by any); False: check again.
        Households this connection wrote meanwhile are checked again on the next read, as after a scan."""
        with self._reading():
            serial = self._data_serial()
        if self._anomalies is not None and serial == self._data_version:
            return True  # checked here meanwhile (an export, say)
        if token != (self._generation, serial):
            return False
        self._anomalies, self._data_version, self._pages_unchecked = anomalies, serial, False  # it checked them too
        return True

    @_translated
    def recheck(self, household_id: int, reason: str, *, actor: str | None = None) -> Household:
        who = self._actor(actor)
        if not isinstance(reason, str) or blank(reason):
            raise StoreError("重新核验须填写理由(如:数据已由管理员修复)", "a re-check needs a reason")
        with self._transaction() as conn:
            household = self._household_for_update(household_id)
            finding = verify.standing_finding(verify.read_entries(conn, "WHERE household_id = ?", (household_id,)))
            if finding is None:
                raise StoreError(f"户号 {household.number} 没有数据异常的记录,无需重新核验",
                                 f"household {household.number} has no finding standing: nothing to re-check")
            self._vouch(household, recompute=True, findings=False)   # sound now, recomputed, or refused as it is
            self._audit(who, "recheck", household_id=household_id, reason=reason.strip(), cleared=finding[0])
        self._forget_findings()
        self._noted = {key for key in self._noted if key[0] != household_id}   # found again, it is recorded again
        return self.household(household_id)

    def _vouch(self, household: Household, *, recompute: bool, findings: bool = True) -> None:
        """AbnormalData unless the household's data is what the program wrote (and, with `recompute`,
        its current and signed versions are the engine's results); without `findings`, a finding recorded before is
        not itself a reason (`recheck`)."""
        self._pages_first()
        anomaly = verify.check_one(self._conn, household.id, findings)
        versions = {household.current_version_id, household.signed_version_id} - {None}
        for version_id in sorted(versions) if recompute and anomaly is None else ():
            version = self._version_by_id(version_id)
            verdict = None if version.result_json is None else verify.recompute(version)
            if verdict is not None:
                anomaly = self._engine_found[household.id] = Anomaly(household.id, household.number, *verdict)
                break
        if anomaly is not None:
            raise anomaly.error()

    def _note(self, anomaly: Anomaly) -> None:
        """Write a finding to the audit log, once; skipped when the file is read-only or busy (then retried)."""
        key = (anomaly.household_id, anomaly.zh)
        if key in self._noted or self.read_only or self._depth:
            return
        self._noted.add(key)
        detail = {"reason": anomaly.zh, "en": anomaly.en}
        try:
            with self._without_waiting(), self._side_write(), self._transaction() as conn:  # never keep the ledger waiting
                entries = verify.read_entries(conn, "WHERE household_id IS NOT DISTINCT FROM ?", (anomaly.household_id,))
                if not verify.noted_since(entries, detail):   # found again after a change or a re-check: recorded again
                    self._audit(self._system_actor(), "abnormal", household_id=anomaly.household_id, **detail)
        except Busy:
            self._noted.discard(key)
        except self.DRIVER_ERROR as error:   # a database its administrator set read-only: noted once it takes writes
            failed = self._driver_error(error)
            if not isinstance(failed, StoreFailure) or isinstance(failed, ServerUnreachable):
                raise
            self._noted.discard(key)

    @_translated
    def check_household(self, household_id: int, *, recompute: bool = False) -> Household:
        try:
            with self._reading():  # the household and its history as of one moment
                household = self.household(household_id)
                self._vouch(household, recompute=recompute)
        except AbnormalData as error:
            self._note(error.anomaly)
            raise
        return household

    @_translated
    def verify_all(self) -> list[Anomaly]:
        """The whole file: its pages and indexes (PRAGMA integrity_check), chain, statuses, digests, and
        every current and signed version recomputed."""
        self._check_pages()
        found = verify.scan(self._conn)
        for row in self._conn.execute(f"SELECT {_HOUSEHOLD_COLUMNS} FROM households ORDER BY id").fetchall():
            household = _household(row)
            if household.id not in found:
                try:
                    self._vouch(household, recompute=True)
                except AbnormalData as error:
                    found[household.id] = error.anomaly
                except StoreError:  # saved under another schedule version: to be recomputed, not abnormal
                    continue
        self._anomalies, self._touched = None, set()
        for anomaly in found.values():
            self._note(anomaly)
        return sorted(found.values(), key=lambda anomaly: (anomaly.number, anomaly.household_id))

    # -- projects and households -------------------------------------------------------------

    # a second project refused (create_project), as said of what holds it
    ONE_PROJECT = ("项目文件中已有项目;一个项目文件只放一个项目", "the project file already holds a project")

    @_translated
    def create_project(self, name: str, *, actor: str | None = None, only: bool = False) -> Project:
        who, name = self._actor(actor), name.strip()
        if not name:
            raise StoreError("项目名称不能为空", "the project needs a name")
        with self._transaction() as conn:
            # `only`: the one project of its file or database (the app opens no other), checked under the change's
            # lock: two `ledger create` at once on one database each found none before, and made one each
            if only and conn.execute("SELECT 1 FROM projects").fetchone():
                raise StoreError(*self.ONE_PROJECT, file=self.path)
            if conn.execute("SELECT 1 FROM projects WHERE name = ?", (name,)).fetchone():
                raise StoreError(f"项目「{name}」已存在", f"a project named {name!r} already exists")
            project_id = conn.execute("INSERT INTO projects (name, created_at) VALUES (?, ?) RETURNING id",
                                      (name, self._clock())).fetchone()[0]
            self._audit(who, "create_project", project_id=project_id, name=name)
        return self.project(project_id)

    @_translated
    def project(self, project_id: int) -> Project:
        row = self._conn.execute("SELECT id, name, created_at FROM projects WHERE id = ?", (project_id,)).fetchone()
        if row is None:
            raise StoreError(f"没有编号为 {project_id} 的项目", f"no project {project_id}")
        return Project(*row)

    @_translated
    def projects(self) -> list[Project]:
        return [Project(*row) for row in self._conn.execute("SELECT id, name, created_at FROM projects ORDER BY id")]

    @_translated
    def add_household(self, project_id: int, number: str, head: str = "", address: str = "", *,
                      actor: str | None = None, result: CompensationResult | None = None) -> Household:
        who, number = self._actor(actor), number.strip()
        if not number:
            raise StoreError("户号不能为空", "the household needs a number (户号)")
        if result is not None:
            _computable(result)
        self.project(project_id)
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM households WHERE project_id = ? AND number = ?",
                            (project_id, number)).fetchone():
                raise StoreError(f"户号 {number} 在本项目中已存在", f"household number {number} already exists in this project")
            self._refuse_deleted_number(number)
            row = (project_id, number, head.strip(), address.strip(), self._clock(), who)
            household_id = conn.execute(
                "INSERT INTO households (id, project_id, number, head, address, updated_at, updated_by) VALUES "
                f"({self.dialect.new_id.format(table='households', column='household_id')}, ?,?,?,?,?,?)"
                " RETURNING id", row).fetchone()[0]
            self._audit(who, "add_household", project_id=project_id, household_id=household_id,
                        number=number, head=head, address=address)
            self._added_here[household_id] = self._depth
            if result is not None:   # the household as inserted: a draft without versions
                self._save_computed(Household(household_id, *row[:4], Status.DRAFT, None, None, *row[4:]), result,
                                    who, None)
        return self.household(household_id)

    def _refuse_deleted_number(self, number: str) -> None:
        """A 户号 of a household deleted behind the program's back is not registered again (in a transaction): registered,
        signed and paid anew, the household was paid twice, and the summary showed one payment."""
        if self._deleted_numbers is None:
            self._deleted_numbers = {row.number for row in verify.deleted_households(self._conn)}
        if number in self._deleted_numbers:
            raise StoreError(f"户号 {number} 已登记过,但此户已从项目中删除(数据已在程序之外被改动),不能再次登记;请从备份恢复",
                             f"household {number} was registered before and has been deleted behind the program's "
                             "back: it is not registered again; restore the project from a backup")

    @_translated
    def update_household(self, household_id: int, number: str, head: str, address: str, *,
                         actor: str | None = None) -> Household:
        who, number = self._actor(actor), number.strip()
        if not number:
            raise StoreError("户号不能为空", "the household needs a number (户号)")
        with self._transaction() as conn:
            household = self.household(household_id)
            self._vouch(household, recompute=False)
            if household.current_version_id is not None:
                # Its versions carry the 户号 as case number, and each save takes 户主 and 地址 from the case.
                raise StoreError("此户已有测算版本,户号不能再改;户主、地址以测算案例为准,请在补偿测算中修改",
                                 "the household has versions: its number is fixed and its head and address come "
                                 "from its case", f"户号 {household.number}")
            if conn.execute("SELECT 1 FROM households WHERE project_id = ? AND number = ? AND id != ?",
                            (household.project_id, number, household_id)).fetchone():
                raise StoreError(f"户号 {number} 在本项目中已存在", f"household number {number} already exists in this project")
            self._refuse_deleted_number(number)
            conn.execute("UPDATE households SET number = ?, head = ?, address = ?, updated_at = ?, updated_by = ? "
                         "WHERE id = ?", (number, head.strip(), address.strip(), self._clock(), who, household_id))
            self._audit(who, "edit_household", project_id=household.project_id, household_id=household_id,
                        number=number, head=head.strip(), address=address.strip(),
                        before={"number": household.number, "head": household.head, "address": household.address})
        return self.household(household_id)

    @_translated
    def household(self, household_id: int) -> Household:
        row = self._conn.execute(f"SELECT {_HOUSEHOLD_COLUMNS} FROM households WHERE id = ?", (household_id,)).fetchone()
        if row is None:
            raise StoreError(f"没有编号为 {household_id} 的住户", f"no household {household_id}")
        return _household(row)

    @_translated
    def find_household(self, project_id: int, number: str) -> Household | None:
        row = self._conn.execute(f"SELECT {_HOUSEHOLD_COLUMNS} FROM households WHERE project_id = ? AND number = ?",
                                 (project_id, number.strip())).fetchone()
        return None if row is None else _household(row)

    # -- versions ----------------------------------------------------------------------------

    @_translated
    def save_draft(self, household_id: int, case: Case, *, actor: str | None = None,
                   base_version_id: int | None = ANY_VERSION, base_saved_at: str | None = None) -> CaseVersion:
        who = self._actor(actor)
        with self._transaction():
            household = self._household_to_save(household_id, base_version_id, base_saved_at)
            if household.status.locked:
                raise _locked(household)
            version, digest = self._insert_version(household, who, case, None, None)
            self._after_save(household, version, Status.DRAFT, who, "save_draft", case, version_digest=digest)
        return version

    def _household_to_save(self, household_id: int, base_version_id: int | None,
                           base_saved_at: str | None = None) -> Household:
        """The household a save writes over (inside its transaction): unchanged since `base_version_id`, sound.
        `base_saved_at`: when that version was saved; one of its id saved at another time is another (a project file
        restored from a backup hands its later ids out again: a save over the new one passed as no conflict)."""
        household = self._household_for_update(household_id)
        if base_version_id is not ANY_VERSION and (
                household.current_version_id != base_version_id
                or base_saved_at is not None and base_version_id is not None
                and self._version_by_id(base_version_id).created_at != base_saved_at):
            current = None if household.current_version_id is None else self._version_by_id(household.current_version_id)
            raise conflict_error(household, current)
        if household.id not in self._added_here:
            self._vouch(household, recompute=False)
        return household

    @_translated
    def save_computed(self, household_id: int, result: CompensationResult, *, actor: str | None = None,
                      amendment_reason: str | None = None, base_version_id: int | None = ANY_VERSION,
                      base_saved_at: str | None = None) -> CaseVersion:
        who = self._actor(actor)
        _computable(result)
        reason = None if amendment_reason is None or blank(amendment_reason) else amendment_reason.strip()
        with self._transaction():
            household = self._household_to_save(household_id, base_version_id, base_saved_at)
            if household.status is Status.PAID:
                # An amendment would reopen the case for signing and paying again in full: a double payment.
                raise RefusedByRule(f"户号 {household.number} 已支付,不能再更正;如发现差错,请按补差程序另行办理",
                                 f"household {household.number} is paid; it cannot be amended (settle a difference "
                                 "through a separate supplementary payment)")
            if household.status.locked and reason is None:
                if amendment_reason is not None:
                    raise RefusedByRule("更正须填写理由", "an amendment needs a reason", f"户号 {household.number}")
                raise _locked(household)
            return self._save_computed(household, result, who, reason)

    def _save_computed(self, household: Household, result: CompensationResult, who: str, reason: str | None
                       ) -> CaseVersion:
        """A computed version saved over `household` (checked by the caller), an amendment if it is locked."""
        amends = household.signed_version_id if household.status.locked else None
        version, digest = self._insert_version(household, who, result.case, result, reason, amends)
        action = "amend" if amends is not None else "save_computed"
        self._after_save(household, version, Status.COMPUTED, who, action, result.case, version_digest=digest,
                         total=fmt_money(result.total), reason=reason, status_before=household.status.value)
        return version

    def _insert_version(self, household: Household, who: str, case: Case, result: CompensationResult | None,
                        reason: str | None, amends: int | None = None) -> tuple[CaseVersion, str]:
        """The new version, as stored, and its digest (what its audit entry records)."""
        conn = self._conn
        number = conn.execute("SELECT coalesce(max(number), 0) + 1 FROM case_versions WHERE household_id = ?",
                              (household.id,)).fetchone()[0]
        case_json = canonical_json(case)
        row: dict[str, Any] = {"household_id": household.id, "number": number, "case_json": case_json}
        row.update(verify.version_figures(result, case_json) if result is not None else dict.fromkeys(
            ("result_json", "schedule_version", "total", "incentive", "replacement_m2", "building_area_m2", "fingerprint")))
        row.update(assessor=case.assessor.get("name", ""), created_at=self._clock(), actor=who,
                   amendment_reason=reason, amends_version_id=amends)
        new_id = self.dialect.new_id.format(table="case_versions", column="version_id")
        version_id = conn.execute(f"INSERT INTO case_versions (id, {', '.join(row)}) VALUES "
                                  f"({new_id}, {', '.join('?' * len(row))}) RETURNING id", tuple(row.values())).fetchone()[0]
        return _version((version_id, *(row[name] for name in VERSION_FIELDS))), version_digest(row)

    def _after_save(self, household: Household, version: CaseVersion, status: Status, who: str, action: str,
                    case: Case, **detail: Any) -> None:
        # The survey is the source of 户主 and 地址: a case that names them updates the register.
        head = case.household.get("head", "").strip() or household.head
        address = case.household.get("address", "").strip() or household.address
        self._conn.execute(
            """UPDATE households SET status = ?, current_version_id = ?, head = ?, address = ?, updated_at = ?,
               updated_by = ? WHERE id = ?""",
            (status.value, version.id, head, address, self._clock(), who, household.id))
        if (head, address) != (household.head, household.address):
            detail["household"] = {"head": head, "address": address}
        self._audit(who, action, project_id=household.project_id, household_id=household.id, version_id=version.id,
                    version=version.number, **{k: v for k, v in detail.items() if v is not None})

    @_translated
    def versions(self, household_id: int) -> list[CaseVersion]:
        self.household(household_id)
        return [_version(row) for row in self._conn.execute(
            f"SELECT {_VERSION_COLUMNS} FROM case_versions WHERE household_id = ? ORDER BY number", (household_id,))]

    @_translated
    def version(self, household_id: int, number: int) -> CaseVersion:
        row = self._conn.execute(f"SELECT {_VERSION_COLUMNS} FROM case_versions WHERE household_id = ? AND number = ?",
                                 (household_id, number)).fetchone()
        if row is None:
            household = self.household(household_id).number
            raise StoreError(f"户号 {household} 没有第 {number} 版", f"household {household} has no version {number}")
        return _version(row)

    @_translated
    def current_version(self, household_id: int) -> CaseVersion | None:
        current = self.household(household_id).current_version_id
        return None if current is None else self._version_by_id(current)

    def _version_by_id(self, version_id: int) -> CaseVersion:
        return _version(self._conn.execute(f"SELECT {_VERSION_COLUMNS} FROM case_versions WHERE id = ?",
                                           (version_id,)).fetchone())

    @_translated
    def find_by_fingerprint(self, fingerprint: str) -> list[SheetMatch]:
        """The versions with this fingerprint, each checked (and recomputed) before it is vouched for."""
        rows = self._conn.execute(f"SELECT {_VERSION_COLUMNS} FROM case_versions WHERE fingerprint = ? ORDER BY id",
                                  (fingerprint.strip().lower(),)).fetchall()
        matches = []
        for row in rows:
            household = self.household(row[1])
            try:
                self.check_household(household.id, recompute=True)
                version = _version(row)
                verdict = None if version.result_json is None else verify.recompute(version)
                abnormal = None if verdict is None else verdict[0]
            except AbnormalData as error:
                version, abnormal = _version(row), error.anomaly.zh
            amended = self._conn.execute("SELECT min(number) FROM case_versions WHERE amends_version_id = ?",
                                         (version.id,)).fetchone()[0]
            matches.append(SheetMatch(household, version, abnormal, amended))
        return matches

    # -- status ------------------------------------------------------------------------------

    @_translated
    def sign(self, household_id: int, *, actor: str | None = None, fingerprint: str | None = None,
             version: int | None = None) -> Household:
        who = self._actor(actor)
        with self._transaction():
            household = self._household_for_update(household_id)
            self._vouch(household, recompute=True)
            check_move(household, Status.SIGNED)
            current = self._version_by_id(household.current_version_id)
            if fingerprint is not None and fingerprint.strip().lower() != current.fingerprint:
                # Neither code is repeated: an answer naming the right one could be copied onto the sheet.
                raise WrongFingerprint("签字结算单上的校验码与此户当前版本不符,不能标记已签字;请核对是否为最新打印的结算单",
                                 "the signed sheet's fingerprint is not that of the household's current version",
                                 f"户号 {household.number}")
            if version is not None and version != current.number:   # saved anew while the user was asked
                raise RefusedByRule(f"此户现为第{current.number}版(经办人 {current.actor or '未记录'}),不是确认时的第{version}版,"
                                    "未标记已签字;请核对新版本的结算单",
                                    f"the household is now at version {current.number}, not the version {version} "
                                    "confirmed: not signed", f"户号 {household.number}")
            # `checked`: whether the code on the signed sheet was typed and matched (the app may sign without it)
            self._move(household, Status.SIGNED, who, signed_version_id=current.id, version_id=current.id,
                       fingerprint=current.fingerprint, version=current.number, checked=fingerprint is not None)
        return self.household(household_id)

    @_translated
    def pay(self, household_ids: Iterable[int], *, batch: str, actor: str | None = None,
            amounts: Mapping[int, Decimal] | None = None) -> list[Household]:
        who, batch = self._actor(actor), batch.strip()
        if not batch:
            raise StoreError("请填写支付批次", "the payment batch must be named")
        ids = list(household_ids)
        with self._transaction():
            for household_id in ids:
                household = self._household_for_update(household_id)
                self._vouch(household, recompute=True)
                check_move(household, Status.PAID)
                if amounts is not None:   # amended and signed again since the amount was confirmed: not paid
                    signed = self._version_by_id(household.signed_version_id).total
                    if signed != amounts[household_id]:
                        raise RefusedByRule(
                            f"此户现在的金额为 {signed:,.2f} 元,不是确认时的 {amounts[household_id]:,.2f} 元(确认后已更正并"
                            "重新签字),这批住户都未标记支付",
                            f"the household now comes to {signed}, not the {amounts[household_id]} confirmed: "
                            "nothing of the batch marked paid", f"户号 {household.number}")
                self._move(household, Status.PAID, who, version_id=household.signed_version_id, batch=batch)
        return [self.household(household_id) for household_id in ids]

    def _move(self, household: Household, status: Status, who: str, *, version_id: int | None,
              signed_version_id: int | None = None, **detail: Any) -> None:
        self._conn.execute(
            """UPDATE households SET status = ?, signed_version_id = coalesce(?, signed_version_id), updated_at = ?,
               updated_by = ? WHERE id = ?""", (status.value, signed_version_id, self._clock(), who, household.id))
        self._audit(who, "sign" if status is Status.SIGNED else "pay", project_id=household.project_id,
                    household_id=household.id, version_id=version_id, status_before=household.status.value, **detail)

    @_translated
    def close(self) -> None:
        emptied = False   # the journal at the old name written whole into the moved file (_moved): nothing is lost with it
        try:
            emptied = self._moved() and bool(self._settled)   # a read-only store's is never settled
        except sqlite3.Error:   # the moved file's disk full or pulled out: its journal stays at the old name, whole
            pass
        finally:
            self._conn.close()
        if emptied and _identity(self._journal) is None:
            for journal in ("-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.remove(f"{self._journal}{journal}")
        if self._absent:
            _tidy(os.path.realpath(self.path), self._absent)


# _moved's `_settled` for a file deleted while open: its saves are in it, and nowhere else.
DELETED = "deleted"
# An SQLite file with no schema opened as a project: most likely the .landcomp of a project whose saves are still in the
# -wal journal it was separated from after a crash (opened, it was made an empty project and written into).
NO_PROJECT = ("项目文件中没有项目(文件中没有任何数据)。如果程序曾意外退出,项目的内容可能还在原位置与它同名的 -wal 文件中:"
              "请把项目文件和它的 -wal、-shm 文件放在同一文件夹再打开",
              "the project file holds no project (no data at all). If the program stopped unexpectedly, the project "
              "may still be in the -wal file of the same name where it was: put the file with its -wal and -shm "
              "files in one folder and open it there")


def _deleted(identity: tuple[int, int]) -> bool:
    """Whether the file of `identity`, open in this process, has no name left (Linux: /proc/self/fd; False where
    that cannot be seen: said as moved, as before)."""
    with contextlib.suppress(OSError):
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                stat = os.stat(f"/proc/self/fd/{fd}")
                if (stat.st_dev, stat.st_ino) == identity:
                    return stat.st_nlink == 0
    return False


def _identity(path: str) -> tuple[int, int] | None:
    """Which file is at `path` (its device and inode), None when none is."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _computable(result: CompensationResult) -> None:
    """Only a case priced without problems is saved as computed."""
    if result.problems:
        raise StoreError("测算有错误的案例只能存为草稿", "a case with calculation problems can only be saved as a draft")

