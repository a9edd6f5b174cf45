"""One household's compensation: every line priced, relocation, replacement and the totals."""
from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Callable, KeysView, NamedTuple

from calculator.engine.case import Case
from calculator.core import idcard
from calculator.core.errors import CalculationError, CaseErrors, CaseWarning, InputError
from calculator.core.labels import label
from calculator.core.limits import MAX_AMOUNT, PARAM_LIMITS, quantity_limits
from calculator.engine.lines import (DISPUTED, LINES, PARTIAL_COUNT, PricedLine, item_plans, locate, price_line, read_line,
                                     schedule_item, standard_rate, where)
from calculator.core.money import exact, fmt_plain, fmt_quantity, to_decimal
from calculator.core.rates import MIDPOINT, OVERRIDE, resolve_rate
from calculator.engine.relocation import PARTS as RELOCATION_PARTS
from calculator.engine.relocation import RelocationResult, missing_dates, read_relocation, relocation_allowances
from calculator.engine.replacement import ReplacementResult, replacement_area, replacement_warnings
from calculator.engine.schedules import load_schedule
from calculator.rules import not_compensated  # R5: its 0.00 is the standard's, no slip
from calculator.rules import share_of_host
from tables.schedule import Item, Schedule

RELOCATION_SECTION = "三"
# The blocks of a case other than its lines, as errors and warnings name them (lines: calculator.engine.lines.LINES).
RELOCATION, REPLACEMENT, TOTAL = "relocation", "replacement", "total"
# The flags a line is warned of (_line_warnings): the others (assessed, not_compensated) its remarks say.
WARNED_FLAGS = frozenset({MIDPOINT, OVERRIDE, DISPUTED})
# The unit of an item paid once per household (有线闭路电视 550 元/户, 三项动力线路 5,000 元/户): a case is one household.
PER_HOUSEHOLD = "户"
# Relocation dates further apart than this are warned of: a year typed wrong (2032 for 2023) paid as moving out
# within 30 days, or as too late for any incentive.
DATES_APART = 365


class CompensationResult(NamedTuple):
    """Everything a settlement sheet shows; `problems` lists what was left out (evaluate only)."""

    schedule: Schedule
    case: Case
    lines: tuple[PricedLine, ...]
    relocation: RelocationResult | None
    replacement: ReplacementResult | None
    subtotals: dict[str, Decimal]
    disputed_total: Decimal
    disputed_subtotals: dict[str, Decimal]  # each section's disputed lines, held out of its subtotal (sections with some)
    total: Decimal
    warnings: tuple[CaseWarning, ...]
    problems: tuple[CalculationError, ...]


class CaseContext:
    """What a rule may ask of the case around its line (the schedule, a host house's rate)."""

    def __init__(self, schedule: Schedule, raw_lines: list[dict]):
        self.schedule, self.raw_lines = schedule, raw_lines
        self.plans = item_plans(schedule)
        self._host_rates: dict[str, tuple[Decimal, bool]] = {}

    def item(self, key: str) -> Item:
        return schedule_item(self.schedule, key)

    def describe(self, param: str, value: Decimal | None) -> str:
        return self.schedule.describe(param, None if value is None else fmt_plain(value))

    @property
    def hosts(self) -> KeysView[str]:
        """The items lines of this case were attached to (歇厦 to its house), as priced so far."""
        return self._host_rates.keys()

    def host_rate(self, key: str) -> tuple[Decimal, bool]:
        """The host's rate on this case, else its fixed rate or midpoint (True when a midpoint)."""
        if key not in self._host_rates:
            self._host_rates[key] = self._find_host_rate(key)
        return self._host_rates[key]

    def _find_host_rate(self, key: str) -> tuple[Decimal, bool]:
        standard = standard_rate(self.item(key))
        if standard is None:
            raise InputError(f"「{key}」不是按单价计的房屋", f"{key!r} is not a house priced by a rate")
        rates = {self._checked_rate(raw, standard) for raw in self.raw_lines if raw.get("item") == key}
        # a host line without a rate is paid at the midpoint (or the fixed rate): one typed at that same rate is
        # the same host rate, not a second one
        if len({standard.midpoint if rate is None else rate for rate in rates}) > 1:
            shown = "、".join("中值" if r is None else fmt_plain(r) for r in rates)
            raise InputError(f"本户「{key}」有多个单价({shown}),无法确定依附房屋的单价",
                             f"this case prices {key!r} at several rates ({shown}); the host rate is ambiguous")
        typed = rates - {None}
        if typed:
            return typed.pop(), False
        return standard.midpoint, standard.is_range

    @staticmethod
    def _checked_rate(raw: dict, standard) -> Decimal | None:
        """A host line's own rate, refused when the host line itself breaks R1."""
        if raw.get("rate") in (None, ""):
            return None
        try:
            reason = raw.get("override_reason") or ""
            return resolve_rate(standard, to_decimal(raw["rate"], "单价/rate"),
                                reason if isinstance(reason, str) else "").value
        except CalculationError as error:
            raise InputError(f"依附房屋「{raw['item']}」的单价无效: {error.zh}",
                             f"the host house {raw['item']!r} has an invalid rate: {error.en}") from None


