"""The outbox relay on the real broker: order, restart mid-stream, a broker that comes back empty."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from pedgrowth.contracts import TRAINING_EVENTS, decode, new_event
from pedgrowth.contracts.training import ProviderRegistered
from pedgrowth.kit.kafka import ensure_topics, relay_producer
from pedgrowth.kit.metrics import Metrics
from pedgrowth.kit.relay import OutboxRelay
from pedgrowth.kit.store import eventsourcing_env
from pedgrowth.training.application import TrainingApplication
from pedgrowth.training.config import TrainingSettings
from pedgrowth.training.translation import to_contract
from tests.support import infra
from tests.support.kafka import read_topic
from tests.support.services import settings_for

pytestmark = pytest.mark.broker


def record_providers(app: TrainingApplication, count: int) -> list[str]:
    """Record ``count`` providers as if they came through the inbox; returns their ids."""
    ids = []
    for _ in range(count):
        data = ProviderRegistered(provider_id=f"prov-{uuid.uuid4().hex[:8]}", name="ИРО", kind="other")
        app.record(decode(new_event(data, source="/test")))
        ids.append(data.provider_id)
    return ids


async def run_relay_for(settings, app, stop_after_batches: int | None) -> OutboxRelay:
    """Run a relay until it has published ``stop_after_batches`` batches (or caught up)."""
    producer = relay_producer(settings)
    await producer.start()
    relay = OutboxRelay(app, "training", to_contract, producer, Metrics(), batch_size=7, poll_seconds=0.02)
    try:
        position = await asyncio.to_thread(relay.position)
        batches = 0
        while stop_after_batches is None or batches < stop_after_batches:
            new = await relay.publish_after(position, track=True)
            if new is None:
                break
            position, batches = new, batches + 1
    finally:
        await producer.stop()
    return relay


@pytest.fixture
def training_store(kafka, tmp_path):
    settings = settings_for(TrainingSettings, kafka, tmp_path)
    app = TrainingApplication(env=eventsourcing_env(settings))
    yield settings, app
    app.close()


async def test_relay_restart_mid_stream_loses_nothing(training_store):
    settings, app = training_store
    await ensure_topics(settings, [TRAINING_EVENTS])
    ids = record_providers(app, 60)
    first = await run_relay_for(settings, app, stop_after_batches=3)
    assert 0 < await asyncio.to_thread(first.position) < await asyncio.to_thread(app.recorder.max_notification_id)
    await run_relay_for(settings, app, stop_after_batches=None)
    records = await read_topic(settings.kafka_bootstrap_servers, TRAINING_EVENTS, timeout=30,
                               until=lambda rs: set(ids) <= {r.key.decode() for r in rs})
    subjects = [decode(r.value).envelope.subject for r in records]
    assert set(ids) <= set(subjects)


async def test_relay_publishes_each_subject_in_recorded_order_with_stable_ids(training_store):
    settings, app = training_store
    await ensure_topics(settings, [TRAINING_EVENTS])
    ids = record_providers(app, 5)
    await run_relay_for(settings, app, stop_after_batches=None)
    records = await read_topic(settings.kafka_bootstrap_servers, TRAINING_EVENTS, timeout=30,
                               until=lambda rs: set(ids) <= {r.key.decode() for r in rs})
    mine = [r for r in records if r.key.decode() in ids]
    assert sorted(r.key.decode() for r in mine) == sorted(ids)
    assert all(decode(r.value).envelope.source == "/pedgrowth/training" for r in mine)
    assert len({decode(r.value).envelope.id for r in mine}) == len(ids)


async def test_service_republishes_history_to_a_broker_that_came_back_empty(tmp_path):
    from pedgrowth.training.bootstrap import build
    from tests.support.services import running

    tansu = infra.Tansu(infra.free_port()).start()
    try:
        settings = settings_for(TrainingSettings, (tansu.bootstrap, "tansu", False), tmp_path)
        app = TrainingApplication(env=eventsourcing_env(settings))
        ids = record_providers(app, 4)
        async with running(build(settings, application=app)):
            before = await read_topic(tansu.bootstrap, TRAINING_EVENTS, expect=4, timeout=30)
        tansu.restart()
        app = TrainingApplication(env=eventsourcing_env(settings))
        async with running(build(settings, application=app)):
            after = await read_topic(tansu.bootstrap, TRAINING_EVENTS, expect=4, timeout=30)
    finally:
        tansu.stop()
    assert {r.key.decode() for r in before} == set(ids)
    assert {r.key.decode() for r in after} == set(ids)


async def test_a_start_republishes_when_the_topic_holds_less_than_was_acknowledged_though_not_nothing(tmp_path):
    """The broker lost the log while the service was down, and something was written since (so not empty)."""
    from pedgrowth.training.bootstrap import build
    from tests.support.kafka import produce
    from tests.support.services import running

    tansu = infra.Tansu(infra.free_port()).start()
    try:
        settings = settings_for(TrainingSettings, (tansu.bootstrap, "tansu", False), tmp_path)
        app = TrainingApplication(env=eventsourcing_env(settings))
        ids = record_providers(app, 12)
        async with running(build(settings, application=app)):
            await read_topic(tansu.bootstrap, TRAINING_EVENTS, expect=12, timeout=30)
        tansu.restart()
        await ensure_topics(settings, [TRAINING_EVENTS])
        stray = ProviderRegistered(provider_id="prov-stray", name="ИРО", kind="other")
        await produce(tansu.bootstrap, TRAINING_EVENTS, [new_event(stray, source="/pedgrowth/training").to_bytes()])
        app = TrainingApplication(env=eventsourcing_env(settings))
        async with running(build(settings, application=app)):
            after = await read_topic(tansu.bootstrap, TRAINING_EVENTS, timeout=30,
                                     until=lambda rs: set(ids) <= {r.key.decode() for r in rs})
    finally:
        tansu.stop()
    assert set(ids) <= {r.key.decode() for r in after}


async def test_the_relay_decodes_only_what_it_publishes_and_moves_past_receipts(training_store):
    """Receipts (one per recorded fact) are skipped unread; the position still reaches the log's head."""
    from eventsourcing.utils import get_topic

    from pedgrowth.training.domain.catalogue import Provider

    settings, app = training_store
    await ensure_topics(settings, [TRAINING_EVENTS])
    ids = record_providers(app, 10)
    decoded: list[str] = []
    to_domain_event = app.mapper.to_domain_event
    app.mapper.to_domain_event = lambda n: decoded.append(n.topic) or to_domain_event(n)
    relay = await run_relay_for(settings, app, stop_after_batches=None)
    head = await asyncio.to_thread(app.recorder.max_notification_id)
    assert head >= 20  # a receipt beside each provider
    assert await asyncio.to_thread(relay.position) == head
    assert decoded == [get_topic(Provider.Registered)] * 10
    records = await read_topic(settings.kafka_bootstrap_servers, TRAINING_EVENTS, timeout=30,
                               until=lambda rs: set(ids) <= {r.key.decode() for r in rs})
    assert sorted(r.key.decode() for r in records if r.key.decode() in ids) == sorted(ids)


