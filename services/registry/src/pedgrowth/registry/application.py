"""The registry application: records accepted registry facts as domain events, and answers queries."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from pedgrowth.contracts import EventData
from pedgrowth.contracts import registry as contract
from pedgrowth.kit.errors import Conflict, UnknownReference
from pedgrowth.kit.recording import Handler, RecordingApplication
from pedgrowth.kit.waiting import Reference

from .domain.organisation import Organisation, organisation_id
from .domain.person import Person, person_id_of
from .domain.reserve import ReserveMembership, membership_id
from .domain.rules import registry_id
from .domain.vacancy import Vacancy, vacancy_aggregate_id
from .index import Directory

DEFAULT_FUTURE_TOLERANCE_DAYS = 1

ORGANISATION = Reference(
    kind="organisation", aggregate_id=organisation_id,
    waits={"employment_started": "org_id", "vacancy_opened": "org_id"},
    recorded_by={"organization_registered": "org_id"},
    missing_en="organisation {key} is not registered", missing_ru="организация {key} не зарегистрирована",
)
"""A hire or a vacancy may come before its organisation's registration (another key, another partition)."""


def employment_recorded(app: RegistryApplication, org_id: str, person_id: str) -> bool:
    person = app.get_or_none(person_id_of(person_id))
    return person is not None and person.was_employed_at(org_id)


EMPLOYMENT = Reference(
    kind="employment", aggregate_id=lambda _org_id, person_id: person_id_of(person_id),
    waits={"employment_ended": ("org_id", "person_id"), "position_changed": ("org_id", "person_id")},
    recorded_by={"employment_started": ("org_id", "person_id")}, recorded=employment_recorded,
    missing_en="person {person_id} has no employment at {org_id}",
    missing_ru="приём {person_id} на работу в {org_id} не поступал",
)
"""An end or a position change may come before the hire it belongs to (SPEC §2: ends wait for their starts).
It waits while no employment of the person at the organisation is recorded at all; once one is, the rules judge
it as they would in order (an end of an employment already ended is a conflict, one before its start a violation)."""

PERSON = Reference(
    kind="person", aggregate_id=person_id_of,
    waits={"education_profile_recorded": "person_id"}, recorded_by={"employment_started": "person_id"},
    missing_en="person {key} has no employment in the register", missing_ru="{key} нет в реестре работников",
)
"""An education finding may come before the person's first hire."""

VACANCY = Reference(
    kind="vacancy", aggregate_id=vacancy_aggregate_id,
    waits={"vacancy_closed": "vacancy_id"}, recorded_by={"vacancy_opened": "vacancy_id"},
    missing_en="vacancy {key} was never opened", missing_ru="вакансия {key} не открывалась",
)
"""A vacancy's closing may come before its opening."""


def municipality_key(municipality_id: str) -> UUID:
    """An id for the municipality as a reference (no aggregate has it: its organisations record it)."""
    return registry_id("municipality", municipality_id)


def municipality_recorded(app: RegistryApplication, municipality_id: str) -> bool:
    """Whether an organisation of the municipality is registered. The directory reads the saved log, so a
    registration staged earlier in the same batch is saved first (as ``reads_the_log`` does for the enrolment)."""
    if app.unit is not None:
        app.flush(app.unit)
    return bool(app.directory.catch_up().orgs_by_municipality.get(municipality_id))


MUNICIPALITY = Reference(
    kind="municipality", aggregate_id=municipality_key,
    waits={"reserve_enrolled": "municipality_id"}, recorded_by={"organization_registered": "municipality_id"},
    recorded=municipality_recorded,
    missing_en="municipality {key} has no registered organisation",
    missing_ru="в муниципалитете {key} нет зарегистрированных организаций",
)
"""An enrolment in a municipality's reserve may come before the municipality's first organisation (the registry
knows a municipality only from the organisations registered in it)."""

