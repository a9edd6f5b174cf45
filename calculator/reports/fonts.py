"""The CJK font the printed sheets embed: found on the system, or named by LANDCOMP_FONT.

reportlab embeds TrueType outlines only (a CFF font such as Noto Sans CJK is refused), so we
look for TrueType CJK fonts: WenQuanYi Micro Hei on Debian, SimHei / Microsoft YaHei / SimSun
on Windows, Arial Unicode on macOS. LANDCOMP_FONT="path" or "path#index" (a .ttc member) names
another. A font is accepted only if its cmap maps ASCII digits and letters as well as the
Chinese the sheets print: Droid Sans Fallback, for one, has no digits and would print blanks.
With no usable font we fall back to reportlab's STSong-Light CID font, which is *not* embedded
(the reader's viewer must supply it), and say so with a warning.
"""
from __future__ import annotations

import functools
import os
import string
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from calculator.errors import InputError

ENV_VAR = "LANDCOMP_FONT"
FALLBACK_CID = "STSong-Light"
# Every glyph a sheet cannot do without: digits, Latin letters (case ids, m²), and Chinese.
REQUIRED_CHARS = string.digits + string.ascii_letters + ",.-:()%" + "补偿结算单金额合计元页共第签字盖章壹贰万"
# Preferred files, best first, with the .ttc member to use.
FONT_FILES = (
    ("wqy-microhei.ttc", 0), ("wqy-zenhei.ttc", 0), ("simhei.ttf", 0), ("msyh.ttc", 0), ("msyh.ttf", 0),
    ("simsun.ttc", 0), ("uming.ttc", 0), ("Arial Unicode.ttf", 0),
)


class FontError(InputError):
    """The font named by LANDCOMP_FONT cannot be used."""


@dataclass(frozen=True)
class SheetFont:
    """The font registered with reportlab for the sheets; `note` says why it is a fallback."""

    name: str
    path: str | None
    embedded: bool
    note: str = ""


def font_dirs() -> list[Path]:
    """The usual font folders of Linux, Windows and macOS, in that order."""
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or "C:/Windows"
    local = os.environ.get("LOCALAPPDATA", "")
    dirs = ["/usr/share/fonts/truetype/wqy", "/usr/share/fonts/truetype/arphic", "/usr/share/fonts/truetype",
            "/usr/local/share/fonts", Path.home() / ".local/share/fonts", Path.home() / ".fonts",
            Path(windir) / "Fonts", Path(local) / "Microsoft/Windows/Fonts" if local else None,
            "/Library/Fonts", "/System/Library/Fonts/Supplemental", Path.home() / "Library/Fonts"]
    return [Path(d) for d in dirs if d is not None]


def candidates() -> Iterator[tuple[Path, int]]:
    """Installed font files worth trying, preferred first (a folder and its subfolders)."""
    seen = set()
    for filename, index in FONT_FILES:
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


def missing_glyphs(char_to_glyph: Mapping[int, int]) -> str:
    """The required characters the font's cmap does not map (empty when the font will do)."""
    return "".join(ch for ch in REQUIRED_CHARS if not char_to_glyph.get(ord(ch)))


def load_truetype(path: Path, index: int = 0):
    """A reportlab TTFont for `path`, or FontError saying why it cannot be embedded."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFont
    if not path.is_file():
        raise FontError(f"字体文件不存在: {path}", f"no such font file: {path}")
    try:
        font = TTFont(f"CJK-{path.stem}-{index}", str(path), subfontIndex=index)
    except (TTFError, OSError, ValueError, IndexError, KeyError) as exc:
        raise FontError(f"无法嵌入字体 {path}#{index}(须为 TrueType 字体,CFF/OpenType 轮廓不支持): {exc}",
                        f"cannot embed {path}#{index} (a TrueType font is needed; CFF outlines are not supported): "
                        f"{exc}"
                        ) from None
    missing = missing_glyphs(font.face.charToGlyph)
    if missing:
        raise FontError(f"字体 {path}#{index} 缺少字形「{missing}」(数字或字母会打印为空白)",
                        f"font {path}#{index} lacks glyphs for {missing!r} (digits or letters would print blank)")
    return font


def sheet_font() -> SheetFont:
    """The registered font for this process's LANDCOMP_FONT setting (looked up once per setting)."""
    return _resolve(os.environ.get(ENV_VAR, "").strip())


@functools.lru_cache(maxsize=None)
def _resolve(spec: str) -> SheetFont:
    from reportlab.pdfbase import pdfmetrics
    if spec:
        path, index = parse_spec(spec)
        font = load_truetype(path, index)  # the user's choice: an unusable one is an error, not a fallback
        pdfmetrics.registerFont(font)
        return SheetFont(font.fontName, str(path), True)
    reasons = []
    for path, index in candidates():
        try:
            font = load_truetype(path, index)
        except FontError as error:
            reasons.append(error.zh)
            continue
        pdfmetrics.registerFont(font)
        return SheetFont(font.fontName, str(path), True)
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID))
    note = (f"未找到可嵌入的中文 TrueType 字体,改用未嵌入的 {FALLBACK_CID};可设置 {ENV_VAR} 指定字体 / "
            f"no embeddable CJK TrueType font found; using {FALLBACK_CID}, which is NOT embedded "
            f"(set {ENV_VAR} to a .ttf/.ttc file)" + (f" [{'; '.join(reasons)}]" if reasons else ""))
    warnings.warn(note, stacklevel=3)
    return SheetFont(FALLBACK_CID, None, False, note)
