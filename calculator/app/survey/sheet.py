"""调查表 streamed out of its workbook: the package checked for size, then the sheet's rows one at a time.

Size. A workbook larger than calculator.core.limits allows (its file, its unpacked parts, the rows or
columns a sheet declares or holds) is refused before its rows are read.

The rows are read by openpyxl's read-only parser, driven by hand (`read_grid`): each row passes
once, as its values from column A, with merged cells filled in from their ranges and a formula
Excel never calculated given as FORMULA_PENDING; whether a row or a column is hidden is read from
the records the parser passes over anyway. No grid of the sheet is ever held.
"""
from __future__ import annotations

import re
import warnings
import zipfile
from decimal import Decimal, InvalidOperation
from operator import eq, ge, gt, le, lt, ne
from pathlib import Path
from typing import Any, Callable, Iterator
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.styles.fills import PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple, range_boundaries
from openpyxl.utils.datetime import from_ISO8601
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser, _cast_number   # the read-only parser, streamed by hand
from openpyxl.xml.constants import SHEET_MAIN_NS

from calculator.core.errors import InputError
from calculator.formats.reports.cells import REPORT_CATEGORY
from calculator.core.limits import SURVEY_MAX_COLUMNS, SURVEY_MAX_FILE_BYTES, SURVEY_MAX_ROWS, SURVEY_MAX_UNPACKED_BYTES
from calculator.app.survey.columns import REQUIRED_HEADINGS, SURVEY_SHEET, normal_heading

# openpyxl's own warnings (a Strict workbook's "invalid specification", a date past the calendar) went to stderr in
# English, beside what the import says of the same workbook or cell
warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")


class _Pending:
    """A formula cell whose result was never calculated (no cached value): one object, kept by pickling too.

    Pickle finds it again by the name `__reduce__` gives, in the module that defines `_Pending`: the two stay
    together here."""

    def __reduce__(self) -> str:
        return "FORMULA_PENDING"


FORMULA_PENDING = _Pending()


class CellError(str):
    """An Excel error value a cell holds (#N/A, #REF!, #VALUE! …: a formula that failed), told apart from the same
    text typed: it is no value, and a 户号, a 户主 or an 超标准理由 read as its text would pass for one."""


class ShownAsPercent(float):
    """A number in a cell formatted as a percentage: 36% on screen, 0.36 in the file. Read as the number it holds it
    is 1/100 of what the cell shows (3.55 m² typed as 355%, 装潢 150% read as 1.5): told apart, and refused."""


class ShownScaled(float):
    """A number in a cell whose format shows it divided by 1,000 for each comma after its last digit (#,##0, shows
    42000 as 42; 0.0,, shows 86.4 as 0.0): read as the number it holds it is paid as no one saw it (42 on screen,
    42,000.00 paid). Told apart, and refused; `scaling` is how the format shows it (_Scaling)."""

    scaling: _Scaling

    def __new__(cls, value: float, scaling: _Scaling) -> ShownScaled:
        number = super().__new__(cls, value)
        number.scaling = scaling
        return number

    def __reduce__(self) -> tuple[Any, ...]:   # pickled with its scaling (a household's rows are held so)
        return ShownScaled, (float(self), self.scaling)


class ShownWithText(float):
    """A 户号 held as a number in a cell whose format writes text around it ("东"000 shows 12 as 东012): what the file
    holds is not what Excel shows, and 东012 and 西012 were one household "12", their lines paid together. Told apart
    in the column `_Sheet.number_column` names only (a unit beside a quantity, 0"孔", is read as the number)."""


