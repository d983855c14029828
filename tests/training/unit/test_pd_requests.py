"""Teachers' requests for PD directions and their being met (SPEC §3 additions; seed 002 item 4)."""

import pytest

from pedgrowth.contracts.registry import EmploymentStarted, OrganizationRegistered
from pedgrowth.kit.auth import Principal, Role
from pedgrowth.kit.errors import Conflict, RuleViolation
from pedgrowth.kit.inbox import Inbox
from pedgrowth.kit.metrics import Metrics
from pedgrowth.training.access import Access
from pedgrowth.training.bootstrap import REJECTIONS
from pedgrowth.training.domain.request import PdRequest, request_key
from tests.training.facts import fact, pd_request, pd_request_met, record, recorded


def test_a_request_is_recorded_and_met(app):
    assert record(app, pd_request(topic="Формирующее оценивание")) == "accepted"
    assert record(app, pd_request_met(program_id="prog-1")) == "accepted"
    request = app.get_or_none(request_key("req-1"))
    assert (request.person_id, request.direction, request.topic) == ("p-1", "methodical", "Формирующее оценивание")
    assert (request.met_on.isoformat(), request.program_id) == ("2023-11-24", "prog-1")


def test_a_request_is_met_once(app):
    record(app, pd_request())
    record(app, pd_request_met(met_on="2023-11-24"))
    with pytest.raises(Conflict) as caught:
        record(app, pd_request_met(met_on="2024-02-01"))
    assert caught.value.field == "data.request_id"
    assert "req-1 was already met on 2023-11-24" in str(caught.value)


def test_the_same_meeting_restated_by_another_system_changes_nothing(app):
    record(app, pd_request())
    record(app, pd_request_met(program_id="prog-1"))
    assert record(app, pd_request_met(program_id="prog-1"), source="/imc/mun-1") == "duplicate"
    assert len(recorded(app, PdRequest.Met)) == 1


def test_a_request_may_not_be_met_before_it_was_submitted(app):
    record(app, pd_request(submitted_on="2023-09-05"))
    with pytest.raises(RuleViolation) as caught:
        record(app, pd_request_met(met_on="2023-09-04"))
    assert caught.value.field == "data.met_on"
    assert str(caught.value) == "met_on 2023-09-04 is before request req-1 was submitted on 2023-09-05"
    assert not recorded(app, PdRequest.Met)


def test_a_request_met_on_the_day_it_was_submitted_is_accepted(app):
    record(app, pd_request(submitted_on="2023-09-05"))
    assert record(app, pd_request_met(met_on="2023-09-05")) == "accepted"


def test_a_request_resubmitted_with_other_details_is_a_conflict_naming_the_field(app):
    record(app, pd_request(direction="methodical"))
    assert record(app, pd_request(direction="methodical"), source="/imc/mun-1") == "duplicate"
    with pytest.raises(Conflict) as caught:
        record(app, pd_request(direction="digital"))
    assert caught.value.field == "data.direction"


def test_a_meeting_of_a_request_not_known_yet_waits_and_is_recorded_when_the_request_comes(app):
    inbox = Inbox(app, "training", dict(REJECTIONS), Metrics())
    assert inbox.record(fact(pd_request_met(met_on="2023-11-24"))).outcome.value == "waiting"
    assert [p.field for w in app.waiting.catch_up() for p in w.waiting()] == ["data.request_id"]
    assert not recorded(app, PdRequest.Met)
    assert inbox.record(fact(pd_request(submitted_on="2023-09-05"))).outcome.value == "accepted"
    assert [e.met_on.isoformat() for e in recorded(app, PdRequest.Met)] == ["2023-11-24"]
    assert app.waiting.catch_up() == []


