"""Several indicators instances sharing the bus's partitions and one PostgreSQL store (INDICATORS_SHARDS).

The instances form one Kafka consumer group (``indicators``): each reads the partitions the group
assigns it and adds their new facts to the store's fact log (``rm_event``, in ``seq`` order), with the
positions after them. Every instance follows that whole log, so each indexes every fact; but it computes
only the entities of the shards its partitions give it (``shards_of_partitions``) and writes those shards'
sums (``rm_shard_sum``). The sums of the other shards it reads back from the store in the order they were
written, and answers any scope from the total. When the partitions move, a shard's new owner takes it
over in the store (its last owner's next write fails) and either keeps its sums (they are of exactly
the facts it holds) or computes them again from its facts. No protocol of our own: Kafka's group says who
owns what, PostgreSQL's row locks say who may write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor as RoundRobin
from pedgrowth.kit.backoff import Backoff
from pedgrowth.kit.kafka import topic_partitions

from ..engine import Engine
from ..engine.shards import Shards, ShardStep, shards_of_partitions
from ..engine.sums import Step
from ..indicators.answers import Answers
from ..readmodel.base import ShardSumRow, StoreReplaced, SumRow
from ..readmodel.sql import PostgresStore
from ..records import Record
from .consumer import Projection
from .readmodel import ReadModel, definitions, stored_variants

log = logging.getLogger(__name__)


def shard_step(found: ShardSumRow) -> ShardStep:
    row = found.row
    return ShardStep(found.shard, row.indicator, row.definition, row.part, row.scope,
                     Step.from_bytes(row.days, row.totals))


class SharedReadModel(ReadModel):
    """One of several instances sharing a PostgreSQL store: the whole fact log indexed, the owned shards
    computed, the others' sums taken from the store."""

    def __init__(self, store: PostgresStore, shards: int, metrics=None, survey_names: dict | None = None,
                 owner: str | None = None, batch_size: int = 2000):
        super().__init__(store, metrics, survey_names)
        self.count = shards
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.batch_size = batch_size
        self.engine = Engine(Shards(shards))
        self.answers = Answers(self.engine, survey_names=self.survey_names)
        self.seq = 0  # the last fact of the log the engine holds
        self.version = 0  # the last shard row taken from the store
        self.assigned: frozenset[int] = frozenset()  # the shards this instance's partitions give it

    async def load(self) -> int:
        """Index every fact of the log and install every shard's sums (nothing computed); the shards to
        compute are taken by ``follow``."""
        self.loaded.clear()
        if self.store.conn is None:
            await self.store.open()
        self.generation = await self.store.generation()
        self.positions = await self.store.positions()
        engine = Engine(Shards(self.count))
        upto = await self.store.last_seq()
        variants = stored_variants(await self.store.shard_series())
        steps, version = [], 0
        async for version, page in self.store.shard_rows(0):
            steps += [shard_step(found) for found in page]
        await asyncio.to_thread(engine.restore_shards, variants, steps)
        del steps
        loader, count = engine.loader(facts_only=True), 0
        async for _, batch in self.store.facts(0, upto):
            await asyncio.to_thread(loader.feed, batch)
            count += len(batch)
        await asyncio.to_thread(loader.finish)
        await asyncio.to_thread(engine.build_local)  # the organisations' inputs, from every person and vacancy
        self.engine, self.seq, self.version = engine, upto, version
        self.answers = Answers(engine, survey_names=self.survey_names)
        self.writing = self.applied_since_load = False
        self.answering.set()
        self.metrics.held.set(count)
        self.loaded.set()
        log.info("read model %s: %d facts loaded (shared, %d shards)", self.store.location, count, self.count)
        return count

    async def add(self, records: list[Record], positions: dict[tuple[str, int], int]) -> int:
        """The partitions' new facts into the shared log, with the positions after them."""
        await self.store.ingest(records, positions, self.generation)
        if positions:
            self.positions = {**self.positions, **positions}
        return len(records)

    def is_new(self, record) -> bool:
        return self.engine.is_new(record)  # a fact still on its way through the log is stored once anyway

    async def follow(self) -> bool:
        """One step: take the shards assigned (let go of the others), apply the next facts of the log, take
        the sums the others wrote. Whether a fact was applied."""
        await self.take_assigned()
        applied = False
        async for seq, batch in self.store.facts(self.seq, batch_size=self.batch_size):
            await self.apply_facts(seq, batch)
            applied = True
            break
        await self.take_steps()
        # idle: the log holds nothing after seq; else one look at its end (not a query every idle poll)
        self.metrics.log_lag.set(max(0, await self.store.last_seq() - self.seq) if applied else 0)
        self.metrics.shards.set(len(self.engine.shards.owned))
        return applied

    async def apply_facts(self, seq: int, batch: list[Record]) -> None:
        engine, store, owner, generation = self.engine, self.store, self.owner, self.generation
        persist = None
        if engine.shards.owned:
            def persist(changes) -> None:
                key = definitions()
                rows = {shard: [SumRow(spec.indicator.code, key(spec), part, scope, *step.to_bytes())
                                for spec, part, scope, step in steps] for shard, steps in changes.shards.items()}
                series = {shard: [(spec.indicator.code, key(spec)) for spec in changes.specs]
                          for shard in changes.shards}
                store.write_shards_now(owner, seq, rows, series, generation=generation)
                changes.saved()
        try:
            await asyncio.to_thread(engine.apply, batch, persist)
        except BaseException:
            if engine.broken:
                self.loaded.clear()  # loaded again before anything goes on
            raise
        self.seq = seq
        self.metrics.held.inc(len(batch))

    async def take_steps(self) -> int:
        """The steps the other instances wrote since the last look, into the engine."""
        taken = 0
        async for version, page in self.store.shard_rows(self.version):
            taken += await asyncio.to_thread(self.engine.take_steps, [shard_step(found) for found in page])
            self.version = version
        return taken

    async def take_assigned(self) -> None:
        engine = self.engine
        lost = engine.shards.owned - self.assigned
        if lost:
            await asyncio.to_thread(engine.disown, lost)
            log.info("projection: shards %s are another instance's now", sorted(lost))
        for shard in sorted(self.assigned - engine.shards.owned):
            seq, series = await self.store.claim_shard(shard, self.owner)
            await self.take_steps()  # every step its last owner wrote
            held = set(series)
            adopt = seq == self.seq and all((s.indicator.code, s.variant.key()) in held for s in engine.specs())
            steps = await asyncio.to_thread(engine.own, shard, adopt)
            if not adopt:
                rows = [SumRow(spec.indicator.code, spec.variant.key(), part, scope, *step.to_bytes())
                        for spec, part, scope, step in steps]
                listed = [(spec.indicator.code, spec.variant.key()) for spec in engine.specs()]
                await asyncio.to_thread(self.store.write_shards_now, self.owner, self.seq, {shard: rows},
                                        {shard: listed}, {shard}, self.generation)
            log.info("projection: shard %d taken (%s)", shard, "kept" if adopt else "computed again")


