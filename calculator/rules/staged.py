"""A price per plant by growth stage (葡萄, 嫁接杏树: 未挂果 … 盛果期)."""
from typing import NamedTuple

from calculator.core.pricing import Param, Pricing
from calculator.core.rates import Rate

KIND = "staged"
LABEL = "按生长期"
CASE_LINE = True
TAKES_QUANTITY = True
RATE_FIELD = "rate"
USES_OTHER_LINES = False


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


def summary(spec: Spec, unit: str, schedule) -> str:
    """未挂果 30; 初果期 80 … 元/架."""
    return "; ".join(f"{name} {rate.low}" for name, rate in spec.stages.items()) + f" 元/{unit}"


def detail_rows(spec: Spec, unit: str, schedule) -> list[tuple[str, str]]:
    """One row per stage: 生长期 初果期 | 80 元/架."""
    label = schedule.describe(spec.param, None)
    return [(f"{label} {name}", f"{rate.low} 元/{unit}") for name, rate in spec.stages.items()]


def hosts(spec, items) -> None:
    """Nothing to attach to."""
    return None
