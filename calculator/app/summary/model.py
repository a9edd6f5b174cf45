"""What a project summary shows, as typed tables every output renders the same way (JSON, text, PDF, Excel, 台账).

A `Table` is a view's data: columns with their kind (money, area, count, share …) and rows of typed
values — money and areas as Decimal, counts as int, shares as Decimal fractions, dates as dates —
so that each output formats a value once, by its kind, and a workbook stores numbers as numbers.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from calculator.core.amount_words import amount_in_words
from calculator.core.errors import InputError
from calculator.core.money import fmt_grouped, fmt_money, fmt_quantity, round_money

TEXT, MONEY, AREA, COUNT, SHARE, NUMBER, QUANTITY, DATE = (
    "text", "money", "area", "count", "share", "number", "quantity", "date")
SHARE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Column:
    key: str  # the JSON key of the value
    heading: str  # what a sheet, a workbook and the 台账 call it
    kind: str = TEXT


@dataclass(frozen=True)
class Table:
    """One table of a view: its key (a JSON key and a workbook sheet), title, columns, rows and an optional 合计."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    total: tuple | None = None
    note: str = ""
    keys: int = 1   # the leading columns that name a row: on every page of a sheet printed more than one page across

    def records(self) -> list[dict[str, Any]]:
        """The rows as JSON objects keyed by column (money and areas as exact strings)."""
        return [{column.key: json_value(value, column.kind) for column, value in zip(self.columns, row)}
                for row in self.rows]

    def column(self, key: str) -> list[Any]:
        """The values of one column, in row order."""
        at = [column.key for column in self.columns].index(key)
        return [row[at] for row in self.rows]


@dataclass(frozen=True)
class Outlier:
    """A household far from the project's distribution on one measure, with the lines that make it so."""

    household: str
    head: str
    place: str
    measure: str  # 合计, or the section (line group)
    per_m2: Decimal  # its compensation per m² of building area on that measure
    median: Decimal  # the project's median of that measure
    score: Decimal  # the robust z-score (calculator.app.summary.outliers)
    direction: str  # 偏高 / 偏低
    lines: tuple[dict[str, Any], ...]  # {item, quantity, rate, amount, per_m2, median_per_m2}


@dataclass(frozen=True)
class Summary:
    """The whole summary of a project on a day: money, the funding forecast, rate choices and outliers."""

    project: str
    as_of: dt.date   # the day of the funding forecast (资金预测): paid and owed are the ledger's as read
    # when the ledger was read (local, to the minute): what every other figure stands at; not compared (two readings a
    # minute apart of the same ledger are the same summary)
    read_at: str = field(compare=False)
    households: int  # every registered household, 数据异常 and drafts included
    counted: int  # households whose verified figures are summed
    abnormal: tuple  # the 数据异常 households' ledger rows: counted apart, never summed
    total: Decimal
    paid: Decimal
    owed: Decimal
    disputed: Decimal
    replacement_m2: Decimal
    by_status: Table
    by_section: Table
    by_place: Table
    forecast: Table
    incentives: Table
    rates_by_assessor: Table
    rates_by_item: Table
    rates_by_pair: Table
    overrides: Table
    outlier_measures: Table
    outliers: tuple[Outlier, ...]
    same_id_number: Table  # households giving one 户主身份证号: to check for a household registered twice
    per_m2: tuple[tuple[str, Decimal, str], ...]  # (户号, total per m², "合计"/"行组" when it stands out), ascending
    unmeasured: tuple[str, ...]  # 户号 of the counted households the outlier check cannot take (no 建筑面积)
    method: dict[str, Any] = field(default_factory=dict)  # how outliers are found (median, MAD, threshold)

    @property
    def total_words(self) -> str:
        """The total in 大写, or why not: a project's total may pass what words are written for (a 万亿, two
        households' typing slips each just under the limit), and the summary that shows the slips must still print."""
        try:
            return amount_in_words(self.total)
        except InputError:
            return "(超出大写金额的范围,请核对各户金额)"

    @property
    def dated(self) -> str:
        """What day the summary's figures are of, as its title says it: the ledger's when read, the forecast's."""
        return f"台账读取于 {self.read_at};资金预测截至 {self.as_of}"

    def tables(self) -> tuple[Table, ...]:
        """Every table, in the order the sheets and the workbook show them."""
        return (self.by_status, self.by_section, self.by_place, abnormal_table(self.abnormal), self.forecast,
                self.incentives,
                self.rates_by_assessor, self.rates_by_item, self.rates_by_pair, self.overrides,
                self.outlier_measures, outlier_table(self.outliers), self.same_id_number)


