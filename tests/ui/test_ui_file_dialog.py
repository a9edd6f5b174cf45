"""The app's one file dialog (ui.dialogs.ask_path), shown for real: what it lists must not disturb an open project."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QFileSystemModel, QTreeView

from calculator.store import SqliteStore
from ui import dialogs

OTHER_LANDCOMP = """import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])   # another landcomp (`ledger list`) reading the project, then done
connection.execute("SELECT count(*) FROM households").fetchall()
connection.close()
"""


def _answered(qtbot, answer) -> dict:
    """Run `answer(dialog)` once ask_path's dialog is up and has listed its folder, then cancel it; what it saw."""
    seen: dict = {}

    def when_shown():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, when_shown)
            return
        try:
            seen.update(answer(dialog))
        finally:
            dialog.reject()

    QTimer.singleShot(0, when_shown)
    return seen


def test_listing_an_open_projects_folder_keeps_its_journal_when_another_landcomp_closes_it(qtbot, tmp_path):
    path = tmp_path / "堡子片区.landcomp"
    store = SqliteStore(path, actor="李明")
    store.add_household(store.create_project("堡子片区").id, "0001")
    journal = Path(f"{path}-wal")
    assert journal.exists()

    def answer(dialog):
        model = dialog.findChild(QFileSystemModel)
        listed = model.index(str(path))
        # The type column is worked out in the dialog's own thread, file by file: wait for the project's.
        qtbot.waitUntil(lambda: bool(model.data(listed.siblingAtColumn(2))), timeout=10_000)
        subprocess.run([sys.executable, "-c", OTHER_LANDCOMP, str(path)], check=True, timeout=60)
        return {"type": model.data(listed.siblingAtColumn(2)), "size header": model.headerData(1, Qt.Orientation.Horizontal)}

    seen = _answered(qtbot, answer)
    try:
        assert dialogs.open_path(None, str(tmp_path), "打开项目", "拆迁补偿项目 (*.landcomp)") is None
        # Had the dialog read the file to type it, closing that read would have dropped SQLite's locks here: the
        # other process, thinking itself the last, would have deleted the journal this store still writes to.
        assert journal.exists()
        assert seen["type"] == "landcomp 文件"
        store.add_household(store.projects()[0].id, "0002")
    finally:
        store.close()
    with SqliteStore(path) as reopened:
        assert [row.number for row in reopened.ledger(reopened.projects()[0].id)] == ["0001", "0002"]


def test_the_dialog_speaks_chinese_and_picks_a_folder(qtbot, tmp_path):
    folder = tmp_path / "结算单"
    folder.mkdir()
    when = dt.datetime(2026, 11, 30, 14, 5).timestamp()
    os.utime(folder, (when, when))

    def answer(dialog):
        model = dialog.findChild(QFileSystemModel)
        listed = dialog.proxyModel().mapFromSource(model.index(str(folder)).siblingAtColumn(3))
        qtbot.waitUntil(lambda: bool(listed.data()), timeout=10_000)
        labels = {label: dialog.labelText(label) for label in (QFileDialog.DialogLabel.LookIn,
                                                               QFileDialog.DialogLabel.FileType)}
        headers = [dialog.proxyModel().headerData(column, Qt.Orientation.Horizontal) for column in range(4)]
        view = dialog.findChild(QTreeView, "treeView")
        whole = all(view.header().sectionSize(column) > view.fontMetrics().horizontalAdvance(text)
                    for column, text in ((1, "6.87 MiB"), (2, "landcomp 文件"), (3, "2026-11-30 03:56")))
        return {"labels": labels, "headers": headers, "mode": dialog.fileMode(), "whole": whole,
                "width": dialog.width(), "modified": listed.data()}

    seen = _answered(qtbot, answer)
    assert dialogs.ask_path(None, "选择文件夹", str(tmp_path), "", dialogs.FOLDER) is None
    assert seen["labels"] == {QFileDialog.DialogLabel.LookIn: "查找范围:", QFileDialog.DialogLabel.FileType: "文件类型:"}
    assert seen["headers"] == ["名称", "大小", "类型", "修改日期"]
    assert seen["mode"] == QFileDialog.FileMode.Directory
    assert seen["whole"] and seen["width"] >= 800          # Qt's 600-pixel dialog cut 大小, 类型 and 修改日期
    assert seen["modified"] == "2026-11-30 14:05"          # Qt's own, in the C locale: "30 11 2026"


def test_a_backup_is_not_asked_to_replace_a_file_it_never_replaces(qtbot, tmp_path):
    """备份项目 onto an existing file asked 替换吗?, and after the Yes the backup refused to write over it: the
    question is not asked of a backup (the refusal names the file); a case saved over one is still asked."""
    def answer(dialog):
        return {"confirms": not dialog.testOption(QFileDialog.Option.DontConfirmOverwrite)}

    seen = _answered(qtbot, answer)
    assert dialogs.save_path(None, str(tmp_path / "备份.landcomp"), "备份项目", "(*.landcomp)", replaces=False) is None
    assert seen == {"confirms": False}
    seen = _answered(qtbot, answer)
    assert dialogs.save_path(None, str(tmp_path / "案例.json"), "保存案例") is None
    assert seen == {"confirms": True}
