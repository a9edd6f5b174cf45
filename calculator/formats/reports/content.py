"""What the two sheets show, as exact values in print order; the PDF and the workbook lay it out.

No arithmetic here: every figure is taken from the result objects, which work out each one once.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Iterable, Iterator

from calculator.core.amount_words import amount_in_words
from calculator.engine.case import fingerprint
from calculator.engine.compensation import RELOCATION_SECTION, CompensationResult, sheet_numbers
from calculator.core.errors import CaseErrors, InputError
from calculator.engine.landprice import (
    COEFFICIENT_LABELS, FLOOR_BY_COST, FORMULA_LINES, TERM, Corrections, ParcelPrice, PartPrice)
from calculator.engine.lines import where
from calculator.core.money import fmt_grouped, fmt_plain, fmt_quantity, fmt_rate
from calculator.engine.relocation import PART_NAMES, RelocationResult
from calculator.engine.remarks import line_remarks
from calculator.engine.replacement import AREA_LABELS
from calculator.formats.reports.fonts import uncovered

REMARK_SEPARATOR = "; "
TERM_PER_PART = "见下表"
NO_RATE = "—"
SUPERSEDED = "更正说明"   # the heading of SettlementSheet.superseded


@dataclass(frozen=True)
class SheetRow:
    """One printed line of the itemized table."""

    number: int
    name: str
    quantity: Decimal
    unit: str
    rate: Decimal
    amount: Decimal
    remarks: str
    counted: bool = True
    place: str = ""  # where the row comes from, as messages name it: items[2](第3行)「菜窖/砖石」


@dataclass(frozen=True)
class SheetSection:
    code: str
    heading: str
    rows: tuple[SheetRow, ...]
    subtotal: Decimal
    held: Decimal = Decimal("0.00")  # its disputed lines' amounts, printed among its rows and not in its subtotal

    @property
    def subtotal_label(self) -> str:
        """一(二) 院外建筑 小计, saying what of the rows above it is not in it: 小计(不含有争议 525.00)."""
        return f"{self.heading} 小计" + (f"(不含有争议 {fmt_grouped(self.held)})" if self.held else "")


@dataclass(frozen=True)
class ReplacementRow:
    name: str
    working: str
    ratio: str
    area: Decimal


@dataclass(frozen=True)
class Filing:
    """How a sheet names its case when the case is filed elsewhere (a project's household): its 案件编号 and
    测算日期 as printed. Shown only: the fingerprint stays that of the case as saved."""

    case_id: str
    assessed_on: str
    superseded: str = ""   # which signed sheet this one replaces, and why (calculator.app.stored_cases.replaced_sheet)


FOOTER_HEAD = 10   # characters of the 户主 a page's footer names (a longer name: its first 9 and …)


@dataclass(frozen=True)
class SettlementSheet:
    title: str
    basis: str
    case_id: str
    fingerprint: str
    schedule_version: str
    household: tuple[tuple[str, str], ...]
    sections: tuple[SheetSection, ...]
    disputed_total: Decimal
    disputed_reason: str
    total: Decimal
    total_words: str
    replacement: tuple[ReplacementRow, ...]
    replacement_total: Decimal | None
    superseded: str = ""   # printed under the household block: the signed sheet this one replaces, and why

    @property
    def reference(self) -> str:
        """The footer's case reference: 户主, case id, short fingerprint and schedule version (every page carries
        whose sheet it is: the signing page, taken apart from the first, named the family by code alone)."""
        case = f"案件编号 {self.case_id}" if self.case_id else "案件编号 (未填)"
        head = dict(self.household).get("户主", "")
        if len(head) > FOOTER_HEAD:   # cut short: the footer is shrunk to fit, and the 校验码 must stay legible
            head = head[:FOOTER_HEAD - 1] + "…"
        return f"{f'户主 {head}  ' if head else ''}{case}  校验码 {self.fingerprint}  标准 {self.schedule_version}"


def settlement_sheet(result: CompensationResult, filing: Filing | None = None) -> SettlementSheet:
    """The settlement sheet of a complete result (a result with problems is not printed), named as `filing` says
    (else by the case's own 案件编号 and 测算日期)."""
    if result.problems:
        raise InputError(f"测算有 {len(result.problems)} 处错误,不能出具结算单",
                         f"the case has {len(result.problems)} error(s); no settlement sheet is printed")
    schedule, case = result.schedule, result.case
    # 文水县人民政府's "文水县堡子片区…补偿标准" → "堡子片区…补偿结算单" (the county is in the basis line).
    county = schedule.issuer.removesuffix("人民政府")
    replacement = result.replacement
    filing = filing or Filing(case.case_id, case.assessed_on)
    sheet = SettlementSheet(
        title=schedule.title.removeprefix(county).removesuffix("标准") + "结算单",
        basis=f"{schedule.issuer} {schedule.document}", case_id=filing.case_id,
        fingerprint=fingerprint(case, schedule.version), schedule_version=schedule.version,
        household=tuple(_household(result, filing)), sections=tuple(_sections(result)),
        disputed_total=result.disputed_total, disputed_reason=schedule.disputed_reason,
        total=result.total, total_words=amount_in_words(result.total),
        replacement=tuple(_replacement(result)) if replacement else (),
        replacement_total=replacement.total_m2 if replacement else None, superseded=filing.superseded)
    # a line's typed texts first: a character is named in the field it was typed in, not again in the 备注 made of it
    refuse_unprintable(itertools.chain(_typed_texts(result), _settlement_texts(sheet)))
    return sheet


def refuse_unprintable(fields: Iterable[tuple[str, str]]) -> None:
    """InputError naming each field (户主, 地址 …) and character (U+XXXX) that no font of the sheets can draw.

    The PDF and the workbook are made from the same content and both refuse here, so no output is
    written for a case that one of them could not show. A character is named once for each place (a line: what
    precedes the field's label), in the first field given that holds it.
    """
    errors, said = [], set()
    for field, text in fields:
        place = field.rpartition(" ")[0] or field
        for char in uncovered(text):
            if (place, char) in said:
                continue
            said.add((place, char))
            code = f"U+{ord(char):04X}"
            shown = f"「{char}」({code})" if char.isprintable() else code
            errors.append(InputError(f"{field}中的字符{shown}没有字体能够打印,请改写或删去",
                                     f"no font can print the character {code} in {field}; rewrite or remove it"))
    if errors:
        raise CaseErrors(errors)


def _typed_texts(result: CompensationResult) -> Iterator[tuple[str, str]]:
    """Each line's texts typed by the user, each named by its field (超标准理由, 依据, 备注 …): the 备注 printed is made of
    them, and a character there that no font draws was said of 备注 whichever field held it."""
    for priced in result.lines:
        line = priced.line
        place = where(line.index, {"item": line.item.key})
        yield f"{place} 超标准理由", line.override_reason
        yield f"{place} 备注", line.note
        for name, value in line.params.items():
            if isinstance(value, str):
                yield f"{place} {result.schedule.params[name].label}", value


def _settlement_texts(sheet: SettlementSheet) -> Iterator[tuple[str, str]]:
    """Every text the settlement sheet shows, with the field a message names it by."""
    yield from sheet.household   # (not the 更正说明: its reason, stored and past changing, is drawn with any character
    # no font has as fonts.MISSING_MARK — refused, an emoji in it kept every later sheet of the household from printing)
    for section in sheet.sections:
        for row in section.rows:
            yield row.place, row.name
            yield f"{row.place} 备注", row.remarks
    schedule = [sheet.title, sheet.basis, sheet.disputed_reason, *(s.heading for s in sheet.sections),
                *(row.unit for s in sheet.sections for row in s.rows),
                *(text for part in sheet.replacement for text in (part.name, part.working, part.ratio))]
    yield "补偿标准", " ".join(schedule)


def _household(result: CompensationResult, filing: Filing) -> list[tuple[str, str]]:
    household, assessor = result.case.household, result.case.assessor
    return [("户主", household.get("head", "")), ("身份证号", household.get("id_number", "")),
            ("地址", household.get("address", "")), ("联系电话", household.get("phone", "")),
            ("评估机构", assessor.get("organisation", "")), ("评估人员", assessor.get("name", "")),
            ("测算日期", filing.assessed_on), ("案件编号", filing.case_id)]


def _sections(result: CompensationResult) -> list[SheetSection]:
    numbers = sheet_numbers(result.case, result.schedule)  # the 序号 the app's item table shows too
    sections, number = [], 0
    for code in result.schedule.sections:
        rows = []
        for priced in (p for p in result.lines if p.item.section == code):
            number = numbers[priced.line.index]
            rows.append(SheetRow(number, priced.item.key, priced.line.quantity, priced.item.unit, priced.rate,
                                 priced.amount, REMARK_SEPARATOR.join(line_remarks(priced)), priced.payable,
                                 where(priced.line.index, {"item": priced.item.key})))
        if code == RELOCATION_SECTION and result.relocation is not None:
            allowances = relocation_rows(result.relocation, number + 1)
            rows += allowances
            number += len(allowances)
        if rows:
            sections.append(SheetSection(code, result.schedule.heading(code), tuple(rows), result.subtotals[code],
                                         result.disputed_subtotals.get(code, Decimal("0.00"))))
    return sections


def relocation_rows(relocation: RelocationResult, first: int) -> list[SheetRow]:
    """三、搬迁与安置 as three printed rows: 搬迁补助, 临时安置补助 (months × per month), 搬迁奖励."""
    given = relocation.given
    area = f"建筑面积{fmt_quantity(given.building_area_m2)}m²"
    months = f"{relocation.months}个月 × {fmt_rate(relocation.temporary_per_month)}元/月"
    if given.extra_months:
        months += f"(含唯一住房确有困难增加{given.extra_months}个月)"
    incentive = relocation.incentive_note
    if given.paid_on and given.moved_on:
        incentive += f"(支付 {given.paid_on},搬迁 {given.moved_on})"
    return [
        SheetRow(first, PART_NAMES["moving"], Decimal(1), "户", relocation.moving, relocation.moving,
                 f"{area},一次性支付", place="relocation(搬迁安置)"),
        SheetRow(first + 1, PART_NAMES["temporary"], Decimal(relocation.months), "月", relocation.temporary_per_month,
                 relocation.temporary, f"{area}; {months}", place="relocation(搬迁安置)"),
        SheetRow(first + 2, PART_NAMES["incentive"], Decimal(1), "户", relocation.incentive, relocation.incentive,
                 incentive, place="relocation(搬迁安置)"),
    ]


def _replacement(result: CompensationResult) -> list[ReplacementRow]:
    rows = []
    for part in result.replacement.parts:
        spec = result.schedule.items[part.key].spec
        given = result.replacement.given
        working = f"{AREA_LABELS.get(spec.measure, spec.measure)} {fmt_quantity(given[spec.measure])} m²"
        if spec.deduct:   # R7's max(0, …): a difference below 0 is said so, never printed as equal to 0.00
            result_said = "为负,按 0.00 m² 计" if given[spec.deduct] > given[spec.measure] else f"= {fmt_quantity(part.base)} m²"
            working = (f"({working} − {AREA_LABELS.get(spec.deduct, spec.deduct)} "
                       f"{fmt_quantity(given[spec.deduct])} m²) {result_said}")
        rows.append(ReplacementRow(result.schedule.items[part.key].variety or part.key, working,
                                   f"1:{fmt_plain(part.ratio)}", part.area))
    return rows


@dataclass(frozen=True)
class PartRow:
    """One use of the parcel, with every figure the price sheet prints for it."""

    use: str
    table_name: str
    area_m2: Decimal
    area_mu: Decimal
    unit_price: Decimal
    wan_per_mu: Decimal
    total: Decimal
    total_wan: Decimal
    lower_unit: Decimal
    upper_unit: Decimal
    lower_total: Decimal
    upper_total: Decimal
    floor_unit: Decimal
    floor_total: Decimal
    note: str
    term_years: Decimal | None = None
    term_coefficient: Decimal | None = None
    statutory_years: int | None = None
    term_basis: str = ""
    corrected_unit: Decimal | None = None
    corrected_total: Decimal | None = None
    out_of_range: bool = False
    range_remark: str = ""   # calculator.engine.landprice.PartPrice.range_remark


@dataclass(frozen=True)
class PriceSheet:
    title: str
    subtitle: str
    basis: str
    valuation_date: str
    reference: str
    location: str
    grade: int
    parts: tuple[PartRow, ...]
    area_m2: Decimal
    area_mu: Decimal
    unit_price: Decimal
    wan_per_mu: Decimal
    total: Decimal
    total_wan: Decimal
    total_words: str
    lower_total: Decimal
    upper_total: Decimal
    floor_total: Decimal
    floor_pct: str
    floor_rule: str
    floor_basis: str
    benchmark_floor_total: Decimal
    cost_floor_total: Decimal | None
    correction_method: str
    formula: tuple[str, ...]
    coefficients: tuple[tuple[str, Decimal | str, str], ...]
    corrected_total: Decimal | None
    corrected_words: str | None
    corrected_unit_price: Decimal | None
    below_floor: bool
    tenure_basis: str
    area_note: str   # when an area is shown rounded (typed in 亩, or past two decimals): what each price is worked from

    @property
    def footer(self) -> str:
        return f"宗地编号 {self.reference or '(未填)'}  {self.basis}"

    @property
    def notes(self) -> tuple[str, ...]:
        """The table notes of the parts, each once (two parts of one use and grade share one)."""
        return tuple(dict.fromkeys(part.note for part in self.parts if part.note))


def price_sheet(price: ParcelPrice) -> PriceSheet:
    """The land price sheet: parts, range, 70% floor (or cost sum) and the correction chain."""
    table, corrections = price.table, price.parcel.corrections
    sheet = PriceSheet(
        title="宗地地价测算表", subtitle=table.title, basis=f"{table.issuer} {table.document}",
        valuation_date=table.valuation_date.isoformat(), reference=price.parcel.reference,
        location=price.parcel.location, grade=price.parcel.grade,
        parts=tuple(_part_row(price, part) for part in price.parts),
        area_m2=price.area_m2, area_mu=price.area_mu, unit_price=price.unit_price, wan_per_mu=price.wan_per_mu,
        total=price.total, total_wan=price.total_wan, total_words=amount_in_words(price.total),
        lower_total=price.lower_total, upper_total=price.upper_total, floor_total=price.floor_total,
        floor_pct=f"{table.floor_share:%}",
        floor_rule="成本之和" if price.floor_governed_by == FLOOR_BY_COST else f"基准地价的{table.floor_share:%}",
        floor_basis=table.floor_basis,
        benchmark_floor_total=price.benchmark_floor_total,
        cost_floor_total=price.parcel.cost_floor_total,
        correction_method=table.correction_method,
        formula=FORMULA_LINES if corrections is not None else (),
        coefficients=tuple(_coefficients(corrections)) if corrections is not None else (),
        corrected_total=price.corrected_total,
        corrected_words=None if price.corrected_total is None else amount_in_words(price.corrected_total),
        corrected_unit_price=price.corrected_unit_price, below_floor=price.below_floor,
        tenure_basis=table.tenure_basis, area_note=_area_note(price))
    refuse_unprintable(_price_texts(sheet))
    return sheet


def _area_note(price: ParcelPrice) -> str:
    """What the prices are worked from when an area is more than the two decimals of m² shown (2.5 亩 = 1,666.666…
    m², or 1000.125 m² typed): 1,666.67 × 833 is not the 1,388,333.33 printed beside it, and a hand check found it
    wrong."""
    if all(part.given.area_m2 == Fraction(part.area_m2) for part in price.parts):
        return ""
    per_mu = price.table.m2_per_mu
    return (f"注: 表中面积显示两位小数,各总价按未舍入的面积计算(以亩填写的按 1 亩 = {per_mu.numerator}/"
            f"{per_mu.denominator} m² 折算)")


def _price_texts(sheet: PriceSheet) -> Iterator[tuple[str, str]]:
    """Every text the land price sheet shows, with the field a message names it by."""
    yield "宗地编号", sheet.reference
    yield "坐落", sheet.location
    for label, _, basis in sheet.coefficients:
        yield f"corrections(修正系数)「{label}」依据", basis
    table = [sheet.title, sheet.subtitle, sheet.basis, sheet.valuation_date, sheet.floor_rule, sheet.floor_basis,
             sheet.correction_method, sheet.tenure_basis, *sheet.formula,
             *(str(value) for _, value, _ in sheet.coefficients),
             *(text for part in sheet.parts for text in (part.use, part.table_name, part.note, part.term_basis))]
    yield "基准地价表", " ".join(table)


def _part_row(price: ParcelPrice, part: PartPrice) -> PartRow:
    use = price.table.uses[part.given.use]
    correction = part.correction
    return PartRow(
        use=part.given.use, table_name=use.table, area_m2=part.area_m2, area_mu=part.area_mu,
        unit_price=part.unit_price, wan_per_mu=part.wan_per_mu, total=part.total, total_wan=part.total_wan,
        lower_unit=part.row.lower.yuan_per_m2, upper_unit=part.row.upper.yuan_per_m2,
        lower_total=part.lower_total, upper_total=part.upper_total,
        floor_unit=part.floor_unit_price, floor_total=part.floor_total,
        note=f"{part.given.use}{part.row.grade}级 公布幅度与价格不符: {part.row.discrepancy}" if part.row.discrepancy else "",
        term_years=correction.term_years if correction else None,
        term_coefficient=correction.rounded_term_coefficient if correction else None,
        statutory_years=correction.statutory_term_years if correction else None,
        term_basis=use.term_basis, corrected_unit=correction.unit_price if correction else None,
        corrected_total=correction.total if correction else None,
        out_of_range=bool(correction and correction.out_of_range), range_remark=part.range_remark)


def _coefficients(c: Corrections) -> list[tuple[str, Decimal | str, str]]:
    """(label, value, basis) of each coefficient; each part has its own term (a parcel-wide one only as their
    default), so the term's value points to the parts' table."""
    shown: dict[str, Decimal | str] = {
        "date_factor": c.date_factor, TERM: TERM_PER_PART,
        "reduction_rate": NO_RATE if c.reduction_rate is None else c.reduction_rate, "factor_pct": c.factor_pct,
        "other_factor": c.other_factor, "development_adjustment": c.shown_development_adjustment}
    return [(label, shown[name], c.bases.get(name, "")) for name, label in COEFFICIENT_LABELS.items()]
