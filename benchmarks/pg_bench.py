"""The server project under load: C concurrent clients × S saves on an N-household project (default 8 × 100
on 5,000), and the 台账's open / check / filter / sort times against the same project in an SQLite file.

    .venv/bin/python benchmarks/pg_bench.py [--url postgresql://user@host:port/db] [--households N]
                                            [--clients C] [--saves S] [--hot H]

Without --url a throwaway cluster is started (as the tests do: fsync off, so saves are faster than on a
real server). The project is built in an SQLite file (one batch) and moved to the server by restore,
which is timed too. Each client saves cases of households drawn from the first H (contention on
purpose), every save on the version it opened; a ConflictError is counted and the case reopened.
Lost updates: a landed save whose version is not the household's next one, or versions not matching
the saves that landed; both must be zero.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from calculator.engine.compensation import compute  # noqa: E402
from calculator.store import ConflictError, SqliteStore, Status, open_store  # noqa: E402
from calculator.app.stored_cases import open_stored, save_stored  # noqa: E402
from store_bench import household_case, parse_json, timed  # noqa: E402


def build_file(path: str, n: int) -> int:
    """An n-household project file (every tenth signed); returns the project id."""
    template = parse_json((ROOT / "examples" / "household.json").read_text(encoding="utf-8"))
    with SqliteStore(path, actor="bench") as store:
        project = store.create_project("堡子片区(基准测试)")
        with store.batch():
            for index in range(n):
                case = household_case(template, index)
                household = store.add_household(project.id, f"{index + 1:05d}", case.household["head"])
                store.save_computed(household.id, compute(case))
                if index % 10 == 9:
                    store.sign(household.id)
        return project.id


def client(url: str, project_id: int, saves: int, hot: int, seed: int, results) -> None:
    """One client: `saves` landed saves, each on the version it opened; reports (landed, conflicts)."""
    from calculator.engine.schedules import load_schedule
    schedule, rng = load_schedule(), random.Random(seed)
    landed, conflicts = [], 0
    with open_store(url) as store:
        numbers = [f"{i + 1:05d}" for i in range(hot) if (i + 1) % 10]  # signed ones need a reason: skipped
        while len(landed) < saves:
            household = store.find_household(project_id, rng.choice(numbers))
            stored, case = open_stored(store, household.id, schedule.id)
            case.items[0]["quantity"] = f"{rng.randint(10, 99)}.00"
            try:
                version = save_stored(stored, case, schedule).version
                landed.append((household.id, stored.version.number, version.number))
            except ConflictError:
                conflicts += 1
    results.put((landed, conflicts))


def ledger_times(label: str, store, project_id: int) -> dict[str, float]:
    """What the 台账 reads, as it reads it (pages without the workbook's columns, not waiting for the check):
    open (first page and count), the check of every household until its verdicts are taken (in the
    background on a large project), a status filter, a text filter, a sort by 补偿金额."""
    def page(**query) -> None:
        store.ledger(project_id, limit=200, workbook=False, check_first=False, **query)

    def open_ledger() -> None:
        page()
        store.ledger_count(project_id, check_first=False)

    def check() -> None:
        ended = threading.Event()
        started = store.check_in_background(ended.set)
        if started is not None:  # None: checked at once (a small project)
            assert ended.wait(600) and started.adopt()

    figures = {}
    for name, action in (("open", open_ledger), ("check", check),
                         ("filter 已签字", lambda: page(status=Status.SIGNED)),
                         ("filter text", lambda: page(text="巷1号")),
                         ("sort total desc", lambda: page(sort="total", descending=True))):
        _, figures[name] = timed(f"{label}: ledger {name}", action)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a server project to use (its contents are replaced)")
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--saves", type=int, default=100)
    parser.add_argument("--hot", type=int, default=50, help="the clients save households among the first H")
    args = parser.parse_args()
    cluster = None
    if args.url is None:
        import pgcluster
        cluster = pgcluster.Cluster()
        args.url = cluster.url(cluster.new_database())
    folder = tempfile.TemporaryDirectory()
    try:
        path = os.path.join(folder.name, "bench.landcomp")
        project_id, _ = timed(f"build the {args.households}-household file", lambda: build_file(path, args.households))
        with SqliteStore(path, actor="bench") as local:
            sqlite_figures = ledger_times("SQLite", local, project_id)
        with open_store(args.url, create=True) as server:   # a bare database: the restore makes the project
            timed("restore the file into the server", lambda: server.restore_from(path))
            server_figures = ledger_times("server", server, project_id)
            before = {h: len(server.versions(h)) for h in range(1, args.hot + 1)}
        results = multiprocessing.get_context("spawn").Queue()
        workers = [multiprocessing.get_context("spawn").Process(
            target=client, args=(args.url, project_id, args.saves, args.hot, seed, results))
            for seed in range(args.clients)]
        start = time.perf_counter()
        for worker in workers:
            worker.start()
        outcomes = [results.get() for _ in workers]
        elapsed = time.perf_counter() - start
        for worker in workers:
            worker.join()
        landed = [save for saves, _ in outcomes for save in saves]
        conflicts = sum(count for _, count in outcomes)
        with open_store(args.url) as server:
            lost = sum(new != base + 1 for _, base, new in landed)
            added = {h: len(server.versions(h)) - before[h] for h in before}
            per_household = {h: sum(1 for hid, _, _ in landed if hid == h) for h in before}
            lost += sum(abs(added[h] - per_household[h]) for h in before)
            abnormal = server.ledger_summary(project_id).abnormal
        print(f"{args.clients} clients × {args.saves} saves: {len(landed)} landed in {elapsed:.1f} s = "
              f"{len(landed) / elapsed:.1f} saves/s (open + compute + save each), {conflicts} conflicts "
              f"(retried), {lost} lost updates, {abnormal} 数据异常")
        for name in sqlite_figures:
            print(f"ledger {name:<16} SQLite {sqlite_figures[name] * 1000:8.1f} ms   "
                  f"server {server_figures[name] * 1000:8.1f} ms")
        assert lost == 0 and abnormal == 0
    finally:
        folder.cleanup()
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
