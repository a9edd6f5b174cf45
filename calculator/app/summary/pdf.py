"""项目汇总与审计 as an A4 PDF: headline figures, the charts, and every view's table, in the sheets' fonts.

Laid out with the settlement sheet's helpers (calculator.formats.reports.pdf_layout): numbered pages with a
running header, ruled tables whose header repeats, text in the font chain (embedded). Long lists —
超标准单价, 搬迁奖励 by household, the outliers' lines — stop at LIST_ROWS rows on paper, saying how
many more the workbook holds.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Table as Grid

from calculator.formats.reports.pdf_layout import (
    CELL_PADDING, SECTION_FILL, WIDTH, Styles, Text, gap, grid, heading, info_grid, line_width, para, signature_grid,
    write_pdf,
)
from calculator.core.money import fmt_grouped
from calculator.app.summary import charts
from calculator.app.summary.audit import POSITIONS
from calculator.app.summary.model import TEXT, Summary, Table, abnormal_table, outlier_table, shown

LIST_ROWS = 200
SIGNATURES = ("编制人", "审核人", "负责人(单位盖章)")
TEXT_COLUMN_MOST = 60 * mm  # a text column wider than this wraps
TEXT_COLUMN_LEAST = 12 * mm
KEEP_WITH_NEXT = 40 * mm  # the least room a table's title needs below it for the start of its table
SECTION_HEADING = 12 * mm  # a section's heading above that
HEADING_WHOLE = 3  # characters of a column heading that never wrap
RATE_KEYS = ("assessor", "item", "range", "lines", *(key for key, _ in POSITIONS), "mean_position", "ceiling_share",
             "over_mid", "overrides")
OUTLIER_KEYS = ("household", "head", "measure", "direction", "per_m2", "median", "score", "item", "amount",
                "line_per_m2", "line_median")


def write_summary_pdf(summary: Summary, path: Path) -> None:
    """The summary as an A4 PDF at `path`, whole or not at all. A character no font of the chain draws (an emoji in
    one household's 户主) is drawn as fonts.MISSING_MARK: refused, it kept the project's summary from ever being
    printed once that household was paid and could no longer be changed."""
    write_pdf(path, lambda styles: summary_story(summary, styles), title=f"{summary.project} 汇总与审计",
              basis=f"{summary.dated}  ·  金额取自经核验的当前版本,数据异常住户单列不计",
              footer=f"landcomp 项目汇总与审计 · {summary.project}")


def summary_story(summary: Summary, styles: Styles) -> list:
    """概况, 金额, 资金预测, 单价审计, 异常户 — each with its charts and tables."""
    words = para(f"补偿合计(大写):{summary.total_words}", styles.text)
    # a report for 指挥部, 财政 and 审计 is signed for — who made it, who checked it, the office's seal — on the page of
    # the figures it vouches for (at the end, it stood alone on a last page)
    signed = signature_grid(SIGNATURES, styles, row_height=18 * mm, per_row=3)
    story = _section("概况", styles, [info_grid(_headline(summary), styles, per_row=3), gap(1), words, gap(2), signed,
                                    gap()])
    story += _money(summary, styles)
    story += _section("资金预测", styles, [*table_flow(summary.forecast, styles),
                                        *table_flow(summary.incentives, styles, limit=LIST_ROWS)])
    story += _rates(summary, styles)
    story += _outliers(summary, styles)
    return story


def _section(title: str, styles: Styles, flows: list) -> list:
    """A section's heading, on the page of what follows it (with room for a table's title and first rows)."""
    return [*heading(title, styles, KEEP_WITH_NEXT + SECTION_HEADING), *flows]


def _headed(title: list, body) -> list:
    """A heading and what it heads, beginning on the next page when less than KEEP_WITH_NEXT is left here (a
    heading was left alone at a page's foot); a body taller than the room left is split as before."""
    return [CondPageBreak(KEEP_WITH_NEXT), *title, body]


def _headline(summary: Summary) -> list[tuple[str, str]]:
    return [("住户", f"{summary.households} 户"), ("计入金额", f"{summary.counted} 户"),
            ("数据异常", f"{len(summary.abnormal)} 户(不计入)"), ("补偿合计", f"{fmt_grouped(summary.total)} 元"),
            ("已支付", f"{fmt_grouped(summary.paid)} 元"), ("未支付", f"{fmt_grouped(summary.owed)} 元"),
            ("有争议未计入", f"{fmt_grouped(summary.disputed)} 元"),
            ("置换面积", f"{fmt_grouped(summary.replacement_m2)} m²"), ("资金预测截至", str(summary.as_of))]


def _money(summary: Summary, styles: Styles) -> list:
    sections = summary.by_section
    section_chart = charts.bars("按章节(元)", [key if name == key else f"{key} {name}" for key, name in zip(
        sections.column("section"), sections.column("name"))], sections.column("amount"), WIDTH / 2 - 3 * mm)
    statuses = [row for row in summary.by_status.rows if row[2] is not None]
    status_chart = charts.bars("按状态(元)", [f"{row[0]}({row[1]}户)" for row in statuses],
                               [row[2] for row in statuses], WIDTH / 2 - 3 * mm, charts.STATUS_COLOUR)
    side_by_side = Grid([[section_chart, status_chart]], colWidths=[WIDTH / 2] * 2, hAlign="LEFT",
                        style=[("FONTNAME", (0, 0), (-1, -1), styles.font), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    story = _section("金额", styles, [side_by_side, gap(2), *table_flow(summary.by_status, styles),
                                    *table_flow(summary.by_section, styles), *table_flow(summary.by_place, styles)])
    if summary.abnormal:
        story += table_flow(abnormal_table(summary.abnormal), styles)
    return story


def _rates(summary: Summary, styles: Styles) -> list:
    by_assessor = summary.rates_by_assessor
    counts = [[row[by_assessor.columns.index(column)] for column in by_assessor.columns if column.key in dict(POSITIONS)]
              for row in by_assessor.rows]
    chart = charts.positions("单价在标准区间中的位置·按评估人", by_assessor.column("assessor") if by_assessor.rows else [],
                             counts, [heading for _, heading in POSITIONS], WIDTH)
    return _section("单价取值(审计)", styles, [
        chart, gap(2), *table_flow(by_assessor, styles, RATE_KEYS), *table_flow(summary.rates_by_item, styles, RATE_KEYS),
        *table_flow(summary.overrides, styles, limit=LIST_ROWS)])


def _outliers(summary: Summary, styles: Styles) -> list:
    measures = summary.outlier_measures
    total = measures.rows[0] if measures.rows else None
    story = []
    if total is not None:
        story += [charts.distribution("合计每平方米建筑面积补偿的分布", [(value, mark) for _, value, mark in summary.per_m2],
                                      total[2], (total[5], total[6]), WIDTH), gap(2)]
    story += table_flow(measures, styles)
    story += table_flow(outlier_table(summary.outliers), styles, OUTLIER_KEYS, limit=LIST_ROWS)
    story += table_flow(summary.same_id_number, styles, limit=LIST_ROWS)
    return _section("异常户", styles, story)


def table_flow(table: Table, styles: Styles, keys: Iterable[str] | None = None, limit: int | None = None) -> list:
    """A view's table on paper: its title, the ruled grid (the chosen columns, at most `limit` rows), its note."""
    wanted = set(keys) if keys is not None else None
    at = [i for i, column in enumerate(table.columns) if wanted is None or column.key in wanted]
    columns = [table.columns[i] for i in at]
    rows = list(table.rows[:limit] if limit is not None else table.rows)
    texts = [[shown(row[i], table.columns[i].kind) for i in at] for row in rows]
    if table.total is not None:
        texts.append([shown(table.total[i], table.columns[i].kind) for i in at])
    title = [para(table.title, styles.section), gap(1)]
    if not rows:
        return [*_headed(title, para("(无)", styles.cell)), gap()]
    widths = _widths(columns, texts, styles)
    cells = [[Text(column.heading, styles.head) for column in columns]]
    cells += [[Text(value, styles.cell if column.kind == TEXT else styles.number) for column, value in zip(columns, values)]
              for values in texts]
    commands = []
    if table.total is not None:
        commands.append(("BACKGROUND", (0, len(cells) - 1), (-1, len(cells) - 1), SECTION_FILL))
    flow = _headed(title, grid(cells, widths, styles, commands=commands))
    more = len(table.rows) - len(rows)
    notes = ([table.note] if table.note else []) + ([f"另有 {more} 行未印出,见 Excel 工作簿。"] if more > 0 else [])
    flow += [gap(1), *(para(note, styles.note) for note in notes), gap()]
    return flow


def _widths(columns: Sequence, texts: list[list[str]], styles: Styles) -> list[float]:
    """Column widths from what they hold (a heading may wrap to two lines): figures keep theirs, text columns
    take up what is left of the page's width or give way (down to TEXT_COLUMN_LEAST), the widest first: a short
    column (a 户主, a 状态) keeps its width while a long 说明 wraps (shrunk alike, 康卫东 broke as 康卫/东)."""
    natural, text = [], []
    for i, column in enumerate(columns):
        widest = max([line_width(row[i], styles.cell.fontSize) for row in texts] + [0]) + CELL_PADDING + 1
        heading = max(line_width(part, styles.head.fontSize) for part in heading_lines(column.heading)) + CELL_PADDING + 1
        natural.append(min(max(widest, heading), TEXT_COLUMN_MOST) if column.kind == TEXT else max(widest, heading))
        text.append(column.kind == TEXT)
    fixed = sum(width for width, is_text in zip(natural, text) if not is_text)
    flexible = sum(width for width, is_text in zip(natural, text) if is_text)
    room = WIDTH - fixed
    if flexible and room >= TEXT_COLUMN_LEAST * sum(text):
        if flexible <= room:
            return [width * room / flexible if is_text else width for width, is_text in zip(natural, text)]
        most = _level(sorted(width for width, is_text in zip(natural, text) if is_text), room)
        return [min(width, most) if is_text else width for width, is_text in zip(natural, text)]
    return [width * WIDTH / sum(natural) for width in natural]


def heading_lines(heading: str) -> tuple[str, ...]:
    """How a column's heading may wrap: into two lines of whole characters, the first the longer; one of at most
    HEADING_WHOLE characters stays whole (half its width broke 户数 as 户/数, 金额(元) as 金/额(/元))."""
    if len(heading) <= HEADING_WHOLE:
        return (heading,)
    half = (len(heading) + 1) // 2
    return heading[:half], heading[half:]


def _level(widths: list[float], room: float) -> float:
    """The most any of `widths` (ascending) may keep for them all to fit in `room`: those narrower keep theirs."""
    for count, width in enumerate(widths):
        share = room / (len(widths) - count)
        if width > share:
            return share
        room -= width
    return widths[-1]
