"""The project summary (汇总与审计) on both backends: money by status, section and village against sums worked
out here from the engine's results, 数据异常 counted apart, the funding forecast, the rate audit of a small
project built by hand, and an outlier planted among near-identical households."""
from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from calculator.engine.case import case_from_dict
from calculator.engine.compensation import compute
from calculator.core.jsonfile import parse_json
from calculator.app.ledger_actions import ProjectFile
from calculator.app.summary import project_summary, summary_json
from calculator.app.summary.figures import UNPLACED, place_of
from households import EXAMPLE, variant
from test_store_integrity import sql

pytestmark = pytest.mark.backends("sqlite", "postgres")
SECTIONS = ("一(一)", "一(二)", "一(三)", "二", "三", "评估项")


def opened(store, name: str = "堡子片区") -> ProjectFile:
    return ProjectFile(store, store.create_project(name), store.path)


def save(store, project: ProjectFile, number: str, case) -> object:
    """The household registered and its case saved computed; the engine's result returned."""
    result = compute(case)
    store.save_computed(store.add_household(project.project.id, number).id, result)
    return result


def records(table) -> dict:
    return {row[0]: dict(zip([c.key for c in table.columns], row)) for row in table.rows}


# -- money by status, section and village -----------------------------------------------------------------

@pytest.fixture
def villages(store):
    """Households in three villages and a 片区 a case names, at every status, a draft and one 数据异常.

    Returns (project, {户号: the engine's result}, {户号: status}, {户号: place})."""
    project = opened(store)
    places = {"0001": ("文水县凤城镇堡子村东街17号", "堡子村"), "0002": ("文水县凤城镇堡子村西街2号", "堡子村"),
              "0003": ("文水县凤城镇南安村5号", "南安村"), "0004": ("南安村8号", "南安村"),
              "0005": ("凤城镇东关社区3号楼", "北片"), "0006": ("东关社区6号楼", "东关社区")}
    results = {}
    for index, (number, (address, _)) in enumerate(places.items()):
        case = variant(index)
        case.household["address"] = address
        if number == "0005":
            case.household["片区"] = "北片"
        results[number] = save(store, project, number, case)
    for number in ("0002", "0003"):
        store.sign(store.find_household(project.project.id, number).id)
    store.pay([store.find_household(project.project.id, "0003").id], batch="第1批")
    store.add_household(project.project.id, "0099", "未测算户", "新华街9号")
    forged = store.find_household(project.project.id, "0006")
    sql(store, "UPDATE case_versions SET total = ? WHERE id = ?", "1.00", forged.current_version_id)
    statuses = {"0001": "已测算", "0002": "已签字", "0003": "已支付", "0004": "已测算", "0005": "已测算"}
    return project, results, statuses, {number: place for number, (_, place) in places.items()}


def test_totals_by_status_section_and_village_are_the_sums_of_the_engines_results(villages):
    project, results, statuses, places = villages
    summary = project_summary(project)
    counted = {number: result for number, result in results.items() if number != "0006"}

    assert (summary.households, summary.counted) == (7, 5)
    assert summary.total == sum(r.total for r in counted.values())
    by_status = records(summary.by_status)
    for status in ("已测算", "已签字", "已支付"):
        numbers = [n for n, s in statuses.items() if s == status]
        assert by_status[status]["households"] == len(numbers)
        assert by_status[status]["total"] == sum((counted[n].total for n in numbers), Decimal("0.00"))
        assert by_status[status]["disputed"] == sum((counted[n].disputed_total for n in numbers), Decimal("0.00"))
    assert (by_status["草稿"]["households"], by_status["草稿"]["total"]) == (1, Decimal("0.00"))
    assert (by_status["数据异常"]["households"], by_status["数据异常"]["total"]) == (1, None)
    assert summary.paid == counted["0003"].total
    assert summary.owed == sum(counted[n].total for n in ("0001", "0002", "0004", "0005"))
    assert summary.disputed == sum(r.disputed_total for r in counted.values())
    assert summary.replacement_m2 == sum(r.replacement.total_m2 for r in counted.values())

    by_section = records(summary.by_section)
    assert list(by_section) == list(SECTIONS)
    for key in SECTIONS:
        assert by_section[key]["amount"] == sum(r.subtotals[key] for r in counted.values())
    assert summary.by_section.total[2] == summary.total

    by_place = records(summary.by_place)
    # its households with figures, signed and paid too: named as the headline counts them (计入金额 N 户), not
    # 已测算户数, which read as the 已测算 status of 按状态 and disagreed with it
    assert [column.heading for column in summary.by_place.columns][:3] == ["村/街巷", "户数", "计入金额户数"]
    for place in ("堡子村", "南安村", "北片"):
        numbers = [n for n in counted if places[n] == place]
        assert by_place[place]["total"] == sum(counted[n].total for n in numbers)
        assert by_place[place]["counted"] == len(numbers)
    assert (by_place["东关社区"]["households"], by_place["东关社区"]["abnormal"], by_place["东关社区"]["total"]) \
        == (1, 1, Decimal("0.00"))                                  # the forged household adds nothing
    assert by_place["新华街"]["households"] == 1                     # the draft, placed by its register address
    assert by_place["南安村"]["paid"] == counted["0003"].total
    assert by_place["南安村"]["owed"] == counted["0004"].total


