"""Batch settlement sheets and the ledger workbook: one checked sheet per computed household."""
from __future__ import annotations

import dataclasses
import os
import sqlite3
from decimal import Decimal
from pathlib import Path

import openpyxl
import pdfplumber
import pytest

from calculator.app import batch
from calculator.formats import reports
from calculator.app.batch import LEDGER_FILENAME, BatchSummary, SheetOutcome, sheet_filename, write_sheets
from calculator.engine.case import case_from_json, case_to_json
from calculator.engine.compensation import compute
from calculator.core.errors import CalculationError, InputError
from calculator.core.money import fmt_grouped
from calculator.engine.schedules import load_schedule
from calculator.store import LEDGER_COLUMNS, Status, ledger_totals
from households import HEADS as ALL_HEADS, variant

HEADS = ALL_HEADS[:5]  # a project of five households

DRAFT = 3  # the household saved as a draft only


def independent_total(index: int) -> Decimal:
    """The engine's total for household `index`, from the case itself rather than the store."""
    return compute(case_from_json(case_to_json(variant(index)))).total


@pytest.fixture
def project(store):
    """Five households 0001 … 0005: 0004 a draft, 0002 signed, the others computed."""
    project = store.create_project("堡子片区")
    for index in range(len(HEADS)):
        household = store.add_household(project.id, f"{index + 1:04d}", HEADS[index])
        if index == DRAFT:
            store.save_draft(household.id, variant(index))
        else:
            store.save_computed(household.id, compute(variant(index)))
    store.sign(store.find_household(project.id, "0002").id)
    return project


@pytest.fixture
def out(tmp_path) -> Path:
    folder = tmp_path / "结算单"
    folder.mkdir()
    return folder


def ids(store, project, *numbers: str) -> list[int]:
    return [store.find_household(project.id, number).id for number in numbers]


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".part") or p.name.startswith(".")]


# -- the sheets ------------------------------------------------------------------------------

def test_one_sheet_per_computed_household_in_number_order_and_the_draft_skipped(store, project, out):
    summary = write_sheets(store, project.id, None, out)
    expected = [sheet_filename(f"{i + 1:04d}", HEADS[i]) for i in range(len(HEADS)) if i != DRAFT]
    assert [outcome.path.name for outcome in summary.written] == expected
    assert expected[0] == "0001-王建国-结算单.pdf"
    assert sorted(p.name for p in out.iterdir()) == sorted(expected + [LEDGER_FILENAME])
    assert [(o.number, o.head, o.path) for o in summary.skipped] == [("0004", "赵桂兰", None)]
    assert "草稿" in summary.skipped[0].reason
    assert not summary.cancelled and summary.remaining == 0 and summary.ledger_path == out / LEDGER_FILENAME
    text = summary.text()
    assert "已生成 4 份结算单" in text and "跳过 1 户" in text and "0004 赵桂兰" in text and "已取消" not in text
    assert leftovers(out) == []


def test_each_sheet_carries_its_head_its_total_and_its_stored_fingerprint(store, project, out):
    summary = write_sheets(store, project.id, None, out, with_ledger=False)
    fingerprints = {o.household_id: store.current_version(o.household_id).fingerprint for o in summary.written}
    assert len(set(fingerprints.values())) == len(summary.written) == 4
    for outcome in summary.written:
        index = HEADS.index(outcome.head)
        text = pdf_text(outcome.path)
        assert outcome.head in text
        assert f"¥{fmt_grouped(independent_total(index))}" in text
        assert fingerprints[outcome.household_id] in text
        others = set(fingerprints.values()) - {fingerprints[outcome.household_id]}
        assert not any(other in text for other in others)
    assert not (out / LEDGER_FILENAME).exists()


