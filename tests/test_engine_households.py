"""Whole households worked by hand: every line, the section subtotals, relocation (三), the
disputed total, the payable total in words and the replacement area (R7)."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from calculator.engine.case import case_from_dict, case_from_json
from calculator.engine.compensation import compute, evaluate
from calculator.core.errors import InputError
from calculator.core.labels import label
from calculator.engine.results import compensation_json

REPO = Path(__file__).resolve().parent.parent
SECTIONS = ("一(一)", "一(二)", "一(三)", "二", "三", "评估项")


def amounts(result) -> list[tuple[str, Decimal]]:
    return [(line.item.key, line.amount) for line in result.lines]


def check_totals(result, lines, subtotals, relocation, disputed, total, words, replacement) -> None:
    """The hand-worked figures, and the identities every settlement sheet must satisfy."""
    assert amounts(result) == [(key, Decimal(amount)) for key, amount in lines]
    assert {k: str(v) for k, v in result.subtotals.items()} == dict(zip(SECTIONS, subtotals))
    moving, temporary, incentive = relocation
    assert (result.relocation.moving, result.relocation.temporary, result.relocation.incentive) == (
        Decimal(moving), Decimal(temporary), Decimal(incentive))
    assert result.disputed_total == Decimal(disputed)
    assert result.total == Decimal(total)
    # total = payable lines + relocation; disputed held out; subtotals add up to the total
    payable = sum((line.amount for line in result.lines if "disputed" not in line.flags), Decimal(0))
    assert result.total == payable + result.relocation.total
    assert sum((line.amount for line in result.lines if "disputed" in line.flags), Decimal(0)) == Decimal(disputed)
    assert sum(result.subtotals.values(), Decimal(0)) == result.total
    assert result.replacement.total_m2 == Decimal(replacement)
    data = compensation_json(result)
    assert data["total"] == total
    assert data["total_in_words"] == words
    assert data["disputed_total"] == disputed
    assert data["replacement_area_m2"] == replacement


# --- household A: a small house (≤ 30 m²), moved out on day 30, certificate under the footprint ---
#
# line                               qty    rate   amount      working
# 窑洞/一般土窑洞                    28     380    10640.00
# 歇厦、雨搭 → 窑洞/一般土窑洞       4.5    190      855.00    380 × 50% (host's rate on this case)
# 围墙/土围墙                        30.5   27.5     838.75    midpoint (20+35)/2
# 厕所(室外)/土砌有顶                1      200      200.00
# 菜窖/土质 depth 1.2                5      30       150.00    ≤1.2 → 30
# 砖土人工井 depth 5                 1      3000    3000.00    ≤5 (以内) → 3000
# 不予补偿/无主坟墓                  1      0          0.00    R5
# 鸡窝/土质                          1      30        30.00
# 养殖搬迁补助 area 20 rate 300      1      300      300.00    ≤30: 300–400 per 处
# 养殖临时安置补助 area 20           1      300      900.00    <30: 300 × 3 months
# 果树/枣树 d 5                      4      30       120.00    (2,5] → 30
# 嫁接杏树 初果期                    10     55       550.00
# 用材树/柳树 d 24.9                 2      260      520.00    max(220, 220 + 10×4)
# 一(一) 10640 + 855 + 838.75 + 200 + 150 + 3000 = 15683.75;  一(二) 0.00;  一(三) 30 + 300 + 900 = 1230.00
# 二 120 + 550 + 520 = 1190.00;  评估项 0.00
# 三 area 28 ≤ 30: moving 300; temporary 200 × 24 = 4800; paid 06-02, moved 07-02 = 30 days → 50000
#    300 + 4800 + 50000 = 55100.00
# total 15683.75 + 1230 + 1190 + 55100 = 73203.75; disputed 0.00
# replacement 28 × 1 + max(0, 25 − 30) × 0.4 = 28.00
HOUSEHOLD_A = {
    "household": {"head": "赵小满", "address": "堡子村西街2号"},
    "items": [
        {"item": "窑洞/一般土窑洞", "quantity": "28", "rate": "380"},
        {"item": "歇厦、雨搭", "quantity": "4.5", "attached_to": "窑洞/一般土窑洞"},
        {"item": "围墙/土围墙", "quantity": "30.5"},
        {"item": "厕所(室外)/土砌有顶", "quantity": "1"},
        {"item": "菜窖/土质", "quantity": "5", "depth_m": "1.2"},
        {"item": "砖土人工井", "quantity": "1", "depth_m": "5"},
        {"item": "不予补偿/无主坟墓", "quantity": "1"},
        {"item": "鸡窝/土质", "quantity": "1"},
        {"item": "养殖搬迁补助", "quantity": "1", "area_m2": "20", "rate": "300"},
        {"item": "养殖临时安置补助", "quantity": "1", "area_m2": "20"},
        {"item": "果树/枣树", "quantity": "4", "diameter_cm": "5"},
        {"item": "嫁接杏树", "quantity": "10", "stage": "初果期"},
        {"item": "用材树/柳树", "quantity": "2", "diameter_cm": "24.9"},
    ],
    "relocation": {"building_area_m2": "28", "signed_on": "2023-06-01", "paid_on": "2023-06-02",
                   "moved_on": "2023-07-02"},
    "replacement": {"main_house_area_m2": "28", "main_house_footprint_m2": "30",
                    "homestead_certificate_area_m2": "25"},
}


def test_household_a_small_house_moved_on_day_30() -> None:
    result = compute(case_from_dict(HOUSEHOLD_A))
    check_totals(
        result,
        lines=[("窑洞/一般土窑洞", "10640.00"), ("歇厦、雨搭", "855.00"), ("围墙/土围墙", "838.75"),
               ("厕所(室外)/土砌有顶", "200.00"), ("菜窖/土质", "150.00"), ("砖土人工井", "3000.00"),
               ("不予补偿/无主坟墓", "0.00"), ("鸡窝/土质", "30.00"), ("养殖搬迁补助", "300.00"),
               ("养殖临时安置补助", "900.00"), ("果树/枣树", "120.00"), ("嫁接杏树", "550.00"),
               ("用材树/柳树", "520.00")],
        subtotals=("15683.75", "0.00", "1230.00", "1190.00", "55100.00", "0.00"),
        relocation=("300.00", "4800.00", "50000.00"),
        disputed="0.00", total="73203.75", words="人民币柒万叁仟贰佰零叁元柒角伍分", replacement="28.00")
    assert result.relocation.days == 30
    assert result.relocation.months == 24
    assert [part.area for part in result.replacement.parts] == [Decimal("28"), Decimal("0")]
    # the 宅基地 part counts 0 m² as R7 reads it, and is said: 25 m² of certificate under a 30 m² footprint
    said = [(warning.zh, warning.block, warning.field) for warning in result.warnings if warning.block == "replacement"]
    assert said == [("宅基地证面积 25 m² 小于正房占地面积 30 m²,此部分按 0 m² 计,请核对", "replacement",
                     "homestead_certificate_area_m2")]


@pytest.mark.parametrize("field, typed, owed", [
    ("homestead_certificate_area_m2", "28000", "11272.00"),   # 280.00 typed without its point: 110.40 + 0.4 × 27904
    ("main_house_area_m2", "11040", "11113.60"),              # 110.40 likewise: 11040 + 0.4 × 184
    ("main_house_footprint_m2", "96", "184.00")])             # as the example: nothing to say
def test_a_replacement_area_past_what_is_usual_is_warned_of(field, typed, owed) -> None:
    """宅基地证面积 28000 typed for 280.00 owed the household 11,272.00 m² of new home without a word, where 建筑面积 so
    typed is warned of: every area past 10,000 m² is said, and priced as typed."""
    data = json.loads((REPO / "examples" / "household.json").read_text(encoding="utf-8"))
    data["replacement"][field] = typed
    result = compute(case_from_dict(data))
    assert result.replacement.total_m2 == Decimal(owed)
    said = [(w.zh, w.field) for w in result.warnings if w.block == "replacement"]
    assert said == ([] if owed == "184.00" else [(f"{label(field)} {typed} m² 超过常见范围,请核对", field)])


@pytest.mark.parametrize("number, said", [
    ("142329196805120317", None),                                            # the example's: right
    ("142329196805120318", "身份证号校验位不符:末位应为 7,不是 8,请核对"),      # Σ digit × weight mod 11 = 2 → 7
    ("142329196802300317", "身份证号中的出生日期 19680230 无效,请核对"),
    ("14232919680512031", "身份证号应为18位,现为17位,请核对"),
    ("", None)])
def test_an_id_number_that_cannot_be_right_is_warned_of_and_priced_all_the_same(number, said) -> None:
    """The app warned of it beside the field; `compensation` and `ledger save` printed it on the sheet unsaid."""
    result = compute(case_from_dict({**HOUSEHOLD_C, "household": {"head": "张三", "id_number": number}}))
    warned = [(w.zh, w.block, w.field) for w in result.warnings if w.field == "id_number"]
    assert warned == ([] if said is None else [(said, "household", "id_number")])
    assert result.total == compute(case_from_dict(HOUSEHOLD_C)).total


def test_household_c_certificate_equal_to_footprint_is_not_warned() -> None:
    """33.33 − 33.33 = 0 m² is a real nought, not a slip: nothing to check."""
    assert not [warning for warning in compute(case_from_dict(HOUSEHOLD_C)).warnings if warning.block == "replacement"]


# --- household B: > 30 m² with hardship months, day 31, disputed lines, assessed, override -------
#
# line                                         qty     rate    amount      working
# 附属平房/框架结构                            60.25   1200    72300.00
# 企业厂房/砖混框架结构 rate 1250 + reason     100     1250   125000.00    override (range 1100–1200)
# 歇厦、雨搭 → 简易房/彩钢结构 (absent)        10      150      1500.00    (250+350)/2 × 50%, midpoint
# 基础/砖混基础圈梁 rate 200 h 0.75            40      200      6000.00    40 × 200 × 0.75
# 室外台阶或楼梯/钢架楼梯 rate 380 pct 25      4.5     380      2137.50    4.5 × 380 = 1710 × 1.25
# 家用采暖锅炉 heated 200                      1       3300     3300.00    [200,300] → 3300
# 机井/水泥管机井 depth 35.5                   2       21300   42600.00    600 × 35.5 per well
# 混凝土管涵 span 50                           12      140      1680.00    [50,100) → 140
# 输水管道 d 0.05                              80      13       1040.00    [0.02,0.05] → 13
# 温室/钢架+砖墙结构  DISPUTED                 200     135     27000.00    held out
# 大牲畜杂棚 column 3.5                        30      41       1230.00    >2 → 41 (以3米为限)
# 规模牛舍                                     80      225     18000.00    midpoint (150+300)/2
# 果树/杏树、桃树 d 10.5                       20      150      3000.00    gap 10/11 → (10,15]
# 用材树/杨树 d 16                             3       192       576.00    max(192, 92+60)
# 评估项/门店硬化                              1    15000.50   15000.50
# 评估项/苗圃  DISPUTED                        1       8000     8000.00    held out
# 一(一) 72300 + 125000 + 1500 + 6000 + 2137.50 + 3300 + 42600 = 252837.50
# 一(二) 1680 + 1040 = 2720.00;  一(三) 1230 + 18000 = 19230.00;  二 3000 + 576 = 3576.00
# 评估项 15000.50;  disputed 27000 + 8000 = 35000.00
# 三 area 120.5 > 30: moving 10 × 120.5 = 1205.00; temporary 6 × 120.5 = 723 × (24 + 12) = 26028.00;
#    paid 07-10, moved 08-10 = 31 days → 30000;  1205 + 26028 + 30000 = 57233.00
# total 252837.50 + 2720 + 19230 + 3576 + 15000.50 + 57233 = 350597.00
# replacement 120.5 + (200.25 − 110) × 0.4 = 120.5 + 36.1 = 156.60
HOUSEHOLD_B = {
    "household": {"head": "钱大有", "address": "堡子村北街9号"},
    "items": [
        {"item": "附属平房/框架结构", "quantity": "60.25"},
        {"item": "企业厂房/砖混框架结构", "quantity": "100", "rate": "1250", "override_reason": "钢筋混凝土加层"},
        {"item": "歇厦、雨搭", "quantity": "10", "attached_to": "简易房/彩钢结构"},
        {"item": "基础/砖混基础圈梁", "quantity": "40", "rate": "200", "height_m": "0.75"},
        {"item": "室外台阶或楼梯/钢架楼梯", "quantity": "4.5", "rate": "380", "decoration_pct": "25"},
        {"item": "家用采暖锅炉", "quantity": "1", "heated_area_m2": "200"},
        {"item": "机井/水泥管机井", "quantity": "2", "depth_m": "35.5"},
        {"item": "混凝土管涵", "quantity": "12", "span_cm": "50"},
        {"item": "输水管道", "quantity": "80", "diameter_m": "0.05"},
        {"item": "温室/钢架+砖墙结构", "quantity": "200", "disputed": True, "note": "权属待核实"},
        {"item": "大牲畜杂棚", "quantity": "30", "column_height_m": "3.5"},
        {"item": "规模牛舍", "quantity": "80"},
        {"item": "果树/杏树、桃树", "quantity": "20", "diameter_cm": "10.5"},
        {"item": "用材树/杨树", "quantity": "3", "diameter_cm": "16"},
        {"item": "评估项/门店硬化", "amount": "15000.50", "basis": "协商纪要 2023-07-03"},
        {"item": "评估项/苗圃", "amount": "8000", "basis": "中介评估", "disputed": True},
    ],
    "relocation": {"building_area_m2": "120.5", "sole_housing_hardship": True, "extra_months": "12",
                   "signed_on": "2023-07-01", "paid_on": "2023-07-10", "moved_on": "2023-08-10"},
    "replacement": {"main_house_area_m2": "120.5", "main_house_footprint_m2": "110",
                    "homestead_certificate_area_m2": "200.25"},
}


def test_household_b_hardship_day_31_disputed_and_assessed() -> None:
    result = compute(case_from_dict(HOUSEHOLD_B))
    check_totals(
        result,
        lines=[("附属平房/框架结构", "72300.00"), ("企业厂房/砖混框架结构", "125000.00"), ("歇厦、雨搭", "1500.00"),
               ("基础/砖混基础圈梁", "6000.00"), ("室外台阶或楼梯/钢架楼梯", "2137.50"), ("家用采暖锅炉", "3300.00"),
               ("机井/水泥管机井", "42600.00"), ("混凝土管涵", "1680.00"), ("输水管道", "1040.00"),
               ("温室/钢架+砖墙结构", "27000.00"), ("大牲畜杂棚", "1230.00"), ("规模牛舍", "18000.00"),
               ("果树/杏树、桃树", "3000.00"), ("用材树/杨树", "576.00"), ("评估项/门店硬化", "15000.50"),
               ("评估项/苗圃", "8000.00")],
        subtotals=("252837.50", "2720.00", "19230.00", "3576.00", "57233.00", "15000.50"),
        relocation=("1205.00", "26028.00", "30000.00"),
        disputed="35000.00", total="350597.00", words="人民币叁拾伍万零伍佰玖拾柒元整", replacement="156.60")
    assert result.relocation.months == 36
    assert result.relocation.days == 31
    flags = {line.item.key: line.flags for line in result.lines}
    assert flags["企业厂房/砖混框架结构"] == ("override",)
    assert flags["歇厦、雨搭"] == ("midpoint",)
    assert "disputed" in flags["温室/钢架+砖墙结构"] and "disputed" in flags["评估项/苗圃"]
    assert sum("有争议" in w.message for w in result.warnings) == 2


# --- household C: just over 30 m², day 45, fixed and per-户 rows ----------------------------------
#
# line                                   qty     rate    amount      working
# 附属平房/钢结构                        33.33   1200    39996.00
# 简易房/废弃简易房                      2       600      1200.00
# 窑洞/废弃窑洞 rate 1800                1       1800     1800.00
# 日用设施/宽带                          1       950       950.00
# 三项动力线路 (quantity default 1 户)   1       5000     5000.00
# 石碾、石磨 rate 150                    3       150       450.00
# 排水管道/水泥管 d 30                   25.5    80       2040.00    gap at 30 → ≥30 → 80
# 排水渠/石砌 width 0.81                 10      110      1100.00    >0.8 → 110
# 涵洞/砖砌 height 2                     6       1000     6000.00    [2,3] → 1000
# 沼气                                   1       3250     3250.00    midpoint (3000+3500)/2
# 规模鸡场 rate 210                      50.5    210     10605.00
# 养殖搬迁补助 area 30                   2       350       700.00    ≤30, midpoint of 300–400
# 养殖临时安置补助 area 30               2       120       720.00    ≥30: 4 × 30 = 120 × 3 months × 2
# 葡萄 未挂果                            3       30         90.00
# 用材树/国槐 d 15                       2       500      1000.00    max(450, 450 + 10×5)
# 果树/零星未挂果树 d 12                 7       30        210.00    (10,15] → 30
# 评估项/空闲宅基地                      1   23456.78    23456.78
# 一(一) 39996 + 1200 + 1800 + 950 + 5000 + 450 = 49396.00;  一(二) 2040 + 1100 + 6000 + 3250 = 12390.00
# 一(三) 10605 + 700 + 720 = 12025.00;  二 90 + 1000 + 210 = 1300.00;  评估项 23456.78
# 三 area 30.01 > 30: moving 10 × 30.01 = 300.10; temporary 6 × 30.01 = 180.06 × 24 = 4321.44;
#    paid 08-15, moved 09-29 = 16 + 29 = 45 days → 30000;  300.10 + 4321.44 + 30000 = 34621.54
# total 49396 + 12390 + 12025 + 1300 + 23456.78 + 34621.54 = 133189.32
# replacement 33.33 + max(0, 33.33 − 33.33) × 0.4 = 33.33
HOUSEHOLD_C = {
    "household": {"head": "孙二妹", "address": "堡子村南街5号"},
    "items": [
        {"item": "附属平房/钢结构", "quantity": "33.33"},
        {"item": "简易房/废弃简易房", "quantity": "2"},
        {"item": "窑洞/废弃窑洞", "quantity": "1", "rate": "1800"},
        {"item": "日用设施/宽带", "quantity": "1"},
        {"item": "三项动力线路"},
        {"item": "石碾、石磨", "quantity": "3", "rate": "150"},
        {"item": "排水管道/水泥管", "quantity": "25.5", "diameter_cm": "30"},
        {"item": "排水渠/石砌", "quantity": "10", "width_m": "0.81"},
        {"item": "涵洞/砖砌", "quantity": "6", "height_m": "2"},
        {"item": "沼气", "quantity": "1"},
        {"item": "规模鸡场", "quantity": "50.5", "rate": "210"},
        {"item": "养殖搬迁补助", "quantity": "2", "area_m2": "30"},
        {"item": "养殖临时安置补助", "quantity": "2", "area_m2": "30"},
        {"item": "葡萄", "quantity": "3", "stage": "未挂果"},
        {"item": "用材树/国槐", "quantity": "2", "diameter_cm": "15"},
        {"item": "果树/零星未挂果树", "quantity": "7", "diameter_cm": "12"},
        {"item": "评估项/空闲宅基地", "amount": "23456.78", "basis": "报县城市建设指挥部审定"},
    ],
    "relocation": {"building_area_m2": "30.01", "signed_on": "2023-08-01", "paid_on": "2023-08-15",
                   "moved_on": "2023-09-29"},
    "replacement": {"main_house_area_m2": "33.33", "main_house_footprint_m2": "33.33",
                    "homestead_certificate_area_m2": "33.33"},
}


def test_household_c_just_over_30_m2_day_45() -> None:
    result = compute(case_from_dict(HOUSEHOLD_C))
    check_totals(
        result,
        lines=[("附属平房/钢结构", "39996.00"), ("简易房/废弃简易房", "1200.00"), ("窑洞/废弃窑洞", "1800.00"),
               ("日用设施/宽带", "950.00"), ("三项动力线路", "5000.00"), ("石碾、石磨", "450.00"),
               ("排水管道/水泥管", "2040.00"), ("排水渠/石砌", "1100.00"), ("涵洞/砖砌", "6000.00"),
               ("沼气", "3250.00"), ("规模鸡场", "10605.00"), ("养殖搬迁补助", "700.00"),
               ("养殖临时安置补助", "720.00"), ("葡萄", "90.00"), ("用材树/国槐", "1000.00"),
               ("果树/零星未挂果树", "210.00"), ("评估项/空闲宅基地", "23456.78")],
        subtotals=("49396.00", "12390.00", "12025.00", "1300.00", "34621.54", "23456.78"),
        relocation=("300.10", "4321.44", "30000.00"),
        disputed="0.00", total="133189.32", words="人民币壹拾叁万叁仟壹佰捌拾玖元叁角贰分", replacement="33.33")
    assert result.relocation.days == 45


# --- examples/household.json, worked by hand from its lines ---------------------------------------
#
# 一(一): 附属平房/砖混 86.40×760 = 65664.00; 砖木 24.60×700 = 17220.00; 砖石窑洞 42×650 (mid) = 27300.00;
#   歇厦 12.50×380 (760×50%) = 4750.00; 石基础 18×200×0.6 = 2160.00; 砖围墙 64.80×65 = 4212.00;
#   政府改厕 1500.00; 砖台阶 6.20×55×1.3 = 443.30; 月台 96×40 = 3840.00; 菜窖/砖石 1.6 m 8×170 = 1360.00;
#   有线电视 550.00; 自来水表 800.00; 室内采暖 110.40×50 = 5520.00; 锅炉 110.4 m² 2650.00;
#   普通洁具 1200.00; 中档装潢 86.40×350 = 30240.00; 瓷砖炕 2×1000 = 2000.00; 普通装修大门 4500.00
#   (override); 钢管机井 215 m 200×1100 + 15×1200 = 238000.00  → 413909.30
# 一(二): 干砌护坡 22×95 = 2090.00; 砖砌排水渠 0.6 m 35×80 = 2800.00; 石砌涵洞 1.5 m 4×1000 = 4000.00;
#   杂棚 15×35 = 525.00 DISPUTED; 废弃枯井 0.00  → 8890.00
# 一(三): 砖石鸡窝 2×80 = 160.00; 规模猪羊圈 45×200 = 9000.00; 养殖搬迁 7×45 = 315.00;
#   养殖临时 4×45×3 = 540.00  → 10015.00
# 二: 核桃 12 cm 3×500 = 1500.00; 苹果 8 cm 5×100 = 500.00; 葡萄 2×400 = 800.00; 杨树 12.6 cm 6×112 = 672.00;
#   国槐 31.2 cm 660.00  → 4132.00
# 评估项: 机井设备 8600.00 + 地下室 42000.00 → 50600.00
# 三: area 153: moving 1530.00; temporary 6×153 = 918 × (24+6) = 27540.00; paid 06-28, moved 08-05 =
#   2 + 31 + 5 = 38 days → 30000.00  → 59070.00
# total 413909.30 + 8890 + 10015 + 4132 + 50600 + 59070 = 546616.30; disputed 525.00
# replacement 110.40 + (280 − 96) × 0.4 = 110.40 + 73.60 = 184.00

def test_example_household_file() -> None:
    text = (REPO / "examples" / "household.json").read_text(encoding="utf-8")
    result = compute(case_from_json(text))
    assert {k: str(v) for k, v in result.subtotals.items()} == dict(zip(
        SECTIONS, ("413909.30", "8890.00", "10015.00", "4132.00", "59070.00", "50600.00")))
    assert (result.relocation.moving, result.relocation.temporary, result.relocation.incentive) == (
        Decimal("1530.00"), Decimal("27540.00"), Decimal("30000.00"))
    assert result.relocation.days == 38
    assert result.disputed_total == Decimal("525.00")
    assert result.total == Decimal("546616.30")
    assert result.replacement.total_m2 == Decimal("184.00")
    by_key = dict(amounts(result))
    assert by_key["机井/钢管机井"] == Decimal("238000.00")
    assert by_key["室外台阶或楼梯/砖台阶"] == Decimal("443.30")
    assert by_key["用材树/国槐"] == Decimal("660.00")
    payable = sum((line.amount for line in result.lines if "disputed" not in line.flags), Decimal(0))
    assert result.total == payable + result.relocation.total
    assert sum(result.subtotals.values(), Decimal(0)) == result.total
    data = compensation_json(result)
    assert data["total_in_words"] == "人民币伍拾肆万陆仟陆佰壹拾陆元叁角"
    assert json.loads(json.dumps(data))["total"] == "546616.30"


# --- relocation (三) by itself ----------------------------------------------------------------------
# (the allowances worked by hand, bracket edge by edge, are tables/cases/baozi-2023/relocation.toml;
# the replacement area's are area_replacement.toml beside it)

def relocation(block: dict):
    return compute(case_from_dict({"items": [], "relocation": block})).relocation


@pytest.mark.parametrize("block, message", [
    ({"building_area_m2": "100", "extra_months": "6"}, "sole_housing_hardship"),
    ({"building_area_m2": "100", "sole_housing_hardship": True, "extra_months": "25"}, "0 to 24"),
    ({"building_area_m2": "100", "sole_housing_hardship": True, "extra_months": "1.5"}, "whole number"),
    ({"building_area_m2": "100", "signed_on": "2023-02-30"}, "not a valid date"),
    ({"building_area_m2": "100", "signed_on": "2023-06-10", "paid_on": "2023-06-01"}, "before signed_on"),
    ({"building_area_m2": "100", "signed_on": "2023-06-10", "moved_on": "2023-06-01"}, "before signed_on"),
    ({"building_area_m2": "0"}, "positive"),
    ({}, "building_area_m2"),
], ids=["extra without hardship", "25 extra months", "half month", "2023-02-30", "paid before signed",
        "moved before signed", "zero area", "no area"])
def test_bad_relocation_blocks(block, message) -> None:
    with pytest.raises(InputError, match=message) as caught:
        relocation(block)
    assert "relocation" in str(caught.value)


@pytest.mark.parametrize("dates, said, field", [
    ({}, "缺少支付日期和搬迁日期,不计搬迁奖励", "paid_on"),
    ({"signed_on": "2023-06-01", "paid_on": "2023-06-02"}, "缺少搬迁日期,不计搬迁奖励(支付 2023-06-02)", "moved_on"),
    ({"signed_on": "2023-06-01", "moved_on": "2023-06-20"}, "缺少支付日期,不计搬迁奖励(搬迁 2023-06-20)", "paid_on"),
], ids=["no dates", "no move-out date", "no payment date"])
def test_missing_date_means_no_incentive_with_a_warning_naming_it(dates, said, field) -> None:
    """The sheet's 搬迁奖励 0.00 said "缺少支付日期或搬迁日期": not which one, nor the date typed."""
    result = compute(case_from_dict({"items": [], "relocation": {"building_area_m2": "80", **dates}}))
    assert result.relocation.incentive == 0
    assert result.relocation.days is None
    # 10 × 80 + 6 × 80 × 24 = 800 + 11520
    assert result.total == Decimal("12320.00")
    assert result.relocation.incentive_note == said
    [warning] = [w for w in result.warnings if "incentive" in w.en]
    assert (warning.zh, warning.block, warning.field) == (said, "relocation", field)


