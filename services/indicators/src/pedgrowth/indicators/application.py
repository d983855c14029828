"""The indicators application: records plans, targets, measures and reported values as domain events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from pedgrowth.contracts import EventData
from pedgrowth.contracts import indicators as contract
from pedgrowth.kit.errors import Conflict, RuleViolation, UnknownReference
from pedgrowth.kit.logfollower import LogFollower
from pedgrowth.kit.recording import Handler, RecordingApplication
from pedgrowth.kit.waiting import Reference

from .domain.cycle import (Decision, Recommendation, Review, Submission, decision_id_of, recommendation_id_of,
                           review_id_of, submission_id_of)
from .domain.plan import (COMPUTED_INDICATORS, SURVEY_NAMES, Plan, ReportedValues, measure_status, plan_id_of,
                          reports_id_of)


PLAN = Reference(
    kind="plan", aggregate_id=plan_id_of,
    waits={"target_set": "plan_id", "baseline_set": "plan_id", "measure_completed": "plan_id"}, recorded_by={"plan_adopted": "plan_id"},
    missing_en="plan {key} has not been adopted", missing_ru="план {key} не принят",
)
"""A target, a base value or a completed measure may come before its plan's adoption."""

RECOMMENDATION = Reference(
    kind="recommendation", aggregate_id=recommendation_id_of,
    waits={"recommendation_completed": "recommendation_id"},
    recorded_by={"recommendation_issued": "recommendation_id"},
    missing_en="recommendation {key} has not been issued", missing_ru="рекомендация {key} не выдана",
)
"""A completion may come before the recommendation it completes."""

LOGGED = (Plan.Adopted, Recommendation.Issued, Decision.Recorded, Review.Reviewed, Submission.Submitted)
"""The cycle's few facts (plans, recommendations, decisions, reviews, submissions): the log is their index,
kept in memory by one follower."""


