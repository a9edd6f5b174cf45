"""The land workspace's actions without Qt: drafts to and from parcel files, and partial pricing."""
from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from dataclasses import replace
from pathlib import Path

import pytest

from calculator.app import land_actions
from calculator.core.errors import InputError
from calculator.app.land_actions import AREA, MU, TERM, ParcelDraft, PartDraft
from calculator.engine.results import parcel_json

CORRECTIONS = {**land_actions.CORRECTION_DEFAULTS, "reduction_rate": "0.06", "factor_pct": "3"}


def test_per_part_terms_survive_save_and_open(tmp_path: Path) -> None:
    # 2级 商服 30 of 40 years and 住宅 50 of 70 at r 0.06, +3%: 155,475.00 + 341,250.00 (test_engine_land)
    draft = ParcelDraft(grade=2, parts=(PartDraft("商服用地", "300", term="30"), PartDraft("住宅用地", "700", term="50")),
                        corrections=CORRECTIONS)
    path = tmp_path / "parcel.json"
    land_actions.save_parcel(draft, path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["parts"] == [{"use": "商服用地", "area_m2": "300", "term_years": "30"},
                              {"use": "住宅用地", "area_m2": "700", "term_years": "50"}]
    assert "term_years" not in saved["corrections"]
    opened = land_actions.open_parcel(path)
    assert opened == draft
    assert parcel_json(land_actions.price_draft(opened).whole())["corrected_total"] == "496725.00"


def test_a_default_term_is_not_written_and_terms_need_corrections(tmp_path: Path) -> None:
    draft = ParcelDraft(parts=(PartDraft("商服用地", "300", term="30"), PartDraft("住宅用地", "700")))
    assert land_actions.parcel_dict(draft)["parts"] == [{"use": "商服用地", "area_m2": "300"},
                                                        {"use": "住宅用地", "area_m2": "700"}]  # no corrections
    with_corrections = land_actions.parcel_dict(ParcelDraft(parts=draft.parts, corrections=CORRECTIONS))
    assert with_corrections["parts"][1] == {"use": "住宅用地", "area_m2": "700"}  # its maximum, by default


def test_an_old_file_with_one_parcel_wide_term_opens_with_it_on_each_part(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"grade": 2, "parts": [{"use": "商服用地", "area_m2": "300"},
                                                      {"use": "住宅用地", "area_mu": "1.05", "term_years": "50"}],
                                "corrections": {"term_years": 40, "reduction_rate": "0.06"}}), encoding="utf-8")
    draft = land_actions.open_parcel(path)
    assert [part.term for part in draft.parts] == ["40", "50"]  # a part's own term wins
    assert "term_years" not in draft.corrections
    saved = land_actions.parcel_dict(draft)
    assert [part["term_years"] for part in saved["parts"]] == ["40", "50"] and "term_years" not in saved["corrections"]


def test_the_complete_parts_are_priced_and_the_others_named() -> None:
    # 2级 商服 300 m² = 165,000.00; 工业 1000 m² = 310,000.00; the 住宅 part has no area, the 公共 part a bad term
    draft = ParcelDraft(grade=2, corrections=CORRECTIONS, parts=(
        PartDraft("商服用地", "300"), PartDraft("住宅用地", ""), PartDraft("工业用地", "1000"),
        PartDraft("公共管理与公共服务用地", "100", term="60")))
    priced = land_actions.price_draft(draft)
    assert priced.rows == (0, 2) and priced.price.total == Decimal("475000.00") and priced.error is None
    assert [(p.row, p.field) for p in priced.left_out] == [(1, AREA), (3, TERM)]
    assert [p.note for p in priced.left_out] == [
        "第2部分未填面积,未计入", "第4部分使用年期应在 0 至公共管理与公共服务用地法定最高年期 50 年之间,不是 60 年,未计入"]
    with pytest.raises(InputError, match="第2部分未填面积.*第4部分"):  # a sheet never leaves a part out
        priced.whole()


def test_an_empty_draft_is_blank_not_an_error() -> None:
    priced = land_actions.price_draft(ParcelDraft(parts=(PartDraft(), PartDraft("商服用地"))))
    assert priced.blank and priced.left_out == () and priced.error is None and priced.price is None


