"""A parcel priced from the 五台 2022 benchmark tables: benchmark, range, 70% floor, corrections.

Corrections follow 基准地价系数修正法 (GB/T 18508-2014):
宗地单价 = 基准地价 × K期日 × K年期 × (1 + Σ因素修正%) × K其他 + 开发程度修正,
K年期 = [1 − 1/(1+r)^m] / [1 − 1/(1+r)^n], n the use's statutory maximum term, m the part's own
使用年期 (`parts[i].term_years`; by default n, so K年期 = 1).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from calculator.core.errors import CaseErrors, CalculationError, InputError
from calculator.core.limits import MAX_AMOUNT, PARCEL_MAX_PARTS, check_text
from calculator.core.money import exact, fmt_plain, fmt_quantity, round_money, to_decimal
from calculator.engine.schedules import load_land_table
from tables.land import GradeRow, LandTable, Use

AREA_UNITS = {"area_m2": "m²", "area_mu": "亩"}
TERM = "term_years"
# The Chinese half of a message names a field by its label; the English half by the file's name for it.
FIELD_LABELS = {"area_m2": "面积", "area_mu": "面积", TERM: "使用年期", "reduction_rate": "土地还原率",
                "date_factor": "期日修正系数", "factor_pct": "因素修正", "other_factor": "其他修正系数",
                "development_adjustment": "开发程度修正", "cost_floor_total": "成本之和"}
CORRECTION_FACTORS = ("date_factor", "factor_pct", "other_factor", "development_adjustment")
# The most each correction may be, as a size (development_adjustment either way): no published correction table comes
# near (K期日 and K其他 near 1, Σ% within some tens, 开发程度 some tens of 元/m²), and past it a figure is a slip, never a
# correction: "1,050" typed for 1.050 read as K期日 1050, and the sheet priced the land at 516,600.00 元/m².
CORRECTION_LIMITS = {"date_factor": Decimal(5), "other_factor": Decimal(5), "factor_pct": Decimal(400),
                     "development_adjustment": Decimal(10000)}
OUT_OF_RANGE = "out_of_range"
# The parcel's corrected total below its 协议出让最低价: a negotiated transfer may not be priced there (令第21号 第五条).
BELOW_FLOOR = "below_negotiated_floor"
BELOW_FLOOR_SAID = "低于协议出让最低价(协议出让价不得低于最低价)"
FLOOR_BY_BENCHMARK = "benchmark_70pct"
FLOOR_BY_COST = "cost_sum"
# The correction chain as every output states it (宗地单价 = …), the reading of its benchmark, and K年期.
UNIT_PRICE_FORMULA = "基准地价 × K期日 × K年期 × (1 + 因素修正%) × K其他 + 开发程度修正"
BENCHMARK_TERM_READING = "基准地价为法定最高年期下的价格"
# K年期 is shown to this many decimals and used unrounded: the sheet says so, or a hand check of 833 × 0.955312
# (795.77) finds a cent against the sheet's 795.78 (TERM_SHOWN, beside the parts' K年期).
TERM_SHOWN_PLACES = 6
TERM_SHOWN = f"K年期显示 {TERM_SHOWN_PLACES} 位小数,计算用其未舍入值"
TERM_FORMULA = "K年期 = [1 − 1/(1+r)^m] / [1 − 1/(1+r)^n],m 为该部分使用年期,n 为该用途法定最高出让年期"
FORMULA_LINES = (f"宗地单价 = {UNIT_PRICE_FORMULA}", BENCHMARK_TERM_READING, TERM_FORMULA)
# Each coefficient of the chain, in the formula's order, as the sheets and the app label it.
COEFFICIENT_LABELS = {
    "date_factor": "K期日(期日修正系数)", TERM: "使用年期 m(年)", "reduction_rate": "土地还原率 r",
    "factor_pct": "因素修正 Σ(%)", "other_factor": "K其他(其他修正系数)", "development_adjustment": "开发程度修正(元/m²)",
}


@dataclass(frozen=True)
class PartInput:
    use: str
    area_m2: Fraction
    entered: Decimal
    unit: str
    term_years: Decimal | None = None  # the part's own 使用年期; None: the parcel-wide one, else the maximum


@dataclass(frozen=True)
class Corrections:
    # The parcel-wide 使用年期 of files written before each part had its own: it still applies to every
    # part that gives none (parts[i].term_years wins).
    term_years: Decimal | None = None
    reduction_rate: Decimal | None = None
    date_factor: Decimal = Decimal(1)
    factor_pct: Decimal = Decimal(0)
    other_factor: Decimal = Decimal(1)
    development_adjustment: Decimal = Decimal(0)
    bases: dict[str, str] = field(default_factory=dict)

    @property
    def shown_development_adjustment(self) -> Decimal:
        """开发程度修正 as every output shows it: to the fen, or with the further decimals it carries (12.345, as the
        price uses it: shown 12.35, a sheet checked by hand came a fen per m² off)."""
        return Decimal(fmt_quantity(self.development_adjustment))


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

    term_years: Decimal
    term_coefficient: Decimal
    statutory_term_years: int
    unit_price: Decimal
    total: Decimal
    out_of_range: bool

    @property
    def rounded_term_coefficient(self) -> Decimal:
        """K年期 to TERM_SHOWN_PLACES decimals, as every output shows it (the price uses it unrounded)."""
        return round_money(self.term_coefficient, TERM_SHOWN_PLACES)


@dataclass(frozen=True)
class PartPrice:
    """One part at its use's benchmark, with every figure the outputs show (亩, 万元 to four places)."""

    given: PartInput
    row: GradeRow
    area_m2: Decimal
    area_mu: Decimal
    wan_per_mu: Decimal  # the benchmark in 万元/亩
    total: Decimal
    total_wan: Decimal
    lower_total: Decimal
    upper_total: Decimal
    floor_unit_price: Decimal  # the negotiated-transfer floor per m²
    floor_total: Decimal
    correction: Correction | None

    @property
    def unit_price(self) -> Decimal:
        return self.row.benchmark.yuan_per_m2

    @property
    def corrected_unit_price(self) -> Decimal | None:
        return None if self.correction is None else self.correction.unit_price

    @property
    def corrected_total(self) -> Decimal | None:
        return None if self.correction is None else self.correction.total

    @property
    def range_remark(self) -> str:
        """Where the corrected unit price lies against the grade's range, as every output says it (short: one line of
        the price sheet's narrow 备注 column); "" without corrections."""
        if self.correction is None:
            return ""
        if not self.correction.out_of_range:
            return "在区间内"
        return "低于区间下限" if self.correction.unit_price < self.row.lower.yuan_per_m2 else "高于区间上限"


