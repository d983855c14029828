"""Phases 3-5 against the real services, each a child process (uvicorn) on the bench broker."""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer

from pedgrowth.contracts import TRAINING_INBOX, new_event
from pedgrowth.contracts.training import CourseCompleted, ProgramPublished, ProviderRegistered
from pedgrowth.kit.auth import Role, Tokens

from .broker import Broker, free_port
from .region import RegionShape
from .util import cpu_seconds, memory_mb, summary

SECRET = "bench-secret-not-for-production-use"
COURSE_TYPE = "pedgrowth.training.course_completed.v1"
PROGRAM_TYPE = "pedgrowth.training.program_published.v1"
MARK = "BF-"  # certificate numbers of the freshness events


@dataclass
class Child:
    name: str
    port: int
    process: subprocess.Popen
    log: Path
    started: float = field(default_factory=time.perf_counter)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_service(name: str, b: Broker, work: Path, extra: dict[str, str] | None = None) -> Child:
    """``pedgrowth-<name>`` as its console command runs it, configured through the environment."""
    port = free_port()
    prefix = name.upper()
    env = dict(os.environ)
    env.update({
        "KAFKA_BOOTSTRAP_SERVERS": b.bootstrap, "KAFKA_ENABLE_IDEMPOTENCE": str(b.idempotence).lower(),
        "PEDGROWTH_TOKEN_SECRET": SECRET, f"{prefix}_DATA_DIR": str(work / name), f"{prefix}_HTTP_PORT": str(port),
    })
    if b.process is not None:  # Tansu: consumer groups join in ~1 s with a short session timeout (as the tests)
        env["KAFKA_SESSION_TIMEOUT_MS"] = "2000"
    env.update(extra or {})
    (work / name).mkdir(parents=True, exist_ok=True)
    log = work / f"{name}.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", f"from pedgrowth.{name}.entrypoints.main import main; main()"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return Child(name, port, process, log)


async def wait_ready(child: Child, timeout: float = 180) -> float:
    """Seconds from the child's start until GET /ready answers 200."""
    deadline = time.perf_counter() + timeout
    async with httpx.AsyncClient(timeout=5) as client:
        while True:
            if not child.alive():
                raise RuntimeError(f"{child.name} exited; see {child.log}")
            try:
                if (await client.get(f"{child.url}/ready")).status_code == 200:
                    return time.perf_counter() - child.started
            except httpx.HTTPError:
                pass
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{child.name} not ready after {timeout} s; see {child.log}")
            await asyncio.sleep(0.2)


def token(shape: RegionShape, role: Role = Role.REGIONAL_ANALYST) -> str:
    return Tokens(SECRET).issue("bench", role, region_id=shape.region_id)


async def wait_loaded(child: Child, shape: RegionShape, timeout: float = 600) -> float:
    """Seconds from the child's start until the indicators API answers (its read model is loaded)."""
    headers = {"Authorization": f"Bearer {token(shape)}"}
    deadline = time.perf_counter() + timeout
    async with httpx.AsyncClient(timeout=70) as client:
        while True:
            if not child.alive():
                raise RuntimeError(f"{child.name} exited; see {child.log}")
            try:
                r = await client.get(f"{child.url}/api/v1/indicators", params={"scope": f"region:{shape.region_id}"},
                                     headers=headers)
                if r.status_code == 200:
                    return time.perf_counter() - child.started
            except httpx.HTTPError:
                pass
            if time.perf_counter() > deadline:
                raise TimeoutError(f"indicators not loaded after {timeout} s; see {child.log}")
            await asyncio.sleep(0.5)


