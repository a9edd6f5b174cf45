"""The project store: versions, locking, status, audit, fingerprints, ledger, backup, damaged files."""
from __future__ import annotations

import dataclasses
import itertools
import json
import sqlite3
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.app.ledger_actions import describe_match
from calculator.engine.case import case_from_dict, case_from_json, case_to_dict, fingerprint
from calculator.core.jsonfile import parse_json
from calculator.engine.compensation import compute
from calculator.core.errors import InputError
from calculator.engine.results import compensation_json
from calculator.store import (RefusedByRule, SCHEMA_VERSION, SqliteStore, Status, StoreError, WrongFingerprint,
                              ledger_totals)
from households import EXAMPLE, HEADS, variant

pytestmark = pytest.mark.backends("sqlite", "postgres")


@pytest.fixture
def project(store):
    return store.create_project("堡子片区")


def add(store, project, index=0, **kwargs):
    """A household registered and its variant case saved as computed; returns (household, version, result)."""
    case = variant(index)
    household = store.add_household(project.id, f"{index + 1:04d}", case.household["head"])
    result = compute(case)
    return household, store.save_computed(household.id, result, **kwargs), result


# -- the file --------------------------------------------------------------------------------

@pytest.mark.backends("sqlite")  # the file's own format; the server's is in test_store_postgres
def test_a_new_file_is_at_the_latest_schema_in_wal_with_strict_tables(store, tmp_path):
    raw = sqlite3.connect(tmp_path / "project.landcomp")
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = raw.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table'").fetchall()
    assert {name for name, _ in tables} == {"projects", "households", "case_versions", "audit"}
    assert all(sql.rstrip().endswith("STRICT") for _, sql in tables)
    raw.close()
    assert store._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


@pytest.mark.backends("sqlite")  # read with sqlite3; the server's columns are checked in test_store_postgres
def test_money_is_stored_as_decimal_text_never_real(store, project, tmp_path):
    add(store, project)
    raw = sqlite3.connect(tmp_path / "project.landcomp")
    types = raw.execute("SELECT typeof(total), typeof(incentive), typeof(replacement_m2), typeof(building_area_m2)"
                        " FROM case_versions").fetchone()
    assert types == ("text",) * 4
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute("UPDATE case_versions SET total = 'about 5000'")
    raw.close()


# -- versions --------------------------------------------------------------------------------

def test_a_saved_version_round_trips_the_case_and_the_engine_result(store, project, me):
    household, version, result = add(store, project)
    case = case_from_json(EXAMPLE.read_text(encoding="utf-8"))
    assert version.number == 1
    assert version.result() == compensation_json(compute(case))
    assert case_to_dict(version.case()) == case_to_dict(case)
    assert version.total == result.total == Decimal("546616.30")
    assert version.incentive == result.relocation.incentive
    assert version.replacement_m2 == result.replacement.total_m2
    assert version.building_area_m2 == Decimal("153.00")
    assert version.schedule_version == result.schedule.version
    assert version.fingerprint == fingerprint(case, result.schedule.version) == version.result()["fingerprint"]
    assert version.actor == me and version.assessor == "李明" and version.created_at
    assert store.household(household.id).status is Status.COMPUTED
    assert store.current_version(household.id) == version == store.version(household.id, 1)


def test_a_stored_case_is_the_text_its_printed_fingerprint_certifies(store, project):
    """Anyone holding the project can check a sheet's 校验码: SHA-256 of the stored case text, a newline and
    the schedule version, without the program."""
    import hashlib
    _, version, _ = add(store, project)
    text = version.case_json
    assert "\n" not in text and text == json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True,
                                                     separators=(",", ":"))
    assert hashlib.sha256(f"{text}\n{version.schedule_version}".encode()).hexdigest()[:12] == version.fingerprint
    assert version.fingerprint == fingerprint(version.case(), version.schedule_version)


