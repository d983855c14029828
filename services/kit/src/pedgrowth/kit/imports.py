"""What every importer shares: the words it speaks, what an upload may be, where its work runs, how a refusal reads.

- The words (STYLE lesson 17): an ``Import`` is one kind of file a service takes (its name is the
  route's ``{kind}`` and the template's), made of ``Column``s (the contract field each fills, its
  header as the template writes it, the other headers accepted, how a cell becomes the value); a
  row that cannot be recorded is a ``RowError`` naming the column as the file spells it; the
  report counts its rows' outcomes with ``count_outcomes``. Reading headers and wording the
  report stay each service's (their answers differ and are pinned by tests).

- An import takes ``multipart/form-data`` (415 otherwise) whose file part is a spreadsheet type
  (``SPREADSHEET_TYPES``; 415 otherwise), of at most ``<SERVICE>_IMPORT_MAX_BYTES`` (413; the body
  as a whole is refused while it arrives by ``kit/bodies.py``, with ``body_limit`` set per route).
- Its work (reading the table, recording its rows) runs in the service's ``ImportPool``: threads
  of its own, ``IMPORT_WORKERS`` at a time and ``IMPORT_QUEUE`` waiting, 503 past that. The
  default executor that ``asyncio.to_thread`` uses, shared by the inbox, the relay and every
  other route, never carries an import.
- A file that is not a table, or passes a bound, is a 422 naming the file, and the row and
  column when known (``table_refused``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request, UploadFile, status

from pedgrowth.contracts import EventData

from .bodies import refusal
from .config import ServiceSettings
from .tables import Limits, TableError

T = TypeVar("T")

FORBIDDEN = "forbidden"
"""The reason code of a row the caller may not write (what it names is outside the caller's scope)."""


def as_given(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Column:
    """One column of an import file: the contract field it fills, its header as the template writes it, the other
    headers a file may give it, whether a row must fill it, and how a cell becomes the field's value."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    parse: Callable[[Any], Any] = as_given

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header the column is known by, the template's first."""
        return (self.header, *self.aliases)


@dataclass(frozen=True)
class Import:
    """One kind of file a service imports: its name (the route's ``{kind}``), the contract event a row becomes
    (the first of them, for a row that may record several), and its columns in the template's order."""

    name: str
    model: type[EventData]
    columns: tuple[Column, ...]

    def column(self, field: str | None) -> Column | None:
        """The column filling a field path such as ``data.program_id`` (None when no column does)."""
        name = (field or "").removeprefix("data.").split(".")[0]
        return next((c for c in self.columns if c.field == name), None)


class RowError(ValueError):
    """A row the import cannot record: why, the column at fault as the file spells it (when one is), the reason code
    (``schema``, ``forbidden``…), and the contract field when the report names it too."""

    def __init__(self, message: str, column: str | None = None, reason_code: str | None = None,
                 field: str | None = None):
        super().__init__(message)
        self.column = column
        self.reason_code = reason_code
        self.field = field


def count_outcomes(rows: Iterable[Mapping[str, Any]], outcomes: Iterable[str], key: str = "outcome") -> dict[str, int]:
    """How many of a report's rows had each outcome, every outcome named (zero included)."""
    found = [row[key] for row in rows]
    return {outcome: found.count(outcome) for outcome in outcomes}


MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file
FORM_TYPES = ("multipart/form-data",)
# The file part's own type. Browsers send the XLSX type or text/csv, Windows with Excel installed
# labels a .csv as application/vnd.ms-excel, curl and most scripts send application/octet-stream
# (or nothing): the content decides between CSV and XLSX (kit/tables.py), the type only keeps out
# what is plainly something else (a PDF, an image, JSON).
SPREADSHEET_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel.sheet.macroenabled.12",
    "application/vnd.ms-excel",
    "text/csv",
    "application/csv",
    "text/plain",
    "text/tab-separated-values",
    "application/zip",
    "application/octet-stream",
    "",
)


def body_limit(settings: ServiceSettings) -> int:
    """The byte limit of an import request as a whole (Parts.body_limits of the import route).

    The file's limit and the form around it, within the cap of every form upload (PEDGROWTH_MAX_UPLOAD_BYTES).
    """
    return min(settings.import_max_bytes + MULTIPART_SLACK, settings.max_upload_bytes)


def limits_of(settings: ServiceSettings) -> Limits:
    """The reader's bounds from the service's IMPORT_* settings."""
    return Limits(rows=settings.import_max_rows, columns=settings.import_max_columns,
                  cells=settings.import_max_cells, unpacked_bytes=settings.import_max_unpacked_bytes)


def media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def require_form(request: Request) -> None:
    """415 for a body declared as anything but a multipart form (a dependency: it runs before the file is read).

    A request that declares no type at all has no form either: FastAPI then answers 422, "file" missing.
    """
    given = media_type(request.headers.get("content-type"))
    if given and given not in FORM_TYPES:
        raise refusal(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, ["header", "content-type"],
                      f"an import is multipart/form-data with the file in a part named «file»; got {given or 'none'}",
                      "unsupported_media_type")


FormOnly = Annotated[None, Depends(require_form)]


async def read_upload(file: UploadFile, settings: ServiceSettings) -> bytes:
    """The uploaded file's bytes: 415 for a part that is not a spreadsheet type, 413 past the import limit."""
    given = media_type(file.content_type)
    if given not in SPREADSHEET_TYPES:
        raise refusal(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, ["body", "file"],
                      f"expected a CSV or XLSX file (text/csv, {SPREADSHEET_TYPES[0]}); got {given}",
                      "unsupported_media_type")
    content = await file.read(settings.import_max_bytes + 1)
    if len(content) > settings.import_max_bytes:
        raise refusal(status.HTTP_413_CONTENT_TOO_LARGE, ["body", "file"],
                      f"the file is over the import limit of {settings.import_max_bytes} bytes; split it", "too_large")
    return content


def table_refused(error: TableError) -> HTTPException:
    """The 422 for a file refused whole: loc is body.file[.row][.column] as far as they are known."""
    where = [*([error.row] if error.row is not None else []), *([error.field] if error.field not in (None, "file")
                                                                 else [])]
    return refusal(status.HTTP_422_UNPROCESSABLE_CONTENT, ["body", "file", *where], str(error), "table")


class ImportPool:
    """Threads of the service's own for imports, a few at a time, and a short queue; busy past that (503).

    A slot is taken when an import is admitted and given back when its work has finished in its
    thread, not when the request goes away, so a client that hangs up does not free a thread that
    is still busy.
    """

    def __init__(self, name: str, workers: int, queue: int):
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"{name}-import")
        self.slots = threading.BoundedSemaphore(workers + queue)

    async def run(self, work: Callable[..., T], *args) -> T:
        """``work(*args)`` on an import thread; 503 at once when every worker is busy and the queue full."""
        if not self.slots.acquire(blocking=False):
            raise refusal(status.HTTP_503_SERVICE_UNAVAILABLE, ["body", "file"],
                          "too many imports at once; try again in a minute", "busy", headers={"Retry-After": "30"})
        try:
            future = self.executor.submit(work, *args)
        except BaseException:
            self.slots.release()
            raise
        future.add_done_callback(lambda _: self.slots.release())
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def pool_of(request: Request) -> ImportPool:
    return request.app.state.service.imports


Imports = Annotated[ImportPool, Depends(pool_of)]
