"""The running service: its parts, and the lifespan that starts and stops broker, inbox and relay."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, FastAPI
from pedgrowth.contracts import EventData, dlq_topic, events_topic, inbox_topic

from .auth import Principal, Role, Tokens
from .config import ServiceSettings
from .deadletters import DeadLetters
from .imports import ImportPool
from .inbox import Inbox, KafkaInbox
from .kafka import client_options, ensure_topics, probe_consumer, relay_producer
from .lease import lease_for
from .metrics import Metrics
from .recording import NotHandled, RecordingApplication
from .relay import OutboxRelay
from .translation import Translation
from .waiting import WaitingWorker

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
    translate: Translation
    rejections: dict[type[Exception], int]
    routers: list[APIRouter] = field(default_factory=list)
    authorize_write: AuthorizeWrite = scope_of_fields
    background: list[Background] = field(default_factory=list)
    title: str = ""
    description: str = ""
    body_limits: dict[str, int] = field(default_factory=dict)  # route template -> bytes (e.g. an import)


class Service:
    """One service process: application, inbox, relay and broker, started and stopped together."""

    def __init__(self, parts: Parts, metrics: Metrics | None = None):
        self.parts = parts
        self.settings = parts.settings
        self.name = parts.settings.service
        self.app = parts.application
        self.metrics = metrics or Metrics()
        self.tokens = Tokens(self.settings.token_secret, self.settings.dev_token, self.settings.environment)
        parts.rejections.setdefault(NotHandled, 422)
        self.inbox = Inbox(self.app, self.name, parts.rejections, self.metrics)
        self.imports = ImportPool(self.name, self.settings.import_workers, self.settings.import_queue)
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.kafka_inbox: KafkaInbox | None = None
        self.dead_letters = DeadLetters(self.inbox, client_options(self.settings), dlq_topic(self.name),
                                        self.settings.kafka_fetch_max_wait_ms)
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task] = []

    @property
    def topics(self) -> list[str]:
        return [inbox_topic(self.name), dlq_topic(self.name), events_topic(self.name)]

    async def start(self) -> None:
        """Create topics, start the broker, the relay and any background work."""
        self.stop.clear()
        await self.ensure_topics()
        self.producer = relay_producer(self.settings)
        await self.producer.start()
        self.relay = OutboxRelay(
            self.app, self.name, self.parts.translate, self.producer, self.metrics,
            self.settings.relay_batch_size, self.settings.relay_poll_seconds, lease_for(self.app.env, self.name),
            consumer=lambda: probe_consumer(self.settings), prepare=self.ensure_topics,
        )
        await self.recover_lost_history()
        self.kafka_inbox = KafkaInbox(self.inbox, self.settings, self.producer)
        self.spawn(self.relay.run(self.stop), "relay")
        self.spawn(self.nudge_relay(), "nudge")
        self.spawn(self.kafka_inbox.run(self, self.stop), "inbox")
        waiting = WaitingWorker(self.inbox, self.settings.waiting_max_age_seconds,
                                self.settings.waiting_sweep_seconds, self.kafka_inbox.publish)
        self.spawn(waiting.run(self, self.stop), "waiting")
        for work in self.parts.background:
            self.spawn(work(self, self.stop), getattr(work, "__name__", type(work).__name__))

    def spawn(self, work, name: str) -> None:
        """Run ``work`` for the service's lifetime; a crash is logged, not swallowed."""
        task = asyncio.create_task(work, name=f"{self.name}-{name}")
        task.add_done_callback(self.report_crash)
        self.tasks.append(task)

    def report_crash(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: %s stopped: %r", self.name, task.get_name(), task.exception(), exc_info=task.exception())

    async def ensure_topics(self) -> None:
        await ensure_topics(self.settings, self.topics, unlimited={events_topic(self.name)})

    async def recover_lost_history(self) -> None:
        """If the broker lost our topic's log (an in-memory broker restarted), publish our history again."""
        if not await asyncio.to_thread(self.relay.lease.held):
            return  # the replica holding the lease does it (and its relay checks again when it takes over)
        await self.relay.start_check()

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
        await self.work_finished()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()
        if self.producer is not None:
            await self.producer.stop()
        if self.relay is not None:
            await asyncio.to_thread(self.relay.lease.release)
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

    async def broker_answers(self, timeout: float = 2.0) -> bool:
        """Whether the broker answers a metadata request now."""
        if self.producer is None:
            return False
        try:
            return bool(await asyncio.wait_for(self.producer.client.fetch_all_metadata(), timeout))
        except Exception:  # noqa: BLE001 - any failure is "not answering"
            return False

    async def ready(self) -> dict[str, bool]:
        """Whether the store and the broker answer."""
        store = True
        try:
            await asyncio.to_thread(self.app.ping)
        except Exception:  # noqa: BLE001 - any failure is "not ready"
            store = False
        bus = await self.broker_answers()
        self.metrics.ready.labels(self.name).set(1 if store and bus else 0)
        return {"store": store, "broker": bus}

    @contextlib.asynccontextmanager
    async def lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.close()