def test_every_save_is_a_new_version_and_the_household_follows_the_survey(store, project):
    household = store.add_household(project.id, "0007")
    draft = store.save_draft(household.id, variant(1))
    assert draft.result() is None and draft.total is None and draft.fingerprint is None
    assert store.household(household.id).status is Status.DRAFT
    computed = store.save_computed(household.id, compute(variant(1)))
    recomputed = store.save_computed(household.id, compute(variant(2)))
    assert [v.number for v in store.versions(household.id)] == [1, 2, 3]
    assert store.current_version(household.id) == recomputed != computed
    assert store.household(household.id).head == HEADS[2]


def test_a_household_added_with_its_result_is_stored_as_if_added_and_then_saved(store, project, me):
    """An import adds a new household with its first computed version in one change: the same household,
    version and audit entries as registering it and then saving the result, and the household checks clean."""
    result = compute(variant(3))
    one_by_one = store.add_household(project.id, "0001", "登记户主", "登记地址")
    saved = store.save_computed(one_by_one.id, result)
    at_once = store.add_household(project.id, "0002", "登记户主", "登记地址", result=result)
    assert at_once.status is Status.COMPUTED and at_once.current_version_id is not None
    assert (at_once.head, at_once.address) == (variant(3).household["head"], variant(3).household["address"])
    version = store.current_version(at_once.id)
    same = ("number", "case_json", "result_json", "schedule_version", "total", "incentive", "replacement_m2",
            "building_area_m2", "fingerprint", "assessor", "actor")
    assert [getattr(version, name) for name in same] == [getattr(saved, name) for name in same]
    assert version.total == result.total and version.number == 1

    def entries(household_id):
        return [(e.action, e.actor, {k: v for k, v in e.detail.items() if k != "number"})
                for e in store.audit_log(household_id=household_id)]
    assert entries(at_once.id) == entries(one_by_one.id)
    assert [e.action for e in store.audit_log(household_id=at_once.id)] == ["add_household", "save_computed"]
    assert store.check_household(at_once.id, recompute=True) == store.household(at_once.id)


def test_a_household_is_not_added_with_a_result_that_has_problems(store, project):
    from calculator.engine.compensation import evaluate
    from calculator.engine.schedules import load_schedule
    result = evaluate(case_from_dict({"items": [{"item": "没有这一项", "quantity": "1"}]}), load_schedule())
    assert result.problems
    with pytest.raises(StoreError, match="草稿"):
        store.add_household(project.id, "0001", result=result)
    assert store.find_household(project.id, "0001") is None
    assert [e.action for e in store.audit_log(project_id=project.id)] == ["create_project"]


# -- locking and amendment -------------------------------------------------------------------

def test_a_signed_case_is_locked(store, project):
    household, version, result = add(store, project)
    store.sign(household.id)
    with pytest.raises(StoreError, match="locked") as refused:
        store.save_computed(household.id, result)
    assert f"户号 {household.number} 已签字,不能修改" in refused.value.zh
    with pytest.raises(StoreError, match="locked"):
        store.save_draft(household.id, result.case)
    store.pay([household.id], batch="第1批")
    with pytest.raises(StoreError, match="已支付"):
        store.save_computed(household.id, result)
    assert [v.number for v in store.versions(household.id)] == [1]


@pytest.mark.parametrize("reason", ["", "   ", "\u3164", " \u2800\u3000"])
def test_an_amendment_needs_a_reason(store, project, reason):
    household, _, result = add(store, project)
    store.sign(household.id)
    with pytest.raises(StoreError, match="reason"):
        store.save_computed(household.id, result, amendment_reason=reason)
    assert store.household(household.id).status is Status.SIGNED


def test_an_amendment_is_a_new_version_and_the_signed_one_stays_readable(store, project):
    household, first, _ = add(store, project)
    store.sign(household.id)
    corrected = compute(variant(3))
    second = store.save_computed(household.id, corrected, amendment_reason="围墙长度复核更正")
    assert (second.number, second.amendment_reason, second.amends_version_id) == (2, "围墙长度复核更正", first.id)
    assert store.household(household.id).status is Status.COMPUTED
    assert store.version(household.id, 1) == first
    assert store.version(household.id, 1).result() == compensation_json(compute(variant(0)))
    assert store.version(household.id, 2).total == corrected.total
    store.sign(household.id, fingerprint=second.fingerprint)
    assert store.household(household.id).signed_version_id == second.id


