"""The land tab's table models: the parts being entered, the priced results and 表1 (表2–5: ui.land_ranges).

DisplayRole shows formatted text and VALUE_ROLE carries the Decimal (or key) behind it; the
figures are the priced parts' and parcel's own (`calculator.engine.landprice`), never worked out here.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from calculator.app import land_actions
from calculator.core.errors import CalculationError
from calculator.app.land_actions import PartDraft
from calculator.engine.landprice import ParcelPrice, PartPrice
from calculator.core.money import fmt_grouped, fmt_plain
from tables.land import LandTable
from ui.land_ranges import GRADE_NAMES, HIGHLIGHT, NOTE_MARK, SHORT_USES, WARN
from ui.table_model import VALUE_ROLE, HeaderedTableModel

PROBLEM_FILL = QColor("#fde7e9")
DEFAULT_TEXT = QColor("#777777")


class PartsModel(HeaderedTableModel):
    """The parts being entered: 用途, 单位, 面积, 使用年期. Edits are handed to `on_edit`, never applied here.

    单位 comes before 面积: a unit chosen after the area converts it (700 m² is 1.05 亩), and typed in the order the
    columns stood (面积 first) 1.05 then 亩 gave 0.0016 亩. A part left out of the price has the field at fault marked,
    with the reason as its tooltip.
    """

    USE, UNIT, AREA, TERM = range(4)
    HEADERS = ("用途", "单位", "面积", "使用年期(年)")
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
            return (part.use, part.unit, part.shown(), self._term_text(part))[column]
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
        if column == self.FLOOR and part is None:
            # the (70%) column's 合计 is the parts' 70% floors: the parcel's floor_total is the 成本之和 when it
            # governs, shown there under the 70% heading (900,000.00 above rows adding to 599,132.07)
            return fmt_grouped(priced.benchmark_floor_total), priced.benchmark_floor_total
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
        if out_of_range(priced):
            notes.append(f"修正单价{priced.range_remark}")
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
        out = out_of_range(priced)
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


def out_of_range(priced: PartPrice | ParcelPrice) -> bool:
    """A part whose corrected unit price lies outside its grade's range."""
    return isinstance(priced, PartPrice) and priced.correction is not None and priced.correction.out_of_range


def short_use_legend(uses) -> str:
    """What 表1's short use names stand for: 公服用地 = 公共管理与公共服务用地."""
    return ";".join(f"{SHORT_USES[use]} = {use}" for use in uses if use in SHORT_USES)


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
        return f"{SHORT_USES.get(use, use)}\n{'元/m²' if section % 2 == 0 else '万元/亩'}"

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
