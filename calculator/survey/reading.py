"""Field survey workbooks: the template assessors fill in, and its import into the project store.

The template (`write_template`) has one long-format sheet, 调查表: one row per case line, the
household's number (户号) on every row, and the household's own values (户主, 评估人, 搬迁安置,
面积置换 …) on any one of its rows. The line and parameter columns are derived from the loaded
schedule, so a revised schedule gives a revised template without code. `read_survey` checks
every row through the engine and never raises for a bad row: each problem names the sheet, the
Excel row, the column and why, and a household with any problem is left out whole.
`stream_survey` reads the same way but hands the households on one at a time, checked as they are
taken (calculator.survey.households), so an import never holds every household's case.

A row with content but no 户号 is never guessed into a household (a 户号 in merged cells is not
missing: it belongs to every row it spans). Assessors often type the 户号 on a household's first
row only, so such a row leaves out, whole, the household of the nearest row above it that has a
户号: importing that household without the row would pay the family short. With no household
above, the row is a problem of its own.

户号. A 户号 is read as text: full-width characters are made half-width (NFKC: ０００１ is 0001)
and spaces at either end dropped; a number cell 1 reads "1". Two 户号 made only of digits are the
same household number when they differ only in leading zeros: Excel turns 0001 typed into a cell
not formatted as text into the number 1, so "0001" and 1 cannot be told apart by the reader, and
nothing in a workbook says how many zeros a project pads to. Rows that write one number two ways
(0001 on one row, 1 on another) are a problem naming the rows of each way: the reader never merges
them into one household nor splits them into two. The import matches a 户号 to the project's
households the same way, so a re-import of 1 finds the registered 0001 (`number_key`).

Hidden content. A hidden or very hidden 调查表, a hidden row and a value in a hidden column are
problems (`SurveyProblem.hidden`) unless the reader is asked to include hidden content
(`include_hidden`): what the assessor cannot see on screen is not paid without a word. A hidden row
leaves out its whole household, as a row without 户号 does, rather than shortening it.

Size. A workbook larger than calculator.limits allows (its file, its unpacked parts, the rows or
columns a sheet declares or holds) is refused before its rows are read, and every text cell is held
to its field's length and refused characters (`calculator.limits.check_text`), named by row and column.

Reading numbers. openpyxl returns a numeric cell as a binary float. Excel keeps at most 15
significant digits, and any decimal of at most 15 significant digits survives the trip through
a float, so `Decimal(repr(value))` — the shortest text that gives the same float back — is the
number the assessor typed (35.55, not 35.549999…). A float with more digits than that is a
formula's result; it is read at Excel's 15 significant digits, as Excel shows it. Text cells go
through `calculator.money.to_decimal`, like case files. No arithmetic is done on floats.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Generator, Iterable, Iterator
from xml.etree import ElementTree

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.utils.datetime import from_ISO8601
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser, _cast_number   # the read-only parser, streamed by hand
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import SHEET_MAIN_NS

from calculator import idcard
from calculator.actions import pickable
from calculator.case import Case, case_from_dict
from calculator.compensation import evaluate
from calculator.errors import CalculationError, CaseWarning, InputError
from calculator.files import atomic_write
from calculator.limits import (
    SURVEY_MAX_COLUMNS, SURVEY_MAX_FILE_BYTES, SURVEY_MAX_ROWS, SURVEY_MAX_UNPACKED_BYTES, TEXT_LIMITS, check_text,
)
from calculator.money import fmt_plain, to_decimal
from calculator.relocation import FIELDS as RELOCATION_FIELDS
from calculator.replacement import AREA_LABELS, replacement_fields
from calculator.reports.cells import append, put
from calculator.schedules import load_schedule
from calculator.survey.households import RowSpool, SurveyReading, report_text
from tables.schedule import Schedule

SURVEY_SHEET = "调查表"
GUIDE_SHEET = "填写说明"
ITEMS_SHEET = "项目清单"
TEMPLATE_ROWS = 5000      # rows of 调查表 that carry the drop-down lists and checks
EXCEL_DIGITS = 15         # significant digits Excel keeps of a number
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
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


class _Pending:
    """A formula cell whose result was never calculated (no cached value): one object, kept by pickling too."""

    def __reduce__(self) -> str:
        return "_FORMULA_PENDING"


_FORMULA_PENDING = _Pending()


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


@dataclass(frozen=True)
class SurveyProblem:
    """What is wrong with one cell (with an empty column, one row; with row 0, the sheet) of a survey sheet.

    `hidden`: the problem is content Excel hides, which reading with include_hidden accepts.
    """

    sheet: str
    row: int
    column: str
    zh: str
    en: str
    hidden: bool = False

    def text(self) -> str:
        """调查表 第5行「数量」: 数量应为正数 / quantity must be positive."""
        place = self.sheet + (f" 第{self.row}行" if self.row else "") + (f"「{self.column}」" if self.column else "")
        return f"{place}: {self.zh} / {self.en}"


@dataclass(frozen=True)
class SurveyHousehold:
    """One household read without a problem: its case, the rows it came from and its total."""

    number: str
    case: Case
    rows: tuple[int, ...]
    total: Decimal
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Survey:
    """A read survey: the households that can be imported, every problem, and who was left out."""

    path: Path
    households: tuple[SurveyHousehold, ...]
    problems: tuple[SurveyProblem, ...]
    rejected: tuple[str, ...]

    @property
    def hidden(self) -> tuple[SurveyProblem, ...]:
        """The hidden sheet, rows and cells left out; reading again with include_hidden accepts them."""
        return tuple(problem for problem in self.problems if problem.hidden)

    def report(self) -> str:
        """The reading in words: how many households can be imported, then every problem."""
        return report_text(self.path, len(self.households), self.rejected, self.problems)


# --- the columns ---------------------------------------------------------------------------------

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
        columns.append(SurveyColumn(_heading(label, unit), "relocation", name, kind,
                                    "搬迁安置:" + text.format(max_extra=max_extra), label=label))
    for name in replacement_fields(schedule):
        label, text = _REPLACEMENT_COLUMNS.get(name, (name, ""))
        columns.append(SurveyColumn(_heading(label, "m²"), "replacement", name, NUMBER, "面积置换:" + text,
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
        columns.append(SurveyColumn(_heading(label, unit), LINE, name, kind, text, choices, label))
    return columns


def _heading(label: str, unit: str) -> str:
    return f"{label}({unit})" if unit else label


def _normal_heading(text: Any) -> str:
    return re.sub(r"\s+", "", str(text)).replace("(", "(").replace(")", ")").replace("㎡", "m²")


# --- the template --------------------------------------------------------------------------------

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
    labels = {name: _heading(info.label, info.unit) for name, info in schedule.params.items()}
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
        "5. 数值列只填数字,不加单位。按区间计价的项目不填单价时按区间中值计;单价超出标准时须填写「超标准理由」。",
        "6. 日期填 Excel 日期或 YYYY-MM-DD 文字(如 2023-06-20);是/否 列填「是」或「否」。",
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


# --- reading -------------------------------------------------------------------------------------

def excel_number(value: float) -> Decimal:
    """The decimal an Excel numeric cell holds: what was typed, or a formula's 15-digit result."""
    number = Decimal(repr(value))
    if number.is_finite() and len(number.as_tuple().digits) > EXCEL_DIGITS:
        number = Decimal(format(value, f".{EXCEL_DIGITS}g"))
    return number


