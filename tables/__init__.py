"""The schedules as data files, and the loaders that validate them.

`load_schedule()` and `load_land_table()` read the files shipped beside this module once
per process; `read_schedule(path)` and `read_land_table(path)` read any file (tests use them
on broken copies).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
SCHEDULES = {"baozi-2023": "baozi-2023.toml"}
LAND_TABLES = {"wutai-2022": "wutai-2022.toml"}


@cache
def load_schedule(schedule_id: str = "baozi-2023"):
    """The compensation schedule `schedule_id`, validated."""
    from calculator.errors import InputError
    from tables.schedule import read_schedule
    if schedule_id not in SCHEDULES:
        raise InputError(f"未知补偿标准「{schedule_id}」", f"unknown schedule {schedule_id!r}")
    return read_schedule(HERE / SCHEDULES[schedule_id])


@cache
def load_land_table(table_id: str = "wutai-2022"):
    """The benchmark land price table `table_id`, validated."""
    from calculator.errors import InputError
    from tables.land import read_land_table
    if table_id not in LAND_TABLES:
        raise InputError(f"未知地价表「{table_id}」", f"unknown land table {table_id!r}")
    return read_land_table(HERE / LAND_TABLES[table_id])
