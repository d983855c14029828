"""One contract for every read-model store: SQLite, PostgreSQL, and MongoDB where one is reachable."""

import uuid

import pytest
from pedgrowth.indicators.readmodel.base import StoreReplaced, ValueRow
from pedgrowth.indicators.readmodel.factory import store_for

from tests.indicators.builders import course, hired, org

pytestmark = pytest.mark.postgres


@pytest.fixture(params=["sqlite", "postgres", "mongo"])
async def store(request, tmp_path):
    if request.param == "sqlite":
        made = store_for(None, tmp_path)
    elif request.param == "postgres":
        made = store_for(request.getfixturevalue("postgres"), tmp_path)
    else:
        url = request.getfixturevalue("mongo")
        made = store_for(f"{url.rstrip('/')}/t_{uuid.uuid4().hex[:10]}", tmp_path)
    await made.open()
    yield made
    if request.param == "mongo":
        await made.client.drop_database(made.database_name)
        await made.client.drop_database(f"{made.database_name}_rebuild")
    await made.close()


async def all_records(store):
    return [r async for batch in store.records(batch_size=2) for r in batch]


async def test_events_are_kept_once_with_their_data(store):
    records = [org(), hired("p-1", "2020-01-01", subjects=["физика"]), course("p-1", "2024-01-01")]
    await store.write(records, {("registry.events", 0): 2})
    await store.write(records[1:], {("registry.events", 0): 3})
    stored = await all_records(store)
    assert await store.count() == 3
    assert {(r.source, r.id, r.type, r.time) for r in stored} == {(r.source, r.id, r.type, r.time) for r in records}
    assert next(r for r in stored if r.kind == "employment_started").data == records[1].data


async def test_positions_are_written_with_the_batch(store):
    assert await store.positions() == {}
    await store.write([], {("registry.events", 0): 5, ("training.events", 2): 7})
    await store.write([], {("registry.events", 0): 9})
    assert await store.positions() == {("registry.events", 0): 9, ("training.events", 2): 7}


async def test_a_write_for_another_generation_is_refused(store):
    generation = await store.generation()
    await store.write([org()], {}, generation)
    with pytest.raises(StoreReplaced):
        await store.write([org("sch-2")], {}, "not-" + generation)
    assert await store.count() == 1


async def test_yearly_values_are_replaced_by_scope_indicator_and_year(store):
    row = ValueRow("municipality:mun-1", "training_coverage", 2024, "2024-12-31", 0.5, 1, 2, 0.6, "behind",
                   "2025-01-01T00:00:00+00:00", "municipality", "Мичуринск")
    await store.save_values([row, ValueRow(**{**row.__dict__, "year": 2023, "as_of": "2023-12-31"})])
    await store.save_values([ValueRow(**{**row.__dict__, "value": 0.75, "numerator": 3, "denominator": 4,
                                         "status": "met"})])
    values = await store.values("municipality:mun-1")
    assert [(v.year, v.value, v.status) for v in values] == [(2023, 0.5, "behind"), (2024, 0.75, "met")]
    assert await store.values("region:x") == []


async def test_a_fresh_store_promoted_replaces_the_live_one(store):
    await store.write([org()], {("registry.events", 0): 1})
    generation = await store.generation()
    fresh = store.fresh()
    await fresh.open()
    await fresh.write([org("sch-2"), org("sch-3")], {("registry.events", 0): 2})
    await fresh.promote()
    assert await store.generation() != generation
    with pytest.raises(StoreReplaced):
        await store.write([org("sch-4")], {}, generation)
    await store.close()
    await store.open()
    assert await store.count() == 2
    assert await store.positions() == {("registry.events", 0): 2}
    await fresh.close()


async def test_sums_are_written_with_the_batch_and_replaced_by_series_and_scope(store):
    from pedgrowth.indicators.readmodel.base import SumChanges, SumRow

    row = SumRow("training_coverage", '{"window":"rolling_3y"}', "num", "region:r", b"\x01\x00\x00\x00", b"\x02\x00\x00\x00")
    await store.write([org()], {}, None, SumChanges([("training_coverage", row.definition)], [row]))
    newer = SumRow(**{**{f: getattr(row, f) for f in row.__slots__}, "totals": b"\x03\x00\x00\x00"})
    await store.write([], {}, None, SumChanges([], [newer]))
    with pytest.raises(StoreReplaced):
        await store.write([org("sch-2")], {}, "stale", SumChanges([("x", "{}")], [SumRow("x", "{}", "den", "s", b"", b"")]))
    assert await store.series() == [("training_coverage", row.definition)]
    assert [r async for rows in store.sums() for r in rows] == [newer]