def test_a_unit_switch_converts_exactly_and_back() -> None:
    # 2级 住宅 492 元/m²: 1000 m² = 1.5 亩 = 492,000.00 in either unit
    in_mu = land_actions.switch_unit(PartDraft("住宅用地", "1000"), land_actions.MU)
    assert (in_mu.shown(), in_mu.exact_m2, in_mu.unit) == ("1.5000", Fraction(1000), "亩")
    assert land_actions.parcel_dict(ParcelDraft(parts=(in_mu,)))["parts"] == [{"use": "住宅用地", "area_mu": "1.5"}]
    back = land_actions.switch_unit(in_mu, land_actions.M2)
    assert back.shown() == "1000.00"
    assert land_actions.price_draft(ParcelDraft(parts=(in_mu,))).price.total == Decimal("492000.00")
    assert land_actions.price_draft(ParcelDraft(parts=(back,))).price.total == Decimal("492000.00")


def test_one_mu_shown_in_m2_keeps_its_exact_area() -> None:
    # 1 亩 = 10000/15 m², shown 666.67; priced on the exact area: 492 × 2000/3 = 328,000.00, not 666.67 × 492
    in_m2 = land_actions.switch_unit(PartDraft("住宅用地", "1", unit=land_actions.MU), land_actions.M2)
    assert (in_m2.shown(), in_m2.area_m2()) == ("666.67", Fraction(2000, 3))
    assert land_actions.parcel_dict(ParcelDraft(parts=(in_m2,)))["parts"] == [{"use": "住宅用地", "area_mu": "1"}]
    assert land_actions.price_draft(ParcelDraft(parts=(in_m2,))).price.total == Decimal("328000.00")


def test_text_that_is_no_area_keeps_its_text_through_a_switch_and_new_text_drops_the_exact_area() -> None:
    junk = land_actions.switch_unit(PartDraft("住宅用地", "abc"), land_actions.MU)
    assert (junk.text, junk.unit, junk.exact_m2, junk.shown()) == ("abc", "亩", None, "abc")
    typed = land_actions.set_area_text(land_actions.switch_unit(PartDraft("住宅用地", "1000"), land_actions.MU), " 12 ")
    assert (typed.text, typed.exact_m2, typed.area_m2()) == ("12", None, Fraction(8000))  # 12 亩 × 2000/3
    with pytest.raises(InputError, match="未知面积单位「公顷」"):
        land_actions.switch_unit(PartDraft("住宅用地", "1000"), "公顷")


def test_an_error_of_the_whole_parcel_prices_nothing_for_a_sheet_and_the_benchmark_for_the_screen() -> None:
    """r = 6 blanked the benchmark, its range and the floor too, which do not read it: they are shown (492 × 1000),
    the corrected price not, and nothing is printed or exported until it is mended."""
    draft = ParcelDraft(parts=(PartDraft("住宅用地", "1000"),), corrections={**CORRECTIONS, "reduction_rate": "6"})
    priced = land_actions.price_draft(draft)
    assert (priced.price.total, priced.price.floor_total, priced.price.corrected_total) == (
        Decimal("492000.00"), Decimal("344400.00"), None)
    assert (priced.rows, priced.left_out, priced.blank) == ((0,), (), False)
    assert priced.error.zh == "土地还原率应为 0 与 1 之间的小数(如 0.06),不是 6"
    with pytest.raises(InputError) as caught:
        priced.whole()
    assert caught.value is priced.error
    costed = land_actions.price_draft(replace(draft, corrections=None, cost_floor_total="40万"))
    assert costed.error.where == "cost_floor_total" and costed.price.floor_total == Decimal("344400.00")
    broken = land_actions.price_draft(replace(draft, grade=9))   # of the parcel itself: nothing to show
    assert broken.price is None and broken.error is not None
    # said once, of the parcel: a file's 级别 5 was said of each part (第1部分级别应为 1、2、3、4,不是 5,未计入)
    graded = land_actions.price_draft(ParcelDraft(grade=5, parts=(PartDraft("住宅用地", "1000"), PartDraft("商服用地", "10"))))
    assert (graded.error.zh, graded.error.where, graded.left_out, graded.price) == (
        "土地级别应为 1、2、3、4,不是 5", "grade", (), None)


