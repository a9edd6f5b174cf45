"""What a survey reading gives: its households, streamed (held as packed rows, checked one at a time as
they are taken), and its problems, each at its sheet, row and column.

A household's rows may stand anywhere in 调查表, and a row without 户号 or a 户号 written two ways
(0001 and 1) is found only further down, so no household is final before the sheet's last row. What
is held until then is each household's rows, packed (`RowSpool`: about 1.3 kB for the example's 35
rows). Taking the households (`SurveyReading.households`) unpacks and checks one household at a time
through the engine and hands it on, so an import of thousands of households never holds their cases
at once; the problems and the households left out are complete once every household has been taken.

All or nothing. `SurveyReading.all_or_none` gives the households only while the survey has shown no
problem, and after the last one raises InputError with the whole row-by-row report if it has any:
an import that consumes it inside one transaction keeps nothing of a survey with a problem.
"""
from __future__ import annotations

import pickle
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Generator, Iterator, Sequence

from calculator.engine.case import Case
from calculator.engine.compensation import CompensationResult
from calculator.core.errors import InputError


@dataclass(frozen=True)
class SurveyProblem:
    """What is wrong with one cell (with an empty column, one row; with row 0, the sheet) of a survey sheet.

    `hidden`: the problem is content Excel hides, which reading with include_hidden accepts.
    `unread`: no household of the sheet was read (another sheet laid out as 调查表, 调查表 itself hidden): neither
    counted as left out nor named, as its households are not known.
    """

    sheet: str
    row: int
    column: str
    zh: str
    en: str
    hidden: bool = False
    unread: bool = False

    def text(self) -> str:
        """调查表 第5行「数量」: 数量应为正数 / quantity must be positive."""
        place = self.sheet + (f" 第{self.row}行" if self.row else "") + (f"「{self.column}」" if self.column else "")
        return f"{place}: {self.zh} / {self.en}"


@dataclass(frozen=True)
class SurveyHousehold:
    """One household read without a problem: its case, the rows it came from, and the case priced by the engine
    when it was checked (the import saves that result: each household is priced once)."""

    number: str
    case: Case
    rows: tuple[int, ...]
    result: CompensationResult
    warnings: tuple[str, ...] = ()

    @property
    def total(self) -> Decimal:
        return self.result.total


# the check: a household at a time; at its end (problems, households left out, how many can be imported)
Check = Generator[SurveyHousehold, None, tuple[tuple[SurveyProblem, ...], tuple[str, ...], int]]

_LEVEL = 1   # zlib: the fastest level packs the rows to about half; higher levels gain a few per cent


class RowSpool:
    """Rows by household, packed as each household's run of adjacent rows ends (once, in a usual survey)."""

    def __init__(self) -> None:
        self._packed: dict[str, list[bytes]] = {}
        self._key: str | None = None
        self._open: list[Any] = []

    def add(self, key: str, row: Any) -> None:
        """Keep a row (anything pickle takes) of the household `key`."""
        if key != self._key:
            self.close()
            self._key = key
        self._open.append(row)

    def close(self) -> None:
        """Pack the rows of the run still open."""
        if self._open:
            self._packed.setdefault(self._key, []).append(zlib.compress(pickle.dumps(self._open, 5), _LEVEL))
            self._open = []

    def rows(self, key: str) -> list[Any]:
        """The household's rows in the order they were added (the spool is closed first)."""
        self.close()
        return [row for run in self._packed.get(key, ()) for row in pickle.loads(zlib.decompress(run))]


@dataclass(frozen=True)
class SurveyEntry:
    """A household of the survey as the import preview lists it: everything but its case."""

    number: str
    head: str
    address: str
    rows: str   # the survey rows it came from: 2–36, or 2、5、6
    total: Decimal
    warnings: tuple[str, ...]

    @classmethod
    def of(cls, household: SurveyHousehold) -> SurveyEntry:
        """The entry of a household read without a problem."""
        rows = household.rows
        if len(rows) > 1 and list(rows) == list(range(rows[0], rows[-1] + 1)):
            shown = f"{rows[0]}–{rows[-1]}"
        else:
            shown = "、".join(str(row) for row in rows)
        people = household.case.household
        return cls(household.number, people.get("head", ""), people.get("address", ""), shown, household.total,
                   household.warnings)


