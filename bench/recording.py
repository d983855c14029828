"""`python -m bench.recording [--events 20000]`: recording throughput of one training process (SQLite).

Course completions are published to ``training.inbox`` first; then, in the same run and on
the same topic, (1) the raw baseline: one consumer that only ``json.loads`` every message,
(2) one training service in this process (its Kafka inbox, SQLite store, relay running)
recording them. ``recording_ratio`` = recorded/s ÷ raw events/s. The recording rate is
taken between the first and the last recorded message (the consumer group's join is not in
it). Results: bench/results/recording.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from pedgrowth.contracts import TRAINING_INBOX

from . import broker as kafka
from .events import Message
from .ingestion import catalogue, completions, raw_rate
from .util import machine

RESULTS = Path(__file__).parent / "results"


def messages(count: int, people: int) -> list[Message]:
    """The provider and the programmes, then ``count`` completions by ``people`` persons (bench/ingestion.py's)."""
    return catalogue() + completions(count, people)


async def recording_rate(b: kafka.Broker, expected: int, data_dir: Path, batch: int) -> dict:
    """Run training in this process until it has taken in ``expected`` inbox messages."""
    from pedgrowth.training.bootstrap import build
    from pedgrowth.training.config import TrainingSettings

    settings = TrainingSettings(data_dir=data_dir, kafka_bootstrap_servers=b.bootstrap,
                                kafka_enable_idempotence=b.idempotence, kafka_session_timeout_ms=2000,
                                follow_registry=False, inbox_batch_size=batch, token_secret="bench-" + "x" * 40)
    app = build(settings)
    service = app.state.service
    counter = service.metrics.inbox_messages

    def taken() -> float:
        return sum(s.value for m in counter.collect() for s in m.samples if s.name.endswith("_total"))

    async with app.router.lifespan_context(app):
        first = None
        while True:
            done = taken()
            if done and first is None:
                first = (time.perf_counter(), done)
            if done >= expected:
                break
            await asyncio.sleep(0.01)
        last = time.perf_counter()
    seconds = last - first[0]
    return {"taken": int(done), "seconds": round(seconds, 2), "events_per_s": round((done - first[1]) / seconds)}


async def run(args: argparse.Namespace) -> dict:
    out: dict = {"events": args.events, "people": args.people, "inbox_batch_size": args.batch, "machine": machine()}
    with kafka.broker() as b, tempfile.TemporaryDirectory(prefix="bench-recording-", ignore_cleanup_errors=True) as work:
        from pedgrowth.kit.kafka import ensure_topics

        out["broker"] = b.what
        await ensure_topics(b.settings(), [TRAINING_INBOX])
        batch = messages(args.events, args.people)
        out["produce_s"] = round(await kafka.produce(b, batch), 2)
        print(f"produced {len(batch)} in {out['produce_s']} s", flush=True)
        raw = await raw_rate(b, TRAINING_INBOX, len(batch))
        print(f"raw: {raw:,.0f}/s", flush=True)
        out["raw_events_per_s"] = round(raw)
        recorded = await recording_rate(b, len(batch), Path(work), args.batch)
        out["recording"] = recorded
        out["recording_ratio"] = round(recorded["events_per_s"] / out["raw_events_per_s"], 4)
    return out


async def profiled(args: argparse.Namespace) -> dict:
    """The same run under cProfile; ``asyncio.to_thread`` runs inline so the store's work is in the profile."""
    import cProfile
    import pstats

    async def inline(function, /, *a, **kw):
        return function(*a, **kw)

    profile = cProfile.Profile()
    asyncio.to_thread, original = inline, asyncio.to_thread
    profile.enable()
    try:
        result = await run(args)
    finally:
        profile.disable()
        asyncio.to_thread = original
    with args.profile.open("w") as out:
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(60)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=500, help="the inbox's batch size (TRAINING_INBOX_BATCH_SIZE)")
    parser.add_argument("--out", type=Path, default=RESULTS / "recording.json")
    parser.add_argument("--profile", type=Path, default=None,
                        help="write a cProfile of the recording phase here (store calls run inline, in one thread)")
    args = parser.parse_args()
    result = asyncio.run(profiled(args) if args.profile else run(args))
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: result[k] for k in ("raw_events_per_s", "recording", "recording_ratio")}))


if __name__ == "__main__":
    main()