def _priced_line(raw: dict, index: int, schedule: Schedule, ctx: CaseContext) -> tuple[PricedLine, tuple[CaseWarning, ...]]:
    """The line priced, with its warnings."""
    priced = price_line(read_line(raw, index, schedule, ctx.plans), ctx)
    line = priced.line
    if line.unusual or priced.flags and not WARNED_FLAGS.isdisjoint(priced.flags) \
            or line.override_reason and line.rate is not None and OVERRIDE not in priced.flags \
            or not priced.amount and line.item.kind != not_compensated.KIND:
        return priced, _line_warnings(priced, schedule)
    return priced, ()  # most lines, an assessed amount or a line not compensated too: nothing to say


class KeptLines:
    """A case's priced lines, kept from one `evaluate` to the next while their raw fields are unchanged.

    The app prices its open case after every keystroke, and most lines did not change: it passes one
    KeptLines to every evaluation of that case. A line whose rule reads other lines (USES_OTHER_LINES,
    歇厦 at its host's rate) is priced afresh each time; a line holding a value that cannot be hashed
    likewise. What is kept starts afresh under another schedule, and once it holds twice the case's lines.
    """

    def __init__(self) -> None:
        self._schedule: Schedule | None = None
        self._lines: dict[tuple, tuple[PricedLine, tuple[CaseWarning, ...]]] = {}

    def pricer(self, schedule: Schedule, lines: int) -> Callable[..., tuple[PricedLine, tuple[CaseWarning, ...]]]:
        """Start an evaluation of `lines` lines under `schedule`: the function pricing each of them."""
        if schedule is not self._schedule or len(self._lines) > 2 * lines:
            self._schedule, self._lines = schedule, {}
        return self._priced_line

    def _priced_line(self, raw: dict, index: int, schedule: Schedule,
                     ctx: CaseContext) -> tuple[PricedLine, tuple[CaseWarning, ...]]:
        try:  # the type is part of the key: 1 == True == Decimal(1), but only True is a valid flag
            key = (index, *raw.items(), *map(type, raw.values()))
            kept = self._lines.get(key)
        except TypeError:
            return _priced_line(raw, index, schedule, ctx)
        if kept is None:
            kept = _priced_line(raw, index, schedule, ctx)
            if not getattr(kept[0].item.rule, "USES_OTHER_LINES", False):
                self._lines[key] = kept
        return kept


