"""One error hierarchy: every message a user sees is in Chinese and English (and the warnings, placed alike)."""
from __future__ import annotations

from dataclasses import dataclass


def _bilingual(zh: str, en: str, where: str) -> str:
    text = f"{zh} / {en}"
    return f"{where}: {text}" if where else text


class CalculationError(ValueError):
    """Base of every error caused by bad input or bad data, with a bilingual message."""

    def __init__(self, zh: str, en: str, where: str = ""):
        self.zh, self.en, self.where = zh, en, where
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _bilingual(self.zh, self.en, self.where)

    @property
    def shown(self) -> str:
        """The message for the app's people: Chinese only, the place named as they read it (第4行, 户主)."""
        from calculator.labels import place_zh
        return f"{place_zh(self.where)}: {self.zh}" if self.where else self.zh

    def located(self, where: str) -> "CalculationError":
        """The same error, placed (e.g. at a case line) when it was raised without a place."""
        return type(self)(self.zh, self.en, f"{where} {self.where}".strip() if self.where else where)


class TableError(CalculationError):
    """A schedule data file is broken: the message names the file and the row."""


class InputError(CalculationError):
    """A case, a parcel or a command-line value is not acceptable."""


class CaseErrors(InputError):
    """Several input errors found in one case; each keeps its own place."""

    def __init__(self, errors: list[CalculationError]):
        self.errors = errors
        first = errors[0]
        super().__init__(first.zh, first.en, first.where)

    @property
    def message(self) -> str:
        return "\n".join(e.message for e in self.errors)

    @property
    def shown(self) -> str:
        return "\n".join(e.shown for e in self.errors)

    def located(self, where: str) -> "CaseErrors":
        return CaseErrors([e.located(where) for e in self.errors])


@dataclass(frozen=True)
class CaseWarning:
    """Something to check on a case that is priced all the same, placed as its line, block and field."""

    zh: str
    en: str
    where: str = ""
    block: str | None = None
    line: int | None = None
    field: str | None = None

    @property
    def message(self) -> str:
        """The warning as the JSON result and the command line print it: place: 中文 / English."""
        return _bilingual(self.zh, self.en, self.where)
