"""Rate prorated by height (基础): 出地1m及以上按标准, 不足1米按比例折算."""
from decimal import Decimal
from typing import NamedTuple

from calculator.core.pricing import Param, Pricing
from calculator.core.rates import Rate, rate_json, read_rate
from calculator.rules.listing import data_rows, rate_text

KIND = "prorated_rate"
LABEL = "按高度折算"
CASE_LINE = True
TAKES_QUANTITY = True
RATE_FIELD = "rate"
USES_OTHER_LINES = False


class Spec(NamedTuple):
    rate: Rate
    param: str
    full_at: Decimal


def parse(row) -> Spec:
    """The rate, the height parameter, and the height at which the full rate applies."""
    spec = Spec(read_rate(row), row.text("param"), row.decimal("full_at"))
    if spec.full_at <= 0:
        raise row.error("full_at 应为正数", "full_at must be positive")
    return spec


def params(spec: Spec) -> tuple[Param, ...]:
    """The height is required."""
    return (Param(spec.param),)


def price(spec: Spec, line, ctx) -> Pricing:
    """amount = quantity × rate × min(height, full_at) / full_at."""
    height = line.params[spec.param]
    if height >= spec.full_at:
        return Pricing(standard=spec.rate)
    return Pricing(standard=spec.rate, factor=height / spec.full_at,
                   remarks=(f"{ctx.describe(spec.param, height)},按比例折算",))


def describe(spec: Spec) -> dict:
    """The rate and the proration for listings."""
    return {**rate_json(spec.rate), "prorated_by": spec.param, "full_at": str(spec.full_at)}


def summary(spec: Spec, unit: str, schedule) -> str:
    """120–150 元/m²,高度不足1m按比例折算."""
    return f"{rate_text(spec.rate)} 元/{unit},高度不足{spec.full_at}m按比例折算"


def detail_rows(spec: Spec, unit: str, schedule) -> list[tuple[str, str]]:
    """The rate and the proration as the data holds them."""
    return data_rows(describe(spec), schedule, unit)


def hosts(spec, items) -> None:
    """Nothing to attach to."""
    return None
