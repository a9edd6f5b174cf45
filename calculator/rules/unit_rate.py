"""Fixed or range rate per unit of quantity (R1): 附属平房/砖混结构 700–800 /m²."""
from calculator.pricing import Pricing
from calculator.rates import Rate, rate_json, read_rate

KIND = "unit_rate"


def parse(row) -> Rate:
    """The row's rate or range."""
    return read_rate(row)


def params(spec: Rate) -> tuple:
    """A plain rate needs nothing beyond the quantity."""
    return ()


def price(spec: Rate, line, ctx) -> Pricing:
    """The standard is the row's rate; R1 is applied by the engine."""
    return Pricing(standard=spec)


def describe(spec: Rate) -> dict:
    """The rate as data for listings."""
    return rate_json(spec)
