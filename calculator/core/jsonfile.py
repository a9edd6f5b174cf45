"""Reading the project's JSON input files: exact numbers, and nothing ambiguous let through.

A key given twice in one object (json keeps the last silently), nesting deeper than any case,
control characters or lone surrogates in any text, a file larger than its kind allows, and a
file that is not UTF-8 text are refused with where they are.
"""
from __future__ import annotations

import codecs
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from calculator.core.errors import InputError
from calculator.core.files import refuse_database
from calculator.core.labels import label
from calculator.core.limits import JSON_MAX_DEPTH, refuse_bad_characters


# The two kinds of document the app writes, by their Chinese names.
DOCUMENTS = {"case": "案例文件", "parcel": "地块文件"}
_READ_LIMIT = 5 * 1024 * 1024  # enough for either kind (calculator.core.limits)


def document_kind(data: Any) -> str | None:
    """"case" or "parcel" for the content of one of the app's documents, else None."""
    if not isinstance(data, dict):
        return None
    if "items" in data or "household" in data:
        return "case"
    if "parts" in data and "grade" in data:
        return "parcel"
    return None


def check_replaceable(path: Path, kind: str) -> None:
    """Refuse to write a `kind` document over an existing file that is not one: a save never
    replaces a file the app did not read as that kind (a parcel with a case, a workbook with JSON)."""
    if not Path(path).exists():
        return
    try:
        found = document_kind(read_json(Path(path), _READ_LIMIT, DOCUMENTS[kind]))
    except InputError:
        found = None
    if found != kind:
        what = DOCUMENTS.get(found or "", "不是本程序的" + DOCUMENTS[kind])
        raise InputError(f"「{Path(path).name}」是{what},不能用{DOCUMENTS[kind]}覆盖它,请另选文件名",
                         f"{Path(path).name} is not a {kind} file; it is not replaced (choose another name)")


