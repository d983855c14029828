"""`make bench-national` = `python -m bench.national`: the indicators engine at national scale, measured.

Russia has about 1.1 million pedagogical staff. The generator (`bench/region.py`) makes a region of
that many positions (≈ 27 million events over five years); they are fed to the engine in-process in
batches of 2,000, exactly as the projection feeds it, without a broker or a store, so the run fits
this machine's time. Measured: the build time, the process's peak RSS, and the server-side answer of
every indicator for the whole region at several dates (worst date, best of 3, nothing cached).
Results: `bench/results/national.json` (``--staff`` other than the national size writes
`national-<staff>.json`, not kept in git).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date, timedelta
from pathlib import Path

from .memory import feed
from .util import machine, memory_mb

NATIONAL_STAFF = 1_100_000
RESULTS = Path(__file__).parent / "results"
GOALS = {"peak_rss_mb": 4096, "build_s": 20 * 60, "region_eval_ms": 1.0}


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def region_eval_ms(engine, dates: dict[str, date], repeat: int = 3) -> dict[str, float]:
    """Every indicator for the region scope at each of ``dates``: the best of ``repeat`` per date, in ms."""
    from pedgrowth.contracts.scope import Scope
    from pedgrowth.indicators.indicators.answers import Answers

    from .region import REGION_ID

    answers, scope = Answers(engine), Scope("region", REGION_ID)
    out = {}
    for label, d in dates.items():
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            answers.indicators(scope, d)
            best = min(best, time.perf_counter() - t)
        out[label] = round(best * 1000, 3)
    return out


def national_dates(end: date) -> dict[str, date]:
    from pedgrowth.contracts import add_years

    return {"end": end, "last_year_end": date(end.year - 1, 12, 31), "leap_day": date(2024, 2, 29),
            "three_years_back": add_years(end, -3), "a_year_back_plus_a_day": add_years(end, -1) + timedelta(days=1)}


def run(staff: int, years: int) -> dict:
    end = date.today().replace(day=1)
    last = [0.0]

    def progress(count: int, seconds: float) -> None:
        if seconds - last[0] >= 60:
            last[0] = seconds
            say(f"{count:,} events in {seconds:.0f} s ({count / seconds:,.0f}/s), "
                f"rss {memory_mb(os.getpid())['VmRSS']:,.0f} MiB")

    say(f"feeding the engine the events of {staff:,} staff over {years} years")
    engine, events, build_s = feed(staff, years, end, progress)
    say(f"built from {events:,} events in {build_s:.0f} s")
    by_date = region_eval_ms(engine, national_dates(end))
    mem = memory_mb(os.getpid())
    results = {"staff": staff, "years": years, "events": events, "build_s": round(build_s, 1),
               "events_per_s": round(events / build_s), "peak_rss_mb": mem["VmHWM"], "rss_mb_at_end": mem["VmRSS"],
               "region_eval_ms": max(by_date.values()), "region_eval_ms_by_date": by_date, "machine": machine(),
               "what": "the engine fed in-process from the generator in batches of 2,000 (no broker, no store); "
                       "build_s includes generating the events; peak_rss_mb is the whole process's VmHWM; "
                       "region_eval_ms is Answers.indicators for the region scope, worst date, best of 3"}
    results["goals"] = {key: {"limit": limit, "measured": results[key], "met": results[key] <= limit,
                              "ratio_to_limit": round(results[key] / limit, 3)} for key, limit in GOALS.items()}
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.national", description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=NATIONAL_STAFF)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    results = run(args.staff, args.years)
    out = args.out or RESULTS / ("national.json" if args.staff == NATIONAL_STAFF else f"national-{args.staff}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    say(f"wrote {out}: {json.dumps({k: results[k] for k in ('build_s', 'peak_rss_mb', 'region_eval_ms')})}")


if __name__ == "__main__":
    main()
