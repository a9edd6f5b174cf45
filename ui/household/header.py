"""The case header: household, assessor, date — each field an undoable edit of the case."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit

from calculator.app import actions
from calculator.core import idcard
from ui.widgets import DateField, HalfWidth

# (path in the case, label with mnemonic, placeholder, stretch)
TEXT_FIELDS = (
    (("household", "head"), "户主(&U)", "姓名"),
    (("household", "id_number"), "身份证号(&I)", "18位"),
    (("household", "phone"), "联系电话", ""),
    (("case_id",), "编号", "如 BZ-2023-0317"),
    (("household", "address"), "地址(&D)", "村、街、门牌号"),
    (("assessor", "organisation"), "评估机构", ""),
    (("assessor", "name"), "评估人员", ""),
)
DATE_PATH = ("assessed_on",)
CASE_ID_PATH = ("case_id",)
WARNING_STYLE = "color: #a15c00;"


# The header's fields that hold digits (身份证号, 联系电话): typed in full width, made half-width.
NUMBER_FIELDS = (("household", "id_number"), ("household", "phone"))


class HeaderForm(QGroupBox):
    """Two rows of fields; typing is one undo step per field visit; a bad ID number is warned about."""

    def __init__(self, session, parent=None):
        super().__init__("户主与评估信息", parent)
        self.session = session
        self.edits: dict[tuple, QLineEdit] = {}
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        positions = [(0, 0), (0, 2), (0, 5), (0, 7), (1, 0), (1, 2), (1, 5)]
        spans = {("assessor", "organisation"): 2}
        for (path, label, placeholder), (row, column) in zip(TEXT_FIELDS, positions):
            edit = QLineEdit(self)
            edit.setPlaceholderText(placeholder)
            edit.setObjectName("header_" + "_".join(path))
            if path in NUMBER_FIELDS:   # a full-width input method's １４２３… kept as the digits every other tool reads
                edit.setValidator(HalfWidth(edit))
            caption = QLabel(label, self)
            caption.setBuddy(edit)
            grid.addWidget(caption, row, column, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(edit, row, column + 1, 1, spans.get(path, 1))
            edit.textEdited.connect(lambda text, p=path: self.session.edit({p: text or actions.ABSENT}, live=True))
            edit.editingFinished.connect(self.session.end_live_edit)
            self.edits[path] = edit
        self.id_warning = QLabel(self)
        self.id_warning.setStyleSheet(WARNING_STYLE)
        self.id_warning.setWordWrap(False)
        grid.addWidget(self.id_warning, 0, 4)
        self.date = DateField(self, "assessed_on")
        caption = QLabel("测算日期(&T)", self)
        caption.setBuddy(self.date.edit)
        grid.addWidget(caption, 1, 7, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.date, 1, 8)
        self.date.edited.connect(lambda text: self.session.edit({DATE_PATH: text or actions.ABSENT}))
        for column, stretch in ((1, 3), (3, 3), (4, 2), (6, 2), (8, 2)):
            grid.setColumnStretch(column, stretch)
        session.changed.connect(lambda *_: self.refresh())
        session.reset.connect(self.date.forget_typed)   # a refused date of the last case is not this one's
        session.reset.connect(self.refresh)
        self.refresh()

    def set_read_only(self, read_only: bool, numbered: bool = False) -> None:
        """Lock every field (a signed or paid case), or only 编号 when a project numbers the case by its 户号."""
        for path, edit in self.edits.items():
            edit.setReadOnly(read_only or (numbered and path == CASE_ID_PATH))
        self.date.edit.setReadOnly(read_only)
        self.edits[CASE_ID_PATH].setToolTip("台账中的住户以户号为案件编号" if numbered else "")

    def refresh(self) -> None:
        """Show the case's values (fields being typed in already show them)."""
        case = self.session.case
        for path, edit in self.edits.items():
            value = actions.get_value(case, path)
            text = "" if value is actions.ABSENT else str(value)
            if edit.text() != text:
                edit.setText(text)
        assessed = actions.get_value(case, DATE_PATH)
        self.date.set_text("" if assessed is actions.ABSENT else str(assessed))
        problem = idcard.problem(self.edits[("household", "id_number")].text())
        warning = f"⚠ {problem.zh.removeprefix('身份证号')}" if problem else ""
        if warning != self.id_warning.text():
            # Restyled only when the verdict changes: a style change relays out the whole window.
            self.id_warning.setText(warning)
            self.id_warning.setToolTip(problem.zh if problem else "")
            self.edits[("household", "id_number")].setStyleSheet("border: 1px solid #d08a00;" if problem else "")
