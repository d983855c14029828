"""Each entity's contribution to every series: for each (part, scope), the days D it is counted on.

A series is one indicator under one variant (``Spec``); its parts are ``num`` and ``den``. A
person's numerator is the intersection of their STAFF(S) intervals with the condition's intervals
(SPEC §4.3); mentors, vacancies and organisations contribute in the same way to their counts. The
conditions and the denominators (``among``) named by the definitions are written out below once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..definitions import TEACHERS, Indicator, Variant, project_of
from ..definitions.catalog import ALL_SCOPES
from .days import (
    ALWAYS,
    EMPTY,
    FOREVER,
    NEVER,
    Intervals,
    first_day_month_reaching,
    first_day_reaching,
    intersect,
    preimage,
    span,
    subtract,
    union,
)
from .entities import Mentor, Organizations, Pair, Person, Programme, Request, Route, Spans, Vacancy
from .windows import ROLLING_1Y, Window, window_of

COUNTED = frozenset({"first", "highest", "pedagogue_methodist", "pedagogue_mentor"})
DIGITAL = frozenset({"distance", "blended"})

Contribution = dict[tuple[str, str], Intervals]
"""(part, scope) → the days D the entity counts there; parts are "num" and "den"."""


@dataclass(frozen=True, slots=True)
class Spec:
    """One indicator under one variant: the unit the engine keeps sums for."""

    indicator: Indicator
    variant: Variant
    id: int = field(default=0, compare=False)  # the engine's number for it: series keys are (id, part, scope)

    @property
    def key(self) -> tuple[str, Variant]:
        return (self.indicator.code, self.variant)


@dataclass
class World:
    """The engine's indexes: persons, organisations and the entities facts refer to."""

    persons: dict[str, Person] = field(default_factory=dict)
    orgs: Organizations = field(default_factory=Organizations)
    programmes: dict[str, Programme] = field(default_factory=dict)
    programme_people: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    routes: dict[str, Route] = field(default_factory=dict)
    route_completed: dict[str, int] = field(default_factory=dict)
    pairs: dict[str, Pair] = field(default_factory=dict)
    pair_ended: dict[str, int] = field(default_factory=dict)
    mentor_pairs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    mentors: dict[str, Mentor] = field(default_factory=dict)
    vacancies: dict[str, Vacancy] = field(default_factory=dict)
    vacancy_closed: dict[str, int] = field(default_factory=dict)
    municipality_reserve: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    municipality_asset: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    requests: dict[str, Request] = field(default_factory=dict)
    request_met: dict[str, int] = field(default_factory=dict)
    curators: dict[str, dict[str, Spans]] = field(default_factory=lambda: defaultdict(dict))  # org → person → spells
    project_names: dict[str, str] = field(default_factory=dict)  # project_id → name (for people: the report)


def in_population(position: str, subjects: bool, org_kind: str | None, population: str) -> bool:
    """Whether a position held at an organisation of ``org_kind`` is in the population (§4.2)."""
    if position == "non_pedagogical":
        return False
    if population == "pedagogical":
        return True
    if position not in TEACHERS:
        return False
    if population == "school_teachers":
        return org_kind == "school"
    if population == "subject_teachers":
        return subjects
    return True


def scope_kind(scope: str) -> str:
    """``municipality:m-1`` → ``municipality``."""
    found = _SCOPE_KINDS.get(scope)
    if found is None:
        found = _SCOPE_KINDS[scope] = scope.split(":", 1)[0]
    return found


_SCOPE_KINDS: dict[str, str] = {}


