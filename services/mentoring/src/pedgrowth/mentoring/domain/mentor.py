"""Mentors (наставники): staff members or people from an enterprise, and the mentees they take."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from pedgrowth.kit.errors import RuleViolation

from .intervals import active_on


def mentor_key(mentor_id: str) -> UUID:
    """Deterministic aggregate id of a mentor."""
    return uuid5(NAMESPACE_URL, f"pedgrowth:mentoring:mentor:{mentor_id}")


class Mentor(Aggregate):
    """A registered mentor; keeps the pairs it leads so the mentee limit can be checked."""

    @event("Registered")
    def __init__(self, mentor_id: str, person_id: str | None, external_organization: str | None,
                 registered_on: date):
        self.mentor_id = mentor_id
        self.person_id = person_id
        self.external_organization = external_organization
        self.registered_on = registered_on
        self.pairs: dict[str, dict] = {}

    @staticmethod
    def create_id(mentor_id: str) -> UUID:
        return mentor_key(mentor_id)

    def active_mentees(self, day: date) -> set[str]:
        """Distinct mentees of this mentor's pairs active on ``day``."""
        return {p["mentee_person_id"] for p in self.pairs.values()
                if active_on(p["started_on"], p["ended_on"], day)}

    def take_mentee(self, pair_id: str, mentee_person_id: str, started_on: date, limit: int) -> None:
        """Lead a new pair: never oneself, and at most ``limit`` active mentees on its first day."""
        if self.person_id is not None and self.person_id == mentee_person_id:
            raise RuleViolation(
                f"mentor {self.mentor_id} is person {mentee_person_id}: a mentor cannot mentor themselves",
                "data.mentee_person_id")
        active = self.active_mentees(started_on)
        if mentee_person_id not in active and len(active) >= limit:
            raise RuleViolation(
                f"mentor {self.mentor_id} already has {len(active)} active mentees on {started_on} "
                f"(at most {limit})", "data.mentor_id")
        self.mentee_taken(pair_id=pair_id, mentee_person_id=mentee_person_id, started_on=started_on)

    @event("MenteeTaken")
    def mentee_taken(self, pair_id: str, mentee_person_id: str, started_on: date) -> None:
        self.pairs[pair_id] = {"mentee_person_id": mentee_person_id, "started_on": started_on, "ended_on": None}

    def release_mentee(self, pair_id: str, ended_on: date) -> None:
        """The pair ended (its own rules were checked by the pair)."""
        self.mentee_released(pair_id=pair_id, ended_on=ended_on)

    @event("MenteeReleased")
    def mentee_released(self, pair_id: str, ended_on: date) -> None:
        if pair_id in self.pairs:
            self.pairs[pair_id]["ended_on"] = ended_on
