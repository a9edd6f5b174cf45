"""Time the 台账 workspace on a survey-sized project (not a test).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/ledger_bench.py [--households N] [--keep PATH] [--runs R]

Builds a project of N households × 40 lines (default 5,000; the generator of store_bench.py),
or reuses the file at --keep when it already holds N households, then measures, R times each:
opening the workspace on it until the table's first paint, loading every row by scrolling to
the bottom until nothing is left to fetch, a text filter change, a status filter change and a
sort change (each until the table has repainted). Medians are reported.
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

from calculator.case import parse_json  # noqa: E402
from calculator.compensation import compute  # noqa: E402
from calculator.store import SqliteStore, Status  # noqa: E402


def build(path: Path, n: int) -> None:
    """N computed households (every 4th signed, every 20th paid, every 50th a bare draft) in one transaction."""
    from calculator.ledger_actions import create_project
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
            return len(projects) == 1 and store.ledger_count(projects[0].id) == n
    except Exception:
        return False


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


def measure(app, path: Path, runs: int) -> dict[str, list[float]]:
    from PySide6.QtCore import Qt

    from ui.ledger.model import COL_TOTAL
    from ui.ledger.workspace import LedgerWorkspace
    from ui.settings import ASSESSOR_NAME, LAST_PROJECT, Settings
    times: dict[str, list[float]] = {key: [] for key in ("open", "scroll", "filter", "status", "sort", "rows")}
    for run in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            settings = Settings(str(Path(scratch) / "s.ini"), scratch)
            settings.set(LAST_PROJECT, str(path))
            settings.set(ASSESSOR_NAME, "bench")
            start = time.perf_counter()
            workspace = LedgerWorkspace(settings)
            workspace.resize(1600, 1000)
            painted = Painted(workspace.table.viewport())
            workspace.show()
            painted.wait(app, 0)
            times["open"].append(time.perf_counter() - start)

            model, bar = workspace.model, workspace.table.verticalScrollBar()
            start = time.perf_counter()
            while model.canFetchMore():
                bar.setValue(bar.maximum())
                app.processEvents()
            times["scroll"].append(time.perf_counter() - start)
            times["rows"].append(model.rowCount())

            # Each change from the whole ledger: the previous one is undone first (not timed).
            for key, undo, change in (
                    ("filter", lambda: None, lambda: workspace.set_text_filter("巷1号")),
                    ("status", lambda: workspace.set_text_filter(""), lambda: workspace.set_status_filter(Status.SIGNED)),
                    ("sort", lambda: workspace.set_status_filter(None),
                     lambda: workspace.table.sortByColumn(COL_TOTAL, Qt.SortOrder.DescendingOrder))):
                undo()
                for _ in range(3):  # let every repaint still queued from the last step happen first
                    app.processEvents()
                before = painted.count
                start = time.perf_counter()
                change()
                painted.wait(app, before)
                times[key].append(time.perf_counter() - start)
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
    if holds(path, args.households):
        print(f"reusing {path} ({args.households} households)")
    else:
        if path.exists():
            print(f"{path} exists but does not hold {args.households} households; give another --keep", file=sys.stderr)
            return 2
        build(path, args.households)

    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication(sys.argv[:1])
    measure(app, path, 1)  # warm-up: imports, fonts, the file cache
    times = measure(app, path, args.runs)
    rows = int(statistics.median(times.pop("rows")))
    labels = {
        "open": "open the workspace → first paint of the table",
        "scroll": f"scroll to the end, fetching every page ({rows} rows)",
        "filter": "text filter '巷1号' → repainted (with totals)",
        "status": "status filter 已签字 → repainted (with totals)",
        "sort": f"sort all {rows} by 补偿金额 descending → repainted",
    }
    print(f"{args.households} households, {args.runs} runs each (median / min / max, ms)")
    for key, label in labels.items():
        values = [t * 1000 for t in times[key]]
        print(f"  {label:<56} {statistics.median(values):8.1f} {min(values):8.1f} {max(values):8.1f}")
    folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
