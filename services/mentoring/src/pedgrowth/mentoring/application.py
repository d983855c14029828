"""The mentoring application: records accepted mentoring facts as domain events, and answers queries."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from eventsourcing.domain import Aggregate

from pedgrowth.contracts import EventData
from pedgrowth.contracts import mentoring as contract
from pedgrowth.kit.errors import Conflict, UnknownReference
from pedgrowth.kit.logfollower import LogFollower
from pedgrowth.kit.recording import Handler, RecordingApplication
from pedgrowth.kit.waiting import Reference

from .domain.curator import Curatorship, curatorship_key
from .domain.mentor import Mentor, mentor_key
from .domain.pair import Pair, pair_key
from .domain.person import Person, person_key
from .readmodel import ReadModel
from .translation import to_contract

DEFAULT_MAX_MENTEES = 5
T = TypeVar("T")

MENTOR = Reference(
    kind="mentor", aggregate_id=mentor_key,
    waits={"pair_assigned": "mentor_id"}, recorded_by={"mentor_registered": "mentor_id"},
    missing_en="mentor {key} is not registered", missing_ru="наставник {key} не зарегистрирован",
)
"""A pair may come before its mentor's registration (another key, another partition)."""

PAIR = Reference(
    kind="pair", aggregate_id=pair_key,
    waits={"pair_ended": "pair_id"}, recorded_by={"pair_assigned": "pair_id"},
    missing_en="pair {key} is not assigned", missing_ru="пара наставничества {key} не назначена",
)
"""Ends come before their starts as well (SPEC §2): the school and the municipality publish apart. An end waits
while no start of its thing is recorded at all; once one is, the rules judge it as they would in order."""


def started_in_person(kind: str, key_field: str, start: str, end: str, begun: Callable[[Person, str], bool],
                      missing_en: str, missing_ru: str) -> Reference:
    """An end kept in a person's record that waits for its start: the key is (``key_field``, person_id)."""
    def recorded(app: MentoringApplication, key: str, person_id: str) -> bool:
        person = app.get_or_none(person_key(person_id))
        return person is not None and begun(person, key)

    return Reference(kind=kind, aggregate_id=lambda _key, person_id: person_key(person_id),
                     waits={end: (key_field, "person_id")}, recorded_by={start: (key_field, "person_id")},
                     recorded=recorded, missing_en=missing_en, missing_ru=missing_ru)


COMMUNITY = started_in_person(
    "community_membership", "community_id", "community_joined", "community_left", Person.joined_community,
    "person {person_id} never joined community {community_id}",
    "{person_id} не вступал(а) в сообщество {community_id}")
EXPERT_ROLE = started_in_person(
    "expert_role", "role_id", "expert_role_started", "expert_role_ended", Person.took_expert_role,
    "expert role {role_id} of person {person_id} was never started",
    "экспертная роль {role_id} у {person_id} не начиналась")
ASSET = started_in_person(
    "methodical_asset", "municipality_id", "asset_joined", "asset_left", Person.joined_asset,
    "person {person_id} never joined the methodical asset of {municipality_id}",
    "{person_id} не входил(а) в методический актив {municipality_id}")
PROJECT = started_in_person(
    "project_enrolment", "project_id", "project_enrolled", "project_left", Person.enrolled_in,
    "person {person_id} was never enrolled in project {project_id}",
    "{person_id} не зачислен(а) в проект {project_id}")


def curator_term_recorded(app: MentoringApplication, org_id: str, person_id: str) -> bool:
    curatorship = app.get_or_none(curatorship_key(org_id))
    return curatorship is not None and curatorship.was_appointed(person_id)


CURATOR = Reference(
    kind="curator_term", aggregate_id=lambda org_id, _person_id: curatorship_key(org_id),
    waits={"curator_released": ("org_id", "person_id")}, recorded_by={"curator_appointed": ("org_id", "person_id")},
    recorded=curator_term_recorded,
    missing_en="person {person_id} was never appointed curator of {org_id}",
    missing_ru="{person_id} не назначался(-лась) куратором наставничества в {org_id}",
)


