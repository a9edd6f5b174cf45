"""The `landcomp` command: compensation, landprice and items (see interfaces.md).

Exit status: 0 success; 2 bad input, with a message in Chinese and English that names the file
and the line; 3 refused by the project's rules (`landcomp ledger`, calculator/commands/ledger_cli.py); 1
anything else. Nothing is printed and no file is written unless the whole input is good.
"""
from __future__ import annotations

import _thread
import argparse
import codecs
import errno
import json
import os
import re
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Callable

from calculator.core.errors import CalculationError, Incomplete, InputError
from calculator.core.files import (PATH_REFUSALS, check_file_name, check_parent_folder, check_suffix, landings,
                                   same_file, system_reason)
from calculator.core.limits import CASE_FILE_MAX_BYTES, PARCEL_FILE_MAX_BYTES, visible

EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3
EXIT_FAILURE = 1


# argparse's own refusals, in Chinese: (its English as a pattern, the Chinese with the same groups).
_ARGPARSE_ZH = (
    (re.compile(r"the following arguments are required: (.+)"), "缺少参数: {0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数: {0}"),
    (re.compile(r"one of the arguments (.+) is required"), "须给出以下参数之一: {0}"),
    (re.compile(r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)"), "参数 {0} 的取值 {1} 无效,可选: {2}"),
    (re.compile(r"argument (.+?): invalid (\w+) value: (.+)"), "参数 {0} 的取值 {2} 不是有效的{1}"),
    (re.compile(r"argument (.+?): expected one argument"), "参数 {0} 缺少取值"),
    (re.compile(r"argument (.+?): not allowed with argument (.+)"), "参数 {0} 不能与 {1} 同用"),
    (re.compile(r"argument (.+?): given twice"), "参数 {0} 给出了两次"),
    (re.compile(r"ambiguous option: (.+?) could match (.+)"), "参数 {0} 有歧义,可能是 {1}"),
)


class _Once(argparse._StoreAction):
    """An option given twice is refused: --pdf a.pdf --pdf b.pdf wrote b.pdf alone, without a word."""

    def __call__(self, parser, namespace, values, option_string=None):
        given = namespace.__dict__.setdefault("_given_once", set())
        if option_string is not None and self.dest in given:
            parser.error(f"argument {option_string}: given twice")
        given.add(self.dest)
        super().__call__(parser, namespace, values, option_string)


class _Version(argparse.Action):
    """--version: the program's and its schedules' versions (calculator.version_text), read only when asked."""

    def __call__(self, parser, namespace, values, option_string=None):
        from calculator import version_text
        print(version_text())   # on stdout, as argparse's own version action writes it
        parser.exit()


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        # an option is written whole: `--pd x.pdf` was taken for --pdf, and a slip for another option it begins
        super().__init__(*args, allow_abbrev=False, **kwargs)
        self.register("action", None, _Once)   # every option that stores its value: once
        self.register("action", "store", _Once)

    def _print_message(self, message: str, file=None) -> None:
        """--help and --version written, or OSError: argparse's own dropped a full disk's, and exit 0 said nothing."""
        if message:
            (file or sys.stderr).write(message)

    def error(self, message: str):
        for pattern, zh in _ARGPARSE_ZH:
            if found := pattern.fullmatch(message):
                said = zh.format(*found.groups()).replace("不是有效的int", "不是整数")
                break
        else:
            said = message
        raise InputError(f"命令参数错误: {said}", f"bad command-line arguments: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="landcomp", description="堡子片区征地拆迁补偿测算 / 五台县基准地价测算")
    parser.add_argument("--version", action=_Version, nargs=0, help="程序版本和所用标准的版本 / the program's version")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    comp = commands.add_parser("compensation", help="一户的补偿测算 / itemized compensation of one household")
    comp.add_argument("case", type=Path)
    land = commands.add_parser("landprice", help="宗地地价测算 / price a parcel")
    land.add_argument("parcel", type=Path, nargs="?")
    land.add_argument("--grade")   # read as a parcel file's grade is: 2, "2" and "2.0" alike
    land.add_argument("--use")
    land.add_argument("--area")
    land.add_argument("--unit", choices=["m²", "m2", "亩"])   # m² when not given
    for sub in (comp, land):
        sub.add_argument("--json", action="store_true", help="JSON output (interfaces.md)")
        sub.add_argument("--pdf", type=Path, help="write the printed sheet as PDF")
        sub.add_argument("--xlsx", type=Path, help="write the workbook")
    items = commands.add_parser("items", help="补偿标准项目清单 / the schedule's items")
    items.add_argument("--json", action="store_true")
    from calculator.commands.ledger_cli import add_commands
    add_commands(commands, _Parser)
    return parser


def _terminated(signum, frame) -> None:
    """SIGTERM (kill, a session or service stopping) ends a command as Ctrl+C does: its temporary file removed, its
    transaction rolled back, one line said. Left to Python, it stopped at once and left a `.part` file behind."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None, *, process: bool = False) -> int:
    """Run one command; its exit status.

    `process`: the command is the whole process (`command`). Once it has ended, SIGTERM is ignored: its files are in
    place and its report printed, and a SIGTERM before the process was gone killed it with status 143 and nothing
    said, as if nothing had been written."""
    if threading.current_thread() is not threading.main_thread():   # only there can a handler be set
        return _main(argv)
    before = signal.signal(signal.SIGTERM, _terminated)
    try:
        return _main(argv)
    except KeyboardInterrupt:   # delivered again (`_unraisable`) past the command's own handling: its last steps
        return _failed("已中断 / interrupted")
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN if process else before)


def command() -> None:
    """The installed `landcomp` command (`python -m calculator`, the bundle's landcomp-cli): exits with main's status,
    once what it printed is written (`_flushed`)."""
    try:
        status = main(process=True)
    except SystemExit as end:   # --help and --version: argparse exits once it has printed
        status = end.code
    sys.exit(_flushed(status))


def _flushed(status: int) -> int:
    """`status`, with nothing left in stdout's or stderr's buffer: Python's own flush at exit, failing on a full disk or
    a reader gone, made every status 120 (a refusal said on a full stderr, `--version > /dev/full`). What is left
    unwritten on stdout is said as any result is (exit 1); a message stderr cannot take is dropped, the status tells."""
    if status == 0:
        status = _print("")   # only argparse's --help and --version print without flushing
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
    except OSError:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")   # nothing more reaches it, nor at exit
    return status


def _main(argv: list[str] | None) -> int:
    sys.unraisablehook = _unraisable
    if sys.stdout is not None and hasattr(sys.stdout, "reconfigure"):
        # A console that is not UTF-8 (GBK: a Windows console redirected to a file, a zh_CN.GBK terminal) has no ²
        # or –: printed as ?, never a traceback after the sheet was written (the JSON escapes them: `_dump`).
        sys.stdout.reconfigure(errors="replace")
    if getattr(sys, "frozen", False):   # a bundled program: the batch's worker processes start through it
        import multiprocessing
        multiprocessing.freeze_support()
    source, done = "", None
    landed = landings()
    try:
        args = build_parser().parse_args(argv)
        source = "" if args.command == "ledger" else str(getattr(args, "case", None) or getattr(args, "parcel", None) or "")
        done = _done(args)
        output = {"compensation": _compensation, "landprice": _landprice, "items": _items,
                  "ledger": _ledger}[args.command](args)
    except CalculationError as error:
        prefix = f"{source}: " if source else ""
        _say("\n".join(f"landcomp: {prefix}{line}" for line in error.message.splitlines()))
        from calculator.store.base import RefusedByRule, StoreFailure
        if isinstance(error, StoreFailure):   # no fault of the input: to be tried again
            return EXIT_FAILURE
        return EXIT_REFUSED if isinstance(error, RefusedByRule) else EXIT_BAD_INPUT
    except Incomplete as error:
        _say("\n".join(f"landcomp: {line}" for line in str(error).splitlines()))
        return EXIT_FAILURE
    except OSError as error:
        named = f"{error.filename}: " if error.filename else ""
        _say(f"landcomp: {named}无法读写文件 / cannot read or write the file ({system_reason(error)})")
        return EXIT_BAD_INPUT if error.errno in PATH_REFUSALS else EXIT_FAILURE
    except MemoryError:
        return _failed("内存不足 / out of memory")
    except KeyboardInterrupt:   # Ctrl+C: what a command writes goes to a temporary file or a transaction first
        return _interrupted(done, landings() != landed)
    except Exception as error:  # the edge: an unexpected failure is reported, never a traceback
        if _caused_by_interrupt(error):   # reportlab's bare `except:` made the interrupt its own ValueError
            return _interrupted(done, landings() != landed)
        return _failed(f"内部错误 / internal error: {type(error).__name__}: {error}")
    return _print(output, done)


def _interrupted(done: tuple[str, str] | None, landed: bool) -> int:
    """Ctrl+C or SIGTERM said: past the command's commit or its files' landing, as what it did."""
    if done and landed:
        return _failed(f"已中断,但{done[0]}(结果未输出)/ interrupted, but {done[1]} (the result was not printed)")
    return _failed("已中断,未完成的写入没有保存 / interrupted: nothing unfinished was written")


def _caused_by_interrupt(error: BaseException) -> bool:
    """An error raised while an interrupt was being handled: a library's bare `except:` turned it into its own."""
    seen = error.__context__
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__context__
    return False


# The ledger commands that change the project, and those that write a file: done by the time their report is printed.
SAVED = ("更改已保存", "the change was saved")
WRITTEN = ("文件已写入", "the files were written")
LEDGER_DONE = {**dict.fromkeys(("create", "save", "sign", "pay", "recheck", "import", "restore", "grant"), SAVED),
               **dict.fromkeys(("template", "sheets", "export", "backup"), WRITTEN)}


def _done(args: argparse.Namespace) -> tuple[str, str] | None:
    """What the command did that its report only tells of ((Chinese, English)), None when it changed nothing: a report
    lost on a full disk or a closed pipe must not leave a script retrying a payment that landed."""
    if args.command == "ledger" and args.ledger_command in LEDGER_DONE and not getattr(args, "dry_run", False):
        return LEDGER_DONE[args.ledger_command]
    return WRITTEN if getattr(args, "pdf", None) or getattr(args, "xlsx", None) else None   # a sheet, a summary


def _print(output: str, done: tuple[str, str] | None = None) -> int:
    """Write the result to stdout; a closed pipe or a full disk is one line on stderr and exit 1 (saying what the
    command did all the same: `done`)."""
    try:
        if sys.stdout is None:
            raise OSError(errno.EBADF, "标准输出已关闭 / standard output is closed")
        _write_out(visible(output))
    except KeyboardInterrupt:   # Ctrl+C while a long listing is printed: what was printed is cut short, and said
        if done:
            return _failed(f"已中断,{done[0]},但输出不完整 / interrupted: {done[1]}, but the output is incomplete")
        return _failed("已中断,输出不完整 / interrupted: the output is incomplete")
    except OSError as error:
        # Nothing more may reach the broken stream, not even at interpreter exit.
        if sys.stdout is not None:
            sys.stdout = open(os.devnull, "w", encoding="utf-8")
        if done:
            return _failed(f"{done[0]},但无法输出结果 / {done[1]}, but the result cannot be printed: "
                           f"{system_reason(error)}")
        return _failed(f"无法输出结果 / cannot write the result: {system_reason(error)}")
    return 0


def _write_out(text: str) -> None:
    """All of `text` on stdout, or OSError. Unbuffered (PYTHONUNBUFFERED, as scripts and CI often set), Python wrote into
    a pipe whose reader left part way (`| head`) the part the pipe held (64 KiB) and took it for all: the rest was lost
    with exit 0 and nothing said. The process's own stdout into a pipe or a file is written here, its line ends as
    Python writes them; a terminal, or a stdout put in its place (a test's, a tee), through that stream."""
    stream = sys.stdout
    if stream is not sys.__stdout__ or stream.isatty():
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    if os.linesep != "\n":   # Windows: Python's stdout writes \r\n
        text = text.replace("\n", os.linesep)
    rest = memoryview(text.encode(stream.encoding, stream.errors))
    while rest:
        rest = rest[os.write(stream.fileno(), rest):]   # a reader gone: EPIPE at the next write, an OSError


def _unraisable(unraisable) -> None:
    """What fails where Python cannot raise it (a finalizer, a weakref callback).

    An interrupt (SIGTERM by `_terminated`, Ctrl+C) landing there was printed as a traceback and then lost: the command
    ran on and exited 0. It is delivered again, as SIGTERM, by a new thread the hook does not wait for (a handler run
    from here, or while threading's start waits, raises here again), so that the main thread raises it once past the
    callback and the command stops as interrupted; landing in a callback again, it is delivered again. (SIGINT is
    ignored in a command started in the background, `&`, and a Ctrl+C ends a command as SIGTERM does.) A file
    the garbage collector closes after its write failed (a workbook's zip on a full disk) fails again as it closes:
    that failure was said once, naming its file, and is not printed again as a traceback."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        _thread.start_new_thread(_thread.interrupt_main, (signal.SIGTERM,))
    elif not isinstance(unraisable.exc_value, OSError):
        sys.__unraisablehook__(unraisable)


def _failed(message: str) -> int:
    _say(f"landcomp: {message}")
    return EXIT_FAILURE


def _say(text: str) -> None:
    """`text` on stderr. Closed (None: print would write to stdout instead) or failing (a full disk), it leaves the
    exit status alone to tell."""
    if sys.stderr is None:
        return
    try:
        print(visible(text), file=sys.stderr)
    except OSError:
        pass


def _ledger(args) -> str:
    from calculator.commands.ledger_cli import run
    return run(args)


def _read(path: Path, max_bytes: int, kind: str) -> Any:
    from calculator.core.jsonfile import read_json
    return read_json(path, max_bytes, kind)


def _compensation(args) -> str:
    from calculator.engine.case import case_from_file
    from calculator.engine.compensation import compute
    from calculator.engine.results import compensation_json
    from calculator.formats.text_report import compensation_text
    result = compute(case_from_file(_read(args.case, CASE_FILE_MAX_BYTES, "案例文件")))
    _export(args, result, "compensation", args.case)
    return _dump(compensation_json(result)) if args.json else compensation_text(result)


def _landprice(args) -> str:
    from calculator.engine.landprice import parcel_from_dict, price_parcel
    from calculator.engine.results import parcel_json
    from calculator.formats.text_report import parcel_text
    flags = [args.grade, args.use, args.area]
    if args.parcel is not None:
        if any(f is not None for f in [*flags, args.unit]):
            raise InputError("请只用地块文件或 --grade/--use/--area/--unit 之一",
                             "give a parcel file or --grade/--use/--area/--unit, not both")
        data = _read(args.parcel, PARCEL_FILE_MAX_BYTES, "地块文件")
    else:
        if any(f is None for f in flags):
            raise InputError("须给出地块文件,或同时给出 --grade --use --area",
                             "give a parcel file, or all of --grade, --use and --area")
        from calculator.core.money import to_decimal
        to_decimal(args.grade, "--grade", "级别")   # its refusal names the flag; the parcel reader reads it as a file's
        area_field = "area_mu" if args.unit == "亩" else "area_m2"
        data = {"grade": args.grade, "parts": [{"use": args.use, area_field: args.area}]}
    price = price_parcel(parcel_from_dict(data))
    _export(args, price, "parcel", args.parcel)
    return _dump(parcel_json(price)) if args.json else parcel_text(price)


def _items(args) -> str:
    from calculator.engine.schedules import load_schedule
    from calculator.formats.text_report import table
    schedule = load_schedule()
    listing = [{"key": item.key, "section": item.section, "kind": item.kind, "unit": item.unit,
                **item.rule.describe(item.spec), "params": [p.name for p in item.rule.params(item.spec)],
                "source": item.source, **({"reading": item.reading} if item.reading else {})}
               for item in schedule.items.values()]
    if args.json:
        return _dump({"schedule": schedule.id, "version": schedule.version, "document": schedule.document,
                      "items": listing})
    from calculator.engine.catalog import rate_summary
    rows = [["项目键", "章节", "单位", "标准", "参数"]]
    rows += [[item.key, item.section, item.unit, rate_summary(item, schedule),
              ", ".join(p.name for p in item.rule.params(item.spec))] for item in schedule.items.values()]
    return f"{schedule.title} ({schedule.document}) {len(listing)} 项\n" + table(rows, set()) + "\n"


def _export(args, result, kind: str, source: Path | None, writers_in=None) -> None:
    """Write the requested PDF and workbook together, before anything is printed: both or neither.
    The writers are `{kind}_pdf` and `{kind}_xlsx` of `writers_in` (calculator.formats.reports by default)."""
    targets = {fmt: getattr(args, fmt) for fmt in ("pdf", "xlsx") if getattr(args, fmt) is not None}
    if not targets:
        return
    from calculator.core.files import all_or_nothing
    if writers_in is None:
        from calculator.formats import reports as writers_in
    writers: dict[str, Callable] = {fmt: getattr(writers_in, f"{kind}_{fmt}") for fmt in ("pdf", "xlsx")}
    _check_targets(targets, source)
    fmt = ""
    try:
        with all_or_nothing():   # the files land as the block ends: a refusal to replace one comes from there
            for fmt, target in targets.items():
                try:
                    writers[fmt](result, target)
                except OSError as exc:
                    raise OSError(exc.errno, exc.strerror, str(target)) from None
    except PermissionError as exc:
        named = {str(path): name for name, path in targets.items()}.get(exc.filename, fmt)
        raise InputError(f"--{named} 无权写入: {exc.filename}", f"--{named}: permission denied: {exc.filename}") from None


def _check_targets(targets: dict[str, Path], source: Path | None) -> None:
    """Every output in an existing folder, none the input file, no two the same file, none named as another kind,
    no workbook written over a filled-in survey (calculator.app.survey.refuse_filled_survey)."""
    seen: dict[Path, str] = {}
    for fmt, target in targets.items():
        target = check_file_name(target, reading=False)   # a name the system cannot take (too long): bad input
        check_parent_folder(target, f"--{fmt}")
        if target.is_dir():
            raise InputError(f"--{fmt} 是一个文件夹: {target}", f"--{fmt} is a folder: {target}")
        resolved = target.resolve()
        if source is not None and (resolved == source.resolve() or same_file(target, source)):
            raise InputError(f"--{fmt} 不能覆盖输入文件 {source}", f"--{fmt} would overwrite the input file {source}")
        if resolved in seen or any(same_file(target, other) for other in seen):
            raise InputError(f"--{fmt} 与 --{seen.get(resolved, 'pdf')} 是同一个文件: {target}",
                             f"--{fmt} and --{seen.get(resolved, 'pdf')} name the same file: {target}")
        check_suffix(target, fmt, f"--{fmt}")
        if fmt == "xlsx":
            from calculator.app.survey import refuse_filled_survey
            refuse_filled_survey(target)
        seen[resolved] = fmt


def _dump(data: Any) -> str:
    """The JSON a command prints: Chinese as it is, or escaped (\\u00b2) on a stdout that cannot write every
    character (see main), so that the JSON read back is the JSON written."""
    return json.dumps(data, ensure_ascii=not _writes_unicode(sys.stdout), indent=2) + "\n"


def _writes_unicode(stream) -> bool:
    """Whether `stream` writes every character: UTF-8 (nearly every terminal and pipe), or no stream at all."""
    try:
        return stream is None or codecs.lookup(stream.encoding).name.startswith("utf")
    except (AttributeError, LookupError, TypeError):
        return False