def test_the_summary_total_is_the_sum_of_the_stored_results_to_the_fen(villages, store):
    project, *_ = villages
    summary = project_summary(project)
    stored = Decimal("0.00")
    for row in store.ledger(project.project.id):
        if row.abnormal is None and row.total is not None:
            stored += store.current_version(row.household_id).total
    assert summary.total == stored and summary.total.as_tuple().exponent == -2
    assert summary_json(summary)["total"] == f"{stored:.2f}"


def test_a_household_with_abnormal_data_is_counted_apart_named_and_never_summed(villages):
    project, results, *_ = villages
    summary = project_summary(project)
    assert [(a.number, a.head) for a in summary.abnormal] == [("0006", results["0006"].case.household["head"])]
    assert "被改动" in summary.abnormal[0].abnormal
    assert summary.total == sum(r.total for n, r in results.items() if n != "0006")
    data = summary_json(summary)
    assert data["abnormal"] == [{"household": "0006", "head": results["0006"].case.household["head"],
                                 "reason": summary.abnormal[0].abnormal}]
    assert data["by_status"]["数据异常"] == {"households": 1, "total": None, "disputed": None, "replacement_m2": None}
    assert "0006" not in [outlier.household for outlier in summary.outliers]


def test_the_summary_says_how_far_it_is_and_stops_when_asked(villages, monkeypatch):
    """A project of thousands takes seconds: the window hears every PROGRESS_EVERY households and may cancel."""
    from calculator.app.summary import figures
    project, *_ = villages
    monkeypatch.setattr(figures, "PROGRESS_EVERY", 2)
    heard = []
    summary = project_summary(project, dt.date(2023, 7, 10), progress=lambda *said: heard.append(said))
    assert heard == [(0, 7, "读取住户"), (2, 7, "读取住户"), (4, 7, "读取住户"), (6, 7, "读取住户"), (7, 7, "汇总计算")]
    assert summary == project_summary(project, dt.date(2023, 7, 10))      # told or not, the same summary
    asked = []

    def stop_at_the_second(done, total, label):
        asked.append(done)
        return done < 2
    with pytest.raises(figures.Cancelled):
        project_summary(project, dt.date(2023, 7, 10), progress=stop_at_the_second)
    assert asked == [0, 2]


def test_the_json_carries_the_contracts_keys(villages):
    project, results, *_ = villages
    data = summary_json(project_summary(project))
    assert {"households", "total", "by_status", "by_section", "outliers"} <= set(data)
    assert list(data["by_section"]) == list(results["0001"].subtotals)   # the keys of a result's subtotals
    assert data["households"] == 7 and isinstance(data["outliers"], list)
    assert all(value.count(".") == 1 and len(value.split(".")[1]) == 2 for value in data["by_section"].values())


