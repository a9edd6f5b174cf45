"""The desktop app shows rare characters (生僻字) itself: Qt falls back to a font that has them."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QTextLayout
from PySide6.QtWidgets import QLabel, QLineEdit

HANAMIN = Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf")
NAME = "刘䶮𠀀𡈽"


@pytest.mark.skipif(not HANAMIN.is_file(), reason="fonts-hanazono not installed")
@pytest.mark.parametrize("widget_class", [QLabel, QLineEdit])
def test_a_name_with_rare_characters_is_drawn_with_real_glyphs(qtbot, widget_class):
    widget = widget_class(NAME)
    qtbot.addWidget(widget)
    widget.resize(200, 40)
    widget.show()
    layout = QTextLayout(NAME, widget.font())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    glyphs = [(run.rawFont(), index) for run in layout.glyphRuns() for index in run.glyphIndexes()]
    assert len(glyphs) == len(NAME) and all(index for _, index in glyphs)  # glyph 0 would be the missing box
    for char in NAME:
        assert any(font.supportsCharacter(ord(char)) for font, _ in glyphs), f"U+{ord(char):04X}"
    image = widget.grab().toImage()
    left = widget.fontMetrics().horizontalAdvance(NAME[0]) + 4  # past 刘, which WenQuanYi draws anyway
    ink = sum(QColor(image.pixel(x, y)).lightness() < 128
              for x in range(left, image.width()) for y in range(image.height()))
    assert ink > 20  # about 15 dark pixels a character; the empty field and its frame have none
