"""Reading uploaded tables once for every service: CSV in two encodings and three separators, XLSX, dates."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from pedgrowth.kit.tables import Limits, TableError, parse_day, read_table

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
        read_table(content, "list.csv", Limits(rows=2))


def test_a_file_with_as_many_rows_as_the_limit_is_read():
    content = csv_text([HEADER, *[[f"p-{n}", "24.11.2023"] for n in range(2)]]).encode()
    assert len(read_table(content, "list.csv", Limits(rows=2)).rows) == 2


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


# Bounds: every file below is generated here (openpyxl, then the sheet XML edited in the zip) --------------------

SHEET = "xl/worksheets/sheet1.xml"
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)) + b"]>")


def edit(content: bytes, member: str, change) -> bytes:
    """The workbook with one member's bytes changed (or added, when it was not there)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if info.filename == member else data)
        if member not in source.namelist():
            target.writestr(member, change(b""))
    return out.getvalue()


def sheet_xml(content: bytes, change) -> bytes:
    return edit(content, SHEET, change)


def with_shared_strings(content: bytes, strings: list[str]) -> bytes:
    """The workbook as Excel writes it: text cells point into xl/sharedStrings.xml."""
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    table = f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'.encode()
    content = edit(content, "xl/sharedStrings.xml", lambda _: table)
    content = edit(content, "[Content_Types].xml", lambda d: d.replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')))
    return edit(content, "xl/_rels/workbook.xml.rels", lambda d: d.replace(b"</Relationships>", (
        b'<Relationship Id="rIdSst" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings"/></Relationships>')))


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def test_a_csv_field_longer_than_the_csv_module_allows_is_refused_naming_its_row_and_column():
    content = csv_text([HEADER, ["p-1", "x" * 200_000]]).encode()
    with pytest.raises(TableError, match="row 2, column «Дата окончания»") as error:
        read_table(content, "list.csv")
    assert (error.value.row, error.value.field) == (2, "Дата окончания")


def test_a_quote_left_open_is_refused_naming_where_it_starts():
    content = ("Код;Имя\np-1;\"Иванова\n" + "p-2;Петров\n" * 20_000).encode()
    with pytest.raises(TableError, match="unclosed quote") as error:
        read_table(content, "list.csv")
    assert (error.value.row, error.value.field) == (2, "Имя")


def test_a_cell_as_long_as_excel_allows_is_read():
    table = read_table(csv_text([HEADER, ["p-1", "x" * 32_767]]).encode(), "list.csv")
    assert len(table.rows[0][1][1]) == 32_767


def test_an_xlsx_cell_longer_than_excel_allows_is_refused_naming_the_cell():
    content = sheet_xml(xlsx([HEADER, ["p-1", "x"]]), lambda d: d.replace(b"<t>x</t>", b"<t>%s</t>" % (b"x" * 40_000)))
    with pytest.raises(TableError, match="cell B2") as error:
        read_table(content, "list.xlsx")
    assert (error.value.row, error.value.field) == (2, "B")


def test_an_xlsx_with_a_billion_laughs_is_refused_in_russian_and_english():
    content = sheet_xml(xlsx([HEADER, ["p-1", "x"]]), lambda d: LAUGHS + d.replace(b"<t>x", b"<t>&lol9;x"))
    with pytest.raises(TableError, match="DTD") as error:
        read_table(content, "list.xlsx")
    assert "не принимаются" in str(error.value) and "imports refuse such files" in str(error.value)


def test_an_xlsx_with_an_external_entity_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    declaration = f'<!DOCTYPE w [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
    content = sheet_xml(xlsx([HEADER, ["p-1", "x"]]), lambda d: declaration + d.replace(b"<t>x", b"<t>&xxe;"))
    with pytest.raises(TableError, match="DTD"):
        read_table(content, "list.xlsx")


def test_a_dtd_in_any_member_is_refused_not_only_in_the_sheet():
    content = edit(xlsx([HEADER, ["p-1", "x"]]), "xl/workbook.xml", lambda d: b'<!DOCTYPE w [<!ENTITY a "b">]>' + d)
    with pytest.raises(TableError, match="DTD"):
        read_table(content, "list.xlsx")


def test_openpyxl_parses_the_rest_of_a_workbook_with_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML


def test_a_huge_declared_dimension_is_ignored_and_no_row_is_padded():
    wide = sheet_xml(xlsx([HEADER, ["p-1", "24.11.2023"]]),
                     lambda d: re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', d))
    far = sheet_xml(wide, lambda d: d.replace(b"</sheetData>", b'<row r="3000"><c r="A3000" t="inlineStr">'
                                                              b"<is><t>p-2</t></is></c></row></sheetData>"))
    table = read_table(far, "list.xlsx")
    assert (table.headers, table.rows) == (HEADER, [(2, ["p-1", "24.11.2023"]), (3000, ["p-2"])])


def test_a_cell_beyond_the_headers_columns_is_ignored_not_padded_to():
    content = sheet_xml(xlsx([HEADER, ["p-1", "x"]]),
                        lambda d: d.replace(b"</row></sheetData>", b'<c r="XFD2"><v>1</v></c></row></sheetData>'))
    assert read_table(content, "list.xlsx").rows == [(2, ["p-1", "x"])]


def test_a_header_wider_than_the_column_limit_is_refused():
    content = sheet_xml(xlsx([HEADER, ["p-1", "x"]]),
                        lambda d: d.replace(b"</c></row>", b'</c><c r="XFD1" t="inlineStr"><is><t>y</t></is></c></row>', 1))
    with pytest.raises(TableError, match="more than 64 columns"):
        read_table(content, "list.xlsx")


def test_a_csv_header_wider_than_the_column_limit_is_refused():
    with pytest.raises(TableError, match="more than 3 columns"):
        read_table(csv_text([["a", "b", "c", "d"], ["1", "2", "3", "4"]]).encode(), "list.csv", Limits(columns=3))


def test_more_cells_than_the_limit_are_refused():
    content = xlsx([HEADER, *[["p-1", "x"]] * 10])
    with pytest.raises(TableError, match="more than 20 cells"):
        read_table(content, "list.xlsx", Limits(cells=20))
    assert len(read_table(content, "list.xlsx", Limits(cells=22)).rows) == 10


def test_more_xml_elements_than_the_cells_allow_are_refused_before_the_sheet_is_read():
    empty_rows = b"<row/>" * 110_000
    content = sheet_xml(xlsx([HEADER, ["p-1", "x"]]), lambda d: d.replace(b"</sheetData>", empty_rows + b"</sheetData>"))
    with pytest.raises(TableError, match="more than 100006 XML elements"):
        read_table(content, "list.xlsx", Limits(cells=1))


def test_more_csv_fields_than_the_cell_limit_are_refused():
    with pytest.raises(TableError, match="more than 5 cells"):
        read_table(b"a;b\n" + b";" * 10 + b"\n", "list.csv", Limits(cells=5))


def test_more_xlsx_rows_than_the_limit_are_refused():
    with pytest.raises(TableError, match="more than 2 rows"):
        read_table(xlsx([HEADER, *[["p-1", "x"]] * 3]), "list.xlsx", Limits(rows=2))


def test_a_zip_bomb_is_refused_by_its_compression_ratio():
    content = edit(xlsx([HEADER, ["p-1", "x"]]), "xl/media/padding.bin", lambda _: b"\0" * (20 * 1024 * 1024))
    assert len(content) < 100_000
    with pytest.raises(TableError, match="compressed more than 100 times"):
        read_table(content, "list.xlsx")


def test_a_workbook_unpacking_past_the_limit_is_refused():
    with pytest.raises(TableError, match="unpacks to"):
        read_table(xlsx([HEADER, ["p-1", "x"]]), "list.xlsx", Limits(unpacked_bytes=1_000))


def test_an_archive_of_too_many_members_is_refused():
    with pytest.raises(TableError, match="more than 5 members"):
        read_table(xlsx([HEADER, ["p-1", "x"]]), "list.xlsx", Limits(members=5))


def test_shared_strings_are_read_as_excel_writes_them():
    def shared(d: bytes) -> bytes:
        d = re.sub(rb'<c r="([A-Z]+1)" t="inlineStr"><is><t>[^<]*</t></is></c>', b"", d, count=0)
        return d.replace(b'<row r="1">', b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>')

    content = with_shared_strings(sheet_xml(xlsx([HEADER, ["p-1", datetime(2023, 11, 24)]]), shared), HEADER)
    table = read_table(content, "list.xlsx")
    assert (table.headers, table.rows) == (HEADER, [(2, ["p-1", date(2023, 11, 24)])])


def test_a_shared_string_that_does_not_exist_is_refused():
    content = with_shared_strings(sheet_xml(xlsx([HEADER]), lambda d: d.replace(
        b"</row>", b'<c r="C1" t="s"><v>7</v></c></row>', 1)), HEADER)
    with pytest.raises(TableError, match="shared string"):
        read_table(content, "list.xlsx")


def test_a_member_whose_compressed_stream_is_corrupt_is_refused_as_unreadable():
    content = bytearray(xlsx([HEADER, ["p-1", "x"]]))
    info = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename.encode()) + int.from_bytes(
        content[info.header_offset + 28:info.header_offset + 30], "little")
    content[start] = 0xFF  # deflate block type 3: invalid
    with pytest.raises(TableError, match="not a readable XLSX"):
        read_table(bytes(content), "list.xlsx")


def test_a_shared_string_table_longer_than_the_cell_limit_is_refused_before_the_sheet_is_read():
    content = with_shared_strings(xlsx([HEADER, ["p-1", "x"]]), [f"s{n}" for n in range(30)])
    with pytest.raises(TableError, match="more than 20 shared strings"):
        read_table(content, "list.xlsx", Limits(cells=20))


def test_phonetic_runs_are_left_out_of_a_shared_string_as_excel_shows_it():
    content = with_shared_strings(sheet_xml(xlsx([HEADER]), lambda d: d.replace(
        b'</row>', b'</row><row r="2"><c r="A2" t="s"><v>0</v></c></row>', 1)), ["p-1"])
    content = edit(content, "xl/sharedStrings.xml", lambda d: d.replace(
        b"<si><t>p-1</t></si>", b"<si><r><t>p-</t></r><r><t>1</t></r><rPh sb=\"0\" eb=\"1\"><t>PH</t></rPh></si>"))
    assert read_table(content, "list.xlsx").rows == [(2, ["p-1"])]