class PersonView:
    """One person's intervals, each computed once per evaluation.

    Most persons work at one organisation, so their organisation, municipality and region count the same
    days: a scope's days are then the same tuple object as the others', and ``each`` computes what follows
    from them once per distinct object, not once per scope.
    """

    def __init__(self, person_id: str, person: Person, world: World):
        self.id, self.p, self.w = person_id, person, world
        self._staff: dict[str, dict[str, Intervals]] = {}
        self._young: dict[str, Intervals] = {}
        self._heads: dict[str, Intervals] | None = None
        self._segments: list | None = None

    def segments(self) -> list[tuple[str, str | None, list]]:
        """(organisation, its kind, the job's segments) for each of the person's jobs, computed once."""
        if self._segments is None:
            orgs = self.w.orgs
            self._segments = [(org, orgs.kind(org), job.segments()) for org, job in self.p.jobs.items()]
        return self._segments

    def staff(self, population: str) -> dict[str, Intervals]:
        """Scope → the days the person is in STAFF(D, S) of the population."""
        found = self._staff.get(population)
        if found is None:
            found = self._staff[population] = self._by_scope(
                (org, [(a, FOREVER if b is None else b) for a, b, start, position in segments
                       if in_population(position, start.subjects, kind, population)])
                for org, kind, segments in self.segments())
        return found

    def heads(self) -> dict[str, Intervals]:
        if self._heads is None:
            self._heads = self._by_scope(
                (org, [(a, FOREVER if b is None else b) for a, b, _, position in segments if position == "director"])
                for org, _, segments in self.segments())
        return self._heads

    def _by_scope(self, by_org) -> dict[str, Intervals]:
        """Scope → the union of the days of the organisations in it; a scope fed by one organisation shares
        that organisation's tuple."""
        pieces: dict[str, list] = defaultdict(list)
        for org, days in by_org:
            if days:
                days = union(days)
                for scope in self.w.orgs.scopes(org):
                    pieces[scope].append(days)
        return {scope: found[0] if len(found) == 1 else union(d for days in found for d in days)
                for scope, found in pieces.items()}

    def young(self, young: str) -> Intervals:
        found = self._young.get(young)
        if found is None:
            found = self._young[young] = self._young_days(young)
        return found

    def _young_days(self, young: str) -> Intervals:
        since, born = self.p.experience_since, self.p.birth
        by_experience = span(NEVER, first_day_reaching(since, 3)) if since is not None else EMPTY
        by_age = span(NEVER, first_day_reaching(born, 35)) if born is not None else EMPTY
        if young == "experience_under_3y":
            return by_experience
        if young == "age_under_35":
            return by_age
        return intersect(by_age, by_experience)

    def first_hires(self, population: str) -> dict[str, int]:
        """Scope → the day the person's first employment there with a starting position of the population began."""
        found: dict[str, int] = {}
        for org, job in self.p.jobs.items():
            kind = self.w.orgs.kind(org)
            days = [s.on for s in job.starts if in_population(s.position, s.subjects, kind, population)]
            if days:
                first = min(days)
                for scope in self.w.orgs.scopes(org):
                    if scope not in found or first < found[scope]:
                        found[scope] = first
        return found

    def reserve(self) -> dict[str, Intervals]:
        """Scope → the days the person is in the managers' reserve of a municipality of that scope."""
        return self._by_municipality(self.p.reserve)

    def asset(self) -> dict[str, Intervals]:
        """Scope → the days the person is in the methodical asset of a municipality of that scope."""
        return self._by_municipality(self.p.asset)

    def _by_municipality(self, spells: dict[str, Spans]) -> dict[str, Intervals]:
        pieces: dict[str, list] = defaultdict(list)
        for municipality, spans in spells.items():
            days = spans_days(spans)
            if days:
                pieces[f"municipality:{municipality}"].extend(days)
                for region in self.w.orgs.regions_of(municipality):
                    pieces[f"region:{region}"].extend(days)
        return {scope: union(days) for scope, days in pieces.items()}

    def enrolled(self, project: str | None = None) -> Intervals:
        """The days the person is enrolled in the project (in any project when None)."""
        return union(d for project_id, spans in self.p.projects.items() if project in (None, project_id)
                     for d in spans_days(spans))


def spans_days(spans, kind: str | None = None) -> Intervals:
    """The days a repeatable interval is active (with that kind, when given)."""
    points = spans.breakpoints()
    out = []
    for i, t in enumerate(points):
        start = spans.start_at(t)
        if start is not None and (kind is None or start.kind == kind):
            out.append((t, points[i + 1] if i + 1 < len(points) else FOREVER))
    return union(out)


# -- conditions (scope-independent days a person meets the indicator's condition) --------------

