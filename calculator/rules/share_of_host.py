"""A share of the rate of the house a structure is attached to (歇厦、雨搭: 50%)."""
from decimal import Decimal
from typing import NamedTuple

from calculator.core.errors import InputError, at_field
from calculator.core.money import fmt_plain, fmt_quantity
from calculator.core.pricing import Param, Pricing
from calculator.core.rates import MIDPOINT, Rate
from calculator.rules import unit_rate
from calculator.rules.listing import data_rows

KIND = "share_of_host"
HOST_KIND = unit_rate.KIND   # a host is priced by a plain rate, which the share takes
LABEL = "依附房屋比例"
CASE_LINE = True
TAKES_QUANTITY = True
RATE_FIELD = "rate"
PARAM = "attached_to"
USES_OTHER_LINES = True  # the host's rate is read from the case's other lines


class Spec(NamedTuple):
    share: Decimal
    host_groups: tuple[str, ...]
    host_unit: str


def parse(row) -> Spec:
    """The share (0–1), the item groups a host may come from, and the host's unit."""
    spec = Spec(row.decimal("share"), row.texts("host_groups"), row.text("host_unit"))
    if not 0 < spec.share <= 1:
        raise row.error("share 应在 0 与 1 之间", "share must lie in (0, 1]")
    return spec


def params(spec: Spec) -> tuple[Param, ...]:
    """The host house's item key."""
    return (Param(PARAM, text=True),)


def price(spec: Spec, line, ctx) -> Pricing:
    """The host's rate on this case (else its fixed rate or midpoint) times the share."""
    host_key = line.params[PARAM]
    try:
        host = ctx.item(host_key)
    except InputError as error:
        raise InputError(f"依附房屋{error.zh}", f"attached_to: {error.en}", field=PARAM) from None
    if not _may_host(spec, host):
        raise InputError(
            f"依附房屋「{host_key}」不是可依附的房屋(须为{'、'.join(spec.host_groups)}中按{spec.host_unit}计价的项)",
            f"attached_to {host_key!r} is not a house this can be attached to "
            f"(a per-{spec.host_unit} item of {', '.join(spec.host_groups)})", field=PARAM)
    host_rate, from_midpoint = at_field(PARAM, ctx.host_rate, host_key)  # ambiguous or invalid on this case: the host
    rate = host_rate * spec.share
    # a host paid above (or below) its standard, with its reason: this line follows it, and says so (R1: flagged on
    # every report), or 50% of 900 passed as within a standard of 50% of 700–800
    outside = "(超标准)" if not host.spec.low <= host_rate <= host.spec.high else ""
    remark = f"按{host_key}单价{fmt_quantity(host_rate)}{outside}的{fmt_plain(spec.share * 100)}%"
    return Pricing(standard=Rate.fixed(rate), flags=(MIDPOINT,) if from_midpoint else (), remarks=(remark,))


def describe(spec: Spec) -> dict:
    """The share and the houses it may attach to, for listings."""
    return {"share": str(spec.share), "host_groups": list(spec.host_groups), "host_unit": spec.host_unit}


def summary(spec: Spec, unit: str, schedule) -> str:
    """依附房屋单价的50%."""
    return f"依附房屋单价的{fmt_plain(spec.share * 100)}%"


def detail_rows(spec: Spec, unit: str, schedule) -> list[tuple[str, str]]:
    """The share and the houses it may attach to, as the data holds them."""
    return data_rows(describe(spec), schedule, unit)


def hosts(spec: Spec, items) -> tuple:
    """The rows of `items` a line may be attached to: per-`host_unit` rows of the host groups, in order."""
    return tuple(item for item in items if _may_host(spec, item))


def _may_host(spec: Spec, item) -> bool:
    return item.group in spec.host_groups and item.unit == spec.host_unit
