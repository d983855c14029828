"""Follows `registry.events` from the beginning into the directory, on every start.

The topic keeps everything (SPEC §7), so the index is rebuilt from it rather than
stored; no consumer group is used, so nothing is committed and no start misses a fact.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition

from pedgrowth.contracts import REGISTRY_EVENTS, ContractViolation, decode

from .directory import Directory

log = logging.getLogger(__name__)


class RegistryFeed:
    """A background task of the mentoring service: registry facts into the directory."""

    def __init__(self, directory: Directory, bootstrap_servers: str, topic: str = REGISTRY_EVENTS):
        self.directory = directory
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        self.applied = 0
        self.counter = None  # a prometheus counter child, set by the composition root

    async def __call__(self, _service, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.follow(stop)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the feed outlives broker outages
                log.warning("mentoring: following %s failed (%r); retrying", self.topic, error)
                await asyncio.sleep(2.0)

    async def follow(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap_servers, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = await self.partitions(consumer, stop)
            if partitions is None:
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

    async def partitions(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> set[int] | None:
        """The topic's partitions, waiting until the registry has created it."""
        while not stop.is_set():
            await consumer._client.force_metadata_update()  # noqa: SLF001 - no public refresh
            partitions = consumer.partitions_for_topic(self.topic)
            if partitions:
                return partitions
            await asyncio.sleep(1.0)
        return None

    def take(self, raw: bytes) -> None:
        try:
            fact = decode(raw)
        except ContractViolation as violation:
            log.warning("mentoring: skipping a message on %s that breaks the contract: %s", self.topic, violation)
            return
        if self.directory.apply(fact):
            self.applied += 1
            if self.counter is not None:
                self.counter.inc()
