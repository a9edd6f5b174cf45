"""台账: what the tab does with files — backup and restore, the Excel ledger, the survey's template and
import, the batch of settlement sheets, and the 汇总与审计 window.

`LedgerFiles` is a part of `LedgerWorkspace` (ui/ledger/workspace.py); every action runs through
ui.operations, so its error is shown under its title.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import shiboken6

from calculator.app import ledger_actions
from calculator.core.files import file_stem
from ui import operations
from ui.lazy import lazy_module

dialogs = lazy_module("ui.ledger.dialogs")
summary_view = lazy_module("ui.ledger.summary_view")


def _new_folder(parent: Path, name: str) -> Path:
    """A folder that did not exist before: `name`, else `name-2`, `name-3` …"""
    for attempt in range(1, 1000):
        folder = parent / (name if attempt == 1 else f"{name}-{attempt}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(f"{parent / name}-…")


class LedgerFiles:
    """Backup, restore, exports, the survey, the batch of sheets and the summary of the open project."""

    def backup_project(self) -> bool:
        """Save a consistent copy of the whole project file (SQLite's backup API)."""
        if self.project is None:
            return False
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        stem = self.project.path.stem if self.project.path is not None else file_stem(self.project.name)
        suggested = str(Path(self._folder("project")) / f"{stem}-备份-{stamp}.landcomp")
        path = dialogs.save_path(self, suggested, "备份项目", dialogs.PROJECT_FILTER, replaces=False)
        if path is None:
            return False
        target = operations.run(self, lambda: self.project.backup(path), "备份项目")
        if target is None:
            return False
        self.settings.remember_folder("project", target)
        self.status.emit(f"已备份到 {target.name}")
        return True

    def restore_project(self) -> bool:
        """Replace the project with a backup, after asking; the present contents are kept beside it first."""
        if self.project is None:
            return False
        path = dialogs.open_path(self, self._folder("project"), "从备份恢复", dialogs.PROJECT_FILTER)
        # the project itself picked is said before "replace the project with it?", not after a Yes
        source = None if path is None else operations.run(self, lambda: self.project.restore_source(path), "从备份恢复")
        if source is None or not dialogs.confirm_restore(self, path, self.project.name, self.project.backup_said(source)):
            return False
        if self.actor() is None or not self.leaving_project():
            return False
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        safety = operations.run(self, lambda: self.project.restore(path, stamp), "从备份恢复")
        if safety is None:
            return False
        self._show_project()
        self.refresh()
        dialogs.show_info(self, "从备份恢复", f"已从「{Path(path).name}」恢复。\n恢复前的内容已另存为「{safety.name}」。")
        return True

    def export_ledger(self) -> bool:
        """Write the ledger as filtered and sorted on screen to an Excel workbook."""
        if self.project is None:
            return False
        self.filter_now()
        suggested = str(Path(self._folder("xlsx")) / f"{file_stem(self.project.name)}-台账.xlsx")
        path = dialogs.save_path(self, suggested, "导出台账Excel", dialogs.XLSX_FILTER)
        if path is None:
            return False
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        if operations.refused_over_survey(self, path, "导出台账Excel"):
            return False
        count = operations.run(self, lambda: self.project.export_ledger(self.model.query, Path(path)), "导出台账Excel")
        if count is None:
            return False
        self.settings.remember_folder("xlsx", Path(path))
        self.status.emit(f"已导出台账 {Path(path).name}({count} 户)")
        return True

    def export_survey_template(self) -> bool:
        """Write the empty survey workbook for the field teams."""
        if self.project is None:
            return False
        path = dialogs.save_path(self, str(Path(self._folder("survey")) / "调查表模板.xlsx"), "导出调查表模板",
                                 dialogs.XLSX_FILTER)
        if path is None:
            return False
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        if operations.refused_over_survey(self, path, "导出调查表模板"):
            return False
        if operations.run(self, lambda: self.project.write_survey_template(Path(path), self.schedule()),
                       "导出调查表模板") is None:
            return False
        self.settings.remember_folder("survey", Path(path))
        self.status.emit(f"已导出调查表模板 {Path(path).name}")
        return True

    def import_survey(self):
        """Read a filled survey workbook, show its problems and households, and import on the user's 导入."""
        if self.project is None:
            return None
        path = dialogs.open_path(self, self._folder("survey"), "导入调查表", dialogs.XLSX_FILTER)
        if path is None:
            return None
        self.settings.remember_folder("survey", Path(path))
        def read(include_hidden: bool):
            return operations.run(self, lambda: self.project.read_survey(Path(path), self.schedule(), include_hidden),
                               "导入调查表")

        survey = read(False)
        if survey is not None and survey.hidden and dialogs.ask_include_hidden(self, survey.hidden):
            survey = read(True)
        if survey is None:
            return None
        # the households are checked as the plan takes them, and again as the import takes them: the survey's
        # rows are held packed in between, never every household's case
        plan = operations.run(self, lambda: self.project.plan_import(survey.households()), "导入调查表")
        if plan is None or not dialogs.review_survey(self, survey, path, plan):
            return None
        if self.actor() is None:
            return None
        summary = operations.run(self, lambda: self.project.import_survey(survey.households()), "导入调查表")
        if summary is None:
            return None
        self.refresh()
        dialogs.show_info(self, "导入调查表", ledger_actions.import_text(summary, survey.rejected, survey.unread))
        self.status.emit("调查表已导入")
        return summary

    def write_sheets(self):
        """Settlement sheets for the selected households (or, without a multiple selection, the whole filter)."""
        if self.project is None:
            return None
        self.filter_now()
        selected = self.selected_ids()
        if len(selected) > 1:
            ids, what = selected, f"选中的 {len(selected)} 户"
        elif self.model.query.status is None and not self.model.query.text:
            ids, what = None, f"全部 {self.model.total_count()} 户"
        else:
            ids = operations.run(self, lambda: [row.household_id for row in self.project.rows(self.model.query)], "台账")
            if ids is None:
                return None
            what = f"当前筛选的 {len(ids)} 户"
        chosen = dialogs.choose_folder(self, self._folder("pdf"), f"批量生成结算单({what})— 选择文件夹")
        if chosen is None:
            return None
        # Each batch gets a folder of its own: no sheet of an earlier batch is overwritten or left beside
        # a ledger that no longer matches it.
        folder = operations.run(self, lambda: _new_folder(Path(chosen), f"结算单-{datetime.now():%Y%m%d-%H%M%S}"),
                             "批量生成结算单")
        if folder is None:
            return None
        self.settings.remember_folder("pdf", folder)  # the next batch starts beside this one
        title = f"正在生成结算单({what})…"
        progress = dialogs.progress_dialog(self, title, 1)
        step = dialogs.reporting(progress, title)

        try:
            summary = operations.run(self, lambda: self.project.write_sheets(ids, Path(folder), step), "批量生成结算单")
        finally:
            progress.close()
            progress.deleteLater()
        if summary is None:
            return None
        shown = dialogs.show_error if summary.halted else dialogs.show_info   # a disk that filled up is a warning
        shown(self, "批量生成结算单", f"{summary.text()}\n文件夹:{folder}")
        self.status.emit(f"结算单已写入 {folder}")
        return summary

    def show_summary(self):
        """汇总与审计 of the open project, in a window of its own (ui/ledger/summary_view.py)."""
        if self.project is None:
            return None
        dialog = summary_view.open_summary(self, self.project, self.settings)
        if dialog is not None:   # (disconnected when the window closes: it is deleted then)
            self.project_changed.connect(dialog.mark_changed)
            self.settled_here.connect(dialog.mark_changed)
            self.summary_windows.append(dialog)
        return dialog

    def close_summaries(self) -> None:
        """The 汇总与审计 windows of a project being closed or replaced go with it: read again to export, they would
        read a closed file, and another project's changes would be said as theirs."""
        windows, self.summary_windows = self.summary_windows, []
        for window in windows:
            if shiboken6.isValid(window):   # (one closed by the user is deleted already)
                window.close()

    def schedule(self):
        """The compensation schedule (the survey is read against it), loaded on first use."""
        if self._schedule is None:
            from ui import schedules
            self._schedule = schedules.load()
        return self._schedule
