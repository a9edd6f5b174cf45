"""What the main window asks of a workspace tab (补偿测算, 地价测算, 标准查阅, 台账).

A workspace that edits one document at a time derives from `DocumentWorkspace`, which holds
the one new/open/save/export/preview flow; the subclass supplies a few document hooks. The
window routes its menu actions to the current tab and shows that tab's undo stack and title.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QWidget

from calculator.core.errors import CalculationError
from calculator.core.jsonfile import check_replaceable
from ui import settings as config
from ui import operations
from ui.lazy import lazy_module

dialogs = lazy_module("ui.dialogs")
preview = lazy_module("ui.preview")
recovery = lazy_module("ui.recovery")


NO_EXPORTS = "此页不能导出或打印"


class Workspace(QWidget):
    """Base class of a main-window tab."""

    title = ""              # the tab's name
    has_files = False       # new/open/save/save-as apply
    has_exports = False     # export PDF/Excel, preview and print apply
    find_label = "查找(&F)"  # the 编辑 menu's Ctrl+F entry on this tab: what focus_search goes to
    status = Signal(str)    # a short message for the status bar
    title_changed = Signal()

    def undo_stack(self):
        """The tab's QUndoStack, or None."""
        return None

    def document_title(self) -> str:
        """What the window title shows for this tab (a file name, with * when modified)."""
        return self.title

    def confirm_close(self) -> bool:
        """May the window close (unsaved changes saved or given up)?"""
        return True

    def shutdown(self) -> None:
        """The window is closing for good."""

    def focus_search(self) -> None:
        """Ctrl+F."""

    def activated(self) -> None:
        """The tab has just been brought to the front."""

    def export_state(self, kind: str) -> str | None:
        """Why the export `kind` (pdf, xlsx) cannot run now, said when it is asked for; None when it can."""
        return NO_EXPORTS

    def greyed_export(self, kind: str) -> str | None:
        """Why the export `kind` is greyed out in the menu: by default, any reason it cannot run now. A reason the
        user can mend in a moment (unsaved edits) is better said when the export is asked for than greyed silently."""
        return self.export_state(kind)


class Report(NamedTuple):
    """One export of a document: the calculator.formats.reports writer and how its file is named."""

    writer: str        # a function of calculator.formats.reports taking (subject, path)
    file_filter: str
    suffix: str
    title: str


PDF_FILTER = "PDF 文件 (*.pdf)"
UNTITLED_KINDS = {"case": "案例", "parcel": "宗地"}  # 未命名案例, 未命名宗地
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"


def reports_missing(writer: str) -> str | None:
    """Why an export cannot run (calculator.formats.reports fails to load or lacks the writer), else None."""
    try:
        import calculator.formats.reports as reports
    except Exception as error:  # a broken reports package must not take the window down
        return f"报表模块无法加载:{type(error).__name__}: {error}"
    if not callable(getattr(reports, writer, None)):
        return f"报表功能尚未提供(calculator.formats.reports.{writer})"
    return None


