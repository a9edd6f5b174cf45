"""The item picker: the whole schedule as a tree (章节 → 种类 → 规格), filtered as you type.

Matching is calculator.engine.catalog.search (key, unit or source wording contains every word); the
picker only shows its answer. Enter adds the highlighted row.
"""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTreeView, QVBoxLayout, QWidget, QLabel

from calculator.app import actions
from calculator.engine.catalog import best_match, rate_summary, search

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
COL_NAME, COL_RATE = range(2)


def build_model(schedule, parent=None) -> QStandardItemModel:
    """Sections, then groups (种类), then rows (规格), each row with its standard and unit."""
    model = QStandardItemModel(parent)
    model.setHorizontalHeaderLabels(["项目", "标准"])
    sections: dict[str, QStandardItem] = {}
    groups: dict[str, QStandardItem] = {}
    for item in actions.pickable(schedule):
        section = sections.get(item.section)
        if section is None:
            section = sections[item.section] = QStandardItem(schedule.heading(item.section))
            _read_only(section)
            model.appendRow([section, _read_only(QStandardItem(""))])
        parent_row = section
        if item.variety:
            group = groups.get(item.group)
            if group is None:
                group = groups[item.group] = _read_only(QStandardItem(item.group))
                section.appendRow([group, _read_only(QStandardItem(""))])
            parent_row = group
        summary = rate_summary(item, schedule)
        name = _read_only(QStandardItem(item.variety or item.key))
        name.setData(item.key, KEY_ROLE)
        tip = f"{item.key}\n标准:{summary}\n原文:{item.source}"
        name.setToolTip(tip)
        rate = _read_only(QStandardItem(summary))
        rate.setToolTip(tip)
        rate.setData(item.key, KEY_ROLE)
        parent_row.appendRow([name, rate])
    return model


def _read_only(item: QStandardItem) -> QStandardItem:
    item.setEditable(False)
    return item


class PickerFilter(QSortFilterProxyModel):
    """Shows rows whose key is among the matches, with their groups and sections."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.matches: set[str] | None = None
        self.setRecursiveFilteringEnabled(True)

    def set_matches(self, keys: set[str] | None) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.10; invalidateFilter() is deprecated there
            self.beginFilterChange()
            self.matches = keys
            self.endFilterChange()
        else:
            self.matches = keys
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        if self.matches is None:
            return True
        key = self.sourceModel().index(source_row, COL_NAME, source_parent).data(KEY_ROLE)
        return key is not None and key in self.matches


class PickerPanel(QWidget):
    """Search box over the tree; Enter (in either) adds the highlighted row."""

    item_chosen = Signal(str)

    def __init__(self, schedule, parent=None):
        super().__init__(parent)
        self.schedule = schedule
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("查找项目:砖混、杨树、菜窖…")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("输入文字筛选标准中的项目(Ctrl+F);↑↓ 选择,回车添加到本户")
        self.source = build_model(schedule, self)
        self.proxy = PickerFilter(self)
        self.proxy.setSourceModel(self.source)
        self.tree = QTreeView(self)
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.header().setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        self.tree.setColumnWidth(COL_NAME, 150)
        self.tree.setIndentation(14)
        self.count = QLabel(self)
        self.count.setStyleSheet("color: #666;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        title = QLabel("添加项目(&S)  Ctrl+F", self)
        title.setBuddy(self.search)
        title.setStyleSheet("font-weight: bold;")
        layout.addWidget(title)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.count)
        self.search.textChanged.connect(self.apply_filter)
        self.search.returnPressed.connect(self.choose_current)
        self.search.installEventFilter(self)
        self.tree.activated.connect(self._activated)
        self.apply_filter("")

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def apply_filter(self, text: str) -> None:
        """Show the rows catalog.search finds for `text` and highlight the best of them."""
        text = text.strip()
        if not text:
            self.proxy.set_matches(None)
            self.tree.collapseAll()
            for row in range(self.proxy.rowCount()):
                self.tree.expand(self.proxy.index(row, 0))
            self.count.setText(f"共 {len(actions.pickable(self.schedule))} 项,输入文字筛选")
            self.tree.setCurrentIndex(QModelIndex())
            return
        pickable = {item.key for item in actions.pickable(self.schedule)}
        found = [item.key for item in search(self.schedule, text) if item.key in pickable]
        self.proxy.set_matches(set(found))
        self.tree.expandAll()
        self.count.setText(f"找到 {len(found)} 项" if found else "没有找到,换个词试试")
        best = best_match(found, text)
        if best is not None:
            self.select_key(best)

    def select_key(self, key: str) -> None:
        index = self._find(key)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    def current_key(self) -> str | None:
        index = self.tree.currentIndex()
        return index.siblingAtColumn(COL_NAME).data(KEY_ROLE) if index.isValid() else None

    def choose_current(self) -> None:
        key = self.current_key()
        if key is not None:
            self.item_chosen.emit(key)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.search and event.type() == event.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self._step(event.key())
                return True
        return super().eventFilter(watched, event)

    def _step(self, key) -> None:
        """Move the highlight through the leaf rows while the cursor stays in the search box."""
        leaves = self._visible_leaves()
        if not leaves:
            return
        current = self.tree.currentIndex().siblingAtColumn(COL_NAME)
        position = next((i for i, leaf in enumerate(leaves) if leaf == current), -1)
        step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10, Qt.Key.Key_PageUp: -10}[key]
        position = 0 if position < 0 else max(0, min(len(leaves) - 1, position + step))
        self.tree.setCurrentIndex(leaves[position])
        self.tree.scrollTo(leaves[position])

    def _visible_leaves(self) -> list[QModelIndex]:
        leaves = []

        def walk(parent: QModelIndex) -> None:
            for row in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(row, COL_NAME, parent)
                if index.data(KEY_ROLE) is not None:
                    leaves.append(index)
                elif self.tree.isExpanded(index):
                    walk(index)
        walk(QModelIndex())
        return leaves

    def _find(self, key: str) -> QModelIndex:
        found = self.source.match(self.source.index(0, COL_NAME), KEY_ROLE, key, 1,
                                  Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
        return self.proxy.mapFromSource(found[0]) if found else QModelIndex()

    def _activated(self, index: QModelIndex) -> None:
        key = index.siblingAtColumn(COL_NAME).data(KEY_ROLE)
        if key is not None:
            self.item_chosen.emit(key)
        else:
            self.tree.setExpanded(index, not self.tree.isExpanded(index))

