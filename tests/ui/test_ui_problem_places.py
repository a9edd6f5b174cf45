"""Where the item table marks a problem comes from the error's place, never from its wording: the cell of
the faulty field, for every fault, as written and reworded (tests/problem_places.py; the engine's places and
the survey's columns: tests/test_problem_places.py).
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from calculator.engine.case import Case
from calculator.engine.compensation import evaluate
from problem_places import FILE_FAULTS, LINE_FAULTS, REWORDED, SCHEDULE, wording  # noqa: F401 - a fixture
from ui.household.items_model import ERROR_BG, HEADERS, ItemTableModel
from ui.household.session import HouseholdSession


def marked_cells(lines: list[dict]) -> dict[int, list[int]]:
    """The item table's cells marked as the problem, by line."""
    session = HouseholdSession(SCHEDULE)
    session.load(Case(items=[dict(line) for line in lines]), None)
    model = ItemTableModel(session)
    return {row: [column for column in range(model.columnCount())
                  if model.index(row, column).data(Qt.ItemDataRole.BackgroundRole) == ERROR_BG]
            for row in range(model.rowCount())}


@pytest.mark.parametrize("what, lines, faults", LINE_FAULTS + FILE_FAULTS, ids=[f[0] for f in LINE_FAULTS + FILE_FAULTS])
def test_the_item_table_marks_the_faulty_field_however_the_message_reads(qtbot, wording, what, lines, faults):
    problems = evaluate(Case(items=[dict(line) for line in lines]), SCHEDULE).problems
    assert {p.line: p.field for p in problems} == {line: fault[0] for line, fault in faults.items()}
    assert {p.block for p in problems} == {"items"}
    if wording == "reworded":
        assert {(p.zh, p.en) for p in problems} == {REWORDED}
    assert marked_cells(lines) == {row: [HEADERS.index(faults[row][1])] if row in faults else []
                                   for row in range(len(lines))}
