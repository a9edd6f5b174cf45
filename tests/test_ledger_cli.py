"""`landcomp ledger` through the real command, on a project file and on a PostgreSQL server: every
command, its JSON, the exit status 3 for a refusal by the project's rules, and nothing written
when a command fails."""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from households import EXAMPLE
from test_survey import example_rows, fill

REPO = Path(__file__).resolve().parent.parent
FINGERPRINT = re.compile(r"[0-9a-f]{12}")
pytestmark = pytest.mark.backends("sqlite", "postgres")


@pytest.fixture
def project(request, backend, tmp_path) -> str:
    """A new project made by `landcomp ledger create`: a file, or a fresh database on the test server."""
    location = request.getfixturevalue("pg_url") if backend == "postgres" else str(tmp_path / "堡子片区.landcomp")
    created = ledger(tmp_path, "create", location, "--name", "堡子片区")
    assert created.returncode == 0, created.stderr
    return location


def ledger(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUTF8": "1", "PYTHONPATH": str(REPO), "LANDCOMP_ACTOR": "李明"}
    return subprocess.run([sys.executable, "-m", "calculator", "ledger", *map(str, args)], cwd=folder, env=env,
                          capture_output=True, encoding="utf-8", timeout=180)


def as_json(run: subprocess.CompletedProcess):
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def listed(folder: Path, project: str) -> dict:
    return as_json(ledger(folder, "list", project, "--json"))


def test_a_household_from_save_to_payment(tmp_path, project):
    saved = as_json(ledger(tmp_path, "save", project, "001", EXAMPLE, "--json"))
    assert saved["household"] == "001" and saved["version"] == 1 and saved["status"] == "已测算"
    assert saved["total"] == "546616.30" and FINGERPRINT.fullmatch(saved["fingerprint"])

    stale = ledger(tmp_path, "save", project, "1", EXAMPLE, "--base-version", "0")  # 1 is 001; it has version 1
    assert stale.returncode == 3 and stale.stdout == "" and "户号 001" in stale.stderr
    assert re.search(r"户号 001 当前是第1版\((李明|landcomp_owner) \d{4}-\d\d-\d\d \d\d:\d\d 保存\),不是第0版,未保存",
                     stale.stderr), stale.stderr   # who saved in between, and when

    shown = as_json(ledger(tmp_path, "show", project, "001", "--json"))
    assert shown["version"] == 1 and shown["case"]["case_id"] == "001"
    assert shown["result"]["total"] == "546616.30" and shown["result"]["total_in_words"] == "人民币伍拾肆万陆仟陆佰壹拾陆元叁角"

    for blank in ("", "  "):   # no code typed is no check: refused, never signed unchecked
        unchecked = ledger(tmp_path, "sign", project, "001", "--fingerprint", blank)
        assert unchecked.returncode == 2 and "校验码" in unchecked.stderr and "fingerprint" in unchecked.stderr
    wrong = ledger(tmp_path, "sign", project, "001", "--fingerprint", "000000000000")
    assert wrong.returncode == 3 and not FINGERPRINT.search(wrong.stderr.replace("000000000000", ""))
    assert ledger(tmp_path, "sign", project, "001", "--fingerprint", saved["fingerprint"].upper()).returncode == 0
    unreasoned = ledger(tmp_path, "save", project, "001", EXAMPLE)
    assert unreasoned.returncode == 3 and "更正" in unreasoned.stderr
    # the bank list said 546,606.30: the batch comes to 546,616.30, and is not marked paid at a total not checked
    short = ledger(tmp_path, "pay", project, "001", "--batch", "第1批", "--total", "546606.30")
    assert short.returncode == 3 and short.stdout == "" and "合计 546,616.30 元,不是 546,606.30 元" in short.stderr
    assert listed(tmp_path, project)["households"][0]["status"] == "已签字"
    for total in ("546616.304", "-546616.30"):   # refused as what it is, not as 546,616.30 ≠ 546,616.30
        odd = ledger(tmp_path, "pay", project, "001", "--batch", "第1批", "--total", total)
        assert odd.returncode == 2 and "至多两位小数" in odd.stderr and total in odd.stderr, odd.stderr
    paying = ledger(tmp_path, "pay", project, "001", "--batch", "第1批", "--total", "546616.30")
    assert paying.returncode == 0, paying.stderr
    assert re.search(r"^001 +\S+ +546,616\.30$", paying.stdout, re.M), paying.stdout   # what each is paid, said
    assert "1 户已支付(批次 第1批),合计 546,616.30 元" in paying.stdout
    paid = ledger(tmp_path, "save", project, "001", EXAMPLE, "--reason", "更正面积")
    assert paid.returncode == 3 and "已支付" in paid.stderr

    rows = listed(tmp_path, project)
    assert [(h["household"], h["status"], h["version"], h["total"]) for h in rows["households"]] == [
        ("001", "已支付", 1, "546616.30")]
    assert rows["totals"]["households"] == 1 and rows["totals"]["total"] == "546616.30"
    history = as_json(ledger(tmp_path, "history", project, "001", "--json"))["entries"]
    assert [entry["what"][:2] for entry in history] == ["登记", "保存", "签字", "支付"]
    typed_short = as_json(ledger(tmp_path, "history", project, "1", "--json"))   # named as registered, not as typed
    assert typed_short["household"] == "001" and typed_short["entries"] == history


def test_refusals_write_nothing(tmp_path, project):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"items": [{"item": "菜窖/砖石", "quantity": "6"}]}, ensure_ascii=False),
                   encoding="utf-8")
    refused = ledger(tmp_path, "save", project, "002", bad)
    assert refused.returncode == 2 and "depth_m" in refused.stderr and refused.stdout == ""
    assert f"landcomp: {bad} items[0](第1行)「菜窖/砖石」: 缺少深度" in refused.stderr   # the file named, as compensation does
    stale = ledger(tmp_path, "save", project, "003", EXAMPLE, "--base-version", "2")
    assert stale.returncode == 3 and "户号 003 尚无版本,不是第2版,未保存" in stale.stderr
    unpaid = ledger(tmp_path, "pay", project, "004", "--batch", "第1批")
    assert unpaid.returncode == 2 and "004" in unpaid.stderr
    assert listed(tmp_path, project)["households"] == []            # neither 002 nor 003 was registered


def test_survey_template_import_and_dry_run(tmp_path, project):
    assert ledger(tmp_path, "template", tmp_path / "t.xlsx").returncode == 0
    survey = fill(tmp_path / "t.xlsx", tmp_path / "s.xlsx", example_rows("0002"))
    planned = as_json(ledger(tmp_path, "import", project, survey, "--dry-run", "--json"))
    # each household with what to check on it, by its survey row, as `compensation` says it of a case file
    assert planned == {"dry_run": True, "households": [
        {"household": "0002", "action": "add", "label": "新增", "total": "546616.30", "warnings": [
            "调查表 第4行「窑洞/砖石窑洞」: 未填单价,按区间中值 650.00 计 / no rate given, midpoint 650.00 used",
            "调查表 第19行「大门/普通装修」: 超标准,理由:带门楼,评估报告第4页 / outside the standard, reason given",
            "调查表 第25行「杂棚」: 未填单价,按区间中值 35.00 计 / no rate given, midpoint 35.00 used",
            "调查表 第25行「杂棚」: 有争议,不计入合计 / disputed, held out of the total"]}]}
    text = ledger(tmp_path, "import", project, survey, "--dry-run").stdout
    assert text.startswith("0002  新增\n  提示: 调查表 第4行「窑洞/砖石窑洞」: 未填单价,按区间中值 650.00 计")
    assert listed(tmp_path, project)["households"] == []
    assert as_json(ledger(tmp_path, "import", project, survey, "--json"))["dry_run"] is False
    assert [h["household"] for h in listed(tmp_path, project)["households"]] == ["0002"]
    again = as_json(ledger(tmp_path, "import", project, survey, "--json"))
    assert [h["action"] for h in again["households"]] == ["unchanged"]
    # a survey changed since (the ledger's version may be a correction): the dry run says which would be refused
    rows = example_rows("0002")
    rows[0]["数量"] = 90
    changed = ledger(tmp_path, "import", project, fill(tmp_path / "t.xlsx", tmp_path / "s2.xlsx", rows), "--dry-run")
    assert changed.returncode == 0 and changed.stdout.endswith("共 1 户:不导入 1(试运行,未写入)\n"), changed.stdout
    assert "1 户不能导入(原因见输出)" in changed.stderr and "the import would be refused" in changed.stderr
    changed = ledger(tmp_path, "import", project, tmp_path / "s2.xlsx", "--dry-run", "--json")   # said with --json too
    assert changed.returncode == 0 and [h["action"] for h in as_json(changed)["households"]] == ["refused"]
    assert "1 户不能导入" in changed.stderr
    # the import itself is refused by the project's rules, with why (contract: exit 3, nothing written)
    grown = fill(tmp_path / "t.xlsx", tmp_path / "s3.xlsx", rows + example_rows("0003"))
    refused = ledger(tmp_path, "import", project, grown)
    assert refused.returncode == 3 and refused.stdout == "", refused
    assert "调查表中 1 户不能导入,未导入任何住户" in refused.stderr
    assert "户号 0002:台账中已有第1版测算" in refused.stderr and "nothing was imported" in refused.stderr
    assert [h["household"] for h in listed(tmp_path, project)["households"]] == ["0002"]   # 0003 not added
    assert ledger(tmp_path, "import", project, survey).stdout.endswith("共 1 户:不变 1\n")


