"""What every read-out table model shares: columns named by a HEADERS tuple, the value behind a cell."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

VALUE_ROLE = Qt.ItemDataRole.UserRole + 1  # the value behind a displayed cell: its Decimal, key or status


class HeaderedTableModel(QAbstractTableModel):
    """A table model whose columns are the class's HEADERS; rows and data are the subclass's."""

    HEADERS: tuple[str, ...] = ()

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None
