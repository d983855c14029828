"""Memory probe: the indicators engine for a generated region of a given size.

``python -m bench.memory --staff N`` feeds the region's events to an engine exactly as the projection
does (``Engine.apply`` of batches of Records), answers the region once, and prints its peak RSS as JSON.
Several sizes give MiB per staff member, from which the service's memory at national scale is
extrapolated (the service's own peak at the measured size plus the slope times the difference).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import date

from .util import memory_mb


def feed(staff: int, years: int, end: date | None, progress=None) -> tuple[object, int, float]:
    """An engine fed the generated region's events in batches of 2,000, as the projection feeds it.

    The events are streamed from the generator, so only the engine stays in memory, as in the
    service. Returns the engine, the number of events and the seconds it took (generation included).
    """
    from pedgrowth.indicators.engine import Engine
    from pedgrowth.indicators.engine.collector import pace_collector
    from pedgrowth.indicators.records import Record

    from .events import event_id, event_time, source_of
    from .region import Region

    started = time.perf_counter()
    pace_collector()  # as the service's composition root does
    region = Region(staff, years, end)
    engine = Engine()
    count = 0
    seqs: dict[str, int] = {}
    batch: list = []
    for item in region.items():
        seq = seqs[item.service] = seqs.get(item.service, 0) + 1
        batch.append(Record(source_of(item.service), event_id(item.service, seq),
                            f"pedgrowth.{item.service}.{item.suffix}.v1", event_time(item, seq).isoformat(), item.data))
        count += 1
        if len(batch) >= 2000:
            engine.apply(batch)
            batch = []
            if progress is not None:
                progress(count, time.perf_counter() - started)
    engine.apply(batch)
    return engine, count, time.perf_counter() - started


def probe(staff: int, years: int, end: date) -> dict:
    import os

    from pedgrowth.contracts.scope import Scope
    from pedgrowth.indicators.indicators.answers import Answers

    before = memory_mb(os.getpid())["VmRSS"]
    engine, count, seconds = feed(staff, years, end)
    Answers(engine).indicators(Scope("region", "reg-bench"), date.today())
    mem = memory_mb(os.getpid())
    return {"staff": staff, "events": count, "rss_mb": mem["VmRSS"], "peak_rss_mb": mem["VmHWM"],
            "interpreter_mb": before, "seconds": round(seconds, 1)}


def run_probe(staff: int, years: int, end: date) -> dict:
    """The probe in a child process of its own (so each size's peak is its own)."""
    done = subprocess.run([sys.executable, "-m", "bench.memory", "--staff", str(staff), "--years", str(years),
                           "--end", end.isoformat()], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def fit(points: list[dict], key: str = "rss_mb") -> tuple[float, float, float]:
    """Least squares of ``key`` on staff: (MiB per staff member, intercept MiB, R²)."""
    xs = [p["staff"] for p in points]
    ys = [p[key] for p in points]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = my - slope * mx
    total = sum((y - my) ** 2 for y in ys)
    residual = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    return slope, intercept, (1 - residual / total) if total else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("--staff", type=int, required=True)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--end", type=date.fromisoformat, default=None)
    args = parser.parse_args()
    print(json.dumps(probe(args.staff, args.years, args.end or date.today().replace(day=1))))


if __name__ == "__main__":
    main()
