"""The check of every household of a large project (`verify.scan`), run in a worker process.

Checking a project reads and digests every current and signed version and the whole audit chain:
some 2 s for 5,000 households, nearly all of it Python. In a thread it would share the interpreter
lock with the window and slow each repaint of the 台账 about tenfold, so it runs in a process of its
own, on a read-only connection of its own, in one snapshot. Meanwhile the 台账 shows the rows marked
unchecked (正在核验) and no totals; the store takes the verdicts (`adopt`) only if nothing was
committed since the check was asked for, else the check is asked for again. Every action on a
household (save, sign, pay, print, open) checks that household itself and never waits for this.
"""
from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable

from calculator.store import verify
from calculator.store.base import Anomaly, StoreError
from calculator.store.location import is_server


class BackgroundCheck:
    """One check of a store's households in a worker process, asked for when the store's data serial was
    `token`; `on_done` is called from another thread once it has ended (found, failed or cancelled)."""

    def __init__(self, store: Any, token: tuple[int, int], target: tuple[str, str | None, bool],
                 on_done: Callable[[], None]):
        self._store, self._token = store, token
        self._answer: tuple | None = None
        context = multiprocessing.get_context("spawn")  # never fork a process that runs Qt
        receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_check, args=(*target, sender), daemon=True, name="landcomp-check")
        self._process.start()
        sender.close()
        threading.Thread(target=self._wait, args=(receiver, on_done), daemon=True).start()

    def _wait(self, receiver, on_done: Callable[[], None]) -> None:
        try:
            answer = receiver.recv()
        except (EOFError, OSError):  # the process ended without answering (cancelled, or killed)
            answer = ("failed", "核验进程意外结束,请重新打开项目", "the checking process ended without an answer")
        finally:
            receiver.close()
        self._process.join()
        self._answer = answer
        on_done()

    @property
    def done(self) -> bool:
        return self._answer is not None

    def adopt(self) -> bool:
        """On the store's thread, once done: take the verdicts; False when the data changed since (check again).
        A check that could not run raises its StoreError."""
        if self._answer is None:
            return False
        kind, *rest = self._answer
        if kind == "failed":
            raise StoreError(rest[0], rest[1], file=self._store.path)
        return self._store._adopt_verdicts(self._token, rest[0])

    def cancel(self) -> None:
        """Stop the worker (its answer is then never adopted)."""
        if self._process.is_alive():
            self._process.terminate()


def _check(location: str, password: str | None, read_only: bool, sender) -> None:
    """The worker: every abnormal household of the project, or why the check could not run."""
    try:
        sender.send(("found", scan_project(location, password, read_only)))
    except StoreError as error:
        sender.send(("failed", error.zh, error.en))
    except Exception as error:  # noqa: BLE001 - whatever stopped it is said in the 台账, never lost
        sender.send(("failed", f"核验未能完成:{type(error).__name__}: {error}",
                     f"the check could not finish: {type(error).__name__}: {error}"))
    finally:
        sender.close()


def scan_project(location: str, password: str | None = None, read_only: bool = False) -> dict[int, Anomaly]:
    """`verify.scan` of the project at `location` in one snapshot, on a read-only connection of its own;
    a project file's pages are checked first (PRAGMA quick_check: the open of a large one left it for this)."""
    if is_server(location):
        import psycopg

        from calculator.store.postgres import Connection, connect, server_error
        raw = connect(location, password)
        try:
            raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return verify.scan(Connection(raw))
        except psycopg.Error as error:
            raise server_error(error, location) from None
        finally:
            raw.close()
    from calculator.store.sqlite_file import _connect, _connect_read_only, _store_error, check_integrity
    try:
        # The file as the store sees it: through its WAL, unless the store itself could only open it immutable.
        connection = (_connect_read_only(location) if read_only
                      else _connect(f"{Path(location).absolute().as_uri()}?mode=ro", uri=True))
        try:
            connection.execute("BEGIN")
            check_integrity(connection, location, quick=True)
            return verify.scan(connection)
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise _store_error(error, location) from None
