"""A restart loads the sums the store kept with each batch: nothing is recomputed and every answer is
the same, on SQLite and PostgreSQL. A store written before the sums were kept is computed once."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from pedgrowth.contracts import decode
from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.definitions import BY_CODE
from pedgrowth.indicators.engine import Engine
from pedgrowth.indicators.projection.readmodel import ReadModel
from pedgrowth.indicators.readmodel.base import StoreReplaced
from pedgrowth.indicators.readmodel.factory import store_for
from pedgrowth.indicators.records import Record

from tests.indicators.streams.replay import recorded
from tests.indicators.streams.test_recorded_stream import DATES, SCOPES, check_by_hand, everything

pytestmark = pytest.mark.postgres

TEACHERS = BY_CODE["training_coverage"].default.choose({"population": "teachers", "window": "rolling_1y"})


@pytest.fixture(params=["sqlite", "postgres", "mongo"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rm.sqlite'}"
    if request.param == "postgres":
        return request.getfixturevalue("postgres")
    return f"{request.getfixturevalue('mongo').rstrip('/')}/t_{uuid.uuid4().hex[:10]}"


def records() -> list[Record]:
    return [Record.from_fact(decode(e)) for e in recorded()]


def answers(engine: Engine) -> dict:
    """Defaults (SPEC §4), the plans' variants, and a variant a request built."""
    found = everything(engine)
    for scope in SCOPES:
        for d in DATES:
            where = Scope.parse(scope)
            found[("plan", scope, d)] = [(n.indicator.code, n.variant, n.numerator, n.denominator)
                                         for n in engine.all_numbers(where, d)]
            n = engine.numbers(where, d, BY_CODE["training_coverage"], TEACHERS)
            found[("teachers", scope, d)] = (n.numerator, n.denominator)
    return found


async def feed(read_model: ReadModel, batch: list[Record], offset: int) -> int:
    return await read_model.add(batch, {("registry.events", 0): offset})


async def test_a_restarted_read_model_loads_the_sums_computes_nothing_and_answers_as_before(url, tmp_path):
    events = records()
    live = ReadModel(store_for(url, tmp_path))
    await live.load()
    for i in range(0, 200, 50):
        await feed(live, events[i:i + 50], i + 50)
    live.engine.spec(BY_CODE["training_coverage"], TEACHERS)  # a request builds a variant between batches
    await feed(live, events[200:250], 250)
    before = answers(live.engine)

    again = ReadModel(store_for(url, tmp_path))
    await again.load()
    assert again.engine.evaluations == 0  # every number came from the stored sums
    assert again.engine.version == live.engine.version == await live.store.count()
    assert answers(again.engine) == before

    # the facts were indexed too: the rest of the stream gives what one engine fed everything gives
    await feed(again, events[250:], len(events))
    await feed(live, events[250:], len(events))
    whole = Engine()
    whole.apply(events)
    whole.spec(BY_CODE["training_coverage"], TEACHERS)
    check_by_hand(again.engine)
    assert answers(again.engine) == answers(whole) == answers(live.engine)
    for rm in (live, again):
        await rm.store.close()


async def test_a_store_without_sums_is_computed_once_and_then_loads_them(url, tmp_path):
    events = records()
    old = store_for(url, tmp_path)
    await old.open()
    await old.write(events, {("registry.events", 0): len(events)})  # as the projection wrote before the sums
    await old.close()

    first = ReadModel(store_for(url, tmp_path))
    await first.load()
    assert first.engine.evaluations > 0
    check_by_hand(first.engine)
    second = ReadModel(store_for(url, tmp_path))
    await second.load()
    assert second.engine.evaluations == 0
    assert answers(second.engine) == answers(first.engine)
    for rm in (first, second):
        await rm.store.close()


async def test_a_batch_the_store_refuses_is_never_published_and_the_read_model_loads_again(url, tmp_path):
    events = records()
    live = ReadModel(store_for(url, tmp_path))
    await live.load()
    await feed(live, events[:200], 200)
    before, engine = everything(live.engine), live.engine
    live.generation = "not-the-store's"  # as if a rebuild had replaced the store
    with pytest.raises(StoreReplaced):
        await feed(live, events[200:], len(events))
    assert everything(engine) == before  # readers never saw the batch
    assert engine.broken and not live.loaded.is_set()
    await live.load()
    assert live.engine.version == 200 and everything(live.engine) == before
    await live.store.close()