def test_a_survey_household_giving_a_registered_familys_id_number_is_imported_and_said(tmp_path, project):
    """0001 was saved from the example; a later survey lists the same family as 0002 (its 身份证号 typed with spaces):
    imported all the same, and said; imported again, 0002 is itself and nothing more is said of it."""
    assert ledger(tmp_path, "save", project, "0001", EXAMPLE).returncode == 0
    assert ledger(tmp_path, "template", tmp_path / "t.xlsx").returncode == 0
    rows = example_rows("0002")
    rows[0]["身份证号"] = "142329 19680512 0317"
    survey = fill(tmp_path / "t.xlsx", tmp_path / "s.xlsx", rows)
    [planned] = as_json(ledger(tmp_path, "import", project, survey, "--json"))["households"]
    assert planned["action"] == "add" and planned["warnings"][0] == (
        "户主身份证号 142329196805120317 也登记在户号 0001(王建国) 下,请核对是否同一户重复登记 / the head's id number is also "
        "given for household 0001: check that the household is not registered twice")
    assert [h["household"] for h in listed(tmp_path, project)["households"]] == ["0001", "0002"]
    [again] = as_json(ledger(tmp_path, "import", project, survey, "--dry-run", "--json"))["households"]
    assert again["action"] == "unchanged" and again["warnings"][0].startswith("户主身份证号 142329196805120317 也登记在户号 0001(王建国) 下")
    assert not any("户号 0002" in warning for warning in again["warnings"])


def test_files_out_of_the_ledger(tmp_path, project):
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    assert ledger(tmp_path, "export", project, tmp_path / "台账.xlsx").returncode == 0
    from openpyxl import load_workbook
    sheet = load_workbook(tmp_path / "台账.xlsx").active
    assert "001" in [cell.value for cell in sheet["A"]]
    made = ledger(tmp_path, "sheets", project, tmp_path / "sheets")
    assert made.returncode == 0 and "已生成 1 份结算单" in made.stdout
    assert [p.name for p in (tmp_path / "sheets").rglob("*.pdf")] == ["001-王建国-结算单.pdf"]
    backup = tmp_path / "backup.landcomp"
    assert ledger(tmp_path, "backup", project, backup).returncode == 0
    assert sorted(p.name for p in tmp_path.glob("backup*")) == ["backup.landcomp"]  # one file, no -wal/-shm
    assert ledger(tmp_path, "save", project, "005", EXAMPLE).returncode == 0
    restored = ledger(tmp_path, "restore", project, backup)
    assert restored.returncode == 0, restored.stderr
    assert [h["household"] for h in listed(tmp_path, project)["households"]] == ["001"]
    copy = listed(tmp_path, str(backup))
    assert copy["totals"]["total"] == "546616.30" and Decimal(copy["totals"]["total"]) == Decimal("546616.30")


def test_a_workbook_named_as_another_kind_of_file_is_refused(tmp_path, project):
    """`ledger export P ledger.pdf` wrote a workbook called .pdf, which no program then opened."""
    for args in (("export", project, "台账.pdf"), ("template", "调查表.json")):
        refused = ledger(tmp_path, *args)
        assert refused.returncode == 2 and "OUT 写的是 XLSX 文件" in refused.stderr, refused.stderr
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob("*.json"))


def test_sheets_into_a_folder_that_cannot_be_made_are_refused_as_bad_input(tmp_path, project):
    """The folder named was made unguarded: a place that takes no new folder gave exit 1 and a bare system error."""
    made = ledger(tmp_path, "sheets", project, "/proc/landcomp-sheets")
    assert made.returncode == 2 and "无法建立文件夹" in made.stderr and "cannot create the folder" in made.stderr


def test_grant_is_for_server_projects(tmp_path, project, backend):
    run = ledger(tmp_path, "grant", project, "assessor_role", "--as", "assessor")
    if backend == "sqlite":
        assert run.returncode == 2 and "postgresql" in run.stderr
        return
    assert run.returncode == 2 and "没有数据库角色「assessor_role」" in run.stderr, run.stderr   # was a read error
    from pgcluster import ASSESSOR
    run = ledger(tmp_path, "grant", project, ASSESSOR, "--as", "assessor")
    assert run.returncode == 0 and run.stdout == f"已授权 {ASSESSOR} 为 assessor / {ASSESSOR} granted assessor\n", run
    from pgcluster import url_as
    as_assessor = url_as(project, ASSESSOR)
    assert ledger(tmp_path, "save", as_assessor, "001", EXAMPLE).returncode == 0
    version = as_json(ledger(tmp_path, "show", as_assessor, "001", "--json"))
    signing = ledger(tmp_path, "sign", as_assessor, "001", "--fingerprint", version["fingerprint"])
    assert signing.returncode == 3                                     # an assessor may not sign: the server says so


def test_review_refusals(tmp_path, project, backend):
    """Found in review: each of these once wrote over data, or answered with a traceback."""
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    other = tmp_path / "other.landcomp"
    assert ledger(tmp_path, "create", other, "--name", "另一片区").returncode == 0
    before = other.read_bytes()
    assert ledger(tmp_path, "backup", project, other).returncode == 2 and other.read_bytes() == before
    assert ledger(tmp_path, "export", other, other).returncode == 2 and other.read_bytes() == before
    for version in ("0", "99999999999999999999"):
        assert ledger(tmp_path, "show", project, "001", "--version", version).returncode == 2
    assert ledger(tmp_path, "create", tmp_path / "x.landcomp", "--name", "测\x1b[31m试").returncode == 2
    assert not (tmp_path / "x.landcomp").exists()
    fingerprint = as_json(ledger(tmp_path, "show", project, "001", "--json"))["fingerprint"]
    assert ledger(tmp_path, "sign", project, "001", "--fingerprint", fingerprint).returncode == 0
    doubled = ledger(tmp_path, "pay", project, "001", "1", "--batch", "第1批", "--total", "1093232.60")
    assert doubled.returncode == 3 and "列表中户号 001 出现了不止一次,只计一次。这批住户现在合计" in doubled.stderr   # said first
    twice = ledger(tmp_path, "pay", project, "001", "1", "--batch", "第1批")      # one household, named twice
    assert twice.returncode == 0, twice.stderr
    assert "户号 001 列出了不止一次,只支付一次" in twice.stderr and "1 户已支付" in twice.stdout
    zero = tmp_path / "zero.xlsx"
    zero.symlink_to("/dev/zero")
    assert ledger(tmp_path, "import", project, zero).returncode == 2
    if backend == "postgres":
        again = ledger(tmp_path, "create", project, "--name", "乙")
        assert again.returncode == 2 and "已有项目" in again.stderr


def test_an_amendment_changing_nothing_is_refused_and_the_signature_stands(tmp_path, project):
    """Re-saving a signed household with --reason and the same case made version 2, 校验码 unchanged, and set it back to
    已测算: its signature lost for nothing, the household out of the next payment batch."""
    saved = as_json(ledger(tmp_path, "save", project, "001", EXAMPLE, "--json"))
    assert ledger(tmp_path, "sign", project, "001", "--fingerprint", saved["fingerprint"]).returncode == 0
    entries = len(as_json(ledger(tmp_path, "history", project, "001", "--json"))["entries"])
    same = ledger(tmp_path, "save", project, "001", EXAMPLE, "--reason", "复核")
    assert same.returncode == 3 and same.stdout == "" and "更正与已签字的第1版相同" in same.stderr, same.stderr
    [row] = listed(tmp_path, project)["households"]
    assert (row["status"], row["version"]) == ("已签字", 1)
    assert len(as_json(ledger(tmp_path, "history", project, "001", "--json"))["entries"]) == entries
    changed = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    changed["items"][0]["quantity"] = "86.50"
    (tmp_path / "changed.json").write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    amended = as_json(ledger(tmp_path, "save", project, "001", tmp_path / "changed.json", "--reason", "复核", "--json"))
    assert (amended["version"], amended["status"]) == (2, "已测算")      # a real amendment still lands
    shown = ledger(tmp_path, "show", project, "001").stdout.splitlines()   # saying what its sheet will say of it
    assert shown[1] == (f"更正说明:本单为第2版,更正已签字的第1版(合计 546,616.30 元,校验码 {saved['fingerprint']}),"
                        "以本单为准。更正理由:复核")
    assert "更正说明" not in ledger(tmp_path, "show", project, "001", "--version", "1").stdout


