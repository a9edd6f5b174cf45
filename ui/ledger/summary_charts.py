"""The 汇总与审计 view's charts, painted with QPainter.

Why not QtCharts: it ships only in PySide6-Addons (a download several times the size of the
pyside6-essentials the app is built on), for four plain charts — bars with labels, a stacked bar
per assessor and a histogram. A few dozen lines of QPainter draw them in the app's own font, so
Chinese names (and rare characters, through Qt's font fallback) show as everywhere else, and the
app stays on the essentials. The charts are given their numbers; they compute nothing.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from calculator.core.money import fmt_grouped

MONEY = QColor("#3b6ea8")
STATUS = QColor("#5b9b5b")
COUNT = QColor("#9db7d5")
TOTAL_MARK = QColor("#c0392b")
GROUP_MARK = QColor("#e69a28")
GUIDE = QColor("#555555")
# The rate positions, floor to ceiling, then outside the range (as in the PDF's chart).
POSITION_COLOURS = tuple(QColor(c) for c in ("#1f5f99", "#6aa0d0", "#b8b8b8", "#e0e0e0", "#f0a868", "#c46a1a",
                                             "#7b2d5b"))
PAD = 6


class Chart(QWidget):
    """A titled chart that paints itself from the figures it was given."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.title = title
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(220, 120)

    def row_height(self) -> int:
        return self.fontMetrics().height() + 6

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        bold = painter.font()
        bold.setBold(True)
        painter.save()
        painter.setFont(bold)
        painter.drawText(PAD, PAD + self.fontMetrics().ascent(), self.title)
        painter.restore()
        self.draw(painter, QRectF(PAD, PAD + self.row_height(), self.width() - 2 * PAD,
                                  self.height() - 2 * PAD - self.row_height()))
        painter.end()

    def draw(self, painter: QPainter, area: QRectF) -> None:
        raise NotImplementedError

    def row_label(self, painter: QPainter, area: QRectF, width: float, y: float, height: float, text: str) -> int:
        """`text` right-aligned in the first `width` of a bar row; returns the row's text baseline."""
        metrics = self.fontMetrics()
        baseline = int(y + (height + metrics.ascent() - metrics.descent()) / 2)
        painter.drawText(int(area.left() + width - 8 - metrics.horizontalAdvance(text)), baseline, text)
        return baseline

    def legend(self, painter: QPainter, entries: Sequence[tuple[QColor, str]], x: float, y: float) -> None:
        """Coloured squares with their names, in one line from (x, y)."""
        metrics = self.fontMetrics()
        box = metrics.ascent() - 2
        for colour, name in entries:
            painter.fillRect(QRectF(x, y - box, box, box), colour)
            painter.drawText(int(x + box + 3), int(y), name)
            x += box + 3 + metrics.horizontalAdvance(name) + 12


class BarChart(Chart):
    """Horizontal bars, one per label, each with its amount written after it."""

    def __init__(self, title: str, colour: QColor = MONEY, parent=None):
        super().__init__(title, parent)
        self.colour = colour
        self.bars: list[tuple[str, Decimal]] = []

    def set_bars(self, bars: Sequence[tuple[str, Decimal]]) -> None:
        self.bars = list(bars)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, self.row_height() * (len(self.bars) + 1) + 2 * PAD)

    def draw(self, painter: QPainter, area: QRectF) -> None:
        metrics = self.fontMetrics()
        labels = max((metrics.horizontalAdvance(label) for label, _ in self.bars), default=0) + 8
        values = [fmt_grouped(value) for _, value in self.bars]
        room = max((metrics.horizontalAdvance(text) for text in values), default=0) + 8
        top = max((float(value) for _, value in self.bars), default=0) or 1.0
        height = min(self.row_height(), area.height() / max(len(self.bars), 1))
        span = max(area.width() - labels - room, 1)
        for row, ((label, value), text) in enumerate(zip(self.bars, values)):
            y = area.top() + row * height
            baseline = self.row_label(painter, area, labels, y, height, label)
            width = span * float(value) / top
            painter.fillRect(QRectF(area.left() + labels, y + 2, width, height - 4), self.colour)
            painter.drawText(int(area.left() + labels + width + 4), baseline, text)


