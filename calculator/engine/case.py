"""The case file of interfaces.md: read from JSON exactly (Decimal), written back atomically."""
from __future__ import annotations

import difflib
import json
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from calculator.core.errors import InputError
from calculator.core.jsonfile import parse_json
from calculator.core.labels import label
from calculator.core.limits import CASE_MAX_LINES, check_text, parse_date

HEADER_BLOCKS = ("household", "assessor")
KNOWN_FIELDS = {"schedule", "household", "assessor", "items", "relocation", "replacement", "case_id", "assessed_on"}
# The fields of each header block the sheets print; a block may carry others of its own (片区, 组 …), kept as given.
HEADER_FIELDS = {"household": frozenset(("head", "id_number", "address", "phone")),
                 "assessor": frozenset(("name", "organisation"))}


@dataclass
class Case:
    """One household's case: header blocks, raw item lines and the two household blocks."""

    schedule: str = "baozi-2023"
    household: dict[str, str] = field(default_factory=dict)
    assessor: dict[str, str] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    relocation: dict[str, Any] | None = None
    replacement: dict[str, Any] | None = None
    case_id: str = ""
    assessed_on: str = ""
    ignored_fields: tuple[str, ...] = ()


def case_from_json(text: str) -> Case:
    """A case from the text of a case file."""
    return case_from_dict(parse_json(text))


def case_from_dict(data: Any) -> Case:
    """Check the shape of a case; the lines' contents are checked by the engine."""
    if not isinstance(data, dict):
        raise InputError("案例文件应为 JSON 对象", "a case file must be a JSON object")
    if not set(data) & KNOWN_FIELDS:
        looks_like = "地块文件(宗地地价测算)" if {"parts", "grade"} & set(data) else "其他 JSON 文件"
        raise InputError(f"这不是案例文件: 像是{looks_like},没有案例文件的任何字段",
                         "this is not a case file: it has none of a case file's fields")
    _refuse_misspelt(data, KNOWN_FIELDS, "")
    schedule = data.get("schedule", "baozi-2023")
    if not isinstance(schedule, str):
        raise InputError("补偿标准应为文字", "schedule must be text", "schedule")
    blocks = {name: _text_block(data.get(name, {}), name) for name in HEADER_BLOCKS}
    items = data.get("items", [])
    if not isinstance(items, list) or not all(isinstance(line, dict) for line in items):
        raise InputError("补偿项目应为对象列表", "items must be a list of objects", "items")
    if len(items) > CASE_MAX_LINES:
        raise InputError(f"项目过多: {len(items)} 行,一户最多 {CASE_MAX_LINES} 行",
                         f"too many lines: {len(items)}, at most {CASE_MAX_LINES} per household", "items")
    for name in ("relocation", "replacement"):
        if data.get(name) is not None and not isinstance(data[name], dict):
            raise InputError(f"{label(name)}应为对象", f"{name} must be an object", name)
    return Case(schedule=schedule, household=blocks["household"], assessor=blocks["assessor"],
                items=[dict(line) for line in items], relocation=data.get("relocation"),
                replacement=data.get("replacement"), case_id=_text(data.get("case_id", ""), "case_id"),
                assessed_on=_date(data.get("assessed_on", "")),
                ignored_fields=tuple(sorted(set(data) - KNOWN_FIELDS)))


def case_to_dict(case: Case) -> dict[str, Any]:
    """The case as the JSON object of interfaces.md, numbers written as exact strings."""
    data: dict[str, Any] = {"schedule": case.schedule}
    if case.case_id:
        data["case_id"] = case.case_id
    data["household"] = dict(case.household)
    data["assessor"] = dict(case.assessor)
    if case.assessed_on:
        data["assessed_on"] = case.assessed_on
    data["items"] = [_plain(line) for line in case.items]
    if case.relocation is not None:
        data["relocation"] = _plain(case.relocation)
    if case.replacement is not None:
        data["replacement"] = _plain(case.replacement)
    return data


def case_to_json(case: Case) -> str:
    """The text of a case file (UTF-8, Chinese kept readable)."""
    return json.dumps(case_to_dict(case), ensure_ascii=False, indent=2) + "\n"


def canonical_json(case: Case) -> str:
    """The case as its fingerprint reads it, and as a project stores it: keys sorted, on one line (json's C
    encoder), so a stored case's fingerprint is SHA-256 over the stored text and the schedule version."""
    return json.dumps(case_to_dict(case), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fingerprint(case: Case, schedule_version: str, canonical: str | None = None) -> str:
    """First 12 hex digits of SHA-256 over the canonical case JSON and the schedule version (`canonical`: that
    JSON when the caller has already made it)."""
    import hashlib  # here, not at the top: it loads OpenSSL, which the app's start does not need
    text = canonical_json(case) if canonical is None else canonical
    return hashlib.sha256(f"{text}\n{schedule_version}".encode()).hexdigest()[:12]


def _plain(block: dict[str, Any]) -> dict[str, Any]:
    """Numbers as the text a case file reads back to (Decimal or int alike), so a fingerprint survives saving."""
    return {key: (format(value, "f") if isinstance(value, Decimal)
                  else str(value) if isinstance(value, int) and not isinstance(value, bool) else value)
            for key, value in block.items()}


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InputError("应为文字", "must be text", where)
    return check_text(value, where.rpartition(".")[2], where)


def _date(value: Any) -> str:
    """测算日期: empty, or a real date written YYYY-MM-DD."""
    _text(value, "assessed_on")
    parse_date(value, "assessed_on", "assessed_on")
    return value


def _text_block(block: Any, name: str) -> dict[str, str]:
    if not isinstance(block, dict):
        raise InputError(f"{label(name)}应为对象", f"{name} must be an object", name)
    _refuse_misspelt(block, HEADER_FIELDS[name], name)
    return {key: _text(value, f"{name}.{key}") for key, value in block.items()}


def _refuse_misspelt(keys: Any, known: frozenset[str] | set[str], block: str) -> None:
    """A key that is a known field written another way or misspelt (Items, ｉｔｅｍｓ, Head, relocaton, organization) is
    refused: ignored, or kept as a field of its own, it left the field it meant out with no more than a warning (a
    sheet without its lines, its 搬迁与安置 or its 户主). A key like none of them is the file's own, and kept."""
    for key in keys:
        if key in known:
            continue
        written = unicodedata.normalize("NFKC", key).strip().casefold()
        meant = written if written in known else next(iter(difflib.get_close_matches(written, known, 1, 0.8)), None)
        if meant is not None:
            where = f"{block}.{key}" if block else key
            raise InputError(f"字段「{key}」应写作「{meant}」", f"field {key!r} should be written {meant!r}", where)
