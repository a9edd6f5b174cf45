"""五台 2022 benchmark land prices: the example parcel, the tenure coefficient, per-part terms, what a
parcel refuses, and the published tables' own arithmetic (万元/亩, percentages, grade limits).

Every grade × use cell, ranges, the 70% and cost-sum floors and the corrections worked by hand are
data beside the table, tables/cases/wutai-2022/, read by tests/test_worked_cases.py."""
from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from calculator.core.jsonfile import parse_json
from calculator.core.errors import CalculationError, InputError
from calculator.engine.landprice import parcel_from_dict, price_parcel, term_coefficient
from calculator.engine.results import parcel_json
from calculator.engine.schedules import load_land_table

REPO = Path(__file__).resolve().parent.parent
TABLE = load_land_table()


def price(data: dict):
    return price_parcel(parcel_from_dict(data))


def one_part(grade: int, use: str, **area) -> dict:
    return {"grade": grade, "parts": [{"use": use, **area}]}


# As published (Tables 2–5): lower, benchmark, upper in 元/m². Each cell priced for 1000 m² and for 1 亩
# is worked in tables/cases/wutai-2022/cells.toml (tests/test_worked_cases.py).
CELLS = [
    ("商服用地", 1, "692", "833", "900"), ("商服用地", 2, "488", "550", "692"),
    ("商服用地", 3, "369", "426", "488"), ("商服用地", 4, "285", "312", "369"),
    ("住宅用地", 1, "597", "702", "850"), ("住宅用地", 2, "420", "492", "597"),
    ("住宅用地", 3, "309", "348", "420"), ("住宅用地", 4, "245", "269", "309"),
    ("工业用地", 1, "369", "427", "491"), ("工业用地", 2, "263", "310", "369"),
    ("工业用地", 3, "189", "215", "263"), ("工业用地", 4, "147", "164", "189"),
    ("公共管理与公共服务用地", 1, "405", "474", "545"), ("公共管理与公共服务用地", 2, "287", "336", "405"),
    ("公共管理与公共服务用地", 3, "209", "238", "287"), ("公共管理与公共服务用地", 4, "161", "180", "209"),
]
CELL_IDS = [f"{use}{grade}级" for use, grade, *_ in CELLS]


# --- the example parcel: 2级, 商服 300 m² + 住宅 1.05 亩 (= 700 m²) ----------------------------------
# totals        550 × 300 = 165000;  492 × 700 = 344400;  parcel 509400.00, unit 509400/1000 = 509.40
# range         488 × 300 + 420 × 700 = 146400 + 294000 = 440400;  692 × 300 + 597 × 700 = 207600 + 417900 = 625500
# 70% floor     115500 + 241080 = 356580.00
# corrections   商服: term 40 of 40 → K = 1; 550 × 1.03 = 566.50 × 300 = 169950.00
#               住宅: K(40 of 70, r 0.06) = 0.918322597; 492 × 0.918322597 × 1.03 = 465.369 → 465.37 × 700
#               = 325759.00;  parcel 495709.00, unit 495.71

def example_parcel() -> dict:
    return parse_json((REPO / "examples" / "parcel.json").read_text(encoding="utf-8"))


def test_example_parcel_with_corrections() -> None:
    result = parcel_json(price(example_parcel()))
    commerce, housing = result["parts"]
    assert commerce["term_coefficient"] == "1.000000"
    assert commerce["corrected_unit_price"] == "566.50"
    assert commerce["corrected_total"] == "169950.00"
    assert housing["term_coefficient"] == "0.918323"
    assert housing["statutory_term_years"] == 70
    assert housing["corrected_unit_price"] == "465.37"
    assert housing["corrected_total"] == "325759.00"
    assert result["corrected_total"] == "495709.00"
    assert result["corrected_unit_price"] == "495.71"
    assert commerce["flags"] == housing["flags"] == []
    assert result["flags"] == []  # 495,709.00 is above the floor 356,580.00
    assert result["total"] == "509400.00"  # the benchmark total is unchanged by corrections


