"""Junk through every entry point (as python-stdnum's tests/test_robustness.doctest does through every
module): a line of every rule kind, the case's blocks, case and parcel files, the GUI's actions on a
case, the land workspace's drafts, the 台账's actions and the survey reader.

Each call must either refuse cleanly — a CalculationError (InputError, StoreError, RefusedByRule …)
whose message is in Chinese and in English — or answer with money in whole fen. Any other exception,
a refusal in one language only, or a fraction of a fen is collected and fails the test naming the
field and the value.
"""
from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import load_workbook

from calculator.app import actions, land_actions
from calculator.engine.case import case_from_dict, case_from_json
from calculator.engine.compensation import compute, evaluate, sheet_numbers
from calculator.core.errors import CalculationError
from calculator.core.jsonfile import read_json
from calculator.engine.landprice import parcel_from_dict, price_parcel
from calculator.app.ledger_actions import LedgerQuery, create_project, normal_fingerprint, open_project, project_path
from calculator.core.limits import CASE_FILE_MAX_BYTES, PARCEL_FILE_MAX_BYTES
from tables.schedule import LINE_FIELDS as COMMON_FIELDS
from calculator.engine.relocation import FIELDS as RELOCATION_FIELDS
from calculator.engine.replacement import replacement_fields
from calculator.engine.results import parcel_json
from calculator.rules import KINDS
from calculator.engine.schedules import load_schedule
from calculator.app.stored_cases import open_stored, save_stored
from calculator.app.survey import SURVEY_SHEET, read_survey
from households import EXAMPLE

SCHEDULE = load_schedule()
FEN = Decimal("0.01")
TEXT_JUNK = ("", " ", "abc", "-1", "0", "-0", "NaN", "-Infinity", "1e400", "1E+30", "1,5", "１２", "٣", "9" * 5000,
             "0." + "0" * 60 + "1", "2023-02-30", "\x00", "\x1b[31m", "a\u202eb", "\u200b", "\ud800", "\udcff",
             "x" * 100_000, "'; DROP TABLE households; --", "附属平房/砖混结构", "住宅用地", "盛果期")
JUNK = (None, True, False, 0, -1, 10**100, -10**100, 0.1, float("nan"), float("inf"), 1e400, Decimal("NaN"),
        Decimal("sNaN"), Decimal("-Infinity"), Decimal("1E+400"), Decimal("1E-400"), [], [1], ["a", None], {},
        {"a": 1}, {"item": "x"}, *TEXT_JUNK)
# What a field holds on a line of each kind, so that junk goes into one field of an otherwise sound line.
SOUND = {"quantity": "2", "height_m": "0.8", "decoration_pct": "30", "depth_m": "1.6", "heated_area_m2": "120",
         "span_cm": "60", "width_m": "0.6", "diameter_cm": "12", "diameter_m": "0.03", "column_height_m": "2.5",
         "area_m2": "45", "stage": "盛果期", "attached_to": "附属平房/砖混结构", "amount": "1000",
         "basis": "评估报告 WS-1", "main_house_area_m2": "110.40", "main_house_footprint_m2": "96",
         "homestead_certificate_area_m2": "280", "building_area_m2": "153", "sole_housing_hardship": True,
         "extra_months": "6", "signed_on": "2023-06-01", "paid_on": "2023-06-28", "moved_on": "2023-08-05"}
HOST = {"item": "附属平房/砖混结构", "quantity": "10", "rate": "760"}
CJK = re.compile(r"[\u3400-\u9fff]")


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}…({len(text)})"


def refusal_problem(error: CalculationError) -> str | None:
    """Why a refusal is not clean: a part of it without Chinese or without English."""
    for part in getattr(error, "errors", None) or [error]:
        if not CJK.search(part.zh) or not re.search(r"[A-Za-z]{2}", part.en):
            return f"not bilingual: {part.zh!r} / {part.en!r}"
    return None


def fen_problem(*amounts: Decimal | None) -> str | None:
    """Why some money is not whole fen (None: not computed, which is fine)."""
    for amount in amounts:
        if amount is not None and not (isinstance(amount, Decimal) and amount.is_finite()
                                       and amount == amount.quantize(FEN)):
            return f"money {amount!r} is not whole fen"
    return None


