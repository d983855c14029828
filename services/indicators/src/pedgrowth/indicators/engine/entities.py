"""The facts the engine keeps, per entity and in small indexes, with named fields.

Nothing is overwritten by arrival order: where two events disagree the fact itself decides
(the earliest end, the earliest career start or birth date) or, for true conflicts, the event's
``(time, source, id)`` (``order``). Days are ordinals (``days.ordinal``).

A person's facts are tuples, grown with ``+=`` (and ids with ``with_id``): most of a person's kinds of
fact are empty or hold a few items, and an empty tuple is one shared object where an empty list cost 56
bytes and an empty set 216 — more than a kilobyte a person, a gigabyte and a half at national scale. The
spells a person rarely has (memberships, reserve, expert roles, asset, projects) start as one shared
read-only mapping, ``NO_SPELLS``, replaced by a dict of their own on the first (``writable``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..records import Order

PEDAGOGICAL_EXCLUDED = "non_pedagogical"


@dataclass(frozen=True, slots=True)
class Start:
    """An employment_started: the day, the starting position, whether subjects were given, the profile flag."""

    on: int
    order: Order
    position: str
    subjects: bool
    matches_profile: bool | None


@dataclass(frozen=True, slots=True)
class Change:
    on: int
    order: Order
    position: str


@dataclass(frozen=True, slots=True)
class Opening:
    """The start of a repeatable interval (a membership, a reserve enrolment) and what it says."""

    on: int
    order: Order
    kind: str = ""


@dataclass(slots=True)
class Spans:
    """Starts and ends of a repeatable interval: active on t when the latest start ≤ t has no end in [it, t]."""

    starts: tuple[Opening, ...] | tuple[Start, ...] = ()
    ends: tuple[int, ...] = ()

    def start_at(self, t: int) -> Opening | Start | None:
        latest = None
        for s in self.starts:
            if s.on <= t and (latest is None or (s.on, s.order) > (latest.on, latest.order)):
                latest = s
        if latest is None or any(latest.on <= end <= t for end in self.ends):
            return None
        return latest

    def breakpoints(self) -> list[int]:
        return sorted({s.on for s in self.starts} | set(self.ends))


@dataclass(slots=True)
class Job(Spans):
    """One person's employments at one organisation (its starts are ``Start``s), with the position changes there."""

    changes: tuple[Change, ...] = ()

    def position_at(self, start: Start, t: int) -> str:
        best = None
        for c in self.changes:
            if start.on <= c.on <= t and (best is None or (c.on, c.order) > (best.on, best.order)):
                best = c
        return best.position if best is not None else start.position

    def segments(self) -> list[tuple[int, int, Start, str]]:
        """(from, to, the start in force, the position) for every stretch the employment is active."""
        points = sorted({s.on for s in self.starts} | set(self.ends) | {c.on for c in self.changes})
        out = []
        for i, t in enumerate(points):
            start = self.start_at(t)
            if start is None:
                continue
            to = points[i + 1] if i + 1 < len(points) else None
            out.append((t, to, start, self.position_at(start, t)))
        return out


@dataclass(frozen=True, slots=True)
class Course:
    on: int
    program: str
    addresses: tuple[str, ...]  # a tuple: a small frozenset costs 216 bytes, and there is one per course


@dataclass(frozen=True, slots=True)
class Diagnosis:
    on: int
    deficits: tuple[str, ...]  # the codes found, each once (a small frozenset cost 216 bytes)


@dataclass(frozen=True, slots=True)
class Attestation:
    category: str
    decided: int
    until: int


@dataclass(frozen=True, slots=True)
class Attended:
    on: int
    kind: str
    role: str = "participant"  # or "speaker": presenting one's experience (competitions_and_speaking)


@dataclass(frozen=True, slots=True)
class Profile:
    on: int
    order: Order
    matches: bool


NO_SPELLS: Mapping[str, Spans] = MappingProxyType({})
"""The spells of a kind a person has none of (an empty dict of each kind cost 64 bytes a person)."""


def writable(spells: Mapping[str, Spans]) -> dict[str, Spans]:
    """A person's spells of one kind to add to: a new dict in place of ``NO_SPELLS``, else the same."""
    return {} if spells is NO_SPELLS else spells  # type: ignore[return-value]


