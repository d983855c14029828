"""Indicators domain events to contract events: the only place that maps between them."""

from __future__ import annotations

from pedgrowth.contracts import EventData
from pedgrowth.contracts import indicators as contract
from pedgrowth.kit.translation import Translation

from .domain.cycle import Decision, Recommendation, Review, Submission
from .domain.plan import Plan, ReportedValues


def plan_adopted(e: Plan.Adopted) -> EventData:
    return contract.PlanAdopted(
        plan_id=e.plan_id, municipality_id=e.municipality_id, title=e.title,
        period_start=e.period_start, period_end=e.period_end,
        targets=[contract.Target(**t) for t in e.targets],
        measures=[contract.Measure(**m) for m in e.measures] or None,
        definitions=[contract.DefinitionChoice(**d) for d in getattr(e, "definitions", None) or ()] or None,
        baselines=[contract.Baseline(**b) for b in getattr(e, "baselines", None) or ()] or None,
    )


def target_set(e: Plan.TargetSet) -> EventData:
    return contract.TargetSet(plan_id=e.plan_id, indicator=e.indicator, year=e.year, value=e.value)


def baseline_set(e: Plan.BaselineSet) -> EventData:
    return contract.BaselineSet(plan_id=e.plan_id, indicator=e.indicator, year=e.year, value=e.value)


def measure_completed(e: Plan.MeasureCompleted) -> EventData:
    return contract.MeasureCompleted(plan_id=e.plan_id, measure_id=e.measure_id, completed_on=e.completed_on,
                                     evidence=e.evidence, org_id=getattr(e, "org_id", None))


def value_reported(e: ReportedValues.ValueReported) -> EventData:
    return contract.ValueReported(municipality_id=e.municipality_id, indicator=e.indicator, year=e.year,
                                  value=e.value, method=e.method)


def recommendation_issued(e: Recommendation.Issued) -> EventData:
    return contract.RecommendationIssued(
        recommendation_id=e.recommendation_id, municipality_id=e.municipality_id, org_id=e.org_id,
        indicators=e.indicators, text=e.text, issued_on=e.issued_on, due_on=e.due_on)


def recommendation_completed(e: Recommendation.Completed) -> EventData:
    return contract.RecommendationCompleted(recommendation_id=e.recommendation_id, completed_on=e.completed_on,
                                            evidence=e.evidence)


def decision_recorded(e: Decision.Recorded) -> EventData:
    return contract.DecisionRecorded(decision_id=e.decision_id, municipality_id=e.municipality_id, title=e.title,
                                     document=e.document, decided_on=e.decided_on, indicators=e.indicators,
                                     measure_ids=e.measure_ids)


def effectiveness_reviewed(e: Review.Reviewed) -> EventData:
    return contract.EffectivenessReviewed(review_id=e.review_id, municipality_id=e.municipality_id, year=e.year,
                                          reviewed_on=e.reviewed_on, findings=e.findings)


def monitoring_submitted(e: Submission.Submitted) -> EventData:
    """The submission as published: everything but the file (it stays in this service's store)."""
    return contract.MonitoringSubmitted(
        submission_id=e.submission_id, municipality_id=e.municipality_id, year=e.year, as_of=e.as_of,
        submitted_on=e.submitted_on, sha256=e.sha256, positions=e.positions)


TRANSLATIONS: dict = {
    Plan.Adopted: plan_adopted,
    Plan.TargetSet: target_set,
    Plan.BaselineSet: baseline_set,
    Plan.MeasureCompleted: measure_completed,
    ReportedValues.ValueReported: value_reported,
    Recommendation.Issued: recommendation_issued,
    Recommendation.Completed: recommendation_completed,
    Decision.Recorded: decision_recorded,
    Review.Reviewed: effectiveness_reviewed,
    Submission.Submitted: monitoring_submitted,
}

to_contract = Translation(TRANSLATIONS)
"""The contract event a domain event is published as, or None for internal ones."""
