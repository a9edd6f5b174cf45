"""The real `landcomp` command (python -m calculator) in a subprocess: the JSON contract and the
exit status, message and silence of every kind of bad input."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MONEY = re.compile(r"^\d+\.\d{2}$")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b[a-z]{3,}\b")
SECTIONS = ["一(一)", "一(二)", "一(三)", "二", "三", "评估项"]
GOOD_LINE = {"item": "附属平房/砖木结构(含混合结构)", "quantity": "10"}


def landcomp(*args: str | Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUTF8": "1"}
    return subprocess.run([sys.executable, "-m", "calculator", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, encoding="utf-8", timeout=120)


def write_json(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def assert_bad_input(run: subprocess.CompletedProcess, *named: str) -> None:
    """Exit 2, nothing on stdout, a bilingual message on stderr naming what is wrong, no traceback."""
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert CHINESE.search(run.stderr) and ENGLISH.search(run.stderr), run.stderr
    for text in named:
        assert text in run.stderr, f"{text!r} not in {run.stderr!r}"


# --- the JSON contract ----------------------------------------------------------------------------

def test_compensation_json_contract() -> None:
    run = landcomp("compensation", "examples/household.json", "--json")
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    data = json.loads(run.stdout)
    for key in ("schedule", "lines", "subtotals", "relocation", "disputed_total", "total", "total_in_words",
                "replacement_area_m2", "warnings"):
        assert key in data
    assert data["schedule"] == "baozi-2023"
    assert len(data["lines"]) == 35
    for line in data["lines"]:
        assert {"item", "section", "quantity", "unit", "rate", "amount", "flags", "basis"} <= set(line)
        assert MONEY.match(line["rate"]) and MONEY.match(line["amount"]), line
        assert isinstance(line["flags"], list)
        assert line["basis"].startswith("文政发〔2023〕6号")
    assert list(data["subtotals"]) == SECTIONS
    assert set(data["relocation"]) == {"moving", "temporary", "incentive"}
    money = [*data["subtotals"].values(), *data["relocation"].values(), data["disputed_total"], data["total"]]
    assert all(MONEY.match(value) for value in money), money
    assert data["total"] == "546616.30"
    assert data["total_in_words"] == "人民币伍拾肆万陆仟陆佰壹拾陆元叁角"
    assert data["disputed_total"] == "525.00"
    assert data["replacement_area_m2"] == "184.00"
    assert data["relocation"] == {"moving": "1530.00", "temporary": "27540.00", "incentive": "30000.00"}
    assert data["subtotals"]["三"] == "59070.00"  # relocation money is also counted under 三
    first = data["lines"][0]
    assert (first["item"], first["section"], first["quantity"], first["unit"], first["rate"], first["amount"]) == (
        "附属平房/砖混结构", "一(一)", "86.40", "m²", "760.00", "65664.00")
    assert isinstance(data["warnings"], list) and len(data["warnings"]) == 4


def test_compensation_readable_table() -> None:
    run = landcomp("compensation", "examples/household.json")
    assert run.returncode == 0, run.stderr
    assert "546,616.30" in run.stdout and "人民币伍拾肆万陆仟陆佰壹拾陆元叁角" in run.stdout
    # a line is numbered as the warnings name it, by its line in the file, and by its 序号 on the sheet (by section: the
    # typed 评估项/机井设备, line 20, is printed among the 评估项, so 杂棚, line 24, is the sheet's 23)
    assert re.search(r"^行\s+序号\s+种类/规格", run.stdout, re.M)
    assert re.search(r"^24\s+23\s+杂棚\s+15\.00", run.stdout, re.M)
    assert re.search(r"^20\s+37\s+评估项/机井设备", run.stdout, re.M)
    assert "items[23](第24行)「杂棚」" in run.stdout


def test_landprice_parcel_file_json() -> None:
    run = landcomp("landprice", "examples/parcel.json", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert [part["use"] for part in data["parts"]] == ["商服用地", "住宅用地"]
    # 550 × 300 + 492 × 700; corrected 566.50 × 300 + 465.37 × 700
    assert (data["total"], data["corrected_total"], data["negotiated_floor_total"]) == (
        "509400.00", "495709.00", "356580.00")
    assert data["range_total"] == {"lower": "440400.00", "upper": "625500.00"}
    for part in data["parts"]:
        for key in ("unit_price", "total", "negotiated_floor_total", "corrected_unit_price", "corrected_total"):
            assert MONEY.match(part[key]), (key, part[key])


def test_landprice_from_flags_in_mu() -> None:
    run = landcomp("landprice", "--grade", "2", "--use", "住宅用地", "--area", "1", "--unit", "亩", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["total"] == "328000.00"  # 492 × 10000/15
    assert data["negotiated_floor_total"] == "229600.00"  # × 0.7
    assert data["parts"][0]["entered"] == {"value": "1", "unit": "亩"}


def test_numbers_typed_with_an_exponent_are_echoed_as_plain_numbers(tmp_path: Path) -> None:
    """--area 1e3 was echoed as "entered": {"value": "1E+3"}, and a coefficient 4E+1 as "term_years": "4E+1", where
    the parcel's area, its sheet and the app show 1000 and 40."""
    run = landcomp("landprice", "--grade", "2", "--use", "住宅用地", "--area", "1e3", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert (data["parts"][0]["entered"], data["total"]) == ({"value": "1000", "unit": "m²"}, "492000.00")
    parcel = write_json(tmp_path / "parcel.json", {
        "grade": 2, "parts": [{"use": "住宅用地", "area_m2": "1000"}],
        "corrections": {"term_years": "4E+1", "reduction_rate": "6E-2", "date_factor": "1E0", "factor_pct": "3e0",
                        "other_factor": "100E-2"}})
    run = landcomp("landprice", parcel, "--json")
    assert run.returncode == 0, run.stderr
    coefficients = json.loads(run.stdout)["coefficients"]
    assert [coefficients[key] for key in ("term_years", "reduction_rate", "date_factor", "factor_pct", "other_factor")] \
        == ["40", "0.06", "1", "3", "1.00"]


def test_landprice_from_flags_in_m2() -> None:
    run = landcomp("landprice", "--grade", "4", "--use", "工业用地", "--area", "1000", "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["total"] == "164000.00"  # 164 × 1000


def test_items_json_lists_every_catalog_key() -> None:
    run = landcomp("items", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    keys = [item["key"] for item in data["items"]]
    catalog = [line.strip() for line in (REPO / "tables" / "baozi-2023-catalog-keys.txt").read_text(
        encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    assert len(keys) == len(set(keys)) == 155
    assert set(keys) == set(catalog)
    by_key = {item["key"]: item for item in data["items"]}
    assert by_key["附属平房/砖混结构"]["range"] == ["700", "800"]
    assert by_key["菜窖/砖石"]["params"] == ["depth_m"]


def test_installed_console_script() -> None:
    script = Path(sys.executable).parent / "landcomp"
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    run = subprocess.run([str(script), "landprice", "--grade", "1", "--use", "商服用地", "--area", "1000", "--json"],
                         cwd=REPO, capture_output=True, encoding="utf-8", timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["total"] == "833000.00"


# --- bad case files: exit 2, nothing printed, the line named ----------------------------------------

BAD_LINES = [
    ("unknown item", {"item": "不存在/项目", "quantity": "1"}, "unknown item"),
    ("negative quantity", {"item": "附属平房/砖混结构", "quantity": "-3"}, "positive"),
    ("non-numeric quantity", {"item": "附属平房/砖混结构", "quantity": "三十"}, "not a number"),
    ("quantity missing", {"item": "附属平房/砖混结构"}, "missing quantity"),
    ("rate outside range without reason", {"item": "附属平房/砖混结构", "quantity": "10", "rate": "900"},
     "override_reason"),
    ("param missing", {"item": "菜窖/砖石", "quantity": "6"}, "missing parameter depth_m"),
    ("unknown field", {"item": "检查井", "quantity": "1", "colour": "red"}, "colour"),
    ("stage not in the list", {"item": "葡萄", "quantity": "2", "stage": "结果期"}, "stage must be one of"),
    ("float-like text garbage", {"item": "菜窖/砖石", "quantity": "6", "depth_m": "1.6m"}, "not a number"),
    ("huge quantity", {"item": "附属平房/砖混结构", "quantity": "1E+30"}, "too large"),
    ("huge diameter", {"item": "用材树/杨树", "quantity": "1", "diameter_cm": "1E+3000000"}, "too large"),
    ("amount too large to price", {"item": "附属平房/砖混结构", "quantity": "9E+14", "rate": "9E+14",
                                   "override_reason": "x"}, "too large"),
]


@pytest.mark.parametrize("line, says", [b[1:] for b in BAD_LINES], ids=[b[0] for b in BAD_LINES])
def test_bad_line(tmp_path: Path, line: dict, says: str) -> None:
    case = write_json(tmp_path / "case.json", {"items": [GOOD_LINE, line]})
    run = landcomp("compensation", case, "--json")
    assert_bad_input(run, "case.json", "items[1]", f"「{line['item']}」", says)
    assert "items[0]" not in run.stderr


BAD_RELOCATION = [
    ("extra months without hardship", {"building_area_m2": "100", "extra_months": "6"}, "sole_housing_hardship"),
    ("impossible date", {"building_area_m2": "100", "signed_on": "2023-02-30"}, "2023-02-30"),
    ("paid before signed", {"building_area_m2": "100", "signed_on": "2023-06-10", "paid_on": "2023-06-01"},
     "paid_on 2023-06-01 is before signed_on 2023-06-10"),
    ("huge area", {"building_area_m2": "1E+30"}, "too large"),
    # 5,000,000 m² was priced (950,517,546.30 in all) with a warning; a line's area past 1,000,000 m² is refused
    ("area past the most a line takes", {"building_area_m2": "1000000.01"},
     "building_area_m2 1000000.01 m² is too large (the limit is 1,000,000 m²)"),
]


def test_a_replacement_area_past_the_most_a_line_takes_is_refused(tmp_path: Path) -> None:
    """正房实测面积 99999999999999 m² was owed 100000000000072.60 m² of new home, exit 0."""
    case = write_json(tmp_path / "case.json", {"items": [GOOD_LINE], "replacement": {
        "main_house_area_m2": "99999999999999", "main_house_footprint_m2": "96", "homestead_certificate_area_m2": "280"}})
    assert_bad_input(landcomp("compensation", case), "case.json", "replacement", "正房实测面积 99999999999999 m² 超过上限",
                     "main_house_area_m2 99999999999999 m² is too large (the limit is 1,000,000 m²)")


@pytest.mark.parametrize("block, says", [b[1:] for b in BAD_RELOCATION], ids=[b[0] for b in BAD_RELOCATION])
def test_bad_relocation(tmp_path: Path, block: dict, says: str) -> None:
    case = write_json(tmp_path / "case.json", {"items": [GOOD_LINE], "relocation": block})
    assert_bad_input(landcomp("compensation", case), "case.json", "relocation", says)


def test_several_bad_lines_are_all_named(tmp_path: Path) -> None:
    case = write_json(tmp_path / "case.json", {"items": [
        {"item": "菜窖/砖石", "quantity": "6"}, GOOD_LINE, {"item": "葡萄", "quantity": "1", "stage": "x"}]})
    run = landcomp("compensation", case, "--json")
    assert_bad_input(run, "items[0](第1行)「菜窖/砖石」", "items[2](第3行)「葡萄」")


def test_broken_json(tmp_path: Path) -> None:
    case = tmp_path / "broken.json"
    case.write_text('{"items": [{"item": "检查井", "quantity": 1,}]}', encoding="utf-8")
    assert_bad_input(landcomp("compensation", case, "--json"), "broken.json", "malformed JSON", "line 1",
                     "JSON 格式错误(第1行第42列): 此处应为用英文双引号括起的字段名(是否用了单引号或中文引号,或多了逗号?)")
    # each message of the json module said in Chinese too (the Chinese half quoted Python's English)
    for text, said in (("", "此处应有一个值"), ('{"items": [1 2]}', "此处应有逗号"), ('{"items": "a', "引号未闭合"),
                       ('{"items": []} x', "数据结束后还有多余内容"), ('{"items" []}', "字段名后应有冒号")):
        case.write_text(text, encoding="utf-8")
        run = landcomp("compensation", case)
        assert run.returncode == 2 and said in run.stderr.split(" / ")[0], run.stderr


@pytest.mark.parametrize("command, text, place", [
    ("compensation", '{"items": [{"item": "检查井", "quantity": 1}, {"item": "检查井", "quantity": NaN}]}',
     "items[1](第2行).quantity: 不接受 NaN"),
    ("landprice", '{"table": "wutai-2022", "grade": 2, "parts": [{"use": "住宅用地", "area_m2": -Infinity}]}',
     "parts[0](第1部分).area_m2: 不接受 -Infinity")])
def test_nan_or_infinity_is_refused_at_its_place(tmp_path: Path, command, text, place) -> None:
    """NaN was refused as 不接受 NaN with no line or field named; a part was 第1项, and the app said 地块用途[0]."""
    from calculator.core.labels import place_zh
    source = tmp_path / "c.json"
    source.write_text(text, encoding="utf-8")
    assert_bad_input(landcomp(command, source), place, "is not a number")
    assert place_zh(place.partition(":")[0]) in ("第2行 数量", "第1部分 面积(m²)")


def test_json_numbers_are_read_as_decimals(tmp_path: Path) -> None:
    # a bare JSON number (not a string) is read as Decimal("0.1"), so it is accepted: 0.1 m² × 12 = 1.20
    case = write_json(tmp_path / "case.json", {"items": [{"item": "室内水电/上下水", "quantity": "0.1"}]})
    case.write_text(case.read_text(encoding="utf-8").replace('"0.1"', "0.1"), encoding="utf-8")
    run = landcomp("compensation", case, "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["total"] == "1.20"  # 0.1 × 12


def test_missing_file(tmp_path: Path) -> None:
    assert_bad_input(landcomp("compensation", tmp_path / "nowhere.json"), "nowhere.json", "file not found")


@pytest.mark.parametrize("command, source", [("compensation", "examples/household.json"),
                                             ("landprice", "examples/parcel.json")])
def test_pdf_into_a_missing_directory_writes_nothing(tmp_path: Path, command: str, source: str) -> None:
    target = tmp_path / "no-such-dir" / "sheet.pdf"
    run = landcomp(command, source, "--pdf", target)
    assert_bad_input(run, "no such directory")
    assert not target.parent.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("output", ["--pdf", "--xlsx"])
def test_a_dash_for_an_output_is_refused_never_a_file_named_dash(tmp_path: Path, output: str) -> None:
    """`--pdf - > sheet.pdf` exited 0 with the text table in sheet.pdf and the PDF in a file named "-"."""
    run = subprocess.run([sys.executable, "-m", "calculator", "compensation", str(REPO / "examples/household.json"),
                          output, "-"], cwd=tmp_path, env={**os.environ, "PYTHONUTF8": "1", "PYTHONPATH": str(REPO)},
                         capture_output=True, encoding="utf-8", timeout=120)
    assert_bad_input(run, "「-」不是文件名", "not written to standard output")
    assert list(tmp_path.iterdir()) == []


def test_pdf_under_a_file_says_it_is_no_folder(tmp_path: Path) -> None:
    """hh.json/x.pdf was refused as 目录不存在: hh.json, of a file that is there."""
    write_json(tmp_path / "hh.json", {})
    run = landcomp("compensation", "examples/household.json", "--pdf", tmp_path / "hh.json" / "x.pdf")
    assert_bad_input(run, "--pdf 的上级不是文件夹", "not a directory")
    assert (tmp_path / "hh.json").read_text(encoding="utf-8") == "{}"


@pytest.mark.parametrize("items, said", [
    ([{"item": "附属平房/砖混结构", "quantity": "1"}, 5], "items[1](第2行): 此行应为对象"),   # was: items: …对象列表
    ([{"item": 5, "quantity": "1"}], "items[0](第1行): 项目应为文字"),                      # was: 缺少项目
    ([{"item": "评估项/其他", "amount": "5", "basis": "  "}], "依据不能为空"),              # was: 依据应为文字
    ([{"item": "不予补偿/无主坟墓", "quantity": "1", "rate": "5"}], "此项(不予补偿)不填单价"),  # was: 此项按金额计
])
def test_a_bad_line_is_said_as_what_it_is_at_its_line(tmp_path: Path, items, said) -> None:
    assert_bad_input(landcomp("compensation", write_json(tmp_path / "c.json", {"items": items})), said)


# --- bad parcels -------------------------------------------------------------------------------------

def test_landprice_unknown_use(tmp_path: Path) -> None:
    parcel = write_json(tmp_path / "parcel.json", {"grade": 2, "parts": [{"use": "商业用地", "area_m2": "100"}]})
    assert_bad_input(landcomp("landprice", parcel, "--json"), "parcel.json", "parts[0]", "商业用地", "unknown use")


def test_landprice_grade_5() -> None:
    run = landcomp("landprice", "--grade", "5", "--use", "住宅用地", "--area", "100", "--json")
    assert_bad_input(run, "grade must be one of 1, 2, 3, 4, not 5")


def test_landprice_both_areas(tmp_path: Path) -> None:
    parcel = write_json(tmp_path / "parcel.json", {"grade": 2, "parts": [
        {"use": "住宅用地", "area_m2": "100"}, {"use": "商服用地", "area_m2": "100", "area_mu": "1"}]})
    assert_bad_input(landcomp("landprice", parcel), "parcel.json", "parts[1]", "exactly one area")


def test_landprice_grade_without_use() -> None:
    assert_bad_input(landcomp("landprice", "--grade", "2", "--area", "100"), "--grade, --use and --area")


def test_landprice_file_and_flags_together() -> None:
    assert_bad_input(landcomp("landprice", "examples/parcel.json", "--grade", "2"), "not both")


def test_landprice_grade_not_a_number() -> None:
    assert_bad_input(landcomp("landprice", "--grade", "二", "--use", "住宅用地", "--area", "100"), "--grade")


def test_landprice_huge_area() -> None:
    run = landcomp("landprice", "--grade", "2", "--use", "住宅用地", "--area", "1E+30", "--json")
    assert_bad_input(run, "too large")


def test_unknown_command() -> None:
    assert_bad_input(landcomp("valuate", "x.json"), "valuate")


@pytest.mark.parametrize("field, block, meant", [("Items", None, "items"), ("ｉｔｅｍｓ", None, "items"),
                                                 ("relocaton", None, "relocation"), ("Replacement", None, "replacement"),
                                                 ("Head", "household", "head"), ("organization", "assessor", "organisation")])
def test_a_misspelt_field_is_refused_never_left_out(tmp_path: Path, field: str, block: str | None, meant: str) -> None:
    """"Items" for "items" priced the household at its 搬迁与安置 alone (59,070.00 of 546,616.30) with exit 0, and
    "Head" for "head" printed a sheet without its 户主: the field meant was left out with at most a warning."""
    data = json.loads((REPO / "examples" / "household.json").read_text(encoding="utf-8"))
    holder = data if block is None else data[block]
    holder[field] = holder.pop(meant)
    run = landcomp("compensation", write_json(tmp_path / "case.json", data))
    assert_bad_input(run, f"字段「{field}」应写作「{meant}」", f"field '{field}' should be written '{meant}'")


def test_a_field_of_the_files_own_is_kept_with_a_warning(tmp_path: Path) -> None:
    """A field like none of the case's (a tool's own, a 片区 of the household) is not a misspelling: priced, said."""
    data = json.loads((REPO / "examples" / "household.json").read_text(encoding="utf-8"))
    data["exported_by"] = "测绘软件"
    data["household"]["片区"] = "东片"
    run = landcomp("compensation", write_json(tmp_path / "case.json", data), "--json")
    result = json.loads(run.stdout)
    assert run.returncode == 0 and result["total"] == "546616.30"
    assert any("exported_by" in warning for warning in result["warnings"])


@pytest.mark.parametrize("moved", [("relocation", "搬迁"), ("items", "lines"), ("replacement", "面积置换")])
def test_data_under_a_name_no_case_file_has_is_refused_never_left_out(tmp_path: Path, moved) -> None:
    """The relocation under 搬迁 priced the household without its 59,070.00 of 搬迁与安置, and the lines under "lines" a
    sheet of ¥0.00, with exit 0 and a warning no sheet prints: what an unknown name holds is refused, as a misspelling
    is (nothing written)."""
    meant, written = moved
    data = json.loads((REPO / "examples" / "household.json").read_text(encoding="utf-8"))
    data[written] = data.pop(meant)
    run = landcomp("compensation", write_json(tmp_path / "case.json", data), "--pdf", tmp_path / "sheet.pdf")
    assert_bad_input(run, f"「{written}」不是案例文件的字段,其中的内容不会计入", f"'{written}' is no case file field")
    assert not (tmp_path / "sheet.pdf").exists()


def test_a_rate_is_printed_with_every_decimal_it_was_priced_at(tmp_path: Path) -> None:
    """歇厦 at half a host's 701.01 is priced at 350.505: printed as 350.51, 12.50 × 350.51 = 4,381.38 was not the
    4,381.31 beside it. The readable table and the sheet print 350.505; the JSON keeps its two decimals."""
    case = write_json(tmp_path / "case.json", {"items": [
        {"item": "附属平房/砖混结构", "quantity": "86.40", "rate": "701.01"},
        {"item": "歇厦、雨搭", "quantity": "12.50", "attached_to": "附属平房/砖混结构"}]})
    run = landcomp("compensation", case, "--pdf", tmp_path / "sheet.pdf", "--xlsx", tmp_path / "sheet.xlsx")
    assert run.returncode == 0, run.stderr
    from openpyxl import load_workbook
    cell = next(row[5] for row in load_workbook(tmp_path / "sheet.xlsx")["明细"].iter_rows() if row[2].value == "歇厦、雨搭")
    assert (cell.value, cell.number_format) == (350.505, "#,##0.000")   # the workbook shows 350.505 too
    row = next(line for line in run.stdout.splitlines() if "歇厦" in line).split()
    assert row[3:7] == ["12.50", "m²", "350.505", "4,381.31"]
    sheet = subprocess.run(["pdftotext", "-layout", str(tmp_path / "sheet.pdf"), "-"], capture_output=True,
                           encoding="utf-8", check=True).stdout
    assert re.search(r"歇厦、雨搭\s+12\.50\s+m²\s+350\.505\s+4,381\.31", sheet)
    data = json.loads(landcomp("compensation", case, "--json").stdout)
    assert [line["rate"] for line in data["lines"]] == ["701.01", "350.51"]
    # and beside it the rate priced at (12.50 × 350.505 = 4,381.3125 → 4,381.31), on the lines where they differ
    assert [line.get("rate_exact") for line in data["lines"]] == [None, "350.505"]


def test_an_option_is_written_whole() -> None:
    """`--pd sheet.pdf` was taken for --pdf and `--js` for --json: a slip for another option that begins the same."""
    assert_bad_input(landcomp("compensation", "examples/household.json", "--js"), "无法识别的参数: --js",
                     "unrecognized arguments: --js")
    assert_bad_input(landcomp("ledger", "list", "p.landcomp", "--stat", "已签字"), "无法识别的参数: --stat",
                     "unrecognized arguments: --stat")


def test_a_bad_command_line_is_said_in_chinese_too() -> None:
    """argparse's refusals were put after 命令参数错误 in English alone."""
    assert_bad_input(landcomp("compensation"), "缺少参数: case", "the following arguments are required: case")
    assert_bad_input(landcomp("items", "--nope"), "无法识别的参数: --nope", "unrecognized arguments: --nope")
    assert_bad_input(landcomp("landprice", "--grade", "2", "--use", "住宅用地", "--area", "1", "--unit", "顷"),
                     "参数 --unit 的取值 '顷' 无效", "invalid choice: '顷'")
    assert_bad_input(landcomp("ledger", "save", "p.landcomp", "001", "c.json", "--base-version", "x"),
                     "参数 --base-version 的取值 'x' 不是整数", "invalid int value: 'x'")


def test_an_option_given_twice_is_refused_and_nothing_written(tmp_path: Path) -> None:
    """--pdf a.pdf --pdf b.pdf wrote b.pdf alone, without a word."""
    run = landcomp("compensation", REPO / "examples" / "household.json", "--pdf", tmp_path / "a.pdf",
                   "--pdf", tmp_path / "b.pdf")
    assert_bad_input(run, "参数 --pdf 给出了两次", "argument --pdf: given twice")
    assert list(tmp_path.iterdir()) == []


def test_the_grade_flag_is_read_as_a_parcel_files_grade_is(tmp_path: Path) -> None:
    """--grade 2.0 was refused as no int while "grade": "2.0" in a file is grade 2; --unit 亩 beside a parcel file
    was ignored without a word."""
    flags = ("--use", "住宅用地", "--area", "1000", "--json")
    written, whole = landcomp("landprice", "--grade", "2.0", *flags), landcomp("landprice", "--grade", "2", *flags)
    assert written.returncode == whole.returncode == 0 and written.stdout == whole.stdout
    assert json.loads(written.stdout)["grade"] == 2
    assert_bad_input(landcomp("landprice", REPO / "examples" / "parcel.json", "--unit", "亩"), "--unit")


def test_a_move_out_before_payment_with_no_signing_date_is_paid_and_said(tmp_path: Path) -> None:
    """Moved out 1,274 days before the payment, no signing date: 50,000 元 of 搬迁奖励 (支付前…已搬迁,按30日内计, the
    reading) without a word, where a signing date would have refused a move-out before it."""
    data = json.loads((REPO / "examples" / "household.json").read_text(encoding="utf-8"))
    del data["relocation"]["signed_on"]
    data["relocation"]["moved_on"] = "2020-01-01"
    result = json.loads(landcomp("compensation", write_json(tmp_path / "case.json", data), "--json").stdout)
    assert result["relocation"]["incentive"] == "50000.00"
    assert any("搬迁日期 2020-01-01 早于支付日期且未填签约日期" in warning for warning in result["warnings"])


def test_a_console_that_is_not_utf8_gets_the_table_and_the_json_never_a_traceback(tmp_path: Path) -> None:
    """A Windows console redirected to a file writes GBK, which has no ² (m²): the table stopped with a traceback and
    exit 1 after the sheet was written. The table shows m?; the JSON escapes ², so it reads back as written."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUTF8"}
    env["PYTHONIOENCODING"] = "gbk"

    def run(*args: str | Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "calculator", "compensation", "examples/household.json",
                               *map(str, args)], cwd=REPO, env=env, capture_output=True, encoding="gbk", timeout=120)
    table = run("--pdf", tmp_path / "sheet.pdf")
    assert table.returncode == 0 and table.stderr == "" and (tmp_path / "sheet.pdf").exists()
    assert re.search(r"附属平房/砖混结构\s+86\.40\s+m\?\s+760\.00\s+65,664\.00", table.stdout)
    assert "546,616.30" in table.stdout
    data = json.loads(run("--json").stdout)
    assert (data["lines"][0]["unit"], data["total"]) == ("m²", "546616.30")


def test_ctrl_c_is_one_line_and_exit_1_never_a_traceback(monkeypatch, capsys) -> None:
    from calculator.commands import cli

    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "_items", interrupted)
    assert cli.main(["items"]) == 1
    said = capsys.readouterr()
    assert said.out == "" and said.err == "landcomp: 已中断,未完成的写入没有保存 / interrupted: nothing unfinished was written\n"


SIGTERM_IN_A_CALLBACK = """
import gc, sys, time, weakref
from calculator.commands import cli

def compensation(args):
    class Module:   # as importlib's module lock is freed: a weakref callback, where SIGTERM's handler ran
        pass
    held = Module()
    watch = weakref.ref(held, lambda _: cli._terminated(15, None))
    del held
    gc.collect()
    for _ in range(500):   # the command's work goes on (5 s), where the interrupt, delivered again, lands
        time.sleep(0.01)
    return "written\\n"

cli._compensation = compensation
sys.exit(cli.main(["compensation", "case.json"]))
"""


def test_sigterm_landing_in_a_callback_stops_the_command_in_one_line_not_a_traceback_and_exit_0(tmp_path):
    """A SIGTERM handled while a weakref callback ran (1 run in 150 at random kill times) printed "Exception ignored
    in … raise KeyboardInterrupt" and the command ran on to exit 0. It stops there, interrupted, exit 1, one line."""
    run = subprocess.run([sys.executable, "-c", SIGTERM_IN_A_CALLBACK], cwd=REPO, capture_output=True, encoding="utf-8",
                         env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONUTF8": "1"}, timeout=60)
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr.splitlines() == ["landcomp: 已中断,未完成的写入没有保存 / interrupted: nothing unfinished was written"]


def test_version_names_the_program_and_the_schedules_it_prices_by() -> None:
    """Neither program had --version: which build and which schedules an office runs was found only in 关于."""
    from calculator import __version__
    expected = f"landcomp {__version__}(标准 baozi-2023.1 文政发〔2023〕6号;地价表 wutai-2022.1 五政发〔2023〕15号)\n"
    cli = landcomp("--version")
    assert (cli.returncode, cli.stdout, cli.stderr) == (0, expected, "")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    app = subprocess.run([sys.executable, "main.py", "--version"], cwd=REPO, capture_output=True, encoding="utf-8",
                         env={**env, "PYTHONUTF8": "1"}, timeout=120)   # no display needed to say it
    assert (app.returncode, app.stdout, app.stderr) == (0, expected, "")


@pytest.mark.parametrize("args, said", [(["--bogus"], "landcomp: 未知选项 / unknown option: --bogus\n"),
                                        (["a.json", "b.json"], "landcomp: 只能打开一个文件 / one file at most: a.json b.json\n")])
def test_the_apps_command_line_names_what_it_refuses_and_keeps_exit_2_on_a_full_stderr(args, said) -> None:
    """It said only its usage; and on a full stderr, unbuffered as in a user's shell, exited 120 (Python's own flush at
    exit failing) where a script looks for 2."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM",
                                                             "PYTHONUNBUFFERED")}
    app = subprocess.run([sys.executable, "main.py", *args], cwd=REPO, capture_output=True, encoding="utf-8",
                         env={**env, "PYTHONUTF8": "1"}, timeout=120)
    assert (app.returncode, app.stdout) == (2, "") and app.stderr.startswith(said) and "--smoke" in app.stderr
    with open("/dev/full", "w") as full:
        app = subprocess.run([sys.executable, "main.py", *args], cwd=REPO, stdout=subprocess.DEVNULL, stderr=full,
                             env={**env, "PYTHONUTF8": "1"}, timeout=120)
    assert app.returncode == 2


def test_ctrl_c_after_the_files_landed_says_they_were_written(monkeypatch, capsys, tmp_path) -> None:
    """Interrupted once the sheet and workbook were in place (the table still being made), it said 未完成的写入没有保存:
    a script saw exit 1 and "nothing written" beside the two files."""
    from calculator.commands import cli
    from calculator.formats import text_report

    def interrupted(result):
        raise KeyboardInterrupt   # as the SIGTERM handler raises it
    monkeypatch.setattr(text_report, "compensation_text", interrupted)
    pdf, xlsx = tmp_path / "o.pdf", tmp_path / "o.xlsx"
    assert cli.main(["compensation", str(REPO / "examples" / "household.json"), "--pdf", str(pdf),
                     "--xlsx", str(xlsx)]) == 1
    assert capsys.readouterr().err == ("landcomp: 已中断,但文件已写入(结果未输出)/ interrupted, but the files were "
                                       "written (the result was not printed)\n")
    assert pdf.stat().st_size and xlsx.stat().st_size


def test_a_case_saved_with_two_byte_order_marks_is_read_as_with_none(tmp_path: Path) -> None:
    """A copy tool that adds a UTF-8 mark before Notepad's own: JSON 格式错误 … Unexpected UTF-8 BOM (decode using
    utf-8-sig), Python's English inside the Chinese."""
    case = tmp_path / "bom.json"
    case.write_bytes(b"\xef\xbb\xbf" * 2 + (REPO / "examples" / "household.json").read_bytes())
    twice, once = landcomp("compensation", case, "--json"), landcomp("compensation", "examples/household.json", "--json")
    assert twice.returncode == 0, twice.stderr
    assert json.loads(twice.stdout)["total"] == json.loads(once.stdout)["total"] == "546616.30"


def test_an_interrupt_a_library_turned_into_its_own_error_is_said_as_an_interrupt(monkeypatch, capsys) -> None:
    """SIGTERM while reportlab laid out a table: its bare `except:` raised ValueError("Bad cap value …") from the
    interrupt, and the command said 内部错误 / internal error."""
    from calculator.commands import cli

    def drawing(args):
        try:
            raise KeyboardInterrupt
        except:  # noqa: E722 - as reportlab's platypus/tables.py does
            raise ValueError("Bad cap value 1 in ['LINEABOVE']")
    monkeypatch.setattr(cli, "_items", drawing)
    assert cli.main(["items"]) == 1
    assert capsys.readouterr().err == "landcomp: 已中断,未完成的写入没有保存 / interrupted: nothing unfinished was written\n"