@pytest.mark.backends("sqlite")  # a file's safety copies, beside it
def test_two_restores_in_one_second_keep_both_safety_copies(tmp_path, backend):
    project, backup = tmp_path / "p.landcomp", tmp_path / "b.landcomp"
    assert ledger(tmp_path, "create", project, "--name", "堡子片区").returncode == 0
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    backed = ledger(tmp_path, "backup", project, backup)   # said in both languages, as every other command does
    assert backed.returncode == 0 and backed.stdout == f"已备份到 {backup} / backed up to {backup}\n"
    for _ in range(2):
        restored = ledger(tmp_path, "restore", project, backup)
        assert restored.returncode == 0 and f"/ restored from {backup}; what it replaced kept as" in restored.stdout
    assert len(list(tmp_path.glob("p-恢复前-*.landcomp"))) == 2
    exported = ledger(tmp_path, "export", project, tmp_path / "台账.xlsx")
    assert exported.stdout == f"已导出 1 户到 {tmp_path / '台账.xlsx'} / 1 households exported to {tmp_path / '台账.xlsx'}\n"


def test_what_is_not_there_is_named_as_the_user_knows_it(tmp_path, project):
    """A version the household lacks is named by its 户号 (not the store's row id); a folder or a device given
    as the project is called what it is, not 'does not exist'."""
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    missing = ledger(tmp_path, "show", project, "001", "--version", "99")
    assert missing.returncode == 2 and "户号 001 没有第 99 版" in missing.stderr
    assert "household 001 has no version 99" in missing.stderr
    for given, zh, en in ((tmp_path, "文件夹", "folder"), ("/dev/zero", "不是普通文件", "not a regular file"),
                          (tmp_path / "nowhere.landcomp", "不存在", "does not exist")):
        said = ledger(tmp_path, "list", given)
        assert said.returncode == 2 and zh in said.stderr and en in said.stderr, said.stderr
    control = ledger(tmp_path, "show", project, "00\x1b[2J1")        # an escape that would clear the terminal
    assert control.returncode == 2 and "U+001B" in control.stderr and "\x1b" not in control.stderr


def test_a_folder_is_never_taken_for_a_project_file_beside_it(tmp_path, project):
    """`create /tmp` and `backup P /tmp` made /tmp.landcomp: a folder given as the file is refused."""
    folder = tmp_path / "备份"
    folder.mkdir()
    for args in (("create", folder, "--name", "乙"), ("backup", project, folder)):
        refused = ledger(tmp_path, *args)
        assert refused.returncode == 2 and "文件夹" in refused.stderr and "folder" in refused.stderr, refused.stderr
    assert not (tmp_path / "备份.landcomp").exists() and list(folder.iterdir()) == []
    unwritable = ledger(tmp_path, "backup", project, "/proc/备份")   # a folder that takes no file: named, not P
    assert unwritable.returncode == 2 and "/proc/备份.landcomp" in unwritable.stderr
    assert "cannot write the backup file" in unwritable.stderr, unwritable.stderr


def test_a_device_a_pipe_or_another_file_named_for_a_backup_is_refused_not_written_beside(tmp_path, project):
    """`backup P /dev/null` wrote /dev/null.landcomp (exit 0, 已备份到 /dev/null.landcomp); a pipe or a case file
    named gave fifo.landcomp, h.json.landcomp."""
    pipe, case = tmp_path / "fifo", tmp_path / "h.json"
    os.mkfifo(pipe)
    case.write_text("{}", encoding="utf-8")
    for named in ("/dev/null", pipe, case):
        refused = ledger(tmp_path, "backup", project, named)
        assert refused.returncode == 2 and "已存在,不是项目文件(.landcomp)" in refused.stderr, refused.stderr
        assert not os.path.lexists(f"{named}.landcomp")
    assert ledger(tmp_path, "create", case, "--name", "乙").returncode == 2


def test_a_restore_from_a_file_that_is_no_backup_writes_nothing(tmp_path, project):
    """Refused (exit 2) before anything is written: no safety copy, no audit entry, the project as it was."""
    from calculator.store import open_store

    def audit():
        with open_store(project, actor="李明") as store:
            return store.audit_log()
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    before = audit()
    garbage = tmp_path / "garbage.landcomp"
    garbage.write_bytes(b"SQLite format 3\0" + b"\x07" * 4000)
    other = tmp_path / "other.landcomp"
    import sqlite3
    with sqlite3.connect(other) as foreign:
        foreign.execute("CREATE TABLE t (x)")
    foreign.close()
    for source, said in ((tmp_path / "missing.landcomp", "does not exist"),
                         (garbage, "the backup file is damaged"),                  # not the project: it is fine
                         (other, "not a landcomp backup"), (tmp_path, "folder"), ("/dev/zero", "not a regular file")):
        refused = ledger(tmp_path, "restore", project, source)
        assert refused.returncode == 2 and refused.stdout == "" and said in refused.stderr, (source, refused.stderr)
    assert list(tmp_path.glob("*恢复前*")) == []
    assert audit() == before and [entry.action for entry in before][-2:] == ["add_household", "save_computed"]
    # a backup without the version 002 was paid on: refused (it would erase the payment) before the safety copy
    backup = tmp_path / "before-002.landcomp"
    assert ledger(tmp_path, "backup", project, backup).returncode == 0
    fingerprint = as_json(ledger(tmp_path, "save", project, "002", EXAMPLE, "--json"))["fingerprint"]
    assert ledger(tmp_path, "sign", project, "002", "--fingerprint", fingerprint).returncode == 0
    assert ledger(tmp_path, "pay", project, "002", "--batch", "第1批").returncode == 0
    paid = audit()
    refused = ledger(tmp_path, "restore", project, backup)
    assert refused.returncode == 2 and "支付" in refused.stderr and "payment" in refused.stderr, refused.stderr
    assert list(tmp_path.glob("*恢复前*")) == [] and audit() == paid


@pytest.mark.backends("sqlite")  # a file's other names
def test_a_restore_from_another_name_of_the_project_file_is_refused_and_writes_nothing(tmp_path, project):
    """A hard link to the project was taken for a backup: a safety copy was made, and a 0-byte -wal left beside it."""
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    others = tmp_path / "others"
    others.mkdir()
    os.link(project, others / "同一文件.landcomp")
    os.symlink(project, others / "链接.landcomp")
    for name in ("同一文件.landcomp", "链接.landcomp"):
        refused = ledger(tmp_path, "restore", project, others / name)
        assert refused.returncode == 2 and "不能用项目文件自身恢复" in refused.stderr, refused.stderr
    assert sorted(p.name for p in others.iterdir()) == ["同一文件.landcomp", "链接.landcomp"]
    assert list(tmp_path.glob("*恢复前*")) == []


@pytest.mark.backends("sqlite")  # a project file copied by hand
def test_a_restore_from_a_copied_project_leaves_nothing_beside_the_copy(tmp_path, project):
    """A project copied as a backup is a WAL file: reading it left its -wal and -shm beside it. They are removed
    as SQLite removes its own, and the copy is not changed by the restore that read it."""
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    copies = tmp_path / "copies"
    copies.mkdir()
    copy = copies / "复制的项目.landcomp"
    copy.write_bytes(Path(project).read_bytes())
    assert copy.read_bytes()[18:20] == b"\x02\x02"   # WAL mode, as every project is
    before = copy.read_bytes()
    restored = ledger(tmp_path, "restore", project, copy)
    assert restored.returncode == 0, restored.stderr
    assert [p.name for p in copies.iterdir()] == ["复制的项目.landcomp"] and copy.read_bytes() == before
    assert [row["household"] for row in listed(tmp_path, str(project))["households"]] == ["001"]


