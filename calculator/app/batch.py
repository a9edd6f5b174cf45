"""Settlement sheets of many households into one folder, with the ledger workbook beside them.

A sheet is printed only from what the store holds and the engine agrees with: the stored case is
recomputed under the loaded schedule, and the sheet is written only when that schedule is the
version the case was saved under and the recomputed fingerprint and total are the stored ones.
Anything else is skipped with its reason, so a printed sheet always matches its ledger line.
Whatever fails for one household skips that household only: a batch always ends with its summary
(and, unless cancelled, its ledger workbook), and each sheet written has a file name of its own. A disk
that takes no more files (full, failing: DISK_FAILURES) stops the batch there, said in its summary: the
sheets written stay, each whole, and no ledger is written.
"""
from __future__ import annotations

import multiprocessing
import os
import re
import tempfile
from concurrent.futures import BrokenExecutor, CancelledError, Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any, Callable, Sequence

from calculator.formats import reports
from calculator.core.errors import CalculationError, InputError
from calculator.formats.reports.content import Filing
from calculator.core.files import DISK_FAILURES, PART_PREFIX, PART_SUFFIX, atomic_write, check_folder_name, system_reason
from calculator.store import CaseStore, CaseVersion, LedgerRow, Status, StoreError
from calculator.app.stored_cases import checked_result, filing
from calculator.app.progress import Progress, stopped

LEDGER_FILENAME = "台账.xlsx"
SHEET_SUFFIX = "-结算单.pdf"
# Characters no Windows or Linux file name may hold (and control characters), each replaced by "_".
_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Bytes (UTF-8) kept of 户号 and of 户主: the name, its temporary twin (15 bytes more) and a
# de-duplicating suffix must stay under the 255 bytes a file name may have.
_NAME_PART_BYTES = 80
# A batch gets a worker process for each this many sheets (up to one per core): starting one costs
# about as much as laying out this many sheets.
POOL_SHEETS_PER_WORKER = 16
_LISTED_PER_REASON = 5  # households named under each skip reason in the summary text
_REASONS_SHOWN = 8

@dataclass(frozen=True)
class SheetOutcome:
    """One household of the batch: its sheet's path when written, else why it was skipped."""

    household_id: int
    number: str
    head: str
    path: Path | None
    reason: str | None

    @property
    def label(self) -> str:
        return f"{self.number} {self.head}".strip()


@dataclass(frozen=True)
class BatchSummary:
    """What a batch did; `remaining` households were not reached when it was cancelled."""

    written: tuple[SheetOutcome, ...]
    skipped: tuple[SheetOutcome, ...]
    cancelled: bool
    ledger_path: Path | None
    remaining: int = 0
    ledger_error: str | None = None
    halted: str | None = None  # why the folder took no more sheets (the system's reason), when it stopped the batch

    def text(self) -> str:
        """The summary in Chinese for a message box: written, ledger, skipped by reason, cancelled."""
        lines = [f"已生成 {len(self.written)} 份结算单。"]
        if self.ledger_path is not None:
            lines.append(f"台账已写入 {self.ledger_path.name}。")
        if self.ledger_error:
            lines.append(f"台账未能写入:{self.ledger_error}")
        if self.skipped:
            lines.append(f"跳过 {len(self.skipped)} 户:")
            by_reason: dict[str, list[SheetOutcome]] = {}
            for outcome in self.skipped:
                by_reason.setdefault(outcome.reason or "", []).append(outcome)
            for reason, outcomes in list(by_reason.items())[:_REASONS_SHOWN]:
                named = "、".join(o.label for o in outcomes[:_LISTED_PER_REASON])
                more = f" 等,共 {len(outcomes)} 户" if len(outcomes) > _LISTED_PER_REASON else ""
                lines.append(f"  {reason}:{named}{more}")
            rest = sum(len(outcomes) for outcomes in list(by_reason.values())[_REASONS_SHOWN:])
            if rest:
                lines.append(f"  其他原因 {rest} 户")
        if self.halted:
            lines.append(f"已停止:文件夹不能再写入({self.halted}),余下 {self.remaining} 户未处理,台账未写入。")
        if self.cancelled:
            lines.append(f"已取消,余下 {self.remaining} 户未处理。" if self.remaining else "已取消。")
        return "\n".join(lines)


