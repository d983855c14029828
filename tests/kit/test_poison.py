"""A poison message never stops the inbox; odd but valid messages are not lost."""

from __future__ import annotations

import json
import uuid

import pytest

from pedgrowth.contracts import TRAINING_DLQ, TRAINING_INBOX
from pedgrowth.contracts.training import ProviderRegistered
from pedgrowth.kit.store import eventsourcing_env
from pedgrowth.training.application import TrainingApplication
from pedgrowth.training.bootstrap import build
from pedgrowth.training.config import TrainingSettings
from pedgrowth.training.domain.catalogue import catalogue_id
from tests.support.kafka import eventually, produce, read_topic
from tests.support.services import cloud_event, running, settings_for

pytestmark = pytest.mark.broker


class BrokenForOne(TrainingApplication):
    """Fails unexpectedly (a bug, not a rule) for one provider id."""

    def on_provider_registered(self, data):
        if data.provider_id.startswith("poison-"):
            raise RuntimeError("unexpected failure while recording")
        return super().on_provider_registered(data)


def provider(prefix: str) -> ProviderRegistered:
    return ProviderRegistered(provider_id=f"{prefix}-{uuid.uuid4().hex[:8]}", name="ИРО", kind="other")


async def test_a_message_failing_every_time_is_dead_lettered_and_the_next_one_recorded(kafka, tmp_path):
    settings = settings_for(TrainingSettings, kafka, tmp_path, inbox_max_attempts=2)
    app = BrokenForOne(env=eventsourcing_env(settings))
    poison, after = cloud_event(provider("poison")), cloud_event(provider("fine"))
    async with running(build(settings, application=app)):
        key = b"one-partition"  # the poison message is ahead of the good one in the same partition
        await produce(kafka[0], TRAINING_INBOX, [json.dumps(poison).encode(), json.dumps(after).encode()], key=key)
        await eventually(lambda: app.exists(catalogue_id("provider", after["subject"])), timeout=30)
        dead = await read_topic(kafka[0], TRAINING_DLQ, timeout=20,
                                until=lambda rs: any(poison["id"].encode() in r.value for r in rs))
    mine = [r for r in dead if poison["id"].encode() in r.value]
    assert len(mine) == 1
    headers = {k: v.decode() for k, v in mine[0].headers}
    assert headers["pedgrowth-reason-code"] == "processing_error"
    assert "unexpected failure" in headers["pedgrowth-reason"]
    assert mine[0].key == key


async def test_a_message_with_a_binary_header_is_recorded(kafka, tmp_path):
    from aiokafka import AIOKafkaProducer

    settings = settings_for(TrainingSettings, kafka, tmp_path)
    event = cloud_event(provider("binary"))
    service_app = build(settings)
    app = service_app.state.service.app
    async with running(service_app):
        producer = AIOKafkaProducer(bootstrap_servers=kafka[0])
        await producer.start()
        try:
            await producer.send_and_wait(TRAINING_INBOX, json.dumps(event).encode(), key=b"k",
                                         headers=[("trace", b"\xff\xfe\x00")])
        finally:
            await producer.stop()
        await eventually(lambda: app.exists(catalogue_id("provider", event["subject"])), timeout=30)
