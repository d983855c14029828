"""Where people work, as far as `registry.events` told training: person → organisation → municipality, region.

Training owns no employment data. To scope its reports to a municipality it keeps
this small index, fed only by contract events of the registry (read from the start
of `registry.events` on every start, so it needs no storage of its own). It is
order-tolerant: employments may arrive before their organisation, an end before
its start; everything is resolved when asked.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from pedgrowth.contracts import EventData
from pedgrowth.contracts.scope import SCOPE_KINDS, Scope  # noqa: F401 - re-exported
from pedgrowth.kit.access import Employment, pair_employments


@dataclass(frozen=True)
class Place:
    """An organisation and what it belongs to (None while its registration has not been seen)."""

    org_id: str
    municipality_id: str | None = None
    region_id: str | None = None

    def within(self, scope: Scope) -> bool:
        value = {"organization": self.org_id, "municipality": self.municipality_id, "region": self.region_id}
        return value[scope.kind] == scope.id


class Workplaces:
    """The person → organisation → municipality index; safe to read from worker threads.

    It is the ``Workforce`` the access rules read (pedgrowth.kit.access): ``employments``, ``place``.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.orgs: dict[str, Place] = {}
        self.starts: dict[tuple[str, str], set[date]] = defaultdict(set)
        self.ends: dict[tuple[str, str], set[date]] = defaultdict(set)
        self.org_ids: dict[str, set[str]] = defaultdict(set)
        self.applied = 0

    def apply(self, data: EventData) -> None:
        """Take in one registry fact; others are ignored. Applying it twice changes nothing."""
        suffix = getattr(data, "type_suffix", None)
        with self.lock:
            if suffix == "organization_registered":
                self.orgs[data.org_id] = Place(data.org_id, data.municipality_id, data.region_id)
            elif suffix == "employment_started":
                self.starts[(data.person_id, data.org_id)].add(data.started_on)
                self.org_ids[data.person_id].add(data.org_id)
            elif suffix == "employment_ended":
                self.ends[(data.person_id, data.org_id)].add(data.ended_on)
                self.org_ids[data.person_id].add(data.org_id)
            else:
                return
            self.applied += 1

    def place(self, org_id: str) -> Place:
        with self.lock:
            return self.orgs.get(org_id) or Place(org_id)

    def employed(self, person_id: str, org_id: str, on: date) -> bool:
        """Active on ``on``: the latest start on or before it, and no end between that start and it."""
        with self.lock:
            starts = [s for s in self.starts.get((person_id, org_id), ()) if s <= on]
            if not starts:
                return False
            since = max(starts)
            return not any(since <= e <= on for e in self.ends.get((person_id, org_id), ()))

    def employments(self, person_id: str) -> list[Employment]:
        """Every employment of the person training has heard of, ended ones too (any position)."""
        with self.lock:
            return [employment for org_id in sorted(self.org_ids.get(person_id, ()))
                    for employment in pair_employments(org_id, self.starts.get((person_id, org_id), ()),
                                                       self.ends.get((person_id, org_id), ()))]

    def places_of(self, person_id: str, on: date | None = None) -> list[Place]:
        """The person's workplaces on a day, or every one they ever had (``on`` None)."""
        with self.lock:
            org_ids = sorted(self.org_ids.get(person_id, ()))
        return [self.place(o) for o in org_ids if on is None or self.employed(person_id, o, on)]

    def in_scope(self, person_id: str, scope: Scope, on: date) -> bool:
        """Whether the person works in the scope on that day."""
        return any(p.within(scope) for p in self.places_of(person_id, on))

    def persons(self) -> list[str]:
        with self.lock:
            return sorted(self.org_ids)

    def municipality_region(self, municipality_id: str) -> str | None:
        """The region of a municipality, from any of its organisations."""
        with self.lock:
            return next((p.region_id for p in self.orgs.values() if p.municipality_id == municipality_id), None)
