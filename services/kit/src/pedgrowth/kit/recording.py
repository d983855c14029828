"""Recording accepted facts exactly once per (source, id), atomically with their domain events."""

from __future__ import annotations

import contextlib
import enum
import threading
import time
from functools import lru_cache
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent, project_aggregate
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, StoredEvent, Transcoding
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from pedgrowth.contracts import EventData, Fact
from psycopg.sql import SQL, Identifier

from .batch import AggregateCache, Unit
from .errors import RuleViolation
from .waiting import Parked, Reference, WaitingRoom

DEFAULT_CACHE_SIZE = 20_000
CONFLICT_ATTEMPTS = 3
"""A save that meets another writer's version of an aggregate (a replica on the same store) is tried again,
from what is stored now, this many times in all."""

Handler = Callable[[Any], Sequence[Aggregate]]
"""A use case: one contract fact in, the aggregates it changed out."""


class NotHandled(RuleViolation):
    """A contract type this service does not record (yet); rejected like a business rule."""


class Receipt(Aggregate):
    """The mark that the inbound event (source, id) has been recorded; its id is derived from both."""

    def __init__(self, source: str, event_id: str, event_type: str):
        self.source = source
        self.event_id = event_id
        self.event_type = event_type

    @staticmethod
    def create_id(source: str, event_id: str) -> UUID:
        return receipt_id(source, event_id)


@lru_cache(maxsize=8192)  # asked three times for each fact of a batch
def receipt_id(source: str, event_id: str) -> UUID:
    """Deterministic receipt id, so a second delivery finds the first."""
    return uuid5(NAMESPACE_URL, f"pedgrowth:receipt:{source}\x00{event_id}")


def receipt_of(fact: Fact) -> UUID:
    """The id of the receipt that marks ``fact`` recorded."""
    return receipt_id(fact.envelope.source, fact.envelope.id)


class DateAsISO(Transcoding):
    """Stores calendar dates (the contract's YYYY-MM-DD) in domain events."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Outcome(enum.StrEnum):
    """What happened to one inbound event."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    WAITING = "waiting"
    REJECTED = "rejected"


