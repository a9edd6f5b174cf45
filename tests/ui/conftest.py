"""Qt fixtures for the desktop app's tests: a main window with its own settings, data and dialogs.

Every question the app could ask (ui.dialogs) is answered by the test instead of a modal box,
so a forgotten prompt fails the test rather than hanging it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True, scope="session")
def _qt_test_paths():
    """QStandardPaths (the schedule cache) points into Qt's test folders, not the user's."""
    from PySide6.QtCore import QStandardPaths
    QStandardPaths.setTestModeEnabled(True)
    yield


class Answers:
    """What the fake dialogs say, and what they were asked."""

    def __init__(self):
        self.save_changes = "discard"
        self.drop_untaken = False   # a document showing input it cannot take: back to mend it
        self.fill_household = "open"   # a case file opened over a household of the 台账: opened on its own
        self.recover = False
        self.open_path: str | None = None
        self.save_path: str | None = None
        self.errors: list[tuple[str, str]] = []
        self.notices: list[tuple[str, str]] = []
        self.asked: list[str] = []
        self.save_tabs: list[str] = []  # the tab each save question named
        self.folders: list[str] = []     # where each file dialog opened


@pytest.fixture
def answers(monkeypatch) -> Answers:
    from ui import dialogs
    given = Answers()

    def ask_save_changes(parent, name, tab=""):
        given.asked.append(f"save_changes:{name}")
        given.save_tabs.append(tab)
        return given.save_changes

    def ask_recover(parent, kind, head, saved_at, original):
        given.asked.append(f"recover:{kind}:{head}")
        return given.recover

    def ask_drop_untaken(parent, name, tab, untaken):
        given.asked.append(f"drop_untaken:{name}:{untaken}")
        return given.drop_untaken

    def ask_fill_household(parent, file_name, household, differs=""):
        given.asked.append(f"fill_household:{file_name}:{household}" + (f":{differs}" if differs else ""))
        return given.fill_household

    def open_path(parent, directory, title="", file_filter=""):
        given.asked.append("open_path")
        given.folders.append(directory)
        return given.open_path

    def save_path(parent, suggested, title="", file_filter=""):
        given.asked.append(f"save_path:{title}")
        given.folders.append(str(Path(suggested).parent))
        return given.save_path

    monkeypatch.setattr(dialogs, "ask_save_changes", ask_save_changes)
    monkeypatch.setattr(dialogs, "ask_recover", ask_recover)
    monkeypatch.setattr(dialogs, "ask_drop_untaken", ask_drop_untaken)
    monkeypatch.setattr(dialogs, "ask_fill_household", ask_fill_household)
    monkeypatch.setattr(dialogs, "open_path", open_path)
    monkeypatch.setattr(dialogs, "save_path", save_path)
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, message: given.errors.append((title, message)))
    monkeypatch.setattr(dialogs, "show_notice", lambda parent, title, message: given.notices.append((title, message)))
    return given


@pytest.fixture
def settings(tmp_path):
    from ui.settings import Settings
    return Settings(str(tmp_path / "settings.ini"), str(tmp_path / "data"))


@pytest.fixture
def window(qtbot, settings, answers):
    """The main window, shown and active, with autosave off (tests call autosave() themselves)."""
    from ui.main_window import MainWindow
    win = MainWindow(settings, autosave=False)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    yield win
    win.household.session.stack.setClean()  # closing must not ask


@pytest.fixture
def ws(window):
    """The 补偿测算 workspace of the window."""
    return window.household
