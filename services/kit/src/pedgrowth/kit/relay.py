"""The outbox relay: follows the notification log and publishes contract events in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from uuid import NAMESPACE_URL, uuid5

from aiokafka import AIOKafkaProducer
from eventsourcing.persistence import Notification, Tracking
from pedgrowth.contracts import CloudEvent, EventData, events_topic, new_event

from .lease import AlwaysHeld, PostgresLease
from .metrics import Metrics
from .recording import RecordingApplication

log = logging.getLogger(__name__)

Translate = Callable[[object], EventData | None]


@dataclass(frozen=True)
class Outgoing:
    """One contract event ready for the bus."""

    notification_id: int
    event: CloudEvent

    @property
    def key(self) -> bytes:
        return (self.event.subject or "").encode()


class OutboxRelay:
    """Publishes each new domain event as its contract CloudEvent, then remembers the position.

    The notification log is the outbox: an event is in the store first and on the
    bus after. The position is stored only after the broker acknowledged the batch
    (acks=all), so a crash repeats at most the batch in flight and loses nothing.
    """

    def __init__(
        self,
        app: RecordingApplication,
        service: str,
        translate: Translate,
        producer: AIOKafkaProducer,
        metrics: Metrics,
        batch_size: int = 500,
        poll_seconds: float = 0.05,
        lease: AlwaysHeld | PostgresLease | None = None,
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

    def position(self) -> int:
        """The last notification id whose event the broker has acknowledged."""
        return self.tracking.max_tracking_id(self.tracking_name) or 0

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until asked to stop; waits briefly when caught up."""
        position, leading = 0, False
        failures = 0
        while not stop.is_set():
            if not await asyncio.to_thread(self.lease.held):
                leading = self.follow_leader(leading)
                await self.idle(wait=2.0)
                continue
            if not leading:  # (again) the publisher: another one may have moved the position
                position, leading = await asyncio.to_thread(self.position), True
                self.metrics.relay_leader.labels(self.service).set(1)
            try:
                published = await self.publish_after(position, track=True)
            except Exception as error:  # noqa: BLE001 - the relay outlives broker and store outages
                failures += 1
                log.warning("%s relay: publishing after %d failed (%r); retrying", self.service, position, error)
                await asyncio.sleep(min(10.0, 0.2 * 2 ** min(failures, 6)))
                position = await asyncio.to_thread(self.position)
                continue
            failures = 0
            if published is None:
                await self.idle()
                continue
            position = published

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
        """Publish one batch after ``position``; returns the new position or None when caught up."""
        notifications = await asyncio.to_thread(
            self.app.recorder.select_notifications, position + 1, self.batch_size, stop_at
        )
        head = await asyncio.to_thread(self.app.recorder.max_notification_id)
        self.metrics.relay_backlog.labels(self.service).set(max(0, (head or 0) - position))
        if not notifications:
            return None
        outgoing = self.translate_all(notifications)
        await self.send(outgoing)
        last = notifications[-1].id
        if track:
            await asyncio.to_thread(self.tracking.insert_tracking, Tracking(self.tracking_name, last))
            self.metrics.relay_position.labels(self.service).set(last)
        self.metrics.relay_backlog.labels(self.service).set(max(0, (head or 0) - last))
        return last

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
            await asyncio.gather(*futures)
            self.metrics.events_published.labels(self.service).inc(len(futures))

    async def republish_history(self, upto: int) -> int:
        """Publish notifications 1..upto again, for a broker that came back without them."""
        position, count = 0, 0
        while position < upto:
            new_position = await self.publish_after(position, track=False, stop_at=upto)
            if new_position is None:
                break
            position = new_position
            count += 1
        log.warning("%s: republished history up to notification %d", self.service, position)
        return position
