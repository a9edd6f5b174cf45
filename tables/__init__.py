"""The schedules as data files, and the loaders that validate them.

`SCHEDULES` and `LAND_TABLES` name the file of each id; `schedule.read_schedule(path, kinds)` and
`land.read_land_table(path)` read one and refuse a broken file naming file and row
(`rows.DataFileError`). Nothing here imports the engine: an item's own fields are read by the
rule kinds the caller gives. The engine loads the shipped files through calculator.engine.schedules.
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
SCHEDULES = {"baozi-2023": "baozi-2023.toml"}
LAND_TABLES = {"wutai-2022": "wutai-2022.toml"}
