"""Shared test set-up, kept minimal: Qt tests run headless unless the caller chose a platform."""
import os

import pytest

# scripts/dev.sh exports this too; a bare `pytest` run on a machine without a display would
# otherwise abort in the first Qt test.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def store(tmp_path):
    """A fresh project file in the test's own folder; changes are recorded as made by 李明."""
    from calculator.store import SqliteStore
    with SqliteStore(tmp_path / "project.landcomp", actor="李明") as opened:
        yield opened
