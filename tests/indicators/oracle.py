"""The reference the engine is held to: every indicator evaluated person by person, as SPEC §4 reads.

Straightforward and slow on purpose: the events are reduced to plain facts (the conflict rules of
docs/indicators.md: the earliest end, the earliest career start or birth date, the latest
``(time, source, id)`` for true conflicts), and each indicator is a numerator and a denominator set
computed for one scope, one day D and one variant directly from the definitions' text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from pedgrowth.contracts import add_months, add_years
from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.definitions import BY_CODE, INDICATORS, TEACHERS, Variant, project_of, share
from pedgrowth.indicators.records import Record

COUNTED = frozenset({"first", "highest", "pedagogue_methodist", "pedagogue_mentor"})
DIGITAL = frozenset({"distance", "blended"})
DAY = timedelta(days=1)


def day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Outcome:
    """One indicator's members: who is counted above and below the line (None: not defined there)."""

    code: str
    numerator: frozenset[str] | None
    denominator: frozenset[str] | None
    extra_denominator: int = 0

    @property
    def numerator_count(self) -> int | None:
        return None if self.numerator is None else len(self.numerator)

    @property
    def denominator_count(self) -> int | None:
        return None if self.denominator is None else len(self.denominator) + self.extra_denominator

    @property
    def value(self) -> float | None:
        if self.numerator is None:
            return None
        if BY_CODE[self.code].unit == "count":
            return float(len(self.numerator))
        return share(len(self.numerator), self.denominator_count or 0)


@dataclass
class Log:
    """Starts and ends of a repeatable interval: active on t when the latest start ≤ t has no end in [it, t]."""

    starts: list[tuple] = field(default_factory=list)  # (day, order, payload...)
    ends: list[date] = field(default_factory=list)
    changes: list[tuple] = field(default_factory=list)  # (day, order, position) for employments

    def start_at(self, t: date) -> tuple | None:
        known = [s for s in self.starts if s[0] <= t]
        if not known:
            return None
        latest = max(known, key=lambda s: s[:2])
        if any(latest[0] <= end <= t for end in self.ends):
            return None
        return latest

    def position_at(self, t: date) -> str | None:
        start = self.start_at(t)
        if start is None:
            return None
        changes = [c for c in self.changes if start[0] <= c[0] <= t]
        return max(changes, key=lambda c: c[:2])[2] if changes else start[2]


def latest(current, candidate):
    return candidate if current is None or candidate[0] > current[0] else current


def earliest(mapping: dict, key, value: date | None) -> None:
    if value is not None and (key not in mapping or value < mapping[key]):
        mapping[key] = value


