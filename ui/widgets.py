"""Small editors shared by the workspaces: decimal text with a unit, and a typed date that may be empty.

Numbers are typed as text and handed to the domain as text (it reads them with
calculator.core.money.to_decimal); no editor here ever turns a value into a float.
"""
from __future__ import annotations

from PySide6.QtCore import QDate, QEvent, QKeyCombination, QLocale, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPalette, QValidator
from PySide6.QtWidgets import (
    QAbstractItemView, QAbstractScrollArea, QApplication, QCalendarWidget, QFrame, QHBoxLayout, QLineEdit, QScrollArea,
    QToolButton, QVBoxLayout, QWidget,
)

from calculator.core.errors import InputError
from calculator.core.limits import bad_character, read_typed_date
from calculator.core.money import FULL_WIDTH

HINT_COLOUR = QColor("#8a8a8a")  # what an empty view says, and hints in cells


def keep_viewport(view: QAbstractScrollArea) -> None:
    """Wrap the view's viewport for Python now, and keep the wrapper: `viewport()` then returns it.

    A widget Qt made itself is wrapped the first time Python sees it. Reached by `viewport()`, PySide
    first searches the widget classes for its type, setting up each class the app has not used yet:
    about 14 ms, once a run, on the start-up path of the item table. `findChild` with the class given
    skips that search. (Should Qt rename the viewport, nothing is kept and `viewport()` works as usual.)
    """
    view.kept_viewport = view.findChild(QWidget, "qt_scrollarea_viewport", Qt.FindChildOption.FindDirectChildrenOnly)


def paint_empty_hint(view: QAbstractItemView, text: str) -> None:
    """`text`, grey and centred, across an empty view (called from its paintEvent, after the view's own)."""
    painter = QPainter(view.viewport())
    painter.setPen(HINT_COLOUR)
    painter.drawText(view.viewport().rect().adjusted(20, 20, -20, -20),
                     Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)


class HalfWidth(QValidator):
    """Any text, with the full-width forms a Chinese input method types (３５０．５) made half-width as they are
    typed: the field shows and holds 350.5 (whether it is a number is checked where it is read).

    Qt sets a text its validator changed as a program sets one, and the field forgets it was edited
    (isModified() false): a cell typed ９００ was never committed, so a rate above the standard was dropped with no
    reason asked, and Escape did not take the typing back. What the user typed stays an edit."""

    def __init__(self, edit: QLineEdit):
        super().__init__(edit)
        edit.textEdited.connect(self._edited)

    def _edited(self) -> None:
        self.parent().setModified(True)

    def validate(self, text: str, pos: int):
        return QValidator.State.Acceptable, text.translate(FULL_WIDTH), pos


class _WheelWhenFocused(QObject):
    """The wheel over a drop-down the user has not clicked or tabbed into scrolls the page, not the choice."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Wheel and not watched.hasFocus():
            event.ignore()   # not accepted: Qt passes a wheel event on to the parent, which scrolls
            return True
        return False


def wheel_when_focused(*widgets: QWidget) -> None:
    """Each of `widgets` (a drop-down, a spin box) turns with the wheel only once it has the focus, which the
    wheel does not give it: scrolling past 土地级别 changed 二级 to 四级, and every price with it."""
    for widget in widgets:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        widget.installEventFilter(_WheelWhenFocused(widget))


class _UndoPassesThrough(QObject):
    """Ctrl+Z (Ctrl+Y) in a field with no typing of its own to undo (redo) since it was entered undoes the document's
    last change, as the 编辑 menu offers, instead of doing nothing (a QLineEdit claims its undo keys whether or not it
    has anything) or undoing what was typed there minutes before and taken long since (a 依据 wiped while the menu
    said 撤销 改K期日)."""

    def eventFilter(self, watched, event) -> bool:
        if not isinstance(watched, QLineEdit):
            return False
        if event.type() == QEvent.Type.FocusIn and (watched.isUndoAvailable() or watched.isRedoAvailable()):
            _forget_typing(watched)   # what was typed before is the document's now, undone by its Ctrl+Z
        elif event.type() == QEvent.Type.ShortcutOverride:
            undo = event.matches(QKeySequence.StandardKey.Undo)
            redo = event.matches(QKeySequence.StandardKey.Redo) or event.keyCombination() == REDO_KEYS
            if (undo and not watched.isUndoAvailable()) or (redo and not watched.isRedoAvailable()):
                event.ignore()
                return True
        return False


def _forget_typing(edit: QLineEdit) -> None:
    """The field's own undo history dropped (setText drops it), its text, cursor and selection as they were, and no
    signal sent: only typing since it was entered is the field's to undo."""
    start, length, cursor = edit.selectionStart(), len(edit.selectedText()), edit.cursorPosition()
    blocked = edit.blockSignals(True)
    edit.setText(edit.text())
    edit.blockSignals(blocked)
    if length:
        edit.setSelection(start, length)
    else:
        edit.setCursorPosition(cursor)