def read_survey(path: Path, schedule: Schedule | None = None, *, include_hidden: bool = False) -> Survey:
    """Every row of 调查表 checked, and every household that can be imported held with its case.

    As `stream_survey`, whose households are taken here all at once."""
    reading = stream_survey(path, schedule, include_hidden=include_hidden)
    households = tuple(reading.households())
    return Survey(reading.path, households, reading.problems, reading.rejected)


def stream_survey(path: Path, schedule: Schedule | None = None, *, include_hidden: bool = False) -> SurveyReading:
    """调查表 read once; its households checked one at a time as they are taken, bad rows becoming problems.

    Raises InputError only when the file cannot be read, is not an .xlsx workbook, is larger than
    calculator.limits allows, has no 调查表 sheet, or lacks a required heading (户号, 项目, 数量).
    Hidden content (the sheet, rows, cells in hidden columns) is a problem and left out unless
    `include_hidden` accepts it.

    The sheet is streamed: openpyxl's read-only parser gives each row once, as values, and the
    rows go to the reader as they pass; no grid of the sheet is ever held, and each household's
    rows are held packed until its household is taken (calculator.survey.households).
    """
    path = Path(path)
    schedule = schedule or load_schedule()
    columns = survey_columns(schedule)
    with _read_sheet(path) as sheet:
        rows = _read_grid(sheet, path)
        first = next(rows, None)
        header = first[1] if first is not None and first[0] == 1 else []
        positions, strays = _header(header, columns, path)
        if sheet.state != "visible" and not include_hidden:
            reader = _Reader(schedule, columns, positions, strays)
            reader.loose.append(_hidden_sheet(sheet.state))
            return reader.reading(path)
        # <cols> precedes <sheetData>: the hidden columns are known once the first row has passed
        reader = _Reader(schedule, columns, positions, strays,
                         frozenset() if include_hidden else sheet.hidden_columns())
        if first is not None and first[0] != 1:   # no row 1 (no heading): the first row is a content row
            reader.add_row(first[0], first[1], hidden=first[2] and not include_hidden)
        for row, values, hidden in rows:
            reader.add_row(row, values, hidden=hidden and not include_hidden)
    return reader.reading(path)


class _Sheet:
    """调查表 opened read-only: its state, what its records say beyond the rows, and the parser its rows come from.

    Merged ranges are recorded after <sheetData>, so `_records_after_rows` finds them (and the last row's
    number) in the part's bytes before the rows are parsed; hidden rows, hidden columns and formulas are
    read from the records openpyxl's streaming parser passes over anyway."""

    def __init__(self, book: Any, stream: Any, sheet: ReadOnlyWorksheet, path: Path):
        self.book, self.stream, self.sheet, self.path = book, stream, sheet, path
        self.state: str = sheet.sheet_state   # visible, hidden or veryHidden
        self.merged: list[tuple[int, int, int, int]] = []   # (min_col, min_row, max_col, max_row), Excel numbers
        self.parser: _SurveyParser | None = None

    def __enter__(self) -> _Sheet:
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self.book.close()
        finally:
            self.stream.close()

    def hidden_columns(self) -> frozenset[int]:
        """The grid indexes of the columns the sheet hides (a <col> record may span several columns)."""
        hidden: set[int] = set()
        for attrs in (self.parser.column_dimensions.values() if self.parser else ()):
            if _xml_true(attrs.get("hidden")):
                first = int(attrs["min"])
                last = int(attrs.get("max") or first)
                hidden.update(range(first - 1, min(last, SURVEY_MAX_COLUMNS)))
        return frozenset(hidden)