def test_an_amended_households_sheet_says_which_signed_sheet_it_replaces(store, project, out):
    """0002 is signed (fill_project); amended, its new sheet names the signed 第1版 by its 校验码, with the reason, and
    the PDF's 更正说明 row carries it; 0001's sheet has none."""
    signed = store.current_version(ids(store, project, "0002")[0])
    case = signed.case()
    case.items[0]["quantity"] = "90.00"
    store.save_computed(signed.household_id, compute(case), amendment_reason="正房复测")
    summary = write_sheets(store, project.id, ids(store, project, "0001", "0002"), out, with_ledger=False)
    first, second = ("".join(pdf_text(o.path).split()) for o in summary.written)
    assert (f"更正说明本单为第2版,更正已签字的第1版(合计{fmt_grouped(signed.total)}元,校验码{signed.fingerprint}),"
            "以本单为准。更正理由:正房复测") in second
    assert "更正" not in first
    # a reason with a character no font draws (stored, never to be changed) is drawn as □, never blocking the sheet
    case.items[0]["quantity"] = "91.00"
    store.sign(signed.household_id)
    store.save_computed(signed.household_id, compute(case), amendment_reason="复测😀")
    (out / "again").mkdir()
    summary = write_sheets(store, project.id, ids(store, project, "0002"), out / "again", with_ledger=False)
    assert not summary.skipped and "更正理由:复测□" in "".join(pdf_text(summary.written[0].path).split())


def test_a_ledger_sheet_carries_the_household_number_as_case_number_and_a_date(store, project, out):
    """案件编号 is the 户号 (also over a case number typed before); 测算日期 the case's, else the day it was saved."""
    undated = dataclasses.replace(variant(4), case_id="", assessed_on="")
    fifth = store.find_household(project.id, "0005").id
    store.save_computed(fifth, compute(undated))
    summary = write_sheets(store, project.id, ids(store, project, "0001", "0005"), out, with_ledger=False)
    first, last = (pdf_text(o.path) for o in summary.written)
    assert summary.written[0].path.name == "0001-王建国-结算单.pdf"
    assert "案件编号 0001" in first and "BZ-2023-0317" not in first and "(未填)" not in first
    assert "2023-06-12" in first  # the case's own 测算日期
    saved_on = store.current_version(fifth).created_at[:10]
    assert "案件编号 0005" in last and saved_on in last and "(未填)" not in last
    # Shown, not fingerprinted: the sheet's code is still the stored version's.
    assert store.current_version(fifth).fingerprint in last


def test_an_unprintable_sheet_is_skipped_and_the_batch_goes_on(store, project, out):
    """A note with a character no font draws cannot be printed; that household is skipped, the rest are printed."""
    case = variant(2)
    case.items[0]["note"] = "核实😀"
    store.save_computed(store.find_household(project.id, "0003").id, compute(case))
    summary = write_sheets(store, project.id, None, out)
    assert [o.number for o in summary.written] == ["0001", "0002", "0005"]
    skipped = {o.number: o.reason for o in summary.skipped}
    assert "U+1F600" in skipped["0003"] and "备注" in skipped["0003"] and "草稿" in skipped["0004"]
    assert summary.ledger_path is not None and leftovers(out) == []


def test_a_selection_is_printed_in_the_order_given_once_each(store, project, out):
    chosen = ids(store, project, "0005", "0001", "0005")
    summary = write_sheets(store, project.id, chosen, out, with_ledger=False)
    assert [o.number for o in summary.written] == ["0005", "0001"] and summary.skipped == ()
    assert sorted(p.name for p in out.iterdir()) == ["0001-王建国-结算单.pdf", "0005-刘福生-结算单.pdf"]


def test_a_household_of_another_project_is_refused_before_any_file(store, project, out):
    other = store.create_project("另一片区")
    stranger = store.add_household(other.id, "0001", "外户")
    with pytest.raises(InputError, match="不属于本项目"):
        write_sheets(store, project.id, [*ids(store, project, "0001"), stranger.id], out)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("junk", [[-1], ["0001"], [None], [1.5]])
def test_junk_household_ids_are_refused_before_any_file(store, project, out, junk):
    with pytest.raises(InputError, match="不属于本项目"):
        write_sheets(store, project.id, junk, out)
    assert list(out.iterdir()) == []


def test_an_unknown_project_is_refused(store, project, out):
    with pytest.raises(CalculationError, match="没有编号为 999 的项目"):
        write_sheets(store, 999, None, out)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("module, failing", [(batch, "checked_result"), (reports, "compensation_pdf")])