def _courses(view: PersonView, v: Variant, wanted: Callable[[Programme | None], bool] | None = None) -> Intervals:
    window = window_of(v)
    programmes = view.w.programmes
    return union(d for c in view.p.courses if wanted is None or wanted(programmes.get(c.program))
                 for d in window.fact(c.on))


def courses(view, v):
    return _courses(view, v)


def digital_courses(view, v):
    return _courses(view, v, lambda prog: prog is not None and prog.format in DIGITAL)


def retraining_courses(view, v):
    return _courses(view, v, lambda prog: prog is not None and prog.kind == "retraining")


def diagnostics(view, v):
    window = window_of(v)
    return union(d for g in view.p.diagnoses for d in window.fact(g.on))


def deficit_found(view, v):
    window = window_of(v)
    return union(d for g in view.p.diagnoses if g.deficits for d in window.fact(g.on))


def deficit_training(view, v):
    window = window_of(v)
    pieces = []
    for g in view.p.diagnoses:
        if not g.deficits:
            continue
        found = window.fact(g.on)
        for c in view.p.courses:
            if c.on >= g.on and any(code in g.deficits for code in c.addresses):
                pieces.extend(intersect(found, window.fact(c.on)))
    return union(pieces)


def route(view, v):
    pieces = []
    for route_id in view.p.routes:
        r = view.w.routes.get(route_id)
        if r is None or r.person != view.id:
            continue
        done = view.w.route_completed.get(route_id)
        pieces.append((r.started, FOREVER if done is None else first_day_reaching(done, 1)))
    return union(pieces)


def _held(view) -> list:
    return [a for a in view.p.attestations if a.category in COUNTED and a.decided < a.until]


def category(view, v):
    return union((a.decided, a.until) for a in _held(view))


def category_expiring(view, v):
    """Days holding a counted category whose every held category ends within 6 months of D."""
    held = _held(view)
    points = sorted({a.decided for a in held} | {a.until for a in held})
    out = []
    for i, t in enumerate(points[:-1]):
        ends = [a.until for a in held if a.decided <= t < a.until]
        if ends:
            out.append((max(t, first_day_month_reaching(max(ends), 6)), points[i + 1]))
    return union(out)


def _mentee(view, window: Window) -> Intervals:
    pieces = []
    for pair_id in view.p.mentee_pairs:
        pair = view.w.pairs.get(pair_id)
        if pair is not None and pair.mentee == view.id:
            ended = view.w.pair_ended.get(pair_id, FOREVER)
            pieces.extend(window.meets(pair.started, ended))
    return union(pieces)


def mentee_in_w1(view, v):
    return _mentee(view, ROLLING_1Y)


def competitions(view, v):
    window = window_of(v)
    found = [d for on in view.p.competitions for d in window.fact(on)]
    if v.competition == "competitions_and_speaking":
        found.extend(d for a in view.p.attended if a.role == "speaker" for d in window.fact(a.on))
    return union(found)


def support(view, v):
    project = project_of(v.support)
    if project is not None:  # enrolled in that project on D (004's «Академия»)
        return view.enrolled(project)
    window = window_of(v)
    found = [d for a in view.p.attended for d in window.fact(a.on)]
    if v.support == "any_support":
        found.extend(_mentee(view, window))
        for spans in view.p.memberships.values():
            for a, b in spans_days(spans, "young_teachers_council"):
                found.extend(window.meets(a, b))
    return union(found)


def burnout_support(view, v):
    window = window_of(v)
    return union(d for a in view.p.attended if a.kind == "burnout_prevention" for d in window.fact(a.on))


def attestation(view, v):
    window = window_of(v)
    return union(d for a in view.p.attestations for d in window.fact(a.decided))


def assessments(view, v):
    window = window_of(v)
    return union(d for on in view.p.assessments for d in window.fact(on))


def community(view, v):
    return union(d for spans in view.p.memberships.values() for d in spans_days(spans))


