"""A rate looked up by a measured value in brackets (菜窖 by depth, 果树 by diameter …)."""
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from calculator.core.money import fmt_plain
from calculator.core.pricing import Param, Pricing
from calculator.core.rates import Rate, rate_json, read_rate
from calculator.rules.listing import param_heading, rate_text

KIND = "bracket"
LABEL = "分档"
CASE_LINE = True
TAKES_QUANTITY = True
RATE_FIELD = "rate"
USES_OTHER_LINES = False


class Bracket(NamedTuple):
    """Values up to `upper` (inclusive or not); the last bracket has no upper bound (find says which holds a value)."""

    upper: Decimal | None
    inclusive: bool
    rate: Rate
    times: str | None = None


class Brackets(tuple):
    """Brackets in increasing order, the last open-ended, with their upper bounds (`uppers`) to find a value's
    bracket by bisection."""

    uppers: tuple[Decimal, ...]

    def __new__(cls, brackets):
        self = super().__new__(cls, brackets)
        self.uppers = tuple(b.upper for b in self[:-1])
        return self


@dataclass(frozen=True)
class Spec:
    param: str
    brackets: Brackets
    factor: Decimal
    factor_label: str

    @cached_property  # a line's remark names its bracket
    def intervals(self) -> tuple[str, ...]:
        """Each bracket written as an interval."""
        return tuple(interval(self.brackets, index) for index in range(len(self.brackets)))

    @cached_property  # the remark of every line priced with a factor
    def factor_remark(self) -> str:
        """一次性补助3个月(单价×3): the sheet's 数量 × 单价 makes the amount beside it only with the factor said (1 处 ×
        180.00 is 540.00 for three months)."""
        if self.factor == 1:
            return self.factor_label
        return f"{self.factor_label}(单价×{fmt_plain(self.factor)})"


def read_brackets(row, field: str = "brackets") -> Brackets:
    """Brackets in increasing order, `upto` (≤) or `below` (<), the last one open-ended."""
    brackets = []
    for sub in row.rows(field):
        if sub.has("upto") and sub.has("below"):
            raise sub.error("upto 与 below 只能有一个", "a bracket has either upto or below, not both")
        bound = "upto" if sub.has("upto") else "below" if sub.has("below") else None
        upper = sub.decimal(bound) if bound else None
        times = sub.text("times") if sub.has("times") else None
        brackets.append(Bracket(upper, bound == "upto", read_rate(sub), times))
        sub.refuse_unread()
    for i, b in enumerate(brackets):
        last = i == len(brackets) - 1
        if (b.upper is None) != last:
            raise row.error(f"{field}: 只有最后一档没有上限", f"{field}: only the last bracket is open-ended")
        if i and not last and b.upper <= brackets[i - 1].upper:
            raise row.error(f"{field}: 档位上限未递增 ({brackets[i - 1].upper} → {b.upper})",
                            f"{field}: bracket bounds are not increasing ({brackets[i - 1].upper} → {b.upper})")
    return Brackets(brackets)


def find(brackets: Brackets, value: Decimal) -> int:
    """The index of the bracket that holds `value`: the first whose upper bound is above it, or is it and
    includes it (the last is open-ended)."""
    uppers = brackets.uppers
    index = bisect_left(uppers, value)  # the first bound not below the value
    if index < len(uppers) and value == uppers[index] and not brackets[index].inclusive:
        return index + 1
    return index


def interval(brackets: tuple[Bracket, ...], index: int) -> str:
    """The bracket written as an interval, e.g. (1.2, 1.5], ≤30 or >2."""
    b = brackets[index]
    prev = brackets[index - 1] if index else None
    if prev is None:
        return "全部" if b.upper is None else f"{'≤' if b.inclusive else '<'}{fmt_plain(b.upper)}"
    opening = "(" if prev.inclusive else "["
    if b.upper is None:
        return f"{'>' if prev.inclusive else '≥'}{fmt_plain(prev.upper)}"
    return f"{opening}{fmt_plain(prev.upper)}, {fmt_plain(b.upper)}{']' if b.inclusive else ')'}"


