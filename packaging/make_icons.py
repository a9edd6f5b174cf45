"""Draw the app icon's PNG sizes and the Windows .ico from ui/icons/landcomp.svg.

Run by hand after changing the SVG (the results are committed):
    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py
"""
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "ui" / "icons" / "landcomp.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256)  # the window and menu sizes; the .ico carries them all
ICO = ROOT / "packaging" / "windows" / "landcomp.ico"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 (QImage painting needs the application object)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"cannot read {SVG}", file=sys.stderr)
        return 1
    pngs = []
    for size in SIZES:
        path = SVG.with_name(f"landcomp-{size}.png")
        render(renderer, size).save(str(path))
        pngs.append(path)
    images = [Image.open(path) for path in pngs]
    images[-1].save(ICO, format="ICO", sizes=[(size, size) for size in SIZES], append_images=images[:-1])
    print(f"wrote {len(pngs)} PNGs beside {SVG.name} and {ICO.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