@exact
def evaluate(case: Case, schedule: Schedule | None = None, kept: KeptLines | None = None) -> CompensationResult:
    """Price what can be priced; bad lines and blocks are left out and listed in `problems`.

    `kept`: the lines of this case's previous evaluation, reused where unchanged (the app's open case).
    """
    schedule = schedule or load_schedule(case.schedule)
    ctx = CaseContext(schedule, case.items)
    priced_line = _priced_line if kept is None else kept.pricer(schedule, len(case.items))
    lines, notes, problems = [], [], []
    once: list[PricedLine] = []   # the payable lines of items paid per household
    held: set[str] = set()   # the items of disputed lines
    subtotals = {section: Decimal("0.00") for section in schedule.sections}
    disputed: dict[str, Decimal] = {}   # by section
    for index, raw in enumerate(case.items):
        try:
            priced, line_notes = priced_line(raw, index, schedule, ctx)
        except CalculationError as error:
            problems.append(locate(error, index, raw))
            continue
        lines.append(priced)
        if line_notes:
            notes += line_notes
        line = priced.line
        if line.disputed:   # not payable (PricedLine.payable, read here without its call)
            section = line.item.section
            disputed[section] = disputed.get(section, Decimal("0.00")) + priced.amount
            held.add(line.item.key)
        else:
            item = line.item
            subtotals[item.section] += priced.amount
            if item.unit == PER_HOUSEHOLD:
                once.append(priced)
    if once:
        notes += _per_household_warnings(once)
    if held and not held.isdisjoint(ctx.hosts):   # a disputed item some line is attached to (rare: looked at then)
        notes += _disputed_host_warnings(lines, held)
    if ctx.hosts:   # lines attached to a house: looked at when there are some
        notes += _outside_host_warnings(lines, ctx)
    relocation = replacement = None
    if case.relocation is not None:
        try:
            given = read_relocation(case.relocation, schedule.relocation)
            relocation = relocation_allowances(given, schedule.relocation)
        except CalculationError as error:
            problems.append((error.located(RELOCATION) if not error.where else error).placed(block=RELOCATION))
    if case.replacement is not None:
        try:
            replacement = replacement_area(case.replacement, schedule)
        except CalculationError as error:
            problems.append((error.located(REPLACEMENT) if not error.where else error).placed(block=REPLACEMENT))
    if relocation is not None:
        subtotals[RELOCATION_SECTION] += relocation.total
    total = sum(subtotals.values(), Decimal("0.00"))
    if total >= MAX_AMOUNT:
        problems.append(InputError(f"合计金额过大: {total:,.2f} 元,超过上限 {MAX_AMOUNT:,.0f} 元",
                                   f"the total {total:,.2f} is too large (the limit is {MAX_AMOUNT:,.0f})", TOTAL,
                                   block=TOTAL))
    disputed_total = sum(disputed.values(), Decimal("0.00"))
    if disputed_total >= MAX_AMOUNT:   # printed beside the total as 有争议金额: held to the same limit
        problems.append(InputError(f"有争议金额合计过大: {disputed_total:,.2f} 元,超过上限 {MAX_AMOUNT:,.0f} 元",
                                   f"the disputed total {disputed_total:,.2f} is too large (the limit is {MAX_AMOUNT:,.0f})",
                                   TOTAL, block=TOTAL))
    return CompensationResult(
        schedule=schedule, case=case, lines=tuple(lines), relocation=relocation, replacement=replacement,
        subtotals=subtotals, disputed_total=disputed_total, disputed_subtotals=disputed, total=total,
        warnings=tuple(notes + _case_warnings(case, relocation, replacement, schedule)), problems=tuple(problems))


def compute(case: Case, schedule: Schedule | None = None) -> CompensationResult:
    """The whole case or nothing: any bad line or block raises CaseErrors listing them all."""
    result = evaluate(case, schedule)
    if result.problems:
        raise CaseErrors(list(result.problems))
    return result


def sheet_numbers(case: Case, schedule: Schedule) -> dict[int, int]:
    """序号 of each case line (by its index) as the settlement sheet prints it.

    The sheet groups lines by section in the schedule's order, each section in entry order, and
    numbers the three 搬迁与安置 allowances after section 三's own lines; the app's item table
    shows these same numbers. Lines whose item is unknown have none.
    """
    rank = {code: position for position, code in enumerate(schedule.sections)}
    known = [(rank[schedule.items[raw["item"]].section], index) for index, raw in enumerate(case.items)
             if isinstance(raw.get("item"), str) and raw["item"] in schedule.items]
    numbers, number, allowances_placed = {}, 0, case.relocation is None
    relocation_rank = rank[RELOCATION_SECTION]
    for section_rank, index in sorted(known):
        if not allowances_placed and section_rank > relocation_rank:
            number, allowances_placed = number + len(RELOCATION_PARTS), True
        number += 1
        numbers[index] = number
    return numbers


