"""宗地地价测算表: one parcel's benchmark land price as an A4 PDF."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from calculator.engine.landprice import BELOW_FLOOR_SAID, TERM_SHOWN, ParcelPrice
from calculator.core.money import fmt_grouped, fmt_plain
from calculator.formats.reports.content import PriceSheet, price_sheet
from calculator.formats.reports.pdf_layout import (
    SECTION_FILL, WIDTH, Styles, Text, fmt_exact, gap, grid, heading, info_grid, para, signature_grid, write_pdf)

SIGNATURES = ("测算人", "审核人", "测算单位(盖章)")   # in one row: the sheet of a parcel of two parts stays one page


def write_price_pdf(price: ParcelPrice, path: Path) -> None:
    """Write the land price sheet of `price` to `path` (whole or not at all)."""
    sheet = price_sheet(price)
    write_pdf(path, lambda styles: price_story(sheet, styles), title=sheet.title,
              basis=f"{sheet.subtitle}  {sheet.basis}  估价基准日 {sheet.valuation_date}", footer=sheet.footer,
              subject=sheet.reference)


def price_story(sheet: PriceSheet, styles: Styles) -> list:
    """Parcel block, benchmark by use, range and 70% floor, corrections, notes; result with signatures."""
    story = [*heading("宗地基本情况", styles), info_grid(_parcel_fields(sheet), styles), gap(),
             *heading("基准地价测算", styles), benchmark_table(sheet, styles),
             *([gap(1), para(sheet.area_note, styles.note)] if sheet.area_note else []), gap(),
             *heading("级别区间与协议出让最低价", styles), range_table(sheet, styles), gap(1),
             *floor_notes(sheet, styles), gap()]
    if sheet.corrected_total is not None:
        story += [*heading(f"宗地地价修正:{sheet.correction_method}", styles),
                  *[para(line, styles.text) for line in sheet.formula], gap(1),
                  coefficient_table(sheet, styles), gap(2), correction_table(sheet, styles), gap()]
    if sheet.notes:
        story += [*heading("表注", styles), *[para(f"注: {note}", styles.note) for note in sheet.notes], gap()]
    story.append(KeepTogether([para("测算结果", styles.heading), gap(1), result_grid(sheet, styles), gap(3),
                               signature_grid(SIGNATURES, styles, row_height=16 * mm, per_row=3)]))
    return story


def _parcel_fields(sheet: PriceSheet) -> list[tuple[str, str]]:
    return [("宗地编号", sheet.reference), ("坐落", sheet.location), ("土地级别", f"{sheet.grade}级"),
            ("估价基准日", sheet.valuation_date),
            ("总面积", f"{fmt_grouped(sheet.area_m2)} m²({fmt_exact(sheet.area_mu)} 亩)"),
            ("用途", "、".join(dict.fromkeys(part.use for part in sheet.parts)))]  # each use once


def benchmark_table(sheet: PriceSheet, styles: Styles):
    """Each use's area (m², 亩), benchmark (元/m², 万元/亩) and total (元, 万元), and the parcel's sums."""
    head = ("用途", "面积(m²)", "面积(亩)", "基准地价(元/m²)", "基准地价(万元/亩)", "总价(元)", "总价(万元)")
    rows = [[Text(name, styles.head) for name in head]]
    for part in sheet.parts:
        rows.append([Text(f"{part.use}\n{part.table_name}", styles.cell), *_numbers(styles, (
            fmt_grouped(part.area_m2), fmt_exact(part.area_mu), fmt_grouped(part.unit_price),
            fmt_exact(part.wan_per_mu), fmt_grouped(part.total), fmt_exact(part.total_wan)))])
    rows.append([Text("合计 / 平均单价", styles.cell), *_numbers(styles, (
        fmt_grouped(sheet.area_m2), fmt_exact(sheet.area_mu), fmt_grouped(sheet.unit_price),
        fmt_exact(sheet.wan_per_mu), fmt_grouped(sheet.total), fmt_exact(sheet.total_wan)))])
    return grid(rows, [54 * mm, 20 * mm, 16 * mm, 22 * mm, 22 * mm, 26 * mm, 20 * mm], styles,
                commands=[("BACKGROUND", (0, -1), (-1, -1), SECTION_FILL)])


def range_table(sheet: PriceSheet, styles: Styles):
    """The grade's range (元/m² and totals) and the negotiated-transfer floor of each use."""
    head = ("用途", "区间下限(元/m²)", "区间上限(元/m²)", "区间总价(元)", f"{sheet.floor_pct}单价(元/m²)", f"{sheet.floor_pct}底价(元)")
    rows = [[Text(name, styles.head) for name in head]]
    for part in sheet.parts:
        rows.append([Text(part.use, styles.cell), *_numbers(styles, (
            fmt_grouped(part.lower_unit), fmt_grouped(part.upper_unit),
            f"{fmt_grouped(part.lower_total)} – {fmt_grouped(part.upper_total)}",
            fmt_grouped(part.floor_unit), fmt_grouped(part.floor_total)))])
    rows.append([Text("合计", styles.cell), "", "", Text(
        f"{fmt_grouped(sheet.lower_total)} – {fmt_grouped(sheet.upper_total)}", styles.number), "",
        Text(fmt_grouped(sheet.benchmark_floor_total), styles.number)])
    return grid(rows, [34 * mm, 24 * mm, 24 * mm, 46 * mm, 24 * mm, 28 * mm], styles,
                commands=[("BACKGROUND", (0, -1), (-1, -1), SECTION_FILL)])


