"""The figures a project summary is made of, read once from the store into pandas frames.

Only what the store vouches for is read: the ledger's rows and each household's current version,
in one snapshot (`CaseStore.ledger_versions`); a household whose data fails the store's checks
(数据异常) comes without a version and is kept apart, named, with no figure. Money is held as
integer fen in int64 columns, parsed from the stored results' exact two-decimal strings, so every
sum pandas forms is exact (no float ever adds money); areas likewise as hundredths of a m².

- `households`: one row per household (index: household id) — register (身份证号 compacted), status, assessor, money
  in fen (total, disputed, incentive and one column per section, the keys of a result's
  `subtotals`), building and replacement area, and the dates the 搬迁奖励 depends on;
- `lines`: every payable line, and the 搬迁与安置 allowances paid as lines of section 三 — household,
  item, section and the amount in floating point (`value`), for the outliers' statistics only;
  `at` points into `texts`, the lines' quantity, rate and amount as stored (exact, for showing);
- `rated` and `overrides`: the rate audit's lines (calculator.app.summary.rated).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import operator
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from calculator.app.progress import Progress, stopped
from calculator.core import idcard
from calculator.engine.lines import DISPUTED
from calculator.engine.relocation import PARTS as RELOCATION_PARTS
from calculator.engine.schedules import load_schedule
from calculator.store import CaseStore, CaseVersion, LedgerRow, Status
from calculator.app.summary.rated import RatedLines, Standards, fen

NO_ASSESSOR = "(未填评估人)"
# Fields a case's household block may carry to place the household (片区 before 组); else its address.
PLACE_FIELDS = ("片区", "组")
_PLACE_KEYS = tuple(f'"{field}"' for field in PLACE_FIELDS)  # as a case's JSON text writes them
UNPLACED = "(地址中无村、社区或街巷)"
# The first village or community the address names (after county, town …), else the first street.
# An address read for its village or street: the divisions above it (省, 市, 县, 镇 …) taken off its start first, so
# that a village named with one of their characters keeps it (镇西村, not 西村); a village is no street's start
# (新村路 is a street, not the village 新村).
_DIVISIONS = re.compile(r"(?:\s*[^\s\d]{1,10}?(?:省|自治区|市|县|旗|(?<!社)区|镇|乡(?!镇)|街道(?:办事处|办)?)(?![村社]))+\s*")
_VILLAGE = re.compile(r"[^\s\d]{1,12}?(?:村|社区|居委会)(?!路|街|巷|道|大街|胡同)")
_STREET = re.compile(r"[^\s\d]{1,12}?(?:大街|街(?!道)|路|巷|胡同)")
RELOCATION_SECTION = "三"
TEXT_FIELDS = ("quantity", "rate", "amount")
_GET = {name: operator.itemgetter(name) for name in ("item", "section", *TEXT_FIELDS)}


@dataclass(frozen=True)
class Figures:
    """What was read: the frames, the lines' stored texts, the section keys in the schedule's order, and the
    数据异常 households (as the ledger shows them)."""

    households: pd.DataFrame
    lines: pd.DataFrame
    texts: dict[str, list[str]]  # quantity, rate, amount of every line as stored, by the lines' `at`
    rated: pd.DataFrame
    overrides: pd.DataFrame
    sections: tuple[str, ...]
    section_names: dict[str, str]
    abnormal: tuple[LedgerRow, ...]  # 数据异常: counted apart, never summed; `abnormal` says why


def place_of(household: dict[str, Any], address: str) -> str:
    """The 片区/组 a household's case names, else the village or street of its address. A 组 is named with the village
    (or street) of the address unless it names one itself: every village has a 一组, and two villages' were one row."""
    for field in PLACE_FIELDS:
        value = str(household.get(field, "")).strip()
        if value and field == "组" and not _VILLAGE.search(value) and not _STREET.search(value):
            around = _address_place(address)
            return value if around is None else around + value
        if value:
            return value
    return _address_place(address) or UNPLACED