@dataclass(frozen=True)
class ParcelPrice:
    """The parcel's sums over its parts; `unit_price` and `corrected_unit_price` are the averages per m²."""

    table: LandTable
    parcel: Parcel
    parts: tuple[PartPrice, ...]
    exact_area_m2: Fraction
    area_m2: Decimal
    area_mu: Decimal
    unit_price: Decimal
    wan_per_mu: Decimal
    total: Decimal
    total_wan: Decimal
    lower_total: Decimal
    upper_total: Decimal
    benchmark_floor_total: Decimal
    floor_total: Decimal
    floor_governed_by: str
    corrected_total: Decimal | None
    corrected_unit_price: Decimal | None

    @property
    def below_floor(self) -> bool:
        """Whether the corrected total lies below the negotiated-transfer floor (BELOW_FLOOR): allowed as a price,
        but a transfer by agreement may not go below the floor, and every output says so."""
        return self.corrected_total is not None and self.corrected_total < self.floor_total


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
    if data.get("grade") in (None, ""):
        raise InputError("缺少土地级别", "missing grade", "grade")
    grade = to_decimal(data["grade"], "grade", "土地级别")
    if grade != grade.to_integral_value():
        raise InputError(f"级别应为整数,不是 {grade}", f"grade must be a whole number, not {grade}", "grade")
    parts = data.get("parts")
    if not isinstance(parts, list) or not parts:
        raise InputError("地块至少要有一个部分", "parts must be a non-empty list", "parts")
    if len(parts) > PARCEL_MAX_PARTS:
        raise InputError(f"地块最多分 {PARCEL_MAX_PARTS} 个部分,此文件有 {len(parts)} 个",
                         f"a parcel has at most {PARCEL_MAX_PARTS} parts; this one has {len(parts)}", "parts")
    errors, read = [], []
    for index, part in enumerate(parts):
        try:
            read.append(part_from_dict(part))
        except CalculationError as error:
            errors.append(error.located(f"parts[{index}](第{index + 1}部分)"))
    if errors:
        raise CaseErrors(errors)
    cost = data.get("cost_floor_total")
    cost_floor = None if cost in (None, "") else _non_negative(cost, "cost_floor_total")
    if cost_floor is not None and round_money(cost_floor) >= MAX_AMOUNT:   # said of the parcel's totals, never of it
        raise InputError(f"成本之和 {cost_floor:,.2f} 元超过上限 {MAX_AMOUNT:,.0f} 元,请核对",
                         f"cost_floor_total {cost_floor:,.2f} is too large (the limit is {MAX_AMOUNT:,.0f})",
                         "cost_floor_total")
    corrections = data.get("corrections")
    return Parcel(grade=int(grade), parts=tuple(read), table=_text(data.get("table", "wutai-2022"), "table"),
                  corrections=None if corrections is None else _corrections(corrections),
                  cost_floor_total=cost_floor, reference=_text(data.get("reference", ""), "reference"),
                  location=_text(data.get("location", ""), "location"))


