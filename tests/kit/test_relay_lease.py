"""One relay per service publishes, however many replicas share a PostgreSQL store."""

from __future__ import annotations

import pytest

from pedgrowth.kit.lease import AlwaysHeld, PostgresLease, lease_for
from pedgrowth.kit.store import ensure_postgres_schema, eventsourcing_env
from pedgrowth.training.config import TrainingSettings

pytestmark = pytest.mark.postgres


@pytest.fixture
def env(postgres, tmp_path):
    env = eventsourcing_env(TrainingSettings(data_dir=tmp_path, database_url=postgres))
    ensure_postgres_schema(env)
    return env


def test_a_sqlite_store_always_has_its_relay_publish(tmp_path):
    assert isinstance(lease_for(eventsourcing_env(TrainingSettings(data_dir=tmp_path)), "training"), AlwaysHeld)


def test_only_one_replica_holds_the_lease_and_another_takes_over_when_it_goes(env):
    first, second = PostgresLease(env, "training", 0), PostgresLease(env, "training", 0)
    try:
        assert first.held() is True
        assert second.held() is False
        assert first.held() is True, "holding it is stable"
        first.release()
        assert second.held() is True
        assert first.held() is False
    finally:
        first.release()
        second.release()


def test_services_do_not_share_a_lease(env):
    training, mentoring = PostgresLease(env, "training", 0), PostgresLease(env, "mentoring", 0)
    try:
        assert training.held() and mentoring.held()
    finally:
        training.release()
        mentoring.release()


@pytest.mark.broker
async def test_two_replicas_on_one_store_publish_each_event_once(env, kafka, tmp_path):
    import asyncio

    from pedgrowth.contracts import TRAINING_EVENTS
    from pedgrowth.kit.kafka import ensure_topics, relay_producer
    from pedgrowth.kit.metrics import Metrics
    from pedgrowth.kit.relay import OutboxRelay
    from pedgrowth.training.application import TrainingApplication
    from pedgrowth.training.translation import to_contract
    from tests.kit.test_relay import record_providers
    from tests.support.kafka import read_topic
    from tests.support.services import settings_for

    settings = settings_for(TrainingSettings, kafka, tmp_path)
    await ensure_topics(settings, [TRAINING_EVENTS])
    apps = [TrainingApplication(env=env), TrainingApplication(env=env)]
    ids = record_providers(apps[0], 30)
    producers = [relay_producer(settings) for _ in apps]
    stop = asyncio.Event()
    for producer in producers:
        await producer.start()
    relays = [OutboxRelay(app, "training", to_contract, producer, Metrics(), batch_size=5, poll_seconds=0.02,
                          lease=PostgresLease(env, "training", 0.05)) for app, producer in zip(apps, producers)]
    tasks = [asyncio.create_task(relay.run(stop)) for relay in relays]
    try:
        records = await read_topic(kafka[0], TRAINING_EVENTS, timeout=30,
                                   until=lambda rs: set(ids) <= {r.key.decode() for r in rs if r.key})
        await asyncio.sleep(1.0)  # the other replica had its chance to repeat them
        records = await read_topic(kafka[0], TRAINING_EVENTS, timeout=5,
                                   until=lambda rs: set(ids) <= {r.key.decode() for r in rs if r.key})
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        for relay, producer, app in zip(relays, producers, apps):
            relay.lease.release()
            await producer.stop()
            app.close()
    mine = [r.key.decode() for r in records if r.key and r.key.decode() in ids]
    assert sorted(mine) == sorted(ids), "each event once: only the lease holder published"
