"""The inbox: validate inbound CloudEvents against the contracts, record them once, dead-letter the rest."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Annotated

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from eventsourcing.persistence import IntegrityError
from pydantic import Field, TypeAdapter
from pedgrowth.contracts import (
    ContractViolation,
    Fact,
    decode_for_service,
    dlq_origin,
    dlq_topic,
    inbox_group,
    inbox_topic,
)

from .backoff import Backoff
from .config import ServiceSettings
from .deadletters import publish_letter
from .duplicates import Duplicates
from .kafka import client_options
from .metrics import Metrics
from .recording import Outcome, RecordingApplication
from .waiting import Parked, Reference

log = logging.getLogger(__name__)

BUSINESS_RULE = "business_rule"
PROCESSING_ERROR = "processing_error"


# The one model of an event's outcome, for the HTTP answers, the inbox and the dead-letter replay: a plain
# dataclass, so the inbox builds one per event without validating anything; pydantic reads it where an answer
# declares it.
@dataclass(frozen=True)
class EventResult:
    """What happened to one inbound event, as told to its sender: an item of POST /api/v1/events' answer, a
    refused single event's result, a replayed dead letter's outcome, an imported row's outcome."""

    outcome: Outcome
    id: Annotated[str | None, Field(description="the event's CloudEvent id, once it was read")] = None
    type: Annotated[str | None, Field(description="the event's CloudEvent type, once it was read")] = None
    reason_code: Annotated[str | None, Field(description="why it was rejected: a contract check, business_rule, "
                                                         "forbidden")] = None
    field: Annotated[str | None, Field(description="the field at fault, e.g. data.person_id")] = None
    reason: str | None = None
    # the status a refused single event is answered with: the response's own status, never in a body
    http_status: Annotated[int | None, Field(exclude=True)] = None

    def as_dict(self) -> dict:
        """The result as its JSON says it: the keys with a value (http_status never)."""
        return EVENT_RESULT.dump_python(self, exclude_none=True)


EVENT_RESULT = TypeAdapter(EventResult)


def rejected(reason_code: str, reason: str, field: str | None = None, fact: Fact | None = None,
             http_status: int = 422) -> EventResult:
    """A rejection, keeping the event's id and type when it got that far."""
    return EventResult(
        Outcome.REJECTED,
        id=fact.envelope.id if fact else None,
        type=fact.envelope.type if fact else None,
        reason_code=reason_code, field=field, reason=reason, http_status=http_status,
    )