@pytest.mark.parametrize("factor_pct, corrected, below", [
    ("-35", "107250.00", True),    # 550 × 0.65 = 357.50 × 300, below the floor 0.7 × 550 × 300 = 115,500.00
    ("-30", "115500.00", False),   # 550 × 0.70 = 385.00 × 300: at the floor, not below it
])
def test_a_corrected_total_below_the_negotiated_floor_is_flagged(factor_pct, corrected, below) -> None:
    result = parcel_json(price({**one_part(2, "商服用地", area_m2="300"), "corrections": {"factor_pct": factor_pct}}))
    assert result["negotiated_floor_total"] == "115500.00" and result["corrected_total"] == corrected
    assert result["flags"] == (["below_negotiated_floor"] if below else [])


@pytest.mark.parametrize("factor_pct, said", [("0", "在区间内"), ("-20", "低于区间下限"), ("30", "高于区间上限")])
def test_every_output_says_which_side_of_its_range_a_corrected_price_lies(factor_pct, said) -> None:
    # 商服 2级 [488, 692]: 550 × 0.8 = 440 under it, 550 × 1.3 = 715 over it
    from calculator.formats.text_report import parcel_text
    priced = price({**one_part(2, "商服用地", area_m2="300"), "corrections": {"factor_pct": factor_pct}})
    assert priced.parts[0].range_remark == said
    assert (f"⚠ {said}" in parcel_text(priced)) is (said != "在区间内")


def test_the_text_report_shows_each_coefficient_as_the_sheet_and_json_do() -> None:
    """K期日 typed 1.00 was "1" in the text report and "1.00" on the sheet, in the JSON and in the app; 1E+1 is 10."""
    from calculator.formats.text_report import parcel_text
    data = example_parcel()
    data["corrections"].update(factor_pct="1E+1", development_adjustment="12.345")
    text = parcel_text(price(data))
    assert "K期日 1.00  因素修正 10%  K其他 1.00  开发程度修正 12.345 →" in text
    # the reading of the benchmark's term, and that K年期 is shown rounded (a hand check with 0.918323 is a cent off)
    assert "\n  基准地价为法定最高年期下的价格;K年期显示 6 位小数,计算用其未舍入值\n" in text
    assert parcel_json(price(data))["coefficients"]["date_factor"] == "1.00"


def test_the_text_report_gives_the_totals_in_words_too() -> None:
    # the example parcel: 165,000.00 + 344,400.00 = 509,400.00; corrected 169,950.00 + 325,759.00 = 495,709.00
    from calculator.formats.text_report import parcel_text
    text = parcel_text(price(example_parcel()))
    assert "总价: 509,400.00 元 (50.9400 万元)  人民币伍拾万玖仟肆佰元整\n" in text
    assert "修正后总价: 495,709.00 元  人民币肆拾玖万伍仟柒佰零玖元整\n" in text


def test_the_floor_flag_follows_the_cost_sum_when_it_governs() -> None:
    # +3%: 550 × 1.03 = 566.50 × 300 = 169,950.00, above the 70% test (115,500.00) but below a cost sum of 200,000
    data = {**one_part(2, "商服用地", area_m2="300"), "corrections": {"factor_pct": "3"}}
    assert parcel_json(price(data))["flags"] == []
    result = parcel_json(price({**data, "cost_floor_total": "200000"}))
    assert result["negotiated_floor_total"] == "200000.00" and result["flags"] == ["below_negotiated_floor"]


def test_a_cost_sum_governs_the_floor_only_when_it_is_above_the_70pct_test_as_printed() -> None:
    """住宅用地 2级 100 m²: 0.7 × 492 × 100 = 34,440.00. A 成本之和 of 34,440.004 printed as 34,440.00 beside it was said
    to govern ("由成本之和决定"); at 34,440.01 it does."""
    data = one_part(2, "住宅用地", area_m2="100")
    for cost, governed in (("34440.004", "benchmark_70pct"), ("34440.00", "benchmark_70pct"),
                           ("34440.005", "cost_sum"), ("34440.01", "cost_sum")):
        result = parcel_json(price({**data, "cost_floor_total": cost}))
        assert result["floor_governed_by"] == governed, cost
    assert parcel_json(price({**data, "cost_floor_total": "34440.005"}))["negotiated_floor_total"] == "34440.01"


