"""The loaders refuse a broken data file and say which file and which row; the domain stays pure."""
from __future__ import annotations

import ast
import re
import shutil
import sys
from pathlib import Path

import pytest

from calculator.core.errors import TableError
from calculator.engine.schedules import read_land_table, read_schedule

REPO = Path(__file__).resolve().parent.parent
TABLES = REPO / "tables"
SCHEDULE_FILE = "baozi-2023.toml"
CATALOG_FILE = "baozi-2023-catalog-keys.txt"
LAND_FILE = "wutai-2022.toml"


def broken_copy(tmp_path: Path, name: str, old: str, new: str, *, extra: tuple[str, ...] = ()) -> Path:
    """A copy of tables/`name` (and `extra` files) in tmp_path with `old` replaced once by `new`."""
    for other in extra:
        shutil.copy(TABLES / other, tmp_path / other)
    text = (TABLES / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"the text to break must occur exactly once: {old!r}"
    target = tmp_path / name
    target.write_text(text.replace(old, new), encoding="utf-8")
    return target


def schedule_error(tmp_path: Path, old: str, new: str) -> str:
    path = broken_copy(tmp_path, SCHEDULE_FILE, old, new, extra=(CATALOG_FILE,))
    with pytest.raises(TableError) as caught:
        read_schedule(path)
    return str(caught.value)


def land_error(tmp_path: Path, old: str, new: str) -> str:
    path = broken_copy(tmp_path, LAND_FILE, old, new)
    with pytest.raises(TableError) as caught:
        read_land_table(path)
    return str(caught.value)


def test_unbroken_copies_load(tmp_path: Path) -> None:
    schedule = read_schedule(broken_copy(tmp_path, SCHEDULE_FILE, 'id = "baozi-2023"', 'id = "baozi-2023"',
                                         extra=(CATALOG_FILE,)))
    assert len(schedule.items) == 155
    land = read_land_table(broken_copy(tmp_path, LAND_FILE, 'id = "wutai-2022"', 'id = "wutai-2022"'))
    assert len(land.rows) == 16


# --- the compensation schedule --------------------------------------------------------------------

# (what is broken, text replaced, replacement, the row the message must name, what it must say)
SCHEDULE_BREAKS = [
    ("unknown rule kind",
     'key = "附属平房/砖混结构"\nsection = "一(一)"\nkind = "unit_rate"',
     'key = "附属平房/砖混结构"\nsection = "一(一)"\nkind = "unit_rates"',
     "item[3] 附属平房/砖混结构", "unknown rule kind"),
    ("missing rate",
     'key = "检查井"\nsection = "一(一)"\nkind = "unit_rate"\nunit = "个"\nrate = "1200"\n',
     'key = "检查井"\nsection = "一(一)"\nkind = "unit_rate"\nunit = "个"\n',
     "检查井", "exactly one of rate or range"),
    ("range with min > max",
     'range = ["600", "700"]\nsource = "窑洞 砖石窑洞', 'range = ["700", "600"]\nsource = "窑洞 砖石窑洞',
     "item[6] 窑洞/砖石窑洞", "range low 700 is not below high 600"),
    ("range with min = max",
     'range = ["600", "700"]\nsource = "窑洞 砖石窑洞', 'range = ["700", "700"]\nsource = "窑洞 砖石窑洞',
     "item[6] 窑洞/砖石窑洞", "not below"),
    ("rate and range both",
     'rate = "1200"\nsource = "检查井', 'rate = "1200"\nrange = ["1", "2"]\nsource = "检查井',
     "检查井", "exactly one of rate or range"),
    ("rate not written as a string",
     'rate = "1200"\nsource = "检查井', 'rate = 1200\nsource = "检查井', "检查井", "written as a string"),
    ("rate not a number",
     'rate = "1200"\nsource = "检查井', 'rate = "一千二"\nsource = "检查井', "检查井", "not a number"),
    ("negative rate",
     'rate = "1200"\nsource = "检查井', 'rate = "-1200"\nsource = "检查井', "检查井", "must not be negative"),
    ("brackets not increasing",
     'brackets = [{ upto = "1.2", rate = "90" }, { upto = "1.5", rate = "130" }',
     'brackets = [{ upto = "1.5", rate = "90" }, { upto = "1.2", rate = "130" }',
     "菜窖/砖石", "not increasing"),
    ("bracket with upto and below",
     '{ below = "200", rate = "2650" }', '{ upto = "200", below = "200", rate = "2650" }',
     "家用采暖锅炉", "either upto or below"),
    ("open-ended bracket before the last",
     '{ upto = "1.2", rate = "30" }', '{ rate = "30" }', "菜窖/土质", "only the last bracket is open-ended"),
    ("unknown field in an item",
     'rate = "1200"\nsource = "检查井', 'rate = "1200"\ncolour = "red"\nsource = "检查井',
     "检查井", "unknown field(s) colour"),
    ("unknown field in a bracket",
     '{ upto = "5", rate = "3000" }', '{ upto = "5", rate = "3000", rat = "1" }', "砖土人工井", "unknown field(s) rat"),
    ("unknown section",
     'key = "检查井"\nsection = "一(一)"', 'key = "检查井"\nsection = "一(四)"', "检查井", "unknown section"),
    ("undeclared parameter",
     'param = "column_height_m"', 'param = "column_height_cm"', "大牲畜杂棚", "not declared in [params]"),
    ("stage price not a number",
     '"盛果期" = "400"', '"盛果期" = "四百"', "葡萄", "not a number"),
    ("decoration range inverted",
     'range = ["50", "60"]\nparam = "decoration_pct"\npct_range = ["20", "40"]',
     'range = ["50", "60"]\nparam = "decoration_pct"\npct_range = ["40", "20"]',
     "室外台阶或楼梯/砖台阶", "pct_range"),
    ("share above 100%", 'share = "0.5"', 'share = "1.5"', "歇厦、雨搭", "share must lie in (0, 1]"),
    ("increment row with a range",
     'brackets = [{ upto = "7", rate = "25" }', 'brackets = [{ upto = "7", range = ["20", "25"] }',
     "用材树/杨树", "fixed prices only"),
    ("relocation bracket with a range",
     'brackets = [{ upto = "30", rate = "300" }, { rate = "10", times = "building_area_m2" }]',
     'brackets = [{ upto = "30", range = ["300", "400"] }, { rate = "10", times = "building_area_m2" }]',
     "[relocation.moving]", "fixed amounts"),
    ("duplicate key",
     'key = "旱井"', 'key = "检查井"', "item[78]", "duplicate item key '检查井'"),
    ("unknown top-level table",
     '[sections]', '[sectoins]\n"一(一)" = "房屋、附属设施"\n\n[sections]', "[sectoins]", "unknown table"),
    ("unknown relocation part",
     '[relocation.incentive]', '[relocation.bonus]\nparam = "days"\n\n[relocation.incentive]',
     "[relocation.bonus]", "unknown table"),
]


@pytest.mark.parametrize("old, new, row, says", [b[1:] for b in SCHEDULE_BREAKS], ids=[b[0] for b in SCHEDULE_BREAKS])
def test_broken_schedule_names_file_and_row(tmp_path: Path, old: str, new: str, row: str, says: str) -> None:
    message = schedule_error(tmp_path, old, new)
    assert SCHEDULE_FILE in message
    assert row in message
    assert says in message


def test_a_parameter_named_as_a_line_field_is_refused(tmp_path: Path) -> None:
    """A line's parameters and its own fields (note, rate …) share the line's keys: a 菜窖 measured by a "note" could
    not tell the depth typed from the note written, so the row is refused."""
    path = broken_copy(tmp_path, SCHEDULE_FILE, 'param = "depth_m"\nbrackets = [{ upto = "1.2", rate = "90" }',
                       'param = "note"\nbrackets = [{ upto = "1.2", rate = "90" }', extra=(CATALOG_FILE,))
    path.write_text(path.read_text(encoding="utf-8").replace(
        "[params]\n", '[params]\nnote = { label = "深度", unit = "m" }\n', 1), encoding="utf-8")
    with pytest.raises(TableError) as caught:
        read_schedule(path)
    assert "菜窖/砖石" in str(caught.value) and "parameter note names another field of a line" in str(caught.value)


def test_item_missing_from_the_schedule_is_named(tmp_path: Path) -> None:
    block = '[[item]]\nkey = "检查井"\nsection = "一(一)"\nkind = "unit_rate"\nunit = "个"\nrate = "1200"\n' \
            'source = "检查井 1200 元 / 个"\n\n'
    message = schedule_error(tmp_path, block, "")
    assert SCHEDULE_FILE in message
    assert "catalog keys missing: 检查井" in message


def test_key_missing_from_the_catalog_list_is_named(tmp_path: Path) -> None:
    shutil.copy(TABLES / SCHEDULE_FILE, tmp_path / SCHEDULE_FILE)
    catalog = (TABLES / CATALOG_FILE).read_text(encoding="utf-8")
    assert catalog.count("\n旱井\n") == 1
    (tmp_path / CATALOG_FILE).write_text(catalog.replace("\n旱井\n", "\n"), encoding="utf-8")
    with pytest.raises(TableError) as caught:
        read_schedule(tmp_path / SCHEDULE_FILE)
    assert SCHEDULE_FILE in str(caught.value)
    assert "keys not in the catalog: 旱井" in str(caught.value)


def test_missing_catalog_list_is_named(tmp_path: Path) -> None:
    shutil.copy(TABLES / SCHEDULE_FILE, tmp_path / SCHEDULE_FILE)
    with pytest.raises(TableError, match="catalog key list") as caught:
        read_schedule(tmp_path / SCHEDULE_FILE)
    assert SCHEDULE_FILE in str(caught.value)


def test_malformed_toml_is_named(tmp_path: Path) -> None:
    message = schedule_error(tmp_path, 'key = "旱井"', 'key = "旱井')
    assert "cannot read the data file" in message


# --- readings: the English one is provenance, the Chinese one is what an assessor reads ---------

# An English word of 3+ letters; unit symbols (m, m², cm) and rule tags (R3) are shorter.
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def test_every_reading_has_a_chinese_rendering_without_english_words() -> None:
    schedule = read_schedule(TABLES / SCHEDULE_FILE)
    rules = [schedule.relocation.moving, schedule.relocation.temporary, schedule.relocation.incentive]
    rows = [(item.key, item.reading, item.reading_zh) for item in schedule.items.values()]
    rows += [(f"[relocation] {rule.param}", rule.reading, rule.reading_zh) for rule in rules]
    read = [(key, zh) for key, reading, zh in rows if reading]
    assert len(read) == 67 and len({zh for _, zh in read}) == 33   # the rows with a reading, their distinct texts
    for key, reading, zh in rows:
        assert bool(reading) == bool(zh), key
        assert not ENGLISH_WORD.findall(zh), (key, ENGLISH_WORD.findall(zh))
        assert "_" not in zh, key   # no field name of the case file (area_m2): its Chinese label instead
    assert schedule.items["养殖临时安置补助"].reading_zh == (
        "数量 = 处数,面积 = 每处的面积;补助 = 3个月 × 每月标准(面积 <30 m²:每处每月300元;"
        "面积 ≥30 m²:按面积每平方米每月4元)")


READING_BREAKS = [
    ("reading without reading_zh", 'reading_zh = "干砌的取值靠近下限,水泥砌的靠近上限;具体单价由评估人员确定"\n', "",
     "石坝", "field reading without field reading_zh"),
    ("reading_zh without reading", 'reading = "干砌 toward the lower end, 水泥砌 toward the upper; the assessor\'s rate"\n',
     "", "石坝", "field reading_zh without field reading"),
    ("relocation reading without reading_zh",
     'reading_zh = "搬迁天数 = 搬迁日期 − 支付日期;≤30天奖励50000元;(30,45]天奖励30000元;其余情形或缺少任一日期的为0;'
     '支付前已搬迁的按30日内计"\n', "", "[relocation.incentive]", "field reading without field reading_zh"),
]


@pytest.mark.parametrize("old, new, row, says", [b[1:] for b in READING_BREAKS], ids=[b[0] for b in READING_BREAKS])
def test_a_reading_is_refused_without_its_other_language(tmp_path: Path, old: str, new: str, row: str,
                                                          says: str) -> None:
    message = schedule_error(tmp_path, old, new)
    assert SCHEDULE_FILE in message and row in message and says in message
    assert "缺少字段" in message   # the Chinese half, as every loader message has one

# --- the land tables --------------------------------------------------------------------------------

LAND_BREAKS = [
    ("万元/亩 not matching",
     'benchmark = ["492", "32.8"]', 'benchmark = ["492", "32.9"]',
     "grade[5] 住宅用地 2级", "492 yuan/m² is 32.8 wan/mu, the table says 32.9"),
    ("grade n+1 upper is not grade n lower",
     'upper = ["420", "28.0", "20.69"]', 'upper = ["421", "28.1", "20.98"]',  # 421/348 − 1 = 20.98%
     "住宅用地", "住宅用地 grade 3 upper limit 421 is not grade 2's lower limit 420"),
    ("percentage mismatch not declared",
     '[[discrepancy]]\nuse = "工业用地"\ngrade = 4\nnote = "189/164 − 1 = 15.24% (公布 15.32%); 147/164 − 1 = −10.37% '
     '(公布 −10.31%); 与未取整的基准地价≈163.9相符"\n', '',
     "grade[11] 工业用地 4级", "published percentages do not follow from the prices"),
    ("a published percentage altered",
     'lower = ["420", "28.0", "-14.63"]', 'lower = ["420", "28.0", "-14.64"]',
     "grade[5] 住宅用地 2级", "published percentages do not follow from the prices"),
    ("discrepancy declared on a matching row",
     '[[discrepancy]]\nuse = "工业用地"\ngrade = 4\n', '[[discrepancy]]\nuse = "工业用地"\ngrade = 3\n',
     "grade[10] 工业用地 3级", "a row listed as a discrepancy actually matches"),
    ("benchmark above the upper limit",
     'benchmark = ["550", "36.7"]', 'benchmark = ["700", "46.7"]', "grade[1] 商服用地 2级",
     "expected lower < benchmark < upper"),
    ("unknown use",
     'use = "商服用地"\ngrade = 3', 'use = "商业用地"\ngrade = 3', "grade[2] 商业用地 3级", "unknown use"),
    ("unknown field in a grade row",
     'benchmark = ["312", "20.8"]', 'benchmark = ["312", "20.8"]\nnote = "x"', "grade[3] 商服用地 4级",
     "unknown field(s) note"),
    ("a cell missing",
     'benchmark = ["312", "20.8"]', 'benchmark = ["312"]', "grade[3] 商服用地 4级", "wrong number of cells"),
    ("a price not a string",
     'benchmark = ["312", "20.8"]', 'benchmark = [312, "20.8"]', "grade[3] 商服用地 4级", "written as a string"),
    ("unknown top-level table",
     '[[use]]\nkey = "商服用地"', '[[uses]]\nkey = "商服用地"\n\n[[use]]\nkey = "商服用地"', "[[uses]]", "unknown table"),
    ("mu written wrongly",
     'square_metres_per_mu = "10000/15"', 'square_metres_per_mu = "666.67"', "[schedule]", "10000/15"),
]


@pytest.mark.parametrize("old, new, row, says", [b[1:] for b in LAND_BREAKS], ids=[b[0] for b in LAND_BREAKS])
def test_broken_land_table_names_file_and_row(tmp_path: Path, old: str, new: str, row: str, says: str) -> None:
    message = land_error(tmp_path, old, new)
    assert LAND_FILE in message
    assert row in message
    assert says in message


def test_missing_grade_row_is_named(tmp_path: Path) -> None:
    text = (TABLES / LAND_FILE).read_text(encoding="utf-8")
    row = ('[[grade]]\nuse = "商服用地"\ngrade = 4\nupper = ["369", "24.6", "18.27"]\nbenchmark = ["312", "20.8"]\n'
           'lower = ["285", "19", "-8.65"]\n\n')
    assert text.count(row) == 1
    (tmp_path / LAND_FILE).write_text(text.replace(row, ""), encoding="utf-8")
    with pytest.raises(TableError) as caught:
        read_land_table(tmp_path / LAND_FILE)
    assert LAND_FILE in str(caught.value) and "missing 商服用地 grade 4" in str(caught.value)


# --- the domain is pure, and nothing reads the shared folder ----------------------------------------

GUI_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["calculator", "tables"])
def test_domain_never_imports_the_gui(package: str) -> None:
    files = sorted((REPO / package).rglob("*.py"))
    assert files
    for path in files:
        for name in imported_modules(path):
            top = name.split(".")[0]
            assert top not in GUI_MODULES, f"{path.relative_to(REPO)} imports {name}"