class Inbox:
    """Turns raw inbound events into recorded facts or reasons; shared by Kafka and HTTP."""

    def __init__(
        self,
        app: RecordingApplication,
        service: str,
        rejections: dict[type[Exception], int],
        metrics: Metrics,
    ):
        self.app = app
        self.service = service
        self.rejections = rejections
        self.metrics = metrics
        self.recorded = asyncio.Event()  # set from the event loop after a recording: wakes the relay
        self.duplicates = Duplicates()  # per organisation, for «Качество данных» (GET /api/v1/duplicates)

    def validate(self, raw: bytes | str | dict) -> Fact:
        """The fact, or ContractViolation naming the field and the reason."""
        return decode_for_service(raw, self.service)

    def record(self, fact: Fact, origin: str = "http") -> EventResult:
        """Record a validated fact, then the facts that waited for it (synchronous: run it in a thread)."""
        try:
            outcome = self.app.record(fact, origin)
        except tuple(self.rejections) as error:
            return rejected(BUSINESS_RULE, str(error), getattr(error, "field", None), fact,
                            http_status=self.status_of(error))
        if outcome is not Outcome.WAITING:
            self.release_behind(fact)
        return EventResult(outcome, id=fact.envelope.id, type=fact.envelope.type)

    def release_behind(self, fact: Fact) -> None:
        """The facts that waited for what ``fact`` records go through the inbox now, in arrival order."""
        for reference, key in self.app.waiting.behind(fact.data):
            for parked in self.app.waiting.waiting_for(reference, key):
                self.release(reference, key, parked)

    def release(self, reference: Reference, key: str, parked: Parked) -> EventResult:
        """Record a waiting fact the way it would have been recorded had it come in order."""
        try:
            fact = self.validate(parked.payload)
        except ContractViolation as violation:
            result = rejected(violation.reason, violation.message, violation.field)
        else:
            result = self.record(fact, parked.origin)
        if result.outcome is Outcome.REJECTED:
            self.app.waiting.refused(reference.kind, key, parked.receipt, result.reason_code, result.reason or "",
                                     result.field)
        elif result.outcome is not Outcome.WAITING:
            self.app.waiting.released(reference, key, parked.receipt)
        self.count(result, "waiting")
        return result

    def count_refused(self, reason_code: str) -> None:
        """A waiting fact refused by the worker (it waited too long)."""
        self.count(EventResult(Outcome.REJECTED, reason_code=reason_code), "waiting")

    def status_of(self, error: Exception) -> int:
        """The HTTP status the service's table gives this domain error (most specific class wins)."""
        for klass in type(error).__mro__:
            if klass in self.rejections:
                return self.rejections[klass]
        return 422

    def count(self, result: EventResult, channel: str, fact: Fact | None = None) -> None:
        """Metrics at the edge, once per inbound event; a duplicate also under the organisation ``fact`` names."""
        self.metrics.inbox_messages.labels(self.service, channel, result.outcome.value).inc()
        if result.outcome is Outcome.DUPLICATE and fact is not None:
            self.duplicates.note(fact, channel)
        if result.outcome is Outcome.REJECTED:
            self.metrics.inbox_rejected.labels(self.service, channel, result.reason_code).inc()
        elif result.outcome is Outcome.ACCEPTED:
            self.metrics.events_recorded.labels(self.service, result.type).inc()

    def process(self, raw: bytes | str | dict, channel: str, origin: str | None = None) -> EventResult:
        """Validate and record one inbound event (synchronous)."""
        fact = self.checked(raw)
        if not isinstance(fact, Fact):
            self.count(fact, channel)
            return fact
        result = self.record(fact, origin or channel)
        self.count(result, channel, fact)
        return result

    def checked(self, raw: bytes | str | dict) -> Fact | EventResult:
        """The fact, or its rejection by the contract."""
        try:
            return self.validate(raw)
        except ContractViolation as violation:
            return rejected(violation.reason, violation.message, violation.field)

    def process_batch(self, items: list[tuple[bytes, str]], channel: str) -> list[EventResult]:
        """Validate and record raw events (with their origins) in one store transaction, each with the
        outcome it would have alone; an unexpected error raises with nothing of the batch saved."""
        with self.app.batch():
            checked = [(self.checked(raw), origin) for raw, origin in items]
            self.app.prefetch([f for f, _ in checked if isinstance(f, Fact)])
            results = [self.record(f, origin) if isinstance(f, Fact) else f for f, origin in checked]
        for (fact, _), result in zip(checked, results, strict=True):
            self.count(result, channel, fact if isinstance(fact, Fact) else None)
        return results

    def record_batch(self, facts: list[Fact], channel: str) -> list[EventResult]:
        """Record validated facts in one store transaction; one by one when a concurrent write conflicts."""
        try:
            with self.app.batch():
                self.app.prefetch(facts)
                results = [self.record(fact, channel) for fact in facts]
        except IntegrityError:
            results = [self.record(fact, channel) for fact in facts]
        for fact, result in zip(facts, results, strict=True):
            self.count(result, channel, fact)
        return results