def test_a_relocation_date_before_the_standard_took_effect_is_priced_and_said_at_its_field() -> None:
    """A case signed, paid and moved in 2013 (a year typed wrong) got its 50,000 incentive with no word; the standard
    (文政发〔2023〕6号) took effect on 2023-05-20."""
    result = compute(case_from_dict({"items": [], "relocation": {
        "building_area_m2": "80", "signed_on": "2013-06-01", "paid_on": "2023-05-19", "moved_on": "2023-05-20"}}))
    assert result.relocation.days == 1 and result.total == Decimal("12320.00") + result.relocation.incentive
    said = [(w.field, w.zh) for w in result.warnings if "施行日期" in w.zh]
    assert said == [("signed_on", "签约日期 2013-06-01 早于本标准(文政发〔2023〕6号)施行日期 2023-05-20,请核对"),
                    ("paid_on", "支付日期 2023-05-19 早于本标准(文政发〔2023〕6号)施行日期 2023-05-20,请核对")]


@pytest.mark.parametrize("dates, spread, at", [
    ({"signed_on": "2023-06-20", "paid_on": "2032-07-10", "moved_on": "2023-08-01"}, 3308, "paid_on"),   # 2032 for 2023
    ({"signed_on": "2013-06-20", "paid_on": "2023-06-28", "moved_on": "2023-08-01"}, 3694, "signed_on"),  # 2013 for 2023
    ({"paid_on": "2023-06-28", "moved_on": "2024-06-28"}, 366, "moved_on"),   # of two, the later
    ({"assessed_on": "2023-06-12", "paid_on": "2021-06-28", "moved_on": "2023-07-10"}, 742, "paid_on"),  # of two, the
    # one farther from the 测算日期: 2021 typed for 2023 (the later, 搬迁日期, was framed)
    ({"paid_on": "2023-06-28", "moved_on": "2024-06-27"}, None, None),        # a year to the day
])
def test_relocation_dates_over_a_year_apart_are_priced_and_said(dates, spread, at) -> None:
    """支付日期 2032-07-10 typed for 2023 paid the top incentive (moved out 3,266 days before payment, as within 30 days)
    with no word. Said at the date farthest from the others (the app frames that field): 3,308 days from the
    signing and 3,266 from the move-out, against 42 between those two."""
    relocation = {field: day for field, day in dates.items() if field != "assessed_on"}
    result = compute(case_from_dict({"items": [], "assessed_on": dates.get("assessed_on", ""),
                                     "relocation": {"building_area_m2": "80", **relocation}}))
    said = [(w.field, w.zh) for w in result.warnings if "相隔" in w.zh]
    assert said == ([(at, f"签约、支付、搬迁日期前后相隔 {spread} 天(超过一年),请核对年份")] if spread else [])


