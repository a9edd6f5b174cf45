"""A parcel priced from the 五台 2022 benchmark tables: benchmark, range, 70% floor, corrections.

Corrections follow 基准地价系数修正法 (GB/T 18508-2014):
宗地单价 = 基准地价 × K期日 × K年期 × (1 + Σ因素修正%) × K其他 + 开发程度修正,
K年期 = [1 − 1/(1+r)^m] / [1 − 1/(1+r)^n], n the use's statutory maximum term.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import tables
from calculator.errors import CaseErrors, CalculationError, InputError
from calculator.limits import check_text
from calculator.money import exact, round_money, to_decimal
from tables.land import GradeRow, LandTable

AREA_UNITS = {"area_m2": "m²", "area_mu": "亩"}
CORRECTION_FACTORS = ("date_factor", "factor_pct", "other_factor", "development_adjustment")
OUT_OF_RANGE = "out_of_range"
FLOOR_BY_BENCHMARK = "benchmark_70pct"
FLOOR_BY_COST = "cost_sum"


@dataclass(frozen=True)
class PartInput:
    use: str
    area_m2: Fraction
    entered: Decimal
    unit: str


@dataclass(frozen=True)
class Corrections:
    term_years: Decimal | None = None
    reduction_rate: Decimal | None = None
    date_factor: Decimal = Decimal(1)
    factor_pct: Decimal = Decimal(0)
    other_factor: Decimal = Decimal(1)
    development_adjustment: Decimal = Decimal(0)
    bases: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Parcel:
    grade: int
    parts: tuple[PartInput, ...]
    corrections: Corrections | None = None
    cost_floor_total: Decimal | None = None
    table: str = "wutai-2022"
    reference: str = ""
    location: str = ""


@dataclass(frozen=True)
class Correction:
    """The coefficients applied to one part, and the price they give."""

    term_coefficient: Decimal
    statutory_term_years: int
    unit_price: Decimal
    total: Decimal
    out_of_range: bool


@dataclass(frozen=True)
class PartPrice:
    given: PartInput
    row: GradeRow
    total: Decimal
    lower_total: Decimal
    upper_total: Decimal
    floor_total: Decimal
    correction: Correction | None

    @property
    def unit_price(self) -> Decimal:
        return self.row.benchmark.yuan_per_m2


@dataclass(frozen=True)
class ParcelPrice:
    table: LandTable
    parcel: Parcel
    parts: tuple[PartPrice, ...]
    area_m2: Fraction
    unit_price: Decimal
    total: Decimal
    lower_total: Decimal
    upper_total: Decimal
    benchmark_floor_total: Decimal
    floor_total: Decimal
    floor_governed_by: str
    corrected_total: Decimal | None


def parcel_from_dict(data: Any) -> Parcel:
    """Check a parcel file's object; errors name the part index and field."""
    if not isinstance(data, dict):
        raise InputError("地块文件应为 JSON 对象", "a parcel file must be a JSON object")
    if "parts" not in data and {"items", "household"} & set(data):
        raise InputError("这不是地块文件: 像是案例文件(一户的补偿测算)", "this is not a parcel file: it looks like a case file")
    known = {"table", "grade", "parts", "corrections", "cost_floor_total", "reference", "location"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"不接受字段 {', '.join(unknown)}", f"unknown field(s) {', '.join(unknown)}")
    grade = to_decimal(data.get("grade"), "级别/grade")
    if grade != grade.to_integral_value():
        raise InputError(f"级别应为整数,不是 {grade}", f"grade must be a whole number, not {grade}", "grade")
    parts = data.get("parts")
    if not isinstance(parts, list) or not parts:
        raise InputError("parts 应为非空列表", "parts must be a non-empty list", "parts")
    errors, read = [], []
    for index, part in enumerate(parts):
        try:
            read.append(_part(part))
        except CalculationError as error:
            errors.append(error.located(f"parts[{index}](第{index + 1}部分)"))
    if errors:
        raise CaseErrors(errors)
    cost = data.get("cost_floor_total")
    cost_floor = None if cost in (None, "") else _non_negative(cost, "cost_floor_total")
    corrections = data.get("corrections")
    return Parcel(grade=int(grade), parts=tuple(read), table=_text(data.get("table", "wutai-2022"), "table"),
                  corrections=None if corrections is None else _corrections(corrections),
                  cost_floor_total=cost_floor, reference=_text(data.get("reference", ""), "reference"),
                  location=_text(data.get("location", ""), "location"))


@exact
def price_parcel(parcel: Parcel, table: LandTable | None = None) -> ParcelPrice:
    """Every part at its own use's benchmark, then the parcel's sums, floor and corrections."""
    table = table or tables.load_land_table(parcel.table)
    errors, parts = [], []
    for index, part in enumerate(parcel.parts):
        try:
            parts.append(_price_part(table, parcel, part))
        except CalculationError as error:
            errors.append(error.located(f"parts[{index}](第{index + 1}部分)「{part.use}」"))
    if errors:
        raise CaseErrors(errors)
    area = sum((p.given.area_m2 for p in parts), Fraction(0))
    exact_total = sum((Fraction(p.unit_price) * p.given.area_m2 for p in parts), Fraction(0))
    benchmark_floor = sum((p.floor_total for p in parts), Decimal(0))
    governed_by = FLOOR_BY_BENCHMARK
    floor = benchmark_floor
    if parcel.cost_floor_total is not None and parcel.cost_floor_total > benchmark_floor:
        floor, governed_by = round_money(parcel.cost_floor_total), FLOOR_BY_COST
    corrected = (sum((p.correction.total for p in parts), Decimal(0))
                 if parcel.corrections is not None else None)
    return ParcelPrice(
        table=table, parcel=parcel, parts=tuple(parts), area_m2=area,
        unit_price=round_money(exact_total / area), total=sum((p.total for p in parts), Decimal(0)),
        lower_total=sum((p.lower_total for p in parts), Decimal(0)),
        upper_total=sum((p.upper_total for p in parts), Decimal(0)),
        benchmark_floor_total=benchmark_floor, floor_total=floor, floor_governed_by=governed_by,
        corrected_total=corrected)


