"""Field survey workbooks: the template assessors fill in, its reading, and its import into the project store.

One module for each part, each using only those listed before it:

- `columns`: the columns of 调查表, derived from the loaded schedule, and how each cell is read;
- `template`: the blank workbook the office hands out (调查表, 填写说明, 项目清单);
- `sheet`: 调查表 streamed out of a filled workbook, the workbook's size checked first;
- `values`: a cell's value as the case file takes it, and the 户号 as the project writes and compares it;
- `households`: what a reading gives (its households, checked as they are taken, and its problems);
- `reading`: the rows gathered into households, each household's case checked through the engine;
- `importing`: the accepted households saved into a project, in one transaction.

Callers take the names below from the package (`from calculator.app.survey import read_survey`).
"""
from calculator.app.survey.columns import GUIDE_SHEET, ITEMS_SHEET, SURVEY_SHEET, SurveyColumn, survey_columns
from calculator.app.survey.households import Survey, SurveyHousehold, SurveyProblem
from calculator.app.survey.importing import (
    ADD, FIRST_VERSION, REFUSED, STEP_LABELS, UNCHANGED, ImportStep, ImportSummary, import_survey, plan_import,
)
from calculator.app.survey.reading import read_survey, stream_survey
from calculator.app.survey.sheet import refuse_filled_survey
from calculator.app.survey.template import TEMPLATE_ROWS, template_book, write_template
from calculator.app.survey.values import excel_number, household_number, number_key

__all__ = [
    "ADD", "FIRST_VERSION", "GUIDE_SHEET", "ITEMS_SHEET", "REFUSED", "STEP_LABELS", "SURVEY_SHEET", "TEMPLATE_ROWS",
    "UNCHANGED", "ImportStep", "ImportSummary", "Survey", "SurveyColumn", "SurveyHousehold", "SurveyProblem",
    "excel_number", "household_number", "import_survey", "number_key", "plan_import", "read_survey",
    "refuse_filled_survey", "stream_survey", "survey_columns", "template_book", "write_template",
]
