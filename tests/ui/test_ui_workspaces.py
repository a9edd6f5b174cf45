"""The main window's tabs (built on first use, menus routed to the current tab), preview and printing."""
from __future__ import annotations

import json
from pathlib import Path

import pdfplumber
import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from calculator.commands import cli
from driver import EXAMPLE
from ui import dialogs
from ui.land.models import PartsModel
from ui.land.workspace import LandWorkspace
from ui.preview import PreviewDialog, match_paper, open_pdf, print_pdf
from ui.table_model import VALUE_ROLE

PARCEL = Path(__file__).resolve().parents[2] / "examples" / "parcel.json"
A4_POINTS = (595.0, 842.0)


def open_tab(qtbot, window, title: str):
    index = next(i for i in range(window.tabs.count()) if window.tabs.bar.tabText(i) == title)
    qtbot.keySequence(window, QKeySequence(f"Ctrl+{index + 1}"))
    assert window.tabs.currentIndex() == index
    return window.workspace()


def page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def test_other_tabs_are_built_only_when_opened(qtbot, window):
    assert [window.tabs.bar.tabText(i) for i in range(window.tabs.count())][:3] == ["补偿测算", "地价测算", "标准查阅"]
    assert window.tabs.built_workspaces() == [window.household]
    land = open_tab(qtbot, window, "地价测算")
    assert isinstance(land, LandWorkspace) and window.tabs.built_workspaces() == [window.household, land]
    assert open_tab(qtbot, window, "地价测算") is land  # built once
    assert window.windowTitle().startswith("未命名 — ")


def test_a_file_given_at_start_opens_where_it_belongs(qtbot, window, answers, tmp_path):
    """`landcomp parcel.json` (or a parcel file opened from the desktop) opens in 地价测算; it was refused by
    补偿测算 as "not a case file". A case file opens in 补偿测算, and anything else is refused there, saying why."""
    assert window.open_given(str(PARCEL))
    land = window.workspace()
    assert isinstance(land, LandWorkspace) and window.tabs.bar.tabText(window.tabs.currentIndex()) == "地价测算"
    assert land.document_path() == PARCEL and not answers.errors
    assert window.open_given(str(EXAMPLE)) and window.workspace() is window.household
    assert window.household.session.case.household["head"] == "王建国"
    (tmp_path / "x.json").write_text('{"a": 1}', encoding="utf-8")
    assert not window.open_given(str(tmp_path / "x.json")) and "这不是案例文件" in answers.errors[-1][1]


def test_menus_follow_the_current_tab(qtbot, window):
    assert window.table_action.isEnabled() and window.save_action.isEnabled()
    open_tab(qtbot, window, "标准查阅")
    assert not window.save_action.isEnabled() and not window.print_action.isEnabled()
    assert not window.table_action.isEnabled() and not window.delete_action.isEnabled()
    open_tab(qtbot, window, "地价测算")
    assert window.save_action.isEnabled() and window.print_action.isEnabled() and window.xlsx_action.isEnabled()
    open_tab(qtbot, window, "补偿测算")
    assert window.table_action.isEnabled()


def test_the_first_hint_is_said_on_its_own_tab_only(qtbot, window):
    assert window.statusBar().currentMessage().startswith("就绪:Ctrl+F 查找项目")   # 补偿测算's keys
    open_tab(qtbot, window, "地价测算")
    assert window.statusBar().currentMessage() == ""   # not shown over a tab where Ctrl+T does nothing


def test_about_names_the_program_version_as_the_installed_package_does(window):
    from importlib.metadata import version
    text = window.about_text()
    assert f"程序版本 {version('landcomp')}\n" in text and "文政发〔2023〕6号" in text and "五政发〔2023〕15号" in text


def test_the_window_title_names_the_program_not_one_tab_s_standard(qtbot, window):
    assert window.windowTitle() == "未命名 — 征地拆迁补偿测算"   # as the menu entry names the program
    open_tab(qtbot, window, "地价测算")
    assert window.windowTitle() == "未命名 — 征地拆迁补偿测算"   # not the 堡子 schedule over a 五台县 parcel