class _SurveyParser(WorkSheetParser):
    """openpyxl's worksheet parser reading cached values, a row at a time as a list of values.

    A row comes back as (Excel row, values from column A); whether the row is hidden is left in
    `hidden`. Cells are read as openpyxl's parse_cell reads them with data_only (the same casts,
    dates and strings), without building a dict per cell nor a Text object per inline string, and a
    formula whose result Excel never stored (<f> with no cached <v>) reads as _FORMULA_PENDING."""

    hidden = False

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # inline strings (openpyxl and some other writers) repeat the same 项目 on every row; the
        # survey's cases keep them, so each distinct text is held once
        self.texts: dict[str, str] = {}

    def parse(self) -> Iterator[tuple[int, list[Any]]]:   # type: ignore[override]
        """The rows as they pass, and the <col> records before them; nothing else of the sheet is read.

        openpyxl's parse clears each row but leaves it under <sheetData>, a few dozen bytes a row for
        the whole sheet; here a row is dropped from the tree once read."""
        rows: Any = None
        for event, element in ElementTree.iterparse(self.source, events=("start", "end")):
            if event == "start":
                if element.tag == _DATA_TAG:
                    rows = element
                continue
            tag = element.tag
            if tag == _ROW_TAG:
                row = self.parse_row(element)
                element.clear()
                if rows is not None:
                    rows.clear()
                yield row
            elif tag == _COL_TAG:
                self.parse_column_dimensions(element)
                element.clear()

    def parse_row(self, row: Any) -> tuple[int, list[Any]]:   # type: ignore[override]
        attrs = row.attrib
        number = attrs.get("r")
        if number is not None:
            try:
                self.row_counter = int(number)
            except ValueError:  # a row number written "5.0": whole, or not a row number at all
                try:
                    whole = Decimal(number)
                except InvalidOperation:
                    raise ValueError(f"{number} is not a valid row number") from None
                if not whole.is_finite() or whole != whole.to_integral_value():
                    raise ValueError(f"{number} is not a valid row number") from None
                self.row_counter = int(whole)
        else:
            self.row_counter += 1
        self.col_counter = 0
        self.hidden = _xml_true(attrs.get("hidden"))
        values: list[Any] = []
        for element in row:
            column, value = self.cell_value(element)
            if column > len(values):
                values.extend([None] * (column - len(values)))
            values[column - 1] = value
        return self.row_counter, values

    def cell_value(self, element: Any) -> tuple[int, Any]:
        """(column, value) of a <c> record, as WorkSheetParser.parse_cell gives them with data_only."""
        coordinate = element.get("r")
        if coordinate:
            column = self.col_counter = coordinate_to_tuple(coordinate)[1]
        else:
            self.col_counter += 1
            column = self.col_counter
        data_type = element.get("t", "n")
        if data_type == "inlineStr":
            child = element.find(_INLINE_TAG)
            if child is not None:   # one object per distinct text, as a shared-string table gives
                text = _inline_text(child)
                return column, self.texts.setdefault(text, text)
            return column, (_FORMULA_PENDING if element.find(_FORMULA_TAG) is not None else None)
        value = element.findtext(_VALUE_TAG, None) or None
        if value is None:
            return column, (_FORMULA_PENDING if element.find(_FORMULA_TAG) is not None else None)
        if data_type == "n":
            value = _cast_number(value)
            style_id = element.get("s", 0)
            if style_id and int(style_id) in self.date_formats:
                return column, self.parse_cell(element)["value"]   # a date: openpyxl's own conversion and warning
            return column, value
        if data_type == "s":
            return column, self.shared_strings[int(value)]
        if data_type == "b":
            return column, bool(int(value))
        if data_type == "d":
            return column, from_ISO8601(value)
        return column, value   # str (a formula's text), e (an error) and unknown types: the text as stored


def _inline_text(child: Any) -> str:
    """An inline string's text without formatting or phonetic runs (openpyxl's Text.content)."""
    parts = []
    plain = child.find(_TEXT_TAG)
    if plain is not None and plain.text is not None:
        parts.append(plain.text)
    for run in child.iterfind(_RUN_TAG):
        text = run.find(_TEXT_TAG)
        if text is not None and text.text is not None:
            parts.append(text.text)
    return "".join(parts)


def _xml_true(value: Any) -> bool:
    """An XML boolean attribute as openpyxl reads it: anything but absent, "", false, f or 0 is true."""
    return bool(value) and value not in ("false", "f", "0")


def _read_sheet(path: Path) -> _Sheet:
    """调查表 of a workbook checked for size first, opened read-only; its merged ranges and last row found."""
    _check_package(path)
    book, stream = _open_book(path)
    try:
        sheet = book[SURVEY_SHEET] if SURVEY_SHEET in book.sheetnames else None
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise InputError(f"工作簿中没有「{SURVEY_SHEET}」工作表(现有:{'、'.join(book.sheetnames)})",
                             f"the workbook has no sheet named {SURVEY_SHEET!r} "
                             f"(it has: {', '.join(book.sheetnames)})", str(path))
        opened = _Sheet(book, stream, sheet, path)
        last_row, merged = _records_after_rows(sheet, path)
        # a merged range is part of the sheet's extent, as openpyxl's normal mode fills it with cells
        _check_extent(max([last_row] + [box[3] for box in merged]), max([0] + [box[2] for box in merged]), path)
        opened.merged = merged
        return opened
    except BaseException:
        book.close()
        stream.close()
        raise


