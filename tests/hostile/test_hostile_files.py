"""Hostile and careless case and parcel files through the real `landcomp` command.

Every file is made here by code. Each entry says what the command must do with it: exit 2 (bad
input) with a bilingual message naming the place and what is wrong, nothing on stdout, no
traceback, and no file written or changed — the requested PDF and workbook are not created and
an existing workbook at the target keeps its bytes.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b[a-z]{3,}\b")
HOUSE = {"item": "附属平房/砖混结构", "quantity": "10"}
PARCEL = {"grade": 2, "parts": [{"use": "住宅用地", "area_m2": "100"}]}


@dataclass(frozen=True)
class Hostile:
    name: str
    command: str  # compensation | landprice
    content: bytes
    named: tuple[str, ...]  # texts the message must contain (field, place, character …)


def case(data: dict | None = None, **fields) -> bytes:
    """A case file: one good line unless `items` is given, plus `fields` at the top level."""
    body = {"items": [HOUSE], **(data or {}), **fields}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def line(**fields) -> bytes:
    return case(items=[HOUSE, fields])


def header(block: str, **fields) -> bytes:
    return case(**{block: fields})


def relocation(**fields) -> bytes:
    return case(relocation={"building_area_m2": "100", **fields})


def parcel(**fields) -> bytes:
    return json.dumps({**PARCEL, **fields}, ensure_ascii=False).encode("utf-8")


def part(**fields) -> bytes:
    return parcel(parts=[{"use": "住宅用地", **fields}])


def raw(text: str) -> bytes:
    return text.encode("utf-8")


CORPUS = [
    # --- one key given twice: json would silently keep the last -------------------------------
    Hostile("dup quantity", "compensation",
            raw('{"items": [{"item": "附属平房/砖混结构", "quantity": "10", "quantity": "1000"}]}'),
            ("items[0](第1行)", "quantity", "重复")),
    Hostile("dup items zeroes the case", "compensation",
            raw('{"items": [{"item": "附属平房/砖混结构", "quantity": "10"}], "items": []}'), ("items", "twice")),
    Hostile("dup head", "compensation", raw('{"household": {"head": "张三", "head": "李四"}, "items": []}'),
            ("household", "head", "重复")),
    Hostile("dup relocation date", "compensation",
            raw('{"items": [], "relocation": {"building_area_m2": "1", "paid_on": "2023-06-01", '
                '"paid_on": "2023-07-01"}}'), ("relocation", "paid_on")),
    Hostile("dup rate", "compensation",
            raw('{"items": [{"item": "附属平房/砖混结构", "quantity": "1", "rate": "700", "rate": "800"}]}'),
            ("items[0]", "rate")),
    Hostile("dup grade", "landprice", raw('{"grade": 2, "grade": 1, "parts": [{"use": "住宅用地", "area_m2": "1"}]}'),
            ("grade", "重复")),
    Hostile("dup part area", "landprice",
            raw('{"grade": 2, "parts": [{"use": "住宅用地", "area_m2": "1", "area_m2": "9"}]}'),
            ("parts[0]", "area_m2")),
    # --- nesting past any case ------------------------------------------------------------------
    Hostile("deep list", "compensation", raw("[" * 100_000 + "]" * 100_000), ("nested too deeply",)),
    Hostile("deep object in an unknown field", "compensation", case(extra=json.loads('{"a":' * 30 + "1" + "}" * 30)),
            ("extra", "嵌套过深")),
    Hostile("deep value in a line", "compensation", line(item="附属平房/砖混结构", quantity=[[[[[[[["1"]]]]]]]]),
            ("items[1]", "nested too deeply")),
    Hostile("deep parcel", "landprice", raw('{"grade": 2, "parts": ' + "[" * 5000 + "]" * 5000 + "}"),
            ("nested too deeply",)),
    # --- characters no text may carry -----------------------------------------------------------
    Hostile("lone surrogate in head", "compensation", raw('{"household": {"head": "\\ud800"}, "items": []}'),
            ("household.head", "U+D800")),
    Hostile("lone surrogate in a key", "compensation", raw('{"items": [{"item": "\\udc00", "quantity": "1"}]}'),
            ("items[0]", "U+DC00")),
    Hostile("NUL in head", "compensation", header("household", head="张\u0000三"), ("household.head", "U+0000")),
    Hostile("ESC in address", "compensation", header("household", address="堡子村\u001b[31m3号"),
            ("household.address", "U+001B")),
    Hostile("line break in note", "compensation", line(item="围墙/砖围墙", quantity="1", note="第一行\n第二行"),
            ("items[1](第2行)", "note", "U+000A")),
    Hostile("DEL in case id", "compensation", case(case_id="BZ\u007f01"), ("case_id", "U+007F")),
    Hostile("C1 control in organisation", "compensation", header("assessor", organisation="评估\u0085公司"),
            ("assessor.organisation", "U+0085")),
    Hostile("bidi override in head", "compensation", header("household", head="\u202e三张"),
            ("household.head", "U+202E")),
    Hostile("zero-width space in head", "compensation", header("household", head="张\u200b三"),
            ("household.head", "U+200B")),
    Hostile("tab in override reason", "compensation",
            line(item="附属平房/砖混结构", quantity="1", rate="900", override_reason="带\t门楼"),
            ("items[1]", "override_reason", "U+0009")),
    Hostile("NUL in parcel location", "landprice", parcel(location="台城镇\u0000"), ("location", "U+0000")),
    Hostile("control character in part use", "landprice", part(use="住宅\u0007用地", area_m2="1"),
            ("parts[0]", "U+0007")),
    # --- dates: a real date or a refusal --------------------------------------------------------
    Hostile("30 February", "compensation", case(assessed_on="2023-02-30"), ("测算日期", "2023-02-30")),
    Hostile("tomorrow in words", "compensation", case(assessed_on="明天"), ("测算日期", "明天")),
    Hostile("month 13", "compensation", case(assessed_on="2023-13-01"), ("assessed_on", "valid date")),
    Hostile("date without dashes", "compensation", case(assessed_on="20230620"), ("assessed_on", "YYYY-MM-DD")),
    Hostile("date as a number", "compensation", raw('{"items": [], "assessed_on": 20230620}'), ("assessed_on",)),
    Hostile("29 February of a common year", "compensation", relocation(signed_on="2023-02-29"),
            ("relocation", "签约日期", "2023-02-29")),
    Hostile("single-digit month", "compensation", relocation(paid_on="2023-6-5"), ("relocation", "paid_on")),
    Hostile("year 1800", "compensation", relocation(moved_on="1800-07-01"), ("relocation", "搬迁日期", "1990")),
    Hostile("year 9999", "compensation", relocation(paid_on="9999-12-31"), ("relocation", "2099")),
    Hostile("slashed date", "compensation", relocation(signed_on="2023/06/01"), ("relocation", "signed_on")),
    Hostile("moved before signing", "compensation", relocation(signed_on="2023-06-10", moved_on="2023-06-01"),
            ("relocation", "moved_on")),
    # --- text longer than the sheet holds -------------------------------------------------------
    Hostile("head of 41", "compensation", header("household", head="张" * 41), ("户主", "40")),
    Hostile("head of 2000", "compensation", header("household", head="张" * 2000), ("户主", "2000")),
    Hostile("address of 121", "compensation", header("household", address="村" * 121), ("地址", "120")),
    Hostile("organisation of 2000", "compensation", header("assessor", organisation="评" * 2000), ("评估机构",)),
    Hostile("case id of 100", "compensation", case(case_id="B" * 100), ("案件编号", "40")),
    Hostile("note of 301", "compensation", line(item="围墙/砖围墙", quantity="1", note="注" * 301),
            ("items[1]", "备注", "300")),
    Hostile("override reason of 2000", "compensation",
            line(item="附属平房/砖混结构", quantity="1", rate="900", override_reason="因" * 2000), ("超标准理由",)),
    Hostile("assessed basis of 301", "compensation",
            line(item="评估项/地下室", amount="100", basis="据" * 301), ("items[1]", "依据")),
    Hostile("parcel reference of 41", "landprice", parcel(reference="W" * 41), ("宗地编号", "40")),
    Hostile("parcel location of 121", "landprice", parcel(location="路" * 121), ("坐落", "120")),
    # --- numbers --------------------------------------------------------------------------------
    Hostile("NaN", "compensation", raw('{"items": [{"item": "附属平房/砖混结构", "quantity": NaN}]}'), ("NaN",)),
    Hostile("Infinity", "compensation", raw('{"items": [{"item": "附属平房/砖混结构", "quantity": Infinity}]}'),
            ("Infinity",)),
    Hostile("-Infinity rate", "compensation",
            raw('{"items": [{"item": "附属平房/砖混结构", "quantity": 1, "rate": -Infinity}]}'), ("Infinity",)),
    Hostile("NaN as text", "compensation", line(item="附属平房/砖混结构", quantity="NaN"), ("items[1]", "finite")),
    Hostile("1e400", "compensation", raw('{"items": [{"item": "附属平房/砖混结构", "quantity": 1e400}]}'),
            ("items[0]", "too large")),
    Hostile("too many decimal places", "compensation", line(item="附属平房/砖混结构", quantity="0." + "1" * 60),
            ("items[1]", "decimal places")),
    Hostile("tiny exponent", "compensation", line(item="附属平房/砖混结构", quantity="1E-50"),
            ("items[1]", "decimal places")),
    Hostile("too many decimal places as a JSON number", "compensation",
            raw('{"items": [{"item": "附属平房/砖混结构", "quantity": 0.%s}]}' % ("1" * 60)), ("items[0]", "decimal places")),
    Hostile("tiny exponent as a JSON number", "compensation",
            raw('{"items": [{"item": "附属平房/砖混结构", "quantity": 1E-50}]}'), ("items[0]", "decimal places")),
    Hostile("decimal comma", "compensation", line(item="附属平房/砖混结构", quantity="35,5"), ("items[1]", "comma")),
    Hostile("underscore digit grouping", "compensation", line(item="附属平房/砖混结构", quantity="86_40"),
            ("items[1]", "not a number")),
    Hostile("Arabic-Indic digits", "compensation", line(item="附属平房/砖混结构", quantity="٣٥"),
            ("items[1]", "not a number")),
    Hostile("superscript digit", "compensation", line(item="附属平房/砖混结构", quantity="35²"),
            ("items[1]", "not a number")),
    Hostile("5,000 digits, not echoed whole", "compensation", line(item="附属平房/砖混结构", quantity="9" * 5000),
            ("items[1]", "too large", "9" * 36 + "…")),
    Hostile("hex quantity", "compensation", line(item="附属平房/砖混结构", quantity="0x10"), ("items[1]", "not a number")),
    Hostile("blank quantity", "compensation", line(item="附属平房/砖混结构", quantity="  "), ("items[1]",)),
    Hostile("zero quantity", "compensation", line(item="附属平房/砖混结构", quantity="0"), ("items[1]", "positive")),
    Hostile("boolean quantity", "compensation", raw('{"items": [{"item": "附属平房/砖混结构", "quantity": true}]}'),
            ("items[0]", "number")),
    Hostile("list quantity", "compensation", line(item="附属平房/砖混结构", quantity=["1"]), ("items[1]", "number")),
    Hostile("amount past 大写", "compensation",
            line(item="附属平房/砖混结构", quantity="1000", rate="2000000000", override_reason="x"),
            ("items[1]", "金额过大", "too large")),
    Hostile("total past 大写", "compensation",
            case(items=[{"item": "附属平房/砖混结构", "quantity": "1000000", "rate": "600000",
                         "override_reason": "x"}] * 2), ("total", "合计金额过大", "too large")),
    Hostile("disputed total past 大写", "compensation",
            case(items=[{"item": "评估项/其他", "amount": "999999999999", "basis": "x", "disputed": True}] * 3),
            ("total", "有争议金额合计过大", "disputed total")),
    Hostile("a million and one m²", "compensation", line(item="附属平房/砖混结构", quantity="1000001"),
            ("items[1]", "1,000,000 m²", "数量")),
    Hostile("100,001 trees", "compensation", line(item="用材树/杨树", quantity="100001", diameter_cm="12"),
            ("items[1]", "100,000 株")),
    Hostile("100,001 m of wall", "compensation", line(item="排水渠/砖砌", quantity="100001", width_m="0.6"),
            ("items[1]", "100,000 m")),
    Hostile("negative depth", "compensation", line(item="菜窖/砖石", quantity="6", depth_m="-1.6"),
            ("items[1]", "depth_m")),
    Hostile("fractional extra months", "compensation", relocation(sole_housing_hardship=True, extra_months="1.5"),
            ("relocation", "extra_months")),
    Hostile("grade 2.5", "landprice", parcel(grade="2.5"), ("grade", "whole number")),
    Hostile("grade 99", "landprice", parcel(grade=99), ("99",)),
    Hostile("zero area", "landprice", part(area_m2="0"), ("parts[0]", "positive")),
    Hostile("two areas", "landprice", part(area_m2="1", area_mu="1"), ("parts[0]", "exactly one area")),
    Hostile("reduction rate 6", "landprice",
            parcel(corrections={"term_years": "40", "reduction_rate": "6"}), ("corrections", "reduction_rate")),
    Hostile("term past the statutory maximum", "landprice",
            parcel(corrections={"term_years": "80", "reduction_rate": "0.06"}), ("parts[0]", "term_years")),
    # --- sizes ----------------------------------------------------------------------------------
    Hostile("case file of 6 MB", "compensation", case(padding="x" * 6_000_000)[:-1] + b"}", ("file too large",)),
    Hostile("parcel file of 2 MB", "landprice", parcel(padding="x" * 2_000_000), ("file too large",)),
    Hostile("2,001 lines", "compensation", case(items=[HOUSE] * 2001), ("items", "2000")),
    # --- not a case file ------------------------------------------------------------------------
    # saved by a Windows editor as ANSI (GBK) or Unicode (UTF-16): said as such, to be saved as UTF-8
    Hostile("GBK bytes", "compensation", '{"household": {"head": "张三"}, "items": []}'.encode("gbk"),
            ("是 GBK 编码的", "save it as UTF-8")),
    Hostile("UTF-16", "compensation", '{"items": []}'.encode("utf-16"), ("是 UTF-16 编码的", "save it as UTF-8")),
    # UTF-16 saved with no byte-order mark was said to be GBK (its ASCII is GBK's too); a UTF-8 mark before GBK text
    # "perhaps a workbook"; UTF-8 cut short in its last character GBK
    Hostile("UTF-16 with no mark", "compensation", '{"items": []}'.encode("utf-16-le"),
            ("是 UTF-16 编码的", "save it as UTF-8")),
    Hostile("GBK after a UTF-8 mark", "compensation", codecs.BOM_UTF8 + '{"household": {"head": "张三"}}'.encode("gbk"),
            ("是 GBK 编码的", "save it as UTF-8")),
    Hostile("UTF-8 cut in its last character", "compensation", '{"household": {"head": "张三"}}'.encode()[:-4],
            ("在末尾被截断", "cut short in its last character")),
    Hostile("UTF-8 padded with nought bytes", "compensation", raw('{"items": []}') + b"\x00" * 4096,
            ("中有空字节(NUL)", "may be damaged or not saved whole")),
    Hostile("a workbook opened as a case", "compensation", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)),
            ("这不是案例文件",)),
    Hostile("empty file", "compensation", b"", ("malformed JSON",)),
    Hostile("truncated", "compensation", raw('{"items": [{"item": "附属平房/砖混结构", "quantity": "1"'),
            ("malformed JSON",)),
    Hostile("an array, not an object", "compensation", raw("[]"), ("JSON object",)),
    Hostile("items not a list", "compensation", raw('{"items": {"item": "附属平房/砖混结构"}}'), ("items", "list")),
    Hostile("household not an object", "compensation", raw('{"household": "张三", "items": []}'), ("household",)),
    Hostile("head a number", "compensation", raw('{"household": {"head": 3}, "items": []}'), ("household.head", "text")),
    Hostile("parcel as a case", "compensation", parcel(), ("这不是案例文件", "地块文件", "not a case file")),
    Hostile("case as a parcel", "landprice", case(), ("这不是地块文件", "case file")),
    # --- lines the schedule does not allow ------------------------------------------------------
    Hostile("unknown item", "compensation", line(item="不存在/项目", quantity="1"), ("items[1]", "unknown item")),
    Hostile("item missing", "compensation", line(quantity="1"), ("items[1]", "missing item")),
    Hostile("rate outside the standard without reason", "compensation",
            line(item="附属平房/砖混结构", quantity="10", rate="900"), ("items[1]", "override_reason")),
    Hostile("unknown field on a line", "compensation", line(item="检查井", quantity="1", colour="red"),
            ("items[1]", "colour")),
    Hostile("unknown relocation field", "compensation", relocation(moved_in="2023-01-01"), ("relocation", "moved_in")),
    Hostile("unknown use", "landprice", part(use="月球用地", area_m2="1"), ("月球用地",)),
]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in `folder` (hidden ones too) with a hash of its bytes and its mode."""
    return {entry.name: f"{hashlib.sha256(Path(entry.path).read_bytes()).hexdigest()}:{entry.stat().st_mode:o}"
            for entry in os.scandir(folder)}


