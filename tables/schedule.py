"""The 堡子 compensation schedule: loaded from its TOML file and validated on load.

An item's own fields (its rate, range, brackets …) are read by its rule kind, which the caller
gives: `read_schedule(path, kinds)` with calculator.rules.KINDS (calculator.engine.schedules does). The
loader checks everything else and needs nothing of the engine.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Protocol

from tables.rows import DataFileError, DataRow, read_toml, refuse_unknown_tables


class RuleKind(Protocol):
    """What the loader asks of a rule kind (a module of calculator.rules)."""

    def parse(self, row: DataRow) -> Any:
        """The kind's spec of a row, read field by field (errors through `row.error`)."""

    def params(self, spec: Any) -> tuple:
        """The parameters a case line of the row carries (each with a `name`)."""

    def hosts(self, spec: Any, items: Any) -> tuple | None:
        """The rows of `items` a line of the row may be attached to, or None if it attaches to nothing."""


# The fields every case line may carry, whatever its item (its parameters come on top: Item.line_fields).
LINE_FIELDS = frozenset(("item", "quantity", "rate", "override_reason", "disputed", "note"))


@dataclass(frozen=True)
class Item:
    """One row of the schedule: a stable key, its rule kind and the kind's parsed spec."""

    key: str
    section: str
    kind: str
    rule: RuleKind  # the module of `kind`, which parsed the spec and prices the row
    unit: str
    spec: Any
    source: str
    reading: str     # the reading applied where the source is ambiguous, in English (the catalog spec's: provenance)
    reading_zh: str  # the same reading in Chinese, as the app shows it to an assessor
    quantity_default: Decimal | None
    source_section: str
    params: tuple = ()

    @cached_property  # read for every case line priced
    def line_fields(self) -> frozenset[str]:
        """Every field a case line of this item may carry: those of every line (LINE_FIELDS) and its parameters."""
        return LINE_FIELDS | {p.name for p in self.params}

    @property
    def group(self) -> str:
        """The 种类 (the key before '/')."""
        return self.key.split("/")[0]

    @property
    def variety(self) -> str:
        """The 规格 (the key after '/'), empty for a key without one."""
        return self.key.partition("/")[2]


class ParamInfo(NamedTuple):
    label: str
    unit: str


class RelocationRule(NamedTuple):
    """One household allowance of section 三, priced by brackets of one value."""

    param: str
    brackets: tuple  # read by the bracket kind (calculator.rules.bracket.read_brackets: its Brackets)
    source: str
    reading: str
    reading_zh: str


class Relocation(NamedTuple):
    moving: RelocationRule
    temporary: RelocationRule
    incentive: RelocationRule
    months: int
    max_extra_months: int


@dataclass(frozen=True)
class Schedule:
    id: str
    version: str
    title: str
    issuer: str
    document: str
    issued: dt.date
    effective: dt.date
    disputed_reason: str
    sections: dict[str, str]
    params: dict[str, ParamInfo]
    items: dict[str, Item]
    relocation: Relocation

    @cached_property  # read for every household priced
    def by_kind(self) -> dict[str, tuple[Item, ...]]:
        """The rows of each rule kind, in the schedule's order."""
        kinds: dict[str, list[Item]] = {}
        for item in self.items.values():
            kinds.setdefault(item.kind, []).append(item)
        return {kind: tuple(items) for kind, items in kinds.items()}

    def heading(self, section: str) -> str:
        """A section as headings name it: 一(一) 房屋、附属设施; 评估项 once (its code is its name)."""
        name = self.sections[section]
        return section if name == section else f"{section} {name}"

    def basis(self, item: Item) -> str:
        """Where the row comes from, e.g. 文政发〔2023〕6号 一(一)."""
        return f"{self.document} {item.section}"

    def describe(self, param: str, value: str | None) -> str:
        """A parameter as a person reads it, its value as written (calculator.core.money.fmt_plain): 深度1.6m."""
        info = self.params[param]
        if value is None:
            return info.label
        return f"{info.label}{value}{info.unit}"


def read_schedule(path: Path, kinds: Mapping[str, RuleKind]) -> Schedule:
    """Parse and validate a schedule file, each item's fields by its kind in `kinds`; a broken file raises
    DataFileError naming file and row."""
    name = path.name
    data = read_toml(path)
    refuse_unknown_tables(data, ("schedule", "params", "sections", "item", "relocation"), name)
    head = DataRow(data.get("schedule", {}), name, "[schedule]")
    sections = _text_table(data, "sections", name)
    params = {}
    for key, value in _table(data, "params", name).items():
        row = DataRow(value if isinstance(value, dict) else {}, name, f"[params] {key}")
        params[key] = ParamInfo(row.text("label"), row.raw("unit"))
        row.refuse_unread()
    items: dict[str, Item] = {}
    for index, raw in enumerate(data.get("item", [])):
        item = _read_item(DataRow(raw, name, f"item[{index}] {raw.get('key', '')}".strip()), sections, params, kinds)
        if item.key in items:
            raise DataFileError(f"重复的项目键「{item.key}」", f"duplicate item key {item.key!r}", f"{name} item[{index}]")
        items[item.key] = item
    _check_catalog(path.parent / head.text("catalog_keys"), items, name)
    _check_hosts(items, name)
    schedule = Schedule(
        id=head.text("id"), version=head.text("version"), title=head.text("title"), issuer=head.text("issuer"),
        document=head.text("document"), issued=head.date("issued"), effective=head.date("effective"),
        disputed_reason=head.text("disputed_reason"), sections=sections, params=params, items=items,
        relocation=_read_relocation(data, name, params, kinds["bracket"]))
    head.raw("catalog_keys")
    head.refuse_unread()
    return schedule


