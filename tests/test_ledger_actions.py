"""The 台账 actions without Qt: project files, ledger queries and totals, sign, pay, sheet check, history, export."""
from __future__ import annotations

import re
import sqlite3
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from calculator.app import ledger_actions
from calculator.engine.compensation import compute
from calculator.core.errors import CalculationError, InputError
from calculator.app.ledger_actions import LedgerQuery, create_project, open_project
from calculator.store import Status, StoreError
from households import fill_project, variant


@pytest.fixture
def opened(tmp_path):
    project = create_project(tmp_path / "堡子片区", "堡子片区", "李明")
    yield project
    project.close()


@pytest.fixture
def results(opened):
    """Five computed households (0002 signed, 0003 paid) and one registered without a case (0099)."""
    return fill_project(opened.store, opened.project.id)


def ids(opened, *numbers):
    return [opened.store.find_household(opened.project.id, number).id for number in numbers]


# -- the project file -------------------------------------------------------------------------

def test_a_new_project_file_gets_its_suffix_and_reopens_with_its_one_project(opened, tmp_path):
    assert opened.path == tmp_path / "堡子片区.landcomp" and opened.path.is_file()
    opened.close()
    again = open_project(tmp_path / "堡子片区.landcomp", "王芳")
    assert (again.name, again.actor) == ("堡子片区", "王芳")
    again.close()


def test_a_create_that_loses_the_race_for_a_name_leaves_the_winners_project_whole(tmp_path, monkeypatch):
    """Two 新建项目 of one file at once both found the name free; the second, refused the file the first had made,
    removed it as its own leftovers: the first went on saving into a deleted file."""
    from calculator.app import ledger_actions
    path = tmp_path / "堡子片区.landcomp"
    first = []
    check_parent_folder = ledger_actions.check_parent_folder

    def first_creates_meanwhile(target):   # the second create, between its checks and making the file
        check_parent_folder(target)
        if not first:
            first.append(None)
            first[0] = create_project(path, "堡子片区", "李明")

    monkeypatch.setattr(ledger_actions, "check_parent_folder", first_creates_meanwhile)
    with pytest.raises(StoreError, match="已存在"):
        create_project(path, "另一个", "王芳")
    [winner] = first
    winner.store.add_household(winner.project.id, "0001")
    winner.close()
    again = open_project(path, "李明")
    assert again.name == "堡子片区" and [row.number for row in again.rows(LedgerQuery())] == ["0001"]
    again.close()


def test_creating_never_replaces_a_file_and_needs_a_name_and_an_actor(opened, tmp_path):
    with pytest.raises(StoreError, match="已存在"):
        create_project(opened.path, "另一个", "李明")
    with pytest.raises(StoreError, match="经办人"):
        create_project(tmp_path / "b.landcomp", "乙", " ")
    with pytest.raises(StoreError, match="名称"):
        create_project(tmp_path / "c.landcomp", "  ", "李明")
    # a path typed onto the one the dialog suggested: the folder it names is not there (seen in a real window)
    with pytest.raises(InputError, match="目录不存在") as refused:
        create_project(tmp_path / "调查导入测试.landcomp" / "tmp" / "p.landcomp", "调查导入测试", "李明")
    assert "no such directory" in refused.value.en and str(tmp_path / "调查导入测试.landcomp" / "tmp") in refused.value.zh
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".landcomp") == ["堡子片区.landcomp"]


@pytest.mark.parametrize("content", [None, b"", b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 200])
def test_a_missing_empty_foreign_or_damaged_file_is_refused_and_left_as_it_was(tmp_path, content):
    path = tmp_path / "x.landcomp"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(StoreError):
        open_project(path)
    assert (path.read_bytes() == content) if content is not None else not path.exists()


def test_another_programs_database_and_a_file_without_a_project_are_refused(tmp_path):
    other = tmp_path / "other.landcomp"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match="不是本程序"):
        open_project(other)
    from calculator.store import SqliteStore
    SqliteStore(tmp_path / "empty.landcomp", actor="李明").close()
    with pytest.raises(StoreError, match="没有项目"):
        open_project(tmp_path / "empty.landcomp")


