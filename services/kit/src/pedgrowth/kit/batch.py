"""Recording several facts with one store transaction: the unit of work and the aggregate cache behind it.

A ``Unit`` holds the aggregates a recording pass has read or changed and the domain
events it will save; facts later in the batch see the earlier ones' changes through it
(a receipt staged earlier makes a duplicate inside the batch a duplicate). The
``AggregateCache`` keeps aggregates between batches so they are not read again.

Why the cache stays true: it is only read and filled inside a unit, units run one at a
time (the application's recording lock), an aggregate enters it only after the
transaction that saved its events committed, every save outside a unit evicts what it
saved, and a unit that fails evicts everything it touched. What it cannot see are writes
by another process on the same store: on PostgreSQL, where replicas share a store, it is
off by default (a stale aggregate would fail its save by optimistic concurrency, but a
stale one that is only read could decide a rule).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any
from uuid import UUID


class AggregateCache:
    """A bounded LRU of aggregates by id; thread-safe."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self.items: OrderedDict[UUID, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, aggregate_id: UUID) -> Any:
        if not self.maxsize:
            return None
        with self.lock:
            found = self.items.get(aggregate_id)
            if found is not None:
                self.items.move_to_end(aggregate_id)
            return found

    def put(self, aggregate_id: UUID, aggregate: Any) -> None:
        if not self.maxsize:
            return
        with self.lock:
            self.items[aggregate_id] = aggregate
            self.items.move_to_end(aggregate_id)
            while len(self.items) > self.maxsize:
                self.items.popitem(last=False)

    def evict(self, *aggregate_ids: UUID) -> None:
        with self.lock:
            for aggregate_id in aggregate_ids:
                self.items.pop(aggregate_id, None)

    def __contains__(self, aggregate_id: UUID) -> bool:
        with self.lock:
            return aggregate_id in self.items


class Unit:
    """The aggregates one recording pass has read or changed, and the events it will save together."""

    def __init__(self) -> None:
        self.aggregates: dict[UUID, Any] = {}
        self.events: list[Any] = []
        self.looked_up: set[UUID] = set()  # ids whose presence in the store was read for the whole batch
        self.stored: set[UUID] = set()  # of those, the ones the store holds
        self.preloaded: dict[UUID, Any] = {}  # read for the whole batch as stored when it began; taken on first use

    def forget(self, aggregate_ids: list[UUID]) -> None:
        """These may be stored after all (saved earlier in the batch, then dropped): ask the store again."""
        self.looked_up.difference_update(aggregate_ids)

    def knows(self, aggregate_id: UUID) -> bool | None:
        """Whether the aggregate exists, when the batch knows it without asking the store (else None)."""
        if aggregate_id in self.aggregates or aggregate_id in self.stored:
            return True
        return False if aggregate_id in self.looked_up else None

    def seen(self, aggregate: Any) -> None:
        self.aggregates[aggregate.id] = aggregate

    def stage(self, objs: tuple[Any, ...]) -> None:
        """Take the pending events of these aggregates (or these events) into the batch, in order."""
        for obj in objs:
            if obj is None:
                continue
            if hasattr(obj, "collect_events"):
                self.aggregates[obj.id] = obj
                self.events.extend(obj.collect_events())
            else:
                self.events.append(obj)

    def dirty(self) -> list[UUID]:
        """Aggregates changed by a fact that did not finish (their pending events were never staged)."""
        return [i for i, a in self.aggregates.items() if getattr(a, "pending_events", None)]
