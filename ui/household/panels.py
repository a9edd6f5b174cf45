"""The household panels: relocation (三), area replacement (R7), the summary and the problem banner.

Each panel writes its fields into the case as undo steps and shows the amounts the engine
returned for them; none of them works anything out.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QVBoxLayout)

from calculator.app import actions
from calculator.core.amount_words import amount_in_words
from calculator.engine.compensation import TOTAL, sheet_numbers
from calculator.core.errors import CalculationError
from calculator.core.labels import place_zh, renumber
from calculator.core.limits import WIDEST_AMOUNT
from calculator.core.money import fmt_grouped, fmt_quantity
from calculator.engine.relocation import PART_NAMES
from calculator.engine.replacement import AREA_LABELS
from ui.widgets import DateField, DecimalEdit

ERROR_STYLE = "color: #b00020;"
AMOUNT_STYLE = "font-weight: bold;"
LINE_ROLE = Qt.ItemDataRole.UserRole + 1


def _block_problems(result, block: str) -> list[CalculationError]:
    return [p for p in result.problems if p.block == block]


def _set(label: QLabel, text: str) -> None:
    """Change a label only when its text changes (each change may relay out its panel)."""
    if label.text() != text:
        label.setText(text)


TOTAL_CAPTION = "应付合计"


def _amount_label(parent, widest: str = f"{WIDEST_AMOUNT} 元") -> QLabel:
    """A right-aligned figure wide enough for any amount, so a new value never relays out its panel."""
    label = QLabel(parent)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    label.setMinimumWidth(label.fontMetrics().horizontalAdvance(widest) + 4)
    label.setStyleSheet(AMOUNT_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


ROW_SPACING = 4   # pixels between the rows of a panel's fields


def _note_label(parent) -> QLabel:
    label = QLabel(parent)
    label.setStyleSheet("color: #666;")
    return label


class _BlockPanel(QGroupBox):
    """Shared plumbing: a field's edits go to ("relocation"|"replacement", name)."""

    block = ""

    def __init__(self, title: str, session, parent=None):
        super().__init__(title, parent)
        self.session = session
        self.problem = QLabel(self)
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.problem.hide()

    def _form(self) -> QFormLayout:
        """The panel's fields, a row each: a little closer than the style's spacing, so that both panels fit beside
        the item table unscrolled on a 1920×1080 screen at 150% and a 1366×768 one, each under a title bar."""
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(ROW_SPACING)
        return form

    def _decimal_field(self, name: str, suffix: str = "m²") -> DecimalEdit:
        edit = DecimalEdit(suffix, self)
        edit.setObjectName(f"{self.block}_{name}")
        edit.textEdited.connect(
            lambda text: self.session.edit({(self.block, name): text.strip() or actions.ABSENT}, live=True))
        edit.editingFinished.connect(self.session.end_live_edit)
        return edit

    def _show_text(self, edit, name: str) -> None:
        value = actions.get_value(self.session.case, (self.block, name))
        text = actions.decimal_text(value)
        if edit.text() != text and not (edit.hasFocus() and edit.text().strip() == text):
            edit.setText(text)

    def _show_problems(self, result) -> None:
        problems = _block_problems(result, self.block)
        _set(self.problem, "\n".join(f"未计入:{p.zh}" for p in problems))
        self.problem.setToolTip("\n".join(p.shown for p in problems))
        self.problem.setVisible(bool(problems))


