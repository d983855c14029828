"""What mentoring has recorded, as plain data for queries: built from its own contract events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pedgrowth.contracts import EventData
from pedgrowth.contracts import mentoring as contract

from .domain.intervals import active_on
from .domain.person import close_membership, close_spell


@dataclass
class ReadModel:
    """Mentors, pairs, memberships, attendances, expert roles, the methodical asset, project participants and
    curators (the application's log follower feeds it). Spells are dicts with ``from`` and ``to``."""

    mentors: dict[str, dict] = field(default_factory=dict)
    pairs: dict[str, dict] = field(default_factory=dict)
    communities: dict[str, dict] = field(default_factory=dict)
    memberships: list[dict] = field(default_factory=list)
    support_events: dict[str, dict] = field(default_factory=dict)
    attendances: list[dict] = field(default_factory=list)
    by_mentee: dict[str, list[str]] = field(default_factory=dict)
    by_mentor: dict[str, list[str]] = field(default_factory=dict)
    by_person: dict[str, list[dict]] = field(default_factory=dict)
    by_event: dict[str, list[dict]] = field(default_factory=dict)
    expert_roles: dict[str, list[dict]] = field(default_factory=dict)
    asset: dict[str, list[dict]] = field(default_factory=dict)
    projects: dict[str, dict] = field(default_factory=dict)
    participants: dict[str, list[dict]] = field(default_factory=dict)
    curators: dict[str, list[dict]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.handlers: dict[type[EventData], Callable[[Any], None]] = {
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

    def apply(self, data: EventData) -> None:
        """Take one recorded fact into account (a type the model does not keep is ignored)."""
        handler = self.handlers.get(type(data))
        if handler is not None:
            handler(data)

    def on_mentor_registered(self, d: contract.MentorRegistered) -> None:
        self.mentors[d.mentor_id] = d.model_dump()

    def on_pair_assigned(self, d: contract.PairAssigned) -> None:
        self.pairs[d.pair_id] = {**d.model_dump(), "form": d.form.value, "ended_on": None, "outcome": None}
        self.by_mentee.setdefault(d.mentee_person_id, []).append(d.pair_id)
        self.by_mentor.setdefault(d.mentor_id, []).append(d.pair_id)

    def on_pair_ended(self, d: contract.PairEnded) -> None:
        self.pairs[d.pair_id].update(ended_on=d.ended_on, outcome=d.outcome.value)

    def on_community_joined(self, d: contract.CommunityJoined) -> None:
        self.communities[d.community_id] = {"community_id": d.community_id, "community_name": d.community_name,
                                            "kind": d.kind.value, "level": d.level.value}
        membership = {"person_id": d.person_id, "community_id": d.community_id, "joined_on": d.joined_on,
                      "left_on": None}
        self.memberships.append(membership)
        self.by_person.setdefault(d.person_id, []).append(membership)

    def on_community_left(self, d: contract.CommunityLeft) -> None:
        close_membership(self.memberships_of(d.person_id, d.community_id), d.left_on)

    def on_support_event_attended(self, d: contract.SupportEventAttended) -> None:
        self.support_events[d.event_id] = {"event_id": d.event_id, "event_name": d.event_name,
                                           "kind": d.kind.value}
        visit = {"person_id": d.person_id, "event_id": d.event_id, "attended_on": d.attended_on,
                 "role": d.role.value if d.role else "participant"}
        self.attendances.append(visit)
        self.by_event.setdefault(d.event_id, []).append(visit)

    def on_expert_role_started(self, d: contract.ExpertRoleStarted) -> None:
        self.expert_roles.setdefault(d.person_id, []).append(
            {"person_id": d.person_id, "role_id": d.role_id, "role": d.role.value, "level": d.level.value,
             "from": d.started_on, "to": None})

    def on_expert_role_ended(self, d: contract.ExpertRoleEnded) -> None:
        close_spell([s for s in self.expert_roles.get(d.person_id, []) if s["role_id"] == d.role_id], d.ended_on)

    def on_asset_joined(self, d: contract.AssetJoined) -> None:
        self.asset.setdefault(d.municipality_id, []).append(
            {"person_id": d.person_id, "municipality_id": d.municipality_id, "role": d.role, "from": d.joined_on,
             "to": None})

    def on_asset_left(self, d: contract.AssetLeft) -> None:
        close_spell([s for s in self.asset.get(d.municipality_id, []) if s["person_id"] == d.person_id], d.left_on)

    def on_project_enrolled(self, d: contract.ProjectEnrolled) -> None:
        self.projects[d.project_id] = {"project_id": d.project_id, "project_name": d.project_name}
        self.participants.setdefault(d.project_id, []).append(
            {"person_id": d.person_id, "project_id": d.project_id, "from": d.enrolled_on, "to": None,
             "outcome": None})

    def on_project_left(self, d: contract.ProjectLeft) -> None:
        closed = close_spell([s for s in self.participants.get(d.project_id, []) if s["person_id"] == d.person_id],
                             d.left_on)
        if closed is not None:
            closed["outcome"] = d.outcome.value

    def on_curator_appointed(self, d: contract.CuratorAppointed) -> None:
        self.curators.setdefault(d.org_id, []).append(
            {"org_id": d.org_id, "person_id": d.person_id, "from": d.appointed_on, "to": None})

    def on_curator_released(self, d: contract.CuratorReleased) -> None:
        close_spell([t for t in self.curators.get(d.org_id, []) if t["person_id"] == d.person_id], d.released_on)

    # questions

    def memberships_of(self, person_id: str, community_id: str | None = None) -> list[dict]:
        return [m for m in self.by_person.get(person_id, [])
                if community_id is None or m["community_id"] == community_id]

    def pairs_of_mentee(self, person_id: str) -> list[dict]:
        return sorted((self.pairs[i] for i in self.by_mentee.get(person_id, [])), key=lambda p: p["started_on"])

    def pairs_of_mentor(self, mentor_id: str) -> list[dict]:
        return sorted((self.pairs[i] for i in self.by_mentor.get(mentor_id, [])), key=lambda p: p["started_on"])

    def mentors_of_person(self, person_id: str) -> list[dict]:
        """The mentor records of a staff member (a person may be registered once or more)."""
        return [m for m in self.mentors.values() if m.get("person_id") == person_id]

    def members(self, community_id: str, day: date) -> list[dict]:
        """Memberships of a community active on ``day``."""
        return [m for m in self.memberships if m["community_id"] == community_id
                and active_on(m["joined_on"], m["left_on"], day)]

    def attendance(self, event_id: str) -> list[dict]:
        return sorted(self.by_event.get(event_id, []),
                      key=lambda a: (a["attended_on"], a["person_id"]))


def pair_active(pair: dict, day: date) -> bool:
    """Whether a pair (as the read model holds it) is active on ``day``."""
    return active_on(pair["started_on"], pair["ended_on"], day)