@pytest.mark.parametrize("assessed_on, said", [
    ("2023-06-12", "搬迁相关日期 2032-07-01 比测算日期 2023-06-12 晚一年以上,请核对年份"),   # all three 2032 for 2023
    ("2031-07-02", None), ("", None)])                                                    # a year to the day; none
def test_relocation_dates_a_year_past_the_assessment_are_priced_and_said(assessed_on, said) -> None:
    """Signed, paid and moved in 2032 (the year typed wrong in all three, so they lie close together) on a case
    assessed in 2023: the top incentive (50,000.00) with no word."""
    result = compute(case_from_dict({"items": [], "assessed_on": assessed_on, "relocation": {
        "building_area_m2": "80", "signed_on": "2032-06-20", "paid_on": "2032-06-28", "moved_on": "2032-07-01"}}))
    assert result.relocation.incentive == Decimal("50000.00")
    assert [(w.field, w.zh) for w in result.warnings if "测算日期" in w.zh] == ([("moved_on", said)] if said else [])


# --- the lenient evaluation the GUI uses -----------------------------------------------------------

def test_lenient_evaluate_leaves_bad_lines_out_and_lists_them() -> None:
    case = case_from_dict({"items": [
        {"item": "附属平房/砖木结构(含混合结构)", "quantity": "10"},
        {"item": "菜窖/砖石", "quantity": "6"},  # depth_m missing
        {"item": "不存在的项目", "quantity": "1"},
    ]})
    result = evaluate(case)
    assert amounts(result) == [("附属平房/砖木结构(含混合结构)", Decimal("7000.00"))]
    assert result.total == Decimal("7000.00")
    assert [p.where.split(" ")[0] for p in result.problems] == ["items[1](第2行)「菜窖/砖石」", "items[2](第3行)「不存在的项目」"]
    with pytest.raises(InputError) as caught:
        compute(case)
    assert "items[1]" in str(caught.value) and "items[2]" in str(caught.value)


