"""三、搬迁与安置: the household's moving allowance, temporary resettlement and move-out incentive."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NamedTuple

from calculator.core.errors import InputError, at_field
from calculator.core.labels import label
from calculator.core.limits import parse_date, quantity_limits
from calculator.core.money import round_money, to_decimal
from calculator.engine.lines import too_large
from calculator.rules.bracket import bracket_rate
from tables.schedule import Relocation, RelocationRule

# The three allowances: each [relocation.*] table, the name sheets and forms give it, and the unit
# its fixed amounts are paid per (搬迁补助 and 搬迁奖励 once per household; 临时安置补助 per month,
# for the schedule's `months`).
PARTS = (("moving", "搬迁补助", "户"), ("temporary", "临时安置补助", "月"), ("incentive", "搬迁奖励", "户"))
PART_NAMES = {part: name for part, name, _unit in PARTS}
FIELDS = ("building_area_m2", "sole_housing_hardship", "extra_months", "signed_on", "paid_on", "moved_on")


class RelocationInput(NamedTuple):
    building_area_m2: Decimal
    sole_housing_hardship: bool
    extra_months: int
    signed_on: dt.date | None
    paid_on: dt.date | None
    moved_on: dt.date | None


class RelocationResult(NamedTuple):
    """The three allowances with the figures they were worked from."""

    given: RelocationInput
    moving: Decimal
    temporary_per_month: Decimal
    months: int
    temporary: Decimal
    days: int | None
    incentive: Decimal
    incentive_note: str

    @property
    def total(self) -> Decimal:
        return self.moving + self.temporary + self.incentive


def read_relocation(block: dict[str, Any], rules: Relocation) -> RelocationInput:
    """Check the case's relocation block: area, hardship months and the three dates."""
    unknown = sorted(set(block) - set(FIELDS))
    if unknown:
        raise InputError(f"搬迁与安置不接受「{'、'.join(map(label, unknown))}」",
                         f"relocation takes no field {', '.join(unknown)}", "relocation", field=unknown[0])
    if block.get("building_area_m2") in (None, ""):
        raise InputError("缺少建筑面积", "missing building_area_m2", "relocation", field="building_area_m2")
    area = at_field("building_area_m2", to_decimal, block["building_area_m2"], "relocation.building_area_m2")
    if area <= 0:
        raise InputError("建筑面积应为正数", "building_area_m2 must be positive", "relocation", field="building_area_m2")
    most = quantity_limits("m²")[1]   # as a line's area is held: past it, a typing slip (past the usual, a warning)
    if area > most:
        raise too_large("building_area_m2", "建筑面积", area, most, "m²", " m²").located("relocation").placed(
            field="building_area_m2")
    hardship = block.get("sole_housing_hardship", False)
    if not isinstance(hardship, bool):
        raise InputError("唯一住房且确有困难应为 true 或 false", "sole_housing_hardship must be true or false", "relocation",
                         field="sole_housing_hardship")
    extra = at_field("extra_months", _months, block.get("extra_months", 0), rules.max_extra_months)
    if extra and not hardship:
        raise InputError("增加临时安置月数须为唯一住房且确有困难",
                         "extra_months is allowed only with sole_housing_hardship: true", "relocation", field="extra_months")
    signed, paid, moved = (at_field(name, parse_date, block.get(name), name, "relocation")
                           for name in ("signed_on", "paid_on", "moved_on"))
    if signed and paid and paid < signed:
        raise InputError(f"支付日期 {paid} 早于签约日期 {signed}", f"paid_on {paid} is before signed_on {signed}", "relocation",
                         field="paid_on")
    if signed and moved and moved < signed:
        raise InputError(f"搬迁日期 {moved} 早于签约日期 {signed}", f"moved_on {moved} is before signed_on {signed}", "relocation",
                         field="moved_on")
    return RelocationInput(area, hardship, extra, signed, paid, moved)


def relocation_allowances(given: RelocationInput, rules: Relocation) -> RelocationResult:
    """搬迁补助 once, 临时安置补助 for 24 (+ extra) months, and 搬迁奖励 by days to move out."""
    values = {rules.moving.param: given.building_area_m2}
    moving = round_money(_fixed(rules.moving, given.building_area_m2, values))
    per_month = _fixed(rules.temporary, given.building_area_m2, values)
    months = rules.months + given.extra_months
    temporary = round_money(per_month * months)
    if given.paid_on is None or given.moved_on is None:
        days, incentive = None, Decimal(0)
        typed = f"(支付 {given.paid_on})" if given.paid_on else f"(搬迁 {given.moved_on})" if given.moved_on else ""
        note = f"缺少{'和'.join(zh for zh, _, _ in missing_dates(given))},不计搬迁奖励{typed}"
    else:
        days = (given.moved_on - given.paid_on).days
        # Moving out before the payment counts as moving within the first bracket (30 days).
        incentive = round_money(_fixed(rules.incentive, Decimal(max(days, 0)), {}))
        note = f"支付后第{days}天搬迁" if days >= 0 else f"支付前{-days}天已搬迁,按30日内计"
        if incentive == 0:
            note += ",超出规定时间,不享受奖励"
    return RelocationResult(given, moving, per_month, months, temporary, days, incentive, note)


def missing_dates(given: RelocationInput) -> list[tuple[str, str, str]]:
    """The dates 搬迁奖励 is reckoned from that were not given, each as (Chinese, English, field): which one is missing
    was not said ("缺少支付日期或搬迁日期"), nor the one typed."""
    return [(zh, en, field) for zh, en, field, value in (("支付日期", "payment date", "paid_on", given.paid_on),
                                                         ("搬迁日期", "move-out date", "moved_on", given.moved_on))
            if value is None]


def _fixed(rule: RelocationRule, value: Decimal, values: dict) -> Decimal:
    rate, _ = bracket_rate(rule.brackets, value, values)
    return rate.low  # the loader guarantees relocation brackets are fixed amounts


def _months(value: Any, most: int) -> int:
    number = to_decimal(value, "relocation.extra_months")
    if number != number.to_integral_value() or not 0 <= number <= most:
        raise InputError(f"增加月数应为 0 至 {most} 的整数", f"extra_months must be a whole number from 0 to {most}", "relocation")
    return int(number)



