"""Vacancies of an organisation: opened once, closed once."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from pedgrowth.kit.errors import Conflict

from .rules import not_before, not_in_future, registry_id


def vacancy_aggregate_id(key: str) -> UUID:
    return registry_id("vacancy", key)


class Vacancy(Aggregate):
    """A post an organisation wants filled; counts against its staffing until closed."""

    @classmethod
    def open(cls, vacancy_id: str, org_id: str, position: str, subject: str | None, opened_on: date,
             latest: date) -> Vacancy:
        """Open a vacancy dated today or earlier."""
        not_in_future(opened_on, latest, "data.opened_on")
        return cls(vacancy_id=vacancy_id, org_id=org_id, position=position, subject=subject, opened_on=opened_on)

    @event("Opened")
    def __init__(self, vacancy_id: str, org_id: str, position: str, subject: str | None, opened_on: date):
        self.vacancy_id = vacancy_id
        self.org_id = org_id
        self.position = position
        self.subject = subject
        self.opened_on = opened_on
        self.closed_on: date | None = None
        self.filled: bool | None = None

    @staticmethod
    def create_id(vacancy_id: str, **_: object) -> UUID:
        return vacancy_aggregate_id(vacancy_id)

    def close(self, closed_on: date, filled: bool, latest: date) -> None:
        """Close an open vacancy, on or after the day it opened."""
        if self.closed_on is not None:
            raise Conflict(f"vacancy {self.vacancy_id} was already closed on {self.closed_on.isoformat()}",
                           "data.vacancy_id")
        not_before(closed_on, self.opened_on, "data.closed_on", "the opening date")
        not_in_future(closed_on, latest, "data.closed_on")
        self.closed(vacancy_id=self.vacancy_id, closed_on=closed_on, filled=filled)

    @event("Closed")
    def closed(self, vacancy_id: str, closed_on: date, filled: bool) -> None:
        self.closed_on = closed_on
        self.filled = filled

    def open_on(self, day: date) -> bool:
        """Open on ``day``: opened on or before it and not closed by it."""
        return self.opened_on <= day and (self.closed_on is None or day < self.closed_on)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("vacancy_id", "org_id", "position", "subject", "opened_on",
                                              "closed_on", "filled")}
