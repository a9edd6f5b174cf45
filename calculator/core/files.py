"""Files are written whole or not at all: a temporary file beside the target, then a rename.

Several files written inside `all_or_nothing()` land together: each is first written beside its
target, and only when every one is finished are they moved into place; if anything fails, no
target is created or changed. A temporary file carries our name and the writing process's id
(`.landcomp-<pid>-<name>-<random>.part`), so one left behind by a killed process is removed by
the next write to that folder. Finished files get the usual permissions (the umask's, or those
of the file they replace), not the private mode temporary files are created with.
"""
from __future__ import annotations

import contextvars
import errno
import os
import stat
import tempfile
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from calculator.core.errors import CalculationError, InputError

PART_PREFIX = ".landcomp-"
PART_SUFFIX = ".part"
# Where a process's liveness cannot be asked (Windows), a leftover older than this is stale.
STALE_AFTER_S = 24 * 3600

# What a file of each kind the program writes begins with: an existing file at the target that does
# not is some other document (a case, a project, a survey …) and is never written over.
SIGNATURES = {"pdf": (b"%PDF-", "PDF"), "xlsx": (b"PK\x03\x04", "Excel 工作簿")}
WORKBOOK_PART = "xl/workbook.xml"   # what of a zip makes it a workbook (not a .docx, a .pptx or a .zip)
# A project (any SQLite database) is never written over, whatever is written, nor the files SQLite keeps
# beside one while it is open: replacing p.landcomp-wal loses what was saved since the last checkpoint.
SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

# The longest name of a file or folder that file systems take (ext4, NTFS, APFS, exFAT): bytes on POSIX, UTF-16
# units on Windows. A file written needs room beside its name for SQLite's "-journal" (a project file) or ".part".
NAME_MAX = 255
WRITE_ROOM = len("-journal")

# Read once, at import (os.umask can only be read by setting it, which other threads would see).
_UMASK = os.umask(0)
os.umask(_UMASK)

# What the system answers of a file, in Chinese beside its own English words (strerror).
_SYSTEM_REASONS_ZH = {
    errno.EACCES: "没有权限", errno.EPERM: "不允许此操作", errno.EROFS: "所在磁盘只读", errno.ENOENT: "路径不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹", errno.EISDIR: "这是文件夹", errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "超出磁盘配额", errno.EIO: "磁盘读写出错", errno.EBUSY: "文件正被使用", errno.ETXTBSY: "文件正被使用",
}
# A file the user named that the system will not let be read or written where it is: theirs to change (bad
# input), unlike a full disk or a failing one.
PATH_REFUSALS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR, errno.EISDIR})
# A disk that takes no more writes, whatever the file: full, over its quota, made read-only or failing. A batch of
# files stops at the first of these rather than fail every file after it alike.
DISK_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO})


def system_reason(error: OSError) -> str:
    """The system's reason for `error`, in Chinese and English: 没有权限 / Permission denied."""
    english = error.strerror or str(error)
    chinese = _SYSTEM_REASONS_ZH.get(error.errno)
    return f"{chinese} / {english}" if chinese else english


# How many writes have landed in this process (files moved into place, changes committed to a project): a command
# interrupted after its own landed says so, not "nothing written" (a save retried, a payment paid again).
_landings = 0


def note_landing() -> None:
    """A write has landed: its file is in place, or its change committed."""
    global _landings
    _landings += 1


def landings() -> int:
    """How many writes have landed in this process (note_landing)."""
    return _landings


_staged: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar("staged", default=None)


def check_file_name(path: str | os.PathLike[str], *, reading: bool) -> Path:
    """`path` when a file system can name it; else InputError naming it, as a file to read or to write: no name
    at all ("" or "."), a NUL or a lone surrogate no system can encode, a part longer than NAME_MAX (a name to
    write: with WRITE_ROOM to spare), or the whole longer than the system's PATH_MAX (which it reports)."""
    path = Path(path)
    if not path.name:
        raise InputError(f"请填写文件名(「{path}」不是文件名)", f"a file name is needed ({str(path)!r} is none)")
    if not reading and str(path) == "-":   # stdout, as other commands read it: the output went to a file named "-"
        raise InputError("「-」不是文件名:结算单、工作簿等文件不写到标准输出,请给出文件名",
                         "'-' is no file name here: sheets, workbooks and other files are not written to standard "
                         "output; give a file name")
    try:
        longest = max(_name_length(part) for part in path.parts)
        too_long = longest > NAME_MAX or (not reading and _name_length(path.name) + WRITE_ROOM > NAME_MAX)
        if not too_long:
            os.stat(path)
    except ValueError:  # a NUL, or a surrogate that is no byte of a name read with surrogateescape
        raise InputError("文件名含有不能用于文件名的字符", "the file name holds a character no file name may hold",
                         file=shown_path(path)) from None
    except OSError as error:
        too_long = error.errno == errno.ENAMETOOLONG
    if too_long:
        most = NAME_MAX if reading else NAME_MAX - WRITE_ROOM
        doing, done = ("读取", "read") if reading else ("写入", "write")
        raise InputError(f"文件名或路径过长,无法{doing}(文件名最多 {most} 字节)",
                         f"the file name or path is too long to {done} (a name is at most {most} bytes)",
                         file=shown_path(path))
    return path


