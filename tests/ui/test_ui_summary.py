"""汇总与审计 from the 台账 tab: the window shows the summary's figures and charts, sorts by value, changes its
day, exports the PDF and the workbook, and fits the smallest office screen."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from PySide6.QtCore import Qt

from calculator.core.money import fmt_grouped
from calculator.engine.compensation import compute
from calculator.store import SqliteStore
from calculator.app.summary import project_summary
from driver import type_text
from test_ui_fit import SMALLEST
from households import variant
from test_ui_ledger import given, household_id, ledger, project_file  # noqa: F401 - the 台账's fixtures
from ui.ledger.summary_view import SummaryDialog
from ui.table_model import VALUE_ROLE


def open_summary(qtbot, ledger) -> SummaryDialog:
    qtbot.mouseClick(ledger.summary_button, Qt.MouseButton.LeftButton)
    dialog = ledger.findChild(SummaryDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_the_window_shows_the_ledgers_money_by_section_and_status(qtbot, ledger, project_file):
    _, results = project_file
    dialog = open_summary(qtbot, ledger)
    total = sum(r.total for r in results)
    assert dialog.summary.total == total and fmt_grouped(total) in dialog.headline.text()
    assert [dialog.pages.tabText(i) for i in range(dialog.pages.count())] == [
        "金额(&1)", "资金预测(&2)", "单价审计(&3)", "异常户(&4)"]
    sections = dict(dialog.section_chart.bars)
    for key in results[0].subtotals:
        label = next(label for label in sections if label.split(" ")[0] == key)
        assert sections[label] == sum(r.subtotals[key] for r in results)
    statuses = dict(dialog.status_chart.bars)
    assert statuses["已签字(1户)"] == results[1].total and statuses["已支付(1户)"] == results[2].total
    assert statuses["草稿(1户)"] == Decimal("0.00")
    assert [name for name, _ in dialog.position_chart.rows] == ["李明"]
    assert len(dialog.histogram.values) == 5                           # the five households with a building area


def test_every_button_page_and_the_day_have_an_alt_key_of_their_own(qtbot, ledger):
    """The window's buttons and pages were reached by mouse or a long Tab only."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QApplication, QLabel, QPushButton
    dialog = open_summary(qtbot, ledger)
    texts = [b.text() for b in dialog.findChildren(QPushButton)]
    texts += [dialog.pages.tabText(i) for i in range(dialog.pages.count())]
    texts += [label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    keys = [QKeySequence.mnemonic(text).toString() for text in texts]
    assert "" not in keys and len(keys) == len(set(keys)), list(zip(texts, keys))
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert dialog.pages.currentIndex() == 2                              # 单价审计
    qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dialog.as_of.edit
    dialog.as_of.edit.selectAll()
    type_text(qtbot, dialog.as_of.edit, "2023-07-01")                   # typed, and Alt+G at once, still in the field
    qtbot.keyClick(dialog, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.summary.as_of == dt.date(2023, 7, 1))   # the day shown, not the one before it


def test_a_table_sorts_by_the_values_and_keeps_its_total_last(qtbot, ledger, project_file):
    dialog = open_summary(qtbot, ledger)
    view = dialog.views["by_status"]
    model = view.model()
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "草稿", "已测算", "已签字", "已支付", "数据异常", "合计"]            # as the summary orders them
    view.sortByColumn(2, Qt.SortOrder.DescendingOrder)                     # 补偿金额(元), by value
    amounts = [model.index(r, 2).data(VALUE_ROLE) for r in range(model.rowCount() - 1)]
    present = [a for a in amounts if a is not None]
    assert present == sorted(present, reverse=True) and amounts[-1] is None   # 数据异常's blank last
    assert model.index(model.rowCount() - 1, 0).data() == "合计"
    assert model.index(0, 2).data() == fmt_grouped(present[0])


