"""Rare characters (生僻字) print, as ink and as text; a character no font draws is refused before any file is written."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from PIL import Image

from calculator.formats import reports
from calculator.engine.case import case_from_dict
from calculator.engine.compensation import compute
from calculator.core.errors import InputError
from calculator.engine.landprice import parcel_from_dict, price_parcel

ROOT = Path(__file__).resolve().parents[1]
FONTS = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"))
pytestmark = pytest.mark.skipif(not all(f.is_file() for f in FONTS) or shutil.which("pdftoppm") is None,
                                reason="fonts-wqy-microhei, fonts-hanazono and poppler-utils are needed")
RARE = "䶮𠀀𡈽㐀"  # Extension A (U+4DAE, U+3400) and B (U+20000, U+2123D): none is in WenQuanYi
HEAD, ADDRESS, NOTE = "刘䶮𠀀𡈽", "文水县凤城镇㐀村东街17号", "原户主刘䶮𠀀𡈽自建,㐀村旧址"
DPI = 100


def case_data(head: str = HEAD, address: str = ADDRESS, note: str = NOTE) -> dict:
    data = json.loads((ROOT / "examples/household.json").read_text(encoding="utf-8"))
    data["household"].update(head=head, address=address)
    data["items"][0]["note"] = note
    return data


@pytest.fixture(scope="module")
def sheet(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rare") / "rare.pdf"
    reports.compensation_pdf(compute(case_from_dict(case_data())), path)
    return path


def rare_chars(path: Path) -> list[dict]:
    """The rare characters of page 1 as the text layer places them."""
    with pdfplumber.open(path) as pdf:
        return [char for char in pdf.pages[0].chars if char["text"] in RARE]


def test_the_text_layer_holds_every_rare_character_in_its_field(sheet):
    with pdfplumber.open(sheet) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
    assert f"户主 {HEAD}" in text and f"地址 {ADDRESS}" in text
    assert NOTE in re.sub(r"\s+", "", text)  # the 备注 cell, wrapped or not
    # 3 in 户主, 1 in 地址, 4 in 备注 (the household block and the first line are on page 1), and 户主's 3 again in
    # the footer, which names the family on every page
    assert "".join(char["text"] for char in rare_chars(sheet)) == "䶮𠀀𡈽㐀䶮𠀀𡈽㐀䶮𠀀𡈽"


def test_every_font_is_embedded_and_the_rare_characters_come_from_hanamin(sheet):
    listing = subprocess.run(["pdffonts", str(sheet)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert all(row.split()[-5] == "yes" for row in rows), listing
    assert any("HanaMin" in row for row in rows) and any("WenQuanYi" in row for row in rows)
    assert {char["fontname"].split("+")[-1] for char in rare_chars(sheet)} == {"HanaMinA"}


def test_each_rare_character_leaves_ink_where_the_text_layer_puts_it(sheet, tmp_path):
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-f", "1", "-l", "1", str(sheet), str(tmp_path / "page")],
                   check=True)
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    scale = DPI / 72

    def ink(box: tuple[float, float, float, float]) -> int:
        crop = page.crop(tuple(round(v * scale) for v in box))
        return sum(crop.histogram()[:200])  # pixels darker than light grey

    chars = rare_chars(sheet)
    assert len(chars) == 11   # the footer's 户主 too
    for char in chars:
        box = (char["x0"], char["top"], char["x1"], char["bottom"])
        assert ink(box) >= 10, f"{char['text']} (U+{ord(char['text']):04X}) at {box} printed blank"
    # The check can fail: the same box in the empty strip below the footer has no ink at all.
    x0, x1, height = chars[0]["x0"], chars[0]["x1"], chars[0]["bottom"] - chars[0]["top"]
    bottom = page.height / scale
    assert ink((x0, bottom - 20, x1, bottom - 20 + height)) == 0


def test_an_emoji_is_refused_naming_the_field_and_its_code_and_nothing_is_written(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps(case_data(head="王😀"), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run([sys.executable, "-m", "calculator", "compensation", str(case), "--pdf", str(out / "s.pdf"),
                           "--xlsx", str(out / "s.xlsx")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "户主" in done.stderr and "U+1F600" in done.stderr and done.stdout == ""
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("writer", [reports.compensation_pdf, reports.compensation_xlsx])
def test_both_writers_refuse_the_same_characters_in_every_field(writer, tmp_path):
    data = case_data(address="东街😀号", note="见附件\U0001F4CE")
    with pytest.raises(InputError) as error:
        writer(compute(case_from_dict(data)), tmp_path / "sheet")
    message = error.value.message
    assert "地址中的字符「😀」(U+1F600)" in message
    assert re.search(r"items\[0\]\(第1行\)「[^」]+」 备注中的字符「📎」\(U\+1F4CE\)", message)
    assert list(tmp_path.iterdir()) == []


def test_a_character_no_font_draws_is_named_in_the_field_it_was_typed_in_once(tmp_path):
    """超标准理由 and 依据 are printed inside the 备注: a 😀 typed in either was said of 备注, where it was not typed."""
    data = {"items": [{"item": "附属平房/砖混结构", "quantity": "10", "rate": "900", "override_reason": "带门楼😀"},
                      {"item": "评估项/地下室", "amount": "100", "basis": "报告😀"}]}
    with pytest.raises(InputError) as error:
        reports.compensation_pdf(compute(case_from_dict(data)), tmp_path / "sheet.pdf")
    assert [e.zh.split("中的字符")[0] for e in error.value.errors] == [
        "items[0](第1行)「附属平房/砖混结构」 超标准理由", "items[1](第2行)「评估项/地下室」 依据"]


def test_the_workbook_keeps_the_rare_characters_exactly(tmp_path):
    path = tmp_path / "rare.xlsx"
    reports.compensation_xlsx(compute(case_from_dict(case_data())), path)
    values = {row[0].value: row[1].value for row in openpyxl.load_workbook(path)["汇总"].iter_rows() if row[0].value}
    assert values["户主"] == HEAD and values["地址"] == ADDRESS


def test_the_price_sheet_prints_a_rare_location_and_refuses_an_emoji_reference(tmp_path):
    data = {"reference": "WT-𠀀-01", "location": "五台县㐀村", "grade": 2, "parts": [{"use": "商服用地", "area_m2": "300"}]}
    reports.parcel_pdf(price_parcel(parcel_from_dict(data)), tmp_path / "price.pdf")
    with pdfplumber.open(tmp_path / "price.pdf") as pdf:
        text = pdf.pages[0].extract_text()
    assert "宗地编号 WT-𠀀-01" in text and "坐落 五台县㐀村" in text
    with pytest.raises(InputError, match=r"宗地编号中的字符「😀」\(U\+1F600\)"):
        reports.parcel_xlsx(price_parcel(parcel_from_dict({**data, "reference": "WT-😀"})), tmp_path / "p.xlsx")
    assert [p.name for p in tmp_path.iterdir()] == ["price.pdf"]
