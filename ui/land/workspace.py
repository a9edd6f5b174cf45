"""地价测算: price a parcel from the 五台 2022 benchmark tables, with corrections, undo and files.

The widget keeps one immutable `ParcelDraft`; every edit is an undo command that swaps the
draft, and every swap re-prices through `calculator.app.land_actions.price_draft` and renders the
figures of the priced parts and parcel (`calculator.engine.landprice`). Nothing is computed here.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QSizePolicy, QSplitter, QVBoxLayout, QWidget,
)

from calculator.app import land_actions
from calculator.core.errors import CalculationError
from calculator.core.limits import PARCEL_MAX_PARTS
from calculator.app.land_actions import M2, MU, ParcelDraft, PartDraft
from calculator.engine.landprice import COEFFICIENT_LABELS, FORMULA_LINES, ParcelPrice
from calculator.engine.schedules import load_land_table
from tables.land import LandTable
from ui import settings as config
from ui.land import readout
from ui.lazy import lazy_module
from ui.land.commands import DraftCommand
from ui.land.models import MatrixModel, PartsModel, ResultsModel, short_use_legend
from ui.land.views import ComboDelegate, NumberDelegate, PartsTable, table_view, wrapping
from ui.land_ranges import GRADE_NAMES, RangeModel
from ui.workspace import PDF_FILTER, XLSX_FILTER, DocumentWorkspace, Report
from ui.widgets import HalfWidth, mark_problem, pass_undo_through, scrolling, wheel_when_focused

dialogs = lazy_module("ui.dialogs")

SUMMARY_COLUMNS = 4  # caption–value pairs a row: the summary fits a 1280-pixel window


class LandWorkspace(DocumentWorkspace):
    """地价测算: grade, parts, results, Table 1, the use's range table and corrections."""

    title = "地价测算"
    find_label = "转到面积(&F)"
    file_filter = "宗地地价测算 (*.json);;所有文件 (*)"
    document_kind = "parcel"
    open_title = "打开宗地文件"
    save_title = "保存宗地文件"
    reports = {"pdf": Report("parcel_pdf", PDF_FILTER, ".pdf", "导出地价测算表(PDF)"),
               "xlsx": Report("parcel_xlsx", XLSX_FILTER, ".xlsx", "导出地价测算表(Excel)")}
    priced = Signal()  # emitted after every re-pricing (valid or not)

    def __init__(self, settings: config.Settings, table: LandTable | None = None, parent=None, autosave: bool = True):
        super().__init__(settings, parent, autosave)
        self.table = table or load_land_table()
        self.stack = QUndoStack(self)
        self.stack.cleanChanged.connect(self.title_changed)
        self.stack.indexChanged.connect(self.title_changed)   # the 地块编号 names an unsaved parcel: typed, retitled
        self.stack.cleanChanged.connect(self._clean_changed)
        self.stack.indexChanged.connect(self._draft_changed)
        self.path: Path | None = None
        self.draft = ParcelDraft()
        self.price: ParcelPrice | None = None
        self.error: CalculationError | None = None
        self.priced_draft = land_actions.DraftPrice()
        self._syncing = False
        self._build()
        pass_undo_through(self)   # Ctrl+Z in a field with no typing of its own undoes the parcel's last change
        self.show_draft(self.draft)

    # ---------------------------------------------------------------- building

    def _build(self) -> None:
        """Inputs | reference tables above, results below; each pane scrolls rather than demand room.

        The page must fit 1280×620 (a 1920×1080 screen at 150%, less the window's bars): the panes
        sit in splitters and scroll areas, and long lines wrap, so no child sets the window's minimum.
        """
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel { background: #fde7e9; color: #8a0010; border: 1px solid #e5a0a8;"
                                  " padding: 6px; }")
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()

        sides = QSplitter(Qt.Orientation.Horizontal)
        self.inputs_area = scrolling(self._build_inputs(), self._build_corrections())
        sides.addWidget(self.inputs_area)
        sides.addWidget(scrolling(self._build_matrix(), self._build_range()))
        sides.setStretchFactor(0, 5)
        sides.setStretchFactor(1, 4)
        sides.setChildrenCollapsible(False)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(sides)
        splitter.addWidget(scrolling(self._build_results()))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([560, 340])
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)

    def _build_inputs(self) -> QGroupBox:
        box = QGroupBox("地块")
        grid = QGridLayout(box)
        self.grade_combo = QComboBox()
        for grade in self.table.grades:
            self.grade_combo.addItem(f"{GRADE_NAMES.get(grade, grade)}({grade}级)", grade)
        self.grade_combo.currentIndexChanged.connect(self._grade_chosen)
        wheel_when_focused(self.grade_combo)
        self.reference_edit = QLineEdit()
        self.reference_edit.setPlaceholderText("地块编号")
        self.reference_edit.textEdited.connect(lambda t: self._edit_field("reference", t, "编号"))
        self.location_edit = QLineEdit()
        self.location_edit.setPlaceholderText("坐落")
        self.location_edit.textEdited.connect(lambda t: self._edit_field("location", t, "坐落"))
        self.cost_floor_edit = QLineEdit()
        self.cost_floor_edit.setValidator(HalfWidth(self.cost_floor_edit))
        self.cost_floor_edit.setPlaceholderText("可选:新增建设用地有偿使用费+征地补偿费+税费")
        self.cost_floor_edit.textEdited.connect(lambda t: self._edit_field("cost_floor_total", t, "成本之和"))
        grid.addWidget(QLabel("土地级别"), 0, 0)
        grid.addWidget(self.grade_combo, 0, 1)
        grid.addWidget(QLabel("地块编号"), 0, 2)
        grid.addWidget(self.reference_edit, 0, 3)
        grid.addWidget(QLabel("坐落"), 1, 0)
        grid.addWidget(self.location_edit, 1, 1, 1, 3)

        self.parts_model = PartsModel(self._part_edited, self._statutory_years, self)
        self.parts_view = table_view(self.parts_model, view=PartsTable())
        self.parts_view.typed_columns = frozenset({PartsModel.AREA, PartsModel.TERM})
        self.parts_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.parts_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # a cell's editor opens as it becomes current, or on typing, F2 or a double click — never a moment after a
        # click on the cell already current (SelectedClicked): opened over the digits typed meanwhile, 5678 became 678
        edits = QAbstractItemView.EditTrigger
        self.parts_view.setEditTriggers(edits.CurrentChanged | edits.DoubleClicked | edits.EditKeyPressed
                                        | edits.AnyKeyPressed)
        self.parts_view.setItemDelegateForColumn(PartsModel.USE, ComboDelegate(list(self.table.uses), self))
        self.parts_view.setItemDelegateForColumn(PartsModel.UNIT, ComboDelegate([M2, MU], self))
        self.number_delegate = NumberDelegate(self)
        self.number_delegate.typed.connect(lambda: setattr(self, "_autosave_due", True))
        for column in (PartsModel.AREA, PartsModel.TERM):
            self.parts_view.setItemDelegateForColumn(column, self.number_delegate)
        header = self.parts_view.horizontalHeader()
        header.setSectionResizeMode(PartsModel.USE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(PartsModel.AREA, 110)
        header.resizeSection(PartsModel.UNIT, 56)
        header.resizeSection(PartsModel.TERM, 96)
        # Three parts in view (most parcels have one or two; more scroll): one height, whatever room the pane has, so
        # that the boxes below do not move when the pane's content is laid out anew.
        self.parts_view.setFixedHeight(header.sizeHint().height() + 3 * self.parts_view.verticalHeader().defaultSectionSize()
                                       + 2 * self.parts_view.frameWidth())
        self.parts_view.selectionModel().currentChanged.connect(self._part_selected)
        self.add_button = QPushButton("添加部分(&A)")
        self.add_button.clicked.connect(self.add_part)
        self.remove_button = QPushButton("删除部分(&D)")
        self.remove_button.clicked.connect(lambda: self.remove_part(self.parts_view.currentIndex().row()))
        buttons = QHBoxLayout()
        buttons.addWidget(wrapping("混合用途的地块可分为多个部分,各按本用途计价后相加。"), 1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        grid.addWidget(self.parts_view, 2, 0, 1, 4)
        grid.addLayout(buttons, 3, 0, 1, 4)
        grid.addWidget(QLabel("成本之和(元)"), 4, 0)
        grid.addWidget(self.cost_floor_edit, 4, 1, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        return box

    def _build_corrections(self) -> QGroupBox:
        box = QGroupBox("宗地修正(基准地价系数修正法)")
        box.setCheckable(True)
        box.setChecked(False)
        box.toggled.connect(self._corrections_toggled)
        self.corrections_box = box
        grid = QGridLayout(box)
        grid.addWidget(QLabel("系数"), 0, 0)
        grid.addWidget(QLabel("取值"), 0, 1)
        grid.addWidget(QLabel("依据"), 0, 2)
        self.correction_edits: dict[str, QLineEdit] = {}
        self.basis_edits: dict[str, QLineEdit] = {}
        for row, (name, label) in enumerate(COEFFICIENT_LABELS.items(), start=1):
            basis = QLineEdit()
            basis.setPlaceholderText("修正依据")
            basis.textEdited.connect(lambda t, n=name: self._edit_basis(n, t))
            self.basis_edits[name] = basis
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(self._correction_value(name), row, 1)
            grid.addWidget(basis, row, 2)
        self.correction_edits["reduction_rate"].setPlaceholderText("如 0.06")
        self.statutory_label = wrapping()
        self.formula_label = wrapping()
        self.coefficient_label = wrapping()
        self.coefficient_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        n = len(COEFFICIENT_LABELS) + 1
        grid.addWidget(self.statutory_label, n, 0, 1, 3)
        grid.addWidget(self.formula_label, n + 1, 0, 1, 3)
        grid.addWidget(self.coefficient_label, n + 2, 0, 1, 3)
        grid.setColumnStretch(2, 1)
        return box

    def _correction_value(self, name: str) -> QWidget:
        """The value's editor; the term has none here: each part gives its own in the parts table."""
        if name == land_actions.TERM:
            label = QLabel("见上表各部分")
            label.setToolTip("每一部分在「地块」表的「使用年期」列填写;不填即按该用途法定最高年期")
            return label
        edit = QLineEdit()
        edit.setValidator(HalfWidth(edit))
        edit.setMaximumWidth(110)
        edit.textEdited.connect(lambda t, n=name: self._edit_correction(n, t))
        self.correction_edits[name] = edit
        return edit

    def _build_matrix(self) -> QGroupBox:
        box = QGroupBox(f"表1 {self.table.title}")
        box.setToolTip(f"估价基准日 {self.table.valuation_date:%Y-%m-%d},{self.table.document}")
        self.matrix_model = MatrixModel(self.table, self)
        self.matrix_view = table_view(self.matrix_model)
        self.matrix_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matrix_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.matrix_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix_view.setMinimumHeight(170)
        layout = QVBoxLayout(box)
        layout.addWidget(self.matrix_view)
        legend = short_use_legend(self.table.uses)
        self.matrix_note = wrapping(f"{legend + ';' if legend else ''}"
                                    f"估价基准日 {self.table.valuation_date:%Y-%m-%d},{self.table.document}")
        layout.addWidget(self.matrix_note)
        return box

    def _build_range(self) -> QGroupBox:
        box = QGroupBox("基准地价区间表")
        self.range_box = box
        self.range_use_combo = QComboBox()
        self.range_use_combo.addItems(list(self.table.uses))
        self.range_use_combo.currentTextChanged.connect(self._range_use_chosen)
        wheel_when_focused(self.range_use_combo)
        self.range_model = RangeModel(self.table, self.range_use_combo.currentText(), self)
        self.range_view = table_view(self.range_model)
        self.range_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.range_view.setColumnHidden(RangeModel.USE, True)
        self.range_view.setColumnHidden(RangeModel.NOTE, True)
        self.range_view.verticalHeader().hide()
        self.range_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.range_view.setMinimumHeight(130)
        self.range_view.setMaximumHeight(150)
        self.range_note = wrapping()
        self.range_note.setStyleSheet("color: #b00020;")
        row = QHBoxLayout()
        row.addWidget(QLabel("用途"))
        row.addWidget(self.range_use_combo, 1)
        self.range_title = wrapping()
        row.addWidget(self.range_title, 2)
        layout = QVBoxLayout(box)
        layout.addLayout(row)
        layout.addWidget(self.range_view, 1)
        layout.addWidget(self.range_note)
        self._range_use_chosen(self.range_use_combo.currentText())
        return box

    def _build_results(self) -> QGroupBox:
        box = QGroupBox("测算结果")
        self.results_model = ResultsModel(self)
        self.results_view = table_view(self.results_model, stretch_last=True)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.verticalHeader().hide()
        self.results_view.horizontalHeader().setMinimumHeight(44)
        self.results_view.setMinimumHeight(110)
        self.hint_label = wrapping(readout.BLANK_HINT)
        self.hint_label.setStyleSheet("color: #555; padding: 4px;")
        self.left_out_label = wrapping()
        self.left_out_label.setStyleSheet("color: #b00020; font-weight: bold;")
        # A corrected price outside its grade's range, said beside the totals: under the coefficients, or in the
        # table's last column, it was out of sight on a 1366×768 screen or at 150%.
        self.correction_label = wrapping()
        self.correction_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.correction_label.hide()
        self.summary: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        grid = QGridLayout()
        for i, (key, caption) in enumerate(readout.SUMMARY_CAPTIONS):
            label = QLabel("—")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            if key in readout.HEADLINE:
                label.setStyleSheet("font-weight: bold; font-size: 15px;")
            self.summary[key] = label
            self.captions[key] = QLabel(caption + ":")
            grid.addWidget(self.captions[key], i // SUMMARY_COLUMNS, 2 * (i % SUMMARY_COLUMNS))
            grid.addWidget(label, i // SUMMARY_COLUMNS, 2 * (i % SUMMARY_COLUMNS) + 1)
        self.floor_basis_label = wrapping(f"最低价依据: {self.table.floor_basis}")
        self.floor_basis_label.setStyleSheet("color: #555;")
        layout = QVBoxLayout(box)
        layout.addWidget(self.hint_label)
        # what is wrong is said above the figures it keeps out, in the results: above the inputs, it moved every field
        # down as it came and went, and the next click landed in the field below the one meant
        layout.addWidget(self.banner)
        layout.addWidget(self.left_out_label)
        layout.addLayout(grid)
        layout.addWidget(self.correction_label)
        layout.addWidget(self.results_view, 1)
        layout.addWidget(self.floor_basis_label)
        return box

    # ---------------------------------------------------------------- edits (each an undo step)

    def _push(self, new: ParcelDraft, text: str, merge_key: str = "") -> None:
        if new != self.draft:
            self.stack.push(DraftCommand(self, self.draft, new, text, merge_key))

    def set_grade(self, grade: int) -> None:
        """Choose the parcel's grade (an undo step)."""
        self._push(replace(self.draft, grade=grade), f"级别改为{grade}级")

    def _grade_chosen(self, index: int) -> None:
        if not self._syncing and index >= 0:
            self.set_grade(self.grade_combo.itemData(index))

    def add_part(self) -> None:
        """Append a part (the last part's use and unit, no area yet); a parcel has at most PARCEL_MAX_PARTS. The
        unit too: after a part in 亩, a new part in m² had 3 typed and 亩 then chosen converted to 0.0045 亩, priced at
        a 667th of 3 亩 (a unit chosen converts the area typed, see PartsModel)."""
        if len(self.draft.parts) >= PARCEL_MAX_PARTS:
            return
        last = self.draft.parts[-1] if self.draft.parts else None
        use, unit = (last.use, last.unit) if last is not None else (next(iter(self.table.uses)), M2)
        self._push(replace(self.draft, parts=(*self.draft.parts, PartDraft(use, "", unit))), "添加部分")
        # On to the new part's area, its editor open: the next thing typed is its area.
        self.parts_view.setFocus()
        self.parts_view.setCurrentIndex(self.parts_model.index(len(self.draft.parts) - 1, PartsModel.AREA))

    def remove_part(self, row: int) -> None:
        """Remove part `row` (the last one stays: a parcel has at least one part)."""
        parts = self.draft.parts
        if len(parts) <= 1 or not 0 <= row < len(parts):
            return
        self._push(replace(self.draft, parts=parts[:row] + parts[row + 1:]), f"删除第{row + 1}部分")
        # the part now in its place (the last, when it was the last) is current: after 删除部分 no cell was, and Up
        # jumped to the first part
        self.parts_view.setCurrentIndex(self.parts_model.index(min(row, len(self.draft.parts) - 1), PartsModel.AREA))

    def _part_edited(self, row: int, column: int, value: str) -> None:
        part = self.draft.parts[row]
        area_shown = self.parts_model.index(row, PartsModel.AREA).data()   # in the part's unit before this edit
        if column == PartsModel.USE:
            new, text = replace(part, use=value), "改用途"
        elif column == PartsModel.AREA:
            new, text = land_actions.set_area_text(part, value), "改面积"
        elif column == PartsModel.TERM:
            new, text = replace(part, term=value.strip()), "改使用年期"
        else:
            new, text = land_actions.switch_unit(part, value), f"面积换算为{value}"
        parts = self.draft.parts[:row] + (new,) + self.draft.parts[row + 1:]
        self._push(replace(self.draft, parts=parts), f"第{row + 1}部分{text}")
        if column == PartsModel.UNIT and new.exact_m2 is not None and new is not part:
            # 1.05 typed, then 亩 chosen: the same area in 亩 (0.0016), priced as 1.05 m². Said, with the way out.
            shown = self.parts_model.index(row, PartsModel.AREA).data()
            # as shown before: 300 m² → 0.4500 亩 → m² was said "300 亩 已换算为 300.00 m²" (the first text typed)
            self.status.emit(f"第{row + 1}部分面积 {area_shown} {part.unit} 已换算为 {shown} {value}(面积不变);"
                             f"若所填数字本是{value},请撤销(Ctrl+Z)后先选单位再填面积")

    def _edit_field(self, name: str, text: str, label: str) -> None:
        self._push(replace(self.draft, **{name: text}), f"改{label}", merge_key=name)

    def _corrections_toggled(self, on: bool) -> None:
        if self._syncing:
            return
        corrections = dict(land_actions.CORRECTION_DEFAULTS) if on else None
        if on:
            corrections.update({n: e.text() for n, e in self.correction_edits.items() if e.text()})
        self._push(replace(self.draft, corrections=corrections), "启用修正" if on else "取消修正")
        if on:   # below the parts on a laptop's screen: brought into view, its formula and coefficients too
            QTimer.singleShot(0, self._show_corrections)

    def _show_corrections(self) -> None:
        # the box's height once its texts are filled in, and the pane's content resized to it
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.inputs_area.ensureWidgetVisible(self.corrections_box, 0, 0)

    def _edit_correction(self, name: str, text: str) -> None:
        corrections = dict(self.draft.corrections or land_actions.CORRECTION_DEFAULTS)
        corrections[name] = text
        self._push(replace(self.draft, corrections=corrections), f"改{COEFFICIENT_LABELS[name]}",
                   merge_key=f"c.{name}")

    def _edit_basis(self, name: str, text: str) -> None:
        self._push(replace(self.draft, bases={**self.draft.bases, name: text}), "改修正依据", merge_key=f"b.{name}")

    def set_corrections(self, **values: str) -> None:
        """Enable corrections with these values (strings), as one undo step; for scripts and tests."""
        corrections = dict(self.draft.corrections or land_actions.CORRECTION_DEFAULTS)
        corrections.update({k: str(v) for k, v in values.items()})
        self._push(replace(self.draft, corrections=corrections), "修正系数")

    # ---------------------------------------------------------------- rendering

    def show_draft(self, draft: ParcelDraft) -> None:
        """Make `draft` current: sync the inputs, re-price, render."""
        self.draft = draft
        self._syncing = True
        try:
            self.grade_combo.setCurrentIndex(self.grade_combo.findData(draft.grade))
            for edit, text in ((self.reference_edit, draft.reference), (self.location_edit, draft.location),
                               (self.cost_floor_edit, draft.cost_floor_total)):
                if edit.text() != text:
                    edit.setText(text)
            self.corrections_box.setChecked(draft.corrections is not None)
            for name, edit in self.correction_edits.items():
                text = (draft.corrections or {}).get(name, "")
                if draft.corrections is not None and edit.text() != text:
                    edit.setText(text)
            for name, edit in self.basis_edits.items():   # 使用年期's too, which has no value of its own here
                basis = draft.bases.get(name, "")
                if edit.text() != basis:
                    edit.setText(basis)
        finally:
            self._syncing = False
        full = len(draft.parts) >= PARCEL_MAX_PARTS
        self.add_button.setEnabled(not full)
        self.add_button.setToolTip(f"一宗地最多分 {PARCEL_MAX_PARTS} 个部分" if full else "")
        self._reprice()

    def _reprice(self) -> None:
        self.priced_draft = land_actions.price_draft(self.draft)
        self.price, self.error = self.priced_draft.price, self.priced_draft.error
        self._render()
        self.priced.emit()

    def _render(self) -> None:
        price, priced = self.price, self.priced_draft
        self.banner.setVisible(self.error is not None)
        if self.error is not None:
            self.banner.setText("无法测算:" + readout.in_chinese(self.error) + (
                "(下方为不含此项的基准地价、区间和最低价;改正前不能打印或导出)" if price is not None else ""))
        # the field the error is of marked where it was typed, as a part's cell is (r = abc was said only in the banner)
        fields = {f"corrections.{name}": edit for name, edit in self.correction_edits.items()}
        fields["cost_floor_total"] = self.cost_floor_edit
        wrong = fields.get(self.error.where) if self.error is not None else None
        for edit in fields.values():
            marked = edit is wrong
            if bool(edit.property("marked")) != marked:   # restyled only when it changes: a style relays out
                edit.setProperty("marked", marked)
                mark_problem(edit, marked)
            edit.setToolTip(readout.in_chinese(self.error) if marked else "")
        self.parts_model.set_rows(self.draft.parts, priced.left_out, self.draft.corrections is not None)
        self.hint_label.setVisible(priced.blank)
        self.left_out_label.setVisible(bool(priced.left_out))
        self.left_out_label.setText(readout.left_out_text(priced))
        self.results_model.set_result(price, priced.rows)
        self._fit_results()
        self.matrix_model.set_selected({(p.use, self.draft.grade) for p in self.draft.parts})
        if self.range_model.highlight_grade != self.draft.grade:   # a grade chosen: marked, and scrolled into sight
            self.range_model.set_highlight(self.draft.grade)          # (each edit's scroll undid the user's own)
            self._show_grade()
        self.statutory_label.setText(readout.statutory_terms(self.table, self.draft))
        for key, label in self.summary.items():
            label.setText(readout.summary_text(key, price))
            self.captions[key].setText(readout.caption(key, priced))
        self._render_corrections(price)

    def _render_corrections(self, price: ParcelPrice | None) -> None:
        on = self.draft.corrections is not None
        if not on or price is None or price.parcel.corrections is None:
            self.formula_label.setText(f"公式: {self.table.correction_method}" if on else "")
            self.coefficient_label.setText("")
            self.correction_label.hide()
            return
        self.formula_label.setText("\n".join(FORMULA_LINES))
        self.coefficient_label.setText("\n".join(readout.correction_lines(price)))
        notes = readout.correction_notes(price)
        self.correction_label.setVisible(bool(notes))
        self.correction_label.setText("\n".join(notes))

    def _fit_results(self) -> None:
        view = self.results_view
        view.resizeColumnsToContents()
        for column in range(ResultsModel.NOTE):
            view.setColumnWidth(column, max(view.columnWidth(column), 72))

    def _statutory_years(self, use: str) -> int | None:
        """The statutory maximum term of `use` (the default 使用年期), None for an unknown use."""
        return self.table.uses[use].statutory_term_years if use in self.table.uses else None

    def _show_grade(self) -> None:
        """The parcel's grade scrolled into the range table's sight (at 150% it shows a row and a half: the grade
        marked, 四级 with its published discrepancy, was out of sight)."""
        model = self.range_model
        for row in range(model.rowCount()):
            if model.row_at(row).grade == self.draft.grade:
                self.range_view.scrollTo(model.index(row, RangeModel.GRADE))
                return

    def _part_selected(self, current: QModelIndex, _previous=None) -> None:
        if current.isValid() and current.row() < len(self.draft.parts):
            self.range_use_combo.setCurrentText(self.draft.parts[current.row()].use)

    def _range_use_chosen(self, use: str) -> None:
        if use not in self.table.uses:
            return
        self.range_model.set_use(use)
        self._show_grade()
        self.range_title.setText(self.table.uses[use].table)
        notes = readout.range_notes(self.table, use)
        self.range_note.setText("\n".join(notes))
        self.range_note.setVisible(bool(notes))

    # ---------------------------------------------------------------- the document (DocumentWorkspace hooks)

    def undo_stack(self):
        return self.stack

    def focus_search(self) -> None:
        """Ctrl+F (转到面积): to the area of the current part (the first when none), selected and in view. It went to
        the cell last used (a 使用年期) with the table scrolled out of sight, and what was typed there changed the
        price unseen."""
        if self.parts_model.rowCount():
            row = max(self.parts_view.currentIndex().row(), 0)
            self.parts_view.selectionModel().setCurrentIndex(
                self.parts_model.index(row, PartsModel.AREA), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.inputs_area.ensureWidgetVisible(self.parts_view)
        self.parts_view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def load_parcel(self, data: dict[str, Any]) -> None:
        """Show a parcel file object (checked by the engine; bad input raises CalculationError)."""
        self._show_loaded(land_actions.draft_from_dict(data))

    def parcel_dict(self) -> dict[str, Any]:
        """The parcel file object for what is on screen (numbers as strings)."""
        return land_actions.parcel_dict(self.draft)

    def _show_loaded(self, draft: ParcelDraft) -> None:
        self.stack.clear()
        self.stack.setClean()   # clear() keeps a recovered parcel's mark (no clean state): every parcel after it was '*'
        for edit in self.correction_edits.values():   # another parcel's coefficients are never this one's
            edit.clear()
        self.show_draft(draft)
        if draft.parts:
            self.range_use_combo.setCurrentText(draft.parts[0].use)

    def document_path(self) -> Path | None:
        return self.path

    def _draft_changed(self, _index: int) -> None:
        self._autosave_due = True

    def recovery_record(self) -> tuple[dict, str]:
        """The draft as typed, with what a part's cell editor holds and has not given yet (12.5 typed, no Enter)."""
        draft, index = self.draft, self.parts_view.currentIndex()
        editor = self.parts_view.indexWidget(index) or self.parts_view.focusWidget()
        if self.parts_view.state() is QAbstractItemView.State.EditingState and isinstance(editor, QLineEdit) \
                and index.isValid() and index.row() < len(draft.parts) \
                and index.column() in (PartsModel.AREA, PartsModel.TERM) \
                and editor.text() != index.data(Qt.ItemDataRole.EditRole):   # an editor merely open changes nothing
            part = draft.parts[index.row()]
            typed = replace(part, text=editor.text(), exact_m2=None) if index.column() == PartsModel.AREA \
                else replace(part, term=editor.text())
            draft = replace(draft, parts=(*draft.parts[:index.row()], typed, *draft.parts[index.row() + 1:]))
        return land_actions.draft_record(draft), draft.reference

    def restore(self, found, store=None) -> bool:
        """A parcel a crash left behind, as it was typed, marked unsaved."""
        try:
            draft = land_actions.draft_from_record(found.document)
        except CalculationError as error:
            dialogs.show_error(self, "无法恢复", error.shown)
            return False
        self._show_loaded(draft)
        self.path = Path(found.original_path) if found.original_path else None
        self.stack.resetClean()   # unsaved: the file, if any, does not hold it
        self._autosave_due = True
        self.title_changed.emit()
        self.status.emit("已恢复上次未保存的地价测算")
        return True

    def is_modified(self) -> bool:
        return not self.stack.isClean()

    def new_document(self) -> None:
        self._show_loaded(ParcelDraft())
        self.path = None
        self.title_changed.emit()

    def read_document(self, path: Path) -> None:
        """Read a parcel file; an unreadable or invalid file raises CalculationError and changes nothing."""
        self._show_loaded(land_actions.open_parcel(path))
        self.path = path
        self.title_changed.emit()

    def write_document(self, path: Path) -> None:
        """Write the parcel file atomically."""
        land_actions.save_parcel(self.draft, path)
        self.path = path
        self.stack.setClean()
        self.title_changed.emit()

    def report_subject(self, kind: str) -> ParcelPrice:
        return self.priced_draft.whole()

    def suggested_stem(self) -> str:
        """The 地块编号 when typed (what the office files a parcel by), else its grade and uses."""
        reference = self.draft.reference.strip()
        if reference:
            return f"{reference}-地价测算"
        uses = "、".join(dict.fromkeys(part.use for part in self.draft.parts))
        return f"{GRADE_NAMES.get(self.draft.grade, '')}{uses}-地价测算"

    def document_name(self) -> str:
        """The file's name; before the first save, the 地块编号 when typed (the unsaved-changes question asked of
        未命名宗地 while WT-2023-G07 stood in the form)."""
        name = super().document_name()
        reference = self.draft.reference.strip()
        return f"宗地 {reference}" if name == "未命名" and reference else name