def landcomp(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUTF8": "1", "PYTHONPATH": str(REPO)}  # this checkout, wherever it runs from
    return subprocess.run([sys.executable, "-m", "calculator", *args], cwd=folder, env=env,
                          capture_output=True, encoding="utf-8", errors="replace", timeout=120)


def test_the_corpus_covers_every_class_of_the_hardening_issue() -> None:
    # 85 case files and 16 parcel files under the class headings above (a new one is counted here)
    assert [sum(h.command == command for h in CORPUS) for command in ("compensation", "landprice")] == [85, 16]
    assert len({h.name for h in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("hostile", CORPUS, ids=[h.name for h in CORPUS])
def test_hostile_file_is_refused_and_nothing_is_written(tmp_path: Path, hostile: Hostile) -> None:
    source = tmp_path / "input.json"
    source.write_bytes(hostile.content)
    (tmp_path / "out.xlsx").write_bytes(b"the office's earlier workbook")
    before = snapshot(tmp_path)
    run = landcomp(tmp_path, hostile.command, "input.json", "--json", "--pdf", "out.pdf", "--xlsx", "out.xlsx")
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert run.stderr.startswith("landcomp: input.json: "), run.stderr
    assert CHINESE.search(run.stderr) and ENGLISH.search(run.stderr), run.stderr
    for text in hostile.named:
        assert text in run.stderr, f"{text!r} not in {run.stderr!r}"
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
@pytest.mark.parametrize("command", ["compensation", "landprice"])
def test_a_named_pipe_no_program_writes_to_is_refused_not_waited_on(tmp_path: Path, command: str) -> None:
    os.mkfifo(tmp_path / "input.json")   # opening it to read used to wait for a writer forever
    run = landcomp(tmp_path, command, "input.json", "--json")
    assert run.returncode == 2 and run.stdout == "", run.stderr
    assert run.stderr.startswith("landcomp: input.json: ") and "malformed JSON" in run.stderr


def test_a_case_piped_in_is_read_as_from_a_file(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUTF8": "1", "PYTHONPATH": str(REPO)}
    piped = subprocess.run([sys.executable, "-m", "calculator", "compensation", "/dev/stdin", "--json"], cwd=tmp_path,
                           env=env, input=case().decode(), capture_output=True, encoding="utf-8", timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["lines"][0]["amount"] == "7500.00"   # 10 m² at the midpoint of 700–800


def test_a_file_the_system_will_not_show_is_said_so_never_missing(tmp_path, monkeypatch):
    """A project in a folder the user may not enter was "项目文件不存在" to `ledger list`, `save` and `summary` (an
    office told its shared project does not exist may start a new one); `create` on it said 没有权限."""
    import errno
    import os
    from calculator.core.errors import InputError
    from calculator.core.files import check_regular_file
    target, real = tmp_path / "secret" / "p.landcomp", os.stat

    def denied(path, *args, **kwargs):
        if str(path).startswith(str(target.parent)):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", denied)
    with pytest.raises(InputError) as refused:
        check_regular_file(target, "项目文件", "project file")
    assert refused.value.zh == "无法读取项目文件(没有权限 / Permission denied)"
    monkeypatch.undo()
    with pytest.raises(InputError, match="does not exist"):
        check_regular_file(target, "项目文件", "project file")