class _Sheet:
    """调查表 opened read-only: its state, what its records say beyond the rows, and the parser its rows come from.

    Merged ranges are recorded after <sheetData>, so `_records_after_rows` finds them (and the last row's
    number) in the part's bytes before the rows are parsed; hidden rows, hidden columns and formulas are
    read from the records openpyxl's streaming parser passes over anyway."""

    def __init__(self, book: Any, stream: Any, sheet: ReadOnlyWorksheet, path: Path):
        self.book, self.stream, self.sheet, self.path = book, stream, sheet, path
        self.state: str = sheet.sheet_state   # visible, hidden or veryHidden
        self.merged: list[tuple[int, int, int, int]] = []   # (min_col, min_row, max_col, max_row), Excel numbers
        # The cells of the row read_grid gave last that a merged range filled from another cell:
        # (grid index, the range's first row, its first column's grid index).
        self.copied: list[tuple[int, int, int]] = []
        # The grid indexes of the row read_grid gave last whose value its cell's format does not show (;;;, a white
        # font): in the cell, on screen nothing; in the file, a number paid.
        self.unseen: list[int] = []
        self.parser: _SurveyParser | None = None

    def __enter__(self) -> _Sheet:
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self.book.close()
        finally:
            self.stream.close()

    def number_column(self, index: int) -> None:
        """The grid index of the 户号 column, once the headings are read: its numbers shown with text are told apart
        (ShownWithText), and those its format pads with zeros read as the text shown (padded_styles), in the rows read
        from then on."""
        if self.parser is not None:
            self.parser.text_column = index + 1

    def laid_out_alike(self) -> list[str]:
        """The other sheets laid out as 调查表 and filled (filled_alike): their households are not read."""
        return [name for name in self.book.sheetnames if name != SURVEY_SHEET and filled_alike(self.book[name])]

    def hidden_columns(self) -> frozenset[int]:
        """The grid indexes of the columns the sheet hides, or makes of no width (a <col> record may span several
        columns)."""
        hidden: set[int] = set()
        for attrs in (self.parser.column_dimensions.values() if self.parser else ()):
            if _xml_true(attrs.get("hidden")) or _nought(attrs.get("width")):
                first = int(attrs["min"])
                last = int(attrs.get("max") or first)
                hidden.update(range(first - 1, min(last, SURVEY_MAX_COLUMNS)))
        return frozenset(hidden)


class _SurveyParser(WorkSheetParser):
    """openpyxl's worksheet parser reading cached values, a row at a time as a list of values.

    A row comes back as (Excel row, values from column A); whether the row is hidden (or of no
    height) is left in `hidden`. Cells are read as openpyxl's parse_cell reads them with data_only
    (the same casts, dates and strings), without building a dict per cell nor a Text object per inline string, and a
    formula whose result Excel never stored (<f> with no cached <v>) reads as FORMULA_PENDING."""

    hidden = False

    def __init__(self, *args: Any, unseen_styles: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset()),
                 percent_styles: frozenset[int] = frozenset(), text_styles: frozenset[int] = frozenset(),
                 scaled_styles: dict[int, tuple[_Section, ...]] | None = None,
                 padded_styles: dict[int, int] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # the cell styles that show no value, and those that show no number (unseen_styles)
        self.unseen_styles, self.unseen_number_styles = unseen_styles
        self.percent_styles = percent_styles   # the cell styles that show a number as a percentage (percent_styles)
        self.text_styles = text_styles   # the cell styles that write text around a number (text_styles)
        self.scaled_styles = scaled_styles or {}   # the cell styles that may show a number divided (scaled_styles)
        self.padded_styles = padded_styles or {}   # the cell styles that pad a number with zeros (padded_styles)
        # the column (from 1) whose numbers are told apart so, or read as padded (_Sheet.number_column)
        self.text_column: int | None = None
        self.unseen: list[int] = []          # the current row's grid indexes holding a value shown so
        # inline strings (openpyxl and some other writers) repeat the same 项目 on every row; the
        # survey's cases keep them, so each distinct text is held once
        self.texts: dict[str, str] = {}

    def parse(self) -> Iterator[tuple[int, list[Any]]]:   # type: ignore[override]
        """The rows as they pass, and the <col> records before them; nothing else of the sheet is read.

        Only elements' starts are reported (half the events of starts and ends): a row is complete once
        the next one starts, and the last once the part has been parsed. Each row must be a child of the
        one <sheetData>, as Excel writes it (anything else is unreadable, never read in part), and is
        dropped from the tree once read (openpyxl's parse leaves a cleared row there, a few dozen bytes
        a row for the whole sheet)."""
        rows: Any = None
        previous: Any = None
        for _, element in ElementTree.iterparse(self.source, events=("start",)):
            tag = element.tag
            if tag == _ROW_TAG:
                if previous is not None:
                    yield self._complete(rows, previous, element)
                previous = element
            elif tag == _COL_TAG:
                self.parse_column_dimensions(element)
            elif tag == _DATA_TAG:
                if rows is not None:
                    raise ValueError("a second <sheetData>")
                rows = element
        if previous is not None:
            yield self._complete(rows, previous, None)

    def _complete(self, rows: Any, row: Any, following: Any) -> tuple[int, list[Any]]:
        """A row read once complete (the next row has started, or the part has ended) and dropped from <sheetData>;
        ValueError if either is not a child of <sheetData> (a row inside another is never read in part)."""
        if rows is None or not len(rows) or rows[0] is not row or (
                following is not None and (len(rows) < 2 or rows[1] is not following)):
            raise ValueError("a row outside <sheetData>")
        read = self.parse_row(row)
        del rows[0]
        return read

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
        height = attrs.get("ht")   # (most rows give none: no call)
        self.hidden = _xml_true(attrs.get("hidden")) or height is not None and _nought(height)
        self.unseen = []
        values: list[Any] = []
        for element in row:
            column, value = self.cell_value(element)
            if column > len(values):
                values.extend([None] * (column - len(values)))
            values[column - 1] = value
            if value is not None and (self.unseen_styles or self.unseen_number_styles):
                style = int(element.get("s", 0))
                if style in self.unseen_styles or style in self.unseen_number_styles and not isinstance(value, str):
                    self.unseen.append(column - 1)
        return self.row_counter, values

    def cell_value(self, element: Any) -> tuple[int, Any]:
        """(column, value) of a <c> record, as WorkSheetParser.parse_cell gives them with data_only."""
        coordinate = element.get("r")
        if coordinate:
            column = self.col_counter = _column(coordinate)
        else:
            self.col_counter += 1
            column = self.col_counter
        data_type = element.get("t", "n")
        if data_type == "inlineStr":
            child = element.find(_INLINE_TAG)
            if child is not None:   # one object per distinct text, as a shared-string table gives
                text = _inline_text(child)
                return column, self.texts.setdefault(text, text)
            return column, (FORMULA_PENDING if element.find(_FORMULA_TAG) is not None else None)
        value = element.findtext(_VALUE_TAG, None)
        if not value:   # a formula never calculated (no <v>, or an empty one as openpyxl writes it), else a blank;
            # a text result "" (=IF(…,600,""), which Excel and LibreOffice store as t="str" and <v></v>) too
            pending = (value is None or data_type != "str") and element.find(_FORMULA_TAG) is not None
            return column, (FORMULA_PENDING if pending else None)
        if data_type == "n":
            value = _cast_number(value)
            style_id = element.get("s")
            if not style_id:
                return column, value
            style = int(style_id)
            if style in self.date_formats:
                return column, self.parse_cell(element)["value"]   # a date: openpyxl's own conversion and warning
            if style in self.percent_styles:
                return column, ShownAsPercent(value)
            if style in self.scaled_styles and value:   # (a nought shows as nought)
                scaling = _shown_scaling(self.scaled_styles[style], value)
                if scaling[0]:
                    return column, ShownScaled(value, scaling)
            if column == self.text_column:
                if style in self.text_styles:
                    return column, ShownWithText(value)
                width = self.padded_styles.get(style)
                # 1 in 0000 shows 0001: the 户号 is that text (12345 shows as it is; a decimal, shown rounded, is
                # refused as ever)
                if width and value % 1 == 0 and abs(value) < 10 ** width:
                    return column, f"{'-' if value < 0 else ''}{abs(int(value)):0{width}d}"
            return column, value
        if data_type == "s":
            return column, self.shared_strings[int(value)]
        if data_type == "b":
            return column, bool(int(value))
        if data_type == "d":
            return column, from_ISO8601(value)
        if data_type == "e":
            return column, CellError(value)
        return column, value   # str (a formula's text) and unknown types: the text as stored