def _type_day(qtbot, dialog, text: str) -> None:
    """Select all of 截至, delete it, type `text` as a person does, and leave the field (Tab)."""
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.as_of.edit.setFocus()
    dialog.as_of.edit.selectAll()
    qtbot.keyClick(dialog.as_of.edit, Qt.Key.Key_Backspace)
    type_text(qtbot, dialog.as_of.edit, text)
    qtbot.keyClick(dialog.as_of.edit, Qt.Key.Key_Tab)


@pytest.mark.parametrize("typed", ["2023-7-10", "20230710", "2023/7/10", "2023年7月10日"])
def test_a_day_typed_into_the_field_is_the_day_summarised_and_exported(qtbot, ledger, given, tmp_path, typed):
    """A date spin box made 2023-6-1 typed over it 2026-06-01, and the pages kept the old day until 重新汇总."""
    dialog = open_summary(qtbot, ledger)
    assert dialog.summary.as_of == dt.date.today()
    _type_day(qtbot, dialog, typed)
    assert dialog.as_of.edit.text() == "2023-07-10"
    given.save_path = str(tmp_path / "汇总")
    assert dialog.export("xlsx")                                # at once: the new day is summarised first
    assert dialog.summary == project_summary(ledger.project, dt.date(2023, 7, 10))
    first = openpyxl.load_workbook(tmp_path / "汇总.xlsx").worksheets[0]
    assert any("资金预测截至 2023-07-10" in str(cell) for row in first.iter_rows(max_row=3, values_only=True) for cell in row)


def test_a_day_that_does_not_exist_is_shown_red_and_nothing_is_exported_of_it(qtbot, ledger):
    dialog = open_summary(qtbot, ledger)
    before = dialog.summary
    _type_day(qtbot, dialog, "2023-02-30")
    assert dialog.as_of.edit.text() == "2023-02-30" and dialog.as_of.error()
    assert dialog.summary is before
    assert not dialog.pdf_button.isEnabled() and not dialog.xlsx_button.isEnabled()
    assert "「2023-02-30」不是有效日期" in dialog.pdf_button.toolTip()
    _type_day(qtbot, dialog, "2023-2-28")
    qtbot.waitUntil(lambda: dialog.summary.as_of == dt.date(2023, 2, 28))   # once the typing has paused
    assert dialog.pdf_button.isEnabled()
    _type_day(qtbot, dialog, "")                                             # cleared: today
    qtbot.waitUntil(lambda: dialog.summary.as_of == dt.date.today())


def test_a_right_day_typed_over_a_wrong_one_clears_the_red_and_can_be_summarised_by_click(qtbot, ledger):
    """The field stayed red over a right day until Enter, and 重新汇总 stayed disabled: a click did nothing."""
    dialog = open_summary(qtbot, ledger)
    _type_day(qtbot, dialog, "2023-02-30")
    assert dialog.as_of.error() and not dialog.refresh_button.isEnabled()
    dialog.as_of.edit.setFocus()
    dialog.as_of.edit.selectAll()
    type_text(qtbot, dialog.as_of.edit, "2023-0")
    assert dialog.as_of.error() and not dialog.refresh_button.isEnabled()   # no date yet: still red
    type_text(qtbot, dialog.as_of.edit, "2-28")          # 2023-02-28: no longer red, not yet taken
    assert not dialog.as_of.error() and dialog.refresh_button.isEnabled()
    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    assert dialog.summary.as_of == dt.date(2023, 2, 28)


def test_holding_up_on_the_day_summarises_once_when_it_stops(qtbot, ledger):
    """Each step of Up summarised the whole project again: held down, one summary after another."""
    dialog = open_summary(qtbot, ledger)
    made, make = [], dialog.make
    dialog.make = lambda day: made.append(day) or make(day)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.as_of.edit.setFocus()
    for _ in range(5):
        qtbot.keyClick(dialog.as_of.edit, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: not dialog.day_pause.isActive())
    assert made == [dt.date.today() + dt.timedelta(days=5)] and dialog.summary.as_of == made[0]


