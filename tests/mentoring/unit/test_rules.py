"""Each mentoring rule, on in-memory persistence: one behaviour per test."""

from __future__ import annotations

import pytest

from pedgrowth.kit.errors import Conflict, RuleViolation
from pedgrowth.kit.recording import Outcome

from .helpers import attended, joined, left, mentor, new_app, pair, pair_end, record


@pytest.fixture
def app():
    application = new_app()
    record(application, mentor())
    return application


def test_a_registered_mentor_is_accepted(app):
    assert record(app, mentor("m-2", person_id=None, external_organization="АО «Купол»")) is Outcome.ACCEPTED


def test_a_mentor_cannot_be_registered_twice(app):
    with pytest.raises(Conflict) as error:
        record(app, mentor())
    assert error.value.field == "data.mentor_id"


def test_the_same_event_delivered_twice_is_recorded_once(app):
    assert record(app, pair(), event_id="e-1") is Outcome.ACCEPTED
    assert record(app, pair(), event_id="e-1") is Outcome.DUPLICATE


def test_a_pair_of_a_mentor_not_registered_yet_waits_for_the_mentor(app):
    assert record(app, pair(mentor_id="m-404")) is Outcome.WAITING
    assert [(w.kind, w.key) for w in app.waiting.catch_up()] == [("mentor", "m-404")]


def test_a_mentor_cannot_mentor_themselves(app):
    with pytest.raises(RuleViolation) as error:
        record(app, pair(mentee="p-2"))
    assert error.value.field == "data.mentee_person_id"
    assert "cannot mentor themselves" in str(error.value)


def test_a_mentor_from_an_enterprise_can_mentor_anyone(app):
    record(app, mentor("m-ext", person_id=None, external_organization="АО «Купол»"))
    assert record(app, pair(mentor_id="m-ext", mentee="p-2")) is Outcome.ACCEPTED


def test_a_pair_id_is_assigned_once(app):
    record(app, pair())
    with pytest.raises(Conflict) as error:
        record(app, pair(mentee="p-9"))
    assert error.value.field == "data.pair_id"


def test_a_mentee_has_at_most_one_active_pair_of_a_form(app):
    record(app, mentor("m-2", person_id="p-3"))
    record(app, pair())
    with pytest.raises(Conflict) as error:
        record(app, pair("pair-2", mentor_id="m-2", on="2023-01-10"))
    assert error.value.field == "data.mentee_person_id"
    assert "already has an active teacher_teacher pair pair-1" in str(error.value)


def test_a_mentee_may_have_pairs_of_different_forms(app):
    record(app, mentor("m-2", person_id="p-3"))
    record(app, pair())
    assert record(app, pair("pair-2", mentor_id="m-2", form="head_teacher")) is Outcome.ACCEPTED


def test_a_mentee_may_get_a_new_pair_of_the_form_once_the_old_one_ended(app):
    record(app, mentor("m-2", person_id="p-3"))
    record(app, pair())
    record(app, pair_end(on="2023-06-30"))
    assert record(app, pair("pair-2", mentor_id="m-2", on="2023-06-30")) is Outcome.ACCEPTED


def test_a_late_pair_is_checked_as_of_its_own_start(app):
    record(app, mentor("m-2", person_id="p-3"))
    record(app, pair(on="2023-09-01"))
    assert record(app, pair("pair-0", mentor_id="m-2", on="2021-09-01")) is Outcome.ACCEPTED


def test_a_mentor_has_at_most_the_configured_number_of_active_mentees():
    app = new_app(MENTORING_MAX_MENTEES="2")
    record(app, mentor())
    record(app, pair("pair-1", mentee="p-10"))
    record(app, pair("pair-2", mentee="p-11"))
    with pytest.raises(RuleViolation) as error:
        record(app, pair("pair-3", mentee="p-12", on="2022-10-01"))
    assert error.value.field == "data.mentor_id"
    assert "already has 2 active mentees on 2022-10-01 (at most 2)" in str(error.value)


def test_the_default_limit_of_active_mentees_is_five(app):
    for n in range(5):
        record(app, pair(f"pair-{n}", mentee=f"p-{10 + n}"))
    with pytest.raises(RuleViolation):
        record(app, pair("pair-5", mentee="p-20"))


def test_an_ended_pair_frees_a_place_with_the_mentor():
    app = new_app(MENTORING_MAX_MENTEES="1")
    record(app, mentor())
    record(app, pair("pair-1", mentee="p-10"))
    record(app, pair_end("pair-1", on="2023-06-30"))
    assert record(app, pair("pair-2", mentee="p-11", on="2023-07-01")) is Outcome.ACCEPTED


def test_a_pair_ends_once(app):
    record(app, pair())
    record(app, pair_end())
    with pytest.raises(Conflict) as error:
        record(app, pair_end(on="2023-07-30", outcome="terminated"))
    assert error.value.field == "data.pair_id"


def test_a_pair_does_not_end_before_it_started(app):
    record(app, pair(on="2022-09-01"))
    with pytest.raises(RuleViolation) as error:
        record(app, pair_end(on="2022-08-31"))
    assert error.value.field == "data.ended_on"


def test_an_end_of_a_pair_not_assigned_yet_waits_for_the_assignment(app):
    assert record(app, pair_end("pair-404")) is Outcome.WAITING
    assert [(w.kind, w.key, p.field) for w in app.waiting.catch_up() for p in w.waiting()] == [
        ("pair", "pair-404", "data.pair_id")]


def test_a_membership_cannot_start_twice_while_active(app):
    record(app, joined(on="2022-09-01"))
    with pytest.raises(Conflict) as error:
        record(app, joined(on="2023-01-01"))
    assert error.value.field == "data.community_id"


def test_a_person_may_join_again_after_leaving(app):
    record(app, joined(on="2022-09-01"))
    record(app, left(on="2023-06-30"))
    assert record(app, joined(on="2023-09-01")) is Outcome.ACCEPTED


def test_leaving_a_community_never_joined_waits_for_the_joining(app):
    assert record(app, left()) is Outcome.WAITING
    assert [(w.kind, w.key, p.field) for w in app.waiting.catch_up() for p in w.waiting()] == [
        ("community_membership", "mo-1/p-1", "data.community_id")]


def test_leaving_twice_is_a_conflict(app):
    record(app, joined())
    record(app, left(on="2023-06-30"))
    with pytest.raises(Conflict):
        record(app, left(on="2023-07-30"))


def test_leaving_before_joining_is_refused(app):
    record(app, joined(on="2022-09-01"))
    with pytest.raises(RuleViolation) as error:
        record(app, left(on="2022-08-01"))
    assert error.value.field == "data.left_on"


def test_attendance_is_unique_per_person_and_event(app):
    record(app, attended())
    with pytest.raises(Conflict) as error:
        record(app, attended(on="2023-03-02"))
    assert error.value.field == "data.event_id"


def test_another_person_may_attend_the_same_event(app):
    record(app, attended())
    assert record(app, attended(person="p-3")) is Outcome.ACCEPTED