def test_land_edits_undo_save_and_title_through_the_window(qtbot, window, answers, tmp_path):
    land = open_tab(qtbot, window, "地价测算")
    land.parts_model.setData(land.parts_model.index(0, PartsModel.AREA), "1000", Qt.ItemDataRole.EditRole)
    total = land.summary["total"].text()
    assert total == "492,000.00" and window.windowTitle().startswith("未命名 * — ")  # 2级 住宅 492 × 1000 m²
    window.undo_action.trigger()  # the window's Edit menu undoes in the current tab
    assert land.summary["total"].text() == "—"
    window.redo_action.trigger()
    assert land.summary["total"].text() == total
    answers.save_path = str(tmp_path / "宗地")
    window.save_action.trigger()
    saved = json.loads((tmp_path / "宗地.json").read_text(encoding="utf-8"))
    assert saved["parts"] == [{"use": "住宅用地", "area_m2": "1000"}]
    assert window.windowTitle().startswith("宗地.json — ")
    assert window.household.session.document.path is None  # the household tab was not touched


def test_closing_asks_for_unsaved_land_changes(qtbot, window, answers):
    land = open_tab(qtbot, window, "地价测算")
    land.parts_model.setData(land.parts_model.index(0, PartsModel.AREA), "250", Qt.ItemDataRole.EditRole)
    answers.save_changes = "cancel"
    assert not window.close() and window.isVisible()
    # The question names the tab and the document: the parcel, not the (unchanged) household.
    assert answers.asked == ["save_changes:未命名宗地"] and answers.save_tabs == ["地价测算"]
    assert dialogs.save_changes_question("未命名宗地", "地价测算") == "「地价测算」中的「未命名宗地」有未保存的修改,是否保存?"
    answers.save_changes = "discard"


def test_the_preview_shows_the_pdf_the_cli_writes(qtbot, window, ws, tmp_path):
    assert ws.open_file(EXAMPLE)
    assert ws.preview()
    dialog = window.findChild(PreviewDialog)
    assert dialog is not None and dialog.isVisible()
    cli_pdf = tmp_path / "cli.pdf"
    assert cli.main(["compensation", str(EXAMPLE), "--pdf", str(cli_pdf)]) == 0
    shown = page_texts(dialog.path)
    assert shown == page_texts(cli_pdf) and "546,616.30" in "".join(shown)
    assert dialog.document.pageCount() == len(shown)
    assert f"共 {len(shown)} 页" in dialog.pages.text()
    folder = dialog.path.parent
    dialog.reject()
    qtbot.waitUntil(lambda: not folder.exists())  # the temporary PDF goes with the preview


