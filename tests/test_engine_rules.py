"""Rule kinds of the 堡子 schedule: a contract over every item key, and the lines each kind and rule
R1 refuse. The lines worked by hand for every kind and every bracket boundary (R3) are data beside
the schedule, tables/cases/baozi-2023/, read by tests/test_worked_cases.py.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from calculator.engine.case import case_from_dict
from calculator.engine.compensation import compute
from calculator.core.errors import CalculationError, InputError
from calculator.engine.schedules import load_schedule

SCHEDULE = load_schedule()

# One plausible value per line parameter the schedule declares (strings: floats are refused).
PARAM_VALUES = {
    "height_m": "0.8",
    "decoration_pct": "30",
    "depth_m": "1.6",
    "heated_area_m2": "120",
    "span_cm": "60",
    "width_m": "0.6",
    "diameter_cm": "12",
    "diameter_m": "0.03",
    "column_height_m": "2.5",
    "area_m2": "45",
    "stage": "盛果期",
    "attached_to": "附属平房/砖混结构",
    "amount": "1000",
    "basis": "评估报告 WS-TEST-001",
}


def priced(line: dict, *context: dict):
    """The first line of a case made of `line` and any context lines (e.g. a host house)."""
    return compute(case_from_dict({"items": [line, *context]})).lines[0]


def minimal_line(item) -> dict:
    """A valid line for `item` built from its rule's declared parameters."""
    line: dict = {"item": item.key}
    if item.kind != "assessed":
        line["quantity"] = "2"
    for param in item.rule.params(item.spec):
        if param.name not in PARAM_VALUES:
            pytest.fail(f"no test value for the new parameter {param.name!r} of {item.key}")
        line[param.name] = PARAM_VALUES[param.name]
    return line


# --- contract: every item key ------------------------------------------------------------------

@pytest.mark.parametrize("key", list(SCHEDULE.items), ids=list(SCHEDULE.items))
def test_every_item_prices_to_non_negative_cents(key: str) -> None:
    item = SCHEDULE.items[key]
    line = minimal_line(item)
    if item.kind == "area_replacement":
        with pytest.raises(CalculationError) as caught:
            priced(line)
        assert "replacement" in str(caught.value)
        assert "房屋面积置换" in str(caught.value)
        return
    result = priced(line)
    assert isinstance(result.amount, Decimal)
    assert result.amount >= 0
    assert result.amount.as_tuple().exponent == -2, f"{key}: {result.amount} is not in cents"
    assert result.item.key == key


def test_schedule_has_the_155_catalog_keys() -> None:
    assert len(SCHEDULE.items) == 155
    assert sum(item.kind == "area_replacement" for item in SCHEDULE.items.values()) == 2


# --- what each kind refuses ------------------------------------------------------------------------

@pytest.mark.parametrize("typed, meant", [
    ("厕所（室外）/政府改厕", "厕所(室外)/政府改厕"),    # full-width brackets, as a Chinese input method types them
    ("附属平房／砖混结构", "附属平房/砖混结构"), ("卫生洁具/普通洁具 ", "卫生洁具/普通洁具")])
def test_a_key_that_only_looks_like_one_is_refused_naming_the_key_it_is_written_for(typed, meant) -> None:
    """Refused as unknown with no hint: on screen the two look the same. Never taken for it (no guess)."""
    with pytest.raises(InputError) as refused:
        priced({"item": typed, "quantity": "1"})
    assert refused.value.zh == f"未知项目「{typed}」:应写作「{meant}」(半角括号、斜杠,无空格)"
    with pytest.raises(InputError) as refused:
        priced({"item": "附属平房/砖瓦结构", "quantity": "1"})   # no key of the schedule, however written
    assert "不在文政发〔2023〕6号标准中" in refused.value.zh


@pytest.mark.parametrize("field", ["Quantity", "ｑｕａｎｔｉｔｙ", "QUANTITY "])
def test_a_line_field_written_another_way_is_said_as_the_field_it_stands_for(field) -> None:
    with pytest.raises(InputError) as refused:
        priced({"item": "杂棚", field: "3"})
    assert refused.value.zh == f"字段「{field}」应写作「quantity」" and refused.value.field == field


def test_a_field_of_another_item_in_another_unit_is_never_offered_for_one_letter_off() -> None:
    """排水管道 takes diameter_cm: a diameter_m of 0.3 renamed as a hint told (diameter_cm 0.3) is priced as a pipe of
    0.3 cm, 40 元/m, while the pipe is 30 cm, 80 元/m. Refused as a field this item does not take, no more."""
    with pytest.raises(InputError) as refused:
        priced({"item": "排水管道/水泥管", "quantity": "20", "diameter_m": "0.3"})
    assert refused.value.zh == "此项不接受「管径(m)」" and "diameter_cm" not in refused.value.en


