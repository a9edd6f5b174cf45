"""One small function per thing a user does to a case, for the GUI (pure Python, no Qt).

A case is edited through *paths*: ("items", 3, "quantity"), ("household", "head"),
("relocation", "paid_on"), ("assessed_on",). `set_value` returns the value it replaced, so an
undo step only has to set it back. `ABSENT` stands for "no such key": setting it removes the
key, and a relocation or replacement block left empty goes back to None (not entered).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from calculator.engine.case import Case
from calculator.engine.compensation import CaseContext
from calculator.core.errors import CalculationError
from calculator.core.limits import blank
from calculator.engine.lines import price_line, read_line
from calculator.core.money import to_decimal
from calculator.core.pricing import Param
from calculator.core.rates import Rate
from tables.schedule import Item, Schedule


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
BLOCKS = ("relocation", "replacement")
# Groups whose m² are the demolished house's building area (with the 正房 of the replacement block).
HOUSE_GROUPS = ("附属平房", "窑洞")
MAIN_HOUSE_AREA = "main_house_area_m2"


# --- reading and writing values ---------------------------------------------------------------

def get_value(case: Case, path: tuple) -> Any:
    """The raw value at `path`, or ABSENT."""
    head, *rest = path
    if head == "items":
        index, key = rest
        return case.items[index].get(key, ABSENT)
    if head in BLOCKS or head in ("household", "assessor"):
        block = getattr(case, head)
        return ABSENT if block is None else block.get(rest[0], ABSENT)
    value = getattr(case, head)
    return value if value else ABSENT


def set_value(case: Case, path: tuple, value: Any) -> Any:
    """Set (or with ABSENT remove) the value at `path`; returns the value it replaced."""
    old = get_value(case, path)
    head, *rest = path
    if head == "items":
        index, key = rest
        _put(case.items[index], key, value)
    elif head in BLOCKS:
        block = dict(getattr(case, head) or {})
        _put(block, rest[0], value)
        setattr(case, head, block or None)
    elif head in ("household", "assessor"):
        _put(getattr(case, head), rest[0], value)
    else:
        setattr(case, head, "" if value is ABSENT else value)
    return old


def _put(block: dict, key: str, value: Any) -> None:
    if value is ABSENT:
        block.pop(key, None)
    else:
        block[key] = value


def new_line(key: str) -> dict[str, Any]:
    """A fresh line for schedule row `key`: only the key; the user types the rest."""
    return {"item": key}


def insert_lines(case: Case, at: int, lines: list[dict[str, Any]]) -> None:
    """Put `lines` into the case at position `at`."""
    case.items[at:at] = [dict(line) for line in lines]


def remove_lines(case: Case, indices: list[int]) -> list[tuple[int, dict[str, Any]]]:
    """Take the lines at `indices` out; returns (index, line) pairs in increasing order."""
    removed = [(i, case.items[i]) for i in sorted(set(indices))]
    for i, _ in reversed(removed):
        del case.items[i]
    return removed


def restore_lines(case: Case, removed: list[tuple[int, dict[str, Any]]]) -> None:
    """Undo remove_lines."""
    for i, line in removed:
        case.items.insert(i, line)


# --- what the item table shows and edits --------------------------------------------------------

class LineFields(NamedTuple):
    """Which raw fields a line's cells edit: quantity, the 单价 cell and the 参数 cell."""

    quantity: bool
    rate_field: str | None          # "rate", "amount" (评估项) or None (不予补偿)
    params: tuple[Param, ...]       # shown in the 参数 cell; the first one is edited there


def line_fields(item: Item) -> LineFields:
    """The editable fields of a line of `item`, as its rule kind declares them."""
    rule = item.rule
    return LineFields(quantity=rule.TAKES_QUANTITY, rate_field=rule.RATE_FIELD,
                      params=tuple(p for p in rule.params(item.spec) if p.name != rule.RATE_FIELD))


def pickable(schedule: Schedule) -> list[Item]:
    """Rows a user may add as item lines (房屋面积置换 is the replacement block, not a line)."""
    return [item for item in schedule.items.values() if item.rule.CASE_LINE]