def test_the_priced_parcel_carries_every_figure_the_outputs_show() -> None:
    # 300 m² = 0.45 亩; 700 m² = 1.05 亩; 万元/亩 = 元/m² ÷ 15: 550 → 36.6667, 492 → 32.8, 509.40 → 33.96;
    # floor per m² = 0.7 × benchmark; the corrected average 495709 / 1000 = 495.709 → 495.71.
    data = example_parcel()
    data["corrections"]["development_adjustment"] = "12.345"
    result = price(data)
    commerce, housing = result.parts
    assert (commerce.area_m2, commerce.area_mu, commerce.wan_per_mu) == (
        Decimal("300.00"), Decimal("0.4500"), Decimal("36.6667"))
    assert (housing.area_m2, housing.area_mu, housing.wan_per_mu) == (
        Decimal("700.00"), Decimal("1.0500"), Decimal("32.8000"))
    assert (commerce.total_wan, housing.total_wan) == (Decimal("16.5000"), Decimal("34.4400"))
    assert (commerce.floor_unit_price, housing.floor_unit_price) == (Decimal("385.00"), Decimal("344.40"))
    assert commerce.correction.rounded_term_coefficient == Decimal("1.000000")
    assert housing.correction.rounded_term_coefficient == Decimal("0.918323")
    assert (result.area_m2, result.area_mu, result.wan_per_mu, result.total_wan) == (
        Decimal("1000.00"), Decimal("1.5000"), Decimal("33.9600"), Decimal("50.9400"))
    # 566.50 + 12.345 = 578.845 → 578.85 × 300 = 173655; 465.369 + 12.345 = 477.714 → 477.71 × 700 = 334397
    assert result.corrected_total == Decimal("508052.00")
    assert result.corrected_unit_price == Decimal("508.05")  # 508052 / 1000 = 508.052
    # shown as the price used it: 12.35 on the sheet, against 578.85 = 566.50 + 12.345 rounded, read a fen off
    assert result.parcel.corrections.shown_development_adjustment == Decimal("12.345")
    assert parcel_json(result)["coefficients"]["development_adjustment"] == "12.345"
    without = price(one_part(2, "住宅用地", area_mu="1"))
    assert without.corrected_total is None and without.corrected_unit_price is None
    assert without.parts[0].corrected_unit_price is None and without.parts[0].correction is None


# --- tenure coefficient ---------------------------------------------------------------------------
# K = [1 − (1+r)^−m] / [1 − (1+r)^−n], worked with exact fractions:
# r 0.06: 1.06^40 = 10.285717937, 1.06^70 = 59.075930179 → (1 − 0.097222) / (1 − 0.016927) = 0.918322596671

@pytest.mark.parametrize("m, n, r, k", [
    ("40", 70, "0.06", "0.918322596671"),
    ("30", 50, "0.05", "0.842052683667"),
    ("20", 40, "0.07", "0.794647885771"),
    ("35", 50, "0.065", "0.929534959946"),
    ("50", 50, "0.06", "1.000000000000"),
])
def test_tenure_coefficient(m, n, r, k) -> None:
    assert abs(term_coefficient(Decimal(m), n, Decimal(r)) - Decimal(k)) < Decimal("1e-12")


