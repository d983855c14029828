"""kill -9 through `pedgrowth up` on the embedded default (Tansu) while facts stream into an inbox.

A service killed mid-stream is restarted by the runner, the broker keeps what it acknowledged,
and every acknowledged fact ends up recorded exactly once. Killing the broker itself is the one
loss window of the embedded default: the test measures it (printed, and written up in
docs/operations.md) and checks that the runner brings everything back and that what is
acknowledged after that is recorded.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest

from pedgrowth.contracts import CloudEvent, EventData, inbox_topic, new_event
from pedgrowth.contracts.indicators import PlanAdopted
from pedgrowth.contracts.mentoring import MentorRegistered
from pedgrowth.contracts.registry import OrganizationRegistered
from pedgrowth.contracts.training import CourseCompleted, ProgramPublished, ProviderRegistered
from tests.e2e.runner_support import Runner

pytestmark = [pytest.mark.broker, pytest.mark.slow]

FACTS = 300
KILL_AFTER = 100
BATCH = 50
RECORDED_WITHIN_S = 90
RUN = uuid.uuid4().hex[:6]
DAY = date(2025, 1, 1)
PROGRAMME = ProgramPublished(program_id=f"fault-prog-{RUN}", provider_id="fault-prov", title="Курс", kind="advanced_training",
                             hours=36, format="distance", in_federal_registry=False)


@dataclass(frozen=True)
class Stream:
    """What is streamed into one service's inbox, and the stored event each fact becomes."""

    service: str
    offset: int
    stored_as: str
    make: Callable[[int], EventData] | None
    first: tuple[EventData, ...] = ()


def organisation(i: int) -> EventData:
    return OrganizationRegistered(org_id=f"fault-org-{RUN}-{i}", name=f"Школа {i}", kind="school",
                                  municipality_id="fault-mun", municipality_name="Город", region_id="fault-reg",
                                  region_name="Область")


