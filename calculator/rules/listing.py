"""How a rule kind writes its standard for people: the one-line summary and the detail rows of listings.

Rates are written as the data file writes them (700, 700–800); a parameter by its [params] label.
`schedule` is the loaded schedule (its `params` and `describe`), passed in by the listing.
"""
from __future__ import annotations

from calculator.core.rates import Rate


def rate_text(rate: Rate) -> str:
    """700, or 700–800 for a range: the figures as the data file writes them."""
    return f"{rate.low}–{rate.high}" if rate.is_range else str(rate.low)


def param_heading(schedule, name: str) -> str:
    """A parameter's label with its unit: 深度(m), 生长期."""
    info = schedule.params[name]
    return f"{info.label}({info.unit})" if info.unit else info.label


def data_rows(data: dict, schedule) -> list[tuple[str, str]]:
    """A rule's describe() data as (name, value) rows: a parameter by its label, other keys as the data names them."""
    rows = []
    for key, value in data.items():
        if isinstance(value, dict):
            value = "–".join(value["range"]) if "range" in value else str(value.get("rate", ""))
        elif isinstance(value, list):
            value = "、".join(map(str, value))
        rows.append((schedule.params[key].label if key in schedule.params else key, str(value)))
    return rows