RESERVE = Reference(
    kind="reserve_membership", aggregate_id=membership_id,
    waits={"reserve_left": ("person_id", "municipality_id")},
    recorded_by={"reserve_enrolled": ("person_id", "municipality_id")},
    missing_en="person {person_id} was never enrolled in the reserve of municipality {municipality_id}",
    missing_ru="{person_id} не зачислялся(-лась) в кадровый резерв {municipality_id}",
)
"""Leaving a municipality's reserve may come before the enrolment."""


class RegistryApplication(RecordingApplication):
    """Use cases of the registry service; one handler per contract event type (``handlers``)."""

    name = "registry"
    references = (ORGANISATION, EMPLOYMENT, PERSON, VACANCY, MUNICIPALITY, RESERVE)
    reads_the_log = frozenset({"reserve_enrolled"})  # the directory of municipalities follows the log

    def __init__(self, env: dict[str, str] | None = None, today: Callable[[], date] = date.today):
        super().__init__(env=env)
        self.today = today
        self.tolerance = timedelta(days=int(self.env.get("FUTURE_TOLERANCE_DAYS", DEFAULT_FUTURE_TOLERANCE_DAYS)))
        self.directory = Directory(self)

    def subjects(self, data: EventData) -> list[UUID]:
        """The person and the organisation a fact names (read for a whole batch at once)."""
        person, org = getattr(data, "person_id", None), getattr(data, "org_id", None)
        return [*([person_id_of(person)] if person else []), *([organisation_id(org)] if org else [])]

    @property
    def latest(self) -> date:
        """The latest date a fact may carry: today plus the configured tolerance (clocks and time zones)."""
        return self.today() + self.tolerance

    def handlers(self) -> Mapping[type[EventData], Handler]:
        return {
            contract.OrganizationRegistered: self.on_organization_registered,
            contract.EmploymentStarted: self.on_employment_started,
            contract.EmploymentEnded: self.on_employment_ended,
            contract.PositionChanged: self.on_position_changed,
            contract.EducationProfileRecorded: self.on_education_profile_recorded,
            contract.VacancyOpened: self.on_vacancy_opened,
            contract.VacancyClosed: self.on_vacancy_closed,
            contract.ReserveEnrolled: self.on_reserve_enrolled,
            contract.ReserveLeft: self.on_reserve_left,
        }

    # --- recording: one use case per contract event type ----------------------------------------

    def on_organization_registered(self, data: contract.OrganizationRegistered) -> Sequence[Aggregate]:
        """Place an organisation in its municipality and region, once."""
        existing = self.get_or_none(organisation_id(data.org_id))
        if existing is not None:
            existing.refuse_registration(data.municipality_id, data.region_id)
        return [Organisation(org_id=data.org_id, name=data.name, kind=data.kind.value,
                             municipality_id=data.municipality_id, municipality_name=data.municipality_name,
                             region_id=data.region_id, region_name=data.region_name)]

    def on_employment_started(self, data: contract.EmploymentStarted) -> Sequence[Aggregate]:
        """Hire a person at a registered organisation."""
        self.require_organisation(data.org_id)
        person = self.get_or_none(person_id_of(data.person_id)) or Person(person_id=data.person_id)
        person.start_employment(
            org_id=data.org_id, position=data.position.value, started_on=data.started_on,
            pedagogical_experience_since=data.pedagogical_experience_since, birth_date=data.birth_date,
            subjects=list(data.subjects or []), education_matches_profile=data.education_matches_profile,
            latest=self.latest)
        return [person]

    def on_employment_ended(self, data: contract.EmploymentEnded) -> Sequence[Aggregate]:
        """End a person's active employment; a transfer is this plus a start elsewhere."""
        person = self.require_person(data.person_id)
        person.end_employment(data.org_id, data.ended_on, data.reason.value, self.latest)
        return [person]

    def on_position_changed(self, data: contract.PositionChanged) -> Sequence[Aggregate]:
        """Move a person to another position within an active employment."""
        person = self.require_person(data.person_id)
        person.change_position(data.org_id, data.position.value, data.changed_on, self.latest)
        return [person]

    def on_education_profile_recorded(self, data: contract.EducationProfileRecorded) -> Sequence[Aggregate]:
        """Record whether a person's education matches the subject they teach."""
        person = self.require_person(data.person_id)
        person.record_education_profile(data.matches_profile, data.recorded_on, self.latest)
        return [person]

    def on_vacancy_opened(self, data: contract.VacancyOpened) -> Sequence[Aggregate]:
        """Open a vacancy at a registered organisation, once."""
        existing = self.get_or_none(vacancy_aggregate_id(data.vacancy_id))
        if existing is not None:
            raise Conflict(f"vacancy {data.vacancy_id} was already opened on {existing.opened_on.isoformat()}",
                           "data.vacancy_id")
        self.require_organisation(data.org_id)
        return [Vacancy.open(data.vacancy_id, data.org_id, data.position.value, data.subject, data.opened_on,
                             self.latest)]

    def on_vacancy_closed(self, data: contract.VacancyClosed) -> Sequence[Aggregate]:
        """Close an open vacancy, once."""
        vacancy = self.get_or_none(vacancy_aggregate_id(data.vacancy_id))
        if vacancy is None:
            raise UnknownReference(f"vacancy {data.vacancy_id} was never opened", "data.vacancy_id")
        vacancy.close(data.closed_on, data.filled, self.latest)
        return [vacancy]

    def on_reserve_enrolled(self, data: contract.ReserveEnrolled) -> Sequence[Aggregate]:
        """Enrol a person in a municipality's managers' reserve, unless already enrolled there (one that comes
        before the municipality's first organisation waits for it: ``MUNICIPALITY``)."""
        membership = self.get_or_none(membership_id(data.person_id, data.municipality_id)) or ReserveMembership(
            person_id=data.person_id, municipality_id=data.municipality_id)
        membership.enrol(data.enrolled_on, self.latest)
        return [membership]

    def on_reserve_left(self, data: contract.ReserveLeft) -> Sequence[Aggregate]:
        """Take a person out of a municipality's reserve they are in."""
        membership = self.get_or_none(membership_id(data.person_id, data.municipality_id))
        if membership is None:
            raise Conflict(f"person {data.person_id} is not in the reserve of municipality {data.municipality_id}",
                           "data.person_id")
        membership.leave(data.left_on, data.reason.value, self.latest)
        return [membership]

    def record_details(self, person_id: str, full_name: str, phone: str | None = None,
                       email: str | None = None) -> bool:
        """Keep a known person's name and contacts in the registry (never published); False if unchanged."""
        person = self.get_or_none(person_id_of(person_id))
        if person is None:
            raise UnknownReference(f"person {person_id} has no employment in the register", "person_id")
        if not person.record_details(full_name, phone, email):
            return False
        self.save(person)
        return True

    def municipality_of(self, org_id: str) -> str | None:
        organisation = self.get_or_none(organisation_id(org_id))
        return None if organisation is None else organisation.municipality_id

    def require_organisation(self, org_id: str) -> Organisation:
        organisation = self.get_or_none(organisation_id(org_id))
        if organisation is None:
            raise UnknownReference(f"organisation {org_id} is not registered", "data.org_id")
        return organisation

    def require_person(self, person_id: str) -> Person:
        person = self.get_or_none(person_id_of(person_id))
        if person is None:
            raise UnknownReference(f"person {person_id} has no employment in the register", "data.person_id")
        return person

    # --- queries: plain data, never aggregates -----------------------------------------------------

    def organisation(self, org_id: str) -> dict | None:
        """One organisation as plain data."""
        organisation = self.get_or_none(organisation_id(org_id))
        return None if organisation is None else organisation.as_dict()

    def organisations(self, municipality_id: str | None = None) -> list[dict]:
        """The organisations of one municipality, or all."""
        directory = self.directory.catch_up()
        if municipality_id is None:
            org_ids = set(directory.municipality_of_org)
        else:
            org_ids = set(directory.orgs_by_municipality.get(municipality_id, ()))
        return [self.organisation(org_id) for org_id in sorted(org_ids)]

    def municipality(self, municipality_id: str) -> dict | None:
        """Municipality and region of a municipality, as the organisations registered there say."""
        org_ids = sorted(self.directory.catch_up().orgs_by_municipality.get(municipality_id, ()))
        if not org_ids:
            return None
        org = self.organisation(org_ids[0])
        return {k: org[k] for k in ("municipality_id", "municipality_name", "region_id", "region_name")}

    def staff(self, org_id: str, day: date) -> list[dict]:
        """The organisation's staff on ``day``: position and education profile as of then, with names."""
        rows = []
        for person_id in sorted(self.directory.catch_up().people_by_org.get(org_id, ())):
            person = self.repository.get(person_id_of(person_id))
            for employment in person.employments_on(day, org_id):
                rows.append({**employment, **self.details_of(person)})
        return sorted(rows, key=lambda r: (r["full_name"] or "", r["person_id"]))

    def person(self, person_id: str) -> dict | None:
        """A person's details, employment history (every organisation) and education findings."""
        person = self.get_or_none(person_id_of(person_id))
        if person is None:
            return None
        return {"person_id": person_id, **self.details_of(person), "employments": person.history(),
                "education": [dict(r) for r in person.education]}

    def current_staff(self, org_id: str) -> list[dict]:
        """Everyone whose employment at the organisation has not ended, with the latest position and profile."""
        rows = []
        for person_id in sorted(self.directory.catch_up().people_by_org.get(org_id, ())):
            employment = self.active_employment(person_id, org_id)
            if employment is not None:
                rows.append(employment)
        return rows

    def active_employment(self, person_id: str, org_id: str) -> dict | None:
        """The person's employment at the organisation that has not ended, as it stands now."""
        person = self.get_or_none(person_id_of(person_id))
        employment = None if person is None else person.active_at(org_id)
        if employment is None:
            return None
        return {**person.public(employment), **self.details_of(person),
                "education_matches_profile": person.matches_profile_on(date.max, employment)}

    def active_org_ids(self, person_id: str) -> list[str]:
        """Organisations where the person is employed now (for access checks)."""
        person = self.get_or_none(person_id_of(person_id))
        return [] if person is None else person.active_org_ids

    def vacancy(self, vacancy_key: str) -> dict | None:
        vacancy = self.get_or_none(vacancy_aggregate_id(vacancy_key))
        return None if vacancy is None else vacancy.as_dict()

    def open_vacancies(self, municipality_id: str, day: date) -> list[dict]:
        """Vacancies at the municipality's organisations open on ``day``."""
        directory = self.directory.catch_up()
        found = []
        for org_id in sorted(directory.orgs_by_municipality.get(municipality_id, ())):
            for key in sorted(directory.vacancies_by_org.get(org_id, ())):
                vacancy = self.repository.get(vacancy_aggregate_id(key))
                if vacancy.open_on(day):
                    found.append(vacancy.as_dict())
        return found

    def reserve(self, municipality_id: str, day: date) -> list[dict]:
        """The municipality's managers' reserve on ``day``, with names and current posts."""
        members = []
        for person_id in sorted(self.directory.catch_up().reserve_by_municipality.get(municipality_id, ())):
            period = self.repository.get(membership_id(person_id, municipality_id)).period_on(day)
            if period is None:
                continue
            person = self.get_or_none(person_id_of(person_id))
            posts = person.employments_on(day) if person else []
            members.append({"person_id": person_id, "municipality_id": municipality_id,
                            "enrolled_on": period["enrolled_on"],
                            **self.details_of(person),
                            "posts": [{"org_id": p["org_id"], "position": p["position"]} for p in posts]})
        return sorted(members, key=lambda m: (m["full_name"] or "", m["person_id"]))

    @staticmethod
    def details_of(person: Person | None) -> dict[str, Any]:
        details = person.details if person is not None else {}
        return {key: details.get(key) for key in ("full_name", "phone", "email")}