class Assignment(ConsumerRebalanceListener):
    """Kafka's group decides which partitions are this instance's: their stored positions, their shards."""

    def __init__(self, projection: SharedProjection, consumer: AIOKafkaConsumer):
        self.projection, self.consumer = projection, consumer

    async def on_partitions_revoked(self, revoked) -> None:
        pass  # the shards stay this instance's until a new assignment says otherwise (their new owner fences)

    async def on_partitions_assigned(self, assigned) -> None:
        await self.projection.assigned(self.consumer, set(assigned))


class SharedProjection(Projection):
    """The projection of one instance among several: its partitions into the shared log, the whole log
    into its engine."""

    rm: SharedReadModel

    def __init__(self, read_model: SharedReadModel, bootstrap, batch_size: int = 2000, follow_seconds: float = 0.1,
                 **kwargs):
        super().__init__(read_model, bootstrap, batch_size, **kwargs)
        self.follow_seconds = follow_seconds
        self.all_partitions: list[TopicPartition] = []

    consumer_options = {"partition_assignment_strategy": (RoundRobin,)}

    async def run(self, stop: asyncio.Event) -> None:
        follower = asyncio.create_task(self.follow(stop))
        try:
            await super().run(stop)
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower

    async def loaded(self) -> None:
        await self.rm.loaded.wait()  # the follower loads the store

    async def assign(self, consumer: AIOKafkaConsumer) -> None:
        """Join the group: which partitions are this instance's is Kafka's to say (``Assignment``)."""
        self.all_partitions = []
        for topic in self.topics:
            found = await topic_partitions(consumer, topic)
            self.all_partitions += [TopicPartition(topic, p) for p in sorted(found)]
        consumer.subscribe(list(self.topics), listener=Assignment(self, consumer))

    async def assigned(self, consumer: AIOKafkaConsumer, assigned: set[TopicPartition]) -> None:
        """Seek the partitions assigned to the store's positions; their shards become this instance's."""
        self.partitions = sorted(assigned)
        stored = {}
        for _ in range(30):  # the follower may be (re)loading the store: wait for it, then read the positions
            try:
                await asyncio.wait_for(self.rm.loaded.wait(), 10)
                stored = await self.rm.store.positions()
                break
            except Exception as error:  # noqa: BLE001 - a partition without a position is read from its start
                log.warning("projection: cannot read the stored positions yet: %r", error)
                await asyncio.sleep(1)
        starts = await consumer.beginning_offsets(self.partitions) if self.partitions else {}
        for tp in self.partitions:
            consumer.seek(tp, stored.get((tp.topic, tp.partition), starts[tp]))
        everything = {(tp.topic, tp.partition) for tp in self.all_partitions} | {(tp.topic, tp.partition)
                                                                                  for tp in assigned}
        self.rm.assigned = shards_of_partitions(self.rm.count, sorted(everything),
                                                {(tp.topic, tp.partition) for tp in assigned})
        log.info("projection: partitions %s, shards %s", [f"{tp.topic}/{tp.partition}" for tp in self.partitions],
                 sorted(self.rm.assigned))

    async def seek(self, consumer: AIOKafkaConsumer) -> None:
        await self.assigned(consumer, set(self.partitions))  # the same partitions, the store's positions

    async def switch_over(self, consumer: AIOKafkaConsumer) -> None:
        """A rebuild replaced the store: the follower loads it; then read on from its positions."""
        self.rm.loaded.clear()
        await self.rm.loaded.wait()
        await self.seek(consumer)

    async def check_log(self, consumer: AIOKafkaConsumer) -> None:
        pass  # a production broker (Apache Kafka) keeps its log; the embedded one runs one instance

    async def follow(self, stop: asyncio.Event) -> None:
        """Apply the shared log and take the others' sums, until ``stop``; a lost shard or a rebuilt store
        loads the store again."""
        backoff = Backoff()
        while not stop.is_set():
            try:
                if not self.rm.loaded.is_set():
                    await self.rm.load()
                if not await self.rm.follow():
                    await asyncio.sleep(self.follow_seconds)
                backoff.succeeded()
            except asyncio.CancelledError:
                raise
            except StoreReplaced as replaced:
                log.info("projection: %s; loading the store again", replaced)
                self.rm.loaded.clear()
            except Exception as error:  # noqa: BLE001 - outlives store outages
                log.warning("projection: following the shared log: %r; retrying", error)
                self.rm.loaded.clear()
                with contextlib.suppress(Exception):
                    await self.rm.store.close()  # opened afresh by the next load
                await backoff.failed(stop)
