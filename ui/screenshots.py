"""Take the documentation screenshots: `xvfb-run -a -s "-screen 0 1600x1000x24" python -m ui.screenshots docs`.

Writes, into the given folder, using throw-away settings so the user's window is not touched:
gui-empty.png (a new case), gui-household.png (examples/household.json), gui-land.png
(examples/parcel.json in 地价测算), gui-browser.png (标准查阅 searching 临时安置),
gui-preview.png (the settlement sheet's print preview) and gui-ledger.png (台账 of a
generated 30-household project).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
LEDGER_HOUSEHOLDS = 30


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.settings import Settings

    out = Path(argv[0] if argv else "docs")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    shots: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        window = MainWindow(Settings(str(Path(scratch) / "settings.ini"), scratch), autosave=False)
        window.resize(1600, 1000)
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

        def preview() -> None:
            from ui.preview import PreviewDialog
            tab("补偿测算").preview()
            window.findChild(PreviewDialog).resize(1000, 1000)

        def preview_shot() -> None:  # QPdfView renders pages in a thread: shot after a pause
            from ui.preview import PreviewDialog
            dialog = window.findChild(PreviewDialog)
            shots.append(_save(dialog, out / "gui-preview.png"))
            dialog.reject()

        def ledger() -> None:
            workspace = tab("台账")
            project = Path(scratch) / "堡子片区.landcomp"
            _generated_project(project)
            workspace.open_project(project)

        steps: list[tuple[Callable[[], None], str | None, int]] = [  # (what to do, shot to take, pause in ms)
            (empty, "gui-empty.png", 300), (household, "gui-household.png", 300), (land, "gui-land.png", 300),
            (browser, "gui-browser.png", 300), (preview, None, 2000), (preview_shot, None, 300),
            (ledger, "gui-ledger.png", 500),
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
                    shots.append(_save(window, out / name))
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

    from calculator.jsonfile import parse_json
    from calculator.compensation import compute
    from calculator.store import SqliteStore

    template = parse_json((ROOT / "examples" / "household.json").read_text(encoding="utf-8"))
    names = "王建国 李秀英 张德胜 赵桂兰 刘福生 陈玉梅 杨志强 黄淑珍 周海军 吴春花".split()
    with SqliteStore(path, actor="李明") as store:
        project = store.create_project("堡子片区")
        paid = []
        for index in range(LEDGER_HOUSEHOLDS):
            case = household_case(template, index)
            case.household["head"] = names[index % len(names)] + ("" if index < len(names) else "甲乙丙"[index // 10 - 1])
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


def _save(widget, path: Path) -> Path:
    image = widget.grab().toImage()
    image.save(str(path), "PNG", 9)
    return path


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