def test_the_pdf_and_the_workbook_are_exported(qtbot, ledger, given, tmp_path):
    dialog = open_summary(qtbot, ledger)
    given.save_path = str(tmp_path / "汇总")
    assert dialog.export("pdf") and (tmp_path / "汇总.pdf").read_bytes()[:5] == b"%PDF-"
    assert dialog.export("xlsx") and (tmp_path / "汇总.xlsx").read_bytes()[:2] == b"PK"
    given.save_path = str(tmp_path / "无此目录" / "汇总.pdf")
    assert not dialog.export("pdf") and given.errors and "目录不存在" in given.errors[-1][1]


def test_a_change_by_another_user_is_said_and_every_export_is_of_the_ledger_as_it_is_now(qtbot, ledger, given,
                                                                                        tmp_path):
    """The window kept the figures of when it opened, with no word of a colleague's save since, and 导出Excel wrote
    them: a workbook for 财政 1,239.92 元 off the ledger."""
    dialog = open_summary(qtbot, ledger)
    before = dialog.summary.total
    assert dialog.changed_note.isHidden()
    with SqliteStore(ledger.project.path, actor="另一台电脑") as other:     # a colleague saves 0001 anew
        changed = compute(variant(7))
        old = other.household(household_id(ledger, "0001"))
        other.save_computed(old.id, changed)
    assert ledger.check_changes()
    assert not dialog.changed_note.isHidden() and dialog.summary.total == before   # said; the pages as they were
    given.save_path = str(tmp_path / "汇总")
    assert dialog.export("xlsx")
    now = project_summary(ledger.project, dt.date.today())
    assert now.total != before and dialog.summary == now and dialog.changed_note.isHidden()
    first = openpyxl.load_workbook(tmp_path / "汇总.xlsx").worksheets[0]
    assert any(cell == float(now.total) or cell == fmt_grouped(now.total)
               for row in first.iter_rows(values_only=True) for cell in row)


def test_the_window_goes_with_its_project_and_an_export_keeps_the_pages_as_sorted(qtbot, ledger, given, tmp_path):
    """Left open after its project was closed, 导出 read the closed file (项目文件读写失败); every export rebuilt the
    pages, the user's sort lost. A sign in this 台账 says the pages are old, as another user's change does."""
    dialog = open_summary(qtbot, ledger)
    view = dialog.views["by_status"]
    view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    given.save_path = str(tmp_path / "汇总")
    assert dialog.export("xlsx") and dialog.views["by_status"] is view                  # the same figures: kept
    assert view.horizontalHeader().sortIndicatorSection() == 2
    given.fingerprints, given.unchecked = [""], True
    from test_ui_ledger import select_rows
    select_rows(qtbot, ledger, "0001")
    assert ledger.sign_selected() == 1 and not dialog.changed_note.isHidden()
    assert dialog.export("xlsx") and dialog.changed_note.isHidden() and dialog.views["by_status"] is not view
    assert ledger.close_project()
    assert not ledger.summary_windows and not dialog.isVisible()


def test_the_window_fits_the_smallest_office_screen(qtbot, ledger):
    dialog = open_summary(qtbot, ledger)
    assert dialog.screen().availableGeometry().contains(dialog.frameGeometry())
    minimum = dialog.minimumSizeHint()
    assert minimum.width() <= SMALLEST[0] and minimum.height() <= SMALLEST[1], minimum


def test_every_row_of_the_funding_forecast_is_in_sight(qtbot, ledger):
    """Its last rows (草稿, 数据异常) were once behind a scroll bar while the incentives below stood empty."""
    dialog = open_summary(qtbot, ledger)
    dialog.pages.setCurrentIndex(1)
    view = dialog.views[dialog.summary.forecast.key]
    qtbot.waitUntil(view.isVisible)
    last = view.model().rowCount() - 1
    assert view.model().index(last, 0).data() == "数据异常(不计入)"
    assert view.rowViewportPosition(last) + view.rowHeight(last) <= view.viewport().height()


