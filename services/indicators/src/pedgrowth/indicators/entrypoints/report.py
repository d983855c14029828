"""The yearly monitoring report of a municipality (due to the region by 20 January), as CSV or XLSX, for people.

Russian labels, percentages for shares, statuses in Russian, one header row; the CSV is what Excel
in Russia opens as it is (`;`-separated, decimal comma, UTF-8 with a BOM). Machines read the JSON API.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from datetime import date

from pedgrowth.contracts.scope import Scope

from ..application import IndicatorsApplication
from ..cycle import cycle_of
from ..indicators.answers import Answers, year_end
from .dashboard import natural

STATUS_TEXT = {"met": "выполнено", "behind": "отстаёт", "no_target": "цель не задана", "no_data": "нет данных",
               "not_applicable": "не применяется"}
UNIT_TEXT = {"share": "%", "count": "количество"}
METHOD_TEXT = {"survey": "данные опроса", "expert_review": "экспертная оценка", "other": "данные муниципалитета"}
HEADERS = ("№", "Показатель", "Единица", "Значение", "Числитель", "Знаменатель", "Целевое значение", "Статус",
           "Источник данных", "Определение", "Базовое значение", "Год базового значения")
WIDTHS = (5, 70, 11, 11, 11, 12, 16, 16, 22, 30, 14, 14)
VALUE_COLUMNS = (3, 6, 10)  # value, target, base value: percent for a share
PERCENT = "0.0%"


@dataclass(frozen=True)
class School:
    """One school's sheet: its indicators and the recommendations addressed to it."""

    org_id: str
    name: str
    rows: list[dict]
    recommendations: list[dict]


class NoReport(LookupError):
    """There is nothing to report: the municipality is unknown (404) or the year has no data (422)."""

    def __init__(self, status: int, field: str, message: str):
        super().__init__(message)
        self.status = status
        self.field = field


@dataclass(frozen=True)
class Report:
    """What the report says: where, which year, as of which day, and one row per indicator."""

    municipality: str
    name: str
    year: int
    as_of: date
    rows: list[dict]
    cycle: dict | None = None  # the yearly cycle of the report's year (cycle.cycle_of)
    schools: list[School] = field(default_factory=list)
    projects: dict[str, str] = field(default_factory=dict)  # project_id → name, for project:<id> variants

    @property
    def title(self) -> str:
        return (f"Мониторинг показателей профессионального развития педагогических работников: {self.name}, "
                f"{self.year} год (на {self.as_of:%d.%m.%Y})")

    @property
    def filename(self) -> str:
        return f"monitoring-{self.municipality}-{self.year}"


def build_report(answers: Answers, names: dict[str, str], has_plan: bool, municipality: str, year: int,
                 today: date) -> Report:
    """Every indicator of the municipality for the year (as of 31 December; today for this year), or NoReport."""
    scope = Scope("municipality", municipality)
    if str(scope) not in names and not has_plan:
        raise NoReport(404, "municipality", f"муниципалитет {municipality} неизвестен "
                                            f"(municipality {municipality} is not known)")
    if year > today.year:
        raise NoReport(422, "year", f"{year} год ещё не наступил (year {year} is in the future)")
    as_of = year_end(year, today)
    rows = answers.indicators(scope, as_of)
    if all(row["value"] is None and not row["denominator"] for row in rows):
        raise NoReport(422, "year", f"за {year} год нет данных (no data for {year} in {municipality})")
    return Report(municipality, names.get(str(scope), municipality), year, as_of, rows)


def yearly_report(app: IndicatorsApplication, answers: Answers, municipality: str, year: int, today: date) -> Report:
    """The report with the cycle of its year and a sheet per organisation of the municipality, or NoReport."""
    names = answers.names()
    has_plan = bool(answers.engine.plans.target_years(municipality))
    made = build_report(answers, names, has_plan, municipality, year, today)
    cycle = cycle_of(app, answers, municipality, year, made.as_of)
    orgs = sorted((o for o in answers.organizations() if o["municipality_id"] == municipality),
                  key=lambda o: natural(o["name"]))
    schools = [School(o["org_id"], o["name"], answers.indicators(Scope("organization", o["org_id"]), made.as_of),
                      [r for r in cycle["recommendations"] if r["org_id"] in (None, o["org_id"])]) for o in orgs]
    return replace(made, rows=with_baselines(made.rows, answers.engine.plans.baselines_of(municipality), year),
                   cycle=cycle, schools=schools, projects=answers.project_names())


