"""The summary's charts for the PDF, drawn with reportlab's own graphics (reportlab.graphics.charts).

Bars come from reportlab's bar charts; every text — category names, values, legends, axis numbers —
is drawn in the sheets' font chain (calculator.formats.reports.fonts), run by run, so that a rare character
in an assessor's name prints and no unembedded Helvetica creeps into the file. Drawing coordinates
are floats: a chart draws exact figures, it computes none.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from calculator.core.money import fmt_grouped
from calculator.formats.reports.fonts import runs, sheet_font

MONEY_COLOUR = colors.HexColor("#3b6ea8")
STATUS_COLOUR = colors.HexColor("#5b9b5b")
COUNT_COLOUR = colors.HexColor("#9db7d5")
TOTAL_MARK = colors.HexColor("#c0392b")
GROUP_MARK = colors.HexColor("#e69a28")
GUIDE = colors.HexColor("#555555")
# The rate positions, floor to ceiling, then outside the range (its own colour, not the outliers' red).
POSITION_COLOURS = tuple(colors.HexColor(c) for c in (
    "#1f5f99", "#6aa0d0", "#b8b8b8", "#e0e0e0", "#f0a868", "#c46a1a", "#7b2d5b"))
ROW = 15  # points a bar row takes
SIZE = 7.5  # the charts' text size


def text(x: float, y: float, value: str, size: float = SIZE, anchor: str = "start",
         colour=colors.black) -> Group:
    """`value` drawn at (x, y), each run in the font of the chain that draws it; anchor start, middle or end."""
    spans = [(face, run, stringWidth(run, face, size)) for face, run in runs(value)]
    width = sum(span[2] for span in spans)
    x -= {"start": 0, "middle": width / 2, "end": width}[anchor]
    group = Group()
    for face, run, span in spans:
        group.add(String(x, y, run, fontName=face, fontSize=size, fillColor=colour))
        x += span
    return group


def _axis_font(chart) -> None:
    """The value axis numbers in the sheet font (reportlab's default would be an unembedded Helvetica)."""
    chart.valueAxis.labels.fontName = sheet_font().name
    chart.valueAxis.labels.fontSize = SIZE - 1


def _drawing(width: float, height: float) -> Drawing:
    """A drawing that starts in the sheet font (reportlab's renderer would set an unembedded Helvetica)."""
    return Drawing(width, height, initialFontName=sheet_font().name, initialFontSize=SIZE)


def _title(drawing: Drawing, title: str) -> None:
    drawing.add(text(0, drawing.height - 11, title, SIZE + 2))


def bars(title: str, labels: Sequence[str], values: Sequence[Decimal], width: float, colour=MONEY_COLOUR,
         shown: Sequence[str] | None = None, label_width: float = 78) -> Drawing:
    """Horizontal bars, one per label (top to bottom in the order given), each with its value written after it."""
    count = len(labels)
    shown = shown if shown is not None else [fmt_grouped(value) for value in values]
    room = max((stringWidth(s, sheet_font().name, SIZE) for s in shown), default=0) + 8
    drawing = _drawing(width, count * ROW + 40)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = label_width, 16, width - label_width - room, count * ROW
    chart.data = [[float(value) for value in reversed(values)]]  # reportlab draws the first category lowest
    chart.bars[0].fillColor, chart.bars[0].strokeColor = colour, None
    chart.categoryAxis.visibleLabels = 0
    chart.categoryAxis.visibleTicks = 0
    chart.valueAxis.valueMin = 0
    chart.valueAxis.visibleLabels = 0
    chart.valueAxis.visibleGrid = 0
    chart.barSpacing, chart.groupSpacing = 0, 4
    drawing.add(chart)
    top = max((float(value) for value in values), default=0) or 1
    for row, (label, value, said) in enumerate(zip(labels, values, shown)):
        middle = chart.y + chart.height - (row + 0.5) * ROW - SIZE / 3
        drawing.add(text(label_width - 4, middle, label, anchor="end"))
        drawing.add(text(chart.x + chart.width * float(value) / top + 3, middle, said))
    _title(drawing, title)
    return drawing


def positions(title: str, assessors: Sequence[str], counts: Sequence[Sequence[int]], headings: Sequence[str],
              width: float) -> Drawing:
    """Per assessor, one bar split by where the rates sit (shares of the assessor's range-priced lines)."""
    label_width, legend = 70, 2 * ROW
    drawing = _drawing(width, len(assessors) * ROW + legend + 42)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 16 + legend
    chart.width, chart.height = width - label_width - 10, max(len(assessors), 1) * ROW
    shares = [[100 * c / max(sum(row), 1) for c in row] for row in reversed(counts)]
    chart.data = [[row[series] for row in shares] for series in range(len(headings))] if shares else [[0]]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.visibleLabels = 0
    chart.categoryAxis.visibleTicks = 0
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.labelTextFormat = "%d%%"
    _axis_font(chart)
    chart.barSpacing, chart.groupSpacing = 0, 4
    for series, colour in enumerate(POSITION_COLOURS[:len(headings)]):
        chart.bars[series].fillColor, chart.bars[series].strokeColor = colour, None
    drawing.add(chart)
    for row, name in enumerate(assessors):
        middle = chart.y + chart.height - (row + 0.5) * ROW - SIZE / 3
        drawing.add(text(label_width - 4, middle, name, anchor="end"))
    _legend(drawing, list(zip(POSITION_COLOURS, headings)), 0, 6, width)
    _title(drawing, title)
    return drawing


def distribution(title: str, values: Sequence[tuple[Decimal, str]], median: Decimal | None,
                 bounds: tuple[Decimal | None, Decimal | None], width: float, bins: int = 24) -> Drawing:
    """A histogram of the households' total per m²; bars of households that stand out are coloured (on the
    total, or on a line group only), the median and the bounds drawn as lines."""
    drawing = _drawing(width, 170)
    numbers = [float(value) for value, _ in values]
    low = min(numbers + [float(b) for b in bounds if b is not None], default=0.0)
    high = max(numbers + [float(b) for b in bounds if b is not None], default=1.0)
    if high <= low:
        high = low + 1
    step = (high - low) / bins
    counts = [[0] * bins for _ in range(3)]  # usual, a line group stands out, the total stands out
    for number, (_, mark) in zip(numbers, values):
        at = min(int((number - low) / step), bins - 1)
        counts[{"": 0, "行组": 1, "合计": 2}[mark]][at] += 1
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 34, 46, width - 44, 100
    chart.data = counts
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.visibleLabels = 0
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = max(1, -(-max(map(sum, zip(*counts)), default=1) // 5))
    chart.valueAxis.labelTextFormat = "%d"
    _axis_font(chart)
    chart.barSpacing, chart.groupSpacing = 0, 1
    for series, colour in enumerate((COUNT_COLOUR, GROUP_MARK, TOTAL_MARK)):
        chart.bars[series].fillColor, chart.bars[series].strokeColor = colour, None
    drawing.add(chart)

    def x_of(value: float) -> float:
        return chart.x + (value - low) / (high - low) * chart.width

    for tick in range(0, bins + 1, max(bins // 6, 1)):
        value = low + tick * step
        drawing.add(text(x_of(value), chart.y - 10, f"{value:,.0f}", SIZE - 1, "middle"))
    marks = [(median, "中位数", GUIDE, None)] + [(bound, "界限", TOTAL_MARK, (2, 2)) for bound in bounds]
    for value, label, colour, dash in marks:
        if value is None:
            continue
        x = x_of(float(value))
        drawing.add(Line(x, chart.y, x, chart.y + chart.height + 4, strokeColor=colour, strokeWidth=0.8,
                         strokeDashArray=dash))
        if value is median:  # inside the plot, right of its line; the bounds' above the plot
            drawing.add(text(x + 2, chart.y + chart.height - SIZE, f"{label} {fmt_grouped(value)}", SIZE - 1,
                             "start", colour))
        else:
            drawing.add(text(x, chart.y + chart.height + 6, f"{label} {fmt_grouped(value)}", SIZE - 1, "middle",
                             colour))
    drawing.add(text(chart.x + chart.width / 2, chart.y - 21, "每平方米建筑面积补偿(元/m²)", SIZE, "middle"))
    _legend(drawing, [(COUNT_COLOUR, "住户数"), (GROUP_MARK, "某一章节异常"), (TOTAL_MARK, "合计异常")], 0, 4, width)
    _title(drawing, title)
    return drawing


def _legend(drawing: Drawing, entries: list, x: float, y: float, width: float) -> None:
    """Coloured squares with their names, in rows from (x, y) upwards."""
    at, row = x, 0
    for colour, name in entries:
        room = 14 + stringWidth(name, sheet_font().name, SIZE) + 10
        if at + room > width:
            at, row = x, row + 1
        drawing.add(Rect(at, y + row * 11, 8, 8, fillColor=colour, strokeColor=None))
        drawing.add(text(at + 11, y + row * 11 + 1, name))
        at += room
