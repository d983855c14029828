"""The yearly monitoring report of a municipality (due to the region by 20 January), as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date

from ..indicators.answers import Answers, year_end
from ..indicators.compute import Scope

COLUMNS = ("code", "name", "unit", "value", "numerator", "denominator", "target", "status", "reported", "method")
HEADERS = ("Код", "Показатель", "Единица", "Значение", "Числитель", "Знаменатель", "Целевое значение", "Статус",
           "Заявлено", "Способ")


def report_rows(answers: Answers, municipality: str, year: int, today: date) -> tuple[date, list[dict]]:
    """Every indicator of the municipality for the year (as of 31 December; today for this year)."""
    as_of = year_end(year, today)
    return as_of, answers.indicators(Scope("municipality", municipality), as_of)


def to_csv(rows: list[dict]) -> bytes:
    """UTF-8 with a BOM so spreadsheet programs read the Cyrillic right; machine codes in the first row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict], municipality: str, municipality_name: str, year: int, as_of: date) -> bytes:
    """One sheet: a title, Russian headers, machine codes, then one row per indicator."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"Мониторинг {year}"
    sheet.append([f"Мониторинг показателей: {municipality_name} ({municipality}), {year} год, на {as_of.isoformat()}"])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(HEADERS))
    sheet.append(list(COLUMNS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    for column, width in zip("ABCDEFGHIJ", (30, 70, 8, 10, 11, 12, 16, 10, 9, 12), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
