"""Where a problem is shown comes from the error's place (block, line, field), never from its wording: the
engine's places of every fault of a case's blocks and of its warnings, and the survey's problem column
for every fault, as written and reworded (tests/problem_places.py; the item table's cells:
tests/ui/test_ui_problem_places.py).
"""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from calculator.engine.case import Case
from calculator.engine.compensation import evaluate
from calculator.app.survey import SURVEY_SHEET, read_survey, survey_columns
from problem_places import BLOCK_FAULTS, CELLAR, HOUSE, LINE_FAULTS, SCHEDULE, wording  # noqa: F401 - a fixture

HEADINGS = {(column.block, column.field): column.heading for column in survey_columns(SCHEDULE)}


def survey_rows(lines: list[dict], blocks: dict, number: str) -> list[dict[str, object]]:
    """A household as an assessor types it into 调查表: one row per line, the blocks' values on the first."""
    rows = [{"户号": number, **{HEADINGS[("items", key)]: value for key, value in line.items()}} for line in lines]
    rows = rows or [{"户号": number, "户主": "王"}]
    for block, values in blocks.items():
        for key, value in values.items():
            rows[0][HEADINGS[(block, key)]] = dt.date.fromisoformat(value) if key.endswith("_on") else float(value)
    return rows


def test_the_survey_names_the_faulty_column_however_the_message_reads(template, tmp_path, wording):
    book = load_workbook(template)
    sheet = book[SURVEY_SHEET]
    where = {cell.value: cell.column for cell in sheet[1]}
    expected, row = [], 2
    households = [(lines, {}, {line: heading for line, (_field, _column, heading) in faults.items()})
                  for _what, lines, faults in LINE_FAULTS]
    households += [([], blocks, {0: heading}) for _what, blocks, (_block, _field, heading) in BLOCK_FAULTS]
    for number, (lines, blocks, headings) in enumerate(households, start=1):
        expected += [(row + offset, heading) for offset, heading in headings.items()]
        for values in survey_rows(lines, blocks, f"H{number:02d}"):
            for heading, value in values.items():
                sheet.cell(row, where[heading], value)
            row += 1
    book.save(tmp_path / "survey.xlsx")
    survey = read_survey(tmp_path / "survey.xlsx", SCHEDULE)
    assert [(p.row, p.column) for p in survey.problems] == sorted(expected)
    assert len(survey.rejected) == len(households) and not survey.households


@pytest.mark.parametrize("what, blocks, fault", BLOCK_FAULTS, ids=[f[0] for f in BLOCK_FAULTS])
def test_a_block_problem_names_its_block_and_field_however_the_message_reads(wording, what, blocks, fault):
    problems = evaluate(Case(**blocks), SCHEDULE).problems
    assert [(p.block, p.line, p.field) for p in problems] == [(fault[0], None, fault[1])]


def test_warnings_keep_their_line_and_field_however_they_read(wording):
    result = evaluate(Case(items=[{"item": HOUSE, "quantity": "12000"}, {"item": CELLAR, "quantity": "2", "depth_m": "1",
                                                                          "disputed": True}]), SCHEDULE)
    assert [(w.block, w.line, w.field) for w in result.warnings] == [
        ("items", 0, "quantity"), ("items", 0, "rate"), ("items", 1, "disputed")]   # past 10,000 m², no rate given
