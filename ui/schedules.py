"""The schedules the app prices with: calculator.engine.schedules.load_schedule, kept ready-parsed in the user's cache.

Parsing and validating the TOML schedule is the largest single cost of start-up, so the parsed
Schedule is pickled into the cache folder under a name made of a hash over the data files
and every Python source of `tables/` and `calculator/` (a source by its size and time, as
Python checks its bytecode): a change to the data or to the code that reads it gives a new
name, so a stale copy is never used. A copy that lacks a field the code now reads (pickled before
the field was added, e.g. Item.reading_zh) is not used either, whatever its name. Any trouble with
the cache falls back to loading the TOML as usual. An item's rule kind (a module) is pickled by its name.
"""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import io
import pickle
import sys
from pathlib import Path
from types import ModuleType

import tables
from calculator.core.files import atomic_write
from calculator.engine.schedules import load_schedule
from tables.schedule import Item, Schedule

ROOT = Path(tables.__file__).resolve().parent.parent
_loaded: dict[str, Schedule] = {}


def load(schedule_id: str = "baozi-2023") -> Schedule:
    """The validated schedule `schedule_id` (unknown ids raise InputError, as calculator.engine.schedules does)."""
    schedule = _loaded.get(schedule_id)
    if schedule is None:
        schedule = _loaded[schedule_id] = _cached(schedule_id)
    return schedule


def _cached(schedule_id: str) -> Schedule:
    if schedule_id not in tables.SCHEDULES:
        return load_schedule(schedule_id)  # raises the usual InputError
    try:
        file = _cache_dir() / f"schedule-{schedule_id}-{_fingerprint(schedule_id)}.pickle"
    except OSError:
        return load_schedule(schedule_id)
    try:
        with file.open("rb") as stream:
            schedule = pickle.load(stream)
        if isinstance(schedule, Schedule) and schedule.id == schedule_id and _whole(schedule):
            return schedule
    except Exception:  # missing, unreadable or from another version: parse the TOML instead
        pass
    schedule = load_schedule(schedule_id)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        for old in file.parent.glob(f"schedule-{schedule_id}-*.pickle"):
            old.unlink(missing_ok=True)
        atomic_write(file, lambda tmp: tmp.write_bytes(pickled(schedule)))
    except OSError:
        pass
    return schedule


def _whole(schedule: Schedule) -> bool:
    """Every field of the schedule and of each item is in the copy (a pickle restores an instance's fields as
    they were stored: a field added since would be missing and fail only when read). A relocation rule, a
    NamedTuple, with a field fewer already fails to unpickle."""
    head, item = ({f.name for f in dataclasses.fields(cls)} for cls in (Schedule, Item))
    return head <= vars(schedule).keys() and all(item <= vars(row).keys() for row in schedule.items.values())


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):
        """A module is stored as its name and imported again when read."""
        if isinstance(obj, ModuleType):
            return importlib.import_module, (obj.__name__,)
        return NotImplemented


def pickled(schedule: Schedule) -> bytes:
    """The schedule as the cache stores it (`pickle.loads` reads it back)."""
    stream = io.BytesIO()
    _Pickler(stream, pickle.HIGHEST_PROTOCOL).dump(schedule)
    return stream.getvalue()


def _fingerprint(schedule_id: str) -> str:
    """A hash over the schedule's data files and the code that reads and prices them.

    The data files are hashed whole; a Python source by its size and modification time, as Python
    itself decides whether a module's bytecode is stale (reading and hashing every source was a
    good part of start-up). The hash is Python's own source hash: hashlib would load OpenSSL.
    """
    parts = [f"{sys.version}\n{schedule_id}\n".encode()]
    if getattr(sys, "frozen", False):  # a bundle carries no sources: its program stands for the code
        stat = Path(sys.executable).stat()
        parts.append(f"{stat.st_size} {stat.st_mtime_ns}".encode())
    sources = sorted([*(ROOT / "tables").glob("*"), *(ROOT / "calculator").rglob("*.py")])
    for path in sources:
        if path.is_file() and path.suffix in (".py", ".toml", ".txt"):
            if path.suffix == ".py":
                stat = path.stat()
                content = f"{stat.st_size} {stat.st_mtime_ns}".encode()
            else:
                content = path.read_bytes()
            parts.append(str(path.relative_to(ROOT)).encode() + b"\0" + content + b"\0")
    return importlib.util.source_hash(b"".join(parts)).hex()


def _cache_dir() -> Path:
    from PySide6.QtCore import QStandardPaths
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    if not location:
        raise OSError("no cache folder")
    return Path(location)