REDO_KEYS = QKeyCombination(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_Y)


def pass_undo_through(widget: QWidget) -> None:
    """`widget` (a table cell's editor) or every text field in it leaves Ctrl+Z/Ctrl+Y to the document when it has
    no typing of its own to undo."""
    watcher = _UndoPassesThrough(widget)
    for edit in [widget] * isinstance(widget, QLineEdit) + widget.findChildren(QLineEdit):
        edit.installEventFilter(watcher)


class DecimalEdit(QLineEdit):
    """A line edit for a decimal number that draws its unit (and a hint) inside, on the right.

    It takes every keystroke (full-width forms made half-width as they are typed) and leaves the reading to
    calculator.core.money.to_decimal, whose refusal the field's owner shows: an editor that dropped the keys it
    did not expect kept the digits after them (1,5 or 1。5 became 15, -5 became 5, 4.2万 became 4.2) and cut
    decimals (15.05 cm became 15.0, a bracket lower)."""

    def __init__(self, suffix: str = "", parent=None):
        super().__init__(parent)
        self.setValidator(HalfWidth(self))
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


PROBLEM_BORDER = "QLineEdit { border: 2px solid #c0392b; }"   # a text field holding what cannot be taken
WARNING_BORDER = "QLineEdit { border: 2px solid #d08a00; }"   # a value taken, and priced, that is to be checked


def mark_problem(edit: QLineEdit, marked: bool, border: str = PROBLEM_BORDER) -> None:
    """Frame `edit` in `border`, or not, at the height it has unframed: a style sheet's border changed its height,
    and every field below it moved as the mark came and went (the next click landed in the field below the one meant)."""
    if edit.minimumHeight() != edit.maximumHeight():
        edit.setFixedHeight(edit.sizeHint().height())   # before it is first framed: its own height
    edit.setStyleSheet(border if marked else "")
DATE_TIP = "可输入 2023-06-20、20230620、2023/6/20、2023.6.20 或 2023年6月20日"
HELD_TEXT = 40  # characters: the longest text a holds_invalid DateField passes on as typed


