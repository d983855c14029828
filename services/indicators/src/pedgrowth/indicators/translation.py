"""Indicators domain events to contract events: the only place that maps between them."""

from __future__ import annotations

from pedgrowth.contracts import EventData
from pedgrowth.contracts import indicators as contract

from .domain.plan import Plan, ReportedValues


def to_contract(domain_event: object) -> EventData | None:
    """The contract event a domain event is published as, or None for internal ones."""
    translate = TRANSLATIONS.get(type(domain_event))
    return translate(domain_event) if translate else None


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


def measure_completed(e: Plan.MeasureCompleted) -> EventData:
    return contract.MeasureCompleted(plan_id=e.plan_id, measure_id=e.measure_id, completed_on=e.completed_on,
                                     evidence=e.evidence)


def value_reported(e: ReportedValues.ValueReported) -> EventData:
    return contract.ValueReported(municipality_id=e.municipality_id, indicator=e.indicator, year=e.year,
                                  value=e.value, method=e.method)


TRANSLATIONS: dict = {
    Plan.Adopted: plan_adopted,
    Plan.TargetSet: target_set,
    Plan.MeasureCompleted: measure_completed,
    ReportedValues.ValueReported: value_reported,
}
