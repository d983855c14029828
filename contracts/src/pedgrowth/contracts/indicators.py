"""Events of the indicators service: municipal plans, their targets and measures, reported values."""

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .base import Amount, ContractModel, Day, EventData, Id, Share, Text, Year


class ReportMethod(StrEnum):
    """How a value no event can measure was obtained."""

    SURVEY = "survey"
    EXPERT_REVIEW = "expert_review"
    OTHER = "other"


class Target(ContractModel):
    """The value an indicator should reach in a year."""

    indicator: Id
    year: Year
    value: Amount


class Measure(ContractModel):
    """A roadmap measure of a plan, due on a day."""

    measure_id: Id
    title: Text
    due_on: Day
    responsible: Text
    expected_result: Text | None = None


class Window(StrEnum):
    """Which dated facts an indicator counts (SPEC §4.2)."""

    ROLLING_3Y = "rolling_3y"
    ROLLING_1Y = "rolling_1y"
    SINCE_PERIOD_START = "since_period_start"
    CALENDAR_YEAR = "calendar_year"
    SCHOOL_YEAR = "school_year"


class Population(StrEnum):
    """Who STAFF means (SPEC §4.2)."""

    PEDAGOGICAL = "pedagogical"
    TEACHERS = "teachers"
    SCHOOL_TEACHERS = "school_teachers"
    SUBJECT_TEACHERS = "subject_teachers"


class Young(StrEnum):
    """Who counts as young (SPEC §4.2)."""

    EXPERIENCE_UNDER_3Y = "experience_under_3y"
    AGE_UNDER_35 = "age_under_35"
    AGE_UNDER_35_AND_EXPERIENCE_UNDER_3Y = "age_under_35_and_experience_under_3y"


class Support(StrEnum):
    """Which forms of support young_support_share counts (SPEC §4.2)."""

    SUPPORT_EVENTS = "support_events"
    ANY_SUPPORT = "any_support"


class Competition(StrEnum):
    """What the competition shares count (SPEC §4.2)."""

    COMPETITIONS = "competitions"


class Cohort(StrEnum):
    """Whom the young shares are counted among (SPEC §4.2)."""

    ALL_YOUNG = "all_young"


class DefinitionChoice(ContractModel):
    """A plan's choice, per indicator, of a value on each dimension of SPEC §4.2 (absent = default)."""

    indicator: Id
    window: Window | None = None
    population: Population | None = None
    young: Young | None = None
    support: Support | None = None
    competition: Competition | None = None
    cohort: Cohort | None = None


class Baseline(ContractModel):
    """The base value a plan starts from for an indicator in a year."""

    indicator: Id
    year: Year
    value: Amount


class IndicatorsEvent(EventData):
    """A fact recorded by the indicators service."""

    service: ClassVar[str] = "indicators"


def _first_duplicate(keys: list) -> object | None:
    seen = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return None


class PlanAdopted(IndicatorsEvent):
    """A municipality adopted a plan with yearly targets and roadmap measures."""

    type_suffix = "plan_adopted"
    subject_field = "plan_id"

    plan_id: Id
    municipality_id: Id
    title: Text
    period_start: Day
    period_end: Day
    targets: list[Target] = Field(description="May be empty; target_set adds targets later.")
    measures: list[Measure] | None = None
    definitions: list[DefinitionChoice] | None = Field(
        default=None, description="Per indicator, the variant the plan measures it by (SPEC §4.2).")
    baselines: list[Baseline] | None = Field(default=None, description="The base values the plan starts from.")

    @field_validator("period_end")
    @classmethod
    def _not_before_start(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("period_start")
        if start is not None and end < start:
            raise PydanticCustomError(
                "date_order",
                "period_end {end} is before period_start {start}",
                {"end": end.isoformat(), "start": start.isoformat()},
            )
        return end

    @field_validator("targets")
    @classmethod
    def _one_target_per_indicator_and_year(cls, targets: list[Target]) -> list[Target]:
        twice = _first_duplicate([(t.indicator, t.year) for t in targets])
        if twice is not None:
            raise PydanticCustomError(
                "duplicate",
                "two targets for {indicator} in {year}",
                {"indicator": twice[0], "year": twice[1]},
            )
        return targets

    @field_validator("definitions")
    @classmethod
    def _one_definition_per_indicator(cls, definitions: list[DefinitionChoice] | None) -> list | None:
        twice = _first_duplicate([d.indicator for d in definitions or []])
        if twice is not None:
            raise PydanticCustomError("duplicate", "two definitions for {indicator}", {"indicator": twice})
        return definitions

    @field_validator("baselines")
    @classmethod
    def _one_baseline_per_indicator_and_year(cls, baselines: list[Baseline] | None) -> list | None:
        twice = _first_duplicate([(b.indicator, b.year) for b in baselines or []])
        if twice is not None:
            raise PydanticCustomError("duplicate", "two baselines for {indicator} in {year}",
                                      {"indicator": twice[0], "year": twice[1]})
        return baselines

    @field_validator("measures")
    @classmethod
    def _unique_measure_ids(cls, measures: list[Measure] | None) -> list[Measure] | None:
        twice = _first_duplicate([m.measure_id for m in measures or []])
        if twice is not None:
            raise PydanticCustomError(
                "duplicate", "measure_id {measure_id} is used twice", {"measure_id": twice}
            )
        return measures


class TargetSet(IndicatorsEvent):
    """A plan's target for an indicator in a year was set or changed."""

    type_suffix = "target_set"
    subject_field = "plan_id"

    plan_id: Id
    indicator: Id
    year: Year
    value: Amount


class ValueReported(IndicatorsEvent):
    """A municipality reported an indicator value no event can measure (e.g. a survey)."""

    type_suffix = "value_reported"
    subject_field = "municipality_id"

    municipality_id: Id
    indicator: Id
    year: Year
    value: Share = Field(description="Survey indicators are shares: 0.5 = 50 %.")
    method: ReportMethod


class MeasureCompleted(IndicatorsEvent):
    """A roadmap measure of a plan was carried out."""

    type_suffix = "measure_completed"
    subject_field = "plan_id"

    plan_id: Id
    measure_id: Id
    completed_on: Day
    evidence: Text | None = None


EVENTS: tuple[type[IndicatorsEvent], ...] = (PlanAdopted, TargetSet, ValueReported, MeasureCompleted)
