"""Small editors shared by the workspaces: decimal text with a unit, and a date that may be empty.

Numbers are typed as text and handed to the domain as text (it reads them with
calculator.money.to_decimal); no editor here ever turns a value into a float.
"""
from __future__ import annotations

from PySide6.QtCore import QDate, QEvent, QRegularExpression, Qt, Signal
from PySide6.QtGui import QPainter, QPalette, QRegularExpressionValidator
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLineEdit, QToolButton, QWidget

NO_DATE = QDate(1900, 1, 1)  # shown as 未填 (QDateEdit's special value text)


def decimal_validator(decimals: int, parent=None) -> QRegularExpressionValidator:
    """Digits with at most `decimals` places (no sign: every quantity here is positive)."""
    fraction = rf"(\.\d{{0,{decimals}}})?" if decimals else ""
    return QRegularExpressionValidator(QRegularExpression(rf"^\d{{0,10}}{fraction}$"), parent)


class DecimalEdit(QLineEdit):
    """A line edit for a decimal number that draws its unit (and a hint) inside, on the right."""

    def __init__(self, decimals: int = 2, suffix: str = "", parent=None):
        super().__init__(parent)
        self.setValidator(decimal_validator(decimals, self))
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._suffix = ""
        self.set_suffix(suffix)

    def set_suffix(self, suffix: str) -> None:
        self._suffix = suffix
        width = self.fontMetrics().horizontalAdvance(suffix) + 8 if suffix else 0
        self.setTextMargins(0, 0, width, 0)
        self.update()

    def suffix(self) -> str:
        return self._suffix

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._suffix:
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        rect = self.rect().adjusted(0, 0, -6, 0)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self._suffix)


class _DateEdit(QDateEdit):
    """A QDateEdit whose empty state (the minimum date) starts from today when stepped or popped up."""

    def _hook_calendar(self) -> None:
        # The calendar is built on first use only (building four of them slows start-up).
        if not getattr(self, "_hooked", False):
            self._hooked = True
            self.calendarWidget().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Show and self.date() == NO_DATE:
            today = QDate.currentDate()
            watched.setCurrentPage(today.year(), today.month())
        return super().eventFilter(watched, event)

    def mousePressEvent(self, event) -> None:
        self._hook_calendar()
        super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:
        self._hook_calendar()
        if event.key() == Qt.Key.Key_Delete and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.setDate(NO_DATE)  # Delete empties the date (未填)
            return
        if self.date() == NO_DATE and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp,
                                                      Qt.Key.Key_PageDown):
            self.setDate(QDate.currentDate())
            return
        super().keyPressEvent(event)


class DateField(QWidget):
    """A QDateEdit with an empty state (未填) and a button that clears it; text is ISO or ""."""

    edited = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.edit = _DateEdit(self)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setCalendarPopup(True)
        self.edit.setMinimumDate(NO_DATE)
        self.edit.setSpecialValueText("未填")
        self.edit.setDate(NO_DATE)
        self.clear_button = QToolButton(self)
        self.clear_button.setText("×")
        self.clear_button.setToolTip("清除日期(Delete)")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.clear_button)
        self.setFocusProxy(self.edit)
        self._quiet = False
        self.edit.dateChanged.connect(self._changed)
        self.clear_button.clicked.connect(lambda: self.edit.setDate(NO_DATE))

    def _changed(self, _date) -> None:
        if not self._quiet:
            self.edited.emit(self.text())

    def text(self) -> str:
        date = self.edit.date()
        return "" if date == NO_DATE else date.toString("yyyy-MM-dd")

    def set_text(self, text: str) -> None:
        """Show an ISO date ("" or an unreadable text shows 未填) without emitting `edited`."""
        date = QDate.fromString(text, "yyyy-MM-dd") if text else NO_DATE
        if not date.isValid():
            date = NO_DATE
        if date != self.edit.date():
            self._quiet = True
            self.edit.setDate(date)
            self._quiet = False

