"""The schedule browser (标准查阅): search by Chinese text, provenance, the land tables' notes."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from calculator.core.money import fmt_plain
from calculator.engine.schedules import load_land_table, load_schedule
from ui.land_ranges import RangeModel
from ui.schedule_browser import ItemsModel, ScheduleBrowser
from ui.table_model import VALUE_ROLE


@pytest.fixture
def browser(qtbot):
    widget = ScheduleBrowser()
    qtbot.addWidget(widget)
    return widget


def test_every_schedule_row_is_listed(browser):
    schedule = load_schedule()
    keys = browser.visible_keys()
    assert len(keys) == browser.items_model.rowCount() == len(schedule.items) + 3  # + 三's three allowances
    assert set(schedule.items) < set(keys)


def test_relocation_rows_sit_under_section_three(browser):
    sections = [browser.items_proxy.index(r, ItemsModel.SECTION).data() for r in range(browser.items_proxy.rowCount())]
    first = sections.index("三")
    assert sections[first:first + 3] == ["三"] * 3 and sections.count("三") == 3
    assert sections[first - 1] == "二" and sections[first + 3] == "评估项"
    assert sorted(browser.items_model.relocation_parts.values()) == ["incentive", "moving", "temporary"]


def test_typing_yang_shows_poplar(browser, qtbot):
    browser.search_edit.insert("杨")  # QTest.keyClicks cannot type CJK; insert() is what an IME commit does
    keys = browser.visible_keys()
    assert "用材树/杨树" in keys
    assert "附属平房/砖混结构" not in keys


def test_brick_concrete_shows_both_rows(browser, qtbot):
    browser.search_edit.insert("砖混")
    keys = browser.visible_keys()
    assert {"附属平房/砖混结构", "企业厂房/砖混框架结构"} <= set(keys)
    assert len(keys) < browser.items_model.rowCount()
    browser.search_edit.clear()
    assert browser.items_proxy.rowCount() == browser.items_model.rowCount()


def test_source_wording_is_searchable(browser):
    item = load_schedule().items["菜窖/砖石"]
    browser.set_search(item.source.split()[-1])
    assert "菜窖/砖石" in browser.visible_keys()


def test_selected_row_shows_provenance_rule_table_and_reading(browser, qtbot):
    browser.set_search("菜窖")
    keys = browser.visible_keys()
    row = keys.index("菜窖/砖石")
    browser.items_view.selectRow(row)
    qtbot.waitUntil(lambda: "菜窖/砖石" in browser.detail_title.text())
    item = load_schedule().items["菜窖/砖石"]
    assert "文政发〔2023〕6号" in browser.provenance_label.text()
    assert item.source in browser.provenance_label.text()
    assert item.reading_zh and item.reading_zh in browser.reading_label.text()
    assert item.reading not in browser.reading_label.text()   # the English reading is provenance, not shown
    assert browser.detail_model.rowCount() == 4
    assert "90" in browser.detail_model.index(0, 1).data()
    assert "深度" in browser.params_label.text()
    summary = browser.items_proxy.index(row, ItemsModel.RATE).data()
    assert summary.startswith("深度")


def _figures(data) -> set[str]:
    """Every rate a row's describe() data holds (a rate, a range's ends, a stage's price, a ratio), as written."""
    if isinstance(data, list):
        return set().union(*map(_figures, data)) if data else set()
    if not isinstance(data, dict):
        return set()
    found = {data[key] for key in ("rate", "ratio") if isinstance(data.get(key), str)}
    found |= set(data.get("range", ())) | set(data.get("stages", {}).values())
    return found.union(*(_figures(value) for key, value in data.items() if key != "stages"))


