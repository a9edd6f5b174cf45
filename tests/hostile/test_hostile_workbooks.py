"""Hostile and careless survey workbooks: the broken household is left out with a problem naming
its sheet, row and column, the good one beside it is imported whole, and a workbook that is not
one (or too large to open safely) is refused before any row is read."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest
from openpyxl import load_workbook

from calculator.core.errors import InputError
from calculator.app.survey import SURVEY_SHEET, read_survey
from test_survey import EXAMPLE_TOTAL, fill, example_rows

CAVE = {"项目": "窑洞/砖石窑洞", "数量": 10, "单价": 600}


@dataclass(frozen=True)
class BadRow:
    name: str
    row: dict  # household 0002's only row
    column: str  # the column its problem names
    # a 户号 that cannot be read names no household: the row may be the one above's (0301： amid 0301's rows, a fill-down
    # formula never calculated), which is left out whole rather than imported short of it
    unplaced: bool = False


ROWS = [
    BadRow("tab in 户主", {**CAVE, "户主": "张\t三"}, "户主"),  # Excel cells cannot hold NUL at all
    BadRow("bidi override in 户主", {**CAVE, "户主": "\u202e三张"}, "户主"),
    BadRow("户主 of 41", {**CAVE, "户主": "张" * 41}, "户主"),
    BadRow("line break in 地址", {**CAVE, "地址": "堡子村\n3号"}, "地址"),
    BadRow("备注 of 301", {**CAVE, "备注": "注" * 301}, "备注"),
    BadRow("数量 in words", {**CAVE, "数量": "三十"}, "数量"),
    BadRow("negative 数量", {**CAVE, "数量": -3}, "数量"),
    BadRow("decimal comma", {**CAVE, "数量": "1,5"}, "数量"),
    BadRow("unknown 项目", {**CAVE, "项目": "不存在/项目"}, "项目"),
    BadRow("rate past the standard without reason", {**CAVE, "单价": 900}, "单价"),
    BadRow("30 February as text", {**CAVE, "测算日期": "2023-02-30"}, "测算日期"),
    BadRow("tomorrow in words", {**CAVE, "支付日期": "明天"}, "支付日期"),
    BadRow("zero-width space in 户号", {**CAVE, "户号": "0002\u200b"}, "户号", unplaced=True),
]


@pytest.mark.parametrize("bad", ROWS, ids=[b.name for b in ROWS])
def test_a_bad_row_leaves_its_household_out_and_the_good_one_whole(template, tmp_path, bad: BadRow) -> None:
    rows = example_rows("0001") + [{"户号": "0002", **bad.row}]
    survey = read_survey(fill(template, tmp_path / "survey.xlsx", rows))
    assert [(h.number, h.total) for h in survey.households] == ([] if bad.unplaced else [("0001", EXAMPLE_TOTAL)])
    assert survey.rejected == (("0001",) if bad.unplaced else ("0002",))
    bad_row = len(rows) + 1  # the heading is row 1
    assert (SURVEY_SHEET, bad_row, bad.column) in {(p.sheet, p.row, p.column) for p in survey.problems}, \
        [p.text() for p in survey.problems]


def hidden_sheet(path: Path) -> None:
    book = load_workbook(path)
    book[SURVEY_SHEET].sheet_state = "veryHidden"
    book.save(path)


def huge_dimension(path: Path) -> None:
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/sheet1"))
    text = parts[sheet].decode("utf-8")
    start = text.index("<dimension ref=\"")
    end = text.index("\"", start + len("<dimension ref=\""))
    parts[sheet] = (text[:start] + "<dimension ref=\"A1:AL1048576" + text[end:]).encode("utf-8")
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


BOOKS: list[tuple[str, Callable[[Path], None], str]] = [
    ("a JSON file named .xlsx", lambda p: p.write_text('{"items": []}', encoding="utf-8"), ""),
    ("an empty file", lambda p: p.write_bytes(b""), ""),
    ("a truncated workbook", lambda p: p.write_bytes(p.read_bytes()[:2000]), ""),
    ("a sheet declaring a million rows", huge_dimension, "1048576"),
]


@pytest.mark.parametrize("name, damage, says", BOOKS, ids=[b[0] for b in BOOKS])
def test_a_workbook_that_is_not_one_is_refused_before_any_row(template, tmp_path, name, damage, says) -> None:
    path = fill(template, tmp_path / "survey.xlsx", example_rows("0001"))
    damage(path)
    with pytest.raises(InputError) as refused:
        read_survey(path)
    assert says in refused.value.message and "Traceback" not in refused.value.message


def test_a_very_hidden_survey_sheet_is_reported_and_left_out_unless_accepted(template, tmp_path) -> None:
    path = fill(template, tmp_path / "survey.xlsx", example_rows("0001"))
    hidden_sheet(path)
    survey = read_survey(path)
    assert survey.households == () and survey.hidden and survey.hidden[0].sheet == SURVEY_SHEET
    assert [h.total for h in read_survey(path, include_hidden=True).households] == [Decimal(EXAMPLE_TOTAL)]
