"""汇总与审计: the open project's summary in a window of its own, opened from the 台账 tab.

Four pages — 金额, 资金预测, 单价审计, 异常户 — each a chart (summary_charts) above the view's tables.
The window is given a `Summary` by calculator.app.summary and renders it; choosing another 截至 day
asks for a new one. The PDF and the workbook are the same files `landcomp ledger summary` writes.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from calculator.app import summary as summaries
from calculator.app.summary import project_summary
from calculator.app.summary.figures import Cancelled
from calculator.app.summary.audit import POSITIONS
from calculator.app.summary.model import TEXT, Summary, Table, abnormal_table, outlier_table, shown
from calculator.core.files import file_stem
from ui import operations
from ui.dialogs import fit_to_screen
from ui.widgets import DateField
from ui.lazy import lazy_module
from ui.ledger.summary_charts import STATUS, BarChart, Histogram, PositionBars
from ui.table_model import VALUE_ROLE, HeaderedTableModel
from ui.workspace import PDF_FILTER, XLSX_FILTER

dialogs = lazy_module("ui.ledger.dialogs")  # asked as the 台账 asks (tests answer them there)
PROGRESS_AFTER_MS = 500  # a summary made sooner shows no progress dialog
DAY_PAUSE_MS = 300       # 截至's day is summarised once it has stood this long

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
TOTAL_FILL = QBrush(QColor("#f2f2f2"))


class SummaryTableModel(HeaderedTableModel):
    """One of the summary's tables: DisplayRole the formatted value, VALUE_ROLE the value; a 合计 stays last."""

    def __init__(self, table: Table, parent=None):
        super().__init__(parent)
        self.table = table
        self.HEADERS = tuple(column.heading for column in table.columns)
        self.rows = list(table.rows)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows) + (self.table.total is not None)

    def _row(self, row: int) -> tuple:
        return self.rows[row] if row < len(self.rows) else self.table.total

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self.table.columns[index.column()]
        value = self._row(index.row())[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return shown(value, column.kind)
        if role == VALUE_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT if column.kind == TEXT else RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and column.kind == TEXT and value:
            return str(value)
        if index.row() >= len(self.rows):
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return TOTAL_FILL
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """By the values themselves (money as Decimal, not as text); blanks last; the 合计 stays below."""
        self.layoutAboutToBeChanged.emit()
        if column < 0:  # no column chosen: the order the summary gives
            self.rows = list(self.table.rows)
        else:
            present = [row for row in self.table.rows if row[column] not in (None, "")]
            blank = [row for row in self.table.rows if row[column] in (None, "")]
            present.sort(key=lambda row: row[column], reverse=order == Qt.SortOrder.DescendingOrder)
            self.rows = present + blank
        self.layoutChanged.emit()


def table_view(table: Table, parent) -> QTableView:
    """A read-only, sortable view of one table, columns fitted to what they hold."""
    view = QTableView(parent)
    view.setModel(SummaryTableModel(table, view))
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # shown as the summary orders it until a click
    view.setSortingEnabled(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.resizeColumnsToContents()
    for column in range(header.count()):
        header.resizeSection(column, min(header.sectionSize(column), 320))
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setMinimumHeight(80)
    return view


def _split(top: QWidget, bottom: QWidget, parent) -> QSplitter:
    splitter = QSplitter(Qt.Orientation.Vertical, parent)
    splitter.addWidget(top)
    splitter.addWidget(bottom)
    splitter.setStretchFactor(0, 2)
    splitter.setStretchFactor(1, 3)
    splitter.setChildrenCollapsible(False)
    return splitter


class SummaryDialog(QDialog):
    """The summary's four pages, a 截至 day, and its PDF and Excel exports."""

    def __init__(self, parent, summary: Summary, make: Callable[[dt.date], Summary | None],
                 settings=None):
        super().__init__(parent)
        self.make, self.settings = make, settings
        self.setWindowTitle(f"汇总与审计 — {summary.project}")
        self.headline = QLabel(self)
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Another user changed the ledger after the pages were made: said (the 台账 tab follows such changes by
        # itself; these pages are a summary made at one moment), and every export summarises again first.
        self.changed_note = QLabel("台账在本次汇总之后已有变更,本页数字可能已过时:按「重新汇总」更新(导出时会先重新汇总)。", self)
        self.changed_note.setWordWrap(True)
        self.changed_note.setStyleSheet("color: #b00020;")
        self.changed_note.hide()
        # Typed as every date of the app is (2023-6-1, 20230601 …); a day accepted is summarised as soon as the
        # user pauses (holding Up steps many days: one summary, not one a day), and before any export, so the pages
        # and exports are always of the day shown; while the text is no date nothing is exported.
        self.as_of = DateField(self, "截至日期")
        self.as_of.setMaximumWidth(self.as_of.edit.fontMetrics().horizontalAdvance("0000-00-00") * 2)
        self.day_pause = QTimer(self)
        self.day_pause.setSingleShot(True)
        self.day_pause.setInterval(DAY_PAUSE_MS)
        self.day_pause.timeout.connect(self.refresh)
        self.as_of.edited.connect(lambda _day: self.day_pause.start())
        self.as_of.finished.connect(self._date_checked)
        self.as_of.edit.textEdited.connect(lambda _text: self._date_checked())   # a right day typed over a wrong one
        self.refresh_button = QPushButton("重新汇总(&G)", self)
        self.refresh_button.setToolTip("重新读取台账并汇总(资金预测按所填日期)")
        self.pdf_button = QPushButton("导出PDF(&P)…", self)
        self.xlsx_button = QPushButton("导出Excel(&X)…", self)
        self.close_button = QPushButton("关闭(&C)", self)
        self.refresh_button.clicked.connect(lambda _checked=False: self.refresh())
        self.pdf_button.clicked.connect(lambda _checked=False: self.export("pdf"))
        self.xlsx_button.clicked.connect(lambda _checked=False: self.export("xlsx"))
        self.close_button.clicked.connect(self.close)
        bar = QHBoxLayout()
        as_of_label = QLabel("资金预测截至(&D)", self)
        as_of_label.setBuddy(self.as_of.edit)
        bar.addWidget(as_of_label)
        bar.addWidget(self.as_of)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        for button in (self.pdf_button, self.xlsx_button, self.close_button):
            bar.addWidget(button)
        self.pages = QTabWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.headline)
        layout.addWidget(self.changed_note)
        layout.addWidget(self.pages, 1)
        self.show_summary(summary)
        fit_to_screen(self, 1280, 860)

    def show_summary(self, summary: Summary) -> None:
        """Render `summary`: the headline, then each page built afresh."""
        self.summary = summary
        self.views: dict[str, QTableView] = {}
        self.as_of.set_text(summary.as_of.isoformat())
        self._show_headline()
        current = self.pages.currentIndex()
        while self.pages.count():
            page = self.pages.widget(0)
            self.pages.removeTab(0)
            page.deleteLater()
        for title, page in (("金额(&1)", self._money_page()), ("资金预测(&2)", self._forecast_page()),
                            ("单价审计(&3)", self._rates_page()), ("异常户(&4)", self._outliers_page())):
            self.pages.addTab(page, title)
        self.pages.setCurrentIndex(max(current, 0))

    def _show_headline(self) -> None:
        """The headline, saying when the summary was made (made again of the same figures too); the note of a ledger
        changed since goes."""
        summary = self.summary
        self.changed_note.hide()
        abnormal = (f";<span style='color:#b00020'>数据异常 {len(summary.abnormal)} 户(单列,不计入):"
                    f"{'、'.join(a.number for a in summary.abnormal[:20])}</span>" if summary.abnormal else "")
        shared = len(set(summary.same_id_number.column("id_number")))
        abnormal += (f";<span style='color:#b00020'>{shared} 个身份证号登记在多户(见「异常户」页)</span>"
                     if shared else "")
        self.headline.setText(
            f"<b>{summary.project}</b>(台账读取于 {summary.read_at})住户 {summary.households} 户,"
            f"计入金额 {summary.counted} 户{abnormal}<br>"
            f"补偿合计 <b>{shown(summary.total, 'money')}</b> 元;已支付 {shown(summary.paid, 'money')} 元;"
            f"未支付 {shown(summary.owed, 'money')} 元;有争议未计入 {shown(summary.disputed, 'money')} 元;"
            f"置换面积 {shown(summary.replacement_m2, 'area')} m²")

    def _view(self, table: Table) -> QTableView:
        """A view of the table, kept by the table's key (`views`)."""
        self.views[table.key] = view = table_view(table, self)
        return view

    def _tabs(self, tables: list[Table]) -> QTabWidget:
        """Several tables, one tab each (named by the table's title, with its note under it and as the tab's tip)."""
        tabs = QTabWidget(self)
        for table in tables:
            page = QWidget(tabs)
            layout = QVBoxLayout(page)
            layout.setContentsMargins(2, 2, 2, 2)
            layout.addWidget(self._view(table), 1)
            if table.note:
                note = QLabel(table.note, page)
                note.setWordWrap(True)
                note.setStyleSheet("color: #606060;")
                layout.addWidget(note)
            tabs.addTab(page, table.title)
            tabs.setTabToolTip(tabs.count() - 1, table.note)
        return tabs

    def _money_page(self) -> QWidget:
        summary = self.summary
        charts = QWidget(self)
        row = QHBoxLayout(charts)
        row.setContentsMargins(0, 0, 0, 0)
        self.section_chart = BarChart("按章节(元)", parent=charts)
        self.section_chart.set_bars([(key if name == key else f"{key} {name}", amount) for key, name, amount in zip(
            summary.by_section.column("section"), summary.by_section.column("name"),
            summary.by_section.column("amount"))])
        self.status_chart = BarChart("按状态(元)", STATUS, charts)
        self.status_chart.set_bars([(f"{row[0]}({row[1]}户)", row[2]) for row in summary.by_status.rows
                                    if row[2] is not None])
        row.addWidget(self.section_chart, 1)
        row.addWidget(self.status_chart, 1)
        tables = [summary.by_status, summary.by_section, summary.by_place]
        if summary.abnormal:
            tables.append(abnormal_table(summary.abnormal))
        return _split(charts, self._tabs(tables), self)

    def _forecast_page(self) -> QWidget:
        forecast = self._view(self.summary.forecast)
        # the forecast's few rows all in sight, not behind a scroll bar while the incentives below stand empty
        rows = forecast.model().rowCount() * forecast.verticalHeader().defaultSectionSize()
        forecast.setMinimumHeight(forecast.horizontalHeader().sizeHint().height() + rows + 2 * forecast.frameWidth())
        return _split(forecast, self._tabs([self.summary.incentives]), self)

    def _rates_page(self) -> QWidget:
        by_assessor = self.summary.rates_by_assessor
        keys = [key for key, _ in POSITIONS]
        at = [i for i, column in enumerate(by_assessor.columns) if column.key in keys]
        self.position_chart = PositionBars("单价在标准区间中的位置·按评估人", self)
        self.position_chart.set_positions([(row[0], [row[i] for i in at]) for row in by_assessor.rows],
                                          [heading for _, heading in POSITIONS])
        return _split(self.position_chart, self._tabs([by_assessor, self.summary.rates_by_item,
                                                        self.summary.rates_by_pair, self.summary.overrides]), self)

    def _outliers_page(self) -> QWidget:
        summary = self.summary
        self.histogram = Histogram("合计每平方米建筑面积补偿(元/m²)的分布", self)
        total = summary.outlier_measures.rows[0] if summary.outlier_measures.rows else None
        if total is not None:
            self.histogram.set_distribution([(value, mark) for _, value, mark in summary.per_m2], total[2],
                                            (total[5], total[6]))
        return _split(self.histogram, self._tabs([outlier_table(summary.outliers), summary.outlier_measures,
                                                  summary.same_id_number]), self)

    def refresh(self) -> bool:
        """Summarise the project again as of the day in 截至 (today when it was cleared): the day shown, read first if
        it is still being typed (Alt+G there summarised the day before it)."""
        self.as_of.commit()
        self.day_pause.stop()
        if self.as_of.error():   # no date: said red in the field, and the pages stay of the day before
            return False
        day = self.as_of.text()
        summary = self.make(dt.date.fromisoformat(day) if day else dt.date.today())
        if summary is None:   # failed (said) or cancelled: the field goes back to the day the pages are of
            self.as_of.set_text(self.summary.as_of.isoformat())
            return False
        if summary != self.summary:
            self.show_summary(summary)
        else:   # the same figures: the pages stay as sorted and scrolled, the summary (its 台账读取于) is the new one
            self.summary = summary
            self._show_headline()
        return True

    def mark_changed(self, *_changed) -> None:
        """The ledger changed since these pages were made (another user's change, a sign or payment in this 台账)."""
        self.changed_note.show()

    def _date_checked(self) -> None:
        """While 截至 holds no date, the pages are of the day before it: nothing is exported, and the reason shown."""
        wrong = self.as_of.error()
        for button in (self.refresh_button, self.pdf_button, self.xlsx_button):
            button.setEnabled(not wrong)
        self.pdf_button.setToolTip(wrong)
        self.xlsx_button.setToolTip(self.pdf_button.toolTip())

    def export(self, kind: str) -> bool:
        """The summary as PDF or Excel, written whole or not at all, where the user chooses: summarised again first,
        so that what is handed on is the ledger as it is now (a save elsewhere since the window opened, a day just
        typed), never the figures of when the pages were made."""
        if not self.refresh():
            return False
        folder = self.settings.start_folder(kind) if self.settings is not None else str(Path.home())
        name = f"{file_stem(self.summary.project)}-汇总与审计-{self.summary.as_of}.{kind}"
        path = dialogs.save_path(self, str(Path(folder) / name), "导出汇总与审计",
                                 PDF_FILTER if kind == "pdf" else XLSX_FILTER)
        if path is None:
            return False
        if not path.lower().endswith(f".{kind}"):
            path += f".{kind}"
        if kind == "xlsx" and operations.refused_over_survey(self, path, "导出汇总与审计"):
            return False
        if operations.run(self, lambda: getattr(summaries, f"summary_{kind}")(self.summary, Path(path)),
                          "导出汇总与审计") is None:
            return False
        if self.settings is not None:
            self.settings.remember_folder(kind, Path(path))
        return True


def open_summary(parent, project, settings) -> SummaryDialog | None:
    """Summarise the open project (today) and show the window (nothing, the error shown, when it cannot)."""
    def make(as_of: dt.date) -> Summary | None:
        # A project of thousands of households takes a second or two: the window keeps painting, a progress
        # dialog (shown only if it lasts) says how far the reading is, and 取消 stops it with nothing changed.
        progress = dialogs.progress_dialog(parent, "正在汇总与审计…", 1, PROGRESS_AFTER_MS)
        step = dialogs.reporting(progress, "正在汇总与审计…")

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return operations.run(parent, lambda: project_summary(project, as_of, progress=step), "汇总与审计")
        except Cancelled:
            return None
        finally:
            QApplication.restoreOverrideCursor()
            progress.close()
            progress.deleteLater()

    summary = make(dt.date.today())
    if summary is None:
        return None
    dialog = SummaryDialog(parent, summary, make, settings)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
