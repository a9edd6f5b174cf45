"""The default store: one SQLite project file (WAL, foreign keys, STRICT tables, checked on open)."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator

from calculator.case import Case, case_to_json, fingerprint
from calculator.compensation import CompensationResult
from calculator.money import fmt_money, fmt_quantity
from calculator.results import compensation_json
from calculator.store.base import (
    AuditEntry, CaseStore, CaseVersion, Household, LedgerRow, LedgerTotals, Project, SheetMatch, Status,
    StoreError, check_move,
)
from calculator.store.schema import APPLICATION_ID, SCHEMA_VERSION, init_db, schema_version

# Sorting only: the values themselves are read back as TEXT into Decimal.
_SORT_KEYS = {
    "number": "h.number", "head": "h.head", "address": "h.address",
    "building_area_m2": "CAST(v.building_area_m2 AS REAL)", "total": "CAST(v.total AS REAL)",
    "incentive": "CAST(v.incentive AS REAL)", "replacement_m2": "CAST(v.replacement_m2 AS REAL)",
    "status": "CASE h.status WHEN 'draft' THEN 0 WHEN 'computed' THEN 1 WHEN 'signed' THEN 2 ELSE 3 END",
    "assessor": "v.assessor", "updated_at": "h.updated_at",
}
_LEDGER_SELECT = """SELECT h.id, h.number, h.head, h.address, v.building_area_m2, v.total, v.incentive,
    v.replacement_m2, h.status, coalesce(v.assessor, ''), h.updated_at, h.updated_by, v.number
    FROM households h LEFT JOIN case_versions v ON v.id = h.current_version_id"""
_FIGURES_SELECT = """SELECT v.building_area_m2, v.total, v.incentive, v.replacement_m2
    FROM households h LEFT JOIN case_versions v ON v.id = h.current_version_id"""
_VERSION_COLUMNS = """id, household_id, number, case_json, result_json, schedule_version, total, incentive,
    replacement_m2, building_area_m2, fingerprint, assessor, created_at, actor, amendment_reason,
    amends_version_id"""
_HOUSEHOLD_COLUMNS = """id, project_id, number, head, address, status, current_version_id, signed_version_id,
    updated_at, updated_by"""


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _connect(path: str, **kwargs: Any) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, **kwargs)
    connection.execute("PRAGMA busy_timeout = 5000")
    return connection


def check_integrity(connection: sqlite3.Connection, path: str) -> None:
    """PRAGMA integrity_check must answer "ok"; anything else is a damaged file."""
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check(5)")]
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, str(exc)) from None
    if problems != ["ok"]:
        raise _damaged(path, "; ".join(problems))


def _damaged(path: str, why: str) -> StoreError:
    return StoreError(f"项目文件已损坏或不是数据库文件,请从备份恢复({why})",
                      f"the project file is damaged or not a database; restore it from a backup ({why})", path)


class SqliteStore(CaseStore):
    """A project file. `actor` is the default 经办人 recorded in the audit log (from the settings)."""

    def __init__(self, path: str | os.PathLike[str], *, actor: str = "", clock: Callable[[], str] = _now):
        self.path, self.actor, self._clock, self._depth = os.fspath(path), actor, clock, 0
        try:
            self._conn = _connect(self.path)
        except sqlite3.Error as exc:
            raise StoreError(f"无法打开项目文件: {exc}", f"cannot open the project file: {exc}", self.path) from None
        try:
            self._open()
        except BaseException:
            self._conn.close()
            raise

    def _open(self) -> None:
        try:
            check_integrity(self._conn, self.path)
            self._conn.execute("PRAGMA foreign_keys = ON")
            if self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                raise StoreError("项目文件无法使用 WAL 日志模式", "the project file cannot use WAL journaling", self.path)
            self._conn.execute("PRAGMA synchronous = FULL")  # a committed save survives a power cut
            init_db(self._conn)
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, str(exc)) from None

    # -- transactions ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One change = one transaction; inside `batch()` a savepoint, so a failed change undoes only itself."""
        conn = self._conn
        if self._depth == 0:
            conn.execute("BEGIN IMMEDIATE")
        else:
            conn.execute(f"SAVEPOINT change{self._depth}")
        self._depth += 1
        try:
            yield conn
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                conn.execute("ROLLBACK")
            else:
                conn.execute(f"ROLLBACK TO change{self._depth}")
                conn.execute(f"RELEASE change{self._depth}")
            raise
        self._depth -= 1
        conn.execute("COMMIT" if self._depth == 0 else f"RELEASE change{self._depth}")

    def batch(self) -> contextlib.AbstractContextManager[None]:
        """Several changes in one transaction (e.g. an import): a crash keeps none of them."""
        return self._batch()

    @contextlib.contextmanager
    def _batch(self) -> Iterator[None]:
        with self._transaction():
            yield

    def _actor(self, actor: str | None) -> str:
        who = (actor if actor is not None else self.actor).strip()
        if not who:
            raise StoreError("请填写经办人(设置中的用户名)", "an actor (the user name in the settings) is required")
        return who

    def _audit(self, actor: str, action: str, *, project_id: int | None = None, household_id: int | None = None,
               version_id: int | None = None, **detail: Any) -> None:
        self._conn.execute(
            "INSERT INTO audit (at, actor, action, project_id, household_id, version_id, detail) VALUES (?,?,?,?,?,?,?)",
            (self._clock(), actor, action, project_id, household_id, version_id,
             json.dumps(detail, ensure_ascii=False, default=str)))

    # -- projects and households -------------------------------------------------------------

    def create_project(self, name: str, *, actor: str | None = None) -> Project:
        who, name = self._actor(actor), name.strip()
        if not name:
            raise StoreError("项目名称不能为空", "the project needs a name")
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM projects WHERE name = ?", (name,)).fetchone():
                raise StoreError(f"项目「{name}」已存在", f"a project named {name!r} already exists")
            project_id = conn.execute("INSERT INTO projects (name, created_at) VALUES (?, ?)",
                                      (name, self._clock())).lastrowid
            self._audit(who, "create_project", project_id=project_id, name=name)
        return self.project(project_id)

    def project(self, project_id: int) -> Project:
        row = self._conn.execute("SELECT id, name, created_at FROM projects WHERE id = ?", (project_id,)).fetchone()
        if row is None:
            raise StoreError(f"没有编号为 {project_id} 的项目", f"no project {project_id}")
        return Project(*row)

    def projects(self) -> list[Project]:
        return [Project(*row) for row in self._conn.execute("SELECT id, name, created_at FROM projects ORDER BY id")]

    def add_household(self, project_id: int, number: str, head: str = "", address: str = "", *,
                      actor: str | None = None) -> Household:
        who, number = self._actor(actor), number.strip()
        if not number:
            raise StoreError("户号不能为空", "the household needs a number (户号)")
        self.project(project_id)
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM households WHERE project_id = ? AND number = ?",
                            (project_id, number)).fetchone():
                raise StoreError(f"户号 {number} 在本项目中已存在", f"household number {number} already exists in this project")
            household_id = conn.execute(
                "INSERT INTO households (project_id, number, head, address, updated_at, updated_by) VALUES (?,?,?,?,?,?)",
                (project_id, number, head.strip(), address.strip(), self._clock(), who)).lastrowid
            self._audit(who, "add_household", project_id=project_id, household_id=household_id,
                        number=number, head=head, address=address)
        return self.household(household_id)

    def household(self, household_id: int) -> Household:
        row = self._conn.execute(f"SELECT {_HOUSEHOLD_COLUMNS} FROM households WHERE id = ?", (household_id,)).fetchone()
        if row is None:
            raise StoreError(f"没有编号为 {household_id} 的住户", f"no household {household_id}")
        return _household(row)

    def find_household(self, project_id: int, number: str) -> Household | None:
        row = self._conn.execute(f"SELECT {_HOUSEHOLD_COLUMNS} FROM households WHERE project_id = ? AND number = ?",
                                 (project_id, number.strip())).fetchone()
        return None if row is None else _household(row)

    # -- versions ----------------------------------------------------------------------------

    def save_draft(self, household_id: int, case: Case, *, actor: str | None = None) -> CaseVersion:
        who = self._actor(actor)
        with self._transaction():
            household = self.household(household_id)
            if household.status.locked:
                raise _locked(household)
            version_id = self._insert_version(household, who, case, None, None)
            self._after_save(household, version_id, Status.DRAFT, who, "save_draft", case)
        return self._version_by_id(version_id)

    def save_computed(self, household_id: int, result: CompensationResult, *, actor: str | None = None,
                      amendment_reason: str | None = None) -> CaseVersion:
        who = self._actor(actor)
        if result.problems:
            raise StoreError("测算有错误的案例只能存为草稿", "a case with calculation problems can only be saved as a draft")
        reason = (amendment_reason or "").strip() or None
        with self._transaction():
            household = self.household(household_id)
            if household.status is Status.PAID:
                # An amendment would reopen the case for signing and paying again in full: a double payment.
                raise StoreError(f"户号 {household.number} 已支付,不能再更正;如发现差错,请按补差程序另行办理",
                                 f"household {household.number} is paid; it cannot be amended (settle a difference "
                                 "through a separate supplementary payment)")
            if household.status.locked and reason is None:
                if amendment_reason is not None:
                    raise StoreError("更正须填写理由", "an amendment needs a reason", f"户号 {household.number}")
                raise _locked(household)
            amends = household.signed_version_id if household.status.locked else None
            version_id = self._insert_version(household, who, result.case, result, reason, amends)
            action = "amend" if amends is not None else "save_computed"
            self._after_save(household, version_id, Status.COMPUTED, who, action, result.case,
                             total=fmt_money(result.total), reason=reason, status_before=household.status.value)
        return self._version_by_id(version_id)

    def _insert_version(self, household: Household, who: str, case: Case, result: CompensationResult | None,
                        reason: str | None, amends: int | None = None) -> int:
        conn = self._conn
        number = conn.execute("SELECT coalesce(max(number), 0) + 1 FROM case_versions WHERE household_id = ?",
                              (household.id,)).fetchone()[0]
        figures: dict[str, Any] = dict.fromkeys(
            ("result_json", "schedule_version", "total", "incentive", "replacement_m2", "building_area_m2", "fingerprint"))
        if result is not None:
            relocation, replacement = result.relocation, result.replacement
            figures.update(
                result_json=json.dumps(compensation_json(result), ensure_ascii=False, default=_exact),
                schedule_version=result.schedule.version, total=fmt_money(result.total),
                incentive=fmt_money(relocation.incentive if relocation else Decimal(0)),
                replacement_m2=None if replacement is None else fmt_money(replacement.total_m2),
                building_area_m2=None if relocation is None else fmt_quantity(relocation.given.building_area_m2),
                fingerprint=fingerprint(case, result.schedule.version))
        return conn.execute(
            """INSERT INTO case_versions (household_id, number, case_json, result_json, schedule_version, total,
                incentive, replacement_m2, building_area_m2, fingerprint, assessor, created_at, actor,
                amendment_reason, amends_version_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (household.id, number, case_to_json(case), figures["result_json"], figures["schedule_version"],
             figures["total"], figures["incentive"], figures["replacement_m2"], figures["building_area_m2"],
             figures["fingerprint"], case.assessor.get("name", ""), self._clock(), who, reason, amends)).lastrowid

    def _after_save(self, household: Household, version_id: int, status: Status, who: str, action: str,
                    case: Case, **detail: Any) -> None:
        # The survey is the source of 户主 and 地址: a case that names them updates the register.
        head = case.household.get("head", "").strip() or household.head
        address = case.household.get("address", "").strip() or household.address
        self._conn.execute(
            """UPDATE households SET status = ?, current_version_id = ?, head = ?, address = ?, updated_at = ?,
               updated_by = ? WHERE id = ?""",
            (status.value, version_id, head, address, self._clock(), who, household.id))
        if (head, address) != (household.head, household.address):
            detail["household"] = {"head": head, "address": address}
        number = self._conn.execute("SELECT number FROM case_versions WHERE id = ?", (version_id,)).fetchone()[0]
        self._audit(who, action, project_id=household.project_id, household_id=household.id, version_id=version_id,
                    version=number, **{k: v for k, v in detail.items() if v is not None})

    def versions(self, household_id: int) -> list[CaseVersion]:
        self.household(household_id)
        return [_version(row) for row in self._conn.execute(
            f"SELECT {_VERSION_COLUMNS} FROM case_versions WHERE household_id = ? ORDER BY number", (household_id,))]

    def version(self, household_id: int, number: int) -> CaseVersion:
        row = self._conn.execute(f"SELECT {_VERSION_COLUMNS} FROM case_versions WHERE household_id = ? AND number = ?",
                                 (household_id, number)).fetchone()
        if row is None:
            raise StoreError(f"没有第 {number} 版", f"no version {number}", f"household {household_id}")
        return _version(row)

    def current_version(self, household_id: int) -> CaseVersion | None:
        current = self.household(household_id).current_version_id
        return None if current is None else self._version_by_id(current)

    def _version_by_id(self, version_id: int) -> CaseVersion:
        return _version(self._conn.execute(f"SELECT {_VERSION_COLUMNS} FROM case_versions WHERE id = ?",
                                           (version_id,)).fetchone())

    def find_by_fingerprint(self, fingerprint: str) -> list[SheetMatch]:
        rows = self._conn.execute(f"SELECT {_VERSION_COLUMNS} FROM case_versions WHERE fingerprint = ? ORDER BY id",
                                  (fingerprint.strip().lower(),)).fetchall()
        return [SheetMatch(self.household(row[1]), _version(row)) for row in rows]

    # -- status ------------------------------------------------------------------------------

    def sign(self, household_id: int, *, actor: str | None = None, fingerprint: str | None = None) -> Household:
        who = self._actor(actor)
        with self._transaction():
            household = self.household(household_id)
            check_move(household.status, Status.SIGNED)
            current = self._version_by_id(household.current_version_id)
            if fingerprint is not None and fingerprint.strip().lower() != current.fingerprint:
                raise StoreError(f"签字单的校验码 {fingerprint} 与当前版本(第 {current.number} 版,{current.fingerprint})不符",
                                 f"the sheet's fingerprint {fingerprint} is not that of the current version "
                                 f"({current.number}, {current.fingerprint})", f"户号 {household.number}")
            self._move(household, Status.SIGNED, who, signed_version_id=current.id, version_id=current.id,
                       fingerprint=current.fingerprint, version=current.number)
        return self.household(household_id)

    def pay(self, household_ids: Iterable[int], *, batch: str, actor: str | None = None) -> list[Household]:
        who, batch = self._actor(actor), batch.strip()
        if not batch:
            raise StoreError("请填写支付批次", "the payment batch must be named")
        ids = list(household_ids)
        with self._transaction():
            for household_id in ids:
                household = self.household(household_id)
                check_move(household.status, Status.PAID)
                self._move(household, Status.PAID, who, version_id=household.signed_version_id, batch=batch)
        return [self.household(household_id) for household_id in ids]

    def _move(self, household: Household, status: Status, who: str, *, version_id: int | None,
              signed_version_id: int | None = None, **detail: Any) -> None:
        self._conn.execute(
            """UPDATE households SET status = ?, signed_version_id = coalesce(?, signed_version_id), updated_at = ?,
               updated_by = ? WHERE id = ?""", (status.value, signed_version_id, self._clock(), who, household.id))
        self._audit(who, "sign" if status is Status.SIGNED else "pay", project_id=household.project_id,
                    household_id=household.id, version_id=version_id, status_before=household.status.value, **detail)

    # -- audit and ledger --------------------------------------------------------------------

    def audit_log(self, *, project_id: int | None = None, household_id: int | None = None) -> list[AuditEntry]:
        where, args = [], []
        if project_id is not None:
            where.append("project_id = ?")
            args.append(project_id)
        if household_id is not None:
            where.append("household_id = ?")
            args.append(household_id)
        sql = "SELECT id, at, actor, action, project_id, household_id, version_id, detail FROM audit"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [AuditEntry(*row[:7], json.loads(row[7])) for row in self._conn.execute(sql + " ORDER BY id", args)]

    def _ledger_where(self, project_id: int, status: Status | str | None, text: str) -> tuple[str, list[Any]]:
        where, args = ["h.project_id = ?"], [project_id]
        if status is not None:
            where.append("h.status = ?")
            args.append(Status.parse(status).value)
        if text.strip():
            pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append("(h.number LIKE ? ESCAPE '\\' OR h.head LIKE ? ESCAPE '\\' OR h.address LIKE ? ESCAPE '\\')")
            args += [pattern] * 3
        return " WHERE " + " AND ".join(where), args

    def ledger(self, project_id: int, *, status: Status | str | None = None, text: str = "",
               sort: str = "number", descending: bool = False, limit: int | None = None,
               offset: int = 0) -> list[LedgerRow]:
        if sort not in _SORT_KEYS:
            raise StoreError(f"台账不能按「{sort}」排序", f"the ledger cannot be sorted by {sort!r}")
        where, args = self._ledger_where(project_id, status, text)
        direction = "DESC" if descending else "ASC"
        sql = f"{_LEDGER_SELECT}{where} ORDER BY {_SORT_KEYS[sort]} {direction}, h.number {direction}, h.id"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [int(limit), int(offset)]
        elif offset:
            sql += " LIMIT -1 OFFSET ?"
            args.append(int(offset))
        return [_ledger_row(row) for row in self._conn.execute(sql, args)]

    def ledger_count(self, project_id: int, *, status: Status | str | None = None, text: str = "") -> int:
        where, args = self._ledger_where(project_id, status, text)
        return self._conn.execute(f"SELECT count(*) FROM households h{where}", args).fetchone()[0]

    def ledger_summary(self, project_id: int, *, status: Status | str | None = None, text: str = "") -> LedgerTotals:
        """Exact totals of the filter, reading only the four figures (not whole ledger rows)."""
        where, args = self._ledger_where(project_id, status, text)
        count, sums = 0, [Decimal("0.00")] * 4
        for figures in self._conn.execute(f"{_FIGURES_SELECT}{where}", args):
            count += 1
            for i, figure in enumerate(figures):
                if figure is not None:
                    sums[i] += Decimal(figure)
        return LedgerTotals(count, *sums)

    # -- whole file --------------------------------------------------------------------------

    def backup(self, path: str | os.PathLike[str]) -> None:
        """Copy the store page by page (sqlite3 backup API) to a temporary file, then move it in place."""
        if self._depth:
            raise StoreError("有未完成的修改,不能备份", "cannot back up in the middle of a change")
        target = os.fspath(path)
        temporary = target + ".part"
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        destination = sqlite3.connect(temporary)
        try:
            self._conn.backup(destination)
            check_integrity(destination, temporary)
        finally:
            destination.close()
        os.replace(temporary, target)
        who = self.actor.strip() or "system"
        with self._transaction():
            self._audit(who, "backup", path=target)

    def restore_from(self, path: str | os.PathLike[str], *, actor: str | None = None) -> None:
        """Check the backup (integrity, our file, not newer), copy it over this store, migrate it."""
        who, source_path = (actor or self.actor).strip() or "system", os.fspath(path)
        if self._depth:
            raise StoreError("有未完成的修改,不能恢复", "cannot restore in the middle of a change")
        if not os.path.isfile(source_path):
            raise StoreError("备份文件不存在", "the backup file does not exist", source_path)
        try:
            source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, isolation_level=None)
        except sqlite3.Error as exc:
            raise _damaged(source_path, str(exc)) from None
        try:
            check_integrity(source, source_path)
            try:
                version = schema_version(source)
                app = source.execute("PRAGMA application_id").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise _damaged(source_path, str(exc)) from None
            if app != APPLICATION_ID or version == 0:
                raise StoreError("该文件不是本程序的项目备份", "the file is not a landcomp backup", source_path)
            if version > SCHEMA_VERSION:
                raise StoreError("备份由较新版本的程序创建", "the backup was written by a newer program", source_path)
            # The backup API replaces every page of this database in one step, under its write lock.
            try:
                source.backup(self._conn)
            except sqlite3.Error as exc:
                raise StoreError(f"无法恢复备份: {exc}", f"cannot restore the backup: {exc}", source_path) from None
        finally:
            source.close()
        init_db(self._conn)
        check_integrity(self._conn, self.path)
        with self._transaction():
            self._audit(who, "restore", path=source_path, schema_before=version)

    def close(self) -> None:
        self._conn.close()


def _locked(household: Household) -> StoreError:
    return StoreError(f"户号 {household.number} {household.status.label},不能修改;如需更正请填写更正理由",
                      f"household {household.number} is {household.status.value} and locked; "
                      "an amendment with a reason is required")


def _exact(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"cannot store {type(value).__name__} in the result JSON")


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _household(row: tuple) -> Household:
    return Household(row[0], row[1], row[2], row[3], row[4], Status(row[5]), row[6], row[7], row[8], row[9])


def _version(row: tuple) -> CaseVersion:
    return CaseVersion(row[0], row[1], row[2], row[3], row[4], row[5], _dec(row[6]), _dec(row[7]), _dec(row[8]),
                       _dec(row[9]), row[10], row[11], row[12], row[13], row[14], row[15])


def _ledger_row(row: tuple) -> LedgerRow:
    return LedgerRow(row[0], row[1], row[2], row[3], _dec(row[4]), _dec(row[5]), _dec(row[6]), _dec(row[7]),
                     Status(row[8]), row[9], row[10], row[11], row[12])
