"""calculator.app.stored_cases without Qt: a household's case opened from the project, saved back as a new
version (computed, or a draft while it has errors), amended only with a reason once signed, never once
paid, never over a version saved meanwhile; what it prints, and what the app keeps to recover it.

The example household is 546,616.30 元; 砖木结构 24.60 → 30 m² at 700 adds 3,780.00 (550,396.30).
"""
from __future__ import annotations

import dataclasses
import sqlite3
from decimal import Decimal

import pytest

from calculator.core.money import fmt_grouped
from calculator.engine.case import case_from_json
from calculator.engine.compensation import compute
from calculator.core.errors import InputError
from calculator.formats.reports.content import Filing
from calculator.engine.schedules import load_schedule
from calculator.store import AbnormalData, ConflictError, RefusedByRule, SqliteStore, Status, StoreError
from calculator.app.stored_cases import (StoredCase, checked_result, filing, news, open_stored, printable, reattach,
                                     save_stored, where)
from households import EXAMPLE

SCHEDULE = load_schedule()
EXAMPLE_TOTAL = Decimal("546616.30")
MEASURED_AGAIN = Decimal("550396.30")  # + (30 − 24.60) × 700


@pytest.fixture
def household(store):
    """户号 017 with the example case saved as version 1 (已测算)."""
    project = store.create_project("堡子片区")
    entry = store.add_household(project.id, "017", "王建国", "堡子村东街17号")
    store.save_computed(entry.id, compute(case_from_json(EXAMPLE.read_text(encoding="utf-8"))))
    return store.household(entry.id)


def measured_again(stored_case):
    """The opened case with 附属平房/砖木结构 (line 2) measured again at 30 m²."""
    stored_case.items[1]["quantity"] = "30"
    return stored_case


def test_a_stored_household_opens_at_its_current_version_under_its_number(store, household):
    stored, case = open_stored(store, household.id, SCHEDULE.id)
    assert (stored.household.id, stored.version.number, stored.version_label, stored.label) == (
        household.id, 1, "第1版", "017 王建国")
    assert case.case_id == "017"  # the file said BZ-2023-0317: in a project the 户号 is the case number
    assert compute(case).total == EXAMPLE_TOTAL
    assert not stored.needs_reason and stored.lock_notice is None


def test_a_household_without_versions_opens_a_new_case_from_its_register_entry(store, household):
    other = store.add_household(household.project_id, "018", "李秀英", "堡子村东街18号")
    stored, case = open_stored(store, other.id, SCHEDULE.id)
    assert (stored.version, stored.version_label, stored.label) == (None, "尚无版本", "018 李秀英")
    assert (case.schedule, case.case_id, case.household, case.items) == (
        SCHEDULE.id, "018", {"head": "李秀英", "address": "堡子村东街18号"}, [])


@pytest.mark.backends("sqlite", "postgres")
def test_a_case_that_computes_is_saved_as_the_next_computed_version(store, household, me):
    stored, case = open_stored(store, household.id, SCHEDULE.id)
    saved = save_stored(stored, measured_again(case), SCHEDULE)
    first, second = store.versions(household.id)
    assert (saved.version.id, saved.version.number, saved.version_label) == (second.id, 2, "第2版")
    assert (second.total, second.actor, second.case().case_id) == (MEASURED_AGAIN, me, "017")
    assert first.total == EXAMPLE_TOTAL  # the earlier version stays as it was
    assert saved.household.status is store.household(household.id).status is Status.COMPUTED


def test_a_case_with_errors_is_kept_as_a_draft(store, household):
    stored, case = open_stored(store, household.id, SCHEDULE.id)
    case.items.append({"item": "菜窖/砖石", "quantity": "8"})  # no depth yet: the case does not compute
    saved = save_stored(stored, case, SCHEDULE)
    assert (saved.version.number, saved.version.result_json, saved.version.total) == (2, None, None)
    assert store.household(household.id).status is Status.DRAFT
    with pytest.raises(InputError, match="尚未保存测算结果"):  # a draft prints no sheet
        printable(saved)