def loaded_by(code: str, packages: tuple[str, ...]) -> list[str]:
    """The modules of `packages` that a fresh interpreter has loaded after running `code` (which must succeed)."""
    import subprocess
    import sys
    script = f"{code}\nimport sys\nprint(sorted(m for m in sys.modules if m.split('.')[0] in {packages!r}))"
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    return ast.literal_eval(run.stdout.strip().splitlines()[-1])


def test_domain_imports_without_loading_qt() -> None:
    code = ("import calculator.commands.cli, calculator.engine.compensation, calculator.engine.landprice, calculator.engine.results, tables\n"
            "from calculator.engine.schedules import load_land_table, load_schedule\nload_schedule()\nload_land_table()")
    assert loaded_by(code, ("PySide6", "shiboken6", "ui")) == []


def test_the_data_never_imports_the_engine() -> None:
    """One direction between data and domain: calculator/ reads tables/; tables/ imports nothing of
    calculator/ (the rule kinds that read an item's own fields are handed to its loader)."""
    files = sorted((REPO / "tables").rglob("*.py"))
    assert len(files) >= 4  # __init__, rows, schedule, land
    for path in files:
        for name in imported_modules(path):
            assert name.split(".")[0] not in ("calculator", "ui"), f"{path.relative_to(REPO)} imports {name}"


