"""The yearly cycle's rules (SPEC §5.1): recommendations, decisions, reviews, submissions and schools'
completions of measures, through the application on in-memory persistence."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from pedgrowth.contracts.indicators import (DecisionRecorded, EffectivenessReviewed, MeasureCompleted,
                                            MonitoringSubmitted, RecommendationCompleted, RecommendationIssued)
from pedgrowth.indicators.application import IndicatorsApplication
from pedgrowth.indicators.domain.cycle import Decision, Recommendation, Review
from pedgrowth.indicators.translation import to_contract
from pedgrowth.kit.errors import Conflict, RuleViolation, UnknownReference

from .test_plan_rules import adopted, save


@pytest.fixture
def app() -> IndicatorsApplication:
    application = IndicatorsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    save(application, adopted())
    return application


def issued(**overrides) -> RecommendationIssued:
    fields = dict(recommendation_id="rec-1", municipality_id="mun-1", org_id="sch-1",
                  indicators=["young_mentoring_coverage"], text="Закрепить наставников", issued_on="2024-03-20",
                  due_on="2024-09-01")
    return RecommendationIssued(**{**fields, **overrides})


def decision(**overrides) -> DecisionRecorded:
    fields = dict(decision_id="dec-1", municipality_id="mun-1", title="О наставничестве", decided_on="2024-04-10",
                  indicators=["young_mentoring_coverage"], measure_ids=["m2"])
    return DecisionRecorded(**{**fields, **overrides})


def review(**overrides) -> EffectivenessReviewed:
    fields = dict(review_id="rev-1", municipality_id="mun-1", year=2024, reviewed_on="2024-08-30",
                  findings=[{"indicator": "training_coverage", "assessment": "effective"}])
    return EffectivenessReviewed(**{**fields, **overrides})


def submitted(file: bytes = b"xlsx", **overrides) -> MonitoringSubmitted:
    fields = dict(submission_id="mon-1", municipality_id="mun-1", year=2023, as_of="2023-12-31",
                  submitted_on="2024-01-18", sha256=hashlib.sha256(file).hexdigest(),
                  positions={"registry.events": {"0": 5}})
    return MonitoringSubmitted(**{**fields, **overrides})


def test_a_recommendation_is_issued_once(app):
    save(app, issued())
    with pytest.raises(Conflict) as error:
        app.decide(issued())
    assert error.value.field == "data.recommendation_id"


def test_a_recommendation_is_completed_once_and_not_before_it_was_issued(app):
    save(app, issued())
    with pytest.raises(RuleViolation) as early:
        app.decide(RecommendationCompleted(recommendation_id="rec-1", completed_on="2024-03-19"))
    assert early.value.field == "data.completed_on"
    save(app, RecommendationCompleted(recommendation_id="rec-1", completed_on="2024-05-01", evidence="Приказ № 3"))
    with pytest.raises(Conflict) as twice:
        app.decide(RecommendationCompleted(recommendation_id="rec-1", completed_on="2024-05-02"))
    assert twice.value.field == "data.recommendation_id"
    [found] = app.recommendations("mun-1", 2024)
    assert (found["completed_on"], found["evidence"]) == (date(2024, 5, 1), "Приказ № 3")


def test_a_completion_of_an_unknown_recommendation_names_it(app):
    with pytest.raises(UnknownReference) as error:
        app.decide(RecommendationCompleted(recommendation_id="nope", completed_on="2024-05-01"))
    assert error.value.field == "data.recommendation_id"


def test_a_school_reads_its_own_recommendations_and_those_to_every_school(app):
    save(app, issued())
    save(app, issued(recommendation_id="rec-2", org_id="sch-2"))
    save(app, issued(recommendation_id="rec-3", org_id=None))
    assert [r["recommendation_id"] for r in app.recommendations("mun-1", 2024, org_id="sch-1")] == ["rec-1", "rec-3"]
    assert len(app.recommendations("mun-1", 2024)) == 3
    assert app.recommendations("mun-1", 2023) == []


def test_a_decision_names_only_measures_of_the_municipalitys_plans(app):
    with pytest.raises(UnknownReference) as error:
        app.decide(decision(measure_ids=["m2", "m9"]))
    assert error.value.field == "data.measure_ids.1"
    save(app, decision())
    with pytest.raises(Conflict):
        app.decide(decision())
    assert [d["decision_id"] for d in app.decisions("mun-1", 2024)] == ["dec-1"]


def test_one_review_per_municipality_and_year_made_in_that_year_or_later(app):
    with pytest.raises(RuleViolation) as early:
        app.decide(review(reviewed_on="2023-12-30"))
    assert early.value.field == "data.reviewed_on"
    save(app, review())
    with pytest.raises(Conflict) as twice:
        app.decide(review(review_id="rev-2"))
    assert twice.value.field == "data.year"


def test_a_submission_is_frozen_once_and_keeps_its_file(app):
    app.submit_monitoring(submitted(b"report"), b"report")
    frozen = app.submission("mun-1", 2023)
    assert frozen.file == b"report" and frozen.sha256 == hashlib.sha256(b"report").hexdigest()
    with pytest.raises(Conflict) as twice:
        app.submit_monitoring(submitted(b"other"), b"other")
    assert twice.value.field == "year"
    assert app.submission("mun-1", 2023).file == b"report"


def test_a_posted_submission_without_a_frozen_report_is_refused_naming_the_sha256(app):
    with pytest.raises(RuleViolation) as error:
        app.decide(submitted())
    assert error.value.field == "data.sha256"


def test_the_published_submission_carries_no_file(app):
    app.submit_monitoring(submitted(b"report"), b"report")
    [event] = [e for e in app.logged(type(app.submission("mun-1", 2023)).Submitted)]
    published = to_contract(event)
    assert published.sha256 == hashlib.sha256(b"report").hexdigest()
    assert "xlsx" not in published.model_dump()


def test_a_school_completes_a_measure_once_without_completing_it_for_the_plan(app):
    save(app, MeasureCompleted(plan_id="plan-1", measure_id="m1", completed_on="2020-06-01", org_id="sch-1"))
    with pytest.raises(Conflict) as twice:
        app.decide(MeasureCompleted(plan_id="plan-1", measure_id="m1", completed_on="2020-06-02", org_id="sch-1"))
    assert twice.value.field == "data.org_id"
    view = app.plan("plan-1", date(2021, 1, 1))
    m1 = next(m for m in view["measures"] if m["measure_id"] == "m1")
    assert m1["status"] == "overdue"
    assert m1["done_by"] == ["sch-1"]


def test_the_cycle_events_are_published_as_they_came(app):
    for data in (issued(), decision(), review()):
        save(app, data)
    logged = app.logged(Recommendation.Issued) + app.logged(Decision.Recorded) + app.logged(Review.Reviewed)
    assert [to_contract(e) for e in logged] == [issued(), decision(), review()]


def test_an_outcome_measured_later_may_have_its_target_after_the_period_and_nothing_else_may():
    app = IndicatorsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    later = [{"indicator": "young_retention_3y", "year": 2027, "value": 0.6}]
    save(app, adopted(plan_id="plan-2", targets=later))  # the period ends in 2024; retention is measured 3 years on
    with pytest.raises(RuleViolation) as too_late:
        app.decide(adopted(plan_id="plan-3", targets=[{"indicator": "young_retention_3y", "year": 2028, "value": 0.6}]))
    assert too_late.value.field == "data.targets.0.year" and "2027" in str(too_late.value)
    with pytest.raises(RuleViolation) as other:
        app.decide(adopted(plan_id="plan-4", targets=[{"indicator": "training_coverage", "year": 2025, "value": 0.6}]))
    assert other.value.field == "data.targets.0.year"


def test_a_decision_in_the_same_batch_as_its_plan_finds_the_plans_measures():
    from pedgrowth.contracts import decode, new_event
    from pedgrowth.kit.recording import Outcome

    app = IndicatorsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    facts = [decode(new_event(data, source="/t", id=str(n)).to_json()) for n, data in enumerate((adopted(), decision()))]
    with app.batch():  # as the inbox records a batch of messages
        outcomes = [app.record(fact) for fact in facts]
    assert outcomes == [Outcome.ACCEPTED, Outcome.ACCEPTED]


def test_the_cycle_names_only_indicators_the_municipality_monitors():
    app = IndicatorsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    save(app, adopted(targets=[{"indicator": "local_survey", "year": 2020, "value": 0.5}]))
    with pytest.raises(UnknownReference) as typo:
        app.decide(issued(indicators=["training_coverage", "tranining_coverage"]))
    assert typo.value.field == "data.indicators.1"
    with pytest.raises(UnknownReference) as finding:
        app.decide(review(findings=[{"indicator": "nope", "assessment": "effective"}]))
    assert finding.value.field == "data.findings.0.indicator"
    save(app, issued(indicators=["local_survey", "teacher_readiness"]))  # a plan's target and a seed survey