def test_not_compensated_refuses_a_rate() -> None:
    with pytest.raises(InputError, match="rate"):
        priced({"item": "不予补偿/废渠", "rate": "100"})


def test_assessed_needs_its_basis_and_quantity_one() -> None:
    with pytest.raises(InputError, match="basis"):
        priced({"item": "评估项/村庙", "amount": "1000"})
    with pytest.raises(InputError, match="quantity must be 1"):
        priced({"item": "评估项/村庙", "amount": "1000", "basis": "x", "quantity": "2"})


@pytest.mark.parametrize("host_rate, reason, remark", [
    ("900", "框架加固", "按附属平房/砖混结构单价900.00(超标准)的50%"),   # 450 per m², above 50% of 700–800
    ("760", None, "按附属平房/砖混结构单价760.00的50%")])
def test_a_share_of_a_host_paid_above_its_standard_says_so(host_rate, reason, remark) -> None:
    """Only the host line was flagged: its 歇厦 at 50% of 900 (450, over 400) read as within the standard."""
    host = {"item": "附属平房/砖混结构", "quantity": "10", "rate": host_rate,
            **({"override_reason": reason} if reason else {})}
    line = priced({"item": "歇厦、雨搭", "quantity": "2", "attached_to": "附属平房/砖混结构"}, host)
    assert line.remarks == (remark,) and line.amount == Decimal(host_rate) / 2 * 2
    # and the screen's 提示 says it at the 歇厦 (its 备注 alone did): the house's own line says its reason
    result = compute(case_from_dict({"items": [{"item": "歇厦、雨搭", "quantity": "2", "attached_to": "附属平房/砖混结构"},
                                               host]}))
    said = [(w.line, w.field, w.zh) for w in result.warnings if w.line == 0]
    assert said == ([(0, "attached_to", "依附房屋「附属平房/砖混结构」按超出标准的单价 900.00 计,本项随之按 450.00 计,请核对")]
                    if reason else [])


@pytest.mark.parametrize("line, field", [
    ({"item": "杂棚", "quantity": "0.000000001"}, "quantity"),
    ({"item": "基础/石基础", "quantity": "10", "height_m": "0.000000001"}, "quantity"),
    ({"item": "评估项/地下室", "amount": "0.004", "basis": "评估报告"}, "amount"),   # an amount of 0 is refused
    ({"item": "不予补偿/废弃枯井", "quantity": "1"}, None)])                          # R5: 0.00 by the standard
def test_a_line_that_comes_to_nought_is_warned_of(line, field) -> None:
    """0.000000001 m² was priced at 0.00 without a word."""
    result = compute(case_from_dict({"items": [line]}))
    assert result.lines[0].amount == Decimal("0.00")
    said = [(w.zh, w.field) for w in result.warnings if w.zh.startswith("金额为 0.00")]
    assert said == ([] if field is None else [("金额为 0.00(数量、参数或金额过小),请核对", field)])


@pytest.mark.parametrize("amount, warned", [("10000000", False), ("10000000.01", True), ("99999999999.99", True)])
def test_an_assessed_amount_past_ten_million_is_priced_with_a_warning_to_check_it(amount, warned) -> None:
    """99,999,999,999.99 typed for 9,999.99 was paid unsaid, while a quantity past what is usual is warned of."""
    result = compute(case_from_dict({"items": [{"item": "评估项/地下室", "amount": amount, "basis": "评估报告"}]}))
    assert result.lines[0].amount == Decimal(amount)
    said = [(w.zh, w.field) for w in result.warnings]
    assert said == ([(f"评估金额 {amount} 元 超过常见范围(10,000,000 元),请核对", "amount")] if warned else [])


@pytest.mark.parametrize("hosts, warned", [
    ([True], True),              # the only host line disputed: its 歇厦 still paid, and said
    ([True, False], False),      # another line of the same house is paid: the 歇厦 may be on it
    ([False], False)])
