"""The broker loses its history under running services (an in-memory broker restarted on the same port).

Registry, training, mentoring and indicators run on a broker of their own; history is
recorded and published; the broker restarts empty while they run; new events are posted;
then every service restarts. Every `*.events` topic must hold every event ever recorded,
and the followers of `registry.events` (training's workplaces, mentoring's directory) and
the indicators projection must be whole again, before and after the restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from datetime import date

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from eventsourcing.cipher import AESCipher

from pedgrowth.contracts import events_topic
from pedgrowth.contracts import mentoring as m
from pedgrowth.contracts import training as t
from pedgrowth.indicators.records import event_key
from pedgrowth.kit.kafka import topic_partitions
from pedgrowth.kit.metrics import Metrics
from pedgrowth.kit.relay import OutboxRelay
from tests.registry.builders import hire, org
from tests.support import infra
from tests.support.kafka import eventually
from tests.support.services import auth, cloud_event, running, settings_for

pytestmark = [pytest.mark.broker, pytest.mark.slow]

SERVICES = ("registry", "training", "mentoring")
DAY = date(2025, 1, 15)


def build_all(kafka, tmp_path, cipher_key: str) -> dict:
    from pedgrowth.indicators.bootstrap import build as build_indicators
    from pedgrowth.indicators.config import IndicatorsSettings
    from pedgrowth.mentoring.bootstrap import build as build_mentoring
    from pedgrowth.mentoring.config import MentoringSettings
    from pedgrowth.registry.bootstrap import build as build_registry
    from pedgrowth.registry.config import RegistrySettings
    from pedgrowth.training.bootstrap import build as build_training
    from pedgrowth.training.config import TrainingSettings

    return {
        "registry": build_registry(settings_for(RegistrySettings, kafka, tmp_path / "registry", cipher_key=cipher_key)),
        "training": build_training(settings_for(TrainingSettings, kafka, tmp_path / "training")),
        "mentoring": build_mentoring(settings_for(MentoringSettings, kafka, tmp_path / "mentoring")),
        "indicators": build_indicators(settings_for(IndicatorsSettings, kafka, tmp_path / "indicators")),
    }


def recorded_ids(app) -> set[str]:
    """The id of every contract event the service's store holds (what its topic must hold)."""
    service = app.state.service
    relay = OutboxRelay(service.app, service.name, service.parts.translate, None, Metrics())
    notifications = service.app.recorder.select_notifications(1, 10**9)
    return {item.event.id for item in relay.translate_all(notifications)}


