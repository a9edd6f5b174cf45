"""The store trusts nothing it has not checked: tampering, damage, restores, racing writers, locks, read-only files."""
from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import sqlite3
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from calculator.app.batch import write_sheets
from calculator.engine.case import case_to_json
from calculator.engine.compensation import compute
from calculator.app.ledger_actions import LedgerQuery, ProjectFile, describe_match
from calculator.engine.schedules import load_schedule
from calculator.store import AbnormalData, ConflictError, SqliteStore, Status, StoreError, is_server
from calculator.store.integrity import entry_hash, version_digest
from calculator.store.verify import version_figures
from calculator.app.stored_cases import open_stored, save_stored
from households import fill_project, variant

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.backends("sqlite", "postgres")


@pytest.fixture
def filled(store):
    """0001–0005 computed (0002 signed, 0003 paid), 0099 without a case; returns (project, the engine's results)."""
    project = store.create_project("堡子片区")
    return project, fill_project(store, project.id)


def hid(store, project, number: str) -> int:
    return store.find_household(project.id, number).id


def sql(store, statement: str, *args) -> None:
    """Change the data behind the store's back, as anyone with an SQLite tool (or the server's superuser) can."""
    if is_server(store.path):
        import pgcluster
        pgcluster.tamper(store.path, statement, args)
        return
    raw = sqlite3.connect(store.path)
    raw.execute(statement, args)
    raw.commit()
    raw.close()


def current_id(store, household_id: int) -> int:
    return store.household(household_id).current_version_id


def stored_digest(store, version_id: int) -> str:
    """The digest of a version as it is stored now (what a forger writes into the entry that saved it)."""
    row = store._conn.execute("SELECT * FROM case_versions WHERE id = ?", (version_id,))
    return version_digest(dict(zip([column[0] for column in row.description], row.fetchone())))


def write_entry(store, action: str, household_id: int, version_digest: str | None = None, **detail) -> None:
    """A chain-valid audit entry of the household's current version, written behind the program's back (as a member's
    own SQL writes one on a server, or anyone's SQLite tool in a file)."""
    last_id, last_hash = store._conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    entry = {"id": last_id + 1, "at": "2026-12-01T09:00:00+08:00", "actor": "assessor1", "action": action,
             "project_id": None, "household_id": household_id, "version_id": current_id(store, household_id),
             "detail": json.dumps(detail, ensure_ascii=False), "version_digest": version_digest}
    sql(store, f"INSERT INTO audit ({', '.join(entry)}, hash) VALUES ({', '.join('?' * (len(entry) + 1))})",
        *entry.values(), entry_hash(last_hash, entry))


def findings(store, household_id: int) -> list:
    return [e for e in store.audit_log(household_id=household_id) if e.action == "abnormal"]


def assert_abnormal_apart(store, project, results, number: str) -> None:
    """The household is 数据异常 in the ledger, without figures, and the totals are the others' to the fen."""
    index = int(number) - 1
    rows = {row.number: row for row in store.ledger(project.id)}
    assert rows[number].status is Status.ABNORMAL and rows[number].total is None and rows[number].abnormal
    summary = store.ledger_summary(project.id)
    assert (summary.households, summary.abnormal) == (6, 1)
    assert summary.total == sum(r.total for i, r in enumerate(results) if i != index)
    assert [row.number for row in store.ledger(project.id, status=Status.ABNORMAL)] == [number]
    assert number not in [row.number for row in store.ledger(project.id, status=Status.COMPUTED)]
    assert store.ledger_count(project.id, status="数据异常") == 1


# -- tampering -----------------------------------------------------------------------------------

@pytest.mark.parametrize("column, value, says", [
    ("head", "赵六", "户主「赵六」"),          # a forged payee on the ledger and its workbook
    ("address", "别处", "地址「别处」"),
    ("number", "0009", "户号「0009」"),
])
def test_a_register_entry_changed_behind_the_programs_back_is_abnormal(store, filled, column, value, says):
    project, results = filled
    household_id = hid(store, project, "0004")
    sql(store, f"UPDATE households SET {column} = ? WHERE id = ?", value, household_id)
    [row] = [row for row in store.ledger(project.id) if row.household_id == household_id]
    assert row.status is Status.ABNORMAL and says in row.abnormal and row.total is None
    assert store.ledger_summary(project.id).total == sum(r.total for i, r in enumerate(results) if i != 3)


def test_one_digit_changed_in_a_stored_total_is_abnormal_counted_apart_and_never_signed(store, filled):
    project, results = filled
    household_id = hid(store, project, "0001")
    version = store.current_version(household_id)
    sql(store, "UPDATE case_versions SET total = ? WHERE id = ?", "646616.30", version.id)  # 5 → 6
    assert_abnormal_apart(store, project, results, "0001")
    with pytest.raises(AbnormalData, match="户号 0001.*数据异常") as refused:
        store.sign(household_id, fingerprint=version.fingerprint)
    assert refused.value.household_id == household_id and store.household(household_id).status is Status.COMPUTED
    [match] = store.find_by_fingerprint(version.fingerprint)  # 核对结算单 does not vouch for it
    assert match.abnormal and "646,616.30" not in describe_match(match) and "数据异常" in describe_match(match)
    for _ in range(3):  # every repaint: still one finding in the audit log
        assert [row.number for row in store.ledger(project.id) if row.status is Status.ABNORMAL] == ["0001"]
        assert store.ledger_summary(project.id).abnormal == 1
    [finding] = findings(store, household_id)
    assert "第 1 版保存后被改动" in finding.detail["reason"]