def _read_grid(sheet: _Sheet, path: Path) -> Iterator[tuple[int, list[Any], bool]]:
    """The values of 调查表, row by row as they pass: (Excel row, values from column A, hidden).

    Merged cells repeat their top-left value over their range (a row of a range that holds no record
    is given); a formula gives its cached result, or _FORMULA_PENDING when Excel never calculated it.
    A row or column past the survey limits is refused as soon as it is seen."""
    book = sheet.book
    source = sheet.sheet._get_source()
    parser = sheet.parser = _SurveyParser(source, sheet.sheet._shared_strings, data_only=True, epoch=book.epoch,
                                          date_formats=book._date_formats,
                                          timedelta_formats=book._timedelta_formats)
    merged = sorted(sheet.merged, key=lambda box: box[1])
    waiting = 0           # merged[waiting:] start below the rows seen so far
    active: list[list[Any]] = []   # [min_col, min_row, max_col, max_row, value] of ranges spanning the current row
    previous = 0
    records = parser.parse()

    def gap_rows(previous: int, number: int) -> Iterator[tuple[int, list[Any], bool]]:
        """The rows between two row records that a merged range spans: only its value fills them."""
        nonlocal waiting, active
        gap = previous + 1
        while gap < number:
            active = [box for box in active if box[3] >= gap]
            if not active:   # no range open: go on at the next range's first row, if it is in the gap
                if waiting == len(merged) or merged[waiting][1] >= number:
                    return
                gap = max(gap, merged[waiting][1])
            row_values: list[Any] = []
            waiting = _merge_into(row_values, gap, merged, waiting, active)
            yield gap, row_values, False
            gap += 1

    try:
        while True:
            try:
                number, cells = next(records)   # type: ignore[misc]
            except StopIteration:
                break
            except Exception:  # noqa: BLE001 — a damaged part fails openpyxl's parser with any exception type
                raise _unreadable(path) from None
            if number > SURVEY_MAX_ROWS:
                _check_extent(number, 0, path)
            hidden = parser.hidden
            values = cells
            width = len(values)
            if width > SURVEY_MAX_COLUMNS:
                _check_extent(0, width, path)
            if merged:
                yield from gap_rows(previous, number)   # rows without a record inside a merged range
                active = [box for box in active if box[3] >= number]
                waiting = _merge_into(values, number, merged, waiting, active)
            previous = number
            yield number, values, hidden
        if merged:   # ranges reaching below the last row record
            yield from gap_rows(previous, max(box[3] for box in merged) + 1)
    finally:
        records.close()
        source.close()


def _merge_into(values: list[Any], row: int, merged: list[tuple[int, int, int, int]], waiting: int,
                active: list[list[Any]]) -> int:
    """Fill a row's values from the merged ranges spanning it; ranges starting at it are opened first."""
    while waiting < len(merged) and merged[waiting][1] <= row:
        min_col, min_row, max_col, max_row = merged[waiting]
        waiting += 1
        if max_row >= row:
            active.append([min_col, min_row, max_col, max_row, None])
    for box in active:
        min_col, min_row, max_col, _, value = box
        if min_row == row:
            value = box[4] = values[min_col - 1] if min_col <= len(values) else None
        if len(values) < max_col:
            values.extend([None] * (max_col - len(values)))
        for column in range(min_col, max_col + 1):
            values[column - 1] = value
    return waiting


_FORMULA_TAG = f"{{{SHEET_MAIN_NS}}}f"
_DATA_TAG = f"{{{SHEET_MAIN_NS}}}sheetData"
_ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
_COL_TAG = f"{{{SHEET_MAIN_NS}}}col"
_VALUE_TAG = f"{{{SHEET_MAIN_NS}}}v"
_INLINE_TAG = f"{{{SHEET_MAIN_NS}}}is"
_TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"
_RUN_TAG = f"{{{SHEET_MAIN_NS}}}r"
_ROWS_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>|<(?:[A-Za-z_][\w.-]*:)?sheetData\s*/>")
_ROOT_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?worksheet\b[^>]*>")
_ROW_NUMBER = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\sr\s*=\s*[\"'](\d+)")
_CHUNK = 1024 * 1024
_KEEP = 256 * 1024    # bytes before the end of the rows kept to find the last row's number


def _records_after_rows(sheet: ReadOnlyWorksheet, path: Path) -> tuple[int, list[tuple[int, int, int, int]]]:
    """(the number of the sheet's last row record, its merged ranges), from the part's bytes.

    <mergeCells> follows <sheetData>, so it is known only after every row; the bytes are scanned
    (not parsed) for the end of the rows and only the records after it are parsed. A last row past
    the limit is refused here, before any row is read (a row out of order is refused as it passes)."""
    root = b""
    window = b""
    tail: list[bytes] | None = None
    last_row = 0
    with sheet._get_source() as stream:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            if tail is not None:
                tail.append(chunk)
                continue
            buffer = window + chunk
            if not root:
                found = _ROOT_START.search(buffer)
                root = found.group(0) if found else b""
            end = None
            for match in _ROWS_END.finditer(buffer, max(0, len(window) - 64)):
                end = match
            if end is None:
                window = buffer[-_KEEP:]
                continue
            rows = [int(number) for number in _ROW_NUMBER.findall(buffer, max(0, end.start() - _KEEP), end.start())]
            last_row = rows[-1] if rows else 0
            tail = [buffer[end.end():]]
    if not tail or not root:
        return last_row, []
    try:
        records = ElementTree.fromstring(root + b"".join(tail))
    except ElementTree.ParseError:
        raise _unreadable(path) from None
    merged = []
    for element in records.iter(f"{{{SHEET_MAIN_NS}}}mergeCell"):
        try:
            min_col, min_row, max_col, max_row = range_boundaries(element.get("ref", ""))
        except (TypeError, ValueError):
            continue   # openpyxl skips nothing here either: a damaged reference is no range
        if None not in (min_col, min_row, max_col, max_row):
            merged.append((min_col, min_row, max_col, max_row))
    return last_row, merged