@pytest.mark.parametrize("corrections, message", [
    ({"term_years": "40", "reduction_rate": "6"}, "between 0 and 1"),  # a percentage typed for a fraction
    ({"term_years": "40", "reduction_rate": "6%"}, r"written as a fraction \(6% as 0.06\), not '6%'"),   # was "not a number"
    ({"term_years": "40", "reduction_rate": "６％"}, "written as a fraction"),
    ({"term_years": "40", "reduction_rate": "0"}, "between 0 and 1"),
    ({"term_years": "71", "reduction_rate": "0.06"}, "statutory maximum"),  # 住宅 70
    ({"term_years": "0", "reduction_rate": "0.06"}, "must be positive"),
    ({"term_years": "40"}, "needs corrections.reduction_rate"),  # 40 of 70 cannot be corrected without r
    ({"date_factor": "0"}, "positive"),
    ({"factor_pct": "-100"}, "above -100"),
    ({"k_unknown": "1"}, "takes no field"),
    # "1,050" typed for 1.050 is K期日 1050: the sheet priced 住宅 2级 at 516,600.00 元/m², exit 0
    ({"date_factor": "1,050"}, r"date_factor 1050 is past the most a correction may be \(5\)"),
    ({"other_factor": "5.01"}, "past the most"),
    ({"factor_pct": "400.5"}, r"factor_pct 400.5 is past the most a correction may be \(400\)"),
    ({"development_adjustment": "-10000.01"}, "past the most"),
])
def test_bad_corrections_are_refused(corrections, message) -> None:
    with pytest.raises(InputError, match=message):
        price({**one_part(2, "住宅用地", area_m2="1000"), "corrections": corrections})


@pytest.mark.parametrize("corrections, unit", [
    ({"date_factor": "5"}, "2460.00"),                 # 492 × 5
    ({"other_factor": "5", "factor_pct": "400"}, "12300.00"),   # 492 × 5 × 5
    ({"development_adjustment": "10000"}, "10492.00"),  # 492 + 10,000
])
def test_a_correction_at_its_most_is_priced(corrections, unit) -> None:
    priced = price({**one_part(2, "住宅用地", area_m2="100"), "corrections": corrections})
    assert (priced.corrected_unit_price, priced.corrected_total) == (Decimal(unit), Decimal(unit) * 100)


def test_a_wrong_or_missing_grade_is_said_once_of_the_parcel_never_of_each_part() -> None:
    """级别 5 was said against every part ("parts[0]「住宅用地」: 级别应为…", then again for parts[1]); a missing one
    was "级别/grade应为数值 / 级别/grade must be a number"."""
    two_parts = {"grade": 5, "parts": [{"use": "住宅用地", "area_m2": "100"}, {"use": "商服用地", "area_m2": "100"}]}
    with pytest.raises(InputError) as caught:
        price(two_parts)
    assert caught.value.message == "grade: 土地级别应为 1、2、3、4,不是 5 / grade must be one of 1, 2, 3, 4, not 5"
    with pytest.raises(InputError) as missing:
        price({"parts": two_parts["parts"]})
    assert missing.value.message == "grade: 缺少土地级别 / missing grade"


def test_an_area_under_a_hundredth_of_a_square_metre_is_refused_never_priced_at_nought() -> None:
    """0.0000000001 m² was shown as 0.00 m² and priced at 0.00 元 with exit 0, as was 0.000007 亩 (0.0047 m²); 0.005 m²
    is 0.01 m² half-up, priced at 0.01 × 492 = 4.92 → 2级住宅 of 0.005 m²: 2.46 元."""
    for area in ({"area_m2": "0.0000000001"}, {"area_mu": "0.000007"}):
        with pytest.raises(InputError, match="四舍五入为 0.00 m²") as caught:   # it said 不足 0.01 m², and 0.009 is priced
            price(one_part(2, "住宅用地", **area))
        assert f"parts[0](第1部分) {next(iter(area))}:" in caught.value.message and "rounds to 0.00 m²" in caught.value.en
    assert price(one_part(2, "住宅用地", area_m2="0.005")).total == Decimal("2.46")


def test_term_over_the_commercial_maximum_names_the_part() -> None:
    # 商服 is 40 years at most; the 住宅 part alone would accept 50
    data = {"grade": 2, "parts": [{"use": "住宅用地", "area_m2": "100"}, {"use": "商服用地", "area_m2": "100"}],
            "corrections": {"term_years": "50", "reduction_rate": "0.06"}}
    with pytest.raises(InputError) as caught:
        price(data)
    assert "parts[1]" in str(caught.value) and "商服用地" in str(caught.value) and "parts[0]" not in str(caught.value)


