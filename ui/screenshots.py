"""Take the documentation screenshots: `xvfb-run -a -s "-screen 0 1600x1000x24" python -m ui.screenshots docs`.

Writes gui-empty.png (a new case) and gui-household.png (examples/household.json) into the
given folder, using a throw-away settings file so the user's window geometry is not touched.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.settings import Settings

    out = Path(argv[0] if argv else "docs")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as scratch:
        window = MainWindow(Settings(str(Path(scratch) / "settings.ini"), scratch), autosave=False)
        window.resize(1600, 1000)
        window.show()
        shots = []

        def settle() -> None:
            for _ in range(5):
                app.processEvents()

        def empty() -> None:
            settle()
            window.household.picker.focus_search()
            settle()
            shots.append(_save(window, out / "gui-empty.png"))
            window.household.open_file(ROOT / "examples" / "household.json")
            window.household.picker.search.setText("砖混")
            window.household.go_to_line(3)
            QTimer.singleShot(200, household)

        def household() -> None:
            settle()
            shots.append(_save(window, out / "gui-household.png"))
            window.household.shutdown()
            app.quit()

        QTimer.singleShot(300, empty)
        app.exec()
    for path in shots:
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


def _save(window, path: Path) -> Path:
    image = window.grab().toImage()
    image.save(str(path), "PNG", 9)
    return path


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