def floor_notes(sheet: PriceSheet, styles: Styles) -> list:
    """Which floor governs: 70% of the benchmark or, when given and higher, the cost sum."""
    lines = [f"协议出让最低价: {fmt_grouped(sheet.floor_total)} 元(按{sheet.floor_rule})"]
    if sheet.cost_floor_total is not None:
        lines.append(f"基准地价的{sheet.floor_pct}: {fmt_grouped(sheet.benchmark_floor_total)} 元;"
                     f"成本之和: {fmt_grouped(sheet.cost_floor_total)} 元;取较高者,由{sheet.floor_rule}决定")
    return [para(line, styles.text) for line in lines] + [para(f"依据: {sheet.floor_basis}", styles.note)]


def coefficient_table(sheet: PriceSheet, styles: Styles):
    """Every coefficient of the correction chain with the value used and its basis, two to a row."""
    head = [Text(name, styles.head) for name in ("修正系数", "取值", "依据")]
    rows = [head + head]
    # a value as typed, never with an exponent (1E+1 for a 因素修正 of 10%)
    cells = [[Text(label, styles.cell), Text(format(value, "f") if isinstance(value, Decimal) else value, styles.number),
              Text(basis, styles.cell)] for label, value, basis in sheet.coefficients]
    for pair in (cells[i:i + 2] for i in range(0, len(cells), 2)):
        rows.append(pair[0] + (pair[1] if len(pair) > 1 else ["", "", ""]))
    return grid(rows, [31 * mm, 17 * mm, WIDTH / 2 - 48 * mm] * 2, styles)


def correction_table(sheet: PriceSheet, styles: Styles):
    """Each use's term m, statutory term n and K年期, and the corrected unit price and total, flagged when
    outside the grade's range."""
    head = ("用途", "使用年期 m", "法定最高年期 n", "K年期", "修正后单价(元/m²)", "修正后总价(元)", "备注")
    rows = [[Text(name, styles.head) for name in head]]
    for part in sheet.parts:
        rows.append([Text(part.use, styles.cell), Text(f"{fmt_plain(part.term_years)}年", styles.number),
                     Text(f"{part.statutory_years}年({part.term_basis})", styles.cell),
                     *_numbers(styles, (str(part.term_coefficient), fmt_grouped(part.corrected_unit),
                                        fmt_grouped(part.corrected_total))), Text(part.range_remark, styles.cell)])
    rows.append([Text("合计 / 平均单价", styles.cell), "", "", "", Text(fmt_grouped(sheet.corrected_unit_price),
                                                                  styles.number),
                 Text(fmt_grouped(sheet.corrected_total), styles.number), ""])
    rows.append([Text(f"法定最高年期依据: {sheet.tenure_basis};{TERM_SHOWN}", styles.note)] + [""] * 6)
    return grid(rows, [26 * mm, 20 * mm, 38 * mm, 20 * mm, 26 * mm, 28 * mm, WIDTH - 158 * mm], styles,
                commands=[("BACKGROUND", (0, -2), (-1, -2), SECTION_FILL), ("SPAN", (0, -1), (-1, -1))])


def result_grid(sheet: PriceSheet, styles: Styles):
    """The figures the sheet concludes with, each total beside its 大写."""
    pairs = [("基准地价总价", f"{fmt_grouped(sheet.total)} 元({fmt_exact(sheet.total_wan)} 万元)"),
             ("大写", sheet.total_words),
             ("级别区间总价", f"{fmt_grouped(sheet.lower_total)} – {fmt_grouped(sheet.upper_total)} 元"),
             ("协议出让最低价", f"{fmt_grouped(sheet.floor_total)} 元(按{sheet.floor_rule})")]
    if sheet.corrected_total is not None:
        pairs += [("修正后宗地总价", f"{fmt_grouped(sheet.corrected_total)} 元"
                                f"(平均 {fmt_grouped(sheet.corrected_unit_price)} 元/m²)"
                                + (f",{BELOW_FLOOR_SAID}" if sheet.below_floor else "")),
                  ("大写", sheet.corrected_words)]
    return info_grid(pairs, styles, label_width=27 * mm)


def _numbers(styles: Styles, texts: tuple[str, ...]) -> list:
    return [Text(text, styles.number) for text in texts]