def test_a_project_file_parted_from_its_journal_after_a_crash_holds_every_save_and_none_is_written_into(tmp_path):
    """After a crash, the .landcomp alone (moved, copied, mailed) was 4 KiB of no tables: the project and its saves
    stood in the -wal journal left behind. Opened, it said 没有项目 and was made an empty project, 77 KB written into
    it. Each change is now copied into the file as it commits, and a file with no project is opened unwritten."""
    import shutil
    project = create_project(tmp_path / "堡子片区.landcomp", "堡子片区", "李明")
    for number in ("0201", "0202"):
        project.store.add_household(project.project.id, number)
    parted = tmp_path / "moved"
    parted.mkdir()
    shutil.copyfile(project.path, parted / "堡子片区.landcomp")   # the file alone, the program still running
    project.close()
    moved = open_project(parted / "堡子片区.landcomp", "王芳")
    assert moved.name == "堡子片区" and [row.number for row in moved.rows(LedgerQuery())] == ["0201", "0202"]
    moved.close()

    empty = tmp_path / "empty.landcomp"   # as such a file was: SQLite's header, in WAL mode, no tables
    connection = sqlite3.connect(empty)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.close()
    before = empty.read_bytes()
    with pytest.raises(StoreError, match="没有项目") as refused:
        open_project(empty, "王芳")
    assert "-wal" in refused.value.zh and "-wal" in refused.value.en
    assert empty.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "empty.landcomp", "moved", "堡子片区.landcomp"]


# -- the ledger ---------------------------------------------------------------------------------

def test_a_backup_restores_the_project_and_the_replaced_state_is_kept(opened, results, tmp_path):
    backup = opened.backup(tmp_path / "备份")
    assert backup.name == "备份.landcomp"
    before = opened.summary(LedgerQuery())
    opened.store.add_household(opened.project.id, "0100", "后来登记户")
    opened.store.save_computed(opened.store.find_household(opened.project.id, "0100").id, compute(variant(6)))
    after = opened.summary(LedgerQuery())
    assert after.households == before.households + 1
    safety = opened.restore(backup, "20261123-120000")
    assert opened.summary(LedgerQuery()) == before  # back to the backup, exactly
    assert opened.store.find_household(opened.project.id, "0100") is None
    kept = open_project(safety)
    try:
        assert safety.name == "堡子片区-恢复前-20261123-120000.landcomp"
        assert kept.summary(LedgerQuery()) == after  # what the restore replaced can be restored in turn
    finally:
        kept.close()


def test_the_question_before_a_restore_says_what_the_backup_holds(opened, results, tmp_path):
    """A backup of another project, or an older one, picked by mistake replaced everything behind a question that
    named only its file: the question says the backup's project, its households and its last change."""
    backup = opened.backup(tmp_path / "备份")
    last = max(entry.at for entry in opened.store.audit_log(project_id=opened.project.id))
    opened.store.add_household(opened.project.id, "0100", "后来登记户")
    now = max(entry.at for entry in opened.store.audit_log())   # the open project's last change: what the restore drops
    said = opened.backup_said(opened.restore_source(backup))
    assert said == (f"备份中:项目「堡子片区」,6 户,最后修改于 {last[:10]} {last[11:16]}\n"
                    f"当前项目:「堡子片区」,7 户,最后修改于 {now[:10]} {now[11:16]}")
    other = create_project(tmp_path / "东关片区", "东关片区", "李明")
    try:
        other_backup = other.backup(tmp_path / "东关备份")
    finally:
        other.close()
    said = opened.backup_said(opened.restore_source(other_backup))
    assert said.startswith("备份中:项目「东关片区」,0 户,最后修改于 ")
    assert said.endswith("\n注意:备份的项目「东关片区」不是当前项目「堡子片区」,请确认选对了备份。")
    not_a_backup = tmp_path / "笔记.landcomp"
    not_a_backup.write_text("不是备份", encoding="utf-8")
    assert opened.backup_said(opened.restore_source(not_a_backup)) == ""   # the restore itself says why
    left = [p.name for p in tmp_path.iterdir() if p.name.endswith(("-wal", "-shm"))]   # reading a backup leaves none
    assert sorted(left) == ["堡子片区.landcomp-shm", "堡子片区.landcomp-wal"]   # only the open project's own