def test_a_signed_household_changes_only_by_an_amendment_with_a_reason(store, household):
    store.sign(household.id)
    stored, case = open_stored(store, household.id, SCHEDULE.id)
    assert stored.needs_reason
    assert stored.lock_notice == ("此户已签字(第1版),只能查看。如需更正,请点「更正…」填写理由后修改,"
                                  "保存为新版本(已测算),须重新签字。")
    with pytest.raises(RefusedByRule, match="已签字,不能修改;如需更正请填写更正理由"):
        save_stored(stored, measured_again(case), SCHEDULE)
    assert len(store.versions(household.id)) == 1
    save_stored(stored, case, SCHEDULE, amendment_reason="复核时发现厢房面积量错,重新丈量为30m²")
    first, second = store.versions(household.id)
    assert (second.total, second.amendment_reason, second.amends_version_id) == (
        MEASURED_AGAIN, "复核时发现厢房面积量错,重新丈量为30m²", first.id)
    assert store.household(household.id).status is Status.COMPUTED  # to be signed again


def test_a_signed_case_with_errors_is_refused_even_with_a_reason(store, household):
    store.sign(household.id)
    stored, case = open_stored(store, household.id, SCHEDULE.id)
    case.items.append({"item": "菜窖/砖石", "quantity": "8"})  # no depth: one input error
    with pytest.raises(StoreError, match="已签字的案例还有1处输入错误") as caught:
        save_stored(stored, case, SCHEDULE, amendment_reason="补录漏项")
    assert caught.value.where == "户号 017"
    assert len(store.versions(household.id)) == 1 and store.household(household.id).status is Status.SIGNED


def test_a_paid_household_is_never_amended(store, household):
    store.sign(household.id)
    store.pay([household.id], batch="第1批")
    stored, case = open_stored(store, household.id, SCHEDULE.id)
    assert stored.lock_notice == "此户已支付,只能查看,不能修改或更正。如发现差错,请按补差程序另行办理。"
    assert not stored.needs_reason  # not even an amendment
    with pytest.raises(RefusedByRule, match="此户已支付,不能再更正") as caught:
        save_stored(stored, measured_again(case), SCHEDULE, amendment_reason="补差")
    assert caught.value.where == "户号 017" and len(store.versions(household.id)) == 1


def test_a_version_saved_meanwhile_is_never_silently_replaced(store, household):
    stored, case = open_stored(store, household.id, SCHEDULE.id)
    with SqliteStore(store.path, actor="王芳") as other:  # a survey import, or another assessor
        survey_case = other.current_version(household.id).case()
        survey_case.items[0]["quantity"] = "90.00"
        other.save_computed(household.id, compute(survey_case))
    with pytest.raises(ConflictError) as caught:
        save_stored(stored, measured_again(case), SCHEDULE)
    at = store.current_version(household.id).created_at[:16].replace("T", " ")
    assert (caught.value.zh, caught.value.where) == (
        f"台账中此户已有打开后新存的第2版(经办人 王芳,{at}),未保存;请另存为文件,重新打开此户核对后再改", "户号 017")
    assert [v.actor for v in store.versions(household.id)] == ["李明", "王芳"]


