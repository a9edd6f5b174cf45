"""The shared store: a project on a PostgreSQL server (psycopg 3), for several clients at once.

It runs the project file's SQL (SqliteStore's changes and checks, inherited) on its own connection,
transactions and locks:

- Every change holds the chain lock (the one row of `chain_lock`, which only the project's members may
  lock: the audit log is one hash chain, appended in turn) and then the household's row (`SELECT …
  FOR UPDATE`); the base version of a save is compared inside that transaction, so of several
  clients saving on one version exactly one lands.
- The audit log's actor is the authenticated database role, never a typed name; what a role may do
  is enforced by the server (see pg_schema), and `grant` is how an admin gives a role its part.
- Another client's change is announced by NOTIFY (`wait_for_change`, `changed_elsewhere`).
- A backup is an SQLite project file; a restore takes one (transfer.py), so a project moves between
  a single PC and the server with its versions and audit chain.

psycopg errors leave the store only as StoreError (a role's refusal as RoleRefused).
"""
from __future__ import annotations

import contextlib
import os
import re
import select
import sqlite3
import tempfile
import time
from typing import Any, Callable, Iterator

import psycopg
from psycopg import errors
from psycopg.pq import TransactionStatus

from calculator.store import dialect, pg_schema, restore, transfer, verify
from calculator.store.base import CaseStore, Household, RefusedByRule, RoleRefused, ServerUnreachable, StoreError, StoreFailure
from calculator.store.schema import init_db as init_sqlite
from calculator.store.location import PasswordNeeded, no_server_project, server_conninfo
from calculator.store.rows import _HOUSEHOLD_COLUMNS, _household
from calculator.store.sqlite import SqliteStore
from calculator.store.sqlite_file import (
    Busy, _connect, _translated, backup_write_error, new_backup_file, stage_backup,
)

LOCK_WAIT = "5s"  # how long a change waits for another client's change before it is called busy
# A client stopped in the middle of a change (a PC frozen, its network gone) holds the project's chain lock, and
# every other user's change is refused as busy until the server hears of it: the server ends its session once it
# is idle inside a transaction this long (no change of the program waits on anything between its statements), or
# once its TCP connection stays silent (after about 2 minutes, where the system's default is 2 hours).
IDLE_TRANSACTION_LIMIT = "5min"
SESSION_SETTINGS = ("-c tcp_keepalives_idle=60 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=6")


class Connection:
    """A psycopg connection that takes the project file's SQL: `?` placeholders, a `%` kept as itself."""

    def __init__(self, raw: psycopg.Connection):
        self.raw = raw

    def execute(self, sql: str, args: Any = ()) -> psycopg.Cursor:
        """Run one statement with `?` parameters."""
        return self.raw.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(args))

    def executemany(self, sql: str, rows: Any) -> None:
        """Run one statement for every row of parameters."""
        with self.raw.cursor() as cursor:
            cursor.executemany(sql.replace("%", "%%").replace("?", "%s"), rows)


TCP_USER_TIMEOUT_MS = 30_000


