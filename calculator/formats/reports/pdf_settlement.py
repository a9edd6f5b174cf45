"""征收补偿结算单: one household's settlement sheet as an A4 PDF."""
from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from calculator.engine.compensation import CompensationResult
from calculator.core.money import fmt_grouped, fmt_quantity, fmt_rate
from calculator.formats.reports.content import SUPERSEDED, Filing, SettlementSheet, settlement_sheet
from calculator.formats.reports.pdf_layout import (
    MUTED_FILL, SECTION_FILL, WIDTH, Styles, Text, gap, grid, heading, info_grid, para, signature_grid, write_pdf)

COLUMNS = ("序号", "种类/规格", "数量", "单位", "单价", "金额", "备注")
COLUMN_MM = (9, 45, 16, 11, 22, 25, 52)
NO_LINES = "(本户无补偿项目)"
SIGNATURES = ("被征收人(签字/按手印)", "评估人员", "经办人", "审核人", "凤城镇人民政府(盖章)")


def write_settlement_pdf(result: CompensationResult, path: Path, filing: Filing | None = None) -> None:
    """Write the settlement sheet of `result` to `path` (whole or not at all)."""
    sheet = settlement_sheet(result, filing)
    write_pdf(path, lambda styles: settlement_story(sheet, styles), title=sheet.title, basis=sheet.basis,
              footer=sheet.reference, subject=f"{sheet.case_id} {sheet.fingerprint}")


def settlement_story(sheet: SettlementSheet, styles: Styles) -> list:
    """Household block, itemized table, then the replacement area and the total kept with the signatures: the page
    the household signs shows both what it is paid and the new-home area it is owed (a 300-line case signed a page
    without its 184.00 m²)."""
    # a sheet replacing a signed one says so under the household block, across the page
    replaces = [info_grid([(SUPERSEDED, sheet.superseded)], styles, per_row=1)] if sheet.superseded else []
    story = [*heading("被征收户基本情况", styles), info_grid(sheet.household, styles), *replaces, gap(),
             *heading("补偿明细", styles), item_table(sheet, styles), gap()]
    owed = ([para("房屋面积置换", styles.heading), gap(1), replacement_table(sheet, styles), gap()]
            if sheet.replacement else [])
    story.append(KeepTogether([*owed, para("汇总", styles.heading), gap(1), subtotal_table(sheet, styles),
                               total_table(sheet, styles), gap(3),
                               para("签字确认", styles.heading), gap(1),
                               signature_grid(SIGNATURES, styles, row_height=26 * mm, last_height=42 * mm)]))
    return story


def item_table(sheet: SettlementSheet, styles: Styles):
    """The lines section by section, each closed by its 小计; the column header repeats per page."""
    rows = [[Text(name, styles.head) for name in COLUMNS]]
    commands = []
    for section in sheet.sections:
        at = len(rows)
        # a section's name is kept on the page of its first line (or of its 小计)
        commands += [("SPAN", (0, at), (-1, at)), ("BACKGROUND", (0, at), (-1, at), SECTION_FILL),
                     ("NOSPLIT", (0, at), (-1, at + 1))]
        rows.append([Text(section.heading, styles.section)] + [""] * (len(COLUMNS) - 1))
        for row in section.rows:
            if not row.counted:
                commands.append(("BACKGROUND", (0, len(rows)), (-1, len(rows)), MUTED_FILL))
            rows.append([Text(row.number, styles.centre), Text(row.name, styles.cell),
                         Text(fmt_quantity(row.quantity), styles.number), Text(row.unit, styles.centre),
                         Text(fmt_rate(row.rate), styles.number), Text(fmt_grouped(row.amount), styles.number),
                         Text(row.remarks, styles.cell)])
        # its 小计 on the page of its last line: a page began with the 小计 alone, its 13 lines on the page before
        commands += [("SPAN", (0, len(rows)), (4, len(rows))), ("NOSPLIT", (0, len(rows) - 1), (-1, len(rows)))]
        rows.append([Text(section.subtotal_label, styles.number)] + [""] * 4
                    + [Text(fmt_grouped(section.subtotal), styles.number), ""])
    if not sheet.sections:   # said, not left a bare header above a ¥0.00 the household signs
        commands.append(("SPAN", (0, 1), (-1, 1)))
        rows.append([Text(NO_LINES, styles.centre)] + [""] * (len(COLUMNS) - 1))
    return grid(rows, [w * mm for w in COLUMN_MM], styles, commands=commands)


def replacement_table(sheet: SettlementSheet, styles: Styles):
    """正房 1:1 and 宅基地 (证载 − 正房占地) × 0.4, and the total replacement area."""
    rows = [[Text(name, styles.head) for name in ("项目", "计算面积", "置换比例", "置换面积(m²)")]]
    for part in sheet.replacement:
        rows.append([Text(part.name, styles.centre), Text(part.working, styles.cell),
                     Text(part.ratio, styles.centre), Text(fmt_quantity(part.area), styles.number)])
    rows.append([Text("合计置换面积", styles.number), "", "", Text(fmt_quantity(sheet.replacement_total), styles.number)])
    return grid(rows, [25 * mm, WIDTH - 85 * mm, 25 * mm, 35 * mm], styles, commands=[("SPAN", (0, -1), (2, -1))])


def subtotal_table(sheet: SettlementSheet, styles: Styles):
    """Each section's subtotal once more, where the total can be checked against them."""
    rows = [[Text("章节", styles.head), Text("小计(元)", styles.head)]]
    rows += [[Text(section.heading, styles.cell), Text(fmt_grouped(section.subtotal), styles.number)]
             for section in sheet.sections]
    return grid(rows, [WIDTH - 45 * mm, 45 * mm], styles)


def total_table(sheet: SettlementSheet, styles: Styles):
    """The total in figures and in 大写, and the disputed amount held out of it (amounts kept in one column)."""
    rows = [[Text("补偿合计(小写)", styles.big), Text(f"¥{fmt_grouped(sheet.total)}", styles.big_number), ""],
            [Text("补偿合计(大写)", styles.big), Text(sheet.total_words, styles.big), ""]]
    commands = [("SPAN", (1, 0), (2, 0)), ("SPAN", (1, 1), (2, 1)), ("BACKGROUND", (0, 0), (0, -1), SECTION_FILL)]
    if sheet.disputed_total:
        rows.append([Text("有争议(不计入合计)", styles.cell), Text(sheet.disputed_reason, styles.cell),
                     Text(fmt_grouped(sheet.disputed_total), styles.number)])
    return grid(rows, [45 * mm, WIDTH - 90 * mm, 45 * mm], styles, header_rows=0, commands=commands)