def test_news_names_who_changed_the_household_since_it_was_opened(store, household):
    stored, _case = open_stored(store, household.id, SCHEDULE.id)
    assert news(stored) is None
    with SqliteStore(store.path, actor="王芳") as other:
        other.sign(household.id)
    at = store.audit_log(household_id=household.id)[-1].at[:16].replace("T", " ")
    said = f"户号 017 王建国 已由 王芳 于 {at} 改为「已签字」,此处的修改可能不能保存到台账;请从台账重新打开此户核对。"
    assert news(stored) == said
    from test_store_integrity import sql   # damaged, found by 张伟's program, repaired and re-checked by 张伟: 王芳 signed
    edit = "UPDATE case_versions SET total = ? WHERE number = 1"
    total = store.current_version(household.id).total
    sql(store, edit, "1.00")
    with SqliteStore(store.path, actor="张伟") as third:
        with pytest.raises(AbnormalData):
            third.check_household(household.id)
        sql(store, edit, str(total))
        third.recheck(household.id, "已按备份修复")
    assert [e.action for e in store.audit_log(household_id=household.id)][-2:] == ["abnormal", "recheck"]
    assert news(stored) == said
    signed, _case = open_stored(store, household.id, SCHEDULE.id)
    with SqliteStore(store.path, actor="王芳") as other:
        amended = other.current_version(household.id).case()
        amended.items[0]["quantity"] = "90.00"
        other.save_computed(household.id, compute(amended), amendment_reason="复核")
    at = store.current_version(household.id).created_at[:16].replace("T", " ")
    assert news(signed) == (f"户号 017 王建国 已由 王芳 于 {at} 保存为第2版(现为「已测算」),您打开的是之前的版本,"
                            "此处的修改将不能保存到台账。请先用「另存为」把修改存成文件,再从台账重新打开此户核对。")


def test_the_printed_sheet_is_the_checked_stored_version_under_the_household_number(store, household):
    stored, _case = open_stored(store, household.id, SCHEDULE.id)
    assert printable(stored).total == EXAMPLE_TOTAL
    assert filing(store, "017", stored.version) == Filing("017", "2023-06-12")  # the case's own 测算日期
    undated = stored.version.case()
    undated.assessed_on = ""
    version = store.save_computed(household.id, compute(undated))
    assert filing(store, "017", version) == Filing("017", version.created_at[:10])  # else the day it was saved


@pytest.mark.backends("sqlite", "postgres")
def test_a_sheet_after_an_amendment_names_the_signed_sheet_it_replaces_and_why(store, household):
    """The family holds the signed sheet of 第1版; 第2版 (the amendment) and 第3版 (saved over it before signing) each
    say they replace it, with its 校验码 and the amendment's reason; 第1版's own sheet says nothing."""
    first = store.current_version(household.id)
    store.sign(household.id)
    case = first.case()
    case.items[0]["quantity"] = "90.00"
    second = store.save_computed(household.id, compute(case), amendment_reason="正房复测面积为90㎡")
    case.items[0]["quantity"] = "91.00"
    third = store.save_computed(household.id, compute(case))
    says = ("本单为第{}版,更正已签字的第1版(合计 546,616.30 元,校验码 " + first.fingerprint
            + "),以本单为准。更正理由:正房复测面积为90㎡")
    assert [filing(store, "017", v).superseded for v in (first, second, third)] == ["", says.format(2), says.format(3)]
    store.sign(household.id)   # 第3版 signed, then amended: 第4版 replaces 第3版
    case.items[0]["quantity"] = "92.00"
    fourth = store.save_computed(household.id, compute(case), amendment_reason="再次复核")
    assert filing(store, "017", fourth).superseded == (f"本单为第4版,更正已签字的第3版(合计 {fmt_grouped(third.total)} 元,"
                                                       f"校验码 {third.fingerprint}),"
                                                       "以本单为准。更正理由:再次复核")


@pytest.mark.parametrize("change, says", [
    ({"schedule_version": "baozi-2023.0"}, "保存时的补偿标准版本(baozi-2023.0)与现行版本(baozi-2023.1)不同,须重新测算"),
    ({"fingerprint": "000000000000"}, "重新测算的校验码与保存的校验码不符,须重新测算"),
    ({"total": Decimal("546616.31")}, "重新测算的金额 546,616.30 与保存的 546,616.31 不符,须重新测算"),
], ids=["another schedule version", "another fingerprint", "another total"])
def test_a_stored_version_prints_only_if_it_recomputes_to_itself(store, household, change, says):
    version = store.current_version(household.id)
    assert checked_result(version).total == EXAMPLE_TOTAL
    with pytest.raises(InputError) as caught:
        checked_result(dataclasses.replace(version, **change))
    assert caught.value.zh == says