def test_a_paid_case_cannot_be_amended_so_it_cannot_be_paid_twice(store, project):
    household, first, _ = add(store, project)
    store.sign(household.id)
    store.pay([household.id], batch="第1批")
    with pytest.raises(StoreError, match="已支付,不能再更正"):
        store.save_computed(household.id, compute(variant(4)), amendment_reason="审计发现面积错误")
    assert [v.number for v in store.versions(household.id)] == [1]
    assert store.household(household.id).status is Status.PAID


# -- status ----------------------------------------------------------------------------------

def test_status_moves_only_forward(store, project):
    household, _, _ = add(store, project)
    with pytest.raises(StoreError, match="paid"):
        store.pay([household.id], batch="第1批")  # 已测算 cannot skip 已签字
    store.sign(household.id)
    with pytest.raises(StoreError, match="此户已是「已签字」,无需再标记"):   # not: 不能从「已签字」改为「已签字」
        store.sign(household.id)
    store.pay([household.id], batch="第1批")
    with pytest.raises(StoreError, match="从「已支付」改为「已签字」"):
        store.sign(household.id)
    assert store.household(household.id).status is Status.PAID


def test_a_draft_cannot_be_signed(store, project):
    household = store.add_household(project.id, "0001")
    with pytest.raises(StoreError):
        store.sign(household.id)
    store.save_draft(household.id, variant(0))
    with pytest.raises(StoreError, match="computed version"):
        store.sign(household.id)


def test_signing_checks_the_sheet_fingerprint(store, project):
    household, version, _ = add(store, project)
    with pytest.raises(WrongFingerprint, match="fingerprint"):   # the one refusal the app asks again about
        store.sign(household.id, fingerprint="000000000000")
    assert store.household(household.id).status is Status.COMPUTED
    assert store.sign(household.id, fingerprint=version.fingerprint.upper()).status is Status.SIGNED


def test_signing_without_the_code_signs_only_the_version_named(store, project):
    household, _, _ = add(store, project)
    store.save_computed(household.id, compute(variant(5)))            # 第2版, saved while 第1版 was shown
    with pytest.raises(RefusedByRule, match="not the version 1 confirmed"):
        store.sign(household.id, version=1)
    assert store.household(household.id).status is Status.COMPUTED
    assert store.sign(household.id, version=2).status is Status.SIGNED


def test_a_batch_is_paid_only_at_the_amounts_confirmed(store, project):
    """Checked before the paying transaction, a household amended and signed again in between was paid at its new
    amount; checked by the batch's total alone, +X on one household and −X on another passed."""
    first, _, one = add(store, project, 0)
    second, _, two = add(store, project, 1)
    store.sign(first.id)
    store.sign(second.id)
    with pytest.raises(RefusedByRule, match="nothing of the batch marked paid"):
        store.pay([first.id, second.id], batch="第2批",
                  amounts={first.id: one.total + 100, second.id: two.total - 100})   # the same total
    assert {store.household(h).status for h in (first.id, second.id)} == {Status.SIGNED}
    paid = store.pay([first.id, second.id], batch="第2批", amounts={first.id: one.total, second.id: two.total})
    assert [h.status for h in paid] == [Status.PAID, Status.PAID]


def test_a_payment_batch_is_all_or_nothing(store, project):
    signed, _, _ = add(store, project, 0)
    unsigned, _, _ = add(store, project, 1)
    store.sign(signed.id)
    with pytest.raises(StoreError) as refused:
        store.pay([signed.id, unsigned.id], batch="第2批")
    assert refused.value.where == f"户号 {unsigned.number}"      # which of the batch held it up
    assert store.household(signed.id).status is Status.SIGNED
    assert [h.status for h in store.pay([signed.id], batch="第2批")] == [Status.PAID]