def forge(store, household_id: int, quantity: str) -> Decimal:
    """Change a measured quantity of the household's current version and store the engine's result for it,
    fingerprint included, as a careful forger would; returns the forged total."""
    case = store.current_version(household_id).case()
    case.items[0]["quantity"] = quantity
    result = compute(case)
    figures = version_figures(result)
    sets = ", ".join(f"{name} = ?" for name in figures)
    sql(store, f"UPDATE case_versions SET case_json = ?, {sets} WHERE id = ?",
        case_to_json(case), *figures.values(), current_id(store, household_id))
    return result.total


def test_a_forged_case_with_its_engine_total_and_fingerprint_is_caught_by_the_chain(store, filled, tmp_path):
    project, results = filled
    household_id = hid(store, project, "0005")
    forged = forge(store, household_id, "999.00")
    assert forged > results[4].total
    assert_abnormal_apart(store, project, results, "0005")
    with pytest.raises(AbnormalData, match="0005"):
        store.sign(household_id)
    summary = write_sheets(store, project.id, [household_id], tmp_path)
    assert summary.written == () and summary.skipped[0].reason.startswith("数据异常")
    assert [(a.number, a.household_id) for a in store.verify_all()] == [("0005", household_id)]
    # The forger also writes the new digest into the audit entry: now the chain itself breaks there.
    sql(store, "UPDATE audit SET version_digest = ? WHERE version_id = ? AND action = 'save_computed'",
        stored_digest(store, current_id(store, household_id)), current_id(store, household_id))
    assert "校验链" in {r.number: r for r in store.ledger(project.id)}["0005"].abnormal


def test_a_status_set_back_from_paid_to_signed_allows_no_amendment_signature_or_payment(store, filled):
    project, results = filled
    household_id = hid(store, project, "0003")
    sql(store, "UPDATE households SET status = 'signed' WHERE id = ?", household_id)
    assert_abnormal_apart(store, project, results, "0003")
    with pytest.raises(AbnormalData, match="0003"):
        store.save_computed(household_id, compute(variant(2)), amendment_reason="面积复核")
    with pytest.raises(AbnormalData, match="已签字.*已支付"):
        store.pay([household_id], batch="第2批")
    with pytest.raises(AbnormalData):
        open_stored(store, household_id, "baozi-2023")
    opened = ProjectFile(store, project, Path(store.path))
    with pytest.raises(AbnormalData, match="0003"):
        opened.payment([household_id])
    assert len(store.versions(household_id)) == 1
    assert [e.action for e in store.audit_log(household_id=household_id)][-1] == "abnormal"


def signed_again(store, project) -> tuple[int, int, int]:
    """0002, signed on version 1, amended and signed again on version 2: (its id, version 1's id, version 2's id)."""
    household_id = hid(store, project, "0002")
    first = current_id(store, household_id)
    store.save_computed(household_id, compute(variant(7)), amendment_reason="面积复核")
    store.sign(household_id)
    return household_id, first, current_id(store, household_id)


def test_an_earlier_signed_version_deleted_by_hand_is_abnormal(store, filled):
    """The version first signed, then amended, deleted with an SQL tool: no check said so, and a returned paper with
    its 校验码 could no longer be checked against it (the program deletes no version)."""
    project, results = filled
    household_id, first, _ = signed_again(store, project)
    sql(store, "DELETE FROM case_versions WHERE id = ?", first)
    [row] = [row for row in store.ledger(project.id) if row.household_id == household_id]
    assert row.status is Status.ABNORMAL and row.abnormal == "第 1 版已从项目中删除(变更记录中有其保存)"
    with pytest.raises(AbnormalData, match="第 1 版已从项目中删除"):
        store.pay([household_id], batch="第2批")


def test_a_current_version_pointed_back_by_hand_is_said_as_such(store, filled):
    """Pointed back at version 1, the finding said 状态「已签字」与变更记录(「已签字」)不符: signed against signed."""
    project, results = filled
    household_id, first, _ = signed_again(store, project)
    sql(store, "UPDATE households SET current_version_id = ?, signed_version_id = ? WHERE id = ?", first, first,
        household_id)
    [row] = [row for row in store.ledger(project.id) if row.household_id == household_id]
    assert row.status is Status.ABNORMAL and row.abnormal == "当前版本与变更记录中的不符(被改指为另一版本)"


