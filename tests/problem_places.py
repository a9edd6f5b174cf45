"""Faults of every kind, for the tests of where a problem is shown: tests/test_problem_places.py (the engine's
places and the survey's columns, without Qt) and tests/ui/test_ui_problem_places.py (the item table's cells).

Each fault names the field it is about and the column that shows it, by the column's heading; `wording`
runs a test with the messages as the code writes them and again with every text reworded into words
that name other fields, so that a placement read from the wording would move.
"""
from __future__ import annotations

import pytest

from calculator.engine import lines as engine_lines
from calculator.core.errors import CalculationError, CaseWarning
from calculator.engine.schedules import load_schedule

SCHEDULE = load_schedule()
HOUSE, CELLAR, GRAPE, SHED = "附属平房/砖混结构", "菜窖/砖石", "葡萄", "歇厦、雨搭"
STEPS, ASSESSED, DITCH = "室外台阶或楼梯/砖台阶", "评估项/地下室", "不予补偿/废渠"

# What is wrong, the case's lines, and for each faulty line: (its field, the item table's column and the
# survey's column, each by its heading).
LINE_FAULTS = [
    ("a rate outside the range without a reason", [{"item": HOUSE, "quantity": "8", "rate": "9000"}],
     {0: ("rate", "单价(元)", "单价")}),
    ("a rate that is no number", [{"item": HOUSE, "quantity": "8", "rate": "abc"}], {0: ("rate", "单价(元)", "单价")}),
    ("a negative rate", [{"item": HOUSE, "quantity": "8", "rate": "-5"}], {0: ("rate", "单价(元)", "单价")}),
    ("a quantity of zero", [{"item": HOUSE, "quantity": "0"}], {0: ("quantity", "数量", "数量")}),
    ("no quantity", [{"item": HOUSE}], {0: ("quantity", "数量", "数量")}),
    ("a quantity past its limit", [{"item": HOUSE, "quantity": "2000000"}], {0: ("quantity", "数量", "数量")}),
    # the item table has no cell for a field the item does not take; the survey has its column
    ("a value the item does not take", [{"item": HOUSE, "quantity": "8", "depth_m": "1"}],
     {0: ("depth_m", "种类/规格", "深度(m)")}),
    ("an amount past the limit", [{"item": HOUSE, "quantity": "1000", "rate": "2000000000", "override_reason": "核实"}],
     {0: ("rate", "单价(元)", "单价")}),
    ("no depth", [{"item": CELLAR, "quantity": "8"}], {0: ("depth_m", "参数", "深度(m)")}),
    ("a depth of zero", [{"item": CELLAR, "quantity": "8", "depth_m": "0"}], {0: ("depth_m", "参数", "深度(m)")}),
    ("a stage not listed", [{"item": GRAPE, "quantity": "2", "stage": "老树"}], {0: ("stage", "参数", "生长期")}),
    ("an unknown host", [{"item": SHED, "quantity": "2", "attached_to": "无此房屋"}],
     {0: ("attached_to", "参数", "依附房屋")}),
    ("a host that is no house", [{"item": SHED, "quantity": "2", "attached_to": CELLAR}],
     {0: ("attached_to", "参数", "依附房屋")}),
    ("a host priced at two rates", [{"item": HOUSE, "quantity": "8", "rate": "700"},
                                    {"item": HOUSE, "quantity": "9", "rate": "800"},
                                    {"item": SHED, "quantity": "2", "attached_to": HOUSE}],
     {2: ("attached_to", "参数", "依附房屋")}),
    ("a host whose own rate is refused", [{"item": HOUSE, "quantity": "8", "rate": "9000"},
                                          {"item": SHED, "quantity": "2", "attached_to": HOUSE}],
     {0: ("rate", "单价(元)", "单价"), 1: ("attached_to", "参数", "依附房屋")}),
    ("a decoration outside its range", [{"item": STEPS, "quantity": "2", "decoration_pct": "50"}],
     {0: ("decoration_pct", "参数", "装潢增加(%)")}),
    ("no assessed amount", [{"item": ASSESSED, "basis": "评估报告"}], {0: ("amount", "单价(元)", "评估金额(元)")}),
    ("no basis", [{"item": ASSESSED, "amount": "5000"}], {0: ("basis", "参数", "依据")}),
    ("an assessed amount past the limit", [{"item": ASSESSED, "amount": "2000000000000", "basis": "评估报告"}],
     {0: ("amount", "单价(元)", "评估金额(元)")}),
    ("an assessed item counted twice", [{"item": ASSESSED, "amount": "5000", "basis": "评估报告", "quantity": "2"}],
     {0: ("quantity", "数量", "数量")}),
    # "takes an amount, not a rate": the rate is the value that must go, in 单价 in the survey and the table alike
    ("a rate on an assessed item", [{"item": ASSESSED, "amount": "5000", "basis": "评估报告", "rate": "5"}],
     {0: ("rate", "单价(元)", "单价")}),
    ("a rate on a line never compensated", [{"item": DITCH, "rate": "5"}], {0: ("rate", "单价(元)", "单价")}),
    ("a 房屋面积置换 row as a line", [{"item": "房屋面积置换/正房", "quantity": "5"}], {0: ("item", "种类/规格", "项目")}),
    ("an unknown item", [{"item": "不存在的项目", "quantity": "1"}], {0: ("item", "种类/规格", "项目")}),
]
# Faults only a case file can hold (the survey reads these cells itself): the item table's column by its heading.
FILE_FAULTS = [
    ("no item", [{"quantity": "1"}], {0: ("item", "种类/规格")}),
    ("a reason that is no text", [{"item": HOUSE, "quantity": "8", "rate": "9000", "override_reason": 5}],
     {0: ("override_reason", "单价(元)")}),
    ("a disputed flag that is no flag", [{"item": HOUSE, "quantity": "8", "disputed": "yes"}],
     {0: ("disputed", "有争议")}),
    ("a note that is no text", [{"item": HOUSE, "quantity": "8", "note": 5}], {0: ("note", "备注")}),
]
# Faults of the case's blocks: (block, field, the survey's column).
BLOCK_FAULTS = [
    ("relocation without its area", {"relocation": {"paid_on": "2023-06-28"}},
     ("relocation", "building_area_m2", "建筑面积(m²)")),
    ("more months without hardship", {"relocation": {"building_area_m2": "100", "extra_months": "3"}},
     ("relocation", "extra_months", "增加安置月数")),
    ("paid before signing", {"relocation": {"building_area_m2": "100", "signed_on": "2023-06-20", "paid_on": "2023-06-10"}},
     ("relocation", "paid_on", "支付日期")),
    ("moved before signing", {"relocation": {"building_area_m2": "100", "signed_on": "2023-06-20", "moved_on": "2023-06-10"}},
     ("relocation", "moved_on", "搬迁日期")),
    ("a replacement area missing", {"replacement": {"main_house_area_m2": "100", "main_house_footprint_m2": "80"}},
     ("replacement", "homestead_certificate_area_m2", "宅基地证面积(m²)")),
    ("a negative footprint", {"replacement": {"main_house_area_m2": "100", "main_house_footprint_m2": "-1",
                                              "homestead_certificate_area_m2": "200"}},
     ("replacement", "main_house_footprint_m2", "正房占地面积(m²)")),
]
# Words naming other fields, so that a placement read from the text would move.
REWORDED = ("改写:数量 单价 评估金额 依附房屋 项目 深度", "reworded: quantity rate amount host attached_to depth_m item not a rate")


@pytest.fixture(params=["as written", "reworded"])
def wording(request, monkeypatch):
    """Messages as the code writes them, or every error's and warning's text and every line's place reworded."""
    if request.param == "reworded":
        error_init, warning_init = CalculationError.__init__, CaseWarning.__init__

        def error(self, zh, en, where="", **places):
            error_init(self, *REWORDED, where, **places)

        def warning(self, zh, en, where="", **places):
            warning_init(self, *REWORDED, where, **places)

        monkeypatch.setattr(CalculationError, "__init__", error)
        monkeypatch.setattr(CaseWarning, "__init__", warning)
        monkeypatch.setattr(engine_lines, "where", lambda index, raw: "别处 quantity rate")
    return request.param