class DateField(QWidget):
    """A date typed as text in any form an office writes it, with a Chinese calendar beside it.

    The text is read when the field is left or Enter is pressed (calculator.core.limits.read_typed_date):
    a date is shown back as yyyy-MM-dd and emitted as `edited`; anything else stays as typed,
    marked red with the reason, and changes nothing — or, with `holds_invalid` (a field of a case,
    whose engine lists a date it cannot read as a problem), is emitted as typed, so the case keeps
    it and says why it is not counted. An empty field shows 未填. Up/Down step a day from the date
    shown, typed or taken (today when empty); F4 or Alt+Down opens the calendar on it.
    """

    edited = Signal(str)
    finished = Signal()
    typed = Signal()   # a key typed into the field, not yet read (the crash-recovery file keeps it: `pending`)

    def __init__(self, parent=None, field: str = "日期", *, holds_invalid: bool = False):
        super().__init__(parent)
        self._field, self._value, self._calendar = field, "", None
        self._holds_invalid = holds_invalid
        self._warning = ""   # what to check of the date taken (see warn)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("未填")
        self.edit.setToolTip(DATE_TIP)
        self.edit.installEventFilter(self)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setArrowType(Qt.ArrowType.DownArrow)   # drawn by the style: ▾ was □ with no font for it
        self.calendar_button.setToolTip("选择日期(F4)")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.calendar_button)
        self.setFocusProxy(self.edit)
        self.edit.editingFinished.connect(self._commit)
        self.edit.textEdited.connect(self._typing)
        self.calendar_button.clicked.connect(self._pop_calendar)

    def text(self) -> str:
        """The date last accepted, as yyyy-MM-dd, or ""."""
        return self._value

    def error(self) -> str:
        """Why the typed text is not a date ("" when it is one, or empty)."""
        return self.edit.property("date_error") or ""

    def set_text(self, text: str) -> None:
        """Show a date as the case holds it without emitting `edited`: "" shows 未填, and a text that is no
        yyyy-MM-dd date (one a holds_invalid field kept) shows red with the reason. While the value is unchanged,
        what the field shows stays: text being typed, or a date refused (red) that the case does not hold."""
        if text == self._value:
            return
        self._value = text
        self.edit.setText(text)
        self._mark(self._reason(text))

    def forget_typed(self) -> None:
        """Show the value again, dropping text typed and not taken (another case was loaded)."""
        self.edit.setText(self._value)
        self._mark(self._reason(self._value))

    def commit(self) -> None:
        """Read what is typed and not yet read (a save or a print asked with the cursor still in the field)."""
        if self.edit.text() != self._value:
            self._commit()

    def untaken(self) -> str:
        """Why the field shows something other than its value: a date it refused and does not hold ("" if none)."""
        return self.error() if self.edit.text() != self._value else ""

    def pending(self) -> str | None:
        """What reading the text typed would give its document ("" for none), without reading it (nothing is marked
        while it is typed); None when nothing is typed since, or it would take nothing. Kept by the crash-recovery
        file: a date typed and not yet read (no Enter, the cursor still in the field) was lost with a crash."""
        typed = self.edit.text()
        if typed == self._value:
            return None
        try:
            date = read_typed_date(typed, self._field)
        except InputError:
            return typed if self._holdable(typed) else None
        return "" if date is None else date.isoformat()

    def _holdable(self, typed: str) -> bool:
        """Whether a text that is no date is passed on as typed: by a holds_invalid field alone, and only as something
        a person typed for a date, short and printable (not a pasted page, no control character)."""
        return self._holds_invalid and len(typed) <= HELD_TEXT and bad_character(typed) is None

    def _reason(self, text: str) -> str:
        try:
            date = read_typed_date(text, self._field)
        except InputError as error:
            return error.zh
        return "" if date is None or date.isoformat() == text else f"应写成 {date.isoformat()}(按 Enter 改写)"

    def _typing(self, text: str) -> None:
        """A field marked red is cleared as soon as what is typed reads as a date (it is taken on Enter or on
        leaving, as any date): it stayed red over a right date until then. Nothing is marked while typing."""
        self.typed.emit()
        if self.error():
            try:
                read_typed_date(text, self._field)
            except InputError:
                return
            self._mark("")

    def _commit(self) -> None:
        typed = self.edit.text()
        try:
            date = read_typed_date(typed, self._field)
        except InputError as error:
            self._mark(error.zh)
            # anything not held stays in the field alone, refused, as in a field that holds nothing invalid
            if typed != self._value and self._holdable(typed):
                self._value = typed
                self.edited.emit(typed)
            self.finished.emit()
            return
        self._accept("" if date is None else date.isoformat())
        self.finished.emit()

    def _accept(self, iso: str) -> None:
        self.edit.setText(iso)
        self._mark("")
        if iso != self._value:
            self._value = iso
            self.edited.emit(iso)

    def warn(self, warning: str) -> None:
        """Frame the field amber with `warning` as its tip ("": none): a date taken and priced that is to be checked (a
        year typed wrong). A date refused is framed red, its reason the tip, over any warning."""
        if warning != self._warning:
            self._warning = warning
            self._mark(self.error())

    def _mark(self, reason: str) -> None:
        self.edit.setProperty("date_error", reason)
        mark_problem(self.edit, bool(reason or self._warning), PROBLEM_BORDER if reason else WARNING_BORDER)
        self.edit.setToolTip(reason or self._warning or DATE_TIP)

    def _shown_date(self) -> QDate | None:
        """The date the field shows — typed and not yet read, or taken — None when it is empty; InputError when it
        shows no date. Up/Down and the calendar start from it: from the date taken before, they dropped 2023-07-30
        just typed (a 50,000 incentive) for the day after the old 2023-08-20."""
        shown = read_typed_date(self.edit.text(), self._field)
        return None if shown is None else QDate(shown.year, shown.month, shown.day)

    def _step(self, days: int) -> None:
        """A day on (or back) from the date shown; today when the field is empty."""
        try:
            shown = self._shown_date()
        except InputError:
            self._commit()   # no date: said red, as leaving the field says it, and nothing stepped
            return
        self._accept((QDate.currentDate() if shown is None else shown.addDays(days)).toString("yyyy-MM-dd"))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_F4 or (key == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier):
                self._pop_calendar()
                return True
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self._step(1 if key == Qt.Key.Key_Up else -1)
                return True
        return super().eventFilter(watched, event)

    def _pop_calendar(self) -> None:
        # Built on first use only: a calendar per date field would slow start-up.
        if self._calendar is None:
            self._calendar = QCalendarWidget()
            self._calendar.setWindowFlags(Qt.WindowType.Popup)
            self._calendar.setLocale(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
            self._calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
            self._calendar.setGridVisible(True)
            self._calendar.clicked.connect(self._picked)
            self._calendar.activated.connect(self._picked)
        try:
            shown = self._shown_date()
        except InputError:   # no date shown: the one taken, if any
            shown = QDate.fromString(self._value, "yyyy-MM-dd") if self._value else None
        self._calendar.setSelectedDate(shown if shown is not None and shown.isValid() else QDate.currentDate())
        self._calendar.adjustSize()
        below = self.mapToGlobal(self.rect().bottomLeft())
        screen = (self.screen() or QApplication.primaryScreen()).availableGeometry()
        x = min(below.x(), screen.right() - self._calendar.width())
        y = below.y() if below.y() + self._calendar.height() <= screen.bottom() else (
            self.mapToGlobal(self.rect().topLeft()).y() - self._calendar.height())
        self._calendar.move(max(screen.left(), x), max(screen.top(), y))
        self._calendar.show()
        self._calendar.setFocus()

    def _picked(self, date: QDate) -> None:
        self._calendar.hide()
        self._accept(date.toString("yyyy-MM-dd"))
        self.edit.setFocus()
        self.finished.emit()


class _Pane(QScrollArea):
    """A pane scrolling up and down only: as narrow as what it holds allows, plus room for the scroll bar.

    Held to its content's own least width, a pane whose scroll bar came up (a window too low for it) squeezed the
    content under that width, and a second bar came up to scroll it sideways."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        content = self.widget()
        if content is None:
            return hint
        least = content.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(max(hint.width(), least), hint.height())


def scrolling(*boxes: QWidget) -> QScrollArea:
    """`boxes` stacked in a pane that scrolls when the window is smaller than they would like."""
    content = QWidget()
    layout = QVBoxLayout(content)
    layout.setContentsMargins(0, 0, 0, 0)
    for box in boxes:
        layout.addWidget(box)
    layout.addStretch(1)
    area = _Pane()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # Tab goes to what it holds: the pane itself showed no focus
    return area