def attempt(call: Callable[[], Any], check: Callable[[Any], str | None] | None = None) -> str | None:
    """None when `call` refuses cleanly or answers soundly (as `check` says, if given); else what went wrong."""
    try:
        result = call()
    except CalculationError as error:
        return refusal_problem(error)
    except Exception as error:  # noqa: BLE001 - this is what the test is looking for
        return f"{type(error).__name__}: {str(error)[:200]}"
    return check(result) if check else None


def compensation_problem(result) -> str | None:
    relocation = result.relocation
    moved = (relocation.moving, relocation.temporary, relocation.incentive) if relocation else ()
    problems = [refusal_problem(problem) for problem in result.problems]
    return next((p for p in problems if p), None) or fen_problem(
        *(line.amount for line in result.lines), *result.subtotals.values(), result.total, result.disputed_total,
        *moved)


def parcel_problem(data: dict) -> str | None:
    """Money in a parcel's JSON result: every total as a string of whole fen."""
    figures = [data["total"], *data["range_total"].values(), data["negotiated_floor_total"],
               data.get("corrected_total")]
    for part in data["parts"]:
        figures += [part["total"], *part["range_total"].values(), part["negotiated_floor_total"],
                    part.get("corrected_total")]
    return fen_problem(*(None if figure is None else Decimal(figure) for figure in figures))


def case_calls(case_data: dict) -> list[Callable[[], Any]]:
    """What happens to case data: the CLI's whole-or-nothing pricing and the app's lenient one."""
    return [lambda: compute(case_from_dict(case_data)), lambda: evaluate(case_from_dict(case_data))]


def collect(where: str, problem: str | None, found: list[tuple[str, str]]) -> None:
    if problem:
        found.append((where, problem))


def settle(found: list[tuple[str, str]]) -> None:
    """Nothing went wrong: each problem found is named, with its field and value."""
    assert found == [], "\n".join(f"{where}: {problem}" for where, problem in found)


# --- every rule kind ------------------------------------------------------------------------------------

def sound_case(kind: str) -> tuple[dict, tuple[str, ...]]:
    """A sound case holding a line of the first row of `kind` (or its block), and the fields junk goes into."""
    item = next(item for item in SCHEDULE.items.values() if item.kind == kind)
    if kind == "area_replacement":  # its rows are priced from the case's replacement block
        fields = replacement_fields(SCHEDULE)
        return {"items": [], "replacement": {name: SOUND[name] for name in fields}}, ("replacement",) + fields
    line = {"item": item.key, **{p.name: SOUND[p.name] for p in item.rule.params(item.spec)}}
    if "amount" not in line:  # an assessed amount is the whole line's
        line["quantity"] = SOUND["quantity"]
    fields = tuple(dict.fromkeys([*sorted(COMMON_FIELDS), *(p.name for p in item.rule.params(item.spec))]))
    return {"items": [line, HOST]}, fields


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_junk_in_every_field_of_every_rule_kind(kind: str) -> None:
    case, fields = sound_case(kind)
    assert attempt(lambda: compute(case_from_dict(case)), compensation_problem) is None  # sound before the junk
    found: list[tuple[str, str]] = []
    for field in fields:
        for junk in JUNK:
            if kind == "area_replacement":
                spoilt = {**case, "replacement": junk} if field == "replacement" else {
                    **case, "replacement": {**case["replacement"], field: junk}}
            else:
                spoilt = {**case, "items": [{**case["items"][0], field: junk}, HOST]}
            for call in case_calls(spoilt):
                collect(f"{field}={shown(junk)}", attempt(call, compensation_problem), found)
    settle(found)


# Junk as hypothesis makes it: any of the above, numbers and text of every kind, nested in lists and objects.
VALUES = st.recursive(
    st.sampled_from(JUNK) | st.integers(-10**30, 10**30) | st.floats() | st.text(max_size=8)
    | st.decimals(allow_nan=True, allow_infinity=True),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)
MIXED = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
LINE_FIELDS = sorted({*COMMON_FIELDS, *SCHEDULE.params})