def test_a_waiting_meeting_dated_before_the_request_is_refused_when_the_request_comes(app):
    inbox = Inbox(app, "training", dict(REJECTIONS), Metrics())
    inbox.record(fact(pd_request_met(met_on="2023-09-01")))
    inbox.record(fact(pd_request(submitted_on="2023-09-05")))
    assert not recorded(app, PdRequest.Met)
    refusals = [r for w in app.waiting.catch_up() for r in w.refusals()]
    assert [(r.field, r.reason) for r in refusals] == [
        ("data.met_on", "met_on 2023-09-01 is before request req-1 was submitted on 2023-09-05")]


def test_meeting_a_request_is_checked_on_the_requests_teacher(app):
    app.workplaces.apply(EmploymentStarted(person_id="p-1", org_id="sch-1", position="teacher",
                                           started_on="2020-09-01", pedagogical_experience_since="2020-09-01"))
    record(app, pd_request())
    access = Access(app.workplaces, request_person=app.request_person)
    own = Principal(subject="hr-1", role=Role.SCHOOL_SYSTEM, org_id="sch-1")
    other = Principal(subject="hr-2", role=Role.SCHOOL_SYSTEM, org_id="sch-2")
    assert access.authorize_write(own, pd_request_met()) is None
    assert access.authorize_write(other, pd_request_met()).startswith("data.request_id: person p-1 is not employed")
    assert access.authorize_write(own, pd_request(person_id="p-2")).startswith("data.person_id: person p-2")
    unknown = access.authorize_write(own, pd_request_met(request_id="req-9"))
    assert unknown.startswith("data.request_id: PD request req-9 is not known to training")
    assert access.authorize_write(Principal(subject="root", role=Role.ADMIN), pd_request_met(request_id="req-9")) is None


def test_the_transcript_lists_a_teachers_requests_met_or_not_as_of_its_day(app):
    from datetime import date

    record(app, pd_request(request_id="req-1", submitted_on="2023-09-05"))
    record(app, pd_request(request_id="req-2", direction="digital", submitted_on="2024-02-01"))
    record(app, pd_request_met(request_id="req-1", met_on="2023-11-24", program_id="prog-1"))
    before = app.transcript("p-1", date(2023, 10, 1))["pd_requests"]
    assert [(r["request_id"], r["met_on"]) for r in before] == [("req-1", None)]
    after = app.transcript("p-1", date(2024, 3, 1))["pd_requests"]
    assert [(r["request_id"], r["direction"], r["met_on"], r["program_id"]) for r in after] == [
        ("req-1", "methodical", date(2023, 11, 24), "prog-1"), ("req-2", "digital", None, None)]
    assert app.transcript("p-404", date(2024, 3, 1)) is None


def test_the_request_report_counts_requests_per_direction_and_those_met_in_the_scope(app):
    from datetime import date

    from pedgrowth.training.adapters.workplaces import Scope

    app.workplaces.apply(OrganizationRegistered(org_id="sch-1", name="Школа", kind="school", municipality_id="mun-1",
                                                municipality_name="М", region_id="reg-1", region_name="Р"))
    for person in ("p-1", "p-2"):
        app.workplaces.apply(EmploymentStarted(person_id=person, org_id="sch-1", position="teacher",
                                               started_on="2020-09-01", pedagogical_experience_since="2020-09-01"))
    record(app, pd_request(request_id="req-1", person_id="p-1", submitted_on="2024-02-01"))
    record(app, pd_request(request_id="req-2", person_id="p-2", submitted_on="2024-03-01"))
    record(app, pd_request(request_id="req-3", person_id="p-2", direction="digital", submitted_on="2024-03-01"))
    record(app, pd_request(request_id="req-4", person_id="p-9", submitted_on="2024-03-01"))  # works elsewhere
    record(app, pd_request_met(request_id="req-1", met_on="2024-04-01"))
    record(app, pd_request_met(request_id="req-2", met_on="2024-12-01"))
    rows = app.pd_request_report(Scope("municipality", "mun-1"), 2024, 2024, date(2024, 6, 30))
    assert rows == [{"year": 2024, "direction": "digital", "submitted": 1, "met": 0, "met_share": 0.0},
                    {"year": 2024, "direction": "methodical", "submitted": 2, "met": 1, "met_share": 0.5}]