class ReadModelWatch:
    """Follows the indicators read-model store (SQLite, read-only) for rows newer than where it started."""

    def __init__(self, path: Path):
        self.path = path
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self.after = self.conn.execute("SELECT coalesce(max(rowid), 0) FROM rm_event").fetchone()[0]

    def new_rows(self, event_type: str, with_time: bool = False) -> list:
        rows = self.conn.execute("SELECT rowid, data, time FROM rm_event WHERE rowid > ? AND type = ? ORDER BY rowid",
                                 (self.after, event_type)).fetchall()
        if rows:
            self.after = rows[-1][0]
        if with_time:
            return [(json.loads(d), t) for _, d, t in rows]
        return [json.loads(d) for _, d, _ in rows]

    def max_rowid(self) -> int:
        return self.conn.execute("SELECT coalesce(max(rowid), 0) FROM rm_event").fetchone()[0]

    def close(self) -> None:
        self.conn.close()


async def publish_catalogue(training: Child, shape: RegionShape, rm_path: Path, timeout: float = 120) -> float:
    """Give training the region's providers and programmes (POST /api/v1/events), wait until indicators has them."""
    watch = ReadModelWatch(rm_path)
    events = [new_event(ProviderRegistered(**p), source="/imc/bench", id=f"bench-prov-{p['provider_id']}").to_json()
              for p in shape.providers]
    events += [new_event(ProgramPublished(**p), source="/imc/bench", id=f"bench-prog-{p['program_id']}").to_json()
               for p in shape.programs]
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {Tokens(SECRET).issue('bench', Role.ADMIN)}"}
    async with httpx.AsyncClient(timeout=60) as client:
        r = await client.post(f"{training.url}/api/v1/events", json=events, headers=headers)
        r.raise_for_status()
    seen: set[str] = set()
    wanted = {p["program_id"] for p in shape.programs}
    while not wanted <= seen:
        seen |= {d["program_id"] for d in await asyncio.to_thread(watch.new_rows, PROGRAM_TYPE)}
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"the programmes did not reach the indicators read model in {timeout} s")
        await asyncio.sleep(0.1)
    watch.close()
    return time.perf_counter() - started


USED: set[tuple[str, str, date]] = set()


def freshness_events(shape: RegionShape, count: int, label: str, seed: int) -> list[tuple[str, bytes, bytes]]:
    """course_completed events for staff of the region, of programmes training knows; (certificate, key, value).

    (person, programme, day) never repeats: training answers a second completion of the same programme
    on the same day with another certificate as a conflict (DLQ), which is not what is measured here.
    """
    rng = random.Random(seed)
    orgs_of = dict(shape.active)
    people = [p for p, _ in shape.active]
    programs = [p["program_id"] for p in shape.programs]
    today = date.today()
    out = []
    for n in range(count):
        while True:
            person, program = rng.choice(people), rng.choice(programs)
            on = today - timedelta(days=rng.randint(0, 60))
            if (person, program, on) not in USED:
                USED.add((person, program, on))
                break
        certificate = f"{MARK}{label}-{n}"
        data = CourseCompleted(person_id=person, program_id=program, completed_on=on, certificate_number=certificate)
        event = new_event(data, source=f"/school/{orgs_of[person]}/hr", id=str(uuid.uuid4()))
        out.append((certificate, person.encode(), event.to_bytes()))
    return out


