"""Reading and pricing one case line: the fields every line shares, the rule's own, and R1."""
from __future__ import annotations

import functools
import unicodedata
import weakref
from decimal import Decimal
from typing import Any, Mapping, NamedTuple

from calculator.core.errors import CalculationError, InputError
from calculator.core.labels import label
from calculator.core.limits import MAX_AMOUNT, PARAM_LIMITS, blank, check_text, counted, quantity_limits
from calculator.core.money import fmt_plain, round_money, to_decimal
from calculator.core.pricing import Param
from calculator.core.rates import MIDPOINT, Rate, resolve_rate
from tables.schedule import LINE_FIELDS, Item, Schedule

DISPUTED = "disputed"
LINES = "items"  # the block of a case its lines are in, as errors and warnings name it


class Line(NamedTuple):
    """A case line with every value checked and typed (a named tuple: one is made for every line read)."""

    index: int
    item: Item
    quantity: Decimal
    rate: Decimal | None
    override_reason: str
    disputed: bool
    note: str
    params: Mapping[str, Decimal | str]
    unusual: tuple[str, ...]  # what to check: the fields past what is usual for them, PARTIAL_COUNT


class PricedLine(NamedTuple):
    """A line with the rate it is paid at, its rounded amount, flags and remarks (a named tuple, as Line)."""

    line: Line
    rate: Decimal
    amount: Decimal
    flags: tuple[str, ...]
    remarks: tuple[str, ...]

    @property
    def item(self) -> Item:
        return self.line.item

    @property
    def payable(self) -> bool:
        return not self.line.disputed


# Line and PricedLine made from a tuple of their fields in one C call: a named tuple's own constructor is a
# Python function, and one of each is made for every line priced.
_new_line = functools.partial(tuple.__new__, Line)
_new_priced = functools.partial(tuple.__new__, PricedLine)


def where(index: int, raw: Any) -> str:
    """How messages name a line: items[2](第3行)「菜窖/砖石」."""
    key = raw.get("item") if isinstance(raw, dict) else None
    return f"items[{index}](第{index + 1}行)" + (f"「{key}」" if isinstance(key, str) else "")


def schedule_item(schedule: Schedule, key: str) -> Item:
    """The row of `key`, or an input error naming the unknown key."""
    try:
        return schedule.items[key]
    except KeyError:
        raise _unknown(schedule, key) from None


