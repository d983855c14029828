"""The plan aggregate's rules, through the application on in-memory persistence."""

from __future__ import annotations

from datetime import date

import pytest

from pedgrowth.contracts.indicators import BaselineSet, MeasureCompleted, PlanAdopted, TargetSet, ValueReported
from pedgrowth.indicators.application import IndicatorsApplication
from pedgrowth.indicators.translation import to_contract
from pedgrowth.kit.errors import Conflict, RuleViolation, UnknownReference


def adopted(**overrides) -> PlanAdopted:
    fields = dict(
        plan_id="plan-1", municipality_id="mun-1", title="План", period_start="2020-01-01",
        period_end="2024-12-31",
        targets=[{"indicator": "training_coverage", "year": 2020, "value": 0.1}],
        measures=[{"measure_id": "m1", "title": "Аттестация", "due_on": "2020-12-31", "responsible": "УНО"},
                  {"measure_id": "m2", "title": "Резерв", "due_on": "2024-12-31", "responsible": "УНО"}],
    )
    return PlanAdopted(**{**fields, **overrides})


def save(app: IndicatorsApplication, data) -> list:
    changed = app.decide(data)
    app.save(*changed)
    return changed


@pytest.fixture
def app() -> IndicatorsApplication:
    application = IndicatorsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    save(application, adopted())
    return application


def test_a_plan_is_adopted_once(app):
    with pytest.raises(Conflict) as error:
        app.decide(adopted())
    assert error.value.field == "data.plan_id"


def test_a_target_outside_the_period_is_refused_naming_the_field():
    app = IndicatorsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    with pytest.raises(RuleViolation) as error:
        app.decide(adopted(targets=[{"indicator": "training_coverage", "year": 2025, "value": 0.5}]))
    assert error.value.field == "data.targets.0.year"


def test_target_set_needs_an_adopted_plan(app):
    with pytest.raises(UnknownReference) as error:
        app.decide(TargetSet(plan_id="nope", indicator="training_coverage", year=2021, value=0.2))
    assert error.value.field == "data.plan_id"


def test_target_set_year_must_be_in_the_period(app):
    with pytest.raises(RuleViolation) as error:
        app.decide(TargetSet(plan_id="plan-1", indicator="training_coverage", year=2019, value=0.2))
    assert error.value.field == "data.year"


def test_target_set_changes_the_target(app):
    save(app, TargetSet(plan_id="plan-1", indicator="training_coverage", year=2020, value=0.15))
    view = app.plan("plan-1", date(2020, 6, 1))
    assert view["targets"] == [{"indicator": "training_coverage", "year": 2020, "value": 0.15}]


def test_baseline_set_adds_or_changes_a_base_value_of_any_year_and_needs_an_adopted_plan(app):
    save(app, BaselineSet(plan_id="plan-1", indicator="training_coverage", year=2019, value=0.05))
    save(app, BaselineSet(plan_id="plan-1", indicator="training_coverage", year=2019, value=0.08))
    assert app.plan("plan-1", date(2020, 1, 1))["baselines"] == [
        {"indicator": "training_coverage", "year": 2019, "value": 0.08}]
    with pytest.raises(UnknownReference):
        app.decide(BaselineSet(plan_id="nope", indicator="training_coverage", year=2019, value=0.05))


def test_a_measure_completes_once(app):
    save(app, MeasureCompleted(plan_id="plan-1", measure_id="m1", completed_on="2020-11-01"))
    with pytest.raises(Conflict) as error:
        app.decide(MeasureCompleted(plan_id="plan-1", measure_id="m1", completed_on="2020-12-01"))
    assert error.value.field == "data.measure_id"


def test_an_unknown_measure_is_refused(app):
    with pytest.raises(UnknownReference) as error:
        app.decide(MeasureCompleted(plan_id="plan-1", measure_id="m9", completed_on="2020-11-01"))
    assert error.value.field == "data.measure_id"


def test_measures_are_done_due_or_overdue_as_of_a_day(app):
    save(app, MeasureCompleted(plan_id="plan-1", measure_id="m1", completed_on="2020-11-01"))
    status = {m["measure_id"]: m["status"] for m in app.plan("plan-1", date(2021, 1, 10))["measures"]}
    assert status == {"m1": "done", "m2": "due"}
    before = {m["measure_id"]: m["status"] for m in app.plan("plan-1", date(2020, 10, 1))["measures"]}
    assert before == {"m1": "due", "m2": "due"}
    late = {m["measure_id"]: m["status"] for m in app.plan("plan-1", date(2025, 1, 10))["measures"]}
    assert late == {"m1": "done", "m2": "overdue"}


def test_a_computed_indicator_cannot_be_reported(app):
    with pytest.raises(RuleViolation) as error:
        app.decide(ValueReported(municipality_id="mun-1", indicator="category_share", year=2022, value=0.9,
                                 method="survey"))
    assert error.value.field == "data.indicator"


def test_a_survey_value_is_kept_and_corrected(app):
    save(app, ValueReported(municipality_id="mun-1", indicator="teacher_readiness", year=2022, value=0.6,
                            method="survey"))
    save(app, ValueReported(municipality_id="mun-1", indicator="teacher_readiness", year=2022, value=0.65,
                            method="expert_review"))
    assert app.reported_values("mun-1") == [
        {"indicator": "teacher_readiness", "year": 2022, "value": 0.65, "method": "expert_review"}]


def test_plans_are_listed_per_municipality(app):
    save(app, adopted(plan_id="plan-2", municipality_id="mun-2"))
    assert [p["plan_id"] for p in app.plans("mun-2")] == ["plan-2"]
    assert [p["plan_id"] for p in app.plans()] == ["plan-1", "plan-2"]


def test_every_domain_event_translates_to_its_contract_event(app):
    save(app, TargetSet(plan_id="plan-1", indicator="training_coverage", year=2021, value=0.2))
    save(app, BaselineSet(plan_id="plan-1", indicator="training_coverage", year=2019, value=0.05))
    save(app, MeasureCompleted(plan_id="plan-1", measure_id="m1", completed_on="2020-11-01", evidence="приказ"))
    save(app, ValueReported(municipality_id="mun-1", indicator="teacher_readiness", year=2022, value=0.6,
                            method="survey"))
    notifications = app.recorder.select_notifications(1, 100)
    published = [to_contract(app.mapper.to_domain_event(n)) for n in notifications]
    types = [d.type_suffix for d in published if d is not None]
    assert types == ["plan_adopted", "target_set", "baseline_set", "measure_completed", "value_reported"]
    assert published[0] == adopted()
