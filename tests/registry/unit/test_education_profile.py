"""Education profile: per person, latest finding on or before the day, else the value given at hiring."""

from datetime import date

import pytest

from pedgrowth.kit.errors import RuleViolation
from tests.registry.builders import hire, profile, record


def test_a_profile_finding_for_a_person_not_in_the_register_waits_for_the_hire(app):
    assert record(app, profile(person_id="ghost")) == "waiting"
    assert [(w.kind, w.key, p.field) for w in app.waiting.catch_up() for p in w.waiting()] == [
        ("person", "ghost", "data.person_id")]


def test_a_profile_finding_dated_in_the_future_is_refused(app):
    record(app, hire())
    with pytest.raises(RuleViolation) as caught:
        record(app, profile(recorded_on="2024-12-01"))
    assert caught.value.field == "data.recorded_on"


def test_the_value_given_at_hiring_holds_until_a_finding_is_recorded(app):
    record(app, hire(education_matches_profile=False))
    record(app, profile(matches_profile=True, recorded_on="2023-01-15"))
    assert app.staff("sch-1", date(2023, 1, 14))[0]["education_matches_profile"] is False
    assert app.staff("sch-1", date(2023, 1, 15))[0]["education_matches_profile"] is True