@st.composite
def spoilt_lines(draw) -> dict:
    """A sound line of any kind with up to four of its fields spoilt, or an object of line fields holding junk."""
    if draw(st.booleans()):
        return draw(st.dictionaries(st.sampled_from(LINE_FIELDS), VALUES, max_size=6))
    case, fields = sound_case(draw(st.sampled_from(sorted(set(KINDS) - {"area_replacement"}))))
    return {**case["items"][0], **draw(st.dictionaries(st.sampled_from(fields), VALUES, max_size=4))}


@MIXED
@given(st.lists(spoilt_lines(), max_size=4),
       st.none() | st.dictionaries(st.sampled_from([*RELOCATION_FIELDS, "x"]), VALUES, max_size=6),
       st.none() | st.dictionaries(st.sampled_from(replacement_fields(SCHEDULE)), VALUES, max_size=3))
def test_junk_mixed_through_a_whole_case(items, relocation, replacement) -> None:
    """Several lines and both blocks spoilt at once."""
    data = {"items": [*items, HOST], "relocation": relocation, "replacement": replacement}
    for call in case_calls(data):
        assert attempt(call, compensation_problem) is None
    assert attempt(lambda: compute(case_from_dict({"items": relocation})), compensation_problem) is None


@MIXED
@given(VALUES, st.lists(st.dictionaries(st.sampled_from(["use", "area_m2", "area_mu", "term_years", "x"]), VALUES,
                                        max_size=3), max_size=3),
       st.dictionaries(st.sampled_from([*land_actions.CORRECTION_FIELDS, "term_years", "basis"]), VALUES, max_size=4))
def test_junk_mixed_through_a_whole_parcel(grade, parts, corrections) -> None:
    for data in ({"grade": grade, "parts": parts, "corrections": corrections},
                 {"grade": 2, "parts": [{"use": "住宅用地", "area_m2": grade}], "corrections": corrections}):
        assert attempt(lambda: parcel_json(price_parcel(parcel_from_dict(data))), parcel_problem) is None


# --- the case: its blocks, its file, and the app's actions on it ------------------------------------

def test_junk_in_every_part_of_a_case() -> None:
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []
    for junk in JUNK:
        spoilt_cases = [("the whole case", junk)]
        spoilt_cases += [(name, {**example, name: junk}) for name in
                         ("schedule", "case_id", "assessed_on", "household", "assessor", "items", "relocation",
                          "replacement")]
        spoilt_cases += [(f"relocation.{name}", {**example, "relocation": {**example["relocation"], name: junk}})
                         for name in RELOCATION_FIELDS]
        spoilt_cases += [(f"household.{name}", {**example, "household": {**example["household"], name: junk}})
                         for name in ("head", "address", "id_number", "phone")]
        spoilt_cases += [("items[]", {**example, "items": [*example["items"], junk]})]
        for where, data in spoilt_cases:
            for call in case_calls(data):
                collect(f"{where}={shown(junk)}", attempt(call, compensation_problem), found)
    settle(found)


