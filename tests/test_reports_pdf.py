"""The printed sheets: read back with pdfplumber, fonts checked with pdffonts, writes atomic."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from calculator.formats import reports
from calculator.core.amount_words import amount_in_words
from calculator.engine.case import case_from_dict, case_from_json, fingerprint
from calculator.engine.compensation import compute, evaluate
from calculator.core.errors import InputError
from calculator.engine.landprice import parcel_from_dict, price_parcel
from calculator.core.money import fmt_grouped
from calculator.engine.remarks import line_remarks
from calculator.formats.reports import pdf_layout
from calculator.formats.reports.fonts import sheet_font
from calculator.formats.reports.pdf_layout import Text
from calculator.formats.reports.content import settlement_sheet
from calculator.formats.reports.pdf_settlement import COLUMN_MM
from calculator.engine.schedules import load_schedule

ROOT = Path(__file__).resolve().parents[1]
HEADER = "序号 种类/规格 数量 单位 单价 金额 备注"


def household():
    return compute(case_from_json((ROOT / "examples/household.json").read_text(encoding="utf-8")))


def parcel(**changes):
    data = {"reference": "WT-2023-G07", "location": "五台县台城镇新建路东侧", "grade": 2,
            "parts": [{"use": "商服用地", "area_m2": "300"}, {"use": "住宅用地", "area_mu": "1.05"}],
            "corrections": {"term_years": 40, "reduction_rate": "0.06", "date_factor": "1.00", "factor_pct": "3",
                            "basis": {"date_factor": "估价期日与基准日相近,不作修正", "factor_pct": "区域及个别因素修正表合计 +3%"}}}
    data.update(changes)
    return price_parcel(parcel_from_dict(data))


def pages(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def column_text(path: Path, left: float, right: float) -> str:
    """The text between two x positions on every page, wrapped lines joined (whitespace dropped)."""
    with pdfplumber.open(path) as pdf:
        text = "".join(page.within_bbox((left, 0, right, page.height)).extract_text() or "" for page in pdf.pages)
    return re.sub(r"\s+", "", text)


def remarks_column(path: Path) -> str:
    """The 备注 column of the settlement sheet."""
    left = pdf_layout.MARGIN + sum(COLUMN_MM[:-1]) * mm
    return column_text(path, left, left + COLUMN_MM[-1] * mm)


def tokens(text: str) -> set[str]:
    return set(text.split())


@pytest.fixture(scope="module")
def settlement(tmp_path_factory):
    result = household()
    path = tmp_path_factory.mktemp("pdf") / "settlement.pdf"
    reports.compensation_pdf(result, path)
    return result, path, pages(path)


def test_settlement_sheet_states_the_household_every_amount_and_the_total(settlement):
    result, _, texts = settlement
    text = "\n".join(texts)
    words = tokens(text)
    assert "堡子片区开发建设征地拆迁补偿结算单" in texts[0]
    assert "文水县人民政府 文政发〔2023〕6号" in texts[0]
    for label, value in [("户主", "王建国"), ("身份证号", "142329196805120317"), ("地址", "文水县凤城镇堡子村东街17号"),
                         ("联系电话", "13835812345"), ("评估机构", "山西华信房地产评估有限公司"), ("评估人员", "李明"),
                         ("测算日期", "2023-06-12")]:
        assert f"{label} {value}" in texts[0]
    for line in result.lines:
        assert fmt_grouped(line.amount) in words, line.item.key
    for section, subtotal in result.subtotals.items():
        assert fmt_grouped(subtotal) in words, section
    assert f"¥{fmt_grouped(result.total)}" in words
    assert "546,616.30" in text and amount_in_words(result.total) == "人民币伍拾肆万陆仟陆佰壹拾陆元叁角"
    assert f"补偿合计(大写) {amount_in_words(result.total)}" in text
    assert re.search(r"有争议\(不计入合计\) .* 525\.00", text)


def test_a_subtotal_says_the_disputed_amount_printed_above_it_and_not_in_it(settlement):
    """一(二)'s printed lines 护坡 2,090.00 + 排水渠 2,800.00 + 涵洞 4,000.00 + 杂棚 525.00 (disputed) + 枯井 0.00 make
    9,415.00; its 小计 8,890.00 said nothing of the 525.00 a reader finds missing. A section without one says nothing."""
    _, _, texts = settlement
    lines = "\n".join(texts).splitlines()
    assert "一(二) 院外建筑 小计(不含有争议 525.00) 8,890.00" in lines
    assert "一(一) 房屋、附属设施 小计 413,909.30" in lines


def test_section_three_shows_the_three_relocation_allowances_and_the_replacement_block(settlement):
    result, path, texts = settlement
    text = "\n".join(texts)
    r = result.relocation
    assert re.search(rf"搬迁补助 1\.00 户 {fmt_grouped(r.moving)} {fmt_grouped(r.moving)}", text)
    assert re.search(rf"临时安置补助 30\.00 月 918\.00 {fmt_grouped(r.temporary)}", text)
    assert re.search(rf"搬迁奖励 1\.00 户 30,000\.00 {fmt_grouped(r.incentive)}", text)
    remarks = remarks_column(path)
    assert "30个月×918.00元/月" in remarks and "支付后第38天搬迁" in remarks
    assert "房屋面积置换" in text and "正房实测面积 110.40 m² 1:1 110.40" in text
    assert "(宅基地证面积 280.00 m² − 正房占地面积 96.00 m²) = 184.00 m² 1:0.4" in text
    assert "合计置换面积 184.00" in text


def test_a_homestead_part_below_nought_is_said_so_never_printed_as_a_subtraction_giving_nought():
    """宅基地证面积 280 under 正房占地面积 300: the sheet printed "(280.00 m² − 300.00 m²) = 0.00 m²", a sum the
    household signs that is false; R7 counts max(0, …)."""
    from calculator.formats.reports.content import settlement_sheet
    data = json.loads((ROOT / "examples/household.json").read_text(encoding="utf-8"))
    data["replacement"]["main_house_footprint_m2"] = "300"
    sheet = settlement_sheet(compute(case_from_dict(data)))
    assert [row.working for row in sheet.replacement] == [
        "正房实测面积 110.40 m²", "(宅基地证面积 280.00 m² − 正房占地面积 300.00 m²) 为负,按 0.00 m² 计"]
    assert sheet.replacement_total == Decimal("110.40")


# A value for each parameter a line of any item may need (a 机井 is 120 m deep).
PARAM_VALUES = {"height_m": "0.6", "depth_m": "1.6", "decoration_pct": "30", "heated_area_m2": "100",
                "attached_to": "附属平房/砖混结构", "width_m": "0.6", "span_cm": "50", "diameter_cm": "12",
                "diameter_m": "0.04", "column_height_m": "2.5", "area_m2": "30", "stage": "盛果期"}


def every_item_disputed(lines: int) -> dict:
    """The example household with `lines` lines cycling through every item of the schedule, each held out as disputed."""
    from calculator.engine.schedules import load_schedule
    items = [item for item in load_schedule().items.values() if item.kind != "area_replacement"]
    data = json.loads((ROOT / "examples/household.json").read_text(encoding="utf-8"))
    data["items"] = []
    for index in range(lines):
        item = items[index % len(items)]
        line = {"item": item.key, "disputed": True}
        for name in (param.name for param in item.rule.params(item.spec)):
            line[name] = {"amount": str(1000 + index), "basis": f"评估报告 WS-2023-{index:03d}"}.get(
                name, "120" if name == "depth_m" and item.key.startswith("机井") else PARAM_VALUES.get(name))
        if "amount" not in line:
            line["quantity"] = "1" if item.unit == "户" else str(2 + index % 7)
        data["items"].append(line)
    return data


@pytest.mark.parametrize("lines", [31, 300])
def test_a_subtotal_stays_with_its_last_line_and_the_signed_page_shows_the_area_owed(tmp_path, lines):
    """31 lines, every one disputed: page 2 began with 一(一) 小计 0.00 alone, its lines on page 1; and with 300 the area
    owed (房屋面积置换) was on a page before the one the household signs."""
    path = tmp_path / "held.pdf"
    reports.compensation_pdf(compute(case_from_dict(every_item_disputed(lines))), path)
    texts = pages(path)
    for number, text in enumerate(texts[1:], 2):   # each page's first row under the repeated column head
        lines = text.splitlines()
        head = next((at for at, line in enumerate(lines) if line.startswith("序号")), None)
        assert head is None or "小计" not in lines[head + 1], (number, lines[head + 1])
    [signed] = [text for text in texts if "签字确认" in text]
    assert "合计置换面积 184.00" in signed


def test_every_flag_and_remark_is_printed_in_the_remarks_column(settlement):
    result, path, _ = settlement
    remarks = remarks_column(path)
    for line in result.lines:
        for remark in line_remarks(line):
            assert re.sub(r"\s+", "", remark) in remarks, line.item.key
    for flag in ("按区间中值", "超标准(理由:带门楼,评估报告第4页)", "有争议(不计入合计)",
                 "评估项(依据:评估报告WS-2023-017附表3)", "注:废弃枯井"):
        assert flag in remarks


def test_every_page_is_numbered_and_carries_the_case_reference_and_fingerprint(settlement):
    result, _, texts = settlement
    mark = fingerprint(result.case, result.schedule.version)
    assert re.fullmatch(r"[0-9a-f]{12}", mark)
    for number, text in enumerate(texts, 1):
        assert f"第 {number} 页 共 {len(texts)} 页" in text
        assert f"户主 王建国 案件编号 BZ-2023-0317 校验码 {mark}" in text   # whose sheet, on the signing page too
        assert "堡子片区开发建设征地拆迁补偿结算单" in text


def test_an_altered_case_prints_a_different_fingerprint(tmp_path):
    data = __import__("json").loads((ROOT / "examples/household.json").read_text(encoding="utf-8"))
    data["items"][0]["quantity"] = "86.41"
    result = compute(case_from_dict(data))
    reports.compensation_pdf(result, tmp_path / "altered.pdf")
    original = fingerprint(household().case, "baozi-2023.1")
    text = pages(tmp_path / "altered.pdf")[0]
    assert fingerprint(result.case, result.schedule.version) in text and original not in text


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("sheet", ["settlement", "price"])
def test_every_font_is_embedded(sheet, settlement, tmp_path):
    path = settlement[1] if sheet == "settlement" else tmp_path / "price.pdf"
    if sheet == "price":
        reports.parcel_pdf(parcel(), path)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = listing.splitlines()[2:]
    # WenQuanYi Micro Hei alone, in subsets of 256 glyphs (AAAAAA+, AAAAAB+ … as many as the sheet needs)
    assert {row.split()[0].split("+")[-1] for row in fonts} == {"WenQuanYiMicroHei-0"}
    for row in fonts:
        # name, type (may hold a space), encoding, emb, sub, uni, object id, generation
        assert row.split()[-5] == "yes", row


def test_two_hundred_lines_paginate_with_the_header_on_every_page_and_the_total_beside_the_signatures(tmp_path):
    kinds = [{"item": "附属平房/砖混结构", "quantity": "12.30", "rate": "760",
              "note": "东西厢房,墙体开裂,评估人员现场核实后按原结构计价,另附照片三张(编号 P-01 至 P-03)"},
             {"item": "围墙/砖围墙", "quantity": "8.00", "rate": "65"},
             {"item": "用材树/杨树", "quantity": 2, "diameter_cm": "12.6"},
             {"item": "杂棚", "quantity": "5.00", "disputed": True, "note": "权属有争议"},
             {"item": "菜窖/砖石", "quantity": "8.00", "depth_m": "1.60"}]
    data = {"case_id": "BZ-LONG", "household": {"head": "赵长卷"}, "assessed_on": "2023-07-01",
            "items": [dict(kinds[i % len(kinds)]) for i in range(200)],
            "relocation": {"building_area_m2": "153.00"}}
    result = compute(case_from_dict(data))
    path = tmp_path / "long.pdf"
    reports.compensation_pdf(result, path)
    texts = pages(path)
    numbers = [re.findall(r"^(\d+) (?:附属平房|围墙|用材树|杂棚|菜窖|搬迁|临时安置)", text, re.M) for text in texts]
    # every 序号 printed once and in order across the page breaks: the 200 lines, then 三's allowances 201–203
    assert [int(n) for page in numbers for n in page] == list(range(1, 204))
    with_rows = [i for i, page in enumerate(numbers) if page]
    assert with_rows == list(range(len(with_rows))) and len(with_rows) < len(texts)  # then the totals page
    for index in with_rows:
        assert HEADER in texts[index], f"page {index + 1} has rows but no column header"
    for number, text in enumerate(texts, 1):
        assert f"第 {number} 页 共 {len(texts)} 页" in text
    total_page = [i for i, text in enumerate(texts) if "补偿合计(大写)" in text]
    assert len(total_page) == 1
    last = texts[total_page[0]]
    assert fmt_grouped(result.total) in last and amount_in_words(result.total) in last
    for role in ("被征收人(签字/按手印)", "评估人员", "经办人", "审核人", "凤城镇人民政府(盖章)"):
        assert role in last
    assert re.search(r"^200 \S", "\n".join(texts), re.M) and "203 搬迁奖励" in "\n".join(texts)


def test_price_sheet_shows_parts_range_floor_and_the_correction_chain(tmp_path):
    path = tmp_path / "price.pdf"
    price = parcel()
    reports.parcel_pdf(price, path)
    text = "\n".join(pages(path))
    assert "宗地地价测算表" in text and "五政发〔2023〕15号" in text and "估价基准日 2022-06-01" in text
    assert "宗地编号 WT-2023-G07" in text and "五台县台城镇新建路东侧" in text and "土地级别 2级" in text
    assert "商服用地" in text and "表2 五台县商服用地基准地价区间表" in text
    assert "300.00 0.4500 550.00 36.6667 165,000.00 16.5000" in text   # each part's total in 元 and 万元 (the spec)
    assert "700.00 1.0500 492.00 32.8000 344,400.00 34.4400" in text
    assert "1,000.00 1.5000 509.40 33.9600 509,400.00 50.9400" in text
    assert "488.00 692.00 146,400.00 – 207,600.00 385.00 115,500.00" in text
    assert "440,400.00 – 625,500.00" in text and "356,580.00" in text
    assert "协议出让最低价: 356,580.00 元(按基准地价的70%)" in text
    assert "宗地单价 = 基准地价 × K期日 × K年期 × (1 + 因素修正%) × K其他 + 开发程度修正" in text
    assert "K年期 = [1 − 1/(1+r)^m] / [1 − 1/(1+r)^n]" in text
    for value in ("K期日(期日修正系数) 1.00", "使用年期 m(年) 见下表", "土地还原率 r 0.06", "因素修正 Σ(%) 3",
                  "K其他(其他修正系数) 1", "开发程度修正(元/m²) 0.00"):
        assert value in text
    left, half = pdf_layout.MARGIN, pdf_layout.WIDTH / 2  # coefficients two to a row: 31 + 17 mm, then the basis
    bases = column_text(path, left + 48 * mm, left + half) + column_text(path, left + half + 48 * mm, left + 2 * half)
    assert "估价期日与基准日相近,不作修正" in bases and "区域及个别因素修正表合计+3%" in bases
    assert "0.918323 465.37 325,759.00" in text and "1.000000 566.50 169,950.00" in text
    assert "495,709.00" in text
    # each total the sheet concludes with in 大写 as well, as a price is written on an official sheet
    assert "基准地价总价 509,400.00 元(50.9400 万元) 大写 人民币伍拾万玖仟肆佰元整" in text
    assert "大写 人民币肆拾玖万伍仟柒佰零玖元整" in text
    assert "测算人" in text and "审核人" in text and "测算单位(盖章)" in text and "日期:" in text
    assert "第 1 页 共 1 页" in text


def test_price_sheet_prints_each_coefficient_as_the_price_used_it(tmp_path):
    """因素修正 typed 1E+1 was printed "1E+1"; a 开发程度修正 of 0.004 was printed 0.00 while 1,000 m² were priced
    with it: 492 × 1.000005 + 0.004 = 492.006 → 492.01, where the sheet's 492 × 1.000005 + 0.00 gives 492.00."""
    path = tmp_path / "exact.pdf"
    reports.parcel_pdf(parcel(parts=[{"use": "住宅用地", "area_m2": "1000"}],
                              corrections={"date_factor": "1.000005", "factor_pct": "1E+1",
                                           "development_adjustment": "0.004"}), path)
    text = "\n".join(pages(path))
    for value in ("K期日(期日修正系数) 1.000005", "因素修正 Σ(%) 10", "开发程度修正(元/m²) 0.004"):
        assert value in text
    assert "541.21" in text   # 492 × 1.000005 × 1.10 + 0.004 = 541.2067…


