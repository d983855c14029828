"""Mentoring domain events to contract events: the only place that maps between them."""

from __future__ import annotations

from pedgrowth.contracts import EventData
from pedgrowth.contracts import mentoring as contract

from .domain.mentor import Mentor
from .domain.pair import Pair
from .domain.person import Person


def to_contract(domain_event: object) -> EventData | None:
    """The contract event a domain event is published as, or None for internal ones."""
    translate = TRANSLATIONS.get(type(domain_event))
    return translate(domain_event) if translate else None


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
                                         kind=e.kind, attended_on=e.attended_on)


TRANSLATIONS = {
    Mentor.Registered: mentor_registered,
    Pair.Assigned: pair_assigned,
    Pair.Ended: pair_ended,
    Person.CommunityJoined: community_joined,
    Person.CommunityLeft: community_left,
    Person.SupportEventAttended: support_event_attended,
}