class World:
    """The facts of a set of events (duplicates by (source, id) count once)."""

    def __init__(self, records: list[Record]):
        self.orgs: dict[str, tuple] = {}
        self.jobs: dict[tuple[str, str], Log] = defaultdict(Log)
        self.experience: dict[str, date] = {}
        self.birth: dict[str, date] = {}
        self.profiles: dict[str, list] = defaultdict(list)
        self.vacancies: dict[str, tuple] = {}
        self.vacancy_closed: dict[str, date] = {}
        self.reserve: dict[tuple[str, str], Log] = defaultdict(Log)
        self.programs: dict[str, tuple] = {}
        self.courses: dict[str, list] = defaultdict(list)
        self.diagnostics: dict[str, list] = defaultdict(list)
        self.routes: dict[str, tuple] = {}
        self.route_completed: dict[str, date] = {}
        self.attestations: dict[str, list] = defaultdict(list)
        self.competitions: dict[str, list] = defaultdict(list)
        self.assessments: dict[str, list] = defaultdict(list)
        self.support: dict[str, list] = defaultdict(list)
        self.pairs: dict[str, tuple] = {}
        self.pair_ended: dict[str, date] = {}
        self.mentors: dict[str, tuple] = {}
        self.memberships: dict[tuple[str, str], Log] = defaultdict(Log)
        self.requests: dict[str, tuple] = {}
        self.request_met: dict[str, date] = {}
        self.expert_roles: dict[tuple[str, str], Log] = defaultdict(Log)
        self.asset: dict[tuple[str, str], Log] = defaultdict(Log)
        self.projects: dict[tuple[str, str], Log] = defaultdict(Log)
        self.curators: dict[tuple[str, str], Log] = defaultdict(Log)
        seen = set()
        for r in records:
            if r.key not in seen:
                seen.add(r.key)
                self.add(r.kind, r.data, r.order)
        # by person, so that each per-person test reads only that person's facts
        self.person_jobs: dict[str, list] = defaultdict(list)
        for (person, org), job in self.jobs.items():
            self.person_jobs[person].append((org, job))
        self.person_memberships: dict[str, list] = defaultdict(list)
        for (person, _), membership in self.memberships.items():
            self.person_memberships[person].append(membership)
        self.person_routes: dict[str, list] = defaultdict(list)
        for route_id, (_, owner, started) in self.routes.items():
            self.person_routes[owner].append((route_id, started))
        self.mentee_pairs: dict[str, list] = defaultdict(list)
        for pair, (_, _, mentee, started) in self.pairs.items():
            self.mentee_pairs[mentee].append((pair, started))

    def add(self, kind: str, d: dict, order) -> None:  # noqa: C901 - one branch per event kind, as SPEC §3 lists them
        if kind == "organization_registered":
            self.orgs[d["org_id"]] = latest(self.orgs.get(d["org_id"]), (order, d))
        elif kind == "employment_started":
            person = d["person_id"]
            self.jobs[(person, d["org_id"])].starts.append(
                (day(d["started_on"]), order, d["position"], bool(d.get("subjects")), d.get("education_matches_profile")))
            earliest(self.experience, person, day(d["pedagogical_experience_since"]))
            earliest(self.birth, person, day(d.get("birth_date")))
        elif kind == "employment_ended":
            self.jobs[(d["person_id"], d["org_id"])].ends.append(day(d["ended_on"]))
        elif kind == "position_changed":
            self.jobs[(d["person_id"], d["org_id"])].changes.append((day(d["changed_on"]), order, d["position"]))
        elif kind == "education_profile_recorded":
            self.profiles[d["person_id"]].append((day(d["recorded_on"]), order, d["matches_profile"]))
        elif kind == "vacancy_opened":
            self.vacancies[d["vacancy_id"]] = latest(self.vacancies.get(d["vacancy_id"]),
                                                     (order, d["org_id"], day(d["opened_on"])))
        elif kind == "vacancy_closed":
            earliest(self.vacancy_closed, d["vacancy_id"], day(d["closed_on"]))
        elif kind == "reserve_enrolled":
            self.reserve[(d["person_id"], d["municipality_id"])].starts.append((day(d["enrolled_on"]), order))
        elif kind == "reserve_left":
            self.reserve[(d["person_id"], d["municipality_id"])].ends.append(day(d["left_on"]))
        elif kind == "program_published":
            self.programs[d["program_id"]] = latest(self.programs.get(d["program_id"]), (order, d["kind"], d["format"]))
        elif kind == "course_completed":
            self.courses[d["person_id"]].append(
                (day(d["completed_on"]), d["program_id"], frozenset(d.get("addresses_deficits") or ())))
        elif kind == "diagnostics_completed":
            self.diagnostics[d["person_id"]].append(
                (day(d["completed_on"]), frozenset(x["code"] for x in d["deficits"])))
        elif kind == "route_started":
            self.routes[d["route_id"]] = latest(self.routes.get(d["route_id"]),
                                                (order, d["person_id"], day(d["started_on"])))
        elif kind == "route_completed":
            earliest(self.route_completed, d["route_id"], day(d["completed_on"]))
        elif kind == "attestation_passed":
            decided = day(d["decided_on"])
            self.attestations[d["person_id"]].append(
                (d["category"], decided, day(d.get("valid_until")) or add_years(decided, 5)))
        elif kind == "competition_participated":
            self.competitions[d["person_id"]].append(day(d["participated_on"]))
        elif kind == "independent_assessment_passed":
            self.assessments[d["person_id"]].append(day(d["passed_on"]))
        elif kind == "support_event_attended":
            self.support[d["person_id"]].append((day(d["attended_on"]), d["kind"], d.get("role") or "participant"))
        elif kind == "pair_assigned":
            self.pairs[d["pair_id"]] = latest(self.pairs.get(d["pair_id"]),
                                              (order, d["mentor_id"], d["mentee_person_id"], day(d["started_on"])))
        elif kind == "pair_ended":
            earliest(self.pair_ended, d["pair_id"], day(d["ended_on"]))
        elif kind == "mentor_registered":
            self.mentors[d["mentor_id"]] = latest(self.mentors.get(d["mentor_id"]),
                                                  (order, d.get("external_organization") is not None))
        elif kind == "community_joined":
            self.memberships[(d["person_id"], d["community_id"])].starts.append(
                (day(d["joined_on"]), order, d["kind"]))
        elif kind == "community_left":
            self.memberships[(d["person_id"], d["community_id"])].ends.append(day(d["left_on"]))
        elif kind == "pd_request_submitted":
            self.requests[d["request_id"]] = latest(self.requests.get(d["request_id"]),
                                                    (order, d["person_id"], day(d["submitted_on"])))
        elif kind == "pd_request_met":
            earliest(self.request_met, d["request_id"], day(d["met_on"]))
        elif kind in ("expert_role_started", "expert_role_ended"):
            log = self.expert_roles[(d["person_id"], d["role_id"])]
            log.starts.append((day(d["started_on"]), order)) if "started_on" in d else log.ends.append(day(d["ended_on"]))
        elif kind in ("asset_joined", "asset_left"):
            log = self.asset[(d["person_id"], d["municipality_id"])]
            log.starts.append((day(d["joined_on"]), order)) if "joined_on" in d else log.ends.append(day(d["left_on"]))
        elif kind in ("project_enrolled", "project_left"):
            log = self.projects[(d["person_id"], d["project_id"])]
            log.starts.append((day(d["enrolled_on"]), order)) if "enrolled_on" in d else log.ends.append(day(d["left_on"]))
        elif kind in ("curator_appointed", "curator_released"):
            log = self.curators[(d["org_id"], d["person_id"])]
            if "appointed_on" in d:
                log.starts.append((day(d["appointed_on"]), order))
            else:
                log.ends.append(day(d["released_on"]))

    # -- scopes ------------------------------------------------------------------------------

    def orgs_in(self, scope: Scope) -> set[str]:
        if scope.kind == "organization":
            return {scope.id}
        field_ = "municipality_id" if scope.kind == "municipality" else "region_id"
        return {o for o, (_, d) in self.orgs.items() if d[field_] == scope.id}

    def municipalities_in(self, scope: Scope) -> set[str]:
        if scope.kind == "municipality":
            return {scope.id}
        if scope.kind == "region":
            return {d["municipality_id"] for _, d in self.orgs.values() if d["region_id"] == scope.id}
        return set()

    def org_kind(self, org: str) -> str | None:
        entry = self.orgs.get(org)
        return entry[1]["kind"] if entry else None


