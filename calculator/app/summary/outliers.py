"""Households that stand out: compensation per m² of building area far from the project's distribution.

Measured per household with a building area (the 搬迁与安置 block's 建筑面积): the payable total per m²,
and each line group (section, the keys of a result's `subtotals`) per m². For each measure:

- centre: the median over those households (a group a household lacks counts as 0);
- spread: the median absolute deviation (MAD) scaled by 1/0.6745, so that it estimates the standard
  deviation of normal data; where more than half the households are at the median (MAD = 0, as for
  评估项 that most households lack), 1.2533 × the mean absolute deviation instead (the same estimate);
  where both are 0, every household is at the median and none stands out;
- robust z = (value − median) / spread; a household stands out when |z| > 3.5 (Iglewicz and
  Hoaglin's cut-off for the modified z-score) and it is at least MATERIAL_SHARE of the median total
  per m² away from the median (a few yuan is never worth a look).

The 搬迁奖励 is left out of every measure: it rewards the day a household moves out, not anything
measured, and a household still to move would otherwise stand out low.

Each household that stands out is shown with the lines that make it so: its items (and the
relocation allowances) whose per-m² amount is furthest from that item's project median in the
direction it stands out, each making at least DRIVER_SHARE of its distance from the median — an item
it lacks counts when it stands out low. Statistics are computed in
floating point, which no money total ever is; the values shown are rounded to the fen.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from calculator.core.money import fmt_quantity
from calculator.engine.relocation import PART_NAMES
from calculator.app.summary.figures import RELOCATION_SECTION, Figures
from calculator.app.summary.model import COUNT, NUMBER, TEXT, Column, Outlier, Table, statistic
from calculator.app.summary.views import counted

THRESHOLD = 3.5
MAD_TO_SD = 0.6745  # MAD / 0.6745 estimates the standard deviation of normal data
MEAN_AD_TO_SD = 1.253314  # likewise √(π/2) × the mean absolute deviation
MATERIAL_SHARE = 0.01  # the least distance from the median, as a share of the median total per m²
MIN_HOUSEHOLDS = 5  # fewer households with a building area give no distribution to stand out from
LINES_SHOWN = 5
DRIVER_SHARE = 0.1  # a line is shown when it makes at least this share of the household's distance from the median
INCENTIVE = PART_NAMES["incentive"]
TOTAL = "合计"
GROUP = "行组"
METHOD = {
    "measure": "每平方米建筑面积的补偿(元/m²,不含搬迁奖励):合计,及各章节(行组)",
    "centre": "median",
    "spread": "MAD / 0.6745; MAD 为 0 时用 1.2533 × 平均绝对偏差 (mean absolute deviation)",
    "score": "robust z = (x − median) / spread",
    "threshold": THRESHOLD,
    "materiality": f"与中位数相差至少为合计每平方米中位数的 {MATERIAL_SHARE:.0%}",
}


METHOD_LABELS = {"measure": "指标", "centre": "中心", "spread": "离散程度", "score": "得分", "threshold": "阈值",
                 "materiality": "最小偏离"}


def per_m2(figures: Figures) -> tuple[pd.DataFrame, pd.Series]:
    """The measures per household (yuan per m²), and the building areas, of the households with one."""
    money = counted(figures)
    money = money[money["building_area"].notna()]
    area = money["building_area"].map(float)
    area = area[area > 0]
    money = money.loc[area.index]
    measures = pd.DataFrame({TOTAL: (money["total"] - money["incentive"]) / 100 / area}, index=money.index)
    for key in figures.sections:
        amount = money[f"section:{key}"] - (money["incentive"] if key == RELOCATION_SECTION else 0)
        measures[key] = amount / 100 / area
    return measures, area


def spread(values: pd.Series) -> tuple[float, float, str]:
    """The median, the robust spread and which estimate gave it ("MAD", "MeanAD" or "none")."""
    centre = float(values.median())
    deviations = (values - centre).abs()
    mad = float(deviations.median())
    if mad > 0:
        return centre, mad / MAD_TO_SD, "MAD"
    mean_ad = float(deviations.mean())
    if mean_ad > 0:
        return centre, MEAN_AD_TO_SD * mean_ad, "MeanAD"
    return centre, 0.0, "none"


@dataclass(frozen=True)
class Found:
    """The measures (median, spread, bounds, how many stand out), every outlier (largest |z| first), and each
    household's total per m² with the mark the charts give it: TOTAL, GROUP (a line group only) or ""."""

    measures: Table
    outliers: tuple[Outlier, ...]
    distribution: tuple[tuple[str, Decimal, str], ...]
    unmeasured: tuple[str, ...]   # the counted households no measure takes (no 建筑面积), by 户号