def test_a_sheet_of_a_version_a_restore_dropped_is_said_so_never_foreign(opened, results, tmp_path):
    """After a restore, 0001's signed 第2版 was gone and its number given out again; the sheet printed from it was said
    "不是按本项目文件中保存的任何一版打印的" while 0001's history held that version. A signed one is named (its
    signature's entry keeps the fingerprint); of any other, the restore is said."""
    assert opened.unmatched_sheet_text("0" * 12) == "本项目中没有这个校验码的版本:这张结算单不是按本项目中保存的任何一版打印的。"
    backup = opened.backup(tmp_path / "备份")
    first, fourth = ids(opened, "0001", "0004")
    signed = opened.store.save_computed(first, compute(variant(7)))
    opened.store.sign(first, fingerprint=signed.fingerprint)
    unsigned = opened.store.save_computed(fourth, compute(variant(8)))
    opened.restore(backup, "20261201-180000")
    restored = [entry for entry in opened.store.audit_log() if entry.action == "restore"][-1].at
    assert opened.check_sheet(signed.fingerprint) == [] and opened.check_sheet(unsigned.fingerprint) == []
    said = opened.unmatched_sheet_text(signed.fingerprint.upper())
    assert said.startswith("这张结算单是户号 0001 第 2 版,") and "已按此版签字" in said
    assert f"在 {restored[:10]} {restored[11:16]} 从备份恢复项目时撤销" in said
    said = opened.unmatched_sheet_text(unsigned.fingerprint)
    assert said.startswith(f"本项目现存的版本中没有这个校验码。项目曾于 {restored[:10]} {restored[11:16]} 从备份恢复")
    backup = opened.backup(tmp_path / "备份2")   # a household registered after the backup is named by its registration
    later = opened.store.add_household(opened.project.id, "0100", "后来登记户").id
    version = opened.store.save_computed(later, compute(variant(9)))
    opened.store.sign(later, fingerprint=version.fingerprint)
    opened.restore(backup, "20261201-190000")
    assert opened.unmatched_sheet_text(version.fingerprint).startswith("这张结算单是户号 0100(恢复后已不在项目中) 第 1 版,")


def test_a_backup_never_overwrites_the_project_itself(opened):
    with pytest.raises(StoreError, match="备份不能覆盖项目文件本身"):
        opened.backup(opened.path)
    with pytest.raises(StoreError, match="不能用项目文件自身恢复"):
        opened.restore(opened.path, "x")


def test_the_summary_equals_the_engines_totals_over_the_whole_filter(opened, results):
    totals = opened.summary(LedgerQuery())
    assert totals.households == 6
    assert totals.total == sum(r.total for r in results)
    assert totals.incentive == sum(r.relocation.incentive for r in results)
    assert totals.replacement_m2 == sum(r.replacement.total_m2 for r in results)
    assert totals.building_area_m2 == sum(r.relocation.given.building_area_m2 for r in results)
    signed = opened.summary(LedgerQuery(status=Status.SIGNED))
    assert (signed.households, signed.total) == (1, results[1].total)


def test_pages_follow_the_filter_and_the_sort(opened, results):
    query = LedgerQuery(sort="total", descending=True)
    first, rest = opened.page(query, 0, 2), opened.page(query, 2, 10)
    totals = [row.total for row in first + rest]
    assert totals[:5] == sorted((r.total for r in results), reverse=True) and totals[5] is None
    assert opened.count(query) == 6
    assert [r.number for r in opened.rows(LedgerQuery(text="东街19"))] == ["0003"]
    assert [r.head for r in opened.rows(LedgerQuery(text=" 李秀 "))] == ["李秀英"]
    assert [r.number for r in opened.rows(LedgerQuery(status=Status.DRAFT))] == ["0099"]
    assert opened.count(LedgerQuery(status=Status.PAID, text="王")) == 0


def test_amounts_are_shown_grouped_and_blank_without_a_computed_version():
    assert ledger_actions.money_text(Decimal("546616.3")) == "546,616.30"
    assert ledger_actions.money_text(None) == ledger_actions.area_text(None) == ""
    assert ledger_actions.area_text(Decimal("1234.125")) == "1,234.125"
    assert ledger_actions.area_text(Decimal("153")) == "153.00"


# -- status ---------------------------------------------------------------------------------------

