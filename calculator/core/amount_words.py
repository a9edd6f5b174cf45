"""Money amounts in Chinese financial uppercase (大写金额).

Source rule: 中国人民银行《正确填写票据和结算凭证的基本规定》, 第二条 (中文大写金额数字).
Digits 零壹贰叁肆伍陆柒捌玖 and units 拾佰仟万亿元角分; 整 follows 元 only when there is
neither 角 nor 分; a zero or a run of zeros inside the amount is written as one 零, but for zeros
that end a 万 or 亿 group before a 仟 digit that is not 0, which take none (rule 4(3) allows either:
¥107,000 → 人民币壹拾万柒仟元整; ¥100,001,000 → 人民币壹亿零壹仟元整, a whole 万 group of zeros
keeping its 零); when the 元 digit or the 角 digit is 0 and 角/分 follow, one 零 is written after 元
(the first of the example forms, e.g. ¥1680.32 → 人民币壹仟陆佰捌拾元零叁角贰分, ¥16409.02 →
人民币壹万陆仟肆佰零玖元零贰分). The amount is first rounded half-up to the cent.
"""
from __future__ import annotations

from decimal import Decimal

from calculator.core.errors import InputError
from calculator.core.money import round_money

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACE_UNITS = ("仟", "佰", "拾", "")      # thousands, hundreds, tens, ones inside a group
GROUP_UNITS = ("亿", "万", "")             # groups of four digits, highest first
# The smallest amount that rounds to 1万亿元, one past the largest we can write (9999亿…).
LIMIT = Decimal(10) ** 12 - Decimal("0.005")


def _group_words(group: int) -> str:
    """Words for one group 1..9999, without leading 零 and with inner zero runs as one 零."""
    words: list[str] = []
    zero_pending = False
    for unit, digit in zip(PLACE_UNITS, f"{group:04d}"):
        if digit == "0":
            zero_pending = bool(words)
            continue
        if zero_pending:
            words.append("零")
            zero_pending = False
        words.append(DIGITS[int(digit)] + unit)
    return "".join(words)


def _integer_words(yuan: int) -> str:
    """Words for a whole number of 元 (0 < yuan < 10**12), without the 元 itself."""
    words: list[str] = []
    zero_pending = False
    for index, unit in enumerate(GROUP_UNITS):
        group = yuan // 10 ** (4 * (len(GROUP_UNITS) - 1 - index)) % 10000
        if group == 0:
            zero_pending = bool(words)
            continue
        if words and (zero_pending or group < 1000):
            words.append("零")
        zero_pending = False
        words.append(_group_words(group) + unit)
    return "".join(words)


def _fraction_words(jiao: int, fen: int) -> str:
    """Words for the 角 and 分 digits, leaving out a digit that is 0."""
    return (DIGITS[jiao] + "角" if jiao else "") + (DIGITS[fen] + "分" if fen else "")


def amount_in_words(value: Decimal) -> str:
    """A non-negative Decimal amount, rounded half-up to the cent, as 人民币 in 大写金额."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InputError("金额应为有限的十进制数,不接受浮点数",
                         f"amount must be a finite Decimal, got {value!r}")
    if value < 0:
        raise InputError(f"金额不能为负数: {value}", f"amount must not be negative: {value}")
    if value >= LIMIT:
        raise InputError(f"金额超过可大写的上限(9999亿元): {value}",
                         f"amount too large to write in words (limit 9999亿元): {value}")
    cents = int(round_money(value).scaleb(2))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "人民币零元整"
    if yuan == 0:
        return "人民币" + _fraction_words(jiao, fen)
    text = "人民币" + _integer_words(yuan) + "元"
    if jiao == 0 and fen == 0:
        return text + "整"
    if yuan % 10 == 0 or jiao == 0:
        text += "零"
    return text + _fraction_words(jiao, fen)