def _open_book(path: Path) -> tuple[Any, Any]:
    """The workbook opened read-only for cached values, and the stream it reads (both closed by the caller)."""
    try:
        stream = path.open("rb")  # a stream: openpyxl then judges the content, not the file name
    except OSError as exc:
        raise InputError(f"无法打开文件: {exc.strerror or exc}", f"cannot open the file: {exc.strerror or exc}",
                         str(path)) from None
    try:
        return load_workbook(stream, read_only=True, data_only=True), stream
    except Exception:  # noqa: BLE001 — openpyxl fails on a foreign file with any of a dozen exception types
        stream.close()
        raise _unreadable(path) from None


def _unreadable(path: Path) -> InputError:
    return InputError("不是可读取的 Excel 工作簿(.xlsx);旧版 .xls 请在 Excel 中另存为 .xlsx",
                      "not a readable Excel workbook (.xlsx); save an old .xls file as .xlsx in Excel", str(path))


# --- size and hidden content: checks on the package and the sheet's metadata, not its cells -------

_MB = 1024 * 1024
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([^"]*)"')
_DIMENSION_WITHIN = 64 * 1024   # <dimension> comes before the rows, after a few short elements


def _check_package(path: Path) -> None:
    """Refuse a workbook too large to read before openpyxl unpacks it: file, unpacked parts, declared sheets."""
    size = path.stat().st_size if path.is_file() else 0   # a missing file is reported by _open_book
    if size > SURVEY_MAX_FILE_BYTES:
        raise InputError(f"文件过大: {size / _MB:.0f} MB,调查表最大 {SURVEY_MAX_FILE_BYTES // _MB} MB",
                         f"file too large: {size / _MB:.0f} MB, a survey workbook is at most "
                         f"{SURVEY_MAX_FILE_BYTES // _MB} MB", str(path))
    try:
        package = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return   # no zip package: _open_book says it is no workbook
    with package:
        unpacked = sum(part.file_size for part in package.infolist())   # zipfile never unpacks more than this
        if unpacked > SURVEY_MAX_UNPACKED_BYTES:
            raise InputError(f"工作簿解压后过大: {unpacked / _MB:.0f} MB,最多 {SURVEY_MAX_UNPACKED_BYTES // _MB} MB",
                             f"the workbook unpacks to {unpacked / _MB:.0f} MB, at most "
                             f"{SURVEY_MAX_UNPACKED_BYTES // _MB} MB", str(path))
        for part in package.infolist():
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                _check_extent(*_declared_extent(package, part), path)


def _declared_extent(package: zipfile.ZipFile, part: zipfile.ZipInfo) -> tuple[int, int]:
    """(rows, columns) a worksheet declares in its <dimension>, from the part's first bytes; (0, 0) if none."""
    try:
        with package.open(part) as stream:
            found = _DIMENSION.search(stream.read(_DIMENSION_WITHIN))
        _, _, columns, rows = range_boundaries(found.group(1).decode()) if found else (0, 0, 0, 0)
    except Exception:  # noqa: BLE001 — a damaged part or reference: openpyxl judges the sheet itself
        return 0, 0
    return rows or 0, columns or 0


def _check_extent(rows: int, columns: int, path: Path) -> None:
    """Refuse a sheet of more rows or columns than a survey may have."""
    if rows > SURVEY_MAX_ROWS:
        raise InputError(f"工作表有 {rows} 行,调查表最多 {SURVEY_MAX_ROWS} 行;请分成几个文件导入",
                         f"a sheet has {rows} rows, a survey at most {SURVEY_MAX_ROWS}; split it into several files",
                         str(path))
    if columns > SURVEY_MAX_COLUMNS:
        raise InputError(f"工作表有 {columns} 列,调查表最多 {SURVEY_MAX_COLUMNS} 列",
                         f"a sheet has {columns} columns, a survey at most {SURVEY_MAX_COLUMNS}", str(path))


def _hidden_sheet(state: str) -> SurveyProblem:
    """调查表 itself is hidden: nothing of it is read unless hidden content is accepted."""
    zh, en = ("深度隐藏(very hidden)", "very hidden") if state == "veryHidden" else ("隐藏", "hidden")
    return SurveyProblem(SURVEY_SHEET, 0, "", f"工作表被{zh},其中的住户均未导入;确认要导入时请选择包括隐藏内容",
                         f"the sheet is {en}: none of its households is imported unless hidden content is accepted",
                         hidden=True)


def _header(cells: list[Any], columns: tuple[SurveyColumn, ...], path: Path
            ) -> tuple[list[tuple[SurveyColumn, int]], list[tuple[str, int]]]:
    """Which sheet column holds which survey column; headings the template does not know."""
    known: dict[str, SurveyColumn] = {}
    for column in columns:
        for name in (column.heading, column.label):
            if name:
                known.setdefault(_normal_heading(name), column)
    positions: dict[SurveyColumn, int] = {}
    strays = []
    for index, value in enumerate(cells):
        if value is None or not str(value).strip():
            continue
        column = known.get(_normal_heading(value))
        if column is None:
            strays.append((str(value).strip(), index))
        elif column in positions:
            raise InputError(f"「{SURVEY_SHEET}」第1行有两个「{column.heading}」列",
                             f"row 1 of {SURVEY_SHEET!r} has two {column.heading!r} columns", str(path))
        else:
            positions[column] = index
    missing = [name for name in REQUIRED_HEADINGS if not any(c.heading == name for c in positions)]
    if missing:
        raise InputError(f"「{SURVEY_SHEET}」第1行缺少列:{'、'.join(missing)}(请使用导出的模板)",
                         f"row 1 of {SURVEY_SHEET!r} lacks the column(s) {', '.join(missing)} (use the template)",
                         str(path))
    return list(positions.items()), strays


def household_number(text: str) -> str:
    """A 户号 as the project writes it: half-width (NFKC: ０００１ is 0001), without spaces at either end."""
    return unicodedata.normalize("NFKC", text).strip()


def number_key(number: str) -> str:
    """What two 户号 are compared by: the written number, an all-digit one without leading zeros (0001 is 1)."""
    number = household_number(number)
    return (number.lstrip("0") or "0") if number.isascii() and number.isdigit() else number


def _parse(column: SurveyColumn, value: Any) -> Any:
    """A cell's value as the case file takes it; InputError with the engine's wording when it cannot be."""
    if value is _FORMULA_PENDING:
        raise InputError("公式没有计算结果(请在 Excel 中打开并保存后再导入,或直接填写数值)",
                         "the formula has no calculated value (open and save the file in Excel, or type the value)")
    if isinstance(value, str):
        value = check_text(value.strip(), _limit_field(column))
    if column.kind == NUMBER:
        return _number(value, f"{column.heading}/{column.field}")
    if column.kind == FLAG:
        return _flag(value)
    if column.kind == DATE:
        return _date(value)
    return _text(value)


def _limit_field(column: SurveyColumn) -> str:
    """The field whose length limit a column's text is held to; other columns are named by their heading."""
    return column.field if column.field in TEXT_LIMITS else column.heading


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, float):
        value = excel_number(value)
    elif isinstance(value, (dt.date, dt.time)):
        raise InputError(f"{what} 应为数值,不是日期", f"{what} must be a number, not a date")
    return to_decimal(value, what)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().upper()
    if text in (YES, "TRUE"):
        return True
    if text in (NO, "FALSE"):
        return False
    raise InputError(f"应填「{YES}」或「{NO}」,不是「{value}」", f"must be {YES} (yes) or {NO} (no), not {value!r}")


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        match = _DATE_TEXT.fullmatch(value.strip())
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups())).isoformat()
            except ValueError:
                pass
        raise InputError(f"不是有效日期: {value.strip()!r}", f"not a valid date: {value.strip()!r}")
    raise InputError(f"应为日期(Excel 日期或 YYYY-MM-DD),不是 {value!r}",
                     f"must be a date (an Excel date or YYYY-MM-DD), not {value!r}")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if abs(value) >= 10**EXCEL_DIGITS:
            raise InputError("长数字被 Excel 存成了数值,末几位已丢失;请把该列设为文本后重新填写",
                             "Excel stored this long number as a number and lost its last digits; "
                             "format the column as text and type it again")
        value = excel_number(value)
    if isinstance(value, Decimal):
        return fmt_plain(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, Decimal):
        return fmt_plain(value)
    return str(value)


