"""Phases 1 and 2: the indicators projection against the raw consume-and-decode rate; the rebuild."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import date
from pathlib import Path

from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.projection.consumer import Projection
from pedgrowth.indicators.projection.readmodel import ReadModel
from pedgrowth.indicators.readmodel.factory import store_for

from .broker import Broker


class CountingProjection(Projection):
    """The service's Projection, counting the messages it has been given (read, not only applied)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read = 0
        self.progress = asyncio.Event()

    async def apply(self, messages, positions):
        result = await super().apply(messages, positions)
        self.read += len(messages)
        self.progress.set()
        return result


async def project(b: Broker, expected: int, data_dir: Path, batch_size: int = 2000,
                  timeout: float = 1800) -> dict:
    """A fresh read model (the default SQLite store) fed by the Projection from the beginning until caught up."""
    store = store_for(None, data_dir)
    rm = ReadModel(store)
    projection = CountingProjection(rm, b.bootstrap, batch_size=batch_size, group="bench-projection")
    stop = asyncio.Event()
    started = time.perf_counter()
    task = asyncio.create_task(projection.run(stop))
    deadline = started + timeout
    try:
        while projection.read < expected:
            if task.done():
                task.result()
                raise RuntimeError("the projection stopped")
            if time.perf_counter() > deadline:
                raise TimeoutError(f"projection: {projection.read}/{expected} after {timeout} s")
            projection.progress.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(projection.progress.wait(), 1.0)
        seconds = time.perf_counter() - started
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)
    return {"read": projection.read, "applied": rm.engine.version, "seconds": seconds,
            "events_per_s": projection.read / seconds, "batch_size": batch_size, "store": store.location,
            "read_model": rm}


def compute_times(rm: ReadModel, region_id: str, municipality: str, org: str, dates: dict[str, date],
                  repeat: int = 3) -> dict:
    """How long one answer of every indicator takes, per scope and date (ms, best of ``repeat``), as the
    service's answers compute it (engine lookups; nothing is cached between calls)."""
    out = {}
    for kind, scope_id in (("region", region_id), ("municipality", municipality), ("organization", org)):
        for label, d in dates.items():
            best = float("inf")
            for _ in range(repeat):
                t = time.perf_counter()
                rm.answers.indicators(Scope(kind, scope_id), d)
                best = min(best, time.perf_counter() - t)
            out[f"{kind}/{label}"] = round(best * 1000, 2)
    return out


async def rebuild(b: Broker, data_dir: Path, expected: int) -> dict:
    """The service's rebuild (pedgrowth.indicators.rebuild) into <data_dir>, promoted to the live store."""
    from pedgrowth.indicators.config import IndicatorsSettings

    settings = IndicatorsSettings(data_dir=data_dir, kafka_bootstrap_servers=b.bootstrap,
                                  kafka_enable_idempotence=b.idempotence)
    try:
        from pedgrowth.indicators.rebuild import rebuild as service_rebuild
    except ImportError:
        return await _rebuild_with_projection(b, data_dir, expected)
    started = time.perf_counter()
    done = await service_rebuild(settings)
    seconds = time.perf_counter() - started
    return {"how": "pedgrowth.indicators.rebuild.rebuild (fresh store beside the live one, then promote)",
            "read": done.read, "stored": done.stored, "ignored": done.ignored, "seconds": seconds,
            "events_per_s": done.read / seconds, "location": done.location}


async def _rebuild_with_projection(b: Broker, data_dir: Path, expected: int) -> dict:
    """Fallback when the service has no rebuild function: a fresh store fed by the Projection, then promoted."""
    live = store_for(None, data_dir)
    fresh = live.fresh()
    rm = ReadModel(fresh)
    projection = CountingProjection(rm, b.bootstrap, batch_size=5000, group="bench-rebuild")
    stop = asyncio.Event()
    started = time.perf_counter()
    task = asyncio.create_task(projection.run(stop))
    while projection.read < expected:
        if task.done():
            task.result()
        projection.progress.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(projection.progress.wait(), 1.0)
    stop.set()
    await asyncio.wait_for(task, 30)
    await fresh.promote()
    await fresh.close()
    seconds = time.perf_counter() - started
    return {"how": "no rebuild function in the service: Projection into store.fresh(), then promote()",
            "read": projection.read, "stored": rm.engine.version, "seconds": seconds,
            "events_per_s": projection.read / seconds, "location": fresh.location}


async def breakdown(messages, data_dir: Path, sample: int = 50_000, batch: int = 2000) -> dict:
    """Where the projection's time goes, per event, on a sample of the generated messages (no broker):
    json.loads alone (what the baseline does), the contract decode the projection does, the SQLite write
    of the read-model store, and adding to the in-memory index."""
    import json
    from types import SimpleNamespace

    from pedgrowth.contracts import decode
    from pedgrowth.indicators.engine import Engine
    from pedgrowth.indicators.projection.consumer import to_records

    step = max(1, len(messages) // sample)
    picked = [SimpleNamespace(value=m.value, topic=m.topic, partition=0, offset=i)
              for i, m in enumerate(messages[::step][:sample])]
    n = len(picked)
    out = {}
    t = time.perf_counter()
    for m in picked:
        json.loads(m.value)
    out["json_loads_us"] = (time.perf_counter() - t) / n * 1e6
    t = time.perf_counter()
    for m in picked:
        decode(m.value)
    out["contract_decode_us"] = (time.perf_counter() - t) / n * 1e6
    t = time.perf_counter()
    records, _ = to_records(picked)
    out["to_records_us"] = (time.perf_counter() - t) / n * 1e6
    store = store_for(None, data_dir)
    await store.open()
    t = time.perf_counter()
    for i in range(0, n, batch):
        await store.write(records[i:i + batch], {("bench", 0): i + batch})
    out["store_write_us"] = (time.perf_counter() - t) / n * 1e6
    await store.close()
    engine = Engine()
    t = time.perf_counter()
    for i in range(0, n, batch):
        engine.apply(records[i:i + batch])
    out["facts_add_us"] = (time.perf_counter() - t) / n * 1e6  # the engine's apply, per event
    out = {k: round(v, 1) for k, v in out.items()}
    out["sample"] = n
    return out