def test_an_attachment_is_not_priced_from_a_host_rate_the_standard_refuses() -> None:
    # 附属平房/砖混结构 is 700–800: a rate of 900 without a reason is refused, and 歇厦 must not be
    # priced at 50% of it (450) in the lenient evaluation the GUI uses.
    result = evaluate(case_from_dict({"items": [
        {"item": "附属平房/砖混结构", "quantity": "10", "rate": "900"},
        {"item": "歇厦、雨搭", "quantity": "4", "attached_to": "附属平房/砖混结构"}]}))
    assert result.lines == ()
    assert len(result.problems) == 2
    assert "依附房屋" in result.problems[1].message
    assert result.total == Decimal("0.00")


def test_a_fraction_of_a_counted_thing_is_priced_as_given_and_said():
    """1.5 株 or 2.5 户 is no reading of the schedule's to round: priced as typed (杨树 of 12 cm at 92 + 10 × 2 =
    112 元/株, × 1.5 = 168.00), with a warning at the line's 数量; measured units (m²) and whole counts say nothing."""
    result = compute(case_from_dict({"items": [
        {"item": "用材树/杨树", "quantity": "1.5", "diameter_cm": "12"},
        {"item": "用材树/杨树", "quantity": "2", "diameter_cm": "12"},
        {"item": "附属平房/砖木结构(含混合结构)", "quantity": "10.5"},
        {"item": "机井/钢管机井", "quantity": "1.0", "depth_m": "20"},
    ]}))
    assert [line.amount for line in result.lines[:2]] == [Decimal("168.00"), Decimal("224.00")]
    said = [(w.line, w.field, w.message) for w in result.warnings]
    assert said == [(0, "quantity", "items[0](第1行)「用材树/杨树」: 数量 1.5 株 不是整数(株按个数计),请核对 / "
                                    "quantity 1.5 株 is not a whole number of 株, please check")]


