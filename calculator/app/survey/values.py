"""A survey cell's value as the case file takes it, and the 户号 as the project writes and compares it.

户号. A 户号 is read as text, as NFKC writes it (full-width characters half-width: ０００１ is 0001) but for a circled,
superscript or subscript digit or a fraction (NFKC made 12① the 户号 121, another family's: refused), and spaces at either
end dropped; a number cell 1 reads "1", or
"0001" as Excel shows it when its format pads it with zeros (0000: calculator.app.survey.sheet.padded_styles). Two 户号
are the same household number when they differ only in the case of a letter (A01, a01), or, made only of digits, in
leading zeros (`number_key`): Excel turns 0001 typed into a General cell into the number 1, so "0001" and 1 cannot be
told apart by the reader, and only a cell's padding format says how many zeros a project pads to.

Reading numbers. openpyxl returns a numeric cell as a binary float. Excel keeps at most 15
significant digits, and any decimal of at most 15 significant digits survives the trip through
a float, so `Decimal(repr(value))` — the shortest text that gives the same float back — is the
number the assessor typed (35.55, not 35.549999…). A float with more digits than that is a
formula's result; it is read at Excel's 15 significant digits, as Excel shows it. Text cells go
through `calculator.core.money.to_decimal`, like case files. No arithmetic is done on floats.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from calculator.core.errors import InputError
from calculator.core.limits import TEXT_LIMITS, check_text
from calculator.core.money import fmt_plain, to_decimal
from calculator.app.survey.columns import DATE, FLAG, NO, NUMBER, YES, SurveyColumn
from calculator.app.survey.sheet import FORMULA_PENDING, CellError, ShownAsPercent, ShownScaled

EXCEL_DIGITS = 15         # significant digits Excel keeps of a number
PERCENT = "(%)"   # a column counted in per cent (装潢增加(%)): its heading ends so
# 2023-06-20, 2023/6/20, 2023.6.20, 2023年6月20日, and 20230620 as the app takes it typed (full-width digits too)
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{4})(\d{2})(\d{2})")

def excel_number(value: float) -> Decimal:
    """The decimal an Excel numeric cell holds: what was typed, or a formula's 15-digit result."""
    number = Decimal(repr(value))
    if number.is_finite() and len(number.as_tuple().digits) > EXCEL_DIGITS:
        number = Decimal(format(value, f".{EXCEL_DIGITS}g"))
    return number


# Besides letters, digits and Chinese, what a 户号 is written with: 一组-03, 12#, (东)5, 3/2.
NUMBER_MARKS = frozenset(" -_./#()、·—")


def household_number(text: str) -> str:
    """A 户号 as the project writes it: as NFKC writes it (０００１ is 0001), without spaces at either end, and made of
    letters, digits, Chinese and NUMBER_MARKS (never NUMBER_FORMS), within its limit (it is its case's 案件编号 on the sheet). Anything
    else (an emoji, a symbol, a number too long to print) is a slip that no sheet, ledger or summary could print:
    InputError."""
    number = check_text(_written(text), "household_number", "户号")
    if sum_row(number):   # 合计, 本页合计…: paid as a household
        raise InputError(f"「{number}」行不是住户,请删去(合计由程序计算)",
                         f"a {number!r} row is no household: delete it (totals are the program's)", "户号")
    # another script's digits (١ for 1) look like no digit here and would be a household of their own
    # a circled or superscript digit (12①, 1²) likewise: neither 121 nor 12 is meant
    odd = sorted({char for char in number if not (char.isalnum() or char in NUMBER_MARKS)
                  or (char.isdigit() and not char.isascii()) or unicodedata.decomposition(char).startswith(NUMBER_FORMS)})
    if odd:
        zh = " ".join(f"「{char}」(U+{ord(char):04X})" if char.isprintable() else f"U+{ord(char):04X}" for char in odd)
        en = " ".join(f"{char!r} (U+{ord(char):04X})" if char.isprintable() else f"U+{ord(char):04X}" for char in odd)
        raise InputError(f"户号只能由文字、数字和 - / # ( ) 等编号符号组成,不能含有 {zh}",
                         f"a household number (户号) is letters, digits and marks such as - / # ( ), not {en}", "户号")
    return number


# What a sum row is headed with (汇总 as Excel's own 汇总行 writes it, 累计 as offices total a column)
TOTAL_WORDS = ("合计", "小计", "总计", "共计", "汇总", "累计")


def sum_row(text: Any) -> bool:
    """Whether a 户号 cell heads a sum row (合计, 本页合计, 汇总…): no household's."""
    return isinstance(text, str) and any(word in "".join(_written(text).split()) for word in TOTAL_WORDS)


def number_key(number: str) -> str:
    """What two 户号 are compared by: the written number in one case (A01 is a01: two teams' ways of writing it, never
    two families), an all-digit one without leading zeros (0001 is 1)."""
    number = _written(number).casefold()
    return (number.lstrip("0") or "0") if number.isascii() and number.isdigit() else number


# The compatibility forms NFKC would make another number of: a circled, superscript or subscript digit, a fraction
# (12① made 121, another family's 户号; 1² 12). Kept as typed, and so refused (household_number).
NUMBER_FORMS = ("<circle>", "<super>", "<sub>", "<fraction>")


def _written(text: str) -> str:
    """`text` as NFKC writes it (０００１ is 0001, 3-Ⅱ 3-II, a no-break space a space, ⼀ 一), but NUMBER_FORMS, and no
    spaces at either end."""
    if text.isascii():
        return text.strip()
    kept = [index for index, char in enumerate(text) if unicodedata.decomposition(char).startswith(NUMBER_FORMS)]
    if not kept:
        return unicodedata.normalize("NFKC", text).strip()
    parts, start = [], 0
    for index in kept:
        parts += [unicodedata.normalize("NFKC", text[start:index]), text[index]]
        start = index + 1
    return ("".join(parts) + unicodedata.normalize("NFKC", text[start:])).strip()


