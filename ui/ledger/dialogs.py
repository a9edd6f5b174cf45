"""Every question the 台账 workspace asks the user, in one place (tests replace these functions)."""
from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import QEventLoop, Qt

from calculator.app.ledger_actions import money_text
from calculator.core.limits import text_limit
from calculator.app.survey import ADD, FIRST_VERSION, STEP_LABELS
from ui.dialogs import FOLDER, OPEN, SAVE, TextDialog, ask_path, fit_to_screen, open_path, save_path, show_error  # noqa: F401 - asked through this module
from ui.workspace import XLSX_FILTER  # noqa: F401 - the ledger names it through this module
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHeaderView, QLabel, QLineEdit,
    QMessageBox, QPlainTextEdit, QProgressDialog, QTableWidget, QTableWidgetItem, QVBoxLayout,
)

PROJECT_FILTER = "拆迁补偿项目 (*.landcomp);;所有文件 (*)"
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
MAX_COLUMN_WIDTH = 320  # px: a column of a list dialog wider than this is cut, its text whole in the tooltip
_HIDDEN_SHOWN = 10  # hidden places listed in the question before "……共 N 处"


# --- files ---------------------------------------------------------------------------------------

def open_project_path(parent, directory: str) -> str | None:
    return ask_path(parent, "打开项目", directory, PROJECT_FILTER, OPEN)


def ask_new_project(parent, directory: str, path: str = "", name: str = "") -> tuple[str, str] | None:
    """(file path, project name) for a new project file (the dialog showing `path` and `name`), or None."""
    dialog = NewProjectDialog(parent, directory, path, name)
    with _disposed(dialog):
        return (dialog.path.text().strip(), dialog.name.text().strip()) if dialog.exec() else None


def ask_server(parent, recent: list[str]) -> str | None:
    """The postgresql://user@host:port/db URL of a server project (never with a password), or None."""
    dialog = ServerDialog(parent, recent)
    with _disposed(dialog):
        return dialog.url() if dialog.exec() else None


def ask_password(parent, server: str, refused: bool = False) -> str | None:
    """The password of the database role for `server` (user@host:port/db), for this session only; None to cancel."""
    dialog = TextDialog(parent, "服务器密码",
                        ("密码不正确,请重新输入。\n\n" if refused else "")
                        + f"连接 {server} 需要密码。\n密码只在本次运行中使用,不会保存。", "", "数据库密码")
    dialog.edit.setEchoMode(QLineEdit.EchoMode.Password)
    with _disposed(dialog):
        return dialog.edit.text() if dialog.exec() else None  # a password is taken as typed, spaces and all


