"""`python main.py --smoke` builds the window with the schedules, paints it once and exits 0."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from driver import ROOT

HEAVY = ("pandas", "openpyxl", "reportlab")
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
HANAZONO = [Path("/usr/share/fonts/truetype/hanazono") / name for name in ("HanaMinA.ttf", "HanaMinB.ttf")]


def run(args, tmp_path, code=None):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    command = [sys.executable, "-c", code] if code else [sys.executable, str(ROOT / "main.py"), *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_smoke_exits_zero_after_the_first_paint(tmp_path):
    first = run(["--smoke"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "smoke ok" in first.stdout and "155 items" in first.stdout
    again = run(["--smoke"], tmp_path)                        # second start: schedule from the cache
    assert again.returncode == 0, again.stderr
    assert len(list((tmp_path / "cache").rglob("schedule-baozi-2023-*.pickle"))) == 1  # one cache, kept for the second


def test_start_up_does_not_load_the_export_libraries(tmp_path):
    code = ("import sys; sys.argv = ['main.py', '--smoke']; import main; rc = main.main(['--smoke']);"
            f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r});"
            "print('heavy', heavy); sys.exit(rc or (1 if heavy else 0))")
    result = run([], tmp_path, code)
    assert result.returncode == 0, result.stdout + result.stderr


def test_start_up_reads_no_land_table(tmp_path):
    code = ("import sys; import main; rc = main.main(['--smoke']);"
            "sys.exit(rc or ('tables.land' in sys.modules))")
    result = run([], tmp_path, code)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_item_table_keeps_the_wrapper_of_its_viewport_from_the_start(ws):
    # Start-up reads the viewport's width through this wrapper; without it, PySide's first search for the
    # type of a widget Qt made costs about 14 ms there (ui.widgets.keep_viewport).
    assert ws.table.kept_viewport is not None and ws.table.kept_viewport is ws.table.viewport()


def test_the_app_icon_comes_in_every_size_drawn_for_it(qapp):
    from ui.app import app_icon
    assert sorted(size.width() for size in app_icon().availableSizes()) == [16, 24, 32, 48, 64, 128, 256]


FONTLESS = ("import sys; sys._MEIPASS = sys.argv[1]; from PySide6.QtGui import QFontDatabase, QRawFont; "
            "from PySide6.QtWidgets import QApplication; app = QApplication([]); from ui import app as start; "
            "print(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)); "
            "start.draw_chinese_without_system_fonts(app); "
            "print(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)); "
            "print(app.font().families()); "
            "print([f for f in app.font().families() if QRawFont.fromFont(QFont(f)).supportsCharacter(0x20BB7)])")
FONTLESS = FONTLESS.replace("QFontDatabase, QRawFont", "QFont, QFontDatabase, QRawFont")


@pytest.mark.skipif(os.geteuid() != 0 or not WQY.is_file() or not all(f.is_file() for f in HANAZONO),
                    reason="hides the system fonts (root) and needs WenQuanYi and Hanazono")
def test_on_a_machine_without_chinese_fonts_the_bundled_sheet_fonts_draw_the_window(tmp_path):
    """The sheet font drew the window, and a 户主's 𠮷 (U+20BB7, Extension B), printed on the sheet by HanaMinB, was □:
    the fonts of the rarer characters are the window's too, tried after it."""
    (tmp_path / "fonts").mkdir()  # an installed bundle's fonts folder (sys._MEIPASS/fonts)
    for font in (WQY, *HANAZONO):
        shutil.copy(font, tmp_path / "fonts")
    hide = "mount -t tmpfs tmpfs /usr/share/fonts"
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                           f'{hide} && exec env -i PATH=/usr/bin:/bin HOME="$1" QT_QPA_PLATFORM=offscreen '
                           f'"$0" -c "$2" "$1"', sys.executable, str(tmp_path), FONTLESS],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    before, after, families, drawing = done.stdout.splitlines()[-4:]
    assert before == "[]" and "WenQuanYi Micro Hei" in after
    assert families.endswith("'WenQuanYi Micro Hei', 'HanaMinA', 'HanaMinB']") and "Hana" in drawing and "WenQuanYi" not in drawing


def test_bad_arguments_are_refused(tmp_path):
    result = run(["--frobnicate"], tmp_path)
    assert result.returncode == 2 and "usage" in result.stderr


@pytest.mark.parametrize("display, said", [
    ({}, "未设置 DISPLAY 或 WAYLAND_DISPLAY"),                       # over SSH
    ({"DISPLAY": ":87"}, "显示 :87 没有响应"),                        # a display no X server answers at
    ({"DISPLAY": "localhost:87.0"}, "显示 localhost:87.0 没有响应"),   # an SSH forwarding gone
    ({"WAYLAND_DISPLAY": "wayland-87"}, "Wayland 显示 wayland-87 没有响应"),
])
def test_no_display_is_said_plainly_never_a_qt_abort(tmp_path, display, said):
    """Over SSH (no DISPLAY), `landcomp --smoke` aborted (exit 134) with Qt's English advice to install a library the
    bundle carries, and to reinstall the program; so did a DISPLAY or a WAYLAND_DISPLAY nothing answered at."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path),
           **display}
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--smoke"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and f"没有可用的图形显示({said})" in result.stderr, result.stderr
    assert "no graphical display" in result.stderr and "Traceback" not in result.stderr and result.stdout == ""


def test_a_wayland_display_alone_is_no_display_where_qt_has_no_wayland_plugin(monkeypatch, tmp_path):
    """The bundle carries Qt's X11 plugin only: with WAYLAND_DISPLAY and no DISPLAY it aborted as with none."""
    import socket

    from ui import app
    with socket.socket(socket.AF_UNIX) as compositor:   # a compositor answering there
        compositor.bind(str(tmp_path / "wayland-0"))
        compositor.listen()
        for name in ("QT_QPA_PLATFORM", "DISPLAY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
        assert app.no_display() is None   # this machine's PySide6 carries it
        monkeypatch.setattr(app, "_wayland_plugin", lambda: False)
        assert app.no_display() == ("本程序需要 X11 显示(DISPLAY),未设置", "it needs an X11 display (DISPLAY), and none is set")


def test_an_x_server_answering_over_tcp_alone_is_a_display(monkeypatch):
    """DISPLAY=:N with an X server listening on TCP only (VcXsrv under WSL, an Xvfb started -nolisten unix): libxcb
    falls back to localhost:6000+N, and Qt drew; the check said 显示 :N 没有响应 (a reviewer)."""
    import socket

    from ui import app
    for name in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as server:
        for number in range(80, 100):   # a display number nothing serves here
            try:
                server.bind(("127.0.0.1", 6000 + number))
                break
            except OSError:
                continue
        server.listen()
        monkeypatch.setenv("DISPLAY", f":{number}")
        assert app.no_display() is None
        monkeypatch.setenv("DISPLAY", f"unix:{number}")   # the local socket alone, as xcb reads unix:N
        assert app.no_display() == (f"显示 unix:{number} 没有响应", f"nothing answers at display unix:{number}")


@pytest.mark.parametrize("args", [["--smoke"], ["--version"], ["--help"]])
def test_a_full_disk_under_the_output_is_one_line_never_a_traceback(tmp_path, args):
    """`main.py --smoke > /dev/full` (or --version, --help) ended in an OSError traceback."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=env, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "landcomp: 无法输出结果 / cannot write the result: 磁盘已满" in done.stderr
