"""A pedagogue's professional-development record in the training service."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event


def learner_id(person_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"pedgrowth:training:learner:{person_id}")


class Learner(Aggregate):
    """Everything training knows about one person: courses, diagnostics, routes, categories, competitions."""

    @event("Opened")
    def __init__(self, person_id: str):
        self.person_id = person_id
        self.courses: list[dict] = []

    @staticmethod
    def create_id(person_id: str) -> UUID:
        return learner_id(person_id)

    def complete_course(self, program_id: str, completed_on: date, certificate_number: str | None,
                        addresses_deficits: list[str]) -> None:
        """Record a completed course (the programme is checked by the application)."""
        self.course_completed(person_id=self.person_id, program_id=program_id, completed_on=completed_on,
                              certificate_number=certificate_number, addresses_deficits=addresses_deficits)

    @event("CourseCompleted")
    def course_completed(self, person_id: str, program_id: str, completed_on: date, certificate_number: str | None,
                         addresses_deficits: list[str]) -> None:
        self.courses.append({"program_id": program_id, "completed_on": completed_on,
                             "certificate_number": certificate_number,
                             "addresses_deficits": addresses_deficits})
