"""A project open in this process is opened by nothing but SQLite.

SQLite's locks are POSIX record locks: closing any descriptor of the file in the process drops them all, and
another landcomp, thinking itself the last user, then deletes the journal this one still writes to. So the open
project, picked by mistake as a case, a parcel or a survey, is refused without being read, and opening it again
reads no header."""
from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from calculator.app import ledger_actions
from calculator.core.errors import InputError
from calculator.core.jsonfile import read_json


@pytest.fixture
def open_project(tmp_path, monkeypatch):
    """A project open here, and the list of every path `open()` is then called with."""
    project = ledger_actions.create_project(tmp_path / "堡子片区.landcomp", "堡子片区", "李明")
    opened, real_open = [], builtins.open

    def watched(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)
    monkeypatch.setattr(builtins, "open", watched)
    monkeypatch.setattr(Path, "open", lambda self, *args, **kwargs: watched(self, *args, **kwargs))
    yield project, opened
    monkeypatch.undo()
    project.close()


def test_the_open_project_picked_as_a_case_file_is_refused_unread(open_project):
    project, opened = open_project
    with pytest.raises(InputError, match="正在使用的数据库文件") as refused:
        read_json(project.path, 1_000_000, "案例文件")
    assert "database file in use" in refused.value.en
    assert str(project.path) not in opened


@pytest.mark.parametrize("name", ["堡子片区.landcomp", "堡子片区.landcomp-wal", "堡子片区.landcomp-shm"])
def test_the_open_project_or_its_journal_picked_as_a_survey_is_refused_unread(open_project, name):
    project, opened = open_project
    with pytest.raises(InputError, match="不是调查表文件"):
        project.read_survey(project.path.with_name(name), schedule=None)
    assert not [path for path in opened if Path(path).name.startswith("堡子片区")]


def test_opening_the_open_project_again_reads_no_header_and_both_still_work(open_project):
    project, opened = open_project
    again = ledger_actions.open_project(project.path, "王芳")
    try:
        assert str(project.path) not in opened
        again.store.add_household(again.project.id, "0001")
        assert [row.number for row in project.store.ledger(project.project.id)] == ["0001"]
    finally:
        again.close()