# --- each part its own 使用年期 (parts[i].term_years), the statutory maximum by default -------------------
# 2级 商服 550 × 300 m² and 住宅 492 × 700 m², r 0.06, 因素修正 +3%:
#   商服 40 of 40 and 住宅 70 of 70: K年期 1 and 1
#       550 × 1.03 = 566.50 × 300 = 169950.00;  492 × 1.03 = 506.76 × 700 = 354732.00;  parcel 524682.00
#   商服 30 of 40: 1.06^−30 = 0.174110, 1.06^−40 = 0.097222 → K = 0.825890 / 0.902778 = 0.914832
#       550 × 0.914832 × 1.03 = 518.252 → 518.25 × 300 = 155475.00
#   住宅 50 of 70: 1.06^−50 = 0.054288, 1.06^−70 = 0.016927 → K = 0.945712 / 0.983073 = 0.961996
#       492 × 0.961996 × 1.03 = 487.501 → 487.50 × 700 = 341250.00;  parcel 496725.00

def mixed(commerce: dict, housing: dict, **corrections) -> dict:
    return {"grade": 2, "parts": [{"use": "商服用地", "area_m2": "300", **commerce},
                                  {"use": "住宅用地", "area_m2": "700", **housing}],
            "corrections": {"reduction_rate": "0.06", "factor_pct": "3", **corrections}}


@pytest.mark.parametrize("commerce, housing", [({"term_years": 40}, {"term_years": "70"}), ({}, {})],
                         ids=["given", "by default"])
def test_each_part_at_its_own_statutory_maximum(commerce, housing) -> None:
    data = parcel_json(price(mixed(commerce, housing)))
    assert [(p["term_years"], p["statutory_term_years"], p["term_coefficient"], p["corrected_unit_price"],
             p["corrected_total"]) for p in data["parts"]] == [
        ("40", 40, "1.000000", "566.50", "169950.00"), ("70", 70, "1.000000", "506.76", "354732.00")]
    assert data["corrected_total"] == "524682.00"
    assert data["coefficients"]["term_years"] is None  # no parcel-wide term was given


def test_the_old_parcel_wide_term_applies_to_parts_without_their_own() -> None:
    # 商服 takes the parcel-wide 30; 住宅's own 50 wins over it: the same figures as above
    data = parcel_json(price(mixed({}, {"term_years": "50"}, term_years="30")))
    assert [(p["term_years"], p["term_coefficient"]) for p in data["parts"]] == [("30", "0.914832"), ("50", "0.961996")]
    assert data["corrected_total"] == "496725.00"
    assert data["coefficients"]["term_years"] == "30"
    # the example file of before per-part terms: one term of 40 for both parts
    old = {**example_parcel(), "parts": [{"use": "商服用地", "area_m2": "300"}, {"use": "住宅用地", "area_mu": "1.05"}]}
    old["corrections"] = {**old["corrections"], "term_years": 40}
    assert parcel_json(price(old)) == parcel_json(price(example_parcel())) | {
        "coefficients": {**parcel_json(price(example_parcel()))["coefficients"], "term_years": "40"}}


def test_a_part_term_above_its_maximum_is_refused_naming_the_part() -> None:
    with pytest.raises(InputError) as caught:
        price(mixed({"term_years": "50"}, {"term_years": "70"}))
    message = str(caught.value)
    assert "parts[1]" not in message and "parts[0](第1部分)「商服用地」 term_years" in message
    assert "商服用地法定最高年期 40 年之间,不是 50 年" in message and "(0, 40]" in message


@pytest.mark.parametrize("part, message", [
    ({"term_years": "0"}, "使用年期应为正数"), ({"term_years": "-5"}, "使用年期应为正数"),
    ({"term_years": "四十"}, "使用年期不是数值"), ({"term_years": 40.0}, "float"),
])
def test_a_bad_part_term_is_refused_where_it_is_read(part, message) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parcel_from_dict(mixed(part, {}))
    assert caught.value.where.startswith("parts[0](第1部分) term_years")


