"""The indicators of compute.py, computed over facts ordered by day: the same answers, fast.

compute.py states each definition person by person, as SPEC §4 reads; this module gets the
same sets by slicing day-ordered facts with a window and intersecting sets, so a region of
tens of thousands of staff is answered in tens of milliseconds. Tests hold the two equal.
"""

from __future__ import annotations

from datetime import date, timedelta

from pedgrowth.contracts import add_years

from .compute import DIGITAL, Outcome, Persons, Scope, Windows, open_vacancies
from .facts import Facts


def staff_of(facts: Facts, scope: Scope, orgs: set[str], d: date) -> tuple[set[str], set[str], set[str]]:
    """STAFF, HEADS and YOUNG of a scope, remembered while no employment or organisation fact changes."""
    def compute():
        people, heads = staff_fast(facts, orgs, d)
        return people, heads, young_fast(facts, people, d)
    return facts.remembered("staff", ("staff",), (str(scope), d), compute)


def staff_fast(facts: Facts, orgs: set[str], d: date) -> tuple[set[str], set[str]]:
    """STAFF(D,S) and HEADS(D,S), from the employment starts on or before D."""
    people: set[str] = set()
    heads: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for started, person, org, _, log in facts.starts_by_day.upto(d):
        if org not in orgs:
            continue
        if len(log.starts) == 1 and not log.changes:  # most employments: one start, maybe an end
            if log.ends and any(started <= end <= d for end in log.ends):
                continue
            position = log.starts[0][2]
        else:
            if (person, org) in seen:
                continue
            seen.add((person, org))
            position = log.position_at(d)
        if position is None or position == "non_pedagogical":
            continue
        people.add(person)
        if position == "director":
            heads.add(person)
    return people, heads


def young_fast(facts: Facts, people: set[str], d: date) -> set[str]:
    since = add_years(d, -3)
    experience = facts.experience
    return {p for p in people if experience.get(p, date.min) > since}


def evaluate_fast(facts: Facts, scope: Scope, d: date) -> dict[str, Outcome]:
    """Every indicator of SPEC §4 for ``scope`` as of ``d`` (equal to compute.evaluate)."""
    w = Windows.of(d)
    orgs = facts.organizations(scope.kind, scope.id)
    people, heads, young_now = staff_of(facts, scope, orgs, d)
    out: dict[str, Outcome] = {}
    frozen: dict[int, frozenset[str]] = {}

    def ratio(code: str, among: set[str], hits: set[str]) -> None:
        below = frozen.get(id(among))
        if below is None:
            below = frozen[id(among)] = frozenset(among)
        out[code] = Outcome(code, below & hits, below)

    key = (str(scope), d)
    trained = facts.courses_by_day.persons_between(w.w3, d)
    ratio("training_coverage", people, trained)
    ratio("digital_training_coverage", people, facts.remembered(
        "digital", ("program_published", "course_completed"), (d,), lambda: program_persons(facts, w, DIGITAL, 2)))
    ratio("diagnostics_coverage", people, facts.diagnostics_by_day.persons_between(w.w3, d))
    with_deficits = people & facts.deficits_by_day.persons_between(w.w3, d)
    ratio("deficit_targeted_training", with_deficits, facts.remembered(
        "deficit", ("staff", "course_completed", "diagnostics_completed"), key,
        lambda: deficit_persons(facts, w, with_deficits)))
    ratio("individual_route_coverage", people, facts.remembered(
        "routes", ("route_started", "route_completed"), (d,), lambda: route_persons(facts, w)))
    retrained = facts.remembered("retrained", ("program_published", "course_completed"), (d,),
                                 lambda: program_persons(facts, w, {"retraining"}, 1))
    out["retraining_count"] = Outcome("retraining_count", frozenset(people & retrained), None)
    ratio("category_share", people, facts.remembered(
        "category", ("attestation_passed",), (d,), lambda: category_persons(facts, d)))
    mentees, active_pairs = facts.remembered("pairs", ("pair_assigned", "pair_ended"), (d,),
                                             lambda: pair_persons(facts, w))
    ratio("young_mentoring_coverage", young_now, mentees)
    out["mentors_count"] = Outcome("mentors_count", facts.remembered(
        "mentors", ("staff", "pair_assigned", "pair_ended"), key,
        lambda: frozenset(m for m, mentee in active_pairs if mentee in people)), None)
    competed = facts.competitions_by_day.persons_between(w.w1, d)
    ratio("competition_share", people, competed)
    ratio("young_competition_share", young_now, competed)
    ratio("young_support_share", young_now, facts.support_by_day.persons_between(w.w1, d))
    ratio("young_training_coverage", young_now, trained)
    then = add_years(d, -3)
    young_then = staff_of(facts, scope, orgs, then)[2]
    ratio("young_retention_3y", young_then, people)
    out["reserve_ratio"] = reserve_fast(facts, scope, d, heads)
    ratio("community_coverage", people, facts.remembered(
        "members", ("community_joined", "community_left"), (d,), lambda: member_persons(facts, d)))
    ratio("profile_education_share", people, facts.remembered(
        "profile", ("staff", "education_profile_recorded"), key,
        lambda: {p for p in people if profile_fast(facts, p, d)}))
    ratio("independent_assessment_share", people, facts.assessments_by_day.persons_between(w.w3, d))
    vacancies = open_vacancies(facts, orgs, d)
    out["open_vacancies"] = Outcome("open_vacancies", frozenset(vacancies), None)
    out["staffing_ratio"] = Outcome("staffing_ratio", frozenset(people), frozenset(people), len(vacancies))
    return out


