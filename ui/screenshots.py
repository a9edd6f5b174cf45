"""Take the documentation screenshots on the screens offices have:

    xvfb-run -a -s "-screen 0 1366x768x24" python -m ui.screenshots docs 1366
    QT_SCALE_FACTOR=1.5 xvfb-run -a -s "-screen 0 1920x1080x24" python -m ui.screenshots docs 150

Writes, into the given folder and with the given suffix, using throw-away settings so the
user's window is not touched: gui-empty-S.png (a new case), gui-household-S.png
(examples/household.json), gui-reason-S.png (the 超标准 reason dialog over it), gui-land-S.png
(examples/parcel.json in 地价测算), gui-browser-S.png (标准查阅 searching 临时安置),
gui-preview-S.png (the settlement sheet's print preview), gui-ledger-S.png (台账 of a
generated 30-household project) and its 汇总与审计 window: gui-summary-S.png (金额),
gui-summary-audit-S.png (单价审计) and gui-summary-outliers-S.png (异常户). The window places
itself as it would for a user (maximized on a screen smaller than its default size); each shot is
of the whole screen.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
LEDGER_HOUSEHOLDS = 30
ASSESSORS = ("李明", "王芳", "赵强")
CEILINGS = {"附属平房/砖混结构": "800", "内装潢/中档装潢": "400", "窑洞/砖石窑洞": "700"}
OUTLIER = 16


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.settings import Settings

    out = Path(argv[0] if argv else "docs")
    suffix = f"-{argv[1]}" if len(argv) > 1 else ""
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    shots: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        window = MainWindow(Settings(str(Path(scratch) / "settings.ini"), scratch), autosave=False)
        window.show()

        def settle() -> None:
            for _ in range(5):
                app.processEvents()

        def tab(title: str):
            index = next(i for i in range(window.tabs.count()) if window.tabs.bar.tabText(i) == title)
            window.tabs.setCurrentIndex(index)
            return window.workspace()

        def empty() -> None:
            window.household.picker.focus_search()

        def household() -> None:
            window.household.open_file(ROOT / "examples" / "household.json")
            window.household.picker.search.setText("砖混")
            window.household.go_to_line(3)

        def land() -> None:
            tab("地价测算").open_file(ROOT / "examples" / "parcel.json")

        def browser() -> None:
            tab("标准查阅").set_search("临时安置")

        def reason() -> None:
            from ui import dialogs
            dialog = dialogs.reason_dialog(window, "单价 900.00 超出区间 700.00–800.00(附属平房/砖混结构)", "带门楼")
            dialog.setObjectName("screenshot-reason")
            dialog.open()

        def reason_shot() -> None:
            from ui.dialogs import TextDialog
            dialog = window.findChild(TextDialog, "screenshot-reason")
            shots.append(_save_screen(app, out / f"gui-reason{suffix}.png"))
            dialog.reject()

        def preview() -> None:
            tab("补偿测算").preview()

        def preview_shot() -> None:  # QPdfView renders pages in a thread: shot after a pause
            from ui.preview import PreviewDialog
            dialog = window.findChild(PreviewDialog)
            shots.append(_save_screen(app, out / f"gui-preview{suffix}.png"))
            dialog.reject()

        def ledger() -> None:
            workspace = tab("台账")
            project = Path(scratch) / "堡子片区.landcomp"
            _generated_project(project)
            workspace.open_project(project)

        def summary() -> None:
            tab("台账").show_summary()

        def summary_page(title: str) -> Callable[[], None]:
            def show() -> None:
                from ui.ledger.summary_view import SummaryDialog
                pages = window.findChild(SummaryDialog).pages
                pages.setCurrentIndex(next(i for i in range(pages.count()) if pages.tabText(i).split("(&")[0] == title))
            return show

        def summary_close() -> None:
            from ui.ledger.summary_view import SummaryDialog
            window.findChild(SummaryDialog).close()

        steps: list[tuple[Callable[[], None], str | None, int]] = [  # (what to do, shot to take, pause in ms)
            (empty, "gui-empty", 300), (household, "gui-household", 300), (reason, None, 300),
            (reason_shot, None, 100), (land, "gui-land", 300), (browser, "gui-browser", 300),
            (preview, None, 2000), (preview_shot, None, 300), (ledger, "gui-ledger", 500),
            (summary, "gui-summary", 800), (summary_page("单价审计"), "gui-summary-audit", 300),
            (summary_page("异常户"), "gui-summary-outliers", 300), (summary_close, None, 100),
        ]

        def run(index: int = 0) -> None:
            if index == len(steps):
                for workspace in window.tabs.built_workspaces():
                    workspace.shutdown()
                app.quit()
                return
            step, name, pause = steps[index]
            settle()
            step()

            def shoot() -> None:
                settle()
                if name:
                    shots.append(_save_screen(app, out / f"{name}{suffix}.png"))
                run(index + 1)

            QTimer.singleShot(pause, shoot)

        QTimer.singleShot(300, run)
        app.exec()
    for path in shots:
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


def _generated_project(path: Path) -> None:
    """A project like the office's: the example case varied, at every status from 草稿 to 已支付."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from store_bench import household_case

    from calculator.engine.compensation import compute
    from calculator.core.jsonfile import read_json
    from calculator.core.limits import CASE_FILE_MAX_BYTES
    from calculator.store import SqliteStore

    template = read_json(ROOT / "examples" / "household.json", CASE_FILE_MAX_BYTES, "案例文件")
    names = "王建国 李秀英 张德胜 赵桂兰 刘福生 陈玉梅 杨志强 黄淑珍 周海军 吴春花".split()
    with SqliteStore(path, actor="李明") as store:
        project = store.create_project("堡子片区")
        paid = []
        for index in range(LEDGER_HOUSEHOLDS):
            case = household_case(template, index)
            case.household["head"] = names[index % len(names)] + ("" if index < len(names) else "甲乙丙"[index // 10 - 1])
            case.assessor["name"] = ASSESSORS[index % len(ASSESSORS)]
            for line in case.items:  # the second assessor takes the ceiling where the first takes less
                if index % len(ASSESSORS) == 1 and line["item"] in CEILINGS:
                    line["rate"] = CEILINGS[line["item"]]
                if index == OUTLIER and line["item"] == "评估项/地下室":  # one household that stands out
                    line["amount"] = "420000"
            entry = store.add_household(project.id, f"{index + 1:03d}", case.household["head"], case.household["address"])
            if index % 7 == 6:
                store.save_draft(entry.id, case)
                continue
            store.save_computed(entry.id, compute(case))
            if index % 3 == 0:
                store.sign(entry.id)
                if index % 2 == 0:
                    paid.append(entry.id)
        store.pay(paid, batch="第1批")


def _save_screen(app, path: Path) -> Path:
    """The whole screen as the user sees it: whatever does not fit is visibly cut off."""
    app.primaryScreen().grabWindow(0).save(str(path), "PNG", 9)
    return path


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