def test_the_land_table_loads_without_the_engine() -> None:
    code = ("import tables, tables.rows, tables.schedule, tables.land\n"
            "table = tables.land.read_land_table(tables.HERE / tables.LAND_TABLES['wutai-2022'])\n"
            "assert len(table.rows) == 16, len(table.rows)")
    assert loaded_by(code, ("calculator", "ui")) == []


def test_each_item_keeps_the_rule_kind_that_read_it_through_the_start_up_cache() -> None:
    import pickle

    from calculator.rules import KINDS
    from calculator.engine.schedules import load_schedule
    from ui.schedules import pickled
    schedule = load_schedule()
    assert all(item.rule is KINDS[item.kind] for item in schedule.items.values())
    again = pickle.loads(pickled(schedule))
    assert again == schedule
    assert all(again.items[key].rule is KINDS[item.kind] for key, item in schedule.items.items())


def test_a_cached_schedule_pickled_before_a_field_was_added_is_parsed_again(tmp_path, monkeypatch) -> None:
    # A copy under the current name that lacks reading_zh (as one pickled before the field was added
    # would): not used, the TOML is read again and the copy written anew, whole.
    import pickle

    from calculator.engine.schedules import load_schedule
    from ui import schedules
    monkeypatch.setattr(schedules, "_cache_dir", lambda: tmp_path)
    file = tmp_path / f"schedule-baozi-2023-{schedules._fingerprint('baozi-2023')}.pickle"
    fresh = load_schedule()

    class OldRule:  # a relocation rule as pickled before: one field fewer
        def __reduce__(self):
            rule = fresh.relocation.incentive
            return type(rule), tuple(rule)[:-1]

    without_item_field = pickle.loads(schedules.pickled(fresh))
    for item in without_item_field.items.values():
        object.__delattr__(item, "reading_zh")
    without_rule_field = pickle.loads(schedules.pickled(fresh))
    object.__setattr__(without_rule_field, "relocation", without_rule_field.relocation._replace(incentive=OldRule()))
    for old in (without_item_field, without_rule_field):
        file.write_bytes(schedules.pickled(old))
        loaded = schedules._cached("baozi-2023")
        assert loaded == fresh and loaded.items["养殖临时安置补助"].reading_zh.startswith("数量 = 处数")
        assert loaded.relocation.incentive.reading_zh.startswith("搬迁天数")
        assert pickle.loads(file.read_bytes()) == fresh