def connect(url: str, password: str | None = None) -> psycopg.Connection:
    """An autocommit connection to the server project at `url` (no password in it: libpq finds it, or
    `password`, typed for this session, is passed as a keyword)."""
    extra = {"password": password} if password else {}
    try:
        raw = psycopg.connect(server_conninfo(url), autocommit=True, connect_timeout=10, client_encoding="UTF8",
                              keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=3,
                              # a network gone mid-query (a cable out, Wi-Fi lost): the connection said lost after
                              # 30 s, not after the kernel's 15 minutes of resending, the window frozen meanwhile
                              tcp_user_timeout=TCP_USER_TIMEOUT_MS,
                              options=f"-c search_path={pg_schema.SCHEMA} {SESSION_SETTINGS} "
                                      f"-c idle_in_transaction_session_timeout={IDLE_TRANSACTION_LIMIT}", **extra)
    except psycopg.Error as error:
        said = str(error)
        if "no password supplied" in said or "password authentication failed" in said:
            # (a password from PGPASSWORD or ~/.pgpass the server refused is wrong too, not missing)
            refused = "密码不正确" if password or "password authentication failed" in said else "服务器要求输入密码"
            raise PasswordNeeded(f"{refused}:{_first_line(error)}",
                                 f"the server needs a (correct) password: {_first_line(error)}", url) from None
        missing = re.search(r'database "(.*)" does not exist', said)
        if missing:   # the URL names no database there: the input to mend (exit 2), not a server to try again (1)
            raise StoreError(f"服务器上没有名为「{missing.group(1)}」的数据库(请核对地址中的数据库名,或请管理员先建库)",
                             f"the server has no database {missing.group(1)!r}: {_first_line(error)}", url) from None
        raise ServerUnreachable(f"无法连接数据库服务器:{_first_line(error)}",
                                f"cannot connect to the database server: {_first_line(error)}", url) from None
    # UTF8 both ways: a client's PGCLIENTENCODING (SQL_ASCII, LATIN1, set for psql) gave bytes or UnicodeEncodeError
    encoding = raw.info.parameter_status("server_encoding")
    if encoding != "UTF8":   # SQL_ASCII (a cluster made under the C locale): text comes back as bytes, unchecked
        database = raw.info.dbname
        raw.close()
        raise StoreError(f"数据库「{database}」的字符编码为 {encoding},台账需要 UTF8 编码的数据库(请管理员用 "
                         f"CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0 新建)",
                         f"the database {database!r} is encoded {encoding}; a project needs a UTF8 database "
                         "(CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0)", url)
    return raw


