"""A household opened from the project store into 补偿测算 and saved back as new versions."""
from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from calculator.engine.case import case_from_dict, case_from_json, case_to_dict
from calculator.engine.compensation import compute
from calculator.core.labels import short_time
from calculator.store import SqliteStore, Status, StoreError
from driver import EXAMPLE, type_cell, type_text
from ui import dialogs
from ui.household.items_model import COL_QUANTITY


@pytest.fixture
def household(store):
    """户号 017 with the example case saved as version 1 (已测算)."""
    project = store.create_project("堡子片区")
    entry = store.add_household(project.id, "017", "王建国", "堡子村东街17号")
    store.save_computed(entry.id, compute(case_from_json(EXAMPLE.read_text(encoding="utf-8"))))
    return entry


@pytest.fixture
def reasons(monkeypatch):
    """Answers for the amendment-reason question (None = the user cancels)."""
    given = {"answers": [], "asked": []}

    def ask(parent, household, status):
        given["asked"].append((household, status))
        return given["answers"].pop(0)

    monkeypatch.setattr(dialogs, "ask_amendment_reason", ask)
    return given


def test_a_stored_household_opens_with_its_current_version(window, ws, store, household):
    assert ws.open_stored(store, household.id)
    assert ws.summary.total.text() == "546,616.30 元"
    stored = case_to_dict(store.current_version(household.id).case())
    assert stored["case_id"] == "BZ-2023-0317"  # typed before the project numbered its households
    assert case_to_dict(ws.session.case) == {**stored, "case_id": "017"}  # in a project the 户号 is the case number
    assert ws.header.edits[("case_id",)].text() == "017" and ws.header.edits[("case_id",)].isReadOnly()
    assert not ws.session.modified and not ws.lock_banner.isVisible()
    assert window.windowTitle().startswith("017 王建国(台账 第1版) — ")


def test_a_version_saved_from_now_on_carries_the_household_number(qtbot, window, ws, store, household):
    assert ws.open_stored(store, household.id)
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    assert ws.save()
    assert store.current_version(household.id).case().case_id == "017"
    other = store.add_household(household.project_id, "018", "李秀英")
    assert ws.open_stored(store, other.id)
    assert ws.header.edits[("case_id",)].text() == "018" and ws.session.case.case_id == "018"


def test_a_family_saved_under_a_second_number_is_said_once_and_saved(qtbot, window, ws, store, household, answers):
    """018 is given 017's 身份证号 (typed with spaces): saved all the same, and the assessor told once, when the number
    is new to 018; a later save of 018 with the same number says nothing more."""
    other = store.add_household(household.project_id, "018", "王建国")
    assert ws.open_stored(store, other.id)
    field = ws.header.edits[("household", "id_number")]
    field.setFocus()
    type_text(qtbot, field, "142329 19680512 0317")
    assert ws.save() and store.current_version(other.id) is not None
    assert answers.notices == [("请核对身份证号", "已保存。户主身份证号 142329196805120317 也登记在户号 017(王建国) 下,"
                                               "请核对是否同一户重复登记。")]
    ws.header.edits[("household", "phone")].setFocus()
    type_text(qtbot, ws.header.edits[("household", "phone")], "13900000000")
    assert ws.save() and len(store.versions(other.id)) == 2
    assert len(answers.notices) == 1


def test_a_store_failing_while_looking_for_the_number_leaves_nothing_saved(qtbot, window, ws, store, household,
                                                                            answers, monkeypatch):
    """The 身份证号 is looked for before the version is written: a store that fails there is 保存失败, and no version
    was saved behind the message."""
    other = store.add_household(household.project_id, "018", "王建国")
    assert ws.open_stored(store, other.id)
    field = ws.header.edits[("household", "id_number")]
    field.setFocus()
    type_text(qtbot, field, "142329196805120317")

    def busy(*args, **kwargs):
        raise StoreError("项目正被其他程序使用", "the project is busy")
    monkeypatch.setattr(store, "ledger", busy)
    assert not ws.save()
    assert store.current_version(other.id) is None and answers.errors[-1][0] == "保存失败" and ws.session.modified


