"""A household's case opened from the project store and saved back to it as a new version.

Saving never overwrites: a case that computes cleanly becomes a computed version (已测算), one
with input errors a draft (草稿). A signed or paid household changes only by an amendment
with a written reason, and a draft is never allowed there.

Case number. In a project the 户号 is the case number: a case opened from the store shows it, and
every version saved from now on carries it as its `case_id` (a different one typed before is
replaced — the project, not the form, numbers its households). Versions saved before hold what they
held, since their fingerprints cover it; so a stored version is printed as saved (its own
fingerprint) under its household's 户号 and its 测算日期 — the case's, else the day the version was
saved (`filing`). The sheet printed from 补偿测算 and the batch sheet are the same sheet.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable

from calculator.engine.case import Case, canonical_json, case_from_json, fingerprint
from calculator.engine.compensation import CompensationResult, evaluate
from calculator.core.errors import InputError
from calculator.core.labels import short_time
from calculator.core.money import fmt_grouped
from calculator.formats.reports.content import Filing
from calculator.engine.schedules import load_schedule
from calculator.core.idcard import compact
from calculator.store.base import (CaseStore, CaseVersion, Household, LedgerRow, RefusedByRule, Status, StoreError,
                                   conflict_error)
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
    def lock_notice(self) -> str | None:
        """Why a case opens read-only (signed, paid, or a server role that does not save cases), and what can be
        done (None: it may be edited)."""
        if not self.store.saves_cases:   # a reviewer edited a case with no sign that it could not be saved
            return (f"只能查看:所用数据库角色不能保存测算(保存与更正由评估人员或管理员角色进行)。此户现为"
                    f"{self.household.status.label},{self.version_label}。")
        if self.household.status is Status.SIGNED:
            return (f"此户已签字({self.version_label}),只能查看。如需更正,请点「更正…」填写理由后修改,"
                    "保存为新版本(已测算),须重新签字。")
        if self.household.status is Status.PAID:
            return "此户已支付,只能查看,不能修改或更正。如发现差错,请按补差程序另行办理。"
        return None

    @property
    def label(self) -> str:
        """户号 and 户主 as the window title shows them."""
        return f"{self.household.number} {self.household.head}".strip()

    @property
    def version_label(self) -> str:
        return f"第{self.version.number}版" if self.version is not None else "尚无版本"


def open_stored(store: CaseStore, household_id: int, schedule_id: str) -> tuple[StoredCase, Case]:
    """The household's current case (or a new one carrying its 户主 and 地址 when nothing was saved yet);
    refused for a household whose stored data is abnormal (数据异常)."""
    household = store.check_household(household_id)
    version = store.current_version(household_id)
    if version is not None:
        case = case_from_json(version.case_json)
    else:
        case = Case(schedule=schedule_id, household={"head": household.head, "address": household.address})
    return StoredCase(store, household, version), numbered(case, household.number)


def numbered(case: Case, number: str) -> Case:
    """The case carrying its household's 户号 as its case number."""
    return case if case.case_id == number else dataclasses.replace(case, case_id=number)


def other_household(case: Case, household: Household) -> str:
    """What of a case file names another household than `household` (its 案件编号, its 户主), as a sentence; "" when
    nothing does. Put into the household, the file's 户主 replaces the registered one when it is saved."""
    differs = [f"{label}「{given}」" for label, given, registered in (
        ("案件编号", case.case_id, household.number), ("户主", case.household.get("head", ""), household.head))
        if given and registered and given.strip() != registered]
    return f"文件中的{'、'.join(differs)}与此户不同;填入后以此户的户号保存,户主按文件改登记。" if differs else ""


