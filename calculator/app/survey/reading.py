"""A filled survey workbook read: its rows gathered into households, each household's case checked.

`read_survey` checks every row through the engine and never raises for a bad row: each problem
names the sheet, the Excel row, the column and why, and a household with any problem is left out
whole. `stream_survey` reads the same way but hands the households on one at a time, checked as
they are taken (calculator.app.survey.households), so an import never holds every household's case.

A row with content but no 户号 is never guessed into a household (a 户号 in merged cells is not
missing: it belongs to every row it spans). Assessors often type the 户号 on a household's first
row only, so such a row leaves out, whole, the household of the nearest row above it that has a
户号: importing that household without the row would pay the family short. With no household
above, the row is a problem of its own.

户号. A 户号 is read as calculator.app.survey.values reads it (half-width, without spaces at either
end; a number cell 1 reads "1", or "0001" in a cell formatted 0000), and two 户号 that differ only in leading zeros
or in the case of a letter are one number (`number_key`). Rows that write one number two ways (0001 on one row, 1 on
another) are a problem naming the rows of each way: the reader never merges them into one household nor splits them
into two. The import matches a 户号 to the project's households the same way, so a re-import of 1 finds
the registered 0001.

Hidden content. A hidden or very hidden 调查表, a hidden row and a value in a hidden column (a row
of no height, a column of no width, as hidden on screen) are problems (`SurveyProblem.hidden`)
unless the reader is asked to include hidden content (`include_hidden`): what the assessor cannot
see on screen is not paid without a word. A hidden row leaves out its whole household, as a row
without 户号 does, rather than shortening it.

Size. A workbook larger than calculator.core.limits allows is refused before its rows are read
(calculator.app.survey.sheet), and every text cell is held to its field's length and refused
characters (`calculator.core.limits.check_text`), named by row and column.

Cells are read as the case file takes them (calculator.app.survey.values): numbers as the assessor
typed them, never through float arithmetic.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Generator

from openpyxl.utils import get_column_letter as column_letter

from calculator.core import idcard
from calculator.app.actions import pickable
from calculator.engine.case import case_from_dict
from calculator.engine.compensation import evaluate
from calculator.core.errors import CalculationError, CaseWarning, InputError
from calculator.core.labels import label
from calculator.core.money import fmt_plain
from calculator.engine.schedules import load_schedule
from calculator.app.survey.columns import (
    CASE, KEY, LINE, REQUIRED_HEADINGS, SURVEY_SHEET, SurveyColumn, normal_heading, survey_columns,
)
from calculator.app.survey.households import RowSpool, Survey, SurveyHousehold, SurveyProblem, SurveyReading
from calculator.app.survey.sheet import ShownWithText, read_grid, read_sheet
from calculator.app.survey.values import excel_number, household_number, number_key, parse_value, shown_value, sum_row
from tables.schedule import Schedule


def read_survey(path: Path, schedule: Schedule | None = None, *, include_hidden: bool = False) -> Survey:
    """Every row of 调查表 checked, and every household that can be imported held with its case.

    As `stream_survey`, whose households are taken here all at once."""
    reading = stream_survey(path, schedule, include_hidden=include_hidden)
    households = tuple(reading.households())
    return Survey(reading.path, households, reading.problems, reading.rejected)


# The blocks whose values are a household's own: one merged in from another household's row would be paid twice.
HOUSEHOLD_BLOCKS = frozenset(("household", "relocation", "replacement"))


def stream_survey(path: Path, schedule: Schedule | None = None, *, include_hidden: bool = False) -> SurveyReading:
    """调查表 read once; its households checked one at a time as they are taken, bad rows becoming problems.

    Raises InputError only when the file cannot be read, is not an .xlsx workbook, is larger than
    calculator.core.limits allows, has no 调查表 sheet, or lacks a required heading (户号, 项目, 数量).
    Hidden content (the sheet, rows, cells in hidden columns) is a problem and left out unless
    `include_hidden` accepts it.

    The sheet is streamed: openpyxl's read-only parser gives each row once, as values, and the
    rows go to the reader as they pass; no grid of the sheet is ever held, and each household's
    rows are held packed until its household is taken (calculator.app.survey.households).
    """
    path = Path(path)
    schedule = schedule or load_schedule()
    columns = survey_columns(schedule)
    with read_sheet(path) as sheet:
        rows = read_grid(sheet, path)
        first = next(rows, None)
        header = first[1] if first is not None and first[0] == 1 else []
        positions, strays = _header(header, columns, path)
        sheet.number_column(next(index for column, index in positions if column.block == KEY))
        if sheet.state != "visible" and not include_hidden:
            reader = _Reader(schedule, columns, positions, strays)
            reader.loose.append(_hidden_sheet(sheet.state))
            return reader.reading(path)
        # <cols> precedes <sheetData>: the hidden columns are known once the first row has passed
        reader = _Reader(schedule, columns, positions, strays,
                         frozenset() if include_hidden else sheet.hidden_columns(),
                         frozenset(box[1] for box in sheet.merged))
        if first is not None and first[0] != 1:   # no row 1 (no heading): the first row is a content row
            reader.add_row(first[0], first[1], hidden=first[2] and not include_hidden, copied=sheet.copied,
                           unseen=() if include_hidden else sheet.unseen)
        for row, values, hidden in rows:
            reader.add_row(row, values, hidden=hidden and not include_hidden, copied=sheet.copied,
                           unseen=() if include_hidden else sheet.unseen)
        for name in sheet.laid_out_alike():
            reader.loose.append(SurveyProblem(
                name, 0, "", f"此工作表也按调查表填写了住户,但只读取「{SURVEY_SHEET}」工作表,这里的住户均未导入;请并入{SURVEY_SHEET}",
                f"this sheet is laid out as {SURVEY_SHEET} and holds households, but only {SURVEY_SHEET} is read: none "
                f"of them is imported; move them into {SURVEY_SHEET}", unread=True))
    return reader.reading(path)


def _hidden_sheet(state: str) -> SurveyProblem:
    """调查表 itself is hidden: nothing of it is read unless hidden content is accepted."""
    zh, en = ("深度隐藏(very hidden)", "very hidden") if state == "veryHidden" else ("隐藏", "hidden")
    return SurveyProblem(SURVEY_SHEET, 0, "", f"工作表被{zh},其中的住户均未导入;确认要导入时请选择包括隐藏内容",
                         f"the sheet is {en}: none of its households is imported unless hidden content is accepted",
                         hidden=True, unread=True)


def _header(cells: list[Any], columns: tuple[SurveyColumn, ...], path: Path
            ) -> tuple[list[tuple[SurveyColumn, int]], list[tuple[str, int]]]:
    """Which sheet column holds which survey column; headings the template does not know."""
    known: dict[str, SurveyColumn] = {}
    for column in columns:
        for name in (column.heading, column.label):
            if name:
                known.setdefault(normal_heading(name), column)
    positions: dict[SurveyColumn, int] = {}
    strays = []
    for index, value in enumerate(cells):
        if value is None or not str(value).strip():
            continue
        column = known.get(normal_heading(value))
        if column is None:
            strays.append((str(value).strip(), index))
        elif column in positions:
            raise InputError(f"「{SURVEY_SHEET}」第1行有两个「{column.heading}」列",
                             f"row 1 of {SURVEY_SHEET!r} has two {column.heading!r} columns", file=path)
        else:
            positions[column] = index
    missing = [name for name in REQUIRED_HEADINGS if not any(c.heading == name for c in positions)]
    if missing:
        raise InputError(f"「{SURVEY_SHEET}」第1行缺少列:{'、'.join(missing)}(请使用导出的模板)",
                         f"row 1 of {SURVEY_SHEET!r} lacks the column(s) {', '.join(missing)} (use the template)",
                         file=path)
    return list(positions.items()), strays


# A value in a column the template lacks, or under no heading at all
STRAY_ZH = "模板中没有这一列,内容无法导入(请使用模板的列名)"
STRAY_EN = "the template has no such column: its value cannot be imported"


def _fraction(value: Any) -> bool:
    """A number cell's value that is not a whole number."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and value != int(value)


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


