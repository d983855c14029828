"""Who may write and read what in the registry (SPEC §6; docs/registry.md, "Access"), decided in one place.

The same shape in every service (`<service>/access.py`, class ``Access``): ``authorize_write``,
``can_read_person``, ``can_read_org``; the person-following rules are the kit's
(pedgrowth.kit.access), over the registry's own store. The registry knows more than the
event says (each organisation's municipality, where a person works, which organisation a
vacancy belongs to), so it answers for events that do not name their organisation.
"""

from __future__ import annotations

from pedgrowth.contracts import EventData
from pedgrowth.kit.access import Employment, PersonAccess, Place, fact_day, scope_word
from pedgrowth.kit.auth import Principal, Role

from .application import RegistryApplication
from .domain.person import person_id_of

MUNICIPAL_EVENTS = {"reserve_enrolled", "reserve_left", "organization_registered"}


class Staff:
    """The registry's store as the kit's ``Workforce``: every employment of a person, and where an organisation is."""

    def __init__(self, app: RegistryApplication):
        self.app = app

    def employments(self, person_id: str) -> list[Employment]:
        person = self.app.get_or_none(person_id_of(person_id))
        if person is None:
            return []
        return [Employment(e["org_id"], e["started_on"], e["ended_on"]) for e in person.employments]

    def place(self, org_id: str) -> Place | None:
        org = self.app.organisation(org_id)
        return None if org is None else Place(org["org_id"], org["municipality_id"], org["region_id"])


class Access:
    """The registry's access rules over its own store."""

    def __init__(self, app: RegistryApplication):
        self.app = app
        self.staff = Staff(app)
        self.persons = PersonAccess(self.staff, app.today)

    def authorize_write(self, principal: Principal, data: EventData) -> str | None:
        """The write check of POST /api/v1/events, POST /organisations and every imported fact; None when allowed."""
        if principal.is_admin:
            return None
        if not principal.can_write:
            return f"role {principal.role.value} is read-only"
        if data.type_suffix in MUNICIPAL_EVENTS:
            return self.municipal_write(principal, data)
        org_ids = self.orgs_of(data)
        if org_ids is None:  # a closing of a vacancy the registry has not heard of: it would wait for the opening
            return (f"data.vacancy_id: vacancy {getattr(data, 'vacancy_id', None)} is not known to the registry, so "
                    "its organisation cannot be checked; send its opening first")
        if not any(self.may_write_at(principal, org_id) for org_id in org_ids):
            if not org_ids:
                return (f"data.person_id: {data.subject_id} has no active employment within the caller's "
                        f"{scope_word(principal)}")
            return f"data.org_id: {', '.join(org_ids)} is not within the caller's {scope_word(principal)}"
        if data.type_suffix == "employment_started":
            return self.persons.may_hire(principal, data.person_id, data.org_id)
        return None

    def municipal_write(self, principal: Principal, data: EventData) -> str | None:
        """Organisations and the reserve are kept by the municipality's operators.

        A person enrolled in the reserve is one the registry never saw, or one employed
        within the operator's municipality on the day or now (the reserve list shows names).
        """
        if principal.role is not Role.MUNICIPAL_OPERATOR:
            return f"{data.type_suffix}: recorded by municipal operators, not by role {principal.role.value}"
        if data.municipality_id != principal.municipality_id:
            return f"data.municipality_id: {data.municipality_id} is not the caller's municipality"
        if data.type_suffix == "reserve_enrolled" and self.staff.employments(data.person_id):
            return self.persons.may_state(principal, data.person_id, fact_day(data), "data.person_id")
        return None

    def orgs_of(self, data: EventData) -> list[str] | None:
        """The organisations an event concerns; None when the registry cannot tell (a vacancy not known yet)."""
        if getattr(data, "org_id", None):
            return [data.org_id]
        if data.type_suffix == "vacancy_closed":
            vacancy = self.app.vacancy(data.vacancy_id)
            return None if vacancy is None else [vacancy["org_id"]]
        if data.type_suffix == "education_profile_recorded":
            return self.app.active_org_ids(data.person_id)
        return None

    def may_write_at(self, principal: Principal, org_id: str) -> bool:
        """Whether the caller writes for the organisation; an unregistered one is left to the rules (they name it)."""
        if principal.role is Role.SCHOOL_SYSTEM:
            return org_id == principal.org_id
        if self.staff.place(org_id) is None:
            return principal.role is Role.MUNICIPAL_OPERATOR
        return self.can_read_org(principal, org_id)

    def can_read_org(self, principal: Principal, org_id: str) -> bool:
        """A school its own organisation; operators and analysts those of their municipality / region."""
        return self.persons.can_read_org(principal, org_id)

    def can_read_person(self, principal: Principal, person_id: str) -> bool:
        """Admins; operators and schools while the person is employed within their scope now."""
        return self.persons.can_read_person(principal, person_id)


def can_read_org_record(principal: Principal, org: dict) -> bool:
    """``Access.can_read_org`` for an organisation already read (its municipality and region at hand)."""
    return principal.covers(org["org_id"], org["municipality_id"], org["region_id"])


def can_read_municipality(principal: Principal, place: dict) -> bool:
    """Municipality-wide lists (vacancies; the reserve for person readers) are for its operators,
    the region's analysts and admins."""
    if principal.role is Role.SCHOOL_SYSTEM:
        return False
    return principal.covers(None, place["municipality_id"], place["region_id"])