def profile_match(view, v):
    """Days the latest education_profile_recorded ≤ D (else the latest employment_started's flag) is true."""
    records = [(r.on, r.order, r.matches) for r in view.p.profiles]
    stated = [(s.on, s.order, s.matches_profile) for job in view.p.jobs.values() for s in job.starts
              if s.matches_profile is not None]
    points = sorted({r[0] for r in records} | {s[0] for s in stated})
    out = []
    for i, t in enumerate(points):
        known = [r for r in records if r[0] <= t] or [s for s in stated if s[0] <= t]
        if known and max(known, key=lambda r: r[:2])[2]:
            out.append((t, points[i + 1] if i + 1 < len(points) else FOREVER))
    return union(out)


def expert_in_w1(view, v):
    """An expert role active on at least one day of W1."""
    return union(d for spans in view.p.expert_roles.values() for a, b in spans_days(spans)
                 for d in ROLLING_1Y.meets(a, b))


def project(view, v):
    return view.enrolled()


def age_60_plus(view, v):
    born = view.p.birth
    return EMPTY if born is None else span(first_day_reaching(born, 60), FOREVER)


CONDITIONS: dict[str, Callable[[PersonView, Variant], Intervals]] = {
    "courses": courses, "digital_courses": digital_courses, "retraining_courses": retraining_courses,
    "diagnostics": diagnostics, "deficit_training": deficit_training, "route": route, "category": category,
    "category_expiring": category_expiring, "mentee_in_w1": mentee_in_w1, "competitions": competitions,
    "support": support, "burnout_support": burnout_support, "attestation": attestation,
    "assessments": assessments, "community": community, "profile_match": profile_match,
    "age_60_plus": age_60_plus, "expert_in_w1": expert_in_w1, "project": project,
}
"""Condition name (definitions) → the days a person meets it; in_staff, left_staff, reserve and
young_at_hire and asset are set operations in ``person_contribution``."""


# -- denominators --------------------------------------------------------------------------

def _among(view: PersonView, spec: Spec) -> dict[str, Intervals]:
    v = spec.variant
    staff = view.staff(v.population or "pedagogical")
    among = spec.indicator.among
    if among in ("staff", None):
        return staff
    if among == "young":
        young = _cohort(view, v)
        return each(staff, lambda days: intersect(days, young))
    if among == "staff_with_deficit":
        found = deficit_found(view, v)
        return each(staff, lambda days: intersect(days, found))
    if among == "young_3y_before":
        young = _cohort(view, v)
        return each(staff, lambda days: preimage(intersect(days, young), 3))
    if among == "heads":
        return view.heads()
    if among == "staff_1y_before":
        return each(staff, lambda days: preimage(days, 1))
    raise ValueError(f"unknown among {among!r}")


def _cohort(view: PersonView, v: Variant) -> Intervals:
    """Whom the young shares count among: the young, or a project's participants (cohort = project:<id>,
    003's «от общего количества участников»: enrolled on D, whatever their experience)."""
    project = project_of(v.cohort)
    return view.young(v.young or "experience_under_3y") if project is None else view.enrolled(project)


def each(by_scope: dict[str, Intervals], f: Callable[[Intervals], Intervals]) -> dict[str, Intervals]:
    """Scope → f(days), f computed once per distinct days object (scopes sharing one tuple share the result)."""
    done: dict[int, Intervals] = {}
    out = {}
    for scope, days in by_scope.items():
        found = done.get(id(days))
        if found is None:
            found = done[id(days)] = f(days)
        out[scope] = found
    return out


def person_contribution(view: PersonView, spec: Spec, out: Contribution) -> None:
    """Add the person's (part, scope) → days for one series to ``out``."""
    ind, v = spec.indicator, spec.variant
    if ind.among == "hires_in_w1":
        return _hires(view, spec, out)
    below = _among(view, spec)
    condition = ind.condition
    if condition == "in_staff":
        staff = view.staff(v.population or "pedagogical")
        above = {s: intersect(days, staff.get(s, EMPTY)) for s, days in below.items()}
    elif condition == "left_staff":
        staff = view.staff(v.population or "pedagogical")
        above = {s: subtract(days, staff.get(s, EMPTY)) for s, days in below.items()}
    elif condition == "reserve":
        above = view.reserve()
    elif condition == "asset":
        asset = view.asset()
        above = {s: intersect(days, asset.get(s, EMPTY)) for s, days in below.items()}
    else:
        met = CONDITIONS[condition](view, v)
        above = each(below, lambda days: intersect(days, met)) if met else {}  # most persons meet few conditions
    every = ind.scopes == ALL_SCOPES
    for scope, days in above.items():
        if days and (every or ind.applies_to(scope_kind(scope))):
            out[("num", scope)] = days
    if ind.unit == "share":
        for scope, days in below.items():
            if days and (every or ind.applies_to(scope_kind(scope))):
                out[("den", scope)] = days


