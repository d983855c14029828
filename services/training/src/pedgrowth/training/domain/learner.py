"""A pedagogue's professional-development record: courses, diagnostics, routes, categories, competitions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from pedgrowth.kit.errors import Conflict, RuleViolation, UnknownReference


@lru_cache(maxsize=65536)  # asked several times for each fact about a person
def learner_id(person_id: str) -> UUID:
    """Deterministic aggregate id of a person's learner record."""
    return uuid5(NAMESPACE_URL, f"pedgrowth:training:learner:{person_id}")


@dataclass(frozen=True)
class Course:
    """A programme the person completed."""

    program_id: str
    completed_on: date
    certificate_number: str | None
    addresses_deficits: tuple[str, ...]


@dataclass(frozen=True)
class Deficit:
    """A professional deficit found by a diagnostics."""

    code: str
    area: str


@dataclass(frozen=True)
class Diagnostics:
    """A diagnostics of professional deficits the person went through."""

    diagnostics_id: str
    completed_on: date
    deficits: tuple[Deficit, ...]


@dataclass
class Route:
    """An individual educational route (ИОМ)."""

    route_id: str
    started_on: date
    planned_until: date | None
    completed_on: date | None = None


@dataclass(frozen=True)
class Attestation:
    """A qualification category as decided by an attestation commission."""

    category: str
    decided_on: date
    valid_until: date

    def holds_on(self, day: date) -> bool:
        return self.decided_on <= day < self.valid_until


def category_on(attestations: list[Attestation], day: date) -> Attestation | None:
    """The latest decision that holds on ``day``, if any (decisions sorted by decided_on)."""
    holding = [a for a in attestations if a.holds_on(day)]
    return holding[-1] if holding else None


@dataclass(frozen=True)
class Participation:
    """Taking part in a competition of professional mastery."""

    competition_id: str
    competition_name: str
    level: str
    participated_on: date
    result: str


@dataclass(frozen=True)
class Assessment:
    """An independent assessment of qualification passed."""

    qualification: str
    passed_on: date


