"""Writes: a school for its own organisation, an operator for its municipality, analysts never."""

import pytest

from pedgrowth.kit.auth import Principal, Role
from pedgrowth.registry.access import Access
from tests.registry.builders import close, enrol, hire, org, profile, record, vacancy

SCHOOL_1 = Principal("s1", Role.SCHOOL_SYSTEM, org_id="sch-1")
SCHOOL_2 = Principal("s2", Role.SCHOOL_SYSTEM, org_id="sch-2")
OPERATOR_1 = Principal("o1", Role.MUNICIPAL_OPERATOR, municipality_id="mun-1")
OPERATOR_2 = Principal("o2", Role.MUNICIPAL_OPERATOR, municipality_id="mun-2")
ANALYST = Principal("a", Role.REGIONAL_ANALYST, region_id="reg-1")


@pytest.fixture
def check(app):
    record(app, org("sch-2"))
    record(app, org("sch-9", municipality_id="mun-2"))
    return Access(app).authorize_write


def test_a_school_writes_employments_of_its_own_organisation(check):
    assert check(SCHOOL_1, hire(org_id="sch-1")) is None


def test_a_school_cannot_write_for_another_organisation(check):
    assert "data.org_id: sch-2" in check(SCHOOL_1, hire(org_id="sch-2"))


def test_a_school_records_the_profile_of_its_own_staff_only(app, check):
    record(app, hire(org_id="sch-1"))
    assert check(SCHOOL_1, profile()) is None
    assert "not within the caller's organisation" in check(SCHOOL_2, profile())


def test_a_closing_of_a_vacancy_not_known_yet_is_for_admins_only(check):
    """It would wait and be recorded when the vacancy opens, at whichever organisation: not checked, not taken."""
    assert check(SCHOOL_1, close(vacancy_id="vac-new")).startswith("data.vacancy_id: vacancy vac-new is not known")
    assert check(OPERATOR_1, close(vacancy_id="vac-new")) is not None
    assert check(Principal("admin", Role.ADMIN), close(vacancy_id="vac-new")) is None


def test_a_school_cannot_close_another_schools_vacancy(app, check):
    record(app, vacancy(org_id="sch-2"))
    assert check(SCHOOL_1, close()) is not None
    assert check(SCHOOL_2, close()) is None


def test_an_operator_writes_for_organisations_of_its_municipality_only(check):
    assert check(OPERATOR_1, hire(org_id="sch-2")) is None
    assert check(OPERATOR_1, hire(org_id="sch-9")) is not None


def test_the_reserve_is_kept_by_the_municipalitys_operator(check):
    assert check(OPERATOR_1, enrol(municipality_id="mun-1")) is None
    assert check(OPERATOR_2, enrol(municipality_id="mun-1")) is not None
    assert "municipal operators" in check(SCHOOL_1, enrol(municipality_id="mun-1"))


def test_organisations_are_registered_by_the_operator_of_their_municipality(check):
    assert check(OPERATOR_1, org("sch-3")) is None
    assert check(SCHOOL_1, org("sch-1")) is not None


def test_a_regional_analyst_writes_nothing(check):
    assert "read-only" in check(ANALYST, hire())
