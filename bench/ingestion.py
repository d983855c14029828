"""`python -m bench.ingestion [--quick]`: the ingestion figures of issue 10 (also run by `make bench`).

Every service is a child process as deployed (``pedgrowth-<name>``'s main), each measurement on
a broker of its own (a Tansu per measurement, or KAFKA_BOOTSTRAP_SERVERS, then expected empty).

- ``recording_ratio``: one training process on SQLite records course completions from
  ``training.inbox``; recorded/s (first to last completion with a final outcome, read from the
  process's /metrics) over the raw consume-and-``json.loads`` rate of the same topic, same run.
- ``recording_pg_replicas_speedup``: the same on one PostgreSQL schema, two training processes
  in the consumer group against one (4 partitions, so two replicas split them evenly).
- ``two_hop_p99_ms``: the raw floor of a freshness path, same run: a producer sends to one
  topic at 1,000/s, a consumer forwards each message to a second topic, a consumer there takes
  it; send → arrival, with the services' fetch wait (KAFKA_FETCH_MAX_WAIT_MS, 50 ms).
- ``bulk_load_s``, ``bulk_load_dlq``: how a region starts. Organisations and their employments
  (40,000; 4,000 with ``--quick``) published to ``registry.inbox`` in random order, keyed by
  subject (so a hire often comes before its school, on another partition) → seconds until the
  indicators read model holds every employment; letters on ``registry.inbox.dlq`` (must be 0).
Results: bench/results/ingestion.json (``--quick``: ingestion-quick.json), and the keys in
bench/results/latest.json when bench/run.py calls ``measure``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import sqlite3
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from psycopg import sql

from pedgrowth.contracts import REGISTRY_INBOX, TRAINING_INBOX, dlq_topic, new_event
from pedgrowth.contracts.registry import EmploymentStarted, OrganizationRegistered
from pedgrowth.contracts.training import CourseCompleted, ProgramPublished, ProviderRegistered
from pedgrowth.kit.config import ServiceSettings
from pedgrowth.kit.kafka import ensure_topics, high_watermarks

from . import broker as kafka
from . import services as svc
from .events import Message
from .util import cpu_seconds, machine, summary

RESULTS = Path(__file__).parent / "results"
PG_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
OUTCOME = re.compile(r'^pedgrowth_inbox_messages_total\{(?P<labels>[^}]*)\} (?P<value>\S+)$', re.M)
CATALOGUE_PROGRAMMES = 20


@dataclass(frozen=True)
class Sizes:
    """How much each measurement sends (``--quick``: a tenth)."""

    completions: int = 20_000
    people: int = 5_000
    employments: int = 40_000
    staff_per_org: int = 40
    hop_seconds: float = 10.0

    @staticmethod
    def of(quick: bool) -> Sizes:
        return Sizes(2_000, 500, 4_000, 40, 3.0) if quick else Sizes()


# --- the facts ------------------------------------------------------------------------------------------------

def catalogue() -> list[Message]:
    """The provider and the programmes the completions name (recorded before the clock starts)."""
    facts = [ProviderRegistered(provider_id="prov-1", name="ИРО", kind="regional_institute")]
    facts += [ProgramPublished(program_id=f"prog-{p}", provider_id="prov-1", title=f"Программа {p}",
                               kind="advanced_training", hours=36, format="distance", in_federal_registry=True)
              for p in range(CATALOGUE_PROGRAMMES)]
    return [message(TRAINING_INBOX, data, "/bench/imc") for data in facts]


def completions(count: int, people: int) -> list[Message]:
    """``count`` course completions by ``people`` persons, each (person, programme, day) once."""
    first = date(2020, 1, 1)
    return [message(TRAINING_INBOX, CourseCompleted(
        person_id=f"p-{i % people}", program_id=f"prog-{i % CATALOGUE_PROGRAMMES}",
        completed_on=first + timedelta(days=i // people)), f"/bench/school-{i % 7}") for i in range(count)]


def region_start(employments: int, staff_per_org: int, seed: int = 10) -> list[Message]:
    """Organisations and their employments in random order, each keyed by its subject."""
    orgs = max(1, employments // staff_per_org)
    facts: list = [OrganizationRegistered(
        org_id=f"org-{o}", name=f"Школа № {o}", kind="school", municipality_id=f"mun-{o % 10}",
        municipality_name=f"Район {o % 10}", region_id="reg-bench", region_name="Область") for o in range(orgs)]
    facts += [EmploymentStarted(
        person_id=f"t-{e}", org_id=f"org-{e % orgs}", position="teacher", started_on=date(2024, 9, 1),
        pedagogical_experience_since=date(2000 + e % 24, 9, 1)) for e in range(employments)]
    random.Random(seed).shuffle(facts)
    return [message(REGISTRY_INBOX, data, "/bench/hr") for data in facts]


def message(topic: str, data, source: str) -> Message:
    event = new_event(data, source=source, id=str(uuid.uuid4()))
    return Message(topic, (event.subject or "").encode(), event.to_bytes())


# --- the broker -----------------------------------------------------------------------------------------------

def settings_of(b: kafka.Broker, partitions: int) -> ServiceSettings:
    return ServiceSettings(kafka_bootstrap_servers=b.bootstrap, kafka_enable_idempotence=b.idempotence,
                           kafka_topic_partitions=partitions)


async def raw_rate(b: kafka.Broker, topic: str, expected: int) -> float:
    """Events/s of one consumer that reads ``topic`` from the start and ``json.loads`` every value."""
    consumer = AIOKafkaConsumer(bootstrap_servers=b.bootstrap, enable_auto_commit=False,
                                max_partition_fetch_bytes=4 * 1024 * 1024)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # noqa: SLF001 - no public refresh
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        started, count = time.perf_counter(), 0
        while count < expected:
            for items in (await consumer.getmany(timeout_ms=100, max_records=2000)).values():
                for record in items:
                    json.loads(record.value)
                count += len(items)
        return count / (time.perf_counter() - started)
    finally:
        await consumer.stop()


async def letters(b: kafka.Broker, topic: str) -> int:
    """How many messages ``topic`` holds (0 when it does not exist)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=b.bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # noqa: SLF001
        found = consumer.partitions_for_topic(topic) or set()
        ends = await high_watermarks(consumer, {TopicPartition(topic, p): 0 for p in found})
        return sum(ends.values())
    finally:
        await consumer.stop()


