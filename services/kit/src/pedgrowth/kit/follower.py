"""Following another service's `*.events` topic into an in-memory index, from the beginning, on every start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from pedgrowth.contracts import ContractViolation, Fact, decode
from prometheus_client import CollectorRegistry, Counter

from .kafka import topic_partitions

log = logging.getLogger(__name__)


class TopicFollower:
    """A background task: every fact of ``topic`` into ``apply``, order- and duplicate-tolerant.

    The `*.events` topics keep everything (SPEC §7), so an index fed by a follower is
    rebuilt from the topic rather than stored. No consumer group is used: nothing is
    committed and no start misses a fact. ``apply`` must be idempotent; it returns
    whether the fact was new (for the count). The follower waits for a topic that does
    not exist yet and outlives broker outages.
    """

    def __init__(self, service: str, topic: str, bootstrap_servers: str, apply: Callable[[Fact], object],
                 registry: CollectorRegistry | None = None, fetch_max_wait_ms: int = 50):
        self.service = service
        self.topic = topic
        self.bootstrap_servers = bootstrap_servers
        self.apply_fact = apply
        self.applied = 0
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.consumed = Counter(
            "pedgrowth_events_consumed", "Events consumed from other services' topics, by outcome",
            ["service", "topic", "outcome"], registry=registry) if registry is not None else None

    async def __call__(self, _service, stop: asyncio.Event) -> None:
        """Follow until asked to stop, starting again after a failure."""
        failures = 0
        while not stop.is_set():
            try:
                await self.follow(stop)
            except Exception as error:  # noqa: BLE001 - the follower outlives broker outages
                failures += 1
                log.warning("%s: following %s failed (%r); retrying", self.service, self.topic, error)
                await asyncio.sleep(min(10.0, 0.2 * 2 ** min(failures, 6)))

    async def follow(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap_servers, enable_auto_commit=False,
                                    fetch_max_wait_ms=self.fetch_max_wait_ms)
        await consumer.start()
        try:
            partitions = await self.partitions(consumer, stop)
            if not partitions:
                return
            consumer.assign([TopicPartition(self.topic, p) for p in partitions])
            await consumer.seek_to_beginning()
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=200, max_records=1000)
                for records in batch.values():
                    for record in records:
                        self.take(record.value)
        finally:
            await consumer.stop()

    async def partitions(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> set[int]:
        """The topic's partitions, waiting until its owner has created it."""
        while not stop.is_set():
            found = await topic_partitions(consumer, self.topic)
            if found:
                return found
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except TimeoutError:
                pass
        return set()

    def take(self, raw: bytes) -> None:
        """Apply one message; one that breaks the contract is counted and skipped."""
        try:
            fact = decode(raw)
        except ContractViolation as violation:
            log.warning("%s: skipping a message on %s that breaks the contract: %s", self.service, self.topic, violation)
            self.count("invalid")
            return
        if self.apply_fact(fact) is not False:
            self.applied += 1
            self.count("applied")
        else:
            self.count("known")

    def count(self, outcome: str) -> None:
        if self.consumed is not None:
            self.consumed.labels(self.service, self.topic, outcome).inc()