def counts_in_population(world: World, org: str, position: str | None, subjects: bool, population: str) -> bool:
    """Whether a position held at an organisation is in the population (§4.2), always pedagogical."""
    if position is None or position == "non_pedagogical":
        return False
    if population == "pedagogical":
        return True
    if position not in TEACHERS:
        return False
    if population == "school_teachers":
        return world.org_kind(org) == "school"
    if population == "subject_teachers":
        return subjects
    return True


def staff(world: World, scope: Scope, t: date, population: str = "pedagogical") -> set[str]:
    """STAFF(t, S) of the population."""
    orgs = world.orgs_in(scope)
    found = set()
    for (person, org), log in world.jobs.items():
        if org in orgs:
            start = log.start_at(t)
            if start is not None and counts_in_population(world, org, log.position_at(t), start[3], population):
                found.add(person)
    return found


def heads(world: World, scope: Scope, t: date) -> set[str]:
    orgs = world.orgs_in(scope)
    return {person for (person, org), log in world.jobs.items() if org in orgs and log.position_at(t) == "director"}


def is_young(world: World, person: str, t: date, young: str) -> bool:
    by_experience = world.experience.get(person, date.min) > add_years(t, -3)
    born = world.birth.get(person)
    by_age = born is not None and born > add_years(t, -35)
    if young == "experience_under_3y":
        return by_experience
    if young == "age_under_35":
        return by_age
    return by_age and by_experience