class IndicatorsApplication(RecordingApplication):
    """Use cases of the indicators service; one handler per contract event type (``handlers``)."""

    name = "indicators"
    references = (PLAN, RECOMMENDATION)
    reads_the_log = frozenset({"recommendation_issued", "decision_recorded", "effectiveness_reviewed"})
    """Their rules look up the municipality's plans (measures, target codes) in the plans the log lists."""

    def __init__(self, env=None, **kwargs):
        super().__init__(env=env, **kwargs)
        self.kept: dict[str, list] = {get_topic(kind): [] for kind in LOGGED}
        self.cycle_log = LogFollower(self, {topic: events.append for topic, events in self.kept.items()})

    def handlers(self) -> Mapping[type[EventData], Handler]:
        return {
            contract.PlanAdopted: self.on_plan_adopted,
            contract.TargetSet: self.on_target_set,
            contract.BaselineSet: self.on_baseline_set,
            contract.MeasureCompleted: self.on_measure_completed,
            contract.RecommendationIssued: self.on_recommendation_issued,
            contract.RecommendationCompleted: self.on_recommendation_completed,
            contract.DecisionRecorded: self.on_decision_recorded,
            contract.EffectivenessReviewed: self.on_effectiveness_reviewed,
            contract.MonitoringSubmitted: self.on_monitoring_submitted,
            contract.ValueReported: self.on_value_reported,
        }

    def on_plan_adopted(self, data: contract.PlanAdopted) -> Sequence[Aggregate]:
        """A municipality adopts a plan once; its targets must fall within its period."""
        if self.exists(plan_id_of(data.plan_id)):
            raise Conflict(f"plan {data.plan_id} is already adopted", "data.plan_id")
        plan = Plan.adopt(
            plan_id=data.plan_id, municipality_id=data.municipality_id, title=data.title,
            period_start=data.period_start, period_end=data.period_end,
            targets=[t.model_dump() for t in data.targets],
            measures=[m.model_dump() for m in data.measures or []],
            definitions=[d.model_dump(mode="json", exclude_none=True) for d in data.definitions or []],
            baselines=[b.model_dump() for b in data.baselines or []],
        )
        return [plan]

    def on_target_set(self, data: contract.TargetSet) -> Sequence[Aggregate]:
        """A target is set on an adopted plan, for a year of its period."""
        plan = self.adopted_plan(data)
        plan.set_target(data.indicator, data.year, data.value)
        return [plan]

    def on_baseline_set(self, data: contract.BaselineSet) -> Sequence[Aggregate]:
        """A base value is set on an adopted plan."""
        plan = self.adopted_plan(data)
        plan.set_baseline(data.indicator, data.year, data.value)
        return [plan]

    def on_measure_completed(self, data: contract.MeasureCompleted) -> Sequence[Aggregate]:
        """A measure of an adopted plan is completed, once."""
        plan = self.adopted_plan(data)
        plan.complete_measure(data.measure_id, data.completed_on, data.evidence, data.org_id)
        return [plan]

    def on_recommendation_issued(self, data: contract.RecommendationIssued) -> Sequence[Aggregate]:
        """A recommendation is issued once under its id."""
        if self.exists(recommendation_id_of(data.recommendation_id)):
            raise Conflict(f"recommendation {data.recommendation_id} is already issued", "data.recommendation_id")
        self.check_indicators(data.municipality_id, data.indicators, "data.indicators")
        return [Recommendation(
            recommendation_id=data.recommendation_id, municipality_id=data.municipality_id, org_id=data.org_id,
            indicators=list(data.indicators), text=data.text, issued_on=data.issued_on, due_on=data.due_on)]

    def on_recommendation_completed(self, data: contract.RecommendationCompleted) -> Sequence[Aggregate]:
        """An issued recommendation is carried out, once."""
        recommendation = self.get_or_none(recommendation_id_of(data.recommendation_id))
        if recommendation is None:
            raise UnknownReference(f"recommendation {data.recommendation_id} has not been issued",
                                   "data.recommendation_id")
        check_named_municipality(data.municipality_id, recommendation.municipality_id,
                                 f"recommendation {data.recommendation_id}")
        recommendation.complete(data.completed_on, data.evidence)
        return [recommendation]

    def on_decision_recorded(self, data: contract.DecisionRecorded) -> Sequence[Aggregate]:
        """A decision is recorded once; the measures it names are measures of the municipality's plans."""
        if self.exists(decision_id_of(data.decision_id)):
            raise Conflict(f"decision {data.decision_id} is already recorded", "data.decision_id")
        self.check_indicators(data.municipality_id, data.indicators, "data.indicators")
        known = {m for plan in self.plans_of(data.municipality_id) for m in plan.measures}
        for index, measure_id in enumerate(data.measure_ids or ()):
            if measure_id not in known:
                raise UnknownReference(f"no plan of {data.municipality_id} has measure {measure_id}",
                                       f"data.measure_ids.{index}")
        return [Decision(decision_id=data.decision_id, municipality_id=data.municipality_id, title=data.title,
                         document=data.document, decided_on=data.decided_on, indicators=list(data.indicators),
                         measure_ids=list(data.measure_ids or ()) or None)]

    def on_effectiveness_reviewed(self, data: contract.EffectivenessReviewed) -> Sequence[Aggregate]:
        """One review per municipality and year, made in that year or later."""
        review = self.get_or_none(review_id_of(data.municipality_id, data.year))
        if review is not None:
            raise Conflict(f"the effectiveness of {data.year} in {data.municipality_id} was reviewed on "
                           f"{review.reviewed_on} ({review.review_id})", "data.year")
        if data.reviewed_on.year < data.year:
            raise RuleViolation(f"reviewed_on {data.reviewed_on} is before the reviewed year {data.year}",
                                "data.reviewed_on")
        for index, finding in enumerate(data.findings):
            self.check_indicators(data.municipality_id, [finding.indicator], f"data.findings.{index}.indicator")
        return [Review(review_id=data.review_id, municipality_id=data.municipality_id, year=data.year,
                       reviewed_on=data.reviewed_on, findings=[f.model_dump(mode="json") for f in data.findings])]

    def on_monitoring_submitted(self, data: contract.MonitoringSubmitted) -> Sequence[Aggregate]:
        """Only the service freezes a report (``submit_monitoring``): a posted submission has no file behind it."""
        self.check_not_submitted(data.municipality_id, data.year)
        raise RuleViolation("a monitoring report is submitted with POST /api/v1/monitoring/{municipality}/{year}/"
                            "submit, which freezes the report this SHA-256 is of", "data.sha256")

    def check_indicators(self, municipality_id: str, codes: list[str], field: str) -> None:
        """The cycle's facts name indicators the municipality monitors: a computed one, a survey indicator the
        seed plans use, or one its plans set a target for (a typo is refused, naming the item)."""
        known = set(COMPUTED_INDICATORS) | set(SURVEY_NAMES)
        unknown = [(i, code) for i, code in enumerate(codes) if code not in known]
        if unknown:
            known |= {code for plan in self.plans_of(municipality_id) for code, _ in plan.targets}
        for index, code in unknown:
            if code not in known:
                where = field if field.endswith(".indicator") else f"{field}.{index}"
                raise UnknownReference(f"{code} is neither a computed indicator nor one the plans of "
                                       f"{municipality_id} set a target for", where)

    def submit_monitoring(self, data: contract.MonitoringSubmitted, file: bytes, values: list[dict] = ()) -> None:
        """Freeze a year's report once: the XLSX and its SHA-256, the as-of date and the bus positions."""
        with self.batch():  # one at a time: the second of two submissions meets the first
            self.check_not_submitted(data.municipality_id, data.year)
            self.save(Submission.freeze(
                submission_id=data.submission_id, municipality_id=data.municipality_id, year=data.year,
                as_of=data.as_of, submitted_on=data.submitted_on, sha256=data.sha256, positions=data.positions,
                file=file, values=[dict(v) for v in values]))

    def check_not_submitted(self, municipality_id: str, year: int) -> None:
        done = self.get_or_none(submission_id_of(municipality_id, year))
        if done is not None:
            raise Conflict(f"the monitoring of {year} in {municipality_id} was submitted on {done.submitted_on} "
                           f"(SHA-256 {done.sha256}); the frozen report stands", "year")

    def on_value_reported(self, data: contract.ValueReported) -> Sequence[Aggregate]:
        """A municipality reports a survey indicator's value for a year (a later report corrects it)."""
        reports = self.get_or_none(reports_id_of(data.municipality_id)) or ReportedValues(
            municipality_id=data.municipality_id)
        reports.report(data.indicator, data.year, data.value, data.method.value)
        return [reports]

    def adopted_plan(self, data: contract.TargetSet | contract.BaselineSet | contract.MeasureCompleted) -> Plan:
        """The adopted plan a fact names, of the municipality the fact names (when it names one)."""
        plan = self.get_or_none(plan_id_of(data.plan_id))
        if plan is None:
            raise UnknownReference(f"plan {data.plan_id} has not been adopted", "data.plan_id")
        check_named_municipality(data.municipality_id, plan.municipality_id, f"plan {data.plan_id}")
        return plan

    # Queries -----------------------------------------------------------------------------------

    def plan(self, plan_id: str, as_of: date) -> dict | None:
        """One plan as plain data: targets, and measures with their status as of a day."""
        plan = self.get_or_none(plan_id_of(plan_id))
        return None if plan is None else plan_view(plan, as_of)

    def plan_municipality(self, plan_id: str) -> str | None:
        """The municipality a plan belongs to, or None when no such plan was adopted."""
        plan = self.get_or_none(plan_id_of(plan_id))
        return None if plan is None else plan.municipality_id

    def recommendation_municipality(self, recommendation_id: str) -> str | None:
        """The municipality a recommendation belongs to, or None when no such recommendation was issued."""
        found = self.get_or_none(recommendation_id_of(recommendation_id))
        return None if found is None else found.municipality_id

    def plans_of(self, municipality_id: str) -> list[Plan]:
        """The adopted plans of a municipality."""
        found = [self.get_or_none(plan_id_of(plan_id)) for plan_id in self.adopted_plan_ids()]
        return [plan for plan in found if plan is not None and plan.municipality_id == municipality_id]

    def plans(self, municipality_id: str | None = None) -> list[dict]:
        """Summaries of the adopted plans, of one municipality when given."""
        found = []
        for plan_id in self.adopted_plan_ids():
            plan = self.repository.get(plan_id_of(plan_id))
            if municipality_id is None or plan.municipality_id == municipality_id:
                found.append(plan_summary(plan))
        return sorted(found, key=lambda p: (p["municipality_id"], p["period_start"], p["plan_id"]))

    def adopted_plan_ids(self) -> list[str]:
        """Plan ids from the notification log (plans are few; the log is the index)."""
        return [e.plan_id for e in self.logged(Plan.Adopted)]

    def logged(self, event_class: type) -> list:
        """Every recorded domain event of one of the LOGGED classes, in the order recorded."""
        self.cycle_log.catch_up()
        return list(self.kept[get_topic(event_class)])

    def recommendations(self, municipality_id: str, year: int | None = None, org_id: str | None = None) -> list[dict]:
        """A municipality's recommendations (issued in a year; to one school: its own and those to every school)."""
        found = []
        for issued in self.logged(Recommendation.Issued):
            if issued.municipality_id != municipality_id or (year is not None and issued.issued_on.year != year):
                continue
            if org_id is not None and issued.org_id not in (None, org_id):
                continue
            found.append(recommendation_view(self.repository.get(recommendation_id_of(issued.recommendation_id))))
        return sorted(found, key=lambda r: (r["issued_on"], r["recommendation_id"]))

    def decisions(self, municipality_id: str, year: int) -> list[dict]:
        """The decisions a municipality recorded in a year."""
        return sorted(({"decision_id": e.decision_id, "title": e.title, "document": e.document,
                        "decided_on": e.decided_on, "indicators": list(e.indicators),
                        "measure_ids": list(e.measure_ids or ())}
                       for e in self.logged(Decision.Recorded)
                       if e.municipality_id == municipality_id and e.decided_on.year == year),
                      key=lambda d: (d["decided_on"], d["decision_id"]))

    def review(self, municipality_id: str, year: int) -> dict | None:
        review = self.get_or_none(review_id_of(municipality_id, year))
        return None if review is None else {"review_id": review.review_id, "year": review.year,
                                            "reviewed_on": review.reviewed_on, "findings": review.findings}

    def submission(self, municipality_id: str, year: int) -> Submission | None:
        """The frozen monitoring report of a year, or None when it was not submitted."""
        return self.get_or_none(submission_id_of(municipality_id, year))

    def reported_values(self, municipality_id: str) -> list[dict]:
        """Survey values a municipality reported, per indicator and year."""
        reports = self.get_or_none(reports_id_of(municipality_id))
        if reports is None:
            return []
        return [{"indicator": indicator, "year": year, **entry}
                for (indicator, year), entry in sorted(reports.values.items())]