class MentoringApplication(RecordingApplication):
    """Use cases of the mentoring service; one handler per contract event type (``handlers``)."""

    name = "mentoring"
    references = (MENTOR, PAIR, COMMUNITY, EXPERT_ROLE, ASSET, PROJECT, CURATOR)

    def __init__(self, env=None, **kwargs):
        super().__init__(env=env, **kwargs)
        self.max_mentees = int(self.env.get("MENTORING_MAX_MENTEES") or DEFAULT_MAX_MENTEES)
        self.read_model = ReadModel()
        self.reading = threading.Lock()
        self.read_model_follower = LogFollower(self, dict.fromkeys(to_contract.topics, self.take))

    def handlers(self) -> Mapping[type[EventData], Handler]:
        return {
            contract.MentorRegistered: self.on_mentor_registered,
            contract.PairAssigned: self.on_pair_assigned,
            contract.PairEnded: self.on_pair_ended,
            contract.CommunityJoined: self.on_community_joined,
            contract.CommunityLeft: self.on_community_left,
            contract.SupportEventAttended: self.on_support_event_attended,
            contract.ExpertRoleStarted: self.on_expert_role_started,
            contract.ExpertRoleEnded: self.on_expert_role_ended,
            contract.AssetJoined: self.on_asset_joined,
            contract.AssetLeft: self.on_asset_left,
            contract.ProjectEnrolled: self.on_project_enrolled,
            contract.ProjectLeft: self.on_project_left,
            contract.CuratorAppointed: self.on_curator_appointed,
            contract.CuratorReleased: self.on_curator_released,
        }

    def on_mentor_registered(self, data: contract.MentorRegistered) -> Sequence[Aggregate]:
        """Add a mentor to the mentor base."""
        if self.exists(mentor_key(data.mentor_id)):
            raise Conflict(f"mentor {data.mentor_id} is already registered", "data.mentor_id")
        return [Mentor(mentor_id=data.mentor_id, person_id=data.person_id,
                       external_organization=data.external_organization, registered_on=data.registered_on)]

    def on_pair_assigned(self, data: contract.PairAssigned) -> Sequence[Aggregate]:
        """Assign a registered mentor to a mentee, checking the mentor's and the mentee's rules."""
        if self.exists(pair_key(data.pair_id)):
            raise Conflict(f"pair {data.pair_id} is already assigned", "data.pair_id")
        mentor = self.get_or_none(mentor_key(data.mentor_id))
        if mentor is None:
            raise UnknownReference(f"mentor {data.mentor_id} is not registered", "data.mentor_id")
        mentee = self.person(data.mentee_person_id)
        mentor.take_mentee(data.pair_id, data.mentee_person_id, data.started_on, self.max_mentees)
        mentee.join_pair(data.pair_id, data.mentor_id, data.form.value, data.started_on)
        pair = Pair(pair_id=data.pair_id, mentor_id=data.mentor_id, mentee_person_id=data.mentee_person_id,
                    form=data.form.value, started_on=data.started_on, program=data.program)
        return [pair, mentor, mentee]

    def on_pair_ended(self, data: contract.PairEnded) -> Sequence[Aggregate]:
        """End a pair once; the mentor and the mentee are freed from that day."""
        pair = self.get_or_none(pair_key(data.pair_id))
        if pair is None:
            raise UnknownReference(f"pair {data.pair_id} is not assigned", "data.pair_id")
        pair.end(data.ended_on, data.outcome.value)
        mentor = self.get_or_none(mentor_key(pair.mentor_id))
        mentee = self.get_or_none(person_key(pair.mentee_person_id))
        mentor.release_mentee(data.pair_id, data.ended_on)
        mentee.leave_pair(data.pair_id, data.ended_on)
        return [pair, mentor, mentee]

    def on_community_joined(self, data: contract.CommunityJoined) -> Sequence[Aggregate]:
        """A person joins a professional community or methodical association."""
        person = self.person(data.person_id)
        person.join_community(data.community_id, data.community_name, data.kind.value, data.level.value,
                              data.joined_on)
        return [person]

    def on_community_left(self, data: contract.CommunityLeft) -> Sequence[Aggregate]:
        """A person leaves a community they are a member of."""
        person = self.person(data.person_id)
        person.leave_community(data.community_id, data.left_on)
        return [person]

    def on_support_event_attended(self, data: contract.SupportEventAttended) -> Sequence[Aggregate]:
        """A person attended a support event (seminar, «Школа молодого педагога»…)."""
        person = self.person(data.person_id)
        person.attend(data.event_id, data.event_name, data.kind.value, data.attended_on,
                      data.role.value if data.role else None)
        return [person]

    def on_expert_role_started(self, data: contract.ExpertRoleStarted) -> Sequence[Aggregate]:
        """A person takes up an expert role (a commission, a jury…); one role_id's spells do not overlap."""
        person = self.person(data.person_id)
        person.start_expert_role(data.role_id, data.role.value, data.level.value, data.started_on)
        return [person]

    def on_expert_role_ended(self, data: contract.ExpertRoleEnded) -> Sequence[Aggregate]:
        """A person's expert role ends, after it began, once."""
        person = self.person(data.person_id)
        person.end_expert_role(data.role_id, data.ended_on)
        return [person]

    def on_asset_joined(self, data: contract.AssetJoined) -> Sequence[Aggregate]:
        """A person joins a municipality's methodical asset."""
        person = self.person(data.person_id)
        person.join_asset(data.municipality_id, data.joined_on, data.role)
        return [person]

    def on_asset_left(self, data: contract.AssetLeft) -> Sequence[Aggregate]:
        """A person leaves a municipality's methodical asset, after joining it, once."""
        person = self.person(data.person_id)
        person.leave_asset(data.municipality_id, data.left_on)
        return [person]

    def on_project_enrolled(self, data: contract.ProjectEnrolled) -> Sequence[Aggregate]:
        """A person is enrolled in a municipal project cohort."""
        person = self.person(data.person_id)
        person.enrol(data.project_id, data.project_name, data.enrolled_on)
        return [person]

    def on_project_left(self, data: contract.ProjectLeft) -> Sequence[Aggregate]:
        """A person leaves a project, completed or withdrawn, after enrolling, once."""
        person = self.person(data.person_id)
        person.leave_project(data.project_id, data.left_on, data.outcome.value)
        return [person]

    def on_curator_appointed(self, data: contract.CuratorAppointed) -> Sequence[Aggregate]:
        """An organisation's mentoring curator is appointed, when no other is in office."""
        curatorship = self.curatorship(data.org_id)
        curatorship.appoint(data.person_id, data.appointed_on)
        return [curatorship]

    def on_curator_released(self, data: contract.CuratorReleased) -> Sequence[Aggregate]:
        """The curator in office is released."""
        curatorship = self.curatorship(data.org_id)
        curatorship.release(data.person_id, data.released_on)
        return [curatorship]

    def curatorship(self, org_id: str) -> Curatorship:
        """The organisation's succession of curators, opened on first use."""
        return self.get_or_none(curatorship_key(org_id)) or Curatorship(org_id=org_id)

    def person(self, person_id: str) -> Person:
        """The person's mentoring record, opened on first use."""
        return self.get_or_none(person_key(person_id)) or Person(person_id=person_id)

    def query(self, question: Callable[[ReadModel], T]) -> T:
        """Answer a question on the read model, caught up with everything recorded (synchronous)."""
        with self.reading:
            self.read_model_follower.catch_up()
            return question(self.read_model)

    def take(self, domain_event: object) -> None:
        """Apply one recorded fact to the read model, as the contract publishes it."""
        self.read_model.apply(to_contract(domain_event))
