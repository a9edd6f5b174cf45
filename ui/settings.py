"""Every setting the app keeps, declared once with its default and a label (QSettings underneath)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

ORGANISATION = "landcomp"
APPLICATION = "landcomp"


class Setting(NamedTuple):
    key: str
    default: Any
    label: str


GEOMETRY = Setting("window/geometry", QByteArray(), "主窗口位置与大小(按屏幕分别记住)")
WINDOW_STATE = Setting("window/state", QByteArray(), "主窗口工具栏与停靠窗")
HOUSEHOLD_SPLITTER = Setting("household/splitter", QByteArray(), "补偿测算各栏宽度")
RECENT_FILES = Setting("files/recent", [], "最近打开的案例与宗地文件")
AUTOSAVE_SECONDS = Setting("files/autosave_seconds", 5, "自动保存恢复文件的间隔(秒)")  # at 30, a crash lost half a minute of typing
ASSESSOR_NAME = Setting("user/assessor_name", "", "评估人/经办人姓名")
LAST_PROJECT = Setting("ledger/last_project", "", "上次打开的项目(文件路径或服务器地址,不含密码)")
RECENT_PROJECTS = Setting("ledger/recent_projects", [], "最近打开的项目(文件路径或服务器地址,不含密码)")
RECENT_SERVERS = Setting("ledger/recent_servers", [], "最近连接的服务器(postgresql://用户@主机:端口/数据库,不含密码)")
LEDGER_HEADER = Setting("ledger/header", QByteArray(), "台账列宽与排序")
MAX_RECENT = 8

ALL = (GEOMETRY, WINDOW_STATE, HOUSEHOLD_SPLITTER, RECENT_FILES, AUTOSAVE_SECONDS, ASSESSOR_NAME,
       LAST_PROJECT, RECENT_SERVERS, LEDGER_HEADER)


def last_folder(kind: str) -> Setting:
    """The folder last used for one kind of file: case, parcel, pdf, xlsx, project, survey."""
    return Setting(f"files/folder/{kind}", "", "上次使用的文件夹")


def documents_folder() -> str:
    """The user's documents folder (where file dialogs start before any file was used); the home folder when
    there is none (a Linux account without ~/Documents: a dialog asked to start in a missing folder opens its
    parent with the folder's name typed in as the file name)."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents if documents and Path(documents).is_dir() else str(Path.home())


def per_screen(setting: Setting, width: int, height: int) -> Setting:
    """`setting` kept apart for a screen of this size (a laptop alone and docked to a monitor)."""
    return Setting(f"{setting.key}/{width}x{height}", setting.default, setting.label)


class Settings:
    """Typed access to the declared settings; tests pass their own ini file and data folder."""

    def __init__(self, path: str | None = None, data_dir: str | None = None):
        if path is None:
            self._store = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)
        else:
            self._store = QSettings(path, QSettings.Format.IniFormat)
        self._data_dir = data_dir

    def get(self, setting: Setting) -> Any:
        value = self._store.value(setting.key, setting.default)
        if isinstance(setting.default, list):
            return [] if value in (None, "") else list(value) if isinstance(value, (list, tuple)) else [value]
        if isinstance(setting.default, int) and not isinstance(value, int):
            try:
                return int(value)
            except (TypeError, ValueError):
                return setting.default
        return value

    def set(self, setting: Setting, value: Any) -> None:
        self._store.setValue(setting.key, value)

    def sync(self) -> None:
        self._store.sync()

    def start_folder(self, kind: str) -> str:
        """Where a file dialog for `kind` opens: the folder last used for it, else the documents folder."""
        folder = self.get(last_folder(kind))
        return folder if folder and Path(folder).is_dir() else documents_folder()

    def remember_folder(self, kind: str, path: Path) -> None:
        """`path`'s folder is where the next dialog for `kind` opens."""
        self.set(last_folder(kind), str(Path(path).resolve().parent))

    def add_recent(self, path: str) -> None:
        recent = [p for p in self.get(RECENT_FILES) if p != path]
        self.set(RECENT_FILES, [path, *recent][:MAX_RECENT])

    def add_recent_server(self, url: str) -> None:
        """A server project's URL, first in the list of servers and of projects (a URL with a password is never
        accepted here)."""
        from calculator.store.location import server_conninfo
        url = server_conninfo(url)  # refuses a URL carrying a password
        recent = [u for u in self.get(RECENT_SERVERS) if u != url]
        self.set(RECENT_SERVERS, [url, *recent][:MAX_RECENT])
        self.add_recent_project(url)

    def add_recent_project(self, location: str) -> None:
        """A project file's path or a server project's URL (add_recent_server's), first in 最近打开's projects."""
        recent = [p for p in self.get(RECENT_PROJECTS) if p != location]
        self.set(RECENT_PROJECTS, [location, *recent][:MAX_RECENT])

    def data_dir(self) -> str:
        """Where the app keeps its own files (autosave recovery): AppDataLocation unless given."""
        if self._data_dir is None:
            self._data_dir = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
        return self._data_dir
