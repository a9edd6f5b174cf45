"""A filled survey workbook read: its rows gathered into households, each household's case checked.

`read_survey` checks every row through the engine and never raises for a bad row: each problem names the sheet, the
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
from typing import Any, Generator, Iterator
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.utils.datetime import from_ISO8601
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser, _cast_number   # the read-only parser, streamed by hand
from openpyxl.xml.constants import SHEET_MAIN_NS

from calculator import idcard
from calculator.actions import pickable
from calculator.case import Case, case_from_dict
from calculator.compensation import evaluate
from calculator.errors import CalculationError, CaseWarning, InputError
from calculator.limits import (
    SURVEY_MAX_COLUMNS, SURVEY_MAX_FILE_BYTES, SURVEY_MAX_ROWS, SURVEY_MAX_UNPACKED_BYTES, TEXT_LIMITS, check_text,
)
from calculator.money import fmt_plain, to_decimal
from calculator.schedules import load_schedule
from calculator.survey.columns import (
    CASE, DATE, FLAG, KEY, LINE, NO, NUMBER, REQUIRED_HEADINGS, SURVEY_SHEET, YES, SurveyColumn, normal_heading,
    survey_columns,
)
from calculator.survey.households import RowSpool, SurveyReading, report_text
from tables.schedule import Schedule

EXCEL_DIGITS = 15         # significant digits Excel keeps of a number
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


class _Pending:
    """A formula cell whose result was never calculated (no cached value): one object, kept by pickling too."""

    def __reduce__(self) -> str:
        return "_FORMULA_PENDING"


_FORMULA_PENDING = _Pending()


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
