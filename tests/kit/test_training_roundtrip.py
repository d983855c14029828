"""The shared mechanics, through the training service on the real broker."""

from __future__ import annotations

import json
import uuid

import pytest

from pedgrowth.contracts import TRAINING_DLQ, TRAINING_EVENTS, TRAINING_INBOX
from pedgrowth.contracts.training import DiagnosticsCompleted, ProgramPublished, ProviderRegistered
from pedgrowth.training.bootstrap import build
from pedgrowth.training.config import TrainingSettings
from tests.support.kafka import produce, read_topic, values
from tests.support.services import auth, cloud_event, running, settings_for

pytestmark = pytest.mark.broker


def subjects_of(records) -> set[str]:
    return {v["subject"] for v in values(records)}


def provider():
    return ProviderRegistered(provider_id=f"prov-{uuid.uuid4().hex[:6]}", name="ТОИПКРО", kind="regional_institute")


def programme(provider_id: str, program_id: str):
    return ProgramPublished(program_id=program_id, provider_id=provider_id, title="Цифровая дидактика",
                            kind="advanced_training", hours=36, format="distance", in_federal_registry=True)


async def test_http_event_is_recorded_and_published(kafka, tmp_path):
    app = build(settings_for(TrainingSettings, kafka, tmp_path))
    prov = provider()
    async with running(app) as client:
        response = await client.post("/api/v1/events", json=cloud_event(prov), headers=auth())
        assert response.status_code == 202, response.text
        assert response.json()["results"][0]["outcome"] == "accepted"
        records = await read_topic(kafka[0], TRAINING_EVENTS, until=lambda rs: subjects_of(rs) >= {prov.provider_id})
    published = [v for v in values(records) if v["subject"] == prov.provider_id]
    assert published and published[0]["type"] == "pedgrowth.training.provider_registered.v1"


async def test_kafka_inbox_records_and_dead_letters(kafka, tmp_path):
    app = build(settings_for(TrainingSettings, kafka, tmp_path))
    prov = provider()
    program_id = f"prog-{uuid.uuid4().hex[:6]}"
    good = [cloud_event(prov), cloud_event(programme(prov.provider_id, program_id))]
    unknown = cloud_event(DiagnosticsCompleted(person_id="p-1", diagnostics_id="diag-1", completed_on="2024-03-01",
                                               deficits=[{"code": "D-1", "area": "digital"}] * 2))  # a rule broken
    marker = uuid.uuid4().hex
    async with running(app):
        await produce(kafka[0], TRAINING_INBOX, [json.dumps(e).encode() for e in good]
                      + [b"{not json " + marker.encode(), json.dumps(unknown).encode()])
        dead = await read_topic(kafka[0], TRAINING_DLQ, timeout=30, until=lambda rs: len(
            [r for r in rs if marker.encode() in r.value or unknown["id"].encode() in r.value]) >= 2)
        published = await read_topic(kafka[0], TRAINING_EVENTS, timeout=30,
                                     until=lambda rs: subjects_of(rs) >= {prov.provider_id, program_id})
    mine = [r for r in dead if marker.encode() in r.value or unknown["id"].encode() in r.value]
    reasons = {dict(r.headers)["pedgrowth-reason-code"].decode() for r in mine}
    assert reasons == {"invalid_json", "business_rule"}
    subjects = {v["subject"] for v in values(published)}
    assert {prov.provider_id, program_id} <= subjects
