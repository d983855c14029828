"""Employments: one active per person and organisation; ends and position changes only while active."""

from datetime import date

import pytest

from pedgrowth.kit.errors import Conflict, RuleViolation
from tests.registry.builders import end, hire, move, new_app, org, record, with_school


def test_a_hire_puts_the_person_on_the_staff_list(app):
    record(app, hire())
    assert [s["person_id"] for s in app.staff("sch-1", date(2024, 1, 1))] == ["p-1"]


def test_a_second_active_employment_at_the_same_organisation_is_a_conflict(app):
    record(app, hire())
    with pytest.raises(Conflict, match="already has an active employment at sch-1") as caught:
        record(app, hire(started_on="2022-09-01"))
    assert caught.value.field == "data.org_id"


def test_a_person_may_work_at_two_organisations_at_once(app):
    record(app, org("sch-2"))
    record(app, hire(org_id="sch-1"))
    record(app, hire(org_id="sch-2"))
    assert sorted(app.active_org_ids("p-1")) == ["sch-1", "sch-2"]


def test_a_hire_at_an_unregistered_organisation_waits_for_its_registration(app):
    assert record(app, hire(org_id="nope")).value == "waiting"
    assert app.person("p-1") is None
    assert [(w.kind, w.key) for w in app.waiting.catch_up()] == [("organisation", "nope")]


def test_pedagogical_experience_cannot_begin_after_the_hire(app):
    with pytest.raises(RuleViolation) as caught:
        record(app, hire(started_on="2021-09-01", pedagogical_experience_since="2021-10-01"))
    assert caught.value.field == "data.pedagogical_experience_since"


def test_a_hire_dated_beyond_the_tolerance_is_refused(app):
    with pytest.raises(RuleViolation, match="in the future") as caught:
        record(app, hire(started_on="2024-09-04"))
    assert caught.value.field == "data.started_on"


def test_a_hire_dated_within_the_tolerance_is_accepted(app):
    assert record(app, hire(started_on="2024-09-03")) == "accepted"


def test_the_future_tolerance_is_configurable():
    app = with_school(new_app({"FUTURE_TOLERANCE_DAYS": "5"}))
    assert record(app, hire(started_on="2024-09-07")) == "accepted"


def test_an_employment_cannot_end_before_it_started(app):
    record(app, hire(started_on="2021-09-01"))
    with pytest.raises(RuleViolation, match="before the start of the employment") as caught:
        record(app, end(ended_on="2021-08-31"))
    assert caught.value.field == "data.ended_on"


def test_an_employment_may_end_the_day_it_started(app):
    record(app, hire(started_on="2021-09-01"))
    assert record(app, end(ended_on="2021-09-01")) == "accepted"


def test_an_ended_employment_cannot_end_again(app):
    record(app, hire())
    record(app, end(ended_on="2024-06-30"))
    with pytest.raises(Conflict, match="ended on 2024-06-30") as caught:
        record(app, end(ended_on="2024-07-01"))
    assert caught.value.field == "data.org_id"


def test_ending_an_employment_at_an_organisation_where_the_person_never_worked_waits_for_the_hire(app):
    record(app, org("sch-2"))
    record(app, hire(org_id="sch-1"))
    assert record(app, end(org_id="sch-2")) == "waiting"
    assert [(w.kind, w.key, p.field) for w in app.waiting.catch_up() for p in w.waiting()] == [
        ("employment", "sch-2/p-1", "data.org_id")]


def test_ending_the_employment_of_an_unknown_person_waits_for_the_hire(app):
    assert record(app, end(person_id="ghost")) == "waiting"
    assert record(app, move(person_id="ghost")) == "waiting"


def test_an_end_dated_in_the_future_is_refused(app):
    record(app, hire())
    with pytest.raises(RuleViolation, match="in the future"):
        record(app, end(ended_on="2025-01-01"))


def test_a_position_changes_only_while_the_employment_is_active(app):
    record(app, hire())
    record(app, end(ended_on="2024-06-30"))
    with pytest.raises(Conflict, match="only an active employment can change"):
        record(app, move(changed_on="2024-07-01"))


def test_a_position_cannot_change_before_the_hire(app):
    record(app, hire(started_on="2021-09-01"))
    with pytest.raises(RuleViolation) as caught:
        record(app, move(changed_on="2021-08-01"))
    assert caught.value.field == "data.changed_on"


def test_changing_to_the_position_already_held_is_a_conflict(app):
    record(app, hire(position="teacher"))
    with pytest.raises(Conflict) as caught:
        record(app, move(position="teacher"))
    assert caught.value.field == "data.position"


def test_the_staff_list_shows_the_position_held_on_the_day(app):
    record(app, hire(started_on="2021-09-01"))
    record(app, move(position="director", changed_on="2023-09-01"))
    assert app.staff("sch-1", date(2023, 8, 31))[0]["position"] == "teacher"
    assert app.staff("sch-1", date(2023, 9, 1))[0]["position"] == "director"


def test_the_staff_list_leaves_out_employments_ended_by_the_day(app):
    record(app, hire(started_on="2021-09-01"))
    record(app, end(ended_on="2024-06-30"))
    assert app.staff("sch-1", date(2024, 6, 29))
    assert app.staff("sch-1", date(2024, 6, 30)) == []


def test_a_transfer_is_an_end_plus_a_start_and_keeps_the_history(app):
    record(app, org("sch-2"))
    record(app, hire(org_id="sch-1", started_on="2021-09-01"))
    record(app, end(org_id="sch-1", ended_on="2024-06-30", reason="transfer"))
    record(app, hire(org_id="sch-2", started_on="2024-07-01", pedagogical_experience_since="2021-09-01"))
    history = app.person("p-1")["employments"]
    assert [(e["org_id"], e["end_reason"]) for e in history] == [("sch-1", "transfer"), ("sch-2", None)]


def test_a_rehire_at_the_same_organisation_cannot_overlap_the_previous_employment(app):
    record(app, hire(started_on="2021-09-01"))
    record(app, end(ended_on="2023-06-30"))
    with pytest.raises(RuleViolation) as caught:
        record(app, hire(started_on="2023-06-01", pedagogical_experience_since="2021-09-01"))
    assert caught.value.field == "data.started_on"


def test_a_rehire_after_the_previous_employment_ended_is_accepted(app):
    record(app, hire(started_on="2021-09-01"))
    record(app, end(ended_on="2023-06-30"))
    assert record(app, hire(started_on="2023-09-01", pedagogical_experience_since="2021-09-01")) == "accepted"


def test_the_same_event_delivered_twice_is_recorded_once(app):
    data = hire()
    assert record(app, data, id="e-1") == "accepted"
    assert record(app, data, id="e-1") == "duplicate"