def test_ledger_rows_carry_the_workbooks_id_number_phone_signing_and_payment(store, project):
    """Read by the backend's own SQL (JSON in the case text, the sign and pay audit entries)."""
    paid, _, _ = add(store, project, 0)
    signed, _, _ = add(store, project, 1)
    store.sign(paid.id)
    store.sign(signed.id)
    store.pay([paid.id], batch="第3批")
    rows = {row.household_id: row for row in store.ledger(project.id)}
    case = store.current_version(paid.id).case()
    assert (rows[paid.id].id_number, rows[paid.id].phone) == (case.household["id_number"], case.household["phone"])
    assert rows[paid.id].paid_batch == "第3批" and rows[paid.id].paid_at and rows[paid.id].signed_at
    assert rows[signed.id].signed_at and (rows[signed.id].paid_batch, rows[signed.id].paid_at) == ("", "")
    assert all(dataclasses.replace(row) == row for row in rows.values())  # every field there, as __init__ sets them


def test_status_codes_and_labels():
    assert [s.label for s in Status] == ["草稿", "已测算", "已签字", "已支付", "数据异常"]  # the last never stored
    assert Status.parse("已签字") is Status.SIGNED is Status.parse("signed")
    with pytest.raises(StoreError):
        Status.parse("done")


# -- audit -----------------------------------------------------------------------------------

@pytest.mark.backends("sqlite")  # typed names; on a server the actor is the role (test_store_postgres)
def test_every_change_is_audited_with_its_actor(store, project):
    household, first, _ = add(store, project)
    store.sign(household.id, actor="王会计")
    second = store.save_computed(household.id, compute(variant(2)), actor="赵主任", amendment_reason="复核")
    store.sign(household.id)
    store.pay([household.id], batch="第1批", actor="王会计")
    log = store.audit_log(household_id=household.id)
    assert [(e.action, e.actor, e.version_id) for e in log] == [
        ("add_household", "李明", None), ("save_computed", "李明", first.id), ("sign", "王会计", first.id),
        ("amend", "赵主任", second.id), ("sign", "李明", second.id), ("pay", "王会计", second.id)]
    assert log[3].detail["reason"] == "复核" and log[3].detail["version"] == 2
    assert log[5].detail["batch"] == "第1批"
    assert all(e.at for e in log)
    assert store.audit_log(project_id=project.id)[0].action == "create_project"
    assert store.household(household.id).updated_by == "王会计"


def test_a_change_without_an_actor_is_refused(tmp_path):
    with SqliteStore(tmp_path / "p.landcomp") as anonymous:
        with pytest.raises(StoreError, match="actor"):
            anonymous.create_project("堡子片区")
        assert anonymous.create_project("堡子片区", actor="李明").name == "堡子片区"


def test_a_household_number_is_unique_within_its_project(store, project):
    store.add_household(project.id, "0001")
    with pytest.raises(StoreError, match="0001"):
        store.add_household(project.id, " 0001 ")
    other = store.create_project("堡子二期")
    assert store.add_household(other.id, "0001").project_id == other.id
    assert store.find_household(project.id, "0001").project_id == project.id
    assert store.find_household(project.id, "9999") is None


# -- fingerprints ----------------------------------------------------------------------------

def test_a_sheet_brought_back_is_found_by_its_fingerprint(store, project):
    household, first, _ = add(store, project, 0)
    add(store, project, 1)
    store.sign(household.id)
    second = store.save_computed(household.id, compute(variant(2)), amendment_reason="更正")
    [match] = store.find_by_fingerprint(first.fingerprint)
    assert (match.household.number, match.version.number, match.is_current, match.is_signed) == ("0001", 1, False, True)
    [match] = store.find_by_fingerprint(f" {second.fingerprint.upper()} ")
    assert (match.version.id, match.is_current, match.is_signed) == (second.id, True, False)
    assert store.find_by_fingerprint("ffffffffffff") == []
    store.sign(household.id)   # the amendment signed: 第1版 was signed all the same, and was said "未按此版签字"
    [match] = store.find_by_fingerprint(first.fingerprint)
    assert (match.is_signed, match.amended_by, second.number) == (False, 2, 2)
    assert "曾按此版签字,后由第 2 版更正" in describe_match(match)
    [match] = store.find_by_fingerprint(second.fingerprint)
    assert (match.is_signed, match.amended_by) == (True, None) and "已按此版签字" in describe_match(match)


