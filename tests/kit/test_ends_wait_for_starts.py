"""An end that arrives before its start waits for it and is then recorded as if the two had come in order (SPEC §2).

One case per end (close, leave) type of the contract: the same facts go through the inbox in order and with the end
first, on in-memory persistence, and what each run publishes (the contract events of its store) is compared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from pedgrowth.contracts import EventData
from pedgrowth.kit.deadletters import DeadLetters, Letter
from pedgrowth.kit.inbox import Inbox
from pedgrowth.kit.metrics import Metrics
from pedgrowth.kit.recording import RecordingApplication
from pedgrowth.kit.waiting import UNRESOLVED_REFERENCE, WaitingWorker
from pedgrowth.mentoring.bootstrap import REJECTIONS as MENTORING_REJECTIONS
from pedgrowth.mentoring.translation import to_contract as mentoring_contract
from pedgrowth.registry.bootstrap import REJECTIONS as REGISTRY_REJECTIONS
from pedgrowth.registry.translation import to_contract as registry_contract
from pedgrowth.training.bootstrap import REJECTIONS as TRAINING_REJECTIONS
from pedgrowth.training.translation import to_contract as training_contract
from tests.mentoring.unit import helpers as m
from tests.registry import builders as r
from tests.training import facts as t


@dataclass(frozen=True)
class Service:
    name: str
    new_app: Callable[[], RecordingApplication]
    rejections: dict
    to_contract: Callable[[object], EventData | None]


REGISTRY = Service("registry", lambda: r.with_school(r.new_app()), REGISTRY_REJECTIONS, registry_contract)
TRAINING = Service("training", lambda: t.with_catalogue(t.memory_app()), TRAINING_REJECTIONS, training_contract)
def mentoring_app() -> RecordingApplication:
    app = m.new_app()
    m.record(app, m.mentor())  # the pairs' mentor
    return app


MENTORING = Service("mentoring", mentoring_app, MENTORING_REJECTIONS, mentoring_contract)


@dataclass(frozen=True)
class Case:
    """A start, its end, an end dated before the start, and how the end waits (kind, key, field)."""

    service: Service
    start: EventData
    end: EventData
    early_end: EventData
    waits_for: tuple[str, str, str]


CASES = {
    "employment_ended": Case(REGISTRY, r.hire(), r.end(), r.end(ended_on="2021-08-31"),
                             ("employment", "sch-1/p-1", "data.org_id")),
    "position_changed": Case(REGISTRY, r.hire(), r.move(), r.move(changed_on="2021-08-31"),
                             ("employment", "sch-1/p-1", "data.org_id")),
    "education_profile_recorded": Case(REGISTRY, r.hire(), r.profile(), r.profile(recorded_on="2024-12-01"),
                                       ("person", "p-1", "data.person_id")),
    "vacancy_closed": Case(REGISTRY, r.vacancy(), r.close(), r.close(closed_on="2024-05-19"),
                           ("vacancy", "vac-1", "data.vacancy_id")),
    "reserve_left": Case(REGISTRY, r.enrol(), r.leave(), r.leave(left_on="2022-02-28"),
                         ("reserve_membership", "p-4/mun-1", "data.person_id")),
    "route_completed": Case(TRAINING, t.route_started(), t.route_completed(),
                            t.route_completed(completed_on="2023-10-09"), ("route", "route-1/p-1", "data.route_id")),
    "pd_request_met": Case(TRAINING, t.pd_request(), t.pd_request_met(), t.pd_request_met(met_on="2023-09-04"),
                           ("pd_request", "req-1", "data.request_id")),
    "pair_ended": Case(MENTORING, m.pair(), m.pair_end(), m.pair_end(on="2022-08-31"),
                       ("pair", "pair-1", "data.pair_id")),
    "community_left": Case(MENTORING, m.joined(), m.left(), m.left(on="2022-08-31"),
                           ("community_membership", "mo-1/p-1", "data.community_id")),
    "expert_role_ended": Case(MENTORING, m.expert(), m.expert_end(), m.expert_end(on="2023-01-09"),
                              ("expert_role", "role-1/p-2", "data.role_id")),
    "asset_left": Case(MENTORING, m.asset_in(), m.asset_out(), m.asset_out(on="2022-08-31"),
                       ("methodical_asset", "mun-1/p-2", "data.municipality_id")),
    "project_left": Case(MENTORING, m.enrolled(), m.unenrolled(), m.unenrolled(on="2023-09-14"),
                         ("project_enrolment", "proj-1/p-1", "data.project_id")),
    "curator_released": Case(MENTORING, m.appointed(), m.released(), m.released(on="2021-08-31"),
                             ("curator_term", "sch-1/p-2", "data.org_id")),
}


class Run:
    """One service's application behind its inbox, as the Kafka and HTTP channels use it."""

    def __init__(self, service: Service):
        self.service = service
        self.app = service.new_app()
        self.inbox = Inbox(self.app, service.name, dict(service.rejections), Metrics())

    def send(self, data: EventData, event_id: str | None = None):
        return self.inbox.record(t.fact(data, id=event_id))

    def published(self) -> list[dict]:
        """The contract events the relay would publish, in store order."""
        stored = self.app.recorder.select_notifications(1, 100_000)
        found = (self.service.to_contract(self.app.mapper.to_domain_event(n)) for n in stored)
        return [e.model_dump(mode="json") for e in found if e is not None]

    def waiting(self) -> list[tuple[str, str, str]]:
        return [(w.kind, w.key, p.field) for w in self.app.waiting.catch_up() for p in w.waiting()]

    def refusals(self) -> list[tuple[str, str, str | None]]:
        return [(r.reason_code, r.reason, r.field) for w in self.app.waiting.catch_up() for r in w.refusals()]