def replaced_by_file(stored: StoredCase, case: Case) -> str:
    """What of the household's version a case file put into it would replace, as a sentence; "" when the household
    has no version yet or the file holds that version as it is. A colleague's version, the file saved (另存为) from
    the one before it: its changes were replaced line for line, with nothing said."""
    version, number = stored.version, stored.household.number
    if version is None or canonical_json(numbered(case, number)) == canonical_json(numbered(version.case(), number)):
        return ""
    total = "" if version.total is None else f",合计 {fmt_grouped(version.total)} 元"
    return (f"台账中此户的第{version.number}版由 {version.actor or '他人'} 于 {short_time(version.created_at)} 保存{total},"
            f"与文件不同;填入后以文件为准,第{version.number}版中文件没有的修改将被替换,请先核对。")


def filing(store: CaseStore, number: str, version: CaseVersion) -> Filing:
    """How a stored version is printed: 案件编号 the 户号; 测算日期 the case's, else the (local) day it was saved; and,
    for a version made after a signed one was amended, which signed sheet it replaces and why (`replaced_sheet`)."""
    return Filing(number, version.case().assessed_on or version.created_at[:10], replaced_sheet(store, version))


def replaced_sheet(store: CaseStore, version: CaseVersion) -> str:
    """What a version's sheet says of the signed sheet it replaces: the household holds a signed sheet of an
    earlier version, with another total and 校验码, and must be told this one takes its place. The signed version
    is the one the latest amendment up to `version` amended (a version saved after an amendment replaces it too);
    "" when none was."""
    if version.number == 1:   # the first version replaces nothing
        return ""
    versions = [v for v in store.versions(version.household_id) if v.number <= version.number]
    amendment = next((v for v in reversed(versions) if v.amends_version_id is not None), None)
    if amendment is None:
        return ""
    signed = next((v for v in versions if v.id == amendment.amends_version_id), None)
    if signed is None:   # an amendment of no earlier version of this household: no data the program writes (数据异常)
        return ""
    return (f"本单为第{version.number}版,更正已签字的第{signed.number}版(合计 {fmt_grouped(signed.total)} 元,校验码 "
            f"{signed.fingerprint}),以本单为准。"
            f"更正理由:{amendment.amendment_reason}")


def checked_result(version: CaseVersion) -> CompensationResult:
    """The stored case recomputed under the loaded schedule, refused unless it is the stored version's result."""
    case = version.case()
    schedule = load_schedule(case.schedule)
    if version.schedule_version != schedule.version:
        raise InputError(f"保存时的补偿标准版本({version.schedule_version})与现行版本({schedule.version})"
                         "不同,须重新测算",
                         f"saved under schedule {version.schedule_version}, the loaded one is {schedule.version}; "
                         "recompute the case first")
    result = evaluate(case, schedule)
    if result.problems:
        first = result.problems[0]
        raise InputError(f"重新测算有 {len(result.problems)} 处错误({first.zh})",
                         f"recomputing gives {len(result.problems)} error(s) ({first.en})")
    if fingerprint(case, schedule.version) != version.fingerprint:
        raise InputError("重新测算的校验码与保存的校验码不符,须重新测算",
                         "the recomputed fingerprint is not the stored one; recompute the case first")
    if version.total is not None and result.total != version.total:
        raise InputError(f"重新测算的金额 {fmt_grouped(result.total)} 与保存的 {fmt_grouped(version.total)} "
                         "不符,须重新测算",
                         f"the recomputed total {result.total} is not the stored {version.total}; recompute first")
    return result


def printable(stored: StoredCase) -> CompensationResult:
    """The opened version's result, checked, as the batch prints it (with its `filing`)."""
    if stored.version is None or stored.version.result_json is None:
        raise InputError("此户尚未保存测算结果(草稿),不能打印结算单", "the household has no computed version to print")
    return checked_result(stored.version)


def superseded(stored: StoredCase) -> str | None:
    """Why the opened version is not to be printed: a newer one was saved since it was opened (its sheet's 校验码
    would be of a version the household no longer has); None while it is the current one."""
    household = stored.store.household(stored.household.id)
    if household.current_version_id == (stored.version.id if stored.version is not None else None):
        return None
    current = stored.store.current_version(household.id)
    newer = f"第{current.number}版(经办人 {current.actor or '未记录'})" if current is not None else "新的版本"
    return f"台账中此户已有打开后新存的{newer},这里显示的不是当前版本;请从台账重新打开此户后再打印或导出"


