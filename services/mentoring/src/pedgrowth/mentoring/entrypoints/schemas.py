"""The answers of mentoring's own resources, declared (STYLE lesson 20): what the OpenAPI document shows."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from pedgrowth.kit.http import Answer, RowReport


class PairRow(Answer):
    """A mentoring pair as the bases and histories show it, with its mentor's person or enterprise."""

    pair_id: str
    mentor_id: str
    mentor_person_id: str | None
    mentor_external_organization: str | None
    mentee_person_id: str
    form: str
    started_on: date
    program: str | None
    ended_on: date | None
    outcome: str | None


class MenteeRow(Answer):
    """A young teacher or a mentee working in the scope on the day, with current and past pairs."""

    person_id: str
    organizations: list[str]
    organization_names: str
    experience_since: date | None
    young: bool
    current_pairs: list[PairRow]
    past_pairs: list[PairRow]


class MenteeBase(Answer):
    scope: str
    as_of: date
    mentees: list[MenteeRow]


class MentorRow(Answer):
    """A mentor working in the scope on the day, or leading a mentee who does."""

    mentor_id: str
    person_id: str | None
    external_organization: str | None
    registered_on: date
    organizations: list[str]
    organization_names: str
    active_mentees: int
    active_pairs: list[PairRow]
    past_pairs: list[PairRow]
    pairs_total: int
    pairs_completed: int


class MentorBase(Answer):
    scope: str
    as_of: date
    mentors: list[MentorRow]


class Term(Answer):
    """A past term of a curator."""

    org_id: str
    person_id: str
    started_on: date
    ended_on: date | None


class CuratorRow(Answer):
    """An organisation of the scope and its mentoring curator on the day (none: null)."""

    org_id: str
    organization_name: str
    curator_person_id: str | None
    appointed_on: date | None
    curator_works_here: bool
    past_curators: list[Term]


class CuratorBase(Answer):
    scope: str
    as_of: date
    curators: list[CuratorRow]


class ParticipantRow(Answer):
    """A participation in a municipal project begun by the day, and its state on the day."""

    person_id: str
    organizations: list[str]
    organization_names: str
    young: bool
    project_id: str
    project_name: str
    enrolled_on: date
    left_on: date | None
    outcome: str | None
    active: bool


class ProjectParticipants(Answer):
    scope: str
    as_of: date
    project_id: str | None
    participants: list[ParticipantRow]


class MentorRecord(Answer):
    """A registration of the person as a mentor, with the pairs it led."""

    mentor_id: str
    person_id: str | None
    external_organization: str | None
    registered_on: date
    pairs: list[PairRow]


class Membership(Answer):
    community_id: str
    community_name: str
    kind: str
    level: str
    joined_on: date
    left_on: date | None


class Attended(Answer):
    event_id: str
    event_name: str
    kind: str
    attended_on: date
    role: str


class ExpertRoleSpell(Answer):
    person_id: str
    role_id: str
    role: str
    level: str
    started_on: date
    ended_on: date | None


class AssetSpell(Answer):
    """A spell in the municipality's methodical asset."""

    person_id: str
    municipality_id: str
    role: str | None
    started_on: date
    ended_on: date | None


class ProjectSpell(Answer):
    project_id: str
    project_name: str
    person_id: str
    outcome: str | None
    started_on: date
    ended_on: date | None


class History(Answer):
    """Everything mentoring recorded about one person, oldest first."""

    person_id: str
    as_mentee: list[PairRow]
    as_mentor: list[MentorRecord]
    communities: list[Membership]
    support_events: list[Attended]
    expert_roles: list[ExpertRoleSpell]
    methodical_asset: list[AssetSpell]
    projects: list[ProjectSpell]
    curator_of: list[Term]


class CommunityCount(Answer):
    """A community and how many of its members on the day worked within the caller's scope."""

    community_id: str
    community_name: str
    kind: str
    level: str
    members: int


class Communities(Answer):
    as_of: date
    communities: list[CommunityCount]


class Member(Answer):
    person_id: str
    joined_on: date
    left_on: date | None


class Community(Answer):
    """A community with its members on the day (those the caller may see)."""

    community_id: str
    community_name: str
    kind: str
    level: str
    as_of: date
    members: list[Member]


class SupportEventCount(Answer):
    """A support event and how many attendees worked within the caller's scope on their day."""

    event_id: str
    event_name: str
    kind: str
    attendees: int


class SupportEvents(Answer):
    support_events: list[SupportEventCount]


class Attendee(Answer):
    person_id: str
    attended_on: date
    role: str


class Attendance(Answer):
    """A support event with its attendance list (those the caller may see)."""

    event_id: str
    event_name: str
    kind: str
    attendees: list[Attendee]


class ImportRow(RowReport):
    """One row of an uploaded file: its outcome, and why when it was not recorded."""

    outcome: str = Field(description="accepted, duplicate, waiting or rejected")
    subject: str | None = Field(None, description="the id the row's fact is about")
    id: str | None = Field(None, description="the event id derived from the row's content")
    type: str | None = None
    field: str | None = Field(None, description="the column at fault, as the file names it")


class ImportReport(Answer):
    kind: str
    rows: list[ImportRow]
    accepted: int
    duplicate: int
    waiting: int = Field(0, description="rows whose mentor, pair or start is not recorded yet: recorded once it is")
    rejected: int