def test_households_giving_one_id_number_are_listed_to_check_for_a_double_registration(store):
    """0002 and 0007 give one 身份证号 (0007 typed with spaces and a lower-case x): listed, with their amounts, in
    户号 order; 0003 gives another, 0004 none. Nothing is merged or left out of the totals."""
    project = opened(store)
    given = {"0002": "11010519491231002X", "0003": "142329196805120317", "0004": "", "0007": "110105 19491231 002x"}
    results = {}
    for index, (number, id_number) in enumerate(given.items()):
        case = variant(index)
        case.household["id_number"] = id_number
        results[number] = save(store, project, number, case)
    summary = project_summary(project)
    table = summary.same_id_number
    assert [(row[0], row[1], row[5]) for row in table.rows] == [
        ("11010519491231002X", "0002", results["0002"].total), ("11010519491231002X", "0007", results["0007"].total)]
    assert summary.total == sum(result.total for result in results.values())
    assert summary_json(summary)["same_id_number"][1] == {
        "id_number": "11010519491231002X", "household": "0007", "head": variant(3).household["head"],
        "address": variant(3).household["address"], "status": "已测算", "total": f"{results['0007'].total:.2f}"}


@pytest.mark.parametrize("address, place", [
    ("文水县凤城镇堡子村东街17号", "堡子村"), ("山西省吕梁市文水县南安村5号", "南安村"), ("东关社区3号楼", "东关社区"),
    ("凤城镇新华街12号", "新华街"), ("文水县凤城镇", UNPLACED), ("", UNPLACED),
    # a village named with a division's character keeps it (was 西村); 新村路 is a street (was the village 新村)
    ("文水县凤城镇镇西村5号", "镇西村"), ("文水县凤城镇新村路4号", "新村路"), ("文水县凤城镇城区村3号", "城区村"),
    ("文水县 凤城镇 堡子村 3号", "堡子村"), ("文水县 凤城镇 堡子 村 3号", "堡子村"),
    # a 州 or a 乡 inside a city's or a town's name is no division's end (市长征街, 镇西关村 once)
    ("忻州市长征街1号", "长征街"), ("长治市潞州区常青村", "常青村"), ("运城市盐湖区解州镇西关村", "西关村"),
    ("乡宁县宁乡镇东关村", "东关村"), ("文水县凤城镇新村大街2号", "新村大街"),
    ("太原市小店区坞城街道办事处东关社区3号", "东关社区")])
def test_the_village_or_street_is_read_from_the_address(address, place):
    assert place_of({}, address) == place
    # a 组 with its village (every village has a 三组: 堡子村's and 东关村's were one row), unless it names one itself
    assert place_of({"组": "三组"}, address) == ("三组" if place == UNPLACED else place + "三组")
    assert place_of({"组": "东关村三组"}, address) == "东关村三组"
    assert place_of({"片区": "北片", "组": "三组"}, address) == "北片"


# -- the funding forecast ---------------------------------------------------------------------------------

def not_moved(index: int, paid_on: str | None):
    case = variant(index)
    case.relocation = {key: value for key, value in case.relocation.items() if key != "moved_on"}
    if paid_on is None:
        case.relocation.pop("paid_on", None)
    else:
        case.relocation["paid_on"] = paid_on
    return case


