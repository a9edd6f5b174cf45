"""地价测算: price a parcel from the 五台 2022 benchmark tables, with corrections, undo and files.

The widget keeps one immutable `ParcelDraft`; every edit is an undo command that swaps the
draft, and every swap re-prices through `calculator.land_actions.price_draft` and renders the
figures of the priced parts and parcel (`calculator.landprice`). Nothing is computed here.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPushButton, QScrollArea, QSizePolicy, QSplitter, QStyledItemDelegate, QTableView,
    QVBoxLayout, QWidget,
)

from calculator import land_actions
from calculator.errors import CalculationError
from calculator.land_actions import M2, MU, ParcelDraft, PartDraft
from calculator.landprice import (
    COEFFICIENT_LABELS, FLOOR_BY_BENCHMARK, FLOOR_BY_COST, FORMULA_LINES, ParcelPrice, PartPrice)
from calculator.money import fmt_grouped, fmt_plain
from calculator.schedules import load_land_table
from tables.land import GradeRow, LandTable
from ui import settings as config
from ui.table_model import HeaderedTableModel
from ui.workspace import PDF_FILTER, XLSX_FILTER, DocumentWorkspace, Report

VALUE_ROLE = Qt.ItemDataRole.UserRole + 1  # the Decimal (or key) behind a displayed cell
HIGHLIGHT = QColor("#fff2a8")
WARN = QColor("#b00020")
PROBLEM_FILL = QColor("#fde7e9")
DEFAULT_TEXT = QColor("#777777")
NOTE_MARK = "※"
GRADE_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
FLOOR_TESTS = {FLOOR_BY_BENCHMARK: "基准地价70%", FLOOR_BY_COST: "成本之和"}
SUMMARY_COLUMNS = 4  # caption–value pairs a row: the summary fits a 1280-pixel window
BLANK_HINT = ("在「地块」表中为每一部分选择用途并填写面积(m² 或 亩),选好土地级别,即在此显示测算结果。"
              "需要修正时勾选「宗地修正」,填写土地还原率和各部分的使用年期。")


# ----------------------------------------------------------------------------- models


class PartsModel(HeaderedTableModel):
    """The parts being entered: 用途, 面积, 单位, 使用年期. Edits are handed to `on_edit`, never applied here.

    A part left out of the price has the field at fault marked, with the reason as its tooltip.
    """

    USE, AREA, UNIT, TERM = range(4)
    HEADERS = ("用途", "面积", "单位", "使用年期(年)")
    FIELDS = {land_actions.USE: USE, land_actions.AREA: AREA, land_actions.TERM: TERM}

    def __init__(self, on_edit: Callable[[int, int, str], None], statutory: Callable[[str], int | None], parent=None):
        super().__init__(parent)
        self._rows: tuple[PartDraft, ...] = ()
        self._problems: dict[tuple[int, int], str] = {}
        self._terms_on = False
        self._on_edit = on_edit
        self._statutory = statutory

    def set_rows(self, rows: tuple[PartDraft, ...], problems: tuple[land_actions.PartProblem, ...] = (),
                 terms_on: bool = False) -> None:
        """The parts, the problems to mark on them, and whether terms are in use (corrections on)."""
        self._problems = {(p.row, self.FIELDS[p.field]): p.error.zh for p in problems}
        self._terms_on = terms_on
        if len(rows) == len(self._rows):
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(self.HEADERS) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return f"第{section + 1}部分"

    def flags(self, index):
        flags = super().flags(index)
        if index.column() == self.TERM and not self._terms_on:
            return flags & ~Qt.ItemFlag.ItemIsEnabled
        return flags | Qt.ItemFlag.ItemIsEditable

    def _term_text(self, part: PartDraft) -> str:
        """The typed term, else the use's statutory maximum (the default)."""
        default = self._statutory(part.use)
        return part.term or ("" if default is None else str(default))

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        part = self._rows[index.row()]
        column = index.column()
        problem = self._problems.get((index.row(), column))
        if role == Qt.ItemDataRole.DisplayRole and column == self.TERM and not self._terms_on:
            return "—"
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return (part.use, part.shown(), part.unit, self._term_text(part))[column]
        if role == VALUE_ROLE and column == self.AREA:
            try:
                return land_actions.area_in(part.area_m2(), part.unit)
            except CalculationError:
                return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.AREA, self.TERM):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and problem:
            return QBrush(PROBLEM_FILL)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.TERM and not part.term:
            return QBrush(DEFAULT_TEXT)
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem or self._tip(part, column)
        return None

    def _tip(self, part: PartDraft, column: int) -> str | None:
        if column == self.UNIT:
            return "切换单位会换算面积(1 亩 = 10000/15 m²),保留精确值"
        if column == self.TERM and not self._terms_on:
            return "使用年期用于年期修正(K年期):启用「宗地修正」后填写"
        if column == self.TERM:
            return f"不填即按{part.use}法定最高年期 {self._statutory(part.use)} 年(K年期 = 1)"
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        if str(value) == self.data(index, Qt.ItemDataRole.EditRole):
            return True  # nothing changed, so no undo step
        self._on_edit(index.row(), index.column(), str(value))
        return True