# -- ledger ----------------------------------------------------------------------------------

@pytest.fixture
def ledger_project(store, project):
    results = [add(store, project, index)[2] for index in range(6)]
    store.add_household(project.id, "0099", "未测算户")
    store.sign(store.find_household(project.id, "0002").id)
    return results


def test_ledger_totals_equal_the_engines_totals(store, project, ledger_project):
    rows = store.ledger(project.id)
    totals = ledger_totals(rows)
    assert totals.households == 7
    assert totals.total == sum(r.total for r in ledger_project)
    assert totals.incentive == sum(r.relocation.incentive for r in ledger_project)
    assert totals.replacement_m2 == sum(r.replacement.total_m2 for r in ledger_project)
    assert totals.building_area_m2 == sum(r.relocation.given.building_area_m2 for r in ledger_project)
    assert store.ledger_summary(project.id) == totals
    row = rows[0]
    assert (row.number, row.head, row.status, row.assessor, row.version) == ("0001", "王建国", Status.COMPUTED, "李明", 1)
    assert isinstance(row.total, Decimal) and row.total == ledger_project[0].total
    assert rows[-1].total is None and rows[-1].status is Status.DRAFT


def test_ledger_filters_sorts_and_pages(store, project, ledger_project):
    assert [r.number for r in store.ledger(project.id, status="已签字")] == ["0002"]
    assert [r.number for r in store.ledger(project.id, status=Status.DRAFT)] == ["0099"]
    assert [r.head for r in store.ledger(project.id, text="李秀")] == ["李秀英"]
    assert [r.number for r in store.ledger(project.id, text="东街19")] == ["0003"]
    assert store.ledger(project.id, text="100%_") == []
    by_total = store.ledger(project.id, sort="total", descending=True)
    assert [r.total for r in by_total[:6]] == sorted((r.total for r in ledger_project), reverse=True)
    page = store.ledger(project.id, limit=3, offset=3)
    assert [r.number for r in page] == ["0004", "0005", "0006"]
    assert store.ledger_count(project.id) == 7 and store.ledger_count(project.id, status="computed") == 5
    assert store.ledger_summary(project.id, status="已签字").total == ledger_project[1].total
    with pytest.raises(StoreError):
        store.ledger(project.id, sort="total; DROP TABLE households")


def test_the_ledger_sorts_and_searches_alike_on_every_backend(store, project):
    """NULL lowest, text by code point (SQLite's BINARY), money by value, the search blind to ASCII case."""
    for number, head in (("b-2", "bob"), ("B-10", "Émile"), ("a-1", ""), ("Z-9", "anna")):
        store.add_household(project.id, number, head)
    computed = store.find_household(project.id, "a-1")
    store.save_computed(computed.id, compute(variant(0)))
    assert [r.number for r in store.ledger(project.id)] == ["B-10", "Z-9", "a-1", "b-2"]
    assert [r.head for r in store.ledger(project.id, sort="head")] == ["anna", "bob", "Émile", "王建国"]  # a-1's case
    assert [r.number for r in store.ledger(project.id, sort="total")][0] == "B-10"  # NULL first, then by number
    assert [r.number for r in store.ledger(project.id, sort="total", descending=True)][0] == "a-1"
    assert [r.number for r in store.ledger(project.id, text="b-")] == ["B-10", "b-2"]
    assert store.ledger(project.id, limit=-1, offset=-5) == store.ledger(project.id)  # SQLite's reading of junk


def test_a_search_finds_a_number_typed_full_width_or_with_leading_zeros(store, project):
    """台账's search for ０１０ (as a Chinese input method types it) found nothing, nor 0001 the household 1, though
    `ledger show ０１０` finds 010 and 0001 is 1 everywhere else."""
    for number, head in (("010", "王建国"), ("1", "李秀英"), ("2", "张三"), ("A-0001", "赵六")):
        store.add_household(project.id, number, head)
    found = {text: [r.number for r in store.ledger(project.id, text=text)] for text in ("０１０", "0001", "01", "ａ-")}
    assert found == {"０１０": ["010"], "0001": ["1", "A-0001"], "01": ["010", "1", "A-0001"], "ａ-": ["A-0001"]}
    assert store.ledger_count(project.id, text="0001") == 2


