"""The 台账 workspace's actions, without Qt: one project file, its ledger, and what an officer does to it.

A project file (`*.landcomp`) holds one project. `create_project` / `open_project` give a
`ProjectFile`; its methods are the user's actions — one page of the ledger, the totals of a
filter, signing against the fingerprint printed on the sheet, paying a batch, checking a sheet
brought back to the office, the change history of a household, and the survey, ledger and
sheet files (whose modules are imported on first use).
"""
from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from calculator.core.errors import InputError
from calculator.core.labels import short_time
from calculator.core.files import (
    SQLITE_COMPANIONS, SQLITE_HEADER, check_file_name, check_parent_folder, check_regular_file, file_stem, in_use,
    landings, refuse_database, same_file, shown_path, system_reason,
)
from calculator.core.limits import blank, check_text, refuse_bad_characters, text_limit
from calculator.core.money import cut, fmt_grouped, fmt_money
from calculator.store import (
    LEDGER_COLUMNS, AuditEntry, BackupContents, CaseStore, Household, LedgerRow, LedgerTotals, Project, RefusedByRule,
    SheetMatch, SqliteStore, Status, StoreError, backup_contents, is_server, no_server_project, open_store,
    refuse_conninfo, server_label,
)
from calculator.store.sqlite_file import FROM_A_BACKUP

if TYPE_CHECKING:
    from calculator.store.checking import BackgroundCheck

SUFFIX = ".landcomp"
PAGE_SIZE = 200
SORT_KEYS = tuple(key for key, _ in LEDGER_COLUMNS)
_FINGERPRINT = re.compile(r"[0-9a-f]{12}")


# --- the project file --------------------------------------------------------------------------

def project_path(text: str | os.PathLike[str]) -> Path:
    """The file a typed name stands for, to be written: `.landcomp` added when it has no such suffix; no name
    at all, a folder (never taken to mean a file beside it, /tmp as /tmp.landcomp), anything else there under the name
    typed (/dev/null, a pipe, a case file), or a name too long for the file system, is refused."""
    path = Path(text)
    if path.name and os.path.isdir(path):   # (False, never an error, for a name the system cannot take)
        raise InputError("这是一个文件夹;请填写项目文件的文件名(如 堡子片区.landcomp)",
                         "that is a folder: give the project file's name (such as project.landcomp)",
                         file=shown_path(path))
    if path.name and path.suffix.lower() != SUFFIX:
        if os.path.lexists(path):   # /dev/null, a pipe, h.json: what was named is not written beside, as /dev/null.landcomp
            raise InputError(f"「{path.name}」已存在,不是项目文件(.landcomp);请另选文件名",
                             f"{path.name} exists and is not a project file (.landcomp): choose another name",
                             file=shown_path(path))
        path = path.with_name(path.name + SUFFIX)
    return check_file_name(path, reading=False)


def _audited(path: Path) -> Path:
    """`path` when it may be written into the change history (a backup's or a restore's): a name that is not
    UTF-8 (a command-line argument read with surrogateescape) or holds a control character is refused."""
    try:
        refuse_bad_characters(str(path), "文件名")
    except InputError as error:   # named as given: "王家 items v2.landcomp" was shown as 王家 补偿项目 v2 landcomp
        raise error.in_file(shown_path(path)) from None
    return path


def create_project(path: str | os.PathLike[str], name: str, actor: str, *,
                   password: str | None = None) -> "ProjectFile":
    """A new project file at `path` holding one empty project called `name`; an existing file is never replaced.

    `path` may instead be a postgresql:// URL: the project is then created in that database (the
    connecting role becomes its administrator); `password` is one typed for this session only."""
    if blank(name):
        raise StoreError("项目名称不能为空", "the project needs a name")
    check_text(name.strip(), "project_name", "--name")
    refuse_conninfo(path)
    if is_server(path):
        store = open_store(path, actor=actor, password=password, create=True)
        try:
            return ProjectFile(store, store.create_project(name, only=True), str(path))
        except BaseException:
            store.close()
            raise
    path = project_path(path)
    if blank(actor):
        raise StoreError("请先填写经办人姓名", "the user's name (actor) is required")
    check_parent_folder(path)
    try:   # the name claimed, never taken from another create at the same moment (whose file a failure here removed)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    except FileExistsError:
        raise StoreError("文件已存在;请另选文件名,或用「打开项目」打开它",
                         "the file exists; choose another name or open it", file=path) from None
    except OSError as error:   # a folder that takes no file (read-only, not ours): said as the system says it
        raise StoreError(f"无法建立项目文件({system_reason(error)})", f"cannot create the project file "
                         f"({system_reason(error)})", file=path) from None
    store, landed = None, landings()
    try:   # the file is this attempt's (claimed above): whatever is there after a failure is removed
        store = SqliteStore(path, actor=actor.strip())
        project = store.create_project(name, only=True)
    except BaseException:
        if store is not None:
            store.close()
        if landings() == landed:   # a project committed (an interrupt after it) is whole: kept, as it is said
            for leftover in (path, *(Path(f"{path}{companion}") for companion in SQLITE_COMPANIONS)):
                leftover.unlink(missing_ok=True)
        raise
    return ProjectFile(store, project, path)