def test_a_share_of_a_disputed_host_is_paid_and_said(hosts, warned) -> None:
    """R6 holds out the disputed line alone: the 歇厦 attached to a disputed house was paid (8 m² × 375 = 3,000.00)
    without a word that the house it belongs to is in dispute."""
    case = case_from_dict({"items": [
        {"item": "歇厦、雨搭", "quantity": "8", "attached_to": "附属平房/砖混结构"},
        *({"item": "附属平房/砖混结构", "quantity": "40", "disputed": disputed} for disputed in hosts)]})
    result = compute(case)
    assert result.lines[0].amount == Decimal("3000.00") and result.lines[0].payable
    assert result.total == Decimal("3000.00") + 30000 * hosts.count(False)
    said = [(w.line, w.field) for w in result.warnings if "依附房屋" in w.zh and "有争议" in w.zh]
    assert said == ([(0, "disputed")] if warned else [])


def test_share_of_host_refuses_a_per_room_host() -> None:
    # 废弃窑洞 is paid per 间, so 50% of it is no rate per m²
    with pytest.raises(InputError, match="attached_to"):
        priced({"item": "歇厦、雨搭", "quantity": "5", "attached_to": "窑洞/废弃窑洞"})


def test_share_of_host_refuses_an_ambiguous_host_rate() -> None:
    with pytest.raises(InputError, match="ambiguous"):
        priced({"item": "歇厦、雨搭", "quantity": "5", "attached_to": "附属平房/砖混结构"},
               {"item": "附属平房/砖混结构", "quantity": "10", "rate": "760"},
               {"item": "附属平房/砖混结构", "quantity": "10"})     # at the midpoint, 750


def test_a_host_typed_at_its_midpoint_and_one_left_at_it_are_one_host_rate() -> None:
    """750 typed on one 砖混 line, none on the other (its midpoint, 750): both are paid 750, so the host rate is 750,
    as typed (no 按区间中值), not refused as two rates."""
    line = priced({"item": "歇厦、雨搭", "quantity": "5", "attached_to": "附属平房/砖混结构"},
                  {"item": "附属平房/砖混结构", "quantity": "10", "rate": "750"},
                  {"item": "附属平房/砖混结构", "quantity": "10"})
    assert (line.rate, line.amount, line.flags) == (Decimal("375"), Decimal("1875.00"), ())


def test_a_rate_typed_on_a_line_at_a_share_of_its_host_is_never_said_to_be_a_midpoint() -> None:
    """The host (砖混, 700–800) not on the case: 歇厦's standard is 50% of its midpoint, 375. A rate typed on the 歇厦
    line was said, and printed on the sheet, as 按区间中值 (未填单价,按区间中值 500 计) beside its 超标准."""
    case = case_from_dict({"items": [
        {"item": "歇厦、雨搭", "quantity": "10", "attached_to": "附属平房/砖混结构", "rate": "500", "override_reason": "带顶棚"},
        {"item": "歇厦、雨搭", "quantity": "10", "attached_to": "附属平房/砖混结构", "rate": "375"},
        {"item": "歇厦、雨搭", "quantity": "10", "attached_to": "附属平房/砖混结构"}]})
    result = compute(case)
    assert [(line.amount, line.flags) for line in result.lines] == [
        (Decimal("5000.00"), ("override",)), (Decimal("3750.00"), ()), (Decimal("3750.00"), ("midpoint",))]
    # 歇厦 has no range of its own: what is at the midpoint is its host's (it was said 未填单价,按区间中值 375.00 计)
    assert [w.zh for w in result.warnings if "中值" in w.zh] == [
        "依附房屋「附属平房/砖混结构」在本户无单价,按其区间中值 750.00 的 50% 计 375.00"]


def test_decoration_outside_20_to_40_without_a_reason_is_refused() -> None:
    # the same line with its reason is priced at 217.50 (tables/cases/baozi-2023/decorated_rate.toml)
    with pytest.raises(InputError, match="override_reason"):
        priced({"item": "室外台阶或楼梯/砖台阶", "quantity": "3", "rate": "50", "decoration_pct": "45"})


def test_breeding_allowance_small_pen_above_400_needs_a_reason() -> None:
    # 400, the high edge, is priced as it is (tables/cases/baozi-2023/bracket.toml)
    with pytest.raises(InputError, match="override_reason"):
        priced({"item": "养殖搬迁补助", "quantity": "1", "area_m2": "20", "rate": "450"})


# --- R1 -----------------------------------------------------------------------------------------

def test_r1_rate_outside_range_without_reason_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        priced({"item": "附属平房/砖混结构", "quantity": "10", "rate": "850"})
    message = str(caught.value)
    assert "items[0]" in message and "附属平房/砖混结构" in message
    assert "override_reason" in message and "700.00–800.00" in message


