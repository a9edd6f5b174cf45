"""Short Chinese summaries of schedule rows, for listings, the picker and the browser."""
from __future__ import annotations

from decimal import Decimal

from calculator.compensation import RELOCATION_SECTION
from calculator.money import fmt_plain
from calculator.relocation import PARTS as RELOCATION_PARTS
from calculator.rules import bracket
from tables.schedule import Item, Schedule


def rate_summary(item: Item, schedule: Schedule) -> str:
    """The row's standard in a few characters: 700–800 元/m², 深度(m) ≤1.2→90 …, 评估金额."""
    data = item.rule.describe(item.spec)
    unit = f"元/{item.unit}"
    if "rate" in data and "reason" in data:
        return "不予补偿 0"
    if "range" in data or "rate" in data:
        text = _rate(data) + f" {unit}"
        if "prorated_by" in data:
            text += f",高度不足{data['full_at']}m按比例折算"
        if "surcharge_pct" in data:
            text += f",有装潢增加{_rate(data['surcharge_pct'])}%"
        return text
    if "brackets" in data:
        parts = [f"{b['interval']}→{_rate(b)}" + ("/m²" if b.get("times") else "") for b in data["brackets"]]
        info = schedule.params[data["by"]]
        label = f"{info.label}({info.unit})" if info.unit else info.label
        text = f"{label} " + "; ".join(parts) + f" {unit}"
        if "increment_above" in data:
            text += f",{data['increment_above']}以上每整1加{data['increment_per_whole_unit']}元"
        if "factor" in data:
            text += f" × {data['factor_label']}"
        return text
    if "per_metre" in data:
        return "; ".join(f"{t['interval']}m {_rate(t)}" for t in data["per_metre"]) + " 元/米(井深)"
    if "stages" in data:
        return "; ".join(f"{k} {v}" for k, v in data["stages"].items()) + f" {unit}"
    if "share" in data:
        return f"依附房屋单价的{_pct(data['share'])}%"
    if "ratio" in data:
        return f"置换比例 1:{data['ratio']}"
    return "评估金额(须注明依据)"


def _rate(data: dict) -> str:
    return "–".join(data["range"]) if "range" in data else data["rate"]


def _pct(share: str) -> str:
    return fmt_plain(Decimal(share) * 100)


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
                         quantity_default=None, source_section=RELOCATION_SECTION, params=bracket.params(spec)))
    return tuple(rows)


def search(schedule: Schedule, text: str) -> list[Item]:
    """Rows whose key, unit or source wording contains every whitespace-separated word of `text`."""
    return matching(schedule.items.values(), text)


def matching(items, text: str) -> list[Item]:
    """The `items` whose key, unit or source wording contains every whitespace-separated word of `text`."""
    words = text.split()
    return [item for item in items if all(w in item.key or w in item.source or w in item.unit for w in words)]
