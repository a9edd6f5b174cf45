"""The land workspace's actions without Qt: drafts to and from parcel files, and partial pricing."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from calculator import land_actions
from calculator.errors import InputError
from calculator.land_actions import AREA, TERM, ParcelDraft, PartDraft
from calculator.results import parcel_json

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
