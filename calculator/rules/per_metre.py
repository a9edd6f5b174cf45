"""Paid per metre of depth, in tiers (机井: 钢管 1100 /m to 200 m, 1200 /m beyond)."""
from decimal import Decimal
from typing import NamedTuple

from calculator.money import fmt_plain
from calculator.pricing import Param, Pricing
from calculator.rates import Rate
from calculator.rules.bracket import Bracket, brackets_json, read_brackets

KIND = "per_metre"


class Spec(NamedTuple):
    param: str
    tiers: tuple[Bracket, ...]


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