# How far down a sheet laid out as 调查表 may have its headings: a title row or two above them.
HEADING_ROWS = 5


def filled_alike(sheet: Any) -> bool:
    """Whether `sheet` is a worksheet laid out as 调查表 (a row among its first HEADING_ROWS holds 户号, 项目 and 数量)
    with a row filled below its headings: a second 调查表, a 调查表(2), a 第二组 with a title row above its headings
    (a chart sheet is none)."""
    if not isinstance(sheet, ReadOnlyWorksheet):
        return False
    headed = False
    for values in sheet.iter_rows(max_row=HEADING_ROWS + 1, values_only=True):   # read-only: no more is parsed
        if headed and any(value is not None and str(value).strip() for value in values):
            return True
        headed = headed or set(REQUIRED_HEADINGS) <= {normal_heading(value) for value in values if value is not None}
    return False


def refuse_filled_survey(path: Path) -> None:
    """InputError when `path` is a survey workbook with rows filled in (调查表 below its headings): field work, perhaps
    not imported yet, that a template, a ledger or a summary workbook written over it would lose without a word. A
    blank template, another workbook or no file at all is left to the writer's own checks (calculator.core.files)."""
    try:
        if not path.is_file():
            return
        _check_package(path)   # a look at a workbook of a size no survey has would read it all: none is a survey
        book = load_workbook(path, read_only=True)
        try:   # 调查表 itself, or a sheet laid out as it (调查表(2), 第二组) the households were typed on; never a
            # workbook the program wrote as a report (the summary's 超标准单价 sheet has 户号, 项目 and 数量 headings)
            filled = book.properties.category != REPORT_CATEGORY and (SURVEY_SHEET in book.sheetnames and any(
                any(value not in (None, "") for value in row)
                for row in book[SURVEY_SHEET].iter_rows(min_row=2, values_only=True)) or any(
                filled_alike(book[name]) for name in book.sheetnames if name != SURVEY_SHEET))
        finally:
            book.close()
    except Exception:   # noqa: BLE001 — a look, not a reading: a name the system refuses, a damaged or foreign file
        return          # (a truncated sheet raises XML's ParseError) is no survey, and the writer's checks judge it
    if filled:
        raise InputError(f"「{path.name}」是已填写的调查表,不会覆盖它;请另选文件名",
                         f"{path.name} is a filled-in survey; it is not replaced (choose another name)", file=path)


