"""Font discovery: LANDCOMP_FONT, fonts without ASCII glyphs refused, the unembedded fallback."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfbase import ttfonts

from calculator.formats import reports
from calculator.engine.case import case_from_json
from calculator.engine.compensation import compute
from calculator.formats.reports import fonts

ROOT = Path(__file__).resolve().parents[1]
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
needs_wqy = pytest.mark.skipif(not WQY.is_file(), reason="fonts-wqy-microhei not installed")


@pytest.fixture(autouse=True)
def fresh_lookup(monkeypatch):
    """Each test looks the font up anew, and leaves no cached choice behind for the others."""
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    fonts._resolve.cache_clear()
    yield
    fonts._resolve.cache_clear()


def test_a_cmap_without_digits_or_letters_is_missing_them():
    everything = {ord(ch): 1 for ch in fonts.REQUIRED_CHARS}
    assert fonts.missing_glyphs(everything) == ""
    no_ascii = {code: glyph for code, glyph in everything.items() if code > 127}  # like Droid Sans Fallback
    assert fonts.missing_glyphs(no_ascii).startswith("0123456789abc")
    assert fonts.missing_glyphs({**everything, ord("7"): 0}) == "7"  # glyph 0 is .notdef: no glyph


@needs_wqy
def test_a_real_font_whose_cmap_lacks_digits_is_rejected(monkeypatch):
    class NoDigits(ttfonts.TTFont):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.face.charToGlyph = {c: g for c, g in self.face.charToGlyph.items() if not chr(c).isdigit()}

    monkeypatch.setattr(ttfonts, "TTFont", NoDigits)
    with pytest.raises(fonts.FontError, match="0123456789"):
        fonts.load_truetype(WQY, 0)


@pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans not installed")
def test_a_font_without_chinese_is_rejected():
    with pytest.raises(fonts.FontError) as error:
        fonts.load_truetype(DEJAVU)
    assert "补" in error.value.zh


def test_landcomp_font_pointing_nowhere_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv(fonts.ENV_VAR, str(tmp_path / "no-such.ttf"))
    with pytest.raises(fonts.FontError, match="字体文件不存在.*no-such.ttf"):
        fonts.sheet_font()


def test_landcomp_font_pointing_at_junk_says_it_must_be_truetype(monkeypatch, tmp_path):
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"OTTO" + bytes(200))  # a CFF-flavoured header and nothing else
    monkeypatch.setenv(fonts.ENV_VAR, str(junk))
    with pytest.raises(fonts.FontError, match="TrueType"):
        fonts.sheet_font()


def test_the_cli_reports_a_bogus_font_and_writes_nothing(tmp_path):
    out = tmp_path / "sheet.pdf"
    env = {"PATH": "/usr/bin:/bin", fonts.ENV_VAR: str(tmp_path / "missing.ttc#0")}
    done = subprocess.run([sys.executable, "-m", "calculator", "compensation",
                           "examples/household.json", "--pdf", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "LANDCOMP_FONT" not in done.stdout and "missing.ttc" in done.stderr
    assert list(tmp_path.iterdir()) == []


@needs_wqy
def test_landcomp_font_with_a_member_index(monkeypatch):
    monkeypatch.setenv(fonts.ENV_VAR, f"{WQY}#0")
    font = fonts.sheet_font()
    assert font.embedded and font.path == str(WQY)


def test_a_spec_splits_off_the_member_index_only_when_it_is_a_number():
    assert fonts.parse_spec("/f/msyh.ttc#1") == (Path("/f/msyh.ttc"), 1)
    assert fonts.parse_spec("/f/simhei.ttf") == (Path("/f/simhei.ttf"), 0)
    assert fonts.parse_spec("/f/a#b.ttf") == (Path("/f/a#b.ttf"), 0)


@needs_wqy
def test_discovery_skips_an_unusable_font_and_takes_the_next(monkeypatch, tmp_path):
    junk = tmp_path / "DroidSansFallback.ttf"
    junk.write_bytes(b"\x00\x01\x00\x00" + bytes(100))
    monkeypatch.setattr(fonts, "candidates", lambda: iter([(junk, 0), (WQY, 0)]))
    font = fonts.sheet_font()
    assert font.embedded and font.path == str(WQY)


def test_without_any_usable_font_the_unembedded_cid_font_is_used_with_a_warning(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "candidates", lambda: iter([]))
    with pytest.warns(UserWarning, match="NOT embedded"):
        font = fonts.sheet_font()
    assert font == fonts.SheetFont("STSong-Light", None, False, font.note) and "LANDCOMP_FONT" in font.note
    result = compute(case_from_json((ROOT / "examples/household.json").read_text(encoding="utf-8")))
    path = tmp_path / "fallback.pdf"
    with pytest.warns(UserWarning, match="NOT embedded"):  # and again where it matters: writing the sheet
        reports.compensation_pdf(result, path)
    data = path.read_bytes()  # (pdffonts cannot list it without poppler-data's Adobe-GB1 pack: the point)
    assert data.startswith(b"%PDF") and b"/BaseFont /STSong-Light" in data
    assert b"/FontFile" not in data  # no font program inside: the viewer has to supply one


def test_the_usual_folders_include_linux_and_windows_places(monkeypatch):
    monkeypatch.setenv("WINDIR", "D:/Win")
    folders = [str(p) for p in fonts.font_dirs()]
    assert "/usr/share/fonts/truetype/wqy" in folders and str(Path("D:/Win") / "Fonts") in folders


HANAMIN = Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf")
needs_hanazono = pytest.mark.skipif(not (WQY.is_file() and HANAMIN.is_file()),
                                    reason="fonts-wqy-microhei and fonts-hanazono not installed")


@needs_hanazono
def test_an_installed_bundle_s_own_fonts_come_before_the_system_s(monkeypatch, tmp_path):
    bundled = tmp_path / "fonts"  # what packaging/landcomp.spec lays out beside the bundle's Python
    bundled.mkdir()
    (bundled / WQY.name).symlink_to(WQY)
    (bundled / HANAMIN.name).symlink_to(HANAMIN)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)  # as PyInstaller's bootloader sets it
    fonts.extension_fonts.cache_clear()
    try:
        assert fonts.sheet_font().path == str(bundled / WQY.name)
        assert [font.path for font in fonts.extension_fonts()][0] == str(bundled / HANAMIN.name)
    finally:
        fonts.extension_fonts.cache_clear()


@needs_hanazono
def test_rare_chinese_falls_back_run_by_run_and_plain_text_stays_in_the_sheet_font():
    main = fonts.sheet_font().name
    assert fonts.runs("王建国 12") == [(main, "王建国 12")]
    assert fonts.runs("刘䶮𠀀𡈽,㐀村") == [(main, "刘"), ("CJK-HanaMinA-0", "䶮𠀀𡈽"), (main, ","),
                                        ("CJK-HanaMinA-0", "㐀"), (main, "村")]
    assert fonts.uncovered("刘䶮𠀀𡈽 㐀\n\t") == []


@needs_hanazono
def test_emoji_and_control_characters_are_uncovered_even_where_hanamin_has_a_glyph():
    assert any(font.draws("😀") for font in fonts.extension_fonts())  # HanaMin A draws a smiley …
    assert fonts.uncovered("王😀建😀国\x01") == ["😀", "\x01"]  # … which is not a Chinese character


@needs_wqy
def test_without_an_extension_font_a_rare_character_is_uncovered(monkeypatch):
    monkeypatch.setattr(fonts, "extension_fonts", lambda: ())
    assert fonts.uncovered("刘䶮𠀀") == ["䶮", "𠀀"]


def test_the_unembedded_cid_font_is_assumed_to_draw_gbk_chinese_and_the_printable_bmp():
    cid = fonts.SheetFont(fonts.FALLBACK_CID, None, False)
    assert [cid.draws(ch) for ch in "补²−a"] == [True] * 4
    assert [cid.draws(ch) for ch in "𠀀😀\x01"] == [False] * 3


@needs_hanazono
def test_each_font_file_is_read_once_however_many_sheets_use_it(monkeypatch, tmp_path):
    loaded = []
    load = fonts.load_truetype

    def counted(path, *args, **kwargs):
        loaded.append(path.name)
        return load(path, *args, **kwargs)
    monkeypatch.setattr(fonts, "load_truetype", counted)
    fonts.extension_fonts.cache_clear()
    data = json.loads((ROOT / "examples/household.json").read_text(encoding="utf-8"))
    data["household"]["head"] = "刘䶮𠀀𡈽"
    result = compute(case_from_json(json.dumps(data)))
    for number in range(3):
        reports.compensation_pdf(result, tmp_path / f"{number}.pdf")
    fonts.extension_fonts.cache_clear()
    assert sorted(loaded) == ["HanaMinA.ttf", "HanaMinB.ttf", "wqy-microhei.ttc"]