def with_baselines(rows: list[dict], baselines: dict[str, dict[int, float]], year: int) -> list[dict]:
    """Each row with the plan's base value of its indicator: the latest of a year up to the report's, else the first."""
    out = []
    for row in rows:
        years = baselines.get(row["code"], {})
        chosen = max((y for y in years if y <= year), default=min(years, default=None))
        out.append({**row, "baseline": years.get(chosen), "baseline_year": chosen})
    return out


def source(row: dict) -> str:
    if row.get("reported"):
        return METHOD_TEXT.get(row.get("method") or "", "данные муниципалитета")
    return "расчёт по событиям"


def cells(number: int, row: dict, projects: dict[str, str] | None = None) -> list:
    """One indicator's cells, values as numbers (shares as fractions shown as %)."""
    return [number, row["name"], UNIT_TEXT.get(row["unit"], row["unit"]), row["value"], row["numerator"],
            row["denominator"], row["target"], STATUS_TEXT.get(row["status"], row["status"]), source(row),
            definition_text(row.get("definition"), projects), row.get("baseline"), row.get("baseline_year")]


DIMENSION_TEXT = {"window": "период", "population": "кто учитывается", "young": "молодой педагог",
                  "support": "формы поддержки", "competition": "участие", "cohort": "от кого доля"}
VARIANT_TEXT = {
    "rolling_3y": "за 3 года", "rolling_1y": "за год", "since_period_start": "с начала периода плана",
    "calendar_year": "с начала календарного года", "school_year": "с начала учебного года",
    "pedagogical": "все педагогические работники",
    "teachers": "учителя, педагоги дополнительного образования и воспитатели",
    "school_teachers": "учителя общеобразовательных организаций", "subject_teachers": "учителя-предметники",
    "experience_under_3y": "стаж менее 3 лет", "age_under_35": "моложе 35 лет",
    "age_under_35_and_experience_under_3y": "моложе 35 лет и стаж менее 3 лет",
    "support_events": "мероприятия поддержки",
    "any_support": "любые формы (мероприятия, наставничество, совет молодых педагогов)",
    "competitions": "конкурсы", "competitions_and_speaking": "конкурсы и выступления на мероприятиях",
    "all_young": "все молодые педагоги",
}
"""The definition variants of SPEC §4.2 in the report's words (dimensions.py holds the codes)."""


def definition_text(definition, projects: dict[str, str] | None = None) -> str:
    """The definition variant used (SPEC §4.2) in Russian, e.g. «период: за 3 года; кто учитывается: …»."""
    if not definition:
        return ""
    if not isinstance(definition, dict):
        return str(definition)
    parts = []
    for name, value in definition.items():
        if name == "period_start":
            continue
        text = VARIANT_TEXT.get(value, value)
        if value.startswith("project:"):
            project = value.removeprefix("project:")
            text = f"участники проекта «{(projects or {}).get(project, project)}»"
        if value == "since_period_start" and definition.get("period_start"):
            text += f" (с {ru_day(definition['period_start'])})"
        parts.append(f"{DIMENSION_TEXT.get(name, name)}: {text}")
    return "; ".join(parts)


def number_text(value, unit: str) -> str:
    """A number as Russian Excel reads it: decimal comma, shares as percent."""
    if value is None:
        return ""
    if unit == "share":
        return f"{value * 100:.1f}".replace(".", ",") + " %"
    return f"{value:g}".replace(".", ",")


