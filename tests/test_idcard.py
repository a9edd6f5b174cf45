"""GB 11643-1999 身份证号 check digit (calculator.core.idcard): the standard's examples, what a bad number is told,
and every single-digit error caught."""
from __future__ import annotations

import pytest

from calculator.core import idcard


@pytest.mark.parametrize("body, check", [
    ("11010519491231002", "X"),   # the standard's own example
    ("44052418800101001", "4"),   # the example usually quoted for the standard (born 1880-01-01)
    ("14232919680512031", "7"),
])
def test_check_digit(body, check):
    assert idcard.calc_check_digit(body) == check
    assert idcard.is_valid(body + check)
    assert idcard.validate(f" {body[:6]}-{body[6:]}{check.lower()} ") == body + check


@pytest.mark.parametrize("number, words", [
    ("142329196805120318", "末位应为 7,不是 8"),
    ("14232919680512031", "应为18位"),
    ("142329196813120318", "出生日期"),
    ("14232919680512031Y", "末位应为 7,不是 Y"),
    ("1423291968051203X7", "前17位应为数字"),
])
def test_bad_numbers_say_what_is_wrong(number, words):
    problem = idcard.problem(number)
    assert problem is not None and words in problem.zh and problem.en
    assert not idcard.is_valid(number)


def test_a_number_typed_in_full_width_is_the_same_number():
    """A Chinese input method in full-width mode types １１０１…ｘ and －: the same person, so the same compacted
    number (a household given it twice under two 户号 is found), and no warning of a bad number."""
    assert idcard.compact("１１０１０５１９４９１２３１００２ｘ") == idcard.compact("110105－19491231－002X") == "11010519491231002X"
    assert idcard.problem("１１０１０５１９４９１２３１００２Ｘ") is None
    assert idcard.problem("１１０１０５１９４９１２３１００２８") is not None   # the check digit still checked


def test_empty_is_not_a_problem():
    assert idcard.problem("") is None and idcard.problem("  ") is None


def test_every_single_digit_error_is_caught():
    good = "11010519491231002X"
    wrong = [good[:position] + digit + good[position + 1:]
             for position in range(18) for digit in ("0123456789" if position < 17 else "0123456789X")
             if digit != good[position]]
    assert len(wrong) == 17 * 9 + 10  # each body digit changed to the 9 others; the check to the 10 others
    assert [number for number in wrong if idcard.is_valid(number)] == []
