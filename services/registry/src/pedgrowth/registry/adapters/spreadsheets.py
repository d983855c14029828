"""Reading staff lists from CSV and XLSX files, and writing XLSX: the file formats HR officers use."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnreadableFile(ValueError):
    """A file that is not a CSV or XLSX table with a header row."""

    field = "file"


Cell = str | date | datetime | int | float | bool | None


def read_table(content: bytes, filename: str) -> list[tuple[int, list[Cell]]]:
    """The rows of the file's first sheet as (row number as the officer sees it, cells); header first."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        return read_xlsx(content)
    if filename.lower().endswith((".csv", ".txt")) or not filename:
        return read_csv(content)
    raise UnreadableFile(f"{filename}: expected a .csv or .xlsx file")


def read_xlsx(content: bytes) -> list[tuple[int, list[Cell]]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise UnreadableFile(f"not a readable XLSX workbook: {error}") from error
    try:
        sheet = workbook.worksheets[0]
        rows = [(number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()
    return non_empty(rows)


def read_csv(content: bytes) -> list[tuple[int, list[Cell]]]:
    text = decode_text(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    rows = [(number, list(values)) for number, values in enumerate(csv.reader(io.StringIO(text), dialect), start=1)]
    return non_empty(rows)


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1251, which Russian Excel still writes."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1251")


def non_empty(rows: list[tuple[int, list[Cell]]]) -> list[tuple[int, list[Cell]]]:
    kept = [(n, cells) for n, cells in rows if any(c not in (None, "") and str(c).strip() for c in cells)]
    if not kept:
        raise UnreadableFile("the file has no header row")
    return kept


def write_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """One sheet with a bold header row and dates shown as ДД.ММ.ГГГГ."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = cell.font.copy(bold=True)
    for row in rows:
        sheet.append(list(row))
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(header) + 4)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
