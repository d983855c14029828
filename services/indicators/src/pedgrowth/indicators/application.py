"""The indicators application: records plans, targets, measures and reported values as domain events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from pedgrowth.contracts import indicators as contract
from pedgrowth.kit.recording import RecordingApplication
from pedgrowth.kit.waiting import Reference

from .domain.errors import Conflict, UnknownReference
from .domain.plan import Plan, ReportedValues, measure_status, plan_id_of, reports_id_of


PLAN = Reference(
    kind="plan", aggregate_id=plan_id_of,
    waits={"target_set": "plan_id", "measure_completed": "plan_id"}, recorded_by={"plan_adopted": "plan_id"},
    missing_en="plan {key} has not been adopted", missing_ru="план {key} не принят",
)
"""A target or a completed measure may come before its plan's adoption."""


class IndicatorsApplication(RecordingApplication):
    """Use cases of the indicators service; one `on_<event name>` per contract event type."""

    name = "indicators"
    references = (PLAN,)

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
        plan = self.adopted_plan(data.plan_id)
        plan.set_target(data.indicator, data.year, data.value)
        return [plan]

    def on_measure_completed(self, data: contract.MeasureCompleted) -> Sequence[Aggregate]:
        """A measure of an adopted plan is completed, once."""
        plan = self.adopted_plan(data.plan_id)
        plan.complete_measure(data.measure_id, data.completed_on, data.evidence)
        return [plan]

    def on_value_reported(self, data: contract.ValueReported) -> Sequence[Aggregate]:
        """A municipality reports a survey indicator's value for a year (a later report corrects it)."""
        reports = self.get_or_none(reports_id_of(data.municipality_id)) or ReportedValues(
            municipality_id=data.municipality_id)
        reports.report(data.indicator, data.year, data.value, data.method.value)
        return [reports]

    def adopted_plan(self, plan_id: str) -> Plan:
        plan = self.get_or_none(plan_id_of(plan_id))
        if plan is None:
            raise UnknownReference(f"plan {plan_id} has not been adopted", "data.plan_id")
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
        ids, start, topics = [], 1, (get_topic(Plan.Adopted),)
        while True:
            page = self.recorder.select_notifications(start, 500, topics=topics)
            if not page:
                return ids
            ids.extend(self.mapper.to_domain_event(n).plan_id for n in page)
            start = page[-1].id + 1

    def reported_values(self, municipality_id: str) -> list[dict]:
        """Survey values a municipality reported, per indicator and year."""
        reports = self.get_or_none(reports_id_of(municipality_id))
        if reports is None:
            return []
        return [{"indicator": indicator, "year": year, **entry}
                for (indicator, year), entry in sorted(reports.values.items())]


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
        })
    definitions = [{"indicator": code, **choice} for code, choice in sorted(plan.definitions.items())]
    baselines = [{"indicator": indicator, "year": year, "value": value}
                 for (indicator, year), value in sorted(plan.baselines.items())]
    return {**plan_summary(plan), "as_of": as_of, "targets": targets, "measures": measures,
            "definitions": definitions, "baselines": baselines}