def _address_place(address: str) -> str | None:
    """The first village or community the address names after its divisions, else its first street; None without.
    Read without spaces: 堡子 村 typed with one is 堡子村."""
    address = "".join(address.split())
    divisions = _DIVISIONS.match(address)
    rest = address[divisions.end():] if divisions else address
    for pattern in (_VILLAGE, _STREET):
        found = pattern.search(rest)
        if found:
            return found.group()
    return None


# Households read between two calls of the progress callback (about 25 ms of reading: the window repaints).
PROGRESS_EVERY = 100


class Cancelled(Exception):
    """The user stopped the summary before it was made."""


def read_figures(store: CaseStore, project_id: int, progress: Progress | None = None) -> Figures:
    """The project's households, lines and rated lines, from its verified current versions; `progress` is told
    how many households are read, and may stop the reading (Cancelled)."""
    reader = _Reader(dict(load_schedule().sections))
    abnormal = []
    versions = store.ledger_versions(project_id)
    for index, (row, version) in enumerate(versions):
        if progress is not None and index % PROGRESS_EVERY == 0 and stopped(progress(index, len(versions), "读取住户")):
            raise Cancelled
        row = row.printable()   # the summary's sheets print every household's 户号 and 户主
        if row.status is Status.ABNORMAL:
            abnormal.append(row)
        why = reader.add(row, version)
        if why is not None:  # a stored result at odds with its own figures: counted apart like 数据异常
            abnormal.append(dataclasses.replace(row, status=Status.ABNORMAL, abnormal=why))
    abnormal += [row.printable() for row in store.deleted_households()]   # their money gone from every total: named
    return Figures(reader.households(), reader.lines(), reader.texts, reader.rated.frame(), reader.rated.overrides(),
                   tuple(reader.sections), reader.sections, tuple(abnormal))


