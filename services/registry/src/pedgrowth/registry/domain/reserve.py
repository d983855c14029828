"""The managers' reserve (кадровый резерв): a person's membership in one municipality's reserve."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from pedgrowth.kit.errors import Conflict

from .rules import not_before, not_in_future, registry_id


def membership_id(person_id: str, municipality_id: str) -> UUID:
    return registry_id("reserve", person_id, municipality_id)


class ReserveMembership(Aggregate):
    """One person in one municipality's reserve, over one or more enrolment periods."""

    @event("Opened")
    def __init__(self, person_id: str, municipality_id: str):
        self.person_id = person_id
        self.municipality_id = municipality_id
        self.periods: list[dict] = []

    @staticmethod
    def create_id(person_id: str, municipality_id: str) -> UUID:
        return membership_id(person_id, municipality_id)

    @property
    def current(self) -> dict | None:
        return self.periods[-1] if self.periods and self.periods[-1]["left_on"] is None else None

    def enrol(self, enrolled_on: date, latest: date) -> None:
        """Enrol a person who is not already in this municipality's reserve."""
        if self.current is not None:
            raise Conflict(f"person {self.person_id} is already in the reserve of municipality "
                           f"{self.municipality_id} since {self.current['enrolled_on'].isoformat()}", "data.person_id")
        if self.periods:
            not_before(enrolled_on, self.periods[-1]["left_on"], "data.enrolled_on", "the previous leaving date")
        not_in_future(enrolled_on, latest, "data.enrolled_on")
        self.enrolled(person_id=self.person_id, municipality_id=self.municipality_id, enrolled_on=enrolled_on)

    @event("Enrolled")
    def enrolled(self, person_id: str, municipality_id: str, enrolled_on: date) -> None:
        self.periods.append({"enrolled_on": enrolled_on, "left_on": None, "reason": None})

    def leave(self, left_on: date, reason: str, latest: date) -> None:
        """Take a person out of the reserve they are in."""
        current = self.current
        if current is None:
            raise Conflict(f"person {self.person_id} is not in the reserve of municipality {self.municipality_id}",
                           "data.person_id")
        not_before(left_on, current["enrolled_on"], "data.left_on", "the enrolment date")
        not_in_future(left_on, latest, "data.left_on")
        self.left(person_id=self.person_id, municipality_id=self.municipality_id, left_on=left_on, reason=reason)

    @event("Left")
    def left(self, person_id: str, municipality_id: str, left_on: date, reason: str) -> None:
        self.periods[-1] = {**self.periods[-1], "left_on": left_on, "reason": reason}

    def period_on(self, day: date) -> dict | None:
        """The enrolment period active on ``day``, if any."""
        return next((p for p in self.periods
                     if p["enrolled_on"] <= day and (p["left_on"] is None or day < p["left_on"])), None)
