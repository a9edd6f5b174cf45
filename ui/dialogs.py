"""Every question the app asks the user, in one place (tests replace these functions)."""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QLabel, QLineEdit, QMessageBox, QVBoxLayout

CASE_FILTER = "补偿测算案例 (*.json);;所有文件 (*)"


def ask_save_changes(parent, name: str) -> str:
    """"save", "discard" or "cancel" for a document with unsaved changes."""
    box = QMessageBox(QMessageBox.Icon.Question, "保存修改", f"「{name}」有未保存的修改,是否保存?",
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
    """Why a signed (or paid) case is being changed; None when the user cancels."""
    from PySide6.QtWidgets import QInputDialog
    while True:
        text, ok = QInputDialog.getText(parent, "更正已签字的案例",
                                        f"「{household}」{status},修改将另存为更正版本,原版本保留可查。\n请填写更正理由:")
        if not ok:
            return None
        if text.strip():
            return text.strip()


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


class ReasonDialog(QDialog):
    """Asks why a value outside the standard is used (R1: accepted only with a written reason)."""

    def __init__(self, parent, message: str, reason: str = ""):
        super().__init__(parent)
        self.setWindowTitle("超出标准,须填写理由")
        self.message = QLabel(message, self)
        self.message.setWordWrap(True)
        label = QLabel("请填写理由(将显示在报表上并标记为「超标准」):", self)
        self.reason = QLineEdit(reason, self)
        self.reason.setObjectName("override_reason")
        self.reason.setPlaceholderText("如:带门楼,见评估报告第4页")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消(不改)")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self._check(reason)

    def _check(self, text: str) -> None:
        self.ok.setEnabled(bool(text.strip()))

    def text(self) -> str:
        return self.reason.text().strip()
