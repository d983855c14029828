"""The person → organisation → municipality index fed by registry.events."""

from datetime import date

import pytest
from prometheus_client import CollectorRegistry

from pedgrowth.contracts import new_event
from pedgrowth.contracts.registry import EmploymentEnded, EmploymentStarted, OrganizationRegistered
from pedgrowth.training.adapters.workplaces import Scope, Workplaces
from pedgrowth.training.config import TrainingSettings
from pedgrowth.training.adapters.registry_follower import RegistryFollower

STARTED = EmploymentStarted(person_id="p-1", org_id="sch-1", position="teacher", started_on="2020-09-01",
                            pedagogical_experience_since="2020-09-01")
ENDED = EmploymentEnded(person_id="p-1", org_id="sch-1", ended_on="2023-06-30", reason="transfer")
ORG = OrganizationRegistered(org_id="sch-1", name="Школа", kind="school", municipality_id="mun-1",
                             municipality_name="М", region_id="reg-1", region_name="Р")


def test_facts_in_any_order_give_the_same_answer():
    forward, backward = Workplaces(), Workplaces()
    for data in (ORG, STARTED, ENDED):
        forward.apply(data)
    for data in (ENDED, STARTED, ORG, STARTED):
        backward.apply(data)
    mun = Scope("municipality", "mun-1")
    for day in (date(2020, 8, 31), date(2021, 1, 1), date(2023, 6, 29), date(2023, 6, 30)):
        assert forward.in_scope("p-1", mun, day) == backward.in_scope("p-1", mun, day)
    assert forward.in_scope("p-1", mun, date(2023, 6, 29)) and not forward.in_scope("p-1", mun, date(2023, 6, 30))


def test_an_employment_before_its_organisation_is_known_has_no_municipality_yet():
    index = Workplaces()
    index.apply(STARTED)
    assert index.places_of("p-1")[0].municipality_id is None


def test_a_malformed_scope_is_refused_with_the_kinds_allowed():
    with pytest.raises(ValueError, match="organization, municipality, region"):
        Scope.parse("school:sch-1")


def test_the_follower_applies_registry_events_and_counts_what_it_cannot_read():
    index, metrics = Workplaces(), CollectorRegistry()
    follower = RegistryFollower(index, TrainingSettings().kafka_bootstrap_servers, metrics)
    follower.take(new_event(ORG, source="/pedgrowth/registry").to_bytes())
    follower.take(b"{not json")
    assert index.place("sch-1").municipality_id == "mun-1"
    invalid = metrics.get_sample_value("pedgrowth_events_consumed_total",
                                       {"service": "training", "topic": "registry.events", "outcome": "invalid"})
    assert invalid == 1
