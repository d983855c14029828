"""Who may write and read what in mentoring (SPEC §6; docs/mentoring.md, "Access"), decided in one place.

The same shape in every service (`<service>/access.py`, class ``Access``): ``authorize_write``,
``can_read_person``, ``can_read_org``; the person-following rules are the kit's
(pedgrowth.kit.access), over what `registry.events` told mentoring (the directory).

- A fact is written by admins, or by a school system / municipal operator for the persons it
  names, each employed within its scope on the fact's day or now: the person of a staff
  mentor, both the mentee and the mentor's person of a pair, the member, the attendee. An
  enterprise mentor (no person_id) is no one's staff: any writer may register one, and a pair
  with one is checked on its mentee. A pair is ended by a writer of the mentee's or the
  mentor's side. Expert roles and project enrolments are facts about their person.
- A school's mentoring curator (curator_appointed / curator_released) is written for an
  organisation within the writer's scope (a school system: its own), about a person employed
  within that scope on the day or now.
- The methodical asset is the municipality's: written by admins and the municipal operators of
  that municipality (municipality_id), about persons employed within it; not by school systems.
- Person lists and records (bases, a person's history, member and attendance lists) are for
  admins, operators and school systems; regional analysts get aggregates only (the counts
  of /communities and /support-events).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pedgrowth.contracts import EventData
from pedgrowth.contracts import mentoring as contract
from pedgrowth.kit.access import PersonAccess, fact_day
from pedgrowth.kit.auth import Principal, Role, forbid

from .adapters.directory import Directory, Scope
from .application import MentoringApplication
from .domain.mentor import mentor_key
from .domain.pair import pair_key

OWN_SCOPE = {Role.SCHOOL_SYSTEM: ("organization", "org_id"),
             Role.MUNICIPAL_OPERATOR: ("municipality", "municipality_id"),
             Role.REGIONAL_ANALYST: ("region", "region_id")}


class Access:
    """Mentoring's access rules over its directory of the registry's facts."""

    def __init__(self, directory: Directory, app: MentoringApplication, today: Callable[[], date] = date.today):
        self.directory = directory
        self.app = app
        self.persons = PersonAccess(directory, today)

    def authorize_write(self, principal: Principal, data: EventData) -> str | None:
        """The write check of POST /api/v1/events and of every imported row; None when allowed."""
        if principal.is_admin:
            return None
        if not principal.can_write:
            return f"role {principal.role.value} is read-only"
        day = fact_day(data)
        if isinstance(data, contract.PairAssigned):
            return (self.persons.may_state(principal, data.mentee_person_id, day, "data.mentee_person_id")
                    or self.mentor_check(principal, data.mentor_id, day))
        if isinstance(data, contract.PairEnded):
            return self.pair_end_check(principal, data, day)
        if isinstance(data, (contract.CuratorAppointed, contract.CuratorReleased)):
            if not self.can_read_org(principal, data.org_id):
                return f"data.org_id: organisation {data.org_id} is not within the caller's scope"
        if isinstance(data, (contract.AssetJoined, contract.AssetLeft)):
            if principal.role is not Role.MUNICIPAL_OPERATOR:
                return (f"role {principal.role.value} may not change the methodical asset of a municipality: "
                        "its municipal operator keeps it")
            if data.municipality_id != principal.municipality_id:
                return f"data.municipality_id: {data.municipality_id} is not the caller's municipality"
        person_id = getattr(data, "person_id", None)
        if person_id is None:
            return None  # an enterprise mentor: no one's staff
        return self.persons.may_state(principal, person_id, day, "data.person_id")

    def mentor_check(self, principal: Principal, mentor_id: str, day: date | None) -> str | None:
        """The mentor's person must be the writer's too; an enterprise or unknown mentor is left to the rules."""
        mentor = self.app.get_or_none(mentor_key(mentor_id))  # not the read model: its lock may be held long
        if mentor is None or mentor.person_id is None:
            return None
        return self.persons.may_state(principal, mentor.person_id, day, "data.mentor_id")

    def pair_end_check(self, principal: Principal, data: contract.PairEnded, day: date | None) -> str | None:
        pair = self.app.get_or_none(pair_key(data.pair_id))
        if pair is None:  # it would wait for its assignment, whose people cannot be checked now
            return (f"data.pair_id: pair {data.pair_id} is not known to mentoring, so its mentee and mentor cannot "
                    "be checked; send its assignment first")
        if self.persons.may_state(principal, pair.mentee_person_id, day, "data.pair_id") is None:
            return None
        if self.mentor_check(principal, pair.mentor_id, day) is None and self.has_person(pair.mentor_id):
            return None
        return (f"data.pair_id: neither the mentee {pair.mentee_person_id} nor the mentor {pair.mentor_id} "
                "is employed where the caller may write")

    def has_person(self, mentor_id: str) -> bool:
        mentor = self.app.get_or_none(mentor_key(mentor_id))
        return mentor is not None and mentor.person_id is not None

    def can_read_person(self, principal: Principal, person_id: str) -> bool:
        """A person's history: admins; operators and schools while the person works within their scope now."""
        return self.persons.can_read_person(principal, person_id)

    def can_read_person_on(self, principal: Principal, person_id: str, day: date) -> bool:
        """A row of a list of the day: the person worked within the caller's scope on that day."""
        return self.persons.can_read_person_on(principal, person_id, day)

    def counts_on(self, principal: Principal, person_id: str, day: date) -> bool:
        """Whether the person counts in the caller's aggregates of the day (analysts included)."""
        if principal.is_admin:
            return True
        return any(e.active_on(day) for e in self.persons.covered(principal, self.directory.employments(person_id)))

    def can_read_org(self, principal: Principal, org_id: str) -> bool:
        return self.persons.can_read_org(principal, org_id)

    def resolve_scope(self, principal: Principal, text: str | None) -> Scope:
        """The scope asked for (or the caller's own), 403 when the caller may not read it; ValueError when bad."""
        if text is None:
            if principal.role not in OWN_SCOPE:
                raise ValueError("scope is required (organization:<id>, municipality:<id> or region:<id>)")
            kind, attribute = OWN_SCOPE[principal.role]
            return Scope(kind, getattr(principal, attribute))
        scope = Scope.parse(text)
        if not self.can_read_scope(principal, scope):
            raise forbid(f"scope {scope} is outside the caller's {principal.role.value} scope")
        return scope

    def can_read_scope(self, principal: Principal, scope: Scope) -> bool:
        if scope.kind == "organization":
            return self.can_read_org(principal, scope.id)
        if scope.kind == "municipality":
            return principal.covers(municipality_id=scope.id,
                                    region_id=self.directory.municipality_region(scope.id))
        return principal.covers(region_id=scope.id)

