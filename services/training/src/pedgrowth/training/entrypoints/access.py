"""Who may read and write what in training (SPEC §6), decided in one place.

- Every route needs a token. The catalogue (providers, programmes) is readable by every role.
- Person-level data (a transcript, the list of expiring categories) only for admin,
  municipal_operator and school_system, and only for people who work (or worked) in the
  caller's municipality / organisation as far as the registry's events have told training.
  A regional analyst sees aggregates only (the provider report of municipalities in its region).
- Writing the catalogue (provider_registered, program_published) and importing files is for
  admin and municipal_operator (the methodical centre); person facts may come from any writer.
"""

from __future__ import annotations

from pedgrowth.contracts import EventData
from pedgrowth.kit.auth import CurrentPrincipal, Principal, Role, forbid
from pedgrowth.kit.service import scope_of_fields

from ..adapters.workplaces import Place, Scope, Workplaces

PERSON_LEVEL_ROLES = frozenset({Role.ADMIN, Role.MUNICIPAL_OPERATOR, Role.SCHOOL_SYSTEM})
CATALOGUE_EDITORS = frozenset({Role.ADMIN, Role.MUNICIPAL_OPERATOR})
CATALOGUE_EVENTS = frozenset({"provider_registered", "program_published"})
OWN_SCOPE = {Role.SCHOOL_SYSTEM: "organization", Role.MUNICIPAL_OPERATOR: "municipality",
             Role.REGIONAL_ANALYST: "region"}


def authorize_write(principal: Principal, data: EventData) -> str | None:
    """The write check of POST /api/v1/events: the kit's scope check, and catalogue edits for editors."""
    reason = scope_of_fields(principal, data)
    if reason is None and data.type_suffix in CATALOGUE_EVENTS and principal.role not in CATALOGUE_EDITORS:
        reason = f"role {principal.role.value} may not change the programme catalogue"
    return reason


def require_importer(principal: CurrentPrincipal) -> Principal:
    """Callers that may upload import files."""
    if principal.role not in CATALOGUE_EDITORS:
        raise forbid(f"role {principal.role.value} may not import files")
    return principal


def require_person_level(principal: Principal) -> None:
    if principal.role not in PERSON_LEVEL_ROLES:
        raise forbid(f"role {principal.role.value} may not read person-level data")


def covers_place(principal: Principal, place: Place) -> bool:
    return principal.covers(org_id=place.org_id, municipality_id=place.municipality_id, region_id=place.region_id)


def check_person(principal: Principal, person_id: str, workplaces: Workplaces) -> None:
    """403 unless the caller may see this person's record."""
    require_person_level(principal)
    if principal.is_admin:
        return
    if not any(covers_place(principal, p) for p in workplaces.places_of(person_id)):
        raise forbid(f"person {person_id} does not work within the caller's scope as far as training knows")


def resolve_scope(principal: Principal, text: str | None, workplaces: Workplaces) -> Scope | None:
    """The scope asked for (default: the caller's own; admin: everything), or 403 if it is not the caller's."""
    if text is None:
        if principal.is_admin:
            return None
        kind = OWN_SCOPE[principal.role]
        return Scope(kind, getattr(principal, {"organization": "org_id"}.get(kind, f"{kind}_id")))
    scope = Scope.parse(text)
    if not principal.covers(**scope_attributes(scope, workplaces)):
        raise forbid(f"scope {scope} is not within the caller's scope")
    return scope


def scope_attributes(scope: Scope, workplaces: Workplaces) -> dict[str, str | None]:
    """The org / municipality / region a scope lies in, completed from the workplaces index."""
    if scope.kind == "organization":
        place = workplaces.place(scope.id)
        return {"org_id": place.org_id, "municipality_id": place.municipality_id, "region_id": place.region_id}
    if scope.kind == "municipality":
        return {"municipality_id": scope.id, "region_id": workplaces.municipality_region(scope.id)}
    return {"region_id": scope.id}