class PostgresStore(SqliteStore):
    """A server project at `postgresql://user@host:port/dbname`; `path` is that URL (for messages).

    `actor` is accepted for the interface and ignored: the audit log names the database role."""

    DRIVER_ERROR = psycopg.Error
    ONE_PROJECT = ("该数据库中已有项目;一个数据库只放一个项目,请另建数据库",
                   "the database already holds a project; use another database")
    READ_TRANSACTION = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    dialect = dialect.POSTGRES

    def __init__(self, url: str, *, actor: str = "", clock: Callable[[], str] | None = None,
                 password: str | None = None, create: bool = False):
        """`clock`: the time each change is recorded at; by default the server's (_server_now)."""
        self.path, self.actor, self._depth = url, actor, 0
        self.read_only, self._no_wait = False, False
        self._forget_findings()
        self._raw, self._heard = connect(url, password), False
        self._password = password  # this session's, for the connection of a background check
        self._conn = Connection(self._raw)
        try:
            version = pg_schema.schema_version(self._conn)
            if not create and version == 0:  # opening writes nothing to a bare database
                raise no_server_project(url)
            if 0 < version < pg_schema.SCHEMA_VERSION and not self._conn.execute(
                    "SELECT pg_has_role(nspowner, 'USAGE') FROM pg_namespace WHERE nspname = ?",
                    (pg_schema.SCHEMA,)).fetchone()[0]:
                # only the schema's owner may bring it to this program's version: a member was told only that
                # their role "may not do this"
                raise RoleRefused("此服务器项目须先升级到本版程序的数据格式:请由建立项目的数据库角色用本版程序打开一次",
                                  "the server project must first be brought to this program's version: the database "
                                  "role that created it opens it once with this version", url)
            pg_schema.init_db(self._conn)
            self.role = self._conn.execute("SELECT current_user").fetchone()[0]
            part = self._conn.execute("SELECT as_role FROM members WHERE role_name = current_user").fetchone()
            self.saves_cases = part is not None and part[0] in ("assessor", "admin")
            self._clock = clock or self._server_now
            self._raw.add_notify_handler(self._notified)
            self._raw.execute(f"LISTEN {pg_schema.CHANNEL}")
        except psycopg.Error as error:
            self._raw.close()
            raise self._driver_error(error) from None
        except BaseException:
            self._raw.close()
            raise

    # -- backend hooks ---------------------------------------------------------------------------

    def _driver_error(self, error: Exception) -> StoreError:
        committed, self._just_committed = self._just_committed, False
        return server_error(error, self.path, committed=committed)

    def _check_pages(self) -> None:
        """The server checks its own pages (checksums, WAL); there is no file to check here."""

    def _begin(self) -> None:
        """A transaction holding the chain lock, or none (a lock not had in time, a database set read-only: said as
        the server said it, with no transaction left open to fail the next command)."""
        self._raw.execute("BEGIN")
        try:
            if self._no_wait:
                self._raw.execute("SELECT FROM chain_lock FOR UPDATE NOWAIT")
            else:
                self._raw.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'; SELECT FROM chain_lock FOR UPDATE")
        except BaseException as error:
            with contextlib.suppress(psycopg.Error):   # a connection lost: what failed is said, not the rollback
                self._raw.execute("ROLLBACK")
            if isinstance(error, errors.LockNotAvailable) and self._no_wait:
                raise Busy() from None
            raise

    def _server_now(self) -> str:
        """The server's time, written as this PC writes its own (ISO, the PC's zone); inside a change, the time it
        began. An office PC's clock may be minutes, or years, off (and set right during a session): every client of a
        project records its changes, a signature's and a payment's, by the server's one clock."""
        return self._conn.execute("SELECT now()").fetchone()[0].astimezone().isoformat(timespec="seconds")

    def _dropped(self, error: BaseException) -> bool:
        """Ctrl+C (or SIGTERM) in the middle of a statement leaves it running on the server, its result unread: a
        ROLLBACK then failed with "another command is already in progress", said as a connection lost (check the
        network) in place of the interruption. The connection is closed instead: the server undoes its transaction."""
        if not isinstance(error, KeyboardInterrupt):
            return False
        if not self._raw.closed and self._raw.info.transaction_status is not TransactionStatus.ACTIVE:
            return False
        self._raw.close()
        return True

    def _commit(self) -> None:
        """COMMIT, and a connection lost then said as it is: the change may have landed (never "not saved")."""
        try:
            self._raw.execute("COMMIT")
        except KeyboardInterrupt:
            if self._raw.info.transaction_status is TransactionStatus.IDLE:   # committed as the interrupt came
                self._landed()
            raise
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            said = _first_line(error)
            raise ServerUnreachable(
                f"与数据库服务器的连接在提交修改时中断,修改是否已保存无法确定;请检查网络,重新连接后先查看变更记录再操作:{said}",
                f"the connection to the database server was lost as the change was committed, and whether it was "
                f"saved is unknown; reconnect and check its history before trying again: {said}", self.path) from None
        self._landed()

    @contextlib.contextmanager
    def _without_waiting(self) -> Iterator[None]:
        self._no_wait = True
        try:
            yield
        finally:
            self._no_wait = False

    def _household_for_update(self, household_id: int) -> Household:
        row = self._conn.execute(f"SELECT {_HOUSEHOLD_COLUMNS} FROM households WHERE id = ? FOR UPDATE",
                                 (household_id,)).fetchone()
        if row is None:
            raise StoreError(f"没有编号为 {household_id} 的住户", f"no household {household_id}")
        return _household(row)

    def _data_serial(self) -> int:
        return self._conn.execute("SELECT serial FROM ledger_state").fetchone()[0]

    def _check_target(self) -> tuple[str, str | None, bool]:
        return self.path, self._password, False

    def _actor(self, actor: str | None) -> str:
        return self.role

    def _system_actor(self) -> str:
        return self.role

    # -- roles -----------------------------------------------------------------------------------

    @_translated
    def grant(self, role_name: str, as_role: str) -> None:
        """Let the database role `role_name` act as assessor, reviewer, finance or admin (admins only)."""
        role_name, as_role = role_name.strip(), as_role.strip()
        if as_role not in pg_schema.ROLES:
            raise StoreError(f"未知的职责「{as_role}」,应为 {'、'.join(pg_schema.ROLES)}",
                             f"unknown part {as_role!r}; one of {', '.join(pg_schema.ROLES)}")
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (role_name,)).fetchone() is None:
                raise StoreError(f"服务器上没有数据库角色「{role_name}」;登录角色由服务器管理员建立",
                                 f"no database role {role_name!r} on the server; its administrator creates login roles")
            conn.execute("SELECT grant_role(?, ?)", (role_name, as_role))
            self._audit(self.role, "grant", role=role_name, granted=as_role)

    @_translated
    def members(self) -> dict[str, str]:
        """Every database role with a part in the project: {role: assessor|reviewer|finance|admin}."""
        return dict(self._conn.execute("SELECT role_name, as_role FROM members ORDER BY role_name").fetchall())

    # -- live ledger -----------------------------------------------------------------------------

    @_translated
    def wait_for_change(self, timeout: float) -> bool:
        """True when another client has committed a change since the last call (NOTIFY, heard during any query
        or while waiting here up to `timeout` seconds; 0: only what has arrived). Its own changes do not count."""
        deadline = time.monotonic() + max(timeout, 0)
        while not self._heard:
            remaining = deadline - time.monotonic()
            if not select.select([self._raw.fileno()], [], [], max(remaining, 0))[0]:
                break
            self._raw.execute("SELECT 1")  # reads what arrived: the notifications reach _notified
            if remaining <= 0:
                break
        heard, self._heard = self._heard, False
        return heard

    def changed_elsewhere(self) -> bool:
        """What has been announced (NOTIFY) since the last call, without waiting."""
        return self.wait_for_change(0)

    def _notified(self, notify: psycopg.Notify) -> None:
        if notify.pid != self._raw.info.backend_pid:
            self._heard = True

    # -- whole project ---------------------------------------------------------------------------

    @_translated
    def backup(self, path: str | os.PathLike[str]) -> None:
        """The whole project as an SQLite project file at `path`, recorded in the audit log; copied under
        the chain lock, so no change lands between the copy and its record."""
        if self._depth and not self._aside:   # a restore's safety copy is made under its own lock (restore_from)
            raise StoreError("有未完成的修改,不能备份", "cannot back up in the middle of a change")
        target = os.fspath(path)
        temporary = target + ".part"
        placed = False
        try:
            with self._transaction() as conn:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(temporary)
                file = new_backup_file(temporary, target)
                try:
                    init_sqlite(file)
                    transfer.copy_project(conn, file)
                except sqlite3.Error as error:   # (the disk full): the backup's, never an internal error
                    raise backup_write_error(error, target) from None
                finally:
                    file.close()
                verify.append_entry(conn, self._clock(), self.role, "backup",
                                    detail={"path": target, "chain_head": verify.chain_head(conn)})
                os.replace(temporary, target)
                placed = True
        except BaseException as error:
            if placed and isinstance(error, ServerUnreachable):   # lost at the COMMIT of its record: the copy is
                raise                                             # whole, kept (its record may have landed)
            with contextlib.suppress(FileNotFoundError):
                os.remove(target if placed else temporary)
            raise

    def recheck(self, household_id: int, reason: str, *, actor: str | None = None) -> Household:
        """As the file's, for admins only (the server refuses anyone else's recheck entry too)."""
        if self.members().get(self.role) != "admin":
            raise RoleRefused("只有项目管理员可以重新核验并解除数据异常", "only a project admin may re-check a household",
                              self.path)
        return super().recheck(household_id, reason, actor=actor)

    @_translated
    def restore_from(self, path: str | os.PathLike[str], *, actor: str | None = None,
                     before_replacing: Callable[[], None] | None = None) -> None:
        """Replace the server project with an SQLite backup (admins only), keeping what the backup lacks of
        the audit log and every payment, as a restore of a project file does (`before_replacing` as there)."""
        source_path = os.fspath(path)
        if self._depth:
            raise StoreError("有未完成的修改,不能恢复", "cannot restore in the middle of a change")
        if self.members().get(self.role) != "admin":   # asked first: the safety copy made before would be written
            raise RoleRefused("只有项目管理员可以恢复项目", "only a project admin may restore the project", self.path)
        with tempfile.TemporaryDirectory(prefix="landcomp-restore-") as folder:
            staged = os.path.join(folder, "staged.landcomp")
            version = stage_backup(source_path, staged)
            work = _connect(staged)
            try:
                init_sqlite(work)
                restore.refuse_new_anomalies(work, self._conn)
                with self._transaction() as conn:
                    if before_replacing is not None:   # the safety copy under this lock: a save landing between the
                        restore.refuse_lost_payments(work, restore.replaced_state(conn))   # copy and the replacement
                        with self._side_write():                                           # was in neither
                            before_replacing()
                    replaced = restore.replaced_state(conn)
                    work.execute("BEGIN IMMEDIATE")
                    kept = restore.carry_over(work, replaced, at=self._clock(), actor=self.role)
                    verify.append_entry(work, self._clock(), self.role, "restore",
                                        detail={"path": source_path, "schema_before": version, **kept})
                    transfer.replace_project(work, conn)
                    work.execute("ROLLBACK")  # the staged copy is thrown away; the server holds the result
            finally:
                work.close()
        self._forget_findings()

    def close(self) -> None:
        self._raw.close()

    only_copy = CaseStore.only_copy   # a server's database is never held only here (SqliteStore's looks at its file)


