"""Bracketed price with a per-unit increment above a threshold (杨树、国槐 above 10 cm, 柳树 above 20 cm).

Reading of the note 10 公分以上每年增加 1 公分加 10 元: above the threshold T a tree earns the
increment per *whole* unit above T on top of the table price at T, and never less than its own
bracket: price(d) = max(table(d), table(T) + increment × floor(d − T)) for d > T.
"""
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from functools import cached_property

from calculator.core.money import fmt_plain
from calculator.core.pricing import Param, Pricing
from calculator.core.rates import Rate
from calculator.rules import bracket

KIND = "bracket_increment"
LABEL = "分档+递增"
CASE_LINE = True
TAKES_QUANTITY = True
RATE_FIELD = "rate"
USES_OTHER_LINES = False


@dataclass(frozen=True)
class Spec:
    table: bracket.Spec
    above: Decimal
    per_whole_unit: Decimal

    @cached_property  # read for every line above the threshold
    def at_threshold(self) -> Decimal:
        """table(T): the price of the bracket holding the threshold."""
        return self.table.brackets[bracket.find(self.table.brackets, self.above)].rate.low

    @cached_property  # a line priced by the increment shows it
    def increment_text(self) -> tuple[str, str]:
        """The increment as a remark says it, before and after the line's whole units: 超过10部分每整1加10元 = 92+10×."""
        return (f"超过{fmt_plain(self.above)}部分每整1加{fmt_plain(self.per_whole_unit)}元",
                f"{fmt_plain(self.at_threshold)}+{fmt_plain(self.per_whole_unit)}×")


def parse(row) -> Spec:
    """The bracket table (fixed prices only), the threshold and the increment."""
    spec = Spec(bracket.parse(row), row.decimal("increment_above"), row.decimal("increment_per_whole_unit"))
    if any(b.rate.is_range or b.times for b in spec.table.brackets):
        raise row.error("递增规则的档位须为固定价", "an increment table takes fixed prices only")
    return spec


def params(spec: Spec) -> tuple[Param, ...]:
    """The measured value."""
    return bracket.params(spec.table)


def price(spec: Spec, line, ctx) -> Pricing:
    """max(table(d), table(T) + increment × whole units above T) for d above T."""
    value = line.params[spec.table.param]
    if value > spec.above:
        whole_units = (value - spec.above).to_integral_value(rounding=ROUND_FLOOR)
        grown = spec.at_threshold + spec.per_whole_unit * whole_units
        if grown > bracket.bracket_rate(spec.table.brackets, value, line.params)[0].low:
            rule, sum_of = spec.increment_text
            remark = f"{ctx.describe(spec.table.param, value)}: {rule} = {sum_of}{whole_units}"
            return Pricing(standard=Rate.fixed(grown), remarks=(remark,))
    return bracket.price(spec.table, line, ctx)


def describe(spec: Spec) -> dict:
    """The brackets and the increment for listings."""
    return {**bracket.describe(spec.table), "increment_above": str(spec.above),
            "increment_per_whole_unit": str(spec.per_whole_unit)}


def summary(spec: Spec, unit: str, schedule) -> str:
    """The brackets, then 10以上每整1加10元."""
    return (bracket.table_summary(spec.table, unit, schedule) + f",{spec.above}以上每整1加{spec.per_whole_unit}元"
            + bracket.factor_summary(spec.table))


def detail_rows(spec: Spec, unit: str, schedule) -> list[tuple[str, str]]:
    """One row per bracket, then the increment above the threshold."""
    increment = (f"{schedule.describe(spec.table.param, None)} {spec.above} 以上", f"每整 1 加 {spec.per_whole_unit} 元")
    return bracket.table_rows(spec.table, unit, schedule) + [increment] + bracket.factor_rows(spec.table)


def hosts(spec, items) -> None:
    """Nothing to attach to."""
    return None
