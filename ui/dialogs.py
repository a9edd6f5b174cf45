"""Every question the app asks the user, in one place (tests replace these functions)."""
from __future__ import annotations

import datetime as dt
import sys

from PySide6.QtCore import QFileInfo, QIdentityProxyModel, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QFileIconProvider, QHeaderView, QLabel, QLineEdit, QMessageBox, QTreeView,
    QVBoxLayout,
)

from calculator.core.limits import blank

CASE_FILTER = "补偿测算案例 (*.json);;所有文件 (*)"
SCREEN_SHARE = 0.92  # a window sized to fit leaves this much of the screen's free area to it, at most


def fit_to_screen(window, width: int, height: int) -> None:
    """Give `window` the size it would like, shrunk to fit the screen it opens on, centred there; maximized where
    it would like more than the screen has (a 1366×768 laptop): the window manager then fits its frame too, which
    before it is shown has no size here (the 汇总与审计 window, 706 high below a title bar, ran past 768)."""
    screen = (window.parentWidget() or window).screen() or QGuiApplication.primaryScreen()
    available = screen.availableGeometry()
    room = QSize(int(available.width() * SCREEN_SHARE), int(available.height() * SCREEN_SHARE))
    window.resize(QSize(width, height).boundedTo(room).expandedTo(window.minimumSizeHint()).boundedTo(available.size()))
    frame = window.frameGeometry()
    frame.moveCenter(available.center())
    window.move(frame.topLeft())
    if width > room.width() or height > room.height():
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def _document(name: str, tab: str = "") -> str:
    """「地价测算」中的「未命名宗地」: the tab and the document, so the user knows which work is meant."""
    return f"「{tab}」中的「{name}」" if tab else f"「{name}」"


def save_changes_question(name: str, tab: str = "") -> str:
    return f"{_document(name, tab)}有未保存的修改,是否保存?"


def ask_save_changes(parent, name: str, tab: str = "") -> str:
    """"save", "discard" or "cancel" for a document (of the tab `tab`) with unsaved changes."""
    box = QMessageBox(QMessageBox.Icon.Question, "保存修改", save_changes_question(name, tab),
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.button(QMessageBox.StandardButton.Save).setText("保存(&S)")   # Enter; Alt+N leaves the changes, Escape stays
    box.button(QMessageBox.StandardButton.Discard).setText("不保存(&N)")
    box.button(QMessageBox.StandardButton.Cancel).setText("取消")
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
        QMessageBox.StandardButton(answer), "cancel")


