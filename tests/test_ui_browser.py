"""The schedule browser (标准查阅): search by Chinese text, provenance, the land tables' notes."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

import tables
from ui.land_workspace import VALUE_ROLE, RangeModel
from ui.schedule_browser import ItemsModel, ScheduleBrowser


@pytest.fixture
def browser(qtbot):
    widget = ScheduleBrowser()
    qtbot.addWidget(widget)
    return widget


def test_every_schedule_row_is_listed(browser):
    assert browser.items_model.rowCount() == len(tables.load_schedule().items)
    assert browser.items_proxy.rowCount() == browser.items_model.rowCount()


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
    item = tables.load_schedule().item("菜窖/砖石")
    browser.set_search(item.source.split()[-1])
    assert "菜窖/砖石" in browser.visible_keys()


def test_selected_row_shows_provenance_rule_table_and_reading(browser, qtbot):
    browser.set_search("菜窖")
    keys = browser.visible_keys()
    row = keys.index("菜窖/砖石")
    browser.items_view.selectRow(row)
    qtbot.waitUntil(lambda: "菜窖/砖石" in browser.detail_title.text())
    item = tables.load_schedule().item("菜窖/砖石")
    assert "文政发〔2023〕6号" in browser.provenance_label.text()
    assert item.source in browser.provenance_label.text()
    assert item.reading and item.reading in browser.reading_label.text()
    assert browser.detail_model.rowCount() == 4
    assert "90" in browser.detail_model.index(0, 1).data()
    assert "深度" in browser.params_label.text()
    summary = browser.items_proxy.index(row, ItemsModel.RATE).data()
    assert summary.startswith("深度")


def test_every_rule_kind_renders_a_detail(browser):
    for key in browser.items_model.items and [i.key for i in browser.items_model.items]:
        browser.show_item(key)
        assert browser.detail_model.rowCount() >= 1, key


def test_land_tab_has_all_rows_and_both_discrepancy_notes(browser):
    land = tables.load_land_table()
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
