"""Property tests: on random event streams the engine's lookups equal the oracle's person-by-person sets.

Random persons, transfers, position changes, overlapping intervals, the windows' edge days
(29 February included), late and duplicate events in any interleaving and any batching; random
scopes, days and variants (SPEC §4.2). Bounded: a few hundred examples in well under 30 s.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.definitions import DIMENSIONS, INDICATORS, Variant
from pedgrowth.indicators.engine import Engine

from tests.indicators import oracle
from tests.indicators.builders import hired, left, org, program, record

EDGES = [date.fromisoformat(d) for d in (
    "2019-02-28", "2020-02-28", "2020-02-29", "2020-03-01", "2021-02-28", "2021-03-01", "2021-08-31",
    "2021-09-01", "2022-01-01", "2022-12-31", "2023-02-28", "2023-03-01", "2023-06-30", "2023-09-01",
    "2023-12-31", "2024-01-01", "2024-02-28", "2024-02-29", "2024-03-01", "2024-06-30", "2024-08-31",
    "2024-09-01", "2024-12-31", "2025-02-28", "2025-03-01")]
PERSONS = ["p1", "p2", "p3", "p4", "p5"]
ORGS = [("o1", "m1", "school"), ("o2", "m1", "kindergarten"), ("o3", "m2", "school"), ("o4", "m2", "school")]
POSITIONS = ["teacher", "director", "non_pedagogical", "methodist", "preschool_teacher", "senior_teacher"]
SCOPES = ["organization:o1", "organization:o2", "organization:o4", "municipality:m1", "municipality:m2", "region:r1"]

PROJECT_VALUES = {"support": ("project:pr1",), "cohort": ("project:pr1", "project:pr2")}
days = st.one_of(st.sampled_from(EDGES), st.dates(date(2016, 1, 1), date(2026, 6, 30)))


def iso(d: date) -> str:
    return d.isoformat()


@st.composite
def person_events(draw, p: str) -> list:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        o = draw(st.sampled_from(ORGS))[0]
        extra = {}
        if draw(st.booleans()):
            extra["birth_date"] = iso(draw(st.dates(date(1955, 1, 1), date(2000, 12, 31))))
        if draw(st.booleans()):
            extra["subjects"] = ["math"]
        if draw(st.booleans()):
            extra["education_matches_profile"] = draw(st.booleans())
        out.append(hired(p, iso(draw(days)), o, draw(st.sampled_from(POSITIONS)), since=iso(draw(days)), **extra))
        if draw(st.booleans()):
            out.append(left(p, iso(draw(days)), o))
        if draw(st.booleans()):
            out.append(record("position_changed", person_id=p, org_id=o, position=draw(st.sampled_from(POSITIONS)),
                              changed_on=iso(draw(days))))
    for _ in range(draw(st.integers(0, 2))):
        out.append(record("course_completed", person_id=p, program_id=draw(st.sampled_from(["dist", "pp", "inp", "x"])),
                          completed_on=iso(draw(days)),
                          addresses_deficits=draw(st.lists(st.sampled_from(["A", "B"]), max_size=2, unique=True))))
    if draw(st.booleans()):
        out.append(record("diagnostics_completed", person_id=p, diagnostics_id="d", completed_on=iso(draw(days)),
                          deficits=[{"code": c, "area": "digital"}
                                    for c in draw(st.lists(st.sampled_from(["A", "B"]), max_size=2, unique=True))]))
    for _ in range(draw(st.integers(0, 2))):
        decided = draw(days)
        valid = {"valid_until": iso(decided + timedelta(days=draw(st.integers(1, 2000))))} if draw(st.booleans()) else {}
        out.append(record("attestation_passed", person_id=p, decided_on=iso(decided), **valid,
                          category=draw(st.sampled_from(["first", "highest", "position_compliance"]))))
    if draw(st.booleans()):
        out.append(record("competition_participated", person_id=p, competition_id="c", competition_name="c",
                          level="regional", result="winner", participated_on=iso(draw(days))))
    for _ in range(draw(st.integers(0, 2))):
        role = draw(st.sampled_from([{}, {"role": "participant"}, {"role": "speaker"}]))
        out.append(record("support_event_attended", person_id=p, event_id="e", event_name="e",
                          kind=draw(st.sampled_from(["seminar", "burnout_prevention"])), attended_on=iso(draw(days)),
                          **role))
    out += draw(additions(p))
    if draw(st.booleans()):
        out.append(record("independent_assessment_passed", person_id=p, qualification="q", passed_on=iso(draw(days))))
    if draw(st.booleans()):
        out.append(record("route_started", route_id=f"r-{p}", person_id=p, started_on=iso(draw(days))))
        if draw(st.booleans()):
            out.append(record("route_completed", route_id=f"r-{p}", person_id=p, completed_on=iso(draw(days))))
    for n in range(draw(st.integers(0, 2))):
        out.append(record("pair_assigned", pair_id=f"pa-{p}-{n}", mentor_id=draw(st.sampled_from(["m1", "m2", "m3"])),
                          mentee_person_id=p, form="teacher_teacher", started_on=iso(draw(days))))
        if draw(st.booleans()):
            out.append(record("pair_ended", pair_id=f"pa-{p}-{n}", ended_on=iso(draw(days)), outcome="completed"))
    for _ in range(draw(st.integers(0, 2))):
        community = draw(st.sampled_from(["c1", "c2"]))
        kind = "young_teachers_council" if community == "c2" else "methodical_association"
        out.append(record("community_joined", person_id=p, community_id=community, community_name="c", kind=kind,
                          level="school", joined_on=iso(draw(days))))
        if draw(st.booleans()):
            out.append(record("community_left", person_id=p, community_id=community, left_on=iso(draw(days))))
    if draw(st.booleans()):
        out.append(record("education_profile_recorded", person_id=p, matches_profile=draw(st.booleans()),
                          recorded_on=iso(draw(days))))
    if draw(st.booleans()):
        m = draw(st.sampled_from(["m1", "m2"]))
        out.append(record("reserve_enrolled", person_id=p, municipality_id=m, enrolled_on=iso(draw(days))))
        if draw(st.booleans()):
            out.append(record("reserve_left", person_id=p, municipality_id=m, left_on=iso(draw(days)),
                              reason="withdrawn"))
    return out


def spells(draw, kind_start: str, kind_end: str, start_field: str, end_field: str, extra: dict, **key) -> list:
    """Up to two spells of one key (a role, an asset membership), ends maybe missing or early."""
    out = []
    for _ in range(draw(st.integers(0, 2))):
        out.append(record(kind_start, **key, **extra, **{start_field: iso(draw(days))}))
        if draw(st.booleans()):
            out.append(record(kind_end, **key, **{end_field: iso(draw(days))}))
    return out


@st.composite
def additions(draw, p: str) -> list:
    """The person's facts of the additions within v1: PD requests, expert roles, the asset, projects."""
    out = []
    for n in range(draw(st.integers(0, 2))):
        request = f"rq-{p}-{n}"
        out.append(record("pd_request_submitted", request_id=request, person_id=p, direction="digital",
                          submitted_on=iso(draw(days))))
        if draw(st.booleans()):
            out.append(record("pd_request_met", request_id=request, met_on=iso(draw(days))))
    role = draw(st.sampled_from(["jury", "commission"]))
    out += spells(draw, "expert_role_started", "expert_role_ended", "started_on", "ended_on",
                  {"role": "competition_jury", "level": "municipal"}, person_id=p, role_id=role)
    out += spells(draw, "asset_joined", "asset_left", "joined_on", "left_on", {}, person_id=p,
                  municipality_id=draw(st.sampled_from(["m1", "m2"])))
    project = draw(st.sampled_from(["pr1", "pr2"]))
    for n in range(draw(st.integers(0, 2))):
        out.append(record("project_enrolled", person_id=p, project_id=project, project_name="Проект",
                          enrolled_on=iso(draw(days))))
        if draw(st.booleans()):
            out.append(record("project_left", person_id=p, project_id=project, left_on=iso(draw(days)),
                              outcome="completed"))
    return out


