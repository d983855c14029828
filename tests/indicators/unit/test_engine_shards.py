"""Sharded engines: instances that each compute the entities of their shards and take the others' steps
from the store answer exactly what one engine computing everything answers — on random streams, any
batching, ad hoc variants, and when a shard changes hands (kept, or computed again)."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.definitions import INDICATORS
from pedgrowth.indicators.engine import Engine
from pedgrowth.indicators.definitions import Variant
from pedgrowth.indicators.engine.shards import Shards, ShardStep, shards_of_partitions

from tests.indicators.unit.test_engine_properties import SCOPES, days, streams, variants

SHARDS = 4


class Store:
    """What the shared store holds of the shards: (shard, code, definition, part, scope) → step, in the order
    written, so each instance takes what the others wrote since it last looked."""

    def __init__(self):
        self.log: list[tuple] = []

    def persist(self, changes) -> None:
        for shard, steps in changes.shards.items():
            self.write(shard, steps)
        changes.saved()

    def write(self, shard: int, steps) -> None:
        for spec, part, scope, step in steps:
            self.log.append(ShardStep(shard, spec.indicator.code, spec.variant.key(), part, scope, step))


def sharded(owned: list[set[int]]) -> list[Engine]:
    return [Engine(Shards(SHARDS, frozenset(o))) for o in owned]


def settle(engines: list[Engine], store: Store, seen: list[int]) -> None:
    for i, engine in enumerate(engines):
        engine.take_steps(store.log[seen[i]:])
        seen[i] = len(store.log)


def answers(engine: Engine, chosen: dict, d: date) -> list:
    out = []
    for scope in SCOPES:
        s = Scope.parse(scope)
        for indicator in INDICATORS:
            n = engine.numbers(s, d, indicator, chosen.get(indicator.code, indicator.default))
            out.append((scope, indicator.code, n.numerator, n.denominator))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(events=streams(), data=st.data())
def test_sharded_instances_answer_what_one_engine_answers(events, data):
    order = data.draw(st.permutations(range(len(events))))
    stream = [events[i] for i in order]
    cuts = sorted({0, len(stream), *data.draw(st.lists(st.integers(0, len(stream)), max_size=4))})
    one = Engine()
    engines, store = sharded([{0, 1}, {2}, {3}]), Store()
    seen = [0] * len(engines)
    move = data.draw(st.integers(0, len(cuts) - 1))
    adopt = data.draw(st.booleans())
    for n, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False)):
        one.apply(stream[a:b])
        for engine in engines:
            engine.apply(stream[a:b], store.persist)
        settle(engines, store, seen)
        if n == move:  # shard 2 changes hands: all engines are at the same facts, so adopting is exact
            engines[1].disown({2})
            store.write(2, engines[2].own(2, adopt))
            settle(engines, store, seen)
    chosen = data.draw(variants())
    d = data.draw(days)
    want = answers(one, chosen, d)
    for engine in engines:
        assert answers(engine, chosen, d) == want


def test_an_instance_taking_a_shard_late_computes_it_again():
    """The owner of a shard stopped writing it two batches ago (it died): the new owner, whose facts are
    further on, computes the shard again from its facts and the total is right."""
    from tests.indicators.builders import hired, left, org

    stream = [org("o1", "m1", "r1"), org("o2", "m1", "r1")]
    stream += [hired(f"p{i}", "2020-09-01", "o1" if i % 2 else "o2") for i in range(40)]
    later = [left(f"p{i}", "2023-06-30", "o1" if i % 2 else "o2") for i in range(0, 40, 3)]
    one = Engine()
    one.apply(stream)
    one.apply(later)
    a, b = sharded([{0, 1}, {2, 3}])
    store, seen = Store(), [0, 0]
    for engine in (a, b):
        engine.apply(stream, store.persist)
    settle([a, b], store, seen)
    a.apply(later, store.persist)  # b has died before it got these
    settle([a], store, seen[:1])
    a.disown(set())
    for shard in (2, 3):
        a.own(shard, adopt=False)
    for scope in ("organization:o1", "municipality:m1", "region:r1"):
        for indicator in INDICATORS:
            d = date(2024, 1, 1)
            got = a.numbers(Scope.parse(scope), d, indicator, indicator.default)
            want = one.numbers(Scope.parse(scope), d, indicator, indicator.default)
            assert (got.numerator, got.denominator) == (want.numerator, want.denominator), (scope, indicator.code)
    assert a.numbers(Scope.parse("region:r1"), date(2024, 1, 1), INDICATORS[0], INDICATORS[0].default)


def test_shards_follow_the_partitions():
    partitions = [("a.events", 0), ("b.events", 0), ("c.events", 0)]
    assert shards_of_partitions(6, partitions, {("a.events", 0)}) == {0, 3}
    assert shards_of_partitions(6, partitions, {("b.events", 0), ("c.events", 0)}) == {1, 2, 4, 5}
    assert shards_of_partitions(6, partitions, set()) == frozenset()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(events=streams(), data=st.data())
def test_an_instance_loaded_from_the_store_carries_on_exactly(events, data):
    """A start: every shard's sums installed, the facts indexed without computing, the organisations'
    inputs built, the shards kept; then more events — the same answers as one engine."""
    order = data.draw(st.permutations(range(len(events))))
    stream = [events[i] for i in order]
    cut = data.draw(st.integers(0, len(stream)))
    one = Engine()
    one.apply(stream[:cut])
    one.apply(stream[cut:])
    before, store = sharded([{0, 1}, {2, 3}]), Store()
    for engine in before:
        engine.apply(stream[:cut], store.persist)
    latest = {}
    for found in store.log:  # the store keeps each shard's last step of a series
        latest[(found.shard, found.indicator, found.definition, found.part, found.scope)] = found
    restarted = Engine(Shards(SHARDS))
    restarted.restore_shards({(f.indicator, f.definition): Variant.from_key(f.definition) for f in latest.values()},
                             latest.values())
    loader = restarted.loader(facts_only=True)
    loader.feed(stream[:cut])
    loader.finish()
    restarted.build_local()
    for shard in range(SHARDS):
        restarted.own(shard, adopt=True)
    restarted.apply(stream[cut:], Store().persist)
    d = data.draw(days)
    assert answers(restarted, {}, d) == answers(one, {}, d)