def test_ctrl_s_saves_a_new_computed_version_not_a_file(qtbot, window, ws, store, household, answers, tmp_path):
    assert ws.open_stored(store, household.id)
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")  # 砖木 24.60 → 30 m² at 700: +3,780.00
    assert window.windowTitle().startswith("017 王建国(台账 第1版) * — ")
    with qtbot.waitSignal(ws.stored_saved) as saved:
        qtbot.keyClick(ws.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args == [household.id] and "save_path:" not in " ".join(answers.asked)
    versions = store.versions(household.id)
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].total == Decimal("550396.30") == compute(versions[1].case()).total
    assert store.household(household.id).status is Status.COMPUTED
    assert not ws.session.modified and window.windowTitle().startswith("017 王建国(台账 第2版) — ")
    assert not list(tmp_path.glob("*.json"))
    qtbot.keyClick(ws.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)   # again, nothing changed: saved a
    assert [v.number for v in store.versions(household.id)] == [1, 2]              # 第3版 of the same case once


def test_a_case_with_errors_is_kept_as_a_draft(window, ws, store, household):
    assert ws.open_stored(store, household.id)
    ws.session.add_line("附属平房/砖混结构")  # no quantity yet: the case does not compute
    assert ws.save()
    assert store.current_version(household.id).result_json is None
    assert store.household(household.id).status is Status.DRAFT


def refuses_every_edit(qtbot, ws) -> None:
    """Nothing can be typed, added, deleted or changed; no undo step is made."""
    before = case_to_dict(ws.session.case)
    index = ws.model.index(1, COL_QUANTITY)
    ws.table.setCurrentIndex(index)
    qtbot.keyClick(ws.table, Qt.Key.Key_Return)
    assert ws.table.indexWidget(index) is None  # no editor opens
    qtbot.keyClicks(ws.table, "30")
    assert not ws.model.setData(index, "30")
    head = ws.header.edits[("household", "head")]
    assert head.isReadOnly() and ws.header.date.edit.isReadOnly()
    head.setFocus()
    qtbot.keyClicks(head, "abc")
    assert head.text() == "王建国" and not head.inputMethodQuery(Qt.InputMethodQuery.ImEnabled)  # no IME either
    assert not ws.picker.isEnabled() and not ws.relocation.isEnabled() and not ws.replacement.isEnabled()
    ws.add_item("附属平房/砖混结构")
    ws.table.selectRow(0)
    ws.delete_selected()
    assert not ws.session.modified and ws.session.stack.count() == 0
    assert case_to_dict(ws.session.case) == before


def test_a_signed_case_opens_read_only_and_changes_only_by_a_reasoned_amendment(qtbot, window, ws, store, household,
                                                                               reasons):
    store.sign(household.id)
    assert ws.open_stored(store, household.id)
    assert ws.lock_banner.isVisible() and ws.lock_banner.amend_button.isVisible()
    assert ws.lock_banner.text.text().startswith("此户已签字(第1版),只能查看。如需更正,请点「更正…」填写理由")
    refuses_every_edit(qtbot, ws)
    said = []
    ws.status.connect(said.append)
    window._add_to_household("杂棚")   # 标准查阅's Enter: refused, and now said
    assert said == ["未添加「杂棚」:此户只能查看(如需更正,请点「更正…」)"] and not ws.session.modified
    reasons["answers"] = [None]  # 更正 cancelled: still read-only
    qtbot.mouseClick(ws.lock_banner.amend_button, Qt.MouseButton.LeftButton)
    assert reasons["asked"] == [("017 王建国", "已签字")] and ws.session.read_only
    reasons["answers"] = ["复核时发现厢房面积量错,重新丈量为30m²"]
    qtbot.mouseClick(ws.lock_banner.amend_button, Qt.MouseButton.LeftButton)
    assert not ws.session.read_only and ws.picker.isEnabled() and not ws.lock_banner.amend_button.isVisible()
    assert "正在更正此户(理由:复核时发现厢房面积量错" in ws.lock_banner.text.text()
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    assert ws.save() and len(reasons["asked"]) == 2  # the reason given on 更正, not asked again
    assert not ws.lock_banner.isVisible() and not ws.session.read_only
    first, second = store.versions(household.id)
    assert second.amendment_reason == "复核时发现厢房面积量错,重新丈量为30m²" and second.amends_version_id == first.id
    assert first.total == Decimal("546616.30") and second.total == Decimal("550396.30")  # both stay readable
    assert store.household(household.id).status is Status.COMPUTED


def test_a_signed_case_with_errors_is_refused(window, ws, store, household, answers, reasons):
    store.sign(household.id)
    assert ws.open_stored(store, household.id)
    reasons["answers"] = ["补录漏项"]
    assert ws.start_amendment()
    ws.session.add_line("附属平房/砖混结构")
    assert not ws.save()
    assert "输入错误" in answers.errors[-1][1] and len(store.versions(household.id)) == 1