def test_a_household_deleted_by_hand_is_named_never_registered_again_nor_restored_so(store, filled, tmp_path):
    """0003, paid, deleted with an SQL tool: no check said so, 已支付 fell by its payment with no word, its 户号 was
    registered, signed and paid a second time, and a backup made so was restored over the sound project."""
    from calculator.app.summary.figures import read_figures
    project, results = filled
    sound = tmp_path / "sound.landcomp"
    store.backup(str(sound))
    household_id = hid(store, project, "0003")
    sql(store, "DELETE FROM case_versions WHERE household_id = ?", household_id)
    sql(store, "DELETE FROM households WHERE id = ?", household_id)
    said = "此户已从项目中删除(变更记录中有其登记和支付),数据已在程序之外被改动,请从备份恢复"
    [deleted] = store.deleted_households()
    assert (deleted.number, deleted.status, deleted.abnormal, deleted.total) == ("0003", Status.ABNORMAL, said, None)
    assert [(row.number, row.abnormal) for row in read_figures(store, project.id).abnormal] == [("0003", said)]
    with pytest.raises(StoreError, match="户号 0003 已登记过,但此户已从项目中删除"):
        store.add_household(project.id, "0003", "王建国")
    with pytest.raises(StoreError, match="户号 0003 已登记过"):
        store.update_household(hid(store, project, "0099"), "0003", "未测算户", "")
    assert store.find_household(project.id, "0003") is None
    # a backup of the project so changed is not restored over one that holds 0003
    changed = tmp_path / "changed.landcomp"
    store.backup(str(changed))
    store.restore_from(str(sound))
    assert store.deleted_households() == [] and store.find_household(project.id, "0003").status is Status.PAID
    with pytest.raises(StoreError, match="备份中户号 0003 已被删除"):
        store.restore_from(str(changed))
    assert store.find_household(project.id, "0003").status is Status.PAID


def test_an_id_deleted_by_hand_is_never_handed_out_again(store, filled):
    """The household and the version with the largest ids deleted: the next household took the deleted one's id and
    its history (said 数据异常 with a wrong reason, the deleted one's notice gone and its 户号 paid again), the next
    version the deleted version's id (its deletion then unseen)."""
    project, results = filled
    last = hid(store, project, "0099")
    sql(store, "DELETE FROM households WHERE id = ?", last)
    added = store.add_household(project.id, "0100", "新登记户")
    assert added.id > last and [row.number for row in store.deleted_households()] == ["0099"]
    assert {row.number: row.status for row in store.ledger(project.id)}["0100"] is Status.DRAFT
    household_id, first, second = signed_again(store, project)
    sql(store, "UPDATE households SET current_version_id = ?, signed_version_id = ?, status = 'computed' WHERE id = ?",
        first, None, household_id)
    sql(store, "DELETE FROM case_versions WHERE id = ?", second)
    [row] = [row for row in store.ledger(project.id) if row.household_id == household_id]
    assert row.status is Status.ABNORMAL
    other = hid(store, project, "0004")
    assert store.save_computed(other, compute(variant(8))).id > second


# -- damage ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_over_a_stored_case_are_found_named_and_kept_out_of_the_totals(tmp_path, seed):
    path = tmp_path / "p.landcomp"
    with SqliteStore(path, actor="李明") as store:
        project = store.create_project("堡子片区")
        results = fill_project(store, project.id)
    data = bytearray(path.read_bytes())
    at = data.index(b'"case_id":"BZ-2023-0320"')  # inside the stored case of 0004
    rng = random.Random(seed)
    inside = [offset for offset in range(at, at + 400) if offset % 4096 >= 4]  # not an overflow page's link
    for offset in rng.sample(inside, 12):
        data[offset] = rng.randrange(256)
    path.write_bytes(bytes(data))
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]  # SQLite itself sees nothing wrong
    raw.close()
    with SqliteStore(path, actor="李明") as store:
        assert_abnormal_apart(store, project, results, "0004")
        assert [a.number for a in store.verify_all()] == ["0004"]
        with pytest.raises(AbnormalData, match="0004"):
            store.sign(hid(store, project, "0004"))
        # the whole log reads without a decode error, the damage recorded in it once, against 0004
        assert [entry.household_id for entry in store.audit_log() if entry.action == "abnormal"] == [
            hid(store, project, "0004")]


def test_a_paid_household_saved_again_by_hand_is_abnormal_and_never_paid_twice(store, filled):
    """A chain-valid 'save_computed' entry, its digest right, written by hand (on a server, a granted admin's own SQL)
    with paid 0003 set back to 已测算: the reviewer signed it and finance paid it again, two payments in its history,
    its status all along what its entries implied. A save, signature or payment after a payment is 数据异常: 0003 is
    never signed again, and a second round written whole by hand is found too."""
    project, results = filled
    household_id = hid(store, project, "0003")
    version_id = current_id(store, household_id)
    write_entry(store, "save_computed", household_id, stored_digest(store, version_id))
    sql(store, "UPDATE households SET status = 'computed' WHERE id = ?", household_id)
    assert_abnormal_apart(store, project, results, "0003")
    with pytest.raises(AbnormalData, match="户号 0003.*数据异常"):
        store.sign(household_id)
    write_entry(store, "sign", household_id)
    write_entry(store, "pay", household_id, batch="第9批")
    sql(store, "UPDATE households SET status = 'paid' WHERE id = ?", household_id)
    [anomaly] = store.verify_all()
    assert anomaly.number == "0003" and "支付后又有保存、签字或支付" in anomaly.zh


