"""A project file written at schema 1 opens in today's program, migrated, with its data intact."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from calculator.engine.case import case_from_json, case_to_json, fingerprint
from calculator.engine.compensation import compute
from calculator.engine.results import compensation_json
from calculator.store import SCHEMA_VERSION, SqliteStore, Status, init_db
from calculator.store import schema

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "household.json"


def write_version_1_file(path: Path) -> dict:
    """A file at schema 1 (only the first migration applied) holding one computed household."""
    case = case_from_json(EXAMPLE.read_text(encoding="utf-8"))
    result = compute(case)
    fp = fingerprint(case, result.schedule.version)
    conn = sqlite3.connect(path, isolation_level=None)
    assert init_db(conn, upto=1) == 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO projects (id, name, created_at) VALUES (1, '堡子片区', '2023-06-01T09:00:00+08:00')")
    conn.execute("""INSERT INTO households (id, project_id, number, head, address, status, updated_at)
                    VALUES (1, 1, '0001', '王建国', '东街17号', 'computed', '2023-06-12T10:00:00+08:00')""")
    conn.execute("""INSERT INTO case_versions (id, household_id, number, case_json, result_json, schedule_version,
                    total, incentive, replacement_m2, building_area_m2, fingerprint, assessor, created_at)
                    VALUES (1, 1, 1, ?, ?, ?, '546616.30', '30000.00', '184.00', '153.00', ?, '李明', ?)""",
                 (case_to_json(case), json.dumps(compensation_json(result), ensure_ascii=False),
                  result.schedule.version, fp, "2023-06-12T10:00:00+08:00"))
    conn.execute("UPDATE households SET current_version_id = 1 WHERE id = 1")
    for action, version in (("add_household", None), ("save_computed", 1)):
        conn.execute("INSERT INTO audit (at, actor, action, project_id, household_id, version_id) VALUES (?,?,?,?,?,?)",
                     ("2023-06-12T10:00:00+08:00", "张三", action, 1, 1, version))
    conn.execute("COMMIT")
    conn.close()
    return {"fingerprint": fp, "result": compensation_json(result), "case_json": case_to_json(case)}


def test_a_schema_1_file_is_migrated_with_its_data_intact(tmp_path):
    path = tmp_path / "old.landcomp"
    old = write_version_1_file(path)
    with SqliteStore(path, actor="李明") as store:
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        household = store.household(1)
        assert (household.number, household.head, household.status) == ("0001", "王建国", Status.COMPUTED)
        assert household.updated_by == "张三"  # filled from the audit log by migration 2
        version = store.version(1, 1)
        assert version.actor == "张三"
        assert version.case_json == old["case_json"] and version.result() == old["result"]
        [match] = store.find_by_fingerprint(old["fingerprint"])
        assert match.is_current
        [row] = store.ledger(1)
        assert str(row.total) == "546616.30"
        keys = store._conn.execute("SELECT building_area_key, total_key, incentive_key, replacement_key "
                                   "FROM households WHERE id = 1").fetchone()
        assert keys == (153.0, 546616.3, 30000.0, 184.0)  # migration 4: the ledger's sort keys, filled
        store.sign(1, fingerprint=old["fingerprint"])
        assert [e.action for e in store.audit_log(household_id=1)] == ["add_household", "save_computed", "sign"]
    indexes = {row[0] for row in sqlite3.connect(path).execute("SELECT name FROM sqlite_schema WHERE type = 'index'")}
    assert {"case_versions_fingerprint", "audit_household", "households_status", "households_by_total_key",
            "case_versions_figures"} <= indexes


def test_opening_a_current_file_runs_no_migration(tmp_path):
    path = tmp_path / "p.landcomp"
    SqliteStore(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    assert init_db(conn) == SCHEMA_VERSION
    conn.close()


def test_a_failing_migration_leaves_the_file_at_its_old_version(tmp_path, monkeypatch):
    path = tmp_path / "p.landcomp"
    conn = sqlite3.connect(path, isolation_level=None)
    init_db(conn, upto=1)

    def broken(connection):
        connection.execute("ALTER TABLE case_versions ADD COLUMN half_done TEXT")
        raise RuntimeError("migration bug")

    monkeypatch.setattr(schema, "MIGRATIONS", (schema.first_schema, broken))
    with pytest.raises(RuntimeError):
        init_db(conn, upto=2)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [row[1] for row in conn.execute("PRAGMA table_info(case_versions)")]
    assert "half_done" not in columns
    conn.close()