def to_csv(report: Report) -> bytes:
    """`;`-separated, UTF-8 with a BOM, the title on the first line and one header row."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([report.title])
    writer.writerow(HEADERS)
    for number, row in enumerate(report.rows, start=1):
        line = cells(number, row, report.projects)
        for index in VALUE_COLUMNS:
            line[index] = number_text(line[index], row["unit"])
        writer.writerow(["" if cell is None else cell for cell in line])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    """One sheet: the title, one header row, one row per indicator (shares formatted as %)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"Мониторинг {report.year}"
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for number, row in enumerate(report.rows, start=1):
        sheet.append(cells(number, row, report.projects))
        percent_cells(sheet, row)
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "C3"
    if report.cycle is not None:
        cycle_sheet(book.create_sheet("Управленческий цикл"), report.cycle)
    taken = {sheet.title for sheet in book.worksheets}
    for number, school in enumerate(report.schools, start=1):
        school_sheet(book.create_sheet(sheet_title(number, school.name, taken)), school, report)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def percent_cells(sheet, row: dict) -> None:
    """A share's value, target and base value in the last row shown as percent (the number stays the fraction)."""
    if row["unit"] == "share":
        for index in VALUE_COLUMNS:
            sheet.cell(sheet.max_row, index + 1).number_format = PERCENT


CYCLE_STATE_TEXT = {"done": "выполнено", "due": "в работе", "overdue": "просрочено"}
ASSESSMENT_TEXT = {"effective": "эффективно", "partly_effective": "частично эффективно",
                   "not_effective": "неэффективно"}


def ru_day(day) -> str:
    return "" if day is None else date.fromisoformat(str(day)).strftime("%d.%m.%Y")


def cycle_sheet(sheet, cycle: dict) -> None:
    """The cycle of the year: each step's deadline, state and day done; what is behind; the recommendations."""
    from openpyxl.styles import Font

    sheet.append([f"Управленческий цикл {cycle['year']} года (на {ru_day(cycle['as_of'])})"])
    sheet["A1"].font = Font(bold=True)
    sheet.append(["Этап", "Срок", "Состояние", "Выполнено"])
    for item in cycle["steps"]:
        state = CYCLE_STATE_TEXT[item["state"]] + (" (с опозданием)" if item["late"] else "")
        sheet.append([item["name"], ru_day(item["deadline"]), state, ru_day(item["done_on"])])
    sheet.append([])
    sheet.append(["Показатели, отстающие от цели", "Значение", "Цель", "Рекомендация выдана"])
    for item in cycle["behind"]:
        sheet.append([item["name"], item["value"], item["target"], "да" if item["recommended"] else "нет"])
        if item["unit"] == "share":
            for column in ("B", "C"):
                sheet[f"{column}{sheet.max_row}"].number_format = PERCENT
    sheet.append([])
    sheet.append(["Рекомендация", "Срок", "Состояние", "Выполнено", "Организация"])
    for item in cycle["recommendations"]:
        sheet.append([item["text"], ru_day(item["due_on"]), CYCLE_STATE_TEXT[item["state"]],
                      ru_day(item["completed_on"]), item["org_name"] or "все организации"])
    review = next(s["review"] for s in cycle["steps"] if s["step"] == "review")
    if review:
        sheet.append([])
        sheet.append(["Оценка эффективности", "До мер", "После мер", "Оценка", "Комментарий"])
        for finding in review["findings"]:
            sheet.append([finding["name"], finding.get("value_before"), finding.get("value_after"),
                          ASSESSMENT_TEXT[finding["assessment"]], finding.get("comment") or ""])
    for column, width in zip("ABCDE", (70, 14, 16, 14, 30), strict=True):
        sheet.column_dimensions[column].width = width


def school_sheet(sheet, school: School, report: Report) -> None:
    """One school: its indicators as of the report's day, then the recommendations addressed to it."""
    from openpyxl.styles import Font

    sheet.append([f"{school.name}: показатели на {report.as_of:%d.%m.%Y}"])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(HEADERS))
    for number, row in enumerate(school.rows, start=1):
        sheet.append(cells(number, row, report.projects))
        percent_cells(sheet, row)
    if school.recommendations:
        sheet.append([])
        sheet.append(["", "Рекомендации", "Срок", "Состояние"])
        for item in school.recommendations:
            sheet.append(["", item["text"], ru_day(item["due_on"]), CYCLE_STATE_TEXT[item["state"]]])
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width


def sheet_title(number: int, name: str, taken: set[str]) -> str:
    """A worksheet title Excel accepts: at most 31 characters, none of []:*?/\\, unique in the book."""
    title = re.sub(r"[\[\]:*?/\\]", " ", f"{number}. {name}")[:31].strip()
    while title in taken:
        title = title[:28] + f"~{number}"
    taken.add(title)
    return title