def where(stored: StoredCase) -> dict:
    """Where the case belongs, as plain data (for the crash-recovery file): the household's row and 户号, and the
    version it was opened at with its 校验码 (rows alone found the same numbers in another project put at that path)."""
    version = stored.version
    return {"project": stored.store.path, "household_id": stored.household.id, "number": stored.household.number,
            "version_id": version.id if version is not None else None,
            "fingerprint": version.fingerprint if version is not None else None}


def news(stored: StoredCase) -> str | None:
    """What another user changed in the household since the case was opened (a newer version, or signed
    or paid meanwhile), naming who; None while it is as it was opened. The save would be refused; this
    says so before the user saves."""
    household = stored.store.household(stored.household.id)
    current = stored.store.current_version(household.id)
    opened = stored.version.id if stored.version is not None else None
    if (current.id if current is not None else None) == opened and household.status == stored.household.status:
        return None
    who = f"户号 {household.number} {household.head}".rstrip()
    if current is not None and current.id != opened:
        at = short_time(current.created_at)
        return (f"{who} 已由 {current.actor or '他人'} 于 {at} 保存为第{current.number}版"
                f"(现为「{household.status.label}」),您打开的是之前的版本,此处的修改将不能保存到台账。"
                "请先用「另存为」把修改存成文件,再从台账重新打开此户核对。")
    # who signed or paid it, and when: "他人" was said to the user who had just signed it in the 台账 (a finding or a
    # re-check recorded since is no such change)
    settled = [e for e in stored.store.audit_log(household_id=household.id) if e.action in ("sign", "pay")]
    by = f"已由 {settled[-1].actor} 于 {short_time(settled[-1].at)} " if settled else "已被"
    return f"{who} {by}改为「{household.status.label}」,此处的修改可能不能保存到台账;请从台账重新打开此户核对。"


def reattach(store: CaseStore, place: dict) -> StoredCase:
    """The household a recovered case belongs to, at the version it had been opened at (see `where`); StoreError when
    the project holds no such household at that version (another project at the path: its 001 赵六 took 王建国's case,
    已保存 第3版)."""
    household = store.household(int(place["household_id"]))
    version = next((v for v in store.versions(household.id) if v.id == place.get("version_id")), None)
    # the 校验码 of the version opened, else (a household opened before its first version) its 户号: a 户号 corrected
    # since then is refused too, the edits kept as an unsaved case; both absent from a record of an older program
    number, fingerprint = place.get("number"), place.get("fingerprint")
    if (fingerprint is not None and (version is None or version.fingerprint != fingerprint)) or (
            fingerprint is None and number is not None and number != household.number):
        raise StoreError(f"台账中的此户(户号 {household.number})已不是打开时的那一户或那一版:项目文件可能已被替换",
                         f"the ledger's household (number {household.number}) is not the one, or not at the version, "
                         "the case was opened at: the project file may have been replaced", file=store.path)
    return StoredCase(store, household, version)