@dataclass(frozen=True)
class Window:
    """The days a window of D holds: [first, D] (first may lie after D: then it is empty)."""

    first: date
    last: date

    def holds(self, c: date) -> bool:
        return self.first <= c <= self.last

    def meets(self, a: date, b: date | None) -> bool:
        """Whether the interval [a, b) is active on at least one day of the window."""
        top = self.last if b is None else min(self.last, b - DAY)
        return max(a, self.first) <= top


def window(v: Variant, d: date) -> Window:
    name = v.window
    if name == "rolling_3y":
        return Window(add_years(d, -3) + DAY, d)
    if name == "rolling_1y":
        return Window(add_years(d, -1) + DAY, d)
    if name == "since_period_start":
        return Window(v.period_start, d)
    if name == "calendar_year":
        return Window(date(d.year, 1, 1), d)
    if name == "school_year":
        return Window(date(d.year if d >= date(d.year, 9, 1) else d.year - 1, 9, 1), d)
    raise ValueError(name)


W1 = Variant(window="rolling_1y")


class Tests:
    """The per-person conditions of the definitions, for one day D and one variant."""

    def __init__(self, world: World, d: date, v: Variant, scope: Scope):
        self.w, self.d, self.v, self.scope = world, d, v, scope
        self.win = window(v, d) if v.window else window(W1, d)

    def courses(self, p: str, wanted=None) -> bool:
        for on, program, _ in self.w.courses.get(p, ()):
            if self.win.holds(on) and (wanted is None or wanted(self.w.programs.get(program))):
                return True
        return False

    def digital_courses(self, p: str) -> bool:
        return self.courses(p, lambda prog: prog is not None and prog[2] in DIGITAL)

    def retraining_courses(self, p: str) -> bool:
        return self.courses(p, lambda prog: prog is not None and prog[1] == "retraining")

    def diagnostics(self, p: str) -> bool:
        return any(self.win.holds(on) for on, _ in self.w.diagnostics.get(p, ()))

    def deficit_found(self, p: str) -> bool:
        return any(self.win.holds(on) and codes for on, codes in self.w.diagnostics.get(p, ()))

    def deficit_training(self, p: str) -> bool:
        found = [(on, codes) for on, codes in self.w.diagnostics.get(p, ()) if codes and self.win.holds(on)]
        return any(self.win.holds(on) and on >= found_on and codes & addresses
                   for on, _, addresses in self.w.courses.get(p, ()) for found_on, codes in found)

    def route(self, p: str) -> bool:
        w1_start = add_years(self.d, -1)
        for route_id, started in self.w.person_routes.get(p, ()):
            done = self.w.route_completed.get(route_id)
            if started <= self.d and (done is None or done > w1_start):
                return True
        return False

    def held_categories(self, p: str) -> list[date]:
        return [until for category, decided, until in self.w.attestations.get(p, ())
                if category in COUNTED and decided <= self.d < until]

    def category(self, p: str) -> bool:
        return bool(self.held_categories(p))

    def category_expiring(self, p: str) -> bool:
        held = self.held_categories(p)
        return bool(held) and max(held) <= add_months(self.d, 6)

    def mentee(self, p: str, win: Window) -> bool:
        return any(win.meets(started, self.w.pair_ended.get(pair)) for pair, started in self.w.mentee_pairs.get(p, ()))

    def mentee_in_w1(self, p: str) -> bool:
        return self.mentee(p, window(W1, self.d))

    def competitions(self, p: str) -> bool:
        if any(self.win.holds(on) for on in self.w.competitions.get(p, ())):
            return True
        return self.v.competition == "competitions_and_speaking" and any(
            self.win.holds(on) and role == "speaker" for on, _, role in self.w.support.get(p, ()))

    def enrolled(self, p: str, t: date, project: str | None = None) -> bool:
        """Enrolled on day t in the project (in any project when None)."""
        return any(log.start_at(t) is not None for (person, project_id), log in self.w.projects.items()
                   if person == p and project in (None, project_id))

    def project(self, p: str) -> bool:
        return self.enrolled(p, self.d)

    def expert_in_w1(self, p: str) -> bool:
        w1 = window(W1, self.d)
        for (person, _), log in self.w.expert_roles.items():
            if person != p:
                continue
            t = w1.first
            while t <= w1.last:  # day by day, as council_member_in_window
                if log.start_at(t) is not None:
                    return True
                t += DAY
        return False

    def support(self, p: str) -> bool:
        project = project_of(self.v.support)
        if project is not None:
            return self.enrolled(p, self.d, project)
        if any(self.win.holds(on) for on, _, _ in self.w.support.get(p, ())):
            return True
        if self.v.support != "any_support":
            return False
        return self.mentee(p, self.win) or self.council_member_in_window(p)

    def council_member_in_window(self, p: str) -> bool:
        for log in self.w.person_memberships.get(p, ()):
            t = self.win.first
            while t <= self.win.last:  # day by day: the reference is meant to be obvious, not fast
                start = log.start_at(t)
                if start is not None and start[2] == "young_teachers_council":
                    return True
                t += DAY
        return False

    def burnout_support(self, p: str) -> bool:
        return any(self.win.holds(on) and kind == "burnout_prevention" for on, kind, _ in self.w.support.get(p, ()))

    def attestation(self, p: str) -> bool:
        return any(self.win.holds(decided) for _, decided, _ in self.w.attestations.get(p, ()))

    def assessments(self, p: str) -> bool:
        return any(self.win.holds(on) for on in self.w.assessments.get(p, ()))

    def community(self, p: str) -> bool:
        return any(log.start_at(self.d) is not None for log in self.w.person_memberships.get(p, ()))

    def profile_match(self, p: str) -> bool:
        records = [r for r in self.w.profiles.get(p, ()) if r[0] <= self.d]
        if records:
            return bool(max(records, key=lambda r: r[:2])[2])
        starts = [s for _, log in self.w.person_jobs.get(p, ()) for s in log.starts
                  if s[0] <= self.d and s[4] is not None]
        return bool(max(starts, key=lambda s: s[:2])[4]) if starts else False

    def age_60_plus(self, p: str) -> bool:
        born = self.w.birth.get(p)
        return born is not None and born <= add_years(self.d, -60)