def test_full_width_numbers_as_a_chinese_input_method_types_them_are_the_numbers():
    """３５．５ and １，２３４．５ (full-width mode) are 35.5 and 1234.5: the same lines as typed in half width."""
    def priced(quantity, rate):
        return compute(case_from_dict({"items": [{"item": "附属平房/砖混结构", "quantity": quantity, "rate": rate}]}))
    full, half = priced("３５．５", "７６０"), priced("35.5", "760")
    assert full.lines[0].line.quantity == Decimal("35.5") and full.total == half.total == Decimal("26980.00")
    assert priced("１，２３４．５", "７００").total == Decimal("864150.00")   # 1234.5 × 700


def test_an_assessed_amount_or_a_line_not_compensated_is_said_in_its_remark_not_warned_of():
    """Their flags (assessed, not_compensated) are what the 备注 prints; only a dispute on such a line is warned of,
    at its 有争议 field, and it is held out of the total (8,600.00 paid, 42,000.00 disputed)."""
    result = compute(case_from_dict({"items": [
        {"item": "评估项/机井设备", "amount": "8600", "basis": "评估报告 WS-2023-017 附表3"},
        {"item": "不予补偿/废弃枯井", "quantity": 1},
        {"item": "评估项/地下室", "amount": "42000", "basis": "评估报告 WS-2023-017", "disputed": True},
    ]}))
    assert [line.flags for line in result.lines] == [("assessed",), ("not_compensated",), ("assessed", "disputed")]
    assert [(w.line, w.field, w.zh) for w in result.warnings] == [(2, "disputed", "有争议,不计入合计")]
    assert (result.total, result.disputed_total) == (Decimal("8600.00"), Decimal("42000.00"))


