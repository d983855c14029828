"""Small Kafka helpers for tests: produce inbound events, read a topic from the start."""

from __future__ import annotations

import asyncio
import json

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition


def subject_key(value: bytes) -> bytes | None:
    """The CloudEvent's subject as the Kafka key, as relays and school systems send it."""
    try:
        subject = json.loads(value).get("subject")
    except (ValueError, AttributeError):
        return None
    return subject.encode() if isinstance(subject, str) else None


async def produce(bootstrap: str, topic: str, values: list[bytes], key: bytes | None = None) -> None:
    """Send each value with ``key``, or else keyed by its subject (None for non-JSON bytes)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value=value, key=key if key is not None else subject_key(value))
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str, expect: int = 10**9, timeout: float = 20.0, until=None):
    """Records of ``topic`` from the beginning until ``expect`` are read, ``until(records)`` holds,
    or the time is up."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    records = []
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()  # noqa: SLF001 - no public refresh
            partitions = consumer.partitions_for_topic(topic) or {0}
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        await consumer.seek_to_beginning()
        deadline = asyncio.get_running_loop().time() + timeout
        while len(records) < expect and asyncio.get_running_loop().time() < deadline:
            if until is not None and records and until(records):
                break
            batch = await consumer.getmany(timeout_ms=300)
            for items in batch.values():
                records.extend(items)
    finally:
        await consumer.stop()
    return records


def values(records) -> list[dict]:
    return [json.loads(r.value) for r in records]


async def eventually(check, timeout: float = 20.0, interval: float = 0.1):
    """Wait until ``check()`` (sync or async) returns something truthy; returns it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)