def course(i: int) -> EventData:
    return CourseCompleted(person_id=f"fault-p-{RUN}-{i % 50}", program_id=PROGRAMME.program_id,
                           completed_on=DAY + timedelta(days=i // 50), certificate_number=f"c-{RUN}-{i}")


def mentor(i: int) -> EventData:
    return MentorRegistered(mentor_id=f"fault-m-{RUN}-{i}", person_id=f"fault-p-{RUN}-{i}", registered_on=DAY)


def plan(i: int) -> EventData:
    return PlanAdopted(plan_id=f"fault-plan-{RUN}-{i}", municipality_id="fault-mun", title=f"План {i}",
                       period_start=DAY, period_end=date(2027, 12, 31), targets=[])


STREAMS = {
    "indicators": Stream("indicators", 0, "Plan.Adopted", plan),
    "registry": Stream("registry", 1, "Organisation.Registered", organisation),
    "training": Stream("training", 2, "Learner.CourseCompleted", course, (PROGRAMME,)),
    "mentoring": Stream("mentoring", 3, "Mentor.Registered", mentor),
}


def stored(runner: Runner, service: str, stored_as: str) -> int:
    """How many events of that kind the service's SQLite store holds (topics are not encrypted)."""
    path = runner.data_dir / f"{service}.sqlite"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as db:
        return db.execute("SELECT count(*) FROM stored_events WHERE topic LIKE ?", (f"%:{stored_as}",)).fetchone()[0]


async def send_all(bootstrap: str, topic: str, facts: list[EventData], at: int | None = None,
                   then: Callable[[int], None] | None = None) -> int:
    """Send ``facts`` in batches with acks=all; once ``at`` facts were sent, call ``then(acknowledged so far)``;
    return how many the broker acknowledged (a send that fails while the broker is away is not)."""
    events = [new_event(data, source=f"/fault-test/{RUN}") for data in facts]
    return sum(await send_events(bootstrap, topic, events, at, then))


async def send_events(bootstrap: str, topic: str, events: list[CloudEvent], at: int | None = None,
                      then: Callable[[int], None] | None = None) -> list[bool]:
    """Whether the broker acknowledged each event (see send_all)."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=5,
                                request_timeout_ms=3000, retry_backoff_ms=200)
    await producer.start()
    acked: list[bool] = []
    try:
        for start in range(0, len(events), BATCH):
            futures = []
            for event in events[start:start + BATCH]:
                try:
                    futures.append(await producer.send(topic, value=event.to_bytes(),
                                                       key=(event.subject or "").encode()))
                except Exception:  # noqa: BLE001 - not acknowledged is all that matters here
                    futures.append(None)
                    await asyncio.sleep(0.2)
            results = await asyncio.gather(*(f for f in futures if f is not None), return_exceptions=True)
            outcomes = iter(results)
            acked += [f is not None and not isinstance(next(outcomes), BaseException) for f in futures]
            if then is not None and start < at <= start + BATCH:
                then(sum(acked))
            await asyncio.sleep(0.02)
    finally:
        await producer.stop()
    return acked


async def send_until_acknowledged(bootstrap: str, topic: str, facts: list[EventData], rounds: int = 5) -> int:
    """As a publisher does: send again (the same events, so the same ids) what was not acknowledged."""
    pending = [new_event(data, source=f"/fault-test/{RUN}") for data in facts]
    for _ in range(rounds):
        acked = await send_events(bootstrap, topic, pending)
        pending = [event for event, ok in zip(pending, acked, strict=True) if not ok]
        if not pending:
            break
        await asyncio.sleep(1)
    return len(facts) - len(pending)


def wait_recorded(runner: Runner, stream: Stream, expected: int, timeout: float = RECORDED_WITHIN_S) -> int:
    deadline = time.monotonic() + timeout
    count = stored(runner, stream.service, stream.stored_as)
    while count < expected and time.monotonic() < deadline:
        time.sleep(0.3)
        count = stored(runner, stream.service, stream.stored_as)
    return count


def settled(count: Callable[[], int], quiet_s: float = 3.0) -> int:
    """The count once it stopped changing for ``quiet_s`` (the inbox has nothing left to record)."""
    last, since = count(), time.monotonic()
    while time.monotonic() - since < quiet_s:
        time.sleep(0.3)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
    return last


def ready_again(runner: Runner, offset: int, since: float) -> float:
    """Seconds from ``since`` until the service answers /ready again."""
    while time.monotonic() - since < RECORDED_WITHIN_S:
        try:
            if httpx.get(f"{runner.url(offset)}/ready", timeout=1).status_code == 200:
                return time.monotonic() - since
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not ready again:\n{runner.output()[-3000:]}")


def all_replaced(before: dict[str, int], now: dict[str, int]) -> bool:
    return set(now) == set(before) and all(now[name] != pid for name, pid in before.items())


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    runner = Runner(tmp_path_factory.mktemp("faults") / "var")
    runner.start()
    yield runner
    runner.stop()


@pytest.mark.parametrize("name", list(STREAMS))
def test_kill_9_of_a_service_mid_stream_loses_no_acknowledged_fact(runner, name):
    stream = STREAMS[name]
    topic = inbox_topic(name)
    if stream.first:
        assert asyncio.run(send_all(runner.bootstrap, topic, list(stream.first))) == len(stream.first)
    before = stored(runner, name, stream.stored_as)
    broker = runner.children()["tansu"]
    victim = runner.children()[name]
    killed: list[float] = []
    at_kill: list[int] = []

    def kill(_acked: int) -> None:
        os.kill(victim, signal.SIGKILL)
        killed.append(time.monotonic())
        at_kill.append(stored(runner, name, stream.stored_as) - before)

    acked = asyncio.run(send_all(runner.bootstrap, topic, [stream.make(i) for i in range(FACTS)], KILL_AFTER, kill))
    assert killed, "the service was killed mid-stream"
    back_in = ready_again(runner, stream.offset, killed[0])
    recorded = wait_recorded(runner, stream, before + acked) - before

    print(f"\n{name}: kill -9 after {KILL_AFTER} of {FACTS} sent; {acked} acknowledged, {at_kill[0]} of them recorded at the kill, "
          f"{recorded} in the end; ready again {back_in:.1f} s after the kill")
    assert acked == FACTS, "the broker acknowledged every fact (it was not the one killed)"
    assert recorded == acked, "every acknowledged fact is recorded, and none twice"
    assert runner.children()["tansu"] == broker, "the broker is never stopped because a service died"
    assert f"{name} died (signal 9 (SIGKILL))" in runner.output()
    assert runner.children()[name] != victim


def test_kill_9_of_the_broker_is_the_one_loss_window_and_everything_comes_back(runner):
    stream = STREAMS["training"]
    topic = inbox_topic("training")
    assert asyncio.run(send_all(runner.bootstrap, topic, [PROGRAMME])) == 1
    assert wait_recorded(runner, Stream("training", 2, "Programme.Published", None), 1) >= 1
    courses_before = stored(runner, "training", stream.stored_as)
    first = runner.children()
    killed: list[float] = []
    at_risk: list[int] = []

    def kill(acked_so_far: int) -> None:
        os.kill(first["tansu"], signal.SIGKILL)
        killed.append(time.monotonic())
        at_risk.append(acked_so_far - (stored(runner, "training", stream.stored_as) - courses_before))

    # The publisher stops at the kill and sends again only once everything is back: a produce that reaches
    # the restarted Tansu before the topic is created again can leave that partition unwritable
    # (docs/operations.md), which would measure Tansu's quirk, not the window.
    facts = [course(FACTS * 10 + i) for i in range(KILL_AFTER)]
    acked = asyncio.run(send_all(runner.bootstrap, topic, facts, KILL_AFTER, kill))
    deadline = time.monotonic() + RECORDED_WITHIN_S
    while time.monotonic() < deadline and not all_replaced(first, runner.children()):
        time.sleep(0.2)
    assert all_replaced(first, runner.children()), "the broker and, after it, every service were started again"
    runner.wait_ready()
    back_in = time.monotonic() - killed[0]
    assert "the embedded broker lost everything it held" in runner.output()

    # What is acknowledged once everything is back is recorded. Right after its restart Tansu answers some
    # produce requests with UnknownError; a publisher sends those again, as this one does.
    providers = [ProviderRegistered(provider_id=f"fault-after-{RUN}-{i}", name=f"Провайдер {i}", kind="other")
                 for i in range(50)]
    after = Stream("training", 2, "Provider.Registered", None)
    providers_before = stored(runner, "training", after.stored_as)
    assert asyncio.run(send_until_acknowledged(runner.bootstrap, topic, providers)) == len(providers)
    assert wait_recorded(runner, after, providers_before + len(providers)) - providers_before == len(providers)

    recorded = settled(lambda: stored(runner, "training", stream.stored_as)) - courses_before
    print(f"\nbroker: kill -9 right after {acked} of {KILL_AFTER} were acknowledged, {at_risk[0]} of them not yet "
          f"recorded then; {recorded} recorded in the end: {acked - recorded} acknowledged and lost; everything "
          f"ready again {back_in:.1f} s after the kill; {len(providers)} sent afterwards, all recorded")
    assert acked - recorded <= at_risk[0], "only what the broker held unrecorded at the kill can be lost"