def test_an_unforeseen_failure_skips_its_household_and_the_batch_still_ends_with_its_summary(
        store, project, out, monkeypatch, module, failing):
    real, calls = getattr(module, failing), []

    def third_call_fails(*args):
        calls.append(args)
        if len(calls) == 3:   # 0003: 0004, a draft, is neither checked nor printed
            raise RuntimeError("寄存器溢出")
        return real(*args)

    monkeypatch.setattr(module, failing, third_call_fails)
    summary = write_sheets(store, project.id, None, out)
    assert [o.number for o in summary.written] == ["0001", "0002", "0005"]
    skipped = {o.number: o.reason for o in summary.skipped}
    assert "RuntimeError: 寄存器溢出" in skipped["0003"] and "草稿" in skipped["0004"]
    assert summary.ledger_path == out / LEDGER_FILENAME and (out / LEDGER_FILENAME).is_file()
    assert "已生成 3 份结算单" in summary.text() and "寄存器溢出" in summary.text() and leftovers(out) == []


def test_a_stored_head_with_a_control_character_is_skipped_and_the_ledger_still_written(store, project, out):
    """Text stored before input refused control characters: no sheet for it, and the ledger shows where it is."""
    case = variant(2)
    case.household["head"] = "张\x07德胜"
    store.save_computed(store.find_household(project.id, "0003").id, compute(case))
    summary = write_sheets(store, project.id, None, out)
    assert [o.number for o in summary.written] == ["0001", "0002", "0005"]
    assert "控制字符 U+0007" in {o.number: o.reason for o in summary.skipped}["0003"]
    assert summary.ledger_path == out / LEDGER_FILENAME and summary.ledger_error is None
    assert [row[1] for row in ledger_rows(out / LEDGER_FILENAME)[:5]][2] == "张\ufffd德胜"
    assert "已生成 3 份结算单" in summary.text() and leftovers(out) == []


# -- progress and cancel ---------------------------------------------------------------------

def test_progress_is_reported_before_each_household_and_at_the_end(store, project, out):
    calls = []
    write_sheets(store, project.id, None, out, with_ledger=False,
                 progress=lambda done, total, label: calls.append((done, total, label)))
    assert calls == [(0, 5, "0001 王建国"), (1, 5, "0002 李秀英"), (2, 5, "0003 张德胜"), (3, 5, "0004 赵桂兰"),
                     (4, 5, "0005 刘福生"), (5, 5, "完成")]


def test_cancelling_after_the_second_sheet_keeps_exactly_two_whole_files(store, project, out):
    summary = write_sheets(store, project.id, None, out, progress=lambda done, total, label: done < 2)
    assert summary.cancelled and summary.remaining == 3
    assert [o.number for o in summary.written] == ["0001", "0002"] and summary.skipped == ()
    assert sorted(p.name for p in out.iterdir()) == ["0001-王建国-结算单.pdf", "0002-李秀英-结算单.pdf"]
    assert leftovers(out) == [] and summary.ledger_path is None
    assert all(pdf_text(o.path) for o in summary.written)  # each opens: written whole
    assert "已取消,余下 3 户未处理" in summary.text()


# -- the folder ------------------------------------------------------------------------------

def test_a_missing_folder_or_a_file_is_refused_before_anything_is_written(store, project, tmp_path):
    with pytest.raises(InputError, match="文件夹不存在.*no such folder"):
        write_sheets(store, project.id, None, tmp_path / "无此目录")
    assert not (tmp_path / "无此目录").exists()
    not_a_folder = tmp_path / "sheets.txt"
    not_a_folder.write_text("")
    with pytest.raises(InputError, match="不是文件夹"):
        write_sheets(store, project.id, None, not_a_folder)


def test_an_unwritable_folder_is_refused_before_any_file(store, project, tmp_path):
    folder = tmp_path / "只读"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root writes anyway: use a folder the kernel refuses
            folder = Path("/sys")
            if not folder.is_dir():
                pytest.skip("no unwritable folder on this system")
        before = sorted(folder.iterdir())
        with pytest.raises(InputError, match="文件夹不能写入.*cannot write"):
            write_sheets(store, project.id, None, folder)
        assert sorted(folder.iterdir()) == before
    finally:
        (tmp_path / "只读").chmod(0o755)