def line_item(schedule: Schedule, line: dict[str, Any]) -> Item | None:
    """The schedule row a raw line names, or None: no key, an unknown one, or not text at all (a case
    file may hold a list or an object there, which the line's pricing refuses and no lookup may crash on)."""
    key = line.get("item")
    return schedule.items.get(key) if isinstance(key, str) else None


def host_choices(case: Case, schedule: Schedule, index: int) -> tuple[list[str], list[str]]:
    """Houses line `index` may be attached to: (those on this case, the schedule's others)."""
    item = line_item(schedule, case.items[index])
    hosts = item.rule.hosts(item.spec, schedule.items.values()) if item is not None else None
    if not hosts:
        return [], []
    eligible = [h.key for h in hosts]
    on_case = list(dict.fromkeys(line.get("item") for line in case.items if line.get("item") in eligible))
    return on_case, [key for key in eligible if key not in on_case]


def line_standard(case: Case, schedule: Schedule, index: int) -> Rate | None:
    """The standard rate line `index` is priced against (its range or bracket), if it has one."""
    raw = {k: v for k, v in case.items[index].items() if k not in ("rate", "override_reason")}
    try:
        line = read_line(raw, index, schedule)
        return line.item.rule.price(line.item.spec, line, CaseContext(schedule, case.items)).standard
    except CalculationError:
        return None


def reason_required(case: Case, schedule: Schedule, index: int, changes: dict[str, Any]) -> CalculationError | None:
    """The engine's complaint if line `index` with `changes` needs an override reason it lacks.

    A value outside its standard (R1) is accepted only with a written reason: this tells the
    GUI to ask for one, by pricing the line once as given and once with a stand-in reason.
    """
    raw = dict(case.items[index])
    for key, value in changes.items():
        _put(raw, key, value)
    ctx = CaseContext(schedule, [raw if i == index else line for i, line in enumerate(case.items)])
    try:
        price_line(read_line(raw, index, schedule), ctx)
        return None
    except CalculationError as error:
        if not blank(str(raw.get("override_reason") or "")):
            return None
        try:
            price_line(read_line({**raw, "override_reason": "x"}, index, schedule), ctx)
        except CalculationError:
            return None  # wrong for another reason: the cell shows that instead
        return error


def reason_no_longer_needed(case: Case, schedule: Schedule, index: int, changes: dict[str, Any]) -> bool:
    """Whether line `index` carries an override reason that, with `changes` (a rate typed back within the
    standard), it prices without: the GUI then takes the reason out in the same edit, as no sheet prints it."""
    raw = dict(case.items[index])
    if blank(str(raw.get("override_reason") or "")):
        return False
    for key, value in changes.items():
        _put(raw, key, value)
    del raw["override_reason"]
    ctx = CaseContext(schedule, [raw if i == index else line for i, line in enumerate(case.items)])
    try:
        price_line(read_line(raw, index, schedule), ctx)
    except CalculationError:
        return False
    return True


def house_area(case: Case, schedule: Schedule) -> Decimal:
    """Building area from the case: 附属平房 and 窑洞 m² quantities plus the 正房 area."""
    total = Decimal(0)
    for line in case.items:
        item = line_item(schedule, line)
        if item is not None and item.group in HOUSE_GROUPS and item.unit == "m²":
            total += _number(line.get("quantity"))
    return total + _number((case.replacement or {}).get(MAIN_HOUSE_AREA))


def unmatched_house_area(case: Case, schedule: Schedule) -> Decimal | None:
    """The case's house area (house_area) when the 建筑面积 typed is a number other than it, else None.

    The typed value rules (the catalog), yet filled from the house lines and a house added after, it went on paying
    搬迁补助 and 临时安置补助 on the old area with nothing said: the app shows this beside the field."""
    houses = house_area(case, schedule)
    typed = _number((case.relocation or {}).get("building_area_m2"))
    return houses if houses > 0 and typed > 0 and typed != houses else None


def _number(value: Any) -> Decimal:
    try:
        number = to_decimal(value, "")
    except CalculationError:
        return Decimal(0)
    return number if number > 0 else Decimal(0)


def decimal_text(value: Any) -> str:
    """A raw number as the text an editor starts from (Decimal 35.50 → "35.50")."""
    if value is ABSENT or value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
