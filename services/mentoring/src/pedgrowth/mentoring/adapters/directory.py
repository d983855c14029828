"""Where people work and since when they teach: a small index fed from `registry.events` (contracts only).

Mentoring does not own organisations or employments; the mentor and mentee bases and
the access checks need them, so this index keeps the few registry facts it needs,
order-tolerant (a late start or end lands in place) and idempotent (by CloudEvent id).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import date

from pedgrowth.contracts import Fact, add_years
from pedgrowth.contracts import registry as reg
from pedgrowth.kit.access import Employment, Place, pair_employments
from pedgrowth.contracts.scope import SCOPE_KINDS, Scope  # noqa: F401 - re-exported

NON_PEDAGOGICAL = "non_pedagogical"


class Directory:
    """Organisations and employments as the registry published them."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.seen: set[tuple[str, str]] = set()
        self.orgs: dict[str, dict] = {}
        self.starts: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.ends: dict[tuple[str, str], list[date]] = defaultdict(list)
        self.changes: dict[tuple[str, str], list[tuple[date, str]]] = defaultdict(list)
        self.orgs_of_person: dict[str, set[str]] = defaultdict(set)

    def apply(self, fact: Fact) -> bool:
        """Take a registry fact into account once; False for a repeat or one we do not need."""
        key = (fact.envelope.source, fact.envelope.id)
        with self.lock:
            if key in self.seen:
                return False
            self.seen.add(key)
            return self.apply_data(fact.data)

    def apply_data(self, d) -> bool:
        if isinstance(d, reg.OrganizationRegistered):
            self.orgs[d.org_id] = {"org_id": d.org_id, "name": d.name, "municipality_id": d.municipality_id,
                                   "municipality_name": d.municipality_name, "region_id": d.region_id}
        elif isinstance(d, reg.EmploymentStarted):
            self.starts[(d.person_id, d.org_id)].append(
                {"started_on": d.started_on, "position": d.position.value,
                 "experience_since": d.pedagogical_experience_since})
            self.orgs_of_person[d.person_id].add(d.org_id)
        elif isinstance(d, reg.EmploymentEnded):
            self.ends[(d.person_id, d.org_id)].append(d.ended_on)
        elif isinstance(d, reg.PositionChanged):
            self.changes[(d.person_id, d.org_id)].append((d.changed_on, d.position.value))
        else:
            return False
        return True

    # employments

    def position_on(self, person_id: str, org_id: str, day: date) -> str | None:
        """The person's position at the organisation on ``day``, or None when not employed there then."""
        starts = [s for s in self.starts.get((person_id, org_id), []) if s["started_on"] <= day]
        if not starts:
            return None
        start = max(starts, key=lambda s: s["started_on"])
        if any(start["started_on"] <= e <= day for e in self.ends.get((person_id, org_id), [])):
            return None
        changes = [c for c in self.changes.get((person_id, org_id), []) if start["started_on"] <= c[0] <= day]
        return max(changes)[1] if changes else start["position"]

    def workplaces(self, person_id: str, day: date) -> list[str]:
        """Organisations where the person holds a pedagogical position on ``day``."""
        return sorted(o for o in self.orgs_of_person.get(person_id, ())
                      if self.position_on(person_id, o, day) not in (None, NON_PEDAGOGICAL))

    def experience_since(self, person_id: str) -> date | None:
        """When the person's pedagogical career began; the earliest date if the registry disagrees."""
        dates = [s["experience_since"] for o in self.orgs_of_person.get(person_id, ())
                 for s in self.starts[(person_id, o)]]
        return min(dates) if dates else None

    def is_young(self, person_id: str, day: date) -> bool:
        """Less than three full years of pedagogical experience on ``day`` (SPEC §4, YOUNG)."""
        since = self.experience_since(person_id)
        return since is not None and since > add_years(day, -3)

    # scopes

    def org_in(self, org_id: str, scope: Scope) -> bool:
        if scope.kind == "organization":
            return org_id == scope.id
        org = self.orgs.get(org_id)
        return org is not None and org[f"{scope.kind}_id"] == scope.id

    def staff(self, scope: Scope, day: date) -> dict[str, list[str]]:
        """Pedagogical staff in scope on ``day``: person → the organisations in scope they work at."""
        found: dict[str, list[str]] = {}
        for person_id in self.orgs_of_person:
            orgs = [o for o in self.workplaces(person_id, day) if self.org_in(o, scope)]
            if orgs:
                found[person_id] = orgs
        return found

    # the kit's Workforce (pedgrowth.kit.access): what the access rules read

    def employments(self, person_id: str) -> list[Employment]:
        """Every employment of the person the registry published, ended ones too (any position)."""
        with self.lock:
            return [employment for org_id in sorted(self.orgs_of_person.get(person_id, ()))
                    for employment in pair_employments(
                        org_id, [s["started_on"] for s in self.starts.get((person_id, org_id), [])],
                        self.ends.get((person_id, org_id), []))]

    def place(self, org_id: str) -> Place | None:
        with self.lock:
            org = self.orgs.get(org_id)
        return None if org is None else Place(org_id, org["municipality_id"], org["region_id"])

    def municipality_region(self, municipality_id: str) -> str | None:
        """The region of a municipality, from any of its organisations."""
        with self.lock:
            return next((o["region_id"] for o in self.orgs.values() if o["municipality_id"] == municipality_id),
                        None)

    def org_names(self, org_ids: list[str]) -> str:
        return "; ".join(self.orgs.get(o, {}).get("name", o) for o in org_ids)
