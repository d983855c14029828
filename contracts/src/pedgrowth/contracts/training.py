"""Events of the training service: providers, programmes, courses, diagnostics, routes, attestation, PD requests."""

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .base import ContractModel, Day, EventData, Flag, Hours, Id, Text, add_years


class ProviderKind(StrEnum):
    """Kinds of further-education provider (организация ДПО)."""

    FEDERAL_ACADEMY = "federal_academy"
    REGIONAL_INSTITUTE = "regional_institute"
    CNPPM = "cnppm"
    MUNICIPAL_METHODICAL_CENTER = "municipal_methodical_center"
    UNIVERSITY = "university"
    COLLEGE = "college"
    OTHER = "other"


class ProgramKind(StrEnum):
    """Kinds of further professional programme (ДПП): ПК or ПП."""

    ADVANCED_TRAINING = "advanced_training"
    RETRAINING = "retraining"


MIN_HOURS: dict[ProgramKind, int] = {ProgramKind.ADVANCED_TRAINING: 16, ProgramKind.RETRAINING: 250}
"""The legal minimum length of a programme of each kind, in academic hours."""


class Format(StrEnum):
    """How a programme is delivered."""

    IN_PERSON = "in_person"
    DISTANCE = "distance"
    BLENDED = "blended"


class DeficitArea(StrEnum):
    """Areas of professional deficit a diagnostics can find."""

    SUBJECT = "subject"
    METHODICAL = "methodical"
    PSYCHOLOGICAL_PEDAGOGICAL = "psychological_pedagogical"
    COMMUNICATIVE = "communicative"
    DIGITAL = "digital"
    OTHER = "other"


class Category(StrEnum):
    """Qualification categories granted by attestation."""

    POSITION_COMPLIANCE = "position_compliance"
    FIRST = "first"
    HIGHEST = "highest"
    PEDAGOGUE_METHODIST = "pedagogue_methodist"
    PEDAGOGUE_MENTOR = "pedagogue_mentor"


class CompetitionLevel(StrEnum):
    """Levels of a professional-skills competition."""

    INSTITUTIONAL = "institutional"
    MUNICIPAL = "municipal"
    REGIONAL = "regional"
    FEDERAL = "federal"


class CompetitionResult(StrEnum):
    """What a participant achieved in a competition."""

    PARTICIPANT = "participant"
    LAUREATE = "laureate"
    WINNER = "winner"


def _hours_rules() -> dict:
    # The same rule as the validator, for consumers that only read the JSON Schema.
    return {
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind.value}}, "required": ["kind"]},
                "then": {"properties": {"hours": {"minimum": hours}}},
            }
            for kind, hours in MIN_HOURS.items()
        ]
    }


class PdDirection(StrEnum):
    """Directions of professional development a teacher may request (seed 002 item 4)."""

    SUBJECT = "subject"
    METHODICAL = "methodical"
    PSYCHOLOGICAL_PEDAGOGICAL = "psychological_pedagogical"
    COMMUNICATIVE = "communicative"
    DIGITAL = "digital"
    MANAGEMENT = "management"
    OTHER = "other"


class TrainingEvent(EventData):
    """A fact recorded by the training service."""

    service: ClassVar[str] = "training"


class ProviderRegistered(TrainingEvent):
    """A provider of further professional education was registered."""

    type_suffix = "provider_registered"
    subject_field = "provider_id"

    provider_id: Id
    name: Text
    kind: ProviderKind


class ProgramPublished(TrainingEvent):
    """A provider published a programme (ДПП) teachers can complete."""

    model_config = ConfigDict(json_schema_extra=_hours_rules())
    type_suffix = "program_published"
    subject_field = "program_id"

    program_id: Id
    provider_id: Id
    title: Text
    kind: ProgramKind
    hours: Hours
    format: Format
    topics: list[Text] | None = None
    in_federal_registry: Flag

    @field_validator("hours")
    @classmethod
    def _long_enough(cls, hours: int, info: ValidationInfo) -> int:
        kind = info.data.get("kind")
        if kind is not None and hours < MIN_HOURS[kind]:
            raise PydanticCustomError(
                "hours_too_few",
                "a {kind} programme has at least {minimum} hours, got {hours}",
                {"kind": kind.value, "minimum": MIN_HOURS[kind], "hours": hours},
            )
        return hours


