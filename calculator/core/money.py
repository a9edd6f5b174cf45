"""Exact numbers from the edge inward, and the one place money is rounded."""
from __future__ import annotations

import functools
import re
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext
from fractions import Fraction
from typing import Callable, TypeVar

from calculator.core.errors import InputError
from calculator.core.labels import label
from calculator.core.limits import MAX_DECIMAL_PLACES, check_places

CENT = Decimal("0.01")
# A comma is accepted only as a thousands separator (1,234.50): "1,5" or "35,50" is refused
# rather than read as 15 or 3550.
THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
# No measurement, rate or amount of these schedules comes near 10^15 (a total can be written in
# words only below 10^12): a larger number is a typing error, and Decimal arithmetic on it fails.
TOO_LARGE = Decimal(10) ** 15
# A text of at most this many ASCII digits (one of them may be a point) is a number below TOO_LARGE with
# fewer decimals than calculator.core.limits.MAX_DECIMAL_PLACES: to_decimal reads it without further checks.
PLAIN_DIGITS = 15
# Wide enough that a product of three inputs (each < 10^15 with at most
# calculator.core.limits.MAX_DECIMAL_PLACES decimals, so at most 55 digits) is exact: money is then
# rounded once, by round_money, never first to the default 28 digits and then again to the fen.
EXACT = Context(prec=200, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow])

# The full-width forms of ASCII (U+FF01–FF5E, and the ideographic space) as ASCII: what a Chinese input
# method in full-width mode types for digits, the point, the comma and the signs.
FULL_WIDTH = {0x3000: " ", **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}}

T = TypeVar("T")


def exact(function: Callable[..., T]) -> Callable[..., T]:
    """Run `function` with EXACT as the Decimal context (for every pricing entry point)."""
    @functools.wraps(function)
    def run(*args, **kwargs) -> T:
        with localcontext(EXACT):
            return function(*args, **kwargs)
    return run


def round_money(value: Decimal | Fraction, places: int = 2) -> Decimal:
    """Round half-up (四舍五入) to `places` decimals: the only rounding of money and areas."""
    if type(value) is Decimal:  # every line's amount: no look at Fraction's ABC first
        quantum = CENT if places == 2 else Decimal(1).scaleb(-places)
    elif isinstance(value, Fraction):
        scale = 10**places
        scaled = abs(value) * scale
        whole = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
        result = Decimal(whole).scaleb(-places)
        return -result if value < 0 else result
    else:
        raise TypeError(f"round_money takes Decimal or Fraction, not {type(value).__name__}")
    try:
        return value.quantize(quantum, ROUND_HALF_UP)  # by position: a keyword costs as much as the rounding
    except InvalidOperation:  # more digits than the context holds: only absurd inputs get here
        raise InputError(f"数值过大,无法计算: {value:E}", f"a value is too large to compute: {value:E}") from None