def open_project(path: str | os.PathLike[str], actor: str = "", *, password: str | None = None) -> "ProjectFile":
    """The project in an existing file (or on a postgresql:// server); a missing, foreign or damaged
    file raises StoreError.

    A server that wants a password libpq did not find (PGPASSWORD, ~/.pgpass, a service file) raises
    PasswordNeeded; the password the user then types is passed as `password`, for this session only
    (never in the URL, never stored)."""
    refuse_conninfo(path)
    if is_server(path):
        store = open_store(path, actor=actor, password=password)
        try:
            projects = store.projects()
        except BaseException:
            store.close()
            raise
        if not projects:
            store.close()
            raise no_server_project(str(path))
        return ProjectFile(store, _the_project(store, projects, str(path)), str(path))
    path = check_file_name(path, reading=True)
    check_regular_file(path, "项目文件", "project file", StoreError)
    try:
        # A database in use (maybe open here already) is one: only SQLite may open it in this process (in_use). An
        # empty file with a stray journal beside it is read (nothing is open on it), and refused as no project.
        in_use_here = in_use(path) and path.stat().st_size > 0
        header = SQLITE_HEADER if in_use_here else _first_bytes(path, len(SQLITE_HEADER))
    except OSError as error:
        raise StoreError(f"无法读取项目文件: {error.strerror}", f"cannot read the project file: {error.strerror}",
                         file=path) from None
    if header != SQLITE_HEADER:  # SqliteStore would turn an empty file into a new project
        raise StoreError("该文件不是本程序的项目文件", "the file is not a landcomp project file", file=path)
    store = SqliteStore(path, actor=actor.strip(), create=False)
    projects = store.projects()
    if not projects:
        store.close()
        raise StoreError("项目文件中没有项目", "the project file holds no project", file=path)
    return ProjectFile(store, _the_project(store, projects, str(path)), path)


def _the_project(store: CaseStore, projects: list[Project], where: str) -> Project:
    """The one project a file or a database holds (the program never makes a second). Two are a change made behind
    the program's back: a household moved to the other vanished from the ledger, its money from every total, with
    nothing flagged, and a project row before the real one opened as an empty project."""
    if len(projects) > 1:
        store.close()
        zh, en = ("请从备份恢复到新建的数据库", "restore a backup into a new database") if is_server(where) \
            else FROM_A_BACKUP
        raise StoreError(f"项目中有 {len(projects)} 个项目记录,应只有一个:数据已在程序之外被改动;{zh}",
                         f"the project holds {len(projects)} project records, not one: it was changed outside the "
                         f"program; {en}", file=where)
    return projects[0]


def _first_bytes(path: Path, count: int) -> bytes:
    with path.open("rb") as stream:
        return stream.read(count)


# --- what the ledger shows ---------------------------------------------------------------------

# The longest text a ledger search can find: the longest of 户号, 户主 and 地址 (the 台账's search box holds no more).
SEARCH_LIMIT = max(text_limit(field) for field in ("household_number", "head", "address"))


@dataclass(frozen=True)
class LedgerQuery:
    """The ledger's filter and order: status (None: all), text in 户号/户主/地址, a LEDGER_COLUMNS key."""

    status: Status | None = None
    text: str = ""
    sort: str = "number"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.status is not None:
            object.__setattr__(self, "status", Status.parse(self.status))
        refuse_bad_characters(self.text, "查找文字")  # no backend can search for a lone surrogate
        longest = SEARCH_LIMIT
        if len(self.text.strip()) > longest:   # finds nothing; 60,000 characters were too complex for SQLite's LIKE
            raise InputError(f"查找文字过长:{len(self.text.strip())} 字,户号、户主和地址最多 {longest} 字",
                             f"the search text is too long: {len(self.text.strip())} characters, where a 户号, head "
                             f"or address holds at most {longest}")

    def filter(self) -> dict[str, Any]:
        return {"status": self.status, "text": self.text.strip()}