def section_end(case: Case, schedule: Schedule, key: str) -> int:
    """Where a new line of `key` goes so that lines stay in the sheet's order: after the last line
    of its section or an earlier one (the end, when no later section has lines yet)."""
    rank = {code: position for position, code in enumerate(schedule.sections)}
    new_rank = rank[schedule_item(schedule, key).section]
    at = len(case.items)
    for index in range(len(case.items) - 1, -1, -1):
        key_here = case.items[index].get("item")
        if isinstance(key_here, str) and key_here in schedule.items:
            if rank[schedule.items[key_here].section] <= new_rank:
                return index + 1
            at = index
    return at


def _case_warnings(case: Case, relocation: RelocationResult | None, replacement: ReplacementResult | None,
                   schedule: Schedule) -> list[CaseWarning]:
    notes = []
    if relocation is not None and relocation.given.building_area_m2 > quantity_limits("m²")[0]:
        area = f"{fmt_plain(relocation.given.building_area_m2)} m²"
        notes.append(CaseWarning(f"建筑面积 {area} 超过常见范围,请核对", f"building area {area} is unusually large, please check",
                                 RELOCATION, block=RELOCATION, field="building_area_m2"))
    if relocation is not None and relocation.days is None:
        missing = missing_dates(relocation.given)
        notes.append(CaseWarning(relocation.incentive_note,
                                 f"no incentive: {' and '.join(en for _, en, _ in missing)} missing",
                                 RELOCATION, block=RELOCATION, field=missing[0][2]))
    if relocation is not None and relocation.days is not None and relocation.days < 0 \
            and relocation.given.signed_on is None:   # signed, a move-out before the signing is refused
        moved = relocation.given.moved_on
        notes.append(CaseWarning(
            f"搬迁日期 {moved} 早于支付日期且未填签约日期,无法核对是否在签约之后,搬迁奖励按30日内计,请核对",
            f"moved out on {moved}, before the payment, and no signing date to check it against: the incentive is "
            "paid as within 30 days, please check", RELOCATION, block=RELOCATION, field="signed_on"))
    if relocation is not None:   # a year typed wrong (2013 for 2023): priced all the same, but said
        given = relocation.given
        # each date given, by its field in the order the case writes them: each warning is said at its field
        dates = {field: day for field, day in (("signed_on", given.signed_on), ("paid_on", given.paid_on),
                                                ("moved_on", given.moved_on)) if day is not None}
        for field, day in dates.items():
            if day < schedule.effective:
                notes.append(CaseWarning(
                    f"{label(field)} {day} 早于本标准({schedule.document})施行日期 {schedule.effective},请核对",
                    f"{field} {day} is before the schedule ({schedule.id}) took effect on {schedule.effective}, "
                    "please check", RELOCATION, block=RELOCATION, field=field))
        days = list(dates.values())
        assessed = dt.date.fromisoformat(case.assessed_on) if case.assessed_on else None
        if len(days) > 1 and (max(days) - min(days)).days > DATES_APART:   # 2032 for 2023: the top incentive paid
            spread = (max(days) - min(days)).days
            notes.append(CaseWarning(f"签约、支付、搬迁日期前后相隔 {spread} 天(超过一年),请核对年份",
                                     f"the signing, payment and move-out dates lie {spread} days apart (over a "
                                     "year): please check the years", RELOCATION, block=RELOCATION,
                                     field=_farthest(dates, assessed)))
        if days and assessed is not None and (max(days) - assessed).days > DATES_APART:   # all three typed 2032
            late = max(days)
            notes.append(CaseWarning(f"搬迁相关日期 {late} 比测算日期 {assessed} 晚一年以上,请核对年份",
                                     f"a relocation date ({late}) is over a year after the assessment date "
                                     f"({assessed}): please check the year", RELOCATION, block=RELOCATION,
                                     field=next(field for field, day in dates.items() if day == late)))
    if replacement is not None:
        notes += replacement_warnings(replacement, schedule)
    id_number = case.household.get("id_number")
    id_problem = idcard.problem(id_number) if isinstance(id_number, str) else None
    if id_problem is not None:   # printed under 身份证号 all the same (old papers may carry one), as the app warns
        notes.append(CaseWarning(f"{id_problem.zh},请核对", f"id_number: {id_problem.en}; please check", "household",
                                 block="household", field="id_number"))
    if case.kept_fields:
        fields = ", ".join(sorted(case.kept_fields))
        notes.append(CaseWarning(f"案例文件中未识别的字段不参与计算,也不计入校验码;保存案例文件时保留: {fields}",
                                 f"unrecognised case fields are not priced nor part of the fingerprint; they are kept "
                                 f"when the case file is saved: {fields}"))
    return notes