async def test_a_store_keeps_each_batch_s_changed_sums_with_it(url, tmp_path):
    events = records()
    live = ReadModel(store_for(url, tmp_path))
    await live.load()
    await feed(live, events, len(events))
    stored = {(r.indicator, r.definition, r.part, r.scope): r async for rows in live.store.sums() for r in rows}
    published = live.engine.sums.published()
    assert len(stored) == len(published) > 0
    spec = live.engine.spec(BY_CODE["training_coverage"], BY_CODE["training_coverage"].default)
    row = stored[("training_coverage", spec.variant.key(), "num", "municipality:rec-mun-a")]
    step = published[(spec.id, "num", "municipality:rec-mun-a")]
    assert (row.days, row.totals) == step.to_bytes()
    assert step.at(date(2024, 12, 31).toordinal()) == 14
    await live.store.close()


async def test_a_request_holding_the_loop_never_waits_forever_for_a_batch_being_written(url, tmp_path):
    """The batch's store write runs in the projection's thread, not on the loop the request holds."""
    import asyncio
    import threading

    events = records()
    live = ReadModel(store_for(url, tmp_path))
    await live.load()
    if not live.store.write_now([], {}):
        pytest.skip("this store writes on the event loop (an asynchronous client only)")
    writing, wait = threading.Event(), threading.Event()
    write = live.store._write

    def slow_write(*args):
        writing.set()
        wait.wait(5)
        return write(*args)

    live.store._write = slow_write
    batch = asyncio.ensure_future(feed(live, events, len(events)))
    while not writing.is_set():
        await asyncio.sleep(0.01)
    threading.Timer(0.2, wait.set).start()
    got = live.engine._write.acquire(timeout=10)  # on the loop, as a request taking the engine's lock would
    if got:
        live.engine._write.release()
    await batch  # (with the loop free again a write waiting for it finishes, so a failure is reported, not hung)
    assert got, "the batch's write waited for the event loop while holding the engine's lock"
    check_by_hand(live.engine)
    await live.store.close()


async def test_instances_sharing_a_store_write_through_one_of_them_and_the_next_one_loads_it_first(url, tmp_path):
    """Two instances at different offsets must never mix their sums in the store."""
    from pedgrowth.indicators.readmodel.base import WriterClaimed

    events = records()
    first, second = ReadModel(store_for(url, tmp_path)), ReadModel(store_for(url, tmp_path))
    await first.load()
    await second.load()
    await feed(first, events[:150], 150)  # the first to write holds the store's writer lock
    await feed(second, events[:100], 100)  # behind it: projects in memory only, writes nothing
    assert first.writing and not second.writing
    assert await second.store.positions() == {("registry.events", 0): 150}
    check = ReadModel(store_for(url, tmp_path))
    await check.load()
    assert check.engine.version == first.engine.version and everything(check.engine) == everything(first.engine)
    await check.store.close()

    await first.store.close()  # the writer stops
    with pytest.raises(WriterClaimed):  # the second takes over, but it applied batches the store does not know
        await feed(second, events[100:200], 200)
    await second.load()  # what the consumer does on WriterClaimed: load the store, seek to its offsets
    await feed(second, events[150:], len(events))
    assert second.writing
    whole = Engine()
    whole.apply(events)
    again = ReadModel(store_for(url, tmp_path))
    await again.load()
    assert again.engine.evaluations == 0
    assert everything(again.engine) == everything(whole) == everything(second.engine)
    for rm in (second, again):
        await rm.store.close()


async def test_an_indicator_the_store_holds_no_sums_of_is_computed_at_the_start_and_written_with_the_next_batch(
        url, tmp_path):
    """As after an upgrade that adds an indicator: only its series are computed, the others loaded."""
    events = records()
    live = ReadModel(store_for(url, tmp_path))
    await live.load()
    await feed(live, events[:200], 200)
    before = answers(live.engine)
    await live.store.close()
    store = store_for(url, tmp_path)
    await store.open()

    def forget() -> None:
        with store.transaction():
            for table in ("rm_series", "rm_sum"):
                store.conn.execute(store.sql(f"DELETE FROM {table} WHERE indicator = ?"), ("category_share",))
    await store._run(forget)
    await store.close()

    again = ReadModel(store_for(url, tmp_path))
    await again.load()
    assert 0 < again.engine.evaluations < live.engine.evaluations
    assert answers(again.engine) == before
    await feed(again, events[200:], len(events))
    last = ReadModel(store_for(url, tmp_path))
    await last.load()
    assert last.engine.evaluations == 0 and answers(last.engine) == answers(again.engine)
    for rm in (again, last):
        await rm.store.close()
