"""The outbox relay: follows the notification log and publishes contract events in order."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from uuid import NAMESPACE_URL, uuid5

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import RecordMetadata
from eventsourcing.persistence import IntegrityError, Notification, Tracking, TrackingRecorder
from pedgrowth.contracts import CloudEvent, events_topic, new_event

from .backoff import Backoff
from .kafka import high_watermarks, topic_partitions
from .lease import AlwaysHeld, PostgresLease
from .metrics import Metrics
from .recording import RecordingApplication, count_notifications
from .translation import Translation

log = logging.getLogger(__name__)

BACKLOG_COUNT_SECONDS = 1.0  # the backlog is counted at most once a second (and in at most 1/20 of the time)


@dataclass(frozen=True)
class Outgoing:
    """One contract event ready for the bus."""

    notification_id: int
    event: CloudEvent

    @property
    def key(self) -> bytes:
        return (self.event.subject or "").encode()


@dataclass
class LogMark:
    """How far the broker has acknowledged the relay's writes, per partition of its topic.

    On a log that is still the same, a partition only grows: a new acknowledgement
    at a lower offset, or a high watermark below the remembered end, means the broker
    lost the log (an in-memory broker restarted, a cluster rebuilt). Kept in the
    store's tracking table under ``<service>-relay-log`` (the generation, counted up
    each time a replaced log is found) and ``<service>-relay-log<g>-p<n>`` (the end
    of partition n, the last acknowledged offset + 1), so a start checks it too;
    ``<service>-relay-log<g>-complete`` once the history is all in generation g.
    """

    name: str
    generation: int = 1
    complete: bool = True  # False while the history is being republished into this generation
    ends: dict[int, int] = field(default_factory=dict)
    stored: dict[int, int] = field(default_factory=dict)
    stored_at: float = 0.0

    def key(self, what: str) -> str:
        return f"{self.name}-log{self.generation}-{what}"

    @classmethod
    def load(cls, tracking: TrackingRecorder, name: str) -> LogMark:
        """The mark as the store holds it (blocking)."""
        mark = cls(name, tracking.max_tracking_id(f"{name}-log") or 1)
        mark.complete = mark.generation == 1 or bool(tracking.max_tracking_id(mark.key("complete")))
        for partition in range(tracking.max_tracking_id(mark.key("partitions")) or 0):
            end = tracking.max_tracking_id(mark.key(f"p{partition}"))
            if end:
                mark.ends[partition] = end
        mark.stored = dict(mark.ends)
        return mark

    def acknowledged(self, acks: Iterable[RecordMetadata]) -> str | None:
        """Take a batch's acknowledgements; the reason if one of them says the log was replaced."""
        lower = None
        for ack in acks:
            end = self.ends.get(ack.partition, 0)
            if ack.offset < end and lower is None:
                lower = f"partition {ack.partition} acknowledged offset {ack.offset}, below {end} acknowledged before"
            self.ends[ack.partition] = max(end, ack.offset + 1)
        return lower

    def below(self, watermarks: dict[TopicPartition, int]) -> str | None:
        """The reason if a partition's high watermark is below the remembered end."""
        short = [f"partition {tp.partition} ends at {hw}, {self.ends[tp.partition]} were acknowledged"
                 for tp, hw in sorted(watermarks.items()) if hw < self.ends.get(tp.partition, 0)]
        return "; ".join(short) or None

    def renewed(self, tracking: TrackingRecorder) -> LogMark:
        """A mark for a new log (the next generation), stored at once (blocking)."""
        fresh = LogMark(self.name, self.generation + 1, complete=False)
        tracking.insert_tracking(Tracking(f"{self.name}-log", fresh.generation))
        return fresh

    def finished(self, tracking: TrackingRecorder) -> None:
        """The whole history is in this generation's log (blocking)."""
        self.store(tracking)
        tracking.insert_tracking(Tracking(self.key("complete"), 1))
        self.complete = True

    def store(self, tracking: TrackingRecorder) -> None:
        """Store the ends that grew (blocking); each is a lower bound, so storing late is safe."""
        self.stored_at = time.monotonic()
        writes = {f"p{p}": end for p, end in self.ends.items() if end > self.stored.get(p, 0)}
        if not writes:
            return
        partitions = max(self.ends) + 1
        if partitions > max(self.stored, default=-1) + 1:
            writes["partitions"] = partitions
        for what, value in writes.items():
            try:
                tracking.insert_tracking(Tracking(self.key(what), value))
            except IntegrityError:
                pass  # another replica stored a higher end already
        self.stored = dict(self.ends)


