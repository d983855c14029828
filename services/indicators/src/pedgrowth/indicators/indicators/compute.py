"""The 20 indicators of SPEC §4 for one scope and one as-of date, computed from the facts.

Each indicator is a numerator set and a denominator set (or only a numerator, for counts),
so the members endpoint and the numbers come from one computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pedgrowth.contracts import add_years
from pedgrowth.contracts.scope import SCOPE_KINDS, BadScope, Scope  # noqa: F401 - re-exported

from ..definitions import BY_CODE, share
from .facts import Facts

CATEGORIES = frozenset({"first", "highest", "pedagogue_methodist", "pedagogue_mentor"})
DIGITAL = frozenset({"distance", "blended"})


@dataclass(frozen=True)
class Outcome:
    """One indicator's members: who is counted above and below the line."""

    code: str
    numerator: frozenset[str] | None
    denominator: frozenset[str] | None
    extra_denominator: int = 0  # staffing_ratio counts open vacancies below the line too

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


@dataclass(frozen=True)
class Windows:
    """The dates an as-of day D needs: W1 = (D − 1y, D], W3 = (D − 3y, D]."""

    d: date
    w1: date  # exclusive start of W1
    w3: date  # exclusive start of W3

    @classmethod
    def of(cls, d: date) -> Windows:
        return cls(d, add_years(d, -1), add_years(d, -3))

    def in_w1(self, t: date) -> bool:
        return self.w1 < t <= self.d

    def in_w3(self, t: date) -> bool:
        return self.w3 < t <= self.d


def staff(facts: Facts, orgs: set[str], d: date) -> tuple[set[str], set[str]]:
    """STAFF(D,S) and HEADS(D,S): pedagogical staff with an active employment, and its directors."""
    people: set[str] = set()
    heads: set[str] = set()
    for org in orgs:
        for person in facts.org_people.get(org, ()):
            position = facts.employments[(person, org)].position_at(d)
            if position is None or position == "non_pedagogical":
                continue
            people.add(person)
            if position == "director":
                heads.add(person)
    return people, heads


def young(facts: Facts, people: set[str], d: date) -> set[str]:
    """Those of ``people`` whose pedagogical experience began after D − 3 years."""
    since = add_years(d, -3)
    return {p for p in people if facts.experience.get(p, date.min) > since}


def evaluate(facts: Facts, scope: Scope, d: date) -> dict[str, Outcome]:
    """Every indicator of SPEC §4 for ``scope`` as of ``d``."""
    w = Windows.of(d)
    orgs = facts.organizations(scope.kind, scope.id)
    people, heads = staff(facts, orgs, d)
    young_now = young(facts, people, d)
    persons = Persons(facts, w)
    out: dict[str, Outcome] = {}

    def ratio(code: str, among: set[str], test) -> None:
        out[code] = Outcome(code, frozenset(p for p in among if test(p)), frozenset(among))

    ratio("training_coverage", people, persons.trained)
    ratio("digital_training_coverage", people, persons.trained_digitally)
    ratio("diagnostics_coverage", people, persons.diagnosed)
    with_deficits = {p for p in people if persons.deficits_found(p)}
    ratio("deficit_targeted_training", with_deficits, persons.trained_for_deficit)
    ratio("individual_route_coverage", people, persons.on_route)
    out["retraining_count"] = Outcome("retraining_count", frozenset(p for p in people if persons.retrained(p)), None)
    ratio("category_share", people, persons.has_category)
    ratio("young_mentoring_coverage", young_now, persons.mentored_in_w1)
    out["mentors_count"] = Outcome("mentors_count", frozenset(persons.mentors_of(people)), None)
    ratio("competition_share", people, persons.competed)
    ratio("young_competition_share", young_now, persons.competed)
    ratio("young_support_share", young_now, persons.supported)
    ratio("young_training_coverage", young_now, persons.trained)
    then = add_years(d, -3)
    young_then = young(facts, staff(facts, orgs, then)[0], then)
    ratio("young_retention_3y", young_then, people.__contains__)
    out["reserve_ratio"] = reserve_ratio(facts, scope, d, heads)
    ratio("community_coverage", people, persons.in_community)
    ratio("profile_education_share", people, persons.profile_matches)
    ratio("independent_assessment_share", people, persons.assessed)
    vacancies = open_vacancies(facts, orgs, d)
    out["open_vacancies"] = Outcome("open_vacancies", frozenset(vacancies), None)
    out["staffing_ratio"] = Outcome("staffing_ratio", frozenset(people), frozenset(people), len(vacancies))
    return out


