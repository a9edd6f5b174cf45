"""Shared test set-up, kept minimal: Qt tests run headless unless the caller chose a platform."""
import os
from pathlib import Path

import pytest

# scripts/dev.sh exports this too; a bare `pytest` run on a machine without a display would
# otherwise abort in the first Qt test. Headless, the screen is the most common office laptop's
# (1366×768) rather than the offscreen plugin's 800×800, so window placement is tested as offices see it.
OFFICE_SCREEN = Path(__file__).parent / "ui" / "screens" / "office-1366x768.json"
if os.environ.setdefault("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={OFFICE_SCREEN}"


@pytest.fixture
def store(tmp_path):
    """A fresh project file in the test's own folder; changes are recorded as made by 李明."""
    from calculator.store import SqliteStore
    with SqliteStore(tmp_path / "project.landcomp", actor="李明") as opened:
        yield opened