# -- never a sheet the store does not vouch for ----------------------------------------------

def tamper(store, household_id: int, **columns: str) -> None:
    """Change the household's current version behind the store's back."""
    version = store.current_version(household_id)
    raw = sqlite3.connect(store.path)
    sets = ", ".join(f"{column} = ?" for column in columns)
    raw.execute(f"UPDATE case_versions SET {sets} WHERE id = ?", (*columns.values(), version.id))
    raw.commit()
    raw.close()


def test_a_case_saved_under_another_schedule_version_is_skipped(store, project, out):
    household_id, = ids(store, project, "0003")
    earlier = dataclasses.replace(load_schedule(), version="baozi-2023.0")  # as an older program had it
    store.save_computed(household_id, compute(variant(2), earlier))
    summary = write_sheets(store, project.id, None, out)
    skipped = {o.number: o.reason for o in summary.skipped}
    assert set(skipped) == {"0003", "0004"}
    assert "baozi-2023.0" in skipped["0003"] and "须重新测算" in skipped["0003"]
    assert not (out / sheet_filename("0003", "张德胜")).exists() and len(summary.written) == 3
    assert "跳过 2 户" in summary.text()


def test_a_stored_fingerprint_or_total_the_engine_does_not_reproduce_is_skipped(store, project, out):
    first, fifth = ids(store, project, "0001", "0005")
    tamper(store, first, fingerprint="0123456789ab")
    tamper(store, fifth, total="1.00")
    summary = write_sheets(store, project.id, [first, fifth], out)
    assert summary.written == ()
    reasons = [o.reason for o in summary.skipped]
    assert all(reason.startswith("数据异常:第 1 版保存后被改动") for reason in reasons)  # the audit chain disagrees
    assert [p.name for p in out.iterdir()] == [LEDGER_FILENAME]


# -- file names ------------------------------------------------------------------------------

def test_sheet_filenames_hold_no_character_a_file_system_refuses():
    assert sheet_filename("017", "王建国") == "017-王建国-结算单.pdf"
    assert sheet_filename("A/3", 'x<>:"\\|?*\ty') == "A_3-x_________y-结算单.pdf"
    assert sheet_filename("017", "") == "017-结算单.pdf"
    assert sheet_filename(" 017 ", " 王  建国. ") == "017-王 建国-结算单.pdf"
    assert sheet_filename("..", "王") == "__-王-结算单.pdf"
    assert len(sheet_filename("9" * 300, "王" * 300).encode()) <= 200  # room for the writer's ".….part" twin


def test_numbers_that_clean_to_one_name_get_a_file_each_even_when_a_made_name_is_taken(store, out):
    """7, 7. and 7.. all clean to 「7-王」; the third's made-unique name 「7-王(id)」 is the first's own name."""
    project = store.create_project("同名")
    households = [store.add_household(project.id, number) for number in ("7", "7.", "7..")]
    heads = [f"王({households[2].id})", "王", "王"]
    for household, head in zip(households, heads):
        case = variant(0)
        case.household["head"] = head
        store.save_computed(household.id, compute(case))
    summary = write_sheets(store, project.id, None, out)
    files = sorted(p.name for p in out.glob("*.pdf"))
    assert len(files) == 3 == len({o.path for o in summary.written}) and summary.skipped == ()
    assert sorted(o.path.name for o in summary.written) == files and "已生成 3 份结算单" in summary.text()
    assert all(pdf_text(o.path) and o.head in pdf_text(o.path) for o in summary.written)


def test_two_numbers_that_clean_to_the_same_name_get_two_files(store, out):
    project = store.create_project("同名")
    for number in ("1/2", "1_2"):
        household = store.add_household(project.id, number, "王建国")
        store.save_computed(household.id, compute(variant(0)))
    summary = write_sheets(store, project.id, None, out, with_ledger=False)
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2 == len(summary.written) and "1_2-王建国-结算单.pdf" in names


