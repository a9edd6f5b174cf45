"""台账: the project's households in one table — filter, sort, totals, sign, pay, check, export, import.

The project file is opened through calculator.app.ledger_actions (a `ProjectFile`); the table model
is given that file's page and count functions, never the store. Every change asks the user's
name once (the actor of the audit log, kept in the settings).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, Qt, QTimer, Signal

from calculator.app import ledger_actions
from calculator.core.errors import CalculationError
from calculator.core.money import fmt_grouped
from calculator.store import PasswordNeeded, Status, WrongFingerprint, is_server, server_label
from ui import operations, settings as config
from ui.lazy import lazy_module
from ui.ledger.files import LedgerFiles
from ui.ledger.layout import ASSESSOR_TIP, STATUS_CHOICES, LedgerLayout
from ui.workspace import Workspace

dialogs = lazy_module("ui.ledger.dialogs")

WATCH_MS = 500  # how often the open project is asked whether another user changed it


class LedgerWorkspace(LedgerLayout, LedgerFiles, Workspace):
    """The 台账 tab."""

    title = "台账"
    has_exports = True
    find_label = "查找住户(&F)"
    open_household = Signal(object, int)   # (the CaseStore, household id): show it in 补偿测算
    project_changed = Signal(object)       # another user changed the open project (its CaseStore)
    connection_lost = Signal(object)       # the server project's connection broke (its CaseStore)
    settled_here = Signal(object, list)    # households signed or paid here (the CaseStore, their ids)

    def __init__(self, settings: config.Settings, schedule=None, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.project: ledger_actions.ProjectFile | None = None
        self.summary_windows: list = []   # the open 汇总与审计 windows of the project (LedgerFiles.show_summary)
        # Asked before the open project is closed or replaced: may it go? (the main window lets 补偿测算
        # save or drop a household of it first)
        self.leaving_project: Callable[[], bool] = lambda: True
        # Whether 补偿测算 holds unsaved typing of a household of this store (the main window's): said before it is signed
        self.edited_elsewhere: Callable[[object, int], bool] = lambda store, household_id: False
        self._schedule = schedule
        # The last session's project is opened when the 台账 is first shown, unless one was asked for first (a
        # recovered household's, whose password box lets the reopening run inside it: asked for twice)
        self._reopened = False
        self._kept_selection: tuple[str | None, list[int], int | None] = (None, [], None)   # over a reading again
        self._shown_location: str | None = None   # the project whose rows the table shows
        # Passwords typed for server projects: this session only, never written anywhere.
        self._passwords: dict[str, str] = {}
        self.lost = False  # the open server project's connection broke (reconnect to go on)
        self._file_said = ""  # what the notice says of the open project file (moved away), while it says it
        self._deleted_said = ""  # what it says of households deleted behind the program's back, while it says it
        self.reconnected_from = None  # while reconnecting: the store of the broken connection
        self.watch_timer = QTimer(self)
        self.watch_timer.setInterval(WATCH_MS)
        self.watch_timer.timeout.connect(self.check_changes)
        self._build()
        self._connect()
        self._show_project()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self._sync_totals_columns)  # after the header has stretched 地址
        # Down in the filter box goes to the table, as Enter does.
        if watched is self.text_filter and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Down:
            self._filter_and_go_to_table()
            return True
        return super().eventFilter(watched, event)

    # --- Workspace interface -------------------------------------------------------------------------

    def document_title(self) -> str:
        return f"{self.project.name}(台账)" if self.project else self.title

    def focus_search(self) -> None:
        self.text_filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.text_filter.selectAll()

    def focus_table(self) -> None:
        """The table in focus with a household selected (its row highlighted and the actions on it offered), the
        current one or the first; a selection already made is kept."""
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        current = self.table.currentIndex()
        if not current.isValid() and self.model.rowCount():
            current = self.model.index(0, 0)
        if current.isValid() and not self.table.selectionModel().hasSelection():
            flags = QItemSelectionModel.SelectionFlag
            self.table.selectionModel().setCurrentIndex(current, flags.ClearAndSelect | flags.Rows)

    def export(self, kind: str) -> bool:
        """The main window's 导出Excel is the ledger; there is no PDF of the whole ledger."""
        return self.export_ledger() if kind == "xlsx" else False

    def export_state(self, kind: str) -> str | None:
        if kind != "xlsx":
            return "台账只导出Excel;结算单请用「批量生成结算单…」"
        return None if self.project else "尚未打开项目"

    def confirm_close(self) -> bool:
        return self._may_drop_project()

    def _may_drop_project(self) -> bool:
        """False when the open project is held only here (its file deleted while open, not backed up) and the user
        keeps it: the window's closing, another project's opening or creating, and 关闭项目 lost it without a word."""
        if self.project is None:
            return True
        try:
            only = self.project.only_copy()
        except CalculationError:
            return True
        return not only or dialogs.ask_drop_only_copy(self, self.project.name)

    def shutdown(self) -> None:
        self._stop_watching()
        self.close_summaries()
        self.settings.set(config.LEDGER_HEADER, self.table.horizontalHeader().saveState())
        if self.project is not None:
            self.project.close()
            self.project = None

    def activated(self) -> None:
        """Brought to the front: the costing workspace may have saved a household meanwhile."""
        if self.project is not None and not self.lost:
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._reopened:  # the last project opens when the ledger is first shown, not at start-up
            QTimer.singleShot(0, self.reopen_last)

    # --- the project file ----------------------------------------------------------------------------

    def new_project(self, path: str | Path | None = None, name: str | None = None) -> bool:
        """Create a project file (asks for its name and place unless given) and show it. A refusal (a folder that
        does not exist, a file already there) is said, and the dialog comes back with what was typed, to be mended."""
        self._reopened = True
        asked, typed = path is None or name is None, ("", "")
        while True:
            if asked:
                typed = dialogs.ask_new_project(self, self._folder("project"), *typed)
                if typed is None:
                    return False
                path, name = typed
            actor = self.actor()
            if actor is None:
                return False
            if self.project is not None and not (self._may_drop_project() and self.leaving_project()):
                return False
            opened = operations.run(self, lambda: ledger_actions.create_project(path, name, actor), "无法新建项目")
            if opened is not None:
                break
            if not asked:
                return False
        self._set_project(opened)
        self.status.emit(f"已新建项目「{opened.name}」")
        return True

    def open_project(self, path: str | Path | None = None) -> bool:
        """Open a project file or a server's postgresql:// URL (asks for a file unless given) and show its ledger."""
        self._reopened = True
        if path is None:
            path = dialogs.open_project_path(self, self._folder("project"))
            if path is None:
                return False
        try:
            opened = self._open(path)
        except CalculationError as error:
            dialogs.show_error(self, "无法打开项目", error.shown)
            return False
        if opened is None:  # the password was not given
            return False
        # asked once the new one is known good
        if self.project is not None and not (self._may_drop_project() and self.leaving_project()):
            opened.close()
            return False
        self._set_project(opened)
        self.status.emit(f"已打开项目「{opened.name}」")
        return True

    def open_server(self) -> bool:
        """Open the project on a PostgreSQL server (host, port, database, user asked; recent servers offered)."""
        url = dialogs.ask_server(self, self.settings.get(config.RECENT_SERVERS))
        return bool(url) and self.open_project(url)

    def _open(self, location: str | Path) -> ledger_actions.ProjectFile | None:
        """The project at `location`; a server's password is asked when libpq found none (None: not given)."""
        actor = self.settings.get(config.ASSESSOR_NAME)
        if not is_server(location):
            return ledger_actions.open_project(location, actor)
        url, refused = str(location).strip(), False
        while True:
            try:
                return ledger_actions.open_project(url, actor, password=self._passwords.get(url))
            except PasswordNeeded:
                refused = url in self._passwords
                self._passwords.pop(url, None)
                password = dialogs.ask_password(self, server_label(url), refused)
                if not password:
                    return None
                self._passwords[url] = password

    def reconnect(self) -> bool:
        """Open the same server project again after its connection broke; a household open in 补偿测算
        keeps what was typed and is tied to the new connection (the main window listens to `project_changed`)."""
        if self.project is None:
            return False
        old = self.project
        try:
            opened = self._open(old.location)
        except CalculationError as error:
            dialogs.show_error(self, "无法重新连接", error.shown)
            return False
        if opened is None:
            return False
        self.reconnected_from = old.store
        self._set_project(opened)
        self.status.emit(f"已重新连接「{opened.name}」")
        return True

    def reopen_last(self) -> bool:
        """Open the project of the last session; a missing or damaged file is said in the notice, not raised."""
        last = self.settings.get(config.LAST_PROJECT)
        if self._reopened or not last or self.project is not None:
            return False
        self._reopened = True
        try:
            opened = self._open(last)
        except CalculationError as error:
            if is_server(last):
                self._notify(f"上次的服务器项目({server_label(last)})未能打开:{error.shown}\n"
                             "请用「连接服务器…」重新连接。")
            else:
                self._notify(f"上次的项目文件未能打开:{error.shown}\n请用「打开项目…」选择项目文件。")
            return False
        if opened is None:
            self._notify(f"未输入密码,上次的服务器项目({server_label(last)})未打开。请用「连接服务器…」连接。")
            return False
        self._set_project(opened)
        return True

    def close_project(self) -> bool:
        if self.project is None:
            return True
        if not (self._may_drop_project() and self.leaving_project()):
            return False
        self._stop_watching()
        self.close_summaries()
        self.project.close()
        self.project = None
        self._show_project()
        return True

    def _set_project(self, opened: ledger_actions.ProjectFile) -> None:
        self._stop_watching()
        self.close_summaries()
        previous = self.project.location if self.project is not None else None
        if self.project is not None:
            self.project.close()
        self.project = opened
        if opened.path is None:  # a server: its URL (never a password) is the last project and a recent server
            self.settings.set(config.LAST_PROJECT, opened.location)
            self.settings.add_recent_server(opened.location)
        else:
            self.settings.set(config.LAST_PROJECT, str(opened.path.resolve()))
            self.settings.add_recent_project(str(opened.path.resolve()))
            self.settings.remember_folder("project", opened.path)
        self._notify("项目文件是只读的(文件或其所在文件夹不可写入):只能查看,不能修改。" if opened.read_only else "")
        self._show_project()
        if previous not in (None, opened.location) and self.text_filter.text():   # another project, not a reconnection:
            self.text_filter.blockSignals(True)   # its search is not this one's (021 showed 11 of 600 households)
            self.text_filter.clear()
            self.text_filter.blockSignals(False)
            self._apply_filter()
        self.watch_timer.start()
        old, self.reconnected_from = self.reconnected_from, None
        if old is not None:
            self.project_changed.emit(old)  # the household of the broken connection is tied to the new one

    # --- the live ledger -------------------------------------------------------------------------------

    def check_changes(self) -> bool:
        """Twice a second: has another user changed the open project? Then the ledger is read again and
        `project_changed` tells 补偿测算. A server whose connection broke is said once, clearly; nothing
        typed anywhere is touched."""
        if self.project is None or self.lost:
            return False
        try:
            changed = self.project.changed()
        except CalculationError as error:
            if self.project.on_server:
                self._connection_lost(error.shown)
            elif self.notice.text() != error.zh:   # a file moved away (or unreadable): said once, where it stays
                self._notify(error.zh)
                self._file_said = error.zh
            return False
        if self._file_said and self.notice.text() == self._file_said:   # the file back where it was: said no more
            self._notify("")
        self._file_said = ""
        if changed:
            self.refresh()
            self.project_changed.emit(self.project.store)
        return changed

    def _connection_lost(self, said: str) -> None:
        self.lost = True
        self.watch_timer.stop()
        self.reconnect_button.show()
        text = (f"与服务器 {self.project.label} 的连接已中断,台账暂停更新。\n"
                "补偿测算中正在编辑的内容仍保留(并已写入自动保存);网络恢复后点「重新连接」继续。")
        self._notify(text)
        self.connection_lost.emit(self.project.store)
        if self.isVisible():
            dialogs.show_error(self, "与服务器的连接中断", f"{text}\n\n{said}")
        else:   # another tab in use: a box popped over it took the keys typed there (a quantity's 9, then Enter
            # closed it unread); 补偿测算 says it in its banner, and this tab's notice stays for when it is shown
            self.status.emit("与服务器的连接已中断,台账暂停更新;网络恢复后到「台账」点「重新连接」")

    def _stop_watching(self) -> None:
        self.watch_timer.stop()
        self.checking.stop()
        self.lost = False
        self.reconnect_button.hide()

    def _show_project(self) -> None:
        opened = self.project
        if opened is None:
            self.model.set_source(None, None)
            self.project_label.setText("未打开项目")
            self.path_label.setText("")
        else:
            self.model.set_source(opened.page, opened.count)
            self.project_label.setText(f"<b>{opened.name}</b>")
            self.path_label.setText(opened.label)
            self.path_label.setToolTip(("服务器项目:" if opened.on_server else "") + opened.label)
        self.pages.setCurrentIndex(0 if opened is None else 1)
        for widget in (self.status_filter, self.text_filter, self.import_button, self.template_button,
                       self.sheets_button, self.export_button, self.check_button, self.backup_button,
                       self.restore_button, self.add_button, self.summary_button):
            widget.setEnabled(opened is not None)
        self._show_assessor()
        self._update_totals()
        self.title_changed.emit()

    def _notify(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _folder(self, kind: str) -> str:
        """Where the ledger's file dialog for `kind` (project, survey, xlsx, pdf) opens."""
        return self.settings.start_folder(kind)

    # --- who is working ------------------------------------------------------------------------------

    def actor(self) -> str | None:
        """The user's name for the audit log: from the settings, asked once when missing (None: cancelled). On a
        server project the database role, which the server records whatever name is typed: nothing is asked (a name
        asked for, said to be recorded and shown as 经办人 was recorded nowhere)."""
        if self.project is not None and self.project.server_role is not None:
            return self.project.server_role
        name = (self.settings.get(config.ASSESSOR_NAME) or "").strip()
        if not name:
            name = (dialogs.ask_assessor_name(self) or "").strip()
            if not name:
                return None
            self.settings.set(config.ASSESSOR_NAME, name)
            self._show_assessor()
        if self.project is not None and self.project.actor != name:
            self.project.set_actor(name)
        return name

    def change_assessor(self) -> None:
        name = dialogs.ask_assessor_name(self, self.settings.get(config.ASSESSOR_NAME) or "")
        if name and name.strip():
            self.settings.set(config.ASSESSOR_NAME, name.strip())
            if self.project is not None:
                self.project.set_actor(name.strip())
            self._show_assessor()

    def _show_assessor(self) -> None:
        role = self.project.server_role if self.project is not None else None
        self.assessor_button.setEnabled(role is None)
        if role is not None:
            self.assessor_button.setText(f"经办人:{role}(数据库角色)")
            self.assessor_button.setToolTip("服务器项目的变更记录记下登录所用的数据库角色;请每人用自己的角色连接")
            return
        name = (self.settings.get(config.ASSESSOR_NAME) or "").strip()
        self.assessor_button.setText(f"经办人:{name}" if name else "经办人:未填写")
        self.assessor_button.setToolTip(ASSESSOR_TIP)

    # --- filter, sort, totals ----------------------------------------------------------------------

    def set_status_filter(self, status: Status | None) -> None:
        self.status_filter.setCurrentIndex(next(i for i, (_, s) in enumerate(STATUS_CHOICES) if s == status))

    def set_text_filter(self, text: str) -> None:
        """Filter at once (typing filters after a short pause)."""
        self.text_filter.setText(text)
        self._apply_filter()

    def _apply_filter(self) -> None:
        self.filter_timer.stop()
        status = STATUS_CHOICES[max(self.status_filter.currentIndex(), 0)][1]
        try:
            self.model.set_filter(status, self.text_filter.text())
        except CalculationError as error:  # a control character pasted into the search: the filter stays as it was
            dialogs.show_error(self, "无法查找", error.shown)
            return
        self._update_totals()

    def filter_now(self) -> None:
        """The filter as typed, applied now if its pause is still running: what acts on the filter (a batch of sheets,
        the ledger workbook) covers the rows the search box asks for, never those of the search before it."""
        if self.filter_timer.isActive():
            self._apply_filter()

    def _filter_and_go_to_table(self) -> None:
        self._apply_filter()
        self.focus_table()

    def refresh(self) -> None:
        """Read the ledger and its totals again, keeping the selection (after a change: _restore_selection)."""
        if self.project is None:
            return
        self.model.refresh()
        self._update_totals()

    def _update_totals(self) -> None:
        if self.project is None or self.model.load_failed:  # the failure has been shown once already
            self.totals_model.set_totals(None)
            return
        query = self.model.query
        operations.run(self, lambda: self.checking.show_totals(self.project, self.project.summary(query)), "台账")
        deleted = operations.run(self, self.project.store.deleted_households, "台账")
        self._say_deleted(deleted or [])

    def _say_deleted(self, deleted: list) -> None:
        """Households deleted behind the program's back, said in the notice while they are: their money is in no
        total and no row (one paid left 已支付 short with no word), unless the notice says something else."""
        named = ";".join(f"户号 {row.number}{f'({row.head})' if row.head else ''} {row.abnormal}" for row in deleted[:3])
        text = f"数据异常:{named}" + (f";共 {len(deleted)} 户" if len(deleted) > 3 else "") if deleted else ""
        if text != self._deleted_said and self.notice.text() in ("", self._deleted_said):
            self._notify(text)
        self._deleted_said = text

    def _update_count(self) -> None:
        total, loaded = self.model.total_count(), self.model.rowCount()
        if self.project is None:
            self.count_label.setText("")
        elif loaded < total:
            self.count_label.setText(f"共 {total:,} 户(已载入 {loaded:,},向下滚动载入其余)")
        else:
            self.count_label.setText(f"共 {total:,} 户")

    # --- selection ---------------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        """The selected households, in table order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.household_id(row) for row in rows]

    def _current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.household_id(index.row()) if index.isValid() else None

    def _select(self, ids: list[int], current: int | None = None) -> bool:
        """Select the households `ids`, `current` the current one, when every one of them is among the rows loaded
        (False: none is selected)."""
        rows = self.model.rows_of(ids)
        if len(rows) < len(set(ids)):
            return False
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for row in rows.values():
            selection.select(self.model.index(row, 0), self.model.index(row, last))
        flags = QItemSelectionModel.SelectionFlag
        model = self.table.selectionModel()
        if current in rows:
            model.setCurrentIndex(self.model.index(rows[current], 0), flags.NoUpdate)
        model.select(selection, flags.ClearAndSelect | flags.Rows)
        return True

    def _remember_selection(self) -> None:
        """Before the table is read again (a sort by a header's click, a reconnection): its selection, and in which
        project's rows (the project may be another by now: the rows are read for it)."""
        self._kept_selection = (self._shown_location, self.selected_ids(), self._current_id())

    def _restore_selection(self) -> None:
        """The selection kept over the table's reading again, in the same project, when every household of it is
        among the rows loaded (it was lost: a household chosen, a click on 补偿金额 to sort, and nothing chosen; the
        same after 重新连接). Some of them not loaded, none is: a selection silently smaller would be signed or paid."""
        where, ids, current = self._kept_selection
        self._shown_location = self.project.location if self.project is not None else None
        if ids and where == self._shown_location and self._select(ids, current):
            row = self.model.row_of(current) if current is not None else None
            if row is not None:
                self.table.scrollTo(self.model.index(row, 0))

    def select_household(self, household_id: int) -> bool:
        """Select a household and scroll to it (loading pages as needed); False when the filter hides it."""
        row = self.model.row_of(household_id)
        if row is None and self.model.canFetchMore():
            self.model.fetch_all()
            row = self.model.row_of(household_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def _update_buttons(self) -> None:
        count = len(self.table.selectionModel().selectedRows()) if self.project else 0
        self.open_selected_button.setEnabled(count == 1)
        self.history_button.setEnabled(count == 1)
        # 修改登记 is for a household not yet computed: one with a version is changed in 补偿测算 (a paid one never)
        current = self._current_id() if count == 1 else None
        row = None if current is None else self.model.row(self.model.row_of(current))
        self.edit_button.setEnabled(row is not None and row.version is None)
        self.recheck_button.setEnabled(row is not None and row.status is Status.ABNORMAL)
        self.sign_button.setEnabled(count >= 1)
        self.pay_button.setEnabled(count >= 1)

    # --- actions on households -------------------------------------------------------------------------

    def open_selected(self) -> None:
        """Show the current household in 补偿测算 (the window connects `open_household`; 补偿测算 says it opened it, and
        nothing is said here: a switch refused there left 打开户号 0006 while 0005 stayed open)."""
        household_id = self._current_id()
        if self.project is None or household_id is None:
            return
        self.open_household.emit(self.project.store, household_id)

    def sign_selected(self) -> int:
        """Mark each selected household signed, checking the fingerprint typed from its sheet; returns how many."""
        ids = self.selected_ids()
        if self.project is None or not ids or self.actor() is None:
            return 0
        signed = 0
        for household_id in ids:
            at = self.model.row_of(household_id)
            if at is None:   # the 台账 read again while a code was asked (another user's change): no longer listed
                dialogs.show_error(self, "不能标记已签字", "所选住户已不在台账当前的列表中(可能刚被他人更改),"
                                                         "其余住户未签字;请核对后重新选择")
                break
            row = self.model.row(at)
            version = f" 第 {row.version} 版" if row.version is not None else ""
            # the amount signed for, in both questions: signing without the code, nothing else shows it
            total = f",合计 {fmt_grouped(row.total)} 元" if row.total is not None and row.checked else ""
            if self.edited_elsewhere(self.project.store, household_id):   # signed, that typing is refused at its save
                total += ("\n\n注意:此户在「补偿测算」中有未保存的修改。签字的是台账中已保存的这一版;"
                          "签字后,那些修改只能作为更正(填写理由)保存。")
            if not self._sign_one(household_id, f"户号 {row.number} {row.head}{version}".rstrip() + total, row.version):
                break
            signed += 1
        if signed:
            self.refresh()
            self.settled_here.emit(self.project.store, ids[:signed])
            self.status.emit(f"已标记 {signed} 户为已签字")
        return signed

    def _sign_one(self, household_id: int, label: str, version: int | None) -> bool:
        """Ask the code on one household's signed sheet and sign it; a code that is not the current version's is said
        and asked again, as typed, to be mended; any other refusal is said (False: cancelled or refused). Without the
        code, only `version` (the one `label` shows) is signed: another saved meanwhile is refused."""
        typed = ""
        while True:
            fingerprint = dialogs.ask_sign_fingerprint(self, label, typed)
            if fingerprint is None:
                return False
            if not fingerprint.strip() and not dialogs.confirm_unchecked_signing(self, label):
                continue   # back to the code
            try:
                self.project.sign(household_id, fingerprint or None, None if fingerprint.strip() else version)
                return True
            except CalculationError as error:
                dialogs.show_error(self, "不能标记已签字", error.shown)
                if not isinstance(error, WrongFingerprint):
                    return False
                typed = fingerprint

    def pay_selected(self) -> bool:
        """Record the selected signed households as paid in one named batch (all or none)."""
        ids = self.selected_ids()
        if self.project is None or not ids or self.actor() is None:
            return False
        payment = operations.run(self, lambda: self.project.payment(ids), "不能标记已支付")
        if payment is None:
            return False
        typed = [f"{h.number} {h.head}".rstrip() for h in payment.households
                 if self.edited_elsewhere(self.project.store, h.id)]   # paid, that typing can never be saved
        said = payment.text() + (f"\n\n注意:户号 {'、'.join(typed)} 在「补偿测算」中有未保存的修改。支付的是台账中已签字的"
                                 "这一版;支付后此户不能再更改,那些修改将无法保存。" if typed else "")
        batch = dialogs.ask_payment_batch(self, said)
        if not batch:
            return False
        # each paid only at the amount just confirmed: a household amended and signed again meanwhile is refused
        if not operations.run(self, lambda: self.project.pay(ids, batch, confirmed=payment), "不能标记已支付",
                              refresh=self.refresh):
            return False
        self.settled_here.emit(self.project.store, ids)
        self.status.emit(f"已支付 {payment.text()}(批次 {batch})")
        return True

    def check_sheet(self) -> list:
        """Which household and version the fingerprint printed on a sheet belongs to."""
        if self.project is None:
            return []
        fingerprint = dialogs.ask_check_fingerprint(self)
        if fingerprint is None:
            return []
        matches = operations.run(self, lambda: self.project.check_sheet(fingerprint), "核对结算单")
        if matches is None:
            return []
        if not matches:
            said = operations.run(self, lambda: self.project.unmatched_sheet_text(fingerprint), "核对结算单")
            if said is not None:
                dialogs.show_info(self, "核对结算单", said)
            return []
        text = "\n\n".join(ledger_actions.describe_match(match) for match in matches)
        self.select_household(matches[-1].household.id)
        dialogs.show_info(self, "核对结算单", text)
        return matches

    def add_household(self) -> bool:
        """Register one household by hand (户号, 户主, 地址), without a survey."""
        return self._register("登记住户", None)

    def edit_household(self) -> bool:
        """Correct the register entry of the current household (refused once it has a version)."""
        household_id = self._current_id()
        return household_id is not None and self._register("修改登记", household_id)

    def _register(self, title: str, household_id: int | None) -> bool:
        if self.project is None:
            return False
        row = None if household_id is None else self.model.row(self.model.row_of(household_id))
        given = ("", "", "") if row is None else (row.number, row.head, row.address)
        while True:   # a refusal (a 户号 taken) is said, and the dialog comes back with what was typed, to be mended
            answer = dialogs.ask_household(self, title, *given)
            if answer is None or self.actor() is None:
                return False
            household = operations.run(self, lambda: self.project.register_household(*answer, household_id), title)
            if household is not None:
                break
            given = answer
        self.refresh()
        self.select_household(household.id)
        self.status.emit(f"已{title}:户号 {household.number} {household.head}".rstrip())
        return True

    def recheck_selected(self) -> bool:
        """Check the current 数据异常 household again, its data repaired: the finding ends, with a reason, when sound."""
        household_id = self._current_id()
        if self.project is None or household_id is None or self.actor() is None:
            return False
        row = self.model.row(self.model.row_of(household_id))
        label = f"户号 {row.number} {row.head}".rstrip()
        reason = dialogs.ask_recheck_reason(self, label, row.abnormal or "")
        if reason is None:
            return False
        if operations.run(self, lambda: self.project.recheck(household_id, reason), "重新核验") is None:
            return False
        self.refresh()
        self.select_household(household_id)
        self.status.emit(f"{label} 已重新核验,数据无异常,解除数据异常")
        return True

    def show_history(self) -> None:
        """The 变更记录 of the current household."""
        household_id = self._current_id()
        if self.project is None or household_id is None:
            return
        row = self.model.row(self.table.currentIndex().row())
        lines = operations.run(self, lambda: self.project.history(household_id), "台账")
        if lines is not None:
            dialogs.show_history(self, f"户号 {row.number} {row.head}".rstrip(), lines)
