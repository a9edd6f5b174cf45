"""The item table's view and delegate: editors that fit each cell, committed as you type."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFontMetrics, QPalette
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QLineEdit, QStyledItemDelegate, QTableView

from calculator.core.limits import WIDEST_AMOUNT
from ui.household.items_model import (COL_AMOUNT, COL_DISPUTED, COL_ITEM, COL_PARAMS, COL_QUANTITY, COL_RATE,
                                      COL_UNIT, EDITOR_ROLE, HINT_ROLE, LIVE_EDIT_ROLE)
from ui.widgets import HINT_COLOUR, DecimalEdit, keep_viewport, paint_empty_hint, pass_undo_through

COLUMN_WIDTHS = {COL_ITEM: 236, COL_QUANTITY: 80, COL_UNIT: 44, COL_PARAMS: 130, COL_RATE: 140,
                 COL_AMOUNT: 104, COL_DISPUTED: 54}
# 种类/规格 and then 参数 give way (their texts elide, the full text is the tooltip) down to these
# widths, so that 金额 stays in view without scrolling on a 1366-pixel laptop and at 150%.
MIN_ITEM_WIDTH = 130
MIN_PARAMS_WIDTH = 80
EMPTY_HINT = "还没有补偿项目。\n按 Ctrl+F 在左侧查找项目(如「砖混」「杨树」「菜窖」),回车添加到本户。"


# The keys that move the cursor in the table, each with Ctrl (Ctrl+Home: the first line's first cell)
CTRL_MOVES = frozenset({Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left,
                        Qt.Key.Key_Right, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown})

class ItemDelegate(QStyledItemDelegate):
    """Creates the editor an EditorSpec asks for; each keystroke is sent as LIVE_EDIT_ROLE."""

    def createEditor(self, parent, option, index):
        spec = index.data(EDITOR_ROLE)
        if spec is None:
            return None
        if spec.kind == "choice":
            editor = QComboBox(parent)
            for i, choice in enumerate(spec.choices):
                if spec.separator_at is not None and i == spec.separator_at:
                    editor.insertSeparator(editor.count())
                editor.addItem(choice)
            editor.setCurrentText(spec.text)
            editor.activated.connect(lambda _i, e=editor: self._commit_choice(e))
        elif spec.kind == "decimal":
            editor = DecimalEdit(spec.suffix, parent)
        else:
            editor = QLineEdit(parent)
        if isinstance(editor, QLineEdit):
            editor.setText(spec.text)
            editor.setPlaceholderText(spec.placeholder)
            editor.selectAll()
            editor.textEdited.connect(lambda text, e=editor: self._live(e, text))
            # Ctrl+Z in a cell just opened (a line added from the picker, its 数量 open) undoes the document's last
            # step: the cell's own empty history took the keys, and the line stayed
            pass_undo_through(editor)
        editor.setProperty("original", spec.given if spec.kind == "choice" else spec.text)
        editor._index = QPersistentModelIndex(index)
        return editor

    def setEditorData(self, editor, index) -> None:
        """Editors are filled when created; a refresh while typing must not move the cursor."""

    def setModelData(self, editor, model, index) -> None:
        if isinstance(editor, QComboBox):
            if editor.currentText() != editor.property("original"):
                model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
            return
        if editor.isModified():
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor, option, index) -> None:
        rect = QRect(option.rect)
        hint = editor.sizeHint().width()
        if isinstance(editor, DecimalEdit):
            hint = editor.fontMetrics().horizontalAdvance(editor.text() + "0000" + editor.suffix()) + 24
        if hint > rect.width():
            rect.setWidth(hint)
        editor.setGeometry(rect)

    def eventFilter(self, editor, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            # Escape takes back what was typed (the live steps merge into nothing).
            index = getattr(editor, "_index", None)
            if index is not None and index.isValid() and isinstance(editor, QLineEdit) and editor.isModified():
                index.model().setData(QModelIndex(index), editor.property("original"), Qt.ItemDataRole.EditRole)
        return super().eventFilter(editor, event)

    def _live(self, editor, text: str) -> None:
        index = editor._index
        if index.isValid():
            index.model().setData(QModelIndex(index), text, LIVE_EDIT_ROLE)

    def _commit_choice(self, editor) -> None:
        self.commitData.emit(editor)
        editor.setProperty("original", editor.currentText())


class RateDelegate(ItemDelegate):
    """The 单价 column also draws its standard (range, 中值, 超标准) in grey at the left.

    Only this column paints in Python: the other columns keep Qt's own painting, which matters
    when every cell of a long table is repainted after an edit.
    """

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        hint = index.data(HINT_ROLE)
        if hint:
            from PySide6.QtWidgets import QStyle
            font = option.font
            font.setPointSizeF(font.pointSizeF() * 0.85)
            hint = self.fitted_hint(hint, font, option, index)
            if not hint:
                return
            painter.save()
            painter.setFont(font)
            selected = option.state & QStyle.StateFlag.State_Selected
            painter.setPen(option.palette.color(QPalette.ColorRole.HighlightedText) if selected else HINT_COLOUR)
            painter.drawText(option.rect.adjusted(5, 0, -5, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, hint)
            painter.restore()

    @staticmethod
    def fitted_hint(hint: str, font, option, index) -> str:
        """The hint cut (…) to the room the rate leaves it, or "" when too little is left: in a narrow column (at
        150%) 中值 3000–4000 ran into the rate, read as 中值 3000–40003,500.00."""
        room = option.rect.width() - 10 - option.fontMetrics.horizontalAdvance(f"{index.data() or ''}  ")
        metrics = QFontMetrics(font)
        if metrics.horizontalAdvance(hint) <= room:
            return hint
        cut = metrics.elidedText(hint, Qt.TextElideMode.ElideRight, room)
        return cut if room >= metrics.horizontalAdvance("中值…") else ""


class ItemTable(QTableView):
    """The item table: Enter or typing edits the current cell, Space toggles 有争议."""

    def __init__(self, parent=None):
        super().__init__(parent)
        keep_viewport(self)  # the table is built at start-up, and reads its viewport's width there
        self.setItemDelegate(ItemDelegate(self))
        self.rate_delegate = RateDelegate(self)
        self.setItemDelegateForColumn(COL_RATE, self.rate_delegate)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the table; arrows move, Tab inside an editor moves on
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setHighlightSections(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)

    def setModel(self, model) -> None:
        super().setModel(model)
        for column, width in COLUMN_WIDTHS.items():
            self.setColumnWidth(column, width)
        # 金额 holds the largest amount a line may have whole (calculator.core.limits.MAX_AMOUNT).
        self.setColumnWidth(COL_AMOUNT, self.fontMetrics().horizontalAdvance(WIDEST_AMOUNT) + 14)
        self.fit_item_column()
        for delegate in (self.itemDelegate(), self.rate_delegate):
            delegate.closeEditor.connect(lambda *_: model.end_edit())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_item_column()

    def fit_item_column(self) -> None:
        """Narrow 种类/规格, then 参数 (each eliding, never below its minimum), until every column up to
        金额 is in view."""
        if self.model() is None:
            return
        fixed = sum(self.columnWidth(column) for column in (COL_QUANTITY, COL_UNIT, COL_RATE, COL_AMOUNT))
        room = self.viewport().width() - fixed
        item = max(MIN_ITEM_WIDTH, min(COLUMN_WIDTHS[COL_ITEM], room - COLUMN_WIDTHS[COL_PARAMS]))
        self.setColumnWidth(COL_ITEM, item)
        self.setColumnWidth(COL_PARAMS, max(MIN_PARAMS_WIDTH, min(COLUMN_WIDTHS[COL_PARAMS], room - item)))

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.model() is not None and self.model().rowCount() == 0:
            paint_empty_hint(self, EMPTY_HINT)

    def keyPressEvent(self, event) -> None:
        index = self.currentIndex()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state() != QAbstractItemView.State.EditingState:
            if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEditable:
                self.edit(index)
                return
        super().keyPressEvent(event)

    def selectionCommand(self, index, event=None):
        """Ctrl+Home, Ctrl+End and Ctrl with an arrow or a page key choose the cell they move to, and with Shift extend
        the choice to it, as a spreadsheet's do (Qt's own moved the cursor and left the choice where it was: Delete
        then removed the line chosen before, far from the cursor). Ctrl+click and Ctrl+Space still add to the choice."""
        if event is not None and event.type() == QEvent.Type.KeyPress and event.key() in CTRL_MOVES \
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            flag = QItemSelectionModel.SelectionFlag   # cells: the table chooses cells (SelectItems)
            return flag.SelectCurrent if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else flag.ClearAndSelect
        return super().selectionCommand(index, event)

    def moveCursor(self, action, modifiers):
        """Tab from an editor goes to the next cell that can be edited (数量 → 参数 → 单价 → 备注 → next line)."""
        if action not in (QAbstractItemView.CursorAction.MoveNext, QAbstractItemView.CursorAction.MovePrevious):
            return super().moveCursor(action, modifiers)
        model, current = self.model(), self.currentIndex()
        if model is None or not current.isValid():
            return super().moveCursor(action, modifiers)
        step = 1 if action == QAbstractItemView.CursorAction.MoveNext else -1
        columns = model.columnCount()
        position = current.row() * columns + current.column() + step
        while 0 <= position < model.rowCount() * columns:
            index = model.index(position // columns, position % columns)
            if index.flags() & Qt.ItemFlag.ItemIsEditable:
                return index
            position += step
        return current

    def selected_rows(self) -> list[int]:
        rows = {index.row() for index in self.selectionModel().selectedIndexes()} if self.selectionModel() else set()
        if not rows and self.currentIndex().isValid():
            rows = {self.currentIndex().row()}
        return sorted(rows)

    def edit_cell(self, row: int, column: int) -> None:
        """Put the cursor in a cell and open its editor (after a line is added)."""
        index = self.model().index(row, column)
        self.setFocus()
        self.setCurrentIndex(index)
        self.scrollTo(index)
        if index.flags() & Qt.ItemFlag.ItemIsEditable:
            self.edit(index)

