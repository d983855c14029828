"""Events of the indicators service: municipal plans, their targets and measures, reported values."""

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .base import Amount, ContractModel, Day, EventData, Id, Share, Text, Year, check_identifier


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


PROJECT_PREFIX = "project:"
"""`project:<project_id>`: a dimension value naming a project cohort (SPEC §4.2, mentoring's project_enrolled)."""

Support = Annotated[str, StringConstraints(pattern=r"^(support_events|any_support|project:.+)$", max_length=208),
                    AfterValidator(check_identifier)]
"""Which forms of support young_support_share counts (SPEC §4.2): support_events, any_support, project:<id>."""


class Competition(StrEnum):
    """What the competition shares count (SPEC §4.2)."""

    COMPETITIONS = "competitions"
    COMPETITIONS_AND_SPEAKING = "competitions_and_speaking"


Cohort = Annotated[str, StringConstraints(pattern=r"^(all_young|project:.+)$", max_length=208),
                   AfterValidator(check_identifier)]
"""Whom the young shares are counted among (SPEC §4.2): all_young, or project:<id> (that project's participants)."""


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


PLAN_MUNICIPALITY = ("The municipality whose plan it is, when the sender names it: checked against the plan's (a fact "
                     "naming another municipality is refused); lets a municipal operator's fact wait for a plan not "
                     "adopted yet.")


class TargetSet(IndicatorsEvent):
    """A plan's target for an indicator in a year was set or changed."""

    type_suffix = "target_set"
    subject_field = "plan_id"

    plan_id: Id
    indicator: Id
    year: Year
    value: Amount
    municipality_id: Id | None = Field(default=None, description=PLAN_MUNICIPALITY)


class BaselineSet(IndicatorsEvent):
    """A plan's base value of an indicator for a year («базовое значение») was set or changed."""

    type_suffix = "baseline_set"
    subject_field = "plan_id"

    plan_id: Id
    indicator: Id
    year: Year
    value: Amount
    municipality_id: Id | None = Field(default=None, description=PLAN_MUNICIPALITY)


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
    """A roadmap measure of a plan was carried out (by one school when org_id is given)."""

    type_suffix = "measure_completed"
    subject_field = "plan_id"

    plan_id: Id
    measure_id: Id
    completed_on: Day
    evidence: Text | None = None
    org_id: Id | None = Field(default=None, description="The school that did it («во всех ОО»); absent: the "
                                                        "measure as a whole.")
    municipality_id: Id | None = Field(default=None, description=PLAN_MUNICIPALITY)


def _not_before(later: str, earlier: str):
    """A validator: the date field ``later`` is not before ``earlier``."""

    def check(cls, value: date, info: ValidationInfo) -> date:
        first = info.data.get(earlier)
        if first is not None and value < first:
            raise PydanticCustomError("date_order", "{later} {value} is before {earlier} {first}",
                                      {"later": later, "value": value.isoformat(), "earlier": earlier,
                                       "first": first.isoformat()})
        return value

    return field_validator(later)(classmethod(check))


Indicators = Annotated[list[Id], Field(min_length=1, max_length=100)]
"""The indicators a cycle step is about (codes, computed or surveyed)."""


class RecommendationIssued(IndicatorsEvent):
    """«Адресные рекомендации» after the yearly analysis (SPEC §5.1 step 2, seed 002: by 30 March)."""

    type_suffix = "recommendation_issued"
    subject_field = "recommendation_id"

    recommendation_id: Id
    municipality_id: Id
    org_id: Id | None = Field(default=None, description="The school it is addressed to; absent: every school.")
    indicators: Indicators
    text: Text
    issued_on: Day
    due_on: Day

    _due_after_issue = _not_before("due_on", "issued_on")


class RecommendationCompleted(IndicatorsEvent):
    """A recommendation was carried out."""

    type_suffix = "recommendation_completed"
    subject_field = "recommendation_id"

    recommendation_id: Id
    completed_on: Day
    evidence: Text | None = None
    municipality_id: Id | None = Field(
        default=None, description="The municipality whose recommendation it is, when the sender names it: checked "
        "against the recommendation's (a fact naming another municipality is refused); lets a municipal operator's "
        "completion wait for a recommendation not issued yet.")


class DecisionRecorded(IndicatorsEvent):
    """«Управленческое решение» of the municipality (SPEC §5.1 step 3), tied to indicators and measures."""

    type_suffix = "decision_recorded"
    subject_field = "decision_id"

    decision_id: Id
    municipality_id: Id
    title: Text
    document: Text | None = Field(default=None, description="The order or other document, e.g. «Приказ № 12 от …».")
    decided_on: Day
    indicators: Indicators
    measure_ids: list[Id] | None = None


class Assessment(StrEnum):
    """How effective the measures were for an indicator."""

    EFFECTIVE = "effective"
    PARTLY_EFFECTIVE = "partly_effective"
    NOT_EFFECTIVE = "not_effective"


class Finding(ContractModel):
    """The effectiveness review's assessment of one indicator."""

    indicator: Id
    assessment: Assessment
    comment: Text | None = None


class EffectivenessReviewed(IndicatorsEvent):
    """The yearly effectiveness review of the measures (SPEC §5.1 step 4, seed 002: by 31 August)."""

    type_suffix = "effectiveness_reviewed"
    subject_field = "review_id"

    review_id: Id
    municipality_id: Id
    year: Year
    reviewed_on: Day
    findings: list[Finding] = Field(min_length=1, max_length=200)

    @field_validator("findings")
    @classmethod
    def _one_finding_per_indicator(cls, findings: list[Finding]) -> list[Finding]:
        twice = _first_duplicate([f.indicator for f in findings])
        if twice is not None:
            raise PydanticCustomError("duplicate", "two findings for {indicator}", {"indicator": twice})
        return findings


Offset = Annotated[int, Field(strict=True, ge=0)]
Positions = dict[Annotated[str, StringConstraints(min_length=1, max_length=249)],
                 dict[Annotated[str, StringConstraints(pattern=r"^[0-9]{1,6}$")], Offset]]
"""topic → partition (as a string, JSON keys are strings) → the next offset the report was computed before."""


class MonitoringSubmitted(IndicatorsEvent):
    """The official yearly monitoring report, frozen (SPEC §5.1 step 1: by 20 January of the next year)."""

    type_suffix = "monitoring_submitted"
    subject_field = "submission_id"

    submission_id: Id
    municipality_id: Id
    year: Year
    as_of: Day
    submitted_on: Day
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="SHA-256 of the frozen XLSX, lowercase hex.")
    positions: Positions = Field(description="The bus positions the report was computed at.")

    _submitted_after_as_of = _not_before("submitted_on", "as_of")


EVENTS: tuple[type[IndicatorsEvent], ...] = (
    PlanAdopted, TargetSet, BaselineSet, ValueReported, MeasureCompleted, RecommendationIssued, RecommendationCompleted,
    DecisionRecorded, EffectivenessReviewed, MonitoringSubmitted,
)
