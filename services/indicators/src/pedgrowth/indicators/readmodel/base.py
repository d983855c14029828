"""The one interface every read-model store implements (SQL: SQLite and PostgreSQL; MongoDB)."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from dataclasses import dataclass

from ..records import Record


class StoreReplaced(RuntimeError):
    """The store was replaced by a rebuild since it was opened: reload the facts and seek again."""


class WriterClaimed(StoreReplaced):
    """This instance just became the store's writer after projecting in memory: load the store (the last
    writer's events, offsets and sums) and seek again, so that what it writes continues exactly that."""


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


@dataclass(frozen=True, slots=True)
class SumRow:
    """One series' sum in one scope as the engine published it (table ``rm_sum``): the change days
    (``date.toordinal()``) and the running total from each, as arrays of 32-bit integers."""

    indicator: str
    definition: str  # the variant as canonical JSON (``Variant.key``)
    part: str  # num | den
    scope: str
    days: bytes
    totals: bytes


@dataclass(frozen=True, slots=True)
class ShardSumRow:
    """A shard's row of the sums (table ``rm_shard_sum``), when instances share the store."""

    shard: int
    row: SumRow


@dataclass(frozen=True, slots=True)
class SumChanges:
    """What a batch changed in the engine's sums: the series now kept whole (``rm_series``) and the rows."""

    series: list[tuple[str, str]]  # (indicator, definition)
    rows: list[SumRow]


class ReadModelStore(abc.ABC):
    """Facts (one per event, deduplicated by source and id), consumer positions, the engine's sums,
    yearly values.

    ``write`` stores a batch of events, the positions after it and the sums the batch changed in one
    transaction, so the positions in the store always say exactly which events it holds and the sums
    are those of exactly these events: a restart loads the sums instead of computing them.
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
                    generation: str | None = None, sums: SumChanges | None = None) -> None:
        """Store events (ignoring ones already held), the next offsets and the changed sums; StoreReplaced on a
        stale generation."""

    async def claim_writer(self) -> bool:
        """Whether this connection is (now) the one that writes batches and sums: the sums of two
        instances at different offsets must never mix, so instances sharing a store write through one of
        them at a time, and the others project in memory. Held until the store is closed. A store that
        cannot tell (MongoDB here) says True: run one indicators instance per MongoDB read model."""
        return True

    def write_now(self, records: list[Record], positions: dict[tuple[str, int], int],
                  generation: str | None = None, sums: SumChanges | None = None) -> bool:
        """``write`` done synchronously from a worker thread, without the event loop; False when the store
        cannot (its client is asynchronous only): then the caller runs ``write`` on the loop."""
        return False

    @abc.abstractmethod
    async def positions(self) -> dict[tuple[str, int], int]:
        """(topic, partition) -> the next offset to read."""

    @abc.abstractmethod
    def records(self, batch_size: int = 5000, types: tuple[str, ...] | None = None,
                other_than: tuple[str, ...] = ()) -> AsyncIterator[list[Record]]:
        """Every stored event (of ``types`` when given, not of ``other_than``), in batches."""

    @abc.abstractmethod
    async def series(self) -> list[tuple[str, str]]:
        """The (indicator, definition) series whose sums the store holds whole."""

    @abc.abstractmethod
    def sums(self, batch_size: int = 5000) -> AsyncIterator[list[SumRow]]:
        """Every stored sum row, in batches."""

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
