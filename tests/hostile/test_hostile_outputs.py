"""Outputs are all or nothing, never over the input, with the usual permissions; a killed export
leaves nothing for good; a closed stdout or a full disk is one line and exit 1."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from calculator.commands import cli
from calculator.formats import reports
from calculator.core.files import PART_PREFIX, file_stem

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "household.json"


ENV = {**os.environ, "PYTHONUTF8": "1", "PYTHONPATH": str(REPO)}
# stdout and stderr buffered, as in a user's shell (CI and this machine set PYTHONUNBUFFERED): what is left in their
# buffers Python flushes at exit, and a failure there made every exit status 120.
BUFFERED = {name: value for name, value in ENV.items() if name != "PYTHONUNBUFFERED"}


def landcomp(folder: Path, *args: str, **options) -> subprocess.CompletedProcess:
    """The real command in `folder`; stdout and stderr captured unless `options` say otherwise."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.run([sys.executable, "-m", "calculator", *args], cwd=folder, encoding="utf-8",
                          **{"env": ENV, "timeout": 120, **streams, **options})


def parts_left(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.startswith(PART_PREFIX)]


def test_when_the_workbook_fails_the_pdf_is_not_written_either(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "sheet.pdf").write_bytes(b"%PDF-1.4 last week's sheet")

    def refuses(result, path):
        raise ValueError("openpyxl refused a text")  # what IllegalCharacterError is
    monkeypatch.setattr(reports, "compensation_xlsx", refuses)
    status = cli.main(["compensation", str(EXAMPLE), "--pdf", str(tmp_path / "sheet.pdf"),
                       "--xlsx", str(tmp_path / "sheet.xlsx")])
    assert status == 1
    assert (tmp_path / "sheet.pdf").read_bytes() == b"%PDF-1.4 last week's sheet"
    assert sorted(os.listdir(tmp_path)) == ["sheet.pdf"]
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "openpyxl refused a text" in err


def test_an_unwritable_second_folder_leaves_the_first_output_unwritten(tmp_path) -> None:
    run = landcomp(tmp_path, "compensation", str(EXAMPLE), "--pdf", "sheet.pdf", "--xlsx", "/proc/sheet.xlsx")
    assert run.returncode in (1, 2) and "Traceback" not in run.stderr
    assert "/proc/sheet.xlsx" in run.stderr and run.stdout == ""
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("args", [("ledger", "template", "/proc/t.xlsx"), ("compensation", str(EXAMPLE), "--xlsx",
                                                                          "/proc/t.xlsx")])
def test_a_folder_that_takes_no_file_is_named_by_the_file_asked_for(tmp_path, args) -> None:
    """One line naming /proc/t.xlsx, never the temporary file written first (.landcomp-…-t.xlsx-….part), with the
    system's reason in both languages; a place the system refuses is the user's to change: bad input."""
    run = landcomp(tmp_path, *args)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and run.stdout == "", run.stderr
    assert "/proc/t.xlsx: 无法读写文件" in run.stderr and "路径不存在 / No such file or directory" in run.stderr
    assert PART_PREFIX not in run.stderr and ".part" not in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("second", ["sheet.pdf", "./sheet.pdf", "sub/../sheet.pdf"])
def test_two_outputs_naming_one_file_are_refused(tmp_path, second) -> None:
    (tmp_path / "sub").mkdir()
    run = landcomp(tmp_path, "compensation", str(EXAMPLE), "--pdf", "sheet.pdf", "--xlsx", second)
    assert run.returncode == 2 and "name the same file" in run.stderr and "同一个文件" in run.stderr
    assert os.listdir(tmp_path) == ["sub"]


def test_an_output_over_the_input_file_is_refused(tmp_path) -> None:
    source = tmp_path / "case.json"
    source.write_bytes(EXAMPLE.read_bytes())
    os.link(source, tmp_path / "same-file.json")
    for target in ("case.json", "same-file.json"):
        run = landcomp(tmp_path, "compensation", "case.json", "--pdf", target)
        assert run.returncode == 2 and "input file" in run.stderr and "输入文件" in run.stderr
        assert source.read_bytes() == EXAMPLE.read_bytes()


def test_new_outputs_get_the_umask_mode_and_replaced_ones_keep_theirs(tmp_path) -> None:
    kept = tmp_path / "kept.xlsx"
    kept.write_bytes(b"PK\x03\x04 an old workbook")
    kept.chmod(0o640)
    run = landcomp(tmp_path, "compensation", str(EXAMPLE), "--pdf", "new.pdf", "--xlsx", "kept.xlsx",
                   preexec_fn=lambda: os.umask(0o022))
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "new.pdf").stat().st_mode & 0o777 == 0o644
    assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_bytes()[:2] == b"PK"