def test_signing_checks_the_fingerprint_typed_from_the_sheet(opened, results):
    [first] = ids(opened, "0001")
    version = opened.store.current_version(first)
    with pytest.raises(StoreError, match="0001") as caught:
        opened.sign(first, "000000000000")
    assert "校验码" in caught.value.message and "不符" in caught.value.shown
    # Neither the typed nor the expected code is answered: a clerk could copy the right one onto the sheet.
    for text in (caught.value.shown, caught.value.message, caught.value.en, str(caught.value)):
        assert not re.search(r"[0-9a-f]{12}", text, re.IGNORECASE)
    with pytest.raises(InputError, match="12位"):
        opened.sign(first, "12ab")
    with pytest.raises(InputError) as pasted:   # a page pasted in: echoed whole, 100,000 characters twice on stderr
        opened.sign(first, "a" * 100_000)
    assert f"收到「{'a' * 37}…」" in pasted.value.zh and len(pasted.value.message) < 200
    assert opened.household(first).status is Status.COMPUTED
    spaced = " ".join(version.fingerprint[i:i + 4] for i in range(0, 12, 4)).upper()
    assert opened.sign(first, spaced).status is Status.SIGNED


def test_signing_without_a_fingerprint_and_refusals_name_the_household(opened, results):
    draft, signed = ids(opened, "0099", "0002")
    with pytest.raises(StoreError, match="0099"):
        opened.sign(draft)
    with pytest.raises(StoreError, match="0002"):
        opened.sign(signed, "")
    [fifth] = ids(opened, "0005")
    assert opened.sign(fifth, "").status is Status.SIGNED


def test_only_signed_households_are_paid_and_the_refusal_names_the_others(opened, results):
    signed, computed, paid = ids(opened, "0002", "0004", "0003")
    with pytest.raises(StoreError, match=r"0004\(已测算\)、0003\(已支付\)"):
        opened.pay([signed, computed, paid], "第2批")
    assert opened.household(signed).status is Status.SIGNED
    payment = opened.payment([signed])
    assert payment.total == results[1].total and payment.text().startswith("1 户(户号 0002),合计 ")
    with pytest.raises(StoreError, match="支付批次"):
        opened.pay([signed], "  ")
    with pytest.raises(StoreError, match="未标记支付"):                    # not the bank list's total: not paid
        opened.pay([signed], "第2批", results[1].total - Decimal("0.01"))
    assert opened.household(signed).status is Status.SIGNED
    paid = opened.pay([signed], "第2批", results[1].total)
    assert paid.amounts == (results[1].total,) and opened.household(signed).status is Status.PAID
    with pytest.raises(StoreError, match="选择"):
        opened.payment([])


def test_the_history_says_when_who_and_what(opened, results):
    [second] = ids(opened, "0002")
    opened.set_actor("王芳")
    opened.pay([second], "第2批")
    lines = opened.history(second)
    assert [line.actor for line in lines] == ["李明", "李明", "李明", "王芳"]
    assert lines[0].what.startswith("登记住户")
    assert lines[1].what.startswith("保存测算 第 1 版,合计 ") and "元" in lines[1].what
    assert lines[2].what.startswith("签字") and "校验码" in lines[2].what
    assert "批次 第2批" in lines[3].what and lines[3].what.endswith("(原为已签字)")
    assert len(lines[0].at) == 19 and "T" not in lines[0].at


def test_the_history_says_whether_a_signing_checked_the_sheets_code(opened, results):
    """Signed with the 校验码 left empty, the entry read as one checked against the sheet: an auditor could not tell."""
    first, fourth = ids(opened, "0001", "0004")
    opened.sign(first, opened.store.current_version(first).fingerprint.upper())
    opened.sign(fourth, "")
    checked, unchecked = (opened.history(household)[-1].what for household in (first, fourth))
    assert checked.startswith("签字") and "未核对" not in checked
    assert unchecked.startswith("签字") and ",未核对结算单校验码(原为已测算)" in unchecked


# -- a sheet brought back --------------------------------------------------------------------------

def test_a_sheet_is_traced_to_its_household_and_version(opened, results):
    [first] = ids(opened, "0001")
    old = opened.store.current_version(first)
    opened.store.save_computed(first, compute(variant(5)))
    [match] = opened.check_sheet(old.fingerprint.upper())
    assert (match.household.number, match.version.number, match.is_current, match.is_signed) == ("0001", 1, False, False)
    text = ledger_actions.describe_match(match)
    assert text.startswith("户号 0001 陈玉梅:第 1 版,合计 ") and "不是当前版本" in text and "未按此版签字" in text
    assert opened.check_sheet("ffffffffffff") == []
    with pytest.raises(InputError):
        opened.check_sheet("not hex")


