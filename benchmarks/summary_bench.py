"""Time the project summary (汇总与审计) on a survey-sized project (not a test).

    .venv/bin/python benchmarks/summary_bench.py [--households N] [--keep PATH] [--runs R]

Builds a project of N households × 40 lines (default 5,000; ledger_bench.py's project: every 4th
signed, every 20th paid, every 50th a bare draft), or reuses the file at --keep when it holds N
households. Then, after a warm-up round and in R interleaved rounds on one open project, measures:

- the floor — reading the figures from the store: the verified ledger rows with every current
  version (`store.ledger_versions`, one snapshot) and decoding each stored result and case from
  its JSON, which is what any summary of them must read;
- the summary — `project_summary(project)`: the same read, the pandas frames, and every view
  (money, forecast, rate audit, outliers).

The goal is the summary in under 2× the floor (medians). Writing the PDF and the workbook of
the summary is timed once, for information. Each round is timed on the wall clock and, run again, in
the process's CPU time (steadier on a machine others share). MISSED marks a goal missed.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ledger_bench import prepared  # noqa: E402

from calculator.app.ledger_actions import open_project  # noqa: E402
from calculator.app.summary import project_summary  # noqa: E402

GOAL = 2.0


def read_floor(project) -> int:
    """The figures as read from the store: the snapshot of rows and versions, each result and case decoded."""
    decoded = 0
    for _row, version in project.store.ledger_versions(project.project.id):
        if version is not None:
            json.loads(version.case_json)
            decoded += version.result() is not None
    return decoded


def timed(action, clock=time.perf_counter) -> float:
    start = clock()
    action()
    return clock() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--keep", help="build (or reuse) the project file here instead of a temporary folder")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = Path(args.keep) if args.keep else Path(folder.name) / "summary-bench.landcomp"
    if not prepared(path, args.households):
        return 2

    project = open_project(path, "bench")
    cold_floor = timed(lambda: read_floor(project))  # the first read also checks the whole audit chain
    project.close()
    project = open_project(path, "bench")
    cold_summary = timed(lambda: project_summary(project))
    summary = project_summary(project)  # warm-up
    times: dict[str, list[float]] = {"floor": [], "summary": [], "floor_cpu": [], "summary_cpu": []}
    for _ in range(args.runs):  # interleaved: both meet the same machine state
        for key, action in (("floor", lambda: read_floor(project)), ("summary", lambda: project_summary(project))):
            times[key].append(timed(action))
            times[f"{key}_cpu"].append(timed(action, time.process_time))  # what a busy machine's neighbours leave
    from calculator.app import summary as summaries
    with tempfile.TemporaryDirectory() as out:
        pdf = timed(lambda: summaries.summary_pdf(summary, Path(out) / "s.pdf"))
        xlsx = timed(lambda: summaries.summary_xlsx(summary, Path(out) / "s.xlsx"))
    project.close()

    median = {key: statistics.median(values) for key, values in times.items()}
    print(f"{args.households} households ({summary.counted} with figures), {args.runs} interleaved runs "
          "(median / min / max, ms)")
    for key, label in (("floor", "floor: read the verified figures (rows, versions, JSON)"),
                       ("summary", "project_summary: read + frames + every view")):
        values = [t * 1000 for t in times[key]]
        print(f"  {label:<58} {median[key] * 1000:8.1f} {min(values):8.1f} {max(values):8.1f}")
    ratio = median["summary"] / median["floor"]
    print(f"  summary / floor {ratio:.2f}× (goal < {GOAL:g}×){'' if ratio < GOAL else '  MISSED'}")
    print(f"  in CPU time: floor {median['floor_cpu'] * 1000:.0f} ms, summary {median['summary_cpu'] * 1000:.0f} ms, "
          f"{median['summary_cpu'] / median['floor_cpu']:.2f}×")
    print(f"  first read after opening (checks the audit chain): floor {cold_floor * 1000:.0f} ms, "
          f"summary {cold_summary * 1000:.0f} ms")
    print(f"  writing the summary: PDF {pdf * 1000:.0f} ms, workbook {xlsx * 1000:.0f} ms")
    folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