def check_folder_name(folder: str | os.PathLike[str]) -> Path:
    """`folder`, to be written into, when a file system can name it; the current folder ("" or ".") has no
    name to check."""
    folder = Path(folder)
    return check_file_name(folder, reading=False) if folder.name else folder


# Characters no file name may hold on one of the systems the app runs on (Windows refuses all of them,
# Linux the slash), and what each becomes in a name made from a project's name: its full-width form.
NAME_REPLACEMENTS = str.maketrans({char: chr(ord(char) + 0xFEE0) for char in '/\\:*?"<>|'})


# Names Windows keeps for devices, alone or before a dot (CON, CON.txt): a file cannot be named so there.
WINDOWS_DEVICES = frozenset(("CON", "PRN", "AUX", "NUL", *(f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10))))


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether `a` and `b` are one file: the same path, a link to it, or another hard link of it."""
    try:
        return os.path.samefile(a, b)
    except OSError:   # either one missing or unreadable: not known to be one file
        return False


def file_stem(name: str) -> str:
    """`name` (a project's, which may hold any printable character) made fit to begin a file name: a character
    no file name may hold in its full-width form (堡子/一期 → 堡子/一期 with U+FF0F), without the leading and
    trailing dots and spaces Windows drops, and a Windows device name (CON.一期) after an underscore; "项目"
    when nothing is left."""
    stem = name.translate(NAME_REPLACEMENTS).strip(" .") or "项目"
    return f"_{stem}" if stem.partition(".")[0].rstrip(" ").upper() in WINDOWS_DEVICES else stem


def shown_path(path: str | os.PathLike[str]) -> str:
    """`path` as a message can show it: a character UTF-8 cannot carry (a lone surrogate) as \\uXXXX."""
    return os.fspath(path).encode("utf-8", "backslashreplace").decode("utf-8")


def _name_length(name: str) -> int:
    return len(name.encode("utf-16-le")) // 2 if os.name == "nt" else len(os.fsencode(name))


def check_regular_file(path: str | os.PathLike[str], zh: str, en: str,
                       error: type[CalculationError] = InputError) -> None:
    """`error` unless `path` is a regular file to read as a `zh` (备份文件; `en`: backup file): a folder, a device
    or a pipe (/dev/zero) is called what it is and never opened; a missing file is said to be missing, one the system
    will not show (a folder the user may not enter) with the system's reason: a shared project said "does not exist"
    was started anew."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise error(f"{zh}不存在", f"the {en} does not exist", file=path) from None
    except OSError as failed:
        raise error(f"无法读取{zh}({system_reason(failed)})", f"cannot read the {en} ({system_reason(failed)})",
                    file=path) from None
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise error(f"这是一个文件夹,不是{zh}", f"that is a folder, not a {en}", file=path)
    raise error(f"这不是{zh}(不是普通文件)", f"not a {en} (not a regular file)", file=path)


# The kinds of file a name's suffix says it is: an output named as another kind (a workbook called s.pdf) would
# open in the wrong program, or not at all.
KNOWN_SUFFIXES = (".pdf", ".xlsx", ".json", ".landcomp")


def check_suffix(target: Path, fmt: str, option: str) -> None:
    """InputError when a new `target` is named as a kind of file other than `fmt` (no suffix, or another, is fine;
    an existing file of another kind is refused as such when it is written, _refuse_foreign); `option` names what
    asked for it (--pdf, OUT)."""
    suffix = target.suffix.lower()
    if suffix in KNOWN_SUFFIXES and suffix != f".{fmt}" and not os.path.lexists(target):
        raise InputError(f"{option} 写的是 {fmt.upper()} 文件,文件名却以 {target.suffix} 结尾: {target.name}",
                         f"{option} writes a {fmt} file, but the name ends in {target.suffix}: {target.name}")


def check_parent_folder(target: Path, option: str = "") -> None:
    """InputError when the folder a file is to be written into does not exist (a path typed wrong), or is a file;
    `option`: the command-line option that named the file (--pdf), said first."""
    zh, en = (f"{option} 的", f"{option}: ") if option else ("", "")
    if not target.parent.is_dir():
        if target.parent.exists():   # hh.json/x.pdf: a file where a folder was meant
            raise InputError(f"{zh}上级不是文件夹: {target.parent}", f"{en}not a directory: {target.parent}")
        raise InputError(f"{zh}目录不存在: {target.parent}", f"{en}no such directory: {target.parent}")


def atomic_write(target: Path, write: Callable[[Path], None], kind: str | None = None) -> None:
    """Call `write(tmp_path)`, then move the finished file onto `target`; on failure leave nothing.

    With `kind` ("pdf", "xlsx"), an existing file at `target` is replaced only if it is one of that kind."""
    target = check_file_name(target, reading=False)
    check_parent_folder(target)
    _refuse_foreign(target, kind)
    remove_leftovers(target.parent)
    tmp = _temporary(target)
    try:
        write(tmp)
        _set_mode(tmp, target)
        staged = _staged.get()
        if staged is not None:
            staged.append((tmp, target))
            return
        os.replace(tmp, target)
        note_landing()
    except OSError as error:   # (a full disk): named by the file asked for, never by our temporary one
        tmp.unlink(missing_ok=True)
        raise _naming(error, target) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _refuse_foreign(target: Path, kind: str | None) -> None:
    """InputError when what is at `target` is never written over: a folder; a link (a rename replaces the link, not
    what it names); a device or a pipe (/dev/null, which a rename would replace by a file); a read-only file; a
    database's journal beside it; a project or other SQLite database; with `kind`, a file of another kind."""
    if target.is_dir():
        raise InputError(f"这是一个文件夹,不能写成文件: {target}", f"this is a folder, not a file: {target}")
    if os.path.islink(target):   # the rename replaces the link, never the file it names (/dev/stdout became a PDF)
        raise InputError(f"「{target.name}」是指向 {os.path.realpath(target)} 的链接,不会替换它;请写到它所指的文件或另选文件名",
                         f"{target.name} is a link to {os.path.realpath(target)}; it is not replaced (write to the "
                         "file it names, or choose another name)", file=shown_path(target))
    if os.path.lexists(target) and not target.is_file():
        raise InputError(f"「{target.name}」不是普通文件,不能写入;请另选文件名",
                         f"{target.name} is not a regular file and is not written to (choose another name)",
                         file=shown_path(target))
    if target.is_file() and (not os.access(target, os.W_OK) or not target.stat().st_mode & 0o222):
        # made read-only (an archived sheet): the rename would replace it all the same on Linux and macOS, as
        # Windows never does; no write bit at all is read-only to root too
        raise InputError(f"「{target.name}」是只读文件(或您无权写入),不会覆盖它;请另选文件名",
                         f"{target.name} is read-only (or not yours to write); it is not replaced (choose another name)",
                         file=shown_path(target))
    database = journal_of(target)
    if database is not None:
        raise InputError(f"「{target.name}」是数据库「{database.name}」的日志文件,不能写成别的文件;请另选文件名",
                         f"{target.name} is the journal of the database {database.name}; it is not replaced "
                         "(choose another name)", file=shown_path(target))
    if in_use(target):  # refused by its journal alone: reading it here might drop this process's own locks
        raise InputError(f"「{target.name}」是正在使用的数据库,不会覆盖它;请另选文件名",
                         f"{target.name} is a database in use; it is not replaced (choose another name)",
                         file=shown_path(target))
    try:
        with open(target, "rb") as existing:
            head = existing.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as error:
        raise InputError(f"无法检查已有的文件 {target.name}: {error.strerror}",
                         f"cannot check the existing file {target.name}: {error.strerror}") from None
    if head.startswith(SQLITE_HEADER):
        raise InputError(f"「{target.name}」是项目(数据库)文件,不会覆盖它;请另选文件名",
                         f"{target.name} is a project (database) file; it is not replaced (choose another name)")
    signature, name = SIGNATURES.get(kind, (None, ""))
    if signature is not None and head and (not head.startswith(signature) or kind == "xlsx" and not _workbook(target)):
        raise InputError(f"「{target.name}」已存在且不是{name}文件,不会覆盖它;请另选文件名",
                         f"{target.name} exists and is not a {kind} file; it is not replaced (choose another name)")


def _workbook(path: Path) -> bool:
    """Whether the zip at `path` may be an Excel workbook: a Word document, a slide show or any .zip begins as one
    does, and `--xlsx letter.docx` replaced the letter. One that cannot be read as a zip (a workbook cut short) may
    have been one, and is replaced as before."""
    try:
        with zipfile.ZipFile(path) as package:
            return WORKBOOK_PART in package.namelist()
    except (zipfile.BadZipFile, OSError):
        return True


def in_use(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is an SQLite database some process has open (its journal beside it), judged without opening it.

    SQLite's locks are POSIX record locks: on Linux and macOS, closing *any* descriptor of a file in a process drops
    all the locks that process holds on it. A project open here, opened and closed again by anything but SQLite (to
    read a case, a survey, a file's first bytes), would lose its locks, and another landcomp, thinking itself the
    last user, would delete the journal this process still writes to."""
    return any(os.path.lexists(f"{os.fspath(path)}{companion}") for companion in SQLITE_COMPANIONS)


def journal_of(path: Path) -> Path | None:
    """The database `path` is the journal (-wal, -shm, -journal) of, when that database exists."""
    for companion in SQLITE_COMPANIONS:
        if path.name.endswith(companion) and path.name != companion:
            database = path.with_name(path.name.removesuffix(companion))
            if database.is_file():
                return database
    return None


def refuse_database(path: Path, zh: str, en: str) -> None:
    """InputError when `path`, to be read as a `zh` (调查表文件; `en`: survey workbook), is a database in use or the
    journal of one: never opened (in_use says why)."""
    if in_use(path) or journal_of(path) is not None:
        raise InputError(f"「{path.name}」是正在使用的数据库文件(如项目文件),不是{zh}",
                         f"{path.name} is a database file in use (a project, say), not a {en}", file=shown_path(path))


def atomic_write_text(target: Path, text: str) -> None:
    """Write UTF-8 text atomically: a document (a case, a parcel) opened through a link is saved to the file the link
    names, the link kept, as an editor saves it (an output written over a link is refused, _refuse_foreign)."""
    if os.path.islink(target) and os.path.isfile(target):
        target = Path(os.path.realpath(target))
    atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """Every atomic_write inside lands together when the block ends, or none does."""
    if _staged.get() is not None:
        raise RuntimeError("all_or_nothing() blocks do not nest")
    staged: list[tuple[Path, Path]] = []
    token = _staged.set(staged)
    try:
        yield
    except BaseException:
        for tmp, _target in staged:
            tmp.unlink(missing_ok=True)
        raise
    finally:
        _staged.reset(token)
    _commit(staged)


def _commit(staged: list[tuple[Path, Path]]) -> None:
    """Move every finished file into place; when one move fails, put back what was replaced."""
    kept: list[tuple[Path, Path | None]] = []  # (target, the file it replaced, moved aside)
    target = None
    try:
        for tmp, target in staged:
            previous = None
            if target.exists():
                previous = _temporary(target)
                try:
                    os.replace(target, previous)
                except BaseException:   # the target cannot be moved (immutable, another user's): nothing aside
                    previous.unlink(missing_ok=True)
                    raise
            kept.append((target, previous))
            os.replace(tmp, target)
    except BaseException as error:
        for replaced, previous in reversed(kept):
            if previous is not None:
                os.replace(previous, replaced)
            else:
                replaced.unlink(missing_ok=True)
        for tmp, _target in staged:
            tmp.unlink(missing_ok=True)
        if isinstance(error, OSError) and target is not None:
            raise _naming(error, target) from None
        raise
    note_landing()
    for _target, previous in kept:
        if previous is not None:
            previous.unlink(missing_ok=True)


def _temporary(target: Path) -> Path:
    # The target's name shortened: the temporary file's own name must fit NAME_MAX with ours around it.
    try:
        fd, name = tempfile.mkstemp(prefix=f"{PART_PREFIX}{os.getpid()}-{target.name[:50]}-", suffix=PART_SUFFIX,
                                    dir=target.parent)
    except OSError as error:   # a folder that takes no new file (read-only, /proc)
        raise _naming(error, target) from None
    os.close(fd)
    return Path(name)


def _naming(error: OSError, target: Path) -> OSError:
    """The system's error about our temporary file (or about none: a full disk met by a library's write), as one
    about the file the user named."""
    return error if error.errno is None else OSError(error.errno, error.strerror, str(target))


def _set_mode(tmp: Path, target: Path) -> None:
    """The mode of the file `target` replaces, else what the umask gives a new file."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_UMASK
    os.chmod(tmp, mode)


def remove_leftovers(folder: Path) -> None:
    """Remove temporary files of ours left in `folder` by a process that no longer runs."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(PART_PREFIX) and entry.name.endswith(PART_SUFFIX) and _stale(entry):
            try:
                os.unlink(entry.path)
            except OSError:
                pass  # another process removed it, or the folder forbids it: not our write's business


def _stale(entry: os.DirEntry) -> bool:
    pid_text = entry.name[len(PART_PREFIX):].split("-", 1)[0]
    if os.name == "posix" and pid_text.isdigit():
        pid = int(pid_text)
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # alive, another user's
        return False
    try:
        return time.time() - entry.stat().st_mtime > STALE_AFTER_S
    except OSError:
        return False
