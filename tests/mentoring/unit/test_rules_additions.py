"""The rules of expert roles, the methodical asset, project enrolments and curators (SPEC §3 additions)."""

from __future__ import annotations

from datetime import date

import pytest

from pedgrowth.kit.errors import Conflict, RuleViolation
from pedgrowth.kit.recording import Outcome
from pedgrowth.mentoring.domain.curator import curatorship_key
from pedgrowth.mentoring.domain.person import Person, person_key

from .helpers import (appointed, asset_in, asset_out, attended, enrolled, expert, expert_end, new_app, record,
                      released, unenrolled)


@pytest.fixture
def app():
    return new_app()


def refused(app, data, error=RuleViolation):
    with pytest.raises(error) as caught:
        record(app, data)
    return caught.value


# expert roles


def test_an_expert_role_is_started_and_ended(app):
    assert record(app, expert(on="2023-01-10")) is Outcome.ACCEPTED
    assert record(app, expert_end(on="2023-12-31")) is Outcome.ACCEPTED
    spell = app.get_or_none(person_key("p-2")).expert_roles[0]
    assert (spell["role"], spell["level"], spell["from"], spell["to"]) == (
        "attestation_commission", "municipal", date(2023, 1, 10), date(2023, 12, 31))


def test_an_expert_role_may_not_overlap_one_with_the_same_role_id(app):
    record(app, expert(on="2023-01-10"))
    error = refused(app, expert(on="2023-03-01", level="regional"), Conflict)
    assert error.field == "data.role_id"
    assert "expert role role-1 of person p-2 began on 2023-01-10 and has not ended" in str(error)


def test_an_expert_role_may_not_begin_inside_an_ended_spell_of_the_same_role_id(app):
    record(app, expert(on="2023-01-10"))
    record(app, expert_end(on="2023-12-31"))
    assert refused(app, expert(on="2023-06-01"), Conflict).field == "data.role_id"


def test_the_same_role_id_may_be_taken_up_again_after_it_ended(app):
    record(app, expert(on="2023-01-10"))
    record(app, expert_end(on="2023-12-31"))
    assert record(app, expert(on="2023-12-31")) is Outcome.ACCEPTED


def test_another_role_id_may_run_at_the_same_time(app):
    record(app, expert(on="2023-01-10"))
    assert record(app, expert(role_id="jury-2024", role="competition_jury", on="2023-02-01")) is Outcome.ACCEPTED


def test_the_same_start_restated_changes_nothing(app):
    record(app, expert())
    assert record(app, expert()) is Outcome.DUPLICATE
    assert len(app.get_or_none(person_key("p-2")).expert_roles) == 1


def test_an_expert_role_ends_only_after_it_began(app):
    record(app, expert(on="2023-01-10"))
    error = refused(app, expert_end(on="2023-01-09"))
    assert error.field == "data.ended_on"
    assert str(error) == "ended_on 2023-01-09 is before expert role role-1 of person p-2 began on 2023-01-10"


def waiting(app) -> list[tuple[str, str, str]]:
    return [(w.kind, w.key, p.field) for w in app.waiting.catch_up() for p in w.waiting()]


def test_an_end_of_an_expert_role_that_never_began_waits_for_its_start(app):
    assert record(app, expert_end()) is Outcome.WAITING
    assert waiting(app) == [("expert_role", "role-1/p-2", "data.role_id")]


def test_an_expert_role_ends_once(app):
    record(app, expert())
    record(app, expert_end(on="2023-12-31"))
    assert record(app, expert_end(on="2023-12-31")) is Outcome.DUPLICATE
    error = refused(app, expert_end(on="2024-02-01"), Conflict)
    assert (error.field, str(error)) == ("data.role_id", "expert role role-1 of person p-2 already ended on 2023-12-31")


# the methodical asset


def test_a_person_joins_and_leaves_the_methodical_asset(app):
    assert record(app, asset_in(role="руководитель ГМО")) is Outcome.ACCEPTED
    assert record(app, asset_out()) is Outcome.ACCEPTED
    assert app.get_or_none(person_key("p-2")).asset[0]["to"] == date(2024, 8, 31)


def test_a_person_in_the_asset_cannot_join_it_again(app):
    record(app, asset_in(on="2022-09-01"))
    assert refused(app, asset_in(on="2023-09-01"), Conflict).field == "data.municipality_id"


def test_the_asset_of_another_municipality_is_another_spell(app):
    record(app, asset_in(municipality="mun-1"))
    assert record(app, asset_in(municipality="mun-2")) is Outcome.ACCEPTED
    assert record(app, asset_out(municipality="mun-3")) is Outcome.WAITING
    assert waiting(app) == [("methodical_asset", "mun-3/p-2", "data.municipality_id")]


def test_leaving_the_asset_before_joining_it_is_refused(app):
    record(app, asset_in(on="2022-09-01"))
    assert refused(app, asset_out(on="2022-08-31")).field == "data.left_on"


# projects


def test_a_project_participant_is_enrolled_and_leaves_with_an_outcome(app):
    record(app, enrolled(on="2023-09-15"))
    assert record(app, unenrolled(on="2024-06-30", outcome="withdrawn")) is Outcome.ACCEPTED
    spell = app.get_or_none(person_key("p-1")).projects[0]
    assert (spell["to"], spell["outcome"]) == (date(2024, 6, 30), "withdrawn")


def test_an_enrolled_person_cannot_be_enrolled_in_the_same_project_again(app):
    record(app, enrolled(on="2023-09-15"))
    assert refused(app, enrolled(on="2024-01-15"), Conflict).field == "data.project_id"


