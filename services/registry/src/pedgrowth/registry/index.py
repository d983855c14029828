"""A small in-process index of who belongs where, kept by following the notification log.

Aggregates answer "what is true of this person / vacancy"; the index answers "which
persons, vacancies and organisations are there" for one organisation or municipality.
It holds ids only (no personal data), starts empty and catches up before each read,
so it is rebuilt from the store whenever the process starts.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from eventsourcing.application import Application
from eventsourcing.utils import get_topic
from pedgrowth.kit.logfollower import LogFollower

from .domain.organisation import Organisation
from .domain.person import Person
from .domain.reserve import ReserveMembership
from .domain.vacancy import Vacancy

class Directory:
    """Ids by organisation and municipality, from the registry's own notification log."""

    def __init__(self, app: Application):
        self.lock = threading.Lock()
        self.orgs_by_municipality: dict[str, set[str]] = defaultdict(set)
        self.municipality_of_org: dict[str, str] = {}
        self.people_by_org: dict[str, set[str]] = defaultdict(set)
        self.vacancies_by_org: dict[str, set[str]] = defaultdict(set)
        self.reserve_by_municipality: dict[str, set[str]] = defaultdict(set)
        self.log = LogFollower(app, {
            get_topic(Organisation.Registered): self.organisation_registered,
            get_topic(Person.EmploymentStarted): self.employment_started,
            get_topic(Vacancy.Opened): self.vacancy_opened,
            get_topic(ReserveMembership.Opened): self.reserve_opened,
        })

    def catch_up(self) -> Directory:
        """Apply what was recorded since the last read; returns self for chaining."""
        with self.lock:
            self.log.catch_up()
            return self

    def organisation_registered(self, e) -> None:
        self.orgs_by_municipality[e.municipality_id].add(e.org_id)
        self.municipality_of_org[e.org_id] = e.municipality_id

    def employment_started(self, e) -> None:
        self.people_by_org[e.org_id].add(e.person_id)

    def vacancy_opened(self, e) -> None:
        self.vacancies_by_org[e.org_id].add(e.vacancy_id)

    def reserve_opened(self, e) -> None:
        self.reserve_by_municipality[e.municipality_id].add(e.person_id)