def test_a_killed_export_leaves_nothing_after_the_next_write(tmp_path) -> None:
    """kill -9 while the sheet is being written; the next export to that folder removes the leftover."""
    case = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    case["items"] = case["items"] * 50  # 1,750 lines: the sheet takes long enough to be caught
    (tmp_path / "big.json").write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    writer = subprocess.Popen([sys.executable, "-m", "calculator", "compensation", "big.json", "--pdf", "sheet.pdf"],
                              cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not parts_left(tmp_path) and writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert parts_left(tmp_path), "the export finished before a temporary file was seen"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert not (tmp_path / "sheet.pdf").exists() and parts_left(tmp_path)
    run = landcomp(tmp_path, "compensation", str(EXAMPLE), "--xlsx", "other.xlsx")
    assert run.returncode == 0, run.stderr
    assert parts_left(tmp_path) == []
    assert sorted(os.listdir(tmp_path)) == ["big.json", "other.xlsx"]


def test_a_terminated_export_leaves_nothing_and_says_so(tmp_path) -> None:
    """SIGTERM (kill, a session ending) while the sheet is written stopped at once and left its .part file; it now
    ends as Ctrl+C does: the temporary file removed, one line said, exit 1."""
    case = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    case["items"] = case["items"] * 50
    (tmp_path / "big.json").write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    writer = subprocess.Popen([sys.executable, "-m", "calculator", "compensation", "big.json", "--pdf", "sheet.pdf"],
                              cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8")
    deadline = time.monotonic() + 60
    while not parts_left(tmp_path) and writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert parts_left(tmp_path), "the export finished before a temporary file was seen"
    writer.send_signal(signal.SIGTERM)
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 1 and out == "" and "Traceback" not in err
    assert err == "landcomp: 已中断,未完成的写入没有保存 / interrupted: nothing unfinished was written\n"
    assert sorted(os.listdir(tmp_path)) == ["big.json"]


def test_a_closed_stdout_is_one_line_and_exit_1(tmp_path) -> None:
    run = subprocess.run(f'"{sys.executable}" -m calculator compensation "{EXAMPLE}" >&-', shell=True, cwd=tmp_path,
                         env=ENV, stderr=subprocess.PIPE, encoding="utf-8", timeout=120)
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "standard output is closed" in run.stderr


def test_a_reader_leaving_a_long_result_part_way_is_said_not_exit_0(tmp_path) -> None:
    """`landcomp … --json | head -c 100` on a result past the pipe's 64 KiB: Python's write took what the pipe held for
    all of it, and the rest was lost with exit 0 and nothing said."""
    case = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    case["items"] = case["items"] * 30   # its JSON result is some 400 KB
    (tmp_path / "big.json").write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run(f'"{sys.executable}" -m calculator compensation big.json --json | head -c 100 >/dev/null; '
                         'exit "${PIPESTATUS[0]}"', shell=True, executable="/bin/bash", cwd=tmp_path, env=ENV,
                         stderr=subprocess.PIPE, encoding="utf-8", timeout=120)
    assert run.returncode == 1
    assert run.stderr == "landcomp: 无法输出结果 / cannot write the result: Broken pipe\n"


def test_a_sigterm_once_the_command_has_ended_leaves_its_exit_status(tmp_path) -> None:
    """A SIGTERM after the sheet was in place and the command had returned, before the process was gone, killed it with
    status 143 and nothing said: a script read "not written" over the new sheet. Sent as the interpreter ends here."""
    ending = ("import atexit, os, signal, sys; atexit.register(lambda: os.kill(os.getpid(), signal.SIGTERM)); "
              "sys.argv[1:] = ['compensation', sys.argv[1], '--pdf', 'sheet.pdf']; import runpy; "
              "runpy.run_module('calculator', run_name='__main__')")
    run = subprocess.run([sys.executable, "-c", ending, str(EXAMPLE)], cwd=tmp_path, env=ENV, capture_output=True,
                         encoding="utf-8", timeout=120)
    assert (run.returncode, run.stderr) == (0, "")
    assert (tmp_path / "sheet.pdf").read_bytes().startswith(b"%PDF")


def test_a_full_disk_for_stdout_is_one_line_and_exit_1(tmp_path) -> None:
    with open("/dev/full", "w") as full:
        run = landcomp(tmp_path, "compensation", str(EXAMPLE), "--json", stdout=full)
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "磁盘已满 / No space left on device" in run.stderr


@pytest.mark.parametrize("target", ["case.json", "project.landcomp"])
def test_a_workbook_is_never_written_over_a_file_of_another_kind(tmp_path, target) -> None:
    """--xlsx onto a case file or a project file (both exist) is refused; the file keeps its bytes."""
    (tmp_path / "case.json").write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "project.landcomp").write_bytes(b"SQLite format 3\x00" + bytes(100))
    before = (tmp_path / target).read_bytes()
    run = landcomp(tmp_path, "compensation", str(EXAMPLE), "--xlsx", target)
    assert run.returncode == 2 and "不会覆盖" in run.stderr and (tmp_path / target).read_bytes() == before
    run = landcomp(tmp_path, "compensation", str(EXAMPLE), "--pdf", target)
    assert run.returncode == 2 and (tmp_path / target).read_bytes() == before


@pytest.mark.parametrize("command, source", [("compensation", EXAMPLE), ("landprice", REPO / "examples" / "parcel.json")])
def test_an_output_name_too_long_for_the_file_system_is_refused_as_bad_input(tmp_path, command, source) -> None:
    """A 300-byte name was an OSError (exit 1, 'File name too long'); it is a typed name, refused before anything."""
    run = landcomp(tmp_path, command, str(source), "--pdf", "ok.pdf", "--xlsx", "a" * 300 + ".xlsx")
    assert run.returncode == 2 and "文件名或路径过长" in run.stderr and "too long to write" in run.stderr, run.stderr
    assert run.stdout == "" and os.listdir(tmp_path) == []


def test_an_output_onto_a_folder_is_refused_as_bad_input(tmp_path) -> None:
    (tmp_path / "adir").mkdir()
    run = landcomp(tmp_path, "ledger", "template", "adir")
    assert run.returncode == 2 and "文件夹" in run.stderr and os.listdir(tmp_path / "adir") == []


@pytest.mark.parametrize("name, stem", [
    ("堡子片区", "堡子片区"), ("2023/堡子.一期", "2023\uff0f堡子.一期"), ('a\\b:c*?"<>|', "a＼b：c＊？＂＜＞｜"),
    ("  .一期. ", "一期"), ("...", "项目"), ("CON.一期", "_CON.一期"), ("lpt1", "_lpt1"), ("CONSOLE", "CONSOLE")])
def test_a_project_name_becomes_a_file_name_every_system_can_hold(name, stem) -> None:
    """Backups, safety copies and exports are named after the project: no separator, no character Windows
    refuses, no device name (CON, LPT1), no dots or spaces at the ends, never empty."""
    assert file_stem(name) == stem


@pytest.mark.parametrize("make", ["fifo", "link to a device"])
def test_an_output_onto_a_pipe_or_a_device_is_refused_and_left_as_it_is(tmp_path, make) -> None:
    """--pdf /dev/null (as root) made /dev/null a plain file, and a named pipe hung the export for ever."""
    target = tmp_path / "out.pdf"
    if make == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to(os.devnull)
    run = landcomp(tmp_path, "landprice", str(REPO / "examples" / "parcel.json"), "--pdf", "out.pdf", timeout=60)
    zh, en = ("不是普通文件", "not a regular file") if make == "fifo" else ("是指向 /dev/null 的链接", "a link to /dev/null")
    assert run.returncode == 2 and zh in run.stderr and en in run.stderr, run.stderr
    assert (target.is_fifo() if make == "fifo" else os.readlink(target) == os.devnull)
    assert os.path.exists(os.devnull) and not os.path.isfile(os.devnull)
    assert sorted(os.listdir(tmp_path)) == ["out.pdf"]


@pytest.mark.parametrize("points_to", ["a sheet", "the command's own output"])
def test_an_output_that_is_a_link_is_refused_and_the_link_kept(tmp_path, points_to) -> None:
    """--pdf /dev/stdout (a link to /proc/self/fd/1) with the output sent to a file replaced the machine's
    /dev/stdout by a PDF; a link to a sheet elsewhere became a plain file, the sheet it named left as it was."""
    named = tmp_path / "elsewhere" / "旧结算单.pdf"
    named.parent.mkdir()
    named.write_bytes(b"%PDF-1.4 old sheet")
    target = tmp_path / "out.pdf"
    if points_to == "a sheet":
        target.symlink_to(named)
        run = landcomp(tmp_path, "landprice", str(REPO / "examples" / "parcel.json"), "--pdf", "out.pdf")
    else:   # as /dev/stdout is, with stdout sent to elsewhere/旧结算单.pdf
        target.symlink_to("/proc/self/fd/1")
        with open(named, "ab") as stdout:
            run = landcomp(tmp_path, "landprice", str(REPO / "examples" / "parcel.json"), "--pdf", "out.pdf",
                           stdout=stdout)
    assert run.returncode == 2 and "链接" in run.stderr and "is a link to" in run.stderr, run.stderr
    assert target.is_symlink() and named.read_bytes() == b"%PDF-1.4 old sheet"


def test_a_read_only_output_is_refused_and_kept(tmp_path) -> None:
    """A sheet made read-only (an archived copy, chmod 444) was replaced by the rename without a word, the new one
    read-only in its place (Windows refuses the same rename). Nothing else of the command is written either."""
    sheet = tmp_path / "结算单.pdf"
    sheet.write_bytes(b"%PDF-1.4 archived sheet")
    sheet.chmod(0o444)
    run = landcomp(tmp_path, "compensation", str(REPO / "examples" / "household.json"), "--pdf", sheet.name,
                   "--xlsx", "明细.xlsx")
    assert run.returncode == 2 and "是只读文件(或您无权写入),不会覆盖它" in run.stderr and "is read-only" in run.stderr, run.stderr
    assert run.stdout == "" and sheet.read_bytes() == b"%PDF-1.4 archived sheet"
    assert sorted(os.listdir(tmp_path)) == ["结算单.pdf"]


def test_an_output_named_as_an_open_projects_journal_is_refused_and_nothing_saved_is_lost(tmp_path) -> None:
    """`summary --xlsx p.landcomp-wal` replaced the journal of a project another landcomp had open: what it saved
    next went to a deleted file, and the project was left damaged."""
    from calculator.store import SqliteStore
    project = tmp_path / "p.landcomp"
    assert landcomp(tmp_path, "ledger", "create", "p.landcomp", "--name", "堡子片区",
                    env={**ENV, "LANDCOMP_ACTOR": "李明"}).returncode == 0
    with SqliteStore(project, actor="李明") as store:      # the app, with the project open
        journal = Path(f"{project}-wal")
        before = journal.read_bytes()
        for output in ("--xlsx", "--pdf"):
            run = landcomp(tmp_path, "ledger", "summary", "p.landcomp", output, "p.landcomp-wal")
            assert run.returncode == 2 and "日志文件" in run.stderr and "journal" in run.stderr, run.stderr
        assert journal.read_bytes() == before
        store.add_household(store.projects()[0].id, "0006")
    assert "0006" in landcomp(tmp_path, "ledger", "list", "p.landcomp").stdout


def test_a_text_file_is_never_written_over_a_project(tmp_path) -> None:
    """A case saved (atomic_write_text, which checks no kind) under the name of a project file leaves it whole."""
    from calculator.core.errors import InputError
    from calculator.core.files import atomic_write_text
    project = tmp_path / "p.landcomp"
    project.write_bytes(b"SQLite format 3\x00" + bytes(100))
    with pytest.raises(InputError) as refused:
        atomic_write_text(project, "{}")
    assert "是项目(数据库)文件,不会覆盖它" in refused.value.zh and "is a project (database) file" in refused.value.en
    assert project.read_bytes() == b"SQLite format 3\x00" + bytes(100) and os.listdir(tmp_path) == ["p.landcomp"]


def test_an_export_onto_the_project_the_app_has_open_is_refused_without_reading_it(tmp_path, monkeypatch) -> None:
    """The project open in this process is refused by its journal: opening it to look at its first bytes, then
    closing it, would drop the locks SQLite holds on it here."""
    import builtins
    from calculator.core.errors import InputError
    from calculator.core.files import atomic_write
    from calculator.store import SqliteStore
    opened, real_open = [], builtins.open

    def watched(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)
    with SqliteStore(tmp_path / "p.landcomp", actor="李明") as store:
        store.create_project("堡子片区")
        monkeypatch.setattr(builtins, "open", watched)
        with pytest.raises(InputError, match="正在使用的数据库"):
            atomic_write(tmp_path / "p.landcomp", lambda tmp: tmp.write_bytes(b"PK\x03\x04"), "xlsx")
        monkeypatch.undo()
    assert str(tmp_path / "p.landcomp") not in opened


def test_an_existing_output_that_cannot_be_replaced_is_refused_with_nothing_left_beside_it(tmp_path, monkeypatch,
                                                                                           capsys) -> None:
    """An immutable a.pdf (or another user's, in a shared folder) gave exit 1 and left a .part file behind: the
    file made to move the old one aside was never removed."""
    import errno
    from calculator.core import files
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4 last week's sheet")
    real_replace = os.replace

    def immutable(source, destination):
        if Path(source) == tmp_path / "a.pdf":
            raise PermissionError(errno.EPERM, "Operation not permitted", str(source), None, str(destination))
        return real_replace(source, destination)
    monkeypatch.setattr(files.os, "replace", immutable)
    status = cli.main(["landprice", str(REPO / "examples" / "parcel.json"), "--pdf", str(tmp_path / "a.pdf")])
    out, err = capsys.readouterr()
    assert status == 2 and out == "" and "--pdf 无权写入" in err and "permission denied" in err and "a.pdf" in err
    assert os.listdir(tmp_path) == ["a.pdf"] and (tmp_path / "a.pdf").read_bytes() == b"%PDF-1.4 last week's sheet"


@pytest.mark.parametrize("args", [["--pdf", "sheet.xlsx"], ["--xlsx", "sheet.pdf"], ["--pdf", "case.json"]])
def test_an_output_named_as_another_kind_of_file_is_refused(tmp_path, args) -> None:
    """A PDF written as sheet.xlsx opens in no program (Excel refuses it); the name is a slip of the hand."""
    run = landcomp(tmp_path, "compensation", str(EXAMPLE), *args)
    assert run.returncode == 2 and "文件名却以" in run.stderr and "but the name ends in" in run.stderr, run.stderr
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("code, zh, status", [("EPERM", "不允许此操作", 2), ("EROFS", "所在磁盘只读", 2),
                                              ("ENOSPC", "磁盘已满", 1)])
def test_a_file_the_system_will_not_write_is_said_in_both_languages(tmp_path, monkeypatch, capsys, code, zh,
                                                                   status) -> None:
    """`ledger template` into a folder the user may not write gave exit 1 and the system's English alone. A place
    the system refuses is the user's to change (exit 2); a full disk is not bad input (exit 1)."""
    import errno
    from calculator.core import files

    def refused(source, destination):
        raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)), str(source))
    monkeypatch.setattr(files.os, "replace", refused)
    assert cli.main(["ledger", "template", str(tmp_path / "调查表.xlsx")]) == status
    out, err = capsys.readouterr()
    assert out == "" and f"调查表.xlsx: 无法读写文件 / cannot read or write the file ({zh} / " in err, err
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("stderr", ["2>&-", "2>/dev/full"])
@pytest.mark.parametrize("args, status", [("compensation bad.json", 2),
                                          (f'ledger save p.landcomp 001 "{EXAMPLE}" --base-version 3', 3)])
