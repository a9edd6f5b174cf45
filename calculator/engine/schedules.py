"""The schedules the engine prices with: the data files of tables/, read with the rule kinds.

tables/ knows the files and checks them, and imports nothing of the engine; here the engine gives
it the rule kinds that read an item's own fields, keeps each shipped schedule once per process,
and raises a broken file as its TableError and an unknown id as an InputError, the errors its
callers catch. `load_*` read the shipped files; `read_*` any file (tests read broken copies).
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import tables
from calculator.core.errors import InputError, TableError
from calculator.rules import KINDS
from tables import schedule
from tables.rows import DataFileError
from tables.schedule import Schedule

if TYPE_CHECKING:
    from tables.land import LandTable


@cache
def load_schedule(schedule_id: str = "baozi-2023") -> Schedule:
    """The compensation schedule `schedule_id`, validated."""
    if schedule_id not in tables.SCHEDULES:
        raise InputError(f"未知补偿标准「{schedule_id}」", f"unknown schedule {schedule_id!r}")
    return read_schedule(tables.HERE / tables.SCHEDULES[schedule_id])


@cache
def load_land_table(table_id: str = "wutai-2022") -> LandTable:
    """The benchmark land price table `table_id`, validated."""
    if table_id not in tables.LAND_TABLES:
        raise InputError(f"未知地价表「{table_id}」", f"unknown land table {table_id!r}")
    return read_land_table(tables.HERE / tables.LAND_TABLES[table_id])


def read_schedule(path: Path) -> Schedule:
    """A schedule file, each item read by its rule kind; a broken one raises TableError naming file and row."""
    with _as_table_error():
        return schedule.read_schedule(path, KINDS)


def read_land_table(path: Path) -> LandTable:
    """A land price table file; a broken one raises TableError naming file and row."""
    from tables import land  # imported here: the app starts on 补偿测算, and its start-up reads no land table
    with _as_table_error():
        return land.read_land_table(path)


@contextmanager
def _as_table_error() -> Iterator[None]:
    try:
        yield
    except DataFileError as error:
        raise TableError(error.zh, error.en, error.where) from None
