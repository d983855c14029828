"""Rebuild the read model from the beginning of the topics into a fresh store, then switch over.

``python -m pedgrowth.indicators.rebuild`` (settings from the environment, as the service).
The fresh store is written beside the live one (``<file>.rebuild``, schema ``<schema>_rebuild``,
database ``<db>_rebuild``) with the offsets it reached, and the engine's sums computed from it
(each entity evaluated once); ``promote`` then replaces the live store, and a running service
notices the new generation, loads the sums (nothing recomputed) and carries on from those offsets.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from aiokafka import AIOKafkaConsumer, TopicPartition
from pedgrowth.contracts import PROJECTION_TOPICS
from pedgrowth.kit.kafka import as_client_options, client_options, topic_partitions

from .config import IndicatorsSettings
from .projection.consumer import to_records
from .projection.readmodel import load_engine
from .readmodel.base import ReadModelStore
from .readmodel.factory import store_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild did."""

    read: int
    stored: int
    ignored: int
    seconds: float
    location: str


class Progress:
    """A one-line progress bar on a terminal (a line per 10 % elsewhere)."""

    def __init__(self, total: int, out: TextIO | None, width: int = 40):
        self.total, self.out, self.width = max(total, 1), out, width
        self.started = time.monotonic()
        self.shown = -1
        self.printed = -1

    def update(self, done: int, final: bool = False) -> None:
        if self.out is None:
            return
        self.total = max(self.total, done)  # some brokers understate the end offsets
        fraction = done / self.total
        tty = self.out.isatty()
        step = int(fraction * (100 if tty else 10))
        if (step == self.shown and not final) or (final and done == self.printed):
            return
        self.shown, self.printed = step, done
        rate = done / max(time.monotonic() - self.started, 1e-6)
        bar = "#" * int(fraction * self.width)
        line = f"rebuild [{bar:<{self.width}}] {done}/{self.total} events {rate:,.0f}/s"
        self.out.write(("\r" + line) if tty else line + "\n")
        self.out.flush()

    def close(self, done: int) -> None:
        self.update(done, final=True)
        if self.out is not None and self.out.isatty():
            self.out.write("\n")


async def read_all(bootstrap: str | Mapping, topics: tuple[str, ...], fresh: ReadModelStore, batch_size: int = 5000,
                   out: TextIO | None = None) -> tuple[int, int]:
    """Every event of the topics up to their current ends, written into ``fresh`` with the offsets."""
    consumer = AIOKafkaConsumer(**as_client_options(bootstrap), enable_auto_commit=False,
                                max_partition_fetch_bytes=8 * 1024 * 1024)
    await consumer.start()
    try:
        partitions = []
        for topic in topics:
            found = await topic_partitions(consumer, topic)
            partitions += [TopicPartition(topic, p) for p in sorted(found)]
        if not partitions:
            return 0, 0
        consumer.assign(partitions)
        starts = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, starts[tp])
        progress = Progress(sum(ends[tp] - starts[tp] for tp in partitions), out)
        read = ignored = 0
        remaining = {tp for tp in partitions if ends[tp] > starts[tp]}
        await fresh.write([], {(tp.topic, tp.partition): starts[tp] for tp in partitions})
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=500, max_records=batch_size)
            messages = [m for items in batch.values() for m in items]
            positions = {(tp.topic, tp.partition): items[-1].offset + 1 for tp, items in batch.items() if items}
            for tp in list(remaining):
                if await at_end(consumer, tp, ends[tp], starts[tp]):
                    remaining.discard(tp)
            records, bad = to_records(messages)
            await fresh.write(records, positions)
            read += len(messages)
            ignored += bad
            progress.update(read)
        progress.close(read)
        return read, ignored
    finally:
        await consumer.stop()


async def at_end(consumer: AIOKafkaConsumer, tp: TopicPartition, end: int, start: int) -> bool:
    """Read up to the end: the high watermark of the last fetch (ListOffsets may understate it on Tansu)."""
    high = consumer.highwater(tp)
    if high is None:
        return end <= start
    return await consumer.position(tp) >= max(high, end)


async def rebuild(settings: IndicatorsSettings, topics: tuple[str, ...] = PROJECTION_TOPICS,
                  out: TextIO | None = None) -> Rebuilt:
    """Read the topics from the beginning into a fresh store and make it the live one."""
    started = time.monotonic()
    if settings.shards:  # the instances compute their shards of the fresh store when they switch over
        from .readmodel.sql import PostgresStore
        live = PostgresStore(settings.read_model_url, shared=True)
    else:
        live = store_for(settings.read_model_url, settings.data_dir)
    fresh = live.fresh()
    await fresh.open()
    try:
        read, ignored = await read_all(client_options(settings), topics, fresh,
                                       max(settings.projection_batch_size, 5000), out)
        if settings.shards:
            stored = await fresh.count()
        else:
            if out is not None:
                out.write("rebuild: computing the indicators' sums\n")
            stored = await load_engine(fresh)
        await fresh.promote()
        location = fresh.location
    finally:
        await fresh.close()
    return Rebuilt(read, stored, ignored, time.monotonic() - started, location)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pedgrowth.indicators.rebuild", description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    done = asyncio.run(rebuild(IndicatorsSettings(), out=None if args.quiet else sys.stderr))
    print(f"rebuilt {done.location}: {done.read} events read, {done.stored} stored, {done.ignored} ignored, "
          f"{done.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
