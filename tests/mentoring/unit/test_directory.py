"""The registry index: who works where on a day, who is young, whatever order the facts came in."""

from __future__ import annotations

from pedgrowth.kit.access import PersonAccess
from pedgrowth.kit.auth import Principal, Role
from pedgrowth.mentoring.adapters.directory import Scope

from .helpers import day, directory_with, fired, hired, org, registry_fact


def test_staff_of_a_municipality_are_those_employed_there_on_the_day():
    d = directory_with(org("sch-1"), org("sch-9", municipality="mun-2"), hired("p-1", "sch-1"),
                       hired("p-9", "sch-9"))
    assert d.staff(Scope("municipality", "mun-1"), day("2024-01-01")) == {"p-1": ["sch-1"]}


def test_an_ended_employment_is_not_active_from_its_end_day():
    d = directory_with(org(), hired(on="2021-09-01"), fired(on="2023-06-30"))
    assert d.workplaces("p-1", day("2023-06-29")) == ["sch-1"]
    assert d.workplaces("p-1", day("2023-06-30")) == []


def test_an_end_that_arrives_before_the_start_still_ends_it():
    d = directory_with(fired(on="2023-06-30"), hired(on="2021-09-01"), org())
    assert d.workplaces("p-1", day("2024-01-01")) == []


def test_non_pedagogical_staff_are_not_staff():
    d = directory_with(org(), hired(position="non_pedagogical"))
    assert d.staff(Scope("organization", "sch-1"), day("2024-01-01")) == {}


def test_a_teacher_is_young_for_less_than_three_full_years():
    d = directory_with(hired(on="2021-09-01"))
    assert d.is_young("p-1", day("2024-08-31"))
    assert not d.is_young("p-1", day("2024-09-01"))


def test_the_earliest_career_start_counts_when_the_registry_disagrees():
    d = directory_with(hired(org_id="sch-1", on="2023-09-01"),
                       hired(org_id="sch-2", on="2023-09-01", since="2015-09-01"))
    assert not d.is_young("p-1", day("2024-01-01"))


def test_a_repeated_fact_is_applied_once():
    d = directory_with()
    fact = registry_fact(hired())
    assert d.apply(fact) is True
    assert d.apply(fact) is False


def test_a_municipal_operator_covers_people_employed_in_the_municipality():
    d = directory_with(org("sch-1"), org("sch-9", municipality="mun-2"), hired("p-1", "sch-1"), hired("p-9", "sch-9"))
    operator = Principal("op", Role.MUNICIPAL_OPERATOR, municipality_id="mun-1")
    access = PersonAccess(d)
    assert access.can_read_person(operator, "p-1")
    assert not access.can_read_person(operator, "p-9")
