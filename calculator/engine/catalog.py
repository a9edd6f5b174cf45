"""Short Chinese summaries of schedule rows, for listings, the picker and the browser."""
from __future__ import annotations

from decimal import Decimal

from calculator.engine.compensation import RELOCATION_SECTION
from calculator.engine.relocation import PARTS as RELOCATION_PARTS
from calculator.rules import bracket
from tables.schedule import Item, Schedule


def rate_summary(item: Item, schedule: Schedule) -> str:
    """The row's standard in a few characters: 700–800 元/m², 深度(m) ≤1.2→90 …, 评估金额."""
    return item.rule.summary(item.spec, item.unit, schedule)


def relocation_items(schedule: Schedule) -> tuple[Item, ...]:
    """Section 三's three household allowances as bracket rows (搬迁与安置/搬迁补助 …) for listings.

    They are never case lines (the engine prices them from the case's relocation block); the
    temporary allowance carries its `months` as the row's factor, as 养殖临时安置补助 does.
    """
    title = schedule.sections.get(RELOCATION_SECTION)
    rows = []
    for part, name, unit in RELOCATION_PARTS:
        rule = getattr(schedule.relocation, part)
        months = schedule.relocation.months if part == "temporary" else 1
        spec = bracket.Spec(rule.param, rule.brackets, Decimal(months), f"{months}个月" if months != 1 else "")
        rows.append(Item(key=f"{title}/{name}" if title else name, section=RELOCATION_SECTION, kind=bracket.KIND,
                         rule=bracket, unit=unit, spec=spec, source=rule.source, reading=rule.reading,
                         reading_zh=rule.reading_zh,
                         quantity_default=None, source_section=RELOCATION_SECTION, params=bracket.params(spec)))
    return tuple(rows)


def search(schedule: Schedule, text: str) -> list[Item]:
    """Rows whose key, unit or source wording contains every whitespace-separated word of `text`."""
    return matching(schedule.items.values(), text)


def matching(items, text: str) -> list[Item]:
    """The `items` whose key, unit or source wording contains every whitespace-separated word of `text`."""
    words = text.split()
    return [item for item in items if all(w in item.key or w in item.source or w in item.unit for w in words)]


def best_match(keys: list[str], text: str) -> str | None:
    """The row to highlight among `keys` found for `text`: the exact key, else one starting with the text, else one whose
    name (the part after "/") holds it, else one holding it, else the first (国槐 is 用材树/国槐, not the 杨树 above it)."""
    if not keys:
        return None
    for test in (lambda k: k == text, lambda k: k.startswith(text), lambda k: text in k.split("/")[-1],
                 lambda k: text in k):
        for key in keys:
            if test(key):
                return key
    return keys[0]