def _inline_text(child: Any) -> str:
    """An inline string's text without formatting or phonetic runs (openpyxl's Text.content)."""
    if len(child) == 1 and child[0].tag == _TEXT_TAG:   # <is><t>…</t></is>, as nearly every writer writes it
        return child[0].text or ""
    parts = []
    plain = child.find(_TEXT_TAG)
    if plain is not None and plain.text is not None:
        parts.append(plain.text)
    for run in child.iterfind(_RUN_TAG):
        text = run.find(_TEXT_TAG)
        if text is not None and text.text is not None:
            parts.append(text.text)
    return "".join(parts)


def _column(coordinate: str) -> int:
    """The column of a cell reference (B7 → 2), as openpyxl's coordinate_to_tuple reads it."""
    reference = _REFERENCE.fullmatch(coordinate)
    if reference is None:   # $B$7, b7, A01 or no reference at all: openpyxl's own reading (and error)
        return coordinate_to_tuple(coordinate)[1]
    letters = reference.group(1)
    column = _COLUMNS.get(letters)
    if column is None:
        column = _COLUMNS[letters] = column_index_from_string(letters)
    return column


def _xml_true(value: Any) -> bool:
    """An XML boolean attribute as openpyxl reads it: anything but absent, "", false, f or 0 is true."""
    return bool(value) and value not in ("false", "f", "0")


def _nought(size: str | None) -> bool:
    """Whether a row's height or a column's width (ht, width) is nought: the row or column is on no one's screen, as a
    hidden one is (Excel's 取消隐藏 shows both). A size that is no number is not nought."""
    try:
        return size is not None and float(size) <= 0
    except ValueError:
        return False


def read_sheet(path: Path) -> _Sheet:
    """调查表 of a workbook checked for size first, opened read-only; its merged ranges and last row found."""
    _check_package(path)
    book, stream = _open_book(path)
    try:
        sheet = book[SURVEY_SHEET] if SURVEY_SHEET in book.sheetnames else None
        if not book.sheetnames and _strict(path):   # openpyxl finds no sheet in it (or fails: _unreadable)
            raise _unreadable(path)
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise InputError(f"工作簿中没有「{SURVEY_SHEET}」工作表(现有:{'、'.join(book.sheetnames)})",
                             f"the workbook has no sheet named {SURVEY_SHEET!r} "
                             f"(it has: {', '.join(book.sheetnames)})", file=path)
        # the extent 调查表 declares (another sheet's is never read: a 照片索引 150 columns wide refused the survey)
        _check_extent(*_declared_extent(book._archive, book._archive.getinfo(sheet._worksheet_path)), path, DECLARED)
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


def read_grid(sheet: _Sheet, path: Path) -> Iterator[tuple[int, list[Any], bool]]:
    """The values of 调查表, row by row as they pass: (Excel row, values from column A, hidden).

    Merged cells repeat their top-left value over their range (a row of a range that holds no record
    is given), and the cells so filled are in `sheet.copied` while their row is the one given; a formula
    gives its cached result, or FORMULA_PENDING when Excel never calculated it.
    A row or column past the survey limits is refused as soon as it is seen."""
    book = sheet.book
    source = sheet.sheet._get_source()
    parser = sheet.parser = _SurveyParser(source, sheet.sheet._shared_strings, data_only=True, epoch=book.epoch,
                                          date_formats=date_styles(book),
                                          timedelta_formats=book._timedelta_formats,
                                          unseen_styles=unseen_styles(book), percent_styles=percent_styles(book),
                                          text_styles=text_styles(book), scaled_styles=scaled_styles(book),
                                          padded_styles=padded_styles(book))
    merged = sorted(sheet.merged, key=lambda box: box[1])
    copied = sheet.copied
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
            waiting = _merge_into(row_values, gap, merged, waiting, active, copied)
            sheet.unseen.clear()
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
                waiting = _merge_into(values, number, merged, waiting, active, copied)
            previous = number
            sheet.unseen[:] = parser.unseen
            yield number, values, hidden
        if merged:   # ranges reaching below the last row record
            yield from gap_rows(previous, max(box[3] for box in merged) + 1)
    finally:
        records.close()
        source.close()


