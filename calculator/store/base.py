"""The storage interface: projects, households, every version of a case, status, audit, ledger.

The UI and the engine talk only to `CaseStore`; `SqliteStore` (one project file) is the default,
and a shared server database can be added later as another subclass.
"""
from __future__ import annotations

import abc
import contextlib
import dataclasses
import json
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from calculator.engine.case import Case, case_from_json
from calculator.engine.compensation import CompensationResult
from calculator.core.errors import CalculationError
from calculator.core.labels import short_time
from calculator.core.limits import printable

if TYPE_CHECKING:
    from calculator.store.checking import BackgroundCheck


class StoreError(CalculationError):
    """The project file cannot be read or the change is not allowed; the message says why."""


class RefusedByRule(StoreError):
    """The project's rules refuse the change (`landcomp ledger` exits 3): a signed case changed without
    a reason, a paid case changed, a status out of order, a sheet that is not the current version's,
    a save on a stale version, a role without the right, a project another writer has locked."""


class StoreFailure(StoreError):
    """The store failed at something no input of the command caused (a server's database set read-only or its error,
    a project file's disk full or failing): `landcomp ledger` exits 1, "anything else", never 2, which tells a
    script to mend its input."""


class ServerUnreachable(StoreFailure):
    """A server project's server cannot be reached, or the connection was lost: no fault of the input (`landcomp
    ledger` exits 1, to be tried again), and whether a change under way was saved is not known."""


class AbnormalData(RefusedByRule):
    """A household's stored data is not what the program wrote (数据异常): shown, never signed, paid or printed; a
    refusal by the project's rules (`landcomp ledger` exits 3), not the command's input at fault."""

    def __init__(self, zh: str, en: str, where: str = "", anomaly: "Anomaly | None" = None):
        super().__init__(zh, en, where)
        self.anomaly = anomaly

    @property
    def household_id(self) -> int | None:
        return None if self.anomaly is None else self.anomaly.household_id


class WrongFingerprint(RefusedByRule):
    """The code typed from a signed sheet is not the household's current version's (which is never said)."""


class ConflictError(RefusedByRule):
    """Another save landed first: the household has a newer version than the one the change was based on."""

    def __init__(self, zh: str, en: str, where: str = "", actor: str = "", at: str = ""):
        super().__init__(zh, en, where)
        self.actor, self.at = actor, at


class RoleRefused(RefusedByRule):
    """The database role may not do this (a server project: what each role may do is the server's rule)."""


# A save's base version when the caller does not say which version it was based on (no check).
ANY_VERSION: Any = object()


class Status(str, Enum):
    """草稿 → 已测算 → 已签字 → 已支付; only an amendment goes back (to 已测算).

    数据异常 (ABNORMAL) is never stored nor set: the ledger shows it for a household whose stored
    data the store cannot vouch for (see `Anomaly`)."""

    DRAFT = "draft"
    COMPUTED = "computed"
    SIGNED = "signed"
    PAID = "paid"
    ABNORMAL = "abnormal"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def locked(self) -> bool:
        """A signed or paid case may change only by an amendment with a reason."""
        return self in (Status.SIGNED, Status.PAID)

    @classmethod
    def parse(cls, value: "Status | str") -> "Status":
        """A status from its code or its Chinese label."""
        for status in cls:
            if value in (status, status.value, status.label):
                return status
        raise StoreError(f"未知状态: {value!r}", f"unknown status: {value!r}")


STATUS_LABELS = {Status.DRAFT: "草稿", Status.COMPUTED: "已测算", Status.SIGNED: "已签字", Status.PAID: "已支付",
                 Status.ABNORMAL: "数据异常"}
STATUS_ORDER = (Status.DRAFT, Status.COMPUTED, Status.SIGNED, Status.PAID)


def check_move(household: "Household", new: Status) -> None:
    """Refuse any status move of `household` other than one step forward (signing needs a computed case); the
    refusal names its 户号 (in a batch, or when another user moved it first, the user must know which)."""
    old, where = household.status, f"户号 {household.number}"
    if STATUS_ORDER.index(new) != STATUS_ORDER.index(old) + 1 or new is Status.COMPUTED:
        if old is Status.DRAFT and new is not Status.DRAFT:
            raise RefusedByRule("草稿须先保存测算结果(已测算)", "a draft must first be saved as a computed version", where)
        if old is new:   # signed again, paid again (another user's step, or one done twice): said as what it is
            raise RefusedByRule(f"此户已是「{old.label}」,无需再标记", f"the household is already {old.value}", where)
        raise RefusedByRule(f"状态不能从「{old.label}」改为「{new.label}」",
                            f"status cannot move from {old.value} to {new.value}", where)


@dataclass(frozen=True)
class Project:
    id: int
    name: str
    created_at: str


