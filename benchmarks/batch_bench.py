"""Time the batch settlement sheets against reportlab drawing the same tables (target ≤ 1.2× per sheet).

    .venv/bin/python benchmarks/batch_bench.py [--households N] [--repeat R] [--profile] [--keep DIR]

A project of N households × 40 lines (default 200; the store benchmark's generator) is saved to
a temporary project file. Then, R times each, interleaved, median reported:

- **batch, 1 worker**: `write_sheets` for every household in this process (read the stored version,
  recompute under the loaded schedule, check schedule version, fingerprint and total, lay out and
  write atomically);
- **batch, pool**: the same with one worker process per core (`write_sheets`' own choice);
- **reportlab**: for the same households, the tables of their sheets built from the same
  `SettlementSheet` rows (made beforehand, untimed) straight into platypus: `SimpleDocTemplate`
  and `Table`s with the same font, styles, column widths and rows, one PDF per household, no
  recompute and no checks. Cells that can wrap (种类/规格, 备注, household values, the 大写
  total, the replacement working) are `Paragraph`s, as they must be to wrap; short cells
  (numbers, units, headings) are plain strings, as reportlab's own table examples write them.

Sheets per second are wall time; CPU counts the worker processes too. The per-sheet goal compares
CPU per sheet of the batch in one process with reportlab's own. Last, reportlab's C accelerator
(rl_accel): our sheet writer and reportlab's drawing, each in a process with and one without it
(`--without-accelerator` hides it), CPU per sheet, and whether the PDFs are the same bytes
(reportlab's invariant mode). The ledger workbook is timed once, on its own. `--profile` runs
cProfile over one batch and prints where its time goes beyond the drawing.
"""
from __future__ import annotations

import argparse
import cProfile
import filecmp
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
if "--without-accelerator" in sys.argv:   # reportlab's own Python in place of rl_accel (before reportlab loads)
    sys.modules["_rl_accel"] = None  # type: ignore[assignment]

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: E402

from calculator.app.batch import checked_result, worker_count, write_sheets  # noqa: E402
from calculator.engine.case import case_from_json, case_to_json, parse_json  # noqa: E402
from calculator.engine.compensation import CompensationResult, compute  # noqa: E402
from calculator.core.money import fmt_grouped, fmt_quantity  # noqa: E402
from calculator.formats.reports import compensation_pdf, ledger_xlsx  # noqa: E402
from calculator.formats.reports.content import SettlementSheet, settlement_sheet  # noqa: E402
from calculator.formats.reports.fonts import sheet_font  # noqa: E402
from calculator.formats.reports.pdf_layout import (  # noqa: E402
    BOTTOM_MARGIN, DATE_LINE, MARGIN, MUTED_FILL, RULE, SECTION_FILL, TOP_MARGIN, WIDTH)
from calculator.formats.reports.pdf_settlement import COLUMN_MM, COLUMNS, SIGNATURES  # noqa: E402
from calculator.store import SqliteStore  # noqa: E402
from store_bench import EXTRA_LINES, household_case  # noqa: E402

HEADER_FILL_RGB = "#e6e6e6"


# -- reportlab's own drawing of the sheet's tables -------------------------------------------------

def plain_styles(font: str) -> dict[str, ParagraphStyle]:
    def style(name: str, size: float, align=TA_LEFT, leading: float | None = None) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.3,
                              alignment=align, wordWrap="CJK")
    return {"cell": style("cell", 8.5), "right": style("right", 8.5, TA_RIGHT), "centre": style("c", 8.5, TA_CENTER),
            "heading": style("heading", 11, leading=15), "big": style("big", 11, leading=15)}


def ruled(rows: list[list], widths: list[float], font: str, size: float = 8.5, header: bool = True,
          extra: list | None = None, heights: list[float] | None = None) -> Table:
    table = Table(rows, colWidths=widths, rowHeights=heights, repeatRows=1 if header else 0, hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), size),
                               ("GRID", (0, 0), (-1, -1), 0.5, RULE), ("BOX", (0, 0), (-1, -1), 1, RULE),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               *([("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL_RGB),
                                  ("ALIGN", (0, 0), (-1, 0), "CENTER")] if header else []),
                               *(extra or [])]))
    return table


