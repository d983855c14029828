"""STAFF, YOUNG and HEADS: who counts, as of which day, in which scope."""

import random
from datetime import date

from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.definitions import BY_CODE
from pedgrowth.indicators.engine import Engine
from pedgrowth.indicators.records import Record

from tests.indicators import oracle
from tests.indicators.builders import engine_of, evaluate, facts_of, hired, left, org, record

D = date(2024, 12, 31)


def people(facts, scope="municipality:mun-1", d=D):
    """STAFF and HEADS by the oracle, checked against the engine's members (staffing_ratio, reserve_ratio)."""
    s = Scope.parse(scope)
    world = oracle.World(list(facts))
    found = oracle.staff(world, s, d), oracle.heads(world, s, d)
    engine = engine_of(facts)
    staffing = BY_CODE["staffing_ratio"]
    assert set(engine.members(s, d, staffing, staffing.default)[0]) == found[0]
    if s.kind != "organization":
        reserve = BY_CODE["reserve_ratio"]
        assert set(engine.members(s, d, reserve, reserve.default)[1]) == found[1]
    return found


def young(facts, people, d):
    world = oracle.World(list(facts))
    found = {p for p in people if oracle.is_young(world, p, d, "experience_under_3y")}
    young_share = evaluate(facts, Scope.parse("municipality:mun-1"), d)["young_training_coverage"]
    assert young_share.denominator == found
    return found


def test_an_employment_counts_from_its_first_day_and_not_on_its_end_day():
    facts = facts_of(org(), hired("p-1", "2024-09-01"), left("p-1", "2024-12-31"))
    assert people(facts, d=date(2024, 8, 31))[0] == set()
    assert people(facts, d=date(2024, 9, 1))[0] == {"p-1"}
    assert people(facts, d=date(2024, 12, 30))[0] == {"p-1"}
    assert people(facts, d=date(2024, 12, 31))[0] == set()


def test_non_pedagogical_staff_do_not_count_and_a_position_change_moves_them_in():
    facts = facts_of(org(), hired("p-1", "2020-01-10", position="non_pedagogical"),
                     record("position_changed", person_id="p-1", org_id="sch-1", position="teacher",
                            changed_on="2024-09-01"))
    assert people(facts, d=date(2024, 8, 31))[0] == set()
    assert people(facts, d=date(2024, 9, 1))[0] == {"p-1"}


def test_a_director_is_a_head_until_the_position_changes():
    facts = facts_of(org(), hired("p-1", "2015-01-10", position="director"),
                     record("position_changed", person_id="p-1", org_id="sch-1", position="teacher",
                            changed_on="2024-03-01"))
    assert people(facts, d=date(2024, 2, 29))[1] == {"p-1"}
    assert people(facts, d=date(2024, 3, 1)) == ({"p-1"}, set())


def test_a_transfer_moves_the_person_between_schools_and_counts_once_in_the_municipality():
    facts = facts_of(org("sch-1"), org("sch-2"), hired("p-1", "2019-09-01", "sch-1"),
                     left("p-1", "2023-09-01", "sch-1", reason="transfer"), hired("p-1", "2023-09-01", "sch-2"),
                     hired("p-1", "2020-01-01", "sch-3"))
    assert people(facts, "organization:sch-1", date(2023, 8, 31))[0] == {"p-1"}
    assert people(facts, "organization:sch-1", date(2023, 9, 1))[0] == set()
    assert people(facts, "organization:sch-2", date(2023, 9, 1))[0] == {"p-1"}
    assert people(facts, "municipality:mun-1", date(2023, 9, 1))[0] == {"p-1"}


def test_an_organisation_not_yet_registered_counts_for_itself_but_for_no_municipality():
    facts = facts_of(hired("p-1", "2020-01-01", "sch-9"))
    assert people(facts, "organization:sch-9")[0] == {"p-1"}
    assert people(facts, "municipality:mun-1")[0] == set()
    facts.add(org("sch-9"))
    assert people(facts, "municipality:mun-1")[0] == {"p-1"}


def test_a_person_hired_again_after_leaving_counts_again_with_the_new_position():
    facts = facts_of(org(), hired("p-1", "2018-09-01"), left("p-1", "2020-06-30"),
                     hired("p-1", "2022-09-01", position="methodist"),
                     record("position_changed", person_id="p-1", org_id="sch-1", position="director",
                            changed_on="2019-01-01"))
    assert people(facts, d=date(2021, 1, 1))[0] == set()
    assert people(facts, d=date(2019, 6, 1))[1] == {"p-1"}
    assert people(facts, d=date(2023, 1, 1)) == ({"p-1"}, set())


def test_young_means_less_than_three_full_years_and_the_earliest_experience_date_counts():
    facts = facts_of(org(), hired("p-1", "2021-12-31", since="2021-12-31"),
                     hired("p-2", "2022-01-01", since="2022-01-01"),
                     hired("p-3", "2023-01-01", since="2023-01-01"),
                     hired("p-3", "2023-01-01", org_id="sch-2", since="2019-05-01"))
    everyone = people(facts)[0]
    assert young(facts, everyone, D) == {"p-2"}


def test_the_same_events_in_any_order_with_duplicates_give_the_same_values():
    records = [org(), org("sch-2"), hired("p-1", "2019-09-01"), left("p-1", "2023-09-01", reason="transfer"),
               hired("p-1", "2023-09-01", "sch-2"), hired("p-2", "2022-09-01", position="director"),
               record("position_changed", person_id="p-2", org_id="sch-1", position="teacher",
                      changed_on="2024-01-01"),
               record("position_changed", person_id="p-2", org_id="sch-1", position="methodist",
                      changed_on="2024-01-01")]
    expected = evaluate(facts_of(*records), Scope.parse("municipality:mun-1"), D)
    for seed in range(5):
        shuffled = records + records[:3]
        random.Random(seed).shuffle(shuffled)
        assert evaluate(facts_of(*shuffled), Scope.parse("municipality:mun-1"), D) == expected


def test_an_unusable_event_is_counted_and_does_not_stop_the_engine():
    engine = Engine()
    engine.apply([org()])
    assert engine.apply([Record("/x", "bad", "pedgrowth.registry.employment_started.v1", "2025-01-01T00:00:00+00:00",
                                {})]) == 1
    assert engine.unusable == 1
    engine.apply([hired("p-1", "2020-01-01")])
    staffing = BY_CODE["staffing_ratio"]
    assert engine.members(Scope.parse("municipality:mun-1"), D, staffing, staffing.default)[0] == ["p-1"]
