"""The fonts the printed sheets embed: the CJK sheet font, then fonts for rare Chinese characters.

reportlab embeds TrueType outlines only (a CFF font such as Noto Sans CJK is refused), so we
look for TrueType CJK fonts: first in an installed bundle's own `fonts` folder (packaging/landcomp.spec
ships WenQuanYi Micro Hei and HanaMin there, so the bundle prints the same sheets on any machine), then
WenQuanYi Micro Hei on Debian, SimHei / Microsoft YaHei / SimSun on Windows, Arial Unicode on macOS.
LANDCOMP_FONT="path" or "path#index" (a .ttc member) names another. A font is accepted only if
its cmap maps ASCII digits and letters as well as the Chinese the sheets print: Droid Sans
Fallback, for one, has no digits and would print blanks.
With no usable font we fall back to reportlab's STSong-Light CID font, which is *not* embedded
(the reader's viewer must supply it), and say so with a warning.

Names in household registers hold rare characters (生僻字, CJK Extension A, B and beyond) that
those fonts lack. A Chinese character the sheet font cannot draw is drawn, run by run, in the
first extension font that can: HanaMin A then B (Debian's fonts-hanazono), or SimSun-ExtB on
Windows. Only Chinese characters fall back: an emoji or symbol the sheet font lacks is refused
(`uncovered`) even where HanaMin happens to draw one, because it is a typing slip in a name or
an address, not something to print as a pictogram. Each font file is read once per process
(its cmap kept), and the extension fonts only when a character needs them.
"""
from __future__ import annotations

import functools
import itertools
import os
import re
import string
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

from calculator.core.errors import InputError

ENV_VAR = "LANDCOMP_FONT"
FALLBACK_CID = "STSong-Light"
# Every glyph a sheet cannot do without: digits, Latin letters (case ids, m²), and Chinese.
REQUIRED_CHARS = string.digits + string.ascii_letters + ",.-:()%" + "补偿结算单金额合计元页共第签字盖章壹贰万"
# Preferred files, best first, with the .ttc member to use.
FONT_FILES = (
    ("wqy-microhei.ttc", 0), ("wqy-zenhei.ttc", 0), ("simhei.ttf", 0), ("msyh.ttc", 0), ("msyh.ttf", 0),
    ("simsun.ttc", 0), ("uming.ttc", 0), ("Arial Unicode.ttf", 0),
)
# Fonts for the Chinese characters the sheet font lacks, tried in this order.
EXTENSION_FILES = (("HanaMinA.ttf", 0), ("HanaMinB.ttf", 0), ("simsunb.ttf", 0))
# Code points an extension font may draw: radicals, description characters, 々〆〇, strokes, Extension A,
# the unified and compatibility ideographs, and planes 2 and 3 (Extensions B–I, compatibility supplement).
IDEOGRAPHS = ((0x2E80, 0x2FDF), (0x2FF0, 0x2FFF), (0x3005, 0x3007), (0x31C0, 0x31EF), (0x3400, 0x4DBF),
              (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))
NO_GLYPH = " \t\r\n"  # white space a sheet lays out without drawing a glyph
# A ToUnicode entry reportlab wrote for a code point beyond U+FFFF: "<1F> <20000>".
_WIDE_ENTRY = re.compile(r"^(<[0-9A-F]{2}> )<([0-9A-F]{5,6})>$", re.M)


class FontError(InputError):
    """The font named by LANDCOMP_FONT cannot be used."""


@dataclass(frozen=True)
class SheetFont:
    """A font registered with reportlab for the sheets; `note` says why it is a fallback."""

    name: str
    path: str | None
    embedded: bool
    note: str = ""
    chars: frozenset[str] | None = field(default=None, repr=False, compare=False)  # what its cmap maps

    def draws(self, char: str) -> bool:
        """Whether the font has a glyph for `char` (white space needs none)."""
        if self.chars is not None:
            return char in self.chars
        # The CID font's glyphs are the viewer's, unknown here: assume Adobe-GB1's Chinese (GBK's) and any
        # other printable character of the BMP, so rarer Chinese still falls back and an emoji is refused.
        if char in NO_GLYPH:
            return True
        if not _ideograph(char):
            return ord(char) <= 0xFFFF and char.isprintable()
        try:
            char.encode("gbk")
        except UnicodeEncodeError:
            return False
        return True

    def draws_all(self, text: str) -> bool:
        """Whether the font draws every character of `text` (one set operation for the usual case)."""
        return self.chars.issuperset(text) if self.chars is not None else all(map(self.draws, text))