def _hires(view: PersonView, spec: Spec, out: Contribution) -> None:
    young = view.young(spec.variant.young or "experience_under_3y")
    for scope, first in view.first_hires(spec.variant.population or "pedagogical").items():
        days = ROLLING_1Y.fact(first)
        out[("den", scope)] = days
        if any(a <= first < b for a, b in young):
            out[("num", scope)] = days


def mentor_contribution(mentor_id: str, world: World, spec: Spec, out: Contribution) -> None:
    """A mentor counts in S on the days one of its pairs is active and its mentee is in STAFF(S)."""
    if spec.indicator.condition == "employer_mentor":
        entry = world.mentors.get(mentor_id)
        if entry is None or not entry.external:
            return
    population = spec.variant.population or "pedagogical"
    pieces: dict[str, list] = defaultdict(list)
    for pair_id in world.mentor_pairs.get(mentor_id, ()):
        pair = world.pairs.get(pair_id)
        person = world.persons.get(pair.mentee) if pair is not None and pair.mentor == mentor_id else None
        if person is None:
            continue
        active = span(pair.started, world.pair_ended.get(pair_id, FOREVER))
        for scope, days in PersonView(pair.mentee, person, world).staff(population).items():
            pieces[scope].extend(intersect(days, active))
    for scope, days in pieces.items():
        if days:
            out[("num", scope)] = union(days)


def request_contribution(request_id: str, world: World, spec: Spec, out: Contribution) -> None:
    """A request counts below the line in S while it lies in the window and its teacher is in STAFF(S);
    above from the day it was met."""
    request = world.requests.get(request_id)
    person = world.persons.get(request.person) if request is not None else None
    if person is None:
        return
    window = window_of(spec.variant)
    submitted = window.fact(request.submitted)
    met = world.request_met.get(request_id)
    for scope, days in PersonView(request.person, person, world).staff(spec.variant.population or "pedagogical").items():
        below = intersect(days, submitted)
        if below:
            out[("den", scope)] = below
            above = intersect(below, span(met, FOREVER)) if met is not None else EMPTY
            if above:
                out[("num", scope)] = above


def curated(world: World, org_id: str) -> Intervals:
    """The days the organisation has a mentoring curator in office."""
    return union(d for spans in world.curators.get(org_id, {}).values() for d in spans_days(spans))


def vacancy_contribution(vacancy_id: str, world: World, spec: Spec, out: Contribution) -> None:
    vacancy = world.vacancies.get(vacancy_id)
    if vacancy is None:
        return
    days = span(vacancy.opened, world.vacancy_closed.get(vacancy_id, FOREVER))
    if days:
        for scope in world.orgs.scopes(vacancy.org):
            out[("num", scope)] = days


def org_contribution(org_id: str, world: World, staffed: Intervals, vacant: Intervals, out: Contribution,
                     spec: Spec | None = None) -> None:
    """An organisation counts below the line on the days it has staff, above when it also has an open vacancy
    (or, for curated_orgs_share, a curator in office)."""
    if not staffed:
        return
    curators = spec is not None and spec.indicator.condition == "org_curated"
    both = intersect(staffed, curated(world, org_id) if curators else vacant)
    for scope in world.orgs.wide_scopes(org_id):
        out[("den", scope)] = staffed
        if both:
            out[("num", scope)] = both


__all__ = ["ALWAYS", "CONDITIONS", "Contribution", "PersonView", "Spec", "World", "mentor_contribution",
           "org_contribution", "person_contribution", "request_contribution", "vacancy_contribution"]