def confirm_restore(parent, backup: str, project: str, contents: str) -> bool:
    """Replacing a whole project is asked about, with what the backup holds (`contents`, when it could be read) and
    what happens to the project's present contents."""
    answer = QMessageBox.question(
        parent, "从备份恢复",
        f"用备份「{Path(backup).name}」替换项目「{project}」的全部内容?\n\n" + (f"{contents}\n\n" if contents else "")
        + "当前内容会先另存为「…-恢复前-日期时间.landcomp」,恢复有误时可再从它恢复。",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def ask_include_hidden(parent, hidden) -> bool:
    """Whether the survey's hidden sheet, rows and cells are read too (by default their households are left out)."""
    shown = "\n".join(problem.text() for problem in hidden[:_HIDDEN_SHOWN])
    more = f"\n……共 {len(hidden)} 处" if len(hidden) > _HIDDEN_SHOWN else ""
    answer = QMessageBox.question(
        parent, "导入调查表",
        f"调查表中有在 Excel 中看不到的内容(隐藏的工作表、行或列):\n\n{shown}{more}\n\n"
        "不包括时,这些内容所在的户整户不导入。是否包括隐藏的内容一并读取?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def choose_folder(parent, directory: str, title: str) -> str | None:
    return ask_path(parent, title, directory, "", FOLDER)


# --- messages ------------------------------------------------------------------------------------

def show_info(parent, title: str, message: str) -> None:
    QMessageBox.information(parent, title, message)


# --- questions -----------------------------------------------------------------------------------

def ask_assessor_name(parent, current: str = "") -> str | None:
    """The name the audit log records for this user's changes (asked once, kept in the settings)."""
    return _ask_text(parent, "经办人姓名", "请输入您的姓名(评估人/经办人)。\n项目中的每一处修改都会记下修改人的姓名。",
                     current, "如:李明")


def ask_sign_fingerprint(parent, household: str, typed: str = "") -> str | None:
    """The fingerprint printed on the signed sheet ("" when not typed), or None to cancel; `typed`: a code refused
    before, shown again to be mended."""
    return _ask_text(parent, "标记已签字",
                     f"{household}\n\n请输入签字结算单页脚上印的校验码(12位),程序会核对它是否为当前版本。\n"
                     "不填则直接按当前版本标记为已签字。", typed, "如:3f9a0c12be47", optional=True)


def confirm_unchecked_signing(parent, household: str) -> bool:
    """True when the user means to mark `household` signed without the sheet's code (No is the default: one stray
    Enter in the code's dialog signed a household whose sheet was never printed)."""
    answer = QMessageBox.question(
        parent, "标记已签字", f"{household}\n\n没有输入校验码:不核对结算单,直接标记为已签字?\n(变更记录将注明未核对结算单校验码)",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def ask_household(parent, title: str, number: str = "", head: str = "", address: str = "") -> tuple[str, str, str] | None:
    """(户号, 户主, 地址) typed for a household registered by hand, or None."""
    dialog = HouseholdDialog(parent, title, number, head, address)
    with _disposed(dialog):
        return dialog.values() if dialog.exec() else None


def ask_payment_batch(parent, payment: str) -> str | None:
    """The name of the payment batch, or None."""
    return _ask_text(parent, "标记已支付", f"将以下住户标记为已支付:{payment}\n\n请填写支付批次:", "", "如:2023年第3批")


def ask_check_fingerprint(parent) -> str | None:
    """The fingerprint printed on a sheet brought back to the office, or None."""
    return _ask_text(parent, "核对结算单", "请输入结算单页脚上印的校验码(12位十六进制数字):", "", "如:3f9a0c12be47")


def _ask_text(parent, title: str, message: str, text: str, placeholder: str, optional: bool = False) -> str | None:
    dialog = TextDialog(parent, title, message, text, placeholder, optional)
    with _disposed(dialog):
        return dialog.text() if dialog.exec() else None


@contextlib.contextmanager
def _disposed(dialog: QDialog) -> Iterator[QDialog]:
    """A dialog made for one question is freed once answered (a child of the workspace would stay till exit)."""
    try:
        yield dialog
    finally:
        dialog.deleteLater()


def progress_dialog(parent, title: str, maximum: int, after_ms: int = 0) -> QProgressDialog:
    """A modal progress dialog with 取消 (the caller reads wasCanceled()), shown once the work has lasted `after_ms`."""
    dialog = QProgressDialog(title, "取消", 0, maximum, parent)
    dialog.setWindowTitle(title)
    # As wide as its title (a window manager cuts a long one short in a narrow frame): 正在生成结算单(全部 297 户)…
    dialog.setMinimumWidth(dialog.fontMetrics().horizontalAdvance(title) * 3 // 2 + 80)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(after_ms)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    return dialog


def reporting(dialog: QProgressDialog, title: str) -> Callable[[int, int, str], bool]:
    """The progress callback (calculator.app.progress) of a long action, shown in `dialog` under `title`; the
    window keeps painting between two calls, and 取消 answers False."""
    def step(done: int, total: int, label: str) -> bool:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done)
        dialog.setLabelText(f"{title}\n{done}/{total}  {label}")
        # Until the (modal) dialog shows, a key or click would start the action again inside itself: they wait.
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents if dialog.isVisible()
                                   else QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        return not dialog.wasCanceled()
    return step


def show_history(parent, title: str, lines) -> None:
    """The 变更记录 of a household: when, who, what."""
    dialog = HistoryDialog(parent, title, lines)
    with _disposed(dialog):
        dialog.exec()


def review_survey(parent, survey, path: str, plan) -> bool:
    """Show what a survey workbook holds and what importing does to each household; True when the user clicks 导入."""
    dialog = SurveyReportDialog(parent, survey, path, plan)
    with _disposed(dialog):
        return bool(dialog.exec())


# --- the dialogs --------------------------------------------------------------------------------

class NewProjectDialog(QDialog):
    """Name and file of a new project."""

    def __init__(self, parent, directory: str, path: str = "", name: str = ""):
        super().__init__(parent)
        self.setWindowTitle("新建项目")
        self.directory = directory
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("如:堡子片区")
        self.path = QLineEdit(self)
        self.path.setPlaceholderText("项目文件(.landcomp)")
        browse = QDialogButtonBox(self)
        browse_button = browse.addButton("选择位置…", QDialogButtonBox.ButtonRole.ActionRole)
        browse_button.clicked.connect(self._browse)
        form = QFormLayout()
        form.addRow("项目名称", self.name)
        form.addRow("项目文件", self.path)
        form.addRow("", browse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("新建")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.name.textChanged.connect(self._name_changed)
        self.path.textChanged.connect(self._check)
        self.name.setText(name)
        if path and path != self._path_of(name):   # chosen before (the dialog back after a refusal): kept as chosen
            self.path.setText(path)
            self.path.setModified(True)
        self._check()

    def _name_changed(self, name: str) -> None:
        if not self.path.isModified() and name.strip():
            self.path.setText(self._path_of(name))
        self._check()

    def _path_of(self, name: str) -> str:
        """The file a project called `name` is given unless one is chosen: 堡子片区.landcomp in the folder offered."""
        return str(Path(self.directory or ".") / f"{name.strip()}.landcomp")

    def _browse(self) -> None:
        path = ask_path(self, "项目文件", self.path.text() or self.directory, PROJECT_FILTER, SAVE)
        if path:
            self.path.setText(path)
            self.path.setModified(True)

    def _check(self) -> None:
        self.ok.setEnabled(bool(self.name.text().strip() and self.path.text().strip()))


class ServerDialog(QDialog):
    """Host, port, database and user of a server project; recent servers in a list (no passwords anywhere)."""

    def __init__(self, parent, recent: list[str]):
        super().__init__(parent)
        self.setWindowTitle("连接服务器")
        self._recent = list(recent)
        self.recent = QComboBox(self)
        self.recent.addItem("(新的服务器)")
        for url in self._recent:
            self.recent.addItem(unquote(url.split("://", 1)[-1]))
        self.host, self.port, self.database, self.user = (QLineEdit(self) for _ in range(4))
        self.host.setPlaceholderText("如:192.168.1.20")
        self.port.setPlaceholderText("5432")
        self.database.setPlaceholderText("如:baozi")
        self.user.setPlaceholderText("数据库用户名")
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("最近的服务器", self.recent)
        form.addRow("服务器地址", self.host)
        form.addRow("端口", self.port)
        form.addRow("数据库", self.database)
        form.addRow("用户名", self.user)
        note = QLabel("密码不在此填写:程序会先在 PGPASSWORD、~/.pgpass 或服务文件中查找,\n"
                      "找不到时再询问,且只在本次运行中使用,不会保存。", self)
        note.setStyleSheet("color: #606060;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("连接")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self.recent.currentIndexChanged.connect(self._recent_chosen)
        for edit in (self.host, self.database):
            edit.textChanged.connect(self._check)
        if self._recent:
            self.recent.setCurrentIndex(1)
        self._check()

    def _recent_chosen(self, index: int) -> None:
        if index <= 0 or index > len(self._recent):
            return
        parts = urlsplit(self._recent[index - 1])
        self.host.setText(parts.hostname or "")
        self.port.setText(str(parts.port or ""))
        self.database.setText(unquote(parts.path.lstrip("/")))
        self.user.setText(unquote(parts.username or ""))

    def _check(self) -> None:
        self.ok.setEnabled(bool(self.host.text().strip() and self.database.text().strip()))

    def url(self) -> str:
        from calculator.store import server_url
        return server_url(self.host.text(), self.port.text(), self.database.text(), self.user.text())

    def _accept(self) -> None:
        from calculator.core.errors import CalculationError
        try:
            self.url()
        except CalculationError as error:
            self.error.setText(error.shown)
            return
        self.accept()


class HouseholdDialog(QDialog):
    """户号, 户主 and 地址 of one household, registered without a survey (or corrected before its first version)."""

    def __init__(self, parent, title: str, number: str = "", head: str = "", address: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.number, self.head, self.address = (QLineEdit(text, self) for text in (number, head, address))
        self.number.setPlaceholderText("如:0201(与调查表相同的写法)")
        # No more than a sheet prints; a longer 户号 an earlier version registered is shown whole (cut, it would be
        # renamed by a correction of its 户主), and refused with the reason if it is saved.
        self.number.setMaxLength(max(text_limit("household_number"), len(number)))
        self.head.setMaxLength(text_limit("head"))
        self.address.setMaxLength(text_limit("address"))
        form = QFormLayout()
        form.addRow("户号(&N)", self.number)
        form.addRow("户主(&U)", self.head)
        form.addRow("地址(&D)", self.address)
        note = QLabel("身份证号、电话等在补偿测算中填写;户号保存测算后不能再改。", self)
        note.setStyleSheet("color: #707070;")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 480, self.sizeHint().height())
        self.number.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.ok.setEnabled(bool(number.strip()))

    def values(self) -> tuple[str, str, str]:
        return self.number.text(), self.head.text(), self.address.text()


def _table(parent, headings: tuple[str, ...], rows: list[tuple[str, ...]], right: tuple[int, ...] = ()) -> QTableWidget:
    table = QTableWidget(len(rows), len(headings), parent)
    table.setHorizontalHeaderLabels(list(headings))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    # read, never typed into: Tab goes on to the next part of the dialog (cell by cell, it went round the 问题 table
    # for ever, and the households' table with what importing does to each was out of a keyboard's reach)
    table.setTabKeyNavigation(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if c in right:
                item.setTextAlignment(RIGHT)
            item.setToolTip(value)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    for column in range(len(headings) - 1):   # a long text shows whole in its tooltip; the last column stretches
        header.resizeSection(column, min(header.sectionSize(column), MAX_COLUMN_WIDTH))
    header.setSectionResizeMode(len(headings) - 1, QHeaderView.ResizeMode.Stretch)
    return table


class HistoryDialog(QDialog):
    """The audit log of one household."""

    def __init__(self, parent, title: str, lines):
        super().__init__(parent)
        self.setWindowTitle(f"变更记录 — {title}")
        self.table = _table(self, ("时间", "经办人", "变更"), [(line.at, line.actor, line.what) for line in lines])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        fit_to_screen(self, 820, 420)


class SurveyReportDialog(QDialog):
    """What a survey workbook holds: every problem with its place, and what importing does to each household."""

    def __init__(self, parent, survey, path: str, plan):
        super().__init__(parent)
        self.setWindowTitle("导入调查表")
        problems = list(survey.problems)
        rejected = tuple(getattr(survey, "rejected", ()) or ())
        summary = f"{Path(path).name}:{plan_summary(plan)}"
        if rejected:
            summary += f";有问题未读入 {len(rejected)} 户(户号 {'、'.join(rejected[:20])}{' 等' if len(rejected) > 20 else ''})"
        summary += f";发现问题 {len(problems)} 处。" if problems else ";未发现问题。"
        self.summary = QLabel(summary, self)
        self.summary.setWordWrap(True)
        self.problems = _table(self, ("工作表", "行", "列", "问题"), [
            (str(getattr(p, "sheet", "") or ""), str(getattr(p, "row", "") or ""), str(getattr(p, "column", "") or ""),
             p.zh) for p in problems], right=(1,))   # the place is in the columns before; the app speaks Chinese
        # what happens to the household before its warnings, which run long: the result in sight, not far right
        self.households = _table(self, ("户号", "户主", "地址", "调查表行", "补偿金额(元)", "导入后", "提示"),
                                 [(*survey_household_cells(step.household), step.text(),
                                   f"{len(step.household.warnings)} 条:" + ";".join(step.household.warnings)
                                   if step.household.warnings else "") for step in plan], right=(4,))
        # Every 提示 of the household in the current row, whole: the column shows the start of the first alone, and
        # the rest was in a tooltip only, out of a keyboard's reach (a 身份证号 check digit, said last).
        self.detail = QPlainTextEdit(self)
        self.detail.setReadOnly(True)
        self.detail.setFixedHeight(self.detail.fontMetrics().lineSpacing() * 4 + 12)
        self.households.currentCellChanged.connect(lambda row, *_: self._show_detail(plan, row))
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(any(step.action in (ADD, FIRST_VERSION) for step in plan))
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        if problems:
            layout.addWidget(QLabel(f"问题({len(problems)}):有问题的行不会导入,请在调查表中改正后重新导入。", self))
            layout.addWidget(self.problems, 1)
        else:
            self.problems.hide()
        layout.addWidget(QLabel(f"调查表中的住户({len(plan)})及导入后的结果:", self))
        layout.addWidget(self.households, 1)
        layout.addWidget(QLabel("所选住户的提示:", self))
        layout.addWidget(self.detail)
        layout.addWidget(self.buttons)
        if plan:
            self.households.setCurrentCell(0, 0)
        fit_to_screen(self, 900, 600)

    def _show_detail(self, plan, row: int) -> None:
        step = plan[row] if 0 <= row < len(plan) else None
        if step is None:
            self.detail.setPlainText("")
            return
        said = "\n".join(step.household.warnings) or "无"
        self.detail.setPlainText(f"户号 {step.household.number}({step.text()}):\n{said}")


def plan_summary(plan) -> str:
    """新增 2 户,补录首个版本 1 户,不变 3 户,不导入 1 户 — the counts of an import plan, those that occur."""
    counts = Counter(step.action for step in plan)
    parts = [f"{STEP_LABELS[action]} {counts[action]} 户" for action in STEP_LABELS if counts[action]]
    return ",".join(parts) if parts else "没有可导入的住户"


def survey_household_cells(household) -> tuple[str, ...]:
    """户号, 户主, 地址, the survey rows and the total of one household that can be imported."""
    return household.number, household.head, household.address, household.rows, money_text(household.total)


def ask_drop_only_copy(parent, project: str) -> bool:
    """True to close a project whose file was deleted while open (what it holds is only in the app): asked, with
    取消 the default, for the window's closing and another project's opening dropped it without a word."""
    box = QMessageBox(QMessageBox.Icon.Warning, "项目文件已被删除",
                      f"项目「{project}」的文件已被删除,此前保存的内容只在本程序打开的这一份中,关闭后将全部丢失。\n\n"
                      "请先用「台账 › 备份」另存一份。仍要关闭吗?",
                      QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, parent)
    box.button(QMessageBox.StandardButton.Discard).setText("仍然关闭(丢失)")
    box.button(QMessageBox.StandardButton.Cancel).setText("取消")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return QMessageBox.StandardButton(box.exec()) == QMessageBox.StandardButton.Discard


def ask_recheck_reason(parent, household: str, finding: str) -> str | None:
    """Why a 数据异常 household is to be checked again (its data repaired since); None when the user cancels."""
    return _ask_text(parent, "重新核验", f"「{household}」数据异常:{finding}\n数据修复后,重新核验并重新计算此户;"
                                       "无异常才解除,并记入变更记录。\n请填写理由:", "", "如:已按备份修复")
