"""Paid per metre of depth, in tiers (机井: 钢管 1100 /m to 200 m, 1200 /m beyond)."""
from decimal import Decimal
from typing import NamedTuple

from calculator.core.money import fmt_plain
from calculator.core.pricing import Param, Pricing
from calculator.core.rates import Rate
from calculator.rules.bracket import Brackets, brackets_json, interval, read_brackets
from calculator.rules.listing import rate_text

KIND = "per_metre"
LABEL = "按米"
CASE_LINE = True
TAKES_QUANTITY = True
RATE_FIELD = "rate"
USES_OTHER_LINES = False


class Spec(NamedTuple):
    param: str
    tiers: Brackets


def parse(row) -> Spec:
    """The depth parameter and its tiers (`upto` bounds, fixed rates per metre)."""
    spec = Spec(row.text("param"), read_brackets(row, "tiers"))
    if any(t.rate.is_range or t.times or (t.upper is not None and not t.inclusive) for t in spec.tiers):
        raise row.error("tiers 须为 upto 上限与固定单价", "tiers take upto bounds and fixed rates")
    return spec


def params(spec: Spec) -> tuple[Param, ...]:
    """The depth of each well."""
    return (Param(spec.param),)


def price(spec: Spec, line, ctx) -> Pricing:
    """Rate per well = each tier's metres × its rate; quantity is the number of wells."""
    depth = line.params[spec.param]
    charge, lower, parts = Decimal(0), Decimal(0), []
    for tier in spec.tiers:
        top = depth if tier.upper is None else min(depth, tier.upper)
        if top > lower:
            charge += (top - lower) * tier.rate.low
            parts.append(f"{fmt_plain(top - lower)}m×{fmt_plain(tier.rate.low)}")
        lower = tier.upper if tier.upper is not None else lower
    return Pricing(standard=Rate.fixed(charge),
                   remarks=(f"{ctx.describe(spec.param, depth)}: {' + '.join(parts)} 元/口",))


def describe(spec: Spec) -> dict:
    """The tiers per metre for listings."""
    return {"by": spec.param, "per_metre": brackets_json(spec.tiers)}


def summary(spec: Spec, unit: str, schedule) -> str:
    """≤200m 1100; >200m 1200 元/米(井深)."""
    return "; ".join(f"{interval(spec.tiers, i)}m {rate_text(t.rate)}" for i, t in enumerate(spec.tiers)) + " 元/米(井深)"


def detail_rows(spec: Spec, unit: str, schedule) -> list[tuple[str, str]]:
    """One row per tier: 深度 ≤200 | 1100 元/米."""
    label = schedule.describe(spec.param, None)
    return [(f"{label} {interval(spec.tiers, i)}", f"{rate_text(t.rate)} 元/米") for i, t in enumerate(spec.tiers)]


def hosts(spec, items) -> None:
    """Nothing to attach to."""
    return None
