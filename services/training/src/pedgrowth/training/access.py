"""Who may read and write what in training (SPEC §6; docs/training.md, "Access"), decided in one place.

The same shape in every service (`<service>/access.py`, class ``Access``): ``authorize_write``,
``can_read_person``, ``can_read_org``; the person-following rules themselves are the kit's
(pedgrowth.kit.access), over what `registry.events` told training (the workplaces index).

- Every route needs a token. The catalogue (providers, programmes) is readable by every role;
  writing it (provider_registered, program_published) and importing files is for admins and
  municipal operators (the methodical centre).
- A person fact (a course, diagnostics, a route, attestation, a competition, an independent
  assessment) is written by admins, or by a school system / municipal operator for a person
  employed at an organisation within its scope on the fact's day or now.
- A PD request is written like a person fact about its teacher; its being met (pd_request_met, which
  names only the request) about the teacher of the request as training has it. A met for a request
  training does not know yet is for admins only over HTTP (the teacher cannot be checked); on
  training.inbox it waits for the request like other facts before their reference.
- Person-level data (a transcript, the expiring categories) is for admins, and for operators
  and school systems about persons currently employed within their scope; a regional analyst
  sees aggregates only (the provider report of its region's municipalities).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pedgrowth.contracts import EventData
from pedgrowth.contracts import training as contract
from pedgrowth.kit.access import PersonAccess, fact_day, require_person_reader
from pedgrowth.kit.auth import CurrentPrincipal, Principal, Role, forbid
from pedgrowth.kit.service import scope_of_fields

from .adapters.workplaces import Scope, Workplaces

CATALOGUE_EDITORS = frozenset({Role.ADMIN, Role.MUNICIPAL_OPERATOR})
CATALOGUE_EVENTS = frozenset({"provider_registered", "program_published"})
OWN_SCOPE = {Role.SCHOOL_SYSTEM: ("organization", "org_id"),
             Role.MUNICIPAL_OPERATOR: ("municipality", "municipality_id"),
             Role.REGIONAL_ANALYST: ("region", "region_id")}


def require_importer(principal: CurrentPrincipal) -> Principal:
    """Callers that may upload import files (each row is then checked like a posted event)."""
    if principal.role not in CATALOGUE_EDITORS:
        raise forbid(f"role {principal.role.value} may not import files")
    return principal


class Access:
    """Training's access rules over its workplaces index."""

    def __init__(self, workplaces: Workplaces, today: Callable[[], date] = date.today,
                 request_person: Callable[[str], str | None] = lambda request_id: None):
        self.workplaces = workplaces
        self.persons = PersonAccess(workplaces, today)
        self.request_person = request_person

    def authorize_write(self, principal: Principal, data: EventData) -> str | None:
        """The write check of POST /api/v1/events and of every imported row; None when allowed."""
        if principal.is_admin:
            return None
        if not principal.can_write:
            return f"role {principal.role.value} is read-only"
        if data.type_suffix in CATALOGUE_EVENTS:
            if principal.role not in CATALOGUE_EDITORS:
                return f"role {principal.role.value} may not change the programme catalogue"
            return scope_of_fields(principal, data)
        if isinstance(data, contract.PdRequestMet):
            return self.request_met_check(principal, data)
        person_id = getattr(data, "person_id", None)
        if person_id is None:
            return scope_of_fields(principal, data)
        return self.persons.may_state(principal, person_id, fact_day(data), "data.person_id")

    def request_met_check(self, principal: Principal, data: contract.PdRequestMet) -> str | None:
        """A request is met by a writer of its teacher, on the day it is met or now."""
        person_id = self.request_person(data.request_id)
        if person_id is None:
            return (f"data.request_id: PD request {data.request_id} is not known to training, so its teacher "
                    "cannot be checked; send the request first")
        return self.persons.may_state(principal, person_id, data.met_on, "data.request_id")

    def can_read_person(self, principal: Principal, person_id: str) -> bool:
        return self.persons.can_read_person(principal, person_id)

    def can_read_org(self, principal: Principal, org_id: str) -> bool:
        return self.persons.can_read_org(principal, org_id)

    def check_person(self, principal: Principal, person_id: str) -> None:
        """403 unless the caller may see this person's record now."""
        require_person_reader(principal)
        if not self.can_read_person(principal, person_id):
            raise forbid(f"person {person_id} is not currently employed within the caller's scope "
                         "as far as the registry has told training")

    def resolve_scope(self, principal: Principal, text: str | None) -> Scope | None:
        """The scope asked for (default: the caller's own; admin: everything), or 403 if it is not the caller's."""
        if text is None:
            if principal.is_admin:
                return None
            kind, attribute = OWN_SCOPE[principal.role]
            return Scope(kind, getattr(principal, attribute))
        scope = Scope.parse(text)
        if not principal.covers(**self.scope_attributes(scope)):
            raise forbid(f"scope {scope} is not within the caller's scope")
        return scope

    def scope_attributes(self, scope: Scope) -> dict[str, str | None]:
        """The org / municipality / region a scope lies in, completed from the workplaces index."""
        if scope.kind == "organization":
            place = self.workplaces.place(scope.id)
            return {"org_id": place.org_id, "municipality_id": place.municipality_id, "region_id": place.region_id}
        if scope.kind == "municipality":
            return {"municipality_id": scope.id, "region_id": self.workplaces.municipality_region(scope.id)}
        return {"region_id": scope.id}