@pytest.mark.parametrize("content", [
    b"", b"\xef\xbb\xbf", b"\xff\xfe{\x00}\x00", b"PK\x03\x04junk", b"{", b"[]", b"null", b"{}", b'{"items": 5}',
    b'{"items": [], "items": []}', b"[" * 10_000 + b"]" * 10_000, b'{"items": [{"item": "\\ud800"}]}',
    b'{"relocation": {"building_area_m2": 1e999999}}', b'{"items": [{"item": "x", "quantity": -0.0}]}',
    b"\x00" * 64, b"{" + b" " * (CASE_FILE_MAX_BYTES + 1) + b"}",
], ids=lambda content: shown(content))
def test_junk_case_and_parcel_files_are_refused_or_read(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "junk.json"
    path.write_bytes(content)
    assert attempt(lambda: compute(case_from_dict(read_json(path, CASE_FILE_MAX_BYTES, "案例文件"))),
                   compensation_problem) is None
    assert attempt(lambda: case_from_json(content.decode("utf-8", "replace"))) is None
    assert attempt(lambda: parcel_json(price_parcel(parcel_from_dict(read_json(path, PARCEL_FILE_MAX_BYTES, "地块文件")))),
                   parcel_problem) is None
    assert attempt(lambda: land_actions.open_parcel(path)) is None


def test_junk_through_the_apps_actions_on_a_case() -> None:
    """What the 补偿测算 tab does with each value typed into a cell: set it, price the case leniently,
    number the lines, show the standard, ask for a reason, sum the house area, offer hosts."""
    fields = ("item", "quantity", "rate", "override_reason", "disputed", "note", "attached_to", "depth_m")
    found: list[tuple[str, str]] = []
    for junk in JUNK:
        for field in fields:
            case = case_from_json(EXAMPLE.read_text(encoding="utf-8"))
            index = 3  # 歇厦、雨搭 attached to 附属平房/砖混结构
            actions.set_value(case, ("items", index, field), junk)
            calls = {
                "evaluate": (lambda: evaluate(case, SCHEDULE), compensation_problem),
                "sheet_numbers": (lambda: sheet_numbers(case, SCHEDULE), None),
                "line_standard": (lambda: actions.line_standard(case, SCHEDULE, index), None),
                "reason_required": (lambda: actions.reason_required(case, SCHEDULE, index, {field: junk}),
                                    lambda error: error and refusal_problem(error)),
                "host_choices": (lambda: actions.host_choices(case, SCHEDULE, index), None),
                "house_area": (lambda: actions.house_area(case, SCHEDULE),
                               lambda area: None if isinstance(area, Decimal) and area >= 0 else f"area {area!r}"),
                "decimal_text": (lambda: actions.decimal_text(junk),
                                 lambda text: None if isinstance(text, str) else f"text {text!r}"),
            }
            for name, (call, check) in calls.items():
                collect(f"{name} items[{index}].{field}={shown(junk)}", attempt(call, check), found)
        case = case_from_json(EXAMPLE.read_text(encoding="utf-8"))
        actions.set_value(case, ("replacement", "main_house_area_m2"), junk)
        collect(f"house_area replacement.main_house_area_m2={shown(junk)}",
                attempt(lambda: actions.house_area(case, SCHEDULE)), found)
    settle(found)


# --- land ---------------------------------------------------------------------------------------------

def test_junk_in_every_part_of_a_parcel() -> None:
    sound = {"grade": 2, "parts": [{"use": "住宅用地", "area_m2": "700", "term_years": "50"}],
             "corrections": {"reduction_rate": "0.06", "factor_pct": "3"}, "cost_floor_total": "200000"}
    assert attempt(lambda: parcel_json(price_parcel(parcel_from_dict(sound))), parcel_problem) is None
    found: list[tuple[str, str]] = []
    for junk in JUNK:
        spoilt = [("the whole parcel", junk)]
        spoilt += [(name, {**sound, name: junk}) for name in
                   ("grade", "parts", "corrections", "cost_floor_total", "table", "reference", "location")]
        spoilt += [(f"parts[0].{name}", {**sound, "parts": [{**sound["parts"][0], name: junk}]})
                   for name in ("use", "area_m2", "area_mu", "term_years")]
        spoilt += [(f"corrections.{name}", {**sound, "corrections": {**sound["corrections"], name: junk}})
                   for name in (*land_actions.CORRECTION_FIELDS, "term_years", "basis")]
        for where, data in spoilt:
            collect(f"{where}={shown(junk)}", attempt(lambda: parcel_json(price_parcel(parcel_from_dict(data))),
                                                      parcel_problem), found)
            collect(f"{where}={shown(junk)}", attempt(lambda: land_actions.draft_from_dict(data)), found)
    settle(found)


def draft_price_problem(priced: land_actions.DraftPrice) -> str | None:
    refusals = [problem.error for problem in priced.left_out] + ([priced.error] if priced.error else [])
    return (next((p for p in map(refusal_problem, refusals) if p), None)
            or (parcel_problem(parcel_json(priced.price)) if priced.price is not None else None)
            or attempt(lambda: parcel_json(priced.whole()), parcel_problem))


def test_junk_typed_into_the_land_workspace(tmp_path: Path) -> None:
    """Each text field of the 地价测算 form: a part's area (in m² and in 亩) and term, every correction,
    the cost floor; each draft saved as a parcel file and opened again; then the unit switched both ways."""
    parts = (land_actions.PartDraft("商服用地", "300"), land_actions.PartDraft("住宅用地", "700"))
    sound = land_actions.ParcelDraft(parts=parts, corrections={**land_actions.CORRECTION_DEFAULTS, "reduction_rate": "0.06"})
    assert draft_price_problem(land_actions.price_draft(sound)) is None
    saved = tmp_path / "地块.json"
    found: list[tuple[str, str]] = []
    for junk in TEXT_JUNK:
        for unit in (land_actions.M2, land_actions.MU):
            part = land_actions.PartDraft("住宅用地", junk, unit, term=junk)
            drafts = [dataclasses.replace(sound, parts=(sound.parts[0], part)),
                      dataclasses.replace(sound, parts=(land_actions.PartDraft(junk, "100", unit),)),
                      dataclasses.replace(sound, cost_floor_total=junk, reference=junk, location=junk)]
            drafts += [dataclasses.replace(sound, corrections={**sound.corrections, name: junk})
                       for name in land_actions.CORRECTION_FIELDS]
            for draft in drafts:
                collect(f"{unit} {shown(junk)}", attempt(lambda: land_actions.price_draft(draft), draft_price_problem),
                        found)
                collect(f"saved and opened {unit} {shown(junk)}", attempt(lambda: (
                    land_actions.save_parcel(draft, saved), land_actions.open_parcel(saved))), found)
            collect(f"typed {unit} {shown(junk)}", attempt(lambda: land_actions.set_area_text(part, junk).area_m2()),
                    found)
            for target in (land_actions.M2, land_actions.MU, junk):
                collect(f"switch {unit}→{shown(target)} {shown(junk)}",
                        attempt(lambda: land_actions.switch_unit(part, target).shown()), found)
    settle(found)


# --- the 台账 -----------------------------------------------------------------------------------------

# File names as typed or passed on the command line, relative to the test's own folder: none, the folder
# itself, a missing folder, too long for the file system, not UTF-8 (read with surrogateescape), a bidi
# override, a file that is no project, an empty file, a folder.
PATH_JUNK = ("", ".", "abc", "不存在的目录/项目.landcomp", "x" * 300, "\udcff.landcomp", "名\u202e称", "垃圾.landcomp",
             "空.landcomp", "子目录")


@pytest.fixture
def project(tmp_path):
    """A project file holding 户号 0001 with the example household computed (546,616.30)."""
    opened = create_project(tmp_path / "堡子片区.landcomp", "堡子片区", "李明")
    opened.save_case("0001", case_from_json(EXAMPLE.read_text(encoding="utf-8")))
    yield opened
    opened.close()


def test_junk_through_the_ledgers_actions(project, tmp_path: Path, monkeypatch) -> None:
    household = project.find_household("0001")
    example = case_from_json(EXAMPLE.read_text(encoding="utf-8"))
    total = lambda totals: fen_problem(totals.total, totals.incentive)
    found: list[tuple[str, str]] = []
    project.save_case("0777", example)
    edited = project.find_household("0777").id
    for junk in JUNK:  # typed into a line of a household opened from the 台账, then saved back
        for field in ("item", "quantity", "rate", "note"):
            def save_edited():
                stored, case = open_stored(project.store, edited, SCHEDULE.id)
                actions.set_value(case, ("items", 0, field), junk)
                return save_stored(stored, case, SCHEDULE)
            collect(f"save_stored items[0].{field}={shown(junk)}", attempt(save_edited), found)
    for junk in TEXT_JUNK:
        calls = {
            "project_path": lambda: project_path(junk),
            "normal_fingerprint": lambda: normal_fingerprint(junk),
            "LedgerQuery(status)": lambda: LedgerQuery(status=junk),
            "page(text)": lambda: project.page(LedgerQuery(text=junk), 0),
            "count(text)": lambda: project.count(LedgerQuery(text=junk)),
            "summary(text)": lambda: project.summary(LedgerQuery(text=junk)),
            "page(sort)": lambda: project.page(LedgerQuery(sort=junk), 0),
            "find_household": lambda: project.find_household(junk),
            "register_household(number)": lambda: project.register_household(junk, "王建国", ""),
            "register_household(head, address)": lambda: project.register_household("0900", junk, junk),
            "check_sheet": lambda: project.check_sheet(junk),
            "sign": lambda: project.sign(household.id, junk),
            "save_case(number)": lambda: project.save_case(junk, example),
            "save_case(reason)": lambda: project.save_case("0001", example, reason=junk),
            "pay(batch)": lambda: project.pay([household.id], junk),
        }
        for name, call in calls.items():
            collect(f"{name} {shown(junk)}", attempt(call, total if name.startswith("summary") else None), found)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "垃圾.landcomp").write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    (tmp_path / "空.landcomp").write_bytes(b"")
    (tmp_path / "子目录").mkdir()
    for junk in PATH_JUNK:
        target = Path(junk)
        calls = {
            "create_project(path)": lambda: create_project(target, "项目", "李明").close(),
            "create_project(name, actor)": lambda: create_project("新.landcomp", junk, junk).close(),
            "open_project": lambda: open_project(target, "李明").close(),
            "backup": lambda: project.backup(target),
            "restore": lambda: project.restore(target, "20231123-120000"),
            "read_survey": lambda: list(project.read_survey(target, SCHEDULE).households()),
            "export_ledger": lambda: project.export_ledger(LedgerQuery(), target),
            "write_survey_template": lambda: project.write_survey_template(target, SCHEDULE),
            "write_sheets": lambda: project.write_sheets(None, target),
        }
        for name, call in calls.items():
            collect(f"{name} {shown(junk)}", attempt(call), found)
            Path("新.landcomp").unlink(missing_ok=True)
    settle(found)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04junk", b"\x00" * 4096, b"<xml/>", b"a,b,c\n1,2,3\n"],
                         ids=["empty", "a broken zip", "zeros", "xml", "csv"])