@pytest.mark.parametrize("blank", ["\u3164", "\u2800", " \uffa0 ", "\u115f\u1160", "\u3164\u034f", "\u17b4", "。", "-",
                                   "……", " / "])
def test_a_reason_or_a_basis_that_draws_as_nothing_is_no_reason(blank):
    """A Hangul filler (ㅤ) or the blank Braille pattern looks like nothing: taken as the written reason, 8,000 元/m²
    against 700–800 was paid 80,000.00 and the sheet printed 超标准(理由:ㅤ). A full stop alone is a mark, not a reason.
    R1 needs a reason a reader sees; R4 a basis likewise."""
    result = evaluate(case_from_dict({"items": [
        {"item": "附属平房/砖混结构", "quantity": "10", "rate": "8000", "override_reason": blank},
        {"item": "评估项/地下室", "amount": "42000", "basis": blank},
        {"item": "附属平房/砖混结构", "quantity": "10", "rate": "8000", "override_reason": f"ㅤ见评估报告{blank}"},
    ]}))
    assert [(p.line, p.field) for p in result.problems] == [(0, "rate"), (1, "basis")]
    assert "须填写超标准理由" in result.problems[0].zh
    assert result.total == Decimal("80000.00")   # the third line: a reason written after the filler is a reason


def test_an_item_paid_per_household_counted_twice_is_priced_as_typed_and_said():
    """有线闭路电视 550、自来水表 800、三项动力线路 5,000 元/户: a case is one household. 3 户 of 三项动力线路 (15,000.00) or
    自来水表 listed twice (1,600.00) was paid without a word; it is priced as typed (the reading counts what is given)
    and warned of at the line that counts past one household. A disputed line is not paid, and not counted."""
    result = compute(case_from_dict({"items": [
        {"item": "三项动力线路", "quantity": "3"},
        {"item": "日用设施/自来水表"},
        {"item": "日用设施/有线闭路电视"},
        {"item": "日用设施/有线闭路电视", "disputed": True},
        {"item": "日用设施/自来水表", "note": "东院"},
    ]}))
    assert result.total == Decimal("15000.00") + 2 * Decimal("800.00") + Decimal("550.00")
    said = [(w.line, w.field, w.zh) for w in result.warnings if "按户计" in w.zh]
    assert said == [(0, "quantity", "按户计,本户共计 3 户(第1行),请核对"),
                    (4, "quantity", "按户计,本户共计 2 户(第2、5行),请核对")]
    assert "this case counts 2 (lines 2, 5)" in result.warnings[-1].en
    one_each = compute(case_from_dict({"items": [{"item": "三项动力线路"}, {"item": "日用设施/自来水表"}]}))
    assert one_each.warnings == ()


def test_a_line_priced_with_a_factor_says_it_so_quantity_times_rate_makes_the_amount():
    """养殖临时安置补助 of 45 m² is 4 × 45 = 180 元 a month for 3 months: the sheet's 1.00 处 × 180.00 beside 540.00 was
    queried; its remark says 单价×3."""
    [line] = compute(case_from_dict({"items": [{"item": "养殖临时安置补助", "quantity": 1, "area_m2": "45"}]})).lines
    assert (line.rate, line.amount) == (Decimal("180"), Decimal("540.00"))
    assert line.remarks[-1] == "一次性补助3个月(单价×3)"