PAYMENT_NAMED = 20   # the households a payment's question names (a batch of more says 等)


@dataclass(frozen=True)
class Payment:
    """The signed households about to be paid, and what they are paid."""

    households: tuple[Household, ...]
    total: Decimal
    amounts: tuple[Decimal, ...]   # each household's, in `households`' order

    def text(self) -> str:
        """5 户(户号 0001、0002 …),合计 1,793,484.96 元: the households named, as a batch is checked against its list."""
        numbers = "、".join(household.number for household in self.households[:PAYMENT_NAMED])
        more = " 等" if len(self.households) > PAYMENT_NAMED else ""
        return f"{len(self.households)} 户(户号 {numbers}{more}),合计 {fmt_grouped(self.total)} 元"


@dataclass(frozen=True)
class HistoryLine:
    """One change of a household as the 变更记录 shows it."""

    at: str
    actor: str
    what: str


ACTION_LABELS = {
    "create_project": "建立项目", "add_household": "登记住户", "edit_household": "修改登记", "save_draft": "保存草稿",
    "save_computed": "保存测算", "amend": "更正", "sign": "签字", "pay": "支付",
    "backup": "备份", "restore": "恢复备份", "abnormal": "发现数据异常", "grant": "授权", "recheck": "重新核验,解除数据异常",
}


def normal_fingerprint(text: str) -> str:
    """The 12 hex digits of a fingerprint as printed (spaces and case ignored); InputError otherwise."""
    value = re.sub(r"[\s-]", "", text).lower()
    if not _FINGERPRINT.fullmatch(value):
        shown = cut(text.strip())   # 100,000 characters were echoed whole, twice
        raise InputError(f"校验码应为12位十六进制数字(0-9、a-f),收到「{shown}」",
                         f"a fingerprint is 12 hex digits, not {shown!r}")
    return value


def _changed(at: str) -> str:
    """",最后修改于 2026-12-01 18:05" for a project's last change, if it has one."""
    return f",最后修改于 {short_time(at)}" if at else ""


def describe_match(match: SheetMatch) -> str:
    """Which household and version a sheet's fingerprint belongs to, and whether it still holds."""
    household, version = match.household, match.version
    who = f"户号 {household.number} {household.head}".rstrip()
    if match.abnormal:
        return f"{who}:第 {version.number} 版数据异常,不能作为依据:{match.abnormal}。"
    state = "是当前版本" if match.is_current else "不是当前版本(之后已有新版本)"
    # a version signed and then amended is no longer the household's signature, but was signed: said so
    signed = ("已按此版签字" if match.is_signed else f"曾按此版签字,后由第 {match.amended_by} 版更正"
              if match.amended_by is not None else "未按此版签字")
    total = "" if version.total is None else f",合计 {fmt_grouped(version.total)} 元"
    return (f"{who}:第 {version.number} 版{total},{short_time(version.created_at)} 由 "
            f"{version.actor or '—'} 保存;{state},{signed};住户现为「{household.status.label}」。")


def describe_change(entry: AuditEntry) -> str:
    """An audit entry in words: what was done, with its version, total, reason, fingerprint or batch."""
    detail = entry.detail
    parts = [ACTION_LABELS.get(entry.action, entry.action)]
    if "version" in detail:
        parts.append(f"第 {detail['version']} 版")
    if detail.get("total") is not None:
        parts.append(f"合计 {fmt_grouped(Decimal(str(detail['total'])))} 元")
    if detail.get("reason"):
        parts.append(f"理由:{detail['reason']}")
    if detail.get("fingerprint"):
        parts.append(f"校验码 {detail['fingerprint']}")
    if entry.action == "sign" and detail.get("checked") is False:   # signed without the sheet's code typed
        parts.append("未核对结算单校验码")
    if detail.get("batch"):
        parts.append(f"批次 {detail['batch']}")
    if detail.get("payment_not_kept"):   # a hand-made pay entry a restore carried over: the household was never paid
        parts.append("未计为支付(被替换的项目中此户并未支付)")
    if detail.get("cleared"):
        parts.append(f"原异常:{detail['cleared']}")
    if entry.action in ("add_household", "edit_household") and detail.get("number"):
        parts.append(f"户号 {detail['number']} {detail.get('head', '')} {detail.get('address', '')}".rstrip())
    if isinstance(detail.get("household"), dict):
        changed = detail["household"]
        parts.append(f"户主/地址改为 {changed.get('head', '')} {changed.get('address', '')}".rstrip())
    text = f"{parts[0]} {parts[1]}" if "version" in detail else parts[0]
    rest = parts[2:] if "version" in detail else parts[1:]
    text = ",".join([text, *rest])
    if detail.get("status_before"):
        try:
            text += f"(原为{Status(detail['status_before']).label})"
        except ValueError:
            pass
    return f"恢复备份前的记录:{text}" if detail.get("restored_over") else text