# -- restore ---------------------------------------------------------------------------------------

def test_a_restore_cannot_erase_a_payment(store, filled, tmp_path):
    project, results = filled
    household_id = hid(store, project, "0001")
    store.backup(tmp_path / "before.landcomp")
    store.sign(household_id)
    store.pay([household_id], batch="第2批", actor="王会计")
    store.restore_from(tmp_path / "before.landcomp")
    assert store.household(household_id).status is Status.PAID
    pay = [e for e in store.audit_log(household_id=household_id) if e.action == "pay"]
    payer = getattr(store, "role", "王会计")  # on a server, the database role that paid
    assert [(e.actor, e.detail["batch"], bool(e.detail.get("restored_over"))) for e in pay] == [(payer, "第2批", True)]
    with pytest.raises(StoreError, match="已支付"):
        store.save_computed(household_id, compute(variant(4)), amendment_reason="恢复后再改")
    with pytest.raises(StoreError):
        store.pay([household_id], batch="第3批")
    assert store.ledger_summary(project.id).abnormal == 0
    assert store.ledger_summary(project.id).total == sum(r.total for r in results)
    assert store.verify_all() == []


def test_a_hand_made_pay_entry_pays_nothing_over_a_restore(store, filled, tmp_path):
    """A chain-valid `pay` entry written by hand for a household never signed (数据异常 until then), then a restore of
    an earlier backup: the restore kept the 'payment', 0001 showed 已支付 546,616.30, never signed nor paid, and its real
    payment was refused. The entry is carried over as history only; 0001 is as the backup has it, and is paid once."""
    project, results = filled
    household_id = hid(store, project, "0001")
    store.backup(tmp_path / "before.landcomp")
    write_entry(store, "pay", household_id, batch="第9批")
    late = store.add_household(project.id, "0100", "后来户")   # not in the backup: its lost 'payment' refuses nothing
    store.save_computed(late.id, compute(variant(6)))
    write_entry(store, "pay", late.id, batch="第9批")
    assert [a.number for a in store.verify_all()] == ["0001", "0100"]
    store.restore_from(tmp_path / "before.landcomp")
    assert store.household(household_id).status is Status.COMPUTED and store.verify_all() == []
    [pay] = [e for e in store.audit_log(household_id=household_id) if e.action == "pay"]
    assert pay.detail["restored_over"] and pay.detail["payment_not_kept"] and pay.detail["batch"] == "第9批"
    assert store.ledger_summary(project.id).total == sum(r.total for r in results)
    store.sign(household_id)
    assert store.pay([household_id], batch="第2批")[0].status is Status.PAID
    assert [e.detail.get("restored_over") is None for e in store.audit_log(household_id=household_id)
            if e.action == "pay"] == [False, True]
    assert store.verify_all() == []


def test_a_backup_that_lacks_a_paid_version_is_not_restored(store, filled, tmp_path):
    project, _ = filled
    store.backup(tmp_path / "before.landcomp")
    late = store.add_household(project.id, "0100", "后来户")
    store.save_computed(late.id, compute(variant(6)))
    store.sign(late.id)
    store.pay([late.id], batch="第2批")
    with pytest.raises(StoreError, match="0100.*抹去这笔支付"):
        store.restore_from(tmp_path / "before.landcomp")
    assert store.household(late.id).status is Status.PAID and store.ledger_count(project.id) == 7


def _edit_backup(path, number: str, total: str) -> None:
    """Change a household's stored total in a backup file, as anyone with an SQLite tool can."""
    raw = sqlite3.connect(path)
    raw.execute("UPDATE case_versions SET total = ? WHERE id = (SELECT current_version_id FROM households "
                "WHERE number = ?)", (total, number))
    raw.commit()
    raw.close()


def test_a_backup_edited_since_it_was_made_is_not_restored(store, filled, tmp_path):
    """It was restored without a word: the paid household then showed 数据异常 and 已支付 fell by its amount."""
    project, results = filled
    store.backup(tmp_path / "backup.landcomp")
    _edit_backup(tmp_path / "backup.landcomp", "0003", "1.00")
    before = store.ledger_summary(project.id)
    entries = len(store.audit_log())
    with pytest.raises(StoreError, match="0003.*数据异常") as refused:
        store.restore_from(tmp_path / "backup.landcomp", before_replacing=lambda: pytest.fail("no safety copy"))
    assert "nothing was restored" in refused.value.en
    assert store.ledger_summary(project.id) == before and len(store.audit_log()) == entries
    assert store.verify_all() == []


def test_a_backup_carrying_damage_the_project_had_when_backed_up_is_restored(store, filled, tmp_path):
    """数据异常 the project showed, and recorded, when it was backed up is no reason to refuse its backup: not over
    the project itself, nor into a new one (how a project with one moves to a new PC or to a server)."""
    project, _ = filled
    sql(store, "UPDATE case_versions SET total = ? WHERE id = ?", "1.00", current_id(store, hid(store, project, "0001")))
    assert [a.number for a in store.verify_all()] == ["0001"]
    store.backup(tmp_path / "backup.landcomp")
    store.restore_from(tmp_path / "backup.landcomp")
    assert [a.number for a in store.verify_all()] == ["0001"]
    with SqliteStore(tmp_path / "new-pc.landcomp", actor="李明") as fresh:
        fresh.create_project("堡子片区")
        fresh.restore_from(tmp_path / "backup.landcomp")
        assert [a.number for a in fresh.verify_all()] == ["0001"]


