"""The yearly report for people: Russian labels and statuses, percentages, one header row, Excel-ready CSV."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from pedgrowth.indicators.entrypoints.report import HEADERS, NoReport, Report, build_report, to_csv, to_xlsx

ROWS = [
    {"code": "training_coverage", "name": "Доля педагогов, прошедших повышение квалификации", "unit": "share",
     "value": 0.6164, "numerator": 45, "denominator": 73, "target": 0.5, "status": "met", "reported": False,
     "method": None},
    {"code": "open_vacancies", "name": "Число открытых вакансий", "unit": "count", "value": 3.0, "numerator": 3,
     "denominator": None, "target": None, "status": "no_target", "reported": False, "method": None},
    {"code": "teacher_readiness", "name": "Готовность педагогов (опрос)", "unit": "share", "value": 0.4,
     "numerator": None, "denominator": None, "target": 0.6, "status": "behind", "reported": True,
     "method": "survey"},
]
REPORT = Report("michurinsk", "г. Мичуринск", 2024, date(2024, 12, 31), ROWS)


class Answers:
    def __init__(self, rows):
        self.rows = rows

    def indicators(self, scope, as_of):
        return self.rows


def test_the_xlsx_has_one_header_row_russian_statuses_and_percent_shares():
    sheet = load_workbook(io.BytesIO(to_xlsx(REPORT))).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][0] == ("Мониторинг показателей профессионального развития педагогических работников: "
                           "г. Мичуринск, 2024 год (на 31.12.2024)")
    assert lines[1] == HEADERS and [line for line in lines if line == HEADERS] == [HEADERS]
    assert lines[2][:9] == (1, ROWS[0]["name"], "%", 0.6164, 45, 73, 0.5, "выполнено", "расчёт по событиям")
    assert sheet["D3"].number_format == "0.0%" and sheet["D4"].number_format == "General"
    assert [line[7] for line in lines[2:]] == ["выполнено", "цель не задана", "отстаёт"]
    assert lines[4][8] == "данные опроса"
    english = {"share", "count", "met", "behind", "no_target", "False", "True", "survey", "training_coverage"}
    assert not english & {str(cell) for line in lines for cell in line}


def test_the_csv_is_semicolon_separated_utf8_with_a_bom_and_decimal_commas():
    body = to_csv(REPORT)
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[1] == ";".join(HEADERS)
    assert lines[2].split(";")[:9] == ["1", ROWS[0]["name"], "%", "61,6 %", "45", "73", "50,0 %", "выполнено",
                                       "расчёт по событиям"]
    assert lines[3].split(";")[3] == "3" and lines[3].split(";")[7] == "цель не задана"


def test_an_unknown_municipality_is_404_and_a_year_with_no_data_or_in_the_future_is_422():
    names = {"municipality:michurinsk": "г. Мичуринск"}
    with pytest.raises(NoReport) as unknown:
        build_report(Answers(ROWS), names, False, "atlantis", 2024, date(2026, 12, 1))
    assert unknown.value.status == 404 and "atlantis" in str(unknown.value)
    with pytest.raises(NoReport) as future:
        build_report(Answers(ROWS), names, False, "michurinsk", 2027, date(2026, 12, 1))
    assert (future.value.status, future.value.field) == (422, "year")
    empty = [{**row, "value": None, "numerator": None, "denominator": None} for row in ROWS]
    with pytest.raises(NoReport) as nothing:
        build_report(Answers(empty), names, False, "michurinsk", 1995, date(2026, 12, 1))
    assert nothing.value.status == 422 and "нет данных" in str(nothing.value)
    made = build_report(Answers(ROWS), names, False, "michurinsk", 2024, date(2026, 12, 1))
    assert (made.name, made.as_of, made.filename) == ("г. Мичуринск", date(2024, 12, 31), "monitoring-michurinsk-2024")


def test_a_municipality_with_a_plan_but_no_school_yet_has_a_report():
    made = build_report(Answers(ROWS), {}, True, "michurinsk", 2024, date(2026, 12, 1))
    assert made.name == "michurinsk"


CYCLE = {
    "year": 2024, "as_of": date(2024, 12, 31), "behind": [
        {"indicator": "training_coverage", "name": ROWS[0]["name"], "unit": "share", "value": 0.4, "target": 0.5,
         "recommended": True}],
    "recommendations": [{"text": "Направить на курсы", "due_on": date(2024, 6, 1), "state": "done",
                         "completed_on": date(2024, 5, 30), "org_id": "sch-1", "org_name": "Школа № 1"}],
    "steps": [
        {"step": "monitoring", "name": "Мониторинг", "deadline": date(2024, 1, 20), "state": "done", "late": True,
         "done_on": date(2024, 1, 22)},
        {"step": "analysis", "name": "Анализ", "deadline": date(2024, 3, 30), "state": "done", "late": False,
         "done_on": date(2024, 3, 1)},
        {"step": "review", "name": "Эффективность", "deadline": date(2024, 8, 31), "state": "overdue", "late": False,
         "done_on": None, "review": None},
        {"step": "decisions", "name": "Решения", "deadline": date(2024, 12, 31), "state": "due", "late": False,
         "done_on": None}],
}


def test_the_xlsx_has_a_sheet_for_the_cycle_and_one_per_school():
    from pedgrowth.indicators.entrypoints.report import School

    schools = [School("sch-1", "МБОУ «Средняя общеобразовательная школа № 1 имени Героя»", ROWS[:2],
                      CYCLE["recommendations"]), School("sch-2", "Школа: № 2 [филиал]", ROWS[:1], [])]
    book = load_workbook(io.BytesIO(to_xlsx(Report("michurinsk", "г. Мичуринск", 2024, date(2024, 12, 31), ROWS,
                                                   CYCLE, schools))))
    assert [s.title for s in book.worksheets] == ["Мониторинг 2024", "Управленческий цикл",
                                                  "1. МБОУ «Средняя общеобразовате", "2. Школа  № 2  филиал"]
    cycle = [line for line in book.worksheets[1].iter_rows(values_only=True)]
    assert cycle[2] == ("Мониторинг", "20.01.2024", "выполнено (с опозданием)", "22.01.2024", None)
    assert cycle[4][:3] == ("Эффективность", "31.08.2024", "просрочено")
    assert ("Направить на курсы", "01.06.2024", "выполнено", "30.05.2024", "Школа № 1") in cycle
    school = list(book.worksheets[2].iter_rows(values_only=True))
    assert school[1] == HEADERS and school[2][1] == ROWS[0]["name"]
    assert (None, "Направить на курсы", "01.06.2024", "выполнено") in [line[:4] for line in school]


def test_the_definition_used_is_said_in_russian_for_every_variant():
    from pedgrowth.indicators.definitions.dimensions import DIMENSIONS
    from pedgrowth.indicators.entrypoints.report import DIMENSION_TEXT, VARIANT_TEXT, definition_text

    assert set(DIMENSIONS) <= set(DIMENSION_TEXT)
    assert {value for values in DIMENSIONS.values() for value in values} <= set(VARIANT_TEXT)
    row = {**ROWS[0], "definition": {"window": "since_period_start", "population": "school_teachers",
                                     "period_start": "2020-01-01"}}
    sheet = load_workbook(io.BytesIO(to_xlsx(Report("michurinsk", "г. Мичуринск", 2024, date(2024, 12, 31),
                                                    [row])))).active
    assert sheet["J3"].value == ("период: с начала периода плана (с 01.01.2020); "
                                 "кто учитывается: учителя общеобразовательных организаций")
    assert definition_text({"cohort": "project:academy"}) == "от кого доля: участники проекта «academy»"
    assert definition_text({"cohort": "project:academy"}, {"academy": "Академия молодого педагога"}) \
        == "от кого доля: участники проекта «Академия молодого педагога»", "named as project_enrolled names it"


def test_the_plan_s_base_value_is_beside_the_target_in_percent_for_a_share():
    from pedgrowth.indicators.entrypoints.report import with_baselines

    baselines = {"training_coverage": {2021: 0.8, 2026: 0.9}, "open_vacancies": {2023: 5.0}}
    rows = with_baselines(ROWS, baselines, 2024)
    assert [(r["baseline"], r["baseline_year"]) for r in rows] == [(0.8, 2021), (5.0, 2023), (None, None)]
    assert with_baselines(ROWS[:1], {"training_coverage": {2026: 0.9}}, 2024)[0]["baseline_year"] == 2026
    report = Report("michurinsk", "г. Мичуринск", 2024, date(2024, 12, 31), rows)
    sheet = load_workbook(io.BytesIO(to_xlsx(report))).active
    assert [c.value for c in sheet[2]][10:] == ["Базовое значение", "Год базового значения"]
    assert (sheet["K3"].value, sheet["K3"].number_format, sheet["L3"].value) == (0.8, "0.0%", 2021)
    assert (sheet["K4"].value, sheet["K4"].number_format) == (5, "General")
    lines = to_csv(report).decode("utf-8-sig").splitlines()
    assert lines[2].split(";")[10:] == ["80,0 %", "2021"] and lines[3].split(";")[10:] == ["5", "2023"]
