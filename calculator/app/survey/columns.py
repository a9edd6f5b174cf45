"""The columns of 调查表, which the template writes and the reader reads: what each holds and how its cell is read.

The line and parameter columns are derived from the loaded schedule, so a revised schedule gives a
revised template, and a revised reading, without code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from calculator.app.actions import pickable
from calculator.engine.relocation import FIELDS as RELOCATION_FIELDS
from calculator.engine.replacement import AREA_LABELS, replacement_fields
from tables.schedule import Schedule

SURVEY_SHEET = "调查表"
GUIDE_SHEET = "填写说明"
ITEMS_SHEET = "项目清单"
YES, NO = "是", "否"

# Column kinds: how a cell is read.
TEXT, NUMBER, FLAG, DATE = "text", "number", "flag", "date"
# Column blocks: where a value goes in the case file of interfaces.md.
KEY, LINE, CASE = "number", "items", "case"
REQUIRED_HEADINGS = ("户号", "项目", "数量")

_RELOCATION_COLUMNS = {
    "building_area_m2": ("建筑面积", "m²", NUMBER, "被拆除房屋的建筑面积,按它计搬迁补助和临时安置补助"),
    "sole_housing_hardship": ("唯一住房困难", "", FLAG, "是/否;唯一住房且确有困难的,可增加临时安置月数"),
    "extra_months": ("增加安置月数", "", NUMBER, "整数 0–{max_extra};只有唯一住房困难为「是」时才可填"),
    "signed_on": ("签约日期", "", DATE, "日期;支付日期和搬迁日期不能早于它"),
    "paid_on": ("支付日期", "", DATE, "日期;搬迁奖励按支付日至搬迁日的天数计"),
    "moved_on": ("搬迁日期", "", DATE, "日期;未填支付日期或搬迁日期的不计搬迁奖励"),
}
_REPLACEMENT_COLUMNS = {
    "main_house_area_m2": (AREA_LABELS["main_house_area_m2"], "正房的实测建筑面积,按 1:1 置换"),
    "main_house_footprint_m2": (AREA_LABELS["main_house_footprint_m2"], "正房占地面积,从宅基地证面积中扣除"),
    "homestead_certificate_area_m2": (AREA_LABELS["homestead_certificate_area_m2"],
                                      "宅基地证载面积,扣除正房占地后按 1:0.4 置换"),
}


@dataclass(frozen=True)
class SurveyColumn:
    """One column of 调查表: its heading, where its value goes and how a cell is read."""

    heading: str
    block: str
    field: str
    kind: str
    help: str
    choices: tuple[str, ...] = ()
    label: str = ""


def survey_columns(schedule: Schedule) -> tuple[SurveyColumn, ...]:
    """Every column of 调查表 in order; the line parameters and both blocks come from the schedule."""
    columns = [
        SurveyColumn("户号", KEY, "number", TEXT, "必填。本项目内每户唯一的编号;同一户的各行填相同户号,不必相邻"),
        SurveyColumn("户主", "household", "head", TEXT, "户主姓名"),
        SurveyColumn("身份证号", "household", "id_number", TEXT, "户主居民身份证号(18位,按文本填写)"),
        SurveyColumn("地址", "household", "address", TEXT, "房屋地址"),
        SurveyColumn("电话", "household", "phone", TEXT, "联系电话"),
        SurveyColumn("案件编号", CASE, "case_id", TEXT, "不必填写:导入项目后以户号为案件编号(填了也以户号为准)"),
        SurveyColumn("测算日期", CASE, "assessed_on", DATE, "选填;日期"),
        SurveyColumn("评估人", "assessor", "name", TEXT, "评估人员姓名"),
        SurveyColumn("评估单位", "assessor", "organisation", TEXT, "评估机构名称"),
        SurveyColumn("项目", LINE, "item", TEXT, f"补偿项目,从下拉列表选择(与「{ITEMS_SHEET}」中的项目完全一致)"),
        SurveyColumn("数量", LINE, "quantity", NUMBER, "按该项目的单位计;按户计的项目可不填(按 1 计)"),
        SurveyColumn("单价", LINE, "rate", NUMBER,
                     "元/单位;区间计价的填区间内单价,不填按区间中值;超出标准须填「超标准理由」"),
    ]
    columns += _param_columns(schedule)
    columns += [
        SurveyColumn("超标准理由", LINE, "override_reason", TEXT, "单价超出标准时必填,写明理由(如评估报告页码)"),
        SurveyColumn("有争议", LINE, "disputed", FLAG, "是/否;「是」的项目列出金额,但不计入应付合计"),
        SurveyColumn("备注", LINE, "note", TEXT, "该项目的说明"),
    ]
    max_extra = schedule.relocation.max_extra_months
    for name in RELOCATION_FIELDS:
        label, unit, kind, text = _RELOCATION_COLUMNS.get(name, (name, "", TEXT, ""))
        if name in schedule.params:
            label, unit = schedule.params[name].label, schedule.params[name].unit
        columns.append(SurveyColumn(heading(label, unit), "relocation", name, kind,
                                    "搬迁安置:" + text.format(max_extra=max_extra), label=label))
    for name in replacement_fields(schedule):
        label, text = _REPLACEMENT_COLUMNS.get(name, (name, ""))
        columns.append(SurveyColumn(heading(label, "m²"), "replacement", name, NUMBER, "面积置换:" + text,
                                    label=label))
    return tuple(columns)


def _param_columns(schedule: Schedule) -> list[SurveyColumn]:
    """One column per parameter some line item takes, in the order of the schedule's [params]."""
    uses: dict[str, list] = {}
    for item in pickable(schedule):
        for param in item.params:
            uses.setdefault(param.name, []).append((item, param))
    columns = []
    for name in sorted(uses, key=lambda n: list(schedule.params).index(n) if n in schedule.params else len(uses)):
        info = schedule.params.get(name)
        label, unit = (info.label, info.unit) if info else (name, "")
        params = [param for _, param in uses[name]]
        groups = "、".join(dict.fromkeys(item.group for item, _ in uses[name]))
        optional = "(选填)" if not any(p.required for p in params) else ""
        choices = tuple(dict.fromkeys(choice for p in params for choice in p.choices))
        kind = TEXT if any(p.text for p in params) else NUMBER
        text = f"用于 {groups}{optional}" + (f";填 {'、'.join(choices)} 之一" if choices else "")
        columns.append(SurveyColumn(heading(label, unit), LINE, name, kind, text, choices, label))
    return columns


def heading(label: str, unit: str) -> str:
    """A column's heading: its label, and its unit in brackets."""
    return f"{label}({unit})" if unit else label


def normal_heading(text: Any) -> str:
    """A heading as headings are matched: without spaces, brackets half- or full-width (（）), m² however it is written."""
    return re.sub(r"\s+", "", str(text)).replace("\uff08", "(").replace("\uff09", ")").replace("㎡", "m²")