def _farthest(dates: dict[str, dt.date], assessed: dt.date | None) -> str:
    """The field of the date farthest, in days, from the others; of two (or a tie), the one farther from the 测算日期,
    else the later (2032 typed for 2023 is the slip the dates' check is for)."""
    return max(dates, key=lambda field: (sum(abs((dates[field] - day).days) for day in dates.values()),
                                         abs((dates[field] - assessed).days) if assessed else 0, dates[field]))


def _per_household_warnings(lines: list[PricedLine]) -> list[CaseWarning]:
    """An item paid per household counted more than once in the case (3 户 of 三项动力线路, or 自来水表 listed twice):
    priced as typed, as the schedule reads, and said at the line that counts it past one household."""
    notes, counted, rows = [], {}, {}
    for priced in lines:
        line = priced.line
        key = line.item.key
        counted[key] = counted.get(key, 0) + line.quantity
        rows.setdefault(key, []).append(str(line.index + 1))
        if counted[key] > 1:
            total = fmt_plain(counted[key])
            notes.append(CaseWarning(f"按户计,本户共计 {total} 户(第{'、'.join(rows[key])}行),请核对",
                                     f"paid per household, and this case counts {total} "
                                     f"({'line' if len(rows[key]) == 1 else 'lines'} {', '.join(rows[key])}), "
                                     "please check", where(line.index, {"item": key}), block=LINES, line=line.index,
                                     field="quantity"))
    return notes


def _outside_host_warnings(lines: list[PricedLine], ctx: CaseContext) -> list[CaseWarning]:
    """A 歇厦 attached to a house paid above (or below) its standard takes that rate's share: priced so (R1 follows the
    house's reason), and said at the line, as its 备注 says (超标准) — the screen's 提示 said nothing."""
    notes = []
    for priced in lines:
        line = priced.line
        if line.item.kind != share_of_host.KIND:
            continue
        host = line.params[share_of_host.PARAM]
        rate, _ = ctx.host_rate(host)
        standard = ctx.item(host).spec
        if not standard.low <= rate <= standard.high:
            notes.append(CaseWarning(
                f"依附房屋「{host}」按超出标准的单价 {fmt_quantity(rate)} 计,本项随之按 {fmt_quantity(priced.rate)} 计,请核对",
                f"the house it is attached to ({host}) is paid outside its standard, at {fmt_quantity(rate)}: this line "
                f"follows at {fmt_quantity(priced.rate)}, please check", where(line.index, {"item": line.item.key}),
                block=LINES, line=line.index, field=share_of_host.PARAM))
    return notes


