"""The 台账 table: the project's households, loaded a page at a time, and the totals row beneath.

`LedgerModel` knows nothing of storage: it is given a fetch function (query, offset, limit →
rows) and a count function (query → number of rows), and asks them again when the filter or
the sort order changes. DisplayRole shows formatted text, VALUE_ROLE carries the Decimal (or
the Status), HOUSEHOLD_ROLE the household id. A household without a computed version shows
blanks, not 0.00. A row read before its project's check finished is grey (正在核验).

Each page the view asks for while it is scrolled on is eight times the one before (up to
MAX_PAGE): every page costs a repaint of the table (~20 ms, as much as reading 2,000 rows), so
scrolling to the end of 5,000 households takes three pages, not twenty-five, while the first
paint still waits for one small page and no page keeps the window busy for long.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from calculator.core.errors import CalculationError
from calculator.core.labels import short_time
from calculator.app.ledger_actions import PAGE_SIZE, SORT_KEYS, LedgerQuery, area_text, money_text
from calculator.store import LedgerRow, LedgerTotals, Status
from ui.table_model import VALUE_ROLE, HeaderedTableModel

(COL_NUMBER, COL_HEAD, COL_ADDRESS, COL_AREA, COL_TOTAL, COL_INCENTIVE, COL_REPLACEMENT, COL_STATUS,
 COL_ASSESSOR, COL_UPDATED) = range(10)
HEADERS = ("户号", "户主", "地址", "建筑面积(m²)", "补偿金额(元)", "奖励(元)", "置换面积(m²)", "状态", "评估人",
           "最后修改")
NUMBER_COLUMNS = (COL_AREA, COL_TOTAL, COL_INCENTIVE, COL_REPLACEMENT)
AREA_COLUMNS = (COL_AREA, COL_REPLACEMENT)

HOUSEHOLD_ROLE = Qt.ItemDataRole.UserRole + 2  # the household id of the row

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
ALIGNMENTS = tuple(RIGHT if column in NUMBER_COLUMNS else LEFT for column in range(len(HEADERS)))
DISPLAY, ALIGNMENT = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole
FOREGROUND, TOOLTIP = Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
STATUS_FG = {Status.DRAFT: QBrush(QColor("#8a8a8a")), Status.SIGNED: QBrush(QColor("#1b6e2a")),
             Status.PAID: QBrush(QColor("#1f4e9c")), Status.ABNORMAL: QBrush(QColor("#b00020"))}
ABNORMAL_BG = QBrush(QColor("#fde2e2"))  # the whole row of a 数据异常 household
UNCHECKED_FG = QBrush(QColor("#9a9a9a"))  # the whole row while its project is being checked
UNCHECKED_TIP = "正在核验此户保存的数据(变更记录、校验值);核验完成前不计入合计。"
PAGE_GROWTH = 8  # each page scrolling asks for, over the one before
MAX_PAGE = 5000  # rows: the largest page the view's scrolling asks for (about 0.1 s to read)

Fetch = Callable[[LedgerQuery, int, int], list[LedgerRow]]
Count = Callable[[LedgerQuery], int]


def _value(row: LedgerRow, column: int):
    return (row.number, row.head, row.address, row.building_area_m2, row.total, row.incentive, row.replacement_m2,
            row.status, row.assessor, row.updated_at)[column]


class LedgerModel(HeaderedTableModel):
    """Ledger rows of the current query, fetched page by page as the view scrolls."""

    HEADERS = HEADERS
    failed = Signal(str)  # a page could not be read (the message); the view calls fetchMore and sort itself

    def __init__(self, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self.page_size = page_size
        self._next_page = page_size  # the size of the next page scrolling asks for
        self._fetch: Fetch | None = None
        self._count: Count | None = None
        self._query = LedgerQuery()
        self._rows: list[LedgerRow] = []
        self._texts: list[tuple[str, ...] | None] = []  # formatted on first paint of a row
        self._total = 0
        self.load_failed = False  # the last reload could not read the store (shown empty)

    # --- source and query ----------------------------------------------------------------------

    @property
    def query(self) -> LedgerQuery:
        return self._query

    def set_source(self, fetch: Fetch | None, count: Count | None) -> None:
        """Show another project (None, None: nothing), from its first page."""
        self._fetch, self._count = fetch, count
        self._reload(self.page_size)

    def set_filter(self, status: Status | None, text: str) -> None:
        """Filter by status (None: every status) and by text in 户号/户主/地址; back to the first page."""
        query = replace(self._query, status=status, text=text.strip())
        if query != self._query:
            self._query = query
            self._reload(self.page_size)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Ask the store for the rows in this column's order (the view calls this on a header click)."""
        if not 0 <= column < len(SORT_KEYS):
            return
        query = replace(self._query, sort=SORT_KEYS[column], descending=order == Qt.SortOrder.DescendingOrder)
        if query != self._query:
            self._query = query
            self._reload(self.page_size)

    def refresh(self) -> None:
        """Read the rows again after a change (as many as were loaded, so the view keeps its place)."""
        self._reload(max(self.page_size, len(self._rows)))

    def _reload(self, wanted: int) -> None:
        rows, total, self.load_failed = [], 0, False
        if self._fetch is not None and self._count is not None:
            try:
                total = self._count(self._query)
                rows = self._fetch(self._query, 0, min(wanted, total)) if total else []
            except CalculationError as error:
                rows, total, self.load_failed = [], 0, True
                self.failed.emit(error.shown)
        self.beginResetModel()
        self._rows, self._total, self._texts = rows, total, [None] * len(rows)
        self._next_page = self.page_size
        self.endResetModel()

    # --- lazy loading -------------------------------------------------------------------------

    def total_count(self) -> int:
        """How many rows the query gives (loaded or not)."""
        return self._total

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:
        if self._fetch is None or not self.canFetchMore(parent):
            return
        start = len(self._rows)
        self._next_page = min(self._next_page * PAGE_GROWTH, MAX_PAGE)
        try:
            rows = self._fetch(self._query, start, min(self._next_page, self._total - start))
        except CalculationError as error:
            self._total = start  # stop asking; the workspace shows why
            self.failed.emit(error.shown)
            return
        if not rows:
            self._total = start  # the store has fewer rows than it counted (changed meanwhile)
            return
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._rows.extend(rows)
        self._texts.extend([None] * len(rows))
        self.endInsertRows()

    def fetch_all(self) -> None:
        """Load every remaining row (to find one household, say)."""
        while self.canFetchMore():
            self.fetchMore()

    # --- reading --------------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def row(self, row: int) -> LedgerRow:
        return self._rows[row]

    def household_id(self, row: int) -> int:
        return self._rows[row].household_id

    def row_of(self, household_id: int) -> int | None:
        """The loaded row of a household, None when it is not loaded (or not in the filter)."""
        return next((i for i, row in enumerate(self._rows) if row.household_id == household_id), None)

    def rows_of(self, household_ids) -> dict[int, int]:
        """The loaded rows of the households, by id (those not loaded left out): one pass, 5,000 of them too."""
        wanted = set(household_ids)
        return {row.household_id: i for i, row in enumerate(self._rows) if row.household_id in wanted}

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if section in NUMBER_COLUMNS else LEFT
        return super().headerData(section, orientation, role)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        # Called some ten times per visible cell on every repaint: the display texts of a row are
        # formatted once, and each role answers without touching the others.
        row = index.row()
        if role == DISPLAY:
            texts = self._texts[row]
            if texts is None:
                texts = self._texts[row] = _texts(self._rows[row])
            return texts[index.column()]
        if role == ALIGNMENT:
            return ALIGNMENTS[index.column()]
        if role == FOREGROUND:
            if not self._rows[row].checked:
                return UNCHECKED_FG
            return STATUS_FG.get(self._rows[row].status) if index.column() == COL_STATUS else None
        if role == BACKGROUND:
            return ABNORMAL_BG if self._rows[row].status is Status.ABNORMAL else None
        if role == VALUE_ROLE:
            return _value(self._rows[row], index.column())
        if role == HOUSEHOLD_ROLE:
            return self._rows[row].household_id
        if role == TOOLTIP:
            return _tooltip(self._rows[row], index.column())
        return None