def test_every_row_shows_each_of_its_rates_in_its_detail(browser):
    keys = [item.key for item in browser.items_model.items]
    assert len(keys) == 158  # the schedule's 155 rows and 三's three allowances
    for key in keys:
        browser.show_item(key)
        item = browser.items_model.by_key[key]
        cells = " ".join(browser.detail_model.index(r, c).data() for r in range(browser.detail_model.rowCount())
                         for c in range(2))
        figures = _figures(item.rule.describe(item.spec))
        assert cells.strip() and {f for f in figures if f not in cells} == set(), key


def test_land_tab_has_all_rows_and_both_discrepancy_notes(browser):
    land = load_land_table()
    assert browser.land_proxy.rowCount() == 16
    notes = browser.land_notes_label.text()
    assert "工业用地 4级" in notes and "公共管理与公共服务用地 2级" in notes
    assert land.document in browser.land_label.text() and "2022-06-01" in browser.land_label.text()
    flagged = [r for r in range(browser.land_model.rowCount())
               if browser.land_model.index(r, RangeModel.NOTE).data(VALUE_ROLE)]
    assert [(browser.land_model.row_at(r).use, browser.land_model.row_at(r).grade) for r in flagged] == [
        ("工业用地", 4), ("公共管理与公共服务用地", 2)]
    tip = browser.land_model.index(flagged[0], RangeModel.UPPER_PCT).data(Qt.ItemDataRole.ToolTipRole)
    assert "15.32" in tip


def test_search_filters_land_rows_too(browser):
    browser.set_search("住宅用地")
    assert browser.land_proxy.rowCount() == 4


# ---------------------------------------------------------------- 三、搬迁与安置 ([relocation.*])

def _detail(browser) -> list[tuple[str, str]]:
    model = browser.detail_model
    return [(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())]


def _edge(brackets, i) -> str:
    """A bracket's bounds written from its data: upto is ≤ and below is <; the lower bound is the previous upper."""
    b, prev = brackets[i], brackets[i - 1] if i else None
    if prev is None:
        return f"{'≤' if b.inclusive else '<'}{fmt_plain(b.upper)}"
    if b.upper is None:
        return f"{'>' if prev.inclusive else '≥'}{fmt_plain(prev.upper)}"
    return f"{'(' if prev.inclusive else '['}{fmt_plain(prev.upper)}, {fmt_plain(b.upper)}{']' if b.inclusive else ')'}"


@pytest.mark.parametrize("part, word", [("moving", "搬迁补助"), ("temporary", "临时安置"), ("incentive", "奖励")])
def test_relocation_bracket_is_found_by_chinese_text_and_shows_the_loaded_table(browser, qtbot, part, word):
    schedule = load_schedule()
    rule = getattr(schedule.relocation, part)
    browser.search_edit.insert(word)
    keys = browser.visible_keys()
    found = [k for k in keys if browser.items_model.relocation_parts.get(k) == part]
    assert len(found) == 1, keys
    browser.items_view.selectRow(keys.index(found[0]))
    qtbot.waitUntil(lambda: found[0] in browser.detail_title.text())

    rows = _detail(browser)
    label = schedule.params[rule.param].label
    for i, b in enumerate(rule.brackets):
        condition, standard = rows[i]
        assert condition == f"{label} {_edge(rule.brackets, i)}"
        assert standard.startswith(f"{b.rate.low} 元/")  # the amount as the data file writes it
        if b.times:
            times = schedule.params[b.times]
            assert f"元/{times.unit} × {times.label}" in standard
    summary = browser.items_proxy.index(keys.index(found[0]), ItemsModel.RATE).data()
    assert all(str(b.rate.low) in summary for b in rule.brackets)

    provenance = browser.provenance_label.text()
    assert schedule.document in provenance and "三" in provenance and rule.source in provenance
    assert (rule.reading_zh or "按原文") in browser.reading_label.text()
    assert label in browser.params_label.text() and "不作为项目行" in browser.params_label.text()


