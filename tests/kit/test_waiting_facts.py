"""Waiting facts through the training service on the real broker: timeout to the DLQ, restarts, metrics."""

from __future__ import annotations

import json
import uuid

import pytest

from pedgrowth.contracts import TRAINING_DLQ, TRAINING_EVENTS, TRAINING_INBOX
from pedgrowth.contracts.training import CourseCompleted, ProgramPublished
from pedgrowth.kit.auth import Role
from pedgrowth.training.bootstrap import build
from pedgrowth.training.config import TrainingSettings
from tests.support.kafka import eventually, produce, read_topic, values
from tests.support.services import auth, cloud_event, running, settings_for

pytestmark = pytest.mark.broker


def programme(program_id: str) -> ProgramPublished:
    return ProgramPublished(program_id=program_id, provider_id="prov-1", title="Цифровая дидактика",
                            kind="advanced_training", hours=36, format="distance", in_federal_registry=True)


def course(person_id: str, program_id: str) -> CourseCompleted:
    return CourseCompleted(person_id=person_id, program_id=program_id, completed_on="2024-03-01")


async def waiting_ids(client) -> set[str]:
    return {f["event_id"] for f in (await client.get("/api/v1/waiting", headers=auth())).json()["facts"]}


async def test_a_reference_that_never_comes_ends_on_the_dlq_as_unresolved(kafka, tmp_path):
    settings = settings_for(TrainingSettings, kafka, tmp_path, waiting_max_age_seconds=1.0, waiting_sweep_seconds=0.2)
    orphan = cloud_event(course(f"p-{uuid.uuid4().hex[:6]}", f"never-{uuid.uuid4().hex[:6]}"))
    async with running(build(settings)) as client:
        await produce(kafka[0], TRAINING_INBOX, [json.dumps(orphan).encode()])
        dead = await read_topic(kafka[0], TRAINING_DLQ, timeout=30,
                                until=lambda rs: any(orphan["id"].encode() in r.value for r in rs))
        assert orphan["id"] not in await waiting_ids(client)
        metrics = (await client.get("/metrics")).text
    mine = [r for r in dead if orphan["id"].encode() in r.value]
    assert len(mine) == 1
    headers = {k: v.decode() for k, v in mine[0].headers}
    assert headers["pedgrowth-reason-code"] == "unresolved_reference"
    assert headers["pedgrowth-field"] == "data.program_id"
    assert orphan["data"]["program_id"] in headers["pedgrowth-reason"]
    assert json.loads(mine[0].value) == orphan and mine[0].key == orphan["subject"].encode()
    assert 'pedgrowth_waiting_facts{service="training"} 0.0' in metrics


async def test_a_restart_while_facts_wait_loses_none_of_them(kafka, tmp_path):
    settings = settings_for(TrainingSettings, kafka, tmp_path, waiting_sweep_seconds=0.2)
    program_id = f"prog-{uuid.uuid4().hex[:6]}"
    people = [f"p-{uuid.uuid4().hex[:6]}" for _ in range(3)]
    courses = [cloud_event(course(p, program_id)) for p in people]
    async with running(build(settings)) as client:
        await produce(kafka[0], TRAINING_INBOX, [json.dumps(c).encode() for c in courses])
        await eventually(lambda: _all_in(client, courses), timeout=30)
        metrics = await eventually(lambda: _gauge(client, 3), timeout=10)
    assert "pedgrowth_waiting_oldest_seconds" in metrics
    restarted = build(settings)
    async with running(restarted) as client:
        assert {c["id"] for c in courses} <= await waiting_ids(client)
        await produce(kafka[0], TRAINING_INBOX, [json.dumps(cloud_event(programme(program_id))).encode()])
        records = await read_topic(kafka[0], TRAINING_EVENTS, timeout=30, until=lambda rs: len(
            [v for v in values(rs) if v["subject"] in people]) >= 3)
        assert not {c["id"] for c in courses} & await waiting_ids(client)
    completions = [v for v in values(records) if v["subject"] in people]
    assert sorted(v["subject"] for v in completions) == sorted(people)
    assert {v["type"] for v in completions} == {"pedgrowth.training.course_completed.v1"}


async def _all_in(client, events) -> bool:
    return {e["id"] for e in events} <= await waiting_ids(client)


async def _gauge(client, count: int) -> str | None:
    text = (await client.get("/metrics")).text
    return text if f'pedgrowth_waiting_facts{{service="training"}} {count:.1f}' in text else None


async def test_waiting_facts_are_listed_for_admins_and_the_school_itself_only(kafka, tmp_path):
    from pedgrowth.contracts.registry import EmploymentStarted
    from pedgrowth.registry.bootstrap import build as build_registry
    from pedgrowth.registry.config import RegistrySettings

    tag = uuid.uuid4().hex[:6]
    hire = cloud_event(EmploymentStarted(person_id=f"p-{tag}", org_id=f"sch-{tag}", position="teacher",
                                         started_on="2023-09-01", pedagogical_experience_since="2023-09-01"))
    async with running(build_registry(settings_for(RegistrySettings, kafka, tmp_path))) as client:
        posted = await client.post("/api/v1/events", json=hire, headers=auth())
        assert posted.json()["results"][0]["outcome"] == "waiting"
        again = await client.post("/api/v1/events", json=hire, headers=auth())
        assert again.json()["results"][0]["outcome"] == "waiting"
        school = await client.get("/api/v1/waiting", headers=auth(Role.SCHOOL_SYSTEM, org_id=f"sch-{tag}"))
        other = await client.get("/api/v1/waiting", headers=auth(Role.SCHOOL_SYSTEM, org_id="sch-other"))
        snooping = await client.get("/api/v1/waiting", params={"org_id": f"sch-{tag}"},
                                    headers=auth(Role.SCHOOL_SYSTEM, org_id="sch-other"))
        analyst = await client.get("/api/v1/waiting", headers=auth(Role.REGIONAL_ANALYST, region_id="reg-1"))
        anonymous = await client.get("/api/v1/waiting")
    assert [(f["event_id"], f["waits_for"], f["key"]) for f in school.json()["facts"]] == [
        (hire["id"], "organisation", f"sch-{tag}")]
    assert hire["id"] not in {f["event_id"] for f in other.json()["facts"]}
    assert (snooping.status_code, analyst.status_code, anonymous.status_code) == (403, 403, 401)
