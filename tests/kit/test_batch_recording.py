"""A batch of facts is recorded with one store transaction, with the outcome each fact would have alone."""

from __future__ import annotations

from datetime import date

import httpx

from pedgrowth.contracts import training as c
from pedgrowth.kit.errors import RuleViolation
from pedgrowth.kit.inbox import Inbox
from pedgrowth.kit.metrics import Metrics
from pedgrowth.kit.store import eventsourcing_env
from pedgrowth.training.application import TrainingApplication
from pedgrowth.training.bootstrap import REJECTIONS, build
from pedgrowth.training.config import TrainingSettings
from pedgrowth.training.domain.learner import Learner, learner_id
from tests.support.services import SECRET, auth, cloud_event
from tests.training.facts import POPO, course, diagnostics, fact, programme, recorded, with_catalogue


class HalfDone(TrainingApplication):
    """Changes the learner, then refuses (a rule checked after a first change, as multi-aggregate rules are)."""

    def on_independent_assessment_passed(self, data):
        learner = self.learner(data.person_id)
        learner.pass_assessment(data.qualification, data.passed_on)
        if data.qualification.startswith("refused"):
            raise RuleViolation("refused after a change", "data.qualification")
        return [learner]


def assessment(qualification: str, person_id: str = "p-1") -> c.IndependentAssessmentPassed:
    return c.IndependentAssessmentPassed(person_id=person_id, qualification=qualification, passed_on="2024-02-01")


def inbox_of(app: TrainingApplication) -> Inbox:
    return Inbox(app, "training", dict(REJECTIONS), Metrics())


def counting_transactions(app: TrainingApplication) -> list[int]:
    """Count the store transactions that write events (a test double around the recorder)."""
    calls: list[int] = []
    insert = app.recorder.insert_events

    def counted(events, **kwargs):
        calls.append(len(events))
        return insert(events, **kwargs)

    app.recorder.insert_events = counted
    return calls


def outcomes(results) -> list[str]:
    return [r.outcome.value for r in results]


def test_a_batch_is_one_transaction_and_a_duplicate_inside_it_is_recorded_once():
    app = with_catalogue(TrainingApplication(env=POPO))
    transactions = counting_transactions(app)
    first = fact(course(person_id="p-1"))
    batch = [first, fact(course(person_id="p-2")), first, fact(course(person_id="p-1", completed_on="2024-01-10"))]
    results = inbox_of(app).record_batch(batch, "kafka")
    assert outcomes(results) == ["accepted", "accepted", "duplicate", "accepted"]
    assert len(transactions) == 1
    assert len(recorded(app, Learner.CourseCompleted)) == 3


def test_a_refused_fact_refuses_only_itself_even_after_changing_an_aggregate():
    app = with_catalogue(HalfDone(env=POPO))
    batch = [fact(assessment("first")), fact(assessment("refused-one")), fact(assessment("second")),
             fact(diagnostics(deficits=[("D-1", "digital"), ("D-1", "digital")]))]
    results = inbox_of(app).record_batch(batch, "kafka")
    assert outcomes(results) == ["accepted", "rejected", "accepted", "rejected"]
    learner = app.get_or_none(learner_id("p-1"))
    assert sorted(a.qualification for a in learner.assessments) == ["first", "second"]
    assert [e.qualification for e in recorded(app, Learner.IndependentAssessmentPassed)] == ["first", "second"]


def test_a_learner_the_batch_read_as_new_is_read_from_the_store_once_a_refusal_dropped_it(tmp_path):
    """On SQLite the batch reads which aggregates exist in one query; a learner opened, saved and then dropped
    by a refused fact is stored after all, and the next fact about the person must see it."""
    app = with_catalogue(HalfDone(env=eventsourcing_env(TrainingSettings(data_dir=tmp_path))))
    batch = [fact(assessment("first", "p-new")), fact(assessment("refused-one", "p-new")),
             fact(assessment("second", "p-new"))]
    transactions = counting_transactions(app)
    results = inbox_of(app).record_batch(batch, "kafka")
    assert outcomes(results) == ["accepted", "rejected", "accepted"]
    assert len(transactions) == 2  # what came before the refusal, then the rest: no one-by-one fallback
    learner = app.get_or_none(learner_id("p-new"))
    assert sorted(a.qualification for a in learner.assessments) == ["first", "second"]
    app.close()


def test_a_stored_learner_read_for_the_whole_batch_is_read_again_once_a_refusal_dropped_it(tmp_path):
    """A batch reads the stored learner once for all its facts; after a refused fact saved what came before it and
    dropped the learner, the next fact must see the learner as saved, not as the batch first read it."""
    settings = TrainingSettings(data_dir=tmp_path)
    first_run = with_catalogue(HalfDone(env=eventsourcing_env(settings)))
    inbox_of(first_run).record_batch([fact(assessment("before", "p-old"))], "kafka")
    first_run.close()
    app = HalfDone(env=eventsourcing_env(settings))  # a new process: nothing cached
    batch = [fact(assessment("first", "p-old")), fact(assessment("refused-one", "p-old")),
             fact(assessment("second", "p-old"))]
    transactions = counting_transactions(app)
    results = inbox_of(app).record_batch(batch, "kafka")
    assert outcomes(results) == ["accepted", "rejected", "accepted"]
    assert len(transactions) == 2  # no conflict with its own first save, so no one-by-one fallback
    learner = app.get_or_none(learner_id("p-old"))
    assert sorted(a.qualification for a in learner.assessments) == ["before", "first", "second"]
    app.close()


def test_a_fact_whose_reference_comes_later_in_the_same_batch_is_recorded_in_it():
    app = with_catalogue(TrainingApplication(env=POPO))
    batch = [fact(course(person_id="p-9", program_id="prog-late")), fact(programme(program_id="prog-late"))]
    assert outcomes(inbox_of(app).record_batch(batch, "kafka")) == ["waiting", "accepted"]
    assert [e.program_id for e in recorded(app, Learner.CourseCompleted)] == ["prog-late"]
    assert app.waiting.catch_up() == []


def test_a_save_outside_a_batch_is_not_hidden_by_the_cache(tmp_path):
    app = with_catalogue(TrainingApplication(env=eventsourcing_env(TrainingSettings(data_dir=tmp_path))))
    inbox = inbox_of(app)
    inbox.record_batch([fact(course(person_id="p-1", completed_on="2023-01-10"))], "kafka")
    assert learner_id("p-1") in app.cache
    outside = app.get_or_none(learner_id("p-1"))
    outside.complete_course("prog-1", date(2022, 5, 5), None, [])
    app.save(outside)
    assert learner_id("p-1") not in app.cache
    inbox.record_batch([fact(course(person_id="p-1", completed_on="2024-01-10"))], "kafka")
    assert len(app.get_or_none(learner_id("p-1")).courses) == 3


async def test_the_http_array_is_recorded_as_one_batch(tmp_path):
    app = build(TrainingSettings(data_dir=tmp_path, token_secret=SECRET))
    service = app.state.service
    with_catalogue(service.app)
    transactions = counting_transactions(service.app)
    events = [cloud_event(course(person_id=f"p-{i}")) for i in range(5)]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/api/v1/events", json=events, headers=auth())
    service.app.close()
    assert [r["outcome"] for r in response.json()["results"]] == ["accepted"] * 5
    assert len(transactions) == 1