def first_hire(world: World, scope: Scope, person: str, population: str) -> date | None:
    """The day the person's first employment in S with a starting position of the population started."""
    orgs = world.orgs_in(scope)
    days = [s[0] for org, log in world.person_jobs.get(person, ()) if org in orgs
            for s in log.starts if counts_in_population(world, org, s[2], s[3], population)]
    return min(days, default=None)


def open_vacancies(world: World, scope: Scope, d: date) -> set[str]:
    orgs = world.orgs_in(scope)
    return {v for v, (_, org, opened) in world.vacancies.items()
            if org in orgs and opened <= d and (world.vacancy_closed.get(v) is None or world.vacancy_closed[v] > d)}


def active_mentors(world: World, people: set[str], d: date, employer_only: bool) -> set[str]:
    found = set()
    for pair, (_, mentor, mentee, started) in world.pairs.items():
        ended = world.pair_ended.get(pair)
        if mentee in people and started <= d and (ended is None or d < ended):
            if not employer_only or world.mentors.get(mentor, (None, False))[1]:
                found.add(mentor)
    return found


def evaluate(world: World, scope: Scope, d: date, variants: dict[str, Variant] | None = None) -> dict[str, Outcome]:
    """Every indicator for ``scope`` as of ``d``; ``variants`` replaces the default of some codes."""
    return {i.code: outcome(world, scope, d, i.code, (variants or {}).get(i.code, i.default)) for i in INDICATORS}