# --- the services ---------------------------------------------------------------------------------------------

async def final_outcomes(children: list[svc.Child], client: httpx.AsyncClient) -> int:
    """Inbound events with a final outcome (accepted, duplicate, rejected; not waiting), summed over children."""
    total = 0
    for child in children:
        text = (await client.get(f"{child.url}/metrics")).text
        for found in OUTCOME.finditer(text):
            if 'outcome="waiting"' not in found["labels"]:
                total += float(found["value"])
    return int(total)


async def until_outcomes(children: list[svc.Child], count: int, timeout: float, poll: float = 0.05) -> list[float]:
    """Wait until ``count`` events have a final outcome; the times (perf_counter) each new total was seen."""
    seen: list[float] = []
    deadline = time.perf_counter() + timeout
    last = -1
    async with httpx.AsyncClient(timeout=10) as client:
        while True:
            done = await final_outcomes(children, client)
            if done != last:
                seen.append(time.perf_counter())
                last = done
            if done >= count:
                return seen
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{done}/{count} recorded after {timeout} s; see {children[0].log}")
            await asyncio.sleep(poll)


@contextlib.asynccontextmanager
async def started(name: str, b: kafka.Broker, work: Path, extra: dict[str, str], replicas: int = 1):
    children = [svc.start_service(name, b, work / f"r{n}", extra) for n in range(replicas)]
    try:
        for child in children:
            await svc.wait_ready(child)
        yield children
    finally:
        for child in children:
            child.stop()


async def recording(work: Path, sizes: Sizes, replicas: int = 1, database_url: str | None = None) -> dict:
    """Training (``replicas`` processes) records the completions; its rate, and the raw rate of the same topic."""
    extra = {"TRAINING_FOLLOW_REGISTRY": "false", "KAFKA_TOPIC_PARTITIONS": "4"}
    if database_url:
        extra["TRAINING_DATABASE_URL"] = database_url
    with kafka.broker() as b:
        await ensure_topics(settings_of(b, 4), [TRAINING_INBOX])
        first = catalogue()
        facts = completions(sizes.completions, sizes.people)
        async with started("training", b, work, extra, replicas) as children:
            await asyncio.sleep(3.0)  # the group's join (session timeout 2 s on Tansu) before anything is sent
            await kafka.produce(b, first)
            await until_outcomes(children, len(first), 120)
            cpu_before = [cpu_seconds(child.process.pid) for child in children]
            produce_s = await kafka.produce(b, facts)
            seen = await until_outcomes(children, len(first) + len(facts), 600)
            cpu = [round(cpu_seconds(child.process.pid) - before, 2) for child, before in zip(children, cpu_before)]
            async with httpx.AsyncClient(timeout=10) as client:
                by_replica = [await final_outcomes([child], client) for child in children]
        raw = await raw_rate(b, TRAINING_INBOX, len(first) + len(facts))
    seconds = seen[-1] - seen[0]
    rate = (len(facts) / seconds) if seconds > 0 else None
    return {"replicas": replicas, "store": "postgresql" if database_url else "sqlite", "completions": len(facts),
            "people": sizes.people, "produce_s": round(produce_s, 2), "recording_s": round(seconds, 2),
            "recorded_per_s": round(rate) if rate else None, "raw_per_s": round(raw),
            "ratio": round(rate / raw, 4) if rate else None, "by_replica": by_replica,
            "cpu_seconds_by_replica": cpu, "load_average_at_end": list(os.getloadavg()), "broker": b.what}


