"""Autosave recovery: an unsaved case or parcel is written aside on a timer and offered back after a crash.

Each document tab of a running window owns one recovery file and holds a lock beside it; a file whose
lock can be taken belongs to a process that is gone (a crash), so it is offered at the next start.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile

from calculator.core.files import atomic_write_text
from calculator.core.jsonfile import DOCUMENTS, read_json
from calculator.core.limits import CASE_FILE_MAX_BYTES

SUFFIX = ".recovery.json"


@dataclass(frozen=True)
class Recovered:
    """A recovery file left by a crashed session."""

    file: Path
    document: dict  # a case file's object (numbers as exact strings), or a parcel draft's record (`kind`)
    original_path: str | None
    saved_at: float
    head: str   # what the document is offered by: its 户主, or its 地块编号
    # {"project", "household_id", "version_id", "amendment_reason"} for a household of the 台账
    stored: dict | None = None
    kind: str = "case"   # calculator.core.jsonfile.DOCUMENTS: "case" or "parcel"


class RecoveryFile:
    """This session's recovery file: written while there are unsaved changes, removed after."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder) / "recovery"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / f"{uuid.uuid4().hex}{SUFFIX}"
        self._lock = QLockFile(str(self.path) + ".lock")
        self._lock.setStaleLockTime(0)

    def write(self, document: dict, original_path: str | None, head: str, stored: dict | None = None,
              kind: str = "case") -> None:
        """Store the document (whole or not at all), and where in a project it belongs, if anywhere; OSError when it
        cannot, the lock beside it first. Written without its lock (a disk full when it was first taken), the file of
        a running window was offered to another as a crash's, and answered 否 there, deleted."""
        if not self._lock.isLocked() and not self._lock.tryLock(0):
            raise OSError(f"无法锁定恢复文件 {self.path.name}.lock")
        record = {"original_path": original_path, "saved_at": time.time(), "head": head, "kind": kind,
                  "document": document, "stored": stored}
        atomic_write_text(self.path, json.dumps(record, ensure_ascii=False))

    def discard(self) -> None:
        """The case is saved or closed on purpose: nothing to recover."""
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        self.discard()
        self._lock.unlock()
        Path(str(self.path) + ".lock").unlink(missing_ok=True)


def left_behind(folder: str | Path) -> list[Recovered]:
    """Recovery files whose sessions are gone, newest first; unreadable ones are set aside, never deleted."""
    found = []
    directory = Path(folder) / "recovery"
    if not directory.is_dir():
        return []
    for file in directory.glob(f"*{SUFFIX}"):
        lock = QLockFile(str(file) + ".lock")
        lock.setStaleLockTime(0)
        if not lock.tryLock(0):
            continue  # another running window owns it
        try:
            # Read whole, never refused for a text in it (a zero-width space pasted into 地块编号 is someone's work
            # too): a recovery holds one document and a few lines about it. An earlier version wrote only cases,
            # under "case".
            record = read_json(file, CASE_FILE_MAX_BYTES, "恢复文件", checked=False)
            stored, kind = record.get("stored"), record.get("kind", "case")
            document = record["document"] if "document" in record else record["case"]
            if kind not in DOCUMENTS or not isinstance(document, dict):
                raise ValueError(kind)
            found.append(Recovered(file, document, record.get("original_path"),
                                   float(record.get("saved_at", 0)), record.get("head", ""),
                                   stored if isinstance(stored, dict) else None, kind))
        except (ValueError, KeyError, TypeError):  # calculator.core.errors.InputError is a ValueError
            # It may hold someone's unsaved work in a form this version cannot read (an older
            # version's, or damaged): keep it beside the others under a name no longer offered.
            set_aside(file)
        finally:
            lock.unlock()
            Path(str(file) + ".lock").unlink(missing_ok=True)
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


def set_aside(file: Path) -> None:
    """A recovery file this version cannot restore, kept under a name no longer offered (never deleted)."""
    file.replace(file.with_name(file.name + ".unreadable"))


def forget(recovered: Recovered) -> None:
    """Remove a recovery file once it has been offered."""
    recovered.file.unlink(missing_ok=True)
