"""The demo municipality keeps the contracts and every service's rules, and is the same every time."""

from __future__ import annotations

from collections import Counter

import pytest

from pedgrowth.contracts import decode_for_service
from pedgrowth.indicators.application import IndicatorsApplication
from pedgrowth.kit.recording import Outcome
from pedgrowth.mentoring.application import MentoringApplication
from pedgrowth.registry.application import RegistryApplication
from pedgrowth.runner.demo import demo_events
from pedgrowth.training.application import TrainingApplication

MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
EVERY_TYPE = {
    "organization_registered", "employment_started", "employment_ended", "position_changed",
    "education_profile_recorded", "vacancy_opened", "vacancy_closed", "reserve_enrolled", "reserve_left",
    "provider_registered", "program_published", "course_completed", "diagnostics_completed", "route_started",
    "route_completed", "attestation_passed", "competition_participated", "independent_assessment_passed",
    "mentor_registered", "pair_assigned", "pair_ended", "community_joined", "community_left",
    "support_event_attended", "plan_adopted", "measure_completed",
    "pd_request_submitted", "pd_request_met", "expert_role_started", "expert_role_ended", "asset_joined",
    "project_enrolled", "project_left", "curator_appointed", "recommendation_issued", "recommendation_completed",
    "decision_recorded", "effectiveness_reviewed",
}


@pytest.fixture(scope="module")
def town():
    return demo_events()


def test_the_demo_is_the_same_every_time(town):
    again = demo_events()
    assert [e.id for _, e in again] == [e.id for _, e in town]


def test_event_ids_are_unique(town):
    ids = Counter((e.source, e.id) for _, e in town)
    assert [key for key, n in ids.items() if n > 1] == []


def test_the_demo_is_shaped_like_michurinsk(town):
    events = town
    starts = [e for _, e in events if e.type.endswith(".organization_registered.v1")]
    assert sum(1 for e in starts if e.data["kind"] == "school") == 20
    hires = {e.data["person_id"] for _, e in events if e.type.endswith(".employment_started.v1")
             and e.data["position"] != "non_pedagogical" and e.data["started_on"] < "2019-01-01"}
    assert 550 <= len(hires) <= 700
    assert {e.type.split(".")[2] for _, e in events} >= EVERY_TYPE


def test_every_service_accepts_every_demo_event(town):
    apps = {"registry": RegistryApplication(env=MEMORY), "training": TrainingApplication(env=MEMORY),
            "mentoring": MentoringApplication(env=MEMORY), "indicators": IndicatorsApplication(env=MEMORY)}
    refused = []
    for service, event in town:
        fact = decode_for_service(event.to_json(), service)
        try:
            outcome = apps[service].record(fact)
        except Exception as error:  # noqa: BLE001 - collect every refusal to show them together
            refused.append((event.type, event.subject, str(error)))
            continue
        assert outcome is Outcome.ACCEPTED, (event.type, event.subject)
    assert refused == []


def test_a_one_school_town_is_built_without_a_director_to_replace():
    """A reserve member is appointed only where there is another school to lead."""
    town = demo_events(schools=1)
    schools = {e.data["org_id"] for _, e in town
               if e.type.endswith(".organization_registered.v1") and e.data["kind"] == "school"}
    assert len(schools) == 1
    assert not [e for _, e in town if e.type.endswith(".reserve_left.v1") and e.data["reason"] == "appointed"]