def test_the_incentive_still_reachable_by_deadline_after_payment(store):
    project = opened(store)
    save(store, project, "0001", not_moved(0, "2023-06-28"))      # paid, not moved: the deadlines run
    save(store, project, "0002", not_moved(1, None))              # paid, no date in the case: the ledger's
    save(store, project, "0003", not_moved(2, "2023-06-28"))      # not paid in the 台账, the case's date runs
    moved = save(store, project, "0004", variant(3))              # moved within 45 days: already in its total
    before_payment = variant(4)                                   # moved out, not yet paid: certain once paid
    before_payment.relocation.pop("paid_on")
    save(store, project, "0005", before_payment)
    paid_undated = variant(5)                                     # paid in the 台账 after moving out: the case
    paid_undated.relocation.pop("paid_on")                        # lacks the date its incentive runs from
    save(store, project, "0006", paid_undated)
    for number in ("0001", "0002", "0006"):
        household = store.find_household(project.project.id, number)
        store.sign(household.id)
        store.pay([household.id], batch="第1批")
    today = dt.date.today()

    def reachable(as_of: dt.date) -> dict:
        summary = project_summary(project, as_of)
        return {row["household"]: row for row in summary.incentives.records()}, records(summary.forecast)

    rows, forecast = reachable(dt.date(2023, 7, 10))
    assert set(rows) == {"0001", "0002", "0003", "0005", "0006"}
    assert (rows["0001"]["reachable"], rows["0001"]["deadline_30"], rows["0001"]["deadline_45"]) \
        == ("50000.00", "2023-07-28", "2023-08-12")
    assert rows["0001"]["paid_on_source"] == "案例支付日期"
    # the engine counts from the case's 支付日期, paid in the 台账 or not: so do the deadlines (it was 50,000 "once paid")
    assert (rows["0003"]["reachable"], rows["0003"]["deadline_30"]) == ("50000.00", "2023-07-28")
    assert moved.relocation.incentive == Decimal("30000.00") and "0004" not in rows   # moved: nothing to forecast
    # moved out before any payment: left out before, 50,000 short; moving out before payment is within 30 days
    assert (rows["0005"]["reachable"], rows["0005"]["note"]) == ("50000.00", "已搬迁,尚未支付:支付后按期限内计")
    assert rows["0006"]["reachable"] == "50000.00" and "案例未填支付日期" in rows["0006"]["note"]

    rows, forecast = reachable(dt.date(2023, 8, 1))
    assert rows["0001"]["reachable"] == "30000.00"                  # past 30 days, within 45
    assert rows["0001"]["note"] == "30,000.00 元:最迟于 2023-08-12 搬迁"   # grouped, as every amount shown
    rows, forecast = reachable(dt.date(2023, 8, 13))
    assert rows["0001"]["reachable"] == "0.00" and "超过期限" in rows["0001"]["note"]
    assert rows["0003"]["reachable"] == "0.00"
    assert forecast["已过期限"]["households"] == 2                      # 0001, and 0003 by its case's 支付日期

    rows, forecast = reachable(today)
    assert rows["0002"]["paid_on"] == today.isoformat() and rows["0002"]["paid_on_source"] == "台账支付记录"
    assert rows["0002"]["reachable"] == "50000.00"
    assert forecast["有支付日期(已付或已定):仍可得或应补的搬迁奖励"]["amount"] == Decimal("100000.00")   # 0002, 0006
    unpaid = forecast["无支付日期:支付后可能发生的搬迁奖励(上限)"]
    assert (unpaid["households"], unpaid["amount"]) == (1, Decimal("50000.00"))   # 0005 (0003's deadlines ran out)
    owed = sum(compute(case).total for case in (not_moved(2, "2023-06-28"), variant(3), before_payment))
    assert forecast["尚需支付合计"]["amount"] == owed


# -- rate choices -----------------------------------------------------------------------------------------

BRICK, CAVE, SCREEN = "附属平房/砖混结构", "窑洞/砖石窑洞", "影壁/普通水泥罩面"   # 700–800, 600–700, 130 fixed


def small_case(assessor: str, *lines: dict) -> object:
    return case_from_dict({"household": {"head": "户主", "address": "堡子村"}, "assessor": {"name": assessor},
                           "items": [{"quantity": "10", **line} for line in lines]})


@pytest.fixture
def rate_project(store):
    """Three assessors: 甲 always at the ceiling, 乙 at the floor and midpoints, 丙 between and outside. A2's 甲 is typed
    "甲 ": once a fourth row of the audit that looked like 甲's."""
    project = opened(store)
    for number, case in (
            ("A1", small_case("甲", {"item": BRICK, "rate": "800"}, {"item": CAVE, "rate": "700"})),
            ("A2", small_case("甲 ", {"item": BRICK, "quantity": "20", "rate": "800"})),   # 甲 typed with a space
            ("B1", small_case("乙", {"item": BRICK, "rate": "700"}, {"item": CAVE})),
            ("B2", small_case("乙", {"item": BRICK, "rate": "750"})),
            ("C1", small_case("丙", {"item": BRICK, "rate": "720"}, {"item": CAVE, "rate": "690"})),
            ("C2", small_case("丙", {"item": BRICK, "rate": "850", "override_reason": "带门楼"},
                              {"item": SCREEN, "quantity": "2", "rate": "150", "override_reason": "贴瓷砖"}))):
        save(store, project, number, case)
    return project


