"""Field survey workbooks: the template assessors fill in, its reading, and its import into the project store.

The package's names for its callers are gathered here (`from calculator.survey import read_survey`).
"""
from calculator.survey.columns import GUIDE_SHEET, ITEMS_SHEET, SURVEY_SHEET, SurveyColumn, survey_columns
from calculator.survey.households import Survey, SurveyHousehold, SurveyProblem
from calculator.survey.importing import (
    ADD, FIRST_VERSION, REFUSED, STEP_LABELS, UNCHANGED, ImportStep, ImportSummary, import_survey, plan_import,
)
from calculator.survey.reading import read_survey, stream_survey
from calculator.survey.template import TEMPLATE_ROWS, template_book, write_template
from calculator.survey.values import excel_number, household_number, number_key

__all__ = [
    "ADD", "FIRST_VERSION", "GUIDE_SHEET", "ITEMS_SHEET", "REFUSED", "STEP_LABELS", "SURVEY_SHEET", "TEMPLATE_ROWS",
    "UNCHANGED", "ImportStep", "ImportSummary", "Survey", "SurveyColumn", "SurveyHousehold", "SurveyProblem",
    "excel_number", "household_number", "import_survey", "number_key", "plan_import", "read_survey",
    "stream_survey", "survey_columns", "template_book", "write_template",
]