def _plainly(text: str) -> str:
    """`text` as it is written with half-width marks and no spaces (NFKC): 厕所（室外） as 厕所(室外)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _unknown(schedule: Schedule, key: str) -> InputError:
    """An unknown key refused, with the key it is written for when it is one in full-width marks or with spaces
    (厕所（室外）/政府改厕, as a Chinese input method types it): it looks the same, and is not taken for it."""
    meant = _plainly(key)
    if meant != key and meant in schedule.items:
        return InputError(f"未知项目「{key}」:应写作「{meant}」(半角括号、斜杠,无空格)",
                          f"unknown item {key!r}: it should be written {meant!r} (ASCII brackets and slash, no spaces)")
    return InputError(f"未知项目「{key}」(不在{schedule.document}标准中)",
                      f"unknown item {key!r} (not in the {schedule.id} schedule)")


class ItemPlan(NamedTuple):
    """What reading a line of one item needs, worked out once per schedule (item_plans)."""

    item: Item
    fields: frozenset[str]  # every field a line of the item may carry
    # each parameter with its label and unit, and its PARAM_LIMITS when it is measured in a unit they name
    params: tuple[tuple[Param, str, str, tuple[Decimal, Decimal] | None], ...]
    plausible: Decimal  # the quantity's limits (calculator.core.limits.quantity_limits)
    most: Decimal
    counted: bool


# What Line.unusual holds for a fraction of a counted thing (1.5 株); any other entry is a field past what is usual.
PARTIAL_COUNT = "partial_count"

# Each schedule's plans, by the schedule's id while it lives: an entry is dropped with its schedule, so an id
# is never another schedule's. A schedule is not changed once read (its dataclass is frozen, its tables too).
_PLANS: dict[int, dict[str, ItemPlan]] = {}


def item_plans(schedule: Schedule) -> dict[str, ItemPlan]:
    """Each item of `schedule` by its key, with what reading its lines needs."""
    plans = _PLANS.get(id(schedule))
    if plans is None:
        plans = _PLANS[id(schedule)] = {key: _plan(item, schedule) for key, item in schedule.items.items()}
        weakref.finalize(schedule, _PLANS.pop, id(schedule), None)
    return plans


def _plan(item: Item, schedule: Schedule) -> ItemPlan:
    units = [schedule.params[param.name].unit for param in item.params]
    params = tuple((param, _label(param.name, schedule), unit, None if param.text else PARAM_LIMITS.get(unit))
                   for param, unit in zip(item.params, units))
    return ItemPlan(item, item.line_fields, params, *quantity_limits(item.unit), counted(item.unit))


def read_line(raw: dict[str, Any], index: int, schedule: Schedule, plans: dict[str, ItemPlan] | None = None) -> Line:
    """Check one raw line against its item's rule; every unknown or missing field is an error at that field.

    `plans`: item_plans(schedule), when the caller reads many lines. (Run for every line priced: the commonest
    line, a known item with a plain quantity and none of the optional fields, takes the fewest steps; every
    other value is checked as fully.)
    """
    key = raw.get("item")
    plan = (plans or item_plans(schedule)).get(key) if isinstance(key, str) else None
    if plan is None:
        if key is None or key == "":
            raise InputError("缺少项目", "missing item key", field="item")
        if not isinstance(key, str):
            raise InputError("项目应为文字(标准中的项目名称)", "item must be text (an item key of the schedule)",
                             field="item")
        raise _unknown(schedule, key).placed(field="item")
    if not raw.keys() <= plan.fields:
        unknown = [name for name in raw if name not in plan.fields]
        # Quantity or ｑｕａｎｔｉｔｙ: the field it is written for. Only the same letters: one letter off may be another
        # item's field in another unit (diameter_m, diameter_cm), and renamed as told it is priced wrong.
        meant = _plainly(unknown[0]).casefold() if isinstance(unknown[0], str) else None
        if meant in plan.fields:
            raise InputError(f"字段「{unknown[0]}」应写作「{meant}」", f"field {unknown[0]!r} should be written {meant!r}",
                             field=unknown[0])
        raise InputError(f"此项不接受「{'、'.join(_label(name, schedule) for name in unknown)}」",
                         f"this item takes no field {', '.join(unknown)}", field=unknown[0])
    item = plan.item
    field = "item"  # the field being read: an error of a shared reader (to_decimal, check_text …) is placed there
    try:
        values: dict[str, Decimal | str] = {}
        unusual: tuple[str, ...] = ()  # what to check: see PARTIAL_COUNT
        given = 1  # the keys of the line read so far (a parameter's name is never a line field's: the loader's check)
        for param, zh, unit, limits in plan.params:
            field = param.name
            value = raw.get(field)
            if value is not None:
                given += 1
            if value is None or value == "":
                if param.required:
                    raise InputError(f"缺少{zh}", f"missing parameter {field}")
                continue
            number = values[field] = _param_value(param, value, zh)
            if limits is not None and number > limits[0]:   # past what is usual for its unit: checked, or refused
                if number > limits[1]:
                    raise too_large(field, zh, number, limits[1], unit)
                unusual += (field,)
        field = "quantity"
        value = raw.get(field)
        if value is None:
            if item.quantity_default is None:
                raise InputError("缺少数量", "missing quantity")
            quantity = item.quantity_default
        else:
            given += 1
            quantity = to_decimal(value, field)
            if quantity <= 0:
                raise InputError(f"数量应为正数,不是 {quantity}", f"quantity must be positive, not {quantity}")
        if quantity > plan.plausible:   # as a parameter is: past what is usual for its unit, checked, or refused
            if quantity > plan.most:
                raise too_large(field, "数量", quantity, plan.most, item.unit, f" {item.unit}")
            unusual += (field,)
        if plan.counted and quantity % 1:  # 1.5 株: priced as given (no reading rounds it), but said
            unusual += (PARTIAL_COUNT,)
        if len(raw) == given:  # no optional field: most lines
            return _new_line((index, item, quantity, None, "", False, "", values, unusual))
        field = "rate"
        rate = raw.get(field)
        rate = None if rate is None or rate == "" else to_decimal(rate, field)
        field = "override_reason"
        override_reason = raw.get(field)
        override_reason = "" if override_reason is None or override_reason == "" else _text(override_reason, field)
        field = "disputed"
        disputed = raw.get(field, False)
        if disputed is not False and disputed is not True:
            raise InputError(f"{label(field)}应为 true 或 false", f"{field} must be true or false")
        field = "note"
        note = raw.get(field)
        note = "" if note is None or note == "" else _text(note, field)
    except CalculationError as error:
        raise error.placed(field=field) from None
    return _new_line((index, item, quantity, rate, override_reason, disputed, note, values, unusual))


def price_line(line: Line, ctx) -> PricedLine:
    """Apply the line's rule, then R1 to its standard rate, then round the amount (R2)."""
    item = line.item
    rule = item.rule
    standard, factor, amount, flags, remarks = rule.price(item.spec, line, ctx)
    if amount is not None:
        if line.rate is not None:
            raise InputError(f"此项({rule.LABEL})不填单价", "this item takes no rate: it is priced by an amount, or not "
                             "compensated", field="rate")
        amount = round_money(amount)
        rate = amount / line.quantity
    else:
        try:
            rate, resolved_flags = resolve_rate(standard, line.rate, line.override_reason)
        except CalculationError as error:   # said with where the standard came from (井深 10m: 10m×600 元/口)
            said = error.noted(f"标准:{remarks[0]}", f"the standard: {remarks[0]}") if remarks else error
            raise said.placed(field="rate") from None
        if flags:   # the rule's own (歇厦 at its host's midpoint): a rate typed on the line is what it is paid at
            flags = (*resolved_flags, *(f for f in flags if f not in resolved_flags
                                         and (f != MIDPOINT or line.rate is None)))
        else:
            flags = resolved_flags
        amount = round_money(line.quantity * rate * factor)
    if amount >= MAX_AMOUNT:  # placed at the 单价 cell: the figure typed there (a rate, an amount) is the usual slip
        raise InputError(f"金额过大: {amount:,.2f} 元,超过上限 {MAX_AMOUNT:,.0f} 元,请核对数量和单价",
                         f"the amount {amount:,.2f} is too large (the limit is {MAX_AMOUNT:,.0f}); check quantity and rate",
                         field=rule.RATE_FIELD)
    if line.disputed:
        flags = (*flags, DISPUTED)
    return _new_priced((line, rate, amount, flags, remarks))


