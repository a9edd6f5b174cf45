"""台账: how the tab is laid out — the project bar, the filter bar, the table with its totals row — and wired.

`LedgerLayout` is a part of `LedgerWorkspace` (ui/ledger/workspace.py): it builds the widgets onto the
workspace and connects their signals to the workspace's slots.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
    QStackedWidget, QTableView, QToolButton, QVBoxLayout, QWidget,
)

from calculator.app.ledger_actions import SEARCH_LIMIT
from calculator.store import Status
from ui import settings as config
from ui.lazy import lazy_module
from ui.widgets import paint_empty_hint, wheel_when_focused
from ui.ledger.checking import LedgerCheck
from ui.ledger.model import COL_ADDRESS, HEADERS, LedgerModel, TotalsModel

dialogs = lazy_module("ui.ledger.dialogs")

FILTER_DELAY_MS = 250
ASSESSOR_TIP = "修改记入变更记录的经办人姓名"
TOTAL_MARGIN = 14  # px around a total: the cell margins of the style, and room so no total touches the rule
STATUS_CHOICES = (("全部", None), *((status.label, status) for status in Status))
EMPTY_TEXT = ("尚未打开项目。\n\n点「新建项目…」建立一个项目文件(.landcomp),\n"
              "或点「打开项目…」打开已有的项目文件,\n或点「连接服务器…」打开服务器上的共享项目。")


EMPTY_PROJECT = "项目中还没有住户。\n点「导入调查表…」导入调查组填好的调查表,或点「登记住户…」逐户登记。"
NONE_MATCHING = "没有符合筛选条件的住户。\n请改变上方的状态或查找文字。"


class LedgerTable(QTableView):
    """The ledger view: Enter (or a double click) asks to open the current household; an empty one says why."""

    open_requested = Signal()

    def empty_hint(self) -> str | None:
        """What the table says when it has no row: no household yet, or none the filter lets through."""
        model = self.model()
        if model is None or model.rowCount():
            return None
        return NONE_MATCHING if model.query.status is not None or model.query.text else EMPTY_PROJECT

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        hint = self.empty_hint()
        if hint:
            paint_empty_hint(self, hint)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit()
            return
        super().keyPressEvent(event)

    def moveCursor(self, action, modifiers):  # noqa: N802 — Qt's name
        """Ctrl+End goes to the last household, not the last of the rows loaded so far (0200 of 240): the rest are
        loaded first (Ctrl+End without Ctrl is End, the row's last column)."""
        model = self.model()
        if action == QAbstractItemView.CursorAction.MoveEnd and modifiers & Qt.KeyboardModifier.ControlModifier \
                and model is not None:
            model.fetch_all()
        return super().moveCursor(action, modifiers)

    def mouseDoubleClickEvent(self, event) -> None:
        if self.indexAt(event.position().toPoint()).isValid():
            self.open_requested.emit()
            return
        super().mouseDoubleClickEvent(event)


def _button(text: str, slot, parent, tip: str = "") -> QPushButton:
    button = QPushButton(text, parent)
    button.clicked.connect(lambda _checked=False: slot())
    if tip:
        button.setToolTip(tip)
    return button


class LedgerLayout:
    """The 台账's widgets, built onto the workspace, and their signals connected."""

    def _build(self) -> None:
        self.new_button = _button("新建项目(&N)…", self.new_project, self, "建立一个新的项目文件(.landcomp)")
        self.open_button = _button("打开项目(&O)…", self.open_project, self, "打开已有的项目文件")
        self.server_button = _button("连接服务器(&W)…", self.open_server, self,
                                     "打开PostgreSQL服务器上的共享项目(主机、端口、数据库、用户名)")
        self.reconnect_button = _button("重新连接(&L)", self.reconnect, self, "与服务器的连接中断后,重新连接同一项目")
        self.reconnect_button.hide()
        self.project_label = QLabel(self)
        self.project_label.setObjectName("project_name")
        self.path_label = QLabel(self)
        self.path_label.setObjectName("project_path")
        self.path_label.setStyleSheet("color: #707070;")
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_button = _button("备份(&A)…", self.backup_project, self, "把整个项目文件另存一份一致的备份")
        self.restore_button = _button("从备份恢复(&R)…", self.restore_project, self,
                                      "用备份替换项目内容(当前内容先自动另存)")
        self.assessor_button = QToolButton(self)
        self.assessor_button.setAutoRaise(True)
        self.assessor_button.setToolTip(ASSESSOR_TIP)
        self.assessor_button.clicked.connect(lambda _checked=False: self.change_assessor())
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addWidget(self.open_button)
        top.addWidget(self.server_button)
        top.addWidget(self.reconnect_button)
        top.addSpacing(12)
        top.addWidget(self.project_label)
        top.addWidget(self.path_label, 1)
        top.addWidget(self.backup_button)
        top.addWidget(self.restore_button)
        top.addSpacing(12)
        top.addWidget(self.assessor_button)

        self.notice = QLabel(self)
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background: #fff4ce; border: 1px solid #e0c060; padding: 4px;")
        self.notice.hide()

        self.status_filter = QComboBox(self)
        for label, _status in STATUS_CHOICES:
            self.status_filter.addItem(label)
        wheel_when_focused(self.status_filter)
        self.text_filter = QLineEdit(self)
        self.text_filter.setPlaceholderText("查找户号、户主或地址(Ctrl+F)")
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.setMaxLength(SEARCH_LIMIT)   # past it nothing matches: said once, not at every pause
        self.text_filter.setMinimumWidth(264)   # its placeholder whole; the row fits 1280 px (1920 at 150%)
        self.filter_timer = QTimer(self)
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(FILTER_DELAY_MS)
        # The order of the table by keyboard, as a click on a column's header sets it (and shows it when one does).
        self.sort_column = QComboBox(self)
        self.sort_column.addItems(HEADERS)
        wheel_when_focused(self.sort_column)
        sort_label = QLabel("排序(&T)", self)
        sort_label.setBuddy(self.sort_column)
        self.sort_descending = QCheckBox("降序(&Y)", self)
        self.import_button = _button("导入调查表(&I)…", self.import_survey, self, "从填好的调查表(Excel)导入住户")
        self.template_button = _button("导出调查表模板(&M)…", self.export_survey_template, self,
                                       "生成给调查组填写的空白调查表(Excel)")
        self.sheets_button = _button("批量生成结算单(&B)…", self.write_sheets, self,
                                     "为选中的住户(未多选时为当前筛选的全部住户)生成结算单PDF")
        self.export_button = _button("导出台账Excel(&X)…", self.export_ledger, self, "按当前筛选和排序导出台账")
        self.summary_button = _button("汇总与审计(&U)…", self.show_summary, self,
                                      "全项目的金额、资金预测、单价取值审计和异常户(可导出PDF、Excel)")
        filters = QHBoxLayout()
        status_label = QLabel("状态(&P)", self)
        status_label.setBuddy(self.status_filter)
        filters.addWidget(status_label)
        filters.addWidget(self.status_filter)
        filters.addSpacing(8)
        filters.addWidget(self.text_filter)
        filters.addSpacing(8)
        filters.addWidget(sort_label)
        filters.addWidget(self.sort_column)
        filters.addWidget(self.sort_descending)
        filters.addStretch(1)
        for button in (self.import_button, self.template_button, self.sheets_button, self.export_button,
                       self.summary_button):
            filters.addWidget(button)

        self.model = LedgerModel(self)
        self.table = LedgerTable(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setStretchLastSection(False)
        for column, width in enumerate((72, 80, 300, 110, 130, 110, 110, 64, 80, 170)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(COL_ADDRESS, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)

        self.totals_model = TotalsModel(self)
        self.totals = QTableView(self)
        self.totals.setObjectName("totals")
        self.totals.setModel(self.totals_model)
        self.totals.horizontalHeader().hide()
        self.totals.verticalHeader().hide()
        self.totals.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.totals.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.totals.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.totals.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.totals.verticalHeader().setDefaultSectionSize(self.table.verticalHeader().defaultSectionSize())
        self.totals.setFixedHeight(self.totals.verticalHeader().defaultSectionSize() + 2 * self.totals.frameWidth())
        self.totals.setStyleSheet("QTableView { font-weight: bold; background: #f2f2f2; }")
        self._sync_totals_columns()
        self.checking = LedgerCheck(self.table.viewport(), self.totals_model, self)

        self.placeholder = QLabel(EMPTY_TEXT, self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: #606060; font-size: 15px;")
        table_page = QWidget(self)
        table_layout = QVBoxLayout(table_page)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.setSpacing(0)
        table_layout.addWidget(self.table, 1)
        table_layout.addWidget(self.totals)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.placeholder)
        self.pages.addWidget(table_page)

        self.open_selected_button = _button("打开到补偿测算(&S)", self.open_selected, self, "在补偿测算中打开此户(回车)")
        self.sign_button = _button("标记已签字(&Q)…", self.sign_selected, self, "核对结算单校验码后标记为已签字")
        self.pay_button = _button("标记已支付(&Z)…", self.pay_selected, self, "把选中的已签字住户记入一个支付批次")
        self.check_button = _button("核对结算单(&K)…", self.check_sheet, self, "按结算单上的校验码查出它属于哪户哪一版")
        self.history_button = _button("变更记录(&J)…", self.show_history, self, "此户的每一次修改:时间、经办人、内容")
        self.add_button = _button("登记住户(&D)…", self.add_household, self, "不经调查表,登记一户(户号、户主、地址)")
        self.edit_button = _button("修改登记(&C)…", self.edit_household, self, "更正尚未测算的住户的户号、户主、地址")
        self.recheck_button = _button("重新核验(&G)…", self.recheck_selected, self,
                                      "数据异常的住户在数据修复后重新核验,无异常即解除(服务器上须为管理员)")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("count")
        actions = QHBoxLayout()
        for button in (self.open_selected_button, self.sign_button, self.pay_button, self.check_button,
                       self.history_button, self.add_button, self.edit_button, self.recheck_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.count_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addLayout(filters)
        layout.addWidget(self.pages, 1)
        layout.addLayout(actions)
        self.setTabOrder(self.text_filter, self.table)

        state = self.settings.get(config.LEDGER_HEADER)
        if isinstance(state, QByteArray) and not state.isEmpty():
            header.restoreState(state)
            header.setSectionResizeMode(COL_ADDRESS, QHeaderView.ResizeMode.Stretch)
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def _connect(self) -> None:
        self.status_filter.currentIndexChanged.connect(lambda _index: self._apply_filter())
        self.text_filter.textChanged.connect(lambda _text: self.filter_timer.start())
        self.text_filter.returnPressed.connect(self._filter_and_go_to_table)
        self.text_filter.installEventFilter(self)
        self.filter_timer.timeout.connect(self._apply_filter)
        self.table.open_requested.connect(self.open_selected)
        self.sort_column.currentIndexChanged.connect(lambda _index: self._sort_as_chosen())
        self.sort_descending.toggled.connect(lambda _checked: self._sort_as_chosen())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.model.failed.connect(lambda message: dialogs.show_error(self, "无法读取台账", message))
        self.checking.failed.connect(lambda message: dialogs.show_error(self, "无法核验台账", message))
        self.checking.checked.connect(self.refresh)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.model.modelReset.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(lambda *_: self._update_count())
        header = self.table.horizontalHeader()
        header.sectionResized.connect(lambda *_: self._sync_totals_columns())
        header.sortIndicatorChanged.connect(self._show_sort)
        self._show_sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.totals_model.dataChanged.connect(lambda *_: self._fit_totals())
        self.table.viewport().installEventFilter(self)
        self.table.horizontalScrollBar().valueChanged.connect(self.totals.horizontalScrollBar().setValue)

    def _sort_as_chosen(self) -> None:
        """排序 and 降序 chosen by keyboard: the table in that order, its header showing it."""
        order = Qt.SortOrder.DescendingOrder if self.sort_descending.isChecked() else Qt.SortOrder.AscendingOrder
        self.table.sortByColumn(self.sort_column.currentIndex(), order)

    def _show_sort(self, column: int, order: Qt.SortOrder) -> None:
        """The order set by a header's click (or restored) shown in 排序 and 降序."""
        for widget in (self.sort_column, self.sort_descending):
            widget.blockSignals(True)
        self.sort_column.setCurrentIndex(max(column, 0))
        self.sort_descending.setChecked(order == Qt.SortOrder.DescendingOrder)
        for widget in (self.sort_column, self.sort_descending):
            widget.blockSignals(False)

    def _fit_totals(self) -> None:
        """Widen a column too narrow for its total (a project's 奖励 passes 100,000,000.00): a sum of money is
        shown whole, never cut short with "…"."""
        header, bold = self.table.horizontalHeader(), QFont(self.totals.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        for column in range(self.totals_model.columnCount()):
            text = self.totals_model.data(self.totals_model.index(0, column)) or ""
            needed = metrics.horizontalAdvance(text) + TOTAL_MARGIN
            if column != COL_ADDRESS and header.sectionSize(column) < needed:
                header.resizeSection(column, needed)

    def _sync_totals_columns(self) -> None:
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            self.totals.setColumnWidth(column, header.sectionSize(column))
