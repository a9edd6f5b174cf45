"""What a rule kind returns for one line, and the line parameters it declares."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from calculator.rates import Rate


@dataclass(frozen=True)
class Param:
    """One extra value a rule needs on a case line (depth, diameter, stage, host …)."""

    name: str
    text: bool = False
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pricing:
    """A rule's answer: a standard rate per unit and a factor, or an amount of its own (R4/R5)."""

    standard: Rate | None = None
    factor: Decimal = Decimal(1)
    amount: Decimal | None = None
    flags: tuple[str, ...] = ()
    remarks: tuple[str, ...] = field(default=())