@dataclass
class _Line:
    row: int
    raw: dict[str, Any]
    bad: bool


@dataclass
class _Draft:
    """A household while its rows are checked."""

    number: str
    rows: list[int] = field(default_factory=list)
    values: dict[tuple[str, str], tuple[Any, int]] = field(default_factory=dict)
    lines: list[_Line] = field(default_factory=list)
    bad_blocks: set[str] = field(default_factory=set)
    problems: list[SurveyProblem] = field(default_factory=list)


class _Household:
    """A household while the sheet is read: its first row and the problems found around its rows (its rows are
    in the spool). `later`: problems only the whole sheet shows (a 户号 written two ways), placed after its rows'."""

    __slots__ = ("number", "first_row", "problems", "later")

    def __init__(self, number: str, row: int):
        self.number, self.first_row = number, row
        self.problems: list[SurveyProblem] = []
        self.later: list[SurveyProblem] = []


class _Reader:
    """Routes rows to households as they pass (held packed), then checks each household's case through the engine."""

    def __init__(self, schedule: Schedule, columns: tuple[SurveyColumn, ...],
                 positions: list[tuple[SurveyColumn, int]], strays: list[tuple[str, int]],
                 hidden_columns: frozenset[int] = frozenset()):
        self.schedule, self.columns, self.positions, self.strays = schedule, columns, positions, strays
        self.hidden_columns = hidden_columns   # grid indexes whose values are left out (unless accepted)
        self.at: dict[int, SurveyColumn | str] = {index: column for column, index in positions}
        self.at.update((index, heading) for heading, index in strays)   # a stray column: its heading
        self.order = {column.heading: index for index, column in enumerate(columns)}
        self.by_field = {(column.block, column.field): column for column in columns}
        self.line_keys = {item.key for item in pickable(schedule)}
        self.number_index = next(index for column, index in positions if column.block == KEY)
        self.last_number: tuple[Any, str] = (None, "")   # (the cell, the 户号 read from it) of the last numbered row
        self.households: dict[str, _Household] = {}
        self.spool = RowSpool()   # each household's rows: (row, [(grid index, value) of its non-blank cells])
        self.loose: list[SurveyProblem] = []   # problems of rows that name no household
        self.above: tuple[str, int] | None = None   # 户号 and row of the last row that named a household
        self.pending: list[int] = []   # rows without 户号 since then: they may belong to the next household

    def problem(self, row: int, column: str, zh: str, en: str, hidden: bool = False) -> SurveyProblem:
        return SurveyProblem(SURVEY_SHEET, row, column, zh, en, hidden)

    def add_row(self, row: int, values: list[Any], hidden: bool = False) -> None:
        """A row as it passes: to its household's rows, or, without 户号, a problem of the households around it."""
        cells = []
        raw_number = None
        at, number_index = self.at, self.number_index
        for index, value in enumerate(values):   # in column order, as the heading row gave positions and strays
            if value is None or index not in at or (isinstance(value, str) and not value.strip()):
                continue
            cells.append((index, value))
            if index == number_index:
                raw_number = value
        if not cells:
            return
        number_column = self.by_field[(KEY, "number")]
        if raw_number is None:
            self.row_without_number(row, number_column.heading)
            return
        if (raw_number.__class__, raw_number) != self.last_number[0]:   # a household's rows repeat its 户号
            try:
                number = household_number(_parse(number_column, raw_number))
            except CalculationError as error:
                self.loose.append(self.problem(row, number_column.heading, error.zh, error.en))
                self.pending_to_loose(number_column.heading)
                self.above = None   # the rows below it cannot be placed either
                return
            self.last_number = ((raw_number.__class__, raw_number), number)
        number = self.last_number[1]
        self.above = (number, row)
        household = self.households.get(number)
        if household is None:
            household = self.households[number] = _Household(number, row)
        household.first_row = min(household.first_row, row)
        for orphan in self.pending:   # a 户号 forgotten on a household's first row(s) leaves it short too
            household.problems.append(self.problem(
                orphan, number_column.heading,
                f"此行没有户号;下方第{row}行的 {number} 户因此整户未导入,请补填户号",
                f"no household number (户号) on this row: household {number} below it (row {row}) "
                "is left out whole; fill in the 户号"))
        self.pending = []
        if hidden or self.hidden_columns:
            household.problems += self.hidden_content(row, cells, hidden)
        self.spool.add(number, (row, cells))

    def fill(self, draft: _Draft, row: int, cells: list[tuple[int, Any]]) -> None:
        """One of the household's rows read into its values and lines; each bad cell a problem at its column."""
        number_column = self.by_field[(KEY, "number")]
        given, strays = [], []
        for index, value in cells:
            place = self.at[index]
            if place.__class__ is str:
                strays.append(place)
            elif place is not number_column:
                given.append((place, value))
        draft.rows.append(row)
        for heading in strays:
            draft.problems.append(self.problem(row, heading, "模板中没有这一列,内容无法导入(请使用模板的列名)",
                                               "the template has no such column: its value cannot be imported"))
        line: dict[str, Any] = {}
        line_bad = False
        for column, value in given:
            try:
                parsed = _parse(column, value)
            except CalculationError as error:
                draft.problems.append(self.problem(row, column.heading, error.zh, error.en))
                if column.block == LINE:
                    line_bad = True
                else:
                    draft.bad_blocks.add(column.block)
                continue
            if column.block == LINE:
                if parsed is not False and parsed != "":   # 有争议=否 is the default: left out
                    line[column.field] = parsed
            elif parsed != "":
                self.household_value(draft, column, parsed, row)
        if (line or line_bad) and "item" not in line:
            draft.problems.append(self.problem(row, self.by_field[(LINE, "item")].heading,
                                               "填了项目明细但缺少项目", "line values given without an item (项目)"))
        elif line:
            draft.lines.append(_Line(row, line, line_bad))

    def hidden_content(self, row: int, cells: list[tuple[int, Any]], hidden_row: bool) -> list[SurveyProblem]:
        """A hidden row, else each value in a hidden column: its household is left out whole, never shortened."""
        if hidden_row:
            return [self.problem(row, "", "此行被隐藏,此户整户未导入;确认要导入时请选择包括隐藏内容",
                                 "the row is hidden: its household is left out unless hidden content is accepted",
                                 hidden=True)]
        return [self.problem(row, column.heading, "此列被隐藏,此户整户未导入;确认要导入时请选择包括隐藏内容",
                             "the column is hidden: the household is left out unless hidden content is accepted",
                             hidden=True)
                for index, _ in cells if index in self.hidden_columns
                and isinstance(column := self.at[index], SurveyColumn)]

    def row_without_number(self, row: int, heading: str) -> None:
        """A row with content but no 户号: the households above and below it are left out whole, never filled in."""
        self.pending.append(row)
        if self.above is None:
            return
        number, above_row = self.above
        self.households[number].problems.append(self.problem(
            row, heading, f"此行没有户号;上方第{above_row}行的 {number} 户因此整户未导入,请补填户号",
            f"no household number (户号) on this row: household {number} above it (row {above_row}) "
            "is left out whole; fill in the 户号"))

    def pending_to_loose(self, heading: str) -> None:
        """Rows without 户号 that no household follows (or none that can be read) belong to none below."""
        for orphan in self.pending:
            if self.above is None:
                self.loose.append(self.problem(orphan, heading, "缺少户号,此行不能归入任何一户",
                                               "no household number (户号): the row belongs to no household"))
        self.pending = []

    def household_value(self, draft: _Draft, column: SurveyColumn, value: Any, row: int) -> None:
        """Keep a household value; a different value on another row of the household is a problem."""
        key = (column.block, column.field)
        if key not in draft.values:
            draft.values[key] = (value, row)
            return
        first, first_row = draft.values[key]
        if first != value:
            draft.problems.append(self.problem(
                row, column.heading,
                f"与第{first_row}行的{column.heading}不同(「{_shown(first)}」≠「{_shown(value)}」),同一户只能有一个值",
                f"differs from row {first_row} ({_shown(first)!r} ≠ {_shown(value)!r}): "
                f"a household has one {column.field}"))

    def numbers_written_two_ways(self) -> None:
        """户号 that are one number written differently (0001 and 1): a problem on each way's first row."""
        ways: dict[str, list[_Household]] = {}
        for household in self.households.values():
            ways.setdefault(number_key(household.number), []).append(household)
        heading = self.by_field[(KEY, "number")].heading
        for households in (households for households in ways.values() if len(households) > 1):
            for household in households:
                others = [other for other in households if other is not household]
                zh = "、".join(f"第{other.first_row}行的「{other.number}」" for other in others)
                en = ", ".join(f"{other.number!r} (row {other.first_row})" for other in others)
                household.later.append(self.problem(
                    household.first_row, heading,
                    f"户号「{household.number}」与{zh}只差前导零,是同一户号的不同写法,无法确定是一户还是两户,均未导入;"
                    "请统一写法(户号列设为文本格式,以免 Excel 去掉前导零)",
                    f"household number {household.number!r} and {en} differ only in leading zeros: one number "
                    "written two ways, so whether they are one household or two is unclear and neither is imported; "
                    "write it one way (format the column as text so Excel keeps the zeros)"))

    def reading(self, path: Path) -> SurveyReading:
        """The sheet read: what only its end shows is placed; the households are checked as they are taken."""
        self.pending_to_loose(self.by_field[(KEY, "number")].heading)
        self.numbers_written_two_ways()
        self.spool.close()
        hidden = [problem for problem in self.loose if problem.hidden]
        hidden += [problem for household in self.households.values() for problem in household.problems
                   if problem.hidden]
        return SurveyReading(path, self.checked, tuple(self.in_sheet_order(hidden)))

    def checked(self, stop_at_problem: bool) -> Generator[SurveyHousehold, None,
                                                           tuple[tuple[SurveyProblem, ...], tuple[str, ...], int]]:
        """Each household's rows unpacked and its case checked, one household at a time; a household without a
        problem is given (with `stop_at_problem`, only until some problem has shown). Returns every problem in
        sheet order, the 户号 left out and how many households can be imported."""
        problems, rejected, importable = list(self.loose), [], 0
        for held in self.households.values():
            draft = _Draft(held.number, problems=list(held.problems))
            for row, cells in self.spool.rows(held.number):
                self.fill(draft, row, cells)
            draft.problems += held.later
            household = self.finish(draft)
            problems += draft.problems
            if draft.problems:
                rejected.append(draft.number)
            elif household is not None:
                importable += 1
                if not (stop_at_problem and problems):
                    yield household
        return tuple(self.in_sheet_order(problems)), tuple(rejected), importable

    def in_sheet_order(self, problems: list[SurveyProblem]) -> list[SurveyProblem]:
        """By row, then by the column's place in the template (the row itself first, an unknown column last)."""
        return sorted(problems, key=lambda p: (p.row, self.order.get(p.column, -1 if not p.column else len(self.order))))

    def finish(self, draft: _Draft) -> SurveyHousehold | None:
        """The household's case checked by the engine; its problems placed at rows and columns."""
        data: dict[str, Any] = {"schedule": self.schedule.id, "household": {}, "assessor": {}}
        for column in self.columns:
            if (column.block, column.field) in draft.values and column.block not in draft.bad_blocks:
                value = draft.values[(column.block, column.field)][0]
                if column.block == CASE:
                    data[column.field] = value
                else:
                    data.setdefault(column.block, {})[column.field] = value
        lines = [line for line in draft.lines if not line.bad]
        data["items"] = [line.raw for line in lines]
        if not draft.lines and "relocation" not in data and "replacement" not in data and not draft.problems:
            draft.problems.append(self.problem(min(draft.rows), "", "此户没有任何补偿项目、搬迁安置或面积置换数据",
                                               "the household has no item, relocation or replacement values"))
            return None
        try:
            case = case_from_dict(data)
        except CalculationError as error:   # the reader builds only well-formed blocks; kept as a guard
            draft.problems.append(self.problem(min(draft.rows), "", error.zh, error.en))
            return None
        result = evaluate(case, self.schedule)
        for error in result.problems:
            draft.problems.append(self.place(error, draft, lines))
        if draft.problems:
            return None
        warnings = [self.warning(warning, lines) for warning in result.warnings]
        id_problem = idcard.problem(case.household.get("id_number", ""))
        if id_problem is not None:
            row = draft.values[("household", "id_number")][1]
            warnings.append(f"{SURVEY_SHEET} 第{row}行「身份证号」: {id_problem.zh} / {id_problem.en}")
        return SurveyHousehold(draft.number, case, tuple(sorted(draft.rows)), result.total, tuple(warnings))

    def place(self, error: CalculationError, draft: _Draft, lines: list[_Line]) -> SurveyProblem:
        """An engine problem at the Excel row and the column of the field it is placed at (none: the whole row)."""
        if error.line is not None:
            column = self.by_field.get((LINE, error.field))
            return self.problem(lines[error.line].row, column.heading if column else "", error.zh, error.en)
        if error.block in ("relocation", "replacement"):
            return self.block_problem(error, draft, error.block)
        return self.problem(min(draft.rows), "", error.zh, error.en)

    def block_problem(self, error: CalculationError, draft: _Draft, block: str) -> SurveyProblem:
        """A relocation or replacement problem at the row and column of its field."""
        name = error.field
        rows = [row for (b, _), (_, row) in draft.values.items() if b == block]
        row = draft.values[(block, name)][1] if (block, name) in draft.values else min(rows or draft.rows)
        column = self.by_field.get((block, name))
        return self.problem(row, column.heading if column else "", error.zh, error.en)

    @staticmethod
    def warning(warning: CaseWarning, lines: list[_Line]) -> str:
        """An engine warning, a line's placed at its Excel row."""
        if warning.line is None:
            return warning.message
        line = lines[warning.line]
        return replace(warning, where=f"{SURVEY_SHEET} 第{line.row}行「{line.raw['item']}」").message
