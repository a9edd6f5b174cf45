"""Rule kinds of the 堡子 schedule: a contract over every item key, hand-worked lines for every
kind, every bracket boundary (R3) and rule R1 (range rates, midpoint, overrides).

Every expected number below is worked by hand from the catalog's rows and readings; the
working is in the comment or the id beside it.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from calculator.case import case_from_dict
from calculator.compensation import compute
from calculator.errors import CalculationError, InputError
from calculator.rules import KINDS
from calculator.schedules import load_schedule

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


# --- hand-worked lines, every rule kind ------------------------------------------------------------

HOST_砖混_760 = {"item": "附属平房/砖混结构", "quantity": "1", "rate": "760"}


def case(line: dict, rate: str, amount: str, flags: tuple[str, ...] = (), context: tuple[dict, ...] = (),
         id: str = ""):
    return pytest.param(line, context, Decimal(rate), Decimal(amount), flags, id=id or line["item"])


HAND_WORKED = [
    # unit_rate, fixed rate: quantity × rate
    case({"item": "附属平房/砖木结构(含混合结构)", "quantity": "24.60"}, "700", "17220.00"),  # 24.6×700
    case({"item": "附属平房/框架结构", "quantity": "10.05"}, "1200", "12060.00"),  # 10.05×1200
    case({"item": "附属平房/钢结构", "quantity": "3", "rate": "1200"}, "1200", "3600.00"),  # the fixed rate typed
    case({"item": "简易房/废弃简易房", "quantity": "2"}, "600", "1200.00"),  # per 间
    case({"item": "厕所(室外)/政府改厕", "quantity": "1"}, "1500", "1500.00"),
    case({"item": "土坝", "quantity": "12.5"}, "13", "162.50"),  # 12.5×13
    case({"item": "水窖/石砌", "quantity": "3.3"}, "190", "627.00"),  # 3.3×190
    case({"item": "影壁/装饰影壁", "quantity": "6.4"}, "150", "960.00"),
    case({"item": "日用设施/有线闭路电视"}, "550", "550.00"),  # quantity defaults to 1 户
    case({"item": "三项动力线路"}, "5000", "5000.00"),  # per 户, default 1
    case({"item": "大门/豪华装修", "quantity": "1"}, "8000", "8000.00"),
    case({"item": "检查井", "quantity": "2"}, "1200", "2400.00"),
    case({"item": "室内水电/电", "quantity": "85.35"}, "14", "1194.90"),  # 85.35×14
    case({"item": "坝/水泥砂浆砌石坝", "quantity": "7.77"}, "150", "1165.50"),  # 7.77×150
    case({"item": "厂矿烟囱", "quantity": "18.5"}, "288", "5328.00"),  # 18.5×288
    case({"item": "简易牛舍/土质", "quantity": "3"}, "40", "120.00"),
    # unit_rate, range: the assessor's rate, else the midpoint (flagged)
    case({"item": "附属平房/砖混结构", "quantity": "86.40", "rate": "760"}, "760", "65664.00"),  # 86.4×760
    case({"item": "窑洞/砖石窑洞", "quantity": "42"}, "650", "27300.00", ("midpoint",)),  # (600+700)/2×42
    case({"item": "围墙/土围墙", "quantity": "30.5"}, "27.5", "838.75", ("midpoint",)),  # (20+35)/2×30.5
    case({"item": "卫生洁具/普通洁具", "quantity": "1"}, "1150", "1150.00", ("midpoint",)),  # (800+1500)/2
    case({"item": "水塔/混凝土", "quantity": "10"}, "650", "6500.00", ("midpoint",)),  # (100+1200)/2×10, as published
    case({"item": "室外上下水管/塑料管", "quantity": "33.3", "rate": "10.5"}, "10.5", "349.65"),  # 33.3×10.5
    case({"item": "喷灌喷头", "quantity": "5", "rate": "150"}, "150", "750.00", id="喷灌喷头 low edge 150"),
    case({"item": "杂棚", "quantity": "15", "rate": "40"}, "40", "600.00", id="杂棚 high edge 40"),
    # R2 half-up: 0.5×30.01 = 15.005 → 15.01 (banker's rounding would give 15.00)
    case({"item": "月台或院内铺砌/瓷砖砌", "quantity": "0.5", "rate": "30.01"}, "30.01", "15.01"),
    case({"item": "规模鸡场", "quantity": "0.333", "rate": "333"}, "333", "110.89"),  # 110.889 → 110.89
    # prorated_rate (基础): quantity × rate × min(height, 1)
    case({"item": "基础/石基础", "quantity": "18", "height_m": "0.6"}, "200", "2160.00"),  # 18×200×0.6
    case({"item": "基础/未竣工砖房基础", "quantity": "10", "height_m": "1.2"}, "135", "1350.00",
         ("midpoint",)),  # height ≥ 1: full; (120+150)/2×10
    case({"item": "基础/砖混基础圈梁", "quantity": "40", "rate": "200", "height_m": "0.75"}, "200",
         "6000.00"),  # 40×200×0.75
    # decorated_rate (台阶/楼梯): × (1 + pct/100)
    case({"item": "室外台阶或楼梯/砖台阶", "quantity": "6.2", "rate": "55", "decoration_pct": "30"}, "55",
         "443.30"),  # 6.2×55 = 341 ×1.3
    case({"item": "室外台阶或楼梯/石台阶", "quantity": "3", "rate": "70"}, "70", "210.00"),  # no decoration
    case({"item": "室外台阶或楼梯/混凝土楼梯", "quantity": "2.5", "decoration_pct": "40"}, "325", "1137.50",
         ("midpoint",)),  # (300+350)/2 = 325 ×2.5 = 812.5 ×1.4
    case({"item": "室外台阶或楼梯/钢架楼梯", "quantity": "4.5", "rate": "380", "decoration_pct": "20"}, "380",
         "2052.00"),  # 4.5×380 = 1710 ×1.2
    # share_of_host (歇厦、雨搭): 50% of the host's rate on this case, else its fixed rate / midpoint
    case({"item": "歇厦、雨搭", "quantity": "12.5", "attached_to": "附属平房/砖混结构"}, "380", "4750.00",
         context=(HOST_砖混_760,), id="歇厦 host on case at 760"),  # 760×50% = 380 ×12.5
    case({"item": "歇厦、雨搭", "quantity": "10", "attached_to": "附属平房/砖混结构"}, "375", "3750.00",
         ("midpoint",), id="歇厦 host absent, midpoint"),  # (700+800)/2 = 750 ×50% = 375 ×10
    case({"item": "歇厦、雨搭", "quantity": "8", "attached_to": "企业厂房/钢结构"}, "600", "4800.00",
         id="歇厦 host absent, fixed"),  # 1200×50% = 600 ×8
    case({"item": "歇厦、雨搭", "quantity": "4.5", "attached_to": "窑洞/一般土窑洞"}, "190", "855.00",
         context=({"item": "窑洞/一般土窑洞", "quantity": "28", "rate": "380"},),
         id="歇厦 on 窑洞 at 380"),  # 380×50% = 190 ×4.5
    # bracket (R3 readings)
    case({"item": "菜窖/砖石", "quantity": "8", "depth_m": "1.6"}, "170", "1360.00"),  # (1.5,2] → 170
    case({"item": "菜窖/土质", "quantity": "6", "depth_m": "2.5"}, "45", "270.00"),  # >2 → 45
    case({"item": "家用采暖锅炉", "quantity": "1", "heated_area_m2": "110.4"}, "2650", "2650.00"),  # (100,200)
    case({"item": "砖土人工井", "quantity": "1", "depth_m": "12"}, "5000", "5000.00"),  # (10,20]
    case({"item": "涵洞/石砌", "quantity": "4", "height_m": "1.5"}, "1000", "4000.00"),  # (1,2) → 1000
    case({"item": "涵洞/砖砌", "quantity": "3", "height_m": "3.2"}, "1300", "3900.00"),  # >3 → 1300
    case({"item": "混凝土管涵", "quantity": "12", "span_cm": "50"}, "140", "1680.00"),  # [50,100) → 140
    case({"item": "排水渠/砖砌", "quantity": "35", "width_m": "0.6"}, "80", "2800.00"),  # (0.5,0.8] → 80
    case({"item": "排水渠/土质", "quantity": "100", "width_m": "0.3"}, "10", "1000.00"),  # ≤0.5 → 10
    case({"item": "排水渠/石砌", "quantity": "10", "width_m": "0.81"}, "110", "1100.00"),  # >0.8 → 110
    case({"item": "排水管道/水泥管", "quantity": "20", "diameter_cm": "30"}, "80", "1600.00"),  # gap → ≥30
    case({"item": "排水管道/瓷管(含PVC)", "quantity": "20", "diameter_cm": "30"}, "50", "1000.00"),  # ≤30
    case({"item": "输水管道", "quantity": "80", "diameter_m": "0.05"}, "13", "1040.00"),  # [0.02,0.05]
    case({"item": "大牲畜杂棚", "quantity": "30", "column_height_m": "3.5"}, "41", "1230.00"),  # >2 → 41
    case({"item": "养殖搬迁补助", "quantity": "1", "area_m2": "45"}, "315", "315.00"),  # >30: 7×45
    case({"item": "养殖搬迁补助", "quantity": "2", "area_m2": "25", "rate": "320"}, "320", "640.00",
         id="养殖搬迁补助 ≤30 chosen 320"),  # 320 in [300,400] ×2
    case({"item": "养殖搬迁补助", "quantity": "1", "area_m2": "30"}, "350", "350.00", ("midpoint",),
         id="养殖搬迁补助 ≤30 midpoint"),  # (300+400)/2
    case({"item": "养殖临时安置补助", "quantity": "1", "area_m2": "45"}, "180", "540.00"),  # 4×45 = 180 ×3 months
    case({"item": "养殖临时安置补助", "quantity": "2", "area_m2": "20"}, "300", "1800.00",
         id="养殖临时安置补助 <30"),  # 300 ×3 months ×2 处
    case({"item": "果树/核桃树", "quantity": "3", "diameter_cm": "12"}, "500", "1500.00"),  # (10,15]
    case({"item": "果树/苹果树、梨树及其他", "quantity": "5", "diameter_cm": "8"}, "100", "500.00"),  # (5,10]
    case({"item": "果树/零星未挂果树", "quantity": "4", "diameter_cm": "8"}, "10", "40.00"),  # ≤10 → 10
    case({"item": "果树/枣树", "quantity": "4", "diameter_cm": "5"}, "30", "120.00"),  # (2,5]
    case({"item": "用材树/侧柏", "quantity": "2", "diameter_cm": "25"}, "300", "600.00"),  # 25 → ≥25
    case({"item": "用材树/落叶松", "quantity": "1", "diameter_cm": "20"}, "240", "240.00"),  # (15,25)
    case({"item": "用材树/其他(成材树)", "quantity": "10", "diameter_cm": "5"}, "8", "80.00"),  # ≤7
    # bracket_increment: max(table(d), table(T) + 10 × whole cm above T)
    case({"item": "用材树/杨树", "quantity": "6", "diameter_cm": "12.6"}, "112", "672.00"),  # max(92, 92+20)
    case({"item": "用材树/杨树", "quantity": "1", "diameter_cm": "16"}, "192", "192.00",
         id="杨树 16"),  # max(192, 92+60)
    case({"item": "用材树/国槐", "quantity": "1", "diameter_cm": "31.2"}, "660", "660.00"),  # max(650, 450+210)
    case({"item": "用材树/柳树", "quantity": "1", "diameter_cm": "24.9"}, "260", "260.00"),  # max(220, 220+40)
    case({"item": "用材树/柳树", "quantity": "1", "diameter_cm": "18"}, "220", "220.00",
         id="柳树 18 below T"),  # 18 ≤ 20: table only
    # per_metre (机井): per well, each metre at its tier's rate
    case({"item": "机井/水泥管机井", "quantity": "1", "depth_m": "150"}, "90000", "90000.00"),  # 150×600
    case({"item": "机井/水泥管机井", "quantity": "1", "depth_m": "215"}, "129000", "129000.00",
         id="水泥管机井 215"),  # 215×600
    case({"item": "机井/钢管机井", "quantity": "1", "depth_m": "150"}, "165000", "165000.00"),  # 150×1100
    case({"item": "机井/钢管机井", "quantity": "1", "depth_m": "215"}, "238000", "238000.00",
         id="钢管机井 215"),  # 200×1100 + 15×1200
    case({"item": "机井/钢管机井", "quantity": "2", "depth_m": "215"}, "238000", "476000.00",
         id="钢管机井 215 ×2 wells"),
    # staged
    case({"item": "葡萄", "quantity": "2", "stage": "盛果期"}, "400", "800.00"),
    case({"item": "葡萄", "quantity": "3", "stage": "未挂果"}, "30", "90.00", id="葡萄 未挂果"),
    case({"item": "嫁接杏树", "quantity": "10", "stage": "初果期"}, "55", "550.00"),
    # assessed (R4): the typed amount, rounded once
    case({"item": "评估项/地下室", "amount": "42000", "basis": "评估报告 WS-2023-017"}, "42000", "42000.00",
         ("assessed",)),
    case({"item": "评估项/其他", "amount": "1234.565", "basis": "评估报告"}, "1234.57", "1234.57",
         ("assessed",)),  # half-up
    # not_compensated (R5): always 0.00
    case({"item": "不予补偿/废弃枯井", "quantity": "1"}, "0", "0.00", ("not_compensated",)),
    case({"item": "不予补偿/无主坟墓", "quantity": "5"}, "0", "0.00", ("not_compensated",)),
    case({"item": "不予补偿/废渠"}, "0", "0.00", ("not_compensated",)),
]


@pytest.mark.parametrize("line, context, rate, amount, flags", HAND_WORKED)
def test_hand_worked_line(line, context, rate, amount, flags) -> None:
    result = priced(line, *context)
    assert result.amount == amount
    assert result.amount.as_tuple().exponent == -2
    assert result.rate == rate
    assert set(result.flags) == set(flags)


def test_hand_worked_table_covers_every_kind_and_40_keys() -> None:
    keys = {p.values[0]["item"] for p in HAND_WORKED}
    kinds = {SCHEDULE.items[key].kind for key in keys}
    assert kinds == set(KINDS) - {"area_replacement"}  # area_replacement is refused as a line
    assert len(keys) >= 40


def test_not_compensated_refuses_a_rate() -> None:
    with pytest.raises(InputError, match="rate"):
        priced({"item": "不予补偿/废渠", "rate": "100"})


def test_assessed_needs_its_basis_and_quantity_one() -> None:
    with pytest.raises(InputError, match="basis"):
        priced({"item": "评估项/村庙", "amount": "1000"})
    with pytest.raises(InputError, match="quantity must be 1"):
        priced({"item": "评估项/村庙", "amount": "1000", "basis": "x", "quantity": "2"})


def test_share_of_host_refuses_a_per_room_host() -> None:
    # 废弃窑洞 is paid per 间, so 50% of it is no rate per m²
    with pytest.raises(InputError, match="attached_to"):
        priced({"item": "歇厦、雨搭", "quantity": "5", "attached_to": "窑洞/废弃窑洞"})


def test_share_of_host_refuses_an_ambiguous_host_rate() -> None:
    with pytest.raises(InputError, match="ambiguous"):
        priced({"item": "歇厦、雨搭", "quantity": "5", "attached_to": "附属平房/砖混结构"},
               {"item": "附属平房/砖混结构", "quantity": "10", "rate": "750"},
               {"item": "附属平房/砖混结构", "quantity": "10"})


def test_decoration_outside_20_to_40_needs_a_reason() -> None:
    line = {"item": "室外台阶或楼梯/砖台阶", "quantity": "3", "rate": "50", "decoration_pct": "45"}
    with pytest.raises(InputError, match="override_reason"):
        priced(line)
    result = priced({**line, "override_reason": "石材贴面"})
    assert result.amount == Decimal("217.50")  # 3×50 = 150 ×1.45
    assert "override" in result.flags


# --- R3: every bracket boundary, on it, 0.01 below and 0.01 above ---------------------------------
# (value, amount of one unit). Readings from the catalog: 以上/以下/以内 include the number; a value
# two brackets both include goes to the lower one; a gap closes downward into the upper one.

BOUNDARIES: dict[str, tuple[tuple[str, str], ...]] = {
    # ≤1.2 → 90; (1.2,1.5] → 130; (1.5,2] → 170; >2 → 200
    "菜窖/砖石": (("1.19", "90"), ("1.2", "90"), ("1.21", "130"), ("1.49", "130"), ("1.5", "130"),
              ("1.51", "170"), ("1.99", "170"), ("2", "170"), ("2.01", "200")),
    "菜窖/土质": (("1.19", "30"), ("1.2", "30"), ("1.21", "35"), ("1.49", "35"), ("1.5", "35"),
              ("1.51", "40"), ("1.99", "40"), ("2", "40"), ("2.01", "45")),
    # ≤100 → 2000; (100,200) → 2650; [200,300] → 3300; >300 → 5000
    "家用采暖锅炉": (("99.99", "2000"), ("100", "2000"), ("100.01", "2650"), ("199.99", "2650"),
               ("200", "3300"), ("200.01", "3300"), ("299.99", "3300"), ("300", "3300"), ("300.01", "5000")),
    # ≤5 → 3000; (5,10] → 4000; (10,20] → 5000; >20 → 7000
    "砖土人工井": (("4.99", "3000"), ("5", "3000"), ("5.01", "4000"), ("9.99", "4000"), ("10", "4000"),
              ("10.01", "5000"), ("19.99", "5000"), ("20", "5000"), ("20.01", "7000")),
    # ≤1; (1,2); [2,3]; >3
    "涵洞/砖砌": (("0.99", "500"), ("1", "500"), ("1.01", "700"), ("1.99", "700"), ("2", "1000"),
              ("2.01", "1000"), ("2.99", "1000"), ("3", "1000"), ("3.01", "1300")),
    "涵洞/石砌": (("0.99", "800"), ("1", "800"), ("1.01", "1000"), ("1.99", "1000"), ("2", "1300"),
              ("2.01", "1300"), ("2.99", "1300"), ("3", "1300"), ("3.01", "1600")),
    # ≤30 → 100; (30,50) → 120; [50,100) → 140; ≥100 → 200
    "混凝土管涵": (("29.99", "100"), ("30", "100"), ("30.01", "120"), ("49.99", "120"), ("50", "140"),
              ("50.01", "140"), ("99.99", "140"), ("100", "200"), ("100.01", "200")),
    # ≤0.5; (0.5,0.8]; >0.8
    "排水渠/土质": (("0.49", "10"), ("0.5", "10"), ("0.51", "13"), ("0.79", "13"), ("0.8", "13"), ("0.81", "15")),
    "排水渠/砖砌": (("0.49", "50"), ("0.5", "50"), ("0.51", "80"), ("0.79", "80"), ("0.8", "80"), ("0.81", "100")),
    "排水渠/石砌": (("0.49", "70"), ("0.5", "70"), ("0.51", "90"), ("0.79", "90"), ("0.8", "90"), ("0.81", "110")),
    # <30 → 40; ≥30 → 80 (the gap at 30 closes into the upper bracket)
    "排水管道/水泥管": (("29.99", "40"), ("30", "80"), ("30.01", "80")),
    # ≤30 → 50; >30 → 150
    "排水管道/瓷管(含PVC)": (("29.99", "50"), ("30", "50"), ("30.01", "150")),
    # <0.02 → 9; [0.02,0.05] → 13; >0.05 → 15
    "输水管道": (("0.01", "9"), ("0.0199", "9"), ("0.02", "13"), ("0.03", "13"), ("0.04", "13"),
             ("0.05", "13"), ("0.0501", "15"), ("0.06", "15")),
    # ≤2 → 40; >2 → 41, and 以3米为限: still 41 above 3 m
    "大牲畜杂棚": (("1.99", "40"), ("2", "40"), ("2.01", "41"), ("3", "41"), ("3.01", "41")),
    # ≤30: 300–400 per 处, no rate → midpoint 350; >30: 7 × area
    "养殖搬迁补助": (("29.99", "350"), ("30", "350"), ("30.01", "210.07")),  # 7×30.01
    # 3 months × (<30: 300 per 处; ≥30: 4 × area)
    "养殖临时安置补助": (("29.99", "900"), ("30", "360"), ("30.01", "360.12")),  # 300×3; 4×30×3; 4×30.01×3
    # fruit: ≤2, (2,5], (5,10], (10,15], (15,25], >25 — 10.5 lies in the 10/11 gap → (10,15]
    "果树/核桃树": (("1.99", "15"), ("2", "15"), ("2.01", "80"), ("4.99", "80"), ("5", "80"), ("5.01", "240"),
               ("9.99", "240"), ("10", "240"), ("10.01", "500"), ("10.5", "500"), ("14.99", "500"),
               ("15", "500"), ("15.01", "800"), ("15.5", "800"), ("24.99", "800"), ("25", "800"),
               ("25.01", "980")),
    "果树/枣树": (("1.99", "10"), ("2", "10"), ("2.01", "30"), ("4.99", "30"), ("5", "30"), ("5.01", "120"),
              ("9.99", "120"), ("10", "120"), ("10.01", "320"), ("10.5", "320"), ("14.99", "320"),
              ("15", "320"), ("15.01", "600"), ("24.99", "600"), ("25", "600"), ("25.01", "850")),
    "果树/杏树、桃树": (("1.99", "5"), ("2", "5"), ("2.01", "30"), ("4.99", "30"), ("5", "30"), ("5.01", "80"),
                 ("9.99", "80"), ("10", "80"), ("10.01", "150"), ("10.5", "150"), ("14.99", "150"),
                 ("15", "150"), ("15.01", "300"), ("24.99", "300"), ("25", "300"), ("25.01", "400")),
    "果树/苹果树、梨树及其他": (("1.99", "8"), ("2", "8"), ("2.01", "30"), ("4.99", "30"), ("5", "30"),
                     ("5.01", "100"), ("9.99", "100"), ("10", "100"), ("10.01", "200"), ("10.5", "200"),
                     ("14.99", "200"), ("15", "200"), ("15.01", "400"), ("24.99", "400"), ("25", "400"),
                     ("25.01", "500")),
    # merged cells: ≤10 → 10, (10,15] → 30, >15 → 50
    "果树/零星未挂果树": (("1.99", "10"), ("2", "10"), ("2.01", "10"), ("4.99", "10"), ("5", "10"),
                  ("5.01", "10"), ("9.99", "10"), ("10", "10"), ("10.01", "30"), ("10.5", "30"),
                  ("14.99", "30"), ("15", "30"), ("15.01", "50"), ("24.99", "50"), ("25", "50"), ("25.01", "50")),
    # timber: ≤7, (7,15], (15,25), ≥25 — 25 lies in the gap → top bracket
    "用材树/侧柏": (("6.99", "20"), ("7", "20"), ("7.01", "100"), ("14.99", "100"), ("15", "100"),
              ("15.01", "200"), ("24.99", "200"), ("25", "300"), ("25.01", "300")),
    "用材树/普通松树": (("6.99", "40"), ("7", "40"), ("7.01", "120"), ("14.99", "120"), ("15", "120"),
                ("15.01", "220"), ("24.99", "220"), ("25", "300"), ("25.01", "300")),
    "用材树/落叶松": (("6.99", "60"), ("7", "60"), ("7.01", "150"), ("14.99", "150"), ("15", "150"),
               ("15.01", "240"), ("24.99", "240"), ("25", "350"), ("25.01", "350")),
    "用材树/其他(成材树)": (("6.99", "8"), ("7", "8"), ("7.01", "40"), ("14.99", "40"), ("15", "40"),
                   ("15.01", "100"), ("24.99", "100"), ("25", "130"), ("25.01", "130")),
    # with increments, T = 10 (杨树 table 25, 92, 192, 240; table(10) = 92):
    # 14.99 → max(92, 92+10×4) = 132; 15 → max(92, 92+50) = 142; 15.01 → max(192, 142) = 192;
    # 24.99 → max(192, 92+140) = 232; 25 → max(240, 92+150) = 242; 25.01 → 242; 11 → 92+10
    "用材树/杨树": (("6.99", "25"), ("7", "25"), ("7.01", "92"), ("9.99", "92"), ("10", "92"), ("10.01", "92"),
              ("10.99", "92"), ("11", "102"), ("14.99", "132"), ("15", "142"), ("15.01", "192"),
              ("24.99", "232"), ("25", "242"), ("25.01", "242")),
    # T = 10 (国槐 174, 450, 550, 650; table(10) = 450): 14.99 → 490; 15 → 500; 15.01 → max(550, 500);
    # 24.99 → max(550, 590) = 590; 25 → max(650, 600) = 650; 25.01 → 650
    "用材树/国槐": (("6.99", "174"), ("7", "174"), ("7.01", "450"), ("10", "450"), ("11", "460"),
              ("14.99", "490"), ("15", "500"), ("15.01", "550"), ("24.99", "590"), ("25", "650"),
              ("25.01", "650")),
    # T = 20 (柳树 50, 120, 220, 300; table(20) = 220): 20.99 → 220; 21 → 230; 24.99 → 260;
    # 25 → max(300, 270) = 300
    "用材树/柳树": (("6.99", "50"), ("7", "50"), ("7.01", "120"), ("14.99", "120"), ("15", "120"),
              ("15.01", "220"), ("19.99", "220"), ("20", "220"), ("20.99", "220"), ("21", "230"),
              ("24.99", "260"), ("25", "300"), ("25.01", "300")),
}

BOUNDARY_CASES = [pytest.param(key, value, Decimal(amount), id=f"{key} {value}")
                  for key, rows in BOUNDARIES.items() for value, amount in rows]


def bracket_line(key: str, value: str) -> dict:
    item = SCHEDULE.items[key]
    spec = item.spec.table if item.kind == "bracket_increment" else item.spec
    return {"item": key, "quantity": "1", spec.param: value}


@pytest.mark.parametrize("key, value, amount", BOUNDARY_CASES)
def test_bracket_boundary(key: str, value: str, amount: Decimal) -> None:
    assert priced(bracket_line(key, value)).amount == amount


def test_boundary_table_covers_every_edge_of_every_bracketed_row() -> None:
    cent = Decimal("0.01")
    for item in SCHEDULE.items.values():
        if item.kind not in ("bracket", "bracket_increment"):
            continue
        assert item.key in BOUNDARIES, f"{item.key} has no boundary table"
        spec = item.spec.table if item.kind == "bracket_increment" else item.spec
        tested = {Decimal(value) for value, _ in BOUNDARIES[item.key]}
        for b in spec.brackets:
            if b.upper is not None:
                assert {b.upper - cent, b.upper, b.upper + cent} <= tested, f"{item.key} edge {b.upper}"


@pytest.mark.parametrize("depth, amount", [
    ("199.99", "219989.00"),  # 199.99×1100
    ("200", "220000.00"),  # 200×1100
    ("200.01", "220012.00"),  # 220000 + 0.01×1200
    ("215.5", "238600.00"),  # 220000 + 15.5×1200
])
def test_steel_well_tier_edge(depth: str, amount: str) -> None:
    line = {"item": "机井/钢管机井", "quantity": "1", "depth_m": depth}
    assert priced(line).amount == Decimal(amount)


def test_breeding_allowance_small_pen_takes_a_rate_in_300_to_400() -> None:
    line = {"item": "养殖搬迁补助", "quantity": "1", "area_m2": "20"}
    assert priced({**line, "rate": "400"}).amount == Decimal("400.00")
    with pytest.raises(InputError, match="override_reason"):
        priced({**line, "rate": "450"})


# --- R1 -----------------------------------------------------------------------------------------

def test_r1_rate_outside_range_without_reason_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        priced({"item": "附属平房/砖混结构", "quantity": "10", "rate": "850"})
    message = str(caught.value)
    assert "items[0]" in message and "附属平房/砖混结构" in message
    assert "override_reason" in message and "700.00–800.00" in message


def test_r1_rate_below_range_without_reason_is_refused() -> None:
    with pytest.raises(InputError, match="override_reason"):
        priced({"item": "附属平房/砖混结构", "quantity": "10", "rate": "699.99"})


def test_r1_rate_outside_range_with_reason_is_flagged_override() -> None:
    result = priced({"item": "大门/普通装修", "quantity": "1", "rate": "4500", "override_reason": "带门楼"})
    assert result.amount == Decimal("4500.00")
    assert result.rate == Decimal("4500")
    assert result.flags == ("override",)


def test_r1_fixed_rate_differing_without_reason_is_refused() -> None:
    with pytest.raises(InputError, match="override_reason"):
        priced({"item": "附属平房/砖木结构(含混合结构)", "quantity": "10", "rate": "750"})
    with pytest.raises(InputError, match="override_reason"):
        priced({"item": "附属平房/砖木结构(含混合结构)", "quantity": "10", "rate": "650"})


def test_r1_fixed_rate_differing_with_reason_is_flagged() -> None:
    result = priced({"item": "附属平房/砖木结构(含混合结构)", "quantity": "10", "rate": "750",
                     "override_reason": "评估报告第2页"})
    assert result.amount == Decimal("7500.00")  # 10×750
    assert result.flags == ("override",)


def test_r1_no_rate_on_a_range_takes_the_midpoint_flagged() -> None:
    result = priced({"item": "窑洞/砖接口窑洞", "quantity": "20"})
    assert result.rate == Decimal("425")  # (400+450)/2
    assert result.amount == Decimal("8500.00")  # 20×425
    assert result.flags == ("midpoint",)


@pytest.mark.parametrize("rate, amount", [("700", "1400.00"), ("735.5", "1471.00"), ("800", "1600.00")])
def test_r1_rate_inside_range_is_taken_unflagged(rate: str, amount: str) -> None:
    result = priced({"item": "附属平房/砖混结构", "quantity": "2", "rate": rate})  # 2 × rate
    assert result.rate == Decimal(rate)
    assert result.amount == Decimal(amount)
    assert result.flags == ()


def test_r1_negative_rate_is_refused_even_with_a_reason() -> None:
    with pytest.raises(InputError, match="negative"):
        priced({"item": "附属平房/砖混结构", "quantity": "1", "rate": "-5", "override_reason": "x"})
