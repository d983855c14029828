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
- The pages (dashboard, «План», «Загрузка данных», «Качество данных», the members page) ask the same
  methods: no route or page calls ``Principal.covers`` itself. What a page lists with its place already
  stated (an organisation of the read model, a row an upload recorded) is asked with ``can_read_place``.
"""

from __future__ import annotations

from collections.abc import Callable

from pedgrowth.contracts import EventData
from pedgrowth.contracts.scope import Scope
from pedgrowth.kit.access import reads_persons
from pedgrowth.kit.auth import Principal, Role
from pedgrowth.kit.service import scope_of_fields
from pedgrowth.kit.waiting import Reference

from .application import PLAN, RECOMMENDATION, IndicatorsApplication

Placement = dict[str, str | None]
"""Where a scope or an organisation lies: org_id, municipality_id, region_id (None when unknown)."""


class Access:
    """Indicators' access rules; where things lie comes from the read model's registry facts (``placement``)."""

    def __init__(self, app: IndicatorsApplication, placement: Callable[[Scope], Placement]):
        self.app = app
        self.placement = placement

    def authorize_write(self, principal: Principal, data: EventData) -> str | None:
        """Plan facts and reported values: admins, and municipal operators for their own municipality's plans.

        A fact about a plan or a recommendation (``target_set``, ``baseline_set``, ``measure_completed``,
        ``recommendation_completed``) is checked against the municipality that plan or recommendation belongs
        to. One not adopted or issued yet would wait for it (SPEC §2) and be recorded into whichever
        municipality adopts that id, so an operator's fact must then name its municipality
        (``data.municipality_id``, checked here; the rules refuse it if the plan turns out to be another's)."""
        if principal.is_admin:
            return None
        if principal.role is not Role.MUNICIPAL_OPERATOR:
            return f"role {principal.role.value} may not write plans or reported values"
        reason = scope_of_fields(principal, data) or self.school_elsewhere(principal, data)
        if reason:
            return reason
        about = self.plan_or_recommendation(data)
        if about is None:
            return None  # the fact names its municipality itself (a plan, the cycle's facts, a reported value)
        reference, owner = about
        field = reference.field(data.type_suffix)
        key = getattr(data, field.removeprefix("data."))
        if owner is not None:
            return None if owner == principal.municipality_id else f"{field}: {key} belongs to municipality {owner}"
        if getattr(data, "municipality_id", None) is None:
            return (f"{field}: {reference.missing(key)}, so whose it is cannot be checked: name your municipality "
                    "in data.municipality_id (the fact then waits for it) or send this after it")
        return None

    def school_elsewhere(self, principal: Principal, data: EventData) -> str | None:
        """A school a fact names (a measure done by it, a recommendation to it) lies in the operator's municipality,
        as far as the registered organisations say (one not registered yet is not held against the caller)."""
        org_id = getattr(data, "org_id", None)
        where = self.municipality_of(org_id)
        if where is not None and where != principal.municipality_id:
            return f"data.org_id: {org_id} lies in municipality {where}, not the caller's"
        return None

    def plan_or_recommendation(self, data: EventData) -> tuple[Reference, str | None] | None:
        """For a fact naming a plan or a recommendation by id: which of the two, and the municipality it belongs to
        (None while not adopted or issued). None for any other fact."""
        suffix = data.type_suffix
        if suffix in PLAN.waits:
            return PLAN, self.app.plan_municipality(data.plan_id)
        if suffix in RECOMMENDATION.waits:
            return RECOMMENDATION, self.app.recommendation_municipality(data.recommendation_id)
        return None

    def can_read_org(self, principal: Principal, org_id: str) -> bool:
        """Whether the organisation is within the caller's scope."""
        return self.can_read_scope(principal, Scope("organization", org_id))

    def can_read_scope(self, principal: Principal, scope: Scope) -> bool:
        """Whether an organisation, a municipality or a region is within the caller's scope (where it lies as
        the registered organisations say; what is not known yet is not held against the caller)."""
        return self.can_read_place(principal, self.placement(scope))

    @staticmethod
    def can_read_place(principal: Principal, place: Placement) -> bool:
        """Whether something whose place is already stated (org_id, municipality_id, region_id; a missing one is
        unknown) is within the caller's scope: an organisation row of the read model, a row an upload recorded."""
        return principal.covers(**place)

    @staticmethod
    def can_read_members(principal: Principal) -> bool:
        """Whether the caller sees the persons of a scope's list at all; the scope is ``can_read_scope``'s."""
        return reads_persons(principal)

    def can_read_plans(self, principal: Principal, municipality_id: str) -> bool:
        """A municipality's plans and cycle: its operators and schools, its region's analysts, admins."""
        if principal.role is Role.SCHOOL_SYSTEM:
            own = principal.municipality_id or self.municipality_of(principal.org_id)
            return own is not None and own == municipality_id
        return self.can_read_scope(principal, Scope("municipality", municipality_id))

    @staticmethod
    def recommendations_of(principal: Principal) -> str | None:
        """The school whose recommendations (its own and those to every school) alone the caller reads, when the
        caller is a school system; None: every recommendation of a plan the caller reads."""
        return principal.org_id if principal.role is Role.SCHOOL_SYSTEM else None

    def municipality_of(self, org_id: str | None) -> str | None:
        """The organisation's municipality, as the registered organisations place it; None when unknown."""
        return None if org_id is None else self.placement(Scope("organization", org_id)).get("municipality_id")

    @staticmethod
    def can_write_plans(principal: Principal, municipality_id: str | None) -> bool:
        """Whether the pages offer the caller the forms of a municipality's plans and cycle: admins and the
        municipality's operators (each fact the forms send is still judged by ``authorize_write``)."""
        if principal.is_admin:
            return True
        return principal.role is Role.MUNICIPAL_OPERATOR and principal.municipality_id == municipality_id