# -- export -----------------------------------------------------------------------------------------

def test_the_exported_ledger_has_the_filtered_rows_in_order(opened, results, tmp_path):
    path = tmp_path / "台账.xlsx"
    query = LedgerQuery(status=Status.COMPUTED, sort="total", descending=True)
    assert opened.export_ledger(query, path) == 3
    sheet = load_workbook(path).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    numbers = [row[0] for row in cells[2:5]]
    assert numbers == [r.number for r in opened.rows(query)] == ["0005", "0004", "0001"]
    assert cells[5][0] is None  # the rows stop there
    assert Decimal(str(cells[2][4])) == results[4].total
    assert cells[0][0] == f"{opened.name}(已测算) 台账"


def test_an_exported_search_says_so_in_its_title(opened, results, tmp_path):
    """A search's rows were titled as the whole ledger, their 合计 read as the project's."""
    path = tmp_path / "台账.xlsx"
    assert opened.export_ledger(LedgerQuery(text=" 0002 "), path) == 1
    assert load_workbook(path).active["A1"].value == f"{opened.name}(查找“0002”) 台账"
    assert opened.export_ledger(LedgerQuery(status=Status.SIGNED, text="0002"), path) == 1
    assert load_workbook(path).active["A1"].value == f"{opened.name}(已签字;查找“0002”) 台账"
    assert opened.export_ledger(LedgerQuery(), path) == 6 and load_workbook(path).active["A1"].value == \
        f"{opened.name} 台账"


# -- junk -------------------------------------------------------------------------------------------

JUNK = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(text=JUNK, status=st.sampled_from([None, "草稿", "paid", "已签字", "nonsense", ""]),
       sort=st.sampled_from(["number", "total", "updated_at", "junk; DROP TABLE households"]),
       offset=st.integers(-5, 50), limit=st.integers(-5, 500))
def test_junk_input_gives_a_calculation_error_or_an_answer(tmp_path_factory, text, status, sort, offset, limit):
    folder = tmp_path_factory.mktemp("junk")
    opened = create_project(folder / "p", "项目", "李明")
    try:
        opened.store.add_household(opened.project.id, "0001", "王建国")
        for action in (lambda: opened.page(LedgerQuery(status or None, text, sort), offset, limit),
                       lambda: opened.summary(LedgerQuery(status or None, text)),
                       lambda: opened.check_sheet(text),
                       lambda: opened.sign(opened.store.find_household(opened.project.id, "0001").id, text),
                       lambda: opened.pay([1], text),
                       lambda: open_project(folder / (text.replace("/", "") or "x"))):
            try:
                action()
            except CalculationError:
                pass
    finally:
        opened.close()


def test_the_import_message_says_what_happened_to_every_household():
    from calculator.app.survey import ImportSummary
    summary = ImportSummary(added=("0007", "0008"), updated=("0099",), unchanged=("0001",),
                            refused=(("0002", "台账中已有第2版测算(经办人 李明),与调查表不同,未覆盖"),))
    text = ledger_actions.import_text(summary)
    assert text.splitlines()[0] == "新增 2 户,已登记户首次录入 1 户,未变 1 户,未覆盖 1 户。"
    assert "新增:0007、0008" in text and "首次录入:0099" in text
    assert "未覆盖 户号 0002:台账中已有第2版测算" in text