def to_decimal(value: object, what: str, zh: str | None = None) -> Decimal:
    """Read a JSON number, a string such as "35.50", an int or a Decimal as an exact Decimal.

    `what` is the field as the file names it (for the English message); `zh` its Chinese label,
    by default calculator.core.labels' label of the field. A float is refused: it has already lost
    the exact value the user typed.
    """
    if type(value) is str and len(value) <= PLAIN_DIGITS and value.isascii() and value.replace(".", "", 1).isdigit():
        return Decimal(value)  # 86.40 as typed, the commonest by far: digits, at most one point, too short to be too large
    if isinstance(value, str):  # any other text: checked in full
        text = value.strip()
        if not text.isascii():   # ３５．５ as a Chinese input method types it is 35.5; any other digit (٣٥) no number
            text = text.translate(FULL_WIDTH)
            if not text.isascii():
                raise _refused(value, what, zh, "不是数值", "is not a number")
        if "_" in text:  # Decimal reads 86_40 as 8640: a slip of the keyboard, never a number
            raise _refused(value, what, zh, "不是数值", "is not a number")
        if "," in text:
            if not THOUSANDS.fullmatch(text):
                raise InputError(f"{_zh(what, zh)}中的逗号只能作千位分隔符(小数点请用“.”): {_shown(value)}",
                                 f"{what}: a comma may only separate thousands (use '.' for decimals): {_shown(value)}")
            text = text.replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _refused(value, what, zh, "不是数值", "is not a number") from None
    elif isinstance(value, bool) or value is None:
        raise InputError(f"{_zh(what, zh)}应为数值", f"{what} must be a number", "")
    elif isinstance(value, float):
        raise InputError(f"{_zh(what, zh)}不接受浮点数,请用字符串或十进制数",
                         f"{what} must not be a binary float; give a string or a Decimal", "")
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        raise InputError(f"{_zh(what, zh)}应为数值", f"{what} must be a number")
    if not number.is_finite():
        raise _refused(value, what, zh, "不是有限数值", "is not a finite number")
    if number.copy_abs() >= TOO_LARGE:  # copy_abs: abs() itself overflows past the context
        raise _refused(value, what, zh, "数值过大", "is too large")
    if number.is_zero():  # -0 is zero: kept signed, it passed "not negative" and was printed as -0.00
        number = number.copy_abs()
    if not isinstance(value, str):
        text = str(number)  # a Decimal (the survey's numbers, a form's) or an int: as Decimal writes it
    if len(text) <= MAX_DECIMAL_PLACES and "e" not in text and "E" not in text:
        return number  # written without an exponent in so few characters: it cannot have too many places
    return check_places(number, what, _zh(what, zh))


def _refused(value: object, what: str, zh: str | None, zh_why: str, en_why: str) -> InputError:
    """The error refusing `value` as `what`, quoting it as `_shown` does."""
    return InputError(f"{_zh(what, zh)}{zh_why}: {_shown(value)}", f"{what} {en_why}: {_shown(value)}")


def _shown(value: object) -> str:
    """A refused value as a message quotes it (a text in quotes, a number as written), cut at 40 characters: a
    5,000-digit number is not echoed whole."""
    return cut(repr(value) if isinstance(value, str) else str(value))


def cut(text: str, most: int = 40) -> str:
    """`text` as a message quotes what it refuses: at most `most` characters, the rest said by …."""
    return text if len(text) <= most else f"{text[:most - 3]}…"


def _zh(what: str, zh: str | None) -> str:
    """The Chinese label of `what` for a message (only worked out when there is one)."""
    return zh or label(what.rpartition(".")[2])


def fmt_money(value: Decimal) -> str:
    """Two decimals, no separators: the JSON contract's form."""
    return f"{round_money(value):.2f}"


def fmt_grouped(value: Decimal) -> str:
    """Two decimals with thousands separators, for printed sheets and the screen."""
    return f"{round_money(value):,.2f}"


def fmt_rate(value: Decimal) -> str:
    """A line's rate as the sheets and the screen show it: grouped, with two decimals and any more it carries
    (350.505, half a host's 701.01), so that quantity × rate is the amount beside it, as an auditor checks it."""
    places = max(2, -value.normalize(EXACT).as_tuple().exponent)
    return f"{value:,.{places}f}"


def fmt_quantity(value: Decimal) -> str:
    """At least two decimals, never fewer than the value carries (35.5 → 35.50, 1.125 → 1.125)."""
    text = format(value, "f")
    point = text.find(".")
    if point < 0:
        return f"{value:.2f}"
    text = text.rstrip("0")   # the decimals the value carries (1.1250 carries three)
    return f"{value:.2f}" if len(text) - point <= 3 else text


def fmt_plain(value: Decimal) -> str:
    """A number as written by hand: no trailing zeros, no exponent (50.0 → 50, 1.60 → 1.6)."""
    if type(value) is not Decimal:  # a float would print as whatever it happens to be (1e-7 as 0)
        raise TypeError(f"fmt_plain takes a Decimal, not {type(value).__name__}")
    text = format(value, "f")  # each remark of a measured line shows one: no normalize, no context
    return text.rstrip("0").rstrip(".") if "." in text else text
