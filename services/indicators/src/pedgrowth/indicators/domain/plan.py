"""Municipal plans: yearly targets per indicator, roadmap measures, and values reported by survey."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from pedgrowth.kit.errors import Conflict, RuleViolation, UnknownReference

from ..definitions import BY_CODE, CODES, BadVariant

COMPUTED_INDICATORS: tuple[str, ...] = CODES
"""The indicators events measure (one entry each in ``definitions``); any other code is a survey indicator."""

SURVEY_NAMES: dict[str, str] = {
    "teacher_readiness": "Готовность педагогов к образовательной деятельности на основе инновационных технологий",
    "young_project_participation": "Доля молодых педагогов — участников проекта «Стартуем вместе»",
    "young_subject_competence": "Доля молодых педагогов, повысивших профессиональный уровень по предмету",
    "young_competence_growth": "Доля молодых педагогов, повысивших уровень профессиональной компетентности",
}
"""Russian names of the survey indicators the seed plans use (docs/plans.md); reported by value_reported."""


def plan_id_of(plan_id: str) -> UUID:
    """Deterministic aggregate id of a plan."""
    return uuid5(NAMESPACE_URL, f"pedgrowth:indicators:plan:{plan_id}")


def reports_id_of(municipality_id: str) -> UUID:
    """Deterministic aggregate id of a municipality's reported values."""
    return uuid5(NAMESPACE_URL, f"pedgrowth:indicators:reports:{municipality_id}")


def measure_status(due_on: date, completed_on: date | None, as_of: date) -> str:
    """done (completed by as_of), overdue (due before as_of and not done), else due."""
    if completed_on is not None and completed_on <= as_of:
        return "done"
    return "overdue" if due_on < as_of else "due"


class Plan(Aggregate):
    """A municipality's plan: targets per indicator and year within its period, and roadmap measures."""

    @event("Adopted")
    def __init__(self, plan_id: str, municipality_id: str, title: str, period_start: date, period_end: date,
                 targets: list[dict], measures: list[dict], definitions: list[dict] | None = None,
                 baselines: list[dict] | None = None):
        self.plan_id = plan_id
        self.definitions: dict[str, dict] = {d["indicator"]: {k: v for k, v in d.items() if k != "indicator"}
                                             for d in definitions or ()}
        self.baselines: dict[tuple[str, int], float] = {(b["indicator"], b["year"]): b["value"]
                                                        for b in baselines or ()}
        self.municipality_id = municipality_id
        self.title = title
        self.period_start = period_start
        self.period_end = period_end
        self.targets: dict[tuple[str, int], float] = {(t["indicator"], t["year"]): t["value"] for t in targets}
        self.measures: dict[str, dict] = {m["measure_id"]: dict(m) for m in measures}
        self.completed: dict[str, dict] = {}
        self.done_by: dict[str, dict[str, dict]] = {}  # measure → school → completion («во всех ОО»)

    @staticmethod
    def create_id(plan_id: str) -> UUID:
        return plan_id_of(plan_id)

    @classmethod
    def adopt(cls, plan_id: str, municipality_id: str, title: str, period_start: date, period_end: date,
              targets: list[dict], measures: list[dict], definitions: list[dict] | None = None,
              baselines: list[dict] | None = None) -> Plan:
        """Adopt a plan; every target's year lies within the plan's period, every definition names a
        computed indicator and only dimensions that apply to it."""
        for index, target in enumerate(targets):
            check_year(target["year"], period_start, period_end, f"data.targets.{index}.year", target["indicator"])
            check_value(target["indicator"], target["value"], f"data.targets.{index}.value")
        for index, baseline in enumerate(baselines or ()):
            check_value(baseline["indicator"], baseline["value"], f"data.baselines.{index}.value")
        for index, choice in enumerate(definitions or ()):
            check_definition(choice, period_start, f"data.definitions.{index}")
        return cls(plan_id=plan_id, municipality_id=municipality_id, title=title, period_start=period_start,
                   period_end=period_end, targets=targets, measures=measures,
                   definitions=definitions or None, baselines=baselines or None)

    def set_target(self, indicator: str, year: int, value: float) -> None:
        """Set or change the target of an indicator for a year of the plan's period."""
        check_year(year, self.period_start, self.period_end, "data.year", indicator)
        check_value(indicator, value, "data.value")
        self.target_set(plan_id=self.plan_id, indicator=indicator, year=year, value=value)

    @event("TargetSet")
    def target_set(self, plan_id: str, indicator: str, year: int, value: float) -> None:
        self.targets[(indicator, year)] = value

    def set_baseline(self, indicator: str, year: int, value: float) -> None:
        """Set or change the base value of an indicator for a year (any year: usually the one before the period)."""
        check_value(indicator, value, "data.value")
        self.baseline_set(plan_id=self.plan_id, indicator=indicator, year=year, value=value)

    @event("BaselineSet")
    def baseline_set(self, plan_id: str, indicator: str, year: int, value: float) -> None:
        self.baselines[(indicator, year)] = value

    def complete_measure(self, measure_id: str, completed_on: date, evidence: str | None,
                         org_id: str | None = None) -> None:
        """Mark a roadmap measure of this plan done, once; or done by one school (``org_id``), once per school.

        A school's completion does not complete the measure: the plan's operator says when it is done."""
        if measure_id not in self.measures:
            raise UnknownReference(f"plan {self.plan_id} has no measure {measure_id}", "data.measure_id")
        done = self.done_by.get(measure_id, {}).get(org_id) if org_id else self.completed.get(measure_id)
        if done is not None:
            who = f" by {org_id}" if org_id else ""
            raise Conflict(f"measure {measure_id} of plan {self.plan_id} was completed{who} on "
                           f"{done['completed_on']}", "data.org_id" if org_id else "data.measure_id")
        self.measure_completed(plan_id=self.plan_id, measure_id=measure_id, completed_on=completed_on,
                               evidence=evidence, org_id=org_id)

    @event("MeasureCompleted")
    def measure_completed(self, plan_id: str, measure_id: str, completed_on: date, evidence: str | None,
                          org_id: str | None = None) -> None:
        completion = {"completed_on": completed_on, "evidence": evidence}
        if org_id:
            self.done_by.setdefault(measure_id, {})[org_id] = completion
        else:
            self.completed[measure_id] = completion


