"""补偿测算: one household's case — header, picker, item table, relocation, replacement, summary."""
from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

from PySide6.QtCore import QByteArray, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from calculator.app import actions
from calculator.engine.case import case_from_dict, case_to_dict
from calculator.engine.compensation import compute
from calculator.core.errors import CalculationError
from ui import settings as config
from ui.household.document import read_case
from ui.household.header import DATE_PATH, HeaderForm
from ui.household.items_model import ItemTableModel
from ui.household.items_view import ItemTable
from ui.household.panels import LockBanner, ProblemBanner, RelocationPanel, ReplacementPanel, SummaryPanel
from ui.household.picker import PickerPanel
from ui.household.session import HouseholdSession
from ui.lazy import lazy_module
from ui.widgets import pass_undo_through, scrolling
from ui.workspace import PDF_FILTER, XLSX_FILTER, DocumentWorkspace, Report

dialogs = lazy_module("ui.dialogs")
stored_cases = lazy_module("calculator.app.stored_cases")  # the project store (sqlite3) loads when first used

# The reason of an amendment under way, kept in the crash-recovery record beside where the case belongs.
AMENDMENT_REASON = "amendment_reason"


class HouseholdWorkspace(DocumentWorkspace):
    """The 补偿测算 tab."""

    title = "补偿测算"
    find_label = "查找项目(&F)"
    file_filter = "补偿测算案例 (*.json);;所有文件 (*)"
    document_kind = "case"
    open_title = "打开案例"
    save_title = "保存案例"
    reports = {"pdf": Report("compensation_pdf", PDF_FILTER, ".pdf", "导出结算单(PDF)"),
               "xlsx": Report("compensation_xlsx", XLSX_FILTER, ".xlsx", "导出明细表(Excel)")}

    stored_saved = Signal(int)  # a household's new version is in the project store (its id)

    def __init__(self, settings: config.Settings, schedule=None, autosave: bool = True, parent=None):
        super().__init__(settings, parent, autosave)
        self.session = HouseholdSession(schedule, self)
        self.stored = None  # a calculator.app.stored_cases.StoredCase while the case comes from the project store
        self.amendment_reason: str | None = None  # given on 更正 of a signed case, used when it is saved
        self.reason_dialog = None  # the open override-reason dialog, if any
        self._reason_changes: tuple[int, dict] | None = None  # its row and the values waiting on its reason

        self.header = HeaderForm(self.session, self)
        self.lock_banner = LockBanner(self)
        # Another user saved this household meanwhile, or the server's connection broke: said before saving.
        self.news_banner = QLabel(self)
        self.news_banner.setObjectName("news")
        self.news_banner.setWordWrap(True)
        self.news_banner.setStyleSheet("background: #fde2e1; border: 1px solid #d9534f; padding: 4px;")
        self.news_banner.hide()
        self.picker = PickerPanel(self.session.schedule, self)
        self.model = ItemTableModel(self.session, self)
        self.table = ItemTable(self)
        self.table.setModel(self.model)
        self.banner = ProblemBanner(self)
        self.summary = SummaryPanel(self.session, self)
        self.relocation = RelocationPanel(self.session, self)
        self.replacement = ReplacementPanel(self.session, self)
        for field in (self.header.date, *self.relocation.dates.values()):   # a date typed is kept aside (`_pending`)
            field.typed.connect(lambda: setattr(self, "_autosave_due", True))

        center = QWidget(self)
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(0, 0, 0, 0)
        center_layout.addWidget(self.banner)
        center_layout.addWidget(self.table, 1)
        center_layout.addWidget(self.summary)
        # a pane that scrolls: the two panels, taller than what is left of a 1920×1080 screen at 150% once a banner
        # shows, pushed the window past the screen's foot, its status line cut off
        right = scrolling(self.relocation, self.replacement)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.picker)
        self.splitter.addWidget(center)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 960, 320])
        self.splitter.setChildrenCollapsible(False)
        state = settings.get(config.HOUSEHOLD_SPLITTER)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.splitter.restoreState(state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.news_banner)
        layout.addWidget(self.lock_banner)
        layout.addWidget(self.header)
        layout.addWidget(self.splitter, 1)
        self.setTabOrder(self.picker.search, self.picker.tree)
        self.setTabOrder(self.picker.tree, self.table)
        for form in (self.header, self.relocation, self.replacement):
            pass_undo_through(form)

        self.picker.item_chosen.connect(self.add_item)
        self.model.reason_needed.connect(self._reason_needed)
        self.model.modelAboutToBeReset.connect(self._remember_cell)
        self.model.modelReset.connect(self._restore_cell)
        # another case starts at its first cell: after Ctrl+N the empty table kept the last one's scroll, its header
        # starting at 数量, and a case opened was shown at the last one's cell (备注 of row 4)
        self.session.reset.connect(self._to_first_cell)
        self.summary.line_requested.connect(self.go_to_line)
        self.banner.go_to_first.connect(self.go_to_first_problem)
        self.lock_banner.amend_requested.connect(self.start_amendment)
        self.session.changed.connect(self._changed)
        self.session.file_changed.connect(self.title_changed)
        self.session.stack.cleanChanged.connect(self._clean_changed)
        self._changed(self.session.result, True)
        self._remembered = (0, 0)

    # --- Workspace interface -------------------------------------------------------------------------

    def undo_stack(self):
        return self.session.stack

    def focus_search(self) -> None:
        self.picker.focus_search()

    def focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))

    def cycle_pane(self, forward: bool = True) -> None:
        """F6 / Shift+F6: picker → items → relocation → replacement → notes → header → picker."""
        panes = [self.picker.search, self.table, self.relocation.area,
                 self.replacement.edits["main_house_area_m2"], self.summary.warnings,
                 self.header.edits[("household", "head")]]
        focused = self.focusWidget()
        current = next((i for i, pane in enumerate(panes) if focused is pane or pane.isAncestorOf(focused)), -1)
        pane = panes[(current + (1 if forward else -1)) % len(panes)]
        pane.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if pane is self.table:
            self.focus_table()

    def shutdown(self) -> None:
        self.settings.set(config.HOUSEHOLD_SPLITTER, self.splitter.saveState())
        super().shutdown()

    # --- lines ----------------------------------------------------------------------------------------

    def add_item(self, key: str) -> None:
        """Add a line for `key` and put the cursor in its first cell to fill (the quantity)."""
        row = self.session.add_line(key)
        if row is None:   # read-only: said, as the banner says it (from 标准查阅 the Enter did nothing, unsaid)
            self.status.emit(f"未添加「{key}」:此户只能查看" + ("(如需更正,请点「更正…」)"
                                                            if not self.lock_banner.amend_button.isHidden() else ""))
            return
        self.table.edit_cell(row, self.model.first_edit_column(row))
        self.status.emit(f"已添加第{row + 1}行「{key}」")

    def delete_selected(self) -> None:
        if self.table.state() == ItemTable.State.EditingState or self.session.read_only:
            return
        rows = self.table.selected_rows()
        if rows:
            items = self.session.case.items
            said = (f"第{rows[0] + 1}行「{items[rows[0]].get('item', '')}」" if len(rows) == 1 else
                    f" {len(rows)} 行(第{'、'.join(str(row + 1) for row in rows[:5])}{'…' if len(rows) > 5 else ''}行)")
            self.session.remove_lines(rows)
            self.status.emit(f"已删除{said},可撤销(Ctrl+Z)")

    def toggle_disputed(self) -> None:
        """Mark the chosen lines 有争议, or clear the mark when every one carries it (one undo step): the 有争议 column
        stands right of 金额, often out of view at 1366×768, and its Space wants the cursor in it."""
        if self.table.state() == ItemTable.State.EditingState or self.session.read_only:
            return
        rows = self.table.selected_rows()
        if not rows:
            return
        items = self.session.case.items
        mark = not all(items[row].get("disputed") is True for row in rows)
        said = f"第{'、'.join(str(row + 1) for row in rows[:5])}{'…' if len(rows) > 5 else ''}行"
        text = f"{said}{'标为有争议' if mark else '取消有争议'}"
        if self.session.edit({("items", row, "disputed"): True if mark else actions.ABSENT for row in rows}, text=text):
            self.status.emit(f"{text}{',不计入合计' if mark else ',计入合计'},可撤销(Ctrl+Z)")

    def go_to_line(self, row: int, field: str | None = None) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        info = self.model.row(row)
        column = self.model.field_column(row, field if field is not None else info.problem_field)
        index = self.model.index(row, column)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def go_to_first_problem(self) -> None:
        rows = self.model.problem_rows()
        if rows:
            self.go_to_line(rows[0])

    def go_to_next_problem(self) -> None:
        """F8: the next line left out of the total, after the current one (wrapping round)."""
        rows = self.model.problem_rows()
        if rows:
            current = self.table.currentIndex().row() if self.table.hasFocus() else -1
            self.go_to_line(next((row for row in rows if row > current), rows[0]))

    def edit_reason(self) -> None:
        """Write or change the override reason of the current line."""
        index = self.table.currentIndex()
        if not index.isValid() or self.session.read_only:
            return
        row = index.row()
        raw = self.session.case.items[row]
        message = f"第{row + 1}行「{raw.get('item', '')}」超出标准的理由"
        self._open_reason_dialog(message, row, {}, str(raw.get("override_reason") or ""))

    def _reason_needed(self, row: int, changes: dict, error: CalculationError) -> None:
        # Asked after the editor has closed, so the dialog does not fight the table for focus.
        QTimer.singleShot(0, lambda: self._open_reason_dialog(error.zh, row, changes, ""))

    def _open_reason_dialog(self, message: str, row: int, changes: dict, reason: str) -> None:
        if self.reason_dialog is not None or row >= len(self.session.case.items):
            return
        dialog = dialogs.reason_dialog(self, message, reason)
        self.reason_dialog, self._reason_changes = dialog, (row, changes)
        self._autosave_due = True   # what waits on the reason is kept aside too (`_pending`)
        dialog.edit.textEdited.connect(lambda _text: setattr(self, "_autosave_due", True))

        def accepted() -> None:
            edit = {("items", row, field): value for field, value in changes.items()}
            edit[("items", row, "override_reason")] = dialog.text()
            self.session.edit(edit, text=f"第{row + 1}行超标准(理由:{dialog.text()})")

        def finished(_code: int) -> None:
            self.reason_dialog = self._reason_changes = None
            self._autosave_due = True   # what waited on the reason, cancelled, is no longer kept aside
            dialog.deleteLater()
            self.window().activateWindow()
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(finished)
        dialog.open()

    def _to_first_cell(self) -> None:
        self.table.setCurrentIndex(QModelIndex())   # what the model's reset then remembers: (0, 0)
        self.table.horizontalScrollBar().setValue(0)
        self.table.scrollToTop()

    def _remember_cell(self) -> None:
        index = self.table.currentIndex()
        self._remembered = (index.row(), index.column()) if index.isValid() else (0, 0)

    def _restore_cell(self) -> None:
        rows = self.model.rowCount()
        if rows:
            row, column = self._remembered
            self.table.setCurrentIndex(self.model.index(min(max(row, 0), rows - 1), column))

    def _changed(self, result, _structure: bool) -> None:
        self.banner.show_problems([self.model.headerData(row, Qt.Orientation.Vertical) for row in self.model.problem_rows()],
                                  sum(1 for p in result.problems if p.line is None))
        self._autosave_due = True

    # --- the document (DocumentWorkspace hooks) -------------------------------------------------------

    def document_path(self) -> Path | None:
        return self.session.document.path

    def is_modified(self) -> bool:
        return self.session.modified

    def document_name(self) -> str:
        if self.stored is None:
            return super().document_name()
        return f"{self.stored.label}(台账 {self.stored.version_label})"

    def new_document(self) -> None:
        self.session.new()
        self._set_stored(None)

    def read_document(self, path: Path) -> None:
        self.session.open(path)
        self._set_stored(None)

    def write_document(self, path: Path) -> None:
        self.session.save(path)

    def untaken_input(self) -> str | None:
        # 测算日期 cannot hold a text that is no date (the case would not open): the field keeps it, refused; a
        # relocation date holds what was typed, but not a pasted page. Text typed and not yet read is read first.
        for field in (self.header.date, *self.relocation.dates.values()):
            field.commit()
            if field.untaken():
                return field.untaken()
        return None

    def report_subject(self, kind: str):
        if self.stored is not None and self.stored.version is not None:
            return stored_cases.printable(self.stored)  # the stored version, as the batch prints it
        return compute(self.session.case, self.session.schedule)

    def report_extras(self) -> dict:
        if self.stored is None or self.stored.version is None:
            return {}
        return {"filing": stored_cases.filing(self.stored.store, self.stored.household.number, self.stored.version)}

    def export_state(self, kind: str) -> str | None:
        # The sheet's fingerprint must be the household's current version's, or the signed paper cannot be checked: a
        # version superseded elsewhere (said first: saving, which unsaved edits would ask for, is refused then) or
        # edits not saved yet are never printed.
        if self.stored is not None:
            try:
                stale = stored_cases.superseded(self.stored)
            except CalculationError as error:
                return f"无法核对台账中此户的当前版本:{error.shown}"
            if stale:
                return stale + (";此处的修改请先用「另存为」存成文件" if self.is_modified() else "")
            if self.is_modified():
                return "此户有未保存到台账的修改,请先保存(Ctrl+S)再打印或导出"
        return super().export_state(kind)

    def greyed_export(self, kind: str) -> str | None:
        return super().export_state(kind)   # unsaved edits are said when Ctrl+P is pressed, not greyed silently

    def suggested_stem(self) -> str:
        head = self.session.case.household.get("head", "").strip()
        return f"{head}-补偿测算" if head else "补偿测算"

    def save_to(self, path: Path) -> bool:
        """另存为 a file: the case leaves the project store's keeping."""
        if not super().save_to(path):
            return False
        self._set_stored(None)
        self.title_changed.emit()
        return True

    # --- the project store ---------------------------------------------------------------------------

    def open_stored(self, store, household_id: int) -> bool:
        """Edit a household of the project (台账): its current version, saved back as a new version."""
        if not self.confirm_close():
            return False
        try:
            stored, case = stored_cases.open_stored(store, household_id, self.session.schedule.id)
            self.session.load(case, None)
        except CalculationError as error:
            dialogs.show_error(self, "无法打开", error.shown)
            return False
        self._set_stored(stored)
        self.document_replaced()
        self.title_changed.emit()
        self.status.emit(f"已打开台账中的 {stored.label}({stored.version_label})")
        return True

    def open_path(self, path: Path) -> bool:
        """A case file opened while an open household of the 台账 is edited may be put into it (costed first as a file,
        then registered: it was typed again), else it is opened on its own, as over anything else."""
        if self.stored is None or self.session.read_only:
            return super().open_path(path)
        try:
            case = read_case(path)
        except CalculationError as error:
            dialogs.show_error(self, "无法打开", error.shown)
            return False
        differs = (stored_cases.other_household(case, self.stored.household),
                   stored_cases.replaced_by_file(self.stored, case))
        choice = dialogs.ask_fill_household(self, path.name, self.stored.label, "\n".join(filter(None, differs)))
        if choice != "fill":
            return choice == "open" and super().open_path(path)
        try:   # unsaved: Ctrl+S makes it the household's next version
            self.session.load(stored_cases.numbered(case, self.stored.household.number), None, modified=True)
        except CalculationError as error:   # a schedule this program does not have
            dialogs.show_error(self, "无法打开", error.shown)
            return False
        self.status.emit(f"已把 {path.name} 填入 {self.stored.label},核对后保存(Ctrl+S)即存入台账")
        return True

    def _set_stored(self, stored) -> None:
        """The case now belongs to `stored` (None: to a file or nowhere); a signed or paid one is shown read-only."""
        self.stored, self.amendment_reason = stored, None
        self._show_news(None)
        self._show_lock()
        self.title_changed.emit()   # a file opened over a household from the 台账 kept its title until saved

    def _show_news(self, text: str | None) -> None:
        self.news_banner.setText(text or "")
        self.news_banner.setVisible(bool(text))

    def check_news(self, store) -> str | None:
        """The project `store` was changed by another user: if it was this household, say so now (its save
        would be refused) — who saved which version, and what to do with what is typed here."""
        if self.stored is None or self.stored.store is not store:
            return None
        try:
            news = stored_cases.news(self.stored)
        except CalculationError as error:
            news = f"无法核对台账中此户的当前版本:{error.shown}"
        if news is not None:
            self._show_news(news)
            self.status.emit(news)
        return news

    def connection_lost(self, store) -> None:
        """The server's connection broke: what is typed stays here and is written to the autosave at once."""
        if self.stored is None or self.stored.store is not store:
            return
        self._show_news("与服务器的连接已中断:此户的修改仍保留在这里,并已写入自动保存。"
                        "请到台账点「重新连接」后再保存,或用「另存为」存成文件。")
        self._autosave_due = self._autosave_due or self.is_modified()
        self.autosave()

    def rebind_store(self, old, new) -> bool:
        """The project was reconnected: a household of the old connection belongs to the new one, keeping the
        version it was opened at (so a save is still checked against it) and any amendment reason."""
        if self.stored is None or self.stored.store is not old:
            return False
        reason = self.amendment_reason
        try:
            stored = stored_cases.reattach(new, stored_cases.where(self.stored))
        except CalculationError as error:
            self._show_news(f"重新连接后无法对应到台账中的此户,请用「另存为」把修改存成文件:{error.shown}")
            return False
        if self.is_modified():   # typing of its own stays against the household as it was opened, as before the break:
            # a signature made meanwhile is said by the news banner and refuses the save; taken as it now is, the typing
            # showed under 此户已签字(第1版),只能查看 — unsaved figures as the signed ones
            stored = dataclasses.replace(stored, household=self.stored.household)
        self._set_stored(stored)
        self.amendment_reason = reason
        self._show_lock()
        return True

    def _show_lock(self) -> None:
        notice = None if self.stored is None else self.stored.lock_notice
        amending = self.amendment_reason is not None
        locked = notice is not None and not amending
        self.session.read_only = locked
        self.header.set_read_only(locked, numbered=self.stored is not None)
        for panel in (self.picker, self.relocation, self.replacement):
            panel.setEnabled(not locked)
        if amending:
            notice = f"正在更正此户(理由:{self.amendment_reason})。保存后成为新版本(已测算),须重新签字。"
        self.lock_banner.show_notice(notice, can_amend=locked and self.stored.needs_reason
                                     and self.stored.store.saves_cases)

    def start_amendment(self) -> bool:
        """更正 a signed case: the reason is asked first, then the case may be edited and saved as a new version."""
        if self.stored is None or not self.stored.needs_reason or self.amendment_reason is not None \
                or not self.stored.store.saves_cases:
            return False
        reason = dialogs.ask_amendment_reason(self, self.stored.label, self.stored.household.status.label)
        if not reason:
            return False
        self.amendment_reason = reason
        self._show_lock()
        self.status.emit(f"正在更正 {self.stored.label}")
        return True

    def release_store(self) -> bool:
        """The project is about to close (or be replaced): save or drop a case of it first; False to stay."""
        if self.stored is None:
            return True
        if self.is_modified():
            answer = dialogs.ask_save_changes(self, self.unsaved_name(), self.title)
            if answer == "cancel" or (answer == "save" and not self.save()):
                return False
        self.new_document()
        self.document_replaced()
        self.title_changed.emit()
        return True

    def store_document(self) -> bool | None:
        if self.stored is None:
            return None
        reason = None
        try:
            # Signed, paid or saved again in the 台账 meanwhile? Checked before any question is asked.
            now, _result = stored_cases.checked(self.stored, self.session.case, self.session.schedule)
            if not self.is_modified() and now.version is not None:   # Ctrl+S again: no 第3版 of 第2版
                self.status.emit("无修改,未保存新版本")
                return True
            if now.needs_reason:
                reason = self.amendment_reason or dialogs.ask_amendment_reason(self, now.label,
                                                                               now.household.status.label)
                if reason is None:
                    return False
            # a family under two 户号 is paid twice: asked when the number is new to the household, not at every save
            case, household = self.session.case, now.household
            others = (stored_cases.same_id_number(now.store, household.project_id, case.household.get("id_number", ""),
                                                  household.number)
                      if stored_cases.id_number_new(now.version, case) else [])
            saved = stored_cases.save_stored(now, case, self.session.schedule, reason)
        except CalculationError as error:
            # the project failing (moved away, its disk full or gone): where the edits can go meanwhile, since saving
            # again fails alike, and closing offers only 不保存
            from calculator.store.base import StoreFailure   # here: the store's package at start-up reads the land tables
            kept = "\n\n修改仍在窗口中:可用「文件 › 另存为」先存为案例文件。" if isinstance(error, StoreFailure) else ""
            dialogs.show_error(self, "保存失败", error.shown + kept)
            return False
        self._set_stored(saved)
        self.session.mark_saved()
        self.document_replaced()
        self.title_changed.emit()
        self.stored_saved.emit(self.stored.household.id)
        status = self.stored.household.status.label
        self.status.emit(f"已保存到台账:{self.stored.label} {self.stored.version_label}({status})")
        if others:
            dialogs.show_notice(self, "请核对身份证号", f"已保存。{stored_cases.same_id_text(others)[0]}。")
        return True

    def restore(self, found, store=None) -> bool:
        """Load a case left behind by a crash, marked unsaved; with `store`, again tied to its household there."""
        try:
            case = case_from_dict(found.document)
            path = Path(found.original_path) if found.original_path else None
            self.session.load(case, path, modified=True)
        except CalculationError as error:
            dialogs.show_error(self, "无法恢复", error.shown)
            return False
        stored = None
        if store is not None:
            try:
                stored = stored_cases.reattach(store, found.stored)
            except CalculationError as error:  # the household is gone: the edits stay, as an unsaved case
                dialogs.show_error(self, "恢复", f"已恢复测算,但无法对应到台账中的原户,请另存为文件核对:\n{error.shown}")
        self._set_stored(stored)
        reason = found.stored.get(AMENDMENT_REASON) if stored is not None else None
        if isinstance(reason, str) and reason and stored.needs_reason:   # an amendment under way: still one
            self.amendment_reason = reason
            self._show_lock()
        self.title_changed.emit()
        self.status.emit("已恢复上次未保存的测算" + (f"(台账 {stored.label})" if stored else ""))
        if stored is not None:   # saved or signed elsewhere since: said now, not first at Ctrl+S
            self.check_news(store)
        return True

    # --- autosave ----------------------------------------------------------------------------------

    def _clean_changed(self, clean: bool) -> None:
        """Undone back to the household as it was opened, while it was changed elsewhere meanwhile (signed, saved
        again): shown as it now is, read-only if signed (a reviewer: it stayed editable, the lock not shown, under the
        status it was opened at; printing was allowed). Not from inside the undo: on the next turn of the loop."""
        super()._clean_changed(clean)
        if clean and self.stored is not None:
            QTimer.singleShot(0, self._reopen_if_changed)

    def _reopen_if_changed(self) -> None:
        stored = self.stored
        if stored is None or self.is_modified():
            return
        try:
            changed = stored_cases.news(stored) is not None
        except CalculationError:   # the server is out of reach: its banner says so; reopened once it is back
            return
        if changed:
            self.open_stored(stored.store, stored.household.id)

    def recovery_record(self) -> tuple[dict, str]:
        case, pending = self.session.case, self._pending()
        if pending:
            case = copy.deepcopy(case)
            for path, value in pending.items():
                actions.set_value(case, path, value)
        return case_to_dict(case), case.household.get("head", "")

    def recovery_pending(self) -> bool:
        return bool(self._pending())

    def _pending(self) -> dict[tuple, object]:
        """What is typed and not yet in the case, by its path: a date typed and not yet read (no Enter, the cursor still
        in the field), and a value waiting on its reason with the reason typed so far (the dialog open). A crash lost
        both: a 900 over the standard with its reason written, a 签约日期 typed."""
        pending: dict[tuple, object] = {}
        for path, field in ((DATE_PATH, self.header.date),
                            *((("relocation", name), field) for name, field in self.relocation.dates.items())):
            value = field.pending()
            if value is not None:
                pending[path] = value or actions.ABSENT
        if self._reason_changes is not None:
            row, changes = self._reason_changes
            pending.update({("items", row, field): value for field, value in changes.items()})
            pending[("items", row, "override_reason")] = self.reason_dialog.text() or actions.ABSENT
        case = self.session.case   # a reason asked again unchanged (Ctrl+R) is nothing typed
        return {path: value for path, value in pending.items() if actions.get_value(case, path) != value}

    def recovery_stored(self) -> dict | None:
        if self.stored is None:
            return None
        return {**stored_cases.where(self.stored), AMENDMENT_REASON: self.amendment_reason}