def test_price_sheet_prints_each_parts_own_term_and_coefficient(tmp_path):
    # 商服 30 of 40 years: K = 0.914832, 550 × K × 1.03 = 518.25 × 300 = 155,475.00;
    # 住宅 50 of 70 years: K = 0.961996, 492 × K × 1.03 = 487.50 × 700 = 341,250.00 (test_engine_land)
    path = tmp_path / "terms.pdf"
    reports.parcel_pdf(parcel(parts=[{"use": "商服用地", "area_m2": "300", "term_years": "30"},
                                     {"use": "住宅用地", "area_mu": "1.05", "term_years": "50"}],
                              corrections={"reduction_rate": "0.06", "factor_pct": "3"}), path)
    text = "\n".join(pages(path))
    assert "使用年期 m 法定最高年期 n K年期" in text
    assert "商服用地 30年" in text and "0.914832 518.25 155,475.00" in text
    assert "住宅用地 50年" in text and "0.961996 487.50 341,250.00" in text
    assert "496,725.00" in text


def test_price_sheet_says_k_is_shown_rounded_and_used_unrounded(tmp_path):
    # 商服 1级 833 元/m², 30 of 40 years at r 0.06: K = 0.91483196…, shown 0.914832; 833 × 0.914832 = 762.055056
    # rounds to 762.06 by hand, while the price (unrounded K, as the held-out parcels) is 762.05: the sheet says why
    path = tmp_path / "k.pdf"
    reports.parcel_pdf(parcel(grade=1, parts=[{"use": "商服用地", "area_m2": "100", "term_years": "30"}],
                              corrections={"reduction_rate": "0.06"}), path)
    text = "\n".join(pages(path))
    assert "0.914832 762.05 76,205.00" in text
    assert "K年期显示 6 位小数,计算用其未舍入值" in text
    assert "第 1 页 共 1 页" in text