def check_named_municipality(named: str | None, owner: str, what: str) -> None:
    """A fact that names its municipality names the one its plan or recommendation belongs to: one that waited
    for it under another municipality's name is refused, never recorded into another municipality's plan."""
    if named is not None and named != owner:
        raise RuleViolation(f"{what} belongs to municipality {owner}, not {named}", "data.municipality_id")


def recommendation_view(r: Recommendation) -> dict:
    return {"recommendation_id": r.recommendation_id, "org_id": r.org_id, "indicators": list(r.indicators),
            "text": r.text, "issued_on": r.issued_on, "due_on": r.due_on, "completed_on": r.completed_on,
            "evidence": r.evidence}


def plan_summary(plan: Plan) -> dict:
    return {"plan_id": plan.plan_id, "municipality_id": plan.municipality_id, "title": plan.title,
            "period_start": plan.period_start, "period_end": plan.period_end,
            "targets_count": len(plan.targets), "measures_count": len(plan.measures)}


def plan_view(plan: Plan, as_of: date) -> dict:
    targets = [{"indicator": indicator, "year": year, "value": value}
               for (indicator, year), value in sorted(plan.targets.items())]
    measures = []
    for measure in sorted(plan.measures.values(), key=lambda m: (m["due_on"], m["measure_id"])):
        done = plan.completed.get(measure["measure_id"])
        completed_on = done["completed_on"] if done else None
        measures.append({
            **measure,
            "completed_on": completed_on if completed_on and completed_on <= as_of else None,
            "evidence": done["evidence"] if done and completed_on <= as_of else None,
            "status": measure_status(measure["due_on"], completed_on, as_of),
            "done_by": sorted(org for org, done in plan.done_by.get(measure["measure_id"], {}).items()
                              if done["completed_on"] <= as_of),
        })
    definitions = [{"indicator": code, **choice} for code, choice in sorted(plan.definitions.items())]
    baselines = [{"indicator": indicator, "year": year, "value": value}
                 for (indicator, year), value in sorted(plan.baselines.items())]
    return {**plan_summary(plan), "as_of": as_of, "targets": targets, "measures": measures,
            "definitions": definitions, "baselines": baselines}