@exact
def price_parcel(parcel: Parcel, table: LandTable | None = None) -> ParcelPrice:
    """Every part at its own use's benchmark, then the parcel's sums, floor and corrections."""
    table = table or load_land_table(parcel.table)
    check_grade(table, parcel.grade)
    errors, parts = [], []
    for index, part in enumerate(parcel.parts):
        try:
            parts.append(price_part(table, parcel, part))
        except CalculationError as error:
            errors.append(error.located(f"parts[{index}](第{index + 1}部分)「{part.use}」"))
    if errors:
        raise CaseErrors(errors)
    area = sum((p.given.area_m2 for p in parts), Fraction(0))
    exact_total = sum((Fraction(p.unit_price) * p.given.area_m2 for p in parts), Fraction(0))
    benchmark_floor = sum((p.floor_total for p in parts), Decimal(0))
    governed_by = FLOOR_BY_BENCHMARK
    floor = benchmark_floor
    # compared as printed, to the fen: a 成本之和 of 34,440.004 governed a floor printed 34,440.00 either way
    cost = None if parcel.cost_floor_total is None else round_money(parcel.cost_floor_total)
    if cost is not None and cost > benchmark_floor:
        floor, governed_by = cost, FLOOR_BY_COST
    corrected = (sum((p.correction.total for p in parts), Decimal(0))
                 if parcel.corrections is not None else None)
    unit_price, total = round_money(exact_total / area), sum((p.total for p in parts), Decimal(0))
    upper = sum((p.upper_total for p in parts), Decimal(0))
    largest = max(upper, floor, corrected or 0)
    if largest >= MAX_AMOUNT:  # as a household's total: past any parcel, and past what 大写 can write
        raise InputError(f"金额过大: {largest:,.2f} 元,超过上限 {MAX_AMOUNT:,.0f} 元,请核对面积和修正系数",
                         f"the amount {largest:,.2f} is too large (the limit is {MAX_AMOUNT:,.0f}); "
                         "check the areas and the coefficients")
    return ParcelPrice(
        table=table, parcel=parcel, parts=tuple(parts), exact_area_m2=area, area_m2=round_money(area),
        area_mu=_four(area / table.m2_per_mu), unit_price=unit_price, wan_per_mu=_four(table.wan_per_mu(unit_price)),
        total=total, total_wan=_four(Fraction(total) / 10000),
        lower_total=sum((p.lower_total for p in parts), Decimal(0)), upper_total=upper,
        benchmark_floor_total=benchmark_floor, floor_total=floor, floor_governed_by=governed_by,
        corrected_total=corrected,
        corrected_unit_price=None if corrected is None else round_money(Fraction(corrected) / area))