def test_the_import_message_names_the_households_to_check_and_those_the_survey_left_out():
    """The message closing an import said nothing of the preview's 提示 nor of the households with a problem."""
    from calculator.app.survey import ImportSummary
    from calculator.app.survey.households import SurveyEntry
    from calculator.app.survey.importing import ADD, REFUSED, UNCHANGED, ImportStep

    def step(number, action, warnings=()):
        return ImportStep(SurveyEntry(number, "户主", "", "2", Decimal("1.00"), warnings), action, number)
    steps = [step("0007", ADD, ("窑洞/砖石窑洞 未填单价,按区间中值 425 计",)), step("0008", ADD),
             step("0001", UNCHANGED, ("已导入过的提示",)), step("0002", REFUSED, ("未覆盖的提示",))]
    summary = ImportSummary.of(steps)
    text = ledger_actions.import_text(summary, ("0011", "0012"))
    assert text.splitlines()[0] == "新增 2 户,已登记户首次录入 0 户,未变 1 户,未覆盖 1 户,调查表有问题未导入 2 户。"
    assert "有提示须核对 1 户(见导入前的预览,或在补偿测算中打开):0007\n" in text   # only what this import saved
    assert "调查表有问题未导入:0011、0012" in text
    assert "提示" not in ledger_actions.import_text(ImportSummary.of(steps[1:2]))
    # a second team's sheet, none of whose households was read: the message closing the import said nothing of it
    assert ledger_actions.import_text(ImportSummary.of(steps[:2]), (), ("第二组",)).splitlines()[0] == (
        "新增 2 户,已登记户首次录入 0 户,未变 0 户;工作表「第二组」的住户未读取,均未导入。")


# -- the survey import preview ---------------------------------------------------------------------

def surveyed(number: str, case) -> "SurveyHousehold":
    from calculator.app.survey import SurveyHousehold
    return SurveyHousehold(number, case, (2,), compute(case))


def test_the_import_preview_says_what_the_import_then_does_to_each_household(opened, results):
    changed = variant(7)
    households = [surveyed("0003", changed),              # paid, and the survey differs
                  surveyed("1", changed),                 # 0001 computed, the survey differs
                  surveyed("0004", variant(3)),           # the same case (its typed 案件编号 aside)
                  surveyed("0200", variant(8)),           # new to the project
                  surveyed("99", variant(9))]             # registered as 0099 without a case
    plan = opened.plan_import(households)
    assert [(step.number, step.text().split(":")[0]) for step in plan] == [
        ("0003", "不导入"), ("0001", "不导入"), ("0004", "不变"), ("0200", "新增"), ("0099", "补录首个版本")]
    assert "已支付" in plan[0].text() and "补差" in plan[0].text() and "第1版测算" in plan[1].text()
    # registered by hand as 未测算户: the survey's 户主 replaces it, and the preview says so (it said nothing)
    assert plan[4].text() == "补录首个版本:户主「未测算户」改为「赵桂兰9」"
    assert opened.store.ledger_count(opened.project.id) == 6  # the preview changed nothing
    summary = opened.import_survey(households)
    assert (summary.added, summary.updated, summary.unchanged) == (("0200",), ("0099",), ("0004",))
    assert summary.refused == tuple((step.number, step.reason) for step in plan[:2])
    for number in ("0200", "0099"):  # saved numbered by the 户号 as the ledger writes it
        [household_id] = ids(opened, number)
        assert opened.store.current_version(household_id).case().case_id == number
    assert opened.plan_import(households)[3].text() == "不变"  # imported again: nothing to do


def test_the_ledger_workbook_has_local_times_as_date_cells_and_the_signing_and_payment(opened, results, tmp_path,
                                                                                       monkeypatch):
    import datetime as dt
    import time
    paid, signed = ids(opened, "0003", "0002")
    opened.store._conn.execute("UPDATE households SET updated_at = '2023-06-12T02:05:00+00:00' WHERE id = ?", (paid,))
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        opened.export_ledger(LedgerQuery(), tmp_path / "台账.xlsx")
    finally:
        monkeypatch.undo()
        time.tzset()
    sheet = load_workbook(tmp_path / "台账.xlsx").active
    head = [cell.value for cell in sheet[2]]
    assert head[-6:] == ["最后修改", "身份证号", "电话", "签字日期", "支付批次", "支付日期"]
    rows = {row[0].value: {name: cell for name, cell in zip(head, row)} for row in sheet.iter_rows(min_row=3, max_row=8)}
    updated = rows["0003"]["最后修改"]
    assert updated.is_date and updated.value == dt.datetime(2023, 6, 12, 10, 5)  # UTC 02:05 is 10:05 in 文水
    assert updated.number_format == "yyyy-mm-dd hh:mm"
    case = variant(2).household
    assert (rows["0003"]["身份证号"].value, rows["0003"]["电话"].value) == (case["id_number"], case["phone"])
    assert rows["0003"]["身份证号"].data_type == "s"  # 18 digits stay text, never a rounded number
    assert rows["0003"]["支付批次"].value == "第1批" and rows["0003"]["支付日期"].is_date
    assert rows["0003"]["签字日期"].is_date and rows["0002"]["签字日期"].is_date
    assert rows["0002"]["支付批次"].value is None and rows["0002"]["支付日期"].value is None
    assert rows["0001"]["签字日期"].value is None  # computed, not signed
    assert rows["0099"]["身份证号"].value is None and rows["0099"]["最后修改"].is_date
    from zoneinfo import ZoneInfo
    signed_at = dt.datetime.fromisoformat(opened.store.audit_log(household_id=signed)[-1].at)
    assert rows["0002"]["签字日期"].value.date() == signed_at.astimezone(ZoneInfo("Asia/Shanghai")).date()  # local day


