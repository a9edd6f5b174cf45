"""标准查阅: the 堡子 compensation schedule and the 五台 land price tables, read-only, searchable.

Rows are shown as the data files hold them; the search box filters through a
QSortFilterProxyModel whose matches come from `calculator.engine.catalog`. Section 三's household
allowances ([relocation.*]) are listed under 三 as rows of their own (`catalog.relocation_items`).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QGroupBox, QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter, QTabWidget,
    QTableView, QVBoxLayout, QWidget,
)

from calculator.engine.catalog import (RELOCATION_PARTS, RELOCATION_SECTION, best_match, matching, rate_summary,
                                      relocation_items)
from calculator.engine.schedules import load_land_table, load_schedule
from tables.land import LandTable
from tables.schedule import Item, Schedule
from ui.land_ranges import NOTE_MARK, SHORT_USES, RangeModel
from ui.table_model import VALUE_ROLE, HeaderedTableModel
from ui.workspace import Workspace

def listed_rows(schedule: Schedule, relocation: tuple[Item, ...]) -> list[Item]:
    """The schedule's items in file order, with section 三's allowances before the first later section."""
    items = list(schedule.items.values())
    order = list(schedule.sections)
    after = order.index(RELOCATION_SECTION) if RELOCATION_SECTION in order else len(order)
    at = next((i for i, item in enumerate(items) if order.index(item.section) > after), len(items))
    return items[:at] + list(relocation) + items[at:]


class ItemsModel(HeaderedTableModel):
    """Every row of the compensation schedule and section 三's allowances: 章节, 项目, 单位, 标准, 规则."""

    SECTION, KEY, UNIT, RATE, KIND = range(5)
    HEADERS = ("章节", "项目", "单位", "补偿标准", "计算方式")

    def __init__(self, schedule: Schedule, parent=None):
        super().__init__(parent)
        self.schedule = schedule
        relocation = relocation_items(schedule)
        self.items: list[Item] = listed_rows(schedule, relocation)
        self.by_key = {item.key: item for item in self.items}
        self.relocation_parts = {item.key: part for (part, _name, _unit), item in zip(RELOCATION_PARTS, relocation)}
        self._summaries = [rate_summary(item, schedule) for item in self.items]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            kind = item.rule.LABEL + ("(每户)" if item.key in self.relocation_parts else "")
            return (item.section, item.key, item.unit, self._summaries[index.row()], kind)[index.column()]
        if role == VALUE_ROLE:
            return item.key
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.source
        return None


def _refilter(proxy: QSortFilterProxyModel, change) -> None:
    """Apply `change` to a proxy's filter state (Qt ≥ 6.10 API, invalidateFilter before)."""
    if hasattr(proxy, "beginFilterChange"):
        proxy.beginFilterChange()
        change()
        proxy.endFilterChange()
    else:
        change()
        proxy.invalidateFilter()


class KeyFilterProxy(QSortFilterProxyModel):
    """Shows the rows whose key is in the set the domain search returned (all rows without one)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.keys: set[str] | None = None

    def set_keys(self, keys: set[str] | None) -> None:
        _refilter(self, lambda: setattr(self, "keys", keys))

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        if self.keys is None:
            return True
        return self.sourceModel().index(row, 0, parent).data(VALUE_ROLE) in self.keys


class DetailModel(HeaderedTableModel):
    """A row's rule as a small table: brackets, stages, tiers or plain fields (the rule's detail_rows)."""

    HEADERS = ("条件", "标准")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[str, str]] = []

    def set_rows(self, rows: list[tuple[str, str]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 2

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole, VALUE_ROLE):
            return self._rows[index.row()][index.column()]
        return None


def _view(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    return view


class LandRowsProxy(QSortFilterProxyModel):
    """All 16 land rows, filtered by the words of the search text (用途 or its short name as 表1 writes it, 级别, 说明)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.words: list[str] = []

    def set_text(self, text: str) -> None:
        _refilter(self, lambda: setattr(self, "words", text.split()))

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        model: RangeModel = self.sourceModel()
        grade_row = model.row_at(row)
        haystack = (f"{grade_row.use} {SHORT_USES.get(grade_row.use, '')} {grade_row.grade}级 "
                    f"{model.index(row, RangeModel.GRADE).data()} {grade_row.discrepancy}")
        return all(w in haystack for w in self.words)


