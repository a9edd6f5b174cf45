"""R5: accepted and listed, always 0.00, with the source's reason (废弃枯井、废渠、无主坟墓)."""
from decimal import Decimal

from calculator.pricing import Pricing

KIND = "not_compensated"
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