def outlier_table(outliers: tuple[Outlier, ...]) -> Table:
    """The outliers as a table, one row per line that makes a household stand out (the 异常户 sheet)."""
    columns = (Column("household", "户号"), Column("head", "户主"), Column("place", "村/街巷"),
               Column("measure", "指标"), Column("direction", "方向"), Column("per_m2", "每平方米(元)", NUMBER),
               Column("median", "项目中位数(元/m²)", NUMBER), Column("score", "稳健z值", NUMBER),
               Column("item", "主要差异项目"), Column("quantity", "数量", QUANTITY), Column("rate", "单价(元)", NUMBER),
               Column("amount", "金额(元)", MONEY), Column("line_per_m2", "该项每平方米(元)", NUMBER),
               Column("line_median", "该项项目中位数(元/m²)", NUMBER))
    rows = []
    for outlier in outliers:
        head = (outlier.household, outlier.head, outlier.place, outlier.measure, outlier.direction, outlier.per_m2,
                outlier.median, outlier.score)
        for line in outlier.lines or ({},):
            rows.append((*head, line.get("item", ""), line.get("quantity", ""), line.get("rate"), line.get("amount"),
                         line.get("per_m2"), line.get("median_per_m2")))
    return Table("outliers", "异常户", columns, tuple(rows))


def abnormal_table(abnormal: tuple) -> Table:
    """The 数据异常 households (ledger rows), named with the reason: counted apart, never summed."""
    columns = (Column("household", "户号"), Column("head", "户主"), Column("reason", "数据异常的原因"))
    return Table("abnormal", "数据异常", columns, tuple((row.number, row.head, row.abnormal) for row in abnormal),
                 note="数据异常的住户单列户数,其金额不计入任何合计;发现时已记入变更记录。")


def json_value(value: Any, kind: str) -> Any:
    """A table value as the JSON contract writes it: money and areas as strings with two decimals."""
    if value is None or kind not in _FORMS:
        return value
    return _FORMS[kind][0](value)


def shown(value: Any, kind: str) -> str:
    """A table value as a sheet or the screen shows it: grouped money, percentages, dates."""
    if value is None:
        return ""
    return _FORMS[kind][1](value) if kind in _FORMS else str(value)


# How each kind of value is written: (in JSON, on a sheet or the screen); text and counts as they are.
_FORMS = {
    **dict.fromkeys((MONEY, AREA, NUMBER), (fmt_money, fmt_grouped)),
    SHARE: (lambda value: f"{value.quantize(SHARE_PLACES)}", lambda value: f"{round_money(value * 100, 1)}%"),
    QUANTITY: (fmt_quantity, fmt_quantity),
    DATE: (dt.date.isoformat, dt.date.isoformat),
}


def share(part: int, whole: int) -> Decimal:
    """part / whole as a fraction to four places, rounded half-up from the exact ratio (0 when whole is 0)."""
    return round_money(Fraction(part, whole), 4) if whole else Decimal("0.0000")


def statistic(value: float) -> Decimal:
    """A statistic pandas works out in floating point (a median, a mean position, a robust z) as it is shown:
    its shortest decimal form rounded half-up to two places, by the rounding money uses."""
    return round_money(Decimal(repr(float(value))))


def yuan(fen: int) -> Decimal:
    """An exact sum of fen as yuan with two decimals."""
    return Decimal(int(fen)).scaleb(-2)
