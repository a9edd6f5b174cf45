"""R7 房屋面积置换: the new-home area a household is owed, from the case's replacement block."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from calculator.core.errors import CaseWarning, InputError, at_field
from calculator.core.labels import label
from calculator.core.limits import quantity_limits
from calculator.core.money import fmt_plain, round_money, to_decimal
from calculator.engine.lines import too_large
from calculator.rules.area_replacement import KIND
from tables.schedule import Schedule

# The replacement block's measured areas, named as the source table names them (calculator.core.labels).
AREA_LABELS = {name: label(name) for name in ("main_house_area_m2", "main_house_footprint_m2",
                                              "homestead_certificate_area_m2")}


class ReplacementPart(NamedTuple):
    key: str
    base: Decimal
    ratio: Decimal
    area: Decimal


class ReplacementResult(NamedTuple):
    given: dict[str, Decimal]
    parts: tuple[ReplacementPart, ...]
    total_m2: Decimal


def replacement_fields(schedule: Schedule) -> tuple[str, ...]:
    """The areas the replacement rows ask for, in the schedule's order."""
    names: list[str] = []
    for item in schedule.by_kind.get(KIND, ()):
        names += [item.spec.measure] + ([item.spec.deduct] if item.spec.deduct else [])
    return tuple(dict.fromkeys(names))


def replacement_area(block: dict[str, Any], schedule: Schedule) -> ReplacementResult:
    """Σ ratio × max(0, measure − deduct) over the replacement rows, rounded to 0.01 m²."""
    fields = replacement_fields(schedule)
    unknown = sorted(set(block) - set(fields))
    if unknown:
        raise InputError(f"房屋面积置换不接受「{'、'.join(map(label, unknown))}」",
                         f"replacement takes no field {', '.join(unknown)}", "replacement", field=unknown[0])
    given = {}
    most = quantity_limits("m²")[1]
    for name in fields:
        if block.get(name) in (None, ""):
            raise InputError(f"缺少{label(name)}", f"missing {name}", "replacement", field=name)
        given[name] = at_field(name, to_decimal, block[name], f"replacement.{name}")
        if given[name] < 0:
            raise InputError(f"{label(name)}不能为负数", f"{name} must not be negative", "replacement", field=name)
        if given[name] > most:   # as a line's area is held: past it, a typing slip
            raise too_large(name, label(name), given[name], most, "m²", " m²").located("replacement").placed(field=name)
    parts = []
    for item in schedule.by_kind.get(KIND, ()):
        spec = item.spec
        base = max(Decimal(0), given[spec.measure] - (given[spec.deduct] if spec.deduct else 0))
        parts.append(ReplacementPart(item.key, base, spec.ratio, base * spec.ratio))
    return ReplacementResult(given, tuple(parts), round_money(sum(p.area for p in parts)))


def replacement_warnings(result: ReplacementResult, schedule: Schedule) -> list[CaseWarning]:
    """What to check: an area past what is usual for m² (28000 typed for 280.00: 11,272.00 m² of new home owed), as
    建筑面积 and a line's area are; an area deducted that is larger than the area it is deducted from (宅基地证面积
    under 正房占地面积). R7 counts that part as 0 m², as written; a slip between the two fields would otherwise go
    unseen."""
    usual = quantity_limits("m²")[0]
    notes = [CaseWarning(f"{label(name)} {fmt_plain(area)} m² 超过常见范围,请核对",
                         f"{name} {fmt_plain(area)} m² is unusually large, please check", "replacement",
                         block="replacement", field=name)
             for name, area in result.given.items() if area > usual]
    for item in schedule.by_kind.get(KIND, ()):
        measure, deduct = item.spec.measure, item.spec.deduct
        if deduct and result.given[deduct] > result.given[measure]:
            shown = {name: f"{fmt_plain(result.given[name])} m²" for name in (measure, deduct)}
            notes.append(CaseWarning(
                f"{label(measure)} {shown[measure]} 小于{label(deduct)} {shown[deduct]},此部分按 0 m² 计,请核对",
                f"{measure} {shown[measure]} is below {deduct} {shown[deduct]}: counted as 0 m², please check",
                "replacement", block="replacement", field=measure))
    return notes