def test_the_preview_buttons_answer_the_alt_keys_they_show(qtbot, window, ws, answers):
    """The bar showed 打印(P), 导出PDF(E), 适合宽度(W), 整页(F); Alt+P, Alt+E, Alt+W, Alt+F did nothing."""
    from PySide6.QtPdfWidgets import QPdfView
    assert ws.open_file(EXAMPLE) and ws.preview()
    dialog = window.findChild(PreviewDialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.view.setZoomMode(QPdfView.ZoomMode.Custom)
    qtbot.keyClick(dialog, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.FitInView
    qtbot.keyClick(dialog, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    shown = {QKeySequence.mnemonic(action.text()).toString() for action in dialog.actions()} - {""}
    assert shown == {"Alt+P", "Alt+E", "Alt+W", "Alt+F"}
    assert all(QKeySequence.mnemonic(a.text()) in a.shortcuts() for a in dialog.actions() if "&" in a.text())
    dialog.reject()


def test_the_land_preview_shows_the_parcel_price_sheet(qtbot, window):
    land = open_tab(qtbot, window, "地价测算")
    assert land.open_file(PARCEL)
    assert window.print_action.isEnabled()
    window.print_action.trigger()
    dialog = window.findChild(PreviewDialog)
    assert dialog is not None and "509,400.00" in "".join(page_texts(dialog.path))
    dialog.reject()


def test_preview_is_refused_while_the_case_has_errors(window, ws, answers):
    ws.session.add_line("附属平房/砖混结构")  # no quantity yet
    assert not ws.preview()
    assert "修正后才能打印" in answers.errors[-1][1] and window.findChild(PreviewDialog) is None


def page_image(document, page: int, shift: int = 0) -> list[bytes]:
    """A page rendered at 150 dpi and smoothly reduced to 310 px wide, as grey rows (`shift` px to the right)."""
    image = document.render(page, QSize(1240, 1754)).convertToFormat(QImage.Format.Format_Grayscale8)
    image = image.scaled(310, 438, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
    data, line = bytes(image.constBits()), image.bytesPerLine()
    return [data[y * line + 3 + shift: y * line + 307 + shift] for y in range(image.height())]


def mean_difference(first: list[bytes], second: list[bytes]) -> float:
    total = sum(abs(a - b) for row_a, row_b in zip(first, second) for a, b in zip(row_a, row_b))
    return total / (len(first) * len(first[0]))


def test_printing_puts_the_same_pages_on_paper(qtbot, tmp_path):
    sheet = tmp_path / "sheet.pdf"
    assert cli.main(["compensation", str(EXAMPLE), "--pdf", str(sheet)]) == 0
    document = open_pdf(sheet)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "paper.pdf"))
    printer.setResolution(150)
    match_paper(document, printer)
    assert print_pdf(document, printer) == document.pageCount() == 3
    paper = open_pdf(tmp_path / "paper.pdf")
    assert paper.pageCount() == document.pageCount()
    for page in range(paper.pageCount()):
        size = paper.pagePointSize(page)
        assert abs(size.width() - A4_POINTS[0]) < 1 and abs(size.height() - A4_POINTS[1]) < 1
        original = page_image(document, page)
        # Same place and scale: several times closer than the same page moved by one pixel (about 2 pt).
        aligned = mean_difference(original, page_image(paper, page))
        assert aligned < 0.5
        assert mean_difference(original, page_image(paper, page, shift=1)) > 3 * aligned
        assert mean_difference(original, page_image(paper, page, shift=-1)) > 3 * aligned


def test_print_button_asks_for_a_printer_and_prints(qtbot, window, ws, tmp_path, monkeypatch):
    asked = []

    def ask_printer(parent, printer):
        asked.append(printer.pageLayout().pageSize().id())
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "printed.pdf"))
        printer.setResolution(100)
        return True

    monkeypatch.setattr(dialogs, "ask_printer", ask_printer)
    assert ws.open_file(EXAMPLE)
    assert ws.preview()
    dialog = window.findChild(PreviewDialog)
    with qtbot.waitSignal(dialog.printed) as printed:
        dialog.print_action.trigger()
    from PySide6.QtGui import QPageSize
    assert asked == [QPageSize.PageSizeId.A4]
    assert printed.args == [dialog.document.pageCount()]
    assert open_pdf(tmp_path / "printed.pdf").pageCount() == dialog.document.pageCount()
    dialog.reject()


def test_cancelling_the_print_dialog_prints_nothing(qtbot, window, ws, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_printer", lambda parent, printer: False)
    assert ws.open_file(EXAMPLE)
    assert ws.preview()
    dialog = window.findChild(PreviewDialog)
    assert dialog.print_document() is False
    dialog.reject()


@pytest.mark.parametrize("junk", [b"", b"%PDF-1.4 not really", b"\x00\x01garbage"])
def test_an_unreadable_pdf_is_refused_with_a_message(tmp_path, junk):
    from ui.preview import PrintError
    path = tmp_path / "junk.pdf"
    path.write_bytes(junk)
    with pytest.raises(PrintError, match="junk.pdf"):
        open_pdf(path)


def edit_menu_entries(window) -> list[str]:
    """The 编辑 menu's entries as a person sees them (hidden ones left out), without their mnemonics."""
    menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "编辑(&E)")
    return [action.text().split("(&")[0] for action in menu.actions() if action.isVisible() and not action.isSeparator()]


