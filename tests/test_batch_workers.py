"""Batch settlement sheets made by worker processes: the same files as this process makes, each taken in
order and moved into place whole; cancel stops the workers and leaves only the sheets taken; a sheet
that fails, or a worker that dies, costs no other household its sheet."""
from __future__ import annotations

import multiprocessing
import os

import pytest
from reportlab import rl_config

from calculator.app import batch
from calculator.app.batch import LEDGER_FILENAME, worker_count, write_sheets
from calculator.engine.compensation import compute
from calculator.core.files import PART_PREFIX
from households import HEADS, variant

HOUSEHOLDS = 12
PARENT = os.getpid()


@pytest.fixture
def project(store):
    """0001 … 0012, all computed; 0005 a draft."""
    project = store.create_project("堡子片区")
    for index in range(HOUSEHOLDS):
        household = store.add_household(project.id, f"{index + 1:04d}", HEADS[index % len(HEADS)])
        if index == 4:
            store.save_draft(household.id, variant(index))
        else:
            store.save_computed(household.id, compute(variant(index % 8)))
    return project


@pytest.fixture
def same_bytes(monkeypatch):
    """reportlab's invariant mode here and in the workers: no creation date or random id in a PDF."""
    monkeypatch.setenv("RL_invariant", "1")
    monkeypatch.setattr(rl_config, "invariant", 1)


def files(folder):
    return sorted(path.name for path in folder.iterdir())


def test_the_workers_write_byte_for_byte_the_sheets_this_process_writes(store, project, tmp_path, same_bytes):
    here, workers = tmp_path / "here", tmp_path / "workers"
    here.mkdir()
    workers.mkdir()
    serial = write_sheets(store, project.id, None, here, workers=1)
    pooled = write_sheets(store, project.id, None, workers, workers=2)
    assert [(o.number, o.path.name) for o in pooled.written] == [(o.number, o.path.name) for o in serial.written]
    assert [(o.number, o.reason) for o in pooled.skipped] == [(o.number, o.reason) for o in serial.skipped] == [
        ("0005", "草稿,尚未保存测算结果")]
    assert files(workers) == files(here) and len(files(here)) == HOUSEHOLDS - 1 + 1   # the sheets and 台账.xlsx
    for name in files(here):
        if name != LEDGER_FILENAME:
            assert (workers / name).read_bytes() == (here / name).read_bytes(), name
    assert multiprocessing.active_children() == []   # the workers have ended


def test_cancel_stops_the_workers_and_leaves_only_the_sheets_taken(store, project, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    summary = write_sheets(store, project.id, None, out, workers=2, progress=lambda done, total, label: done < 3)
    assert summary.cancelled and summary.remaining == HOUSEHOLDS - 3 and summary.ledger_path is None
    assert [o.number for o in summary.written] == ["0001", "0002", "0003"]
    # the sheets under way in the workers when 取消 came are not left behind, nor any temporary file
    assert files(out) == sorted(o.path.name for o in summary.written)
    assert multiprocessing.active_children() == []


def test_a_sheet_that_fails_in_a_worker_leaves_no_file_and_the_others_are_printed(store, project, tmp_path):
    case = variant(2)
    case.items[0]["note"] = "已核😀"   # a character no font of the sheets draws, stored before input refused it
    store.save_computed(store.find_household(project.id, "0003").id, compute(case))
    out = tmp_path / "out"
    out.mkdir()
    summary = write_sheets(store, project.id, None, out, workers=2)
    skipped = {o.number: o.reason for o in summary.skipped}
    assert set(skipped) == {"0003", "0005"} and "U+1F600" in skipped["0003"]
    assert len(summary.written) == HOUSEHOLDS - 2
    assert files(out) == sorted([o.path.name for o in summary.written] + [LEDGER_FILENAME])
    assert not [name for name in os.listdir(out) if name.startswith(PART_PREFIX)]


def dying_render(job):
    """In a worker, the process dies (killed, out of memory); here, the real work."""
    if os.getpid() != PARENT:
        os._exit(1)
    return REAL_RENDER(job)


REAL_RENDER = batch._render


def test_workers_that_die_cost_no_household_its_sheet(store, project, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "_render", dying_render)
    out = tmp_path / "out"
    out.mkdir()
    summary = write_sheets(store, project.id, None, out, workers=2)
    assert [o.number for o in summary.skipped] == ["0005"] and len(summary.written) == HOUSEHOLDS - 1
    assert files(out) == sorted([o.path.name for o in summary.written] + [LEDGER_FILENAME])


def test_a_batch_gets_workers_only_when_it_is_large_enough_to_repay_them(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert [worker_count(None, sheets) for sheets in (1, 15, 16, 40, 200)] == [1, 1, 1, 2, 4]
    assert worker_count(2, 1) == 1 and worker_count(3, 200) == 3


class _LateWorkers(batch.Executor):
    """Workers that finish only when the batch is left (as a process pool's do once the taker is interrupted)."""

    def __init__(self):
        self.pending = []

    def submit(self, fn, /, *args, **kwargs):
        future = batch.Future()
        self.pending.append((future, fn, args))
        return future

    def shutdown(self, wait=True, *, cancel_futures=False):
        for future, fn, args in self.pending:   # each sheet under way is written to its end, then the pool stops
            future.set_result(fn(*args))


def test_a_batch_interrupted_while_a_worker_writes_leaves_no_temporary_file(store, project, tmp_path, monkeypatch):
    """SIGTERM (or Ctrl+C) while waiting for a worker: the taker removed the household's temporary file, the worker
    then wrote it, and nothing removed it — a .landcomp-….part left in 5 runs of 8, and the next batch into that
    folder refused."""
    rows = [row for row in store.ledger(project.id) if row.number != "0005"][:3]

    def interrupted(printer, started, job):
        raise KeyboardInterrupt   # as the SIGTERM handler raises it while the taker waits for a worker

    monkeypatch.setattr(batch._Printer, "_reason", interrupted)
    folder = tmp_path / "sheets"
    folder.mkdir()
    with pytest.raises(KeyboardInterrupt):
        with batch._Printer(store, rows, folder, 1) as printer:
            printer.executor, printer.ahead = _LateWorkers(), 2
            printer.outcome(0, set())
    assert files(folder) == []
