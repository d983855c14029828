"""Who may write and read what in indicators (SPEC §6; docs/indicators.md, "Access"), decided in one place.

The same shape in every service (`<service>/access.py`, class ``Access``): ``authorize_write``,
``can_read_person``, ``can_read_org``; the analysts' rule is the kit's (pedgrowth.kit.access).
The one difference, on purpose: indicators keeps no person record and answers no question about one
person, so there is no ``can_read_person(principal, person_id)`` to ask. The persons it names are the
members of a scope's list of a day; such a list is read by a role that sees persons
(``can_read_members``) for a scope it covers (``can_read_scope``, which ``can_read_org`` is for one
organisation), the way the other services check their lists of a day.

- Values, series, the report and the scope tree: every role within its scope (a school its
  organisation, an operator its municipality, an analyst its region); where a scope lies is
  taken from `organization_registered`.
- The members of an indicator (person ids) are person-level: admins, operators and school
  systems within their scope; regional analysts get aggregates only. Indicators keeps no
  person record of its own: a member list is a list of the day (the persons in the scope then).
- Plans and the yearly cycle (recommendations, decisions, reviews, monitoring submissions): written by
  admins and by a municipality's operators for their own municipality; read by the municipality's
  operators, its region's analysts and admins; a school reads its municipality's plan and cycle and the
  recommendations addressed to it (or to every school), never another school's.
"""

from __future__ import annotations

from collections.abc import Callable

from pedgrowth.contracts import EventData
from pedgrowth.contracts.scope import Scope
from pedgrowth.kit.access import reads_persons
from pedgrowth.kit.auth import Principal, Role
from pedgrowth.kit.service import scope_of_fields

from .application import IndicatorsApplication

Placement = dict[str, str | None]
"""Where a scope or an organisation lies: org_id, municipality_id, region_id (None when unknown)."""


class Access:
    """Indicators' access rules; where things lie comes from the read model's registry facts (``placement``)."""

    def __init__(self, app: IndicatorsApplication, placement: Callable[[Scope], Placement]):
        self.app = app
        self.placement = placement

    def authorize_write(self, principal: Principal, data: EventData) -> str | None:
        """Plan facts and reported values: admins, and municipal operators for their own municipality's plans."""
        if principal.is_admin:
            return None
        if principal.role is not Role.MUNICIPAL_OPERATOR:
            return f"role {principal.role.value} may not write plans or reported values"
        reason = scope_of_fields(principal, data)
        if reason or getattr(data, "municipality_id", None) is not None:
            return reason
        if hasattr(data, "plan_id"):
            owner, field = self.app.plan_municipality(data.plan_id), "plan_id"
        else:  # recommendation_completed names only its recommendation
            owner, field = self.app.recommendation_municipality(data.recommendation_id), "recommendation_id"
        if owner is not None and owner != principal.municipality_id:
            return f"data.{field}: {getattr(data, field)} belongs to municipality {owner}"
        return None

    def can_read_org(self, principal: Principal, org_id: str) -> bool:
        """Whether the organisation is within the caller's scope."""
        return self.can_read_scope(principal, Scope("organization", org_id))

    def can_read_scope(self, principal: Principal, scope: Scope) -> bool:
        """Whether an organisation, a municipality or a region is within the caller's scope (where it lies as
        the registered organisations say; what is not known yet is not held against the caller)."""
        return principal.covers(**self.placement(scope))

    @staticmethod
    def can_read_members(principal: Principal) -> bool:
        """Whether the caller sees the persons of a scope's list at all; the scope is ``can_read_scope``'s."""
        return reads_persons(principal)

    @staticmethod
    def can_read_plans(principal: Principal, municipality_id: str, region_id: str | None,
                       own_municipality: str | None) -> bool:
        """A municipality's plans: its operators and schools (``own_municipality``), its region's analysts, admins."""
        if principal.role is Role.SCHOOL_SYSTEM:
            return own_municipality is not None and own_municipality == municipality_id
        return principal.covers(municipality_id=municipality_id, region_id=region_id)
