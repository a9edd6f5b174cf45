"""`landcomp ledger summary` through the real command on both backends, and its PDF (fonts embedded, the charts
drawn to the figures) and workbook (read back with the same numbers, text kept as text)."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from calculator.app import summary as summaries
from calculator.app.summary import charts, project_summary, summary_json
from calculator.app.summary.model import outlier_table
from calculator.engine.case import case_from_dict
from calculator.formats.reports import xlsx
from test_ledger_cli import ledger
from test_summary import near_identical, opened, save, small_case

pytestmark = pytest.mark.backends("sqlite", "postgres")
AS_OF = "2023-07-10"
RARE = "刘䶮"  # an assessor whose name needs the extension font


@pytest.fixture
def project(store):
    """Nine near-identical households (one with a large 评估项), two assessors (one a rare name), a 户主 that
    looks like a formula, two villages, and a small rate-priced case; returns the open project."""
    project = opened(store)
    for index in range(9):
        case = near_identical(index, basement="160000" if index == 8 else "42000")
        case.assessor["name"] = RARE if index % 2 else "李明"
        case.household["address"] = f"文水县凤城镇{'堡子村' if index < 5 else '南安村'}{index}号"
        if index == 3:
            case.household["head"] = "=1+2"
        save(store, project, f"{index + 1:04d}", case)
    save(store, project, "0010", small_case("李明", {"item": "附属平房/砖混结构", "rate": "800"}))
    store.sign(store.find_household(project.project.id, "0001").id)
    return project


def colour_rects(path: Path, colour) -> list[dict]:
    """Filled rectangles of one colour on every page, in drawing order, but for the 8-point legend squares."""
    wanted = tuple(round(channel, 4) for channel in colour.rgb())
    with pdfplumber.open(path) as pdf:
        return [rect for page in pdf.pages for rect in page.rects
                if tuple(round(c, 4) for c in (rect.get("non_stroking_color") or ())) == wanted
                and (round(rect["width"], 2), round(rect["height"], 2)) != (8, 8)]


def text_of(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages)


# -- the command -----------------------------------------------------------------------------------------

def test_the_command_prints_the_summarys_json_and_writes_both_files(tmp_path, project):
    run = ledger(tmp_path, "summary", project.location, "--json", "--as-of", AS_OF, "--pdf", tmp_path / "s.pdf",
                 "--xlsx", tmp_path / "s.xlsx")
    assert run.returncode == 0, run.stderr
    printed = json.loads(run.stdout)
    assert printed == summary_json(project_summary(project, dt.date(2023, 7, 10)))
    assert printed["households"] == 10 and printed["as_of"] == AS_OF
    assert {o["household"] for o in printed["outliers"]} == {"0009"}
    assert (tmp_path / "s.pdf").read_bytes()[:5] == b"%PDF-" and (tmp_path / "s.xlsx").read_bytes()[:2] == b"PK"
    text = ledger(tmp_path, "summary", project.location, "--as-of", AS_OF)
    # the day the ledger was read, and apart from it the forecast's day: --as-of moves only the forecast
    read = f"汇总与审计(台账读取于 {dt.date.today()} "
    assert text.returncode == 0 and read in text.stdout and ";资金预测截至 2023-07-10)" in text.stdout
    assert "户号 0009" in text.stdout
    # again onto its own workbook (a scheduled summary): it was refused as "a filled-in survey" (its 超标准单价 sheet
    # has 户号, 项目 and 数量 headings)
    again = ledger(tmp_path, "summary", project.location, "--as-of", AS_OF, "--pdf", tmp_path / "s.pdf",
                   "--xlsx", tmp_path / "s.xlsx")
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("args, says", [
    (["--as-of", "2023-02-30"], "截至日期不是有效日期"),
    (["--as-of", "明天"], "as_of is not a valid date"),
    (["--as-of", ""], "--as-of 不能为空"),                       # was taken as today
    (["--xlsx", "missing/s.xlsx"], "目录不存在"),                 # beside a --pdf that could be written
    (["--xlsx", "s.pdf"], "同一个文件"),
    (["--xlsx", "other.pdf"], "--xlsx 写的是 XLSX 文件,文件名却以 .pdf 结尾"),   # was written, a workbook called .pdf
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, project, args, says):
    run = ledger(tmp_path, "summary", project.location, "--pdf", tmp_path / "s.pdf", *args)
    assert run.returncode == 2 and run.stdout == "" and says in run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".pdf", ".xlsx")) == []


def test_a_project_that_is_not_there_exits_2(tmp_path):
    run = ledger(tmp_path, "summary", tmp_path / "无此项目.landcomp", "--xlsx", tmp_path / "s.xlsx")
    assert run.returncode == 2 and "不存在" in run.stderr and not (tmp_path / "s.xlsx").exists()


def test_a_character_no_font_draws_is_marked_in_the_pdf_never_blocking_the_summary(tmp_path, store):
    """One household's 评估人 李明😀 refused the project's summary PDF and workbook, for good once the household was paid
    and could no longer be changed. The PDF draws the emoji as □; the workbook keeps it as stored."""
    project = opened(store)
    save(store, project, "0001", small_case("李明😀", {"item": "附属平房/砖混结构", "rate": "800"}))
    run = ledger(tmp_path, "summary", project.location, "--pdf", tmp_path / "s.pdf", "--xlsx", tmp_path / "s.xlsx")
    assert run.returncode == 0, run.stderr
    with pdfplumber.open(tmp_path / "s.pdf") as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "李明□" in text and "😀" not in text
    cells = [cell for sheet in load_workbook(tmp_path / "s.xlsx") for row in sheet.iter_rows(values_only=True)
             for cell in row]
    assert "李明😀" in cells


# -- the PDF ---------------------------------------------------------------------------------------------

@pytest.fixture
def printed(tmp_path, project):
    summary = project_summary(project, dt.date(2023, 7, 10))
    summaries.summary_pdf(summary, tmp_path / "s.pdf")
    return summary, tmp_path / "s.pdf"


@pytest.mark.backends("sqlite")
def test_every_font_of_the_pdf_is_embedded(printed):
    _, path = printed
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), listing          # emb
    assert any("WenQuanYi" in row for row in rows) and any("HanaMin" in row for row in rows)  # 䶮 in a chart
    assert "Helvetica" not in listing


@pytest.mark.backends("sqlite")
def test_the_first_page_gives_the_total_in_words_and_the_boxes_to_sign_it(printed, tmp_path):
    """A report for 财政 and 审计 had neither the 大写 total nor a place for who made and who checked it."""
    from calculator.core.amount_words import amount_in_words
    summary, path = printed
    with pdfplumber.open(path) as pdf:
        first = "".join(pdf.pages[0].extract_text().split())
    assert f"补偿合计(大写):{amount_in_words(summary.total)}" in first
    assert all(role in first for role in ("编制人", "审核人", "负责人(单位盖章)")) and first.count("日期:") == 3
    summaries.summary_xlsx(summary, tmp_path / "s.xlsx")
    overview = load_workbook(tmp_path / "s.xlsx").worksheets[0]
    rows = {row[0]: row[1] for row in overview.iter_rows(values_only=True) if row and row[0]}
    assert rows["补偿合计(大写)"] == amount_in_words(summary.total) and Decimal(str(rows["补偿合计"])) == summary.total


@pytest.mark.backends("sqlite")
def test_no_page_ends_with_a_heading_whose_table_is_on_the_next(printed):
    """资金预测 and its table's title once sat alone at the foot of page 1, the table on page 2."""
    summary, path = printed
    headings = {"概况", "金额", "资金预测", "单价取值(审计)", "异常户", *(table.title for table in summary.tables())}
    with pdfplumber.open(path) as pdf:
        pages = [[line for line in (page.extract_text() or "").splitlines() if line.strip()] for page in pdf.pages]
    assert len(pages) > 1
    for lines in pages[:-1]:
        body = lines[:-1]   # the footer (project, 第 x 页 共 y 页) is the last line
        assert body[-1].strip() not in headings, body[-3:]


