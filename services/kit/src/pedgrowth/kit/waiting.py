"""Waiting facts: a fact that names a reference not recorded yet is kept in the store until it is.

School systems publish on their own schedules and under other Kafka keys, so a hire may
arrive before its organisation, a course before its programme. Such a fact is parked in
a ``WaitingFacts`` aggregate (one per referenced thing: kind and key), saved in the
service's own store before the inbox commits the message, so a restart loses nothing.
When the reference is recorded, the parked facts go through the inbox again in arrival
order — exactly the path in-order delivery takes, deduplicated by their (source, id)
receipts. A fact still waiting after ``waiting_max_age_seconds`` is refused with
``unresolved_reference`` and its dead letter is published by the ``WaitingWorker``.

Each service declares its references (``Reference``): which fact types wait on them,
through which field, and which fact types record them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from .logfollower import LogFollower

if TYPE_CHECKING:
    from .inbox import Inbox

log = logging.getLogger(__name__)

UNRESOLVED_REFERENCE = "unresolved_reference"


@dataclass(frozen=True)
class Reference:
    """Something facts refer to (an organisation, a programme, the start an end closes…) and how the service
    records it.

    ``waits`` maps a contract type suffix to the data field naming the reference, or to several fields when the
    reference is named by more than one (an expert role: ``("role_id", "person_id")``; the first is the field a
    refusal names, and every entry lists the key's parts in the same order); ``recorded_by`` maps the type
    suffixes that record it to the field(s) holding its key. ``aggregate_id`` takes the key's parts and names the
    aggregate that records it. ``recorded`` (the app and the key's parts) says whether it is recorded, when that is
    more than the aggregate existing (a start kept inside a person's record). ``missing_en`` / ``missing_ru`` say
    what is missing, with ``{key}`` or the parts by field name (``{role_id}``).
    """

    kind: str
    aggregate_id: Callable[..., UUID]
    waits: Mapping[str, str | tuple[str, ...]]
    recorded_by: Mapping[str, str | tuple[str, ...]]
    missing_en: str
    missing_ru: str
    recorded: Callable[..., bool] | None = None

    def key_in(self, data: Any, suffix_fields: Mapping[str, str | tuple[str, ...]]) -> str | None:
        """The key ``data`` names through the fields its type has in ``suffix_fields`` (None: it names none)."""
        names = suffix_fields.get(getattr(data, "type_suffix", ""))
        if not names:
            return None
        parts = [getattr(data, name, None) for name in fields_of(names)]
        return compose_key(parts) if all(isinstance(p, str) and p for p in parts) else None

    def field(self, suffix: str) -> str:
        """The field a waiting fact of this type is reported under (``data.<the first of its fields>``)."""
        return f"data.{fields_of(self.waits[suffix])[0]}"

    def parts(self, key: str) -> tuple[str, ...]:
        return split_key(key, len(self.names))

    @property
    def names(self) -> tuple[str, ...]:
        """The key's parts, named as the facts that wait name them."""
        return fields_of(next(iter(self.waits.values())))

    def aggregate_of(self, key: str) -> UUID:
        return self.aggregate_id(*self.parts(key))

    def is_recorded(self, app: Any, key: str) -> bool:
        if self.recorded is not None:
            return self.recorded(app, *self.parts(key))
        return app.exists(self.aggregate_of(key))

    def missing(self, key: str, language: str = "en") -> str:
        """What is missing, in English or Russian."""
        text = self.missing_ru if language == "ru" else self.missing_en
        return text.format(key=key, **dict(zip(self.names, self.parts(key), strict=True)))

    def naming(self, key: str) -> str:
        """The key as the fields name it: ``data.program_id: prog-1``; ``data.role_id: r-1, data.person_id: p-1``."""
        return ", ".join(f"data.{name}: {part}" for name, part in zip(self.names, self.parts(key), strict=True))

    def key_of_values(self, suffix: str, value_at: Callable[[str], Any]) -> str | None:
        """The key a waiting fact of type ``suffix`` names, read with ``value_at("data.<field>")`` (a dead letter's
        payload); None when it names none."""
        names = self.waits.get(suffix)
        if not names:
            return None
        parts = [value_at(f"data.{name}") for name in fields_of(names)]
        return compose_key(parts) if all(isinstance(p, str) and p for p in parts) else None


def fields_of(names: str | tuple[str, ...]) -> tuple[str, ...]:
    return (names,) if isinstance(names, str) else tuple(names)


KEY_SEPARATOR = "/"


def compose_key(parts: list[str] | tuple[str, ...]) -> str:
    """One key from its parts: a single part as it is; several joined by ``/``, each with ``%`` and ``/``
    escaped, so two different tuples never make the same key (``split_key`` reverses it)."""
    if len(parts) == 1:
        return parts[0]
    return KEY_SEPARATOR.join(p.replace("%", "%25").replace("/", "%2F") for p in parts)


def split_key(key: str, count: int) -> tuple[str, ...]:
    if count == 1:
        return (key,)
    return tuple(p.replace("%2F", "/").replace("%25", "%") for p in key.split(KEY_SEPARATOR))


@dataclass(frozen=True)
class Parked:
    """One waiting fact as kept in the store: the envelope as JSON, where it came from, since when."""

    receipt: str
    event_id: str
    source: str
    event_type: str
    payload: str
    origin: str
    parked_at: float
    field: str
    org_id: str | None = None
    municipality_id: str | None = None


@dataclass(frozen=True)
class Refusal:
    """A parked fact that will not be recorded: its dead letter is due."""

    parked: Parked
    reason_code: str
    reason: str
    field: str | None


def suffix_of(event_type: str) -> str:
    """``course_completed`` of ``pedgrowth.training.course_completed.v1`` ("" for another shape)."""
    return event_type.split(".")[2] if event_type.count(".") >= 3 else ""


def waiting_id(kind: str, key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"pedgrowth:waiting:{kind}\x00{key}")


class WaitingFacts(Aggregate):
    """The facts that wait for one reference, in arrival order, and the refusals not yet dead-lettered."""

    def __init__(self, kind: str, key: str):
        self.kind = kind
        self.key = key
        self.parked: dict[str, dict] = {}
        self.refused: dict[str, dict] = {}

    @staticmethod
    def create_id(kind: str, key: str) -> UUID:
        return waiting_id(kind, key)

    @event("Parked")
    def park(self, fact: dict) -> None:
        self.parked[fact["receipt"]] = fact

    @event("Released")
    def release(self, receipt: str) -> None:
        self.parked.pop(receipt, None)

    @event("Refused")
    def refuse(self, receipt: str, reason_code: str, reason: str, field: str | None) -> None:
        fact = self.parked.pop(receipt)
        self.refused[receipt] = {"fact": fact, "reason_code": reason_code, "reason": reason, "field": field}

    @event("DeadLettered")
    def dead_lettered(self, receipt: str) -> None:
        self.refused.pop(receipt, None)

    def holds(self, receipt: str) -> bool:
        return receipt in self.parked or receipt in self.refused

    def waiting(self) -> list[Parked]:
        return [Parked(**fact) for fact in self.parked.values()]

    def refusals(self) -> list[Refusal]:
        return [Refusal(Parked(**r["fact"]), r["reason_code"], r["reason"], r["field"]) for r in self.refused.values()]


WAITING_TOPICS = tuple(get_topic(c) for c in (WaitingFacts.Created, WaitingFacts.Parked, WaitingFacts.Released,
                                              WaitingFacts.Refused, WaitingFacts.DeadLettered))


class WaitingRoom:
    """The waiting facts of one application: park, look up, release and refuse them; an index for operators.

    The lock serialises changes to ``WaitingFacts`` between the inbox and the worker,
    which run in different threads of one process; replicas sharing a store meet the
    store's optimistic concurrency instead (a conflicting save fails and is retried).
    """

    def __init__(self, app: Any, references: tuple[Reference, ...]):
        self.app = app
        self.references = references
        self.lock = threading.RLock()
        self.log = LogFollower(app, {}, topics=WAITING_TOPICS)
        self.lists: dict[UUID, WaitingFacts] = {}

    # --- the inbox's side ---------------------------------------------------------------------------

    def missing(self, data: Any) -> tuple[Reference, str] | None:
        """The reference this fact names that is not recorded yet, or None."""
        for reference in self.references:
            key = reference.key_in(data, reference.waits)
            if key and not reference.is_recorded(self.app, key):
                return reference, key
        return None

    def asked_about(self, data: Any) -> tuple[list[UUID], list[UUID]]:
        """The references ``missing`` and ``waiting_for`` read for this fact, and the waiting lists ``park`` and
        ``behind`` ask about (a batch reads the first and asks about the second at once)."""
        references, lists = [], []
        for reference in self.references:
            for fields in (reference.waits, reference.recorded_by):
                key = reference.key_in(data, fields)
                if key:
                    references.append(reference.aggregate_of(key))
                    lists.append(waiting_id(reference.kind, key))
        return references, lists

    def park(self, reference: Reference, key: str, parked: Parked) -> bool:
        """Keep a fact until its reference is recorded; False when it is already kept (a redelivery)."""
        with self.app.batch(), self.lock:
            waiting = self.app.get_or_none(waiting_id(reference.kind, key)) or WaitingFacts(reference.kind, key)
            if waiting.holds(parked.receipt):
                return False
            waiting.park(vars(parked))
            self.app.save(waiting)
            return True

    def behind(self, data: Any) -> list[tuple[Reference, str]]:
        """The references this fact records that have facts waiting for them."""
        found = []
        for reference in self.references:
            key = reference.key_in(data, reference.recorded_by)
            if key and self.app.exists(waiting_id(reference.kind, key)):
                found.append((reference, key))
        return found

    def waiting_for(self, reference: Reference, key: str) -> list[Parked]:
        """The facts parked for this reference, in arrival order, once it is recorded (else none)."""
        waiting = self.app.get_or_none(waiting_id(reference.kind, key))
        if waiting is None or not waiting.parked or not reference.is_recorded(self.app, key):
            return []
        return waiting.waiting()

    def released(self, reference: Reference, key: str, receipt: str) -> None:
        """The parked fact went through the inbox (recorded, or a duplicate of what is recorded)."""
        self.change(reference.kind, key, lambda w: w.release(receipt) if receipt in w.parked else None)

    def refused(self, kind: str, key: str, receipt: str, reason_code: str, reason: str, field: str | None) -> None:
        """The parked fact will not be recorded; its dead letter is due."""
        self.change(kind, key, lambda w: w.refuse(receipt, reason_code, reason, field) if receipt in w.parked else None)

    def dead_lettered(self, kind: str, key: str, receipt: str) -> None:
        self.change(kind, key, lambda w: w.dead_lettered(receipt) if receipt in w.refused else None)

    def change(self, kind: str, key: str, apply: Callable[[WaitingFacts], object]) -> None:
        with self.app.batch(), self.lock:
            waiting = self.app.get_or_none(waiting_id(kind, key))
            if waiting is None:
                return
            apply(waiting)
            if waiting.pending_events:
                self.app.save(waiting)

    # --- the operator's side: an index following the notification log ----------------------------------

    def catch_up(self) -> list[WaitingFacts]:
        """The lists with facts waiting or refusals due, after reading what the store recorded since."""
        with self.lock:
            touched = {n.originator_id for n in self.log.notifications()}
            for list_id in touched:
                waiting = self.app.get_or_none(list_id)
                if waiting is not None and (waiting.parked or waiting.refused):
                    self.lists[list_id] = waiting
                else:
                    self.lists.pop(list_id, None)
            return list(self.lists.values())

    def reference(self, kind: str) -> Reference | None:
        return next((r for r in self.references if r.kind == kind), None)

    def reference_for(self, event_type: str, field: str | None) -> Reference | None:
        """The reference a fact of this type waits on through ``field`` (for wording a dead letter)."""
        suffix = suffix_of(event_type)
        for reference in self.references:
            if suffix in reference.waits and field in (None, reference.field(suffix)):
                return reference
        return None


@dataclass
class WaitingState:
    """What the worker saw on its last sweep: for the gauges."""

    count: int = 0
    oldest_seconds: float = 0.0
    refusals: list[tuple[str, str, Refusal]] = field(default_factory=list)


class WaitingWorker:
    """Background work of the waiting room: release what became recordable, refuse what waited too long,
    publish the refusals' dead letters, and keep the gauges.

    The inbox releases waiting facts at once when it records their reference; the worker
    covers the rest: a crash between the two, a reference recorded by another replica or
    over another channel, and the timeout.
    """

    def __init__(self, inbox: Inbox, max_age_seconds: float, sweep_seconds: float,
                 publish: Callable[..., Any], clock: Callable[[], float] = time.time):
        self.inbox = inbox
        self.room: WaitingRoom = inbox.app.waiting
        self.max_age = max_age_seconds
        self.sweep_seconds = sweep_seconds
        self.publish = publish
        self.clock = clock

    async def run(self, _service, stop: asyncio.Event) -> None:
        """Sweep every ``sweep_seconds`` until asked to stop; a failing sweep is retried."""
        while not stop.is_set():
            try:
                state = await asyncio.to_thread(self.sweep)
                await self.dead_letter(state.refusals)
                self.set_gauges(state)
            except Exception as error:  # noqa: BLE001 - the worker outlives store and broker outages
                log.warning("%s waiting facts: sweep failed (%r); retrying", self.inbox.service, error)
            try:
                await asyncio.wait_for(stop.wait(), self.sweep_seconds)
            except TimeoutError:
                pass

    def sweep(self) -> WaitingState:
        """Release, refuse when overdue, and report (blocking: runs in a thread)."""
        now = self.clock()
        state = WaitingState()
        for waiting in self.room.catch_up():
            reference = self.room.reference(waiting.kind)
            if reference is None:
                continue
            for parked in self.room.waiting_for(reference, waiting.key):
                self.inbox.release(reference, waiting.key, parked)
            for parked in waiting.waiting():
                if now - parked.parked_at >= self.max_age:
                    self.refuse_overdue(reference, waiting.key, parked)
        for waiting in self.room.catch_up():
            for parked in waiting.waiting():
                state.count += 1
                state.oldest_seconds = max(state.oldest_seconds, now - parked.parked_at)
            state.refusals.extend((waiting.kind, waiting.key, r) for r in waiting.refusals())
        return state

    def refuse_overdue(self, reference: Reference, key: str, parked: Parked) -> None:
        days = self.max_age / 86400
        reason = f"{reference.missing(key)} after {days:g} days of waiting ({reference.naming(key)})"
        self.room.refused(reference.kind, key, parked.receipt, UNRESOLVED_REFERENCE, reason, parked.field)
        self.inbox.count_refused(UNRESOLVED_REFERENCE)

    async def dead_letter(self, refusals: list[tuple[str, str, Refusal]]) -> None:
        """Publish each refusal's dead letter, then forget it (a crash in between publishes it again)."""
        for kind, key, refusal in refusals:
            parked = refusal.parked
            await self.publish(value=parked.payload.encode(), key=key_of(parked), code=refusal.reason_code,
                               reason=refusal.reason, origin=parked.origin, field=refusal.field)
            await asyncio.to_thread(self.room.dead_lettered, kind, key, parked.receipt)

    def set_gauges(self, state: WaitingState) -> None:
        metrics, service = self.inbox.metrics, self.inbox.service
        metrics.waiting_facts.labels(service).set(state.count)
        metrics.waiting_oldest.labels(service).set(state.oldest_seconds)


def key_of(parked: Parked) -> bytes | None:
    """The Kafka key the fact came with: its subject."""
    subject = json.loads(parked.payload).get("subject")
    return subject.encode() if isinstance(subject, str) else None