def parse_value(column: SurveyColumn, value: Any) -> Any:
    """A cell's value as the case file takes it; InputError with the engine's wording when it cannot be."""
    if value is FORMULA_PENDING:
        raise InputError("公式没有计算结果(请在 Excel 中打开并保存后再导入,或直接填写数值)",
                         "the formula has no calculated value (open and save the file in Excel, or type the value)")
    if isinstance(value, CellError):
        raise InputError(f"单元格是 Excel 的错误值 {value}(公式出错),请在 Excel 中改正后再导入",
                         f"the cell holds the Excel error {value} (a formula failed): correct it in Excel, then import")
    if isinstance(value, ShownAsPercent):
        held = fmt_plain(excel_number(value))
        shown = fmt_plain(excel_number(value) * 100)
        raise InputError(f"此格设为百分数格式:实际存的是 {held}(即 {shown}%);请把单元格格式改为「常规」或「数值」,"
                         "再填写要计的数",
                         f"the cell is formatted as a percentage: it holds {held} ({shown}%); format it as "
                         "General or Number and type the value meant")
    if isinstance(value, ShownScaled):
        held = excel_number(value)
        power, places, grouped = value.scaling
        with localcontext(rounding=ROUND_HALF_UP):   # Excel rounds a half away from nought
            shown = format(held.scaleb(-3 * power), f"{',' if grouped else ''}.{places}f")
        raise InputError(f"此格的数字格式把数值缩小 {1000 ** power:,} 倍显示:Excel 显示的是 {shown},实际存的是 "
                         f"{fmt_plain(held)};请把单元格格式改为「常规」或「数值」,再填写要计的数",
                         f"the cell's number format shows the number divided by {1000 ** power:,}: Excel shows {shown}, "
                         f"the cell holds {fmt_plain(held)}; format it as General or Number and type the value meant")
    if isinstance(value, str):
        value = check_text(value.strip(), _limit_field(column))
    if column.kind == NUMBER:
        number = _number(value, column.heading, column.field)
        if column.heading.endswith(PERCENT) and 0 < number < 1:
            # 30% typed into a cell Excel formats as a percentage is stored as 0.3: read as 0.3 %, 1/100 of what was meant
            raise InputError(f"{column.heading}填的是 {fmt_plain(number)},像是百分数格式的单元格把 "
                             f"{fmt_plain(number * 100)}% 存成了小数;请填百分数的数字,如 {fmt_plain(number * 100)}",
                             f"{column.field} is {fmt_plain(number)}: a percentage-formatted cell stores "
                             f"{fmt_plain(number * 100)}% so; type the number of per cent, {fmt_plain(number * 100)}")
        return number
    if column.kind == FLAG:
        return _flag(value)
    if column.kind == DATE:
        return _date(value)
    return _text(value)


def _limit_field(column: SurveyColumn) -> str:
    """The field whose length limit a column's text is held to; other columns are named by their heading."""
    return column.field if column.field in TEXT_LIMITS else column.heading


def _number(value: Any, heading: str, field: str) -> Decimal:
    """A number cell of the column headed `heading` (the Chinese message names it so; the English, by `field`)."""
    if isinstance(value, float):
        value = excel_number(value)
    elif isinstance(value, (dt.date, dt.time)):
        raise InputError(f"{heading}应为数值,不是日期", f"{field} must be a number, not a date")
    return to_decimal(value, field, heading)


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
    if isinstance(value, int) and not isinstance(value, bool) and 10_000_000 <= value <= 99_999_999:
        value = str(value)   # 20230628 typed into a cell Excel took for a number
    if isinstance(value, str):
        match = _DATE_TEXT.fullmatch(unicodedata.normalize("NFKC", value).strip())
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups() if part is not None)).isoformat()
            except ValueError:
                pass
        raise InputError(f"不是有效日期: {value.strip()!r}", f"not a valid date: {value.strip()!r}")
    if isinstance(value, (dt.time, dt.timedelta)):   # 12:00 (or 25:00 in an [h]:mm cell) typed: said as Excel shows it
        shown = value if isinstance(value, dt.time) else _hours(value)
        raise InputError(f"应为日期(Excel 日期或 YYYY-MM-DD),不是时间 {shown}",
                         f"must be a date (an Excel date or YYYY-MM-DD), not the time {shown}")
    raise InputError(f"应为日期(Excel 日期或 YYYY-MM-DD),不是 {value!r}",
                     f"must be a date (an Excel date or YYYY-MM-DD), not {value!r}")


def _hours(duration: dt.timedelta) -> str:
    """A duration as an [h]:mm:ss cell shows it: 25:00:00, never Python's "1 day, 1:00:00"."""
    seconds = round(duration.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


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
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):   # 1-2 or 3-5 typed into a cell not set as text (25:00 in a
        # [h]:mm cell is a duration): what was typed is lost
        shown = value.date() if isinstance(value, dt.datetime) and value.time() == dt.time() else value
        shown = str(shown) if isinstance(shown, dt.timedelta) else shown.isoformat()
        raise InputError(f"Excel 把这一格存成了日期或时间({shown}),原来填写的内容已无法确定;"
                         "请把该列设为文本后重新填写",
                         f"Excel stored this cell as a date or time ({shown}) and what was typed is lost; "
                         "format the column as text and type it again")
    return str(value)


def shown_value(value: Any) -> str:
    """A value as a problem quotes it: 是/否 for a flag, a number as written."""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, Decimal):
        return fmt_plain(value)
    return str(value)