def sheet_filename(number: str, head: str) -> str:
    """「户号-户主-结算单.pdf」, with characters a file system refuses replaced by "_"."""
    parts = [_safe_part(number), _safe_part(head)]
    return "-".join(part for part in parts if part) + SHEET_SUFFIX


def _safe_part(text: str) -> str:
    # Windows also refuses a name ending in a dot or a space, and a leading dot hides the file.
    cleaned = " ".join(_ILLEGAL.sub("_", text).split())
    cleaned = cleaned.encode()[:_NAME_PART_BYTES].decode(errors="ignore")
    return cleaned.strip(". ") if cleaned.strip(". ") else cleaned.replace(".", "_")


def check_folder(folder: Path) -> None:
    """The folder exists and a file can be created in it (tried, since permissions lie on some systems)."""
    check_folder_name(folder)
    if not folder.exists():
        raise InputError(f"文件夹不存在: {folder}", f"no such folder: {folder}")
    if not folder.is_dir():
        raise InputError(f"不是文件夹: {folder}", f"not a folder: {folder}")
    try:
        fd, probe = tempfile.mkstemp(prefix=".landcomp-probe-", suffix=".part", dir=folder)
    except OSError as exc:
        raise InputError(f"文件夹不能写入: {folder}({exc.strerror or exc})",
                         f"cannot write to the folder: {folder} ({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


def write_sheets(store: CaseStore, project_id: int, household_ids: Sequence[int] | None, folder: Path, *,
                 progress: Progress | None = None, with_ledger: bool = True,
                 workers: int | None = None) -> BatchSummary:
    """Each selected household's settlement sheet into `folder` (None: every household, in 户号 order).

    `progress(done, total, label)` is called before each household and once at the end; returning
    False stops the batch before the next household (the files written stay, each whole; none of a
    household not reached). With `with_ledger`, the selection's ledger is written beside the sheets
    as 台账.xlsx (not when cancelled). `workers`: the processes that check and lay out the sheets
    (None: one per core for a batch large enough to gain from them; 1: this process).
    """
    folder = Path(folder)
    project = _project(store, project_id)
    rows = _selection(store, project_id, household_ids)
    check_folder(folder)
    written: list[SheetOutcome] = []
    skipped: list[SheetOutcome] = []
    used: set[str] = set()
    total, cancelled, halted, done = len(rows), False, None, 0
    with _Printer(store, rows, folder, worker_count(workers, total)) as printer:
        for done, row in enumerate(rows):
            if progress is not None and stopped(progress(done, total, f"{row.number} {row.head}".strip())):
                cancelled = True
                break
            try:
                outcome = printer.outcome(done, used)
            except OSError as exc:
                if exc.errno not in DISK_FAILURES:
                    raise
                halted = system_reason(exc)   # every household after it would fail alike
                break
            (written if outcome.path is not None else skipped).append(outcome)
        else:
            done = total
    ledger_path, ledger_error = None, None
    if with_ledger and not cancelled and halted is None:
        ledger_path, ledger_error = _write_ledger(rows, folder / LEDGER_FILENAME, f"{project} 台账")
    if progress is not None:
        progress(done, total, "已取消" if cancelled else "已停止" if halted else "完成")
    return BatchSummary(tuple(written), tuple(skipped), cancelled, ledger_path, total - done, ledger_error, halted)


def worker_count(requested: int | None, sheets: int) -> int:
    """How many processes print `sheets` sheets: as asked, else one per core the process may use once the batch
    is large enough to repay starting them (each loads Python, reportlab, the fonts and the schedule)."""
    if requested is not None:
        return max(1, min(requested, sheets))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, sheets // POOL_SHEETS_PER_WORKER))


def _project(store: CaseStore, project_id: int) -> str:
    for project in store.projects():
        if project.id == project_id:
            return project.name
    raise StoreError(f"没有编号为 {project_id} 的项目", f"no project {project_id}")


def _selection(store: CaseStore, project_id: int, household_ids: Sequence[int] | None) -> list[LedgerRow]:
    """The ledger rows to print: all in 户号 order, or the chosen ones in the order given (once each)."""
    rows = store.ledger(project_id)
    if household_ids is None:
        return rows
    by_id = {row.household_id: row for row in rows}
    foreign = [str(i) for i in household_ids if i not in by_id]
    if foreign:
        raise InputError(f"所选住户不属于本项目: {', '.join(foreign)}",
                         f"households not in this project: {', '.join(foreign)}")
    return [by_id[i] for i in dict.fromkeys(household_ids)]


@dataclass(frozen=True)
class _Job:
    """One household's sheet as a worker makes it: the stored version to check and lay out, the file to print it
    into (a temporary file of this batch, moved onto the sheet's name when its turn comes) and the sheet's name."""

    version: CaseVersion
    filing: Filing
    part: Path
    name: str


def _render(job: _Job) -> str | None:
    """Check one household's stored version and print its sheet into `job.part`; the reason when it is not printed.

    A worker's task (or this process's): any failure, even one nobody foresaw, is that household's reason, but
    for a disk that takes no more files (DISK_FAILURES), which is raised: it stops the batch."""
    try:
        try:
            result = checked_result(job.version)
        except CalculationError as error:
            return error.zh
        try:
            reports.compensation_pdf(result, job.part, job.filing)
        except CalculationError as error:
            return error.zh
        except OSError as exc:
            _raise_disk_failure(exc)
            return f"无法写入 {job.name}: {system_reason(exc)}(文件是否正被其他程序打开?)"
        except Exception as exc:  # e.g. reportlab's LayoutError: one unprintable sheet must not stop the batch
            return f"无法排版: {type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 — a damaged version must not end the batch unsummed
        _raise_disk_failure(exc)
        return f"无法生成结算单: {type(exc).__name__}: {exc}"
    return None


def _raise_disk_failure(exc: Exception) -> None:
    """`exc` raised again when the disk takes no more files (DISK_FAILURES): no household after it fares better."""
    if isinstance(exc, OSError) and exc.errno in DISK_FAILURES:
        raise exc


class _InProcess(Executor):
    """The batch's work done here, when it is too small for worker processes (or one is asked for)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 — held for the taker, as a worker's is
            future.set_exception(exc)
        return future


class _Printer:
    """The rows' sheets, made in `workers` processes and taken in the rows' order.

    Each household's version is read here (the store stays in this process); the check and the layout run
    in a worker, a few households ahead of the one taken, into a temporary file of the batch. Taking a
    household gives its sheet the next free name and moves the file there, whole. Leaving (cancelled,
    or after the last household) starts no more work, waits for the sheets under way and removes their files.
    Workers that cannot start, or die, take no household with them: the rest is done in this process.
    """

    def __init__(self, store: CaseStore, rows: Sequence[LedgerRow], folder: Path, workers: int):
        self.store, self.rows, self.folder = store, rows, folder
        # spawn: the same start on every system, and never a fork of a process holding Qt's threads
        self.executor: Executor = (ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
                                   if workers > 1 else _InProcess())
        self.ahead = 2 * workers if workers > 1 else 0   # households under way beyond the one taken
        self.started: dict[int, Future | SheetOutcome] = {}
        self.jobs: dict[int, _Job] = {}

    def __enter__(self) -> _Printer:
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self.executor.shutdown(wait=True, cancel_futures=True)
        finally:
            for job in self.jobs.values():
                job.part.unlink(missing_ok=True)

    def outcome(self, index: int, used: set[str]) -> SheetOutcome:
        """The household at `index`: its sheet moved into place under a name no sheet of the batch has, or why not.

        A disk that takes no more files (DISK_FAILURES) is raised, for the batch to stop."""
        for ahead in range(index, min(index + self.ahead, len(self.rows) - 1) + 1):
            if ahead not in self.started:
                self.started[ahead] = self._start(ahead)
        started, row = self.started.pop(index), self.rows[index]
        if isinstance(started, SheetOutcome):
            return started
        job = self.jobs[index]
        try:
            reason = self._reason(started, job)
            if reason is None:
                path = self.folder / _unique(sheet_filename(row.number, row.head), row.household_id, used)
                try:
                    atomic_write(path, lambda tmp: os.replace(job.part, tmp), "pdf")
                except CalculationError as error:
                    reason = error.zh
                except OSError as exc:
                    _raise_disk_failure(exc)
                    reason = f"无法写入 {path.name}: {system_reason(exc)}(文件是否正被其他程序打开?)"
                else:
                    return SheetOutcome(row.household_id, row.number, row.head, path, None)
        except Exception as exc:  # noqa: BLE001 — one household's failure must not end the batch unsummed
            _raise_disk_failure(exc)
            reason = f"无法生成结算单: {type(exc).__name__}: {exc}"
        finally:   # once its worker is done with it: interrupted while waiting (SIGTERM, Ctrl+C), the worker may
            if started.done():   # write it yet, and leaving the batch removes it after the workers stop (__exit__)
                job.part.unlink(missing_ok=True)
                del self.jobs[index]
        return SheetOutcome(row.household_id, row.number, row.head, None, reason)

    def _reason(self, started: Future, job: _Job) -> str | None:
        try:
            return started.result()
        except (BrokenExecutor, CancelledError):   # a worker died (killed, out of memory): its sheets are made here
            self._in_process()
            return _render(job)

    def _start(self, index: int) -> Future | SheetOutcome:
        """Read the household's version and hand its sheet to a worker; the outcome now when there is none to print."""
        row = self.rows[index]

        def skip(reason: str) -> SheetOutcome:
            return SheetOutcome(row.household_id, row.number, row.head, None, reason)

        if row.status is Status.ABNORMAL:
            return skip(f"数据异常:{row.abnormal}")
        if row.status is Status.DRAFT:
            return skip("草稿,尚未保存测算结果")
        try:
            version = self.store.current_version(row.household_id)
            if version is None or version.result_json is None:
                return skip("草稿,尚未保存测算结果")
            filed = filing(self.store, row.number, version)
        except Exception as exc:  # noqa: BLE001 — a damaged version or a failing store must not end the batch
            return skip(f"无法生成结算单: {type(exc).__name__}: {exc}")
        part = self.folder / f"{PART_PREFIX}{os.getpid()}-{row.household_id}{PART_SUFFIX}"
        job = self.jobs[index] = _Job(version, filed, part, sheet_filename(row.number, row.head))
        try:
            return self.executor.submit(_render, job)
        except (BrokenExecutor, OSError, RuntimeError):   # no worker can be started here: the work is done here
            self._in_process()
            return self.executor.submit(_render, job)

    def _in_process(self) -> None:
        if not isinstance(self.executor, _InProcess):
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor, self.ahead = _InProcess(), 0


def _unique(name: str, household_id: int, used: set[str]) -> str:
    """The name, or one with the household's id (and a counter) added, that no sheet of the batch has yet.

    户号 "7", "7." and "7.." clean to the same name; a name made unique may equal another household's
    own name ("7-王(3)"), so each candidate is checked, never assumed free."""
    stem = name.removesuffix(SHEET_SUFFIX)
    candidates = (name if n == 0 else f"{stem}({household_id}{'' if n == 1 else f'-{n}'}){SHEET_SUFFIX}"
                  for n in count())
    name = next(candidate for candidate in candidates if candidate.casefold() not in used)  # Windows, macOS: no case
    used.add(name.casefold())
    return name


def _write_ledger(rows: Sequence[LedgerRow], path: Path, title: str) -> tuple[Path | None, str | None]:
    try:
        reports.ledger_xlsx([row.printable() for row in rows], path, title=title)
    except OSError as exc:
        return None, f"无法写入 {path.name}: {system_reason(exc)}(文件是否正被其他程序打开?)"
    except Exception as exc:  # noqa: BLE001 — the sheets are written; the summary must still say what happened
        return None, f"{type(exc).__name__}: {exc}"
    return path, None
