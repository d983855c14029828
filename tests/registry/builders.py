"""Registry facts for tests: valid by default, any field overridable."""

from __future__ import annotations

import uuid
from datetime import date

from pedgrowth.contracts import Fact, new_event
from pedgrowth.contracts import registry as c
from pedgrowth.registry.application import RegistryApplication

TODAY = date(2024, 9, 2)
IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def new_app(env: dict | None = None, today: date = TODAY) -> RegistryApplication:
    return RegistryApplication(env={**IN_MEMORY, **(env or {})}, today=lambda: today)


def fact(data, source: str = "/school/sch-1/hr", id: str | None = None) -> Fact:
    return Fact(envelope=new_event(data, source=source, id=id or str(uuid.uuid4())), data=data)


def record(app: RegistryApplication, data, **kw):
    return app.record(fact(data, **kw))


def org(org_id="sch-1", municipality_id="mun-1", region_id="reg-1", **kw):
    fields = dict(org_id=org_id, name=f"МБОУ СОШ {org_id}", kind="school", municipality_id=municipality_id,
                  municipality_name=f"Муниципалитет {municipality_id}", region_id=region_id,
                  region_name=f"Регион {region_id}")
    return c.OrganizationRegistered(**{**fields, **kw})


def hire(person_id="p-1", org_id="sch-1", started_on="2021-09-01", **kw):
    fields = dict(person_id=person_id, org_id=org_id, position="teacher", started_on=started_on,
                  pedagogical_experience_since=started_on)
    return c.EmploymentStarted(**{**fields, **kw})


def end(person_id="p-1", org_id="sch-1", ended_on="2024-06-30", reason="resignation"):
    return c.EmploymentEnded(person_id=person_id, org_id=org_id, ended_on=ended_on, reason=reason)


def move(person_id="p-1", org_id="sch-1", position="leading_teacher", changed_on="2023-09-01"):
    return c.PositionChanged(person_id=person_id, org_id=org_id, position=position, changed_on=changed_on)


def profile(person_id="p-1", matches_profile=True, recorded_on="2023-01-15"):
    return c.EducationProfileRecorded(person_id=person_id, matches_profile=matches_profile, recorded_on=recorded_on)


def vacancy(vacancy_id="vac-1", org_id="sch-1", opened_on="2024-05-20", **kw):
    return c.VacancyOpened(vacancy_id=vacancy_id, org_id=org_id, position="teacher", opened_on=opened_on, **kw)


def close(vacancy_id="vac-1", closed_on="2024-08-26", filled=True):
    return c.VacancyClosed(vacancy_id=vacancy_id, closed_on=closed_on, filled=filled)


def enrol(person_id="p-4", municipality_id="mun-1", enrolled_on="2022-03-01"):
    return c.ReserveEnrolled(person_id=person_id, municipality_id=municipality_id, enrolled_on=enrolled_on)


def leave(person_id="p-4", municipality_id="mun-1", left_on="2024-08-15", reason="appointed"):
    return c.ReserveLeft(person_id=person_id, municipality_id=municipality_id, left_on=left_on, reason=reason)


def with_school(app: RegistryApplication, *org_ids: str) -> RegistryApplication:
    for org_id in org_ids or ("sch-1",):
        record(app, org(org_id))
    return app
