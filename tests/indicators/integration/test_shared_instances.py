"""Several indicators instances in one consumer group share the partitions and one PostgreSQL store, and
each answers exactly what one instance answers — also after one of them stops and the other takes its
partitions and shards over, and after it comes back."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import date

import pytest
from pedgrowth.contracts import decode
from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.indicators.definitions import INDICATORS
from pedgrowth.indicators.engine import Engine
from pedgrowth.indicators.projection.shared import SharedProjection, SharedReadModel
from pedgrowth.indicators.readmodel.sql import PostgresStore
from pedgrowth.indicators.rebuild import rebuild
from pedgrowth.indicators.records import Record
from pedgrowth.kit.kafka import client_options

from tests.indicators.streams.replay import caught_up, create, publish, recorded, unique_topics
from tests.indicators.streams.test_recorded_stream import check_by_hand
from tests.support.kafka import eventually
from tests.support.services import settings_for

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

SHARDS = 6
DAYS = [date(2023, 8, 31), date(2024, 2, 29), date(2024, 9, 1), date(2024, 12, 31), date(2025, 6, 30)]


def answers(engine: Engine) -> dict:
    out = {}
    scopes = [Scope("region", "rec-reg")]
    scopes += [Scope("municipality", m) for m in ("rec-mun-a", "rec-mun-b")]
    scopes += [Scope("organization", o) for o in ("rec-a1", "rec-a2", "rec-b1", "rec-b2")]
    for scope in scopes:
        for d in DAYS:
            for n in engine.all_numbers(scope, d):
                out[(str(scope), d, n.indicator.code)] = (n.numerator, n.denominator)
    return out


def one_engine(events: list[dict]) -> dict:
    engine = Engine()
    engine.apply([Record.from_fact(decode(e)) for e in events])
    return answers(engine)


@contextlib.asynccontextmanager
async def instance(settings, postgres: str, topics: dict[str, str], name: str, group: str):
    read_model = SharedReadModel(PostgresStore(postgres, shared=True), SHARDS, owner=name, batch_size=50)
    projection = SharedProjection(read_model, client_options(settings), batch_size=50,
                                  topics=tuple(topics.values()), follow_seconds=0.05, group=group)
    stop = asyncio.Event()
    task = asyncio.create_task(projection.run(stop))
    try:
        yield read_model
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
        await read_model.store.close()


async def settled(*models: SharedReadModel, want: dict, timeout: float = 60) -> None:
    """Every instance answers ``want`` (each computes its shards; the others' sums arrive through the store)."""
    await eventually(lambda: all(answers(m.engine) == want for m in models), timeout=timeout)


async def test_two_instances_share_the_partitions_and_answer_exactly_as_one(kafka, tmp_path, postgres):
    settings = settings_for(IndicatorsSettings, kafka, tmp_path, read_model_url=postgres)
    events = recorded()
    topics = unique_topics()
    await create(settings, topics)
    first, rest = events[:180], events[180:]
    await publish(kafka[0], first, topics)
    group = f"indicators-{uuid.uuid4().hex[:8]}"  # the group's members are this test's instances only
    async with instance(settings, postgres, topics, "a", group) as a:
        async with instance(settings, postgres, topics, "b", group) as b:
            await caught_up(a, first, timeout=60)
            await caught_up(b, first, timeout=60)
            await eventually(lambda: a.assigned and b.assigned and not a.assigned & b.assigned
                             and a.assigned | b.assigned == set(range(SHARDS)), timeout=60)
            await settled(a, b, want=one_engine(first))
            assert a.engine.shards.owned and b.engine.shards.owned  # both compute: the work is shared
            await publish(kafka[0], rest, topics)
            await caught_up(a, events, timeout=60)
            await settled(a, b, want=one_engine(events))
            check_by_hand(a.engine)
            check_by_hand(b.engine)
            before = a.generation
            rebuilt = await rebuild(settings.model_copy(update={"shards": SHARDS}), topics=tuple(topics.values()))
            assert rebuilt.stored == len(events)  # a rebuild: both load the fresh store and compute their shards
            await eventually(lambda: a.generation == b.generation != before and a.loaded.is_set()
                             and b.loaded.is_set(), timeout=60)
            await settled(a, b, want=one_engine(events))
            store = PostgresStore(postgres, shared=True)
            await store.open()
            assert await store.count() == len(events)  # each fact once, whoever read its partition
            await store.close()
        # b stopped: a gets every partition and every shard, and computes the ones b left
        more = [dict(e, id=e["id"] + "-again") for e in events if e["type"].endswith("course_completed")][:5]
        await publish(kafka[0], more, topics)
        await eventually(lambda: a.assigned == set(range(SHARDS)), timeout=60)
        await caught_up(a, events + more, timeout=60)
        await settled(a, want=one_engine(events + more))


async def stored_facts(postgres: str) -> list[Record]:
    store = PostgresStore(postgres, shared=True)
    await store.open()
    try:
        return [record async for _, batch in store.facts(0) for record in batch]
    finally:
        await store.close()


async def http_answers(client, scopes: list[str]) -> dict:
    from tests.support.services import auth

    out = {}
    for scope in scopes:
        for d in DAYS:
            answer = await client.get("/api/v1/indicators", params={"scope": scope, "as_of": d.isoformat()},
                                      headers=auth())
            assert answer.status_code == 200, answer.text
            for row in answer.json()["indicators"]:
                out[(scope, d, row["code"])] = (row["numerator"], row["denominator"], row["value"])
    return out


async def test_two_services_answer_over_http_what_one_engine_of_the_same_facts_answers_and_so_does_a_restart(
        kafka, tmp_path, postgres):
    from pedgrowth.indicators.bootstrap import build

    from tests.support.services import running

    scopes = ["region:rec-reg", "municipality:rec-mun-a", "municipality:rec-mun-b", "organization:rec-a1",
              "organization:rec-b2"]
    settings = settings_for(IndicatorsSettings, kafka, tmp_path, read_model_url=postgres, shards=SHARDS,
                            projection_batch_size=40, projection_group=f"indicators-{uuid.uuid4().hex[:8]}")
    events = recorded()
    topics = {service: f"{service}.events" for service in ("registry", "training", "mentoring", "indicators")}
    await create(settings, topics)
    await publish(kafka[0], events, topics)
    one, other = build(settings), build(settings.model_copy(update={"data_dir": tmp_path / "other"}))
    async with running(one) as a, running(other) as b:
        models = (one.state.read_model, other.state.read_model)
        for model in models:
            await caught_up(model, events, timeout=60)
        await eventually(lambda: all(m.engine.shards.owned for m in models)
                         and not models[0].engine.shards.owned & models[1].engine.shards.owned, timeout=60)

        async def same():
            facts = await stored_facts(postgres)
            engine = Engine()
            engine.apply(facts)
            want = answers(engine)
            return all(answers(m.engine) == want for m in models) and all(m.seq for m in models)
        await eventually(same, timeout=60)
        over_a, over_b = await http_answers(a, scopes), await http_answers(b, scopes)
        assert over_a == over_b
        for client, model in ((a, models[0]), (b, models[1])):  # what an operator on call watches
            metrics = (await client.get("/metrics")).text
            assert f"pedgrowth_projection_shards {float(len(model.engine.shards.owned))}" in metrics
            assert "pedgrowth_projection_log_lag 0.0" in metrics
        assert over_a[("municipality:rec-mun-a", date(2024, 12, 31), "training_coverage")][:2] == (14, 30)
    again = build(settings)
    async with running(again) as client:  # a restart alone: the facts indexed, the shards' sums kept
        model = again.state.read_model
        await eventually(lambda: model.engine.shards.owned == set(range(SHARDS)), timeout=60)
        assert await http_answers(client, scopes) == over_a


CRASHING = """
import asyncio, sys
from pedgrowth.indicators.projection.shared import SharedProjection, SharedReadModel
from pedgrowth.indicators.readmodel.sql import PostgresStore
url, bootstrap, group, topics = sys.argv[1], sys.argv[2], sys.argv[3], tuple(sys.argv[4].split(","))
read_model = SharedReadModel(PostgresStore(url, shared=True), int(sys.argv[5]), owner="crashing", batch_size=20)
options = {"bootstrap_servers": bootstrap, "session_timeout_ms": 2000, "heartbeat_interval_ms": 500}
asyncio.run(SharedProjection(read_model, options, batch_size=20, topics=topics, group=group,
                             follow_seconds=0.05).run(asyncio.Event()))
"""


async def test_an_instance_killed_mid_way_loses_nothing_the_other_takes_its_shards(kafka, tmp_path, postgres):
    import subprocess
    import sys

    import psycopg

    settings = settings_for(IndicatorsSettings, kafka, tmp_path, read_model_url=postgres)
    events = recorded()
    topics = unique_topics()
    await create(settings, topics)
    group = f"indicators-{uuid.uuid4().hex[:8]}"
    await publish(kafka[0], events[:120], topics)
    base, schema = postgres.split("?")[0], postgres.split("schema=")[1]

    def owners() -> set[str]:
        with psycopg.connect(base) as conn:
            try:
                return {row[0] for row in conn.execute(f'SELECT owner FROM "{schema}".rm_shard')}
            except psycopg.errors.UndefinedTable:
                return set()
    crashing = subprocess.Popen([sys.executable, "-c", CRASHING, postgres, kafka[0], group,
                                 ",".join(topics.values()), str(SHARDS)])
    try:
        async with instance(settings, postgres, topics, "a", group) as a:
            await eventually(lambda: owners() == {"a", "crashing"}, timeout=60)  # both compute
            await publish(kafka[0], events[120:200], topics)
            await asyncio.sleep(0.5)  # the killed one is mid-way through these
            crashing.kill()  # no goodbye to the group, a batch perhaps half done
            crashing.wait()
            await publish(kafka[0], events[200:], topics)
            await eventually(lambda: a.engine.shards.owned == set(range(SHARDS)), timeout=60)
            await caught_up(a, events, timeout=60)
            await settled(a, want=one_engine(events))
            assert owners() == {"a"}
            check_by_hand(a.engine)
    finally:
        if crashing.poll() is None:
            crashing.kill()