@pytest.mark.backends("sqlite")
def test_the_pdfs_charts_are_drawn_to_the_figures(printed):
    summary, path = printed
    text = text_of(path)
    for title in ("按章节(元)", "按状态(元)", "单价在标准区间中的位置·按评估人", "合计每平方米建筑面积补偿的分布"):
        assert title in text
    sections = [amount for amount in summary.by_section.column("amount")]
    bars = colour_rects(path, charts.MONEY_COLOUR)
    assert len(bars) == len(sections)
    widths = [bar["width"] for bar in sorted(bars, key=lambda bar: -bar["top"])]     # drawn from the bottom up
    for width, amount in zip(widths, reversed(sections)):
        assert width / widths[0] == pytest.approx(float(amount / sections[-1]), rel=1e-3)
    statuses = [row[2] for row in summary.by_status.rows if row[2]]
    assert len(colour_rects(path, charts.STATUS_COLOUR)) == len(statuses) == 2       # 已测算, 已签字
    assert len(colour_rects(path, charts.TOTAL_MARK)) == 1                            # the outlier's bar, red
    ceiling = colour_rects(path, charts.POSITION_COLOURS[5])
    assert len(ceiling) == 1                                     # only 李明's 800 in 700–800 is at the ceiling
    assert "0009" in text and "评估项/地下室" in text