def test_rate_positions_per_assessor_worked_by_hand(rate_project):
    rows = records(project_summary(rate_project).rates_by_assessor)
    positions = ("floor", "lower", "midpoint", "default", "upper", "ceiling", "outside")
    assert {name: tuple(row[key] for key in positions) for name, row in rows.items()} == {
        "甲": (0, 0, 0, 0, 0, 3, 0), "乙": (1, 0, 1, 1, 0, 0, 0), "丙": (0, 1, 0, 0, 1, 0, 1)}
    assert [rows[name]["lines"] for name in ("甲", "乙", "丙")] == [3, 3, 3]
    # positions: 甲 1, 1, 1; 乙 0 (700), 0.5 (650 by default), 0.5 (750); 丙 0.2 (720), 0.9 (690), 1.5 (850)
    assert [(rows[n]["mean_position"], rows[n]["median_position"]) for n in ("甲", "乙", "丙")] == [
        (Decimal("1.00"), Decimal("1.00")), (Decimal("0.33"), Decimal("0.50")), (Decimal("0.87"), Decimal("0.90"))]
    assert rows["甲"]["ceiling_share"] == Decimal("1.0000") and rows["乙"]["default_share"] == Decimal("0.3333")
    # 较中值多付 = amount × (rate − midpoint) / rate: 甲 8000×50/800 + 7000×50/700 + 16000×50/800
    assert [rows[n]["over_mid"] for n in ("甲", "乙", "丙")] == [
        Decimal("2000.00"), Decimal("-500.00"), Decimal("-300.00") + Decimal("400.00") + Decimal("1000.00")]
    assert [rows[n]["overrides"] for n in ("甲", "乙", "丙")] == [0, 0, 2]


def test_over_midpoint_is_the_stated_formula_summed_exactly_then_rounded_once(store):
    """戊's lines at two rates: 7,340.63 at 733.33 (700–800) pays 7,340.63 × (733.33 − 750) / 733.33 = −166.866… and
    6,680.03 at 666.67 (600–700) 6,680.03 × (666.67 − 650) / 666.67 = 167.033…: together 0.1666… yuan, 0.17 — each rounded
    first, −166.87 + 167.03 made 0.16."""
    project = opened(store)
    save(store, project, "E1", small_case("戊", {"item": BRICK, "quantity": "10.01", "rate": "733.33"},
                                          {"item": CAVE, "quantity": "10.02", "rate": "666.67"}))
    summary = project_summary(project)
    assert records(summary.rates_by_assessor)["戊"]["over_mid"] == Decimal("0.17")
    items = records(summary.rates_by_item)
    assert (items[BRICK]["over_mid"], items[CAVE]["over_mid"]) == (Decimal("-166.87"), Decimal("167.03"))


def test_rate_positions_per_item_and_the_overrides_with_their_reasons(rate_project):
    summary = project_summary(rate_project)
    items = records(summary.rates_by_item)
    assert set(items) == {BRICK, CAVE}                              # the fixed-rate 影壁 is no range item
    assert (items[BRICK]["range"], items[BRICK]["lines"], items[BRICK]["ceiling"], items[BRICK]["outside"]) \
        == ("700–800", 6, 2, 1)
    assert (items[CAVE]["lines"], items[CAVE]["ceiling"], items[CAVE]["default"], items[CAVE]["upper"]) == (3, 1, 1, 1)
    pairs = {(row[0], row[1]): row[2] for row in summary.rates_by_pair.rows}
    assert pairs == {("甲", BRICK): 2, ("甲", CAVE): 1, ("乙", BRICK): 2, ("乙", CAVE): 1, ("丙", BRICK): 2,
                     ("丙", CAVE): 1}
    overrides = sorted((row["household"], row["item"], row["rate"], row["standard"], row["amount"], row["reason"])
                       for row in summary.overrides.records())
    assert overrides == sorted([("C2", BRICK, "850.00", "700–800", "8500.00", "带门楼"),
                                ("C2", SCREEN, "150.00", "130", "300.00", "贴瓷砖")])