class Learner(Aggregate):
    """Everything training knows about one person.

    Restating a fact already recorded (same key, same content, from another
    source) changes nothing; the same key with other content is a Conflict.
    """

    @event("Opened")
    def __init__(self, person_id: str):
        self.person_id = person_id
        self.courses: list[Course] = []
        self.diagnostics: dict[str, Diagnostics] = {}
        self.routes: dict[str, Route] = {}
        self.attestations: list[Attestation] = []
        self.competitions: dict[str, Participation] = {}
        self.assessments: list[Assessment] = []

    @staticmethod
    def create_id(person_id: str) -> UUID:
        return learner_id(person_id)

    # --- courses -------------------------------------------------------------------------

    def complete_course(self, program_id: str, completed_on: date, certificate_number: str | None,
                        addresses_deficits: list[str]) -> None:
        """Record a completed course; the application has checked that the programme is known."""
        for course in self.courses:
            if course.program_id == program_id and course.completed_on == completed_on:
                if certificate_number and course.certificate_number and certificate_number != course.certificate_number:
                    raise Conflict(f"{program_id} completed on {completed_on} is recorded with certificate "
                                   f"{course.certificate_number}, not {certificate_number}", "data.certificate_number")
                return
        self.course_completed(person_id=self.person_id, program_id=program_id, completed_on=completed_on,
                              certificate_number=certificate_number, addresses_deficits=addresses_deficits)

    @event("CourseCompleted")
    def course_completed(self, person_id: str, program_id: str, completed_on: date, certificate_number: str | None,
                         addresses_deficits: list[str]) -> None:
        self.courses.append(Course(program_id, completed_on, certificate_number, tuple(addresses_deficits)))

    # --- diagnostics ---------------------------------------------------------------------

    def complete_diagnostics(self, diagnostics_id: str, completed_on: date, deficits: list[dict]) -> None:
        """Record a diagnostics and the deficits it found (none found is an empty list)."""
        codes = [d["code"] for d in deficits]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise RuleViolation(f"deficit {', '.join(repeated)} is listed more than once", "data.deficits")
        found = tuple(Deficit(d["code"], d["area"]) for d in deficits)
        known = self.diagnostics.get(diagnostics_id)
        if known is not None:
            if (known.completed_on, known.deficits) != (completed_on, found):
                raise Conflict(f"diagnostics {diagnostics_id} is already recorded for {self.person_id} "
                               f"(completed on {known.completed_on}) with other content", "data.diagnostics_id")
            return
        self.diagnostics_completed(person_id=self.person_id, diagnostics_id=diagnostics_id,
                                   completed_on=completed_on, deficits=[dict(d) for d in deficits])

    @event("DiagnosticsCompleted")
    def diagnostics_completed(self, person_id: str, diagnostics_id: str, completed_on: date,
                              deficits: list[dict]) -> None:
        self.diagnostics[diagnostics_id] = Diagnostics(
            diagnostics_id, completed_on, tuple(Deficit(d["code"], d["area"]) for d in deficits))

    def addressed_by(self, diagnostics: Diagnostics, code: str) -> list[Course]:
        """Courses completed on or after the diagnostics that list the deficit code."""
        return [c for c in self.courses if c.completed_on >= diagnostics.completed_on and code in c.addresses_deficits]

    # --- individual routes ---------------------------------------------------------------

    def start_route(self, route_id: str, started_on: date, planned_until: date | None) -> None:
        """Start an individual educational route (ИОМ)."""
        known = self.routes.get(route_id)
        if known is not None:
            if (known.started_on, known.planned_until) != (started_on, planned_until):
                raise Conflict(f"route {route_id} already started on {known.started_on}", "data.route_id")
            return
        self.route_started(route_id=route_id, person_id=self.person_id, started_on=started_on,
                           planned_until=planned_until)

    @event("RouteStarted")
    def route_started(self, route_id: str, person_id: str, started_on: date, planned_until: date | None) -> None:
        self.routes[route_id] = Route(route_id, started_on, planned_until)

    def complete_route(self, route_id: str, completed_on: date) -> None:
        """Complete a started route, once, not before it started."""
        route = self.routes.get(route_id)
        if route is None:
            raise UnknownReference(f"route {route_id} was not started for {self.person_id}", "data.route_id")
        if route.completed_on is not None:
            if route.completed_on != completed_on:
                raise Conflict(f"route {route_id} was already completed on {route.completed_on}", "data.route_id")
            return
        if completed_on < route.started_on:
            raise RuleViolation(f"completed_on {completed_on} is before route {route_id} started "
                                f"on {route.started_on}", "data.completed_on")
        self.route_completed(route_id=route_id, person_id=self.person_id, completed_on=completed_on)

    @event("RouteCompleted")
    def route_completed(self, route_id: str, person_id: str, completed_on: date) -> None:
        self.routes[route_id].completed_on = completed_on

    # --- attestation ---------------------------------------------------------------------

    def pass_attestation(self, category: str, decided_on: date, valid_until: date) -> None:
        """Record a category as decided; decisions may arrive in any order, one per day."""
        if valid_until <= decided_on:
            raise RuleViolation(f"valid_until {valid_until} must be after decided_on {decided_on}", "data.valid_until")
        for known in self.attestations:
            if known.decided_on == decided_on:
                if known.category != category:
                    raise Conflict(f"{self.person_id} was granted {known.category} on {decided_on}, "
                                   f"not {category}", "data.category")
                if known.valid_until != valid_until:
                    raise Conflict(f"the decision of {decided_on} is valid until {known.valid_until}, "
                                   f"not {valid_until}", "data.valid_until")
                return
        self.attestation_passed(person_id=self.person_id, category=category, decided_on=decided_on,
                                valid_until=valid_until)

    @event("AttestationPassed")
    def attestation_passed(self, person_id: str, category: str, decided_on: date, valid_until: date) -> None:
        self.attestations.append(Attestation(category, decided_on, valid_until))
        self.attestations.sort(key=lambda a: a.decided_on)

    def category_on(self, day: date) -> Attestation | None:
        """The latest decision that holds on ``day``, if any."""
        return category_on(self.attestations, day)

    # --- competitions and independent assessment -----------------------------------------

    def participate(self, competition_id: str, competition_name: str, level: str, participated_on: date,
                    result: str) -> None:
        """Record taking part in a competition: once per person and competition."""
        new = Participation(competition_id, competition_name, level, participated_on, result)
        known = self.competitions.get(competition_id)
        if known is not None:
            if known != new:
                raise Conflict(f"{self.person_id} already took part in competition {competition_id} "
                               f"({known.result}, {known.participated_on})", "data.competition_id")
            return
        self.competition_participated(person_id=self.person_id, competition_id=competition_id,
                                      competition_name=competition_name, level=level,
                                      participated_on=participated_on, result=result)

    @event("CompetitionParticipated")
    def competition_participated(self, person_id: str, competition_id: str, competition_name: str, level: str,
                                 participated_on: date, result: str) -> None:
        self.competitions[competition_id] = Participation(competition_id, competition_name, level,
                                                          participated_on, result)

    def pass_assessment(self, qualification: str, passed_on: date) -> None:
        """Record an independent qualification assessment passed."""
        if Assessment(qualification, passed_on) in self.assessments:
            return
        self.independent_assessment_passed(person_id=self.person_id, qualification=qualification,
                                           passed_on=passed_on)

    @event("IndependentAssessmentPassed")
    def independent_assessment_passed(self, person_id: str, qualification: str, passed_on: date) -> None:
        self.assessments.append(Assessment(qualification, passed_on))