def ask_drop_untaken(parent, name: str, tab: str, untaken: str) -> bool:
    """Whether a document showing input it cannot take (a 测算日期 that is no date) is given up, typing and all
    (不保存); else (返回修改, Enter and Escape) the user goes back to mend it. It cannot be saved as it is: asked
    保存?, Enter answered a save that failed, and the file being opened was dropped."""
    box = QMessageBox(QMessageBox.Icon.Warning, "有未能计入的输入",
                      f"{_document(name, tab)}有一项输入未能计入,不能保存:\n{untaken}\n\n返回修改:改正或清空后再保存。\n"
                      "不保存:放弃这一输入和所有未保存的修改。", parent=parent)
    back = box.addButton("返回修改(&R)", QMessageBox.ButtonRole.RejectRole)
    drop = box.addButton("不保存(&N)", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(back)
    box.setEscapeButton(back)
    box.exec()
    return box.clickedButton() is drop


def ask_fill_household(parent, file_name: str, household: str, differs: str = "") -> str:
    """"fill", "open" or "cancel": a case file opened while a household of the 台账 is open is put into it (saved as
    its next version by Ctrl+S), or opened on its own; `differs` says what of the file names another household."""
    box = QMessageBox(QMessageBox.Icon.Question if not differs else QMessageBox.Icon.Warning, "打开案例文件",
                      f"正在编辑台账中的「{household}」。\n\n填入此户:把「{file_name}」的内容作为此户的测算,"
                      "核对后保存(Ctrl+S)即存为此户的新版本。\n单独打开:关闭此户,只打开文件。"
                      + (f"\n\n注意:{differs}" if differs else ""), parent=parent)
    fill = box.addButton("填入此户(&F)", QMessageBox.ButtonRole.AcceptRole)
    alone = box.addButton("单独打开(&O)", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(fill)
    box.exec()
    return {fill: "fill", alone: "open"}.get(box.clickedButton(), "cancel")


def open_path(parent, directory: str, title: str = "打开案例", file_filter: str = CASE_FILTER) -> str | None:
    return ask_path(parent, title, directory, file_filter, OPEN)


def save_path(parent, suggested: str, title: str = "保存案例", file_filter: str = CASE_FILTER, *,
              replaces: bool = True) -> str | None:
    """`replaces`: False for a file never written over (a backup): an existing one picked is not asked 替换吗?,
    only for the writer to refuse it after a Yes."""
    return ask_path(parent, title, suggested, file_filter, SAVE if replaces else SAVE_NEW)


OPEN, SAVE, SAVE_NEW, FOLDER = "open", "save", "save_new", "folder"


def ask_path(parent, title: str, start: str, file_filter: str, mode: str) -> str | None:
    """The file (or, for FOLDER, the folder) the user picks in the one file dialog of the app; None when cancelled.

    Outside Windows it is Qt's own dialog, shown with FileTypes: a dialog of the desktop (GTK's, in this process)
    reads files it cannot name by their extension, and on Linux and macOS closing such a read of an open project
    drops every lock SQLite holds on it here — another landcomp then deletes the journal this one still writes to.
    (Windows' locks stay with their handle: its own dialog is safe.)"""
    dialog = QFileDialog(parent, title, start, "" if mode == FOLDER else file_filter)
    if sys.platform != "win32":
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setIconProvider(FileTypes.shared())
        dialog.setProxyModel(_ChineseHeaders(dialog))
    if mode == FOLDER:
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile if mode == OPEN else QFileDialog.FileMode.AnyFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen if mode == OPEN else QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, mode == SAVE_NEW)
    if sys.platform != "win32":
        fit_to_screen(dialog, 900, 560)   # Qt's own dialog opens at about 600 × 420, its columns cut short
        _widen_columns(dialog)
    for label, text in ((QFileDialog.DialogLabel.LookIn, "查找范围:"),
                        (QFileDialog.DialogLabel.FileName, "文件夹:" if mode == FOLDER else "文件名:"),
                        (QFileDialog.DialogLabel.FileType, "文件类型:"),
                        (QFileDialog.DialogLabel.Accept, {OPEN: "打开", SAVE: "保存", SAVE_NEW: "保存", FOLDER: "选择"}[mode]),
                        (QFileDialog.DialogLabel.Reject, "取消")):
        dialog.setLabelText(label, text)
    try:
        chosen = dialog.selectedFiles() if dialog.exec() else []
    finally:
        dialog.deleteLater()
    return chosen[0] if chosen else None


def _widen_columns(dialog: QFileDialog) -> None:
    """The detail view's 大小, 类型 and 修改日期 as wide as what they show; 名称 takes the rest of the width."""
    view = dialog.findChild(QTreeView, "treeView")
    if view is None:
        return
    header, metrics = view.header(), view.fontMetrics()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column, widest in ((1, "999.99 MiB"), (2, "landcomp 文件"), (3, "2026-11-30 23:59")):
        header.resizeSection(column, metrics.horizontalAdvance(widest) + 24)


class FileTypes(QFileIconProvider):
    """A file's icon and type (the dialog's 类型 column) from its name alone, never from reading it (ask_path)."""

    _shared: FileTypes | None = None

    @classmethod
    def shared(cls) -> FileTypes:
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def icon(self, what):  # noqa: D102 — Qt's two overloads: an IconType, or a file's QFileInfo
        if isinstance(what, QFileIconProvider.IconType):
            return super().icon(what)
        return super().icon(QFileIconProvider.IconType.Folder if what.isDir() else QFileIconProvider.IconType.File)

    def type(self, info: QFileInfo) -> str:  # noqa: D102
        if info.isDir():
            return "文件夹"
        return f"{info.suffix()} 文件" if info.suffix() else "文件"


class _ChineseHeaders(QIdentityProxyModel):
    """The dialog's columns, as Chinese names them (Qt's own translation calls the size 体积, volume), and its
    修改日期 written 2026-11-30 14:05: Qt's model writes it in the system's locale, "30 11 2026" under C."""

    HEADERS = ("名称", "大小", "类型", "修改日期")
    MODIFIED = 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 — Qt's name
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and section < 4:
            return self.HEADERS[section]
        return super().headerData(section, orientation, role)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # noqa: D102
        if index.column() == self.MODIFIED and role == Qt.ItemDataRole.DisplayRole:
            return self.sourceModel().lastModified(self.mapToSource(index)).toString("yyyy-MM-dd HH:mm")
        return super().data(index, role)


def ask_amendment_reason(parent, household: str, status: str) -> str | None:
    """Why a signed case is being changed; None when the user cancels."""
    dialog = TextDialog(parent, "更正已签字的案例",
                        f"「{household}」{status},修改将另存为更正版本,原版本保留可查。\n请填写更正理由:")
    try:
        return dialog.text() if dialog.exec() else None
    finally:
        dialog.deleteLater()


def ask_printer(parent, printer) -> bool:
    """The system print dialog for `printer` (QPrinter); False when the user cancels."""
    from PySide6.QtPrintSupport import QPrintDialog
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("打印")
    return dialog.exec() == QDialog.DialogCode.Accepted


def show_error(parent, title: str, message: str) -> None:
    QMessageBox.warning(parent, title, message)


def show_notice(parent, title: str, message: str) -> None:
    """Something done that a person should look at (not a failure: it was done)."""
    QMessageBox.information(parent, title, message)


def ask_recover(parent, kind: str, head: str, saved_at: float, original: str | None) -> bool:
    """Offer a case (`kind` "case") or a parcel ("parcel") left behind by a crash; `head`: its 户主 or 地块编号."""
    when = dt.datetime.fromtimestamp(saved_at).strftime("%Y-%m-%d %H:%M")
    if kind == "parcel":
        what, who = "地价测算", f"地块编号「{head}」" if head else "未填地块编号"
    else:
        what, who = "测算", f"户主「{head}」" if head else "未填户主"
    source = f"\n原文件:{original}" if original else ""
    answer = QMessageBox.question(
        parent, f"恢复未保存的{what}",
        f"上次程序意外退出,留下了未保存的{what}({who},{when} 自动保存)。{source}\n\n是否恢复?")
    return answer == QMessageBox.StandardButton.Yes


class TextDialog(QDialog):
    """One line of text asked for, with OK enabled only once something is written (unless optional)."""

    def __init__(self, parent, title: str, message: str, text: str = "", placeholder: str = "",
                 optional: bool = False, cancel_text: str = "取消"):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.message = QLabel(message, self)
        self.message.setWordWrap(True)
        self.edit = QLineEdit(text, self)
        self.edit.selectAll()   # a text shown again (a code refused, to be mended) is replaced by what is typed
        self.edit.setObjectName("answer")
        self.edit.setPlaceholderText(placeholder)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.edit)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        if not optional:
            self.edit.textChanged.connect(lambda value: self.ok.setEnabled(not blank(value)))
            self.ok.setEnabled(not blank(text))

    def text(self) -> str:
        return self.edit.text().strip()


def reason_dialog(parent, message: str, reason: str = "") -> TextDialog:
    """Why a value outside the standard is used (R1: accepted only with a written reason); opened by the caller."""
    return TextDialog(parent, "超出标准,须填写理由", f"{message}\n\n请填写理由(将显示在报表上并标记为「超标准」):",
                      reason, "如:带门楼,见评估报告第4页", cancel_text="取消(不改)")