@pytest.mark.parametrize("factor_pct, unit, corrected, below", [("-35", "357.50", "107,250.00", True),
                                                                 ("-30", "385.00", "115,500.00", False)])
def test_price_sheet_says_a_corrected_total_below_the_floor(tmp_path, factor_pct, unit, corrected, below):
    # 商服 2级 300 m² at −35%: 550 × 0.65 = 357.50 × 300 = 107,250.00, below the floor 115,500.00; at −30% at it
    path = tmp_path / "below.pdf"
    reports.parcel_pdf(parcel(parts=[{"use": "商服用地", "area_m2": "300"}], corrections={"factor_pct": factor_pct}),
                       path)
    text = "\n".join(pages(path))
    assert f"{corrected} 元(平均" in text   # the note wraps in its cell, beside 修正后宗地总价
    assert f"{unit} {corrected} 低于区间下限" in text   # under 488, 2级's lower limit
    assert ("元/m²),低于协议出" in text and "协议出让价不得低于最低价" in text) is below


def test_price_sheet_says_an_area_in_mu_is_priced_unrounded(tmp_path):
    # 2.5 亩 = 1,666.666… m², shown 1,666.67: 1,666.67 × 833 = 1,388,336.11, the total 833 × 5000/3 = 1,388,333.33
    path = tmp_path / "mu.pdf"
    reports.parcel_pdf(parcel(grade=1, parts=[{"use": "商服用地", "area_mu": "2.5"}], corrections=None), path)
    text = "\n".join(pages(path))
    assert "1,666.67 2.5000 833.00" in text and "1,388,333.33" in text
    assert "注: 表中面积显示两位小数,各总价按未舍入的面积计算(以亩填写的按 1 亩 = 2000/3 m² 折算)" in text.replace("\n", "")
    reports.parcel_pdf(parcel(), path)   # 1.05 亩 = 700.00 m² exactly: nothing to say
    assert "表中面积显示两位小数" not in "\n".join(pages(path))