async def freshness(b: Broker, rm_path: Path, shape: RegionShape, rate: int, seconds: float, label: str,
                    drain_timeout: float = 120, poll: float = 0.01, watch_cpu: tuple[Child, ...] = ()) -> dict:
    """Send course_completed to training.inbox at ``rate``/s; time each from the send until the indicators
    read-model store holds it (the transaction the projection commits just before adding it to the index)."""
    events = freshness_events(shape, int(rate * seconds), label, seed=rate)
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    recorded: dict[str, float] = {}  # the CloudEvent time training's relay gives it: when training recorded it
    watch = ReadModelWatch(rm_path)
    done_sending = asyncio.Event()

    async def follow() -> None:
        while True:
            rows = await asyncio.to_thread(watch.new_rows, COURSE_TYPE, True)
            now = time.time()
            for d, at in rows:
                cert = d.get("certificate_number") or ""
                if cert.startswith(MARK) and cert not in seen:
                    seen[cert] = now
                    recorded[cert] = datetime.fromisoformat(at).timestamp()
            if done_sending.is_set() and len(seen) >= len(events):
                return
            await asyncio.sleep(poll)

    producer = AIOKafkaProducer(bootstrap_servers=b.bootstrap, acks="all", enable_idempotence=b.idempotence,
                                linger_ms=0)
    await producer.start()
    cpu_before = {c.name: cpu_seconds(c.process.pid) for c in watch_cpu}
    wall_before = time.perf_counter()
    follower = asyncio.create_task(follow())
    futures = []
    try:
        t0 = time.perf_counter()
        behind = 0.0
        for i, (certificate, key, value) in enumerate(events):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                behind = max(behind, -delay)
            sent[certificate] = time.time()
            futures.append(await producer.send(TRAINING_INBOX, value=value, key=key))
        await asyncio.gather(*futures)
        send_seconds = time.perf_counter() - t0
        done_sending.set()
        try:
            await asyncio.wait_for(follower, drain_timeout)
        except TimeoutError:
            pass
    finally:
        follower.cancel()
        await producer.stop()
        watch.close()
    wall = time.perf_counter() - wall_before
    cpu = {name: round((cpu_seconds(c.process.pid) - cpu_before[name]) / wall, 2)
           for name, c in ((c.name, c) for c in watch_cpu) if c.alive()}
    latencies = [(seen[c] - sent[c]) * 1000 for c in sent if c in seen]
    inbox_part = [(recorded[c] - sent[c]) * 1000 for c in sent if c in seen]
    projection_part = [(seen[c] - recorded[c]) * 1000 for c in sent if c in seen]
    delivered = (max(seen.values()) - min(sent.values())) if seen else None
    result = {"delivered_per_s": round(len(seen) / delivered, 1) if delivered else None,"rate_per_s": rate, "sent": len(sent), "achieved_send_rate_per_s": round(len(sent) / send_seconds, 1),
              "max_send_lag_ms": round(behind * 1000, 1), "arrived": len(latencies),
              "missing_after_drain": len(sent) - len(latencies), "poll_interval_ms": poll * 1000}
    result.update(summary(latencies))
    result["send_to_recorded_by_training"] = summary(inbox_part)
    result["recorded_to_read_model"] = summary(projection_part)
    result["cpu_cores_used"] = cpu
    return result


def read_targets(shape: RegionShape, today: date) -> dict[str, list]:
    past = [date(y, 12, 31) for y in range(shape.end.year - 3, shape.end.year)]
    schools = [o.org_id for o in shape.orgs]
    return {"scopes": {"region": [f"region:{shape.region_id}"],
                       "municipality": [f"municipality:{m}" for m in shape.municipalities],
                       "organization": [f"organization:{o}" for o in schools]},
            "dates": {"current": [None], "past": past}}


