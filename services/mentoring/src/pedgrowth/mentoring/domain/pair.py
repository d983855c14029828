"""Mentor–mentee pairs (пары наставник–наставляемый): a form, a start and at most one end."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from pedgrowth.kit.errors import Conflict, RuleViolation


def pair_key(pair_id: str) -> UUID:
    """Deterministic aggregate id of a pair."""
    return uuid5(NAMESPACE_URL, f"pedgrowth:mentoring:pair:{pair_id}")


class Pair(Aggregate):
    """One mentor leading one mentee in one form of mentoring, from a start date until it ends."""

    @event("Assigned")
    def __init__(self, pair_id: str, mentor_id: str, mentee_person_id: str, form: str, started_on: date,
                 program: str | None):
        self.pair_id = pair_id
        self.mentor_id = mentor_id
        self.mentee_person_id = mentee_person_id
        self.form = form
        self.started_on = started_on
        self.program = program
        self.ended_on: date | None = None
        self.outcome: str | None = None

    @staticmethod
    def create_id(pair_id: str) -> UUID:
        return pair_key(pair_id)

    def end(self, ended_on: date, outcome: str) -> None:
        """End the pair: only once, and not before it started."""
        if self.ended_on is not None:
            raise Conflict(f"pair {self.pair_id} already ended on {self.ended_on} ({self.outcome})", "data.pair_id")
        if ended_on < self.started_on:
            raise RuleViolation(
                f"ended_on {ended_on} is before pair {self.pair_id} started on {self.started_on}", "data.ended_on")
        self.ended(pair_id=self.pair_id, ended_on=ended_on, outcome=outcome)

    @event("Ended")
    def ended(self, pair_id: str, ended_on: date, outcome: str) -> None:
        self.ended_on = ended_on
        self.outcome = outcome