@dataclass(slots=True)
class Person:
    """Everything about one person that an indicator reads."""

    jobs: dict[str, Job] = field(default_factory=dict)
    experience_since: int | None = None
    birth: int | None = None
    profiles: tuple[Profile, ...] = ()
    courses: tuple[Course, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    attestations: tuple[Attestation, ...] = ()
    competitions: tuple[int, ...] = ()
    assessments: tuple[int, ...] = ()
    attended: tuple[Attended, ...] = ()
    memberships: Mapping[str, Spans] = field(default_factory=lambda: NO_SPELLS)
    reserve: Mapping[str, Spans] = field(default_factory=lambda: NO_SPELLS)
    routes: tuple[str, ...] = ()  # ids, each once (with_id)
    mentee_pairs: tuple[str, ...] = ()
    expert_roles: Mapping[str, Spans] = field(default_factory=lambda: NO_SPELLS)  # role_id → spells
    asset: Mapping[str, Spans] = field(default_factory=lambda: NO_SPELLS)  # municipality → spells in its asset
    projects: Mapping[str, Spans] = field(default_factory=lambda: NO_SPELLS)  # project_id → spells of enrolment
    requests: tuple[str, ...] = ()  # the PD requests naming the person


def with_id(ids: tuple[str, ...], new: str) -> tuple[str, ...]:
    """``ids`` with ``new`` added unless it is there already."""
    return ids if new in ids else (*ids, new)


@dataclass(frozen=True, slots=True)
class Organization:
    org_id: str
    name: str
    kind: str
    municipality_id: str
    municipality_name: str
    region_id: str
    region_name: str
    order: Order


@dataclass(frozen=True, slots=True)
class Programme:
    kind: str
    format: str
    order: Order


@dataclass(frozen=True, slots=True)
class Route:
    person: str
    started: int
    order: Order


@dataclass(frozen=True, slots=True)
class Pair:
    mentor: str
    mentee: str
    started: int
    order: Order


@dataclass(frozen=True, slots=True)
class Mentor:
    external: bool
    order: Order


@dataclass(frozen=True, slots=True)
class Request:
    """A teacher's request for a PD direction (pd_request_submitted)."""

    person: str
    submitted: int
    order: Order


@dataclass(frozen=True, slots=True)
class Vacancy:
    org: str
    opened: int
    order: Order


def latest(current, candidate):
    """Of two records with an ``order``, the later one."""
    return candidate if current is None or candidate.order > current.order else current


def earliest(mapping: dict, key: str, value: int) -> None:
    old = mapping.get(key)
    if old is None or value < old:
        mapping[key] = value


class Organizations:
    """Registered organisations and where each lies; the persons and vacancies each has had."""

    def __init__(self) -> None:
        self.by_id: dict[str, Organization] = {}
        self.people: dict[str, set[str]] = defaultdict(set)
        self.vacancies: dict[str, set[str]] = defaultdict(set)
        self.in_municipality: dict[str, set[str]] = defaultdict(set)
        self.in_region: dict[str, set[str]] = defaultdict(set)

    def register(self, org: Organization) -> Organization | None:
        """Keep the later registration; the one it replaced (or None)."""
        old = self.by_id.get(org.org_id)
        if latest(old, org) is old:
            return old
        if old is not None:
            self.in_municipality[old.municipality_id].discard(org.org_id)
            self.in_region[old.region_id].discard(org.org_id)
        self.by_id[org.org_id] = org
        self.in_municipality[org.municipality_id].add(org.org_id)
        self.in_region[org.region_id].add(org.org_id)
        return old

    def scopes(self, org_id: str) -> tuple[str, ...]:
        """The scopes an organisation counts in: itself, and its municipality and region once registered."""
        org = self.by_id.get(org_id)
        if org is None:
            return (f"organization:{org_id}",)
        return (f"organization:{org_id}", f"municipality:{org.municipality_id}", f"region:{org.region_id}")

    def wide_scopes(self, org_id: str) -> tuple[str, ...]:
        org = self.by_id.get(org_id)
        return () if org is None else (f"municipality:{org.municipality_id}", f"region:{org.region_id}")

    def regions_of(self, municipality_id: str) -> set[str]:
        return {self.by_id[o].region_id for o in list(self.in_municipality.get(municipality_id, ()))}

    def municipalities_of(self, region_id: str) -> set[str]:
        return {self.by_id[o].municipality_id for o in list(self.in_region.get(region_id, ()))}

    def kind(self, org_id: str) -> str | None:
        org = self.by_id.get(org_id)
        return None if org is None else org.kind

    def orgs_in(self, kind: str, scope_id: str) -> set[str]:
        if kind == "organization":
            return {scope_id}
        found = self.in_municipality if kind == "municipality" else self.in_region
        return set(found.get(scope_id, ()))