TEXT_SUFFIXES = {".py", ".toml", ".txt", ".md", ".json", ".sh", ".cfg", ".ini", ".yml", ".yaml", ""}
SKIPPED_DIRS = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "build", "out"}


def project_files() -> list[Path]:
    files = []
    for path in REPO.rglob("*"):
        parts = set(path.relative_to(REPO).parts)
        if path.is_file() and not parts & SKIPPED_DIRS and not any(p.endswith(".egg-info") for p in parts) \
                and path.suffix in TEXT_SUFFIXES:
            files.append(path)
    return files


def test_nothing_in_the_project_refers_to_the_shared_folder() -> None:
    needles = (".." + "/shared", "/work/" + "shared", "..\\" + "shared")  # split so this file does not match
    files = project_files()
    assert any(p.name == "test_engine_tables.py" for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for needle in needles:
            assert needle not in text, f"{path.relative_to(REPO)} mentions {needle}"


def test_a_new_bundle_build_never_reads_the_schedule_an_older_build_cached(tmp_path, monkeypatch):
    # A bundle carries no sources to fingerprint: its program (which holds the code) stands for them.
    from ui import schedules
    program = tmp_path / "landcomp"
    program.write_bytes(b"build 1")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program))
    first = schedules._fingerprint("baozi-2023")
    assert schedules._fingerprint("baozi-2023") == first   # the same build finds its cache again
    program.write_bytes(b"build 2, a little longer")
    assert schedules._fingerprint("baozi-2023") != first


def test_a_section_whose_code_is_its_name_is_headed_once() -> None:
    """The text report and the picker read 评估项 评估项 (the sheet and the panel wrote it once, each its own way)."""
    from calculator.engine.schedules import load_schedule
    schedule = load_schedule()
    assert schedule.heading("一(一)") == "一(一) 房屋、附属设施" and schedule.heading("评估项") == "评估项"
    from calculator.engine.case import case_from_dict
    from calculator.engine.compensation import compute
    from calculator.formats.text_report import compensation_text
    text = compensation_text(compute(case_from_dict({"items": [{"item": "评估项/其他", "amount": "1", "basis": "x"}]})))
    assert "评估项 评估项" not in text and "\n评估项 " in text