class RecordingApplication(Application[UUID]):
    """Base of the command side of every service.

    Subclasses list their use cases in ``handlers`` (contract event type → method, written out)
    and ``decide`` runs the one for a validated fact; ``record`` saves them together with the receipt, so a fact is
    recorded once however often it is delivered. A fact naming a reference in
    ``references`` that is not recorded yet waits in ``self.waiting`` (see kit.waiting).
    Inside ``batch()`` several facts are recorded with one store transaction (see kit.batch);
    a fact whose rule reads the notification log (``reads_the_log``) first saves what the
    batch holds, so the log shows it.
    """

    references: tuple[Reference, ...] = ()
    reads_the_log: frozenset[str] = frozenset()

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.handling = self.handlers()
        self.waiting = WaitingRoom(self, self.references)
        self.recording = threading.RLock()
        self.local = threading.local()
        shared_store = self.env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres"
        self.cache = AggregateCache(int(self.env.get("RECORDING_CACHE_SIZE") or (0 if shared_store else
                                                                              DEFAULT_CACHE_SIZE)))

    @property
    def unit(self) -> Unit | None:
        return getattr(self.local, "unit", None)

    @contextlib.contextmanager
    def batch(self) -> Iterator[Unit]:
        """Record what happens inside with one store transaction, saved on leaving (nested: the outer one)."""
        if self.unit is not None:
            yield self.unit
            return
        with self.recording:
            unit = self.local.unit = Unit()
            try:
                yield unit
                self.flush(unit)
            except BaseException:
                self.cache.evict(*unit.aggregates)
                raise
            finally:
                self.local.unit = None

    def flush(self, unit: Unit) -> None:
        """Save the events the unit holds in one transaction; then its aggregates are as stored."""
        if unit.events:
            self.save_events(unit.events)
            unit.events = []
        for aggregate_id, aggregate in unit.aggregates.items():
            if not isinstance(aggregate, Receipt):  # read once per fact anyway; would crowd out the rest
                self.cache.put(aggregate_id, aggregate)

    def save_events(self, events: list[Any]) -> None:
        """``Application.save`` for events the unit already collected: the same steps without asking each
        event whether it is a domain event (a runtime-checked Protocol: 12 % of a batch's CPU time)."""
        processing_event: ProcessingEvent = ProcessingEvent()
        processing_event.events.extend(events)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # deprecated in eventsourcing 9.5, still called by its save

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Inside a batch: staged for its transaction. Outside: saved now (and forgotten by the cache)."""
        unit = self.unit
        if unit is not None:
            unit.stage(objs)
            return []
        self.cache.evict(*(o.id for o in objs if hasattr(o, "collect_events")))
        return super().save(*objs, **kwargs)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def record(self, fact: Fact, origin: str = "http") -> Outcome:
        """Record one validated fact unless (source, id) was recorded before.

        A fact whose content is already recorded (the same completion sent by two
        systems) changes no aggregate: it is a duplicate too, though its receipt is kept.
        A fact whose reference is not recorded yet waits (its receipt is saved when it is recorded).
        Inside a batch it is staged; alone, it is saved in a transaction of its own.
        """
        if self.unit is not None:
            return self.stage(fact, origin, self.unit)
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                with self.batch() as unit:
                    return self.stage(fact, origin, unit)
            except IntegrityError:
                if self.exists(receipt_id(fact.envelope.source, fact.envelope.id)):
                    return Outcome.DUPLICATE
                if attempt == CONFLICT_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def stage(self, fact: Fact, origin: str, unit: Unit) -> Outcome:
        envelope = fact.envelope
        rid = receipt_id(envelope.source, envelope.id)
        if self.exists(rid):
            return Outcome.DUPLICATE
        missing = self.waiting.missing(fact.data)
        if missing is not None:
            reference, key = missing
            parked = self.parked(fact, str(rid), origin, reference.field(fact.data.type_suffix))
            self.waiting.park(reference, key, parked)  # False for a redelivery: kept once, still waiting
            return Outcome.WAITING
        if fact.data.type_suffix in self.reads_the_log:
            self.flush(unit)
        try:
            changed = self.decide(fact.data)
        except Exception:
            self.forget_unfinished(unit)
            raise
        nothing_new = not any(getattr(a, "pending_events", None) for a in changed)
        receipt = Receipt(source=envelope.source, event_id=envelope.id, event_type=envelope.type)
        self.save(*changed, receipt)
        return Outcome.DUPLICATE if nothing_new else Outcome.ACCEPTED

    def forget_unfinished(self, unit: Unit) -> None:
        """A refused fact may have changed an aggregate before its rule failed: save what came before it,
        then drop those aggregates, so the next fact reads them as stored."""
        dirty = unit.dirty()
        if not dirty:
            return
        self.flush(unit)
        for aggregate_id in dirty:
            unit.aggregates.pop(aggregate_id, None)
        unit.forget(dirty)
        self.cache.evict(*dirty)

    def parked(self, fact: Fact, receipt: str, origin: str, field: str) -> Parked:
        envelope = fact.envelope
        org_id, municipality_id = self.place_of(fact.data)
        return Parked(receipt=receipt, event_id=envelope.id, source=envelope.source, event_type=envelope.type,
                      payload=envelope.to_bytes().decode(), origin=origin, parked_at=time.time(), field=field,
                      org_id=org_id, municipality_id=municipality_id)

    def place_of(self, data: EventData) -> tuple[str | None, str | None]:
        """The organisation and municipality a fact belongs to, as far as this service knows (for access)."""
        org_id = getattr(data, "org_id", None)
        return org_id, getattr(data, "municipality_id", None) or (self.municipality_of(org_id) if org_id else None)

    def municipality_of(self, org_id: str) -> str | None:
        """The municipality of an organisation, when this service knows it (services override)."""
        return None

    def handlers(self) -> Mapping[type[EventData], Handler]:
        """The use case of each contract event type this service records (services override)."""
        return {}

    def decide(self, data: EventData) -> Sequence[Aggregate]:
        """Apply the fact's rules and return the aggregates it changed: its type's handler (``handlers``)."""
        handler = self.handling.get(type(data))
        if handler is None:
            raise NotHandled(f"type: {data.event_type} is not recorded by this service yet", "type")
        return handler(data)

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether an aggregate with this id has been saved (or staged by the batch being recorded)."""
        unit = self.unit
        if unit is not None:
            known = unit.knows(aggregate_id)
            if known is not None:
                return known
            if aggregate_id in self.cache:
                return True
        return bool(self.recorder.select_events(aggregate_id, desc=True, limit=1))

    def prefetch(self, facts: Sequence[Fact]) -> None:
        """Before a batch is decided: which of the aggregates its facts will ask about are stored, in one query
        (their receipts, the references they wait for or record, the aggregates the service names)."""
        marks, read = [], []
        for fact in facts:
            marks.append(receipt_of(fact))
            references, lists = self.waiting.asked_about(fact.data)
            marks += lists  # mostly only whether they exist is asked; they may hold many events
            read += references
            read += self.subjects(fact.data)
        self.preload(read)
        self.look_up(marks)

    def subjects(self, data: EventData) -> Sequence[UUID]:
        """The aggregates a fact of this type reads or opens, as far as the service can name them before deciding
        (services override; one that is not stored is then opened without asking the store)."""
        return ()

    def look_up(self, ids: Sequence[UUID]) -> None:
        """Read in one query which of these aggregates the store holds, so ``exists`` and ``get_or_none``
        answer for them without a query each; a store without that query is asked one by one later."""
        unit = self.unit
        if unit is None:
            return
        ids = list({i for i in ids if unit.knows(i) is None})
        found = stored_among(self.recorder, ids)
        if found is not None:
            unit.looked_up.update(ids)
            unit.stored.update(found)

    def preload(self, ids: Sequence[UUID]) -> None:
        """Read these aggregates' events in one query and keep the aggregates for the batch (those the cache does
        not hold already); the ones with no events are known to be new."""
        unit = self.unit
        if unit is None:
            return
        ids = list({i for i in ids if unit.knows(i) is None and i not in self.cache})
        found = stored_events_among(self.recorder, ids)
        if found is None:
            return
        for aggregate_id, stored_events in found.items():
            unit.preloaded[aggregate_id] = project_aggregate(
                None, [self.mapper.to_domain_event(stored) for stored in stored_events])
        unit.looked_up.update(ids)
        unit.stored.update(found)

    def get_or_none(self, aggregate_id: UUID) -> Any:
        """The aggregate, or None when it has never been saved; inside a batch, as the batch left it."""
        unit = self.unit
        if unit is None:
            return self.stored(aggregate_id)
        if unit.knows(aggregate_id) is False:
            return None
        found = (unit.aggregates.get(aggregate_id) or self.cache.get(aggregate_id)
                 or unit.preloaded.pop(aggregate_id, None) or self.stored(aggregate_id))
        if found is not None:
            unit.seen(found)
        return found

    def stored(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def ping(self) -> None:
        """Touch the store so readiness reflects it."""
        self.recorder.max_notification_id()


LOOK_UP_CHUNK = 500


def stored_among(recorder: Any, ids: Sequence[UUID]) -> set[UUID] | None:
    """The ids among ``ids`` that have stored events, in one query per 500 (SQLite, PostgreSQL); None for
    another recorder (in memory: ``exists`` asks it per id, which costs nothing there)."""
    if isinstance(recorder, SQLiteAggregateRecorder):
        found: set[UUID] = set()
        with recorder.datastore.transaction(commit=False) as cursor:
            for chunk in chunked(ids):
                cursor.execute(f"SELECT DISTINCT originator_id FROM {recorder.events_table_name} "  # noqa: S608
                               f"WHERE originator_id IN ({','.join('?' * len(chunk))})", [i.hex for i in chunk])
                found.update(UUID(row[0]) for row in cursor.fetchall())
        return found
    if isinstance(recorder, PostgresAggregateRecorder):
        statement = SQL("SELECT DISTINCT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s)").format(
            schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
        found = set()
        with recorder.datastore.get_connection() as connection, connection.cursor() as cursor:
            for chunk in chunked(ids):
                cursor.execute(statement, [list(chunk)])
                found.update(row["originator_id"] for row in cursor.fetchall())
        return found
    return None


def stored_events_among(recorder: Any, ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]] | None:
    """The stored events of each of ``ids`` that has any, in version order, in one query per 500 (SQLite,
    PostgreSQL); None for another recorder."""
    found: dict[UUID, list[StoredEvent]] = {}
    if isinstance(recorder, SQLiteAggregateRecorder):
        with recorder.datastore.transaction(commit=False) as cursor:
            for chunk in chunked(ids):
                cursor.execute(f"SELECT originator_id, originator_version, topic, state "  # noqa: S608
                               f"FROM {recorder.events_table_name} WHERE originator_id IN "
                               f"({','.join('?' * len(chunk))}) ORDER BY originator_id, originator_version",
                               [i.hex for i in chunk])
                for row in cursor.fetchall():
                    originator_id = UUID(row[0])
                    found.setdefault(originator_id, []).append(StoredEvent(originator_id, row[1], row[2], row[3]))
        return found
    if isinstance(recorder, PostgresAggregateRecorder):
        statement = SQL("SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
                        "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version").format(
            schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
        with recorder.datastore.get_connection() as connection, connection.cursor() as cursor:
            for chunk in chunked(ids):
                cursor.execute(statement, [list(chunk)])
                for row in cursor.fetchall():
                    found.setdefault(row["originator_id"], []).append(StoredEvent(
                        row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])))
        return found
    return None


