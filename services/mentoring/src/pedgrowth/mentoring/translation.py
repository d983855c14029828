"""Mentoring domain events to contract events: the only place that maps between them."""

from __future__ import annotations

from pedgrowth.contracts import EventData
from pedgrowth.contracts import mentoring as contract
from pedgrowth.kit.translation import Translation

from .domain.curator import Curatorship
from .domain.mentor import Mentor
from .domain.pair import Pair
from .domain.person import Person


def mentor_registered(e: Mentor.Registered) -> EventData:
    return contract.MentorRegistered(mentor_id=e.mentor_id, person_id=e.person_id,
                                     external_organization=e.external_organization, registered_on=e.registered_on)


def pair_assigned(e: Pair.Assigned) -> EventData:
    return contract.PairAssigned(pair_id=e.pair_id, mentor_id=e.mentor_id, mentee_person_id=e.mentee_person_id,
                                 form=e.form, started_on=e.started_on, program=e.program)


def pair_ended(e: Pair.Ended) -> EventData:
    return contract.PairEnded(pair_id=e.pair_id, ended_on=e.ended_on, outcome=e.outcome)


def community_joined(e: Person.CommunityJoined) -> EventData:
    return contract.CommunityJoined(person_id=e.person_id, community_id=e.community_id,
                                    community_name=e.community_name, kind=e.kind, level=e.level,
                                    joined_on=e.joined_on)


def community_left(e: Person.CommunityLeft) -> EventData:
    return contract.CommunityLeft(person_id=e.person_id, community_id=e.community_id, left_on=e.left_on)


def support_event_attended(e: Person.SupportEventAttended) -> EventData:
    return contract.SupportEventAttended(person_id=e.person_id, event_id=e.event_id, event_name=e.event_name,
                                         kind=e.kind, attended_on=e.attended_on, role=getattr(e, "role", None))


def expert_role_started(e: Person.ExpertRoleStarted) -> EventData:
    return contract.ExpertRoleStarted(person_id=e.person_id, role_id=e.role_id, role=e.role, level=e.level,
                                      started_on=e.started_on)


def expert_role_ended(e: Person.ExpertRoleEnded) -> EventData:
    return contract.ExpertRoleEnded(person_id=e.person_id, role_id=e.role_id, ended_on=e.ended_on)


def asset_joined(e: Person.AssetJoined) -> EventData:
    return contract.AssetJoined(person_id=e.person_id, municipality_id=e.municipality_id, joined_on=e.joined_on,
                                role=e.role)


def asset_left(e: Person.AssetLeft) -> EventData:
    return contract.AssetLeft(person_id=e.person_id, municipality_id=e.municipality_id, left_on=e.left_on)


def project_enrolled(e: Person.ProjectEnrolled) -> EventData:
    return contract.ProjectEnrolled(person_id=e.person_id, project_id=e.project_id, project_name=e.project_name,
                                    enrolled_on=e.enrolled_on)


def project_left(e: Person.ProjectLeft) -> EventData:
    return contract.ProjectLeft(person_id=e.person_id, project_id=e.project_id, left_on=e.left_on,
                                outcome=e.outcome)


def curator_appointed(e: Curatorship.CuratorAppointed) -> EventData:
    return contract.CuratorAppointed(org_id=e.org_id, person_id=e.person_id, appointed_on=e.appointed_on)


def curator_released(e: Curatorship.CuratorReleased) -> EventData:
    return contract.CuratorReleased(org_id=e.org_id, person_id=e.person_id, released_on=e.released_on)


TRANSLATIONS = {
    Mentor.Registered: mentor_registered,
    Pair.Assigned: pair_assigned,
    Pair.Ended: pair_ended,
    Person.CommunityJoined: community_joined,
    Person.CommunityLeft: community_left,
    Person.SupportEventAttended: support_event_attended,
    Person.ExpertRoleStarted: expert_role_started,
    Person.ExpertRoleEnded: expert_role_ended,
    Person.AssetJoined: asset_joined,
    Person.AssetLeft: asset_left,
    Person.ProjectEnrolled: project_enrolled,
    Person.ProjectLeft: project_left,
    Curatorship.CuratorAppointed: curator_appointed,
    Curatorship.CuratorReleased: curator_released,
}

to_contract = Translation(TRANSLATIONS)
"""The contract event a domain event is published as, or None for internal ones."""