def test_a_junk_survey_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "调查表.xlsx"
    path.write_bytes(content)
    assert attempt(lambda: read_survey(path, SCHEDULE)) is None


def test_junk_typed_into_every_column_of_the_survey(project, template, tmp_path: Path) -> None:
    """Each cell of a household row filled with junk, one column at a time: the survey reads every
    household or names its problem, and what the 台账 reads of it, streamed, imports or is refused cleanly."""
    book = load_workbook(template)
    sheet = book[SURVEY_SHEET]
    headings = [cell.value for cell in sheet[1]]
    sound = {"户号": "0001", "户主": "王建国", "项目": "附属平房/砖木结构(含混合结构)", "数量": 24.6}
    rows = 2
    for column, heading in enumerate(headings, start=1):
        for junk in (None, "", "abc", -1, 10**30, 1e308, "a\u202eb", "9" * 300, "NaN", "2023-02-30"):
            for name, value in sound.items():
                sheet.cell(rows, headings.index(name) + 1, value)
            sheet.cell(rows, 1, f"{rows:04d}")
            sheet.cell(rows, column, junk)
            rows += 1
    path = tmp_path / "调查表.xlsx"
    book.save(path)
    survey = read_survey(path, SCHEDULE)
    numbered = {f"{row:04d}" for row in range(2, rows) if (row - 2) // 10 != 0}  # the rows whose 户号 was not junk
    assert numbered <= {household.number for household in survey.households} | set(survey.rejected)
    found = [(f"{problem.row}「{problem.column}」", f"not bilingual {problem.zh!r} / {problem.en!r}")
             for problem in survey.problems if not (CJK.search(problem.zh) and re.search(r"[A-Za-z]{2}", problem.en))]
    for household in survey.households:
        collect(household.number, fen_problem(household.total), found)
        collect(household.number, attempt(lambda: compute(household.case), compensation_problem), found)
    reading = project.read_survey(path, SCHEDULE)  # the 台账's way: each household checked as it is taken
    collect("import", attempt(lambda: project.import_survey(reading.households())), found)
    assert (reading.problems, reading.rejected) == (survey.problems, survey.rejected)
    settle(found)
