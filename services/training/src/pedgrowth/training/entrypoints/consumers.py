"""Following `registry.events` into the workplaces index (training's only consumer of another service)."""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import CollectorRegistry, Counter

from pedgrowth.contracts import REGISTRY_EVENTS, ContractViolation, decode
from pedgrowth.kit.config import ServiceSettings
from pedgrowth.kit.service import Service

from ..adapters.workplaces import Workplaces

log = logging.getLogger(__name__)


class RegistryFollower:
    """Reads `registry.events` from the beginning on every start, without a consumer group.

    The index lives in memory, so it is rebuilt from the topic (which keeps
    everything) each time; applying a fact twice changes nothing.
    """

    def __init__(self, workplaces: Workplaces, settings: ServiceSettings, registry: CollectorRegistry):
        self.workplaces = workplaces
        self.settings = settings
        self.consumed = Counter(
            "pedgrowth_events_consumed", "Events consumed from other services' topics, by outcome",
            ["service", "topic", "outcome"], registry=registry)

    async def run(self, _: Service, stop: asyncio.Event) -> None:
        """Follow the topic until asked to stop, starting again after a broker failure."""
        failures = 0
        while not stop.is_set():
            try:
                await self.follow(stop)
            except Exception as error:  # noqa: BLE001 - the follower outlives broker outages
                failures += 1
                log.warning("training: following %s failed (%r); retrying", REGISTRY_EVENTS, error)
                await asyncio.sleep(min(10.0, 0.2 * 2 ** min(failures, 6)))

    async def follow(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap_servers,
                                    enable_auto_commit=False, group_id=None)
        await consumer.start()
        try:
            partitions = await self.partitions(consumer, stop)
            if not partitions:
                return
            consumer.assign([TopicPartition(REGISTRY_EVENTS, p) for p in partitions])
            await consumer.seek_to_beginning()
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        self.apply(record.value)
        finally:
            await consumer.stop()

    async def partitions(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> set[int]:
        """The topic's partitions, waiting until the registry has created it."""
        while not stop.is_set():
            await consumer._client.force_metadata_update()  # noqa: SLF001 - aiokafka has no public refresh
            found = consumer.partitions_for_topic(REGISTRY_EVENTS)
            if found:
                return found
            try:
                await asyncio.wait_for(stop.wait(), 2.0)
            except TimeoutError:
                pass
        return set()

    def apply(self, value: bytes) -> None:
        try:
            fact = decode(value)
        except ContractViolation as violation:
            log.warning("training: skipping an invalid message on %s: %s", REGISTRY_EVENTS, violation)
            self.consumed.labels("training", REGISTRY_EVENTS, "invalid").inc()
            return
        self.workplaces.apply(fact.data)
        self.consumed.labels("training", REGISTRY_EVENTS, "applied").inc()
