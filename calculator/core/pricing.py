"""What a rule kind returns for one line, and the line parameters it declares."""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from calculator.core.rates import Rate


class Param(NamedTuple):
    """One extra value a rule needs on a case line (depth, diameter, stage, host …)."""

    name: str
    text: bool = False
    required: bool = True
    choices: tuple[str, ...] = ()


class Pricing(NamedTuple):
    """A rule's answer: a standard rate per unit and a factor, or an amount of its own (R4/R5).

    (A named tuple, not a dataclass: one is made for every line priced, and a tuple is made in a third
    of the time.)
    """

    standard: Rate | None = None
    factor: Decimal = Decimal(1)
    amount: Decimal | None = None
    flags: tuple[str, ...] = ()
    remarks: tuple[str, ...] = ()

