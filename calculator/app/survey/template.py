"""The blank survey workbook the office gives its assessors: 调查表 to fill in, 填写说明 and 项目清单.

The template (`write_template`) has one long-format sheet, 调查表: one row per case line, the
household's number (户号) on every row, and the household's own values (户主, 评估人, 搬迁安置,
面积置换 …) on any one of its rows. Its columns come from the loaded schedule
(calculator.app.survey.columns), so a revised schedule gives a revised template without code.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from calculator.app.actions import pickable
from calculator.core.files import atomic_write
from calculator.formats.reports.cells import append, put
from calculator.engine.schedules import load_schedule
from calculator.app.survey.columns import (
    CASE, DATE, FLAG, GUIDE_SHEET, ITEMS_SHEET, KEY, LINE, NO, NUMBER, SURVEY_SHEET, TEXT, YES, SurveyColumn, heading,
    survey_columns,
)
from tables.schedule import Schedule

TEMPLATE_ROWS = 5000      # rows of 调查表 that carry the drop-down lists and checks


def write_template(path: Path, schedule: Schedule | None = None) -> None:
    """The empty survey workbook (调查表, 填写说明, 项目清单), written atomically."""
    book = template_book(schedule or load_schedule())
    atomic_write(Path(path), lambda tmp: book.save(tmp), "xlsx")


def template_book(schedule: Schedule) -> Workbook:
    """The template as a workbook: header, frozen panes, widths, drop-down lists and checks."""
    columns = survey_columns(schedule)
    book = Workbook()
    sheet = book.active
    sheet.title = SURVEY_SHEET
    items_range, hosts_range = _items_sheet(book.create_sheet(ITEMS_SHEET), schedule)
    _guide_sheet(book.create_sheet(GUIDE_SHEET, 1), schedule, columns)
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for number, column in enumerate(columns, start=1):
        cell = sheet.cell(1, number)
        put(cell, column.heading)
        cell.font, cell.fill = head_font, head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(number)
        dimension = sheet.column_dimensions[letter]
        dimension.width = _width(column)
        if column.kind == TEXT and column.block in (KEY, "household"):
            dimension.number_format = "@"   # keep 0017 and 18-digit ID numbers as typed
        elif column.kind == DATE:
            dimension.number_format = "yyyy-mm-dd"
        validation = _validation(column, items_range, hosts_range, schedule)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    sheet.freeze_panes = "B2"
    sheet.row_dimensions[1].height = 30
    return book


def _width(column: SurveyColumn) -> float:
    if column.field in ("item", "attached_to"):
        return 34
    if column.field in ("id_number", "address", "note", "override_reason", "basis", "organisation"):
        return 22
    return max(8.0, 2.2 * len(column.heading) + 2)


def _validation(column: SurveyColumn, items_range: str, hosts_range: str, schedule: Schedule) -> DataValidation | None:
    """The drop-down list or check Excel applies while the assessor types."""
    error = dict(showErrorMessage=True, errorTitle=column.heading, allow_blank=True)
    if column.field == "item":
        return DataValidation(type="list", formula1=items_range, error=f"请从「{ITEMS_SHEET}」选择项目", **error)
    if column.field == "attached_to" and hosts_range:
        return DataValidation(type="list", formula1=hosts_range, error="请选择所依附的房屋项目", **error)
    if column.choices:
        return DataValidation(type="list", formula1=_inline_list(column.choices),
                              error=f"请填 {'、'.join(column.choices)} 之一", **error)
    if column.kind == FLAG:
        return DataValidation(type="list", formula1=_inline_list((YES, NO)), error="请填 是 或 否", **error)
    if column.kind == DATE:
        return DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                              formula2="DATE(2099,12,31)", error="请填日期,如 2023-06-20", **error)
    if column.field == "extra_months":
        return DataValidation(type="whole", operator="between", formula1="0",
                              formula2=str(schedule.relocation.max_extra_months),
                              error=f"请填 0 至 {schedule.relocation.max_extra_months} 的整数", **error)
    if column.kind == NUMBER:
        return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                              error="请填不小于 0 的数值(不加单位)", **error)
    return None


def _inline_list(choices: Iterable[str]) -> str:
    return '"' + ",".join(choices) + '"'


def _items_sheet(sheet: Worksheet, schedule: Schedule) -> tuple[str, str]:
    """Every item a line may name (A) with its unit, section and parameters; the host houses (H)."""
    labels = {name: heading(info.label, info.unit) for name, info in schedule.params.items()}
    append(sheet, ["项目", "单位", "章节", "章节名称", "需填参数", "标准原文", None, "可依附房屋(歇厦、雨搭)"])
    items = pickable(schedule)
    for item in items:
        params = "、".join(labels.get(p.name, p.name) + ("" if p.required else "(选填)") for p in item.params)
        append(sheet, [item.key, item.unit, item.section, schedule.sections.get(item.section, ""), params, item.source])
    hosts = list(dict.fromkeys(host.key for item in items for host in item.rule.hosts(item.spec, items) or ()))
    for row, key in enumerate(hosts, start=2):
        put(sheet.cell(row, 8), key)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGH", (34, 6, 8, 16, 28, 60, 2, 30)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    items_range = f"'{ITEMS_SHEET}'!$A$2:$A${len(items) + 1}"
    hosts_range = f"'{ITEMS_SHEET}'!$H$2:$H${len(hosts) + 1}" if hosts else ""
    return items_range, hosts_range


def _guide_sheet(sheet: Worksheet, schedule: Schedule, columns: tuple[SurveyColumn, ...]) -> None:
    """How to fill 调查表, in Chinese: the rules, then one row per column."""
    rules = [
        f"{schedule.title}({schedule.issuer} {schedule.document},版本 {schedule.version})现场调查表",
        "",
        f"1. 在「{SURVEY_SHEET}」工作表中,每行填写一户的一个补偿项目(一行一项)。同一户的各行填写相同的「户号」,不必相邻。"
        "每一行都要有户号(可合并单元格);漏填户号的行会使其上方那一户整户不导入。",
        "2. 户主、身份证号、地址、电话、评估人、搬迁安置和面积置换等整户信息,填在该户任意一行即可;"
        "多行都填写时必须一致。",
        "3. 可以有只填户号和整户信息、不填项目的行。空行会被跳过。",
        f"4. 「项目」请从下拉列表选择,须与「{ITEMS_SHEET}」工作表中的项目完全一致;"
        "各项目需要填写的参数列在该表的「需填参数」中。",
        "5. 数值列只填数字,不加单位。按区间计价的项目不填单价时按区间中值计;单价超出标准时须填写「超标准理由」。"
        "「数量」「评估金额(元)」不要跨行合并,项目明细各列不要跨列合并(合并的数值会重复计入,该户不导入)。",
        "6. 日期填 Excel 日期,或 2023-06-20、2023/6/20、20230620 这样的文字;是/否 列填「是」或「否」。",
        "7. 户号、身份证号和电话列已设为文本格式,请勿改为数值,以免长数字被 Excel 改写。",
        "8. 不要修改第1行的列名;不用的列可以删除,但「户号」「项目」「数量」三列必须保留。",
        "9. 导入时逐行检查:有任何问题的户整户不导入,并列出问题所在的行、列和原因;"
        "确认后才写入项目;同一文件重复导入不会产生重复记录。台账中已有测算的户,调查表与之不同时不会覆盖,"
        "须在补偿测算中修改。",
        "",
    ]
    for text in rules:
        append(sheet, [text])
    sheet["A1"].font = Font(bold=True, size=13)
    head = len(rules) + 1
    append(sheet, ["列名", "填写内容", "说明"])
    for cell in sheet[head]:
        cell.font = Font(bold=True)
    kinds = {TEXT: "文字", NUMBER: "数值", FLAG: "是/否", DATE: "日期"}
    blocks = {KEY: "户", "household": "整户", CASE: "整户", "assessor": "整户", LINE: "项目",
              "relocation": "整户", "replacement": "整户"}
    for column in columns:
        append(sheet, [column.heading, f"{blocks[column.block]} · {kinds[column.kind]}", column.help])
    for letter, width in zip("ABC", (18, 14, 90)):
        sheet.column_dimensions[letter].width = width