# -- one household without a survey ---------------------------------------------------------------

def test_a_household_is_registered_and_corrected_by_hand_and_audited(opened, results):
    added = opened.register_household(" ０２０１ ", " 孙立 ", "堡子村西街3号")
    assert (added.number, added.head, added.address, added.status) == ("0201", "孙立", "堡子村西街3号", Status.DRAFT)
    with pytest.raises(StoreError, match="0001") as caught:
        opened.register_household("1", "重复户", "")  # 1 and 0001 are one 户号
    assert "相同" in caught.value.shown and opened.store.ledger_count(opened.project.id) == 7
    with pytest.raises(InputError, match="户主过长"):
        opened.register_household("0202", "名" * 41, "")
    with pytest.raises(InputError, match="户号不能为空"):
        opened.register_household(" ", "无号", "")
    corrected = opened.register_household("0210", "孙立", "堡子村西街5号", added.id)
    assert (corrected.id, corrected.number, corrected.address) == (added.id, "0210", "堡子村西街5号")
    assert opened.register_household("0210", "孙立民", "堡子村西街5号", added.id).head == "孙立民"  # its own number
    with pytest.raises(StoreError, match="已有测算版本"):
        opened.register_household("0001", "王建国", "新地址", ids(opened, "0001")[0])
    lines = opened.history(added.id)
    assert [line.what for line in lines] == ["登记住户,户号 0201 孙立 堡子村西街3号",
                                             "修改登记,户号 0210 孙立 堡子村西街5号",
                                             "修改登记,户号 0210 孙立民 堡子村西街5号"]
    assert opened.store.verify_all() == []  # the chain still vouches for every household


def test_a01_and_a01_let_in_by_an_earlier_version_are_each_found_by_the_number_written_so(opened):
    """Letters are one household in either case (A01 is a01), as 0001 is 1; a project where an earlier version let
    both in is not locked out: each is found, corrected and saved under its own number, and a new B01 is b01."""
    upper, lower = (opened.store.add_household(opened.project.id, number) for number in ("A01", "a01"))
    assert opened.find_household("A01").id == upper.id and opened.find_household("ａ01").id == lower.id
    assert opened.register_household("a01", "孙立", "", lower.id).head == "孙立"   # its own number: not refused
    with pytest.raises(StoreError, match="只差前导零或字母大小写也算同一户号"):
        opened.register_household("A01", "孙立", "", lower.id)
    opened.register_household("B01", "李四", "")
    with pytest.raises(StoreError, match="B01"):
        opened.register_household("b01", "李四", "")
    assert opened.save_case("a01", variant(1)).household_id == lower.id


def test_a_second_project_record_put_into_the_file_is_refused_never_shown_as_the_ledger(tmp_path):
    """A household moved to a second `projects` row vanished from the ledger and every total, nothing flagged; a row
    with id 0 opened the file as an empty project. The program makes one project a file: two are refused at open."""
    created = create_project(tmp_path / "p.landcomp", "堡子片区", "李明")
    fill_project(created.store, created.project.id)
    created.close()
    with sqlite3.connect(tmp_path / "p.landcomp") as connection:
        connection.execute("INSERT INTO projects (id, name, created_at) VALUES (0, '空', '2026-01-01T00:00:00')")
    with pytest.raises(StoreError, match="2 个项目记录") as refused:
        open_project(tmp_path / "p.landcomp", "李明")
    assert "restore it from a backup: move this file aside" in refused.value.en
    assert "把此文件移到别处保留(以便核查),再把最近的备份文件复制到这里、改为此文件名" in refused.value.zh
