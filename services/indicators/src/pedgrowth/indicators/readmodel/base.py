"""The one interface every read-model store implements (SQL: SQLite and PostgreSQL; MongoDB)."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from dataclasses import dataclass

from ..records import Record


class StoreReplaced(RuntimeError):
    """The store was replaced by a rebuild since it was opened: reload the facts and seek again."""


@dataclass(frozen=True)
class ValueRow:
    """One row of the persisted yearly values a BI tool reads (table ``indicator_value``)."""

    scope: str
    indicator: str
    year: int
    as_of: str
    value: float | None
    numerator: int | None
    denominator: int | None
    target: float | None
    status: str
    updated_at: str
    scope_kind: str = ""
    scope_name: str = ""


class ReadModelStore(abc.ABC):
    """Facts (one per event, deduplicated by source and id), consumer positions, yearly values.

    ``write`` stores a batch of events and the positions after it in one transaction,
    so the positions in the store always say exactly which events it holds.
    """

    location: str

    @abc.abstractmethod
    async def open(self) -> None:
        """Connect and create the schema when missing."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def ping(self) -> bool:
        """Whether the store answers."""

    @abc.abstractmethod
    async def generation(self) -> str:
        """An id that changes when a rebuild replaces the store."""

    @abc.abstractmethod
    async def write(self, records: list[Record], positions: dict[tuple[str, int], int],
                    generation: str | None = None) -> None:
        """Store events (ignoring ones already held) and the next offsets; StoreReplaced on a stale generation."""

    @abc.abstractmethod
    async def positions(self) -> dict[tuple[str, int], int]:
        """(topic, partition) -> the next offset to read."""

    @abc.abstractmethod
    def records(self, batch_size: int = 5000) -> AsyncIterator[list[Record]]:
        """Every stored event, in batches."""

    @abc.abstractmethod
    async def count(self) -> int:
        """How many events the store holds."""

    @abc.abstractmethod
    async def save_values(self, rows: list[ValueRow]) -> None:
        """Insert or replace yearly values by (scope, indicator, year)."""

    @abc.abstractmethod
    async def values(self, scope: str | None = None) -> list[ValueRow]:
        """The persisted yearly values, of one scope or all, ordered by scope, indicator, year."""

    @abc.abstractmethod
    def fresh(self) -> ReadModelStore:
        """An empty store beside this one, for a rebuild; ``promote`` it to replace this one."""

    @abc.abstractmethod
    async def promote(self) -> None:
        """Make this (fresh) store the live one, replacing what was there."""
