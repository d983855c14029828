"""Scale-out: the projection of one instance against two sharing the work (INDICATORS_SHARDS, PostgreSQL).

The generated region's events are put into a fresh PostgreSQL schema's fact log (as the instances'
ingestion does), then the instances follow the log from its start, each computing the shards given
to it — one instance all of them, then two instances (two processes, half the shards each) — and
the wall time until every instance has applied the whole log and taken the others' sums is timed.
The two-instance answers are checked equal to the one instance's. No broker: what is measured is
the part the shards split (each instance still indexes every fact). Writes bench/results/shared.json.

    python -m bench.shared [--staff 4000] [--shards 12] [--url postgresql://postgres@127.0.0.1:5432/test]
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


def follow(url: str, shards: int, owned: list[int], name: str, start, answers_out) -> None:
    """One instance (a process): load the empty engine, take ``owned``, follow the log to its end."""
    from pedgrowth.contracts.scope import Scope
    from pedgrowth.indicators.projection.shared import SharedReadModel
    from pedgrowth.indicators.readmodel.sql import PostgresStore

    from .region import REGION_ID

    async def run() -> dict:
        rm = SharedReadModel(PostgresStore(url, shared=True), shards, owner=name, batch_size=2000)
        await rm.store.open()
        end = await rm.store.last_seq()
        rm.assigned = frozenset(owned)
        start.wait()
        began = time.perf_counter()
        await rm.take_assigned()  # an empty engine at seq 0: nothing to compute yet
        while rm.seq < end:
            await rm.follow()
        done = time.perf_counter() - began
        return {"seconds": done, "end": end, "engine": rm}

    out = asyncio.run(run())
    answers_out.put((name, out["seconds"], None))


def settle_and_answer(url: str, shards: int, end_date: date) -> dict:
    """A third instance owning nothing loads the store (every shard's sums) and answers the region."""
    from pedgrowth.contracts.scope import Scope
    from pedgrowth.indicators.projection.shared import SharedReadModel
    from pedgrowth.indicators.readmodel.sql import PostgresStore

    from .region import REGION_ID

    async def run():
        rm = SharedReadModel(PostgresStore(url, shared=True), shards, owner="reader")
        await rm.load()
        out = {n.indicator.code: (n.numerator, n.denominator)
               for n in rm.engine.all_numbers(Scope("region", REGION_ID), end_date)}
        await rm.store.close()
        return out
    return asyncio.run(run())


def timed(url: str, shards: int, groups: list[list[int]]) -> float:
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=follow, args=(url, shards, g, f"i{n}", start, out)) for n, g in enumerate(groups)]
    for p in procs:
        p.start()
    time.sleep(3)  # each has opened the store
    began = time.perf_counter()
    start.set()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    say(f"{len(groups)} instance(s): " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds, _ in results))
    return max(seconds for _, seconds, _ in results), time.perf_counter() - began


def schema_url(url: str) -> str:
    return f"{url.split('?')[0]}?schema=bench_shared_{uuid.uuid4().hex[:8]}"


def drop(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, schema = url.split("?")[0], url.split("schema=")[1]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def run(staff: int, years: int, shards: int, url: str) -> dict:
    end = date.today().replace(day=1)
    runs = {}
    for label, groups in (("one", [list(range(shards))]),
                          ("two", [list(range(0, shards, 2)), list(range(1, shards, 2))])):
        target = schema_url(url)
        try:
            events = asyncio.run(fill(target, staff, years, end))
            say(f"{label}: {events} events in the log of {target.split('schema=')[1]}")
            slowest, wall = timed(target, shards, groups)
            answers = settle_and_answer(target, shards, end)
            runs[label] = {"seconds": round(slowest, 2), "answers": answers}
        finally:
            drop(target)
    equal = runs["one"]["answers"] == runs["two"]["answers"]
    return {
        "machine": machine(), "staff": staff, "events": events, "shards": shards,
        "one_instance_s": runs["one"]["seconds"], "two_instances_s": runs["two"]["seconds"],
        "speedup": round(runs["one"]["seconds"] / runs["two"]["seconds"], 2),
        "one_instance_events_per_s": round(events / runs["one"]["seconds"]),
        "two_instances_events_per_s": round(events / runs["two"]["seconds"]),
        "answers_equal": equal,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.shared", description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=4000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--shards", type=int, default=12)
    parser.add_argument("--url", default=URL)
    args = parser.parse_args(argv)
    results = run(args.staff, args.years, args.shards, args.url)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "shared.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    say(f"wrote {out}: " + json.dumps({k: v for k, v in results.items() if k != "machine"}))
    if not results["answers_equal"]:
        raise SystemExit("two instances answered differently from one")


if __name__ == "__main__":
    main()
