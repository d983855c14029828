"""Events of the mentoring service: mentors, pairs, communities, support events, expert roles, the methodical
asset, municipal projects and schools' mentoring curators."""

from enum import StrEnum
from typing import ClassVar

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .base import Day, EventData, Id, Text


class MentoringForm(StrEnum):
    """Forms of mentoring in the target model of mentoring."""

    TEACHER_TEACHER = "teacher_teacher"
    HEAD_TEACHER = "head_teacher"
    EMPLOYER_TEACHER = "employer_teacher"
    PEER_GROUP = "peer_group"
    OTHER = "other"


class PairOutcome(StrEnum):
    """How a mentoring pair ended."""

    COMPLETED = "completed"
    TERMINATED = "terminated"


class CommunityKind(StrEnum):
    """Kinds of professional community, methodical association (МО) included."""

    METHODICAL_ASSOCIATION = "methodical_association"
    PROFESSIONAL_COMMUNITY = "professional_community"
    NETWORK_COMMUNITY = "network_community"
    YOUNG_TEACHERS_COUNCIL = "young_teachers_council"


class CommunityLevel(StrEnum):
    """The level a community works at."""

    SCHOOL = "school"
    MUNICIPAL = "municipal"
    REGIONAL = "regional"
    FEDERAL = "federal"


class SupportEventKind(StrEnum):
    """Kinds of methodical support event a teacher attends."""

    SEMINAR = "seminar"
    MASTER_CLASS = "master_class"
    TRAINING = "training"
    CONFERENCE = "conference"
    YOUNG_TEACHER_SCHOOL = "young_teacher_school"
    BURNOUT_PREVENTION = "burnout_prevention"
    CONSULTATION = "consultation"
    OTHER = "other"


class SupportRole(StrEnum):
    """How a person took part in a support event; absent means participant."""

    PARTICIPANT = "participant"
    SPEAKER = "speaker"


class ExpertRole(StrEnum):
    """Kinds of expert work a pedagogue is involved in (seed 002 «экспертная деятельность»)."""

    ATTESTATION_COMMISSION = "attestation_commission"
    COMPETITION_JURY = "competition_jury"
    EXAM_EXPERT = "exam_expert"
    PROGRAM_REVIEWER = "program_reviewer"
    OTHER = "other"


class ExpertLevel(StrEnum):
    """The level an expert role is held at."""

    INSTITUTIONAL = "institutional"
    MUNICIPAL = "municipal"
    REGIONAL = "regional"
    FEDERAL = "federal"


class ProjectOutcome(StrEnum):
    """How a participant left a municipal project."""

    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class MentoringEvent(EventData):
    """A fact recorded by the mentoring service."""

    service: ClassVar[str] = "mentoring"


_PERSON_OR_EMPLOYER = {
    "anyOf": [
        {"required": [field], "properties": {field: {"type": "string"}}}
        for field in ("person_id", "external_organization")
    ]
}


class MentorRegistered(MentoringEvent):
    """A mentor was registered: a staff member (person_id) or one from an enterprise."""

    model_config = ConfigDict(json_schema_extra=_PERSON_OR_EMPLOYER)
    type_suffix = "mentor_registered"
    subject_field = "mentor_id"

    mentor_id: Id
    person_id: Id | None = Field(default=None, description="Absent for a mentor from an enterprise.")
    external_organization: Text | None = Field(default=None, validate_default=True)
    registered_on: Day

    @field_validator("external_organization")
    @classmethod
    def _someone(cls, organization: str | None, info: ValidationInfo) -> str | None:
        if "person_id" not in info.data:
            return organization  # person_id is itself invalid and reported
        if organization is None and info.data["person_id"] is None:
            raise PydanticCustomError(
                "mentor_unidentified",
                "give person_id for a staff mentor or external_organization for one from an enterprise",
            )
        return organization