def test_every_end_type_of_the_contract_has_a_case():
    from pedgrowth.contracts import EVENT_MODELS
    ends = {model.type_suffix for model in EVENT_MODELS.values() if model.service != "indicators"
            and model.type_suffix.endswith(("_ended", "_left", "_closed", "_released", "_completed", "_met"))}
    not_ends = {"course_completed", "diagnostics_completed"}  # facts of their own, not the end of a start
    assert ends - not_ends == set(CASES) - {"position_changed", "education_profile_recorded"}


@pytest.mark.parametrize("name", CASES)
def test_an_end_before_its_start_waits_then_is_recorded_as_in_order(name):
    case = CASES[name]
    in_order = Run(case.service)
    assert [in_order.send(d).outcome.value for d in (case.start, case.end)] == ["accepted", "accepted"]

    end_first = Run(case.service)
    assert end_first.send(case.end, event_id="end-1").outcome.value == "waiting"
    assert end_first.send(case.end, event_id="end-1").outcome.value == "waiting"  # a redelivery: kept once
    assert end_first.waiting() == [case.waits_for]
    assert end_first.published() == Run(case.service).published()  # nothing of the end yet
    assert end_first.send(case.start).outcome.value == "accepted"
    assert end_first.waiting() == [] and end_first.refusals() == []
    assert end_first.published() == in_order.published()
    assert end_first.send(case.end, event_id="end-1").outcome.value == "duplicate"


@pytest.mark.parametrize("name", CASES)
def test_a_waiting_end_that_contradicts_its_start_is_refused_as_in_order(name):
    case = CASES[name]
    in_order = Run(case.service)
    in_order.send(case.start)
    refused = in_order.send(case.early_end)
    assert refused.outcome.value == "rejected"

    end_first = Run(case.service)
    assert end_first.send(case.early_end).outcome.value == "waiting"
    end_first.send(case.start)
    assert end_first.refusals() == [(refused.reason_code, refused.reason, refused.field)]
    assert end_first.published() == in_order.published()


def test_an_end_of_a_thing_begun_before_is_judged_by_the_rules_not_kept_waiting():
    run = Run(MENTORING)
    run.send(m.expert(on="2023-01-10"))
    run.send(m.expert_end(on="2023-12-31"))
    again = run.send(m.expert_end(on="2024-02-01"))
    assert (again.outcome.value, again.reason_code, again.field) == ("rejected", "business_rule", "data.role_id")
    assert run.waiting() == []


def test_an_end_whose_start_never_comes_is_refused_naming_what_is_missing_in_both_languages():
    run = Run(MENTORING)
    run.send(m.expert_end(role_id="role/7", person="p-2"))
    now = [1e9]
    worker = WaitingWorker(run.inbox, max_age_seconds=7 * 86400, sweep_seconds=5, publish=None, clock=lambda: now[0])
    now[0] = run.app.waiting.catch_up()[0].waiting()[0].parked_at + 7 * 86400
    state = worker.sweep()
    assert state.count == 0
    ((kind, key, refusal),) = state.refusals
    assert (kind, key, refusal.reason_code, refusal.field) == (
        "expert_role", "role%2F7/p-2", UNRESOLVED_REFERENCE, "data.role_id")
    assert refusal.reason == ("expert role role/7 of person p-2 was never started after 7 days of waiting "
                              "(data.role_id: role/7, data.person_id: p-2)")
    letter = Letter(0, 0, 0, None, refusal.parked.payload.encode(), UNRESOLVED_REFERENCE, refusal.reason,
                    refusal.field, "test")
    assert DeadLetters(run.inbox, "localhost:9", "mentoring.inbox.dlq").reason_ru(letter) == (
        "ссылка не разрешилась за отведённое время: экспертная роль role/7 у p-2 не начиналась (поле data.role_id)")


def test_the_parts_of_a_key_never_run_into_each_other():
    run = Run(MENTORING)
    run.send(m.left(person="a/b", community="c"))
    run.send(m.left(person="b", community="c/a"))
    assert sorted(key for _, key, _ in run.waiting()) == ["c%2Fa/b", "c/a%2Fb"]
    run.send(m.joined(person="a/b", community="c"))
    assert [key for _, key, _ in run.waiting()] == ["c%2Fa/b"]