def test_a_finding_of_the_file_a_restore_replaced_does_not_stand_in_the_restored_one(store, filled, tmp_path):
    """A finding recorded stands until the household is changed; restored from a backup made before the damage, the
    household is whole again, and the finding carried over with the replaced file's history names that file."""
    project, _ = filled
    household_id = hid(store, project, "0001")
    store.backup(tmp_path / "clean.landcomp")
    sql(store, "UPDATE case_versions SET total = ? WHERE id = ?", "1.00", current_id(store, household_id))
    assert [a.number for a in store.verify_all()] == ["0001"] and findings(store, household_id)
    store.restore_from(tmp_path / "clean.landcomp")
    assert store.verify_all() == [] and store.household(household_id).status is not Status.ABNORMAL
    assert [f.detail.get("restored_over") is not None for f in findings(store, household_id)] == [True]


# -- two writers ------------------------------------------------------------------------------------

@pytest.mark.backends("sqlite")  # typed names tell the writers apart; the server's race: test_store_postgres
def test_two_assessors_saving_the_same_version_at_once_never_lose_a_change(store, filled):
    project, _ = filled
    household_id = hid(store, project, "0005")
    schedule = load_schedule()
    for trial in range(20):
        barrier, outcomes = threading.Barrier(2), {}

        def save(actor: str, quantity: str) -> None:
            with SqliteStore(store.path, actor=actor) as own:
                stored, case = open_stored(own, household_id, schedule.id)
                case.items[0]["quantity"] = quantity
                barrier.wait()
                try:
                    outcomes[actor] = save_stored(stored, case, schedule).version.id
                except ConflictError as error:
                    outcomes[actor] = error

        threads = [threading.Thread(target=save, args=(f"评估员{i}", f"{100 + trial}.{i}0")) for i in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        landed = [actor for actor, outcome in outcomes.items() if isinstance(outcome, int)]
        assert len(landed) == 1, outcomes
        [lost] = [outcome for outcome in outcomes.values() if isinstance(outcome, ConflictError)]
        winner = store.current_version(household_id)
        assert winner.id == outcomes[landed[0]] and winner.actor == landed[0] == lost.actor
        assert lost.at == winner.created_at and landed[0] in lost.zh and winner.created_at[:10] in lost.zh
    assert len(store.versions(household_id)) == 1 + 20


# -- locks and read-only files ----------------------------------------------------------------------

@pytest.mark.backends("sqlite")  # the file's write lock and busy timeout
def test_a_backup_under_another_writers_lock_is_refused_whole_or_written_and_audited(store, filled, tmp_path):
    blocker = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    store._conn.execute("PRAGMA busy_timeout = 200")
    target = tmp_path / "busy.landcomp"
    with pytest.raises(StoreError, match="锁定") as refused:
        store.backup(target)
    assert "busy" in refused.value.en
    assert not target.exists() and not Path(f"{target}.part").exists()
    assert [e for e in store.audit_log() if e.action == "backup"] == []
    store._conn.execute("PRAGMA busy_timeout = 5000")
    threading.Timer(0.3, blocker.rollback).start()  # the other writer finishes while we wait
    store.backup(target)
    blocker.close()
    [entry] = [e for e in store.audit_log() if e.action == "backup"]
    assert entry.detail["path"] == str(target)
    with SqliteStore(target) as copy_:
        assert copy_.ledger_count(store.projects()[0].id) == 6


READER = """
import json, sys
from calculator.app.ledger_actions import LedgerQuery, open_project
opened = open_project(sys.argv[1], "李明")
out = {"read_only": opened.read_only, "households": opened.count(LedgerQuery()),
       "total": str(opened.summary(LedgerQuery()).total)}
household = opened.store.find_household(opened.project.id, "0001").id
for name, action in (("sign", lambda: opened.sign(household)), ("backup", lambda: opened.backup(sys.argv[2]))):
    try:
        action()
        out[name] = "done"
    except Exception as error:
        out[name] = f"{type(error).__name__}: {error}"
print(json.dumps(out, ensure_ascii=False))
"""


def _run_with_folder_read_only(folder: Path, command: list[str], **options) -> subprocess.CompletedProcess:
    """`command` run while `folder` cannot be written (as root, whom permissions do not stop: a read-only mount)."""
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root writes anyway: make the folder a read-only mount
            if not shutil.which("unshare"):
                pytest.skip("root, and no unshare for a read-only mount")
            probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
            if probe.returncode:
                pytest.skip("root, and no mount namespace for a read-only mount")
            command = ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(folder), *command]
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, **options)
    finally:
        folder.chmod(0o755)


