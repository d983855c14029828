"""Reading an uploaded XLSX workbook, bounded: the archive checked whole first, then the first sheet streamed.

The census reads every member before anything is parsed into objects (sizes, compression ratio,
XML elements, no DTD or entity declaration anywhere); openpyxl then reads the workbook's
structure and styles (through defusedxml), the kit reads the shared strings and streams the
sheet cell by cell with its declared dimension ignored, so nothing is ever padded.
"""

from __future__ import annotations

import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml.ElementTree import iterparse
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.utils.exceptions import InvalidFileException

from .bounds import MiB, Limits, TableError, refuse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SI, T, RUN_T = f"{MAIN}si", f"{MAIN}t", f"{MAIN}r/{MAIN}t"
CELL_REFERENCE = re.compile(r"([A-Za-z]{1,3})(\d+)")
CHUNK = 64 * 1024
ROW_CHUNK = 16 * 1024  # the sheet is read this much at a time: the header is checked after the first
BLANK = b"\xef\xbb\xbf \t\r\n"

UNREADABLE = (InvalidFileException, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, IndexError, TypeError,
              ValueError, AttributeError, OSError, EOFError, NotImplementedError, ParseError, expat.ExpatError,
              zlib.error, lzma.LZMAError)


def xlsx_rows(content: bytes, limits: Limits) -> Iterator[tuple[int, list[object]]]:
    """The first sheet's rows, streamed; the archive is checked whole before openpyxl reads any of it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        check_archive(archive, limits)
        reader = BoundedReader(io.BytesIO(content), limits)
        reader.read()
        workbook = reader.wb
    except TableError:
        raise
    except UNREADABLE as error:
        if isinstance(error.__cause__, TableError):  # openpyxl wraps what the kit's string reader raised
            raise error.__cause__ from None
        raise TableError(f"not a readable XLSX workbook: {error}") from error
    try:
        sheet = workbook.worksheets[0]
        # openpyxl's read-only sheet pads every row to the declared <dimension>; the sheet XML is read
        # here instead, from the same archive, with the workbook's shared strings and date styles.
        rows = SheetReader(reader.shared_strings, workbook._date_formats, workbook._timedelta_formats,
                           workbook.epoch, limits)
        with sheet._get_source() as source:
            yield from rows.rows(source)
    except TableError:
        raise
    except UNREADABLE as error:
        raise TableError(f"not a readable XLSX workbook: {error}") from error
    finally:
        workbook.close()


def check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a zip bomb, an encrypted member or a DTD before any XML is parsed into objects."""
    members = archive.infolist()
    if len(members) > limits.members:
        raise refuse(f"в архиве XLSX больше {limits.members} файлов",
                     f"the XLSX archive has more than {limits.members} members")
    if any(m.flag_bits & 0x1 for m in members):
        raise refuse("файл XLSX зашифрован; сохраните его без пароля",
                     "the XLSX file is encrypted; save it without a password")
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.unpacked_bytes:
        raise refuse(f"файл XLSX распаковывается в {unpacked} байт, больше {limits.unpacked_bytes}",
                     f"the XLSX file unpacks to {unpacked} bytes, more than {limits.unpacked_bytes}")
    for member in members:
        if member.file_size > MiB and member.file_size > limits.ratio * max(member.compress_size, 1):
            raise refuse(f"{member.filename} сжат более чем в {limits.ratio} раз: это не таблица Excel",
                         f"{member.filename} is compressed more than {limits.ratio} times: not an Excel table")
    census = Census(limits)
    for member in members:
        census.count(archive, member)


