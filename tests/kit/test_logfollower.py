"""The kit's notification-log follower: each event of the chosen topics once, in order, never lost to a failure."""

from __future__ import annotations

import asyncio

import pytest
from eventsourcing.utils import get_topic

from pedgrowth.kit.backoff import Backoff
from pedgrowth.kit.logfollower import LogFollower
from pedgrowth.training.application import TrainingApplication
from pedgrowth.training.domain.catalogue import Programme
from pedgrowth.training.domain.learner import Learner
from tests.training.facts import POPO, course, programme, record, with_catalogue


def test_only_the_chosen_topics_are_decoded_and_each_once_in_order():
    app = with_catalogue(TrainingApplication(env=POPO), programme("prog-1"), programme("prog-2"))
    seen: list[str] = []
    follower = LogFollower(app, {get_topic(Programme.Published): lambda e: seen.append(e.program_id)})
    decoded = []
    to_domain_event = app.mapper.to_domain_event
    app.mapper.to_domain_event = lambda n: decoded.append(n.topic) or to_domain_event(n)
    assert follower.catch_up() == 2
    assert seen == ["prog-1", "prog-2"]
    assert set(decoded) == {get_topic(Programme.Published)}  # not the provider, not the receipts
    record(app, programme("prog-3"))
    record(app, course())
    assert follower.catch_up() == 1
    assert seen == ["prog-1", "prog-2", "prog-3"]
    assert follower.position == app.recorder.max_notification_id()


def test_a_handler_that_fails_sees_the_same_event_again_on_the_next_catch_up():
    app = with_catalogue(TrainingApplication(env=POPO))
    record(app, course("p-1"))
    record(app, course("p-2"))
    calls: list[str] = []

    def flaky(e):
        calls.append(e.person_id)
        if e.person_id == "p-2" and calls.count("p-2") == 1:
            raise RuntimeError("read model unavailable")

    follower = LogFollower(app, {get_topic(Learner.CourseCompleted): flaky}, page_size=1)
    with pytest.raises(RuntimeError):
        follower.catch_up()
    assert follower.catch_up() == 1
    assert calls == ["p-1", "p-2", "p-2"]


def test_topics_alone_give_the_notifications_without_decoding_them():
    app = with_catalogue(TrainingApplication(env=POPO))
    record(app, course("p-1"))
    follower = LogFollower(app, {}, topics=[get_topic(Learner.CourseCompleted)])
    assert [n.originator_id for n in follower.notifications()] == [app.learner("p-1").id]
    assert list(follower.notifications()) == []


def test_backoff_doubles_up_to_its_cap_and_starts_again_after_a_success():
    backoff = Backoff(base=0.2, cap=10.0)
    delays = []
    for _ in range(8):
        backoff.failures += 1
        delays.append(backoff.delay())
    assert delays == [0.4, 0.8, 1.6, 3.2, 6.4, 10.0, 10.0, 10.0]
    backoff.succeeded()
    assert backoff.delay() == 0.2


def test_a_stop_ends_the_wait_of_a_backoff():
    async def stopped_wait() -> int:
        stop = asyncio.Event()
        stop.set()
        backoff = Backoff(base=3600.0, cap=3600.0)
        await backoff.failed(stop)
        return backoff.failures

    assert asyncio.run(stopped_wait()) == 1
