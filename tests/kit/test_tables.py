"""Reading uploaded tables once for every service: CSV in two encodings and three separators, XLSX, dates."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from pedgrowth.kit.tables import TableError, parse_day, read_table

HEADER = ["Идентификатор педагога", "Дата окончания"]


def csv_text(rows: list[list[str]], separator: str = ";") -> str:
    return "\n".join(separator.join(row) for row in rows) + "\n"


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_utf8_csv_is_read_with_its_russian_headers():
    table = read_table(csv_text([HEADER, ["p-1", "24.11.2023"]]).encode("utf-8-sig"), "list.csv")
    assert (table.headers, table.rows) == (HEADER, [(2, ["p-1", "24.11.2023"])])


def test_a_windows_1251_csv_is_read():
    table = read_table(csv_text([HEADER, ["Иванова", "24.11.2023"]]).encode("cp1251"), "list.csv")
    assert table.rows == [(2, ["Иванова", "24.11.2023"])]


def test_a_semicolon_separated_csv_keeps_commas_inside_cells():
    table = read_table(csv_text([["Код", "Предметы"], ["p-1", "математика, физика"]], ";").encode(), "list.csv")
    assert table.rows == [(2, ["p-1", "математика, физика"])]


def test_a_comma_separated_csv_is_split_on_commas():
    table = read_table(csv_text([HEADER, ["p-1", "24.11.2023"]], ",").encode(), "list.csv")
    assert table.headers == HEADER


def test_a_tab_separated_csv_is_split_on_tabs():
    table = read_table(csv_text([HEADER, ["p-1", "24.11.2023"]], "\t").encode(), "list.txt")
    assert table.rows == [(2, ["p-1", "24.11.2023"])]


def test_an_xlsx_date_cell_reads_as_a_date():
    table = read_table(xlsx([HEADER, ["p-1", datetime(2023, 11, 24)]]), "list.xlsx")
    assert table.rows == [(2, ["p-1", date(2023, 11, 24)])]


def test_an_xlsx_number_cell_reads_as_the_text_typed():
    table = read_table(xlsx([["Номер", "Часы"], [7701, 1.5]]), "list.xlsx")
    assert table.rows == [(2, ["7701", "1.5"])]


def test_an_xlsx_number_typed_as_text_keeps_its_leading_zero():
    table = read_table(xlsx([["Номер"], ["007701"]]), "list.xlsx")
    assert table.rows == [(2, ["007701"])]


def test_blank_rows_are_skipped_and_the_others_keep_their_row_numbers():
    table = read_table(csv_text([[""], HEADER, [" ", ""], ["p-1", ""]]).encode(), "list.csv")
    assert (table.headers, table.rows) == (HEADER, [(4, ["p-1", None])])


def test_records_key_cells_by_normalised_header():
    table = read_table(csv_text([["Идентификатор  Педагога*", ""], ["p-1", "лишнее"]]).encode(), "list.csv")
    assert table.records() == [(2, {"идентификатор педагога": "p-1"})]


def test_an_empty_file_is_refused_naming_the_file():
    with pytest.raises(TableError, match="empty") as error:
        read_table(b"", "list.csv")
    assert error.value.field == "file"


def test_a_file_without_a_header_row_is_refused():
    with pytest.raises(TableError, match="no header row"):
        read_table(b";;\n\n;\n", "list.csv")


def test_a_file_with_more_rows_than_the_limit_is_refused():
    content = csv_text([HEADER, *[[f"p-{n}", "24.11.2023"] for n in range(3)]]).encode()
    with pytest.raises(TableError, match="more than 2 rows"):
        read_table(content, "list.csv", max_rows=2)


def test_a_file_with_as_many_rows_as_the_limit_is_read():
    content = csv_text([HEADER, *[[f"p-{n}", "24.11.2023"] for n in range(2)]]).encode()
    assert len(read_table(content, "list.csv", max_rows=2).rows) == 2


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(TableError, match="XLSX"):
        read_table(b"PK\x03\x04 not really a workbook", "list.xlsx")


def test_a_file_of_another_kind_is_refused_by_its_name():
    with pytest.raises(TableError, match="expected a .csv or .xlsx"):
        read_table(b"%PDF-1.7", "list.pdf")


def test_a_russian_date_is_parsed():
    assert parse_day("05.09.2024") == date(2024, 9, 5)


def test_an_iso_date_is_parsed():
    assert parse_day("2024-09-05") == date(2024, 9, 5)


def test_a_date_that_is_not_in_the_calendar_is_refused():
    with pytest.raises(ValueError, match="not a calendar date"):
        parse_day("31.02.2024")


def test_a_non_date_is_refused_saying_what_was_expected():
    with pytest.raises(ValueError, match="ДД.ММ.ГГГГ"):
        parse_day("вчера")