def checked(stored: StoredCase, case: Case, schedule: Schedule) -> tuple[StoredCase, CompensationResult]:
    """The household as the store has it now, and the case's result, if `case` may be saved over it.

    Refused when the household has gained a version since the case was opened (a survey import, or
    another assessor: a save never silently replaces work it has not seen), when it is paid, and
    when it is signed and the case does not compute. Asked before the amendment reason, so that
    question is never put for nothing; `save_stored` has the store check the version again in the
    transaction that writes, so of two saves from the same version only the first lands. The case is
    saved carrying the household's 户号 as its case number."""
    store = stored.store
    household = store.household(stored.household.id)
    opened = stored.version.id if stored.version is not None else None
    where = f"户号 {household.number}"
    if household.current_version_id != opened:
        raise conflict_error(household, store.current_version(household.id))
    result = evaluate(numbered(case, household.number), schedule)
    if household.status is Status.PAID:
        raise RefusedByRule("此户已支付,不能再更正;如发现差错,请按补差程序另行办理",
                         "the household is paid; it cannot be amended", where)
    if result.problems and household.status.locked:
        raise StoreError(f"已签字的案例还有{len(result.problems)}处输入错误,修正后才能保存更正",
                         f"a signed case can be amended only once its {len(result.problems)} input error(s) are fixed",
                         where)
    if household.status is Status.SIGNED and stored.version is not None \
            and fingerprint(result.case, schedule.version) == stored.version.fingerprint:
        # an amendment changing nothing: saved, it set the household back to 已测算, its signature lost for nothing
        raise RefusedByRule(f"更正与已签字的第{stored.version.number}版相同(校验码 {stored.version.fingerprint}),"
                            "未保存;签字仍然有效",
                            f"the amendment is the signed version {stored.version.number} unchanged; nothing saved, "
                            "the signature stands", where)
    return StoredCase(store, household, stored.version), result


def save_stored(stored: StoredCase, case: Case, schedule: Schedule, amendment_reason: str | None = None) -> StoredCase:
    """Save `case` as the household's next version (computed, or a draft while it has errors); returns where it lives."""
    now, result = checked(stored, case, schedule)
    store, household_id = now.store, now.household.id
    base, saved_at = (stored.version.id, stored.version.created_at) if stored.version is not None else (None, None)
    if not result.problems:
        version = store.save_computed(household_id, result, amendment_reason=amendment_reason,
                                      base_version_id=base, base_saved_at=saved_at)
    else:
        version = store.save_draft(household_id, result.case, base_version_id=base, base_saved_at=saved_at)
    return StoredCase(store, store.household(household_id), version)


def id_number_index(rows: Iterable[LedgerRow]) -> dict[str, list[LedgerRow]]:
    """Ledger rows by the 户主身份证号 (compacted) their current cases give; a row without one is left out."""
    index: dict[str, list[LedgerRow]] = {}
    for row in rows:
        if compact(row.id_number):
            index.setdefault(compact(row.id_number), []).append(row)
    return index


def sharing(index: dict[str, list[LedgerRow]], id_number: str, number: str) -> list[LedgerRow]:
    """The households of `index` (id_number_index) whose cases give `id_number`, but for 户号 `number` itself (1 and
    0001, A01 and a01 being one number), printable: one family registered twice is paid twice. Said, never refused: one person
    may own two houses."""
    from calculator.app.survey.values import number_key   # the survey package imports this module
    key = number_key(number)
    return [row.printable() for row in index.get(compact(id_number), ()) if number_key(row.number) != key]


def same_id_number(store: CaseStore, project_id: int, id_number: str, number: str) -> list[LedgerRow]:
    """The project's households other than 户号 `number` whose current cases give `id_number` (`sharing`): asked
    before a case is saved, so that a refusal leaves nothing written. It reads every current case's 身份证号."""
    return sharing(id_number_index(store.ledger(project_id)), id_number, number)


def id_number_new(before: CaseVersion | None, case: Case) -> bool:
    """Whether `case` gives a 户主身份证号 its household's version `before` did not (None: no version yet)."""
    given = compact(case.household.get("id_number", ""))
    held = compact(before.case().household.get("id_number", "")) if before is not None else ""
    return bool(given) and given != held


def same_id_text(others: list[LedgerRow]) -> tuple[str, str]:
    """What saving or importing a case says of the households `sharing` found: (Chinese, English)."""
    shown = "、".join(f"{row.number}({row.head})" for row in others)
    return (f"户主身份证号 {compact(others[0].id_number)} 也登记在户号 {shown} 下,请核对是否同一户重复登记",
            f"the head's id number is also given for household {', '.join(row.number for row in others)}: check "
            "that the household is not registered twice")
