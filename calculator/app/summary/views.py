"""Where the money goes: totals by status, section and village or street, paid against owed, and the
funding forecast 财政 asks for (what remains to pay, and the 搬迁奖励 still reachable by deadline).

Every sum is a pandas sum of int64 fen over the households whose verified figures are counted; a
数据异常 household is counted in the number of households and named, never summed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from calculator.core.money import fmt_grouped
from calculator.engine.schedules import load_schedule
from calculator.store import Status
from calculator.app.summary.figures import Figures
from calculator.app.summary.model import AREA, COUNT, DATE, MONEY, SHARE, TEXT, Column, Table, share, yuan

PAID, SIGNED, COMPUTED, DRAFT, ABNORMAL = (status.label for status in (
    Status.PAID, Status.SIGNED, Status.COMPUTED, Status.DRAFT, Status.ABNORMAL))
STATUS_ROWS = (DRAFT, COMPUTED, SIGNED, PAID, ABNORMAL)
OWED = (COMPUTED, SIGNED)


@dataclass(frozen=True)
class Money:
    """The headline figures, in fen."""

    total: int
    paid: int
    owed: int
    disputed: int
    replacement: int


def counted(figures: Figures) -> pd.DataFrame:
    """The households whose figures are summed (verified, computed)."""
    frame = figures.households
    return frame[frame["counted"]]


def headline(figures: Figures) -> Money:
    money = counted(figures)
    return Money(int(money["total"].sum()), int(money.loc[money["status"] == PAID, "total"].sum()),
                 int(money.loc[money["status"].isin(OWED), "total"].sum()), int(money["disputed"].sum()),
                 int(money["replacement"].sum()))


def by_status(figures: Figures) -> Table:
    """Households and money by status; 数据异常 households are counted, their money is not summed (blank)."""
    frame = figures.households
    numbers = frame.groupby("status")["id"].count()
    money = counted(figures).groupby("status")[["total", "disputed", "replacement"]].sum()
    rows = []
    for label in STATUS_ROWS:
        summed = money.loc[label] if label in money.index else None
        rows.append((label, int(numbers.get(label, 0)),
                     None if label == ABNORMAL else yuan(summed["total"] if summed is not None else 0),
                     None if label == ABNORMAL else yuan(summed["disputed"] if summed is not None else 0),
                     None if label == ABNORMAL else yuan(summed["replacement"] if summed is not None else 0)))
    columns = (Column("status", "状态"), Column("households", "户数", COUNT), Column("total", "补偿金额(元)", MONEY),
               Column("disputed", "有争议未计入(元)", MONEY), Column("replacement_m2", "置换面积(m²)", AREA))
    totals = headline(figures)
    return Table("by_status", "按状态", columns, tuple(rows),
                 ("合计", len(frame), yuan(totals.total), yuan(totals.disputed), yuan(totals.replacement)),
                 note="数据异常的住户单列户数,其金额不计入任何合计。")


def by_section(figures: Figures) -> Table:
    """Money by section (the keys of a result's subtotals; 三 includes the three relocation allowances)."""
    money = counted(figures)
    total = int(money["total"].sum())
    rows = []
    for key in figures.sections:
        amount = int(money[f"section:{key}"].sum())
        rows.append((key, figures.section_names.get(key, key), yuan(amount), share(amount, total)))
    columns = (Column("section", "章节"), Column("name", "名称"), Column("amount", "金额(元)", MONEY),
               Column("share", "占比", SHARE))
    return Table("by_section", "按章节", columns, tuple(rows), ("合计", "", yuan(total), share(total, total)))


def by_place(figures: Figures) -> Table:
    """Households and money by village or street (a 片区/组 the case names, else read from the address)."""
    frame = figures.households
    money = counted(figures)
    grouped = pd.DataFrame({
        "households": frame.groupby("place")["id"].count(),
        "counted": money.groupby("place")["id"].count(),
        "total": money.groupby("place")["total"].sum(),
        "paid": money[money["status"] == PAID].groupby("place")["total"].sum(),
        "owed": money[money["status"].isin(OWED)].groupby("place")["total"].sum(),
        "disputed": money.groupby("place")["disputed"].sum(),
        "replacement": money.groupby("place")["replacement"].sum(),
        "abnormal": frame[frame["status"] == ABNORMAL].groupby("place")["id"].count(),
    }).fillna(0).astype("int64").sort_values(["total", "households"], ascending=False, kind="stable")
    rows = tuple((place, int(r.households), int(r.counted), yuan(r.total), yuan(r.paid), yuan(r.owed),
                  yuan(r.disputed), yuan(r.replacement), int(r.abnormal)) for place, r in grouped.iterrows())
    columns = (Column("place", "村/街巷"), Column("households", "户数", COUNT), Column("counted", "计入金额户数", COUNT),
               Column("total", "补偿金额(元)", MONEY), Column("paid", "已支付(元)", MONEY),
               Column("owed", "未支付(元)", MONEY), Column("disputed", "有争议未计入(元)", MONEY),
               Column("replacement_m2", "置换面积(m²)", AREA), Column("abnormal", "数据异常户数", COUNT))
    sums = grouped.sum()
    return Table("by_place", "按村/街巷", columns, rows,
                 ("合计", int(sums.households), int(sums.counted), yuan(sums.total), yuan(sums.paid),
                  yuan(sums.owed), yuan(sums.disputed), yuan(sums.replacement), int(sums.abnormal)),
                 note="村/街巷取案例住户信息中的「片区」或「组」(组前加地址中的村、社区),没有时取地址中第一个村、社区(或街、路、巷)。")


# --- the funding forecast -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Deadline:
    """One tier of the 搬迁奖励: moving out within `days` of payment earns `amount` fen."""

    days: int
    amount: int

    def last_day(self, paid: dt.date) -> dt.date:
        return paid + dt.timedelta(days=self.days)


def incentive_tiers() -> tuple[Deadline, ...]:
    """The 搬迁奖励's paying tiers, from the schedule's brackets (days after payment → amount)."""
    tiers = []
    for bracket in load_schedule().relocation.incentive.brackets:
        if bracket.upper is not None and bracket.rate.low > 0:
            days = int(bracket.upper) if bracket.inclusive else int(bracket.upper) - 1
            tiers.append(Deadline(days, int(bracket.rate.low * 100)))
    return tuple(tiers)


def incentives(figures: Figures, as_of: dt.date) -> Table:
    """Households with a relocation block whose 搬迁奖励 the case does not hold yet (its 支付日期 or 搬迁日期 is
    missing): what each may still earn.

    Paid (the case's 支付日期, else the day the 台账 recorded the payment): not moved out, the deadlines run from it,
    and the amount still reachable on `as_of` is the tier whose last day has not passed; moved out, the tier of
    the days between. Not yet paid: the highest tier — reachable once paid, and certain for a household that has
    moved out already (moving out before the payment counts as within the first tier)."""
    tiers = incentive_tiers()
    money = counted(figures)
    pending = money["moved_on"].isna() | money["paid_on"].isna()   # both dates: the case's own 搬迁奖励 is final
    waiting = money[money["building_area"].notna() & pending & (money["incentive"] == 0)]
    top = max((tier.amount for tier in tiers), default=0)
    rows = []
    for _, household in waiting.iterrows():
        paid = household["paid_on"] if household["paid_on"] is not None else household["paid_at"]
        moved = household["moved_on"]
        source = "" if paid is None else "案例支付日期" if household["paid_on"] is not None else "台账支付记录"
        last_days = [None] * len(tiers) if paid is None else [tier.last_day(paid) for tier in tiers]
        if paid is None:
            amount = top
            said = "已搬迁,尚未支付:支付后按期限内计" if moved is not None else "尚未支付:支付后按期限搬迁可得"
        elif moved is not None:   # paid in the 台账, moved out, the case without its 支付日期
            reached = [tier for tier, last in zip(tiers, last_days) if moved <= last]
            amount = reached[0].amount if reached else 0
            said = f"已于 {moved} 搬迁:案例未填支付日期,请补填"
        else:
            open_tiers = [tier for tier, last in zip(tiers, last_days) if as_of <= last]
            amount = open_tiers[0].amount if open_tiers else 0
            said = (f"{fmt_grouped(yuan(amount))} 元:最迟于 {last_days[tiers.index(open_tiers[0])]} 搬迁" if open_tiers
                    else "已超过期限,不再享受")
        rows.append((household["number"], household["head"], household["place"], household["status"], paid,
                     source, *last_days, yuan(amount), said))
    columns = (Column("household", "户号"), Column("head", "户主"), Column("place", "村/街巷"),
               Column("status", "状态"), Column("paid_on", "支付日期", DATE), Column("paid_on_source", "日期来源"),
               *(Column(f"deadline_{tier.days}", f"{tier.days}日期限", DATE) for tier in tiers),
               Column("reachable", "仍可得奖励(元)", MONEY), Column("note", "说明"))
    return Table("incentives", f"搬迁奖励(截至 {as_of})", columns, tuple(rows),
                 note="案例尚未计入搬迁奖励的住户(缺支付日期或搬迁日期):已支付的按支付后搬迁天数的期限计;"
                      "未支付的按最高一档计(已搬迁的,支付后即按期限内计)。")


def forecast(figures: Figures, incentive_table: Table) -> Table:
    """What remains to be paid, and what the 搬迁奖励 may still add: the numbers 财政 asks for."""
    frame, money = figures.households, counted(figures)
    statuses = money.groupby("status")["total"].agg(["count", "sum"])

    def line(label: str, status: str, note: str) -> tuple:
        count, amount = (statuses.loc[status] if status in statuses.index else (0, 0))
        return (label, int(count), yuan(amount), note)

    # by whether the deadlines run (a payment date: the case's, else the 台账's), not by the 台账's status alone
    reachable, paid_on = incentive_table.column("reachable"), incentive_table.column("paid_on")
    running = [amount for amount, day in zip(reachable, paid_on) if day is not None and amount]
    closed = [amount for amount, day in zip(reachable, paid_on) if day is not None and not amount]
    unpaid = [amount for amount, day in zip(reachable, paid_on) if day is None]
    owed = headline(figures).owed
    disputed = money[money["disputed"] > 0]
    rows = (
        line("已支付", PAID, "已按台账记入支付批次"),
        line("已签字待支付", SIGNED, "可列入下一支付批次"),
        line("已测算待签字", COMPUTED, "签字后支付"),
        ("尚需支付合计", int(money["status"].isin(OWED).sum()), yuan(owed), "已测算与已签字之和"),
        # by the payment date, not the 台账's 已支付: a case's 支付日期 may be set and not yet reached (a probe's
        # household paid 2027-01-15 was counted as 已支付 on 2026-11-30)
        ("有支付日期(已付或已定):仍可得或应补的搬迁奖励", len(running), sum(running, yuan(0)),
         "按支付日期(案例的,否则台账的)计期限,见「搬迁奖励」表"),
        ("已过期限", len(closed), yuan(0), "超出期限,不享受奖励"),
        ("无支付日期:支付后可能发生的搬迁奖励(上限)", len(unpaid), sum(unpaid, yuan(0)), "按最高一档计"),
        ("有争议未计入(核实后可能支付)", len(disputed), yuan(int(disputed["disputed"].sum())), "不在任何合计内"),
        ("草稿(尚无测算金额)", int((frame["status"] == DRAFT).sum()), None, ""),
        ("数据异常(不计入)", int((frame["status"] == ABNORMAL).sum()), None, "见数据异常清单"),
    )
    columns = (Column("item", "项目", TEXT), Column("households", "户数", COUNT), Column("amount", "金额(元)", MONEY),
               Column("note", "说明"))
    return Table("forecast", "资金预测", columns, rows)


def same_id_number(figures: Figures) -> Table:
    """Households whose cases give one 户主身份证号 (compacted: 1423 2919… and 14232919… are one): a household
    registered twice under two 户号 is paid twice. Listed for a person to check, never merged or left out: one
    person may own two houses. 数据异常 households are listed too, their stored number being what they hold."""
    households = figures.households
    given = households[households["id_number"] != ""]
    shared = given[given.duplicated("id_number", keep=False)].sort_values(["id_number", "number"])
    columns = (Column("id_number", "身份证号"), Column("household", "户号"), Column("head", "户主"),
               Column("address", "地址"), Column("status", "状态"), Column("total", "金额(元)", MONEY))
    rows = tuple((id_number, number, head, address, status, yuan(total) if counted else None)
                 for id_number, number, head, address, status, total, counted in zip(
                     *(shared[field].tolist() for field in ("id_number", "number", "head", "address", "status", "total",
                                                            "counted"))))
    return Table("same_id_number", "身份证号重复", columns, rows,
                 note="同一户主身份证号登记在多个户号下:请核对是否同一户重复登记、重复补偿;确为一人有多处房屋的,不必处理。")