async def two_hop(seconds: float, rate: int = 1000, fetch_max_wait_ms: int = 50) -> dict:
    """Send → forward → arrive through two topics at ``rate``/s: what the broker alone costs two hops."""
    first, second = "bench.hop.first", "bench.hop.second"
    latencies: list[float] = []
    count = int(rate * seconds)
    with kafka.broker() as b:
        await ensure_topics(settings_of(b, 3), [first, second])
        producer = AIOKafkaProducer(bootstrap_servers=b.bootstrap, acks="all", enable_idempotence=b.idempotence,
                                    linger_ms=0)
        forwarder = AIOKafkaProducer(bootstrap_servers=b.bootstrap, acks="all", enable_idempotence=b.idempotence,
                                     linger_ms=0)
        consumers = [AIOKafkaConsumer(bootstrap_servers=b.bootstrap, fetch_max_wait_ms=fetch_max_wait_ms,
                                      enable_auto_commit=False, auto_offset_reset="earliest") for _ in range(2)]
        for client in (producer, forwarder, *consumers):
            await client.start()
        try:
            for consumer, topic in zip(consumers, (first, second), strict=True):
                await consumer._client.force_metadata_update()  # noqa: SLF001
                consumer.assign([TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))])

            async def forward() -> None:
                while True:
                    batch = await consumers[0].getmany(timeout_ms=100)
                    for items in batch.values():
                        for record in items:
                            await forwarder.send(second, record.value, key=record.key)

            async def arrive() -> None:
                while len(latencies) < count:
                    batch = await consumers[1].getmany(timeout_ms=100)
                    now = time.time()
                    latencies.extend((now - float(r.value)) * 1000 for items in batch.values() for r in items)

            tasks = [asyncio.create_task(forward()), asyncio.create_task(arrive())]
            await asyncio.sleep(0.5)
            t0 = time.perf_counter()
            for i in range(count):
                delay = t0 + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                await producer.send(first, str(time.time()).encode(), key=str(i).encode())
            await asyncio.wait_for(tasks[1], 60)
            tasks[0].cancel()
        finally:
            for client in (producer, forwarder, *consumers):
                await client.stop()
    return {"rate_per_s": rate, "fetch_max_wait_ms": fetch_max_wait_ms, "broker": b.what, **summary(latencies)}


def employments_counted(path: Path) -> int:
    """Employments the indicators read model holds (its SQLite store, read-only)."""
    if not path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        try:
            return conn.execute("SELECT count(*) FROM rm_event WHERE type = ?", (EMPLOYMENT_TYPE,)).fetchone()[0]
        except sqlite3.OperationalError:  # not created yet
            return 0


EMPLOYMENT_TYPE = "pedgrowth.registry.employment_started.v1"


async def bulk_load(work: Path, sizes: Sizes, timeout: float = 1800) -> dict:
    """A region's start: organisations and employments in random order → every employment counted."""
    facts = region_start(sizes.employments, sizes.staff_per_org)
    rm_path = work / "indicators" / "indicators-read.sqlite"
    with kafka.broker() as b:
        registry = svc.start_service("registry", b, work)
        indicators = svc.start_service("indicators", b, work, {"INDICATORS_READ_MODEL_URL": f"sqlite:///{rm_path}"})
        try:
            for child in (registry, indicators):
                await svc.wait_ready(child)
            await asyncio.sleep(3.0)  # the consumer groups' join
            started_at = time.perf_counter()
            await kafka.produce(b, facts)
            while (counted := await asyncio.to_thread(employments_counted, rm_path)) < sizes.employments:
                if time.perf_counter() - started_at > timeout or not (registry.alive() and indicators.alive()):
                    raise TimeoutError(f"{counted}/{sizes.employments} employments counted; see {registry.log}")
                await asyncio.sleep(0.2)
            seconds = time.perf_counter() - started_at
            dead = await letters(b, dlq_topic("registry"))
        finally:
            for child in (indicators, registry):
                child.stop()
    return {"employments": sizes.employments, "organisations": len(facts) - sizes.employments,
            "seconds": round(seconds, 1), "dlq": dead, "broker": b.what,
            "what": "produce (acks=all) of the shuffled facts → the indicators read model (SQLite rm_event) holds "
                    "every employment_started; registry and indicators are processes on this broker"}