def test_a_refused_rate_says_where_its_standard_came_from() -> None:
    """A well's rate is per 口: 600 typed for 水泥管机井 (600 per metre in the standard) was refused as outside 6000.00
    with nothing to say the 6000 is 10 m × 600 per well."""
    with pytest.raises(InputError) as caught:
        priced({"item": "机井/水泥管机井", "quantity": "1", "depth_m": "10", "rate": "600"})
    assert caught.value.zh == "单价 600.00 超出标准 6000.00,须填写超标准理由(标准:深度10m: 10m×600 元/口)"
    assert caught.value.field == "rate"
    with pytest.raises(InputError) as caught:
        priced({"item": "菜窖/砖石", "quantity": "8", "depth_m": "1.6", "rate": "500"})
    assert caught.value.zh.endswith("(标准:深度1.6m,档位(1.5, 2])")


def test_a_reason_given_for_a_rate_within_the_standard_is_said_unused() -> None:
    """超标准理由 typed beside 750 (within 700–800) was dropped from every output without a word."""
    result = compute(case_from_dict({"items": [
        {"item": "附属平房/砖混结构", "quantity": "10", "rate": "750", "override_reason": "带门楼"},
        {"item": "附属平房/砖混结构", "quantity": "10", "rate": "850", "override_reason": "带门楼"}]}))
    assert [(line.amount, line.flags) for line in result.lines] == [(Decimal("7500.00"), ()),
                                                                   (Decimal("8500.00"), ("override",))]
    assert [(w.line, w.field, w.zh) for w in result.warnings] == [
        (0, "override_reason", "单价在标准之内,超标准理由「带门楼」不适用,不打印"), (1, "rate", "超标准,理由:带门楼")]


def test_r1_rate_below_range_without_reason_is_refused() -> None:
    with pytest.raises(InputError, match="override_reason"):
        priced({"item": "附属平房/砖混结构", "quantity": "10", "rate": "699.99"})


def test_r1_fixed_rate_differing_without_reason_is_refused() -> None:
    with pytest.raises(InputError, match="override_reason"):
        priced({"item": "附属平房/砖木结构(含混合结构)", "quantity": "10", "rate": "750"})
    with pytest.raises(InputError, match="override_reason"):
        priced({"item": "附属平房/砖木结构(含混合结构)", "quantity": "10", "rate": "650"})


@pytest.mark.parametrize("typed", ["-0", "-0.00", "-0E+2"])
def test_a_rate_of_minus_zero_is_a_rate_of_zero(typed) -> None:
    # it passed the sign check as -0 and the sheet printed 单价 -0.00, 金额 -0.00
    line = priced({"item": "附属平房/砖混结构", "quantity": "10", "rate": typed, "override_reason": "拆除前已倒塌"})
    assert line.rate == 0 and not line.rate.is_signed() and str(line.amount) == "0.00" and not line.amount.is_signed()


def test_r1_negative_rate_is_refused_even_with_a_reason() -> None:
    with pytest.raises(InputError, match="negative"):
        priced({"item": "附属平房/砖混结构", "quantity": "1", "rate": "-5", "override_reason": "x"})


# --- parameters past what is usual, or possible --------------------------------------------------

def test_a_parameter_past_the_usual_is_priced_and_said() -> None:
    # a 215 m well typed with a zero too many is priced as typed, with a warning at its 深度: 200 m × 1100 plus
    # 1950 m × 1200 = 2,560,000.00 (215 m: 220,000 + 15 × 1200 = 238,000.00)
    result = compute(case_from_dict({"items": [{"item": "机井/钢管机井", "quantity": "1", "depth_m": "2150"},
                                               {"item": "机井/钢管机井", "quantity": "1", "depth_m": "215"}]}))
    assert [str(line.amount) for line in result.lines] == ["2560000.00", "238000.00"]
    assert [(w.line, w.field) for w in result.warnings] == [(0, "depth_m")]
    assert "深度 2150 m 超过常见范围(1,000 m),请核对" in result.warnings[0].zh


@pytest.mark.parametrize("line, field", [
    ({"item": "机井/钢管机井", "quantity": "1", "depth_m": "1000000"}, "depth_m"),
    ({"item": "菜窖/砖石", "quantity": "1", "depth_m": "1E+14"}, "depth_m"),   # was taken as its deepest bracket
    ({"item": "用材树/杨树", "quantity": "1", "diameter_cm": "10000.1"}, "diameter_cm"),
])
def test_a_parameter_past_what_is_possible_is_refused_at_its_field(line, field) -> None:
    with pytest.raises(CalculationError) as caught:
        compute(case_from_dict({"items": [line]}))
    assert "超过上限" in str(caught.value) and "is too large" in str(caught.value)
    assert caught.value.errors[0].field == field
