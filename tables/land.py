"""The 五台 2022 benchmark land price tables: loaded from TOML and checked cell by cell."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from tables.rows import DataFileError, DataRow, read_toml, refuse_unknown_tables


@dataclass(frozen=True)
class Price:
    """One published price: 元/m², 万元/亩 and, for the limits, the published percentage."""

    yuan_per_m2: Decimal
    wan_per_mu: Decimal
    pct: Decimal | None = None


@dataclass(frozen=True)
class GradeRow:
    use: str
    grade: int
    upper: Price
    benchmark: Price
    lower: Price
    discrepancy: str = ""


@dataclass(frozen=True)
class Use:
    key: str
    table: str
    statutory_term_years: int
    term_basis: str


@dataclass(frozen=True)
class LandTable:
    id: str
    version: str
    title: str
    issuer: str
    document: str
    notice: str
    issued: dt.date
    valuation_date: dt.date
    m2_per_mu: Fraction
    floor_share: Decimal
    floor_basis: str
    tenure_basis: str
    correction_method: str
    uses: dict[str, Use]
    rows: dict[tuple[str, int], GradeRow]

    @property
    def grades(self) -> tuple[int, ...]:
        return tuple(sorted({grade for _, grade in self.rows}))

    def wan_per_mu(self, yuan_per_m2: Decimal | Fraction) -> Fraction:
        """元/m² → 万元/亩, exactly."""
        return Fraction(yuan_per_m2) * self.m2_per_mu / 10000


def read_land_table(path: Path) -> LandTable:
    """Parse and check the land tables; a broken one raises DataFileError naming file and row."""
    name = path.name
    data = read_toml(path)
    refuse_unknown_tables(data, ("schedule", "discrepancy", "use", "grade"), name)
    head = DataRow(data.get("schedule", {}), name, "[schedule]")
    numerator, _, denominator = head.text("square_metres_per_mu").partition("/")
    try:
        m2_per_mu = Fraction(int(numerator), int(denominator or 1))
    except ValueError:
        raise head.error("square_metres_per_mu 应写成 10000/15", "square_metres_per_mu must read like 10000/15") from None
    uses = {}
    for index, raw in enumerate(data.get("use", [])):
        row = DataRow(raw, name, f"use[{index}]")
        use = Use(row.text("key"), row.text("table"), row.integer("statutory_term_years"), row.text("term_basis"))
        row.text("table1_heading", "")
        row.refuse_unread()
        uses[use.key] = use
    discrepancies = {}
    for index, raw in enumerate(data.get("discrepancy", [])):
        row = DataRow(raw, name, f"discrepancy[{index}]")
        discrepancies[(row.text("use"), row.integer("grade"))] = row.text("note")
        row.refuse_unread()
    rows = {}
    for index, raw in enumerate(data.get("grade", [])):
        row = DataRow(raw, name, f"grade[{index}] {raw.get('use', '')} {raw.get('grade', '')}级")
        grade_row = _read_grade(row, uses, m2_per_mu, discrepancies)
        if (grade_row.use, grade_row.grade) in rows:
            raise row.error("重复的级别行", "duplicate grade row")
        rows[(grade_row.use, grade_row.grade)] = grade_row
    unused = set(discrepancies) - set(rows)
    if unused:
        raise DataFileError(f"差异说明指向不存在的行: {sorted(unused)}", f"discrepancy for a missing row: {sorted(unused)}", name)
    _check_grid(rows, uses, name)
    table = LandTable(
        id=head.text("id"), version=head.text("version"), title=head.text("title"), issuer=head.text("issuer"),
        document=head.text("document"), notice=head.text("notice"), issued=head.date("issued"),
        valuation_date=head.date("valuation_date"), m2_per_mu=m2_per_mu,
        floor_share=head.decimal("negotiated_floor_share"), floor_basis=head.text("negotiated_floor_basis"),
        tenure_basis=head.text("tenure_basis"), correction_method=head.text("correction_method"),
        uses=uses, rows=rows)
    head.refuse_unread()
    return table


def _read_grade(row: DataRow, uses: dict[str, Use], m2_per_mu: Fraction,
                discrepancies: dict[tuple[str, int], str]) -> GradeRow:
    use, grade = row.text("use"), row.integer("grade")
    if use not in uses:
        raise row.error(f"未知用途 {use!r}", f"unknown use {use!r}")

    def price(field: str, with_pct: bool) -> Price:
        cells = row.raw(field)
        if not isinstance(cells, list) or len(cells) != (3 if with_pct else 2):
            raise row.error(f"{field} 的格数不对", f"{field} has the wrong number of cells")
        values = [row.to_decimal(c, field) for c in cells]
        published = Price(*values)
        computed = _as_printed(Fraction(published.yuan_per_m2) * m2_per_mu / 10000, 1)
        if computed != published.wan_per_mu:
            raise row.error(f"{field}: {published.yuan_per_m2} 元/m² 应为 {computed} 万元/亩,表中为 {published.wan_per_mu}",
                            f"{field}: {published.yuan_per_m2} yuan/m² is {computed} wan/mu, the table says {published.wan_per_mu}")
        return published

    upper, benchmark, lower = price("upper", True), price("benchmark", False), price("lower", True)
    if not lower.yuan_per_m2 < benchmark.yuan_per_m2 < upper.yuan_per_m2:
        raise row.error("应有 下限 < 基准地价 < 上限", "expected lower < benchmark < upper")
    base = Fraction(benchmark.yuan_per_m2)
    mismatched = [
        f"{label} {limit.pct}% (按价格计 {computed}%)"
        for label, limit in (("上调幅度", upper), ("下调幅度", lower))
        if (computed := _as_printed((Fraction(limit.yuan_per_m2) / base - 1) * 100, 2)) != limit.pct]
    note = discrepancies.get((use, grade), "")
    if mismatched and not note:
        raise row.error(f"公布的幅度与价格不符: {'; '.join(mismatched)}",
                        f"published percentages do not follow from the prices: {'; '.join(mismatched)}")
    if note and not mismatched:
        raise row.error("列为差异的行其实相符", "a row listed as a discrepancy actually matches")
    row.refuse_unread()
    return GradeRow(use, grade, upper, benchmark, lower, note)


def _as_printed(value: Fraction, places: int) -> Decimal:
    """`value` as the tables print their 万元/亩 and percentages: half-up (四舍五入) to `places` decimals.
    Only the published figures are checked with it; money is rounded by calculator.core.money alone."""
    whole = math.floor(abs(value) * 10**places + Fraction(1, 2))
    return Decimal(whole if value >= 0 else -whole).scaleb(-places)


def _check_grid(rows: dict[tuple[str, int], GradeRow], uses: dict[str, Use], name: str) -> None:
    """Every use has every grade, and grade n+1's upper limit is grade n's lower limit."""
    grades = sorted({grade for _, grade in rows})
    for use in uses:
        for grade in grades:
            if (use, grade) not in rows:
                raise DataFileError(f"缺少 {use} {grade}级", f"missing {use} grade {grade}", name)
        for grade, following in zip(grades, grades[1:]):
            lower, upper = rows[(use, grade)].lower, rows[(use, following)].upper
            if lower.yuan_per_m2 != upper.yuan_per_m2:
                raise DataFileError(
                    f"{use} {following}级上限 {upper.yuan_per_m2} 不等于 {grade}级下限 {lower.yuan_per_m2}",
                    f"{use} grade {following} upper limit {upper.yuan_per_m2} is not grade {grade}'s lower limit "
                    f"{lower.yuan_per_m2}", f"{name} {use}")