def term_coefficient(term_years: Decimal, statutory_years: int, rate: Decimal) -> Decimal:
    """K年期 = [1 − 1/(1+r)^m] / [1 − 1/(1+r)^n], unrounded (40 significant digits)."""
    with localcontext() as ctx:
        ctx.prec = 40
        growth = 1 + rate
        value = (1 - 1 / growth ** term_years) / (1 - 1 / growth ** statutory_years)
    return +value


def _price_part(table: LandTable, parcel: Parcel, part: PartInput) -> PartPrice:
    row = table.row(part.use, parcel.grade)
    area = part.area_m2
    correction = None
    if parcel.corrections is not None:
        correction = _correct(row, table.use(part.use).statutory_term_years, area, parcel.corrections)
    return PartPrice(
        given=part, row=row,
        total=round_money(Fraction(row.benchmark.yuan_per_m2) * area),
        lower_total=round_money(Fraction(row.lower.yuan_per_m2) * area),
        upper_total=round_money(Fraction(row.upper.yuan_per_m2) * area),
        floor_total=round_money(Fraction(table.floor_share) * Fraction(row.benchmark.yuan_per_m2) * area),
        correction=correction)


def _correct(row: GradeRow, statutory: int, area: Fraction, c: Corrections) -> Correction:
    if c.term_years is None:
        k_term = Decimal(1)
    else:
        if not 0 < c.term_years <= statutory:
            raise InputError(f"使用年期应在 0 至法定最高年限 {statutory} 年之间,不是 {c.term_years}",
                             f"term_years must lie in (0, {statutory}], the use's statutory maximum; got {c.term_years}")
        k_term = term_coefficient(c.term_years, statutory, c.reduction_rate)
    # Exact (price_parcel runs in money.EXACT): K年期 is the one figure carried to 40 digits.
    unit = round_money(row.benchmark.yuan_per_m2 * c.date_factor * k_term * (1 + c.factor_pct / 100)
                       * c.other_factor + c.development_adjustment)
    if unit < 0:
        raise InputError("修正后单价为负数", "the corrected unit price is negative")
    outside = not row.lower.yuan_per_m2 <= unit <= row.upper.yuan_per_m2
    return Correction(k_term, statutory, unit, round_money(Fraction(unit) * area), outside)


def _part(part: Any) -> PartInput:
    if not isinstance(part, dict):
        raise InputError("应为对象", "must be an object")
    unknown = sorted(set(part) - {"use", *AREA_UNITS})
    if unknown:
        raise InputError(f"不接受字段 {', '.join(unknown)}", f"unknown field(s) {', '.join(unknown)}")
    use = part.get("use")
    if not isinstance(use, str) or not use:
        raise InputError("缺少用途 use", "missing use")
    given = [name for name in AREA_UNITS if part.get(name) not in (None, "")]
    if len(given) != 1:
        raise InputError("须填且只填一个面积: area_m2 或 area_mu", "give exactly one area: area_m2 or area_mu")
    name = given[0]
    value = to_decimal(part[name], name)
    if value <= 0:
        raise InputError(f"面积应为正数,不是 {value}", f"area must be positive, not {value}")
    area = Fraction(value) if name == "area_m2" else Fraction(value) * Fraction(10000, 15)
    return PartInput(use, area, value, AREA_UNITS[name])


def _corrections(data: Any) -> Corrections:
    if not isinstance(data, dict):
        raise InputError("corrections 应为对象", "corrections must be an object", "corrections")
    known = {"term_years", "reduction_rate", "basis", *CORRECTION_FACTORS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"corrections 不接受字段 {', '.join(unknown)}", f"corrections takes no field {', '.join(unknown)}")
    values = {}
    for name in ("term_years", "reduction_rate", *CORRECTION_FACTORS):
        if data.get(name) not in (None, ""):
            values[name] = to_decimal(data[name], f"corrections.{name}")
    if ("term_years" in values) != ("reduction_rate" in values):
        raise InputError("年期修正须同时填写 term_years 与 reduction_rate(土地还原率)",
                         "a term correction needs both term_years and reduction_rate", "corrections")
    rate = values.get("reduction_rate")
    if rate is not None and not 0 < rate < 1:
        raise InputError(f"土地还原率应为 0 与 1 之间的小数(如 0.06),不是 {rate}",
                         f"reduction_rate must be a fraction between 0 and 1 (e.g. 0.06), not {rate}", "corrections")
    for name in ("date_factor", "other_factor"):
        if name in values and values[name] <= 0:
            raise InputError(f"{name} 应为正数", f"{name} must be positive", "corrections")
    if values.get("factor_pct", 0) <= -100:
        raise InputError("factor_pct 应大于 -100", "factor_pct must be above -100", "corrections")
    bases = data.get("basis", {})
    if not isinstance(bases, dict) or not all(isinstance(v, str) for v in bases.values()):
        raise InputError("basis 应为 {系数: 依据} 对象", "basis must map coefficient names to text", "corrections")
    for name, text in bases.items():
        check_text(text, "basis", f"corrections.basis.{name}")
    return Corrections(**values, bases=dict(bases))


def _non_negative(value: Any, what: str) -> Decimal:
    number = to_decimal(value, what)
    if number < 0:
        raise InputError(f"{what} 不能为负数", f"{what} must not be negative", what)
    return number


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise InputError("应为文字", "must be text", what)
    return check_text(value, what, what)
