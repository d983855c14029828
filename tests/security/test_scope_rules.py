"""The kit's person-following rules on their own (pedgrowth.kit.access), without a service."""

from __future__ import annotations

from datetime import date

from pedgrowth.contracts import training
from pedgrowth.kit.access import Employment, PersonAccess, Place, fact_day, pair_employments, reads_persons
from pedgrowth.kit.auth import Principal, Role

D = date.fromisoformat
SCHOOL_1 = Principal("s", Role.SCHOOL_SYSTEM, org_id="sch-1")
OPERATOR_1 = Principal("o", Role.MUNICIPAL_OPERATOR, municipality_id="mun-1")
ANALYST_1 = Principal("a", Role.REGIONAL_ANALYST, region_id="reg-1")


class World:
    """p-1: sch-1 2015 → 2024-01-01, then sch-2 (mun-1) from 2024-02-01."""

    def employments(self, person_id):
        if person_id != "p-1":
            return []
        return [Employment("sch-1", D("2015-09-01"), D("2024-01-01")), Employment("sch-2", D("2024-02-01"))]

    def place(self, org_id):
        return {"sch-1": Place("sch-1", "mun-1", "reg-1"), "sch-2": Place("sch-2", "mun-1", "reg-1")}.get(org_id)


def rules(today="2024-09-02", grace=0):
    return PersonAccess(World(), today=lambda: D(today), grace_days=grace)


def test_starts_and_ends_pair_up_in_any_order():
    found = pair_employments("sch-1", [D("2020-09-01"), D("2015-09-01")], [D("2019-06-30")])
    assert found == [Employment("sch-1", D("2015-09-01"), D("2019-06-30")), Employment("sch-1", D("2020-09-01"))]
    assert pair_employments("sch-1", [], [D("2019-06-30")]) == [], "an end before its start is kept for later"


def test_a_former_school_writes_for_the_days_the_person_worked_there():
    assert rules().may_state(SCHOOL_1, "p-1", D("2023-05-01"), "data.person_id") is None
    assert "data.person_id" in rules().may_state(SCHOOL_1, "p-1", D("2024-05-01"), "data.person_id")
    assert rules().may_state(OPERATOR_1, "p-1", D("2024-05-01"), "data.person_id") is None, "now at sch-2, mun-1"


def test_reads_follow_current_employment_and_the_grace_period_is_a_setting():
    assert not rules().can_read_person(SCHOOL_1, "p-1")
    assert rules(grace=30, today="2024-01-20").can_read_person(SCHOOL_1, "p-1")
    assert not rules(grace=30, today="2024-02-01").can_read_person(SCHOOL_1, "p-1")
    assert rules().can_read_person_on(SCHOOL_1, "p-1", D("2023-01-01")), "its list of a past day"


def test_analysts_read_no_person_and_admins_every_one():
    assert not reads_persons(ANALYST_1)
    assert not rules().can_read_person(ANALYST_1, "p-1")
    assert rules().can_read_person(Principal("x", Role.ADMIN), "p-unknown")


def test_hiring_someone_employed_elsewhere_needs_that_scope_too():
    school_3 = Principal("s3", Role.SCHOOL_SYSTEM, org_id="sch-3")
    assert "sch-2" in rules().may_hire(school_3, "p-1", "sch-3")
    assert rules().may_hire(OPERATOR_1, "p-1", "sch-1") is None
    assert rules().may_hire(school_3, "p-never-employed", "sch-3") is None


def test_a_facts_day_is_its_own_date():
    fact = training.AttestationPassed(person_id="p-1", category="first", decided_on="2022-12-20",
                                      valid_until="2027-12-20")
    assert fact_day(fact) == D("2022-12-20")