def test_a_household_without_versions_starts_from_its_register_entry(window, ws, store, household):
    other = store.add_household(household.project_id, "018", "李秀英", "堡子村东街18号")
    assert ws.open_stored(store, other.id)
    assert ws.session.case.household == {"head": "李秀英", "address": "堡子村东街18号"}
    assert ws.session.case.items == []


def test_a_case_file_opened_over_a_stored_household_is_titled_as_the_file(window, ws, store, household):
    """Ctrl+O of a case file over 0101 opened from the 台账 kept the title 0101 王建国(台账 尚无版本) until it was
    saved (into the file): the assessor took the costing for the project's."""
    assert ws.open_stored(store, household.id)
    assert ws.open_file(EXAMPLE)
    assert ws.stored is None and window.windowTitle().startswith(f"{EXAMPLE.name} — ")


def test_a_case_file_costed_first_is_put_into_a_registered_household_and_saved_as_its_version(
        window, ws, store, household, answers):
    """A case costed as a file, the household registered after: the desktop app had no way to put it in but typing it
    again. Opened over the household, 填入此户 makes it the household's case, unsaved, and Ctrl+S its first version."""
    registered = store.add_household(household.project_id, "0101", "王建国")
    assert ws.open_stored(store, registered.id) and store.current_version(registered.id) is None
    answers.fill_household = "cancel"
    assert not ws.open_file(EXAMPLE) and ws.session.case.items == []     # nothing opened
    answers.fill_household = "fill"
    assert ws.open_file(EXAMPLE)
    # the file's own 案件编号 named another household: said in the question (its 户主 is this one's)
    assert answers.asked[-1] == ("fill_household:household.json:0101 王建国:文件中的案件编号「BZ-2023-0317」与此户不同;"
                                 "填入后以此户的户号保存,户主按文件改登记。")
    assert ws.stored is not None and ws.session.modified and ws.session.case.case_id == "0101"
    assert window.windowTitle().startswith("0101 王建国(台账 尚无版本) * — ")
    assert ws.summary.total.text() == "546,616.30 元"
    assert ws.save()
    version = store.current_version(registered.id)
    assert version.number == 1 and version.total == Decimal("546616.30") and version.case().case_id == "0101"
    assert ws.document_path() is None and ws.stored.version.number == 1   # into the 台账, never over the file


def test_a_file_that_cannot_be_put_into_the_household_is_said_and_the_household_kept(
        window, ws, store, household, answers, tmp_path):
    """A file of a schedule this program lacks escaped as an unhandled error once 填入此户 was chosen."""
    other = tmp_path / "other.json"
    other.write_text(EXAMPLE.read_text(encoding="utf-8").replace('"baozi-2023"', '"baozi-2031"'), encoding="utf-8")
    assert ws.open_stored(store, household.id)
    answers.fill_household = "fill"
    assert not ws.open_file(other)
    assert answers.errors and "baozi-2031" in answers.errors[-1][1]
    assert ws.stored is not None and not ws.session.modified and ws.summary.total.text() == "546,616.30 元"


def test_save_as_a_file_leaves_the_store_alone(window, ws, store, household, answers, tmp_path):
    assert ws.open_stored(store, household.id)
    answers.save_path = str(tmp_path / "副本.json")
    assert ws.save_as()
    assert ws.stored is None and window.windowTitle().startswith("副本.json — ")
    assert len(store.versions(household.id)) == 1