def find_outliers(figures: Figures) -> Found:
    """Every measure tested, and what stands out."""
    measures, area = per_m2(figures)
    columns = (Column("measure", "指标"), Column("households", "户数", COUNT), Column("median", "中位数(元/m²)", NUMBER),
               Column("spread", "稳健标准差(元/m²)", NUMBER), Column("estimate", "估计方法", TEXT),
               Column("lower", "下界(元/m²)", NUMBER), Column("upper", "上界(元/m²)", NUMBER),
               Column("outliers", "异常户数", COUNT))
    note = (f"稳健z值 = (每平方米金额 − 中位数) / 稳健标准差,|z| > {THRESHOLD} 且偏离至少为合计中位数的 "
            f"{MATERIAL_SHARE:.0%} 者列为异常户;稳健标准差 = MAD/0.6745(MAD 为 0 时 1.2533×平均绝对偏差)。")
    left = _unmeasured(figures, measures)
    unmeasured = _unmeasured_note(left)
    if len(measures) < MIN_HOUSEHOLDS:
        return Found(Table("outlier_measures", "异常户检测", columns, (),
                           note=f"有建筑面积的已测算住户不足 {MIN_HOUSEHOLDS} 户,未做异常检测。{unmeasured}"), (), (),
                     left)
    material = MATERIAL_SHARE * abs(float(measures[TOTAL].median()))
    items = _items_per_m2(figures, area)
    medians = items.median()
    rows, found = [], []
    for measure in measures.columns:
        values = measures[measure]
        centre, scale, estimate = spread(values)
        margin = max(THRESHOLD * scale, material)
        flagged = values[((values - centre).abs() > margin)] if scale > 0 else values.iloc[:0]
        bounds = (statistic(centre - margin), statistic(centre + margin)) if scale > 0 else (None, None)
        rows.append((measure, len(values), statistic(centre), statistic(scale), estimate, *bounds, len(flagged)))
        for household_id, value in flagged.items():
            found.append(_outlier(figures, items, medians, household_id, measure, value, centre,
                                  (value - centre) / scale))
    found.sort(key=lambda outlier: (-abs(outlier.score), outlier.household, outlier.measure))
    marks = {}
    for outlier in found:
        if marks.get(outlier.household) != TOTAL:
            marks[outlier.household] = TOTAL if outlier.measure == TOTAL else GROUP
    ordered = measures[TOTAL].sort_values(kind="stable")
    numbers = figures.households.loc[ordered.index, "number"]
    distribution = tuple((number, statistic(value), marks.get(number, ""))
                         for number, value in zip(numbers, ordered))
    return Found(Table("outlier_measures", "异常户检测", columns, tuple(rows), note=note + unmeasured), tuple(found),
                 distribution, left)


def _unmeasured(figures: Figures, measures: pd.DataFrame) -> tuple[str, ...]:
    """The 户号 of the counted households no measure takes (no 建筑面积 to divide by): they were left out of the
    check without a word, one of them 360,000.00 in a single line."""
    return tuple(figures.households.loc[counted(figures).index.difference(measures.index), "number"].tolist())


def _unmeasured_note(numbers: tuple[str, ...], named: int = 30) -> str:
    """The households left out of the check, named (the first `named`) in the measures' note."""
    if not numbers:
        return ""
    shown = "、".join(numbers[:named]) + (f" 等 {len(numbers)} 户" if len(numbers) > named else "")
    return f"未参与检测(无建筑面积,无从按每平方米比较):户号 {shown}。"


def _items_per_m2(figures: Figures, area: pd.Series) -> pd.DataFrame:
    """Each household's amount per m² by item (households as rows, items as columns, 0 where it has none)."""
    lines = figures.lines
    lines = lines[lines["household"].isin(area.index) & (lines["item"] != INCENTIVE)]
    amounts = lines.groupby(["household", "item"], observed=True)["value"].sum().unstack(fill_value=0)
    amounts = amounts.reindex(index=area.index, fill_value=0)
    return amounts.div(area, axis=0)


def _outlier(figures: Figures, items: pd.DataFrame, medians: pd.Series, household_id: int, measure: str,
             value: float, centre: float, score: float) -> Outlier:
    """The household, and its lines furthest from their items' medians in the direction it stands out."""
    household = figures.households.loc[household_id]
    high = score > 0
    lines = figures.lines
    mine = items.loc[household_id]
    if measure != TOTAL:
        in_group = set(lines.loc[lines["section"] == measure, "item"].unique())
        mine = mine[[item for item in mine.index if item in in_group]]
    excess = mine - medians[mine.index]
    excess = (excess if high else -excess).sort_values(ascending=False, kind="stable")
    excess = excess[excess >= DRIVER_SHARE * abs(value - centre)].head(LINES_SHOWN)
    own = lines[lines["household"] == household_id]
    texts = figures.texts
    shown = []
    for item in excess.index:
        at = own.loc[own["item"] == item, "at"].tolist()
        rates = {texts["rate"][i] for i in at}
        shown.append({
            "item": item,
            "quantity": sum((Decimal(texts["quantity"][i]) for i in at), Decimal(0)) if at else None,
            "rate": Decimal(rates.pop()) if len(rates) == 1 else None,
            "amount": sum((Decimal(texts["amount"][i]) for i in at), Decimal("0.00")),
            "per_m2": statistic((items.loc[household_id, item])),
            "median_per_m2": statistic((medians[item])),
        })
    return Outlier(household["number"], household["head"], household["place"], measure, statistic(value),
                   statistic(centre), statistic(score), "偏高" if high else "偏低", tuple(shown))


def line_json(line: dict) -> dict:
    """An outlier's line as JSON (money as strings with two decimals)."""
    return {"item": line["item"], "quantity": None if line["quantity"] is None else fmt_quantity(line["quantity"]),
            "rate": None if line["rate"] is None else f"{line['rate']:.2f}", "amount": f"{line['amount']:.2f}",
            "per_m2": f"{line['per_m2']:.2f}", "median_per_m2": f"{line['median_per_m2']:.2f}"}

