"""A survey's households streamed to the import: the rows held packed until each household is checked,
the same households and problems as reading the survey whole, and all or nothing for an import that
takes them one at a time (`landcomp ledger import`)."""
from __future__ import annotations

import datetime as dt

import pytest

from calculator.app.survey import reading as survey_reading, sheet as survey_sheet
from calculator.core.errors import InputError
from calculator.app.survey import SURVEY_SHEET, SurveyHousehold, import_survey, plan_import, read_survey, stream_survey
from calculator.app.survey.households import RowSpool
from test_ledger_cli import ledger, listed, project  # noqa: F401 — the project fixture, made by the command
from test_survey import CAVE, EXAMPLE_TOTAL, example_rows, fill

HOUSE = "附属平房/砖木结构(含混合结构)"


def test_the_spool_gives_a_households_rows_back_in_order_whatever_came_between():
    spool = RowSpool()
    typed = [(0, "A1"), (9, HOUSE), (10, 86.4), (11, 760), (14, True), (20, dt.datetime(2023, 6, 12)),
             (21, dt.time(8, 30)), (22, survey_sheet.FORMULA_PENDING)]
    spool.add("A1", (2, typed))
    spool.add("B2", (3, [(0, "B2"), (10, 12.5)]))
    spool.add("A1", (4, [(0, "A1"), (9, "围墙/砖围墙")]))
    assert spool.rows("A1") == [(2, typed), (4, [(0, "A1"), (9, "围墙/砖围墙")])]
    assert spool.rows("B2") == [(3, [(0, "B2"), (10, 12.5)])] and spool.rows("C3") == []
    assert spool.rows("A1")[0][1][-1][1] is survey_sheet.FORMULA_PENDING   # still the one marker


def mixed(template, path):
    """A1's rows apart, B2 with a problem, C3 good: the households read in order A1, B2, C3."""
    return fill(template, path, [
        {"户号": "A1", "户主": "张三", "项目": HOUSE, "数量": 10},
        {"户号": "B2", "项目": HOUSE, "数量": -3},
        {"户号": "C3", "户主": "王五", **CAVE},
        {"户号": "A1", "项目": "围墙/砖围墙", "数量": 20, "单价": 65},
    ])


def test_a_streamed_survey_gives_what_reading_it_whole_gives_each_time_it_is_taken(template, tmp_path):
    path = mixed(template, tmp_path / "s.xlsx")
    whole = read_survey(path)
    reading = stream_survey(path)
    for _ in range(2):   # the import preview takes the households, then the import takes them again
        taken = list(reading.households())
        assert [(h.number, h.rows, h.total, h.warnings) for h in taken] == [
            (h.number, h.rows, h.total, h.warnings) for h in whole.households]
        assert [h.case for h in taken] == [h.case for h in whole.households]
    assert [h.number for h in taken] == ["A1", "C3"] and taken[0].rows == (2, 5)
    assert reading.problems == whole.problems and [(p.row, p.column) for p in reading.problems] == [(3, "数量")]
    assert reading.rejected == whole.rejected == ("B2",) and reading.report() == whole.report()


def test_asking_for_the_problems_first_checks_every_household(template, tmp_path):
    path = mixed(template, tmp_path / "s.xlsx")
    reading = stream_survey(path)
    assert [(p.row, p.column) for p in reading.problems] == [(3, "数量")]
    assert reading.importable == 2 and "2 户可导入,1 户有问题未导入" in reading.report()


def test_hidden_content_is_known_as_soon_as_the_sheet_is_read(template, tmp_path, monkeypatch):
    path = mixed(template, tmp_path / "s.xlsx")
    from openpyxl import load_workbook
    book = load_workbook(path)
    book[SURVEY_SHEET].row_dimensions[4].hidden = True
    book.save(path)
    reading = stream_survey(path)
    monkeypatch.setattr(survey_reading._Reader, "finish", lambda *a: pytest.fail("a household was checked"))
    assert [(p.row, p.column, p.hidden) for p in reading.hidden] == [(4, "", True)]


@pytest.mark.backends("sqlite", "postgres")
def test_a_problem_in_a_later_household_undoes_what_the_import_saved_before_it(template, tmp_path, store):
    project = store.create_project("堡子片区")
    path = fill(template, tmp_path / "s.xlsx", example_rows("0001") + [{"户号": "0002", "项目": HOUSE, "数量": -3}])
    taken = []

    def watched(households):
        for household in households:
            taken.append(household.number)
            yield household

    with pytest.raises(InputError) as refused:
        import_survey(store, project.id, watched(stream_survey(path).all_or_none()))
    assert taken == ["0001"]                      # 0001 was saved before 0002's problem showed …
    assert store.ledger(project.id) == []         # … and nothing of it was kept
    assert "调查表有 1 处问题,未导入" in refused.value.zh and "1 户可导入,1 户有问题未导入" in refused.value.zh
    assert f"{SURVEY_SHEET} 第{len(example_rows('0001')) + 2}行「数量」" in refused.value.zh


def test_a_survey_without_a_problem_is_imported_in_one_pass(template, tmp_path, store):
    project = store.create_project("堡子片区")
    path = fill(template, tmp_path / "s.xlsx", example_rows("0001") + [{"户号": "0002", "户主": "王五", **CAVE}])
    summary = import_survey(store, project.id, stream_survey(path).all_or_none())
    assert summary.added == ("0001", "0002") and [step.text() for step in summary.steps] == ["新增", "新增"]
    ledger_rows = {row.number: row for row in store.ledger(project.id)}
    assert ledger_rows["0001"].total == summary.steps[0].household.total == EXAMPLE_TOTAL
    assert summary.steps[1].household.head == "王五" and summary.steps[1].household.rows == str(2 + len(
        example_rows("0001")))


def test_one_number_given_twice_to_an_import_is_refused_and_nothing_is_kept(template, tmp_path, store):
    project = store.create_project("堡子片区")
    [household] = read_survey(fill(template, tmp_path / "s.xlsx", [{"户号": "0005", **CAVE}])).households
    twice = [household, SurveyHousehold("5", household.case, household.rows, household.result)]
    for attempt in (lambda: plan_import(store, project.id, iter(twice)),
                    lambda: import_survey(store, project.id, iter(twice))):
        with pytest.raises(InputError, match="导入中户号重复: 0005、5"):
            attempt()
    assert store.ledger(project.id) == []


@pytest.mark.backends("sqlite", "postgres")
def test_the_command_imports_nothing_of_a_survey_whose_last_household_has_a_problem(tmp_path, project):  # noqa: F811
    assert ledger(tmp_path, "template", tmp_path / "t.xlsx").returncode == 0
    rows = example_rows("0001") + [{"户号": "0002", "项目": HOUSE, "数量": -3}]
    survey = fill(tmp_path / "t.xlsx", tmp_path / "s.xlsx", rows)
    for options in ((), ("--dry-run",), ("--json",)):
        refused = ledger(tmp_path, "import", project, survey, *options)
        assert refused.returncode == 2 and refused.stdout == ""
        assert "调查表有 1 处问题,未导入" in refused.stderr and f"第{len(rows) + 1}行「数量」" in refused.stderr
        assert "0002" in refused.stderr and "nothing was imported" in refused.stderr
    assert listed(tmp_path, project)["households"] == []