# What grant_role (pg_schema.GRANT_ROLE) refuses, by words of the server's message: said as what it is, never as a
# missing right (an admin was told its role may not do this, and that admins may do all).
GRANT_REFUSALS = {
    "stays its admin": ("建立项目的数据库角色始终是项目管理员,不能改为其他职责",
                        "the role that created the project stays its admin"),
    "may not grant": ("只有项目管理员可以授予职责", "only a project admin grants parts")}


def server_error(error: Exception, where: str, *, committed: bool = False) -> StoreError:
    """A psycopg error as the store's StoreError: lost connection, busy, a role's refusal, or the server's word.
    `committed`: a change was committed that no call has answered for since (one lost at the COMMIT: PostgresStore
    ._commit)."""
    said = _first_line(error)
    if isinstance(error, errors.InsufficientPrivilege):
        own = next((words for server_words, words in GRANT_REFUSALS.items() if server_words in said), None)
        if own is not None:   # grant_role's own refusals: said as what they are, to an admin too
            return RoleRefused(*own, where)
        return RoleRefused(f"所用数据库角色无权进行此操作:评估人员保存测算、登记住户,审核人员标记签字,财务人员标记支付,"
                           f"管理员均可;职责由项目管理员授予(服务器原文:{said})",
                           f"the database role may not do this: assessors save cases and register households, reviewers "
                           f"sign, finance marks paid, admins all; a project admin grants the parts (the server said: "
                           f"{said})", where)
    if isinstance(error, (errors.LockNotAvailable, errors.DeadlockDetected, errors.SerializationFailure)):
        return RefusedByRule("项目正被其他人修改(已锁定),请稍后再试",
                          "the project is busy: another user is changing it; try again shortly", where)
    if isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)) and committed:
        return ServerUnreachable(   # read back after its commit: a signature or a payment was said "not saved"
            f"此次修改已保存,但随后与数据库服务器的连接中断;请检查网络,重新连接后查看:{said}",
            f"the change was saved, and then the connection to the database server was lost; check the network and "
            f"reconnect to see it: {said}", where)
    if isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):   # before any commit
        return ServerUnreachable(
            f"与数据库服务器的连接中断,此次操作未完成(修改未保存);请检查网络,重新连接后再试:{said}",
            f"the connection to the database server was lost: this was not done (no change was saved); check the "
            f"network, reconnect and try again: {said}", where)
    if isinstance(error, psycopg.DataError) and "0x00" in said:
        return StoreError("文字中不能含有空字符(NUL)", "text cannot contain a NUL character", where)
    # a value the server does not take (bad input, exit 2); anything else is the server's own failure (exit 1)
    failed = StoreError if isinstance(error, (psycopg.DataError, psycopg.IntegrityError)) else StoreFailure
    return failed(f"数据库读写失败:{said}", f"the database could not be read or written: {said}", where)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
