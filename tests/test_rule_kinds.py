"""Every rule kind owns everything about its kind (calculator/rules/__init__.py): a new kind is one module.

A contract test loops over every kind and every schedule row through the shared interface; one
worked row per kind pins what listings and the item table show; and no code outside the rule
modules may decide by a kind's name.
"""
from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from calculator.engine.schedules import load_schedule
from calculator.app.actions import host_choices, line_fields, pickable
from calculator.engine.case import Case
from calculator.engine.catalog import rate_summary, relocation_items
from calculator.core.pricing import Param
from calculator.rules import KINDS

ROOT = Path(__file__).resolve().parent.parent
SCHEDULE = load_schedule()
ROWS = list(SCHEDULE.items.values()) + list(relocation_items(SCHEDULE))
FUNCTIONS = ("parse", "params", "price", "describe", "summary", "detail_rows", "hosts")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_declares_the_whole_interface(kind):
    module = KINDS[kind]
    assert module.KIND == kind
    assert module.LABEL and not module.LABEL.isascii()   # shown in the browser's 计算方式 column
    assert {type(module.CASE_LINE), type(module.TAKES_QUANTITY), type(module.USES_OTHER_LINES)} == {bool}
    assert module.RATE_FIELD in ("rate", "amount", None)
    for name in FUNCTIONS:
        function = getattr(module, name)
        assert callable(function) and function.__doc__, f"{kind}.{name}"
    assert any(item.kind == kind for item in SCHEDULE.items.values())   # the contract below meets every kind


def test_kinds_are_told_apart_by_their_labels():
    assert len({module.LABEL for module in KINDS.values()}) == len(KINDS) == 11


def _figures(data) -> set[str]:
    """Every rate figure a rule's describe() data holds (rate, range, stage prices), as the data file writes it."""
    if isinstance(data, list):
        return set().union(*map(_figures, data)) if data else set()
    if not isinstance(data, dict):
        return set()
    found = {data["rate"]} if isinstance(data.get("rate"), str) else set()
    found |= set(data.get("range", ()))
    found |= set(data.get("stages", {}).values())
    return found.union(*(_figures(value) for key, value in data.items() if key != "stages"))


@pytest.mark.parametrize("item", ROWS, ids=[item.key for item in ROWS])
def test_every_row_answers_through_its_kind(item):
    rule = KINDS[item.kind]
    assert item.rule is rule
    params = rule.params(item.spec)
    assert all(isinstance(p, Param) and p.name in SCHEDULE.params for p in params)
    assert rule.RATE_FIELD is None or rule.RATE_FIELD == "rate" or rule.RATE_FIELD in {p.name for p in params}

    summary = rate_summary(item, SCHEDULE)
    rows = rule.detail_rows(item.spec, item.unit, SCHEDULE)
    assert isinstance(summary, str) and summary
    assert rows and all(isinstance(cell, str) and cell for row in rows for cell in row) and {len(r) for r in rows} == {2}
    shown = summary + " ".join(cell for row in rows for cell in row)
    assert all(figure in summary and figure in shown for figure in _figures(rule.describe(item.spec))), summary

    hosts = rule.hosts(item.spec, SCHEDULE.items.values())
    assert hosts is None or (hosts and all(SCHEDULE.items[host.key] is host for host in hosts))
    fields = line_fields(item)
    assert (fields.quantity, fields.rate_field) == (rule.TAKES_QUANTITY, rule.RATE_FIELD)
    assert [p.name for p in fields.params] == [p.name for p in params if p.name != rule.RATE_FIELD]
    assert (item in pickable(SCHEDULE)) == (rule.CASE_LINE and item.key in SCHEDULE.items)


# One worked row per kind: its 计算方式, its summary, its line's cells (数量 typed, what 单价 edits, the 参数).
WORKED = [
    ("附属平房/砖混结构", "单价", "700–800 元/m²", (True, "rate", [])),
    ("基础/未竣工砖房基础", "按高度折算", "120–150 元/m²,高度不足1m按比例折算", (True, "rate", ["height_m"])),
    ("室外台阶或楼梯/砖台阶", "单价+装潢增加", "50–60 元/m²,有装潢增加20–40%", (True, "rate", ["decoration_pct"])),
    ("菜窖/砖石", "分档", "深度(m) ≤1.2→90; (1.2, 1.5]→130; (1.5, 2]→170; >2→200 元/m²", (True, "rate", ["depth_m"])),
    ("用材树/杨树", "分档+递增", "直径(cm) ≤7→25; (7, 15]→92; (15, 25)→192; ≥25→240 元/株,10以上每整1加10元",
     (True, "rate", ["diameter_cm"])),
    ("机井/钢管机井", "按米", "≤200m 1100; >200m 1200 元/米(井深)", (True, "rate", ["depth_m"])),
    ("葡萄", "按生长期", "未挂果 30; 初果期 80; 中果期 240; 盛果期 400 元/架", (True, "rate", ["stage"])),
    ("歇厦、雨搭", "依附房屋比例", "依附房屋单价的50%", (True, "rate", ["attached_to"])),
    ("评估项/地下室", "评估", "评估金额(须注明依据)", (False, "amount", ["basis"])),
    ("不予补偿/废渠", "不予补偿", "不予补偿 0", (True, None, [])),
    ("房屋面积置换/宅基地", "面积置换", "置换比例 1:0.4", (True, "rate", [])),
]


