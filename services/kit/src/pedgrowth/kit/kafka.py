"""Kafka plumbing: topic creation, the relay's producer, high watermarks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

from .config import ServiceSettings

log = logging.getLogger(__name__)

UNLIMITED_RETENTION = {"retention.ms": "-1", "retention.bytes": "-1"}


def client_options(settings: ServiceSettings) -> dict:
    """Where the broker is and how to sign in to it, for every aiokafka client of a service.

    PLAINTEXT (Tansu, the embedded default) or SASL with SCRAM (docker-compose: each
    service has a user of its own whose ACLs allow only its topics); SSL and SASL_SSL
    verify the broker with the system's certificate authorities.
    """
    protocol = settings.kafka_security_protocol
    options: dict = {"bootstrap_servers": settings.kafka_bootstrap_servers, "security_protocol": protocol}
    if protocol.startswith("SASL_"):
        options |= {"sasl_mechanism": settings.kafka_sasl_mechanism,
                    "sasl_plain_username": settings.kafka_sasl_username,
                    "sasl_plain_password": settings.kafka_sasl_password.get_secret_value()}
    if protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context()
    return options


def as_client_options(broker: str | Mapping) -> dict:
    """Client options from a broker address (PLAINTEXT, as tests and Tansu use) or from ``client_options``."""
    return {"bootstrap_servers": broker} if isinstance(broker, str) else dict(broker)


async def ensure_topics(settings: ServiceSettings, topics: list[str], unlimited: set[str] = frozenset()) -> None:
    """Create the topics that do not exist yet; ``unlimited`` ones keep everything."""
    admin = AIOKafkaAdminClient(**client_options(settings))
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
        **client_options(settings),
        acks="all",
        enable_idempotence=settings.kafka_enable_idempotence,
        linger_ms=5,
        max_batch_size=256 * 1024,
    )


async def topic_partitions(consumer: AIOKafkaConsumer, topic: str, refresh: bool = False) -> set[int]:
    """The topic's partitions, asking the broker again when the cached metadata lacks them (or ``refresh``)."""
    found = None if refresh else consumer.partitions_for_topic(topic)
    if not found:
        await consumer._client.force_metadata_update()  # noqa: SLF001 - aiokafka has no public refresh
        found = consumer.partitions_for_topic(topic)
    return set(found or ())


def probe_consumer(settings: ServiceSettings) -> AIOKafkaConsumer:
    """A consumer without a group for looking at a topic (ends, single records); nothing is committed."""
    return AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False,
                            auto_offset_reset="earliest", fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms)


async def high_watermarks(consumer: AIOKafkaConsumer, near: dict[TopicPartition, int],
                          timeout: float = 5.0) -> dict[TopicPartition, int]:
    """Each partition's high watermark as a fetch at ``near - 1`` reports it.

    Tansu answers ListOffsets with less than the real end (the start of its last
    batch), so the end is read from a fetch response instead. A position beyond a
    shorter log is reset by the consumer (``auto_offset_reset``) and fetched again;
    partitions whose broker does not answer within ``timeout`` are left out.
    """
    consumer.assign(list(near))
    for tp, offset in near.items():
        consumer.seek(tp, max(offset - 1, 0))
    deadline = asyncio.get_running_loop().time() + timeout
    found: dict[TopicPartition, int] = {}
    while len(found) < len(near) and asyncio.get_running_loop().time() < deadline:
        await consumer.getmany(*near, timeout_ms=200, max_records=len(near))
        found = {tp: hw for tp in near if (hw := consumer.highwater(tp)) is not None}
    return found