@pytest.mark.parametrize("term", ["-5", "0"])
def test_a_parcel_wide_term_that_is_no_term_is_refused_though_every_part_gives_its_own(term) -> None:
    # it applied to no part, so no part refused it, and the result showed coefficients.term_years "-5"
    with pytest.raises(InputError, match="使用年期应为正数") as caught:
        parcel_from_dict(mixed({"term_years": "40"}, {"term_years": "70"}, term_years=term))
    assert caught.value.where == "corrections.term_years"


def test_a_part_term_below_the_maximum_needs_the_reduction_rate() -> None:
    data = {"grade": 2, "parts": [{"use": "住宅用地", "area_m2": "700", "term_years": "50"}]}
    with pytest.raises(InputError, match="年期修正须填写土地还原率"):
        price(data)
    data["parts"][0]["term_years"] = "70"  # the maximum: nothing to correct, no rate needed
    assert parcel_json(price(data))["total"] == "344400.00"


# --- what a parcel refuses ---------------------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    (one_part(5, "住宅用地", area_m2="100"), "grade must be one of 1, 2, 3, 4"),
    (one_part(2, "住宅", area_m2="100"), "unknown use"),
    (one_part(2, "住宅用地", area_m2="100", area_mu="1"), "exactly one area"),
    (one_part(2, "住宅用地"), "exactly one area"),
    (one_part(2, "住宅用地", area_m2="0"), "positive"),
    (one_part(2, "住宅用地", area_m2="-5"), "positive"),
    ({"grade": "2.5", "parts": [{"use": "住宅用地", "area_m2": "100"}]}, "whole number"),
    ({"grade": 2, "parts": []}, "non-empty"),
    ({"grade": 2, "parts": [{"use": "住宅用地", "area_m2": "100"}], "cost_floor_total": "-1"}, "negative"),
    # said as 金额过大 … 请核对面积和修正系数, naming neither
    ({"grade": 2, "parts": [{"use": "住宅用地", "area_m2": "100"}], "cost_floor_total": "1e12"},
     "cost_floor_total: 成本之和 1,000,000,000,000.00 元超过上限"),
    ({"grade": 2, "parts": [{"use": 1, "area_m2": "100"}]}, "用途应为文字"),   # said to be missing

    ({"grade": 2, "parts": [{"use": "住宅用地", "area_m2": "100"}], "colour": "red"}, "unknown field"),
], ids=["grade 5", "unknown use", "two areas", "no area", "zero area", "negative area", "grade 2.5",
        "no parts", "negative cost floor", "cost floor past the most", "use not text", "unknown field"])
def test_bad_parcels_are_refused(data, message) -> None:
    with pytest.raises(InputError, match=message):
        price(data)


# --- the published tables ---------------------------------------------------------------------------

# 万元/亩 as printed: upper, benchmark, lower
PUBLISHED_WAN_PER_MU = {
    ("商服用地", 1): ("60.0", "55.5", "46.1"), ("商服用地", 2): ("46.1", "36.7", "32.5"),
    ("商服用地", 3): ("32.5", "28.4", "24.6"), ("商服用地", 4): ("24.6", "20.8", "19"),
    ("住宅用地", 1): ("56.7", "46.8", "39.8"), ("住宅用地", 2): ("39.8", "32.8", "28.0"),
    ("住宅用地", 3): ("28.0", "23.2", "20.6"), ("住宅用地", 4): ("20.6", "17.9", "16.3"),
    ("工业用地", 1): ("32.7", "28.5", "24.6"), ("工业用地", 2): ("24.6", "20.7", "17.5"),
    ("工业用地", 3): ("17.5", "14.3", "12.6"), ("工业用地", 4): ("12.6", "10.9", "9.8"),
    ("公共管理与公共服务用地", 1): ("36.3", "31.60", "27"), ("公共管理与公共服务用地", 2): ("27", "22.40", "19.1"),
    ("公共管理与公共服务用地", 3): ("19.1", "15.90", "13.9"), ("公共管理与公共服务用地", 4): ("13.9", "12.00", "10.7"),
}