def test_a_disputed_line_outside_the_standard_is_listed_with_the_overrides_but_no_rate_position(rate_project, store):
    """A disputed 大门 at 850 against 700–800 was missing from 超标准单价: once verified it is paid at that rate. It is
    listed, said to be disputed; the rates chosen (held out of the total) stay those of the payable lines."""
    save(store, rate_project, "D1", small_case("丁", {"item": BRICK, "rate": "850", "override_reason": "框架结构",
                                                      "disputed": True}))
    summary = project_summary(rate_project)
    listed = [(row["household"], row["rate"], row["amount"], row["reason"]) for row in summary.overrides.records()
              if row["household"] == "D1"]
    assert listed == [("D1", "850.00", "8500.00", "框架结构(有争议,未计入合计)")]
    assert "丁" not in records(summary.rates_by_assessor) and records(summary.rates_by_item)[BRICK]["lines"] == 6


# -- outliers ---------------------------------------------------------------------------------------------

def near_identical(index: int, basement: str = "42000") -> object:
    """The example household with every measured quantity and its building area scaled alike by a factor
    within ±2.5%, and its 评估项/地下室 as given."""
    data = parse_json(EXAMPLE.read_text(encoding="utf-8"))
    factor = Decimal(1000 + (index * 7) % 51 - 25) / 1000
    for line in data["items"]:
        if isinstance(line.get("quantity"), str) and "attached_to" not in line:
            line["quantity"] = str((Decimal(line["quantity"]) * factor).quantize(Decimal("0.01")))
        if line["item"] == "评估项/地下室":
            line["amount"] = basement
    data["relocation"]["building_area_m2"] = str((Decimal("153.00") * factor).quantize(Decimal("0.01")))
    data["household"]["head"] = f"户主{index}"
    return case_from_dict(copy.deepcopy(data))


def test_an_outlier_planted_among_near_identical_households_is_found_and_nothing_else(store):
    project = opened(store)
    for index in range(12):
        save(store, project, f"{index + 1:04d}", near_identical(index))
    assert project_summary(project).outliers == ()                   # near-identical: none stands out
    save(store, project, "0013", near_identical(12, basement="160000"))
    summary = project_summary(project)
    assert {outlier.household for outlier in summary.outliers} == {"0013"}
    by_measure = {outlier.measure: outlier for outlier in summary.outliers}
    assert set(by_measure) == {"合计", "评估项"}
    for outlier in by_measure.values():
        assert outlier.direction == "偏高" and outlier.score > Decimal("3.5")
        assert outlier.lines[0]["item"] == "评估项/地下室" and outlier.lines[0]["amount"] == Decimal("160000.00")
    measures = records(summary.outlier_measures)
    assert measures["合计"]["households"] == 13 and measures["合计"]["outliers"] == 1
    assert measures["评估项"]["upper"] < by_measure["评估项"].per_m2
    data = summary_json(summary)
    assert {o["household"] for o in data["outliers"]} == {"0013"}
    assert data["outlier_method"]["threshold"] == 3.5 and "MAD" in data["outlier_method"]["spread"]


def test_a_household_no_measure_takes_is_named_never_passed_over(store):
    """009 (360,000 元 in one 围墙 line) had no 建筑面积 and was left out of the outlier check without a word: the
    check counted 12 of 13 households. It is named under the check's table."""
    project = opened(store)
    for index in range(12):
        save(store, project, f"{index + 1:04d}", near_identical(index))
    save(store, project, "0013", small_case("甲", {"item": "围墙/砖围墙", "quantity": "6000"}))   # no relocation
    summary = project_summary(project)
    assert records(summary.outlier_measures)["合计"]["households"] == 12
    assert summary.outlier_measures.note.endswith("未参与检测(无建筑面积,无从按每平方米比较):户号 0013。")
    assert summary_json(summary)["outlier_method"]["unmeasured"] == ["0013"]   # a script reading the JSON is told too


# -- verified figures -------------------------------------------------------------------------------------