def _disputed_host_warnings(lines: list[PricedLine], held: set[str]) -> list[CaseWarning]:
    """A 歇厦 paid while every line of the house it is attached to is disputed (R6 holds out a line, not what is
    attached to it): priced as typed, and said, so that the assessor decides whether it is disputed too."""
    payable = {priced.item.key for priced in lines if priced.payable}
    notes = []
    for priced in lines:
        line = priced.line
        host = line.params.get(share_of_host.PARAM) if line.item.kind == share_of_host.KIND else None
        if host in held and host not in payable and not line.disputed:
            notes.append(CaseWarning(f"依附房屋「{host}」有争议,本项仍计入合计,请核对是否一并标为有争议",
                                     f"the house it is attached to ({host}) is disputed, and this line is still paid: "
                                     "please check whether it is disputed too", where(line.index, {"item": line.item.key}),
                                     block=LINES, line=line.index, field=DISPUTED))
    return notes


def _line_warnings(priced: PricedLine, schedule: Schedule) -> tuple[CaseWarning, ...]:
    """What to check on a priced line with a flag or something unusual: a large quantity or parameter, a fraction
    of a counted thing, a midpoint, an override, a disputed line."""
    line = priced.line
    quantity, unit, index = line.quantity, line.item.unit, line.index
    note = functools.partial(CaseWarning, where=where(index, {"item": line.item.key}), block=LINES, line=index)
    notes = []
    shown = f"{fmt_plain(quantity)} {unit}"
    unusual = line.unusual
    if "quantity" in unusual:
        notes.append(note(f"数量 {shown} 超过常见范围({quantity_limits(unit)[0]:,} {unit}),请核对",
                          f"quantity {shown} is unusually large, please check", field="quantity"))
    if PARTIAL_COUNT in unusual:
        notes.append(note(f"数量 {shown} 不是整数({unit}按个数计),请核对",
                          f"quantity {shown} is not a whole number of {unit}, please check", field="quantity"))
    for name in unusual:
        if name in line.params:
            info = schedule.params[name]
            given = f"{fmt_plain(line.params[name])} {info.unit}"
            notes.append(note(f"{info.label} {given} 超过常见范围({PARAM_LIMITS[info.unit][0]:,} {info.unit}),请核对",
                              f"{name} {given} is unusually large, please check", field=name))
    if MIDPOINT in priced.flags and line.item.kind == share_of_host.KIND:   # its host's midpoint: 歇厦 has no range
        host = line.params[share_of_host.PARAM]
        midpoint, share = fmt_quantity(schedule.items[host].spec.midpoint), fmt_plain(line.item.spec.share * 100)
        notes.append(note(f"依附房屋「{host}」在本户无单价,按其区间中值 {midpoint} 的 {share}% 计 {fmt_quantity(priced.rate)}",
                          f"no rate for the house it is attached to ({host}) on this case: {share}% of its midpoint "
                          f"{midpoint} used, {fmt_quantity(priced.rate)}", field="rate"))
    elif MIDPOINT in priced.flags:
        notes.append(note(f"未填单价,按区间中值 {fmt_quantity(priced.rate)} 计",
                          f"no rate given, midpoint {fmt_quantity(priced.rate)} used", field="rate"))
    if OVERRIDE in priced.flags:
        notes.append(note(f"超标准,理由:{priced.line.override_reason}", "outside the standard, reason given", field="rate"))
    elif line.override_reason and line.rate is not None:   # a reason, but the rate typed is within the standard
        notes.append(note(f"单价在标准之内,超标准理由「{line.override_reason}」不适用,不打印",
                          "the rate is within the standard: the override reason does not apply and is not printed",
                          field="override_reason"))
    if DISPUTED in priced.flags:
        notes.append(note("有争议,不计入合计", "disputed, held out of the total", field="disputed"))
    if not priced.amount and line.item.kind != not_compensated.KIND:   # 0.000000001 m², an amount of 0.001 元
        field = line.item.rule.RATE_FIELD if line.item.rule.RATE_FIELD == "amount" else "quantity"
        notes.append(note("金额为 0.00(数量、参数或金额过小),请核对", "the amount is 0.00 (a quantity, parameter or "
                          "amount too small), please check", field=field))
    return tuple(notes)