def test_leaving_a_project_never_joined_waits_for_the_enrolment(app):
    assert record(app, unenrolled()) is Outcome.WAITING
    assert waiting(app) == [("project_enrolment", "proj-1/p-1", "data.project_id")]


def test_leaving_a_project_before_enrolling_is_refused(app):
    record(app, enrolled(on="2023-09-15"))
    assert refused(app, unenrolled(on="2023-09-14")).field == "data.left_on"


def test_leaving_a_project_again_with_another_outcome_is_a_conflict(app):
    record(app, enrolled())
    record(app, unenrolled(outcome="completed"))
    assert record(app, unenrolled(outcome="completed")) is Outcome.DUPLICATE
    assert refused(app, unenrolled(outcome="withdrawn"), Conflict).field == "data.outcome"


# curators


def test_a_curator_is_appointed_and_released(app):
    assert record(app, appointed(on="2021-09-01")) is Outcome.ACCEPTED
    assert record(app, released(on="2024-08-31")) is Outcome.ACCEPTED
    assert app.get_or_none(curatorship_key("sch-1")).current() is None


def test_a_second_curator_is_refused_while_the_first_is_in_office(app):
    record(app, appointed(person="p-2", on="2021-09-01"))
    error = refused(app, appointed(person="p-3", on="2023-09-01"), Conflict)
    assert error.field == "data.org_id"
    assert str(error) == ("organisation sch-1 has curator p-2 since 2021-09-01: release them (curator_released) "
                          "before appointing p-3")


def test_a_curator_is_replaced_explicitly_released_then_another_appointed(app):
    record(app, appointed(person="p-2", on="2021-09-01"))
    record(app, released(person="p-2", on="2023-08-31"))
    assert record(app, appointed(person="p-3", on="2023-09-01")) is Outcome.ACCEPTED
    terms = app.get_or_none(curatorship_key("sch-1")).terms
    assert [(t["person_id"], t["released_on"]) for t in terms] == [("p-2", date(2023, 8, 31)), ("p-3", None)]


def test_a_curator_may_not_be_appointed_inside_the_previous_term(app):
    record(app, appointed(person="p-2", on="2021-09-01"))
    record(app, released(person="p-2", on="2023-08-31"))
    assert refused(app, appointed(person="p-3", on="2023-01-01")).field == "data.appointed_on"


def test_curators_of_other_schools_are_independent(app):
    record(app, appointed(org_id="sch-1", person="p-2"))
    assert record(app, appointed(org_id="sch-2", person="p-5")) is Outcome.ACCEPTED


def test_releasing_someone_who_is_not_the_curator_names_the_person(app):
    record(app, appointed(person="p-3", on="2020-09-01"))
    record(app, released(person="p-3", on="2021-08-31"))
    record(app, appointed(person="p-2"))
    error = refused(app, released(person="p-3"), Conflict)
    assert (error.field, str(error)) == ("data.person_id", "the curator of sch-1 is p-2, not p-3")


def test_releasing_a_curator_never_appointed_waits_for_the_appointment(app):
    assert record(app, released()) is Outcome.WAITING
    record(app, appointed(person="p-3"))
    assert record(app, released(person="p-4")) is Outcome.WAITING
    assert waiting(app) == [("curator_term", "sch-1/p-2", "data.org_id"), ("curator_term", "sch-1/p-4", "data.org_id")]


def test_a_curator_is_released_once_and_not_before_the_appointment(app):
    record(app, appointed(on="2021-09-01"))
    assert refused(app, released(on="2021-08-31")).field == "data.released_on"
    record(app, released(on="2024-08-31"))
    assert record(app, released(on="2024-08-31")) is Outcome.DUPLICATE
    assert refused(app, released(on="2024-09-30"), Conflict).field == "data.person_id"


def test_the_same_appointment_restated_changes_nothing(app):
    record(app, appointed())
    assert record(app, appointed()) is Outcome.DUPLICATE
    assert len(app.get_or_none(curatorship_key("sch-1")).terms) == 1


# support events: the speaker role


def test_a_speaker_is_recorded_with_the_role_and_a_participant_without_one(app):
    from pedgrowth.contracts import mentoring as m

    record(app, attended(person="p-1", event="ev-1"))
    speaker = m.SupportEventAttended(person_id="p-2", event_id="ev-1", event_name="Педагогические чтения",
                                     kind="conference", attended_on="2024-03-21", role="speaker")
    record(app, speaker)
    assert app.get_or_none(person_key("p-2")).attended["ev-1"]["role"] == "speaker"
    assert app.get_or_none(person_key("p-1")).attended["ev-1"]["role"] is None


def test_an_attendance_stored_before_the_role_existed_is_read_and_published_without_one(app):
    """The stored state of an old SupportEventAttended has no role: it loads, replays and publishes as before."""
    import json
    from dataclasses import replace

    from pedgrowth.mentoring.translation import to_contract

    record(app, attended(person="p-1", event="ev-1"))
    stored = next(n for n in app.recorder.select_notifications(1, 100) if n.topic.endswith("SupportEventAttended"))
    state = json.loads(stored.state)
    del state["role"]
    old = app.mapper.to_domain_event(replace(stored, state=json.dumps(state).encode()))
    assert "role" not in vars(old)
    assert to_contract(old) == attended(person="p-1", event="ev-1")
    replayed = old.mutate(Person(person_id="p-1"))
    assert replayed.attended["ev-1"]["role"] is None
