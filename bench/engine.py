"""`python -m bench.engine --staff N`: the indicators engine's own speed, in-process, in the projection's order.

The generated region's events are made first (not timed), put in time order as a live bus delivers them
(each person touched in many batches; ``--order org`` keeps the generator's organisation-by-organisation
order, as a bulk load sends them) and fed to ``Engine.apply`` in batches of 2,000 with the collector paced
as the service paces it. Printed as JSON: wall and CPU seconds of the feed, events per CPU second, the
full collections and their seconds, the evaluations. ``--limit`` feeds only the first events (the first
300,000 of 40,000 staff take about a minute). No store, no broker: this is the engine's part of the
projection, the part issue 13's goals are bound by.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from datetime import date


def records(staff: int, years: int, end: date, order: str) -> list:
    from pedgrowth.indicators.records import Record

    from .events import event_id, event_time, source_of
    from .region import Region

    seqs: dict[str, int] = {}
    dated = []
    for item in Region(staff, years, end).items():
        seq = seqs[item.service] = seqs.get(item.service, 0) + 1
        dated.append((item.day, Record(source_of(item.service), event_id(item.service, seq),
                                       f"pedgrowth.{item.service}.{item.suffix}.v1", event_time(item, seq).isoformat(),
                                       item.data)))
    if order == "time":
        dated.sort(key=lambda pair: pair[0])
    return [record for _, record in dated]


def run(staff: int, years: int, end: date, order: str, limit: int | None) -> dict:
    from pedgrowth.indicators.engine import Engine
    from pedgrowth.indicators.engine.collector import pace_collector

    fed = records(staff, years, end, order)[:limit]
    gc.collect()
    gc.freeze()  # the bench's own records are not the service's: out of the collector's way
    pace_collector()
    full = {"count": 0, "seconds": 0.0, "started": 0.0}

    def watch(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                full["started"] = time.perf_counter()
            else:
                full["count"] += 1
                full["seconds"] += time.perf_counter() - full["started"]

    gc.callbacks.append(watch)
    engine = Engine()
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(fed), 2000):
        engine.apply(fed[i:i + 2000])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    gc.callbacks.remove(watch)
    return {"staff": staff, "order": order, "events": len(fed), "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "events_per_cpu_s": round(len(fed) / cpu), "full_collections": full["count"],
            "full_collections_s": round(full["seconds"], 1), "evaluations": engine.evaluations,
            "series": engine.sums.keys(), "load_average": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=4000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("--order", choices=("time", "org"), default="time")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.staff, args.years, args.end, args.order, args.limit)))


if __name__ == "__main__":
    main()
