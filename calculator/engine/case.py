"""The case file of interfaces.md: read from JSON exactly (Decimal), written back atomically."""
from __future__ import annotations

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
    # fields of the file's own no case has (片区, 备注 as an office adds them): not priced, not in the 校验码, written
    # back when the case file is saved
    kept_fields: dict[str, Any] = field(default_factory=dict)


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
    schedule = data.get("schedule", "baozi-2023")
    if not isinstance(schedule, str):
        raise InputError("补偿标准应为文字", "schedule must be text", "schedule")
    blocks = {name: _text_block(data.get(name, {}), name) for name in HEADER_BLOCKS}
    items = data.get("items", [])
    if not isinstance(items, list):
        raise InputError("补偿项目应为对象列表", "items must be a list of objects", "items")
    for index, line in enumerate(items):
        if not isinstance(line, dict):   # said at its line, as any other fault of a line
            raise InputError("此行应为对象({\"item\": …})", "a line must be an object ({\"item\": …})",
                             f"items[{index}](第{index + 1}行)", block="items", line=index)
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
                kept_fields={key: value for key, value in data.items() if key not in KNOWN_FIELDS})


def case_from_file(data: Any) -> Case:
    """A case from a file a person gives (the command line, the app's 打开): its keys checked for misspellings
    (refuse_misspelt_fields) and for data under a name no case file has (refuse_unknown_blocks), then its shape,
    as every case's."""
    refuse_misspelt_fields(data)
    refuse_unknown_blocks(data)
    return case_from_dict(data)


def refuse_unknown_blocks(data: Any) -> None:
    """A key no case file has that holds an object or a list (搬迁, lines, 项目) is refused: it holds what its writer
    meant to be priced, a relocation or the lines, and ignored with a warning it was left off the sheet (73,562.00
    of 搬迁与安置, or every line: a sheet of ¥0.00). A text or a number of a tool's own (片区, phone2) is the file's,
    and kept, as refuse_misspelt_fields keeps it. A file with no case field at all is no case file (a parcel's):
    case_from_dict says so."""
    if not isinstance(data, dict) or not set(data) & KNOWN_FIELDS:
        return
    for key, value in data.items():
        if key not in KNOWN_FIELDS and isinstance(value, (dict, list)) and value:
            blocks = ("items", "relocation", "replacement", "household", "assessor")
            raise InputError(f"「{key}」不是案例文件的字段,其中的内容不会计入;请改用 "
                             f"{'、'.join(f'{name}({label(name)})' for name in blocks)} 之一,或删除",
                             f"{key!r} is no case file field, and what it holds would not be priced: "
                             f"use one of {', '.join(blocks)}, or remove it", key)


def case_to_dict(case: Case, *, kept: bool = True) -> dict[str, Any]:
    """The case as the JSON object of interfaces.md, numbers written as exact strings; with `kept`, the file's own
    fields too (not priced: never part of the 校验码 nor of a case a project stores)."""
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
    # saved from the app, a file's own field was dropped though "kept, with a warning"; a number is written as its
    # exact text, as every number of a case
    if kept:
        data.update(_plain(case.kept_fields))
    return data


def case_to_json(case: Case) -> str:
    """The text of a case file (UTF-8, Chinese kept readable)."""
    return json.dumps(case_to_dict(case), ensure_ascii=False, indent=2) + "\n"


def canonical_json(case: Case) -> str:
    """The case as its fingerprint reads it, and as a project stores it: keys sorted, on one line (json's C
    encoder), so a stored case's fingerprint is SHA-256 over the stored text and the schedule version. Without the
    file's own fields: a 片区 added to a file made a survey re-import refuse a household whose every figure was the same."""
    return json.dumps(case_to_dict(case, kept=False), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


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
    return {key: _text(value, f"{name}.{key}") for key, value in block.items()}


def refuse_misspelt_fields(data: Any) -> None:
    """A case file's key that is a known field written another way, or one letter off (Items, ｉｔｅｍｓ, relocaton,
    household.Head, organization), is refused: ignored, or kept as a field of its own, it left the field it meant
    out with no more than a warning (a sheet without its lines, its 搬迁与安置 or its 户主). A key like none of them
    (a tool's own, 片区, phone2) is the file's, and kept. Checked where a person's file comes in (case_from_file),
    never on a case a project already holds."""
    if not isinstance(data, dict):
        return
    blocks = [("", data, KNOWN_FIELDS)] + [(name, data[name], known) for name, known in HEADER_FIELDS.items()
                                           if isinstance(data.get(name), dict)]
    for block, keys, known in blocks:
        for key in keys:
            meant = _meant(key, known)
            if meant is not None:
                where = f"{block}.{key}" if block else key
                raise InputError(f"字段「{key}」应写作「{meant}」", f"field {key!r} should be written {meant!r}", where)


def _meant(key: str, known: frozenset[str] | set[str]) -> str | None:
    """The known field `key` stands for when it is not one: the same in another case or width, or one letter
    added, dropped, changed or swapped (a key with a digit, phone2, is a field of its own)."""
    if key in known:
        return None
    written = unicodedata.normalize("NFKC", key).strip().casefold()
    if written in known:
        return written
    if any(char.isdigit() for char in written):
        return None
    return next((field for field in sorted(known) if _one_edit(written, field)), None)


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by one letter added, dropped, changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        differ = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(differ) == 1 or (len(differ) == 2 and differ[1] == differ[0] + 1
                                    and a[differ[0]] == b[differ[1]] and a[differ[1]] == b[differ[0]])
    short, long = sorted((a, b), key=len)
    at = next((i for i, (x, y) in enumerate(zip(short, long)) if x != y), len(short))
    return short[at:] == long[at + 1:]
