"""表2–5 of the 五台 land price tables: each grade's range, as the land tab and the schedule browser show it.

Shared by 地价测算 (one use, the parcel's grade highlighted) and 标准查阅 (every row), so that
neither tab depends on the other.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from tables.land import GradeRow, LandTable
from ui.table_model import VALUE_ROLE, HeaderedTableModel

HIGHLIGHT = QColor("#fff2a8")
WARN = QColor("#b00020")
NOTE_MARK = "※"
GRADE_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
# 表1's columns are narrow (eight side by side at 1366×768): a use longer than the others by its common short name,
# spelled out under the table (ui.land.models.short_use_legend), and found by it in 标准查阅.
SHORT_USES = {"公共管理与公共服务用地": "公服用地"}


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
