"""The projection consumer: reads the four *.events topics in batches and applies them.

At-least-once: a batch is applied to the engine and written to the store together with the
offsets after it and the sums it changed, in one transaction; only then is it published to
readers and committed to the consumer group. On start
(and after a rebuild replaced the store) reading resumes at the offsets the store holds,
so the store never misses an event and duplicates are recognised by (source, id).
Every instance reads every partition (the index must see all facts); the group
`indicators` is where the offsets are committed, for operators' lag tooling.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata
from pedgrowth.contracts import EVENT_MODELS, PROJECTION_GROUP, PROJECTION_TOPICS, ContractViolation
from pedgrowth.kit.backoff import Backoff
from pedgrowth.kit.kafka import as_client_options, topic_partitions
from pydantic import ValidationError

from ..records import Record
from ..readmodel.base import StoreReplaced
from .readmodel import ReadModel

log = logging.getLogger(__name__)


def read_event(value: bytes) -> Record:
    """A record from a message of a *.events topic, its data checked against the contract model.

    The owning service validated and canonicalised every event before publishing it, so this
    checks the envelope's attributes and validates ``data`` with the same model ``decode`` uses,
    without rebuilding the envelope (that would cost more than everything else the projection does).
    """
    try:
        event = json.loads(value)
        model = EVENT_MODELS[event["type"]]
        if event.get("specversion") != "1.0" or not event["id"] or not event["source"]:
            raise ContractViolation("schema", "not a CloudEvent 1.0", "specversion")
        time_ = datetime.fromisoformat(event["time"])
        if time_.tzinfo is None:
            raise ContractViolation("schema", "time has no offset", "time")
        model.model_validate(event["data"])
    except ContractViolation:
        raise
    except ValidationError as error:
        raise ContractViolation("schema", str(error).splitlines()[0], "data") from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ContractViolation("schema", f"not a pedgrowth event: {error!r}") from None
    return Record(event["source"], event["id"], event["type"], time_.astimezone(UTC).isoformat(), event["data"])


def to_records(messages) -> tuple[list[Record], int]:
    """Decode Kafka messages into records; undecodable ones are counted and skipped."""
    records, ignored = [], 0
    for message in messages:
        try:
            records.append(read_event(message.value))
        except ContractViolation as violation:
            ignored += 1
            log.warning("projection: %s/%d/%d ignored: %s", message.topic, message.partition, message.offset,
                        violation)
    return records, ignored


class Projection:
    """Keeps a ReadModel up to date from the bus."""

    def __init__(self, read_model: ReadModel, bootstrap: str | Mapping, batch_size: int = 2000,
                 topics: tuple[str, ...] = PROJECTION_TOPICS, group: str = PROJECTION_GROUP,
                 generation_check_seconds: float = 2.0, log_check_seconds: float = 5.0):
        self.rm = read_model
        self.log_check_seconds = log_check_seconds  # while caught up: is each partition still the log read?
        self.bootstrap = bootstrap
        self.batch_size = batch_size
        self.topics = topics
        self.group = group
        self.generation_check_seconds = generation_check_seconds
        self.fetch_wait_ms = 50  # how long the broker may hold an empty fetch: bounds the added freshness delay
        self.partitions: list[TopicPartition] = []
        self.caught_up = asyncio.Event()
        self._commit_warned = False
        self.commit_seconds = 1.0
        self._uncommitted: dict[TopicPartition, int] = {}
        self._committed_at = 0.0

    async def apply(self, messages, positions: dict[tuple[str, int], int]) -> tuple[int, int]:
        """Apply a batch and write it to the store with what it changed: (applied, duplicates)."""
        started = time.perf_counter()
        records, ignored = to_records(messages)
        new, keys = [], set()
        for record in records:
            key = record.key
            if key not in keys and self.rm.is_new(record):
                keys.add(key)
                new.append(record)
        await self.rm.add(new, positions)  # the events, offsets and changed sums in one transaction
        m = self.rm.metrics
        m.events.labels("applied").inc(len(new))
        m.events.labels("duplicate").inc(len(records) - len(new))
        m.events.labels("ignored").inc(ignored)
        m.held.inc(len(new))
        m.apply_seconds.observe(time.perf_counter() - started)
        return len(new), len(records) - len(new)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop``; survives broker and store outages by retrying from the store's offsets."""
        backoff = Backoff()
        while not stop.is_set():
            consumer = AIOKafkaConsumer(
                **as_client_options(self.bootstrap), group_id=self.group, enable_auto_commit=False,
                auto_offset_reset="earliest", max_partition_fetch_bytes=4 * 1024 * 1024,
                fetch_max_wait_ms=self.fetch_wait_ms, **self.consumer_options)
            try:
                await self.loaded()
                await consumer.start()
                await self.assign(consumer)
                backoff.succeeded()
                await self.consume(consumer, stop)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the projection outlives broker and store outages
                log.warning("projection: %r; restarting", error)
                await backoff.failed(stop)
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()

    consumer_options: dict = {}
    """Further AIOKafkaConsumer options (the shared projection's assignor)."""

    async def loaded(self) -> None:
        """The read model is loaded (loading it here, the first time and after a failure)."""
        if not self.rm.loaded.is_set():
            await self.rm.load()

    async def assign(self, consumer: AIOKafkaConsumer) -> None:
        """Take every partition of the topics and seek each to the offset the store holds."""
        partitions = []
        for topic in self.topics:
            found = await topic_partitions(consumer, topic)
            partitions += [TopicPartition(topic, p) for p in sorted(found)]
        if not partitions:
            raise RuntimeError(f"none of {', '.join(self.topics)} exists yet")
        consumer.assign(partitions)
        self.partitions = partitions
        await self.seek(consumer)

    async def seek(self, consumer: AIOKafkaConsumer) -> None:
        """Seek to the store's positions; a position beyond the log (the broker lost it) restarts at 0."""
        stored = await self.rm.store.positions()
        starts = await consumer.beginning_offsets(self.partitions)
        ends = await log_ends(consumer, self.partitions,
                              {tp for tp in self.partitions if stored.get((tp.topic, tp.partition), 0) > 0})
        for tp in self.partitions:
            position = stored.get((tp.topic, tp.partition), starts[tp])
            if not starts[tp] <= position <= ends[tp]:
                log.warning("projection: stored offset %d of %s/%d is outside the log; reading from the start",
                            position, tp.topic, tp.partition)
                position = starts[tp]
            elif position > starts[tp] and not await self.same_log(consumer, tp, position):
                log.warning("projection: the event before offset %d of %s/%d is not one it applied (the log was "
                            "replaced, e.g. an in-memory broker restarted); reading from the start",
                            position, tp.topic, tp.partition)
                position = starts[tp]
            consumer.seek(tp, position)

    async def same_log(self, consumer: AIOKafkaConsumer, tp: TopicPartition, position: int) -> bool:
        """Whether the message just before ``position`` is one the facts already hold.

        A broker that lost its log and got the history republished may hold other
        events at the stored offsets (a relay's repeats are not repeated); resuming
        there could skip new events, so such a partition is read again from the start.
        """
        consumer.seek(tp, position - 1)
        batch = await consumer.getmany(tp, timeout_ms=2000, max_records=1)
        messages = batch.get(tp, [])
        if not messages:
            return True  # nothing to compare: trust the stored position
        records, _ = to_records(messages[:1])
        return not records or not self.rm.is_new(records[0])

    async def consume(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> None:
        last_check = log_checked = time.monotonic()
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=100, max_records=self.batch_size)
            messages = [m for items in batch.values() for m in items]
            if messages:
                positions = {(tp.topic, tp.partition): items[-1].offset + 1 for tp, items in batch.items() if items}
                try:
                    await self.apply(messages, positions)
                except StoreReplaced:
                    await self.switch_over(consumer)
                    continue
                await self.commit(consumer, batch)
            if not messages or time.monotonic() - last_check > self.generation_check_seconds:
                await self.commit(consumer, {}, force=True)
                await self.update_lag(consumer)
                if time.monotonic() - last_check > self.generation_check_seconds:
                    last_check = time.monotonic()
                    if await self.rm.replaced():
                        await self.switch_over(consumer)
                if not messages and time.monotonic() - log_checked > self.log_check_seconds:
                    await self.check_log(consumer)
                    log_checked = time.monotonic()

    async def check_log(self, consumer: AIOKafkaConsumer) -> None:
        """While running, find what a broker that lost its log (restarted under us) did to our positions.

        Tansu answers a fetch beyond a shorter log with nothing rather than an out-of-range
        error, and a log refilled by a republish may pass the old position before anything is
        fetched: a partition whose log ends before the position, or whose first record or the
        one before the position is not an applied event, is read again from its start (the
        facts dedupe). Partitions that appeared (a topic re-created by a producer) are taken
        from their start.
        """
        positions = {tp: await consumer.position(tp) for tp in self.partitions}
        starts = await consumer.beginning_offsets(self.partitions)
        read = {tp: position for tp, position in positions.items() if position > starts[tp]}
        replaced = set()
        for offsets in ({tp: starts[tp] for tp in read}, {tp: position - 1 for tp, position in read.items()}):
            found = await self.applied_at(consumer, {tp: o for tp, o in offsets.items() if tp not in replaced})
            replaced |= {tp for tp, applied in found.items() if applied is False}
        partitions = []
        for topic in self.topics:
            partitions += [TopicPartition(topic, p) for p in sorted(await topic_partitions(consumer, topic, refresh=True))]
        added = [tp for tp in partitions if tp not in positions]
        if added:
            consumer.assign(sorted(set(partitions) | set(positions)))
            self.partitions = sorted(set(partitions) | set(positions))
        for tp, position in positions.items():
            consumer.seek(tp, starts[tp] if tp in replaced else position)
        if replaced or added:
            log.warning("projection: the broker lost the log of %s; new partitions %s; reading them from the start",
                        sorted(f"{tp.topic}/{tp.partition}" for tp in replaced),
                        sorted(f"{tp.topic}/{tp.partition}" for tp in added))
            starts.update(await consumer.beginning_offsets(added) if added else {})
            for tp in added:
                consumer.seek(tp, starts[tp])

    async def applied_at(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int],
                         timeout: float = 2.0) -> dict[TopicPartition, bool]:
        """For each partition, whether the event at its offset is one the facts hold (False also when the
        log ends before it), fetched for all partitions at once; left out when it cannot tell (no answer
        in time, or a message that is not a contract event)."""
        for tp, offset in offsets.items():
            consumer.seek(tp, offset)
        found: dict[TopicPartition, bool] = {}
        pending = set(offsets)
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            batch = await consumer.getmany(*pending, timeout_ms=200)
            for tp in list(pending):
                messages = batch.get(tp, [])
                if messages:
                    pending.discard(tp)
                    if messages[0].offset != offsets[tp]:
                        found[tp] = False
                        continue
                    records, _ = to_records(messages[:1])
                    if records:
                        found[tp] = not self.rm.is_new(records[0])
                elif (highwater := consumer.highwater(tp)) is not None and highwater <= offsets[tp]:
                    pending.discard(tp)
                    found[tp] = False
        return found

    async def switch_over(self, consumer: AIOKafkaConsumer) -> None:
        """A rebuild replaced the store: load it and carry on from its offsets."""
        log.info("projection: the read model was rebuilt; loading it")
        await self.rm.reload()
        await self.seek(consumer)

    async def commit(self, consumer: AIOKafkaConsumer, batch, force: bool = False) -> None:
        """Commit the applied offsets to the group, at most once a second (the store holds the truth)."""
        self._uncommitted.update({tp: items[-1].offset + 1 for tp, items in batch.items() if items})
        if not self._uncommitted or (not force and time.monotonic() - self._committed_at < self.commit_seconds):
            return
        offsets = {tp: OffsetAndMetadata(offset, "") for tp, offset in self._uncommitted.items()}
        self._uncommitted, self._committed_at = {}, time.monotonic()
        try:
            await consumer.commit(offsets)
        except Exception as error:  # noqa: BLE001 - the store holds the truth; the group offset is for tooling
            if not self._commit_warned:
                log.warning("projection: committing offsets to group %s failed: %r", self.group, error)
                self._commit_warned = True

    async def update_lag(self, consumer: AIOKafkaConsumer) -> None:
        lagging = 0
        for tp in self.partitions:
            high = consumer.highwater(tp)
            if high is None:
                continue
            lag = max(0, high - await consumer.position(tp))
            lagging += lag
            self.rm.metrics.lag.labels(tp.topic, str(tp.partition)).set(lag)
        if lagging == 0 and all(consumer.highwater(tp) is not None for tp in self.partitions):
            self.caught_up.set()


