"""What both printed sheets share: A4 page with header and numbered footer, styles, tables, signatures."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from calculator.core.files import atomic_write
from calculator.formats.reports.fonts import runs, sheet_font

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
TOP_MARGIN = 27 * mm
BOTTOM_MARGIN = 18 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
RULE = colors.HexColor("#444444")
HEADER_FILL = colors.HexColor("#e6e6e6")
SECTION_FILL = colors.HexColor("#f2f2f2")
MUTED_FILL = colors.HexColor("#fbf3e0")
CELL_PADDING = 3 + 3  # LEFTPADDING + RIGHTPADDING of `grid`
# No-break spaces: a paragraph collapses ordinary (and ideographic) spaces, leaving no room to write.
DATE_LINE = "日期:" + "\xa0" * 16 + "年" + "\xa0" * 9 + "月" + "\xa0" * 9 + "日"


@dataclass(frozen=True)
class Styles:
    """Paragraph styles of one sheet, all in the sheet's CJK font."""

    font: str
    cell: ParagraphStyle
    number: ParagraphStyle
    centre: ParagraphStyle
    head: ParagraphStyle
    section: ParagraphStyle
    text: ParagraphStyle
    heading: ParagraphStyle
    big: ParagraphStyle
    big_number: ParagraphStyle
    note: ParagraphStyle


def sheet_styles(font: str) -> Styles:
    """The styles every sheet uses; CJK word wrap so long text breaks inside its cell."""
    def style(name: str, size: float, align=TA_LEFT, leading: float | None = None) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.3,
                              alignment=align, wordWrap="CJK")
    return Styles(font=font, cell=style("cell", 8.5), number=style("number", 8.5, TA_RIGHT),
                  centre=style("centre", 8.5, TA_CENTER), head=style("head", 9, TA_CENTER),
                  section=style("section", 9.5), text=style("text", 9.5, leading=14),
                  heading=style("heading", 11, leading=15), big=style("big", 11, leading=15),
                  big_number=style("big_number", 11, TA_RIGHT, leading=15),
                  note=style("note", 8, leading=11))


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """Text as a wrapping paragraph: & < > (档位>30) escaped, newlines kept, rare characters in their font."""
    return Paragraph(markup(str(text), style.fontName), style)


def markup(text: str, font: str) -> str:
    """Paragraph markup for plain text in `font`, each run `font` cannot draw wrapped in the font that can."""
    parts = []
    for face, run in runs(text):
        run = escape(run).replace("\n", "<br/>")
        parts.append(run if face == font else f'<font face="{face}">{run}</font>')
    return "".join(parts)


class Text(NamedTuple):
    """A table cell's text and its style: `grid` draws it as a plain string when it is one short line (laid out
    ~10× faster than a paragraph, styled by table commands), else as a wrapping paragraph."""

    text: str
    style: ParagraphStyle


def grid(rows: list[list], widths: Sequence[float], styles: Styles, *, header_rows: int = 1, commands: Sequence = (),
         heights: Sequence[float] | None = None) -> Table:
    """A ruled table whose header rows repeat on every page it runs over; `Text` cells laid out by `_cell`."""
    count = len(rows)
    spans = {(_at(start[0], len(widths)), _at(start[1], count)): _at(end[0], len(widths))
             for name, start, end, *_ in commands if name == "SPAN"}
    plain: dict[tuple[int, int], ParagraphStyle] = {}
    laid_out = []
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            if isinstance(value, Text):
                style, value = value.style, _cell(value, sum(widths[c:spans.get((c, r), c) + 1]))
                if isinstance(value, str):
                    plain[c, r] = style
            cells.append(value)
        laid_out.append(cells)
    table = Table(laid_out, colWidths=list(widths), rowHeights=heights, repeatRows=header_rows, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), styles.font),  # plain cells too, or Helvetica creeps in unembedded
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BOX", (0, 0), (-1, -1), 1, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        *([("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL)] if header_rows else []),
        *_plain_commands(plain),
        *commands,
    ]))
    return table


def _at(index: int, count: int) -> int:
    """A table command's index (-1: the last) as a position."""
    return index + count if index < 0 else index


