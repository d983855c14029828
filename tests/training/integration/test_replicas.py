"""Two training replicas on one PostgreSQL in one consumer group: every event recorded once."""

from __future__ import annotations

import contextlib
import json
import uuid

import pytest

from pedgrowth.contracts import TRAINING_EVENTS, TRAINING_INBOX
from pedgrowth.training.bootstrap import build
from pedgrowth.training.config import TrainingSettings
from pedgrowth.training.domain.learner import learner_id
from tests.support.kafka import eventually, produce, read_topic, values
from tests.support.services import auth, cloud_event, running, settings_for
from tests.training import facts

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow]


def taken(app) -> float:
    counter = app.state.service.metrics.inbox_messages
    return sum(s.value for m in counter.collect() for s in m.samples if s.name.endswith("_total"))


async def test_two_replicas_on_one_store_record_every_event_once(own_kafka, postgres, tmp_path):
    program_id = f"prog-{uuid.uuid4().hex[:6]}"
    people = [f"p-{uuid.uuid4().hex[:8]}" for _ in range(120)]
    courses = [cloud_event(facts.course(person_id=p, program_id=program_id)) for p in people]
    replicas = [build(settings_for(TrainingSettings, own_kafka, tmp_path / name, database_url=postgres,
                                   follow_registry=False, inbox_batch_size=20)) for name in ("a", "b")]
    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(running(app)) for app in replicas]
        posted = await clients[0].post("/api/v1/events", json=cloud_event(facts.programme(program_id=program_id)),
                                       headers=auth())
        assert posted.status_code == 202
        await produce(own_kafka[0], TRAINING_INBOX, [json.dumps(c).encode() for c in courses])
        await produce(own_kafka[0], TRAINING_INBOX, [json.dumps(c).encode() for c in courses[:30]])  # redelivered
        await eventually(lambda: sum(taken(app) for app in replicas) >= len(courses) + 30, timeout=120)
        records = await read_topic(own_kafka[0], TRAINING_EVENTS, timeout=60, until=lambda rs: len(
            {v["subject"] for v in values(rs)} & set(people)) == len(people))
        store = replicas[0].state.service.app
        courses_held = [len(store.stored(learner_id(p)).courses) for p in people]
        shares = [taken(app) for app in replicas]
    completions = [v for v in values(records) if v["subject"] in people]
    assert sorted(v["subject"] for v in completions) == sorted(people)
    assert courses_held == [1] * len(people)
    print("messages taken by each replica:", shares)
