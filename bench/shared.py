"""Scale-out: the projection of one instance against two sharing the work (INDICATORS_SHARDS, PostgreSQL).

The generated region's events are put into a fresh PostgreSQL schema's fact log (as the instances'
ingestion does), then the instances follow the log from its start, each computing the shards given
to it — one instance all of them, then two instances (two processes, half the shards each) — and
the wall time until every instance has applied the whole log is timed. The two-instance answers
(read by a third instance loading the store) are checked equal to the one instance's. No broker:
what is measured is the part the shards split (each instance still reads and indexes every fact).
Each instance's CPU seconds are measured too: on this shared 2-core machine two instances compete
for the cores with each other and with PostgreSQL, so ``cpu_speedup`` (one instance's CPU over the
busier of two) is what two machines would gain; ``wall_speedup`` is what this machine gave.
Writes bench/results/shared.json.

    python -m bench.shared [--staff 20000] [--shards 2] [--url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import time
import uuid
from datetime import date
from pathlib import Path

from .util import machine

RESULTS = Path(__file__).parent / "results"
BATCH = 2000  # the facts an instance applies at a time (INDICATORS_PROJECTION_BATCH_SIZE's default)
URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def say(text: str) -> None:
    print(f"[bench.shared] {text}", flush=True)


def records(staff: int, years: int, end: date):
    from pedgrowth.indicators.records import Record

    from .events import event_id, event_time, source_of
    from .region import Region

    seqs: dict[str, int] = {}
    for item in Region(staff, years, end).items():
        seq = seqs[item.service] = seqs.get(item.service, 0) + 1
        yield Record(source_of(item.service), event_id(item.service, seq), f"pedgrowth.{item.service}.{item.suffix}.v1",
                     event_time(item, seq).isoformat(), item.data)


async def fill(url: str, staff: int, years: int, end: date) -> int:
    """The region's facts into the store's log, as the instances' ingestion writes them."""
    from pedgrowth.indicators.readmodel.sql import PostgresStore

    store = PostgresStore(url, shared=True)
    await store.open()
    batch, count = [], 0
    for record in records(staff, years, end):
        batch.append(record)
        if len(batch) >= 5000:
            await store.ingest(batch, {})
            count, batch = count + len(batch), []
    await store.ingest(batch, {})
    await store.close()
    return count + len(batch)


def follow(url: str, shards: int, owned: list[int], name: str, start, out) -> None:
    """One instance (a process): take ``owned`` and follow the log from its start to its end."""
    from pedgrowth.indicators.projection.shared import SharedReadModel
    from pedgrowth.indicators.readmodel.sql import PostgresStore

    async def run() -> tuple[float, float]:
        rm = SharedReadModel(PostgresStore(url, shared=True), shards, owner=name, batch_size=BATCH)
        await rm.store.open()
        end = await rm.store.last_seq()
        rm.assigned = frozenset(owned)
        start.wait()
        began, cpu = time.perf_counter(), time.process_time()
        await rm.take_assigned()  # an empty engine at seq 0: nothing to compute yet
        while rm.seq < end:
            await rm.follow()
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        await rm.store.close()
        return seconds, cpu

    seconds, cpu = asyncio.run(run())
    out.put((name, seconds, cpu))


def answers(url: str, shards: int, end_date: date) -> dict:
    """A third instance owning nothing loads the store (every shard's sums) and answers the region."""
    from pedgrowth.contracts.scope import Scope
    from pedgrowth.indicators.projection.shared import SharedReadModel
    from pedgrowth.indicators.readmodel.sql import PostgresStore

    from .region import REGION_ID

    async def run():
        rm = SharedReadModel(PostgresStore(url, shared=True), shards, owner="reader")
        await rm.load()
        found = {n.indicator.code: (n.numerator, n.denominator)
                 for n in rm.engine.all_numbers(Scope("region", REGION_ID), end_date)}
        await rm.store.close()
        return found
    return asyncio.run(run())


def timed(url: str, shards: int, groups: list[list[int]]) -> tuple[float, float]:
    """Run one process per group of shards at once: the slowest one's wall seconds and the busiest one's CPU."""
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=follow, args=(url, shards, g, f"i{n}", start, out)) for n, g in enumerate(groups)]
    for p in procs:
        p.start()
    time.sleep(3)  # each has opened the store
    start.set()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    say(f"{len(groups)} instance(s): " + ", ".join(f"{name} {seconds:.1f} s ({cpu:.1f} s of CPU)"
                                                 for name, seconds, cpu in results))
    return max(seconds for _, seconds, _ in results), max(cpu for _, _, cpu in results)


def reset_shards(url: str) -> None:
    """Forget every shard's sums and owner (the facts stay), for the next configuration."""
    import psycopg
    from psycopg import sql

    base, schema = url.split("?")[0], url.split("schema=")[1]
    with psycopg.connect(base, autocommit=True) as conn:
        for table in ("rm_shard", "rm_shard_sum", "rm_shard_series"):
            conn.execute(sql.SQL("DELETE FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))


def drop(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, schema = url.split("?")[0], url.split("schema=")[1]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def run(staff: int, years: int, shards: int, url: str) -> dict:
    end = date.today().replace(day=1)
    target = f"{url.split('?')[0]}?schema=bench_shared_{uuid.uuid4().hex[:8]}"
    runs = {}
    try:
        events = asyncio.run(fill(target, staff, years, end))
        say(f"{events} events in the log")
        for label, groups in (("one", [list(range(shards))]),
                              ("two", [list(range(0, shards, 2)), list(range(1, shards, 2))])):
            reset_shards(target)
            seconds, cpu = timed(target, shards, groups)
            runs[label] = {"seconds": round(seconds, 2), "cpu": round(cpu, 2), "answers": answers(target, shards, end)}
    finally:
        drop(target)
    one, two = runs["one"], runs["two"]
    return {
        "machine": machine(), "staff": staff, "events": events, "shards": shards, "batch_size": BATCH,
        "one_instance_s": one["seconds"], "two_instances_s": two["seconds"],
        "wall_speedup": round(one["seconds"] / two["seconds"], 2),
        "one_instance_cpu_s": one["cpu"], "two_instances_cpu_s_busiest": two["cpu"],
        "cpu_speedup": round(one["cpu"] / two["cpu"], 2),
        "one_instance_events_per_s": round(events / one["seconds"]),
        "two_instances_events_per_s": round(events / two["seconds"]),
        "answers_equal": one["answers"] == two["answers"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.shared", description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=20000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--url", default=URL)
    parser.add_argument("--out", type=Path, default=RESULTS / "shared.json")
    args = parser.parse_args(argv)
    results = run(args.staff, args.years, args.shards, args.url)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    say(f"wrote {args.out}: " + json.dumps({k: v for k, v in results.items() if k != "machine"}))
    if not results["answers_equal"]:
        raise SystemExit("two instances answered differently from one")


if __name__ == "__main__":
    main()