def _registered(font, path: Path) -> SheetFont:
    """The SheetFont of a TrueType font registered with reportlab, its cmap read into a set of characters."""
    from reportlab.pdfbase import pdfmetrics
    pdfmetrics.registerFont(font)
    chars = frozenset(chr(code) for code, glyph in font.face.charToGlyph.items() if glyph) | frozenset(NO_GLYPH)
    return SheetFont(font.fontName, str(path), True, chars=chars)


def bundled_font_dir() -> Path | None:
    """The fonts folder of an installed bundle (PyInstaller's sys._MEIPASS), None outside one."""
    bundled = getattr(sys, "_MEIPASS", None)
    return Path(bundled) / "fonts" if bundled else None


def font_dirs() -> list[Path]:
    """The installed bundle's own fonts, then the usual font folders of Linux, Windows and macOS, in that order."""
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or "C:/Windows"
    local = os.environ.get("LOCALAPPDATA", "")
    dirs = [bundled_font_dir(),
            "/usr/share/fonts/truetype/wqy", "/usr/share/fonts/truetype/arphic", "/usr/share/fonts/truetype",
            "/usr/local/share/fonts", Path.home() / ".local/share/fonts", Path.home() / ".fonts",
            Path(windir) / "Fonts", Path(local) / "Microsoft/Windows/Fonts" if local else None,
            "/Library/Fonts", "/System/Library/Fonts/Supplemental", Path.home() / "Library/Fonts"]
    return [Path(d) for d in dirs if d is not None]


def candidates(files: tuple[tuple[str, int], ...] = FONT_FILES) -> Iterator[tuple[Path, int]]:
    """Installed font files worth trying, preferred first (a folder and its subfolders)."""
    seen = set()
    for filename, index in files:
        for folder in font_dirs():
            found = [folder / filename] if folder.name != "truetype" else sorted(folder.glob(f"*/{filename}"))
            for path in found:
                if path not in seen and path.is_file():
                    seen.add(path)
                    yield path, index


def parse_spec(spec: str) -> tuple[Path, int]:
    """"path" or "path#index" → (path, subfont index)."""
    path, sep, index = spec.rpartition("#")
    if sep and index.isdigit():
        return Path(path).expanduser(), int(index)
    return Path(spec).expanduser(), 0


def missing_glyphs(char_to_glyph: Mapping[int, int], required: str = REQUIRED_CHARS) -> str:
    """The required characters the font's cmap does not map (empty when the font will do)."""
    return "".join(ch for ch in required if not char_to_glyph.get(ord(ch)))


def load_truetype(path: Path, index: int = 0, required: str = REQUIRED_CHARS):
    """A reportlab TTFont for `path`, or FontError saying why it cannot be embedded."""
    from reportlab.pdfbase import ttfonts
    _wide_to_unicode(ttfonts)
    if not path.is_file():
        raise FontError(f"字体文件不存在: {path}", f"no such font file: {path}")
    try:
        font = ttfonts.TTFont(f"CJK-{path.stem}-{index}", str(path), subfontIndex=index)
    except (ttfonts.TTFError, OSError, ValueError, IndexError, KeyError) as exc:
        raise FontError(f"无法嵌入字体 {path}#{index}(须为 TrueType 字体,CFF/OpenType 轮廓不支持): {exc}",
                        f"cannot embed {path}#{index} (a TrueType font is needed; CFF outlines are not supported): "
                        f"{exc}"
                        ) from None
    missing = missing_glyphs(font.face.charToGlyph, required)
    if missing:
        raise FontError(f"字体 {path}#{index} 缺少字形「{missing}」(数字或字母会打印为空白)",
                        f"font {path}#{index} lacks glyphs for {missing!r} (digits or letters would print blank)")
    return font


