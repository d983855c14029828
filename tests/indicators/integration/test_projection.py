"""The projection on the real broker: restart where the store stopped, metrics, a poison message."""

from __future__ import annotations

import pytest
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.indicators.projection.metrics import ProjectionMetrics
from pedgrowth.indicators.projection.readmodel import ReadModel
from pedgrowth.indicators.readmodel.sql import SqliteStore
from prometheus_client import CollectorRegistry

from tests.indicators.streams.replay import caught_up, create, projecting, publish, recorded, unique_topics
from tests.support.kafka import eventually, produce
from tests.support.services import settings_for

pytestmark = pytest.mark.broker


async def test_a_restarted_projection_carries_on_from_the_store_without_reading_again(kafka, tmp_path):
    settings = settings_for(IndicatorsSettings, kafka, tmp_path)
    events = recorded()
    topics = unique_topics()
    await create(settings, topics)
    await publish(kafka[0], events[:100], topics)
    first = ReadModel(SqliteStore(tmp_path / "rm.sqlite"))
    async with projecting(first, kafka[0], topics):
        await caught_up(first, events[:100])
    await publish(kafka[0], events[100:], topics)

    registry = CollectorRegistry()
    second = ReadModel(SqliteStore(tmp_path / "rm.sqlite"), ProjectionMetrics(registry))
    async with projecting(second, kafka[0], topics):
        await caught_up(second, events)
        await eventually(lambda: registry.get_sample_value("pedgrowth_projection_events_total",
                                                            {"outcome": "applied"}) == len(events) - 100)
        assert registry.get_sample_value("pedgrowth_projection_events_total", {"outcome": "duplicate"}) == 0
        assert await second.store.count() == len(events)


async def test_a_poison_message_is_skipped_and_counted(kafka, tmp_path):
    settings = settings_for(IndicatorsSettings, kafka, tmp_path)
    events = recorded()[:20]
    topics = unique_topics()
    await create(settings, topics)
    await produce(kafka[0], topics["registry"], [b"{not json", b'{"specversion": "1.0"}'])
    await publish(kafka[0], events, topics)
    registry = CollectorRegistry()
    read_model = ReadModel(SqliteStore(tmp_path / "rm.sqlite"), ProjectionMetrics(registry))
    async with projecting(read_model, kafka[0], topics) as projection:
        await caught_up(read_model, events)
        assert registry.get_sample_value("pedgrowth_projection_events_total", {"outcome": "ignored"}) == 2
        await eventually(lambda: projection.caught_up.is_set())
        lags = [registry.get_sample_value("pedgrowth_projection_lag", {"topic": tp.topic, "partition": str(tp.partition)})
                for tp in projection.partitions]
        assert lags and all(lag == 0 for lag in lags if lag is not None)


@pytest.mark.postgres
async def test_on_postgresql_the_stream_gives_the_hand_worked_numbers_and_a_rebuild_switches_over(
        kafka, tmp_path, postgres):
    from pedgrowth.indicators.readmodel.sql import PostgresStore
    from pedgrowth.indicators.rebuild import rebuild

    from tests.indicators.streams.test_recorded_stream import check_by_hand

    settings = settings_for(IndicatorsSettings, kafka, tmp_path, read_model_url=postgres)
    events = recorded()
    topics = unique_topics()
    await create(settings, topics)
    await publish(kafka[0], events, topics)
    live = ReadModel(PostgresStore(postgres))
    async with projecting(live, kafka[0], topics):
        await caught_up(live, events)
        check_by_hand(live.engine)
        before = live.generation
        done = await rebuild(settings, topics=tuple(topics.values()))
        assert done.stored == len(events)
        await eventually(lambda: live.generation != before and live.loaded.is_set()
                         and live.engine.version == len(events))
        check_by_hand(live.engine)
    fresh = ReadModel(PostgresStore(postgres))
    await fresh.load()
    check_by_hand(fresh.engine)
    await fresh.store.close()


async def test_after_the_broker_lost_its_log_a_republished_history_is_read_again_and_nothing_new_is_skipped(tmp_path):
    """The old log had repeats (a relay crash); the republished one has none, so its offsets differ."""
    from tests.support.infra import Tansu, free_port

    events = recorded()
    old, new = events[:100], events[100:150]
    tansu = Tansu(free_port()).start()
    try:
        settings = settings_for(IndicatorsSettings, (tansu.bootstrap, "tansu", False), tmp_path)
        topics = unique_topics()
        await create(settings, topics)
        await publish(tansu.bootstrap, old + old[:40], topics)  # the repeats a relay crash leaves behind
        first = ReadModel(SqliteStore(tmp_path / "rm.sqlite"))
        async with projecting(first, tansu.bootstrap, topics) as projection:
            await caught_up(first, old)
            await eventually(projection.caught_up.is_set)  # the repeats read too: positions at the old ends
        tansu.restart()
        await create(settings, topics)
        await publish(tansu.bootstrap, old + new, topics)  # the history once, then new events
        second = ReadModel(SqliteStore(tmp_path / "rm.sqlite"))
        async with projecting(second, tansu.bootstrap, topics):
            await caught_up(second, old + new)
    finally:
        tansu.stop()
