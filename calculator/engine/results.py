"""Results as the JSON objects of interfaces.md: money as strings with exactly two decimals."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from calculator.core.amount_words import amount_in_words
from calculator.engine.case import fingerprint
from calculator.engine.compensation import CompensationResult
from calculator.engine.landprice import (BELOW_FLOOR, BENCHMARK_TERM_READING, OUT_OF_RANGE, TERM_SHOWN_PLACES,
                                         UNIT_PRICE_FORMULA, ParcelPrice, PartPrice)
from calculator.engine.lines import PricedLine
from calculator.core.money import fmt_money, fmt_plain, fmt_quantity, round_money


def compensation_json(result: CompensationResult, canonical: str | None = None) -> dict[str, Any]:
    """The compensation result contract, extended with provenance and the worked figures (`canonical`: the
    case's canonical JSON when the caller has already made it)."""
    relocation = result.relocation
    return {
        "schedule": result.schedule.id,
        "schedule_version": result.schedule.version,
        "fingerprint": fingerprint(result.case, result.schedule.version, canonical),
        "lines": [_line_json(result, line) for line in result.lines],
        "subtotals": {section: fmt_money(value) for section, value in result.subtotals.items()},
        "relocation": {
            "moving": fmt_money(relocation.moving if relocation else Decimal(0)),
            "temporary": fmt_money(relocation.temporary if relocation else Decimal(0)),
            "incentive": fmt_money(relocation.incentive if relocation else Decimal(0)),
        },
        "relocation_details": None if relocation is None else {
            "building_area_m2": fmt_quantity(relocation.given.building_area_m2),
            "temporary_per_month": fmt_quantity(relocation.temporary_per_month),
            "months": relocation.months,
            "days_to_move_out": relocation.days,
            "incentive_note": relocation.incentive_note,
        },
        "disputed_total": fmt_money(result.disputed_total),
        "total": fmt_money(result.total),
        "total_in_words": amount_in_words(result.total),
        "replacement_area_m2": None if result.replacement is None else fmt_money(result.replacement.total_m2),
        "replacement_parts": None if result.replacement is None else [
            {"item": part.key, "base_m2": fmt_quantity(part.base), "ratio": str(part.ratio),
             "area_m2": fmt_quantity(part.area)} for part in result.replacement.parts],
        "warnings": [warning.message for warning in result.warnings],
    }


def _line_json(result: CompensationResult, priced: PricedLine) -> dict[str, Any]:
    line = priced.line
    rate = round_money(priced.rate)   # the contract's two decimals
    data = {
        "item": priced.item.key, "section": priced.item.section, "quantity": fmt_quantity(line.quantity),
        "unit": priced.item.unit, "rate": fmt_money(rate), "amount": fmt_money(priced.amount),
        "flags": list(priced.flags), "basis": result.schedule.basis(priced.item),
        "remarks": list(priced.remarks),
    }
    if rate != priced.rate:   # 歇厦 at half of 707.75, a rate typed 592.705: `rate` has the contract's two decimals,
        data["rate_exact"] = fmt_quantity(priced.rate)   # and quantity × it was not the amount beside it
    if line.params:
        data["params"] = {k: (fmt_quantity(v) if isinstance(v, Decimal) else v) for k, v in line.params.items()}
    if line.override_reason:
        data["override_reason"] = line.override_reason
    if line.note:
        data["note"] = line.note
    return data


def parcel_json(price: ParcelPrice) -> dict[str, Any]:
    """The parcel result: per part and, at the top level, for the whole parcel."""
    table = price.table
    data: dict[str, Any] = {
        "table": table.id, "table_version": table.version, "basis": table.document,
        "valuation_date": table.valuation_date.isoformat(), "grade": price.parcel.grade,
        "parts": [_part_json(part) for part in price.parts],
        "area_m2": fmt_money(price.area_m2), "area_mu": _four(price.area_mu),
        "unit_price": fmt_money(price.unit_price), "unit_price_wan_per_mu": _four(price.wan_per_mu),
        "total": fmt_money(price.total), "total_wan": _four(price.total_wan),
        "range_total": {"lower": fmt_money(price.lower_total), "upper": fmt_money(price.upper_total)},
        "negotiated_floor_total": fmt_money(price.floor_total),
    }
    if price.parcel.cost_floor_total is not None:
        data["benchmark_floor_total"] = fmt_money(price.benchmark_floor_total)
        data["cost_floor_total"] = fmt_money(price.parcel.cost_floor_total)
        data["floor_governed_by"] = price.floor_governed_by
    if price.corrected_total is not None:
        data["corrected_total"] = fmt_money(price.corrected_total)
        data["corrected_unit_price"] = fmt_money(price.corrected_unit_price)
        c = price.parcel.corrections
        data["coefficients"] = {
            # The parcel-wide term of older files (null when none); the term each part used is in its object.
            "term_years": None if c.term_years is None else format(c.term_years, "f"),
            "reduction_rate": None if c.reduction_rate is None else format(c.reduction_rate, "f"),
            "date_factor": format(c.date_factor, "f"), "factor_pct": format(c.factor_pct, "f"),
            "other_factor": format(c.other_factor, "f"), "development_adjustment": format(c.shown_development_adjustment, "f"),
            "basis": dict(c.bases),
        }
        data["formula"] = f"{UNIT_PRICE_FORMULA}; {BENCHMARK_TERM_READING}"
        data["flags"] = [BELOW_FLOOR] if price.below_floor else []
    return data


def _part_json(part: PartPrice) -> dict[str, Any]:
    row = part.row
    data: dict[str, Any] = {
        "use": part.given.use, "area_m2": fmt_money(part.area_m2), "area_mu": _four(part.area_mu),
        "entered": {"value": format(part.given.entered, "f"), "unit": part.given.unit},
        "unit_price": fmt_money(part.unit_price), "unit_price_wan_per_mu": _four(part.wan_per_mu),
        "published_wan_per_mu": str(row.benchmark.wan_per_mu),
        "total": fmt_money(part.total), "total_wan": _four(part.total_wan),
        "range_unit": {"lower": fmt_money(row.lower.yuan_per_m2), "upper": fmt_money(row.upper.yuan_per_m2)},
        "range_total": {"lower": fmt_money(part.lower_total), "upper": fmt_money(part.upper_total)},
        "negotiated_floor_unit": fmt_money(part.floor_unit_price),
        "negotiated_floor_total": fmt_money(part.floor_total),
        "flags": [],
    }
    if row.discrepancy:
        data["table_note"] = row.discrepancy
    if part.correction is not None:
        data["corrected_unit_price"] = fmt_money(part.correction.unit_price)
        data["corrected_total"] = fmt_money(part.correction.total)
        data["term_years"] = fmt_plain(part.correction.term_years)
        data["term_coefficient"] = f"{part.correction.rounded_term_coefficient:.{TERM_SHOWN_PLACES}f}"
        data["statutory_term_years"] = part.correction.statutory_term_years
        if part.correction.out_of_range:
            data["flags"].append(OUT_OF_RANGE)
    return data


def _four(value: Decimal) -> str:
    """A figure worked to four decimals (亩, 万元) as the contract writes it."""
    return f"{value:.4f}"
