"""The access rules that follow the person, written once; each service's `access.py` applies them.

Every service knows where people work only as the registry published it (the registry
from its own store, training and mentoring from `registry.events`). Given that view —
a :class:`Workforce` — the rules are the same everywhere (docs/architecture.md, "Access"):

- a writer states facts only about persons employed, on the fact's day or currently,
  at an organisation within its scope (admins: anyone);
- person-level data is read by admins, and by municipal operators and school systems
  for persons *currently* employed within their scope (:data:`READ_GRACE_DAYS` after an
  end: none); regional analysts read aggregates only (:func:`reads_persons`);
- hiring a person who is actively employed elsewhere needs a scope that covers that
  employment too (a transfer is an end by the old school, or by the municipality, and a
  start); a person never employed anywhere may be hired by any school.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Protocol

from fastapi import Depends

from pedgrowth.contracts import EventData

from .auth import CurrentPrincipal, Principal, Role, forbid

PERSON_READERS = frozenset({Role.ADMIN, Role.MUNICIPAL_OPERATOR, Role.SCHOOL_SYSTEM})
"""The roles that see persons at all; regional analysts get aggregates only, in every service."""

READ_GRACE_DAYS = 0
"""Days after an employment ends during which its old scope still reads the person's records.

None: the claim-read-end trick of issue 14 would stay open for as long as a grace period
lasts, and what the old school keeps needing (its staff, bases and lists of a past day)
is answered from the lists of that day, which follow employment on that day.
"""


def reads_persons(principal: Principal) -> bool:
    """Whether the caller's role sees person-level data at all (the analysts' rule, in one place)."""
    return principal.role in PERSON_READERS


def require_person_reader(principal: CurrentPrincipal) -> Principal:
    """Callers that may see persons: person lists, person records, exports with person rows."""
    if not reads_persons(principal):
        raise forbid(f"role {principal.role.value} reads aggregates only, no person-level data")
    return principal


PersonReader = Annotated[Principal, Depends(require_person_reader)]


def fact_day(data: EventData) -> date | None:
    """The day a fact is about: the first calendar day its data carries (completed_on, started_on, …)."""
    return next((value for _, value in data if isinstance(value, date)), None)


@dataclass(frozen=True)
class Place:
    """An organisation and the municipality and region it belongs to (None while not known)."""

    org_id: str
    municipality_id: str | None = None
    region_id: str | None = None


@dataclass(frozen=True)
class Employment:
    """One employment of a person, [started_on, ended_on) like every interval of SPEC §4."""

    org_id: str
    started_on: date
    ended_on: date | None = None

    def active_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)

    def current(self, today: date, grace_days: int = READ_GRACE_DAYS) -> bool:
        """Not ended (or ended less than ``grace_days`` ago, counting from ``today``)."""
        return self.ended_on is None or today < self.ended_on + timedelta(days=grace_days)


class Workforce(Protocol):
    """Where people work, as the registry told a service."""

    def employments(self, person_id: str) -> list[Employment]:
        """Every employment of the person known (any position), ended ones too."""

    def place(self, org_id: str) -> Place | None:
        """The organisation's municipality and region, or None when it is not registered (yet)."""


def pair_employments(org_id: str, starts: Iterable[date], ends: Iterable[date]) -> list[Employment]:
    """Employments at one organisation from the start and end days an index collected, in any order.

    Each start ends at the first end on or after it that comes before the next start.
    """
    starts, ends = sorted(set(starts)), sorted(set(ends))
    found = []
    for index, started in enumerate(starts):
        following = starts[index + 1] if index + 1 < len(starts) else None
        ended = next((e for e in ends if e >= started and (following is None or e <= following)), None)
        found.append(Employment(org_id, started, ended))
    return found


class PersonAccess:
    """The person-following rules over one service's view of the workforce."""

    def __init__(self, workforce: Workforce, today: Callable[[], date] = date.today,
                 grace_days: int = READ_GRACE_DAYS):
        self.workforce = workforce
        self.today = today
        self.grace_days = grace_days

    def can_read_org(self, principal: Principal, org_id: str) -> bool:
        """Whether the organisation is within the caller's scope (its place as the registry gave it)."""
        if principal.is_admin:
            return True
        place = self.workforce.place(org_id) or Place(org_id)
        return principal.covers(place.org_id, place.municipality_id, place.region_id)

    def covered(self, principal: Principal, employments: Iterable[Employment]) -> list[Employment]:
        return [e for e in employments if self.can_read_org(principal, e.org_id)]

    def can_read_person(self, principal: Principal, person_id: str) -> bool:
        """Admins always; operators and schools while the person currently works within their scope."""
        if principal.is_admin:
            return True
        if not reads_persons(principal):
            return False
        today = self.today()
        return any(e.current(today, self.grace_days)
                   for e in self.covered(principal, self.workforce.employments(person_id)))

    def can_read_person_on(self, principal: Principal, person_id: str, day: date) -> bool:
        """For lists of a scope on a day: the person worked within the caller's scope on that day."""
        if principal.is_admin:
            return True
        if not reads_persons(principal):
            return False
        return any(e.active_on(day) for e in self.covered(principal, self.workforce.employments(person_id)))

    def may_state(self, principal: Principal, person_id: str, day: date | None, field: str) -> str | None:
        """Why the caller may not state a fact of ``day`` about the person, or None when it may."""
        if principal.is_admin:
            return None
        if not principal.can_write:
            return f"role {principal.role.value} is read-only"
        today = self.today()
        for employment in self.covered(principal, self.workforce.employments(person_id)):
            if (day is not None and employment.active_on(day)) or employment.current(today, 0):
                return None
        when = f"on {day.isoformat()} or now" if day else "now"
        return (f"{field}: person {person_id} is not employed {when} at an organisation within the caller's "
                f"{scope_word(principal)} (as the registry has told this service)")

    def may_hire(self, principal: Principal, person_id: str, org_id: str, field: str = "data.person_id") -> str | None:
        """Why the caller may not start an employment of the person at ``org_id``, or None.

        The organisation must be the caller's (checked by the caller of this), and every
        employment the person holds now elsewhere must be within the caller's scope too.
        """
        if principal.is_admin:
            return None
        today = self.today()
        elsewhere = [e for e in self.workforce.employments(person_id)
                     if e.org_id != org_id and e.current(today, 0) and not self.can_read_org(principal, e.org_id)]
        if elsewhere:
            return (f"{field}: person {person_id} is employed at {', '.join(sorted({e.org_id for e in elsewhere}))}, "
                    f"outside the caller's {scope_word(principal)}: that employment is ended there "
                    "(or by its municipality) before another organisation starts one")
        return None


def scope_word(principal: Principal) -> str:
    return {Role.SCHOOL_SYSTEM: "organisation", Role.MUNICIPAL_OPERATOR: "municipality",
            Role.REGIONAL_ANALYST: "region"}.get(principal.role, "scope")