def test_the_example_file_opens_as_a_draft_and_prices_as_the_engine(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "parcel.json"
    draft = land_actions.open_parcel(example)
    assert (draft.grade, draft.reference, draft.location, draft.cost_floor_total) == (
        2, "WT-2023-G07", "五台县台城镇新建路东侧", "")
    assert draft.parts == (PartDraft("商服用地", "300", term="40"), PartDraft("住宅用地", "1.05", land_actions.MU, term="40"))
    assert draft.corrections == {"reduction_rate": "0.06", "date_factor": "1.00", "factor_pct": "3",
                                 "other_factor": "1.00", "development_adjustment": "0"}
    assert draft.bases == {"date_factor": "估价期日与基准日相近,不作修正", "factor_pct": "区域及个别因素修正表合计 +3%"}
    # 商服 566.50 × 300 = 169,950.00; 住宅 465.37 × 700 = 325,759.00 (tests/test_engine_land.py)
    assert land_actions.price_draft(draft).whole().corrected_total == Decimal("495709.00")


def test_a_file_that_is_no_parcel_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "坏.json"
    path.write_text('{"grade": 2, "parts": [{"use": "住宅用地", "area_m2": "abc"}]}', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        land_actions.open_parcel(path)
    assert caught.value.where.startswith(str(path)) and "面积不是数值" in caught.value.zh


@pytest.mark.parametrize(("draft", "where", "zh"), [
    (ParcelDraft(parts=(PartDraft("住宅用地", "70\ud800"),)), "parts[0].area_m2", "无效的代理字符 U+D800"),
    (ParcelDraft(parts=(PartDraft("住宅用地", "700", land_actions.MU, term="5\udcff"),), corrections=CORRECTIONS),
     "parts[0].term_years", "无效的代理字符 U+DCFF"),
    (ParcelDraft(parts=(PartDraft("住宅用地", "700"),), location="新建路\x00东侧"), "location", "控制字符 U+0000"),
    (ParcelDraft(parts=(PartDraft("住宅用地", "700"),), corrections=CORRECTIONS,
                 bases={"factor_pct": "区域\u202e修正"}), "corrections.basis.factor_pct", "格式控制字符 U+202E"),
    (ParcelDraft(parts=(PartDraft("住宅用地", "700"),), reference="G" * 41), "reference", "最多 40 个"),
], ids=["lone surrogate in an area", "in a term", "NUL in the location", "bidi override in a basis", "long reference"])
def test_a_text_no_parcel_file_may_hold_is_refused_on_saving(tmp_path: Path, draft, where, zh) -> None:
    """What the 地价测算 form typed is checked as the parcel file's reader checks it, before anything is written
    (a lone surrogate, from a paste, used to raise UnicodeEncodeError while writing)."""
    path = tmp_path / "地块.json"
    with pytest.raises(InputError) as caught:
        land_actions.save_parcel(draft, path)
    assert (caught.value.where, zh in caught.value.zh, bool(caught.value.en)) == (where, True, True)
    assert not path.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("typed", ["120.5亩", "120.5 亩", "300m²", "300平方米"])
def test_an_area_typed_with_its_unit_says_where_the_unit_goes(typed) -> None:
    """'120.5亩' was refused as "not a number", even with 亩 chosen as the unit: the message now says to choose it."""
    with pytest.raises(InputError) as refused:
        PartDraft("住宅用地", typed, MU).area_m2()
    assert "单位请在「单位」列选择" in refused.value.zh and "unit column" in refused.value.en


def test_a_draft_is_kept_for_recovery_as_typed_and_read_back_whole():
    """What the crash-recovery file keeps: every field as typed, an area no parcel file could hold (12ab) and an exact
    area of a unit switch (10000/3 m²) among them; anything else read back is refused, never half a parcel."""
    from calculator.core.jsonfile import parse_json
    draft = ParcelDraft(3, (PartDraft("商服用地", "12ab", MU, Fraction(10000, 3), "40"), PartDraft()),
                        {"reduction_rate": "0.06"}, {"reduction_rate": "评估报告"}, "", "WT-1", "台城镇")
    record = parse_json(json.dumps(land_actions.draft_record(draft), ensure_ascii=False))   # numbers read as Decimal
    assert land_actions.draft_from_record(record) == draft
    for damaged in ({}, {**record, "grade": "3"}, {**record, "grade": Decimal("2.5")}, {**record, "parts": []},
                    {**record, "parts": [{**record["parts"][0], "unit": "公顷"}]},
                    {**record, "parts": [{**record["parts"][0], "exact_m2": "1/0"}]},
                    {**record, "bases": {"reduction_rate": 5}}):
        with pytest.raises(InputError, match="恢复文件中的地块不完整"):
            land_actions.draft_from_record(damaged)