async def topic_ids(bootstrap: str, topic: str, expected: set[str], timeout: float = 20.0) -> set[str]:
    """The event ids ``topic`` holds, read from the beginning until ``expected`` are among them or the time is up."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=50)
    await consumer.start()
    ids: set[str] = set()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not expected <= ids and asyncio.get_running_loop().time() < deadline:
            partitions = await topic_partitions(consumer, topic, refresh=True)
            if {tp.partition for tp in consumer.assignment()} != partitions:
                consumer.assign([TopicPartition(topic, p) for p in partitions])
                await consumer.seek_to_beginning()
                ids = set()
            for records in (await consumer.getmany(timeout_ms=100)).values():
                ids |= {json.loads(r.value)["id"] for r in records}
    finally:
        await consumer.stop()
    return ids


def staff(n: int, tag: str, school: str) -> list:
    return [hire(f"p-{tag}-{i}", school, started_on="2020-09-01") for i in range(n)]


def views(apps, people: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """Where training and mentoring think each person works on DAY."""
    workplaces = apps["training"].state.service.app.workplaces
    directory = apps["mentoring"].state.directory
    return {
        "training": {p: [place.org_id for place in workplaces.places_of(p, DAY)] for p in people},
        "mentoring": {p: directory.workplaces(p, DAY) for p in people},
    }


def not_projected(apps, recorded: dict[str, set[str]]) -> dict[str, int]:
    """How many recorded events of each service the indicators projection does not hold."""
    seen = apps["indicators"].state.read_model.engine.seen
    return {name: sum(event_key(f"/pedgrowth/{name}", i) not in seen for i in ids) for name, ids in recorded.items()}


async def projected(apps, recorded: dict[str, set[str]]) -> None:
    with contextlib.suppress(AssertionError):
        await eventually(lambda: not any(not_projected(apps, recorded).values()), timeout=20)
    assert not_projected(apps, recorded) == dict.fromkeys(recorded, 0)


async def views_become(apps, people: dict[str, str], expected: dict) -> None:
    with contextlib.suppress(AssertionError):
        await eventually(lambda: views(apps, people) == expected, timeout=20)
    assert views(apps, people) == expected


async def post(client, events) -> None:
    response = await client.post("/api/v1/events", json=[cloud_event(e) for e in events], headers=auth())
    assert response.status_code == 202, response.text
    assert {r["outcome"] for r in response.json()["results"]} == {"accepted"}, response.text


async def test_a_broker_that_lost_its_history_under_running_services_gets_it_all_back(tmp_path):
    tag = uuid.uuid4().hex[:6]
    school, later_school = f"sch-{tag}", f"sch2-{tag}"
    old_staff, new_staff = staff(20, f"{tag}a", school), staff(5, f"{tag}b", later_school)
    people = {e.person_id: e.org_id for e in old_staff + new_staff}
    cipher_key = AESCipher.create_key(16)

    def training_facts(prefix: str, count: int) -> list:
        provider = t.ProviderRegistered(provider_id=f"prov-{prefix}-{tag}", name="ИРО", kind="regional_institute")
        return [provider] + [
            t.ProgramPublished(program_id=f"prog-{prefix}-{tag}-{i}", provider_id=provider.provider_id,
                               title=f"Программа {i}", kind="advanced_training", hours=36, format="distance",
                               in_federal_registry=True) for i in range(count)]

    def mentors(prefix: str, count: int) -> list:
        return [m.MentorRegistered(mentor_id=f"m-{prefix}-{tag}-{i}", external_organization="АО «Завод»",
                                   registered_on="2024-09-01") for i in range(count)]

    tansu = infra.Tansu(infra.free_port()).start()
    kafka = (tansu.bootstrap, "Tansu (own)", False)
    try:
        apps = build_all(kafka, tmp_path, cipher_key)
        async with contextlib.AsyncExitStack() as stack:
            clients = {name: await stack.enter_async_context(running(apps[name])) for name in (*SERVICES, "indicators")}
            await post(clients["registry"], [org(school, f"mun-{tag}", f"reg-{tag}")] + old_staff)
            await post(clients["training"], training_facts("old", 15))
            await post(clients["mentoring"], mentors("old", 10))
            before = {name: recorded_ids(apps[name]) for name in SERVICES}
            for name in SERVICES:
                assert before[name] <= await topic_ids(tansu.bootstrap, events_topic(name), before[name])
            whole = {"training": {p: [o] for p, o in people.items()}, "mentoring": {p: [o] for p, o in people.items()}}
            old_only = {v: {p: (o if p in {e.person_id for e in old_staff} else []) for p, o in w.items()}
                        for v, w in whole.items()}
            await views_become(apps, people, old_only)
            await projected(apps, before)

            tansu.process.kill()  # the broker dies and comes back empty; the services keep running
            tansu.process.wait()
            tansu.start()
            await post(clients["registry"], [org(later_school, f"mun-{tag}", f"reg-{tag}")] + new_staff)
            await post(clients["training"], training_facts("new", 3))
            await post(clients["mentoring"], mentors("new", 2))
            after = {name: recorded_ids(apps[name]) for name in SERVICES}
            assert all(before[name] < after[name] for name in SERVICES)
            for name in SERVICES:  # restored while running
                assert after[name] <= await topic_ids(tansu.bootstrap, events_topic(name), after[name]), name
            await views_become(apps, people, whole)
            await projected(apps, after)

        apps = build_all(kafka, tmp_path, cipher_key)  # everything restarts on the same stores and broker
        async with contextlib.AsyncExitStack() as stack:
            for name in (*SERVICES, "indicators"):
                await stack.enter_async_context(running(apps[name]))
            for name in SERVICES:
                held = await topic_ids(tansu.bootstrap, events_topic(name), after[name])
                assert held == after[name], f"{events_topic(name)}: {len(after[name] - held)} events missing"
            await views_become(apps, people, whole)
            await projected(apps, after)
    finally:
        tansu.stop()