def _read_item(row: DataRow, sections: dict[str, str], params: dict[str, ParamInfo],
               kinds: Mapping[str, RuleKind]) -> Item:
    kind = row.text("kind")
    if kind not in kinds:
        raise row.error(f"未知规则类型 {kind!r}", f"unknown rule kind {kind!r}")
    section = row.text("section")
    if section not in sections:
        raise row.error(f"未知章节 {section!r}", f"unknown section {section!r}")
    rule = kinds[kind]
    spec = rule.parse(row)
    line_params = rule.params(spec)
    for index, param in enumerate(line_params):
        if param.name not in params:
            raise row.error(f"参数 {param.name} 未在 [params] 中说明", f"parameter {param.name} is not declared in [params]")
        if param.name in LINE_FIELDS or param.name in (p.name for p in line_params[:index]):
            raise row.error(f"参数 {param.name} 与案例行的其他字段重名", f"parameter {param.name} names another field of a line")
    default = row.decimal("quantity_default") if row.has("quantity_default") else None
    reading, reading_zh = _readings(row)
    item = Item(key=row.text("key"), section=section, kind=kind, rule=rule, unit=row.text("unit"), spec=spec,
                source=row.text("source"), reading=reading, reading_zh=reading_zh,
                quantity_default=default, source_section=row.text("source_section", section), params=line_params)
    row.refuse_unread()
    return item


def _readings(row: DataRow) -> tuple[str, str]:
    """A row's reading in English (provenance) and in Chinese (what the app shows): both or neither."""
    reading, reading_zh = row.text("reading", ""), row.text("reading_zh", "")
    if bool(reading) != bool(reading_zh):
        given, missing = ("reading", "reading_zh") if reading else ("reading_zh", "reading")
        raise row.error(f"有字段 {given} 而缺少字段 {missing}(解读须同时给出英文与中文)",
                        f"field {given} without field {missing} (a reading is given in English and in Chinese)")
    return reading, reading_zh


def _check_catalog(path: Path, items: dict[str, Item], name: str) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataFileError(f"无法读取目录键清单: {exc}", f"cannot read the catalog key list: {exc}", name) from None
    catalog = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    missing = [key for key in catalog if key not in items]
    if missing:
        raise DataFileError(f"缺少目录中的项目: {'、'.join(missing)}", f"catalog keys missing: {', '.join(missing)}", name)
    extra = [key for key in items if key not in catalog]
    if extra:
        raise DataFileError(f"目录中没有的项目: {'、'.join(extra)}", f"keys not in the catalog: {', '.join(extra)}", name)


def _check_hosts(items: dict[str, Item], name: str) -> None:
    """A row of a kind attached to a host (share_of_host) must find at least one in the schedule, each priced by a rate."""
    for item in items.values():
        hosts = item.rule.hosts(item.spec, items.values())
        if hosts is None:
            continue
        if not hosts:
            raise DataFileError("没有可依附的房屋项", "no host item matches", f"{name} {item.key}")
        for host in hosts:
            if host.kind != item.rule.HOST_KIND:
                raise DataFileError(f"可依附的房屋「{host.key}」须按单价计({item.rule.HOST_KIND})",
                                    f"host {host.key!r} must be a {item.rule.HOST_KIND} row", f"{name} {item.key}")


def _read_relocation(data: dict, name: str, params: dict[str, ParamInfo], brackets: Any) -> Relocation:
    """Section 三's three allowances, their brackets read as the bracket kind (`brackets`) reads its own."""
    block = data.get("relocation")
    if not isinstance(block, dict):
        raise DataFileError("缺少 [relocation]", "missing [relocation]", name)
    refuse_unknown_tables(block, ("moving", "temporary", "incentive"), name, "relocation.")
    rules = {}
    for part in ("moving", "temporary", "incentive"):
        row = DataRow(block.get(part, {}), name, f"[relocation.{part}]")
        rules[part] = RelocationRule(row.text("param"), brackets.read_brackets(row), row.text("source"),
                                     *_readings(row))
        if any(b.rate.is_range for b in rules[part].brackets):
            raise row.error("搬迁与安置的档位须为固定金额", "relocation brackets take fixed amounts")
        if rules[part].param not in params:
            raise row.error(f"参数 {rules[part].param} 未在 [params] 中说明", "parameter not declared in [params]")
        if part == "temporary":
            months, extra = row.integer("months"), row.integer("max_extra_months")
        row.refuse_unread()
    return Relocation(rules["moving"], rules["temporary"], rules["incentive"], months, extra)



def _table(data: dict, field: str, name: str) -> dict:
    value = data.get(field)
    if not isinstance(value, dict) or not value:
        raise DataFileError(f"缺少 [{field}]", f"missing [{field}]", name)
    return value


def _text_table(data: dict, field: str, name: str) -> dict[str, str]:
    value = _table(data, field, name)
    if not all(isinstance(v, str) for v in value.values()):
        raise DataFileError(f"[{field}] 的值应为文字", f"[{field}] values must be text", name)
    return dict(value)