def test_a_refusal_with_no_stderr_to_say_it_on_keeps_its_exit_status_and_nothing_on_stdout(tmp_path, stderr, args,
                                                                                            status) -> None:
    """With stderr closed, the message went to stdout (print to a None stream does); with stderr full, the
    failure to print it escaped as exit 1, and then Python's flush of stderr at exit made it 120."""
    (tmp_path / "bad.json").write_text('{"items": [{"item": "不存在"}]}', encoding="utf-8")
    assert landcomp(tmp_path, "ledger", "create", "p.landcomp", "--name", "堡子片区").returncode == 0
    run = subprocess.run(f'"{sys.executable}" -m calculator {args} {stderr}', shell=True, cwd=tmp_path,
                         env=BUFFERED, stdout=subprocess.PIPE, encoding="utf-8", timeout=120)
    assert run.returncode == status and run.stdout == ""


@pytest.mark.parametrize("option, stdout, reason", [("--version", ">/dev/full", "No space left on device"),
                                                    ("--version", ">&-", "standard output is closed"),
                                                    ("--help", ">/dev/full", "No space left on device")])
def test_the_version_or_help_on_a_stdout_that_takes_nothing_is_one_line_and_exit_1(tmp_path, option, stdout,
                                                                                     reason) -> None:
    """`landcomp --version > /dev/full` (or `| true`, its reader gone) exited 120 with nothing said, and with stdout
    closed 0: argparse prints them, and left them to Python's flush at exit."""
    run = subprocess.run(f'"{sys.executable}" -m calculator {option} {stdout}', shell=True, cwd=tmp_path,
                         env=BUFFERED, stderr=subprocess.PIPE, encoding="utf-8", timeout=120)
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "cannot write the result: " in run.stderr and reason in run.stderr
    # unbuffered (as CI and scripts often run), argparse's own printing dropped the full disk's error: exit 0, silent
    run = subprocess.run(f'"{sys.executable}" -m calculator {option} {stdout}', shell=True, cwd=tmp_path,
                         env={**BUFFERED, "PYTHONUNBUFFERED": "1"}, stderr=subprocess.PIPE, encoding="utf-8", timeout=120)
    assert run.returncode == 1 and run.stderr.count("\n") == 1 and reason in run.stderr
