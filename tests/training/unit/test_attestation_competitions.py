"""Attestation to qualification categories, competitions, independent assessment."""

from datetime import date

import pytest

from pedgrowth.kit.errors import Conflict
from tests.training.facts import assessment, attestation, competition, record


def current(app, person_id="p-2", on=date(2024, 1, 1)):
    return app.transcript(person_id, on)["current_category"]


def test_decisions_arriving_out_of_order_leave_the_latest_as_current(app):
    record(app, attestation(category="highest", decided_on="2023-04-01"))
    record(app, attestation(category="first", decided_on="2018-03-01"))
    assert current(app)["category"] == "highest"
    assert [c["decided_on"] for c in app.transcript("p-2", date(2024, 1, 1))["categories"]] == [
        date(2018, 3, 1), date(2023, 4, 1)]


def test_valid_until_defaults_to_five_years_after_the_decision(app):
    record(app, attestation(decided_on="2020-02-29"))
    assert current(app)["valid_until"] == date(2025, 2, 28)


def test_an_expired_category_is_not_current(app):
    record(app, attestation(decided_on="2015-01-10"))
    assert current(app) is None


def test_two_different_categories_decided_the_same_day_are_a_conflict(app):
    record(app, attestation(category="first", decided_on="2023-04-01"))
    with pytest.raises(Conflict) as caught:
        record(app, attestation(category="highest", decided_on="2023-04-01"))
    assert caught.value.field == "data.category"


def test_the_same_decision_from_an_attestation_order_and_a_school_is_recorded_once(app):
    record(app, attestation(), source="/region/orders")
    record(app, attestation(), source="/school/sch-1/hr")
    assert len(app.transcript("p-2", date(2024, 1, 1))["categories"]) == 1


def test_a_second_participation_in_the_same_competition_is_a_conflict(app):
    record(app, competition(result="participant"))
    with pytest.raises(Conflict) as caught:
        record(app, competition(result="winner"))
    assert caught.value.field == "data.competition_id"


def test_participations_in_two_competitions_are_both_kept(app):
    record(app, competition(competition_id="comp-1"))
    record(app, competition(competition_id="comp-2"))
    assert len(app.transcript("p-1", date(2024, 6, 1))["competitions"]) == 2


def test_an_independent_assessment_appears_in_the_transcript(app):
    record(app, assessment())
    assert app.transcript("p-2", date(2024, 1, 1))["independent_assessments"] == [
        {"qualification": "Учитель математики", "passed_on": date(2023, 4, 11)}]