def test_pages_by_key_are_the_full_ledger_in_every_order_on_every_backend(store, project, ledger_project):
    """Keyset pages (after the last household read) give exactly the one full read: every sort key, both
    directions, NULL keys (drafts), equal keys (a second household with the same case), 数据异常 rows."""
    twin = store.add_household(project.id, "0007", "王建国")
    store.save_computed(twin.id, compute(variant(0)))  # the same figures as 0001: ties broken by 户号
    store.add_household(project.id, "0098", "未测算户二")
    forged = store.find_household(project.id, "0004")
    store._conn.execute("UPDATE case_versions SET total = '1.00' WHERE id = ?", (forged.current_version_id,))
    sorts = ("number", "head", "address", "building_area_m2", "total", "incentive", "replacement_m2", "status",
             "assessor", "updated_at")
    for sort, descending, status, text in itertools.product(sorts, (False, True), (None, "computed", "数据异常"),
                                                            ("", "0")):
        query = dict(status=status, text=text, sort=sort, descending=descending)
        whole = [row.household_id for row in store.ledger(project.id, **query)]
        for size in (1, 2, 4):
            paged, after = [], None
            while rows := store.ledger(project.id, **query, limit=size, after=after, workbook=False):
                paged += [row.household_id for row in rows]
                after = rows[-1].household_id
            assert paged == whole, (query, size)
    # The forged figure orders its row alike on both backends (after the drafts' NULL), shown as 数据异常.
    assert [r.number for r in store.ledger(project.id, sort="total", limit=3)] == ["0098", "0099", "0004"]
    assert store.ledger(project.id, status="数据异常")[0].number == "0004"


@pytest.mark.parametrize("head", ["O'Brien \"张三\"", "王'; DROP TABLE households; --", "李%_\\明", "?; %s %(x)s"])
def test_hostile_head_text_is_stored_and_read_back_exactly(store, project, head):
    data = case_to_dict(variant(0))
    data["household"]["head"] = head
    household = store.add_household(project.id, "0001", head)
    version = store.save_computed(household.id, compute(case_from_dict(data)))
    assert store.household(household.id).head == head == version.case().household["head"]
    assert [r.head for r in store.ledger(project.id, text=head)] == [head]
    assert store.audit_log(household_id=household.id)[0].detail["head"] == head
    assert store.ledger_count(project.id) == 1


def test_a_nul_in_text_is_refused_at_input_or_by_the_store(store, project):
    data = case_to_dict(variant(0))
    data["household"]["head"] = "王\x00明"
    with pytest.raises(InputError):
        case_from_dict(data)
    try:
        household = store.add_household(project.id, "0001", "王\x00明")
    except StoreError as refused:  # the server has no NUL in text
        assert refused.zh and refused.en and store.ledger_count(project.id) == 0
    else:
        assert store.household(household.id).head == "王\x00明"


# -- transactions ----------------------------------------------------------------------------

def test_a_batch_keeps_all_or_nothing(store, project):
    with pytest.raises(RuntimeError):
        with store.batch():
            add(store, project, 0)
            add(store, project, 1)
            raise RuntimeError("import stopped")
    assert store.ledger_count(project.id) == 0
    with store.batch():
        add(store, project, 0)
        with pytest.raises(StoreError):
            store.add_household(project.id, "0001")  # fails alone: its savepoint is undone
        add(store, project, 1)
    assert store.ledger_count(project.id) == 2


# -- backup and restore ----------------------------------------------------------------------

def test_backup_and_restore_round_trip(store, project, tmp_path):
    household, version, _ = add(store, project, 0)
    store.backup(tmp_path / "backup.landcomp")
    store.sign(household.id)
    add(store, project, 1)
    store.restore_from(tmp_path / "backup.landcomp")
    assert [r.number for r in store.ledger(project.id)] == ["0001"]
    assert store.household(household.id).status is Status.COMPUTED
    assert store.current_version(household.id) == version
    assert store.audit_log()[-1].action == "restore"
    add(store, project, 1)  # the restored store is writable
    with SqliteStore(tmp_path / "backup.landcomp") as copy_:
        assert copy_.ledger_count(project.id) == 1