class Census:
    """One pass over every XML member before anything is parsed into objects: no DTD, elements bounded.

    A DTD may stand only before the root element, so expat reads each member up to its root; the
    rest is counted in bytes ('<' less '</': every element, comment or instruction at most once).
    zipfile never unpacks more of a member than its declared size (and checks the CRC), so these
    counts, like the sizes above, bound what openpyxl and the sheet reader will see.
    """

    def __init__(self, limits: Limits):
        self.limits = limits
        self.elements = 0

    def count(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
        with archive.open(member) as stream:
            chunk = stream.read(CHUNK).lstrip(BLANK)
            while chunk == b"" and stream.peek(1):
                chunk = stream.read(CHUNK).lstrip(BLANK)
            if not chunk.startswith(b"<"):
                return  # not XML (an image, a VBA project): openpyxl never parses it
            prolog = forbidding_parser()
            prolog.StartElementHandler = root_reached
            while chunk:
                if prolog is not None:
                    try:
                        prolog.Parse(chunk, False)
                    except RootReached:
                        prolog = None
                self.elements += chunk.count(b"<") - chunk.count(b"</")
                if self.elements > self.limits.elements:
                    raise refuse(f"в файле XLSX больше {self.limits.elements} элементов XML",
                                 f"the XLSX file has more than {self.limits.elements} XML elements")
                chunk = stream.read(CHUNK)


class RootReached(Exception):
    """The prolog is over: no DTD can follow."""


def root_reached(*_: object) -> None:
    raise RootReached


def forbidding_parser() -> expat.XMLParserType:
    """An expat parser (names as 'namespace local') that refuses any DTD, entity or external reference."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = refuse_dtd
    return parser


def refuse_dtd(*_: object) -> None:
    raise refuse("файл содержит DTD или объявление сущности (<!DOCTYPE>, <!ENTITY>); такие файлы не принимаются",
                 "the file declares a DTD or an entity (<!DOCTYPE>, <!ENTITY>); imports refuse such files")


class BoundedReader(ExcelReader):
    """openpyxl's read-only workbook reader, with the shared strings read by the kit, bounded.

    openpyxl builds objects per shared string (500,000 strings in a 2.4 MB file took it 117 s);
    here they are streamed: at most ``limits.cells`` strings of at most ``limits.cell_chars``.
    """

    def __init__(self, source: io.BytesIO, limits: Limits):
        super().__init__(source, read_only=True, data_only=True, keep_links=False)
        self.limits = limits

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = shared_strings(source, self.limits)


def shared_strings(source, limits: Limits) -> list[str]:
    """The text of each <si> of a shared string table: its <t>, or its runs' <t> (phonetic <rPh> left out).

    ElementTree's C parser (through defusedxml, refusing any DTD) with one Python step per element.
    """
    strings: list[str] = []
    root = None
    for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
        if root is None:
            root = element
        if event != "end" or element.tag != SI:
            continue
        if len(strings) == limits.cells:
            raise refuse(f"больше {limits.cells} общих строк", f"more than {limits.cells} shared strings")
        plain = element.find(T)
        text = (plain.text or "") if plain is not None else "".join(t.text or "" for t in element.iterfind(RUN_T))
        if len(text) > limits.cell_chars:
            raise refuse(f"общая строка {len(strings)}: больше {limits.cell_chars} знаков",
                         f"shared string {len(strings)}: more than {limits.cell_chars} characters")
        strings.append(text.replace("x005F_", ""))  # as openpyxl reads them
        root.clear()
    return strings


class SheetReader:
    """A worksheet's XML streamed into (row number, cells): no dimension, no padding, every bound counted.

    Cells hold what openpyxl would give with data_only: shared and inline strings, numbers, booleans,
    dates for date-styled numbers. Only the cells up to ``limits.columns`` are kept; the first value
    further right is appended after them, so that to_table can refuse a header that is too wide.
    """

    def __init__(self, strings: list[str], date_styles, duration_styles, epoch: datetime, limits: Limits):
        self.strings = strings
        self.date_styles = date_styles
        self.duration_styles = duration_styles
        self.epoch = epoch
        self.limits = limits
        self.parser = forbidding_parser()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.buffer_text = True
        self.done: list[tuple[int, list[object]]] = []
        self.number = 0
        self.count = 0
        self.cells: dict[int, object] | None = None
        self.beyond: object = None
        self.column = 0
        self.kind = "n"
        self.style = 0
        self.parts: list[str] = []
        self.length = 0
        self.capturing = False
        self.phonetic = 0

    def rows(self, source) -> Iterator[tuple[int, list[object]]]:
        while chunk := source.read(ROW_CHUNK):
            self.parser.Parse(chunk, False)
            yield from self.done
            self.done.clear()
        self.parser.Parse(b"", True)
        yield from self.done

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if local == "row":
            self.start_row(attributes.get("r"))
        elif local == "c" and self.cells is not None:
            self.start_cell(attributes)
        elif local == "rPh":
            self.phonetic += 1
        elif local == "v" or (local == "t" and self.kind == "inlineStr" and not self.phonetic):
            self.capturing = self.cells is not None

    def end(self, name: str) -> None:
        local = name.rpartition(" ")[2]
        if local in ("v", "t"):
            self.capturing = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "c" and self.cells is not None:
            self.end_cell()
        elif local == "row" and self.cells is not None:
            self.end_row()

    def text(self, data: str) -> None:
        if self.capturing:
            self.length += len(data)
            if self.length > self.limits.cell_chars:
                where = f"{get_column_letter(self.column)}{self.number}"
                raise refuse(f"ячейка {where}: больше {self.limits.cell_chars} знаков",
                             f"cell {where}: more than {self.limits.cell_chars} characters",
                             field=get_column_letter(self.column), row=self.number)
            self.parts.append(data)

    def start_row(self, reference: str | None) -> None:
        try:
            self.number = int(reference) if reference else self.number + 1
        except ValueError:
            raise TableError(f"not a readable XLSX workbook: row number {reference!r}") from None
        self.cells, self.beyond, self.column = {}, None, 0

    def start_cell(self, attributes: dict[str, str]) -> None:
        self.count += 1
        if self.count > self.limits.cells:
            raise refuse(f"больше {self.limits.cells} ячеек", f"more than {self.limits.cells} cells", row=self.number)
        reference = attributes.get("r")
        if reference:
            found = CELL_REFERENCE.fullmatch(reference)
            if found is None:
                raise TableError(f"not a readable XLSX workbook: cell reference {reference!r}")
            self.column = column_index_from_string(found[1].upper())
        else:
            self.column += 1
        self.kind = attributes.get("t", "n")
        style = attributes.get("s", "0")
        self.style = int(style) if style.isdigit() else 0
        self.parts, self.length, self.phonetic = [], 0, 0

    def end_cell(self) -> None:
        value = self.value()
        if self.column <= self.limits.columns:
            self.cells[self.column] = value
        elif self.beyond is None and value not in (None, ""):
            self.beyond = value
        self.parts, self.capturing = [], False

    def end_row(self) -> None:
        cells = self.cells
        width = self.limits.columns if self.beyond is not None else max(cells, default=0)
        row = [cells.get(column) for column in range(1, width + 1)]
        if self.beyond is not None:
            row.append(self.beyond)
        self.done.append((self.number, row))
        self.cells = None

    def value(self) -> object:
        """The cell's value as openpyxl reads it with data_only (formulas give their cached result)."""
        if not self.parts:
            return None
        text = "".join(self.parts)
        if self.kind in ("inlineStr", "str", "e"):
            return text
        if self.kind == "s":
            try:
                return self.strings[int(text)]
            except (ValueError, IndexError):
                raise TableError(f"not a readable XLSX workbook: shared string {text!r} in row {self.number}",
                                 row=self.number) from None
        if self.kind == "b":
            return text.strip() in ("1", "true")
        if self.kind == "d":
            try:
                return from_ISO8601(text)
            except ValueError:
                return text
        return self.number_value(text)

    def number_value(self, text: str) -> object:
        try:
            number: int | float = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return text
        if self.style in self.date_styles:
            try:
                return from_excel(number, self.epoch, timedelta=self.style in self.duration_styles)
            except (OverflowError, ValueError):
                return number
        return number