def test_temporary_allowance_shows_its_months_and_the_hardship_extension(browser):
    schedule = load_schedule()
    key = next(k for k, part in browser.items_model.relocation_parts.items() if part == "temporary")
    browser.show_item(key)
    rows = dict(_detail(browser))
    assert rows["乘以"] == f"{schedule.relocation.months}个月"
    assert rows["唯一住房,临时安置确有困难"] == f"可增加至多 {schedule.relocation.max_extra_months} 个月"
    assert f"× {schedule.relocation.months}个月" in browser.items_model.index(
        browser.items_model.items.index(browser.items_model.by_key[key]), ItemsModel.RATE).data()


def test_relocation_figures_match_the_source_document(browser):
    keys = {part: key for key, part in browser.items_model.relocation_parts.items()}
    browser.show_item(keys["moving"])
    # sources/wenshui-wenzhengfa-2023-6-baozi-compensation.txt line 243, 三(一): "建筑面积 ≤30m² 一次性支付
    # 300 元补助, 建筑面积 >30m² 按 10 元 / m^2 补助一次性支付一次补助费"
    assert _detail(browser) == [("建筑面积 ≤30", "300 元/户"), ("建筑面积 >30", "10 元/m² × 建筑面积(每户)")]
    browser.show_item(keys["temporary"])
    # line 245–247, 三(二): "一次性支付 24 个月临时安置补助 … ≤30m² 按 200 元 / 月补助, … >30m² 按 6 元 / m^2
    # 每月补助; … 唯一住房的拆迁户,临时安置确有困难的 … 适当增加 24 个月"
    assert _detail(browser) == [("建筑面积 ≤30", "200 元/月"), ("建筑面积 >30", "6 元/m² × 建筑面积(每月)"),
                                ("乘以", "24个月"), ("唯一住房,临时安置确有困难", "可增加至多 24 个月")]
    browser.show_item(keys["incentive"])
    # line 249, 三(三): "(30 日内)主动搬迁的可另外享受 5 万元的奖励; … (45 日内)… 3 万元的奖励; 超出规定时间 … 不享受"
    assert _detail(browser) == [("搬迁天数 ≤30", "50000 元/户"), ("搬迁天数 (30, 45]", "30000 元/户"),
                                ("搬迁天数 >45", "0 元/户")]


def test_section_title_finds_all_three_allowances_and_not_the_livestock_rows(browser):
    browser.set_search("搬迁与安置")
    assert sorted(browser.items_model.relocation_parts[k] for k in browser.visible_keys()) == [
        "incentive", "moving", "temporary"]
    browser.set_search("临时安置")
    assert set(browser.visible_keys()) == {"养殖临时安置补助", "搬迁与安置/临时安置补助"}


def test_per_square_metre_bracket_names_its_measure(browser):
    browser.show_item("养殖搬迁补助")
    assert _detail(browser)[1] == ("面积 >30", "7 元/m² × 面积(每处)")  # not the raw key area_m2
    browser.show_item("养殖临时安置补助")
    assert ("乘以", "一次性补助3个月") in _detail(browser)


def test_the_reading_is_shown_in_chinese(browser, qtbot):
    browser.set_search("养殖临时安置补助")
    keys = browser.visible_keys()
    browser.items_view.selectRow(keys.index("养殖临时安置补助"))
    qtbot.waitUntil(lambda: "养殖临时安置补助" in browser.detail_title.text())
    assert browser.reading_label.text() == (
        "适用解读: 数量 = 处数,面积 = 每处的面积;补助 = 3个月 × 每月标准(面积 <30 m²:每处每月300元;"
        "面积 ≥30 m²:按面积每平方米每月4元)")
    for key in (item.key for item in browser.items_model.items):   # no row shows English words (R3, m², cm pass)
        browser.show_item(key)
        assert not re.search(r"[A-Za-z]{3,}", browser.reading_label.text()), key


def test_browser_is_a_main_window_tab_with_a_searchable_box(browser, qtbot):
    from ui.workspace import Workspace
    assert isinstance(browser, Workspace) and browser.title == "标准查阅" and browser.undo_stack() is None
    browser.set_search("菜窖")
    browser.focus_search()
    assert browser.focusWidget() is browser.search_edit and browser.search_edit.selectedText() == "菜窖"