class ReportedValues(Aggregate):
    """Values a municipality reported for indicators no event can measure (surveys, expert reviews)."""

    @event("Opened")
    def __init__(self, municipality_id: str):
        self.municipality_id = municipality_id
        self.values: dict[tuple[str, int], dict] = {}

    @staticmethod
    def create_id(municipality_id: str) -> UUID:
        return reports_id_of(municipality_id)

    def report(self, indicator: str, year: int, value: float, method: str) -> None:
        """Report (or correct) a survey indicator's value for a year; computed indicators cannot be reported."""
        if indicator in COMPUTED_INDICATORS:
            raise RuleViolation(f"{indicator} is computed from events and cannot be reported; "
                                "report only survey indicators", "data.indicator")
        self.value_reported(municipality_id=self.municipality_id, indicator=indicator, year=year, value=value,
                            method=method)

    @event("ValueReported")
    def value_reported(self, municipality_id: str, indicator: str, year: int, value: float, method: str) -> None:
        self.values[(indicator, year)] = {"value": value, "method": method}


def check_definition(choice: dict, period_start: date, field: str) -> None:
    """A plan's definition names a computed indicator and values of dimensions that apply to it."""
    indicator = BY_CODE.get(choice["indicator"])
    if indicator is None:
        raise RuleViolation(f"{choice['indicator']} is not a computed indicator: only those have definitions",
                            f"{field}.indicator")
    chosen = {k: v for k, v in choice.items() if k != "indicator" and v is not None}
    for name in chosen:
        if getattr(indicator.default, name, None) is None:
            raise RuleViolation(f"{name} is not a dimension of {indicator.code}", f"{field}.{name}")
    try:
        indicator.default.choose(chosen, period_start)
    except BadVariant as error:
        raise RuleViolation(str(error), f"{field}.{error.field}") from error


def check_value(code: str, value: float, field: str) -> None:
    """A target or base value within what the indicator can reach: a share of its denominator is at most 1
    (50 % is 0.5); survey indicators are shares too."""
    indicator = BY_CODE.get(code)
    most = indicator.most if indicator is not None else 1.0
    if most is not None and value > most:
        raise RuleViolation(f"{code} is a share (0.5 = 50 %): {value} is above {most:g}", field)


def check_year(year: int, start: date, end: date, field: str, code: str | None = None) -> None:
    """A target year must be a year of the plan's period — or, for an outcome measured years later
    (``Indicator.measured_after``: young_retention_3y), up to that many years after it."""
    indicator = BY_CODE.get(code) if code else None
    later = indicator.measured_after if indicator is not None else 0
    if not start.year <= year <= end.year + later:
        after = f" (or up to {end.year + later} for {code}, measured {later} years later)" if later else ""
        raise RuleViolation(f"year {year} is outside the plan period {start.isoformat()}..{end.isoformat()}{after}",
                            field)
