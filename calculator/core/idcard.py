"""居民身份证号码 (citizen identification number) and its check digit.

Source: GB 11643-1999《公民身份号码》: 18 characters — a 6-digit address code, an 8-digit
date of birth (YYYYMMDD), a 3-digit sequence code and one check character computed by
ISO 7064:1983 MOD 11-2 over the first 17 digits (weights 2^(17-i) mod 11; a check value of
10 is written X).

The GUI only warns on a bad number (a household's papers may carry an old or mistyped
number the assessor must still record), so `problem()` returns a message instead of raising.
"""
from __future__ import annotations

import datetime as dt
import unicodedata

from calculator.core.errors import InputError

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
CHECK_CHARS = "10X98765432"  # indexed by (Σ digit × weight) mod 11


def compact(number: str) -> str:
    """The number without spaces or hyphens, with a lower-case x raised to X; typed in full width (１１０１…, as a
    Chinese input method writes it), as the same number in ASCII."""
    return "".join(unicodedata.normalize("NFKC", number).split()).replace("-", "").upper()


def calc_check_digit(body: str) -> str:
    """The check character ('0'–'9' or 'X') for the first 17 digits."""
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise InputError("身份证号前17位应为数字", "the first 17 characters must be digits")
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def validate(number: str) -> str:
    """The compacted number if it is a well-formed 18-character number; else InputError."""
    number = compact(number)
    if len(number) != 18:
        raise InputError(f"身份证号应为18位,现为{len(number)}位", f"an ID number has 18 characters, not {len(number)}")
    body, check = number[:17], number[17]
    expected = calc_check_digit(body)
    try:
        dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise InputError(f"身份证号中的出生日期 {body[6:14]} 无效", f"the date of birth {body[6:14]} is not a date") from None
    if check != expected:
        raise InputError(f"身份证号校验位不符:末位应为 {expected},不是 {check}",
                         f"the check digit should be {expected}, not {check}")
    return number


def is_valid(number: str) -> bool:
    """Whether `number` passes validate()."""
    try:
        validate(number)
    except InputError:
        return False
    return True


def problem(number: str) -> InputError | None:
    """What is wrong with a typed number (None when it is good or empty), for a warning."""
    if not number.strip():
        return None
    try:
        validate(number)
    except InputError as error:
        return error
    return None