# Why a row names no household (the reader's `pending`), as the households around it are told: the row's state and
# what to do, in Chinese, then in English
NO_NUMBER, UNREAD_NUMBER = "none", "unread"
ORPHAN_SAID = {NO_NUMBER: ("没有户号", "请补填户号", "no household number (户号)", "fill in the 户号"),
               UNREAD_NUMBER: ("的户号无法读取(原因见该格)", "请改正户号", "a household number (户号) that cannot be read",
                               "correct the 户号")}


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
                 hidden_columns: frozenset[int] = frozenset(), merge_starts: frozenset[int] = frozenset()):
        self.schedule, self.columns, self.positions, self.strays = schedule, columns, positions, strays
        self.merge_starts = merge_starts   # the rows a merged range starts at: whose household each is, is kept
        self.owners: dict[int, str] = {}
        self.hidden_columns = hidden_columns   # grid indexes whose values are left out (unless accepted)
        self.line_index = {column.field: index for column, index in positions if column.block == LINE}
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
        # rows without a 户号 read since then, each with why (NO_NUMBER, UNREAD_NUMBER): they may be the next household's
        self.pending: list[tuple[int, str]] = []
        # each 身份证号 (compacted) with the 户号 and row that gave it first: a family listed twice is paid twice
        self.id_numbers: dict[str, tuple[str, int]] = {}

    def problem(self, row: int, column: str, zh: str, en: str, hidden: bool = False) -> SurveyProblem:
        return SurveyProblem(SURVEY_SHEET, row, column, zh, en, hidden)

    def add_row(self, row: int, values: list[Any], hidden: bool = False,
                copied: list[tuple[int, int, int]] | tuple = (), unseen: list[int] | tuple = ()) -> None:
        """A row as it passes: to its household's rows, or, without 户号, a problem of the households around it.
        `copied`: its cells a merged range filled from another cell (the sheet's `copied`); `unseen`: its cells whose
        format shows no value (the sheet's `unseen`), hidden content as a hidden row is."""
        cells = []
        raw_number = None
        at, number_index = self.at, self.number_index
        for index, value in enumerate(values):   # in column order, as the heading row gave positions and strays
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if index not in at:   # a value under no heading (its heading cleared, or past the last): said, never dropped
                at[index] = f"{column_letter(index + 1)}列(第1行无列名)"
            cells.append((index, value))
            if index == number_index:
                raw_number = value
        if not cells:
            return
        number_column = self.by_field[(KEY, "number")]
        if raw_number is None and all(at[index].__class__ is str for index, _ in cells):
            # only columns the template lacks (a note beside the table: 调查人:王五): said at its cells, never taken
            # for a household's row without its 户号, which would leave the household beside it out
            self.loose += [self.problem(row, at[index], STRAY_ZH, STRAY_EN) for index, _ in cells]
            return
        if raw_number is None:
            self.row_without_number(row, number_column.heading, NO_NUMBER)
            return
        if (raw_number.__class__, raw_number) != self.last_number[0]:   # a household's rows repeat its 户号
            try:
                if isinstance(raw_number, bool):   # TRUE typed over a 户号 made a household "TRUE" of that row's line
                    raise InputError("户号是逻辑值(TRUE/FALSE),不是编号;请填写户号",
                                     "the household number is a logical value (TRUE/FALSE), not a number: type it")
                if isinstance(raw_number, ShownWithText):   # "东"000: 东012 and 西012 were one household "12"
                    held = fmt_plain(excel_number(raw_number))
                    raise InputError(f"户号单元格的数字格式带有文字,Excel 显示的不是存的数值({held});"
                                     "请把户号列设为文本,按显示的样子重新填写户号",
                                     f"the household number cell's format writes text around the number it holds "
                                     f"({held}): format the column as text and type the number as it is shown")
                if _fraction(raw_number):   # 3.10 typed into a number cell is kept as 3.1: another family's 户号
                    raise InputError(f"户号是带小数的数值({raw_number}),数值单元格会去掉末尾的 0(3.10 成了 3.1);"
                                     "请把户号列设为文本后重新填写",
                                     f"the household number is a decimal number ({raw_number}): a number cell drops "
                                     "trailing zeros (3.10 becomes 3.1); format the column as text and type it again")
                number = household_number(parse_value(number_column, raw_number))
            except CalculationError as error:
                self.loose.append(self.problem(row, number_column.heading, error.zh, error.en))
                if sum_row(raw_number):   # no household's row: nothing below it can be placed either
                    self.pending_to_loose(number_column.heading)
                    self.above = None
                else:   # some household's, unread: as a row without 户号 (0301： amid 0301's rows left it short, its
                    self.row_without_number(row, number_column.heading, UNREAD_NUMBER)   # line lost, and imported it)
                return
            self.last_number = ((raw_number.__class__, raw_number), number)
        number = self.last_number[1]
        self.above = (number, row)
        household = self.households.get(number)
        if household is None:
            household = self.households[number] = _Household(number, row)
        household.first_row = min(household.first_row, row)
        for orphan, why in self.pending:   # a 户号 forgotten on a household's first row(s) leaves it short too
            zh, ask, en, ask_en = ORPHAN_SAID[why]
            household.problems.append(self.problem(
                orphan, number_column.heading, f"此行{zh};下方第{row}行的 {number} 户因此整户未导入,{ask}",
                f"{en} on this row: household {number} below it (row {row}) is left out whole; {ask_en}"))
        self.pending = []
        if hidden or self.hidden_columns or unseen:
            household.problems += self.hidden_content(row, cells, hidden, unseen)
        if row in self.merge_starts:
            self.owners[row] = number
        if copied:
            household.problems += self.merged_content(row, cells, copied, number)
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
            draft.problems.append(self.problem(row, heading, STRAY_ZH, STRAY_EN))
        line: dict[str, Any] = {}
        line_bad = False
        for column, value in given:
            try:
                parsed = parse_value(column, value)
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

    def hidden_content(self, row: int, cells: list[tuple[int, Any]], hidden_row: bool,
                       unseen: list[int] | tuple = ()) -> list[SurveyProblem]:
        """A hidden row, else each value in a hidden column or in a format that shows none (;;;, a white font): its
        household is left out whole, never shortened."""
        if hidden_row:
            return [self.problem(row, "", "此行被隐藏,此户整户未导入;确认要导入时请选择包括隐藏内容",
                                 "the row is hidden: its household is left out unless hidden content is accepted",
                                 hidden=True)]
        problems = [self.problem(row, column.heading, "此列被隐藏,此户整户未导入;确认要导入时请选择包括隐藏内容",
                                 "the column is hidden: the household is left out unless hidden content is accepted",
                                 hidden=True)
                    for index, _ in cells if index in self.hidden_columns
                    and isinstance(column := self.at[index], SurveyColumn)]
        return problems + [
            self.problem(row, self.at[index] if isinstance(self.at[index], str) else self.at[index].heading,
                         "此格的单元格格式不显示内容(如 ;;; 或白色字),此户整户未导入;确认要导入时请选择包括隐藏内容",
                         "the cell's format shows nothing (;;; or a white font): the household is left out unless "
                         "hidden content is accepted", hidden=True)
            for index in unseen if index in self.at and index not in self.hidden_columns]

    def merged_content(self, row: int, cells: list[tuple[int, Any]], copied: list[tuple[int, int, int]],
                       number: str) -> list[SurveyProblem]:
        """Values a merged range repeated that would be paid again or read as another field or household: a 数量
        or 评估金额 merged down over rows, a 项目 merged onto a row with no 数量 or 评估金额 of its own (its default
        quantity would be paid again), a household's own value (户主, 建筑面积, a 置换 area) merged from a row of
        another household than `number`, or any value merged across into another column. Its household is left
        out whole. (单价, a parameter or 备注 merged down over lines is one value of each line, a household's value
        merged over its own rows one value of it, and 评估单位 or 测算日期 merged over households one value of
        them all: these stay read.)"""
        given = {index for index, _ in cells}
        repeated = {index for index, _, _ in copied}
        own = any(index in given and index not in repeated
                  for index in (self.line_index.get("quantity"), self.line_index.get("amount")) if index is not None)
        problems = []
        for index, first_row, first_index in copied:
            column = self.at.get(index)
            if index not in given or not isinstance(column, SurveyColumn) or column.block == KEY:
                continue
            if column.block != LINE:
                if index != first_index or (column.block in HOUSEHOLD_BLOCKS and self.owners.get(first_row) != number):
                    problems.append(self.problem(
                        row, column.heading,
                        f"此格的值来自第{first_row}行起的合并单元格,它跨到了另一户(或另一列),此户整户未导入;"
                        "请取消合并,每户填写自己的值",
                        f"this cell's value comes from a merged range starting at row {first_row} that reaches into "
                        "another household (or another column): the household is left out whole; unmerge and fill "
                        "in each household's own value"))
                continue
            if index != first_index or column.field in ("quantity", "amount") or (column.field == "item" and not own):
                problems.append(self.problem(
                    row, column.heading,
                    f"此格的值来自第{first_row}行起的合并单元格;项目明细中这样合并会把同一数量或金额重复计入"
                    "(或把数值填进另一列),此户整户未导入;请取消合并,逐行填写",
                    f"this cell's value comes from a merged range starting at row {first_row}: merged like this, "
                    "line values would count one quantity or amount again (or put a value into another column), "
                    "so the household is left out whole; unmerge and fill each row"))
        return problems

    def row_without_number(self, row: int, heading: str, why: str) -> None:
        """A row with content but no 户号 (NO_NUMBER), or one that cannot be read (UNREAD_NUMBER): the households above
        and below it are left out whole, never filled in."""
        self.pending.append((row, why))
        if self.above is None:
            return
        number, above_row = self.above
        zh, ask, en, ask_en = ORPHAN_SAID[why]
        self.households[number].problems.append(self.problem(
            row, heading, f"此行{zh};上方第{above_row}行的 {number} 户因此整户未导入,{ask}",
            f"{en} on this row: household {number} above it (row {above_row}) is left out whole; {ask_en}"))

    def pending_to_loose(self, heading: str) -> None:
        """Rows without 户号 that no household follows (or none that can be read) belong to none below."""
        for orphan, why in self.pending:
            if self.above is None and why == NO_NUMBER:   # (a 户号 not read is said at its cell already)
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
                f"与第{first_row}行的{column.heading}不同(「{shown_value(first)}」≠「{shown_value(value)}」),同一户只能有一个值",
                f"differs from row {first_row} ({shown_value(first)!r} ≠ {shown_value(value)!r}): "
                f"a household has one {column.field}"))

    def numbers_written_two_ways(self) -> None:
        """户号 that are one number written differently (0001 and 1, A01 and a01): a problem on each way's first row."""
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
                    f"户号「{household.number}」与{zh}只差前导零或字母大小写,是同一户号的不同写法,无法确定是一户还是两户,"
                    "均未导入;请统一写法(户号列设为文本格式,以免 Excel 去掉前导零)",
                    f"household number {household.number!r} and {en} differ only in leading zeros or letter case: one number "
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
        # the id number's is said below at its row
        warnings = [self.warning(warning, lines) for warning in result.warnings if warning.field != "id_number"]
        first_of: dict[tuple, int] = {}   # a line given twice: a household's rows pasted again paid its lines twice
        for line in lines:
            same = first_of.setdefault(tuple(sorted((key, str(value)) for key, value in line.raw.items())), line.row)
            if same != line.row:
                warnings.append(f"{SURVEY_SHEET} 第{line.row}行: 与第{same}行的项目明细完全相同,请核对是否重复填写 / "
                                f"the same line as row {same}: check it is not entered twice")
        if not case.household.get("head"):   # a 户号 typed wrong on one row (00l for 001) made that row a family
            warnings.insert(0, f"{SURVEY_SHEET} 第{min(draft.rows)}行「户主」: 此户没有户主,请核对户号是否填错(一行户号填错,"
                               f"该行即另成一户) / the household has no 户主: check its 户号 (one row's number typed "
                               f"wrong makes that row a household of its own)")
        id_number = case.household.get("id_number", "")
        if key := idcard.compact(id_number):
            row = draft.values[("household", "id_number")][1]
            id_problem = idcard.problem(id_number)
            if id_problem is not None:
                warnings.append(f"{SURVEY_SHEET} 第{row}行「身份证号」: {id_problem.zh} / {id_problem.en}")
            number, first_row = self.id_numbers.setdefault(key, (draft.number, row))
            if number != draft.number:   # imported all the same (one person may own two houses); said first
                warnings.insert(0, f"{SURVEY_SHEET} 第{row}行「身份证号」: 与第{first_row}行户号「{number}」的身份证号相同,"
                                f"请核对是否同一户重复登记 / the id number is that of household {number!r} (row "
                                f"{first_row}): check that the household is not listed twice")
        return SurveyHousehold(draft.number, case, tuple(sorted(draft.rows)), result, tuple(warnings))

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
        """An engine warning, a line's placed at its Excel row, a block's named as the survey's columns are (搬迁与安置,
        not the case file's "relocation")."""
        if warning.line is None:
            return replace(warning, where=label(warning.where)).message if warning.where else warning.message
        line = lines[warning.line]
        return replace(warning, where=f"{SURVEY_SHEET} 第{line.row}行「{line.raw['item']}」").message
