"""Standard rates and rule R1: the assessor's rate, the midpoint default, and overrides."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from calculator.core.errors import InputError
from calculator.core.limits import blank
from calculator.core.money import fmt_quantity

MIDPOINT = "midpoint"
OVERRIDE = "override"


@dataclass(frozen=True)
class Rate:
    """A standard rate: fixed when low == high, else the range [low, high] of R1."""

    low: Decimal
    high: Decimal

    @classmethod
    def fixed(cls, value: Decimal) -> "Rate":
        return cls(value, value)

    @property
    def is_range(self) -> bool:
        return self.low != self.high

    @cached_property  # read for every line priced at the midpoint
    def midpoint(self) -> Decimal:
        return (self.low + self.high) / 2

    @cached_property  # read for every line typed without a rate: most lines
    def unrated(self) -> "Resolved":
        """R1 for a line without a rate of its own: the midpoint of a range (said), a fixed rate as it is."""
        return Resolved(self.midpoint, (MIDPOINT,)) if self.is_range else Resolved(self.low)

    def scaled(self, factor: Decimal) -> "Rate":
        return Rate(self.low * factor, self.high * factor)

    def __str__(self) -> str:
        if self.is_range:
            return f"{fmt_quantity(self.low)}–{fmt_quantity(self.high)}"
        return fmt_quantity(self.low)


class Resolved(NamedTuple):
    """The rate a line is paid at, with the flags R1 puts on it (a named tuple: one is made per line)."""

    value: Decimal
    flags: tuple[str, ...] = ()


# A Resolved made in one C call (a named tuple's own constructor is a Python function): one per line with a rate.
_resolved = functools.partial(tuple.__new__, Resolved)


def resolve_rate(standard: Rate, given: Decimal | None, override_reason: str,
                 what: str = "单价/rate") -> Resolved:
    """Apply R1: midpoint when no rate is given; outside the standard only with a reason."""
    if given is None:
        return standard.unrated
    if given < 0:
        raise InputError(f"{what.split('/')[0]}不能为负数", f"{what.split('/')[-1]} must not be negative")
    if standard.low <= given <= standard.high:
        return _resolved((given, ()))
    if blank(override_reason):
        zh_std = "区间" if standard.is_range else "标准"
        raise InputError(
            f"{what.split('/')[0]} {fmt_quantity(given)} 超出{zh_std} {standard},须填写超标准理由",
            f"{what.split('/')[-1]} {fmt_quantity(given)} is outside the standard {standard}; "
            f"an override_reason is required")
    return Resolved(given, (OVERRIDE,))


def read_rate(row) -> Rate:
    """A data row's `rate = "700"` or `range = ["700", "800"]`: exactly one of the two."""
    if row.has("rate") == row.has("range"):
        raise row.error("须有且只有一个 rate 或 range", "needs exactly one of rate or range")
    if row.has("rate"):
        value = row.decimal("rate")
        low = high = value
    else:
        bounds = row.raw("range")
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise row.error("range 应为 [下限, 上限]", "range must be [low, high]")
        low, high = (row.to_decimal(b, "range") for b in bounds)
        if low >= high:
            raise row.error(f"区间下限 {low} 不小于上限 {high}", f"range low {low} is not below high {high}")
    if low < 0:
        raise row.error("费率不能为负数", "a rate must not be negative")
    return Rate(low, high)


def rate_json(rate: Rate) -> dict:
    """{"rate": "700"} or {"range": ["700", "800"]}, as the data file writes it."""
    if rate.is_range:
        return {"range": [str(rate.low), str(rate.high)]}
    return {"rate": str(rate.low)}
