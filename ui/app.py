"""Start the app: `python main.py [CASE.json]`, or `python main.py --smoke` (build, show, first paint, exit 0)."""
from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from pathlib import Path

SMOKE_TIMEOUT_MS = 20000
ICONS = Path(__file__).parent / "icons"  # drawn from landcomp.svg by packaging/make_icons.py


USAGE = """usage: {program} [CASE.json | PARCEL.json] [--smoke] [--version]

堡子片区征地拆迁补偿测算与五台县基准地价测算(桌面程序)

  CASE.json   打开这个案例文件(补偿测算)
  PARCEL.json 打开这个地块文件(地价测算)
  --smoke     建立主窗口并显示,首次绘制后退出(检查安装,测启动时间)/ build the main window with the
              schedules loaded, show it, wait for the first paint, and exit 0 (checks an install)
  --version   程序版本和所用标准的版本 / the program's version and its schedules'
"""


class Args:
    """The command line: at most one case file, and --smoke (argparse costs start-up time)."""

    def __init__(self, argv: list[str]):
        self.smoke = "--smoke" in argv
        rest = [a for a in argv if a != "--smoke"]
        usage = USAGE.format(program=Path(sys.argv[0]).name or "landcomp")   # landcomp installed, main.py here
        if any(a in ("-h", "--help") for a in rest):
            raise SystemExit(0 if print_out(usage) else 1)
        if "--version" in rest:
            from calculator import version_text
            raise SystemExit(0 if print_out(version_text()) else 1)
        unknown = [a for a in rest if a.startswith("-")]
        if unknown or len(rest) > 1:
            said = (f"未知选项 / unknown option: {' '.join(unknown)}" if unknown
                    else f"只能打开一个文件 / one file at most: {' '.join(rest)}")
            try:
                print(f"landcomp: {said}\n{usage}", file=sys.stderr, flush=True)
            except OSError:   # a full stderr: the status says it (Python's own flush at exit made it 120)
                sys.stderr = open(os.devnull, "w", encoding="utf-8")
            raise SystemExit(2)
        self.case = rest[0] if rest else None


def print_out(text: str) -> bool:
    """`text` on stdout; a full disk or a closed pipe (`--smoke | head -c 0`) is one line on stderr, never a traceback:
    False."""
    try:
        print(text, flush=True)
        return True
    except OSError as error:
        from calculator.core.files import system_reason
        sys.stdout = open(os.devnull, "w", encoding="utf-8")   # nothing more reaches the broken stream, nor at exit
        with contextlib.suppress(OSError):
            print(f"landcomp: 无法输出结果 / cannot write the result: {system_reason(error)}", file=sys.stderr)
        return False