def outcome(world: World, scope: Scope, d: date, code: str, v: Variant) -> Outcome:  # noqa: C901 - one case per `among`
    ind = BY_CODE[code]
    if not ind.applies_to(scope.kind):
        return Outcome(code, None, None)
    population = v.population or "pedagogical"
    people = staff(world, scope, d, population)
    tests = Tests(world, d, v, scope)
    young = v.young or "experience_under_3y"
    if ind.entity == "vacancy":
        return Outcome(code, frozenset(open_vacancies(world, scope, d)), None)
    if ind.entity == "mentor":
        return Outcome(code, frozenset(active_mentors(world, people, d, code == "employer_mentors_count")), None)
    if ind.entity == "organization":
        orgs = {o for o in world.orgs_in(scope) if staff(world, Scope("organization", o), d)}
        if ind.condition == "org_curated":
            above = {o for (o, _), log in world.curators.items() if o in orgs and log.start_at(d) is not None}
            return Outcome(code, frozenset(above), frozenset(orgs))
        with_vacancies = {o for o in orgs if open_vacancies(world, Scope("organization", o), d)}
        return Outcome(code, frozenset(with_vacancies), frozenset(orgs))
    if ind.entity == "request":
        win = window(v, d)
        below = {r for r, (_, p, submitted) in world.requests.items() if p in people and win.holds(submitted)}
        above = {r for r in below if world.request_met.get(r) is not None and world.request_met[r] <= d}
        return Outcome(code, frozenset(above), frozenset(below))
    cohort = project_of(v.cohort)
    among = ind.among
    if among == "staff":
        below = people
    elif among == "young" and cohort is not None:  # the project's participants, young or not
        below = {p for p in people if tests.enrolled(p, d, cohort)}
    elif among == "young":
        below = {p for p in people if is_young(world, p, d, young)}
    elif among == "staff_with_deficit":
        below = {p for p in people if tests.deficit_found(p)}
    elif among == "young_3y_before":
        then = add_years(d, -3)
        below = {p for p in staff(world, scope, then, population)
                 if (tests.enrolled(p, then, cohort) if cohort is not None else is_young(world, p, then, young))}
    elif among == "heads":
        below = heads(world, scope, d)
    elif among == "staff_1y_before":
        below = staff(world, scope, add_years(d, -1), population)
    elif among == "hires_in_w1":
        w1 = window(W1, d)
        hires = {p: first_hire(world, scope, p, population) for p in world.person_jobs}
        below = {p for p, f in hires.items() if f is not None and w1.holds(f)}
        above = {p for p in below if is_young(world, p, hires[p], young)}
        return Outcome(code, frozenset(above), frozenset(below))
    elif among is None:
        below = people
    else:
        raise ValueError(among)
    condition = ind.condition
    if condition == "in_staff":
        above = below & people
    elif condition == "left_staff":
        above = below - people
    elif condition == "reserve":
        above = {p for (p, m), log in world.reserve.items()
                 if m in world.municipalities_in(scope) and log.start_at(d) is not None}
    elif condition == "asset":
        above = {p for p in below if any(log.start_at(d) is not None for (person, m), log in world.asset.items()
                                         if person == p and m in world.municipalities_in(scope))}
    elif condition == "young_at_hire":
        raise AssertionError("handled with its among")
    else:
        test = CONDITIONS[condition]
        above = {p for p in below if test(tests, p)}
    if ind.unit == "count":
        return Outcome(code, frozenset(above), None)
    extra = len(open_vacancies(world, scope, d)) if ind.denominator_adds == "open_vacancies" else 0
    return Outcome(code, frozenset(above), frozenset(below), extra)


CONDITIONS = {
    "courses": Tests.courses, "digital_courses": Tests.digital_courses, "retraining_courses": Tests.retraining_courses,
    "diagnostics": Tests.diagnostics, "deficit_training": Tests.deficit_training, "route": Tests.route,
    "category": Tests.category, "category_expiring": Tests.category_expiring, "mentee_in_w1": Tests.mentee_in_w1,
    "competitions": Tests.competitions, "support": Tests.support, "burnout_support": Tests.burnout_support,
    "attestation": Tests.attestation, "assessments": Tests.assessments, "community": Tests.community,
    "profile_match": Tests.profile_match, "age_60_plus": Tests.age_60_plus, "expert_in_w1": Tests.expert_in_w1,
    "project": Tests.project,
}
"""Condition name (definitions) → the per-person test; the other conditions are set operations above."""