def test_where_a_case_belongs_survives_a_crash_and_finds_its_household_again(store, household):
    stored, _case = open_stored(store, household.id, SCHEDULE.id)
    place = where(stored)
    assert place == {"project": str(store.path), "household_id": household.id, "number": "017",
                     "version_id": stored.version.id, "fingerprint": stored.version.fingerprint}
    again = reattach(store, place)
    assert (again.household.id, again.version.id, again.version.number) == (household.id, stored.version.id, 1)
    older = {key: place[key] for key in ("project", "household_id", "version_id")}   # a record of an earlier version
    assert reattach(store, {**older, "version_id": 999}).version is None  # a version no longer there: a save conflicts
    with pytest.raises(StoreError, match="已不是打开时的那一户或那一版"):
        reattach(store, {**place, "version_id": 999})
    with pytest.raises(StoreError, match="没有编号为 999 的住户"):
        reattach(store, {**place, "household_id": 999})


def test_a_household_opened_before_its_first_version_is_found_by_its_number(store, household):
    """Opened with no version yet, it has no 校验码 to be known by: its 户号 is checked (a corrected one refused, the
    edits kept as an unsaved case); opened at a version, the 校验码 alone, whatever the 户号."""
    entry = store.add_household(household.project_id, "018", "李秀英")
    stored, _case = open_stored(store, entry.id, SCHEDULE.id)
    place = where(stored)
    assert (place["number"], place["fingerprint"]) == ("018", None) and reattach(store, place).version is None
    store.update_household(entry.id, "019", "李秀英", "")
    with pytest.raises(StoreError, match="户号 019"):
        reattach(store, place)
    opened, _case = open_stored(store, household.id, SCHEDULE.id)
    assert reattach(store, {**where(opened), "number": "999"}).version.number == 1


@pytest.mark.backends("sqlite")
def test_a_recovered_case_is_not_tied_to_another_projects_household_at_the_same_rows(store, household, tmp_path):
    """Another project put at the path after a crash: its 001 赵六 had the same row ids, took 王建国's recovered case, and
    said 已保存 第3版 over 赵六's. Rows alone do not say it is the household the case was opened from."""
    stored, _case = open_stored(store, household.id, SCHEDULE.id)
    other = SqliteStore(tmp_path / "另一项目.landcomp", actor="张会计")
    entry = other.add_household(other.create_project("另一项目").id, "017", "赵六")
    case = case_from_json(EXAMPLE.read_text(encoding="utf-8"))
    case.household["head"] = "赵六"
    other.save_computed(entry.id, compute(case))
    assert (entry.id, other.current_version(entry.id).id) == (household.id, stored.version.id)   # the same rows
    with pytest.raises(StoreError, match="项目文件可能已被替换"):
        reattach(other, where(stored))
    other.close()


def test_a_locked_project_file_is_the_stores_error_and_nothing_is_saved(store, household):
    stored, case = open_stored(store, household.id, SCHEDULE.id)
    blocker = sqlite3.connect(store.path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    store._conn.execute("PRAGMA busy_timeout = 0")
    try:
        with pytest.raises(StoreError, match="项目文件读写失败"):
            save_stored(stored, measured_again(case), SCHEDULE)
    finally:
        blocker.rollback()
        blocker.close()
    assert [v.total for v in store.versions(household.id)] == [EXAMPLE_TOTAL]
    assert isinstance(save_stored(stored, case, SCHEDULE), StoredCase)
    assert [v.total for v in store.versions(household.id)] == [EXAMPLE_TOTAL, MEASURED_AGAIN]