# The built-in number formats of Excel in Chinese (ECMA-376 §18.8.30, zh-cn: 27–36 and 50–58, every one a date or a
# time: yyyy"年"m"月"d"日", m"月"d"日" …), which it writes by number alone and openpyxl does not know: a date typed in
# such a cell (2023年6月20日; 1-2 typed for a 户号, shown 1月2日) is otherwise read as its serial number, 45097.
CHINESE_DATE_FORMATS = frozenset((*range(27, 37), *range(50, 59)))


def date_styles(book: Any) -> frozenset[int]:
    """The workbook's cell styles that show a date or a time: openpyxl's, and those of Excel's Chinese built-in
    formats (a format of the workbook's own is numbered from 164 once read, whatever number it was written with)."""
    return frozenset(book._date_formats).union(index for index, style in enumerate(book._cell_styles)
                                                if style.numFmtId in CHINESE_DATE_FORMATS)


# A number format's quoted text ("%") and escaped characters (\%, \;): shown as written; and its [colour] or
# [condition].
_QUOTED = re.compile(r'"[^"]*"|\\.')
_BRACKETS = re.compile(r"\[[^\]]*\]")


def unseen_styles(book: Any) -> tuple[frozenset[int], frozenset[int]]:
    """(the workbook's cell styles that show no value, those that show no number): a font the colour of the cell's
    background (white on no fill, as Excel's 白色,背景1 is; yellow on yellow), a number format whose sections for
    numbers are empty or white (;;;@, [White]General), and for text too (;;;). A value so formatted is in the file
    and on no one's screen: hidden content, as a hidden row."""
    hidden, numbers_hidden = set(), set()
    fonts, fills = book._fonts, book._fills
    for index, style in enumerate(book._cell_styles):   # a style naming no record (a damaged file) shows as usual
        font = fonts[style.fontId] if style.fontId < len(fonts) else None
        fill = fills[style.fillId] if style.fillId < len(fills) else None
        background = _background(fill)
        code = _QUOTED.sub("x", _format_code(book, style.numFmtId) or "General")
        sections = [_shows_nothing(section, background) for section in code.split(";")]
        colour = _colour(font.color, "000000") if font is not None else None
        if colour is not None and colour == background or len(sections) == 4 and all(sections):
            hidden.add(index)
        elif sections[0] and (len(sections) == 1 or all(sections[:3])):   # [White]General; ;;;@ (its text shows)
            numbers_hidden.add(index)
    return frozenset(hidden), frozenset(numbers_hidden)


# The colours of a format's section that show nothing on a white sheet (Excel's [White], in Chinese [白色], [Color2]).
_WHITE_CODES = ("[white]", "[白色]", "[color2]")


def _shows_nothing(section: str, background: str | None) -> bool:
    """Whether a number format's section (its quoted text already replaced) shows a value as nothing: empty, or
    white on a white `background`."""
    return not _BRACKETS.sub("", section).strip() or background == "FFFFFF" and any(
        code in section.casefold() for code in _WHITE_CODES)


def _colour(colour: Any, default: str | None) -> str | None:
    """A font's or fill's colour as RRGGBB: its own, an indexed one, Excel's white or black of the theme (背景1 and
    文字1, lightened or darkened by less than 5%), else `default` (automatic, or none given); None when unknown."""
    if colour is None or colour.type == "auto":
        return default
    if colour.type == "rgb" and isinstance(colour.rgb, str):
        return colour.rgb[-6:].upper()
    if colour.type == "indexed" and isinstance(colour.indexed, int) and colour.indexed < len(COLOR_INDEX):
        return COLOR_INDEX[colour.indexed][-6:].upper()
    if colour.type == "theme" and colour.theme in (0, 1) and abs(colour.tint or 0) < 0.05:
        return "FFFFFF" if colour.theme == 0 else "000000"
    return None


def _background(fill: Any) -> str | None:
    """What a cell is drawn on: white with no fill, its colour when solid, else not known (a pattern, a gradient)."""
    if fill is None:
        return "FFFFFF"
    if not isinstance(fill, PatternFill):
        return None
    if fill.patternType in (None, "none"):
        return "FFFFFF"
    return _colour(fill.fgColor, None) if fill.patternType == "solid" else None


