"""The item table: one row per raw case line, showing what the engine made of it.

DisplayRole shows formatted text, VALUE_ROLE carries the Decimal, EDITOR_ROLE tells the
delegate which editor fits the cell. Nothing here prices anything: rows are read from the
session's latest CompensationResult (lines priced, problems listed).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from calculator.app import actions
from calculator.engine.catalog import rate_summary
from calculator.engine.compensation import sheet_numbers
from calculator.core.errors import CalculationError
from calculator.core.limits import counted
from calculator.engine.lines import PricedLine
from calculator.core.money import fmt_grouped, fmt_plain, fmt_quantity, fmt_rate, to_decimal
from calculator.core.rates import MIDPOINT, OVERRIDE
from calculator.engine.remarks import line_remarks
from calculator.rules import share_of_host
from tables.schedule import Item
from ui.table_model import VALUE_ROLE

COL_ITEM, COL_QUANTITY, COL_UNIT, COL_PARAMS, COL_RATE, COL_AMOUNT, COL_DISPUTED, COL_REMARKS = range(8)
HEADERS = ("种类/规格", "数量", "单位", "参数", "单价(元)", "金额(元)", "有争议", "备注")
COLUMN_FIELDS = {COL_QUANTITY: "quantity", COL_REMARKS: "note", COL_DISPUTED: "disputed"}

EDITOR_ROLE = Qt.ItemDataRole.UserRole + 2    # an EditorSpec for the delegate
HINT_ROLE = Qt.ItemDataRole.UserRole + 3      # grey text drawn at the left of the 单价 cell (the range)
FIELD_ROLE = Qt.ItemDataRole.UserRole + 4     # the raw field the cell edits
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 5   # the engine's message when this cell is what is wrong
LIVE_EDIT_ROLE = Qt.ItemDataRole.UserRole + 6  # setData role for text still being typed


ERROR_BG = QBrush(QColor("#f9d0d3"))
ERROR_ROW_BG = QBrush(QColor("#fdf0f1"))
OVERRIDE_BG = QBrush(QColor("#ffe3bf"))
DISPUTED_FG = QBrush(QColor("#8a8a8a"))
DEFAULT_FG = QBrush(QColor("#7a7a7a"))
ERROR_FG = QBrush(QColor("#b00020"))
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
CENTER = int(Qt.AlignmentFlag.AlignCenter)


@dataclass(frozen=True)
class EditorSpec:
    """What editor a cell takes: decimal text with a unit, a drop-down, or free text."""

    kind: str                      # "decimal" | "choice" | "text"
    text: str = ""
    suffix: str = ""
    choices: tuple[str, ...] = ()
    separator_at: int | None = None  # a line in the drop-down before this index
    placeholder: str = ""
    given: str = ""                  # the value in the case ("" when none): a drop-down commits when it differs


@dataclass
class Row:
    """What one table row shows, gathered once per refresh (lazily, for rows that are painted)."""

    raw: dict[str, Any]
    item: Item | None
    priced: PricedLine | None
    problem: CalculationError | None
    problem_field: str | None        # the raw field the engine's error names (None: the line as a whole)
    problem_column: int | None       # the cell that shows it (None: no problem)
    fields: actions.LineFields | None


class ItemTableModel(QAbstractTableModel):
    """Rows are the case's raw lines, in order; edits go to the session as undo steps."""

    reason_needed = Signal(int, dict, object)  # row, {field: value}, the engine's CalculationError

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self._rows: dict[int, Row] = {}
        self._standards: dict[int, Any] = {}
        self._priced: dict[int, PricedLine] = {}
        self._problems: dict[int, CalculationError] = {}
        self._fields: dict[str, actions.LineFields] = {}
        self._signatures: list[tuple] = []
        self._numbers: dict[int, int] = {}
        self._index_result(session.result)
        session.changed.connect(self.set_result)

    # --- refresh --------------------------------------------------------------------------------

    def set_result(self, result, structure: bool) -> None:
        """Show a new result: reset when lines were added or removed, else repaint changed rows only."""
        if structure or len(self._signatures) != self.rowCount():
            self.beginResetModel()
            self._index_result(result)
            self.endResetModel()
            return
        old = self._signatures
        self._index_result(result)
        changed = [row for row, (before, after) in enumerate(zip(old, self._signatures)) if before != after]
        last = len(HEADERS) - 1
        for first, end in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(end, last))

    def _index_result(self, result) -> None:
        self._rows.clear()
        self._standards.clear()
        self._priced = {priced.line.index: priced for priced in result.lines}
        self._problems = {}
        for error in result.problems:
            if error.line is not None:
                self._problems.setdefault(error.line, error)
        self._signatures = [self._signature(row, raw) for row, raw in enumerate(self.session.case.items)]
        numbers = sheet_numbers(self.session.case, self.session.schedule)
        if numbers != self._numbers:
            self._numbers = numbers
            if self.rowCount():
                self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, self.rowCount() - 1)

    def _signature(self, row: int, raw: dict) -> tuple:
        """Everything a row shows, to find the rows an edit changed (often just the edited one)."""
        priced, problem = self._priced.get(row), self._problems.get(row)
        shown = (priced.rate, priced.amount, priced.flags, priced.remarks) if priced is not None else None
        return tuple(raw.items()), shown, (problem.message, problem.field) if problem is not None else None

    def row(self, row: int) -> Row:
        cached = self._rows.get(row)
        if cached is None:
            raw = self.session.case.items[row]
            item = actions.line_item(self.session.schedule, raw)
            problem = self._problems.get(row)
            fields = None
            if item is not None:
                fields = self._fields.get(item.key)
                if fields is None:
                    fields = self._fields[item.key] = actions.line_fields(item)
            field = problem.field if problem is not None else None
            column = _field_column(fields, field) if problem is not None else None
            cached = self._rows[row] = Row(raw, item, self._priced.get(row), problem, field, column, fields)
        return cached

    def standard(self, row: int):
        if row not in self._standards:
            self._standards[row] = actions.line_standard(self.session.case, self.session.schedule, row)
        return self._standards[row]

    def problem_rows(self) -> list[int]:
        return sorted(self._problems)

    def field_column(self, row: int, field: str | None) -> int:
        """The column that shows a raw field of a row."""
        return _field_column(self.row(row).fields, field)

    def first_edit_column(self, row: int) -> int:
        """Where the cursor goes after a line is added: its first cell to fill, left to right (数量, 参数, 单价/金额), so
        that Tab goes on through the rest (a 评估项 began at its 金额, and Tab went on past its required 依据)."""
        fields = self.row(row).fields
        if fields is None:
            return COL_REMARKS
        if fields.quantity:
            return COL_QUANTITY
        if fields.params:
            return COL_PARAMS
        return COL_RATE if fields.rate_field else COL_REMARKS

    # --- Qt model interface ---------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.session.case.items)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        number = self._numbers.get(section)  # the settlement sheet's 序号 of this line
        return "—" if number is None else str(number)

    def flags(self, index):
        base = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.session.read_only:
            return base
        fields = self.row(index.row()).fields
        column = index.column()
        if fields is None:
            return base | (Qt.ItemFlag.ItemIsEditable if column == COL_REMARKS else Qt.ItemFlag.NoItemFlags)
        editable = (column == COL_QUANTITY and fields.quantity) or (column == COL_RATE and fields.rate_field) \
            or (column == COL_PARAMS and fields.params) or column == COL_REMARKS
        if editable:
            return base | Qt.ItemFlag.ItemIsEditable
        if column == COL_DISPUTED:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        info = self.row(index.row())
        column = index.column()
        field = self._cell_field(info, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(info, index.row(), column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(info, index.row(), column, field)
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == info.problem_column:
                return ERROR_BG
            if info.problem is not None:
                return ERROR_ROW_BG
            if column == COL_RATE and info.priced is not None and OVERRIDE in info.priced.flags:
                return OVERRIDE_BG
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(info, column)
        if role == Qt.ItemDataRole.FontRole:
            if column == COL_RATE and info.priced is not None and MIDPOINT in info.priced.flags:
                font = QFont()
                font.setItalic(True)
                return font
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (COL_QUANTITY, COL_RATE, COL_AMOUNT):
                return RIGHT
            if column in (COL_UNIT, COL_DISPUTED):
                return CENTER
            return None
        if role == Qt.ItemDataRole.CheckStateRole and column == COL_DISPUTED:
            return Qt.CheckState.Checked if info.raw.get("disputed") is True else Qt.CheckState.Unchecked
        if role == VALUE_ROLE:
            return self._value(info, column)
        if role == HINT_ROLE and column == COL_RATE:
            return self._rate_hint(info, index.row())
        if role == FIELD_ROLE:
            return field
        if role == PROBLEM_ROLE:
            if column == info.problem_column:
                return info.problem.shown
            return None
        if role == EDITOR_ROLE:
            return self._editor(info, index.row(), column, field)
        if role == Qt.ItemDataRole.EditRole:
            spec = self._editor(info, index.row(), column, field)
            return spec.text if spec else None
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row, column = index.row(), index.column()
        info = self.row(row)
        if role == Qt.ItemDataRole.CheckStateRole and column == COL_DISPUTED:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
            return self.session.edit({("items", row, "disputed"): True if checked else actions.ABSENT})
        if role not in (Qt.ItemDataRole.EditRole, LIVE_EDIT_ROLE):
            return False
        live = role == LIVE_EDIT_ROLE
        field = self._cell_field(info, column)
        if field is None or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        text = "" if value is None else str(value).strip()
        new = text if text else actions.ABSENT
        if field == "rate" or (column == COL_PARAMS and self._is_number_param(info, field)):
            problem = actions.reason_required(self.session.case, self.session.schedule, row, {field: new})
            if problem is not None:
                if not live:
                    self.session.end_live_edit()
                    self.reason_needed.emit(row, {field: new}, problem)
                return False
            if not live and actions.reason_no_longer_needed(self.session.case, self.session.schedule, row, {field: new}):
                # typed back within the standard: the reason goes with the same edit (one undo brings both back)
                return self.session.edit({("items", row, field): new, ("items", row, "override_reason"): actions.ABSENT})
        return self.session.edit({("items", row, field): new}, live=live)

    def end_edit(self) -> None:
        """An editor closed: its keystrokes are one undo step from now on."""
        self.session.end_live_edit()

    # --- cells -------------------------------------------------------------------------------------

    def _cell_field(self, info: Row, column: int) -> str | None:
        if column in COLUMN_FIELDS:
            return COLUMN_FIELDS[column]
        if info.fields is None:
            return None
        if column == COL_RATE:
            return info.fields.rate_field
        if column == COL_PARAMS and info.fields.params:
            return info.fields.params[0].name
        return None

    def _is_number_param(self, info: Row, name: str) -> bool:
        return any(p.name == name and not p.text for p in info.fields.params) if info.fields else False

    def _display(self, info: Row, row: int, column: int) -> str | None:
        raw, item, priced = info.raw, info.item, info.priced
        if column == COL_ITEM:
            return str(raw.get("item", "")) or "(缺少项目)"
        if column == COL_AMOUNT:
            return fmt_grouped(priced.amount) if priced is not None else "—"
        if item is None:
            return str(raw.get("note") or "") if column == COL_REMARKS and isinstance(raw.get("note"), str) else None
        if column == COL_QUANTITY:
            if priced is not None:
                return self._quantity_text(priced.line.quantity, item)
            given = raw.get("quantity")
            if given is None:
                return fmt_plain(item.quantity_default) if item.quantity_default is not None else ""
            return actions.decimal_text(given)
        if column == COL_UNIT:
            return item.unit
        if column == COL_PARAMS:
            return self._params_text(info)
        if column == COL_RATE:
            if priced is not None and info.fields.rate_field:
                return fmt_rate(priced.rate)
            return actions.decimal_text(raw.get(info.fields.rate_field)) if info.fields.rate_field else ""
        if column == COL_REMARKS:
            if priced is not None:
                return "；".join(line_remarks(priced))
            note = raw.get("note") or ""
            return f"未计入:{info.problem.zh}" + (f"；{note}" if note else "") if info.problem else note
        return None

    def _quantity_text(self, quantity: Decimal, item: Item) -> str:
        return fmt_plain(quantity) if counted(item.unit) else fmt_quantity(quantity)

    def _params_text(self, info: Row) -> str:
        parts = []
        for param in info.fields.params:
            value = info.raw.get(param.name)
            if value in (None, ""):
                if param.required:
                    parts.append(f"须填{self.session.schedule.params[param.name].label}")
                continue
            parts.append(self._param_text(param, value))
        return "；".join(parts)

    def _param_text(self, param, value) -> str:
        schedule = self.session.schedule
        label = schedule.params[param.name].label
        if param.text:
            return str(value) if param.choices else f"{label}:{value}"
        try:
            return schedule.describe(param.name, fmt_plain(to_decimal(value, param.name)))
        except CalculationError:
            return f"{label}{value}"

    def _rate_hint(self, info: Row, row: int) -> str:
        if info.priced is None or info.fields is None or info.fields.rate_field != "rate":
            return ""
        standard = self.standard(row)
        words = []
        if MIDPOINT in info.priced.flags:
            words.append("中值")  # (an override shows its standard here and is coloured; 备注 says 超标准)
        if standard is not None and (standard.is_range or OVERRIDE in info.priced.flags):
            words.append(f"{fmt_plain(standard.low)}–{fmt_plain(standard.high)}" if standard.is_range
                         else f"标准{fmt_plain(standard.low)}")
        return " ".join(words)

    def _value(self, info: Row, column: int) -> Decimal | None:
        priced = info.priced
        if priced is None:
            return None
        if column == COL_QUANTITY:
            return priced.line.quantity
        if column == COL_RATE:
            return priced.rate
        if column == COL_AMOUNT:
            return priced.amount
        return None

    def _foreground(self, info: Row, column: int):
        if info.problem is not None and column in (COL_AMOUNT, COL_REMARKS):
            return ERROR_FG
        if info.priced is not None and not info.priced.payable and column == COL_AMOUNT:
            return DISPUTED_FG
        if column == COL_QUANTITY and info.item is not None and info.raw.get("quantity") is None:
            return DEFAULT_FG
        if column == COL_PARAMS and info.fields is not None and any(
                p.required and info.raw.get(p.name) in (None, "") for p in info.fields.params):
            return ERROR_FG
        return None

    def _tooltip(self, info: Row, row: int, column: int, field: str | None) -> str | None:
        if column == info.problem_column:
            return f"{info.problem.zh}\n(此行未计入合计)"
        item = info.item
        if item is None:
            return None
        if column == COL_ITEM:
            text = f"{item.key}\n标准:{self._summary(item)}\n原文:{item.source}\n依据:{self.session.schedule.basis(item)}"
            return text + (f"\n解读:{item.reading_zh}" if item.reading_zh else "")
        if column == COL_RATE:
            text = f"标准:{self._summary(item)}"
            if info.priced is not None and MIDPOINT in info.priced.flags:   # a 歇厦's: its host's midpoint (it has none)
                text += ("\n依附房屋在本户无单价,按其区间中值计" if item.kind == share_of_host.KIND else "\n未填单价,按区间中值计")
            if info.priced is not None and OVERRIDE in info.priced.flags:
                text += f"\n超标准,理由:{info.priced.line.override_reason}"
            return text
        if column == COL_AMOUNT and info.priced is not None and not info.priced.payable:
            return "有争议,由凤城镇政府核实:列出金额但不计入合计"
        if column in (COL_PARAMS, COL_REMARKS):
            return self._display(info, row, column) or None
        if column == COL_DISPUTED:
            return "有争议的项目列出金额,但不计入应付合计(空格键切换)"
        return None

    def _summary(self, item: Item) -> str:
        return rate_summary(item, self.session.schedule)

    def _editor(self, info: Row, row: int, column: int, field: str | None) -> EditorSpec | None:
        item, raw = info.item, info.raw
        if field is None or column == COL_DISPUTED:
            return None
        if column == COL_REMARKS:
            return EditorSpec("text", str(raw.get("note") or ""), placeholder="备注(如:东西厢房)")
        if item is None:
            return None
        unit = item.unit
        if column == COL_QUANTITY:
            placeholder = fmt_plain(item.quantity_default) if item.quantity_default is not None else ""
            return EditorSpec("decimal", actions.decimal_text(raw.get("quantity")), unit, placeholder=placeholder)
        if column == COL_RATE:
            if field == "amount":
                return EditorSpec("decimal", actions.decimal_text(raw.get("amount")), "元", placeholder="评估金额")
            standard = self.standard(row)
            start = raw.get("rate")
            text = actions.decimal_text(start)
            suffix = f"元/{unit}"
            if standard is not None and standard.is_range:
                suffix = f"{fmt_plain(standard.low)}–{fmt_plain(standard.high)} {suffix}"
                if start is None:
                    text = fmt_plain(standard.midpoint)
            elif standard is not None and start is None:
                text = fmt_plain(standard.low)
            return EditorSpec("decimal", text, suffix)
        if column == COL_PARAMS:
            param = info.fields.params[0]
            current = raw.get(param.name)
            if param.name == "attached_to":
                on_case, others = actions.host_choices(self.session.case, self.session.schedule, row)
                choices = tuple(on_case + others)
                return EditorSpec("choice", str(current or (on_case[0] if on_case else "")), choices=choices,
                                  separator_at=len(on_case) if on_case and others else None, given=str(current or ""))
            if param.choices:
                return EditorSpec("choice", str(current or param.choices[0]), choices=param.choices,
                                  given=str(current or ""))
            label = self.session.schedule.params[param.name]
            if param.text:
                return EditorSpec("text", str(current or ""), placeholder=label.label)
            return EditorSpec("decimal", actions.decimal_text(current),
                              f"{label.label} {label.unit}".strip(), placeholder=label.label)
        return None


def _field_column(fields: actions.LineFields | None, field: str | None) -> int:
    """The column that shows a raw field of a line with `fields` (种类/规格 for the line as a whole)."""
    if field is None or fields is None:
        return COL_ITEM
    if field in (fields.rate_field, "rate", "override_reason"):  # an override's reason is asked for from 单价
        return COL_RATE
    if field in {p.name for p in fields.params}:
        return COL_PARAMS
    return {"quantity": COL_QUANTITY, "note": COL_REMARKS, "disputed": COL_DISPUTED}.get(field, COL_ITEM)


def _runs(rows: list[int]):
    """Consecutive stretches of sorted row numbers as (first, last) pairs."""
    start = previous = None
    for row in rows:
        if start is None:
            start = previous = row
        elif row == previous + 1:
            previous = row
        else:
            yield start, previous
            start = previous = row
    if start is not None:
        yield start, previous

