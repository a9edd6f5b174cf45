"""How a rule kind writes its standard for people: the one-line summary and the detail rows of listings.

Rates are written as the data file writes them (700, 700–800); a parameter by its [params] label.
`schedule` is the loaded schedule (its `params` and `describe`), passed in by the listing.
"""
from __future__ import annotations

from decimal import Decimal

from calculator.core.labels import label
from calculator.core.rates import Rate


def rate_text(rate: Rate) -> str:
    """700, or 700–800 for a range: the figures as the data file writes them."""
    return f"{rate.low}–{rate.high}" if rate.is_range else str(rate.low)


def param_heading(schedule, name: str) -> str:
    """A parameter's label with its unit: 深度(m), 生长期."""
    info = schedule.params[name]
    return f"{info.label}({info.unit})" if info.unit else info.label


# The keys of a rule's describe() data as a person reads them (the 标准查阅 detail): they showed as the data file names
# them, range | 120、150, prorated_by | height_m.
DATA_LABELS = {"range": "单价区间", "rate": "单价", "share": "按依附房屋单价的比例", "host_groups": "可依附的房屋",
               "host_unit": "依附房屋的计量单位", "prorated_by": "按此折算", "full_at": "达到此值按全价",
               "surcharge": "加价按", "surcharge_pct": "加价幅度(%)", "measure": "按此面积", "ratio": "比例",
               "deduct": "扣除", "amount": "金额", "basis": "依据", "reason": "说明"}
# Values that stand for what a line or a case gives, not a figure of the standard.
DATA_WORDS = {"typed": "按评估填写", "required": "必填"}
PRICED_IN_UNITS = ("range", "rate")   # a rate per the item's unit


def data_rows(data: dict, schedule, unit: str) -> list[tuple[str, str]]:
    """A rule's describe() data as (name, value) rows in Chinese: a parameter by its label, a rate with its unit (元/m²),
    a field a value names by its label (高度(m), 正房实测面积); a key no label is known for as the data names it."""
    rows = []
    for key, value in data.items():
        if isinstance(value, dict):
            value = "–".join(value["range"]) if "range" in value else str(value.get("rate", ""))
        elif isinstance(value, list):
            value = ("–" if key == "range" else "、").join(map(str, value))
        elif value in schedule.params:
            value = param_heading(schedule, value)
        elif key in ("measure", "deduct"):
            value = label(value)
        elif key == "full_at" and data.get("prorated_by") in schedule.params:   # 1 m
            value = f"{value} {schedule.params[data['prorated_by']].unit}".rstrip()
        elif key == "share":
            value = f"{Decimal(value) * 100:f}".rstrip("0").rstrip(".") + "%"
        value = DATA_WORDS.get(value, value)
        if key in PRICED_IN_UNITS:
            value = f"{value} 元/{unit}"
        name = schedule.params[key].label if key in schedule.params else DATA_LABELS.get(key, key)
        rows.append((name, str(value)))
    return rows
