"""Readable tables for the terminal (the CLI's default output), aligned for Chinese text."""
from __future__ import annotations

import unicodedata

from calculator.core.amount_words import amount_in_words
from calculator.engine.compensation import CompensationResult, sheet_numbers
from calculator.engine.landprice import (BELOW_FLOOR_SAID, BENCHMARK_TERM_READING, FLOOR_BY_COST, TERM_SHOWN,
                                         UNIT_PRICE_FORMULA, ParcelPrice)
from calculator.core.money import fmt_grouped, fmt_plain, fmt_quantity, fmt_rate
from calculator.engine.remarks import line_remarks


def width(text: str) -> int:
    """Columns a string takes on a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: list[list[str]], right: set[int]) -> str:
    """Rows as aligned columns; the columns in `right` are right-aligned (numbers)."""
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - width(cell))
            cells.append(pad + cell if i in right else cell + pad)
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def compensation_text(result: CompensationResult) -> str:
    """The itemized household result, section by section, with totals and warnings."""
    schedule, case = result.schedule, result.case
    lines = [f"{schedule.title} ({schedule.document})",
             f"户主: {case.household.get('head', '')}  地址: {case.household.get('address', '')}", ""]
    # 行: the line of the case file, as the messages and warnings name it (第24行); 序号: the line's on the sheet and in
    # the app's item table (by section), where a warning's line is looked for next
    numbers = sheet_numbers(case, schedule)
    rows = [["行", "序号", "种类/规格", "数量", "单位", "单价", "金额", "备注"]]
    for priced in result.lines:
        rows.append([str(priced.line.index + 1), str(numbers[priced.line.index]), priced.item.key,
                     fmt_quantity(priced.line.quantity), priced.item.unit, fmt_rate(priced.rate),
                     fmt_grouped(priced.amount), "; ".join(line_remarks(priced))])
    if len(rows) > 1:
        lines += [table(rows, {0, 1, 3, 5, 6}), ""]
    if result.relocation is not None:
        r = result.relocation
        lines += [f"搬迁补助 {fmt_grouped(r.moving)}   临时安置补助 {fmt_grouped(r.temporary)}"
                  f" ({r.months}个月 × {fmt_quantity(r.temporary_per_month)})   搬迁奖励 {fmt_grouped(r.incentive)}"
                  f" ({r.incentive_note})", ""]
    subtotal_rows = [[schedule.heading(section), fmt_grouped(value)]
                     for section, value in result.subtotals.items()]
    lines += [table(subtotal_rows, {1}), ""]
    if result.disputed_total:
        lines.append(f"有争议(不计入合计): {fmt_grouped(result.disputed_total)}")
    lines.append(f"合计: {fmt_grouped(result.total)}  {amount_in_words(result.total)}")
    if result.replacement is not None:
        lines.append(f"房屋面积置换: {fmt_quantity(result.replacement.total_m2)} m²")
    if result.warnings:
        lines += ["", "提示 / warnings:"] + [f"  - {w.message}" for w in result.warnings]
    return "\n".join(lines) + "\n"


def parcel_text(price: ParcelPrice) -> str:
    """The parcel's parts, totals, range, floor and corrections."""
    table_ = price.table
    lines = [f"{table_.title} ({table_.document}, 估价基准日 {table_.valuation_date})", f"级别: {price.parcel.grade}级", ""]
    rows = [["用途", "面积(m²)", "面积(亩)", "基准地价(元/m²)", "万元/亩", "总价(元)", "区间总价(元)", "70%底价(元)"]]
    for part in price.parts:
        rows.append([part.given.use, fmt_quantity(part.area_m2), str(part.area_mu), fmt_grouped(part.unit_price),
                     str(part.wan_per_mu), fmt_grouped(part.total),
                     f"{fmt_grouped(part.lower_total)}–{fmt_grouped(part.upper_total)}", fmt_grouped(part.floor_total)])
    lines += [table(rows, {1, 2, 3, 4, 5, 7}), ""]
    lines.append(f"总价: {fmt_grouped(price.total)} 元 ({price.total_wan} 万元)  {amount_in_words(price.total)}")
    lines.append(f"区间: {fmt_grouped(price.lower_total)} – {fmt_grouped(price.upper_total)} 元")
    lines.append(f"协议出让最低价: {fmt_grouped(price.floor_total)} 元"
                 + (" (成本之和)" if price.floor_governed_by == FLOOR_BY_COST else " (基准地价的70%)"))
    if price.corrected_total is not None:
        c = price.parcel.corrections
        lines.append("")
        lines.append(f"基准地价系数修正法: {UNIT_PRICE_FORMULA}")
        lines.append(f"  {BENCHMARK_TERM_READING};{TERM_SHOWN}")   # as the sheet and the JSON say it
        for part in price.parts:
            k = part.correction
            lines.append(f"  {part.given.use}: 使用年期 {fmt_plain(k.term_years)}年 K年期 {k.rounded_term_coefficient}"
                         f" (法定{k.statutory_term_years}年)"
                         f"  K期日 {c.date_factor:f}  因素修正 {c.factor_pct:f}%"   # as typed, as every output shows them
                         f"  K其他 {c.other_factor:f}  开发程度修正 {c.shown_development_adjustment:f}"
                         f" → {fmt_grouped(k.unit_price)} 元/m², {fmt_grouped(k.total)} 元"
                         + (f"  ⚠ {part.range_remark}" if k.out_of_range else ""))
        lines.append(f"修正后总价: {fmt_grouped(price.corrected_total)} 元  {amount_in_words(price.corrected_total)}"
                     + (f"  ⚠ {BELOW_FLOOR_SAID}" if price.below_floor else ""))
    notes = (f"注: {part.given.use}{part.row.grade}级 公布幅度与价格不符: {part.row.discrepancy}"
             for part in price.parts if part.row.discrepancy)
    lines += dict.fromkeys(notes)   # two parts of one use and grade: one note
    return "\n".join(lines) + "\n"
