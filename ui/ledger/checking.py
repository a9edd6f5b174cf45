"""The 台账's check of a large project, started once the table has painted its unchecked rows.

While the worker runs (calculator.store.checking), the rows are grey and the totals row says
正在核验…; when its verdicts are taken, `checked` asks the workspace to read the ledger again
(now with 数据异常 marked and the totals shown). If the data changed meanwhile, it checks again.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal

from calculator.core.errors import CalculationError


class LedgerCheck(QObject):
    """Runs the open project's background check after the next paint of `viewport`; shows 正在核验… in
    `totals_model` meanwhile."""

    checked = Signal()   # the verdicts are in: read the ledger again
    failed = Signal(str)  # the check could not run (the message)
    _ended = Signal()     # from the worker's waiting thread

    def __init__(self, viewport, totals_model, parent=None):
        super().__init__(parent)
        self._viewport, self._totals_model = viewport, totals_model
        self._project, self._check, self._armed = None, None, False
        self._ended.connect(self._adopt, Qt.ConnectionType.QueuedConnection)
        viewport.installEventFilter(self)

    def show_totals(self, project, totals) -> None:
        """The filter's totals; None from a project not yet checked: 正在核验…, and its check started."""
        self._totals_model.set_totals(totals, checking=totals is None)
        if totals is None:
            self.start(project)

    def start(self, project) -> None:
        """Check `project` once the table has painted (unless a check of it is running already)."""
        if project is self._project and (self._check is not None or self._armed):
            return
        self.stop()
        self._project, self._armed = project, True
        self._viewport.update()

    def stop(self) -> None:
        """Forget the project (closed or replaced); a running worker is ended."""
        if self._check is not None:
            self._check.cancel()
        self._project, self._check, self._armed = None, None, False

    def eventFilter(self, watched, event) -> bool:
        if self._armed and watched is self._viewport and event.type() == QEvent.Type.Paint:
            self._armed = False
            QTimer.singleShot(0, self._begin)  # once this paint is on the screen
        return False

    def _begin(self) -> None:
        if self._project is None:
            return
        try:
            self._check = self._project.check_in_background(self._say_ended)
        except CalculationError as error:
            self.failed.emit(error.shown)
            return
        if self._check is None:  # checked already (or at once, being short)
            self.checked.emit()

    def _say_ended(self) -> None:
        """From the worker's waiting thread: back to this object's thread (unless the 台账 is gone)."""
        try:
            self._ended.emit()
        except RuntimeError:  # the workspace was deleted meanwhile
            pass

    def _adopt(self) -> None:
        check = self._check
        if check is None or not check.done:  # an ended check of a project since forgotten
            return
        self._check = None
        try:
            taken = check.adopt()
        except CalculationError as error:
            self._totals_model.set_totals(None)  # not being checked any more, and still not vouched for
            self.failed.emit(error.shown)
            return
        if taken:
            self.checked.emit()
        else:
            self._begin()  # the data changed while it ran
