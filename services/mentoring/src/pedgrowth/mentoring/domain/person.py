"""A person as mentoring knows them: pairs as a mentee, community memberships, support events attended,
expert roles, places in a municipality's methodical asset, enrolments in municipal projects."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from pedgrowth.kit.errors import Conflict, RuleViolation, UnknownReference

from .intervals import active_on, check_begin, spell_to_end


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
        self.expert_roles: list[dict] = []
        self.asset: list[dict] = []
        self.projects: list[dict] = []

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

    # whether a start was recorded: an end waits until one is (the application's references)

    def joined_community(self, community_id: str) -> bool:
        return any(m["community_id"] == community_id for m in self.memberships)

    def took_expert_role(self, role_id: str) -> bool:
        return any(s["role_id"] == role_id for s in self.expert_roles)

    def joined_asset(self, municipality_id: str) -> bool:
        return any(s["municipality_id"] == municipality_id for s in self.asset)

    def enrolled_in(self, project_id: str) -> bool:
        return any(s["project_id"] == project_id for s in self.projects)

    # support events

    def attend(self, event_id: str, event_name: str, kind: str, attended_on: date, role: str | None = None) -> None:
        """Record attendance of a support event (as a participant, or a speaker): once per person and event."""
        if event_id in self.attended:
            raise Conflict(f"person {self.person_id} is already recorded at event {event_id} "
                           f"(on {self.attended[event_id]['attended_on']})", "data.event_id")
        self.support_event_attended(person_id=self.person_id, event_id=event_id, event_name=event_name,
                                    kind=kind, attended_on=attended_on, role=role)

    @event("SupportEventAttended")
    def support_event_attended(self, person_id: str, event_id: str, event_name: str, kind: str,
                               attended_on: date, role: str | None = None) -> None:
        # role: None in events stored before it existed, and when the publisher left it out (a participant)
        self.attended[event_id] = {"event_name": event_name, "kind": kind, "attended_on": attended_on, "role": role}

    # expert roles

    def start_expert_role(self, role_id: str, role: str, level: str, started_on: date) -> None:
        """Take up an expert role: spells of one role_id do not overlap; the same start again changes nothing."""
        spells = [s for s in self.expert_roles if s["role_id"] == role_id]
        if check_begin(spells, started_on, {"role": role, "level": level},
                       f"expert role {role_id} of person {self.person_id}", "data.role_id"):
            self.expert_role_started(person_id=self.person_id, role_id=role_id, role=role, level=level,
                                     started_on=started_on)

    @event("ExpertRoleStarted")
    def expert_role_started(self, person_id: str, role_id: str, role: str, level: str, started_on: date) -> None:
        self.expert_roles.append({"role_id": role_id, "role": role, "level": level, "from": started_on, "to": None})

    def end_expert_role(self, role_id: str, ended_on: date) -> None:
        """End the expert role begun on or before ``ended_on``: only after it began, once."""
        spells = [s for s in self.expert_roles if s["role_id"] == role_id]
        if spell_to_end(spells, ended_on, f"expert role {role_id} of person {self.person_id}", "data.role_id",
                        "ended_on") is not None:
            self.expert_role_ended(person_id=self.person_id, role_id=role_id, ended_on=ended_on)

    @event("ExpertRoleEnded")
    def expert_role_ended(self, person_id: str, role_id: str, ended_on: date) -> None:
        close_spell([s for s in self.expert_roles if s["role_id"] == role_id], ended_on)

    # the methodical asset of a municipality

    def join_asset(self, municipality_id: str, joined_on: date, role: str | None) -> None:
        """Join the municipality's methodical asset: not while already in it; the same join again changes nothing."""
        spells = [s for s in self.asset if s["municipality_id"] == municipality_id]
        if check_begin(spells, joined_on, {"role": role},
                       f"person {self.person_id}'s place in the methodical asset of {municipality_id}",
                       "data.municipality_id"):
            self.asset_joined(person_id=self.person_id, municipality_id=municipality_id, joined_on=joined_on,
                              role=role)

    @event("AssetJoined")
    def asset_joined(self, person_id: str, municipality_id: str, joined_on: date, role: str | None) -> None:
        self.asset.append({"municipality_id": municipality_id, "role": role, "from": joined_on, "to": None})

    def leave_asset(self, municipality_id: str, left_on: date) -> None:
        """Leave the municipality's methodical asset: only after joining it, once."""
        spells = [s for s in self.asset if s["municipality_id"] == municipality_id]
        if spell_to_end(spells, left_on, f"person {self.person_id}'s place in the methodical asset of "
                        f"{municipality_id}", "data.municipality_id", "left_on") is not None:
            self.asset_left(person_id=self.person_id, municipality_id=municipality_id, left_on=left_on)

    @event("AssetLeft")
    def asset_left(self, person_id: str, municipality_id: str, left_on: date) -> None:
        close_spell([s for s in self.asset if s["municipality_id"] == municipality_id], left_on)

    # municipal projects

    def enrol(self, project_id: str, project_name: str, enrolled_on: date) -> None:
        """Enrol in a municipal project: not while enrolled in it; the same enrolment again changes nothing."""
        spells = [s for s in self.projects if s["project_id"] == project_id]
        if check_begin(spells, enrolled_on, {"project_name": project_name},
                       f"enrolment of person {self.person_id} in project {project_id}", "data.project_id"):
            self.project_enrolled(person_id=self.person_id, project_id=project_id, project_name=project_name,
                                  enrolled_on=enrolled_on)

    @event("ProjectEnrolled")
    def project_enrolled(self, person_id: str, project_id: str, project_name: str, enrolled_on: date) -> None:
        self.projects.append({"project_id": project_id, "project_name": project_name, "from": enrolled_on,
                              "to": None, "outcome": None})

    def leave_project(self, project_id: str, left_on: date, outcome: str) -> None:
        """Leave a project (completed or withdrawn): only after enrolling, once."""
        spells = [s for s in self.projects if s["project_id"] == project_id]
        spell = spell_to_end(spells, left_on, f"enrolment of person {self.person_id} in project {project_id}",
                             "data.project_id", "left_on")
        if spell is None:
            ended = next(s for s in spells if s["to"] == left_on)
            if ended["outcome"] != outcome:
                raise Conflict(f"person {self.person_id} left project {project_id} on {left_on} "
                               f"with outcome {ended['outcome']}, not {outcome}", "data.outcome")
            return
        self.project_left(person_id=self.person_id, project_id=project_id, left_on=left_on, outcome=outcome)

    @event("ProjectLeft")
    def project_left(self, person_id: str, project_id: str, left_on: date, outcome: str) -> None:
        spells = [s for s in self.projects if s["project_id"] == project_id]
        closed = close_spell(spells, left_on)
        if closed is not None:
            closed["outcome"] = outcome


def close_spell(spells: list[dict], ended_on: date) -> dict | None:
    """Close the latest open spell that began on or before ``ended_on``; the spell closed, if any."""
    open_ones = [s for s in spells if s["to"] is None and s["from"] <= ended_on]
    if not open_ones:
        return None
    spell = max(open_ones, key=lambda s: s["from"])
    spell["to"] = ended_on
    return spell


def close_membership(memberships: list[dict], left_on: date) -> None:
    """Close the latest open membership that began on or before ``left_on`` (late facts fit in)."""
    open_ones = [m for m in memberships if m["left_on"] is None and m["joined_on"] <= left_on]
    if open_ones:
        max(open_ones, key=lambda m: m["joined_on"])["left_on"] = left_on
