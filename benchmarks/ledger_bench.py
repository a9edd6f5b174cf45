"""Time the 台账 workspace on a survey-sized project (not a test).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/ledger_bench.py [--households N] [--keep PATH] [--runs R]

Builds a project of N households × 40 lines (default 5,000; the generator of store_bench.py),
or reuses the file at --keep when it already holds N households, then measures, after a warm-up
round and in R interleaved rounds, what the 台账 runs while a user waits: opening the workspace
until the table's first paint (first page and count, rows marked 正在核验), until the background
check of every household is in (totals and 数据异常 shown), then scrolling to the end in 户号
order until nothing is left to fetch, a text and a status filter change, and sorting by 补偿金额
and scrolling to the end. Each goal is set against its floor in the same round: one plain SELECT
of the same rows, and the same SELECT sorted. Medians are reported; MISSED marks a goal missed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from store_bench import household_case  # noqa: E402

from calculator.engine.case import parse_json  # noqa: E402
from calculator.engine.compensation import compute  # noqa: E402
from calculator.store import SqliteStore, Status  # noqa: E402


def build(path: Path, n: int) -> None:
    """N computed households (every 4th signed, every 20th paid, every 50th a bare draft) in one transaction."""
    from calculator.app.ledger_actions import create_project
    template = parse_json((ROOT / "examples" / "household.json").read_text(encoding="utf-8"))
    opened = create_project(path, "堡子片区(台账基准测试)", "bench")
    store, project = opened.store, opened.project
    start = time.perf_counter()
    with store.batch():
        for index in range(n):
            case = household_case(template, index)
            household = store.add_household(project.id, f"{index + 1:05d}", case.household["head"],
                                            case.household["address"])
            if index % 50 == 49:
                continue
            store.save_computed(household.id, compute(case))
            if index % 4 == 0:
                store.sign(household.id)
                if index % 20 == 0:
                    store.pay([household.id], batch="第1批")
    opened.close()
    print(f"built {n} households in {time.perf_counter() - start:.1f} s → {path} "
          f"({os.path.getsize(path) / 1e6:.1f} MB)")


def holds(path: Path, n: int) -> bool:
    if not path.is_file():
        return False
    try:
        with SqliteStore(path) as store:
            projects = store.projects()
            return len(projects) == 1 and store.ledger_count(projects[0].id, check_first=False) == n
    except Exception:
        return False


def prepared(path: Path, n: int) -> bool:
    """The project at `path` reused when it holds N households, else built there; False (and nothing touched)
    when a file there is something else."""
    if holds(path, n):
        print(f"reusing {path} ({n} households)")
        return True
    if path.exists():
        print(f"{path} exists but does not hold {n} households; give another --keep", file=sys.stderr)
        return False
    build(path, n)
    return True


class Painted:
    """Counts paint events of one widget (the table's viewport)."""

    def __init__(self, widget):
        from PySide6.QtCore import QEvent, QObject

        outer = self

        class Filter(QObject):
            def eventFilter(self, watched, event) -> bool:
                if event.type() == QEvent.Type.Paint:
                    outer.count += 1
                return False

        self.count, self.filter = 0, Filter()
        widget.installEventFilter(self.filter)

    def wait(self, app, after: int, timeout: float = 30.0) -> None:
        deadline = time.perf_counter() + timeout
        while self.count <= after:
            app.processEvents()
            if time.perf_counter() > deadline:
                raise RuntimeError("the table did not paint")


# The floor each goal is measured against, on a connection of its own: one plain SELECT of the rows
# the 台账 shows (the household and its current version's figures), and the same sorted as the
# 台账's 补偿金额 column. Written as anyone would, without this program's indexes or hints.
FLOOR_SELECT = """SELECT h.id, h.number, h.head, h.address, v.building_area_m2, v.total, v.incentive,
    v.replacement_m2, h.status, v.assessor, h.updated_at, h.updated_by, v.number
    FROM households h LEFT JOIN case_versions v ON v.id = h.current_version_id WHERE h.project_id = ?"""
GOALS = {  # what is measured: (its floor, how many times the floor it may take)
    "open": ("plain", 2.0), "scroll": ("plain", 3.0), "sort_scroll": ("sorted", 3.0)}


def floors(path: Path) -> dict[str, float]:
    """One plain SELECT of every row, and one sorted by 补偿金额 descending (as the 台账 orders it)."""
    import sqlite3
    times = {}
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for key, sql in (("plain", FLOOR_SELECT + " ORDER BY h.number"),
                         ("sorted", FLOOR_SELECT + " ORDER BY CAST(v.total AS REAL) DESC, h.number DESC")):
            start = time.perf_counter()
            rows = connection.execute(sql, (1,)).fetchall()
            times[key] = time.perf_counter() - start
            assert rows
    finally:
        connection.close()
    return times


def scroll_to_end(app, model, bar) -> None:
    while model.canFetchMore():
        bar.setValue(bar.maximum())
        app.processEvents()


def measure(app, path: Path) -> dict[str, float]:
    """One round of what the 台账 runs, each until the user sees it; returns seconds by key."""
    from PySide6.QtCore import Qt

    from ui.ledger.model import COL_TOTAL
    from ui.ledger.workspace import LedgerWorkspace
    from ui.settings import ASSESSOR_NAME, LAST_PROJECT, Settings
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(str(Path(scratch) / "s.ini"), scratch)
        settings.set(LAST_PROJECT, str(path))
        settings.set(ASSESSOR_NAME, "bench")
        start = time.perf_counter()
        workspace = LedgerWorkspace(settings)  # opens the file: first page and count
        workspace.resize(1600, 1000)
        painted = Painted(workspace.table.viewport())
        workspace.show()
        painted.wait(app, 0)
        times["open"] = time.perf_counter() - start

        def settle() -> None:
            for _ in range(3):  # let every repaint still queued from the last step happen first
                app.processEvents()

        deadline = start + 60
        while workspace.totals_model.totals is None:  # the background check, then the totals
            app.processEvents()
            time.sleep(0.002)  # idle, as the event loop is: the check's process gets the machine
            if time.perf_counter() > deadline:
                raise RuntimeError("the check did not finish")
        settle()  # the table repainted with the verdicts
        times["checked"] = time.perf_counter() - start

        model, bar = workspace.model, workspace.table.verticalScrollBar()
        start = time.perf_counter()
        scroll_to_end(app, model, bar)
        times["scroll"] = time.perf_counter() - start
        times["rows"] = model.rowCount()

        # Each change from the whole ledger: the previous one is undone first (not timed).
        for key, undo, change in (
                ("filter", lambda: None, lambda: workspace.set_text_filter("巷1号")),
                ("status", lambda: workspace.set_text_filter(""), lambda: workspace.set_status_filter(Status.SIGNED))):
            undo()
            settle()
            before = painted.count
            start = time.perf_counter()
            change()
            painted.wait(app, before)
            times[key] = time.perf_counter() - start
        workspace.set_status_filter(None)
        settle()
        before = painted.count
        start = time.perf_counter()
        workspace.table.sortByColumn(COL_TOTAL, Qt.SortOrder.DescendingOrder)
        painted.wait(app, before)
        times["sort"] = time.perf_counter() - start
        scroll_to_end(app, model, bar)
        times["sort_scroll"] = time.perf_counter() - start
        assert model.rowCount() == times["rows"]
        workspace.shutdown()
        workspace.deleteLater()
        app.processEvents()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--keep", help="build (or reuse) the project file here instead of a temporary folder")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = tempfile.TemporaryDirectory()
    path = Path(args.keep) if args.keep else Path(folder.name) / "ledger-bench.landcomp"
    if not prepared(path, args.households):
        return 2

    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication(sys.argv[:1])
    measure(app, path)  # warm-up: imports, fonts, the file cache, a migration
    floors(path)
    times: dict[str, list[float]] = {}
    for _ in range(args.runs):  # interleaved: the floors and the 台账 meet the same machine state
        for key, value in (*floors(path).items(), *measure(app, path).items()):
            times.setdefault(key, []).append(value)
    rows = int(statistics.median(times.pop("rows")))
    labels = {
        "plain": f"floor: one plain SELECT of the {rows} rows",
        "sorted": "floor: the same SELECT sorted by 补偿金额",
        "open": "open the 台账 → first paint (first page, count)",
        "checked": "open → every household checked (totals, 数据异常)",
        "scroll": f"scroll to the end in 户号 order ({rows} rows)",
        "sort_scroll": "sort by 补偿金额 descending, scroll to the end",
        "filter": "text filter '巷1号' → repainted (with totals)",
        "status": "status filter 已签字 → repainted (with totals)",
        "sort": "sort by 补偿金额 descending → first repaint",
    }
    median = {key: statistics.median(values) * 1000 for key, values in times.items()}
    print(f"{args.households} households, {args.runs} interleaved runs each (median / min / max, ms)")
    for key, label in labels.items():
        values = [t * 1000 for t in times[key]]
        line = f"  {label:<58} {median[key]:8.1f} {min(values):8.1f} {max(values):8.1f}"
        if key in GOALS:
            floor, bound = GOALS[key]
            ratio = median[key] / median[floor]
            line += f"   {ratio:5.1f}× the {floor} floor (goal ≤ {bound:g}×){'' if ratio <= bound else '  MISSED'}"
        print(line)
    folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
