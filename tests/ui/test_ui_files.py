"""Files: open and save round-trip, the title, closing with unsaved changes, autosave recovery, exports."""
from __future__ import annotations

import json
from decimal import Decimal
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

import calculator.formats.reports
from calculator.engine.case import case_from_json, case_to_dict, fingerprint
from calculator.engine.compensation import compute
from driver import EXAMPLE, ROOT, type_cell, type_text
from ui import recovery
from ui.household.items_model import COL_QUANTITY
from ui.main_window import MainWindow
from ui.settings import GEOMETRY, RECENT_FILES, Settings, per_screen


def test_open_edit_save_and_open_again_round_trips(qtbot, window, ws, answers, tmp_path):
    answers.open_path = str(EXAMPLE)
    qtbot.keyClick(ws.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert window.windowTitle().startswith("household.json — ")
    assert ws.summary.total.text() == "546,616.30 元"

    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")                  # 砖木 24.60 → 30 m²
    assert window.windowTitle().startswith("household.json * — ")
    answers.save_path = str(tmp_path / "王建国")
    qtbot.keyClick(ws.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    saved = tmp_path / "王建国.json"
    assert saved.exists() and not list(tmp_path.glob("*.part"))
    assert window.windowTitle().startswith("王建国.json — ")
    assert not ws.session.modified

    second = MainWindow(window.settings, autosave=False)
    qtbot.addWidget(second)
    assert second.household.open_file(saved)
    assert case_to_dict(second.household.session.case) == case_to_dict(ws.session.case)
    assert second.household.summary.total.text() == ws.summary.total.text() == "550,396.30 元"
    assert compute(case_from_json(saved.read_text(encoding="utf-8"))).total == ws.session.result.total
    assert str(saved.resolve()) in window.settings.get(RECENT_FILES)


def test_a_files_own_fields_are_saved_back_as_they_were(qtbot, window, ws, answers, tmp_path):
    """A field no case has (an office's 片区 and 调查员 at the top of the file) was dropped on the app's save, the file said
    "未识别的字段已忽略" once on opening, and the README "kept, with a warning"."""
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data.update({"片区": "堡子东片", "调查员": "张三", "复核": 2})
    given = tmp_path / "带片区.json"
    given.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert ws.open_file(given)
    assert any("不参与计算,也不计入校验码;保存案例文件时保留: 复核, 片区, 调查员" in w.zh for w in ws.session.result.warnings)
    plain = case_from_json(EXAMPLE.read_text(encoding="utf-8"))   # the same figures: the same 校验码, as stored
    assert fingerprint(ws.session.case, "v") == fingerprint(plain, "v")
    type_cell(qtbot, ws, 1, COL_QUANTITY, "30")
    assert ws.save()
    saved = json.loads(given.read_text(encoding="utf-8"))
    assert (saved["片区"], saved["调查员"], saved["复核"]) == ("堡子东片", "张三", "2")   # a number as its text, as all
    assert saved["items"][1]["quantity"] == "30" and ws.session.result.total == Decimal("550396.30")


def test_recent_cases_parcels_and_projects_each_open_where_they_belong(qtbot, window, ws, tmp_path):
    """最近打开 listed cases only, and opened each in 补偿测算: a parcel or a project was not there to reopen."""
    from calculator.app.ledger_actions import create_project
    parcel = tmp_path / "宗地.json"
    parcel.write_text((ROOT / "examples" / "parcel.json").read_text(encoding="utf-8"), encoding="utf-8")
    create_project(tmp_path / "堡子片区.landcomp", "堡子片区", "李明").close()
    assert ws.open_file(EXAMPLE)
    window.tabs.setCurrentIndex(window.land_tab)
    assert window.workspace().open_file(parcel)
    window.tabs.setCurrentIndex(3)                                      # the 台账
    assert window.ledger.open_project(tmp_path / "堡子片区.landcomp")
    window.ledger.close_project()
    window.tabs.setCurrentIndex(0)
    window.recent_menu.aboutToShow.emit()
    actions = {action.text(): action for action in window.recent_menu.actions() if action.text()}
    assert list(actions) == ["&1 宗地.json", "&2 household.json", "项目 堡子片区.landcomp"]
    actions["&1 宗地.json"].trigger()
    assert window.tabs.currentIndex() == window.land_tab and window.workspace().document_path() == parcel
    actions["项目 堡子片区.landcomp"].trigger()
    assert window.workspace() is window.ledger and window.ledger.project.name == "堡子片区"
    actions["&2 household.json"].trigger()
    assert window.workspace() is ws and ws.document_path() == EXAMPLE


def test_a_save_the_system_refuses_says_why_in_chinese_and_names_the_file(qtbot, window, ws, answers, tmp_path,
                                                                         monkeypatch):
    """A save onto a read-only disk said only 无法写入文件:Read-only file system, in English, with no file named."""
    import errno
    target = tmp_path / "王建国.json"

    def read_only(path):
        raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(ws, "write_document", read_only)
    assert not ws.save_to(target)
    assert answers.errors[-1] == ("保存失败", f"无法写入文件:所在磁盘只读 / Read-only file system({target})")


def test_ctrl_s_on_an_opened_file_writes_it_in_place(qtbot, window, ws, tmp_path):
    path = tmp_path / "case.json"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert ws.open_file(path)
    type_cell(qtbot, ws, 0, COL_QUANTITY, "90")
    qtbot.keyClick(ws.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert json.loads(path.read_text(encoding="utf-8"))["items"][0]["quantity"] == "90"
    assert window.windowTitle().startswith("case.json — ")


def test_a_case_opened_through_a_link_is_saved_to_the_file_it_names(qtbot, window, ws, answers, tmp_path):
    """An output written over a link is refused (it replaced /dev/stdout); a case opened through one is saved to the
    file it names, the link kept, as an editor does."""
    real = tmp_path / "cases" / "case.json"
    real.parent.mkdir()
    real.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    link = tmp_path / "捷径.json"
    link.symlink_to(real)
    assert ws.open_file(link)
    type_cell(qtbot, ws, 0, COL_QUANTITY, "90")
    qtbot.keyClick(ws.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert answers.errors == [] and not ws.session.modified
    assert link.is_symlink() and json.loads(real.read_text(encoding="utf-8"))["items"][0]["quantity"] == "90"


def test_closing_with_unsaved_changes_asks(qtbot, window, ws, answers):
    ws.header.edits[("household", "head")].setFocus()
    type_text(qtbot, ws.header.edits[("household", "head")], "张三")
    assert ws.session.modified
    answers.save_changes = "cancel"
    assert not window.close()
    assert answers.asked == ["save_changes:未命名案例"] and answers.save_tabs == ["补偿测算"] and window.isVisible()
    answers.save_changes = "discard"
    assert window.close()


def test_closing_while_a_date_is_still_being_typed_asks_and_keeps_it(qtbot, window, ws, answers, tmp_path):
    """测算日期 typed and Ctrl+Q pressed before leaving the field: the app closed without a word, the date lost."""
    path = tmp_path / "case.json"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert ws.open_file(path)
    field = ws.header.date
    field.edit.setFocus()
    field.edit.selectAll()
    type_text(qtbot, field.edit, "2023/7/1")
    answers.save_changes = "save"
    assert window.close()
    assert answers.asked[-1] == "save_changes:case.json"
    assert json.loads(path.read_text(encoding="utf-8"))["assessed_on"] == "2023-07-01"


def test_closing_with_a_day_that_does_not_exist_in_a_date_asks_before_dropping_it(qtbot, window, ws, answers, tmp_path):
    """A probe saw 2023-02-30 typed into 测算日期 (red, not taken, the case not '*') dropped on closing unasked. Then
    asked 保存?, whose default (Enter) was a save that cannot take it: refused, and the file being opened (Ctrl+O)
    dropped. Now asked to go back and mend it (the default), or to give it up with the rest."""
    assert ws.open_file(EXAMPLE)
    field = ws.header.date
    field.edit.setFocus()
    field.edit.selectAll()
    type_text(qtbot, field.edit, "2023-02-30")
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)
    assert field.error() and not ws.session.modified
    assert not ws.open_file(EXAMPLE) and not window.close()
    assert answers.asked[-2:] == [f"drop_untaken:household.json:{field.error()}"] * 2
    assert field.edit.text() == "2023-02-30" and "save_changes" not in " ".join(answers.asked)
    answers.drop_untaken = True
    assert window.close()


def test_new_asks_before_dropping_changes(qtbot, window, ws, answers):
    assert ws.open_file(EXAMPLE)
    type_cell(qtbot, ws, 0, COL_QUANTITY, "90")
    answers.save_changes = "cancel"
    qtbot.keyClick(ws.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(ws.session.case.items) == 35
    answers.save_changes = "discard"
    qtbot.keyClick(ws.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert ws.session.case.items == [] and window.windowTitle().startswith("未命名 — ")


def test_a_broken_file_is_refused_with_its_message(window, ws, answers, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"items": [1, 2]', encoding="utf-8")
    assert not ws.open_file(bad)
    assert answers.errors and "JSON" in answers.errors[0][1] and "bad.json" in answers.errors[0][1]


def test_a_recovery_file_this_version_cannot_read_is_kept_aside_not_deleted(settings):
    # An older version stored the case as text with line breaks, which the JSON reader refuses.
    folder = Path(settings.data_dir()) / "recovery"
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / f"0123{recovery.SUFFIX}"
    text = '{"original_path": null, "saved_at": 1, "head": "王建国", "case": "{\\n  \\"items\\": []\\n}"}'
    old.write_text(text, encoding="utf-8")
    assert recovery.left_behind(settings.data_dir()) == []
    kept = folder / f"0123{recovery.SUFFIX}.unreadable"
    assert not old.exists() and kept.read_text(encoding="utf-8") == text
    assert recovery.left_behind(settings.data_dir()) == []  # set aside once, not offered again


def test_autosave_is_offered_back_after_a_crash(qtbot, window, ws, answers, settings):
    assert ws.open_file(EXAMPLE)
    type_cell(qtbot, ws, 0, COL_QUANTITY, "90")
    ws.autosave()
    written = ws.recovery.path
    assert written.exists()
    expected = case_to_dict(ws.session.case)
    # A crash: the process dies holding its lock, the recovery file stays.
    ws.recovery._lock.unlock()
    ws.recovery = None
    assert [(found.file, found.head) for found in recovery.left_behind(settings.data_dir())] == [(written, "王建国")]

    answers.recover = True
    after = MainWindow(settings, autosave=False)
    qtbot.addWidget(after)
    after.offer_recovery()
    assert answers.asked[-1] == "recover:case:王建国"
    assert case_to_dict(after.household.session.case) == expected
    assert after.household.session.modified and after.windowTitle().startswith("household.json * — ")
    assert not written.exists()
    after.household.session.stack.setClean()
    after.household.shutdown()


def test_a_parcel_and_a_case_left_by_a_crash_are_both_offered_back_each_in_its_tab(qtbot, window, ws, answers,
                                                                                   settings):
    """地价测算 had no autosave: a parcel typed in (and a half-typed area) was gone after a crash, while the
    household case of the same window came back."""
    assert ws.open_file(EXAMPLE)
    type_cell(qtbot, ws, 0, COL_QUANTITY, "90")
    ws.autosave()
    window.tabs.setCurrentIndex(window.land_tab)
    land = window.workspace()
    assert land.open_file(ROOT / "examples" / "parcel.json")
    land._push(replace(land.draft, reference="CRASH-TEST-1", parts=(
        replace(land.draft.parts[0], text="1234.5"), replace(land.draft.parts[1], text="12ab"))), "测试")
    expected = land.draft
    land.autosave()
    for workspace in (ws, land):   # the process dies holding its locks; the recovery files stay
        workspace.recovery._lock.unlock()
        workspace.recovery = None
    answers.recover = True
    after = MainWindow(settings, autosave=False)
    qtbot.addWidget(after)
    after.offer_recovery()
    assert sorted(answers.asked) == ["recover:case:王建国", "recover:parcel:CRASH-TEST-1"]
    restored = after.workspace()
    assert restored.draft == expected and restored.is_modified() and restored.document_path() == ROOT / "examples" / "parcel.json"
    assert after.windowTitle().startswith("parcel.json * — ")
    assert after.household.session.modified and after.household.summary.total.text() == "549,352.30 元"  # 90 m²
    assert recovery.left_behind(settings.data_dir()) == []
    # what is opened after a recovered document is as its file holds it: every case opened after one was '*', and
    # Ctrl+S saved an identical version of a household nobody had touched
    after.household.session.open(EXAMPLE)
    restored.load_parcel(json.loads((ROOT / "examples" / "parcel.json").read_text(encoding="utf-8")))
    assert not after.household.session.modified and not restored.is_modified()
    for workspace in (restored, after.household):
        workspace.shutdown()
    ws.session.stack.setClean()
    land.stack.setClean()


def test_a_recovered_parcel_holding_a_character_no_file_takes_is_still_offered_back(qtbot, settings, answers):
    """A zero-width space pasted into 地块编号 is kept as typed; the recovery file holding it was read as a parcel file
    is, refused, and set aside unoffered."""
    from calculator.app.land_actions import ParcelDraft, PartDraft, draft_record
    draft = ParcelDraft(reference="WT\u200b-1", parts=(PartDraft("商服用地", "300"),))
    left = recovery.RecoveryFile(settings.data_dir())
    left.write(draft_record(draft), None, draft.reference, kind="parcel")
    left._lock.unlock()
    answers.recover = True
    window = MainWindow(settings, autosave=False)
    qtbot.addWidget(window)
    window.offer_recovery()
    assert answers.asked == ["recover:parcel:WT\u200b-1"] and window.workspace().draft == draft
    assert not left.path.exists() and not list(left.folder.glob("*.unreadable"))
    window.workspace().stack.setClean()


def test_a_recovery_file_that_cannot_be_restored_is_set_aside_not_offered_again(qtbot, settings, answers):
    left = recovery.RecoveryFile(settings.data_dir())
    left.write({"grade": 2, "parts": "damaged"}, None, "WT-2", kind="parcel")
    left._lock.unlock()
    answers.recover = True
    window = MainWindow(settings, autosave=False)
    qtbot.addWidget(window)
    window.offer_recovery()
    assert answers.errors and "恢复文件中的地块不完整" in answers.errors[-1][1]
    assert not left.path.exists() and [p.name for p in left.folder.glob("*.unreadable")] == [left.path.name + ".unreadable"]
    window.offer_recovery()
    assert answers.asked == ["recover:parcel:WT-2"]                      # offered once, not at every start


def test_a_clean_save_removes_the_recovery_file(qtbot, window, ws, tmp_path):
    assert ws.open_file(EXAMPLE)
    type_cell(qtbot, ws, 0, COL_QUANTITY, "90")
    ws.autosave()
    written = ws.recovery.path
    assert written.exists()
    assert ws.save_to(tmp_path / "saved.json")
    assert not written.exists()


def test_declined_recovery_is_forgotten(qtbot, settings, answers):
    left = recovery.RecoveryFile(settings.data_dir())
    left.write(case_to_dict(case_from_json(EXAMPLE.read_text(encoding="utf-8"))), None, "王建国")
    left._lock.unlock()
    answers.recover = False
    window = MainWindow(settings, autosave=False)
    qtbot.addWidget(window)
    window.offer_recovery()
    assert answers.asked == ["recover:case:王建国"]
    assert not left.path.exists() and window.household.session.case.items == []


def test_export_calls_the_reports_with_the_strict_result(qtbot, window, ws, answers, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(calculator.formats.reports, "compensation_pdf", lambda result, path: calls.append(("pdf", result, path)))
    monkeypatch.setattr(calculator.formats.reports, "compensation_xlsx", lambda result, path: calls.append(("xlsx", result, path)))
    assert ws.open_file(EXAMPLE)
    answers.save_path = str(tmp_path / "sheet")
    assert ws.export("pdf") and ws.export("xlsx")
    assert [(kind, path.name) for kind, _, path in calls] == [("pdf", "sheet.pdf"), ("xlsx", "sheet.xlsx")]
    assert calls[0][1].total == compute(ws.session.case).total

    type_cell(qtbot, ws, 0, COL_QUANTITY, "0")                  # a bad line: no sheet
    assert not ws.export("pdf") and "修正后才能导出" in answers.errors[-1][1]


def test_export_actions_wait_for_the_reports(window, monkeypatch):
    window._update_exports()
    assert window.pdf_action.isEnabled() and window.xlsx_action.isEnabled()
    monkeypatch.delattr(calculator.formats.reports, "compensation_xlsx")
    window._update_exports()
    assert window.pdf_action.isEnabled() and not window.xlsx_action.isEnabled()
    assert "compensation_xlsx" in window.xlsx_action.toolTip()


@pytest.mark.parametrize("kind", ["pdf", "xlsx"])
def test_export_writes_a_real_file(ws, answers, tmp_path, kind):
    assert ws.open_file(EXAMPLE)
    answers.save_path = str(tmp_path / f"sheet.{kind}")
    assert ws.export(kind), answers.errors
    assert (tmp_path / f"sheet.{kind}").stat().st_size > 1000


def test_the_sheets_workbook_never_replaces_a_filled_in_survey(ws, answers, tmp_path):
    from test_ui_ledger import filled_survey
    survey = tmp_path / "调查.xlsx"
    typed = filled_survey(survey)
    assert ws.open_file(EXAMPLE)
    answers.save_path = str(survey)
    assert not ws.export("xlsx") and survey.read_bytes() == typed
    assert "「调查.xlsx」是已填写的调查表,不会覆盖它" in answers.errors[-1][1]


@pytest.mark.parametrize("kind", ["pdf", "xlsx"])
def test_an_export_the_system_refuses_is_said_plainly(ws, answers, tmp_path, kind):
    """Into a folder the user may not write (/sys: refused even to root, as the tests run): the dialog showed
    Python's own PermissionError: [Errno 13] Permission denied: '…' (the command line says 无权写入)."""
    assert ws.open_file(EXAMPLE)
    answers.save_path = f"/sys/sheet.{kind}"
    assert not ws.export(kind)
    said = answers.errors[-1][1]
    assert said == f"无法写入文件:没有权限 / Permission denied(/sys/sheet.{kind})", said


def test_window_remembers_its_geometry(qtbot, settings, answers, tmp_path):
    first = MainWindow(settings, autosave=False)
    qtbot.addWidget(first)
    first.resize(1100, 700)  # the test screen is 1366×768 (tests/ui/screens)
    first.show()
    qtbot.waitExposed(first)
    size = first.size()
    assert first.close()
    second = MainWindow(settings, autosave=False)
    qtbot.addWidget(second)
    fresh = MainWindow(Settings(str(tmp_path / "other.ini")), autosave=False)
    qtbot.addWidget(fresh)
    available = second.screen().availableGeometry()
    assert not settings.get(per_screen(GEOMETRY, available.width(), available.height())).isEmpty()
    assert second.size() == size and second.size() != fresh.size()


def test_a_fresh_window_on_a_small_screen_opens_maximized_inside_it(qtbot, settings):
    """The test screen (1366×768) is smaller than the 1600×1000 default: nothing may hang off it."""
    window = MainWindow(settings, autosave=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.isMaximized()
    assert window.screen().availableGeometry().contains(window.frameGeometry())


@pytest.mark.parametrize("name", ["{tmp}/安装 目录/王家 案件.v2.json", "安装 目录/王家 案件.v2.json", "items.json"])
def test_a_file_that_cannot_be_opened_is_named_as_it_is_given(ws, answers, tmp_path, monkeypatch, name):
    """无法打开 read a file's name as fields: …/安装 目录/王家 案件 v2 json, 补偿项目 json, nonexist json (as
    `landcomp nonexist.json` opens it)."""
    monkeypatch.chdir(tmp_path)
    name = name.format(tmp=tmp_path)
    Path("安装 目录").mkdir()
    Path(name).write_text('{"household": {"head": 5}}', encoding="utf-8")
    assert not ws.open_file(Path(name))
    assert answers.errors[-1] == ("无法打开", f"{name} 户主信息 户主: 应为文字")
    assert not ws.open_file(Path("nonexist.json"))
    assert answers.errors[-1] == ("无法打开", "nonexist.json: 文件不存在")


def test_a_parcel_file_opened_as_a_case_is_refused_and_never_overwritten(ws, answers, tmp_path):
    parcel = tmp_path / "parcel.json"
    parcel.write_bytes((ROOT / "examples" / "parcel.json").read_bytes())
    assert ws.open_file(EXAMPLE)
    assert not ws.open_file(parcel)
    title, message = answers.errors[-1]
    assert title == "无法打开" and "这不是案例文件" in message and "地块文件" in message
    assert ws.session.case.household["head"] == "王建国"                  # the open case is untouched
    answers.save_path = str(parcel)                                       # 另存为 onto the parcel file
    assert not ws.save_as()
    assert "是地块文件" in answers.errors[-1][1] and "不能用案例文件覆盖" in answers.errors[-1][1]
    assert parcel.read_bytes() == (ROOT / "examples" / "parcel.json").read_bytes()


def test_without_a_documents_folder_dialogs_start_in_the_home_folder(monkeypatch, tmp_path):
    from PySide6.QtCore import QStandardPaths
    from ui.settings import documents_folder
    monkeypatch.setattr(QStandardPaths, "writableLocation", lambda location: str(tmp_path / "Documents"))
    assert documents_folder() == str(Path.home())          # not a missing folder the dialog would type in
    (tmp_path / "Documents").mkdir()
    assert documents_folder() == str(tmp_path / "Documents")


def test_file_dialogs_start_in_documents_then_in_the_last_folder_of_that_kind(ws, answers, tmp_path):
    from ui.settings import documents_folder
    answers.open_path = None
    assert not ws.open_file()  # the dialog cancelled
    assert answers.folders[-1] == documents_folder()                      # never the program's folder
    cases, sheets = tmp_path / "cases", tmp_path / "sheets"
    cases.mkdir()
    sheets.mkdir()
    (cases / "a.json").write_bytes(EXAMPLE.read_bytes())
    assert ws.open_file(cases / "a.json")
    answers.save_path = str(sheets / "a.pdf")
    assert ws.export("pdf")
    answers.open_path = None
    assert not ws.open_file()
    assert answers.folders[-1] == str(cases)                              # cases: where the last case was
    answers.save_path = None
    assert not ws.export("pdf")
    assert answers.folders[-1] == str(sheets)                             # sheets: where the last sheet went


def test_the_save_changes_question_is_answered_by_alt_keys(qtbot, monkeypatch):
    """不保存 had no Alt key: leaving a case unsaved took the mouse or a Tab to the button."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QMessageBox
    from ui import dialogs
    seen = {}

    def answered(box):
        seen.update({button.text(): QKeySequence.mnemonic(button.text()).toString() for button in box.buttons()})
        return QMessageBox.StandardButton.Discard
    monkeypatch.setattr(QMessageBox, "exec", answered)
    assert dialogs.ask_save_changes(None, "王建国.json") == "discard"
    assert seen == {"保存(&S)": "Alt+S", "不保存(&N)": "Alt+N", "取消": ""}


def test_quitting_after_not_saving_raises_nothing_as_the_window_goes(qtbot, settings, answers):
    """Ctrl+Q, 不保存: every such quit printed "RuntimeError: Signal source has been deleted" (the undo stack says it
    is clean as it is destroyed, to a session already gone), and the error dialog then failed on the window gone."""
    from shiboken6 import delete
    from ui.main_window import MainWindow
    win = MainWindow(settings, autosave=False)
    win.show()
    qtbot.waitExposed(win)
    win.household.session.edit({("household", "head"): "张三"})
    assert win.close() and answers.asked == ["save_changes:未命名案例"]
    delete(win)   # pytest-qt fails the test on an exception raised in a slot meanwhile


def test_an_error_after_the_window_is_gone_is_printed_alone(qtbot, settings, answers, monkeypatch, capsys):
    """The error dialog was shown on a window already destroyed, and failed itself ("Error in sys.excepthook")."""
    import sys
    from shiboken6 import delete
    from ui.app import install_error_dialog
    from ui.main_window import MainWindow
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)   # put back after the test
    win = MainWindow(settings, autosave=False)
    install_error_dialog(win)
    delete(win)
    sys.excepthook(RuntimeError, RuntimeError("late"), None)
    assert "RuntimeError: late" in capsys.readouterr().err and answers.errors == []


def crashed(ws, settings) -> dict:
    """The case a crash now leaves behind: what the autosave writes, the process then dying holding its lock."""
    ws.autosave()
    ws.recovery._lock.unlock()
    ws.recovery = None
    [found] = recovery.left_behind(settings.data_dir())
    recovery.forget(found)
    return found.document


def test_a_date_still_being_typed_is_kept_by_the_autosave(qtbot, window, ws, settings):
    """测算日期 and 签约日期 typed, no Enter, the cursor still in the field: a crash lost both (the autosave read the
    case, which takes a date on Enter or on leaving the field); typed into an untouched case, nothing was written."""
    assert ws.open_file(EXAMPLE)
    signed = ws.relocation.dates["signed_on"]
    signed.edit.setFocus()
    signed.edit.selectAll()
    type_text(qtbot, signed.edit, "2023-02-30")
    assert not ws.session.modified and not signed.edit.property("date_error")   # nothing read, nothing marked
    assert crashed(ws, settings)["relocation"]["signed_on"] == "2023-02-30"   # as typed: the case says no such day
    assert ws.session.case.relocation["signed_on"] == "2023-06-20"           # the case itself is as it was
    ws.header.date.edit.setFocus()                                            # 签约日期 left: read
    ws.header.date.edit.selectAll()
    type_text(qtbot, ws.header.date.edit, "2023/7/1")
    assert crashed(ws, settings)["assessed_on"] == "2023-07-01"              # as Enter would have read it
    assert ws.session.case.assessed_on == "2023-06-12"


def test_a_rate_waiting_on_its_reason_is_kept_by_the_autosave_with_the_reason_so_far(qtbot, window, ws, settings):
    """900 over the standard, its reason written, the dialog still open: a crash lost both (the case takes them
    together, on 确定)."""
    from ui.household.items_model import COL_RATE
    assert ws.open_file(EXAMPLE)
    type_cell(qtbot, ws, 0, COL_RATE, "900")
    qtbot.waitUntil(lambda: ws.reason_dialog is not None and ws.reason_dialog.isVisible())
    type_text(qtbot, ws.reason_dialog.edit, "带门楼")
    line = crashed(ws, settings)["items"][0]
    assert (line["rate"], line["override_reason"]) == ("900", "带门楼")
    assert ws.session.case.items[0].get("rate") == "760"              # the case waits on the reason
    ws.reason_dialog.reject()


def test_what_was_kept_aside_and_taken_back_is_not_offered_after_a_crash(qtbot, window, ws, settings):
    """A reviewer's finds: 900 cancelled at its reason stayed in the recovery file (the user's own refused value offered
    back after a crash); a date retyped as it was, or a reason asked again unchanged (Ctrl+R) and cancelled, left a
    recovery file of a case with no change."""
    from ui.household.items_model import COL_RATE
    assert ws.open_file(EXAMPLE)
    type_cell(qtbot, ws, 1, COL_QUANTITY, "3")                          # a change of its own
    type_cell(qtbot, ws, 0, COL_RATE, "900")
    qtbot.waitUntil(lambda: ws.reason_dialog is not None and ws.reason_dialog.isVisible())
    type_text(qtbot, ws.reason_dialog.edit, "带门楼")
    ws.autosave()
    ws.reason_dialog.reject()
    qtbot.waitUntil(lambda: ws.reason_dialog is None)
    recovered = crashed(ws, settings)
    assert recovered["items"][0]["rate"] == "760" and "override_reason" not in recovered["items"][0]
    assert recovered["items"][1]["quantity"] == "3"

    ws.session.stack.setClean()
    signed = ws.relocation.dates["signed_on"]
    signed.edit.setFocus()
    signed.edit.selectAll()
    type_text(qtbot, signed.edit, "2023-07-01")
    ws.autosave()
    assert ws.recovery.path.exists()
    signed.edit.selectAll()
    type_text(qtbot, signed.edit, "2023-06-20")                          # as the case holds it
    ws.autosave()
    assert not ws.recovery.path.exists()
    ws.table.setFocus()
    ws.edit_reason()                                                     # Ctrl+R on a line, its reason unchanged
    qtbot.waitUntil(lambda: ws.reason_dialog is not None and ws.reason_dialog.isVisible())
    ws.autosave()
    assert not ws.recovery.path.exists()
    ws.reason_dialog.reject()


def test_an_autosave_written_without_its_lock_is_refused_so_no_other_window_takes_it(qtbot, window, ws, settings):
    """The lock failed (a full disk when it was first taken) and was never tried again: the recovery file of a
    running window was offered to another as a crash's, and 否 there deleted it."""
    from PySide6.QtCore import QLockFile
    assert ws.open_file(EXAMPLE)
    type_cell(qtbot, ws, 0, COL_QUANTITY, "90")
    ws.recovery = recovery.RecoveryFile(settings.data_dir())
    held = QLockFile(str(ws.recovery.path) + ".lock")   # its lock taken by someone else: it cannot be taken
    assert held.tryLock(0)
    said = []
    ws.status.connect(said.append)
    ws.autosave()
    assert not ws.recovery.path.exists() and said[-1].startswith("自动保存失败:无法锁定恢复文件")
    held.unlock()
    ws.autosave()                                        # tried again: the lock taken first, then the file
    assert ws.recovery.path.exists() and recovery.left_behind(settings.data_dir()) == []
