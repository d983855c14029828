"""A person as mentoring knows them: pairs as a mentee, community memberships, support events attended."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from .errors import Conflict, RuleViolation, UnknownReference
from .intervals import active_on


def person_key(person_id: str) -> UUID:
    """Deterministic aggregate id of a person's mentoring record."""
    return uuid5(NAMESPACE_URL, f"pedgrowth:mentoring:person:{person_id}")


class Person(Aggregate):
    """The mentoring record of one pedagogue; the rules about one person's pairs, memberships and visits."""

    @event("Opened")
    def __init__(self, person_id: str):
        self.person_id = person_id
        self.pairs: dict[str, dict] = {}
        self.memberships: list[dict] = []
        self.attended: dict[str, dict] = {}

    @staticmethod
    def create_id(person_id: str) -> UUID:
        return person_key(person_id)

    # pairs as a mentee

    def join_pair(self, pair_id: str, mentor_id: str, form: str, started_on: date) -> None:
        """Become a mentee: at most one pair of a form active on the new pair's first day."""
        for other_id, other in self.pairs.items():
            if other["form"] == form and active_on(other["started_on"], other["ended_on"], started_on):
                raise Conflict(
                    f"mentee {self.person_id} already has an active {form} pair {other_id} "
                    f"(since {other['started_on']}) on {started_on}", "data.mentee_person_id")
        self.pair_joined(pair_id=pair_id, mentor_id=mentor_id, form=form, started_on=started_on)

    @event("PairJoined")
    def pair_joined(self, pair_id: str, mentor_id: str, form: str, started_on: date) -> None:
        self.pairs[pair_id] = {"mentor_id": mentor_id, "form": form, "started_on": started_on, "ended_on": None}

    def leave_pair(self, pair_id: str, ended_on: date) -> None:
        """The pair ended (its own rules were checked by the pair)."""
        self.pair_left(pair_id=pair_id, ended_on=ended_on)

    @event("PairLeft")
    def pair_left(self, pair_id: str, ended_on: date) -> None:
        if pair_id in self.pairs:
            self.pairs[pair_id]["ended_on"] = ended_on

    # communities

    def join_community(self, community_id: str, community_name: str, kind: str, level: str,
                       joined_on: date) -> None:
        """Join a community: not while a membership in it is active on the joining day."""
        for m in self.memberships_of(community_id):
            if active_on(m["joined_on"], m["left_on"], joined_on):
                raise Conflict(
                    f"person {self.person_id} is already a member of community {community_id} on {joined_on} "
                    f"(joined {m['joined_on']})", "data.community_id")
        self.community_joined(person_id=self.person_id, community_id=community_id, community_name=community_name,
                              kind=kind, level=level, joined_on=joined_on)

    @event("CommunityJoined")
    def community_joined(self, person_id: str, community_id: str, community_name: str, kind: str, level: str,
                         joined_on: date) -> None:
        self.memberships.append({"community_id": community_id, "joined_on": joined_on, "left_on": None})

    def leave_community(self, community_id: str, left_on: date) -> None:
        """Leave a community: closes the open membership that began on or before ``left_on``."""
        mine = self.memberships_of(community_id)
        if not any(m["left_on"] is None and m["joined_on"] <= left_on for m in mine):
            raise self.cannot_leave(community_id, left_on, mine)
        self.community_left(person_id=self.person_id, community_id=community_id, left_on=left_on)

    def cannot_leave(self, community_id: str, left_on: date, mine: list[dict]) -> Exception:
        if any(m["left_on"] is None for m in mine):
            joined = min(m["joined_on"] for m in mine if m["left_on"] is None)
            return RuleViolation(f"left_on {left_on} is before person {self.person_id} joined community "
                                 f"{community_id} on {joined}", "data.left_on")
        if mine:
            last = max(m["left_on"] for m in mine)
            return Conflict(f"person {self.person_id} already left community {community_id} on {last}",
                            "data.community_id")
        return UnknownReference(f"person {self.person_id} is not a member of community {community_id}",
                                "data.community_id")

    @event("CommunityLeft")
    def community_left(self, person_id: str, community_id: str, left_on: date) -> None:
        close_membership(self.memberships_of(community_id), left_on)

    def memberships_of(self, community_id: str) -> list[dict]:
        return [m for m in self.memberships if m["community_id"] == community_id]

    # support events

    def attend(self, event_id: str, event_name: str, kind: str, attended_on: date) -> None:
        """Record attendance of a support event: once per person and event."""
        if event_id in self.attended:
            raise Conflict(f"person {self.person_id} is already recorded at event {event_id} "
                           f"(on {self.attended[event_id]['attended_on']})", "data.event_id")
        self.support_event_attended(person_id=self.person_id, event_id=event_id, event_name=event_name,
                                    kind=kind, attended_on=attended_on)

    @event("SupportEventAttended")
    def support_event_attended(self, person_id: str, event_id: str, event_name: str, kind: str,
                               attended_on: date) -> None:
        self.attended[event_id] = {"event_name": event_name, "kind": kind, "attended_on": attended_on}


def close_membership(memberships: list[dict], left_on: date) -> None:
    """Close the latest open membership that began on or before ``left_on`` (late facts fit in)."""
    open_ones = [m for m in memberships if m["left_on"] is None and m["joined_on"] <= left_on]
    if open_ones:
        max(open_ones, key=lambda m: m["joined_on"])["left_on"] = left_on