def plain_story(sheet: SettlementSheet, font: str, s: dict[str, ParagraphStyle]) -> list:
    """The sheet's tables in plain platypus: household, items, replacement, subtotals, total, signatures."""
    info = []
    pairs = list(sheet.household)
    for start in range(0, len(pairs), 2):
        row = []
        for label, value in pairs[start:start + 2]:
            row += [label, Paragraph(value, s["cell"])]
        info.append(row)
    value_width = WIDTH / 2 - 22 * mm
    story = [Paragraph("被征收户基本情况", s["heading"]),
             ruled(info, [22 * mm, value_width] * 2, font, header=False,
                   extra=[("BACKGROUND", (0, 0), (0, -1), SECTION_FILL), ("BACKGROUND", (2, 0), (2, -1), SECTION_FILL),
                          ("ALIGN", (0, 0), (0, -1), "CENTER"), ("ALIGN", (2, 0), (2, -1), "CENTER")]),
             Spacer(1, 3 * mm), Paragraph("补偿明细", s["heading"])]
    rows, extra = [list(COLUMNS)], [("ALIGN", (2, 1), (2, -1), "RIGHT"), ("ALIGN", (4, 1), (5, -1), "RIGHT"),
                                    ("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (3, 1), (3, -1), "CENTER")]
    for section in sheet.sections:
        extra += [("SPAN", (0, len(rows)), (-1, len(rows))), ("BACKGROUND", (0, len(rows)), (-1, len(rows)), SECTION_FILL),
                  ("ALIGN", (0, len(rows)), (-1, len(rows)), "LEFT")]
        rows.append([section.heading] + [""] * 6)
        for line in section.rows:
            if not line.counted:
                extra.append(("BACKGROUND", (0, len(rows)), (-1, len(rows)), MUTED_FILL))
            rows.append([str(line.number), Paragraph(line.name, s["cell"]), fmt_quantity(line.quantity), line.unit,
                         fmt_grouped(line.rate), fmt_grouped(line.amount), Paragraph(line.remarks, s["cell"])])
        extra.append(("SPAN", (0, len(rows)), (4, len(rows))))
        rows.append([f"{section.heading} 小计", "", "", "", "", fmt_grouped(section.subtotal), ""])
    story += [ruled(rows, [w * mm for w in COLUMN_MM], font, extra=extra), Spacer(1, 3 * mm)]
    if sheet.replacement:
        rep = [["项目", "计算面积", "置换比例", "置换面积(m²)"]]
        rep += [[p.name, Paragraph(p.working, s["cell"]), p.ratio, fmt_quantity(p.area)] for p in sheet.replacement]
        rep.append(["合计置换面积", "", "", fmt_quantity(sheet.replacement_total)])
        story += [Paragraph("房屋面积置换", s["heading"]),
                  ruled(rep, [25 * mm, WIDTH - 85 * mm, 25 * mm, 35 * mm], font,
                        extra=[("SPAN", (0, -1), (2, -1)), ("ALIGN", (3, 1), (3, -1), "RIGHT")]), Spacer(1, 3 * mm)]
    subtotals = [["章节", "小计(元)"]] + [[sec.heading, fmt_grouped(sec.subtotal)] for sec in sheet.sections]
    totals = [["补偿合计(小写)", f"¥{fmt_grouped(sheet.total)}", ""],
              ["补偿合计(大写)", Paragraph(sheet.total_words, s["big"]), ""]]
    if sheet.disputed_total:
        totals.append(["有争议(不计入合计)", Paragraph(sheet.disputed_reason, s["cell"]), fmt_grouped(sheet.disputed_total)])
    story += [Paragraph("汇总", s["heading"]),
              ruled(subtotals, [WIDTH - 45 * mm, 45 * mm], font, extra=[("ALIGN", (1, 1), (1, -1), "RIGHT")]),
              ruled(totals, [45 * mm, WIDTH - 90 * mm, 45 * mm], font, size=11, header=False,
                    extra=[("SPAN", (1, 0), (2, 0)), ("SPAN", (1, 1), (2, 1)), ("ALIGN", (1, 0), (1, 0), "RIGHT")]),
              Spacer(1, 3 * mm), Paragraph("签字确认", s["heading"]),
              ruled([[Paragraph(f"{role}<br/><br/><br/>{DATE_LINE}", s["cell"]) for role in SIGNATURES[i:i + 2]]
                     + [""] * (2 - len(SIGNATURES[i:i + 2])) for i in range(0, len(SIGNATURES), 2)],
                    [WIDTH / 2] * 2, font, header=False, heights=[26 * mm, 26 * mm, 42 * mm],
                    extra=[("VALIGN", (0, 0), (-1, -1), "TOP")])]
    return story


def draw_plain(sheets: list[SettlementSheet], folder: Path) -> None:
    font = sheet_font().name
    styles = plain_styles(font)
    for index, sheet in enumerate(sheets):
        doc = SimpleDocTemplate(str(folder / f"{index:05d}.pdf"), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                                topMargin=TOP_MARGIN, bottomMargin=BOTTOM_MARGIN, initialFontName=font)
        doc.build(plain_story(sheet, font, styles))


# -- the run ---------------------------------------------------------------------------------------

def project_results(n: int) -> list[CompensationResult]:
    """The households' results; each case as a case file would bring it: store_bench's extra lines hold Python
    ints, whose fingerprint differs from that of the same case read back from the store."""
    template = parse_json((ROOT / "examples" / "household.json").read_text(encoding="utf-8"))
    return [compute(case_from_json(case_to_json(household_case(template, index)))) for index in range(n)]


def build_project(path: str, n: int) -> tuple[int, list[CompensationResult]]:
    results = project_results(n)
    with SqliteStore(path, actor="bench") as store:
        project = store.create_project("堡子片区(批量出单基准)")
        with store.batch():
            for index, result in enumerate(results):
                household = store.add_household(project.id, f"{index + 1:05d}", result.case.household["head"])
                store.save_computed(household.id, result)
    return project.id, results


def run_batch(path: str, project_id: int, folder: Path, workers: int | None) -> None:
    with SqliteStore(path, actor="bench") as store:
        summary = write_sheets(store, project_id, None, folder, with_ledger=False, workers=workers)
    assert not summary.skipped and not summary.cancelled, summary.text()


def check_all(path: str, project_id: int) -> float:
    """Seconds for what write_sheets adds before the writer: read each version, recompute, check."""
    with SqliteStore(path, actor="bench") as store:
        rows = store.ledger(project_id)
        start = time.perf_counter()
        for row in rows:
            checked_result(store.current_version(row.household_id))
        return time.perf_counter() - start


def run_writer(results: list[CompensationResult], folder: Path) -> None:
    """Our settlement writer alone, on results already computed: the batch minus store, recompute and checks."""
    for index, result in enumerate(results):
        compensation_pdf(result, folder / f"{index:05d}.pdf")


def cpu_seconds() -> float:
    """CPU of this process and of its children that have ended (the batch's workers, once it has shut them down)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(action, folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of `action(folder)` in a fresh folder."""
    folder.mkdir()
    wall, cpu = time.perf_counter(), cpu_seconds()
    action(folder)
    return time.perf_counter() - wall, cpu_seconds() - cpu


def accelerator_child(n: int, repeat: int, out: Path) -> None:
    """In this process (with or without rl_accel): CPU per sheet of our writer and of reportlab's drawing, as JSON;
    the writer's sheets of the first run are left in `out` (reportlab's invariant mode: comparable bytes)."""
    from reportlab import rl_config
    rl_config.invariant = 1
    results = project_results(n)
    sheets = [settlement_sheet(result) for result in results]
    warm = out / "warm-up"
    warm.mkdir(parents=True)
    draw_plain(sheets[:3], warm)
    run_writer(results[:3], warm)
    cpu: dict[str, list[float]] = {"writer": [], "reportlab": []}
    for attempt in range(repeat):
        for label, job in (("writer", lambda folder: run_writer(results, folder)),
                           ("reportlab", lambda folder: draw_plain(sheets, folder))):
            cpu[label].append(timed(job, out / f"{label}-{attempt}")[1] / n)
    print(json.dumps({label: statistics.median(values) for label, values in cpu.items()}))


def accelerator(n: int, repeat: int, base: Path) -> None:
    """CPU per sheet with and without rl_accel, each in its own process, interleaved; the PDFs compared."""
    try:
        import _rl_accel  # noqa: F401
    except ImportError:
        print("rl_accel is not installed: nothing to compare")
        return
    runs: dict[str, list[dict]] = {"with rl_accel": [], "without": []}
    for attempt in range(repeat):
        for label, flag in (("with rl_accel", []), ("without", ["--without-accelerator"])):
            out = base / f"accel-{attempt}-{len(flag)}"
            done = subprocess.run([sys.executable, __file__, "--accelerator-child", str(out), "--households", str(n),
                                   "--repeat", "1", *flag], capture_output=True, text=True, check=True)
            runs[label].append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"reportlab's C accelerator, CPU ms/sheet ({n} sheets, median of {repeat} processes each):")
    for label, results in runs.items():
        print(f"  {label:<16} our writer {statistics.median(r['writer'] for r in results) * 1000:7.1f}   "
              f"reportlab {statistics.median(r['reportlab'] for r in results) * 1000:7.1f}")
    first, second = base / "accel-0-0" / "writer-0", base / "accel-0-1" / "writer-0"
    names = sorted(os.listdir(first))
    same = names == sorted(os.listdir(second)) and all(filecmp.cmp(first / name, second / name, shallow=False)
                                                       for name in names)
    print(f"  the sheets with and without it are {'the same bytes' if same else 'DIFFERENT'} ({len(names)} PDFs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one batch run and print the top entries")
    parser.add_argument("--keep", help="write everything under this folder instead of a temporary one")
    parser.add_argument("--accelerator-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--without-accelerator", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.households
    if args.accelerator_child:
        accelerator_child(n, args.repeat, args.accelerator_child)
        return
    temporary = tempfile.TemporaryDirectory()
    base = Path(args.keep or temporary.name)
    base.mkdir(parents=True, exist_ok=True)
    path = str(base / "bench.landcomp")
    template = parse_json((ROOT / "examples" / "household.json").read_text(encoding="utf-8"))
    print(f"{n} households × {len(template['items']) + len(EXTRA_LINES)} lines → {base}")
    start = time.perf_counter()
    project_id, results = build_project(path, n)
    sheets = [settlement_sheet(result) for result in results]
    print(f"{'set-up (compute + save, one transaction)':<40} {time.perf_counter() - start:8.2f} s")
    warm = base / "warm-up"
    warm.mkdir()
    draw_plain(sheets[:3], warm)  # font registered, reportlab's caches filled, outside every timing
    run_writer(results[:3], warm)

    pool = worker_count(None, n)
    jobs = {"write_sheets, 1 worker": lambda folder: run_batch(path, project_id, folder, 1),
            f"write_sheets, pool of {pool}": lambda folder: run_batch(path, project_id, folder, None),
            "our sheet writer alone (no store/checks)": lambda folder: run_writer(results, folder),
            "reportlab, same tables": lambda folder: draw_plain(sheets, folder)}
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in jobs}
    for attempt in range(args.repeat):  # interleaved, so drift in the machine's load hits all alike
        for number, (label, job) in enumerate(jobs.items()):
            times[label].append(timed(job, base / f"run{attempt}-{number}"))
            assert len(list((base / f"run{attempt}-{number}").iterdir())) == n
    medians = {label: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
               for label, runs in times.items()}
    print(f"median of {args.repeat}{'':<30}   wall s  sheets/s  ms/sheet     CPU s  ms/sheet")
    for label, (wall, cpu) in medians.items():
        print(f"{label:<40} {wall:8.2f} {n / wall:9.1f} {wall / n * 1000:9.1f} {cpu:9.2f} {cpu / n * 1000:9.1f}")
    serial, pooled, writer, plain = medians.values()
    print(f"{'pool / 1 worker, sheets per second':<40} {serial[0] / pooled[0]:8.2f}× "
          f"({os.cpu_count()} cores; CPU {pooled[1] / serial[1]:.2f}× — the workers' start-up and hand-over)")
    ratio = serial[1] / plain[1]
    print(f"{'ratio write_sheets / reportlab, per sheet':<40} {ratio:8.2f}× CPU {serial[0] / plain[0]:8.2f}× wall"
          "   (target ≤ 1.20)" + ("   MISSED" if ratio > 1.2 else ""))
    print(f"{'ratio pool / reportlab, wall per sheet':<40} {pooled[0] / plain[0]:8.2f}×"
          "   (the batch as the 台账 runs it against reportlab in one process)")
    print(f"{'ratio our writer / reportlab':<40} {writer[1] / plain[1]:8.2f}× CPU {writer[0] / plain[0]:8.2f}× wall")
    checks = check_all(path, project_id)
    print(f"{'of which store read, recompute, checks':<40} {checks:8.2f} {'':9} {checks / n * 1000:9.1f}   (timed alone)")

    with SqliteStore(path, actor="bench") as store:
        rows = store.ledger(project_id)
        start = time.perf_counter()
        ledger_xlsx(rows, base / "台账.xlsx")
        print(f"{f'ledger workbook ({n} rows)':<40} {time.perf_counter() - start:8.2f} s")
    for number, label in enumerate(jobs):
        sizes = [os.path.getsize(p) for p in (base / f"run0-{number}").iterdir()]
        print(f"mean file size, {label:<40} {statistics.mean(sizes) / 1e3:6.0f} kB")
    accelerator(min(n, 50), args.repeat, base)

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run_batch(path, project_id, fresh(base, "profile"), 1)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())
    temporary.cleanup()


def fresh(base: Path, name: str) -> Path:
    folder = base / name
    folder.mkdir()
    return folder


if __name__ == "__main__":
    main()
