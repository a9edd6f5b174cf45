"""One error hierarchy: every message a user sees is in Chinese and English.

A message is for people; where it happened is for code. An error (and a warning) carries its
place as attributes, set where it is raised: `block` (the part of a case: items, relocation,
replacement, total), `line` (the index of a case line), `field` (the raw field at fault; None
for the line or block as a whole) and `file` (the file, or the server, named in `where`: shown as it
is given, never read as a field's name). The GUI's highlighted cell and the survey's problem column
are read from these, never from the wording, which may change freely.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, TypeVar

T = TypeVar("T")


def _bilingual(zh: str, en: str, where: str) -> str:
    text = f"{zh} / {en}"
    return f"{where}: {text}" if where else text


class CalculationError(ValueError):
    """Base of every error caused by bad input or bad data, with a bilingual message and its place."""

    def __init__(self, zh: str, en: str, where: str = "", *, block: str | None = None, line: int | None = None,
                 field: str | None = None, file: str | os.PathLike[str] | None = None):
        self.file = None if file is None else os.fspath(file)   # named in the place as given (`in_file`)
        self.zh, self.en, self.where = zh, en, where or self.file or ""
        self.block, self.line, self.field = block, line, field
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _bilingual(self.zh, self.en, self.where)

    @property
    def shown(self) -> str:
        """The message for the app's people: Chinese only, the place named as they read it (第4行, 户主)."""
        from calculator.core.labels import place_zh
        return f"{place_zh(self.where, self.file)}: {self.zh}" if self.where else self.zh

    def located(self, where: str) -> "CalculationError":
        """The same error, placed (e.g. at a case line) when it was raised without a place; `where` before the place
        it has, unless that place begins with it already (a file named once: "p.landcomp p.landcomp: …")."""
        if self.where == where or self.where.startswith(f"{where} "):
            return self
        return self._copy(where=f"{where} {self.where}".strip() if self.where else where)

    def in_file(self, path: str | os.PathLike[str]) -> "CalculationError":
        """The same error located in the file `path`, whose name is shown as it is given, never read as a field's
        place (案件.v2.json was shown as 案件 v2 json, items.json as 补偿项目 json)."""
        return self.located(os.fspath(path))._copy(file=os.fspath(path))

    def placed(self, *, block: str | None = None, line: int | None = None, field: str | None = None) -> "CalculationError":
        """The same error with the places it was raised without filled in; a place already set is kept
        (the code nearest the fault knew it best)."""
        return self._copy(block=self.block or block, line=self.line if self.line is not None else line,
                          field=self.field or field)

    def noted(self, zh: str, en: str) -> "CalculationError":
        """The same error with a note after its message, in each language."""
        return self._copy(zh=f"{self.zh}({zh})", en=f"{self.en} ({en})")

    def prefixed(self, zh: str, en: str) -> "CalculationError":
        """The same error with what to look at first said before its message, in each language."""
        return self._copy(zh=f"{zh}。{self.zh}", en=f"{en}. {self.en}")

    def _copy(self, **changes) -> "CalculationError":
        copy = type(self).__new__(type(self))
        copy.__dict__.update(self.__dict__, **changes)
        ValueError.__init__(copy, copy.message)
        return copy


def at_field(field: str, read: Callable[..., T], *args) -> T:
    """`read(*args)`, an error it raises placed at `field` (a value read by a shared reader such as to_decimal)."""
    try:
        return read(*args)
    except CalculationError as error:
        raise error.placed(field=field) from None


class Incomplete(Exception):
    """A command that did part of its work and could not go on (a batch onto a disk that filled up): its message
    says, in Chinese and English, what was done and why it stopped. Not bad input: the command line exits 1."""


class TableError(CalculationError):
    """A schedule data file is broken: the message names the file and the row."""


class InputError(CalculationError):
    """A case, a parcel or a command-line value is not acceptable."""


class CaseErrors(InputError):
    """Several input errors found in one case; each keeps its own place."""

    def __init__(self, errors: list[CalculationError]):
        self.errors = errors
        first = errors[0]
        super().__init__(first.zh, first.en, first.where, block=first.block, line=first.line, field=first.field)

    @property
    def message(self) -> str:
        return "\n".join(e.message for e in self.errors)

    @property
    def shown(self) -> str:
        return "\n".join(e.shown for e in self.errors)

    def located(self, where: str) -> "CaseErrors":
        return CaseErrors([e.located(where) for e in self.errors])

    def in_file(self, path: str | os.PathLike[str]) -> "CaseErrors":
        return CaseErrors([e.in_file(path) for e in self.errors])


@dataclass(frozen=True)
class CaseWarning:
    """Something to check on a case that is priced all the same, placed as an error is."""

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