def standard_rate(item: Item) -> Rate | None:
    """The rate a plain-rate item is quoted at in the schedule (None for other kinds)."""
    return item.spec if isinstance(item.spec, Rate) else None


def _label(name: str, schedule: Schedule) -> str:
    """A field's Chinese label: the schedule's for its parameters (深度(m)), else calculator.core.labels'."""
    if name in schedule.params:
        info = schedule.params[name]
        return f"{info.label}({info.unit})" if info.unit else info.label
    return label(name)


def _param_value(param: Param, value: Any, zh: str) -> Decimal | str:
    if param.text:
        if not isinstance(value, str):
            raise InputError(f"{zh}应为文字", f"{param.name} must be text")
        if blank(value):
            raise InputError(f"{zh}不能为空", f"{param.name} must not be blank")
        if param.choices and value not in param.choices:
            raise InputError(f"{zh}应为 {'、'.join(param.choices)} 之一,不是「{value}」",
                             f"{param.name} must be one of {', '.join(param.choices)}, not {value!r}")
        return check_text(value, param.name)
    number = to_decimal(value, param.name, zh)
    if number <= 0:
        raise InputError(f"{zh}应为正数,不是 {number}", f"{param.name} must be positive, not {number}")
    return number


def too_large(name: str, zh: str, number: Decimal, most: Decimal, unit: str, zh_unit: str = "") -> InputError:
    """A measured value past the most its unit allows (a quantity's, a parameter's, an area of the household's
    blocks): a typing slip, refused.
    `zh_unit`: the unit as the Chinese message writes it after the numbers (a parameter's label holds its own)."""
    shown = fmt_plain(number)
    return InputError(f"{zh} {shown}{zh_unit} 超过上限 {most:,}{zh_unit},请核对",
                      f"{name} {shown} {unit} is too large (the limit is {most:,} {unit})")


def _text(value: Any, field: str) -> str:
    """An optional text field's value, given (neither None nor "")."""
    if not isinstance(value, str):
        raise InputError(f"{label(field)}应为文字", f"{field} must be text")
    return check_text(value, field)


def locate(error: CalculationError, index: int, raw: Any) -> CalculationError:
    """The error placed at its line: named in the message, and as its block and line index."""
    return error.located(where(index, raw)).placed(block=LINES, line=index)
