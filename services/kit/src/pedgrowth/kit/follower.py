"""Following another service's `*.events` topic into an in-memory index, from the beginning, on every start."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from pedgrowth.contracts import ContractViolation, Fact, decode
from prometheus_client import CollectorRegistry, Counter

from .backoff import Backoff
from .kafka import as_client_options, topic_partitions

log = logging.getLogger(__name__)


@dataclass
class Seen:
    """The first and the last record the follower took from one partition (offset, bytes)."""

    first: tuple[int, bytes]
    last: tuple[int, bytes]

    def took(self, records: Sequence[ConsumerRecord]) -> Seen:
        """This, moved on by a batch; a batch that starts at or before the last offset starts a new log."""
        if records[0].offset <= self.last[0]:
            return Seen.of(records)
        return Seen(self.first, (records[-1].offset, records[-1].value))

    @staticmethod
    def of(records: Sequence[ConsumerRecord]) -> Seen:
        return Seen((records[0].offset, records[0].value), (records[-1].offset, records[-1].value))


class TopicFollower:
    """A background task: every fact of ``topic`` into ``apply``, order- and duplicate-tolerant.

    The `*.events` topics keep everything (SPEC §7), so an index fed by a follower is
    rebuilt from the topic rather than stored. No consumer group is used: nothing is
    committed and no start misses a fact. ``apply`` must be idempotent; it returns
    whether the fact was new (for the count). The follower waits for a topic that does
    not exist yet and outlives broker outages.

    A broker that lost the log while the follower ran (an in-memory broker restarted)
    may hold a shorter log, or one as long with other events at the old offsets: a
    position beyond the end starts again from the beginning (``auto_offset_reset``),
    and every ``check_seconds`` while caught up the first and the last record taken
    from each partition are read again; a partition where either is not the same is
    read again from the beginning (``apply`` dedupes).
    """

    def __init__(self, service: str, topic: str, bootstrap_servers: str | Mapping, apply: Callable[[Fact], object],
                 registry: CollectorRegistry | None = None, fetch_max_wait_ms: int = 50,
                 check_seconds: float = 5.0):
        self.service = service
        self.topic = topic
        self.client = as_client_options(bootstrap_servers)  # an address, or ``kafka.client_options``
        self.apply_fact = apply
        self.applied = 0
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.check_seconds = check_seconds
        self.seen: dict[TopicPartition, Seen] = {}
        self.restarts = 0  # partitions read again from the beginning because the log was replaced
        self.consumed = Counter(
            "pedgrowth_events_consumed", "Events consumed from other services' topics, by outcome",
            ["service", "topic", "outcome"], registry=registry) if registry is not None else None

    async def __call__(self, _service, stop: asyncio.Event) -> None:
        """Follow until asked to stop, starting again after a failure."""
        backoff = Backoff()
        while not stop.is_set():
            try:
                await self.follow(stop)
            except Exception as error:  # noqa: BLE001 - the follower outlives broker outages
                log.warning("%s: following %s failed (%r); retrying", self.service, self.topic, error)
                await backoff.failed(stop)

    def consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(**self.client, enable_auto_commit=False,
                                auto_offset_reset="earliest", fetch_max_wait_ms=self.fetch_max_wait_ms)

    async def follow(self, stop: asyncio.Event) -> None:
        consumer = self.consumer()
        await consumer.start()
        try:
            partitions = await self.partitions(consumer, stop)
            if not partitions:
                return
            consumer.assign([TopicPartition(self.topic, p) for p in partitions])
            await consumer.seek_to_beginning()
            self.seen = {}
            checked = time.monotonic()
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=200, max_records=1000)
                for tp, records in batch.items():
                    for record in records:
                        self.take(record.value)
                    if records:
                        self.seen[tp] = self.seen[tp].took(records) if tp in self.seen else Seen.of(records)
                if not batch and time.monotonic() - checked >= self.check_seconds:
                    await self.check_log(consumer)
                    checked = time.monotonic()
        finally:
            await consumer.stop()

    async def check_log(self, consumer: AIOKafkaConsumer) -> None:
        """Read again what the broker lost; take partitions added since (a topic re-created by a producer
        may have other partitions) from their beginning."""
        for tp in await self.replaced_partitions():
            await consumer.seek_to_beginning(tp)
            del self.seen[tp]
        partitions = {TopicPartition(self.topic, p) for p in await topic_partitions(consumer, self.topic, refresh=True)}
        added = partitions - consumer.assignment()
        if added:
            log.warning("%s: %s has new partitions %s; reading them from the beginning", self.service, self.topic,
                        sorted(tp.partition for tp in added))
            positions = {tp: await consumer.position(tp) for tp in consumer.assignment()}
            consumer.assign(sorted(partitions | set(positions)))
            for tp, position in positions.items():
                consumer.seek(tp, position)
            await consumer.seek_to_beginning(*added)

    async def replaced_partitions(self) -> list[TopicPartition]:
        """Partitions whose first or last record taken is no longer at its offset (the log was replaced)."""
        if not self.seen:
            return []
        probe = self.consumer()
        replaced = []
        try:
            await probe.start()
            probe.assign(list(self.seen))
            for tp, seen in list(self.seen.items()):
                for offset, value in (seen.first, seen.last):
                    found = await self.record_at(probe, tp, offset)
                    if found is not None and found != (offset, value):
                        log.warning("%s: %s/%d no longer holds at offset %d what was read there (the broker "
                                    "lost the log); reading the partition again from the beginning",
                                    self.service, tp.topic, tp.partition, offset)
                        replaced.append(tp)
                        self.restarts += 1
                        break
        finally:
            await probe.stop()
        return replaced

    async def record_at(self, probe: AIOKafkaConsumer, tp: TopicPartition, offset: int,
                        timeout: float = 2.0) -> tuple[int, bytes | None] | None:
        """(offset, value) of the record a fetch at ``offset`` returns first; (-1, None) when the
        partition ends before it; None when the broker did not answer."""
        probe.seek(tp, offset)
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            batch = await probe.getmany(tp, timeout_ms=200, max_records=1)
            if batch.get(tp):
                record = batch[tp][0]
                return record.offset, record.value
            highwater = probe.highwater(tp)
            if highwater is not None and highwater <= offset:
                return -1, None
        return None

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