def test_price_sheet_names_the_cost_sum_when_it_governs_and_prints_the_table_note(tmp_path):
    path = tmp_path / "industrial.pdf"
    price = parcel(grade=4, parts=[{"use": "工业用地", "area_m2": "5000"}], corrections=None,
                   cost_floor_total="700000")
    reports.parcel_pdf(price, path)
    text = "\n".join(pages(path))
    assert "按成本之和" in text and "由成本之和决定" in text
    assert f"基准地价的70%: {fmt_grouped(price.benchmark_floor_total)} 元" in text
    assert "成本之和: 700,000.00 元" in text
    assert "公布幅度与价格不符" in text and "189/164 − 1 = 15.24%" in text
    assert "K年期" not in text  # no corrections, no formula


def test_a_table_note_is_printed_once_for_parts_of_one_use(tmp_path):
    """Two (or 100) parts of 工业用地 4级 printed the table's note once per part: 25 identical notes, a page and a half,
    on the sheet, in the workbook's 汇总 and in the text report."""
    from calculator.formats.text_report import parcel_text
    price = parcel(grade=4, parts=[{"use": "工业用地", "area_m2": "500"}] * 3, corrections=None)
    reports.parcel_pdf(price, tmp_path / "three.pdf")
    reports.parcel_xlsx(price, tmp_path / "three.xlsx")
    summary = openpyxl.load_workbook(tmp_path / "three.xlsx")["汇总"]
    assert "\n".join(pages(tmp_path / "three.pdf")).count("189/164 − 1 = 15.24%") == 1
    note = f"工业用地4级 公布幅度与价格不符: {price.parts[0].row.discrepancy}"
    assert [row[1].value for row in summary.iter_rows() if row[0].value == "表注"] == [note]
    assert parcel_text(price).count("公布幅度与价格不符") == 1