@st.composite
def streams(draw) -> list:
    registered = draw(st.lists(st.sampled_from(ORGS), min_size=1, max_size=4, unique=True))
    out = [org(o, m, "r1", org_kind=kind) for o, m, kind in registered]
    if draw(st.booleans()):  # a re-registration moving an organisation to the other municipality
        o, m, kind = draw(st.sampled_from(registered))
        out.append(org(o, "m2" if m == "m1" else "m1", "r1", org_kind=kind))
    out += [program("dist", format="distance"), program("pp", kind="retraining"), program("inp")]
    for p in draw(st.lists(st.sampled_from(PERSONS), min_size=1, max_size=5, unique=True)):
        out += draw(person_events(p))
    for m in ("m1", "m2", "m3"):
        if draw(st.booleans()):
            out.append(record("mentor_registered", mentor_id=m, registered_on="2020-01-01",
                              **({"external_organization": "Завод"} if m != "m1" else {"person_id": "p1"})))
    for o, _, _ in registered:
        for n in range(draw(st.integers(0, 2))):
            person = draw(st.sampled_from(PERSONS))
            out.append(record("curator_appointed", org_id=o, person_id=person, appointed_on=iso(draw(days))))
            if draw(st.booleans()):
                out.append(record("curator_released", org_id=o, person_id=person, released_on=iso(draw(days))))
    for i in range(draw(st.integers(0, 3))):
        out.append(record("vacancy_opened", vacancy_id=f"v{i}", org_id=draw(st.sampled_from(ORGS))[0],
                          position="teacher", opened_on=iso(draw(days))))
        if draw(st.booleans()):
            out.append(record("vacancy_closed", vacancy_id=f"v{i}", closed_on=iso(draw(days)), filled=True))
    return out