def test_cancelling_the_summary_opens_no_window_and_changes_nothing(qtbot, ledger, given, monkeypatch):
    """取消 in the progress of a long summary stops it: no window, no error, the 台账 as it was."""
    from calculator.app.summary import figures
    monkeypatch.setattr(figures, "PROGRESS_EVERY", 1)
    given.cancel_after = 2
    before = ledger.model.rowCount()
    qtbot.mouseClick(ledger.summary_button, Qt.MouseButton.LeftButton)
    assert ledger.findChild(SummaryDialog) is None and not given.errors and ledger.model.rowCount() == before
    given.cancel_after = None
    dialog = open_summary(qtbot, ledger)                                   # asked again, it is made
    assert dialog.summary == project_summary(ledger.project, dt.date.today())
    given.cancel_after = 2                                                 # another day, cancelled: the field
    _type_day(qtbot, dialog, "2023-7-10")                                  # goes back to the pages' day
    qtbot.waitUntil(lambda: not dialog.day_pause.isActive())
    assert dialog.as_of.edit.text() == dt.date.today().isoformat() and dialog.summary.as_of == dt.date.today()


def test_a_rate_audit_bar_of_pale_positions_is_outlined_and_so_seen(qtbot):
    """With every rate a 未填单价 midpoint, the bar was #e0e0e0 on white: nearly invisible."""
    from PySide6.QtGui import QColor
    from ui.ledger.summary_charts import PositionBars
    chart = PositionBars("单价取值位置")
    qtbot.addWidget(chart)
    chart.resize(500, 160)
    chart.set_positions([("李明 窑洞/砖石窑洞", [0, 0, 0, 12, 0, 0, 0])],
                        ["下限", "下限至中值", "中值(填写)", "中值(未填单价)", "中值至上限", "上限", "超出区间"])
    image = chart.grab().toImage()
    runs = {y: [x for x in range(image.width()) if QColor(image.pixel(x, y)).name() == "#e0e0e0"]
            for y in range(image.height())}
    y, xs = max(runs.items(), key=lambda run: len(run[1]))   # the bar: the row of the most pale pixels
    assert len(xs) > 100
    assert QColor(image.pixel(min(xs) - 1, y)).lightness() < 180   # its edge drawn (the guide grey), not white


def test_a_summary_made_again_of_the_same_figures_exports_the_time_it_was_read(qtbot, ledger, given, tmp_path,
                                                                                monkeypatch):
    """Of the same figures, the window kept its first summary: an export an hour later printed 台账读取于 the hour the
    window opened."""
    from types import SimpleNamespace

    import calculator.app.summary as summaries

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2030, 1, 2, 9, 30)

    dialog = open_summary(qtbot, ledger)
    first = dialog.summary
    monkeypatch.setattr(summaries, "dt", SimpleNamespace(datetime=Later, date=dt.date))   # the summary's clock alone
    assert dialog.refresh() and dialog.summary == first                 # the same figures, pages kept
    assert dialog.summary.read_at == "2030-01-02 09:30" and "台账读取于 2030-01-02 09:30" in dialog.headline.text()
    given.save_path = str(tmp_path / "汇总")
    assert dialog.export("xlsx")
    overview = openpyxl.load_workbook(tmp_path / "汇总.xlsx").worksheets[0]
    assert any(row[:2] == ("台账读取于", "2030-01-02 09:30") for row in overview.iter_rows(values_only=True))


def test_the_workbook_never_replaces_a_filled_in_survey(qtbot, ledger, given, tmp_path):
    from test_ui_ledger import filled_survey
    survey = tmp_path / "调查.xlsx"
    typed = filled_survey(survey)
    dialog = open_summary(qtbot, ledger)
    given.save_path = str(survey)
    assert not dialog.export("xlsx") and survey.read_bytes() == typed
    assert given.errors[-1][0] == "导出汇总与审计" and "是已填写的调查表,不会覆盖它" in given.errors[-1][1]