@pytest.mark.backends("sqlite")  # files beside a backup
@pytest.mark.parametrize("length", [100, 8192])
def test_a_refused_damaged_backup_is_left_alone_with_nothing_beside_it(tmp_path, project, length):
    """Reading a truncated project left a -wal and a -shm beside it: to the next program it was a project in use."""
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    backup = damaged / "截断.landcomp"
    backup.write_bytes(Path(project).read_bytes()[:length])
    refused = ledger(tmp_path, "restore", project, backup)
    assert refused.returncode == 2 and "damaged" in refused.stderr, refused.stderr
    assert [p.name for p in damaged.iterdir()] == ["截断.landcomp"]


@pytest.mark.backends("postgres")  # a server project's safety copy is named after the project, beside the backup
def test_a_server_project_named_with_a_slash_is_restored_beside_its_backup(tmp_path, pg_url, backend):
    assert ledger(tmp_path, "create", pg_url, "--name", "2023/堡子.一期").returncode == 0
    assert ledger(tmp_path, "save", pg_url, "001", EXAMPLE).returncode == 0
    backup = tmp_path / "b.landcomp"
    assert ledger(tmp_path, "backup", pg_url, backup).returncode == 0
    assert ledger(tmp_path, "save", pg_url, "002", EXAMPLE).returncode == 0
    restored = ledger(tmp_path, "restore", pg_url, backup)
    assert restored.returncode == 0, restored.stderr
    assert [h["household"] for h in listed(tmp_path, pg_url)["households"]] == ["001"]
    safety = [path.name for path in tmp_path.glob("*恢复前*")]
    assert len(safety) == 1 and safety[0].startswith("2023\uff0f堡子.一期-恢复前-")  # the slash in its full-width form
    kept = listed(tmp_path, str(tmp_path / safety[0]))
    assert [h["household"] for h in kept["households"]] == ["001", "002"]  # what the restore replaced


def refused(run: subprocess.CompletedProcess, *said: str) -> None:
    """Exit 2, nothing on stdout, one bilingual line saying each of `said`; no traceback, no internal error."""
    assert (run.returncode, run.stdout) == (2, ""), run.stderr
    assert re.search(r"[\u4e00-\u9fff].* / .*[A-Za-z]{2}", run.stderr) and "Traceback" not in run.stderr
    assert all(part in run.stderr for part in said), run.stderr


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("name", ["", "."])
def test_creating_a_project_without_a_file_name_is_refused(tmp_path, name):
    refused(ledger(tmp_path, "create", name, "--name", "堡子片区"), "请填写文件名", "a file name is needed")
    assert list(tmp_path.iterdir()) == []


def test_file_names_too_long_for_the_file_system_are_refused_as_read_or_written(tmp_path, project):
    """A name past NAME_MAX (255 bytes): a bad-input refusal naming the file, as one to read or to write, where
    the system's OSError was an internal error (create) or said 无法写入文件 of a file being read."""
    long = "台" * 90  # 270 bytes in UTF-8
    made = ledger(tmp_path, "create", long, "--name", "项目")
    refused(made, "文件名或路径过长,无法写入", "too long to write", long)
    refused(ledger(tmp_path, "list", f"{long}.landcomp"), "无法读取", "too long to read", long)
    for args in (("backup", project, long), ("export", project, f"{long}.xlsx"), ("sheets", project, long)):
        refused(ledger(tmp_path, *args), "无法写入", "too long to write", long)
    for args in (("restore", project, f"{long}.landcomp"), ("import", project, f"{long}.xlsx")):
        refused(ledger(tmp_path, *args), "无法读取", "too long to read", long)
    # 250 bytes fits the file system but leaves no room for SQLite's -journal beside a project file
    refused(ledger(tmp_path, "backup", project, "b" * 241), "无法写入", "at most 247 bytes")
    assert sorted(p.name for p in tmp_path.iterdir()) == (["堡子片区.landcomp"] if not project.startswith("postgresql")
                                                          else [])


def test_a_search_or_a_backup_name_that_is_not_utf8_is_refused(tmp_path, project):
    r"""`--search $'\xff'` in bash reaches Python as a lone surrogate (surrogateescape), which neither SQLite nor
    PostgreSQL can take; it is refused by the rule for every text, as is a backup file named so (the name
    goes into the change history)."""
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    refused(ledger(tmp_path, "list", project, "--search", "王\udcff"), "查找文字含有无效的代理字符 U+DCFF")
    refused(ledger(tmp_path, "list", project, "--search", "王\x1b"), "查找文字含有控制字符 U+001B")
    before = sorted(p.name for p in tmp_path.iterdir())
    refused(ledger(tmp_path, "backup", project, "\udcff.landcomp"), "文件名含有无效的代理字符 U+DCFF", "\\udcff")
    (tmp_path / os.fsdecode(b"\xff.landcomp")).write_bytes((tmp_path / "堡子片区.landcomp").read_bytes()
                                                           if not project.startswith("postgresql") else b"")
    refused(ledger(tmp_path, "restore", project, "\udcff.landcomp"), "文件名含有无效的代理字符 U+DCFF")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "\udcff.landcomp"])  # no safety copy
    assert [h["household"] for h in listed(tmp_path, project)["households"]] == ["001"]