class ScheduleBrowser(Workspace):
    """标准查阅: both schedules as the data holds them, with provenance and readings."""

    title = "标准查阅"
    # An item found here asked for as a line of the household open in 补偿测算 (Enter, or 添加到本户): found by
    # searching the standard, it had to be searched for again there.
    add_requested = Signal(str)

    def __init__(self, schedule: Schedule | None = None, land: LandTable | None = None, parent=None):
        super().__init__(parent)
        self.schedule = schedule or load_schedule()
        self.land = land or load_land_table()
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("搜索:项目名称、规格或原文(如 杨、砖混、菜窖、临时安置、住宅)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self.set_search)
        self.search_edit.installEventFilter(self)   # Down/Up pick a row found, Enter adds it: typing goes on there
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_items(), f"补偿标准({self.schedule.document})")
        self.tabs.addTab(self._build_land(), f"基准地价({self.land.document})")
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.tabs, 1)

    # ---------------------------------------------------------------- 堡子 schedule

    def _build_items(self) -> QWidget:
        self.items_model = ItemsModel(self.schedule, self)
        self.items_proxy = KeyFilterProxy(self)
        self.items_proxy.setSourceModel(self.items_model)
        self.items_view = _view(self.items_proxy)
        header = self.items_view.horizontalHeader()
        header.setSectionResizeMode(ItemsModel.RATE, QHeaderView.ResizeMode.Stretch)
        self.items_view.resizeColumnsToContents()
        header.resizeSection(ItemsModel.KEY, min(header.sectionSize(ItemsModel.KEY), 300))
        self.items_view.selectionModel().currentRowChanged.connect(self._item_selected)
        self.items_view.activated.connect(lambda _index: self.request_add())
        self.add_button = QPushButton("添加到本户(&J)")
        self.add_button.setToolTip("在「补偿测算」中为当前住户添加此项(回车)")
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self.request_add)

        head = self.schedule
        self.schedule_label = QLabel(
            f"《{head.title}》 {head.issuer} {head.document},{head.issued:%Y-%m-%d} 发布,"
            f"{head.effective:%Y-%m-%d} 起施行;版本 {head.version};共 {len(head.items)} 项,"
            f"另有「{RELOCATION_SECTION}、{head.sections.get(RELOCATION_SECTION, '')}」"
            f"{len(self.items_model.relocation_parts)} 项按户计算")
        self.schedule_label.setWordWrap(True)
        self.count_label = QLabel()

        detail = QGroupBox("所选项目")
        self.detail_title = QLabel("(请选择一行)")
        self.detail_title.setStyleSheet("font-weight: bold; font-size: 15px;")
        self.detail_title.setWordWrap(True)
        self.detail_model = DetailModel(self)
        self.detail_view = _view(self.detail_model)
        self.detail_view.horizontalHeader().setStretchLastSection(True)
        self.detail_view.horizontalHeader().resizeSection(0, 220)
        self.detail_view.setMaximumHeight(190)
        self.params_label = QLabel()
        self.provenance_label = QLabel()
        self.reading_label = QLabel()
        for label in (self.params_label, self.provenance_label, self.reading_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        box = QVBoxLayout(detail)
        box.addWidget(self.detail_title)
        box.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        box.addWidget(self.detail_view)
        box.addWidget(self.params_label)
        box.addWidget(self.provenance_label)
        box.addWidget(self.reading_label)
        box.addStretch(1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.items_view)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([800, 560])
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.schedule_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.count_label)
        self._update_count()
        return page

    def _item_selected(self, current: QModelIndex, _previous=None) -> None:
        if not current.isValid():
            return
        self.show_item(current.data(VALUE_ROLE))

    def activated(self) -> None:
        """Brought to the front (Ctrl+3): the search box takes what is typed, unless a control of the tab has it."""
        if not self.isAncestorOf(QApplication.focusWidget()):
            self.search_edit.setFocus(Qt.FocusReason.TabFocusReason)

    def eventFilter(self, watched, event) -> bool:
        """In the search box, Down and Up move through the items found and Enter adds the one picked (as 补偿测算's
        picker does): Enter there did nothing, Down nothing, and the rows were reached only by Tab, Tab, Tab."""
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress and self.tabs.currentIndex() == 0:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                rows = self.items_proxy.rowCount()
                if rows:
                    row = self.items_view.currentIndex().row()
                    row = 0 if row < 0 else min(max(row + (1 if key == Qt.Key.Key_Down else -1), 0), rows - 1)
                    self.items_view.setCurrentIndex(self.items_proxy.index(row, 0))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.request_add()
                return True
        return super().eventFilter(watched, event)

    def addable(self, key: str) -> bool:
        """Whether `key` is a line a household's case takes (not a 搬迁与安置 allowance, nor 房屋面积置换)."""
        item = self.schedule.items.get(key)
        return item is not None and item.rule.CASE_LINE and key not in self.items_model.relocation_parts

    def request_add(self) -> None:
        """The current item asked for as a line of the household in 补偿测算, when it is one."""
        current = self.items_view.currentIndex()
        key = current.data(VALUE_ROLE) if current.isValid() else None
        if key is not None and self.addable(key):
            self.add_requested.emit(key)

    def show_item(self, key: str) -> None:
        """Fill the detail pane with one row: its rule table, parameters, provenance and reading."""
        item = self.items_model.by_key.get(key) or self.schedule.items[key]
        part = self.items_model.relocation_parts.get(item.key)
        self.add_button.setEnabled(self.addable(item.key))
        self.detail_title.setText(f"{item.key}  ({item.section} {self.schedule.sections[item.section]},"
                                  f" 单位 {item.unit}{',每户计算' if part else ''})")
        rows = item.rule.detail_rows(item.spec, item.unit, self.schedule)
        if part == "temporary":
            rows.append(("唯一住房,临时安置确有困难", f"可增加至多 {self.schedule.relocation.max_extra_months} 个月"))
        self.detail_model.set_rows(rows)
        params = item.rule.params(item.spec)
        self.params_label.setText("参数: " + ("、".join(
            f"{self.schedule.describe(p.name, None)}{'(' + self.schedule.params[p.name].unit + ')' if self.schedule.params[p.name].unit else ''}"
            f"{'' if p.required else '(可选)'}" + (f" [{'/'.join(p.choices)}]" if p.choices else "")
            for p in params) if params else "无")
            + (f"(取自本户「{RELOCATION_SECTION}、{self.schedule.sections[RELOCATION_SECTION]}」栏,不作为项目行添加)"
               if part else ""))
        self.provenance_label.setText(
            f"出处: {self.schedule.document} {item.source_section}\n原文: {item.source}")
        self.reading_label.setText(f"适用解读: {item.reading_zh}" if item.reading_zh else "适用解读: 按原文,无须另作解读")

    # ---------------------------------------------------------------- 五台 tables

    def _build_land(self) -> QWidget:
        land = self.land
        self.land_model = RangeModel(land, None, self)
        self.land_proxy = LandRowsProxy(self)
        self.land_proxy.setSourceModel(self.land_model)
        self.land_view = _view(self.land_proxy)
        self.land_view.resizeColumnsToContents()
        header = self.land_view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setMinimumHeight(44)
        for column in range(RangeModel.NOTE):
            header.resizeSection(column, max(header.sectionSize(column), 84))
        header.resizeSection(RangeModel.USE, 190)
        self.land_label = QLabel(
            f"《{land.title}》 {land.issuer} {land.document}《{land.notice}》,{land.issued:%Y-%m-%d} 发布;"
            f"估价基准日 {land.valuation_date:%Y-%m-%d};版本 {land.version};1 亩 = {land.m2_per_mu} m²(≈666.67 m²)")
        self.land_label.setWordWrap(True)
        uses = "; ".join(f"{u.key}: {u.table}, 法定最高年期 {u.statutory_term_years} 年({u.term_basis})"
                         for u in land.uses.values())
        self.land_uses_label = QLabel(uses)
        self.land_uses_label.setWordWrap(True)
        notes = [f"{NOTE_MARK} {r.use} {r.grade}级: 公布的上调/下调幅度与价格不符 — {r.discrepancy}"
                 for r in land.rows.values() if r.discrepancy]
        self.land_notes_label = QLabel("\n".join(notes))
        self.land_notes_label.setWordWrap(True)
        self.land_notes_label.setStyleSheet("color: #b00020;")
        self.land_basis_label = QLabel(f"协议出让最低价: {land.floor_basis}\n修正方法: {land.correction_method};"
                                       f" 年期依据: {land.tenure_basis}")
        self.land_basis_label.setWordWrap(True)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.land_label)
        layout.addWidget(self.land_uses_label)
        layout.addWidget(self.land_view, 1)
        layout.addWidget(self.land_notes_label)
        layout.addWidget(self.land_basis_label)
        return page

    # ---------------------------------------------------------------- search

    def focus_search(self) -> None:
        """Ctrl+F: the search box, its text selected."""
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def showEvent(self, event) -> None:
        """Come back to, the tab's last search is selected: typed over, not added to (井 then 菜窖 searched 井菜窖)."""
        super().showEvent(event)
        self.search_edit.selectAll()

    def set_search(self, text: str) -> None:
        """Filter both tables by `text` (every whitespace-separated word must match)."""
        if self.search_edit.text() != text:
            self.search_edit.setText(text)  # re-enters through textChanged
            return
        words = text.strip()
        self.items_proxy.set_keys({item.key for item in matching(self.items_model.items, words)} if words else None)
        self.land_proxy.set_text(words)
        self._update_count()
        keys = self.visible_keys()
        best = best_match(keys, words) if words else None
        if best is not None:   # the match typed, shown at once and what Enter adds (the first row or the one picked
            # before stayed picked: 国槐 typed added 用材树/杨树, listed above it)
            self.items_view.setCurrentIndex(self.items_proxy.index(keys.index(best), 0))
        elif words or not self.items_view.currentIndex().isValid():   # nothing found (the item found before stayed
            # shown, its 添加到本户 enabled and doing nothing), or nothing chosen since
            self.items_view.setCurrentIndex(QModelIndex())
            self.detail_title.setText("(没有找到符合的项目)" if words else "(请选择一行)")
            self.detail_model.set_rows([])
            for label in (self.params_label, self.provenance_label, self.reading_label):
                label.clear()
            self.add_button.setEnabled(False)

    def _update_count(self) -> None:
        """How many rows are shown, and how many of the land tables' a search finds (住宅 found none here, and said
        nothing of the four under 基准地价)."""
        land = (f";「基准地价」页中有 {self.land_proxy.rowCount()} 行符合" if self.search_edit.text().strip()
                and self.land_proxy.rowCount() else "")
        self.count_label.setText(f"显示 {self.items_proxy.rowCount()} / {self.items_model.rowCount()} 行{land}")

    def visible_keys(self) -> list[str]:
        """The item keys the table shows now, in order."""
        proxy = self.items_proxy
        return [proxy.index(r, 0).data(VALUE_ROLE) for r in range(proxy.rowCount())]