@st.composite
def variants(draw) -> dict[str, Variant]:
    chosen = {}
    for indicator in INDICATORS:
        if not draw(st.booleans()):
            continue
        choice = {name: draw(st.sampled_from(DIMENSIONS[name] + PROJECT_VALUES.get(name, ()))) for name in DIMENSIONS
                  if getattr(indicator.default, name) is not None}
        chosen[indicator.code] = indicator.default.choose(choice, draw(st.sampled_from(EDGES)))
    return chosen


def fed(events: list, order: list[int], cuts: list[int], duplicates: list[int]) -> Engine:
    """An engine fed the events in the given order, in batches cut at ``cuts``, some events twice."""
    stream = [events[i % len(events)] for i in order] + [events[i % len(events)] for i in duplicates]
    engine = Engine()
    bounds = sorted({0, len(stream), *(c % (len(stream) + 1) for c in cuts)})
    for a, b in zip(bounds, bounds[1:], strict=False):
        engine.apply(stream[a:b])
    return engine


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(events=streams(), data=st.data())
def test_engine_equals_the_oracle_on_random_streams(events, data):
    order = data.draw(st.permutations(range(len(events))))
    cuts = data.draw(st.lists(st.integers(0, 400), max_size=4))
    duplicates = data.draw(st.lists(st.integers(0, 400), max_size=5))
    engine = fed(events, order, cuts, duplicates)
    world = oracle.World(events)
    chosen = data.draw(variants())
    for _ in range(3):
        scope = Scope.parse(data.draw(st.sampled_from(SCOPES)))
        d = data.draw(days)
        expected = oracle.evaluate(world, scope, d, chosen)
        for indicator in INDICATORS:
            variant = chosen.get(indicator.code, indicator.default)
            got = engine.numbers(scope, d, indicator, variant)
            want = expected[indicator.code]
            assert (got.numerator, got.denominator) == (want.numerator_count, want.denominator_count), (
                indicator.code, str(scope), d, variant)
        code = data.draw(st.sampled_from([i.code for i in INDICATORS]))
        indicator = next(i for i in INDICATORS if i.code == code)
        numerator, denominator = engine.members(scope, d, indicator, chosen.get(code, indicator.default))
        want = expected[code]
        assert numerator == (None if want.numerator is None else sorted(want.numerator)), code
        if indicator.denominator_adds is None:
            assert denominator == (None if want.denominator is None else sorted(want.denominator)), code


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=streams(), data=st.data())
def test_answers_do_not_depend_on_interleaving_or_batching(events, data):
    one = fed(events, list(range(len(events))), [], [])
    other = fed(events, data.draw(st.permutations(range(len(events)))), data.draw(st.lists(st.integers(0, 400))),
                data.draw(st.lists(st.integers(0, 400), max_size=8)))
    for scope in SCOPES:
        for d in (date(2024, 2, 29), date(2023, 3, 1), data.draw(days)):
            s = Scope.parse(scope)
            assert [(n.numerator, n.denominator) for n in one.all_numbers(s, d)] == [
                (n.numerator, n.denominator) for n in other.all_numbers(s, d)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=streams(), data=st.data())
def test_a_load_fed_as_one_equals_the_same_events_in_batches(events, data):
    batched = fed(events, data.draw(st.permutations(range(len(events)))), data.draw(st.lists(st.integers(0, 400))), [])
    loaded = Engine()
    loader = loaded.loader()
    for start in range(0, len(events), 7):
        loader.feed(events[start:start + 7])
    loader.finish()
    for scope in SCOPES:
        s, d = Scope.parse(scope), data.draw(days)
        assert [(n.numerator, n.denominator) for n in loaded.all_numbers(s, d)] == [
            (n.numerator, n.denominator) for n in batched.all_numbers(s, d)]
