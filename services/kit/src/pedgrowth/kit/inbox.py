"""The inbox: validate inbound CloudEvents against the contracts, record them once, dead-letter the rest."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

from pedgrowth.contracts import ContractViolation, Fact, decode_for_service, dlq_headers, dlq_origin, dlq_topic

from .metrics import Metrics
from .recording import Outcome, RecordingApplication

log = logging.getLogger(__name__)

BUSINESS_RULE = "business_rule"
PROCESSING_ERROR = "processing_error"


@dataclass(frozen=True)
class Result:
    """The outcome of one inbound event, as told to its sender."""

    outcome: Outcome
    id: str | None = None
    type: str | None = None
    reason_code: str | None = None
    field: str | None = None
    reason: str | None = None
    http_status: int | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None and k != "http_status"}


def rejected(reason_code: str, reason: str, field: str | None = None, fact: Fact | None = None,
             http_status: int = 422) -> Result:
    """A rejection, keeping the event's id and type when it got that far."""
    return Result(
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

    def validate(self, raw: bytes | str | dict) -> Fact:
        """The fact, or ContractViolation naming the field and the reason."""
        return decode_for_service(raw, self.service)

    def record(self, fact: Fact) -> Result:
        """Record a validated fact (synchronous: run it in a thread)."""
        try:
            outcome = self.app.record(fact)
        except tuple(self.rejections) as error:
            return rejected(BUSINESS_RULE, str(error), getattr(error, "field", None), fact,
                            http_status=self.status_of(error))
        return Result(outcome, id=fact.envelope.id, type=fact.envelope.type)

    def status_of(self, error: Exception) -> int:
        """The HTTP status the service's table gives this domain error (most specific class wins)."""
        for klass in type(error).__mro__:
            if klass in self.rejections:
                return self.rejections[klass]
        return 422

    def count(self, result: Result, channel: str) -> None:
        """Metrics at the edge, once per inbound event."""
        self.metrics.inbox_messages.labels(self.service, channel, result.outcome.value).inc()
        if result.outcome is Outcome.REJECTED:
            self.metrics.inbox_rejected.labels(self.service, channel, result.reason_code).inc()
        elif result.outcome is Outcome.ACCEPTED:
            self.metrics.events_recorded.labels(self.service, result.type).inc()

    def process(self, raw: bytes | str | dict, channel: str) -> Result:
        """Validate and record one inbound event (synchronous)."""
        try:
            fact = self.validate(raw)
        except ContractViolation as violation:
            result = rejected(violation.reason, violation.message, violation.field)
        else:
            result = self.record(fact)
        self.count(result, channel)
        return result


Publish = Callable[..., Awaitable[object]]


class KafkaInbox:
    """Consumes ``<service>.inbox`` one message at a time, committing only after the write.

    A message the contracts or the rules reject goes to ``<service>.inbox.dlq``
    with its original bytes and the reason in headers. An unexpected error is
    retried; after ``max_attempts`` with the store answering, the message is
    dead-lettered as a processing error so one poison message never stops the
    stream. While the store does not answer, nothing is dead-lettered: the
    message waits and is retried.
    """

    def __init__(self, inbox: Inbox, publish: Publish, max_attempts: int = 3):
        self.inbox = inbox
        self.publish = publish
        self.max_attempts = max_attempts
        self.attempts: dict[tuple[str, int, int], int] = {}
        self.topic = dlq_topic(inbox.service)

    async def handle(self, raw: bytes, topic: str, partition: int, offset: int, key: bytes | None = None) -> Result:
        """Process one message; raises to have it redelivered (the offset is then not committed)."""
        origin = (topic, partition, offset)
        try:
            result = await asyncio.to_thread(self.inbox.process, raw, "kafka")
        except Exception as error:  # noqa: BLE001 - decided below: retry or dead-letter
            result = await self.after_failure(origin, error)
        else:
            self.attempts.pop(origin, None)
        if result.outcome is Outcome.ACCEPTED:
            self.inbox.recorded.set()
        if result.outcome is Outcome.REJECTED:
            await self.dead_letter(raw, result, origin, key)
        return result

    async def after_failure(self, origin: tuple[str, int, int], error: Exception) -> Result:
        """Re-raise to retry, or give up on a message that fails while the store is fine."""
        attempts = self.attempts.get(origin, 0) + 1
        self.attempts[origin] = attempts
        store_ok = await asyncio.to_thread(self.store_answers)
        log.warning("%s inbox: attempt %d failed at %s: %r", self.inbox.service, attempts, origin, error)
        if not store_ok or attempts < self.max_attempts:
            await asyncio.sleep(min(5.0, 0.2 * 2**attempts))
            raise error
        self.attempts.pop(origin, None)
        result = rejected(PROCESSING_ERROR, f"{type(error).__name__}: {error}")
        self.inbox.count(result, "kafka")
        return result

    def store_answers(self) -> bool:
        try:
            self.inbox.app.ping()
        except Exception:  # noqa: BLE001 - any failure means "not answering"
            return False
        return True

    async def dead_letter(self, raw: bytes, result: Result, origin: tuple[str, int, int],
                          key: bytes | None = None) -> None:
        """Publish the original bytes, under the original key, with the reason to the DLQ."""
        headers = dlq_headers(code=result.reason_code, reason=result.reason or "", origin=dlq_origin(*origin),
                              field=result.field)
        await self.publish(raw, topic=self.topic, key=key, headers=headers)
        self.inbox.metrics.dlq_published.labels(self.inbox.service).inc()