async def log_ends(consumer: AIOKafkaConsumer, partitions: list[TopicPartition],
                   probe: set[TopicPartition] = frozenset()) -> dict[TopicPartition, int]:
    """End offsets; for ``probe`` partitions also the high watermark a fetch reports, because some
    Kafka-protocol brokers (Tansu) answer ListOffsets with less than the real end."""
    ends = await consumer.end_offsets(partitions)
    probe = [tp for tp in partitions if tp in probe and ends[tp] > 0]
    if probe:
        for tp in probe:
            consumer.seek(tp, max(ends[tp] - 1, 0))
        await consumer.getmany(*probe, timeout_ms=1000, max_records=1)
        for tp in probe:
            ends[tp] = max(ends[tp], consumer.highwater(tp) or 0)
    return ends


async def refresh_values_periodically(read_model: ReadModel, stop: asyncio.Event, seconds: float,
                                      duty: float = 0.25) -> None:
    """Keep the persisted yearly values and the gauges current when facts changed: first as soon as
    the read model is loaded, then every ``seconds`` — or less often, so that refreshing takes at
    most ``duty`` of the time."""
    seen, wait = None, 0.0
    while not stop.is_set():
        if wait or not read_model.loaded.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait or 0.2)
        if stop.is_set():
            return
        if read_model.loaded.is_set() and (read_model.engine.version, id(read_model.engine)) != seen:
            seen = (read_model.engine.version, id(read_model.engine))
            started = time.monotonic()
            try:
                await read_model.refresh_values()
            except Exception as error:  # noqa: BLE001 - retried on the next round
                log.warning("refreshing the yearly values failed: %r", error)
            wait = max(seconds, (time.monotonic() - started) * (1 - duty) / duty)
        elif read_model.loaded.is_set():
            wait = seconds
