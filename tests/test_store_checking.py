"""A large project's 台账 is read before its check has run; nothing unchecked is summed or vouched for meanwhile."""
from __future__ import annotations

import threading

import pytest

from calculator.store import AbnormalData, SqliteStore, Status, StoreError, open_store
from calculator.store import verify
from households import break_a_page_link, fill_project
from test_store_integrity import sql

pytestmark = pytest.mark.backends("sqlite", "postgres")


@pytest.fixture
def filled(store, monkeypatch):
    """0001–0005 computed (0002 signed, 0003 paid), 0099 without a case, in a project counted as large
    (its check runs in the background when the 台账 does not wait); the stored total of 0001 changed
    behind the program's back, one digit. Returns (project, the engine's results)."""
    monkeypatch.setattr(verify, "CHECKED_AT_ONCE", 0)
    project = store.create_project("堡子片区")
    results = fill_project(store, project.id)
    version = store.household(store.find_household(project.id, "0001").id).current_version_id
    sql(store, "UPDATE case_versions SET total = ? WHERE id = ?", "646616.30", version)  # 5 → 6
    return project, results


class Started:
    """A background check of `store`, with an event set when it has ended."""

    def __init__(self, store):
        self.ended = threading.Event()
        self.check = store.check_in_background(self.ended.set)


def run(started: Started) -> bool:
    """Wait for a background check to end; whether its verdicts were taken."""
    assert started.check is not None and started.ended.wait(60)
    return started.check.adopt()


def test_rows_read_before_the_check_are_unchecked_and_unsummed_until_its_verdicts_are_taken(store, filled):
    project, results = filled
    one = store.find_household(project.id, "0001").id
    rows = store.ledger(project.id, check_first=False)
    assert [row.number for row in rows] == ["0001", "0002", "0003", "0004", "0005", "0099"]
    assert not any(row.checked for row in rows)
    assert store.ledger_summary(project.id, check_first=False) is None     # nothing is summed unchecked
    assert store.ledger_count(project.id, check_first=False) == 6
    with pytest.raises(AbnormalData, match="0001"):                         # an action checks its household
        store.sign(one)
    assert run(Started(store))
    rows = {row.number: row for row in store.ledger(project.id, check_first=False)}
    assert all(row.checked for row in rows.values())
    assert rows["0001"].status is Status.ABNORMAL and rows["0001"].total is None
    summary = store.ledger_summary(project.id, check_first=False)
    assert (summary.households, summary.abnormal) == (6, 1)
    assert summary.total == sum(result.total for result in results[1:])
    assert Started(store).check is None                                      # nothing left to check


def test_a_large_project_read_as_the_workbook_reads_it_is_checked_first(store, filled):
    project, results = filled
    rows = {row.number: row for row in store.ledger(project.id)}  # as the workbook and the sheets read it
    assert all(row.checked for row in rows.values()) and rows["0001"].status is Status.ABNORMAL
    assert store.ledger_summary(project.id).total == sum(result.total for result in results[1:])


def test_a_check_overtaken_by_another_connections_change_is_not_taken(store, filled):
    project, _ = filled
    started = Started(store)
    with open_store(store.path, actor="王芳") as other:  # another office saves meanwhile
        other.add_household(project.id, "0100", "新户")
    assert not run(started)
    rows = store.ledger(project.id, check_first=False)
    assert "0100" in [row.number for row in rows] and not any(row.checked for row in rows)
    assert run(Started(store))
    rows = {row.number: row for row in store.ledger(project.id, check_first=False)}
    assert all(row.checked for row in rows.values()) and rows["0001"].status is Status.ABNORMAL


def test_a_check_of_the_contents_a_restore_replaced_is_not_taken(store, filled, tmp_path):
    project, _ = filled
    store.backup(tmp_path / "backup.landcomp")
    started = Started(store)
    store.restore_from(tmp_path / "backup.landcomp")
    assert not run(started)
    assert not any(row.checked for row in store.ledger(project.id, check_first=False))


def test_a_large_files_damaged_page_is_found_by_its_check_before_anything_is_vouched_for(tmp_path, monkeypatch):
    path = tmp_path / "p.landcomp"
    with SqliteStore(path, actor="李明") as fresh:
        project = fresh.create_project("堡子片区")
        fill_project(fresh, project.id)
    break_a_page_link(path)
    with pytest.raises(StoreError, match="damaged"):                       # a small project: refused at open
        SqliteStore(path, actor="李明")
    monkeypatch.setattr(verify, "CHECKED_AT_ONCE", 0)
    with SqliteStore(path, actor="李明") as store:                         # a large one is painted first
        rows = store.ledger(project.id, check_first=False, workbook=False)  # as the 台账 pages it
        assert len(rows) == 6 and not any(row.checked for row in rows)
        started = Started(store)
        assert started.ended.wait(60)
        with pytest.raises(StoreError, match="damaged"):
            started.check.adopt()
        assert store.ledger_summary(project.id, check_first=False) is None
        one = store.find_household(project.id, "0001").id
        with pytest.raises(StoreError, match="damaged"):                   # nor is anything vouched for
            store.sign(one)
        with pytest.raises(StoreError, match="damaged"):
            store.ledger(project.id)