class DocumentWorkspace(Workspace):
    """A tab editing one document file: new, open, save, save as, export, preview and print.

    Subclasses set the class attributes and implement the hooks below; the flow (asking to save
    changes, choosing paths, remembering folders, reporting errors in a dialog) lives here once.
    """

    has_files = True
    has_exports = True
    file_filter = ""             # the open/save dialog filter
    document_kind = ""           # "case" or "parcel" (calculator.core.jsonfile.DOCUMENTS); its folder is remembered
    open_title = "打开"
    save_title = "保存"
    reports: dict[str, Report] = {}

    def __init__(self, settings: config.Settings, parent=None, autosave: bool = True):
        super().__init__(parent)
        self.settings = settings
        # Crash recovery: changes not written anywhere are written aside on a timer (`autosave`), and the file is
        # removed once the document matches a file or a store again.
        self.recovery = None   # this tab's ui.recovery.RecoveryFile, once something was written
        self._autosave_due = False   # changed since last written aside
        self._autosave_timer = QTimer(self)
        self._autosave_timer.timeout.connect(self.autosave)
        if autosave:
            self._autosave_timer.start(max(5, settings.get(config.AUTOSAVE_SECONDS)) * 1000)

    # --- hooks ------------------------------------------------------------------------------------------

    def document_path(self) -> Path | None:
        raise NotImplementedError

    def is_modified(self) -> bool:
        raise NotImplementedError

    def new_document(self) -> None:
        """Start an empty document."""
        raise NotImplementedError

    def read_document(self, path: Path) -> None:
        """Show the document in `path`; raises CalculationError and changes nothing if it cannot."""
        raise NotImplementedError

    def write_document(self, path: Path) -> None:
        """Write the document to `path` whole or not at all; raises CalculationError or OSError."""
        raise NotImplementedError

    def report_subject(self, kind: str):
        """What the report writer is given (the engine's strict result); raises CalculationError."""
        raise NotImplementedError

    def report_extras(self) -> dict:
        """Keyword arguments the report writer is given besides the subject (e.g. a project's filing)."""
        return {}

    def suggested_stem(self) -> str:
        """A file name (without suffix) for a document that has none yet."""
        return self.title

    def document_replaced(self) -> None:
        """Called after new/open/save: the document on screen now matches a file, or nothing (nothing to recover)."""
        self._discard_recovery()

    def recovery_record(self) -> tuple[dict, str]:
        """The document as its recovery file keeps it, and what it is offered back by (户主, 地块编号)."""
        raise NotImplementedError

    def recovery_stored(self) -> dict | None:
        """Where in a project the document belongs (a household of the 台账), else None."""
        return None

    def recovery_pending(self) -> bool:
        """Whether something typed and not yet in the document is to be kept aside (a date being typed)."""
        return False

    def restore(self, found, store=None) -> bool:
        """Show a document a crash left behind (a ui.recovery.Recovered of this tab's kind), marked unsaved."""
        raise NotImplementedError

    def untaken_input(self) -> str | None:
        """What a field shows that the document did not take (a day that does not exist), or None: nothing is saved,
        exported or printed while the screen and the document differ."""
        return None

    def store_document(self) -> bool | None:
        """Save somewhere other than a file (the project store); None when the document has no such home."""
        return None

    # --- crash recovery ---------------------------------------------------------------------------------

    def autosave(self) -> None:
        """Write the recovery file when there are changes not yet written anywhere."""
        if not self._autosave_due:
            return
        if not (self.is_modified() or self.recovery_pending()):   # what was kept aside was taken back (a date
            self._discard_recovery()                                # retyped as it was, a reason dialog cancelled)
            return
        try:
            if self.recovery is None:
                self.recovery = recovery.RecoveryFile(self.settings.data_dir())
            document, head = self.recovery_record()
            path = self.document_path()
            self.recovery.write(document, str(path) if path else None, head, self.recovery_stored(),
                                self.document_kind)
            self._autosave_due = False
        except OSError as error:
            self.status.emit(f"自动保存失败:{error}")

    def _clean_changed(self, clean: bool) -> None:
        """The undo stack is back at what was saved (or opened): nothing to recover."""
        if clean:
            self._discard_recovery()

    def _discard_recovery(self) -> None:
        if self.recovery is not None:
            self.recovery.discard()
        self._autosave_due = False

    def shutdown(self) -> None:
        self._autosave_timer.stop()
        if self.recovery is not None:
            self.recovery.close()
            self.recovery = None

    # --- the flow ---------------------------------------------------------------------------------------

    def document_name(self) -> str:
        """What the document is called in the title: its file name, or 未命名."""
        path = self.document_path()
        return path.name if path else "未命名"

    def unsaved_name(self) -> str:
        """What a question about unsaved changes calls the document: as in the title, 未命名 saying what it is."""
        name = self.document_name()
        return f"{name}{UNTITLED_KINDS.get(self.document_kind, '')}" if name == "未命名" else name

    def document_title(self) -> str:
        return self.document_name() + (" *" if self.is_modified() else "")

    def confirm_close(self) -> bool:
        untaken = self.untaken_input()   # reads what is still being typed (a date) into the document first
        if untaken:   # no save can take it: mended, or given up with the rest
            return dialogs.ask_drop_untaken(self, self.unsaved_name(), self.title, untaken)
        if not self.is_modified():
            return True
        answer = dialogs.ask_save_changes(self, self.unsaved_name(), self.title)
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new_file(self) -> None:
        if self.confirm_close():
            self.new_document()
            self.document_replaced()
            self.status.emit(f"新建{self.title}")

    def open_file(self, path: str | Path | None = None) -> bool:
        if not self.confirm_close():
            return False
        if path is None:
            path = dialogs.open_path(self, self.settings.start_folder(self.document_kind), self.open_title,
                                     self.file_filter)
            if path is None:
                return False
        return self.open_path(Path(path))

    def open_path(self, path: Path) -> bool:
        """Open the file `path` chosen (what is on screen was kept or given up first)."""
        try:
            self.read_document(Path(path))
        except CalculationError as error:
            dialogs.show_error(self, "无法打开", error.shown)
            return False
        self.document_replaced()
        self.remember_path(Path(path))
        self.status.emit(f"已打开 {Path(path).name}")
        return True

    def save(self) -> bool:
        if self._untaken_refused():
            return False
        stored = self.store_document()
        if stored is not None:
            return stored
        path = self.document_path()
        return self.save_as() if path is None else self.save_to(path)

    def save_as(self) -> bool:
        if self._untaken_refused():
            return False
        path = self._ask_path(self.save_title, self.file_filter, ".json", self.document_kind)
        return path is not None and self.save_to(path)

    def save_to(self, path: Path) -> bool:
        try:
            if Path(path) != self.document_path():
                check_replaceable(Path(path), self.document_kind)
            self.write_document(Path(path))
        except CalculationError as error:
            dialogs.show_error(self, "保存失败", error.shown)
            return False
        except OSError as error:
            dialogs.show_error(self, "保存失败", f"无法写入文件:{operations.os_error_text(error, path)}")
            return False
        self.document_replaced()
        self.remember_path(Path(path))
        self.status.emit(f"已保存 {Path(path).name}")
        return True

    def export_state(self, kind: str) -> str | None:
        """Why the export `kind` cannot run now, or None."""
        report = self.reports.get(kind)
        return "此页不能导出" if report is None else reports_missing(report.writer)

    def export(self, kind: str) -> bool:
        """Write the PDF sheet or the workbook through calculator.formats.reports."""
        report = self.reports[kind]
        subject = self._subject(kind, report.title)
        if subject is None:
            return False
        path = self._ask_path(report.title, report.file_filter, report.suffix, report.suffix.lstrip("."))
        if path is None or report.suffix == ".xlsx" and operations.refused_over_survey(self, path, report.title):
            return False
        if not self._write_report(report, subject, path):
            return False
        self.status.emit(f"已导出 {path.name}")
        return True

    def preview(self) -> bool:
        """Show the PDF sheet exactly as it would be exported, with 打印 and 导出 at hand."""
        report = self.reports["pdf"]
        subject = self._subject("pdf", "打印预览", "打印")
        if subject is None:
            return False
        folder = tempfile.TemporaryDirectory(prefix="landcomp-preview-", ignore_cleanup_errors=True)
        path = Path(folder.name) / f"{self.suggested_name()}.pdf"
        if not self._write_report(report, subject, path):
            folder.cleanup()
            return False
        dialog = preview.show_preview(self, path, folder, lambda: self.export("pdf"), lambda: self.export_state("pdf"))
        if dialog is None:
            return False
        dialog.printed.connect(lambda pages: self.status.emit(f"已打印 {pages} 页"))
        return True

    # --- helpers ------------------------------------------------------------------------------------------

    def suggested_name(self) -> str:
        path = self.document_path()
        return path.stem if path is not None else self.suggested_stem()

    def remember_path(self, path: Path) -> None:
        """A document was opened or saved at `path`: the next dialog for its kind opens there, and 最近打开 lists it."""
        self.settings.remember_folder(self.document_kind, path)
        self.settings.add_recent(str(path.resolve()))

    def _ask_path(self, title: str, file_filter: str, suffix: str, kind: str) -> Path | None:
        folder = Path(self.settings.start_folder(kind))
        chosen = dialogs.save_path(self, str(folder / f"{self.suggested_name()}{suffix}"), title, file_filter)
        if chosen is None:
            return None
        path = Path(chosen if chosen.lower().endswith(suffix) else chosen + suffix)
        self.settings.remember_folder(kind, path)
        return path

    def _take_in_typing(self) -> None:
        """A table cell still being typed in is taken in, as Enter would: Ctrl+S, Ctrl+P and the exports worked from the
        cell's value before, and printed (or saved) 2 亩 beside the 3 on screen, or a price beside 'abc'."""
        for view in self.findChildren(QAbstractItemView):
            editor = view.indexWidget(view.currentIndex()) if view.state() == QAbstractItemView.State.EditingState else None
            if editor is not None:
                view.commitData(editor)
                view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def _untaken_refused(self) -> bool:
        self._take_in_typing()
        untaken = self.untaken_input()
        if untaken:
            dialogs.show_error(self, "未保存", f"{untaken}\n请改正或清空后再保存。")
        return bool(untaken)

    def _subject(self, kind: str, title: str, verb: str = "导出"):
        self._take_in_typing()
        missing = self.export_state(kind) or self.untaken_input()
        if missing:
            dialogs.show_error(self, title, missing)
            return None
        try:
            return self.report_subject(kind)
        except CalculationError as error:
            dialogs.show_error(self, title, f"还有输入错误,修正后才能{verb}:\n{error.shown}")
            return None

    def _write_report(self, report: Report, subject, path: Path) -> bool:
        import calculator.formats.reports as reports
        try:
            getattr(reports, report.writer)(subject, path, **self.report_extras())
        except CalculationError as error:
            dialogs.show_error(self, report.title, error.shown)
            return False
        except OSError as error:   # a folder not writable, a disk full: said as a save says it
            dialogs.show_error(self, report.title, f"无法写入文件:{operations.os_error_text(error, path)}")
            return False
        except Exception as error:  # the edge of the export: report it, keep the window
            dialogs.show_error(self, report.title, f"导出失败:{type(error).__name__}: {error}")
            return False
        return True