def chunked(ids: Sequence[UUID]) -> Iterator[Sequence[UUID]]:
    for start in range(0, len(ids), LOOK_UP_CHUNK):
        yield ids[start:start + LOOK_UP_CHUNK]


def count_notifications(recorder: Any, after: int, upto: int, topics: Sequence[str]) -> int:
    """How many notifications after ``after`` up to ``upto`` have one of ``topics``: one COUNT (SQLite,
    PostgreSQL); another recorder (in memory) selects them."""
    if upto <= after or not topics:
        return 0
    if isinstance(recorder, SQLiteAggregateRecorder):
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {recorder.events_table_name} "  # noqa: S608
                           f"WHERE rowid>? AND rowid<=? AND topic IN ({','.join('?' * len(topics))})",
                           [after, upto, *topics])
            return int(cursor.fetchone()[0])
    if isinstance(recorder, PostgresAggregateRecorder):
        statement = SQL("SELECT COUNT(*) AS n FROM {schema}.{table} WHERE notification_id > %s "
                        "AND notification_id <= %s AND topic = ANY(%s)").format(
            schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
        with recorder.datastore.get_connection() as connection, connection.cursor() as cursor:
            cursor.execute(statement, [after, upto, list(topics)])
            return int(cursor.fetchone()["n"])
    return len(recorder.select_notifications(after + 1, upto - after, upto, list(topics)))
