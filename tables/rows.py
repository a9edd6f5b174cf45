"""Reading one row of a schedule file, with errors that name the file and the row."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any


class DataFileError(ValueError):
    """A data file is broken: a message in Chinese and English, and the file and row (`where`).

    The engine reads the files through calculator.engine.schedules, which raises it again as its own
    TableError; this package needs nothing of the engine.
    """

    def __init__(self, zh: str, en: str, where: str):
        self.zh, self.en, self.where = zh, en, where
        super().__init__(f"{where}: {zh} / {en}")


def read_toml(path: Path) -> dict[str, Any]:
    """A data file's tables; an unreadable or malformed file is a DataFileError naming it."""
    import tomllib  # here, not at the top: the app starts from a schedule parsed before (ui.schedules)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"无法读取数据文件: {exc}", f"cannot read the data file: {exc}", path.name) from None


def refuse_unknown_tables(data: dict[str, Any], known: tuple[str, ...], file: str, prefix: str = "") -> None:
    """A table the loader does not know (a misspelt [[grade]] or [sections]) is an error, not a silence."""
    unknown = sorted(set(data) - set(known))
    if unknown:
        shown = ", ".join(f"[[{prefix}{k}]]" if isinstance(data[k], list) else f"[{prefix}{k}]" for k in unknown)
        raise DataFileError(f"未知的表 {shown}", f"unknown table(s) {shown}", file)


class DataRow:
    """A row of a data file (a TOML table) with typed, validated accessors."""

    def __init__(self, data: dict[str, Any], file: str, label: str):
        self.data, self.file, self.label = data, file, label
        self._read: set[str] = set()

    def error(self, zh: str, en: str) -> DataFileError:
        return DataFileError(zh, en, f"{self.file} {self.label}")

    def has(self, field: str) -> bool:
        return field in self.data

    def raw(self, field: str) -> Any:
        if field not in self.data:
            raise self.error(f"缺少字段 {field}", f"missing field {field}")
        self._read.add(field)
        return self.data[field]

    def text(self, field: str, default: str | None = None) -> str:
        if default is not None and field not in self.data:
            return default
        value = self.raw(field)
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"字段 {field} 应为非空文字", f"field {field} must be non-empty text")
        return value

    def texts(self, field: str) -> tuple[str, ...]:
        value = self.raw(field)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise self.error(f"字段 {field} 应为文字列表", f"field {field} must be a list of text")
        return tuple(value)

    def decimal(self, field: str, default: Decimal | None = None) -> Decimal:
        if default is not None and field not in self.data:
            return default
        return self.to_decimal(self.raw(field), field)

    def to_decimal(self, value: Any, field: str) -> Decimal:
        """A table number is written as a string ("700") so that it is read exactly."""
        if not isinstance(value, str):
            raise self.error(f"字段 {field} 的数值应写成字符串", f"field {field} must be a number written as a string")
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self.error(f"字段 {field} 不是数值: {value!r}", f"field {field} is not a number: {value!r}") from None
        if not number.is_finite():
            raise self.error(f"字段 {field} 不是有限数值", f"field {field} is not finite")
        return number

    def integer(self, field: str) -> int:
        value = self.raw(field)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(f"字段 {field} 应为整数", f"field {field} must be an integer")
        return value

    def date(self, field: str) -> dt.date:
        value = self.raw(field)
        if not isinstance(value, dt.date):
            raise self.error(f"{field} 应为日期", f"{field} must be a date")
        return value

    def table(self, field: str) -> dict[str, Any]:
        value = self.raw(field)
        if not isinstance(value, dict) or not value:
            raise self.error(f"字段 {field} 应为非空表", f"field {field} must be a non-empty table")
        return value

    def rows(self, field: str) -> list["DataRow"]:
        """A list of inline tables, each read as a DataRow of its own."""
        value = self.raw(field)
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            raise self.error(f"字段 {field} 应为非空的表列表", f"field {field} must be a non-empty list of tables")
        return [DataRow(v, self.file, f"{self.label} {field}[{i}]") for i, v in enumerate(value)]

    def refuse_unread(self) -> None:
        """Every field of the row must have been understood: a typo is an error, not a silence."""
        unknown = sorted(set(self.data) - self._read)
        if unknown:
            raise self.error(f"未知字段 {', '.join(unknown)}", f"unknown field(s) {', '.join(unknown)}")