class PositionBars(Chart):
    """Per assessor, one bar split by where the rates sit in the standard's ranges (shares of the lines)."""

    def __init__(self, title: str, parent=None):
        super().__init__(title, parent)
        self.rows: list[tuple[str, Sequence[int]]] = []
        self.headings: Sequence[str] = ()

    def set_positions(self, rows: Sequence[tuple[str, Sequence[int]]], headings: Sequence[str]) -> None:
        self.rows, self.headings = list(rows), headings
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(600, self.row_height() * (len(self.rows) + 2) + 2 * PAD)

    def draw(self, painter: QPainter, area: QRectF) -> None:
        metrics = self.fontMetrics()
        labels = max((metrics.horizontalAdvance(name) for name, _ in self.rows), default=0) + 8
        height = min(self.row_height(), (area.height() - self.row_height()) / max(len(self.rows), 1))
        span = max(area.width() - labels, 1)
        for row, (name, counts) in enumerate(self.rows):
            y = area.top() + row * height
            self.row_label(painter, area, labels, y, height, name)
            x, whole = area.left() + labels, max(sum(counts), 1)
            painter.save()
            painter.setPen(QPen(GUIDE, 0))   # outlined: the pale 中值(未填单价) was lost on the white page
            for count, colour in zip(counts, POSITION_COLOURS):
                width = span * count / whole
                if width:
                    painter.setBrush(colour)
                    painter.drawRect(QRectF(x, y + 2, width, height - 4))
                x += width
            painter.restore()
        self.legend(painter, list(zip(POSITION_COLOURS, self.headings)), area.left() + labels,
                    area.top() + len(self.rows) * height + metrics.ascent() + 4)


class Histogram(Chart):
    """Households by their total per m², bars of those that stand out coloured, median and bounds as lines."""

    BINS = 24

    def __init__(self, title: str, parent=None):
        super().__init__(title, parent)
        self.values: list[tuple[Decimal, str]] = []
        self.median: Decimal | None = None
        self.bounds: tuple[Decimal | None, Decimal | None] = (None, None)

    def set_distribution(self, values: Sequence[tuple[Decimal, str]], median: Decimal | None,
                         bounds: tuple[Decimal | None, Decimal | None]) -> None:
        self.values, self.median, self.bounds = list(values), median, bounds
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(600, 220)

    def draw(self, painter: QPainter, area: QRectF) -> None:
        metrics = self.fontMetrics()
        line = metrics.height()
        marks = [float(b) for b in self.bounds if b is not None]
        numbers = [float(value) for value, _ in self.values]
        low, high = min(numbers + marks, default=0.0), max(numbers + marks, default=1.0)
        high = high if high > low else low + 1
        counts = [[0, 0, 0] for _ in range(self.BINS)]  # usual, a line group stands out, the total stands out
        for number, (_, mark) in zip(numbers, self.values):
            counts[min(int((number - low) / (high - low) * self.BINS), self.BINS - 1)][
                {"": 0, "行组": 1, "合计": 2}[mark]] += 1
        tallest = max((sum(c) for c in counts), default=1) or 1
        plot = QRectF(area.left(), area.top() + line, area.width(), area.height() - 3 * line - 4)
        step = plot.width() / self.BINS
        for at, parts in enumerate(counts):
            bottom = plot.bottom()
            for count, colour in zip(parts, (COUNT, GROUP_MARK, TOTAL_MARK)):
                height = plot.height() * count / tallest
                painter.fillRect(QRectF(plot.left() + at * step + 1, bottom - height, step - 2, height), colour)
                bottom -= height
        painter.setPen(QPen(GUIDE))
        painter.drawLine(int(plot.left()), int(plot.bottom()), int(plot.right()), int(plot.bottom()))

        def x_of(value: float) -> float:
            return plot.left() + (value - low) / (high - low) * plot.width()

        for value in (low, (low + high) / 2, high):
            text = f"{value:,.0f}"
            x = min(max(x_of(value) - metrics.horizontalAdvance(text) / 2, area.left()),
                    area.right() - metrics.horizontalAdvance(text))
            painter.drawText(int(x), int(plot.bottom() + line), text)
        for value, label, colour, style in ((self.median, "中位数", GUIDE, Qt.PenStyle.SolidLine),
                                            (self.bounds[0], "界限", TOTAL_MARK, Qt.PenStyle.DashLine),
                                            (self.bounds[1], "界限", TOTAL_MARK, Qt.PenStyle.DashLine)):
            if value is None:
                continue
            x = x_of(float(value))
            painter.setPen(QPen(colour, 1, style))
            painter.drawLine(int(x), int(plot.top()), int(x), int(plot.bottom()))
            text = f"{label} {fmt_grouped(value)}"
            if label == "中位数":  # inside the plot, right of its line, on white; the bounds' above the plot
                painter.fillRect(QRectF(x + 2, plot.top(), metrics.horizontalAdvance(text) + 2, line),
                                 QColor(255, 255, 255, 220))
                painter.drawText(int(x + 3), int(plot.top() + metrics.ascent()), text)
                continue
            painter.drawText(int(min(max(x - metrics.horizontalAdvance(text) / 2, area.left()),
                                     area.right() - metrics.horizontalAdvance(text))),
                             int(area.top() + metrics.ascent()), text)
        painter.setPen(QPen(QColor("black")))
        self.legend(painter, [(COUNT, "住户数"), (GROUP_MARK, "某一章节异常"), (TOTAL_MARK, "合计异常")],
                    area.left(), area.bottom() - 2)
