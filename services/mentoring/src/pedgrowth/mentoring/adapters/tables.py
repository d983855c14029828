"""Reading uploaded tables: CSV (UTF-8 or Windows-1251, `,` `;` or tab) and XLSX (first sheet)."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook

Row = tuple[int, list[object]]


class UnreadableTable(ValueError):
    """A file that is neither a CSV nor an XLSX table we can read."""

    def __init__(self, message: str, field: str | None = "file"):
        super().__init__(message)
        self.field = field


def read_table(content: bytes, filename: str = "") -> tuple[list[str], list[Row]]:
    """Header cells and the data rows (with their 1-based row numbers in the file); blank rows skipped."""
    if content.startswith(b"PK") or filename.lower().endswith((".xlsx", ".xlsm")):
        rows = xlsx_rows(content)
    else:
        rows = csv_rows(content)
    numbered = [(n, r) for n, r in enumerate(rows, start=1) if any(str(c).strip() for c in r if c is not None)]
    if not numbered:
        raise UnreadableTable("the file has no rows")
    (_, header), data = numbered[0], numbered[1:]
    return [str(h or "").strip() for h in header], data


def xlsx_rows(content: bytes) -> list[list[object]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise UnreadableTable(f"not a readable XLSX workbook: {error}") from None
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def csv_rows(content: bytes) -> list[list[object]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableTable("a CSV file must be UTF-8 or Windows-1251 text")
    first = text.splitlines()[0] if text else ""
    delimiter = max(";,\t", key=first.count)
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