def percent_styles(book: Any) -> frozenset[int]:
    """The workbook's cell styles whose number format shows a number multiplied by 100 with a % sign: Excel's 0% and
    0.00% (built in) and any format of its own with a % outside quotes."""
    return frozenset(index for index, style in enumerate(book._cell_styles)
                     if "%" in _BRACKETS.sub("", _QUOTED.sub("", _format_code(book, style.numFmtId))))


def text_styles(book: Any) -> frozenset[int]:
    r"""The workbook's cell styles whose number format writes text of its own beside a number that is not negative
    ("东"000, \东000, 0"户"): in its first section, a quoted text or an escaped character other than the marks Excel's
    own number formats write (the space, - ( ) of 0_ ;[Red]\-0\ , #,##0_);\(#,##0\)), never padding (_x) or fill (*x)."""
    return frozenset(index for index, style in enumerate(book._cell_styles)
                     if any(set(literal.group().strip('"\\')) - _NUMBER_MARKS
                            for literal in _QUOTED.finditer(_first_section(_format_code(book, style.numFmtId)))))


def padded_styles(book: Any) -> dict[int, int]:
    """The workbook's cell styles whose number format pads a number with zeros to a width (自定义 0000 shows 1 as 0001;
    特殊 › 邮政编码, 000000, as 000001), each with that width: one section of 0 placeholders only, perhaps with one for
    text (0000;@). At most 15 zeros, the digits Excel keeps of a number: a number padded so is held whole."""
    padded = {}
    for index, style in enumerate(book._cell_styles):
        found = _PADDED.fullmatch(_format_code(book, style.numFmtId))
        if found:
            padded[index] = len(found[1])
    return padded


_PADDED = re.compile(r"(0{2,15})(?:;@)?")


# How a section of a number format shows a number: (the powers of 1,000 it divides it by, its decimal places, whether
# it separates thousands)
_Scaling = tuple[int, int, bool]
# A section for numbers: (the comparison choosing it, the number compared with, its _Scaling); None: the numbers no
# section before it took
_Section = tuple[Callable[[float, float], bool] | None, float, _Scaling]


def scaled_styles(book: Any) -> dict[int, tuple[_Section, ...]]:
    r"""The workbook's cell styles whose number format shows a number divided by 1,000 for each comma after its last
    digit placeholder (#,##0, 0.0,, #,##0.0,"千") in a section for numbers, each with those sections: a comma between
    digits (#,##0) only separates thousands, one quoted or escaped ("," \,) is written as it is."""
    scaled = {}
    for index, style in enumerate(book._cell_styles):
        sections = _number_sections(_format_code(book, style.numFmtId))
        if any(scaling[0] for _, _, scaling in sections):
            scaled[index] = sections
    return scaled


def _number_sections(code: str) -> tuple[_Section, ...]:
    """A number format's sections for numbers (up to three; a text one, with @, is none), as Excel chooses them: by
    their conditions ([>=1000]), else by the sign (one section: every number; two: ≥ 0 and < 0; three: > 0, < 0 and
    0); the last, or one without a condition among conditioned ones, takes what those before it left."""
    sections = [section for section in _QUOTED.sub("x", code).split(";")[:3] if "@" not in section]
    conditions = [_CONDITION.search(section) for section in sections]
    if any(conditions):
        choices = [(_COMPARISONS[found[1]], float(found[2])) if found else (None, 0.0) for found in conditions]
    else:
        choices = [(ge, 0.0)] if len(sections) == 2 else [(gt, 0.0), (lt, 0.0)]
    choices = choices[:len(sections) - 1] + [(None, 0.0)]   # the last takes what is left
    return tuple((compare, limit, _scaling(section)) for section, (compare, limit) in zip(sections, choices))


def _scaling(section: str) -> _Scaling:
    """How a section of a number format (its quoted text already replaced) shows a number (_Scaling)."""
    digits = _PADDING.sub("x", _BRACKETS.sub("", section))
    decimals = _DECIMALS.search(digits)
    return (sum(len(commas) for commas in _SCALING_COMMAS.findall(digits)),
            len(decimals[1].replace(",", "")) if decimals else 0, _THOUSANDS.search(digits) is not None)


def _shown_scaling(sections: tuple[_Section, ...], value: float) -> _Scaling:
    """How the section of a format that shows `value` shows it (_Scaling)."""
    for compare, limit, scaling in sections:
        if compare is None or compare(value, limit):
            break
    return scaling