# An enrolment in the managers' reserve refers to a municipality, which the registry knows only from the
# organisations registered in it: one that comes before the municipality's first organisation waits for it.

def municipal_school(org_id: str = "sch-9"):
    return r.org(org_id, municipality_id="mun-9", region_id="reg-9")


def test_an_enrolment_before_its_municipalitys_first_organisation_waits_then_is_recorded_as_in_order():
    in_order = Run(REGISTRY)
    assert [in_order.send(d).outcome.value for d in (municipal_school(), r.enrol(municipality_id="mun-9"))] == [
        "accepted", "accepted"]

    first = Run(REGISTRY)
    assert first.send(r.enrol(municipality_id="mun-9"), event_id="enrol-1").outcome.value == "waiting"
    assert first.send(r.enrol(municipality_id="mun-9"), event_id="enrol-1").outcome.value == "waiting"  # kept once
    assert first.waiting() == [("municipality", "mun-9", "data.municipality_id")]
    assert first.published() == Run(REGISTRY).published()
    assert first.send(municipal_school()).outcome.value == "accepted"
    assert first.waiting() == [] and first.refusals() == []
    assert first.published() == in_order.published()
    assert first.send(r.enrol(municipality_id="mun-9"), event_id="enrol-1").outcome.value == "duplicate"
    assert first.send(municipal_school("sch-10")).outcome.value == "accepted"  # a second school releases nothing


def test_a_leaving_that_waits_for_a_waiting_enrolment_is_recorded_after_it_when_the_organisation_comes():
    steps = (municipal_school(), r.enrol(municipality_id="mun-9"), r.leave(municipality_id="mun-9"))
    in_order = Run(REGISTRY)
    assert [in_order.send(d).outcome.value for d in steps] == ["accepted"] * 3

    last_first = Run(REGISTRY)
    assert [last_first.send(d).outcome.value for d in reversed(steps)] == ["waiting", "waiting", "accepted"]
    assert last_first.waiting() == [] and last_first.refusals() == []
    assert last_first.published() == in_order.published()


def test_an_enrolment_in_the_same_batch_as_its_municipalitys_first_organisation_is_recorded_at_once():
    run = Run(REGISTRY)
    facts = [t.fact(municipal_school()), t.fact(r.enrol(municipality_id="mun-9"))]
    assert [result.outcome.value for result in run.inbox.record_batch(facts, "kafka")] == ["accepted", "accepted"]
    assert run.waiting() == []


def test_a_waiting_enrolment_that_breaks_a_rule_is_refused_as_in_order():
    in_order = Run(REGISTRY)
    in_order.send(municipal_school())
    refused = in_order.send(r.enrol(municipality_id="mun-9", enrolled_on="2031-01-01"))
    assert (refused.outcome.value, refused.field) == ("rejected", "data.enrolled_on")

    first = Run(REGISTRY)
    assert first.send(r.enrol(municipality_id="mun-9", enrolled_on="2031-01-01")).outcome.value == "waiting"
    first.send(municipal_school())
    assert first.refusals() == [(refused.reason_code, refused.reason, refused.field)]
    assert first.published() == in_order.published()


def test_an_enrolment_whose_municipality_never_gets_an_organisation_is_counted_then_refused_in_both_languages():
    run = Run(REGISTRY)
    run.send(r.enrol(municipality_id="mun/9"))
    parked_at = run.app.waiting.catch_up()[0].waiting()[0].parked_at
    now = [parked_at + 60]
    worker = WaitingWorker(run.inbox, max_age_seconds=7 * 86400, sweep_seconds=5, publish=None, clock=lambda: now[0])
    state = worker.sweep()
    worker.set_gauges(state)
    assert (state.count, state.oldest_seconds, state.refusals) == (1, 60, [])
    metrics = run.inbox.metrics.registry
    assert metrics.get_sample_value("pedgrowth_waiting_facts", {"service": "registry"}) == 1
    assert metrics.get_sample_value("pedgrowth_waiting_oldest_seconds", {"service": "registry"}) == 60

    now[0] = parked_at + 7 * 86400
    state = worker.sweep()
    ((kind, key, refusal),) = state.refusals
    assert (state.count, kind, key, refusal.reason_code, refusal.field) == (
        0, "municipality", "mun/9", UNRESOLVED_REFERENCE, "data.municipality_id")
    assert refusal.reason == ("municipality mun/9 has no registered organisation after 7 days of waiting "
                              "(data.municipality_id: mun/9)")
    letter = Letter(0, 0, 0, None, refusal.parked.payload.encode(), UNRESOLVED_REFERENCE, refusal.reason,
                    refusal.field, "test")
    assert DeadLetters(run.inbox, "localhost:9", "registry.inbox.dlq").reason_ru(letter) == (
        "ссылка не разрешилась за отведённое время: в муниципалитете mun/9 нет зарегистрированных организаций "
        "(поле data.municipality_id)")