def program_persons(facts: Facts, w: Windows, wanted: set[str], field: int) -> set[str]:
    """Persons with a course in W3 of a programme whose kind (field 1) or format (field 2) is wanted."""
    found: set[str] = set()
    for program, courses in facts.program_courses.items():
        entry = facts.programs.get(program)
        if entry is not None and entry[field] in wanted:
            found |= courses.persons_between(w.w3, w.d)
    return found


def route_persons(facts: Facts, w: Windows) -> set[str]:
    """Owners of routes started by D and not completed before W1 began."""
    found = set()
    routes, completed = facts.routes, facts.route_completed
    for _, route in facts.routes_by_day.upto(w.d):
        _, person, started = routes[route]
        done = completed.get(route)
        if started <= w.d and (done is None or done > w.w1):
            found.add(person)
    return found


def category_persons(facts: Facts, d: date) -> set[str]:
    """Persons holding a counted category on D."""
    earliest = d - timedelta(days=facts.longest_validity + 1)
    return {person for _, person, until, counts in facts.attestations_by_day.between(earliest, d)
            if counts and d < until}


def deficit_persons(facts: Facts, w: Windows, with_deficits: set[str]) -> set[str]:
    """Of those with a deficit found in W3, who trained on it afterwards within W3."""
    candidates = with_deficits & facts.addressing_by_day.persons_between(w.w3, w.d)
    persons = Persons(facts, w)
    return {p for p in candidates if persons.trained_for_deficit(p)}


def pair_persons(facts: Facts, w: Windows) -> tuple[set[str], list[tuple[str, str]]]:
    """Mentees of pairs active on a day of W1, and (mentor, mentee) of the pairs active on D."""
    first_day = w.w1 + timedelta(days=1)
    mentees, active = set(), []
    pairs, ended_on = facts.pairs, facts.pair_ended
    for _, pair in facts.pairs_by_day.upto(w.d):
        _, mentor, mentee, started = pairs[pair]
        if started > w.d:
            continue
        ended = ended_on.get(pair)
        if ended is None or ended > max(started, first_day):
            mentees.add(mentee)
        if ended is None or w.d < ended:
            active.append((mentor, mentee))
    return mentees, active


def member_persons(facts: Facts, d: date) -> set[str]:
    """Persons with a membership active on D: some join on or before D with no leave in [join, D]."""
    found = set()
    for joined, person, _, _, log in facts.joins_by_day.upto(d):
        if not log.ends or (person not in found and not any(joined <= left <= d for left in log.ends)):
            found.add(person)
    return found


def profile_fast(facts: Facts, person: str, d: date) -> bool:
    records = facts.profiles.get(person)
    if not records:
        starts = facts.person_starts.get(person)
        if not starts:
            return False
        if len(starts) == 1:
            return starts[0][0] <= d and bool(starts[0][2])
    return Persons(facts, Windows(d, d, d)).profile_matches(person)


def reserve_fast(facts: Facts, scope: Scope, d: date, heads: set[str]) -> Outcome:
    if scope.kind == "organization":
        return Outcome("reserve_ratio", None, None)
    enrolled = set()
    for municipality in facts.municipalities(scope.kind, scope.id):
        for person in facts.municipality_reserve.get(municipality, ()):
            if person not in enrolled and facts.reserve[(person, municipality)].active(d):
                enrolled.add(person)
    return Outcome("reserve_ratio", frozenset(enrolled), frozenset(heads))


def evaluate_best(facts: Facts, scope: Scope, d: date) -> dict[str, Outcome]:
    """Person by person for a scope with a small share of all employments, by day-ordered facts otherwise."""
    from .compute import evaluate

    orgs = facts.organizations(scope.kind, scope.id)
    size = sum(len(facts.org_people.get(org, ())) for org in orgs)
    if size * 4 > len(facts.employments):
        return evaluate_fast(facts, scope, d)
    return evaluate(facts, scope, d)