# --- the open project --------------------------------------------------------------------------

class ProjectFile:
    """One open project file: its store, its project, and the officer's actions on it."""

    def __init__(self, store: CaseStore, project: Project, location: str | os.PathLike[str]):
        self.store, self.project, self.location = store, project, str(location)
        # The project file; None for a project on a server (its location is the URL).
        self.path = None if is_server(location) else Path(location)
        # Where the last page read ended: (query, offset after it, its last household id). The page
        # asked for next is read by key after that household, not by skipping `offset` rows.
        self._page_end: tuple[LedgerQuery, int, int] | None = None

    @property
    def on_server(self) -> bool:
        return self.path is None

    @property
    def label(self) -> str:
        """Where the project lives, as the ledger shows it: the file's path, or user@host:port/db."""
        return str(self.path) if self.path is not None else server_label(self.location)

    def only_copy(self) -> bool:
        """Whether closing the project would lose it: its file deleted while open, not yet backed up."""
        return self.store.only_copy()

    def changed(self) -> bool:
        """True when another user or program has changed the project since the last call (cheap enough
        to ask twice a second). A file that cannot be read, or a lost connection, raises StoreError."""
        return self.store.changed_elsewhere()

    @property
    def name(self) -> str:
        return self.project.name

    @property
    def actor(self) -> str:
        return self.store.actor

    @property
    def server_role(self) -> str | None:
        """The database role a server project records for every change, whatever name is typed (None: a file)."""
        return self.store.role if self.on_server else None

    @property
    def read_only(self) -> bool:
        """The file may only be viewed (its folder or the file itself cannot be written)."""
        return self.store.read_only

    def set_actor(self, actor: str) -> None:
        """Who the audit log records for the changes that follow (the name in the settings)."""
        self.store.actor = actor.strip()

    def close(self) -> None:
        self.store.close()

    def backup(self, path: str | os.PathLike[str]) -> Path:
        """A consistent copy of the whole project at `path`, an SQLite project file whatever the backend
        (never over the project file itself)."""
        target = _audited(project_path(path))
        if self.path is not None and target.resolve() == self.path.resolve():
            if not os.path.lexists(target):   # deleted while open: its journal left there would be read into the backup
                raise StoreError("备份不能写在项目文件原来的位置(那里留下的日志文件会并入备份);请另选文件名",
                                 "a backup cannot be written where the project file was (the journal left there would "
                                 "be read into it); choose another name", file=target)
            raise StoreError("备份不能覆盖项目文件本身", "a backup cannot overwrite the project file", file=target)
        check_parent_folder(target)
        if os.path.lexists(target):  # it may be another project (or a link, even to nothing): never replaced
            raise StoreError(f"文件已存在,备份不会覆盖它;请另选文件名: {target.name}",
                             f"the file exists; a backup never replaces a file (choose another name): {target.name}")
        self.store.backup(target)
        return target

    def restore_source(self, path: str | os.PathLike[str]) -> Path:
        """`path` as a file a restore may read: never this project's own file (checked before the user is asked)."""
        source = _audited(check_file_name(path, reading=True))
        if self.path is not None and same_file(source, self.path):   # the same path, a link to it or a hard link
            raise StoreError("不能用项目文件自身恢复", "a project cannot be restored from itself", file=source)
        return source

    def backup_said(self, source: Path) -> str:
        """What the backup at `source` (a restore_source) holds, set against this project, for the question before a
        restore: a backup of another project, or an older one, picked by mistake replaces everything. "" when it
        cannot be read (the restore's own checks then say why)."""
        contents: BackupContents | None = backup_contents(str(source))
        if contents is None:
            return ""
        # the open project's last change too: a backup of 18:03 over a payment and a version of 18:05 drops the version
        said = (f"备份中:项目「{contents.project}」,{contents.households} 户{_changed(contents.last_change)}\n"
                f"当前项目:「{self.project.name}」,{self.count(LedgerQuery())} 户{_changed(self.store.last_change())}")
        if contents.project != self.project.name:
            said += f"\n注意:备份的项目「{contents.project}」不是当前项目「{self.project.name}」,请确认选对了备份。"
        return said

    def restore(self, path: str | os.PathLike[str], stamp: str) -> Path:
        """Replace the project's contents with a checked backup; what it held is first kept beside it.

        Returns the safety copy (`<project>-恢复前-<stamp>.landcomp`, beside the project file, or for a
        server project beside the backup restored from), so a wrong restore can be undone."""
        source = self.restore_source(path)
        folder, stem = (self.path.parent, self.path.stem) if self.path is not None else (source.parent,
                                                                                         file_stem(self.project.name))
        safety = _audited(check_file_name(folder / f"{stem}-恢复前-{stamp}{SUFFIX}", reading=False))
        for count in itertools.count(2):  # never over an earlier safety copy (two restores in one second)
            if not safety.exists():
                break
            safety = folder / f"{stem}-恢复前-{stamp}-{count}{SUFFIX}"
        # the safety copy once the backup has passed every check: a refused restore writes nothing
        self.store.restore_from(source, before_replacing=lambda: self.store.backup(safety))
        self.project = self.store.projects()[0]
        return safety

    # ledger ---------------------------------------------------------------------------------

    def page(self, query: LedgerQuery, offset: int, limit: int = PAGE_SIZE) -> list[LedgerRow]:
        """`limit` ledger rows of the query from `offset` on (without the workbook's columns).

        The page that follows the last one read (same query, `offset` where it ended) is read by key,
        after that page's last household (keyset pagination: an index seek, not OFFSET's re-reading
        of every row before it); should the data change meanwhile, the rows still follow on from the
        last one shown rather than shift by what was added or removed before it.

        A large project is not checked first: its rows say `checked=False` until `check_in_background`
        has run (正在核验)."""
        after = None
        if self._page_end is not None and offset > 0 and self._page_end[:2] == (query, offset):
            after = self._page_end[2]
        rows = self.store.ledger(self.project.id, **query.filter(), sort=query.sort, descending=query.descending,
                                 limit=limit, offset=offset, after=after, workbook=False, check_first=False)
        self._page_end = (query, max(offset, 0) + len(rows), rows[-1].household_id) if rows else None
        return rows

    def count(self, query: LedgerQuery) -> int:
        """How many households the query's filter gives."""
        return self.store.ledger_count(self.project.id, **query.filter(), check_first=False)

    def summary(self, query: LedgerQuery) -> LedgerTotals | None:
        """Totals over every household of the filter (not only the rows loaded so far); None while a large
        project is being checked — no household is summed before it is vouched for."""
        return self.store.ledger_summary(self.project.id, **query.filter(), check_first=False)

    def check_in_background(self, on_done: Callable[[], None]) -> BackgroundCheck | None:
        """Check every household in a worker (None: no check is due); see CaseStore.check_in_background."""
        return self.store.check_in_background(on_done)

    def rows(self, query: LedgerQuery) -> list[LedgerRow]:
        """Every row of the query, in its order (for the Excel ledger)."""
        return self.store.ledger(self.project.id, **query.filter(), sort=query.sort, descending=query.descending)

    def household(self, household_id: int) -> Household:
        return self.store.household(household_id)

    def register_household(self, number: str, head: str, address: str,
                           household_id: int | None = None) -> Household:
        """Add a household without a survey (household_id None), or correct the entry of one with no version yet.

        户号 is written as the survey import writes it (half-width, trimmed) and refused when it names a
        household already registered, 1 and 0001, A01 and a01 being one number (`survey.number_key`); an entry
        corrected under the number it has is never refused for it (A01 and a01 an earlier version let in)."""
        from calculator.app.survey import household_number
        number = household_number(number)
        head, address = check_text(head.strip(), "head"), check_text(address.strip(), "address")
        if not number:
            raise InputError("户号不能为空", "the household needs a number (户号)", "户号")
        kept = household_id is not None and self.store.household(household_id).number == number
        same = [] if kept else [row.number for row in self._same_number(number) if row.household_id != household_id]
        if same:
            raise StoreError(f"{number} 与台账中已有的户号 {'、'.join(same)} 相同(只差前导零或字母大小写也算同一户号)",
                             f"household number {number} is that of {', '.join(same)} already registered", "户号")
        if household_id is None:
            return self.store.add_household(self.project.id, number, head, address)
        return self.store.update_household(household_id, number, head, address)

    def find_household(self, number: str) -> Household | None:
        """The household registered under `number` (1 and 0001, A01 and a01 being one number), if any; of several
        (A01 and a01, which an earlier version let in), the one written so."""
        rows = self._same_number(number)
        if len(rows) > 1:
            from calculator.app.survey import household_number
            rows = [row for row in rows if row.number == household_number(number)] or rows
        if len(rows) > 1:
            raise StoreError(f"台账中有多个户号与 {number} 相同:{'、'.join(row.number for row in rows)}",
                             f"several households are numbered like {number}", "户号")
        return self.store.household(rows[0].household_id) if rows else None

    def _same_number(self, number: str) -> list[LedgerRow]:
        from calculator.app.survey import number_key
        key = number_key(number)
        return [row for row in self.store.ledger(self.project.id, workbook=False) if number_key(row.number) == key]

    def save_case(self, number: str, case, *, base_version: int | None = None, reason: str | None = None):
        """`case` as the household's next computed version (the household registered when new); the
        version written is returned.

        A case with input errors is refused whole (nothing stored). With `base_version` (0: none yet)
        the save lands only if that is still the current version, checked in the transaction that
        writes; a signed case changes only with a `reason` (an amendment), a paid one never."""
        from calculator.engine.compensation import evaluate
        if reason is not None:
            check_text(reason, "amendment_reason", "--reason")
        from calculator.core.errors import CaseErrors
        from calculator.engine.schedules import load_schedule
        from calculator.app.stored_cases import StoredCase, save_stored
        schedule = load_schedule(case.schedule)
        problems = evaluate(case, schedule).problems
        if problems:
            raise CaseErrors(list(problems))
        with self.store.batch():  # a new household is registered only if its case is saved
            household = self.find_household(number) or self.register_household(
                number, case.household.get("head", ""), case.household.get("address", ""))
            opened = self.store.current_version(household.id)
            if base_version is not None and (opened.number if opened is not None else 0) != base_version:
                if opened is None:
                    now_zh, now_en = "尚无版本", "has no version yet"
                else:   # who saved in between, and when: whom to ask before saving again
                    when = short_time(opened.created_at)
                    now_zh = f"当前是第{opened.number}版({opened.actor} {when} 保存)"
                    now_en = f"is at version {opened.number} (saved by {opened.actor} at {when})"
                raise RefusedByRule(f"户号 {household.number} {now_zh},不是第{base_version}版,未保存",
                                    f"household {household.number} {now_en}, not version {base_version}; "
                                    "nothing saved")
            save_stored(StoredCase(self.store, household, opened), case, schedule, reason)
            return self.store.current_version(household.id)

    # status ---------------------------------------------------------------------------------

    def sign(self, household_id: int, fingerprint: str | None = None, version: int | None = None) -> Household:
        """已测算 → 已签字; a fingerprint typed from the sheet must be that of the current version, as must `version`
        (signed without the code: the version the user confirmed)."""
        household = self.store.household(household_id)
        typed = fingerprint.strip() if fingerprint else ""
        try:
            return self.store.sign(household_id, fingerprint=normal_fingerprint(typed) if typed else None,
                                   version=version)
        except StoreError as error:
            raise error if error.where else error.located(f"户号 {household.number}") from None

    def payment(self, household_ids: Iterable[int]) -> Payment:
        """The households to pay; refused (naming them) unless every one is signed and its data sound."""
        households = tuple(self.store.check_household(household_id, recompute=True) for household_id in household_ids)
        if not households:
            raise StoreError("请先选择要支付的住户", "select the households to pay")
        unsigned = [h for h in households if h.status is not Status.SIGNED]
        if unsigned:
            named = "、".join(f"{h.number}({h.status.label})" for h in unsigned[:10])
            more = f" 等 {len(unsigned)} 户" if len(unsigned) > 10 else ""
            raise RefusedByRule(f"只有已签字的住户才能支付:户号 {named}{more} 不是已签字",
                             f"only signed households can be paid; {len(unsigned)} selected are not")
        amounts = []
        for household in households:
            version = self.store.current_version(household.id)
            amounts.append(version.total if version is not None and version.total is not None else Decimal("0.00"))
        return Payment(households, sum(amounts, Decimal("0.00")), tuple(amounts))

    def pay(self, household_ids: Sequence[int], batch: str, expected_total: Decimal | None = None,
            confirmed: Payment | None = None) -> Payment:
        """已签字 → 已支付 for every household of the batch, all or none, each at the amount read here (or `confirmed`:
        the payment the user was shown), checked again under the store's lock; with `expected_total` (the bank
        list's), only while the batch still comes to it. A household amended and signed again since is otherwise
        marked paid at its new amount, the family paid the old one."""
        check_text(batch.strip(), "batch", "--batch")
        payment = confirmed if confirmed is not None else self.payment(household_ids)
        if expected_total is not None and payment.total != expected_total:
            raise RefusedByRule(f"这批住户现在合计 {fmt_grouped(payment.total)} 元,不是 {fmt_grouped(expected_total)} 元,"
                                "未标记支付;请核对是否有住户在制表后更正并重新签字",
                                f"the batch now comes to {fmt_money(payment.total)}, not {fmt_money(expected_total)}: "
                                "nothing marked paid (was a household amended and signed again since the list?)")
        self.store.pay(household_ids, batch=batch,
                       amounts={household.id: amount for household, amount in zip(payment.households, payment.amounts)})
        return payment

    def check_sheet(self, fingerprint: str) -> list[SheetMatch]:
        """The stored versions a printed sheet's fingerprint belongs to (none: no version the project holds now)."""
        return self.store.find_by_fingerprint(normal_fingerprint(fingerprint))

    def unmatched_sheet_text(self, fingerprint: str) -> str:
        """What to say of a sheet whose fingerprint no version of the project holds (check_sheet found none). A restore
        drops the versions saved after its backup, and gives their numbers out again: a sheet printed from one was said
        "not printed from any version of this project" while its history held that version. A signature's entry keeps
        its fingerprint, so a signed one is named; of any other, the restore is said."""
        fingerprint = normal_fingerprint(fingerprint)
        entries = self.store.audit_log()
        restores = [entry for entry in entries if entry.action == "restore"]
        if not restores:
            return "本项目中没有这个校验码的版本:这张结算单不是按本项目中保存的任何一版打印的。"
        for entry in entries:
            detail = entry.detail
            if entry.action == "sign" and detail.get("restored_over") and detail.get("fingerprint") == fingerprint:
                try:
                    number = self.store.household(entry.household_id).number
                except StoreError:   # registered after the backup, and gone with the restore: as its registration says
                    number = next((added.detail.get("number") for added in entries if added.action == "add_household"
                                   and added.household_id == entry.household_id), "") + "(恢复后已不在项目中)"
                return (f"这张结算单是户号 {number} 第 {detail.get('version')} 版,{short_time(entry.at)} 已按此版"
                        f"签字;该版本在 {short_time(detail['restored_over'])} 从备份恢复项目时撤销,已不在项目中"
                        "(见此户变更记录中的“恢复备份前的记录”),现在同一版号可能是另一份测算。")
        return (f"本项目现存的版本中没有这个校验码。项目曾于 {short_time(restores[-1].at)} 从备份恢复,恢复前保存的版本已不在"
                "项目中:这张结算单可能是按那时的某一版打印的(见各户变更记录中的“恢复备份前的记录”),否则不是按本项目打印的。")

    def recheck(self, household_id: int, reason: str) -> Household:
        """End the household's standing 数据异常 finding, its data sound now (see CaseStore.recheck)."""
        return self.store.recheck(household_id, reason, actor=self.actor)

    def history(self, household_id: int) -> list[HistoryLine]:
        """Every recorded change of a household, oldest first."""
        return [HistoryLine(entry.at[:19].replace("T", " "), entry.actor, describe_change(entry))
                for entry in self.store.audit_log(household_id=household_id)]

    # files ----------------------------------------------------------------------------------

    def export_ledger(self, query: LedgerQuery, path: Path) -> int:
        """Write the query's rows as an Excel ledger; returns how many rows were written."""
        from calculator.formats import reports
        rows = self.rows(query)
        # the filter said in the title: a workbook of the 29 households found by "12" read as the whole ledger
        chosen = [query.status.label] if query.status is not None else []
        chosen += [f"查找“{query.text.strip()}”"] if query.text.strip() else []
        title = f"{self.name}({';'.join(chosen)})" if chosen else self.name
        reports.ledger_xlsx(rows, Path(path), title=f"{title} 台账")
        return len(rows)

    def write_survey_template(self, path: Path, schedule) -> None:
        """The empty survey workbook the field teams fill in."""
        from calculator.app import survey
        survey.write_template(Path(path), schedule)

    def read_survey(self, path: Path, schedule, include_hidden: bool = False):
        """A filled survey workbook read (nothing stored yet), its households checked as they are taken
        (`survey.stream_survey`); hidden content only when accepted."""
        from calculator.app import survey
        path = check_file_name(path, reading=True)
        check_regular_file(path, "调查表文件", "survey workbook")   # a folder, a pipe, /dev/zero: never read
        refuse_database(path, "调查表文件", "survey workbook")      # this very project, say: never opened here
        return survey.stream_survey(path, schedule, include_hidden=include_hidden)

    def plan_import(self, households):
        """What importing would do to each of the survey's valid households (新增 / 补录首个版本 / 不变 / 不导入)."""
        from calculator.app import survey
        return survey.plan_import(self.store, self.project.id, households)

    def import_survey(self, households, refuse_differing: bool = False):
        """Store the survey's valid households in this project, as `plan_import` says; households may be a stream
        (a reading's `households()` or `all_or_none()`), each saved as it is taken, all in one transaction.
        `refuse_differing`: see calculator.app.survey.import_survey."""
        from calculator.app import survey
        return survey.import_survey(self.store, self.project.id, households, actor=self.actor,
                                    refuse_differing=refuse_differing)

    def write_sheets(self, household_ids: Sequence[int] | None, folder: Path,
                     progress: Callable[..., bool] | None = None):
        """Settlement sheets for the households (None: all) into `folder`; `progress` returning False stops."""
        from calculator.app import batch
        return batch.write_sheets(self.store, self.project.id, household_ids, Path(folder), progress=progress)