# -- the ledger workbook ---------------------------------------------------------------------

def ledger_rows(path: Path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path)["台账"]
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows(min_row=3)]


def test_the_ledger_lists_every_household_with_its_status_in_chinese_and_the_exact_totals(store, project, out):
    write_sheets(store, project.id, None, out)
    book = openpyxl.load_workbook(out / LEDGER_FILENAME)
    assert book.sheetnames == ["台账"]
    sheet = book["台账"]
    assert "堡子片区" in sheet["A1"].value
    assert [cell.value for cell in sheet[2]] == [heading for _, heading in LEDGER_COLUMNS] + [
        "身份证号", "电话", "签字日期", "支付批次", "支付日期"]
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:O7"
    data = [row for row in sheet.iter_rows(min_row=3, max_row=7, values_only=True)]
    assert [row[0] for row in data] == ["0001", "0002", "0003", "0004", "0005"]
    assert [row[7] for row in data] == ["已测算", "已签字", "已测算", "草稿", "已测算"]
    expected = {f"{i + 1:04d}": independent_total(i) for i in range(len(HEADS)) if i != DRAFT}
    for row in data:
        if row[0] in expected:
            assert isinstance(row[4], float) and Decimal(repr(row[4])) == expected[row[0]]
        else:
            assert row[3:7] == (None, None, None, None)  # a draft has no figures
    assert sheet["E3"].number_format == "#,##0.00" and sheet["D3"].number_format == "0.00"
    total_row, check_row = sheet[9], sheet[10]
    assert total_row[0].value == "合计" and total_row[1].value == "5 户"
    assert Decimal(repr(total_row[4].value)) == sum(expected.values()) == Decimal("2309559.71")
    assert check_row[4].value == "=SUM(E3:E7)" and check_row[3].value == "=SUM(D3:D7)"
    assert check_row[6].number_format == "0.00" and check_row[4].number_format == "#,##0.00"


def test_ledger_totals_equal_the_engine_and_the_store_summary(store, project, out):
    rows = store.ledger(project.id)
    reports.ledger_xlsx(rows, out / "l.xlsx", title="测试")
    totals = ledger_totals(rows)
    assert totals.total == sum(independent_total(i) for i in range(len(HEADS)) if i != DRAFT)
    assert totals == store.ledger_summary(project.id)
    total_row = ledger_rows(out / "l.xlsx")[len(rows) + 1]
    assert [Decimal(repr(v)) for v in total_row[3:7]] == [totals.building_area_m2, totals.total, totals.incentive,
                                                          totals.replacement_m2]


def test_an_empty_ledger_has_a_zero_total_and_no_check_formula(tmp_path):
    reports.ledger_xlsx([], tmp_path / "空.xlsx")
    rows = ledger_rows(tmp_path / "空.xlsx")
    assert rows[1][:7] == ("合计", "0 户", None, 0, 0, 0, 0) and len(rows) == 2
    assert leftovers(tmp_path) == []


def test_the_ledger_of_a_selection_holds_only_the_selection(store, project, out):
    write_sheets(store, project.id, ids(store, project, "0004", "0002"), out)
    rows = ledger_rows(out / LEDGER_FILENAME)
    assert [(row[0], row[7]) for row in rows[:2]] == [("0004", "草稿"), ("0002", "已签字")]
    assert rows[3][:2] == ("合计", "2 户")


# -- the summary -----------------------------------------------------------------------------

def test_the_summary_groups_skipped_households_by_reason():
    skipped = tuple(SheetOutcome(i, f"{i:04d}", "户主", None, "草稿,尚未保存测算结果") for i in range(7))
    odd = SheetOutcome(9, "0009", "某", None, "保存时的补偿标准版本不同")
    summary = BatchSummary((), (*skipped, odd), True, None, remaining=12)
    text = summary.text()
    assert text.startswith("已生成 0 份结算单")
    assert "跳过 8 户" in text and "共 7 户" in text and "0009 某" in text and "0005 户主" not in text
    assert text.endswith("已取消,余下 12 户未处理。")
    assert Status.DRAFT.label == "草稿"