def _restore_from_read_only_copy(target: Path, copy: Path) -> subprocess.CompletedProcess:
    """`landcomp ledger restore` of a new project at `target` from `copy`, while the copy's folder is read-only."""
    with SqliteStore(target, actor="李明") as store:
        store.create_project("堡子片区")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LANDCOMP_ACTOR": "李明"}
    return _run_with_folder_read_only(copy.parent, [sys.executable, "-m", "calculator", "ledger", "restore",
                                                    str(target), str(copy)], env=env)


def test_a_project_copied_onto_read_only_media_restores_as_a_backup(tmp_path):
    """A copy of a project file (WAL mode, as every project is) on a CD or a read-only share was called damaged:
    SQLite could not make its WAL index beside it. It is read as the read-only open reads such a file."""
    folder = tmp_path / "光盘"
    folder.mkdir()
    with SqliteStore(folder / "copy.landcomp", actor="李明") as store:
        results = fill_project(store, store.create_project("堡子片区").id)
    probe = sqlite3.connect(folder / "copy.landcomp")
    assert probe.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    probe.close()
    assert sorted(p.name for p in folder.iterdir()) == ["copy.landcomp"]   # no WAL index: SQLite must make one
    target = tmp_path / "p.landcomp"
    done = _restore_from_read_only_copy(target, folder / "copy.landcomp")
    assert done.returncode == 0, done.stderr
    with SqliteStore(target) as restored:
        assert restored.ledger_summary(restored.projects()[0].id).total == sum(r.total for r in results)


def test_a_copy_with_unmerged_changes_on_read_only_media_is_refused_never_read_past(tmp_path):
    """A project copied while open (its -wal holding saves not yet merged, no -shm) on read-only media: reading it
    immutable would skip those saves; it is refused with what to do, not called damaged."""
    folder = tmp_path / "光盘"
    folder.mkdir()
    with SqliteStore(tmp_path / "open.landcomp", actor="李明") as store:
        fill_project(store, store.create_project("堡子片区").id)
        for suffix in ("", "-wal"):
            shutil.copy(f"{tmp_path / 'open.landcomp'}{suffix}", f"{folder / 'copy.landcomp'}{suffix}")
    assert (folder / "copy.landcomp-wal").stat().st_size > 0
    target = tmp_path / "p.landcomp"
    done = _restore_from_read_only_copy(target, folder / "copy.landcomp")
    assert done.returncode == 2 and "尚未并入的更改" in done.stderr and "损坏" not in done.stderr, done.stderr


def test_a_project_in_a_read_only_folder_opens_read_only(tmp_path):
    folder = tmp_path / "只读"
    folder.mkdir()
    path = folder / "p.landcomp"
    with SqliteStore(path, actor="李明") as store:
        results = fill_project(store, store.create_project("堡子片区").id)
    done = _run_with_folder_read_only(folder, [sys.executable, "-c", READER, str(path), str(tmp_path / "b.landcomp")])
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["read_only"] and out["households"] == 6
    assert Decimal(out["total"]) == sum(r.total for r in results)
    assert out["sign"].startswith("StoreError") and "只读" in out["sign"] and "read-only" in out["sign"]
    assert out["backup"].startswith("StoreError") and "只读" in out["backup"]
    assert "损坏" not in out["sign"] + out["backup"]


def test_a_migrated_old_file_verifies_and_its_chain_continues(tmp_path):
    from test_store_migrations import write_version_1_file
    path = tmp_path / "old.landcomp"
    old = write_version_1_file(path)
    with SqliteStore(path, actor="李明") as store:
        assert store.verify_all() == []
        store.sign(1, fingerprint=old["fingerprint"])
        assert store.ledger(1)[0].status is Status.SIGNED and store.verify_all() == []
    assert LedgerQuery(status="数据异常").status is Status.ABNORMAL


SAVER = """
import sys
from calculator.engine.schedules import load_schedule
from calculator.store import ConflictError, open_store
from calculator.app.stored_cases import open_stored, save_stored

project, household_id, quantity = sys.argv[1], int(sys.argv[2]), sys.argv[3]
schedule = load_schedule()
with open_store(project, actor=f"评估员{quantity}") as store:
    stored, case = open_stored(store, household_id, schedule.id)  # every saver opens the same version
    case.items[0]["quantity"] = quantity
    print("opened", flush=True)
    sys.stdin.readline()  # all six go at once
    try:
        print("landed", save_stored(stored, case, schedule).version.id, flush=True)
    except ConflictError as error:
        print("conflict", error.actor, flush=True)
"""


