"""Time the survey import against openpyxl's own read-only reading of the same sheet (not a test).

    .venv/bin/python benchmarks/survey_bench.py [--households N] [--runs R] [--no-cli]

Builds once (cached in the temp directory) a survey workbook of N households (default 2,000) typed
into the template as tests/test_survey.py types the example household (35 rows each, so 5,000
households are the issue's 175,001 rows). Then, each in a fresh process, interleaved after one
warm-up of each, R times:

  floor   openpyxl read_only=True, data_only=True, iter_rows(values_only=True) over 调查表
  survey  calculator.app.survey.stream_survey, its households taken one at a time as the import takes
          them (each case checked by the engine, none kept), and its problems

Time is the median wall time of the call alone (imports and the schedule loaded before it); memory
is the call's tracemalloc peak (a separate run: tracemalloc slows Python down) and the process's
peak RSS during the call (Linux: reset before it). The goal: survey ≤ 1.5× the floor's time and
≤ 2× its memory; MISSED marks a miss.

Last, the figure the issue checks: `landcomp ledger import` of the workbook into a fresh project, as a
whole process from the command line (CPU time, the median of the runs; peak RSS), against the issue's
floor as a whole process: openpyxl reading the sheet's values (the floor above, with its start-up)
and computing the same households' cases (each case, handed over as JSON written afresh by this run,
built and priced by the engine: "cases included"; the CPU time of loading that JSON is taken off).
Goal: the import, saving included, ≤ 1.5× that floor's CPU time. The import is also shown against
openpyxl's reading alone.

`--instructions` counts instead the instructions each of those whole processes runs, once each, under
valgrind's cachegrind (slow: about 50× a run; valgrind must be installed). CPU time on a shared machine
swings by a third within a minute; an instruction count does not, so this is the figure two builds are
compared by. The loading of the handed-over cases is taken off the floor as a count too: a process that
imports the engine and loads the cases file, less one that imports the engine and reads the file's text.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from instructions import instructions  # benchmarks/instructions.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
TIME_GOAL, MEMORY_GOAL = 1.5, 2.0


def build(path: Path, n: int) -> None:
    """N copies of the example household (户号 00001 …, each with a 身份证号 of its own) typed into the template,
    saved atomically."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from store_bench import id_number
    from test_survey import example_rows  # the rows as an assessor types them
    from openpyxl import load_workbook
    from calculator.app.survey import SURVEY_SHEET, write_template

    start = time.perf_counter()
    template = path.with_suffix(".template.xlsx")
    write_template(template)
    book = load_workbook(template)
    sheet = book[SURVEY_SHEET]
    where = {cell.value: cell.column for cell in sheet[1]}
    row = 2
    for index in range(n):
        rows = example_rows(f"{index + 1:05d}", head=f"户主{index + 1}")
        rows[0]["身份证号"] = id_number(index)
        for values in rows:
            for heading, value in values.items():
                sheet.cell(row, where[heading], value)
            row += 1
    partial = path.with_suffix(".partial.xlsx")
    book.save(partial)
    os.replace(partial, path)
    template.unlink()
    print(f"built {n} households ({row - 2} rows) in {time.perf_counter() - start:.1f} s → {path} "
          f"({path.stat().st_size / 1e6:.1f} MB)", flush=True)


def measure(kind: str, path: Path, memory: bool) -> dict:
    """One measurement in this process: {"seconds": …} or {"peak": bytes}, plus the process's peak RSS."""
    import resource
    import tracemalloc
    sys.path.insert(0, str(ROOT))
    from openpyxl import load_workbook
    from calculator.engine.schedules import load_schedule
    from calculator.app.survey import SURVEY_SHEET, stream_survey
    schedule = load_schedule()

    def floor():
        book = load_workbook(path, read_only=True, data_only=True)
        count = 0
        for values in book[SURVEY_SHEET].iter_rows(values_only=True):
            count += len(values)
        book.close()
        return count

    def survey():
        reading = stream_survey(path, schedule)
        households = sum(1 for _ in reading.households())
        return households, len(reading.problems)

    call = floor if kind == "floor" else survey
    _reset_peak_rss()   # the peak RSS is this call's (a child process starts with its parent's high-water mark)
    if memory:
        tracemalloc.start()
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        out = {"peak": peak}
    else:
        start = time.perf_counter()
        result = call()
        out = {"seconds": time.perf_counter() - start}
    if kind == "survey":
        out["households"], out["problems"] = result
    out["rss"] = _peak_rss() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return out