def test_a_search_shows_its_first_match_at_once(browser):
    browser.set_search("临时安置")
    first = browser.visible_keys()[0]
    assert first == "养殖临时安置补助"
    assert browser.detail_title.text().startswith(first)


def test_enter_adds_the_item_typed_not_the_row_above_it_nor_the_one_picked_before(browser, qtbot):
    """国槐 typed listed 杨树, 柳树, 国槐 with 杨树 picked, and Enter added 杨树 (92 元/株 at 10 cm, 国槐 450); typed
    again after 柳 had been searched, 柳树 stayed picked and was added."""
    added = []
    browser.add_requested.connect(added.append)
    for typed, meant in (("国槐", "用材树/国槐"), ("柳", "用材树/柳树"), ("国槐", "用材树/国槐")):
        browser.search_edit.selectAll()
        browser.search_edit.insert(typed)   # as an input method commits it
        assert browser.visible_keys()[0] == "用材树/杨树" or typed == "柳"
        qtbot.keyClick(browser.search_edit, Qt.Key.Key_Return)
        assert added[-1] == meant and browser.detail_title.text().startswith(meant)
    assert len(added) == 3


def test_the_browser_needs_nothing_of_the_land_tab():
    import subprocess
    import sys
    from pathlib import Path
    code = ("import sys, ui.schedule_browser;"
            " print(sorted(m for m in sys.modules if m == 'ui.land' or m.startswith('ui.land.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])  # the checkout, whose ui/ is the one tested
    assert out.stdout.strip() == "[]"


def test_a_search_come_back_to_is_typed_over_not_added_to(qtbot, window):
    """井 searched, another tab, back to 标准查阅 and 菜窖 typed: it searched 井菜窖."""
    from driver import type_text
    tabs = window.tabs
    browser_at = next(i for i in range(tabs.count()) if tabs.bar.tabText(i) == "标准查阅")
    tabs.setCurrentIndex(browser_at)
    browser = tabs.currentWidget()
    browser.focus_search()
    type_text(qtbot, browser.search_edit, "井")
    tabs.setCurrentIndex(0)
    tabs.setCurrentIndex(browser_at)
    browser.search_edit.setFocus()
    type_text(qtbot, browser.search_edit, "菜窖")
    assert browser.search_edit.text() == "菜窖"


def test_a_search_finding_no_item_shows_none_and_says_where_the_land_rows_are(browser, qtbot):
    """住宅 (the search box's own example) found no item: the one found before (简易房/简易非住房, for 住) stayed shown,
    添加到本户 enabled and doing nothing, and nothing said the 基准地价 page held 4 rows."""
    added = []
    browser.add_requested.connect(added.append)
    browser.search_edit.insert("住")
    assert browser.detail_title.text().startswith("简易房/简易非住房") and browser.add_button.isEnabled()
    browser.search_edit.insert("宅")
    assert browser.visible_keys() == [] and browser.detail_title.text() == "(没有找到符合的项目)"
    assert not browser.add_button.isEnabled() and browser.detail_model.rowCount() == 0
    assert browser.count_label.text() == "显示 0 / 158 行;「基准地价」页中有 4 行符合"
    qtbot.keyClick(browser.search_edit, Qt.Key.Key_Return)
    assert added == []
    browser.search_edit.clear()                               # a reviewer: 没有找到 stood over all 158 rows listed
    assert browser.detail_title.text() == "(请选择一行)" and browser.items_proxy.rowCount() == 158


def test_the_land_rows_are_found_by_the_short_use_name_table_1_writes(browser):
    """表1 heads 公共管理与公共服务用地 as 公服用地; searched for so, 标准查阅 found nothing."""
    browser.set_search("公服 二级")
    assert browser.land_proxy.rowCount() == 1
