"""Kafka plumbing: topic creation, the relay's producer, topic sizes."""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from .config import ServiceSettings

log = logging.getLogger(__name__)

UNLIMITED_RETENTION = {"retention.ms": "-1", "retention.bytes": "-1"}


async def ensure_topics(settings: ServiceSettings, topics: list[str], unlimited: set[str] = frozenset()) -> None:
    """Create the topics that do not exist yet; ``unlimited`` ones keep everything."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if not missing:
            return
        new = [
            NewTopic(t, settings.kafka_topic_partitions, settings.kafka_replication_factor,
                     topic_configs=UNLIMITED_RETENTION if t in unlimited else {})
            for t in missing
        ]
        try:
            await admin.create_topics(new)
        except TopicAlreadyExistsError:
            pass
        log.info("created topics %s", ", ".join(missing))
    finally:
        await admin.close()


def relay_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    """A producer that waits for all in-sync replicas; idempotent where the broker supports it."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        acks="all",
        enable_idempotence=settings.kafka_enable_idempotence,
        linger_ms=5,
        max_batch_size=256 * 1024,
    )


async def topic_partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    """The topic's partitions, asking the broker again once when the cached metadata lacks them."""
    found = consumer.partitions_for_topic(topic)
    if not found:
        await consumer._client.force_metadata_update()  # noqa: SLF001 - aiokafka has no public refresh
        found = consumer.partitions_for_topic(topic)
    return set(found or ())


async def topic_size(settings: ServiceSettings, topic: str) -> int:
    """Messages the topic holds (sum of end offsets; 0 for a topic that does not exist)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await topic_partitions(consumer, topic)
        if not partitions:
            return 0
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(ends.values())
    finally:
        await consumer.stop()