def read_json(path: Path, max_bytes: int, kind: str, *, checked: bool = True) -> Any:
    """The parsed content of a JSON file of `kind` (e.g. 案例文件); errors name no path (callers do). Unchecked
    (`checked` False: a file the program wrote itself, such as a crash's recovery file), a text is taken as it is,
    a control character in it too: what it holds is checked where it is used, never refused whole."""
    refuse_database(Path(path), kind, "JSON file")
    try:
        with _open_to_read(path) as file:
            data = file.read(max_bytes + 1)  # never more than the limit, even from a pipe
    except FileNotFoundError:
        raise InputError("文件不存在", "file not found") from None
    except IsADirectoryError:
        raise InputError("这是文件夹,不是文件", "this is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"无法读取文件: {exc.strerror}", f"cannot read the file: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise InputError(f"文件过大: {kind}最大 {max_bytes // 1024} KB", f"file too large: at most {max_bytes // 1024} KB")
    try:
        text = data.decode("utf-8").lstrip("\ufeff")  # Windows Notepad writes a byte-order mark (a copy tool a second)
    except UnicodeDecodeError:
        raise _not_utf8(data, kind) from None
    if "\x00" in text:   # no JSON text holds a nought byte: UTF-16 with no byte-order mark, its ASCII UTF-8 too
        raise _not_utf8(data, kind)
    return parse_json(text) if checked else _parse(text)


# The encodings a Windows editor saves Chinese text in (记事本's "ANSI" is GBK on a Chinese system, its "Unicode"
# UTF-16), by what their text begins with: UTF-16 by its byte-order mark or, without one, by the nought bytes of its
# ASCII; GBK only for text with no nought byte (UTF-16's ASCII is also GBK's).
_OTHER_ENCODINGS = (("UTF-16", "utf-16", (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)), ("UTF-16", "utf-16-le", ()),
                    ("UTF-16", "utf-16-be", ()), ("GBK", "gbk", ()))


def _not_utf8(data: bytes, kind: str) -> InputError:
    """A file that is no UTF-8 text refused: UTF-8 cut short in a character said as a file not copied whole; a JSON
    text saved in another encoding said as such (save it as UTF-8); anything else as perhaps a workbook."""
    if _utf8_cut_short(data):
        return InputError(f"这个{kind}在末尾被截断(最后一个字符不完整),文件可能没有完整复制或保存",
                          "the file is cut short in its last character: it may not have been copied or saved whole")
    body = data.removeprefix(codecs.BOM_UTF8)
    for name, encoding, marks in _OTHER_ENCODINGS:
        if marks and not body.startswith(marks) or encoding == "gbk" and b"\x00" in body:
            continue
        text = _decodes(body, encoding)
        if text is not None and text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
            return InputError(f"这个{kind}是 {name} 编码的,请用记事本等“另存为”UTF-8 编码后再打开",
                              f"the file is {name} text: save it as UTF-8 (e.g. Notepad's Save As) and open it again")
    if _decodes(body, "utf-8") is not None:   # UTF-8 with nought bytes in it: padded by a crash or a sync tool
        return InputError(f"这个{kind}中有空字节(NUL),文件可能已损坏或没有完整保存",
                          "the file holds nought (NUL) bytes: it may be damaged or not saved whole")
    return InputError(f"这不是{kind}: 内容不是 UTF-8 编码的 JSON 文本(可能是 Excel 表格或其他格式)",
                      "not a JSON text file: the content is not UTF-8 (perhaps a workbook or another format)")


def _utf8_cut_short(data: bytes) -> bool:
    """`data` is UTF-8 but for its last character, begun and not ended."""
    if _decodes(data, "utf-8") is not None:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _decodes(data: bytes, encoding: str) -> str | None:
    """`data` as text in `encoding`, or None."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _open_to_read(path: Path) -> BinaryIO:
    """The file opened for reading. A named pipe opens at once, so one no program writes to reads as empty
    instead of waiting forever (`open` would wait for a writer); reads then wait for what a writer sends."""
    if not hasattr(os, "O_NONBLOCK"):  # Windows: no named pipes among files
        return open(path, "rb")
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


# The json module's messages in Chinese (the Chinese half of an error said Python's English "Expecting value").
JSON_ERRORS = {
    "Expecting value": "此处应有一个值(文件是否不完整,或多了逗号?)",
    "Expecting property name enclosed in double quotes": "此处应为用英文双引号括起的字段名(是否用了单引号或中文引号,或多了逗号?)",
    "Expecting ':' delimiter": "字段名后应有冒号",
    "Expecting ',' delimiter": "此处应有逗号(或括号未闭合)",
    "Unterminated string": "引号未闭合",
    "Extra data": "数据结束后还有多余内容",
    "Invalid control character": "字符串中有控制字符",
    "Invalid \\escape": "无效的反斜杠转义",
    "Invalid \\uXXXX escape": "无效的 \\u 转义",
}


def parse_json(text: str) -> Any:
    """JSON with every number read as an exact Decimal; a syntax error names line and column."""
    data = _parse(text)
    _check_tree(data)
    return data


def _parse(text: str) -> Any:
    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=_refuse_constant,
                          object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        said = next((zh for words, zh in JSON_ERRORS.items() if exc.msg.startswith(words)), exc.msg)
        raise InputError(f"JSON 格式错误(第{exc.lineno}行第{exc.colno}列): {said}",
                         f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"JSON 嵌套过深(超过 {JSON_MAX_DEPTH} 层)",
                         f"JSON is nested too deeply (more than {JSON_MAX_DEPTH} levels)") from None


class _DuplicateKey(dict):
    """An object in which `duplicate` was given more than once (refused with its place)."""

    def __init__(self, pairs: list[tuple[str, Any]], duplicate: str):
        super().__init__(pairs)
        self.duplicate = duplicate


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _value in pairs:
        if key in seen:
            return _DuplicateKey(pairs, key)
        seen.add(key)
    return dict(pairs)


class _Constant(str):
    """NaN, Infinity or -Infinity where a value was: refused with its place once the whole text is read."""


def _refuse_constant(name: str) -> _Constant:
    return _Constant(name)


def _check_tree(data: Any) -> None:
    for path, depth, value in _walk(data):
        place = path or "(文件)"
        if depth > JSON_MAX_DEPTH:
            raise InputError(f"JSON 嵌套过深(超过 {JSON_MAX_DEPTH} 层)",
                             f"JSON is nested too deeply (more than {JSON_MAX_DEPTH} levels)", place)
        if isinstance(value, _DuplicateKey):
            raise InputError(f"「{label(value.duplicate)}」重复出现,无法确定取哪一个",
                             f"the key {value.duplicate!r} is given twice; which one is meant is unclear", place)
        if isinstance(value, _Constant):
            raise InputError(f"不接受 {value}(不是数值)", f"{value} is not a number", place)
        if isinstance(value, str):
            refuse_bad_characters(value, "", place)


def _walk(data: Any) -> Iterator[tuple[str, int, Any]]:
    """(path, depth, value) of every value and key, without recursion."""
    stack = [("", 0, data)]
    while stack:
        path, depth, value = stack.pop()
        yield path, depth, value
        if isinstance(value, dict):
            for key, child in value.items():
                child_path = f"{path}.{key}" if path else str(key)
                yield child_path, depth + 1, key
                stack.append((child_path, depth + 1, child))
        elif isinstance(value, list):
            stack.extend((_item_path(path, index), depth + 1, child) for index, child in enumerate(value))


# What a list's entry is called, as the engine names it (a case's line, a parcel's part); any other list's, an entry
ENTRY_NAMES = {"items": "行", "parts": "部分"}


def _item_path(path: str, index: int) -> str:
    return f"{path}[{index}](第{index + 1}{ENTRY_NAMES.get(path, '项')})"