def reserve_ratio(facts: Facts, scope: Scope, d: date, heads: set[str]) -> Outcome:
    """Persons in the managers' reserve of the scope's municipalities at D, against HEADS."""
    if scope.kind == "organization":
        return Outcome("reserve_ratio", None, None)
    enrolled = {
        person
        for municipality in facts.municipalities(scope.kind, scope.id)
        for person in facts.municipality_reserve.get(municipality, ())
        if facts.reserve[(person, municipality)].active(d)
    }
    return Outcome("reserve_ratio", frozenset(enrolled), frozenset(heads))


def open_vacancies(facts: Facts, orgs: set[str], d: date) -> set[str]:
    """Vacancies at the scope's organisations opened on or before D and not closed by D."""
    found = set()
    for org in orgs:
        for vacancy in facts.org_vacancies.get(org, ()):
            _, at, opened = facts.vacancies[vacancy]
            closed = facts.vacancy_closed.get(vacancy)
            if at == org and opened <= d and (closed is None or closed > d):
                found.add(vacancy)
    return found


class Persons:
    """Per-person tests of SPEC §4 for one as-of date."""

    def __init__(self, facts: Facts, windows: Windows):
        self.f = facts
        self.w = windows

    def _courses_w3(self, person: str):
        return [c for c in self.f.courses.get(person, ()) if self.w.in_w3(c[0])]

    def _program(self, program_id: str) -> tuple:
        return self.f.programs.get(program_id) or (None, None, None)

    def trained(self, person: str) -> bool:
        return any(self.w.in_w3(c[0]) for c in self.f.courses.get(person, ()))

    def trained_digitally(self, person: str) -> bool:
        return any(self._program(c[1])[2] in DIGITAL for c in self._courses_w3(person))

    def retrained(self, person: str) -> bool:
        return any(self._program(c[1])[1] == "retraining" for c in self._courses_w3(person))

    def diagnosed(self, person: str) -> bool:
        return any(self.w.in_w3(t) for t, _ in self.f.diagnostics.get(person, ()))

    def _deficit_diagnostics(self, person: str):
        return [(t, codes) for t, codes in self.f.diagnostics.get(person, ()) if codes and self.w.in_w3(t)]

    def deficits_found(self, person: str) -> bool:
        return bool(self._deficit_diagnostics(person))

    def trained_for_deficit(self, person: str) -> bool:
        found = self._deficit_diagnostics(person)
        return any(
            on >= found_on and codes & addresses
            for on, _, addresses in self._courses_w3(person) if addresses
            for found_on, codes in found
        )

    def on_route(self, person: str) -> bool:
        for route in self.f.person_routes.get(person, ()):
            _, owner, started = self.f.routes[route]
            completed = self.f.route_completed.get(route)
            if owner == person and started <= self.w.d and (completed is None or completed > self.w.w1):
                return True
        return False

    def has_category(self, person: str) -> bool:
        return any(category in CATEGORIES and decided <= self.w.d < until
                   for category, decided, until in self.f.attestations.get(person, ()))

    def mentored_in_w1(self, person: str) -> bool:
        first_day = self.w.w1 + timedelta(days=1)
        for pair in self.f.mentee_pairs.get(person, ()):
            _, _, mentee, started = self.f.pairs[pair]
            ended = self.f.pair_ended.get(pair)
            if mentee == person and started <= self.w.d and (ended is None or ended > max(started, first_day)):
                return True
        return False

    def mentors_of(self, people: set[str]) -> set[str]:
        d = self.w.d
        mentors = set()
        for person in people:
            for pair in self.f.mentee_pairs.get(person, ()):
                _, mentor, mentee, started = self.f.pairs[pair]
                ended = self.f.pair_ended.get(pair)
                if mentee == person and started <= d and (ended is None or d < ended):
                    mentors.add(mentor)
        return mentors

    def competed(self, person: str) -> bool:
        return any(self.w.in_w1(t) for t in self.f.competitions.get(person, ()))

    def supported(self, person: str) -> bool:
        return any(self.w.in_w1(t) for t in self.f.support.get(person, ()))

    def assessed(self, person: str) -> bool:
        return any(self.w.in_w3(t) for t in self.f.assessments.get(person, ()))

    def in_community(self, person: str) -> bool:
        return any(self.f.memberships[(person, c)].active(self.w.d) for c in self.f.person_communities.get(person, ()))

    def profile_matches(self, person: str) -> bool:
        """The latest education_profile_recorded ≤ D, else the latest employment_started value ≤ D."""
        d = self.w.d
        for records in (self.f.profiles.get(person, ()), self.f.person_starts.get(person, ())):
            known = [r for r in records if r[0] <= d]
            if known:
                return bool(max(known, key=lambda r: r[:2])[2])
        return False
