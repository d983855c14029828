"""Registry domain events to contract events: the only place that maps between them.

Registry-only events (a person opened, personal details, a reserve membership opened)
have no translation: names and contacts never reach the bus.
"""

from __future__ import annotations

from pedgrowth.contracts import EventData
from pedgrowth.contracts import registry as contract
from pedgrowth.kit.translation import Translation

from .domain.organisation import Organisation
from .domain.person import Person
from .domain.reserve import ReserveMembership
from .domain.vacancy import Vacancy


def organization_registered(e: Organisation.Registered) -> EventData:
    return contract.OrganizationRegistered(
        org_id=e.org_id, name=e.name, kind=e.kind, municipality_id=e.municipality_id,
        municipality_name=e.municipality_name, region_id=e.region_id, region_name=e.region_name)


def employment_started(e: Person.EmploymentStarted) -> EventData:
    return contract.EmploymentStarted(
        person_id=e.person_id, org_id=e.org_id, position=e.position, started_on=e.started_on,
        pedagogical_experience_since=e.pedagogical_experience_since, birth_date=e.birth_date,
        subjects=e.subjects or None, education_matches_profile=e.education_matches_profile)


def employment_ended(e: Person.EmploymentEnded) -> EventData:
    return contract.EmploymentEnded(person_id=e.person_id, org_id=e.org_id, ended_on=e.ended_on, reason=e.reason)


def position_changed(e: Person.PositionChanged) -> EventData:
    return contract.PositionChanged(person_id=e.person_id, org_id=e.org_id, position=e.position,
                                    changed_on=e.changed_on)


def education_profile_recorded(e: Person.EducationProfileRecorded) -> EventData:
    return contract.EducationProfileRecorded(person_id=e.person_id, matches_profile=e.matches_profile,
                                             recorded_on=e.recorded_on)


def vacancy_opened(e: Vacancy.Opened) -> EventData:
    return contract.VacancyOpened(vacancy_id=e.vacancy_id, org_id=e.org_id, position=e.position,
                                  subject=e.subject, opened_on=e.opened_on)


def vacancy_closed(e: Vacancy.Closed) -> EventData:
    return contract.VacancyClosed(vacancy_id=e.vacancy_id, closed_on=e.closed_on, filled=e.filled)


def reserve_enrolled(e: ReserveMembership.Enrolled) -> EventData:
    return contract.ReserveEnrolled(person_id=e.person_id, municipality_id=e.municipality_id,
                                    enrolled_on=e.enrolled_on)


def reserve_left(e: ReserveMembership.Left) -> EventData:
    return contract.ReserveLeft(person_id=e.person_id, municipality_id=e.municipality_id, left_on=e.left_on,
                                reason=e.reason)


TRANSLATIONS = {
    Organisation.Registered: organization_registered,
    Person.EmploymentStarted: employment_started,
    Person.EmploymentEnded: employment_ended,
    Person.PositionChanged: position_changed,
    Person.EducationProfileRecorded: education_profile_recorded,
    Vacancy.Opened: vacancy_opened,
    Vacancy.Closed: vacancy_closed,
    ReserveMembership.Enrolled: reserve_enrolled,
    ReserveMembership.Left: reserve_left,
}

to_contract = Translation(TRANSLATIONS)
"""The contract event a domain event is published as, or None for internal ones."""