def import_text(summary, rejected: Sequence[str] = (), unread: Sequence[str] = ()) -> str:
    """What an import did, for a message box: added, first cases of registered households, unchanged, refusals;
    the households saved with something to check (the preview's 提示), the survey's households left out for a
    problem (`rejected`) and the sheets none of whose households was read (`unread`: survey.unread_sheets), so that
    the message closing the import is the whole of it."""
    lines = [f"新增 {len(summary.added)} 户,已登记户首次录入 {len(summary.updated)} 户,未变 {len(summary.unchanged)} 户"
             + (f",未覆盖 {len(summary.refused)} 户" if summary.refused else "")
             + (f",调查表有问题未导入 {len(rejected)} 户" if rejected else "")
             + (f";工作表{'、'.join(f'「{name}」' for name in unread)}的住户未读取,均未导入。" if unread else "。")]
    for label, numbers in (("新增", summary.added), ("首次录入", summary.updated)):
        if numbers:
            lines.append(f"{label}:{_some(numbers)}")
    saved = set(summary.added) | set(summary.updated)
    warned = [step.number for step in summary.steps if step.household.warnings and step.number in saved]
    if warned:
        lines.append(f"有提示须核对 {len(warned)} 户(见导入前的预览,或在补偿测算中打开):{_some(warned)}")
    if rejected:
        lines.append(f"调查表有问题未导入:{_some(rejected)}")
    lines += [f"未覆盖 户号 {number}:{reason}" for number, reason in summary.refused[:20]]
    if len(summary.refused) > 20:
        lines.append(f"……另有 {len(summary.refused) - 20} 户未覆盖")
    return "\n".join(lines)


def _some(numbers: Sequence[str], shown: int = 30) -> str:
    return "、".join(numbers[:shown]) + (f" 等 {len(numbers)} 户" if len(numbers) > shown else "")


def money_text(value: Decimal | None) -> str:
    """A ledger amount as shown: grouped with two decimals, blank when there is no computed version."""
    return "" if value is None else fmt_grouped(value)


def area_text(value: Decimal | None) -> str:
    """A ledger area as shown: grouped, two decimals unless the survey gave more, blank when absent."""
    if value is None:
        return ""
    return fmt_grouped(value) if value.as_tuple().exponent >= -2 else f"{value:,f}"