def _cell(text: Text, width: float):
    """One short line as a plain string, when it fits `width` (less the padding) in the sheet font alone and
    reads as a paragraph would show it (no spaces at its ends or two together: a paragraph drops them); a figure
    too wide for its cell in a smaller size, on one line; else a wrapping paragraph."""
    value, style = str(text.text), text.style
    if ("\n" not in value and "  " not in value and value.strip(" ") == value
            and runs(value) in ([], [(style.fontName, value)])
            and stringWidth(value, style.fontName, style.fontSize) <= width - CELL_PADDING):
        return value
    if FIGURE.fullmatch(value):
        return para(value, _fitted(style, stringWidth(value, style.fontName, style.fontSize), width - CELL_PADDING))
    return para(value, style)


# A figure as the sheets write one (¥1,234.50, 100000.00, 0.918323): never broken over two lines, where its first
# line reads as a whole number a tenth of it (123,456,789.0 over 1).
FIGURE = re.compile(r"¥?-?[0-9][0-9,]*(\.[0-9]+)?")
SMALLEST_FIGURE_SIZE = 5.0   # points: the smallest a figure is read at (the widest amount, 999,999,999,999.99, needs ~6)


def _fitted(style: ParagraphStyle, drawn: float, room: float) -> ParagraphStyle:
    """`style` at the size (in half points) at which a line `drawn` wide at its own size fits `room`. Below
    SMALLEST_FIGURE_SIZE only a figure of many decimals goes (9.899999999999999, a script's float in a case file),
    made as small as it takes: it was broken over lines at 5 points, and its first line read as the whole figure."""
    size = math.floor(style.fontSize * room / drawn * 2) / 2
    if size < SMALLEST_FIGURE_SIZE:
        size = math.floor(style.fontSize * room / drawn * 10) / 10
    return ParagraphStyle(f"{style.name}-{size}", parent=style, fontSize=size, leading=size * 1.3)


def _plain_commands(plain: dict[tuple[int, int], ParagraphStyle]) -> list[tuple]:
    """Commands that make the plain cells look like paragraphs of their style: font size, leading and alignment,
    one command per run of cells down a column in the same style."""
    runs: list[list] = []   # [column, first row, last row, style]
    for (c, r), style in sorted(plain.items()):
        if runs and runs[-1][0] == c and runs[-1][2] == r - 1 and runs[-1][3] is style:
            runs[-1][2] = r
        else:
            runs.append([c, r, r, style])
    align = {TA_LEFT: "LEFT", TA_CENTER: "CENTER", TA_RIGHT: "RIGHT"}
    return [command for c, first, last, style in runs
            for command in (("FONTSIZE", (c, first), (c, last), style.fontSize),
                            ("LEADING", (c, first), (c, last), style.leading),
                            ("ALIGN", (c, first), (c, last), align[style.alignment]))]


def info_grid(pairs: Sequence[tuple[str, str]], styles: Styles, per_row: int = 2,
              label_width: float = 22 * mm) -> Table:
    """Label/value pairs, `per_row` pairs to a row (the household or parcel block)."""
    value_width = WIDTH / per_row - label_width
    rows = []
    for start in range(0, len(pairs), per_row):
        row = []
        for label, value in pairs[start:start + per_row]:
            row += [Text(label, styles.centre), Text(value, styles.cell)]
        row += [""] * (2 * per_row - len(row))
        rows.append(row)
    fills = [("BACKGROUND", (col, 0), (col, -1), SECTION_FILL) for col in range(0, 2 * per_row, 2)]
    return grid(rows, [label_width, value_width] * per_row, styles, header_rows=0, commands=fills)