@dataclass(frozen=True)
class Household:
    """One household of a project: 户号 is unique within the project."""

    id: int
    project_id: int
    number: str
    head: str
    address: str
    status: Status
    current_version_id: int | None
    signed_version_id: int | None
    updated_at: str
    updated_by: str


@dataclass(frozen=True)
class CaseVersion:
    """One saved version of a household's case, with the result it was computed to (None: a draft)."""

    id: int
    household_id: int
    number: int
    case_json: str
    result_json: str | None
    schedule_version: str | None
    total: Decimal | None
    incentive: Decimal | None
    replacement_m2: Decimal | None
    building_area_m2: Decimal | None
    fingerprint: str | None
    assessor: str
    created_at: str
    actor: str
    amendment_reason: str | None
    amends_version_id: int | None

    def case(self) -> Case:
        """The case as it was saved."""
        return case_from_json(self.case_json)

    def result(self) -> dict[str, Any] | None:
        """The stored result JSON (the contract of results.compensation_json), None for a draft."""
        return None if self.result_json is None else json.loads(self.result_json)


@dataclass(frozen=True)
class Anomaly:
    """A household whose stored data is not what the program wrote, and why (数据异常)."""

    household_id: int | None
    number: str
    zh: str
    en: str

    def error(self) -> AbnormalData:
        """The refusal of an action on this household."""
        where = f"户号 {self.number}" if self.number else ""
        return AbnormalData(f"数据异常,不能修改、签字、支付或打印:{self.zh}",
                            f"abnormal data; it cannot be changed, signed, paid or printed: {self.en}", where, self)


@dataclass(frozen=True)
class SheetMatch:
    """A stored version whose fingerprint is the one printed on a sheet (`abnormal`: why it cannot be trusted)."""

    household: Household
    version: CaseVersion
    abnormal: str | None = None
    amended_by: int | None = None   # the number of the version amending it: it was signed, then corrected

    @property
    def is_current(self) -> bool:
        return self.household.current_version_id == self.version.id

    @property
    def is_signed(self) -> bool:
        return self.household.signed_version_id == self.version.id


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    project_id: int | None
    household_id: int | None
    version_id: int | None
    detail: dict[str, Any]


def conflict_error(household: Household, current: "CaseVersion | None") -> ConflictError:
    """The refusal of a save based on a version older than the household's current one, naming who saved that."""
    if current is None:
        return ConflictError("台账中此户的版本已变动,未保存;请重新打开此户核对后再改",
                             "the household's versions changed since it was opened; nothing was saved",
                             f"户号 {household.number}")
    at = short_time(current.created_at)
    return ConflictError(f"台账中此户已有打开后新存的第{current.number}版(经办人 {current.actor or '未记录'},{at}),"
                         "未保存;请另存为文件,重新打开此户核对后再改",
                         f"the household has a newer version {current.number}, saved by {current.actor or 'unknown'} "
                         f"at {at}, than the one opened; nothing was saved", f"户号 {household.number}",
                         current.actor, current.created_at)


# The ledger's columns: key (for sorting) and the 台账 heading.
LEDGER_COLUMNS = (
    ("number", "户号"), ("head", "户主"), ("address", "地址"), ("building_area_m2", "建筑面积"),
    ("total", "补偿金额"), ("incentive", "奖励"), ("replacement_m2", "置换面积"), ("status", "状态"),
    ("assessor", "评估人"), ("updated_at", "最后修改"),
)


@dataclass(frozen=True)
class LedgerRow:
    """One line of the 台账: the household and its current version's figures."""

    household_id: int
    number: str
    head: str
    address: str
    building_area_m2: Decimal | None
    total: Decimal | None
    incentive: Decimal | None
    replacement_m2: Decimal | None
    status: Status
    assessor: str
    updated_at: str
    updated_by: str
    version: int | None
    abnormal: str | None = None  # why the status is 数据异常 (its figures are then blank)
    # For the workbook: from the current version's case, and the audit entries of signing and paying
    # (ISO times as recorded; blank unless the household is signed or paid now).
    id_number: str = ""
    phone: str = ""
    signed_at: str = ""
    paid_batch: str = ""
    paid_at: str = ""
    # False: read before the check of a large project had finished (正在核验) — not yet vouched for.
    checked: bool = True

    def printable(self) -> LedgerRow:
        """The row with each character no sheet or workbook may hold shown as U+FFFD: no input takes one, but a
        project changed by another tool may hold one (数据异常), and a sheet of the whole project must still print."""
        texts = {name: printable(getattr(self, name)) for name in _ROW_TEXTS}
        texts["abnormal"] = None if self.abnormal is None else printable(self.abnormal)
        return dataclasses.replace(self, **texts)


_ROW_TEXTS = ("number", "head", "address", "assessor", "updated_by", "id_number", "phone", "paid_batch")