class CourseCompleted(TrainingEvent):
    """A person completed a programme."""

    type_suffix = "course_completed"
    subject_field = "person_id"

    person_id: Id
    program_id: Id
    completed_on: Day
    certificate_number: Text | None = None
    addresses_deficits: list[Id] | None = Field(
        default=None, description="Codes of the deficits this course addressed for the person."
    )


class Deficit(ContractModel):
    """One professional deficit found by a diagnostics."""

    code: Id
    area: DeficitArea


class DiagnosticsCompleted(TrainingEvent):
    """A person went through a diagnostics of professional deficits; none found is an empty list."""

    type_suffix = "diagnostics_completed"
    subject_field = "person_id"

    person_id: Id
    diagnostics_id: Id
    completed_on: Day
    deficits: list[Deficit]


class RouteStarted(TrainingEvent):
    """A person started an individual educational route (ИОМ)."""

    type_suffix = "route_started"
    subject_field = "person_id"

    route_id: Id
    person_id: Id
    started_on: Day
    planned_until: Day | None = None

    @field_validator("planned_until")
    @classmethod
    def _not_before_start(cls, until: date | None, info: ValidationInfo) -> date | None:
        started = info.data.get("started_on")
        if until is not None and started is not None and until < started:
            raise PydanticCustomError(
                "date_order",
                "planned_until {until} is before started_on {started}",
                {"until": until.isoformat(), "started": started.isoformat()},
            )
        return until


class RouteCompleted(TrainingEvent):
    """A person completed an individual educational route."""

    type_suffix = "route_completed"
    subject_field = "person_id"

    route_id: Id
    person_id: Id
    completed_on: Day


class AttestationPassed(TrainingEvent):
    """A person was granted a qualification category, valid five years unless stated otherwise."""

    type_suffix = "attestation_passed"
    subject_field = "person_id"

    person_id: Id
    category: Category
    decided_on: Day
    valid_until: Day | None = Field(
        default=None,
        validate_default=True,
        description="The first day the category no longer holds; defaults to decided_on + 5 years.",
    )

    @field_validator("valid_until")
    @classmethod
    def _after_decision(cls, until: date | None, info: ValidationInfo) -> date | None:
        decided = info.data.get("decided_on")
        if decided is None:
            return until  # decided_on is itself invalid and reported
        if until is None:
            return add_years(decided, 5)
        if until <= decided:
            raise PydanticCustomError(
                "date_order",
                "valid_until {until} must be after decided_on {decided}",
                {"until": until.isoformat(), "decided": decided.isoformat()},
            )
        return until


class CompetitionParticipated(TrainingEvent):
    """A person took part in a professional-skills competition."""

    type_suffix = "competition_participated"
    subject_field = "person_id"

    person_id: Id
    competition_id: Id
    competition_name: Text
    level: CompetitionLevel
    participated_on: Day
    result: CompetitionResult


class IndependentAssessmentPassed(TrainingEvent):
    """A person passed an independent assessment of qualification."""

    type_suffix = "independent_assessment_passed"
    subject_field = "person_id"

    person_id: Id
    qualification: Text
    passed_on: Day


class PdRequestSubmitted(TrainingEvent):
    """A teacher asked for professional development in a direction (seed 002 item 4)."""

    type_suffix = "pd_request_submitted"
    subject_field = "request_id"

    request_id: Id
    person_id: Id
    direction: PdDirection
    topic: Text | None = None
    submitted_on: Day


class PdRequestMet(TrainingEvent):
    """A teacher's PD request was met, once, on or after the day it was submitted (the service checks)."""

    type_suffix = "pd_request_met"
    subject_field = "request_id"

    request_id: Id
    met_on: Day
    program_id: Id | None = Field(default=None, description="The programme that met the request, if one did.")


EVENTS: tuple[type[TrainingEvent], ...] = (
    ProviderRegistered,
    ProgramPublished,
    CourseCompleted,
    DiagnosticsCompleted,
    RouteStarted,
    RouteCompleted,
    AttestationPassed,
    CompetitionParticipated,
    IndependentAssessmentPassed,
    PdRequestSubmitted,
    PdRequestMet,
)
