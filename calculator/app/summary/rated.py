"""The lines a rate audit looks at, collected while the stored versions pass (calculator.app.summary.figures).

For each line its rule found a standard for, the standard comes from the rule itself
(`actions.line_standard`, what the 补偿测算 tab shows as the range), looked up once per item and
parameters. Lines priced against a range are counted by assessor, item, rate and whether the
midpoint was taken by default — a project's thousands of lines become a few hundred groups with
their number of lines and summed amount (exact fen); every line outside the standard (超标准) is
kept whole, with its household and reason.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import pandas as pd

from calculator.app.actions import line_standard
from calculator.engine.case import Case
from calculator.engine.lines import DISPUTED
from calculator.core.rates import MIDPOINT, OVERRIDE, Rate
from tables.schedule import Schedule

RATED_COLUMNS = ("assessor", "item", "rate", "midpoint", "low", "high", "low4", "high4", "lines", "amount")
OVERRIDE_COLUMNS = ("household", "assessor", "item", "quantity", "rate", "low", "high", "amount", "reason")


def fen(text: str) -> int:
    """An amount as the program stores it ("1234.50", exactly two decimals) in fen, exactly."""
    if text[-3] != ".":
        raise ValueError(f"not a stored amount: {text!r}")
    return int(text.replace(".", ""))


class Standards:
    """The standard each stored line of one schedule was priced against, once per item and parameters (per
    household for a rule that reads the case's other lines), with its bounds in ten-thousandths of a yuan."""

    def __init__(self, schedule: Schedule):
        self.schedule = schedule
        items = schedule.items
        # Only an item whose rule states a range somewhere (its `describe`) can be priced against one (R1).
        self.ranged = frozenset(key for key, item in items.items() if _names_range(item.rule.describe(item.spec)))
        self.per_case = frozenset(key for key, item in items.items() if getattr(item.rule, "USES_OTHER_LINES", False))
        self._found: dict[Any, tuple[Rate, int, int] | None] = {}

    def of(self, raw_lines: Callable[[], list[dict[str, Any]]], index: int, item: str,
           params: dict[str, Any] | None, household_id: int) -> tuple[Rate, int, int] | None:
        """The line's standard and its bounds ×10⁴ (`raw_lines` gives the case's lines, should the rule have to be
        asked); None when its rule prices it by no rate."""
        key: Any = item
        if params or item in self.per_case:
            key = (item, tuple(sorted(params.items())) if params else (),
                   household_id if item in self.per_case else None)
        if key not in self._found:
            standard = line_standard(Case(schedule=self.schedule.id, items=raw_lines()), self.schedule, index)
            self._found[key] = None if standard is None else (standard, _scaled(standard.low),
                                                             _scaled(standard.high))
        return self._found[key]


class RatedLines:
    """Range-priced lines grouped as they pass, and every 超标准 line."""

    def __init__(self) -> None:
        self._groups: dict[tuple, list[str]] = {}  # (assessor, item, rate, midpoint, low4, high4) → amounts
        self._bounds: dict[tuple[int, int], Rate] = {}  # the standard of (low4, high4)
        self._overrides: list[tuple] = []

    def add(self, household_id: int, assessor: str, lines: list[dict[str, Any]],
            raw_lines: Callable[[], list[dict[str, Any]]], standards: Standards) -> None:
        """One household's stored lines (`raw_lines`: its case's, should a standard have to be looked up)."""
        ranged = standards.ranged
        # A rate outside the standard (超标准) always carries its reason: the lines worth a look are these.
        for index in [i for i, line in enumerate(lines) if line["item"] in ranged or "override_reason" in line]:
            line = lines[index]
            item, flags = line["item"], line["flags"]
            disputed = DISPUTED in flags
            if disputed and OVERRIDE not in flags:
                continue
            found = standards.of(raw_lines, index, item, line.get("params"), household_id)
            if found is None:
                continue
            standard, low, high = found
            if OVERRIDE in flags:   # disputed too: it is paid once verified, at the rate outside the standard
                reason = line.get("override_reason", "")
                self._overrides.append((household_id, assessor, item, line["quantity"], line["rate"], standard.low,
                                        standard.high, line["amount"],
                                        f"{reason}(有争议,未计入合计)" if disputed else reason))
            if low != high and not disputed:   # held out of the total, held out of the rates chosen
                self._bounds[low, high] = standard
                self._groups.setdefault((assessor, item, line["rate"], MIDPOINT in flags, low, high), []).append(
                    line["amount"])

    def frame(self) -> pd.DataFrame:
        """The groups: assessor, item, rate as stored and ×10⁴ (rate4), midpoint by default, the standard's
        bounds (and ×10⁴), how many lines and their amount in fen."""
        rows = [(assessor, item, rate, midpoint, self._bounds[low, high].low, self._bounds[low, high].high, low, high,
                 len(amounts), sum(map(fen, amounts)))
                for (assessor, item, rate, midpoint, low, high), amounts in self._groups.items()]
        frame = pd.DataFrame(rows, columns=list(RATED_COLUMNS))
        frame["rate4"] = [fen(rate) * 100 for rate in frame["rate"].tolist()]
        for column in ("low4", "high4", "lines", "amount", "rate4"):
            frame[column] = frame[column].astype("int64")
        frame["midpoint"] = frame["midpoint"].astype(bool)
        return frame

    def overrides(self) -> pd.DataFrame:
        """Every line outside the standard, whole: household id, assessor, item, quantity, rate, the standard's
        bounds, amount (as stored) and the reason given."""
        return pd.DataFrame(self._overrides, columns=list(OVERRIDE_COLUMNS))


def _scaled(bound: Decimal) -> int:
    """A standard's bound in ten-thousandths of a yuan (a rate with more decimals is not one the schedule has)."""
    scaled = bound.scaleb(4)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"a standard rate with more than four decimals: {bound}")
    return int(scaled)


def _names_range(described: Any) -> bool:
    """A rule's description (rates.rate_json and the like) names a range somewhere."""
    if isinstance(described, dict):
        return "range" in described or any(map(_names_range, described.values()))
    if isinstance(described, list):
        return any(map(_names_range, described))
    return False
