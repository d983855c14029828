"""Who may write and read what in the registry: a school its own organisation, an operator its municipality.

The kit's default check looks at the event's own fields; the registry knows more
(each organisation's municipality, where a person works, which organisation a
vacancy belongs to), so it answers for events that do not name their organisation.
"""

from __future__ import annotations

from collections.abc import Callable

from pedgrowth.contracts import EventData
from pedgrowth.kit.auth import Principal, Role

from .application import RegistryApplication

MUNICIPAL_EVENTS = {"reserve_enrolled", "reserve_left", "organization_registered"}


def write_check(app: RegistryApplication) -> Callable[[Principal, EventData], str | None]:
    """The ``authorize_write`` the kit calls before recording an event sent over HTTP."""

    def authorize_write(principal: Principal, data: EventData) -> str | None:
        if principal.is_admin:
            return None
        if not principal.can_write:
            return f"role {principal.role.value} is read-only"
        if data.type_suffix in MUNICIPAL_EVENTS:
            return municipal_write(principal, data)
        org_ids = orgs_of(app, data)
        if org_ids is None:
            return None  # nothing to check against: the rules reject the unknown reference itself
        if any(covers_org(app, principal, org_id) for org_id in org_ids):
            return None
        scope = scope_word(principal)
        if not org_ids:
            return f"data.person_id: {data.subject_id} has no active employment within the caller's {scope}"
        return f"data.org_id: {', '.join(org_ids)} is not within the caller's {scope}"

    return authorize_write


def municipal_write(principal: Principal, data: EventData) -> str | None:
    """Organisations and the reserve are kept by the municipality's operators."""
    if principal.role is not Role.MUNICIPAL_OPERATOR:
        return f"{data.type_suffix}: recorded by municipal operators, not by role {principal.role.value}"
    if data.municipality_id != principal.municipality_id:
        return f"data.municipality_id: {data.municipality_id} is not the caller's municipality"
    return None


def orgs_of(app: RegistryApplication, data: EventData) -> list[str] | None:
    """The organisations an event concerns; None when the registry cannot tell (unknown vacancy)."""
    if getattr(data, "org_id", None):
        return [data.org_id]
    if data.type_suffix == "vacancy_closed":
        vacancy = app.vacancy(data.vacancy_id)
        return None if vacancy is None else [vacancy["org_id"]]
    if data.type_suffix == "education_profile_recorded":
        return app.active_org_ids(data.person_id)
    return None


def covers_org(app: RegistryApplication, principal: Principal, org_id: str) -> bool:
    """Whether the organisation is within the caller's scope (the registry knows its municipality)."""
    if principal.role is Role.SCHOOL_SYSTEM:
        return org_id == principal.org_id
    org = app.organisation(org_id)
    if org is None:
        # an unregistered organisation is no one's: the rules reject it with the reason
        return principal.role is Role.MUNICIPAL_OPERATOR or principal.is_admin
    return principal.covers(org["org_id"], org["municipality_id"], org["region_id"])


def can_read_org(principal: Principal, org: dict) -> bool:
    """A school reads its own organisation; operators and analysts those of their municipality / region."""
    return principal.covers(org["org_id"], org["municipality_id"], org["region_id"])


def can_read_municipality(principal: Principal, place: dict) -> bool:
    """Municipality-wide lists (vacancies, reserve) are for its operators, the region's analysts and admins."""
    if principal.role is Role.SCHOOL_SYSTEM:
        return False
    return principal.covers(None, place["municipality_id"], place["region_id"])


def scope_word(principal: Principal) -> str:
    return {Role.SCHOOL_SYSTEM: "organisation", Role.MUNICIPAL_OPERATOR: "municipality"}.get(
        principal.role, "scope")