class RelocationPanel(_BlockPanel):
    """三、搬迁与安置: building area, hardship months, the three dates, and the three allowances."""

    block = "relocation"

    def __init__(self, session, parent=None):
        super().__init__("三、搬迁与安置", session, parent)
        self.area = self._decimal_field("building_area_m2")
        self.fill = QPushButton("按房屋项填入", self)
        self.fill.setToolTip("附属平房、窑洞的面积(m²)合计,加上正房面积;填入后仍可修改,以填写的数值为准")
        self.fill.clicked.connect(self.fill_area)
        self.hardship = QCheckBox("唯一住房,临时安置确有困难", self)
        self.hardship.toggled.connect(
            lambda on: self.session.edit({(self.block, "sole_housing_hardship"): True if on else actions.ABSENT}))
        # Typed as text, as every number here (a spin box dropped the point of 1.5 and read 15, and the 0 of 30
        # past its top and read 3): a count of months the engine does not take is said under the panel.
        self.extra = self._decimal_field("extra_months", "个月")
        self.extra.setPlaceholderText("不增加")
        self.extra.setToolTip("唯一住房且临时安置确有困难的,可适当增加临时安置月数"
                              f"(至多 {session.schedule.relocation.max_extra_months} 个月)")
        self.dates = {}
        for name in ("signed_on", "paid_on", "moved_on"):
            field = DateField(self, name, holds_invalid=True)   # a day that does not exist is the case's problem
            field.edit.setObjectName(f"relocation_{name}")
            field.edited.connect(lambda text, n=name: self.session.edit({(self.block, n): text or actions.ABSENT}, live=True))
            field.finished.connect(self.session.end_live_edit)
            session.reset.connect(field.forget_typed)
            self.dates[name] = field
        self.moving, self.temporary, self.incentive = (_amount_label(self) for _ in range(3))
        self.temporary_note, self.incentive_note = _note_label(self), _note_label(self)

        form = self._form()
        area_row = QHBoxLayout()
        area_row.addWidget(self.area, 1)
        area_row.addWidget(self.fill)
        caption = QLabel("建筑面积(&A)", self)
        caption.setBuddy(self.area)
        form.addRow(caption, area_row)
        self.area_note = _note_label(self)   # one line kept for it: shown or not, no field below moves
        self.area_note.setStyleSheet("color: #b35c00;")
        self.area_note.setMinimumHeight(self.area_note.fontMetrics().height())
        form.addRow("", self.area_note)
        form.addRow("", self.hardship)
        form.addRow("增加安置月数", self.extra)
        form.addRow("签约日期", self.dates["signed_on"])
        form.addRow("支付日期", self.dates["paid_on"])
        form.addRow("搬迁日期", self.dates["moved_on"])
        amounts = QGridLayout()
        amounts.setColumnStretch(1, 1)
        amounts.setVerticalSpacing(2)   # as 汇总's: each note under its amount
        for row, (part, label, note) in enumerate((("moving", self.moving, None),
                                                   ("temporary", self.temporary, self.temporary_note),
                                                   ("incentive", self.incentive, self.incentive_note))):
            name = PART_NAMES[part]
            amounts.addWidget(QLabel(name, self), row * 2, 0)
            amounts.addWidget(label, row * 2, 1)
            if note is not None:
                amounts.addWidget(note, row * 2 + 1, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_rule(self))
        layout.addLayout(amounts)
        layout.addWidget(self.problem)
        session.changed.connect(lambda result, _s: self.show_result(result))
        self.show_result(session.result)

    def fill_area(self) -> None:
        """Put the case's house area into the field (an undo step; the typed value rules after)."""
        area = actions.house_area(self.session.case, self.session.schedule)
        if area > 0:
            self.session.edit({(self.block, "building_area_m2"): fmt_quantity(area)}, text="按房屋项填入建筑面积")
        else:
            self.fill.setToolTip("本户还没有附属平房、窑洞面积或正房面积")

    def show_result(self, result) -> None:
        case = self.session.case
        self._show_text(self.area, "building_area_m2")
        houses = actions.unmatched_house_area(case, self.session.schedule)
        _set(self.area_note, "" if houses is None else f"与房屋项合计 {fmt_quantity(houses)} m² 不同,请核对")
        self.area_note.setToolTip("" if houses is None else
                                  "附属平房、窑洞的面积(m²)合计加上正房面积;补助按填写的建筑面积计算。"
                                  "如房屋项有增减,可按「按房屋项填入」更新")
        self.hardship.blockSignals(True)
        self.hardship.setChecked(actions.get_value(case, (self.block, "sole_housing_hardship")) is True)
        self.hardship.blockSignals(False)
        self._show_text(self.extra, "extra_months")
        warned: dict[str, list[str]] = {}   # a date taken and priced, to be checked (a year typed wrong): at its field
        for warning in result.warnings:
            if warning.block == self.block and warning.field in self.dates:
                warned.setdefault(warning.field, []).append(warning.zh)
        for name, field in self.dates.items():
            value = actions.get_value(case, (self.block, name))
            field.set_text("" if value is actions.ABSENT else str(value))
            field.warn("" if value is actions.ABSENT else "\n".join(warned.get(name, ())))   # not 未填 (not moved yet)
        relocation = result.relocation
        if relocation is None:
            for label in (self.moving, self.temporary, self.incentive):
                _set(label, "—")
            _set(self.temporary_note, "填写建筑面积后计算" if case.relocation is None else "")
            _set(self.incentive_note, "")
        else:
            _set(self.moving, f"{fmt_grouped(relocation.moving)} 元")
            _set(self.temporary, f"{fmt_grouped(relocation.temporary)} 元")
            _set(self.temporary_note, f"{fmt_grouped(relocation.temporary_per_month)} 元/月 × {relocation.months} 个月")
            _set(self.incentive, f"{fmt_grouped(relocation.incentive)} 元")
            _set(self.incentive_note, relocation.incentive_note)
        self._show_problems(result)