def test_ledger_to_costing_and_back(qtbot, window, store, household, settings, answers, monkeypatch):
    """台账: Enter on a household opens it in 补偿测算; Ctrl+S there shows the new total in the ledger."""
    from ui.ledger import dialogs as ledger_dialogs
    from ui.settings import ASSESSOR_NAME
    monkeypatch.setattr(ledger_dialogs, "show_error", lambda parent, title, message: answers.errors.append((title, message)))
    settings.set(ASSESSOR_NAME, "李明")
    store.close()
    path = store.path
    window.tabs.setCurrentIndex(3)
    ledger = window.workspace()
    assert window.tabs.bar.tabText(3) == "台账" and ledger.open_project(path)
    ledger.focus_table()
    qtbot.keyClick(ledger.table, Qt.Key.Key_Return)
    ws = window.household
    assert window.workspace() is ws and ws.summary.total.text() == "546,616.30 元"
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    qtbot.keyClick(ws.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    total_column = next(c for c in range(ledger.model.columnCount()) if ledger.model.headerData(c, Qt.Orientation.Horizontal).startswith("补偿金额"))
    assert ledger.model.index(0, total_column).data() == "550,396.30"
    type_cell(qtbot, ws, 1, COL_QUANTITY, "31")  # an edit not yet saved when the project is closed
    answers.save_changes = "cancel"
    assert not ledger.close_project() and ledger.project is not None and ws.stored is not None
    answers.save_changes = "save"
    assert ledger.close_project() and ledger.project is None
    assert answers.asked[-2:] == ["save_changes:017 王建国(台账 第2版)"] * 2
    assert ws.stored is None and not ws.session.case.items and not ws.session.modified
    with SqliteStore(path) as reopened:
        assert reopened.current_version(household.id).total == Decimal("551096.30")  # 31 m² at 700 kept
    assert not answers.errors


def test_signed_in_the_ledger_meanwhile_the_save_asks_for_a_reason(qtbot, window, ws, store, household, reasons):
    assert ws.open_stored(store, household.id)
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    store.sign(household.id)  # the ledger signed it while the case was open here
    reasons["answers"] = ["签字后复核更正"]
    assert ws.save()
    assert reasons["asked"] == [("017 王建国", "已签字")]
    assert store.current_version(household.id).amendment_reason == "签字后复核更正"


def test_a_version_saved_meanwhile_is_never_silently_replaced(qtbot, window, ws, store, household, answers):
    assert ws.open_stored(store, household.id)
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    other = store.current_version(household.id).case()
    other.items[0]["quantity"] = "90.00"
    store.save_computed(household.id, compute(other))  # e.g. a survey import, or another assessor
    assert not ws.save()
    assert "新存的第2版" in answers.errors[-1][1] and ws.session.modified
    assert len(store.versions(household.id)) == 2


def test_a_paid_case_opens_read_only_and_cannot_be_amended(qtbot, window, ws, store, household, answers, reasons):
    store.sign(household.id)
    store.pay([household.id], batch="第1批")
    assert ws.open_stored(store, household.id)
    assert ws.lock_banner.isVisible() and not ws.lock_banner.amend_button.isVisible()
    assert ws.lock_banner.text.text() == "此户已支付,只能查看,不能修改或更正。如发现差错,请按补差程序另行办理。"
    refuses_every_edit(qtbot, ws)  # refused before any work is done, not on save
    assert not ws.start_amendment() and reasons["asked"] == []
    assert not ws.save()
    assert reasons["asked"] == [] and "已支付,不能再更正" in answers.errors[-1][1]
    assert len(store.versions(household.id)) == 1


def test_unsaved_changes_of_a_stored_case_are_not_printed(qtbot, window, ws, store, household, answers):
    assert ws.open_stored(store, household.id)
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    assert not ws.preview()
    assert "请先保存" in answers.errors[-1][1] and "输入错误" not in answers.errors[-1][1]
    # Ctrl+P is not greyed out silently (a user pressing it saw nothing happen): it says why, and prints nothing.
    assert window.print_action.isEnabled() and "请先保存" in window.print_action.toolTip()
    errors = len(answers.errors)
    qtbot.keyClick(ws.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert len(answers.errors) == errors + 1 and "请先保存(Ctrl+S)再打印" in answers.errors[-1][1]
    assert ws.save() and window.print_action.isEnabled() and window.print_action.toolTip() == window.print_action.statusTip()


def test_a_locked_project_file_is_a_message_not_a_crash(qtbot, window, ws, store, household, answers):
    import sqlite3
    assert ws.open_stored(store, household.id)
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    blocker = sqlite3.connect(store.path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    store._conn.execute("PRAGMA busy_timeout = 0")
    try:
        assert not ws.save()
    finally:
        blocker.rollback()
        blocker.close()
    assert "项目文件读写失败" in answers.errors[-1][1] and ws.session.modified
    assert ws.save() and len(store.versions(household.id)) == 2


def test_no_reason_is_asked_for_a_save_that_cannot_happen(qtbot, window, ws, store, household, answers, reasons):
    assert ws.open_stored(store, household.id)
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    ws.session.add_line("附属平房/砖混结构")
    store.sign(household.id)  # signed in the 台账 meanwhile, and not computing: refused before any question
    assert not ws.save()
    assert reasons["asked"] == [] and "输入错误" in answers.errors[-1][1]


def ledger_of(window, store, settings):
    """The window's 台账 with the store's project open in it (by its file, as a user opens it), the user named."""
    from ui.settings import ASSESSOR_NAME
    settings.set(ASSESSOR_NAME, "李明")
    store.close()
    window.tabs.setCurrentIndex(3)
    ledger = window.workspace()
    assert ledger.open_project(store.path)
    return ledger


def test_a_household_opened_from_the_ledger_takes_what_is_typed_into_its_lines(qtbot, window, store, household,
                                                                              settings):
    """Opened with Enter from the 台账, the focus stayed in 户主 while the table showed its current cell: digits meant
    for a quantity went into the name (王建国90), and the case was changed."""
    ledger = ledger_of(window, store, settings)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    assert window.open_household(ledger.project.store, household.id)
    qtbot.waitUntil(lambda: window.household.table.hasFocus())
    assert not window.household.session.modified


@pytest.mark.parametrize("typed", [False, True])
def test_a_household_signed_in_the_ledger_shows_so_where_it_is_open(qtbot, window, store, household, settings,
                                                                    monkeypatch, typed):
    """Signed in the 台账 while open in 补偿测算, it stayed editable with no banner, and what was typed was refused only
    at Ctrl+S. Untouched, it is shown again, read-only; with typing of its own, the banner says its save is refused."""
    from ui.ledger import dialogs as ledger_dialogs
    ledger = ledger_of(window, store, settings)
    assert window.open_household(ledger.project.store, household.id)
    ws = window.household
    if typed:
        type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    asked = []
    monkeypatch.setattr(ledger_dialogs, "ask_sign_fingerprint", lambda parent, label, typed="": asked.append(label) or "")
    monkeypatch.setattr(ledger_dialogs, "confirm_unchecked_signing", lambda parent, label: True)   # signed unchecked
    ledger.select_household(household.id)
    assert ledger.sign_selected() == 1
    # asked to sign with typing of its own left unsaved in 补偿测算, the question says so (it said nothing, and the
    # banner then blamed 他人 for the signature this user had just made)
    assert ("此户在「补偿测算」中有未保存的修改" in asked[0]) is typed
    if typed:
        assert not ws.session.read_only and ws.news_banner.isVisibleTo(ws) and "已签字" in ws.news_banner.text()
        assert "他人" not in ws.news_banner.text() and " 改为「已签字」" in ws.news_banner.text()
        ws.session.stack.undo()   # the typing taken back: shown as it now is, signed, read-only (it stayed editable)
        qtbot.waitUntil(lambda: ws.session.read_only)
        assert ws.lock_banner.isVisibleTo(ws) and not ws.news_banner.isVisibleTo(ws) and not ws.is_modified()
    else:
        assert ws.session.read_only and ws.lock_banner.isVisibleTo(ws) and not ws.session.modified


def test_a_version_superseded_while_open_is_said_and_never_printed(qtbot, window, store, household, settings, answers):
    """A colleague saved 第2版 of the household open here, nothing typed: the banner said so, but 第1版 printed and
    exported with its old 校验码, a sheet of a version the household no longer has. (It is not opened again by itself:
    a rate's reason being asked, a date half typed, or another household under a reused id would be swapped under
    the user.)"""
    from ui.preview import PreviewDialog
    ledger = ledger_of(window, store, settings)
    assert window.open_household(ledger.project.store, household.id)
    ws = window.household
    assert ws.preview()
    shown = ws.findChild(PreviewDialog)                                  # the preview of 第1版, left open
    with SqliteStore(store.path, actor="王芳") as other:
        data = case_to_dict(case_from_json(other.current_version(household.id).case_json))
        data["items"].append({"item": "杂棚", "quantity": "5"})
        other.save_computed(household.id, compute(case_from_dict(data)))
    assert ledger.check_changes()
    assert ws.stored.version.number == 1 and not ws.session.modified
    assert ws.news_banner.isVisibleTo(ws) and "王芳" in ws.news_banner.text() and "第2版" in ws.news_banner.text()
    assert not shown.print_document()                                    # its 打印 printed 第1版 all the same
    assert "第2版(经办人 王芳)" in answers.errors[-1][1]
    shown.reject()
    assert not ws.preview()
    assert "第2版(经办人 王芳)" in answers.errors[-1][1] and "请从台账重新打开此户后再打印或导出" in answers.errors[-1][1]
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")                          # typed too: the way out is 另存为, not Ctrl+S
    assert not ws.preview() and answers.errors[-1][1].endswith("此处的修改请先用「另存为」存成文件")
    ws.session.stack.undo()
    assert window.open_household(ledger.project.store, household.id)      # opened again: 第2版, printable
    assert ws.stored.version.number == 2 and not ws.news_banner.isVisibleTo(ws) and ws.preview()


def test_cancelling_the_open_project_dialog_keeps_the_open_household(qtbot, window, store, household, settings,
                                                                   answers, monkeypatch):
    from ui.ledger import dialogs as ledger_dialogs
    ledger = ledger_of(window, store, settings)
    assert window.open_household(ledger.project.store, household.id)
    ws = window.household
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    monkeypatch.setattr(ledger_dialogs, "open_project_path", lambda parent, directory: None)
    monkeypatch.setattr(ledger_dialogs, "ask_new_project", lambda parent, directory, *typed: None)
    assert not ledger.open_project() and not ledger.new_project()
    assert ws.stored is not None and ws.session.modified and answers.asked == []
    monkeypatch.setattr(ledger_dialogs, "show_error", lambda parent, title, message: answers.errors.append((title, message)))
    broken = Path(store.path).parent / "坏.landcomp"
    broken.write_bytes(b"not a database")
    assert not ledger.open_project(broken)  # a file that cannot be opened changes nothing either
    assert ws.stored is not None and ws.session.modified and answers.asked == []


def test_ctrl_n_on_a_changed_stored_case_names_the_household(qtbot, window, ws, store, household, answers):
    assert ws.open_stored(store, household.id)
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    answers.save_changes = "cancel"
    ws.new_file()
    assert answers.asked[-1] == "save_changes:017 王建国(台账 第1版)" and ws.stored is not None
    answers.save_changes = "discard"


def test_a_crash_while_editing_a_stored_household_recovers_it_tied_to_that_household(
        qtbot, window, ws, store, household, answers, settings):
    from ui import recovery
    from ui.main_window import MainWindow
    from ui.settings import ASSESSOR_NAME
    settings.set(ASSESSOR_NAME, "李明")
    assert ws.open_stored(store, household.id)
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    ws.autosave()
    ws.recovery._lock.unlock()  # the process dies holding its lock; the recovery file stays
    ws.recovery = None
    answers.recover = True
    after = MainWindow(settings, autosave=False)
    qtbot.addWidget(after)
    after.offer_recovery()
    restored = after.household
    assert restored.stored is not None and restored.stored.household.id == household.id
    assert restored.session.modified and restored.summary.total.text() == "550,396.30 元"
    assert after.windowTitle().startswith("017 王建国(台账 第1版) * — ")
    assert restored.save()
    assert [v.total for v in store.versions(household.id)] == [Decimal("546616.30"), Decimal("550396.30")]
    assert not recovery.left_behind(settings.data_dir())
    after.household.shutdown()
    after.ledger.shutdown()
    ws.session.stack.setClean()


def _crash_and_recover(qtbot, ws, settings, answers, meanwhile=lambda: None):
    """The app dies with `ws`'s typing in its autosave; `meanwhile` runs; a new window recovers it (returned)."""
    from ui.main_window import MainWindow
    ws.autosave()
    ws.recovery._lock.unlock()  # the process dies holding its lock; the recovery file stays
    ws.recovery = None
    meanwhile()
    answers.recover = True
    after = MainWindow(settings, autosave=False)
    qtbot.addWidget(after)
    after.offer_recovery()
    return after


def test_a_recovered_household_saved_elsewhere_meanwhile_says_so_at_once(qtbot, window, ws, store, household, answers,
                                                                        settings):
    """Recovered after a colleague saved 第2版, it showed 第1版 * without a word: the refusal came only at Ctrl+S."""
    from ui.settings import ASSESSOR_NAME
    settings.set(ASSESSOR_NAME, "李明")
    assert ws.open_stored(store, household.id)
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")

    def colleague_saves():
        with SqliteStore(store.path, actor="王芳") as other:
            data = case_to_dict(case_from_json(other.current_version(household.id).case_json))
            data["items"].append({"item": "杂棚", "quantity": "5"})
            other.save_computed(household.id, compute(case_from_dict(data)))

    after = _crash_and_recover(qtbot, ws, settings, answers, colleague_saves)
    restored = after.household
    assert restored.session.modified and restored.summary.total.text() == "550,396.30 元"   # the typing kept
    assert restored.news_banner.isVisibleTo(restored)
    assert "王芳" in restored.news_banner.text() and "第2版" in restored.news_banner.text()
    after.household.shutdown()
    after.ledger.shutdown()
    ws.session.stack.setClean()


def test_a_recovered_amendment_of_a_signed_household_is_still_one_with_its_reason(qtbot, window, ws, store, household,
                                                                                answers, settings, reasons):
    """The recovery kept the typing but not the reason: the changed figures were shown under 此户已签字,只能查看."""
    from ui.settings import ASSESSOR_NAME
    settings.set(ASSESSOR_NAME, "李明")
    store.sign(household.id)
    assert ws.open_stored(store, household.id)
    reasons["answers"] = ["复核时发现厢房面积量错"]
    assert ws.start_amendment()
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    restored = _crash_and_recover(qtbot, ws, settings, answers).household
    assert not restored.session.read_only and restored.session.modified
    assert "正在更正此户(理由:复核时发现厢房面积量错)" in restored.lock_banner.text.text()
    assert restored.save() and len(reasons["asked"]) == 1   # the reason given before the crash, not asked again
    assert store.current_version(household.id).amendment_reason == "复核时发现厢房面积量错"
    assert store.current_version(household.id).total == Decimal("550396.30")
    restored.window().household.shutdown()
    restored.window().ledger.shutdown()
    ws.session.stack.setClean()


def test_a_recovered_case_whose_household_is_gone_is_still_recovered(qtbot, window, ws, store, household, answers):
    from ui.recovery import Recovered
    case = case_to_dict(case_from_json(store.current_version(household.id).case_json))
    found = Recovered(Path("/nonexistent"), case, None, 0.0, "王建国",
                      {"project": str(store.path), "household_id": 999, "version_id": None})
    assert ws.restore(found, store)
    assert ws.stored is None and ws.session.modified and ws.summary.total.text() == "546,616.30 元"
    assert "无法对应到台账中的原户" in answers.errors[-1][1]


def test_the_sheet_printed_from_costing_is_the_stored_versions_under_the_household_number(
        window, ws, store, household, answers, tmp_path):
    import pdfplumber
    assert ws.open_stored(store, household.id)
    answers.save_path = str(tmp_path / "结算单")
    assert ws.export("pdf") and not answers.errors
    with pdfplumber.open(tmp_path / "结算单.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    stored = store.current_version(household.id)
    assert "案件编号 017" in text and "BZ-2023-0317" not in text
    assert stored.fingerprint in text  # the code a clerk types back when signing is the one the 台账 holds
    assert "更正说明" not in text
    store.sign(household.id)   # signed, then amended: the new sheet says which signed sheet it replaces
    case = stored.case()
    case.items[0]["quantity"] = "90.00"
    store.save_computed(household.id, compute(case), amendment_reason="正房复测")
    assert ws.open_stored(store, household.id)
    assert ws.export("pdf") and not answers.errors
    with pdfplumber.open(tmp_path / "结算单.pdf") as pdf:
        text = "".join("".join(page.extract_text() or "" for page in pdf.pages).split())
    assert ("更正说明本单为第2版,更正已签字的第1版(合计546,616.30元,"
            f"校验码{stored.fingerprint}),以本单为准。更正理由:正房复测") in text


@pytest.mark.backends("sqlite")
def test_a_project_moved_away_is_not_saved_to_and_says_where_the_edits_can_go(qtbot, window, ws, store, household,
                                                                               answers):
    """The project file renamed under the open app: Ctrl+S said 已保存 第2版 into a journal no file opens again. Refused,
    the edits kept; and said where they can go meanwhile (saving again fails alike, and closing offers only 不保存)."""
    assert ws.open_stored(store, household.id)
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    Path(store.path).rename(Path(store.path).with_name("改名.landcomp"))
    assert not ws.save()
    title, message = answers.errors[-1]
    assert title == "保存失败" and "移动、改名、删除或替换" in message and "另存为" in message
    assert ws.session.modified and "30" in str(ws.session.case.items[1]["quantity"])


@pytest.mark.backends("sqlite")
def test_the_ledger_says_at_once_that_its_file_was_moved_and_the_saves_are_in_it(qtbot, window, store, household,
                                                                                settings, answers):
    """Renamed under the open app, then the app killed before the next save or its closing: 第2版, said 已保存, was in
    the journal at the old name, and the renamed file had 第1版 only; the 台账 showed the old path, saying nothing.
    Its twice-a-second check writes the saves into the moved file and says where it went."""
    ledger = ledger_of(window, store, settings)
    assert window.open_household(ledger.project.store, household.id)
    ws = window.household
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    assert ws.save()
    moved = Path(store.path).with_name("改名.landcomp")
    Path(store.path).rename(moved)
    assert not ledger.check_changes()
    assert ledger.notice.isVisibleTo(ledger) and "项目文件已不在打开时的位置" in ledger.notice.text()
    shutil.copy(moved, moved.with_name("崩溃后.landcomp"))   # the file alone, as a crash now leaves it
    with SqliteStore(moved.with_name("崩溃后.landcomp")) as after_crash:
        assert [v.number for v in after_crash.versions(household.id)] == [1, 2]
    moved.rename(store.path)   # put back: the notice stayed, and was untrue
    ledger.check_changes()
    assert not ledger.notice.isVisibleTo(ledger)


@pytest.mark.backends("sqlite")
def test_a_project_file_deleted_while_open_is_not_dropped_unasked_and_backs_up(qtbot, window, store, household,
                                                                               settings, monkeypatch):
    """rm of the open project, then the window closed (or another project opened): every save, 002's too, lost without
    a word, the notice having said they were only in the app. Asked first, 取消 the default; once backed up, not."""
    ledger = ledger_of(window, store, settings)
    asked = []
    from ui.ledger import dialogs as ledger_dialogs
    monkeypatch.setattr(ledger_dialogs, "ask_drop_only_copy", lambda parent, name: asked.append(name) or False)
    Path(store.path).unlink()
    assert not ledger.check_changes() and "项目文件已被删除或被另一个文件替换" in ledger.notice.text()
    assert not ledger.confirm_close() and not ledger.close_project() and asked == ["堡子片区", "堡子片区"]
    rescued = Path(store.path).with_name("救回.landcomp")
    assert ledger.project.backup(rescued) == rescued
    ledger.check_changes()
    assert "已备份到 救回.landcomp" in ledger.notice.text()
    assert ledger.confirm_close() and len(asked) == 2
    with SqliteStore(rescued) as kept:
        assert kept.current_version(household.id).number == 1


def test_a_file_put_into_a_household_says_which_version_it_replaces_unless_it_holds_it(
        window, ws, store, household, answers, tmp_path):
    """A colleague saved 第2版 while the assessor typed over 第1版: the save refused, the typing saved as a file (另存为),
    the household opened again and the file put into it — 第2版's changes were replaced line for line, nothing said."""
    colleague = SqliteStore(store.path, actor="王芳")
    case = case_to_dict(compute(case_from_json(EXAMPLE.read_text(encoding="utf-8"))).case)
    case["items"][0]["quantity"] = "90.40"   # 4 m² more of 附属平房/砖混结构 at 760: 3,040.00 more
    colleague.save_computed(household.id, compute(case_from_dict(case)))
    colleague.close()
    assert ws.open_stored(store, household.id) and ws.stored.version.number == 2
    answers.fill_household = "cancel"
    assert not ws.open_file(EXAMPLE)
    assert answers.asked[-1].endswith("台账中此户的第2版由 王芳 于 " + short_time(ws.stored.version.created_at)
                                      + " 保存,合计 549,656.30 元,与文件不同;填入后以文件为准,第2版中文件没有的修改将被替换,请先核对。")
    # a file holding the version as it is (its 案件编号 aside): nothing to say of it
    same = tmp_path / "colleague.json"
    same.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    assert not ws.open_file(same)
    assert answers.asked[-1].startswith("fill_household:colleague.json:") and "第2版" not in answers.asked[-1]


def test_paying_a_household_with_typing_unsaved_in_the_costing_tab_says_so(qtbot, window, store, household, settings,
                                                                          monkeypatch):
    """标记已支付 said nothing of the typing left unsaved in 补偿测算 (标记已签字 did): once paid, it can never be saved."""
    from ui.ledger import dialogs as ledger_dialogs
    ledger = ledger_of(window, store, settings)
    assert window.open_household(ledger.project.store, household.id)
    type_cell(qtbot, window.household, 1, COL_QUANTITY, "30")
    monkeypatch.setattr(ledger_dialogs, "ask_sign_fingerprint", lambda parent, label, typed="": "")
    monkeypatch.setattr(ledger_dialogs, "confirm_unchecked_signing", lambda parent, label: True)
    ledger.select_household(household.id)
    assert ledger.sign_selected() == 1
    asked = []
    monkeypatch.setattr(ledger_dialogs, "ask_payment_batch", lambda parent, text: asked.append(text) or "第1批")
    ledger.select_household(household.id)
    assert ledger.pay_selected()
    assert "注意:户号 017 王建国 在「补偿测算」中有未保存的修改" in asked[0] and "那些修改将无法保存" in asked[0]