class _Reader:
    """Collects the frames' columns as plain lists while the versions pass, one at a time. Per line only
    strings and numbers are kept (taken by C-level `map`s), no container the collector would walk again."""

    def __init__(self, sections: dict[str, str]):
        self.sections = sections
        self._households: list[dict[str, Any]] = []
        self._line_households: list[int] = []
        self._items: list[str] = []
        self._line_sections: list[str] = []
        self._payable: list[bool] = []
        self.texts: dict[str, list[str]] = {name: [] for name in TEXT_FIELDS}
        self.rated = RatedLines()
        self._standards: dict[str, Standards] = {}

    def add(self, row: LedgerRow, version: CaseVersion | None) -> str | None:
        """Take one household; returns why its stored result cannot be counted, if it cannot."""
        household = {"id": row.household_id, "number": row.number, "head": row.head, "address": row.address,
                     "id_number": idcard.compact(row.id_number), "status": row.status.label,
                     # "李明 " is 李明: two rows of the rate audit that looked the same
                     "assessor": (row.assessor or "").strip() or NO_ASSESSOR, "version": row.version, "counted": False,
                     "paid_at": _day(row.paid_at), "moved_on": None, "paid_on": None}
        case = _Case(version.case_json if version is not None else "{}")
        household["place"] = place_of(case.household(), row.address)
        self._households.append(household)
        result = None if version is None else version.result()
        if result is None:
            return None
        why = self._figures(household, result, version)
        if why is not None:
            household["status"] = Status.ABNORMAL.label
            return why
        if result.get("relocation_details") is not None:   # the dates the 搬迁奖励 runs between, as the case holds them
            relocation = case.data.get("relocation") or {}
            household.update(moved_on=_date(relocation.get("moved_on")), paid_on=_date(relocation.get("paid_on")))
        self._add_lines(household, case, result)
        return None

    def _figures(self, household: dict[str, Any], result: dict[str, Any], version: CaseVersion) -> str | None:
        subtotals = {key: fen(value) for key, value in result["subtotals"].items()}
        total = fen(result["total"])
        if version.total is None or total != fen(f"{version.total:.2f}") or total != sum(subtotals.values()):
            return "保存的测算结果与其合计不符 / the stored result does not add up to its total"
        for key in subtotals:
            self.sections.setdefault(key, key)
        household.update(counted=True, total=total, disputed=fen(result["disputed_total"]),
                         incentive=fen(result["relocation"]["incentive"]),
                         building_area=version.building_area_m2,
                         replacement=fen(result["replacement_area_m2"] or "0.00"),
                         **{f"section:{key}": value for key, value in subtotals.items()})
        return None

    def _add_lines(self, household: dict[str, Any], case: "_Case", result: dict[str, Any]) -> None:
        lines = result["lines"] + [
            {"item": name, "section": RELOCATION_SECTION, "quantity": "1", "rate": result["relocation"][part],
             "amount": result["relocation"][part], "flags": ()} for part, name, _unit in RELOCATION_PARTS]
        self._line_households.extend(itertools.repeat(household["id"], len(lines)))
        self._items.extend(map(_GET["item"], lines))
        self._line_sections.extend(map(_GET["section"], lines))
        for name, values in self.texts.items():
            values.extend(map(_GET[name], lines))
        if result["disputed_total"] != "0.00":
            self._payable.extend([DISPUTED not in line["flags"] for line in lines])
        else:
            self._payable.extend(itertools.repeat(True, len(lines)))
        schedule = result["schedule"]
        if schedule not in self._standards:
            self._standards[schedule] = Standards(load_schedule(schedule))
        self.rated.add(household["id"], household["assessor"], result["lines"], case.items,
                       self._standards[schedule])

    def households(self) -> pd.DataFrame:
        frame = pd.DataFrame(self._households)
        if frame.empty:
            frame = pd.DataFrame(columns=["id", "number", "head", "address", "id_number", "status", "assessor",
                                          "version", "counted", "paid_at", "moved_on", "paid_on", "place"])
        for column in ("total", "disputed", "incentive", "replacement",
                       *(f"section:{key}" for key in self.sections)):
            frame[column] = (frame[column] if column in frame else pd.Series(0, index=frame.index)).fillna(0) \
                .astype("int64")
        if "building_area" not in frame:
            frame["building_area"] = None
        frame["counted"] = frame["counted"].astype(bool)
        return frame.set_index("id", drop=False)

    def lines(self) -> pd.DataFrame:
        """The payable lines with money (a disputed line is held out of every total; a line of no money —
        不予补偿, an allowance not due — is left out), as household, item, section, value and `at`."""
        value = np.array(self.texts["amount"], dtype=np.float64)
        kept = np.flatnonzero(np.array(self._payable, dtype=bool) & (value != 0))
        items = pd.Categorical(np.array(self._items, dtype=object)[kept])
        return pd.DataFrame({
            "household": np.array(self._line_households, dtype=np.int64)[kept], "item": items,
            "section": pd.Categorical(np.array(self._line_sections, dtype=object)[kept]),
            "value": value[kept], "at": kept})


class _Case:
    """A version's case, decoded from its JSON only when something is wanted of it: most households need
    nothing their result does not hold."""

    def __init__(self, text: str):
        self.text = text
        self._data: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            self._data = json.loads(self.text)
        return self._data

    def household(self) -> dict[str, Any]:
        """The case's household block, when its text could name a 片区 or 组 at all (else {})."""
        if not any(key in self.text for key in _PLACE_KEYS):
            return {}
        return self.data.get("household", {})

    def items(self) -> list[dict[str, Any]]:
        """The case's lines as typed (a rule looks its standard up from them)."""
        return self.data.get("items", [])


def _date(value: Any) -> dt.date | None:
    """A date the case holds (checked when it was saved), None when it holds none."""
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def _day(recorded: str) -> dt.date | None:
    """The local day of a time the audit log recorded (ISO, with its offset), None when there is none."""
    return dt.datetime.fromisoformat(recorded).date() if recorded else None
