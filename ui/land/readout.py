"""What the land tab's labels say: the summary, the corrections written out, the notes.

Text only, from the figures of the priced parts and parcel (`calculator.engine.landprice`); nothing is
worked out here.
"""
from __future__ import annotations

from calculator.core.errors import CalculationError
from calculator.app.land_actions import DraftPrice, ParcelDraft
from calculator.engine.landprice import FLOOR_BY_BENCHMARK, FLOOR_BY_COST, ParcelPrice
from calculator.core.money import fmt_grouped, fmt_plain
from tables.land import LandTable
from ui.land.models import out_of_range
from ui.land_ranges import NOTE_MARK

FLOOR_TESTS = {FLOOR_BY_BENCHMARK: "基准地价70%", FLOOR_BY_COST: "成本之和"}
BLANK_HINT = ("在「地块」表中为每一部分选择用途并填写面积(m² 或 亩),选好土地级别,即在此显示测算结果。"
              "需要修正时勾选「宗地修正」,填写土地还原率和各部分的使用年期。")
SUMMARY_CAPTIONS = (("area", "总面积"), ("unit_price", "平均单价(元/m²)"), ("unit_price_wan", "平均单价(万元/亩)"),
                    ("total", "总价(元)"), ("total_wan", "总价(万元)"), ("range_total", "级别区间总价(元)"),
                    ("floor", "协议出让最低价(元)"), ("floor_governed_by", "最低价依据"),
                    ("corrected_unit_price", "修正单价(元/m²)"), ("corrected_total", "修正总价(元)"))


# The figures shown large.
HEADLINE = ("total", "corrected_total")
# Said in the caption of every figure summed or averaged over the parts while a part is left out of them.
PARTIAL = "(不完整)"


def caption(key: str, priced: DraftPrice) -> str:
    """The caption of the summary's figure `key`: a figure of the parts priced without one says so beside itself (a
    总价 of 165,000.00 in large type, its 509,400.00 parcel's other part said only in a line of red below)."""
    text = dict(SUMMARY_CAPTIONS)[key]
    partial = key != "floor_governed_by" and priced.price is not None and bool(priced.left_out)
    return f"{text}{PARTIAL if partial else ''}:"


def left_out_text(priced: DraftPrice) -> str:
    """The parts left out of the figures below, each with why, after a line saying the figures are partial."""
    if not priced.left_out:
        return ""
    lead = ["测算结果不完整,以下各项不含这些部分(改正前不能打印或导出):"] if priced.price is not None else []
    return "\n".join(lead + [problem.note for problem in priced.left_out])


def in_chinese(error: CalculationError) -> str:
    """The Chinese half of an error, or of each of several: the screen names fields by their labels."""
    return "\n".join(e.zh for e in getattr(error, "errors", [error]))


def statutory_terms(table: LandTable, draft: ParcelDraft) -> str:
    """The statutory maximum term of each use the parts name, with the provision that sets them."""
    uses = dict.fromkeys(p.use for p in draft.parts if p.use in table.uses)
    return "法定最高年期 n(" + table.tenure_basis + "): " + "; ".join(
        f"{u} {table.uses[u].statutory_term_years}年" for u in uses)


def summary_text(key: str, price: ParcelPrice | None) -> str:
    """The summary's figure `key` (one of SUMMARY_CAPTIONS), "—" without a price."""
    if price is None:
        return "—"
    if key == "area":
        return f"{fmt_grouped(price.area_m2)} m² / {price.area_mu} 亩"
    if key == "unit_price":
        return fmt_grouped(price.unit_price)
    if key == "unit_price_wan":
        return str(price.wan_per_mu)
    if key == "total":
        return fmt_grouped(price.total)
    if key == "total_wan":
        return str(price.total_wan)
    if key == "range_total":
        return f"{fmt_grouped(price.lower_total)} – {fmt_grouped(price.upper_total)}"
    if key == "floor":
        return fmt_grouped(price.floor_total)
    if key == "floor_governed_by":
        text = FLOOR_TESTS[price.floor_governed_by]
        if price.parcel.cost_floor_total is not None:
            text += (f"(70%: {fmt_grouped(price.benchmark_floor_total)};"
                     f" 成本之和: {fmt_grouped(price.parcel.cost_floor_total)})")
        return text
    if key in ("corrected_unit_price", "corrected_total"):
        value = getattr(price, key)
        return "—" if value is None else fmt_grouped(value)
    return "—"


PARTS_NOTED = 3   # the parts out of their range said one by one above the results table


def correction_lines(price: ParcelPrice) -> list[str]:
    """Each part's corrected unit price written out as the formula with its coefficients (corrections on)."""
    c = price.parcel.corrections
    lines = []
    for part in price.parts:
        k = part.correction
        rate = "" if c.reduction_rate is None else f", r={c.reduction_rate:f}"
        term = (f"K年期 = {k.rounded_term_coefficient}(m={fmt_plain(k.term_years)}年,"
                f" n={k.statutory_term_years}年{rate})")
        lines.append(f"{part.given.use}: {fmt_grouped(part.unit_price)} × K期日 {c.date_factor:f} × {term}"
                     f" × (1 + {c.factor_pct:f}%) × K其他 {c.other_factor:f} + {c.shown_development_adjustment:f}"
                     f" = {fmt_grouped(k.unit_price)} 元/m²")
    return lines


def correction_notes(price: ParcelPrice) -> list[str]:
    """A corrected total below the negotiated-transfer floor first (no price may go under it), then each part whose
    corrected unit price lies outside its grade's range, the first PARTS_NOTED of them: the others are counted, each
    marked in the table's 说明 (30 parts out of range put the floor's line 30 lines down, out of sight)."""
    notes = []
    if price.below_floor:
        notes.append(f"{NOTE_MARK} 修正后总价 {fmt_grouped(price.corrected_total)} 元低于协议出让最低价"
                     f" {fmt_grouped(price.floor_total)} 元:协议出让价不得低于最低价")
    outside = [p for p in price.parts if out_of_range(p)]
    notes += [f"{NOTE_MARK} {p.given.use} 修正单价 {fmt_grouped(p.correction.unit_price)} 元/m² 超出{price.parcel.grade}级区间"
              f" [{fmt_grouped(p.row.lower.yuan_per_m2)}, {fmt_grouped(p.row.upper.yuan_per_m2)}]:允许,但须在报告中说明理由"
              for p in outside[:PARTS_NOTED]]
    if len(outside) > PARTS_NOTED:
        notes.append(f"{NOTE_MARK} 另有 {len(outside) - PARTS_NOTED} 个部分的修正单价超出区间,见下表「说明」")
    return notes


def range_notes(table: LandTable, use: str) -> list[str]:
    """The grades of `use` whose published percentages disagree with their prices."""
    return [f"{NOTE_MARK} {r.grade}级: 公布的幅度与价格不符 — {r.discrepancy}"
            for r in table.rows.values() if r.use == use and r.discrepancy]