class KafkaInbox:
    """Consumes ``<service>.inbox`` in batches, committing each partition's offset only after the write.

    A message the contracts or the rules reject goes to ``<service>.inbox.dlq``
    with its original bytes, its key and the reason in headers, before its offset
    is committed. An unexpected error stops the partition's batch at that message:
    what came before is committed, the message is retried; after ``max_attempts``
    with the store answering it is dead-lettered as a processing error, so one
    poison message never stops the stream. While the store does not answer,
    nothing is dead-lettered: the message waits and is retried.

    Raw aiokafka rather than a FastStream subscriber: FastStream decodes every
    header as UTF-8 before any handler runs, so a message with a binary header was
    dropped without reaching the DLQ, and it commits synchronously per message.
    """

    def __init__(self, inbox: Inbox, settings: ServiceSettings, producer: AIOKafkaProducer):
        self.inbox = inbox
        self.settings = settings
        self.producer = producer
        self.max_attempts = settings.inbox_max_attempts
        self.attempts: dict[tuple[str, int, int], int] = {}
        self.topic = inbox_topic(inbox.service)
        self.dlq = dlq_topic(inbox.service)

    def consumer(self) -> AIOKafkaConsumer:
        s = self.settings
        return AIOKafkaConsumer(
            self.topic, **client_options(s), group_id=inbox_group(self.inbox.service),
            enable_auto_commit=False, auto_offset_reset="earliest", fetch_max_wait_ms=s.kafka_fetch_max_wait_ms,
            max_poll_records=s.inbox_batch_size, **s.consumer_group_timeouts)

    async def run(self, _service, stop: asyncio.Event) -> None:
        """Consume until asked to stop; a broker outage only delays it."""
        backoff = Backoff()
        while not stop.is_set():
            consumer = self.consumer()
            try:
                await consumer.start()
                backoff.succeeded()
                await self.consume(consumer, stop)
            except Exception as error:  # noqa: BLE001 - the inbox outlives broker outages
                log.warning("%s inbox: %r; reconnecting", self.inbox.service, error)
                await backoff.failed(stop)
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()

    async def consume(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> None:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=200, max_records=self.settings.inbox_batch_size)
            for partition, records in batch.items():
                next_offset = await self.handle(records)
                if next_offset is not None:
                    await consumer.commit({partition: next_offset})
                if next_offset is None or next_offset <= records[-1].offset:
                    consumer.seek(partition, next_offset if next_offset is not None else records[0].offset)

    async def handle(self, records: list[ConsumerRecord]) -> int | None:
        """Process one partition's records in order; the offset to commit (None: nothing done)."""
        results, error = await asyncio.to_thread(self.process_in_order, records)
        done = len(results)
        for record, result in zip(records, results, strict=False):
            await self.after(record, result)
        if error is not None:
            failed = records[done]
            result = await self.after_failure(failed, error)
            if result is None:
                return failed.offset if done else None
            await self.after(failed, result)
            done += 1
        return records[done - 1].offset + 1 if done else None

    def process_in_order(self, records: list[ConsumerRecord]) -> tuple[list[EventResult], Exception | None]:
        """Record the partition's batch in one store transaction (one thread hop per batch); when that fails
        (a conflicting write, an unexpected error), each message in its own, until one fails."""
        try:
            return self.inbox.process_batch(
                [(r.value or b"", dlq_origin(*origin_of(r))) for r in records], "kafka"), None
        except Exception as error:  # noqa: BLE001 - one by one below finds the message that fails, if any
            log.info("%s inbox: batch of %d not recorded at once (%r); one by one", self.inbox.service,
                     len(records), error)
        results = []
        for record in records:
            try:
                results.append(self.inbox.process(record.value or b"", "kafka", dlq_origin(*origin_of(record))))
            except Exception as error:  # noqa: BLE001 - decided by after_failure: retry or dead-letter
                return results, error
        return results, None

    async def after(self, record: ConsumerRecord, result: EventResult) -> None:
        self.attempts.pop(origin_of(record), None)
        if result.outcome is Outcome.ACCEPTED:
            self.inbox.recorded.set()
        elif result.outcome is Outcome.REJECTED:
            await self.dead_letter(record, result)

    async def after_failure(self, record: ConsumerRecord, error: Exception) -> EventResult | None:
        """None to retry the message later, or its processing-error rejection when it keeps failing."""
        origin = origin_of(record)
        attempts = self.attempts.get(origin, 0) + 1
        self.attempts[origin] = attempts
        store_ok = await asyncio.to_thread(self.store_answers)
        log.warning("%s inbox: attempt %d failed at %s: %r", self.inbox.service, attempts, origin, error)
        if not store_ok or attempts < self.max_attempts:
            await asyncio.sleep(min(5.0, 0.2 * 2**attempts))
            return None
        result = rejected(PROCESSING_ERROR, f"{type(error).__name__}: {error}")
        self.inbox.count(result, "kafka")
        return result

    def store_answers(self) -> bool:
        try:
            self.inbox.app.ping()
        except Exception:  # noqa: BLE001 - any failure means "not answering"
            return False
        return True

    async def dead_letter(self, record: ConsumerRecord, result: EventResult) -> None:
        """Publish the original bytes, under the original key, with the reason to the DLQ."""
        await self.publish(value=record.value, key=record.key, code=result.reason_code, reason=result.reason or "",
                           origin=dlq_origin(*origin_of(record)), field=result.field)

    async def publish(self, *, value: bytes | None, key: bytes | None, code: str, reason: str, origin: str,
                      field: str | None) -> None:
        """One dead letter on ``<service>.inbox.dlq`` (also the waiting worker's refusals)."""
        await publish_letter(self.producer, self.dlq, value=value, key=key, code=code, reason=reason,
                             origin=origin, field=field)
        self.inbox.metrics.dlq_published.labels(self.inbox.service).inc()


def origin_of(record: ConsumerRecord) -> tuple[str, int, int]:
    return record.topic, record.partition, record.offset