def _reset_peak_rss() -> None:
    """Linux: set the process's peak RSS (VmHWM) back to its current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass


def _peak_rss() -> int:
    """The process's peak RSS in bytes since the last reset (Linux), 0 where unknown."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def child(kind: str, path: Path, memory: bool) -> dict:
    done = subprocess.run([sys.executable, __file__, "--measure", kind, "--path", str(path)]
                          + (["--memory"] if memory else []), capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def whole_process(argv: list[str], folder: Path) -> tuple[float, float, int, str]:
    """A command run to its end: (wall seconds, CPU seconds, peak RSS in bytes, its last line of output)."""
    log = folder / "process.log"
    start = time.perf_counter()
    with log.open("w+", encoding="utf-8") as out:
        process = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        said = out.read()
    if status:
        raise SystemExit(f"{' '.join(argv[:4])} … failed ({status}): {said[-2000:]}")
    lines = [line for line in said.splitlines() if line.strip()]
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, lines[-1] if lines else ""


def cli_import(path: Path, folder: Path, *options: str) -> tuple[float, float, int, str]:
    """`landcomp ledger import` into a fresh project, as `whole_process` measures it."""
    project = folder / f"bench-{time.monotonic_ns()}.landcomp"
    base = [sys.executable, "-m", "calculator", "ledger"]
    subprocess.run(base + ["create", str(project), "--name", "调查表基准测试"], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        return whole_process(base + ["import", str(project), str(path), *options], folder)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(project) + suffix).unlink(missing_ok=True)


def fresh_cases(path: Path) -> Path:
    """The survey's cases as this build's reader makes them, written afresh (never a stale copy), in a child: a
    parent grown by it would raise every child's peak RSS."""
    cases = path.with_suffix(".cases.json")
    subprocess.run([sys.executable, __file__, "--write-cases", str(cases), "--path", str(path)], check=True)
    return cases


def count_instructions(path: Path, cases: Path, floor_command: list[str], folder: Path) -> None:
    """The import and the floor (cases included, their loading taken off) as instruction counts."""
    # what the CPU measure takes off, reading and parsing the file, less a process that does all else it does
    loader = ("import json, sys; sys.path.insert(0, '.'); from calculator.engine.compensation import evaluate; "
              "from calculator.engine.schedules import load_schedule; load_schedule()")
    parse = f"; json.loads(open({str(cases)!r}, encoding='utf-8').read())"
    loading = instructions([sys.executable, "-c", loader + parse])[0] - instructions([sys.executable, "-c", loader])[0]
    count, said = instructions(floor_command + ["--cases", str(cases)])
    floor, figures = count - loading, json.loads(said.strip().splitlines()[-1])
    households = len(json.loads(cases.read_text(encoding="utf-8")))
    if figures["cases"] != households or figures["problems"]:
        raise SystemExit(f"the floor priced {figures['cases']} cases ({figures['problems']} with problems), "
                         f"the survey has {households} households")
    project = folder / f"bench-{time.monotonic_ns()}.landcomp"
    base = [sys.executable, "-m", "calculator", "ledger"]
    print("  instructions of whole processes (cachegrind, once each):")
    print(f"    openpyxl + computing the cases       {floor / 1e9:7.2f} G (loading the cases: {loading / 1e9:.2f} G, "
          "taken off)")
    for options in (["--dry-run"], []):
        subprocess.run(base + ["create", str(project), "--name", "调查表基准测试"], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            count = instructions(base + ["import", str(project), str(path), *options])[0]
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(project) + suffix).unlink(missing_ok=True)
        label = " ".join(["landcomp ledger import", *options])
        print(f"    {label:<36} {count / 1e9:7.2f} G   {count / floor:.2f}× the floor (goal ≤ {TIME_GOAL}×)"
              + ("   MISSED" if count / floor > TIME_GOAL else ""))


def floor_process(path: Path, cases: Path | None) -> None:
    """The floor as a whole process: import openpyxl, read every value of 调查表; with `cases` (the households'
    cases as a JSON list), then build and price each case as the engine does (no survey reader)."""
    from openpyxl import load_workbook
    book = load_workbook(path, read_only=True, data_only=True)
    count = sum(len(values) for values in book["调查表"].iter_rows(values_only=True))
    book.close()
    said: dict[str, Any] = {"cells": count, "cases": 0, "problems": 0, "loading": 0.0}
    if cases is not None:
        sys.path.insert(0, str(ROOT))
        from calculator.engine.case import case_from_dict
        from calculator.engine.compensation import evaluate
        from calculator.engine.schedules import load_schedule
        schedule = load_schedule()
        start = time.process_time()
        data = json.loads(cases.read_text(encoding="utf-8"))
        said["loading"] = time.process_time() - start   # no part of the floor: the bench's way of handing the cases
        priced = [evaluate(case_from_dict(case), schedule) for case in data]
        said.update(cases=len(priced), problems=sum(bool(result.problems) for result in priced))
    print(json.dumps(said))


def write_cases(path: Path, cases: Path) -> None:
    """The survey's households' cases, as the survey reader builds them, kept as a JSON list (atomically)."""
    sys.path.insert(0, str(ROOT))
    from calculator.app.survey import stream_survey
    from calculator.engine.case import case_to_dict
    data = [case_to_dict(household.case) for household in stream_survey(path).households()]
    partial = cases.with_suffix(".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, cases)


def mb(value: float) -> str:
    return f"{value / 1e6:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-cli", action="store_true", help="skip timing `landcomp ledger import`")
    parser.add_argument("--instructions", action="store_true",
                        help="count the whole processes' instructions under valgrind instead of timing them")
    parser.add_argument("--measure", choices=("floor", "survey"), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--floor-process", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cases", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--write-cases", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.path, args.memory)))
        return
    if args.write_cases:
        write_cases(args.path, args.write_cases)
        return
    if args.floor_process:
        floor_process(args.path, args.cases)
        return

    folder = Path(tempfile.gettempdir()) / "landcomp-survey-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"survey-{args.households}-ids.xlsx"   # named anew when `build` changes what it writes
    if not path.is_file():
        build(path, args.households)
    floor_command = [sys.executable, __file__, "--floor-process", "--path", str(path)]
    if args.instructions:
        print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)", flush=True)
        cli_import(path, folder, "--dry-run")   # warm-up: .pyc files written before anything is counted
        count_instructions(path, fresh_cases(path), floor_command, folder)
        return
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB), {args.runs} runs after a warm-up, medians:", flush=True)

    child("floor", path, False)          # warm-up: page cache, .pyc files
    child("survey", path, False)
    times: dict[str, list[float]] = {"floor": [], "survey": []}
    rss: dict[str, list[int]] = {"floor": [], "survey": []}
    peaks: dict[str, list[int]] = {"floor": [], "survey": []}
    read = {}
    for _ in range(args.runs):
        for kind in ("floor", "survey"):
            result = child(kind, path, False)
            times[kind].append(result["seconds"])
            rss[kind].append(result["rss"])
            if kind == "survey":
                read = result
    for kind in ("floor", "survey"):    # tracemalloc once each: its peak hardly varies
        peaks[kind].append(child(kind, path, True)["peak"])
    median = {kind: statistics.median(values) for kind, values in times.items()}
    peak = {kind: statistics.median(values) for kind, values in peaks.items()}
    top = {kind: statistics.median(values) for kind, values in rss.items()}
    print(f"  floor  (openpyxl read-only values): {median['floor']:6.2f} s   peak {mb(peak['floor'])} "
          f"(process RSS {mb(top['floor'])})")
    print(f"  survey (streamed, cases checked):   {median['survey']:6.2f} s   peak {mb(peak['survey'])} "
          f"(process RSS {mb(top['survey'])})   {read.get('households')} households, "
          f"{read.get('problems')} problems")
    time_ratio, memory_ratio = median["survey"] / median["floor"], peak["survey"] / peak["floor"]
    rss_ratio = top["survey"] / top["floor"]
    print(f"  time   {time_ratio:.2f}× the floor (goal ≤ {TIME_GOAL}×)"
          + ("   MISSED" if time_ratio > TIME_GOAL else ""))
    print(f"  memory {memory_ratio:.2f}× the floor's traced peak (goal ≤ {MEMORY_GOAL}×)"
          + ("   MISSED" if memory_ratio > MEMORY_GOAL else ""))
    print(f"  memory {rss_ratio:.2f}× the floor's process peak RSS (goal ≤ {MEMORY_GOAL}×)"
          + ("   MISSED" if rss_ratio > MEMORY_GOAL else ""))
    if not args.no_cli:
        cases = fresh_cases(path)

        def floor_with_cases() -> tuple[float, float, int, str]:
            """The floor process with the cases priced, its CPU time without the loading of the cases file."""
            wall, cpu, top_rss, said = whole_process(floor_command + ["--cases", str(cases)], folder)
            figures = json.loads(said)
            if figures["cases"] != read.get("households") or figures["problems"]:
                raise SystemExit(f"the floor priced {figures['cases']} cases ({figures['problems']} with problems), "
                                 f"the survey has {read.get('households')} households")
            return wall, cpu - figures["loading"], top_rss, said

        commands = {
            "openpyxl reading the sheet": lambda: whole_process(floor_command, folder),
            "openpyxl + computing the cases": floor_with_cases,
            "landcomp ledger import --dry-run": lambda: cli_import(path, folder, "--dry-run"),
            "landcomp ledger import": lambda: cli_import(path, folder),
        }
        runs: dict[str, list[tuple[float, float, int, str]]] = {label: [] for label in commands}
        for _ in range(args.runs):   # interleaved, as above
            for label, command in commands.items():
                runs[label].append(command())
        # This machine's speed swings by a third within a minute, in bursts lasting seconds to a minute. Each command's
        # CPU time is given as the median of its runs, and beside it the least: the least flatters a short command
        # (a whole run of it falls into a fast spell more often), so the goal is judged on the medians.
        print("  whole processes from the command line (fresh project each time), median (least):")
        typical: dict[str, tuple[float, int]] = {}
        least: dict[str, float] = {}
        for label, results in runs.items():
            wall, cpu, top_rss = (statistics.median(result[i] for result in results) for i in range(3))
            typical[label], least[label] = (cpu, top_rss), min(result[1] for result in results)
            print(f"    {label:<36} {wall:6.2f} s wall {cpu:6.2f} ({least[label]:.2f}) s CPU   peak RSS {mb(top_rss)}"
                  f"   {results[-1][3][:60]}")
        floor, reading = "openpyxl + computing the cases", "openpyxl reading the sheet"
        for label in list(commands)[2:]:
            (cpu, top_rss), ratio = typical[label], typical[label][0] / typical[floor][0]
            print(f"    {label:<36} {ratio:.2f}× the floor's CPU (cases included; goal ≤ {TIME_GOAL}×)"
                  + ("   MISSED" if ratio > TIME_GOAL else "")
                  + f"; least to least {least[label] / least[floor]:.2f}×; {cpu / typical[reading][0]:.2f}× "
                  f"openpyxl's reading alone; {top_rss / typical[floor][1]:.2f}× the floor's peak RSS")


if __name__ == "__main__":
    main()