_CONDITION = re.compile(r"\[(<>|<=|>=|<|>|=)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\]")
_COMPARISONS = {"<": lt, "<=": le, ">": gt, ">=": ge, "=": eq, "<>": ne}
_SCALING_COMMAS = re.compile(r"[0#?](,+)(?![0#?,])")   # after a digit placeholder, before none: ÷ 1,000 each
_THOUSANDS = re.compile(r"[0#?],+[0#?]")   # between digit placeholders: thousands separated
_DECIMALS = re.compile(r"\.([0#?,]*)")   # the decimal point and the decimal places (with a comma that scales)
_NUMBER_MARKS = frozenset(" -()+,./:")   # what Excel's own number formats write beside a number (\-, \(, " ")
_PADDING = re.compile(r'[_*].')   # _) (a space as wide as ")") and *x (x repeated to fill the cell)


def _first_section(code: str) -> str:
    """A format code's first section (positive numbers), without colours, conditions and padding."""
    code = _PADDING.sub("", _BRACKETS.sub("", code))
    quoted = False
    for at, char in enumerate(code):
        quoted = quoted != (char == '"')
        if char == ";" and not quoted:
            return code[:at]
    return code


def _format_code(book: Any, number_format: int) -> str:
    """The code of a cell style's number format: the workbook's own (from 164), else Excel's built-in one ("" for
    a number no record or built-in format has: a damaged file's, shown as usual)."""
    if number_format >= 164:
        formats = book._number_formats
        return formats[number_format - 164] if number_format - 164 < len(formats) else ""
    return BUILTIN_FORMATS.get(number_format, "")


def _merge_into(values: list[Any], row: int, merged: list[tuple[int, int, int, int]], waiting: int,
                active: list[list[Any]], copied: list[tuple[int, int, int]]) -> int:
    """Fill a row's values from the merged ranges spanning it (ranges starting at it opened first), and put in
    `copied` (emptied first) every cell filled from another one."""
    copied.clear()
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
        if value is not None:   # (an empty range fills nothing worth naming)
            copied += [(column - 1, min_row, min_col - 1) for column in range(min_col, max_col + 1)
                       if column != min_col or row != min_row]
    return waiting


_FORMULA_TAG = f"{{{SHEET_MAIN_NS}}}f"
_DATA_TAG = f"{{{SHEET_MAIN_NS}}}sheetData"
_ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
_COL_TAG = f"{{{SHEET_MAIN_NS}}}col"
_VALUE_TAG = f"{{{SHEET_MAIN_NS}}}v"
_INLINE_TAG = f"{{{SHEET_MAIN_NS}}}is"
_TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"
_RUN_TAG = f"{{{SHEET_MAIN_NS}}}r"
_REFERENCE = re.compile(r"([A-Z]{1,3})([1-9][0-9]*)")
_COLUMNS: dict[str, int] = {}   # the column letters of references seen → the column's number
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


