"""Every question the app asks the user, in one place (tests replace these functions)."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QLabel, QLineEdit, QMessageBox, QVBoxLayout

CASE_FILTER = "补偿测算案例 (*.json);;所有文件 (*)"
SCREEN_SHARE = 0.92  # a window sized to fit leaves this much of the screen's free area to it, at most


def fit_to_screen(window, width: int, height: int) -> None:
    """Give `window` the size it would like, shrunk to fit the screen it opens on, centred there."""
    screen = (window.parentWidget() or window).screen() or QGuiApplication.primaryScreen()
    available = screen.availableGeometry()
    size = QSize(width, height).boundedTo(QSize(int(available.width() * SCREEN_SHARE),
                                                int(available.height() * SCREEN_SHARE)))
    window.resize(size.expandedTo(window.minimumSizeHint()).boundedTo(available.size()))
    frame = window.frameGeometry()
    frame.moveCenter(available.center())
    window.move(frame.topLeft())


def save_changes_question(name: str, tab: str = "") -> str:
    """「地价测算」中的「未命名宗地」有未保存的修改: the tab and the document, so the user knows which work is meant."""
    where = f"「{tab}」中的「{name}」" if tab else f"「{name}」"
    return f"{where}有未保存的修改,是否保存?"


def ask_save_changes(parent, name: str, tab: str = "") -> str:
    """"save", "discard" or "cancel" for a document (of the tab `tab`) with unsaved changes."""
    box = QMessageBox(QMessageBox.Icon.Question, "保存修改", save_changes_question(name, tab),
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.button(QMessageBox.StandardButton.Save).setText("保存")
    box.button(QMessageBox.StandardButton.Discard).setText("不保存")
    box.button(QMessageBox.StandardButton.Cancel).setText("取消")
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
        QMessageBox.StandardButton(answer), "cancel")


def open_path(parent, directory: str, title: str = "打开案例", file_filter: str = CASE_FILTER) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, directory, file_filter)
    return path or None


def save_path(parent, suggested: str, title: str = "保存案例", file_filter: str = CASE_FILTER) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


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


def ask_recover(parent, head: str, saved_at: float, original: str | None) -> bool:
    """Offer a case left behind by a crash."""
    when = dt.datetime.fromtimestamp(saved_at).strftime("%Y-%m-%d %H:%M")
    who = f"户主「{head}」" if head else "未填户主"
    source = f"\n原文件:{original}" if original else ""
    answer = QMessageBox.question(
        parent, "恢复未保存的测算",
        f"上次程序意外退出,留下了未保存的测算({who},{when} 自动保存)。{source}\n\n是否恢复?")
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
            self.edit.textChanged.connect(lambda value: self.ok.setEnabled(bool(value.strip())))
            self.ok.setEnabled(bool(text.strip()))

    def text(self) -> str:
        return self.edit.text().strip()


def reason_dialog(parent, message: str, reason: str = "") -> TextDialog:
    """Why a value outside the standard is used (R1: accepted only with a written reason); opened by the caller."""
    return TextDialog(parent, "超出标准,须填写理由", f"{message}\n\n请填写理由(将显示在报表上并标记为「超标准」):",
                      reason, "如:带门楼,见评估报告第4页", cancel_text="取消(不改)")
