"""The registry on the real broker: facts in over HTTP and registry.inbox, contract events out on registry.events."""

from __future__ import annotations

import asyncio
import io
import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from eventsourcing.cipher import AESCipher
from openpyxl import Workbook

from pedgrowth.contracts import REGISTRY_DLQ, REGISTRY_EVENTS, REGISTRY_INBOX, decode
from pedgrowth.kit.auth import Role
from pedgrowth.registry.bootstrap import build
from pedgrowth.registry.config import RegistrySettings
from tests.registry.builders import close, enrol, hire, org, vacancy
from tests.support.kafka import produce
from tests.support.services import auth, cloud_event, running, settings_for

pytestmark = pytest.mark.broker

NAME = "Иванова Мария Петровна"


async def read_until(bootstrap: str, topic: str, done, timeout: float = 30.0) -> list:
    """Records of ``topic`` from the start until ``done(records)`` holds (the topic is shared by the session)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    records: list = []
    try:
        await consumer._client.force_metadata_update()  # noqa: SLF001 - no public refresh
        consumer.assign([TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or {0}])
        await consumer.seek_to_beginning()
        deadline = asyncio.get_running_loop().time() + timeout
        while not done(records) and asyncio.get_running_loop().time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


def keyed(*keys: str):
    return lambda records: {k.encode() for k in keys} <= {r.key for r in records}


def staff_file(person_id: str) -> bytes:
    book = Workbook()
    book.active.append(["Идентификатор", "ФИО", "Должность", "Дата приёма", "Педагогический стаж с"])
    book.active.append([person_id, NAME, "Учитель", "01.09.2021", "01.09.2021"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_http_and_import_facts_reach_registry_events_as_contract_events_without_names(kafka, tmp_path):
    key = uuid.uuid4().hex[:8]
    school, person, vac = f"sch-{key}", f"p-{key}", f"vac-{key}"
    app = build(settings_for(RegistrySettings, kafka, tmp_path, cipher_key=AESCipher.create_key(16)))
    async with running(app) as client:
        created = await client.post("/api/v1/organisations", json=org(school).model_dump(mode="json"),
                                    headers=auth(Role.MUNICIPAL_OPERATOR, municipality_id="mun-1"))
        assert created.status_code == 201, created.text
        school_token = auth(Role.SCHOOL_SYSTEM, org_id=school)
        imported = await client.post(f"/api/v1/organisations/{school}/staff/import", headers=school_token,
                                     files={"file": ("staff.xlsx", staff_file(person))})
        assert imported.json()["accepted"] == 1, imported.text
        opened = await client.post("/api/v1/events", json=[cloud_event(vacancy(vac, school, opened_on="2024-05-20"))],
                                   headers=school_token)
        assert opened.status_code == 202
        # a second request: the closing is checked on the vacancy's organisation, known once it is opened
        posted = await client.post("/api/v1/events", json=[cloud_event(close(vac))], headers=school_token)
        assert (posted.status_code, posted.json()["results"][0]["outcome"]) == (202, "accepted")
        records = await read_until(kafka[0], REGISTRY_EVENTS,
                                   lambda rs: sum(r.key in (school.encode(), person.encode(), vac.encode())
                                                  for r in rs) >= 4)
    assert all(NAME.encode() not in r.value for r in records)
    assert NAME.encode() not in (tmp_path / "registry.sqlite").read_bytes()  # encrypted at rest, relayed in clear
    mine = sorted((decode(r.value) for r in records if (r.key or b"").decode() in (school, person, vac)),
                  key=lambda f: int(f.envelope.extensions["sequence"]))  # partitions interleave
    assert [f.type.split(".")[2] for f in mine] == [
        "organization_registered", "employment_started", "vacancy_opened", "vacancy_closed"]
    assert mine[1].data == hire(person, school)


def event_id(record) -> str | None:
    """The CloudEvent id of a message, or None for bytes that are not JSON (other tests' dead letters)."""
    try:
        return json.loads(record.value).get("id")
    except (ValueError, AttributeError):
        return None


async def test_the_inbox_records_good_facts_and_dead_letters_broken_rules_with_the_reason(kafka, tmp_path):
    key = uuid.uuid4().hex[:8]
    school, good, bad = f"sch-{key}", f"p-{key}", f"q-{key}"
    broken = cloud_event(hire(bad, school, started_on="2021-09-01", pedagogical_experience_since="2022-01-01"))
    nowhere = cloud_event(enrol(f"nobody-{key}", enrolled_on="2099-01-01"))  # in the school's municipality
    inbound = [cloud_event(hire(good, school)), broken, nowhere]
    app = build(settings_for(RegistrySettings, kafka, tmp_path))
    async with running(app):
        # Kafka orders messages within a key (partition) only: the organisation must be in before its hires.
        await produce(kafka[0], REGISTRY_INBOX, [json.dumps(cloud_event(org(school))).encode()], key=school.encode())
        await read_until(kafka[0], REGISTRY_EVENTS, keyed(school))
        await produce(kafka[0], REGISTRY_INBOX, [json.dumps(e).encode() for e in inbound])
        published = await read_until(kafka[0], REGISTRY_EVENTS, keyed(school, good))
        dead = await read_until(kafka[0], REGISTRY_DLQ, lambda rs: sum(
            r.value.count(broken["id"].encode()) + r.value.count(nowhere["id"].encode()) for r in rs) >= 2)
    assert {(r.key or b"").decode() for r in published} >= {school, good}
    assert bad.encode() not in b"".join(r.key or b"" for r in published)
    reasons = {event_id(r): dict(r.headers) for r in dead if event_id(r) in (broken["id"], nowhere["id"])}
    assert reasons[broken["id"]]["pedgrowth-field"] == b"data.pedagogical_experience_since"
    assert reasons[nowhere["id"]]["pedgrowth-reason-code"] == b"business_rule"
    assert reasons[nowhere["id"]]["pedgrowth-field"] == b"data.enrolled_on"
    assert b"2099-01-01 is in the future" in reasons[nowhere["id"]]["pedgrowth-reason"]