def test_a_failed_write_leaves_neither_the_file_nor_a_temporary(tmp_path, monkeypatch):
    class Exploding(pdf_layout.BaseDocTemplate):
        def build(self, *args, **kwargs):
            Path(self.filename).write_bytes(b"%PDF-1.4 half a page")
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(pdf_layout, "BaseDocTemplate", Exploding)
    with pytest.raises(RuntimeError, match="disk on fire"):
        reports.compensation_pdf(household(), tmp_path / "sheet.pdf")
    with pytest.raises(RuntimeError, match="disk on fire"):
        reports.parcel_pdf(parcel(), tmp_path / "price.pdf")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_rewrite_keeps_the_previous_sheet(tmp_path, monkeypatch):
    path = tmp_path / "sheet.pdf"
    reports.compensation_pdf(household(), path)
    before = path.read_bytes()
    monkeypatch.setattr("calculator.formats.reports.pdf_settlement.item_table",
                        lambda *a: (_ for _ in ()).throw(RuntimeError("layout failed")))
    with pytest.raises(RuntimeError):
        reports.compensation_pdf(household(), path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["sheet.pdf"]


def test_a_result_with_problems_is_not_printed(tmp_path):
    data = {"household": {"head": "王建国"}, "items": [{"item": "附属平房/砖混结构", "quantity": "-1"}]}
    result = evaluate(case_from_dict(data))
    assert [(p.where.split(" ")[0], p.zh) for p in result.problems] == [("items[0](第1行)「附属平房/砖混结构」", "数量应为正数,不是 -1")]
    with pytest.raises(InputError, match="不能出具结算单"):
        reports.compensation_pdf(result, tmp_path / "sheet.pdf")
    assert list(tmp_path.iterdir()) == []


def test_text_from_the_data_is_escaped_not_read_as_markup(tmp_path):
    data = {"household": {"head": "<b>王 & 李</b>"}, "items": [
        {"item": "养殖搬迁补助", "quantity": 1, "area_m2": "45.00", "note": "a < b & c > d"}]}
    path = tmp_path / "escaped.pdf"
    reports.compensation_pdf(compute(case_from_dict(data)), path)
    text = "\n".join(pages(path))
    assert "<b>王 & 李</b>" in text and "档位>30" in remarks_column(path) and "a<b&c>d" in remarks_column(path)


def test_money_in_the_sheet_content_stays_decimal():
    from calculator.formats.reports.content import price_sheet, settlement_sheet
    sheet = settlement_sheet(household())
    values = [sheet.total, sheet.disputed_total, sheet.replacement_total]
    values += [v for s in sheet.sections for r in s.rows for v in (r.quantity, r.rate, r.amount)]
    price = price_sheet(parcel())
    values += [price.total, price.area_mu, price.total_wan, price.corrected_total]
    values += [v for p in price.parts for v in (p.area_m2, p.area_mu, p.wan_per_mu, p.term_coefficient)]
    assert all(isinstance(v, Decimal) for v in values)


def test_sheets_are_importable_without_loading_reportlab_or_openpyxl():
    code = "import sys, calculator.formats.reports; print(sorted(m for m in ('reportlab', 'openpyxl') if m in sys.modules))"
    out = subprocess.run([__import__("sys").executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout
    assert out.strip() == "[]"


def test_a_short_line_is_drawn_as_a_plain_cell_and_what_would_overflow_wraps():
    """grid(): a Text that fits its column (or the columns it spans) in the sheet font is a plain string in
    the Text's style; one too wide, holding a line break, or a character only the fallback font draws, wraps,
    as does one with two spaces together, which a plain string would show and a paragraph (a long remark) not."""
    styles = pdf_layout.sheet_styles(sheet_font().name)
    cell, number = styles.cell, styles.number
    table = pdf_layout.grid(
        [[Text("附属平房/砖混结构", cell), Text("12,345.00", number), Text("东  西", cell)],
         [Text("附属平房/砖混结构" * 4, cell), Text("第一行\n第二行", cell), Text("㐀", cell)],
         [Text("附属平房/砖混结构" * 3, cell), "", ""]],
        [30 * mm, 40 * mm, 30 * mm], styles, header_rows=0, commands=[("SPAN", (0, -1), (-1, -1))])
    values = table._cellvalues
    assert (values[0][0], values[0][1]) == ("附属平房/砖混结构", "12,345.00")
    assert all(isinstance(values[1][c], Paragraph) for c in range(3)) and isinstance(values[0][2], Paragraph)
    assert values[2][0] == "附属平房/砖混结构" * 3  # too wide for 30 mm, but it spans all three columns
    style = {(c, r): (table._cellStyles[r][c].alignment, table._cellStyles[r][c].fontsize)
             for r, c in ((0, 0), (0, 1), (2, 0))}
    assert style == {(0, 0): ("LEFT", cell.fontSize), (1, 0): ("RIGHT", number.fontSize), (0, 2): ("LEFT", cell.fontSize)}


def test_price_sheet_names_each_use_once_in_the_parcel_fields_and_prints_every_part(tmp_path):
    """A use repeated in every part's name filled the 用途 cell past the page at about 300 parts (an internal error);
    the cell names each use once, and the parts table still has every part."""
    path = tmp_path / "many.pdf"
    parts = [{"use": "住宅用地", "area_m2": "1.5"}, {"use": "商服用地", "area_m2": "2"}] * 50
    reports.parcel_pdf(parcel(parts=parts, corrections=None), path)
    text = "\n".join(pages(path))
    assert "用途 住宅用地、商服用地" in text and "住宅用地、商服用地、住宅用地" not in text
    assert text.count("1.50 0.0023 492.00 32.8000 738.00") == 50 and text.count("2.00 0.0030 550.00 36.6667 1,100.00") == 50


def test_a_figure_too_wide_for_its_cell_is_printed_smaller_on_one_line_never_broken(tmp_path):
    """123,456,789.01 printed as 123,456,789.0 over 1: the first line read as a whole amount a tenth of it."""
    case = case_from_dict({"household": {"head": "王建国"}, "items": [
        {"item": "附属平房/砖混结构", "quantity": "100000.00"},                     # 100000 × 750 = 75,000,000.00
        {"item": "评估项/其他", "amount": "123456789.01", "basis": "评估报告"},
        {"item": "评估项/其他", "amount": "99999999999.99", "basis": "评估报告"}]})
    path = tmp_path / "wide.pdf"
    reports.compensation_pdf(compute(case), path)
    lines = "\n".join(pages(path)).splitlines()
    assert any(line.startswith("1 附属平房/砖混结构 100000.00 m² 750.00 75,000,000.00") for line in lines)
    assert any(line.startswith("2 评估项/其他 1.00 项 123,456,789.01 123,456,789.01") for line in lines)
    assert any(line.startswith("3 评估项/其他 1.00 项 99,999,999,999.99 99,999,999,999.99") for line in lines)
    assert any(line.endswith("评估项 小计 100,123,456,789.00") for line in lines)   # 123,456,789.01 + 99,999,999,999.99


def test_a_quantity_of_many_decimals_is_printed_whole_on_one_line(tmp_path):
    """9.899999999999999 (3.3 × 3 from a script, written as a JSON number) was printed 9.899999999999 over 999 at 5
    points: its first line read as the quantity. It is printed smaller still, whole: 9.899999999999999 × 750 =
    7,424.999999999999… = 7,425.00."""
    case = case_from_json('{"items": [{"item": "附属平房/砖混结构", "quantity": 9.899999999999999},'
                          ' {"item": "附属平房/砖混结构", "quantity": 999999.123456789, "rate": "700"}]}')
    path = tmp_path / "decimals.pdf"
    reports.compensation_pdf(compute(case), path)
    lines = "\n".join(pages(path)).splitlines()
    assert any(line.startswith("1 附属平房/砖混结构 9.899999999999999 m² 750.00 7,425.00") for line in lines)
    assert any(line.startswith("2 附属平房/砖混结构 999999.123456789 m² 700.00 699,999,386.42") for line in lines)


def test_no_heading_is_left_alone_at_the_foot_of_a_page(tmp_path):
    """A section's name (一(三) 禽类房舍) or a heading (房屋面积置换) was the last line of a page, what it heads on the
    next: the example household with 0 … 29 more lines (every other one with a note) puts one near each page foot."""
    schedule = load_schedule()
    plain = [key for key, item in schedule.items.items()
             if item.rule.KIND == "unit_rate" and item.unit != "户" and key != "附属平房/砖混结构"]
    example = json.loads((ROOT / "examples/household.json").read_text(encoding="utf-8"))
    headings = {section.heading for section in settlement_sheet(household()).sections} | {
        "房屋面积置换", "汇总", "签字确认", "补偿明细", "被征收户基本情况"}
    orphans = []
    for extra in range(30):
        data = json.loads(json.dumps(example))
        data["items"] += [{"item": plain[k % len(plain)], "quantity": "12.34", "rate": str(standard.low),
                           **({"note": "备注" * (10 + k % 40)} if k % 5 == 0 else {})}
                          for k in range(extra) for standard in [schedule.items[plain[k % len(plain)]].spec]]
        if extra % 2:
            del data["replacement"]
        path = tmp_path / f"n{extra}.pdf"
        reports.compensation_pdf(compute(case_from_dict(data)), path)
        for number, text in enumerate(pages(path)[:-1], 1):
            body = [line for line in text.splitlines() if line.strip() and not line.startswith("户主 ")]
            if body[-1].strip() in headings:
                orphans.append((extra, number, body[-1]))
    assert orphans == []


def test_a_household_without_lines_says_so_above_its_nought(tmp_path):
    """A case with no lines printed a bare table header above 补偿合计 ¥0.00 for the household to sign."""
    result = compute(case_from_dict({"household": {"head": "张三"}, "items": []}))
    reports.compensation_pdf(result, tmp_path / "s.pdf")
    text = "".join(pages(tmp_path / "s.pdf"))
    assert "(本户无补偿项目)" in text and "¥0.00" in text and amount_in_words(Decimal("0")) in text
    reports.compensation_pdf(household(), tmp_path / "full.pdf")
    assert "无补偿项目" not in "".join(pages(tmp_path / "full.pdf"))