def run(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = Args(sys.argv[1:] if argv is None else list(argv))
    missing = no_display()
    if missing:
        zh, en = missing
        print(f"landcomp: 没有可用的图形显示({zh}):请在桌面中启动本程序,或在命令行使用 landcomp-cli / no graphical "
              f"display ({en}): start it from a desktop, or use landcomp-cli on the command line", file=sys.stderr)
        return 1
    # Start-up allocates what lives on (modules, classes, enums, the window): the garbage collector
    # walking it again and again finds nothing. It is off until the window is shown (`show`).
    gc.disable()
    # The domain before PySide6: PySide's import hook reads the source of every module imported
    # after it (looking for its own name), and the engine's are half of those the window needs.
    import calculator.app.actions  # noqa: F401
    from PySide6.QtWidgets import QApplication

    from ui import settings as config
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(config.APPLICATION)
    app.setOrganizationName(config.ORGANISATION)
    app.setDesktopFileName("landcomp")  # the menu entry the installed packages make (packaging/)
    app.setWindowIcon(app_icon())
    speak_chinese(app)
    draw_chinese_without_system_fonts(app)
    from ui.main_window import MainWindow
    if args.smoke:
        return smoke(app, started)
    window = MainWindow()
    install_error_dialog(window)
    show(window)
    if args.case:
        window.open_given(args.case)
    from PySide6.QtCore import QTimer
    QTimer.singleShot(0, window.offer_recovery)
    return app.exec()


def no_display() -> tuple[str, str] | None:
    """On Linux, why there is no display to draw on, in Chinese and English (None: there is one, or a Qt platform was
    chosen). Qt aborted (exit 134) saying a library the bundle carries must be installed, and to reinstall the program:
    with no DISPLAY, with a DISPLAY nothing answers at, and with a WAYLAND_DISPLAY alone where Qt has no Wayland
    plugin (the bundle carries X11's only)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    display, wayland = os.environ.get("DISPLAY"), os.environ.get("WAYLAND_DISPLAY")
    drawn_on_wayland = bool(wayland) and _wayland_plugin()
    if display and _answers(*_x_socket(display)) or drawn_on_wayland and _answers(*_wayland_socket(wayland)):
        return None
    if display:
        return f"显示 {display} 没有响应", f"nothing answers at display {display}"
    if drawn_on_wayland:
        return f"Wayland 显示 {wayland} 没有响应", f"nothing answers at the Wayland display {wayland}"
    if wayland:
        return "本程序需要 X11 显示(DISPLAY),未设置", "it needs an X11 display (DISPLAY), and none is set"
    return "未设置 DISPLAY 或 WAYLAND_DISPLAY", "neither DISPLAY nor WAYLAND_DISPLAY is set"


def _x_socket(display: str) -> list[str | tuple[str, int]]:
    """Where an X server takes connections for `display` (:0, unix:0, localhost:10.0 as SSH forwards it), as libxcb
    tries them: its local socket, abstract (Linux) or a file, then — the host empty, not unix — TCP on localhost (an X
    server with no local socket: VcXsrv under WSL, an Xvfb started -nolisten unix); a host's TCP port otherwise; []
    for a form not known here (left to Qt)."""
    host, _, screen = display.rpartition(":")
    number = screen.partition(".")[0]
    if not number.isdigit():
        return []
    port = 6000 + int(number)
    if host in ("", "unix"):
        local = [f"\0/tmp/.X11-unix/X{number}", f"/tmp/.X11-unix/X{number}"]
        return local + ([("localhost", port)] if not host else [])
    return [(host.strip("[]"), port)]


def _wayland_socket(name: str) -> list[str]:
    """Where a Wayland compositor takes connections for WAYLAND_DISPLAY `name`: the socket in XDG_RUNTIME_DIR."""
    return [name if name.startswith("/") else os.path.join(os.environ.get("XDG_RUNTIME_DIR", ""), name)]


def _answers(*addresses: str | tuple[str, int]) -> bool:
    """Whether something takes a connection at one of `addresses`, a local socket's path or a (host, port) tried at
    each address the host has (IPv6 too); none given: not known here, so yes."""
    import socket
    for address in addresses:
        try:
            if isinstance(address, tuple):
                socket.create_connection(address, timeout=2).close()
            else:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                    probe.settimeout(2)
                    probe.connect(address)
            return True
        except OSError:
            continue
    return not addresses


def _wayland_plugin() -> bool:
    """Whether Qt can draw on Wayland here: its platform plugin is installed beside PySide6 (not in the bundle)."""
    import importlib.util
    spec = importlib.util.find_spec("PySide6")
    folders = spec.submodule_search_locations if spec is not None else None
    return any(any((Path(folder) / "Qt" / "plugins" / "platforms").glob("libqwayland*")) for folder in folders or ())


def app_icon():
    """The app's icon in every size drawn for it (window title, task bar, Alt+Tab)."""
    from PySide6.QtGui import QIcon
    icon = QIcon()
    for png in sorted(ICONS.glob("landcomp-*.png")):
        icon.addFile(str(png))
    return icon


def draw_chinese_without_system_fonts(app) -> None:
    """On a machine with no font for Chinese, the window draws with the sheet fonts an installed bundle carries: the
    sheet font, then the fonts of the rarer characters (a 户主's 𠮷 was □ in the window, printed on the sheet), tried in
    that order for each character. Where the machine has a font for Chinese, nothing changes and no time is spent
    reading the bundle's."""
    from PySide6.QtGui import QFontDatabase

    from calculator.formats.reports.fonts import EXTENSION_FILES, FONT_FILES, bundled_font_dir
    folder = bundled_font_dir()
    if not folder or QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        return
    families = [family for name, _ in (FONT_FILES[0], *EXTENSION_FILES) if (folder / name).is_file()
                for family in QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(folder / name)))[:1]]
    font = app.font()
    font.setFamilies([*font.families(), *families])
    app.setFont(font)


def show(window) -> None:
    """Show the window built at start-up and collect garbage again (see `run`), past what start-up
    built: that is frozen (gc.freeze), so no collection walks it again, neither a pause while the
    user types nor the last collection at exit."""
    window.show()
    gc.freeze()
    gc.enable()


def speak_chinese(app) -> None:
    """Qt's own texts (Yes/No, the calendar, file dialogs, context menus) in Chinese."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)
    if translator.load(QLocale(), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)


def install_error_dialog(window) -> None:
    """An unexpected error in a slot is shown (and printed), and the work stays open."""
    import traceback

    def report(kind, error, trace) -> None:
        traceback.print_exception(kind, error, trace)
        from shiboken6 import isValid
        from ui import dialogs
        if isValid(window):   # an error as the window is destroyed (at quit) is printed alone
            dialogs.show_error(window, "内部错误", f"出现了意外错误,当前测算仍可保存。\n\n{kind.__name__}: {error}")

    sys.excepthook = report


def smoke(app, started: float) -> int:
    """Build the real window (schedules loaded), show it, and exit 0 once it has painted."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    from ui.main_window import MainWindow
    window = MainWindow(autosave=False)
    painted = {"done": False}

    class FirstPaint(QObject):
        # Watches the window only (not every event of the app): the window paints its own
        # background as part of the first frame.
        def eventFilter(self, watched, event) -> bool:
            if not painted["done"] and event.type() == QEvent.Type.Paint:
                painted["done"] = True
                QTimer.singleShot(0, app.quit)
            return False

    watcher = FirstPaint()
    window.installEventFilter(watcher)
    QTimer.singleShot(SMOKE_TIMEOUT_MS, app.quit)
    show(window)
    app.exec()
    window.removeEventFilter(watcher)
    elapsed = (time.perf_counter() - started) * 1000
    items = len(window.household.session.schedule.items)
    if not painted["done"]:
        print(f"smoke: no paint within {SMOKE_TIMEOUT_MS} ms", file=sys.stderr)
        return 1
    return 0 if print_out(f"smoke ok: schedule {window.household.session.schedule.version} ({items} items), "
                          f"first paint after {elapsed:.0f} ms") else 1
