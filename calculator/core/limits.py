"""The limits input is held to, named in one place, and the checks that apply them.

Text lengths are what the printed sheet holds whole (tests print every field at its limit);
sizes keep a careless or hostile file from exhausting memory before it is refused; digits and
dates are what the arithmetic and the sheets can carry exactly.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from calculator.core.errors import InputError
from calculator.core.labels import label

# Text fields: the most characters each may hold. Keys are the case and parcel files' field names;
# their Chinese labels are calculator.core.labels'.
TEXT_LIMITS: dict[str, int] = {
    "head": 40, "id_number": 30, "address": 120, "phone": 30, "name": 40, "organisation": 60, "case_id": 40,
    "note": 300, "override_reason": 300, "basis": 300, "reference": 40, "location": 120,
    "project_name": 60, "batch": 40, "actor": 40, "amendment_reason": 300,
    "household_number": 40,   # the 户号 of the ledger: its case's 案件编号 (case_id) on the settlement sheet
}
# Any other text (an extra header field, a parameter's choice, a key) is held to this.
OTHER_TEXT_LIMIT = 300

CASE_FILE_MAX_BYTES = 5 * 1024 * 1024  # a 300-line household is about 40 KB
PARCEL_FILE_MAX_BYTES = 1024 * 1024
CASE_MAX_LINES = 2000
# A parcel is priced in a few parts, one per use: 100 is beyond any parcel, and what its sheet can print (the
# sheet lists every part's use in one cell, which runs past a page at about 300).
PARCEL_MAX_PARTS = 100
JSON_MAX_DEPTH = 8  # a case is 3 deep (case → items → line → value)

# A number may carry at most this many decimal places; with the 10^15 bound of calculator.core.money
# that is at most 55 significant digits, and calculator.core.money.EXACT holds any product of three
# such numbers exactly, so money is rounded once, never twice.
MAX_DECIMAL_PLACES = 40

# Money: a line or a household total at or above this cannot be written in 大写 (9999亿元 at most)
# and is far past any real household; it is refused at the line rather than printed.
MAX_AMOUNT = Decimal(10) ** 12

# Quantities, by the unit a line is measured in: (plausible, most). Above `most` a quantity is
# refused as a typing error (no household has a million m² of house); above `plausible` it is
# priced with a warning to check it (a house over 10,000 m² is possible but rare).
QUANTITY_LIMITS = {"m²": (Decimal(10_000), Decimal(1_000_000)), "m³": (Decimal(10_000), Decimal(1_000_000)),
                   "m": (Decimal(5_000), Decimal(100_000))}
COUNT_LIMITS = (Decimal(1_000), Decimal(100_000))  # 个、株、口、处、户 … every counted unit
# A line's measured parameters, by their unit: (plausible, most), read as quantities are. A 机井 215 m deep typed
# 21500 was priced at a hundred times its worth without a word; a 菜窖 1e14 m deep was taken as its deepest bracket.
# An assessed amount (元) past 10 million is priced with a warning to check it (99,999,999,999.99 typed for 9,999.99
# passed unsaid); past MAX_AMOUNT it is refused, as any amount.
PARAM_LIMITS = {"m": (Decimal(1_000), Decimal(10_000)), "cm": (Decimal(1_000), Decimal(10_000)),
                "m²": QUANTITY_LIMITS["m²"], "%": (Decimal(100), Decimal(1_000)), "元": (Decimal(10_000_000), MAX_AMOUNT)}

# The widest amount a sheet or the screen must show: just under MAX_AMOUNT.
WIDEST_AMOUNT = "999,999,999,999.99"

# Dates a case may name: the standard dates from 2023; a date outside these years is a typing error.
EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)

# Unicode categories refused in any text: control characters (NUL, line breaks, ESC …), lone
# surrogates, format characters (bidi overrides that reverse a name on screen, zero-width
# characters that make two equal-looking names differ), and the line and paragraph separators
# (U+2028, U+2029: a line break by another name, which no sheet's font draws).
REFUSED_CATEGORIES = {"Cc": "控制字符", "Cs": "无效的代理字符", "Cf": "格式控制字符", "Zl": "行分隔符",
                      "Zp": "段分隔符"}


# Letters and symbols that draw as nothing (the Hangul fillers, the blank Braille pattern): a reason written with
# them looks empty on the sheet, and is empty where a text is required (`blank`).
BLANK_LOOKING = "\u115f\u1160\u3164\uffa0\u2800"


def blank(text: str) -> bool:
    """Whether `text` says nothing: no letter or digit but those that draw as nothing (BLANK_LOOKING); spaces,
    combining marks (U+034F), punctuation and symbols alone are blank. A required text (an 超标准理由, a 依据, a 更正理由,
    an 经办人) that is blank is no text: ㅤ passed as the reason for a rate above the standard, and the sheet printed
    超标准(理由: ); "。" or "-" passed likewise, a mark where a reason is asked for."""
    for char in text:   # most text is done at its first character, a letter
        if unicodedata.category(char)[0] in "LN" and char not in BLANK_LOOKING:
            return False
    return True


def quantity_limits(unit: str) -> tuple[Decimal, Decimal]:
    """(plausible, most) for a quantity measured in `unit`."""
    return QUANTITY_LIMITS.get(unit, COUNT_LIMITS)


def counted(unit: str) -> bool:
    """Whether `unit` counts things (个、株、户 …) rather than measuring them (m², m³, m)."""
    return unit not in QUANTITY_LIMITS


def text_limit(field: str) -> int:
    """The most characters a text field may hold."""
    return TEXT_LIMITS.get(field, OTHER_TEXT_LIMIT)


def bad_character(text: str) -> str | None:
    """The first character of `text` no sheet or workbook may carry, else None."""
    if text.isprintable():  # every refused category is unprintable: most texts end here, at C speed
        return None
    for char in text:
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return char
    return None


# How `visible` shows a control character: C0 and DEL as their Unicode symbols (ESC as ␛), C1 as U+FFFD.
_CONTROL_PICTURES = {chr(code): chr(0x2400 + code) for code in range(0x20)} | {"\x7f": "\u2421"} | {
    chr(code): "\ufffd" for code in range(0x80, 0xA0)}


def visible(text: str, keep: str = "\n") -> str:
    """`text` with every control character but those in `keep` shown as a symbol (ESC as ␛), and every other
    character no input takes (a bidi override, a lone surrogate) as U+FFFD.

    No input takes one, yet a project file changed by another tool may hold one (数据异常): shown as it is, it
    would drive the terminal (colours, a cleared screen), reverse a name on it, or make a workbook unwritable."""
    rest = text
    for char in keep:   # most text is printable but for its line breaks: told at C speed, a long output too
        rest = rest.replace(char, "")
    if rest.isprintable():
        return text
    return "".join(char if char in keep else _CONTROL_PICTURES.get(char) or _unshown(char) for char in text)


def _unshown(char: str) -> str:
    return "\ufffd" if unicodedata.category(char) in REFUSED_CATEGORIES else char


def printable(text: str) -> str:
    """`text` with every character no input takes shown as U+FFFD, control characters too: what a sheet prints of a
    text another tool put into a project (its fonts draw no control picture, as `visible` shows them)."""
    return text if bad_character(text) is None else "".join(map(_unshown, text))


def refuse_bad_characters(value: str, named: str, where: str = "") -> None:
    """InputError naming the first refused character of `value` (U+XXXX) and `named` (the field's label)."""
    char = bad_character(value)
    if char is not None:
        kind = _LINE_BREAKS.get(char) or REFUSED_CATEGORIES[unicodedata.category(char)]
        raise InputError(f"{named}含有{kind} U+{ord(char):04X},请删除",
                         f"contains a forbidden character U+{ord(char):04X}", where)


# What field staff call the control characters they type (Alt+Enter in a cell is a line break, not U+000A to them).
_LINE_BREAKS = {"\n": "换行符", "\r": "换行符(回车)", "\t": "制表符(Tab)"}


def check_text(value: str, field: str, where: str = "") -> str:
    """`value` unchanged when it is printable text within its field's limit; else InputError."""
    if not value.isprintable():  # most text is printable: its label is then not needed
        refuse_bad_characters(value, label(field), where or field)
    most = text_limit(field)
    if len(value) > most:
        raise InputError(f"{label(field)}过长: {len(value)} 个字符,最多 {most} 个",
                         f"{field} is too long: {len(value)} characters, at most {most}", where)
    return value


def check_places(number: Decimal, what: str, zh: str) -> Decimal:
    """`number` when it has at most MAX_DECIMAL_PLACES decimals (trailing zeros not counted)."""
    _sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= -MAX_DECIMAL_PLACES:
        return number
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if -(exponent + trailing_zeros) > MAX_DECIMAL_PLACES:
        raise InputError(f"{zh}小数位过多(最多 {MAX_DECIMAL_PLACES} 位)",
                         f"{what} has too many decimal places (at most {MAX_DECIMAL_PLACES})")
    return number


def parse_date(value: Any, field: str, where: str = "") -> dt.date | None:
    """A real calendar date written YYYY-MM-DD within the years a case may name; '' is no date."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InputError(f"{label(field)}应为日期文字 YYYY-MM-DD", f"{field} must be a date string YYYY-MM-DD", where)
    try:
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise ValueError
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{label(field)}不是有效日期(应为 YYYY-MM-DD): {value!r}",
                         f"{field} is not a valid date (YYYY-MM-DD): {value!r}", where) from None
    if not EARLIEST_DATE <= date <= LATEST_DATE:
        raise InputError(f"{label(field)} {value} 不在 {EARLIEST_DATE.year} 至 {LATEST_DATE.year} 年之间",
                         f"{field} {value} is outside the years {EARLIEST_DATE.year}–{LATEST_DATE.year}", where)
    return date


# The ways an office types a date: 2023-06-20, 2023/6/20, 2023.6.20, 20230620, 2023年6月20日.
TYPED_DATE = re.compile(r"(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|(\d{2})(\d{2})|年(\d{1,2})月(\d{1,2})日?)")


def read_typed_date(text: str, field: str = "日期") -> dt.date | None:
    """A date typed by hand in any of TYPED_DATE's forms (full-width digits too); '' is no date."""
    typed = unicodedata.normalize("NFKC", text).strip()
    if not typed:
        return None
    match = TYPED_DATE.fullmatch(typed)
    if match is None:
        raise InputError(f"{label(field)}「{text}」不是日期,请按 2023-06-20 或 20230620 填写",
                         f"{field} {text!r} is not a date; type 2023-06-20 or 20230620")
    year, _sep, *rest = match.groups()
    month, day = next((int(m), int(d)) for m, d in zip(rest[::2], rest[1::2]) if m is not None)
    try:
        date = dt.date(int(year), month, day)
    except ValueError:
        raise InputError(f"{label(field)}「{text}」不是有效日期({year}年没有{month}月{day}日)",
                         f"{field} {text!r} is not a real date") from None
    return parse_date(date.isoformat(), field)


# Survey workbooks (calculator.app.survey), checked before openpyxl unpacks them into memory. A project
# of 5,000 households at about 35 rows each is 175,000 rows of 调查表, about 300 bytes of sheet XML
# a row (50 MB unpacked, 5 MB as a file); the limits leave room for that and refuse a zip bomb: a
# small file whose parts unpack to gigabytes, or a sheet declaring a million rows.
SURVEY_MAX_FILE_BYTES = 100 * 1024 * 1024
SURVEY_MAX_UNPACKED_BYTES = 500 * 1024 * 1024  # every part of the workbook together, as unpacked
SURVEY_MAX_ROWS = 250_000
SURVEY_MAX_COLUMNS = 100  # the template has about 40