class ComboDelegate(QStyledItemDelegate):
    """A combo box editor that commits as soon as a choice is made."""

    def __init__(self, choices: list[str], parent=None):
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent, option, index):
        combo = QComboBox(parent)
        combo.addItems(self.choices)
        combo.activated.connect(lambda _=0, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor, index):
        editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole))

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class ResultsModel(HeaderedTableModel):
    """Each priced part and the parcel total, as the engine worked them out; VALUE_ROLE holds the Decimal."""

    (PART, USE, AREA_M2, AREA_MU, UNIT, UNIT_WAN, TOTAL, TOTAL_WAN, RANGE_UNIT, RANGE_TOTAL,
     FLOOR, TERM, CORRECTED_UNIT, CORRECTED_TOTAL, NOTE) = range(15)
    HEADERS = ("部分", "用途", "面积\nm²", "面积\n亩", "基准地价\n元/m²", "基准地价\n万元/亩", "总价\n元",
               "总价\n万元", "级别区间单价\n元/m²", "级别区间总价\n元", "协议出让最低价\n(70%) 元",
               "使用年期\nK年期", "修正单价\n元/m²", "修正总价\n元", "说明")
    MONEY = {AREA_M2: "area_m2", UNIT: "unit_price", TOTAL: "total", FLOOR: "floor_total",
             CORRECTED_UNIT: "corrected_unit_price", CORRECTED_TOTAL: "corrected_total"}
    FOUR_PLACES = {AREA_MU: "area_mu", UNIT_WAN: "wan_per_mu", TOTAL_WAN: "total_wan"}

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[str, PartPrice | ParcelPrice]] = []

    def set_result(self, price: ParcelPrice | None, rows: tuple[int, ...] = ()) -> None:
        """The priced parts and the parcel; `rows` are the parts' rows in the parts table (some may be left out)."""
        self.beginResetModel()
        self._rows = [] if price is None else [
            *((f"第{row + 1}部分", part) for part, row in zip(price.parts, rows)), ("合计", price)]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def _cell(self, label: str, priced: PartPrice | ParcelPrice, column: int) -> tuple[str, Decimal | None]:
        """(shown text, the Decimal behind it)."""
        part = priced if isinstance(priced, PartPrice) else None
        if column in self.MONEY:
            value = getattr(priced, self.MONEY[column])
            return ("", None) if value is None else (fmt_grouped(value), value)
        if column in self.FOUR_PLACES:
            value = getattr(priced, self.FOUR_PLACES[column])
            return str(value), value
        if column == self.PART:
            return label, None
        if column == self.USE:
            return (part.given.use if part else ""), None
        if column == self.RANGE_UNIT:
            return (f"{fmt_grouped(part.row.lower.yuan_per_m2)} – {fmt_grouped(part.row.upper.yuan_per_m2)}"
                    if part else ""), None
        if column == self.RANGE_TOTAL:
            return f"{fmt_grouped(priced.lower_total)} – {fmt_grouped(priced.upper_total)}", None
        if column == self.TERM:
            k = part.correction if part else None
            return (f"{fmt_plain(k.term_years)}年 / {k.rounded_term_coefficient}" if k else ""), None
        notes = []
        if _out_of_range(priced):
            notes.append("修正单价超出级别区间")
        if part and part.row.discrepancy:
            notes.append(f"{NOTE_MARK} 公布幅度与价格不符")
        return ";".join(notes), None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        (label, priced), column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(label, priced, column)[0]
        if role == VALUE_ROLE:
            return self._cell(label, priced, column)[1]
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in (self.PART, self.USE, self.NOTE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and isinstance(priced, ParcelPrice):
            font = QFont()
            font.setBold(True)
            return font
        out = _out_of_range(priced)
        if role == Qt.ItemDataRole.ForegroundRole and out and column in (self.CORRECTED_UNIT, self.NOTE):
            return QBrush(WARN)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.NOTE:
            tips = []
            if out:
                tips.append("修正后单价超出本级别[下限, 上限]区间:允许,但须说明理由")
            if isinstance(priced, PartPrice) and priced.row.discrepancy:
                tips.append(priced.row.discrepancy)
            return "\n".join(tips) or None
        return None


def _out_of_range(priced: PartPrice | ParcelPrice) -> bool:
    """A part whose corrected unit price lies outside its grade's range."""
    return isinstance(priced, PartPrice) and priced.correction is not None and priced.correction.out_of_range


class MatrixModel(HeaderedTableModel):
    """表1: the benchmark of every grade and use, 元/m² and 万元/亩; the parcel's cells highlighted."""

    def __init__(self, table: LandTable, parent=None):
        super().__init__(parent)
        self.table = table
        self.uses = list(table.uses)
        self.grades = list(table.grades)
        self.selected: set[tuple[str, int]] = set()

    def set_selected(self, cells: set[tuple[str, int]]) -> None:
        self.selected = cells
        self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.grades)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 2 * len(self.uses)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Vertical:
            return GRADE_NAMES.get(self.grades[section], f"{self.grades[section]}级")
        use = self.uses[section // 2]
        if role == Qt.ItemDataRole.ToolTipRole:  # a narrow column elides the name
            return self.table.uses[use].table
        short = "公共管理与\n公共服务用地" if len(use) > 6 else use
        return f"{short}\n{'元/m²' if section % 2 == 0 else '万元/亩'}"

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        use, grade = self.uses[index.column() // 2], self.grades[index.row()]
        price = self.table.rows[(use, grade)].benchmark
        value = price.yuan_per_m2 if index.column() % 2 == 0 else price.wan_per_mu
        if role == Qt.ItemDataRole.DisplayRole:
            return str(value)
        if role == VALUE_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and (use, grade) in self.selected:
            return QBrush(HIGHLIGHT)
        if role == Qt.ItemDataRole.FontRole and (use, grade) in self.selected:
            font = QFont()
            font.setBold(True)
            return font
        return None


class RangeModel(HeaderedTableModel):
    """表2–5: upper limit, benchmark and lower limit per grade, with the published percentages.

    Shows one use (`set_use`) or, with `use=None`, all rows of all uses (the schedule browser).
    """

    USE, GRADE, UPPER, UPPER_WAN, UPPER_PCT, BENCH, BENCH_WAN, LOWER, LOWER_WAN, LOWER_PCT, NOTE = range(11)
    HEADERS = ("用途", "级别", "上限\n元/m²", "上限\n万元/亩", "上调幅度\n%", "基准地价\n元/m²",
               "基准地价\n万元/亩", "下限\n元/m²", "下限\n万元/亩", "下调幅度\n%", "说明")

    def __init__(self, table: LandTable, use: str | None = None, parent=None):
        super().__init__(parent)
        self.table = table
        self.highlight_grade: int | None = None
        self._rows: list[GradeRow] = []
        self.set_use(use)

    def set_use(self, use: str | None) -> None:
        self.beginResetModel()
        self._rows = [row for (u, _), row in sorted(self.table.rows.items(),
                                                    key=lambda kv: (list(self.table.uses).index(kv[0][0]), kv[0][1]))
                      if use is None or u == use]
        self.endResetModel()

    def set_highlight(self, grade: int | None) -> None:
        self.highlight_grade = grade
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def row_at(self, row: int) -> GradeRow:
        return self._rows[row]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def _value(self, row: GradeRow, column: int) -> tuple[str, Any]:
        values = {
            self.USE: (row.use, row.use), self.GRADE: (GRADE_NAMES.get(row.grade, str(row.grade)), row.grade),
            self.UPPER: (str(row.upper.yuan_per_m2), row.upper.yuan_per_m2),
            self.UPPER_WAN: (str(row.upper.wan_per_mu), row.upper.wan_per_mu),
            self.UPPER_PCT: (f"{row.upper.pct}", row.upper.pct),
            self.BENCH: (str(row.benchmark.yuan_per_m2), row.benchmark.yuan_per_m2),
            self.BENCH_WAN: (str(row.benchmark.wan_per_mu), row.benchmark.wan_per_mu),
            self.LOWER: (str(row.lower.yuan_per_m2), row.lower.yuan_per_m2),
            self.LOWER_WAN: (str(row.lower.wan_per_mu), row.lower.wan_per_mu),
            self.LOWER_PCT: (f"{row.lower.pct}", row.lower.pct),
            self.NOTE: (f"{NOTE_MARK} 公布幅度与价格不符" if row.discrepancy else "", row.discrepancy),
        }
        text, value = values[column]
        if row.discrepancy and column in (self.UPPER_PCT, self.LOWER_PCT):
            text = f"{text} {NOTE_MARK}"
        return text, value

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._value(row, column)[0]
        if role == VALUE_ROLE:
            return self._value(row, column)[1]
        if role == Qt.ItemDataRole.ToolTipRole and row.discrepancy:
            return f"公布的上调/下调幅度与价格不符: {row.discrepancy}"
        if role == Qt.ItemDataRole.ForegroundRole and row.discrepancy and column in (
                self.UPPER_PCT, self.LOWER_PCT, self.NOTE):
            return QBrush(WARN)
        if role == Qt.ItemDataRole.BackgroundRole and row.grade == self.highlight_grade:
            return QBrush(HIGHLIGHT)
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in (self.USE, self.GRADE, self.NOTE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


# ----------------------------------------------------------------------------- undo


class DraftCommand(QUndoCommand):
    """Swap the workspace's draft; consecutive typing in one field merges into one step."""

    def __init__(self, workspace: "LandWorkspace", old: ParcelDraft, new: ParcelDraft, text: str, merge_key: str = ""):
        super().__init__(text)
        self.workspace, self.old, self.new, self.merge_key = workspace, old, new, merge_key

    def id(self) -> int:
        return 1 if self.merge_key else -1

    def mergeWith(self, other) -> bool:
        if not isinstance(other, DraftCommand) or other.merge_key != self.merge_key:
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        self.workspace._show_draft(self.new)

    def undo(self) -> None:
        self.workspace._show_draft(self.old)


# ----------------------------------------------------------------------------- widget


def _wrapping(text: str = "") -> QLabel:
    """A label that wraps its lines instead of widening the page."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def _scrolling(*boxes: QWidget) -> QScrollArea:
    """`boxes` stacked in a pane that scrolls when the window is smaller than they would like."""
    content = QWidget()
    layout = QVBoxLayout(content)
    layout.setContentsMargins(0, 0, 0, 0)
    for box in boxes:
        layout.addWidget(box)
    layout.addStretch(1)
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return area


def _in_chinese(error: CalculationError) -> str:
    """The Chinese half of an error, or of each of several: the screen names fields by their labels."""
    return "\n".join(e.zh for e in getattr(error, "errors", [error]))


def _table_view(model, stretch_last: bool = False) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setDefaultSectionSize(24)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
    view.horizontalHeader().setStretchLastSection(stretch_last)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    return view


class LandWorkspace(DocumentWorkspace):
    """地价测算: grade, parts, results, Table 1, the use's range table and corrections."""

    title = "地价测算"
    file_filter = "宗地地价测算 (*.json);;所有文件 (*)"
    document_kind = "parcel"
    open_title = "打开宗地文件"
    save_title = "保存宗地文件"
    reports = {"pdf": Report("parcel_pdf", PDF_FILTER, ".pdf", "导出地价测算表(PDF)"),
               "xlsx": Report("parcel_xlsx", XLSX_FILTER, ".xlsx", "导出地价测算表(Excel)")}
    priced = Signal()  # emitted after every re-pricing (valid or not)

    def __init__(self, settings: config.Settings, table: LandTable | None = None, parent=None):
        super().__init__(settings, parent)
        self.table = table or load_land_table()
        self.stack = QUndoStack(self)
        self.stack.cleanChanged.connect(self.title_changed)
        self.path: Path | None = None
        self.draft = ParcelDraft()
        self.price: ParcelPrice | None = None
        self.error: CalculationError | None = None
        self.priced_draft = land_actions.DraftPrice()
        self._syncing = False
        self._build()
        self._show_draft(self.draft)

    # ---------------------------------------------------------------- building

    def _build(self) -> None:
        """Inputs | reference tables above, results below; each pane scrolls rather than demand room.

        The page must fit 1280×620 (a 1920×1080 screen at 150%, less the window's bars): the panes
        sit in splitters and scroll areas, and long lines wrap, so no child sets the window's minimum.
        """
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel { background: #fde7e9; color: #8a0010; border: 1px solid #e5a0a8;"
                                  " padding: 6px; }")
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()

        sides = QSplitter(Qt.Orientation.Horizontal)
        sides.addWidget(_scrolling(self._build_inputs(), self._build_corrections()))
        sides.addWidget(_scrolling(self._build_matrix(), self._build_range()))
        sides.setStretchFactor(0, 5)
        sides.setStretchFactor(1, 4)
        sides.setChildrenCollapsible(False)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(sides)
        splitter.addWidget(_scrolling(self._build_results()))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([560, 340])
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

    def _build_inputs(self) -> QGroupBox:
        box = QGroupBox("地块")
        grid = QGridLayout(box)
        self.grade_combo = QComboBox()
        for grade in self.table.grades:
            self.grade_combo.addItem(f"{GRADE_NAMES.get(grade, grade)}({grade}级)", grade)
        self.grade_combo.currentIndexChanged.connect(self._grade_chosen)
        self.reference_edit = QLineEdit()
        self.reference_edit.setPlaceholderText("地块编号")
        self.reference_edit.textEdited.connect(lambda t: self._edit_field("reference", t, "编号"))
        self.location_edit = QLineEdit()
        self.location_edit.setPlaceholderText("坐落")
        self.location_edit.textEdited.connect(lambda t: self._edit_field("location", t, "坐落"))
        self.cost_floor_edit = QLineEdit()
        self.cost_floor_edit.setPlaceholderText("可选:新增建设用地有偿使用费+征地补偿费+税费")
        self.cost_floor_edit.textEdited.connect(lambda t: self._edit_field("cost_floor_total", t, "成本之和"))
        grid.addWidget(QLabel("土地级别"), 0, 0)
        grid.addWidget(self.grade_combo, 0, 1)
        grid.addWidget(QLabel("地块编号"), 0, 2)
        grid.addWidget(self.reference_edit, 0, 3)
        grid.addWidget(QLabel("坐落"), 1, 0)
        grid.addWidget(self.location_edit, 1, 1, 1, 3)

        self.parts_model = PartsModel(self._part_edited, self._statutory_years, self)
        self.parts_view = _table_view(self.parts_model)
        self.parts_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.parts_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.parts_view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.parts_view.setItemDelegateForColumn(PartsModel.USE, ComboDelegate(list(self.table.uses), self))
        self.parts_view.setItemDelegateForColumn(PartsModel.UNIT, ComboDelegate([M2, MU], self))
        header = self.parts_view.horizontalHeader()
        header.setSectionResizeMode(PartsModel.USE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(PartsModel.AREA, 110)
        header.resizeSection(PartsModel.UNIT, 56)
        header.resizeSection(PartsModel.TERM, 96)
        self.parts_view.setMinimumHeight(84)
        self.parts_view.setMaximumHeight(130)
        self.parts_view.selectionModel().currentChanged.connect(self._part_selected)
        self.add_button = QPushButton("添加部分")
        self.add_button.clicked.connect(self.add_part)
        self.remove_button = QPushButton("删除部分")
        self.remove_button.clicked.connect(lambda: self.remove_part(self.parts_view.currentIndex().row()))
        buttons = QHBoxLayout()
        buttons.addWidget(_wrapping("混合用途的地块可分为多个部分,各按本用途计价后相加。"), 1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        grid.addWidget(self.parts_view, 2, 0, 1, 4)
        grid.addLayout(buttons, 3, 0, 1, 4)
        grid.addWidget(QLabel("成本之和(元)"), 4, 0)
        grid.addWidget(self.cost_floor_edit, 4, 1, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        return box

    def _build_corrections(self) -> QGroupBox:
        box = QGroupBox("宗地修正(基准地价系数修正法)")
        box.setCheckable(True)
        box.setChecked(False)
        box.toggled.connect(self._corrections_toggled)
        self.corrections_box = box
        grid = QGridLayout(box)
        grid.addWidget(QLabel("系数"), 0, 0)
        grid.addWidget(QLabel("取值"), 0, 1)
        grid.addWidget(QLabel("依据"), 0, 2)
        self.correction_edits: dict[str, QLineEdit] = {}
        self.basis_edits: dict[str, QLineEdit] = {}
        for row, (name, label) in enumerate(COEFFICIENT_LABELS.items(), start=1):
            basis = QLineEdit()
            basis.setPlaceholderText("修正依据")
            basis.textEdited.connect(lambda t, n=name: self._edit_basis(n, t))
            self.basis_edits[name] = basis
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(self._correction_value(name), row, 1)
            grid.addWidget(basis, row, 2)
        self.correction_edits["reduction_rate"].setPlaceholderText("如 0.06")
        self.statutory_label = _wrapping()
        self.formula_label = _wrapping()
        self.coefficient_label = _wrapping()
        self.coefficient_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.out_of_range_label = _wrapping()
        self.out_of_range_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.out_of_range_label.hide()
        n = len(COEFFICIENT_LABELS) + 1
        grid.addWidget(self.statutory_label, n, 0, 1, 3)
        grid.addWidget(self.formula_label, n + 1, 0, 1, 3)
        grid.addWidget(self.coefficient_label, n + 2, 0, 1, 3)
        grid.addWidget(self.out_of_range_label, n + 3, 0, 1, 3)
        grid.setColumnStretch(2, 1)
        return box

    def _correction_value(self, name: str) -> QWidget:
        """The value's editor; the term has none here: each part gives its own in the parts table."""
        if name == land_actions.TERM:
            label = QLabel("见上表各部分")
            label.setToolTip("每一部分在「地块」表的「使用年期」列填写;不填即按该用途法定最高年期")
            return label
        edit = QLineEdit()
        edit.setMaximumWidth(110)
        edit.textEdited.connect(lambda t, n=name: self._edit_correction(n, t))
        self.correction_edits[name] = edit
        return edit

    def _build_matrix(self) -> QGroupBox:
        box = QGroupBox(f"表1 {self.table.title}")
        box.setToolTip(f"估价基准日 {self.table.valuation_date:%Y-%m-%d},{self.table.document}")
        self.matrix_model = MatrixModel(self.table, self)
        self.matrix_view = _table_view(self.matrix_model)
        self.matrix_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matrix_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.matrix_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix_view.setMinimumHeight(170)
        layout = QVBoxLayout(box)
        layout.addWidget(self.matrix_view)
        layout.addWidget(_wrapping(f"估价基准日 {self.table.valuation_date:%Y-%m-%d},{self.table.document}"))
        return box

    def _build_range(self) -> QGroupBox:
        box = QGroupBox("基准地价区间表")
        self.range_box = box
        self.range_use_combo = QComboBox()
        self.range_use_combo.addItems(list(self.table.uses))
        self.range_use_combo.currentTextChanged.connect(self._range_use_chosen)
        self.range_model = RangeModel(self.table, self.range_use_combo.currentText(), self)
        self.range_view = _table_view(self.range_model)
        self.range_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.range_view.setColumnHidden(RangeModel.USE, True)
        self.range_view.setColumnHidden(RangeModel.NOTE, True)
        self.range_view.verticalHeader().hide()
        self.range_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.range_view.setMinimumHeight(130)
        self.range_view.setMaximumHeight(150)
        self.range_note = _wrapping()
        self.range_note.setStyleSheet("color: #b00020;")
        row = QHBoxLayout()
        row.addWidget(QLabel("用途"))
        row.addWidget(self.range_use_combo, 1)
        self.range_title = _wrapping()
        row.addWidget(self.range_title, 2)
        layout = QVBoxLayout(box)
        layout.addLayout(row)
        layout.addWidget(self.range_view, 1)
        layout.addWidget(self.range_note)
        self._range_use_chosen(self.range_use_combo.currentText())
        return box

    def _build_results(self) -> QGroupBox:
        box = QGroupBox("测算结果")
        self.results_model = ResultsModel(self)
        self.results_view = _table_view(self.results_model, stretch_last=True)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.verticalHeader().hide()
        self.results_view.horizontalHeader().setMinimumHeight(44)
        self.results_view.setMinimumHeight(110)
        self.hint_label = _wrapping(BLANK_HINT)
        self.hint_label.setStyleSheet("color: #555; padding: 4px;")
        self.left_out_label = _wrapping()
        self.left_out_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.summary: dict[str, QLabel] = {}
        grid = QGridLayout()
        captions = [("area", "总面积"), ("unit_price", "平均单价(元/m²)"), ("unit_price_wan", "平均单价(万元/亩)"),
                    ("total", "总价(元)"), ("total_wan", "总价(万元)"), ("range_total", "级别区间总价(元)"),
                    ("floor", "协议出让最低价(元)"), ("floor_governed_by", "最低价依据"),
                    ("corrected_unit_price", "修正单价(元/m²)"), ("corrected_total", "修正总价(元)")]
        for i, (key, caption) in enumerate(captions):
            label = QLabel("—")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            if key in ("total", "corrected_total"):
                label.setStyleSheet("font-weight: bold; font-size: 15px;")
            self.summary[key] = label
            grid.addWidget(QLabel(caption + ":"), i // SUMMARY_COLUMNS, 2 * (i % SUMMARY_COLUMNS))
            grid.addWidget(label, i // SUMMARY_COLUMNS, 2 * (i % SUMMARY_COLUMNS) + 1)
        self.floor_basis_label = _wrapping(f"最低价依据: {self.table.floor_basis}")
        self.floor_basis_label.setStyleSheet("color: #555;")
        layout = QVBoxLayout(box)
        layout.addWidget(self.hint_label)
        layout.addLayout(grid)
        layout.addWidget(self.left_out_label)
        layout.addWidget(self.results_view, 1)
        layout.addWidget(self.floor_basis_label)
        return box

    # ---------------------------------------------------------------- edits (each an undo step)

    def _push(self, new: ParcelDraft, text: str, merge_key: str = "") -> None:
        if new != self.draft:
            self.stack.push(DraftCommand(self, self.draft, new, text, merge_key))

    def set_grade(self, grade: int) -> None:
        """Choose the parcel's grade (an undo step)."""
        self._push(replace(self.draft, grade=grade), f"级别改为{grade}级")

    def _grade_chosen(self, index: int) -> None:
        if not self._syncing and index >= 0:
            self.set_grade(self.grade_combo.itemData(index))

    def add_part(self) -> None:
        """Append a part (the last part's use, no area yet)."""
        use = self.draft.parts[-1].use if self.draft.parts else next(iter(self.table.uses))
        self._push(replace(self.draft, parts=(*self.draft.parts, PartDraft(use, "", M2))), "添加部分")

    def remove_part(self, row: int) -> None:
        """Remove part `row` (the last one stays: a parcel has at least one part)."""
        parts = self.draft.parts
        if len(parts) <= 1 or not 0 <= row < len(parts):
            return
        self._push(replace(self.draft, parts=parts[:row] + parts[row + 1:]), f"删除第{row + 1}部分")

    def _part_edited(self, row: int, column: int, value: str) -> None:
        part = self.draft.parts[row]
        if column == PartsModel.USE:
            new, text = replace(part, use=value), "改用途"
        elif column == PartsModel.AREA:
            new, text = land_actions.set_area_text(part, value), "改面积"
        elif column == PartsModel.TERM:
            new, text = replace(part, term=value.strip()), "改使用年期"
        else:
            new, text = land_actions.switch_unit(part, value), f"面积换算为{value}"
        parts = self.draft.parts[:row] + (new,) + self.draft.parts[row + 1:]
        self._push(replace(self.draft, parts=parts), f"第{row + 1}部分{text}")

    def _edit_field(self, name: str, text: str, label: str) -> None:
        self._push(replace(self.draft, **{name: text}), f"改{label}", merge_key=name)

    def _corrections_toggled(self, on: bool) -> None:
        if self._syncing:
            return
        corrections = dict(land_actions.CORRECTION_DEFAULTS) if on else None
        if on:
            corrections.update({n: e.text() for n, e in self.correction_edits.items() if e.text()})
        self._push(replace(self.draft, corrections=corrections), "启用修正" if on else "取消修正")

    def _edit_correction(self, name: str, text: str) -> None:
        corrections = dict(self.draft.corrections or land_actions.CORRECTION_DEFAULTS)
        corrections[name] = text
        self._push(replace(self.draft, corrections=corrections), f"改{COEFFICIENT_LABELS[name]}",
                   merge_key=f"c.{name}")

    def _edit_basis(self, name: str, text: str) -> None:
        self._push(replace(self.draft, bases={**self.draft.bases, name: text}), "改修正依据", merge_key=f"b.{name}")

    def set_corrections(self, **values: str) -> None:
        """Enable corrections with these values (strings), as one undo step; for scripts and tests."""
        corrections = dict(self.draft.corrections or land_actions.CORRECTION_DEFAULTS)
        corrections.update({k: str(v) for k, v in values.items()})
        self._push(replace(self.draft, corrections=corrections), "修正系数")

    # ---------------------------------------------------------------- rendering

    def _show_draft(self, draft: ParcelDraft) -> None:
        """Make `draft` current: sync the inputs, re-price, render."""
        self.draft = draft
        self._syncing = True
        try:
            self.grade_combo.setCurrentIndex(self.grade_combo.findData(draft.grade))
            for edit, text in ((self.reference_edit, draft.reference), (self.location_edit, draft.location),
                               (self.cost_floor_edit, draft.cost_floor_total)):
                if edit.text() != text:
                    edit.setText(text)
            self.corrections_box.setChecked(draft.corrections is not None)
            for name, edit in self.correction_edits.items():
                text = (draft.corrections or {}).get(name, "")
                if draft.corrections is not None and edit.text() != text:
                    edit.setText(text)
                basis = draft.bases.get(name, "")
                if self.basis_edits[name].text() != basis:
                    self.basis_edits[name].setText(basis)
        finally:
            self._syncing = False
        self._reprice()

    def _reprice(self) -> None:
        self.priced_draft = land_actions.price_draft(self.draft)
        self.price, self.error = self.priced_draft.price, self.priced_draft.error
        self._render()
        self.priced.emit()

    def _render(self) -> None:
        price, priced = self.price, self.priced_draft
        self.banner.setVisible(self.error is not None)
        if self.error is not None:
            self.banner.setText("无法测算:" + _in_chinese(self.error))
        self.parts_model.set_rows(self.draft.parts, priced.left_out, self.draft.corrections is not None)
        self.hint_label.setVisible(priced.blank)
        self.left_out_label.setVisible(bool(priced.left_out))
        self.left_out_label.setText("\n".join(problem.note for problem in priced.left_out))
        self.results_model.set_result(price, priced.rows)
        self._fit_results()
        self.matrix_model.set_selected({(p.use, self.draft.grade) for p in self.draft.parts})
        self.range_model.set_highlight(self.draft.grade)
        uses = dict.fromkeys(p.use for p in self.draft.parts if p.use in self.table.uses)
        self.statutory_label.setText("法定最高年期 n(" + self.table.tenure_basis + "): " + "; ".join(
            f"{u} {self.table.uses[u].statutory_term_years}年" for u in uses))
        for key, label in self.summary.items():
            label.setText(self._summary_text(key, price))
        self._render_corrections(price)

    def _summary_text(self, key: str, price: ParcelPrice | None) -> str:
        if price is None:
            return "—"
        if key == "area":
            return f"{fmt_grouped(price.area_m2)} m² / {price.area_mu} 亩"
        if key == "unit_price":
            return fmt_grouped(price.unit_price)
        if key == "unit_price_wan":
            return str(price.wan_per_mu)
        if key == "total":
            return fmt_grouped(price.total)
        if key == "total_wan":
            return str(price.total_wan)
        if key == "range_total":
            return f"{fmt_grouped(price.lower_total)} – {fmt_grouped(price.upper_total)}"
        if key == "floor":
            return fmt_grouped(price.floor_total)
        if key == "floor_governed_by":
            text = FLOOR_TESTS[price.floor_governed_by]
            if price.parcel.cost_floor_total is not None:
                text += (f"(70%: {fmt_grouped(price.benchmark_floor_total)};"
                         f" 成本之和: {fmt_grouped(price.parcel.cost_floor_total)})")
            return text
        if key in ("corrected_unit_price", "corrected_total"):
            value = getattr(price, key)
            return "—" if value is None else fmt_grouped(value)
        return "—"

    def _render_corrections(self, price: ParcelPrice | None) -> None:
        on = self.draft.corrections is not None
        if not on or price is None or price.parcel.corrections is None:
            self.formula_label.setText(f"公式: {self.table.correction_method}" if on else "")
            self.coefficient_label.setText("")
            self.out_of_range_label.hide()
            return
        c = price.parcel.corrections
        self.formula_label.setText("\n".join(FORMULA_LINES))
        lines = []
        for part in price.parts:
            k = part.correction
            rate = "" if c.reduction_rate is None else f", r={c.reduction_rate}"
            term = (f"K年期 = {k.rounded_term_coefficient}(m={fmt_plain(k.term_years)}年,"
                    f" n={k.statutory_term_years}年{rate})")
            lines.append(f"{part.given.use}: {fmt_grouped(part.unit_price)} × K期日 {c.date_factor} × {term}"
                         f" × (1 + {c.factor_pct}%) × K其他 {c.other_factor} + {c.rounded_development_adjustment}"
                         f" = {fmt_grouped(k.unit_price)} 元/m²")
        self.coefficient_label.setText("\n".join(lines))
        outside = [p for p in price.parts if _out_of_range(p)]
        self.out_of_range_label.setVisible(bool(outside))
        self.out_of_range_label.setText("\n".join(
            f"{NOTE_MARK} {p.given.use} 修正单价 {fmt_grouped(p.correction.unit_price)} 元/m² 超出{price.parcel.grade}级区间"
            f" [{fmt_grouped(p.row.lower.yuan_per_m2)}, {fmt_grouped(p.row.upper.yuan_per_m2)}]:允许,但须在报告中说明理由"
            for p in outside))

    def _fit_results(self) -> None:
        view = self.results_view
        view.resizeColumnsToContents()
        for column in range(ResultsModel.NOTE):
            view.setColumnWidth(column, max(view.columnWidth(column), 72))

    def _statutory_years(self, use: str) -> int | None:
        """The statutory maximum term of `use` (the default 使用年期), None for an unknown use."""
        return self.table.uses[use].statutory_term_years if use in self.table.uses else None

    def _part_selected(self, current: QModelIndex, _previous=None) -> None:
        if current.isValid() and current.row() < len(self.draft.parts):
            self.range_use_combo.setCurrentText(self.draft.parts[current.row()].use)

    def _range_use_chosen(self, use: str) -> None:
        if use not in self.table.uses:
            return
        self.range_model.set_use(use)
        self.range_title.setText(self.table.uses[use].table)
        notes = [f"{NOTE_MARK} {r.grade}级: 公布的幅度与价格不符 — {r.discrepancy}"
                 for r in self.table.rows.values() if r.use == use and r.discrepancy]
        self.range_note.setText("\n".join(notes))
        self.range_note.setVisible(bool(notes))

    # ---------------------------------------------------------------- the document (DocumentWorkspace hooks)

    def undo_stack(self):
        return self.stack

    def focus_search(self) -> None:
        """Ctrl+F: to the parts table (use and area), where pricing starts."""
        if not self.parts_view.currentIndex().isValid() and self.parts_model.rowCount():
            self.parts_view.setCurrentIndex(self.parts_model.index(0, PartsModel.AREA))
        self.parts_view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def load_parcel(self, data: dict[str, Any]) -> None:
        """Show a parcel file object (checked by the engine; bad input raises CalculationError)."""
        self._show_loaded(land_actions.draft_from_dict(data))

    def parcel_dict(self) -> dict[str, Any]:
        """The parcel file object for what is on screen (numbers as strings)."""
        return land_actions.parcel_dict(self.draft)

    def _show_loaded(self, draft: ParcelDraft) -> None:
        self.stack.clear()
        self._show_draft(draft)
        if draft.parts:
            self.range_use_combo.setCurrentText(draft.parts[0].use)

    def document_path(self) -> Path | None:
        return self.path

    def is_modified(self) -> bool:
        return not self.stack.isClean()

    def new_document(self) -> None:
        self._show_loaded(ParcelDraft())
        self.path = None
        self.title_changed.emit()

    def read_document(self, path: Path) -> None:
        """Read a parcel file; an unreadable or invalid file raises CalculationError and changes nothing."""
        self._show_loaded(land_actions.open_parcel(path))
        self.path = path
        self.title_changed.emit()

    def write_document(self, path: Path) -> None:
        """Write the parcel file atomically."""
        land_actions.save_parcel(self.draft, path)
        self.path = path
        self.stack.setClean()
        self.title_changed.emit()

    def report_subject(self, kind: str) -> ParcelPrice:
        return self.priced_draft.whole()

    def suggested_stem(self) -> str:
        uses = "、".join(dict.fromkeys(part.use for part in self.draft.parts))
        return f"{GRADE_NAMES.get(self.draft.grade, '')}{uses}-地价测算"