def test_the_last_change_is_the_latest_entry_of_the_audit_log(store, project):
    """What the restore question sets against the backup's last change (one query, not the whole log read)."""
    assert store.last_change() == max(entry.at for entry in store.audit_log())
    household, _, _ = add(store, project, 0)
    store.sign(household.id)
    assert store.last_change() == store.audit_log()[-1].at == max(entry.at for entry in store.audit_log())


def test_restore_refuses_a_file_that_is_not_a_project_backup(store, project, tmp_path):
    add(store, project)
    junk = tmp_path / "junk.landcomp"
    junk.write_bytes(b"not a database at all" * 300)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    for bad in (junk, other, tmp_path / "missing.landcomp"):
        with pytest.raises(StoreError):
            store.restore_from(bad)
    assert store.ledger_count(project.id) == 1


# -- damaged or foreign files ----------------------------------------------------------------

def test_a_file_that_is_not_a_database_gives_a_store_error(tmp_path):
    path = tmp_path / "broken.landcomp"
    path.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(StoreError) as raised:
        SqliteStore(path, actor="李明")
    assert "损坏" in raised.value.zh and "damaged" in raised.value.en


def test_a_damaged_page_gives_a_store_error(tmp_path):
    path = tmp_path / "damaged.landcomp"
    with SqliteStore(path, actor="李明") as fresh:
        project = fresh.create_project("堡子片区")
        for index in range(8):
            add(fresh, project, index)
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, page):  # scribble over every page past the schema
        data[offset:offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        SqliteStore(path, actor="李明")


def test_another_sqlite_database_is_refused_and_left_as_it_was(tmp_path):
    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a landcomp"):
        SqliteStore(path)
    assert path.read_bytes() == before   # not switched to WAL (its header's bytes 18–19), nothing written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]


def test_a_file_from_a_newer_program_is_refused(tmp_path):
    path = tmp_path / "newer.landcomp"
    SqliteStore(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StoreError, match="newer"):
        SqliteStore(path)


def test_a_missing_folder_gives_a_store_error(tmp_path):
    with pytest.raises(StoreError):
        SqliteStore(tmp_path / "no" / "such" / "folder.landcomp")


def test_the_store_does_not_import_qt():
    import subprocess
    import sys
    code = "import sys, calculator.store; print(any(m.startswith(('PySide6', 'ui')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "False"


# -- junk ------------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=12), sort=st.sampled_from(["number", "total", "status", "x"]) | st.text(max_size=8),
       number=st.integers(-3, 10**6), offset=st.integers(-3, 50))
def test_junk_input_gives_a_store_error_or_an_answer(text, sort, number, offset):
    with tempfile.TemporaryDirectory() as folder, SqliteStore(Path(folder) / "j.landcomp", actor="李明") as store:
        project = store.create_project("堡子片区")
        for call in (lambda: store.add_household(project.id, text, text, text),
                     lambda: store.ledger(project.id, status=text or None, text=text, sort=sort, limit=number,
                                          offset=offset),
                     lambda: store.ledger_count(project.id, text=text),
                     lambda: store.find_by_fingerprint(text),
                     lambda: store.household(number),
                     lambda: store.version(number, offset),
                     lambda: store.sign(number),
                     lambda: store.pay([number], batch=text),
                     lambda: store.create_project(text)):
            try:
                call()
            except StoreError as error:
                assert error.zh and error.en


def test_a_fingerprint_survives_saving_a_case_built_with_whole_numbers():
    """A case made in code with int quantities prints the same fingerprint after a save and reopen."""
    data = parse_json(EXAMPLE.read_text(encoding="utf-8"))
    data["items"].append({"item": "用材树/杨树", "quantity": 4, "diameter_cm": 18})
    built = case_from_dict(data)
    reread = case_from_json(json.dumps(case_to_dict(built)))
    assert fingerprint(built, "baozi-2023.1") == fingerprint(reread, "baozi-2023.1")
