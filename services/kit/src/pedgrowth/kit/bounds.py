"""What an uploaded table may hold (``Limits``), and the error for one that is refused whole (``TableError``)."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much of an upload is read at most; past any bound the file is refused whole."""

    rows: int = 50_000
    """Data rows below the header (blank rows do not count)."""
    columns: int = 64
    """Columns of the header row; cells further right in data rows are ignored, never padded."""
    cells: int = 2_000_000
    """Cells in the file, empty ones included (CSV fields, XLSX <c> elements)."""
    cell_chars: int = 32_767
    """Characters in one cell: Excel's own limit."""
    unpacked_bytes: int = 256 * MiB
    """XLSX: the declared uncompressed size of all archive members together."""
    members: int = 1_000
    """XLSX: archive members."""
    ratio: int = 100
    """XLSX: uncompressed / compressed size of any member over 1 MiB (Excel's sheets are ~10-20)."""

    @property
    def elements(self) -> int:
        """XLSX: XML elements in all members together (a cell is 2-3, a shared string 2)."""
        return 6 * self.cells + 100_000


class TableError(ValueError):
    """A file that cannot be read as a table at all (the whole upload is refused).

    ``field`` is the column at fault (its header, or its letter) or "file"; ``row`` the row number when known.
    """

    def __init__(self, message: str, field: str | None = "file", row: int | None = None):
        super().__init__(message)
        self.field = field
        self.row = row


def refuse(russian: str, english: str, field: str | None = "file", row: int | None = None) -> TableError:
    """A TableError whose message says it twice: for the HR officer and for the integrator."""
    return TableError(f"{russian} / {english}", field, row)
