"""Replaying the recorded stream through the broker, and the projection that reads it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import uuid
from pathlib import Path

from aiokafka import AIOKafkaProducer
from pedgrowth.contracts import EVENT_MODELS, SERVICES
from pedgrowth.indicators.records import event_key
from pedgrowth.indicators.projection.consumer import Projection
from pedgrowth.indicators.projection.readmodel import ReadModel
from pedgrowth.kit.kafka import ensure_topics

from tests.support.kafka import eventually

RECORDED = Path(__file__).parent / "recorded.jsonl"


def recorded() -> list[dict]:
    return [json.loads(line) for line in RECORDED.read_text(encoding="utf-8").splitlines() if line]


def service_of(event: dict) -> str:
    return EVENT_MODELS[event["type"]].service


def unique_topics() -> dict[str, str]:
    """A private set of the four *.events topics, so a test sees only its own events."""
    tag = uuid.uuid4().hex[:8]
    return {service: f"t{tag}.{service}.events" for service in SERVICES}


def shuffled_with_duplicates(events: list[dict], seed: int) -> list[dict]:
    """The events in another interleaving, a fifth of them twice."""
    rng = random.Random(seed)
    out = events + rng.sample(events, len(events) // 5)
    rng.shuffle(out)
    return out


async def publish(bootstrap: str, events: list[dict], topics: dict[str, str]) -> None:
    """Put each event on its service's topic, keyed by subject, as a relay would."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for event in events:
            await producer.send(topics[service_of(event)], json.dumps(event, ensure_ascii=False).encode(),
                                key=event.get("subject", "").encode())
        await producer.flush()
    finally:
        await producer.stop()


async def create(settings, topics: dict[str, str]) -> None:
    await ensure_topics(settings, list(topics.values()), unlimited=set(topics.values()))


def keys(events: list[dict]) -> set[int]:
    return {event_key(e["source"], e["id"]) for e in events}


async def caught_up(read_model: ReadModel, events: list[dict], timeout: float = 30.0) -> None:
    wanted = keys(events)
    await eventually(lambda: wanted <= read_model.engine.seen, timeout=timeout)


@contextlib.asynccontextmanager
async def projecting(read_model: ReadModel, bootstrap: str, topics: dict[str, str]):
    """A projection of the topics running in the background."""
    stop = asyncio.Event()
    projection = Projection(read_model, bootstrap, batch_size=100, topics=tuple(topics.values()),
                            generation_check_seconds=0.2)
    task = asyncio.create_task(projection.run(stop))
    try:
        yield projection
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await read_model.store.close()
