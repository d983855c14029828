"""Facts about a plan or a recommendation by id never cross municipalities, also when they wait for it (SPEC §2).

A target, a base value, a completed measure or a completed recommendation names only its plan's or its
recommendation's id. Before the plan is adopted nobody can tell whose it will be, so a municipal operator's such
fact must name its municipality to wait; when the plan comes, a fact naming another municipality is refused,
never recorded into that plan.
"""

from __future__ import annotations

import pytest

from pedgrowth.contracts.indicators import (BaselineSet, MeasureCompleted, RecommendationCompleted,
                                            RecommendationIssued, TargetSet)
from pedgrowth.indicators.access import Access
from pedgrowth.indicators.application import IndicatorsApplication
from pedgrowth.indicators.bootstrap import REJECTIONS
from pedgrowth.indicators.translation import to_contract
from pedgrowth.kit.auth import Principal, Role
from pedgrowth.kit.errors import RuleViolation
from pedgrowth.kit.inbox import Inbox
from pedgrowth.kit.metrics import Metrics
from tests.training.facts import fact

from .test_plan_rules import adopted, save

OPERATOR_1 = Principal("op-1", Role.MUNICIPAL_OPERATOR, municipality_id="mun-1")
OPERATOR_2 = Principal("op-2", Role.MUNICIPAL_OPERATOR, municipality_id="mun-2")
ADMIN = Principal("admin", Role.ADMIN)


def issued(recommendation_id: str = "rec-1", municipality_id: str = "mun-1") -> RecommendationIssued:
    return RecommendationIssued(recommendation_id=recommendation_id, municipality_id=municipality_id,
                                indicators=["training_coverage"], text="Обучить", issued_on="2024-03-20",
                                due_on="2024-09-01")


def about(plan_id: str = "plan-1", recommendation_id: str = "rec-1", **named):
    """One fact of each type that names a plan or a recommendation by id (``named``: its municipality)."""
    return {
        "target_set": TargetSet(plan_id=plan_id, indicator="training_coverage", year=2021, value=0.3, **named),
        "baseline_set": BaselineSet(plan_id=plan_id, indicator="training_coverage", year=2019, value=0.05, **named),
        "measure_completed": MeasureCompleted(plan_id=plan_id, measure_id="m1", completed_on="2020-12-01", **named),
        "recommendation_completed": RecommendationCompleted(recommendation_id=recommendation_id,
                                                            completed_on="2024-05-01", **named),
    }


TYPES = list(about())


def new_app() -> IndicatorsApplication:
    return IndicatorsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


@pytest.fixture
def access() -> Access:
    return Access(new_app(), placement=lambda scope: {})


def test_the_types_checked_are_every_type_that_waits_for_a_plan_or_a_recommendation():
    from pedgrowth.indicators.application import PLAN, RECOMMENDATION
    assert set(TYPES) == set(PLAN.waits) | set(RECOMMENDATION.waits)


@pytest.mark.parametrize("suffix", TYPES)
def test_an_operators_fact_about_an_unknown_plan_must_name_its_municipality(access, suffix):
    reason = access.authorize_write(OPERATOR_2, about()[suffix])
    field = "data.recommendation_id" if suffix == "recommendation_completed" else "data.plan_id"
    assert reason.startswith(f"{field}: ") and "so whose it is cannot be checked" in reason
    assert "data.municipality_id" in reason


@pytest.mark.parametrize("suffix", TYPES)
def test_an_operators_fact_about_an_unknown_plan_naming_its_own_municipality_may_wait(access, suffix):
    assert access.authorize_write(OPERATOR_2, about(municipality_id="mun-2")[suffix]) is None
    assert access.authorize_write(OPERATOR_2, about(municipality_id="mun-1")[suffix]) == (
        "data.municipality_id: mun-1 is not the caller's municipality")


@pytest.mark.parametrize("suffix", TYPES)
def test_an_admin_still_sends_a_fact_about_an_unknown_plan_without_a_municipality(access, suffix):
    assert access.authorize_write(ADMIN, about()[suffix]) is None


@pytest.mark.parametrize("suffix", TYPES)
def test_a_fact_about_an_adopted_plan_is_its_municipalitys_operators_alone(access, suffix):
    save(access.app, adopted())
    save(access.app, issued())
    assert access.authorize_write(OPERATOR_1, about()[suffix]) is None
    foreign = access.authorize_write(OPERATOR_2, about()[suffix])
    assert foreign.endswith("belongs to municipality mun-1")
    assert access.authorize_write(OPERATOR_2, about(municipality_id="mun-2")[suffix]).endswith(
        "belongs to municipality mun-1")