def _wide_to_unicode(ttfonts) -> None:
    """Make reportlab write characters beyond U+FFFF into a font's ToUnicode map as UTF-16 pairs.

    reportlab writes "<%04X>" of the code point, so 𠀀 (U+20000) would read back from the text
    layer (copy, search, pdfplumber) as U+2000: printed, but lost as text.
    """
    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "wide", False):
        return

    def to_unicode_cmap(fontname, subset):
        return _WIDE_ENTRY.sub(lambda m: f"{m[1]}<{chr(int(m[2], 16)).encode('utf-16-be').hex().upper()}>",
                               original(fontname, subset))
    to_unicode_cmap.wide = True
    ttfonts.makeToUnicodeCMap = to_unicode_cmap


def sheet_font() -> SheetFont:
    """The registered sheet font for this process's LANDCOMP_FONT setting; warns when it is not embedded."""
    font = _resolve(_spec())
    if font.note:
        warnings.warn(font.note, stacklevel=2)
    return font


def _spec() -> str:
    return os.environ.get(ENV_VAR, "").strip()


@functools.lru_cache(maxsize=None)
def _resolve(spec: str) -> SheetFont:
    """The sheet font of a LANDCOMP_FONT setting, looked up once per setting."""
    if spec:
        path, index = parse_spec(spec)
        return _registered(load_truetype(path, index), path)  # the user's choice: an unusable one is an error
    reasons = []
    for path, index in candidates():
        try:
            return _registered(load_truetype(path, index), path)
        except FontError as error:
            reasons.append(error.zh)
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID))
    note = (f"未找到可嵌入的中文 TrueType 字体,改用未嵌入的 {FALLBACK_CID};可设置 {ENV_VAR} 指定字体 / "
            f"no embeddable CJK TrueType font found; using {FALLBACK_CID}, which is NOT embedded "
            f"(set {ENV_VAR} to a .ttf/.ttc file)" + (f" [{'; '.join(reasons)}]" if reasons else ""))
    return SheetFont(FALLBACK_CID, None, False, note)


@functools.lru_cache(maxsize=None)
def extension_fonts() -> tuple[SheetFont, ...]:
    """The installed extension fonts, registered and their cmaps read once per process (unusable ones skipped)."""
    found = []
    for path, index in candidates(EXTENSION_FILES):
        try:
            found.append(_registered(load_truetype(path, index, required=""), path))
        except FontError:
            continue
    return tuple(found)


def _ideograph(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in IDEOGRAPHS)


def _font_for(char: str, main: SheetFont) -> SheetFont | None:
    """The first font of the chain that draws `char`: the sheet font, else for a Chinese character an extension font."""
    if main.draws(char):
        return main
    if _ideograph(char):
        return next((font for font in extension_fonts() if font.draws(char)), None)
    return None


def uncovered(text: str) -> list[str]:
    """The characters of `text` that no font of the chain draws, each once, in order of appearance."""
    main = _resolve(_spec())
    if main.draws_all(text):
        return []
    return list(dict.fromkeys(char for char in text if _font_for(char, main) is None))


# What is drawn for a character no font of the chain has: a sheet refuses such a character before it is laid out
# (`uncovered`); the project summary, which one household's text must not block, shows it as this mark.
MISSING_MARK = "□"


def runs(text: str) -> list[tuple[str, str]]:
    """`text` as (font name, characters) runs, each drawn by the first font of the chain that has it; a character
    no font draws is drawn as MISSING_MARK, in the sheet font."""
    main = _resolve(_spec())
    if main.draws_all(text):
        return [(main.name, text)] if text else []

    def drawn(char: str) -> tuple[str, str]:
        font = _font_for(char, main)
        if font is not None:
            return font.name, char
        # a line break or a space is no glyph of any font, and is laid out as itself
        return main.name, (char if char.isspace() or not char.isprintable() else MISSING_MARK)
    pairs = [drawn(char) for char in text]
    return [(font, "".join(char for _, char in group)) for font, group in itertools.groupby(pairs, key=lambda p: p[0])]
