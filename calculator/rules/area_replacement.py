"""R7 房屋面积置换: a ratio of an area, owed as new-home area, never money.

These rows are priced from the case's `replacement` block (calculator.engine.replacement), not as
item lines: one line could not carry the three areas the rule needs.
"""
from decimal import Decimal
from typing import NamedTuple

from calculator.core.errors import InputError
from calculator.rules.listing import data_rows

KIND = "area_replacement"
LABEL = "面积置换"
CASE_LINE = False  # priced from the case's replacement block
TAKES_QUANTITY = True
RATE_FIELD = "rate"  # a line of it is refused at its item; until removed it shows as a plain line
USES_OTHER_LINES = False


class Spec(NamedTuple):
    ratio: Decimal
    measure: str
    deduct: str | None


def parse(row) -> Spec:
    """The ratio, the area it applies to and the area deducted first."""
    spec = Spec(row.decimal("ratio"), row.text("measure"), row.text("deduct") if row.has("deduct") else None)
    if spec.ratio <= 0:
        raise row.error("ratio 应为正数", "ratio must be positive")
    return spec


def params(spec: Spec) -> tuple:
    """Not used on item lines."""
    return ()


def price(spec: Spec, line, ctx):
    """Refused: replacement is the case's `replacement` block."""
    raise InputError("房屋面积置换不作为补偿项,请填写 replacement(正房面积、正房占地、宅基地证面积)",
                     "area replacement is not an item line; fill in the case's replacement block "
                     "(main_house_area_m2, main_house_footprint_m2, homestead_certificate_area_m2)", field="item")


def describe(spec: Spec) -> dict:
    """The ratio and the areas it applies to."""
    return {"ratio": str(spec.ratio), "measure": spec.measure, **({"deduct": spec.deduct} if spec.deduct else {})}


def summary(spec: Spec, unit: str, schedule) -> str:
    """置换比例 1:0.4."""
    return f"置换比例 1:{spec.ratio}"


def detail_rows(spec: Spec, unit: str, schedule) -> list[tuple[str, str]]:
    """The ratio and the areas, as the data holds them."""
    return data_rows(describe(spec), schedule, unit)


def hosts(spec, items) -> None:
    """Nothing to attach to."""
    return None