class PairAssigned(MentoringEvent):
    """A mentor was assigned to a mentee."""

    type_suffix = "pair_assigned"
    subject_field = "pair_id"

    pair_id: Id
    mentor_id: Id
    mentee_person_id: Id
    form: MentoringForm
    started_on: Day
    program: Text | None = None


class PairEnded(MentoringEvent):
    """A mentoring pair ended."""

    type_suffix = "pair_ended"
    subject_field = "pair_id"

    pair_id: Id
    ended_on: Day
    outcome: PairOutcome


class CommunityJoined(MentoringEvent):
    """A person joined a professional community or methodical association."""

    type_suffix = "community_joined"
    subject_field = "person_id"

    person_id: Id
    community_id: Id
    community_name: Text
    kind: CommunityKind
    level: CommunityLevel
    joined_on: Day


class CommunityLeft(MentoringEvent):
    """A person left a community."""

    type_suffix = "community_left"
    subject_field = "person_id"

    person_id: Id
    community_id: Id
    left_on: Day


class SupportEventAttended(MentoringEvent):
    """A person attended a methodical support event."""

    type_suffix = "support_event_attended"
    subject_field = "person_id"

    person_id: Id
    event_id: Id
    event_name: Text
    kind: SupportEventKind
    attended_on: Day
    role: SupportRole | None = Field(
        default=None, description="participant (the default when absent) or speaker: presenting one's experience."
    )


class ExpertRoleStarted(MentoringEvent):
    """A person took up an expert role (a commission, a jury, an exam expert, a reviewer)."""

    type_suffix = "expert_role_started"
    subject_field = "person_id"

    person_id: Id
    role_id: Id
    role: ExpertRole
    level: ExpertLevel
    started_on: Day


class ExpertRoleEnded(MentoringEvent):
    """A person's expert role ended."""

    type_suffix = "expert_role_ended"
    subject_field = "person_id"

    person_id: Id
    role_id: Id
    ended_on: Day


class AssetJoined(MentoringEvent):
    """A person joined the methodical asset of a municipality (seed 002 «методический актив»)."""

    type_suffix = "asset_joined"
    subject_field = "person_id"

    person_id: Id
    municipality_id: Id
    joined_on: Day
    role: Text | None = Field(default=None, description="What the person does in the asset, in words.")


class AssetLeft(MentoringEvent):
    """A person left the methodical asset of a municipality."""

    type_suffix = "asset_left"
    subject_field = "person_id"

    person_id: Id
    municipality_id: Id
    left_on: Day


class ProjectEnrolled(MentoringEvent):
    """A person was enrolled in a municipal project cohort («Стартуем вместе», «Академия молодого педагога»)."""

    type_suffix = "project_enrolled"
    subject_field = "person_id"

    person_id: Id
    project_id: Id
    project_name: Text
    enrolled_on: Day


class ProjectLeft(MentoringEvent):
    """A person left a municipal project: completed it or withdrew."""

    type_suffix = "project_left"
    subject_field = "person_id"

    person_id: Id
    project_id: Id
    left_on: Day
    outcome: ProjectOutcome


class CuratorAppointed(MentoringEvent):
    """A school's mentoring curator was appointed (seed 004); one per organisation at a time."""

    type_suffix = "curator_appointed"
    subject_field = "org_id"

    org_id: Id
    person_id: Id
    appointed_on: Day


class CuratorReleased(MentoringEvent):
    """A school's mentoring curator was released."""

    type_suffix = "curator_released"
    subject_field = "org_id"

    org_id: Id
    person_id: Id
    released_on: Day


EVENTS: tuple[type[MentoringEvent], ...] = (
    MentorRegistered,
    PairAssigned,
    PairEnded,
    CommunityJoined,
    CommunityLeft,
    SupportEventAttended,
    ExpertRoleStarted,
    ExpertRoleEnded,
    AssetJoined,
    AssetLeft,
    ProjectEnrolled,
    ProjectLeft,
    CuratorAppointed,
    CuratorReleased,
)
