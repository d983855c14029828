"""Reading uploaded tables (CSV or XLSX) into rows keyed by normalised header."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

MAX_ROWS = 50_000


class TableError(ValueError):
    """A file that cannot be read as a table at all (the whole upload is refused)."""

    def __init__(self, message: str, field: str | None = "file"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Table:
    """Headers as written in the file, and data rows with the spreadsheet row number (header is row 1)."""

    headers: list[str]
    rows: list[tuple[int, dict[str, object]]]


def normalise(header: object) -> str:
    """Header text compared loosely: case, ё/е, spaces, a trailing '*' or ':' do not matter."""
    text = str(header or "").strip().lower().replace("ё", "е")
    text = re.sub(r"\s+", " ", text)
    return text.rstrip("*: ").strip()


def read_table(content: bytes, filename: str) -> Table:
    """The table in an .xlsx or .csv file (CSV: UTF-8 or Windows-1251, ';' or ',' separated)."""
    if not content:
        raise TableError("the file is empty")
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        return to_table(xlsx_rows(content))
    if filename.lower().endswith(".csv") or not filename:
        return to_table(csv_rows(content))
    raise TableError(f"{filename}: expected a .csv or .xlsx file")


def to_table(raw_rows: Iterator[tuple[int, list[object]]]) -> Table:
    header_row = next(((n, cells) for n, cells in raw_rows if any(blank(c) is not None for c in cells)), None)
    if header_row is None:
        raise TableError("the file has no header row")
    headers = [str(c).strip() if c is not None else "" for c in header_row[1]]
    rows = []
    for number, cells in raw_rows:
        values = {normalise(h): blank(v) for h, v in zip(headers, cells, strict=False) if h}
        if any(v is not None for v in values.values()):
            rows.append((number, values))
        if len(rows) > MAX_ROWS:
            raise TableError(f"more than {MAX_ROWS} rows; split the file")
    return Table(headers, rows)


def blank(value: object) -> object:
    """Empty cells and whitespace-only text are None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def csv_rows(content: bytes) -> Iterator[tuple[int, list[object]]]:
    text = decode_text(content)
    first_line = text.splitlines()[0] if text else ""
    delimiter = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        yield number, list(cells)


def decode_text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("the CSV file is neither UTF-8 nor Windows-1251 text")


def xlsx_rows(content: bytes) -> Iterator[tuple[int, list[object]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise TableError(f"not a readable .xlsx workbook: {error}") from error
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_value(c) for c in cells]
    finally:
        workbook.close()


def cell_value(cell: object) -> object:
    """Excel cells as the text a person typed: dates stay dates, 1234.0 becomes '1234'."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return str(cell)
    return cell


def parse_day(value: object) -> date:
    """YYYY-MM-DD, DD.MM.YYYY or a date cell as a date; ValueError saying what was expected otherwise."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text) or re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if not match:
        raise ValueError(f"expected a date ДД.ММ.ГГГГ or ГГГГ-ММ-ДД, got {text!r}")
    first, month, last = (int(g) for g in match.groups())
    year, day = (last, first) if "." in text else (first, last)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None