# -- the workbook ----------------------------------------------------------------------------------------

@pytest.mark.backends("sqlite")
def test_the_workbook_reads_back_with_the_same_numbers(tmp_path, project):
    summary = project_summary(project, dt.date(2023, 7, 10))
    summaries.summary_xlsx(summary, tmp_path / "s.xlsx")
    book = load_workbook(tmp_path / "s.xlsx")
    assert book.sheetnames == ["概况", *(table.title.replace("/", "、") for table in summary.tables())]
    sheet = book["按章节"]
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == f"A2:D{2 + len(summary.by_section.rows)}"
    amounts = {row[0].value: row[2] for row in sheet.iter_rows(min_row=3, max_row=8)}
    for key, amount in zip(summary.by_section.column("section"), summary.by_section.column("amount")):
        assert Decimal(str(amounts[key].value)) == amount and amounts[key].number_format == "#,##0.00"
    total_row = 3 + len(summary.by_section.rows) + 1
    assert sheet.cell(total_row, 1).value == "合计"
    assert Decimal(str(sheet.cell(total_row, 3).value)) == summary.total
    assert sheet.cell(total_row + 1, 3).value == "=SUM(C3:C8)"
    assert sheet.cell(3, 4).number_format == "0.0%"
    # printed: whose it is at every page's foot; a note under its table, merged across it, never widening column A
    # (47–52 wide, it sent a 3-row table two pages across)
    for ws in book:
        assert ws.oddFooter.left.text == f"{summary.project} 汇总与审计(台账读取于 {summary.read_at};资金预测截至 2023-07-10)"
    notes = [table for table in summary.tables() if table.note]
    assert notes
    for table in notes:
        ws = book[table.title.replace("/", "、")]
        [noted] = [cell for cell in ws["A"] if cell.value == table.note]
        assert f"{noted.coordinate}:{get_column_letter(len(table.columns))}{noted.row}" in ws.merged_cells
        assert ws.column_dimensions["A"].width < xlsx.WRAP_AT

    overview = {row[0].value: row[1].value for row in book["概况"].iter_rows(min_row=3) if row[0].value}
    assert Decimal(str(overview["补偿合计"])) == summary.total and overview["住户"] == 10

    overrides = book["超标准单价"]
    heads = [cell for cell in overrides["B"][2:] if cell.value is not None]
    formula_like = [cell for cell in heads if cell.value == "=1+2"]
    assert formula_like and all(cell.data_type == "s" for cell in formula_like)    # text, never a formula
    assert len(heads) == len(summary.overrides.rows)

    outliers = book["异常户"]
    assert [cell.value for cell in outliers["A"][2:] if cell.value] == ["0009"] * len(
        outlier_table(summary.outliers).rows)
    assert outliers.cell(3, 12).number_format == "#,##0.00"
    assert Decimal(str(outliers.cell(3, 12).value)) == Decimal("160000.00")


