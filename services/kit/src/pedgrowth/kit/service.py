"""The running service: its parts, and the lifespan that starts and stops broker, inbox and relay."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from pedgrowth.contracts import EventData, dlq_topic, events_topic, inbox_topic

from .auth import Principal, Role, Tokens
from .config import ServiceSettings
from .inbox import Inbox, KafkaInbox
from .kafka import ensure_topics, relay_producer, topic_size
from .metrics import Metrics
from .recording import NotHandled, RecordingApplication
from .relay import OutboxRelay, Translate

log = logging.getLogger(__name__)

AuthorizeWrite = Callable[[Principal, EventData], str | None]
Background = Callable[["Service", asyncio.Event], Awaitable[None]]


def scope_of_fields(principal: Principal, data: EventData) -> str | None:
    """Default write check: the event's own org / municipality / region fields must be the caller's."""
    if principal.is_admin:
        return None
    if not principal.can_write:
        return f"role {principal.role.value} is read-only"
    fields = {k: getattr(data, k, None) for k in ("org_id", "municipality_id", "region_id")}
    if principal.role is Role.SCHOOL_SYSTEM and fields["org_id"] not in (None, principal.org_id):
        return f"data.org_id: {fields['org_id']} is not the caller's organisation"
    if principal.role is Role.MUNICIPAL_OPERATOR and fields["municipality_id"] not in (None, principal.municipality_id):
        return f"data.municipality_id: {fields['municipality_id']} is not the caller's municipality"
    return None


@dataclass
class Parts:
    """What a service brings to the shared mechanics; its bootstrap fills this in."""

    settings: ServiceSettings
    application: RecordingApplication
    translate: Translate
    rejections: dict[type[Exception], int]
    routers: list[APIRouter] = field(default_factory=list)
    authorize_write: AuthorizeWrite = scope_of_fields
    background: list[Background] = field(default_factory=list)
    title: str = ""
    description: str = ""


class Service:
    """One service process: application, inbox, relay and broker, started and stopped together."""

    def __init__(self, parts: Parts, metrics: Metrics | None = None):
        self.parts = parts
        self.settings = parts.settings
        self.name = parts.settings.service
        self.app = parts.application
        self.metrics = metrics or Metrics()
        self.tokens = Tokens(self.settings.token_secret, self.settings.dev_token)
        parts.rejections.setdefault(NotHandled, 422)
        self.inbox = Inbox(self.app, self.name, parts.rejections, self.metrics)
        self.broker = KafkaBroker(
            self.settings.kafka_bootstrap_servers,
            acks="all",
            enable_idempotence=self.settings.kafka_enable_idempotence,
            logger=logging.getLogger(f"pedgrowth.{self.name}.broker"),
        )
        self.kafka_inbox = KafkaInbox(self.inbox, self.broker.publish, self.settings.inbox_max_attempts)
        self.subscribe_inbox()
        self.producer = None
        self.relay: OutboxRelay | None = None
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task] = []

    def subscribe_inbox(self) -> None:
        """Register the inbox consumer: raw bytes in, ack only after the write (nack to retry)."""
        async def raw_bytes(message, original_decoder=None):  # keep the bytes; we validate ourselves
            return message.body

        @self.broker.subscriber(
            inbox_topic(self.name),
            group_id=f"{self.name}-inbox",
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            decoder=raw_bytes,
            **self.settings.consumer_group_timeouts,
        )
        async def on_inbox(body: bytes, message: KafkaMessage) -> None:
            record = message.raw_message
            await self.kafka_inbox.handle(body, record.topic, record.partition, record.offset, record.key)

    @property
    def topics(self) -> list[str]:
        return [inbox_topic(self.name), dlq_topic(self.name), events_topic(self.name)]

    async def start(self) -> None:
        """Create topics, start the broker, the relay and any background work."""
        self.stop.clear()
        await ensure_topics(self.settings, self.topics, unlimited={events_topic(self.name)})
        self.producer = relay_producer(self.settings)
        await self.producer.start()
        self.relay = OutboxRelay(
            self.app, self.name, self.parts.translate, self.producer, self.metrics,
            self.settings.relay_batch_size, self.settings.relay_poll_seconds,
        )
        await self.recover_lost_history()
        self.tasks.append(asyncio.create_task(self.relay.run(self.stop), name=f"{self.name}-relay"))
        self.tasks.append(asyncio.create_task(self.nudge_relay(), name=f"{self.name}-nudge"))
        for work in self.parts.background:
            self.tasks.append(asyncio.create_task(work(self, self.stop), name=f"{self.name}-{getattr(work, '__name__', type(work).__name__)}"))
        await self.broker.start()

    async def recover_lost_history(self) -> None:
        """If the broker came back empty (an in-memory broker restarted), publish our history again."""
        position = await asyncio.to_thread(self.relay.position)
        if position and await topic_size(self.settings, events_topic(self.name)) == 0:
            log.warning("%s: %s is empty but %d notifications were published; republishing",
                        self.name, events_topic(self.name), position)
            await self.relay.republish_history(position)

    async def nudge_relay(self) -> None:
        """Wake the relay as soon as the inbox records something, instead of waiting for the poll."""
        while not self.stop.is_set():
            await self.inbox.recorded.wait()
            self.inbox.recorded.clear()
            if self.relay:
                self.relay.wakeup.set()

    async def close(self) -> None:
        """Stop consuming first, then let the relay finish its batch, then close everything."""
        self.stop.set()
        with contextlib.suppress(Exception):
            await self.broker.stop()
        await self.work_finished()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()
        if self.producer is not None:
            await self.producer.stop()
        self.app.close()

    async def work_finished(self, timeout: float = 10.0) -> None:
        """Let the relay and the background work see ``stop`` and return by themselves.

        Cancelling them could leave a store call running in a worker thread while
        ``close`` closes the store (SQLite then crashes the process).
        """
        if self.relay is not None:
            self.relay.wakeup.set()
        working = [t for t in self.tasks if not t.done() and t.get_name() != f"{self.name}-nudge"]
        if working:
            await asyncio.wait(working, timeout=timeout)

    async def ready(self) -> dict[str, bool]:
        """Whether the store and the broker answer."""
        store = True
        try:
            await asyncio.to_thread(self.app.ping)
        except Exception:  # noqa: BLE001 - any failure is "not ready"
            store = False
        try:
            bus = bool(await self.broker.ping(timeout=2.0))
        except Exception:  # noqa: BLE001
            bus = False
        self.metrics.ready.labels(self.name).set(1 if store and bus else 0)
        return {"store": store, "broker": bus}

    @contextlib.asynccontextmanager
    async def lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.close()