# --- the whole --------------------------------------------------------------------------------------------------

async def measure(work: Path, quick: bool = False, say=print) -> dict:
    """Every figure above, into one dict whose top-level keys are the ones latest.json carries."""
    sizes = Sizes.of(quick)
    out: dict = {"ingestion": {"sizes": sizes.__dict__}}
    detail = out["ingestion"]
    detail["recording_sqlite"] = sqlite = await recording(work / "sqlite", sizes)
    out["recording_ratio"] = sqlite["ratio"]
    say(f"recording (SQLite, one process): {sqlite}")
    try:
        for replicas in (1, 2):
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            try:
                found = await recording(work / f"pg{replicas}", sizes, replicas, f"{PG_URL}?schema={schema}")
            finally:
                drop_schema(schema)
            detail[f"recording_pg_{replicas}"] = found
            say(f"recording (PostgreSQL, {replicas} replica(s)): {found}")
        one, two = detail["recording_pg_1"]["recorded_per_s"], detail["recording_pg_2"]["recorded_per_s"]
        out["recording_pg_replicas_speedup"] = round(two / one, 3) if one and two else None
    except (OSError, RuntimeError, TimeoutError, psycopg.OperationalError) as error:  # say so, measure the rest
        detail["recording_pg_error"] = repr(error)
        say(f"recording on PostgreSQL failed: {error!r}")
    detail["two_hop"] = hop = await two_hop(sizes.hop_seconds)
    out["two_hop_p99_ms"] = hop["p99_ms"]
    say(f"two hops: {hop}")
    detail["bulk_load"] = bulk = await bulk_load(work / "bulk", sizes)
    out["bulk_load_s"], out["bulk_load_dlq"] = bulk["seconds"], bulk["dlq"]
    say(f"bulk load: {bulk}")
    return out


def drop_schema(schema: str) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def freshness_keys(freshness: dict) -> dict:
    """The freshness goals of issue 10 from run.py's freshness phase: p99 at 200/s beside the one at 1,000/s."""
    at_200 = freshness.get("200") or {}
    return {"freshness_200_p99_ms": at_200.get("p99_ms")}


def goals(r: dict) -> list[dict]:
    """The goals of issue 10, each judged in the run that measured it."""
    from .report import _goal

    sizes = (r.get("ingestion") or {}).get("sizes") or {}
    dlq = r.get("bulk_load_dlq")
    note = f"{sizes.get('completions')} completions, {sizes.get('employments')} employments" if sizes else ""
    return [
        _goal("recording / raw consume ratio ≥ 0.1 (one training process, SQLite)", r.get("recording_ratio"), 0.1,
              True, "ratio", note),
        _goal("two PostgreSQL replicas ≥ 1.7 × one", r.get("recording_pg_replicas_speedup"), 1.7, True, "ratio",
              (r.get("ingestion") or {}).get("recording_pg_error", "")),
        _goal("freshness p99 ≤ 300 ms at 200 events/s", r.get("freshness_200_p99_ms"), 300.0, False, "ms",
              f"two-hop broker floor p99 {r.get('two_hop_p99_ms')} ms"),
        {"goal": "bulk load: every employment counted, nothing on the DLQ", "target": 0, "unit": "letters",
         "measured": dlq, "met": dlq == 0, "by": "not measured" if dlq is None else f"{dlq} letters",
         "note": f"{sizes.get('employments')} employments counted in {r.get('bulk_load_s')} s"},
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ingestion", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes, for development")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out_path = args.out or RESULTS / ("ingestion-quick.json" if args.quick else "ingestion.json")
    with tempfile.TemporaryDirectory(prefix="bench-ingestion-", ignore_cleanup_errors=True) as work:
        result = {"machine": machine(), **asyncio.run(measure(Path(work), args.quick))}
    out_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("machine", "ingestion")}))


if __name__ == "__main__":
    main()
