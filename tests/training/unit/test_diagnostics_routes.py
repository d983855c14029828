"""Diagnostics of deficits and individual routes (ИОМ)."""

import pytest

from pedgrowth.kit.errors import Conflict, RuleViolation
from pedgrowth.training.domain.learner import Learner
from tests.training.facts import diagnostics, record, recorded, route_completed, route_started


def test_a_deficit_listed_twice_in_one_diagnostics_is_refused(app):
    with pytest.raises(RuleViolation) as caught:
        record(app, diagnostics(deficits=[("D-1", "digital"), ("D-1", "subject")]))
    assert caught.value.field == "data.deficits"


def test_a_diagnostics_restated_with_other_deficits_is_a_conflict(app):
    record(app, diagnostics())
    with pytest.raises(Conflict) as caught:
        record(app, diagnostics(deficits=[("D-OTHER", "digital")]))
    assert caught.value.field == "data.diagnostics_id"


def test_a_diagnostics_finding_nothing_is_recorded(app):
    assert record(app, diagnostics(deficits=[])) == "accepted"


def test_a_completion_of_a_route_not_started_yet_waits_for_the_start(app):
    assert record(app, route_completed()) == "waiting"
    assert [(w.kind, w.key, p.field) for w in app.waiting.catch_up() for p in w.waiting()] == [
        ("route", "route-1/p-1", "data.route_id")]


def test_a_route_cannot_be_completed_before_it_started(app):
    record(app, route_started(started_on="2023-10-10"))
    with pytest.raises(RuleViolation) as caught:
        record(app, route_completed(completed_on="2023-09-01"))
    assert caught.value.field == "data.completed_on"


def test_a_route_completes_once(app):
    record(app, route_started())
    record(app, route_completed(completed_on="2024-05-28"))
    with pytest.raises(Conflict) as caught:
        record(app, route_completed(completed_on="2024-06-15"))
    assert caught.value.field == "data.route_id"


def test_restating_a_route_completion_changes_nothing(app):
    record(app, route_started())
    record(app, route_completed())
    record(app, route_completed(), source="/another/system")
    assert len(recorded(app, Learner.RouteCompleted)) == 1


def test_a_route_started_again_on_another_day_is_a_conflict(app):
    record(app, route_started(started_on="2023-10-10"))
    with pytest.raises(Conflict):
        record(app, route_started(started_on="2023-11-01"))