def _strict(path: Path) -> bool:
    """Whether the workbook is saved as Strict Open XML (Excel's 「Strict Open XML 电子表格」), which openpyxl cannot read."""
    try:
        with zipfile.ZipFile(path) as package:
            return b"purl.oclc.org/ooxml/spreadsheetml" in package.read("xl/workbook.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def _open_book(path: Path) -> tuple[Any, Any]:
    """The workbook opened read-only for cached values, and the stream it reads (both closed by the caller)."""
    try:
        stream = path.open("rb")  # a stream: openpyxl then judges the content, not the file name
    except OSError as exc:
        raise InputError(f"无法打开文件: {exc.strerror or exc}", f"cannot open the file: {exc.strerror or exc}",
                         file=path) from None
    try:
        return load_workbook(stream, read_only=True, data_only=True), stream
    except Exception:  # noqa: BLE001 — openpyxl fails on a foreign file with any of a dozen exception types
        stream.close()
        raise _unreadable(path) from None


# What an Office file that is no zip package starts with (a compound file: an .xls, or an .xlsx with a password)
_COMPOUND = bytes.fromhex("d0cf11e0a1b11ae1")
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")   # the stream a password-protected .xlsx keeps the workbook in


def _unreadable(path: Path) -> InputError:
    """Why `path` cannot be read as a workbook, with what to do: an empty file, a workbook with an opening password,
    an old .xls, a Strict Open XML one, else any other file (a password-protected workbook saved as .xlsx, as was
    advised, keeps its password)."""
    try:
        with path.open("rb") as stream:
            content = stream.read(len(_COMPOUND))
            if content == _COMPOUND:   # its directory may lie anywhere in it (read whole: an error's path only)
                content += stream.read(SURVEY_MAX_FILE_BYTES)
    except OSError:
        content = b"?"
    if not content:
        return InputError("文件是空的(0 字节),不是 Excel 工作簿", "the file is empty (0 bytes): no Excel workbook", file=path)
    if content.startswith(_COMPOUND) and _ENCRYPTED in content:
        return InputError("工作簿设有打开密码,程序不能读取;请在 Excel 中取消密码(文件→信息→保护工作簿→用密码进行加密,"
                          "清空密码)并保存后再导入",
                          "the workbook has a password to open it, which this program cannot read: remove the password "
                          "in Excel (File → Info → Protect Workbook → Encrypt with Password, cleared), save, then import",
                          file=path)
    if content.startswith(_COMPOUND):
        return InputError("这是旧版 Excel 97-2003 工作簿(.xls),请在 Excel 中另存为「Excel 工作簿(*.xlsx)」后再导入",
                          "an old Excel 97-2003 workbook (.xls): save it as an Excel Workbook (*.xlsx) in Excel",
                          file=path)
    if _strict(path):
        return InputError("工作簿是「Strict Open XML」格式,请在 Excel 中另存为「Excel 工作簿(*.xlsx)」后再导入",
                          "the workbook is in Strict Open XML: save it as an Excel Workbook (*.xlsx) in Excel",
                          file=path)
    return InputError("不是可读取的 Excel 工作簿(.xlsx);旧版 .xls 请在 Excel 中另存为 .xlsx",
                      "not a readable Excel workbook (.xlsx); save an old .xls file as .xlsx in Excel", file=path)


# --- size: checks on the package and the sheet's metadata, not its cells --------------------------

_MB = 1024 * 1024
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([^"]*)"')
_DIMENSION_WITHIN = 64 * 1024   # <dimension> comes before the rows, after a few short elements


def _check_package(path: Path) -> None:
    """Refuse a workbook too large to read before openpyxl unpacks it: the file, its unpacked parts."""
    size = path.stat().st_size if path.is_file() else 0   # a missing file is reported by _open_book
    if size > SURVEY_MAX_FILE_BYTES:
        raise InputError(f"文件过大: {size / _MB:.0f} MB,调查表最大 {SURVEY_MAX_FILE_BYTES // _MB} MB",
                         f"file too large: {size / _MB:.0f} MB, a survey workbook is at most "
                         f"{SURVEY_MAX_FILE_BYTES // _MB} MB", file=path)
    try:
        package = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return   # no zip package: _open_book says it is no workbook
    with package:
        unpacked = sum(part.file_size for part in package.infolist())   # zipfile never unpacks more than this
        if unpacked > SURVEY_MAX_UNPACKED_BYTES:
            raise InputError(f"工作簿解压后过大: {unpacked / _MB:.0f} MB,最多 {SURVEY_MAX_UNPACKED_BYTES // _MB} MB",
                             f"the workbook unpacks to {unpacked / _MB:.0f} MB, at most "
                             f"{SURVEY_MAX_UNPACKED_BYTES // _MB} MB", file=path)


def _declared_extent(package: zipfile.ZipFile, part: zipfile.ZipInfo) -> tuple[int, int]:
    """(rows, columns) a worksheet declares in its <dimension>, from the part's first bytes; (0, 0) if none."""
    try:
        with package.open(part) as stream:
            found = _DIMENSION.search(stream.read(_DIMENSION_WITHIN))
        _, _, columns, rows = range_boundaries(found.group(1).decode()) if found else (0, 0, 0, 0)
    except Exception:  # noqa: BLE001 — a damaged part or reference: openpyxl judges the sheet itself
        return 0, 0
    return rows or 0, columns or 0


# How 调查表's size is said when it is the range the sheet declares, which a cell formatted far away widens too
DECLARED = ("(含设了格式的空白格;如多出的只是格式,请在 Excel 中删除多余的行或列后保存)",
            " (formatted blank cells included: if the rest is only formatting, delete those rows or columns in Excel)")


def _check_extent(rows: int, columns: int, path: Path, declared: tuple[str, str] = ("", "")) -> None:
    """Refuse 调查表 of more rows or columns than a survey may have; `declared`: what is added when its size is the
    range the sheet declares (DECLARED)."""
    zh, en = declared
    if rows > SURVEY_MAX_ROWS:
        raise InputError(f"「{SURVEY_SHEET}」工作表有 {rows} 行,调查表最多 {SURVEY_MAX_ROWS} 行;请分成几个文件导入{zh}",
                         f"the sheet {SURVEY_SHEET} has {rows} rows, a survey at most {SURVEY_MAX_ROWS}; split it into "
                         f"several files{en}", file=path)
    if columns > SURVEY_MAX_COLUMNS:
        raise InputError(f"「{SURVEY_SHEET}」工作表有 {columns} 列,调查表最多 {SURVEY_MAX_COLUMNS} 列{zh}",
                         f"the sheet {SURVEY_SHEET} has {columns} columns, a survey at most {SURVEY_MAX_COLUMNS}{en}",
                         file=path)
