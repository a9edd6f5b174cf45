"""Every text field at its limit prints whole on the settlement and land price sheets, and one
character more is refused before anything is drawn.

Each field is filled with one character of its own repeated to the field's limit, so counting
that character on the sheet proves the text is all there however it wraps.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pdfplumber
import pytest

from calculator.formats import reports
from calculator.engine.case import case_from_dict
from calculator.engine.compensation import compute
from calculator.core.errors import InputError
from calculator.engine.landprice import parcel_from_dict, price_parcel
from calculator.core.labels import label
from calculator.core.limits import TEXT_LIMITS
from calculator.formats.reports.content import FOOTER_HEAD

# The household's fields and the character each is filled with.
HEADER_FIELDS = {("household", "head"): "甲", ("household", "address"): "乙", ("household", "id_number"): "丙",
                 ("household", "phone"): "丁", ("assessor", "name"): "戊", ("assessor", "organisation"): "己"}
LINE_FIELDS = {"note": "庚", "override_reason": "辛", "basis": "壬"}


def filled(field: str, char: str, extra: int = 0) -> str:
    return char * (TEXT_LIMITS[field] + extra)


def case_at_limits(extra: int = 0) -> dict:
    data: dict = {"household": {}, "assessor": {}, "case_id": filled("case_id", "癸", extra), "items": [
        {"item": "附属平房/砖混结构", "quantity": "10", "rate": "900",
         "override_reason": filled("override_reason", "辛", extra), "note": filled("note", "庚", extra)},
        {"item": "评估项/地下室", "amount": "42000", "basis": filled("basis", "壬", extra)}]}
    for (block, field), char in HEADER_FIELDS.items():
        data[block][field] = filled(field, char, extra)
    return data


def sheet_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages)


def test_every_case_text_at_its_limit_prints_whole(tmp_path: Path) -> None:
    result = compute(case_from_dict(case_at_limits()))
    reports.compensation_pdf(result, tmp_path / "sheet.pdf")
    text = sheet_text(tmp_path / "sheet.pdf")
    expected = {char: TEXT_LIMITS[field] for (_block, field), char in HEADER_FIELDS.items()}
    expected |= {char: TEXT_LIMITS[field] for field, char in LINE_FIELDS.items()}
    # 案件编号 is printed in the header and in every page's footer.
    with pdfplumber.open(tmp_path / "sheet.pdf") as pdf:
        page_count = len(pdf.pages)
    expected["癸"] = TEXT_LIMITS["case_id"] * (1 + page_count)
    expected["甲"] = TEXT_LIMITS["head"] + (FOOTER_HEAD - 1) * page_count   # and the 户主, cut short, in every footer
    assert {char: text.count(char) for char in expected} == expected
    reports.compensation_xlsx(result, tmp_path / "sheet.xlsx")
    cells = {cell.value for sheet in openpyxl.load_workbook(tmp_path / "sheet.xlsx") for row in sheet.iter_rows()
             for cell in row if isinstance(cell.value, str)}
    joined = "".join(cells)
    for (_block, field), char in HEADER_FIELDS.items():
        assert filled(field, char) in joined, field


def footer_overlaps(path: Path) -> list[tuple[str, str]]:
    """Pairs of neighbouring characters in a page footer that are drawn over each other."""
    overlaps = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            footer = sorted((c for c in page.chars if c["top"] > page.height - 45), key=lambda c: c["x0"])
            overlaps += [(a["text"], b["text"]) for a, b in zip(footer, footer[1:]) if b["x0"] < a["x1"] - 0.5]
    return overlaps


def test_a_case_number_at_its_limit_leaves_the_footer_readable(tmp_path: Path) -> None:
    """案件编号, 校验码 and 第 x 页 共 y 页 share the footer line; at 40 characters none is drawn over another."""
    reports.compensation_pdf(compute(case_from_dict(case_at_limits())), tmp_path / "sheet.pdf")
    assert footer_overlaps(tmp_path / "sheet.pdf") == []


def test_every_parcel_text_at_its_limit_prints_whole(tmp_path: Path) -> None:
    price = price_parcel(parcel_from_dict({"grade": 2, "reference": filled("reference", "甲"),
                                           "location": filled("location", "乙"),
                                           "parts": [{"use": "住宅用地", "area_m2": "100"}]}))
    reports.parcel_pdf(price, tmp_path / "price.pdf")
    text = sheet_text(tmp_path / "price.pdf")
    assert text.count("乙") == TEXT_LIMITS["location"]
    assert text.count("甲") >= TEXT_LIMITS["reference"]
    assert footer_overlaps(tmp_path / "price.pdf") == []


@pytest.mark.parametrize("field", sorted({f for (_b, f) in HEADER_FIELDS} | set(LINE_FIELDS) | {"case_id"}))
def test_one_character_past_the_limit_is_refused_naming_the_field(field: str) -> None:
    data = case_at_limits()
    over = case_at_limits(extra=1)
    for block in ("household", "assessor"):
        if field in data[block]:
            data[block][field] = over[block][field]
    if field == "case_id":
        data["case_id"] = over["case_id"]
    for line, long_line in zip(data["items"], over["items"]):
        if field in line:
            line[field] = long_line[field]
    most = TEXT_LIMITS[field]
    with pytest.raises(InputError) as refused:
        compute(case_from_dict(data))
    assert label(field) in refused.value.message and f"最多 {most} 个" in refused.value.message


@pytest.mark.parametrize("separator, kind", [("\u2028", "行分隔符 U+2028"), ("\u2029", "段分隔符 U+2029")])
@pytest.mark.parametrize("field", sorted({f for (_b, f) in HEADER_FIELDS} | set(LINE_FIELDS) | {"case_id"}))
def test_a_line_or_paragraph_separator_is_refused_where_it_is_typed(field: str, separator: str, kind: str) -> None:
    """U+2028 breaks a line as "\\n" does, which every text refuses: it is refused when the case is read, naming
    the field, not first by the sheet's font check after the case was saved."""
    data = case_at_limits()
    for block in ("household", "assessor"):
        if field in data[block]:
            data[block][field] = f"王{separator}五"
    if field == "case_id":
        data["case_id"] = f"BZ{separator}1"
    for line in data["items"]:
        if field in line:
            line[field] = f"见{separator}附件"
    with pytest.raises(InputError) as refused:
        compute(case_from_dict(data))
    assert label(field) in refused.value.message and kind in refused.value.message