def rewrite_with_a_larger_total(path, version_id: int, more: str) -> None:
    """Add `more` to a stored version's 评估项 and total, and rewrite its digest and the whole audit chain to
    match, as someone with an SQLite tool and this program's source could: the chain then vouches for it."""
    import json
    import sqlite3

    from calculator.store.integrity import ENTRY_FIELDS, GENESIS, entry_hash, version_digest
    raw = sqlite3.connect(path)
    raw.row_factory = sqlite3.Row
    version = dict(raw.execute("SELECT * FROM case_versions WHERE id = ?", (version_id,)).fetchone())
    result = json.loads(version["result_json"])
    result["subtotals"]["评估项"] = f"{Decimal(result['subtotals']['评估项']) + Decimal(more):.2f}"
    result["total"] = version["total"] = f"{Decimal(result['total']) + Decimal(more):.2f}"
    version["result_json"] = json.dumps(result, ensure_ascii=False)
    raw.execute("UPDATE case_versions SET total = ?, result_json = ? WHERE id = ?",
                (version["total"], version["result_json"], version_id))
    raw.execute("UPDATE audit SET version_digest = ? WHERE version_id = ? AND version_digest IS NOT NULL",
                (version_digest(version), version_id))
    previous = GENESIS
    for entry in [dict(row) for row in raw.execute(f"SELECT {', '.join(ENTRY_FIELDS)} FROM audit ORDER BY id")]:
        previous = entry_hash(previous, entry)
        raw.execute("UPDATE audit SET hash = ? WHERE id = ?", (previous, entry["id"]))
    raw.commit()
    raw.close()


@pytest.mark.backends("sqlite")
def test_recomputing_finds_a_forgery_the_audit_chain_vouches_for(store):
    project = opened(store)
    results = [save(store, project, f"{index + 1:04d}", variant(index)) for index in range(3)]
    forged = store.find_household(project.project.id, "0002")
    rewrite_with_a_larger_total(store.path, forged.current_version_id, "100000")
    taken_in = project_summary(project)
    assert taken_in.abnormal == () and taken_in.total == sum(r.total for r in results) + Decimal("100000.00")
    checked = project_summary(project, recompute=True)
    assert [row.number for row in checked.abnormal] == ["0002"]
    assert checked.total == results[0].total + results[2].total
    # and the 台账 shows it so too once the finding is written to the audit log
    assert {row.number: row.status.label for row in store.ledger(project.project.id)}["0002"] == "数据异常"
    # … in the next session too: the recorded finding stands until the household is changed (it put the forged
    # 100,000.00 back into every plain total, where only a recomputing check finds it)
    from calculator.app.ledger_actions import open_project
    again = open_project(store.path, "王芳")
    try:
        later = project_summary(again)
        assert [row.number for row in later.abnormal] == ["0002"] and later.total == checked.total
        history = [line.what for line in again.history(forged.id)]
        assert history.count(history[-1]) == 1 and history[-1].startswith("发现数据异常,理由:")   # written once
    finally:
        again.close()


def test_shares_and_statistics_are_shown_rounded_half_up_as_money_is():
    # 1/32 = 0.03125 exactly; a mean position of 0.625; 1.25% — each a half, which 四舍五入 takes up.
    from calculator.app.summary.model import SHARE, share, shown, statistic
    assert share(1, 32) == Decimal("0.0313") and share(0, 0) == Decimal("0.0000")
    assert statistic(0.625) == Decimal("0.63") and statistic(-0.125) == Decimal("-0.13")
    assert shown(Decimal("0.0125"), SHARE) == "1.3%"


def test_a_median_position_is_worked_exactly_and_rounded_as_money_is():
    """Two lines at 0.50 and 0.57 of their range: pandas' median in floating point was 0.5349999999999999, shown 0.53;
    the exact 0.535 rounds half-up to 0.54."""
    from fractions import Fraction
    from calculator.app.summary.audit import _mean_and_median
    from calculator.core.money import round_money
    mean, median = _mean_and_median([(Fraction(57, 100), 1), (Fraction(1, 2), 1)])
    assert (round_money(mean), round_money(median)) == (Decimal("0.54"), Decimal("0.54"))
    mean, median = _mean_and_median([(Fraction(1, 4), 3), (Fraction(1), 1)])   # four lines: 1/4, 1/4, 1/4, 1
    assert (mean, median) == (Fraction(7, 16), Fraction(1, 4))