def backlog(relay: OutboxRelay) -> float:
    return relay.metrics.registry.get_sample_value("pedgrowth_relay_backlog", {"service": "training"})


async def test_the_backlog_counts_the_contract_events_to_publish_not_the_receipts(training_store):
    """10 providers are 10 contract events and 10 receipts: after a batch of 3, 7 wait; once caught up, none."""
    settings, app = training_store
    await ensure_topics(settings, [TRAINING_EVENTS])
    record_providers(app, 10)
    producer = relay_producer(settings)
    await producer.start()
    relay = OutboxRelay(app, "training", to_contract, producer, Metrics(), batch_size=3, poll_seconds=0.02)
    try:
        position = await relay.publish_after(0, track=True)
        assert backlog(relay) == 7, "the receipts are never published: no backlog"
        while position is not None:
            position = await relay.publish_after(position, track=True)
    finally:
        await producer.stop()
    assert backlog(relay) == 0


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_the_count_of_notifications_to_publish_skips_other_topics(store, tmp_path, request):
    from pedgrowth.kit.recording import count_notifications
    from pedgrowth.kit.store import ensure_postgres_schema

    url = request.getfixturevalue("postgres") if store == "postgres" else None
    env = eventsourcing_env(TrainingSettings(data_dir=tmp_path, database_url=url))
    if url:
        ensure_postgres_schema(env)
    app = TrainingApplication(env=env)
    try:
        record_providers(app, 6)
        head = app.recorder.max_notification_id()
        topics = to_contract.topics
        assert head >= 12 and count_notifications(app.recorder, 0, head, topics) == 6
        published = app.recorder.select_notifications(1, 4, head, topics)
        assert count_notifications(app.recorder, published[-1].id, head, topics) == 2
        assert count_notifications(app.recorder, head, head, topics) == 0
    finally:
        app.close()
