"""The yearly monitoring report of a municipality (due to the region by 20 January), as CSV or XLSX, for people.

Russian labels, percentages for shares, statuses in Russian, one header row; the CSV is what Excel
in Russia opens as it is (`;`-separated, decimal comma, UTF-8 with a BOM). Machines read the JSON API.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from pedgrowth.contracts.scope import Scope

from ..indicators.answers import Answers, year_end

STATUS_TEXT = {"met": "выполнено", "behind": "отстаёт", "no_target": "цель не задана", "no_data": "нет данных",
               "not_applicable": "не применяется"}
UNIT_TEXT = {"share": "%", "count": "количество"}
METHOD_TEXT = {"survey": "данные опроса", "expert_review": "экспертная оценка", "other": "данные муниципалитета"}
HEADERS = ("№", "Показатель", "Единица", "Значение", "Числитель", "Знаменатель", "Целевое значение", "Статус",
           "Источник данных", "Определение")
WIDTHS = (5, 70, 11, 11, 11, 12, 16, 16, 22, 30)
PERCENT = "0.0%"


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


def source(row: dict) -> str:
    if row.get("reported"):
        return METHOD_TEXT.get(row.get("method") or "", "данные муниципалитета")
    return "расчёт по событиям"


def cells(number: int, row: dict) -> list:
    """One indicator's cells, values as numbers (shares as fractions shown as %)."""
    return [number, row["name"], UNIT_TEXT.get(row["unit"], row["unit"]), row["value"], row["numerator"],
            row["denominator"], row["target"], STATUS_TEXT.get(row["status"], row["status"]), source(row),
            definition_text(row.get("definition"))]


def definition_text(definition) -> str:
    """The definition variant used (SPEC §4.2), as ``dimension=value`` pairs; empty when none applies."""
    if not definition:
        return ""
    if isinstance(definition, dict):
        return "; ".join(f"{name}={value}" for name, value in definition.items())
    return str(definition)


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
        line = cells(number, row)
        for index in (3, 6):
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
        sheet.append(cells(number, row))
        if row["unit"] == "share":
            for column in ("D", "G"):
                sheet[f"{column}{sheet.max_row}"].number_format = PERCENT
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "C3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