class OutboxRelay:
    """Publishes each new domain event as its contract CloudEvent, then remembers the position.

    The notification log is the outbox: an event is in the store first and on the
    bus after. The position is stored only after the broker acknowledged the batch
    (acks=all), so a crash repeats at most the batch in flight and loses nothing.

    A broker that lost the topic's log (see ``LogMark``) gets the whole history
    again, found by the acknowledgements of the next batch, by a check of the high
    watermarks on start and every ``log_check_seconds`` while idle. Consumers dedupe
    by event id, so the copies the new log may then hold cost nothing.
    """

    def __init__(
        self,
        app: RecordingApplication,
        service: str,
        translate: Translation,
        producer: AIOKafkaProducer,
        metrics: Metrics,
        batch_size: int = 500,
        poll_seconds: float = 0.05,
        lease: AlwaysHeld | PostgresLease | None = None,
        consumer: Callable[[], AIOKafkaConsumer] | None = None,
        prepare: Callable[[], Awaitable[None]] | None = None,
        log_check_seconds: float = 5.0,
    ):
        self.app = app
        self.service = service
        self.translate = translate
        self.producer = producer
        self.metrics = metrics
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.topic = events_topic(service)
        self.source = f"/pedgrowth/{service}"
        self.tracking = app.factory.tracking_recorder()
        self.tracking_name = f"{service}-relay"
        self.wakeup = asyncio.Event()
        self.lease = lease or AlwaysHeld()
        self.consumer = consumer  # makes a consumer for the high-watermark check (None: acknowledgements only)
        self.prepare = prepare  # (re)creates the topics before a republish
        self.log_check_seconds = log_check_seconds
        self.mark = LogMark(self.tracking_name)
        self.replaced: str | None = None  # why the broker's log is not the one published to
        self.checked_at = float("-inf")
        self.backlog = 0  # contract events after the position, as last counted less those published since
        self.counted_at = float("-inf")
        self.count_every = BACKLOG_COUNT_SECONDS

    def position(self) -> int:
        """The last notification id whose event the broker has acknowledged."""
        return self.tracking.max_tracking_id(self.tracking_name) or 0

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until asked to stop; waits briefly when caught up."""
        position, leading = 0, False
        backoff = Backoff()
        try:
            while not stop.is_set():
                if not await asyncio.to_thread(self.lease.held):
                    leading = self.follow_leader(leading)
                    await self.idle(wait=2.0)
                    continue
                if not leading:  # (again) the publisher: another one may have moved the position and the mark
                    position, leading = await asyncio.to_thread(self.position), True
                    self.mark = await asyncio.to_thread(LogMark.load, self.tracking, self.tracking_name)
                    self.metrics.relay_leader.labels(self.service).set(1)
                try:
                    await self.recover_if_lost()
                    published = await self.publish_after(position, track=True)
                    await self.store_mark()
                except Exception as error:  # noqa: BLE001 - the relay outlives broker and store outages
                    log.warning("%s relay: publishing after %d failed (%r); retrying", self.service, position, error)
                    await backoff.failed(stop)
                    position = await asyncio.to_thread(self.position)
                    continue
                backoff.succeeded()
                if published is None:
                    await self.idle()
                    continue
                position = published
        finally:
            if leading:
                await self.store_mark(force=True)

    async def store_mark(self, force: bool = False) -> None:
        """Store the acknowledged ends at most once a second (each is a lower bound: late is safe)."""
        if force or time.monotonic() - self.mark.stored_at >= 1.0:
            await asyncio.to_thread(self.mark.store, self.tracking)

    async def start_check(self) -> bool:
        """On start: load the mark and republish the history if the broker lost it."""
        self.mark = await asyncio.to_thread(LogMark.load, self.tracking, self.tracking_name)
        return await self.recover_if_lost(force_check=True)

    async def recover_if_lost(self, force_check: bool = False) -> bool:
        """Republish the whole history when the broker lost the log; returns whether it did.

        Checks the high watermarks when due (or ``force_check``), unless an
        acknowledgement or an unfinished republish already said the log was replaced.
        """
        if self.replaced is None and not self.mark.complete:
            self.replaced = f"the republish into generation {self.mark.generation} was interrupted"
        due = force_check or time.monotonic() - self.checked_at >= self.log_check_seconds
        if self.replaced is None and due and self.consumer is not None:
            self.replaced = await self.log_replaced()
        reason = self.replaced
        if reason is None:
            return False
        while reason is not None:
            upto = await asyncio.to_thread(self.position)
            log.warning("%s relay: the broker lost the history of %s (%s); republishing notifications 1..%d",
                        self.service, self.topic, reason, upto)
            if self.prepare is not None:
                await self.prepare()
            self.mark = await asyncio.to_thread(self.mark.renewed, self.tracking)
            self.replaced = None  # an acknowledgement during the republish may say it again
            try:
                await self.republish_history(upto)
            except BaseException:
                self.replaced = self.replaced or reason  # begin again, from the start
                raise
            await asyncio.to_thread(self.mark.finished, self.tracking)
            reason = self.replaced
        self.checked_at = time.monotonic()
        return True

    async def log_replaced(self) -> str | None:
        """Why the broker's log of the topic is not the one published to, or None when it is (or unknown)."""
        self.checked_at = time.monotonic()
        position = await asyncio.to_thread(self.position)
        if not position or self.consumer is None:
            return None
        consumer = self.consumer()
        try:
            await consumer.start()
            partitions = await topic_partitions(consumer, self.topic)
            if not partitions:
                return f"{self.topic} does not exist"
            if not self.mark.ends:
                if self.mark.generation > 1:
                    return None  # republished already, and nothing of the history has a contract event
                # a store from before the mark was kept: only an empty topic says it
                watermarks = await high_watermarks(consumer, {TopicPartition(self.topic, p): 0 for p in partitions})
                empty = len(watermarks) == len(partitions) and not any(watermarks.values())
                return f"{self.topic} is empty but {position} notifications were published" if empty else None
            gone = sorted(set(self.mark.ends) - partitions)
            if gone:
                return f"partitions {gone} of {self.topic} are gone"
            watermarks = await high_watermarks(
                consumer, {TopicPartition(self.topic, p): end for p, end in self.mark.ends.items()})
            return self.mark.below(watermarks)
        finally:
            await consumer.stop()

    def follow_leader(self, leading: bool) -> bool:
        """Another replica publishes; this one waits (returns: not leading)."""
        if leading:
            log.warning("%s relay: lost the lease; another replica publishes", self.service)
        self.metrics.relay_leader.labels(self.service).set(0)
        return False

    async def idle(self, wait: float | None = None) -> None:
        """Wait for a nudge from a new recording, or the poll interval."""
        try:
            await asyncio.wait_for(self.wakeup.wait(), wait or self.poll_seconds)
        except TimeoutError:
            pass
        self.wakeup.clear()

    async def publish_after(self, position: int, track: bool, stop_at: int | None = None) -> int | None:
        """Publish one batch after ``position``; returns the new position or None when caught up.

        Only the topics that have a contract event are selected: receipts, waiting facts and other
        internal events are skipped without being read or decoded. A page shorter than a batch
        covers everything up to the head seen before it, so the position moves there.
        """
        head = await asyncio.to_thread(self.app.recorder.max_notification_id) or 0
        stop = head if stop_at is None else min(stop_at, head)
        if stop <= position or not self.translate.topics:  # (no topics would select them all)
            if head <= position or not self.translate.topics:
                self.set_backlog(0)
            return None
        await self.count_backlog(position, head)  # before sending: a relay that cannot publish says what waits
        notifications = await asyncio.to_thread(
            self.app.recorder.select_notifications, position + 1, self.batch_size, stop, self.translate.topics
        )
        await self.send(self.translate_all(notifications))
        full = len(notifications) == self.batch_size
        last = notifications[-1].id if full else stop
        if track:
            await asyncio.to_thread(self.tracking.insert_tracking, Tracking(self.tracking_name, last))
            self.metrics.relay_position.labels(self.service).set(last)
        # a short page took every contract event up to the head seen: none of those waits
        self.set_backlog(max(0, self.backlog - len(notifications)) if full or stop < head else 0)
        return last

    async def count_backlog(self, position: int, head: int) -> None:
        """Count the contract events after ``position`` up to ``head`` (what the relay will publish: receipts,
        waiting facts and other internal events are not backlog), at most once a ``count_every``."""
        if time.monotonic() - self.counted_at < self.count_every:
            return
        started = time.monotonic()
        count = await asyncio.to_thread(count_notifications, self.app.recorder, position, head, self.translate.topics)
        self.counted_at = time.monotonic()
        self.count_every = max(BACKLOG_COUNT_SECONDS, 20 * (self.counted_at - started))
        self.set_backlog(count)

    def set_backlog(self, count: int) -> None:
        self.backlog = count
        self.metrics.relay_backlog.labels(self.service).set(count)

    def translate_all(self, notifications: Sequence[Notification]) -> list[Outgoing]:
        """Contract events for the notifications that have one (receipts have none)."""
        outgoing = []
        for notification in notifications:
            domain_event = self.app.mapper.to_domain_event(notification)
            data = self.translate(domain_event)
            if data is None:
                continue
            event = new_event(
                data,
                source=self.source,
                id=str(uuid5(NAMESPACE_URL, f"{self.source}/{domain_event.originator_id}/{domain_event.originator_version}")),
                time=domain_event.timestamp.astimezone(UTC),
                sequence=str(notification.id),
            )
            outgoing.append(Outgoing(notification.id, event))
        return outgoing

    async def send(self, outgoing: list[Outgoing]) -> None:
        """Send a batch and wait until the broker acknowledged every message."""
        futures = [
            await self.producer.send(self.topic, value=item.event.to_bytes(), key=item.key)
            for item in outgoing
        ]
        if futures:
            acks = await asyncio.gather(*futures)
            self.metrics.events_published.labels(self.service).inc(len(futures))
            self.replaced = self.mark.acknowledged(acks) or self.replaced

    async def republish_history(self, upto: int) -> int:
        """Publish notifications 1..upto again, for a broker that came back without them."""
        position = 0
        while position < upto:
            new_position = await self.publish_after(position, track=False, stop_at=upto)
            if new_position is None:
                break
            position = new_position
        log.warning("%s: republished history up to notification %d", self.service, position)
        return position