async def reads(indicators: Child, shape: RegionShape, clients: int = 50, seconds: float = 20.0,
                think: float = 0.0, seed: int = 1) -> dict:
    """``clients`` dashboards, each with its own connection, GET /api/v1/indicators for random scopes and dates.

    ``think`` = 0: each sends its next request as soon as the last is answered (50 always in flight);
    otherwise each waits a random 0..2×``think`` seconds between requests, as a person at a dashboard would.
    """
    targets = read_targets(shape, date.today())
    classes = [(kind, when) for kind in targets["scopes"] for when in targets["dates"]]
    headers = {"Authorization": f"Bearer {token(shape)}"}
    latencies: dict[tuple[str, str], list[float]] = {c: [] for c in classes}
    errors: dict[str, int] = {}
    ready = asyncio.Event()
    warmed = 0

    async def dashboard(n: int) -> None:
        nonlocal warmed
        rng = random.Random(seed * 1000 + n)
        i = n
        async with httpx.AsyncClient(base_url=indicators.url, headers=headers, timeout=60) as client:
            await client.get("/health")  # connect before the clock starts
            warmed += 1
            if warmed == clients:
                ready.set()
            await ready.wait()
            stop_at = time.perf_counter() + seconds
            if think:  # people do not all click at the same moment
                await asyncio.sleep(rng.uniform(0, 2 * think))
            while time.perf_counter() < stop_at:
                kind, when = classes[i % len(classes)]
                i += 1
                params = {"scope": rng.choice(targets["scopes"][kind])}
                as_of = rng.choice(targets["dates"][when])
                if as_of is not None:
                    params["as_of"] = as_of.isoformat()
                t = time.perf_counter()
                try:
                    r = await client.get("/api/v1/indicators", params=params)
                    status = r.status_code
                except httpx.HTTPError as error:
                    status = type(error).__name__
                elapsed = (time.perf_counter() - t) * 1000
                if status == 200:
                    latencies[(kind, when)].append(elapsed)
                else:
                    errors[str(status)] = errors.get(str(status), 0) + 1
                if think:
                    await asyncio.sleep(rng.uniform(0, 2 * think))

    metrics_before = await scrape(indicators, ("pedgrowth_http_request_duration_seconds",))
    started = time.perf_counter()
    await asyncio.gather(*(dashboard(n) for n in range(clients)))
    wall = time.perf_counter() - started
    metrics_after = await scrape(indicators, ("pedgrowth_http_request_duration_seconds",))
    every = [x for values in latencies.values() for x in values]
    return {"clients": clients, "think_s": think, "seconds": round(wall, 1), "requests": len(every),
            "server_mean_ms": server_mean_ms(metrics_before, metrics_after, "/api/v1/indicators"),
            "requests_per_s": round(len(every) / wall, 1), "errors": errors, "all": summary(every),
            "by_class": {f"{kind}/{when}": summary(values) for (kind, when), values in latencies.items()},
            "distinct_keys": {k: len(v) for k, v in targets["scopes"].items()},
            "past_dates": [d.isoformat() for d in targets["dates"]["past"]]}


async def health_floor(indicators: Child, clients: int = 50, seconds: float = 3.0) -> dict:
    """The same clients against GET /health: the floor HTTP, the server and the client put under any answer."""
    latencies: list[float] = []

    async def one() -> None:
        async with httpx.AsyncClient(base_url=indicators.url, timeout=30) as client:
            await client.get("/health")
            stop_at = time.perf_counter() + seconds
            while time.perf_counter() < stop_at:
                t = time.perf_counter()
                r = await client.get("/health")
                if r.status_code == 200:
                    latencies.append((time.perf_counter() - t) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(clients)))
    return {**summary(latencies), "requests_per_s": round(len(latencies) / (time.perf_counter() - started), 1)}


async def wait_idle(child: Child, busy: float = 0.1, window: float = 1.0, timeout: float = 120) -> float:
    """Wait until the child uses less than ``busy`` of a core over ``window`` (its background refreshes done);
    returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        before = cpu_seconds(child.process.pid)
        await asyncio.sleep(window)
        if cpu_seconds(child.process.pid) - before < busy * window:
            break
    return round(time.perf_counter() - started, 1)


async def scrape(child: Child, prefixes: tuple[str, ...]) -> dict[str, float]:
    """Selected samples of the child's /metrics, by their full text name (with labels)."""
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(f"{child.url}/metrics")).text
    out = {}
    for line in text.splitlines():
        if line.startswith(prefixes):
            name, _, value = line.rpartition(" ")
            try:
                out[name] = float(value)
            except ValueError:
                pass
    return out


def server_mean_ms(before: dict[str, float], after: dict[str, float], route: str) -> float | None:
    """Mean server-side time of a route between two scrapes (the kit's request duration histogram)."""
    def pick(d, suffix):
        return sum(v for k, v in d.items() if k.startswith(f"pedgrowth_http_request_duration_seconds_{suffix}")
                   and f'route="{route}"' in k)
    count = pick(after, "count") - pick(before, "count")
    return round((pick(after, "sum") - pick(before, "sum")) / count * 1000, 2) if count else None


def rss(child: Child) -> dict[str, float]:
    return memory_mb(child.process.pid)