@dataclass(frozen=True)
class LedgerTotals:
    """Sums over a filter; `abnormal` households are counted in `households` but add no figures."""

    households: int
    building_area_m2: Decimal
    total: Decimal
    incentive: Decimal
    replacement_m2: Decimal
    abnormal: int = 0


def ledger_totals(rows: Iterable[LedgerRow]) -> LedgerTotals:
    """Exact sums over ledger rows (a household without a computed version, or 数据异常, adds nothing)."""
    count, abnormal = 0, 0
    area, total, incentive, replacement = Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00")
    for row in rows:
        count += 1
        if row.status is Status.ABNORMAL:
            abnormal += 1
            continue
        area += row.building_area_m2 or 0
        total += row.total or 0
        incentive += row.incentive or 0
        replacement += row.replacement_m2 or 0
    return LedgerTotals(count, area, total, incentive, replacement, abnormal)


class CaseStore(abc.ABC):
    """What the UI and the actions may ask of storage; nothing here knows about SQL.

    Whatever goes wrong in storage reaches callers as a StoreError (busy, read-only, damaged, the
    server gone): a backend turns its driver's own errors into it, so no caller names a driver."""

    #: Where the store lives, for messages and the crash-recovery file: the project file's path, or the server's URL.
    path: str
    #: The default 经办人 the audit log records (from the settings); a server store records its database role.
    actor: str
    #: The store may only be viewed (the file, or its folder, cannot be written).
    read_only: bool = False
    #: This connection may save cases: a file, whoever opens it; a server, a role whose part is assessor or admin
    #: (as it was when the project was opened).
    saves_cases: bool = True

    # projects and households
    @abc.abstractmethod
    def create_project(self, name: str, *, actor: str | None = None, only: bool = False) -> Project:
        """A new, empty project; with `only`, refused when the store holds one already (the app's projects are
        one to a file or database)."""

    @abc.abstractmethod
    def projects(self) -> list[Project]:
        """Every project, oldest first."""

    @abc.abstractmethod
    def add_household(self, project_id: int, number: str, head: str = "", address: str = "", *,
                      actor: str | None = None, result: CompensationResult | None = None) -> Household:
        """Register a household (户号 unique within the project) as a draft with no case yet; with `result`, in
        the same change its first computed version, as `save_computed` would save it (an import's new household)."""

    @abc.abstractmethod
    def update_household(self, household_id: int, number: str, head: str, address: str, *,
                         actor: str | None = None) -> Household:
        """Correct the register entry (户号, 户主, 地址) of a household that has no version yet."""

    @abc.abstractmethod
    def household(self, household_id: int) -> Household:
        """One household; StoreError when there is none."""

    @abc.abstractmethod
    def find_household(self, project_id: int, number: str) -> Household | None:
        """The household with this 户号 in the project, if any."""

    # versions
    @abc.abstractmethod
    def save_draft(self, household_id: int, case: Case, *, actor: str | None = None,
                   base_version_id: int | None = ANY_VERSION, base_saved_at: str | None = None) -> CaseVersion:
        """A new uncomputed version (status 草稿); refused on a signed or paid household.

        With `base_version_id` (the version the case was opened at, None: none yet; `base_saved_at`: when it was
        saved), refused with a ConflictError when another version was saved since — checked in the transaction that
        writes."""

    @abc.abstractmethod
    def save_computed(self, household_id: int, result: CompensationResult, *, actor: str | None = None,
                      amendment_reason: str | None = None, base_version_id: int | None = ANY_VERSION,
                      base_saved_at: str | None = None) -> CaseVersion:
        """A new computed version (status 已测算); on a locked household only as a reasoned amendment."""

    @abc.abstractmethod
    def versions(self, household_id: int) -> list[CaseVersion]:
        """Every version of the household's case, oldest first."""

    @abc.abstractmethod
    def version(self, household_id: int, number: int) -> CaseVersion:
        """Version `number` (1, 2, …) of the household's case."""

    def current_version(self, household_id: int) -> CaseVersion | None:
        """The latest version, None when nothing was saved yet."""
        versions = self.versions(household_id)
        return versions[-1] if versions else None

    @abc.abstractmethod
    def find_by_fingerprint(self, fingerprint: str) -> list[SheetMatch]:
        """The stored versions a printed sheet's fingerprint belongs to."""

    # status
    @abc.abstractmethod
    def sign(self, household_id: int, *, actor: str | None = None, fingerprint: str | None = None,
             version: int | None = None) -> Household:
        """已测算 → 已签字, locking the current version; a given sheet fingerprint must match it, and a given version
        number (signing without the sheet's code, the version the user was shown) must be it."""

    @abc.abstractmethod
    def pay(self, household_ids: Iterable[int], *, batch: str, actor: str | None = None,
            amounts: Mapping[int, Decimal] | None = None) -> list[Household]:
        """已签字 → 已支付 for a payment batch, all or none; with `amounts` (by household id), only while each household's
        signed amount is still the one given (checked under the change's lock)."""

    # checks
    @abc.abstractmethod
    def check_household(self, household_id: int, *, recompute: bool = False) -> Household:
        """The household, if its stored data is what the program wrote; AbnormalData (audited) otherwise.

        With `recompute`, its current and signed versions are also recomputed by the engine."""

    @abc.abstractmethod
    def recheck(self, household_id: int, reason: str, *, actor: str | None = None) -> Household:
        """End a 数据异常 finding that stands, when the household's data is sound now (checked and recomputed; an admin
        on a server): recorded with `reason`, as data repaired since. AbnormalData when it is not; StoreError when no
        finding stands or the reason is blank. A paid household's finding stood for good (it is never changed, and a
        restore keeps it)."""

    @abc.abstractmethod
    def check_in_background(self, on_done: Callable[[], None]) -> BackgroundCheck | None:
        """Start the check of every household in a worker (None: the verdicts are current); `on_done` is
        called from another thread when it ends, and the returned check's `adopt()` then takes its verdicts."""

    @abc.abstractmethod
    def changed_elsewhere(self) -> bool:
        """True when another connection (another user, another program) has committed a change since the last
        call, or since the store was opened; this store's own changes do not count. Cheap enough to ask twice
        a second."""

    def only_copy(self) -> bool:
        """True while what the project holds is nowhere but in this open store (its file deleted while open, and not
        yet backed up): closing it loses everything. A server's project never is."""
        return False

    @abc.abstractmethod
    def verify_all(self) -> list[Anomaly]:
        """Every household whose data fails the checks, each version recomputed by the engine (audited)."""

    # audit and ledger
    @abc.abstractmethod
    def last_change(self) -> str:
        """When the last recorded change was made ("" before any): what a restore would drop since its backup."""

    @abc.abstractmethod
    def audit_log(self, *, project_id: int | None = None, household_id: int | None = None) -> list[AuditEntry]:
        """Every recorded change, oldest first, optionally for one project or household."""

    # Every ledger read below first checks the project (the 数据异常 verdicts) unless its verdicts are those
    # of the data as it is now. With `check_first=False`, a large project whose check is due is read at
    # once, with the verdicts found so far: its rows then say `checked=False`, its totals are None, and
    # `check_in_background` runs the check.
    @abc.abstractmethod
    def ledger(self, project_id: int, *, status: Status | str | None = None, text: str = "",
               sort: str = "number", descending: bool = False, limit: int | None = None,
               offset: int = 0, after: int | None = None, workbook: bool = True,
               check_first: bool = True) -> list[LedgerRow]:
        """The 台账: filtered by status and text (户号, 户主, 地址), sorted by a column, one page — from
        `offset`, or by key after household `after`; `workbook`: with the workbook's columns."""

    @abc.abstractmethod
    def ledger_count(self, project_id: int, *, status: Status | str | None = None, text: str = "",
                     check_first: bool = True) -> int:
        """How many ledger rows the filter gives (for paging)."""

    def ledger_summary(self, project_id: int, *, status: Status | str | None = None, text: str = "",
                       check_first: bool = True) -> LedgerTotals | None:
        """Totals over every row of the filter, not just one page (None: not checked yet)."""
        rows = self.ledger(project_id, status=status, text=text, check_first=check_first)
        return None if any(not row.checked for row in rows) else ledger_totals(rows)

    @abc.abstractmethod
    def deleted_households(self) -> list[LedgerRow]:
        """The households the audit log records that the store no longer holds (deleted behind the program's back: it
        deletes none), as 数据异常 rows with the 户号, 户主 and 地址 they were registered with."""

    @abc.abstractmethod
    def ledger_versions(self, project_id: int) -> list[tuple[LedgerRow, CaseVersion | None]]:
        """Every ledger row (workbook columns included) with the household's current version, all read at one
        moment; the version is None when there is none yet, and for a 数据异常 household (not to be counted)."""

    # whole-file operations
    @abc.abstractmethod
    def batch(self) -> contextlib.AbstractContextManager[None]:
        """Group several changes into one transaction: all are kept or none."""

    @abc.abstractmethod
    def backup(self, path: str) -> None:
        """A consistent copy of the whole store at `path`."""

    @abc.abstractmethod
    def restore_from(self, path: str, *, before_replacing: Callable[[], None] | None = None) -> None:
        """Replace the store's contents with a checked backup; `before_replacing` (the caller's safety copy) runs
        once the backup has passed every check, so a refused restore writes nothing."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the store."""

    def __enter__(self) -> "CaseStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
