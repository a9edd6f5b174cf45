"""calculator.app.actions, the GUI's pure edits of a case, without Qt: paths set and undone, lines taken out
and put back, the building area, hosts, the standard a line is priced against and when a reason is needed."""
from __future__ import annotations

import json
from decimal import Decimal

from calculator.app import actions
from calculator.app.actions import ABSENT
from calculator.engine.case import Case, case_from_json
from calculator.engine.schedules import load_schedule
from households import EXAMPLE

SCHEDULE = load_schedule()


def example() -> Case:
    return case_from_json(EXAMPLE.read_text(encoding="utf-8"))


def test_set_value_returns_what_it_replaced_and_absent_removes():
    case = Case()
    assert actions.set_value(case, ("relocation", "paid_on"), "2023-06-28") is ABSENT
    assert case.relocation == {"paid_on": "2023-06-28"}
    assert actions.set_value(case, ("relocation", "paid_on"), ABSENT) == "2023-06-28"
    assert case.relocation is None                      # an emptied block is "not entered" again
    assert actions.set_value(case, ("assessed_on",), "2023-06-12") is ABSENT
    assert actions.get_value(case, ("assessed_on",)) == "2023-06-12"
    case.items.append(actions.new_line("菜窖/砖石"))
    actions.set_value(case, ("items", 0, "depth_m"), "1.6")
    assert case.items == [{"item": "菜窖/砖石", "depth_m": "1.6"}]


def test_remove_and_restore_lines_keep_their_places():
    case = example()
    before = [dict(line) for line in case.items]
    removed = actions.remove_lines(case, [5, 1, 30])
    assert [i for i, _ in removed] == [1, 5, 30] and len(case.items) == 32
    actions.restore_lines(case, removed)
    assert case.items == before


def test_house_area_sums_houses_and_the_main_house():
    case = example()
    assert actions.house_area(case, SCHEDULE) == Decimal("86.40") + Decimal("24.60") + Decimal("42.00") + Decimal("110.40")
    assert actions.house_area(Case(), SCHEDULE) == 0


def test_host_choices_put_this_cases_houses_first():
    case = example()
    on_case, others = actions.host_choices(case, SCHEDULE, 3)
    assert on_case == ["附属平房/砖混结构", "附属平房/砖木结构(含混合结构)", "窑洞/砖石窑洞"]
    assert "企业厂房/钢结构" in others and "窑洞/废弃窑洞" not in others   # per-间 rows cannot be hosts
    assert actions.host_choices(case, SCHEDULE, 0) == ([], [])


def test_an_item_given_as_a_list_or_an_object_in_a_case_file_names_no_row():
    """A case file may hold anything as a line's item; the 补偿测算 tab still sums the area and offers hosts
    (the line itself is refused by its pricing), where the lookup used to raise TypeError (unhashable)."""
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for junk in (["附属平房/砖混结构"], {"item": "附属平房/砖混结构"}):
        data["items"][0]["item"] = junk
        case = case_from_json(json.dumps(data, ensure_ascii=False))
        assert actions.house_area(case, SCHEDULE) == Decimal("24.60") + Decimal("42.00") + Decimal("110.40")
        assert actions.host_choices(case, SCHEDULE, 0) == ([], [])
        on_case, others = actions.host_choices(case, SCHEDULE, 3)  # 歇厦 no longer finds its 砖混 house on the case
        assert on_case == ["附属平房/砖木结构(含混合结构)", "窑洞/砖石窑洞"] and "附属平房/砖混结构" in others


def test_reason_required_only_outside_the_standard():
    case = example()
    assert actions.reason_required(case, SCHEDULE, 0, {"rate": "790"}) is None
    assert actions.reason_required(case, SCHEDULE, 0, {"rate": "900"}).zh.endswith("须填写超标准理由")  # no field key in the Chinese
    assert actions.reason_required(case, SCHEDULE, 17, {"rate": "5000"}) is None   # already has a reason
    case.items[0]["override_reason"] = "\u3164"   # a filler from a file: no reason, so one is asked for
    assert actions.reason_required(case, SCHEDULE, 0, {"rate": "900"}) is not None
    assert "装潢增加比例" in actions.reason_required(case, SCHEDULE, 7, {"decoration_pct": "45"}).zh
    assert actions.reason_required(case, SCHEDULE, 9, {"depth_m": "0"}) is None    # wrong, but not for a reason


def test_line_fields_and_standards():
    fields = actions.line_fields(SCHEDULE.items["评估项/地下室"])
    assert (fields.quantity, fields.rate_field, [p.name for p in fields.params]) == (False, "amount", ["basis"])
    assert actions.line_fields(SCHEDULE.items["不予补偿/废渠"]).rate_field is None
    assert actions.line_standard(example(), SCHEDULE, 3).low == Decimal("380.00")  # half the host's 760
    assert all(item.kind != "area_replacement" for item in actions.pickable(SCHEDULE))