def term_coefficient(term_years: Decimal, statutory_years: int, rate: Decimal) -> Decimal:
    """K年期 = [1 − 1/(1+r)^m] / [1 − 1/(1+r)^n], unrounded (40 significant digits).

    The subtractions cancel about as many digits as r has zeros after the point (and a few more): K is worked with
    that many digits beyond 40, so it is right to 40 however small r is (1e-40, which no officer means but a file
    may hold, gives the limit m/n)."""
    with localcontext() as ctx:
        ctx.prec = 44 + max(0, -rate.adjusted())
        growth = 1 + rate
        value = (1 - 1 / growth ** term_years) / (1 - 1 / growth ** statutory_years)
        ctx.prec = 40
        return +value


def check_grade(table: LandTable, grade: int) -> None:
    """An input error when `table` has no `grade`: the parcel's, said once, never once for each part."""
    if grade not in table.grades:
        raise InputError(f"土地级别应为 {'、'.join(map(str, table.grades))},不是 {grade}",
                         f"grade must be one of {', '.join(map(str, table.grades))}, not {grade}", "grade")


@exact
def price_part(table: LandTable, parcel: Parcel, part: PartInput) -> PartPrice:
    """One part at its use's benchmark of the parcel's grade, corrected when the parcel has corrections."""
    use = _use(table, part.use)
    row = _grade_row(table, part.use, parcel.grade)
    area = part.area_m2
    term = part_term(part, use.statutory_term_years, parcel.corrections)
    correction = None
    if parcel.corrections is not None:
        correction = _correct(row, use.statutory_term_years, term, area, parcel.corrections)
    benchmark = Fraction(row.benchmark.yuan_per_m2)
    total = round_money(benchmark * area)
    return PartPrice(
        given=part, row=row, area_m2=round_money(area), area_mu=_four(area / table.m2_per_mu),
        wan_per_mu=_four(table.wan_per_mu(benchmark)), total=total, total_wan=_four(Fraction(total) / 10000),
        lower_total=round_money(Fraction(row.lower.yuan_per_m2) * area),
        upper_total=round_money(Fraction(row.upper.yuan_per_m2) * area),
        floor_unit_price=round_money(Fraction(table.floor_share) * benchmark),
        floor_total=round_money(Fraction(table.floor_share) * benchmark * area),
        correction=correction)


def _four(value: Fraction) -> Decimal:
    """亩 and 万元 figures are shown to four decimals."""
    return round_money(value, 4)


def _use(table: LandTable, key: str) -> Use:
    """The use `key`, or an input error on the part's use naming the known uses."""
    if key not in table.uses:
        raise InputError(f"未知用途「{key}」,应为 {'、'.join(table.uses)}",
                         f"unknown use {key!r}; expected one of {', '.join(table.uses)}", "use")
    return table.uses[key]


def _grade_row(table: LandTable, use: str, grade: int) -> GradeRow:
    """The published row of `use` at `grade`, or an input error naming the grades."""
    if (use, grade) not in table.rows:
        raise InputError(f"级别应为 {'、'.join(map(str, table.grades))},不是 {grade}",
                         f"grade must be one of {', '.join(map(str, table.grades))}, not {grade}")
    return table.rows[(use, grade)]


