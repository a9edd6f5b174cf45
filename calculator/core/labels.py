"""The Chinese name of every field a person types, in one place: messages, forms and sheets use it.

The case and parcel files name fields in English (depth_m, homestead_certificate_area_m2); a
person reads 深度(m) and 宅基地证面积. A message's Chinese half names fields by these labels and
its place by `place_zh` (第4行「菜窖/砖石」, not items[3]); the English half keeps the file's names
for the command line and logs.
"""
from __future__ import annotations

import re
from typing import Mapping

# Fields of the case file outside the schedule's own parameters (those carry their labels in
# tables/baozi-2023.toml [params], read through Schedule.describe).
FIELD_LABELS = {
    # a case line
    "item": "项目", "quantity": "数量", "rate": "单价", "override_reason": "超标准理由", "note": "备注",
    "disputed": "有争议", "amount": "评估金额",
    # header blocks
    "head": "户主", "id_number": "身份证号", "address": "地址", "phone": "联系电话",
    "name": "评估人员", "organisation": "评估机构", "case_id": "案件编号", "assessed_on": "测算日期",
    # 三、搬迁与安置
    "building_area_m2": "建筑面积(m²)", "sole_housing_hardship": "唯一住房且确有困难", "extra_months": "增加安置月数",
    "signed_on": "签约日期", "paid_on": "支付日期", "moved_on": "搬迁日期",
    # 房屋面积置换, as the source table names the areas (文政发〔2023〕6号)
    "main_house_area_m2": "正房实测面积", "main_house_footprint_m2": "正房占地面积",
    "homestead_certificate_area_m2": "宅基地证面积",
    # a parcel
    "grade": "土地级别", "use": "用途", "area_m2": "面积(m²)", "area_mu": "面积(亩)", "term_years": "使用年期",
    "reduction_rate": "土地还原率", "date_factor": "期日修正系数", "factor_pct": "因素修正(%)",
    "other_factor": "其他修正系数", "development_adjustment": "开发程度修正(元/m²)", "cost_floor_total": "成本之和",
    "reference": "宗地编号", "location": "坐落", "basis": "依据",
    # the project ledger
    "project_name": "项目名称", "household_number": "户号", "batch": "支付批次", "actor": "经办人", "amendment_reason": "更正理由",
    "as_of": "截至日期",
}
BLOCK_LABELS = {"household": "户主信息", "assessor": "评估信息", "relocation": "搬迁与安置",
                "replacement": "房屋面积置换", "items": "补偿项目", "corrections": "修正系数", "parts": "地块用途",
                "schedule": "补偿标准", "table": "地价表", "total": "合计"}

_LINE_AT = re.compile(r"items\[(\d+)\]\(第\d+行\)")
_LINE = re.compile(r"(?:items|parts)\[\d+\]\((第\d+(?:行|部分))\)")
_PATH = re.compile(r"^(?:[/~.]|[A-Za-z]:\\|[a-z]+://)")  # a file's path, or a server's address
_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*\b")


def label(field: str) -> str:
    """The Chinese label of a field, or the field name itself when it has none."""
    return FIELD_LABELS.get(field) or BLOCK_LABELS.get(field) or field


def place_zh(where: str, file: str | None = None) -> str:
    """A message's place as a person reads it: items[3](第4行)「菜窖/砖石」 → 第4行「菜窖/砖石」,
    relocation → 搬迁与安置, household.head → 户主; the `file` it names (whatever its name: 王家 案件.v2.json,
    items.json) and a path or a postgresql:// address as they are."""
    if file and file in where:
        before, _, after = where.partition(file)
        return f"{place_zh(before)}{file}{place_zh(after)}"
    return " ".join(token if _PATH.match(token)  # a file's path stays as it is
                    else _NAME.sub(lambda name: label(name.group(0)), _LINE.sub(r"\1", token)).replace(".", " ")
                    for token in where.split(" "))


def renumber(text: str, numbers: Mapping[int, int]) -> str:
    """Line places in `text` (items[3](第4行)) named by the 序号 the sheet and the item table show
    (第7行; calculator.engine.compensation.sheet_numbers), or by entry order for a line without one."""
    return _LINE_AT.sub(lambda match: f"第{numbers.get(int(match.group(1)), int(match.group(1)) + 1)}行", text)


def short_time(iso: str) -> str:
    """A stored time as the program shows it: 2024-05-01T10:22:33+08:00 → 2024-05-01 10:22."""
    return iso[:16].replace("T", " ")
