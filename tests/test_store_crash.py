"""A writer killed in the middle of a transaction loses nothing it had committed, and leaves no half."""
from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from calculator.engine.compensation import compute
from calculator.store import SqliteStore, Status
from calculator.store.base import StoreError, StoreFailure

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "household.json"
COMMITTED = 5
LINE_TIMEOUT = 120  # seconds: a bound on waiting for the writer's next line, not a sleep

WRITER = """
import sys
from calculator.engine.case import case_from_json
from calculator.engine.compensation import compute
from calculator.store import SqliteStore

path, committed, example = sys.argv[1], int(sys.argv[2]), sys.argv[3]
store = SqliteStore(path, actor="writer")
project = store.create_project("堡子片区")
household = store.add_household(project.id, "0001")
result = compute(case_from_json(open(example, encoding="utf-8").read()))
for _ in range(committed):
    store.save_computed(household.id, result)
print("committed", flush=True)
sys.stdin.readline()  # wait for the test to note the WAL's size
with store.batch():  # a big import: far more than the page cache holds, so it spills into the WAL
    imported = store.add_household(project.id, "0002", "半途户")
    for _ in range(150):
        store.save_computed(household.id, result)
        store.save_computed(imported.id, result)
    print("started", flush=True)
    sys.stdin.readline()  # hold the transaction open until killed
"""


def _lines(stream, sink: queue.Queue) -> None:
    for line in stream:
        sink.put(line.strip())
    sink.put(None)


def _expect(lines: queue.Queue, marker: str, process: subprocess.Popen) -> None:
    try:
        line = lines.get(timeout=LINE_TIMEOUT)
    except queue.Empty:
        process.kill()
        pytest.fail(f"the writer printed nothing for {LINE_TIMEOUT}s while {marker!r} was awaited")
    if line != marker:
        process.kill()
        pytest.fail(f"expected {marker!r} from the writer, got {line!r}: {process.stderr.read()}")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_writer_loses_nothing_committed_and_leaves_no_half_save(tmp_path):
    path = tmp_path / "project.landcomp"
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(COMMITTED), str(EXAMPLE)], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        _expect(lines, "committed", process)
        wal = Path(f"{path}-wal")
        committed_wal = wal.stat().st_size
        process.stdin.write("go\n")
        process.stdin.flush()
        _expect(lines, "started", process)
        assert wal.stat().st_size > committed_wal  # the open transaction has really reached the disk
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=LINE_TIMEOUT) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdin.close()
        process.stderr.close()

    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    raw.close()
    with SqliteStore(path, actor="李明") as store:
        [project] = store.projects()
        household = store.find_household(project.id, "0001")
        assert [v.number for v in store.versions(household.id)] == list(range(1, COMMITTED + 1))
        assert all(v.result() is not None for v in store.versions(household.id))
        assert store.household(household.id).current_version_id == store.version(household.id, COMMITTED).id
        assert store.household(household.id).status is Status.COMPUTED
        assert store.find_household(project.id, "0002") is None
        assert store.ledger_count(project.id) == 1
        assert len(store.audit_log(household_id=household.id)) == 1 + COMMITTED
        store.save_computed(household.id, compute(store.version(household.id, 1).case()))  # still writable
        assert len(store.versions(household.id)) == COMMITTED + 1


@pytest.mark.parametrize("how", ["renamed", "deleted"])
def test_a_project_file_moved_away_while_open_takes_no_save_it_would_lose(tmp_path, how):
    """Renamed or deleted under the open app, the file took the next save into its journal (WAL) at the old name, which
    no project file opens again: 已保存 第2版, and p2.landcomp still held version 1 — or nothing at all, the session's
    earlier saves left in that journal too once the app closed. The save is refused and said; the moved file holds
    every save made before, and no journal is left at the old name."""
    path, moved = tmp_path / "p.landcomp", tmp_path / "p2.landcomp"
    result = compute(_example_case())
    store = SqliteStore(path, actor="经办人")
    household = store.add_household(store.create_project("堡子片区").id, "001")
    store.save_computed(household.id, result)
    if how == "renamed":
        path.rename(moved)
    else:
        path.unlink()
    with pytest.raises(StoreFailure) as refused:
        store.save_computed(household.id, result)
    assert "移动、改名、删除或替换" in refused.value.zh and "nothing was done or saved" in refused.value.en
    backup = tmp_path / "备份.landcomp"
    if how == "renamed":
        assert "此前保存的都已写入被移走的文件" in refused.value.zh
        with pytest.raises(StoreFailure, match="移动、改名、删除或替换"):   # a backup read the path: an empty file, 已备份
            store.backup(backup)
        assert not backup.exists()
    else:   # deleted: said so (not "in the moved file"), and the one copy left, this connection's, backed up
        assert "项目文件已被删除" in refused.value.zh and "台账 › 备份" in refused.value.zh
        store.backup(backup)
        with SqliteStore(backup) as rescued:
            assert [v.number for v in rescued.versions(household.id)] == [1]
        backup.unlink()
    store.close()
    assert sorted(f.name for f in tmp_path.iterdir()) == (["p2.landcomp"] if how == "renamed" else [])   # no empty
    # p.landcomp made by the backup's connection
    if how == "renamed":
        with SqliteStore(moved) as reopened:
            assert [v.number for v in reopened.versions(household.id)] == [1]


