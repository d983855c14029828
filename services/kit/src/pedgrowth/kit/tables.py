"""Reading uploaded tables (CSV or XLSX, as people save them from Excel) into a header and numbered rows.

CSV: UTF-8 (with or without BOM) or Windows-1251; ';', ',' or tab separated, whichever
splits the header line into most cells. XLSX: the first sheet; date cells read as dates,
number cells as the text a person typed. Which headers mean what, and how a value becomes
a contract field, stay with each service.

Every upload is bounded before and while it is read (``Limits``; the services' IMPORT_*
settings): an XLSX archive is checked before anything is parsed (members, unpacked sizes,
compression ratio, XML elements and cells, no DTD or entity declaration anywhere), the sheet
is streamed cell by cell with its declared dimension ignored, nothing is padded, and rows,
columns, cells and the length of one cell are counted as they come. A file over a bound is
refused whole (TableError, which the routes answer with 422), in Russian and English.
The bounds are in ``bounds``, the XLSX half in ``workbook``; services import both names from here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from openpyxl.utils.cell import get_column_letter

from .bounds import Limits, TableError, refuse
from .workbook import xlsx_rows

__all__ = ["Cell", "Limits", "Row", "Table", "TableError", "normalise_header", "parse_day", "read_table"]

XLSX_NAMES = (".xlsx", ".xlsm")
CSV_NAMES = (".csv", ".txt", ".tsv")
SEPARATORS = ";,\t"  # on a tie the first wins: Russian Excel writes ';'
DOTTED_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# The csv module refuses a field over 131,072 characters with an error that names no row or column;
# uploads are bounded in bytes before they get here, so the reader lets any field through and
# to_table refuses a cell over Limits.cell_chars naming its row and column.
csv.field_size_limit(2**31 - 1)

Cell = str | date | time | timedelta | bool | None
Row = tuple[int, list[Cell]]


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


def read_table(content: bytes, filename: str = "", limits: Limits = Limits()) -> Table:
    """The table in an .xlsx or .csv file; TableError if it is none, has no header row or passes a limit."""
    if not content:
        raise TableError("the file is empty")
    name = filename.lower()
    if name.endswith(XLSX_NAMES) or content[:2] == b"PK":
        raw = xlsx_rows(content, limits)
    elif name.endswith(CSV_NAMES) or not name:
        raw = csv_rows(content, limits)
    else:
        raise TableError(f"{filename}: expected a .csv or .xlsx file")
    with closing(raw):
        return to_table(raw, limits)


def to_table(raw: Iterable[tuple[int, list[object]]], limits: Limits) -> Table:
    """The first non-blank row is the header and sets the width; blank rows are skipped but keep their numbers."""
    numbered = ((n, [cell(c) for c in cells]) for n, cells in raw)
    filled = ((n, cells) for n, cells in numbered if any(c is not None for c in cells))
    first = next(filled, None)
    if first is None:
        raise TableError("the file has no header row")
    number, header = first
    while header and header[-1] is None:
        header.pop()
    if len(header) > limits.columns:
        raise refuse(f"в строке заголовков больше {limits.columns} столбцов",
                     f"the header row has more than {limits.columns} columns", row=number)
    headers = ["" if c is None else str(c) for c in header]
    check_lengths(number, header, headers, limits)
    rows: list[Row] = []
    for number, cells in filled:
        cells = cells[:len(headers)]
        if all(c is None for c in cells):
            continue
        if len(rows) == limits.rows:
            raise refuse(f"больше {limits.rows} строк; разделите файл", f"more than {limits.rows} rows; split the file")
        check_lengths(number, cells, headers, limits)
        rows.append((number, cells))
    return Table(headers, rows)


def check_lengths(number: int, cells: list[Cell], headers: list[str], limits: Limits) -> None:
    """A cell longer than Excel allows is refused naming its row and column (often a quote left open)."""
    for index, value in enumerate(cells):
        if isinstance(value, str) and len(value) > limits.cell_chars:
            column = headers[index] if index < len(headers) and headers[index] else get_column_letter(index + 1)
            raise refuse(f"строка {number}, столбец «{column}»: {len(value)} знаков, больше {limits.cell_chars} "
                         "(возможно, не закрыта кавычка)",
                         f"row {number}, column «{column}»: {len(value)} characters, more than {limits.cell_chars} "
                         "(an unclosed quote?)", field=column, row=number)


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


def csv_rows(content: bytes, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """Each record of the CSV file with its number; the fields of all records count as cells."""
    text = decode_text(content)
    reader = csv.reader(io.StringIO(text), delimiter=separator(text))
    cells = 0
    try:
        for number, row in enumerate(reader, start=1):
            cells += len(row)
            if cells > limits.cells:
                raise refuse(f"больше {limits.cells} ячеек", f"more than {limits.cells} cells", row=number)
            yield number, row
    except csv.Error as error:
        raise TableError(f"line {reader.line_num}: not readable as CSV: {error}") from None


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
