"""Rate with an optional decoration surcharge (台阶/楼梯: 有装潢的增加20%–40%)."""
from typing import NamedTuple

from calculator.core.errors import at_field
from calculator.core.money import fmt_plain
from calculator.core.pricing import Param, Pricing
from calculator.core.rates import Rate, rate_json, read_rate, resolve_rate
from calculator.rules.listing import data_rows, rate_text

KIND = "decorated_rate"
LABEL = "单价+装潢增加"
CASE_LINE = True
TAKES_QUANTITY = True
RATE_FIELD = "rate"
USES_OTHER_LINES = False


class Spec(NamedTuple):
    rate: Rate
    param: str
    pct_range: Rate


def parse(row) -> Spec:
    """The rate, the surcharge parameter and its allowed range in percent."""
    bounds = row.raw("pct_range")
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise row.error("pct_range 应为 [下限, 上限]", "pct_range must be [low, high]")
    low, high = (row.to_decimal(b, "pct_range") for b in bounds)
    if not 0 <= low <= high:
        raise row.error("pct_range 无效", "pct_range is not a valid range")
    return Spec(read_rate(row), row.text("param"), Rate(low, high))


def params(spec: Spec) -> tuple[Param, ...]:
    """The surcharge percentage is optional: no surcharge without it."""
    return (Param(spec.param, required=False),)


def price(spec: Spec, line, ctx) -> Pricing:
    """amount = quantity × rate × (1 + pct/100); a pct outside the range needs a reason (R1)."""
    pct = line.params.get(spec.param)
    if pct is None:
        return Pricing(standard=spec.rate)
    resolved = at_field(spec.param, resolve_rate, spec.pct_range, pct, line.override_reason, "装潢增加比例/decoration_pct")
    return Pricing(standard=spec.rate, factor=1 + pct / 100, flags=resolved.flags,
                   remarks=(f"装潢增加{fmt_plain(pct)}%",))


def describe(spec: Spec) -> dict:
    """The rate and the surcharge range for listings."""
    return {**rate_json(spec.rate), "surcharge": spec.param, "surcharge_pct": rate_json(spec.pct_range)}


def summary(spec: Spec, unit: str, schedule) -> str:
    """50–60 元/m²,有装潢增加20–40%."""
    return f"{rate_text(spec.rate)} 元/{unit},有装潢增加{rate_text(spec.pct_range)}%"


def detail_rows(spec: Spec, unit: str, schedule) -> list[tuple[str, str]]:
    """The rate and the surcharge range as the data holds them."""
    return data_rows(describe(spec), schedule, unit)


def hosts(spec, items) -> None:
    """Nothing to attach to."""
    return None