def _example_case():
    from calculator.engine.case import case_from_json
    return case_from_json(EXAMPLE.read_text(encoding="utf-8"))


def test_a_copy_put_in_the_files_place_keeps_what_another_window_saved_in_it(tmp_path):
    """Window A's file replaced by a copy (a new file at the path) that window B opened and saved twice in: A's refused
    save, or its closing, emptied the journal beside the path — B's — into A's old file, and B's two saves were lost."""
    path = tmp_path / "p.landcomp"
    result = compute(_example_case())
    a = SqliteStore(path, actor="甲")
    household = a.add_household(a.create_project("堡子片区").id, "001")
    a.save_computed(household.id, result)
    a.backup(tmp_path / "copy.landcomp")
    os.replace(tmp_path / "copy.landcomp", path)
    b = SqliteStore(path, actor="乙")
    b.save_computed(household.id, result)
    b.save_computed(household.id, result)
    with pytest.raises(StoreFailure, match="替换"):
        a.save_computed(household.id, result)
    a.close()
    assert [v.number for v in b.versions(household.id)] == [1, 2, 3]
    b.close()
    with SqliteStore(path) as again:
        assert [v.number for v in again.versions(household.id)] == [1, 2, 3]


def test_closing_a_moved_project_whose_disk_fails_still_closes_and_keeps_its_journal(tmp_path, monkeypatch):
    """The moved file's disk full or pulled out: closing raised 磁盘已满 and left the connection open (the app's quit
    and project switch do not expect it). It closes; the journal at the old name keeps the saves, whole."""
    path = tmp_path / "p.landcomp"
    store = SqliteStore(path, actor="甲")
    household = store.add_household(store.create_project("堡子片区").id, "001")
    store.save_computed(household.id, compute(_example_case()))
    path.rename(tmp_path / "moved.landcomp")

    def failing(*args):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(store, "_moved", failing)
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):   # closed
        store._conn.execute("SELECT 1")
    assert (tmp_path / "p.landcomp-wal").stat().st_size > 0


def test_a_moved_project_a_colleague_is_reading_keeps_its_journal_until_all_is_written(tmp_path):
    """A reader of the project (the 台账's background check, a colleague's batch) held the old file: the checkpoint into
    the moved file stopped part way, closing deleted the journal all the same, and the moved file was malformed —
    and the twice-a-second check waited 5 s a tick for the reader. Nothing is waited for; the journal stays, and is
    said to, until everything is written; then it goes."""
    path, moved = tmp_path / "p.landcomp", tmp_path / "moved.landcomp"
    store = SqliteStore(path, actor="甲")
    project = store.create_project("堡子片区")
    first = store.add_household(project.id, "001")
    reader = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM households").fetchone()   # a read held open
    second = store.add_household(project.id, "002")
    path.rename(moved)
    with pytest.raises(StoreFailure) as said:
        store.changed_elsewhere()
    assert "另一个程序正在读取该项目" in said.value.zh and "请勿删除该日志文件" in said.value.zh
    assert (tmp_path / "p.landcomp-wal").stat().st_size > 0
    reader.execute("COMMIT")
    reader.close()
    with pytest.raises(StoreFailure, match="此前保存的都已写入被移走的文件"):
        store.changed_elsewhere()
    store.close()
    assert sorted(f.name for f in tmp_path.iterdir()) == ["moved.landcomp"]
    with SqliteStore(moved) as again:
        assert [again.household(h.id).number for h in (first, second)] == ["001", "002"]


def test_closing_a_moved_project_while_it_is_read_elsewhere_leaves_its_journal(tmp_path):
    """Closed while a reader held the old file: the journal at the old name was deleted with part of the saves, and the
    moved file said "database disk image is malformed". It stays, and with it beside the file nothing is lost."""
    path, moved = tmp_path / "p.landcomp", tmp_path / "moved.landcomp"
    store = SqliteStore(path, actor="甲")
    project = store.create_project("堡子片区")
    store.add_household(project.id, "001")
    reader = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM households").fetchone()
    store.add_household(project.id, "002")
    path.rename(moved)
    store.close()
    reader.execute("COMMIT")
    reader.close()
    assert (tmp_path / "p.landcomp-wal").exists()
    for journal in ("-wal", "-shm"):   # put beside the moved file, as the message says to keep it
        (tmp_path / f"p.landcomp{journal}").rename(tmp_path / f"moved.landcomp{journal}")
    with SqliteStore(moved) as again:
        assert [row.number for row in again.ledger(project.id)] == ["001", "002"]


def test_a_deleted_projects_backup_is_not_written_where_it_was(tmp_path):
    """Backed up to its own name, now vacant, it was "备份不能覆盖项目文件本身" — nothing was there to overwrite; the
    journal left at that name would be read into the backup, so another name is asked for, and that one is written."""
    from calculator.app.ledger_actions import ProjectFile
    path = tmp_path / "p.landcomp"
    store = SqliteStore(path, actor="甲")
    opened = ProjectFile(store, store.create_project("堡子片区"), path)
    path.unlink()
    with pytest.raises(StoreError, match="不能写在项目文件原来的位置"):
        opened.backup(path)
    assert opened.backup(tmp_path / "救回.landcomp").is_file()
    store.close()