def test_six_processes_saving_one_household_on_one_base_version_land_exactly_one(store, filled):
    project, _ = filled
    household_id = hid(store, project, "0005")
    base = store.current_version(household_id)
    savers = [subprocess.Popen([sys.executable, "-c", SAVER, str(store.path), str(household_id), f"{200 + i}.00"],
                               cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for i in range(6)]
    try:
        for saver in savers:
            assert saver.stdout.readline().strip() == "opened", saver.stderr.read()
        for saver in savers:
            saver.stdin.write("go\n")
            saver.stdin.flush()
        outcomes = [saver.communicate(timeout=120)[0].split() for saver in savers]
    finally:
        for saver in savers:
            if saver.poll() is None:
                saver.kill()
                saver.wait()
    landed = [outcome for outcome in outcomes if outcome[0] == "landed"]
    assert len(landed) == 1 and sum(outcome[0] == "conflict" for outcome in outcomes) == 5, outcomes
    versions = store.versions(household_id)
    assert [v.id for v in versions] == [base.id, int(landed[0][1])]
    assert store.current_version(household_id).id == int(landed[0][1]) and store.verify_all() == []


def test_a_household_whose_adding_was_undone_is_vouched_for_like_any_other(store):
    """A save skips vouching only for a household this connection added in the open transaction and still
    holds: once its adding is undone (a savepoint rolled back), a row later found under its id is someone
    else's, and a save over it is refused as abnormal."""
    project = store.create_project("堡子片区")
    with store.batch():
        with pytest.raises(RuntimeError):
            with store.batch():
                added = store.add_household(project.id, "0001")
                raise RuntimeError("this change is undone")
        statement = ("INSERT INTO households (id, project_id, number, head, address, updated_at, updated_by) "
                     "VALUES (?, ?, '0001', '', '', '2026-01-01T00:00:00+08:00', 'x')")
        if is_server(store.path):
            sql(store, statement, added.id, project.id)   # another session, committed: this transaction sees it
        else:
            store._conn.execute(statement, (added.id, project.id))   # the file is locked: only in this transaction
        with pytest.raises(AbnormalData):
            store.save_computed(added.id, compute(variant(1)))


def test_a_version_a_newer_rule_refuses_is_said_with_that_rule_not_as_a_bare_mismatch(store, monkeypatch):
    """A case saved when ㅤ still passed as a reason (before limits.blank) is recomputed with a problem: the finding
    names it (须填写超标准理由) instead of only "gives errors", which reads as the tampering it is not."""
    from calculator.core import rates
    from calculator.engine.case import case_from_dict
    project = store.create_project("堡子片区")
    household = store.add_household(project.id, "0001")
    case = case_from_dict({"items": [{"item": "附属平房/砖混结构", "quantity": "10", "rate": "900",
                                      "override_reason": "\u3164"}]})
    monkeypatch.setattr(rates, "blank", lambda text: not text.strip())   # the rule as it was
    store.save_computed(household.id, compute(case))
    monkeypatch.undo()
    [finding] = store.verify_all()
    assert finding.number == "0001" and "按现行规则重新测算有错误" in finding.zh and "须填写超标准理由" in finding.zh
    assert "under the current rules" in finding.en


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="acts as two users (root, setpriv)")
def test_a_read_only_journal_left_beside_a_writable_project_is_named_not_the_project():
    """Someone who could only read the project (a file of mode 444) left its -wal and -shm beside it, theirs and
    read-only: the file made writable again, every save was refused (said "项目文件是只读的", untrue, then "-shm 不可写入 …
    不要删除", a file that holds no data). Reading leaves nothing now; one left by another program is named."""
    folder = Path(tempfile.mkdtemp(prefix="landcomp-shm-"))   # outside root's own temporary folders, which uid 1000 cannot enter
    try:
        folder.chmod(0o777)
        project = folder / "p.landcomp"
        with SqliteStore(project, actor="李明") as store:
            store.create_project("堡子片区")
        project.chmod(0o444)
        as_user = ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups"]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "LANDCOMP_ACTOR": "王芳", "HOME": str(folder)}
        if subprocess.run([*as_user, sys.executable, "-c", "import calculator"], env=env, cwd=folder,
                          capture_output=True).returncode:
            pytest.skip("uid 1000 cannot run the program from this checkout (a folder it may not enter)")
        def ledger(*args):
            return subprocess.run([*as_user, sys.executable, "-m", "calculator", "ledger", *map(str, args)],
                                  capture_output=True, text=True, cwd=folder, env=env, timeout=120)

        listed = ledger("list", project)
        assert listed.returncode == 0, listed.stderr
        assert sorted(p.name for p in folder.iterdir()) == ["p.landcomp"]   # the reading's -wal and -shm removed
        project.chmod(0o666)
        saved = ledger("save", project, "001", ROOT / "examples" / "household.json")
        assert saved.returncode == 0, saved.stderr
        # one left, read-only, by another user's program (an older landcomp, an SQLite tool): named, with what may be
        # done with it
        shm = folder / "p.landcomp-shm"
        shm.touch()
        shm.chmod(0o444)
        saved = ledger("save", project, "002", ROOT / "examples" / "household.json")
        assert saved.returncode == 2, saved.stderr
        assert "项目文件旁的 p.landcomp-shm 文件不可写入(项目文件本身可写)" in saved.stderr, saved.stderr
        assert "或在无人打开项目时删除它:它只是索引,不含数据" in saved.stderr and "项目文件是只读的" not in saved.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_finding_on_a_paid_household_ends_only_by_a_recheck_once_its_data_is_sound(store, filled):
    """A paid household's 数据异常 stood for good once its data was repaired (it is never changed, and a restore keeps
    the finding): its money out of every total. A re-check with a reason ends it when the data is sound now, never
    while it is not, and says so in the history."""
    project, results = filled
    paid = hid(store, project, "0003")
    version = current_id(store, paid)
    with pytest.raises(StoreError, match="没有数据异常的记录"):
        store.recheck(paid, "核对")
    sql(store, "UPDATE case_versions SET total = ? WHERE id = ?", "1.00", version)          # damaged …
    assert [a.number for a in store.verify_all()] == ["0003"] and findings(store, paid)
    with pytest.raises(AbnormalData):
        store.recheck(paid, "已修复")                                                       # … not yet repaired
    sql(store, "UPDATE case_versions SET total = ? WHERE id = ?", f"{results[2].total:.2f}", version)   # repaired
    assert [a.number for a in store.verify_all()] == ["0003"]                                # the finding stands
    with pytest.raises(StoreError, match="理由"):
        store.recheck(paid, "  ")
    household = store.recheck(paid, "管理员已按备份修复")
    assert household.status is Status.PAID and store.verify_all() == []
    summed = store.ledger_summary(project.id, status=Status.PAID)            # its money counted again
    assert (summed.total, summed.abnormal) == (results[2].total, 0)
    last = store.audit_log(household_id=paid)[-1]
    assert last.action == "recheck" and last.detail["reason"] == "管理员已按备份修复" and last.detail["cleared"]


