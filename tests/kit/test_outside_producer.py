"""A school system's own Kafka client (librdkafka) publishing to training.inbox."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from pedgrowth.contracts import TRAINING_DLQ, TRAINING_EVENTS, TRAINING_INBOX
from pedgrowth.contracts.training import ProviderRegistered
from pedgrowth.training.bootstrap import build
from pedgrowth.training.config import TrainingSettings
from tests.support.kafka import read_topic, values
from tests.support.services import cloud_event, running, settings_for

pytestmark = pytest.mark.broker
confluent_kafka = pytest.importorskip("confluent_kafka", reason="confluent-kafka is the outside client witness")


def produce_with_librdkafka(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "acks": "all",
                                         "enable.idempotence": False})
    for key, value in messages:
        producer.produce(topic, value=value, key=key)
    assert producer.flush(20) == 0, "librdkafka did not deliver everything"


async def test_outside_client_event_is_recorded_and_malformed_one_dead_lettered(kafka, tmp_path):
    service_app = build(settings_for(TrainingSettings, kafka, tmp_path))
    good = cloud_event(ProviderRegistered(provider_id=f"prov-{uuid.uuid4().hex[:8]}", name="ЦНППМ", kind="cnppm"))
    bad = cloud_event(ProviderRegistered(provider_id=f"prov-{uuid.uuid4().hex[:8]}", name="x", kind="other"))
    bad["data"]["kind"] = "academy-of-everything"
    async with running(service_app):
        application = service_app.state.service.app
        head_before = application.recorder.max_notification_id() or 0
        await asyncio.to_thread(produce_with_librdkafka, kafka[0], TRAINING_INBOX, [
            (good["subject"].encode(), json.dumps(good).encode()),
            (bad["subject"].encode(), json.dumps(bad).encode()),
        ])
        dead = await read_topic(kafka[0], TRAINING_DLQ, timeout=30,
                                until=lambda rs: any(json.loads(r.value).get("id") == bad["id"] for r in rs))
        published = await read_topic(kafka[0], TRAINING_EVENTS, timeout=30,
                                     until=lambda rs: good["subject"] in {r.key.decode() for r in rs})
        head_after = application.recorder.max_notification_id()
    mine = [r for r in dead if json.loads(r.value).get("id") == bad["id"]]
    assert len(mine) == 1
    headers = {k: v.decode() for k, v in mine[0].headers}
    assert headers["pedgrowth-reason-code"] == "schema"
    assert headers["pedgrowth-field"] == "data.kind"
    assert "academy-of-everything" in headers["pedgrowth-reason"] or "allowed" in headers["pedgrowth-reason"]
    assert json.loads(mine[0].value) == bad, "the DLQ keeps the original bytes"
    subjects = [v["subject"] for v in values(published)]
    assert good["subject"] in subjects and bad["subject"] not in subjects
    # The good event: one domain event and one receipt; the bad one changed nothing.
    assert head_after - head_before == 2