def test_a_project_file_another_program_holds_locked_is_busy_not_damaged(tmp_path):
    """A file in use is refused for now (exit 3, try again), never called damaged, which tells the user to restore a
    backup over a sound file. A backup (one file, rollback journal) locked for writing blocks even its readers."""
    project, copy = tmp_path / "堡子片区.landcomp", tmp_path / "副本.landcomp"
    assert ledger(tmp_path, "create", project, "--name", "堡子片区").returncode == 0
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    assert ledger(tmp_path, "backup", project, copy).returncode == 0
    holder = sqlite3.connect(copy, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        listing, saving = ledger(tmp_path, "list", copy), ledger(tmp_path, "save", copy, "002", EXAMPLE)
    finally:
        holder.rollback()
        holder.close()
    for run in (listing, saving):
        assert run.returncode == 3 and run.stdout == "", run.stderr
        assert "已锁定" in run.stderr and "is busy" in run.stderr and "损坏" not in run.stderr
    assert [row["household"] for row in listed(tmp_path, str(copy))["households"]] == ["001"]


def test_a_household_number_no_sheet_could_print_is_refused_and_nothing_registered(tmp_path, project):
    for number in ("😀", "A★1"):
        run = ledger(tmp_path, "save", project, number, EXAMPLE)
        assert run.returncode == 2 and "户号只能由文字、数字" in run.stderr and "household number" in run.stderr
    assert ledger(tmp_path, "save", project, "（东）5", EXAMPLE).returncode == 0   # full-width marks: NFKC, as ever
    assert [row["household"] for row in listed(tmp_path, project)["households"]] == ["(东)5"]


def test_a_household_number_longer_than_a_sheet_prints_is_refused_and_nothing_registered(tmp_path, project):
    """A 户号 is its case's 案件编号 on the settlement sheet, 40 characters at most: one of 41 was saved, and then
    `ledger sheets` left the household without a sheet (0 written, exit 0), and a saved 户号 cannot be changed."""
    run = ledger(tmp_path, "save", project, "1" * 41, EXAMPLE)
    assert run.returncode == 2 and run.stdout == ""
    assert "户号过长: 41 个字符,最多 40 个" in run.stderr and "too long" in run.stderr
    assert listed(tmp_path, project)["households"] == []
    assert ledger(tmp_path, "save", project, "1" * 40, EXAMPLE).returncode == 0
    printed = ledger(tmp_path, "sheets", project, tmp_path / "sheets")
    assert printed.returncode == 0 and len(list((tmp_path / "sheets").rglob("*.pdf"))) == 1, printed.stdout


def test_a_search_longer_than_any_field_is_refused_as_such(tmp_path, project):
    """60,000 characters failed on a file with "项目文件读写失败: LIKE or GLOB pattern too complex"."""
    run = ledger(tmp_path, "list", project, "--search", "堡" * 40000)
    assert run.returncode == 2 and run.stdout == "" and "查找文字过长:40000 字" in run.stderr, run.stderr
    assert "查找文字过长:121 字" in ledger(tmp_path, "list", project, "--search", "堡" * 121).stderr
    assert ledger(tmp_path, "list", project, "--search", "堡" * 120).returncode == 0


def test_create_names_the_file_it_made(tmp_path):
    made = ledger(tmp_path, "create", "q.json", "--name", "堡子片区")   # not a .landcomp name: the suffix is added
    assert made.returncode == 0 and made.stdout.endswith("project created: q.json.landcomp\n"), made.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["q.json.landcomp"]


def test_a_control_character_put_into_the_file_by_another_tool_is_shown_never_obeyed(tmp_path):
    """户主 ESC[31mX, written by an SQLite tool: `list` sent the escape to the terminal, and `export` stopped with an
    internal error (openpyxl refuses it). The household is 数据异常; its text is shown with ESC as ␛."""
    from openpyxl import load_workbook
    project = tmp_path / "堡子片区.landcomp"
    assert ledger(tmp_path, "create", project, "--name", "堡子片区").returncode == 0
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    with sqlite3.connect(project) as connection:
        connection.execute("UPDATE households SET head = char(27) || '[31mX' || char(155) || char(8238) "
                           "WHERE number = '001'")   # ESC, CSI and a right-to-left override
    listing = ledger(tmp_path, "list", project)
    assert listing.returncode == 0 and not {"\x1b", "\x9b", "\u202e"} & set(listing.stdout)
    assert "␛[31mX\ufffd\ufffd" in listing.stdout and "数据异常" in listing.stdout
    exported = ledger(tmp_path, "export", project, tmp_path / "台账.xlsx")
    assert exported.returncode == 0, exported.stderr
    sheet = load_workbook(tmp_path / "台账.xlsx")["台账"]
    assert [cell.value for cell in sheet[3]][:2] == ["001", "␛[31mX\ufffd\ufffd"]
    # The project's summary was refused whole ("请改写或删去", exit 2): its sheets print the household as U+FFFD.
    summary = ledger(tmp_path, "summary", project, "--pdf", tmp_path / "汇总.pdf", "--xlsx", tmp_path / "汇总.xlsx")
    assert summary.returncode == 0, summary.stderr
    assert "户号 001 \ufffd[31mX\ufffd\ufffd:" in summary.stdout and "\x1b" not in summary.stdout
    rows = [[cell.value for cell in row] for row in load_workbook(tmp_path / "汇总.xlsx")["数据异常"].iter_rows()]
    assert ["001", "\ufffd[31mX\ufffd\ufffd"] in [row[:2] for row in rows], rows
    assert (tmp_path / "汇总.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs (root)")
def test_a_full_disk_is_said_as_such_never_as_damage_nor_as_a_traceback(tmp_path):
    """On a full disk `create` called the new file damaged (请从备份恢复) and left it behind, opening a sound project
    said the same, and a workbook's failed write was followed by a traceback from its zip being closed. A full disk
    is no fault of the input: exit 1 (a scheduled backup tries again), never 2 (mend the input), as for a sheet."""
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(disk)], check=True)
    try:
        project = disk / "p.landcomp"
        assert ledger(tmp_path, "create", project, "--name", "堡子片区").returncode == 0
        assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
        free = os.statvfs(disk)
        (disk / "fill").write_bytes(bytes(free.f_bavail * free.f_frsize))
        made = ledger(tmp_path, "create", disk / "n.landcomp", "--name", "新项目")
        assert made.returncode == 1 and "磁盘已满" in made.stderr and "损坏" not in made.stderr, made.stderr
        opened = ledger(tmp_path, "list", project)
        assert opened.returncode == 1 and "磁盘可能已满" in opened.stderr and "损坏" not in opened.stderr, opened.stderr
        elsewhere = tmp_path / "另一项目.landcomp"   # on a disk with room, backed up onto the full one
        assert ledger(tmp_path, "create", elsewhere, "--name", "另一项目").returncode == 0
        backup = ledger(tmp_path, "backup", elsewhere, disk / "b.landcomp")
        assert backup.returncode == 1 and "无法写入备份文件" in backup.stderr, backup.stderr
        assert backup.stderr.startswith(f"landcomp: {disk / 'b.landcomp'}: ")   # the backup named, not the project
        assert ledger(tmp_path, "save", elsewhere, "001", EXAMPLE).returncode == 0
        sheets = ledger(tmp_path, "sheets", elsewhere, disk / "结算单")   # its folder made, then no sheet fits
        assert sheets.returncode == 1 and "磁盘已满" in sheets.stderr, sheets.stderr
        template = ledger(tmp_path, "template", disk / "t.xlsx")
        assert template.returncode == 1 and "Traceback" not in template.stderr and template.stderr.count("\n") == 1
        assert f"{disk / 't.xlsx'}: 无法读写文件" in template.stderr and "磁盘已满 / No space left" in template.stderr
        # nothing left of what failed: no new project, backup, workbook, nor the sheets' empty folder
        assert sorted(p.name for p in disk.iterdir() if not p.name.startswith("p.landcomp")) == ["fill"]
        (disk / "fill").unlink()
        assert [row["household"] for row in listed(tmp_path, str(project))["households"]] == ["001"]
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs (root)")
def test_sheets_onto_a_disk_that_fills_up_stop_there_and_say_so(tmp_path):
    """`ledger sheets` into a folder whose disk filled up said "已生成 0 份" and exited 0, each household skipped with
    the system's English reason. It stops at the first sheet the disk refuses, exits 1 naming the disk's state
    in both languages, and leaves the sheets it wrote whole, no part file and no ledger beside them."""
    project = tmp_path / "p.landcomp"
    assert ledger(tmp_path, "create", project, "--name", "堡子片区").returncode == 0
    for number in range(1, 9):
        assert ledger(tmp_path, "save", project, f"{number:03d}", EXAMPLE).returncode == 0
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(disk)], check=True)
    try:
        made = ledger(tmp_path, "sheets", project, disk / "out")
        assert made.returncode == 1, made.stderr
        assert "已停止:文件夹不能再写入(磁盘已满 / No space left on device)" in made.stderr, made.stderr
        assert "stopped: the folder takes no more files" in made.stderr and "Traceback" not in made.stderr
        files = sorted((disk / "out").iterdir())
        written = int(re.search(r"已生成 (\d+) 份", made.stderr).group(1))
        assert len(files) == written < 8 and f"余下 {8 - written} 户未处理" in made.stderr
        for sheet in files:
            data = sheet.read_bytes()
            assert sheet.name.endswith("-结算单.pdf") and data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def test_a_saved_case_says_what_to_check_on_it(tmp_path, project):
    """`ledger save` printed the total alone: a midpoint taken, an override, a 20,000 m² house were said by
    `compensation` and not here."""
    saved = ledger(tmp_path, "save", project, "001", EXAMPLE)
    assert saved.returncode == 0 and saved.stdout.splitlines()[1:] == [
        "  提示: items[2](第3行)「窑洞/砖石窑洞」: 未填单价,按区间中值 650.00 计 / no rate given, midpoint 650.00 used",
        "  提示: items[17](第18行)「大门/普通装修」: 超标准,理由:带门楼,评估报告第4页 / outside the standard, reason given",
        "  提示: items[23](第24行)「杂棚」: 未填单价,按区间中值 35.00 计 / no rate given, midpoint 35.00 used",
        "  提示: items[23](第24行)「杂棚」: 有争议,不计入合计 / disputed, held out of the total"]
    again = as_json(ledger(tmp_path, "save", project, "002", EXAMPLE, "--json"))
    assert len(again["warnings"]) == 5 and again["warnings"][1].startswith("items[17](第18行)「大门/普通装修」: 超标准")
    # the same family saved under a second 户号: paid twice unless someone looks
    assert again["warnings"][4].startswith("户主身份证号 142329196805120317 也登记在户号 001(王建国) 下,请核对是否同一户重复登记")


def test_a_case_giving_another_households_id_number_is_saved_and_said(tmp_path, project):
    """Typed with spaces and a lower-case x, 0002's number is 0001's: saved all the same (one person may own two
    houses), and said; a third household with a number of its own is not."""
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for number, id_number in (("0001", "11010519491231002X"), ("0002", "110105 19491231 002x"),
                              ("0003", "142329196805120317")):
        data["household"]["id_number"] = id_number
        case = tmp_path / f"{number}.json"
        case.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        saved = as_json(ledger(tmp_path, "save", project, number, case, "--json"))
        said = [warning for warning in saved["warnings"] if warning.startswith("户主身份证号")]
        assert said == ([] if number != "0002" else [
            "户主身份证号 11010519491231002X 也登记在户号 0001(王建国) 下,请核对是否同一户重复登记 / the head's id number "
            "is also given for household 0001: check that the household is not registered twice"])
    assert [row["household"] for row in listed(tmp_path, project)["households"]] == ["0001", "0002", "0003"]


def test_a_stored_case_with_a_field_of_its_own_still_opens(tmp_path, project):
    """The misspelling check is for a file a person gives: a project already holding household.phone2 (or any key
    one letter off a known one, saved before the check) still lists, shows and prints it."""
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["household"]["phone2"] = "13900000000"
    case = tmp_path / "c.json"
    case.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert ledger(tmp_path, "save", project, "001", case).returncode == 0
    shown = ledger(tmp_path, "show", project, "001")
    assert shown.returncode == 0, shown.stderr
    data["household"]["Phone"] = data["household"].pop("phone")
    case.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    refused = ledger(tmp_path, "save", project, "002", case)
    assert refused.returncode == 2 and "字段「Phone」应写作「phone」" in refused.stderr