@pytest.mark.parametrize("use, grade, lower, benchmark, upper", CELLS, ids=CELL_IDS)
def test_loaded_row_is_the_published_row(use, grade, lower, benchmark, upper) -> None:
    row = TABLE.rows[(use, grade)]
    assert (row.lower.yuan_per_m2, row.benchmark.yuan_per_m2, row.upper.yuan_per_m2) == (
        Decimal(lower), Decimal(benchmark), Decimal(upper))
    assert (row.upper.wan_per_mu, row.benchmark.wan_per_mu, row.lower.wan_per_mu) == tuple(
        Decimal(v) for v in PUBLISHED_WAN_PER_MU[(use, grade)])


def test_every_published_wan_per_mu_is_yuan_per_m2_over_15() -> None:
    # 元/m² × (10000/15 m²/亩) / 10000 = 元/m² / 15, rounded to 0.1 万元
    checked = 0
    for row in TABLE.rows.values():
        for price_ in (row.upper, row.benchmark, row.lower):
            expected = (price_.yuan_per_m2 / 15).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            assert price_.wan_per_mu == expected, (row.use, row.grade, price_)
            checked += 1
    assert checked == 48


def test_grade_limits_chain() -> None:
    for use in TABLE.uses:
        for grade in (1, 2, 3):
            assert TABLE.rows[(use, grade + 1)].upper.yuan_per_m2 == TABLE.rows[(use, grade)].lower.yuan_per_m2


def test_loader_names_exactly_the_two_published_discrepancies() -> None:
    named = {key for key, row in TABLE.rows.items() if row.discrepancy}
    assert named == {("工业用地", 4), ("公共管理与公共服务用地", 2)}
    # 189/164 − 1 = 15.24% against the published 15.32%; 405/336 − 1 = 20.54% against 20.46%
    assert "15.24%" in TABLE.rows[("工业用地", 4)].discrepancy
    assert "20.54%" in TABLE.rows[("公共管理与公共服务用地", 2)].discrepancy


def test_only_those_two_rows_have_percentages_that_do_not_follow_from_the_prices() -> None:
    mismatched = set()
    for (use, grade), row in TABLE.rows.items():
        for limit in (row.upper, row.lower):
            computed = ((limit.yuan_per_m2 / row.benchmark.yuan_per_m2 - 1) * 100).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP)
            if computed != limit.pct:
                mismatched.add((use, grade))
    assert mismatched == {("工业用地", 4), ("公共管理与公共服务用地", 2)}


def test_statutory_terms() -> None:
    assert {key: use.statutory_term_years for key, use in TABLE.uses.items()} == {
        "商服用地": 40, "住宅用地": 70, "工业用地": 50, "公共管理与公共服务用地": 50}


def test_parcel_json_is_plain_json() -> None:
    text = json.dumps(parcel_json(price(example_parcel())), ensure_ascii=False)
    assert json.loads(text)["table"] == "wutai-2022"


@pytest.mark.parametrize("grade, use, adjustment, shown", [
    (4, "工业用地", "-200", "-36"),          # 164 − 200: no such price exists
    (2, "住宅用地", "-492.004", "-0.004"),   # 492 − 492.004 was printed as a corrected price of "-0.00"
    (2, "住宅用地", "-491.996", "0.004"),    # rounds to 0.00 元/m²: a coefficient typed wrong, not a price
])
def test_a_correction_that_leaves_no_price_is_refused(grade, use, adjustment, shown) -> None:
    with pytest.raises(CalculationError, match="must be positive") as refused:
        price_parcel(parcel_from_dict({"grade": grade, "parts": [{"use": use, "area_m2": "100"}],
                                       "corrections": {"development_adjustment": adjustment}}))
    assert f"按所填系数为 {shown} 元/m²" in refused.value.zh


def test_a_reduction_rate_near_zero_gives_the_limit_of_the_tenure_coefficient() -> None:
    """r = 1e-40 rounded 1 + r to 1 at 40 digits and divided 0 by 0 (an internal error). As r → 0, K → m/n."""
    for rate in ("1e-40", "1e-12"):
        assert abs(term_coefficient(Decimal(40), 70, Decimal(rate)) - Decimal(4) / Decimal(7)) < Decimal("1e-11")