class SurveyReading:
    """A survey workbook read: its hidden content at once, its households checked as they are taken, and its
    problems and households left out once all have been taken (asking for them first takes them all)."""

    def __init__(self, path: Path, check: Callable[[bool], Check], hidden: tuple[SurveyProblem, ...]):
        self.path = path
        self._check = check
        self._outcome: tuple[tuple[SurveyProblem, ...], tuple[str, ...], int] | None = None
        self.hidden = hidden   # the hidden sheet, rows and cells left out; reading again with include_hidden accepts them

    def households(self) -> Iterator[SurveyHousehold]:
        """Every household that can be imported, each checked through the engine as it is taken."""
        return self._take(stop_at_problem=False)

    def all_or_none(self) -> Iterator[SurveyHousehold]:
        """The households while no problem has shown; after the last, InputError with the report if there is any."""
        yield from self._take(stop_at_problem=True)
        if self.problems:
            raise InputError(f"调查表有 {len(self.problems)} 处问题,未导入:\n" + self.report(),
                             f"the survey has {len(self.problems)} problem(s); nothing was imported")

    def _take(self, stop_at_problem: bool) -> Iterator[SurveyHousehold]:
        self._outcome = yield from self._check(stop_at_problem)

    @property
    def problems(self) -> tuple[SurveyProblem, ...]:
        """Every problem, in sheet order."""
        return self._complete()[0]

    @property
    def rejected(self) -> tuple[str, ...]:
        """The 户号 of the households left out for a problem."""
        return self._complete()[1]

    @property
    def importable(self) -> int:
        """How many households can be imported."""
        return self._complete()[2]

    @property
    def unread(self) -> tuple[str, ...]:
        """The sheets none of whose households was read (unread_sheets)."""
        return unread_sheets(self.problems)

    def _complete(self) -> tuple[tuple[SurveyProblem, ...], tuple[str, ...], int]:
        if self._outcome is None:
            for _ in self.households():
                pass
        assert self._outcome is not None
        return self._outcome

    def report(self) -> str:
        """The reading in words: how many households can be imported, then every problem."""
        return report_text(self.path, self.importable, self.rejected, self.problems)


@dataclass(frozen=True)
class Survey:
    """A read survey: the households that can be imported, every problem, and who was left out."""

    path: Path
    households: tuple[SurveyHousehold, ...]
    problems: tuple[SurveyProblem, ...]
    rejected: tuple[str, ...]

    @property
    def hidden(self) -> tuple[SurveyProblem, ...]:
        """The hidden sheet, rows and cells left out; reading again with include_hidden accepts them."""
        return tuple(problem for problem in self.problems if problem.hidden)

    def report(self) -> str:
        """The reading in words: how many households can be imported, then every problem."""
        return report_text(self.path, len(self.households), self.rejected, self.problems)


def report_text(path: Path, importable: int, rejected: tuple[str, ...], problems: tuple[SurveyProblem, ...]) -> str:
    """A survey's reading in words: how many households can be imported, who was left out, then every problem."""
    unread = unread_sheets(problems)
    lines = [f"{path.name}: {importable} 户可导入,{len(rejected)} 户有问题未导入"
             + (f",另有 {len(unread)} 个工作表的住户未读取" if unread else "")
             + f" / {importable} household(s) can be imported, {len(rejected)} left out"
             + (f", and the households of {len(unread)} sheet(s) not read" if unread else "")]
    if rejected:
        lines.append(f"未导入的户号 / left out: {'、'.join(rejected)}")
    lines += [problem.text() for problem in problems]
    return "\n".join(lines)


def unread_sheets(problems: Sequence[SurveyProblem]) -> tuple[str, ...]:
    """The sheets none of whose households was read (SurveyProblem.unread)."""
    return tuple(dict.fromkeys(problem.sheet for problem in problems if problem.unread))