def test_a_backup_of_a_damaged_project_names_the_project_never_its_unfinished_copy(tmp_path):
    """An index out of step with its table passes the check on open and fails the backup's full one: the message
    named backup.landcomp.part, gone once the command ended, as the file to restore from a backup."""
    project = tmp_path / "p.landcomp"
    assert ledger(tmp_path, "create", project, "--name", "堡子片区").returncode == 0
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    with sqlite3.connect(project) as connection:   # the index now claims another column: its rows are missing
        connection.execute("PRAGMA writable_schema = ON")
        connection.execute("UPDATE sqlite_schema SET sql = 'CREATE INDEX case_versions_fingerprint ON "
                           "case_versions(schedule_version)' WHERE name = 'case_versions_fingerprint'")
    run = ledger(tmp_path, "backup", project, tmp_path / "backup.landcomp")
    assert run.returncode == 2 and run.stderr.startswith(f"landcomp: {project}: 项目文件已损坏"), run.stderr
    assert ".part" not in run.stderr and not [p.name for p in tmp_path.iterdir() if "backup" in p.name]


def test_a_filled_in_survey_is_never_written_over_by_a_workbook(tmp_path, project):
    """`ledger template`, `ledger export`, `summary --xlsx` and a sheet's --xlsx replaced a survey the field team had
    filled in (perhaps not imported yet) with exit 0. Refused, the survey unchanged; a blank template is replaced."""
    assert ledger(tmp_path, "template", tmp_path / "t.xlsx").returncode == 0
    survey = fill(tmp_path / "t.xlsx", tmp_path / "s.xlsx", example_rows("0002"))
    before = survey.read_bytes()
    runs = [ledger(tmp_path, "template", survey), ledger(tmp_path, "export", project, survey),
            ledger(tmp_path, "summary", project, "--xlsx", survey),
            subprocess.run([sys.executable, "-m", "calculator", "compensation", EXAMPLE, "--xlsx", survey],
                           cwd=REPO, env={**os.environ, "PYTHONUTF8": "1"}, capture_output=True, encoding="utf-8")]
    for run in runs:
        assert run.returncode == 2 and run.stdout == "", run.stderr
        assert "「s.xlsx」是已填写的调查表,不会覆盖它" in run.stderr and "filled-in survey" in run.stderr
    assert survey.read_bytes() == before
    assert ledger(tmp_path, "template", tmp_path / "t.xlsx").returncode == 0   # blank: replaced, as asked
    damaged = tmp_path / "damaged.xlsx"   # no survey can be read from it: replaced as any workbook is
    damaged.write_bytes(before[: len(before) // 2])
    assert ledger(tmp_path, "template", damaged).returncode == 0 and damaged.read_bytes() != before[: len(before) // 2]
    copied = tmp_path / "copied.xlsx"   # the households typed on a copy of the sheet, 第二组 with a title row above
    book = openpyxl.load_workbook(survey)   # its headings: refused as well, as the import says it holds households
    copy = book.copy_worksheet(book["调查表"])
    copy.title = "第二组"
    copy.insert_rows(1)
    copy["A1"] = "凤城镇堡子村 第二调查组"
    book["调查表"].delete_rows(2, book["调查表"].max_row)
    book.save(copied)
    run = ledger(tmp_path, "template", copied)
    assert run.returncode == 2 and "「copied.xlsx」是已填写的调查表" in run.stderr, run.stderr
    imported = ledger(tmp_path, "import", project, copied, "--dry-run")
    assert imported.returncode == 2 and "第二组" in imported.stderr and "此工作表也按调查表填写了住户" in imported.stderr


def test_a_workbook_is_never_written_over_another_kind_of_zip(tmp_path, project):
    """A .docx, a .pptx or a .zip begins as a workbook does (PK): `--xlsx letter.docx` replaced the letter, exit 0."""
    letter = tmp_path / "letter.docx"
    with zipfile.ZipFile(letter, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    before = letter.read_bytes()
    for run in (ledger(tmp_path, "export", project, letter), ledger(tmp_path, "summary", project, "--xlsx", letter)):
        assert run.returncode == 2 and "不是Excel 工作簿文件,不会覆盖它" in run.stderr and "not a xlsx file" in run.stderr
    assert letter.read_bytes() == before
    workbook = tmp_path / "台账.xlsx"   # a workbook is replaced, as asked
    assert ledger(tmp_path, "export", project, workbook).returncode == 0
    assert ledger(tmp_path, "export", project, workbook).returncode == 0


def test_a_server_that_does_not_answer_is_exit_1_to_try_again_never_bad_input(tmp_path):
    """Exit 2 told a script to mend its input when the server was down; 1 is "anything else": try again later."""
    run = ledger(tmp_path, "list", "postgresql://nobody@127.0.0.1:1/nothing")
    assert run.returncode == 1 and run.stdout == "" and "Traceback" not in run.stderr
    assert "无法连接数据库服务器" in run.stderr and "cannot connect to the database server" in run.stderr


@pytest.mark.backends("postgres")
def test_a_server_that_fails_on_its_own_is_exit_1_and_keeps_what_it_had(tmp_path, project, pg_cluster):
    """A database its administrator set read-only refused a save with "cannot execute INSERT in a read-only
    transaction" and exit 2, bad input: nothing in the command was wrong."""
    from pgcluster import tamper
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    tamper(project, "UPDATE case_versions SET total = '1.00'")   # changed behind the program's back: 数据异常
    database = project.rsplit("/", 1)[1]
    with pg_cluster.superuser() as admin:
        admin.execute(f"ALTER DATABASE {database} SET default_transaction_read_only = on")
    run = ledger(tmp_path, "save", project, "002", EXAMPLE)
    assert run.returncode == 1 and run.stdout == "" and "Traceback" not in run.stderr, run.stderr
    assert "数据库读写失败" in run.stderr and "read-only transaction" in run.stderr
    # listed 数据异常, its finding not written (the database takes no writes), where that failed the list, exit 1
    listed = as_json(ledger(tmp_path, "list", project, "--json"))
    assert [(row["household"], row["total"], "abnormal" in row) for row in listed["households"]] == [("001", None, True)]


@pytest.mark.parametrize("project", ["host=127.0.0.1 user=u password=s3cret dbname=d",
                                     "postgresql://u@127.0.0.1/db?pass%77ord=s3cret",
                                     "postgresql://u@127.0.0.1/db?password%3Ds3cret",
                                     "postgresql://u@127.0.0.1/db?options=-c%20x%3Ds3cret"])
def test_a_password_given_with_the_project_is_refused_never_written_or_echoed(tmp_path, project):
    """libpq's keyword form was taken as a file name: `create` made a project file named with the password and
    printed it, `list` echoed it; a URL with the password encoded, or in `options`, was echoed whole."""
    for command in (("create", project, "--name", "堡子片区"), ("list", project)):
        run = ledger(tmp_path, *command)
        assert run.returncode == 2 and run.stdout == "" and "s3cret" not in run.stderr, run.stderr
        assert re.search(r"[\u4e00-\u9fff]", run.stderr) and "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_sheets_into_a_folder_holding_an_earlier_batch_are_refused_never_mixed(tmp_path, project):
    """A second batch into the folder of the first left the first's sheet of a household since saved again (another
    校验码) beside the new one and the new 台账.xlsx; the app gives every batch a folder of its own."""
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    out = tmp_path / "sheets"
    assert ledger(tmp_path, "sheets", project, out).returncode == 0
    first = sorted(path.name for path in out.iterdir())
    assert "台账.xlsx" in first and len(first) == 2
    again = ledger(tmp_path, "sheets", project, out)
    assert again.returncode == 2 and "新旧结算单会混在一起" in again.stderr and "choose a new folder" in again.stderr
    assert sorted(path.name for path in out.iterdir()) == first


def test_a_number_written_otherwise_is_saved_to_the_registered_household_and_said(tmp_path, project):
    """`ledger save P 1 case.json` replaced 001's case without a word (1 and 001 are one number, as ever)."""
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    saved = as_json(ledger(tmp_path, "save", project, "1", EXAMPLE, "--json"))
    assert saved["household"] == "001" and saved["version"] == 2
    assert saved["warnings"][0] == "户号「1」即台账中已登记的「001」,已保存到该户 / household '1' is the registered '001': saved to it"
    again = as_json(ledger(tmp_path, "save", project, "001", EXAMPLE, "--json"))
    new = as_json(ledger(tmp_path, "save", project, " 7 ", EXAMPLE, "--json"))   # registered now, as 7: nothing to say
    assert new["household"] == "7"
    assert not any("即台账中已登记" in warning for warning in again["warnings"] + new["warnings"])


def test_sheets_that_skip_a_household_say_so_on_stderr_too(tmp_path, project):
    """A household whose 户主 no font prints is skipped (exit 0, every printable household's sheet written): said
    only on stdout in Chinese, a script could not tell a sheet was missing."""
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    case = json.loads(Path(EXAMPLE).read_text(encoding="utf-8"))
    case["household"]["head"] = "张三😀"
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    assert ledger(tmp_path, "save", project, "002", odd).returncode == 0
    run = ledger(tmp_path, "sheets", project, tmp_path / "sheets")
    assert run.returncode == 0 and "跳过 1 户" in run.stdout and "002 张三😀" in run.stdout
    assert "跳过 1 户,未生成其结算单(原因见输出): 002 /" in run.stderr
    assert "1 households skipped, no sheet written for them (the reasons in the output): 002" in run.stderr
    assert len(list((tmp_path / "sheets").rglob("*.pdf"))) == 1


def test_a_list_is_of_one_moment_while_another_user_saves(tmp_path, monkeypatch, capsys):
    """A save by another user between the list's rows and what it read after them gave a row of version 1 with the
    code of version 2 beside its total, or (a project past the size checked in the background) no totals at all:
    exit 1, internal error. The code is now the version's the row shows, and the totals are those rows'."""
    from calculator.app.ledger_actions import ProjectFile
    from calculator.commands.cli import main
    from calculator.engine.case import case_from_json
    from calculator.engine.compensation import compute
    from calculator.store import SqliteStore
    project = tmp_path / "p.landcomp"
    assert ledger(tmp_path, "create", project, "--name", "堡子片区").returncode == 0
    first = as_json(ledger(tmp_path, "save", project, "001", EXAMPLE, "--json"))
    rows = ProjectFile.rows

    def rows_then_a_save(self, query):
        read = rows(self, query)
        with SqliteStore(project, actor="王芳") as other:   # another PC saves 001 anew
            case = case_from_json(EXAMPLE.read_text(encoding="utf-8"))
            case.items[0]["quantity"] = "80"
            other.save_computed(other.find_household(other.projects()[0].id, "001").id, compute(case))
        return read

    monkeypatch.setattr(ProjectFile, "rows", rows_then_a_save)
    monkeypatch.setattr(SqliteStore, "ledger_summary", lambda *args, **kwargs: None)   # still being checked
    capsys.readouterr()
    assert main(["ledger", "list", str(project), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    [row] = shown["households"]
    assert (row["version"], row["total"], row["fingerprint"]) == (1, first["total"], first["fingerprint"])
    assert shown["totals"]["total"] == first["total"] and shown["totals"]["households"] == 1


@pytest.mark.backends("sqlite")
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_report_lost_on_a_full_disk_says_the_payment_landed_so_no_script_pays_again(tmp_path, project):
    """`pay … > /dev/full` said only "cannot write the result" (exit 1): the household was 已支付 all the same, and a
    script retrying was told it was not signed. A command that changed nothing says nothing of the kind."""
    as_json(ledger(tmp_path, "save", project, "001", EXAMPLE, "--json"))
    fingerprint = listed(tmp_path, project)["households"][0]["fingerprint"]
    assert ledger(tmp_path, "sign", project, "001", "--fingerprint", fingerprint).returncode == 0
    env = {**os.environ, "PYTHONUTF8": "1", "PYTHONPATH": str(REPO), "LANDCOMP_ACTOR": "李明"}
    with open("/dev/full", "w") as full:
        def to_full(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "calculator", "ledger", *args], cwd=tmp_path, env=env,
                                  stdout=full, stderr=subprocess.PIPE, encoding="utf-8", timeout=180)
        paid, listing = to_full("pay", project, "001", "--batch", "第1批"), to_full("list", project)
    assert paid.returncode == 1 and "更改已保存,但无法输出结果" in paid.stderr and "the change was saved" in paid.stderr
    assert listed(tmp_path, project)["households"][0]["status"] == "已支付"
    assert listing.returncode == 1 and "已保存" not in listing.stderr and "无法输出结果" in listing.stderr


@pytest.mark.backends("sqlite")
def test_sheets_interrupted_say_what_they_left_in_the_folder(tmp_path, project, monkeypatch, capsys):
    """SIGTERM in `ledger sheets` said "nothing unfinished was written": the folder held 14 of 19 sheets, and the next
    batch into it was refused as an earlier one. What was written is counted, and a new folder asked for."""
    from calculator.app import ledger_actions
    from calculator.commands import cli

    def stopped_after_two(self, ids, folder, **options):
        for number in ("001", "002"):
            (folder / f"{number}-王建国-结算单.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
        raise KeyboardInterrupt   # as the SIGTERM handler raises it
    monkeypatch.setattr(ledger_actions.ProjectFile, "write_sheets", stopped_after_two)
    out = tmp_path / "结算单"
    assert cli.main(["ledger", "sheets", project, str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{out}: 已中断:已写入 2 份结算单,未写台账;重新生成请另选一个新文件夹" in err
    assert "interrupted: 2 sheets written, no ledger" in err and "nothing unfinished" not in err
    assert len(list(out.iterdir())) == 2

    def stopped_after_the_ledger(self, ids, folder, **options):   # the 台账 is no sheet
        (folder / "001-王建国-结算单.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
        (folder / "台账.xlsx").write_bytes(b"PK")
        raise KeyboardInterrupt
    monkeypatch.setattr(ledger_actions.ProjectFile, "write_sheets", stopped_after_the_ledger)
    assert cli.main(["ledger", "sheets", project, str(tmp_path / "第二批")]) == 1
    assert "已中断:已写入 1 份结算单和台账" in capsys.readouterr().err


@pytest.mark.backends("sqlite")
def test_the_project_given_as_the_case_file_is_named_once(tmp_path, project):
    """`ledger save p.landcomp 001 p.landcomp` said "p.landcomp p.landcomp: …": the file placed twice."""
    refused = ledger(tmp_path, "save", project, "001", project)
    assert refused.returncode == 2 and refused.stderr.count(project) == 1, refused.stderr
    assert refused.stderr.startswith(f"landcomp: {project}: 「{Path(project).name}」是正在使用的数据库文件")


def test_an_earlier_version_shown_is_said_not_to_be_the_current_one(tmp_path, project):
    """`show --version 1` of a household at 第2版 printed "第1版 已支付": a version never paid, labelled with the
    household's status as its own."""
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    changed = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    changed["items"][1]["quantity"] = "30"
    second = tmp_path / "second.json"
    second.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    assert ledger(tmp_path, "save", project, "001", second).returncode == 0
    first = ledger(tmp_path, "show", project, "001", "--version", "1")
    assert first.returncode == 0 and first.stdout.startswith("户号 001 第1版 (不是当前版本:现为第2版,此户已测算) 校验码 ")
    assert ledger(tmp_path, "show", project, "001").stdout.startswith("户号 001 第2版 已测算 校验码 ")
    shown = as_json(ledger(tmp_path, "show", project, "001", "--version", "1", "--json"))
    assert (shown["version"], shown["current_version"], shown["status"]) == (1, 2, "已测算")


def test_recheck_ends_a_finding_only_with_a_reason_and_only_when_one_stands(tmp_path, project):
    saved = as_json(ledger(tmp_path, "save", project, "001", EXAMPLE, "--json"))
    nothing = ledger(tmp_path, "recheck", project, "001", "--reason", "核对")
    assert nothing.returncode == 2 and "户号 001 没有数据异常的记录" in nothing.stderr and nothing.stdout == ""
    assert ledger(tmp_path, "recheck", project, "001").returncode == 2            # --reason is required
    from types import SimpleNamespace

    from test_store_integrity import sql   # damaged, found on showing it, then repaired: the finding stands
    edit = "UPDATE case_versions SET total = ? WHERE number = 1"
    sql(SimpleNamespace(path=str(project)), edit, "1.00")
    assert ledger(tmp_path, "show", project, "001").returncode == 3
    for refused in (ledger(tmp_path, "sign", project, "001", "--fingerprint", saved["fingerprint"]),
                    ledger(tmp_path, "pay", project, "001", "--batch", "第1批")):   # the project's rule, not bad input
        assert refused.returncode == 3 and "数据异常" in refused.stderr and refused.stdout == "", refused
    sql(SimpleNamespace(path=str(project)), edit, saved["total"])
    assert listed(tmp_path, project)["households"][0]["status"] == "数据异常"
    done = ledger(tmp_path, "recheck", project, "001", "--reason", "已按备份修复")
    assert done.returncode == 0 and done.stdout.startswith("户号 001 已重新核验,数据无异常,解除数据异常 / "), done
    assert listed(tmp_path, project)["households"][0]["status"] == "已测算"
    what = as_json(ledger(tmp_path, "history", project, "001", "--json"))["entries"][-1]["what"]
    assert what.startswith("重新核验,解除数据异常,理由:已按备份修复,原异常:")


def test_a_list_names_a_household_deleted_behind_the_programs_back(tmp_path):
    """001, paid, deleted with an SQL tool: `ledger list` ran clean, its 合计 a household and a payment short."""
    project = tmp_path / "p.landcomp"
    assert ledger(tmp_path, "create", project, "--name", "堡子片区").returncode == 0
    saved = as_json(ledger(tmp_path, "save", project, "001", EXAMPLE, "--json"))
    assert ledger(tmp_path, "save", project, "002", EXAMPLE).returncode == 0
    assert ledger(tmp_path, "sign", project, "001", "--fingerprint", saved["fingerprint"]).returncode == 0
    assert ledger(tmp_path, "pay", project, "001", "--batch", "第1批").returncode == 0
    raw = sqlite3.connect(project)
    raw.execute("DELETE FROM case_versions WHERE household_id = 1")
    raw.execute("DELETE FROM households WHERE id = 1")
    raw.commit()
    raw.close()
    said = "此户已从项目中删除(变更记录中有其登记和支付),数据已在程序之外被改动,请从备份恢复"
    data = listed(tmp_path, project)
    assert [row["household"] for row in data["households"]] == ["002"] and data["totals"]["households"] == 1
    assert data["deleted"] == [{"household": "001", "head": "王建国", "abnormal": said}]
    text = ledger(tmp_path, "list", project, "--status", "已测算")
    assert text.returncode == 0 and text.stdout.endswith(f"数据异常:户号 001 王建国 {said}\n")
    refused = ledger(tmp_path, "save", project, "001", EXAMPLE)
    assert refused.returncode == 2 and "户号 001 已登记过,但此户已从项目中删除" in refused.stderr


def test_a_save_interrupted_after_its_commit_says_it_was_saved(tmp_path, monkeypatch, capsys):
    """SIGTERM as the save's commit had landed (its journal being merged, the household read back): exit 1 with
    已中断,未完成的写入没有保存, and version 1 in the ledger; a script retried it and saved it twice."""
    from calculator.commands.cli import main
    from calculator.store import SqliteStore
    project = tmp_path / "p.landcomp"
    assert ledger(tmp_path, "create", project, "--name", "堡子片区").returncode == 0
    merged = SqliteStore._commit

    def interrupted_after(self):
        merged(self)
        raise KeyboardInterrupt   # as the SIGTERM handler raises it, once COMMIT has returned
    monkeypatch.setattr(SqliteStore, "_commit", interrupted_after)
    monkeypatch.setenv("LANDCOMP_ACTOR", "李明")
    assert main(["ledger", "save", str(project), "001", str(EXAMPLE)]) == 1
    assert capsys.readouterr().err == ("landcomp: 已中断,但更改已保存(结果未输出)/ interrupted, but the change was "
                                       "saved (the result was not printed)\n")
    monkeypatch.undo()
    assert [row["version"] for row in listed(tmp_path, project)["households"]] == [1]


def test_a_damaged_project_says_how_to_put_its_backup_back_and_that_way_works(tmp_path):
    """Every command on a damaged project said 请从备份恢复, and `ledger restore` refused it (damaged), a new name (no
    such project) and an empty file: the way it says now is one a clerk can follow."""
    project, backup = tmp_path / "p.landcomp", tmp_path / "b.landcomp"
    assert ledger(tmp_path, "create", project, "--name", "堡子片区").returncode == 0
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0
    assert ledger(tmp_path, "backup", project, backup).returncode == 0
    data = project.read_bytes()
    project.write_bytes(data[:len(data) // 2])
    refused = ledger(tmp_path, "list", project)
    assert refused.returncode == 2 and "项目文件已损坏" in refused.stderr
    assert "把此文件移到别处保留(以便核查),再把最近的备份文件复制到这里、改为此文件名" in refused.stderr
    project.rename(tmp_path / "p-损坏.landcomp")
    shutil.copyfile(backup, project)
    assert [row["household"] for row in listed(tmp_path, project)["households"]] == ["001"]
    assert ledger(tmp_path, "save", project, "002", EXAMPLE).returncode == 0


def test_a_restore_interrupted_before_its_replacement_says_nothing_was_restored(tmp_path, monkeypatch, capsys):
    """Ctrl+C after the safety copy (恢复前) had landed and before the backup replaced the project: 已中断,但更改已保存,
    and the project was as it was (a reviewer); a script would not have tried the restore again."""
    from calculator.commands.cli import main
    from calculator.store import restore
    project, backup = tmp_path / "p.landcomp", tmp_path / "b.landcomp"
    assert ledger(tmp_path, "create", project, "--name", "堡子片区").returncode == 0
    assert ledger(tmp_path, "backup", project, backup).returncode == 0
    assert ledger(tmp_path, "save", project, "001", EXAMPLE).returncode == 0

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt   # as the SIGTERM handler raises it
    monkeypatch.setattr(restore, "carry_over", interrupted)
    monkeypatch.setenv("LANDCOMP_ACTOR", "李明")
    assert main(["ledger", "restore", str(project), str(backup)]) == 1
    assert capsys.readouterr().err == "landcomp: 已中断,未完成的写入没有保存 / interrupted: nothing unfinished was written\n"
    monkeypatch.undo()
    assert [row["household"] for row in listed(tmp_path, project)["households"]] == ["001"]


# A real SIGTERM, sent by a waiting thread the moment a COMMIT starts in SQLite below the function named: the handler
# runs once the COMMIT has returned, as an office's kill (or a logout) lands.
SIGTERM_AT_COMMIT = """
import os, signal, sys, threading
from calculator.store import sqlite as sqlite_module, sqlite_file
from calculator.commands import cli
go = threading.Event()
threading.Thread(target=lambda: (go.wait(), os.kill(os.getpid(), signal.SIGTERM)), daemon=True).start()
connect = sqlite_file._connect
def traced(path, **kwargs):
    conn = connect(path, **kwargs)
    def trace(sql):
        if sql == "COMMIT" and not go.is_set():
            frame, names = sys._getframe(1), []
            while frame is not None:
                names.append(frame.f_code.co_name)
                frame = frame.f_back
            if sys.argv[1] in names and "_copy" not in names:
                go.set()
    conn.set_trace_callback(trace)
    return conn
sqlite_file._connect = sqlite_module._connect = traced
sys.exit(cli.main(sys.argv[2:]))
"""


@pytest.mark.parametrize("command, at", [("save", "_commit"), ("backup", "backup"), ("create", "_commit")])
def test_sigterm_as_a_commit_returns_says_the_change_was_made(tmp_path, command, at):
    """SIGTERM while the COMMIT ran: its handler's interrupt came as the COMMIT returned, before the landing was noted:
    a save said 未完成的写入没有保存 beside its version (8 of 8), a backup 项目文件读写失败 (exit 2) beside its whole file,
    and a create said saved and had removed its file (reviewers)."""
    project, backup = tmp_path / "p.landcomp", tmp_path / "b.landcomp"
    if command != "create":
        assert ledger(tmp_path, "create", project, "--name", "堡子片区").returncode == 0
    args = {"save": ("save", project, "001", EXAMPLE), "backup": ("backup", project, backup),
            "create": ("create", project, "--name", "堡子片区")}[command]
    run = subprocess.run([sys.executable, "-c", SIGTERM_AT_COMMIT, at, "ledger", *map(str, args)], cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(REPO), "LANDCOMP_ACTOR": "李明"}, capture_output=True,
                         encoding="utf-8", timeout=180)
    said = "文件已写入" if command == "backup" else "更改已保存"
    assert run.returncode == 1 and f"landcomp: 已中断,但{said}(结果未输出)" in run.stderr, run.stderr
    if command == "save":
        assert [row["version"] for row in listed(tmp_path, project)["households"]] == [1]
    elif command == "backup":
        assert [row["household"] for row in listed(tmp_path, backup)["households"]] == []
    else:
        assert listed(tmp_path, project)["households"] == []