def test_the_edit_menu_lists_what_the_tab_can_do(qtbot, window):
    household_only = {"转到项目表", "下一栏", "删除行", "填写超标准理由", "转到下一处错误"}
    assert household_only < set(edit_menu_entries(window)) and "查找项目" in edit_menu_entries(window)
    for title, find in (("地价测算", "转到面积"), ("台账", "查找住户"), ("标准查阅", "查找"), ("补偿测算", "查找项目")):
        open_tab(qtbot, window, title)
        entries = edit_menu_entries(window)
        assert find in entries and entries[0] == "撤销"
        assert household_only <= set(entries) if title == "补偿测算" else not household_only & set(entries)


def test_ctrl_f_in_the_land_tab_goes_to_the_first_area(qtbot, window):
    land = open_tab(qtbot, window, "地价测算")
    window.find_action.trigger()
    focused = QApplication.focusWidget()
    assert focused is land.parts_view or land.parts_view.isAncestorOf(focused)
    assert (land.parts_view.currentIndex().row(), land.parts_view.currentIndex().column()) == (0, PartsModel.AREA)


def test_an_item_found_in_the_standard_is_added_to_the_household_by_enter(qtbot, window, ws):
    """Found by searching 标准查阅 (菜窖), Enter did nothing: it had to be searched for again in 补偿测算."""
    browser = open_tab(qtbot, window, "标准查阅")
    browser.search_edit.insert("菜窖")   # what an input method commits
    browser.items_view.setFocus()
    row = next(r for r in range(browser.items_proxy.rowCount())
               if browser.items_proxy.index(r, 0).data(VALUE_ROLE) == "菜窖/砖石")
    browser.items_view.setCurrentIndex(browser.items_proxy.index(row, 0))
    assert browser.add_button.isEnabled()
    lines = len(ws.session.case.items)
    qtbot.keyClick(browser.items_view, Qt.Key.Key_Return)
    assert window.workspace() is ws and [line["item"] for line in ws.session.case.items[lines:]] == ["菜窖/砖石"]
    browser = open_tab(qtbot, window, "标准查阅")   # an allowance of 三 is the case's block, no line: not offered
    browser.search_edit.clear()
    browser.search_edit.insert("搬迁奖励")
    browser.items_view.setCurrentIndex(browser.items_proxy.index(0, 0))
    assert not browser.add_button.isEnabled()
    qtbot.keyClick(browser.items_view, Qt.Key.Key_Return)
    assert window.workspace() is browser and len(ws.session.case.items) == lines + 1
    ws.session.stack.setClean()


def test_in_the_standards_search_down_picks_a_row_and_enter_adds_it(qtbot, window, ws):
    """Typed into the search box, Down did nothing and Enter did nothing: the rows were reached by Tab, Tab, Tab."""
    browser = open_tab(qtbot, window, "标准查阅")
    assert browser.focusWidget() is browser.search_edit   # Ctrl+3, then typing: the search takes it
    browser.search_edit.insert("菜窖")
    for _ in range(2):
        qtbot.keyClick(browser.search_edit, Qt.Key.Key_Down)
    picked = browser.items_view.currentIndex().data(VALUE_ROLE)
    assert picked == browser.visible_keys()[1] and picked.startswith("菜窖/")
    lines = len(ws.session.case.items)
    qtbot.keyClick(browser.search_edit, Qt.Key.Key_Return)
    assert window.workspace() is ws and [line["item"] for line in ws.session.case.items[lines:]] == [picked]
    ws.session.stack.setClean()
