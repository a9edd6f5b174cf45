"""Rate choices (审计): where each assessor's rates sit in the standard's ranges, the midpoint defaults,
and every rate outside the standard with its reason.

A line priced against a range [下限, 上限] of the standard (R1) is placed by its rate: at the floor,
between floor and midpoint, at the midpoint (typed, or taken by default because no rate was given),
between midpoint and ceiling, at the ceiling, or outside the range (超标准, with a reason). Its
position is (rate − 下限) / (上限 − 下限): 0 at the floor, 1 at the ceiling. 较中值多付 is what the
line pays over what the midpoint would have paid (amount × (rate − 中值) / rate, summed exactly over a row's lines
and rounded once, to the fen); an
assessor who always takes the ceiling shows at a glance in the counts, the mean position and it.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from calculator.core.money import fmt_plain, round_money
from calculator.app.summary.figures import Figures
from calculator.app.summary.model import COUNT, MONEY, NUMBER, QUANTITY, SHARE, Column, Table, share

# Where a rate sits in its range: key, heading.
POSITIONS = (("floor", "下限"), ("lower", "下限至中值"), ("midpoint", "中值(填写)"), ("default", "中值(未填单价)"),
             ("upper", "中值至上限"), ("ceiling", "上限"), ("outside", "超出区间"))


def ranged_lines(figures: Figures) -> pd.DataFrame:
    """The groups of range-priced lines (calculator.app.summary.rated), each with its position key and its exact
    较中值多付 in fen, a Fraction (a row rounds its sum once; its place in the range, 0–1, is worked exactly by
    _exact_places).

    Rates and bounds are compared as whole ten-thousandths of a yuan (exact: a stored rate has two
    decimals, a standard's bounds at most four), twice the rate against their sum for the midpoint."""
    ranged = figures.rated.copy()
    rate, low, high = ranged["rate4"], ranged["low4"], ranged["high4"]
    outside = (rate < low) | (rate > high)
    twice, ends = 2 * rate, low + high
    ranged["position"] = np.select(
        [outside, ranged["midpoint"].to_numpy(bool), rate == low, rate == high, twice == ends, twice < ends],
        ["outside", "default", "floor", "ceiling", "midpoint", "lower"], "upper")
    ranged["over_mid"] = pd.Series([_over_midpoint(a, r2, e) for a, r2, e in zip(ranged["amount"], twice, ends)],
                                   index=ranged.index, dtype=object)
    return ranged


def _over_midpoint(amount: int, twice_rate: int, ends: int) -> Fraction:
    """What lines at one rate pay over the midpoint's price, in fen, exactly: amount × (rate − 中值) / rate (in
    integers: amount × (2·rate − (下限 + 上限)) / (2·rate))."""
    if not twice_rate:
        return Fraction(0)
    return Fraction(int(amount) * (int(twice_rate) - int(ends)), int(twice_rate))


def _position_columns() -> tuple[Column, ...]:
    return (Column("lines", "区间项行数", COUNT), *(Column(key, heading, COUNT) for key, heading in POSITIONS),
            Column("mean_position", "平均位置(0下限,1上限)", NUMBER),
            Column("median_position", "位置中位数", NUMBER), Column("ceiling_share", "取上限占比", SHARE),
            Column("default_share", "未填单价占比", SHARE), Column("over_mid", "较中值多付(元)", MONEY))


def _position_rows(ranged: pd.DataFrame, by: list[str]) -> list[tuple]:
    """One row per group: the lines at each position, mean and median position (over lines), shares and
    较中值多付."""
    if ranged.empty:
        return []
    counts = pd.crosstab([ranged[key] for key in by], ranged["position"], values=ranged["lines"], aggfunc="sum")
    counts = counts.reindex(columns=[key for key, _ in POSITIONS]).fillna(0).astype("int64")
    places, over = _exact_places(ranged, by)
    rows = []
    for group, count in counts.iterrows():
        lines = int(count.sum())
        names = group if isinstance(group, tuple) else (group,)
        mean, median = _mean_and_median(places[group])
        rows.append((*names, lines, *(int(count[key]) for key, _ in POSITIONS), round_money(mean),
                     round_money(median), share(int(count["ceiling"]), lines),
                     share(int(count["default"]), lines), round_money(over[group] / 100)))
    return rows


def _exact_places(ranged: pd.DataFrame, by: list[str]) -> tuple[dict[Any, list[tuple[Fraction, int]]],
                                                                  dict[Any, Fraction]]:
    """Each group's lines as (their exact place in the range, how many lines), and its exact 较中值多付 in fen: worked
    in floating point, a median of 0.50 and 0.57 was 0.5349999999999999, shown 0.53 for 0.54; rounded per rate before
    the sum, 较中值多付 could be a fen off the formula it states."""
    places: dict[Any, list[tuple[Fraction, int]]] = {}
    over: dict[Any, Fraction] = {}
    keys = ranged[by].itertuples(index=False, name=None)
    for key, rate, low, high, lines, more in zip(keys, ranged["rate4"], ranged["low4"], ranged["high4"],
                                                 ranged["lines"], ranged["over_mid"]):
        group = key if len(by) > 1 else key[0]
        places.setdefault(group, []).append((Fraction(int(rate) - int(low), int(high) - int(low)), int(lines)))
        over[group] = over.get(group, Fraction(0)) + more
    return places, over


def _mean_and_median(places: list[tuple[Fraction, int]]) -> tuple[Fraction, Fraction]:
    """The mean and the median place over every line (a group of n lines counted n times)."""
    total = sum(lines for _, lines in places)
    mean = sum(place * lines for place, lines in places) / total
    ordered, seen, middle = sorted(places), 0, []
    for place, lines in ordered:   # the places at the middle positions (total - 1) // 2 and total // 2
        middle += [place] * sum(seen <= at < seen + lines for at in {(total - 1) // 2, total // 2})
        seen += lines
    return mean, sum(middle) / len(middle)


def by_assessor(figures: Figures, ranged: pd.DataFrame) -> Table:
    """Rate positions per assessor (every range-priced line of the households they assessed)."""
    overrides = figures.overrides.groupby("assessor")["item"].count()
    rows = [(*row, int(overrides.get(row[0], 0))) for row in _position_rows(ranged, ["assessor"])]
    columns = (Column("assessor", "评估人"), *_position_columns(), Column("overrides", "超标准行数", COUNT))
    return Table("rates_by_assessor", "单价取值·按评估人", columns, tuple(rows),
                 note="区间项:标准为区间的项目(R1)。位置 = (单价 − 下限) / (上限 − 下限)。"
                      "较中值多付 = 金额 × (单价 − 中值) / 单价。")


def by_item(figures: Figures, ranged: pd.DataFrame) -> Table:
    """Rate positions per item, with the item's range."""
    ranges = ranged.groupby("item")[["low", "high"]].first()
    rows = [(item, f"{fmt_plain(ranges.loc[item, 'low'])}–{fmt_plain(ranges.loc[item, 'high'])}", *rest)
            for item, *rest in _position_rows(ranged, ["item"])]
    columns = (Column("item", "项目"), Column("range", "标准区间(元)"), *_position_columns())
    return Table("rates_by_item", "单价取值·按项目", columns, tuple(rows))


def by_pair(ranged: pd.DataFrame) -> Table:
    """Rate positions per assessor and item: the pivot a workbook user filters."""
    columns = (Column("assessor", "评估人"), Column("item", "项目"), *_position_columns())
    return Table("rates_by_pair", "单价取值·按评估人和项目", columns, tuple(_position_rows(ranged, ["assessor", "item"])),
                 keys=2)


def overrides(figures: Figures) -> Table:
    """Every line priced outside the standard (超标准), with its household, assessor, standard and reason."""
    named = figures.overrides.join(figures.households[["number", "head"]], on="household")
    fields = ("number", "head", "assessor", "item", "quantity", "rate", "low", "high", "amount", "reason")
    rows = []
    for number, head, assessor, item, quantity, rate, low, high, amount, reason in zip(
            *(named[field].tolist() for field in fields)):
        standard = f"{fmt_plain(low)}–{fmt_plain(high)}" if low != high else fmt_plain(low)
        rows.append((number, head, assessor, item, Decimal(quantity), Decimal(rate), standard, Decimal(amount),
                     reason))
    columns = (Column("household", "户号"), Column("head", "户主"), Column("assessor", "评估人"),
               Column("item", "项目"), Column("quantity", "数量", QUANTITY), Column("rate", "单价(元)", NUMBER),
               Column("standard", "标准(元)"), Column("amount", "金额(元)", MONEY), Column("reason", "超标准理由"))
    return Table("overrides", "超标准单价", columns, tuple(rows))
