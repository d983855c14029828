"""Events of the registry service: organisations, employments, vacancies, the managers' reserve."""

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from .base import Day, EventData, Flag, Id, Text


class OrganizationKind(StrEnum):
    """Kinds of educational organisation (ОО) in the register."""

    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    ADDITIONAL_EDUCATION = "additional_education"
    PROFESSIONAL_COLLEGE = "professional_college"
    METHODICAL_CENTER = "methodical_center"
    OTHER = "other"


class Position(StrEnum):
    """Positions of staff; all but non_pedagogical count as pedagogical staff."""

    TEACHER = "teacher"
    DIRECTOR = "director"
    DEPUTY_DIRECTOR = "deputy_director"
    METHODIST = "methodist"
    EDUCATIONAL_PSYCHOLOGIST = "educational_psychologist"
    TUTOR = "tutor"
    ADDITIONAL_EDUCATION_TEACHER = "additional_education_teacher"
    PRESCHOOL_TEACHER = "preschool_teacher"
    SOCIAL_PEDAGOGUE = "social_pedagogue"
    SPEECH_THERAPIST = "speech_therapist"
    SENIOR_TEACHER = "senior_teacher"
    LEADING_TEACHER = "leading_teacher"
    OTHER_PEDAGOGICAL = "other_pedagogical"
    NON_PEDAGOGICAL = "non_pedagogical"


class EndReason(StrEnum):
    """Why an employment ended."""

    RESIGNATION = "resignation"
    RETIREMENT = "retirement"
    TRANSFER = "transfer"
    DISMISSAL = "dismissal"
    OTHER = "other"


class ReserveLeftReason(StrEnum):
    """Why a person left the managers' reserve (кадровый резерв)."""

    APPOINTED = "appointed"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class RegistryEvent(EventData):
    """A fact recorded by the registry service."""

    service: ClassVar[str] = "registry"


class OrganizationRegistered(RegistryEvent):
    """An organisation joined the register, placed in its municipality and region."""

    type_suffix = "organization_registered"
    subject_field = "org_id"

    org_id: Id
    name: Text
    kind: OrganizationKind
    municipality_id: Id
    municipality_name: Text
    region_id: Id
    region_name: Text


class EmploymentStarted(RegistryEvent):
    """A person started working at an organisation in a position."""

    type_suffix = "employment_started"
    subject_field = "person_id"

    person_id: Id
    org_id: Id
    position: Position
    started_on: Day
    pedagogical_experience_since: Day = Field(
        description="The date the person's pedagogical career began."
    )
    birth_date: Day | None = None
    subjects: list[Text] | None = None
    education_matches_profile: Flag | None = None


class EmploymentEnded(RegistryEvent):
    """A person's employment at an organisation ended."""

    type_suffix = "employment_ended"
    subject_field = "person_id"

    person_id: Id
    org_id: Id
    ended_on: Day
    reason: EndReason


class PositionChanged(RegistryEvent):
    """A person moved to another position within the same organisation."""

    type_suffix = "position_changed"
    subject_field = "person_id"

    person_id: Id
    org_id: Id
    position: Position
    changed_on: Day


class EducationProfileRecorded(RegistryEvent):
    """Whether a person's education matches the subject taught, as found on a day."""

    type_suffix = "education_profile_recorded"
    subject_field = "person_id"

    person_id: Id
    matches_profile: Flag
    recorded_on: Day


class VacancyOpened(RegistryEvent):
    """An organisation opened a vacancy."""

    type_suffix = "vacancy_opened"
    subject_field = "vacancy_id"

    vacancy_id: Id
    org_id: Id
    position: Position
    subject: Text | None = Field(default=None, description="The school subject to be taught.")
    opened_on: Day


class VacancyClosed(RegistryEvent):
    """A vacancy was closed, filled or not."""

    type_suffix = "vacancy_closed"
    subject_field = "vacancy_id"

    vacancy_id: Id
    closed_on: Day
    filled: Flag


class ReserveEnrolled(RegistryEvent):
    """A person was enrolled in a municipality's managers' reserve."""

    type_suffix = "reserve_enrolled"
    subject_field = "person_id"

    person_id: Id
    municipality_id: Id
    enrolled_on: Day


class ReserveLeft(RegistryEvent):
    """A person left a municipality's managers' reserve."""

    type_suffix = "reserve_left"
    subject_field = "person_id"

    person_id: Id
    municipality_id: Id
    left_on: Day
    reason: ReserveLeftReason


EVENTS: tuple[type[RegistryEvent], ...] = (
    OrganizationRegistered,
    EmploymentStarted,
    EmploymentEnded,
    PositionChanged,
    EducationProfileRecorded,
    VacancyOpened,
    VacancyClosed,
    ReserveEnrolled,
    ReserveLeft,
)
