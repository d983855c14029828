"""`python -m bench.run [--staff 40000] [--years 5] [--quick]`: the benchmarks of issue 7.

0. generate a region and publish its events to the four *.events topics, as the relays would;
1. projection throughput against the raw consume-and-decode baseline, same run, same topics;
2. rebuild of the read model from the topics;
3. freshness: training.inbox → indicators read model, at 200 and 1,000 events/s;
4. dashboard API latency under 50 concurrent clients (as ratios to the `/health` floor), then a restart;
5. peak memory of the indicators service, and an extrapolation to national scale
   (`make bench-national` measures the engine at national scale instead: bench/national.py);
6. one answer of every indicator for the region, from the engine and from the oracle, same events.
Results: bench/results/latest.json and latest.md (``--quick``: quick.json / quick.md, not kept in git).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import shutil
import signal
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from . import broker as kafka
from . import ingestion
from . import services as svc
from .events import encode, in_relay_order
from .memory import fit, run_probe
from .region import Region, evaluation
from .report import goals, markdown
from .throughput import breakdown, compute_times, project, rebuild
from .util import machine, memory_mb

RESULTS = Path(__file__).parent / "results"
NATIONAL_STAFF = 1_100_000
log = logging.getLogger("bench")


async def phase(name: str, work, seconds: float):
    """Await one phase, failing clearly instead of hanging when it takes longer than ``seconds``."""
    try:
        return await asyncio.wait_for(work, seconds)
    except TimeoutError:
        raise TimeoutError(f"{name} did not finish in {seconds:.0f} s") from None


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


async def run(args: argparse.Namespace, work: Path) -> dict:
    out: dict = {"staff": args.staff, "years": args.years, "quick": args.quick, "machine": machine()}

    # 0. the region and its events
    started = time.perf_counter()
    region = Region(args.staff, args.years)
    by_service = in_relay_order(region.items())
    generate_s = time.perf_counter() - started
    shape = region.shape
    count = sum(len(v) for v in by_service.values())
    say(f"generated {count} facts for {args.staff} staff in {generate_s:.1f} s; encoding")
    messages, encode_s = encode(by_service)
    by_topic = {f"{s}.events": len(v) for s, v in by_service.items()}
    del by_service
    out.update({"events": len(messages), "period": [shape.start.isoformat(), shape.end.isoformat()],
                "region": {"municipalities": len(shape.municipalities), "organisations": len(shape.orgs),
                           "programmes": len(shape.programs), "active_staff_at_end": len(shape.active),
                           "events_by_topic": by_topic,
                           "mean_event_bytes": round(sum(len(m.value) for m in messages) / len(messages))}})
    out["generation"] = {"facts_s": round(generate_s, 2), "facts_per_s": round(count / generate_s),
                         "encode_s": round(encode_s, 2), "encode_per_s": round(len(messages) / encode_s),
                         "note": "encode = contract model validation + new_event + JSON bytes, one process"}
    say(f"encoded {len(messages)} events in {encode_s:.1f} s")

    with kafka.broker() as b:
        out["broker"] = b.what
        limit = 300 + len(messages) / 2000  # generous: a phase that takes longer is stuck
        await phase("creating topics", kafka.create_topics(b), 60)
        before = sum((await phase("end offsets", kafka.end_offsets(b), 60)).values())
        produce_s = await phase("produce", kafka.produce(b, messages), limit)
        expected = before + len(messages)
        out["produce"] = {"seconds": round(produce_s, 2), "events_per_s": round(len(messages) / produce_s),
                          "acks": "all", "already_on_topics": before}
        say(f"produced {len(messages)} in {produce_s:.1f} s")
        out["projection_cost_us_per_event"] = await breakdown(messages, work / "breakdown")
        say(f"per event: {out['projection_cost_us_per_event']}")
        del messages
        gc.collect()

        # what one consumer hop costs on this broker (aiokafka's default fetch wait is 500 ms)
        out["broker_hop"] = [await phase("hop", kafka.hop_latency(b, wait), 90) for wait in (500, 10)]
        say(f"one hop: {out['broker_hop']}")

        # 1. the raw baseline, then the projection, on the same topics
        read, seconds = await phase("baseline", kafka.baseline(b, expected), limit)
        out["baseline_events_per_s"] = round(read / seconds)
        out["baseline"] = {"read": read, "seconds": round(seconds, 2),
                           "what": "aiokafka getmany(max_records=2000) loop, json.loads of every value, "
                                   "all partitions of the four *.events topics from the beginning"}
        say(f"baseline: {read} in {seconds:.1f} s = {read / seconds:,.0f}/s")
        projected = await phase("projection", project(b, expected, work / "projection"), limit)
        rm = projected.pop("read_model")
        out["projection_events_per_s"] = round(projected["events_per_s"])
        out["ratio"] = round(projected["events_per_s"] / (read / seconds), 3)
        out["projection"] = {**{k: (round(v, 2) if isinstance(v, float) else v) for k, v in projected.items()},
                             "what": "pedgrowth.indicators Projection into a fresh ReadModel (SQLite store) from "
                                     "the beginning until every message was applied; includes consumer start"}
        say(f"projection: {projected['read']} in {projected['seconds']:.1f} s = {projected['events_per_s']:,.0f}/s "
            f"(ratio {out['ratio']})")
        today = date.today()
        org = next(o.org_id for o in shape.orgs if o.kind == "school")
        out["compute_ms"] = compute_times(rm, shape.region_id, shape.municipalities[0], org,
                                          {"current": today, "past": date(today.year - 2, 12, 31)})
        out["bench_process_rss_mb_after_projection"] = memory_mb(__import__("os").getpid())
        await rm.store.close()
        del rm
        gc.collect()

        # 2. rebuild with the service's own function, into the store the service will then run on
        rebuilt = await phase("rebuild", rebuild(b, work / "indicators", expected), limit)
        out["rebuild_s"] = round(rebuilt["seconds"], 2)
        out["rebuild"] = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in rebuilt.items()}
        say(f"rebuild: {rebuilt['read']} in {rebuilt['seconds']:.1f} s")
        if args.skip_services:
            return out

        # 3-5. the services as processes on this broker
        rm_path = work / "indicators" / "indicators-read.sqlite"
        children = []
        try:
            indicators = svc.start_service("indicators", b, work, {"INDICATORS_READ_MODEL_URL": f"sqlite:///{rm_path}"})
            children.append(indicators)
            registry = svc.start_service("registry", b, work)
            children.append(registry)
            training = svc.start_service("training", b, work, {"TRAINING_FOLLOW_REGISTRY": "false"})
            children.append(training)
            for child in (registry, training):
                await svc.wait_ready(child)
            loaded_s = await svc.wait_loaded(indicators, shape)
            out["service_start"] = {"indicators_answers_after_s": round(loaded_s, 1),
                                    "what": "process start → first 200 from /api/v1/indicators: imports, "
                                            f"loading {expected} events from the SQLite read model into memory"}
            rss_loaded = svc.rss(indicators)
            say(f"indicators answers after {loaded_s:.1f} s; rss {rss_loaded}")
            out["service_start"]["then_idle_after_s"] = await svc.wait_idle(indicators)
            catalogue_s = await svc.publish_catalogue(training, shape, rm_path)
            say(f"catalogue through training to indicators in {catalogue_s:.1f} s")

            out["freshness"] = {}
            for rate in (200, 1000):
                fresh = await svc.freshness(b, rm_path, shape, rate, args.freshness_seconds, f"r{rate}",
                                            drain_timeout=args.drain_timeout, watch_cpu=(training, indicators))
                out["freshness"][str(rate)] = fresh
                say(f"freshness at {rate}/s: {fresh}")
                await svc.wait_idle(indicators)
            out["freshness_what"] = (
                "time.time() just before AIOKafkaProducer.send of a course_completed CloudEvent to training.inbox "
                "(acks=all, linger 0) → time.time() when a read-only poll (every 10 ms) of the indicators "
                "read-model store (SQLite rm_event) first shows it. The projection commits that row and feeds its "
                "batch to the engine; answers are looked up in the engine's sums, with no answer cache. "
                "Path: training inbox consumer → training event store → relay → training.events → projection.")
            out["freshness_p99_ms"] = out["freshness"]["1000"]["p99_ms"]
            out["freshness_p99_ms_by_rate"] = {rate: f["p99_ms"] for rate, f in out["freshness"].items()}
            rss_after_writes = svc.rss(indicators)

            # the yearly values and warm answers are recomputed after the writes: read once that is over
            out["reads_idle_wait_s"] = await svc.wait_idle(indicators)
            out["read_floor_health"] = await svc.health_floor(indicators, args.clients)
            out["reads"] = await svc.reads(indicators, shape, args.clients, args.reads_seconds)
            out["reads_paced"] = await svc.reads(indicators, shape, args.clients, args.reads_seconds, think=args.think)
            say(f"reads paced: {out['reads_paced']['all']}")
            worst = max(out["reads"]["by_class"].items(), key=lambda kv: kv[1]["p99_ms"] or 0)
            out["read_p99_ms"] = out["reads"]["all"]["p99_ms"]
            out["read_p99_ms_by_class"] = {k: v["p99_ms"] for k, v in out["reads"]["by_class"].items()}
            out["read_p99_ms_paced_by_class"] = {k: v["p99_ms"] for k, v in out["reads_paced"]["by_class"].items()}
            out["read_p99_worst_class"] = {"class": worst[0], "p99_ms": worst[1]["p99_ms"]}
            say(f"reads: {out['reads']['all']} worst {out['read_p99_worst_class']}")
            out.update(read_ratios(out["reads"], out["reads_paced"], out["read_floor_health"]))
            rss_end = svc.rss(indicators)
            out["indicators_rss_mb"] = {"after_load": rss_loaded, "after_freshness": rss_after_writes,
                                        "at_end": rss_end}
            out["peak_rss_mb"] = rss_end["VmHWM"]

            # a restart on the store the service has kept all along: stop it, start it, time the first answer
            indicators.stop()
            children.remove(indicators)
            indicators = svc.start_service("indicators", b, work, {"INDICATORS_READ_MODEL_URL": f"sqlite:///{rm_path}"})
            children.insert(0, indicators)
            out["restart_s"] = round(await svc.wait_loaded(indicators, shape), 2)
            out["restart"] = {"seconds": out["restart_s"], "rss_mb_after": svc.rss(indicators),
                              "what": "SIGTERM of the indicators process, then a new process on the same store "
                                      f"({expected} events and the freshness events): process start → first 200 "
                                      "from /api/v1/indicators for the region"}
            say(f"restart: answers after {out['restart_s']} s")
        except Exception as error:  # noqa: BLE001 - keep what was measured, say what failed
            out.setdefault("errors", []).append(f"services phase: {error!r}")
            say(f"services phase failed: {error!r}")
            if "indicators_rss_mb" not in out and children and children[0].alive():
                out["peak_rss_mb"] = svc.rss(children[0])["VmHWM"]
        finally:
            for child in reversed(children):
                child.stop()

    # 5. memory at several sizes (in-memory index only), extrapolated from the service's own peak
    sizes = args.memory_sizes or ([500, 1000, 2000] if args.quick else [5000, 10000, 20000])
    if out.get("peak_rss_mb") is None:
        return out
    points = [run_probe(n, args.years, shape.end) for n in sizes]
    slope, intercept, r2 = fit(points)
    national = out["peak_rss_mb"] + slope * (NATIONAL_STAFF - args.staff)
    out["memory"] = {
        "probes": points, "mb_per_1000_staff": round(slope * 1000, 2), "intercept_mb": round(intercept, 1),
        "r2": round(r2, 4), "national_staff": NATIONAL_STAFF, "national_peak_rss_mb_extrapolated": round(national),
        "how": "measured extrapolation: the indicators process's peak RSS at this size plus the slope of the "
               "in-memory index (bench.memory probes: Facts built from the same generated region at "
               f"{', '.join(map(str, sizes))} staff, each in its own process) times the missing staff"}
    out["peak_rss_mb_national_extrapolated"] = round(national)
    say(f"memory: {slope * 1000:.2f} MiB per 1000 staff (R² {r2:.4f}); national ≈ {national / 1024:.1f} GiB")
    if not args.skip_eval:
        say("region evaluation: the engine and the oracle on the same generated events")
        figures = await asyncio.to_thread(evaluation, args.staff, args.years)
        out.update({"region_eval_ms": figures["region_eval_ms"], "old_eval_ms": figures["old_eval_ms"],
                    "region_eval": figures})
        say(f"region answer {figures['region_eval_ms']} ms; the oracle {figures['old_eval_ms']} ms")
    return out


def read_ratios(closed: dict, paced: dict, floor: dict) -> dict:
    """The read goals as ratios to the `/health` floor of the same run, with the same clients."""
    def ratio(a, b):
        return round(a / b, 3) if a is not None and b else None

    return {"read_closed_ratio": ratio(closed["requests_per_s"], floor["requests_per_s"]),
            "read_closed_p99_ratio": ratio(closed["all"]["p99_ms"], floor["p99_ms"]),
            "read_paced_p99_ms": paced["all"]["p99_ms"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=None, help="pedagogical staff positions (default 40000)")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2,000 staff and short phases, for development")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--freshness-seconds", type=float, default=None)
    parser.add_argument("--reads-seconds", type=float, default=None)
    parser.add_argument("--think", type=float, default=0.5,
                        help="mean pause of a paced dashboard between requests, seconds")
    parser.add_argument("--drain-timeout", type=float, default=240.0)
    parser.add_argument("--memory-sizes", type=int, nargs="*", default=None)
    parser.add_argument("--skip-services", action="store_true", help="phases 0-2 only")
    parser.add_argument("--skip-eval", action="store_true", help="no region evaluation against the oracle")
    parser.add_argument("--skip-ingestion", action="store_true", help="no ingestion figures (bench/ingestion.py)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (stores, service logs)")
    parser.add_argument("--out", type=Path, default=None, help="results file stem (default bench/results/latest)")
    args = parser.parse_args(argv)
    args.staff = args.staff or (2000 if args.quick else 40_000)
    args.freshness_seconds = args.freshness_seconds or (5.0 if args.quick else 20.0)
    args.reads_seconds = args.reads_seconds or (5.0 if args.quick else 20.0)
    stem = args.out or RESULTS / ("quick" if args.quick else "latest")
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the broker and services on the way out
    work = Path(tempfile.mkdtemp(prefix="pedgrowth-bench-"))
    started = time.perf_counter()
    try:
        results = asyncio.run(run(args, work))
        results.update(ingestion.freshness_keys(results.get("freshness") or {}))
        if not (args.skip_ingestion or args.skip_services):
            results.update(asyncio.run(ingestion.measure(work / "ingestion", args.quick, say)))
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["bench_seconds"] = round(time.perf_counter() - started, 1)
    results["goals"] = goals(results) + ingestion.goals(results)
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    stem.with_suffix(".md").write_text(markdown(results))
    say(f"wrote {stem.with_suffix('.json')} and {stem.with_suffix('.md')} in {results['bench_seconds']} s")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
