"""Recording accepted facts exactly once per (source, id), atomically with their domain events."""

from __future__ import annotations

import enum
import time
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding
from pedgrowth.contracts import EventData, Fact

from .waiting import Parked, Reference, WaitingRoom


class NotHandled(Exception):
    """A contract type this service does not record (yet); rejected like a business rule."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Receipt(Aggregate):
    """The mark that the inbound event (source, id) has been recorded; its id is derived from both."""

    def __init__(self, source: str, event_id: str, event_type: str):
        self.source = source
        self.event_id = event_id
        self.event_type = event_type

    @staticmethod
    def create_id(source: str, event_id: str) -> UUID:
        return receipt_id(source, event_id)


def receipt_id(source: str, event_id: str) -> UUID:
    """Deterministic receipt id, so a second delivery finds the first."""
    return uuid5(NAMESPACE_URL, f"pedgrowth:receipt:{source}\x00{event_id}")


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

    Subclasses turn a validated contract fact into changed aggregates in
    ``decide``; ``record`` saves them together with the receipt, so a fact is
    recorded once however often it is delivered. A fact naming a reference in
    ``references`` that is not recorded yet waits in ``self.waiting`` (see kit.waiting).
    """

    references: tuple[Reference, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.waiting = WaitingRoom(self, self.references)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def record(self, fact: Fact, origin: str = "http") -> Outcome:
        """Record one validated fact unless (source, id) was recorded before.

        A fact whose content is already recorded (the same completion sent by two
        systems) changes no aggregate: it is a duplicate too, though its receipt is kept.
        A fact whose reference is not recorded yet waits (its receipt is saved when it is recorded).
        """
        envelope = fact.envelope
        rid = receipt_id(envelope.source, envelope.id)
        if self.exists(rid):
            return Outcome.DUPLICATE
        missing = self.waiting.missing(fact.data)
        if missing is not None:
            reference, key = missing
            parked = self.parked(fact, str(rid), origin, f"data.{reference.waits[fact.data.type_suffix]}")
            self.waiting.park(reference, key, parked)  # False for a redelivery: kept once, still waiting
            return Outcome.WAITING
        changed = self.decide(fact.data)
        nothing_new = not any(getattr(a, "pending_events", None) for a in changed)
        receipt = Receipt(source=envelope.source, event_id=envelope.id, event_type=envelope.type)
        try:
            self.save(*changed, receipt)
        except IntegrityError:
            if self.exists(rid):
                return Outcome.DUPLICATE
            raise
        return Outcome.DUPLICATE if nothing_new else Outcome.ACCEPTED

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

    def decide(self, data: EventData) -> Sequence[Aggregate]:
        """Apply the fact's rules and return the aggregates it changed: ``on_<event name>(data)``."""
        handler = getattr(self, f"on_{data.type_suffix}", None)
        if handler is None:
            raise NotHandled(f"type: {data.event_type} is not recorded by this service yet", "type")
        return handler(data)

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether an aggregate with this id has been saved."""
        return bool(self.recorder.select_events(aggregate_id, desc=True, limit=1))

    def get_or_none(self, aggregate_id: UUID) -> Any:
        """The aggregate, or None when it has never been saved."""
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def ping(self) -> None:
        """Touch the store so readiness reflects it."""
        self.recorder.max_notification_id()
