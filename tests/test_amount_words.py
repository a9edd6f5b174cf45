"""大写金额 per 《正确填写票据和结算凭证的基本规定》: hand-written examples and properties."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from calculator.core.amount_words import amount_in_words
from calculator.core.errors import InputError

EXAMPLES = [
    ("1409", "人民币壹仟肆佰零玖元整"),
    ("6007", "人民币陆仟零柒元整"),
    ("10010", "人民币壹万零壹拾元整"),
    ("107000", "人民币壹拾万柒仟元整"),
    ("20300004", "人民币贰仟零叁拾万零肆元整"),
    ("1000000", "人民币壹佰万元整"),
    ("10", "人民币壹拾元整"),
    ("1005", "人民币壹仟零伍元整"),
    ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "人民币壹拾万柒仟元零伍角叁分"),
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
    ("10010.10", "人民币壹万零壹拾元零壹角"),
    ("100000.50", "人民币壹拾万元零伍角"),
    ("20300004.05", "人民币贰仟零叁拾万零肆元零伍分"),
    ("0.07", "人民币柒分"),
    ("0.50", "人民币伍角"),
    ("0.05", "人民币伍分"),
    ("0.35", "人民币叁角伍分"),
    ("0", "人民币零元整"),
    ("123456.78", "人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分"),
    ("100000000", "人民币壹亿元整"),
    ("100010000", "人民币壹亿零壹万元整"),
    ("0.005", "人民币壹分"),
    ("1.995", "人民币贰元整"),
    ("999999999999", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元整"),
]


@pytest.mark.parametrize("amount, words", EXAMPLES)
def test_examples(amount: str, words: str) -> None:
    assert amount_in_words(Decimal(amount)) == words


def test_float_is_refused() -> None:
    with pytest.raises(InputError):
        amount_in_words(1680.32)  # type: ignore[arg-type]


def test_negative_is_refused() -> None:
    with pytest.raises(InputError):
        amount_in_words(Decimal("-0.01"))


def test_too_large_is_refused() -> None:
    with pytest.raises(InputError):
        amount_in_words(Decimal("999999999999.995"))


@given(st.integers(min_value=0, max_value=10**12))
def test_shape_of_words(cents: int) -> None:
    words = amount_in_words(Decimal(cents).scaleb(-2))
    assert words.startswith("人民币")
    assert "零零" not in words
    assert not words.endswith("零")
    assert words.endswith("整") == (cents % 100 == 0)
