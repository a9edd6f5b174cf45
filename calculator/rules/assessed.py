"""R4: an amount the standard leaves to an assessor or a later decision, typed with its basis."""
from calculator.core.errors import InputError
from calculator.core.pricing import Param, Pricing
from calculator.rules.listing import data_rows

KIND = "assessed"
LABEL = "评估"
CASE_LINE = True
TAKES_QUANTITY = False  # the amount is the whole line's: quantity 1
RATE_FIELD = "amount"  # the 单价 cell takes the assessed amount
USES_OTHER_LINES = False
FLAG = "assessed"


def parse(row) -> None:
    """Nothing beyond the common fields."""
    return None


def params(spec: None) -> tuple[Param, ...]:
    """The amount and the basis it rests on (an assessment report, a decision)."""
    return (Param("amount"), Param("basis", text=True))


def price(spec: None, line, ctx) -> Pricing:
    """The typed amount, shown as 评估项 with its basis; the amount is the whole line's."""
    if line.quantity != 1:
        raise InputError("评估项按金额计,数量应为 1", "an assessed item is one amount: quantity must be 1",
                         field="quantity")
    basis = line.params["basis"]
    return Pricing(amount=line.params["amount"], flags=(FLAG,), remarks=(f"评估项(依据:{basis})",))


def describe(spec: None) -> dict:
    """An amount with a basis, for listings."""
    return {"amount": "typed", "basis": "required"}


def summary(spec: None, unit: str, schedule) -> str:
    """An amount typed with its basis."""
    return "评估金额(须注明依据)"


def detail_rows(spec: None, unit: str, schedule) -> list[tuple[str, str]]:
    """The amount and its basis, as the listing data names them."""
    return data_rows(describe(spec), schedule, unit)


def hosts(spec, items) -> None:
    """Nothing to attach to."""
    return None