def part_term(part: PartInput, statutory: int, corrections: Corrections | None) -> Decimal:
    """The 使用年期 m of a part: its own, else the parcel-wide one, else its use's statutory maximum."""
    parcel_wide = corrections.term_years if corrections is not None else None
    term = next((t for t in (part.term_years, parcel_wide) if t is not None), Decimal(statutory))
    name = TERM if part.term_years is not None or parcel_wide is None else f"corrections.{TERM}"
    if not 0 < term <= statutory:
        raise InputError(f"使用年期应在 0 至{part.use}法定最高年期 {statutory} 年之间,不是 {fmt_plain(term)} 年",
                         f"{name} must lie in (0, {statutory}], the use's statutory maximum; got {term}", TERM)
    if term < statutory and (corrections is None or corrections.reduction_rate is None):
        raise InputError(f"使用年期 {fmt_plain(term)} 年短于法定最高年期 {statutory} 年,年期修正须填写土地还原率",
                         f"{name} {term} is below the statutory {statutory} years: the term correction needs "
                         "corrections.reduction_rate", TERM)
    return term


def _correct(row: GradeRow, statutory: int, term: Decimal, area: Fraction, c: Corrections) -> Correction:
    k_term = Decimal(1) if term == statutory else term_coefficient(term, statutory, c.reduction_rate)
    # Exact (price_parcel runs in money.EXACT): K年期 is the one figure carried to 40 digits.
    exact_unit = (row.benchmark.yuan_per_m2 * c.date_factor * k_term * (1 + c.factor_pct / 100) * c.other_factor
                  + c.development_adjustment)
    unit = round_money(exact_unit)
    if unit <= 0:  # -0.00 and 0.00 too: a land price that rounds to nothing is a coefficient typed wrong
        shown = fmt_plain(round_money(exact_unit, 4))
        raise InputError(f"修正后单价应为正数,按所填系数为 {shown} 元/m²,请核对修正系数",
                         f"the corrected unit price must be positive; the coefficients give {shown} per m²")
    outside = not row.lower.yuan_per_m2 <= unit <= row.upper.yuan_per_m2
    return Correction(term, k_term, statutory, unit, round_money(Fraction(unit) * area), outside)


def part_from_dict(part: Any) -> PartInput:
    """Check one part of a parcel file; an error's `where` names the field (use, area_m2, term_years)."""
    if not isinstance(part, dict):
        raise InputError("应为对象", "must be an object")
    unknown = sorted(set(part) - {"use", TERM, *AREA_UNITS})
    if unknown:
        raise InputError(f"不接受字段 {', '.join(unknown)}", f"unknown field(s) {', '.join(unknown)}")
    use = part.get("use")
    if use is None or use == "":
        raise InputError("缺少用途", "missing use", "use")
    if not isinstance(use, str):   # 1 was said to be missing
        raise InputError("用途应为文字(如 住宅用地)", "use must be text (e.g. 住宅用地)", "use")
    given = [name for name in AREA_UNITS if part.get(name) not in (None, "")]
    if len(given) != 1:
        raise InputError("未填面积" if not given else "面积只能填一个(m² 或 亩)",
                         "give exactly one area: area_m2 or area_mu", "/".join(AREA_UNITS))
    name = given[0]
    value = _number(part[name], name, name)
    if value <= 0:
        raise InputError(f"面积应为正数,不是 {value}", f"area must be positive, not {value}", name)
    area = Fraction(value) if name == "area_m2" else Fraction(value) * Fraction(10000, 15)
    if round_money(area) <= 0:   # shown and summed as 0.00 m², priced at 0.00: a slip, as a price of 0.00 is
        raise InputError(f"面积 {fmt_plain(value)} {AREA_UNITS[name]} 四舍五入为 0.00 m²,请核对",
                         f"the area {fmt_plain(value)} {AREA_UNITS[name]} rounds to 0.00 m²; please check", name)
    term = None if part.get(TERM) in (None, "") else _number(part[TERM], TERM, TERM)
    if term is not None and term <= 0:
        raise InputError(f"使用年期应为正数,不是 {term}", f"term_years must be positive, not {term}", TERM)
    return PartInput(use, area, value, AREA_UNITS[name], term)