class ReplacementPanel(_BlockPanel):
    """房屋面积置换 (R7): 正房 area and footprint, the homestead certificate area → new-home m²."""

    block = "replacement"
    FIELDS = tuple(AREA_LABELS.items())

    def __init__(self, session, parent=None):
        super().__init__("房屋面积置换", session, parent)
        self.edits = {name: self._decimal_field(name) for name, _ in self.FIELDS}
        self.total = _amount_label(self)
        self.parts = _note_label(self)
        form = self._form()
        for name, label in self.FIELDS:
            form.addRow(label, self.edits[name])
        total_row = QHBoxLayout()
        total_row.addWidget(QLabel("置换面积", self))
        total_row.addWidget(self.total, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_rule(self))
        layout.addLayout(total_row)
        layout.addWidget(self.parts)
        layout.addWidget(self.problem)
        session.changed.connect(lambda result, _s: self.show_result(result))
        self.show_result(session.result)

    def show_result(self, result) -> None:
        for name, edit in self.edits.items():
            self._show_text(edit, name)
        replacement = result.replacement
        if replacement is None:
            _set(self.total, "—")
            _set(self.parts, "")
        else:
            _set(self.total, f"{fmt_quantity(replacement.total_m2)} m²")
            _set(self.parts, "\n".join(
                f"{part.key.partition('/')[2] or part.key}: {fmt_quantity(part.base)} × {part.ratio} = {fmt_quantity(part.area)} m²"
                for part in replacement.parts))
        self._show_problems(result)


