"""`landcomp ledger …`: the 台账 from a terminal, through the same actions as the app (ledger_actions).

PROJECT is a project file (`*.landcomp`) or a `postgresql://user@host:port/dbname` URL; a server's
password comes only from libpq's usual places (PGPASSWORD, ~/.pgpass, a service file). On a file
the audit log names `--actor` (default: $LANDCOMP_ACTOR, else the login name); on a server it
names the database role. Exit status as for every command, plus 3 when the project's rules refuse
(calculator.store.RefusedByRule). Nothing is written when a command fails.
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
from collections import Counter
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Iterator

from calculator.commands.cli import _dump, _say
from calculator.core.errors import CaseErrors, Incomplete, InputError
from calculator.core.files import check_folder_name, check_suffix
from calculator.app.ledger_actions import LedgerQuery, ProjectFile, create_project, money_text, open_project
from calculator.app.survey.importing import REFUSED, STEP_LABELS
from calculator.app.stored_cases import replaced_sheet, same_id_number, same_id_text
from calculator.core.limits import CASE_FILE_MAX_BYTES, check_text, refuse_bad_characters
from calculator.core.money import CENT, fmt_grouped, fmt_money, to_decimal
from calculator.store import Household, LedgerRow, Status
from calculator.store.base import RefusedByRule, ledger_totals

ROLES = ("assessor", "reviewer", "finance", "admin")
MAX_VERSION = 1_000_000  # a version number past this is a typing error (and past what SQLite's integers hold)


def add_commands(commands: argparse._SubParsersAction, parser_class: type) -> None:
    """The `ledger` command and its sub-commands (interfaces.md, "Project ledger commands")."""
    ledger = commands.add_parser("ledger", help="项目台账 / the project ledger")
    sub = ledger.add_subparsers(dest="ledger_command", required=True, parser_class=parser_class)

    def command(name: str, help_text: str, *, project: bool = True) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help_text)
        if project:
            parser.add_argument("project", help="项目文件或 postgresql:// 地址 / a project file or a postgresql:// URL")
            parser.add_argument("--actor", help="经办人(项目文件) / who the audit log names (project files)")
        return parser

    command("create", "新建项目 / a new, empty project").add_argument("--name", required=True)
    save = command("save", "保存一户的案例为新版本 / store a case as the household's next version")
    save.add_argument("household")
    save.add_argument("case", type=Path)
    save.add_argument("--base-version", type=int)
    save.add_argument("--reason")
    save.add_argument("--json", action="store_true")
    listing = command("list", "台账 / the households")
    listing.add_argument("--status")
    listing.add_argument("--search", default="")
    listing.add_argument("--json", action="store_true")
    show = command("show", "一户的案例与测算结果 / a household's case and result")
    show.add_argument("household")
    show.add_argument("--version", type=int)
    show.add_argument("--json", action="store_true")
    sign = command("sign", "标记已签字 / mark signed against the sheet's fingerprint")
    sign.add_argument("household")
    sign.add_argument("--fingerprint", required=True)
    pay = command("pay", "标记已支付 / mark paid, all or none")
    pay.add_argument("households", nargs="+")
    pay.add_argument("--batch", required=True)
    pay.add_argument("--total", help="only if the batch comes to this total (元), as the bank list says")
    recheck = command("recheck", "重新核验,解除数据异常 / end a 数据异常 finding once the data is sound")
    recheck.add_argument("household")
    recheck.add_argument("--reason", required=True, help="理由(如:数据已由管理员修复) / why")
    history = command("history", "变更记录 / the audit entries")
    history.add_argument("household")
    history.add_argument("--json", action="store_true")
    command("template", "调查表模板 / the survey workbook", project=False).add_argument("out", type=Path)
    survey = command("import", "导入调查表 / import a survey workbook")
    survey.add_argument("survey", type=Path)
    survey.add_argument("--dry-run", action="store_true")
    survey.add_argument("--include-hidden", action="store_true", help="隐藏的行、列和工作表一并读取")
    survey.add_argument("--json", action="store_true")
    command("sheets", "批量生成结算单 / settlement sheets of every printable household").add_argument("outdir", type=Path)
    command("export", "导出台账 / the ledger workbook").add_argument("out", type=Path)
    command("backup", "备份 / an SQLite copy of the project").add_argument("out", type=Path)
    command("restore", "从备份恢复 / replace the project's contents").add_argument("source", type=Path)
    summary = command("summary", "汇总与审计 / the project summary and audit")
    summary.add_argument("--json", action="store_true")
    summary.add_argument("--pdf", type=Path, help="汇总与审计 PDF / write the summary as PDF")
    summary.add_argument("--xlsx", type=Path, help="汇总与审计工作簿 / write the summary workbook")
    summary.add_argument("--as-of", help="资金预测的日期 YYYY-MM-DD(默认今天) / the day of the forecast (default today)")
    summary.add_argument("--recompute", action="store_true",
                         help="先用测算引擎重算每户 / recompute every household with the engine first")
    grant = command("grant", "授权数据库角色(服务器项目) / what a database role may do (server projects)")
    grant.add_argument("role")
    grant.add_argument("--as", dest="as_role", required=True, choices=ROLES)


def run(args: argparse.Namespace) -> str:
    """The output of one ledger command (raises the domain's errors; the caller maps them to exit codes)."""
    if args.ledger_command == "template":
        from calculator.engine.schedules import load_schedule
        from calculator.app.survey import refuse_filled_survey, write_template
        check_suffix(args.out, "xlsx", "OUT")
        refuse_filled_survey(args.out)
        write_template(args.out, load_schedule())
        return f"已写出调查表模板 / survey template written: {args.out}\n"
    if args.ledger_command == "create":
        created = create_project(args.project, args.name, _actor(args))
        created.close()
        return f"已新建项目「{created.name}」/ project created: {created.location}\n"
    with _opened(args) as project:
        return COMMANDS[args.ledger_command](project, args)


@contextmanager
def _opened(args) -> Iterator[ProjectFile]:
    project = open_project(args.project, _actor(args))
    try:
        yield project
    finally:
        project.close()


def _actor(args) -> str:
    return check_text((args.actor or os.environ.get("LANDCOMP_ACTOR") or getpass.getuser()).strip(), "actor",
                      "--actor")


def _household(project: ProjectFile, number: str) -> Household:
    refuse_bad_characters(number, "户号", "户号")   # echoed in the refusal: no control character reaches the terminal
    household = project.find_household(number)
    if household is None:
        raise InputError(f"台账中没有户号 {number}", f"no household numbered {number}", "户号")
    return household


def _save(project: ProjectFile, args) -> str:
    from calculator.engine.case import case_from_file
    from calculator.core.jsonfile import read_json
    try:
        case = case_from_file(read_json(args.case, CASE_FILE_MAX_BYTES, "案例文件"))
    except InputError as error:
        raise error.in_file(args.case) from None
    if args.base_version is not None and not 0 <= args.base_version <= MAX_VERSION:
        raise InputError(f"--base-version 应为 0 至 {MAX_VERSION} 的整数",
                         f"--base-version must be a whole number from 0 to {MAX_VERSION}")
    others = same_id_number(project.store, project.project.id, case.household.get("id_number", ""), args.household)
    registered = project.find_household(args.household)
    try:
        version = project.save_case(args.household, case, base_version=args.base_version, reason=args.reason)
    except CaseErrors as error:   # the case's own faults: said at the file, as `compensation` says them
        raise error.in_file(args.case) from None
    household = project.store.household(version.household_id)
    # what to check on the saved case (a midpoint, an override, a large quantity): said as `compensation` says it
    warnings = json.loads(version.result_json).get("warnings", []) if version.result_json else []
    if others:
        warnings.append(" / ".join(same_id_text(others)))
    if registered is not None and registered.number != args.household:   # 1 and 001 are one number
        warnings.insert(0, f"户号「{args.household}」即台账中已登记的「{household.number}」,已保存到该户 / household "
                           f"{args.household!r} is the registered {household.number!r}: saved to it")
    saved = {"household": household.number, "version": version.number, "status": household.status.label,
             "total": _money(version.total), "fingerprint": version.fingerprint, "warnings": warnings}
    if args.json:
        return _dump(saved)
    return (f"户号 {saved['household']} 第{saved['version']}版 {saved['status']} 合计 {money_text(version.total)} 元 "
            f"校验码 {saved['fingerprint']}\n" + _warning_lines(warnings))


def _warning_lines(warnings: list[str] | tuple[str, ...]) -> str:
    """提示 under a household, one a line (the messages `compensation` prints under 提示 / warnings)."""
    return "".join(f"  提示: {warning}\n" for warning in warnings)


def _list(project: ProjectFile, args) -> str:
    query = LedgerQuery(status=Status.parse(args.status) if args.status else None, text=args.search)
    rows = project.rows(query)
    # The totals of these very rows, each code of the version its row shows: read again apart, a save by another
    # user in between gave a code of another version than the amount beside it, or no totals at all (internal error)
    totals = ledger_totals(rows)
    fingerprints = {row.household_id: _fingerprint(project, row) for row in rows}
    listed = [{"household": row.number, "head": row.head, "address": row.address, "status": row.status.label,
               "version": row.version, "total": _money(row.total), "fingerprint": fingerprints[row.household_id],
               "building_area_m2": _money(row.building_area_m2), "incentive": _money(row.incentive),
               "replacement_m2": _money(row.replacement_m2), "assessor": row.assessor, "updated_at": row.updated_at,
               **({"abnormal": row.abnormal} if row.abnormal else {})} for row in rows]
    summed = {"households": totals.households, "total": _money(totals.total),
              "building_area_m2": _money(totals.building_area_m2), "incentive": _money(totals.incentive),
              "replacement_m2": _money(totals.replacement_m2), "abnormal": totals.abnormal}
    # households deleted behind the program's back: whatever the filter, said, as their money is in no total
    deleted = [{"household": row.number, "head": row.head, "abnormal": row.abnormal}
               for row in project.store.deleted_households()]
    if args.json:
        return _dump({"households": listed, "totals": summed, **({"deleted": deleted} if deleted else {})})
    from calculator.formats.text_report import table
    lines = [["户号", "户主", "状态", "版本", "补偿金额(元)", "校验码"]]
    lines += [[r["household"], r["head"], r["status"], str(r["version"] or ""), money_text(row.total),
               r["fingerprint"] or ""] for r, row in zip(listed, rows)]
    lines.append(["合计", f"{totals.households} 户", "", "", money_text(totals.total), ""])
    return table(lines, {4}) + "\n" + "".join(f"数据异常:户号 {d['household']} {d['head']} {d['abnormal']}\n"
                                              for d in deleted)


def _show(project: ProjectFile, args) -> str:
    from calculator.engine.results import compensation_json
    from calculator.app.stored_cases import checked_result
    household = project.store.check_household(_household(project, args.household).id)
    if args.version is not None and not 1 <= args.version <= MAX_VERSION:
        raise InputError(f"版本号应为 1 至 {MAX_VERSION} 的整数", f"--version must be a whole number from 1 to {MAX_VERSION}")
    version = (project.store.version(household.id, args.version) if args.version is not None
               else project.store.current_version(household.id))
    if version is None:
        raise InputError(f"户号 {household.number} 还没有案例", f"household {household.number} has no case yet")
    result = compensation_json(checked_result(version)) if version.result_json is not None else None
    # `status` is the household's: an earlier version shown is said to be one (its 第2版 was printed 已支付, never paid)
    current = version if version.id == household.current_version_id else project.store.current_version(household.id)
    shown = {"household": household.number, "version": version.number, "current_version": current.number,
             "status": household.status.label, "fingerprint": version.fingerprint,
             "case": json.loads(version.case_json), "result": result}
    if args.json:
        return _dump(shown)
    from calculator.engine.compensation import compute
    from calculator.formats.text_report import compensation_text
    status = (household.status.label if current is version
              else f"(不是当前版本:现为第{current.number}版,此户{household.status.label})")
    head = f"户号 {household.number} 第{version.number}版 {status} 校验码 {version.fingerprint}\n"
    replaces = replaced_sheet(project.store, version)   # as its sheet's 更正说明 says it
    head += f"更正说明:{replaces}\n" if replaces else ""
    return head + (compensation_text(compute(version.case())) if result is not None else "(草稿,尚未测算)\n")


def _sign(project: ProjectFile, args) -> str:
    if not args.fingerprint.strip():   # the action takes none as "sign unchecked" (the GUI's choice); here it is required
        raise InputError("--fingerprint 为空:请填写签字结算单上印的校验码",
                         "--fingerprint is empty: give the code printed on the signed sheet")
    household = project.sign(_household(project, args.household).id, args.fingerprint)
    return f"户号 {household.number} 已签字 / signed\n"


def _pay(project: ProjectFile, args) -> str:
    named = [_household(project, number) for number in args.households]
    times = Counter(household.id for household in named)   # 1 and 001: one household, paid once
    ids = list(times)
    again = list(dict.fromkeys(household.number for household in named if times[household.id] > 1))
    expected = None if args.total is None else to_decimal(args.total, "--total", "--total(批次合计)")
    if expected is not None and (expected < 0 or expected != expected.quantize(CENT)):   # 546616.304 said as .30
        raise InputError(f"--total(批次合计)应为不小于 0、至多两位小数的金额,不是 {args.total}",
                         f"--total must be an amount of at least 0 with at most two decimals, not {args.total}")
    twice = ("、".join(again), ", ".join(again))
    try:
        paid = project.pay(ids, args.batch, expected)
    except RefusedByRule as error:   # a bank list naming a household twice was blamed on an amendment: said first
        if again:
            raise error.prefixed(f"列表中户号 {twice[0]} 出现了不止一次,只计一次",
                                 f"{twice[1]} listed more than once, counted once") from None
        raise
    if again:
        _say(f"landcomp: 户号 {twice[0]} 列出了不止一次,只支付一次 / {twice[1]} listed more than once, paid once")
    listed = [[household.number, household.head, money_text(amount)]
              for household, amount in zip(paid.households, paid.amounts)]
    from calculator.formats.text_report import table
    return (table([["户号", "户主", "金额(元)"], *listed], {2})
            + f"\n{len(paid.households)} 户已支付(批次 {args.batch}),合计 {fmt_grouped(paid.total)} 元 / "
              f"{len(paid.households)} paid, {fmt_money(paid.total)}\n")


def _recheck(project: ProjectFile, args) -> str:
    household = _household(project, args.household)
    project.recheck(household.id, args.reason)
    return (f"户号 {household.number} 已重新核验,数据无异常,解除数据异常 / household {household.number} re-checked: "
            "sound, the finding ended\n")


def _history(project: ProjectFile, args) -> str:
    household = _household(project, args.household)
    lines = project.history(household.id)
    if args.json:   # the 户号 as registered (001), whichever way it was typed (1), as `save --json` names it
        return _dump({"household": household.number, "entries": [
            {"at": line.at, "actor": line.actor, "what": line.what} for line in lines]})
    return "".join(f"{line.at}  {line.actor}  {line.what}\n" for line in lines)


def _import(project: ProjectFile, args) -> str:
    from calculator.engine.schedules import load_schedule
    schedule = load_schedule()
    reading = project.read_survey(args.survey, schedule, include_hidden=args.include_hidden)
    # One pass: each household is planned (and saved) as it is checked; a problem anywhere in the survey raises
    # after the last household, inside the import's transaction, so nothing is kept.
    households = reading.all_or_none()
    # A household whose ledger version differs refuses the whole import (exit 3): a script has no preview to see it
    steps = project.plan_import(households) if args.dry_run \
        else project.import_survey(households, refuse_differing=True).steps
    planned = [{"household": step.number, "action": step.action, "label": step.text(),
                "total": _money(step.household.total), "warnings": list(step.household.warnings)} for step in steps]
    # by what is done to them: a household refused (不导入) was hidden in 共 2 户
    counts = {action: sum(step.action == action for step in steps) for action in STEP_LABELS}
    if counts[REFUSED]:   # only a dry run gets here with one; on stderr with --json too, for a script
        _say(f"landcomp: {args.survey}: {counts[REFUSED]} 户不能导入(原因见输出),导入将被拒绝,不导入任何住户 / "
             f"{counts[REFUSED]} households cannot be imported (the reasons in the output): the import would be "
             "refused, nothing imported")
    if args.json:
        return _dump({"dry_run": args.dry_run, "households": planned})
    done = "(试运行,未写入)" if args.dry_run else ""
    counted = ",".join(f"{label} {counts[action]}" for action, label in STEP_LABELS.items() if counts[action])
    return ("".join(f"{p['household']}  {p['label']}\n" + _warning_lines(p["warnings"]) for p in planned)
            + f"共 {len(planned)} 户{':' + counted if counted else ''}{done}\n")


def _sheets(project: ProjectFile, args) -> str:
    made = False
    if args.outdir.parent.is_dir() and not check_folder_name(args.outdir).exists():
        try:
            args.outdir.mkdir()  # the folder named; the batch writes into a folder of its own inside it
        except OSError as error:   # a folder that takes no new folder (read-only, not ours): the place chosen
            raise InputError(f"无法建立文件夹: {error.strerror}", f"cannot create the folder: {error.strerror}",
                             file=args.outdir) from None
        made = True
    try:
        _refuse_earlier_batch(args.outdir)
        try:
            summary = project.write_sheets(None, args.outdir)
        except KeyboardInterrupt:   # Ctrl+C, SIGTERM: the sheets written stay, whole, and are counted (as a full disk's)
            from calculator.app.batch import LEDGER_FILENAME
            files = _batch_files(args.outdir)
            if not files:
                raise
            sheets = sum(path.name != LEDGER_FILENAME for path in files)
            ledger = len(files) > sheets
            raise Incomplete(f"{args.outdir}: 已中断:已写入 {sheets} 份结算单{'和台账' if ledger else ',未写台账'};"
                             "重新生成请另选一个新文件夹\n"
                             f"{args.outdir}: interrupted: {sheets} sheets written, "
                             f"{'and the ledger' if ledger else 'no ledger'}; to make the batch again choose a new "
                             "folder") from None
        if summary.halted:
            raise Incomplete(f"{args.outdir}: {summary.text()}\n{args.outdir}: stopped: the folder takes no more files "
                             f"({summary.halted}); {len(summary.written)} sheets written, "
                             f"{summary.remaining} households not reached, no ledger written")
        if summary.ledger_error:   # every sheet, but no 台账 beside them: not the batch asked for
            raise Incomplete(f"{args.outdir}: {summary.text()}\n{args.outdir}: {len(summary.written)} sheets written, "
                             f"but the ledger could not be written: {summary.ledger_error}")
    except BaseException:   # failed (a full disk, Ctrl+C): the folder made for the batch goes too, when left empty
        if made:
            with suppress(OSError):
                args.outdir.rmdir()
        raise
    if summary.skipped:   # said on stderr too, for a script reading the exit status and stderr alone
        named = "、".join(outcome.number for outcome in summary.skipped)
        _say(f"landcomp: {args.outdir}: 跳过 {len(summary.skipped)} 户,未生成其结算单(原因见输出): {named} / "
             f"{len(summary.skipped)} households skipped, no sheet written for them (the reasons in the output): "
             f"{named}")
    return f"{args.outdir}: {summary.text()}\n"


def _refuse_earlier_batch(folder: Path) -> None:
    """A folder holding an earlier batch (its sheets, its 台账.xlsx) is refused: the new batch written into it left a
    household's sheet of an earlier version, or of one now 数据异常, beside the new 台账 (the app gives every batch a
    folder of its own)."""
    if _batch_files(folder):
        raise InputError(f"文件夹中已有结算单或台账(之前的一批),新旧结算单会混在一起;请另选一个新文件夹: {folder}",
                         f"the folder holds an earlier batch of sheets or its ledger, and the two would mix; "
                         f"choose a new folder: {folder}")


def _batch_files(folder: Path) -> list[Path]:
    """The sheets and the 台账 of a batch in `folder` (none when it is no folder)."""
    from calculator.app.batch import LEDGER_FILENAME, SHEET_SUFFIX
    if not folder.is_dir():
        return []
    return [path for path in folder.iterdir() if path.name == LEDGER_FILENAME or path.name.endswith(SHEET_SUFFIX)]


def _export(project: ProjectFile, args) -> str:
    from calculator.app.survey import refuse_filled_survey
    check_suffix(args.out, "xlsx", "OUT")
    refuse_filled_survey(args.out)
    count = project.export_ledger(LedgerQuery(), args.out)
    return f"已导出 {count} 户到 {args.out} / {count} households exported to {args.out}\n"


def _backup(project: ProjectFile, args) -> str:
    made = project.backup(args.out)
    return f"已备份到 {made} / backed up to {made}\n"


def _restore(project: ProjectFile, args) -> str:
    safety = project.restore(args.source, dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
    return f"已从 {args.source} 恢复;原内容另存为 {safety} / restored from {args.source}; what it replaced kept as {safety}\n"


def _summary(project: ProjectFile, args) -> str:
    from calculator.commands.cli import _export
    from calculator.core.limits import parse_date
    from calculator.app import summary as summaries
    from calculator.app.summary import project_summary, summary_json, summary_text
    as_of = parse_date(args.as_of, "as_of", "--as-of") if args.as_of is not None else None
    if args.as_of is not None and as_of is None:   # `--as-of ""` from a script whose variable was empty: not today
        raise InputError("--as-of 不能为空(不填则按今天)", "--as-of is empty (leave it out for today)", "--as-of")
    summary = project_summary(project, as_of, recompute=args.recompute)
    _export(args, summary, "summary", project.path, summaries)  # both files or neither, never over the project file
    return _dump(summary_json(summary)) if args.json else summary_text(summary)


def _grant(project: ProjectFile, args) -> str:
    grant = getattr(project.store, "grant", None)
    if grant is None:
        raise InputError("授权只用于服务器上的项目(postgresql://)", "grant applies to server projects only")
    grant(args.role, args.as_role)
    return f"已授权 {args.role} 为 {args.as_role} / {args.role} granted {args.as_role}\n"


COMMANDS = {"save": _save, "list": _list, "show": _show, "sign": _sign, "pay": _pay, "history": _history,
            "recheck": _recheck, "import": _import, "sheets": _sheets, "export": _export, "backup": _backup,
            "restore": _restore, "grant": _grant, "summary": _summary}


def _fingerprint(project: ProjectFile, row: LedgerRow) -> str | None:
    return project.store.version(row.household_id, row.version).fingerprint if row.version is not None else None


def _money(value: Any) -> str | None:
    return None if value is None else fmt_money(value)

