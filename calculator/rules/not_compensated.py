"""R5: accepted and listed, always 0.00, with the source's reason (废弃枯井、废渠、无主坟墓)."""
from decimal import Decimal

from calculator.core.pricing import Pricing
from calculator.rules.listing import data_rows

KIND = "not_compensated"
LABEL = "不予补偿"
CASE_LINE = True
TAKES_QUANTITY = True
RATE_FIELD = None  # always zero: nothing to type
USES_OTHER_LINES = False
FLAG = "not_compensated"


def parse(row) -> str:
    """The reason printed beside the line."""
    return row.text("reason")


def params(spec: str) -> tuple:
    """Nothing to measure."""
    return ()


def price(spec: str, line, ctx) -> Pricing:
    """Zero, with the reason."""
    return Pricing(amount=Decimal(0), flags=(FLAG,), remarks=(spec,))


def describe(spec: str) -> dict:
    """Always zero, with the reason."""
    return {"rate": "0", "reason": spec}


def summary(spec: str, unit: str, schedule) -> str:
    """Zero."""
    return "不予补偿 0"


def detail_rows(spec: str, unit: str, schedule) -> list[tuple[str, str]]:
    """Zero and the reason, as the listing data names them."""
    return data_rows(describe(spec), schedule, unit)


def hosts(spec, items) -> None:
    """Nothing to attach to."""
    return None