def parse(row) -> Spec:
    """The measured parameter, its brackets, and an optional factor (e.g. 3 months)."""
    spec = Spec(row.text("param"), read_brackets(row), row.decimal("factor", Decimal(1)),
                row.text("factor_label", ""))
    if spec.factor <= 0:
        raise row.error("factor 应为正数", "factor must be positive")
    return spec


def params(spec: Spec) -> tuple[Param, ...]:
    """The measured value, and any value a bracket's rate is multiplied by."""
    names = dict.fromkeys([spec.param, *(b.times for b in spec.brackets if b.times)])
    return tuple(Param(name) for name in names)


def bracket_rate(brackets: Brackets, value: Decimal, values) -> tuple[Rate, int]:
    """The standard rate of the bracket holding `value` (scaled by its `times` value)."""
    index = find(brackets, value)
    b = brackets[index]
    return (b.rate if b.times is None else b.rate.scaled(values[b.times])), index


def price(spec: Spec, line, ctx) -> Pricing:
    """The bracket's rate (R1 applies to a range), times the row's factor."""
    value = line.params[spec.param]
    rate, index = bracket_rate(spec.brackets, value, line.params)
    remarks = [f"{ctx.describe(spec.param, value)},档位{spec.intervals[index]}"]
    if spec.brackets[index].times:
        remarks.append(f"按{ctx.describe(spec.brackets[index].times, None)}计")
    if spec.factor_remark:
        remarks.append(spec.factor_remark)
    return Pricing(standard=rate, factor=spec.factor, remarks=tuple(remarks))


def describe(spec: Spec) -> dict:
    """The brackets as data for listings."""
    data = {"by": spec.param, "brackets": brackets_json(spec.brackets)}
    if spec.factor != 1:
        data["factor"] = str(spec.factor)
        data["factor_label"] = spec.factor_label
    return data


def brackets_json(brackets: tuple[Bracket, ...]) -> list[dict]:
    """Each bracket as its interval and rate."""
    return [{"interval": interval(brackets, i), **rate_json(b.rate), **({"times": b.times} if b.times else {})}
            for i, b in enumerate(brackets)]


def summary(spec: Spec, unit: str, schedule) -> str:
    """深度(m) ≤1.2→90; (1.2, 1.5]→130 … 元/m², and the factor's label."""
    return table_summary(spec, unit, schedule) + factor_summary(spec)


def table_summary(spec: Spec, unit: str, schedule) -> str:
    """The brackets in a line: the measured value, then each interval → its rate."""
    parts = [f"{interval(spec.brackets, i)}→{rate_text(b.rate)}" + ("/m²" if b.times else "")
             for i, b in enumerate(spec.brackets)]
    return f"{param_heading(schedule, spec.param)} " + "; ".join(parts) + f" 元/{unit}"


def factor_summary(spec: Spec) -> str:
    """ × 一次性补助3个月, or nothing without a factor."""
    return f" × {spec.factor_label}" if spec.factor != 1 else ""


def detail_rows(spec: Spec, unit: str, schedule) -> list[tuple[str, str]]:
    """One row per bracket (深度 (1.2, 1.5] | 130 元/m²), then the factor."""
    return table_rows(spec, unit, schedule) + factor_rows(spec)


def table_rows(spec: Spec, unit: str, schedule) -> list[tuple[str, str]]:
    """Each bracket as (the measured value's interval, its rate with the unit)."""
    label = schedule.describe(spec.param, None)
    return [(f"{label} {interval(spec.brackets, i)}", _bracket_standard(b, unit, schedule))
            for i, b in enumerate(spec.brackets)]


def factor_rows(spec: Spec) -> list[tuple[str, str]]:
    """(乘以, the factor's label), or none without a factor."""
    return [("乘以", spec.factor_label or str(spec.factor))] if spec.factor != 1 else []


def _bracket_standard(b: Bracket, unit: str, schedule) -> str:
    """A bracket's rate with its unit: 300 元/处, or 4 元/m² × 面积(每处) when it is per m²."""
    if not b.times:
        return f"{rate_text(b.rate)} 元/{unit}"
    info = schedule.params[b.times]
    per = f"元/{info.unit}" if info.unit else "元"
    return f"{rate_text(b.rate)} {per} × {info.label}(每{unit})"


def hosts(spec, items) -> None:
    """Nothing to attach to."""
    return None