def signature_grid(roles: Sequence[str], styles: Styles, *, row_height: float = 24 * mm,
                   last_height: float | None = None, per_row: int = 2) -> Table:
    """Boxes to sign in, `per_row` to a row, each with its 日期 line; an odd last box spans the row (a seal)."""
    heights = [row_height] * ((len(roles) + per_row - 1) // per_row)
    if last_height:
        heights[-1] = last_height
    cells = [_signature_box(role, styles, heights[i // per_row], WIDTH / per_row) for i, role in enumerate(roles)]
    rows = [cells[i:i + per_row] for i in range(0, len(cells), per_row)]
    commands = [("VALIGN", (0, 0), (-1, -1), "TOP")]
    if len(rows[-1]) < per_row:
        if len(rows[-1]) == 1:   # one box alone in its row (a seal) spans it
            commands.append(("SPAN", (0, len(rows) - 1), (per_row - 1, len(rows) - 1)))
        rows[-1] += [""] * (per_row - len(rows[-1]))
    return grid(rows, [WIDTH / per_row] * per_row, styles, header_rows=0, commands=commands, heights=heights)


def _signature_box(role: str, styles: Styles, height: float, width: float) -> Table:
    """The role at the top, blank room to sign, and 日期 at the bottom of a box `height` tall in a column `width`
    wide."""
    line = 6 * mm
    inner = Table([[para(role, styles.text)], [""], [para(DATE_LINE, styles.text)]],
                  colWidths=[width - 8], rowHeights=[line, height - 2 * line - 6, line])
    inner.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), styles.font), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return inner


def line_width(text: str, size: float) -> float:
    """The width of `text` drawn in the font chain at `size` points."""
    return sum(stringWidth(run, face, size) for face, run in runs(text))


def draw_line(canvas: Canvas, x: float, y: float, text: str, size: float, align: float = 0,
              max_width: float | None = None) -> None:
    """One line of text on the canvas, each run in the font of the chain that draws it.

    `align` is the share of the text's width left of `x`: 0 starts it there, 0.5 centres it, 1 ends it there.
    A line wider than `max_width` is drawn smaller until it fits, so it never runs into its neighbour.
    """
    if max_width is not None and line_width(text, size) > max_width:
        size *= max_width / line_width(text, size)
    spans = [(face, run, stringWidth(run, face, size)) for face, run in runs(text)]
    x -= align * sum(width for _, _, width in spans)
    for face, run, width in spans:
        canvas.setFont(face, size)
        canvas.drawString(x, y, run)
        x += width


def page_decorator(title: str, basis: str, footer: str) -> Callable[[Canvas, int, int], None]:
    """Draws the running header (title, basis) and footer (reference, 第 x 页 共 y 页) of a page."""
    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        top = PAGE_HEIGHT - 13 * mm
        draw_line(canvas, PAGE_WIDTH / 2, top, title, 15, align=0.5)
        draw_line(canvas, PAGE_WIDTH / 2, top - 6 * mm, basis, 9.5, align=0.5, max_width=PAGE_WIDTH - 2 * MARGIN)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN, top - 9 * mm, PAGE_WIDTH - MARGIN, top - 9 * mm)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, 13 * mm, PAGE_WIDTH - MARGIN, 13 * mm)
        numbering = f"第 {page} 页 共 {pages} 页"
        draw_line(canvas, PAGE_WIDTH - MARGIN, 9 * mm, numbering, 9, align=1)
        room = PAGE_WIDTH - 2 * MARGIN - line_width(numbering, 9) - 6 * mm
        draw_line(canvas, MARGIN, 9 * mm, footer, 8, max_width=room)
        canvas.restoreState()
    return decorate


def numbered_canvas(decorate: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """A canvas that holds its pages until the end, so each can say how many pages there are."""
    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self):
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            for number, state in enumerate(self._held, 1):
                self.__dict__.update(state)
                decorate(self, number, len(self._held))
                super().showPage()
            super().save()
    return NumberedCanvas


def write_pdf(path: Path, build_story: Callable[[Styles], list], *, title: str, basis: str, footer: str,
              subject: str = "") -> None:
    """Lay out the story on numbered A4 pages and write it to `path` atomically."""
    font = sheet_font()
    styles = sheet_styles(font.name)
    story = build_story(styles)

    def write(tmp: Path) -> None:
        # A frame without padding, so that tables WIDTH wide line up with the header and footer rules.
        body = Frame(MARGIN, BOTTOM_MARGIN, WIDTH, PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN, id="body",
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc = BaseDocTemplate(str(tmp), pagesize=A4, pageTemplates=[PageTemplate("sheet", [body])],
                              title=title, subject=subject or basis, author=basis, creator="landcomp",
                              initialFontName=font.name)  # keeps an unembedded Helvetica out of the file
        doc.build(story, canvasmaker=numbered_canvas(page_decorator(title, basis, footer)))

    atomic_write(Path(path), write, "pdf")


def fmt_exact(value) -> str:
    """A figure results.py already rounded (亩, 万元 to 4 places), shown as is with thousands separators."""
    return f"{value:,}"


# The room a heading needs below it on its page: itself, a table's header row and its first two rows. With less
# left, the heading starts the next page (a heading alone at a page's foot had its table on the next).
HEADING_ROOM = 25 * mm


def heading(text: str, styles: Styles, room: float = HEADING_ROOM) -> list:
    """A heading, kept on the page of what follows it: on the next page when less than `room` is left here."""
    return [CondPageBreak(room), para(text, styles.heading), gap(1)]


def gap(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)
