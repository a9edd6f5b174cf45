"""A household's case opened from the project store and saved back to it as a new version.

Saving never overwrites: a case that computes cleanly becomes a computed version (已测算), one
with input errors a draft (草稿). A signed or paid household changes only by an amendment
with a written reason, and a draft is never allowed there.
"""
from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from typing import Iterator

from calculator.case import Case, case_from_json
from calculator.compensation import CompensationResult, evaluate
from calculator.store.base import CaseStore, CaseVersion, Household, Status, StoreError, conflict_error
from tables.schedule import Schedule


@dataclass(frozen=True)
class StoredCase:
    """Where an open case lives in the store: its household and the version it was opened at."""

    store: CaseStore
    household: Household
    version: CaseVersion | None

    @property
    def needs_reason(self) -> bool:
        """Signed: a change is an amendment with a written reason (a paid case is not changed at all)."""
        return self.household.status is Status.SIGNED

    @property
    def label(self) -> str:
        """户号 and 户主 as the window title shows them."""
        return f"{self.household.number} {self.household.head}".strip()

    @property
    def version_label(self) -> str:
        return f"第{self.version.number}版" if self.version is not None else "尚无版本"


@contextlib.contextmanager
def _file_errors() -> Iterator[None]:
    """A project file another program holds locked, or a disk error, as the store's own bilingual error."""
    try:
        yield
    except sqlite3.Error as error:
        raise StoreError(f"项目文件读写失败:{error}", f"the project file could not be read or written: {error}") from None


def open_stored(store: CaseStore, household_id: int, schedule_id: str) -> tuple[StoredCase, Case]:
    """The household's current case (or a new one carrying its 户主 and 地址 when nothing was saved yet);
    refused for a household whose stored data is abnormal (数据异常)."""
    with _file_errors():
        household = store.check_household(household_id)
        version = store.current_version(household_id)
    if version is not None:
        case = case_from_json(version.case_json)
    else:
        case = Case(schedule=schedule_id, household={"head": household.head, "address": household.address})
    return StoredCase(store, household, version), case


def where(stored: StoredCase) -> dict:
    """Where the case belongs, as plain data (for the crash-recovery file)."""
    return {"project": str(getattr(stored.store, "path", "")), "household_id": stored.household.id,
            "version_id": stored.version.id if stored.version is not None else None}


def reattach(store: CaseStore, place: dict) -> StoredCase:
    """The household a recovered case belongs to, at the version it had been opened at (see `where`)."""
    with _file_errors():
        household = store.household(int(place["household_id"]))
        version = next((v for v in store.versions(household.id) if v.id == place.get("version_id")), None)
    return StoredCase(store, household, version)


def checked(stored: StoredCase, case: Case, schedule: Schedule) -> tuple[StoredCase, CompensationResult]:
    """The household as the store has it now, and the case's result, if `case` may be saved over it.

    Refused when the household has gained a version since the case was opened (a survey import, or
    another assessor: a save never silently replaces work it has not seen), when it is paid, and
    when it is signed and the case does not compute. Asked before the amendment reason, so that
    question is never put for nothing; `save_stored` has the store check the version again in the
    transaction that writes, so of two saves from the same version only the first lands."""
    result = evaluate(case, schedule)
    with _file_errors():
        store = stored.store
        household = store.household(stored.household.id)
        opened = stored.version.id if stored.version is not None else None
        where = f"户号 {household.number}"
        if household.current_version_id != opened:
            raise conflict_error(household, store.current_version(household.id))
    if household.status is Status.PAID:
        raise StoreError("此户已支付,不能再更正;如发现差错,请按补差程序另行办理",
                         "the household is paid; it cannot be amended", where)
    if result.problems and household.status.locked:
        raise StoreError(f"已签字的案例还有{len(result.problems)}处输入错误,修正后才能保存更正",
                         f"a signed case can be amended only once its {len(result.problems)} input error(s) are fixed",
                         where)
    return StoredCase(store, household, stored.version), result


def save_stored(stored: StoredCase, case: Case, schedule: Schedule, amendment_reason: str | None = None) -> StoredCase:
    """Save `case` as the household's next version (computed, or a draft while it has errors); returns where it lives."""
    now, result = checked(stored, case, schedule)
    store, household_id = now.store, now.household.id
    base = stored.version.id if stored.version is not None else None
    with _file_errors():
        if not result.problems:
            version = store.save_computed(household_id, result, amendment_reason=amendment_reason,
                                          base_version_id=base)
        else:
            version = store.save_draft(household_id, case, base_version_id=base)
        return StoredCase(store, store.household(household_id), version)