def _corrections(data: Any) -> Corrections:
    if not isinstance(data, dict):
        raise InputError("corrections 应为对象", "corrections must be an object", "corrections")
    known = {TERM, "reduction_rate", "basis", *CORRECTION_FACTORS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"corrections 不接受字段 {', '.join(unknown)}", f"corrections takes no field {', '.join(unknown)}")
    values = {}
    given = data.get("reduction_rate")
    if isinstance(given, str) and given.strip().endswith(("%", "％")):   # 6% is no number here: said how to write it
        raise InputError(f"土地还原率请写作小数(如 6% 写作 0.06),不是「{given.strip()}」",
                         f"reduction_rate is written as a fraction (6% as 0.06), not {given.strip()!r}",
                         "corrections.reduction_rate")
    for name in (TERM, "reduction_rate", *CORRECTION_FACTORS):
        if data.get(name) not in (None, ""):
            values[name] = _number(data[name], name, f"corrections.{name}")
    # A term without reduction_rate is refused per part, where it is below the use's maximum (part_term); one that is
    # no term at all, here, even when every part gives its own (the result shows it all the same).
    if values.get(TERM, 1) <= 0:
        raise InputError(f"使用年期应为正数,不是 {values[TERM]}", f"term_years must be positive, not {values[TERM]}",
                         f"corrections.{TERM}")
    rate = values.get("reduction_rate")
    if rate is not None and not 0 < rate < 1:
        raise InputError(f"土地还原率应为 0 与 1 之间的小数(如 0.06),不是 {rate}",
                         f"reduction_rate must be a fraction between 0 and 1 (e.g. 0.06), not {rate}",
                         "corrections.reduction_rate")   # at its field: the app marks it there, not in the banner alone
    for name in ("date_factor", "other_factor"):
        if name in values and values[name] <= 0:
            raise InputError(f"{FIELD_LABELS[name]}应为正数", f"{name} must be positive", f"corrections.{name}")
    if values.get("factor_pct", 0) <= -100:
        raise InputError("因素修正应大于 -100%", "factor_pct must be above -100", "corrections.factor_pct")
    for name, most in CORRECTION_LIMITS.items():
        if name in values and abs(values[name]) > most:
            shown = fmt_plain(values[name])
            raise InputError(f"{FIELD_LABELS[name]} {shown} 超过上限 {fmt_plain(most)},请核对(小数点请用“.”,如 1.05)",
                             f"{name} {shown} is past the most a correction may be ({fmt_plain(most)}); please check "
                             "(a decimal point is written '.', e.g. 1.05)", f"corrections.{name}")
    bases = data.get("basis", {})
    if not isinstance(bases, dict) or not all(isinstance(v, str) for v in bases.values()):
        raise InputError("basis 应为 {系数: 依据} 对象", "basis must map coefficient names to text", "corrections")
    unknown = [name for name in bases if name not in COEFFICIENT_LABELS]  # a basis nobody would see printed
    if unknown:
        raise InputError(f"basis 中的「{unknown[0][:40]}」不是修正系数;应为 {'、'.join(COEFFICIENT_LABELS)} 之一",
                         f"basis names no coefficient {unknown[0][:40]!r}; expected one of "
                         f"{', '.join(COEFFICIENT_LABELS)}", "corrections.basis")
    for name, text in bases.items():
        check_text(text, "basis", f"corrections.basis.{name}")
    return Corrections(**values, bases=dict(bases))


def _non_negative(value: Any, name: str) -> Decimal:
    number = _number(value, name, name)
    if number < 0:
        raise InputError(f"{FIELD_LABELS[name]}不能为负数", f"{name} must not be negative", name)
    return number


def _number(value: Any, name: str, where: str) -> Decimal:
    """`value` as an exact Decimal; a refusal names the field by its label in Chinese, its name in English."""
    label = FIELD_LABELS[name]
    try:
        return to_decimal(value, label)
    except InputError as error:
        raise InputError(error.zh, error.en.replace(label, name), where) from None


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise InputError("应为文字", "must be text", what)
    return check_text(value, what, what)