@pytest.mark.parametrize("rate", ["0.06", "0.0725", "1e-5", "1e-10", "3e-25"])
def test_the_tenure_coefficient_is_right_to_40_digits_whatever_the_rate(rate) -> None:
    """Against K worked with 300 digits: a small r cancels digits in both subtractions, which are made up for."""
    from decimal import localcontext
    r = Decimal(rate)
    with localcontext() as ctx:
        ctx.prec = 300
        exact = (1 - 1 / (1 + r) ** 37) / (1 - 1 / (1 + r) ** 70)
    k = term_coefficient(Decimal(37), 70, r)
    assert len(k.as_tuple().digits) <= 40 and abs(k - exact) <= exact * Decimal("1e-39")
    parcel = {**one_part(2, "住宅用地", area_m2="100"), "corrections": {"term_years": "40", "reduction_rate": "1e-40"}}
    assert price(parcel).corrected_unit_price == Decimal("281.14")   # 492 × 4/7 = 281.142857…


def test_a_parcel_past_what_can_be_paid_or_written_in_words_is_refused() -> None:
    """999,999,999,999,999 m² printed totals of 491,999,999,999,999,508.00 元."""
    with pytest.raises(InputError, match="too large"):
        price(one_part(2, "住宅用地", area_m2="999999999999999"))
    assert price(one_part(2, "住宅用地", area_m2="1000000000")).total == Decimal("492000000000.00")


def test_a_basis_is_given_for_a_coefficient_or_refused() -> None:
    """A misspelt key was accepted, echoed in the JSON and left off the printed sheet: the stated reason lost."""
    corrections = {"date_factor": "1.02", "basis": {"date_factr": "地价指数"}}
    with pytest.raises(InputError, match="basis names no coefficient 'date_factr'"):
        price({**one_part(2, "住宅用地", area_m2="100"), "corrections": corrections})
    corrections["basis"] = {"date_factor": "地价指数"}
    assert price({**one_part(2, "住宅用地", area_m2="100"), "corrections": corrections}).parcel.corrections.bases == {
        "date_factor": "地价指数"}


def test_a_parcel_has_at_most_100_parts() -> None:
    """300 parts made the printed sheet fail (exit 1); no parcel is priced in more than a few."""
    part = {"use": "住宅用地", "area_m2": "1.5"}
    assert price({"grade": 2, "parts": [part] * 100}).total == Decimal("73800.00")   # 100 × 1.5 × 492
    with pytest.raises(InputError, match="at most 100 parts; this one has 101"):
        price({"grade": 2, "parts": [part] * 101})


def test_a_decimal_comma_is_refused_not_read_as_thousands() -> None:
    # "1,5" would silently become 15 if commas were stripped; only 1,000-style grouping is accepted.
    with pytest.raises(CalculationError, match="comma"):
        parcel_from_dict({"grade": 2, "parts": [{"use": "住宅用地", "area_m2": "1,5"}]})
    grouped = parcel_from_dict({"grade": 2, "parts": [{"use": "住宅用地", "area_m2": "1,000.50"}]})
    assert price_parcel(grouped).total == Decimal("492246.00")  # 492 × 1000.50


def test_a_part_priced_alone_is_priced_exactly_as_in_its_parcel() -> None:
    """The app prices each part alone (land_actions.price_draft): 492 − 391.995000000000000000000000000001 is
    100.004999999999999999999999999999, 100.00 元/m²; worked at Decimal's default 28 digits it was 100.005, 100.01."""
    from calculator.engine.landprice import price_part
    parcel = parcel_from_dict({"grade": 2, "parts": [{"use": "住宅用地", "area_m2": "100"}],
                               "corrections": {"development_adjustment": "-391.995000000000000000000000000001"}})
    alone = price_part(load_land_table(), parcel, parcel.parts[0])
    assert alone.correction.unit_price == price_parcel(parcel).parts[0].correction.unit_price == Decimal("100.00")