class SummaryPanel(QGroupBox):
    """Section subtotals, the payable total in figures and words, the disputed sum, the warnings."""

    line_requested = Signal(int)

    def __init__(self, session, parent=None):
        super().__init__("汇总", parent)
        self.session = session
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(2)
        self.subtotals: dict[str, QLabel] = {}
        for row, section in enumerate(session.schedule.sections):
            grid.addWidget(QLabel(session.schedule.heading(section), self), row, 0)
            self.subtotals[section] = _amount_label(self)
            self.subtotals[section].setStyleSheet("")
            grid.addWidget(self.subtotals[section], row, 1)
        row = len(self.subtotals)
        grid.addWidget(QLabel("有争议(不计入)", self), row, 0)
        self.disputed = _amount_label(self)
        self.disputed.setStyleSheet("color: #777;")
        grid.addWidget(self.disputed, row, 1)
        grid.addWidget(QLabel("置换面积", self), row + 1, 0)
        self.replacement = _amount_label(self)
        self.replacement.setStyleSheet("")
        grid.addWidget(self.replacement, row + 1, 1)

        self.total = _amount_label(self)
        self.total.setObjectName("total")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.total.setFont(font)
        self.total.setMinimumWidth(QFontMetrics(font).horizontalAdvance(f"{WIDEST_AMOUNT} 元") + 8)
        self.total_caption = caption = QLabel(TOTAL_CAPTION, self)
        caption.setStyleSheet("font-weight: bold;")
        self.words = QLabel(self)
        self.words.setObjectName("total_in_words")
        self.words.setWordWrap(True)
        self.words.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        # Two lines always: the longest amount in words wraps once, and the panel never changes height.
        self.words.setFixedHeight(self.words.fontMetrics().lineSpacing() * 2 + 4)
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        totals = QVBoxLayout()
        totals.addWidget(caption)
        totals.addWidget(self.total)
        totals.addWidget(self.words)
        totals.addStretch(1)

        self.warnings_title = QLabel(self)
        self.warnings = QListWidget(self)
        self.warnings.setWordWrap(True)
        self.warnings.itemActivated.connect(self._activated)
        self._notes: list[tuple] = []
        self._incomplete: bool | None = None
        notes = QVBoxLayout()
        notes.addWidget(self.warnings_title)
        notes.addWidget(self.warnings, 1)

        layout = QHBoxLayout(self)
        layout.addLayout(grid, 3)
        layout.addWidget(_rule(self, vertical=True))
        layout.addLayout(totals, 3)
        layout.addWidget(_rule(self, vertical=True))
        layout.addLayout(notes, 5)
        session.changed.connect(lambda result, _s: self.show_result(result))
        self.show_result(session.result)

    def show_result(self, result) -> None:
        for section, label in self.subtotals.items():
            _set(label, fmt_grouped(result.subtotals.get(section, 0)))
        _set(self.total, f"{fmt_grouped(result.total)} 元")
        # a line or a block left out for a mistake: the figure is not the sheet's (one bad date drops three allowances)
        incomplete = any(problem.block != TOTAL for problem in result.problems)   # a line or a block left out
        if incomplete != self._incomplete:   # restyled only when it changes: a style sheet set relays out the panel
            self._incomplete = incomplete
            _set(self.total_caption, f"{TOTAL_CAPTION}(不完整:有误的项未计入)" if incomplete else TOTAL_CAPTION)
            self.total_caption.setStyleSheet(f"font-weight: bold;{' color: #b00020;' if incomplete else ''}")
            self.total.setStyleSheet(f"color: {'#8a8a8a' if incomplete else '#0b4f8a'};")
        try:
            _set(self.words, amount_in_words(result.total))
        except CalculationError as error:
            _set(self.words, error.zh)
        _set(self.disputed, f"{fmt_grouped(result.disputed_total)} 元")
        _set(self.replacement, "—" if result.replacement is None else f"{fmt_quantity(result.replacement.total_m2)} m²")
        numbers = sheet_numbers(result.case, result.schedule)
        notes = [(f"未计入 {place_zh(renumber(p.where, numbers))}: {p.zh}", p.zh, p.line, True)
                 for p in result.problems]
        # in line order (the engine says a line's own first, then what only the whole case shows: an item paid per
        # household counted twice, at its second line), the case's own after them
        notes += [(f"{place_zh(renumber(w.where, numbers))}: {w.zh}" if w.where else w.zh, w.zh, w.line, False)
                  for w in sorted(result.warnings, key=lambda w: (w.line is None, w.line or 0))]
        if notes != self._notes:
            self._notes = notes
            self.warnings.clear()
            for note in notes:
                self._add(*note)
        count = self.warnings.count()
        _set(self.warnings_title, f"提示({count}):回车转到该行" if count else "提示:无")

    def _add(self, text: str, tooltip: str, line: int | None, error: bool) -> None:
        item = QListWidgetItem(text)
        item.setToolTip(tooltip)
        item.setData(LINE_ROLE, line)
        if error:
            item.setForeground(Qt.GlobalColor.darkRed)
        self.warnings.addItem(item)

    def _activated(self, item: QListWidgetItem) -> None:
        line = item.data(LINE_ROLE)
        if line is not None:
            self.line_requested.emit(line)


class ProblemBanner(QLabel):
    """A strip above the table while lines are left out: how many, which, and a link to the first."""

    go_to_first = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet("background: #fbe3e4; color: #8a1020; border: 1px solid #e8b4b8; padding: 5px 8px;")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.linkActivated.connect(lambda _link: self.go_to_first.emit())
        self.hide()

    def show_problems(self, rows: list[str], block_problems: int) -> None:
        """`rows`: the 序号 of the lines left out, as the table's row headers show them."""
        parts = []
        if rows:
            listed = "、".join(rows[:8]) + ("…" if len(rows) > 8 else "")
            parts.append(f"有 <b>{len(rows)}</b> 行输入有误,未计入合计(第{listed}行)。")
        if block_problems:
            parts.append("搬迁与安置或面积置换信息有误,未计入。")
        if rows:
            parts.append("<a href='#first'>转到第一处</a>")
        self.setText(" ".join(parts))
        self.setVisible(bool(parts))


class LockBanner(QFrame):
    """A strip above the case while it may not be edited (signed, paid) or is being amended; 更正 where allowed."""

    amend_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lock_banner")
        self.setStyleSheet("#lock_banner { background: #fff4ce; border: 1px solid #e0c060; }")
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.amend_button = QPushButton("更正(&G)…", self)
        self.amend_button.setToolTip("填写更正理由后修改此户,保存为新版本")
        self.amend_button.clicked.connect(lambda _checked=False: self.amend_requested.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.amend_button)
        self.hide()

    def show_notice(self, text: str | None, can_amend: bool = False) -> None:
        """Show `text` (None: hide the strip), with 更正… when the case may be amended."""
        self.text.setText(text or "")
        self.amend_button.setVisible(can_amend)
        self.setVisible(bool(text))


def _rule(parent, vertical: bool = False) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.VLine if vertical else QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line

