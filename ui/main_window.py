"""The main window: workspace tabs, menus with the usual shortcuts, title, geometry."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QByteArray, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QTabBar, QVBoxLayout, QWidget

from calculator import __version__
from calculator.core.errors import CalculationError
from ui import settings as config
from ui.household.workspace import HouseholdWorkspace
from ui.lazy import lazy_module
from ui.workspace import NO_EXPORTS, Workspace

dialogs = lazy_module("ui.dialogs")
recovery = lazy_module("ui.recovery")

APP_TITLE = "征地拆迁补偿测算"  # as the menu entry names it: the window holds the land tab too
# The status bar's first words, for 补偿测算 (the tab the window opens on): taken away when another tab is shown.
READY_HINT = "就绪:Ctrl+F 查找项目,回车添加;Ctrl+T 转到项目表"


class WorkspaceTabs(QWidget):
    """A tab bar over a stack of workspaces, each built the first time its tab is opened.

    (Not a QTabWidget: it repaints the whole page whenever anything inside changes size hint,
    which costs a live-updating total several milliseconds per keystroke.)
    """

    built = Signal(object)  # a workspace that has just been built

    def __init__(self, parent=None):
        super().__init__(parent)
        self.bar = QTabBar(self)
        self.bar.setDocumentMode(True)
        self.bar.setExpanding(False)
        self.stack = QStackedWidget(self)
        self._factories: dict[int, Callable[[], Workspace]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.bar)
        layout.addWidget(self.stack, 1)
        self.bar.currentChanged.connect(self._show)
        self.currentChanged = self.bar.currentChanged

    def add_page(self, title: str, workspace: Workspace | Callable[[], Workspace]) -> int:
        """A tab for a workspace, or for a factory that builds it when the tab is first opened."""
        if isinstance(workspace, Workspace):
            self.stack.addWidget(workspace)
        else:
            self._factories[self.stack.addWidget(QWidget(self.stack))] = workspace
        index = self.bar.addTab(title)
        self.bar.setVisible(self.bar.count() > 1)
        return index

    def _show(self, index: int) -> None:
        factory = self._factories.pop(index, None)
        if factory is not None:
            placeholder = self.stack.widget(index)
            workspace = factory()
            self.stack.insertWidget(index, workspace)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.built.emit(workspace)
        self.stack.setCurrentIndex(index)

    def built_workspaces(self) -> list[Workspace]:
        return [self.stack.widget(i) for i in range(self.stack.count()) if i not in self._factories]

    def count(self) -> int:
        return self.stack.count()

    def widget(self, index: int) -> QWidget:
        return self.stack.widget(index)

    def currentWidget(self) -> QWidget:
        return self.stack.currentWidget()

    def currentIndex(self) -> int:
        return self.bar.currentIndex()

    def setCurrentIndex(self, index: int) -> None:
        self.bar.setCurrentIndex(index)


DEFAULT_SIZE = QSize(1600, 1000)  # on a screen with room for it; smaller screens open maximized


class MainWindow(QMainWindow):
    """Holds the workspaces: 补偿测算 (built at start), 地价测算, 标准查阅 and 台账 (built when first opened)."""

    def __init__(self, settings: config.Settings | None = None, schedule=None, autosave: bool = True):
        super().__init__()
        self.settings = settings or config.Settings()
        self.undo_group = QUndoGroup(self)
        self.tabs = WorkspaceTabs(self)
        self.setCentralWidget(self.tabs)
        self._autosave = autosave
        self.household = HouseholdWorkspace(self.settings, schedule, autosave=autosave, parent=self)
        self.tabs.built.connect(self.add_workspace)
        self.add_workspace(self.household)
        self.tabs.add_page(self.household.title, self.household)
        self.land_tab = self.tabs.add_page("地价测算", self._land_workspace)
        self.tabs.add_page("标准查阅", self._schedule_browser)
        self.tabs.add_page("台账", self._ledger)
        self.ledger = None  # the 台账 workspace, once built
        self._build_actions()
        self._build_menus()
        self.tabs.currentChanged.connect(self._tab_changed)
        self._tab_changed(self.tabs.currentIndex())
        self.statusBar().showMessage(READY_HINT, 8000)
        self._place_on_screen()

    # --- geometry ------------------------------------------------------------------------------------

    def _geometry_setting(self) -> config.Setting:
        available = self._available()
        return config.per_screen(config.GEOMETRY, available.width(), available.height())

    def _available(self) -> QRect:
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def _place_on_screen(self) -> None:
        """The size and place last used on this screen, else 1600×1000 — always inside the screen."""
        available = self._available()
        geometry = self.settings.get(self._geometry_setting())
        if not (isinstance(geometry, QByteArray) and not geometry.isEmpty() and self.restoreGeometry(geometry)):
            if available.width() < DEFAULT_SIZE.width() or available.height() < DEFAULT_SIZE.height():
                self.setGeometry(available)
                self.setWindowState(Qt.WindowState.WindowMaximized)
                return
            self.resize(DEFAULT_SIZE)
            self.move(available.center() - self.rect().center())
        if not available.contains(self.frameGeometry()):
            border = self.frameGeometry().size() - self.size()
            self.resize(self.size().boundedTo(available.size() - border))
            frame = self.frameGeometry()
            self.move(max(available.left(), min(frame.left(), available.right() + 1 - frame.width())),
                      max(available.top(), min(frame.top(), available.bottom() + 1 - frame.height())))

    # --- workspaces ----------------------------------------------------------------------------------

    def _land_workspace(self) -> Workspace:
        from ui.land.workspace import LandWorkspace
        return LandWorkspace(self.settings, parent=self, autosave=self._autosave)

    def _schedule_browser(self) -> Workspace:
        from ui.schedule_browser import ScheduleBrowser
        browser = ScheduleBrowser(self.household.session.schedule, parent=self)
        browser.add_requested.connect(self._add_to_household)
        return browser

    def _add_to_household(self, key: str) -> None:
        """An item found in 标准查阅 added as a line of the household in 补偿测算, the cursor in its quantity."""
        self.tabs.setCurrentIndex(self.tabs.stack.indexOf(self.household))
        self.household.add_item(key)

    def _ledger(self) -> Workspace:
        from ui.ledger.workspace import LedgerWorkspace
        self.ledger = LedgerWorkspace(self.settings, self.household.session.schedule, parent=self)
        self.ledger.open_household.connect(self.open_household)
        self.ledger.leaving_project = self.household.release_store
        self.ledger.edited_elsewhere = self._edited_in_household
        self.household.stored_saved.connect(lambda _household_id: self.ledger.refresh())
        self.ledger.project_changed.connect(self._project_changed)
        self.ledger.connection_lost.connect(self.household.connection_lost)
        self.ledger.settled_here.connect(self._settled_here)
        return self.ledger

    def _edited_in_household(self, store, household_id: int) -> bool:
        """Whether 补偿测算 holds unsaved typing of this household of `store`."""
        stored = self.household.stored
        return (stored is not None and stored.store is store and stored.household.id == household_id
                and self.household.is_modified())

    def _settled_here(self, store, household_ids: list) -> None:
        """Households signed or paid in the 台账: the one open in 补偿测算, if among them, is shown as it now is —
        opened again, read-only, when nothing is typed there; else its banner says its save will be refused (it stayed
        editable, and what was typed was refused only at Ctrl+S)."""
        stored = self.household.stored
        if stored is None or stored.store is not store or stored.household.id not in household_ids:
            return
        if self.household.is_modified():
            self.household.check_news(store)
        else:
            self.household.open_stored(store, stored.household.id)

    def _project_changed(self, store) -> None:
        """Another user changed the open project (or it was reconnected): 补偿测算 says whether its household moved."""
        current = self.ledger.project.store if self.ledger.project is not None else None
        if current is None:
            return
        if store is not current:  # reconnected: the household of the broken connection goes on with the new one
            self.household.rebind_store(store, current)
        self.household.check_news(current)

    def open_given(self, path: str) -> bool:
        """A file named on the command line (or opened from the desktop): a parcel file in 地价测算, anything
        else in 补偿测算, which says why when it cannot open it."""
        from calculator.core.jsonfile import document_kind, read_json
        from calculator.core.limits import CASE_FILE_MAX_BYTES
        try:
            kind = document_kind(read_json(Path(path), CASE_FILE_MAX_BYTES, "案例文件"))
        except CalculationError:
            kind = None   # 补偿测算 reads it again and says what is wrong
        self.tabs.setCurrentIndex(self.land_tab if kind == "parcel" else self.tabs.stack.indexOf(self.household))
        return self.workspace().open_file(path)

    def open_household(self, store, household_id: int) -> bool:
        """台账 → 补偿测算: edit a household of the open project (the user's name is needed to save)."""
        if self.ledger is not None and self.ledger.actor() is None:
            return False
        self.tabs.setCurrentIndex(self.tabs.stack.indexOf(self.household))
        opened = self.household.open_stored(store, household_id)
        if opened:   # the lines, as the table shows its current cell: focus left in 户主 took the digits typed next
            self.household.focus_table()
        return opened

    def add_workspace(self, workspace: Workspace) -> None:
        """Connect a workspace that has been built: its undo stack, title and status messages."""
        stack = workspace.undo_stack()
        if stack is not None:
            self.undo_group.addStack(stack)
        workspace.title_changed.connect(self._update_title)
        workspace.status.connect(lambda text: self.statusBar().showMessage(text, 6000))

    def workspace(self) -> Workspace:
        return self.tabs.currentWidget()

    def _tab_changed(self, _index: int) -> None:
        workspace = self.workspace()
        self.undo_group.setActiveStack(workspace.undo_stack() if workspace else None)
        for action in self.file_actions:
            action.setEnabled(bool(workspace and workspace.has_files))
        for action in self.household_actions:  # shown on 补偿测算 only: the 编辑 menu lists what this tab can do
            action.setEnabled(workspace is self.household)
            action.setVisible(workspace is self.household)
        self.find_action.setText(workspace.find_label if workspace else Workspace.find_label)
        if workspace is not self.household and self.statusBar().currentMessage() == READY_HINT:
            self.statusBar().clearMessage()
        self._update_exports()
        self._update_title()
        if workspace is not None:
            workspace.activated()

    def _update_title(self) -> None:
        self._update_exports()  # e.g. a household of the 台账 prints only once its changes are saved
        workspace = self.workspace()
        name = workspace.document_title() if workspace else ""
        self.setWindowTitle(f"{name} — {APP_TITLE}" if name else APP_TITLE)

    # --- actions ------------------------------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcuts(shortcut if isinstance(shortcut, list) else [QKeySequence(shortcut)])
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        ws = lambda: self.workspace()  # noqa: E731 - the current tab, looked up when triggered
        self.new_action = self._action("新建(&N)", lambda: ws().new_file(), QKeySequence.StandardKey.New)
        self.open_action = self._action("打开(&O)…", lambda: ws().open_file(), QKeySequence.StandardKey.Open)
        self.save_action = self._action("保存(&S)", lambda: ws().save(), QKeySequence.StandardKey.Save)
        self.save_as_action = self._action("另存为(&A)…", lambda: ws().save_as(), QKeySequence("Ctrl+Shift+S"))
        self.print_action = self._action("打印(&P)…", lambda: ws().preview(), QKeySequence.StandardKey.Print,
                                         "打印预览:先看生成的PDF,再送打印机")
        self.pdf_action = self._action("导出PDF…", lambda: ws().export("pdf"), QKeySequence("Ctrl+Shift+P"),
                                       "导出PDF")
        self.xlsx_action = self._action("导出Excel(&E)…", lambda: ws().export("xlsx"), QKeySequence("Ctrl+Shift+E"),
                                        "导出Excel工作簿")
        self.quit_action = self._action("退出(&X)", self.close, QKeySequence.StandardKey.Quit)
        self.file_actions = [self.new_action, self.open_action, self.save_action, self.save_as_action]
        self.undo_action = self.undo_group.createUndoAction(self, "撤销")
        self.undo_action.setShortcuts([QKeySequence.StandardKey.Undo])
        self.redo_action = self.undo_group.createRedoAction(self, "重做")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.find_action = self._action(self.household.find_label, lambda: ws().focus_search(), QKeySequence.StandardKey.Find)
        self.table_action = self._action("转到项目表(&T)", lambda: self.household.focus_table(), QKeySequence("Ctrl+T"))
        self.delete_action = self._action("删除行(&D)", lambda: self.household.delete_selected(),
                                          QKeySequence(Qt.Key.Key_Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.household.table.addAction(self.delete_action)
        self.reason_action = self._action("填写超标准理由(&R)…", lambda: self.household.edit_reason(),
                                          QKeySequence("Ctrl+R"))
        self.problem_action = self._action("转到下一处错误(&G)", lambda: self.household.go_to_next_problem(),
                                           QKeySequence("F8"))
        self.next_pane_action = self._action("下一栏(&6)", lambda: self.household.cycle_pane(True), QKeySequence("F6"))
        self.previous_pane_action = self._action("上一栏", lambda: self.household.cycle_pane(False),
                                                 QKeySequence("Shift+F6"))
        self.household.table.addAction(self.reason_action)
        self.disputed_action = self._action("标为/取消有争议(&U)", lambda: self.household.toggle_disputed(),
                                            tip="有争议的项目列出金额,但不计入应付合计")
        self.household.table.addAction(self.disputed_action)
        self.about_action = self._action("关于(&A)", self._about)
        self.household_actions = [self.table_action, self.delete_action, self.reason_action, self.disputed_action,
                                  self.problem_action,
                                  self.next_pane_action, self.previous_pane_action]
        self.tab_actions = [self._action(f"{self.tabs.bar.tabText(i)}(&{i + 1})", lambda i=i: self.tabs.setCurrentIndex(i),
                                         QKeySequence(f"Ctrl+{i + 1}")) for i in range(self.tabs.count())]
        for action in (self.new_action, self.open_action, self.save_action, self.save_as_action, self.print_action,
                       self.pdf_action, self.xlsx_action, self.quit_action, self.undo_action, self.redo_action,
                       self.find_action, self.table_action, self.reason_action, self.problem_action,
                       self.next_pane_action, self.previous_pane_action, *self.tab_actions):
            self.addAction(action)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("文件(&F)")
        for action in (self.new_action, self.open_action):
            file_menu.addAction(action)
        self.recent_menu = file_menu.addMenu("最近打开(&R)")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.save_as_action)
        file_menu.addSeparator()
        file_menu.addAction(self.print_action)
        file_menu.addAction(self.pdf_action)
        file_menu.addAction(self.xlsx_action)
        file_menu.setToolTipsVisible(True)
        file_menu.aboutToShow.connect(self._update_exports)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("编辑(&E)")
        for action in (self.undo_action, self.redo_action):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        for action in (self.find_action, self.table_action, self.next_pane_action, self.delete_action,
                       self.reason_action, self.disputed_action, self.problem_action):
            edit_menu.addAction(action)
        view_menu = bar.addMenu("视图(&V)")
        for action in self.tab_actions:
            view_menu.addAction(action)
        help_menu = bar.addMenu("帮助(&H)")
        help_menu.addAction(self.about_action)

    def _update_exports(self) -> None:
        """Exports and printing apply to a tab with a document whose writers exist."""
        workspace = self.workspace()
        for kind, action in (("pdf", self.print_action), ("pdf", self.pdf_action), ("xlsx", self.xlsx_action)):
            usable = workspace is not None and workspace.has_exports
            action.setEnabled(usable and workspace.greyed_export(kind) is None)
            action.setToolTip((workspace.export_state(kind) if usable else NO_EXPORTS) or action.statusTip())

    def _fill_recent(self) -> None:
        """The case and parcel files last opened or saved, each opened in its own tab, then the projects (files
        and servers) in the 台账."""
        from calculator.store import is_server
        from calculator.store.location import server_label
        self.recent_menu.clear()
        files, projects = self.settings.get(config.RECENT_FILES), self.settings.get(config.RECENT_PROJECTS)
        if not files and not projects:
            self.recent_menu.addAction("(无)").setEnabled(False)
        for i, path in enumerate(files):
            action = self.recent_menu.addAction(f"&{i + 1} {Path(path).name}")
            action.setToolTip(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_given(p))
        if files and projects:
            self.recent_menu.addSeparator()
        for location in projects:
            shown = f"服务器 {server_label(location)}" if is_server(location) else Path(location).name
            action = self.recent_menu.addAction(f"项目 {shown}")
            action.setToolTip(location if not is_server(location) else shown)
            action.triggered.connect(lambda _c=False, where=location: self._show_project(where))

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox
        QMessageBox.about(self, "关于", self.about_text())

    def about_text(self) -> str:
        """The program's name and version, and the standards it prices by: what support asks first."""
        from calculator.engine.schedules import load_land_table  # here: the window starts with no land table read
        schedule, land = self.household.session.schedule, load_land_table()
        return (f"{APP_TITLE}\n程序版本 {__version__}\n\n补偿标准:{schedule.issuer}《{schedule.title}》"
                f"({schedule.document}),版本 {schedule.version}\n"
                f"基准地价:{land.issuer}《{land.title}》({land.document}),版本 {land.version}")

    # --- start and close ------------------------------------------------------------------------------

    def offer_recovery(self) -> None:
        """After a crash: offer the newest case and the newest parcel it left behind, each back in its own tab (older
        ones wait for the next start)."""
        restored: set[str] = set()
        for found in recovery.left_behind(self.settings.data_dir()):
            if found.kind in restored:
                continue
            where = found.original_path or (f"台账 {found.stored['project']}" if found.stored else None)
            if not dialogs.ask_recover(self, found.kind, found.head, found.saved_at, where):
                recovery.forget(found)
                continue
            if found.kind == "parcel":
                self.tabs.setCurrentIndex(self.land_tab)   # builds 地价测算
                workspace, store = self.workspace(), None
            else:
                workspace, store = self.household, self._recovered_store(found)
            if workspace.restore(found, store):
                restored.add(found.kind)
                recovery.forget(found)
                workspace.autosave()
            else:   # said in the restore; kept aside, never offered (and failing) again at every start
                recovery.set_aside(found.file)

    def _recovered_store(self, found):
        """The project a recovered household belongs to, opened in the 台账; None when it cannot be."""
        if not found.stored:
            return None
        opened = self._show_project(found.stored["project"])
        self.tabs.setCurrentIndex(self.tabs.stack.indexOf(self.household))
        return self.ledger.project.store if opened else None

    def _show_project(self, where: str) -> bool:
        """The 台账 (built on the way) with the project at `where` open: a file's path or a server's URL (never
        with a password); True when it is open, already or now."""
        titles = [self.tabs.bar.tabText(i) for i in range(self.tabs.count())]
        self.tabs.setCurrentIndex(titles.index("台账"))  # builds the 台账
        ledger = self.ledger
        from calculator.store import is_server
        if is_server(where):
            same = ledger.project is not None and ledger.project.location == where
            return same or ledger.open_project(where)
        project = Path(where)
        same = ledger.project is not None and ledger.project.path is not None \
            and ledger.project.path.resolve() == project.resolve()
        return same or ledger.open_project(project)

    def closeEvent(self, event) -> None:
        typing = QApplication.focusWidget()
        if typing is not None:   # what is being typed (a date, a cell) is read, as leaving its field reads it
            typing.clearFocus()
        workspaces = self.tabs.built_workspaces()
        for workspace in workspaces:
            if not workspace.confirm_close():
                event.ignore()
                return
        for workspace in workspaces:
            workspace.shutdown()
        self.settings.set(self._geometry_setting(), self.saveGeometry())
        self.settings.sync()
        event.accept()
