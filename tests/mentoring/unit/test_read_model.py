"""The read model answers from recorded facts, including late ones."""

from __future__ import annotations

from .helpers import attended, day, joined, left, mentor, new_app, pair, pair_end, record


def test_members_of_a_community_are_those_active_on_the_date():
    app = new_app()
    record(app, joined("p-1", on="2022-09-01"))
    record(app, joined("p-3", on="2023-09-01"))
    record(app, left("p-1", on="2023-06-30"))
    members = app.query(lambda rm: [m["person_id"] for m in rm.members("mo-1", day("2023-01-01"))])
    assert members == ["p-1"]


def test_a_late_leave_closes_the_membership_it_belongs_to():
    app = new_app()
    record(app, joined(on="2023-09-01"))
    record(app, joined(on="2021-09-01"))
    record(app, left(on="2022-06-30"))
    spans = app.query(lambda rm: sorted((m["joined_on"], m["left_on"]) for m in rm.memberships_of("p-1")))
    assert spans == [(day("2021-09-01"), day("2022-06-30")), (day("2023-09-01"), None)]


def test_an_ended_pair_carries_its_end_and_outcome():
    app = new_app()
    record(app, mentor())
    record(app, pair())
    record(app, pair_end(outcome="terminated"))
    ended = app.query(lambda rm: rm.pairs["pair-1"])
    assert (ended["ended_on"], ended["outcome"]) == (day("2023-06-30"), "terminated")


def test_the_read_model_catches_up_between_questions():
    app = new_app()
    record(app, attended("p-1"))
    assert app.query(lambda rm: len(rm.attendance("ev-1"))) == 1
    record(app, attended("p-3"))
    assert app.query(lambda rm: [a["person_id"] for a in rm.attendance("ev-1")]) == ["p-1", "p-3"]
