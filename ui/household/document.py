"""The open case as plain Python: the raw case (the single source of truth), its file and result."""
from __future__ import annotations

from pathlib import Path

from calculator.engine.case import Case, case_from_file, case_to_json
from calculator.engine.compensation import CompensationResult, KeptLines, evaluate
from calculator.core.errors import InputError
from calculator.core.files import atomic_write_text
from calculator.core.jsonfile import read_json
from calculator.core.limits import CASE_FILE_MAX_BYTES
from tables.schedule import Schedule


class HouseholdDocument:
    """A case being edited, the file it came from, and the engine's latest result for it."""

    def __init__(self, schedule: Schedule, case: Case | None = None, path: Path | None = None):
        self.schedule = schedule
        self.case = case or Case(schedule=schedule.id)
        self.path = path
        self._kept = KeptLines()  # the case is priced again after every keystroke
        self.result: CompensationResult = evaluate(self.case, schedule, self._kept)

    def recompute(self) -> CompensationResult:
        """Price the case again (lenient: bad lines are left out and listed)."""
        self.result = evaluate(self.case, self.schedule, self._kept)
        return self.result

    @property
    def name(self) -> str:
        return self.path.name if self.path else "未命名"

    def to_json(self) -> str:
        return case_to_json(self.case)

    def save(self, path: Path) -> None:
        """Write the case file whole or not at all."""
        atomic_write_text(path, self.to_json())
        self.path = path


def read_case(path: Path) -> Case:
    """A case from a file; an unreadable file is an InputError naming it."""
    try:
        return case_from_file(read_json(Path(path), CASE_FILE_MAX_BYTES, "案例文件"))
    except InputError as error:
        raise error.in_file(path) from None