def test_the_worked_rows_cover_every_kind():
    assert {SCHEDULE.items[key].kind for key, *_ in WORKED} == set(KINDS)


@pytest.mark.parametrize("key, label, summary, cells", WORKED, ids=[w[0] for w in WORKED])
def test_a_worked_row_of_each_kind(key, label, summary, cells):
    item = SCHEDULE.items[key]
    assert item.rule.LABEL == label
    assert rate_summary(item, SCHEDULE) == summary
    fields = line_fields(item)
    assert (fields.quantity, fields.rate_field, [p.name for p in fields.params]) == cells


def test_bracketed_kinds_list_each_bracket_as_a_row():
    def rows(key):
        item = SCHEDULE.items[key]
        return item.rule.detail_rows(item.spec, item.unit, SCHEDULE)
    assert rows("菜窖/砖石") == [("深度 ≤1.2", "90 元/m²"), ("深度 (1.2, 1.5]", "130 元/m²"),
                               ("深度 (1.5, 2]", "170 元/m²"), ("深度 >2", "200 元/m²")]
    assert rows("用材树/杨树")[-1] == ("直径 10 以上", "每整 1 加 10 元")
    assert rows("机井/钢管机井") == [("深度 ≤200", "1100 元/米"), ("深度 >200", "1200 元/米")]
    assert rows("葡萄")[1] == ("生长期 初果期", "80 元/架")


def test_a_shed_attaches_to_the_twelve_houses_priced_per_m2():
    item = SCHEDULE.items["歇厦、雨搭"]
    hosts = [host.key for host in item.rule.hosts(item.spec, SCHEDULE.items.values())]
    # 14 rows of 附属平房, 窑洞, 简易房 and 企业厂房; 窑洞/废弃窑洞 and 简易房/废弃简易房 are priced per 间
    assert len(hosts) == 12 and "附属平房/砖混结构" in hosts and "窑洞/废弃窑洞" not in hosts
    case = Case(items=[{"item": "窑洞/砖石窑洞", "quantity": "30"}, {"item": "歇厦、雨搭", "attached_to": "窑洞/砖石窑洞"}])
    assert host_choices(case, SCHEDULE, 1) == (["窑洞/砖石窑洞"], [key for key in hosts if key != "窑洞/砖石窑洞"])
    assert all(KINDS[kind].hosts(None, SCHEDULE.items.values()) is None for kind in KINDS if kind != "share_of_host")


def test_an_assessed_row_is_one_amount():
    item = SCHEDULE.items["评估项/地下室"]
    assert item.quantity_default == Decimal(1) and not item.rule.TAKES_QUANTITY


def _kind_decisions(path: Path) -> list[str]:
    """Places in a file that decide by a kind's name (item.kind == "staged") or a kind's spec (hasattr …)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            names = [n.value for side in sides for n in ast.walk(side) if isinstance(n, ast.Constant) and n.value in KINDS]
            if names and any(isinstance(side, ast.Attribute) and side.attr == "kind" for side in sides):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} kind == {names[0]!r}")
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "hasattr" and "spec" in ast.unparse(node.args[0]):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} hasattr({ast.unparse(node.args[0])}, …)")
    return found


def test_no_code_outside_the_rule_modules_decides_by_kind():
    rules = ROOT / "calculator" / "rules"
    files = [path for folder in ("calculator", "tables", "ui") for path in (ROOT / folder).rglob("*.py")
             if rules not in path.parents]
    assert len(files) > 50
    assert [place for path in files for place in _kind_decisions(path)] == []


def test_every_detail_row_reads_in_chinese_not_as_the_data_file_names_it():
    """标准查阅 showed range | 120、150, prorated_by | height_m, measure | main_house_area_m2: the data file's keys."""
    import re
    item = SCHEDULE.items["基础/未竣工砖房基础"]
    assert item.rule.detail_rows(item.spec, item.unit, SCHEDULE) == [
        ("单价区间", "120–150 元/m²"), ("按此折算", "高度(m)"), ("达到此值按全价", "1 m")]
    item = SCHEDULE.items["房屋面积置换/宅基地"]
    assert item.rule.detail_rows(item.spec, item.unit, SCHEDULE) == [
        ("比例", "0.4"), ("按此面积", "宅基地证面积"), ("扣除", "正房占地面积")]
    for item in ROWS:
        for name, value in item.rule.detail_rows(item.spec, item.unit, SCHEDULE):
            assert not re.search(r"[a-z]{3,}", name + value.replace("元/", "")), (item.key, name, value)