def _texts(row: LedgerRow) -> tuple[str, ...]:
    """What each column of a row shows."""
    return (row.number, row.head, row.address, area_text(row.building_area_m2), money_text(row.total),
            money_text(row.incentive), area_text(row.replacement_m2), row.status.label, row.assessor,
            f"{short_time(row.updated_at)}  {row.updated_by}".rstrip())


def _tooltip(row: LedgerRow, column: int) -> str | None:
    if not row.checked:
        return UNCHECKED_TIP
    if row.abnormal:
        return f"数据异常:{row.abnormal}。不能修改、签字、支付或打印,金额不计入合计。"
    if column == COL_ADDRESS:
        return row.address or None
    if column == COL_UPDATED:
        return f"{short_time(row.updated_at)} 由 {row.updated_by or '—'} 修改"
    if column == COL_STATUS and row.version is not None:
        return f"{row.status.label}(第 {row.version} 版)"
    if column in NUMBER_COLUMNS and row.version is None:
        return "尚无测算结果"
    return None


def households_text(totals: LedgerTotals) -> str:
    """How many households the totals cover; those with abnormal data named apart (they add no money)."""
    text = f"{totals.households:,} 户"
    return f"{text}(异常 {totals.abnormal:,})" if totals.abnormal else text


class TotalsModel(HeaderedTableModel):
    """The one-row 合计 under the ledger: households, areas and money over the whole filter."""

    HEADERS = HEADERS

    def __init__(self, parent=None):
        super().__init__(parent)
        self._totals: LedgerTotals | None = None
        self.checking = False  # the project is being checked: no totals yet

    @property
    def totals(self) -> LedgerTotals | None:
        return self._totals

    def set_totals(self, totals: LedgerTotals | None, checking: bool = False) -> None:
        """The totals of the filter (None: none to show; `checking`: not until the project is checked)."""
        self._totals, self.checking = totals, checking
        self.dataChanged.emit(self.index(0, 0), self.index(0, len(HEADERS) - 1))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 1

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        totals, column = self._totals, index.column()
        values = {} if totals is None else {
            COL_AREA: totals.building_area_m2, COL_TOTAL: totals.total, COL_INCENTIVE: totals.incentive,
            COL_REPLACEMENT: totals.replacement_m2}
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_NUMBER:
                return "合计"
            if column == COL_HEAD:
                return ("正在核验…" if self.checking else "") if totals is None else households_text(totals)
            if column in values:
                return area_text(values[column]) if column in AREA_COLUMNS else money_text(values[column])
            return ""
        if role == VALUE_ROLE:
            if column == COL_HEAD and totals is not None:
                return totals.households
            return values.get(column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if column in NUMBER_COLUMNS else LEFT
        if role == TOOLTIP and self.checking:
            return "正在核验各户保存的数据;核验完成后显示合计,数据异常的户不计入。"
        if role == TOOLTIP and totals is not None and totals.abnormal:
            return f"其中 {totals.abnormal:,} 户数据异常,其金额和面积不计入合计"
        return None
