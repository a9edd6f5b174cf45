"""Messages for people name fields by their Chinese labels and lines as 第N行; the English half
keeps the file's names for the command line."""
from __future__ import annotations

import re

import pytest

from calculator.app import ledger_actions
from calculator.app.ledger_actions import open_project
from calculator.engine.case import case_from_dict
from calculator.engine.compensation import compute
from calculator.core.errors import CaseErrors, InputError
from calculator.core.labels import place_zh
from calculator.store.base import StoreError

JSON_NAME = re.compile(r"[a-z]+_[a-z_0-9]+|\bitems\[|\bparts\[")


@pytest.mark.parametrize("where, shown", [
    ("items[3](第4行)「菜窖/砖石」", "第4行「菜窖/砖石」"),
    ("relocation", "搬迁与安置"),
    ("household.head", "户主信息 户主"),
    ("parts[1](第2部分)「住宅用地」", "第2部分「住宅用地」"),
    ("/tmp/case.json items[0](第1行)", "/tmp/case.json 第1行"),
    ("postgresql://test@127.0.0.1:5433/baozi", "postgresql://test@127.0.0.1:5433/baozi"),   # was 127 0 0 1
])
def test_places_read_as_a_person_names_them(where, shown):
    assert place_zh(where) == shown


def test_every_kind_of_case_error_is_shown_in_chinese_only():
    case = case_from_dict({
        "items": [{"item": "附属平房/砖混结构", "quantity": "10"},
                  {"item": "菜窖/砖石", "quantity": "6"},                                   # 深度 missing
                  {"item": "歇厦、雨搭", "quantity": "8", "attached_to": "窑洞/不存在"},      # 依附房屋 unknown
                  {"item": "用材树/杨树", "quantity": "2", "diameter_cm": "-3"},            # 直径 negative
                  {"item": "围墙/砖围墙", "quantity": "1", "colour": "red"}],               # unknown field
        "relocation": {"building_area_m2": "100", "paid_on": "2023-02-30"},
        "replacement": {"main_house_area_m2": "90", "main_house_footprint_m2": "90"},       # 宅基地证面积 missing
    })
    with pytest.raises(CaseErrors) as refused:
        compute(case)
    shown = refused.value.shown
    assert JSON_NAME.search(shown) is None, shown
    for text in ("第2行「菜窖/砖石」: 缺少深度(m)", "第3行", "依附房屋", "第4行「用材树/杨树」: 直径(cm)应为正数",
                 "第5行「围墙/砖围墙」: 此项不接受「colour」", "搬迁与安置: 支付日期", "房屋面积置换: 缺少宅基地证面积"):
        assert text in shown, (text, shown)
    assert "depth_m" in refused.value.message and "homestead_certificate_area_m2" in refused.value.message


FILES = ["/tmp/x/安装 目录/王家 案件.v2.json", "nonexist.json", "items.json", "relocation"]


@pytest.mark.parametrize("file", FILES)
def test_a_file_named_in_a_place_is_shown_as_it_is_given(file):
    """A file's name was read as fields: …/安装 目录/王家 案件 v2 json, nonexist json, 补偿项目 json."""
    assert InputError("文件不存在", "file not found").in_file(file).shown == f"{file}: 文件不存在"
    at_head = CaseErrors([InputError("应为文字", "must be text", "household.head")]).in_file(file)
    assert at_head.shown == f"{file} 户主信息 户主: 应为文字"
    assert at_head.message.startswith(f"{file} household.head: ")   # the English half as it was
    assert StoreError("项目文件不存在", "the project file does not exist", file=file).shown == f"{file}: 项目文件不存在"


def test_a_project_file_that_cannot_be_opened_is_named_as_it_is_given(tmp_path):
    project = tmp_path / "安装 目录" / "王家 项目.v2.landcomp"
    project.parent.mkdir()
    project.write_bytes(b"not a database")
    with pytest.raises(StoreError) as refused:
        open_project(project)
    assert refused.value.shown.startswith(f"{project}: ")
    backup = tmp_path / "安装 目录" / "王家 items v2\t.landcomp"   # a backup's name refused: said as it is given too
    with pytest.raises(InputError) as refused:
        ledger_actions._audited(backup)
    assert refused.value.shown == f"{backup}: 文件名含有制表符(Tab) U+0009,请删除"