def test_a_finding_ends_by_what_the_program_does_to_a_household_and_is_recorded_again_when_it_comes_back():
    """Any later entry ended a finding (a member's hand-made 'note' on a paid household, on a server); a finding found
    again after a re-check was never recorded again (the same text stood once in the history), so a forgery redone
    after the re-check stood only in the session that found it."""
    from calculator.store.verify import noted_since, standing_finding
    found = {"reason": "第 1 版保存后被改动", "en": "version 1 was changed"}

    def entry(action, detail=None):
        return {"action": action, "detail": json.dumps(detail or {}, ensure_ascii=False)}

    history = [entry("add_household"), entry("save_computed"), entry("pay"), entry("abnormal", found)]
    assert standing_finding(history) == (found["reason"], found["en"]) and noted_since(history, found)
    assert standing_finding([*history, entry("note")]) == (found["reason"], found["en"])   # ends nothing
    rechecked = [*history, entry("recheck", {"reason": "已修复"})]
    assert standing_finding(rechecked) is None and not noted_since(rechecked, found)      # recorded again if found
    assert noted_since([*rechecked, entry("abnormal", found)], found)


@pytest.mark.backends("sqlite")   # a server's sequences never go back (test_store_postgres)
def test_a_version_saved_after_a_restore_is_never_taken_for_one_opened_before_it(tmp_path):
    """A project file restored from a backup hands its later version ids out again: a user who had a version open from
    before the restore saved over the new one of the same id with no conflict (a lost update; a reviewer)."""
    from calculator.store import ConflictError
    times = (f"2026-12-01T10:{minute:02d}:00+08:00" for minute in range(60))
    store = SqliteStore(tmp_path / "p.landcomp", actor="李明", clock=lambda: next(times))
    try:
        project = store.create_project("堡子片区")
        fill_project(store, project.id)
        store.backup(str(tmp_path / "b.landcomp"))
        household_id = hid(store, project, "0004")
        opened = store.save_computed(household_id, compute(variant(6)))   # open in someone's window from now on
        store.restore_from(str(tmp_path / "b.landcomp"))
        again = store.save_computed(household_id, compute(variant(7)))   # another user's, after the restore
        with pytest.raises(ConflictError):
            store.save_computed(household_id, compute(variant(8)), base_version_id=opened.id,
                                base_saved_at=opened.created_at)
        assert store.save_computed(household_id, compute(variant(8)), base_version_id=again.id,
                                   base_saved_at=again.created_at).number == again.number + 1
    finally:
        store.close()


@pytest.mark.backends("sqlite")   # the server's: test_store_postgres, its copy under the restore's lock
def test_a_payment_landing_during_a_restore_of_a_project_file_is_never_lost(tmp_path, monkeypatch):
    """Another PC on the shared file paid 0004 after the restore's safety copy and before the replacement: the
    payment was in neither the restored project nor the copy, and 0004 could be paid again (a reviewer)."""
    from calculator.store import RefusedByRule, restore
    path = tmp_path / "p.landcomp"
    store = SqliteStore(path, actor="李明")
    try:
        project = store.create_project("堡子片区")
        fill_project(store, project.id)
        household_id = hid(store, project, "0002")   # signed
        store.backup(str(tmp_path / "b.landcomp"))
        carry_over = restore.carry_over

        def another_pc_pays_meanwhile(*args, **kwargs):
            with SqliteStore(path, actor="王芳") as other:
                other.pay([household_id], batch="第2批")
            return carry_over(*args, **kwargs)
        monkeypatch.setattr(restore, "carry_over", another_pc_pays_meanwhile)
        with pytest.raises(RefusedByRule, match="恢复期间项目被其他人修改,未恢复"):
            store.restore_from(str(tmp_path / "b.landcomp"),
                               before_replacing=lambda: store.backup(str(tmp_path / "恢复前.landcomp")))
        assert store.household(household_id).status is Status.PAID
    finally:
        store.close()