@pytest.mark.parametrize("suffix", TYPES)
def test_a_fact_naming_another_municipality_than_its_plans_is_refused_by_the_rules(suffix):
    app = new_app()
    save(app, adopted())
    save(app, issued())
    with pytest.raises(RuleViolation) as error:
        app.decide(about(municipality_id="mun-2")[suffix])
    assert error.value.field == "data.municipality_id"
    assert str(error.value).endswith("belongs to municipality mun-1, not mun-2")


def start_of(suffix: str):
    """What a fact of this type waits for: the plan's adoption or the recommendation's issue (in mun-1)."""
    return issued() if suffix == "recommendation_completed" else adopted()


class Run:
    """The indicators application behind its inbox, as the Kafka and HTTP channels use it."""

    def __init__(self):
        self.app = new_app()
        self.inbox = Inbox(self.app, "indicators", dict(REJECTIONS), Metrics())

    def send(self, data, event_id: str | None = None):
        return self.inbox.record(fact(data, id=event_id))

    def published(self) -> list[dict]:
        stored = self.app.recorder.select_notifications(1, 100_000)
        found = (to_contract(self.app.mapper.to_domain_event(n)) for n in stored)
        return [e.model_dump(mode="json") for e in found if e is not None]

    def refusals(self) -> list[tuple[str, str, str | None]]:
        return [(r.reason_code, r.reason, r.field) for w in self.app.waiting.catch_up() for r in w.refusals()]

    def waiting(self) -> list[tuple[str, str, str | None]]:
        return [(w.kind, w.key, p.municipality_id) for w in self.app.waiting.catch_up() for p in w.waiting()]


@pytest.mark.parametrize("suffix", TYPES)
def test_a_waiting_fact_naming_another_municipality_is_refused_when_the_plan_comes_not_recorded_into_it(suffix):
    in_order = Run()
    in_order.send(start_of(suffix))

    waited = Run()
    assert waited.send(about(municipality_id="mun-2")[suffix]).outcome.value == "waiting"
    assert [municipality for _, _, municipality in waited.waiting()] == ["mun-2"]  # listed to mun-2's operators
    assert waited.send(start_of(suffix)).outcome.value == "accepted"
    what = "recommendation rec-1" if suffix == "recommendation_completed" else "plan plan-1"
    assert waited.refusals() == [("business_rule", f"{what} belongs to municipality mun-1, not mun-2",
                                  "data.municipality_id")]  # its dead letter is due, with this reason
    assert waited.waiting() == []
    assert waited.published() == in_order.published()  # nothing of it in mun-1's plan


@pytest.mark.parametrize("suffix", TYPES)
def test_a_waiting_fact_naming_its_plans_municipality_is_recorded_as_in_order(suffix):
    in_order = Run()
    in_order.send(start_of(suffix))
    assert in_order.send(about(municipality_id="mun-1")[suffix]).outcome.value == "accepted"

    waited = Run()
    assert waited.send(about(municipality_id="mun-1")[suffix]).outcome.value == "waiting"
    assert waited.send(start_of(suffix)).outcome.value == "accepted"
    assert waited.refusals() == [] and waited.waiting() == []
    assert waited.published() == in_order.published()


def test_an_operator_names_no_school_of_another_municipality():
    """A measure done by a school, a recommendation to a school: the school lies in the operator's municipality."""
    places = {"sch-1": "mun-1", "sch-2": "mun-2"}
    access = Access(new_app(), placement=lambda scope: {"org_id": scope.id, "municipality_id": places.get(scope.id)})
    save(access.app, adopted())
    done_by = {org: MeasureCompleted(plan_id="plan-1", measure_id="m1", completed_on="2020-12-01", org_id=org)
               for org in ("sch-1", "sch-2", "sch-new")}
    assert access.authorize_write(OPERATOR_1, done_by["sch-1"]) is None
    assert access.authorize_write(OPERATOR_1, done_by["sch-2"]) == (
        "data.org_id: sch-2 lies in municipality mun-2, not the caller's")
    assert access.authorize_write(OPERATOR_1, done_by["sch-new"]) is None  # not registered yet: not held against
    assert access.authorize_write(ADMIN, done_by["sch-2"]) is None
    to_school = issued().model_copy(update={"org_id": "sch-2"})
    assert access.authorize_write(OPERATOR_1, to_school).startswith("data.org_id: sch-2 lies in municipality mun-2")
