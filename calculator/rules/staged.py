"""A price per plant by growth stage (葡萄, 嫁接杏树: 未挂果 … 盛果期)."""
from typing import NamedTuple

from calculator.pricing import Param, Pricing
from calculator.rates import Rate

KIND = "staged"


class Spec(NamedTuple):
    param: str
    stages: dict[str, Rate]


def parse(row) -> Spec:
    """The stage parameter and the price of each stage, in the source's order."""
    stages = {name: Rate.fixed(row.to_decimal(value, f"stages.{name}"))
              for name, value in row.table("stages").items()}
    return Spec(row.text("param"), stages)


def params(spec: Spec) -> tuple[Param, ...]:
    """The stage, one of the listed names."""
    return (Param(spec.param, text=True, choices=tuple(spec.stages)),)


def price(spec: Spec, line, ctx) -> Pricing:
    """The stage's price."""
    stage = line.params[spec.param]
    return Pricing(standard=spec.stages[stage], remarks=(stage,))


def describe(spec: Spec) -> dict:
    """The price of each stage for listings."""
    return {"by": spec.param, "stages": {name: str(rate.low) for name, rate in spec.stages.items()}}
