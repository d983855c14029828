"""Reading uploaded tables (CSV or XLSX, as people save them from Excel) into a header and numbered rows.

CSV: UTF-8 (with or without BOM) or Windows-1251; ';', ',' or tab separated, whichever
splits the header line into most cells. XLSX: the first sheet; date cells read as dates,
number cells as the text a person typed. Which headers mean what, and how a value becomes
a contract field, stay with each service.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_ROWS = 50_000
XLSX_NAMES = (".xlsx", ".xlsm")
CSV_NAMES = (".csv", ".txt", ".tsv")
SEPARATORS = ";,\t"  # on a tie the first wins: Russian Excel writes ';'
DOTTED_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

Cell = str | date | time | timedelta | bool | None
Row = tuple[int, list[Cell]]


class TableError(ValueError):
    """A file that cannot be read as a table at all (the whole upload is refused); ``field`` says where."""

    def __init__(self, message: str, field: str | None = "file"):
        super().__init__(message)
        self.field = field


def normalise_header(header: object) -> str:
    """Header text compared loosely: case, ё/е, spaces, a trailing '*' or ':' do not matter."""
    text = str(header or "").strip().lower().replace("ё", "е")
    text = re.sub(r"\s+", " ", text)
    return text.rstrip("*: ").strip()


@dataclass(frozen=True)
class Table:
    """Header cells as written ('' for an empty one) and the non-blank rows below, with their row numbers."""

    headers: list[str]
    rows: list[Row]

    def records(self, key: Callable[[str], str] = normalise_header) -> list[tuple[int, dict[str, Cell]]]:
        """Each row as {key(header): cell}; columns without a header are dropped, then rows left blank."""
        keyed = [(n, {key(h): c for h, c in zip(self.headers, cells, strict=False) if h}) for n, cells in self.rows]
        return [(n, values) for n, values in keyed if any(v is not None for v in values.values())]


def read_table(content: bytes, filename: str = "", max_rows: int = MAX_ROWS) -> Table:
    """The table in an .xlsx or .csv file; TableError if it is none, has no header row or over max_rows rows."""
    if not content:
        raise TableError("the file is empty")
    name = filename.lower()
    if name.endswith(XLSX_NAMES) or content[:2] == b"PK":
        raw = xlsx_rows(content)
    elif name.endswith(CSV_NAMES) or not name:
        raw = csv_rows(content)
    else:
        raise TableError(f"{filename}: expected a .csv or .xlsx file")
    with closing(raw):
        return to_table(raw, max_rows)


def to_table(raw: Iterable[list[object]], max_rows: int) -> Table:
    """The first non-blank row is the header; blank rows are skipped but keep their numbers."""
    numbered = ((n, [cell(c) for c in cells]) for n, cells in enumerate(raw, start=1))
    filled = ((n, cells) for n, cells in numbered if any(c is not None for c in cells))
    header = next(filled, None)
    if header is None:
        raise TableError("the file has no header row")
    rows: list[Row] = []
    for row in filled:
        if len(rows) == max_rows:
            raise TableError(f"more than {max_rows} rows; split the file")
        rows.append(row)
    return Table(["" if c is None else str(c) for c in header[1]], rows)


def cell(value: object) -> Cell:
    """A cell as the person typed it: text stripped (None when blank), dates as dates, numbers as text."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value  # type: ignore[return-value]


def csv_rows(content: bytes) -> Iterator[list[str]]:
    text = decode_text(content)
    yield from csv.reader(io.StringIO(text), delimiter=separator(text))


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1251, which Russian Excel still writes."""
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("the CSV file is neither UTF-8 nor Windows-1251 text")


def separator(text: str) -> str:
    """The separator that splits the first non-blank line into most cells (quotes respected)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max(SEPARATORS, key=lambda s: len(next(csv.reader([first], delimiter=s), [])))


def xlsx_rows(content: bytes) -> Iterator[list[object]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise TableError(f"not a readable XLSX workbook: {error}") from error
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def parse_day(value: object) -> date:
    """ДД.ММ.ГГГГ, ГГГГ-ММ-ДД (or another ISO 8601 date) or a date cell as a date; ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    dotted = DOTTED_DAY.fullmatch(text)
    try:
        return date.fromisoformat(f"{dotted[3]}-{int(dotted[2]):02}-{int(dotted[1]):02}" if dotted else text)
    except ValueError:
        if dotted or ISO_DAY.fullmatch(text):
            raise ValueError(f"{text!r} is not a calendar date") from None
        raise ValueError(f"expected a date ДД.ММ.ГГГГ or ГГГГ-ММ-ДД, got {text!r}") from None