def test_a_short_text_column_keeps_its_width_while_a_long_one_wraps():
    """Every text column was shrunk alike to fit the page: 户主 康卫东 broke as 康卫/东 and 已支付 as 已支/付 beside a
    说明 column that wraps anyway."""
    from calculator.app.summary.model import MONEY, TEXT, Column
    from calculator.app.summary.pdf import _widths
    from calculator.formats.reports.pdf_layout import CELL_PADDING, WIDTH, sheet_font, sheet_styles, line_width
    styles = sheet_styles(sheet_font().name)
    columns = [Column("head", "户主", TEXT), Column("status", "状态", TEXT), Column("source", "日期来源", TEXT),
               *(Column(f"amount{i}", "金额(元)", MONEY) for i in range(6)), Column("note", "说明", TEXT)]
    texts = [["康卫东", "已支付", "台账支付记录", *["50,000.00"] * 6, "尚未支付:支付后按期限搬迁可得" * 3]] * 3
    head, status, _source, amount, *_, note = _widths(columns, texts, styles)
    assert head >= line_width("康卫东", styles.cell.fontSize) + CELL_PADDING
    assert status >= line_width("已支付", styles.cell.fontSize) + CELL_PADDING
    assert amount >= line_width("50,000.00", styles.cell.fontSize) + CELL_PADDING
    assert abs(sum(_widths(columns, texts, styles)) - WIDTH) < 0.01 and note < line_width(texts[0][-1], styles.cell.fontSize)


def test_a_figure_columns_heading_wraps_into_two_lines_of_whole_characters_and_a_short_one_not_at_all():
    """Half a heading's width broke 户数 as 户/数 (beside a 状态 column taking most of the page) and 金额(元) as
    金/额(/元); 有争议未计入(元) took three lines."""
    from calculator.app.summary.model import MONEY, NUMBER, TEXT, Column
    from calculator.app.summary.pdf import _widths, heading_lines
    from calculator.formats.reports.pdf_layout import CELL_PADDING, sheet_font, sheet_styles, line_width
    assert heading_lines("户数") == ("户数",) and heading_lines("金额(元)") == ("金额(", "元)")
    assert heading_lines("有争议未计入(元)") == ("有争议未计", "入(元)")
    styles = sheet_styles(sheet_font().name)
    columns = [Column("status", "状态", TEXT), Column("count", "户数", NUMBER), Column("amount", "金额(元)", MONEY),
               Column("disputed", "有争议未计入(元)", MONEY)]
    _status, count, amount, disputed = _widths(columns, [["已测算", "0", "0.00", "0.00"]], styles)
    size = styles.head.fontSize
    assert count >= line_width("户数", size) + CELL_PADDING and amount >= line_width("金额(", size) + CELL_PADDING
    assert disputed >= line_width("有争议未计", size) + CELL_PADDING


@pytest.mark.backends("sqlite")
def test_a_project_total_past_what_words_are_written_for_still_prints(store, tmp_path):
    """Two households' assessed amounts, each just under the limit a household may reach, made a total of 1.2 万亿:
    the 大写 refused it, and the summary that shows the slips could not be printed at all."""
    project = opened(store)
    for number in ("0001", "0002"):
        save(store, project, number, case_from_dict({"items": [
            {"item": "评估项/其他", "amount": "600000000000", "basis": "评估报告"}]}))
    summary = project_summary(project, dt.date(2023, 7, 10))
    assert summary.total == Decimal("1200000000000.00") and summary.total_words == "(超出大写金额的范围,请核对各户金额)"
    summaries.summary_pdf(summary, tmp_path / "s.pdf")
    summaries.summary_xlsx(summary, tmp_path / "s.xlsx")
    with pdfplumber.open(tmp_path / "s.pdf") as pdf:
        assert "补偿合计(大写):(超出大写金额的范围,请核对各户金额)" in "".join(pdf.pages[0].extract_text().split())


@pytest.mark.backends("sqlite")
def test_a_sheet_printed_across_pages_repeats_the_columns_naming_its_rows(tmp_path, project):
    """单价取值·按评估人和项目 printed two pages across repeated only 评估人: its second page's 较中值多付 stood beside no
    项目, five rows of 张华 … 22,410.00 that no one could tie to an item."""
    summary = project_summary(project, dt.date(2023, 7, 10))
    summaries.summary_xlsx(summary, tmp_path / "s.xlsx")
    book = load_workbook(tmp_path / "s.xlsx")
    pair = book["单价取值·按评估人和项目"]
    assert pair.page_setup.fitToWidth == 2 and pair.print_title_cols == "$A:$B"
    assert [pair.cell(2, column).value for column in (1, 2)] == ["评估人", "项目"]
    assessor = book["单价取值·按评估人"]
    assert assessor.page_setup.fitToWidth == 2 and assessor.print_title_cols == "$A:$A"
