"""The fast computation (columns.py) equals the definition as written (compute.py) on random worlds."""

import random
from datetime import date, timedelta

import pytest
from pedgrowth.indicators.indicators.columns import evaluate_best, evaluate_fast
from pedgrowth.indicators.indicators.compute import Scope, evaluate

from tests.indicators.builders import course, facts_of, hired, left, org, program, record

START = date(2018, 1, 1)


def some_day(rng, span=2600):
    return (START + timedelta(days=rng.randrange(span))).isoformat()


def random_world(seed: int):
    rng = random.Random(seed)
    people = [f"p{i}" for i in range(40)]
    orgs = [("o1", "m1"), ("o2", "m1"), ("o3", "m2"), ("o4", "m2")]
    out = [org(o, m, "r1") for o, m in orgs[:3]]  # o4 is never registered
    out += [program("dist", format="distance"), program("pp", kind="retraining"), program("inp")]
    positions = ["teacher", "director", "non_pedagogical", "methodist"]
    for p in people:
        for _ in range(rng.choice([1, 1, 2])):
            o = rng.choice(orgs)[0]
            out.append(hired(p, some_day(rng), o, rng.choice(positions), since=some_day(rng, 2000),
                             **({"education_matches_profile": rng.random() < .5} if rng.random() < .7 else {})))
            if rng.random() < .4:
                out.append(left(p, some_day(rng), o))
            if rng.random() < .3:
                out.append(record("position_changed", person_id=p, org_id=o, position=rng.choice(positions),
                                  changed_on=some_day(rng)))
        for _ in range(rng.randrange(3)):
            out.append(course(p, some_day(rng), rng.choice(["dist", "pp", "inp", "unknown"]),
                              addresses_deficits=rng.sample(["A", "B"], rng.randrange(3))))
        if rng.random() < .6:
            out.append(record("diagnostics_completed", person_id=p, diagnostics_id="d", completed_on=some_day(rng),
                              deficits=[{"code": c, "area": "digital"} for c in rng.sample(["A", "B"], rng.randrange(3))]))
        if rng.random() < .5:
            out.append(record("attestation_passed", person_id=p, category=rng.choice(
                ["first", "highest", "position_compliance", "pedagogue_mentor"]), decided_on=some_day(rng)))
        for kind, field in (("competition_participated", "participated_on"), ("support_event_attended", "attended_on"),
                            ("independent_assessment_passed", "passed_on")):
            if rng.random() < .4:
                extra = {"competition_participated": {"competition_id": "c", "competition_name": "c",
                                                      "level": "regional", "result": "winner"},
                         "support_event_attended": {"event_id": "e", "event_name": "e", "kind": "seminar"},
                         "independent_assessment_passed": {"qualification": "q"}}[kind]
                out.append(record(kind, person_id=p, **{field: some_day(rng)}, **extra))
        if rng.random() < .4:
            out.append(record("route_started", route_id=f"r-{p}", person_id=p, started_on=some_day(rng)))
            if rng.random() < .5:
                out.append(record("route_completed", route_id=f"r-{p}", person_id=p, completed_on=some_day(rng)))
        if rng.random() < .4:
            out.append(record("pair_assigned", pair_id=f"pa-{p}", mentor_id=rng.choice(["m1", "m2", "m3"]),
                              mentee_person_id=p, form="teacher_teacher", started_on=some_day(rng)))
            if rng.random() < .5:
                out.append(record("pair_ended", pair_id=f"pa-{p}", ended_on=some_day(rng), outcome="completed"))
        if rng.random() < .5:
            out.append(record("community_joined", person_id=p, community_id="c1", community_name="c",
                              kind="methodical_association", level="school", joined_on=some_day(rng)))
            if rng.random() < .5:
                out.append(record("community_left", person_id=p, community_id="c1", left_on=some_day(rng)))
        if rng.random() < .3:
            out.append(record("education_profile_recorded", person_id=p, matches_profile=rng.random() < .5,
                              recorded_on=some_day(rng)))
        if rng.random() < .2:
            m = rng.choice(["m1", "m2"])
            out.append(record("reserve_enrolled", person_id=p, municipality_id=m, enrolled_on=some_day(rng)))
            if rng.random() < .5:
                out.append(record("reserve_left", person_id=p, municipality_id=m, left_on=some_day(rng),
                                  reason="withdrawn"))
    for i in range(6):
        out.append(record("vacancy_opened", vacancy_id=f"v{i}", org_id=rng.choice(orgs)[0], position="teacher",
                          opened_on=some_day(rng)))
        if rng.random() < .5:
            out.append(record("vacancy_closed", vacancy_id=f"v{i}", closed_on=some_day(rng), filled=True))
    rng.shuffle(out)
    return out


@pytest.mark.parametrize("seed", range(8))
def test_fast_and_written_definitions_agree(seed):
    events = random_world(seed)
    half = len(events) // 2
    facts = facts_of(*events[:half])
    rng = random.Random(seed)
    days = [date(2024, 2, 29), date(2024, 12, 31)] + [START + timedelta(days=rng.randrange(2900)) for _ in range(6)]
    scopes = ("organization:o1", "organization:o4", "municipality:m1", "municipality:m2", "region:r1")
    for scope in scopes:  # what the fast computation remembers now must not survive the events below
        for d in days:
            assert evaluate_fast(facts, Scope.parse(scope), d) == evaluate(facts, Scope.parse(scope), d)
    for event in events[half:]:
        facts.add(event)
    for scope in scopes:
        for d in days:
            expected = evaluate(facts, Scope.parse(scope), d)
            assert evaluate_fast(facts, Scope.parse(scope), d) == expected, (scope, d)
            assert evaluate_best(facts, Scope.parse(scope), d) == expected


def test_fast_answers_follow_each_new_event():
    events = random_world(99)
    facts = facts_of()
    region, d = Scope.parse("region:r1"), date(2024, 12, 31)
    for n, event in enumerate(events):
        facts.add(event)
        if n % 7 == 0:
            assert evaluate_fast(facts, region, d) == evaluate(facts, region, d), n
