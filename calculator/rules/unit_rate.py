"""Fixed or range rate per unit of quantity (R1): 附属平房/砖混结构 700–800 /m²."""
from calculator.core.pricing import Pricing
from calculator.core.rates import Rate, rate_json, read_rate
from calculator.rules.listing import data_rows, rate_text

KIND = "unit_rate"
LABEL = "单价"
CASE_LINE = True
TAKES_QUANTITY = True
RATE_FIELD = "rate"
USES_OTHER_LINES = False


def parse(row) -> Rate:
    """The row's rate or range."""
    return read_rate(row)


def params(spec: Rate) -> tuple:
    """A plain rate needs nothing beyond the quantity."""
    return ()


def price(spec: Rate, line, ctx) -> Pricing:
    """The standard is the row's rate; R1 is applied by the engine."""
    return Pricing(spec)  # by position: made for every line of the commonest kind


def describe(spec: Rate) -> dict:
    """The rate as data for listings."""
    return rate_json(spec)


def summary(spec: Rate, unit: str, schedule) -> str:
    """700–800 元/m²."""
    return f"{rate_text(spec)} 元/{unit}"


def detail_rows(spec: Rate, unit: str, schedule) -> list[tuple[str, str]]:
    """The rate as the data holds it."""
    return data_rows(describe(spec), schedule, unit)


def hosts(spec, items) -> None:
    """Nothing to attach to."""
    return None
