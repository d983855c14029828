"""The managers' reserve: enrolment only when not already enrolled in that municipality."""

from datetime import date

import pytest

from pedgrowth.kit.errors import Conflict, RuleViolation
from tests.registry.builders import enrol, leave, org, record


def test_enrolling_twice_in_the_same_municipality_is_a_conflict(app):
    record(app, enrol())
    with pytest.raises(Conflict, match="already in the reserve of municipality mun-1"):
        record(app, enrol(enrolled_on="2023-03-01"))


def test_a_person_may_be_in_the_reserves_of_two_municipalities(app):
    record(app, org("sch-9", municipality_id="mun-2"))
    record(app, enrol(municipality_id="mun-1"))
    assert record(app, enrol(municipality_id="mun-2")) == "accepted"


def test_enrolling_in_a_municipality_without_organisations_waits_for_its_first_one(app):
    assert record(app, enrol(municipality_id="nowhere")) == "waiting"
    assert [(w.kind, w.key, p.field, p.municipality_id) for w in app.waiting.catch_up() for p in w.waiting()] == [
        ("municipality", "nowhere", "data.municipality_id", "nowhere")]  # listed to its operators


def test_leaving_a_reserve_one_never_enrolled_in_waits_for_the_enrolment(app):
    assert record(app, leave()) == "waiting"
    assert [(w.kind, w.key, p.field) for w in app.waiting.catch_up() for p in w.waiting()] == [
        ("reserve_membership", "p-4/mun-1", "data.person_id")]


def test_leaving_a_reserve_one_has_left_is_a_conflict(app):
    record(app, enrol(enrolled_on="2022-03-01"))
    record(app, leave(left_on="2023-03-01"))
    with pytest.raises(Conflict, match="not in the reserve"):
        record(app, leave(left_on="2024-03-01"))


def test_leaving_cannot_precede_enrolment(app):
    record(app, enrol(enrolled_on="2022-03-01"))
    with pytest.raises(RuleViolation) as caught:
        record(app, leave(left_on="2022-02-01"))
    assert caught.value.field == "data.left_on"


def test_a_person_may_enrol_again_after_leaving(app):
    record(app, enrol(enrolled_on="2022-03-01"))
    record(app, leave(left_on="2023-03-01"))
    assert record(app, enrol(enrolled_on="2024-03-01")) == "accepted"


def test_an_enrolment_dated_in_the_future_is_refused(app):
    with pytest.raises(RuleViolation) as caught:
        record(app, enrol(enrolled_on="2025-01-01"))
    assert caught.value.field == "data.enrolled_on"


def test_the_reserve_on_a_day_holds_those_enrolled_and_not_yet_left(app):
    record(app, enrol("p-4", enrolled_on="2022-03-01"))
    record(app, leave("p-4", left_on="2024-08-15"))
    record(app, enrol("p-6", enrolled_on="2024-01-10"))
    assert [m["person_id"] for m in app.reserve("mun-1", date(2024, 8, 14))] == ["p-4", "p-6"]
    assert [m["person_id"] for m in app.reserve("mun-1", date(2024, 8, 15))] == ["p-6"]
